"""Scenarios: a dated list of events to replay on a new case ("what if").

A scenario file is TOML (see docs/spec-format.md, "Scenarios"). Problems are located by
line:column like spec problems; an event the case refuses is reported at its entry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..errors import CaseError, DateError, FactError, Problem, ScenarioError, shown
from ..spec.loader import read_toml
from ..spec.model import Spec
from ..spec.tomlsource import SourceMap, format_path
from ..suggest import closest, quoted
from .calendars import check_day
from .case import Case

_EVENT_KEYS = ("on", "event", "set", "actor", "note")
_TOP_KEYS = ("spec", "title", "start", "today", "facts", "events", "note")


@dataclass(frozen=True)
class ScenarioEvent:
    index: int
    on: date
    event: str
    set: dict[str, Any] = field(default_factory=dict)
    actor: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    title: str
    start: date
    events: tuple[ScenarioEvent, ...]
    facts: dict[str, Any] = field(default_factory=dict)
    today: date | None = None
    spec: str | None = None
    note: str = ""
    path: str = "<scenario>"
    source_map: SourceMap | None = None

    def problem(self, where, message: str, suggestion: str | None = None) -> Problem:
        position = self.source_map.locate(where) if self.source_map else None
        line, column = position if position else (None, None)
        return Problem(message, format_path(where), self.path, line, column, suggestion)


@dataclass
class SimulationResult:
    case: Case
    today: date
    not_yet: list[ScenarioEvent]  # events dated after ``today``, not replayed


def describe(value: Any) -> str:
    """A value as a person wrote it in TOML, not as Python prints it."""
    if isinstance(value, datetime):
        return f"a date and time ({value.isoformat()}): write the date alone, e.g. {value.date()}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    return shown(value)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def is_scenario(data: dict[str, Any]) -> bool:
    """Whether a TOML file's contents are a scenario (dated events) rather than a spec."""
    return "process" not in data and isinstance(data.get("events"), list) and (
        "spec" in data or "start" in data)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file; raise :class:`ScenarioError` listing every problem of its shape."""
    path = os.fspath(path)
    text, data = read_toml(path, error=ScenarioError)
    source = SourceMap(text)
    problems: list[Problem] = []

    def bad(where, message, suggestion=None):
        position = source.locate(where)
        line, column = position if position else (None, None)
        problems.append(Problem(message, format_path(where), path, line, column, suggestion))

    if "process" in data:
        raise ScenarioError([Problem("this is a spec, not a scenario; usage: regflow simulate "
                                     "SPEC SCENARIO", file=path)])
    for key in data:
        if key not in _TOP_KEYS:
            near = closest(key, _TOP_KEYS)
            bad((key,), f"unknown key '{key}'" + ("" if near else
                f"; a scenario has: {', '.join(_TOP_KEYS)}"), quoted(near))
    def day(where, value) -> date | None:
        """``value`` as a date in regflow's range, else None with the problem noted."""
        found = _as_date(value)
        if found is None:
            bad(where, f"expected a date (YYYY-MM-DD), found {describe(value)}")
            return None
        try:
            return check_day(found, "the date")
        except DateError as err:
            bad(where, str(err))
            return None

    def text(where, value) -> None:
        if not isinstance(value, str):
            bad(where, f"expected text in quotes, found {describe(value)}")

    start = None
    if "start" not in data:
        bad((), "missing required key 'start' (the date the case is opened, e.g. 2026-03-02)")
    else:
        start = day(("start",), data["start"])
    today = day(("today",), data["today"]) if "today" in data else None
    for key in ("spec", "title", "note"):
        if key in data:
            text((key,), data[key])
    facts = data.get("facts", {})
    if not isinstance(facts, dict):
        bad(("facts",), "expected a table of fact = value")
        facts = {}
    events = []
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        bad(("events",), f"expected [[events]] entries, found {describe(raw_events)}")
        raw_events = []
    for i, entry in enumerate(raw_events):
        where = ("events", i)
        if not isinstance(entry, dict):
            bad(where, "expected a table with on = DATE and event = NAME")
            continue
        for key in entry:
            if key not in _EVENT_KEYS:
                near = closest(key, _EVENT_KEYS)
                bad((*where, key), f"unknown key '{key}'" + ("" if near else
                    f"; an event has: {', '.join(_EVENT_KEYS)}"), quoted(near))
        on = None
        if "on" not in entry:
            bad(where, "missing required key 'on' (the date the event happened)")
        else:
            on = day((*where, "on"), entry["on"])
        if "event" not in entry:
            bad(where, "missing required key 'event' (the event's name)")
        else:
            text((*where, "event"), entry["event"])
        for key in ("actor", "note"):
            if key in entry:
                text((*where, key), entry[key])
        sets = entry.get("set", {})
        if not isinstance(sets, dict):
            bad((*where, "set"), "expected a table, e.g. set = { concern_level = \"serious\" }")
        if on is not None and isinstance(entry.get("event"), str) and isinstance(sets, dict):
            events.append(ScenarioEvent(i, on, entry["event"], dict(entry.get("set", {})),
                                        entry.get("actor"), entry.get("note", "")))
    if problems:
        raise ScenarioError(problems)
    return Scenario(title=data.get("title", os.path.basename(path)), start=start,
                    events=tuple(events), facts=dict(facts), today=today,
                    spec=data.get("spec"), note=data.get("note", ""), path=path,
                    source_map=source)


