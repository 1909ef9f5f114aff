"""The desktop app driven through its widgets: new cases, recording steps through their forms,
refusals, blocked steps, the clickable diagram, corrections, reopening a register, the lazy
register table, remembered settings, error dialogs, pictures of each view and
``regflow gui --screenshot``.

Every test uses a fixed ``today``, its own register file and its own settings (an INI file), and
Graphviz layouts are cached in a folder of this module: nothing of the user's is read or written.
Runs on Qt's offscreen platform (no screen needed). Pictures of the views are saved under
``$REGFLOW_TEST_OUTPUT`` when it is set.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import shiboken6

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QDate, QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialogButtonBox, QLabel, QMessageBox, QPushButton

from regflow.engine.register.api import CaseQuery, Register
from regflow.gui import tasks
from regflow.gui.case import forms
from regflow.gui.case.forms import NOT_GIVEN, CorrectForm, EventForm, NewCaseForm
from regflow.gui.case.panel import CasePanel
from regflow.gui.diagram import svg as diagram_svg
from regflow.gui.main_window import MainWindow
from regflow.gui.register.model import COLUMNS, PAGE
from regflow.plugins import hookimpl

from conftest import REVIEW, ROOT

TODAY = date(2026, 11, 23)
D = date
LEFT = Qt.MouseButton.LeftButton
WAIT_MS = 20_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# -- test data -----------------------------------------------------------------------------

#: review.toml with a step that asks for an enum, a bool and a date, and whose guard reads the
#: bool it sets: the form can be filled in so that the step is refused
GUI_FACTS = """
[facts.findings_agreed]
type = "bool"
label = "Findings agreed with the council"
citation = "2"

[facts.fieldwork_ended]
type = "date"
label = "Last day on site"
citation = "2"
"""


def gui_spec_text(title: str = "A small review with concerns") -> str:
    text = REVIEW.read_text()
    for old, new in (
            ('sets = ["concern"]\nrequires = ["concern"]',
             'sets = ["concern", "findings_agreed", "fieldwork_ended"]\n'
             'requires = ["concern", "fieldwork_ended"]'),
            ('event = "fieldwork_completed"\nto = "drafting"\n',
             'event = "fieldwork_completed"\nto = "drafting"\nguard = "findings_agreed"\n'),
            ('title = "A small review with concerns"', f'title = "{title}"')):
        assert old in text, f"test set-up: {old!r} not in review.toml"
        text = text.replace(old, new, 1)
    return text + GUI_FACTS


@pytest.fixture(scope="module", autouse=True)
def own_layout_cache(tmp_path_factory):
    """Graphviz layouts are cached in a folder of this module, not the user's cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("specs") / "review_gui.toml"
    path.write_text(gui_spec_text())
    return path


AGREED = {"concern": "none", "findings_agreed": True, "fieldwork_ended": D(2026, 2, 27)}


def fill_register(db: Path, spec: Path) -> dict[str, int]:
    """Three cases: Alpha at fieldwork, Bravo after publication (its quarterly report is
    overdue), Charlie drafting its report (due within 14 days)."""
    with Register(db, today=TODAY) as reg:
        a = reg.new_case(spec, "Alpha Council - review 2026", D(2026, 3, 2)).id
        reg.fire(a, "fieldwork_started", D(2026, 3, 30), actor="lead")
        b = reg.new_case(spec, "Bravo Borough - review 2026", D(2026, 1, 5)).id
        reg.fire(b, "fieldwork_started", D(2026, 2, 2))
        reg.fire(b, "fieldwork_completed", D(2026, 3, 2), AGREED)
        reg.fire(b, "report_published", D(2026, 3, 20))
        c = reg.new_case(spec, "Charlie City - review 2026", D(2026, 6, 1)).id
        reg.fire(c, "fieldwork_started", D(2026, 6, 29))
        reg.fire(c, "fieldwork_completed", D(2026, 11, 2),
                 {**AGREED, "fieldwork_ended": D(2026, 10, 30)}, note="entered by mistake")
    return {"alpha": a, "bravo": b, "charlie": c}


@pytest.fixture(scope="module")
def template(tmp_path_factory, spec_path) -> tuple[Path, dict[str, int]]:
    db = tmp_path_factory.mktemp("template") / "register.db"
    return db, fill_register(db, spec_path)


@pytest.fixture
def reg_db(tmp_path, template) -> tuple[Path, dict[str, int]]:
    """A copy of the three-case register for one test."""
    db = tmp_path / "register.db"
    shutil.copy(template[0], db)
    return db, template[1]


@pytest.fixture(scope="module")
def pg_template(request, spec_path) -> tuple[str, dict[str, int]]:
    """The three-case register on the test run's PostgreSQL server, copied for each test."""
    url = request.getfixturevalue("pg_cluster").new_database()
    return url, fill_register(url, spec_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_reg(request, tmp_path, template) -> tuple[str | Path, dict[str, int]]:
    """The three-case register for one test: a copy of the SQLite file, then of the
    PostgreSQL database (the same tests against both)."""
    if request.param == "sqlite":
        db = tmp_path / "register.db"
        shutil.copy(template[0], db)
        return db, template[1]
    url, ids = request.getfixturevalue("pg_template")
    return request.getfixturevalue("pg_cluster").new_database(like=url), ids


def big_records(n: int):
    """``n`` cases of review.toml in all positions: announced, drafting (many overdue),
    published, closed; every 50th is called 'Harbour …'."""
    for i in range(n):
        opened = D(2025, 6, 2) + timedelta(days=(i * 7) % 500)
        opened = min(opened, TODAY - timedelta(days=70 + i % 30))
        events = []
        if i % 4 >= 1:
            events += [{"on": (opened + timedelta(days=28)).isoformat(), "event": "fieldwork_started"},
                       {"on": (opened + timedelta(days=42)).isoformat(),
                        "event": "fieldwork_completed", "set": {"concern": "none"}}]
        if i % 4 >= 2:
            events.append({"on": (opened + timedelta(days=60)).isoformat(), "event": "report_published"})
        if i % 4 == 3:
            events.append({"on": (opened + timedelta(days=65)).isoformat(), "event": "closing_meeting"})
        title = f"{'Harbour' if i % 50 == 0 else 'Council'} {i:04d} - review"
        yield f"case {i}", {"spec": str(REVIEW), "title": title, "opened_on": opened.isoformat(),
                            "events": events}


BIG = 650


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    """A register of 650 cases (more than three pages of the table), read only by the tests."""
    db = tmp_path_factory.mktemp("big") / "big.db"
    with Register(db, today=TODAY) as reg:
        result = reg.import_cases(big_records(BIG), workers=1)
    assert result.cases == BIG and not result.problems
    return db


@pytest.fixture
def settings_file(tmp_path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def settings(settings_file) -> QSettings:
    return QSettings(str(settings_file), QSettings.Format.IniFormat)


# -- helpers -------------------------------------------------------------------------------


def flush() -> None:
    """Let Qt delete what was replaced (old step buttons) so findChild sees the new ones."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def idle(qtbot) -> None:
    """Wait until no work runs off the UI thread (opening a register, laying out a diagram)."""
    qtbot.waitUntil(lambda: not tasks.running, timeout=WAIT_MS)


def new_window(qtbot, settings: QSettings, today: date | None = TODAY) -> MainWindow:
    window = MainWindow(settings, today=today)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def closed(widget) -> bool:
    """Closed: hidden, or already deleted (forms delete themselves when they close)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def open_register(qtbot, window: MainWindow, db, demo_if_new: bool = False,
                  timeout: int = WAIT_MS) -> None:
    with qtbot.waitSignal(window.ready, timeout=timeout):
        window.open_register(db, demo_if_new=demo_if_new)
    idle(qtbot)


def window_on(qtbot, settings: QSettings, db) -> MainWindow:
    window = new_window(qtbot, settings)
    open_register(qtbot, window, db)
    assert window.last_error is None
    return window


def show_case(qtbot, window: MainWindow, case_id: int) -> CasePanel:
    with qtbot.waitSignal(window.case_panel.ready, timeout=WAIT_MS):
        window.show_case(case_id)
    idle(qtbot)
    flush()
    panel = window.case_panel
    assert panel.view is not None and panel.view.id == case_id
    assert panel.diagram.document is not None
    return panel


def menu_action(window: MainWindow, text: str):
    """The menu entry whose words are ``text`` (without & and …)."""
    for top in window.menuBar().actions():
        for action in top.menu().actions():
            if action.text().replace("&", "").rstrip("…") == text:
                return action
    raise AssertionError(f"no menu entry {text!r}")


def click_step(qtbot, panel: CasePanel, event: str) -> EventForm:
    button = panel.step_buttons[event]
    assert button.objectName() == f"step_{event}" and button.isVisible()
    qtbot.mouseClick(button, LEFT)
    form = panel.form
    assert isinstance(form, EventForm) and form.action.event == event
    qtbot.waitExposed(form)
    return form


def fieldwork_form(qtbot, settings: QSettings, reg_db):
    """Case alpha on screen, its "Fieldwork completed" form open: (db, ids, panel, version, form)."""
    db, ids = reg_db
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["alpha"])
    version = stored(db, ids["alpha"]).version
    return db, ids, panel, version, click_step(qtbot, panel, "fieldwork_completed")


def choose(box: QComboBox, text: str) -> None:
    index = box.findText(text)
    assert index >= 0, f"{text!r} not among {[box.itemText(i) for i in range(box.count())]}"
    box.setCurrentIndex(index)


def table_texts(table) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def stored(db, case_id: int):
    """The case as the register file holds it (read with a Register of its own)."""
    with Register(db, today=TODAY) as reg:
        return reg.get(case_id)


def count(db, **query) -> int:
    with Register(db, today=TODAY) as reg:
        return reg.count(CaseQuery(**query))


def col(key: str) -> int:
    return [k for k, _ in COLUMNS].index(key)


def cell(model, row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, col(key)), role)


