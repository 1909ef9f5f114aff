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
        window.saved_text = window.doc.text()


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


def test_a_toml_mistake_is_said_in_words(qtbot, editor, tmp_path):
    text = editor.toml.toPlainText().replace('within = "25 working days"', "within = 25 working days", 1)
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        editor.toml.setPlainText(text)
    messages = [editor.problem_list.item(i).text() for i in range(editor.problem_list.count())]
    assert any('put the text in quotes: within = "25 working days"' in m for m in messages)
    editor.tabs.setCurrentIndex(1)
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_toml_problem.png"), "PNG")
    # saving it needs a confirmation, and marks the spec a draft
    asked = []
    editor._toml_edited()
    from PySide6 import QtWidgets

    orig = QtWidgets.QMessageBox.question
    QtWidgets.QMessageBox.question = lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel
    try:
        assert editor.save() is False and asked
    finally:
        QtWidgets.QMessageBox.question = orig


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
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    editor.close()
    assert not editor.isVisible()
