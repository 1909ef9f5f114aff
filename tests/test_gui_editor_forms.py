"""The spec editor's forms with real widgets: adding items by picking (a condition built from a
fact), renaming and deleting with their references, starting a spec from a template or as a
variant, and the version a save gives a spec that cases use."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QInputDialog, QLabel, QMessageBox, QPushButton
from test_gui import WAIT_MS, output_dir

from regflow.engine import load_spec, loads_spec
from regflow.engine.register.api import Register
from regflow.engine.spec.editing import SpecDocument
from regflow.engine.spec.starting import from_template
from regflow.gui.editor.window import EditorWindow

from conftest import ROOT

TODAY = date(2027, 3, 1)


def open_editor(qtbot, path, register=None) -> EditorWindow:
    window = EditorWindow(None, path, TODAY, register)
    # closing at the end of a test must not stop on the unsaved-changes question
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "saved_text", w.doc.text()))
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.spec is not None, timeout=WAIT_MS)
    return window


@pytest.fixture
def inspection(qtbot, tmp_path):
    """The editor on a new spec made from the inspection template."""
    path = from_template("inspection", tmp_path / "inspection.toml", "Care home inspections")
    return open_editor(qtbot, path)


@pytest.fixture
def ciw(qtbot, tmp_path):
    path = tmp_path / "ciw.toml"
    shutil.copy(ROOT / "specs" / "ciw_2019.toml", path)
    return open_editor(qtbot, path)


def shoot(widget, tmp_path, name: str) -> None:
    QTest.qWait(300)  # laid out and painted as a person would see it
    assert widget.grab().save(str(output_dir(tmp_path) / f"{name}.png"), "PNG")


def ok(qtbot, editor: EditorWindow, dialog: QDialog) -> None:
    """Press the dialog's add button and wait for the editor to have checked the result."""
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.problem.text()


def messages(editor: EditorWindow) -> list[str]:
    return [editor.problem_list.item(i).text() for i in range(editor.problem_list.count())]


def intended(base_text: str) -> str:
    """The same additions made through the engine's document, for comparison."""
    doc = SpecDocument(base_text)
    doc.add_named("facts", "level_of_concern", {
        "label": "Level of concern", "type": "enum",
        "values": ["none", "serious", "significant"], "citation": "5"})
    doc.add_named("events", "conference_called", {"label": "Conference called",
                                                  "citation": "5"})
    doc.add_named("states", "improvement_conference", {
        "label": "Improvement conference", "role": "inspector", "citation": "5"})
    doc.add_item("transitions", {"from": "published", "event": "conference_called",
                                 "to": "improvement_conference",
                                 "guard": 'level_of_concern == "significant"', "citation": "5"})
    doc.add_item("transitions", {"from": "improvement_conference", "event": "follow_up_done",
                                 "to": "closed", "citation": "6"})
    doc.add_item("timescales", {
        "id": "conference_held", "label": "Conference within 15 working days of being called",
        "kind": "deadline", "strength": "expected", "wording": "normally",
        "anchor": {"event": "conference_called"}, "within": "15 working days",
        "met_by": {"event": "follow_up_done"}, "responsible": "inspector", "citation": "5"})
    return doc.text()


