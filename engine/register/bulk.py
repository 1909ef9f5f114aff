"""Bulk import: many cases run through the engine (in worker processes) and written in batches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, String, insert, text

from ..cases.case import Case
from ..errors import CaseError, DateError, RegflowError
from ..spec.model import Spec
from ..spec.variants import open_spec
from .projection import facts_json, not_future, projection, timescale_rows
from .records import record_problem
from .storage import cases


@dataclass(frozen=True)
class Prepared:
    """A case ready to be written: its row, its events and its timescales (no ids yet)."""

    where: str
    spec_path: str
    case_row: dict[str, Any]
    event_rows: list[dict[str, Any]]
    timescale_rows: list[dict[str, Any]]


_WORKER_SPECS: dict[str, Spec] = {}


def prepare_case(job: tuple[str, dict[str, Any], date]) -> tuple[str, Prepared | str]:
    """Run one import record through the engine (in a worker process, or in this one)."""
    where, record, today = job
    try:
        return where, _prepare(where, record, today)
    except (RegflowError, KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as err:
        return where, (f"missing {err}" if isinstance(err, KeyError) else str(err))


def _prepare(where: str, record: dict[str, Any], today: date) -> Prepared:
    problem = record_problem(record)
    if problem:
        raise CaseError(problem)
    spec_path = record["spec"]
    spec = _WORKER_SPECS.get(spec_path)
    if spec is None:
        spec = _WORKER_SPECS[spec_path] = open_spec(spec_path)
    opened_on = _iso(record["opened_on"], "opened_on")
    not_future(opened_on, "the opening date", today)
    title = str(record["title"]).strip()
    if not title:
        raise CaseError("a case needs a title")
    case = Case(spec, opened_on, record.get("facts") or {})
    event_rows = []
    for seq, e in enumerate(record.get("events", []), 1):
        on = _iso(e["on"], f"the date of event {seq}")
        not_future(on, f"the date of '{e['event']}'", today)
        case.fire(e["event"], on, e.get("set") or {}, actor=e.get("actor"),
                  note=e.get("note", ""))
        event_rows.append(dict(seq=seq, kind="event", event=e["event"], effective_on=on,
                               actor=e.get("actor"), facts=facts_json(e.get("set") or {}),
                               note=e.get("note", ""), voids_seq=None, timescale=None,
                               extend_to=None))
    case.advance_to(today)
    status = case.timescales(today)
    case_row = {
        "spec_hash": spec.content_hash, "spec_id": spec.process.id,
        "regulator": spec.process.regulator, "title": title, "opened_on": opened_on,
        "opening_facts": facts_json(case.facts_at(0)), "version": len(event_rows),
        **projection(case, today, status),
    }
    return Prepared(where, spec_path, case_row, event_rows, timescale_rows(case, status))


def _iso(text: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise DateError(f"{what} '{text}' is not a date: write YYYY-MM-DD") from None


def insert_cases(conn, rows: list[dict[str, Any]]) -> list[int]:
    """Insert case rows; their new ids, in order. PostgreSQL: the ids are taken from the
    table's sequence in one query and the rows sent by COPY with them, because an ``INSERT
    ... RETURNING`` of a thousand rows spends more time having psycopg split and convert its
    twenty thousand parameters than the server spends storing them. A case's snapshot (6 kB
    on average) is compressed with lz4 where the server has it: half the time pglz takes."""
    if conn.dialect.name != "postgresql":
        return conn.execute(insert(cases).returning(cases.c.id, sort_by_parameter_order=True),
                            rows).scalars().all()
    conn.execute(text(_LZ4))
    ids = conn.execute(text("SELECT nextval(pg_get_serial_sequence('cases', 'id')) "
                            "FROM generate_series(1, :n)"), {"n": len(rows)}).scalars().all()
    ids.sort()  # taken in one statement: ascending, so the ids follow the import's order
    _copy(conn, cases, [{"id": case_id, **row} for case_id, row in zip(ids, rows, strict=True)])
    return ids


def bulk_insert(conn, table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with one statement through the driver.

    The values are converted by the columns' own types first (dates as the dialect stores
    them), so the rows read back exactly as if SQLAlchemy had written them; only the per-row
    parameter handling, most of a bulk insert's cost, is skipped. Drivers with named
    parameters take the ordinary path; PostgreSQL takes COPY.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, table, rows)
        return
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=keys)
    order = compiled.positiontup
    if not order:
        conn.execute(insert(table), rows)
        return
    convert = [table.c[key].type.bind_processor(conn.dialect) for key in order]
    plan = list(zip(order, convert, strict=True))
    data = [tuple(f(row[key]) if f else row[key] for key, f in plan) for row in rows]
    conn.exec_driver_sql(str(compiled), data)


#: the binary COPY format of each kind of column (the server reads varchar as it reads text)
_BINARY = ((Boolean, "bool"), (Integer, "int4"), (DateTime, "timestamptz"), (Date, "date"),
           (String, "text"))


def _binary_type(column) -> str:
    return next(name for kind, name in _BINARY if isinstance(column.type, kind))


def _copy(conn, table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY, the server's own bulk path, in its binary format (no text to parse
    on the server), inside the caller's transaction."""
    keys = list(rows[0])
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(keys)}) FROM STDIN (FORMAT BINARY)"
                     ) as copy:
        copy.set_types([_binary_type(table.c[key]) for key in keys])
        for row in rows:
            copy.write_row(tuple(row[key] for key in keys))


#: for this transaction only, and only where the server was built with lz4
_LZ4 = ("SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
        "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
