"""What changed between two versions of one process: states, events, transitions, timescales,
guards and citations added, removed and changed.

Things are matched by their ids (a state's or event's name, a timescale's id; a transition by
its sources, event and target), never by their order in the file or in a drawing, so moving a
block or adding a step elsewhere changes nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..spec.model import Spec, Transition

_STATE_FIELDS = ("label", "parent", "role", "citation", "initial", "final", "parallel")
_EVENT_FIELDS = ("label", "role", "sets", "requires", "clears", "citation")
_TIMESCALE_FIELDS = ("label", "kind", "strength", "anchor", "within", "after", "every", "about",
                     "due_on", "met_by", "until", "fires", "applies_when", "responsible",
                     "extendable", "citation")


@dataclass(frozen=True)
class Change:
    kind: str  # "state", "event", "transition" or "timescale"
    id: str
    change: str  # "added", "removed" or "changed"
    fields: tuple[tuple[str, str, str], ...] = ()  # (field, before, after) when changed

    def details(self) -> list[str]:
        """Each field in words: ``within: 25 working days → 30 working days`` for a change,
        what the item says (``every: 6 months``) for one added or removed."""
        if self.change != "changed":
            return [f"{name}: {before or after}" for name, before, after in self.fields]
        return [f"{name}: {before or '—'} → {after or '—'}" for name, before, after in self.fields]

    def words(self) -> str:
        what = "; ".join(self.details())
        return f"{self.kind} {self.id} {self.change}" + (f" ({what})" if what else "")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "change": self.change,
                "fields": [{"field": f, "before": b, "after": a} for f, b, a in self.fields]}


def transition_key(t: Transition) -> str:
    """A transition's identity across versions: its sources, event and target."""
    return f"{'|'.join(t.sources)} --{t.event}--> {t.target}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def _compare(kind: str, before: dict[str, Any], after: dict[str, Any],
             fields: tuple[str, ...]) -> list[Change]:
    def said(item) -> list[tuple[str, str]]:  # what an item added or removed says
        return [(f, _text(getattr(item, f))) for f in fields
                if getattr(item, f) not in (None, False, "", ())]

    out = [Change(kind, k, "removed", tuple((f, v, "") for f, v in said(before[k])))
           for k in before if k not in after]
    out += [Change(kind, k, "added", tuple((f, "", v) for f, v in said(after[k])))
            for k in after if k not in before]
    for k in before.keys() & after.keys():
        differ = tuple((f, _text(getattr(before[k], f)), _text(getattr(after[k], f)))
                       for f in fields if _text(getattr(before[k], f)) != _text(getattr(after[k], f)))
        if differ:
            out.append(Change(kind, k, "changed", differ))
    return out


def spec_diff(before: Spec, after: Spec) -> list[Change]:
    """Every difference between two versions, states first, each kind in id order."""
    changes = _compare("state", before.states, after.states, _STATE_FIELDS)
    changes += _compare("event", before.events, after.events, _EVENT_FIELDS)
    changes += _compare("transition", {transition_key(t): t for t in before.transitions},
                        {transition_key(t): t for t in after.transitions},
                        ("guard", "citation", "label"))
    changes += _compare("timescale", {t.id: t for t in before.timescales},
                        {t.id: t for t in after.timescales}, _TIMESCALE_FIELDS)
    order = {"state": 0, "event": 1, "transition": 2, "timescale": 3}
    return sorted(changes, key=lambda c: (order[c.kind], c.id))


def touched(spec: Spec, changes: list[Change]) -> tuple[set[str], set[str]]:
    """States and transition keys of ``spec`` a list of changes marks on its diagram: changed
    or added states, transitions changed or added, and the steps a changed timescale counts
    between (its anchor, what meets it)."""
    states: set[str] = set()
    events: set[str] = set()
    for c in changes:
        if c.change == "removed":
            continue
        if c.kind == "state" and c.id in spec.states:
            states.add(c.id)
        elif c.kind == "event":
            events.add(c.id)
        elif c.kind == "timescale":
            found = next((t for t in spec.timescales if t.id == c.id), None)
            for ref in (found.anchor, found.met_by) if found else ():
                if ref is not None:
                    (states if ref.kind == "state" else events).add(ref.name)
    keys = {c.id for c in changes if c.kind == "transition" and c.change != "removed"}
    keys |= {transition_key(t) for t in spec.transitions if t.event in events}
    return states, keys
