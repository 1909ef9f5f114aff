"""Scenario tests for specs/swia_handover.toml, written from the SWIA handbook's own words.

Source: SWIA performance inspection handbook, section 23 "Handover and follow-up". Every date
asserted here was computed by hand: twelve weeks = 84 calendar days, months are calendar months.
No timescale of the section counts working days; the Scottish calendar (GB-SCT: 25 and 28
December 2026, 1 and 4 January 2027 are holidays) only shows that holidays do not move them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from regflow.engine import Case, load_scenario, load_spec, run_scenario
from regflow.engine.cases.timescales import NOT_KEPT
from regflow.engine.errors import EventRefused, FactError, UnknownEvent

from conftest import row, rows, seed_text

D = date
ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "specs" / "swia_handover.toml"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC_PATH)



def published(spec, on=D(2026, 3, 2), evaluation="good", **facts) -> Case:
    case = Case(spec, opened_on=on)
    case.fire("report_published", on=on, facts={"evaluation": evaluation, **facts},
              actor="lead_inspector")
    return case


def plan_in(case: Case, on: date):
    return case.fire("action_plan_submitted", on, {"action_plan_in": True})


def presented(case: Case, on: date):
    return case.fire("report_presented_to_elected_members", on,
                     {"presented_to_elected_members": True})


def letter(case: Case, on: date):
    return case.fire("confirmation_letter_sent", on, {"liaised_with_management_team": True})


def meeting_held(spec, pub=D(2026, 3, 2), meeting=D(2026, 5, 21), risk="medium",
                 evaluation="good", same=False, **meeting_facts) -> Case:
    """Publication, arrangements, presentation, action plan and handover meeting (no letter)."""
    case = published(spec, on=pub, evaluation=evaluation)
    if evaluation == "unsatisfactory":
        case.fire("serious_concerns_considered", pub,
                  {"serious_concerns": risk == "high", "more_serious_action": "none"})
    case.fire("handover_meeting_arranged", pub)
    presented(case, pub)
    plan_in(case, meeting)
    case.fire("handover_meeting_took_place", meeting,
              {"risk": risk, "link_inspector_same_as_lead": same, **meeting_facts})
    return case


def handed_over(spec, pub=D(2026, 3, 2), meeting=D(2026, 5, 21), risk="medium",
                evaluation="good", same=False, **meeting_facts) -> Case:
    """Publication, action plan, arrangements and presentation, handover meeting and letter."""
    case = meeting_held(spec, pub, meeting, risk, evaluation, same, **meeting_facts)
    letter(case, meeting)
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
    source = _normalise(seed_text("swia_handbook_23_handover_and_follow_up.txt"))
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
    assert set(kinds) == {"action_plan", "handover_meeting", "quarterly_progress_reports",
                          "quarterly_follow_up_meetings", "monitoring_visit",
                          "follow_up_one_year", "signing_off_meeting"}


def test_no_timescale_counts_working_days_or_the_length_of_the_follow_up(spec):
    """'up to two days in the local authority' (23 Scope), 'It will normally be for two days'
    (23 End of inspection), 'a follow-up inspection of three or more days' (23 Scope): days
    spent in the authority, not time elapsed. They are the fact follow_up_days, read by the
    guards on 'follow_up_started'; every timescale of the section is in calendar periods."""
    assert not [t.id for t in spec.timescales if t.anchor.name.startswith("follow_up_started")]
    durations = [d for t in spec.timescales for d in (t.within, t.after, t.every, t.about) if d]
    assert durations and not [d for d in durations if "working" in str(d)]
    guards = " ".join(t.guard or "" for t in spec.transitions if t.event == "follow_up_started")
    assert "follow_up_days" in guards


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


def test_more_serious_action_stops_the_follow_up_but_the_action_plan_is_still_due(spec):
    """'... and whether there is a need to put into effect more serious actions (such as an
    investigation). Otherwise the processes described below will be carried out.'
    (23 Serious concerns) The handover and follow-up are not carried out; the action plan is
    expected in 23 Purpose, above that sentence: 'the authority is expected to produce this
    within twelve weeks after the date of publication of the report', so it is still awaited."""
    case = published(spec, evaluation="unsatisfactory")
    case.fire("serious_concerns_considered", D(2026, 3, 20),
              {"serious_concerns": True, "more_serious_action": "investigation"})
    assert case.active_states == ["more_serious_action_plan_awaited"]
    assert case.finished_on is None
    assert case.responsible_roles() == ["local_authority"]
    assert case.available_events() == ["action_plan_submitted"]
    plan = row(case, D(2026, 4, 1), "action_plan")
    assert (plan.due, plan.status, plan.days_left) == (D(2026, 5, 25), "pending", 54)
    # the clocks of the processes below the 'Otherwise' do not apply
    for ident in ("handover_meeting", "follow_up_one_year", "signing_off_meeting"):
        assert row(case, D(2026, 6, 1), ident).status == "not applicable", ident
    assert row(case, D(2026, 6, 1), "action_plan").status == "departed"  # "is expected to"
    plan_in(case, D(2026, 5, 20))
    assert case.active_states == ["more_serious_action_taken"]
    assert case.finished_on == D(2026, 5, 20)
    assert case.available_events() == []
    done = row(case, D(2027, 6, 1), "action_plan")
    assert (done.status, done.met_on) == ("met", D(2026, 5, 20))


