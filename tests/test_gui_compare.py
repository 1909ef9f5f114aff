"""The compare screen with real widgets: two regimes, two versions, linked zoom and pan."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings
from test_gui import WAIT_MS, output_dir

from regflow.gui.compare.window import CompareWindow
from regflow.gui.main_window import MainWindow

from conftest import ROOT

TODAY = date(2027, 3, 1)


def shown(qtbot, window: CompareWindow, left: str, right: str) -> CompareWindow:
    with qtbot.waitSignal(window.ready, timeout=WAIT_MS):
        window.choose(left, right)
    assert window.last_error is None, window.last_error
    return window


@pytest.fixture
def window(qtbot):
    w = CompareWindow(None, TODAY)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_two_regimes_side_by_side(qtbot, window, tmp_path):
    shown(qtbot, window, "ciw_2019", "swia_handover")
    found = window.comparison
    assert found.diff is None and not window.tabs.isTabEnabled(3)
    assert all(v.document is not None for v in window.views)
    # the action plan row: CIW 9.1 against SWIA's twelve weeks
    table = window.milestone_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "Action plan")
    assert "[9.1]" in table.item(row, 1).text() and "[23 Purpose]" in table.item(row, 2).text()
    assert found.timelines and window.timeline_view.renderer().isValid()
    folder = output_dir(tmp_path)
    for n, name in enumerate(("compare_diagrams", "compare_milestones", "compare_timeline")):
        window.tabs.setCurrentIndex(n)
        qtbot.wait(50)
        assert window.grab().save(str(folder / f"{name}.png"), "PNG")


def test_linked_zoom_and_pan(qtbot, window):
    shown(qtbot, window, "ciw_2019", "swia_handover")
    a, b = window.views
    a.set_zoom(1.0)
    assert abs(b.zoom() - 1.0) < 1e-6
    bar = a.horizontalScrollBar()
    bar.setValue(bar.maximum())
    other = b.horizontalScrollBar()
    assert other.maximum() == 0 or other.value() == other.maximum()
    b.set_zoom(0.5)
    assert abs(a.zoom() - 0.5) < 1e-6


def test_two_versions_show_what_changed(qtbot, window, tmp_path):
    shown(qtbot, window, "ciw_2019", str(ROOT / "examples" / "ciw_2019_pilot.toml"))
    found = window.comparison
    assert [c.id for c in found.diff] == ["draft_report"] and window.tabs.isTabEnabled(3)
    assert window.changes_table.item(0, 0).text() == "timescale draft_report"
    assert "25 working days → 30 working days" in window.changes_table.item(0, 2).text()
    assert all(b"&#9998;" in v.svg or "✎".encode() in v.svg for v in window.views)
    window.tabs.setCurrentIndex(3)
    assert window.grab().save(str(output_dir(tmp_path) / "compare_changes.png"), "PNG")


def test_a_spec_that_does_not_load_is_explained_and_nothing_stale_is_left(qtbot, window,
                                                                          tmp_path):
    shown(qtbot, window, "ciw_2019", "swia_handover")
    bad = tmp_path / "bad.toml"
    bad.write_text("[process]\nid = 1\n")
    window.choose("ciw_2019", str(bad))
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=WAIT_MS)
    assert "bad.toml" in window.status.text() and window.go.isEnabled()
    # the last comparison is not left on screen under the new choice
    assert window.comparison is None and all(v.document is None for v in window.views)
    assert window.milestone_table.rowCount() == 0


def test_facts_choose_the_timeline_path(qtbot, window):
    """Serious concerns answered by an improvement conference: CIW's 10.4 window appears on
    the timeline from the judgment of concerns; SWIA takes the facts it has."""
    window.milestone.setCurrentIndex(window.milestone.findData("concerns_considered"))
    window.facts.setText("concern_level=serious, serious_concerns_response=improvement_conference,"
                         " evaluation=unsatisfactory")
    shown(qtbot, window, "ciw_2019", "swia_handover")
    ciw, _swia = window.comparison.timelines
    assert "serious_conference_deadline" in {e.id for e in ciw.entries}
    window.facts.setText("concern_levl=serious")  # mistyped: said, not compared without it
    window.run()
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=WAIT_MS)
    assert "did you mean 'concern_level'?" in window.last_error


def test_the_main_window_opens_it(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    main = MainWindow(settings, today=TODAY)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.open_compare()
    compare = main.compare_window
    qtbot.waitUntil(lambda: compare.comparison is not None, timeout=WAIT_MS)
    assert compare.isVisible()
