"""Scenario tests for specs/ciw_2019.toml, written from the Code of Practice's own words.

Source: Care Inspectorate Wales, *Code of Practice for Review of Local Authority Social Services*,
April 2019. Every date asserted here was computed by hand. Working days are Welsh (GB-WLS) and are
counted from the day after the anchor, skipping weekends and these bank holidays:
2026: Good Friday 3 Apr, Easter Monday 6 Apr, 4 May, 25 May, 31 Aug, 25 and 28 Dec;
2027: 1 Jan, Good Friday 26 Mar, Easter Monday 29 Mar, 3 May, 31 May, 30 Aug.
"Days", "weeks" and "months" are calendar units.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from regflow.engine import Case, load_scenario, load_spec, run_scenario
from regflow.engine.errors import EventRefused, ExtensionError, FactError, PeriodNotOver, UnknownEvent

from conftest import row, rows, seed_text

D = date
ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "specs" / "ciw_2019.toml"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC_PATH)



def simulate(spec, name: str):
    return run_scenario(spec, load_scenario(EXAMPLES / name)).case


def after_fieldwork(spec, completed=D(2026, 5, 20), service="adults") -> Case:
    """Announced 2 March 2026, fieldwork 13 April to ``completed``."""
    case = Case(spec, opened_on=D(2026, 3, 2), facts={"service": service})
    case.fire("inspection_announced", D(2026, 3, 2), actor="head_of_la_inspection")
    case.fire("fieldwork_started", D(2026, 4, 13), actor="lead_inspector")
    case.fire("fieldwork_completed", completed, actor="lead_inspector")
    return case


def judged(spec, level: str, **facts) -> Case:
    """Moderated (peer review done) and concerns judged on 10 June 2026."""
    case = after_fieldwork(spec)
    case.fire("report_sent_for_moderation", D(2026, 6, 1))
    case.fire("peer_review_completed", D(2026, 6, 8))
    case.fire("concerns_judged", D(2026, 6, 10), {"concern_level": level, **facts})
    return case


def published(spec, level: str = "none") -> Case:
    """Draft shared 19 June, comments 2 July, published 23 July 2026."""
    case = judged(spec, level)
    case.fire("draft_report_shared", D(2026, 6, 19))
    case.fire("la_comments_received", D(2026, 7, 2))
    if level == "significant":
        case.fire("officials_meeting_held", D(2026, 7, 8), {"officials_meeting_held": True})
    case.fire("report_published", D(2026, 7, 23))
    return case


# -- the spec itself ------------------------------------------------------------------------


def test_the_spec_validates_on_the_welsh_calendar(spec):
    assert spec.process.id == "ciw_2019"
    assert spec.process.calendar == "GB-WLS"
    assert SPEC_PATH.read_text().splitlines()[0] == '"$schema" = "./regflow-spec.schema.json"'


def test_no_comments_carry_meaning_everything_is_in_fields():
    """Specs are saved with tomli-w, which drops comments: the spec has none."""
    assert not [line for line in SPEC_PATH.read_text().splitlines()
                if line.lstrip().startswith("#")]


def test_exactly_one_initial_state_at_the_top_and_one_per_compound_state(spec):
    top = [n for n in spec.children(None) if spec.states[n].initial]
    assert top == ["review"]
    for name, state in spec.states.items():
        children = spec.children(name)
        if children and not state.parallel:
            assert len([c for c in children if spec.states[c].initial]) == 1, name


def _normalise(text: str) -> str:
    text = re.sub(r"^<sup>&</sup>lt;sup>.*$", "", text, flags=re.M)  # footnote lines
    text = re.sub(r"<sup>.*?</sup>", "", text)
    text = re.sub(r"</?u>", "", text).replace("**", "")
    text = re.sub(r"^\s*[-•]\s+(\d+(\.\d+)?\s+)?", "", text, flags=re.M)  # bullets, numbers
    return " ".join(text.replace("•", "").split())


def test_paragraph_texts_are_the_documents_own_words():
    """[paragraphs] may abridge (marked […]) but every piece must be the document's own words."""
    source = _normalise(seed_text("ciw_code_of_practice_2019.txt"))
    paragraphs = tomllib.loads(SPEC_PATH.read_text())["paragraphs"]
    for key, text in paragraphs.items():
        for piece in text.split(" […] "):
            assert " ".join(piece.split()) in source, f"{key}: {piece[:80]!r}"


def test_the_documents_timescales_are_all_encoded(spec):
    """Each timescale of the Code, with the kind, length and strength the Code's words give it."""
    expected = {
        "announcement_lead_time": ("lead_time", "4 weeks", "6.7", "expected"),  # "generally"
        "draft_report": ("deadline", "25 working days", "8.5", "expected"),  # "is expected to be"
        "factual_accuracy_period": ("delay", "10 working days", "8.7", "limit"),  # "is allowed"
        "publication_after_comments": ("deadline", "25 working days", "8.8", "limit"),  # "will be"
        "publication": ("deadline", "50 working days", "8.4", "target"),  # "we aim to"
        "improvement_plan": ("deadline", "20 working days", "9.1", "limit"),  # "is required to"
        "warning_notice_review": ("delay", "90 days", "10.11", "limit"),  # "will be reviewed after"
        "head_of_service_meetings": ("recurring", "6 months", "Annex 2", "expected"),
        "director_meeting": ("recurring", "1 financial year", "5.7", "expected"),
        "chief_executive_meeting": ("recurring", "1 financial year", "5.8", "best_effort"),
        "focused_activity": ("recurring", "6 months", "Annex 2", "expected"),
        "annual_letter": ("recurring", "1 financial year", "5.9", "target"),  # "early in"
        "director_annual_report": ("recurring", "1 financial year", "5.5", "expected"),
        "inspection_cycle": ("deadline", "4 years", "6.5", "limit"),  # "we will schedule"
    }
    for ident, (kind, length, citation, strength) in expected.items():
        t = spec.timescale(ident)
        assert (t.kind, t.citation, t.strength) == (kind, citation, strength), ident
        assert str(t.every or t.within or t.after) == length, ident
        assert t.wording, ident
    assert spec.timescale("publication").extendable  # "in exceptional circumstances"
    assert not spec.timescale("draft_report").extendable
    t = spec.timescale("significant_follow_up_window")
    assert (t.kind, str(t.after), str(t.within), t.citation) == (
        "window", "12 months", "18 months", "10.12")
    # 10.4's "within 12-18 months" for the conference is a window, of the inspection
    t = spec.timescale("serious_conference_deadline")
    assert (t.kind, str(t.after), str(t.within), t.citation) == ("window", "12 months", "18 months", "10.4")
    assert t.anchor.name == "fieldwork_completed" and "of the inspection" in t.note
    t = spec.timescale("warning_notice_action")
    assert (t.kind, t.due_on, t.strength, t.citation) == ("deadline", "warning_notice_action_due", "limit", "10.10")
    # every timescale says how binding it is, in the document's own word
    assert all(t.wording for t in spec.timescales)
    assert spec.timescale("warning_notice_review").fires == "warning_notice_review_due"
    # 8.7: the engine closes the 10 working days itself on their last day (see the note)
    t = spec.timescale("factual_accuracy_period")
    assert (t.fires, t.met_by, t.anchor.name, t.responsible) == (
        "factual_accuracy_period_ended", None, "draft_report_shared", "head_of_la_inspection")
    assert "factual_accuracy_response" not in {t.id for t in spec.timescales}


# -- a routine inspection (examples/ciw_no_concerns.toml) -----------------------------------