def test_more_serious_action_after_the_plan_ends_the_case_at_once(spec):
    """'Otherwise the processes described below will be carried out.' With the action plan
    (23 Purpose) already in, nothing of section 23 remains: the case ends on the decision, and
    the clocks of the handover and follow-up stay 'not applicable' even after their dates."""
    case = published(spec, evaluation="unsatisfactory")
    plan_in(case, D(2026, 3, 10))
    case.fire("serious_concerns_considered", D(2026, 3, 20),
              {"serious_concerns": True, "more_serious_action": "other_action"})
    assert case.active_states == ["more_serious_action_taken"]
    assert case.finished_on == D(2026, 3, 20)
    later = D(2027, 6, 1)
    assert row(case, later, "action_plan").status == "met"
    for ident in ("handover_meeting", "monitoring_visit", "follow_up_one_year",
                  "signing_off_meeting"):
        assert row(case, later, ident).status == "not applicable", ident


def test_serious_concerns_are_considered_from_publication(spec):
    """'An evaluation of 'unsatisfactory' will trigger consideration of whether there are
    grounds for serious concerns' (23 Serious concerns); the section describes follow-up 'after
    the report has been published' (23 Introduction). The evaluation is known earlier, but the
    consideration is recorded from publication; the reading is noted on the transition."""
    case = Case(spec, opened_on=D(2026, 2, 20))
    with pytest.raises(UnknownEvent):
        case.fire("serious_concerns_considered", D(2026, 2, 25),
                  {"serious_concerns": False, "more_serious_action": "none"})
    (trigger,) = [t for t in spec.transitions if t.event == "report_published"
                  and t.target == "serious_concerns_consideration"]
    assert "before publication" in trigger.note and "at publication" in trigger.note
    case.fire("report_published", D(2026, 3, 2), {"evaluation": "unsatisfactory"})
    case.fire("serious_concerns_considered", D(2026, 3, 2),
              {"serious_concerns": False, "more_serious_action": "none"})
    assert "serious_concerns_decided" in case.active_states


def test_more_serious_action_without_grounds_for_serious_concerns_is_refused(spec):
    case = published(spec, evaluation="unsatisfactory")
    with pytest.raises(EventRefused) as info:
        case.fire("serious_concerns_considered", D(2026, 3, 20),
                  {"serious_concerns": False, "more_serious_action": "investigation"})
    assert all(f.citation == "23 Serious concerns" for f in info.value.failures)
    assert "serious_concerns_consideration" in case.active_states


def test_handover_meeting_is_refused_while_serious_concerns_are_being_considered(spec):
    """'Otherwise the processes described below will be carried out.' (23 Serious concerns)"""
    case = published(spec, evaluation="unsatisfactory")
    presented(case, D(2026, 3, 20))
    plan_in(case, D(2026, 5, 1))
    with pytest.raises(EventRefused) as info:
        case.fire("handover_meeting_took_place", D(2026, 5, 5),
                  {"risk": "high", "link_inspector_same_as_lead": False})
    (failure,) = info.value.failures
    assert failure.citation == "23 Handover meeting"
    assert 'more_serious_action == "none"' in failure.guard
    assert failure.target == "follow_up_year"
    case.fire("serious_concerns_considered", D(2026, 5, 6),
              {"serious_concerns": True, "more_serious_action": "none"})
    case.fire("handover_meeting_took_place", D(2026, 5, 7),
              {"risk": "high", "link_inspector_same_as_lead": False})
    assert "confirmation_letter_to_write" in case.active_states


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
    # 'is expected to produce this within twelve weeks': later than normal, not a breach
    plan = row(case, D(2026, 5, 26), "action_plan")
    assert (plan.status, plan.verdict, plan.overdue) == ("departed", "later than normal", False)
    # 'must take place within 12 weeks': a breach
    meeting = row(case, D(2026, 5, 26), "handover_meeting")
    assert (meeting.status, meeting.overdue, meeting.strength) == ("breached", True, "limit")
    plan_in(case, D(2026, 5, 26))
    late = row(case, D(2026, 5, 26), "action_plan")
    assert (late.status, late.met_on) == ("departed", D(2026, 5, 26))


