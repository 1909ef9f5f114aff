"""A national register on PostgreSQL (issue: shared register): a million cases.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/national_bench.py
        [--base 100000] [--copies 10] [--runs 3] [--no-gui]

On a throwaway PostgreSQL server (tests/pg_cluster.py), a register of ``base x copies`` cases
is built (benchmarks/national.py: ``base`` imported through the engine, then copied in SQL;
the database lives only as long as the server, a few minutes), then:

1. ``regflow due --overdue``: the first 200 open instances past their limit, earliest first,
   and their count. Aim: under 200 ms.
2. The app's first page: ``Register.page`` (200 cases, the default sort: next deadline) and
   ``Register.count`` of the default query. Aim: under 200 ms.
3. The status bar's counts (all, overdue, behind, due soon: ``Register.attention_counts``),
   which the app asks for on opening and after every change it notices.
4. The app's first paint on it (gui_bench's part 2, fresh processes, offscreen). Aim: 1 s.
5. The app's memory on it (gui_bench's part 3).

Baseline: the same queries' plans, each with the server's own execution time (EXPLAIN
ANALYZE), printed with the index each one uses. Timings are medians.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import national
import pg_cluster
from register_bench import TODAY, median_ms

from regflow.engine.register.api import CaseQuery, Register


def statements(reg: Register, action) -> list[tuple[str, object]]:
    """The SQL statements ``action`` sends, with their parameters."""
    seen = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    event.listen(reg.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(reg.engine, "before_cursor_execute", record)
    return seen


def plan(reg: Register, action) -> list[str]:
    """EXPLAIN ANALYZE of each statement ``action`` sends: its plan's first lines, in short."""
    out = []
    for statement, parameters in statements(reg, action):
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        with reg.engine.connect() as conn:
            lines = [r[0] for r in conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)]
        nodes = [line.strip().lstrip("-> ").split("  (")[0] for line in lines
                 if "Scan" in line or line.lstrip().startswith(("Limit", "Aggregate", "Sort"))]
        took = next((line for line in lines if line.startswith("Execution Time")), "")
        out.append(f"{'; '.join(dict.fromkeys(nodes))} ({took.lower()})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=100_000,
                        help="cases imported through the engine")
    parser.add_argument("--copies", type=int, default=10, help="copies of them in the register")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes for the first paint")
    parser.add_argument("--no-gui", action="store_true", help="leave out the first paint")
    args = parser.parse_args()
    with pg_cluster.benchmark_server() as cluster:
        if cluster is None:
            return 0
        url = cluster.new_database()
        took = national.build(url, TODAY, args.base, args.copies)
        with Register(url, today=TODAY) as reg:
            total = reg.count_cases()
            print(f"a national register on PostgreSQL: {total:,} cases (built in "
                  + ", ".join(f"{k} {v:.0f} s" for k, v in took.items()) + ")\n")
            measure(reg)
        if not args.no_gui:
            first_paint(url, total, args.runs)
    return 0


def measure(reg: Register) -> None:
    def due_command():  # what `regflow due --overdue` does: the earliest page and the count
        return (reg.due(overdue=True, limit=200, limits=True),
                reg.count_due(overdue=True, limits=True))

    def first_page():  # what the app's case list asks for first
        return reg.page(CaseQuery(), offset=0, limit=200), reg.count(CaseQuery())

    def status_counts():  # and its status bar
        return reg.attention_counts()

    overdue = due_command()[1]
    for number, (name, action, aim) in enumerate((
            (f"due --overdue (first 200 of {overdue:,} rows, and the count)", due_command, 200),
            ("first page of the case list (page of 200 + count, next-deadline order)",
             first_page, 200),
            ("the status bar's counts, in one query ("
             + ", ".join(f"{k} {v:,}" for k, v in status_counts().items()) + ")", status_counts,
             None)), 1):
        action()  # the server's caches warm, as for any register in use
        t = median_ms(action, 5)
        verdict = f" (aim < {aim} ms: {'met' if t < aim else 'NOT met'})" if aim else ""
        print(f"{number}. {name}: {t:.0f} ms{verdict}")
        for line in plan(reg, action):
            print(f"   plan: {line}")


def first_paint(url: str, total: int, runs: int) -> None:
    import gui_bench

    gui_bench.offscreen_if_no_screen(os.environ)
    shot = Path(tempfile.mkdtemp(prefix="regflow-national-")) / "first-paint.png"
    print(f"\n4. first paint of the {total:,}-case register on PostgreSQL (baseline: open it, "
          "first page of 200 in a bare QTableView, painted)")
    # ten scroll-bar steps, not a hundred: a page deep in a million cases is read with an
    # OFFSET, which the server counts through (most of a second for the last pages)
    result = gui_bench.run_children(url, shot, runs, steps=5)
    gui_bench.print_register(result, total, shot, 5)


if __name__ == "__main__":
    sys.exit(main())
