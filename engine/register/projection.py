"""What a stored case looks like: its projection row, its timescale rows, facts as JSON.

Shared by single appends (:mod:`regflow.engine.register.api`) and bulk imports
(:mod:`regflow.engine.register.bulk`), which may run in worker processes.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..cases.case import Case
from ..errors import DateError


def facts_json(values: dict[str, Any]) -> str:
    """Facts as stored: JSON with dates as YYYY-MM-DD."""
    return json.dumps({k: v.isoformat() if isinstance(v, date) else v
                       for k, v in values.items()}, sort_keys=True)


def not_future(day: date, what: str, today: date) -> None:
    """Events are recorded when they have happened: never dated after today."""
    if not isinstance(day, date):
        raise DateError(f"{what} must be a date")
    if day > today:
        raise DateError(f"{what} ({day.isoformat()}) is in the future (today is "
                        f"{today.isoformat()}); record events when they have happened")


def stage_and_roles(case: Case) -> tuple[str, str]:
    """Where a case is, in words (the stages reached last, and how many other tracks run),
    and who is responsible there: what the register lists and the case screen heads with."""
    spec = case.spec
    latest = case.latest_states()
    roles = list(dict.fromkeys(spec.role_label(r) for r in spec.roles_of(latest)))
    others = len(case.current_states) - len(latest)
    stage = "; ".join(spec.states[n].label for n in latest) + (
        f" (+{others} other track{'s' if others > 1 else ''})" if others > 0 else "")
    return stage, ", ".join(roles)


def projection(case: Case, today: date, rows) -> dict[str, Any]:
    """The stored projection of a case as of ``today`` (``rows``: its timescales then)."""
    # the earliest obligation still to be done: a missed deadline stays first until it is met
    # late, as in `regflow due --overdue`, so registers sort the cases that need attention to
    # the top; a finished case has none (nothing more can be recorded on it)
    unmet = [r for r in rows if r.open and case.finished_on is None]
    # a limit already passed is what the case is listed by (a breach), before an earlier date
    # that is no limit (a target or the normal arrangement passed)
    breached = [r for r in unmet if r.strength == "limit" and r.due < today]
    nxt = min(breached or unmet, key=lambda r: r.due) if unmet else None
    limits = [r.due for r in unmet if r.strength == "limit"]
    stage, responsible = stage_and_roles(case)
    return {
        "stage": stage,
        "responsible": responsible,
        "next_due": nxt.due if nxt else None,
        "next_due_sort": nxt.due if nxt else date.max,
        "next_due_label": nxt.label if nxt else None,
        "next_due_strength": nxt.strength if nxt else None,
        "next_limit_sort": min(limits) if limits else date.max,
        "next_fire": case.next_fire_date(),
        "finished_on": case.finished_on,
        "as_of": today,
        "snapshot": json.dumps(case.snapshot(), separators=(",", ":")),
    }


def timescale_rows(case: Case, rows) -> list[dict[str, Any]]:
    """The stored timescale rows of a case (no case id yet): every instance whose clock has
    started (one that has not is the spec's timescale, waiting for its anchor)."""
    return [{
        "timescale": r.id, "occurrence": r.occurrence, "label": r.label,
        "kind": r.kind, "anchor_on": r.anchor_date, "earliest": r.earliest, "due": r.due,
        "status": r.status, "strength": r.strength, "met_on": r.met_on, "extended_to": r.extended_to,
        "extension_reason": r.extension_reason, "citation": r.citation,
        "responsible": r.responsible, "approximate": r.approximate, "reason": r.reason,
    } for r in rows if r.anchor_date is not None]
