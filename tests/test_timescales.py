"""Each kind of timescale: anchor, earliest and due dates, and status, computed by hand."""

from datetime import date

import pytest

from regflow.engine import Case
from regflow.engine.errors import PeriodNotOver

from conftest import row, rows

D = date


def opened(review):
    return Case(review, opened_on=D(2026, 3, 2))


def test_every_timescale_is_listed_even_before_its_anchor(review):
    case = opened(review)
    listed = case.timescales(D(2026, 3, 2))
    assert [r.id for r in listed] == [t.id for t in review.timescales]
    draft = row(case, D(2026, 3, 2), "draft")
    assert (draft.status, draft.anchor_date, draft.due) == ("not applicable", None, None)
    assert draft.reason == "not started: waits for event 'fieldwork_completed'"


def test_lead_time_met_on_or_after_the_earliest_date(review):
    """"Announced ... four weeks prior to the inspection fieldwork": 2 March + 4 weeks = 30 March."""
    case = opened(review)
    r = row(case, D(2026, 3, 10), "announcement")
    assert (r.anchor_date, r.earliest, r.due, r.status) == (D(2026, 3, 2), D(2026, 3, 30), None,
                                                            "pending")
    case.fire("fieldwork_started", D(2026, 3, 30))
    assert row(case, D(2026, 3, 30), "announcement").status == "met"


def test_lead_time_breached_when_too_early(review):
    case = opened(review)
    case.fire("fieldwork_started", D(2026, 3, 23))
    r = row(case, D(2026, 4, 1), "announcement")
    assert (r.status, r.met_on, r.strength) == ("breached", D(2026, 3, 23), "limit")
    assert r.reason.startswith("too early: 7 days")


def completed(review, on=D(2026, 12, 18), concern="significant"):
    case = opened(review)
    case.fire("fieldwork_started", D(2026, 3, 30))
    case.fire("fieldwork_completed", on, {"concern": concern})
    return case


def test_deadline_in_working_days_across_christmas(review):
    case = completed(review)
    r = row(case, D(2027, 1, 4), "draft")
    assert (r.due, r.status, r.days_left) == (D(2027, 1, 27), "pending", 23)
    assert r.rule == "within 25 working days of event 'fieldwork_completed'"
    case.fire("report_published", D(2027, 1, 27))
    assert row(case, D(2027, 1, 27), "draft").status == "met"


def test_a_limit_is_breached_by_time_and_when_met_late(review):
    case = completed(review)
    r = row(case, D(2027, 1, 28), "draft")
    assert (r.status, r.open, r.overdue, r.days_left, r.standing(D(2027, 1, 28))) == (
        "breached", True, True, -1, "overdue")
    case.fire("report_published", D(2027, 2, 1))
    r = row(case, D(2027, 2, 1), "draft")
    assert (r.status, r.met_on, r.reason) == ("breached", D(2027, 2, 1), "late by 5 days")
    assert (r.open, r.kept, r.standing(D(2027, 2, 1))) == (False, False, "breached")


def test_deadline_overdue_flag_only_while_pending(review):
    case = completed(review)
    r = row(case, D(2027, 1, 27), "draft")
    assert not r.overdue and r.days_left == 0


def published(review, concern="significant"):
    case = completed(review, concern=concern)
    case.fire("report_published", D(2027, 1, 27))
    return case


def test_window_12_to_18_months(review):
    case = published(review)
    r = row(case, D(2027, 6, 1), "follow_up")
    assert (r.earliest, r.due, r.status) == (D(2028, 1, 27), D(2028, 7, 27), "pending")
    case.fire("closing_meeting", D(2028, 2, 1))
    assert row(case, D(2028, 2, 1), "follow_up").status == "met"


def test_window_met_too_early_is_breached(review):
    case = published(review)
    case.fire("closing_meeting", D(2027, 12, 1))
    r = row(case, D(2027, 12, 1), "follow_up")
    assert r.status == "breached" and r.reason.startswith("too early")


def test_window_applies_only_when_its_guard_holds(review):
    case = published(review, concern="serious")
    r = row(case, D(2027, 6, 1), "follow_up")
    assert (r.status, r.reason) == ("not applicable", 'applies only when concern == "significant"')


