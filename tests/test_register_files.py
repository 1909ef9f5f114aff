"""Register files: nothing written where it must not be, nothing created by reading, damaged
registers and rows named, names too long, read-only files, two processes making one register.

Each test gives the exact input the hardening issue named and checks the file system after.
"""

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from test_cli import regflow

from regflow.engine.register.api import Register
from regflow.engine.register.damage import DamagedCase

from conftest import REVIEW

TODAY = "2027-06-01"
SIDE_FILES = ("-wal", "-shm", "-journal")


def beside(path: Path) -> list[str]:
    """The SQLite side files (-wal, -shm, -journal) next to ``path``."""
    return [s for s in SIDE_FILES if Path(f"{path}{s}").exists()]


def sql(db, *statements) -> None:
    """Run SQL on a database and close it (sqlite3's `with` only commits)."""
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.executescript(statement)
        conn.commit()
    finally:
        conn.close()


def cli(db, *args):
    return regflow(*args, "--db", db, "--today", TODAY)


def new_case(db, title="Example Council"):
    return cli(db, "case", "new", "--spec", REVIEW, "--title", title, "--on", "2026-03-02")


@pytest.fixture
def reg_db(tmp_path):
    """A register with two cases (Alpha with an open deadline), closed (no side files)."""
    db = tmp_path / "register.db"
    with Register(db, today=date(2027, 6, 1)) as reg:
        for title in ("Alpha Council", "Bravo Borough"):
            cid = reg.new_case(REVIEW, title, date(2026, 3, 2)).id
            reg.fire(cid, "fieldwork_started", date(2026, 3, 30))
        reg.fire(1, "fieldwork_completed", date(2027, 5, 28), {"concern": "none"})  # a deadline
    assert not beside(db)
    return db


# -- outputs never over a register --------------------------------------------------------


def test_a_screenshot_is_never_written_over_the_register(reg_db, tmp_path):
    picture = reg_db.with_suffix(".png")
    reg_db.rename(picture)  # `regflow gui --screenshot reg.png --db reg.png`
    before = picture.read_bytes()
    link, hard = tmp_path / "link.png", tmp_path / "hard.png"
    link.symlink_to(picture)
    hard.hardlink_to(picture)
    for shot in (picture, link, hard):
        proc = regflow("gui", "--screenshot", shot, "--db", picture)
        assert proc.returncode == 1 and "is the same file as the input" in proc.stderr
    proc = regflow("gui", "--screenshot", tmp_path / "x.png", "--db", picture,
                   "--settings", picture)
    assert proc.returncode == 1 and "--settings" in proc.stderr
    assert picture.read_bytes() == before


# -- a register only when asked, or when the command succeeds -------------------------------


def test_a_failing_case_new_or_import_with_a_mistyped_db_creates_nothing(tmp_path):
    typo = tmp_path / "regsiter.db"
    proc = cli(typo, "case", "new", "--spec", tmp_path / "missing.toml", "--title", "X")
    assert proc.returncode == 1 and "file not found" in proc.stderr
    proc = cli(typo, "case", "new", "--spec", REVIEW, "--title", "X", "--on", "2028-01-01")
    assert proc.returncode == 1 and "in the future" in proc.stderr
    proc = cli(typo, "case", "new", "--spec", REVIEW, "--title", "X", "--set", "nonsense=1")
    assert proc.returncode == 1
    lines = tmp_path / "cases.jsonl"
    lines.write_text('{"spec": "missing.toml", "title": "X", "opened_on": "2026-01-01"}\n')
    proc = cli(typo, "import", lines, "--quiet")
    assert proc.returncode == 1 and "imported 0 cases" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]
    assert new_case(typo).returncode == 0 and typo.exists()  # one that works makes it


def test_memory_is_never_a_file(tmp_path):
    proc = regflow("case", "new", "--spec", REVIEW, "--title", "X", "--db", ":memory:",
                   cwd=tmp_path)
    assert proc.returncode == 1 and "in memory only" in proc.stderr
    assert not list(tmp_path.iterdir())
    with Register(":memory:", today=date(2027, 6, 1)) as reg:  # the API's own use
        assert reg.new_case(REVIEW, "In memory", date(2026, 3, 2)).id == 1
    assert not Path(":memory:").exists()


