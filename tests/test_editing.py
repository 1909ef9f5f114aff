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
    doc = SpecDocument.load(path)
    twin = doc.copy()  # what the editor changes, leaving the document as it was
    twin.set(("process", "title"), "Changed")
    assert doc.text() == path.read_text() and twin.text() != doc.text()


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
    assert "guard = 'level_of_concern == \"significant\"'" in text  # quoted as it was
    with pytest.raises(EditError, match="no state named"):
        doc.rename("state", "nowhere", "x")


def test_a_timescale_is_renamed_and_a_bad_identifier_refused():
    doc = SpecDocument.load(SWIA)
    before = doc.text()
    assert doc.rename("timescale", "handover_meeting", "handover_meeting_held") == 1
    spec = loads_spec(doc.text(), str(SWIA))
    assert str(spec.timescale("handover_meeting_held").within) == "12 weeks"
    assert "handover_meeting" not in {t.id for t in spec.timescales}
    changed = [a for a, b in zip(before.splitlines(), doc.text().splitlines(), strict=True) if a != b]
    assert changed == ['id = "handover_meeting"']  # one line, the rest of the file as it was
    with pytest.raises(EditError, match="already"):
        doc.rename("timescale", "handover_meeting_held", spec.timescales[0].id)
    with pytest.raises(EditError, match=r"e\.g\. .report_sent."):
        doc.rename("state", next(iter(spec.states)), "Report sent")
    with pytest.raises(EditError, match="no timescale named"):
        doc.rename("timescale", "nowhere", "x")


def test_a_new_part_goes_where_the_specs_keep_it():
    doc = SpecDocument((ROOT / "specs" / "templates" / "empty.toml").read_text())
    doc.add_named("facts", "level", {"label": "Level", "type": "text", "citation": "1"})
    doc.add_named("roles", "lead", {"label": "Lead", "citation": "1"})
    headers = [line for line in doc.text().splitlines() if line.startswith("[")]
    assert headers.index("[roles.lead]") < headers.index("[facts.level]") \
        < headers.index("[states.started]")
    assert "\n\n[roles.lead]\n" in doc.text() and "citation = \"1\"\n\n[facts.level]" \
        in doc.text()
    # a variant: the comment heading its timescales stays with them
    variant = SpecDocument('extends = "ciw_2019"\n\n# what Wales changes\n[[timescales]]\n'
                           'id = "draft_report"\nwithin = "30 working days"\n')
    variant.add_named("states", "x", {"label": "X"})
    assert variant.text() == ('extends = "ciw_2019"\n\n[states.x]\nlabel = "X"\n\n'
                              '# what Wales changes\n[[timescales]]\nid = "draft_report"\n'
                              'within = "30 working days"\n')


def test_a_version_is_bumped():
    doc = SpecDocument.load(SWIA)
    assert doc.bump_version() == "swia-handbook-23.1"
    assert doc.bump_version() == "swia-handbook-23.2"


def test_new_tables_are_written_as_the_rest_of_the_file():
    doc = SpecDocument((ROOT / "specs" / "templates" / "empty.toml").read_text())
    before = doc.text()
    doc.add_named("events", "paused", {"label": "Paused", "citation": "1"})
    doc.add_item("transitions", {"from": "started", "event": "paused", "to": "ended"})
    doc.add_named("paragraphs", "2", {"text": "Paragraph two."})
    doc.add_item("timescales", {"id": "pause", "label": "Pause within 5 days", "kind": "deadline",
                                "anchor": {"state": "started"}, "within": "5 days",
                                "met_by": {"event": "paused"}, "citation": "1"})
    added = changed_lines(before, doc.text())
    assert added == ['+ "2" = "Paragraph two."', "+ [events.paused]", '+ label = "Paused"',
                     '+ citation = "1"', "+ ", "+ ", "+ [[transitions]]", '+ from = "started"',
                     '+ event = "paused"', '+ to = "ended"', "+ ", "+ [[timescales]]",
                     '+ id = "pause"', '+ label = "Pause within 5 days"', '+ kind = "deadline"',
                     '+ anchor = {state = "started"}', '+ within = "5 days"',
                     '+ met_by = {event = "paused"}', '+ citation = "1"'], added
    assert "\n\n\n" not in doc.text()  # one blank line between tables, as around them
    spec = loads_spec(doc.text(), "new.toml")
    assert spec.paragraphs["2"] == "Paragraph two."
    assert spec.timescale("pause").anchor.name == "started"
    doc.remove("timescales", 0)
    doc.remove("paragraphs", "2")
    assert 'id = "pause"' not in doc.text() and "Paragraph two" not in doc.text()
    assert loads_spec(doc.text(), "new.toml").timescales == ()


