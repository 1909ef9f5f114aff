"""Timescale status as of a date, computed from a case's dated records.

Each time a timescale's anchor happens an *instance* starts (a warning notice given twice gives
two reviews). A recurring timescale gives one row per period. Nothing here is stored: the same
case and date always give the same rows, whether evaluated every day or once after a week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..spec.model import Ref, Timescale

if TYPE_CHECKING:
    from .case import Case, Occurrence

PENDING, MET, MISSED, NOT_APPLICABLE = "pending", "met", "missed", "not applicable"

#: days ahead in which a deadline counts as "due soon"
SOON_DAYS = 14


def days_words(n: int | None) -> str:
    """Calendar days to a due date in words: ``12 days left``, ``1 day overdue``, ``due
    today``; "" for none. The one wording of the command line and the app."""
    if n is None:
        return ""
    if n == 0:
        return "due today"
    days = "1 day" if abs(n) == 1 else f"{abs(n)} days"
    return f"{days} overdue" if n < 0 else f"{days} left"


@dataclass(frozen=True)
class TimescaleStatus:
    id: str
    label: str
    kind: str
    rule: str
    occurrence: int  # 1, 2, ... per timescale (each anchor, or each period of a recurring one)
    anchor_date: date | None
    anchor_seq: int
    earliest: date | None
    due: date | None
    status: str
    met_on: date | None
    days_left: int | None  # calendar days from today to the due date, while pending
    citation: str
    responsible: str | None
    extendable: bool
    extended_to: date | None = None
    extension_reason: str = ""
    approximate: bool = False
    reason: str = ""  # why: not applicable / missed / early / deviation from a target

    @property
    def open(self) -> bool:
        """Still to be done: pending, or missed but still possible late (a one-off deadline).
        A recurring period that passed can no longer be met: it is history, not a task."""
        return (self.met_on is None and self.due is not None
                and (self.status == PENDING or (self.status == MISSED and self.kind != "recurring")))

    def standing(self, today: date) -> str:
        """Where this instance stands for a person: "overdue" (still to do, past its date),
        "due soon", "running", "met", "missed" (passed: can no longer be met, or met late),
        "not applicable" or "not started"."""
        if self.open and self.due < today:
            return "overdue"
        if self.open:
            return "due soon" if (self.due - today).days <= SOON_DAYS else "running"
        if self.status == NOT_APPLICABLE:
            return "not applicable" if self.anchor_date else "not started"
        return "running" if self.status == PENDING else self.status  # pending, with no due date

    @property
    def overdue(self) -> bool:
        return self.status == PENDING and self.days_left is not None and self.days_left < 0

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for key in ("anchor_date", "earliest", "due", "met_on", "extended_to"):
            out[key] = out[key].isoformat() if out[key] else None
        out["overdue"] = self.overdue
        return out


def evaluate(case: Case, today: date) -> list[TimescaleStatus]:
    rows: list[TimescaleStatus] = []
    for t in case.spec.timescales:
        rows.extend(_rows(case, t, today))
    return rows


def _rows(case: Case, t: Timescale, today: date) -> list[TimescaleStatus]:
    anchors = [a for a in case.occurrences(t.anchor) if a.on <= today]
    base = dict(id=t.id, label=t.label, kind=t.kind, rule=t.rule, citation=t.citation,
                responsible=t.responsible, extendable=t.extendable, approximate=t.approximate)
    if not anchors:
        return [TimescaleStatus(**base, occurrence=1, anchor_date=None, anchor_seq=0,
                                earliest=None, due=None, status=NOT_APPLICABLE, met_on=None,
                                days_left=None, reason=f"not started: waits for {t.anchor}")]
    guard = case.spec.guards[t.applies_when] if t.applies_when else None
    applies = guard is None or guard.holds(case.facts)
    # a delay that only makes something happen is met by that happening
    met_ref = t.met_by or (Ref("event", t.fires) if t.fires else None)
    met_list = [o for o in case.occurrences(met_ref) if o.on <= today] if met_ref else []
    rows: list[TimescaleStatus] = []
    for anchor in anchors:
        if t.kind == "recurring":
            rows.extend(_periods(case, t, anchor, met_list, today, applies, base, len(rows)))
        else:
            met = next((o for o in met_list if o.seq > anchor.seq), None)
            # a met timescale is judged on the facts of the day it was met, so a later change
            # of facts cannot rewrite what was done; an open one on today's facts
            applied = applies if (guard is None or met is None) else guard.holds(
                case.facts_at(met.seq))
            rows.append(_single(case, t, anchor, met, today, applied, base, len(rows) + 1))
    return rows


def _single(case: Case, t: Timescale, anchor: Occurrence, met: Occurrence | None, today: date,
            applies: bool, base: dict, occurrence: int) -> TimescaleStatus:
    add = case.calendar.add
    earliest = add(anchor.on, t.after) if t.after and t.kind in ("lead_time", "window") else None
    due = {
        "deadline": t.within, "window": t.within, "delay": t.after, "target": t.about,
    }.get(t.kind)
    due = add(anchor.on, due) if due else None
    extension = case.extensions.get((t.id, anchor.seq))
    if extension:
        due = extension.to
    met_on = met.on if met else None
    if t.met_by is None and met is None and (t.id, anchor.seq) in case._handled:
        # its event was not needed: the case had moved on by the due date
        return TimescaleStatus(**base, occurrence=occurrence, anchor_date=anchor.on,
                               anchor_seq=anchor.seq, earliest=None, due=due,
                               status=NOT_APPLICABLE, met_on=None, days_left=None,
                               reason="the case moved on before it fell due")
    ended = case.finished_on if case.finished_on and case.finished_on <= today else None
    if not applies:
        status, reason = NOT_APPLICABLE, f"applies only when {t.applies_when}"
    elif met_on is None and ended is not None:
        # judged on the day the case ended, not today: later days never come for it
        status, reason = _judge(t.kind, earliest, due, None, ended)
        if status == PENDING:
            status, reason = NOT_APPLICABLE, f"the case ended on {ended.isoformat()}"
        else:
            reason = f"the case ended on {ended.isoformat()} unmet ({reason})"
    else:
        status, reason = _judge(t.kind, earliest, due, met_on, today)
    days_left = (due - today).days if (due and status == PENDING) else None
    return TimescaleStatus(**base, occurrence=occurrence, anchor_date=anchor.on,
                           anchor_seq=anchor.seq, earliest=earliest, due=due, status=status,
                           met_on=met_on, days_left=days_left,
                           extended_to=extension.to if extension else None,
                           extension_reason=extension.reason if extension else "", reason=reason)


def _judge(kind: str, earliest: date | None, due: date | None, met_on: date | None,
           today: date) -> tuple[str, str]:
    if met_on is not None:
        if earliest and met_on < earliest:
            return MISSED, f"too early: {_days(earliest - met_on)} before {earliest}"
        if kind in ("deadline", "window") and met_on > due:
            return MISSED, f"late by {_days(met_on - due)}"
        if kind == "delay" and met_on < due:
            return MISSED, f"too early: {_days(due - met_on)} before {due}"
        if kind == "delay" and met_on > due:
            return MET, f"{_days(met_on - due)} after it fell due"
        if kind == "target":
            shift = met_on - due
            return MET, "on the target date" if not shift.days else (
                f"{_days(shift)} {'after' if shift.days > 0 else 'before'} the target")
        return MET, ""
    if kind in ("deadline", "window") and today > due:
        return MISSED, f"due {due.isoformat()}, not met"
    return PENDING, ""


def _days(delta) -> str:
    n = abs(delta.days)
    return f"{n} day" if n == 1 else f"{n} days"


def _periods(case: Case, t: Timescale, anchor: Occurrence, met_list, today: date,
             applies: bool, base: dict, numbered: int) -> list[TimescaleStatus]:
    until = None
    if t.until:
        until = next((o.on for o in case.occurrences(t.until)
                      if o.seq > anchor.seq and o.on <= today), None)
    if case.finished_on and case.finished_on <= today:
        until = min(until, case.finished_on) if until else case.finished_on
    rows, k, start = [], 1, anchor.on
    while True:
        due = case.calendar.add(anchor.on, t.every.times(k))
        if start > today or (until and start >= until):
            break
        met_on = next((o.on for o in met_list if o.seq > anchor.seq
                       and (start < o.on <= due or (k == 1 and o.on == start))), None)
        if met_on:
            status, reason = MET, ""
        elif not applies:
            status, reason = NOT_APPLICABLE, f"applies only when {t.applies_when}"
        elif until and until <= due:
            status, reason = NOT_APPLICABLE, f"stopped on {until.isoformat()}"
        elif today > due:
            status, reason = MISSED, f"nothing between {start.isoformat()} and {due.isoformat()}"
        else:
            status, reason = PENDING, ""
        rows.append(TimescaleStatus(
            **base, occurrence=numbered + k, anchor_date=anchor.on, anchor_seq=anchor.seq,
            earliest=start, due=due, status=status, met_on=met_on,
            days_left=(due - today).days if status == PENDING else None, reason=reason))
        start, k = due, k + 1
    return rows
