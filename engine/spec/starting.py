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
    ``title`` and an identifier made from it if given, else an identifier made from the
    file's name (two specs started from one template do not share an id)."""
    from regflow.specs import templates as files

    known = files()
    if name not in known:
        raise RegflowError(f"unknown template '{name}'; templates: " + ", ".join(sorted(known)))
    out = _new_file(out)
    doc = SpecDocument(known[name].read_text(encoding="utf-8"))
    schema = _schema_for(out)
    if schema is not None:
        doc.set(("$schema",), schema)
    elif "$schema" in doc.doc:
        doc.delete(("$schema",))
    if title:
        doc.set(("process", "title"), title)
    doc.set(("process", "id"), doc.propose_name("", title or out.stem))
    _write(out, doc.text().lstrip("\n"))  # no blank first line where "$schema" was
    return out


def as_variant(base: str | os.PathLike[str], out: str | os.PathLike[str],
               title: str | None = None) -> Path:
    """Write a new spec at ``out`` that extends ``base`` (a spec file, or a shipped spec's id as
    :func:`~regflow.engine.spec.variants.spec_reference` reads it; a shipped spec is named by
    its id, else by its path from the new file) and changes nothing yet: a new id, title and
    version. Without ``title``, the base's title marked as a variant, the id from the file's
    name."""
    from regflow.specs import shipped

    from .variants import VARIANT_PREFIX, installed_variants, spec_reference

    ref = spec_reference(base)
    if ref.startswith(VARIANT_PREFIX):
        # a rule variant in code is a plugin's function: a spec file cannot extend it
        found = installed_variants().get(ref[len(VARIANT_PREFIX):])
        raise RegflowError(f"'{ref}' is a rule variant in code (from a plugin); a variant "
                           "file extends a spec file or a shipped spec"
                           + (f": try {found.base}" if found else ""))
    base, out = Path(ref).resolve(), _new_file(out)
    _text, data = read_toml(os.fspath(base))  # a base that does not read is said now
    shipped_id = next((name for name, path in shipped().items() if path.resolve() == base), None)
    extends = shipped_id or Path(os.path.relpath(base, out.resolve().parent)).as_posix()
    process = data.get("process", {})
    version = f"{process.get('version', '1')}-variant"
    name = SpecDocument("").propose_name("", title or out.stem)
    title = title or f"{process.get('title', base.stem)} (variant)"
    schema = _schema_for(out)
    document = {**({"$schema": schema} if schema is not None else {}), "extends": extends,
                "process": {"id": name, "title": title, "version": version}}
    _write(out, tomli_w.dumps(document))
    return out


def _new_file(out: str | os.PathLike[str]) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".toml":
        raise RegflowError(f"'{out}': a spec is a .toml file")
    if out.exists():
        raise RegflowError(f"{out} exists already; regflow does not write over a spec: "
                           "choose another name")
    if not out.parent.is_dir():
        raise RegflowError(f"cannot write {out}: the folder {out.parent} does not exist"
                           if not out.parent.exists() else
                           f"cannot write {out}: {out.parent} is not a folder")
    return out


def _schema_for(out: Path) -> str | None:
    """The published JSON Schema as a path from the new file (editors check and complete keys
    with it), only for a file inside the project that holds the schema (its specs travel with
    it); None for a file anywhere else, which would carry a path into this installation that
    breaks once the file is shared (the README says how an editor is pointed at the schema)."""
    from regflow.specs import HERE

    schema = HERE / "regflow-spec.schema.json"
    project, folder = HERE.parent.resolve(), out.resolve().parent
    if not folder.is_relative_to(project) or _installed(project):
        return None
    return Path(os.path.relpath(schema, folder)).as_posix()


def _installed(folder: Path) -> bool:
    """Whether ``folder`` is inside an installation's packages (site-packages): no one's
    project, however the file is placed there."""
    return any(part in ("site-packages", "dist-packages") for part in folder.parts)


def _write(out: Path, text: str) -> None:
    try:
        with open(out, "x", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        raise RegflowError(f"cannot write {out}: {err.strerror}") from None
