"""A variant file seen whole: every item of the spec it resolves to, each marked as the base's
(inherited), changed by the variant, or the variant's own; and the edits that keep the variant
file writing only what differs.

The editor shows a variant as the whole process, since policy staff making a variant for
another regulator must see and change all of it; but the file must stay a variant, so an edit
of a base item writes an override of just that field (``[states.X]`` or ``[[timescales]]
id = ...`` and the field), a value put back to the base's takes the override out again (and the
override table once it says nothing), and deleting a base item writes its ``remove = true``
form. The merge rules are those of :mod:`.variants`.

Items are named by their key path in the resolved spec: ``("states", "drafting_report")``,
``("timescales", 4)``, ``("transitions", 17)``, ``("process",)``. Base steps cannot be merged
field by field (the format adds transitions), so a changed base step is written as its removal
followed by the step as changed; that step then comes after the others in the resolved spec.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import tomlkit

from .editing import EditError, SpecDocument, inline
from .tomlsource import Path
from .variants import _BY_NAME, EXTENDS, _transition_key, is_variant, merge_onto, resolve_base

INHERITED, CHANGED, OWN = "inherited", "changed", "own"
#: what a rename of a base item would break, said where the rename is refused
RENAME_REFUSED = (
    "'{name}' comes from {base}: its steps, timescales and conditions name it '{name}', and a "
    "variant cannot rename what its base refers to (they would point at nothing). Change its "
    "title instead, which is what people read; or add a new {kind} and remove this one.")
#: a timescale is the base's by its id: the reason differs
TIMESCALE_RENAME_REFUSED = (
    "'{name}' is a timescale of {base}, and a variant changes its base's timescales by their "
    "identifier: a new one would make it a second timescale beside the base's. Change its "
    "title instead, which is what people read; or add a new timescale and remove this one.")
_KINDS = {"states": "stage", "events": "event", "facts": "fact", "roles": "role",
          "paragraphs": "paragraph"}


def view_of(data: dict[str, Any]) -> SpecDocument:
    """A read-only :class:`SpecDocument` over plain spec data (the resolved spec), so that
    whatever reads a document (labels, references, pickers) reads the whole spec."""
    view = SpecDocument.__new__(SpecDocument)
    view.doc = data
    return view


@dataclass
class Layers:
    """A variant document with its base: the resolved spec and where each of its items comes
    from. Made afresh for each text of the document (cheap: the base is read once per file)."""

    doc: SpecDocument
    base: dict[str, Any]  # the base's data, resolved
    data: dict[str, Any]  # the variant merged onto it
    base_name: str  # the base as the variant names it, e.g. "ciw_2019"
    #: the resolved transitions: ("base", index in the base) or ("own", index in the variant)
    steps: list[tuple[str, int]] = field(default_factory=list)

    @classmethod
    def of(cls, doc: SpecDocument, path: str | os.PathLike[str]) -> Layers | None:
        """The layers of ``doc`` (the file at ``path``), or None when it extends nothing.
        A base that cannot be read raises :class:`~regflow.engine.errors.SpecError`."""
        if not isinstance(doc.doc, dict) or EXTENDS not in doc.doc:
            return None
        data = doc.doc.unwrap() if hasattr(doc.doc, "unwrap") else copy.deepcopy(doc.doc)
        if not is_variant(data):
            return None
        path, text = os.fspath(path), doc.text()
        base = resolve_base(path, text, data)
        merged = merge_onto(base, path, text, data)
        name = FilePath(str(data[EXTENDS])).stem
        layers = cls(doc, base.data, merged.data, name)
        layers.steps = _steps(base.data, data)
        return layers

    def view(self) -> SpecDocument:
        return view_of(self.data)

    # -- where things come from --------------------------------------------------------------

    def origin(self, item: Path) -> str:
        """INHERITED (as the base has it), CHANGED (the base's, changed here) or OWN (added by
        the variant) for an item of the resolved spec; the process is CHANGED once the
        variant writes any of it."""
        section = item[0]
        if section == "process":
            return CHANGED if self._mine(item) is not None else INHERITED
        if self._in_base(item) is None:
            return OWN
        return CHANGED if self._mine(item) is not None else INHERITED

    def origins(self) -> dict[Path, str]:
        """The origin of every item of the resolved spec, by key path."""
        out: dict[Path, str] = {("process",): self.origin(("process",))}
        for section in (*_BY_NAME, "timescales", "transitions"):
            value = self.data.get(section)
            keys = range(len(value)) if isinstance(value, list) else (
                value.keys() if isinstance(value, dict) else ())
            for key in keys:
                out[(section, key)] = self.origin((section, key))
        return out

    def base_entry(self, item: Path) -> Any:
        """The item as the base has it (None: the base has no such item)."""
        return self._in_base(item)

    def changed_fields(self, item: Path) -> dict[str, Any]:
        """The fields of a base item the variant changes, each with the base's value (None
        where the base does not have the field)."""
        mine, base = self._mine(item), self._in_base(item)
        if base is None or mine is None:
            return {}
        if item[0] == "paragraphs":
            return {"text": base} if mine != base else {}
        entry = self.doc.get(mine)
        # a variant's process id is its own (cases are pinned by it): never "the base's"
        keys = [k for k in entry if k not in ("id", "remove")]
        if item[0] == "transitions":  # the step as changed, against the base's
            keys += [k for k in base if k not in entry]
            return {k: base.get(k) for k in keys if _plain(entry.get(k)) != base.get(k)}
        return {k: base.get(k) for k in keys}

    def removed(self) -> list[tuple[Path, Any]]:
        """The base's items this variant removes: (path in the variant file, the base's item)."""
        out: list[tuple[Path, Any]] = []
        for section in _BY_NAME:
            for name, entry in _named(self.doc.doc.get(section)):
                if _is_removal(entry) and name in (self.base.get(section) or {}):
                    out.append(((section, name), self.base[section][name]))
        for index, entry in _indexed(self.doc.doc.get("timescales")):
            if _is_removal(entry):
                found = _by_id(self.base.get("timescales"), entry.get("id"))
                if found is not None:
                    out.append((("timescales", index), self.base["timescales"][found]))
        for index, entry in _indexed(self.doc.doc.get("transitions")):
            if _is_removal(entry):
                key = _transition_key(_plain(entry))
                for base_step in self.base.get("transitions", []):
                    if _transition_key(base_step) == key:
                        out.append((("transitions", index), base_step))
                        break
        return out

    # -- edits (each on ``doc``, a working copy of the variant document) ----------------------

    def set(self, doc: SpecDocument, item: Path, key: str, value: Any) -> Path:
        """Give field ``key`` of ``item`` the ``value`` (None: take it out), as the variant
        writes it; the item's key path afterwards (a changed base step moves to the end)."""
        section = item[0]
        mine, base = self._mine(item), self._in_base(item)
        if section == "transitions":
            return self._set_step(doc, item, key, value)
        if section == "paragraphs":
            if base is None or value != base:
                _put(doc, mine or item, "text", value)
            elif mine is not None:
                doc.delete(mine)
                self._prune(doc, (section,))
            return item
        if base is None and section != "process":  # the variant's own: as any file
            _put(doc, (*mine, key), None, value)
            return item
        base_value = base.get(key) if base is not None else None
        if value is None and base_value is not None:
            if not isinstance(base_value, bool):
                raise EditError(f"a variant cannot take '{key}' away from what {self.base_name} "
                                f"gives; write another value, or use the base's")
            value = False  # a yes taken back is written as no
        if value == base_value or (value is None and base_value is None):
            if mine is not None and key in doc.get(mine):
                doc.delete((*mine, key))
                self._prune(doc, mine)
            return item
        if mine is None:
            mine = self._override(doc, item)
        _put(doc, (*mine, key), None, value)
        return item

    def revert(self, doc: SpecDocument, item: Path, key: str) -> Path:
        """Use the base's value of field ``key`` of ``item`` again (the override taken out)."""
        base = self._in_base(item)
        if base is None:
            raise EditError("this item is the variant's own: the base has no value for it")
        if item[0] == "paragraphs":
            return self.set(doc, item, "text", base)
        return self.set(doc, item, key, base.get(key))

    def remove(self, doc: SpecDocument, item: Path) -> Path | None:
        """Take ``item`` out of the resolved spec: the variant's own is deleted from the file,
        a base item gets its ``remove = true`` (an override of it is replaced by that); the
        path of that removal in the variant file (None for the variant's own)."""
        section = item[0]
        mine, base = self._mine(item), self._in_base(item)
        if section == "transitions":
            kind, index = self.steps[item[1]]
            if kind == "own":
                doc.delete(("transitions", index))  # a changed step stays removed from the base
                return None
            keyed = {k: base[k] for k in ("from", "event", "to")}
            return ("transitions", doc.add_item("transitions", {**keyed, "remove": True}))
        if mine is not None:
            doc.delete(mine)
            self._prune(doc, mine)
        if base is None:
            return None
        if section == "timescales":
            return ("timescales", doc.add_item("timescales", {"id": base["id"], "remove": True}))
        if section == "paragraphs":
            doc.add_named("paragraphs", str(item[1]), {"text": inline({"remove": True})})
        else:
            doc.add_named(section, str(item[1]), {"remove": True})
        return (section, item[1])

    def restore(self, doc: SpecDocument, removal: Path) -> None:
        """Put back a base item the variant removes (``removal``: its path in the variant
        file, as :meth:`removed` gives it)."""
        doc.delete(removal)
        self._prune(doc, removal)

    def rename(self, doc: SpecDocument, kind: str, old: str, new: str) -> int:
        """Rename the variant's own item and its references; a base item is refused (see
        :data:`RENAME_REFUSED`)."""
        section = next(s for s, k in _RENAMED.items() if k == kind)
        if section == "timescales":  # named by its id field
            taken = {t.get("id") for t in self.data.get("timescales", [])}
            if _by_id(self.base.get("timescales"), old) is not None:
                raise EditError(TIMESCALE_RENAME_REFUSED.format(name=old, base=self.base_name))
            if new in taken:
                raise EditError(f"there is a timescale named '{new}' already")
            return doc.rename(kind, old, new)
        if self._in_base((section, old)) is not None:
            raise EditError(RENAME_REFUSED.format(name=old, base=self.base_name,
                                                  kind=_KINDS[section]))
        if new in (self.data.get(section) or {}):
            raise EditError(f"there is a {kind} named '{new}' already"
                            + (f" in {self.base_name}" if new in (self.base.get(section) or {})
                               else ""))
        return doc.rename(kind, old, new)

    def check_new(self, section: str, name: str) -> None:
        """Refuse a new item whose name the resolved spec (the base included) has already."""
        if name not in (self.base.get(section) or {}):
            return
        kind = _KINDS.get(section, "item")
        if name not in (self.data.get(section) or {}):  # the variant removes it
            raise EditError(f"{self.base_name} has a {kind} named '{name}', which this variant "
                            "removes: put it back (under 'Removed from "
                            f"{self.base_name}'), or choose another name")
        raise EditError(f"{self.base_name} has a {kind} named '{name}' already: pick it, or "
                        "choose another name")

    def item_of(self, written: Path) -> Path:
        """The key path in the resolved spec of what the variant file writes at ``written``
        (e.g. a timescale just added as ``("timescales", 2)`` of the file)."""
        section, key = written[0], written[1]
        if section == "timescales":
            ident = self.doc.get(written).get("id")
            found = _by_id(self.data.get("timescales"), ident)
            return (section, found) if found is not None else (section,)
        if section == "transitions":
            return (section, self.steps.index(("own", key))) if ("own", key) in self.steps \
                else (section,)
        return (section, key)

    # -- where an item is in the files ------------------------------------------------------

    def _in_base(self, item: Path) -> Any:
        section = item[0]
        if section == "process":
            return self.base.get("process", {})
        if len(item) < 2:
            return None
        if section == "timescales":
            entry = _entry(self.data, item)
            ident = entry.get("id") if hasattr(entry, "get") else None
            found = _by_id(self.base.get("timescales"), ident)
            return None if found is None else self.base["timescales"][found]
        if section == "transitions":
            if not isinstance(item[1], int) or item[1] >= len(self.steps):
                return None
            kind, index = self.steps[item[1]]
            if kind == "base":
                return self.base["transitions"][index]
            return self._replaced(index)
        return (self.base.get(section) or {}).get(item[1])

    def _replaced(self, index: int) -> dict | None:
        """The base step the variant's step ``index`` takes the place of: one with the same
        from, event and to that the variant removes before it."""
        steps = list(_indexed(self.doc.doc.get("transitions")))
        key = _transition_key(_plain(steps[index][1])) if index < len(steps) else None
        removed = {_transition_key(_plain(e)) for i, e in steps[:index] if _is_removal(e)}
        if key not in removed:
            return None
        return next((t for t in self.base.get("transitions", []) if _transition_key(t) == key),
                    None)

    def _mine(self, item: Path) -> Path | None:
        """Where the variant file writes ``item`` (its override, or itself), or None."""
        section = item[0]
        doc = self.doc.doc
        if section == "process":
            return ("process",) if "process" in doc else None
        if section == "timescales":
            entry = _entry(self.data, item)
            ident = entry.get("id") if hasattr(entry, "get") else None
            for index, written in _indexed(doc.get("timescales")):
                if written.get("id") == ident and not _is_removal(written):
                    return ("timescales", index)
            return None
        if section == "transitions":
            kind, index = self.steps[item[1]]
            return ("transitions", index) if kind == "own" else None
        table = doc.get(section)
        if table is not None and item[1] in table and not _is_removal(table[item[1]]):
            return (section, item[1])
        return None

    def _override(self, doc: SpecDocument, item: Path) -> Path:
        """A new override of base item ``item`` in the variant, saying nothing yet."""
        section = item[0]
        if section == "process":
            doc.doc["process"] = {}
            return ("process",)
        if section == "timescales":
            return ("timescales", doc.add_item("timescales", {"id": self._in_base(item)["id"]}))
        doc.add_named(section, str(item[1]), {})
        return (section, item[1])

    def _prune(self, doc: SpecDocument, written: Path) -> None:
        """Take out an override that says nothing any more, and a section left empty."""
        section = written[0]
        if len(written) > 1:
            try:
                entry = doc.get(written)
            except EditError:
                entry = None
            if hasattr(entry, "keys") and not [k for k in entry if k != "id"] \
                    and section != "process":
                doc.delete(written)
        container = doc.doc.get(section)
        if container is not None and section != "process" and not len(container):
            doc.delete((section,))
            text = doc.text()  # the blank line that set the section apart goes with it
            if text.endswith("\n\n"):
                doc.doc = tomlkit.parse(text.rstrip("\n") + "\n")

    def _set_step(self, doc: SpecDocument, item: Path, key: str, value: Any) -> Path:
        kind, index = self.steps[item[1]]
        if kind == "own":
            _put(doc, ("transitions", index, key), None, value)
            replaced = self._replaced(index)
            if replaced is not None and _plain(doc.get(("transitions", index))) == replaced:
                # the step is the base's again: take out the change and the removal before it
                removal = next(i for i, e in reversed(list(_indexed(doc.doc.get("transitions"))))
                               if i < index and _is_removal(e)
                               and _transition_key(_plain(e)) == _transition_key(replaced))
                doc.delete(("transitions", index))
                doc.delete(("transitions", removal))
                self._prune(doc, ("transitions",))
                after = Layers(doc, self.base, self.data, self.base_name,
                               _steps(self.base, _unwrapped(doc)))
                base_index = self.base["transitions"].index(replaced)
                return ("transitions", after.steps.index(("base", base_index)))
            return item
        base = self.base["transitions"][index]
        changed = copy.deepcopy(base)
        if value is None:
            changed.pop(key, None)
        else:
            changed[key] = value
        if changed == base:
            return item
        doc.add_item("transitions", {**{k: base[k] for k in ("from", "event", "to")},
                                     "remove": True})
        written = doc.add_item("transitions", changed)
        return ("transitions", _steps(self.base, _unwrapped(doc)).index(("own", written)))


