"""Scenario tests for specs/swia_handover.toml, written from the SWIA handbook's own words.

Source: SWIA performance inspection handbook, section 23 "Handover and follow-up". Every date
asserted here was computed by hand: twelve weeks = 84 calendar days, months are calendar months,
working days are Scottish (GB-SCT: 25 and 28 December 2026, 1 and 4 January 2027 are holidays).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from regflow.engine import Case, load_scenario, load_spec, run_scenario
from regflow.engine.errors import EventRefused, FactError, UnknownEvent

D = date
ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "specs" / "swia_handover.toml"
EXAMPLES = ROOT / "examples"
SEED_CANDIDATES = [
    ROOT.parent / "shared" / "seeds" / "swia_handbook_23_handover_and_follow_up.txt",
    ROOT / "shared" / "seeds" / "swia_handbook_23_handover_and_follow_up.txt",
]


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC_PATH)


def rows(case: Case, today: date, ident: str):
    found = [r for r in case.timescales(today) if r.id == ident]
    assert found, f"no timescale {ident!r}"
    return found


def row(case: Case, today: date, ident: str):
    (only,) = rows(case, today, ident)
    return only


def published(spec, on=D(2026, 3, 2), evaluation="good", **facts) -> Case:
    case = Case(spec, opened_on=on)
    case.fire("report_published", on=on, facts={"evaluation": evaluation, **facts},
              actor="lead_inspector")
    return case


def handed_over(spec, pub=D(2026, 3, 2), meeting=D(2026, 5, 21), risk="medium",
                evaluation="good", same=False, **meeting_facts) -> Case:
    """Publication, action plan, arrangements and presentation, handover meeting and letter."""
    case = published(spec, on=pub, evaluation=evaluation)
    if evaluation == "unsatisfactory":
        case.fire("serious_concerns_considered", pub,
                  {"serious_concerns": risk == "high", "more_serious_action": "none"})
    case.fire("handover_meeting_arranged", pub)
    case.fire("report_presented_to_elected_members", pub)
    case.fire("action_plan_submitted", meeting)
    case.fire("handover_meeting_took_place", meeting,
              {"risk": risk, "link_inspector_same_as_lead": same, **meeting_facts})
    case.fire("confirmation_letter_sent", meeting)
    return case


# -- the spec itself ------------------------------------------------------------------------


def test_the_spec_validates_and_runs_on_the_scottish_calendar(spec):
    assert spec.process.calendar == "GB-SCT"
    assert SPEC_PATH.read_text().splitlines()[0] == '"$schema" = "./regflow-spec.schema.json"'


def test_no_comments_carry_meaning_everything_is_in_fields():
    """Specs are saved with tomli-w, which drops comments: the spec has none."""
    assert not [line for line in SPEC_PATH.read_text().splitlines() if line.lstrip().startswith("#")]


def test_every_state_event_transition_and_timescale_cites_a_section_heading(spec):
    cited = [s.citation for s in spec.states.values()] + [e.citation for e in spec.events.values()]
    cited += [t.citation for t in spec.transitions] + [t.citation for t in spec.timescales]
    assert all(cited)
    assert {c for c in cited} <= set(spec.paragraphs)
    assert all(key.startswith("23 ") for key in spec.paragraphs)


def _normalise(text: str) -> str:
    text = re.sub(r"[*#]", "", text)
    text = re.sub(r"(?m)^\s*-\s+", " ", text)
    text = re.sub(r"\s+", " ", text)
    return text.replace(" :", ":").strip()


def test_paragraphs_hold_the_documents_own_words(spec):
    """[paragraphs] quotes the handbook: each entry occurs in the source (layout aside)."""
    seed = next((p for p in SEED_CANDIDATES if p.exists()), None)
    if seed is None:
        pytest.skip("source text (shared/seeds) not beside the repository")
    source = _normalise(seed.read_text())
    for key, text in spec.paragraphs.items():
        assert _normalise(text) in source, key


def test_roles_of_the_section_are_all_there(spec):
    assert set(spec.roles) == {
        "lead_inspector", "link_inspector", "inspection_support_manager",
        "swia_management_team", "local_authority", "ministers", "elected_members",
    }


def test_the_facts_the_guards_read(spec):
    assert spec.facts["evaluation"].type == "enum"
    assert "unsatisfactory" in spec.facts["evaluation"].values
    assert spec.facts["risk"].values == ("low", "medium", "high")
    assert spec.facts["serious_concerns"].type == "bool"
    assert spec.facts["link_inspector_same_as_lead"].type == "bool"
    assert spec.facts["follow_up_days"].type == "number"


def test_kinds_of_timescale_follow_the_words(spec):
    kinds = {t.id: (t.kind, str(t.within or t.after or t.every or t.about)) for t in spec.timescales}
    assert kinds["action_plan"] == ("deadline", "12 weeks")          # "within twelve weeks"
    assert kinds["handover_meeting"] == ("deadline", "12 weeks")     # "must take place within 12 weeks"
    assert kinds["quarterly_progress_reports"] == ("recurring", "3 months")  # "normally ... quarterly"
    assert kinds["quarterly_follow_up_meetings"] == ("recurring", "3 months")
    assert kinds["monitoring_visit"] == ("deadline", "1 year")       # "during the year after"
    assert kinds["follow_up_one_year"] == ("target", "1 year")       # "normally ... one year after"
    assert kinds["signing_off_meeting"] == ("target", "1 year")      # "about a year after"
    assert kinds["follow_up_length_two_days"] == ("deadline", "1 working day")
    assert kinds["follow_up_length_serious"] == ("lead_time", "2 working days")


# -- publication and the serious-concerns check ---------------------------------------------


def test_unsatisfactory_evaluation_triggers_consideration_of_serious_concerns(spec):
    """'An evaluation of 'unsatisfactory' will trigger consideration of whether there are
    grounds for serious concerns ...' (23 Serious concerns)"""
    case = published(spec, evaluation="unsatisfactory")
    assert "serious_concerns_consideration" in case.active_states
    assert case.spec.states["serious_concerns_consideration"].role == "swia_management_team"
    # the action plan, the arrangements and the presentation run alongside
    assert {"action_plan_in_preparation", "handover_meeting_to_arrange",
            "report_awaiting_members"} <= set(case.active_states)


