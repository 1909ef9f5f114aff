"""A what-if timeline: the dates a spec's deadlines would fall on along its usual path.

From a start date (the opening of a case, or an event such as the end of fieldwork) regflow
walks a case forward as if every step came on the last day its timescale allows: each time,
the open timescale due first whose step can be reached is met on its due date (the steps that
lead to it, which no timescale dates, are taken that day). The facts a step needs come from
``facts`` (``--set``), else the fact's default, else its first value, so a different path is a
different set of facts (``concern_level = "significant"``). Nothing is stored; the same spec,
start and facts always give the same timeline.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..cases.case import Case
from ..cases.timescales import TimescaleStatus
from ..errors import CaseError, RegflowError
from ..spec.facts import read_fact
from ..spec.model import Spec
from ..spec.stategraph import entered_leaves
from ..suggest import closest

#: bounds that keep a walk finite on any spec
MAX_STEPS = 80
MAX_SEARCH = 600  # steps tried to reach one event
MAX_DEPTH = 6  # steps in a row that no timescale dates
_DATED = ("deadline", "window", "delay", "target", "lead_time")


class TimelineError(RegflowError):
    """A timeline that cannot be drawn (an unknown or unreachable start event)."""


@dataclass(frozen=True)
class Entry:
    """One timescale on the timeline: when its clock starts and when it falls due."""

    id: str
    label: str
    citation: str
    strength: str
    wording: str
    rule: str
    anchor_date: date
    earliest: date | None
    due: date | None
    approximate: bool

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for key in ("anchor_date", "earliest", "due"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


@dataclass
class Timeline:
    spec: Spec
    start: date
    start_event: str | None
    facts: dict[str, Any]
    entries: list[Entry] = field(default_factory=list)
    steps: list[tuple[date, str]] = field(default_factory=list)  # what was recorded, in order
    #: facts given that no step on the path was recorded with (the path never came by them)
    unused: list[str] = field(default_factory=list)


def timeline(spec: Spec, start: date, from_event: str | None = None,
             facts: dict[str, Any] | None = None) -> Timeline:
    """The dates ``spec``'s timescales fall on from ``start`` (see the module docstring);
    ``facts`` may be texts (``--set``), read as each fact's type says."""
    facts = dict(facts or {})
    unknown = [name for name in facts if name not in spec.facts]
    if unknown:
        near = closest(unknown[0], spec.facts)
        raise TimelineError(f"unknown fact '{unknown[0]}'" + (
            f" (did you mean '{near}'?)" if near else f"; {spec.process.id} has: "
            + ", ".join(spec.facts)))
    facts = {name: read_fact(spec.facts[name], value) for name, value in facts.items()}
    opening = {k: v for k, v in facts.items()
               if not any(k in e.sets for e in spec.events.values())}
    case = Case(spec, opened_on=start, facts=opening)
    if from_event is not None:
        if from_event not in spec.events:
            near = closest(from_event, spec.events)
            raise TimelineError(f"unknown event '{from_event}'"
                                + (f" (did you mean '{near}'?)" if near else ""))
        path = _path_to(case, from_event, facts, start, depth=30, budget=20 * MAX_SEARCH)
        if path is None:
            raise TimelineError(f"'{spec.events[from_event].label}' cannot be reached from the "
                                "opening of a case with these facts; the facts that decide "
                                f"whether it can: {', '.join(_deciding_facts(spec, from_event))}"
                                " (give them as FACT=VALUE)")
        for event, values in path:
            _fire(case, event, start, facts, values)
    # clocks started by the steps that lead to the start event are not the timeline's
    begun = len(case.history) if from_event is not None else 0
    day = start
    for _ in range(MAX_STEPS):
        # a step that sets a fact given (``--set``) is taken as soon as it can be: the facts
        # given are what the path is meant to go through
        ahead = _towards(case, _setting(case, facts), facts, day)
        if ahead is not None:
            for event, values in ahead:
                _fire(case, event, day, facts, values)
            continue
        nxt = _next(case, day, facts)
        if nxt is None:
            # no clock runs: on to the nearest step that starts one (a case is opened, its
            # inspection announced, ... and only then does a timescale run)
            ahead = _towards(case, _starting(case), facts, day)
            if ahead is None:
                break
            for event, values in ahead:
                _fire(case, event, day, facts, values)
            continue
        when, path = nxt
        for event, values in path[:-1]:
            _fire(case, event, day, facts, values)
        day = max(day, when, case.last_date)
        _fire(case, path[-1][0], day, facts)
    rows = case.timescales(max(day, case.last_date))
    out = Timeline(spec, start, from_event, facts, steps=[(h.on, h.event) for h in case.history])
    out.unused = [name for name in facts if case.facts.get(name) != facts[name]
                  or not (name in opening or _was_set(case, name))]
    out.entries = [_entry(spec, r) for r in rows
                   if r.kind in _DATED and r.anchor_date is not None and r.anchor_seq >= begun
                   and r.status != "not applicable"]
    out.entries.sort(key=lambda e: (e.due or e.earliest or date.max, e.id))
    return out


