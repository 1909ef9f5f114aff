"""An example regflow plugin, as a third party would write it (installed by the tests through
its ``regflow`` entry point): an exporter, a calendar, a guard function, a validator and a
listener."""

from __future__ import annotations

from datetime import date

import holidays

from regflow.engine.cases.calendars import WorkingCalendar
from regflow.engine.spec.guards import GuardFunction
from regflow.plugins import hookimpl
from regflow.plugins.exporters import Exporter

#: what the listener heard: (case number, entry number, what happened)
HEARD: list[tuple[int, int, str]] = []

#: Acme's offices close between Christmas and New Year, on top of the Welsh bank holidays
ACME_CLOSURES = {date(2026, 12, 29): "Acme office closed", date(2026, 12, 30): "Acme office closed",
                 date(2026, 12, 31): "Acme office closed"}


@hookimpl
def regflow_calendars():
    return {"ACME-WLS": "Wales, plus Acme's office closure days"}


@hookimpl
def regflow_working_calendar(code):
    if code == "ACME-WLS":
        return WorkingCalendar(code, holidays.country_holidays("GB", subdiv="WLS"),
                               closures=ACME_CLOSURES)
    return None


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


@hookimpl
def regflow_guard_functions():
    return [GuardFunction("is_weekend", ("date",), "bool", _is_weekend,
                          "True when the date is a Saturday or a Sunday")]


@hookimpl
def regflow_validate_spec(spec):
    """Acme's house rule: every event cites the paragraph it comes from."""
    return [(("events", name, "citation"), f"event '{name}' has no citation (Acme house rule)",
             None) for name, event in spec.events.items() if not event.citation]


@hookimpl
def regflow_entry_recorded(register, case, entry):
    HEARD.append((case.id, entry.seq, entry.event or entry.kind))


def _write_states(spec, path, highlight, focus):
    path.write_text("\n".join(f"{name}\t{state.label}" for name, state in spec.states.items())
                    + "\n", encoding="utf-8")


@hookimpl
def regflow_exporters():
    return [Exporter("states-tsv", ".tsv", "The spec's states, one per line (tab-separated)",
                     _write_states, options=())]


def _longer_draft(data):
    """Acme's pilot: CIW's draft report gets 30 working days instead of 25."""
    data["process"]["id"] = "ciw_2019_acme_pilot"
    data["process"]["version"] += "-acme"
    for timescale in data["timescales"]:
        if timescale["id"] == "draft_report":
            timescale["within"] = "30 working days"
            timescale["label"] = "Draft report shared within 30 working days of the end of fieldwork"
    return data


@hookimpl
def regflow_variants():
    from regflow.engine.spec.variants import Variant

    return [Variant("acme_longer_draft", "ciw_2019", "Acme pilot: 30 days for the draft",
                    "CIW's draft report gets 30 working days instead of 25.", _longer_draft)]
