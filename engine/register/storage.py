"""Where registers live: the SQLAlchemy 2 Core schema and opening a database safely.

SQLite (WAL, foreign keys on) is the embedded default; the same tables run on PostgreSQL
(psycopg 3). A database is opened only if it is a regflow register whose schema this version
can read (or an empty one, when a register is to be made); anything else is refused before a
byte is written. Reading opens SQLite read-only (``mode=ro``) and leaves no side files; writing
first checks the pages (``quick_check``) and that the file may be written. Only SQLite and
``stat`` ever look at a register file: see :func:`_check_sqlite_file` for why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import weakref
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
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.pool import QueuePool
from sqlalchemy.schema import CreateIndex, CreateTable

from ..errors import RegflowError

#: Bumped whenever the tables change; a register written by a newer regflow is refused.
SCHEMA_VERSION = 4
APP = "regflow register"
#: the PostgreSQL channel on which every change to a register is announced (see NOTIFY_DDL)
CHANNEL = "regflow_changes"

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


# Who the register's users are and which roles they hold (schema 4): the current roles, and
# every change to them, by whom and when (append only, like a case's entries). ``key`` is the
# name as it is matched (spacing and letter case aside); ``name`` as it was last written.
users = Table(
    "users", metadata,
    Column("key", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("roles", Text, nullable=False),  # JSON list of role labels
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

user_changes = Table(
    "user_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("name", Text, nullable=False),
    Column("roles", Text, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("user_changes_by_user", "key", "id"),
)

#: the tables each schema version has (a register is refused if one of its version's is missing)
TABLES_SINCE = {"users": 4, "user_changes": 4}

# On PostgreSQL every statement that adds or changes cases, entries or users announces it on
# CHANNEL, whoever writes: the app, the command line, an import, another program.
# Statement-level with one payload, so that a transaction (an append, an import batch) sends
# one notification however many rows and tables it touched (PostgreSQL folds equal
# notifications of a transaction into one); the append path's own statements are unchanged.
# Listeners: Register.changed.
NOTIFY_DDL = [
    f"""CREATE OR REPLACE FUNCTION regflow_announce_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('{CHANNEL}', 'changed');
          RETURN NULL;
        END $$""",
    *(f"""CREATE TRIGGER regflow_{table}_changed AFTER {what} ON {table}
          FOR EACH STATEMENT EXECUTE FUNCTION regflow_announce_change()"""
      for table, what in (("cases", "INSERT OR UPDATE"), ("events", "INSERT"),
                          ("users", "INSERT OR UPDATE"))),
]


class StoreError(RegflowError):
    """A database that cannot be used as a register (and was left untouched)."""


class ReadOnlyRegister(StoreError):
    """A register this user may read but not write (its file, or its folder)."""


class EmptyDatabase(StoreError):
    """An empty database where a register was expected (one can be made in it)."""


def default_url() -> str:
    """The embedded default: a SQLite file in the user's data folder."""
    from platformdirs import user_data_path

    folder = user_data_path("regflow", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'register.db'}"


MEMORY = "sqlite://"


