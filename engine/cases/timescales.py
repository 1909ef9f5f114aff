"""Timescale status as of a date, computed from a case's dated records.

Each time a timescale's anchor happens an *instance* starts (a warning notice given twice gives
two reviews). A recurring timescale gives one row per period. Nothing here is stored: the same
case and date always give the same rows, whether evaluated every day or once after a week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..spec.model import Ref, Timescale
from .calendars import financial_year_start

if TYPE_CHECKING:
    from .case import Case, Occurrence

PENDING, MET, NOT_APPLICABLE = "pending", "met", "not applicable"
#: a date not kept, by the timescale's strength: a limit is breached; the normal arrangement
#: departed from; a target early or late; a best effort not achieved
BREACHED, DEPARTED, EARLY, LATE, NOT_ACHIEVED = (
    "breached", "departed", "early", "late", "not achieved")
NOT_KEPT = (BREACHED, DEPARTED, EARLY, LATE, NOT_ACHIEVED)
#: statuses of an obligation whose clock runs (stored, and indexed, as "open" when unmet)
LIVE = (PENDING, BREACHED, DEPARTED, LATE, NOT_ACHIEVED)

#: what an open obligation past its date is called, by strength
PAST_DUE = {"limit": "overdue", "expected": "later than normal", "target": "behind target",
            "best_effort": "not achieved yet"}
#: the status a date not kept gets, by strength, when it was late (or never met) / too early
_NOT_KEPT = {"limit": (BREACHED, BREACHED), "expected": (DEPARTED, DEPARTED),
             "target": (LATE, EARLY), "best_effort": (NOT_ACHIEVED, NOT_ACHIEVED)}

#: how binding a timescale is, in a word or two for a column
STRENGTH_WORDS = {"limit": "limit", "expected": "normally", "target": "target",
                  "best_effort": "where possible"}

#: the status of an unmet date once it has passed, by strength
NOT_KEPT_BY = {strength: late for strength, (late, _) in _NOT_KEPT.items()}

#: days ahead in which a deadline counts as "due soon"
SOON_DAYS = 14


def days_words(n: int | None, strength: str | None = "limit") -> str:
    """Calendar days to a due date in words: ``12 days left``, ``1 day overdue`` (a limit),
    ``3 days late`` (a date that is no limit), ``due today``; "" for none. The one wording of
    the command line and the app."""
    if n is None:
        return ""
    if n == 0:
        return "due today"
    days = "1 day" if abs(n) == 1 else f"{abs(n)} days"
    if n > 0:
        return f"{days} left"
    return f"{days} overdue" if strength in ("limit", None) else f"{days} late"


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
    days_left: int | None  # calendar days from today to the due date, while still to be done
    citation: str
    responsible: str | None
    extendable: bool
    extended_to: date | None = None
    extension_reason: str = ""
    approximate: bool = False
    reason: str = ""  # why: not applicable / not kept / early / deviation from a target
    strength: str = "limit"
    wording: str = ""
    note: str = ""  # the spec's reading of its source, for the person relying on the date

    @property
    def open(self) -> bool:
        """Still to be done: pending, or past its date but still possible late (a one-off
        deadline). A recurring period that passed can no longer be met: it is history."""
        return self.days_left is not None and self.status in LIVE

    @property
    def kept(self) -> bool | None:
        """True when met as the rule asks, False when its date was not kept, None while open
        or not applicable."""
        return True if self.status == MET else False if self.status in NOT_KEPT else None

    def standing(self, today: date) -> str:
        """Where this instance stands for a person. Still to do and past its date: "overdue"
        (a limit), "later than normal" (the normal arrangement), "behind target" or "not
        achieved yet" (a best effort); still to do: "due soon", "running"; done or passed:
        "met", "breached", "departed", "early", "late", "not achieved"; "not applicable" or
        "not started"."""
        if self.open and self.due < today:
            return PAST_DUE[self.strength]
        if self.open:
            return "due soon" if (self.due - today).days <= SOON_DAYS else "running"
        if self.status == NOT_APPLICABLE:
            return "not applicable" if self.anchor_date else "not started"
        return "running" if self.status == PENDING else self.verdict  # pending: no due date

    @property
    def verdict(self) -> str:
        """The status in words: a departure from the normal arrangement says which way."""
        if self.status == DEPARTED:
            return "earlier than normal" if self.reason.startswith("too early") \
                else "later than normal"
        return self.status

    @property
    def overdue(self) -> bool:
        """A limit still to be done past its date: a breach that is still running."""
        return self.open and self.strength == "limit" and self.days_left is not None \
            and self.days_left < 0

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for key in ("anchor_date", "earliest", "due", "met_on", "extended_to"):
            out[key] = out[key].isoformat() if out[key] else None
        out["overdue"] = self.overdue
        out["verdict"] = self.verdict
        return out


def evaluate(case: Case, today: date) -> list[TimescaleStatus]:
    rows: list[TimescaleStatus] = []
    for t in case.spec.timescales:
        rows.extend(_rows(case, t, today))
    return rows


def _rows(case: Case, t: Timescale, today: date) -> list[TimescaleStatus]:
    anchors = [a for a in case.occurrences(t.anchor) if a.on <= today]
    base = dict(id=t.id, label=t.label, kind=t.kind, rule=t.rule, citation=t.citation,
                responsible=t.responsible, extendable=t.extendable, approximate=t.approximate,
                strength=t.strength, wording=t.wording, note=t.note)
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
    if t.due_on:  # the date the decision that started the clock set (e.g. a notice's period)
        due = case.facts_at(anchor.seq).get(t.due_on)
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
        status, reason = _judge(t, earliest, due, None, ended)
        if status == PENDING:
            status, reason = NOT_APPLICABLE, f"the case ended on {ended.isoformat()}"
        else:
            reason = f"the case ended on {ended.isoformat()} unmet ({reason})"
    else:
        status, reason = _judge(t, earliest, due, met_on, today)
    still_to_do = met_on is None and due is not None and status in LIVE and not ended
    return TimescaleStatus(**base, occurrence=occurrence, anchor_date=anchor.on,
                           anchor_seq=anchor.seq, earliest=earliest, due=due, status=status,
                           met_on=met_on, days_left=(due - today).days if still_to_do else None,
                           extended_to=extension.to if extension else None,
                           extension_reason=extension.reason if extension else "", reason=reason)


def _judge(t: Timescale, earliest: date | None, due: date | None, met_on: date | None,
           today: date) -> tuple[str, str]:
    """The status of one instance: met, pending, or not kept (in the word its strength
    gives: breached, departed, early, late, not achieved), with the reason in words."""
    late, early = _NOT_KEPT[t.strength]
    kind = t.kind
    if met_on is not None:
        if earliest and met_on < earliest:
            return early, f"too early: {_days(earliest - met_on)} before {earliest}"
        if kind in ("deadline", "window") and due is not None and met_on > due:
            return late, f"late by {_days(met_on - due)}"
        if kind == "delay" and met_on < due:
            return early, f"too early: {_days(due - met_on)} before {due}"
        if kind == "delay" and met_on > due:
            return MET, f"{_days(met_on - due)} after it fell due"
        if kind == "target":
            shift = (met_on - due).days
            if not shift:
                return MET, "on the target date"
            words = f"{_days(met_on - due)} {'after' if shift > 0 else 'before'} the target"
            if t.strength != "target":  # "about" as a limit or expectation: only late counts
                return (late, words) if shift > 0 else (MET, words)
            return (LATE if shift > 0 else EARLY), words
        return MET, ""
    if due is not None and today > due and kind in ("deadline", "window", "target"):
        return late, f"due {due.isoformat()}, not met"
    return PENDING, ""


def _days(delta) -> str:
    n = abs(delta.days)
    return f"{n} day" if n == 1 else f"{n} days"


def _periods(case: Case, t: Timescale, anchor: Occurrence, met_list, today: date,
             applies: bool, base: dict, numbered: int) -> list[TimescaleStatus]:
    """One row per period of a recurring timescale, from its anchor until ``until``, the end
    of the case or today. Periods run from the anchor (every 3 months: 3 months from it), or
    are whole financial years (1 April to 31 March, from the first 1 April on or after the
    anchor: what happened in the part-year before the case is not on record, so that part-year
    is not judged). The obligation falls due at the period's end, or ``within`` its start."""
    until = None
    if t.until:
        until = next((o.on for o in case.occurrences(t.until)
                      if o.seq > anchor.seq and o.on <= today), None)
    if case.finished_on and case.finished_on <= today:
        until = min(until, case.finished_on) if until else case.finished_on
    add = case.calendar.add
    first = anchor.on
    if t.every.financial:  # whole financial years: the part-year the clock starts in is not judged
        first = financial_year_start(anchor.on)
        if first < anchor.on:
            first = add(first, t.every.times(1))
    late, _ = _NOT_KEPT[t.strength]
    rows, k = [], 1
    while True:
        start = add(first, t.every.times(k - 1))
        end = add(first, t.every.times(k))  # the next period's start
        if t.every.financial:
            end -= timedelta(days=1)  # periods of whole days: 1 April to 31 March
        if start > today or (until and start >= until):
            break
        due = add(start, t.within) if t.within else end
        # a period is met by an occurrence inside it, after the anchor (on the anchor day
        # itself for the first period)
        met_on = next((o.on for o in met_list if o.seq > anchor.seq
                       and (start < o.on <= end or (o.on == start and (k == 1 or t.every.financial)))),
                      None)
        if due < anchor.on:
            status, reason = NOT_APPLICABLE, f"fell due on {due.isoformat()}, before its clock started"
        elif met_on and met_on > due:
            status, reason = late, f"late by {_days(met_on - due)}"
        elif met_on:
            status, reason = MET, ""
        elif not applies:
            status, reason = NOT_APPLICABLE, f"applies only when {t.applies_when}"
        elif until and until <= due:
            status, reason = NOT_APPLICABLE, f"stopped on {until.isoformat()}"
        elif today > end:
            status, reason = late, f"nothing between {start.isoformat()} and {end.isoformat()}"
        elif today > due:
            status, reason = late, f"due {due.isoformat()}, not met yet"
        else:
            status, reason = PENDING, ""
        still_to_do = met_on is None and status in LIVE and today <= end
        rows.append(TimescaleStatus(
            **base, occurrence=numbered + k, anchor_date=anchor.on, anchor_seq=anchor.seq,
            earliest=start, due=due, status=status, met_on=met_on,
            days_left=(due - today).days if still_to_do else None, reason=reason))
        k += 1
    if not rows and first > today:
        rows.append(TimescaleStatus(
            **base, occurrence=numbered + 1, anchor_date=anchor.on, anchor_seq=anchor.seq,
            earliest=first, due=None, status=NOT_APPLICABLE, met_on=None, days_left=None,
            reason=f"its first whole financial year starts on {first.isoformat()}"))
    return rows