def test_adding_items_through_the_forms_gives_the_intended_spec(qtbot, inspection, tmp_path):
    editor = inspection
    original = editor.doc.text()
    steps = 0

    # a fact, to build the condition from
    dialog = editor.add("fact")
    dialog.widgets["label"].setText("Level of concern")
    assert dialog.widgets["name"].text() == "level_of_concern"  # proposed from the title
    dialog.widgets["type"].setCurrentIndex(dialog.widgets["type"].findData("enum"))
    dialog.widgets["values"].setText("none, serious, significant")
    dialog.widgets["citation"].set_name("5")
    ok(qtbot, editor, dialog)
    steps += 1

    dialog = editor.add("event")
    dialog.widgets["label"].setText("Conference called")
    dialog.widgets["citation"].set_name("5")
    ok(qtbot, editor, dialog)
    steps += 1

    # a state: picked in the outline, the dialog proposes it as the parent; the top level here
    editor.select(("states", "published"))
    dialog = editor.add("state")
    dialog.widgets["label"].setText("Improvement conference")
    dialog.widgets["parent"].set_name(None)
    dialog.widgets["role"].set_name("inspector")
    picker = dialog.widgets["citation"]
    picker.set_name("5")
    picker.picked.emit("5")
    assert "action plan within 20 working days" in dialog.findChild(
        type(dialog.problem), "paragraph_words").text()  # the paragraph's words beside it
    shoot(dialog, tmp_path, "editor_add_state")
    ok(qtbot, editor, dialog)
    steps += 1
    assert editor.selected == ("states", "improvement_conference")
    # nothing leads to it yet: the engine says so, in the problems list
    assert any("Improvement conference" in m or "improvement_conference" in m
               for m in messages(editor))

    # a step with a condition picked from the facts: level of concern is significant
    dialog = editor.add("transition")
    assert dialog.widgets["from"].name() == "improvement_conference"  # the selected stage
    dialog.widgets["from"].set_name("published")
    dialog.widgets["event"].set_name("conference_called")
    dialog.widgets["to"].set_name("improvement_conference")
    guard = dialog.widgets["guard"]
    guard.pick("level_of_concern", "is", "significant")
    guard.add.click()
    assert guard.text() == 'level_of_concern == "significant"'
    assert guard.reading.text() == "✓ Only when Level of concern is significant"
    dialog.widgets["citation"].set_name("5")
    shoot(dialog, tmp_path, "editor_add_transition")
    ok(qtbot, editor, dialog)
    steps += 1

    dialog = editor.add("transition")
    dialog.widgets["from"].set_name("improvement_conference")
    dialog.widgets["event"].set_name("follow_up_done")
    dialog.widgets["to"].set_name("closed")
    dialog.widgets["citation"].set_name("6")
    ok(qtbot, editor, dialog)
    steps += 1
    assert not any(m.startswith("✗") for m in messages(editor)), messages(editor)

    # a timescale: what starts the clock, the duration with its reading, how binding
    dialog = editor.add("timescale")
    dialog.widgets["label"].setText("Conference within 15 working days of being called")
    dialog.widgets["name"].setText("conference_held")
    dialog.widgets["name"].textEdited.emit("conference_held")
    dialog.widgets["anchor"].set_name("event:conference_called")
    within = dialog.widgets["within"]
    within.line.setText("15 wrking days")
    assert "did you mean '15 working days'" in within.reading.text()
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "a duration that reads" in dialog.problem.text()
    within.line.setText("15 working days")
    assert within.reading.text().startswith("✓ read as 15 working days")
    assert not dialog.widgets["fires"].isVisible()  # a deadline is met, it does not fire
    dialog.widgets["met_by"].set_name("event:follow_up_done")
    dialog.widgets["strength"].setCurrentIndex(dialog.widgets["strength"].findData("expected"))
    dialog.widgets["wording"].setText("normally")
    dialog.widgets["responsible"].set_name("inspector")
    dialog.widgets["citation"].set_name("5")
    shoot(dialog, tmp_path, "editor_add_timescale")
    ok(qtbot, editor, dialog)
    steps += 1

    # the engine's spec, the preview and the dry run all have them
    spec = editor.spec
    assert spec.states["improvement_conference"].label == "Improvement conference"
    assert str(spec.timescale("conference_held").within) == "15 working days"
    assert "Improvement conference" in editor.preview.document.text
    assert editor.outline.currentItem().text(0).startswith("Conference within 15 working days")
    shoot(editor, tmp_path, "editor_after_adding")

    # each addition is one step of undo and of redo
    final = editor.doc.text()
    for _ in range(steps):
        editor.undo_stack.undo()
    assert editor.doc.text() == original
    for _ in range(steps):
        editor.undo_stack.redo()
    assert editor.doc.text() == final

    # saved and read again: the spec intended, added through the engine directly
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        pass
    assert editor.save()
    saved = load_spec(editor.path)
    expected = loads_spec(intended(original), str(editor.path))
    for part in ("facts", "events", "states", "transitions", "timescales", "paragraphs"):
        assert getattr(saved, part) == getattr(expected, part), part
    assert editor.path.read_text() == intended(original)
    assert "guard = 'level_of_concern == \"significant\"'" in editor.path.read_text()


