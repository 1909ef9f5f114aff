"""Editing a spec file while keeping the rest of it as it was: order, blank lines, comments and
the formatting of every part not touched (tomlkit). The editor's forms change a spec through
this module; loading, saving and loading again with no edit gives the same bytes.

Paths are key paths as the loader reports them: ``("timescales", 4, "within")``,
``("states", "drafting", "label")``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from .tomlsource import Path

#: where each kind of name is used: (section, field) pairs whose value is that name (a
#: list of names for ``sets``/``requires``/``clears``/``from``)
_STATE_FIELDS = (("states", "parent"),)
_QUOTED = re.compile(r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')")


class EditError(ValueError):
    """An edit that cannot be made (an unknown path, a name already taken)."""


class SpecDocument:
    """One spec file's TOML, edited in place."""

    def __init__(self, text: str):
        self.doc = tomlkit.parse(text)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SpecDocument:
        with open(path, encoding="utf-8") as handle:
            return cls(handle.read())

    def text(self) -> str:
        return tomlkit.dumps(self.doc)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the file whole or not at all (a temporary file, then renamed over it)."""
        partial = f"{os.fspath(path)}.partial"
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(self.text())
        os.replace(partial, path)

    # -- reading and changing one value -----------------------------------------------------

    def get(self, path: Path) -> Any:
        node: Any = self.doc
        for key in path:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                raise EditError(f"no {'.'.join(map(str, path))} in this spec") from None
        return node

    def set(self, path: Path, value: Any) -> None:
        """Set the value at ``path``; a new key goes at the end of its table."""
        *parents, last = path
        self.get(tuple(parents))[last] = value

    def delete(self, path: Path) -> None:
        *parents, last = path
        container = self.get(tuple(parents))
        try:
            del container[last]
        except (KeyError, IndexError) as err:
            raise EditError(f"no {'.'.join(map(str, path))} in this spec") from err

    # -- adding ------------------------------------------------------------------------------

    def names(self, section: str) -> list[str]:
        return list(self.doc.get(section, {}).keys())

    def add_named(self, section: str, name: str, fields: dict[str, Any]) -> None:
        """A new ``[section.name]`` table (a state, event, role or fact) after the last one."""
        if name in self.names(section):
            raise EditError(f"there is a {section[:-1]} named '{name}' already")
        if section not in self.doc:
            self.doc[section] = tomlkit.table(is_super_table=True)
        table = tomlkit.table()
        for key, value in fields.items():
            table[key] = value
        self.doc[section][name] = table

    def add_item(self, section: str, fields: dict[str, Any]) -> int:
        """A new ``[[section]]`` entry (a transition or timescale) at the end; its index."""
        if section not in self.doc:
            self.doc[section] = AoT([])
        table = tomlkit.table()
        for key, value in fields.items():
            table[key] = value
        self.doc[section].append(table)
        return len(self.doc[section]) - 1

    def propose_name(self, section: str, title: str) -> str:
        """An identifier for a new item from its title: ``Draft report shared`` ->
        ``draft_report_shared`` (``_2`` and on if taken)."""
        plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
        words = re.findall(r"[a-z0-9]+", plain.lower())
        base = "_".join(words)[:60].strip("_") or "item"
        if not base[0].isalpha():
            base = f"x_{base}"
        taken = set(self.names(section)) if section in self.doc and isinstance(
            self.doc[section], Table | dict) else {
            t.get("id") for t in self.doc.get(section, []) if hasattr(t, "get")}
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        return name

    # -- renaming ----------------------------------------------------------------------------

    def rename(self, kind: str, old: str, new: str) -> int:
        """Rename a state, event, fact, role or paragraph and every reference to it (guards
        included); returns how many places changed."""
        sections = {"state": "states", "event": "events", "fact": "facts", "role": "roles",
                    "paragraph": "paragraphs"}
        if kind not in sections:
            raise EditError(f"cannot rename a {kind}")
        section = sections[kind]
        table = self.doc.get(section)
        if table is None or old not in table:
            raise EditError(f"no {kind} named '{old}'")
        if new in table:
            raise EditError(f"there is a {kind} named '{new}' already")
        self._rename_key(section, old, new)
        changed = 1
        for value, setter in self._references(kind):
            renamed = _renamed(value, old, new, kind)
            if renamed != value:
                setter(renamed)
                changed += 1
        return changed

    def _rename_key(self, section: str, old: str, new: str) -> None:
        """Rename ``[section.old]`` (or ``"old" = ...`` in ``[paragraphs]``) where it stands in
        the file, everything around it as it was."""
        text = self.text()
        if section == "paragraphs":
            pattern = rf'^(\s*)("{re.escape(old)}"|{re.escape(old)})(\s*=)'
            replacement = rf'\g<1>"{new}"\g<3>'
        else:
            pattern = rf"^(\s*\[{section}\.)({re.escape(old)}|\"{re.escape(old)}\")(\]\s*)$"
            replacement = rf"\g<1>{new}\g<3>"
        renamed, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
        if count != 1:
            raise EditError(f"cannot find where {section}.{old} is written in the file")
        self.doc = tomlkit.parse(renamed)

    def _references(self, kind: str):
        """(value, setter) of every place a ``kind`` name can be written."""
        doc = self.doc
        fields = {
            "state": [("states", "parent")],
            "role": [("states", "role"), ("events", "role"), ("timescales", "responsible")],
            "paragraph": [(s, "citation") for s in ("roles", "facts", "states", "events",
                                                    "transitions", "timescales")],
            "event": [("transitions", "event"), ("timescales", "fires")],
            "fact": [("events", "sets"), ("events", "requires"), ("events", "clears"),
                     ("timescales", "due_on")],
        }[kind]
        if kind == "state":
            fields += [("transitions", "from"), ("transitions", "to")]
        if kind == "fact":
            fields += [("transitions", "guard"), ("timescales", "applies_when")]
        for section, field in fields:
            for entry in _entries(doc.get(section)):
                if field in entry:
                    yield entry[field], _setter(entry, field)
        if kind in ("state", "event", "fact"):  # anchors, met_by and until: {event|state, when}
            for entry in _entries(doc.get("timescales")):
                for key in ("anchor", "met_by", "until"):
                    ref = entry.get(key)
                    if ref is None:
                        continue
                    if kind != "fact" and kind in ref:
                        yield ref[kind], _setter(ref, kind)
                    if kind == "fact" and "when" in ref:
                        yield ref["when"], _setter(ref, "when")

    # -- versions ----------------------------------------------------------------------------

    def bump_version(self) -> str:
        """Mark the spec as changed: ``2019-04`` -> ``2019-04.1`` -> ``2019-04.2``."""
        version = str(self.doc["process"].get("version", "1"))
        match = re.fullmatch(r"(.*)\.(\d+)", version)
        bumped = f"{match.group(1)}.{int(match.group(2)) + 1}" if match and "." in version \
            and match.group(1) else f"{version}.1"
        self.doc["process"]["version"] = bumped
        return bumped


def _entries(container) -> list:
    if container is None:
        return []
    if isinstance(container, AoT | list):
        return list(container)
    return [v for v in container.values() if hasattr(v, "get")]


def _setter(entry, field):
    def set_(value):
        entry[field] = value
    return set_


def _renamed(value: Any, old: str, new: str, kind: str) -> Any:
    if isinstance(value, str):
        if value == old:
            return new
        if kind == "fact":  # a guard: the name as a word, outside quoted text
            parts = _QUOTED.split(value)
            return "".join(p if i % 2 else re.sub(rf"\b{re.escape(old)}\b", new, p)
                           for i, p in enumerate(parts))
        return value
    if isinstance(value, list):
        return [new if v == old else v for v in value]
    return value
