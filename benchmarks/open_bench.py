"""What opening a register costs, against opening it read-only in the same run.

    .venv/bin/python benchmarks/open_bench.py [--cases 100000] [--db PATH] [--postgresql]

1. Opening for writes: SQLite's quick_check of every page (refusing a damaged register) plus
   the checks of a read-only open, against the read-only open alone.
2. A live-update poll when nothing changed (``Register.changed()``: PRAGMA data_version on
   SQLite; on PostgreSQL a look at the notifications that arrived on the listening connection),
   against a bare ``SELECT 1`` on the same database (and, on PostgreSQL, against reading the id
   sequences, which is how regflow polled before it listened).
3. PostgreSQL only: how soon a listening app hears of another connection's commit, and what the
   announcing triggers add to one event recorded on a stored case (the same appends with the
   triggers disabled, alternating).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import median_time
from synthetic import records

from regflow.engine.register.api import Register
from regflow.engine.register.storage import QUICK_CHECK_MAX_BYTES, close_engine, open_engine

TODAY = date(2026, 11, 23)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", help="a register to use: a file, or a database URL such as "
                        "postgresql://user@host/db (an empty one is filled; default: a new file)")
    parser.add_argument("--postgresql", action="store_true",
                        help="also on a throwaway PostgreSQL server (tests/pg_cluster.py), "
                        "side by side with SQLite")
    args = parser.parse_args()
    bench(args.db or str(Path(tempfile.mkdtemp(prefix="regflow-open-")) / "register.db"),
          args.cases)
    if args.postgresql:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        import pg_cluster

        with pg_cluster.benchmark_server() as cluster:
            if cluster is not None:
                bench(cluster.new_database(), args.cases)
    return 0


def bench(db: str, count: int) -> None:
    with Register(db, today=TODAY) as reg:
        if not reg.count_cases():
            reg.import_cases(((str(i), r) for i, r in enumerate(records(count, TODAY, 10))),
                             batch=1000)
        cases = reg.count_cases()
    server = "://" in db
    size = "" if server else f", {Path(db).stat().st_size / 1e6:,.0f} MB"
    print(f"open benchmarks: {cases:,} cases{size} ({'a server' if server else db})\n")
    if not server:
        _opening(db)
    _polling(db)


def _opening(db: str) -> None:

    def opened(readonly: bool):
        def run():
            close_engine(open_engine(db, create=False, readonly=readonly))
        return run

    opened(False)()  # the file in the page cache for both
    ro = median_time(opened(True), 5) * 1000
    rw = median_time(opened(False), 5) * 1000
    print(f"1. open for writes (quick_check): {rw:,.1f} ms; read-only open: {ro:,.1f} ms; "
          f"the check costs {rw - ro:,.1f} ms ({rw / ro:.1f}x)")


    import sqlite3

    def full_check() -> None:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        conn.execute("PRAGMA quick_check").fetchall()
        conn.close()

    full = median_time(full_check, 3) * 1000
    size = Path(db).stat().st_size / 2**20
    print(f"   a full quick_check: {full:,.0f} ms ({full / size:.1f} ms a MB; regflow runs it up "
          f"to {QUICK_CHECK_MAX_BYTES // 2**20} MB)")


def _polling(db: str) -> None:

    with Register(db, today=TODAY) as reg:
        reg.changed()  # the first poll opens the watching connection
        poll = median_time(reg.changed, 2000) * 1e6
        with reg.engine.connect() as conn:
            bare = median_time(lambda: conn.exec_driver_sql("SELECT 1").scalar(), 2000) * 1e6
            sequences = ("SELECT (SELECT last_value FROM cases_id_seq), "
                         "(SELECT last_value FROM events_id_seq)")
            old = median_time(lambda: conn.exec_driver_sql(sequences).all(), 2000) * 1e6 \
                if conn.dialect.name == "postgresql" else None
            conn.rollback()
    was = f"; reading the id sequences (the poll before LISTEN): {old:,.1f} µs" if old else ""
    print(f"2. a live-update poll when nothing changed: {poll:,.1f} µs; a bare SELECT 1: "
          f"{bare:,.1f} µs ({poll / bare:.2f}x){was}; once a second that is "
          f"{poll / 1e4:.5f}% of one core")
    if "://" in db:
        _listening(db)


def _listening(db: str) -> None:
    import statistics
    import time

    from sqlalchemy import text

    with Register(db, today=TODAY) as watcher, Register(db, today=TODAY) as writer:
        watcher.changed()
        heard = []
        for _ in range(50):
            with writer.engine.begin() as conn:  # the smallest change the triggers announce
                conn.execute(text("UPDATE cases SET title = title WHERE id = 1"))
            start = time.perf_counter()
            while not watcher.changed():
                pass
            heard.append(time.perf_counter() - start)
        print(f"3. a change heard by a listening app {statistics.median(heard) * 1e3:.2f} ms "
              f"after its commit (median of 50; worst {max(heard) * 1e3:.2f} ms)")
        ids = [r["id"] for r in writer.list_cases(limit=400) if r["stage"] != "Closed"]
        on, off = [], []

        def append(case_id: int) -> float | None:
            view = writer.get(case_id)
            spec = view.spec
            event = next((e for e in view.case.available_events() if not spec.events[e].requires
                          and not view.case.guard_failures(e)), None)
            if event is None:
                return None
            start = time.perf_counter()
            writer.fire(case_id, event, TODAY, actor="bench")
            return time.perf_counter() - start

        for n, case_id in enumerate(ids):
            triggers = n % 2 == 0
            if not triggers:
                with writer.engine.begin() as conn:
                    for table in ("cases", "events"):
                        conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            took = append(case_id)
            if not triggers:
                with writer.engine.begin() as conn:
                    for table in ("cases", "events"):
                        conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            if took is not None:
                (on if triggers else off).append(took)
        a, b = statistics.median(on) * 1e3, statistics.median(off) * 1e3
        print(f"   one event on a stored case: {a:.2f} ms with the announcing triggers, "
              f"{b:.2f} ms without ({a / b:.3f}x; {len(on)} and {len(off)} appends)")


if __name__ == "__main__":
    sys.exit(main())