def test_a_condition_that_cannot_be_is_said_before_it_is_added(qtbot, ciw, tmp_path):
    dialog = ciw.add("transition")
    guard = dialog.widgets["guard"]
    guard.line.setText('concern_levl == "significant"')
    assert guard.reading.text().startswith("✗ unknown fact 'concern_levl'")
    assert "did you mean 'concern_level'" in guard.reading.text()
    guard.line.clear()
    guard.pick("warning_notice_given", "is no")
    assert guard.value is None  # yes or no: nothing more to pick
    guard.add.click()
    guard.pick("concern_level", "is not", "none")
    guard.add.click()
    assert guard.text() == 'not warning_notice_given and concern_level != "none"'
    assert guard.reading.text().startswith("✓ Only when not Welsh Ministers have given")
    shoot(dialog, tmp_path, "editor_condition")
    dialog.reject()


def test_citation_picked_in_the_form_and_the_source_follows(qtbot, ciw):
    ciw.select(("states", "finalising_report"))
    picker = ciw.fields["citation"]
    old = ciw.doc.get(("states", "finalising_report", "citation"))
    picker.set_name("8.5")
    with qtbot.waitSignal(ciw.checked, timeout=WAIT_MS):
        picker.picked.emit("8.5")
    assert ciw.doc.get(("states", "finalising_report", "citation")) == "8.5" != old
    qtbot.waitUntil(lambda: "paragraph 8.5" in ciw.source.toPlainText(), timeout=WAIT_MS)
    assert "Each inspection report is expected" in ciw.source.toPlainText()
    ciw.undo_stack.undo()
    assert ciw.doc.get(("states", "finalising_report", "citation")) == old


def test_rename_from_the_form_changes_every_reference_in_one_step(qtbot, ciw, monkeypatch,
                                                                  tmp_path):
    before = ciw.doc.text()
    uses = ciw.doc.references("fact", "concern_level")
    assert len(uses) > 5
    ciw.select(("facts", "concern_level"))
    qtbot.waitUntil(lambda: "rename" in [w.objectName() for w in
                                         ciw.form_widget.findChildren(QPushButton)])
    shoot(ciw, tmp_path, "editor_fact_form")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("level_of_concern", True))
    with qtbot.waitSignal(ciw.checked, timeout=WAIT_MS):
        ciw.form_widget.findChild(QPushButton, "rename").click()
    assert ciw.selected == ("facts", "level_of_concern")
    assert ciw.doc.references("fact", "concern_level") == []
    assert len(ciw.doc.references("fact", "level_of_concern")) == len(uses)
    assert "level_of_concern" in ciw.spec.facts and not any(
        p.severity == "error" for p in ciw.problems)
    assert ciw.undo_stack.count() == 1
    ciw.undo_stack.undo()
    assert ciw.doc.text() == before
    # a name that is taken is refused, and nothing changes
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
    ciw.select(("facts", "concern_level"))
    assert not ciw.rename_selected("service")
    assert "already" in warned[0] and ciw.doc.text() == before
    assert not ciw.rename_selected("Level of concern")  # not an identifier: what to write
    assert "e.g. 'level_of_concern'" in warned[1] and ciw.doc.text() == before


def test_a_timescale_is_renamed_from_its_form(qtbot, ciw, monkeypatch):
    index = next(t.index for t in ciw.spec.timescales if t.id == "draft_report")
    ciw.select(("timescales", index))
    qtbot.waitUntil(lambda: ciw.form_widget.findChild(QPushButton, "rename") is not None)
    assert ciw.form_widget.findChild(QLabel, "name").text() == "draft_report"
    assert "id" not in ciw.fields  # not a plain field to type over
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("draft_report_shared", True))
    with qtbot.waitSignal(ciw.checked, timeout=WAIT_MS):
        ciw.form_widget.findChild(QPushButton, "rename").click()
    assert ciw.selected == ("timescales", index)
    assert ciw.spec.timescale("draft_report_shared").index == index
    ciw.undo_stack.undo()
    assert ciw.doc.get(("timescales", index, "id")) == "draft_report"


