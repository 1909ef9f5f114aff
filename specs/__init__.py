"""The specs shipped with regflow (data only: TOML specs, the milestone vocabulary, the JSON Schema)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def shipped() -> dict[str, Path]:
    """The process specs shipped with regflow, by id (the file's name without .toml)."""
    return {p.stem: p for p in sorted(HERE.glob("*.toml")) if p.stem != "milestones"}


def templates() -> dict[str, Path]:
    """Templates a new spec starts from (``regflow new-spec --template NAME``), by name."""
    return {p.stem: p for p in sorted((HERE / "templates").glob("*.toml"))}
