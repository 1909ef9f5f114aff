"""The case screen: where the case is (live diagram), what can be recorded next, its
timescales and its history. Every answer comes from the engine; this module only shows them
and passes the user's requests to the register.
"""

from __future__ import annotations

import html
import textwrap
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.cases.actions import Action, actions, can_extend, state_summary
from regflow.engine.cases.timescales import TimescaleStatus
from regflow.engine.drawing.diagram import case_highlight
from regflow.engine.errors import RegflowError
from regflow.engine.register.api import CaseView, Register, StaleCase
from regflow.engine.register.projection import stage_and_roles
from regflow.engine.register.storage import refused_write
from regflow.engine.spec.model import STRENGTHS

from ..diagram.svg import MARKS, DiagramSvg
from ..diagram.view import DiagramView
from ..register.identity import outside_note
from ..register.model import days_text
from ..tasks import run_task
from .forms import CorrectForm, EventForm, ExtendForm
from .tables import (
    LATE_BG,
    OVERDUE_BG,
    PAST,
    SOON_BG,
    STANDING,
    fill_facts,
    fill_history,
    fill_timescales,
    new_table,
    reading_html,
    strength_text,
)


def _action_button(text: str, tip: str, slot) -> QPushButton:
    """A button that acts on the selected row: off until a row allows it."""
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    button.setEnabled(False)
    return button


