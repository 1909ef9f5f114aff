"""What can be recorded on a case now, and why the rest cannot: the questions a case screen asks.

Kept out of the desktop app so that its widgets only show answers: which events are possible,
which facts each one asks for, where it leads, and for each blocked event the guard that stops
it with the paragraph that says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ..errors import GuardFailure
from ..spec.guards import guard_words
from ..spec.model import Fact, Spec
from .case import Case
from .timescales import TimescaleStatus


@dataclass(frozen=True)
class Reason:
    """Why an event cannot be recorded now: a guard that is false, and its source."""

    guard: str
    citation: str
    citation_text: str
    source: str  # state label the transition leaves
    target: str  # state label it would lead to
    words: str = ""  # the guard in plain words (facts by their labels)

    def __str__(self) -> str:
        cited = f" ({self.citation})" if self.citation else ""
        return (f"only when {self.words or self.guard}{cited}: from '{self.source}' to "
                f"'{self.target}'")


@dataclass(frozen=True)
class Action:
    """An event as the case screen offers it."""

    event: str
    label: str
    role: str  # who records it, in words ("" if the spec does not say)
    citation: str
    citation_text: str
    facts: tuple[Fact, ...]  # what its form asks for
    required: frozenset[str]  # facts that must be given
    targets: tuple[str, ...]  # states it can lead to from where the case is
    sources: tuple[str, ...]  # the states where the case is that it leaves from
    reasons: tuple[Reason, ...] = ()  # empty when it can be recorded now
    #: answers already given by earlier steps (never a spec's default): a form may offer them
    #: for the optional facts; a required one is always answered afresh
    known: dict[str, Any] = field(default_factory=dict)
    #: the open deadline this step meets, a limit before any other, then the earliest (None
    #: if it meets none), with its label and strength
    due: date | None = None
    due_label: str = ""
    due_strength: str = ""

    @property
    def available(self) -> bool:
        return not self.reasons


def _reasons(spec: Spec, failures: list[GuardFailure]) -> tuple[Reason, ...]:
    return tuple(Reason(f.guard, f.citation, spec.citation_text(f.citation),
                        spec.states[f.source].label, spec.states[f.target].label,
                        guard_words(f.guard, spec.facts))
                 for f in failures)


def _action(case: Case, event: str, reasons: tuple[Reason, ...] = ()) -> Action:
    spec = case.spec
    e = spec.events[event]
    candidates = case.candidates(event)
    targets = tuple(dict.fromkeys(t.target for t in candidates))
    active = set(case.active_states)
    sources = tuple(dict.fromkeys(s for t in candidates for s in t.sources if s in active))
    given: dict[str, Any] = {}
    for entry in case.history:
        given.update(entry.facts)
    return Action(event, e.label, spec.role_label(e.role) if e.role else "", e.citation,
                  spec.citation_text(e.citation), tuple(spec.facts[f] for f in e.sets),
                  frozenset(e.requires), targets, sources, reasons,
                  {k: v for k, v in given.items() if k in e.sets})


def actions(case: Case, today: date | None = None,
            rows: list[TimescaleStatus] | None = None) -> list[Action]:
    """The events that can be recorded now, then those a guard blocks. With ``today``, the
    possible ones that meet an open deadline come first: those meeting a limit past its date,
    then by date (the rest in spec order), each with the deadline that binds most (a limit
    past its date, then the earliest; ``rows``: the case's timescales as of ``today``, if the
    caller has them already)."""
    out = [_action(case, name) for name in case.available_events()]
    if today is not None:
        meets: dict[str, TimescaleStatus] = {}
        for row in case.timescales(today) if rows is None else rows:
            met_by = case.spec.timescale(row.id).met_by
            if row.open and met_by is not None and met_by.kind == "event":
                known = meets.get(met_by.name)
                if known is None or _binds(row) < _binds(known):
                    meets[met_by.name] = row
        out = [replace(a, due=meets[a.event].due, due_label=meets[a.event].label,
                       due_strength=meets[a.event].strength)
               if a.event in meets else a for a in out]
        # stable: spec order otherwise
        out.sort(key=lambda a: (not (a.due_strength == "limit" and a.due < today),
                                a.due or date.max))
    out += [_action(case, name, _reasons(case.spec, failures))
            for name, failures in case.blocked_events().items()]
    return out


def _binds(row: TimescaleStatus) -> tuple[bool, bool, date]:
    """Which of the deadlines one step meets to show: one past its date before one still to
    come, a limit past its date before any other, then the earliest."""
    past = row.days_left < 0
    return not past, past and row.strength != "limit", row.due


def refusal(case: Case, event: str, entered: dict[str, Any]) -> tuple[Reason, ...]:
    """Why ``event`` would be refused with the facts ``entered`` in its form (empty: it
    would be recorded). Lets a form warn before anything is submitted."""
    return _reasons(case.spec, case.guard_failures(event, {**case.facts, **entered}))


def opening_facts(spec: Spec) -> list[Fact]:
    """Facts no event sets: known when a case is opened, so a new-case form asks for them."""
    set_by_events = {f for e in spec.events.values() for f in e.sets}
    return [f for name, f in spec.facts.items() if name not in set_by_events]


def state_summary(spec: Spec, name: str) -> str:
    """A state in a few lines: its label, who is responsible, and its source."""
    state = spec.states[name]
    lines = [state.label]
    role = spec.role_of(name)
    if role:
        lines.append(f"Responsible: {spec.role_label(role)}")
    if state.description:
        lines.append(state.description)
    if state.citation:
        lines.append(f"Source: {state.citation}")
        text = spec.citation_text(state.citation)
        if text:
            lines.append(f"“{text}”")
    if state.note:
        lines.append(f"How regflow reads it: {state.note}")
    return "\n".join(lines)


def can_extend(rows: list[TimescaleStatus], row: TimescaleStatus) -> str:
    """Why ``row`` (one of a case's timescale ``rows``) cannot be extended now; "" if it can.
    As :meth:`Case.extend` does: the latest started instance of a timescale whose source
    allows it, while it is still to be done."""
    if not row.extendable:
        return f"its source ({row.citation}) allows no extension"
    if not row.open:
        return "it is not open (met, passed or not applicable)"
    latest = max(r.occurrence for r in rows if r.id == row.id and r.anchor_date)
    if row.occurrence != latest:
        return "only its latest instance can be extended"
    return ""
