"""The spec editor on a variant, with real widgets: the whole process shown, the base's items
marked, an edit of one written as an override of that field alone, the base's value put back,
a base item deleted as ``remove = true``, undo and redo, and renames of base items refused."""

from __future__ import annotations

import difflib
import re

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QPushButton
from test_gui import WAIT_MS, output_dir
from test_gui_editor_forms import open_editor

from regflow.engine import load_spec
from regflow.engine.spec.editing import SpecDocument
from regflow.engine.spec.overriding import CHANGED, INHERITED, OWN
from regflow.engine.spec.starting import as_variant

from conftest import ROOT

CIW = ROOT / "specs" / "ciw_2019.toml"


@pytest.fixture
def made(tmp_path):
    """A new variant of ciw_2019, as the New spec dialog makes it."""
    return as_variant(CIW, tmp_path / "other_regulator.toml", "Reviews by another regulator")


@pytest.fixture
def editor(qtbot, made):
    return open_editor(qtbot, made)


def draft_index() -> int:
    return next(i for i, t in enumerate(load_spec(CIW).timescales) if t.id == "draft_report")


def shown(editor, kind, name):
    """The widget of the form as it is now (those of the form before are deleted first)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    found = editor.form_widget.findChildren(kind, name)
    assert len(found) <= 1
    return found[0] if found else None


def outline_item(editor, path):
    return next(i for i in editor.outline.items() if i.data(0, Qt.ItemDataRole.UserRole) == path)


def timeline_dues(editor) -> list[str]:
    """The dates the dry run gives the draft report (ISO, the first date in the cell)."""
    table = editor.dry_run.table
    return [re.search(r"\d{4}-\d{2}-\d{2}", table.item(r, 0).text()).group(0)
            for r in range(table.rowCount())
            if table.item(r, 1) and "Draft report" in table.item(r, 1).text()]


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]


def edit_within(qtbot, editor, text: str) -> None:
    field = editor.fields["within"].line
    field.setText(text)
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        field.editingFinished.emit()


def test_the_outline_shows_the_whole_process_with_the_base_marked(qtbot, editor, tmp_path):
    base = load_spec(CIW)
    states = editor.outline.items()
    listed = [i for i in states if (i.data(0, Qt.ItemDataRole.UserRole) or ())[:1] == ("states",)
             and len(i.data(0, Qt.ItemDataRole.UserRole)) == 2]
    assert len(listed) == len(base.states)  # not just the three lines the file writes
    peer = outline_item(editor, ("states", "peer_review"))
    assert peer.data(0, Qt.ItemDataRole.AccessibleDescriptionRole) == INHERITED
    assert "As in ciw_2019" in peer.toolTip(0)
    assert peer.foreground(0).color().name() == "#767676"
    assert editor.variant_legend.isVisible() and "ciw_2019" in editor.variant_legend.text()
    assert editor.tabs.tabText(editor.tabs.indexOf(editor.toml)) == "TOML (this variant's file)"
    # the form of a base item shows the base's values
    editor.select(("timescales", draft_index()))
    assert editor.fields["within"].line.text() == "25 working days"
    layer = shown(editor, QLabel, "layer")
    assert layer.text().startswith("As in ciw_2019")
    # strength is a picker with its words, for a base timescale too
    strength = editor.fields["strength"]
    assert isinstance(strength, QComboBox) and strength.currentData() == "expected"
    assert [strength.itemData(i) for i in range(strength.count())] == [
        "limit", "expected", "target", "best_effort"]
    assert "normally" in strength.currentText()


def test_an_inherited_timescale_changed_through_the_form(qtbot, editor, made, tmp_path):
    before = made.read_text()
    draft = ("timescales", draft_index())
    editor.select(draft)
    qtbot.waitUntil(lambda: editor.dry_run.table.rowCount() > 0, timeout=WAIT_MS)
    dues = timeline_dues(editor)
    edit_within(qtbot, editor, "30 working days")
    # the dry run is the resolved spec's: the draft is due later (worked out after the preview)
    qtbot.waitUntil(lambda: timeline_dues(editor) not in (dues, []), timeout=WAIT_MS)
    assert max(timeline_dues(editor)) > max(dues)
    assert editor.toml.toPlainText() == (before + '\n[[timescales]]\nid = "draft_report"\n'
                                         'within = "30 working days"\n')
    assert editor.selected == draft
    assert str(editor.spec.timescale("draft_report").within) == "30 working days"
    assert outline_item(editor, draft).data(0, Qt.ItemDataRole.AccessibleDescriptionRole) == \
        CHANGED
    assert outline_item(editor, draft).text(0).startswith("✎ ")
    base_words = shown(editor, QLabel, "within_base")
    assert base_words.text() == "ciw_2019: 25 working days"
    editor.select(("timescales", draft_index() + 1))  # another, to shoot the changed one afresh
    editor.select(draft)
    QTest.qWait(300)
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_variant_changed.png"), "PNG")
    # saved and read again: the file says that override alone; the spec is the intended one
    assert editor.save()
    assert changed_lines(before, made.read_text()) == [
        "+ ", '+ [[timescales]]', '+ id = "draft_report"', '+ within = "30 working days"']
    intended = SpecDocument.load(CIW)
    intended.set((*draft, "within"), "30 working days")
    again = load_spec(made)
    from regflow.engine import loads_spec
    wanted = loads_spec(intended.text(), str(CIW))
    assert (again.timescales, again.states, again.transitions) == (
        wanted.timescales, wanted.states, wanted.transitions)
    editor.open_file(made)
    qtbot.waitUntil(lambda: editor.spec is not None and editor.outline.topLevelItemCount() > 0,
                    timeout=WAIT_MS)
    editor.select(draft)
    assert editor.fields["within"].line.text() == "30 working days"

    # the base's value again: the override and its table go
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        shown(editor, QPushButton, "revert_within").click()
    assert editor.toml.toPlainText() == before
    qtbot.waitUntil(lambda: "within" in editor.fields, timeout=WAIT_MS)
    assert editor.fields["within"].line.text() == "25 working days"
    assert shown(editor, QPushButton, "revert_within") is None
    # undo puts the override back, redo takes it out again
    editor.undo_stack.undo()
    assert 'within = "30 working days"' in editor.toml.toPlainText()
    editor.undo_stack.redo()
    assert editor.toml.toPlainText() == before


def test_strength_of_an_inherited_timescale_is_picked(qtbot, editor, made):
    before = made.read_text()
    editor.select(("timescales", draft_index()))
    strength = editor.fields["strength"]
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        strength.setCurrentIndex(strength.findData("limit"))
        strength.activated.emit(strength.currentIndex())
    assert changed_lines(before, editor.toml.toPlainText()) == [
        "+ ", '+ [[timescales]]', '+ id = "draft_report"', '+ strength = "limit"']
    assert editor.spec.timescale("draft_report").strength == "limit"


def test_deleting_an_inherited_state_writes_remove(qtbot, editor, made, monkeypatch, tmp_path):
    before = made.read_text()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: (
        asked.append(text), QMessageBox.StandardButton.Yes)[1])
    editor.select(("states", "peer_review"))
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        assert editor.delete_selected()
    # the references are the resolved spec's: the base's steps into and out of it
    assert asked and asked[0].startswith("2 place(s) refer to the stage 'Moderation: peer review")
    assert editor.toml.toPlainText() == before + "\n[states.peer_review]\nremove = true\n"
    # shown as removed, where it can be put back
    assert editor.selected == ("removed", "states", "peer_review")
    assert "ciw_2019 has this; this variant takes it out" in shown(editor, QLabel, "layer").text()
    assert not any(i.data(0, Qt.ItemDataRole.UserRole) == ("states", "peer_review")
                   for i in editor.outline.items())
    removed = outline_item(editor, ("removed", "states", "peer_review"))
    assert removed.font(0).strikeOut()
    # the steps that lead there are the base's: their problems say so, not a line of the variant
    base_problems = [editor.problem_list.item(i).text() for i in range(editor.problem_list.count())
                     if "peer_review" in editor.problem_list.item(i).text()]
    assert base_problems and all("of ciw_2019.toml, the base" in t for t in base_problems)
    # a click leads to the base's step in the form (where it can be changed), not to a line
    # of the variant's TOML
    problem = next(editor.problem_list.item(i) for i in range(editor.problem_list.count())
                   if "peer_review" in editor.problem_list.item(i).text())
    editor._go_to_problem(problem)
    assert editor.selected[0] == "transitions" and editor.tabs.currentIndex() == 0
    assert shown(editor, QLabel, "layer").text().startswith("As in ciw_2019")
    editor.select(("removed", "states", "peer_review"))
    QTest.qWait(300)
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_variant_removed.png"), "PNG")
    # put back from the outline; undo and redo
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        shown(editor, QPushButton, "restore").click()
    assert editor.toml.toPlainText() == before
    editor.undo_stack.undo()
    assert editor.toml.toPlainText().endswith("[states.peer_review]\nremove = true\n")
    editor.undo_stack.undo()
    assert editor.toml.toPlainText() == before
    editor.undo_stack.redo()
    assert editor.doc.text().endswith("remove = true\n")
    # saved as a draft (the base's steps still lead to it), the problems named in the base
    monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text())
                        or QMessageBox.StandardButton.Save)
    assert editor.save()
    assert "of ciw_2019.toml, the base" in asked[-1]
    saved = made.read_text()
    assert 'version = "2019-04-variant-draft"' in saved
    assert saved.endswith("[states.peer_review]\nremove = true\n")
    assert "peer_review" not in (layers := editor.layers).data["states"]
    assert layers.removed()[0][0] == ("states", "peer_review")


def test_a_base_item_cannot_be_renamed_and_the_form_says_why(qtbot, editor, monkeypatch):
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text, *a: said.append(text))
    editor.select(("states", "peer_review"))
    rename = shown(editor, QPushButton, "rename")
    assert "comes from ciw_2019" in rename.toolTip()
    rename.click()
    assert said and "cannot rename what its base refers to" in said[0]
    assert "[states.peer_review]" not in editor.doc.text()


def test_a_state_added_to_a_variant_is_its_own(qtbot, editor, made):
    dialog = editor.add("state")
    dialog.widgets["label"].setText("Pilot review")
    dialog.widgets["label"].textEdited.emit("Pilot review")
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        dialog.accept()
    assert editor.selected == ("states", "pilot_review")
    item = outline_item(editor, ("states", "pilot_review"))
    assert item.data(0, Qt.ItemDataRole.AccessibleDescriptionRole) == OWN
    assert item.text(0).startswith("✚ ")
    # the pickers offer the base's states as well as the variant's own
    editor.select(("transitions", 0))
    to = editor.fields["to"]
    names = [to.itemData(i) for i in range(to.count())]
    assert "pilot_review" in names and "drafting_report" in names
    # a name the base has is refused, not written over
    dialog = editor.add("state")
    dialog.widgets["label"].setText("Peer review")
    dialog.widgets["name"].setText("peer_review")
    dialog.widgets["name"].textEdited.emit("peer_review")
    dialog.accept()
    assert dialog.isVisible() and "ciw_2019 has a stage named 'peer_review'" in \
        dialog.problem.text()
    dialog.reject()


def test_a_base_step_changed_through_the_form_and_back(qtbot, editor, made, tmp_path):
    before = made.read_text()
    steps = len(load_spec(CIW).transitions)
    editor.select(("transitions", 3))
    assert "is tried after the base's steps" in shown(editor, QLabel, "layer").text()
    words = editor.fields["label"]
    words.setText("Sent to the other regulator's moderator")
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        words.editingFinished.emit()
    # the base's step removed, and the step as changed added: shown as the same step, changed
    assert editor.selected == ("transitions", steps - 1)
    text = editor.toml.toPlainText()
    assert text.count("[[transitions]]") == 2 and "remove = true" in text
    assert outline_item(editor, editor.selected).text(0).startswith("✎ ")
    assert editor.spec.transitions[-1].label == "Sent to the other regulator's moderator"
    assert len(editor.spec.transitions) == steps
    QTest.qWait(300)
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_variant_step.png"), "PNG")
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        shown(editor, QPushButton, "revert_label").click()
    assert editor.toml.toPlainText() == before and editor.selected == ("transitions", 3)


def test_the_process_form_shows_what_the_variant_changes(qtbot, editor, tmp_path):
    editor.select(("process",))
    assert outline_item(editor, ("process",)).text(0) == "✎ Process"
    assert shown(editor, QLabel, "title_base").text().startswith("ciw_2019: ")
    assert shown(editor, QLabel, "id_base") is None  # the variant's id is its own
    QTest.qWait(300)
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_variant_process.png"), "PNG")


def test_a_variant_whose_base_cannot_be_read_shows_its_own_file(qtbot, made):
    made.write_text(made.read_text().replace('extends = "ciw_2019"', 'extends = "ciw_2091"'))
    window = _open_unchecked(qtbot, made)
    problems = [window.problem_list.item(i).text() for i in range(window.problem_list.count())]
    assert any("neither a file next to this one nor a shipped spec" in p for p in problems)
    assert window.layers is None and not window.variant_legend.isVisible()
    assert [i.data(0, Qt.ItemDataRole.UserRole) for i in window.outline.items()] == [("process",)]


def _open_unchecked(qtbot, path):
    """The editor on a spec that does not load: it shows the problem, not a spec."""
    from regflow.gui.editor.window import EditorWindow

    window = EditorWindow(None, path)
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "saved_text", w.doc.text()))
    window.show()
    with qtbot.waitSignal(window.checked, timeout=WAIT_MS):
        pass
    return window


def test_strength_of_the_variant_own_timescale_is_picked_too(qtbot, editor):
    fields = {"id": "pilot_reply", "label": "Reply to the pilot", "kind": "deadline",
              "within": "10 working days", "anchor": {"event": "fieldwork_completed"},
              "met_by": {"event": "draft_report_shared"}, "citation": "8.5"}
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        written = editor.change("Add a timescale", lambda doc: doc.add_item("timescales", fields))
    item = editor.layers.item_of(("timescales", written))
    editor.select(item)
    assert editor.outline.origin(item) == OWN
    strength = editor.fields["strength"]
    assert strength.currentData() is None and "as the kind of rule says" in strength.currentText()
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        strength.setCurrentIndex(strength.findData("target"))
        strength.activated.emit(strength.currentIndex())
    assert editor.doc.get(("timescales", written, "strength")) == "target"
    assert editor.spec.timescale("pilot_reply").strength == "target"
