"""Registers on a PostgreSQL server (the test run's own, see tests/pg_cluster.py): every command
through a URL, a password from the environment or ~/.pgpass and never shown, a new register
made on an empty database only when a change is stored, several processes making it at once."""

import os
import subprocess
import sys
import textwrap
import time
from datetime import date

import pytest
from sqlalchemy.engine import make_url

from regflow.engine.register.api import Register

from conftest import REVIEW

TODAY = "2027-06-01"


def regflow(*args, env=None):
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, **(env or {})})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def with_password(url: str, password: str) -> str:
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def test_every_command_on_a_server_and_a_register_made_by_the_first_change(pg_cluster):
    url = pg_cluster.new_database()
    proc = regflow("case", "list", "--db", url, "--today", TODAY)
    assert proc.returncode == 1 and "is an empty database, not a register" in proc.stderr
    proc = regflow("case", "new", "--spec", "missing.toml", "--title", "X", "--db", url)
    assert proc.returncode == 1
    with Register(url, create=False, create_on_write=True) as reg:
        assert not reg.exists  # the failed command made no tables
    proc = regflow("case", "new", "--spec", REVIEW, "--title", "Alpha Council", "--on",
                   "2026-03-02", "--db", url, "--today", TODAY)
    assert proc.returncode == 0 and "opened case 1" in proc.stdout
    for command in (["case", "fire", "1", "fieldwork_started", "--on", "2026-03-30"],
                    ["case", "list"], ["case", "show", "1"], ["due", "--within", "100d"]):
        proc = regflow(*command, "--db", url, "--today", TODAY)
        assert proc.returncode == 0, (command, proc.stderr)
    assert "Alpha Council" in regflow("case", "list", "--db", url, "--today", TODAY).stdout


def test_a_password_is_never_shown(pg_cluster):
    url = pg_cluster.new_database()
    wrong = with_password(url, "hunter2-secret")
    proc = regflow("case", "list", "--db", wrong, env={"PGPASSWORD": ""})
    assert proc.returncode == 1 and "password authentication failed" in proc.stderr
    assert "hunter2-secret" not in proc.stdout + proc.stderr
    gone = with_password(url.rsplit("/", 1)[0] + "/no_such_db", pg_cluster.password)
    proc = regflow("case", "list", "--db", gone)
    assert proc.returncode == 1 and "no_such_db" in proc.stderr
    assert pg_cluster.password not in proc.stdout + proc.stderr


def test_the_password_can_come_from_pgpass(pg_cluster, tmp_path):
    url = pg_cluster.new_database()
    home = tmp_path / "home"
    home.mkdir()
    pgpass = home / ".pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_cluster.port}:*:regflow:{pg_cluster.password}\n")
    pgpass.chmod(0o600)
    proc = regflow("case", "new", "--spec", REVIEW, "--title", "Alpha Council", "--on",
                   "2026-03-02", "--db", url, "--today", TODAY,
                   env={"PGPASSWORD": "", "HOME": str(home)})
    assert proc.returncode == 0, proc.stderr


CREATOR = textwrap.dedent('''
    import os, sys, time
    from datetime import date
    from regflow.engine.register.api import Register
    url, spec, name, go = sys.argv[1:5]
    while not os.path.exists(go):
        time.sleep(0.001)
    with Register(url, today=date(2027, 6, 1)) as reg:
        print(reg.new_case(spec, name, date(2026, 3, 2)).id)
''')


def test_processes_making_the_same_new_register_on_a_server_at_once(pg_cluster, tmp_path):
    url, go, script = pg_cluster.new_database(), tmp_path / "go", tmp_path / "creator.py"
    script.write_text(CREATOR)
    procs = [subprocess.Popen([sys.executable, str(script), url, str(REVIEW), f"Case {n}",
                               str(go)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(5)]
    go.touch()
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outcomes]
    assert sorted(int(out) for out, _ in outcomes) == [1, 2, 3, 4, 5]


def seen_within_a_second(watcher: Register) -> bool:
    """Whether ``watcher`` hears of a change within a second (a notification takes a moment to
    travel from the writer's commit through the server to the listening connection)."""
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        if watcher.changed():
            return True
        time.sleep(0.005)
    return False


def test_live_updates_see_other_connections_changes(pg_cluster):
    url = pg_cluster.new_database()
    with Register(url, today=date(2027, 6, 1)) as watcher, \
            Register(url, today=date(2027, 6, 1)) as other:
        cid = other.new_case(REVIEW, "Alpha Council", date(2026, 3, 2)).id
        watcher.changed()
        assert not seen_within_a_second(watcher)
        other.fire(cid, "fieldwork_started", date(2026, 3, 30))
        assert seen_within_a_second(watcher)
        assert not watcher.changed()  # one notification for the whole append
        other.new_case(REVIEW, "Bravo Borough", date(2026, 3, 2))
        assert seen_within_a_second(watcher)


@pytest.mark.parametrize("kind", ["sqlite"])
def test_live_updates_on_sqlite_too(tmp_path, kind):
    db = tmp_path / "register.db"
    with Register(db, today=date(2027, 6, 1)) as watcher, \
            Register(db, today=date(2027, 6, 1)) as other:
        cid = other.new_case(REVIEW, "Alpha Council", date(2026, 3, 2)).id
        watcher.changed()
        assert not watcher.changed()
        other.fire(cid, "fieldwork_started", date(2026, 3, 30))
        assert watcher.changed() and not watcher.changed()


def test_a_read_only_role_reads_and_every_change_is_refused_in_words(pg_cluster):
    url = pg_cluster.new_database()
    with Register(url, today=date(2026, 6, 1)) as reg:  # a time-driven step falls due later
        cid = reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2)).id
        reg.fire(cid, "fieldwork_started", date(2026, 3, 30))
    analyst = pg_cluster.read_only_role(url, "analyst-pw")
    env = {"PGPASSWORD": "analyst-pw"}
    for command in (["case", "list"], ["case", "show", "1"], ["due"]):
        proc = regflow(*command, "--db", analyst, "--today", TODAY, env=env)
        assert proc.returncode == 0, (command, proc.stderr)
    for command in (["case", "fire", "1", "fieldwork_completed", "--on", "2026-12-18", "--set",
                     "concern=none"],
                    ["case", "new", "--spec", REVIEW, "--title", "Bravo", "--on", "2026-03-02"]):
        proc = regflow(*command, "--db", analyst, "--today", TODAY, env=env)
        assert proc.returncode == 1, command
        assert "may be read but not changed by you" in proc.stderr
        assert "nothing was saved" in proc.stderr and "analyst-pw" not in proc.stderr
    with Register(url, today=date(2027, 6, 1)) as reg:
        assert reg.get(cid).version == 1 and reg.count_cases() == 1


def test_other_databases_and_a_server_that_does_not_answer_are_said_in_words():
    proc = regflow("case", "list", "--db", "mysql://ann:hunter2@db.example/register")
    assert proc.returncode == 1 and "in SQLite files or on PostgreSQL" in proc.stderr
    proc = regflow("case", "list", "--db", "postgres://ann:hunter2@127.0.0.1:1/register")
    assert proc.returncode == 1 and "Connection refused" in proc.stderr
    for out in (proc.stdout, proc.stderr):
        assert "hunter2" not in out
