"""Readings (a spec's `note`s) are shown where decisions are made: `simulate` and `case show`
(text and JSON), the diagrams' hover text and the case screen's source panel."""

import json
from datetime import date

from test_cli import regflow

from regflow.engine import Case, load_scenario, load_spec, run_scenario
from regflow.engine.cases.readings import readings
from regflow.engine.drawing.diagram import diagram_source

from conftest import ROOT

CIW = ROOT / "specs" / "ciw_2019.toml"
SWIA = ROOT / "specs" / "swia_handover.toml"
EXAMPLES = ROOT / "examples"


def test_readings_follow_what_the_case_shows():
    spec = load_spec(CIW)
    case = Case(spec, opened_on=date(2026, 3, 2))
    case.fire("inspection_announced", date(2026, 3, 2))
    found = readings(case, case.timescales(date(2026, 3, 2)))
    kinds = {(r.kind, r.id) for r in found}
    assert ("timescale", "announcement_lead_time") in kinds  # its clock has started
    assert ("timescale", "draft_report") not in kinds  # not started: nothing to read yet
    lead = next(r for r in found if r.id == "announcement_lead_time")
    assert lead.citation == "6.7" and lead.paragraph.startswith("Individual inspections will generally")
    # what the text says, what regflow does, and why
    assert "What regflow does" in lead.reading and "Why" in lead.reading


def test_every_timescale_reading_of_the_shipped_specs_says_what_it_does_and_why():
    """A reading says what the text says (the source's words, quoted), what regflow does, and
    why; and its strength is the source's own word."""
    for path in (CIW, SWIA):
        for t in load_spec(path).timescales:
            assert "'" in t.note and "What regflow does" in t.note and "Why" in t.note, (path.name, t.id)
            assert t.wording, (path.name, t.id)


def test_simulate_shows_readings_in_text_and_json():
    text = regflow("simulate", CIW, EXAMPLES / "ciw_significant.toml").stdout
    assert "Readings (how the spec reads its source here)" in text
    assert "What regflow does: the last day of that period" in text.replace("\n    ", " ")
    data = json.loads(regflow("simulate", CIW, EXAMPLES / "ciw_significant.toml", "--json").stdout)
    warning = next(r for r in data["readings"] if r["id"] == "warning_notice_action")
    assert warning["kind"] == "timescale" and warning["citation"] == "10.10"
    row = next(r for r in data["timescales"] if r["id"] == "warning_notice_action")
    assert (row["strength"], row["note"]) == ("limit", warning["reading"])


def test_case_show_json_has_the_readings(tmp_path):
    db = tmp_path / "r.db"
    assert regflow("case", "new", "--db", db, "--spec", "swia_handover", "--title", "Eastport",
                   "--on", "2026-03-02", "--today", "2026-03-10").returncode == 0
    regflow("case", "fire", "1", "report_published", "--db", db, "--on", "2026-03-02",
            "--today", "2026-03-10", "--set", "evaluation=good")
    data = json.loads(regflow("case", "show", "1", "--db", db, "--json", "--today", "2026-03-10").stdout)
    plan = next(r for r in data["readings"] if r["id"] == "action_plan")
    assert "84 calendar days" in plan["reading"]
    assert "How regflow reads it" not in json.dumps(data)  # data, not display words


def test_diagram_hover_text_carries_the_reading():
    spec = load_spec(SWIA)
    dot = diagram_source(spec)
    note = spec.states["report_awaiting_members"].note
    assert f"How regflow reads it: {note}".replace('"', '\\"') in dot
    transition = next(t for t in spec.transitions if t.event == "handover_meeting_took_place")
    assert transition.note[:60].replace('"', '\\"') in dot


def test_scenario_readings_are_the_same_as_the_specs_notes():
    spec = load_spec(SWIA)
    result = run_scenario(spec, load_scenario(EXAMPLES / "swia_low_risk.toml"))
    found = {r.id: r.reading for r in readings(result.case, result.case.timescales(result.today))}
    assert found["handover_meeting"] == spec.timescale("handover_meeting").note
