"""What-if timelines: the dates a spec's deadlines fall on along its usual path, checked
against dates worked out by hand with the bank holidays of each nation."""

import csv
import io
import json
from datetime import date

import pytest
from test_cli import regflow

from regflow.engine import load_spec
from regflow.engine.compare.timeline import TimelineError, timeline

from conftest import ROOT

D = date
CIW = ROOT / "specs" / "ciw_2019.toml"
SWIA = ROOT / "specs" / "swia_handover.toml"


def dues(found):
    return {e.id: e.due for e in found.entries}


def test_ciw_from_the_end_of_fieldwork_over_easter_and_the_may_bank_holidays():
    """Fieldwork completed Monday 1 March 2027 (Wales: Good Friday 26 March, Easter Monday
    29 March, 3 May and 31 May are bank holidays). 8.5: 25 working days, Wednesday 7 April;
    8.7: 10 more, Wednesday 21 April; 8.8: 25 more, Thursday 27 May; 8.4: 50 from the start,
    Thursday 13 May; 9.1: 20 working days from publication on 13 May, Friday 11 June."""
    found = timeline(load_spec(CIW), D(2027, 3, 1), "fieldwork_completed")
    assert dues(found) == {
        "initial_feedback": D(2027, 3, 1), "feedback_questionnaire": D(2027, 3, 1),
        "draft_report": D(2027, 4, 7), "factual_accuracy_period": D(2027, 4, 21),
        "publication": D(2027, 5, 13), "publication_after_comments": D(2027, 5, 27),
        "improvement_plan": D(2027, 6, 11)}
    # clocks started before the start event (the announcement's four weeks) are not shown
    assert "announcement_lead_time" not in dues(found)
    assert [e.due for e in found.entries] == sorted(e.due for e in found.entries)


def test_ciw_from_publication_over_easter():
    """Published Monday 1 March 2027: 9.1's 20 working days skip Good Friday (26 March) and
    Easter Monday (29 March): Wednesday 31 March, not Monday 29 March."""
    found = timeline(load_spec(CIW), D(2027, 3, 1), "report_published")
    assert dues(found) == {"improvement_plan": D(2027, 3, 31)}


def test_another_path_is_chosen_by_facts():
    found = timeline(load_spec(CIW), D(2027, 3, 1), "fieldwork_completed",
                     {"concern_level": "significant"})
    window = next(e for e in found.entries if e.id == "significant_follow_up_window")
    # 10.12: 12-18 months of publication (13 May 2027)
    assert (window.earliest, window.due) == (D(2028, 5, 13), D(2028, 11, 13))


def test_swia_twelve_weeks_are_calendar_weeks():
    """Published Monday 14 December 2026: twelve weeks later is Monday 8 March 2027, whatever
    Scotland's Christmas and New Year holidays; the follow-up and signing-off a year on."""
    found = timeline(load_spec(SWIA), D(2026, 12, 14), "report_published")
    assert dues(found) == {"action_plan": D(2027, 3, 8), "handover_meeting": D(2027, 3, 8),
                           "follow_up_one_year": D(2027, 12, 14),
                           "signing_off_meeting": D(2027, 12, 14)}
    assert {e.id: e.strength for e in found.entries}["handover_meeting"] == "limit"


def test_bad_start_event_and_fact_are_named():
    with pytest.raises(TimelineError, match="did you mean 'fieldwork_completed'"):
        timeline(load_spec(CIW), D(2027, 3, 1), "fieldwork_complete")
    with pytest.raises(TimelineError, match="unknown fact 'concern_levl'"):
        timeline(load_spec(CIW), D(2027, 3, 1), None, {"concern_levl": "x"})


def test_command_prints_a_table_csv_and_json():
    text = regflow("timeline", "ciw_2019", "--start", "2027-03-01", "--from", "fieldwork_completed")
    assert text.returncode == 0 and "2027-05-27  Thu" in text.stdout and "[8.8]" in text.stdout
    rows = list(csv.DictReader(io.StringIO(regflow(
        "timeline", SWIA, "--start", "2026-12-14", "--from", "report_published", "--csv").stdout)))
    assert {r["id"]: r["due"] for r in rows}["handover_meeting"] == "2027-03-08"
    data = json.loads(regflow("timeline", "ciw_2019", "--start", "2027-03-01", "--from",
                              "fieldwork_completed", "--set", "concern_level=significant",
                              "--json").stdout)
    assert data["facts"] == {"concern_level": "significant"}
    assert any(s["event"] == "officials_meeting_arranged" for s in data["steps"])
    bad = regflow("timeline", "ciw_2019", "--start", "2027-03-01", "--set", "concern_level=huge")
    assert bad.returncode == 1 and "not one of" in bad.stderr and "Traceback" not in bad.stderr


def test_from_the_opening_of_a_case_the_walk_goes_on_to_the_first_clock():
    """Opened Monday 1 March 2027 with nothing due yet: the inspection is announced that day,
    and fieldwork starts on the first working day the four weeks of 6.7 allow: they end on
    Easter Monday (29 March), so Tuesday 30 March. The reporting timescales follow from it:
    8.5's 25 working days skip the early May bank holiday (3 May): Wednesday 5 May."""
    found = timeline(load_spec(CIW), D(2027, 3, 1))
    assert found.steps[:2] == [(D(2027, 3, 1), "inspection_announced"),
                               (D(2027, 3, 30), "fieldwork_started")]
    assert dues(found)["draft_report"] == D(2027, 5, 5)
    # a lead time ending on a working day: the step comes that very day
    assert timeline(load_spec(CIW), D(2027, 3, 2)).steps[1] == (D(2027, 3, 30),
                                                                "fieldwork_started")
    assert timeline(load_spec(SWIA), D(2027, 3, 1)).entries  # SWIA too


def test_facts_given_take_the_path_through_the_steps_that_record_them():
    """Serious concerns answered by an improvement conference: 10.4's window runs 12-18
    months from the end of fieldwork (30 March 2027, after Easter Monday): 30 March to 30
    September 2028."""
    found = timeline(load_spec(CIW), D(2027, 3, 1), None,
                     {"concern_level": "serious", "serious_concerns_response":
                      "improvement_conference"})
    window = next(e for e in found.entries if e.id == "serious_conference_deadline")
    assert (window.earliest, window.due) == (D(2028, 3, 30), D(2028, 9, 30))
    assert found.unused == []
    # a fact whose step the path never comes to is said, not silently dropped
    found = timeline(load_spec(CIW), D(2027, 3, 1), "fieldwork_completed",
                     {"warning_notice_given": True})
    assert found.unused == ["warning_notice_given"]
    proc = regflow("timeline", "ciw_2019", "--start", "2027-03-01", "--from",
                   "fieldwork_completed", "--set", "warning_notice_given=true")
    assert proc.returncode == 0
    assert ("--set warning_notice_given was not used: the path did not come to ‘Welsh Ministers "
            "decided whether to give a warning notice’") in proc.stderr


def test_an_unreachable_start_names_the_facts_that_decide_it():
    with pytest.raises(TimelineError, match="the facts that decide whether it can: "
                                            r"concern_level, .*warning_notice_given"):
        timeline(load_spec(CIW), D(2027, 3, 1), "warning_notice_decided")
    twice = regflow("timeline", "ciw_2019", "--start", "2027-03-01", "--set", "concern_level=serious",
                    "--set", "concern_level=none")
    assert twice.returncode == 1 and "--set concern_level is given twice" in twice.stderr
