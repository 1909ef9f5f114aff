"""The spec editor's live feedback with real widgets: the TOML tab highlighted, problems that
lead to their field or line, every translated TOML syntax message typed into the tab, and a
diagram preview that Graphviz lays out again only when its shape changes."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from test_gui import WAIT_MS, output_dir

from regflow.engine import load_spec
from regflow.gui import tasks
from regflow.gui.diagram import svg as diagram_svg
from regflow.gui.editor.highlight import FORMATS
from regflow.gui.editor.window import EditorWindow

from conftest import ROOT

CIW = ROOT / "specs" / "ciw_2019.toml"


@pytest.fixture(scope="module", autouse=True)
def own_layout_cache(tmp_path_factory):
    """Graphviz layouts are cached in a folder of this module, not the user's cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture
def editor(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "ciw.toml"
    shutil.copy(CIW, path)
    shutil.copy(ROOT / "specs" / "regflow-spec.schema.json", tmp_path)
    # pytest-qt closes the window before this fixture ends: the unsaved-changes question is
    # answered "discard" (no test here saves)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    window = EditorWindow(None, path, date(2027, 3, 1))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.spec is not None and window.preview.document is not None,
                    timeout=WAIT_MS)
    yield window
    qtbot.waitUntil(lambda: not tasks.running, timeout=WAIT_MS)  # no work left for this window


def messages(editor) -> list[str]:
    return [editor.problem_list.item(i).text() for i in range(editor.problem_list.count())]


def line_number(editor, text: str) -> int:
    """The 1-based number of the first line of the TOML tab that is ``text``."""
    return editor.toml.toPlainText().splitlines().index(text) + 1


def type_over_line(qtbot, editor, number: int, typed: str) -> None:
    """Select line ``number`` of the TOML tab and type ``typed`` over it, key by key."""
    editor.tabs.setCurrentWidget(editor.toml)
    editor.toml.setFocus()
    cursor = QTextCursor(editor.toml.document().findBlockByLineNumber(number - 1))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    editor.toml.setTextCursor(cursor)
    qtbot.keyClick(editor.toml, Qt.Key.Key_Delete)
    for part in re.findall(r"[ -~]+|[^ -~]", typed):
        if part.isascii():
            qtbot.keyClicks(editor.toml, part)
        else:  # as a keyboard layout or input method enters “ and ” (QTest types Latin-1 only)
            editor.toml.insertPlainText(part)


def formats_at(editor, number: int) -> list[tuple[str, str]]:
    """(text, colour) of each highlighted stretch of line ``number``."""
    block = editor.toml.document().findBlockByLineNumber(number - 1)
    return [(block.text()[r.start:r.start + r.length], r.format.foreground().color().name())
            for r in block.layout().formats()]


def colour(kind: str) -> str:
    return FORMATS[kind].foreground().color().name()


def draft_index() -> int:
    return next(i for i, t in enumerate(load_spec(CIW).timescales) if t.id == "draft_report")


# -- highlighting -------------------------------------------------------------------------------


def test_the_toml_tab_is_highlighted(qtbot, editor, tmp_path):
    header = line_number(editor, "[process]")
    assert formats_at(editor, header) == [("[process]", colour("header"))]
    block = editor.toml.document().findBlockByLineNumber(header - 1)
    assert block.layout().formats()[0].format.fontWeight() > 400  # bold as well as coloured
    version = line_number(editor, 'version = "2019-04"')
    assert formats_at(editor, version) == [("version", colour("key")),
                                           ('"2019-04"', colour("string"))]
    # a quoted key that looks like a number is a key
    paragraph = next(n for n, line in enumerate(editor.toml.toPlainText().splitlines(), 1)
                     if line.startswith('"5.1" = '))
    assert formats_at(editor, paragraph)[0] == ('"5.1"', colour("key"))
    assert [c for _t, c in formats_at(editor, paragraph)] == [colour("key"), colour("string")]
    # a multi-line text: its middle lines are text too, and the line after it is not
    note = line_number(editor, 'note = """')
    inside = formats_at(editor, note + 1)
    assert len(inside) == 1 and inside[0][1] == colour("string")
    # a comment, a number and a date typed in: highlighted as they are typed
    type_over_line(qtbot, editor, version,
                   'version = "2019-04"  # checked 2026-03-11 by the policy team')
    assert formats_at(editor, version)[-1] == ("# checked 2026-03-11 by the policy team",
                                               colour("comment"))
    assert editor.toml.document().findBlockByLineNumber(version - 1).layout().formats()[
        -1].format.fontItalic()
    type_over_line(qtbot, editor, version, "version = 3")
    assert formats_at(editor, version) == [("version", colour("key")), ("3", colour("number"))]
    type_over_line(qtbot, editor, version, "reviewed = 2026-03-11")
    assert formats_at(editor, version)[-1] == ("2026-03-11", colour("number"))
    # a string holding a '#' is text, not a comment; inline table keys are keys
    type_over_line(qtbot, editor, version, 'anchor = { event = "a#b", when = "x > 1" }')
    found = formats_at(editor, version)
    assert ('"a#b"', colour("string")) in found and ("when", colour("key")) in found
    assert all(c != colour("comment") for _t, c in found)
    type_over_line(qtbot, editor, version, 'version = "2019-04"')
    qtbot.waitUntil(lambda: editor.doc.text() == editor.toml.toPlainText(), timeout=WAIT_MS)
    editor.tabs.setCurrentWidget(editor.toml)
    editor.toml.setTextCursor(QTextCursor(editor.toml.document().findBlockByLineNumber(0)))
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_toml_highlighted.png"), "PNG")


