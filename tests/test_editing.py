"""Editing a spec's TOML for the coming editor: the rest of the file stays as it was."""

import difflib

import pytest

from regflow.engine import SpecError, load_spec, loads_spec
from regflow.engine.spec.editing import EditError, SpecDocument

from conftest import ROOT

CIW, SWIA = ROOT / "specs" / "ciw_2019.toml", ROOT / "specs" / "swia_handover.toml"


@pytest.mark.parametrize("path", [CIW, SWIA])
def test_load_save_load_without_an_edit_is_byte_identical(path, tmp_path):
    out = tmp_path / path.name
    SpecDocument.load(path).save(out)
    assert out.read_bytes() == path.read_bytes()


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]


def test_25_to_30_working_days_changes_that_line_only():
    doc = SpecDocument.load(CIW)
    before = doc.text()
    index = next(i for i, t in enumerate(load_spec(CIW).timescales) if t.id == "draft_report")
    doc.set(("timescales", index, "within"), "30 working days")
    assert changed_lines(before, doc.text()) == ['- within = "25 working days"',
                                                 '+ within = "30 working days"']
    spec = loads_spec(doc.text(), str(CIW))
    assert str(spec.timescale("draft_report").within) == "30 working days"


def test_adding_a_state_a_transition_and_a_timescale_gives_the_intended_spec():
    doc = SpecDocument.load(SWIA)
    name = doc.propose_name("states", "Plan acknowledged by SWIA")
    assert name == "plan_acknowledged_by_swia"
    doc.add_named("events", "plan_acknowledged", {"label": "Plan acknowledged", "citation": "23 Purpose"})
    doc.add_named("states", name, {"label": "Plan acknowledged by SWIA", "parent": "action_plan_track",
                                   "citation": "23 Purpose", "final": True})
    doc.add_item("transitions", {"from": "action_plan_produced", "event": "plan_acknowledged",
                                 "to": name, "citation": "23 Purpose"})
    doc.add_item("timescales", {"id": "acknowledgement", "label": "Plan acknowledged within 10 working days",
                                "kind": "deadline", "anchor": {"event": "action_plan_submitted"},
                                "within": "10 working days", "met_by": {"event": "plan_acknowledged"},
                                "citation": "23 Purpose"})
    with pytest.raises(SpecError, match="is final"):  # the loader says so
        loads_spec(doc.text(), str(SWIA))
    doc.delete(("states", "action_plan_produced", "final"))
    spec = loads_spec(doc.text(), str(SWIA))
    assert spec.states[name].parent == "action_plan_track"
    assert str(spec.timescale("acknowledgement").within) == "10 working days"
    with pytest.raises(EditError, match="already"):
        doc.add_named("states", name, {"label": "again"})


def test_renaming_updates_every_reference():
    doc = SpecDocument.load(CIW)
    doc.rename("fact", "concern_level", "level_of_concern")
    doc.rename("state", "finalising_report", "report_being_finalised")
    doc.rename("event", "report_published", "published")
    text = doc.text()
    spec = loads_spec(text, str(CIW))
    base = load_spec(CIW)
    assert "level_of_concern" in spec.facts and "concern_level" not in spec.facts
    # no reference left behind (notes are prose, and keep their words)
    assert not any("concern_level" in (t.guard or "") for t in spec.transitions)
    assert not any("concern_level" in e.sets + e.requires for e in spec.events.values())
    assert not any("concern_level" in (t.applies_when or "") for t in spec.timescales)
    assert "report_being_finalised" in spec.states and "finalising_report" not in spec.states
    assert spec.timescale("publication_after_comments").anchor.name == "report_being_finalised"
    assert spec.timescale("improvement_plan").anchor.name == "published"
    assert len(spec.transitions) == len(base.transitions)
    guard = next(t.guard for t in spec.transitions if t.event == "published" and t.guard)
    assert "level_of_concern" in guard
    with pytest.raises(EditError, match="no state named"):
        doc.rename("state", "nowhere", "x")


def test_a_version_is_bumped():
    doc = SpecDocument.load(SWIA)
    assert doc.bump_version() == "swia-handbook-23.1"
    assert doc.bump_version() == "swia-handbook-23.2"