def test_other_evaluations_go_straight_to_the_processes_below(spec):
    """'Otherwise the processes described below will be carried out.' (23 Serious concerns)"""
    case = published(spec, evaluation="weak")
    assert "no_consideration_needed" in case.active_states
    assert "serious_concerns_consideration" not in case.active_states
    assert "serious_concerns_considered" not in case.available_events()


def test_the_evaluation_must_be_given_when_the_report_is_published(spec):
    case = Case(spec, opened_on=D(2026, 3, 2))
    with pytest.raises(FactError):
        case.fire("report_published", D(2026, 3, 2))


def test_more_serious_action_such_as_an_investigation_ends_this_process(spec):
    """'... and whether there is a need to put into effect more serious actions (such as an
    investigation).' The routine follow-up is not carried out; its clocks stop."""
    case = published(spec, evaluation="unsatisfactory")
    case.fire("serious_concerns_considered", D(2026, 3, 20),
              {"serious_concerns": True, "more_serious_action": "investigation"})
    assert case.active_states == ["more_serious_action_taken"]
    assert case.finished_on == D(2026, 3, 20)
    assert case.available_events() == []
    plan = row(case, D(2026, 4, 1), "action_plan")
    assert (plan.due, plan.status) == (D(2026, 5, 25), "not applicable")


def test_clocks_of_a_case_ended_by_more_serious_action_stay_not_applicable(spec):
    """docs/spec-format.md: 'not applicable' when 'the case ended before the clock ran out'."""
    case = published(spec, evaluation="unsatisfactory")
    case.fire("serious_concerns_considered", D(2026, 3, 20),
              {"serious_concerns": True, "more_serious_action": "investigation"})
    assert row(case, D(2026, 7, 1), "action_plan").status == "not applicable"


def test_more_serious_action_without_grounds_for_serious_concerns_is_refused(spec):
    case = published(spec, evaluation="unsatisfactory")
    with pytest.raises(EventRefused) as info:
        case.fire("serious_concerns_considered", D(2026, 3, 20),
                  {"serious_concerns": False, "more_serious_action": "investigation"})
    assert all(f.citation == "23 Serious concerns" for f in info.value.failures)
    assert "serious_concerns_consideration" in case.active_states