# -- problems lead to their field or line -------------------------------------------------------


def test_a_problem_leads_to_its_field(qtbot, editor, tmp_path):
    index = draft_index()
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        editor.edit(("timescales", index, "within"), "30 wrking days", "Set within")
    items = [editor.problem_list.item(i) for i in range(editor.problem_list.count())]
    item = next(i for i in items if "wrking" in i.text())
    # in plain words: the kind of item and its label, the field, the line
    line = line_number(editor, 'within = "30 wrking days"')
    assert item.text().startswith("✗ Timescale ‘Draft inspection report shared with the local "
                                  "authority’, within:") or "Timescale ‘" in item.text()
    assert item.text().endswith(f"line {line}")
    assert "timescales[" not in item.text()
    editor.select(("process",))
    editor.tabs.setCurrentWidget(editor.toml)
    editor.problem_list.setCurrentItem(item)
    editor.problem_list.itemClicked.emit(item)
    assert editor.selected == ("timescales", index)
    assert editor.outline.currentItem().data(0, Qt.ItemDataRole.UserRole) == ("timescales", index)
    field = editor.fields["within"]
    assert editor.tabs.currentIndex() == 0 and field.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=WAIT_MS)
    assert field.text() == "30 wrking days"
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_problem_selected.png"), "PNG")


def test_a_problem_without_a_field_leads_to_its_line(qtbot, editor):
    # a state without its label: no field shows a missing key, so the line it belongs on
    text = editor.toml.toPlainText()
    start = text.index("[states.finalising_report]\n")
    label = 'label = "Report being finalised and errors corrected"\n'
    assert text[start:].find(label) == len("[states.finalising_report]\n")
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        editor.toml.setPlainText(text.replace(label, "", 1))
    item = next(editor.problem_list.item(i) for i in range(editor.problem_list.count())
                if "label" in editor.problem_list.item(i).text() and "✗" in
                editor.problem_list.item(i).text())
    problem = item.data(Qt.ItemDataRole.UserRole)
    assert problem.line
    editor.tabs.setCurrentIndex(0)
    editor.problem_list.itemClicked.emit(item)
    assert editor.tabs.currentWidget() is editor.toml
    assert editor.toml.textCursor().blockNumber() + 1 == problem.line
    assert editor.toml.textCursor().block().text().startswith("[states.finalising_report]") or \
        problem.line == line_number(editor, "[states.finalising_report]") + 1


# -- every translated TOML syntax message ---------------------------------------------------------

SYNTAX = [
    ("unquoted text", 'within = "25 working days"', "within = 30 working days",
     'put the text in quotes: within = "30 working days"'),
    ("curly quotes", 'within = "25 working days"', "within = “30 working days”",
     'use straight quotes (" or \'), not typographic ones: within = "30 working days"'),
    ("unclosed quote", 'within = "25 working days"', 'within = "30 working days',
     'close the quote: the text starts with " and needs one at its end too'),
    ("short date", 'version = "2019-04"', "reviewed = 2026-3-11",
     "write dates as YYYY-MM-DD with two-digit months and days: 2026-03-11"),
    ("missing value", 'within = "25 working days"', "within =",
     'give within a value after the = sign (text in quotes, e.g. within = "...")'),
]


@pytest.mark.parametrize(("original", "typed", "advice"), [s[1:] for s in SYNTAX],
                         ids=[s[0] for s in SYNTAX])
