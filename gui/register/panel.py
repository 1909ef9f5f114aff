"""The register view: every case in a sortable, filterable, searchable table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.cases.timescales import SOON_DAYS
from regflow.engine.register.api import CaseQuery, Register

from .model import COLUMNS, PAGE, CaseTableModel

SHOW = [("All cases", ""), ("Needs attention", "needs attention"),
        ("Overdue (a limit passed)", "overdue"),
        ("Later than normal, behind target", "behind"),
        (f"Due within {SOON_DAYS} days", "due soon"), ("Not finished", "open")]


class RegisterPanel(QWidget):
    """Search box, filters and the table of cases; emits the case the user picks."""

    caseSelected = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = CaseTableModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 0, 4)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search title, stage, role or case number (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.show_box = QComboBox()
        self.show_box.setObjectName("show")
        for text, value in SHOW:
            self.show_box.addItem(text, value)
        # long entries may be cut in the closed box, never in its list; the words stay in the tip
        self.show_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.show_box.setMinimumContentsLength(16)
        self.show_box.setToolTip("Which cases to show. Overdue: a limit ('must', 'within') has passed. "
                                 "Later than normal, behind target: a normal arrangement or a target "
                                 "date has passed, but no limit.")
        self.spec_box = QComboBox()
        self.spec_box.setObjectName("regime")
        self.spec_box.setToolTip("Which process (regime) to show")
        bar.addWidget(self.search, 2)
        bar.addWidget(self.show_box, 1)
        bar.addWidget(self.spec_box, 1)
        layout.addLayout(bar)

        self.table = QTableView()
        self.table.setObjectName("cases")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(
            [k for k, _ in COLUMNS].index("next_due"), Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # fixed row heights: the view never measures 100,000 rows
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for key, width in (("status", 90), ("id", 36), ("title", 220), ("next_due", 108),
                           ("days_left", 124), ("responsible", 150), ("regulator", 70)):
            self.table.setColumnWidth([k for k, _ in COLUMNS].index(key), width)
        self.table.doubleClicked.connect(self._pick)
        layout.addWidget(self.table, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.count_label.setStyleSheet("color: #555555;")
        layout.addWidget(self.count_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.show_box.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.spec_box.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.model.modelReset.connect(self._update_count)
        #: which case is on screen (the window sets it): kept selected when sorting or filtering
        self.shown: Callable[[], int | None] = lambda: None
        self.model.modelReset.connect(self._reselect)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

    def set_register(self, register: Register | None, keep_filters: bool = False) -> None:
        """Show ``register``; ``keep_filters`` keeps the chosen process (same register)."""
        chosen = self.spec_box.currentData() if keep_filters else ""
        self.spec_box.blockSignals(True)
        self.spec_box.clear()
        self.spec_box.addItem("All processes", "")
        for ident, title in (register.spec_ids() if register else []):
            self.spec_box.addItem(f"{title} ({ident})", ident)
        self.spec_box.setCurrentIndex(max(0, self.spec_box.findData(chosen)))
        self.spec_box.blockSignals(False)
        self.model.query = self._query()
        self.model.set_register(register)

    def _query(self) -> CaseQuery:
        return replace(self.model.query, search=self.search.text(),
                       attention=self.show_box.currentData() or "",
                       spec_id=self.spec_box.currentData() or "")

    def apply_filters(self) -> None:
        self._debounce.stop()
        self.model.set_query(self._query())

    def _update_count(self) -> None:
        reg = self.model.register
        if reg is None:
            self.count_label.setText("no register open")
            return
        total = self.model.rowCount()
        filtered = any((self.search.text().strip(), self.show_box.currentData(),
                        self.spec_box.currentData()))
        self.count_label.setText(f"{total:,} case{'s' if total != 1 else ''}"
                                 + (" match" if filtered else "") + " — sorted by "
                                 + COLUMNS[self.table.horizontalHeader().sortIndicatorSection()][1]
                                 .lower())

    def _reselect(self) -> None:
        case_id = self.shown()
        if case_id is not None:
            self.select_case(case_id, pages=1)  # the page the view shows first

    def _current_changed(self, current, _previous) -> None:
        case_id = self.model.case_id(current.row()) if current.isValid() else None
        if case_id is not None:
            self.caseSelected.emit(case_id)

    def _pick(self, index) -> None:
        case_id = self.model.case_id(index.row())
        if case_id is not None:
            self.caseSelected.emit(case_id)

    def select_case(self, case_id: int, pages: int = 5) -> bool:
        """Select ``case_id`` in the table if it is among the first ``pages`` pages, without
        signalling a new choice (the case is on screen already); else select nothing."""
        selection = self.table.selectionModel()
        current = self.table.currentIndex()
        if current.isValid() and self.model.case_id(current.row()) == case_id:
            return True  # the user picked it in the table
        selection.blockSignals(True)
        try:
            known = self.model.row_of(case_id)
            if known is not None:
                self.select_row(known)
                return True
            for row in range(min(self.model.rowCount(), pages * PAGE)):
                if self.model.case_id(row) == case_id:
                    self.select_row(row)
                    return True
            selection.clearSelection()
            self.table.setCurrentIndex(self.model.index(-1, -1))
            return False
        finally:
            selection.blockSignals(False)
            self.table.viewport().update()

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row, 0)
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)

    def refresh(self, keep: int | None = None) -> None:
        """Read the register again, keeping case ``keep`` selected if it is still near where
        it was (without signalling a new selection)."""
        old = self.table.currentIndex().row()
        self.table.selectionModel().blockSignals(True)
        self.model.refresh()
        if keep is not None:
            start = max(0, (old // PAGE - 1) * PAGE) if old >= 0 else 0
            for row in range(start, min(self.model.rowCount(), start + 3 * PAGE)):
                if self.model.case_id(row) == keep:
                    self.select_row(row)
                    break
        self.table.selectionModel().blockSignals(False)