def test_deleting_says_what_refers_to_the_item(qtbot, ciw, monkeypatch):
    before = ciw.doc.text()
    asked = []
    answer = QMessageBox.StandardButton.Cancel
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answer)
    ciw.select(("events", "draft_report_shared"))
    assert not ciw.delete_selected()
    assert ciw.doc.text() == before
    assert "3 place(s) refer to the event 'Moderated draft report shared" in asked[0]
    assert "Timescale 'Draft report shared within 25 working days" in asked[0]
    answer = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(ciw.checked, timeout=WAIT_MS):
        assert ciw.delete_selected()
    assert "draft_report_shared" not in ciw.doc.names("events")
    assert any(p.severity == "error" for p in ciw.problems)  # the loader names what broke
    ciw.undo_stack.undo()
    assert ciw.doc.text() == before
    # an item nothing refers to goes without a question
    asked.clear()
    index = len(ciw.doc.get(("timescales",))) - 1
    ciw.select(("timescales", index))
    assert ciw.delete_selected() and not asked


def test_a_milestone_is_added_by_picking(qtbot, inspection, tmp_path):
    inspection.select(("states", "drafting"))
    dialog = inspection.add("milestone")
    assert dialog.widgets["item"].currentText() == "Stage: Draft report being written"
    dialog.widgets["milestone"].set_name("draft_report")
    assert dialog.findChild(type(dialog.problem), "milestone_words").text()
    shoot(dialog, tmp_path, "editor_add_milestone")
    ok(qtbot, inspection, dialog)
    assert inspection.spec.states["drafting"].milestones == ("draft_report",)
    assert inspection.fields["milestones"].names() == ["draft_report"]


def test_a_role_and_a_paragraph_are_added_and_cited(qtbot, inspection, tmp_path):
    dialog = inspection.add("paragraph")
    dialog.widgets["name"].setText("7")
    dialog.widgets["text"].setPlainText("A lay assessor joins each inspection team.")
    shoot(dialog, tmp_path, "editor_add_paragraph")
    ok(qtbot, inspection, dialog)
    assert inspection.spec.paragraphs["7"] == "A lay assessor joins each inspection team."
    dialog = inspection.add("role")
    dialog.widgets["label"].setText("Lay assessor")
    dialog.widgets["organisation"].setText("The regulator")
    dialog.widgets["citation"].set_name("7")  # the new paragraph is offered at once
    assert "A lay assessor joins" in dialog.findChild(type(dialog.problem),
                                                      "paragraph_words").text()
    shoot(dialog, tmp_path, "editor_add_role")
    ok(qtbot, inspection, dialog)
    role = inspection.spec.roles["lay_assessor"]
    assert (role.label, role.organisation, role.citation) == ("Lay assessor", "The regulator", "7")
    # a name already taken is said in the dialog, which stays open with what was typed
    dialog = inspection.add("role")
    dialog.widgets["label"].setText("Lay assessor")
    dialog.widgets["name"].setText("lay_assessor")
    dialog.widgets["name"].textEdited.emit("lay_assessor")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "there is a role named 'lay_assessor' already" in \
        dialog.problem.text()
    dialog.reject()


def test_a_new_spec_from_a_template_and_as_a_variant(qtbot, inspection, tmp_path):
    dialog = inspection.new_spec()
    dialog.title.setText("Adult services inspections")
    assert dialog.file.text().endswith("adult_services_inspections.toml")
    dialog.from_template.setChecked(True)
    dialog.template.setCurrentIndex(dialog.template.findData("empty"))
    shoot(dialog, tmp_path, "editor_new_spec")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    made = tmp_path / "adult_services_inspections.toml"
    assert inspection.path == made
    spec = load_spec(made)
    assert (spec.process.id, spec.process.title) == ("adult_services_inspections",
                                                     "Adult services inspections")
    # outside the regflow project: no path into this installation, which sharing would break
    assert "$schema" not in made.read_text()
    # again: the file is there now, so the dialog says so and stays open
    dialog = inspection.new_spec()
    dialog.title.setText("Adult services inspections")
    dialog.from_template.setChecked(True)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "exists already" in dialog.problem.text()
    dialog.reject()

    # a variant of the spec open in the editor: extends it, changes nothing yet
    inspection.open_file(tmp_path / "inspection.toml")
    dialog = inspection.new_spec()
    assert dialog.as_variant.isChecked()  # the spec open is the first base offered
    dialog.title.setText("Care home inspections, pilot")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    variant = tmp_path / "care_home_inspections_pilot.toml"
    assert inspection.path == variant
    assert 'extends = "inspection.toml"' in variant.read_text()
    spec, base = load_spec(variant), load_spec(tmp_path / "inspection.toml")
    assert spec.states == base.states and spec.timescales == base.timescales
    assert spec.process.version == "draft-variant"
    assert "$schema" not in variant.read_text()


