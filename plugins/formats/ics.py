"""Open deadlines as iCalendar (RFC 5545) all-day events, for Outlook, Google Calendar and
Apple Calendar (the ``icalendar`` library writes them).

Each event's UID is made from the case number, the timescale and its occurrence, never from
the date or the export time, so importing a later export updates the events already there
instead of adding copies; ``SEQUENCE`` is the case's version, which grows with every change, so
calendars that compare it take the newer due date. Descriptions carry the citation and no
links (some calendars refuse or rewrite them).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from .deadlines import Deadline, case_deadlines, register_deadlines

PRODID = "-//regflow//regflow export ics//EN"
UID_DOMAIN = "regflow.invalid"  # no host of ours: UIDs only need to be unique and stable

_LINK = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)


def uid(deadline: Deadline) -> str:
    return (f"case-{deadline.case_id}-{deadline.timescale}-{deadline.occurrence}"
            f"@{UID_DOMAIN}")


def _no_links(text: str) -> str:
    return _LINK.sub("(link removed)", text)


def description(d: Deadline) -> str:
    lines = [f"{d.label}: case {d.case_id}, {d.case_title} ({d.spec_id}).",
             f"Due {'about ' if d.approximate else ''}{d.due.isoformat()}"
             + (f" ({d.standing})" if d.standing else "") + ".",
             f"How binding: {d.binding}."]
    if d.rule:
        lines.append(f"Rule: {d.rule}.")
    if d.responsible:
        lines.append(f"Responsible: {d.responsible}.")
    lines.append(f"Source: {d.citation}.")
    return _no_links("\n".join(lines))


def calendar(deadlines: list[Deadline], name: str, versions: dict[int, int]) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for d in deadlines:
        event = Event()
        event.add("uid", uid(d))
        event.add("dtstamp", stamp)
        event.add("sequence", versions.get(d.case_id, 0))
        flag = f"{d.standing.upper()}: " if d.standing and d.standing != "due soon" else ""
        event.add("summary", _no_links(f"{flag}{d.label} (case {d.case_id}: {d.case_title})"))
        event.add("dtstart", d.due)
        event.add("dtend", d.due + timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # a due date, not time taken
        event.add("description", description(d))
        event.add("categories", ["regflow", d.spec_id, d.binding])
        cal.add_component(event)
    return cal


def write_case_ics(view, path: Path, today) -> None:
    cal = calendar(case_deadlines(view, today), f"regflow case {view.id}: {view.title}",
                   {view.id: view.version})
    path.write_bytes(cal.to_ical())


def write_register_ics(register, path: Path, today) -> None:
    versions = {row["id"]: row["version"] for row in register.list_cases()}
    cal = calendar(register_deadlines(register), "regflow register: open deadlines", versions)
    path.write_bytes(cal.to_ical())
