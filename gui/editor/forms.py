"""The form for the item chosen in the editor's outline: one row per field, in plain words,
each reference picked rather than typed, the source paragraph a picker too.

The form only says what was changed (``edit(key path, value, what)``; ``None`` takes an optional
field out); the editor window makes the change through the spec document and its undo stack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    QVBoxLayout,
    QWidget,
)

from regflow.engine.cases.calendars import calendar_names
from regflow.engine.spec.overriding import (
    CHANGED,
    INHERITED,
    OWN,
    RENAME_REFUSED,
    TIMESCALE_RENAME_REFUSED,
)
from regflow.engine.spec.schema import spec_schema
from regflow.engine.suggest import closest

from .fields import Choices, ConditionField, DurationField, NameChecklist, NamePicker, RefPicker
from .outline import ITEM_WORDS, KINDS

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


@dataclass
class Layer:
    """What a variant's item form says about the base: where the item comes from (see
    :mod:`regflow.engine.spec.overriding`) and the base's value of each field it changes."""

    base: str
    origin: str
    changed: dict[str, Any] = field(default_factory=dict)


#: the line at the top of a variant item's form, by where the item comes from
LAYER_WORDS = {
    INHERITED: "As in {base}. A change here is written into this variant as that change "
               "alone; the rest stays as {base} has it.",
    CHANGED: "✎ Changed by this variant: the fields marked ✎ differ from {base}, the rest are "
             "as {base} has them.",
    OWN: "✚ Added by this variant: {base} does not have it.",
}
#: a base step cannot be changed field by field: what the variant writes instead
STEP_WORDS = (" A step of {base} that is changed is written as the base's step removed and "
              "the step as changed added, so it is tried after the base's steps.")


class ItemForm:
    """Fills a form layout with the fields of the item at ``path`` of the document."""

    def __init__(self, form: QFormLayout, edit: Callable[[tuple, Any, str], None],
                 rename: Callable[[], None], revert: Callable[[str], None] | None = None,
                 restore: Callable[[], None] | None = None):
        self.form, self.edit, self.rename = form, edit, rename
        self.revert, self.restore = revert, restore
        self.fields: dict[str, QWidget] = {}
        self.layer: Layer | None = None

    def clear(self) -> None:
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for part in (row.labelItem, row.fieldItem):
                if part is not None and part.widget() is not None:
                    part.widget().hide()
                    part.widget().deleteLater()
        self.fields = {}

    def fill(self, choices: Choices, path: tuple, layer: Layer | None = None) -> None:
        """The fields of the item at ``path``; ``layer``: a variant's item, with what its base
        says (``choices.doc`` is then the resolved spec)."""
        self.clear()
        self.choices, self.path, self.layer = choices, tuple(path), layer
        section = path[0]
        entry = choices.doc.get(path)
        if layer is not None:
            self._layer_row(layer, section)
        if section == "paragraphs":
            self._name_row("Number", str(path[1]))
            box = QPlainTextEdit(str(entry))
            box.setObjectName("text")
            box.focusOutEvent = lambda e, b=box: (QPlainTextEdit.focusOutEvent(b, e), self.edit(
                self.path, b.toPlainText(), "Change the paragraph's words"))
            self.form.addRow(self._label("text", "Words"), self._with_base("text", box))
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
        keys += [k for k in (layer.changed if layer else ()) if k not in keys]  # taken out
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
            label = self._label(key, words)
            label.setToolTip(tip)
            widget.setToolTip(widget.toolTip() or tip)
            self.form.addRow(label, self._with_base(key, widget))

    def fill_removed(self, base: str, words: str) -> None:
        """The form of a base item the variant removes: what it is, and putting it back."""
        self.clear()
        self.path, self.layer = (), None
        said = QLabel(f"<b>{words}</b><br>{base} has this; this variant takes it out "
                      "(remove = true). Put it back to have it as the base has it.")
        said.setObjectName("layer")
        said.setWordWrap(True)
        self.form.addRow(said)
        button = QPushButton("Put it back")
        button.setObjectName("restore")
        button.clicked.connect(lambda: self.restore and self.restore())
        holder = QWidget()  # a widget, not a layout: clear() takes widgets out
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(button)
        row.addStretch(1)
        self.form.addRow(holder)

    def _layer_row(self, layer: Layer, section: str) -> None:
        words = LAYER_WORDS[layer.origin].format(base=layer.base)
        if section == "transitions" and layer.origin == INHERITED:
            words += STEP_WORDS.format(base=layer.base)
        said = QLabel(words)
        said.setObjectName("layer")
        said.setWordWrap(True)
        said.setStyleSheet("QLabel { background: #eef4fa; border: 1px solid #b8d0e6; "
                           "border-radius: 3px; padding: 4px; }")
        self.form.addRow(said)

    def _label(self, key: str, words: str) -> QLabel:
        """A field's label, marked ✎ when the variant changes the base's value."""
        changed = self.layer is not None and key in self.layer.changed
        label = QLabel(f"✎ {words}" if changed else words)
        if changed:
            label.setStyleSheet("QLabel { color: #0072B2; }")
        return label

    def _with_base(self, key: str, widget: QWidget) -> QWidget:
        """The field, with the base's value under it and a way back to it when the variant
        changes it."""
        if self.layer is None or key not in self.layer.changed:
            return widget
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        row = QHBoxLayout()
        base = QLabel(f"{self.layer.base}: {self._base_words(key, self.layer.changed[key])}")
        base.setObjectName(f"{key}_base")
        base.setWordWrap(True)
        base.setStyleSheet("QLabel { color: #555555; }")
        button = QPushButton("Use the base's value")
        button.setObjectName(f"revert_{key}")
        button.setToolTip(f"Take this change out of the variant: the value is {self.layer.base}'s"
                          " again")
        button.clicked.connect(lambda _=False, k=key: self.revert and self.revert(k))
        row.addWidget(base, 1)
        row.addWidget(button)
        column.addLayout(row)
        return holder

    def _base_words(self, key: str, value: Any) -> str:
        """The base's value of a field as the form would show it."""
        if value is None:
            return "not set"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if key in ENUM_WORDS:
            return ENUM_WORDS[key].get(str(value), str(value)).split(":")[0]
        if key in PICKS and not isinstance(value, list):
            return self.choices.label(PICKS[key], str(value))
        if isinstance(value, list):
            section = CHECKLISTS.get(key)
            return ", ".join(self.choices.label(section, str(v)) if section else str(v)
                             for v in value) or "none"
        if isinstance(value, dict):
            return ", ".join(f"{k} {v}" for k, v in value.items())
        text = " ".join(str(value).split())
        return text if len(text) <= 160 else text[:159] + "…"

    def _unknown_row(self, key: str, value: Any, free: list[str]) -> None:
        """A key the spec format does not have (``witin``): its value, and a button that moves
        it to the key it was most likely meant to be, or takes it out."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        shown = QLabel(f"“{value}”: not a field regflow knows")
        shown.setStyleSheet("color: #a4262c;")
        shown.setWordWrap(True)  # a long value must not push the form wider than its tab
        shown.setMinimumWidth(80)
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
        if self.layer is not None and self.layer.origin != OWN:
            refused = TIMESCALE_RENAME_REFUSED if self.path[0] == "timescales" else RENAME_REFUSED
            button.setToolTip(refused.format(name=name, base=self.layer.base,
                                             kind=ITEM_WORDS.get(self.path[0], "item")))
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