def test_routine_inspection_reporting_dates(spec):
    """8.5 "shared with the local authority as a draft version within 25 working days of the
    completion of the inspection fieldwork"; 8.4 "publish inspection reports within 50 working
    days following the completion of the inspection fieldwork"; 8.7 "A period of 10 working days
    is allowed for the local authority to consider and respond to the draft report"; 8.8
    "published to our website within 25 working days of receipt of the local authority's
    comments"; 9.1 "inform CIW within 20 working days of the publication of the report".

    Fieldwork ended Friday 15 May 2026; Monday 25 May (Spring bank holiday) is not counted.
    Draft shared Friday 12 June: the 10 working days run 15-26 June, to Friday 26 June; the
    local authority's comments came on 25 June, so the engine had no period to close (the row
    is not applicable).
    """
    case = simulate(spec, "ciw_no_concerns.toml")
    today = D(2026, 12, 1)
    expected = {
        "draft_report": (D(2026, 5, 15), D(2026, 6, 22), D(2026, 6, 12)),
        "publication": (D(2026, 5, 15), D(2026, 7, 27), D(2026, 7, 22)),
        "publication_after_comments": (D(2026, 6, 25), D(2026, 7, 30), D(2026, 7, 22)),
        "improvement_plan": (D(2026, 7, 22), D(2026, 8, 19), D(2026, 8, 18)),
    }
    for ident, (anchor, due, met_on) in expected.items():
        r = row(case, today, ident)
        assert (r.anchor_date, r.due, r.met_on, r.status) == (anchor, due, met_on, "met"), ident
    period = row(case, today, "factual_accuracy_period")
    assert (period.anchor_date, period.due, period.status) == (
        D(2026, 6, 12), D(2026, 6, 26), "not applicable")


def test_routine_inspection_announced_four_weeks_ahead(spec):
    """6.7 "Individual inspections will generally be announced to the local authority four
    weeks prior to the inspection fieldwork taking place". Announced Monday 9 March 2026, so
    fieldwork may start from Monday 6 April (calendar weeks; the bank holiday does not matter)."""
    case = simulate(spec, "ciw_no_concerns.toml")
    r = row(case, D(2026, 12, 1), "announcement_lead_time")
    assert (r.anchor_date, r.earliest, r.met_on, r.status) == (
        D(2026, 3, 9), D(2026, 4, 6), D(2026, 4, 20), "met")


def test_no_concerns_means_normal_monitoring_and_no_follow_up(spec):
    """9.3 "Under normal circumstances, we will monitor progress through our performance
    evaluation activities. However, where we have identified poor practice and have significant
    concerns (see section 10) we will carry out a follow up inspection." """
    case = simulate(spec, "ciw_no_concerns.toml")
    assert "normal_monitoring" in case.active_states
    assert {"improvement_plan_in_place", "report_presented", "shorter_survey_done"} <= set(
        case.active_states)
    assert "follow_up_inspection_decided" not in case.available_events()
    with pytest.raises(EventRefused) as info:
        case.fire("follow_up_inspection_decided", D(2026, 12, 1))
    assert [f.citation for f in info.value.failures] == ["9.3"]
    assert row(case, D(2026, 12, 1), "significant_follow_up_window").status == "not applicable"


def test_performance_evaluation_runs_alongside(spec):
    """Annex 2: "Local Authority Head of Service meeting Twice a year"; "Focussed activity (see
    paragraph 5.6) Minimum of 2 activities per year"; 5.9 "We will write to each local authority
    early in the new financial year." Half-years count from the opening of the case, 2 March
    2026; the letter's year is the financial year (1 April to 31 March)."""
    case = simulate(spec, "ciw_no_concerns.toml")
    today = D(2026, 12, 1)
    meetings = rows(case, today, "head_of_service_meetings")
    assert [(r.earliest, r.due, r.met_on, r.status) for r in meetings] == [
        (D(2026, 3, 2), D(2026, 9, 2), D(2026, 4, 15), "met"),
        (D(2026, 9, 2), D(2027, 3, 2), D(2026, 10, 6), "met"),
    ]
    focused = rows(case, today, "focused_activity")
    assert [(r.due, r.met_on) for r in focused] == [
        (D(2026, 9, 2), D(2026, 8, 14)), (D(2027, 3, 2), D(2026, 11, 27))]
    (letter,) = rows(case, today, "annual_letter")
    # the first whole financial year is 2026-27; "early in the new financial year": within its
    # first three months, by 1 July 2026
    assert (letter.earliest, letter.due, letter.met_on, letter.status) == (
        D(2026, 4, 1), D(2026, 7, 1), D(2026, 5, 11), "met")
    assert letter.strength == "target"


def test_yearly_items_belong_to_the_financial_year(spec):
    """5.5, 5.7, 5.8 and 5.9 are yearly items of the financial year (1 April to 31 March), not
    years from the opening of the case: opened 2 March 2026, the first year judged is 2026-27
    (the month of 2025-26 before it is not on record)."""
    case = Case(spec, opened_on=D(2026, 3, 2))
    case.fire("director_meeting_held", D(2026, 3, 20))  # in 2025-26: not judged
    case.fire("chief_executive_meeting_held", D(2027, 5, 5))  # in 2027-28
    today = D(2028, 4, 2)
    director = rows(case, today, "director_meeting")
    assert [(r.earliest, r.due, r.status) for r in director] == [
        (D(2026, 4, 1), D(2027, 3, 31), "departed"),  # "an annual meeting": later than normal
        (D(2027, 4, 1), D(2028, 3, 31), "departed"),
        (D(2028, 4, 1), D(2029, 3, 31), "pending")]
    chief = rows(case, today, "chief_executive_meeting")
    assert [(r.due, r.status) for r in chief] == [
        (D(2027, 3, 31), "not achieved"),  # "we will seek to meet": a best effort
        (D(2028, 3, 31), "met"), (D(2029, 3, 31), "pending")]
    letter = rows(case, D(2027, 7, 2), "annual_letter")[-1]
    assert (letter.earliest, letter.due, letter.status) == (D(2027, 4, 1), D(2027, 7, 1), "late")
    assert letter.standing(D(2027, 7, 2)) == "behind target"


def test_a_period_without_a_head_of_service_meeting_is_later_than_normal(spec):
    """Annex 2 "Twice a year": nothing between 2 March and 2 September 2026 is a departure from
    the schedule, not a breach."""
    case = Case(spec, opened_on=D(2026, 3, 2))
    first, second = rows(case, D(2026, 10, 1), "head_of_service_meetings")
    assert (first.due, first.status, first.verdict) == (D(2026, 9, 2), "departed", "later than normal")
    assert (second.due, second.status) == (D(2027, 3, 2), "pending")


# -- Christmas and New Year (examples/ciw_christmas.toml) -----------------------------------


def test_draft_deadline_across_christmas_and_new_year(spec):
    """8.5 "within 25 working days of the completion of the inspection fieldwork".

    Fieldwork completed Wednesday 16 December 2026. Counting weekends only would give Wednesday
    20 January 2027; Friday 25 December, Monday 28 December (Boxing Day observed) and Friday
    1 January are Welsh bank holidays, so the draft is due on Monday 25 January 2027.
    8.4's 50 working days then end on Monday 1 March 2027. Draft shared Friday 22 January: 8.7's
    10 working days are 25 January to 5 February, so the period closes on Friday 5 February.
    """
    case = simulate(spec, "ciw_christmas.toml")
    today = D(2027, 4, 15)
    draft = row(case, today, "draft_report")
    assert (draft.anchor_date, draft.due, draft.met_on, draft.status) == (
        D(2026, 12, 16), D(2027, 1, 25), D(2027, 1, 22), "met")
    assert case.calendar.working_days_between(D(2026, 12, 16), D(2027, 1, 20)) == 22
    publication = row(case, today, "publication")
    assert (publication.due, publication.met_on, publication.status) == (
        D(2027, 3, 1), D(2027, 2, 26), "met")
    comments = row(case, today, "factual_accuracy_period")  # comments came on 4 February
    assert (comments.anchor_date, comments.due, comments.met_on, comments.status) == (
        D(2027, 1, 22), D(2027, 2, 5), None, "not applicable")
    after_comments = row(case, today, "publication_after_comments")
    assert (after_comments.anchor_date, after_comments.due) == (D(2027, 2, 4), D(2027, 3, 11))


