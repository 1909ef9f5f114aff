"""Built-in exporters other tools open: SCXML, Mermaid and JSON (a spec), iCalendar (a case's or
the register's open deadlines), CSV (the register) and an HTML case report. Registered through
``regflow_exporters``, exactly as a third-party plugin's exporters are."""

from __future__ import annotations

from ..exporters import Exporter
from ..manager import hookimpl


@hookimpl
def regflow_exporters():
    from .csv_register import write_register_csv
    from .html_report import write_case_html
    from .ics import write_case_ics, write_register_ics
    from .json_model import write_json
    from .mermaid import write_mermaid
    from .scxml import write_scxml

    return [
        Exporter("scxml", ".scxml", "W3C SCXML state chart (ECMAScript data model)", write_scxml,
                 options=()),
        Exporter("mermaid", ".mmd", "Mermaid stateDiagram-v2 (draws on GitHub)", write_mermaid,
                 options=()),
        Exporter("json", ".json", "The spec model as JSON (with its JSON Schema)", write_json,
                 options=()),
        Exporter("ics", ".ics", "Open deadlines as iCalendar events", write_case_ics,
                 subject="case", options=()),
        Exporter("html", ".html", "Case report: diagram, deadlines, history (one file)",
                 write_case_html, subject="case", options=()),
        Exporter("ics", ".ics", "Open deadlines of every case as iCalendar events",
                 write_register_ics, subject="register", options=()),
        Exporter("csv", ".csv", "Every case and every open deadline, one row each",
                 write_register_csv, subject="register", options=()),
    ]
