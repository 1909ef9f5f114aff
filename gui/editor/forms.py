"""The form for the item chosen in the editor's outline: one row per field, in plain words,
each reference picked rather than typed, the source paragraph a picker too.

The form only says what was changed (``edit(key path, value, what)``; ``None`` takes an optional
field out); the editor window makes the change through the spec document and its undo stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from regflow.engine.cases.calendars import calendar_names
from regflow.engine.spec.schema import spec_schema
from regflow.engine.suggest import closest

from .fields import Choices, ConditionField, DurationField, NameChecklist, NamePicker, RefPicker
from .outline import KINDS

#: each field in words, as the form and the add-item dialogs label it
FIELD_WORDS = {
    "id": "Identifier", "title": "Title", "regulator": "Regulator", "source": "Source document",
    "version": "Version", "calendar": "Working-day calendar", "label": "Title",
    "description": "Description", "organisation": "Organisation", "type": "Kind of answer",
    "values": "Possible answers", "default": "Starting answer", "parent": "Part of",
    "role": "Who acts", "initial": "Where it starts", "final": "An end", "parallel":
    "Parts run side by side", "from": "From", "event": "When", "to": "To", "guard": "Only if",
    "leaves_tracks": "Leaves side-by-side tracks", "sets": "Facts it records",
    "requires": "Facts it needs", "clears": "Facts it clears", "kind": "Kind of rule",
    "strength": "How binding", "wording": "The source's word", "anchor": "Clock starts at",
    "within": "Within", "after": "After", "every": "Every", "about": "About",
    "due_on": "Due on the date in", "met_by": "Met when", "until": "Stops when",
    "fires": "Then records", "ends_early": "May end early", "applies_when": "Applies only if",
    "responsible": "Who must meet it", "extendable": "May be extended",
    "milestones": "Milestones", "citation": "Source paragraph", "note": "Note",
}
#: the fields a form always offers for each part, present in the file or not (others are shown
#: when the file has them)
OFFERED = {
    "process": ("id", "title", "regulator", "source", "version", "calendar", "note"),
    "roles": ("label", "organisation", "citation", "note"),
    "facts": ("label", "type", "values", "default", "citation", "note"),
    "states": ("label", "parent", "role", "citation", "initial", "final", "parallel",
               "milestones", "description", "note"),
    "events": ("label", "role", "citation", "sets", "requires", "clears", "milestones", "note"),
    "transitions": ("from", "event", "to", "guard", "label", "citation", "note"),
    "timescales": ("id", "label", "kind", "strength", "wording", "anchor", "within", "met_by",
                   "responsible", "citation", "milestones", "note"),
}
#: fields whose value names something of another part of the spec
PICKS = {"parent": "states", "role": "roles", "responsible": "roles", "to": "states",
         "event": "events", "fires": "events", "citation": "paragraphs", "due_on": "facts"}
#: fields whose value is a list of names
CHECKLISTS = {"from": "states", "sets": "facts", "requires": "facts", "clears": "facts",
              "milestones": "milestones"}
DURATIONS = ("within", "after", "every", "about")
REFS = ("anchor", "met_by", "until")
CONDITIONS = ("guard", "applies_when")
#: the answers to choose from, in words
ENUM_WORDS = {
    "kind": {"deadline": "Deadline (done within a time)", "lead_time": "Lead time (not before)",
             "window": "Window (between two times)", "delay": "Delay (then something happens)",
             "recurring": "Recurring (every period)", "target": "Target (about a time)"},
    "strength": {"limit": "A limit: 'must', 'within' — a passed date is a breach",
                 "expected": "Expected: 'normally', 'generally' — later than normal",
                 "target": "A target: 'we aim to', 'about' — early, on time or late",
                 "best_effort": "Best effort: 'where possible'"},
    "type": {"enum": "One of a list", "bool": "Yes or no", "date": "A date",
             "number": "A number", "text": "Text"},
}
LONG_TEXT = ("note", "description", "source")


def field_help(section: str, key: str) -> str:
    """What a field is for, from the published JSON Schema (the same words editors show)."""
    schema = spec_schema()["properties"].get(section, {})
    item = schema.get("items") or schema.get("additionalProperties") or schema
    return str(item.get("properties", {}).get(key, {}).get("description", ""))


def _known_keys(section: str) -> tuple[str, ...]:
    """The keys the spec format has for an item of ``section`` (empty: not known here)."""
    schema = spec_schema()["properties"].get(section, {})
    item = schema.get("items") or schema.get("additionalProperties") or schema
    return tuple(item.get("properties", {}))


def required(section: str) -> tuple[str, ...]:
    schema = spec_schema()["properties"].get(section, {})
    item = schema.get("items") or schema.get("additionalProperties") or schema
    return tuple(item.get("required", ()))


class ItemForm:
    """Fills a form layout with the fields of the item at ``path`` of the document."""

    def __init__(self, form: QFormLayout, edit: Callable[[tuple, Any, str], None],
                 rename: Callable[[], None]):
        self.form, self.edit, self.rename = form, edit, rename
        self.fields: dict[str, QWidget] = {}

    def clear(self) -> None:
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for part in (row.labelItem, row.fieldItem):
                if part is not None and part.widget() is not None:
                    part.widget().hide()
                    part.widget().deleteLater()
        self.fields = {}

    def fill(self, choices: Choices, path: tuple) -> None:
        self.clear()
        self.choices, self.path = choices, tuple(path)
        section = path[0]
        entry = choices.doc.get(path)
        if section == "paragraphs":
            self._name_row("Number", str(path[1]))
            box = QPlainTextEdit(str(entry))
            box.setObjectName("text")
            box.focusOutEvent = lambda e, b=box: (QPlainTextEdit.focusOutEvent(b, e), self.edit(
                self.path, b.toPlainText(), "Change the paragraph's words"))
            self.form.addRow("Words", box)
            self.fields["text"] = box
            return
        if section in KINDS:
            self._name_row("Identifier", str(path[1]))
        if section == "timescales":  # named by its id, changed like any name (Rename…)
            self._name_row("Identifier", str(entry.get("id", "")))
        keys = [k for k in OFFERED.get(section, ()) if (k != "within" or section != "timescales"
                or not any(d in entry for d in DURATIONS[1:])) and (k, section) != ("id",
                                                                           "timescales")]
        if section == "facts" and entry.get("type") != "enum" and "values" not in entry:
            keys.remove("values")
        keys += [k for k in entry if k not in keys and (k, section) != ("id", "timescales")]
        if section == "timescales":  # the rule reads in order: clock, how long, met, then who
            order = list(FIELD_WORDS)
            keys.sort(key=lambda k: order.index(k) if k in order else len(order))
        known = _known_keys(section)
        for key in keys:
            value = entry.get(key)
            if known and key not in known and key != "remove":  # (remove: a variant's)
                self._unknown_row(key, value, [k for k in known if k not in entry])
                continue
            widget = self._field(section, key, value)
            tip = field_help(section, key)
            words = "Words on the arrow" if (section, key) == ("transitions", "label") else \
                FIELD_WORDS.get(key, key.replace("_", " ").capitalize())
            label = QLabel(words)
            label.setToolTip(tip)
            widget.setToolTip(widget.toolTip() or tip)
            self.form.addRow(label, widget)

    def _unknown_row(self, key: str, value: Any, free: list[str]) -> None:
        """A key the spec format does not have (``witin``): its value, and a button that moves
        it to the key it was most likely meant to be, or takes it out."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        shown = QLabel(f"“{value}” — not a field regflow knows")
        shown.setStyleSheet("color: #a4262c;")
        layout.addWidget(shown, 1)
        meant = closest(key, free)
        if meant is not None:
            words = FIELD_WORDS.get(meant, meant)
            move = QPushButton(f"Make it ‘{words}’")
            move.setObjectName(f"move_{key}")
            move.clicked.connect(lambda: (
                self.edit((*self.path, meant), value, f"Make ‘{key}’ ‘{words}’"),
                self.edit((*self.path, key), None, f"Take out ‘{key}’")))
            layout.addWidget(move)
        drop = QPushButton("Take it out")
        drop.setObjectName(f"drop_{key}")
        drop.clicked.connect(lambda: self.edit((*self.path, key), None, f"Take out ‘{key}’"))
        layout.addWidget(drop)
        self.fields[key] = row
        self.form.addRow(QLabel(key), row)

    def _name_row(self, words: str, name: str) -> None:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        shown = QLabel(name)
        shown.setObjectName("name")
        shown.setToolTip("How the spec's file and its references name it")
        button = QPushButton("Rename…")
        button.setObjectName("rename")
        button.setToolTip("A new identifier; every reference to it changes with it")
        button.clicked.connect(lambda: self.rename())
        layout.addWidget(shown, 1)
        layout.addWidget(button)
        self.form.addRow(words, row)

    def _set(self, key: str, value: Any) -> None:
        """An edit of field ``key``; an empty optional field is taken out of the file."""
        if value in (None, "", []) and key not in required(self.path[0]):
            value = None
        words = FIELD_WORDS.get(key, key.replace("_", " ").capitalize())
        self.edit((*self.path, key), value, f"Change ‘{words}’" if value is not None
                  else f"Clear ‘{words}’")

    def _field(self, section: str, key: str, value: Any) -> QWidget:
        widget = self._make(section, key, value)
        self.fields[key] = widget
        return widget

    def _make(self, section: str, key: str, value: Any) -> QWidget:
        choices = self.choices
        if key in ("initial", "final", "parallel", "leaves_tracks", "ends_early", "extendable") \
                or isinstance(value, bool):
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(lambda on: self._set(key, True if on else None))
            return box
        if key in PICKS and not isinstance(value, list) and section != "process":
            picker = NamePicker(choices.of(PICKS[key], nested=key == "parent"),
                                None if value is None else str(value),
                                optional=value is None or key not in required(section))
            picker.picked.connect(lambda name: self._set(key, name))
            return picker
        if key in CHECKLISTS and section != "process":
            chosen = value if isinstance(value, list) else [] if value is None else [value]
            checklist = NameChecklist(choices.of(CHECKLISTS[key]), [str(v) for v in chosen])
            one = key == "from" and not isinstance(value, list)
            checklist.changed.connect(lambda names: self._set(
                key, names[0] if one and len(names) == 1 else names))
            return checklist
        if key in REFS:
            picker = RefPicker(choices, value if hasattr(value, "get") else None,
                               optional=key != "anchor")
            if hasattr(value, "get") and "when" in value:
                picker.setToolTip(f"Only when: {value['when']} (change it in the TOML tab)")
            picker.picked.connect(lambda _n, p=picker, old=value: self._set(
                key, _with_when(p.ref(), old)))
            return picker
        if key in CONDITIONS:
            built = ConditionField(choices, "" if value is None else str(value), key)
            built.finished.connect(lambda text: self._set(key, text))
            return built
        if (section, key) == ("facts", "default") and self.choices.doc.get(
                self.path).get("type") in ("enum", "bool"):
            entry = self.choices.doc.get(self.path)
            answers = [(True, "Yes"), (False, "No")] if entry.get("type") == "bool" else [
                (str(v), str(v).replace("_", " ")) for v in entry.get("values", [])]
            box = QComboBox()
            box.addItem("— none —", None)
            for answer, words in answers:
                box.addItem(words, answer)
            box.setCurrentIndex(max(0, box.findData(value)))
            box.activated.connect(lambda _i, b=box: self._set(key, b.currentData()))
            return box
        if key in ENUM_WORDS:
            box = QComboBox()
            for name, words in ENUM_WORDS[key].items():
                box.addItem(words, name)
            if value is None:
                box.insertItem(0, "— as the kind of rule says —" if key == "strength" else "—",
                               None)
            box.setCurrentIndex(max(0, box.findData(None if value is None else str(value))))
            box.activated.connect(lambda _i, b=box: self._set(key, b.currentData()))
            return box
        if key == "calendar":
            box = QComboBox()
            for code, words in calendar_names().items():
                box.addItem(words, code)
            if box.findData(str(value)) < 0:
                box.addItem(str(value), str(value))
            box.setCurrentIndex(box.findData(str(value)))
            box.activated.connect(lambda _i, b=box: self._set(key, b.currentData()))
            return box
        if key in DURATIONS:
            field = DurationField("" if value is None else str(value), key)
            field.line.editingFinished.connect(lambda f=field: self._set(key, f.text()))
            return field
        if isinstance(value, list) or key == "values":
            line = QLineEdit(", ".join(map(str, value or [])))
            line.setPlaceholderText("Separated by commas")
            line.editingFinished.connect(lambda w=line: self._set(
                key, [v.strip() for v in w.text().split(",") if v.strip()]))
            return line
        if key in LONG_TEXT:
            box = QPlainTextEdit("" if value is None else str(value))
            box.setMaximumHeight(70 if key == "source" else 150)
            box.focusOutEvent = lambda e, b=box: (QPlainTextEdit.focusOutEvent(b, e), self._set(
                key, b.toPlainText().strip()))
            return box
        line = QLineEdit("" if value is None else str(value))
        line.setCursorPosition(0)  # a long title shows its beginning
        line.editingFinished.connect(lambda w=line: self._set(key, _typed(w.text(), value)))
        return line


def _with_when(ref: dict | None, old: Any) -> dict | None:
    """A picked reference, keeping the condition (``when``) the old one had."""
    if ref is not None and hasattr(old, "get") and "when" in old:
        ref["when"] = str(old["when"])
    return ref


def _typed(text: str, old: Any) -> Any:
    """What the field's text means, as the old value's type (a number stays a number)."""
    if isinstance(old, int) and not isinstance(old, bool) and text.strip().lstrip("-").isdigit():
        return int(text)
    return text