def test_each_toml_syntax_mistake_is_said_in_words(qtbot, editor, tmp_path, original, typed,
                                                   advice):
    good = editor.doc.text()
    number = line_number(editor, original)
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        type_over_line(qtbot, editor, number, typed)
    shown = messages(editor)
    assert len(shown) == 1, shown
    assert shown[0].startswith(f"✗ {advice}") and shown[0].endswith(f"line {number}")
    # the text typed is kept, the spec as last read too
    assert editor.toml.toPlainText().splitlines()[number - 1] == typed
    assert editor.doc.text() == good
    # the outline and form still show the spec (as last read); the form cannot overwrite
    # what was typed, and the status bar says why
    qtbot.waitUntil(lambda: f"line {number}" in editor.statusBar().currentMessage(),
                    timeout=WAIT_MS)
    assert not editor.form_widget.isEnabled()
    editor.select(("timescales", draft_index()))
    assert editor.fields["within"].text() == "25 working days"
    assert editor.outline.topLevelItemCount() >= 8
    # the problem leads to the line
    editor.problem_list.itemClicked.emit(editor.problem_list.item(0))
    assert editor.tabs.currentWidget() is editor.toml
    assert editor.toml.textCursor().blockNumber() + 1 == number
    if typed == "within = 30 working days":
        editor.problem_list.setCurrentRow(0)
        assert editor.grab().save(str(output_dir(tmp_path) / "editor_syntax_problem.png"), "PNG")
    # put right, the text is taken and the form can be used again
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        type_over_line(qtbot, editor, number, original)
    qtbot.waitUntil(lambda: editor.form_widget.isEnabled(), timeout=WAIT_MS)
    assert editor.doc.text() == good and not any(m.startswith("✗") for m in messages(editor))


def test_typed_toml_becomes_an_edit_that_can_be_undone(qtbot, editor):
    number = line_number(editor, 'version = "2019-04"')
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        type_over_line(qtbot, editor, number, 'version = "2019-05"')
    qtbot.waitUntil(lambda: 'version = "2019-05"' in editor.doc.text(), timeout=WAIT_MS)
    assert editor.form_widget.isEnabled() and editor.undo_stack.count() == 1
    assert editor.spec.process.version == "2019-05"
    editor.undo_stack.undo()
    assert 'version = "2019-04"' in editor.toml.toPlainText()


# -- the live diagram -----------------------------------------------------------------------------


def boxes(editor) -> dict[str, tuple]:
    document = editor.preview.document
    return {name: document.state_box(name) for name in document.states}


def test_the_preview_keeps_its_layout_for_new_words(qtbot, editor, tmp_path):
    before, runs = boxes(editor), diagram_svg.layout_runs
    # a new title and a state's new label: written in place, nothing moves
    with qtbot.waitSignal(editor.previewed, timeout=WAIT_MS):
        editor.edit(("process", "title"), "Review of social services in Wales (edited)",
                    "Set title")
    assert editor.live_preview.last == "relabelled"
    with qtbot.waitSignal(editor.previewed, timeout=WAIT_MS):
        editor.edit(("states", "finalising_report", "label"),
                    "Report being finalised and errors put right", "Set label")
    assert editor.live_preview.last == "relabelled"
    svg = editor.preview.svg.decode()
    assert "Review of social services in Wales (edited)" in svg
    assert "errors put right" in svg and "errors corrected" not in svg
    assert boxes(editor) == before
    editor.preview.show_where(["finalising_report"])
    assert editor.preview.grab().save(str(output_dir(tmp_path) / "editor_preview_relabelled.png"),
                                      "PNG")
    # 25 -> 30 working days does not change the drawing at all
    with qtbot.waitSignal(editor.previewed, timeout=WAIT_MS):
        editor.edit(("timescales", draft_index(), "within"), "30 working days", "Set within")
    assert editor.live_preview.last == "same"
    assert diagram_svg.layout_runs == runs  # no Graphviz run for any of these
    # a new transition changes the drawing's shape: the new arrow is drawn in, nothing moves
    text = editor.toml.toPlainText() + (
        '\n[[transitions]]\nfrom = "finalising_report"\nevent = "case_closed"\n'
        'to = "review_closed"\ncitation = "6.5"\n')
    with qtbot.waitSignal(editor.previewed, timeout=WAIT_MS):
        editor.toml.setPlainText(text)
    assert editor.live_preview.last == "drawn in"
    assert diagram_svg.layout_runs == runs
    assert "e__finalising_report.case_closed.review_closed" in editor.preview.document.items
    assert boxes(editor) == before
    # undoing back to the earlier shape: its drawing is kept, no Graphviz run
    qtbot.waitUntil(lambda: editor.undo_stack.count() == 4, timeout=WAIT_MS)
    with qtbot.waitSignal(editor.previewed, timeout=WAIT_MS):
        editor.undo_stack.undo()
    assert diagram_svg.layout_runs == runs and editor.live_preview.last == "same"
    assert "e__finalising_report.case_closed.review_closed" not in editor.preview.document.items
    assert boxes(editor) == before
    assert editor.preview.grab().save(str(output_dir(tmp_path) / "editor_preview.png"), "PNG")


