"""Meaning checks on a spec whose shape is already right.

Each check yields ``(key path, message, suggestion)``; the loader locates and reports them all
at once. They are written for the policy officer reading the message: say what is wrong in the
spec's own words and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import chain, pairwise

from ..cases.calendars import calendar, calendar_names
from ..suggest import closest, quoted
from .durations import Duration
from .milestones import vocabulary
from .model import Spec
from .stategraph import moves
from .tomlsource import Path

Found = Iterator[tuple[Path, str, str | None]]

_KIND_FIELDS = {
    "deadline": ({"within"}, "within"),
    "lead_time": ({"after"}, "after"),
    "window": ({"after", "within"}, "after and within"),
    "delay": ({"after"}, "after"),
    "recurring": ({"every"}, "every"),
    "target": ({"about"}, "about"),
}
_DURATION_FIELDS = ("within", "after", "every", "about")


def check(spec: Spec) -> Found:
    yield from chain(
        _names(spec), _hierarchy(spec), _transitions(spec), _reachability(spec),
        _events(spec), _timescales(spec), _citations(spec), _milestones(spec),
    )


def _unknown(kind: str, name: str, known) -> tuple[str, str | None]:
    return f"unknown {kind} '{name}'", quoted(closest(name, known))


def _names(spec: Spec) -> Found:
    for name, state in spec.states.items():
        if state.role is not None and state.role not in spec.roles:
            yield (("states", name, "role"), *_unknown("role", state.role, spec.roles))
    for name, event in spec.events.items():
        if event.role is not None and event.role not in spec.roles:
            yield (("events", name, "role"), *_unknown("role", event.role, spec.roles))
        for key in ("sets", "requires"):
            for i, fact in enumerate(getattr(event, key)):
                if fact not in spec.facts:
                    yield (("events", name, key, i), *_unknown("fact", fact, spec.facts))
        for i, fact in enumerate(event.clears):
            if fact not in spec.facts:
                yield (("events", name, "clears", i), *_unknown("fact", fact, spec.facts))
            elif fact in event.sets:
                yield (("events", name, "clears", i), f"'{fact}' is both set and cleared by this "
                       "event; keep it in one of `sets` or `clears`", None)
        for i, fact in enumerate(event.requires):
            if fact in spec.facts and fact not in event.sets:
                yield (("events", name, "requires", i),
                       f"'{fact}' is required but not in `sets`; add it to `sets`", None)


def _hierarchy(spec: Spec) -> Found:
    states = spec.states
    depths, loop = _depths(spec)
    if loop is not None:
        yield (("states", loop, "parent"), f"parent chain loops back to '{loop}'", None)
        return  # further hierarchy checks would not terminate
    deep = next((n for n, d in depths.items() if d > MAX_STATE_DEPTH), None)
    if deep is not None:
        yield (("states", deep, "parent"), f"states nested more than {MAX_STATE_DEPTH} deep "
               "(parent inside parent): regflow draws and runs at most that", None)
        return
    for name, state in states.items():
        if state.parent is None:
            continue
        if state.parent not in states:
            yield (("states", name, "parent"), *_unknown("state", state.parent, states))
            continue
        if states[state.parent].final:
            yield (("states", name, "parent"),
                   f"'{state.parent}' is final and cannot contain states", None)
    for parent in [None, *states]:
        if parent is not None and states[parent].parallel:
            continue  # regions of a parallel state are all entered; none is `initial`
        children = spec.children(parent)
        if not children:
            continue
        initial = [c for c in children if states[c].initial]
        where: Path = ("states", parent) if parent else ("states",)
        scope = f"inside '{parent}'" if parent else "at the top level"
        if not initial:
            yield (where, f"no initial state {scope}: mark one of "
                   f"{', '.join(children)} with initial = true", None)
        for extra in initial[1:]:
            yield (("states", extra, "initial"), f"more than one initial state {scope} "
                   f"('{initial[0]}' is already initial)", None)
    for name, state in states.items():
        if state.parallel and not spec.is_compound(name):
            yield (("states", name, "parallel"),
                   "a parallel state needs child states (its regions)", None)
        if state.final and state.parallel:
            yield (("states", name, "final"), "a state cannot be both final and parallel", None)


#: how deeply states may be nested (the shipped specs use 3)
MAX_STATE_DEPTH = 20


def _depths(spec: Spec) -> tuple[dict[str, int], str | None]:
    """How deep each state is nested (an unknown parent counts as the top level), and a
    state on a parent loop if there is one; each parent link is followed once."""
    depth: dict[str, int] = {}
    for name in spec.states:
        chain: list[str] = []
        on_chain: set[str] = set()
        here: str | None = name
        while here is not None and here in spec.states and here not in depth:
            if here in on_chain:
                return depth, here
            chain.append(here)
            on_chain.add(here)
            here = spec.states[here].parent
        base = depth.get(here, -1) if here is not None else -1
        for offset, member in enumerate(reversed(chain), 1):
            depth[member] = base + offset
    return depth, None


def _hierarchy_sound(spec: Spec) -> bool:
    """Every parent exists, no parent chain loops, no state is nested too deeply."""
    depths, loop = _depths(spec)
    return loop is None and max(depths.values(), default=0) <= MAX_STATE_DEPTH and all(
        s.parent is None or s.parent in spec.states for s in spec.states.values())


def _transitions(spec: Spec) -> Found:
    unguarded: dict[tuple[str, str], int] = {}
    for t in spec.transitions:
        where: Path = ("transitions", t.index)
        if t.event not in spec.events:
            yield ((*where, "event"), *_unknown("event", t.event, spec.events))
        if t.target not in spec.states:
            yield ((*where, "to"), *_unknown("state", t.target, spec.states))
        for i, source in enumerate(t.sources):
            src_where: Path = (*where, "from", i) if len(t.sources) > 1 else (*where, "from")
            if source not in spec.states:
                yield (src_where, *_unknown("state", source, spec.states))
                continue
            if spec.states[source].final:
                yield (src_where, f"'{source}' is final: nothing can happen after it", None)
            key = (source, t.event)
            if key in unguarded:
                first = unguarded[key]
                if t.guard is None:
                    yield (where, f"two transitions on '{t.event}' from '{source}' have no guard "
                           f"(transitions[{first}] and this one): add a guard to one", None)
                else:
                    yield (where, f"never taken: transitions[{first}] on '{t.event}' from "
                           f"'{source}' has no guard and comes first; move the unguarded one "
                           "last", None)
            elif t.guard is None:
                unguarded[key] = t.index


def _by_source(spec: Spec) -> dict[str, list]:
    """Transitions from each state, in file order."""
    out: dict[str, list] = {}
    for t in spec.transitions:
        for source in dict.fromkeys(t.sources):
            out.setdefault(source, []).append(t)
    return out


def _reachability(spec: Spec) -> Found:
    states = spec.states
    if any(t.target not in states or any(s not in states for s in t.sources)
           for t in spec.transitions):
        return  # unknown names are reported already; reachability would only add noise
    if not _hierarchy_sound(spec):
        return  # a parent loop or unknown parent is reported already
    reached: set[str] = set()
    entered: set[str] = set()  # targets already followed (a state reached only as a parent
    # of another target still has to be entered for its own initial children)
    todo: list[str] = []  # reached states whose transitions are still to be followed
    by_source = _by_source(spec)

    def reach(name: str) -> None:
        if name not in reached:
            reached.add(name)
            todo.append(name)

    def enter(name: str) -> None:
        """Enter ``name`` as python-statemachine would: its parents, the other regions of any
        parallel parent, and its own initial (or, if parallel, every) child."""
        entered.add(name)
        path = [*reversed(spec.ancestors(name)), name]
        for outer, inner in pairwise(path):
            reach(outer)
            if states[outer].parallel:
                for region in spec.children(outer):
                    if region != inner:
                        _enter_down(region)
        _enter_down(name)

    def _enter_down(name: str) -> None:
        below = [name]
        while below:
            here = below.pop()
            reach(here)
            children = spec.children(here)
            below.extend(children if states[here].parallel
                         else [c for c in children if states[c].initial])

    for top in spec.children(None):
        if states[top].initial:
            enter(top)
    while todo:  # each reached state's transitions are followed once
        for t in by_source.get(todo.pop(), ()):
            if t.target not in entered:
                enter(t.target)
    for name in states:
        if name not in reached:
            yield (("states", name), f"unreachable: no transition leads to '{name}' "
                   "(or to a state that contains it)", None)
    yield from _traps(spec, reached)


def _traps(spec: Spec, reached: set[str]) -> Found:
    """Reachable states from which the process can never reach a top-level final state."""
    ends = [n for n in spec.children(None) if spec.states[n].final]
    if not ends:
        yield (("states",), "no final state at the top level: mark the state where the "
               "process ends with final = true", None)
        return
    # a leaf's own transitions, those of the states around it, and (a state in another region
    # of a parallel parent being active at the same time) those that leave that parent
    successors = {leaf: {m.to for m in found} for leaf, found in moves(spec).items()}
    leaves = list(successors)
    can_end = _reaching(ends, successors)
    names = ", ".join(f"'{e}'" for e in ends)
    # Report only where the case gets stuck (states whose every successor leads back to them:
    # a strongly connected group of stuck states with no way out of it), not every state
    # upstream of the trap.
    stuck = [leaf for leaf in leaves if leaf in reached and leaf not in can_end]
    for leaf in _in_closed_groups(stuck, successors):
        how = "add a transition from it (or from a state containing it)"
        if not successors[leaf] - {leaf}:
            yield (("states", leaf), f"no way out of '{leaf}': {how}, or mark it final = true",
                   None)
        else:
            yield (("states", leaf), f"no way out of '{leaf}': from here the process never "
                   f"reaches an end state ({names}); {how}", None)


def _reaching(ends: list[str], successors: dict[str, set[str]]) -> set[str]:
    """The nodes from which one of ``ends`` can be reached: backwards from the ends, each edge
    followed once."""
    before: dict[str, list[str]] = {}
    for node, after in successors.items():
        for nxt in after:
            before.setdefault(nxt, []).append(node)
    found, todo = set(ends), list(ends)
    while todo:
        for prev in before.get(todo.pop(), ()):
            if prev not in found:
                found.add(prev)
                todo.append(prev)
    return found


def _in_closed_groups(nodes: list[str], successors: dict[str, set[str]]) -> list[str]:
    """The nodes, in order, whose strongly connected group has no edge out of it (Tarjan's
    algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    group_of: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(successors.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(successors.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group_of[member] = len(groups)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(group)
    closed = {g for g, members in enumerate(groups)
              if all(group_of[nxt] == g for m in members for nxt in successors.get(m, ()))}
    return [n for n in nodes if group_of[n] in closed]


#: event-name prefixes python-statemachine reserves for events it raises itself
_RESERVED_PREFIXES = ("done_state_", "done_invoke_", "error_")


def _events(spec: Spec) -> Found:
    for name in spec.events:
        if name.startswith(_RESERVED_PREFIXES):
            yield (("events", name), f"event names starting with "
                   f"{', '.join(_RESERVED_PREFIXES)} are reserved for the engine; rename it", None)
    used = {t.event for t in spec.transitions}
    fired = {t.fires for t in spec.timescales if t.fires}
    for name in spec.events:
        if name not in used:
            how = " (a timescale fires it)" if name in fired else ""
            yield (("events", name), f"event '{name}' is never used by a transition{how}: "
                   "add a transition for it or remove it", None)


def _timescales(spec: Spec) -> Found:
    seen: dict[str, int] = {}
    for t in spec.timescales:
        where: Path = ("timescales", t.index)
        if t.id in seen:
            yield ((*where, "id"), f"timescale id '{t.id}' is already used by "
                   f"timescales[{seen[t.id]}]", None)
        seen.setdefault(t.id, t.index)
        needed, words = _KIND_FIELDS[t.kind]
        optional = {"within"} if t.kind == "recurring" else set()
        if t.due_on is not None:
            fact = spec.facts.get(t.due_on)
            if t.kind != "deadline":
                yield ((*where, "due_on"), f"`due_on` is for a deadline, not a {t.kind}", None)
            elif fact is None:
                yield ((*where, "due_on"), *_unknown("fact", t.due_on, spec.facts))
            elif fact.type != "date":
                yield ((*where, "due_on"), f"'{t.due_on}' is a fact of type {fact.type}; `due_on` needs "
                       "a date fact", None)
            if t.within is not None:
                yield ((*where, "within"), "write `within` or `due_on`, not both", None)
            needed = set()
        for field in _DURATION_FIELDS:
            value = getattr(t, field)
            if field in needed and value is None and _raw_missing(spec, t.index, field):
                yield ((*where, "kind"), f"a {t.kind} needs {words}", None)
            if field not in needed | optional and value is not None:
                yield ((*where, field), f"`{field}` does not apply to a {t.kind} "
                       f"(a {t.kind} takes {words})", None)
            if value is not None and value.financial and field != "every":
                yield ((*where, field), "financial years are periods, for `every` of a recurring "
                       "timescale; write years or months here", f"'{value.amount} years'")
        if t.kind == "recurring" and t.within and t.every and t.within >= t.every \
                and t.within.unit == t.every.unit:
            yield ((*where, "within"), f"each period's obligation falls due within {t.within}, "
                   f"but a period lasts only {t.every}", None)
        if t.ends_early and not t.fires:
            yield ((*where, "ends_early"), "`ends_early` is for a delay that `fires` an event", None)
        if t.kind == "window" and t.after and t.within:
            late = _opens_after_closing(spec, t.after, t.within)
            if late is not None:
                yield ((*where, "after"), f"the window opens ({t.after}) after it closes "
                       f"({t.within}){late}", None)
        if t.every is not None and t.every.amount == 0:
            yield ((*where, "every"), f"'every {t.every}' never moves on: a recurring "
                   "timescale needs a period of at least 1", None)
        for key in ("anchor", "met_by", "until"):
            ref = getattr(t, key)
            if ref is None:
                continue
            known = spec.events if ref.kind == "event" else spec.states
            if ref.name not in known:
                yield ((*where, key, ref.kind), *_unknown(ref.kind, ref.name, known))
        if t.met_by is None and t.kind != "delay":
            yield (where, f"a {t.kind} needs `met_by`: the event or state that satisfies it",
                   None)
        if t.kind == "delay" and t.met_by is None and t.fires is None:
            yield (where, "a delay needs `met_by` or `fires`", None)
        if t.until is not None and t.kind != "recurring":
            yield ((*where, "until"), "`until` only applies to a recurring timescale", None)
        if t.fires is not None:
            if t.kind != "delay":
                yield ((*where, "fires"), "`fires` only applies to a delay", None)
            if t.fires not in spec.events:
                yield ((*where, "fires"), *_unknown("event", t.fires, spec.events))
        if t.responsible is not None and t.responsible not in spec.roles:
            yield ((*where, "responsible"), *_unknown("role", t.responsible, spec.roles))


#: anchors a window is tried from when its two ends are in different units: every day of a
#: leap year and the year after (month ends, February, bank holidays, weekends)
_WINDOW_ANCHORS = tuple(date(2028, 1, 1) + timedelta(days=n) for n in range(731))


def _opens_after_closing(spec: Spec, after: Duration, within: Duration) -> str | None:
    """None if a window of ``after`` .. ``within`` opens before it closes from every anchor;
    else words saying from which anchor it does not ("" when always)."""
    if after.unit == within.unit:
        return "" if after.amount > within.amount else None
    code = spec.process.calendar if spec.process.calendar in calendar_names() else "GB-ENG"
    add = calendar(code).add
    for anchor in _WINDOW_ANCHORS:
        if add(anchor, after) > add(anchor, within):
            return f", e.g. from {anchor.isoformat()}: {add(anchor, after).isoformat()} is " \
                f"after {add(anchor, within).isoformat()}"
    return None


def _raw_missing(spec: Spec, index: int, field: str) -> bool:
    """True when the field is absent from the file (not merely unparseable)."""
    return spec.source_map is None or (("timescales", index, field)
                                       not in spec.source_map.positions)


def _cited(spec: Spec) -> Iterator[tuple[Path, str]]:
    for group in ("roles", "facts", "states", "events"):
        for name, item in getattr(spec, group).items():
            if item.citation:
                yield (group, name, "citation"), item.citation
    for t in spec.transitions:
        if t.citation:
            yield ("transitions", t.index, "citation"), t.citation
    for t in spec.timescales:
        yield ("timescales", t.index, "citation"), t.citation


def _citations(spec: Spec) -> Found:
    for where, citation in _cited(spec):
        if citation not in spec.paragraphs:
            yield (where, f"citation '{citation}' is not in [paragraphs]: add the paragraph's "
                   "text there", quoted(closest(citation, spec.paragraphs)))


def _milestones(spec: Spec) -> Found:
    known = vocabulary()
    tagged: list[tuple[Path, tuple[str, ...]]] = [
        *((("states", n, "milestones"), s.milestones) for n, s in spec.states.items()),
        *((("events", n, "milestones"), e.milestones) for n, e in spec.events.items()),
        *((("timescales", t.index, "milestones"), t.milestones) for t in spec.timescales),
    ]
    for where, names in tagged:
        for i, name in enumerate(names):
            if name not in known:
                yield ((*where, i), f"unknown milestone '{name}' (the shared vocabulary is in "
                       "specs/milestones.toml)", quoted(closest(name, known)))
