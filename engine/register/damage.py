"""Finding damaged rows in a register: which case, which table and row, what is wrong.

A register can be changed by other programs (or a disk can fail): a snapshot that is no longer
JSON, a date column holding text, an event its spec does not know, a spec row gone. Reading such
a row must name it, and the other cases must stay usable. The stored values are read raw (no
column types), so the check itself cannot fail on what it checks.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import text

from ..errors import CaseError

CASE_DATES = ("opened_on", "next_due", "next_due_sort", "next_limit_sort", "next_fire", "finished_on",
              "as_of")
EVENT_DATES = ("effective_on", "extend_to")
TIMESCALE_DATES = ("anchor_on", "earliest", "due", "met_on", "extended_to")
KINDS = ("event", "correction", "extension")


class DamagedCase(CaseError):
    """A case whose stored rows cannot be read; the rest of the register is unaffected."""

    def __init__(self, case_id: int, what: str):
        self.case_id = case_id
        self.what = what
        super().__init__(f"case {case_id} is damaged in the register: {what}. The other cases "
                         "are not affected; restore the register from a backup to mend it")


def _bad_date(value, column: str, with_time: bool = False) -> str | None:
    if value is None or isinstance(value, date):
        return None
    try:
        (datetime if with_time else date).fromisoformat(str(value))
    except ValueError:
        return f"{column} {str(value)[:40]!r} is not a {'time' if with_time else 'date'}"
    return None


def _bad_json(value, column: str, may_be_empty: bool = False) -> str | None:
    if value is None and may_be_empty:
        return None
    try:
        json.loads(value)
    except (TypeError, ValueError) as err:
        return f"{column} is not JSON ({str(err)[:60]})"
    return None


def diagnose(conn, case_id: int, spec_events=None) -> str | None:
    """What is damaged in case ``case_id``'s rows (None if nothing is found).

    ``spec_events``: the event names of its spec, if it could be read (checks the log)."""
    row = conn.execute(text("select * from cases where id = :id"), {"id": case_id}).mappings().first()
    if row is None:
        return None
    for column in CASE_DATES:
        problem = _bad_date(row[column], column)
        if problem:
            return f"its row in table cases: {problem}"
    problem = _bad_date(row["created_at"], "created_at", with_time=True)
    if problem:
        return f"its row in table cases: {problem}"
    for column in ("snapshot", "opening_facts"):
        problem = _bad_json(row[column], column)
        if problem:
            return f"its row in table cases: {problem}"
    spec = conn.execute(text("select hash from specs where hash = :h"),
                        {"h": row["spec_hash"]}).first()
    if spec is None:
        return (f"its spec (hash {str(row['spec_hash'])[:12]}…) is missing from table specs")
    log = conn.execute(text("select * from events where case_id = :id order by seq"),
                       {"id": case_id}).mappings().all()
    for entry in log:
        where = f"entry #{entry['seq']} (table events, row {entry['id']})"
        problems = [_bad_date(entry[c], c) for c in EVENT_DATES]
        problems.append(_bad_date(entry["recorded_at"], "recorded_at", with_time=True))
        problems.append(_bad_json(entry["facts"], "facts", may_be_empty=True))
        if entry["kind"] not in KINDS:
            problems.append(f"kind {entry['kind']!r} is not one of {', '.join(KINDS)}")
        if entry["kind"] == "event" and spec_events is not None and \
                entry["event"] not in spec_events:
            problems.append(f"event {entry['event']!r} is not an event of the case's spec")
        found = next((p for p in problems if p), None)
        if found:
            return f"{where}: {found}"
    for ts in conn.execute(text("select * from timescales where case_id = :id"),
                           {"id": case_id}).mappings():
        problems = [_bad_date(ts[c], c) for c in TIMESCALE_DATES]
        found = next((p for p in problems if p), None)
        if found:
            return f"timescale {ts['timescale']!r} (table timescales): {found}"
    return None


def damaged_ids(conn) -> dict[int, str]:
    """Every case whose listed columns (its row, its timescale rows) do not read as dates,
    with what is wrong: looked for only after a listing failed, so its cost is paid then."""
    found: dict[int, str] = {}
    columns = ", ".join(CASE_DATES)
    for row in conn.execute(text(f"select id, {columns} from cases")).mappings():
        problem = next((p for p in (_bad_date(row[c], c) for c in CASE_DATES) if p), None)
        if problem:
            found[row["id"]] = f"its row in table cases: {problem}"
    columns = ", ".join(TIMESCALE_DATES)
    for row in conn.execute(text(f"select case_id, timescale, {columns} from timescales")
                            ).mappings():
        problem = next((p for p in (_bad_date(row[c], c) for c in TIMESCALE_DATES) if p), None)
        if problem and row["case_id"] not in found:
            found[row["case_id"]] = f"timescale {row['timescale']!r} (table timescales): {problem}"
    return found