def test_relabelled_text_is_what_graphviz_would_write(qtbot, editor):
    """The words written in place are the words a full layout would draw, line by line."""
    with qtbot.waitSignal(editor.previewed, timeout=WAIT_MS):
        editor.edit(("states", "finalising_report", "label"),
                    "Report being finalised and errors put right", "Set label")
    assert editor.live_preview.last == "relabelled"
    from regflow.plugins.exporters import render_bytes

    fresh = render_bytes(editor.spec, "svg").decode()

    def texts(svg: str) -> list[str]:
        return re.findall(r"<text[^>]*>(.*?)</text>", svg)

    assert texts(editor.preview.document.text) == texts(fresh)


def test_choosing_a_stage_brings_it_into_view_readable(qtbot, editor, tmp_path):
    def in_view(name: str) -> bool:
        box = next(rect for _area, state, rect in editor.preview._states if state == name)
        seen = editor.preview.mapToScene(editor.preview.viewport().rect()).boundingRect()
        return seen.contains(box.center())

    editor.preview.fit()  # CIW whole: far too small to read beside the form
    assert editor.preview.zoom() < 0.5
    editor.select(("states", "advance_information_awaited"))
    assert editor.preview.zoom() >= 0.8 and in_view("advance_information_awaited")
    step = next(t for t in editor.spec.transitions if t.event == "draft_report_shared")
    editor.select(("transitions", step.index))
    assert in_view(step.sources[0])
    assert editor.preview.grab().save(str(output_dir(tmp_path) / "editor_preview_step.png"),
                                      "PNG")


def drawn(editor) -> dict[str, str]:
    """The geometry of every state, frame and arrow on the preview, by id."""
    text = editor.preview.document.text
    out = {}
    for found in re.finditer(r'<g id="([se]__[^"]+)" class="(?:node|edge|cluster)">(.*?)(?=<g id="'
                             r'[^"]*" class="(?:node|edge|cluster)">|</svg>)', text, re.S):
        out[found.group(1)] = " ".join(re.findall(r'\s(?:d|points|x|y)="([^"]*)"', found.group(2)))
    return out


def test_a_new_state_and_arrow_are_drawn_in_without_moving_anything(qtbot, editor, tmp_path):
    before, runs = drawn(editor), diagram_svg.layout_runs
    editor.preview.show_where(["finalising_report"])
    assert editor.preview.grab().save(str(output_dir(tmp_path) / "editor_preview_before_add.png"),
                                      "PNG")
    editor._add("state", "legal_check", {"label": "Report checked by the legal team",
                                         "parent": "reporting", "role": "lead_inspector",
                                         "citation": "8.7"})
    with qtbot.waitSignal(editor.previewed, timeout=WAIT_MS):
        editor._add("transition", None, {"from": "finalising_report", "event": "case_closed",
                                         "to": "legal_check", "citation": "6.5"})
    qtbot.waitUntil(lambda: "s__legal_check" in editor.preview.document.items, timeout=WAIT_MS)
    assert editor.live_preview.last == "drawn in" and diagram_svg.layout_runs == runs
    after = drawn(editor)
    added = set(after) - set(before)
    assert added == {"s__legal_check", "e__finalising_report.case_closed.legal_check"}
    # every state and arrow drawn before is where it was; only frames may have grown
    moved = {k for k in before if before[k] != after.get(k)}
    assert all(editor.preview.document.items[k].kind == "cluster" for k in moved), moved
    document = editor.preview.document
    new = document.items["s__legal_check"].box
    frame = document.items["s__reporting"].box
    assert frame[0] <= new[0] and frame[1] <= new[1] and new[2] <= frame[2] and new[3] <= frame[3]
    others = [item.box for key, item in document.items.items()
              if item.kind == "node" and key != "s__legal_check" and item.box]
    assert not any(new[0] < o[2] and o[0] < new[2] and new[1] < o[3] and o[1] < new[3]
                   for o in others)
    editor.preview.show_where(["legal_check"])
    assert editor.preview.grab().save(str(output_dir(tmp_path) / "editor_preview_drawn_in.png"),
                                      "PNG")
    # the tidy layout: Graphviz, on demand
    button = editor.findChild(QPushButton, "tidy_layout")
    assert "Graphviz" in button.toolTip() and "may move" in button.toolTip()
    assert button.text() == "Tidy layout (1)" and "1 change of shape drawn in" in button.toolTip()
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_drawn_in.png"), "PNG")
    with qtbot.waitSignal(editor.previewed, timeout=WAIT_MS):
        button.click()
    assert editor.live_preview.last == "laid out" and diagram_svg.layout_runs == runs + 1
    assert "s__legal_check" in editor.preview.document.items and button.text() == "Tidy layout"
    assert editor.preview.grab().save(str(output_dir(tmp_path) / "editor_preview_tidied.png"),
                                      "PNG")