def test_handover_meeting_needs_the_action_plan_first(spec):
    """'Its timing will be determined by the time needed by the local authority to develop an
    action plan. In the meeting, the action plan and progress to date will be considered and
    agreement reached about: the action plan; ...' (23 Handover meeting)

    The meeting cannot be recorded before the plan, so the plan can never be left unrecorded
    (and its twelve-week row falsely missed) by a meeting recorded first."""
    case = published(spec)
    presented(case, D(2026, 3, 20))
    assert "handover_meeting_took_place" not in case.available_events()
    with pytest.raises(EventRefused) as info:
        case.fire("handover_meeting_took_place", D(2026, 5, 14),
                  {"risk": "low", "link_inspector_same_as_lead": False})
    (failure,) = info.value.failures
    assert "action_plan_in" in failure.guard and failure.citation == "23 Handover meeting"
    assert "action_plan_in_preparation" in case.active_states
    with pytest.raises(EventRefused):  # the plan is recorded as in, or not at all
        case.fire("action_plan_submitted", D(2026, 5, 15), {"action_plan_in": False})
    with pytest.raises(FactError, match="action_plan_in"):
        case.fire("action_plan_submitted", D(2026, 5, 15))
    plan_in(case, D(2026, 5, 15))
    assert "action_plan_produced" in case.active_states
    assert spec.states["action_plan_produced"].final
    assert case.finished_on is None  # every preparation track may be final: the case goes on
    case.fire("handover_meeting_took_place", D(2026, 5, 21),
              {"risk": "low", "link_inspector_same_as_lead": False})
    for ident, met in (("action_plan", D(2026, 5, 15)), ("handover_meeting", D(2026, 5, 21))):
        r = row(case, D(2026, 6, 1), ident)
        assert (r.status, r.met_on) == ("met", met)


def test_the_presentation_to_members_never_holds_the_handover_meeting_back(spec):
    """'This meeting must take place within 12 weeks of the date of publication of the report.
    Its timing will be determined by the time needed by the local authority to develop an action
    plan.' (23 Handover meeting) The section ties the meeting to publication and the plan only:
    a presentation to elected members still to come does not hold it back (refusing it could
    force a breach of the section's one 'must'); the presentation is recorded afterwards."""
    case = published(spec)
    plan_in(case, D(2026, 5, 15))
    assert "report_awaiting_members" in case.active_states
    case.fire("handover_meeting_took_place", D(2026, 5, 21),
              {"risk": "low", "link_inspector_same_as_lead": False})
    assert "follow_up_year" in case.active_states
    assert row(case, D(2026, 5, 21), "handover_meeting").status == "met"
    assert "members_presentation_open" in case.active_states
    case.fire("report_presented_to_elected_members", D(2026, 6, 10),
              {"presented_to_elected_members": True})
    assert "members_presentation_recorded" in case.active_states
    assert case.facts["presented_to_elected_members"] is True
    assert "presented_to_elected_members" not in next(
        t.guard for t in spec.transitions if t.event == "handover_meeting_took_place")


def test_a_presentation_before_the_meeting_is_still_recorded(spec):
    case = published(spec)
    plan_in(case, D(2026, 5, 15))
    presented(case, D(2026, 5, 18))
    case.fire("handover_meeting_took_place", D(2026, 5, 21),
              {"risk": "low", "link_inspector_same_as_lead": False})
    assert case.facts["presented_to_elected_members"] is True
    assert "elected_members" not in case.responsible_roles()


