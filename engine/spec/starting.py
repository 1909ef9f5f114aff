"""Starting a new spec file: from a template (``specs/templates``), or as a variant of an
existing spec (a file that ``extends`` it and writes only what differs).

The command line (``regflow new-spec``) and the spec editor's New spec dialog both start here,
so that a new file is the same whichever way it was made. Nothing is ever written over an
existing file.
"""

from __future__ import annotations

import os
from pathlib import Path

import tomli_w

from ..errors import RegflowError
from .editing import SpecDocument
from .loader import read_toml


def templates() -> dict[str, str]:
    """The templates a spec starts from, by name, each with its title in words."""
    from regflow.specs import templates as files

    return {name: str(read_toml(os.fspath(path))[1]["process"]["title"])
            for name, path in files().items()}


def bases() -> dict[str, str]:
    """The shipped specs a variant may start from: their files, each with its title."""
    from regflow.specs import shipped

    return {os.fspath(path): str(read_toml(os.fspath(path))[1]["process"]["title"])
            for path in shipped().values()}


def from_template(name: str, out: str | os.PathLike[str], title: str | None = None) -> Path:
    """Write a new spec at ``out`` from template ``name`` (its comments and layout kept), with
    ``title`` and an identifier made from it if given."""
    from regflow.specs import templates as files

    known = files()
    if name not in known:
        raise RegflowError(f"unknown template '{name}'; templates: " + ", ".join(sorted(known)))
    out = _new_file(out)
    doc = SpecDocument(known[name].read_text(encoding="utf-8"))
    doc.set(("$schema",), _schema_for(out))
    if title:
        doc.set(("process", "title"), title)
        doc.set(("process", "id"), doc.propose_name("", title))
    _write(out, doc.text())
    return out


def as_variant(base: str | os.PathLike[str], out: str | os.PathLike[str], title: str) -> Path:
    """Write a new spec at ``out`` that extends the spec at ``base`` (a shipped spec by its id,
    else by its path from the new file) and changes nothing yet: a new id, title and version."""
    from regflow.specs import shipped

    base, out = Path(base).resolve(), _new_file(out)
    _text, data = read_toml(os.fspath(base))  # a base that does not read is said now
    shipped_id = next((name for name, path in shipped().items() if path.resolve() == base), None)
    extends = shipped_id or Path(os.path.relpath(base, out.resolve().parent)).as_posix()
    version = f"{data.get('process', {}).get('version', '1')}-variant"
    document = {"$schema": _schema_for(out), "extends": extends,
                "process": {"id": SpecDocument("").propose_name("", title),
                            "title": title, "version": version}}
    _write(out, tomli_w.dumps(document))
    return out


def _new_file(out: str | os.PathLike[str]) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".toml":
        raise RegflowError(f"'{out}': a spec is a .toml file")
    if out.exists():
        raise RegflowError(f"{out} exists already; regflow does not write over a spec: "
                           "choose another name")
    return out


def _schema_for(out: Path) -> str:
    """The published JSON Schema, from the new file's folder (editors complete keys with it)."""
    from regflow.specs import HERE

    schema = HERE / "regflow-spec.schema.json"
    return Path(os.path.relpath(schema, out.resolve().parent)).as_posix()


def _write(out: Path, text: str) -> None:
    try:
        with open(out, "x", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        raise RegflowError(f"cannot write {out}: {err.strerror}") from None