_RENAMED = {"states": "state", "events": "event", "facts": "fact", "roles": "role",
            "paragraphs": "paragraph", "timescales": "timescale"}


def _steps(base: dict[str, Any], variant: dict[str, Any]) -> list[tuple[str, int]]:
    """The resolved transitions in order, each the base's or the variant's (as
    :func:`.variants.resolve` merges them)."""
    out = [("base", i) for i in range(len(base.get("transitions") or []))]
    written = variant.get("transitions") or []

    def key(step: tuple[str, int]) -> tuple:
        source = base["transitions"] if step[0] == "base" else written
        return _transition_key(source[step[1]])

    for index, entry in enumerate(written):
        if _is_removal(entry):
            out = [s for s in out if key(s) != _transition_key(entry)]
        else:
            out.append(("own", index))
    return out


def _put(doc: SpecDocument, path: Path, key: str | None, value: Any) -> None:
    """Set (or with None take out) a value of the variant file; a paragraph is one text."""
    if key == "text":  # a paragraph: "8.5" = "..."
        section, name = path
        if name in doc.names(section):
            doc.set(path, value)
        else:
            doc.add_named(section, str(name), {"text": value})
        return
    if value is None:
        if path[-1] in doc.get(path[:-1]):
            doc.delete(path)
        return
    doc.set(path, inline(value) if isinstance(value, dict) else value)


def _unwrapped(doc: SpecDocument) -> dict[str, Any]:
    return doc.doc.unwrap() if hasattr(doc.doc, "unwrap") else doc.doc


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _is_removal(entry: Any) -> bool:
    return hasattr(entry, "get") and entry.get("remove") is True


def _named(table: Any) -> list[tuple[str, Any]]:
    return list(table.items()) if hasattr(table, "items") else []


def _indexed(array: Any) -> list[tuple[int, Any]]:
    """(index, entry) of the tables of an array of tables (nothing for a value of another
    shape, which the loader reports)."""
    if not isinstance(array, Sequence) or isinstance(array, str):
        return []
    return [(i, e) for i, e in enumerate(array) if hasattr(e, "get")]


def _by_id(timescales: Any, ident: Any) -> int | None:
    if ident is None:
        return None
    return next((i for i, t in _indexed(timescales) if t.get("id") == ident), None)


def _entry(data: dict[str, Any], item: Path) -> Any:
    try:
        return data[item[0]][item[1]]
    except (KeyError, IndexError, TypeError):
        return None
