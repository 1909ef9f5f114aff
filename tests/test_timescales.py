"""Each kind of timescale: anchor, earliest and due dates, and status, computed by hand."""

from datetime import date

from regflow.engine import Case

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


def test_lead_time_missed_when_too_early(review):
    case = opened(review)
    case.fire("fieldwork_started", D(2026, 3, 23))
    r = row(case, D(2026, 4, 1), "announcement")
    assert (r.status, r.met_on) == ("missed", D(2026, 3, 23))
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


def test_deadline_missed_by_time_and_when_met_late(review):
    case = completed(review)
    assert row(case, D(2027, 1, 28), "draft").status == "missed"
    case.fire("report_published", D(2027, 2, 1))
    r = row(case, D(2027, 2, 1), "draft")
    assert (r.status, r.met_on, r.reason) == ("missed", D(2027, 2, 1), "late by 5 days")


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


def test_window_met_too_early_is_missed(review):
    case = published(review)
    case.fire("closing_meeting", D(2027, 12, 1))
    r = row(case, D(2027, 12, 1), "follow_up")
    assert r.status == "missed" and r.reason.startswith("too early")


def test_window_applies_only_when_its_guard_holds(review):
    case = published(review, concern="serious")
    r = row(case, D(2027, 6, 1), "follow_up")
    assert (r.status, r.reason) == ("not applicable", 'applies only when concern == "significant"')


def test_target_is_never_missed_and_reports_the_deviation(review):
    case = published(review)
    r = row(case, D(2028, 3, 1), "closing")
    assert (r.due, r.status, r.approximate, r.days_left) == (D(2028, 1, 27), "pending", True, -34)
    assert r.overdue
    case.fire("closing_meeting", D(2028, 2, 10))
    r = row(case, D(2028, 2, 10), "closing")
    assert (r.status, r.reason) == ("met", "14 days after the target")


def test_recurring_quarterly_reports(review):
    """Quarterly from publication on 27 January 2027: due 27 April, 27 July, 27 October."""
    case = published(review)
    case.fire("progress_report", D(2027, 4, 20))
    periods = rows(case, D(2027, 8, 15), "reports")
    assert [(r.occurrence, r.earliest, r.due, r.status) for r in periods] == [
        (1, D(2027, 1, 27), D(2027, 4, 27), "met"),
        (2, D(2027, 4, 27), D(2027, 7, 27), "missed"),
        (3, D(2027, 7, 27), D(2027, 10, 27), "pending"),
    ]


def test_recurring_stops_when_until_happens(review):
    case = published(review)
    case.fire("closing_meeting", D(2027, 6, 1))
    periods = rows(case, D(2027, 12, 1), "reports")
    assert [(r.occurrence, r.status) for r in periods] == [(1, "missed"), (2, "not applicable")]


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
    assert r.status == "met"
    r = row(case, D(2027, 3, 1), "follow_up")
    assert r.status == "missed"  # met too early: the case ended before the window opened


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