def test_improvement_plan_deadline_across_easter_2027(spec):
    """9.1 "inform CIW within 20 working days of the publication of the report". Published
    Friday 26 February 2027; Good Friday 26 March and Easter Monday 29 March are skipped, so the
    plan is due Tuesday 30 March 2027 (received that day: met)."""
    case = simulate(spec, "ciw_christmas.toml")
    r = row(case, D(2027, 4, 15), "improvement_plan")
    assert (r.anchor_date, r.due, r.met_on, r.status) == (
        D(2027, 2, 26), D(2027, 3, 30), D(2027, 3, 30), "met")


def test_the_documented_example_friday_18_december(spec):
    """docs/spec-format.md: "25 working days after Friday 18 December 2026 in Wales skips 25 and
    28 December": by hand, 21-24 Dec (4), 29-31 Dec (7), 4-8 Jan (12), 11-15 Jan (17),
    18-22 Jan (22), 25-27 Jan (25): Wednesday 27 January 2027."""
    case = after_fieldwork(spec, completed=D(2026, 12, 18))
    assert row(case, D(2026, 12, 18), "draft_report").due == D(2027, 1, 27)


def test_publication_may_be_extended_in_exceptional_circumstances(spec):
    """8.4 "However, in exceptional circumstances this timescale may be extended." 8.5 has no
    such words, so the draft deadline cannot be extended."""
    case = after_fieldwork(spec, completed=D(2026, 12, 16))
    assert row(case, D(2027, 1, 4), "publication").due == D(2027, 3, 1)
    case.extend("publication", D(2027, 3, 12), reason="exceptional circumstances: lead inspector ill")
    r = row(case, D(2027, 1, 4), "publication")
    assert (r.due, r.extended_to) == (D(2027, 3, 12), D(2027, 3, 12))
    with pytest.raises(ExtensionError):
        case.extend("draft_report", D(2027, 2, 1), reason="Christmas")


def test_conflict_of_interest_only_before_the_inspection_starts(spec):
    """6.8 "At the point of the inspection notification, the local authority should review the
    composition of the inspection team and immediately highlight any perceived or actual
    conflicts of interest prior to the start of the inspection." """
    case = Case(spec, opened_on=D(2026, 10, 1), facts={"service": "adults"})
    case.fire("inspection_announced", D(2026, 10, 19))
    case.fire("team_composition_reviewed", D(2026, 10, 21), {"conflict_of_interest": True},
              actor="local_authority")
    assert "conflict_of_interest_under_consideration" in case.current_states
    assert "head_of_la_inspection" in case.responsible_roles()
    case.fire("conflict_of_interest_resolved", D(2026, 10, 23))
    assert "team_composition_settled" in case.current_states

    late = Case(spec, opened_on=D(2026, 10, 1))
    late.fire("inspection_announced", D(2026, 10, 19))
    late.fire("fieldwork_started", D(2026, 11, 23))
    with pytest.raises(UnknownEvent):
        late.fire("team_composition_reviewed", D(2026, 11, 24), {"conflict_of_interest": True})

    silent = Case(spec, opened_on=D(2026, 10, 1))
    silent.fire("inspection_announced", D(2026, 10, 19))
    with pytest.raises(FactError):  # the review must say whether there is a conflict
        silent.fire("team_composition_reviewed", D(2026, 10, 21))


def test_fieldwork_too_soon_after_the_announcement_is_earlier_than_normal(spec):
    """6.7 "Individual inspections will generally be announced to the local authority four weeks
    prior to the inspection fieldwork": fieldwork three weeks after the announcement departs from
    the normal arrangement ("generally"); it is no breach."""
    case = Case(spec, opened_on=D(2026, 3, 2))
    case.fire("inspection_announced", D(2026, 3, 2))
    case.fire("fieldwork_started", D(2026, 3, 23))
    r = row(case, D(2026, 3, 23), "announcement_lead_time")
    assert (r.earliest, r.status, r.verdict) == (D(2026, 3, 30), "departed", "earlier than normal")
    assert "too early" in r.reason


def test_initial_feedback_and_questionnaire_at_the_end_of_fieldwork(spec):
    """8.1 "At the end of the fieldwork, we will provide initial, high level verbal feedback to the
    statutory director of social services and head of service." 8.2 "at the end of the fieldwork
    we will send a feedback questionnaire". Read as the day fieldwork ends."""
    case = after_fieldwork(spec)
    case.fire("initial_feedback_given", D(2026, 5, 20))
    case.fire("feedback_questionnaire_sent", D(2026, 5, 21))
    feedback = row(case, D(2026, 5, 21), "initial_feedback")
    questionnaire = row(case, D(2026, 5, 21), "feedback_questionnaire")
    assert (feedback.due, feedback.status) == (D(2026, 5, 20), "met")
    assert (questionnaire.due, questionnaire.status) == (D(2026, 5, 20), "breached")  # "we will send"


def test_moderation_before_the_draft_and_no_publication_before_comments(spec):
    """8.6 "All our inspection reports go through a moderation process which includes peer review
    by a senior manager who is not part of the original inspection team and scrutiny by the head
    of local authority inspection." 6.14 the report "will be made publicly available once the
    local authority has had opportunity to comment." """
    case = after_fieldwork(spec)
    with pytest.raises(UnknownEvent):
        case.fire("draft_report_shared", D(2026, 6, 1))
    case.fire("report_sent_for_moderation", D(2026, 6, 1))
    assert "peer_reviewer" in case.responsible_roles()
    case.fire("peer_review_completed", D(2026, 6, 8))
    assert "head_of_la_inspection" in case.responsible_roles()
    case.fire("draft_report_shared", D(2026, 6, 19))
    assert "local_authority" in case.responsible_roles()
    with pytest.raises(UnknownEvent):
        case.fire("report_published", D(2026, 6, 26))
    case.fire("report_published", D(2026, 7, 23))  # the engine closed the period on 6 July
    assert "published" in case.active_states


# -- significant concerns (examples/ciw_significant.toml) -----------------------------------


def test_significant_concerns_lead_to_the_officials_meeting_and_formal_monitoring(spec):
    """10.6 "Where we have identified significant concerns, CIW will meet with local authority
    officers to discuss the grounds for this judgement." 10.12 "CIW will carry out a programme of
    formal monitoring of improvement". """
    case = judged(spec, "significant")
    assert {"significant_concerns", "officials_meeting_to_arrange",
            "significant_monitoring_to_set_up"} <= set(case.active_states)
    assert "normal_monitoring" not in case.active_states


def test_publication_waits_for_the_officials_meeting_where_possible(spec):
    """10.6 "Where possible, this meeting will be held ahead of formal publication of the
    inspection report." """
    case = judged(spec, "significant")
    case.fire("officials_meeting_arranged", D(2026, 6, 12),
              {"meeting_possible_before_publication": True})
    case.fire("draft_report_shared", D(2026, 6, 19))
    case.fire("la_comments_received", D(2026, 7, 2))
    with pytest.raises(EventRefused) as info:
        case.fire("report_published", D(2026, 7, 7))
    assert [f.citation for f in info.value.failures] == ["10.6"]
    case.fire("officials_meeting_held", D(2026, 7, 8), {"officials_meeting_held": True},
              actor="chief_inspector")
    assert "warning_notice_under_consideration" in case.current_states
    assert "welsh_ministers" in case.responsible_roles()
    case.fire("report_published", D(2026, 7, 23))
    assert "published" in case.active_states


