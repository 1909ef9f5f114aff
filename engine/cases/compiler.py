"""Compile a :class:`~regflow.engine.spec.model.Spec` onto python-statemachine.

The machine class is built from data at load time with
``statemachine.io.create_machine_class_from_definition``. Guards become ``cond`` callables that
read the ``facts`` keyword the case runtime sends with every event. The class is built once per
spec object and cached.
"""

from __future__ import annotations

import weakref
from typing import Any

from statemachine import StateChart
from statemachine.exceptions import InvalidDefinition
from statemachine.io import create_machine_class_from_definition

from ..errors import Problem, SpecError
from ..spec.model import Spec

#: id of the hidden root state that holds the spec's top level
ROOT = "regflow_root"

_CACHE: weakref.WeakKeyDictionary[Spec, type[StateChart]] = weakref.WeakKeyDictionary()
_MEMO: weakref.WeakKeyDictionary[Spec, dict] = weakref.WeakKeyDictionary()
MEMO_LIMIT = 100_000


def transition_memo(spec: Spec) -> dict:
    """Outcomes of transitions already worked out by python-statemachine for ``spec``.

    A transition's outcome (the new configuration and the states entered, in order) depends
    only on the configuration, the event and the facts guards read: the spec has no other
    callbacks. Cases of one spec repeat the same steps, so each is computed once by the library
    and then looked up (bounded; cleared when full).
    """
    memo = _MEMO.get(spec)
    if memo is None or len(memo) > MEMO_LIMIT:
        memo = _MEMO[spec] = {}
    return memo


def _cond(guard) -> Any:
    def cond(facts: dict) -> bool:
        return guard.holds(facts)

    cond.__name__ = f"guard_{abs(hash(guard.text))}"
    return cond


def definition(spec: Spec) -> dict[str, dict]:
    """The nested state dict python-statemachine's factory expects."""
    on: dict[str, dict[str, list[dict]]] = {name: {} for name in spec.states}
    for t in spec.transitions:
        for source in t.sources:
            entry: dict[str, Any] = {"target": t.target}
            if t.guard:
                entry["cond"] = _cond(spec.guards[t.guard])
            on[source].setdefault(t.event, []).append(entry)

    def build(name: str) -> dict:
        state = spec.states[name]
        node: dict[str, Any] = {"name": state.label}
        if state.initial:
            node["initial"] = True
        if state.final:
            node["final"] = True
        if state.parallel:
            node["parallel"] = True
        children = spec.children(name)
        if children:
            node["states"] = {child: build(child) for child in children}
        if on[name]:
            node["on"] = on[name]
        return node

    # The spec's top level sits inside a hidden root: python-statemachine stops a machine whose
    # top-level parallel state has every region final, where the spec may still move on.
    return {ROOT: {"initial": True, "states": {name: build(name) for name in spec.children(None)}}}


def machine_class(spec: Spec) -> type[StateChart]:
    """The python-statemachine class for ``spec`` (built on first use, then cached)."""
    cls = _CACHE.get(spec)
    if cls is None:
        try:
            cls = create_machine_class_from_definition(
                f"Spec_{spec.process.id}",
                states=definition(spec),
                allow_event_without_transition=False,
                catch_errors_as_events=False,
                validate_final_reachability=False,
            )
        except InvalidDefinition as err:  # our own checks should have caught it first
            raise SpecError([Problem(f"the state machine cannot be built: {err}",
                                     file=spec.path)]) from None
        _CACHE[spec] = cls
    return cls