def test_handover_meeting_is_refused_while_serious_concerns_are_being_considered(spec):
    case = published(spec, evaluation="unsatisfactory")
    case.fire("action_plan_submitted", D(2026, 5, 1))
    with pytest.raises(EventRefused) as info:
        case.fire("handover_meeting_took_place", D(2026, 5, 5),
                  {"risk": "high", "link_inspector_same_as_lead": False})
    (failure,) = info.value.failures
    assert failure.citation == "23 Serious concerns"
    assert failure.target == "handover_meeting_held"
    case.fire("serious_concerns_considered", D(2026, 5, 6),
              {"serious_concerns": True, "more_serious_action": "none"})
    case.fire("handover_meeting_took_place", D(2026, 5, 7),
              {"risk": "high", "link_inspector_same_as_lead": False})
    assert case.active_states == ["handover_meeting_held"]


# -- twelve weeks: action plan and handover meeting ------------------------------------------


def test_action_plan_and_handover_meeting_are_due_twelve_weeks_after_publication(spec):
    """'the authority is expected to produce this within twelve weeks after the date of
    publication of the report' (23 Purpose); 'This meeting must take place within 12 weeks of
    the date of publication of the report.' (23 Handover meeting)

    Monday 2 March 2026 + 84 days = Monday 25 May 2026."""
    case = published(spec, on=D(2026, 3, 2))
    for ident in ("action_plan", "handover_meeting"):
        r = row(case, D(2026, 3, 2), ident)
        assert (r.anchor_date, r.due, r.status, r.days_left) == (
            D(2026, 3, 2), D(2026, 5, 25), "pending", 84)
    assert row(case, D(2026, 5, 26), "action_plan").status == "missed"
    case.fire("action_plan_submitted", D(2026, 5, 26))
    late = row(case, D(2026, 5, 26), "action_plan")
    assert (late.status, late.met_on) == ("missed", D(2026, 5, 26))


def test_handover_meeting_needs_the_action_plan_first(spec):
    """'Its timing will be determined by the time needed by the local authority to develop an
    action plan. In the meeting, the action plan and progress to date will be considered.'
    The meeting is recorded after the plan; once held, the preparation tracks are closed."""
    case = published(spec)
    case.fire("action_plan_submitted", D(2026, 5, 15))
    assert "action_plan_produced" in case.active_states
    case.fire("handover_meeting_took_place", D(2026, 5, 21),
              {"risk": "low", "link_inspector_same_as_lead": False})
    assert "action_plan_submitted" not in case.available_events()
    with pytest.raises(UnknownEvent):
        case.fire("action_plan_submitted", D(2026, 5, 22))


# -- the hand-over of responsibility ---------------------------------------------------------


def test_responsibility_passes_from_lead_to_link_inspector_at_the_handover_meeting(spec):
    """'At the point of the handover meeting, responsibility will pass from the lead inspector
    to the link inspector.' (23 Responsibility)"""
    case = published(spec)
    case.fire("handover_meeting_arranged", D(2026, 3, 9), actor="inspection_support_manager")
    case.fire("report_presented_to_elected_members", D(2026, 3, 19))
    case.fire("action_plan_submitted", D(2026, 5, 15))
    assert spec.states["preparing_handover"].role == "lead_inspector"
    assert case.responsible_roles() == ["lead_inspector"]
    entry = case.fire("handover_meeting_took_place", D(2026, 5, 21),
                      {"risk": "medium", "link_inspector_same_as_lead": False})
    assert case.active_states == ["handover_meeting_held"]
    assert spec.states["handover_meeting_held"].role == "link_inspector"
    assert case.responsible_roles() == ["link_inspector"]
    assert entry.target == ("handover_meeting_held",)
    assert "responsibility_handover" in spec.events["handover_meeting_took_place"].milestones
    case.fire("confirmation_letter_sent", D(2026, 5, 28))
    assert spec.states["follow_up_year"].role == "link_inspector"
    assert "link_inspector" in case.responsible_roles()
    assert "lead_inspector" not in case.responsible_roles()


