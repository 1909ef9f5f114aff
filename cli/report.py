"""Plain-text and JSON reports of a simulated case, for ``regflow simulate``."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

from regflow.engine.cases.calendars import calendar_names
from regflow.engine.cases.readings import readings
from regflow.engine.cases.scenario import Scenario, SimulationResult
from regflow.engine.cases.timescales import (
    BREACHED,
    PAST_DUE,
    STRENGTH_WORDS,
    days_words,
)

#: the key under a table of timescales
STATUS_KEY = ("  (binding: limit ('must', 'within'): OVERDUE or BREACHED once its date passes; "
              "normally: later than normal;\n   target: behind target, early or late; where "
              "possible: not achieved. ~: an approximate date; days are calendar days)")


def _d(value: date | None) -> str:
    return value.isoformat() if value else "-"


def table(headers: list[str], rows: list[list[str]], indent: str = "  ") -> str:
    """A plain table; the last column is free width and may hold several lines."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers[:-1])]
    lines = [indent + "  ".join(h.ljust(w) for h, w in zip(headers, [*widths, 0], strict=True))
             .rstrip()]
    lines.append(indent + "  ".join("-" * w for w in [*widths, len(headers[-1])]))
    pad = indent + " " * (sum(widths) + 2 * len(widths))
    for row in rows:
        first, *more = row[-1].split("\n")
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        lines.append((indent + "  ".join([*cells, first])).rstrip())
        lines.extend(pad + "  " + extra for extra in more)
    return "\n".join(lines)


def _status_text(row, today: date) -> str:
    """How the row stands; a limit breached or overdue in capitals, so it stands out."""
    text = PAST_DUE[row.strength] if row.open and row.due < today else row.verdict
    return text.upper() if text in ("overdue", BREACHED) else text


def _left(row) -> str:
    return days_words(row.days_left, row.strength)


def text_report(result: SimulationResult, scenario: Scenario) -> str:
    case, spec = result.case, result.case.spec
    p, today = spec.process, result.today
    out = [
        f"{p.title} ({p.regulator}; spec {p.id}, version {p.version})",
        f"Scenario: {scenario.title}",
        f"As of {today.isoformat()}; working days: {calendar_names().get(p.calendar, p.calendar)}",
        "",
    ]
    out += where_lines(case)
    rows = case.timescales(today)
    upcoming = sorted((r for r in rows if r.status == "pending" and r.due), key=lambda r: r.due)
    out += ["", "Next due"]
    out += [f"  {r.due.isoformat()}{'~' if r.approximate else ' '} {_left(r):>16}  {_label(case, r)}"
            f"  [{r.citation}]" for r in upcoming[:6]] or ["  nothing pending"]
    out += next_lines(case) + fact_lines(case)
    out += ["", "Timescales"]
    table_rows = []
    for row in rows:
        shown = row.status != "not applicable" or row.met_on is not None
        table_rows.append([
            _status_text(row, today), STRENGTH_WORDS[row.strength],
            (_d(row.due) + ("~" if row.approximate and row.due else "")) if shown else "-",
            _d(row.earliest) if shown else "-", _d(row.anchor_date), _d(row.met_on), _left(row),
            f"{_label(case, row)}  [{row.citation}]" + (f"\n{row.reason}" if row.reason else "")])
    out.append(table(["status", "binding", "due", "earliest", "anchor", "met on", "left",
                      "timescale  [source]"], table_rows))
    out.append(STATUS_KEY)
    out += reading_lines(case, rows)
    out += ["", "History"]
    hist = []
    for h in case.history:
        lines = [spec.events[h.event].label + (" (recorded by regflow on its due date)"
                                               if h.auto else "")]
        entered = [spec.states[n].label for n in h.target if n not in h.source]
        if entered:
            lines.append("now in: " + "; ".join(entered))
        if h.facts:
            lines.append("facts: " + ", ".join(f"{k} = {_fact(v)}" for k, v in h.facts.items()))
        if h.note:
            lines.append("note: " + h.note)
        who = "" if h.auto else (spec.roles[h.actor].label if h.actor in spec.roles
                                 else (h.actor or ""))
        hist.append([str(h.seq), h.on.isoformat(), who, "\n".join(lines)])
    out.append(table(["#", "date", "by", "event"], hist) if hist else "  nothing recorded yet")
    handovers = _handovers(case)
    if handovers:
        out += ["", "Hand-overs of responsibility"]
        out += [f"  {on.isoformat()}: {a} -> {b} ({event})" for on, a, b, event in handovers]
    if result.not_yet:
        out += ["", f"In the scenario but after {today.isoformat()} (not replayed)"]
        out += [f"  {e.on.isoformat()}  {spec.events[e.event].label} ({e.event})"
                for e in result.not_yet]
    return "\n".join(out) + "\n"


