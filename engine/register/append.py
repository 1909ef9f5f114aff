"""Storing one change to a case: its new projection, its entry and its timescale rows at once.

On PostgreSQL the whole append is one statement (data-modifying ``WITH`` clauses) sent outside
any explicit transaction: a single statement is atomic by itself, so BEGIN, the four writes
and COMMIT take one round trip to the server instead of six. SQLite, in the same process,
gains nothing from that and takes the same steps one statement at a time.

Either way the case row is updated only if it is still at the version the change was built
on (optimistic concurrency); nothing else is written when it is not.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Integer,
    and_,
    bindparam,
    column,
    delete,
    func,
    insert,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from .storage import cases, events, timescales

#: the columns of a timescale row as the statement receives them (a JSON list of objects)
_TIMESCALE_COLUMNS = [c for c in timescales.c if c.name != "case_id"]
_KEY = ("case_id", "timescale", "occurrence")


def append(conn: Connection, case_id: int, base: int, projection: dict[str, Any],
           entry: dict[str, Any], timescale_rows: list[dict[str, Any]]) -> bool:
    """Store a change built on version ``base`` of case ``case_id`` as version ``base + 1``:
    the case's new ``projection``, the ``entry`` (an events row without case and seq) and the
    case's ``timescale_rows`` (without case id), replacing its old ones. False (and nothing
    written) if the case is no longer at version ``base``. On PostgreSQL ``conn`` may be in
    autocommit (the append is one statement); elsewhere the caller's transaction holds the
    steps together."""
    if conn.dialect.name == "postgresql":
        return _append_in_one_statement(conn, case_id, base, projection, entry, timescale_rows)
    seq = base + 1
    changed = conn.execute(update(cases).where(and_(cases.c.id == case_id,
                                                    cases.c.version == base))
                           .values(version=seq, **projection)).rowcount
    if not changed:
        return False
    conn.execute(insert(events).values(case_id=case_id, seq=seq, **entry))
    conn.execute(delete(timescales).where(timescales.c.case_id == case_id))
    if timescale_rows:
        conn.execute(insert(timescales), [{**row, "case_id": case_id} for row in timescale_rows])
    return True


def _append_in_one_statement(conn: Connection, case_id: int, base: int,
                             projection: dict[str, Any], entry: dict[str, Any],
                             timescale_rows: list[dict[str, Any]]) -> bool:
    values = {"case_id": case_id, "base": base, "seq": base + 1,
              "timescales": _json(timescale_rows)}
    values.update({f"case_{key}": value for key, value in projection.items()})
    values.update({f"entry_{key}": entry.get(key) for key in _ENTRY_COLUMNS})
    return bool(conn.execute(_one_statement(), values).scalar_one())


#: what an entry may carry (an event, a correction, an extension: the others are NULL)
_ENTRY_COLUMNS = [c.name for c in events.c if c.name not in ("id", "case_id", "seq")]


@functools.cache
def _one_statement():
    """The four writes of an append as one statement, made once (its parameters: case_id,
    base, seq, case_* for the projection, entry_* for the entry, timescales). The timescale
    rows arrive as one JSON parameter; the case's rows that are still there are updated in
    place (ON CONFLICT), the others deleted. (A DELETE and an INSERT of the same keys cannot
    share a statement: its parts run on one snapshot, in no set order.)"""
    projected = [c for c in cases.c if c.name not in _NOT_PROJECTED]
    moved = (update(cases)
             .where(cases.c.id == bindparam("case_id"), cases.c.version == bindparam("base"))
             .values(version=bindparam("seq"),
                     **{c.name: bindparam(f"case_{c.name}", type_=c.type) for c in projected})
             .returning(cases.c.id).cte("moved"))
    logged = insert(events).from_select(
        ["case_id", "seq", *_ENTRY_COLUMNS],
        select(moved.c.id, bindparam("seq", type_=Integer),
               *(bindparam(f"entry_{name}", type_=events.c[name].type)
                 for name in _ENTRY_COLUMNS))).cte("logged")
    rows = (func.json_to_recordset(bindparam("timescales", type_=JSON))
            .table_valued(*(column(c.name, c.type) for c in _TIMESCALE_COLUMNS))
            .render_derived(name="fresh", with_types=True))
    gone = (delete(timescales)
            .where(timescales.c.case_id.in_(select(moved.c.id)),
                   tuple_(timescales.c.timescale, timescales.c.occurrence).not_in(
                       select(rows.c.timescale, rows.c.occurrence)))
            .cte("gone"))
    upsert = pg_insert(timescales).from_select(
        ["case_id", *(c.name for c in _TIMESCALE_COLUMNS)],
        select(moved.c.id, *(rows.c[c.name] for c in _TIMESCALE_COLUMNS))
        .select_from(moved.join(rows, true())))
    kept = upsert.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={c.name: upsert.excluded[c.name] for c in _TIMESCALE_COLUMNS
              if c.name not in _KEY}).cte("kept")
    return select(func.count()).select_from(moved).add_cte(logged, gone, kept)


#: the columns of a case row that are not its projection (set when it is opened)
_NOT_PROJECTED = ("id", "spec_hash", "spec_id", "regulator", "title", "opened_on",
                  "opening_facts", "created_at", "version")


def _json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timescale rows as JSON values that PostgreSQL's json_to_recordset reads back into the
    columns' types (dates as YYYY-MM-DD)."""
    return [{k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
            for row in rows]
