"""The fields the editor's forms are made of: pickers that show labels and keep identifiers, a
duration field that says how it read the text, a condition built by picking a fact.

Nobody types an identifier twice: every reference is picked from what the spec declares (a
variant's base included). What a value means is the engine's answer (durations, conditions).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.spec.durations import Duration, DurationSyntaxError
from regflow.engine.spec.editing import (
    COMPARISONS,
    EditError,
    SpecDocument,
    and_also,
    condition,
    facts_of,
    read_condition,
)
from regflow.engine.spec.guards import GuardSyntaxError
from regflow.engine.spec.milestones import vocabulary
from regflow.engine.spec.model import Fact, Spec

NONE = "— none —"


class Choices:
    """What the pickers offer: the names of each part of the spec with their labels, from the
    last spec that loaded (a variant's base included) and the document as it is now."""

    def __init__(self, doc: SpecDocument, spec: Spec | None = None):
        self.doc, self.spec = doc, spec

    def of(self, section: str, nested: bool = False) -> list[tuple[str, str]]:
        """``(name, label)`` of every item of ``section``; states in their hierarchy, indented
        if ``nested``."""
        if section == "milestones":
            return [(name, m.label) for name, m in vocabulary().items()]
        found: dict[str, str] = {}
        parents: dict[str, str] = {}
        if self.spec is not None:
            for name, item in getattr(self.spec, section, {}).items():
                found[name] = item if section == "paragraphs" else item.label
                if section == "states" and item.parent:
                    parents[name] = item.parent
        table = self.doc.doc.get(section, {})
        for name in table.keys() if hasattr(table, "keys") else ():
            entry = table[name]
            found[name] = str(entry) if section == "paragraphs" else str(
                entry.get("label", name) if hasattr(entry, "get") else name)
            if section == "states" and hasattr(entry, "get") and entry.get("parent"):
                parents[name] = str(entry["parent"])
        if section == "paragraphs":
            return [(k, _first_words(f"{k} — {text}")) for k, text in found.items()]
        if section == "states":
            ordered = _in_hierarchy(found, parents)
            return ordered if nested else [(name, label.strip()) for name, label in ordered]
        return list(found.items())

    def facts(self) -> dict[str, Fact]:
        return {**(self.spec.facts if self.spec is not None else {}), **facts_of(self.doc)}

    def label(self, section: str, name: str) -> str:
        return dict(self.of(section)).get(name, name).strip()


def _first_words(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _in_hierarchy(labels: dict[str, str], parents: dict[str, str]) -> list[tuple[str, str]]:
    """States under the state they are part of, indented."""
    children: dict[str | None, list[str]] = {}
    for name in labels:
        parent = parents.get(name)
        children.setdefault(parent if parent in labels else None, []).append(name)
    out: list[tuple[str, str]] = []

    def walk(parent: str | None, depth: int) -> None:
        for name in children.get(parent, []):
            out.append((name, "    " * depth + labels[name]))
            walk(name, depth + 1)

    walk(None, 0)
    seen = {name for name, _ in out}
    return out + [(name, labels[name]) for name in labels if name not in seen]  # parent loops


DEPTH = Qt.ItemDataRole.UserRole + 1


class _Indented(QStyledItemDelegate):
    """A list entry indented by its depth in the states' hierarchy (the closed box shows the
    label alone)."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.rect.adjust(18 * int(index.data(DEPTH) or 0), 0, 0, 0)


class NamePicker(QComboBox):
    """Picks one name of a part of the spec, shown by its label; labels written with leading
    spaces (a state's depth in the hierarchy) are indented in the list. ``unchosen`` (e.g.
    "choose…") starts it on no name, for a choice that must be made rather than accepted."""

    picked = Signal(object)  # the name, or None for "none"

    def __init__(self, choices: list[tuple[str, str]], value: str | None = None,
                 optional: bool = False, none_text: str = NONE, unchosen: str | None = None):
        super().__init__()
        if optional or unchosen:
            self.addItem(unchosen or none_text, None)
        for name, label in choices:
            self.addItem(label.lstrip(), name)
            self.setItemData(self.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
            self.setItemData(self.count() - 1, (len(label) - len(label.lstrip())) // 4, DEPTH)
        self.setItemDelegate(_Indented(self))
        if value is not None and self.findData(value) < 0:
            self.addItem(f"{value} (not in this spec)", value)
        self.set_name(value)
        self.setMinimumContentsLength(24)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.activated.connect(lambda _i: self.picked.emit(self.name()))

    def name(self) -> str | None:
        return self.currentData()

    def set_name(self, name: str | None) -> None:
        self.setCurrentIndex(max(0, self.findData(name)))


class RefPicker(NamePicker):
    """What starts, meets or stops a clock: an event, or a case entering a state."""

    def __init__(self, choices: Choices, value: dict | None, optional: bool = False,
                 events_only: bool = False, unchosen: str | None = None):
        refs = [(f"event:{n}", f"Event: {label}") for n, label in choices.of("events")]
        if not events_only:
            refs += [(f"state:{n}", f"Entering: {label.strip()}") for n, label in
                     choices.of("states")]
        current = None
        if value:
            kind = "event" if "event" in value else "state"
            current = f"{kind}:{value.get(kind)}"
        super().__init__(refs, current, optional, unchosen=unchosen)

    def ref(self) -> dict | None:
        """``{"event": name}`` or ``{"state": name}``, or None."""
        picked = self.name()
        if picked is None:
            return None
        kind, name = picked.split(":", 1)
        return {kind: name}


class NameChecklist(QWidget):
    """Picks several names (the states a step leaves, the milestones of a stage). A long list
    (a big spec has some 85 stages) gets a filter box above it and more room."""

    changed = Signal(list)
    #: more choices than this: a filter box, and the list taller
    LONG = 8

    def __init__(self, choices: list[tuple[str, str]], value: list[str]):
        super().__init__()
        chosen = [str(v) for v in value]
        known = dict(choices)
        ordered = [(n, known.get(n, f"{n} (not in this spec)")) for n in chosen] + [
            (n, label) for n, label in choices if n not in chosen]
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.filter = QLineEdit()
        self.filter.setObjectName("filter")
        self.filter.setPlaceholderText("Type to find one (those ticked always show)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        column.addWidget(self.filter)
        self.filter.setVisible(len(ordered) > self.LONG)
        self.list = QListWidget()
        for name, label in ordered:
            item = QListWidgetItem(label.strip())
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in chosen
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        rows = self.list.sizeHintForRow(0) if ordered else 20
        self.list.setFixedHeight(rows * min(max(len(ordered), 1), 12 if len(ordered) > self.LONG
                                             else self.LONG) + 2 * self.list.frameWidth() + 2)
        self.list.itemChanged.connect(lambda _item: self.changed.emit(self.names()))
        column.addWidget(self.list)
        self.setFocusProxy(self.list)

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for item in self._items():
            shown = item.checkState() == Qt.CheckState.Checked or all(
                w in f"{item.text()} {item.data(Qt.ItemDataRole.UserRole)}".lower()
                for w in words)
            item.setHidden(not shown)

    def names(self) -> list[str]:
        return [item.data(Qt.ItemDataRole.UserRole) for item in self._items()
                if item.checkState() == Qt.CheckState.Checked]

    def set_names(self, names: list[str]) -> None:
        self.list.blockSignals(True)
        for item in self._items():
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in names else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self.changed.emit(self.names())


def duration_words(text: str) -> str:
    """How a duration is read, or why it is not: "✓ read as 25 working days (Monday to
    Friday, the process's bank holidays skipped)"."""
    try:
        d = Duration.parse(text)
    except DurationSyntaxError as err:
        return f"✗ {err}" + (f" — did you mean '{err.suggestion}'?" if err.suggestion else "")
    meaning = {"working_days": "Monday to Friday, the process's bank holidays skipped",
               "days": "calendar days", "weeks": "calendar weeks", "months": "calendar months",
               "years": "calendar years", "financial_years": "financial years, 1 April to 31 March"}
    return f"✓ read as {d} ({meaning[d.unit]})"


class DurationField(QWidget):
    """A duration typed as people say it ("25 working days"), with how it was read."""

    def __init__(self, value: str, name: str):
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.line = QLineEdit(value)
        self.line.setPlaceholderText("e.g. 25 working days, 3 months, 1 year")
        self.reading = QLabel(duration_words(value) if value else "")
        self.reading.setObjectName(f"{name}_words")
        self.reading.setWordWrap(True)
        self.line.textChanged.connect(
            lambda text: self.reading.setText(duration_words(text) if text.strip() else ""))
        layout.addWidget(self.line)
        layout.addWidget(self.reading)

    def text(self) -> str:
        return self.line.text().strip()


class ConditionField(QWidget):
    """A condition on facts: built by picking a fact, a comparison its type allows and a value
    (``concern_level == "significant"``), or typed; the engine reads it back in words."""

    #: the condition's text once it is finished (picked, or typed and left)
    finished = Signal(str)

    def __init__(self, choices: Choices, value: str = "", name: str = "guard"):
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.facts = choices.facts()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.line = QLineEdit(value)
        self.line.setObjectName(f"{name}_text")
        self.line.setPlaceholderText("Always (no condition) — or build one below")
        self.line.setToolTip("The condition in the spec's expression language")
        layout.addWidget(self.line)
        row = QHBoxLayout()
        self.fact = NamePicker([(n, f.label) for n, f in self.facts.items()], None,
                               optional=True, none_text="Pick a fact…")
        self.fact.setObjectName(f"{name}_fact")
        self.comparison = QComboBox()
        self.comparison.setObjectName(f"{name}_comparison")
        self.value_holder = QHBoxLayout()
        self.value: QWidget | None = None
        self.add = QPushButton("Add condition")
        self.add.setObjectName(f"{name}_add")
        row.addWidget(self.fact, 3)
        row.addWidget(self.comparison, 1)
        row.addLayout(self.value_holder, 2)
        row.addWidget(self.add)
        layout.addLayout(row)
        self.reading = QLabel()
        self.reading.setObjectName(f"{name}_words")
        self.reading.setWordWrap(True)
        layout.addWidget(self.reading)
        self.fact.currentIndexChanged.connect(lambda _i: self._fact_picked())
        self.add.clicked.connect(self._add)
        self.line.textChanged.connect(lambda _t: self._read())
        self.line.editingFinished.connect(lambda: self.finished.emit(self.text()))
        self._fact_picked()
        self._read()

    def text(self) -> str:
        return self.line.text().strip()

    def pick(self, fact: str, comparison: str, value: Any = None) -> None:
        """Pick a fact, a comparison and a value, as a person would with the mouse."""
        self.fact.set_name(fact)
        self.comparison.setCurrentText(comparison)
        if isinstance(self.value, QComboBox):
            self.value.setCurrentIndex(max(0, self.value.findData(value)))
        elif isinstance(self.value, QDoubleSpinBox):
            self.value.setValue(float(value))
        elif isinstance(self.value, QDateEdit):
            self.value.setDate(QDate(value.year, value.month, value.day))
        elif isinstance(self.value, QLineEdit):
            self.value.setText(str(value))

    def _fact_picked(self) -> None:
        fact = self.facts.get(self.fact.name() or "")
        self.comparison.clear()
        if self.value is not None:
            self.value.hide()
            self.value.deleteLater()
            self.value = None
        self.comparison.setEnabled(fact is not None)
        self.add.setEnabled(fact is not None)
        if fact is None:
            return
        self.comparison.addItems(list(COMPARISONS.get(fact.type, {})))
        if fact.type == "enum":
            self.value = QComboBox()
            for v in fact.values:
                self.value.addItem(v.replace("_", " "), v)
        elif fact.type == "number":
            self.value = QDoubleSpinBox()
            self.value.setRange(-1e9, 1e9)
            self.value.setDecimals(0)
        elif fact.type == "date":
            self.value = QDateEdit(QDate.currentDate())
            self.value.setCalendarPopup(True)
            self.value.setDisplayFormat("yyyy-MM-dd")
        elif fact.type == "text":
            self.value = QLineEdit()
        if self.value is not None:
            self.value.setObjectName("condition_value")
            self.value_holder.addWidget(self.value)

    def _picked_value(self) -> Any:
        if isinstance(self.value, QComboBox):
            return self.value.currentData()
        if isinstance(self.value, QDoubleSpinBox):
            return self.value.value()
        if isinstance(self.value, QDateEdit):
            return self.value.date().toPython()
        if isinstance(self.value, QLineEdit):
            return self.value.text()
        return None

    def _add(self) -> None:
        fact = self.facts.get(self.fact.name() or "")
        if fact is None:
            return
        try:
            more = condition(fact, self.comparison.currentText(), self._picked_value())
        except EditError as err:
            self.reading.setText(f"✗ {err}")
            return
        self.line.setText(and_also(self.text(), more))
        self.fact.set_name(None)
        self.finished.emit(self.text())

    def _read(self) -> None:
        text = self.text()
        if not text:
            self.reading.setText("Always: no condition")
            return
        try:
            self.reading.setText(f"✓ Only when {read_condition(text, self.facts)}")
        except GuardSyntaxError as err:
            self.reading.setText(f"✗ {err}" + (f" (did you mean {err.suggestion}?)"
                                               if err.suggestion else ""))

