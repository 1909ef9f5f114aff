"""The shared milestone vocabulary (``specs/milestones.toml``).

Policy staff may extend it; ``regflow validate specs/*.toml`` checks it like a spec.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import Problem, SpecError
from .model import Milestone
from .tomlsource import SourceMap, format_path


def is_vocabulary(data: dict[str, Any]) -> bool:
    return "milestones" in data and "process" not in data


def parse_vocabulary(data: dict[str, Any], text: str = "", path: str = "<vocabulary>"
                     ) -> dict[str, Milestone]:
    source, problems, out = SourceMap(text), [], {}

    def bad(where, message):
        line, column = source.locate(where) or (None, None)
        problems.append(Problem(message, format_path(where), path, line, column))

    for key in data:
        if key != "milestones":
            bad((key,), f"unknown key '{key}': a vocabulary has only [milestones.NAME] tables")
    entries = data.get("milestones", {})
    for name, entry in entries.items() if isinstance(entries, dict) else ():
        where = ("milestones", name)
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            bad(where, "each milestone needs label = \"...\" (and may have a description)")
            continue
        for key in entry:
            if key not in ("label", "description"):
                bad((*where, key), f"unknown key '{key}' (allowed: label, description)")
        out[name] = Milestone(name, entry["label"], entry.get("description", ""))
    if problems:
        raise SpecError(problems)
    return out


def load_vocabulary(path: str | os.PathLike[str]) -> dict[str, Milestone]:
    from .loader import read_toml

    path = os.fspath(path)
    text, data = read_toml(path)
    return parse_vocabulary(data, text, path)


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Milestone]:
    """The vocabulary shipped with regflow."""
    text = resources.files("regflow.specs").joinpath("milestones.toml").read_text()
    return parse_vocabulary(tomllib.loads(text), text, "specs/milestones.toml")
