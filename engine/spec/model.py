"""The spec model: plain, immutable data classes built from a validated TOML file.

Nothing here runs; the compiler turns a :class:`Spec` into a python-statemachine class and the
case runtime reads it. Field names follow the TOML keys (see docs/spec-format.md).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

from .durations import Duration
from .tomlsource import SourceMap

FACT_TYPES = ("enum", "bool", "date", "number", "text")
TIMESCALE_KINDS = ("deadline", "lead_time", "window", "delay", "recurring", "target")

#: How binding a timescale is, in the source's own strength of words. What a passed date means
#: follows from it: a limit is breached, an expectation departed from ("later than normal"), a
#: target is early, on or late, and a best effort is not achieved.
STRENGTHS: dict[str, str] = {
    "limit": "a limit ('must', 'will ... within', 'is required to'): passing it is a breach",
    "expected": "the normal arrangement ('normally', 'generally', 'usually', 'is expected'): "
                "passing it is a departure, later than normal",
    "target": "an aim or approximate date ('we aim to', 'about', 'approximately'): "
              "early, on time or late",
    "best_effort": "'where possible', 'as far as possible': not achieved is not a breach",
}


@dataclass(frozen=True)
class Process:
    id: str
    title: str
    regulator: str
    source: str
    version: str
    calendar: str
    note: str = ""


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    organisation: str = ""
    citation: str = ""
    note: str = ""


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    label: str
    values: tuple[str, ...] = ()
    default: Any = None
    citation: str = ""
    note: str = ""


@dataclass(frozen=True)
class State:
    name: str
    label: str
    description: str = ""
    role: str | None = None
    citation: str = ""
    parent: str | None = None
    initial: bool = False
    final: bool = False
    parallel: bool = False
    milestones: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Event:
    name: str
    label: str
    citation: str = ""
    role: str | None = None
    sets: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()
    note: str = ""
    clears: tuple[str, ...] = ()  # facts returned to their default when recorded


@dataclass(frozen=True)
class Transition:
    index: int  # position in the file: transitions are tried in this order
    sources: tuple[str, ...]
    event: str
    target: str
    guard: str | None = None
    label: str = ""
    citation: str = ""
    note: str = ""
    #: the transition is meant to leave parallel tracks (stopping them and their clocks), even
    #: where it comes back into them (starting them afresh) or leaves the whole process
    leaves_tracks: bool = False


@dataclass(frozen=True)
class Ref:
    """An event (each time it is recorded) or a state (each time it is entered)."""

    kind: str  # "event" | "state"
    name: str
    #: a guard on the facts as they were at that moment: only occurrences where it holds count
    when: str | None = None

    def __str__(self) -> str:
        return f"{self.kind} '{self.name}'" + (f" (when {self.when})" if self.when else "")


@dataclass(frozen=True)
class Timescale:
    index: int
    id: str
    label: str
    kind: str
    anchor: Ref
    citation: str
    within: Duration | None = None
    after: Duration | None = None
    every: Duration | None = None
    about: Duration | None = None
    met_by: Ref | None = None
    until: Ref | None = None
    due_on: str | None = None  # a date fact that is the due date (deadline, instead of within)
    fires: str | None = None
    applies_when: str | None = None
    responsible: str | None = None
    extendable: bool = False
    milestones: tuple[str, ...] = ()
    note: str = ""
    strength: str = "limit"
    wording: str = ""  # the source's own word for the strength, e.g. "generally"
    #: for a delay that ``fires`` an event: the source allows that event before the due date
    #: (with a reason); otherwise recording it early is refused
    ends_early: bool = False
    #: the policy team has read the conflict `regflow validate` finds between this timescale
    #: and the steps inside it, and said in the note which binds: no more warning
    conflict_noted: bool = False

    @property
    def approximate(self) -> bool:
        return self.kind == "target"

    @functools.cached_property
    def rule(self) -> str:
        return self.rule_text()

    def rule_text(self, anchor: str | None = None) -> str:
        """The rule in a few words, e.g. ``within 25 working days of event 'x'``; ``anchor``
        words the anchor instead (e.g. its label, for people)."""
        anchor = anchor or str(self.anchor)
        if self.kind == "recurring" and self.every.financial:
            period = ("each financial year (1 April to 31 March)" if self.every.amount == 1
                      else f"every {self.every} (from 1 April)")
            due = f", within {self.within} of its start" if self.within else ""
            return f"{period}{due}, from {anchor}"
        parts = {
            "deadline": f"by the date in '{self.due_on}'" if self.due_on else f"within {self.within}",
            "lead_time": f"not before {self.after}",
            "window": f"between {self.after} and {self.within}",
            "delay": f"after {self.after}",
            "recurring": f"every {self.every}",
            "target": f"about {self.about}",
        }
        due = f", within {self.within} of each period's start" if (
            self.kind == "recurring" and self.within) else ""
        return f"{parts[self.kind]}{due} of {anchor}"


@dataclass(frozen=True)
class Milestone:
    name: str
    label: str
    description: str = ""


@dataclass(frozen=True, eq=False)
class Spec:
    """A loaded, validated spec. ``path`` and ``source`` let later messages point into the file."""

    process: Process
    paragraphs: dict[str, str]
    roles: dict[str, Role]
    facts: dict[str, Fact]
    states: dict[str, State]
    events: dict[str, Event]
    transitions: tuple[Transition, ...]
    timescales: tuple[Timescale, ...]
    path: str = ""
    text: str = field(default="", repr=False)
    source_map: SourceMap | None = field(default=None, repr=False)
    #: compiled guards by expression text (transitions and ``applies_when``)
    guards: dict[str, Any] = field(default_factory=dict, repr=False)
    #: for a variant (a spec that ``extends`` another): its base, where each key came from and
    #: what it changed (:class:`regflow.engine.spec.variants.Resolved`); None otherwise
    variant: Any = field(default=None, repr=False)

    @functools.cached_property
    def warnings(self) -> tuple:
        """Problems that do not stop the spec loading or running (e.g. timescales that do not
        add up, a transition that restarts parallel tracks), located like errors. Worked out
        on first use, so loading a spec stays fast."""
        from .loader import spec_warnings

        return tuple(spec_warnings(self))

    @property
    def id(self) -> str:
        return self.process.id

    @functools.cached_property
    def step_cache(self) -> dict:
        """Answers that depend only on a configuration (and an event): shared by all cases."""
        return {}

    @functools.cached_property
    def transitions_by_event(self) -> dict[str, tuple[Transition, ...]]:
        out: dict[str, list[Transition]] = {}
        for t in self.transitions:
            out.setdefault(t.event, []).append(t)
        return {event: tuple(ts) for event, ts in out.items()}

    @functools.cached_property
    def transitions_from(self) -> dict[tuple[str, str], tuple[Transition, ...]]:
        """Transitions by (source state, event), in file order: a case looks up only those
        of its active states, whatever the size of the spec."""
        out: dict[tuple[str, str], list[Transition]] = {}
        for t in self.transitions:
            for source in dict.fromkeys(t.sources):
                out.setdefault((source, t.event), []).append(t)
        return {key: tuple(ts) for key, ts in out.items()}

    @functools.cached_property
    def events_from(self) -> dict[str, tuple[str, ...]]:
        """Events with a transition from each state."""
        out: dict[str, dict[str, None]] = {}
        for source, event in self.transitions_from:
            out.setdefault(source, {})[event] = None
        return {source: tuple(events) for source, events in out.items()}

    @functools.cached_property
    def state_order(self) -> dict[str, int]:
        """Position of each state in the file (for sorting what is found)."""
        return {n: i for i, n in enumerate(self.states)}

    @functools.cached_property
    def event_order(self) -> dict[str, int]:
        """Position of each event in the file."""
        return {n: i for i, n in enumerate(self.events)}

    @functools.cached_property
    def content_hash(self) -> str:
        """sha256 of the spec's text: what a stored case is pinned to."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    @functools.cached_property
    def guard_facts(self) -> tuple[str, ...]:
        """Every fact some guard reads (what a transition's outcome can depend on)."""
        return tuple(sorted({n for g in self.guards.values() for n in g.names}))

    @functools.cached_property
    def depth(self) -> dict[str, int]:
        """How deep each state is nested (0 at the top level)."""
        return {name: len(self.ancestors(name)) for name in self.states}

    @functools.cached_property
    def _children(self) -> dict[str | None, tuple[str, ...]]:
        """States directly inside each state (``None``: the top level), indexed once."""
        out: dict[str | None, list[str]] = {}
        for state in self.states.values():
            out.setdefault(state.parent, []).append(state.name)
        return {parent: tuple(names) for parent, names in out.items()}

    def children(self, name: str | None) -> list[str]:
        """States directly inside ``name`` (``None``: the top level), in file order."""
        return list(self._children.get(name, ()))

    def ancestors(self, name: str) -> list[str]:
        """Parents of ``name``, innermost first."""
        out, parent = [], self.states[name].parent
        while parent is not None:
            out.append(parent)
            parent = self.states[parent].parent
        return out

    def role_of(self, name: str) -> str | None:
        """The role responsible in state ``name``: its own, else its nearest parent's."""
        return next((self.states[n].role for n in [name, *self.ancestors(name)]
                     if self.states[n].role), None)

    def roles_of(self, names) -> list[str]:
        """The roles responsible in states ``names``, each once, in order."""
        return list(dict.fromkeys(r for r in map(self.role_of, names) if r))

    def role_label(self, role: str) -> str:
        return self.roles[role].label if role in self.roles else role

    def is_compound(self, name: str) -> bool:
        return name in self._children

    def leaves(self, names: list[str]) -> list[str]:
        """The innermost states among ``names`` (an active configuration lists parents too)."""
        parents = {self.states[n].parent for n in names}
        return [n for n in names if n not in parents]

    @functools.cached_property
    def _timescales_by_id(self) -> dict[str, Timescale]:
        out: dict[str, Timescale] = {}
        for t in self.timescales:
            out.setdefault(t.id, t)  # the first of a repeated id, as a scan would find
        return out

    def timescale(self, ident: str) -> Timescale:
        return self._timescales_by_id[ident]

    def ref_label(self, ref: Ref) -> str:
        """An event or state in plain words, quoted: what a person reads in a rule."""
        found = (self.events if ref.kind == "event" else self.states).get(ref.name)
        return f"‘{found.label}’" if found else str(ref)

    def rule_words(self, timescale: Timescale) -> str:
        """A timescale's rule with its anchor (and a date fact it falls due on) in plain words."""
        words = timescale.rule_text(self.ref_label(timescale.anchor))
        fact = self.facts.get(timescale.due_on) if timescale.due_on else None
        return words.replace(f"'{timescale.due_on}'", f"‘{fact.label}’") if fact else words

    def citation_text(self, citation: str) -> str:
        return self.paragraphs.get(citation, "")
