"""Register benchmarks (issue: case register), each against a baseline in the same run.

    .venv/bin/python benchmarks/register_bench.py [--cases 100000] [--mean-events 10]

1. Bulk import of a synthetic register (example scenarios cut and moved in time; every case
   runs through the engine): events per second. Aim: 20,000/s.
2. ``due --overdue`` over the whole register. Aim: under 100 ms.
3. The first page (50) of the case list. Aim: under 200 ms.
4. Firing one event on a stored case (guard, deadlines, projection, commit), against one bare
   INSERT (committed) on the same database system, and against a bare python-statemachine
   transition plus that insert; on PostgreSQL, with its round trips to the server counted.

With --postgresql, the same four on a throwaway PostgreSQL server after SQLite, side by side.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import median_time
from synthetic import records

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import pg_cluster

from regflow.engine.cases.compiler import machine_class
from regflow.engine.register.api import Register

TODAY = date(2026, 11, 23)


def median_ms(fn, repeat: int) -> float:
    return median_time(fn, repeat) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--mean-events", type=int, default=10)
    parser.add_argument("--postgresql", action="store_true",
                        help="the same on a throwaway PostgreSQL server (tests/pg_cluster.py), "
                        "after SQLite, in the same run")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="regflow-bench-"))
    baseline = sqlite3.connect(folder / "baseline.db")
    measure(str(folder / "register.db"), "SQLite", args, baseline, "?")
    if args.postgresql:
        with pg_cluster.benchmark_server() as cluster:
            if cluster is not None:
                import psycopg

                url = cluster.new_database()
                with psycopg.connect(host="127.0.0.1", port=cluster.port, user=pg_cluster.USER,
                                     dbname="postgres", password=cluster.password) as bare:
                    measure(url, "PostgreSQL (a throwaway local server)", args, bare, "%s")
    return 0


def measure(db: str, name: str, args, baseline, mark: str) -> None:
    """The four measurements on register ``db``; ``baseline``: a DB-API connection on the
    same database system for the bare insert (``mark``: its parameter marker)."""
    reg = Register(db, today=TODAY)
    items = ((str(i), r) for i, r in enumerate(records(args.cases, TODAY, args.mean_events)))

    print(f"register benchmarks on {name}: {args.cases} cases\n")
    bar = tqdm(unit=" events", file=sys.stderr, mininterval=1.0)
    start = time.perf_counter()
    result = reg.import_cases(items, batch=1000,
                              progress=lambda _c, e: bar.update(e - bar.n))
    took = time.perf_counter() - start
    bar.close()
    rate = result.events / took
    print(f"1. import: {result.cases} cases, {result.events} events in {took:.1f} s = "
          f"{rate:,.0f} events/s (aim 20,000/s: {'met' if rate >= 20_000 else 'NOT met'}); "
          f"{len(result.problems)} skipped")

    def due_command():  # what `regflow due --overdue` does: the earliest page and the count
        return (reg.due(overdue=True, limit=200, limits=True),
                reg.count_due(overdue=True, limits=True))

    total = due_command()[1]
    t_due = median_ms(due_command, 5)
    t_all = median_ms(lambda: reg.due(overdue=True, limits=True), 3)
    print(f"2. due --overdue: {t_due:.0f} ms (first 200 of {total} rows, and the count) "
          f"(aim < 100 ms: {'met' if t_due < 100 else 'NOT met'}); all {total} rows: "
          f"{t_all:.0f} ms")
    t_page = median_ms(lambda: reg.list_cases(limit=50), 5)
    print(f"3. first page of 50 cases: {t_page:.1f} ms "
          f"(aim < 200 ms: {'met' if t_page < 200 else 'NOT met'})")

    # 4. one event on a stored case, against one bare INSERT on the same database system, and
    # against a bare transition plus that insert
    ours, bare, inserts = [], [], []
    cursor = baseline.cursor()
    cursor.execute("create table if not exists log (id serial primary key, case_id int, "
                   "event text, day text)" if mark == "%s" else
                   "create table if not exists log (id integer primary key, case_id int, "
                   "event text, day text)")
    baseline.commit()
    insert = f"insert into log (case_id, event, day) values ({mark}, {mark}, {mark})"
    round_trips = None
    for case_id in range(1, min(args.cases, 300) + 1):
        view = reg.get(case_id)
        if view.case.finished_on:
            continue
        spec = view.spec
        event = next((e for e in view.case.available_events() if not spec.events[e].requires
                      and not view.case.guard_failures(e)), None)
        if event is None:
            continue
        machine = machine_class(spec)(model=type("M", (), {"state": None})())
        from statemachine.orderedset import OrderedSet
        machine.model.state = OrderedSet(view.case.snapshot()["configuration"])
        start = time.perf_counter()
        cursor.execute(insert, (case_id, event, TODAY.isoformat()))
        baseline.commit()
        inserts.append(time.perf_counter() - start)
        start = time.perf_counter()
        machine.send(event, facts=view.case.facts)
        cursor.execute(insert, (case_id, event, TODAY.isoformat()))
        baseline.commit()
        bare.append(time.perf_counter() - start)
        if round_trips is None and mark == "%s":  # counted once, on the wire (libpq's trace)
            round_trips = len(pg_cluster.wire_requests(reg, lambda c=case_id, e=event: reg.fire(
                c, e, TODAY, actor="bench")))
            continue
        start = time.perf_counter()
        reg.fire(case_id, event, TODAY, actor="bench")
        ours.append(time.perf_counter() - start)
    o, b, i = (statistics.median(t) * 1000 for t in (ours, bare, inserts))
    trips = f"; {round_trips} round trips to the server" if round_trips is not None else ""
    print(f"4. one event on a stored case: {o:.2f} ms; a bare INSERT (and commit): {i:.2f} ms, "
          f"ratio {o / i:.1f}x; bare transition + that insert: {b:.2f} ms, ratio {o / b:.1f}x "
          f"({len(ours)} cases{trips})")
    reg.close()


if __name__ == "__main__":
    sys.exit(main())
