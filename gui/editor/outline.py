"""The outline of a spec in the editor: its parts in words, states nested as they are in the
process, each item by its label (its identifier in the tooltip)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from regflow.engine.spec.editing import SpecDocument

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
        self.setObjectName("outline")
        self.setHeaderHidden(True)
        self.currentItemChanged.connect(
            lambda item, _old: self.chosen.emit(item.data(0, PATH) if item else ()))

    def fill(self, doc: SpecDocument, keep: tuple = ()) -> bool:
        """Show ``doc``, with the item at ``keep`` chosen again (without saying so); False if
        it has no such item."""
        opened = {self.topLevelItem(i).data(0, PATH) for i in range(self.topLevelItemCount())
                  if self.topLevelItem(i).isExpanded()}
        self.blockSignals(True)
        self.clear()
        for section, title in SECTIONS.items():
            if section not in doc.doc:
                continue
            top = QTreeWidgetItem([title])
            top.setData(0, PATH, (section,))
            self.addTopLevelItem(top)
            if section != "process":
                self._children(doc, section, top)
            top.setExpanded((section,) in opened or (len(keep) > 1 and keep[0] == section))
        self.blockSignals(False)
        return self.select(keep, quietly=True) or not keep

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
            group.addChild(item)

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
