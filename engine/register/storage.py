"""Where registers live: the SQLAlchemy 2 Core schema and opening a database safely.

SQLite (WAL, foreign keys on) is the embedded default; the schema uses portable types so it also
runs on PostgreSQL. A database is opened only if it is empty or a regflow register whose schema
this version can read; anything else is refused before a byte is written.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from ..errors import RegflowError

#: Bumped whenever the tables change; a register written by a newer regflow is refused.
SCHEMA_VERSION = 3
APP = "regflow register"

metadata = MetaData()

meta = Table(
    "regflow_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

specs = Table(
    "specs", metadata,
    Column("hash", String(64), primary_key=True),  # sha256 of the spec's text
    Column("spec_id", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("regulator", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("spec_hash", String(64), ForeignKey("specs.hash"), nullable=False),
    Column("spec_id", String(100), nullable=False),
    Column("regulator", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("opening_facts", Text, nullable=False),  # JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),  # entries appended so far
    # projection, recomputed from the events on every append and on catch-up
    Column("stage", Text, nullable=False),
    Column("responsible", Text, nullable=False),
    Column("next_due", Date),
    Column("next_due_sort", Date, nullable=False),  # next_due, or far in the future: the index
    Column("next_due_label", Text),
    Column("next_due_strength", String(12)),  # how binding the next deadline is
    # the earliest open *limit* (a breach once passed), or far in the future: "overdue" cases
    Column("next_limit_sort", Date, nullable=False),
    Column("next_fire", Date),  # when the next time-driven event falls due
    Column("finished_on", Date),
    Column("as_of", Date, nullable=False),
    Column("snapshot", Text, nullable=False),  # JSON: Case.snapshot()
    Index("cases_spec", "spec_id"),
    Index("cases_by_next_due", "next_due_sort", "id"),
    Index("cases_by_next_limit", "next_limit_sort", "id"),
    Index("cases_next_fire", "next_fire"),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(12), nullable=False),  # event | correction | extension
    Column("event", String(100)),
    Column("effective_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text),
    Column("facts", Text),  # JSON
    Column("note", Text, nullable=False),
    Column("voids_seq", Integer),  # correction: the entry it voids
    Column("timescale", String(100)),  # extension: which timescale
    Column("extend_to", Date),  # extension: the new due date
    UniqueConstraint("case_id", "seq", name="events_case_seq"),
)

timescales = Table(
    "timescales", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("timescale", String(100), primary_key=True),
    Column("occurrence", Integer, primary_key=True),
    Column("label", Text, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("anchor_on", Date),
    Column("earliest", Date),
    Column("due", Date),
    Column("status", String(16), nullable=False),
    Column("strength", String(12), nullable=False),
    Column("met_on", Date),
    Column("extended_to", Date),
    Column("extension_reason", Text),
    Column("citation", Text, nullable=False),
    Column("responsible", Text),
    Column("approximate", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
)

# The open deadlines only, in due-date order: `due --overdue` and `due --within` read a page of
# this index instead of sorting every timescale of every case.
OPEN_STATUS = text("timescales.status IN ('pending', 'breached', 'departed', 'late', 'not achieved')")
_OPEN = text("met_on IS NULL AND status IN ('pending', 'breached', 'departed', 'late', 'not achieved')")
Index("timescales_open", timescales.c.due, timescales.c.case_id,
      sqlite_where=_OPEN, postgresql_where=_OPEN)


class StoreError(RegflowError):
    """A database that cannot be used as a register (and was left untouched)."""


def default_url() -> str:
    """The embedded default: a SQLite file in the user's data folder."""
    from platformdirs import user_data_path

    folder = user_data_path("regflow", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'register.db'}"


