"""Rule variants: a spec that ``extends`` another and overrides or adds parts, without code.

A variant file names its base (a path relative to itself, or a shipped spec id) and writes only
what differs::

    extends = "ciw_2019.toml"

    [process]
    id = "ciw_2019_pilot"
    version = "2027-pilot"

    [[timescales]]
    id = "draft_report"
    within = "30 working days"

Tables of named things (``paragraphs``, ``roles``, ``facts``, ``states``, ``events``) merge
entry by entry, field by field; ``timescales`` merge by ``id``; ``transitions`` are added,
and a base transition is dropped by writing its ``from``, ``event`` and ``to`` with
``remove = true`` (so is any named entry or timescale). The result is an ordinary spec,
checked like any other, with every problem located in the file the offending key came from;
a case opened on it is pinned to the resolved text, so it never depends on the base file
again.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any

import tomli_w

from ..errors import Problem, RegflowError, SpecError
from ..suggest import closest
from .tomlsource import Path, SourceMap

if TYPE_CHECKING:
    from .model import Spec

EXTENDS = "extends"
_BY_NAME = ("paragraphs", "roles", "facts", "states", "events")
#: how deep a chain of variants may go (a variant of a variant of ...)
MAX_DEPTH = 8


@dataclass
class Resolved:
    """A variant merged onto its base: the data, its TOML text, and where each key came from."""

    data: dict[str, Any]
    text: str
    base: str  # the base spec's file
    files: list[tuple[str, SourceMap]] = field(default_factory=list)
    #: merged key path -> (index into ``files``, the key path in that file)
    origins: dict[Path, tuple[int, Path]] = field(default_factory=dict)

    def locate(self, where: Path) -> tuple[str, int | None, int | None]:
        """The file, line and column of merged key path ``where`` (the longest known prefix)."""
        for cut in range(len(where), -1, -1):
            origin = self.origins.get(tuple(where[:cut]))
            if origin is None:
                continue
            index, path = origin
            name, source = self.files[index]
            position = source.locate((*path, *where[cut:])) or source.locate(path)
            if position:
                return name, *position
        name, _ = self.files[-1]
        return name, None, None


def is_variant(data: dict[str, Any]) -> bool:
    return isinstance(data, dict) and EXTENDS in data


def resolve(path: str, text: str, data: dict[str, Any], _depth: int = 0) -> Resolved:
    """Merge the variant at ``path`` (its ``text`` and parsed ``data``) onto its base."""
    return merge_onto(resolve_base(path, text, data, _depth), path, text, data)


def resolve_base(path: str, text: str, data: dict[str, Any], _depth: int = 0) -> Resolved:
    """The spec the variant at ``path`` extends, itself resolved if it is a variant too (the
    editor shows a variant's items against it)."""
    from .loader import read_toml  # the loader reads specs; a variant reads its base with it

    base_ref = data.get(EXTENDS)
    if not isinstance(base_ref, str) or not base_ref.strip():
        raise SpecError([Problem("`extends` names the spec this one varies: a file path or a "
                                 "shipped spec id, e.g. extends = \"ciw_2019.toml\"",
                                 EXTENDS, path, *_at(SourceMap(text), (EXTENDS,)))])
    if _depth >= MAX_DEPTH:
        raise SpecError([Problem(f"variants extend each other more than {MAX_DEPTH} deep "
                                 "(is there a loop?)", EXTENDS, path,
                                 *_at(SourceMap(text), (EXTENDS,)))])
    base_path = _base_file(base_ref, path, text)
    base_text, base_data = read_toml(base_path)
    if is_variant(base_data):
        base = resolve(base_path, base_text, base_data, _depth + 1)
    else:
        base = Resolved(base_data, base_text, base_path, [(base_path, SourceMap(base_text))])
        base.origins = {(): (0, ())}
        for section in ("timescales", "transitions"):  # so that removals renumber them
            for k in range(len(base_data.get(section, []) or [])):
                base.origins[(section, k)] = (0, (section, k))
    return base


def merge_onto(base: Resolved, path: str, text: str, data: dict[str, Any]) -> Resolved:
    """The variant at ``path`` merged onto its resolved ``base`` (left as it was)."""
    base_path = base.files[-1][0]  # the file it extends (a variant's own file comes last)
    mine = len(base.files)
    merged = Resolved(copy.deepcopy(base.data), "", base_path,
                      [*base.files, (path, SourceMap(text))], dict(base.origins))
    _merge(merged, data, mine)
    merged.text = tomli_w.dumps(merged.data)
    return merged


def _at(source: SourceMap, where: Path) -> tuple[int | None, int | None]:
    return source.locate(where) or (None, None)


def _base_file(ref: str, path: str, text: str) -> str:
    from regflow.specs import shipped

    candidate = FilePath(path).parent / ref
    if candidate.is_file():
        return os.fspath(candidate)
    known = shipped()
    if ref in known:
        return os.fspath(known[ref])
    names = ", ".join(sorted(known))
    raise SpecError([Problem(f"the spec it extends, '{ref}', is neither a file next to this one "
                             f"nor a shipped spec ({names})", EXTENDS, path,
                             *_at(SourceMap(text), (EXTENDS,)))])


def _merge(out: Resolved, variant: dict[str, Any], mine: int) -> None:
    data = out.data
    for key, value in variant.items():
        if key in (EXTENDS, "$schema"):
            continue
        if key == "process" and isinstance(value, dict) and isinstance(data.get(key), dict):
            for name, item in value.items():
                data[key][name] = item
                out.origins[(key, name)] = (mine, (key, name))
        elif key in _BY_NAME and isinstance(value, dict) and isinstance(data.get(key), dict):
            _merge_named(out, key, value, mine)
        elif key == "timescales" and isinstance(value, list):
            _merge_timescales(out, value, mine)
        elif key == "transitions" and isinstance(value, list):
            _merge_transitions(out, value, mine)
        else:  # a new section, or one of another shape: the variant's, checked as written
            data[key] = value
            out.origins[(key,)] = (mine, (key,))


def _merge_named(out: Resolved, section: str, entries: dict[str, Any], mine: int) -> None:
    table = out.data[section]
    for name, entry in entries.items():
        where = (section, name)
        if isinstance(entry, dict) and entry.get("remove") is True:
            table.pop(name, None)
            continue
        base = table.get(name)
        if isinstance(entry, dict) and isinstance(base, dict):
            base.update(entry)
            for key in entry:
                out.origins[(*where, key)] = (mine, (*where, key))
        else:
            table[name] = entry
            out.origins[where] = (mine, where)


def _merge_timescales(out: Resolved, entries: list[Any], mine: int) -> None:
    merged = out.data.setdefault("timescales", [])
    for i, entry in enumerate(entries):
        where = ("timescales", i)
        ident = entry.get("id") if isinstance(entry, dict) else None
        index = next((k for k, t in enumerate(merged)
                      if isinstance(t, dict) and ident is not None and t.get("id") == ident), None)
        if isinstance(entry, dict) and entry.get("remove") is True:
            if index is not None:
                _drop(out, "timescales", index)
            continue
        if index is None:
            merged.append(entry)
            out.origins[("timescales", len(merged) - 1)] = (mine, where)
        else:
            merged[index].update(entry)
            for key in entry:
                out.origins[("timescales", index, key)] = (mine, (*where, key))


def _transition_key(entry: Any) -> tuple:
    if not isinstance(entry, dict):
        return ()
    sources = entry.get("from")
    sources = tuple(sources) if isinstance(sources, list) else (sources,)
    return sources, entry.get("event"), entry.get("to")


def _merge_transitions(out: Resolved, entries: list[Any], mine: int) -> None:
    merged = out.data.setdefault("transitions", [])
    for i, entry in enumerate(entries):
        if isinstance(entry, dict) and entry.get("remove") is True:
            key = _transition_key(entry)
            found = [k for k, t in enumerate(merged) if _transition_key(t) == key]
            if not found:
                raise SpecError([Problem(
                    "no transition of the base spec has this from, event and to; copy them from "
                    "the transition to remove", f"transitions[{i}]", out.files[mine][0],
                    *_at(out.files[mine][1], ("transitions", i)))])
            for k in reversed(found):
                _drop(out, "transitions", k)
            continue
        merged.append(entry)
        out.origins[("transitions", len(merged) - 1)] = (mine, ("transitions", i))


def _drop(out: Resolved, section: str, index: int) -> None:
    """Remove item ``index`` of an array and renumber the origins of the items after it."""
    del out.data[section][index]
    moved: dict[Path, tuple[int, Path]] = {}
    for path, origin in list(out.origins.items()):
        if len(path) >= 2 and path[0] == section and isinstance(path[1], int) and path[1] >= index:
            del out.origins[path]
            if path[1] > index:
                moved[(section, path[1] - 1, *path[2:])] = origin
    out.origins.update(moved)


# -- variants in code (plugins) ------------------------------------------------------------

#: how a variant offered by a plugin is named where a spec file could be: ``variant:NAME``
VARIANT_PREFIX = "variant:"


@dataclass(frozen=True)
class Variant:
    """A rule variant in code, offered through the ``regflow_variants`` hook: ``apply`` turns
    the base spec's data (a dict, a fresh copy) into the variant's. The result is checked
    like any spec, and a case opened on it is pinned to its text."""

    name: str
    base: str  # a shipped spec id, or a spec file
    label: str
    description: str
    apply: Callable[[dict[str, Any]], dict[str, Any]]


def installed_variants() -> dict[str, Variant]:
    """Every variant the installed plugins offer, by name (the last registered wins)."""
    from regflow.plugins.manager import call_each

    out: dict[str, Variant] = {}
    # a plugin that fails is named and left out, the others' variants still offered
    for _plugin, offered in reversed(call_each("regflow_variants",
                                               "its rule variants are not offered")):
        for variant in offered or ():
            out[variant.name] = variant
    return out


def variant_spec(name: str) -> Spec:
    """The spec of the variant ``name``: its base, transformed by the plugin, then checked."""
    from .loader import loads_spec, read_toml

    known = installed_variants()
    variant = known.get(name)
    if variant is None:
        near = closest(name, known)
        listed = ", ".join(sorted(known)) or "none installed"
        hint = f" (did you mean '{near}'?)" if near else ""
        raise RegflowError(f"unknown variant '{name}'{hint}; variants: {listed}")
    base_path = _base_file(variant.base, os.getcwd() + os.sep, "")
    _text, data = read_toml(base_path)
    try:
        changed = variant.apply(copy.deepcopy(data))
        text = tomli_w.dumps(changed)
    except Exception as err:  # a plugin's fault: say whose, and change nothing
        raise SpecError([Problem(f"the variant '{name}' could not be made: its plugin failed "
                                 f"({type(err).__name__}: {err})", file=base_path)]) from None
    return loads_spec(text, path=f"{base_path} [variant {name}]")


def spec_reference(ref: str | os.PathLike[str], folder: str | os.PathLike[str] | None = None
                   ) -> str:
    """What ``ref`` names: ``variant:NAME`` as it is, a spec file (a relative path taken from
    ``folder`` if given), or the file of the shipped spec of that id (``ciw_2019``). A name
    that is none of these is refused with the nearest shipped id, since it was not a path."""
    from regflow.specs import shipped

    text = os.fspath(ref)
    if text.startswith(VARIANT_PREFIX):
        return text
    path = os.path.join(folder, os.path.expanduser(text)) if folder is not None else text
    if os.path.exists(path) or any(c in text for c in "/\\") or text.endswith(".toml"):
        return path
    known = shipped()
    if text in known:
        return os.fspath(known[text])
    near = closest(text, known) or closest(text.lower().strip(), known)
    variants = [VARIANT_PREFIX + name for name in sorted(installed_variants())]
    where = f" in {folder}" if folder is not None else ""
    raise RegflowError(f"'{text}' is neither a spec file{where} nor a spec shipped with regflow"
                       + (f" (did you mean '{near}'?)" if near else "") + "; shipped: "
                       + ", ".join([*known, *variants]))


def open_spec(ref: str | os.PathLike[str]) -> Spec:
    """A spec by file path, shipped spec id (``ciw_2019``) or ``variant:NAME``."""
    from .loader import load_spec

    text = spec_reference(ref)
    if text.startswith(VARIANT_PREFIX):
        return variant_spec(text[len(VARIANT_PREFIX):])
    return load_spec(text)
