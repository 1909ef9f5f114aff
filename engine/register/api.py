"""The case register: stored, event-sourced cases whose deadlines survive restarts.

Every change to a case is an appended entry (an event, a correction that voids an earlier
entry, or an extension of a timescale); nothing is updated in place or deleted. The case's
current state, facts and timescales are a *projection* of those entries, recomputed and stored
with every append so that questions such as "what is overdue?" are indexed queries. Each case is
pinned to the exact text of the spec it was opened with.

Time-driven events (a review that falls due 90 days after a notice) are not stored: they follow
from the stored entries and the date. :meth:`Register.catch_up` records them on every case they
have fallen due for, so the register reads the same whether the app ran all week or not.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError, NoResultFound, SQLAlchemyError

from regflow.plugins.manager import call_each

from ..cases.calendars import check_day
from ..cases.case import Case
from ..cases.timescales import NOT_KEPT_BY, PAST_DUE, SOON_DAYS
from ..errors import CaseError, RegflowError
from ..spec.loader import loads_spec
from ..spec.model import Spec
from ..spec.variants import open_spec
from .bulk import Prepared, bulk_insert, prepare_case
from .damage import KINDS, DamagedCase, damaged_ids, diagnose
from .projection import facts_json, not_future, projection, timescale_rows
from .storage import (
    CHANNEL,
    OPEN_STATUS,
    EmptyDatabase,
    ReadOnlyRegister,
    cases,
    check_location,
    close_engine,
    events,
    normalise_url,
    open_engine,
    refused_write,
    schema_of,
    specs,
    sqlite_file,
    timescales,
    user_changes,
    users,
)


def attention(row: dict[str, Any], today: date) -> str:
    """How a listed case stands (``row``: its projection): "finished", "overdue" (a limit
    passed: a breach), "later than normal" / "behind target" / "not achieved yet" (its next
    obligation, not a limit, passed its date), "due soon" or ""."""
    if row.get("finished_on") is not None:
        return "finished"
    if row.get("next_limit_sort") is not None and row["next_limit_sort"] < today:
        return "overdue"
    due = row.get("next_due")
    if due is not None and due < today:
        return PAST_DUE.get(row.get("next_due_strength") or "limit", "overdue")
    if due is not None and (due - today).days <= SOON_DAYS:
        return "due soon"
    return ""


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class CaseQuery:
    """Which cases to show and in what order (see :meth:`Register.page`).

    ``attention``: "" (all), "overdue" (a limit passed: a breach), "past date" (any obligation
    past its date, limits or not), "behind" (past a date, but no limit passed), "due soon",
    "needs attention" (past a date or due soon) or "open" (not finished); ``search``: every
    word must match the title, stage or responsible role, or be the case number (``#12`` is
    the case number only).
    """

    spec_id: str = ""
    search: str = ""
    attention: str = ""
    sort: str = "next_due"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.sort not in Register.SORT_KEYS:
            raise ValueError(f"cannot sort cases by {self.sort!r}; one of {Register.SORT_KEYS}")


class StaleCase(CaseError):
    """An append based on a version of the case that is no longer the latest."""


class UnknownCase(CaseError):
    """A case number that is not in the register."""


@dataclass(frozen=True)
class Entry:
    """One stored entry of a case's log."""

    seq: int
    kind: str  # event | correction | extension
    event: str | None
    effective_on: date
    recorded_at: datetime  # UTC; show it with .astimezone() for the reader's local time
    actor: str | None
    facts: dict[str, Any]
    note: str
    voids_seq: int | None
    timescale: str | None
    extend_to: date | None


@dataclass(frozen=True)
class User:
    """One of the register's users: the roles they hold, and who gave them (or, in a user's
    history, one change to them)."""

    name: str
    roles: tuple[str, ...]
    changed_by: str
    changed_at: datetime  # UTC


class UnknownRole(RegflowError):
    """A role that none of the register's processes names."""


def user_key(name: str) -> str:
    """A name as it is matched: spacing and letter case aside ("ann  JONES" is "Ann Jones")."""
    return " ".join(name.split()).casefold()


@dataclass
class ImportResult:
    cases: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the register