def test_the_link_inspector_may_be_the_same_inspector(spec):
    """'This may, in some cases, be the same inspector.' The hand-over is still recorded."""
    case = handed_over(spec, same=True)
    assert case.facts["link_inspector_same_as_lead"] is True
    assert [h.event for h in case.history].count("handover_meeting_took_place") == 1
    other = published(spec)
    other.fire("action_plan_submitted", D(2026, 5, 15))
    with pytest.raises(FactError, match="link_inspector_same_as_lead"):  # it must be said
        other.fire("handover_meeting_took_place", D(2026, 5, 21), {"risk": "low"})


def test_arranging_the_meeting_is_for_the_inspection_support_manager(spec):
    """'the SWIA inspection support manager will arrange a handover meeting' (23 Handover meeting)"""
    case = published(spec)
    assert "inspection_support_manager" in case.responsible_roles()
    assert spec.events["handover_meeting_arranged"].role == "inspection_support_manager"
    case.fire("handover_meeting_arranged", D(2026, 3, 9))
    assert "inspection_support_manager" not in case.responsible_roles()


# -- the follow-up year -----------------------------------------------------------------------


def test_the_follow_up_year_runs_its_tracks_at_the_same_time(spec):
    case = handed_over(spec)
    assert {"follow_up_year", "awaiting_progress_report", "follow_up_meetings",
            "routine_monitoring", "no_special_inspection", "awaiting_follow_up"} <= set(
        case.active_states)
    assert {"progress_report_submitted", "follow_up_meeting_held", "monitoring_visit_considered",
            "special_inspection_requested", "follow_up_started"} == set(case.available_events())


def test_progress_reports_are_considered_and_answered_with_the_management_team(spec):
    """'The link inspector will consider the progress reports submitted by the authority and
    agree with the SWIA Management Team a written response to the local authority'"""
    case = handed_over(spec)
    case.fire("progress_report_submitted", D(2026, 8, 14))
    assert "considering_progress_report" in case.active_states
    assert spec.states["considering_progress_report"].role == "link_inspector"
    with pytest.raises(UnknownEvent):  # not sent before it is agreed
        case.fire("written_response_sent", D(2026, 8, 15))
    case.fire("response_agreed_with_management_team", D(2026, 8, 20), actor="swia_management_team")
    case.fire("written_response_sent", D(2026, 8, 21), {"further_information_requested": True})
    assert "awaiting_progress_report" in case.active_states


def test_quarterly_progress_reports_and_meetings_met_and_missed(spec):
    """'Progress reports and follow up meetings with the link inspector will normally be
    required quarterly.' (23 Confirmation of agreement)

    Handover meeting Thursday 21 May 2026: quarters end 21 Aug 2026, 21 Nov 2026, 21 Feb 2027,
    21 May 2027; the quarters stop when the follow-up starts (Monday 1 March 2027)."""
    case = handed_over(spec, meeting=D(2026, 5, 21))
    case.fire("follow_up_meeting_held", D(2026, 8, 18))
    case.fire("progress_report_submitted", D(2026, 8, 20))
    case.fire("follow_up_meeting_held", D(2026, 11, 17))
    case.fire("response_agreed_with_management_team", D(2026, 11, 25))
    case.fire("written_response_sent", D(2026, 11, 26))
    case.fire("progress_report_submitted", D(2026, 12, 4))   # the second quarter's, late

    mid = rows(case, D(2026, 12, 10), "quarterly_progress_reports")
    assert [(r.occurrence, r.earliest, r.due, r.status) for r in mid] == [
        (1, D(2026, 5, 21), D(2026, 8, 21), "met"),
        (2, D(2026, 8, 21), D(2026, 11, 21), "missed"),
        (3, D(2026, 11, 21), D(2027, 2, 21), "met"),
    ]
    assert mid[2].met_on == D(2026, 12, 4)

    case.fire("follow_up_started", D(2027, 3, 1), {"follow_up_days": 2})
    end = rows(case, D(2027, 4, 1), "quarterly_follow_up_meetings")
    assert [(r.due, r.status) for r in end] == [
        (D(2026, 8, 21), "met"),
        (D(2026, 11, 21), "met"),
        (D(2027, 2, 21), "missed"),
        (D(2027, 5, 21), "not applicable"),
    ]


