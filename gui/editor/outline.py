"""The outline of a spec in the editor: its parts in words, states nested as they are in the
process, each item by its label (its identifier in the tooltip)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from regflow.engine.spec.editing import SpecDocument
from regflow.engine.spec.overriding import CHANGED, INHERITED, OWN

#: the parts of a spec, in the order the format describes them, in words
SECTIONS = {"process": "Process", "paragraphs": "Source paragraphs", "roles": "Roles",
            "facts": "Facts", "states": "Stages", "events": "Events",
            "transitions": "Steps (what each event does)", "timescales": "Timescales"}
#: what one item of each part is called, e.g. in "Delete this stage?"
ITEM_WORDS = {"paragraphs": "paragraph", "roles": "role", "facts": "fact", "states": "stage",
              "events": "event", "transitions": "step", "timescales": "timescale"}
#: the kind of name SpecDocument.rename and references take, by part
KINDS = {"paragraphs": "paragraph", "roles": "role", "facts": "fact", "states": "state",
         "events": "event"}
PATH = Qt.ItemDataRole.UserRole
#: the colour the diagram marks a variant's changes with, so that both read alike
CHANGED_COLOUR = QColor("#0072B2")
INHERITED_COLOUR = QColor("#767676")
#: the mark before an item's label, and what its tooltip says, by where it comes from
ORIGIN_WORDS = {INHERITED: ("", "As in {base}: not changed by this variant"),
                CHANGED: ("✎ ", "Changed by this variant (the rest as in {base})"),
                OWN: ("✚ ", "Added by this variant ({base} does not have it)")}
#: the key path of a removed base item in the outline starts with this
REMOVED = "removed"


@dataclass
class Marks:
    """How a variant's outline marks its items: where each comes from (by key path in the
    resolved spec), and the base's items it removes as (key path in the variant file, label)."""

    base: str
    origins: dict[tuple, str]
    removed: list[tuple[tuple, str]] = field(default_factory=list)


def label_of(doc: SpecDocument, section: str, key) -> str:
    """An item of the document in words: its label, a paragraph's number and first words, a
    step as "From → To, when event"."""
    try:
        entry = doc.get((section, key))
    except Exception:
        return str(key)
    if section == "paragraphs":
        text = " ".join(str(entry).split())
        return f"{key} — {text[:60]}…" if len(text) > 60 else f"{key} — {text}"
    if section == "transitions":
        sources = entry.get("from")
        sources = sources if isinstance(sources, list) else [sources]
        froms = ", ".join(_named(doc, "states", s) for s in sources)
        return (f"{froms} → {_named(doc, 'states', entry.get('to'))}, when "
                f"{in_sentence(_named(doc, 'events', entry.get('event')))}")
    return str(entry.get("label") or key) if hasattr(entry, "get") else str(key)