# -- reading creates nothing ---------------------------------------------------------------


@pytest.mark.parametrize("command", [["case", "list"], ["due"], ["case", "show", "1"]])
def test_reading_a_zero_byte_file_or_another_programs_empty_database_writes_nothing(
        tmp_path, command):
    zero = tmp_path / "zero.db"
    zero.touch()
    other = tmp_path / "other.db"
    sql(other, "pragma journal_mode=wal", "pragma user_version=7")  # another program's, empty
    for db, words in ((zero, "is an empty file, not a register"),
                      (other, "is an empty database, not a register")):
        before = db.read_bytes()
        proc = cli(db, *command)
        assert proc.returncode == 1 and words in proc.stderr, proc.stderr
        assert db.read_bytes() == before and not beside(db)


def test_refused_registers_get_no_side_files(reg_db, tmp_path):
    sql(reg_db, "update regflow_meta set value = '99' where key = 'schema_version'")  # newer
    shop = tmp_path / "shop.db"
    sql(shop, "pragma journal_mode=wal", "create table customers (id integer)")
    for db in (reg_db, shop):
        for command in (["case", "list"], ["case", "fire", "1", "fieldwork_completed"]):
            before = db.read_bytes()
            proc = cli(db, *command)
            assert proc.returncode == 1 and "regflow" in proc.stderr
            assert db.read_bytes() == before and not beside(db), (db, command)


def test_read_commands_leave_the_register_and_its_folder_as_they_were(reg_db):
    before = reg_db.read_bytes()
    for command in (["case", "list"], ["due"], ["case", "show", "2"], ["case", "list", "--json"]):
        assert cli(reg_db, *command).returncode == 0
        assert not beside(reg_db), command
    assert reg_db.read_bytes() == before


def test_a_device_is_refused_without_a_journal_beside_it():
    if beside(Path("/dev/null")):
        pytest.skip("a -journal beside /dev/null exists already (made by an older regflow)")
    for command in (["case", "list"], ["case", "new", "--spec", str(REVIEW), "--title", "X"]):
        proc = regflow(*command, "--db", "/dev/null")
        assert proc.returncode == 1 and "not a regular file" in proc.stderr
    assert not beside(Path("/dev/null"))


# -- damaged pages, two creators at once ---------------------------------------------------


def test_a_register_with_damaged_pages_is_refused_for_writing(reg_db):
    """(Up to QUICK_CHECK_MAX_BYTES every page is checked; the test register is far smaller.)"""
    conn = sqlite3.connect(reg_db)
    root = conn.execute("select rootpage from sqlite_master where name = 'events'").fetchone()[0]
    size = conn.execute("pragma page_size").fetchone()[0]
    conn.close()
    data = bytearray(reg_db.read_bytes())
    data[(root - 1) * size + 8:(root - 1) * size + 200] = b"\x07" * 192  # the events table's page
    reg_db.write_bytes(bytes(data))
    before = reg_db.read_bytes()
    proc = new_case(reg_db, "Charlie City")
    assert proc.returncode == 1 and "is damaged" in proc.stderr and "nothing was written" in proc.stderr
    assert cli(reg_db, "case", "fire", "1", "fieldwork_completed").returncode == 1
    assert reg_db.read_bytes() == before


CREATOR = textwrap.dedent('''
    import sys
    from datetime import date
    from regflow.engine.register.api import Register
    db, spec, name, go = sys.argv[1:5]
    import os, time
    while not os.path.exists(go):
        time.sleep(0.001)
    with Register(db, today=date(2027, 6, 1)) as reg:
        print(reg.new_case(spec, name, date(2026, 3, 2)).id)
''')


