"""The compare screen: two specs side by side, for analysts.

Two regimes (CIW against SWIA) or two versions of one (a spec and its variant): both diagrams
with linked zoom and pan (optionally with each step's deadlines on its arrows), the milestone
table, a what-if timeline of both from one start, and for two versions what changed, marked on
both diagrams. The engine compares (:mod:`regflow.engine.compare`); this window shows.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import QByteArray, QDate, Qt, Signal
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.compare.comparison import (
    Comparison,
    compare,
    diagram_svg,
    diff_marks,
    side_names,
    timeline_svg,
)
from regflow.engine.compare.timeline import TimelineError
from regflow.engine.spec.facts import assignments
from regflow.engine.spec.milestones import vocabulary
from regflow.engine.spec.variants import VARIANT_PREFIX, installed_variants, open_spec
from regflow.specs import shipped

from ..case.tables import cell, new_table
from ..diagram.svg import DiagramSvg
from ..diagram.view import DiagramView
from ..tasks import run_task


def spec_choices() -> list[tuple[str, str]]:
    """(words, what open_spec takes) for every shipped spec and installed variant."""
    out = [(f"{ident}", str(path)) for ident, path in shipped().items()]
    out += [(f"{v.label} (variant of {v.base})", VARIANT_PREFIX + name)
            for name, v in installed_variants().items()]
    return out


class LinkedViews:
    """Keeps two diagram views at the same zoom and the same relative scroll position."""

    def __init__(self, a: DiagramView, b: DiagramView):
        self.views = (a, b)
        self._busy = False
        for view in self.views:
            view.zoomChanged.connect(lambda _f, v=view: self._follow(v))
            for bar in (view.horizontalScrollBar(), view.verticalScrollBar()):
                bar.valueChanged.connect(lambda _v, v=view: self._follow(v))

    def _follow(self, source: DiagramView) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            other = self.views[1] if source is self.views[0] else self.views[0]
            if abs(other.zoom() - source.zoom()) > 1e-6:
                other.set_zoom(source.zoom())
            for mine, theirs in ((source.horizontalScrollBar(), other.horizontalScrollBar()),
                                 (source.verticalScrollBar(), other.verticalScrollBar())):
                span = mine.maximum() - mine.minimum()
                share = (mine.value() - mine.minimum()) / span if span else 0.0
                theirs.setValue(round(theirs.minimum() + share * (theirs.maximum()
                                                                  - theirs.minimum())))
        finally:
            self._busy = False


class CompareWindow(QWidget):
    """Two specs side by side; opened from View ▸ Compare specs."""

    #: the comparison is on screen (tests and screenshots wait for it)
    ready = Signal()

    def __init__(self, parent: QWidget | None = None, today: date | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Compare specs — regflow")
        self.resize(1500, 950)
        self.today = today or date.today()
        self.comparison: Comparison | None = None
        self.last_error: str | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.pickers = []
        for n, default in enumerate(("ciw_2019", "swia_handover")):
            box = QComboBox()
            box.setObjectName(("left", "right")[n])
            for words, ref in spec_choices():
                box.addItem(words, ref)
            box.setCurrentIndex(max(0, box.findText(default)))
            other = QPushButton("Other file…")
            other.clicked.connect(lambda _=False, b=box: self._choose_file(b))
            bar.addWidget(QLabel(("A:", "B:")[n]))
            bar.addWidget(box, 2)
            bar.addWidget(other)
            self.pickers.append(box)
        self.deadlines = QCheckBox("Deadlines on the arrows")
        self.deadlines.setToolTip("Write on each arrow the timescales its step meets")
        bar.addWidget(self.deadlines)
        layout.addLayout(bar)
        bar = QHBoxLayout()  # the timeline's own row: where it starts, when, along which path
        bar.addWidget(QLabel("Timeline from"))
        self.milestone = QComboBox()
        self.milestone.setObjectName("milestone")
        for name, m in vocabulary().items():
            self.milestone.addItem(m.label, name)
        self.milestone.setCurrentIndex(max(0, self.milestone.findData("report_published")))
        bar.addWidget(self.milestone, 1)
        bar.addWidget(QLabel("on"))
        self.start = QDateEdit(QDate(self.today.year, self.today.month, self.today.day))
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        bar.addWidget(self.start)
        self.facts = QLineEdit()
        self.facts.setObjectName("facts")
        self.facts.setPlaceholderText("facts, e.g. concern_level=serious")
        self.facts.setToolTip("Facts that choose the timeline's path, as FACT=VALUE separated "
                              "by commas; each spec takes the facts it has")
        self.facts.returnPressed.connect(self.run)
        bar.addWidget(QLabel("with facts"))
        bar.addWidget(self.facts, 2)
        self.go = QPushButton("Compare")
        self.go.setDefault(True)
        self.go.clicked.connect(self.run)
        bar.addWidget(self.go)
        layout.addLayout(bar)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        diagrams = QWidget()
        dl = QVBoxLayout(diagrams)
        zoom = QHBoxLayout()
        self.views = (DiagramView(cached=True), DiagramView(cached=True))
        self.titles = (QLabel(), QLabel())
        for label, text, fn in (("−", "Zoom out", lambda: self.views[0].zoom_by(1 / 1.25)),
                                ("+", "Zoom in", lambda: self.views[0].zoom_by(1.25)),
                                ("Fit", "Show both diagrams whole", self.fit)):
            button = QPushButton(label)
            button.setToolTip(text + " (both diagrams move together)")
            button.clicked.connect(fn)
            zoom.addWidget(button)
        zoom.addWidget(QLabel("Ctrl+wheel zooms; drag to pan: both diagrams follow. "
                              "✎ blue: what differs between two versions."))
        zoom.addStretch(1)
        dl.addLayout(zoom)
        split = QSplitter()
        for title, view in zip(self.titles, self.views, strict=True):
            side = QWidget()
            sl = QVBoxLayout(side)
            sl.setContentsMargins(0, 0, 0, 0)
            title.setWordWrap(True)
            sl.addWidget(title)
            sl.addWidget(view, 1)
            split.addWidget(side)
        dl.addWidget(split, 1)
        self.linked = LinkedViews(*self.views)
        self.tabs.addTab(diagrams, "Diagrams")
        self.milestone_table = new_table(["Milestone", "A", "B"])
        self.milestone_table.setWordWrap(True)
        self.tabs.addTab(self.milestone_table, "Milestones")
        self.timeline_area = QScrollArea()
        self.timeline_view = QSvgWidget()
        self.timeline_view.renderer().setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        self.timeline_view.setObjectName("timeline")
        self.timeline_area.setWidget(self.timeline_view)
        self.tabs.addTab(self.timeline_area, "Timeline")
        self.changes_table = new_table(["What", "Change", "Details"])
        self.tabs.addTab(self.changes_table, "Changes")
        self._documents: tuple[DiagramSvg, DiagramSvg] | None = None

    # -- choosing ------------------------------------------------------------------------

    def _choose_file(self, box: QComboBox) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Spec file", "", "regflow specs (*.toml)")
        if path:
            box.addItem(Path(path).name, path)
            box.setCurrentIndex(box.count() - 1)

    def choose(self, left: str, right: str) -> None:
        """Pick the two specs (a shipped id, a file, or variant:NAME) and compare them."""
        for box, ref in zip(self.pickers, (left, right), strict=True):
            found = box.findData(ref)
            if found < 0:
                found = box.findText(ref)
            if found < 0:
                box.addItem(Path(ref).name, ref)
                found = box.count() - 1
            box.setCurrentIndex(found)
        self.run()

    # -- comparing (off the UI thread: layouts and the timeline walk take a moment) ------

    def run(self) -> None:
        refs = [box.currentData() for box in self.pickers]
        start = self.start.date().toPython()
        milestone = self.milestone.currentData()
        deadlines = self.deadlines.isChecked()
        facts_text = self.facts.text()
        self.go.setEnabled(False)
        self.status.setText("Comparing…")

        def work():
            left, right = (open_spec(r) for r in refs)
            facts = assignments(facts_text)  # a mistyped fact is said, not compared without
            why_not = ""
            try:
                found = compare(left, right, start, milestone, facts)
            except TimelineError as err:  # no way to the milestone: compare without a timeline
                found, why_not = compare(left, right, facts=facts), str(err)
            found.deadlines = deadlines
            marks = diff_marks(found)
            names = side_names(found)
            svgs = tuple(diagram_svg(s, m, f"differs from {o}" if m else "", deadlines)
                         for s, m, o in zip((left, right), marks, reversed(names), strict=True))
            return found, svgs, timeline_svg(found) if found.timelines else "", why_not

        run_task(self, "Comparing the two specs…", work, self._shown, self._failed,
                 progress=False)

    def _failed(self, err: Exception) -> None:
        self.go.setEnabled(True)
        self.last_error = str(err)
        # what is shown must be the specs now chosen, or nothing: never the last comparison
        self.comparison = self._documents = None
        for view, title in zip(self.views, self.titles, strict=True):
            view.set_document(None)
            title.setText("")
        for table in (self.milestone_table, self.changes_table):
            table.setRowCount(0)
        self.timeline_view.load(QByteArray(b""))
        self.status.setText(f"<span style='color:#A0306E'>Cannot compare: "
                            f"{html.escape(str(err))}</span>")

    def _shown(self, result) -> None:
        found, svgs, timeline, why_not = result
        self.go.setEnabled(True)
        self.last_error = None
        self.comparison = found
        names = side_names(found)
        self._documents = tuple(DiagramSvg(s, svg) for s, svg in zip(
            (found.left, found.right), svgs, strict=True))
        for view, title, doc, spec, name in zip(self.views, self.titles, self._documents,
                                                (found.left, found.right), names, strict=True):
            view.set_document(doc)
            title.setText(f"<b>{html.escape(name)}</b> — {html.escape(spec.process.title)}")
        self.fit()
        self._fill_milestones(found, names)
        self._fill_changes(found)
        self.timeline_view.load(QByteArray(timeline.encode()))
        if timeline:  # drawn at its own size (1100 units wide), scrolled if the window is smaller
            size = self.timeline_view.renderer().defaultSize()
            self.timeline_view.setFixedSize(round(size.width() * 1.3), round(size.height() * 1.3))
        versions = found.diff is not None
        self.tabs.setTabEnabled(3, versions)
        note = (f"two versions of one process: {len(found.diff)} change(s), marked ✎ on both "
                "diagrams" if versions else "two regimes: their milestones side by side")
        if why_not:
            note += f"; no timeline: {why_not}"
        for spec, line in zip((found.left, found.right), found.timelines or (), strict=False):
            if not line.entries:
                note += f"; {spec.process.id}: no timescale falls due on this path"
        self.status.setText(note)
        self.ready.emit()

    def fit(self) -> None:
        for view in self.views:
            view.fit()
        smaller = min(v.zoom() for v in self.views)
        self.views[0].set_zoom(smaller)  # the other follows

    def _fill_milestones(self, found: Comparison, names: list[str]) -> None:
        table = self.milestone_table
        table.setHorizontalHeaderLabels(["Milestone", *names])
        table.setRowCount(0)
        for row in found.milestones:
            n = table.rowCount()
            table.insertRow(n)
            table.setItem(n, 0, cell(row.label, row.description))
            for col, side in enumerate(row.sides, 1):
                if side.empty:
                    table.setItem(n, col, cell("— none", "This regime has no such step"))
                    continue
                lines = list(side.steps)
                lines += [f"◷ {t['label']}: {t['rule']}; {t['strength'].replace('_', ' ')}"
                          f"{' (“' + t['wording'] + '”)' if t['wording'] else ''} [{t['citation']}]"
                          for t in side.timescales]
                table.setItem(n, col, cell("\n".join(lines), "\n".join(lines)))
        table.resizeColumnsToContents()
        for col in (1, 2):
            table.setColumnWidth(col, min(table.columnWidth(col), 560))
        table.resizeRowsToContents()

    def _fill_changes(self, found: Comparison) -> None:
        table = self.changes_table
        table.setRowCount(0)
        for change in found.diff or []:
            n = table.rowCount()
            table.insertRow(n)
            details = "; ".join(change.details())
            for col, text in enumerate((f"{change.kind} {change.id}", change.change, details)):
                table.setItem(n, col, cell(text, text))
        table.resizeColumnsToContents()