def in_sentence(label: str) -> str:
    """A title inside a sentence: its first letter small, unless the first word is an
    acronym ("CIW's website", "SWIA"); the rest as written ("published on CIW's website")."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _named(doc: SpecDocument, section: str, name) -> str:
    entry = doc.doc.get(section, {}).get(str(name)) if name is not None else None
    return str(entry.get("label", name)) if hasattr(entry, "get") else str(name)


class Outline(QTreeWidget):
    """The spec's parts and items; says which one is chosen by its key path."""

    #: the key path of the chosen item: ("process",), ("states", "drafting"), ("timescales", 4)
    chosen = Signal(tuple)

    def __init__(self):
        super().__init__()
        self.marks: Marks | None = None
        self.setObjectName("outline")
        self.setHeaderHidden(True)
        self.currentItemChanged.connect(
            lambda item, _old: self.chosen.emit(item.data(0, PATH) if item else ()))

    def fill(self, doc: SpecDocument, keep: tuple = (), marks: Marks | None = None) -> bool:
        """Show ``doc``, with the item at ``keep`` chosen again (without saying so); False if
        it has no such item. ``marks``: a variant's, shown whole (``doc`` resolved)."""
        opened = {self.topLevelItem(i).data(0, PATH) for i in range(self.topLevelItemCount())
                  if self.topLevelItem(i).isExpanded()}
        self.marks = marks
        self.blockSignals(True)
        self.clear()
        for section, title in SECTIONS.items():
            if section not in doc.doc:
                continue
            top = QTreeWidgetItem([title])
            top.setData(0, PATH, (section,))
            self.addTopLevelItem(top)
            if marks is not None:
                top.setText(0, title + _counted(marks, section))
            if section != "process":
                self._children(doc, section, top)
            else:
                self._mark(top, ("process",))
            top.setExpanded((section,) in opened or (len(keep) > 1 and keep[0] == section))
        if marks is not None and marks.removed:
            top = QTreeWidgetItem([f"Removed from {marks.base} ({len(marks.removed)})"])
            top.setData(0, PATH, (REMOVED,))
            top.setToolTip(0, f"Items of {marks.base} this variant takes out (remove = true)")
            self.addTopLevelItem(top)
            for path, label in marks.removed:
                item = QTreeWidgetItem([label])
                item.setData(0, PATH, (REMOVED, *path))
                font = item.font(0)
                font.setStrikeOut(True)
                item.setFont(0, font)
                item.setForeground(0, QBrush(INHERITED_COLOUR))
                item.setToolTip(0, f"{label}\nIn {marks.base}; this variant removes it")
                top.addChild(item)
            top.setExpanded((REMOVED,) in opened or keep[:1] == (REMOVED,))
        self.blockSignals(False)
        return self.select(keep, quietly=True) or not keep

    def _mark(self, item: QTreeWidgetItem, path: tuple) -> None:
        """A variant's item marked by where it comes from: grey as the base, ✎ changed, ✚ own."""
        origin = self.marks.origins.get(path) if self.marks is not None else None
        if origin is None:
            return
        mark, words = ORIGIN_WORDS[origin]
        item.setText(0, mark + item.text(0))
        item.setToolTip(0, f"{item.toolTip(0) or item.text(0)}\n"
                        + words.format(base=self.marks.base))
        item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, origin)
        item.setForeground(0, QBrush(INHERITED_COLOUR if origin == INHERITED
                                     else CHANGED_COLOUR))

    def _children(self, doc: SpecDocument, section: str, top: QTreeWidgetItem) -> None:
        value = doc.doc[section]
        keys = list(range(len(value))) if isinstance(value, list) else list(value.keys())
        if section == "transitions":
            self._steps(doc, keys, top)
            return
        made: dict = {}
        for key in keys:
            item = QTreeWidgetItem([label_of(doc, section, key)])
            item.setData(0, PATH, (section, key))
            ident = key if section in KINDS else doc.get((section, key)).get("id", "")
            item.setToolTip(0, f"{item.text(0)}\n({ITEM_WORDS[section]} {ident})" if ident
                            != "" else item.text(0))
            self._mark(item, (section, key))
            made[key] = item
        for key, item in made.items():
            parent = None
            if section == "states":
                parent = made.get(str(doc.get((section, key)).get("parent", "")))
            (parent or top).addChild(item)
            if section == "states":
                item.setExpanded(True)

    def _steps(self, doc: SpecDocument, keys: list, top: QTreeWidgetItem) -> None:
        """Steps under the stage they start from: "→ Drafting, when fieldwork completed"."""
        groups: dict[str, QTreeWidgetItem] = {}
        for key in keys:
            entry = doc.get(("transitions", key))
            sources = entry.get("from")
            sources = sources if isinstance(sources, list) else [sources]
            start = ", ".join(_named(doc, "states", s) for s in sources)
            group = groups.get(start)
            if group is None:
                group = groups[start] = QTreeWidgetItem([f"From {start}"])
                group.setData(0, PATH, ("transitions", "from", start))
                group.setToolTip(0, group.text(0))
                top.addChild(group)
            words = (f"→ {_named(doc, 'states', entry.get('to'))}, when "
                     f"{in_sentence(_named(doc, 'events', entry.get('event')))}"
                     + (" (if …)" if entry.get("guard") else ""))
            item = QTreeWidgetItem([words])
            item.setData(0, PATH, ("transitions", key))
            item.setToolTip(0, label_of(doc, "transitions", key)
                            + (f"\nonly if {entry['guard']}" if entry.get("guard") else ""))
            self._mark(item, ("transitions", key))
            group.addChild(item)
        for group in groups.values():  # a group of the base's steps alone reads as the base's
            if self.marks is not None and all(
                    self.origin(group.child(i).data(0, PATH)) == INHERITED
                    for i in range(group.childCount())):
                group.setForeground(0, QBrush(INHERITED_COLOUR))

    def origin(self, path: tuple) -> str | None:
        """Where the item at ``path`` comes from (None: not a variant's outline)."""
        return self.marks.origins.get(tuple(path)) if self.marks is not None else None

    def items(self) -> list[QTreeWidgetItem]:
        out, stack = [], [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop(0)
            out.append(item)
            stack[:0] = [item.child(j) for j in range(item.childCount())]
        return out

    def select(self, path: tuple, quietly: bool = False) -> bool:
        """Choose the item at key path ``path``; False if the outline has none."""
        for item in self.items():
            if item.data(0, PATH) == tuple(path):
                self.blockSignals(quietly)
                self.setCurrentItem(item)
                self.blockSignals(False)
                parent = item.parent()
                while parent is not None:
                    parent.setExpanded(True)
                    parent = parent.parent()
                self.scrollToItem(item)
                return True
        return False

    def filter(self, text: str, doc: SpecDocument) -> int:
        """Show only the items with ``text`` in their words, identifier or cited paragraph
        (and the parts and stages they sit in); how many were found. Empty: show all."""
        wanted = text.strip().lower()
        found = 0
        for item in reversed(self.items()):  # children before their parents
            path = item.data(0, PATH) or ()
            if not wanted:
                item.setHidden(False)
                continue
            entry = None
            if len(path) == 2:
                try:
                    entry = doc.get(path)
                except Exception:
                    entry = None
            citation = str(entry.get("citation", "")) if hasattr(entry, "get") else ""
            ident = str(path[1]) if len(path) == 2 else ""
            words = f"{item.text(0)}\n{item.toolTip(0)}\n{ident}".lower()
            hit = len(path) == 2 and (wanted in words or citation.lower() == wanted
                                      or citation.lower().startswith(wanted + "."))
            found += hit
            shown = hit or any(not item.child(j).isHidden() for j in range(item.childCount()))
            item.setHidden(not shown)
            if shown and item.childCount():
                item.setExpanded(True)
        return found

def _counted(marks: Marks, section: str) -> str:
    """The words after a section's title when the variant changes it: " — 2 changed, 1 added"."""
    found = [o for p, o in marks.origins.items() if p[0] == section and len(p) == 2]
    said = [f"{found.count(CHANGED)} changed" if found.count(CHANGED) else "",
            f"{found.count(OWN)} added" if found.count(OWN) else ""]
    said = [s for s in said if s]
    return f" — {', '.join(said)}" if said else ""
