"""The case's record as tables: its timescales, its history and its facts.

Plain functions that fill a table from the engine's answers (a :class:`CaseView` and its
timescale rows); the case screen owns the tables and what selecting a row does.
"""

from __future__ import annotations

import html
import textwrap
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

from regflow.engine.cases.timescales import TimescaleStatus
from regflow.engine.register.api import CaseView

from ..register.model import days_text

OVERDUE_BG, LATE_BG, SOON_BG, MET_FG, MUTED = "#F4D9E8", "#FFF3C4", "#FCEBD2", "#1B6E3A", "#777777"


#: a timescale's standing (TimescaleStatus.standing) in words with a symbol, never by colour
#: alone: a limit passed (⚠, a breach) is told apart from the normal arrangement departed from
#: (◑) and a target passed (◔)
STANDING = {"overdue": "⚠ Overdue (limit)", "later than normal": "◑ Later than normal",
            "behind target": "◔ Behind target", "not achieved yet": "◌ Not achieved yet",
            "due soon": "◷ Due soon", "running": "◷ Running", "met": "✓ Met",
            "breached": "✗ Breached (limit)", "earlier than normal": "◑ Earlier than normal",
            "early": "◔ Early", "late": "◔ Late", "not achieved": "◌ Not achieved",
            "not applicable": "– Not applicable", "not started": "… Not started"}
#: still to do and past its date: a limit first, then the milder departures
PAST = ("overdue", "later than normal", "behind target", "not achieved yet")
ORDER = [*PAST, "due soon", "running", "breached", "later than normal", "earlier than normal",
         "late", "early", "not achieved", "met", "not applicable", "not started"]

#: how binding a timescale is, for a column: the strength with the source's own word
STRENGTH_TEXT = {"limit": "Limit", "expected": "Normally", "target": "Target",
                 "best_effort": "Where possible"}


def strength_text(row: TimescaleStatus) -> str:
    word = STRENGTH_TEXT[row.strength]
    return f"{word} (“{row.wording}”)" if row.wording else word


def reading_html(note: str) -> str:
    """A spec's reading of its source, for the source panel: what the text says, what regflow
    does, and why."""
    return f"<p><b>How regflow reads it:</b> {html.escape(note)}</p>" if note else ""


def _rank(row: TimescaleStatus, today: date) -> int:
    """Where a row sorts: still to do and past its date first; a date kept late (done) with
    the other rows that are history, after those still running."""
    standing = row.standing(today)
    if standing in PAST and not row.open:
        return ORDER.index("breached")
    return ORDER.index(standing)