def test_a_target_is_early_on_time_or_late_never_breached(review):
    case = published(review)
    r = row(case, D(2028, 3, 1), "closing")
    assert (r.due, r.status, r.approximate, r.days_left, r.strength) == (
        D(2028, 1, 27), "late", True, -34, "target")
    assert not r.overdue and r.open and r.standing(D(2028, 3, 1)) == "behind target"
    case.fire("closing_meeting", D(2028, 2, 10))
    r = row(case, D(2028, 2, 10), "closing")
    assert (r.status, r.reason) == ("late", "14 days after the target")
    early = published(review)
    early.fire("closing_meeting", D(2028, 1, 20))
    assert row(early, D(2028, 1, 20), "closing").status == "early"
    on_time = published(review)
    on_time.fire("closing_meeting", D(2028, 1, 27))
    r = row(on_time, D(2028, 1, 27), "closing")
    assert (r.status, r.reason) == ("met", "on the target date")


def test_recurring_quarterly_reports(review):
    """Quarterly from publication on 27 January 2027: due 27 April, 27 July, 27 October."""
    case = published(review)
    case.fire("progress_report", D(2027, 4, 20))
    periods = rows(case, D(2027, 8, 15), "reports")
    assert [(r.occurrence, r.earliest, r.due, r.status) for r in periods] == [
        (1, D(2027, 1, 27), D(2027, 4, 27), "met"),
        (2, D(2027, 4, 27), D(2027, 7, 27), "breached"),
        (3, D(2027, 7, 27), D(2027, 10, 27), "pending"),
    ]


def test_recurring_stops_when_until_happens(review):
    case = published(review)
    case.fire("closing_meeting", D(2027, 6, 1))
    periods = rows(case, D(2027, 12, 1), "reports")
    assert [(r.occurrence, r.status) for r in periods] == [(1, "breached"), (2, "not applicable")]


def test_delay_statuses(review):
    case = published(review)
    case.fire("notice_given", D(2027, 2, 1))
    r = row(case, D(2027, 3, 1), "notice_review")
    assert (r.due, r.status, r.days_left) == (D(2027, 5, 2), "pending", 62)
    case.advance_to(D(2027, 5, 2))
    case.fire("notice_reviewed", D(2027, 5, 5), {"further_notice": False})
    r = row(case, D(2027, 5, 5), "notice_review")
    assert (r.status, r.met_on) == ("met", D(2027, 5, 5))


def test_pending_timescales_end_with_the_case(review):
    case = published(review)
    case.fire("closing_meeting", D(2027, 3, 1))
    r = row(case, D(2027, 3, 1), "closing")
    assert r.status == "early"  # a target met ten months ahead
    r = row(case, D(2027, 3, 1), "follow_up")
    assert r.status == "breached"  # met too early: the case ended before the window opened


def test_the_same_case_and_date_always_give_the_same_rows(review):
    case = published(review)
    assert case.timescales(D(2027, 6, 1)) == case.timescales(D(2027, 6, 1))


def test_as_dict_is_json_ready(review):
    import json

    case = published(review)
    text = json.dumps([r.as_dict() for r in case.timescales(D(2027, 6, 1))])
    assert '"due": "2027-01-27"' in text


def test_a_met_timescale_keeps_its_status_when_facts_change_later(variant):
    spec = variant(('label = "Progress report received"\ncitation = "5"',
                    'label = "Progress report received"\ncitation = "5"\nsets = ["concern"]'),
                   ('after = "12 months"\nwithin = "18 months"\nmet_by = { event = "closing_meeting" }',
                    'after = "12 months"\nwithin = "18 months"\nmet_by = { event = "progress_report" }'))
    case = published(spec)
    case.fire("progress_report", D(2028, 2, 1))
    assert row(case, D(2028, 2, 1), "follow_up").status == "met"
    case.fire("progress_report", D(2028, 3, 1), {"concern": "none"})
    r = row(case, D(2028, 3, 1), "follow_up")
    assert (r.status, r.met_on) == ("met", D(2028, 2, 1))  # judged on the facts of 1 February
    assert case.facts_at(4) == {"concern": "significant"} and case.facts["concern"] == "none"