def _tab(table: QWidget, left: QWidget, right: QWidget) -> QWidget:
    """A tab: a table, and under it a note or option on the left and a button on the right."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(table)
    row = QHBoxLayout()
    row.addWidget(left)
    row.addStretch(1)
    row.addWidget(right)
    layout.addLayout(row)
    return box


class CasePanel(QWidget):
    """Shows one case of a register and records what the user does on it."""

    #: a change was stored on case (id): the register view refreshes
    changed = Signal(int)
    #: the case and its diagram are on screen
    ready = Signal()
    #: something to say in the status bar
    message = Signal(str)
    #: something to say in a dialog: title, what happened, what to do
    problem = Signal(str, str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.register: Register | None = None
        self.view: CaseView | None = None
        self.today = date.today()
        self.actor = ""
        self.roles: list[str] = []  # the roles the register says the user holds (none: never asked)
        self.actions: list[Action] = []
        self.form = None  # the form open now, if any
        self._documents: dict[str, DiagramSvg] = {}
        self._laying_out: set[str] = set()
        self._centre = False
        self.rows: list[TimescaleStatus] = []
        self.step_buttons: dict[str, QPushButton] = {}
        self._build()

    # -- building --------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)
        self.empty = QLabel("Choose a case in the register on the left,\n"
                            "or open a new one with File ▸ New case (Ctrl+N).")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #555555; font-size: 15px;")
        self.stack.addWidget(self.empty)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 4, 8, 4)
        self.title = QLabel()
        self.title.setObjectName("case_title")
        self.title.setStyleSheet("font-size: 17px; font-weight: bold;")
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: #555555;")
        self.subtitle.setWordWrap(True)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setTextFormat(Qt.TextFormat.RichText)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        for w in (self.title, self.subtitle, self.where, self.banner):
            layout.addWidget(w)

        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.hsplit = QSplitter(Qt.Orientation.Horizontal)
        self.hsplit.addWidget(self._diagram_box())
        self.hsplit.addWidget(self._steps_box())
        self.hsplit.setStretchFactor(0, 3)
        self.hsplit.setStretchFactor(1, 1)
        self.hsplit.setSizes([620, 320])
        self.vsplit.addWidget(self.hsplit)
        self.bsplit = QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._timescales_box(), "Timescales")
        self.tabs.addTab(self._history_box(), "History")
        self.facts_table = new_table(["Fact", "Value", "Source"])
        self.tabs.addTab(self.facts_table, "Facts")
        self.bsplit.addWidget(self.tabs)
        self.source = QTextBrowser()
        self.source.setObjectName("source")
        self.source.setOpenExternalLinks(False)
        self.source.setPlaceholderText("Select a row or a state to read its source paragraph.")
        self.bsplit.addWidget(self.source)
        self.bsplit.setStretchFactor(0, 3)
        self.bsplit.setStretchFactor(1, 1)
        self.bsplit.setSizes([660, 280])
        self.vsplit.addWidget(self.bsplit)
        self.vsplit.setStretchFactor(0, 3)
        self.vsplit.setStretchFactor(1, 2)
        self.vsplit.setSizes([560, 300])
        layout.addWidget(self.vsplit, 1)
        self.stack.addWidget(page)

    def _diagram_box(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.diagram = DiagramView()
        self.diagram.setObjectName("diagram")
        self.diagram.eventClicked.connect(self.open_event_form)
        self.diagram.stateClicked.connect(self._state_clicked)
        for text, tip, slot in (("−", "Zoom out (Ctrl+-)", lambda: self.diagram.zoom_by(1 / 1.25)),
                                ("+", "Zoom in (Ctrl++)", lambda: self.diagram.zoom_by(1.25)),
                                ("Fit", "Whole diagram in the window (Ctrl+0)", self.diagram.fit),
                                ("Where is it?", "Centre on where the case is (Ctrl+L)",
                                 lambda: self.show_where())):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            bar.addWidget(button)
        key = QLabel(
            f"<span style='background:#F5C77E;border:2px solid #B06E00'>&nbsp;{MARKS['active']} "
            "where the case is&nbsp;</span>&nbsp; "
            f"<span style='background:#D6E6F2'>&nbsp;{MARKS['travelled']} travelled&nbsp;</span>"
            f"&nbsp; <span style='color:#CC79A7'><b>{MARKS['missed']}</b> limit breached</span>&nbsp; "
            "<span style='color:#B06E00'><b>━</b> possible now</span>")
        key.setToolTip("▶ orange: where the case is; ✓ pale blue: stages already travelled; "
                       "⚠ dashed border: a limit was breached there; thick orange arrows: steps "
                       "that can be recorded now (click one). Help ▸ How to read the diagram.")
        key.setTextFormat(Qt.TextFormat.RichText)
        key.setObjectName("key")
        bar.addSpacing(12)
        bar.addWidget(key)
        bar.addStretch(1)
        self.layout_note = QLabel()
        self.layout_note.setStyleSheet("color: #777777;")
        bar.addWidget(self.layout_note)
        layout.addLayout(bar)
        layout.addWidget(self.diagram, 1)
        return box

    def _steps_box(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(250)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self.steps = QVBoxLayout(inner)
        self.steps.setContentsMargins(6, 2, 6, 6)
        scroll.setWidget(inner)
        return scroll

    def _timescales_box(self) -> QWidget:
        self.timescale_table = new_table(["Status", "Timescale", "Rule", "How binding", "Started",
                                          "Due", "Days left", "Met on", "Extension", "Source"])
        self.timescale_table.setObjectName("timescales")
        self.timescale_table.itemSelectionChanged.connect(self._timescale_selected)
        self.show_waiting = QCheckBox("Also show timescales not started yet")
        self.show_waiting.toggled.connect(lambda _on: self._fill_timescales())
        self.extend_button = _action_button(
            "Extend…", "Extend the selected timescale, where its source allows it",
            self.open_extend_form)
        return _tab(self.timescale_table, self.show_waiting, self.extend_button)

    def _history_box(self) -> QWidget:
        self.history_table = new_table(["#", "Happened", "Recorded", "By", "What", "Facts", "Note"])
        self.history_table.setObjectName("history")
        self.history_table.itemSelectionChanged.connect(self._history_selected)
        self.history_table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.history_table.customContextMenuRequested.connect(self._history_menu)
        hint = QLabel("Struck-through entries were voided by a correction; they stay on record.")
        hint.setStyleSheet("color: #555555;")
        self.correct_button = _action_button(
            "Correct…", "Void the selected entry (it was recorded by mistake)",
            self.open_correct_form)
        return _tab(self.history_table, hint, self.correct_button)

    # -- showing a case --------------------------------------------------------------------

    def clear(self) -> None:
        self.view = None
        self.stack.setCurrentIndex(0)

    def set_case(self, view: CaseView) -> None:
        """Show ``view``; the diagram keeps its layout if the spec is the same."""
        another = self.view is None or self.view.id != view.id
        if another:
            self.source.clear()
        self._centre = another
        self.view = view
        self.stack.setCurrentIndex(1)
        case, spec = view.case, view.spec
        self.title.setText(f"#{view.id}  {view.title}")
        finished = f"; finished {case.finished_on.isoformat()}" if case.finished_on else ""
        self.subtitle.setText(f"{spec.process.title} — {spec.process.regulator} (spec "
                              f"{spec.process.id}, version {spec.process.version}); opened "
                              f"{case.opened_on.isoformat()}{finished}; as of "
                              f"{self.today.isoformat()}")
        now, roles = stage_and_roles(case)
        self.where.setText(f"<b>Now:</b> {html.escape(now)}"
                           + (f" &nbsp; <b>Responsible:</b> {html.escape(roles)}" if roles else ""))
        self.rows = case.timescales(self.today)  # once: steps, banner, tables and diagram
        self.actions = actions(case, self.today, self.rows)
        self._fill_banner()
        self._fill_steps()
        self._fill_timescales()
        fill_history(self.history_table, view)
        self.correct_button.setEnabled(False)
        fill_facts(self.facts_table, view)
        self._show_diagram()

    def changed_elsewhere(self, view: CaseView) -> None:
        """The case on screen was changed by someone else: show it as stored now; an open
        form stays open and says so (what it was opened on is older than what is shown)."""
        self.set_case(view)
        if self.form is not None and hasattr(self.form, "show_problem"):
            self.form.show_problem(f"This case was changed elsewhere while this form was open "
                                   f"(it is now at version {view.version}) and has been read "
                                   "again: check it before recording.")

    def _fill_banner(self) -> None:
        finished = self.view.case.finished_on
        if finished is not None:
            self.banner.setText(f"✓ <b>Finished</b> on {finished.isoformat()}: nothing more "
                                "can be recorded on this case.")
            self.banner.setStyleSheet("background: #E3F1E7; padding: 4px;")
            self.banner.show()
            return
        by = {}
        for r in sorted((r for r in self.rows if r.due and r.open), key=lambda r: r.due):
            by.setdefault(r.standing(self.today), []).append(r)
        late, soon = by.get("overdue", []), by.get("due soon", [])
        behind = [r for word in PAST[1:] for r in by.get(word, [])]
        if late:
            r = late[0]
            more = f" and {len(late) - 1} more" if len(late) > 1 else ""
            self.banner.setText(f"⚠ <b>Overdue (a limit):</b> {html.escape(r.label)} — was due "
                                f"{r.due.isoformat()} ({days_text((r.due - self.today).days, r.strength)})"
                                f"{more}. See Timescales below.")
            self.banner.setStyleSheet(f"background: {OVERDUE_BG}; padding: 4px; "
                                      "border: 1px solid #CC79A7;")
        elif behind:
            r = behind[0]
            more = f" and {len(behind) - 1} more" if len(behind) > 1 else ""
            word = STANDING[r.standing(self.today)][2:]
            self.banner.setText(f"◑ <b>{word}:</b> {html.escape(r.label)} — "
                                f"{html.escape(strength_text(r).lower())}, was due "
                                f"{r.due.isoformat()} ({days_text((r.due - self.today).days, r.strength)})"
                                f"{more}; not a breach of a limit.")
            self.banner.setStyleSheet(f"background: {LATE_BG}; padding: 4px;")
        elif soon:
            r = soon[0]
            self.banner.setText(f"◷ <b>Due soon:</b> {html.escape(r.label)} — due "
                                f"{r.due.isoformat()} ({days_text((r.due - self.today).days, r.strength)})")
            self.banner.setStyleSheet(f"background: {SOON_BG}; padding: 4px;")
        else:
            self.banner.setText("")
            self.banner.setStyleSheet("")
        self.banner.setVisible(bool(late or behind or soon))

    def _fill_steps(self) -> None:
        while self.steps.count():
            item = self.steps.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.setParent(None)  # gone now, not only at the next event loop
                widget.deleteLater()
        self.step_buttons: dict[str, QPushButton] = {}
        available = [a for a in self.actions if a.available]
        blocked = [a for a in self.actions if not a.available]
        heading = QLabel("<b>Record what happened next</b>" if available else
                         "<b>Nothing can be recorded now</b>")
        heading.setWordWrap(True)
        self.steps.addWidget(heading)
        if available:
            hint = QLabel("Click a step (or its orange arrow on the diagram):")
            hint.setStyleSheet("color: #555555;")
            hint.setWordWrap(True)
            self.steps.addWidget(hint)
        elif self.view is not None and self.view.case.finished_on:
            self.steps.addWidget(QLabel("The case is finished."))
        for action in available:
            text = textwrap.fill(action.label, 32)
            if action.role:
                text += "\n" + textwrap.fill("— " + action.role, 32)
            if action.due is not None:
                left = (action.due - self.today).days
                mark = "◷" if left >= 0 else "⚠" if action.due_strength == "limit" else "◑"
                text = (f"{mark} due {action.due.isoformat()} "
                        f"({days_text(left, action.due_strength)})\n") + text
            button = QPushButton(text)
            button.setObjectName(f"step_{action.event}")
            button.setStyleSheet("QPushButton { text-align: left; padding: 5px 8px; }")
            tip = action.label + (f"\nRecorded by: {action.role}" if action.role else "")
            if action.due is not None:
                tip += f"\nMeets: {action.due_label} (due {action.due.isoformat()})"
            if action.citation:
                tip += f"\nSource: {action.citation}"
                if action.citation_text:
                    tip += "\n" + textwrap.fill(f"“{action.citation_text}”", 80)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, e=action.event: self.open_event_form(e))
            self.steps.addWidget(button)
            self.step_buttons[action.event] = button
        if blocked:
            title = QLabel("<b>Not possible now</b>")
            title.setContentsMargins(0, 10, 0, 0)
            self.steps.addWidget(title)
            for action in blocked:
                reasons = "<br>".join(
                    f"only when {html.escape(r.words)}"
                    + (f" ({html.escape(r.citation)})" if r.citation else "")
                    for r in action.reasons)
                label = QLabel(f"<span style='color:#555'>{html.escape(action.label)}</span>"
                               f"<br><span style='color:#777;font-size:11px'>{reasons}</span>")
                label.setObjectName(f"blocked_{action.event}")
                label.setWordWrap(True)
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setToolTip("\n".join(
                    f"{r}\n“{r.citation_text}”" if r.citation_text else str(r)
                    for r in action.reasons))
                self.steps.addWidget(label)
        self.steps.addStretch(1)

    def _fill_timescales(self) -> None:
        if self.view is not None:
            fill_timescales(self.timescale_table, self.view, self.rows, self.today,
                            self.show_waiting.isChecked())
            self.extend_button.setEnabled(False)

    # -- the diagram -----------------------------------------------------------------------

    def _show_diagram(self) -> None:
        view = self.view
        digest = view.spec.content_hash
        document = self._documents.get(digest)
        if document is None:
            self.diagram.set_document(None)
            self.layout_note.setText("laying out the diagram…")
            if digest not in self._laying_out:
                self._laying_out.add(digest)
                spec = view.spec
                run_task(self, f"Laying out the diagram of {spec.process.title}…",
                         lambda: DiagramSvg(spec), lambda doc: self._laid_out(digest, doc),
                         lambda err: self._layout_failed(digest, err), progress=False)
            return
        if self.diagram.document is not document:
            self.diagram.set_document(document)
        self.layout_note.setText("")
        self.refresh_highlight()
        if self._centre:  # another case: show where it is (after a step, the view stays put)
            self._centre = False
            QTimer.singleShot(0, self.show_where)
        self.ready.emit()

    def show_where(self) -> None:
        """Centre the diagram where the most urgent step can be recorded, else on the
        stage(s) the case reached last."""
        if self.view is None:
            return
        urgent = next((a for a in self.actions if a.available and a.due is not None), None)
        leaves = self.view.spec.leaves(list(urgent.sources)) if urgent else []
        self.diagram.show_where(leaves or self.view.case.latest_states())

    def refresh_highlight(self) -> None:
        """Re-mark the diagram for the case as it is now (no layout)."""
        view = self.view
        self.diagram.targets = {a.event: a.targets for a in self.actions if a.available}
        self.diagram.show_case(case_highlight(view.case, self.today, self.rows),
                               frozenset(a.event for a in self.actions if a.available))

    def _laid_out(self, digest: str, document: DiagramSvg) -> None:
        self._laying_out.discard(digest)
        self._documents[digest] = document
        if self.view is not None and self.view.spec.content_hash == digest:
            self._show_diagram()

    def _layout_failed(self, digest: str, err: Exception) -> None:
        self._laying_out.discard(digest)
        if self.view is None or self.view.spec.content_hash != digest:
            return  # another case is on screen now
        self.layout_note.setText("")
        self.diagram.set_document(None)
        self.diagram.scene().addText(f"The diagram cannot be drawn: {err}")
        self.message.emit(f"The diagram cannot be drawn: {err}")
        self.ready.emit()

    def _state_clicked(self, name: str) -> None:
        if self.view is not None:
            self.source.setPlainText(state_summary(self.view.spec, name))

    # -- selections ------------------------------------------------------------------------

    def _timescale_selected(self) -> None:
        items = self.timescale_table.selectedItems()
        row: TimescaleStatus | None = items[0].data(Qt.ItemDataRole.UserRole) if items else None
        why_not = can_extend(self.rows, row) if row is not None else "select a timescale first"
        self.extend_button.setEnabled(not why_not)
        self.extend_button.setToolTip("Extend the selected timescale" if not why_not
                                      else f"Cannot extend: {why_not}")
        if row is None or self.view is None:
            return
        text = self.view.spec.citation_text(row.citation)
        parts = [f"<h3>{html.escape(row.label)}</h3>",
                 f"<p><b>Rule:</b> "
                 f"{html.escape(self.view.spec.rule_words(self.view.spec.timescale(row.id)))}</p>"]
        parts.append(f"<p><b>How binding:</b> {html.escape(strength_text(row))} — "
                     f"{html.escape(STRENGTHS[row.strength])}</p>")
        if row.responsible:
            parts.append(f"<p><b>Responsible:</b> "
                         f"{html.escape(self.view.spec.role_label(row.responsible))}</p>")
        if row.reason:
            parts.append(f"<p><b>Status:</b> {html.escape(row.reason)}</p>")
        parts.append(f"<p><b>Source: {html.escape(row.citation)}</b></p>")
        if text:
            parts.append(f"<blockquote>“{html.escape(text)}”</blockquote>")
        parts.append(reading_html(row.note))
        self.source.setHtml("".join(parts))

    def _selected_entry(self):
        items = self.history_table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _history_selected(self) -> None:
        entry = self._selected_entry()
        voided = self.view.voided if self.view else set()
        self.correct_button.setEnabled(bool(entry is not None and entry.kind != "correction"
                                            and entry.seq not in voided))
        if entry is not None and entry.kind == "event" and self.view is not None:
            e = self.view.spec.events[entry.event]
            text = self.view.spec.citation_text(e.citation)
            self.source.setHtml(f"<h3>{html.escape(e.label)}</h3><p><b>Source: "
                                f"{html.escape(e.citation)}</b></p>"
                                + (f"<blockquote>“{html.escape(text)}”</blockquote>" if text else "")
                                + reading_html(e.note))

    def _history_menu(self, pos) -> None:
        if self.correct_button.isEnabled():
            menu = QMenu(self)
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.addAction("Correct this entry…", self.open_correct_form)
            menu.popup(self.history_table.viewport().mapToGlobal(pos))

    # -- changes ---------------------------------------------------------------------------

    def open_event_form(self, event: str) -> EventForm | None:
        """Open the form that records ``event`` (one of the steps possible now). A step that
        belongs to a role the user does not hold is recorded only once they confirm it, and is
        marked so in the history."""
        action = next((a for a in self.actions if a.event == event and a.available), None)
        if action is None or self.view is None:
            return None
        role = self._step_role(action)
        outside = bool(self.roles and role and role not in self.roles)
        if outside and QMessageBox.question(
                self, "A step for another role",
                f"“{action.label}” is recorded by the {role}; you hold "
                f"{', '.join(self.roles)}.\n\nRecord it anyway? The history will say it was "
                "recorded outside your roles.") != QMessageBox.StandardButton.Yes:
            return None
        form = EventForm(self, self.view.case, action, self.today, self.actor)
        form.outside_role = role if outside else ""
        form.submitted.connect(lambda values: self._record(form, values))
        self.open_form(form)
        return form

    def _step_role(self, action: Action) -> str:
        """Whose step it is: the event's role, else the role responsible where it leaves from."""
        if action.role:
            return action.role
        spec = self.view.spec
        roles = [spec.role_label(r) for s in action.sources if (r := spec.role_of(s))]
        return roles[0] if roles else ""

    def _record(self, form: EventForm, values: dict[str, Any]) -> None:
        note = values["note"]
        if form.outside_role:
            note = (note + "\n" if note else "") + outside_note(form.outside_role, self.roles)
        self._apply(form, lambda reg, view: reg.fire(
            view.id, values["event"], values["on"], values["facts"], actor=values["actor"] or None,
            note=note, expect_version=view.version),
            f"Recorded: {self.view.spec.events[values['event']].label}")

    def open_correct_form(self) -> CorrectForm | None:
        entry = self._selected_entry()
        if self.view is None:
            return None
        if entry is None or not self.correct_button.isEnabled():
            self.message.emit("Select an entry in the History tab to correct (steps recorded "
                              "by regflow when due, and corrections, cannot be voided)")
            return None
        what = self.history_table.item(self.history_table.currentRow(), 4).text()
        form = CorrectForm(self, entry.seq, f"{what} ({entry.effective_on.isoformat()})",
                           self.actor)
        form.submitted.connect(lambda values: self._apply(form, lambda reg, view: reg.correct(
            view.id, values["seq"], values["reason"], actor=values["actor"] or None,
            expect_version=view.version), f"Voided entry #{values['seq']}"))
        self.open_form(form)
        return form

    def open_extend_form(self) -> ExtendForm | None:
        items = self.timescale_table.selectedItems()
        row = items[0].data(Qt.ItemDataRole.UserRole) if items else None
        if self.view is None:
            return None
        why_not = can_extend(self.rows, row) if row is not None else "select a timescale first"
        if why_not:
            self.message.emit(f"Cannot extend: {why_not}")
            return None
        due = row.extended_to or row.due
        form = ExtendForm(self, row.id, row.label, due, row.citation,
                          self.view.spec.citation_text(row.citation), self.actor)
        form.submitted.connect(lambda values: self._apply(form, lambda reg, view: reg.extend(
            view.id, values["timescale"], values["to"], values["reason"],
            actor=values["actor"] or None, expect_version=view.version),
            f"Extended: {row.label}"))
        self.open_form(form)
        return form

    def open_form(self, form) -> None:
        """Open ``form`` without blocking; ``self.form`` is it until it closes."""
        self.form = form
        form.finished.connect(lambda _result: setattr(self, "form", None))
        form.open()

    def _apply(self, form, change, done_text: str) -> None:
        """Store a change; on refusal the form says why and stays open. If the case changed
        meanwhile (elsewhere), it is read again and the form closed: what it showed is old."""
        try:
            view = change(self.register, self.view)
        except StaleCase as err:
            form.reject()
            self.set_case(self.register.get(self.view.id))
            self.problem.emit("The case changed meanwhile", f"{err}",
                              "The case has been read again: check it and record the step "
                              "again if it is still needed.")
            return
        except RegflowError as err:
            form.show_problem(str(err))
            return
        except Exception as err:  # e.g. the database is locked: said, not lost
            refused = refused_write(err)
            form.show_problem(refused[0].upper() + refused[1:] if refused else
                              f"Nothing was saved: the register could not be written ({err}). "
                              "Try again in a moment.")
            return
        name = form.actor.text().strip() if hasattr(form, "actor") else ""
        if name:
            self.actor = name  # remembered (the window keeps it in its settings at once)
        form.accept()
        self.set_case(view)
        self.message.emit(f"Case #{view.id}: {done_text}")
        self.changed.emit(view.id)