def test_processes_creating_the_same_new_register_at_once_all_succeed(tmp_path):
    db, go, script = tmp_path / "new.db", tmp_path / "go", tmp_path / "creator.py"
    script.write_text(CREATOR)
    procs = [subprocess.Popen([sys.executable, str(script), str(db), str(REVIEW), f"Case {n}",
                               str(go)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(6)]
    go.touch()  # all start creating at the same moment
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outcomes]
    assert sorted(int(out) for out, _ in outcomes) == [1, 2, 3, 4, 5, 6]
    with Register(db, readonly=True) as reg:
        assert reg.count_cases() == 6


# -- damaged rows --------------------------------------------------------------------------


DAMAGE = {  # what is written into case 1's rows -> words the message must have
    "bad JSON in the snapshot": ("update cases set snapshot = '{not json' where id = 1",
                                 "table cases: snapshot is not JSON"),
    "bad JSON in facts": ("update events set facts = '[1,' where case_id = 1 and seq = 2",
                          "entry #2 (table events, row 3): facts is not JSON"),
    "a non-date in next_due": ("update cases set next_due = 'soon' where id = 1",
                               "next_due 'soon' is not a date"),
    "a non-date in a timescale": ("update timescales set due = '2027-6-x1' where case_id = 1",
                                  "due '2027-6-x1' is not a date"),
    "a non-date in the log": ("update events set effective_on = 'yesterday' where case_id = 1",
                              "entry #1 (table events, row 1): effective_on 'yesterday' is not a date"),
    "an unknown event in the log": ("update events set event = 'teleported' where case_id = 1",
                                    "event 'teleported' is not an event of the case's spec"),
    "a missing spec row": ("pragma foreign_keys = off; update cases set spec_hash = 'gone' "
                           "where id = 1", "is missing from table specs"),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_row_names_its_case_and_row_and_the_rest_stays_usable(reg_db, kind):
    statement, words = DAMAGE[kind]
    sql(reg_db, statement)
    reader = ["due", "--within", "1000d"] if "timescale" in kind else ["case", "show", "1"]
    proc = cli(reg_db, *reader)
    assert proc.returncode == 1 and "case 1 is damaged" in proc.stderr and words in proc.stderr
    listing = cli(reg_db, "case", "list")
    assert "Bravo Borough" in listing.stdout  # the other case is listed
    if "Alpha Council" not in listing.stdout:  # left out of the list: said so, exit 1
        assert listing.returncode == 1 and "case 1 is damaged" in listing.stderr
    assert cli(reg_db, "case", "show", "2").returncode == 0
    assert cli(reg_db, "due").returncode in (0, 1)
    proc = cli(reg_db, "case", "fire", "2", "fieldwork_completed", "--on", "2026-12-18",
               "--set", "concern=none")
    assert proc.returncode == 0, proc.stderr
    if "timescale" not in kind:
        with Register(reg_db, today=date(2027, 6, 1)) as reg, pytest.raises(DamagedCase) as info:
            reg.get(1)
        assert info.value.case_id == 1 and "other cases are not affected" in str(info.value)


@pytest.mark.parametrize("version", ["abc", "-5", ""])
def test_a_damaged_schema_version_is_named(reg_db, version):
    sql(reg_db, f"update regflow_meta set value = '{version}' where key = 'schema_version'")
    before = reg_db.read_bytes()
    for command in (["case", "list"], ["case", "fire", "1", "fieldwork_completed"]):
        proc = cli(reg_db, *command)
        assert proc.returncode == 1
        assert f"its schema version {version!r} (table regflow_meta)" in proc.stderr
    assert reg_db.read_bytes() == before and not beside(reg_db)


# -- names too long, read-only files --------------------------------------------------------


def test_a_path_component_over_255_bytes_is_said_in_every_command(tmp_path):
    long = tmp_path / ("r" * 256 + ".db")
    for command in (["case", "list"], ["due"], ["case", "show", "1"], ["demo"],
                    ["case", "new", "--spec", str(REVIEW), "--title", "X"],
                    ["case", "fire", "1", "x"]):
        proc = cli(long, *command)
        assert proc.returncode == 1 and "too long (at most 255 bytes" in proc.stderr, command
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", "gui", "--db", str(long),
                           "--screenshot", str(tmp_path / "shot.png")],
                          capture_output=True, text=True, timeout=50,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 1 and "too long (at most 255 bytes" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())


