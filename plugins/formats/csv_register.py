"""The register as CSV (spreadsheets, other tools): one row per case, then one row per open
deadline; the ``record`` column says which (``case`` or ``deadline``), and a deadline row
repeats its case's number and title so that it can be filtered on its own.

Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) gets a
leading apostrophe, as spreadsheets themselves do, so a case title cannot run anything.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .deadlines import register_deadlines

COLUMNS = ["record", "case", "title", "spec", "regulator", "stage", "responsible", "next_due",
           "next_due_label", "finished_on", "timescale", "occurrence", "label", "due", "status",
           "standing", "binding", "citation"]


def _cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _day(value) -> str:
    return value.isoformat() if value else ""


def write_register_csv(register, path: Path, today) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()

        class Safe:
            @staticmethod
            def writerow(row):
                writer.writerow({k: _cell(v) for k, v in row.items()})

        out = Safe
        for row in register.list_cases():
            out.writerow({"record": "case", "case": row["id"], "title": row["title"],
                          "spec": row["spec_id"], "regulator": row["regulator"],
                          "stage": row["stage"], "responsible": row["responsible"],
                          "next_due": _day(row["next_due"]),
                          "next_due_label": row["next_due_label"] or "",
                          "finished_on": _day(row["finished_on"])})
        for d in register_deadlines(register):
            out.writerow({"record": "deadline", "case": d.case_id, "title": d.case_title,
                          "spec": d.spec_id, "responsible": d.responsible,
                          "timescale": d.timescale, "occurrence": d.occurrence, "label": d.label,
                          "due": d.due.isoformat(), "status": d.status, "standing": d.standing,
                          "binding": d.binding, "citation": d.citation})