def run_scenario(spec: Spec, scenario: Scenario, today: date | None = None) -> SimulationResult:
    """Replay ``scenario`` on a new case of ``spec`` as of ``today``.

    ``today`` defaults to the scenario's own ``today``, else the last event's date. Events dated
    after ``today`` are not replayed and come back in ``not_yet``.
    """
    problems = []
    for ev in scenario.events:
        if ev.event not in spec.events:
            problems.append(scenario.problem(("events", ev.index, "event"),
                                             f"unknown event '{ev.event}' in {spec.process.id}",
                                             quoted(closest(ev.event, spec.events))))
        if ev.actor is not None and ev.actor not in spec.roles:
            near = closest(str(ev.actor), spec.roles)
            problems.append(scenario.problem(
                ("events", ev.index, "actor"), f"unknown role '{ev.actor}' in {spec.process.id}"
                + ("" if near else f"; roles: {', '.join(spec.roles)}"), quoted(near)))
    if problems and scenario.spec and os.path.basename(scenario.spec) != os.path.basename(
            spec.path):
        problems.insert(0, scenario.problem(
            ("spec",), f"this scenario was written for '{scenario.spec}', not "
            f"'{os.path.basename(spec.path)}'; run it with that spec"))
    if problems:
        raise ScenarioError(problems)
    if today is None:
        today = scenario.today or max([scenario.start, *(e.on for e in scenario.events)])
    check_day(today, "the date the case is shown as of")
    if today < scenario.start:
        where = ("today",) if scenario.today == today else ("start",)
        raise ScenarioError([scenario.problem(where, f"as of {today.isoformat()} the case is "
                                              f"not yet open (start = {scenario.start.isoformat()})")])
    try:
        case = Case(spec, scenario.start, scenario.facts)
    except CaseError as err:
        raise ScenarioError([scenario.problem(("facts",), str(err))]) from None
    not_yet = []
    for ev in scenario.events:
        if ev.on > today:
            not_yet.append(ev)
            continue
        try:
            case.fire(ev.event, ev.on, ev.set, actor=ev.actor, note=ev.note)
        except CaseError as err:
            key = {FactError: "set", DateError: "on"}.get(type(err))
            where = ("events", ev.index, key) if key and (key != "set" or ev.set) else (
                "events", ev.index)
            raise ScenarioError([scenario.problem(where, str(err))]) from None
    case.advance_to(today)
    return SimulationResult(case, today, not_yet)