def test_references_say_what_deleting_a_name_would_break():
    doc = SpecDocument.load(CIW)
    used = doc.references("event", "draft_report_shared")
    assert ("timescales", 4, "met_by", "event") in used
    assert all(doc.get(p) == "draft_report_shared" for p in used)
    guards = doc.references("fact", "concern_level")
    assert any(p[0] == "transitions" and p[2] == "guard" for p in guards)
    assert doc.references("fact", "concern") == []  # a word inside another name is not it


def test_a_condition_is_written_from_a_fact_and_a_comparison():
    from datetime import date

    from regflow.engine.spec.editing import and_also, condition, facts_of, read_condition
    from regflow.engine.spec.guards import GuardSyntaxError

    facts = facts_of(SpecDocument.load(CIW))
    level = condition(facts["concern_level"], "is", "significant")
    assert level == 'concern_level == "significant"'
    assert condition(facts["warning_notice_given"], "is no") == "not warning_notice_given"
    assert condition(facts["warning_notice_action_due"], "is before", date(2027, 1, 31)) \
        == 'warning_notice_action_due < d"2027-01-31"'
    both = and_also(level, condition(facts["officials_meeting_held"], "is yes"))
    assert both == 'concern_level == "significant" and officials_meeting_held'
    assert and_also("a or b", "c") == "(a or b) and c"
    assert read_condition(both, facts).startswith("Level of concern")
    with pytest.raises(EditError, match="not a value of"):
        condition(facts["concern_level"], "is", "huge")
    with pytest.raises(EditError, match="cannot be compared"):
        condition(facts["concern_level"], "is before", "x")
    with pytest.raises(GuardSyntaxError, match="unknown fact"):
        read_condition('concern == "x"', facts)


def test_a_spec_starts_from_a_template_or_as_a_variant(tmp_path):
    from regflow.engine.errors import RegflowError
    from regflow.engine.spec.starting import as_variant, from_template, templates

    assert templates()["inspection"] == "Inspection with report and follow-up"
    made = from_template("inspection", tmp_path / "mine.toml", "Care home inspections")
    spec = load_spec(made)
    assert (spec.process.id, spec.process.title) == ("care_home_inspections",
                                                     "Care home inspections")
    with pytest.raises(RegflowError, match="exists already"):
        from_template("inspection", made)
    with pytest.raises(RegflowError, match=r"a \.toml file"):
        from_template("inspection", tmp_path / "mine.txt")
    variant = as_variant(made, tmp_path / "v.toml", "Pilot")
    assert 'extends = "mine.toml"' in variant.read_text()
    assert load_spec(variant).states == spec.states
    shipped = as_variant(CIW, tmp_path / "ciw_pilot.toml", "CIW pilot")
    assert 'extends = "ciw_2019"' in shipped.read_text()  # a shipped spec by its id
    assert load_spec(shipped).process.version == "2019-04-variant"


def test_open_cases_on_a_spec_version_are_counted(tmp_path):
    from datetime import date

    from regflow.engine.register.api import Register

    with Register(tmp_path / "r.sqlite", today=date(2027, 3, 1)) as register:
        assert register.cases_on_version("ciw_2019", "2019-04") == (0, 0)
        register.new_case(CIW, "A council", date(2027, 1, 4))
        register.new_case(SWIA, "Another council", date(2027, 1, 4))
        assert register.cases_on_version("ciw_2019", "2019-04") == (1, 1)
        assert register.cases_on_version("ciw_2019", "2019-04.1") == (0, 0)
