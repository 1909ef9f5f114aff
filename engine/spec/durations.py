"""Durations as written in specs: ``"25 working days"``, ``"4 weeks"``, ``"12 months"``."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..suggest import closest

#: Accepted spellings of each unit, singular and plural.
UNITS: dict[str, str] = {
    "working day": "working_days",
    "working days": "working_days",
    "day": "days",
    "days": "days",
    "calendar day": "days",
    "calendar days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
    "year": "years",
    "years": "years",
    "financial year": "financial_years",
    "financial years": "financial_years",
}

#: The first day of a financial year (UK public bodies: 1 April to 31 March).
FINANCIAL_YEAR_START = (4, 1)

_PATTERN = re.compile(r"\s*([0-9]+)\s+([a-z][a-z ]*?)\s*", re.ASCII)

#: the longest duration a timescale may have, in days (100 years): dates stay in the calendar
MAX_DAYS = 36_600
#: days a unit lasts at most (a financial year: up to a year after its start, plus a year),
#: to hold a duration against :data:`MAX_DAYS`
_UNIT_DAYS = {"working_days": 2, "days": 1, "weeks": 7, "months": 31, "years": 366,
              "financial_years": 366}


def shown(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DurationSyntaxError(ValueError):
    """A duration that does not read as ``N UNIT``; carries a suggested spelling if one is close."""

    def __init__(self, text: str, suggestion: str | None, message: str | None = None):
        self.text = text
        self.suggestion = suggestion
        super().__init__(message or f"bad duration '{shown(text)}': write N followed by one of "
                         "working days, days, weeks, months, years, financial years")


@dataclass(frozen=True, order=True)
class Duration:
    amount: int
    unit: str  # one of: working_days, days, weeks, months, years, financial_years

    @classmethod
    def parse(cls, text: str) -> Duration:
        if isinstance(text, str) and any(not c.isascii() and unicodedata.category(c) == "Nd"
                                         for c in text):
            plain = "".join(str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd"
                            else c for c in text)
            raise DurationSyntaxError(text, plain, f"bad duration '{shown(text)}': write the number "
                                      "with the digits 0-9")
        match = _PATTERN.fullmatch(text.lower()) if isinstance(text, str) else None
        if not match:
            raise DurationSyntaxError(str(text), None)
        digits, word = match.group(1).lstrip("0") or "0", " ".join(match.group(2).split())
        unit = UNITS.get(word)
        if unit is None:
            near = closest(word, UNITS, cutoff=0.5)
            raise DurationSyntaxError(text, f"{int(digits[:9])} {near}" if near else None)
        if len(digits) > 6 or int(digits) * _UNIT_DAYS[unit] > MAX_DAYS:
            raise DurationSyntaxError(text, None, f"duration '{shown(text)}' is longer than 100 years, "
                                      "the longest timescale regflow counts")
        return cls(int(digits), unit)

    def at_most_days(self) -> int:
        """The most calendar days this duration can last."""
        return self.amount * _UNIT_DAYS[self.unit]

    def __str__(self) -> str:
        word = self.unit.replace("_", " ")
        if self.amount == 1:
            word = word[:-1]
        return f"{self.amount} {word}"

    @property
    def financial(self) -> bool:
        """Periods aligned to financial years (1 April to 31 March), not to the anchor."""
        return self.unit == "financial_years"

    def times(self, factor: int) -> Duration:
        return Duration(self.amount * factor, self.unit)
