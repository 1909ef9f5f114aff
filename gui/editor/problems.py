"""The editor's problems list: each problem in plain words, and where a click on it leads.

A problem names the value it concerns by key path (``timescales[4].within``); the list says
that as a person would ("Timescale ‘Draft inspection report’, within: ..."), and a click leads
to the item in the outline and its field in the form, or to the line in the TOML tab when no
field shows the value (a missing key, a TOML syntax error).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from regflow.engine.errors import Problem
from regflow.engine.spec.tomlsource import Path, parse_path

#: what one item of each section is called in the list
NOUNS = {"process": "Process", "paragraphs": "Paragraph", "roles": "Role", "facts": "Fact",
         "states": "Stage", "events": "Event", "transitions": "Step",
         "timescales": "Timescale", "milestones": "Milestone"}


#: what to do next about problems a spec has while it is being built up item by item
NEXT_STEPS = {
    "unreachable": "add a step that leads to this stage (Add ▸ Step)",
    "is never used by a transition": "add a step this event makes happen (Add ▸ Step)",
}


@dataclass(frozen=True)
class Target:
    """Where a problem leads: the outline item, the field of its form (None: no field named)."""

    item: Path
    field: str | None


def target(problem: Problem) -> Target | None:
    """The outline item and form field ``problem`` concerns, from its key path (None when it
    names no item, e.g. a TOML syntax error)."""
    path = parse_path(problem.path) if problem.path else ()
    if not path or path[0] not in NOUNS:
        return None
    if path[0] == "process":
        return Target(("process",), str(path[1]) if len(path) > 1 else None)
    if len(path) == 1:
        return Target(path, None)
    if path[0] == "paragraphs":  # a paragraph is one text
        return Target(path[:2], "text")
    return Target(path[:2], str(path[2]) if len(path) > 2 else None)


def words(problem: Problem, doc: Any, here: str | os.PathLike[str] | None = None) -> str:
    """One line of the list: mark, where in words, what, and the line it is on; a line of
    another file than ``here`` (the base a variant extends) names that file, since the TOML
    tab shows the variant's own."""
    mark = "⚠" if problem.is_warning else "✗"
    place = _place(problem, doc)
    text = f"{mark} {place}: {problem.message}" if place else f"{mark} {problem.message}"
    if problem.suggestion:
        text += f" (did you mean {problem.suggestion}?)"
    for start, next_step in NEXT_STEPS.items():
        if problem.message.startswith(start) or f" {start}" in problem.message:
            text += f". Next: {next_step}"
    elsewhere = here is not None and problem.file and not _same(problem.file, here)
    if problem.line and elsewhere:
        text += f" — line {problem.line} of {PurePath(problem.file).name}, the base"
    elif problem.line:
        text += f" — line {problem.line}"
    elif elsewhere:
        text += f" — in {PurePath(problem.file).name}, the base"
    return text


def _same(one: str | os.PathLike[str], other: str | os.PathLike[str]) -> bool:
    return os.path.abspath(one) == os.path.abspath(other)


def _place(problem: Problem, doc: Any) -> str:
    found = target(problem)
    if found is None:
        return problem.path
    section, *rest = found.item
    noun = NOUNS[section]
    if rest:
        noun += f" {_name(doc, section, rest[0])}"
    if found.field and found.field != "text":
        noun += f", {found.field.replace('_', ' ')}"
    return noun


def _name(doc: Any, section: str, key: str | int) -> str:
    """An item as the spec titles it: its label where it has one, else its name."""
    try:
        entry = doc[section][key]
    except (KeyError, IndexError, TypeError):
        entry = None
    label = entry.get("label") if hasattr(entry, "get") else None
    if not label and section == "transitions" and hasattr(entry, "get"):
        event = entry.get("event")
        label = _get(doc, "events", event, "label") or event
    if label:
        return f"‘{label}’"
    return f"{key + 1}" if isinstance(key, int) else f"‘{key}’"


def _get(doc: Any, *path: Any) -> Any:
    node = doc
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node
