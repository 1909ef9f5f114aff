"""Typed exceptions of the engine.

Every error a person can cause (a spec, a scenario, a date, an event) is one of these, carrying
enough to say *where* and *what*. The command line turns them into messages and exit code 1;
nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def shown(value: Any, limit: int = 60) -> str:
    """``value`` as a message quotes it: text in quotes, lists and tables by kind, and never
    longer than ``limit`` characters (a message names a value; it does not repeat the input)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * limit:
        return f"(a number of about {int(value.bit_length() * 0.30103) + 1:,} digits)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, located by line:column where known, else by key path."""

    message: str
    path: str = ""  # key path, e.g. "transitions[3].to"
    file: str = ""
    line: int | None = None
    column: int | None = None
    suggestion: str | None = None
    #: "error" refuses the file; "warning" is reported but the file loads and runs
    severity: str = "error"

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"

    def __str__(self) -> str:
        where = self.file or "<spec>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        if self.is_warning:
            where += ": warning"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        if self.suggestion:
            text += f" (did you mean {self.suggestion}?)"
        return text

    def as_dict(self) -> dict:
        """The problem for tools (``regflow validate --json``)."""
        return {"severity": self.severity, "file": self.file, "line": self.line,
                "column": self.column, "path": self.path, "message": self.message,
                "suggestion": self.suggestion}


class RegflowError(Exception):
    """Base class of every error regflow raises on bad input."""


class ProblemsError(RegflowError):
    """A file with one or more located problems; all of them are reported at once."""

    kind = "file"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in {self.kind}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class SpecError(ProblemsError):
    """A spec that cannot be loaded: bad TOML, bad shape or bad meaning."""

    kind = "spec"


class ScenarioError(ProblemsError):
    """A scenario file that cannot be run."""

    kind = "scenario"


class CaseError(RegflowError):
    """An operation on a case that cannot be carried out."""


class UnknownEvent(CaseError):
    """An event the spec does not declare, or that no active state accepts."""

    def __init__(self, event: str, available: list[str], known: bool, suggestion: str | None,
                 where: str = "", ended: str | None = None):
        self.event = event
        self.available = available
        self.known = known
        self.suggestion = suggestion
        if known and ended:
            super().__init__(f"event '{event}' cannot happen: the process ended on {ended}")
            return
        if known:
            text = f"event '{event}' cannot happen now" + (f" (the case is in: {where})"
                                                          if where else "")
        else:
            text = f"unknown event '{event}'"
            if suggestion:
                text += f" (did you mean '{suggestion}'?)"
        text += "; available now: " + (", ".join(available) if available else "none")
        super().__init__(text)


@dataclass(frozen=True)
class GuardFailure:
    """Why one transition was not taken: its guard, source state and citation."""

    source: str
    target: str
    guard: str
    citation: str


class EventRefused(CaseError):
    """An event whose every transition from the active states has a guard that is false."""

    def __init__(self, event: str, failures: list[GuardFailure]):
        self.event = event
        self.failures = failures
        reasons = "; ".join(
            f"to '{f.target}' needs {f.guard} ({f.citation})" if f.citation else
            f"to '{f.target}' needs {f.guard}"
            for f in failures
        )
        super().__init__(f"event '{event}' refused: {reasons}")


class PeriodNotOver(CaseError):
    """An event that ends a period (a delay's ``fires``) recorded before the period can have
    ended."""

    def __init__(self, event: str, label: str, earliest, rule: str, citation: str,
                 ends_early: bool):
        self.event = event
        self.earliest = earliest
        self.citation = citation
        text = (f"'{label}' cannot be recorded before {earliest.isoformat()}: it ends the period "
                f"{rule} ({citation}), which runs until then")
        text += ("; the source allows the period to end early: give the reason as a note" if
                 ends_early else "; regflow records it by itself on that day")
        super().__init__(text)


class FactError(CaseError):
    """A fact value that does not fit its declared type, or a fact an event cannot set."""


class DateError(CaseError):
    """An effective date that is not allowed (e.g. earlier than the last event)."""


class ExtensionError(CaseError):
    """An extension of a timescale that the spec does not allow."""
