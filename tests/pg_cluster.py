"""A throwaway PostgreSQL server for the tests: initdb and pg_ctl in a temporary folder.

The Debian ``postgresql`` package provides the programs (``make setup`` installs it as root).
PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user (or
``nobody``) through ``runuser``. Clients log in with a password that only the environment
(``PGPASSWORD``) carries: never in a URL, as a user of regflow would.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "regflow"

#: a role that may read every table of a register and change none (as in the README)
READ_ONLY_ROLE = """
CREATE ROLE {role} LOGIN PASSWORD '{password}';
GRANT CONNECT ON DATABASE "{database}" TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}
"""


def programs() -> Path | None:
    """The folder of initdb and pg_ctl (on PATH, or Debian's /usr/lib/postgresql/N/bin)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def why_not() -> str | None:
    """Why no server can be started here (None if one can)."""
    if programs() is None:
        return ("PostgreSQL is not installed (initdb not found): on Debian/Ubuntu "
                "'apt-get install postgresql', which 'make setup' runs as root")
    if os.geteuid() == 0 and _runner() is None:
        return "running as root with no 'postgres' or 'nobody' user to run PostgreSQL as"
    return None


def _runner() -> str | None:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One server in a temporary folder, stopped and removed by :meth:`stop`."""

    def __init__(self) -> None:
        self.bin = programs()
        self.folder = Path(tempfile.mkdtemp(prefix="regflow-pg-"))
        self.port = _free_port()
        self.password = secrets.token_urlsafe(16)
        self.as_user = _runner() if os.geteuid() == 0 else None
        self._count = 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    def start(self) -> Cluster:
        if self.as_user:
            record = pwd.getpwnam(self.as_user)
            os.chown(self.folder, record.pw_uid, record.pw_gid)
        secret = self.folder / "pw"
        secret.write_text(self.password)
        if self.as_user:
            os.chown(secret, pwd.getpwnam(self.as_user).pw_uid, -1)
        data = self.folder / "data"
        done = self._run("initdb", "-D", str(data), "-U", USER, "--pwfile", str(secret),
                         "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                         "--no-sync")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
        secret.unlink()
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=60")
        done = self._run("pg_ctl", "-D", str(data), "-o", options, "-l",
                         str(self.folder / "server.log"), "-w", "-t", "60", "start")
        if done.returncode:
            log = (self.folder / "server.log")
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} "
                               f"{log.read_text() if log.exists() else ''}")
        return self

    def url(self, database: str = "postgres") -> str:
        """A URL without the password (it comes from PGPASSWORD, see :meth:`environ`)."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def environ(self) -> dict[str, str]:
        return {"PGPASSWORD": self.password}

    def new_database(self, like: str | None = None) -> str:
        """A new database's URL: empty, or a copy of the database at URL ``like`` (which
        nobody may be connected to: PostgreSQL copies it as a template, file by file)."""
        import psycopg
        from sqlalchemy.engine import make_url

        self._count += 1
        name = f"register_{self._count}"
        copy = f' TEMPLATE "{make_url(like).database}"' if like else ""
        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                             password=self.password, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def read_only_role(self, url: str, password: str) -> str:
        """A role that may read the register at ``url`` and change nothing (the SQL of the
        README); the URL to log in as it (its password in PGPASSWORD)."""
        import psycopg
        from sqlalchemy.engine import make_url

        database = make_url(url).database
        role = f"analyst_{database}"  # roles belong to the server, not to one database
        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname=database,
                             password=self.password, autocommit=True) as conn:
            for statement in READ_ONLY_ROLE.format(role=role, password=password,
                                                   database=database).strip().split(";\n"):
                conn.execute(statement)
        return make_url(url).set(username=role).render_as_string(hide_password=False)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def benchmark_server():
    """A throwaway server for a benchmark's PostgreSQL part, its environment set (None, and
    the reason printed, where PostgreSQL cannot run here); stopped afterwards."""
    reason = why_not()
    if reason:
        print(f"\nPostgreSQL: not measured ({reason})")
        yield None
        return
    cluster = Cluster().start()
    os.environ.update(cluster.environ())
    try:
        print()
        yield cluster
    finally:
        cluster.stop()
