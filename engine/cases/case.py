"""A case: one run of a spec, with its facts, its active states and its history.

The case drives a python-statemachine instance compiled from the spec and keeps everything a
deadline needs as dated records (events recorded, states entered), so timescales are computed
from dates on demand and never held in timers. Time-driven events (a ``delay`` timescale's
``fires``) are caught up by :meth:`Case.advance_to`, deterministically, in due-date order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from statemachine.exceptions import TransitionNotAllowed
from statemachine.orderedset import OrderedSet

from ..errors import (
    DateError,
    EventRefused,
    ExtensionError,
    FactError,
    GuardFailure,
    PeriodNotOver,
    UnknownEvent,
)
from ..spec.facts import read_fact
from ..spec.model import Ref, Spec, Timescale, Transition
from ..suggest import closest
from .calendars import calendar, check_day
from .compiler import machine_class, transition_memo

AUTO_ACTOR = "regflow"
_START = ("start",)  # memo key of the initial configuration

@dataclass(frozen=True)
class HistoryEntry:
    """One recorded event. ``auto`` is True for events a timescale fired by itself."""

    seq: int
    event: str
    on: date
    actor: str | None
    facts: dict[str, Any]
    note: str
    auto: bool
    source: tuple[str, ...]  # innermost active states before
    target: tuple[str, ...]  # innermost active states after

@dataclass(frozen=True)
class Extension:
    timescale: str
    anchor_seq: int
    to: date
    reason: str

def _dump_facts(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _load_facts(spec: Spec, values: dict[str, Any]) -> dict[str, Any]:
    return {k: date.fromisoformat(v) if spec.facts[k].type == "date" and isinstance(v, str)
            else v for k, v in values.items()}


@dataclass
class _Model:
    """The object python-statemachine keeps the active configuration on."""

    state: Any = None

class _EntryLog:
    """Listener that dates every state entry, re-entries included (anchors and ``met_by``)."""

    def __init__(self, case: Case):
        self.case = case

    def on_enter_state(self, state) -> None:
        self.case._entries.append((state.id, self.case._clock, self.case._clock_seq))

@dataclass(frozen=True)
class Occurrence:
    on: date
    seq: int

class Case:
    """A running case of ``spec``, opened on ``opened_on`` with optional starting ``facts``."""

    def __init__(self, spec: Spec, opened_on: date, facts: dict[str, Any] | None = None):
        if not isinstance(opened_on, date):
            raise DateError(f"the opening date must be a date, not {opened_on!r}")
        check_day(opened_on, "the opening date")
        self.spec = spec
        self.opened_on = opened_on
        self.calendar = calendar(spec.process.calendar)
        self.facts: dict[str, Any] = {
            name: fact.default for name, fact in spec.facts.items() if fact.default is not None
        }
        self.facts.update(self._check_facts(facts or {}, allowed=None))
        self._opening_facts = dict(self.facts)
        self.history: list[HistoryEntry] = []
        self.extensions: dict[tuple[str, int], Extension] = {}
        self.finished_on: date | None = None
        self._entries: list[tuple[str, date, int]] = []
        self._handled: set[tuple[str, int]] = set()  # delay instances already fired or skipped
        self._clock, self._clock_seq = opened_on, 0
        self._active_cache: tuple[Any, list[str]] = (None, [])
        self._occurrence_index: tuple[tuple[int, int], dict] = ((0, 0), {})
        self._machine = None
        memo = transition_memo(spec)
        known = memo.get(_START)
        if known is None:
            self._machine = machine_class(spec)(model=_Model(), listeners=[_EntryLog(self)])
            known = memo[_START] = (tuple(self._machine.configuration_values),
                                    tuple(name for name, _, _ in self._entries))
        else:
            self._entries.extend((name, opened_on, 0) for name in known[1])
        self._config: tuple[str, ...] = known[0]
        self._initial_states = self.active_states

    @property
    def machine(self):
        """The python-statemachine instance, created on first need at the current
        configuration (most steps are looked up, see ``compiler.transition_memo``)."""
        if self._machine is None:
            self._machine = machine_class(self.spec)(model=_Model(state=OrderedSet(self._config)),
                                                     listeners=[_EntryLog(self)])
        return self._machine

    # -- storing ---------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to carry on with this case later, as JSON-ready data.

        :meth:`restore` gives the machine back its full active configuration (parents
        included, as python-statemachine needs for compound and parallel states), so a stored
        case continues without replaying its history.
        """
        return {
            "format": 1,
            "opened_on": self.opened_on.isoformat(),
            "facts": _dump_facts(self.facts),
            "opening_facts": _dump_facts(self._opening_facts),
            "configuration": list(self._config),
            "initial_states": self._initial_states,
            "history": [[h.seq, h.event, h.on.isoformat(), h.actor, _dump_facts(h.facts), h.note,
                         h.auto, list(h.source), list(h.target)] for h in self.history],
            "entries": [[name, on.isoformat(), seq] for name, on, seq in self._entries],
            "handled": sorted([t, seq] for t, seq in self._handled),
            "extensions": [[e.timescale, e.anchor_seq, e.to.isoformat(), e.reason]
                           for e in self.extensions.values()],
            "finished_on": self.finished_on.isoformat() if self.finished_on else None,
        }

    @classmethod
    def restore(cls, spec: Spec, data: dict[str, Any]) -> Case:
        """A case carried on from :meth:`snapshot` data of the same spec."""
        case = cls.__new__(cls)
        case.spec = spec
        case.opened_on = date.fromisoformat(data["opened_on"])
        case.calendar = calendar(spec.process.calendar)
        case.facts = _load_facts(spec, data["facts"])
        case._opening_facts = _load_facts(spec, data["opening_facts"])
        case.history = [
            HistoryEntry(seq, event, date.fromisoformat(on), actor, _load_facts(spec, facts),
                         note, auto, tuple(source), tuple(target))
            for seq, event, on, actor, facts, note, auto, source, target in data["history"]
        ]
        case._entries = [(name, date.fromisoformat(on), seq) for name, on, seq in data["entries"]]
        case._handled = {(t, seq) for t, seq in data["handled"]}
        case.extensions = {
            (t, seq): Extension(t, seq, date.fromisoformat(to), reason)
            for t, seq, to, reason in data["extensions"]
        }
        case.finished_on = date.fromisoformat(data["finished_on"]) if data["finished_on"] else None
        case._clock, case._clock_seq = case.last_date, len(case.history)
        case._active_cache = (None, [])
        case._occurrence_index = ((0, 0), {})
        case._machine = None
        case._config = tuple(data["configuration"])
        case._initial_states = list(data["initial_states"])
        return case

    # -- reading ---------------------------------------------------------------------------

    @property
    def active_states(self) -> list[str]:
        """Every active state, parents included, in the spec's order."""
        config = self._config
        if self._active_cache[0] is not config:
            order = self.spec.state_order  # the hidden root of the machine is not a state
            self._active_cache = (config, sorted((n for n in config if n in order),
                                                 key=order.__getitem__))
        return list(self._active_cache[1])

    @property
    def current_states(self) -> list[str]:
        """The innermost active states (what a person calls "where the case is")."""
        key = ("leaves", self._config)
        known = self.spec.step_cache.get(key)
        if known is None:
            known = self.spec.step_cache[key] = tuple(self.spec.leaves(self.active_states))
        return list(known)

    def latest_states(self) -> list[str]:
        """The innermost states entered most recently and still active: "where things are
        moving", a short answer for a case running several tracks at once."""
        current = self.current_states
        for entry in reversed(self.history):
            moved = [n for n in entry.target if n not in entry.source and n in current]
            if moved:
                return moved
        return current

    @property
    def last_date(self) -> date:
        return self.history[-1].on if self.history else self.opened_on

    def responsible_roles(self) -> list[str]:
        """Roles responsible now: the innermost active states' roles (or their parents')."""
        return self.spec.roles_of(self.current_states)

    def entered_states(self) -> set[str]:
        """Every state the case has been in (the path it has travelled)."""
        return {name for name, _, _ in self._entries}

    def states_on(self, day: date) -> tuple[str, ...]:
        """The innermost states the case was in at the end of ``day``."""
        if day < self.opened_on:
            return ()
        states = tuple(self.spec.leaves(self._initial_states))
        for entry in self.history:
            if entry.on > day:
                break
            states = entry.target
        return states

    def facts_at(self, seq: int) -> dict[str, Any]:
        """The facts as they were just after history entry ``seq`` (0: when opened)."""
        values = dict(self._opening_facts)
        for entry in self.history[:seq]:
            values = self._cleared(entry.event, {**values, **entry.facts})
        return values

    def _cleared(self, event: str, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` with the facts ``event`` clears back at their defaults (only their own
        events may establish them again)."""
        cleared = self.spec.events[event].clears
        if not cleared:
            return values
        out = {k: v for k, v in values.items() if k not in cleared}
        out.update({k: self.spec.facts[k].default for k in cleared
                    if self.spec.facts[k].default is not None})
        return out

    def occurrences(self, ref: Ref) -> list[Occurrence]:
        """When ``ref`` happened: each recording of an event, or each entry into a state."""
        (h_done, e_done), index = self._occurrence_index
        if h_done > len(self.history) or e_done > len(self._entries):  # a log was cut back
            (h_done, e_done), index = (0, 0), {}
        for h in self.history[h_done:]:  # both logs only grow: index what is new
            index.setdefault(("event", h.event), []).append(Occurrence(h.on, h.seq))
        for name, on, seq in self._entries[e_done:]:
            index.setdefault(("state", name), []).append(Occurrence(on, seq))
        self._occurrence_index = ((len(self.history), len(self._entries)), index)
        found = self._occurrence_index[1].get((ref.kind, ref.name), ())
        if ref.when:  # only those where the facts then met the condition
            guard = self.spec.guards[ref.when]
            return [o for o in found if guard.holds(self.facts_at(o.seq))]
        return list(found)

    def candidates(self, event: str) -> list[Transition]:
        """Transitions on ``event`` from the active states, innermost source first."""
        key = (self._config, event)
        known = self.spec.step_cache.get(key)
        if known is None:
            depth, by_source = self.spec.depth, self.spec.transitions_from
            deepest: dict[int, tuple[int, Transition]] = {}
            for source in self._config:  # only the active states' own transitions
                for t in by_source.get((source, event), ()):
                    if t.index not in deepest or deepest[t.index][0] < depth[source]:
                        deepest[t.index] = (depth[source], t)
            found = sorted(deepest.values(), key=lambda pair: (-pair[0], pair[1].index))
            known = self.spec.step_cache[key] = tuple(t for _, t in found)
        return list(known)

    def guard_failures(self, event: str, facts: dict[str, Any] | None = None) -> list[GuardFailure]:
        """Why ``event`` would be refused now (empty if some transition is enabled)."""
        values = self.facts if facts is None else facts
        failures = []
        for t in self.candidates(event):
            if t.guard is None or self.spec.guards[t.guard].holds(values):
                return []
            source = next(s for s in t.sources if s in self._config)
            failures.append(GuardFailure(source, t.target, t.guard, t.citation))
        return failures

    def available_events(self) -> list[str]:
        """Events that can be recorded now: some transition is enabled, or its guard reads a
        fact the event itself sets (so the answer depends on what is entered with it)."""
        out = []
        for name in self._events_here():
            event = self.spec.events[name]
            for t in self.candidates(name):
                if (t.guard is None or self.spec.guards[t.guard].holds(self.facts)
                        or self.spec.guards[t.guard].names & set(event.sets)):
                    out.append(name)
                    break
        return out

    def _events_here(self) -> list[str]:
        """Events some transition from an active state is on, in the spec's order."""
        key = ("events", self._config)
        known = self.spec.step_cache.get(key)
        if known is None:
            from_state = self.spec.events_from
            found = {e for s in self._config for e in from_state.get(s, ())}
            known = self.spec.step_cache[key] = tuple(sorted(found,
                                                             key=self.spec.event_order.get))
        return list(known)

    def _not_now(self, event: str) -> UnknownEvent:
        where = ", ".join(self.current_states)
        ended = self.finished_on.isoformat() if self.finished_on else None
        return UnknownEvent(event, self.available_events(), known=True, suggestion=None,
                            where=where, ended=ended)

    def blocked_events(self) -> dict[str, list[GuardFailure]]:
        """Events that have transitions from here but whose guards are all false now."""
        available = set(self.available_events())
        return {
            name: failures
            for name in self._events_here()
            if name not in available and (failures := self.guard_failures(name))
        }

    # -- recording -------------------------------------------------------------------------

    def fire(self, event: str, on: date, facts: dict[str, Any] | None = None,
             actor: str | None = None, note: str = "") -> HistoryEntry:
        """Record ``event`` as having happened on ``on``, setting ``facts``.

        Time-driven events due before ``on`` are recorded first: they happened before it,
        whatever becomes of this one; those due on ``on`` itself only if this event cannot
        happen without them. Raises :class:`UnknownEvent`, :class:`EventRefused` (with
        the failed guards and citations), :class:`FactError` or :class:`DateError`; the event
        itself is not recorded when it raises.
        """
        if event not in self.spec.events:
            raise UnknownEvent(event, self.available_events(), known=False,
                               suggestion=closest(event, self.spec.events))
        if not isinstance(on, date):
            raise DateError(f"the date of '{event}' must be a date, not {on!r}")
        check_day(on, f"the date of '{event}'")
        if on < self.opened_on:
            raise DateError(f"'{event}' on {on.isoformat()} is before the case opened "
                            f"({self.opened_on.isoformat()})")
        if on < self.last_date:
            raise DateError(f"'{event}' on {on.isoformat()} is earlier than the last event "
                            f"({self.last_date.isoformat()}); events are recorded in date order")
        values = self._check_facts(facts or {}, allowed=self.spec.events[event])
        # Time-driven events due before this day happened first. Those due on the same day
        # happen first only if this event needs them (a review "after 90 days" recorded on
        # day 90); otherwise this event wins the day (comments on the last day of a period).
        self.advance_to(on - timedelta(days=1))
        merged = {**self.facts, **values}
        failures = self.guard_failures(event, merged)
        if failures or not self.candidates(event):
            self.advance_to(on)
            merged = {**self.facts, **values}
            failures = self.guard_failures(event, merged)
        if not self.candidates(event):
            raise self._not_now(event)
        if failures:
            raise EventRefused(event, failures)
        self._check_period_over(event, on, note)
        return self._record(event, on, values, merged, actor, note, auto=False)

    def _check_period_over(self, event: str, on: date, note: str) -> None:
        """Refuse, before its due date, an event that a running delay records when it ends
        ("period for comments ended"), unless the source lets the period end early and a
        reason is given."""
        for t in self.spec.timescales:
            if t.fires != event or (t.applies_when and
                                    not self.spec.guards[t.applies_when].holds(self.facts)):
                continue
            for anchor in self.occurrences(t.anchor):
                if (t.id, anchor.seq) in self._handled or anchor.on > on:
                    continue
                extension = self.extensions.get((t.id, anchor.seq))
                due = extension.to if extension else self.calendar.add(anchor.on, t.after)
                if on < due and not (t.ends_early and note.strip()):
                    raise PeriodNotOver(event, self.spec.events[event].label, due,
                                        self.spec.rule_words(t), t.citation, t.ends_early)

    def advance_to(self, day: date) -> list[HistoryEntry]:
        """Record every time-driven event due on or before ``day``, in due-date order."""
        recorded = []
        while (due := self._next_due(day)) is not None:
            when, timescale, anchor_seq = due
            self._handled.add((timescale.id, anchor_seq))
            event = timescale.fires
            if self.candidates(event) and not self.guard_failures(event):
                note = f"{timescale.label}: due {when.isoformat()} ({timescale.citation})"
                recorded.append(self._record(event, max(when, self.last_date), {}, self.facts,
                                             AUTO_ACTOR, note, auto=True))
        return recorded

    def next_fire_date(self) -> date | None:
        """When the next time-driven event falls due, if any is still to come."""
        due = self.next_fire()
        return due[0] if due else None

    def next_fire(self) -> tuple[date, str] | None:
        """The next time-driven event and the day it falls due (``None``: none to come)."""
        due = self._next_due(date.max)
        return (due[0], due[1].fires) if due else None

    def extend(self, timescale_id: str, to: date, reason: str) -> Extension:
        """Extend the latest instance of an extendable timescale to ``to``."""
        from .timescales import evaluate  # timescales reads cases; imported here to avoid a cycle

        try:
            timescale = self.spec.timescale(timescale_id)
        except KeyError:
            near = closest(timescale_id, [t.id for t in self.spec.timescales])
            hint = f" (did you mean '{near}'?)" if near else ""
            raise ExtensionError(f"unknown timescale '{timescale_id}'{hint}") from None
        if not timescale.extendable:
            raise ExtensionError(f"'{timescale.label}' cannot be extended: its source "
                                 f"({timescale.citation}) allows no extension")
        if not reason.strip():
            raise ExtensionError("an extension needs a reason")
        check_day(to, "the extension date")
        rows = [r for r in evaluate(self, self.last_date) if r.id == timescale_id and r.anchor_date]
        if not rows:
            raise ExtensionError(f"'{timescale.label}' has not started, so it cannot be extended")
        row = rows[-1]
        if row.due is None or to <= row.due:
            raise ExtensionError(f"the extension must be later than the due date "
                                 f"({row.due.isoformat() if row.due else 'none'})")
        extension = Extension(timescale_id, row.anchor_seq, to, reason)
        self.extensions[(timescale_id, row.anchor_seq)] = extension
        return extension

    def timescales(self, today: date):
        """Every timescale instance as of ``today`` (see :mod:`regflow.engine.cases.timescales`)."""
        from .timescales import evaluate

        return evaluate(self, check_day(today, "the date"))

    # -- internals -------------------------------------------------------------------------

    def _record(self, event: str, on: date, values: dict[str, Any], merged: dict[str, Any],
                actor: str | None, note: str, auto: bool) -> HistoryEntry:
        seq = len(self.history) + 1
        before = tuple(self.current_states)
        self._clock, self._clock_seq = on, seq
        memo = transition_memo(self.spec)
        key = (self._config, event, tuple(merged.get(n) for n in self.spec.guard_facts))
        known = memo.get(key)
        if known is None:
            machine = self.machine
            mark = len(self._entries)
            try:
                machine.send(event, facts=merged)
            except TransitionNotAllowed:
                del self._entries[mark:]
                raise self._not_now(event) from None
            known = memo[key] = (tuple(machine.configuration_values),
                                 tuple(name for name, _, _ in self._entries[mark:]))
        else:
            self._entries.extend((name, on, seq) for name in known[1])
            if self._machine is not None:  # keep a live machine in step
                self._machine.model.state = OrderedSet(known[0])
        self._config = known[0]
        self.facts = self._cleared(event, merged)
        entry = HistoryEntry(seq, event, on, actor, values, note, auto, before,
                             tuple(self.current_states))
        self.history.append(entry)
        if self.finished_on is None and any(
                self.spec.states[n].final and self.spec.states[n].parent is None
                for n in self.current_states):
            self.finished_on = on
        return entry

    def _check_facts(self, values: dict[str, Any], allowed) -> dict[str, Any]:
        out = {}
        for name, value in values.items():
            fact = self.spec.facts.get(name)
            if fact is None:
                near = closest(name, self.spec.facts)
                hint = f" (did you mean '{near}'?)" if near else ""
                sets = f"; '{allowed.name}' sets: {', '.join(allowed.sets) or 'no facts'}" \
                    if allowed is not None else ""
                raise FactError(f"unknown fact '{name}'{hint}{sets}")
            if allowed is not None and name not in allowed.sets:
                sets = ", ".join(allowed.sets) or "no facts"
                raise FactError(f"event '{allowed.name}' does not set '{name}' (it sets: {sets})")
            value = read_fact(fact, value)
            out[name] = value
        if allowed is not None:
            missing = [f for f in allowed.requires if f not in out]
            if missing:
                hint = " ".join(f"--set {m}=..." for m in missing)
                raise FactError(f"event '{allowed.name}' needs a value for {', '.join(missing)} "
                                f"(on the command line: {hint})")
        return out

    def _next_due(self, day: date) -> tuple[date, Timescale, int] | None:
        best = None
        for t in self.spec.timescales:
            if not t.fires:
                continue
            if t.applies_when and not self.spec.guards[t.applies_when].holds(self.facts):
                continue
            for anchor in self.occurrences(t.anchor):
                if (t.id, anchor.seq) in self._handled:
                    continue
                due = self.calendar.add(anchor.on, t.after)
                extension = self.extensions.get((t.id, anchor.seq))
                if extension:
                    due = extension.to
                if due > day:
                    continue
                if t.met_by and any(o.seq > anchor.seq for o in self.occurrences(t.met_by)):
                    self._handled.add((t.id, anchor.seq))
                    continue
                if best is None or due < best[0]:
                    best = (due, t, anchor.seq)
        return best