def test_only_the_meeting_itself_establishes_that_it_was_held(spec):
    """10.6 "Where possible, this meeting will be held ahead of formal publication": publication
    must wait for the meeting itself. The judgment cannot record the meeting as held, so a report
    with significant concerns is never published on the judgment's word alone."""
    case = after_fieldwork(spec)
    case.fire("report_sent_for_moderation", D(2026, 6, 1))
    case.fire("peer_review_completed", D(2026, 6, 8))
    with pytest.raises(FactError, match="does not set 'officials_meeting_held'"):
        case.fire("concerns_judged", D(2026, 6, 10),
                  {"concern_level": "significant", "officials_meeting_held": True})
    case.fire("concerns_judged", D(2026, 6, 10), {"concern_level": "significant"})
    case.fire("draft_report_shared", D(2026, 6, 19))
    case.fire("la_comments_received", D(2026, 7, 2))
    with pytest.raises(EventRefused):
        case.fire("report_published", D(2026, 7, 23))
    assert "officials_meeting_held" not in spec.events["concerns_judged"].sets


def test_a_new_judgment_awaits_a_new_meeting(spec):
    """After a later inspection again finds significant concerns, the earlier meeting does not
    count: the judgment clears it, and only the new meeting's own event sets it again."""
    case = published(spec, "significant")
    assert case.facts["officials_meeting_held"] is True
    case.fire("concerns_judged", D(2026, 8, 3), {"concern_level": "significant"})
    assert case.facts["officials_meeting_held"] is False
    assert case.facts_at(len(case.history))["officials_meeting_held"] is False


def test_the_period_a_warning_notice_sets_falls_due_and_can_be_breached(spec):
    """10.10 "Where a warning notice is given it will set out ... the action required by the
    local authority and the period within which the action is to be taken". Notice given
    Tuesday 28 July 2026 with action due by Monday 28 September: not done by then is a breach;
    a further notice on 9 November sets a new period, met by the action on 1 December."""
    case = published(spec, "significant")
    case.fire("warning_notice_decided", D(2026, 7, 28),
              {"warning_notice_given": True, "warning_notice_action_due": D(2026, 9, 28)})
    r = row(case, D(2026, 9, 1), "warning_notice_action")
    assert (r.anchor_date, r.due, r.status, r.strength) == (D(2026, 7, 28), D(2026, 9, 28), "pending", "limit")
    r = row(case, D(2026, 9, 29), "warning_notice_action")
    assert (r.status, r.overdue, r.standing(D(2026, 9, 29))) == ("breached", True, "overdue")
    case.advance_to(D(2026, 10, 26))  # the 90-day review falls due
    case.fire("further_notice_decided", D(2026, 11, 9),
              {"further_notice_issued": True, "warning_notice_action_due": D(2027, 1, 11)})
    case.fire("warning_notice_action_taken", D(2026, 12, 1))
    assert "warning_notice_action_reported" in case.current_states
    first, second = rows(case, D(2026, 12, 1), "warning_notice_action")
    # the action came, late for the first notice's period
    assert (first.due, first.status, first.met_on) == (D(2026, 9, 28), "breached", D(2026, 12, 1))
    assert (second.anchor_date, second.due, second.status, second.met_on) == (
        D(2026, 11, 9), D(2027, 1, 11), "met", D(2026, 12, 1))
    # the review of the further notice still falls due by itself 90 days on
    (entry,) = case.advance_to(D(2027, 2, 7))
    assert entry.event == "warning_notice_review_due" and "warning_notice_under_review" in entry.target


def test_the_review_of_a_warning_notice_cannot_be_recorded_early(spec):
    """10.11 "The warning notice will be reviewed after 90 days": recording the review as due
    after 30 days is refused, naming the 90th day."""
    case = published(spec, "significant")
    case.fire("warning_notice_decided", D(2026, 7, 28), {"warning_notice_given": True})
    with pytest.raises(PeriodNotOver, match="before 2026-10-26") as info:
        case.fire("warning_notice_review_due", D(2026, 8, 27))
    assert info.value.citation == "10.11"
    assert "warning_notice_in_force" in case.current_states


def test_the_four_year_cycle_counts_scheduled_inspections_only(spec):
    """6.5 "We will schedule each local authority to have one adult services and one children's
    services inspection in a four year period": counted from the last scheduled inspection's
    fieldwork (started Monday 13 April 2026); a follow-up inspection neither restarts nor meets
    it."""
    case = simulate(spec, "ciw_significant.toml")
    (cycle,) = rows(case, D(2027, 10, 15), "inspection_cycle")
    assert (cycle.anchor_date, cycle.due, cycle.status, cycle.met_on) == (
        D(2026, 4, 13), D(2030, 4, 13), "pending", None)
    follow_up = [h for h in case.history if h.event == "fieldwork_started"][1]
    assert case.facts_at(follow_up.seq)["inspection_type"] == "follow_up"


def test_meeting_not_possible_before_publication(spec):
    """10.6 "Where possible" ahead of publication: when it is not possible, the report is published
    and the meeting follows."""
    case = judged(spec, "significant")
    case.fire("officials_meeting_arranged", D(2026, 6, 12),
              {"meeting_possible_before_publication": False})
    assert "officials_meeting_after_publication" in case.current_states
    case.fire("draft_report_shared", D(2026, 6, 19))
    case.fire("la_comments_received", D(2026, 7, 2))
    case.fire("report_published", D(2026, 7, 23))
    case.fire("officials_meeting_held", D(2026, 7, 29), {"officials_meeting_held": True})
    assert {"published", "warning_notice_under_consideration"} <= set(case.active_states)


def test_significant_scenario_warning_notice_reviews_fire_by_themselves(spec):
    """10.10 "The decision to issue a warning notice is taken by Welsh Ministers". 10.11 "The
    warning notice will be reviewed after 90 days and Welsh Ministers will decide whether to issue
    a further notice."

    Notice given Tuesday 28 July 2026: 90 days later is Monday 26 October 2026. A further notice
    on Monday 9 November 2026 is reviewed 90 days later, Sunday 7 February 2027.
    """
    case = simulate(spec, "ciw_significant.toml")
    auto = [(h.event, h.on, h.actor) for h in case.history if h.auto]
    assert auto == [("warning_notice_review_due", D(2026, 10, 26), "regflow"),
                    ("warning_notice_review_due", D(2027, 2, 7), "regflow")]
    first = next(h for h in case.history if h.auto)
    assert first.target and "warning_notice_under_review" in first.target
    reviews = rows(case, D(2027, 10, 15), "warning_notice_review")
    assert [(r.anchor_date, r.due, r.met_on, r.status) for r in reviews] == [
        (D(2026, 7, 28), D(2026, 10, 26), D(2026, 11, 9), "met"),
        (D(2026, 11, 9), D(2027, 2, 7), D(2027, 2, 15), "met"),
    ]
    assert "warning_notices_ended" in case.active_states


def test_warning_notice_review_is_not_due_before_90_days(spec):
    """10.11 "reviewed after 90 days": before then Ministers cannot decide on a further notice;
    on the 90th day the engine records the review by itself."""
    case = published(spec, "significant")
    case.fire("warning_notice_decided", D(2026, 7, 28), {"warning_notice_given": True})
    assert "warning_notice_in_force" in case.current_states
    with pytest.raises(UnknownEvent):
        case.fire("further_notice_decided", D(2026, 9, 1), {"further_notice_issued": False})
    assert case.advance_to(D(2026, 10, 25)) == []
    (entry,) = case.advance_to(D(2026, 10, 26))
    assert (entry.event, entry.on, entry.auto) == ("warning_notice_review_due", D(2026, 10, 26),
                                                    True)
    assert "warning_notice_under_review" in case.current_states
    r = row(case, D(2026, 10, 26), "warning_notice_review")
    assert (r.due, r.status) == (D(2026, 10, 26), "pending")


