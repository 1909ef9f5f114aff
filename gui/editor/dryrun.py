"""The editor's dry run: the dates a spec's deadlines fall on, and which of them the last
change moved.

The point of a dry run is to see the effect of an edit at once ("25 → 30 working days"): each
time the editor hands over a new spec, the timeline is worked out again (by the engine,
:func:`regflow.engine.compare.timeline.timeline`) and compared with the one before it, on the
same start. Rows whose date moved are bold and say what they were; rows that came or went are
said; the marks stay until the next change. Choosing another start is not a change of the
spec: it shows a new timeline with nothing marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.cases.calendars import calendar_names
from regflow.engine.compare.timeline import Entry, timeline
from regflow.engine.errors import RegflowError
from regflow.engine.spec.model import Spec

from ..case.tables import STRENGTH_TEXT

OPENING = "the opening of a case"
MOVED_BG, NEW_BG, GONE_FG = "#FFF3C4", "#E3F1E6", "#777777"


def day_text(day: date | None) -> str:
    """A date as the command line shows it, with its weekday: ``Wed 2027-05-05``."""
    return f"{day:%a} {day.isoformat()}" if day else "—"


def when_text(entry: Entry) -> str:
    """When a timescale falls due; a lead time, the first day it allows."""
    if entry.due is None:
        return f"not before\n{day_text(entry.earliest)}" if entry.earliest else "—"
    return ("about " if entry.approximate else "") + day_text(entry.due)


@dataclass(frozen=True)
class Moved:
    """How one row differs from the timeline before the last change."""

    was: str | None  # the date it showed ("" for a row that is new)
    gone: bool = False


def _keyed(entries: list[Entry]) -> dict[tuple[str, int], Entry]:
    """Entries by timescale and occurrence (a timescale whose clock starts twice is two)."""
    seen: dict[str, int] = {}
    out = {}
    for e in entries:
        n = seen.get(e.id, 0)
        seen[e.id] = n + 1
        out[(e.id, n)] = e
    return out


def changes(before: list[Entry], after: list[Entry]) -> dict[tuple[str, int], Moved]:
    """What moved between two timelines on the same start: rows whose date changed (with the
    old date), rows that are new ("") and rows no longer there (gone)."""
    old, new = _keyed(before), _keyed(after)
    out = {}
    for key, e in new.items():
        if key not in old:
            out[key] = Moved("")
        elif when_text(old[key]) != when_text(e):
            out[key] = Moved(" ".join(when_text(old[key]).split()))
    for key, e in old.items():
        if key not in new:
            out[key] = Moved(" ".join(when_text(e).split()), gone=True)
    return out


class DryRun(QWidget):
    """The dry-run tab: a start (the opening of a case, or an event, on a day), what is
    assumed, and the timeline with what the last change moved."""

    #: the table shows the timeline of the spec last given (tests wait for it)
    filled = Signal()

    def __init__(self, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec: Spec | None = None
        self.entries: list[Entry] = []
        #: the rows the last change of the spec moved, by (timescale, occurrence)
        self.moved: dict[tuple[str, int], Moved] = {}
        self._before: dict[tuple[str, int], Entry] = {}
        column = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Start from"))
        self.start_event = QComboBox()
        self.start_event.setObjectName("dry_from")
        self.start_event.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.start_event.setMinimumContentsLength(18)
        self.start_event.activated.connect(lambda _i: self._start_changed())
        row.addWidget(self.start_event, 1)
        row.addWidget(QLabel("on"))
        self.start_day = QDateEdit(QDate(today.year, today.month, today.day))
        self.start_day.setObjectName("dry_start")
        self.start_day.setCalendarPopup(True)
        self.start_day.setDisplayFormat("ddd yyyy-MM-dd")
        self.start_day.dateChanged.connect(lambda _d: self._start_changed())
        row.addWidget(self.start_day)
        column.addLayout(row)
        self.assumed = QLabel()
        self.assumed.setObjectName("dry_assumed")
        self.assumed.setWordWrap(True)
        column.addWidget(self.assumed)
        self.summary = QLabel()
        self.summary.setObjectName("dry_summary")
        self.summary.setWordWrap(True)
        column.addWidget(self.summary)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("dry_table")
        self.table.setHorizontalHeaderLabels(["Due", "Timescale [source]", "How binding"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        # the rows grow to show a wrapped title whenever the column's width changes
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        column.addWidget(self.table, 1)

    # -- what the editor calls -------------------------------------------------------------------

    def start(self) -> tuple[date, str | None]:
        """Where the dry run starts: a day, and an event (None: the opening of a case)."""
        return self.start_day.date().toPython(), self.start_event.currentData()

    @staticmethod
    def work_out(spec: Spec, start: tuple[date, str | None]) -> list[Entry] | RegflowError:
        """The timeline from ``start`` (the engine's; safe off the UI thread), or why none."""
        try:
            return timeline(spec, *start).entries
        except RegflowError as err:
            return err

    def show_spec(self, spec: Spec | None, worked: tuple | None = None) -> None:
        """Show ``spec``'s timeline, marking what moved since the spec shown before; None (the
        spec as it is now cannot run) keeps the last timeline, said to be out of date.
        ``worked``: (start, :meth:`work_out`'s answer) worked out already, off the UI thread."""
        if spec is None:
            if self.spec is not None:
                self.summary.setText("Out of date: the spec has problems, so these are the "
                                     "dates of the last version that could run.")
                self.summary.show()
                self.table.setEnabled(False)
            return
        if spec is self.spec and self.table.isEnabled():
            return  # the same spec (a text read again): nothing changed
        self.spec = spec
        self.table.setEnabled(True)
        self._offer_events(spec)
        self._fill(compare=True, worked=worked)

    # -- inside ------------------------------------------------------------------------------------

    def _offer_events(self, spec: Spec) -> None:
        events = [None, *spec.events]
        if [self.start_event.itemData(i) for i in range(self.start_event.count())] == events:
            return
        chosen = self.start_event.currentData()
        self.start_event.clear()
        self.start_event.addItem(OPENING[0].upper() + OPENING[1:], None)
        for name, event in spec.events.items():
            self.start_event.addItem(event.label, name)
            self.start_event.setItemData(self.start_event.count() - 1, name,
                                         Qt.ItemDataRole.ToolTipRole)
        self.start_event.setCurrentIndex(max(0, self.start_event.findData(chosen)))

    def _start_changed(self) -> None:
        if self.spec is not None:
            self._fill(compare=False)

    def _fill(self, compare: bool, worked: tuple | None = None) -> None:
        spec, (start, event) = self.spec, self.start()
        self.table.setRowCount(0)
        self._say_assumed(spec, start, event)
        # worked out for another start (chosen meanwhile, or gone from the spec): again here
        entries = worked[1] if worked and worked[0] == (start, event) else \
            self.work_out(spec, (start, event))
        if isinstance(entries, RegflowError):
            err = entries
            self.entries, self.moved, self._before = [], {}, {}
            self.summary.setText(f"No dry run from this start: {err}")
            self.summary.show()
            self.filled.emit()
            return
        compare = compare and bool(self._before)  # the first timeline has nothing before it
        self.moved = changes(list(self._before.values()), entries) if compare else {}
        gone = [(key, self._before[key]) for key, m in self.moved.items() if m.gone]
        self.entries, self._before = entries, _keyed(entries)
        for key, e in _keyed(entries).items():
            self._row(e, self.moved.get(key))
        for key, e in gone:
            self._row(e, self.moved[key])
        self.summary.setText(self._summary(compare))
        self.summary.setVisible(bool(self.summary.text()))
        self.filled.emit()

    def _say_assumed(self, spec: Spec, start: date, event: str | None) -> None:
        what = spec.events[event].label if event in spec.events else OPENING
        days = calendar_names().get(spec.process.calendar, spec.process.calendar or "Monday "
                                    "to Friday")
        self.assumed.setText(
            f"Assumed: {what} on {day_text(start)}; every later step is taken on the last day "
            f"its timescale allows; working days: {days}. Pick an event above to start "
            "from it instead.")

    def _summary(self, compare: bool) -> str:
        if not self.entries and not self.moved:
            return "No timescale falls due on this path."
        if not compare or not self.moved:
            return "" if not compare else "Your last change moved no date."
        moved = sum(1 for m in self.moved.values() if m.was and not m.gone)
        new = sum(1 for m in self.moved.values() if m.was == "")
        gone = sum(1 for m in self.moved.values() if m.gone)
        parts = [f"{n} {words}" for n, words in (
            (moved, "date moved" if moved == 1 else "dates moved"),
            (new, "new row" if new == 1 else "new rows"),
            (gone, "row gone" if gone == 1 else "rows gone")) if n]
        return "Your last change: " + ", ".join(parts) + " (marked below)."

    def _row(self, e: Entry, moved: Moved | None) -> None:
        n = self.table.rowCount()
        self.table.insertRow(n)
        due = when_text(e)
        if moved is not None and moved.gone:
            due = f"no longer on this path\n(was {moved.was})"
        elif moved is not None and moved.was:
            due = f"{due}\nwas {moved.was}"
        elif moved is not None:
            due = f"{due}\nnew"
        strength = STRENGTH_TEXT.get(e.strength, e.strength)
        texts = (due, f"{e.label} [{e.citation}]", strength)
        # the whole story in the tooltip: the rule, when its clock starts, the source's word
        tip = (f"{e.label} [{e.citation}]\n{e.rule}; clock starts {day_text(e.anchor_date)}\n"
               f"How binding: {strength}" + (f" (the source says “{e.wording}”)"
                                            if e.wording else ""))
        for col, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setToolTip(tip)
            if moved is not None:
                font = QFont(item.font())
                font.setBold(not moved.gone)
                font.setStrikeOut(moved.gone and col == 1)
                item.setFont(font)
                if moved.gone:
                    item.setForeground(QBrush(QColor(GONE_FG)))
                else:
                    item.setBackground(QBrush(QColor(MOVED_BG if moved.was else NEW_BG)))
            self.table.setItem(n, col, item)
