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


# -- third-party plugins, installed for a test through their entry points --------------------

PLUGIN_EXAMPLE = Path(__file__).parent / "plugin_example"


def install_plugin(folder: Path, project: Path | None = None, module: str = "",
                   source: str = "", name: str = "", plugin: str = "",
                   version: str = "0.1") -> Path:
    """Make ``folder`` an installation of a plugin that importlib.metadata finds on sys.path:
    the package (copied from ``project``, a folder with a pyproject.toml, or the single module
    ``module`` with ``source``) and a dist-info with the ``regflow`` entry point from its
    pyproject (or distribution ``name``, entry point ``plugin = module``). The same as ``pip install --target``, without
    needing a network or a wheel builder."""
    import shutil
    import tomllib

    folder.mkdir(parents=True, exist_ok=True)
    if project is not None:
        meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
        name, version = meta["name"], meta["version"]
        entries = meta["entry-points"]["regflow"]
        for package in tomllib.loads((project / "pyproject.toml").read_text())["tool"][
                "setuptools"]["packages"]:
            shutil.copytree(project / package, folder / package, dirs_exist_ok=True)
    else:
        entries = {plugin: module}
        (folder / f"{module}.py").write_text(source)
    dist = folder / f"{name.replace('-', '_')}-{version}.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (dist / "entry_points.txt").write_text(
        "[regflow]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()))
    return folder


def reload_plugins() -> None:
    """Forget the plugin manager and what it answered, so entry points are read again."""
    import importlib

    from regflow.engine.cases.calendars import calendar
    from regflow.plugins.manager import plugin_manager, take_failures

    importlib.invalidate_caches()
    plugin_manager.cache_clear()
    calendar.cache_clear()
    take_failures()


@pytest.fixture
def on_path(monkeypatch):
    """``on_path(folder)``: plugins installed in ``folder`` are loaded from now to the end of
    the test, then forgotten."""
    import sys

    added: list[str] = []

    def use(folder: Path) -> None:
        monkeypatch.syspath_prepend(str(folder))
        added.append(str(folder))
        reload_plugins()

    yield use
    for folder in added:
        for mod in [m for m, v in sys.modules.items()
                    if (getattr(v, "__file__", None) or "").startswith(folder)]:
            del sys.modules[mod]
    monkeypatch.undo()
    reload_plugins()


@pytest.fixture(scope="session")
def example_plugin_dir(tmp_path_factory) -> Path:
    return install_plugin(tmp_path_factory.mktemp("site") / "example", project=PLUGIN_EXAMPLE)


@pytest.fixture
def example_plugin(example_plugin_dir, on_path):
    """The example third-party plugin (tests/plugin_example), found through its entry point."""
    on_path(example_plugin_dir)
    import regflow_example_plugin

    regflow_example_plugin.HEARD.clear()
    return regflow_example_plugin


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
