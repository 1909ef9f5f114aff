"""What a transition does to the active states, worked out from the spec alone.

python-statemachine follows SCXML: a transition exits every active state below its *domain*
(the nearest compound, non-parallel state containing both its source and its target; the top
level if there is none) and enters the states from there down to its target. The warnings
(:mod:`.lints`) and the timescale analysis (:mod:`.consistency`) need the same answers without
running a machine, so they are computed here once, from the hierarchy.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from .model import Spec, Transition


def domain(spec: Spec, source: str, target: str) -> str | None:
    """The state a transition from ``source`` to ``target`` stays inside (``None``: none, it
    leaves the top-level state it starts from)."""
    around_target = set(spec.ancestors(target))
    for outer in spec.ancestors(source):
        if not spec.states[outer].parallel and outer in around_target:
            return outer
    return None


def exited(spec: Spec, source: str, target: str) -> list[str]:
    """``source`` and its parents that the transition leaves, innermost first."""
    top = domain(spec, source, target)
    out = [source]
    for outer in spec.ancestors(source):
        if outer == top:
            break
        out.append(outer)
    return out


def entered(spec: Spec, source: str, target: str) -> set[str]:
    """Every state the transition enters: ``target``, its parents below the domain, the other
    regions of any parallel state among them, and the initial states inside."""
    top = domain(spec, source, target)
    path = [target]
    for outer in spec.ancestors(target):
        if outer == top:
            break
        path.append(outer)
    out: set[str] = set()
    for name in path:
        out.add(name)
        if spec.states[name].parallel:
            for region in spec.children(name):
                if region not in path:
                    out.update(_entered_down(spec, region))
    out.update(_entered_down(spec, target))
    return out


def _entered_down(spec: Spec, name: str) -> set[str]:
    out = {name}
    children = spec.children(name)
    if spec.states[name].parallel:
        for child in children:
            out |= _entered_down(spec, child)
    elif children:
        initial = [c for c in children if spec.states[c].initial] or children[:1]
        out |= _entered_down(spec, initial[0])
    return out


def entered_leaves(spec: Spec, name: str) -> list[str]:
    """The innermost states entered when ``name`` is entered."""
    children = spec.children(name)
    if not children:
        return [name]
    if spec.states[name].parallel:
        return [leaf for child in children for leaf in entered_leaves(spec, child)]
    initial = [c for c in children if spec.states[c].initial] or children[:1]
    return entered_leaves(spec, initial[0])


@dataclass(frozen=True)
class Move:
    """One way the innermost state ``leaf`` can change: ``transition`` (declared on ``source``,
    the leaf or a state containing it) taken, after which ``to`` is active."""

    transition: Transition
    source: str
    to: str


def moves(spec: Spec) -> dict[str, list[Move]]:
    """For each innermost state, every transition that can take it elsewhere: its own, those of
    the states containing it, and those by which another region of a parallel state around it
    leaves that parallel state (taking this region along).

    Worked out once per spec (checks, warnings and the timescale analysis share it; treat it
    as read-only) from indexes, so it grows with the spec, not with its square.
    """
    known = _MOVES.get(spec)
    if known is None:
        known = _MOVES[spec] = _moves(spec)
    return known


_MOVES: weakref.WeakKeyDictionary[Spec, dict[str, list[Move]]] = weakref.WeakKeyDictionary()


def _moves(spec: Spec) -> dict[str, list[Move]]:
    entered: dict[str, list[str]] = {}

    def leaves_of(target: str) -> list[str]:
        if target not in entered:
            entered[target] = entered_leaves(spec, target)
        return entered[target]

    # (transition, position of the source) by source state, and those leaving each parallel
    # state from inside it, in file order
    by_source: dict[str, list[tuple[Transition, int]]] = {}
    leaving: dict[str, list[tuple[Transition, str]]] = {}
    for t in spec.transitions:
        around_target = {t.target, *spec.ancestors(t.target)}
        for i, source in enumerate(t.sources):
            by_source.setdefault(source, []).append((t, i))
            for outer in spec.ancestors(source):
                if spec.states[outer].parallel and outer not in around_target:
                    leaving.setdefault(outer, []).append((t, source))
    out: dict[str, list[Move]] = {}
    for leaf in (n for n in spec.states if not spec.is_compound(n)):
        scope = [leaf, *spec.ancestors(leaf)]
        own = sorted((pair for state in dict.fromkeys(scope) for pair in by_source.get(state, ())),
                     key=lambda pair: (pair[0].index, pair[1]))
        found = [Move(t, t.sources[i], to) for t, i in own for to in leaves_of(t.target)]
        in_scope = set(scope)
        for outer in scope[1:]:
            for t, source in leaving.get(outer, ()):
                if source not in in_scope:
                    found += [Move(t, source, to) for to in leaves_of(t.target)]
        out[leaf] = found
    return out


def initial_leaves(spec: Spec) -> list[str]:
    """The innermost states active when a case opens."""
    return [leaf for top in spec.children(None) if spec.states[top].initial
            for leaf in entered_leaves(spec, top)]


def reachable(spec: Spec, graph: dict[str, list[Move]]) -> set[str]:
    """Innermost states some case can be in."""
    seen = set(initial_leaves(spec))
    todo = list(seen)
    while todo:
        for move in graph.get(todo.pop(), ()):
            if move.to not in seen:
                seen.add(move.to)
                todo.append(move.to)
    return seen