def _wrapped(text: str) -> str:
    return textwrap.fill(text, 100, initial_indent="  - ", subsequent_indent="    ")


def reading_lines(case, rows) -> list[str]:
    """The readings the spec chose for what is shown (what the text says, what regflow does,
    and why): started timescales, the states the case is in, the steps possible from there."""
    found = readings(case, rows)
    if not found:
        return []
    return ["", "Readings (how the spec reads its source here)",
            *(_wrapped(f"{r.label} [{r.citation}]: {r.reading}") for r in found)]


def where_lines(case) -> list[str]:
    """Where the case is: each innermost state with the path to it and who is responsible."""
    spec = case.spec
    out = ["Where the case is"]
    # a single top-level state that holds everything says nothing in every line: leave it out
    tops = spec.children(None)
    skip = {tops[0]} if len([t for t in tops if not spec.states[t].final]) == 1 else set()
    for name in case.current_states:
        chain = [n for n in [*reversed(spec.ancestors(name)), name] if n not in skip]
        path = " > ".join(spec.states[n].label for n in chain)
        role = spec.states[name].role
        who = f"  [{spec.role_label(role)}]" if role else ""
        out.append(f"  {path}{who}")
    if case.finished_on:
        out.append(f"  The process ended on {case.finished_on.isoformat()}.")
    return out


def next_lines(case) -> list[str]:
    """What can be recorded next, and what cannot yet (with the guard and its paragraph)."""
    spec = case.spec
    out = ["", "Can be recorded next"]
    out += [f"  {spec.events[e].label} ({e})" for e in case.available_events()] or ["  nothing"]
    for event, failures in case.blocked_events().items():
        needs = "; ".join(f"{f.guard} ({f.citation})" if f.citation else f.guard for f in failures)
        out.append(f"  not now: {spec.events[event].label} ({event}) needs {needs}")
    return out


def fact_lines(case) -> list[str]:
    spec = case.spec
    if not case.facts:
        return []
    return ["", "Facts"] + [f"  {spec.facts[k].label} ({k}): {_fact(v)}"
                            for k, v in case.facts.items()]


def _label(case, row) -> str:
    return row.label + (f" (#{row.occurrence})" if _repeats(case, row) else "")


def _repeats(case, row) -> bool:
    return row.occurrence > 1 or row.kind == "recurring"


def _json_value(value: Any) -> Any:
    """Facts keep their JSON types (true/false, numbers); dates become ISO strings."""
    return value.isoformat() if isinstance(value, date) else value


def _fact(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, date) else str(value)


def _handovers(case) -> list[tuple[date, str, str, str]]:
    """Entries after which the responsible role set changed (from the states' roles)."""
    spec = case.spec
    out = []

    def roles(states) -> list[str]:
        return list(dict.fromkeys(spec.role_label(r) for r in spec.roles_of(states)))

    for h in case.history:
        before, after = roles(h.source), roles(h.target)
        tagged = "responsibility_handover" in spec.events[h.event].milestones
        if h.source and before != after and (tagged or not set(before) & set(after)):
            out.append((h.on, ", ".join(before), ", ".join(after), spec.events[h.event].label))
    return out


def json_report(result: SimulationResult, scenario: Scenario) -> dict[str, Any]:
    case, spec = result.case, result.case.spec
    rows = case.timescales(result.today)
    return {
        "spec": {"id": spec.process.id, "title": spec.process.title,
                 "version": spec.process.version, "calendar": spec.process.calendar,
                 "path": spec.path},
        "scenario": {"title": scenario.title, "path": scenario.path},
        "today": result.today.isoformat(),
        "opened_on": case.opened_on.isoformat(),
        "finished_on": case.finished_on.isoformat() if case.finished_on else None,
        "active_states": case.active_states,
        "current_states": case.current_states,
        "responsible": case.responsible_roles(),
        "available_events": case.available_events(),
        "facts": {k: _json_value(v) for k, v in case.facts.items()},
        "timescales": [row.as_dict() for row in rows],
        "readings": [r.as_dict() for r in readings(case, rows)],
        "history": [
            {"seq": h.seq, "event": h.event, "on": h.on.isoformat(), "actor": h.actor,
             "facts": {k: _json_value(v) for k, v in h.facts.items()}, "note": h.note,
             "auto": h.auto, "source": list(h.source), "target": list(h.target)}
            for h in case.history
        ],
        "not_yet": [{"on": e.on.isoformat(), "event": e.event} for e in result.not_yet],
    }