def normalise_url(url: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL from ``--db``: a URL, or a plain file path for SQLite (``:memory:``:
    SQLite's in-memory database, never a file of that name)."""
    if url is None:
        return default_url()
    text = os.fspath(url)
    if text in (":memory:", "sqlite:///:memory:"):
        return MEMORY
    if "://" not in text:
        try:
            return f"sqlite:///{Path(text).expanduser().resolve()}"
        except (OSError, RuntimeError) as err:
            raise StoreError(f"cannot use {text} as a register: {os_words(err)}") from None
    for plain in ("postgresql://", "postgres://"):  # PostgreSQL through psycopg 3
        if text.startswith(plain):
            return "postgresql+psycopg://" + text[len(plain):]
    return text


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite register URL (None for a server or SQLite's memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or \
            parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def os_words(err: BaseException) -> str:
    """An operating system error in words."""
    if isinstance(err, OSError) and err.errno == errno.ENAMETOOLONG:
        return "a name in the path is too long (at most 255 bytes for each folder or file name)"
    return getattr(err, "strerror", None) or str(err)


#: what is at a register's path: nothing, an empty file, or an SQLite database to look into
MISSING, EMPTY, DATABASE = "missing", "empty", "database"


def check_location(path: Path) -> None:
    """Refuse a register path whose folder is missing or whose name cannot be used, before
    any work is done (nothing is created)."""
    _check_sqlite_file(path, create=True)


def _check_sqlite_file(path: Path, create: bool) -> str:
    """What is at ``path``, refusing anything that is not an empty or regflow SQLite database.

    Only ``stat`` and SQLite itself look at the file: reading it with a plain ``open()`` and
    closing that would release the locks SQLite holds on it in this process (POSIX locks belong
    to the process), letting another process's checkpoint overwrite pages a reader here is
    using: "database disk image is malformed".
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        if not create:
            raise StoreError(f"no register at {path} (check the --db path; 'regflow case new' or "
                             "'regflow demo' creates one)") from None
        try:
            folder_ok = path.parent.is_dir()
        except OSError as err:
            raise StoreError(f"cannot use {path} as a register: {os_words(err)}") from None
        if not folder_ok:
            raise StoreError(f"folder {path.parent} does not exist") from None
        return MISSING
    except OSError as err:
        raise StoreError(f"cannot use {path} as a register: {os_words(err)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{path} is a folder, not a register file")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path} is not a regular file (a device or a pipe), not a register; "
                         "nothing was written to it")
    if info.st_size == 0:
        if not create:
            raise EmptyDatabase(f"{path} is an empty file, not a register; nothing was written "
                                "to it")
        return EMPTY
    names, app = _look_inside(path)
    if names and app != APP:
        shown = ", ".join(sorted(names)[:5])
        raise StoreError(f"{path} is a database but not a regflow register (it has tables: "
                         f"{shown}); nothing was written to it")
    if not names and not create:
        raise EmptyDatabase(f"{path} is an empty database, not a register; nothing was written "
                            "to it")
    return DATABASE


def _look_inside(path: Path) -> tuple[set[str], str | None]:
    """The tables of the database at ``path`` and its regflow_meta 'app', read only.

    With no write-ahead log beside it nobody has it open, so it is read as immutable: SQLite
    then creates no -wal or -shm file beside a file it is about to refuse. A failure that way
    (a writer came along) is retried the ordinary read-only way.
    """
    idle = not Path(f"{path}-wal").exists()
    for immutable in ([True, False] if idle else [False]):
        try:
            with contextlib.closing(_connect(path, readonly=True, immutable=immutable)) as conn:
                names = {r[0] for r in conn.execute(
                    "select name from sqlite_master where type = 'table'")}
                app = None
                if "regflow_meta" in names:
                    app = next(iter(conn.execute(
                        "select value from regflow_meta where key = 'app'")), (None,))[0]
                return names, app
        except sqlite3.DatabaseError as err:
            if immutable:
                continue
            if "not a database" in str(err):
                raise StoreError(f"{path} is not a regflow register (not an SQLite database); "
                                 "nothing was written to it") from None
            raise StoreError(f"cannot open register {path}: {err}; nothing was written to it"
                             ) from None
    raise AssertionError("unreachable")


def _connect(path: Path, readonly: bool = False, immutable: bool = False) -> sqlite3.Connection:
    """A DB-API connection to the SQLite file at ``path`` (``mode=ro`` when reading only)."""
    if not readonly:
        return sqlite3.connect(str(path), timeout=30, check_same_thread=False)
    uri = path.as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)


def _sqlite_pragmas(dbapi_connection, _record, readonly: bool = False) -> None:
    cursor = dbapi_connection.cursor()
    if not readonly:  # WAL is kept in the file; a reader cannot (and need not) set it
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # SQLite's own lower() folds ASCII only: searching 'môn' would miss "YNYS MÔN"
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _create_sqlite(path: Path) -> None:
    """Make a new register at ``path`` (missing or empty), safely if others do it at once:
    the tables are made in one exclusive transaction that first looks whether another process
    made them meanwhile."""
    dialect = sqlite_dialect.dialect()
    ddl = [str(CreateTable(t).compile(dialect=dialect)) for t in metadata.sorted_tables]
    ddl += [str(CreateIndex(i).compile(dialect=dialect))
            for t in metadata.sorted_tables for i in t.indexes]
    try:
        conn = _connect(path)
    except sqlite3.Error as err:
        raise StoreError(f"cannot create a register at {path}: {err}") from None
    try:
        conn.isolation_level = None
        conn.execute("BEGIN EXCLUSIVE")
        made = conn.execute("select count(*) from sqlite_master where type = 'table'"
                            ).fetchone()[0]
        if not made:
            for statement in ddl:
                conn.execute(statement)
            conn.executemany("insert into regflow_meta (key, value) values (?, ?)", [
                ("app", APP), ("schema_version", str(SCHEMA_VERSION)),
                ("created_at", datetime.now(UTC).isoformat())])
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as err:
        raise StoreError(f"cannot create a register at {path}: {err}") from None
    finally:
        conn.close()


def open_engine(url: str | os.PathLike[str] | None, create: bool = True,
                readonly: bool = False) -> Engine:
    """An engine on a register database: created if new (``create``), refused if foreign,
    damaged or too new. ``readonly``: SQLite opens it read-only and nothing is created."""
    text = normalise_url(url)
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise StoreError(f"'{text}' is not a database URL (e.g. sqlite:///path/register.db, "
                         "or just a file path)") from None
    where = parsed.render_as_string(hide_password=True)
    path = sqlite_file(text)
    if path is not None:
        found = _check_sqlite_file(path, create and not readonly)
        if not readonly:
            _check_writable(path)
        if found in (MISSING, EMPTY):
            _create_sqlite(path)
        engine = _sqlite_engine(path, readonly)
        where = str(path)
    else:
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise StoreError(f"regflow keeps registers in SQLite files or on PostgreSQL "
                             f"(postgresql://user@server/database); '{where}' is a "
                             f"{parsed.get_backend_name()} database")
        try:
            engine = create_engine(text)
        except (ArgumentError, ImportError) as err:
            raise StoreError(f"cannot use database '{where}': {err}") from None
        if readonly and parsed.get_backend_name() == "postgresql":
            # the server refuses any write in these sessions, whatever the role may do
            engine = engine.execution_options(postgresql_readonly=True)
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _prepare(engine, where, create and not readonly, readonly, path)
    except (DatabaseError, OperationalError) as err:
        close_engine(engine)
        raise StoreError(f"cannot open register {where}: {_db_message(err)}; "
                         "nothing was written to it") from None
    except StoreError:
        close_engine(engine)
        raise
    return engine


def _check_writable(path: Path) -> None:
    """A register to write to: its file (and folder, for the write-ahead log) writable."""
    if path.exists() and not os.access(path, os.W_OK):
        raise ReadOnlyRegister(f"register {path} is read-only for you (its file permissions); nothing "
                         "was written to it. Reading works, e.g. regflow case list --db "
                         f"{path}; ask its owner for write access to change it")
    if not os.access(path.parent, os.W_OK) and not Path(f"{path}-wal").exists():
        raise ReadOnlyRegister(f"register {path} is in a folder you cannot write to ({path.parent}); "
                         "nothing was written to it")


def _sqlite_engine(path: Path, readonly: bool) -> Engine:
    """An engine whose connections SQLite opens itself (a read-only one with ``mode=ro``)."""
    # a file we may not write and that nobody has open (no write-ahead log) is read as
    # immutable, so that SQLite creates no -wal or -shm file beside it (one we may write gets
    # them removed on closing: close_engine)
    immutable = readonly and not Path(f"{path}-wal").exists() and not os.access(path, os.W_OK)
    engine = create_engine("sqlite+pysqlite://", poolclass=QueuePool,
                           creator=lambda: _connect(path, readonly, immutable))
    if readonly and not immutable and not Path(f"{path}-wal").exists():
        _made_logs[engine] = path
    event.listen(engine, "connect",
                 lambda conn, record: _sqlite_pragmas(conn, record, readonly=readonly))
    return engine


#: read-only engines that may have made a -wal/-shm beside their file (no log was there)
_made_logs: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


def close_engine(engine: Engine) -> None:
    """Close ``engine``'s connections; a read-only one leaves no -wal/-shm it made behind."""
    engine.dispose()
    made = _made_logs.pop(engine, None)
    if made is not None and Path(f"{made}-wal").exists() and os.access(made, os.W_OK):
        # SQLite removes the log when its last connection closes, which a read-only one
        # cannot do: a moment's read-write connection does it, if it is the last one
        with contextlib.suppress(sqlite3.Error), contextlib.closing(_connect(made)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()


def refused_write(err: BaseException) -> str | None:
    """If ``err`` is the database refusing a change to a register it lets this user read (a
    read-only role on a server, a read-only file), that in words; else None."""
    orig = getattr(err, "orig", err)
    if getattr(orig, "sqlstate", None) == "42501" or "readonly database" in str(orig):
        return ("the register may be read but not changed by you (a read-only role on the "
                "server, or a read-only file); nothing was saved. Ask whoever runs the register "
                "for write access to record changes")
    return None


def _db_message(err: Exception) -> str:
    return str(getattr(err, "orig", err)).split("\n")[0]


def _prepare(engine: Engine, where: str, create: bool, readonly: bool,
             path: Path | None = None) -> None:
    names = set(inspect(engine).get_table_names())
    if not names:
        if not create:
            raise EmptyDatabase(f"{where} is an empty database, not a register; nothing was "
                                "written to it")
        _create_on_server(engine)
        names = set(inspect(engine).get_table_names())
    if "regflow_meta" not in names:
        shown = ", ".join(sorted(names)[:5])
        raise StoreError(f"{where} is a database but not a regflow register (it has tables: "
                         f"{shown}); nothing was written to it")
    with engine.connect() as conn:
        values = dict(conn.execute(select(meta.c.key, meta.c.value)).all())
    if values.get("app") != APP:
        raise StoreError(f"{where} is not a regflow register; nothing was written to it")
    raw = values.get("schema_version", "")
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise StoreError(f"{where} is damaged: its schema version {raw!r} (table regflow_meta) "
                         "is not one regflow writes (1, 2, ...); nothing was written to it")
    version = int(raw)
    if version > SCHEMA_VERSION:
        raise StoreError(f"{where} was written by a newer regflow (register schema {version}; "
                         f"this regflow reads up to {SCHEMA_VERSION}): upgrade regflow to open it")
    missing = {t.name for t in metadata.sorted_tables
               if TABLES_SINCE.get(t.name, 1) <= version} - names
    if missing:
        raise StoreError(f"{where} is an incomplete regflow register (missing tables: "
                         f"{', '.join(sorted(missing))})")
    if readonly:
        return
    if engine.dialect.name == "sqlite":
        _quick_check(engine, where, path)
    if version < SCHEMA_VERSION:
        _upgrade(engine, version)


#: registers up to this size are checked page by page before every write session (measured:
#: 1 ms a MB with the file in memory, 218 ms for 20,000 cases / 230 MB; 5.6 s for 100,000 cases
#: / 1.1 GB read from disk); a larger one only has its schema and small tables checked, leaving
#: SQLite to refuse the damaged pages a write reads (see the README)
QUICK_CHECK_MAX_BYTES = 256 * 2**20


def _quick_check(engine: Engine, where: str, path: Path | None = None) -> None:
    """Refuse to write into a register whose pages are damaged (SQLite's quick_check: every
    page and record well formed; linear in the file's size)."""
    statements = ["PRAGMA quick_check(5)"]
    if path is not None and path.stat().st_size > QUICK_CHECK_MAX_BYTES:
        statements = ["PRAGMA quick_check(regflow_meta)", "PRAGMA quick_check(specs)"]
    found = []
    with engine.connect() as conn:
        for statement in statements:
            found += [r[0] for r in conn.exec_driver_sql(statement)]
    found = [f for f in found if f != "ok"] or ["ok"]
    if found != ["ok"]:
        raise StoreError(f"register {where} is damaged (SQLite's check: {found[0]}); nothing was "
                         "written to it. Restore it from a backup; read commands may still "
                         "show what can be read")


def _create_on_server(engine: Engine) -> None:
    """The tables of a new register on a database server (or an SQLite URL)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # two making it at once: one waits, then sees it
            conn.execute(text("SELECT pg_advisory_xact_lock(7215103)"))
        if inspect(conn).has_table("regflow_meta"):  # made meanwhile by someone else
            return
        metadata.create_all(conn)
        if conn.dialect.name == "postgresql":
            for statement in NOTIFY_DDL:
                conn.execute(text(statement))
        conn.execute(meta.insert(), [
            {"key": "app", "value": APP},
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "created_at", "value": datetime.now(UTC).isoformat()},
        ])


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


#: Schema 4: the register's users and their roles (tables users and user_changes) and, on
#: PostgreSQL, the triggers that announce every change (NOTIFY_DDL).


def _upgrade(engine: Engine, version: int) -> None:
    """Bring a register up to this schema in one transaction. Writing the schema version first
    makes a second regflow upgrading at the same moment wait, then find it done."""
    with engine.begin() as conn:
        conn.execute(meta.update().where(meta.c.key == "schema_version")
                     .values(value=meta.c.value))  # the write lock (a row lock on a server)
        version = int(conn.execute(select(meta.c.value)
                                   .where(meta.c.key == "schema_version")).scalar_one())
        for step in range(version, SCHEMA_VERSION):
            for statement in _UPGRADES.get(step, []):
                conn.execute(text(statement))
            if step == 3:
                for table in (users, user_changes):
                    table.create(conn, checkfirst=True)
                if conn.dialect.name == "postgresql":
                    for statement in NOTIFY_DDL:
                        conn.execute(text(statement))
        conn.execute(meta.update().where(meta.c.key == "schema_version")
                     .values(value=str(SCHEMA_VERSION)))


def schema_of(engine: Engine) -> int:
    """The schema version of an open register (older ones are read, not upgraded, read-only)."""
    with engine.connect() as conn:
        return int(conn.execute(select(meta.c.value)
                                .where(meta.c.key == "schema_version")).scalar_one())
