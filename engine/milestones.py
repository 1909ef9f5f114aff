"""The shared milestone vocabulary (``specs/milestones.toml``), loaded once."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from .model import Milestone


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Milestone]:
    data = tomllib.loads(resources.files("regflow.specs").joinpath("milestones.toml").read_text())
    return {
        name: Milestone(name, entry["label"], entry.get("description", ""))
        for name, entry in data["milestones"].items()
    }
