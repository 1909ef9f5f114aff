"""The app on a register others change at the same time: F5 reads it again for real, live
updates within about a second, the app's reads beside other processes' writes, and what is
remembered between sessions.
"""

# ruff: noqa: F811 - the fixtures of test_gui are imported by name

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from test_gui import (  # noqa: F401 - fixtures
    REVIEW,
    TODAY,
    WAIT_MS,
    D,
    any_reg,
    idle,
    menu_action,
    open_register,
    output_dir,
    own_layout_cache,
    pg_template,
    reg_db,
    settings,
    settings_file,
    show_case,
    spec_path,
    template,
    window_on,
)

from regflow.engine.register.api import Register


def cli(db, *args):
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", *map(str, args), "--db", str(db),
                           "--today", TODAY.isoformat()], capture_output=True, text=True)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc


def titles(window) -> list[str]:
    model = window.register_panel.model
    return [model.data(model.index(r, 2)) for r in range(model.rowCount())]



def step_refused_as_read_only(qtbot, window, case_id: int):
    """Record a step on a read-only register: the form stays open and says why; the panel."""
    from test_gui import choose

    panel = show_case(qtbot, window, case_id)
    form = panel.open_event_form("fieldwork_completed")
    choose(form.inputs["concern"].widget, "none")
    choose(form.inputs["findings_agreed"].widget, "Yes")
    form._submit()
    assert form.isVisible() and "may be read but not changed by you" in form.problem.text()
    return panel

def test_f5_shows_cases_added_and_changed_from_the_command_line(qtbot, settings, any_reg):
    db, ids = any_reg
    window = window_on(qtbot, settings, db)
    show_case(qtbot, window, ids["alpha"])
    cli(db, "case", "new", "--spec", REVIEW, "--title", "Delta District - review", "--on",
        "2026-10-01")
    cli(db, "case", "fire", str(ids["alpha"]), "fieldwork_completed", "--on", "2026-11-02",
        "--set", "concern=none", "--set", "findings_agreed=yes", "--set",
        "fieldwork_ended=2026-10-30")
    with qtbot.waitSignal(window.ready, timeout=WAIT_MS):
        menu_action(window, "Read the register again").trigger()  # F5
    idle(qtbot)
    assert "Delta District - review" in titles(window)
    assert window.register_panel.model.rowCount() == 4
    assert "4 cases" in window.counts_label.text()
    assert window.case_panel.view.id == ids["alpha"]
    assert window.case_panel.view.case.current_states == ["drafting"]


def test_changes_from_elsewhere_appear_within_a_second_without_f5(qtbot, settings, any_reg,
                                                                  tmp_path):
    db, ids = any_reg
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["alpha"])
    form = panel.open_event_form("fieldwork_completed")  # the user is filling in a form...
    cli(db, "case", "new", "--spec", REVIEW, "--title", "Delta District - review", "--on",
        "2026-10-01")
    qtbot.waitUntil(lambda: "Delta District - review" in titles(window), timeout=3000)
    assert "4 cases" in window.counts_label.text()
    assert panel.view.version == 1 and form.isVisible()  # ...on a case nobody changed
    assert "changed elsewhere" not in form.problem.text()
    cli(db, "case", "fire", str(ids["alpha"]), "fieldwork_completed", "--on", "2026-11-02",
        "--set", "concern=none", "--set", "findings_agreed=yes", "--set",
        "fieldwork_ended=2026-10-30", "--note", "from the command line", "--actor", "Bo Berry")
    qtbot.waitUntil(lambda: panel.view.version == 2, timeout=3000)  # read again by itself
    assert panel.view.case.current_states == ["drafting"]
    assert "changed elsewhere" in form.problem.text() and form.isVisible()
    assert "changed elsewhere" in window.statusBar().currentMessage()
    history = panel.history_table
    last = [history.item(history.rowCount() - 1, c).text() for c in range(history.columnCount())]
    assert "Bo Berry" in last and "Fieldwork completed" in last
    kind = "sqlite" if "://" not in str(db) else "postgresql"
    panel.tabs.setCurrentIndex(1)  # the history, with the entry made elsewhere
    assert window.grab().save(str(output_dir(tmp_path) / f"live_update_{kind}.png"))
    assert form.grab().save(str(output_dir(tmp_path) / f"live_update_form_{kind}.png"))