def centre(box) -> QPointF:
    """The middle of a box (x0, y0, x1, y1) of the diagram."""
    return QPointF((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def plain(rich: str) -> str:
    """The words of a rich-text label, tags dropped and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rich)).split())


def assert_png(path: Path, width: int, height: int) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path} is not a PNG"
    image = QImage(str(path))
    assert not image.isNull(), f"{path} cannot be read back"
    assert (image.width(), image.height()) == (width, height), path
    small = image.scaled(48, 48)
    colours = {small.pixel(x, y) for x in range(48) for y in range(48)}
    assert len(colours) > 3, f"{path} is blank"


def output_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("REGFLOW_TEST_OUTPUT") or tmp_path) / "gui"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- new case ------------------------------------------------------------------------------


class FakeFileDialog:
    """Stands in for the file chooser: 'chooses' ``path``."""

    path = ""

    @classmethod
    def getOpenFileName(cls, *_args, **_kwargs):
        return cls.path, ""


def test_new_case_dialog_opens_a_case_shown_in_the_table_and_on_the_case_screen(
        qtbot, settings, any_reg, spec_path, monkeypatch, tmp_path):
    db, _ids = any_reg
    window = window_on(qtbot, settings, db)
    model = window.register_panel.model
    assert model.rowCount() == 3

    menu_action(window, "New case").trigger()
    form = window.case_panel.form
    assert isinstance(form, NewCaseForm) and form.isVisible()
    shipped = [form.spec_box.itemText(i) for i in range(form.spec_box.count())]
    assert any("(ciw_2019)" in t for t in shipped) and any("(swia_handover)" in t for t in shipped)
    # CIW's conflict between 8.4 and 8.5-8.8 is noted in the spec: nothing to warn of
    form.spec_box.setCurrentIndex(next(i for i, t in enumerate(shipped) if "(ciw_2019)" in t))
    assert form._spec_ok and not form.spec_warnings.isVisible()
    # a spec's warnings are shown (it still runs): the same spec with the mark taken away
    unmarked = tmp_path / "ciw_unmarked.toml"
    unmarked.write_text((ROOT / "specs" / "ciw_2019.toml").read_text(encoding="utf-8")
                        .replace("conflict_noted = true", ""), encoding="utf-8")
    monkeypatch.setattr(FakeFileDialog, "path", str(unmarked))
    monkeypatch.setattr(forms, "QFileDialog", FakeFileDialog)
    qtbot.mouseClick(next(b for b in form.findChildren(QPushButton) if b.text() == "Other file…"),
                     LEFT)
    assert form.spec_warnings.isVisible()
    assert ("• timescales do not add up: 8.4 (Report published within 50 working days of the "
            "end of fieldwork; 'we aim to')") in form.spec_warnings.text()
    assert "Thursday 13 May 2027" in form.spec_warnings.toolTip()  # the worked example
    form.spec_box.setCurrentIndex(next(i for i, t in enumerate(shipped) if "(swia_handover)" in t))
    assert not form.spec_warnings.isVisible()
    # rule variants offered by plugins are listed with the specs, and open like them
    variant = form.spec_box.findData("variant:swia_proportionate")
    assert "variant of swia_handover" in form.spec_box.itemText(variant)
    form.spec_box.setCurrentIndex(variant)
    assert form._spec_ok and not form.spec_warnings.isVisible()
    form.spec_box.setCurrentIndex(next(i for i, t in enumerate(shipped) if "(swia_handover)" in t))

    # another spec file, through the "Other file…" button
    monkeypatch.setattr(FakeFileDialog, "path", str(spec_path))
    monkeypatch.setattr(forms, "QFileDialog", FakeFileDialog)
    other = next(b for b in form.findChildren(QPushButton) if b.text() == "Other file…")
    qtbot.mouseClick(other, LEFT)
    assert form.spec_box.currentData() == str(spec_path)
    assert "Nothing else is needed now" in form.facts_note.text()
    assert form.ok.isEnabled()

    # no title: refused in the form, which stays open; nothing written
    qtbot.mouseClick(form.ok, LEFT)
    assert form.isVisible() and form.problem.isVisible()
    assert "needs a title" in form.problem.text()
    assert count(db) == 3

    qtbot.keyClicks(form.title, "Delta District - review 2026")
    form.opened.setDate(QDate(2027, 1, 1))  # the future: said, not silently changed
    assert form.opened.date() == QDate(2027, 1, 1)
    assert "in the future" in form.problem.text() and not form.ok.isEnabled()
    form.opened.setDate(QDate(2026, 9, 1))
    with qtbot.waitSignal(window.case_panel.ready, timeout=WAIT_MS):
        qtbot.mouseClick(form.ok, LEFT)
    assert closed(form)

    view = window.case_panel.view
    assert view.title == "Delta District - review 2026"
    assert view.case.opened_on == D(2026, 9, 1)
    assert view.case.current_states == ["announced"]
    assert window.case_panel.title.text() == f"#{view.id}  Delta District - review 2026"
    assert "step_fieldwork_started" in {b.objectName() for b in window.case_panel.step_buttons.values()}
    assert model.rowCount() == 4 == count(db)
    titles = {model.case_id(r): cell(model, r, "title") for r in range(model.rowCount())}
    assert titles[view.id] == "Delta District - review 2026"
    assert "4 cases" in window.counts_label.text()
    assert stored(db, view.id).title == "Delta District - review 2026"


def new_case_through_the_dialog(window: MainWindow, spec: Path, title: str) -> NewCaseForm:
    window.new_case()
    form = window.case_panel.form
    form.spec_box.addItem(spec.name, str(spec))
    form.spec_box.setCurrentIndex(form.spec_box.count() - 1)
    form.title.setText(title)
    form._submit()
    assert window.case_panel.view.title == title
    return form


def test_the_register_table_selects_the_case_just_opened(qtbot, settings, reg_db, spec_path):
    window = window_on(qtbot, settings, reg_db[0])
    new_case_through_the_dialog(window, spec_path, "Delta District - review 2026")
    table = window.register_panel.table
    assert window.register_panel.model.case_id(table.currentIndex().row()) == window.case_panel.view.id


def test_no_form_is_said_to_be_open_once_the_new_case_dialog_closed(qtbot, settings, reg_db, spec_path):
    window = window_on(qtbot, settings, reg_db[0])
    form = new_case_through_the_dialog(window, spec_path, "Delta District - review 2026")
    assert closed(form)
    assert window.case_panel.form is None


# -- recording a step ----------------------------------------------------------------------


def test_recording_a_step_through_its_form_moves_the_highlight_without_a_new_layout(
        qtbot, settings, tmp_path):
    # a spec of its own, so that its first layout happens in this test
    spec = tmp_path / "layout_review.toml"
    spec.write_text(gui_spec_text("A review laid out once"))
    db = tmp_path / "register.db"
    ids = fill_register(db, spec)
    runs_before = diagram_svg.layout_runs
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["alpha"])
    assert diagram_svg.layout_runs == runs_before + 1  # the spec's one layout
    runs = diagram_svg.layout_runs
    diagram = panel.diagram
    document, svg = diagram.document, diagram.svg
    assert diagram.highlight.active == {"fieldwork"}
    timescales_before = table_texts(panel.timescale_table)
    assert not any("Draft report shared" in row for row in timescales_before)
    version = stored(db, ids["alpha"]).version

    form = click_step(qtbot, panel, "fieldwork_completed")
    concern, agreed, ended = (form.inputs[n].widget for n in
                              ("concern", "findings_agreed", "fieldwork_ended"))
    assert isinstance(concern, QComboBox) and isinstance(ended, QDateEdit)
    assert [concern.itemText(i) for i in range(concern.count())] == ["(choose)", "none", "serious", "significant"]
    assert isinstance(agreed, QComboBox)
    assert [agreed.itemText(i) for i in range(agreed.count())] == [NOT_GIVEN, "Yes", "No"]
    choose(concern, "significant")
    choose(agreed, "Yes")
    ended.setDate(QDate(2026, 10, 30))
    form.on.setDate(QDate(2026, 11, 2))
    form.actor.clear()
    qtbot.keyClicks(form.actor, "Lead inspector")
    qtbot.keyClicks(form.note, "Poor outcomes found")
    assert not form.problem.isVisible()
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        qtbot.mouseClick(form.ok, LEFT)
    assert closed(form) and panel.form is None
    flush()

    assert panel.view.case.current_states == ["drafting"]
    assert diagram.highlight.active == {"drafting"}
    assert "fieldwork" in diagram.highlight.travelled
    assert diagram.svg != svg
    assert diagram.document is document  # the same laid-out diagram, re-coloured
    assert diagram_svg.layout_runs == runs  # no Graphviz run for a step
    new_rows = [r for r in table_texts(panel.timescale_table) if r not in timescales_before]
    assert len(new_rows) == 1
    status, label, _rule, binding, started, due, left = new_rows[0][:7]
    assert (label, binding, started, due, left) == ("Draft report shared", "Limit", "2026-11-02",
                                                     "2026-12-07", "14 days left")
    assert status == "◷ Due soon"
    assert set(panel.step_buttons) == {"report_published"}

    view = stored(db, ids["alpha"])
    assert view.version == version + 1
    entry = view.entries[-1]
    assert (entry.event, entry.effective_on, entry.actor, entry.note) == (
        "fieldwork_completed", D(2026, 11, 2), "Lead inspector", "Poor outcomes found")
    assert entry.facts == {"concern": "significant", "findings_agreed": True,
                           "fieldwork_ended": D(2026, 10, 30)}
    # the register table says where the case is now, and still has it selected
    model, table = window.register_panel.model, window.register_panel.table
    row = table.currentIndex().row()
    assert model.case_id(row) == ids["alpha"]
    assert cell(model, row, "stage") == "Drafting the report"
    assert cell(model, row, "next_due") == "2026-12-07"


def test_a_refused_step_says_why_in_the_form_which_stays_open(qtbot, settings, any_reg):
    db, ids, panel, version, form = fieldwork_form(qtbot, settings, any_reg)
    choose(form.inputs["concern"].widget, "serious")

    # a guard that the answers fail: warned while typing, refused on submit
    choose(form.inputs["findings_agreed"].widget, "No")
    assert form.problem.isVisible()
    assert "would be refused" in form.problem.text() and "Findings agreed with the council (2)" in form.problem.text()
    qtbot.mouseClick(form.ok, LEFT)
    assert form.isVisible() and panel.form is form
    assert "refused" in form.problem.text() and "needs findings_agreed (2)" in form.problem.text()
    assert stored(db, ids["alpha"]).version == version
    assert panel.view.case.current_states == ["fieldwork"]
    assert form.inputs["concern"].value() == "serious"  # nothing typed is lost

    # a date before the case opened cannot even be entered
    form.on.setDate(QDate(2026, 1, 15))  # before the case opened: said, not silently changed
    assert form.on.date() == QDate(2026, 1, 15)
    assert "between the day the case opened" in form.problem.text() and not form.ok.isEnabled()
    # a date before the last step: the history would be impossible
    choose(form.inputs["findings_agreed"].widget, "Yes")
    form.on.setDate(QDate(2026, 3, 10))
    assert not form.problem.isVisible()
    qtbot.mouseClick(form.ok, LEFT)
    assert form.isVisible() and form.problem.isVisible()
    assert "impossible history" in form.problem.text() and "2026-03-10" in form.problem.text()
    assert stored(db, ids["alpha"]).version == version

    # corrected, the same form records it
    form.on.setDate(QDate(2026, 4, 30))
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        qtbot.mouseClick(form.ok, LEFT)
    assert closed(form)
    view = stored(db, ids["alpha"])
    assert view.version == version + 1 and view.case.current_states == ["drafting"]
    assert view.entries[-1].facts["concern"] == "serious"


def test_a_required_yes_no_question_starts_unanswered(qtbot, settings, tmp_path):
    spec = tmp_path / "required.toml"
    spec.write_text(gui_spec_text().replace('requires = ["concern", "fieldwork_ended"]',
                                            'requires = ["concern", "fieldwork_ended", "findings_agreed"]'))
    db = tmp_path / "register.db"
    ids = fill_register(db, spec)
    window = window_on(qtbot, settings, db)
    form = click_step(qtbot, show_case(qtbot, window, ids["alpha"]), "fieldwork_completed")
    assert form.inputs["findings_agreed"].required
    assert form.inputs["findings_agreed"].value() is None
    assert not form.ok.isEnabled() and "Still needed" in form.problem.text()


def test_blocked_steps_are_shown_with_their_guard_and_source(qtbot, settings, any_reg):
    db, ids = any_reg
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["bravo"])
    assert set(panel.step_buttons) == {"progress_report", "closing_meeting"}
    label = panel.findChild(QLabel, "blocked_notice_given")
    assert label is not None and label.isVisible()
    text = plain(label.text())
    assert "Notice given" in text
    assert "only when Level of concern is significant" in text and "(4)" in text  # in words
    tip = label.toolTip()
    assert "only when Level of concern is significant (4): from 'No notice' to 'Notice given'" in tip
    assert "Where concerns are significant a notice is given" in tip  # the paragraph itself
    assert "Not possible now" in "".join(plain(w.text()) for w in panel.findChildren(QLabel))
    # it cannot be recorded: no button, no form, not clickable on the diagram
    assert panel.findChild(QPushButton, "step_notice_given") is None
    assert panel.open_event_form("notice_given") is None and panel.form is None
    doc = panel.diagram.document
    notice_edges = [e for e, events in doc.edge_events.items() if "notice_given" in events]
    assert notice_edges
    for edge in notice_edges:
        assert panel.diagram.events_at(panel.diagram._labels[edge].center()) == []
    assert panel.diagram.events_at(centre(doc.state_box("notice_given"))) == []
    # the quarterly report missed in June can no longer be met: history, not an overdue task
    table = panel.timescale_table
    statuses = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert "✗ Breached (limit)" in statuses and "⚠ Overdue (limit)" not in statuses
    assert not plain(panel.banner.text()).startswith("⚠")


# -- the diagram ---------------------------------------------------------------------------


def test_clicking_the_diagram_opens_the_form_of_the_step(qtbot, settings, reg_db):
    db, ids = reg_db
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["alpha"])
    diagram = panel.diagram
    doc = diagram.document

    # the label of the arrow that can be taken now, clicked with the mouse
    (edge,) = doc.actionable_edges(diagram.highlight, diagram.actionable)
    assert doc.edge_events[edge] == ("fieldwork_completed",)
    point = diagram._labels[edge].center()
    assert diagram.events_at(point) == ["fieldwork_completed"]
    diagram.centerOn(point)
    qtbot.mouseClick(diagram.viewport(), LEFT, pos=diagram.mapFromScene(point))
    form = panel.form
    assert isinstance(form, EventForm) and form.action.event == "fieldwork_completed"
    assert form.isVisible()
    form.reject()
    assert panel.form is None

    # the state that step leads to
    drafting = centre(doc.state_box("drafting"))
    assert diagram.events_at(drafting) == ["fieldwork_completed"]
    diagram.click(drafting)
    assert isinstance(panel.form, EventForm) and panel.form.action.event == "fieldwork_completed"
    panel.form.reject()

    # the state the case is in, and an arrow that cannot be taken now: no form, the source
    here = centre(doc.state_box("fieldwork"))
    assert diagram.events_at(here) == []
    with qtbot.waitSignal(diagram.stateClicked, timeout=1000) as clicked:
        diagram.click(here)
    assert clicked.args == ["fieldwork"]
    assert panel.form is None
    assert "Fieldwork" in panel.source.toPlainText() and "Source: 2" in panel.source.toPlainText()
    later = [e for e, events in doc.edge_events.items() if "report_published" in events]
    assert later and diagram.events_at(diagram._labels[later[0]].center()) == []


def test_ctrl_1_records_the_first_possible_step(qtbot, settings, any_reg):
    db, ids = any_reg
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["bravo"])
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(panel.form, EventForm) and panel.form.action.event == "progress_report"
    panel.form.reject()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert panel.form.action.event == "closing_meeting"
    panel.form.reject()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # there is no 3rd
    assert panel.form is None


# -- corrections ---------------------------------------------------------------------------


def test_correcting_an_entry_from_the_history_tab(qtbot, settings, any_reg):
    db, ids = any_reg
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["charlie"])
    assert panel.view.case.current_states == ["drafting"]
    panel.tabs.setCurrentIndex(1)
    assert panel.tabs.tabText(1) == "History"
    history = panel.history_table
    rows = table_texts(history)
    assert [r[0] for r in rows] == ["#1", "#2"] and rows[1][4] == "Fieldwork completed"
    assert not panel.correct_button.isEnabled()
    svg = panel.diagram.svg
    version = stored(db, ids["charlie"]).version

    # voiding the start of fieldwork would leave fieldwork completed without it: refused
    history.selectRow(0)
    form = panel.open_correct_form()
    assert isinstance(form, CorrectForm) and form.seq == 1
    qtbot.keyClicks(form.reason, "wrong date")
    qtbot.mouseClick(form.ok, LEFT)
    assert form.isVisible() and "impossible history" in form.problem.text()
    assert stored(db, ids["charlie"]).version == version and len(table_texts(history)) == 2
    form.reject()

    history.selectRow(1)
    assert panel.correct_button.isEnabled()
    qtbot.mouseClick(panel.correct_button, LEFT)
    form = panel.form
    assert isinstance(form, CorrectForm) and form.isVisible() and form.seq == 2
    assert not form.ok.isEnabled()  # a reason is needed
    qtbot.keyClicks(form.reason, "recorded on the wrong case")
    assert form.ok.isEnabled()
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        qtbot.mouseClick(form.ok, LEFT)
    assert closed(form)

    rows = table_texts(history)
    assert [r[0] for r in rows] == ["#1", "#2", "#3"]
    assert rows[1][4] == "Fieldwork completed  (voided by #3)"
    assert rows[2][4] == "Correction: voids #2" and rows[2][6] == "recorded on the wrong case"
    for c in range(history.columnCount()):
        assert history.item(1, c).font().strikeOut(), f"column {c} of the voided entry"
        assert not history.item(0, c).font().strikeOut()
        assert not history.item(2, c).font().strikeOut()
    assert panel.view.case.current_states == ["fieldwork"]
    assert panel.diagram.highlight.active == {"fieldwork"} and panel.diagram.svg != svg
    assert set(panel.step_buttons) == {"fieldwork_completed"}
    history.selectRow(1)  # voided already
    assert not panel.correct_button.isEnabled()
    history.selectRow(2)  # a correction
    assert not panel.correct_button.isEnabled()

    view = stored(db, ids["charlie"])
    assert view.case.current_states == ["fieldwork"] and view.voided == {2}
    assert [e.kind for e in view.entries] == ["event", "event", "correction"]


def test_extending_a_timescale_from_the_timescales_tab(qtbot, settings, any_reg):
    db, ids = any_reg
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["charlie"])
    table = panel.timescale_table
    row = next(r for r, cells in enumerate(table_texts(table)) if cells[1] == "Draft report shared")
    assert table.item(row, 5).text() == "2026-12-07" and table.item(row, 8).text() == "can be extended"
    assert not panel.extend_button.isEnabled()
    table.selectRow(row)
    assert panel.extend_button.isEnabled()
    assert "Source: 3" in panel.source.toPlainText()  # the paragraph of the selected timescale
    qtbot.mouseClick(panel.extend_button, LEFT)
    form = panel.form
    assert form is not None and form.isVisible() and not form.ok.isEnabled()
    form.to.setDate(QDate(2026, 12, 1))  # not later than the due date: said in the form
    assert "must be after 2026-12-07" in form.problem.text() and not form.ok.isEnabled()
    form.to.setDate(QDate(2026, 12, 21))
    qtbot.keyClicks(form.reason, "council asked for more time")
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        qtbot.mouseClick(form.ok, LEFT)
    assert closed(form)
    cells = next(c for c in table_texts(panel.timescale_table) if c[1] == "Draft report shared")
    assert cells[5] == "2026-12-21"
    assert cells[8] == "to 2026-12-21: council asked for more time"
    assert table_texts(panel.history_table)[-1][4] == "Extended: Draft report shared to 2026-12-21"
    assert stored(db, ids["charlie"]).entries[-1].kind == "extension"


def test_a_change_made_meanwhile_elsewhere_is_refused_then_read_again(qtbot, settings, any_reg,
                                                                        tmp_path):
    db, ids = any_reg
    here = window_on(qtbot, settings, db)
    there = window_on(qtbot, QSettings(str(tmp_path / "there.ini"), QSettings.Format.IniFormat), db)
    mine, theirs = show_case(qtbot, here, ids["alpha"]), show_case(qtbot, there, ids["alpha"])
    form = click_step(qtbot, theirs, "fieldwork_completed")
    choose(form.inputs["concern"].widget, "none")
    choose(form.inputs["findings_agreed"].widget, "Yes")
    form._submit()
    assert closed(form) and stored(db, ids["alpha"]).version == 2

    form = click_step(qtbot, mine, "fieldwork_completed")  # from the version read before
    choose(form.inputs["concern"].widget, "none")
    choose(form.inputs["findings_agreed"].widget, "Yes")
    form._submit()
    # refused, nothing written; the case is read again and the form closed (what it showed
    # was old), and a dialog says so
    assert closed(form)
    assert "changed while you were working on it" in here.last_error.text()
    assert stored(db, ids["alpha"]).version == 2
    assert mine.view.version == 2

    with qtbot.waitSignal(here.ready, timeout=WAIT_MS):
        menu_action(here, "Read the register again").trigger()  # F5
    idle(qtbot)
    assert here.case_panel.view.id == ids["alpha"]  # still on the same case
    assert here.case_panel.view.case.current_states == ["drafting"]
    assert len(table_texts(here.case_panel.history_table)) == 2


def test_opening_a_register_catches_up_time_driven_steps(qtbot, settings, register_url, spec_path):
    db = register_url  # a new SQLite file, then a new PostgreSQL database
    with Register(db, today=D(2026, 6, 1)) as reg:  # last used in June
        cid = reg.new_case(spec_path, "Golf Council - review 2026", D(2026, 1, 5)).id
        reg.fire(cid, "fieldwork_started", D(2026, 2, 2))
        reg.fire(cid, "fieldwork_completed", D(2026, 3, 2), {**AGREED, "concern": "significant"})
        reg.fire(cid, "report_published", D(2026, 3, 20))
        reg.fire(cid, "notice_given", D(2026, 4, 1))  # reviewed after 90 days: 2026-06-30
    window = window_on(qtbot, settings, db)
    assert "1 time-driven step caught up" in window.statusBar().currentMessage()
    panel = window.case_panel
    assert panel.view.id == cid
    assert "notice_review_due" in panel.view.case.current_states
    assert "notice_review_due" in panel.diagram.highlight.active
    auto = table_texts(panel.history_table)[-1]
    assert auto[1:5] == ["2026-06-30", "", "regflow (when due)", "Notice review falls due"]
    assert "Notice review due" in plain(panel.where.text())
    assert "notice_reviewed" in panel.step_buttons


def test_history_shows_when_an_entry_was_recorded_in_local_time(qtbot, settings, any_reg):
    db, ids = any_reg
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"  # UTC+9 all year: the clock time and even the day differ
    time.tzset()
    try:
        window = window_on(qtbot, settings, db)
        panel = show_case(qtbot, window, ids["alpha"])
        form = click_step(qtbot, panel, "fieldwork_completed")
        choose(form.inputs["concern"].widget, "none")
        choose(form.inputs["findings_agreed"].widget, "Yes")
        form._submit()
        now = datetime.now()
        recorded = table_texts(panel.history_table)[-1][2]
        heading = panel.history_table.horizontalHeaderItem(2).text()
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()
    local = {(now - timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M") for m in (0, 1)}
    assert recorded in local or "UTC" in recorded or "UTC" in heading


def test_the_case_shown_stays_selected_when_the_table_is_sorted(qtbot, settings, any_reg):
    db, ids = any_reg
    window = window_on(qtbot, settings, db)
    show_case(qtbot, window, ids["charlie"])
    panel = window.register_panel
    panel.model.sort(col("title"), Qt.SortOrder.DescendingOrder)
    assert window.case_panel.view.id == ids["charlie"]
    assert panel.model.case_id(panel.table.currentIndex().row()) == ids["charlie"]


def test_history_lists_steps_in_the_order_they_happened(qtbot, settings, register_url, spec_path):
    db = register_url  # a new SQLite file, then a new PostgreSQL database
    with Register(db, today=TODAY) as reg:
        cid = reg.new_case(spec_path, "Echo County - review 2026", D(2026, 1, 5)).id
        reg.fire(cid, "fieldwork_started", D(2026, 2, 2))
        reg.fire(cid, "fieldwork_completed", D(2026, 3, 2), {**AGREED, "concern": "significant"})
        reg.fire(cid, "report_published", D(2026, 3, 20))
        reg.fire(cid, "notice_given", D(2026, 4, 1))  # reviewed after 90 days: 2026-06-30
        reg.fire(cid, "progress_report", D(2026, 7, 10))
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, cid)
    rows = table_texts(panel.history_table)
    assert "Notice review falls due" in [r[4] for r in rows]
    happened = [r[1] for r in rows]
    assert happened == sorted(happened)


# -- reopening -----------------------------------------------------------------------------


def test_reopening_the_register_shows_the_same_case_and_history(qtbot, settings, any_reg):
    db, ids = any_reg
    first = window_on(qtbot, settings, db)
    panel = show_case(qtbot, first, ids["alpha"])
    form = click_step(qtbot, panel, "fieldwork_completed")
    choose(form.inputs["concern"].widget, "none")
    choose(form.inputs["findings_agreed"].widget, "Yes")
    form.on.setDate(QDate(2026, 11, 2))
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        form._submit()
    seen = {"where": panel.where.text(), "history": table_texts(panel.history_table),
            "timescales": table_texts(panel.timescale_table), "facts": table_texts(panel.facts_table),
            "active": panel.diagram.highlight.active, "svg": panel.diagram.svg,
            "steps": set(panel.step_buttons)}
    assert len(seen["history"]) == 2
    first.close()

    second = window_on(qtbot, QSettings(str(settings.fileName()), QSettings.Format.IniFormat), db)
    assert second is not first
    panel = show_case(qtbot, second, ids["alpha"])
    assert {"where": panel.where.text(), "history": table_texts(panel.history_table),
            "timescales": table_texts(panel.timescale_table), "facts": table_texts(panel.facts_table),
            "active": panel.diagram.highlight.active, "svg": panel.diagram.svg,
            "steps": set(panel.step_buttons)} == seen
    assert panel.view.case.current_states == ["drafting"]


# -- the register table --------------------------------------------------------------------


def test_the_register_table_reads_only_the_pages_it_shows(qtbot, settings, big_db):
    window = window_on(qtbot, settings, big_db)
    panel = window.register_panel
    model, table = panel.model, panel.table
    with Register(big_db, today=TODAY) as reg:
        assert model.rowCount() == reg.count(CaseQuery()) == BIG
        first_page = [r["id"] for r in reg.page(CaseQuery(), limit=PAGE)]
    assert model.pages_read <= 2, "opening reads the first page only"
    assert [model.case_id(r) for r in range(PAGE)] == first_page
    assert model.case_id(table.currentIndex().row()) == first_page[0] == window.case_panel.view.id
    assert panel.count_label.text() == f"{BIG} cases — sorted by next deadline"
    assert f"{BIG} cases" in window.counts_label.text()
    before = model.pages_read
    table.scrollToBottom()
    qtbot.wait(50)
    assert model.pages_read - before <= 2, "the bottom of the table reads the last page"
    assert cell(model, BIG - 1, "title") is not None
    # overdue cases say so in words, not only by colour
    overdue = [r for r in range(PAGE) if cell(model, r, "status") == "⚠ Overdue"]
    assert overdue and overdue[0] == 0
    assert cell(model, 0, "days_left").endswith("overdue")
    assert cell(model, 0, "status", Qt.ItemDataRole.FontRole).bold()


def test_sorting_by_clicking_a_header(qtbot, settings, big_db):
    window = window_on(qtbot, settings, big_db)
    panel = window.register_panel
    model, table = panel.model, panel.table
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(col("title")) + header.sectionSize(col("title")) // 2
    before = model.pages_read
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, header.height() // 2))
    assert model.query.sort == "title"
    with Register(big_db, today=TODAY) as reg:
        ascending = [r["title"] for r in reg.page(CaseQuery(sort=model.query.sort,
                                                            descending=model.query.descending))]
        assert [cell(model, r, "title") for r in range(PAGE)] == ascending
        assert ascending == sorted(ascending) or ascending == sorted(ascending, reverse=True)
        qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, header.height() // 2))
        assert model.query.sort == "title"
        titles = [cell(model, r, "title") for r in range(PAGE)]
        assert titles == [r["title"] for r in reg.page(CaseQuery(sort="title",
                                                                 descending=model.query.descending))]
        assert titles[0] != ascending[0]
        assert "sorted by case" in panel.count_label.text()
        model.sort(col("id"), Qt.SortOrder.DescendingOrder)
        assert [model.case_id(r) for r in range(3)] == [BIG, BIG - 1, BIG - 2]
        model.sort(col("status"), Qt.SortOrder.AscendingOrder)  # status sorts by the deadline
        assert model.query.sort == "next_due"
        assert [model.case_id(r) for r in range(PAGE)] == [r["id"] for r in reg.page(CaseQuery())]
    assert model.rowCount() == BIG
    assert model.pages_read - before <= 5, "each order reads its first page once"


def test_filtering_and_searching_the_register(qtbot, settings, big_db):
    window = window_on(qtbot, settings, big_db)
    panel = window.register_panel
    model = panel.model
    overdue = count(big_db, attention="overdue")
    assert 0 < overdue < BIG

    panel.show_box.setCurrentIndex(panel.show_box.findData("overdue"))
    assert model.rowCount() == overdue
    statuses = {cell(model, r, "status") for r in range(model.rowCount())}
    assert statuses == {"⚠ Overdue"}
    assert all(cell(model, r, "days_left").endswith("overdue") for r in range(0, overdue, 37))
    assert panel.count_label.text().startswith(f"{overdue} cases match")

    # past a date but no limit passed: the closing meetings 'about a year' on (a target)
    panel.show_box.setCurrentIndex(panel.show_box.findData("behind"))
    behind = count(big_db, attention="behind")
    assert model.rowCount() == behind > 0
    assert {cell(model, r, "status") for r in range(behind)} == {"◔ Behind target"}

    panel.show_box.setCurrentIndex(panel.show_box.findData("needs attention"))
    attention = count(big_db, attention="needs attention")
    qtbot.keyClicks(panel.search, "harbour")
    expected = count(big_db, attention="needs attention", search="harbour")
    qtbot.waitUntil(lambda: model.rowCount() == expected, timeout=5000)  # after the typing pause
    assert 0 < expected < attention
    assert all(cell(model, r, "title").startswith("Harbour") for r in range(expected))

    panel.show_box.setCurrentIndex(panel.show_box.findData(""))
    assert model.rowCount() == count(big_db, search="harbour") == len(range(0, BIG, 50))
    panel.search.clear()
    qtbot.waitUntil(lambda: model.rowCount() == BIG, timeout=5000)
    qtbot.keyClicks(panel.search, "#17")
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    assert model.case_id(0) == 17
    # the keyboard shortcuts of the View menu
    menu_action(window, "Overdue cases only").trigger()
    assert panel.show_box.currentData() == "overdue"
    menu_action(window, "All cases").trigger()
    assert panel.show_box.currentData() == ""
    assert model.pages_read < 30


# -- settings ------------------------------------------------------------------------------


def test_layout_and_recent_registers_are_remembered(qtbot, settings, settings_file, tmp_path,
                                                     reg_db, spec_path):
    db, _ids = reg_db
    other = tmp_path / "other.db"
    with Register(other, today=TODAY) as reg:
        reg.new_case(spec_path, "Foxtrot Council - review 2026", D(2026, 6, 1))
    first = window_on(qtbot, settings, db)
    open_register(qtbot, first, other)
    first.split.setSizes([420, 1180])
    first.case_panel.vsplit.setSizes([250, 350])
    first.case_panel.actor = "Ann Inspector"
    qtbot.wait(20)
    size, sizes, vsizes = first.size(), first.split.sizes(), first.case_panel.vsplit.sizes()
    assert sizes[0] < 480  # narrower than by default
    states = {"split": first.split.saveState(), "case_v": first.case_panel.vsplit.saveState(),
              "geometry": first.saveGeometry()}
    first.close()

    saved = QSettings(str(settings_file), QSettings.Format.IniFormat)
    urls = [f"sqlite:///{other.resolve()}", f"sqlite:///{db.resolve()}"]
    assert saved.value("recent", [], list) == urls
    assert saved.value("last_register") == urls[0]
    assert saved.value("actor") == "Ann Inspector"
    for key, state in states.items():
        assert saved.value(key) == state, key
    for key in ("state", "case_h", "case_b"):
        assert saved.value(key), key

    second = MainWindow(QSettings(str(settings_file), QSettings.Format.IniFormat), today=TODAY)
    qtbot.addWidget(second)
    # Qt's offscreen screen is 800 x 800: restoring the geometry squeezes the window to fit it
    # (as on a real screen smaller than the window); given its size back, the layout is the same
    second.resize(size)
    second.show()
    qtbot.waitExposed(second)
    open_register(qtbot, second, other)
    assert second.split.sizes() == sizes
    assert second.case_panel.vsplit.sizes() == vsizes
    assert second.case_panel.actor == "Ann Inspector"
    recent = second.recent_menu.actions()
    assert second.recent_menu.isEnabled()
    assert [a.text() for a in recent] == [str(other.resolve()), str(db.resolve())]
    with qtbot.waitSignal(second.ready, timeout=WAIT_MS):
        recent[1].trigger()  # File ▸ Open recent ▸ the first register
    idle(qtbot)
    assert second.url == urls[1] and second.register_panel.model.rowCount() == 3
    assert [a.text() for a in second.recent_menu.actions()] == [str(db.resolve()), str(other.resolve())]


def test_the_main_window_fits_a_small_laptop_screen(qtbot, settings, reg_db):
    """1366 x 768 is a common laptop screen (the window was once at least 1445 px wide)."""
    window = window_on(qtbot, settings, reg_db[0])
    assert window.minimumSizeHint().width() <= 1366
    assert window.minimumSizeHint().height() <= 768


# -- errors --------------------------------------------------------------------------------


def test_opening_a_file_that_is_not_a_register_shows_an_error(qtbot, settings, reg_db, tmp_path):
    db, _ids = reg_db
    window = window_on(qtbot, settings, db)
    shown = window.case_panel.view.id
    text = tmp_path / "notes.txt"
    text.write_text("not a register\n")
    open_register(qtbot, window, text)
    box = window.last_error
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.windowTitle() == "Cannot open the register"
    assert "notes.txt is not a regflow register" in box.text() and "nothing was written" in box.text()
    assert "File ▸ Open register" in box.informativeText()
    assert text.read_text() == "not a register\n"
    # the register that was open stays open, on the same case
    assert window.url == f"sqlite:///{db.resolve()}" and window.case_panel.view.id == shown
    assert window.register.count(CaseQuery()) == 3
    box.accept()

    # a folder that does not exist, a folder, a case that is gone: a dialog each time
    for target, words in ((tmp_path / "missing" / "r.db", "no register at"),
                          (tmp_path, "is a folder")):
        window.last_error = None
        open_register(qtbot, window, target)
        assert window.last_error is not None and words in window.last_error.text()
        window.last_error.accept()
    window.last_error = None
    window.show_case(999)
    assert "no case 999" in window.last_error.text()
    assert window.case_panel.view.id == shown


def test_the_new_case_dialog_without_a_register_with_a_broken_spec_and_a_shipped_one(qtbot, settings, tmp_path, monkeypatch):
    window = new_window(qtbot, settings)
    window.new_case()  # no register open yet
    assert window.last_error is not None and window.last_error.windowTitle() == "No register open"
    window.last_error.accept()

    with qtbot.waitSignal(window.ready, timeout=WAIT_MS):
        window.open_register(tmp_path / "empty.db", create=True)  # File ▸ New empty register
    assert window.register.count(CaseQuery()) == 0
    assert "no cases yet" in window.case_panel.empty.text()
    window.new_case()
    form = window.case_panel.form
    broken = tmp_path / "broken.toml"
    broken.write_text("[process]\nid = 'x'\n")
    monkeypatch.setattr(FakeFileDialog, "path", str(broken))
    monkeypatch.setattr(forms, "QFileDialog", FakeFileDialog)
    qtbot.mouseClick(next(b for b in form.findChildren(QPushButton) if b.text() == "Other file…"), LEFT)
    assert form.problem.isVisible() and "broken.toml" in form.problem.text()
    assert not form.ok.isEnabled()
    form.spec_box.setCurrentIndex(0)  # back to a shipped spec: fine again
    assert not form.problem.isVisible() and form.ok.isEnabled()
    assert "(ciw_2019)" in form.spec_box.currentText()
    assert form.inputs, "the CIW code asks for facts known when a case opens"
    qtbot.keyClicks(form.title, "Example County Council - adult services 2026")
    with qtbot.waitSignal(window.case_panel.ready, timeout=WAIT_MS):
        qtbot.mouseClick(form.ok, LEFT)
    assert closed(form)
    view = window.case_panel.view
    assert view.spec.process.id == "ciw_2019" and view.case.opened_on == TODAY
    assert window.register.count(CaseQuery()) == 1
    assert window.register_panel.model.rowCount() == 1
    assert window.case_panel.step_buttons


# -- pictures ------------------------------------------------------------------------------


def test_each_view_renders_to_png(qtbot, settings, tmp_path):
    """The first-run path (a new register filled with the demo cases) and a picture of each
    view; every demo case (both shipped specs) is shown with its diagram."""
    folder = output_dir(tmp_path)
    window = new_window(qtbot, settings)
    window.resize(1600, 1000)
    open_register(qtbot, window, tmp_path / "demo.db", demo_if_new=True, timeout=60_000)
    assert window.last_error is None
    model = window.register_panel.model
    assert model.rowCount() == 5
    panel = window.case_panel
    for row in range(5):
        case_id = model.case_id(row)
        show_case(qtbot, window, case_id)
        assert panel.diagram.svg and panel.step_buttons and window.last_error is None
    case_id = next(model.case_id(r) for r in range(5) if "Example County" in cell(model, r, "title"))
    show_case(qtbot, window, case_id)
    qtbot.wait(50)

    shots = {}

    def shoot(name: str, widget) -> None:
        qtbot.waitExposed(widget)
        QCoreApplication.processEvents()
        path = folder / f"{name}.png"
        assert widget.grab().save(str(path), "PNG")
        ratio = widget.devicePixelRatioF()
        shots[path] = (round(widget.width() * ratio), round(widget.height() * ratio))

    shoot("main_window", window)
    # a timescale's source panel says how binding it is and how regflow reads the source
    table = panel.timescale_table
    row = next(r for r in range(table.rowCount())
               if table.item(r, 0).data(Qt.ItemDataRole.UserRole).note)
    table.selectRow(row)
    shown = table.item(row, 0).data(Qt.ItemDataRole.UserRole)
    source = panel.source.toPlainText()
    assert "How binding:" in source and f"“{shown.wording}”" in source
    assert f"How regflow reads it: {shown.note[:40]}" in " ".join(source.split())
    assert table.item(row, 3).text().startswith(("Limit", "Normally", "Target", "Where possible"))
    shoot("timescale_reading", window)
    form = panel.open_event_form(next(iter(panel.step_buttons)))
    shoot("event_form", form)
    form.reject()
    panel.tabs.setCurrentIndex(1)
    shoot("history_tab", window)
    panel.tabs.setCurrentIndex(0)
    shoot("timescales_tab", window)
    window.new_case()
    shoot("new_case_dialog", panel.form)
    panel.form.reject()
    for path, (width, height) in shots.items():
        assert_png(path, width, height)
    assert shots[folder / "main_window.png"] == (1600, 1000)


# -- regflow gui --screenshot --------------------------------------------------------------


def gui(tmp_path: Path, *args) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONWARNINGS": "ignore",
           "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_CACHE_HOME": str(home / ".cache"), "XDG_DATA_HOME": str(home / ".local/share"),
           "TMPDIR": str(home)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", "gui", *map(str, args),
                           "--today", TODAY.isoformat()],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def screenshot_run(tmp_path_factory, template):
    """``regflow gui --screenshot`` run once on a copy of the three-case register."""
    folder = tmp_path_factory.mktemp("screenshot")
    db = folder / "register.db"
    shutil.copy(template[0], db)
    out = output_dir(folder) / "regflow_gui_screenshot.png"
    out.unlink(missing_ok=True)
    proc = gui(folder, "--db", db, "--screenshot", out, "--case", template[1]["bravo"])
    return proc, out, folder / "home"


def test_screenshot_command_writes_a_png(screenshot_run):
    proc, out, home = screenshot_run
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stdout
    assert_png(out, 1600, 1000)
    # its settings went to a file of its own: nothing in the user's configuration folder
    assert not (home / ".config" / "regflow").exists()


def test_screenshot_command_leaves_no_temporary_folder(screenshot_run):
    proc, _out, home = screenshot_run  # home is also the TMPDIR of that run
    assert proc.returncode == 0
    assert not list(home.glob("regflow-*"))


def test_screenshot_command_refuses_bad_inputs(tmp_path, reg_db):
    db, _ids = reg_db
    proc = gui(tmp_path, "--db", db, "--screenshot", tmp_path / "out.txt")
    assert proc.returncode == 1
    assert "regflow: --screenshot writes a PNG picture: name it e.g. out.png" in proc.stderr
    assert not (tmp_path / "out.txt").exists()

    text = tmp_path / "notes.txt"
    text.write_text("not a register\n")
    proc = gui(tmp_path, "--db", text, "--screenshot", tmp_path / "out.png")
    assert proc.returncode == 1
    assert "notes.txt is not a regflow register" in proc.stderr
    assert text.read_text() == "not a register\n"
    assert not (tmp_path / "out.png").exists()

    proc = gui(tmp_path, "--db", db, "--screenshot", tmp_path / "out.png", "--case", 99)
    assert proc.returncode == 1
    assert "no case 99" in proc.stderr
    assert not (tmp_path / "out.png").exists()

    proc = gui(tmp_path, "--db", db, "--screenshot", tmp_path / "nowhere" / "out.png")
    assert proc.returncode == 1 and "does not exist" in proc.stderr



def test_enter_in_a_form_records_the_step_and_never_cancels_it(qtbot, settings, any_reg):
    db, ids, panel, version, form = fieldwork_form(qtbot, settings, any_reg)
    choose(form.inputs["concern"].widget, "none")
    choose(form.inputs["findings_agreed"].widget, "Yes")
    form.actor.setFocus()  # a field has the focus, as when someone has just typed their name
    assert form.ok.isDefault() and not form.buttons.button(
        QDialogButtonBox.StandardButton.Cancel).isDefault()
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        qtbot.keyClick(form.actor, Qt.Key.Key_Return)
    assert stored(db, ids["alpha"]).version == version + 1


# -- export and plugins ----------------------------------------------------------------------


def export_actions(window: MainWindow) -> dict[str, object]:
    window.export_menu.aboutToShow.emit()
    return {a.objectName(): a for a in window.export_menu.actions() if a.objectName()}


def test_the_export_menu_lists_the_installed_exporters_for_what_is_selected(qtbot, settings, reg_db):
    from regflow.plugins.exporters import exporters

    db, ids = reg_db
    window = window_on(qtbot, settings, db)
    window.case_panel.view = None
    actions = export_actions(window)
    expected = {f"export-{s}-{n}" for s in ("spec", "case", "register") for n in exporters(s)}
    assert set(actions) == expected
    assert {"export-spec-scxml", "export-case-html", "export-case-ics", "export-register-csv"} <= set(actions)
    assert not actions["export-case-html"].isEnabled() and actions["export-register-csv"].isEnabled()
    show_case(qtbot, window, ids["bravo"])
    actions = export_actions(window)
    assert all(a.isEnabled() for a in actions.values())
    sections = [a.text() for a in window.export_menu.actions() if a.isSeparator()]
    assert sections == ["The process of this case", "This case", "The whole register"]


def test_exporting_from_the_menu_writes_through_the_engine(qtbot, settings, any_reg, tmp_path, monkeypatch):
    import csv as csv_module

    db, ids = any_reg
    window = window_on(qtbot, settings, db)
    show_case(qtbot, window, ids["bravo"])
    asked = []
    targets = iter([tmp_path / "bravo.html", tmp_path / "register.csv", tmp_path / "review.scxml"])

    def ask(start, exporter):
        asked.append((Path(start).name, exporter.name))
        return str(next(targets))

    monkeypatch.setattr(window, "ask_export_path", ask)
    actions = export_actions(window)
    actions["export-case-html"].trigger()
    actions["export-register-csv"].trigger()
    actions["export-spec-scxml"].trigger()
    assert asked == [(f"case-{ids['bravo']}.html", "html"), ("register.csv", "csv"),
                     ("review.scxml", "scxml")]  # named after the spec's id
    assert window.last_error is None
    page = (tmp_path / "bravo.html").read_text()
    assert "<svg" in page and "Bravo Borough - review 2026" in html.unescape(page)
    with (tmp_path / "register.csv").open(newline="") as handle:
        rows = list(csv_module.DictReader(handle))
    assert sorted(r["title"] for r in rows if r["record"] == "case") == [
        "Alpha Council - review 2026", "Bravo Borough - review 2026", "Charlie City - review 2026"]
    assert (tmp_path / "review.scxml").read_text().startswith("<?xml")
    assert "Wrote" in window.statusBar().currentMessage()


class FailingPlugin:
    """A plugin whose exporter and listener raise."""

    @staticmethod
    def _write(target, path, today):
        path.write_text("half")
        raise RuntimeError("printer on fire")

    @hookimpl
    def regflow_exporters(self):
        from regflow.plugins.exporters import Exporter

        return [Exporter("fails", ".fails", "Always fails", self._write, subject="case", options=())]

    @hookimpl
    def regflow_entry_recorded(self, register, case, entry):
        raise ConnectionError("cannot reach the mail server")


@pytest.fixture
def failing_plugin():
    from regflow.plugins.manager import plugin_manager, take_failures

    plugin = FailingPlugin()
    plugin_manager().register(plugin, name="failing-plugin")
    take_failures()
    yield plugin
    plugin_manager().unregister(plugin)
    take_failures()


def test_a_failing_exporter_is_said_in_a_dialog_and_nothing_is_written(
        qtbot, settings, reg_db, tmp_path, failing_plugin):
    db, ids = reg_db
    window = window_on(qtbot, settings, db)
    show_case(qtbot, window, ids["bravo"])
    assert not window.export_to("case", "fails", str(tmp_path / "x.fails"))
    box = window.last_error
    assert box.windowTitle() == "Cannot export"
    assert "the fails exporter of plugin 'failing-plugin' failed (RuntimeError: printer on fire)" in box.text()
    assert not (tmp_path / "x.fails").exists() and not list(tmp_path.glob(".*partial"))
    box.close()
    assert window.export_to("case", "ics", str(tmp_path / "x.ics"))  # the app carries on


def test_a_failing_listener_is_named_in_a_dialog_and_the_step_is_kept(
        qtbot, settings, reg_db, failing_plugin):
    db, ids = reg_db
    window = window_on(qtbot, settings, db)
    panel = show_case(qtbot, window, ids["bravo"])
    before = stored(db, ids["bravo"]).version
    form = click_step(qtbot, panel, "progress_report")
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        qtbot.mouseClick(form.ok, LEFT)
    box = window.last_error
    assert box is not None and box.windowTitle() == "A plugin failed"
    assert ("plugin 'failing-plugin' failed in regflow_entry_recorded: ConnectionError: cannot "
            f"reach the mail server; entry #{before + 1} of case {ids['bravo']} was recorded and "
            "is kept") in box.text()
    after = stored(db, ids["bravo"])
    assert after.version == before + 1 and after.entries[-1].event == "progress_report"