def test_a_monitoring_visit_not_held_stops_being_tracked_at_the_formal_follow_up(spec):
    """'A monitoring visit by SWIA may be necessary during the year after the publication of the
    report': decided but not held when the formal follow-up starts, it is no longer tracked
    (the follow-up checks progress from then on), instead of staying overdue forever."""
    case = handed_over(spec, pub=D(2026, 3, 2))
    case.fire("monitoring_visit_considered", D(2026, 9, 1),
              {"monitoring_visit_needed": True, "liaised_with_management_team": True,
               "progress_reports_inadequate": True})
    assert row(case, D(2026, 9, 1), "monitoring_visit").status == "pending"
    case.fire("follow_up_started", D(2027, 2, 22), {"follow_up_days": 2})
    r = row(case, D(2027, 4, 1), "monitoring_visit")
    assert (r.status, r.open) == ("not applicable", False)
    assert case.facts["monitoring_visit_needed"] is False


def test_a_monitoring_visit_held_stays_met_after_the_follow_up(spec):
    case = handed_over(spec, pub=D(2026, 3, 2))
    case.fire("monitoring_visit_considered", D(2026, 9, 1),
              {"monitoring_visit_needed": True, "liaised_with_management_team": True,
               "progress_reports_inadequate": True})
    case.fire("monitoring_visit_held", D(2026, 10, 5))
    case.fire("follow_up_started", D(2027, 2, 22), {"follow_up_days": 2})
    r = row(case, D(2027, 4, 1), "monitoring_visit")
    assert (r.status, r.met_on) == ("met", D(2026, 10, 5))


def test_the_presentation_reading_is_written_down(spec):
    note = spec.states["report_awaiting_members"].note
    assert "does not wait for the presentation" in note


# -- the hand-over of responsibility ---------------------------------------------------------


def test_responsibility_passes_from_lead_to_link_inspector_at_the_handover_meeting(spec):
    """'At the point of the handover meeting, responsibility will pass from the lead inspector
    to the link inspector.' (23 Responsibility)"""
    case = published(spec)
    case.fire("handover_meeting_arranged", D(2026, 3, 9), actor="inspection_support_manager")
    presented(case, D(2026, 3, 19))
    plan_in(case, D(2026, 5, 15))
    assert spec.states["preparing_handover"].role == "lead_inspector"
    assert case.responsible_roles() == ["lead_inspector"]
    entry = case.fire("handover_meeting_took_place", D(2026, 5, 21),
                      {"risk": "medium", "link_inspector_same_as_lead": False})
    assert entry.target[0] == "confirmation_letter_to_write"
    assert spec.states["confirmation_letter_to_write"].role == "link_inspector"
    assert "responsibility_handover" in spec.states["confirmation_letter_to_write"].milestones
    # the link inspector, and the authority that now owes quarterly reports
    assert case.responsible_roles() == ["link_inspector", "local_authority"]
    assert "responsibility_handover" in spec.events["handover_meeting_took_place"].milestones
    letter(case, D(2026, 5, 28))
    assert spec.states["follow_up_year"].role == "link_inspector"
    assert "link_inspector" in case.responsible_roles()
    assert "lead_inspector" not in case.responsible_roles()


def test_the_link_inspector_may_be_the_same_inspector(spec):
    """'This may, in some cases, be the same inspector.' The hand-over is still recorded."""
    case = handed_over(spec, same=True)
    assert case.facts["link_inspector_same_as_lead"] is True
    assert [h.event for h in case.history].count("handover_meeting_took_place") == 1
    other = published(spec)
    plan_in(other, D(2026, 5, 15))
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
    # the presentation to elected members may still come (information, 23 Introduction)
    assert {"progress_report_submitted", "follow_up_meeting_held", "monitoring_visit_considered",
            "special_inspection_requested", "follow_up_started",
            "report_presented_to_elected_members"} == set(case.available_events())


