"""What the register stores equals what a full replay gives, on SQLite and on PostgreSQL: after a
bulk import (COPY on PostgreSQL), after appends (one statement on PostgreSQL) that add, update
and drop timescale rows; and one event on PostgreSQL takes two round trips to the server."""

import json
import sys
from datetime import date

import pytest
from pg_cluster import wire_requests
from sqlalchemy import select

from regflow.engine.register.api import CaseQuery, Register, StaleCase
from regflow.engine.register.projection import projection, timescale_rows
from regflow.engine.register.storage import cases, events, timescales

from conftest import REVIEW, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import records

TODAY = date(2026, 11, 23)


def stored(reg: Register, case_id: int) -> tuple[dict, list[dict]]:
    """The stored projection columns and timescale rows of a case."""
    with reg.engine.connect() as conn:
        row = conn.execute(select(cases).where(cases.c.id == case_id)).one()._mapping
        rows = conn.execute(select(timescales).where(timescales.c.case_id == case_id)
                            .order_by(timescales.c.timescale, timescales.c.occurrence)).all()
    return dict(row), [{k: v for k, v in r._mapping.items() if k != "case_id"} for r in rows]


def assert_stored_is_replay(reg: Register, case_id: int) -> None:
    view = reg.get(case_id)
    replayed = reg._replay(view)
    status = replayed.timescales(reg.today)
    row, rows = stored(reg, case_id)
    expected = projection(replayed, reg.today, status)
    got = {k: json.loads(row[k]) if k == "snapshot" else row[k] for k in expected}
    assert got == {**expected, "snapshot": json.loads(expected["snapshot"])}, case_id
    assert rows == sorted(timescale_rows(replayed, status),
                          key=lambda r: (r["timescale"], r["occurrence"])), case_id
    assert row["version"] == len(view.entries)


def test_an_imported_register_is_what_replaying_every_case_gives(register_url):
    with Register(register_url, today=TODAY) as reg:
        items = ((f"line {i}", r) for i, r in enumerate(records(70, TODAY, mean_events=8)))
        result = reg.import_cases(items, batch=25, workers=1)
        assert (result.cases, result.problems) == (70, [])
        with reg.engine.connect() as conn:
            assert conn.execute(select(cases.c.id).order_by(cases.c.id)).scalars().all() == \
                list(range(1, 71))  # in the order of the file
            logged = conn.execute(select(events.c.case_id, events.c.seq, events.c.event)
                                  .order_by(events.c.case_id, events.c.seq)).all()
        assert len(logged) == result.events
        for case_id in range(1, 71):
            assert_stored_is_replay(reg, case_id)
        # the status bar's counts in one query are the four counts of the lists
        counts = reg.attention_counts()
        assert counts == {"all": reg.count(CaseQuery()), **{
            a: reg.count(CaseQuery(attention=a)) for a in ("overdue", "behind", "due soon")}}
        assert counts["all"] == 70 and all(counts.values()), counts  # each kind is there
        # and the next import carries on after them (ids from the same sequence)
        more = ((f"more {i}", {**r, "title": r["title"] + " (more)"})
                for i, r in enumerate(records(3, TODAY, mean_events=4, seed=2)))
        assert reg.import_cases(more, workers=1).cases == 3
        assert reg.new_case(REVIEW, "After the import", date(2026, 3, 2)).id == 74


def test_appends_that_add_change_and_drop_timescale_rows_store_the_replay(register_url):
    with Register(register_url, today=date(2027, 6, 1)) as reg:
        cid = reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2)).id
        steps = [("fieldwork_started", date(2026, 3, 30), {}),
                 ("fieldwork_completed", date(2026, 12, 18), {"concern": "significant"}),
                 ("report_published", date(2027, 1, 27), {}),
                 ("notice_given", date(2027, 2, 1), {}),
                 ("progress_report", date(2027, 4, 20), {})]
        counts = []
        for name, on, facts in steps:
            reg.fire(cid, name, on, facts, actor="lead")
            assert_stored_is_replay(reg, cid)
            counts.append(len(stored(reg, cid)[1]))
        view = reg.correct(cid, 4, "the notice was recorded on the wrong case")
        assert_stored_is_replay(reg, cid)  # the notice's timescale rows are gone again
        dropped = len(stored(reg, cid)[1])
        assert counts[-1] > dropped  # the correction removed rows, not only updated them
        assert view.entries[-1].kind == "correction"
        with pytest.raises(StaleCase):
            reg.fire(cid, "notice_given", date(2027, 5, 1), expect_version=view.version - 1)
        assert_stored_is_replay(reg, cid)  # nothing of the stale change was written


def test_one_event_on_a_stored_case_takes_two_round_trips_on_postgresql(pg_cluster):
    """One to read the case with its log, one to store the change (the bound: each is a
    single statement outside an explicit transaction; ten before, when the read and the write
    each had BEGIN, a statement per table and ROLLBACK or COMMIT)."""
    with Register(pg_cluster.new_database(), today=date(2027, 6, 1)) as reg:
        cid = reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2)).id
        reg.fire(cid, "fieldwork_started", date(2026, 3, 30))  # the spec is read once, here
        sent = wire_requests(reg, lambda: reg.fire(
            cid, "fieldwork_completed", date(2026, 12, 18), {"concern": "significant"}))
        assert len(sent) <= 2, sent
        assert sent, "the trace saw nothing: the count would prove nothing"
        assert_stored_is_replay(reg, cid)