def test_a_poll_when_nothing_changed_reads_nothing_else(qtbot, settings, any_reg):
    db, _ids = any_reg
    window = window_on(qtbot, settings, db)
    model = window.register_panel.model
    window._poll()  # what the window's own opening may have announced
    before = model.pages_read
    for _ in range(5):
        qtbot.wait(20)
        window._poll()
    assert model.pages_read == before  # nothing changed: no page read again
    with Register(db, today=TODAY) as reg:  # this process, another connection
        reg.new_case(REVIEW, "Echo Estate - review", D(2026, 9, 1))
    qtbot.waitUntil(lambda: "Echo Estate - review" in titles(window), timeout=3000)


HAMMER = textwrap.dedent('''
    import sys, time
    from datetime import date
    from regflow.engine.register.api import Register
    db, spec, name, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:  # a new Register each time: often the last to close
        with Register(db, today=date(2026, 11, 23)) as reg:
            case = reg.new_case(spec, f"{name} {n}", date(2026, 3, 2)).id
            reg.fire(case, "fieldwork_started", date(2026, 3, 30))
            reg.page_of_everything = reg.list_cases(limit=50)
        n += 1
    print(n)
''')


def test_the_app_and_other_processes_hammering_one_register_never_see_it_malformed(
        qtbot, settings, reg_db, spec_path, tmp_path):
    db, ids = reg_db
    window = window_on(qtbot, settings, db)
    problems: list[str] = []
    window.show_error = lambda title, text, what="": problems.append(f"{title}: {text}")
    window.case_panel.problem.connect(lambda title, text, _what: problems.append(text))
    script = tmp_path / "hammer.py"
    script.write_text(HAMMER)
    writers = [subprocess.Popen([sys.executable, str(script), str(db), str(spec_path), name, "8"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name in ("left", "right")]
    rounds = 0
    while any(w.poll() is None for w in writers):
        with qtbot.waitSignal(window.ready, timeout=WAIT_MS):
            window.reload()  # F5: the register opened again while the others write
        idle(qtbot)
        for _ in range(3):
            window._poll()  # the live updates
            window.show_case(ids[("alpha", "bravo", "charlie")[rounds % 3]])
            qtbot.wait(30)
        rounds += 1
    outcomes = [w.communicate(timeout=60) for w in writers]
    assert all(w.returncode == 0 for w in writers), [err for _, err in outcomes]
    made = sum(int(out) for out, _ in outcomes)
    assert rounds >= 3 and made >= 4
    assert problems == []
    window._poll()
    assert window.register_panel.model.rowCount() == 3 + made
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_recorded_by_is_a_setting_kept_at_once_and_offered_after_a_restart(
        qtbot, settings, settings_file, reg_db):
    db, ids = reg_db
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["charlie"])
    panel.history_table.selectRow(panel.history_table.rowCount() - 1)  # "entered by mistake"
    form = panel.open_correct_form()
    assert form.actor.text() == ""  # never the computer's login name
    assert "your name" in form.actor.placeholderText()
    form.reason.setText("entered on the wrong case")
    form.actor.setText("Ann Inspector")
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        form._submit()
    # kept now, as if the app were then killed rather than closed
    assert QSettings(str(settings_file), QSettings.Format.IniFormat).value("actor") == \
        "Ann Inspector"
    again = window_on(qtbot, QSettings(str(settings_file), QSettings.Format.IniFormat), db)
    panel = show_case(qtbot, again, ids["alpha"])
    form = panel.open_event_form("fieldwork_completed")
    assert form.actor.text() == "Ann Inspector"


def test_the_app_on_a_postgresql_register_never_shows_or_keeps_its_password(
        qtbot, settings, settings_file, pg_cluster, spec_path, monkeypatch):
    from sqlalchemy.engine import make_url
    from test_gui import fill_register

    url = pg_cluster.new_database()
    ids = fill_register(url, spec_path)
    monkeypatch.delenv("PGPASSWORD")  # the password only in the address given to the app
    secret = make_url(url).set(password=pg_cluster.password).render_as_string(hide_password=False)
    window = window_on(qtbot, settings, secret)
    assert titles(window) and window.register_panel.model.rowCount() == 3
    show_case(qtbot, window, ids["alpha"])
    shown = " ".join([window.windowTitle(), window.where_label.text(),
                      window.statusBar().currentMessage()])
    assert pg_cluster.password not in shown and "register_" in shown
    with Register(secret, today=TODAY) as other:  # someone else, elsewhere
        other.new_case(spec_path, "Delta District - review", D(2026, 10, 1))
    qtbot.waitUntil(lambda: "Delta District - review" in titles(window), timeout=3000)
    window.close()
    assert pg_cluster.password not in settings_file.read_text()
    assert make_url(url).database in settings_file.read_text()  # remembered, without it


def test_the_server_dialog_checks_the_address_and_keeps_the_password_to_itself(qtbot):
    from regflow.gui.register.server import ServerDialog

    dialog = ServerDialog(None, "")
    qtbot.addWidget(dialog)
    dialog.address.setText("mysql://ann@db/register")
    dialog._submit()
    assert "postgresql://user@server/database" in dialog.problem.text() and not dialog.result()
    dialog.address.setText("postgres://ann@inspectorate-db/register")
    dialog.password.setText("s3cret")
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    dialog._submit()
    assert dialog.result() and dialog.url() == \
        "postgresql+psycopg://ann:s3cret@inspectorate-db/register"


def test_the_app_as_a_read_only_role_says_so_and_saves_nothing(
        qtbot, settings, pg_cluster, spec_path, monkeypatch):
    from test_gui import fill_register

    url = pg_cluster.new_database()
    ids = fill_register(url, spec_path)
    monkeypatch.setenv("PGPASSWORD", "analyst-pw")
    window = window_on(qtbot, settings, pg_cluster.read_only_role(url, "analyst-pw"))
    assert "read only" in window.where_label.text()
    panel = step_refused_as_read_only(qtbot, window, ids["alpha"])
    assert panel.view.version == 1
    from regflow.gui.register.identity import IdentityDialog

    window.edit_identity()
    dialog = window.findChild(IdentityDialog)
    assert not any(box.isEnabled() for box in dialog.boxes.values())
    assert "You may only read this register" in " ".join(
        label.text() for label in dialog.findChildren(QLabel))
    dialog.reject()


def test_an_analyst_who_may_not_read_the_roles_still_gets_the_register(
        qtbot, settings, pg_cluster, spec_path, monkeypatch):
    import psycopg
    from sqlalchemy.engine import make_url
    from test_gui import fill_register

    url = pg_cluster.new_database()
    fill_register(url, spec_path)
    analyst = pg_cluster.read_only_role(url, "analyst-pw")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"),
                         password=pg_cluster.password, autocommit=True) as admin:
        admin.execute(f"REVOKE SELECT ON users, user_changes FROM {make_url(analyst).username}")
    monkeypatch.setenv("PGPASSWORD", "analyst-pw")
    settings.setValue("actor", "Ann Jones")
    window = window_on(qtbot, settings, analyst)
    assert window.register_panel.model.rowCount() == 3
    assert window.who_label.text() == "You: Ann Jones (roles unknown)"
    assert "GRANT SELECT ON users, user_changes" in window.who_label.toolTip()


