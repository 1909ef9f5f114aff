"""The register as a Qt table model that reads one page of cases at a time.

A register may hold 100,000 cases: the model asks the database how many there are and fetches
only the pages the view shows (sorted, filtered and searched by the database, on indexes where
it can), keeping a bounded number of pages in memory.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from regflow.engine.cases.timescales import days_words
from regflow.engine.register.api import CaseQuery, Register

PAGE = 200
KEEP_PAGES = 40

#: (key, heading); the key is also what the column sorts by (status and days left: next_due)
COLUMNS = [  # what says whether to act first; the long stage text last
    ("status", "Status"),
    ("id", "#"),
    ("title", "Case"),
    ("next_due", "Next deadline"),
    ("days_left", "Days left"),
    ("responsible", "Responsible"),
    ("regulator", "Regulator"),
    ("stage", "Current stage"),
]
SORT_BY = {"status": "next_due", "days_left": "next_due"}

#: how a case's next deadline stands, in words and a symbol (colour is only a help)
#: a limit passed (⚠) is told apart from a normal arrangement departed from (◑) or a target
#: passed (◔): only the first is a breach
STATUS_TEXT = {"overdue": "⚠ Overdue", "later than normal": "◑ Later than normal",
               "behind target": "◔ Behind target", "not achieved yet": "◌ Not achieved yet",
               "due soon": "◷ Due soon", "finished": "✓ Finished", "": ""}
_BEHIND = QColor("#FFF3C4")
STATUS_BACKGROUND = {"overdue": QColor("#F4D9E8"), "later than normal": _BEHIND,
                     "behind target": _BEHIND, "not achieved yet": _BEHIND,
                     "due soon": QColor("#FCEBD2")}


def short_regulator(name: str) -> str:
    """A regulator's short name: the acronym in brackets, else its initials (``Care
    Inspectorate Wales``: CIW); the full name is in the tooltip."""
    inside = re.search(r"\(([A-Z]{2,})\)", name)
    if inside:
        return inside.group(1)
    initials = "".join(w[0] for w in name.split() if w[:1].isupper())
    return initials if len(initials) >= 2 else name


def days_text(days: int | None, strength: str | None = "limit") -> str:
    return days_words(days, strength) or "—"


class CaseTableModel(QAbstractTableModel):
    """Cases of a :class:`Register` selected by a :class:`CaseQuery`, fetched page by page."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.register: Register | None = None
        self.query = CaseQuery()
        self._count = 0
        self._pages: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self.pages_read = 0  # how many pages were read from the database (tests, benchmarks)

    # -- what to show ----------------------------------------------------------------------

    def set_register(self, register: Register | None) -> None:
        self.register = register
        self.refresh()

    def set_query(self, query: CaseQuery) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        """Read the count again and forget cached pages (after a change or a new query)."""
        self.beginResetModel()
        self._pages.clear()
        self._count = 0
        if self.register is not None:
            # the first page before the count: a damaged case found there is left out of both
            self._pages[0] = self.register.page(self.query, offset=0, limit=PAGE)
            self.pages_read += 1
            self._count = self.register.count(self.query)
        self.endResetModel()

    def case_id(self, row: int) -> int | None:
        record = self._row(row)
        return record["id"] if record else None

    def row_of(self, case_id: int) -> int | None:
        """The row of ``case_id`` among the pages already read (None if not read yet)."""
        for number, rows in self._pages.items():
            for i, record in enumerate(rows):
                if record["id"] == case_id:
                    return number * PAGE + i
        return None

    # -- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][0]
        self.set_query(replace(self.query, sort=SORT_BY.get(key, key),
                               descending=order == Qt.SortOrder.DescendingOrder))

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        record = self._row(index.row())
        if record is None:
            return None
        key = COLUMNS[index.column()][0]
        attention = record["attention"]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key in ("next_due", "days_left", "status") and record["next_due_label"]:
                return f"{record['next_due_label']} (due {record['next_due'].isoformat()})"
            return record["regulator"] if key == "regulator" else self._text(record, key)
        if role == Qt.ItemDataRole.BackgroundRole and attention in STATUS_BACKGROUND:
            return QBrush(STATUS_BACKGROUND[attention])
        if role == Qt.ItemDataRole.FontRole and attention == "overdue" and key in (
                "status", "days_left", "next_due"):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("id", "days_left"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return record
        return None

    @staticmethod
    def _text(record: dict[str, Any], key: str) -> str:
        if key == "status":
            return STATUS_TEXT[record["attention"]]
        if key == "days_left":
            return days_text(record["days_left"], record["next_due_strength"])
        if key == "regulator":
            return short_regulator(record["regulator"])
        value = record[key]
        if isinstance(value, date):
            return value.isoformat()
        return "—" if value is None else str(value)

    def _row(self, row: int) -> dict[str, Any] | None:
        if not 0 <= row < self._count or self.register is None:
            return None
        number = row // PAGE
        rows = self._pages.get(number)
        if rows is None:
            rows = self.register.page(self.query, offset=number * PAGE, limit=PAGE)
            self.pages_read += 1
            self._pages[number] = rows
            while len(self._pages) > KEEP_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        i = row - number * PAGE
        return rows[i] if i < len(rows) else None