def cell(text: str, tip: str = "", data: Any = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if tip:
        item.setToolTip(tip)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def new_table(headings: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setHorizontalHeaderLabels(headings)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fact_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("_", " ") if isinstance(value, str) else str(value)


def fill_timescales(table: QTableWidget, view: CaseView, rows: list[TimescaleStatus], today: date,
                    waiting: bool) -> None:
    """The case's timescales: open ones first, most urgent first; ``waiting``: also those
    whose clock has not started."""
    table.setRowCount(0)
    shown = [r for r in rows if r.anchor_date is not None or waiting]
    shown.sort(key=lambda r: (_rank(r, today), r.due or date.max))
    spec = view.spec
    for r in shown:
        n = table.rowCount()
        table.insertRow(n)
        standing = r.standing(today)
        status = STANDING[standing]
        paragraph = spec.citation_text(r.citation)
        tip = f"{r.citation}: “{paragraph}”" if paragraph else r.citation
        if r.note:
            tip = textwrap.fill(tip, 90) + "\n\nHow regflow reads it: " + textwrap.fill(r.note, 90)
        ext = f"to {r.extended_to.isoformat()}: {r.extension_reason}" if r.extended_to else \
            ("can be extended" if r.extendable else "")
        left = days_text((r.due - today).days, r.strength) if r.open else ""
        rule = spec.rule_words(spec.timescale(r.id))
        cells = [status, r.label, rule, strength_text(r),
                 r.anchor_date.isoformat() if r.anchor_date else "—",
                 (r.due.isoformat() + (" (about)" if r.approximate else "")) if r.due else "—",
                 left, r.met_on.isoformat() if r.met_on else "", ext, r.citation]
        for col, text in enumerate(cells):
            item = cell(text, tip if col in (1, 9) else (r.reason or text), data=r)
            past = r.open and standing in PAST
            if standing == "overdue":
                item.setBackground(QBrush(QColor(OVERDUE_BG)))
                if col == 0:
                    font = QFont()
                    font.setBold(True)
                    item.setFont(font)
            elif past:
                item.setBackground(QBrush(QColor(LATE_BG)))
            elif standing == "due soon":
                item.setBackground(QBrush(QColor(SOON_BG)))
            elif standing == "met":
                item.setForeground(QBrush(QColor(MET_FG)))
            elif standing not in ("running",):
                item.setForeground(QBrush(QColor(MUTED)))
            table.setItem(n, col, item)
    table.resizeColumnsToContents()
    table.setColumnWidth(1, min(table.columnWidth(1), 380))
    table.setColumnWidth(2, min(table.columnWidth(2), 260))
    table.setColumnWidth(3, min(table.columnWidth(3), 200))


def fill_history(table: QTableWidget, view: CaseView) -> None:
    """Every entry in the order things happened, voided ones struck through (kept on
    record), and the steps regflow recorded when they fell due."""
    spec = view.spec
    table.setRowCount(0)
    voided_by = {e.voids_seq: e.seq for e in view.entries if e.kind == "correction"}
    rows: list[tuple[date, int, list[str], Any, bool]] = []
    for e in view.entries:
        if e.kind == "event":
            what = spec.events[e.event].label
        elif e.kind == "extension":
            label = spec.timescale(e.timescale).label if any(
                t.id == e.timescale for t in spec.timescales) else e.timescale
            what = f"Extended: {label} to {e.extend_to.isoformat()}"
        else:
            what = f"Correction: voids #{e.voids_seq}"
        if e.seq in voided_by:
            what += f"  (voided by #{voided_by[e.seq]})"
        facts = ", ".join(f"{spec.facts[k].label if k in spec.facts else k}: {fact_text(v)}"
                          for k, v in e.facts.items())
        cells = [f"#{e.seq}", e.effective_on.isoformat(),
                 e.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                 spec.role_label(e.actor) if e.actor in spec.roles else (e.actor or ""), what,
                 facts, e.note]
        rows.append((e.effective_on, e.seq, cells, e, e.seq in voided_by))
    for h in view.case.history:
        if h.auto:
            cells = ["", h.on.isoformat(), "", "regflow (when due)",
                     spec.events[h.event].label, "", "recorded by regflow: its time came"]
            rows.append((h.on, 10**9 + h.seq, cells, None, False))
    rows.sort(key=lambda r: (r[0], r[1]))  # in the order things happened
    for _on, _seq, cells, entry, voided in rows:
        n = table.rowCount()
        table.insertRow(n)
        for col, text in enumerate(cells):
            item = cell(text, text if col in (4, 5, 6) else "", data=entry)
            if voided:
                font = QFont()
                font.setStrikeOut(True)
                item.setFont(font)
                item.setForeground(QBrush(QColor(MUTED)))
            elif entry is None:
                item.setForeground(QBrush(QColor("#555555")))
            table.setItem(n, col, item)
    table.resizeColumnsToContents()
    table.setColumnWidth(3, min(table.columnWidth(3), 200))
    table.setColumnWidth(4, min(table.columnWidth(4), 420))
    table.setColumnWidth(5, min(table.columnWidth(5), 300))
    table.scrollToBottom()


def fill_facts(table: QTableWidget, view: CaseView) -> None:
    """The facts known so far, with their source."""
    table.setRowCount(0)
    for name, fact in view.spec.facts.items():
        if name not in view.case.facts:
            continue
        n = table.rowCount()
        table.insertRow(n)
        table.setItem(n, 0, cell(fact.label, name))
        table.setItem(n, 1, cell(fact_text(view.case.facts[name])))
        table.setItem(n, 2, cell(fact.citation, view.spec.citation_text(fact.citation)))
    table.resizeColumnsToContents()