def test_reports_meetings_and_monitoring_can_be_recorded_before_the_confirmation_letter(spec):
    """'Following the handover meeting, the link inspector will write ... to confirm the agreed
    arrangements for monitoring progress. ... Progress reports and follow up meetings with the
    link inspector will normally be required quarterly.' (23 Confirmation of agreement)

    The arrangements are agreed at the meeting (23 Handover meeting) and the quarters run from
    it, so nothing the authority or SWIA does waits for the letter, except the formal follow-up."""
    case = meeting_held(spec, meeting=D(2026, 5, 21))
    assert "confirmation_letter_to_write" in case.active_states
    case.fire("follow_up_meeting_held", D(2026, 6, 1))
    case.fire("progress_report_submitted", D(2026, 6, 2))
    case.fire("monitoring_visit_considered", D(2026, 6, 3),
              {"monitoring_visit_needed": False, "liaised_with_management_team": True})
    with pytest.raises(UnknownEvent):  # the formal follow-up waits for the letter
        case.fire("follow_up_started", D(2026, 6, 4), {"follow_up_days": 2})
    letter(case, D(2026, 8, 3))
    assert "awaiting_follow_up" in case.active_states
    assert "considering_progress_report" in case.active_states
    for ident in ("quarterly_progress_reports", "quarterly_follow_up_meetings"):
        first = rows(case, D(2026, 8, 3), ident)[0]
        assert (first.earliest, first.due, first.status) == (
            D(2026, 5, 21), D(2026, 8, 21), "met"), ident


def test_the_letter_and_the_monitoring_decision_need_liaison_with_the_management_team(spec):
    """'The link inspector is required to liaise with the SWIA Management Team in organising
    follow-up and monitoring work.' (23 Responsibility) The letter sets out 'any activities
    planned by SWIA over the next year' (23 Confirmation of agreement); deciding on a monitoring
    visit is monitoring work."""
    case = meeting_held(spec)
    with pytest.raises(FactError, match="liaised_with_management_team"):
        case.fire("confirmation_letter_sent", D(2026, 5, 28))
    with pytest.raises(EventRefused) as info:
        case.fire("confirmation_letter_sent", D(2026, 5, 28),
                  {"liaised_with_management_team": False})
    assert info.value.failures[0].citation == "23 Responsibility"
    with pytest.raises(EventRefused):
        case.fire("monitoring_visit_considered", D(2026, 5, 28),
                  {"monitoring_visit_needed": False, "liaised_with_management_team": False})
    letter(case, D(2026, 5, 28))
    case.fire("monitoring_visit_considered", D(2026, 5, 29),
              {"monitoring_visit_needed": False, "liaised_with_management_team": True})
    assert "routine_monitoring" in case.active_states
    assert spec.facts["liaised_with_management_team"].citation == "23 Responsibility"


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


def test_a_report_can_be_recorded_while_the_previous_one_is_still_with_swia(spec):
    """'The link inspector will consider the progress reports submitted by the authority and
    agree with the SWIA Management Team a written response' (23 Progress reports); 'Progress
    reports ... will normally be required quarterly' (23 Confirmation of agreement).

    SWIA's pace of response never makes the authority's quarter show as missed: a report is
    recorded whatever stage the response to the previous one has reached, and is considered."""
    case = handed_over(spec, meeting=D(2026, 5, 21))
    case.fire("progress_report_submitted", D(2026, 8, 14))
    case.fire("progress_report_submitted", D(2026, 11, 13))  # first still being considered
    assert "considering_progress_report" in case.active_states
    case.fire("response_agreed_with_management_team", D(2026, 12, 1))
    case.fire("progress_report_submitted", D(2027, 2, 12))   # response agreed, not yet sent
    assert "response_to_send_newer_report_in" in case.active_states
    case.fire("written_response_sent", D(2027, 2, 15))
    assert "considering_progress_report" in case.active_states  # the newer report is next
    quarters = rows(case, D(2027, 2, 22), "quarterly_progress_reports")
    assert [(r.due, r.status, r.met_on) for r in quarters[:3]] == [
        (D(2026, 8, 21), "met", D(2026, 8, 14)),
        (D(2026, 11, 21), "met", D(2026, 11, 13)),
        (D(2027, 2, 21), "met", D(2027, 2, 12)),
    ]
    case.fire("response_agreed_with_management_team", D(2027, 2, 25))
    case.fire("written_response_sent", D(2027, 2, 26))
    assert "awaiting_progress_report" in case.active_states


