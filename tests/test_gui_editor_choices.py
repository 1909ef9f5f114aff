"""The add dialogs with real widgets: nothing a hurried person would accept wrongly is chosen
for them. The event and target of a step, the clock of a timescale and a required source
paragraph start on "choose…", and the add button waits, saying what is still to choose; the
step form's long list of stages can be filtered."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog
from test_gui import WAIT_MS, output_dir

from regflow.gui.editor.dialogs import CHOOSE
from regflow.gui.editor.fields import NONE
from regflow.gui.editor.window import EditorWindow

from conftest import ROOT


@pytest.fixture
def ciw(qtbot, tmp_path):
    path = tmp_path / "ciw.toml"
    shutil.copy(ROOT / "specs" / "ciw_2019.toml", path)
    window = EditorWindow(None, path, date(2027, 3, 1))
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "saved_text", w.doc.text()))
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.spec is not None, timeout=WAIT_MS)
    return window


def shoot(widget, tmp_path, name: str) -> None:
    QTest.qWait(200)
    assert widget.grab().save(str(output_dir(tmp_path) / f"{name}.png"), "PNG")


def texts(picker) -> list[str]:
    return [picker.itemText(i) for i in range(picker.count())]


def test_a_step_waits_for_its_event_and_target_to_be_chosen(qtbot, ciw, tmp_path):
    ciw.select(("states", "drafting_report"))
    dialog = ciw.add("transition")
    w = dialog.widgets
    assert w["from"].name() == "drafting_report"  # what the person chose in the outline
    for key in ("event", "to"):
        assert w[key].name() is None and w[key].currentText() == CHOOSE
    # the source paragraph is chosen, not taken from the stage (8.3 there); a step needs none
    assert w["citation"].name() is None and w["citation"].currentText() == NONE
    assert not dialog.ok.isEnabled()
    assert dialog.problem.text() == "Still to choose: the event, where it leads."
    shoot(dialog, tmp_path, "editor_add_step_unchosen")
    dialog.ok.click()  # a hurried click adds nothing
    assert dialog.isVisible() and len(ciw.spec.transitions) == len(ciw.doc.doc["transitions"])
    w["event"].set_name("draft_report_shared")
    assert not dialog.ok.isEnabled() and dialog.problem.text() == \
        "Still to choose: where it leads."
    w["to"].set_name("factual_accuracy_check")
    assert dialog.ok.isEnabled() and dialog.problem.text() == ""
    before = len(ciw.doc.doc["transitions"])
    with qtbot.waitSignal(ciw.checked, timeout=WAIT_MS):
        dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    added = ciw.doc.doc["transitions"][before]
    assert (added["from"], added["event"], added["to"]) == (
        "drafting_report", "draft_report_shared", "factual_accuracy_check")
    assert "citation" not in added


def test_a_step_with_nothing_chosen_in_the_outline_starts_nowhere(ciw):
    dialog = ciw.add("transition")
    assert dialog.widgets["from"].currentText() == CHOOSE
    assert dialog.problem.text() == \
        "Still to choose: where the step starts, the event, where it leads."
    dialog.reject()


def test_a_timescale_waits_for_its_clock_and_its_required_source(qtbot, ciw, tmp_path):
    ciw.select(("timescales", 0))
    dialog = ciw.add("timescale")
    w = dialog.widgets
    assert w["anchor"].ref() is None and w["anchor"].currentText() == CHOOSE
    # a timescale must cite its source: "none" is not offered, nothing is pre-chosen
    assert NONE not in texts(w["citation"])
    assert w["citation"].currentText() == CHOOSE
    w["label"].setText("Meeting held within 15 working days of the warning notice decision")
    w["within"].line.setText("15 working days")
    assert not dialog.ok.isEnabled()
    assert dialog.problem.text() == "Still to choose: what starts the clock, the source " \
        "paragraph."
    shoot(dialog, tmp_path, "editor_add_timescale_unchosen")
    w["anchor"].set_name("event:warning_notice_decided")
    w["citation"].set_name("10.6")
    assert dialog.ok.isEnabled()
    # a delay records an event when it ends: that too is chosen, not the first of the list
    w["kind"].setCurrentIndex(w["kind"].findData("delay"))
    w["after"].line.setText("5 working days")
    assert w["fires"].currentText() == CHOOSE and not dialog.ok.isEnabled()
    assert "the event it records" in dialog.problem.text()
    dialog.reject()


def test_a_long_list_of_stages_in_the_step_form_can_be_filtered(qtbot, ciw, tmp_path):
    step = next(i for i, t in enumerate(ciw.doc.doc["transitions"])
                if t["event"] == "draft_report_shared")
    ciw.select(("transitions", step))
    qtbot.waitUntil(lambda: ciw.fields["from"].filter.isVisible(), timeout=WAIT_MS)
    ticked = ciw.fields["from"]
    assert ticked.list.count() > 80
    assert ticked.list.height() >= 12 * ticked.list.sizeHintForRow(0)
    chosen = ticked.names()
    ticked.filter.setText("fieldwork")
    shown = [ticked.list.item(i) for i in range(ticked.list.count())
             if not ticked.list.item(i).isHidden()]
    assert shown and len(shown) < 10
    assert all("fieldwork" in f"{i.text()} {i.toolTip()}".lower()
               or i.toolTip() in chosen for i in shown)
    assert {i.toolTip() for i in shown} >= set(chosen)  # what is ticked always shows
    shoot(ciw, tmp_path, "editor_step_from_filtered")
    ticked.filter.clear()
    assert not any(ticked.list.item(i).isHidden() for i in range(ticked.list.count()))
