"""Working-day and calendar arithmetic, checked against bank holidays counted by hand."""

from datetime import date

import pytest

from regflow.engine.cases.calendars import calendar
from regflow.engine.spec.durations import Duration, DurationSyntaxError

WALES, SCOTLAND = calendar("GB-WLS"), calendar("GB-SCT")


def test_welsh_bank_holidays_around_christmas_2026():
    # Christmas Day is a Friday; Boxing Day (Saturday) is observed on Monday 28 December.
    assert not WALES.is_working_day(date(2026, 12, 25))
    assert not WALES.is_working_day(date(2026, 12, 28))
    assert not WALES.is_working_day(date(2027, 1, 1))
    assert WALES.is_working_day(date(2026, 12, 29))
    assert WALES.is_working_day(date(2027, 1, 4))  # no 2 January holiday in Wales


def test_scottish_bank_holidays_around_new_year_2027():
    # 2 January 2027 is a Saturday: Scotland observes it on Monday 4 January.
    assert not SCOTLAND.is_working_day(date(2027, 1, 1))
    assert not SCOTLAND.is_working_day(date(2027, 1, 4))
    assert SCOTLAND.holiday_name(date(2027, 1, 4))
    assert SCOTLAND.is_working_day(date(2027, 1, 5))


def test_25_working_days_across_christmas_by_hand():
    # Fieldwork completed Friday 18 December 2026. Counting from the next day, Wales:
    # 21 22 23 24 Dec (4), 29 30 31 Dec (7), 4-8 Jan (12), 11-15 (17), 18-22 (22), 25 26 27 (25).
    assert WALES.add(date(2026, 12, 18), Duration.parse("25 working days")) == date(2027, 1, 27)
    # Scotland also loses Monday 4 January, so one day later.
    assert SCOTLAND.add(date(2026, 12, 18), Duration.parse("25 working days")) == date(2027, 1, 28)


def test_10_working_days_over_easter_2027_wales():
    # Thursday 25 March 2027; Good Friday 26 Mar and Easter Monday 29 Mar are holidays:
    # 30 31 Mar 1 2 Apr (4), 5-9 Apr (9), 12 Apr (10).
    assert WALES.add(date(2027, 3, 25), Duration.parse("10 working days")) == date(2027, 4, 12)


def test_working_days_from_a_weekend_start_on_the_next_working_day():
    # Saturday 6 March 2027 + 1 working day is Monday 8 March.
    assert WALES.add(date(2027, 3, 6), Duration.parse("1 working day")) == date(2027, 3, 8)


def test_working_days_between_counts_like_add():
    start = date(2026, 12, 18)
    end = WALES.add(start, Duration.parse("25 working days"))
    assert WALES.working_days_between(start, end) == 25
    assert WALES.working_days_between(end, start) == -25


@pytest.mark.parametrize(("start", "text", "expected"), [
    (date(2027, 1, 31), "1 month", date(2027, 2, 28)),
    (date(2028, 1, 31), "1 month", date(2028, 2, 29)),  # leap year
    (date(2026, 8, 31), "3 months", date(2026, 11, 30)),
    (date(2026, 3, 2), "12 weeks", date(2026, 5, 25)),  # 84 calendar days
    (date(2026, 3, 2), "90 days", date(2026, 5, 31)),
    (date(2028, 2, 29), "1 year", date(2029, 2, 28)),
    (date(2026, 3, 2), "18 months", date(2027, 9, 2)),
])
def test_calendar_units(start, text, expected):
    assert WALES.add(start, Duration.parse(text)) == expected


@pytest.mark.parametrize(("text", "suggestion"), [
    ("25 wrking days", "25 working days"),
    ("12 monts", "12 months"),
    ("4 weks", "4 weeks"),
])
def test_misspelt_units_get_a_suggestion(text, suggestion):
    with pytest.raises(DurationSyntaxError) as info:
        Duration.parse(text)
    assert info.value.suggestion == suggestion


@pytest.mark.parametrize("text", ["twenty days", "25", "-3 days", "3.5 weeks", ""])
def test_unreadable_durations_are_refused(text):
    with pytest.raises(DurationSyntaxError):
        Duration.parse(text)


def test_unknown_calendar_is_refused():
    with pytest.raises(ValueError):
        calendar("GB-XYZ")
