"""Do a spec's timescales add up? Conflicts between timescales, found along the spec's paths.

A timescale spanning several steps (CIW 8.4: publication within 50 working days of the end of
fieldwork) can disagree with the timescales of the steps in between (8.5 draft within 25, 8.7
10 days for comments, 8.8 publication within 25 of them: up to 60). For every timescale with a
limit (deadline, lead time, window, delay met by an event) this module follows every path of the
state graph from its anchor to the first step that meets it, puts every other timescale that
constrains a step of the path on it, and works out from a worked-example start date the latest
and earliest dates the end can have while every step keeps its own timescale:

* the steps allow a later date than the spanning deadline (it can be missed with every step on
  time): its dates do not add up;
* the steps force a later date than the deadline, or an earlier one than a lead time: it can
  never be met.

Dates are computed with the spec's calendar, so working days, calendar days and months mix
correctly; where they mix, start dates are tried day by day over two years until one shows the
conflict (a month of 28 days against "30 days"). A path passes through each innermost state at
most once (a loop is not gone round again), ends where the anchor happens again (a new instance
of the timescale), and only the order of the steps that timescales name is told apart, which
keeps the search small enough to run on every keystroke of an editor.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from ..cases.calendars import WorkingCalendar, calendar
from .durations import Duration
from .model import Ref, Spec, Timescale
from .stategraph import Move, entered, initial_leaves, moves
from .tomlsource import Path

#: the worked example starts here (a Monday), or on the first day after it that shows a conflict
EXAMPLE_START = date(2027, 3, 1)
#: how many start days are tried where units mix (two years, a 29 February included)
SCAN_DAYS = 731
#: bounds on the search, per spanning timescale
MAX_PATHS = 400
MAX_STEPS = 80

_SPANNING = ("deadline", "lead_time", "window", "delay")
_APPROX_DAYS = {"working_days": 1.4, "days": 1, "weeks": 7, "months": 30.4, "years": 365.25,
                "financial_years": 365.25}


@dataclass(frozen=True)
class Step:
    """One transition taken on a path: its event (``None``: the case opening) and the states
    it enters; ``before`` is the innermost state it was taken from."""

    event: str | None
    states: frozenset[str]
    before: str | None
    after: str


@dataclass(frozen=True)
class Bound:
    """A timescale on a path: position ``end`` is ``lo``..``hi`` after position ``start``."""

    timescale: Timescale
    start: int
    end: int
    lo: Duration | None
    hi: Duration | None


@dataclass(frozen=True)
class Conflict:
    """Timescales that do not add up, with a worked example."""

    spanning: Timescale
    chain: tuple[Timescale, ...]  # the step timescales that give the bound, in path order
    kind: str  # "later" (steps allow missing it), "never" (cannot be met), "earlier"
    start: date
    dates: tuple[tuple[str, date, Timescale], ...]  # (what happens, latest/earliest date, why)
    end: date
    limit: date
    message: str

    @property
    def citations(self) -> tuple[str, ...]:
        return (self.spanning.citation, *(t.citation for t in self.chain))


def check(spec: Spec) -> Iterator[tuple[Path, str, str | None]]:
    """``(key path, message, suggestion)`` for each conflict, located at the spanning
    timescale's limit."""
    found = conflicts(spec)
    for c in found:
        if c.spanning.conflict_noted:
            continue  # read, and the note says which binds
        field = "within" if c.kind in ("later", "never") else "after"
        yield (("timescales", c.spanning.index, field), c.message, None)
    spans = {c.spanning.index for c in found}
    for t in spec.timescales:
        if t.conflict_noted and t.index not in spans:
            yield (("timescales", t.index, "conflict_noted"),
                   f"‘{t.label}’ ({t.citation}) is marked conflict_noted, but it and the "
                   "steps inside it add up: remove the mark (and what the note says of the "
                   "conflict)", None)


def conflicts(spec: Spec, start: date = EXAMPLE_START) -> list[Conflict]:
    """Every conflict between the timescales of ``spec``, one per spanning timescale and chain
    of step timescales (the worst path of each)."""
    return _Analysis(spec, start).run()


def _refs(t: Timescale) -> Counter:
    return Counter((r.kind, r.name) for r in (t.anchor, t.met_by) if r is not None)