def test_no_warning_notice(spec):
    """10.9 "Welsh Ministers may give a warning notice" — they may also decide not to."""
    case = published(spec, "significant")
    case.fire("warning_notice_decided", D(2026, 7, 28), {"warning_notice_given": False})
    assert "no_warning_notice" in case.current_states
    assert row(case, D(2026, 12, 1), "warning_notice_review").status == "not applicable"


def test_significant_scenario_follow_up_inside_the_window(spec):
    """10.12 "will undertake a follow up inspection within 12-18 months of the inspection report
    being published". Published Thursday 23 July 2026: window 23 July 2027 to 23 January 2028;
    the follow-up's fieldwork started Monday 13 September 2027."""
    case = simulate(spec, "ciw_significant.toml")
    today = D(2027, 10, 15)
    r = row(case, today, "significant_follow_up_window")
    assert (r.anchor_date, r.earliest, r.due, r.met_on, r.status) == (
        D(2026, 7, 23), D(2027, 7, 23), D(2028, 1, 23), D(2027, 9, 13), "met")
    assert case.facts["inspection_type"] == "follow_up"
    # The windows for serious concerns (10.4, Annex 2) never applied: concerns were significant.
    for ident in ("serious_follow_up_window", "serious_conference_deadline"):
        assert {r.status for r in rows(case, today, ident)} == {"not applicable"}, ident
    # The follow-up runs through the same stages and timescales (6.9), each as a second row.
    # 6.7's four weeks are for scheduled inspections; 9.4 only says "in advance"
    lead = row(case, today, "announcement_lead_time", occurrence=2)
    assert (lead.anchor_date, lead.status) == (D(2027, 8, 9), "not applicable")
    draft = row(case, today, "draft_report", occurrence=2)
    assert (draft.anchor_date, draft.due, draft.status) == (
        D(2027, 9, 24), D(2027, 10, 29), "pending")
    publication = row(case, today, "publication", occurrence=2)
    assert publication.due == D(2027, 12, 3)
    first = row(case, today, "publication", occurrence=1)
    assert (first.due, first.met_on, first.status) == (D(2026, 7, 30), D(2026, 7, 23), "met")
    assert {"peer_review", "significant_formal_monitoring"} <= set(case.active_states)


def test_follow_up_started_before_the_window_is_too_early(spec):
    """10.12 "within 12-18 months": fieldwork after 11 months is outside the window."""
    case = published(spec, "significant")
    case.fire("follow_up_inspection_decided", D(2027, 5, 10))
    case.fire("inspection_announced", D(2027, 5, 17), {"inspection_type": "follow_up"})
    case.fire("fieldwork_started", D(2027, 6, 21))
    r = row(case, D(2027, 6, 21), "significant_follow_up_window")
    assert (r.earliest, r.status) == (D(2027, 7, 23), "breached")


# -- serious concerns -----------------------------------------------------------------------


def test_serious_concerns_formal_monitoring_then_improvement_conference(spec):
    """10.4 "Where we have serious concerns, we will develop a schedule of formal monitoring of
    improvement ... Depending on the outcome of our monitoring we may hold an improvement
    conference within 12-18 months of the inspection". 5.13 "Following an improvement conference
    we will write to the statutory director of social services".

    Fieldwork completed Wednesday 20 May 2026: the window runs from 20 May 2027 (12 months) to
    20 November 2027 (18 months).
    """
    case = published(spec, "serious")
    assert "serious_monitoring_to_schedule" in case.current_states
    window = row(case, D(2026, 8, 1), "serious_conference_deadline")
    assert window.status == "not applicable"  # "may": only once the response is decided
    case.fire("formal_monitoring_scheduled", D(2026, 7, 27))
    case.fire("support_signposted", D(2026, 8, 4))
    case.fire("monitoring_outcome_reviewed", D(2027, 3, 1),
              {"serious_concerns_response": "improvement_conference"})
    assert "conference_evidence_gathering" in case.current_states
    window = row(case, D(2027, 3, 1), "serious_conference_deadline")
    assert (window.earliest, window.due, window.status) == (D(2027, 5, 20), D(2027, 11, 20), "pending")
    case.fire("improvement_conference_held", D(2027, 6, 15))
    case.fire("conference_letter_sent", D(2027, 6, 29))
    assert row(case, D(2027, 6, 29), "serious_conference_deadline").status == "met"
    assert row(case, D(2027, 6, 29), "serious_follow_up_window").status == "not applicable"
    case.fire("conference_outcome_reviewed", D(2027, 9, 1))
    assert "serious_formal_monitoring" in case.current_states  # concerns still serious


def test_serious_concerns_follow_up_only_when_decided(spec):
    """9.4 "Where we have identified serious concerns we may carry out a follow up inspection. In
    this case, the decision to undertake a follow up inspection will be informed by the nature of
    the concerns from the original inspection; progress in implementation of improvement plans;
    and the outcome of monitoring activity." Annex 2: "Within 12-18 months of the scheduled
    thematic inspection"."""
    case = published(spec, "serious")
    with pytest.raises(EventRefused):
        case.fire("follow_up_inspection_decided", D(2026, 12, 1))
    case.fire("formal_monitoring_scheduled", D(2026, 7, 27))
    case.fire("monitoring_outcome_reviewed", D(2027, 2, 1),
              {"serious_concerns_response": "follow_up_inspection"})
    assert "serious_follow_up_planned" in case.current_states
    case.fire("follow_up_inspection_decided", D(2027, 2, 1))
    assert "follow_up_to_announce" in case.current_states
    case.fire("inspection_announced", D(2027, 4, 19), {"inspection_type": "follow_up"})
    case.fire("fieldwork_started", D(2027, 6, 7))
    r = row(case, D(2027, 6, 7), "serious_follow_up_window")
    assert (r.earliest, r.due, r.met_on, r.status) == (
        D(2027, 5, 20), D(2027, 11, 20), D(2027, 6, 7), "met")


# -- performance evaluation, responsive inspections, closing ---------------------------------


def test_annual_letter_needs_the_factual_accuracy_opportunity(spec):
    """5.9 "The local authority will have an opportunity to comment on the factual accuracy of
    the letter before it is published on our website." """
    case = Case(spec, opened_on=D(2026, 3, 2))
    with pytest.raises(UnknownEvent):
        case.fire("annual_letter_published", D(2026, 4, 20))
    case.fire("annual_letter_draft_shared", D(2026, 4, 20))
    assert "local_authority" in case.responsible_roles()
    case.fire("annual_letter_published", D(2026, 5, 11))
    assert rows(case, D(2026, 5, 11), "annual_letter")[-1].status == "met"


def test_improvement_conference_from_emerging_concerns(spec):
    """5.11 "Where we identify a pattern of emerging concerns arising from our performance
    evaluation activity, we may hold an Improvement Conference." 7.7 a responsive inspection
    "would likely be triggered by a lack of improvement following an improvement conference"."""
    case = published(spec, "none")
    with pytest.raises(FactError):
        case.fire("improvement_conference_called", D(2027, 1, 11))
    case.fire("improvement_conference_called", D(2027, 1, 11),
              {"conference_reason": "emerging_concerns"})
    case.fire("improvement_conference_held", D(2027, 3, 3))
    case.fire("conference_letter_sent", D(2027, 3, 17))
    assert "conference_actions_monitored" in case.current_states
    case.fire("responsive_inspection_decided", D(2027, 9, 6),
              {"responsive_trigger": "lack_of_improvement_after_conference"})
    assert "responsive_after_report_to_announce" in case.current_states
    case.fire("inspection_announced", D(2027, 9, 13), {"inspection_type": "responsive"})
    assert "preparation" in case.active_states
    case.fire("conference_outcome_reviewed", D(2027, 9, 13))
    assert "normal_monitoring" in case.current_states