def test_saving_a_spec_cases_use_gives_it_a_new_version(qtbot, tmp_path):
    path = tmp_path / "ciw.toml"
    shutil.copy(ROOT / "specs" / "ciw_2019.toml", path)
    register = Register(tmp_path / "register.sqlite", today=TODAY)
    register.new_case(path, "Example Council - adult services", date(2027, 1, 4))
    register.new_case(path, "Another Council - children's services", date(2027, 1, 11))
    editor = open_editor(qtbot, path, register)
    try:
        editor.select(("process",))
        title = editor.fields["title"]
        title.setText("Inspection of local authority social services (2027 reading)")
        with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
            title.editingFinished.emit()
        assert editor.save()
        assert load_spec(path).process.version == "2019-04.1"
        assert editor.version_note == (
            "Saved as version 2019-04.1. 2 open cases in this register use version 2019-04 "
            "and stay on it; new cases use 2019-04.1.")
        assert editor.statusBar().currentMessage() == editor.version_note
        assert editor.notice.isVisible() and editor.version_note in editor.notice.text()
        # the cases stay on the version they were opened on
        assert register.get(1).spec.process.version == "2019-04"
        shoot(editor, tmp_path, "editor_version_note")
        # a second save of the new version: no case uses it yet, no new version
        title = editor.fields["title"]  # the form was filled again with the new version
        title.setText("Inspection of local authority social services")
        title.editingFinished.emit()
        assert not editor.notice.isVisible()  # the next edit puts it away
        assert editor.save()
        assert load_spec(path).process.version == "2019-04.1" and editor.version_note == ""
        # one case finishes: it no longer counts as open
        assert register.cases_on_version("ciw_2019", "2019-04") == (2, 2)
    finally:
        register.close()


def test_undo_and_redo_do_not_read_the_toml_again(qtbot, ciw, monkeypatch):
    import threading

    import tomlkit
    ciw.select(("process",))
    ciw.fields["title"].setText("Changed")
    with qtbot.waitSignal(ciw.checked, timeout=WAIT_MS):
        ciw.fields["title"].editingFinished.emit()
    changed = ciw.doc.text()
    parse, reads = tomlkit.parse, []
    monkeypatch.setattr(tomlkit, "parse", lambda text: (
        reads.append(1) if threading.current_thread() is threading.main_thread() else None,
        parse(text))[1])
    ciw.undo_stack.undo()
    assert ciw.doc.get(("process", "title")) != "Changed"
    ciw.undo_stack.redo()
    assert ciw.doc.text() == changed and reads == []


def test_without_a_register_the_version_stays(qtbot, ciw):
    ciw.select(("process",))
    ciw.fields["title"].setText("Changed")
    ciw.fields["title"].editingFinished.emit()
    assert ciw.save()
    assert load_spec(ciw.path).process.version == "2019-04" and ciw.version_note == ""


