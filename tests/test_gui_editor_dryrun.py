"""The editor's dry run with real widgets: it starts from a case's opening and says so, dates
carry their weekday, the columns fit the tab, and what the last change moved is marked until
the next change (25 → 30 working days moves the draft report and what follows it)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtTest import QTest
from test_gui import WAIT_MS, output_dir

from regflow.engine import load_spec, loads_spec
from regflow.engine.compare.timeline import timeline
from regflow.engine.spec.editing import SpecDocument
from regflow.gui.editor.dryrun import DryRun, changes, day_text
from regflow.gui.editor.window import EditorWindow

from conftest import ROOT

START = date(2026, 12, 4)  # a Friday
CIW = ROOT / "specs" / "ciw_2019.toml"


@pytest.fixture
def editor(qtbot, tmp_path):
    path = tmp_path / "ciw.toml"
    shutil.copy(CIW, path)
    window = EditorWindow(None, path, START)
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "saved_text", w.doc.text()))
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.dry_run.table.rowCount() > 0, timeout=WAIT_MS)
    window.dry_run.parentWidget().parentWidget().setCurrentWidget(window.dry_run)
    return window


def rows(dry: DryRun) -> list[list[str]]:
    table = dry.table
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def row_of(dry: DryRun, citation: str) -> int:
    return next(r for r, cells in enumerate(rows(dry)) if cells[1].endswith(f"[{citation}]"))


def shoot(widget, tmp_path, name: str) -> None:
    QTest.qWait(200)
    assert widget.grab().save(str(output_dir(tmp_path) / f"{name}.png"), "PNG")


def edit_within(qtbot, editor: EditorWindow, timescale: str, text: str,
                key: str = "within") -> None:
    """Type ``text`` into the form's field ``key`` of ``timescale``, as a person would."""
    index = next(i for i, t in enumerate(editor.spec.timescales) if t.id == timescale)
    editor.select(("timescales", index))
    field = editor.fields[key]
    field = getattr(field, "line", field)
    field.setText(text)
    field.textEdited.emit(text)
    with qtbot.waitSignal(editor.dry_run.filled, timeout=WAIT_MS):  # worked out after the check
        field.editingFinished.emit()


def test_it_starts_from_the_opening_and_says_what_is_assumed(editor):
    dry = editor.dry_run
    assert dry.start_event.currentData() is None
    said = dry.assumed.text()
    assert "the opening of a case on Fri 2026-12-04" in said
    assert "last day its timescale allows" in said and "Wales" in said
    # the engine's timeline from the opening, every date with its weekday as the CLI shows it
    expected = timeline(editor.spec, START).entries
    assert [r[0].replace("\n", " ") for r in rows(dry)] == [
        (f"not before {day_text(e.earliest)}" if e.due is None else day_text(e.due))
        for e in expected]
    feedback = rows(dry)[row_of(dry, "8.1")][0]
    assert feedback == "Mon 2027-01-04"  # the end of fieldwork, not the start day
    assert day_text(date(2027, 5, 5)) == "Wed 2027-05-05"
    # nothing marked before any change
    assert dry.moved == {} and dry.summary.text() == ""


def test_the_columns_fit_the_tab_at_the_default_size(editor, tmp_path):
    table = editor.dry_run.table
    QTest.qWait(100)
    head = table.horizontalHeader()
    used = sum(head.sectionSize(c) for c in range(table.columnCount()))
    assert used <= table.viewport().width()
    assert head.sectionViewportPosition(2) + head.sectionSize(2) <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    # a long title wraps onto more lines rather than running off the edge
    long = row_of(editor.dry_run, "8.8")
    assert table.rowHeight(long) > table.rowHeight(row_of(editor.dry_run, "8.1"))
    assert "within 25 working days" in table.item(long, 1).toolTip()
    shoot(editor, tmp_path, "editor_dryrun_window")


