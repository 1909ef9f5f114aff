"""Editing a spec file while keeping the rest of it as it was: order, blank lines, comments and
the formatting of every part not touched (tomlkit). The editor's forms change a spec through
this module; loading, saving and loading again with no edit gives the same bytes.

Paths are key paths as the loader reports them: ``("timescales", 4, "within")``,
``("states", "drafting", "label")``.
"""

from __future__ import annotations

import copy
import os
import re
import unicodedata
from typing import Any

import tomlkit
from tomlkit.items import AoT, KeyType, SingleKey, Table

from .model import Fact
from .tomlsource import Path

#: where each kind of name is used: (section, field) pairs whose value is that name (a
#: list of names for ``sets``/``requires``/``clears``/``from``)
_STATE_FIELDS = (("states", "parent"),)
#: the order the parts of a spec are written in
SECTION_ORDER = ("extends", "process", "paragraphs", "roles", "facts", "states", "events",
                 "transitions", "timescales")
_HEADER = re.compile(r"\s*\[\[?\s*\"?([a-z_]+)")
#: what an identifier may be (the schema's pattern for names)
_NAME = re.compile(r"[a-z][a-z0-9_]*")
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

    def copy(self) -> SpecDocument:
        """An independent copy to make a change on (cheaper than reading the text again)."""
        twin = SpecDocument.__new__(SpecDocument)
        twin.doc = copy.deepcopy(self.doc)
        return twin

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
        self.get(tuple(parents))[last] = _written(value)

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
        new = section not in self.doc
        if section == "paragraphs":  # a paragraph is one text: "8.5" = "..."
            if new:
                self._add_section(section, tomlkit.table())
            self.doc[section].append(SingleKey(name, KeyType.Basic), fields["text"])
        else:
            if new:
                self._add_section(section, tomlkit.table(is_super_table=True))
            entries = [v for v in self.doc[section].values() if isinstance(v, Table)]
            table = self._spaced(_table(fields), entries[-1] if entries else None, section)
            self.doc[section][name] = table
        self._reread()
        if new:
            self._put_in_place(section)

    def add_item(self, section: str, fields: dict[str, Any]) -> int:
        """A new ``[[section]]`` entry (a transition or timescale) at the end; its index."""
        new = section not in self.doc
        if new:
            self._add_section(section, AoT([]))
        entries = list(self.doc[section])
        self.doc[section].append(self._spaced(_table(fields), entries[-1] if entries else None,
                                              section))
        self._reread()
        if new:
            self._put_in_place(section)
        return len(self.doc[section]) - 1

    def _reread(self) -> None:
        """Read the text again, so that each blank line belongs where a parse puts it (after
        the table it ends) and the next addition is spaced the same however it was reached."""
        self.doc = tomlkit.parse(self.text())

    def _add_section(self, section: str, container) -> None:
        """A section the file does not have yet, at its end after a blank line."""
        text = self.text()
        if text and not text.endswith("\n\n"):
            self.doc = tomlkit.parse(text.rstrip("\n") + "\n\n")
        self.doc[section] = container

    def _put_in_place(self, section: str) -> None:
        """Move a section just added at the end of the file to where the specs keep it (facts
        before states, steps before timescales), above the comments that head the next part."""
        later = [k for k in self.doc if k in SECTION_ORDER
                 and SECTION_ORDER.index(k) > SECTION_ORDER.index(section)]
        if not later:
            return
        lines = self.text().splitlines(keepends=True)
        starts = [i for i, line in enumerate(lines) if _header_of(line) == section]
        follows = [i for i, line in enumerate(lines) if _header_of(line) == later[0]]
        if not starts or not follows or follows[0] > starts[0]:
            return
        start, at = starts[0], follows[0]
        while at > 0 and lines[at - 1].lstrip().startswith("#"):
            at -= 1
        moved = lines[start:]
        while moved and not moved[-1].strip():
            moved.pop()
        rest = lines[:start]
        while rest and not rest[-1].strip():
            rest.pop()
        head, tail = rest[:at], rest[at:]
        if head and head[-1].strip():
            head.append("\n")
        self.doc = tomlkit.parse("".join([*head, *moved, "\n", *tail]))

    def _spaced(self, table: Table, before: Table | None, section: str) -> Table:
        """A blank line before and after a new table, as the rest of the file is written."""
        if before is not None and not before.as_string().endswith("\n\n"):
            table.trivia.indent = "\n"
        if list(self.doc.keys())[-1] != section:  # something follows it
            table.add(tomlkit.nl())
        return table

    def remove(self, section: str, key: str | int) -> None:
        """Take an item out of the spec, with the blank line that set it apart."""
        self.delete((section, key))

    def propose_name(self, section: str, title: str) -> str:
        """An identifier for a new item from its title: ``Draft report shared`` ->
        ``draft_report_shared`` (``_2`` and on if taken)."""
        base = _proposed(title)
        taken = set(self.names(section)) if section in self.doc and isinstance(
            self.doc[section], Table | dict) else {
            t.get("id") for t in self.doc.get(section, []) if hasattr(t, "get")}
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        return name

    # -- renaming ----------------------------------------------------------------------------

    def rename(self, kind: str, old: str, new: str) -> int:
        """Rename a state, event, fact, role, paragraph or timescale and every reference to it
        (guards included); returns how many places changed."""
        sections = {"state": "states", "event": "events", "fact": "facts", "role": "roles",
                    "paragraph": "paragraphs", "timescale": "timescales"}
        if kind not in sections:
            raise EditError(f"cannot rename a {kind}")
        if kind != "paragraph" and not _NAME.fullmatch(new):
            raise EditError(f"'{new}' cannot be an identifier: use small letters, digits and _, "
                            f"starting with a letter, e.g. '{_proposed(new)}'")
        section = sections[kind]
        if kind == "timescale":
            return self._rename_timescale(old, new)
        table = self.doc.get(section)
        if table is None or old not in table:
            raise EditError(f"no {kind} named '{old}'")
        if new in table:
            raise EditError(f"there is a {kind} named '{new}' already")
        self._rename_key(section, old, new)
        changed = 1
        for _path, value, setter in self._references(kind):
            renamed = _renamed(value, old, new, kind)
            if renamed != value:
                setter(renamed)
                changed += 1
        return changed

    def _rename_timescale(self, old: str, new: str) -> int:
        """A timescale is named by its ``id`` field; nothing else in the spec names it (a
        variant of this spec that changes it by id must follow: its file is not this one)."""
        entries = _entries(self.doc.get("timescales"))
        ids = {str(entry.get("id")): entry for _, entry in entries}
        if old not in ids:
            raise EditError(f"no timescale named '{old}'")
        if new in ids:
            raise EditError(f"there is a timescale named '{new}' already")
        ids[old]["id"] = new
        return 1

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

    def references(self, kind: str, name: str) -> list[Path]:
        """The key paths that name the ``kind`` called ``name`` (what deleting it would break),
        e.g. ``("transitions", 3, "to")``; guards that read a fact included."""
        return [path for path, value, _ in self._references(kind)
                if _renamed(value, name, name + "\0", kind) != value]

    def _references(self, kind: str):
        """(key path, value, setter) of every place a ``kind`` name can be written."""
        doc = self.doc
        fields = {
            "state": [("states", "parent")],
            "role": [("states", "role"), ("events", "role"), ("timescales", "responsible")],
            "paragraph": [(s, "citation") for s in ("roles", "facts", "states", "events",
                                                    "transitions", "timescales")],
            "event": [("transitions", "event"), ("timescales", "fires")],
            "fact": [("events", "sets"), ("events", "requires"), ("events", "clears"),
                     ("timescales", "due_on")],
            "timescale": [],  # named by its id only
        }[kind]
        if kind == "state":
            fields += [("transitions", "from"), ("transitions", "to")]
        if kind == "fact":
            fields += [("transitions", "guard"), ("timescales", "applies_when")]
        for section, field in fields:
            for key, entry in _entries(doc.get(section)):
                if field in entry:
                    yield (section, key, field), entry[field], _setter(entry, field)
        if kind in ("state", "event", "fact"):  # anchors, met_by and until: {event|state, when}
            for index, entry in _entries(doc.get("timescales")):
                for key in ("anchor", "met_by", "until"):
                    ref = entry.get(key)
                    if not hasattr(ref, "get"):
                        continue
                    where = ("timescales", index, key)
                    if kind != "fact" and kind in ref:
                        yield (*where, kind), ref[kind], _setter(ref, kind)
                    if kind == "fact" and "when" in ref:
                        yield (*where, "when"), ref["when"], _setter(ref, "when")

    # -- versions ----------------------------------------------------------------------------

    def bump_version(self) -> str:
        """Mark the spec as changed: ``2019-04`` -> ``2019-04.1`` -> ``2019-04.2``."""
        version = str(self.doc["process"].get("version", "1"))
        match = re.fullmatch(r"(.*)\.(\d+)", version)
        bumped = f"{match.group(1)}.{int(match.group(2)) + 1}" if match and "." in version \
            and match.group(1) else f"{version}.1"
        self.doc["process"]["version"] = bumped
        return bumped


