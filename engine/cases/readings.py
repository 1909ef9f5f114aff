"""The readings a spec chose, for what a case shows now.

Where a source document is open, a spec's ``note`` says what the text says, what regflow does,
and why. The people who rely on a date or a refusal should see that reading beside it, not
only in the TOML: these are the readings behind a case's started timescales, the states it is
in and the steps that can be recorded from there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .case import Case
from .timescales import TimescaleStatus


@dataclass(frozen=True)
class Reading:
    kind: str  # "timescale", "state" or "transition"
    id: str  # the timescale or state id; for a transition, its event
    label: str
    citation: str
    paragraph: str  # the source's own words, where the spec quotes them
    reading: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def readings(case: Case, rows: list[TimescaleStatus]) -> list[Reading]:
    """Readings behind what the case shows: each started timescale (once), each state the
    case is in, and each transition that can be taken from there."""
    spec = case.spec
    out: list[Reading] = []
    seen: set[str] = set()
    for row in rows:
        if row.note and row.anchor_date and row.id not in seen:
            seen.add(row.id)
            out.append(Reading("timescale", row.id, row.label, row.citation,
                               spec.citation_text(row.citation), row.note))
    for name in case.current_states:
        state = spec.states[name]
        if state.note:
            out.append(Reading("state", name, state.label, state.citation,
                               spec.citation_text(state.citation), state.note))
    for event in case.available_events():
        for t in case.candidates(event):
            if t.note:
                label = t.label or spec.events[event].label
                out.append(Reading("transition", event, label, t.citation,
                                   spec.citation_text(t.citation), t.note))
    return out