def test_a_deleted_step_takes_out_exactly_its_arrow(qtbot, editor):
    before, runs = drawn(editor), diagram_svg.layout_runs
    index = next(i for i, t in enumerate(editor.spec.transitions)
                 if t.sources == ("follow_up_to_announce",) and t.event == "inspection_announced")
    with qtbot.waitSignal(editor.previewed, timeout=WAIT_MS):
        editor.change("Delete step", lambda doc: doc.delete(("transitions", index)))
    assert editor.live_preview.last == "drawn in" and diagram_svg.layout_runs == runs
    after = drawn(editor)
    assert set(before) - set(after) == {"e__follow_up_to_announce.inspection_announced.preparation"}
    assert all(after[k] == before[k] for k in after)


def test_find_narrows_the_outline_and_the_toml_tab_follows(qtbot, editor, tmp_path):
    from PySide6.QtWidgets import QLabel

    assert editor.form_widget.findChild(QLabel, "hint") is not None  # nothing chosen yet: what to do
    editor.find.setText("8.5")  # a paragraph number, as the source document has it
    shown = [i.data(0, Qt.ItemDataRole.UserRole) for i in editor.outline.items()
             if not i.isHidden() and len(i.data(0, Qt.ItemDataRole.UserRole) or ()) == 2]
    draft = next(t.index for t in editor.spec.timescales if t.id == "draft_report")
    assert ("timescales", draft) in shown and ("paragraphs", "8.5") in shown
    assert all(editor.doc.get(p).get("citation", p[1]) in ("8.5", p[1]) for p in shown
               if p[0] != "paragraphs")
    assert editor.found.text() == f"{len(shown)} item(s) found"
    editor.outline.setFocus()
    editor.select(("timescales", draft))
    line = editor.toml.textCursor().blockNumber() + 1
    assert editor.toml.toPlainText().splitlines()[line - 1] == "[[timescales]]"
    assert editor.toml.toPlainText().splitlines()[line] == 'id = "draft_report"'
    assert editor.toml.margin_width() > editor.toml.fontMetrics().horizontalAdvance("9999")
    editor.tabs.setCurrentWidget(editor.toml)
    assert editor.grab().save(str(output_dir(tmp_path) / "editor_find.png"), "PNG")
    editor.find.setText("no such words anywhere")
    assert "Nothing has" in editor.found.text()
    editor.find.clear()
    assert all(not i.isHidden() for i in editor.outline.items())


def test_a_new_stage_says_what_to_do_next_and_the_drawing_says_it_is_old(qtbot, editor):
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        editor.change("Add a stage", lambda doc: doc.add_named(
            "states", "translation", {"label": "Welsh translation", "citation": "8.5"}))
    said = messages(editor)
    assert any("Stage ‘Welsh translation’" in m and "Next: add a step that leads to this "
               "stage (Add ▸ Step)" in m for m in said), said
    if any(m.startswith("✗") for m in said):  # cannot be drawn: the old drawing says so
        assert editor.stale.text().startswith("Out of date")
    else:
        assert editor.stale.text() == ""


def test_event_titles_keep_their_acronyms_inside_a_sentence():
    from regflow.gui.editor.outline import in_sentence

    assert in_sentence("Inspection report published on CIW's website") == \
        "inspection report published on CIW's website"
    assert in_sentence("CIW decides") == "CIW decides"
    assert in_sentence("A") == "a"
