"""Who holds which roles, recorded in the register (schema 4) on SQLite and on PostgreSQL: set
and read by name, every change kept with who made it, unknown roles refused in words, older
registers upgraded in place, and on PostgreSQL every writer announcing its changes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from regflow.engine.register.api import Register, UnknownRole
from regflow.engine.register.storage import SCHEMA_VERSION, ReadOnlyRegister

from conftest import REVIEW

TODAY = date(2027, 6, 1)


def regflow(*args):
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", *map(str, args)],
                          capture_output=True, text=True, env=os.environ.copy())
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_roles_are_kept_in_the_register_for_everyone(register_url):
    with Register(register_url, today=TODAY) as reg:
        reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
        assert reg.role_labels() == ["Council", "Lead inspector"]
        assert reg.user("Ann Jones") is None and reg.users() == []
        ann = reg.set_roles("Ann  Jones", ["lead"], by="Mo Manager")  # by id
        assert (ann.name, ann.roles, ann.changed_by) == ("Ann Jones", ("Lead inspector",),
                                                         "Mo Manager")
    with Register(register_url, today=TODAY) as other:  # another desktop
        found = other.user("ann jones")  # spacing and letter case aside
        assert found is not None and found.roles == ("Lead inspector",)
        assert found.changed_by == "Mo Manager" and found.changed_at.tzinfo is not None
        other.set_roles("ANN JONES", ["council", "Lead inspector", "Council"], by="Ann Jones")
        other.set_roles("Bo Berry", [], by="Mo Manager")
        assert [(u.name, u.roles) for u in other.users()] == [
            ("ANN JONES", ("Council", "Lead inspector")), ("Bo Berry", ())]
        history = other.user_history("Ann Jones")
        assert [(h.roles, h.changed_by) for h in history] == [
            (("Lead inspector",), "Mo Manager"), (("Council", "Lead inspector"), "Ann Jones")]
        assert len(other.user_history()) == 3


def test_an_unknown_role_or_a_missing_name_is_refused_in_words(register_url):
    with Register(register_url, today=TODAY) as reg:
        with pytest.raises(UnknownRole, match="the register has no processes yet"):
            reg.set_roles("Ann Jones", ["Lead inspector"], by="Mo")
        reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
        with pytest.raises(UnknownRole) as info:
            reg.set_roles("Ann Jones", ["Lead inspecter"], by="Mo")
        assert str(info.value) == ("'Lead inspecter' is not a role of this register's processes; "
                                   "they name: Council, Lead inspector (did you mean "
                                   "'Lead inspector'?)")
        with pytest.raises(Exception, match="a user needs a name"):
            reg.set_roles("  ", ["Council"], by="Mo")
        with pytest.raises(Exception, match="say who is changing the roles"):
            reg.set_roles("Ann Jones", ["Council"], by=" ")
        assert reg.users() == [] and reg.user_history() == []


def test_a_read_only_register_refuses_role_changes(tmp_path):
    db = tmp_path / "r.db"
    with Register(db, today=TODAY) as reg:
        reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
        reg.set_roles("Ann Jones", ["Council"], by="Mo")
    with Register(db, today=TODAY, readonly=True) as reader:
        assert reader.user("Ann Jones").roles == ("Council",)
        with pytest.raises(ReadOnlyRegister, match="nothing was saved"):
            reader.set_roles("Ann Jones", ["Lead inspector"], by="Ann Jones")


def as_schema_3(url: str) -> None:
    """Turn a register back into what schema 3 wrote: no users, no announcing triggers."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE user_changes"))
        conn.execute(text("DROP TABLE users"))
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION regflow_announce_change() CASCADE"))
        conn.execute(text("UPDATE regflow_meta SET value = '3' WHERE key = 'schema_version'"))
    engine.dispose()