@dataclass
class CaseView:
    """A stored case: its row, its log and the live case rebuilt from it."""

    id: int
    title: str
    spec: Spec
    version: int
    case: Case
    entries: list[Entry]

    @property
    def voided(self) -> set[int]:
        return {e.voids_seq for e in self.entries if e.kind == "correction"}


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    """A stored time, as UTC (SQLite hands back times without their zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _facts(spec: Spec, text: str | None) -> dict[str, Any]:
    values = json.loads(text) if text else {}
    return {k: date.fromisoformat(v) if k in spec.facts and spec.facts[k].type == "date"
            and isinstance(v, str) else v for k, v in values.items()}


class Register:
    """Cases stored in one database (``url``: a SQLAlchemy URL or a SQLite file path)."""

    def __init__(self, url: str | os.PathLike[str] | None = None, today: date | None = None,
                 create: bool = True, readonly: bool = False, create_on_write: bool = False):
        """``create``: make the register if there is none; ``create_on_write``: only when the
        first change is stored (a command that fails leaves no empty register behind);
        ``readonly``: open it read-only (SQLite ``mode=ro``), writing nothing, creating nothing."""
        # checked before the database is opened: a refused date leaves nothing behind
        self.today = check_day(today or date.today(), "the date taken as today")
        self.url = normalise_url(url)
        self.readonly = readonly
        self._specs: dict[str, Spec] = {}
        self._spec_by_path: dict[str, Spec] = {}
        self._engine: Engine | None = None
        self._watch = None  # the connection changed() asks
        self._seen: tuple | None = None
        self._has_users = False
        #: damaged cases met so far (case id: what is wrong), left out of lists and catch-up
        self.damaged: dict[int, str] = {}
        self._unlisted: set[int] = set()
        path = sqlite_file(self.url)
        if create_on_write and path is not None and not readonly:
            check_location(path)
            if not path.exists():
                return  # made by the first write (see ``engine``)
        try:
            self._engine = open_engine(self.url, create=create and not create_on_write,
                                       readonly=readonly)
        except EmptyDatabase:
            if not create_on_write or readonly:
                raise  # else: an empty database on a server, made a register by the first write

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.url, create=True)
        return self._engine

    @property
    def exists(self) -> bool:
        """False while a register to be made on the first write has not been made yet."""
        return self._engine is not None

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        if self._engine is not None:
            close_engine(self._engine)

    def changed(self) -> bool:
        """Whether the register changed since the last call (or since the first call): cheap
        enough to ask every second. SQLite: ``PRAGMA data_version`` on a connection kept for
        watching, which counts commits made through any other connection (this process's
        own writes included). PostgreSQL: the notifications the register's triggers send on
        every change (storage.NOTIFY_DDL), received on a connection kept listening; asking
        reads what has arrived and never waits (psycopg's ``notifies(timeout=0)``)."""
        if self._engine is None:
            return False
        if self.engine.dialect.name != "sqlite":
            return self._notified()
        if self._watch is None:
            self._watch = self.engine.raw_connection()
            self._seen = None
        cursor = self._watch.cursor()
        try:
            cursor.execute("PRAGMA data_version")
            now = tuple(cursor.fetchone())
        finally:
            cursor.close()
        was, self._seen = self._seen, now
        return was is not None and was != now

    def _notified(self) -> bool:
        """PostgreSQL: whether a change was announced since the last look. A connection that
        broke counts as a change (what happened meanwhile is unknown); the next look listens
        on a new one. A register of schema 3 opened read-only has no announcing triggers
        yet: its id sequences are read instead (a round trip a look)."""
        import psycopg

        if self._watch is None:
            raw = self.engine.raw_connection()
            listener = raw.driver_connection
            listener.autocommit = True  # notifications arrive between transactions only
            listener.execute(f"LISTEN {CHANNEL}")
            raw.detach()  # never handed back to the pool: it listens until close()
            self._watch = listener
            self._seen = None if schema_of(self.engine) >= 4 else self._sequences()
            return False
        try:
            if self._seen is not None:  # no triggers
                was, self._seen = self._seen, self._sequences()
                return was != self._seen
            return bool(list(self._watch.notifies(timeout=0)))  # all that came
        except psycopg.OperationalError:
            self._watch.close()
            self._watch = None
            return True

    def _sequences(self) -> tuple:
        """Where the id sequences of cases and entries stand (they move with every new one)."""
        return self._watch.execute(
            "SELECT (SELECT last_value + is_called::int FROM cases_id_seq), "
            "(SELECT last_value + is_called::int FROM events_id_seq)").fetchone()

    def may_write(self) -> bool:
        """Whether changes can be stored (False for a read-only file, a read-only session or
        a server role that may only read): asked once, for saying so before anyone tries."""
        if self.readonly or not self.exists:
            return not self.readonly
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                return bool(conn.execute(text(
                    "SELECT has_table_privilege('events', 'INSERT') "
                    "AND has_table_privilege('cases', 'UPDATE')")).scalar())
        path = sqlite_file(self.url)
        return path is None or os.access(path, os.W_OK)

    def version_of(self, case_id: int) -> int | None:
        """The stored version of a case (None if it is not in the register)."""
        with self.engine.connect() as conn:
            return conn.execute(select(cases.c.version).where(cases.c.id == case_id)).scalar()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- users and their roles -------------------------------------------------------------

    def _knows_users(self) -> bool:
        """Whether the register has its users table (an older one opened read-only has not)."""
        if not self._has_users:
            self._has_users = self.exists and schema_of(self.engine) >= 4
        return self._has_users

    def user(self, name: str) -> User | None:
        """The user of that name (spacing and letter case aside), or None if the register
        does not know them."""
        if not name.strip() or not self._knows_users():
            return None
        rows = self._read_users(select(users).where(users.c.key == user_key(name)))
        return rows[0] if rows else None

    def users(self) -> list[User]:
        """Every user the register knows, by name."""
        if not self._knows_users():
            return []
        return self._read_users(select(users).order_by(users.c.key))

    def user_history(self, name: str | None = None) -> list[User]:
        """Every change to users' roles (only ``name``'s, if given), oldest first."""
        if not self._knows_users():
            return []
        query = select(user_changes).order_by(user_changes.c.id)
        if name is not None:
            query = query.where(user_changes.c.key == user_key(name))
        return self._read_users(query)

    def _read_users(self, query) -> list[User]:
        """The users (or changes) ``query`` selects; a server role that may not read them
        (granted before schema 4 added the tables) is told what to ask for."""
        try:
            with self.engine.connect() as conn:
                return [User(r.name, tuple(json.loads(r.roles)), r.changed_by,
                             _utc(r.changed_at)) for r in conn.execute(query)]
        except SQLAlchemyError as err:
            if getattr(getattr(err, "orig", None), "sqlstate", None) != "42501":
                raise
            raise CaseError("you may not read the register's users and roles (tables users and "
                            "user_changes, added by regflow's schema 4): ask whoever runs the "
                            "register to GRANT SELECT ON users, user_changes to your role"
                            ) from None

    def set_roles(self, name: str, roles: list[str], by: str) -> User:
        """Record that ``name`` holds ``roles`` (labels or ids of roles the register's processes
        name; none: no role), changed by ``by``. Anyone who may write the register may do it;
        every change is kept in the users' history. Refused, nothing written, for an unknown
        role or a register this user may only read."""
        shown = " ".join(name.split())
        if not shown:
            raise CaseError("a user needs a name, e.g. \"Ann Jones\"")
        if not by.strip():
            raise CaseError("say who is changing the roles (your own name)")
        labels = self._role_labels_of(roles)
        if self.readonly:
            raise ReadOnlyRegister("the register is open read-only; nothing was saved")
        row = {"name": shown, "roles": json.dumps(labels), "changed_by": " ".join(by.split()),
               "changed_at": _now()}
        with self.engine.begin() as conn:
            done = conn.execute(update(users).where(users.c.key == user_key(shown))
                                .values(**row)).rowcount
            if not done:
                conn.execute(insert(users).values(key=user_key(shown), **row))
            conn.execute(insert(user_changes).values(key=user_key(shown), **row))
        return User(shown, tuple(labels), row["changed_by"], row["changed_at"])

    def _role_labels_of(self, roles: list[str]) -> list[str]:
        """The labels of ``roles`` (given by label or id, letter case aside), each once, in
        alphabetical order; an unknown one refused with those there are."""
        known = self._known_roles()
        out: list[str] = []
        for role in roles:
            label = known.get(" ".join(role.split()).casefold())
            if label is None:
                if not known:
                    raise UnknownRole(f"'{role}' is not a role here: the register has no "
                                      "processes yet, so it names no roles (open a case first)")
                import difflib

                names = sorted(set(known.values()))
                near = difflib.get_close_matches(role, names, n=1, cutoff=0.5)
                raise UnknownRole(f"'{role}' is not a role of this register's processes; they "
                                  f"name: {', '.join(names)}"
                                  + (f" (did you mean '{near[0]}'?)" if near else ""))
            if label not in out:
                out.append(label)
        return sorted(out)

    # -- specs -----------------------------------------------------------------------------

    def store_spec(self, path: str | os.PathLike[str], spec: Spec | None = None) -> Spec:
        """Load and check the spec at ``path`` (a file, a shipped spec id or ``variant:NAME``;
        unless given) and keep its exact text in the register (a variant's resolved text)."""
        spec = spec or open_spec(path)
        digest = spec.content_hash
        try:
            with self.engine.begin() as conn:
                known = conn.execute(select(specs.c.hash).where(specs.c.hash == digest)).first()
                if known is None:
                    conn.execute(insert(specs).values(
                        hash=digest, spec_id=spec.process.id, title=spec.process.title,
                        regulator=spec.process.regulator, version=spec.process.version,
                        path=os.fspath(path), content=spec.text, stored_at=_now()))
        except IntegrityError:  # stored by someone else at the same moment: the same text
            pass
        self._specs[digest] = spec
        return spec

    def _spec(self, digest: str) -> Spec:
        spec = self._specs.get(digest)
        if spec is None:
            with self.engine.connect() as conn:
                row = conn.execute(select(specs.c.content, specs.c.path)
                                   .where(specs.c.hash == digest)).one()
            spec = self._specs[digest] = loads_spec(row.content, path=row.path)
        return spec

    @staticmethod
    def spec_hash(spec: Spec) -> str:
        return spec.content_hash

    # -- cases -----------------------------------------------------------------------------

    def new_case(self, spec_path: str | os.PathLike[str], title: str, opened_on: date,
                 facts: dict[str, Any] | None = None) -> CaseView:
        """Open a case of the spec at ``spec_path`` on ``opened_on``."""
        if not title.strip():
            raise CaseError("a case needs a title, e.g. \"Example Council - adult services 2026\"")
        self._not_future(opened_on, "the opening date")
        spec = open_spec(spec_path)
        case = Case(spec, opened_on, facts)
        case.advance_to(self.today)
        self._title_is_new(title.strip())
        # everything that can be wrong with the request was checked: now write (and make the
        # register, if it is made on the first write)
        self.store_spec(spec_path, spec)
        with self.engine.begin() as conn:
            case_id = conn.execute(insert(cases).values(
                spec_hash=self.spec_hash(spec), spec_id=spec.process.id,
                regulator=spec.process.regulator, title=title.strip(), opened_on=opened_on,
                opening_facts=facts_json(case.facts_at(0)), created_at=_now(), version=0,
                **self._projection(case))).inserted_primary_key[0]
            self._write_timescales(conn, case_id, case)
        return self.get(case_id)

    def _title_is_new(self, title: str) -> None:
        """Refuse a title another case has (letter case and spacing aside): two cases named
        alike are mixed up in lists, searches and reports."""
        if not self.exists:
            return
        words = " ".join(title.split())
        with self.engine.connect() as conn:
            same = conn.execute(select(cases.c.id, cases.c.title, cases.c.opened_on)
                                .where(func.lower(cases.c.title) == words.lower())
                                .limit(1)).first()
        if same is not None:
            raise CaseError(f"case {same.id} already has the title '{same.title}' (opened "
                            f"{same.opened_on.isoformat()}); give this case a title of its own, "
                            f"e.g. '{words} {self.today.year}'")

    def get(self, case_id: int) -> CaseView:
        """A stored case with its log (a damaged one: :class:`DamagedCase`, naming the row)."""
        try:
            return self._read_case(case_id)
        except UnknownCase:
            raise
        except DamagedCase:
            raise
        except (ValueError, TypeError, KeyError, LookupError, NoResultFound, RegflowError) as err:
            with self.engine.connect() as conn:
                events_known = self._events_known(conn, case_id)
                found = diagnose(conn, case_id, events_known)
            raise DamagedCase(case_id, found or f"its stored rows do not read back ({err})"
                              ) from None

    def _read_case(self, case_id: int) -> CaseView:
        with self.engine.connect() as conn:
            row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
            if row is None:
                raise self._unknown(conn, case_id)
            log = conn.execute(select(events).where(events.c.case_id == case_id)
                               .order_by(events.c.seq)).all()
        spec = self._spec(row.spec_hash)
        case = Case.restore(spec, json.loads(row.snapshot))
        entries = [Entry(e.seq, e.kind, e.event, e.effective_on, _utc(e.recorded_at), e.actor,
                         _facts(spec, e.facts), e.note, e.voids_seq, e.timescale, e.extend_to)
                   for e in log]
        for e in entries:
            if e.kind not in KINDS or (e.kind == "event" and e.event not in spec.events):
                raise KeyError(e.event)  # named by diagnose()
        if self.readonly:  # nothing is caught up in the file: catch up in memory
            case.advance_to(self.today)
        return CaseView(row.id, row.title, spec, row.version, case, entries)

    def _events_known(self, conn, case_id: int) -> set[str] | None:
        """The event names of a case's spec, if it can be read (for diagnosing its log)."""
        digest = conn.execute(select(cases.c.spec_hash).where(cases.c.id == case_id)).scalar()
        try:
            return set(self._spec(digest).events)
        except Exception:  # a spec that cannot be read is named by diagnose()
            return None

    def fire(self, case_id: int, event: str, on: date, facts: dict[str, Any] | None = None,
             actor: str | None = None, note: str = "",
             expect_version: int | None = None) -> CaseView:
        """Record ``event`` on a case. Refused (nothing written) if the case cannot take it,
        or if it changed since ``expect_version`` (default: the version read now)."""
        self._not_future(on, f"the date of '{event}'")
        view = self.get(case_id)
        base = self._base(view, expect_version)
        entry = dict(kind="event", event=event, effective_on=on, actor=actor,
                     facts=facts_json(facts or {}), note=note)
        if on >= view.case.last_date:
            case = view.case  # the common case: carry on from the stored state
            case.fire(event, on, facts, actor=actor, note=note)
            case.advance_to(self.today)
        else:  # an event that happened before the last one recorded: replay in date order
            case = self._replay(view, extra=(on, event, facts or {}, actor, note))
        return self._append(view, base, entry, case)

    def correct(self, case_id: int, seq: int, reason: str, actor: str | None = None,
                expect_version: int | None = None) -> CaseView:
        """Void entry ``seq`` (a wrongly recorded event or extension); the case is replayed
        without it. Refused if the remaining entries no longer make a valid history."""
        if not reason.strip():
            raise CaseError("a correction needs a reason")
        view = self.get(case_id)
        base = self._base(view, expect_version)
        target = next((e for e in view.entries if e.seq == seq), None)
        if target is not None and target.kind == "correction":
            raise CaseError(f"#{seq} is a correction; corrections cannot be voided (record the "
                            "event again instead)")
        if target is None:
            numbers = [e.seq for e in view.entries if e.kind != "correction"
                       and e.seq not in view.voided]
            raise CaseError(f"case {case_id} has no entry #{seq} that can be voided; entries: "
                            + (", ".join(f"#{n}" for n in numbers) or "none"))
        if seq in view.voided:
            raise CaseError(f"entry #{seq} of case {case_id} is already voided")
        case = self._replay(view, void=seq)
        entry = dict(kind="correction", event=None, effective_on=self.today, actor=actor,
                     facts=None, note=reason, voids_seq=seq)
        return self._append(view, base, entry, case)

    def extend(self, case_id: int, timescale: str, to: date, reason: str,
               actor: str | None = None, expect_version: int | None = None) -> CaseView:
        """Extend a timescale whose source allows it (e.g. 'in exceptional circumstances')."""
        view = self.get(case_id)
        base = self._base(view, expect_version)
        view.case.extend(timescale, to, reason)
        entry = dict(kind="extension", event=None, effective_on=self.today, actor=actor,
                     facts=None, note=reason, timescale=timescale, extend_to=to)
        view.case.advance_to(self.today)
        return self._append(view, base, entry, view.case)

    # -- bulk import -----------------------------------------------------------------------

    def import_cases(self, items, batch: int = 500, progress=None,
                     workers: int | None = None) -> ImportResult:
        """Open many cases with their histories, ``batch`` cases per transaction.

        ``items`` yields ``(where, record)``: ``where`` names the record for messages (e.g.
        ``file:line``); ``record`` is a dict with ``spec`` (a path), ``title``, ``opened_on``,
        optional ``facts`` and ``events`` (each ``on``, ``event``, optional ``set``, ``actor``,
        ``note``). Every case is run through the engine before it is written; a case that does
        not run is reported and skipped, the others are kept. A batch is all-or-nothing, so an
        interrupted import leaves whole cases only. ``progress(cases, events)`` is called
        after each batch. The engine part runs in ``workers`` processes (default: one per
        core); this process writes, in the order of ``items``.
        """
        result = ImportResult()
        workers = workers or min(4, os.cpu_count() or 1)
        jobs = ((where, record, self.today) for where, record in items)
        pending: list[Prepared] = []
        with contextlib.ExitStack() as stack:
            if workers > 1:
                pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers))
                done = pool.imap(prepare_case, jobs, chunksize=64)
            else:
                done = map(prepare_case, jobs)
            for where, outcome in done:
                if isinstance(outcome, str):
                    result.problems.append(f"{where}: {outcome}")
                    continue
                pending.append(outcome)
                if len(pending) >= batch:
                    self._write_batch(pending, result, progress)
        if pending:
            self._write_batch(pending, result, progress)
        return result

    def _write_batch(self, pending: list[Prepared], result: ImportResult, progress) -> None:
        now = _now()
        for spec_path in {p.spec_path for p in pending} - set(self._spec_by_path):
            self._spec_by_path[spec_path] = self.store_spec(spec_path)
        with self.engine.begin() as conn:
            # a case already in the register (same spec, title and opening date) is not
            # imported twice, so an import can be run again after fixing some lines
            # another case with the same title (letter case aside) is refused, as by new_case
            titles = {p.case_row["title"].lower() for p in pending}
            stored = conn.execute(
                select(cases.c.id, cases.c.spec_id, cases.c.title, cases.c.opened_on)
                .where(func.lower(cases.c.title).in_(titles))).all()
            existing = {(r.spec_id, r.title, r.opened_on): r.id for r in stored}
            named = {r.title.lower(): f"case {r.id}" for r in stored}
            fresh = []
            for p in pending:
                key = (p.case_row["spec_id"], p.case_row["title"], p.case_row["opened_on"])
                title = p.case_row["title"]
                if key in existing:
                    result.skipped.append(f"{p.where}: already in the register as case "
                                          f"{existing[key]}; not imported again")
                elif title.lower() in named:
                    result.problems.append(f"{p.where}: {named[title.lower()]} already has the "
                                           f"title '{title}'; give this case a title of its own")
                else:
                    existing[key] = 0
                    named[title.lower()] = f"the case of {p.where}"
                    fresh.append(p)
            pending[:] = fresh
            if not pending:
                return
            # one statement for the whole batch; the new ids come back in order
            ids = conn.execute(insert(cases).returning(cases.c.id, sort_by_parameter_order=True),
                               [{**p.case_row, "created_at": now} for p in pending]
                               ).scalars().all()
            event_rows, timescale_rows = [], []
            for case_id, prepared in zip(ids, pending, strict=True):
                event_rows.extend({**row, "case_id": case_id, "recorded_at": now}
                                  for row in prepared.event_rows)
                timescale_rows.extend({**row, "case_id": case_id}
                                      for row in prepared.timescale_rows)
            bulk_insert(conn, events, event_rows)
            bulk_insert(conn, timescales, timescale_rows)
        result.cases += len(pending)
        result.events += sum(len(p.event_rows) for p in pending)
        pending.clear()
        if progress is not None:
            progress(result.cases, result.events)

    # -- queries ---------------------------------------------------------------------------

    #: what a listed case shows (the projection, not the snapshot)
    _listed = (cases.c.id, cases.c.title, cases.c.spec_id, cases.c.regulator, cases.c.stage,
               cases.c.responsible, cases.c.next_due, cases.c.next_due_label,
               cases.c.next_due_strength, cases.c.next_limit_sort, cases.c.finished_on,
               cases.c.version)

    def list_cases(self, spec_id: str | None = None, overdue: bool = False,
                   limit: int | None = None, offset: int = 0,
                   past_date: bool = False) -> list[dict[str, Any]]:
        """Cases in next-deadline order; ``overdue``: only those with a limit passed (a
        breach); ``past_date``: those with any obligation past its date."""
        query = select(*self._listed)
        if spec_id:
            query = query.where(cases.c.spec_id == spec_id)
        if overdue or past_date:
            query = query.where(cases.c.id.in_(select(timescales.c.case_id)
                                               .where(self._overdue_clause(limits=overdue))))
        query = query.order_by(cases.c.next_due_sort, cases.c.id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return self._listing(query, cases.c.id)

    def count_cases(self) -> int:
        if not self.exists:
            return 0
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(cases)).scalar_one()

    #: what a page of cases can be sorted by (column names of :meth:`page`)
    SORT_KEYS = ("id", "title", "regulator", "stage", "responsible", "next_due")

    def page(self, query: CaseQuery, offset: int = 0, limit: int = 200) -> list[dict[str, Any]]:
        """One page of the cases ``query`` selects, in its order, each with ``days_left`` and
        ``attention`` ("overdue", "due soon", "finished" or ""). Made for views that show
        one screenful of a large register at a time."""
        key = cases.c.next_due_sort if query.sort == "next_due" else cases.c[query.sort]
        order = [key.desc(), cases.c.id.desc()] if query.descending else [key, cases.c.id]
        select_ = (select(*self._listed).where(*self._filters(query)).order_by(*order)
                   .limit(limit).offset(offset))
        rows = self._listing(select_, cases.c.id)
        for row in rows:
            due = row["next_due"]
            row["days_left"] = (due - self.today).days if due else None
            row["attention"] = attention(row, self.today)
        return rows

    def count(self, query: CaseQuery) -> int:
        """How many cases ``query`` selects (damaged ones left out of lists excepted)."""
        filters = self._filters(query)
        if self._unlisted:
            filters.append(cases.c.id.not_in(self._unlisted))
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(cases)
                                .where(*filters)).scalar_one()

    def spec_ids(self) -> list[tuple[str, str]]:
        """``(spec id, title)`` of every spec stored with cases, for choosing among them (read
        from the small specs table: one row per spec text, not per case)."""
        with self.engine.connect() as conn:
            titles = dict(conn.execute(select(specs.c.spec_id, specs.c.title)
                                       .order_by(specs.c.stored_at)).all())
        return sorted(titles.items())

    def role_labels(self) -> list[str]:
        """The roles the processes of this register name, in words, each once."""
        return sorted(set(self.role_words().values()))

    def role_words(self) -> dict[tuple[str, str], str]:
        """``(spec id, role id) -> label`` for every role of the stored specs: what exports
        write where the stored projections keep a role's id."""
        if not self.exists:
            return {}
        with self.engine.connect() as conn:
            digests = conn.execute(select(specs.c.hash)).scalars().all()
        return {(spec.process.id, name): role.label
                for spec in map(self._spec, digests) for name, role in spec.roles.items()}

    def _known_roles(self) -> dict[str, str]:
        """Every role the register's processes name, by id and by label (letter case aside):
        its label."""
        known: dict[str, str] = {}
        for (_spec, ident), label in self.role_words().items():
            known[ident.casefold()] = known[label.casefold()] = label
        return known

    def _filters(self, query: CaseQuery) -> list:
        out = []
        if query.spec_id:
            out.append(cases.c.spec_id == query.spec_id)
        for word in query.search.split():  # every word, in any of the columns
            pattern = f"%{_like(word)}%"
            match = [cases.c.title.ilike(pattern, escape="\\"),
                     cases.c.stage.ilike(pattern, escape="\\"),
                     cases.c.responsible.ilike(pattern, escape="\\")]
            if word.lstrip("#").isdigit():
                number = int(word.lstrip("#"))
                match = [cases.c.id == number] if word.startswith("#") else [*match,
                                                                              cases.c.id == number]
            out.append(or_(*match))
        soon = self.today + timedelta(days=SOON_DAYS)
        if query.attention == "overdue":
            out.append(cases.c.next_limit_sort < self.today)
        elif query.attention == "past date":
            out.append(cases.c.next_due_sort < self.today)
        elif query.attention == "behind":  # past a date, but no limit passed
            out.append(and_(cases.c.next_due_sort < self.today,
                            cases.c.next_limit_sort >= self.today))
        elif query.attention == "due soon":
            out.append(and_(cases.c.next_due_sort >= self.today, cases.c.next_due_sort <= soon))
        elif query.attention == "needs attention":
            out.append(cases.c.next_due_sort <= soon)
        elif query.attention == "open":
            out.append(cases.c.finished_on.is_(None))
        return out

    def _listing(self, query, case_column) -> list[dict[str, Any]]:
        """The rows of a listing. A case whose stored dates do not read as dates is left out
        (and named in :attr:`damaged`): one damaged row must not hide every other case."""
        if self._unlisted:
            query = query.where(case_column.not_in(self._unlisted))
        try:
            with self.engine.connect() as conn:
                return [dict(r._mapping) for r in conn.execute(query)]
        except (ValueError, TypeError):
            with self.engine.connect() as conn:
                bad = {k: v for k, v in damaged_ids(conn).items() if k not in self._unlisted}
            if not bad:  # nothing more found to leave out: not a damaged date after all
                raise
            self.damaged.update(bad)
            self._unlisted |= set(bad)
            return self._listing(query.where(case_column.not_in(bad)), case_column)

    def _open_clause(self):
        # written as the partial index timescales_open is, with no parameters, so that the
        # database can use that index; a recurring period that passed can no longer be met
        # (TimescaleStatus.open)
        return and_(timescales.c.met_on.is_(None), OPEN_STATUS,
                    or_(timescales.c.status == "pending", timescales.c.kind != "recurring"))

    def _overdue_clause(self, limits: bool = False):
        """Open instances past their date; ``limits``: only limits (breaches)."""
        past = and_(self._open_clause(), timescales.c.due < self.today)
        return and_(past, timescales.c.strength == "limit") if limits else past

    def due(self, within: int | None = None, overdue: bool = False,
            limit: int | None = None, limits: bool = False) -> list[dict[str, Any]]:
        """Open timescale instances: those past their date (``limits``: only limits), and/or
        those due within ``within`` days, earliest first (at most ``limit``; see
        :meth:`count_due`). Each row's ``standing`` says how it stands today: "overdue" (a
        limit), "later than normal", "behind target", "not achieved yet", "due soon"."""
        query = (select(timescales, cases.c.title, cases.c.spec_id)
                 .join(cases, cases.c.id == timescales.c.case_id)
                 .where(self._due_clause(within, overdue, limits))
                 .order_by(timescales.c.due, timescales.c.case_id))
        if limit is not None:
            query = query.limit(limit)
        rows = self._listing(query, timescales.c.case_id)
        for row in rows:  # stored as of the last change; a date passed since is not kept now
            past = row["due"] < self.today
            if past and row["status"] == "pending" and row["kind"] in (
                    "deadline", "window", "recurring", "target"):
                row["status"] = NOT_KEPT_BY[row["strength"]]
            row["standing"] = PAST_DUE[row["strength"]] if past else "due soon"
        return rows

    def count_due(self, within: int | None = None, overdue: bool = False,
                  limits: bool = False) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(timescales)
                                .where(self._due_clause(within, overdue, limits))).scalar_one()

    def _due_clause(self, within: int | None, overdue: bool, limits: bool = False):
        clauses = []
        if overdue or within is None:
            clauses.append(self._overdue_clause(limits))
        if within is not None:
            clauses.append(and_(self._open_clause(), timescales.c.status == "pending",
                                timescales.c.due >= self.today,
                                timescales.c.due <= self.today + timedelta(days=within)))
        return clauses[0] if len(clauses) == 1 else and_(self._open_clause(), or_(*clauses))

    # -- time ------------------------------------------------------------------------------

    def needs_catch_up(self) -> bool:
        """Whether some case has a time-driven step due by today not yet stored."""
        if not self.exists:
            return False
        with self.engine.connect() as conn:
            return conn.execute(select(cases.c.id).where(cases.c.next_fire <= self.today)
                                .limit(1)).first() is not None

    def catch_up(self) -> int:
        """Record time-driven events that have fallen due by today on every case.

        Deterministic: the events and their dates follow from the stored entries alone, so
        catching up once after a week gives the same cases as catching up every day.
        """
        if not self.exists or self.readonly:  # read-only: get() catches up in memory
            return 0
        try:
            return self._catch_up()
        except SQLAlchemyError as err:
            if refused_write(err) is None:
                raise
            self.readonly = True  # a read-only role: cases are caught up in memory when read
            return 0

    def _catch_up(self) -> int:
        done = 0
        with self.engine.connect() as conn:
            due_ids = [r.id for r in conn.execute(
                select(cases.c.id).where(cases.c.next_fire <= self.today))]
        for case_id in due_ids:
            try:
                view = self.get(case_id)
            except DamagedCase as err:  # said by get() where it is shown; the others go on
                self.damaged[case_id] = err.what
                continue
            view.case.advance_to(self.today)
            with self.engine.begin() as conn:
                changed = conn.execute(update(cases).where(
                    and_(cases.c.id == case_id, cases.c.version == view.version))
                    .values(**self._projection(view.case))).rowcount
                if changed:
                    self._write_timescales(conn, case_id, view.case)
                    done += 1
        return done

    # -- internals -------------------------------------------------------------------------

    def _not_future(self, day: date, what: str) -> None:
        not_future(day, what, self.today)

    def _unknown(self, conn, case_id: int) -> UnknownCase:
        count = conn.execute(select(func.count()).select_from(cases)).scalar_one()
        hint = f"the register has {count} case(s); see 'regflow case list'" if count else \
            "the register is empty; open one with 'regflow case new' or try 'regflow demo'"
        return UnknownCase(f"no case {case_id} in this register ({hint})")

    def _replay(self, view: CaseView, void: int | None = None,
                extra: tuple | None = None) -> Case:
        """The case rebuilt from its stored entries (less ``void``, plus ``extra``)."""
        spec = view.spec
        voided = view.voided | ({void} if void is not None else set())
        with self.engine.connect() as conn:
            opening = conn.execute(select(cases.c.opening_facts, cases.c.opened_on)
                                   .where(cases.c.id == view.id)).one()
        case = Case(spec, opening.opened_on, _facts(spec, opening.opening_facts))
        steps = [(e.effective_on, e.seq, e) for e in view.entries
                 if e.kind != "correction" and e.seq not in voided]
        if extra is not None:
            steps.append((extra[0], len(view.entries) + 1, extra))
        steps.sort(key=lambda s: (s[0], s[1]))
        for on, seq, item in steps:
            try:
                if isinstance(item, tuple):
                    case.fire(item[1], on, item[2], actor=item[3], note=item[4])
                elif item.kind == "event":
                    case.fire(item.event, on, item.facts, actor=item.actor, note=item.note)
                else:
                    case.advance_to(on)
                    case.extend(item.timescale, item.extend_to, item.note)
            except CaseError as err:
                what = "the new event" if isinstance(item, tuple) else f"entry #{seq}"
                change = f"voiding #{void}" if void is not None else "recording it there"
                raise CaseError(f"{change} would leave an impossible history: {what} "
                                f"({on.isoformat()}) fails: {err}") from None
        case.advance_to(self.today)
        return case

    def _append(self, view: CaseView, base: int, entry: dict[str, Any], case: Case) -> CaseView:
        seq = base + 1
        status = case.timescales(self.today)
        try:
            with self.engine.begin() as conn:
                changed = conn.execute(update(cases).where(
                    and_(cases.c.id == view.id, cases.c.version == base))
                    .values(version=seq, **self._projection(case, status))).rowcount
                if not changed:
                    raise self._stale(conn, view.id, base)
                recorded_at = _now()
                conn.execute(insert(events).values(case_id=view.id, seq=seq,
                                                   recorded_at=recorded_at, **entry))
                self._write_timescales(conn, view.id, case, status)
        except IntegrityError:
            with self.engine.connect() as conn:
                raise self._stale(conn, view.id, base) from None
        stored = Entry(seq, entry["kind"], entry.get("event"), entry["effective_on"], recorded_at,
                       entry.get("actor"), _facts(view.spec, entry.get("facts")), entry["note"],
                       entry.get("voids_seq"), entry.get("timescale"), entry.get("extend_to"))
        now = CaseView(view.id, view.title, view.spec, seq, case, [*view.entries, stored])
        call_each("regflow_entry_recorded", f"entry #{seq} of case {view.id} was recorded and is "
                  "kept", register=self, case=now, entry=stored)  # a listener cannot undo it
        return now

    def _base(self, view: CaseView, expect_version: int | None) -> int:
        """The version a change builds on; a stale one is refused before anything else."""
        if expect_version is not None and expect_version != view.version:
            with self.engine.connect() as conn:
                raise self._stale(conn, view.id, expect_version)
        return view.version

    def _stale(self, conn, case_id: int, base: int) -> StaleCase:
        now = conn.execute(select(cases.c.version).where(cases.c.id == case_id)).scalar_one()
        return StaleCase(f"case {case_id} changed while you were working on it (you started "
                         f"from version {base}, it is now at version {now}); nothing was "
                         "written: look at the case again and re-enter the change if it is "
                         "still needed")

    def _projection(self, case: Case, rows=None) -> dict[str, Any]:
        return projection(case, self.today, case.timescales(self.today) if rows is None else rows)

    def _write_timescales(self, conn, case_id: int, case: Case, status=None) -> None:
        conn.execute(delete(timescales).where(timescales.c.case_id == case_id))
        rows = self._timescale_rows(case_id, case, status)
        if rows:
            conn.execute(insert(timescales), rows)

    def _timescale_rows(self, case_id: int, case: Case, rows=None) -> list[dict[str, Any]]:
        rows = case.timescales(self.today) if rows is None else rows
        return [{**row, "case_id": case_id} for row in timescale_rows(case, rows)]
