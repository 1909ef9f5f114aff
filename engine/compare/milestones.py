"""Two regimes side by side through the shared milestone vocabulary (specs/milestones.toml).

Every milestone gets a row: each regime's steps (states and events tagged with it) and its
timescales (in words and as a rule, with their anchor, how binding they are and their
paragraph). A milestone only one regime has is listed too, empty on the other side: that a
regime has no such step is itself a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..spec.milestones import vocabulary
from ..spec.model import Spec


@dataclass(frozen=True)
class Side:
    """One regime's part of a milestone row."""

    steps: tuple[str, ...] = ()  # labels of the states and events tagged with the milestone
    timescales: tuple[dict[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.steps or self.timescales)


@dataclass(frozen=True)
class Row:
    milestone: str
    label: str
    description: str
    sides: tuple[Side, Side] = field(default=(Side(), Side()))

    def as_dict(self) -> dict[str, Any]:
        return {"milestone": self.milestone, "label": self.label,
                "description": self.description,
                "sides": [{"steps": list(s.steps), "timescales": list(s.timescales)}
                          for s in self.sides]}


def _side(spec: Spec, milestone: str) -> Side:
    steps = [s.label for s in spec.states.values() if milestone in s.milestones]
    steps += [e.label for e in spec.events.values() if milestone in e.milestones]
    timescales = tuple({
        "id": t.id, "label": t.label, "rule": spec.rule_words(t), "kind": t.kind,
        "anchor": spec.ref_label(t.anchor), "strength": t.strength, "wording": t.wording,
        "citation": t.citation,
    } for t in spec.timescales if milestone in t.milestones)
    return Side(tuple(dict.fromkeys(steps)), timescales)


def milestone_table(left: Spec, right: Spec) -> list[Row]:
    """A row for every milestone of the vocabulary that either regime uses, in its order."""
    rows = []
    for name, milestone in vocabulary().items():
        sides = (_side(left, name), _side(right, name))
        if not all(s.empty for s in sides):
            rows.append(Row(name, milestone.label, milestone.description, sides))
    return rows
