"""Shared fixtures: the small test spec (tests/data/review.toml) and variants of it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from regflow.engine import SpecError, load_spec

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
REVIEW = DATA / "review.toml"


@pytest.fixture(scope="session")
def review():
    return load_spec(REVIEW)


@pytest.fixture
def variant(tmp_path):
    """Load review.toml with text replaced: ``variant(("old", "new"), ...)`` -> Spec."""

    def make(*replacements: tuple[str, str], append: str = "") -> object:
        text = REVIEW.read_text()
        for old, new in replacements:
            assert old in text, f"test set-up: {old!r} not in review.toml"
            text = text.replace(old, new, 1)
        path = tmp_path / "variant.toml"
        path.write_text(text + append)
        return load_spec(path)

    return make


@pytest.fixture
def problems(variant):
    """The problems a variant of review.toml has (it must have some)."""

    def make(*replacements: tuple[str, str], append: str = ""):
        with pytest.raises(SpecError) as info:
            variant(*replacements, append=append)
        return info.value.problems

    return make


def rows(case, today, ident: str):
    """Every row of timescale ``ident`` on ``case`` as of ``today`` (there must be one)."""
    found = [r for r in case.timescales(today) if r.id == ident]
    assert found, f"no timescale {ident!r}"
    return found


def row(case, today, ident: str, occurrence: int | None = None):
    """The single row of timescale ``ident``, or its row number ``occurrence``."""
    found = rows(case, today, ident)
    if occurrence is None:
        (only,) = found
        return only
    return next(r for r in found if r.occurrence == occurrence)


def seed_text(name: str) -> str:
    """A source document from shared/seeds beside the repository; skips the test without it."""
    path = ROOT.parent / "shared" / "seeds" / name
    if not path.exists():
        pytest.skip(f"source document {name} not beside the repository (shared/seeds)")
    return path.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle`` in ``text``."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not found")


# -- registers on SQLite and on PostgreSQL -------------------------------------------------


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL server of the test run's own (see tests/pg_cluster.py); the password is in
    PGPASSWORD for this process and its children. Skipped, with the reason, where none can run."""
    import os

    import pg_cluster as pg

    reason = pg.why_not()
    if reason:
        pytest.skip(reason)
    cluster = pg.Cluster()
    try:
        cluster.start()
    except RuntimeError as err:
        cluster.stop()
        pytest.skip(f"PostgreSQL could not be started here: {err}")
    old = os.environ.get("PGPASSWORD")
    os.environ.update(cluster.environ())
    yield cluster
    if old is None:
        os.environ.pop("PGPASSWORD", None)
    else:
        os.environ["PGPASSWORD"] = old
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def register_url(request, tmp_path) -> str:
    """Where a test's register lives: a new SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "register.db")
    return request.getfixturevalue("pg_cluster").new_database()


@pytest.fixture
def read_only():
    """Makes a file read-only even for root (who may write any file whatever its mode):
    chattr +i as root, chmod 444 otherwise; undone afterwards so the folder can be removed."""
    made = []

    def make(path: Path) -> None:
        if os.geteuid() == 0:
            proc = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
            if proc.returncode != 0:
                pytest.skip(f"cannot make a file read-only for root here (chattr: "
                            f"{proc.stderr.strip() or 'not available'})")
        else:
            os.chmod(path, 0o444)
        made.append(path)

    yield make
    for path in made:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        os.chmod(path, 0o644)
