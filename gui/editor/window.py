"""The spec editor: policy staff change a process spec without writing TOML by hand.

An outline of the spec, a form for the selected item (pickers for the names it refers to, a
duration field that says how it read "25 working days"), the raw TOML for those who prefer it,
the problems in plain words as you type, a diagram preview and a dry-run timeline. Every edit
goes through :class:`regflow.engine.spec.editing.SpecDocument` (the rest of the file stays as it
was) and can be undone. The engine checks; this window shows.

This window coordinates: the outline (outline.py), the item form and its fields (forms.py,
fields.py) and the add-item and new-spec dialogs (dialogs.py) only say what the person chose;
every change is made here, on a copy of the document, and pushed on the undo stack. Saving and
closing are in saving.py, the dry run in dryrun.py, the diagram preview in preview.py.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.errors import Problem, SpecError
from regflow.engine.register.api import Register
from regflow.engine.spec.editing import EditError, SpecDocument, inline
from regflow.engine.spec.loader import loads_spec
from regflow.engine.spec.overriding import (
    OWN,
    RENAME_REFUSED,
    TIMESCALE_RENAME_REFUSED,
    Layers,
    view_of,
)
from regflow.engine.spec.starting import bases, templates
from regflow.engine.spec.tomlsource import SourceMap

from ..diagram.svg import DiagramSvg
from ..diagram.view import DiagramView
from ..tasks import run_task
from . import problems as problem_list
from .codeview import NumberedText
from .dialogs import ADDABLE, AddItemDialog, NewSpecDialog
from .dryrun import DryRun
from .fields import Choices
from .forms import FIELD_WORDS, ItemForm, Layer
from .highlight import TomlHighlighter
from .outline import ITEM_WORDS, KINDS, REMOVED, Marks, Outline, label_of
from .preview import LivePreview, tidy_button
from .saving import Saving
from .textsync import show_text

#: how the status bar starts when the TOML tab cannot be read
TOML_MISTAKE = "The TOML tab has a mistake"


class TextChange(QUndoCommand):
    """One edit, as the spec's text before and after it (undo puts the text back), and the
    item chosen before and after it (so that undoing an addition or a rename shows the item as
    it was). The documents read from both texts are kept, so undo and redo do not read the
    TOML again (about 50 ms for CIW); the editor never changes a document in place."""

    def __init__(self, editor: EditorWindow, before: str, after: str, what: str,
                 doc: SpecDocument | None = None, chosen: tuple[tuple, tuple] | None = None):
        super().__init__(what)
        self.editor, self.before, self.after = editor, before, after
        self.docs = (editor.doc, doc)
        self.chosen = chosen or (editor.selected, editor.selected)

    def redo(self) -> None:
        self.editor.selected = self.chosen[1]
        self.editor._set_text(self.after, self.docs[1])

    def undo(self) -> None:
        self.editor.selected = self.chosen[0]
        self.editor._set_text(self.before, self.docs[0])


class EditorWindow(Saving, QMainWindow):
    """Edits one spec file."""

    #: the problems of the current text have been worked out (tests wait for it)
    checked = Signal()
    #: the diagram preview shows the current text
    previewed = Signal()

    def __init__(self, parent: QWidget | None = None, path: str | Path | None = None,
                 today: date | None = None, register: Register | None = None):
        super().__init__(parent)
        self.today = today or date.today()
        #: the register whose cases a save of this spec may concern (None: no note)
        self.register = register
        #: what the last save said about the cases pinned to the version it changed
        self.version_note = ""
        self.path: Path | None = None
        self.doc: SpecDocument | None = None
        self.saved_text = ""
        self.problems: list[Problem] = []
        self.spec = None
        self.selected: tuple = ()
        self._layers: tuple[str, Layers | None] = ("", None)  # for the text they were made of
        self.undo_stack = QUndoStack(self)
        # a method, not a lambda: Qt drops the connection when this window is deleted (the
        # stack, its child, says it is clean once more as it goes)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._check_timer = QTimer(self, singleShot=True, interval=300)
        self._check_timer.timeout.connect(self._check)
        self._generation = 0
        self.live_preview = LivePreview()
        # the outline and form are rebuilt after the edit's signal has returned: a field must
        # not be deleted while it is still telling us it was edited
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self._fill_outline)
        self._build()
        self.resize(1500, 950)
        if path is not None:
            self.open_file(path)

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        file = self.menuBar().addMenu("&File")
        for text, slot, key in (("&New spec…", self.new_spec, QKeySequence.StandardKey.New),
                                ("&Open spec…", self._choose_open, QKeySequence.StandardKey.Open),
                                ("&Save", self.save, QKeySequence.StandardKey.Save),
                                ("Save &as…", self.save_as, QKeySequence.StandardKey.SaveAs),
                                ("&Close", self.close, QKeySequence.StandardKey.Close)):
            action = QAction(text, self)
            action.setShortcut(key)
            action.triggered.connect(slot)
            file.addAction(action)
        edit = self.menuBar().addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit.addAction(undo)
        edit.addAction(redo)
        edit.addSeparator()
        self.add_menu = edit.addMenu("&Add")
        for kind, (words, _section) in ADDABLE.items():
            action = self.add_menu.addAction(f"{words}…")
            action.setObjectName(f"add-{kind}")
            action.triggered.connect(lambda _=False, k=kind: self.add(k))
        rename = edit.addAction("&Rename the selected item…")
        rename.setShortcut(QKeySequence("F2"))
        rename.triggered.connect(self.rename_selected)
        find = edit.addAction("&Find in the outline")
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.find.setFocus(), self.find.selectAll()))
        delete = edit.addAction("&Delete the selected item…")
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.triggered.connect(self.delete_selected)

        split = QSplitter()
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        add = QPushButton("Add")
        add.setObjectName("add")
        add.setMenu(self.add_menu)
        remove = QPushButton("Delete…")
        remove.clicked.connect(self.delete_selected)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        ll.addLayout(buttons)
        self.variant_legend = QLabel()
        self.variant_legend.setObjectName("variant_legend")
        self.variant_legend.setWordWrap(True)
        self.variant_legend.hide()
        ll.addWidget(self.variant_legend)
        self.find = QLineEdit()
        self.find.setObjectName("find")
        self.find.setPlaceholderText("Find: words, identifier or paragraph (e.g. 8.5)")
        self.find.setClearButtonEnabled(True)
        self.find.textChanged.connect(self._find)
        ll.addWidget(self.find)
        self.outline = Outline()
        self.outline.chosen.connect(self._select)
        ll.addWidget(self.outline)
        self.found = QLabel()
        self.found.setObjectName("found")
        self.found.hide()
        ll.addWidget(self.found)
        split.addWidget(left)
        self.tabs = QTabWidget()
        form_area = QScrollArea()
        form_area.setWidgetResizable(True)
        self.form_widget = QWidget()
        self.form = QFormLayout()
        column = QVBoxLayout(self.form_widget)
        column.addLayout(self.form)
        column.addStretch(1)  # the rows keep their height; the space is left below them
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.item_form = ItemForm(self.form, self.edit, self.rename_selected, self.revert_field,
                                  self.restore_selected)
        form_area.setWidget(self.form_widget)
        self.tabs.addTab(form_area, "Form")
        self.toml = NumberedText()
        self.toml.setObjectName("toml")
        self.toml.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = self.toml.font()
        font.setFamily("monospace")
        self.toml.setFont(font)
        self.toml.textChanged.connect(self._check_timer.start)
        self.highlighter = TomlHighlighter(self.toml.document())
        self.tabs.addTab(self.toml, "TOML")
        split.addWidget(self.tabs)
        right = QSplitter(Qt.Orientation.Vertical)
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("problems")
        self.problem_list.setWordWrap(True)
        self.problem_list.itemActivated.connect(self._go_to_problem)
        self.problem_list.itemClicked.connect(self._go_to_problem)
        right.addWidget(self.problem_list)
        self.source = QTextBrowser()
        self.source.setPlaceholderText("The source paragraph of the selected item")
        right.addWidget(self.source)
        previews = QTabWidget()
        self.preview = DiagramView(cached=True)
        drawing = QWidget()
        dv = QVBoxLayout(drawing)
        dv.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        for text, tip, slot in (("Fit", "The whole diagram", self.preview.fit),
                                ("−", "Smaller", lambda: self.preview.zoom_by(1 / 1.25)),
                                ("+", "Larger", lambda: self.preview.zoom_by(1.25))):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setMaximumWidth(48)
            button.clicked.connect(slot)
            tools.addWidget(button)
        #: said while the diagram shows an older text (the spec as it is cannot be drawn)
        self.stale = QLabel("")
        self.stale.setObjectName("stale")
        self.stale.setStyleSheet("color: #8a4b00;")
        self.stale.setWordWrap(True)
        tools.addWidget(self.stale, 1)
        tools.addWidget(tidy_button(self))
        dv.addLayout(tools)
        dv.addWidget(self.preview, 1)
        previews.addTab(drawing, "Diagram")
        self.dry_run = DryRun(self.today)
        previews.addTab(self.dry_run, "Dry-run timeline")
        right.addWidget(previews)
        right.setSizes([220, 160, 520])
        split.addWidget(right)
        split.setSizes([360, 600, 540])
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        #: what saving did that the author must know (a new version, and the cases that stay
        #: on the old one): shown above everything until the next edit
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("QLabel#notice { background: #fff4ce; color: #3b2f00; "
                                  "border-bottom: 1px solid #e0c96a; padding: 6px 10px; }")
        self.notice.hide()
        column.addWidget(self.notice)
        column.addWidget(split, 1)
        self.setCentralWidget(central)

    # -- files ---------------------------------------------------------------------------------

    def _choose_open(self) -> None:
        if not self._may_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open spec", "", "regflow specs (*.toml)")
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> bool:
        """Open the spec at ``path``. A file whose TOML has a mistake opens too, in the TOML
        tab, so that it can be put right (the form comes back once it reads)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            QMessageBox.warning(self, "Cannot open", f"Cannot read {path}: "
                                f"{getattr(err, 'strerror', None) or err}")
            return False
        self.path = path
        try:
            self.doc = SpecDocument(text)
        except Exception:
            self.doc = SpecDocument("")  # nothing read yet: the tab holds the text to mend
        self.saved_text = text
        self.undo_stack.clear()
        self._show_text(text)
        self._title()
        if self.doc.text() != text:
            self.tabs.setCurrentWidget(self.toml)
        return True

    def current_text(self) -> str:
        """The spec as the author sees it: the TOML tab (which may not read yet)."""
        return self.toml.toPlainText() if self.doc is not None else ""

    def _clean_changed(self, _clean: bool) -> None:
        if shiboken6.isValid(self):
            self._title()

    def _title(self) -> None:
        name = self.path.name if self.path else "new spec"
        dirty = "" if self.doc is None or self.current_text() == self.saved_text else " •"
        self.setWindowTitle(f"{name}{dirty} — regflow spec editor")

    # -- text and edits -------------------------------------------------------------------------

    def change(self, what: str, make: Callable[[SpecDocument], Any],
               chosen: Callable[[Any], tuple] | None = None) -> Any:
        """Make a change to a copy of the document and push it on the undo stack as one step
        (the command applies it, so that undo and redo work the same); what ``make`` returns.
        ``chosen``: the item to show after it, from that result. An :class:`EditError` leaves
        everything as it was."""
        before = self.doc.text()
        work = self.doc.copy()
        result = make(work)
        after = work.text()
        if after != before:
            then = chosen(result) if chosen else self.selected
            self.undo_stack.push(TextChange(self, before, after, what, work,
                                            (self.selected, then)))
        return result

    def edit(self, path: tuple, value: Any, what: str) -> None:
        """Change one value; ``None`` takes the key out. In a variant, ``path`` is a key path
        of the resolved spec, and the variant file gets only what differs from its base."""
        layers = self.layers
        if layers is not None:
            item, key = (tuple(path), "text") if path[0] == "paragraphs" else (
                tuple(path[:-1]), path[-1])
            try:
                self.change(what, lambda doc: layers.set(doc, item, key, value),
                            chosen=lambda moved: moved)
            except EditError as err:
                QMessageBox.warning(self, "Cannot change that", str(err))
                self._refresh_timer.start()  # the form shows the value as it is again
            return

        def make(doc: SpecDocument) -> None:
            if value is None:
                if path[-1] in doc.get(tuple(path[:-1])):
                    doc.delete(path)
            else:
                doc.set(path, inline(value) if isinstance(value, dict) else value)
        self.change(what, make)

    # -- a variant, shown whole ---------------------------------------------------------------

    @property
    def layers(self) -> Layers | None:
        """The open variant with its base (None: the spec extends nothing, or its base cannot
        be read, which the problems list says)."""
        if self.doc is None or self.path is None or not isinstance(self.doc.doc, dict) \
                or "extends" not in self.doc.doc:
            return None
        text = self.doc.text()
        if self._layers[0] != text:
            try:
                made = Layers.of(self.doc, self.path)
            except Exception:  # a base that does not read: the problems list says why
                made = None
            self._layers = (text, made)
        return self._layers[1]

    @property
    def view(self) -> SpecDocument:
        """What the outline, forms and pickers show: the resolved spec of a variant, else the
        document itself."""
        layers = self.layers
        return layers.view() if layers is not None else self.doc

    def revert_field(self, key: str) -> None:
        """Use the base's value of field ``key`` of the selected item again."""
        layers = self.layers
        if layers is None:
            return
        words = FIELD_WORDS.get(key, key).lower()
        self.change(f"Use {layers.base_name}'s {words}",
                    lambda doc: layers.revert(doc, self.selected, key), chosen=lambda p: p)

    def restore_selected(self) -> None:
        """Put back the removed base item selected in the outline."""
        layers = self.layers
        if layers is None or self.selected[:1] != (REMOVED,):
            return
        removal = tuple(self.selected[1:])
        self.change(f"Put back what {layers.base_name} has", lambda doc: layers.restore(doc,
                    removal), chosen=lambda _none: (removal[0],))

    def _marks(self) -> Marks | None:
        layers = self.layers
        if layers is None:
            return None
        base = view_of(layers.base)
        removed = []
        for path, entry in layers.removed():
            section = path[0]
            key = path[1] if section not in ("timescales", "transitions") else \
                layers.base[section].index(entry)
            removed.append((path, f"{ITEM_WORDS[section].capitalize()}: "
                                  f"{label_of(base, section, key)}"))
        return Marks(layers.base_name, layers.origins(), removed)

    # -- adding, renaming, deleting items ---------------------------------------------------------

    def add(self, kind: str) -> AddItemDialog:
        """The dialog that adds an item of ``kind`` ("state", "transition", ...), open."""
        dialog = AddItemDialog(self, kind, self.choices(), self._add, self.selected)
        dialog.setObjectName(f"add-{kind}")
        dialog.open()
        return dialog

    def _add(self, kind: str, name: str | None, fields: dict[str, Any]) -> None:
        words, section = ADDABLE[kind]

        layers = self.layers

        def make(doc: SpecDocument) -> tuple:
            if kind == "milestone":
                item = tuple(fields["item"])
                try:
                    tags = list((layers.view() if layers else doc).get((*item, "milestones")))
                except EditError:
                    tags = []
                if fields["milestone"] in tags:
                    raise EditError("it has that milestone already")
                if layers is not None:
                    return layers.set(doc, item, "milestones", [*tags, fields["milestone"]])
                doc.set((*item, "milestones"), [*tags, fields["milestone"]])
                return item
            if section in ("transitions", "timescales"):
                written = section, doc.add_item(section, fields)
            else:
                if layers is not None:
                    layers.check_new(section, name)
                doc.add_named(section, name, fields)
                written = section, name
            # in a variant, the new item as the resolved spec has it
            return Layers.of(doc, self.path).item_of(written) if layers else written

        label = fields.get("label") or name or ""
        self.change(f"Add {words.lower()} {label}".strip(), make, chosen=lambda path: path)

    def selected_kind(self) -> tuple[str, str] | None:
        """(kind, name) of the selected item when it has a name others refer to."""
        if len(self.selected) == 2 and self.selected[0] in KINDS:
            return KINDS[self.selected[0]], str(self.selected[1])
        if len(self.selected) == 2 and self.selected[0] == "timescales":
            return "timescale", str(self.view.get(self.selected).get("id", ""))
        return None

    def rename_selected(self, new: str | None = None) -> bool:
        """Give the selected item a new identifier and change every reference to it, as one
        step that can be undone (asked for if not given)."""
        named = self.selected_kind()
        if named is None:
            return False
        kind, old = named
        section = self.selected[0]
        layers = self.layers
        if layers is not None and layers.origin(self.selected) != OWN:
            refused = TIMESCALE_RENAME_REFUSED if kind == "timescale" else RENAME_REFUSED
            QMessageBox.information(self, "Cannot rename an item of the base", refused.format(
                name=old, base=layers.base_name, kind=ITEM_WORDS[section]))
            return False
        if new is None:
            new, ok = QInputDialog.getText(
                self, "Rename", f"A new identifier for '{label_of(self.view, section, old)}'. "
                "Every reference to it changes with it.", text=old)
            if not ok:
                return False
        new = new.strip()
        if not new or new == old:
            return False
        try:
            count = self.change(
                f"Rename {old} to {new}", lambda doc: layers.rename(doc, kind, old, new)
                if layers is not None else doc.rename(kind, old, new),
                chosen=lambda _count: self.selected if kind == "timescale" else (section, new))
        except EditError as err:
            QMessageBox.warning(self, "Cannot rename", str(err))
            return False
        self.statusBar().showMessage(
            f"Renamed {old} to {new}: {count - 1} reference(s) changed with it", 8000)
        return True

    def delete_selected(self) -> bool:
        """Take the selected item out, after saying what refers to it (which then needs
        changing: the problems list names each place)."""
        if len(self.selected) != 2 or self.selected[0] not in ITEM_WORDS:
            return False
        section, key = self.selected
        named = self.selected_kind()
        layers = self.layers
        view = self.view  # a variant's references are in its base too
        used = view.references(*named) if named else []
        what = f"the {ITEM_WORDS[section]} '{label_of(view, section, key)}'"
        if used:
            places = "\n".join(f"• {self._place(p)}" for p in used[:12])
            more = f"\n… and {len(used) - 12} more" if len(used) > 12 else ""
            answer = QMessageBox.question(
                self, "Delete an item others use?",
                f"{len(used)} place(s) refer to {what}:\n{places}{more}\n\nDelete it anyway? "
                "The spec then has problems until those places are changed.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        if layers is not None:  # a base item: shown as removed after, to be put back from there
            self.change(f"Delete {what}", lambda doc: layers.remove(doc, (section, key)),
                        chosen=lambda removal: (REMOVED, *removal) if removal else (section,))
            return True
        self.change(f"Delete {what}", lambda doc: doc.remove(section, key),
                    chosen=lambda _none: (section,))
        return True

    def _place(self, path: tuple) -> str:
        """A key path in words: "Step 'Drafting → Comments, when draft shared' (when)"."""
        section, key, field = path[0], path[1], path[2]
        return (f"{ITEM_WORDS[section].capitalize()} '{label_of(self.view, section, key)}' "
                f"({FIELD_WORDS.get(field, field).lower()})")

    def new_spec(self) -> NewSpecDialog:
        """The dialog that starts a new spec (from a template or as a variant), open; the new
        file opens here once made."""
        dialog = NewSpecDialog(self, bases(), templates(),
                               str(self.path.parent) if self.path else "",
                               str(self.path) if self.path else None)
        dialog.accepted.connect(lambda: self._may_discard() and self.open_file(dialog.path))
        dialog.open()
        return dialog

    def _set_text(self, text: str, doc: SpecDocument | None = None) -> None:
        """Show ``text``; ``doc``: that text read already (checked, cheaply, to be so)."""
        self.doc = doc if doc is not None and doc.text() == text else SpecDocument(text)
        self.notice.hide()
        self._show_text(text)
        self._title()

    def _show_text(self, text: str) -> None:
        show_text(self.toml, text)
        self._refresh_timer.start()
        self._check_timer.start()

    def _toml_edited(self, text: str | None = None, doc: SpecDocument | None = None) -> None:
        """Text typed in the TOML tab: taken as an edit when it reads as TOML (``doc``: read
        already, off the UI thread), else it stays in the tab and its problem shows."""
        text = self.toml.toPlainText() if text is None else text
        if self.doc is None or text != self.toml.toPlainText() or text == self.doc.text():
            return
        try:
            doc = doc or SpecDocument(text)
        except Exception:
            return
        # as the file will be written (tomlkit puts a [[table]] typed apart from the others of
        # its kind with them): the tab shows what saving writes
        self.undo_stack.push(TextChange(self, self.doc.text(), doc.text(), "Edit the TOML", doc))

    # -- outline and form (gui/editor/outline.py, forms.py) -----------------------------------

    def _fill_outline(self) -> None:
        self._refresh_timer.stop()
        marks = self._marks()
        self.variant_legend.setVisible(marks is not None)
        # the TOML tab has the variant's file: only what it changes, not the whole process
        self.tabs.setTabText(self.tabs.indexOf(self.toml), "TOML" if marks is None
                             else "TOML (this variant's file)")
        if marks is not None:
            self.variant_legend.setText(
                f"A variant of <b>{html.escape(marks.base)}</b>, shown whole:<br>"
                f"<span style='color:#767676'>grey: as {html.escape(marks.base)}</span> · "
                "<span style='color:#0072B2'>✎ changed here · ✚ added here</span>")
        if not self.outline.fill(self.view, self.selected, marks):
            self.selected = self.selected[:1]  # gone (an undo, a change in the TOML tab)
            self.outline.select(self.selected, quietly=True)
        if self.find.text().strip():
            self._find(self.find.text())
        self._fill_form()

    def _find(self, text: str) -> None:
        """Show only the items whose words, identifier or paragraph have ``text`` in them."""
        shown = self.outline.filter(text, self.view) if self.doc is not None else 0
        self.found.setVisible(bool(text.strip()))
        self.found.setText(f"{shown} item(s) found" if shown else
                           f"Nothing has “{text.strip()}” in its words, identifier or paragraph")

    def select(self, path: tuple) -> None:
        """Select an item of the outline by its key path, e.g. ("timescales", 4)."""
        if self._refresh_timer.isActive():  # the outline of the latest text first
            self._fill_outline()
        self.outline.select(tuple(path))

    def _select(self, path: tuple) -> None:
        self.selected = tuple(path)
        self._fill_form()
        self._show_in_preview()
        self._show_in_toml()

    def _show_in_toml(self) -> None:
        """Keep the TOML tab at the chosen item, so that switching to it shows the same thing."""
        if self.doc is None or not self.selected or self.toml.hasFocus() \
                or self.toml.toPlainText() != self.doc.text():
            return
        where = SourceMap(self.toml.toPlainText()).locate(self.selected)
        if where is not None:
            self.toml.show_line(*where)

    def _show_in_preview(self) -> None:
        """Bring the selected stage (or a step's stages) into view in the diagram, readable: a
        spec the size of CIW is too big to read whole beside the form."""
        if self.preview.document is None or len(self.selected) != 2:
            return
        section, key = self.selected
        try:
            entry = self.view.get(self.selected)
        except EditError:
            return
        names = [key] if section == "states" else []
        if section == "transitions":
            sources = entry.get("from")
            names = [*(sources if isinstance(sources, list) else [sources]), entry.get("to")]
        if names:
            self.preview.show_where([str(n) for n in names if n])

    @property
    def fields(self) -> dict[str, QWidget]:
        """The form's field for each key of the selected item."""
        return self.item_form.fields

    def choices(self) -> Choices:
        return Choices(self.view, self.spec)

    def _fill_form(self) -> None:
        self.item_form.clear()
        self.source.clear()
        if self.doc is None or not self.selected or (len(self.selected) == 1
                                                     and self.selected[0] != "process"):
            self._hint()
            return
        layers = self.layers
        if self.selected[0] == REMOVED:
            if layers is not None:
                item = self.outline.currentItem()
                self.item_form.fill_removed(layers.base_name, item.text(0) if item else "")
            return
        view = self.view
        try:
            entry = view.get(self.selected)
        except EditError:
            return
        layer = None if layers is None else Layer(
            layers.base_name, layers.origin(self.selected), layers.changed_fields(self.selected))
        self.item_form.fill(self.choices(), self.selected, layer)
        citation = entry.get("citation") if hasattr(entry, "get") else None
        paragraphs = dict(self.spec.paragraphs) if self.spec else {}
        paragraphs.update({k: str(v) for k, v in view.doc.get("paragraphs", {}).items()})
        words = paragraphs.get(str(citation)) if citation else None
        if words:
            self.source.setHtml(f"<p><b>Source: paragraph {html.escape(str(citation))}</b></p>"
                                f"<blockquote>“{html.escape(str(words))}”</blockquote>")
        elif "citation" in self.fields:
            self.source.setHtml("<p><i>No source paragraph yet: pick one in the form.</i></p>")

    def _hint(self) -> None:
        """What to do, where the form of an item would be."""
        part = self.selected[0] if self.selected else None
        item = ITEM_WORDS.get(part) if part else None
        words = (f"Choose a {item} under this heading in the outline to see and change it, or "
                 f"add one: Add ▸ {item.capitalize()}." if item else
                 "Choose an item in the outline on the left to see and change it here; "
                 "Find (Ctrl+F) looks for words, identifiers and paragraph numbers.")
        hint = QLabel(words)
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555; padding: 12px;")
        self.form.addRow(hint)

    # -- checking, preview and dry run (off the UI thread) ----------------------------------------

    def _check(self) -> None:
        self._generation += 1
        ticket, text, path = self._generation, self.toml.toPlainText(), str(self.path or "new.toml")

        def work():
            try:
                spec = loads_spec(text, path)
            except SpecError as err:
                return None, err.problems
            return spec, list(spec.warnings)

        run_task(self, "Checking the spec…", work,
                 lambda result: self._checked(ticket, text, *result), self._check_failed,
                 progress=False)

    def _check_failed(self, err: Exception) -> None:
        self.problem_list.clear()
        self.problem_list.addItem(f"regflow could not check this spec: {err}")
        self.checked.emit()

    def _checked(self, ticket: int, text: str, spec, problems: list[Problem]) -> None:
        if ticket != self._generation:
            return  # an older text: a newer check is on its way
        self.problems = problems
        self.problem_list.clear()
        for p in problems:
            item = QListWidgetItem(problem_list.words(p, self.view.doc if self.doc else {},
                                                      self.path))
            item.setData(Qt.ItemDataRole.UserRole, p)
            item.setToolTip(str(p))
            self.problem_list.addItem(item)
        if not problems:
            self.problem_list.addItem("✓ No problems: the spec loads and runs.")
        self._title()  # text typed in the TOML tab counts as a change
        typed = self.doc is not None and text != self.doc.text()
        if typed:  # the form shows the last text read until this one is: no edits there
            self.form_widget.setEnabled(False)
        else:
            self._form_in_step()
        self.stale.setText("" if spec is not None else
                           "Out of date: the spec has problems, so this is its last drawing "
                           "that could be made.")
        if spec is not None:
            self.spec = spec
        else:
            self.dry_run.show_spec(None)  # its dates: out of date (the new ones come later)
        self.checked.emit()
        if typed or spec is not None:
            self._follow_up(ticket, text if typed else None, spec)

    def _follow_up(self, ticket: int, typed: str | None, spec) -> None:
        """After the problems show, in one task: read text typed in the TOML tab (a big spec
        takes a moment) and take it as an edit, then draw the diagram (laid out only if its
        shape changed). One task, not two beside the check: Python runs one thread at a time,
        and work beside the UI thread slows it."""

        def work():
            doc = None
            if typed is not None:
                try:
                    doc = SpecDocument(typed)
                except Exception:
                    doc = None  # not TOML: its problem shows; the text stays in the tab
            return doc, self.live_preview.diagram(spec) if spec is not None else None

        def done(result) -> None:
            doc, diagram = result
            if ticket != self._generation:
                return  # a newer check is on its way
            if doc is not None:
                self._toml_edited(typed, doc)
                if doc.text() == typed == self.toml.toPlainText():
                    # this very text has been checked (not text typed since, still to check)
                    self._check_timer.stop()
            self._form_in_step()
            if diagram is not None:
                self._previewed(ticket, diagram)
            if spec is not None:
                self._dry_run(ticket, spec)

        def failed(_err) -> None:
            self._form_in_step()
            if spec is not None and ticket == self._generation:
                self._dry_run(ticket, spec)

        run_task(self, "Drawing the diagram…", work, done, failed, progress=False)

    def _dry_run(self, ticket: int, spec) -> None:
        """The dry run's dates, worked out off the UI thread once the diagram is painted (the
        timeline of a big spec takes about as long as its check, and the drawing comes first)."""
        start = self.dry_run.start()

        def done(entries) -> None:
            if ticket == self._generation:
                self.dry_run.show_spec(spec, (start, entries))

        run_task(self, "Working out the dry run…", lambda: DryRun.work_out(spec, start), done,
                 lambda _err: None, progress=False)

    def _form_in_step(self) -> None:
        in_step = self.doc is not None and self.toml.toPlainText() == self.doc.text()
        self.form_widget.setEnabled(in_step)
        if in_step:  # put away only what it said itself: a save's or rename's words stay
            if self.statusBar().currentMessage().startswith(TOML_MISTAKE):
                self.statusBar().clearMessage()
        else:
            line = next((p.line for p in self.problems if p.line and not p.path), None)
            self.statusBar().showMessage(
                TOML_MISTAKE + (f" on line {line}" if line else "") + ": the form "
                "shows the spec as it last read; put the mistake right to edit it here again")

    def _previewed(self, ticket: int, diagram: DiagramSvg) -> None:
        if ticket != self._generation:
            return
        first = self.preview.document is None
        centre = self.preview.mapToScene(self.preview.viewport().rect().center())
        zoom = self.preview.zoom()
        self.preview.set_document(diagram)
        if first:
            self.preview.fit()
        else:  # keep the part of the drawing being looked at where it was
            self.preview.set_zoom(zoom)
            self.preview.centerOn(centre)
        self.previewed.emit()

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        """To the field the problem concerns, in the form; else to its line in the TOML tab."""
        problem: Problem | None = item.data(Qt.ItemDataRole.UserRole)
        if problem is None:
            return
        found = problem_list.target(problem)
        if found is not None and self.form_widget.isEnabled():
            self.select(found.item)
            field = self.fields.get(found.field) if self.selected == found.item else None
            if field is not None:
                area = field.parentWidget()
                while area is not None and not isinstance(area, QScrollArea):
                    area = area.parentWidget()
                if area is not None:
                    self.tabs.setCurrentWidget(area)
                    area.ensureWidgetVisible(field)
                field.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        if not problem.line or (self.path is not None and problem.file
                                and Path(problem.file) != self.path):
            return  # no line, or a line of the spec this variant extends
        self.tabs.setCurrentWidget(self.toml)
        self.toml.show_line(problem.line, problem.column or 1)
        self.toml.setFocus()

