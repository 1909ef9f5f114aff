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


def _check_register(db, sample=None):
    """Every case's log matches its version, and replaying it gives the stored projection."""
    with Register(db, today=TODAY) as reg:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("select c.id, c.version, count(e.id) from cases c "
                                "left join events e on e.case_id = c.id group by c.id").fetchall()
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


def test_two_writers_never_lose_or_duplicate_each_others_events(tmp_path):
    db = tmp_path / "register.db"
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
    with sqlite3.connect(db) as conn:
        stored = [r[0] for r in conn.execute(
            "select note from events where event = 'progress_report'")]
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