def test_closing_the_case_stops_the_clocks(spec):
    """The Code sets no end; closing the case ends every region and stops recurring clocks."""
    case = simulate(spec, "ciw_no_concerns.toml")
    case.fire("case_closed", D(2026, 12, 1), actor="head_of_la_inspection")
    assert case.active_states == ["review_closed"]
    assert case.finished_on == D(2026, 12, 1)
    later = rows(case, D(2027, 12, 1), "head_of_service_meetings")
    assert later[-1].status in ("met", "not applicable")


# -- the published report's obligations run until the next inspection is announced -----------


def test_deciding_a_follow_up_does_not_end_the_reports_obligations(spec):
    """9.3 "where we have identified poor practice and have significant concerns (see section 10)
    we will carry out a follow up inspection." 9.1 "The local authority is required to detail the
    actions it will take ... and inform CIW within 20 working days of the publication of the
    report." 8.8 "The local authority will be expected to present the report to elected members".
    8.2 "a shorter survey following publication of the report."

    Published Thursday 23 July 2026 and the follow-up decided the next day: the improvement plan
    is still due 20 working days after publication, Thursday 20 August 2026 (24 July (1),
    27-31 July (6), 3-7 Aug (11), 10-14 Aug (16), 17-20 Aug (20)), and can still be received.
    """
    case = published(spec, "significant")
    case.fire("follow_up_inspection_decided", D(2026, 7, 24), actor="head_of_la_inspection")
    assert {"published", "follow_up_to_announce", "improvement_plan_awaited",
            "presentation_awaited", "shorter_survey_due"} <= set(case.active_states)
    plan = row(case, D(2026, 7, 24), "improvement_plan")
    assert (plan.due, plan.status) == (D(2026, 8, 20), "pending")
    case.fire("post_publication_survey_sent", D(2026, 7, 30))
    case.fire("improvement_plan_received", D(2026, 8, 19))
    case.fire("ciw_invited_to_committee", D(2026, 9, 1))
    case.fire("report_presented_to_members", D(2026, 9, 22))
    plan = row(case, D(2026, 9, 22), "improvement_plan")
    assert (plan.met_on, plan.status) == (D(2026, 8, 19), "met")
    assert {"improvement_plan_under_consideration", "report_presented", "shorter_survey_done",
            "follow_up_to_announce"} <= set(case.current_states)


def test_the_reports_tracks_end_only_when_the_next_inspection_is_announced(spec):
    """9.4 "We will inform the local authority in advance of a follow up inspection." The
    published report's tracks end with that announcement, not with the decision; the announcement
    must say it is the follow-up; and each new report needs a new decision."""
    case = published(spec, "significant")
    with pytest.raises(UnknownEvent):  # nothing decided yet: nothing to announce
        case.fire("inspection_announced", D(2026, 8, 3), {"inspection_type": "follow_up"})
    case.fire("follow_up_inspection_decided", D(2026, 7, 24))
    with pytest.raises(EventRefused) as info:
        case.fire("inspection_announced", D(2027, 8, 9), {"inspection_type": "scheduled_thematic"})
    assert [f.citation for f in info.value.failures] == ["9.4"]
    assert "improvement_plan_awaited" in case.current_states  # still open on 9 August 2027
    case.fire("inspection_announced", D(2027, 8, 9), {"inspection_type": "follow_up"})
    assert "published" not in case.active_states
    assert {"preparation", "set_up_meeting_to_hold"} <= set(case.active_states)
    # the follow-up runs the same stages; its own report starts the further-inspection region afresh
    case.fire("fieldwork_started", D(2027, 9, 13))
    case.fire("fieldwork_completed", D(2027, 9, 24))
    case.fire("report_sent_for_moderation", D(2027, 10, 6))
    case.fire("peer_review_completed", D(2027, 10, 13))
    case.fire("draft_report_shared", D(2027, 10, 22))
    case.fire("la_comments_received", D(2027, 11, 3))
    case.fire("report_published", D(2027, 11, 25))
    assert "no_further_inspection_decided" in case.current_states
    assert "inspection_announced" not in case.available_events()


def test_a_responsive_inspection_after_the_report_waits_alongside_it(spec):
    """7.7 "We may on occasion consider it necessary to respond to serious concerns outside of the
    scheduled inspection programme by carrying out a responsive inspection." Decided a week after
    publication (Thursday 30 July 2026), the improvement plan of 9.1 stays due on 20 August."""
    case = published(spec, "none")
    case.fire("responsive_inspection_decided", D(2026, 7, 30),
              {"responsive_trigger": "mounting_concerns"})
    assert {"responsive_after_report_to_announce", "improvement_plan_awaited"} <= set(
        case.current_states)
    case.fire("improvement_plan_received", D(2026, 8, 20))
    assert row(case, D(2026, 8, 20), "improvement_plan").status == "met"
    case.fire("inspection_announced", D(2026, 9, 7), {"inspection_type": "responsive"})
    assert "preparation" in case.active_states and "published" not in case.active_states


def test_significant_scenario_decides_the_follow_up_at_publication_and_keeps_the_tracks(spec):
    """examples/ciw_significant.toml: the follow-up is decided on Friday 24 July 2026, the day
    after publication (9.3); the plan (19 August, due 20 August: 9.1), the presentation to members
    (22 September: 8.8) and the survey (30 July: 8.2) are all recorded after it."""
    case = simulate(spec, "ciw_significant.toml")
    decided = next(h for h in case.history if h.event == "follow_up_inspection_decided")
    assert decided.on == D(2026, 7, 24)
    later = {h.event: h.on for h in case.history if h.seq > decided.seq}
    assert later["improvement_plan_received"] == D(2026, 8, 19)
    assert later["report_presented_to_members"] == D(2026, 9, 22)
    assert later["post_publication_survey_sent"] == D(2026, 7, 30)
    plan = row(case, D(2027, 10, 15), "improvement_plan")
    assert (plan.due, plan.met_on, plan.status) == (D(2026, 8, 20), D(2026, 8, 19), "met")


# -- 8.7: the period for comments closes by itself ------------------------------------------


def moderated(spec) -> Case:
    """Fieldwork completed 20 May 2026, peer review done 8 June, no concerns."""
    case = after_fieldwork(spec)
    case.fire("report_sent_for_moderation", D(2026, 6, 1))
    case.fire("peer_review_completed", D(2026, 6, 8))
    return case


def test_the_period_for_comments_closes_by_itself(spec):
    """8.7 "A period of 10 working days is allowed for the local authority to consider and respond
    to the draft report." 8.8 "The inspection report will be published to our website within 25
    working days of receipt of the local authority's comments."

    Draft shared Friday 19 June 2026: the 10 working days are 22 June to Friday 3 July. With no
    comments the engine closes the period on its last day, Friday 3 July. The 25 working days of
    8.8 then count from 3 July: 6-10 July (5), 13-17 (10), 20-24 (15), 27-31 (20),
    3-7 August (25): Friday 7 August.
    """
    case = moderated(spec)
    case.fire("draft_report_shared", D(2026, 6, 19), actor="lead_inspector")
    assert case.advance_to(D(2026, 7, 2)) == []
    assert "factual_accuracy_check" in case.current_states
    (entry,) = case.advance_to(D(2026, 7, 3))
    assert (entry.event, entry.on, entry.auto) == ("factual_accuracy_period_ended",
                                                    D(2026, 7, 3), True)
    assert "finalising_report" in case.current_states
    with pytest.raises(UnknownEvent):  # late comments are no longer the response of 8.7
        case.fire("la_comments_received", D(2026, 7, 7))
    after = row(case, D(2026, 7, 6), "publication_after_comments")
    assert (after.anchor_date, after.due, after.status) == (D(2026, 7, 3), D(2026, 8, 7),
                                                            "pending")
    case.fire("report_published", D(2026, 7, 23))
    period = row(case, D(2026, 7, 23), "factual_accuracy_period")
    assert (period.due, period.met_on, period.status) == (D(2026, 7, 3), D(2026, 7, 3), "met")
    assert row(case, D(2026, 7, 23), "publication_after_comments").status == "met"