def _header_of(line: str) -> str | None:
    """The section a table header line opens (``[states.x]`` -> ``states``), else None."""
    match = _HEADER.match(line)
    return match.group(1) if match else None


def _proposed(title: str) -> str:
    """An identifier made of a title's words: ``Draft report shared`` -> ``draft_report_shared``."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    base = "_".join(words)[:60].strip("_") or "item"
    return base if base[0].isalpha() else f"x_{base}"


def _table(fields: dict[str, Any]) -> Table:
    """A table of ``fields``; a mapping in it (``anchor = {event = "x"}``) written inline."""
    table = tomlkit.table()
    for key, value in fields.items():
        if isinstance(value, dict):
            inline = tomlkit.inline_table()
            inline.update({k: _written(v) for k, v in value.items()})
            value = inline
        table[key] = _written(value)
    return table


def _written(value: Any) -> Any:
    """Text with double quotes in it (a guard: ``level == "serious"``) written as the specs
    write it, between single quotes, rather than with backslashes."""
    if isinstance(value, str) and '"' in value and "'" not in value and "\n" not in value \
            and not isinstance(value, tomlkit.items.String):
        return tomlkit.string(value, literal=True)
    return value


def inline(mapping: dict[str, Any]):
    """``{event = "x"}``: how a reference to an event or state is written in a spec."""
    table = tomlkit.inline_table()
    table.update({k: _written(v) for k, v in mapping.items()})
    return table


def _entries(container) -> list[tuple[str | int, Any]]:
    """(key, entry) of each table in a section: names, or indexes of ``[[...]]`` entries."""
    if container is None:
        return []
    if isinstance(container, AoT | list):
        return [(i, v) for i, v in enumerate(container) if hasattr(v, "get")]
    return [(k, v) for k, v in container.items() if hasattr(v, "get")]


def _setter(entry, field):
    def set_(value):
        entry[field] = _written(value)
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


# -- conditions (guards) built by picking --------------------------------------------------------

#: what a condition on a fact of each type can say, in words, and the operator it is written with
COMPARISONS: dict[str, dict[str, str]] = {
    "enum": {"is": "==", "is not": "!="},
    "text": {"is": "==", "is not": "!="},
    "bool": {"is yes": "", "is no": "not"},
    "number": {"is": "==", "is not": "!=", "is less than": "<", "is at most": "<=",
               "is more than": ">", "is at least": ">="},
    "date": {"is on": "==", "is before": "<", "is on or before": "<=", "is after": ">",
             "is on or after": ">="},
}


def condition(fact: Fact, comparison: str, value: Any = None) -> str:
    """The guard text for "``fact`` ``comparison`` ``value``", as the spec's expression language
    writes it: ``concern_level == "significant"``, ``not warning_notice_given``,
    ``follow_up_days >= 3``, ``decided_on < d"2027-01-31"``."""
    try:
        operator = COMPARISONS[fact.type][comparison]
    except KeyError:
        raise EditError(f"a {fact.type} fact cannot be compared with '{comparison}'; "
                        f"choose one of: {', '.join(COMPARISONS.get(fact.type, {}))}") from None
    if fact.type == "bool":
        return f"{operator} {fact.name}".strip()
    if fact.type == "number":
        written = _number(value)
    elif fact.type == "date":
        written = f'd"{value.isoformat() if hasattr(value, "isoformat") else value}"'
    else:
        if fact.type == "enum" and fact.values and value not in fact.values:
            raise EditError(f"'{value}' is not a value of {fact.label}: "
                            f"{', '.join(fact.values)}")
        written = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{fact.name} {operator} {written}"


def _number(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EditError(f"'{value}' is not a number") from None
    return str(int(number)) if number.is_integer() else repr(number)


def and_also(guard: str, more: str) -> str:
    """A guard that needs ``more`` as well (an ``or`` in the old one is kept together)."""
    guard = guard.strip()
    if not guard:
        return more
    return f"({guard}) and {more}" if re.search(r"\bor\b", guard) else f"{guard} and {more}"


def facts_of(doc: SpecDocument) -> dict[str, Fact]:
    """The facts a document declares, enough to check a condition while the rest of the spec
    may not load."""
    out = {}
    for name, entry in _entries(doc.doc.get("facts")):
        values = entry.get("values") or ()
        out[name] = Fact(name, str(entry.get("type", "text")), str(entry.get("label", name)),
                         tuple(map(str, values)) if isinstance(values, list) else ())
    return out


def read_condition(guard: str, facts: dict[str, Fact]) -> str:
    """How a condition reads ("Level of concern is significant"); raises
    :class:`~regflow.engine.spec.guards.GuardSyntaxError` when the engine would refuse it."""
    from .guards import compile_guard, guard_words

    compile_guard(guard, facts)
    return guard_words(guard, facts)
