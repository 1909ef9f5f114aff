"""The small forms of the case screen: record a step, open a case, correct an entry, extend.

Each form collects values and says what is wrong before anything is sent; the register does
the checking, and its refusal is shown in the form, which stays open so nothing typed is lost.
Widgets follow the fact types: a list for enum, Yes/No for bool, a date picker for dates.
"""

from __future__ import annotations

import functools
import textwrap
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.cases.actions import Action, opening_facts, refusal
from regflow.engine.cases.case import Case
from regflow.engine.spec.model import Fact
from regflow.engine.spec.variants import VARIANT_PREFIX, installed_variants, open_spec
from regflow.specs import shipped

NOT_GIVEN = "(not given)"
CHOOSE = "(choose)"
_NO_DATE = QDate(1900, 1, 1)


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def actor_field(actor: str) -> QLineEdit:
    """Who records a change: the name this user gave last time (a setting of the app, kept
    as soon as it is used), never guessed from the computer's login name."""
    field = QLineEdit(actor)
    field.setObjectName("actor")
    field.setPlaceholderText("your name (remembered for next time)")
    return field


@functools.cache
def _title(path: Path) -> str:
    """A shipped spec's title, read once (the choice list needs no full load)."""
    with path.open("rb") as handle:
        return str(tomllib.load(handle).get("process", {}).get("title", path.stem))