def test_comments_on_the_last_day_of_the_period_are_in_time(spec):
    """8.7 "A period of 10 working days is allowed": comments received on the 10th working day,
    Friday 3 July 2026, are in time, and the engine does not close the period. 8.8's 25 working
    days count from their receipt: 6-10 July (5), 13-17 (10), 20-24 (15), 27-31 (20),
    3-7 August (25): Friday 7 August."""
    case = moderated(spec)
    case.fire("draft_report_shared", D(2026, 6, 19))
    case.fire("la_comments_received", D(2026, 7, 3), actor="local_authority")
    assert "finalising_report" in case.current_states
    assert case.advance_to(D(2026, 7, 10)) == []
    assert not [h for h in case.history if h.auto]
    after = row(case, D(2026, 7, 10), "publication_after_comments")
    assert (after.anchor_date, after.due) == (D(2026, 7, 3), D(2026, 8, 7))


def test_the_end_of_the_comment_period_cannot_be_recorded_before_it_ends(spec):
    """8.7 "A period of 10 working days is allowed for the local authority to consider and respond
    to the draft report." Ending the period by hand three days after sharing (Friday 19 June
    2026) is refused, naming the period's last day, Friday 3 July, and the paragraph; nothing is
    recorded. On 3 July it ends (regflow records it itself if nobody does)."""
    case = moderated(spec)
    case.fire("draft_report_shared", D(2026, 6, 19))
    before = len(case.history)
    with pytest.raises(PeriodNotOver) as info:
        case.fire("factual_accuracy_period_ended", D(2026, 6, 22), note="no comments expected")
    assert info.value.earliest == D(2026, 7, 3) and info.value.citation == "8.7"
    assert "cannot be recorded before 2026-07-03" in str(info.value) and "(8.7)" in str(info.value)
    assert len(case.history) == before
    with pytest.raises(UnknownEvent):  # and publication still waits for the period
        case.fire("report_published", D(2026, 6, 26))
    case.fire("factual_accuracy_period_ended", D(2026, 7, 3))
    period = row(case, D(2026, 7, 3), "factual_accuracy_period")
    assert (period.due, period.status) == (D(2026, 7, 3), "met")


def test_publication_without_comments_counts_from_the_periods_last_day(spec):
    """8.8 "within 25 working days of receipt of the local authority's comments"; without
    comments, the spec's note says the 25 working days run from the day regflow closes the
    period of 8.7, its 10th working day. Draft Friday 19 June 2026: the period closes on
    Friday 3 July; 25 working days later is Friday 7 August 2026."""
    case = moderated(spec)
    case.fire("draft_report_shared", D(2026, 6, 19))
    case.advance_to(D(2026, 7, 10))
    closed = next(h for h in case.history if h.event == "factual_accuracy_period_ended")
    assert closed.on == D(2026, 7, 3) and closed.auto
    r = row(case, D(2026, 7, 10), "publication_after_comments")
    assert (r.anchor_date, r.due) == (D(2026, 7, 3), D(2026, 8, 7))
    note = spec.timescale("publication_after_comments").note
    assert "10th working day" in note and "first working day after" not in note


# -- 3.3: safeguarding --------------------------------------------------------------------------


def test_safeguarding_action_can_be_recorded_wherever_ciw_sees_practice(spec):
    """3.3 "If during our work we see practice which demonstrates people are not safe or protected
    from harm, we will take action to ensure the relevant local authority fulfills its statutory
    responsibilities to safeguard people." It does not change the path."""
    assert spec.events["safeguarding_action_taken"].citation == "3.3"
    sources = {s for t in spec.transitions if t.event == "safeguarding_action_taken"
               for s in t.sources}
    assert sources == {"first_fieldwork_week", "between_fieldwork_weeks", "second_fieldwork_week",
                       "focused_activity_under_way", "link_manager_evaluation"}
    assert all(list(t.sources) == [t.target]  # self-loops only
               for t in spec.transitions if t.event == "safeguarding_action_taken")
    case = Case(spec, opened_on=D(2026, 3, 2))
    case.fire("inspection_announced", D(2026, 3, 2))
    case.fire("fieldwork_started", D(2026, 4, 13))
    before = case.current_states
    entry = case.fire("safeguarding_action_taken", D(2026, 4, 15), actor="lead_inspector")
    assert case.current_states == before and "first_fieldwork_week" in entry.target
    case.fire("focused_activity_started", D(2026, 7, 13))
    case.fire("safeguarding_action_taken", D(2026, 7, 15), actor="link_senior_manager")
    assert "focused_activity_under_way" in case.current_states


# -- who is responsible ---------------------------------------------------------------------


def test_the_draft_is_shared_by_whoever_answers_for_the_25_working_days(spec):
    """8.5 "Each inspection report is expected to be written and shared with the local authority
    as a draft version within 25 working days": read as the inspection team's duty, led by the
    lead inspector; the event and the timescale name the same role."""
    assert spec.events["draft_report_shared"].role == "lead_inspector"
    assert spec.timescale("draft_report").responsible == "lead_inspector"


def test_the_local_authority_arranges_the_committee_and_may_skip_the_invitation(spec):
    """8.8 "The local authority will be expected to present the report to elected members and
    subject the report to public scrutiny through a formal and open committee meeting at the
    earliest opportunity. An invite should also be extended to CIW to attend the meeting."
    "Should": a presentation without a recorded invitation is not refused."""
    assert spec.states["committee_meeting_arranged"].role == "local_authority"
    case = published(spec)
    case.fire("ciw_invited_to_committee", D(2026, 9, 1), actor="local_authority")
    assert "local_authority" in case.responsible_roles()
    other = published(spec)
    other.fire("report_presented_to_members", D(2026, 9, 22))
    assert "report_presented" in other.current_states
    assert "ciw_invited_to_committee" not in [h.event for h in other.history]


# -- readings ---------------------------------------------------------------------------------


def test_an_improvement_conference_is_held_in_its_window(spec):
    """10.4 "we may hold an improvement conference within 12-18 months of the inspection": a
    window from 12 to 18 months after the inspection, read as the completion of its fieldwork
    (Wednesday 20 May 2026). A conference after six months (Friday 20 November 2026) is outside
    it; one after 13 months is in it."""
    early = published(spec, "serious")
    early.fire("formal_monitoring_scheduled", D(2026, 7, 27))
    early.fire("monitoring_outcome_reviewed", D(2026, 10, 5),
               {"serious_concerns_response": "improvement_conference"})
    early.fire("improvement_conference_held", D(2026, 11, 20))
    r = row(early, D(2026, 11, 20), "serious_conference_deadline")
    assert (r.earliest, r.due, r.status) == (D(2027, 5, 20), D(2027, 11, 20), "breached")
    assert r.reason.startswith("too early")
    timely = published(spec, "serious")
    timely.fire("formal_monitoring_scheduled", D(2026, 7, 27))
    timely.fire("monitoring_outcome_reviewed", D(2027, 5, 3),
                {"serious_concerns_response": "improvement_conference"})
    timely.fire("improvement_conference_held", D(2027, 6, 21))
    assert row(timely, D(2027, 6, 21), "serious_conference_deadline").status == "met"