def test_quarterly_progress_reports_and_meetings_met_or_later_than_normal(spec):
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
        (2, D(2026, 8, 21), D(2026, 11, 21), "departed"),
        (3, D(2026, 11, 21), D(2027, 2, 21), "met"),
    ]
    assert mid[2].met_on == D(2026, 12, 4)

    case.fire("follow_up_started", D(2027, 3, 1), {"follow_up_days": 2})
    end = rows(case, D(2027, 4, 1), "quarterly_follow_up_meetings")
    assert [(r.due, r.status) for r in end] == [
        (D(2026, 8, 21), "met"),
        (D(2026, 11, 21), "met"),
        (D(2027, 2, 21), "departed"),
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
    case.fire("monitoring_visit_considered", D(2026, 9, 10),
              {"monitoring_visit_needed": True, "liaised_with_management_team": True})
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
        case.fire("monitoring_visit_considered", D(2026, 9, 10),
                  {"monitoring_visit_needed": True, "liaised_with_management_team": True})
    assert info.value.failures[0].citation == "23 Monitoring visits by SWIA"
    case.fire("monitoring_visit_considered", D(2026, 9, 10),
              {"monitoring_visit_needed": False, "liaised_with_management_team": True})
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


def missed_since(case: Case, start: date, today: date) -> list[str]:
    """Rows not kept (breached, later than normal, late...) whose due date is on or after
    ``start`` (the follow-up's first day)."""
    return [f"{r.id}#{r.occurrence}" for r in case.timescales(today)
            if r.status in NOT_KEPT and r.due and r.due >= start]


def test_low_risk_gives_a_follow_up_of_up_to_two_days(spec):
    """'In authorities where risk is regarded as being low, it is likely that SWIA will want to
    spend up to two days in the local authority carrying out a follow up inspection one year
    after the report has been published.' (23 Scope)"""
    case = handed_over(spec, pub=D(2026, 3, 4), meeting=D(2026, 5, 20), risk="low")
    case.fire("follow_up_started", D(2027, 3, 2), {"follow_up_days": 2})
    assert case.active_states == ["short_follow_up_inspection"]
    assert "follow_up_year" not in case.active_states
    target = row(case, D(2027, 3, 2), "follow_up_one_year")
    assert (target.due, target.status, target.met_on) == (D(2027, 3, 4), "met", D(2027, 3, 2))
    assert target.approximate
    case.fire("follow_up_completed", D(2027, 3, 3))
    assert case.active_states == ["follow_up_result_to_send"]
    one_day = handed_over(spec, risk="low")
    one_day.fire("follow_up_started", D(2027, 3, 2), {"follow_up_days": 1})  # "up to"
    assert one_day.active_states == ["short_follow_up_inspection"]


def test_serious_concerns_give_a_follow_up_of_three_or_more_days(spec):
    """'In authorities where the concerns are serious, there will normally be a follow-up
    inspection of three or more days.' (23 Scope)"""
    case = handed_over(spec, evaluation="unsatisfactory", risk="high")
    assert case.facts["serious_concerns"] is True
    case.fire("follow_up_started", D(2027, 3, 1), {"follow_up_days": 3})
    assert case.active_states == ["extended_follow_up_inspection"]
    case.fire("follow_up_completed", D(2027, 3, 3))
    assert case.active_states == ["follow_up_result_to_send"]


def test_a_two_day_follow_up_where_concerns_are_serious_shows_the_departure(spec):
    """'there will normally be a follow-up inspection of three or more days' (23 Scope): two days
    only is allowed ('normally') but leads to the state that shows the departure."""
    case = handed_over(spec, evaluation="unsatisfactory", risk="high")
    case.fire("follow_up_started", D(2027, 3, 1), {"follow_up_days": 2})
    assert case.active_states == ["follow_up_other_length"]
    case.fire("follow_up_completed", D(2027, 3, 2))
    assert case.active_states == ["follow_up_result_to_send"]


def test_medium_risk_gives_the_normal_two_day_follow_up(spec):
    """'It will normally be for two days.' (23 End of inspection) One day, or three, at medium
    risk is a departure from the normal arrangement, shown as such."""
    case = handed_over(spec, risk="medium")
    case.fire("follow_up_started", D(2027, 3, 2), {"follow_up_days": 2})
    assert case.active_states == ["follow_up_inspection"]
    for days in (1, 3):
        other = handed_over(spec, risk="medium")
        other.fire("follow_up_started", D(2027, 3, 2), {"follow_up_days": days})
        assert other.active_states == ["follow_up_other_length"], days
    longer = handed_over(spec, risk="low")
    longer.fire("follow_up_started", D(2027, 3, 2), {"follow_up_days": 3})  # "up to two days"
    assert longer.active_states == ["follow_up_other_length"]


def test_follow_up_days_are_days_in_the_authority_not_elapsed_time(spec):
    """'It will normally be for two days' (23 End of inspection): two days spent in the
    authority, on Tuesday 2 and Thursday 4 March 2027, are a two-day follow-up; nothing shows as
    missed for the days in between."""
    case = handed_over(spec, pub=D(2026, 3, 2), risk="medium")
    case.fire("follow_up_started", D(2027, 3, 2), {"follow_up_days": 2})
    assert case.active_states == ["follow_up_inspection"]
    case.fire("follow_up_completed", D(2027, 3, 4))
    assert case.active_states == ["follow_up_result_to_send"]
    # only the signing-off, 'about a year' after publication (2 March), is now behind target
    assert missed_since(case, D(2027, 3, 2), D(2027, 3, 4)) == ["signing_off_meeting#1"]


def test_a_three_day_follow_up_over_christmas_is_three_days(spec):
    """'a follow-up inspection of three or more days' (23 Scope): Wednesday 23 and Thursday
    24 December 2026 and Tuesday 29 December (after the Scottish Christmas and Boxing Day
    holidays) are three days in the authority, spread over a week."""
    case = handed_over(spec, pub=D(2026, 1, 6), meeting=D(2026, 3, 27), risk="high")
    case.fire("follow_up_started", D(2026, 12, 23), {"follow_up_days": 3})
    assert case.active_states == ["extended_follow_up_inspection"]
    case.fire("follow_up_completed", D(2026, 12, 29))
    assert missed_since(case, D(2026, 12, 23), D(2026, 12, 29)) == []


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
    # 'about a year after': a target, late by six weeks, never a breach
    assert (sign_off.due, sign_off.status, sign_off.met_on) == (D(2027, 3, 2), "late", D(2027, 4, 13))
    assert "42 days after" in sign_off.reason
    case.fire("signing_off_record_provided", D(2027, 4, 20))
    case.fire("process_end_confirmed", D(2027, 4, 20))
    assert case.active_states == ["process_ended"]
    assert "formal_end" in spec.states["process_ended"].milestones
    assert case.finished_on == D(2027, 4, 20)


def test_a_target_is_never_breached(spec):
    """'about a year after the publication': a late signing-off is behind target, not overdue."""
    case = handed_over(spec, pub=D(2026, 3, 2))
    r = row(case, D(2027, 9, 1), "signing_off_meeting")
    assert (r.due, r.status, r.strength, r.overdue) == (D(2027, 3, 2), "late", "target", False)
    assert r.standing(D(2027, 9, 1)) == "behind target"
    # 'will normally be held one year after': the normal arrangement, later than normal
    r = row(case, D(2027, 9, 1), "follow_up_one_year")
    assert (r.status, r.verdict, r.overdue) == ("departed", "later than normal", False)


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
        (D(2026, 8, 21), "met"), (D(2026, 11, 21), "departed"), (D(2027, 2, 21), "met"),
        (D(2027, 5, 21), "not applicable")]
    assert status[("monitoring_visit", 1)] == (D(2027, 3, 2), "met")
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
    assert (meeting.due, meeting.status, meeting.met_on) == (D(2027, 1, 4), "breached", D(2027, 1, 5))
    (quarter,) = rows(case, result.today, "quarterly_progress_reports")
    assert (quarter.earliest, quarter.due, quarter.status) == (D(2027, 1, 5), D(2027, 4, 5), "pending")
    assert "awaiting_progress_report" in case.active_states


@pytest.mark.parametrize("name", ["swia_low_risk", "swia_serious_concerns", "swia_christmas"])
def test_scenarios_record_the_plan_and_the_presentation_before_the_meeting(spec, name):
    """'In the meeting, the action plan and progress to date will be considered' (23 Handover
    meeting); the section describes follow-up 'after the report has been published and
    presented to elected members' (23 Introduction). Every example records both first, and no
    example leaves a twelve-week row missed for a plan that was in."""
    result = run_scenario(spec, load_scenario(EXAMPLES / f"{name}.toml"))
    events = [h.event for h in result.case.history]
    meeting = events.index("handover_meeting_took_place")
    assert events.index("action_plan_submitted") < meeting
    assert events.index("report_presented_to_elected_members") < meeting
    assert result.case.facts["action_plan_in"] and result.case.facts["presented_to_elected_members"]
    assert row(result.case, result.today, "action_plan").status == "met"
