"""Working-day calendars and date arithmetic.

Deadlines are computed from dates, never held in timers: a due date is a pure function of the
anchor date, the duration and the calendar. Working days skip weekends and the bank holidays of
the spec's calendar (``GB-WLS`` for Wales, ``GB-SCT`` for Scotland, ...), from the ``holidays``
package; calendar months come from ``dateutil`` (31 January + 1 month = 28/29 February).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta

from ..errors import DateError
from ..spec.durations import FINANCIAL_YEAR_START, Duration

#: The dates a case may use. A due date is at most 100 years (the longest duration) past the
#: last of them, so every date regflow computes stays inside Python's calendar (1-9999).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def check_day(day: date, what: str) -> date:
    """``day``, or :class:`DateError` if it is outside :data:`FIRST_DAY` .. :data:`LAST_DAY`."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DateError(f"{what} ({day.isoformat()}) is outside the dates regflow works with "
                        f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")
    return day


#: The built-in calendars (registered by the ``regflow.plugins.calendars`` plugin; plugins add
#: others through the ``regflow_calendars`` hook), with the words shown to people.
GB_CALENDARS: dict[str, str] = {
    "GB-WLS": "Wales (England and Wales bank holidays)",
    "GB-SCT": "Scotland (Scottish bank holidays)",
    "GB-ENG": "England (England and Wales bank holidays)",
    "GB-NIR": "Northern Ireland (Northern Ireland bank holidays)",
}


class WorkingCalendar:
    """Working days: not a weekend, not a holiday of ``table`` (a ``holidays`` table), not one
    of the ``closures`` (e.g. an office's own closure days, ``{date: "name"}``)."""

    def __init__(self, code: str, table: holidays.HolidayBase | None = None,
                 closures: dict[date, str] | None = None):
        if table is None:  # a GB subdivision by its code, e.g. GB-WLS
            if code not in GB_CALENDARS:
                raise ValueError(f"unknown calendar '{code}'")
            country, subdiv = code.split("-")
            table = holidays.country_holidays(country, subdiv=subdiv)
        self.code = code
        self._holidays = table
        self._closures = dict(closures or {})
        self._added: dict[tuple[date, Duration], date] = {}

    def is_working_day(self, day: date) -> bool:
        return day not in self._closures and self._holidays.is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        return self._closures.get(day) or self._holidays.get(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself never counts)."""
        if n == 0:
            return start
        if not self._closures:
            return self._holidays.get_nth_working_day(start, n)
        day, step, left = start, (1 if n > 0 else -1), abs(n)
        while left:
            day += timedelta(days=step)
            left -= self.is_working_day(day)
        return day

    def add(self, start: date, duration: Duration) -> date:
        """``start`` plus ``duration`` (a pure function, so results are kept)."""
        key = (start, duration)
        known = self._added.get(key)
        if known is None:
            known = self._add(start, duration)
            if len(self._added) < 200_000:
                self._added[key] = known
        return known

    def _add(self, start: date, duration: Duration) -> date:
        unit, n = duration.unit, duration.amount
        if unit == "working_days":
            return self.add_working_days(start, n)
        if unit == "days":
            return start + timedelta(days=n)
        if unit == "weeks":
            return start + timedelta(weeks=n)
        if unit == "months":
            return start + relativedelta(months=n)
        if unit in ("years", "financial_years"):
            return start + relativedelta(years=n)
        raise ValueError(f"unknown unit {unit!r}")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end == start:
            return 0
        lo, hi, sign = (start, end, 1) if end > start else (end, start, -1)
        count, day = 0, lo
        while day < hi:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return sign * count


def financial_year_start(day: date) -> date:
    """1 April of the financial year that ``day`` falls in (1 April to 31 March)."""
    month, first = FINANCIAL_YEAR_START
    start = date(day.year, month, first)
    return start if day >= start else date(day.year - 1, month, first)


def calendar_names() -> dict[str, str]:
    """Every calendar a spec may name, ``{code: description}``, from every plugin."""
    from regflow.plugins.manager import call_each

    out: dict[str, str] = {}
    for _plugin, names in reversed(call_each("regflow_calendars", "its calendars are not "
                                             "available")):
        out.update(names)
    return out


@cache
def calendar(code: str) -> WorkingCalendar:
    """The shared calendar for ``code``, from the first plugin that provides it (holiday
    tables are built once per process); ``ValueError`` for a code no plugin provides."""
    from regflow.plugins.manager import call_each

    found = call_each("regflow_working_calendar", f"calendar '{code}' is not available from it",
                      first=True, code=code)
    if not found:
        raise ValueError(f"unknown calendar '{code}'; known: {', '.join(calendar_names())}")
    return found[0][1]
