"""What values a fact holds: the check the loader makes of a default and the reading of a value
typed on the command line or in a form ("yes", "2027-03-01", "12") as the fact's type says."""

from __future__ import annotations

import contextlib
import math
from datetime import date, datetime
from typing import Any

from ..cases.calendars import FIRST_DAY, LAST_DAY
from ..errors import FactError, RegflowError, shown
from ..suggest import closest
from .model import Fact

_BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False}


#: the largest number a number fact holds (beyond it, floats lose whole units)
MAX_NUMBER = 10**15


def fact_value_error(kind: str, values: tuple[str, ...], value: Any) -> str | None:
    """Why ``value`` does not fit a fact of type ``kind``, or None if it fits."""
    if kind == "enum":
        if not isinstance(value, str) or value not in values:
            return f"{shown(value)} is not one of: {', '.join(values)}"
    elif kind == "bool":
        if not isinstance(value, bool):
            return f"expected true or false, found {shown(value)}"
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a number, found {shown(value)}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"expected a number, found {value} (not a number a rule can compare)"
        if abs(value) > MAX_NUMBER:
            return f"the number {shown(value)} is too large: at most {MAX_NUMBER:,}"
    elif kind == "date":
        if not isinstance(value, date) or isinstance(value, datetime):
            return f"expected a date (YYYY-MM-DD), found {shown(value)}"
        if not FIRST_DAY <= value <= LAST_DAY:
            return (f"{value.isoformat()} is outside the dates regflow works with "
                    f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")
    elif kind == "text" and not isinstance(value, str):
        return f"expected text, found {shown(value)}"
    return None


def read_fact(fact: Fact, value: Any) -> Any:
    """``value`` as a value of ``fact`` (text read by the fact's type), or :class:`FactError`
    saying why it does not fit, with the nearest allowed value where there is one."""
    if isinstance(value, str):
        if fact.type == "number":
            with contextlib.suppress(ValueError):
                value = float(value) if "." in value else int(value)
        elif fact.type == "bool" and value.lower() in _BOOL_WORDS:
            value = _BOOL_WORDS[value.lower()]
        elif fact.type == "date":
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
    problem = fact_value_error(fact.type, fact.values, value)
    if problem:
        near = closest(str(value), fact.values) if fact.type == "enum" else None
        hint = f" (did you mean '{near}'?)" if near else ""
        raise FactError(f"fact '{fact.name}': {problem}{hint}")
    return value


def assignments(pairs: list[str] | str | None) -> dict[str, str]:
    """``FACT=VALUE`` pairs (``--set`` on the command line; a comma-separated line in the app)
    as a dict of texts, read by each fact's type later (:func:`read_fact`)."""
    if isinstance(pairs, str):
        pairs = [p for p in pairs.split(",") if p.strip()]
    out: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise RegflowError(f"'{pair.strip()}': write FACT=VALUE, e.g. concern_level=serious")
        name, value = name.strip(), value.strip()
        if out.get(name, value) != value:
            raise RegflowError(f"{name} is given twice ({out[name]!r} and {value!r}): keep one")
        out[name] = value
    return out
