"""The editor's dialogs: add a stage, event, step, timescale, role, fact, paragraph or
milestone by picking; start a new spec from a template or as a variant of another.

A dialog gathers what the person chose and hands it to ``apply``; what may be added is the
engine's answer (an identifier already taken, a file already there), said in the dialog, which
stays open so that nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.errors import RegflowError
from regflow.engine.spec.editing import EditError
from regflow.engine.spec.milestones import vocabulary

from .fields import Choices, ConditionField, DurationField, NamePicker, RefPicker
from .forms import ENUM_WORDS, FIELD_WORDS, field_help, required

#: the kinds of item that can be added, in words, and the part of the spec each goes in
ADDABLE = {"state": ("Stage", "states"), "event": ("Event", "events"),
           "transition": ("Step", "transitions"), "timescale": ("Timescale", "timescales"),
           "role": ("Role", "roles"), "fact": ("Fact", "facts"),
           "paragraph": ("Source paragraph", "paragraphs"), "milestone": ("Milestone", None)}
#: the durations each kind of timescale is written with, and what meets or ends it
_KIND_FIELDS = {"deadline": ("within", "met_by"), "lead_time": ("after", "met_by"),
                "window": ("after", "within", "met_by"), "delay": ("after", "fires"),
                "recurring": ("every", "until"), "target": ("about", "met_by")}
_DEFAULT_STRENGTH = {"target": "target"}
#: what a choice that must be made, not accepted, shows until it is made
CHOOSE = "choose…"


class AddItemDialog(QDialog):
    """Add one item of ``kind`` by filling in a short form."""

    def __init__(self, parent: QWidget | None, kind: str, choices: Choices,
                 apply: Callable[[str, str | None, dict[str, Any]], None],
                 near: tuple = ()):
        super().__init__(parent)
        self.kind, self.choices, self.apply = kind, choices, apply
        words, self.section = ADDABLE[kind]
        self.setWindowTitle(f"Add a {words.lower()}")
        self.setMinimumWidth(640)
        outer = QVBoxLayout(self)
        intro = QLabel(_INTRO[kind])
        intro.setWordWrap(True)
        outer.addWidget(intro)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        self.widgets: dict[str, QWidget] = {}
        self._name_edited = False
        getattr(self, f"_build_{kind}")(near)
        self.problem = _problem_and_buttons(self, outer, f"Add {words.lower()}")
        self.ok = self.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        self._watch()

    # -- rows ----------------------------------------------------------------------------------

    def _row(self, key: str, widget: QWidget, words: str | None = None) -> QWidget:
        label = QLabel(words or FIELD_WORDS.get(key, key))
        tip = field_help(self.section or "states", key)
        label.setToolTip(tip)
        widget.setToolTip(widget.toolTip() or tip)
        widget.setObjectName(widget.objectName() or key)
        self.form.addRow(label, widget)
        self.widgets[key] = widget
        return widget

    def _title_and_name(self, example: str) -> None:
        title = self._row("label", QLineEdit())
        title.setPlaceholderText(example)
        name = self._row("name", QLineEdit(), "Identifier")
        name.setToolTip("How the file names it: proposed from the title; change it if you like")
        title.textChanged.connect(self._propose)
        name.textEdited.connect(lambda _t: setattr(self, "_name_edited", True))

    def _propose(self, title: str) -> None:
        if not self._name_edited:
            self.widgets["name"].setText(
                self.choices.doc.propose_name(self.section, title) if title.strip() else "")

    def _citation(self, near: tuple) -> None:
        """The source paragraph: chosen, never guessed from the item chosen in the outline (a
        wrong paragraph accepted in a hurry is a wrong legal reference); where the spec
        requires one, "none" is not offered."""
        needed = "citation" in required(self.section or "states")
        picker = self._row("citation", NamePicker(self.choices.of("paragraphs"), None,
                                                  optional=not needed,
                                                  unchosen=CHOOSE if needed else None))
        words = QLabel()
        words.setObjectName("paragraph_words")
        words.setWordWrap(True)
        words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        words.setStyleSheet("color: #444; font-style: italic")
        self.form.addRow("", words)
        paragraphs = dict(self.choices.spec.paragraphs if self.choices.spec else {})
        paragraphs.update({k: str(v) for k, v in self.choices.doc.doc.get("paragraphs",
                                                                          {}).items()})

        def show(name):
            words.setText(f"“{' '.join(paragraphs[name].split())}”" if name in paragraphs else "")
        picker.currentIndexChanged.connect(lambda _i: show(picker.name()))

    def _near_value(self, near: tuple, key: str) -> Any:
        """A value of the item chosen in the outline, as a starting point."""
        try:
            entry = self.choices.doc.get(near) if len(near) > 1 else None
        except EditError:
            return None
        return entry.get(key) if hasattr(entry, "get") else None

    def _picker(self, key: str, section: str, value=None, optional=False,
                unchosen: str | None = None) -> NamePicker:
        return self._row(key, NamePicker(self.choices.of(section), value, optional=optional,
                                         unchosen=unchosen))

    # -- the kinds -------------------------------------------------------------------------------

    def _build_state(self, near: tuple) -> None:
        self._title_and_name("e.g. Draft report being written")
        parent = near[1] if near[:1] == ("states",) else None
        self._row("parent", NamePicker(self.choices.of("states", nested=True),
                                       self._near_value(near, "parent") or parent,
                                       optional=True)).setItemText(
            0, "— the process itself (top level) —")
        self._picker("role", "roles", self._near_value(near, "role"), optional=True)
        self._row("final", QCheckBox("The case ends here"))
        self._citation(near)

    def _build_event(self, near: tuple) -> None:
        self._title_and_name("e.g. Draft report shared")
        self._picker("role", "roles", None, optional=True)
        self._citation(near)

    def _build_role(self, near: tuple) -> None:
        self._title_and_name("e.g. Lead inspector")
        self._row("organisation", QLineEdit())
        self._citation(near)

    def _build_fact(self, near: tuple) -> None:
        self._title_and_name("e.g. Level of concern judged from the findings")
        kind = self._row("type", QComboBox())
        for name, words in ENUM_WORDS["type"].items():
            kind.addItem(words, name)
        values = self._row("values", QLineEdit())
        values.setPlaceholderText("For 'one of a list': the answers, separated by commas")
        kind.currentIndexChanged.connect(
            lambda _i: self.form.setRowVisible(values, kind.currentData() == "enum"))
        self._citation(near)

    def _build_paragraph(self, near: tuple) -> None:
        number = self._row("name", QLineEdit(), "Number")
        number.setPlaceholderText("As the source numbers it, e.g. 8.5")
        text = self._row("text", QPlainTextEdit(), "Words")
        text.setPlaceholderText("Paste the paragraph's words from the source document")

    def _build_transition(self, near: tuple) -> None:
        # "From" is the stage chosen in the outline (the person's own choice); the event and
        # where it leads are chosen here, never the first of the list
        here = near[1] if near[:1] == ("states",) else self._near_value(near, "to")
        self._picker("from", "states", here, unchosen=CHOOSE)
        self._picker("event", "events", None, unchosen=CHOOSE)
        self._picker("to", "states", None, unchosen=CHOOSE)
        condition = self._row("guard", ConditionField(self.choices, "", "guard"))
        # its reading may take two lines: the dialog grows to show them
        condition.line.textChanged.connect(lambda _t: QTimer.singleShot(0, self.adjustSize))
        self._row("label", QLineEdit(), "Words on the arrow").setPlaceholderText(
            "Optional: what the diagram says on this step")
        self._citation(near)

    def _build_timescale(self, near: tuple) -> None:
        self._title_and_name("e.g. Draft report shared within 25 working days of fieldwork")
        kind = self._row("kind", QComboBox())
        for name, words in ENUM_WORDS["kind"].items():
            kind.addItem(words, name)
        self._row("anchor", RefPicker(self.choices, None, unchosen=CHOOSE))
        for key in ("after", "within", "every", "about"):
            self._row(key, DurationField("", key))
        self._row("met_by", RefPicker(self.choices, None, optional=True, events_only=True))
        self._row("fires", NamePicker(self.choices.of("events"), None, unchosen=CHOOSE))
        self._row("until", RefPicker(self.choices, None, optional=True))
        strength = self._row("strength", QComboBox())
        for name, words in ENUM_WORDS["strength"].items():
            strength.addItem(words, name)
        self._row("wording", QLineEdit()).setPlaceholderText(
            "The source's own word, e.g. must, within, normally, about")
        self._picker("responsible", "roles", None, optional=True)
        self._citation(near)
        kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.widgets["kind"].currentData()
        for key in ("after", "within", "every", "about", "met_by", "fires", "until"):
            self.form.setRowVisible(self.widgets[key], key in _KIND_FIELDS[kind])
        strength = self.widgets["strength"]
        strength.setCurrentIndex(strength.findData(_DEFAULT_STRENGTH.get(kind, "limit")))

    def _build_milestone(self, near: tuple) -> None:
        mine = {s: self.choices.doc.names(s) for s in ("states", "events")}
        items = [(f"{s}:{n}", f"{w}: {label.strip()}") for s, w in (("states", "Stage"),
                                                                     ("events", "Event"))
                 for n, label in self.choices.of(s) if n in mine[s]]
        items += [(f"timescales:{i}", f"Timescale: {t.get('label', t.get('id'))}")
                  for i, t in enumerate(self.choices.doc.doc.get("timescales", []))]
        here = f"{near[0]}:{near[1]}" if near[:1] in (("states",), ("events",),
                                                       ("timescales",)) and len(near) > 1 \
            else None
        self._row("item", NamePicker(items, here), "Tag")
        picker = self._row("milestone", NamePicker(self.choices.of("milestones"), None),
                           "With the milestone")
        said = QLabel()
        said.setObjectName("milestone_words")
        said.setWordWrap(True)
        self.form.addRow("", said)
        known = vocabulary()
        picker.currentIndexChanged.connect(
            lambda _i: said.setText(known[picker.name()].description if picker.name() in known
                                    else ""))
        said.setText(known[picker.name()].description if picker.name() in known else "")

    # -- the result ------------------------------------------------------------------------------

    def result_fields(self) -> tuple[str | None, dict[str, Any]]:
        """``(identifier, fields)`` as the spec writes them, from what was chosen."""
        w = self.widgets
        text = {k: v.text().strip() for k, v in w.items() if isinstance(v, QLineEdit)}
        fields: dict[str, Any] = {}
        name = text.get("name") or None
        if self.kind == "paragraph":
            return name, {"text": w["text"].toPlainText().strip()}
        if self.kind == "milestone":
            section, key = w["item"].name().split(":", 1)
            item = (section, int(key) if section == "timescales" else key)
            return None, {"item": item, "milestone": w["milestone"].name()}
        if self.kind == "transition":
            fields = {"from": w["from"].name(), "event": w["event"].name(), "to": w["to"].name()}
            if w["guard"].text():
                fields["guard"] = w["guard"].text()
            if text.get("label"):
                fields["label"] = text["label"]
        elif self.kind == "timescale":
            kind = w["kind"].currentData()
            fields = {"id": name, "label": text["label"], "kind": kind}
            strength = w["strength"].currentData()
            if strength != _DEFAULT_STRENGTH.get(kind, "limit") or text["wording"]:
                fields["strength"] = strength
            if text["wording"]:
                fields["wording"] = text["wording"]
            fields["anchor"] = w["anchor"].ref()
            for key in _KIND_FIELDS[kind]:
                value = w[key].ref() if key in ("met_by", "until") else w[key].name() \
                    if key == "fires" else w[key].text()
                if value:
                    fields[key] = value
            if w["responsible"].name():
                fields["responsible"] = w["responsible"].name()
            name = None
        else:
            fields["label"] = text["label"]
            for key in ("parent", "role"):
                if key in w and w[key].name():
                    fields[key] = w[key].name()
            if text.get("organisation"):
                fields["organisation"] = text["organisation"]
            if self.kind == "fact":
                fields["type"] = w["type"].currentData()
                if fields["type"] == "enum":
                    fields["values"] = [v.strip() for v in text["values"].split(",")
                                        if v.strip()]
            if "final" in w and w["final"].isChecked():
                fields["final"] = True
        if "citation" in w and w["citation"].name():
            fields["citation"] = w["citation"].name()
        return name, fields

    def missing(self) -> str:
        """What must still be chosen before the item can be added, in words ("" if nothing)."""
        if self.kind == "milestone" and not self.widgets["item"].name():
            return "the stage, event or timescale to tag"
        name, fields = self.result_fields()
        needs = {"label": "a title", "name": "an identifier", "from": "where the step starts",
                 "event": "the event", "to": "where it leads", "anchor": "what starts the clock",
                 "text": "the paragraph's words", "fires": "the event it records",
                 "citation": "the source paragraph"}
        gaps = []
        if self.kind in ("state", "event", "role", "fact", "timescale", "paragraph") and not (
                name or fields.get("id")):
            gaps.append(needs["name"])
        for key in ("label", "from", "event", "to", "anchor", "text"):
            if key in fields and not fields[key]:
                gaps.append(needs[key])
        if self.kind == "timescale":
            for key in _KIND_FIELDS[fields["kind"]]:
                widget = self.widgets[key]
                if key == "fires" and not widget.name():
                    gaps.append(needs[key])
                if isinstance(widget, DurationField) and widget.reading.text().startswith("✗"):
                    gaps.append(f"a duration that reads ({widget.reading.text()[2:]})")
                elif isinstance(widget, DurationField) and not widget.text():
                    gaps.append(f"how long ({FIELD_WORDS[key].lower()})")
        if "citation" in self.widgets and "citation" in required(self.section or "states") \
                and not self.widgets["citation"].name():
            gaps.append(needs["citation"])
        return ", ".join(gaps)

    def _watch(self) -> None:
        """Say what is still to be chosen as it changes; the add button waits for it."""
        for widget in self.widgets.values():
            line = getattr(widget, "line", widget)
            for signal in ("textChanged", "currentIndexChanged", "toggled"):
                if hasattr(line, signal):
                    getattr(line, signal).connect(self._still_needed)
                    break
        self._still_needed()

    def _still_needed(self, *_changed) -> None:
        gaps = self.missing()
        self.ok.setEnabled(not gaps)
        self.problem.setStyleSheet("color: #444" if gaps else "color: #a00000")
        self.problem.setText(f"Still to choose: {gaps}." if gaps else "")

    def say(self, problem: str) -> None:
        """Why the item cannot be added yet; the dialog grows to show all of it."""
        self.problem.setStyleSheet("color: #a00000")
        self.problem.setText(problem)
        self.adjustSize()

    def accept(self) -> None:
        gaps = self.missing()
        if gaps:
            self.say(f"Still to choose: {gaps}.")
            return
        name, fields = self.result_fields()
        try:
            self.apply(self.kind, name, fields)
        except (EditError, RegflowError) as err:
            self.say(str(err))
            return
        super().accept()


_INTRO = {
    "state": "A stage the case can be in. Pick the stage it is part of, if any, and the "
             "paragraph of the source it comes from.",
    "event": "Something that happens and is recorded on a case, such as a report being shared.",
    "transition": "What an event does: in which stage it can be recorded, and where the case "
                  "goes then. Add a condition by picking a fact and an answer.",
    "timescale": "A time limit from the source: what starts the clock, how long, what meets "
                 "it and how binding the source's words make it.",
    "role": "Someone who acts in the process, such as the lead inspector.",
    "fact": "Something known about a case that conditions and timescales can depend on.",
    "paragraph": "A paragraph of the source document, in its own words, for items to cite.",
    "milestone": "Tag a stage, event or timescale with a milestone from the shared vocabulary, "
                 "so that it lines up with other regimes when they are compared.",
}


class NewSpecDialog(QDialog):
    """Start a new spec file: from a template, or as a variant of an existing spec."""

    def __init__(self, parent: QWidget | None, specs: dict[str, str], templates: dict[str, str],
                 folder: str = "", current: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Start a new spec")
        self.setMinimumWidth(680)
        self.path: Path | None = None
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.title.setPlaceholderText("e.g. Care home inspections 2027")
        form.addRow("Title of the process", self.title)
        self.from_template = QRadioButton("From a template: a small process to change into yours")
        self.from_template.setObjectName("from_template")
        self.as_variant = QRadioButton("As a variant of an existing spec: it keeps that spec's "
                                       "rules and changes only what you change")
        self.as_variant.setObjectName("as_variant")
        group = QButtonGroup(self)
        group.addButton(self.from_template)
        group.addButton(self.as_variant)
        self.template = QComboBox()
        self.template.setObjectName("template")
        for name, title in templates.items():
            self.template.addItem(title, name)
        self.template.setCurrentIndex(max(0, self.template.findData("inspection")))
        self.base = QComboBox()
        self.base.setObjectName("base")
        if current:
            self.base.addItem(f"The spec open in the editor ({Path(current).name})", current)
        for path, title in specs.items():
            if path != current:
                self.base.addItem(title, path)
        other = QPushButton("Other file…")
        other.clicked.connect(self._choose_base)
        base_row = QHBoxLayout()
        base_row.addWidget(self.base, 1)
        base_row.addWidget(other)
        form.addRow(self.from_template)
        form.addRow("", self.template)
        form.addRow(self.as_variant)
        form.addRow("", base_row)
        self.file = QLineEdit(str(Path(folder or ".") / "new_process.toml"))
        self.file.setObjectName("file")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)
        form.addRow("Save it as", file_row)
        self.problem = _problem_and_buttons(self, outer, "Create and edit")
        (self.as_variant if current else self.from_template).setChecked(True)
        self.title.textChanged.connect(self._name_file)

    def _name_file(self, title: str) -> None:
        from regflow.engine.spec.editing import SpecDocument

        if title.strip():
            current = Path(self.file.text())
            self.file.setText(str(current.with_name(SpecDocument("").propose_name("", title)
                                                    + ".toml")))

    def _choose_base(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "A variant of", "", "regflow specs (*.toml)")
        if path:
            self.base.insertItem(0, Path(path).name, path)
            self.base.setCurrentIndex(0)
            self.as_variant.setChecked(True)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the new spec as", self.file.text(),
                                              "regflow specs (*.toml)")
        if path:
            self.file.setText(path)

    def accept(self) -> None:
        from regflow.engine.spec.starting import as_variant, from_template

        title = self.title.text().strip()
        if not title:
            self.problem.setText("Still needed: a title for the process.")
            return
        if self.as_variant.isChecked() and not self.base.currentData():
            self.problem.setText("Still needed: the spec this one is a variant of.")
            return
        try:
            if self.as_variant.isChecked():
                self.path = as_variant(self.base.currentData(), self.file.text().strip(), title)
            else:
                self.path = from_template(self.template.currentData(), self.file.text().strip(),
                                          title)
        except RegflowError as err:
            self.problem.setText(str(err))
            return
        super().accept()


def _problem_and_buttons(dialog: QDialog, outer, ok: str) -> QLabel:
    """The foot of a dialog that stays open on a problem: the problem in red, then OK (named
    ``ok``) and Cancel; the label, to say the problem in."""
    problem = QLabel()
    problem.setObjectName("problem")
    problem.setWordWrap(True)
    problem.setStyleSheet("color: #a00000")
    outer.addWidget(problem)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    outer.addWidget(buttons)
    return problem