def test_a_schema_3_register_is_upgraded_in_place(register_url):
    with Register(register_url, today=TODAY) as reg:
        cid = reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2)).id
        reg.fire(cid, "fieldwork_started", date(2026, 3, 30))
    url = register_url if "://" in register_url else f"sqlite:///{register_url}"
    as_schema_3(url)
    with Register(register_url, today=TODAY, readonly=True) as reader:  # read as it is
        assert reader.users() == [] and reader.user("Ann Jones") is None
        assert reader.get(cid).version == 1
        reader.changed()  # no announcing triggers yet on a server: live updates all the same
        with Register(register_url, today=TODAY) as again:  # a writer upgrades it
            assert again.get(cid).version == 1
            again.set_roles("Ann Jones", ["Council"], by="Mo")
            again.new_case(REVIEW, "Bravo Borough", date(2026, 3, 2))
        assert heard(reader)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM regflow_meta WHERE key = 'schema_version'")
                            ).scalar() == str(SCHEMA_VERSION) == "4"
        assert {"users", "user_changes"} <= set(inspect(conn).get_table_names())
        if conn.dialect.name == "postgresql":
            triggers = conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                                         )).scalars().all()
            assert sorted(triggers) == ["regflow_cases_changed", "regflow_events_changed",
                                        "regflow_users_changed"]
    engine.dispose()


UPGRADER = """
import os, sys, time
from datetime import date
from regflow.engine.register.api import Register
url, go, name = sys.argv[1:4]
while not os.path.exists(go):
    time.sleep(0.001)
with Register(url, today=date(2027, 6, 1), create=False) as reg:
    reg.set_roles(name, ["Council"], by=name)
"""