class _Counted:
    """Names counted over a pool of timescales, less those of one of them: ``key in it`` is
    true when another timescale of the pool has it."""

    def __init__(self, counts: Counter, own: Counter):
        self.counts, self.own = counts, own

    def __contains__(self, key) -> bool:
        return self.counts.get(key, 0) > self.own.get(key, 0)


class _Pool:
    """The timescales that can bound a path under one condition, indexed by anchor."""

    def __init__(self, members: list[tuple[int, Timescale]]):
        self.members = {id(t): n for n, t in members}
        self.refs: Counter = Counter()
        self.fires: Counter = Counter()
        self.anchored: dict[tuple[str, str], list[tuple[int, Timescale]]] = {}
        for n, t in members:
            self.refs.update(_refs(t))
            if t.fires:
                self.fires[t.fires] += 1
            self.anchored.setdefault((t.anchor.kind, t.anchor.name), []).append((n, t))


def _keys(step: Step) -> list[tuple[str, str]]:
    """What a step matches: its event, and every state it enters."""
    keys = [("state", name) for name in step.states]
    return [("event", step.event), *keys] if step.event is not None else keys


class _Analysis:
    def __init__(self, spec: Spec, start: date):
        self.spec = spec
        self.start = start
        self.cal = calendar(spec.process.calendar)
        self.graph = moves(spec)
        self.accepts = {leaf: {m.transition.event for m in found}
                        for leaf, found in self.graph.items()}
        self._entered: dict[tuple[int, str], frozenset[str]] = {}
        self.limited = [t for t in spec.timescales if t.kind in _SPANNING]
        #: each innermost state's moves with the step each makes
        self.steps = {leaf: [(move, self.step(move, leaf)) for move in found]
                      for leaf, found in self.graph.items()}
        # Indexes, so that each timescale's search costs what it finds, not the whole graph:
        # steps by what they match (in the order of ``steps``), who steps to each state, and
        # the states a step matching each reference can still come from.
        self._matching: dict[tuple[str, str], list[tuple[Move, Step]]] = {}
        self._back: dict[str, set[str]] = {}
        for leaf, options in self.steps.items():
            for move, step in options:
                self._back.setdefault(move.to, set()).add(leaf)
                for key in _keys(step):
                    self._matching.setdefault(key, []).append((move, step))
        self._reaching: dict[tuple[str, str], set[str]] = {}

    # -- paths ----------------------------------------------------------------------------

    def step(self, move: Move, before: str) -> Step:
        key = (move.transition.index, move.source)
        states = self._entered.get(key)
        if states is None:
            states = self._entered[key] = frozenset(
                entered(self.spec, move.source, move.transition.target))
        return Step(move.transition.event, states, before, move.to)

    @staticmethod
    def matches(ref: Ref | None, step: Step) -> bool:
        if ref is None:
            return False
        return step.event == ref.name if ref.kind == "event" else ref.name in step.states

    def starts(self, ref: Ref) -> list[Step]:
        found: dict[tuple, Step] = {}
        if ref.kind == "state":
            opening = initial_leaves(self.spec)
            states = frozenset(s for leaf in opening for s in [leaf, *self.spec.ancestors(leaf)])
            if ref.name in states:
                for leaf in opening:
                    found[(None, leaf)] = Step(None, states, None, leaf)
        for move, step in self._matching.get((ref.kind, ref.name), ()):
            found.setdefault((move.transition.index, move.to), step)
        return list(found.values())

    def reaching(self, ref: Ref) -> set[str]:
        """Innermost states from which a step matching ``ref`` can still come (worked out once
        per reference: timescales often share one)."""
        key = (ref.kind, ref.name)
        known = self._reaching.get(key)
        if known is None:
            goal = {step.before for _, step in self._matching.get(key, ())}
            seen, todo = set(goal), list(goal)
            while todo:
                for prev in self._back.get(todo.pop(), ()):
                    if prev not in seen:
                        seen.add(prev)
                        todo.append(prev)
            known = self._reaching[key] = seen
        return known

    def paths(self, span: Timescale, relevant: _Counted, fired: _Counted) -> Iterator[list[Step]]:
        """Paths from ``span``'s anchor to the first step that meets it (``relevant``: the
        ``(kind, name)`` of the other timescales' anchors and ends; ``fired``: their events)."""
        target = span.met_by
        useful = self.reaching(target)

        def key(step: Step):
            names = frozenset(n for n in step.states if ("state", n) in relevant)
            named = step.event in fired or ("event", step.event) in relevant
            return (step.event if named else None, names) if (named or names) else None

        count = 0
        expanded: set[tuple] = set()
        for first in self.starts(span.anchor):
            stack = [([first], {first.after}, (key(first),))]
            while stack and count < MAX_PATHS:
                path, visited, signature = stack.pop()
                leaf = path[-1].after
                if (leaf, signature) in expanded or len(path) > MAX_STEPS:
                    continue
                expanded.add((leaf, signature))
                nexts = []
                for move, step in self.steps.get(leaf, ()):
                    if self.matches(target, step):
                        count += 1
                        yield [*path, step]
                    elif self.matches(span.anchor, step):
                        continue  # a new instance starts: this one is met before or never
                    elif move.to in useful and move.to not in visited:
                        mark = key(step)
                        nexts.append(([*path, step], visited | {move.to},
                                      (*signature, mark) if mark else signature))
                stack.extend(reversed(nexts))

    # -- bounds on one path ----------------------------------------------------------------

    def bounds(self, span: Timescale, path: list[Step], pool: _Pool) -> list[Bound]:
        """The other timescales of ``pool`` on ``path``, as bounds between its positions."""
        last = len(path) - 1
        out: list[Bound] = []
        # the (timescale, position) pairs whose anchor the step at that position matches, in
        # the timescales' order then the path's, found from the path's steps
        pairs = sorted(((n, i, t) for i, step in enumerate(path) for key in _keys(step)
                        for n, t in pool.anchored.get(key, ()) if t is not span),
                       key=lambda pair: pair[:2])
        for _, i, t in pairs:
            if t.fires:
                j = next((k for k in range(i + 1, len(path)) if path[k].event == t.fires),
                         None)
                if j is not None:  # the engine records it on the due date
                    out.append(Bound(t, i, j, t.after, t.after))
                    continue
                # moving on from a state where it would fire: before it fell due
                j = next((k for k in range(i + 1, len(path))
                          if t.fires in self.accepts.get(path[k].before, ())), None)
                if j is not None:
                    out.append(Bound(t, i, j, None, t.after))
            if t.met_by is None:
                continue
            j = next((k for k in range(i + 1, len(path)) if self.matches(t.met_by, path[k])),
                     None)
            if j is None or (i == 0 and j == last):
                continue  # not met on this path, or spanning the same steps as ``span``
            lo = t.after if t.kind in ("lead_time", "window", "delay") else None
            hi = t.within if t.kind in ("deadline", "window") else None
            if lo is not None or hi is not None:  # (a date fact's deadline has neither)
                out.append(Bound(t, i, j, lo, hi))
        return out

    def solve(self, n: int, bounds: list[Bound], start: date):
        """Latest and earliest date of each position with position 0 on ``start`` (None: no
        latest date), and which bound set each; None if the path cannot happen."""
        add = self.cal.add
        ub: list[date | None] = [start] + [None] * (n - 1)
        lb: list[date] = [start] * n
        why: list[Bound | None] = [None] * n  # the bound that set each latest date
        why_lb: list[Bound | None] = [None] * n  # ... and each earliest date
        for _ in range(4 * n + 4):
            changed = False
            for k in range(1, n):
                if lb[k] < lb[k - 1]:  # not before the step before it
                    lb[k], why_lb[k], changed = lb[k - 1], None, True
                if ub[k] is not None and (ub[k - 1] is None or ub[k] < ub[k - 1]):
                    ub[k - 1], why[k - 1], changed = ub[k], None, True
            for b in bounds:
                if b.hi is not None:
                    if ub[b.start] is not None:
                        late = add(ub[b.start], b.hi)
                        if ub[b.end] is None or late < ub[b.end]:
                            ub[b.end], why[b.end], changed = late, b, True
                    early = _earliest_start(self.cal, lb[b.end], b.hi)
                    if early > lb[b.start]:
                        lb[b.start], changed = early, True
                if b.lo is not None:
                    early = add(lb[b.start], b.lo)
                    if early > lb[b.end]:
                        lb[b.end], why_lb[b.end], changed = early, b, True
                    if ub[b.end] is not None:
                        late = _latest_start(self.cal, ub[b.end], b.lo)
                        if ub[b.start] is None or late < ub[b.start]:
                            ub[b.start], changed = late, True
            if any(u is not None and u < low for u, low in zip(ub, lb, strict=True)):
                return None
            if not changed:
                break
        return ub, lb, why, why_lb

    # -- conflicts ---------------------------------------------------------------------------

    def run(self) -> list[Conflict]:
        found: dict[tuple, Conflict] = {}
        # a step counts where it always applies (or under the same condition) and its anchor
        # and end are not conditions on the facts of the moment (``when``); the timescales
        # that count are pooled once per condition, and each spanning one is left out of its
        # pool by counting, so the work grows with the timescales, not with their square
        steady = [(n, t) for n, t in enumerate(self.limited)
                  if not any(r is not None and r.when for r in (t.anchor, t.met_by))]
        pools: dict[str | None, _Pool] = {}
        for span in self.limited:
            if span.met_by is None:
                continue
            pool = pools.get(span.applies_when)
            if pool is None:
                pool = pools[span.applies_when] = _Pool(
                    [(n, t) for n, t in steady if t.applies_when in (None, span.applies_when)])
            counted = pool.members.get(id(span)) is not None
            relevant = _Counted(pool.refs, _refs(span) if counted else Counter())
            fired = _Counted(pool.fires, Counter([span.fires]) if counted and span.fires
                             else Counter())
            judged: set[tuple] = set()
            for path in self.paths(span, relevant, fired):
                bounds = self.bounds(span, path, pool)
                if not bounds:
                    continue
                path, bounds = _compress(path, bounds)
                key = (tuple(s.event for s in path),
                       tuple((b.timescale.id, b.start, b.end, b.lo, b.hi) for b in bounds))
                if key in judged:
                    continue  # the same steps in the same order, reached another way
                judged.add(key)
                conflict = self.judge(span, path, bounds)
                if conflict is None:
                    continue
                key = (span.id, conflict.kind, tuple(t.id for t in conflict.chain))
                known = found.get(key)
                if known is None or _worse(conflict, known):
                    found[key] = conflict
        return sorted(found.values(), key=lambda c: (c.spanning.index, c.kind, c.citations))

    def judge(self, span: Timescale, path: list[Step], bounds: list[Bound]) -> Conflict | None:
        durations = [d for b in bounds for d in (b.lo, b.hi) if d is not None]
        durations += [d for d in (span.within, span.after) if d is not None]
        exact = len({_family(d.unit) for d in durations}) == 1
        slack = sum(map(_variation, durations)) + 1
        for offset in range(1 if exact else SCAN_DAYS):
            start = self.start + timedelta(days=offset)
            solved = self.solve(len(path), bounds, start)
            if solved is None:
                continue
            ub, lb, why, why_lb = solved
            end = len(path) - 1
            margins = []
            if span.within is not None:
                limit = self.cal.add(start, span.within)
                if lb[end] > limit:
                    return self.conflict(span, path, "never", start, lb[end], limit, why_lb, lb)
                if ub[end] is not None and ub[end] > limit:
                    return self.conflict(span, path, "later", start, ub[end], limit, why, ub)
                margins += [(limit - lb[end]).days]
                margins += [(limit - ub[end]).days] if ub[end] is not None else []
            if span.after is not None and ub[end] is not None:
                limit = self.cal.add(start, span.after)
                if ub[end] < limit:
                    return self.conflict(span, path, "earlier", start, ub[end], limit, why, ub)
                margins.append((ub[end] - limit).days)
            if offset == 0 and all(m > slack for m in margins):
                return None  # no start date can move the dates that far
        return None

    def conflict(self, span, path, kind, start, end_date, limit, why, dates) -> Conflict:
        chain: list[tuple[str, date, Timescale]] = []
        k = len(path) - 1
        while k > 0:  # back from the end along the bounds that set the dates
            b = why[k]
            if b is None:  # the date came from the order of the steps
                k -= 1
                continue
            chain.append((self.what(path[k]), dates[k], b.timescale))
            k = b.start
        chain.reverse()
        steps = tuple(t for _, _, t in chain)
        message = self.words(span, path, kind, start, end_date, limit, chain)
        return Conflict(span, steps, kind, start, tuple(chain), end_date, limit, message)

    def what(self, step: Step) -> str:
        if step.event is None:
            return "the case opened"
        return f"‘{self.spec.events[step.event].label}’" if step.event in self.spec.events \
            else step.event

    def elapsed(self, start: date, end: date, unit: str) -> str:
        if unit == "working_days":
            n = self.cal.working_days_between(start, end)
            return f"{n} working day{'s' if n != 1 else ''}"
        n = (end - start).days
        return f"{n} day{'s' if n != 1 else ''}"

    def words(self, span, path, kind, start, end_date, limit, chain) -> str:
        spec = self.spec
        first = self.what(path[0]) if path[0].event else spec.ref_label(span.anchor)
        met = spec.ref_label(span.met_by)
        rule = span.within if kind in ("later", "never") else span.after
        steps = "; ".join(f"{what} {'by' if kind != 'never' else 'not before'} {_day(when)} "
                          f"({t.citation}: {_rule(t)})" for what, when, t in chain)
        example = f"Worked example, with {first} on {_day(start)}: {steps}"
        total = self.elapsed(start, end_date, rule.unit)
        check = ("Check the reading of these paragraphs, say in the note which one binds, then "
                 f"mark {span.citation}'s timescale conflict_noted = true")
        named = f"{span.citation} ({span.label}" + (f"; '{span.wording}'" if span.wording else "")
        named += ")"
        if kind == "later":
            return (f"timescales do not add up: {named} can be missed with "
                    f"every step on time. {example}. That is {total} after the start, later "
                    f"than {span.citation}'s {rule} ({_day(limit)}). {check}"
                    + (f" ({span.citation} can be extended)" if span.extendable else ""))
        if kind == "never":
            return (f"timescales cannot all be met: {named} comes too "
                    f"soon for the steps before it. {example}; so {met} cannot come before "
                    f"{_day(end_date)}, {total} after the start, later than {span.citation}'s "
                    f"{rule} ({_day(limit)}). {check}")
        return (f"timescales cannot all be met: the steps' own timescales bring {met} too soon "
                f"for {named}. {example}. That is {total} after the "
                f"start, before {span.citation}'s {rule} allows it ({_day(limit)}). {check}")