def _deciding_facts(spec: Spec, target: str) -> list[str]:
    """The facts the guards on the way to ``target`` read (what a path to it depends on)."""
    dist, deciding = _distance(spec, target)
    far = len(spec.states) + 1
    on_the_way = [t for t in spec.transitions if t.guard and (t.event in (target, *deciding) or min(
        dist[m] for m in [t.target, *entered_leaves(spec, t.target)]) < far)]
    names = {n for t in on_the_way for n in spec.guards[t.guard].names}
    return sorted(n for n in names if n in spec.facts) or ["none"]


def _was_set(case: Case, name: str) -> bool:
    return any(name in (h.facts or {}) for h in case.history)


def _setting(case: Case, facts: dict[str, Any]) -> list[str]:
    """Events that set a fact given and have not been recorded with it yet."""
    spec = case.spec
    return [e for e, ev in spec.events.items()
            if any(n in facts and case.facts.get(n) != facts[n] for n in ev.sets)]


def _starting(case: Case) -> list[str]:
    """Events that start the clock of a dated timescale that has not started yet."""
    started = {r.id for r in case.timescales(case.last_date) if r.anchor_date is not None}
    return list(dict.fromkeys(
        t.anchor.name for t in case.spec.timescales
        if t.kind in _DATED and t.id not in started and t.anchor.kind == "event"))


def _towards(case: Case, targets: list[str], facts: dict[str, Any],
             day: date) -> list[Step] | None:
    """The steps to the nearest of ``targets`` that can be reached (by the spec's arrows)."""
    if case.finished_on is not None:
        return None
    ranked = sorted(targets, key=lambda e: (min(_distance(case.spec, e)[0][n]
                                                for n in case.current_states), e))
    for target in ranked:
        path = _path_to(case, target, facts, day)
        if path is not None:
            return path
    return None


def _entry(spec: Spec, r: TimescaleStatus) -> Entry:
    return Entry(r.id, r.label, r.citation, r.strength, r.wording,
                 spec.rule_words(spec.timescale(r.id)), r.anchor_date, r.earliest, r.due,
                 r.approximate)


def _choices(case: Case, event: str, facts: dict[str, Any], day: date):
    """The facts ``event`` may be recorded with, most likely first: those given; for a
    required one not given, its default, then its other values."""
    spec = case.spec
    fixed = {n: facts[n] for n in spec.events[event].sets if n in facts}
    open_ = [n for n in spec.events[event].requires if n not in facts]
    options = []
    for name in open_:
        fact = spec.facts[name]
        values = {"bool": [False, True], "date": [day], "number": [0], "text": ["-"]}.get(
            fact.type, list(fact.values))
        if fact.default is not None:
            values = [fact.default, *[v for v in values if v != fact.default]]
        options.append(values)
    yield fixed
    for product in itertools.islice(itertools.product(*options), 16):
        yield {**fixed, **dict(zip(open_, product, strict=True))}


def _fire(case: Case, event: str, day: date, facts: dict[str, Any],
          chosen: dict[str, Any] | None = None) -> None:
    """Record ``event`` with ``chosen`` facts, else the first it accepts."""
    refusal: CaseError | None = None
    for values in ([chosen] if chosen else []) or _choices(case, event, facts, day):
        try:
            case.fire(event, max(day, case.last_date), values, actor="timeline")
            return
        except CaseError as err:
            refusal = err
    raise refusal


