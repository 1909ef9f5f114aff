"""The spec editor with real widgets: a change through the form, undo and redo, the problems
list as you type, saving with the rest of the file as it was."""

from __future__ import annotations

import difflib
import shutil
from datetime import date

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QLabel, QMessageBox
from test_gui import WAIT_MS, output_dir

from regflow.engine import load_spec
from regflow.gui.editor.window import EditorWindow

from conftest import ROOT

D = date


@pytest.fixture
def editor(qtbot, tmp_path):
    path = tmp_path / "ciw.toml"
    shutil.copy(ROOT / "specs" / "ciw_2019.toml", path)
    shutil.copy(ROOT / "specs" / "regflow-spec.schema.json", tmp_path)
    window = EditorWindow(None, path, D(2027, 3, 1))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.spec is not None, timeout=WAIT_MS)
    yield window
    if window.doc is not None:  # closing must not stop on the unsaved-changes question
        window.saved_text = window.current_text()


def draft_index():
    return next(i for i, t in enumerate(load_spec(ROOT / "specs" / "ciw_2019.toml").timescales)
                if t.id == "draft_report")


def test_25_to_30_working_days_through_the_form(qtbot, editor, tmp_path):
    path = editor.path
    original = path.read_text()
    editor.select(("timescales", draft_index()))
    field = editor.fields["within"].line
    field.setText("30 wrking days")
    field.textEdited.emit("30 wrking days")
    label = editor.form_widget.findChild(QLabel, "within_words")
    assert "did you mean '30 working days'" in label.text()
    field.setText("30 working days")
    field.textEdited.emit("30 working days")
    assert label.text().startswith("✓ read as 30 working days")
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        field.editingFinished.emit()
    assert editor.windowTitle().startswith("ciw.toml •")
    assert any("✓" in editor.problem_list.item(i).text() or "⚠" in editor.problem_list.item(i).text()
               for i in range(editor.problem_list.count()))
    assert str(editor.spec.timescale("draft_report").within) == "30 working days"
    # the dry run shows the new date: 30 working days after fieldwork, not 25
    assert editor.dry_run.table.rowCount() > 0
    # undo and redo
    editor.undo_stack.undo()
    assert 'within = "25 working days"' in editor.toml.toPlainText()
    editor.undo_stack.redo()
    assert 'within = "30 working days"' in editor.toml.toPlainText()
    assert editor.save()
    changed = [line for line in difflib.ndiff(original.splitlines(), path.read_text().splitlines())
               if line[:1] in "+-"]
    assert changed == ['- within = "25 working days"', '+ within = "30 working days"']
    assert editor.windowTitle().startswith("ciw.toml —")
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_form.png"), "PNG")


def test_a_toml_mistake_is_said_in_words(qtbot, editor, tmp_path, monkeypatch):
    text = editor.toml.toPlainText().replace('within = "25 working days"', "within = 25 working days", 1)
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        editor.toml.setPlainText(text)
    messages = [editor.problem_list.item(i).text() for i in range(editor.problem_list.count())]
    assert any('put the text in quotes: within = "25 working days"' in m for m in messages)
    editor.tabs.setCurrentIndex(1)
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_toml_problem.png"), "PNG")
    # saving asks first; "Cancel" (the default) keeps everything as it is
    asked = []
    answer = QMessageBox.StandardButton.Cancel
    monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text()) or answer)
    before = editor.path.read_text()
    assert editor.save() is False
    assert "mistake on line" in asked[0] and 'put the text in quotes' in asked[0]
    assert editor.path.read_text() == before and editor.toml.toPlainText() == text
    # "Save as typed": the file holds what the author sees, nothing typed is lost
    answer = QMessageBox.StandardButton.Save
    assert editor.save() is True
    assert editor.path.read_text() == text == editor.toml.toPlainText()
    assert editor.windowTitle().startswith("ciw.toml —") and editor._may_discard()


def test_a_spec_saved_with_problems_is_a_draft_until_saved_without(qtbot, editor, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box) or
                        QMessageBox.StandardButton.Save)
    editor.select(("timescales", draft_index()))
    met_by = dict(editor.doc.get(("timescales", draft_index(), "met_by")))
    editor.edit(("timescales", draft_index(), "met_by"), {"event": "no_such_event"}, "Break it")
    assert editor.save()
    assert asked[0].defaultButton() is asked[0].button(QMessageBox.StandardButton.Cancel)
    assert "no_such_event" in asked[0].text()  # the problem is named, not only counted
    assert load_version(editor.path) == "2019-04-draft"
    editor.edit(("timescales", draft_index(), "met_by"), met_by, "Put it right")
    assert editor.save() and len(asked) == 1
    assert load_version(editor.path) == "2019-04"
    assert "no longer marked as a draft" in editor.notice.text()


def load_version(path) -> str:
    import tomllib
    return tomllib.loads(path.read_text())["process"]["version"]


def test_closing_with_unsaved_changes_asks(qtbot, editor, monkeypatch):
    editor.select(("process",))
    line = editor.fields["title"]
    line.setText("A changed title")
    line.editingFinished.emit()
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel)
    editor.close()
    assert asked and editor.isVisible()
    assert asked[0][2] == "Save the changes to ciw.toml first?\n• Change ‘Title’"
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    editor.close()
    assert not editor.isVisible()


def test_a_file_with_a_toml_mistake_opens_to_be_put_right(qtbot, tmp_path):
    path = tmp_path / "broken.toml"
    text = (ROOT / "specs" / "swia_handover.toml").read_text().replace(
        'within = "12 weeks"', "within = 12 weeks", 1)
    path.write_text(text)
    window = EditorWindow(None, path, D(2027, 3, 1))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.checked, timeout=WAIT_MS):
        window.show()
    assert window.tabs.currentWidget() is window.toml and window.toml.toPlainText() == text
    assert not window.form_widget.isEnabled()
    assert any('put the text in quotes: within = "12 weeks"' in window.problem_list.item(i).text()
               for i in range(window.problem_list.count()))
    assert window._may_discard()  # nothing changed yet
    mended = text.replace("within = 12 weeks", 'within = "12 weeks"', 1)
    with qtbot.waitSignal(window.checked, timeout=WAIT_MS):
        window.toml.setPlainText(mended)
    qtbot.waitUntil(lambda: window.doc.text() == mended, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.form_widget.isEnabled(), timeout=WAIT_MS)
    window.saved_text = window.current_text()


def test_regflow_edit_opens_the_editor_on_a_file(tmp_path):
    from test_cli import regflow

    path = tmp_path / "swia.toml"
    shutil.copy(ROOT / "specs" / "swia_handover.toml", path)
    picture = tmp_path / "editor.png"
    proc = regflow("edit", path, "--screenshot", picture)
    assert proc.returncode == 0, proc.stderr
    assert picture.stat().st_size > 10_000 and path.read_text() == (
        ROOT / "specs" / "swia_handover.toml").read_text()
    proc = regflow("edit", tmp_path / "nope.toml")
    assert proc.returncode == 1
    assert "no such spec file; start one with 'regflow new-spec" in proc.stderr