def test_a_step_for_a_role_the_user_does_not_hold_asks_first_and_is_marked(
        qtbot, settings, settings_file, any_reg, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    from test_gui import choose

    from regflow.gui.register.identity import IdentityDialog

    db, ids = any_reg
    window = window_on(qtbot, settings, db)
    assert window.register.role_labels() == ["Council", "Lead inspector"]
    assert window.who_label.text() == "Who are you? File ▸ Who you are"
    window.edit_identity()
    dialog = window.findChild(IdentityDialog)
    assert sorted(dialog.boxes) == ["Council", "Lead inspector"]
    dialog.name.setText("Cara Council")
    dialog.name.editingFinished.emit()
    assert "no roles recorded for this name" in dialog.recorded.text()
    dialog.boxes["Council"].setChecked(True)
    dialog.accept()
    saved = QSettings(str(settings_file), QSettings.Format.IniFormat)
    assert saved.value("actor") == "Cara Council" and saved.value("roles") is None
    with Register(db, today=TODAY) as reg:  # in the register, for every desktop
        user = reg.user("Cara Council")
        assert user.roles == ("Council",) and user.changed_by == "Cara Council"
    assert window.who_label.text() == "You: Cara Council (Council)"

    panel = show_case(qtbot, window, ids["alpha"])
    asked = []
    answer = {"now": QMessageBox.StandardButton.No}
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or answer["now"])
    assert panel.open_event_form("fieldwork_completed") is None  # not confirmed: no form
    assert "recorded by the Lead inspector; you hold Council" in asked[0]
    answer["now"] = QMessageBox.StandardButton.Yes
    form = panel.open_event_form("fieldwork_completed")
    assert form.actor.text() == "Cara Council"
    choose(form.inputs["concern"].widget, "none")
    choose(form.inputs["findings_agreed"].widget, "Yes")
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        form._submit()
    entry = panel.view.entries[-1]
    assert entry.actor == "Cara Council"
    assert "[Recorded outside the recorder's roles: this step is for the Lead inspector; they " \
           "hold Council]" in entry.note
    with Register(db, today=TODAY) as reg:
        assert "Recorded outside the recorder's roles" in reg.get(ids["alpha"]).entries[-1].note