def test_25_to_30_working_days_marks_the_dates_it_moved(qtbot, editor, tmp_path):
    dry = editor.dry_run
    before = {r[1]: r[0] for r in rows(dry)}
    shoot(dry, tmp_path, "editor_dryrun_before")
    edit_within(qtbot, editor, "draft_report", "30 working days")
    after = rows(dry)
    moved = {cells[1] for cells in after if "\nwas " in cells[0]}
    assert {title.rsplit("[", 1)[1] for title in moved} == {"8.5]", "8.7]", "8.8]"}
    draft = after[row_of(dry, "8.5")]
    assert draft[0] == "Mon 2027-02-15\nwas Mon 2027-02-08"
    assert before[draft[1]] == "Mon 2027-02-08"
    assert dry.table.item(row_of(dry, "8.5"), 1).font().bold()
    assert not dry.table.item(row_of(dry, "8.4"), 1).font().bold()  # 8.4 did not move
    assert dry.summary.text() == "Your last change: 3 dates moved (marked below)."
    shoot(dry, tmp_path, "editor_dryrun_after")
    # the marks stay until the next change: a new title moves no date, and clears them
    edit_within(qtbot, editor, "draft_report",
                "Draft report shared within 30 working days of the end of fieldwork", "label")
    assert dry.moved == {} and not any("\nwas " in cells[0] for cells in rows(dry))
    assert dry.summary.text() == "Your last change moved no date."
    earlier = {e.id: e.due for e in timeline(editor.spec, START).entries}
    edit_within(qtbot, editor, "publication", "51 working days")
    later = {e.id: e.due for e in timeline(editor.spec, START).entries}
    marked = {cells[1].rsplit("[", 1)[1][:-1] for cells in rows(dry) if "\nwas " in cells[0]}
    assert marked == {t.citation for t in editor.spec.timescales if t.id in later
                      and later[t.id] != earlier[t.id]}
    assert "8.4" in marked and "8.5" not in marked


def test_choosing_another_start_marks_nothing(qtbot, editor):
    dry = editor.dry_run
    edit_within(qtbot, editor, "draft_report", "30 working days")
    assert dry.moved
    dry.start_event.setCurrentIndex(dry.start_event.findData("fieldwork_completed"))
    dry.start_event.activated.emit(dry.start_event.currentIndex())
    assert dry.moved == {} and not any("was" in r[0] for r in rows(dry))
    assert "Inspection fieldwork completed on Fri 2026-12-04" in dry.assumed.text()
    assert rows(dry)[row_of(dry, "8.1")][0] == "Fri 2026-12-04"


def test_rows_that_came_and_went_are_said(qtbot):
    text = CIW.read_text(encoding="utf-8")
    doc = SpecDocument(text)
    spec = load_spec(CIW)
    gone = next(i for i, t in enumerate(spec.timescales) if t.id == "draft_report")
    doc.remove("timescales", gone)
    doc.add_item("timescales", {
        "id": "draft_checked", "label": "Draft checked within 3 working days", "kind": "deadline",
        "anchor": {"event": "fieldwork_completed"}, "within": "3 working days",
        "met_by": {"event": "draft_report_shared"}, "citation": "8.5"})
    changed = loads_spec(doc.text(), str(CIW))
    dry = DryRun(START)
    qtbot.addWidget(dry)
    dry.show_spec(loads_spec(text, str(CIW)))
    dry.show_spec(changed)
    cells = rows(dry)
    new = next(r for r in cells if r[1].startswith("Draft checked"))
    assert new[0].endswith("\nnew")
    old = next(r for r in cells if r[1].startswith("Draft report shared within 25"))
    assert old[0] == "no longer on this path\n(was Mon 2027-02-08)"
    assert dry.table.item(cells.index(old), 1).font().strikeOut()
    assert "1 new row" in dry.summary.text() and "1 row gone" in dry.summary.text()


def test_changes_compares_by_timescale_and_occurrence():
    spec = load_spec(CIW)
    first = timeline(spec, START).entries
    later = timeline(spec, date(2026, 12, 11)).entries
    moved = changes(first, later)
    assert set(moved) == {(e.id, 0) for e in first}  # every date a week on
    assert changes(first, first) == {}


def test_while_the_spec_cannot_run_the_dates_are_said_to_be_out_of_date(qtbot, editor):
    dry = editor.dry_run
    edit_within(qtbot, editor, "draft_report", "30 working days")
    text = editor.toml.toPlainText()
    with qtbot.waitSignal(editor.checked, timeout=WAIT_MS):
        editor.toml.setPlainText(text.replace('within = "30 working days"',
                                              'within = "30 wrking days"'))
    assert dry.summary.text().startswith("Out of date: the spec has problems")
    assert not dry.table.isEnabled() and dry.table.rowCount() > 0
    # put right: compared with the last timeline that ran (30 days), nothing moved
    editor.toml.setPlainText(text)
    qtbot.waitUntil(lambda: dry.table.isEnabled(), timeout=WAIT_MS)
    assert dry.table.isEnabled() and dry.summary.text() == "Your last change moved no date."
