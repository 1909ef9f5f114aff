"""Running cases on the small test spec: transitions, guards, facts, dates, automatic events."""

from datetime import date

import pytest

from regflow.engine import Case, EventRefused, UnknownEvent
from regflow.engine.errors import DateError, ExtensionError, FactError

D = date


def published(review, concern="significant", on=D(2027, 1, 27)):
    case = Case(review, opened_on=D(2026, 3, 2))
    case.fire("fieldwork_started", D(2026, 3, 30))
    case.fire("fieldwork_completed", D(2026, 12, 18), {"concern": concern})
    case.fire("report_published", on)
    return case


def test_a_new_case_starts_in_the_initial_state_with_default_facts(review):
    case = Case(review, opened_on=D(2026, 3, 2))
    assert case.active_states == ["announced"]
    assert case.facts == {"concern": "none"}
    assert case.responsible_roles() == ["lead"]
    assert case.available_events() == ["fieldwork_started"]


def test_firing_moves_the_case_and_records_history(review):
    case = Case(review, opened_on=D(2026, 3, 2))
    entry = case.fire("fieldwork_started", D(2026, 3, 30), actor="lead", note="on site")
    assert case.active_states == ["fieldwork"]
    assert (entry.seq, entry.event, entry.on, entry.actor, entry.note) == (
        1, "fieldwork_started", D(2026, 3, 30), "lead", "on site")
    assert (entry.source, entry.target, entry.auto) == (("announced",), ("fieldwork",), False)


def test_entering_a_parallel_state_activates_every_region(review):
    case = published(review)
    assert case.active_states == ["after", "reports", "awaiting_report", "notices", "no_notice"]
    assert case.current_states == ["awaiting_report", "no_notice"]
    assert set(case.responsible_roles()) == {"council"}


def test_a_transition_from_the_parallel_parent_leaves_every_region(review):
    case = published(review)
    case.fire("notice_given", D(2027, 2, 1))
    case.fire("closing_meeting", D(2028, 1, 20))
    assert case.active_states == ["closed"]
    assert case.finished_on == D(2028, 1, 20)
    assert case.available_events() == []
    with pytest.raises(UnknownEvent, match="the process ended on 2028-01-20"):
        case.fire("progress_report", D(2028, 2, 1))


def test_a_refused_event_names_the_guard_and_its_citation(review):
    case = published(review, concern="serious")
    with pytest.raises(EventRefused) as info:
        case.fire("notice_given", D(2027, 2, 1))
    (failure,) = info.value.failures
    assert (failure.guard, failure.citation, failure.source) == ('concern == "significant"', "4",
                                                                 "no_notice")
    assert "needs concern == \"significant\" (4)" in str(info.value)
    assert case.blocked_events() == {"notice_given": info.value.failures}
    assert len(case.history) == 3  # nothing recorded


def test_an_unknown_event_gets_a_suggestion_and_the_events_available_now(review):
    case = Case(review, opened_on=D(2026, 3, 2))
    with pytest.raises(UnknownEvent) as info:
        case.fire("fieldwork_startd", D(2026, 3, 30))
    assert info.value.suggestion == "fieldwork_started"
    assert info.value.available == ["fieldwork_started"]
    assert not info.value.known


def test_an_event_that_cannot_happen_now_lists_what_can(review):
    case = Case(review, opened_on=D(2026, 3, 2))
    with pytest.raises(UnknownEvent) as info:
        case.fire("report_published", D(2026, 3, 30))
    assert info.value.known
    assert str(info.value) == ("event 'report_published' cannot happen now (the case is in: "
                               "announced); available now: fieldwork_started")


def test_facts_are_typed_and_checked(review):
    case = Case(review, opened_on=D(2026, 3, 2))
    case.fire("fieldwork_started", D(2026, 3, 30))
    with pytest.raises(FactError, match="did you mean 'significant'"):
        case.fire("fieldwork_completed", D(2026, 6, 1), {"concern": "signifcant"})
    with pytest.raises(FactError, match=r"needs a value for concern \(on the command line: --set concern=\.\.\.\)"):
        case.fire("fieldwork_completed", D(2026, 6, 1))
    with pytest.raises(FactError, match="does not set 'further_notice'"):
        case.fire("fieldwork_completed", D(2026, 6, 1), {"concern": "none", "further_notice": True})
    with pytest.raises(FactError, match="unknown fact 'concen'"):
        case.fire("fieldwork_completed", D(2026, 6, 1), {"concen": "none"})
    assert case.active_states == ["fieldwork"] and len(case.history) == 1


def test_string_values_from_a_command_line_are_converted(review):
    case = published(review)
    case.fire("notice_given", D(2027, 2, 1))
    case.advance_to(D(2027, 5, 2))
    case.fire("notice_reviewed", D(2027, 5, 3), {"further_notice": "true"})
    assert case.facts["further_notice"] is True
    assert case.current_states == ["awaiting_report", "notice_given"]


def test_events_are_recorded_in_date_order(review):
    case = Case(review, opened_on=D(2026, 3, 2))
    with pytest.raises(DateError, match="before the case opened"):
        case.fire("fieldwork_started", D(2026, 3, 1))
    case.fire("fieldwork_started", D(2026, 3, 30))
    with pytest.raises(DateError, match="earlier than the last event"):
        case.fire("fieldwork_completed", D(2026, 3, 29), {"concern": "none"})
    assert len(case.history) == 1


