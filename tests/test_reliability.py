"""Reliability: a killed import, two writers at once, and replays that match the projection."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date

import pytest
from sqlalchemy import text

from regflow.engine.register.api import Register

from conftest import REVIEW, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import write_jsonl

TODAY = date(2026, 11, 23)


def _count(db) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("select count(*) from cases").fetchone()[0]
    except sqlite3.Error:
        return 0


def _sql(db, statement: str) -> list[tuple]:
    """Rows of a query on a register, SQLite or PostgreSQL."""
    with Register(db, today=TODAY) as reg, reg.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(statement))]


def _check_register(db, sample=None):
    """Every case's log matches its version, and replaying it gives the stored projection."""
    with Register(db, today=TODAY) as reg:
        rows = _sql(db, "select c.id, c.version, count(e.id) from cases c "
                    "left join events e on e.case_id = c.id group by c.id order by c.id")
        assert all(version == events for _, version, events in rows)
        ids = [r[0] for r in rows][:sample]
        for case_id in ids:
            view = reg.get(case_id)
            assert reg._replay(view).snapshot() == view.case.snapshot(), case_id
        return len(rows)


def test_a_killed_import_leaves_whole_batches_that_replay_to_the_same_projection(tmp_path):
    source, db = tmp_path / "cases.jsonl", tmp_path / "register.db"
    write_jsonl(source, 3000, TODAY, mean_events=6)
    proc = subprocess.Popen([sys.executable, "-m", "regflow.cli", "import", str(source), "--db",
                             str(db), "--today", TODAY.isoformat(), "--batch", "50", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _count(db) < 150 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = _count(db)
    assert 150 <= stored < 3000 and stored % 50 == 0  # whole transactions only
    assert _check_register(db, sample=200) == stored
    with Register(db, today=TODAY) as reg:  # and the register is usable afterwards
        reg.fire(1, reg.get(1).case.available_events()[0], TODAY)


WRITER = textwrap.dedent('''
    import json, sys
    from datetime import date
    from regflow.engine.register.api import Register, StaleCase
    db, name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    accepted, refused = [], []
    with Register(db, today=date(2027, 6, 1)) as reg:
        for i in range(rounds):
            for case_id in (1, 2, 3):
                note = f"{name}-{case_id}-{i}"
                version = reg.get(case_id).version
                try:
                    reg.fire(case_id, "progress_report", date(2027, 6, 1), note=note,
                             expect_version=version)
                    accepted.append(note)
                except StaleCase:
                    refused.append(note)
    print(json.dumps({"accepted": accepted, "refused": refused}))
''')


def test_two_writers_never_lose_or_duplicate_each_others_events(tmp_path, register_url):
    db = register_url
    with Register(db, today=date(2027, 6, 1)) as reg:
        for n in range(3):
            cid = reg.new_case(REVIEW, f"Case {n}", date(2026, 3, 2)).id
            reg.fire(cid, "fieldwork_started", date(2026, 3, 30))
            reg.fire(cid, "fieldwork_completed", date(2026, 12, 18), {"concern": "none"})
            reg.fire(cid, "report_published", date(2027, 1, 27))
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    writers = [subprocess.Popen([sys.executable, str(script), str(db), name, "25"],
                                stdout=subprocess.PIPE, text=True) for name in ("a", "b")]
    results = [json.loads(w.communicate(timeout=300)[0]) for w in writers]
    accepted = [n for r in results for n in r["accepted"]]
    refused = [n for r in results for n in r["refused"]]
    assert len(accepted) + len(refused) == 150
    stored = [r[0] for r in _sql(db, "select note from events where event = 'progress_report'")]
    assert sorted(stored) == sorted(accepted)  # every accepted event once, no refused one
    assert not set(stored) & set(refused)
    _check_register(db)
    with Register(db, today=date(2027, 6, 1)) as reg:
        for cid in (1, 2, 3):
            view = reg.get(cid)
            assert [e.seq for e in view.entries] == list(range(1, view.version + 1))


@pytest.mark.parametrize("kind", ["text", "half a register"])
def test_damaged_files_are_refused_before_anything_is_written(tmp_path, kind):
    db = tmp_path / "register.db"
    if kind == "text":
        db.write_text("x" * 5000)
    else:
        Register(db).close()
        db.write_bytes(db.read_bytes()[:1024])  # cut short
    before = db.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", "case", "list", "--db", str(db)],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "regflow" in proc.stderr and db.read_bytes() == before


APPENDER = textwrap.dedent('''
    import json, random, sys, time
    from datetime import date
    from regflow.engine.register.api import Register, StaleCase
    db, name, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    accepted, refused, errors = [], [], []
    rng = random.Random(name)
    with Register(db, today=date(2027, 6, 1)) as reg:
        end, i = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            case_id, i = rng.randint(1, 100), i + 1
            note = f"{name}-{i}"
            try:
                version = reg.get(case_id).version
                reg.fire(case_id, "progress_report", date(2027, 6, 1), note=note,
                         expect_version=version)
                accepted.append(note)
            except StaleCase:
                refused.append(note)
            except Exception as err:
                errors.append(f"{note}: {type(err).__name__}: {err}")
    print(json.dumps({"accepted": accepted, "refused": refused, "errors": errors}))
''')

#: how long the eight appenders run (the issue's full run: REGFLOW_STRESS_SECONDS=30)
STRESS_SECONDS = float(os.environ.get("REGFLOW_STRESS_SECONDS", "8"))


def test_eight_processes_appending_to_a_hundred_cases(tmp_path, register_url):
    """Every accepted event stored exactly once, every refused one reported and not stored,
    and every case's stored projection what a full replay of its log gives."""
    db = register_url
    records = ((str(n), {"spec": str(REVIEW), "title": f"Case {n}", "opened_on": "2026-03-02",
                         "events": [{"on": "2026-03-30", "event": "fieldwork_started"},
                                    {"on": "2026-12-18", "event": "fieldwork_completed",
                                     "set": {"concern": "none"}},
                                    {"on": "2027-01-27", "event": "report_published"}]})
               for n in range(100))
    with Register(db, today=date(2027, 6, 1)) as reg:
        assert reg.import_cases(records, workers=1).cases == 100
    script = tmp_path / "appender.py"
    script.write_text(APPENDER)
    procs = [subprocess.Popen([sys.executable, str(script), str(db), f"p{n}", str(STRESS_SECONDS)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(8)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=STRESS_SECONDS + 240)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    errors = [e for r in results for e in r["errors"]]
    assert errors == []
    accepted = [n for r in results for n in r["accepted"]]
    refused = [n for r in results for n in r["refused"]]
    assert len(accepted) > 50
    stored = [r[0] for r in _sql(db, "select note from events where event = 'progress_report'")]
    assert sorted(stored) == sorted(accepted)  # each accepted one exactly once
    assert not set(stored) & set(refused)
    assert _check_register(db) == 100  # versions match the logs; projections = replays