def test_monitoring_visit_for_one_of_the_three_reasons_in_the_year_after_publication(spec):
    """'A monitoring visit by SWIA may be necessary during the year after the publication of the
    report to check progress if: ... progress reports are inadequate; ...'"""
    case = handed_over(spec, pub=D(2026, 3, 2))
    assert row(case, D(2026, 6, 1), "monitoring_visit").status == "not applicable"
    case.fire("progress_report_submitted", D(2026, 8, 20))
    case.fire("response_agreed_with_management_team", D(2026, 9, 1),
              {"progress_reports_inadequate": True})
    case.fire("monitoring_visit_considered", D(2026, 9, 10), {"monitoring_visit_needed": True})
    assert "monitoring_visit_planned" in case.active_states
    visit = row(case, D(2026, 9, 10), "monitoring_visit")
    assert (visit.due, visit.status) == (D(2027, 3, 2), "pending")
    case.fire("monitoring_visit_held", D(2026, 10, 6))
    visit = row(case, D(2026, 10, 6), "monitoring_visit")
    assert (visit.status, visit.met_on) == ("met", D(2026, 10, 6))
    assert "routine_monitoring" in case.active_states


def test_monitoring_visit_without_any_of_the_three_reasons_is_refused(spec):
    case = handed_over(spec)
    with pytest.raises(EventRefused) as info:
        case.fire("monitoring_visit_considered", D(2026, 9, 10), {"monitoring_visit_needed": True})
    assert info.value.failures[0].citation == "23 Monitoring visits by SWIA"
    case.fire("monitoring_visit_considered", D(2026, 9, 10), {"monitoring_visit_needed": False})
    assert "routine_monitoring" in case.active_states


def test_ministers_may_request_a_special_inspection_scoped_by_swia(spec):
    """'In exceptional cases, Ministers may request a special inspection to follow up a
    performance inspection. The scale and scope of this inspection will be determined by SWIA'"""
    case = handed_over(spec)
    assert spec.events["special_inspection_requested"].role == "ministers"
    case.fire("special_inspection_requested", D(2026, 9, 1), actor="ministers")
    assert "special_inspection_being_scoped" in case.active_states
    assert "awaiting_progress_report" in case.active_states  # the other tracks go on
    case.fire("special_inspection_scope_determined", D(2026, 9, 15))
    case.fire("special_inspection_completed", D(2026, 10, 30))
    assert "no_special_inspection" in case.active_states


# -- the formal follow-up ---------------------------------------------------------------------


def test_low_risk_gives_a_follow_up_of_up_to_two_days(spec):
    """'In authorities where risk is regarded as being low, it is likely that SWIA will want to
    spend up to two days in the local authority carrying out a follow up inspection one year
    after the report has been published.' (23 Scope)"""
    case = handed_over(spec, pub=D(2026, 3, 4), meeting=D(2026, 5, 20), risk="low")
    case.fire("follow_up_started", D(2027, 3, 2), {"follow_up_days": 2})
    assert case.active_states == ["short_follow_up_inspection"]
    assert "follow_up_year" not in case.active_states
    length = row(case, D(2027, 3, 2), "follow_up_length_two_days")
    assert (length.due, length.status) == (D(2027, 3, 3), "pending")
    target = row(case, D(2027, 3, 2), "follow_up_one_year")
    assert (target.due, target.status, target.met_on) == (D(2027, 3, 4), "met", D(2027, 3, 2))
    assert target.approximate
    case.fire("follow_up_completed", D(2027, 3, 3))
    assert row(case, D(2027, 3, 3), "follow_up_length_two_days").status == "met"
    assert row(case, D(2027, 3, 3), "follow_up_length_serious").status == "not applicable"


def test_serious_concerns_give_a_follow_up_of_three_or_more_days(spec):
    """'In authorities where the concerns are serious, there will normally be a follow-up
    inspection of three or more days.' (23 Scope)

    Monday 1 March 2027 + 2 working days = Wednesday 3 March 2027."""
    case = handed_over(spec, evaluation="unsatisfactory", risk="high")
    assert case.facts["serious_concerns"] is True
    case.fire("follow_up_started", D(2027, 3, 1), {"follow_up_days": 3})
    assert case.active_states == ["extended_follow_up_inspection"]
    case.fire("follow_up_completed", D(2027, 3, 3))
    length = row(case, D(2027, 3, 3), "follow_up_length_serious")
    assert (length.earliest, length.status) == (D(2027, 3, 3), "met")
    assert row(case, D(2027, 3, 3), "follow_up_length_two_days").status == "not applicable"


