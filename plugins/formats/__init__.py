"""Built-in exporters other tools open: SCXML, Mermaid, JSON (spec), iCalendar (deadlines),
CSV (the register) and an HTML case report; registered through ``regflow_exporters``."""

from __future__ import annotations

from ..manager import hookimpl


@hookimpl
def regflow_exporters():
    return []
