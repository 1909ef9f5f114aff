"""A synthetic national register on PostgreSQL: a million cases, built in minutes.

``base`` cases of :func:`synthetic.records` are imported through the engine (``import_cases``,
as a user would), then the register is copied onto itself ``copies - 1`` times in SQL: every
copy of a case has the same history, projection and timescale rows under a new id and title.
The copies go in with the secondary indexes dropped, which are then built once, as a
restore would; ``VACUUM ANALYZE`` ends it, as autovacuum would have by the time anyone reads.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from sqlalchemy import text
from synthetic import records
from tqdm import tqdm

from regflow.engine.register.api import Register
from regflow.engine.register.storage import cases, events, timescales


def build(url: str, today: date, base: int = 100_000, copies: int = 10,
          mean_events: int = 10) -> dict[str, float]:
    """Make the register at ``url`` (an empty database); the seconds each part took."""
    took = {}
    start = time.perf_counter()
    with Register(url, today=today) as reg:
        items = ((str(i), r) for i, r in enumerate(records(base, today, mean_events)))
        bar = tqdm(unit=" events", file=sys.stderr, mininterval=1.0,
                   desc=f"importing {base:,} cases")
        result = reg.import_cases(items, batch=1000,
                                  progress=lambda _c, e: bar.update(e - bar.n))
        bar.close()
        took["import"] = time.perf_counter() - start
        engine = reg.engine
        start = time.perf_counter()
        print(f"copying them {copies - 1} times (SQL)", file=sys.stderr)
        indexes = [i for t in (cases, events, timescales) for i in t.indexes]
        with engine.begin() as conn:
            for index in indexes:
                index.drop(conn)
            n = result.cases
            for table, key in ((cases, "id"), (events, "case_id"), (timescales, "case_id")):
                columns = [c.name for c in table.c if c.name != "id" or table is cases]
                shown = [f"{c} + k * {n}" if c == key else
                         "title || ' / ' || k" if table is cases and c == "title" else c
                         for c in columns]
                conn.execute(text(
                    f"INSERT INTO {table.name} ({', '.join(columns)}) "
                    f"SELECT {', '.join(shown)} FROM {table.name}, generate_series(1, "
                    f"{copies - 1}) AS k WHERE {key} <= {n}"))
            conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                              "(SELECT max(id) FROM cases))"))
            took["copy"] = time.perf_counter() - start
            start = time.perf_counter()
            print("building the indexes", file=sys.stderr)
            for index in indexes:
                index.create(conn)
            took["indexes"] = time.perf_counter() - start
        start = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        took["vacuum"] = time.perf_counter() - start
    return took