def test_a_two_day_follow_up_where_concerns_are_serious_shows_the_departure(spec):
    """'normally ... three or more days': two days only is the ordinary follow-up state, and the
    three-day timescale shows it as missed (too early)."""
    case = handed_over(spec, evaluation="unsatisfactory", risk="high")
    case.fire("follow_up_started", D(2027, 3, 1), {"follow_up_days": 2})
    assert case.active_states == ["follow_up_inspection"]
    case.fire("follow_up_completed", D(2027, 3, 2))
    assert row(case, D(2027, 3, 2), "follow_up_length_serious").status == "missed"


def test_medium_risk_gives_the_normal_two_day_follow_up(spec):
    """'It will normally be for two days.' (23 End of inspection)"""
    case = handed_over(spec, risk="medium")
    case.fire("follow_up_started", D(2027, 3, 2), {"follow_up_days": 2})
    assert case.active_states == ["follow_up_inspection"]


def test_follow_up_length_counts_scottish_working_days_over_new_year(spec):
    """Two days in the authority from Thursday 31 December 2026: 1 January and the 2 January
    holiday observed on Monday 4 January are not working days in Scotland, so the second day is
    Tuesday 5 January 2027."""
    case = handed_over(spec, pub=D(2026, 1, 6), meeting=D(2026, 3, 27), risk="low")
    case.fire("follow_up_started", D(2026, 12, 31), {"follow_up_days": 2})
    length = row(case, D(2026, 12, 31), "follow_up_length_two_days")
    assert length.due == D(2027, 1, 5)
    case.fire("follow_up_completed", D(2027, 1, 5))
    assert row(case, D(2027, 1, 5), "follow_up_length_two_days").status == "met"


def test_three_day_follow_up_over_christmas_skips_the_scottish_holidays(spec):
    """From Wednesday 23 December 2026: Thursday 24 is day two; 25 (Christmas), 26-27 (weekend)
    and 28 (Boxing Day observed) are not working days, so day three is Tuesday 29 December."""
    case = handed_over(spec, pub=D(2026, 1, 6), meeting=D(2026, 3, 27), risk="high")
    case.fire("follow_up_started", D(2026, 12, 23), {"follow_up_days": 3})
    length = row(case, D(2026, 12, 23), "follow_up_length_serious")
    assert length.earliest == D(2026, 12, 29)
    case.fire("follow_up_completed", D(2026, 12, 24))
    assert row(case, D(2026, 12, 24), "follow_up_length_serious").status == "missed"


def test_follow_up_cannot_start_before_the_handover(spec):
    case = published(spec)
    with pytest.raises(UnknownEvent) as info:
        case.fire("follow_up_started", D(2026, 4, 1), {"follow_up_days": 2})
    assert info.value.known
    with pytest.raises(UnknownEvent):
        case.fire("progress_report_submitted", D(2026, 4, 1))


# -- ending the inspection process ------------------------------------------------------------


def test_result_letter_signing_off_record_and_formal_end(spec):
    """'After the follow-up inspection or visit, a letter is sent to the Director of Social Work
    Services, setting out the results of the follow-up. The link inspector will usually arrange
    a signing-off meeting about a year after the publication of the report. SWIA will provide a
    record of this meeting and formal confirmation that the performance inspection process has
    ended.' (23 Ending the inspection process)"""
    case = handed_over(spec, pub=D(2026, 3, 2), risk="medium")
    case.fire("follow_up_started", D(2027, 3, 1), {"follow_up_days": 2})
    case.fire("follow_up_completed", D(2027, 3, 2))
    with pytest.raises(UnknownEvent):  # the results letter comes first
        case.fire("signing_off_meeting_held", D(2027, 3, 3))
    case.fire("follow_up_result_letter_sent", D(2027, 3, 26))
    assert case.active_states == ["awaiting_signing_off"]
    case.fire("signing_off_meeting_held", D(2027, 4, 13))
    sign_off = row(case, D(2027, 4, 13), "signing_off_meeting")
    assert (sign_off.due, sign_off.status, sign_off.met_on) == (D(2027, 3, 2), "met", D(2027, 4, 13))
    assert "42 days after" in sign_off.reason
    case.fire("signing_off_record_provided", D(2027, 4, 20))
    case.fire("process_end_confirmed", D(2027, 4, 20))
    assert case.active_states == ["process_ended"]
    assert "formal_end" in spec.states["process_ended"].milestones
    assert case.finished_on == D(2027, 4, 20)