def test_new_spec_from_the_main_window_opens_the_editor(qtbot, tmp_path):
    from PySide6.QtCore import QSettings
    from test_gui import menu_action, new_window

    window = new_window(qtbot, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    action = menu_action(window, "New spec")
    assert action is not None
    opened = []
    window.edit_spec = lambda path=None: opened.append(path)
    dialog = window.new_spec()
    dialog.title.setText("Variant of CIW")
    dialog.as_variant.setChecked(True)
    from regflow.specs import shipped

    dialog.base.setCurrentIndex(dialog.base.findData(str(shipped()["ciw_2019"])))
    assert dialog.base.currentText().startswith("Review of local authority social services")
    dialog.file.setText(str(tmp_path / "ciw_variant.toml"))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert opened == [str(tmp_path / "ciw_variant.toml")]
    assert load_spec(tmp_path / "ciw_variant.toml").process.id == "variant_of_ciw"


def test_the_main_window_gives_the_editor_its_register(qtbot, tmp_path):
    """Edit a spec from the main window on a register whose cases use it: the save gives the
    spec a new version and counts the open cases that stay on the old one."""
    from PySide6.QtCore import QSettings
    from test_gui import new_window, open_register

    spec = tmp_path / "ciw.toml"
    shutil.copy(ROOT / "specs" / "ciw_2019.toml", spec)
    db = tmp_path / "register.sqlite"
    with Register(db, today=TODAY) as register:
        register.new_case(spec, "Example Council - adult services", date(2027, 1, 4))
    window = new_window(qtbot, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    open_register(qtbot, window, db)
    window.edit_spec(str(spec))
    editor = window.editors[-1]
    assert editor.register is window.register
    qtbot.waitUntil(lambda: editor.spec is not None, timeout=WAIT_MS)
    editor.select(("process",))
    editor.fields["regulator"].setText("Care Inspectorate Wales (AGC)")
    editor.fields["regulator"].editingFinished.emit()
    assert editor.save()
    assert "1 open case in this register uses version 2019-04" in editor.version_note
    assert load_spec(spec).process.version == "2019-04.1"


def test_a_delay_reads_in_order_and_long_words_show_their_start(qtbot, ciw):
    from PySide6.QtWidgets import QFormLayout, QLineEdit

    delay = next(t for t in ciw.spec.timescales if t.kind == "delay" and t.fires)
    ciw.select(("timescales", delay.index))
    rows = []
    for row in range(ciw.form.rowCount()):
        label = ciw.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        if label is not None and label.widget() is not None:
            rows.append(label.widget().text())
    assert rows.index("Clock starts at") < rows.index("After") < rows.index("Then records") \
        < rows.index("Source paragraph") < rows.index("Note")
    ciw.select(("process",))
    assert ciw.fields["title"].cursorPosition() == 0
    assert isinstance(ciw.fields["title"], QLineEdit)


def test_a_misspelt_key_is_put_right_from_the_form(qtbot, ciw):
    draft = next(t.index for t in ciw.spec.timescales if t.id == "draft_report")
    with qtbot.waitSignal(ciw.checked, timeout=WAIT_MS):
        ciw.change("Misspell", lambda doc: (doc.delete(("timescales", draft, "within")),
                                            doc.set(("timescales", draft, "witin"),
                                                    "30 working days")))
    ciw.select(("timescales", draft))
    move = ciw.form_widget.findChild(QPushButton, "move_witin")
    assert move is not None and move.text() == "Make it ‘Within’"
    with qtbot.waitSignal(ciw.checked, timeout=WAIT_MS):
        move.click()
    assert ciw.doc.get(("timescales", draft, "within")) == "30 working days"
    assert "witin" not in ciw.doc.get(("timescales", draft))
    assert str(ciw.spec.timescale("draft_report").within) == "30 working days"


def test_cancelling_a_save_with_problems_gives_no_new_version(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "ciw.toml"
    shutil.copy(ROOT / "specs" / "ciw_2019.toml", path)
    register = Register(tmp_path / "register.sqlite", today=TODAY)
    register.new_case(path, "Example Council - adult services", date(2027, 1, 4))
    editor = open_editor(qtbot, path, register)
    try:
        monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Cancel)
        draft = next(t.index for t in editor.spec.timescales if t.id == "draft_report")
        editor.edit(("timescales", draft, "met_by"), {"event": "no_such_event"}, "Break it")
        steps = editor.undo_stack.count()
        assert not editor.save()
        assert editor.doc.get(("process", "version")) == "2019-04"
        assert editor.undo_stack.count() == steps and editor.version_note == ""
    finally:
        editor.saved_text = editor.current_text()
        register.close()