# -- how binding a timescale is (its strength) -------------------------------------------------


def with_strength(variant, ident: str, strength: str):
    """review.toml with timescale ``ident`` given ``strength``."""
    return variant((f'id = "{ident}"\n', f'id = "{ident}"\nstrength = "{strength}"\n'))


def test_an_expected_deadline_passed_is_later_than_normal_not_a_breach(variant):
    case = completed(with_strength(variant, "draft", "expected"))
    r = row(case, D(2027, 1, 28), "draft")
    assert (r.status, r.verdict, r.overdue, r.open) == ("departed", "later than normal", False, True)
    assert r.standing(D(2027, 1, 28)) == "later than normal"
    case.fire("report_published", D(2027, 2, 1))
    r = row(case, D(2027, 2, 1), "draft")
    assert (r.status, r.verdict, r.kept) == ("departed", "later than normal", False)


def test_an_expected_lead_time_cut_short_is_earlier_than_normal(variant):
    case = opened(with_strength(variant, "announcement", "expected"))
    case.fire("fieldwork_started", D(2026, 3, 23))
    r = row(case, D(2026, 4, 1), "announcement")
    assert (r.status, r.verdict) == ("departed", "earlier than normal")


def test_a_best_effort_is_not_achieved(variant):
    case = completed(with_strength(variant, "draft", "best_effort"))
    r = row(case, D(2027, 2, 1), "draft")
    assert (r.status, r.standing(D(2027, 2, 1)), r.overdue) == ("not achieved", "not achieved yet", False)


def test_a_target_date_on_a_deadline_is_late_once_passed(variant):
    case = completed(with_strength(variant, "draft", "target"))
    r = row(case, D(2027, 2, 1), "draft")
    assert (r.status, r.standing(D(2027, 2, 1))) == ("late", "behind target")


def test_strength_is_checked_against_the_schema(problems):
    found = problems(('id = "draft"\n', 'id = "draft"\nstrength = "mandatory"\n'))
    assert any("'mandatory' is not one of: limit, expected, target, best_effort" in p.message
               for p in found)


# -- financial years ---------------------------------------------------------------------------


def yearly(variant, within: str = ""):
    extra = f'\nwithin = "{within}"' if within else ""
    return variant(('every = "3 months"', f'every = "1 financial year"{extra}'))


def test_financial_year_periods_run_from_1_april_to_31_march(variant):
    """Published 27 January 2027: the part-year to 31 March 2027 is not judged (what happened
    before the case is not on record); the first period is 1 April 2027 to 31 March 2028."""
    case = published(yearly(variant))
    (waiting,) = rows(case, D(2027, 3, 1), "reports")
    assert (waiting.status, waiting.earliest, waiting.reason) == (
        "not applicable", D(2027, 4, 1), "its first whole financial year starts on 2027-04-01")
    case.fire("progress_report", D(2027, 4, 1))
    periods = rows(case, D(2028, 6, 1), "reports")
    assert [(r.earliest, r.due, r.status) for r in periods] == [
        (D(2027, 4, 1), D(2028, 3, 31), "met"),
        (D(2028, 4, 1), D(2029, 3, 31), "pending"),
    ]
    assert periods[0].rule.startswith("each financial year (1 April to 31 March)")


def test_financial_year_obligation_due_early_in_the_year(variant):
    """"Early in the new financial year", read as its first three months: due 1 July after a
    1 April start (calendar months; the period is whole days)."""
    case = published(yearly(variant, within="3 months"))
    (first,) = rows(case, D(2027, 7, 15), "reports")
    assert (first.earliest, first.due, first.status) == (D(2027, 4, 1), D(2027, 7, 1), "breached")
    assert first.open and first.days_left == -14  # still to do: the year has not ended
    case.fire("progress_report", D(2027, 8, 1))
    (first,) = rows(case, D(2027, 8, 1), "reports")
    assert (first.status, first.met_on, first.reason) == ("breached", D(2027, 8, 1), "late by 31 days")