def test_two_focused_activities_in_one_half_year_show_a_later_than_normal_row(spec):
    """Annex 2 "Focussed activity (see paragraph 5.6) Minimum of 2 activities per year", encoded
    as one in each six months from the opening (2 March 2026). Two in the first half-year
    (April and July 2026) and none between 2 September 2026 and 2 March 2027 meet Annex 2 for
    the year, but the second row shows later than normal; the timescale's note says so."""
    case = Case(spec, opened_on=D(2026, 3, 2))
    for start, feedback in [(D(2026, 4, 6), D(2026, 4, 24)), (D(2026, 7, 6), D(2026, 7, 24))]:
        case.fire("focused_activity_started", start)
        case.fire("focused_activity_feedback_sent", feedback)
    first, second, _third = rows(case, D(2027, 3, 3), "focused_activity")
    assert (first.due, first.status, second.due, second.status) == (
        D(2026, 9, 2), "met", D(2027, 3, 2), "departed")
    note = spec.timescale("focused_activity").note
    assert "two activities in one half-year" in note and "never as a breach" in note


def test_fieldwork_may_start_while_the_team_review_is_open(spec):
    """6.8 "the local authority should review the composition of the inspection team and
    immediately highlight any perceived or actual conflicts of interest prior to the start of the
    inspection." No length is given and the review is not a condition of starting: fieldwork is
    not refused, and the reading is written down."""
    case = Case(spec, opened_on=D(2026, 10, 1))
    case.fire("inspection_announced", D(2026, 10, 19))
    assert "team_composition_under_review" in case.current_states
    case.fire("fieldwork_started", D(2026, 11, 16))
    assert "team_composition_reviewed" not in case.available_events()
    assert "immediately" in spec.states["team_composition_under_review"].note
    assert not [t for t in spec.timescales if t.citation == "6.8"]


def test_closing_a_case_cites_what_bounds_a_case(spec):
    """The Code sets no end to a review. A case is one service through one inspection of the
    programme: 6.5 "We will schedule each local authority to have one adult services and one
    children's services inspection in a four year period." 9.3, which says nothing about
    closing, is no longer cited."""
    assert spec.events["case_closed"].citation == "6.5"
    assert spec.states["review_closed"].citation == "6.5"
    assert {t.citation for t in spec.transitions if t.event == "case_closed"} == {"6.5"}


def test_paragraphs_named_in_descriptions_are_in_the_paragraphs_table():
    """Every paragraph a state or event description refers to, such as 5.4 ("CIW will routinely
    ask local authorities what they know about the experience of and outcomes for people and how
    they know this"), can be shown next to it: it is in [paragraphs]."""
    data = tomllib.loads(SPEC_PATH.read_text())
    keys = set(data["paragraphs"])
    for group in ("states", "events"):
        for name, item in data[group].items():
            for ref in re.findall(r"\((\d+\.\d+)[,)]", item.get("description", "")):
                assert ref in keys, f"{group}.{name}: {ref}"
    assert "5.4" in keys and "3.3" in keys


def test_the_process_note_names_what_is_not_encoded():
    """Paragraphs kept out as principles rather than steps are named: 6.1-6.4, 6.10, 6.12-6.13,
    7.3; and 3.3 is no longer among them (it is an event)."""
    note = " ".join(tomllib.loads(SPEC_PATH.read_text())["process"]["note"].split())
    for piece in ("6.1 to 6.4", "6.10", "6.12 and 6.13", "7.3", "except 3.3",
                  "safeguarding_action_taken"):
        assert piece in note, piece


# -- serious concerns, no comments over Christmas (examples/ciw_serious_no_comments.toml) -----


def test_no_comments_over_christmas_the_engine_closes_the_period(spec):
    """8.5 "within 25 working days of the completion of the inspection fieldwork"; 8.7 "A period of
    10 working days is allowed for the local authority to consider and respond to the draft
    report"; 8.8 "within 25 working days of receipt of the local authority's comments"; 8.4
    "within 50 working days following the completion of the inspection fieldwork"; 9.1 "within 20
    working days of the publication of the report".

    Fieldwork completed Friday 20 November 2026. Draft due: 23-27 Nov (5), 30 Nov-4 Dec (10),
    7-11 Dec (15), 14-18 Dec (20), 21-24 Dec (24), [25 and 28 Dec holidays], Tuesday 29 December
    (25). Draft shared Friday 11 December: the 10 working days are 14-18 Dec (5), 21-24 Dec (9),
    29 Dec (10), so with no comments the engine closes the period on Tuesday 29 December.
    8.8 from 29 December: 30-31 Dec (2), [1 Jan holiday], 4-8 Jan (7), 11-15 (12), 18-22 (17),
    25-29 (22), 1-3 Feb (25): Wednesday 3 February 2027. 8.4: 30-31 Dec (27), 4-8 Jan (32),
    11-15 (37), 18-22 (42), 25-29 (47), 1-3 Feb (50): Wednesday 3 February. Published Thursday
    28 January; 9.1: 29 Jan (1), 1-5 Feb (6), 8-12 (11), 15-19 (16), 22-25 (20): Thursday
    25 February.
    """
    case = simulate(spec, "ciw_serious_no_comments.toml")
    today = D(2027, 9, 30)
    auto = [(h.event, h.on) for h in case.history if h.auto]
    assert auto == [("factual_accuracy_period_ended", D(2026, 12, 29))]
    assert "la_comments_received" not in [h.event for h in case.history]
    expected = {
        "draft_report": (D(2026, 11, 20), D(2026, 12, 29), D(2026, 12, 11)),
        "factual_accuracy_period": (D(2026, 12, 11), D(2026, 12, 29), D(2026, 12, 29)),
        "publication_after_comments": (D(2026, 12, 29), D(2027, 2, 3), D(2027, 1, 28)),
        "publication": (D(2026, 11, 20), D(2027, 2, 3), D(2027, 1, 28)),
        "improvement_plan": (D(2027, 1, 28), D(2027, 2, 25), D(2027, 2, 24)),
    }
    for ident, (anchor, due, met_on) in expected.items():
        r = row(case, today, ident)
        assert (r.anchor_date, r.due, r.met_on, r.status) == (anchor, due, met_on, "met"), ident


def test_serious_scenario_conference_in_its_window_and_safeguarding_during_focused_activity(spec):
    """10.4 "we may hold an improvement conference within 12-18 months of the inspection":
    fieldwork completed 20 November 2026, so the window runs from 20 November 2027 to 20 May
    2028; held Monday 22 November 2027, it is met. 3.3 "we will take action to ensure the
    relevant local authority fulfills its statutory responsibilities to safeguard people":
    recorded during the focused activity of January 2027 by the link senior manager."""
    case = simulate(spec, "ciw_serious_no_comments.toml")
    r = row(case, D(2027, 12, 20), "serious_conference_deadline")
    assert (r.earliest, r.due, r.met_on, r.status) == (D(2027, 11, 20), D(2028, 5, 20), D(2027, 11, 22), "met")
    action = next(h for h in case.history if h.event == "safeguarding_action_taken")
    assert (action.on, action.actor) == (D(2027, 1, 20), "link_senior_manager")
    assert "focused_activity_under_way" in action.target
    assert "conference_actions_monitored" in case.current_states


def test_a_date_fact_deadline_is_worded_with_the_facts_label(spec):
    words = spec.rule_words(spec.timescale("warning_notice_action"))
    assert words.startswith("by the date in ‘End of the period within which the warning notice "
                            "requires action’")