def test_a_target_is_never_missed(spec):
    """'about a year after the publication': a late signing-off shows its deviation only."""
    case = handed_over(spec, pub=D(2026, 3, 2))
    r = row(case, D(2027, 9, 1), "signing_off_meeting")
    assert (r.due, r.status) == (D(2027, 3, 2), "pending")


# -- the example scenarios --------------------------------------------------------------------


def test_scenario_low_risk(spec):
    result = run_scenario(spec, load_scenario(EXAMPLES / "swia_low_risk.toml"))
    case = result.case
    assert result.today == D(2027, 4, 12)
    assert case.active_states == ["process_ended"]
    assert case.facts["risk"] == "low"
    status = {(r.id, r.occurrence): (r.due, r.status) for r in case.timescales(result.today)}
    assert status[("action_plan", 1)] == (D(2026, 5, 27), "met")
    assert status[("handover_meeting", 1)] == (D(2026, 5, 27), "met")
    assert [status[("quarterly_progress_reports", k)] for k in (1, 2, 3, 4)] == [
        (D(2026, 8, 20), "met"), (D(2026, 11, 20), "met"), (D(2027, 2, 20), "met"),
        (D(2027, 5, 20), "not applicable")]
    assert status[("follow_up_length_two_days", 1)] == (D(2027, 3, 3), "met")
    assert status[("follow_up_one_year", 1)] == (D(2027, 3, 4), "met")
    assert status[("monitoring_visit", 1)][1] == "not applicable"
    followed = [h.target for h in case.history if h.event == "follow_up_started"]
    assert followed == [("short_follow_up_inspection",)]


def test_scenario_serious_concerns(spec):
    result = run_scenario(spec, load_scenario(EXAMPLES / "swia_serious_concerns.toml"))
    case = result.case
    assert case.active_states == ["process_ended"]
    assert case.facts["serious_concerns"] is True
    assert case.facts["link_inspector_same_as_lead"] is True
    first = case.history[0]
    assert "serious_concerns_consideration" in first.target
    status = {(r.id, r.occurrence): (r.due, r.status) for r in case.timescales(result.today)}
    assert status[("action_plan", 1)] == (D(2026, 5, 25), "met")
    assert [status[("quarterly_progress_reports", k)] for k in (1, 2, 3, 4)] == [
        (D(2026, 8, 21), "met"), (D(2026, 11, 21), "missed"), (D(2027, 2, 21), "met"),
        (D(2027, 5, 21), "not applicable")]
    assert status[("monitoring_visit", 1)] == (D(2027, 3, 2), "met")
    assert status[("follow_up_length_serious", 1)] == (None, "met")
    followed = [h.target for h in case.history if h.event == "follow_up_started"]
    assert followed == [("extended_follow_up_inspection",)]
    visit = [h.target for h in case.history if h.event == "monitoring_visit_considered"]
    assert "monitoring_visit_planned" in visit[0]


def test_scenario_christmas_twelve_weeks_end_on_a_scottish_bank_holiday(spec):
    """Monday 12 October 2026 + 84 days = Monday 4 January 2027, the day the 2 January holiday
    is observed in Scotland. Calendar weeks are not moved by the holiday: a meeting on Tuesday
    5 January is one day late."""
    result = run_scenario(spec, load_scenario(EXAMPLES / "swia_christmas.toml"))
    case = result.case
    assert result.today == D(2027, 1, 15)
    assert not case.calendar.is_working_day(D(2027, 1, 4))
    plan = row(case, result.today, "action_plan")
    assert (plan.due, plan.status, plan.met_on) == (D(2027, 1, 4), "met", D(2026, 12, 24))
    meeting = row(case, result.today, "handover_meeting")
    assert (meeting.due, meeting.status, meeting.met_on) == (D(2027, 1, 4), "missed", D(2027, 1, 5))
    (quarter,) = rows(case, result.today, "quarterly_progress_reports")
    assert (quarter.earliest, quarter.due, quarter.status) == (D(2027, 1, 5), D(2027, 4, 5), "pending")
    assert "awaiting_progress_report" in case.active_states