def test_financial_years_across_a_leap_day(variant):
    """A case opened on 1 April 2028 (a leap year) starts its first year that very day."""
    case = Case(yearly(variant), opened_on=D(2028, 2, 29))
    case.fire("fieldwork_started", D(2028, 3, 1))
    case.fire("fieldwork_completed", D(2028, 3, 1), {"concern": "none"})
    case.fire("report_published", D(2028, 4, 1))
    periods = rows(case, D(2030, 4, 2), "reports")
    assert [(r.earliest, r.due) for r in periods] == [
        (D(2028, 4, 1), D(2029, 3, 31)), (D(2029, 4, 1), D(2030, 3, 31)), (D(2030, 4, 1), D(2031, 3, 31))]
    assert [r.status for r in periods] == ["breached", "breached", "pending"]


def test_financial_years_only_for_periods(problems):
    found = problems(('within = "25 working days"', 'within = "1 financial year"'))
    assert any("financial years are periods" in p.message for p in found)


# -- occurrences that count, dates from facts, facts cleared -----------------------------------


def test_only_occurrences_where_the_condition_held_count(variant):
    spec = variant(('label = "Progress report received"\ncitation = "5"',
                    'label = "Progress report received"\ncitation = "5"\nsets = ["concern"]'),
                   ('met_by = { event = "closing_meeting" }\ncitation = "8"',
                    'met_by = { event = "progress_report", when = \'concern == "none"\' }\ncitation = "8"'))
    case = published(spec)
    case.fire("progress_report", D(2027, 6, 1))  # concern is "significant": does not count
    assert row(case, D(2027, 6, 1), "closing").met_on is None
    case.fire("progress_report", D(2027, 9, 1), {"concern": "none"})
    assert row(case, D(2027, 9, 1), "closing").met_on == D(2027, 9, 1)


def test_a_when_guard_is_checked_at_load(problems):
    found = problems(('met_by = { event = "closing_meeting" }\ncitation = "8"',
                      'met_by = { event = "closing_meeting", when = "concren == 1" }\ncitation = "8"'))
    assert any(p.path.endswith("met_by.when") and "concren" in p.message for p in found)


# -- the end of a period cannot be recorded before it ------------------------------------------


def noticed(spec):
    case = published(spec)
    case.fire("notice_given", D(2027, 2, 1))
    return case


def test_a_period_end_recorded_early_is_refused_with_its_date_and_paragraph(review):
    case = noticed(review)
    with pytest.raises(PeriodNotOver) as info:
        case.fire("notice_review_falls_due", D(2027, 3, 1), note="seems long enough")
    assert info.value.earliest == D(2027, 5, 2) and info.value.citation == "4"
    assert "cannot be recorded before 2027-05-02" in str(info.value)
    assert "regflow records it by itself" in str(info.value)
    assert [h.event for h in case.history][-1] == "notice_given"  # nothing recorded


def test_where_the_source_allows_an_early_end_a_reason_is_needed(variant):
    spec = variant(('fires = "notice_review_falls_due"', 'fires = "notice_review_falls_due"\nends_early = true'))
    case = noticed(spec)
    with pytest.raises(PeriodNotOver, match="give the reason as a note"):
        case.fire("notice_review_falls_due", D(2027, 3, 1))
    entry = case.fire("notice_review_falls_due", D(2027, 3, 1), note="the authority asked for an early review")
    assert entry.note and entry.on == D(2027, 3, 1)


def test_ends_early_needs_a_period_that_fires(problems):
    found = problems(('every = "3 months"', 'every = "3 months"\nends_early = true'))
    assert any("`ends_early` is for a delay that `fires` an event" in p.message for p in found)


def test_due_on_must_name_a_date_fact(problems):
    found = problems(('within = "25 working days"', 'due_on = "concern"'))
    assert any("'concern' is a fact of type enum; `due_on` needs a date fact" in p.message for p in found)
    found = problems(('within = "25 working days"', 'due_on = "deadlin"'))
    assert any("unknown fact 'deadlin'" in p.message for p in found)


def test_clears_names_facts_the_event_does_not_set(problems):
    found = problems(('sets = ["concern"]', 'sets = ["concern"]\nclears = ["concern", "concren"]'))
    messages = [p.message for p in found]
    assert any("'concern' is both set and cleared" in m for m in messages)
    assert any("unknown fact 'concren'" in m for m in messages)