def test_processes_upgrading_the_same_register_at_once(register_url, tmp_path):
    with Register(register_url, today=TODAY) as reg:
        reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
    url = register_url if "://" in register_url else f"sqlite:///{register_url}"
    as_schema_3(url)
    go, script = tmp_path / "go", tmp_path / "upgrader.py"
    script.write_text(UPGRADER)
    procs = [subprocess.Popen([sys.executable, str(script), register_url, str(go), f"User {n}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(3)]
    go.touch()
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outcomes]
    with Register(register_url, today=TODAY) as reg:
        assert [u.name for u in reg.users()] == [f"User {n}" for n in range(3)]


def test_a_register_of_schema_4_missing_its_users_table_is_refused(tmp_path):
    db = tmp_path / "r.db"
    with Register(db, today=TODAY) as reg:
        reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
    with sqlite3.connect(db) as conn:
        conn.execute("drop table users")
    with pytest.raises(Exception, match=r"incomplete regflow register \(missing tables: users\)"):
        Register(db, today=TODAY)


def test_the_users_command_sets_lists_and_shows_history(register_url):
    with Register(register_url, today=TODAY) as reg:
        reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
    proc = regflow("users", "set", "Ann Jones", "--role", "Lead inspector", "--role", "council",
                   "--actor", "Mo Manager", "--db", register_url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Ann Jones now holds: Council, Lead inspector\n"
    proc = regflow("users", "set", "Bo Berry", "--actor", "Mo Manager", "--db", register_url)
    assert proc.returncode == 0 and proc.stdout == "Bo Berry now holds no role\n"
    proc = regflow("users", "list", "--db", register_url)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["user", "roles", "changed", "by"]
    assert lines[2].startswith("Ann Jones") and "Council, Lead inspector" in lines[2]
    assert lines[2].rstrip().endswith("Mo Manager") and lines[3].startswith("Bo Berry")
    proc = regflow("users", "set", "Ann Jones", "--role", "inspector", "--db", register_url)
    assert proc.returncode == 1
    assert "'inspector' is not a role of this register's processes" in proc.stderr
    proc = regflow("users", "history", "Ann Jones", "--db", register_url)
    assert proc.returncode == 0 and "Council, Lead inspector" in proc.stdout
    proc = regflow("users", "list", "--json", "--db", register_url)
    assert '"name": "Ann Jones"' in proc.stdout and '"changed_by": "Mo Manager"' in proc.stdout


def test_a_read_only_role_on_a_server_may_not_change_roles(pg_cluster):
    url = pg_cluster.new_database()
    with Register(url, today=TODAY) as reg:
        reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
        reg.set_roles("Ann Jones", ["Council"], by="Mo")
    analyst = pg_cluster.read_only_role(url, "analyst-pw")
    env = {**os.environ, "PGPASSWORD": "analyst-pw"}
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", "users", "set", "Ann Jones",
                           "--role", "Lead inspector", "--db", analyst], capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 1 and "may be read but not changed by you" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", "users", "list", "--db", analyst],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and "Ann Jones" in proc.stdout
    # an analyst's app hears of changes too (LISTEN needs no grant)
    writer_url = make_url(url).set(password=pg_cluster.password).render_as_string(
        hide_password=False)
    os.environ["PGPASSWORD"] = "analyst-pw"
    try:
        with Register(analyst, today=TODAY, readonly=True) as reader, \
                Register(writer_url, today=TODAY) as writer:
            reader.changed()
            writer.set_roles("Ann Jones", ["Lead inspector"], by="Mo")
            assert heard(reader) and reader.user("Ann Jones").roles == ("Lead inspector",)
    finally:
        os.environ["PGPASSWORD"] = pg_cluster.password


def test_a_role_granted_before_schema_4_is_told_what_to_ask_for(pg_cluster):
    import psycopg

    url = pg_cluster.new_database()
    with Register(url, today=TODAY) as reg:
        reg.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
    analyst = pg_cluster.read_only_role(url, "analyst-pw")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"),
                         password=pg_cluster.password, autocommit=True) as admin:
        role = make_url(analyst).username  # as if granted before the tables existed
        admin.execute(f"REVOKE SELECT ON users, user_changes FROM {role}")
    env = {**os.environ, "PGPASSWORD": "analyst-pw"}
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", "users", "list", "--db", analyst],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "you may not read the register's users and roles" in proc.stderr
    assert "GRANT SELECT ON users, user_changes" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", "case", "list", "--db", analyst],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and "Alpha Council" in proc.stdout  # the cases still read


# -- PostgreSQL: every writer announces its changes ----------------------------------------


def heard(watcher: Register, within: float = 1.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if watcher.changed():
            return True
        time.sleep(0.005)
    return False


def test_every_kind_of_writer_is_heard_on_postgresql(pg_cluster, tmp_path):
    import psycopg

    url = pg_cluster.new_database()
    with Register(url, today=date(2026, 6, 1)) as watcher, \
            Register(url, today=date(2026, 6, 1)) as other:
        cid = other.new_case(REVIEW, "Alpha Council", date(2026, 3, 2)).id
        watcher.changed()  # starts listening
        assert not heard(watcher, 0.3)  # nothing changed: nothing heard
        other.fire(cid, "fieldwork_started", date(2026, 3, 30))
        assert heard(watcher)
        other.fire(cid, "fieldwork_completed", date(2026, 4, 10), {"concern": "significant"})
        other.fire(cid, "report_published", date(2026, 4, 20))
        other.fire(cid, "notice_given", date(2026, 4, 21))  # reviewed 90 days later
        assert heard(watcher)
        other.set_roles("Ann Jones", ["Council"], by="Mo")
        assert heard(watcher)
        result = other.import_cases(iter([("line 1", {
            "spec": str(REVIEW), "title": "Bravo Borough", "opened_on": "2026-03-02"})]),
            workers=1)
        assert result.cases == 1 and heard(watcher)
        with Register(url, today=date(2027, 6, 1)) as later:  # time-driven steps caught up
            assert later.catch_up() >= 1
        assert heard(watcher)
        assert not heard(watcher, 0.3)
        # another program writing with SQL of its own is heard too
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"),
                             password=pg_cluster.password, autocommit=True) as conn:
            conn.execute("UPDATE cases SET title = 'Alpha County' WHERE id = %s", (cid,))
        assert heard(watcher)


def test_a_listening_connection_that_breaks_counts_as_a_change_and_listens_again(pg_cluster):
    import psycopg

    url = pg_cluster.new_database()
    with Register(url, today=TODAY) as watcher, Register(url, today=TODAY) as other:
        other.new_case(REVIEW, "Alpha Council", date(2026, 3, 2))
        watcher.changed()
        pid = watcher._watch.info.backend_pid
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"),
                             password=pg_cluster.password, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert heard(watcher)  # what happened meanwhile is unknown: read again
        watcher.changed()  # listening again, on a new connection
        other.new_case(REVIEW, "Bravo Borough", date(2026, 3, 2))
        assert heard(watcher)