def test_the_90_day_review_falls_due_by_itself(review):
    """"The warning notice will be reviewed after 90 days" (CIW 10.11), in the test spec."""
    case = published(review)
    case.fire("notice_given", D(2027, 2, 1))
    assert case.advance_to(D(2027, 5, 1)) == []  # 1 Feb + 90 days = 2 May
    (entry,) = case.advance_to(D(2027, 5, 2))
    assert (entry.event, entry.on, entry.auto, entry.actor) == (
        "notice_review_falls_due", D(2027, 5, 2), True, "regflow")
    assert "notice_review_due" in case.active_states
    assert case.advance_to(D(2027, 6, 1)) == []  # fired once only


def test_catching_up_is_the_same_whether_run_daily_or_after_a_week(review):
    daily, weekly = published(review), published(review)
    for case in (daily, weekly):
        case.fire("notice_given", D(2027, 2, 1))
    day = D(2027, 2, 1)
    while day <= D(2027, 5, 9):
        daily.advance_to(day)
        day = day.fromordinal(day.toordinal() + 1)
    weekly.advance_to(D(2027, 5, 9))
    assert [(h.event, h.on) for h in daily.history] == [(h.event, h.on) for h in weekly.history]
    assert daily.active_states == weekly.active_states


def test_recording_a_later_event_catches_up_time_driven_events_first(review):
    case = published(review)
    case.fire("notice_given", D(2027, 2, 1))
    case.fire("progress_report", D(2027, 6, 1))
    assert [h.event for h in case.history[-2:]] == ["notice_review_falls_due", "progress_report"]
    assert case.history[-2].on == D(2027, 5, 2)


def test_a_further_notice_starts_a_second_review_clock(review):
    case = published(review)
    case.fire("notice_given", D(2027, 2, 1))
    case.fire("notice_reviewed", D(2027, 5, 10), {"further_notice": True})
    case.advance_to(D(2027, 12, 31))
    reviews = [h for h in case.history if h.event == "notice_review_falls_due"]
    # the clock runs from each entry into "notice given": 10 May + 90 days = 8 August
    assert [h.on for h in reviews] == [D(2027, 5, 2), D(2027, 8, 8)]
    rows = [r for r in case.timescales(D(2027, 12, 31)) if r.id == "notice_review"]
    assert [(r.occurrence, r.anchor_date, r.due, r.status) for r in rows] == [
        (1, D(2027, 2, 1), D(2027, 5, 2), "met"),
        (2, D(2027, 5, 10), D(2027, 8, 8), "pending"),
    ]


def test_extensions_only_where_the_source_allows_them(review):
    case = Case(review, opened_on=D(2026, 3, 2))
    case.fire("fieldwork_started", D(2026, 3, 30))
    case.fire("fieldwork_completed", D(2026, 12, 18), {"concern": "none"})
    ext = case.extend("draft", D(2027, 2, 10), "exceptional circumstances")
    assert ext.to == D(2027, 2, 10)
    row = next(r for r in case.timescales(D(2027, 2, 1)) if r.id == "draft")
    assert (row.due, row.status, row.extended_to) == (D(2027, 2, 10), "pending", D(2027, 2, 10))
    with pytest.raises(ExtensionError, match="allows no extension"):
        case.extend("announcement", D(2027, 2, 10), "no")
    with pytest.raises(ExtensionError, match="did you mean 'draft'"):
        case.extend("drafft", D(2027, 2, 10), "x")
    with pytest.raises(ExtensionError, match="later than the due date"):
        case.extend("draft", D(2027, 1, 1), "x")


def test_an_event_on_the_day_a_delay_falls_due_wins_the_day_if_it_can(variant):
    """The 90-day review falls due on 2 May 2027. A progress report recorded that day does not
    need the review to have fallen due, so it is recorded first; a review recorded that day
    needs it, so the time-driven event is recorded first."""
    spec = variant()
    case = published(spec)
    case.fire("notice_given", D(2027, 2, 1))
    case.fire("progress_report", D(2027, 5, 2))
    assert [h.event for h in case.history[-1:]] == ["progress_report"]
    assert "notice_given" in case.active_states
    case.fire("notice_reviewed", D(2027, 5, 2), {"further_notice": False})
    assert [h.event for h in case.history[-2:]] == ["notice_review_falls_due", "notice_reviewed"]


def test_a_restored_case_carries_on_exactly_like_the_original(review):
    import json

    original = published(review)
    original.fire("notice_given", D(2027, 2, 1))
    original.advance_to(D(2027, 5, 2))
    data = json.loads(json.dumps(original.snapshot()))  # survives a trip through JSON
    restored = Case.restore(review, data)
    assert restored.active_states == original.active_states
    assert restored.history == original.history
    assert restored.timescales(D(2027, 6, 1)) == original.timescales(D(2027, 6, 1))
    for case in (original, restored):
        case.fire("notice_reviewed", D(2027, 5, 10), {"further_notice": True})
        case.advance_to(D(2027, 12, 1))
    assert restored.history == original.history
    assert restored.active_states == original.active_states
    assert restored.snapshot() == original.snapshot()


def test_looked_up_steps_give_exactly_what_the_library_computes(review):
    """Steps are computed by python-statemachine once per (configuration, event, guard facts)
    and looked up afterwards: both ways must give the same case."""
    from regflow.engine.cases.compiler import transition_memo

    def story(concern):
        case = published(review, concern=concern)
        if concern == "significant":
            case.fire("notice_given", D(2027, 2, 1))
            case.fire("notice_reviewed", D(2027, 5, 10), {"further_notice": True})
        case.fire("closing_meeting", D(2028, 1, 20))
        return case

    transition_memo(review).clear()
    cold = [story(c).snapshot() for c in ("significant", "none")]
    assert len(transition_memo(review)) > 5
    warm = [story(c).snapshot() for c in ("significant", "none")]
    assert warm == cold
    assert cold[0]["configuration"] == cold[1]["configuration"] == ["regflow_root", "closed"]
    assert cold[0]["entries"] != cold[1]["entries"]  # the guard read the facts
