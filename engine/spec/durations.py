"""Durations as written in specs: ``"25 working days"``, ``"4 weeks"``, ``"12 months"``."""

from __future__ import annotations

import re
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

_PATTERN = re.compile(r"^\s*(\d+)\s+([a-z][a-z ]*?)\s*$")


class DurationSyntaxError(ValueError):
    """A duration that does not read as ``N UNIT``; carries a suggested spelling if one is close."""

    def __init__(self, text: str, suggestion: str | None):
        self.text = text
        self.suggestion = suggestion
        super().__init__(f"bad duration '{text}': write N followed by one of "
                         "working days, days, weeks, months, years, financial years")


@dataclass(frozen=True, order=True)
class Duration:
    amount: int
    unit: str  # one of: working_days, days, weeks, months, years, financial_years

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(text.lower()) if isinstance(text, str) else None
        if not match:
            raise DurationSyntaxError(str(text), None)
        amount, word = int(match.group(1)), " ".join(match.group(2).split())
        unit = UNITS.get(word)
        if unit is None:
            near = closest(word, UNITS, cutoff=0.5)
            raise DurationSyntaxError(text, f"{amount} {near}" if near else None)
        return cls(amount, unit)

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