def _next(case: Case, day: date, facts: dict[str, Any]) -> tuple[date, list[str]] | None:
    """The open timescale due first whose meeting step can be reached, with the steps to it."""
    # a step a lead time governs comes on the first day it allows, others on the last
    rows = [(r.due or _working_day(case, r.earliest), r)
            for r in case.timescales(max(day, case.last_date))
            if (r.open or (r.kind == "lead_time" and r.status == "pending"))
            and r.kind in _DATED and (r.due or r.earliest) is not None]
    rows.sort(key=lambda pair: (pair[0], pair[1].id))
    # a period that ends by itself runs its full course first (comments on its last day)
    fire = case.next_fire()
    if fire is not None and (not rows or fire[0] <= rows[0][0]) \
            and fire[1] in case.available_events():
        return fire[0], [(fire[1], {})]
    for when, r in rows:
        t = case.spec.timescale(r.id)
        if t.met_by is None or t.met_by.kind != "event":
            continue
        path = _path_to(case, t.met_by.name, facts, day)
        if path is not None:
            return max(when, day), path
    return None


def _working_day(case: Case, day: date) -> date:
    """The first working day from ``day``: a step waiting for a lead time to pass (fieldwork
    four weeks after the announcement) is not taken on a bank holiday or a weekend."""
    while not case.calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


@functools.cache
def _distance(spec: Spec, target: str) -> tuple[dict[str, int], frozenset[str]]:
    """How many steps each state is from being able to record ``target`` (its transitions'
    sources and what is inside them: 0), by the spec's arrows; and the events that set a fact
    a guard of ``target`` reads (their facts are worth trying every way)."""
    inside = {n: {m for m in spec.states if n in spec.ancestors(m)} for n in spec.states}
    far = len(spec.states) + 1
    dist = dict.fromkeys(spec.states, far)
    events, todo = set(), [target]
    while todo:  # the target, and the events that set the facts its guards read
        event = todo.pop()
        events.add(event)
        for t in spec.transitions_by_event.get(event, ()):
            if event == target:
                for source in t.sources:
                    for n in {source, *inside[source]}:
                        dist[n] = 0
            reads = spec.guards[t.guard].names if t.guard else set()
            todo += [e for e, ev in spec.events.items() if e not in events and set(ev.sets) & reads]
    changed = True
    while changed:  # relax along the arrows: a state is one step further than where it leads
        changed = False
        for t in spec.transitions:
            ahead = min(dist[m] for m in [t.target, *entered_leaves(spec, t.target)]) + 1
            for source in t.sources:
                for n in (source, *inside[source]):
                    if ahead < dist[n]:
                        dist[n], changed = ahead, True
    return dist, frozenset(events - {target})


Step = tuple[str, dict[str, Any]]  # an event and the facts it is recorded with


def _path_to(case: Case, target: str, facts: dict[str, Any], day: date,
             depth: int = MAX_DEPTH, budget: int = MAX_SEARCH) -> list[Step] | None:
    """A short list of steps from where ``case`` is that ends with ``target`` (None if none
    is found), tried on copies of the case, nearest first by the spec's arrows (best-first).
    Steps whose facts a guard of ``target`` reads are tried with each choice of them."""
    if target in case.available_events():
        return [(target, {})]
    spec = case.spec
    dist, deciding = _distance(spec, target)
    read = spec.guard_facts

    def key(c: Case) -> tuple:
        return tuple(c.current_states), tuple(repr(c.facts.get(n)) for n in read)

    def near(c: Case) -> int:
        return min(dist[n] for n in c.current_states)

    seen = {key(case)}
    queue: list[tuple[int, int, int, dict, list[Step]]] = [(near(case), 0, 0, case.snapshot(), [])]
    tried = order = 0
    while queue and tried < budget:
        _h, _n, _o, state, path = heapq.heappop(queue)
        if len(path) >= depth:
            continue
        here = Case.restore(spec, state)
        now = near(here)
        for event in here.available_events():
            if event not in deciding and not any(
                    min(dist[m] for m in [t.target, *entered_leaves(spec, t.target)]) <= now
                    and not (t.target in here.active_states and t.target in t.sources)
                    for t in here.candidates(event)):
                continue  # stays where it is, or leads no nearer ``target``
            choices = list(_choices(here, event, facts, day))
            for values in choices if event in deciding else choices[:2]:
                tried += 1
                trial = Case.restore(spec, state)
                try:
                    trial.fire(event, max(day, trial.last_date), values, actor="timeline")
                except CaseError:
                    continue
                step = [*path, (event, values)]
                if target in trial.available_events():
                    return [*step, (target, {})]
                if key(trial) not in seen and not trial.finished_on:
                    seen.add(key(trial))
                    order += 1
                    heapq.heappush(queue, (near(trial), len(step), order, trial.snapshot(), step))
    return None