def _rule(t: Timescale) -> str:
    if t.kind == "delay" and t.fires:
        return f"{t.after} allowed"
    return t.rule_text().split(" of ")[0]


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _family(unit: str) -> str:
    return {"weeks": "days", "years": "months", "financial_years": "months"}.get(unit, unit)


def _variation(d: Duration) -> int:
    """How many calendar days the length of ``d`` can differ between two start dates: a
    weekend either side and the bank holidays it may span for working days; 28 to 31 days
    for months; 365 or 366 for years."""
    return {"working_days": 2 + min(d.amount, 10), "days": 0, "weeks": 0,
            "months": 3}.get(d.unit, 1 if "years" in d.unit else 31)


def _compress(path: list[Step], bounds: list[Bound]) -> tuple[list[Step], list[Bound]]:
    """Only the steps a bound names (and the first and last): the order of the others does
    not change any date."""
    keep = sorted({0, len(path) - 1, *(b.start for b in bounds), *(b.end for b in bounds)})
    where = {k: i for i, k in enumerate(keep)}
    return ([path[k] for k in keep],
            [Bound(b.timescale, where[b.start], where[b.end], b.lo, b.hi) for b in bounds])


def _worse(a: Conflict, b: Conflict) -> bool:
    return (a.end - a.limit) > (b.end - b.limit) if a.kind != "earlier" else \
        (a.limit - a.end) > (b.limit - b.end)


def _latest_start(cal: WorkingCalendar, end: date, d: Duration) -> date:
    """The latest day from which ``d`` ends on or before ``end``."""
    day = end - timedelta(days=int(d.amount * _APPROX_DAYS.get(d.unit, 30)))
    while cal.add(day, d) > end:
        day -= timedelta(days=1)
    while cal.add(day + timedelta(days=1), d) <= end:
        day += timedelta(days=1)
    return day


def _earliest_start(cal: WorkingCalendar, end: date, d: Duration) -> date:
    """The earliest day from which ``d`` ends on or after ``end``."""
    day = end - timedelta(days=int(d.amount * _APPROX_DAYS.get(d.unit, 30)))
    while cal.add(day, d) < end:
        day += timedelta(days=1)
    while cal.add(day - timedelta(days=1), d) >= end:
        day -= timedelta(days=1)
    return day