def test_a_read_only_register_in_a_writable_folder(tmp_path, read_only):
    db = tmp_path / "register.db"
    with Register(db, today=date(2027, 6, 1)) as reg:
        reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
    read_only(db)
    before = db.read_bytes()
    proc = new_case(db, "Bravo")
    assert proc.returncode == 1 and "is read-only for you" in proc.stderr
    assert "nothing was written" in proc.stderr
    assert cli(db, "case", "fire", "1", "fieldwork_started", "--on", "2026-03-30").returncode == 1
    listing = cli(db, "case", "list", "--json")
    assert listing.returncode == 0 and [c["title"] for c in json.loads(listing.stdout)] == [
        "Alpha Council"]
    assert cli(db, "case", "show", "1").returncode == 0
    assert db.read_bytes() == before and not beside(db)


# -- "database disk image is malformed": the cause --------------------------------------------


def _write_from_another_process(db) -> None:
    subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                    "c.execute(\"insert into regflow_meta values ('k' || random(), '')\"); "
                    "c.commit(); c.close()", str(db)], check=True)


@pytest.mark.parametrize("reopen", ["readonly", "write", "create"])
def test_opening_the_register_again_keeps_the_locks_this_process_holds(reg_db, reopen):
    """A plain open() and close() of the file drops every POSIX lock this process holds on it
    (the register regflow already had open included); another process closing then thinks it
    is the last, checkpoints and deletes the write-ahead log under this one's feet, whose next
    read says "database disk image is malformed". Opening must look only through SQLite."""
    with Register(reg_db, today=date(2027, 6, 1)) as app:
        app.count_cases()  # a connection in the pool holds its lock
        # the control: a plain open and close of the file does lose the lock
        with open(reg_db, "rb") as handle:
            handle.read(16)
        _write_from_another_process(reg_db)
        assert not beside(reg_db), "the test cannot see a lost lock here"
    with Register(reg_db, today=date(2027, 6, 1)) as app:
        app.count_cases()
        Register(reg_db, today=date(2027, 6, 1), readonly=reopen == "readonly",
                 create=reopen == "create").close()  # what F5 and every command do
        _write_from_another_process(reg_db)
        assert beside(reg_db) == ["-wal", "-shm"]  # still this process's
        assert app.count_cases() == 2


# -- titles and import specs ----------------------------------------------------------------


def test_a_duplicate_title_is_refused_with_the_case_that_has_it(reg_db, tmp_path):
    proc = new_case(reg_db, "  alpha COUNCIL ")
    assert proc.returncode == 1
    assert "case 1 already has the title 'Alpha Council'" in proc.stderr
    assert "give this case a title of its own" in proc.stderr
    lines = tmp_path / "more.jsonl"
    lines.write_text("\n".join(json.dumps({"spec": str(REVIEW), "title": title,
                                           "opened_on": "2026-05-01"})
                               for title in ("Bravo borough", "Delta", "delta")) + "\n")
    proc = cli(reg_db, "import", lines, "--quiet")
    assert proc.returncode == 1 and "imported 1 cases" in proc.stdout
    assert f"{lines}:1: case 2 already has the title 'Bravo borough'" in proc.stderr
    assert f"{lines}:3: the case of {lines}:2 already has the title 'delta'" in proc.stderr


def test_import_takes_shipped_spec_ids_and_paths_relative_to_the_import_file(tmp_path):
    folder = tmp_path / "exports"
    (folder / "specs").mkdir(parents=True)
    (folder / "specs" / "review.toml").write_text(REVIEW.read_text())
    lines = folder / "cases.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in (
        {"spec": "ciw_2019", "title": "Shipped id", "opened_on": "2026-05-01"},
        {"spec": "specs/review.toml", "title": "Relative path", "opened_on": "2026-05-01"},
        {"spec": "ciw_2018", "title": "Unknown id", "opened_on": "2026-05-01"})) + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    db = tmp_path / "register.db"
    proc = regflow("import", lines, "--db", db, "--today", TODAY, "--quiet", cwd=elsewhere)
    assert "imported 2 cases" in proc.stdout and proc.returncode == 1
    assert f"{lines}:3: 'ciw_2018' is neither a spec file in {folder} nor a spec shipped" in proc.stderr
    with Register(db, readonly=True) as reg:
        assert sorted(r["spec_id"] for r in reg.list_cases()) == ["ciw_2019", "review"]