def date_edit(day: date, name: str = "") -> QDateEdit:
    """A date field with a calendar, in ISO form (2026-11-23)."""
    edit = QDateEdit(qdate(day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if name:
        edit.setObjectName(name)
    return edit


def _words(value: str) -> str:
    return value.replace("_", " ")


class FactInput:
    """One fact's input widget, chosen from its type; ``value()`` is None when not given."""

    def __init__(self, fact: Fact, required: bool, today: date):
        self.fact, self.required = fact, required
        if fact.type in ("enum", "bool"):
            box = QComboBox()
            # no answer until one is chosen: a required question must not start answered
            box.addItem(CHOOSE if required else NOT_GIVEN, None)
            choices = [("Yes", True), ("No", False)] if fact.type == "bool" else \
                [(_words(v), v) for v in fact.values]
            for text, value in choices:
                box.addItem(text, value)
            self.widget = box
        elif fact.type == "date":
            edit = date_edit(today)
            if not required:  # the earliest date stands for "not given"
                edit.setMinimumDate(_NO_DATE)
                edit.setSpecialValueText(NOT_GIVEN)
                edit.setDate(_NO_DATE)
            else:
                edit.setDate(qdate(today))
            self.widget = edit
        else:
            line = QLineEdit()
            if fact.type == "number":  # 1.5 whatever the desktop's language: stored as typed
                validator = QDoubleValidator()
                validator.setLocale(QLocale.c())
                line.setValidator(validator)
                line.setPlaceholderText("a number")
            self.widget = line
        tip = fact.label + (f" ({fact.citation})" if fact.citation else "")
        self.widget.setToolTip(tip)
        self.widget.setObjectName(f"fact_{fact.name}")

    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QDateEdit):
            return None if w.date() == _NO_DATE else pydate(w.date())
        text = w.text().strip()
        if not text:
            return None
        if self.fact.type == "number":
            try:
                number = float(text)
            except ValueError:
                return text  # the engine names the problem
            return int(number) if number.is_integer() else number
        return text

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        elif isinstance(w, QDateEdit):
            w.setDate(qdate(value) if value else _NO_DATE)
        else:
            w.setText("" if value is None else str(value))

    def changed_signal(self):
        w = self.widget
        if isinstance(w, QComboBox):
            return w.currentIndexChanged
        if isinstance(w, QDateEdit):
            return w.dateChanged
        return w.textChanged


def _paragraph(citation: str, text: str) -> QLabel:
    label = QLabel(f"<b>{citation}</b> “{text}”" if text else f"<b>{citation}</b>")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setStyleSheet("color: #444444; background: #F4F4F4; padding: 6px; border-radius: 4px;")
    return label


class _Form(QDialog):
    """A form with a message line for problems and OK/Cancel buttons."""

    submitted = Signal(dict)

    def __init__(self, parent: QWidget | None, title: str, ok_text: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.layout_ = QVBoxLayout(self)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: #8B1A1A; font-weight: bold;")
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.problem)
        self.layout_.addWidget(self.buttons)
        # Enter submits: no other button may become the default when it gets the focus
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.ok.setAutoDefault(True)
        self.ok.setDefault(True)

    def _reason_rows(self, form: QFormLayout, actor: str, example: str) -> None:
        """The reason (required) and who records it: what every change to a record needs."""
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(example)
        form.addRow("Reason *", self.reason)
        self.actor = actor_field(actor)
        form.addRow("Recorded by", self.actor)
        self.layout_.addLayout(form)

    def show_problem(self, text: str) -> None:
        """Say what is wrong; the form stays open with everything as typed."""
        self.problem.setText("⚠ " + text)
        self.problem.setVisible(bool(text))

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def _submit(self) -> None:
        self.submitted.emit(self.values())


class EventForm(_Form):
    """Record one step (event): the facts it sets, the date it happened, who, and a note."""

    def __init__(self, parent: QWidget | None, case: Case, action: Action, today: date,
                 actor: str = ""):
        super().__init__(parent, f"Record: {action.label}", "Record")
        self.case, self.action = case, action
        heading = QLabel(f"<h3>{action.label}</h3>")
        heading.setWordWrap(True)
        self.layout_.addWidget(heading)
        if action.role:
            self.layout_.addWidget(QLabel(f"Recorded by: {action.role}"))
        if action.citation:
            self.layout_.addWidget(_paragraph(action.citation, action.citation_text))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.inputs: dict[str, FactInput] = {}
        for fact in action.facts:
            fi = FactInput(fact, fact.name in action.required, today)
            if fact.name in action.known and not fi.required:
                fi.set_value(action.known[fact.name])
            self.inputs[fact.name] = fi
            label = fact.label + (" *" if fi.required else "")
            form.addRow(textwrap.fill(label, 60), fi.widget)
            fi.changed_signal().connect(self._check)
        self.on = date_edit(today, "effective_date")
        self.on.setToolTip("The day it happened: today, or earlier if it is recorded late")
        self.on.dateChanged.connect(self._check)
        self.today = today
        form.addRow("Date it happened", self.on)
        self.actor = actor_field(actor)
        form.addRow("Recorded by (your name)", self.actor)
        self.note = QPlainTextEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText("optional")
        self.note.setFixedHeight(60)
        form.addRow("Note", self.note)
        self.layout_.addLayout(form)
        self.finish_layout()
        self._check()

    def values(self) -> dict[str, Any]:
        facts = {name: fi.value() for name, fi in self.inputs.items()}
        return {"event": self.action.event, "on": pydate(self.on.date()),
                "facts": {k: v for k, v in facts.items() if v is not None},
                "actor": self.actor.text().strip(), "note": self.note.toPlainText().strip()}

    def _check(self) -> None:
        """Warn before submitting: facts still needed, or a guard these answers would fail."""
        values = self.values()
        missing = [self.inputs[n].fact.label for n in self.action.required
                   if n in self.inputs and values["facts"].get(n) is None]
        when = values["on"]
        if when > self.today or when < self.case.opened_on:
            self.show_problem(f"The date it happened ({when.isoformat()}) must be between the "
                              f"day the case opened ({self.case.opened_on.isoformat()}) and today "
                              f"({self.today.isoformat()})")
            self.ok.setEnabled(False)
            return
        if missing:
            self.show_problem("Still needed: " + "; ".join(missing))
            self.ok.setEnabled(False)
            return
        self.ok.setEnabled(True)
        try:
            reasons = refusal(self.case, self.action.event, values["facts"])
        except Exception:  # a half-typed value: the engine will say what is wrong on submit
            reasons = ()
        self.show_problem("With these answers the step would be refused: "
                          + "; ".join(map(str, reasons)) if reasons else "")


class NewCaseForm(_Form):
    """Open a case: which process (spec), a title, the date it opened, facts known then."""

    def __init__(self, parent: QWidget | None, today: date):
        super().__init__(parent, "New case", "Open case")
        self.today = today
        form = QFormLayout()
        row = QHBoxLayout()
        self.spec_box = QComboBox()
        self.spec_box.setObjectName("spec")
        for ident, path in shipped().items():
            self.spec_box.addItem(f"{_title(path)} ({ident})", str(path))
        for name, variant in installed_variants().items():  # rule variants offered by plugins
            self.spec_box.addItem(f"{variant.label} (variant of {variant.base})",
                                  VARIANT_PREFIX + name)
        other = QPushButton("Other file…")
        other.clicked.connect(self._choose_file)
        row.addWidget(self.spec_box, 1)
        row.addWidget(other)
        form.addRow("Process", row)
        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.title.setPlaceholderText("e.g. Example Council - adult services 2027")
        form.addRow("Title", self.title)
        self.opened = date_edit(today, "opened_on")
        form.addRow("Opened on", self.opened)
        self.layout_.addLayout(form)
        self.spec_warnings = QLabel()
        self.spec_warnings.setObjectName("spec_warnings")
        self.spec_warnings.setWordWrap(True)
        self.spec_warnings.setStyleSheet("color: #6B4700; background: #FFF6DD; padding: 6px; "
                                         "border-radius: 4px;")
        self.spec_warnings.hide()
        self.layout_.addWidget(self.spec_warnings)
        self.facts_box = QFormLayout()
        self.facts_box.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.facts_note = QLabel()
        self.facts_note.setWordWrap(True)
        self.layout_.addWidget(self.facts_note)
        self.layout_.addLayout(self.facts_box)
        self.inputs: dict[str, FactInput] = {}
        self.spec_box.currentIndexChanged.connect(self._spec_changed)
        self.title.textChanged.connect(self._check)
        self.opened.dateChanged.connect(self._check)
        self.finish_layout()
        self._spec_changed()

    def _check(self) -> None:
        opened = pydate(self.opened.date())
        if opened > self.today:
            self.show_problem(f"The opening date ({opened.isoformat()}) is in the future; today "
                              f"is {self.today.isoformat()}")
            self.ok.setEnabled(False)
        elif getattr(self, "_spec_ok", False):
            self.show_problem("")
            self.ok.setEnabled(True)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Spec file", "", "regflow specs (*.toml)")
        if path:
            self.spec_box.addItem(Path(path).name, path)
            self.spec_box.setCurrentIndex(self.spec_box.count() - 1)

    def _spec_changed(self) -> None:
        while self.facts_box.rowCount():
            self.facts_box.removeRow(0)
        self.inputs = {}
        path = self.spec_box.currentData()
        try:
            spec = open_spec(path)
        except Exception as err:
            self._spec_ok = False
            self.spec_warnings.hide()
            self.show_problem(str(err))
            self.ok.setEnabled(False)
            return
        self._spec_ok = True
        self._show_warnings(spec.warnings)
        self._check()
        facts = opening_facts(spec)
        self.facts_note.setText("Facts known when the case opens (others are asked for when "
                                "the step that sets them is recorded):" if facts else
                                "Nothing else is needed now: each step asks for its facts.")
        for fact in facts:
            fi = FactInput(fact, required=False, today=self.today)
            if fact.default is not None:
                fi.set_value(fact.default)
            self.inputs[fact.name] = fi
            self.facts_box.addRow(textwrap.fill(fact.label, 60), fi.widget)

    def _show_warnings(self, warnings) -> None:
        """What the spec's author may want to know (cases still run): each warning's first
        sentence, the whole of each in the tooltip."""
        count = len(warnings)
        self.spec_warnings.setVisible(bool(count))
        if not count:
            return
        self.spec_warnings.setText(
            f"⚠ The spec of this process has {count} warning{'s' if count != 1 else ''} (cases "
            "still run; regflow validate shows them in full):\n"
            + "\n".join(f"• {textwrap.shorten(w.message.split('. ')[0], 150)}"
                        for w in warnings))
        self.spec_warnings.setToolTip("\n\n".join(map(str, warnings)))
        # a wrapped label's height is not asked for by a dialog: say it, so no line is cut
        padding = 2 * 6  # the style sheet's, on each side
        width = max(self.width(), self.minimumWidth()) - 2 * self.layout_.contentsMargins().left()
        self.spec_warnings.setMinimumHeight(
            self.spec_warnings.heightForWidth(width - padding) + padding + 8)

    def values(self) -> dict[str, Any]:
        facts = {n: fi.value() for n, fi in self.inputs.items()}
        return {"spec": self.spec_box.currentData(), "title": self.title.text().strip(),
                "opened_on": pydate(self.opened.date()),
                "facts": {k: v for k, v in facts.items() if v is not None}}


class CorrectForm(_Form):
    """Void a wrongly recorded entry, with a reason; the case is replayed without it."""

    def __init__(self, parent: QWidget | None, seq: int, what: str, actor: str = ""):
        super().__init__(parent, f"Correct entry #{seq}", "Void this entry")
        self.seq = seq
        intro = QLabel(f"Entry <b>#{seq}</b>: {what}<br><br>It stays in the history, struck "
                       "through; the case is worked out again without it.")
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        form = QFormLayout()
        self._reason_rows(form, actor, "e.g. recorded on the wrong case")
        self.finish_layout()
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.ok.setEnabled(False)

    def values(self) -> dict[str, Any]:
        return {"seq": self.seq, "reason": self.reason.text().strip(),
                "actor": self.actor.text().strip()}


class ExtendForm(_Form):
    """Extend a timescale whose source allows it, to a later date, with the reason."""

    def __init__(self, parent: QWidget | None, timescale: str, label: str, due: date,
                 citation: str, citation_text: str, actor: str = ""):
        super().__init__(parent, "Extend a timescale", "Extend")
        self.timescale = timescale
        intro = QLabel(f"<b>{label}</b><br>due {due.isoformat()}")
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        if citation:
            self.layout_.addWidget(_paragraph(citation, citation_text))
        form = QFormLayout()
        self.to = date_edit(due + timedelta(days=1), "extend_to")
        self.due = due
        form.addRow("New due date", self.to)
        self._reason_rows(form, actor, "e.g. the council asked for more time")
        self.finish_layout()
        self.reason.textChanged.connect(self._check)
        self.to.dateChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        to = pydate(self.to.date())
        if to <= self.due:
            self.show_problem(f"The new due date must be after {self.due.isoformat()}")
        else:
            self.show_problem("" if self.reason.text().strip() else "Still needed: the reason")
        self.ok.setEnabled(to > self.due and bool(self.reason.text().strip()))

    def values(self) -> dict[str, Any]:
        return {"timescale": self.timescale, "to": pydate(self.to.date()),
                "reason": self.reason.text().strip(), "actor": self.actor.text().strip()}