def normalise_url(url: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL from ``--db``: a URL, or a plain file path for SQLite."""
    if url is None:
        return default_url()
    text = os.fspath(url)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    return text


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_sqlite_file(path: Path, create: bool) -> None:
    """Refuse a file that is not an empty or regflow SQLite database, reading it only."""
    if not create and not path.exists():
        raise StoreError(f"no register at {path} (check the --db path; 'regflow case new' or "
                         "'regflow demo' creates one)")
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a register file")
    if not path.parent.is_dir():
        raise StoreError(f"folder {path.parent} does not exist")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        head = handle.read(16)
    if head != _SQLITE_MAGIC:
        raise StoreError(f"{path} is not a regflow register (not an SQLite database); "
                         "nothing was written to it")
    # Look before the engine's settings (WAL) touch the file: a foreign database stays as it was.
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
            names = {r[0] for r in conn.execute(
                "select name from sqlite_master where type = 'table'")}
            app = None
            if "regflow_meta" in names:
                app = next(iter(conn.execute(
                    "select value from regflow_meta where key = 'app'")), (None,))[0]
    except sqlite3.DatabaseError as err:
        raise StoreError(f"cannot open register {path}: {err}; nothing was written to it") from None
    if names and app != APP:
        shown = ", ".join(sorted(names)[:5])
        raise StoreError(f"{path} is a database but not a regflow register (it has tables: "
                         f"{shown}); nothing was written to it")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds ASCII only: searching 'môn' would miss "YNYS MÔN"
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def open_engine(url: str | os.PathLike[str] | None, create: bool = True) -> Engine:
    """An engine on a register database, created if new, refused if foreign or too new."""
    text = normalise_url(url)
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise StoreError(f"'{text}' is not a database URL (e.g. sqlite:///path/register.db, "
                         "or just a file path)") from None
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database and parsed.database != ":memory:":
        _check_sqlite_file(Path(parsed.database), create)
    try:
        engine = create_engine(text, connect_args={"timeout": 30} if sqlite else {})
    except (ArgumentError, ImportError) as err:
        raise StoreError(f"cannot use database '{text}': {err}") from None
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _prepare(engine, text)
    except (DatabaseError, OperationalError) as err:
        engine.dispose()
        raise StoreError(f"cannot open register {text}: {_db_message(err)}; "
                         "nothing was written to it") from None
    except StoreError:
        engine.dispose()
        raise
    return engine


def _db_message(err: Exception) -> str:
    return str(getattr(err, "orig", err)).split("\n")[0]


def _prepare(engine: Engine, where: str) -> None:
    names = set(inspect(engine).get_table_names())
    if not names:
        with engine.begin() as conn:
            metadata.create_all(conn)
            conn.execute(meta.insert(), [
                {"key": "app", "value": APP},
                {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                {"key": "created_at", "value": datetime.now(UTC).isoformat()},
            ])
        return
    if "regflow_meta" not in names:
        shown = ", ".join(sorted(names)[:5])
        raise StoreError(f"{where} is a database but not a regflow register (it has tables: "
                         f"{shown}); nothing was written to it")
    with engine.connect() as conn:
        values = dict(conn.execute(select(meta.c.key, meta.c.value)).all())
    if values.get("app") != APP:
        raise StoreError(f"{where} is not a regflow register; nothing was written to it")
    version = int(values.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        raise StoreError(f"{where} was written by a newer regflow (register schema {version}; "
                         f"this regflow reads up to {SCHEMA_VERSION}): upgrade regflow to open it")
    missing = {t.name for t in metadata.sorted_tables} - names
    if missing:
        raise StoreError(f"{where} is an incomplete regflow register (missing tables: "
                         f"{', '.join(sorted(missing))})")
    if version < SCHEMA_VERSION:
        _upgrade(engine, version)


#: Schema 2: a case's next deadline is its earliest one still to be done, missed deadlines
#: included (schema 1 skipped those already missed when the case last changed), and a finished
#: case has none. Recomputed from the stored timescale rows, in one transaction (on a tie of
#: dates the label is the first timescale by id, where a recomputed case takes spec order).
#: Schema 3: timescales have a strength. Specs stored before it have none, so every timescale of
#: a stored case is a limit (a target for kind target), and a missed one is breached; cases
#: also keep their earliest open limit, which "overdue" now means.
_OPEN_ROW = ("t.met_on IS NULL AND t.due IS NOT NULL AND t.status IN ('pending', {}) "
             "AND (t.status = 'pending' OR t.kind != 'recurring')")
_UPGRADES = {
    1: [
        """UPDATE cases SET next_due = (
             SELECT min(t.due) FROM timescales t WHERE t.case_id = cases.id
             AND """ + _OPEN_ROW.format("'missed'") + """ AND cases.finished_on IS NULL)""",
        """UPDATE cases SET next_due_label = (
             SELECT t.label FROM timescales t WHERE t.case_id = cases.id AND t.due = cases.next_due
             AND """ + _OPEN_ROW.format("'missed'") + """
             ORDER BY t.timescale, t.occurrence LIMIT 1)""",
        "UPDATE cases SET next_due_sort = coalesce(next_due, '9999-12-31')",
    ],
    2: [
        "ALTER TABLE timescales ADD COLUMN strength VARCHAR(12) NOT NULL DEFAULT 'limit'",
        "UPDATE timescales SET strength = 'target' WHERE kind = 'target'",
        "UPDATE timescales SET status = 'breached' WHERE status = 'missed'",
        "ALTER TABLE cases ADD COLUMN next_due_strength VARCHAR(12)",
        "ALTER TABLE cases ADD COLUMN next_limit_sort DATE NOT NULL DEFAULT '9999-12-31'",
        """UPDATE cases SET next_due_strength = (
             SELECT t.strength FROM timescales t WHERE t.case_id = cases.id
             AND t.due = cases.next_due AND """ + _OPEN_ROW.format("'breached'") + """
             ORDER BY t.timescale, t.occurrence LIMIT 1)""",
        """UPDATE cases SET next_limit_sort = coalesce((
             SELECT min(t.due) FROM timescales t WHERE t.case_id = cases.id
             AND t.strength = 'limit' AND """ + _OPEN_ROW.format("'breached'") + """
             AND cases.finished_on IS NULL), '9999-12-31')""",
        "CREATE INDEX cases_by_next_limit ON cases (next_limit_sort, id)",
        "DROP INDEX timescales_open",
        "CREATE INDEX timescales_open ON timescales (due, case_id) WHERE " + _OPEN.text,
    ],
}


def _upgrade(engine: Engine, version: int) -> None:
    with engine.begin() as conn:
        for step in range(version, SCHEMA_VERSION):
            for statement in _UPGRADES[step]:
                conn.execute(text(statement))
        conn.execute(meta.update().where(meta.c.key == "schema_version")
                     .values(value=str(SCHEMA_VERSION)))