def test_roles_a_manager_changes_elsewhere_reach_the_app_within_a_second(
        qtbot, settings, any_reg, tmp_path):
    from regflow.gui.register.identity import IdentityDialog

    db, _ids = any_reg
    settings.setValue("actor", "Ann Jones")  # who this desktop's user is: a setting
    window = window_on(qtbot, settings, db)
    assert window.who_label.text() == "You: Ann Jones (no role recorded)"
    assert window.case_panel.roles == []
    cli(db, "users", "set", "ann jones", "--role", "lead", "--actor", "Mo Manager")
    qtbot.waitUntil(lambda: window.case_panel.roles == ["Lead inspector"], timeout=3000)
    assert window.who_label.text() == "You: Ann Jones (Lead inspector)"
    assert "set by Mo Manager" in window.who_label.toolTip()
    window.edit_identity()
    dialog = window.findChild(IdentityDialog)
    assert dialog.boxes["Lead inspector"].isChecked() and not dialog.boxes["Council"].isChecked()
    assert "The register says: Lead inspector (set by Mo Manager" in dialog.recorded.text()
    qtbot.waitExposed(dialog)
    kind = "sqlite" if "://" not in str(db) else "postgresql"
    assert dialog.grab().save(str(output_dir(tmp_path) / f"who_you_are_{kind}.png"))
    dialog.reject()
    assert window.grab().save(str(output_dir(tmp_path) / f"roles_in_status_bar_{kind}.png"))


def test_a_register_file_the_user_may_not_write_opens_read_only(qtbot, settings, reg_db,
                                                                   read_only):

    db, ids = reg_db
    read_only(db)
    before = db.read_bytes()
    window = window_on(qtbot, settings, db)
    assert "read only" in window.where_label.text() and window.register_panel.model.rowCount() == 3
    step_refused_as_read_only(qtbot, window, ids["alpha"])
    window.close()
    assert db.read_bytes() == before


def test_recording_and_a_stale_change_on_both_databases(qtbot, settings, tmp_path, register_url,
                                                        spec_path):
    from test_gui import fill_register

    ids = fill_register(register_url, spec_path)
    window = window_on(qtbot, settings, register_url)
    panel = show_case(qtbot, window, ids["alpha"])
    form = panel.open_event_form("fieldwork_completed")
    with Register(register_url, today=TODAY) as other:  # meanwhile, elsewhere
        other.fire(ids["alpha"], "fieldwork_completed", D(2026, 11, 2),
                   {"concern": "none", "findings_agreed": True, "fieldwork_ended": D(2026, 10, 30)})
    qtbot.waitUntil(lambda: panel.view.version == 2, timeout=3000)  # the live updates' timer
    assert "changed elsewhere" in form.problem.text()
    form.reject()
    form = panel.open_event_form("report_published")
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        form._submit()
    with Register(register_url, today=TODAY) as reg:
        assert [e.event for e in reg.get(ids["alpha"]).entries][-1] == "report_published"


def test_a_damaged_case_is_left_out_of_the_list_and_said(qtbot, settings, reg_db):
    db, ids = reg_db
    conn = sqlite3.connect(db)
    conn.execute("update cases set next_due = 'soon' where id = ?", (ids["bravo"],))
    conn.commit()
    conn.close()
    window = window_on(qtbot, settings, db)
    assert "Bravo Borough - review 2026" not in titles(window)
    assert len(titles(window)) == 2
    assert "1 damaged (not listed)" in window.counts_label.text()
    assert f"case {ids['bravo']} is damaged in the register: its row in table cases: next_due " \
           "'soon' is not a date" in window.counts_label.toolTip()
