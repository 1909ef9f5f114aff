"""The spec editor: policy staff change a process spec without writing TOML by hand.

An outline of the spec, a form for the selected item (pickers for the names it refers to, a
duration field that says how it read "25 working days"), the raw TOML for those who prefer it,
the problems in plain words as you type, a diagram preview and a dry-run timeline. Every edit
goes through :class:`regflow.engine.spec.editing.SpecDocument` (the rest of the file stays as it
was) and can be undone. The engine checks; this window shows.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QTextCursor, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.compare.timeline import timeline
from regflow.engine.errors import Problem, SpecError
from regflow.engine.spec.durations import Duration, DurationSyntaxError
from regflow.engine.spec.editing import EditError, SpecDocument
from regflow.engine.spec.loader import loads_spec

from ..case.tables import cell, new_table
from ..diagram.svg import DiagramSvg
from ..diagram.view import DiagramView
from ..tasks import run_task
from . import problems as problem_list
from .highlight import TomlHighlighter
from .preview import LivePreview
from .textsync import show_text

#: fields whose value names something else in the spec: (section of the names, list or not)
PICKERS = {"parent": "states", "role": "roles", "responsible": "roles", "to": "states",
           "event": "events", "fires": "events", "citation": "paragraphs", "due_on": "facts"}
LISTS = {"from": "states", "sets": "facts", "requires": "facts", "clears": "facts",
         "milestones": None}
DURATIONS = ("within", "after", "every", "about")
SECTIONS = ("process", "paragraphs", "roles", "facts", "states", "events", "transitions",
            "timescales")


class TextChange(QUndoCommand):
    """One edit, as the spec's text before and after it (undo puts the text back)."""

    def __init__(self, editor: EditorWindow, before: str, after: str, what: str,
                 doc: SpecDocument | None = None):
        super().__init__(what)
        self.editor, self.before, self.after = editor, before, after
        self._doc = doc  # the text after, read already (off the UI thread)

    def redo(self) -> None:
        self.editor._set_text(self.after, self._doc)
        self._doc = None  # a later redo reads it afresh: undone edits may have changed it

    def undo(self) -> None:
        self.editor._set_text(self.before)


class EditorWindow(QMainWindow):
    """Edits one spec file."""

    #: the problems of the current text have been worked out (tests wait for it)
    checked = Signal()
    #: the diagram preview shows the current text
    previewed = Signal()

    def __init__(self, parent: QWidget | None = None, path: str | Path | None = None,
                 today: date | None = None):
        super().__init__(parent)
        self.today = today or date.today()
        self.path: Path | None = None
        self.doc: SpecDocument | None = None
        self.saved_text = ""
        self.problems: list[Problem] = []
        self.spec = None
        self.selected: tuple = ()
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
        for text, slot, key in (("&Open spec…", self._choose_open, QKeySequence.StandardKey.Open),
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

        split = QSplitter()
        self.outline = QTreeWidget()
        self.outline.setObjectName("outline")
        self.outline.setHeaderLabels(["Spec"])
        self.outline.currentItemChanged.connect(lambda item, _old: self._select(item))
        split.addWidget(self.outline)
        self.tabs = QTabWidget()
        form_area = QScrollArea()
        form_area.setWidgetResizable(True)
        self.form_widget = QWidget()
        self.form = QFormLayout(self.form_widget)
        form_area.setWidget(self.form_widget)
        self.tabs.addTab(form_area, "Form")
        self.toml = QPlainTextEdit()
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
        previews.addTab(self.preview, "Diagram")
        dry = QWidget()
        dl = QVBoxLayout(dry)
        self.dry_start = QDateEdit(QDate(self.today.year, self.today.month, self.today.day))
        self.dry_start.setCalendarPopup(True)
        self.dry_start.setDisplayFormat("yyyy-MM-dd")
        self.dry_start.dateChanged.connect(lambda _d: self._fill_timeline())
        dl.addWidget(QLabel("Dry run: the dates each deadline falls on, each step on the last "
                            "day allowed, from"))
        self.dry_from = QComboBox()
        self.dry_from.setObjectName("dry_from")
        self.dry_from.activated.connect(lambda _i: self._fill_timeline())
        dl.addWidget(self.dry_from)
        dl.addWidget(QLabel("on"))
        dl.addWidget(self.dry_start)
        self.timeline_table = new_table(["Due", "Timescale", "How binding"])
        dl.addWidget(self.timeline_table, 1)
        previews.addTab(dry, "Dry-run timeline")
        right.addWidget(previews)
        right.setSizes([220, 160, 520])
        split.addWidget(right)
        split.setSizes([300, 620, 580])
        self.setCentralWidget(split)

    # -- files ---------------------------------------------------------------------------------

    def _choose_open(self) -> None:
        if not self._may_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open spec", "", "regflow specs (*.toml)")
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        self.path = Path(path)
        self.doc = SpecDocument.load(self.path)
        self.saved_text = self.doc.text()
        self.undo_stack.clear()
        self._show_text(self.saved_text)
        self._title()

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save spec as", str(self.path or ""),
                                              "regflow specs (*.toml)")
        return bool(path) and self._write(Path(path))

    def _write(self, path: Path) -> bool:
        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            answer = QMessageBox.question(
                self, "Save a spec with problems?",
                f"This spec has {len(errors)} problem(s) and cannot run as it is. Save it anyway "
                "as a draft (its version is marked 'draft')?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Save:
                return False
            self._mark_draft()
        try:
            self.doc.save(path)
        except OSError as err:
            QMessageBox.warning(self, "Cannot save", f"Cannot write {path}: {err.strerror}")
            return False
        self.path = path
        self.saved_text = self.doc.text()
        self.undo_stack.setClean()
        self._title()
        return True

    def _mark_draft(self) -> None:
        try:
            version = str(self.doc.get(("process", "version")))
        except EditError:
            return
        if not version.endswith("-draft"):
            self.doc.set(("process", "version"), version + "-draft")
            self._show_text(self.doc.text())

    def _may_discard(self) -> bool:
        if self.doc is None or self.doc.text() == self.saved_text:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", "Save the changes to this spec first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_discard():
            event.accept()
        else:
            event.ignore()

    def _clean_changed(self, _clean: bool) -> None:
        if shiboken6.isValid(self):
            self._title()

    def _title(self) -> None:
        name = self.path.name if self.path else "new spec"
        dirty = "" if self.doc is None or self.doc.text() == self.saved_text else " •"
        self.setWindowTitle(f"{name}{dirty} — regflow spec editor")

    # -- text and edits -------------------------------------------------------------------------

    def edit(self, path: tuple, value: Any, what: str) -> None:
        """Change one value (through the undo stack)."""
        before = self.doc.text()
        self.doc.set(path, value)
        after = self.doc.text()
        if after != before:  # the command applies it (the document changed already, not read
            # again: a big spec takes a moment to read), so that undo works the same
            self.undo_stack.push(TextChange(self, before, after, what, self.doc))

    def _set_text(self, text: str, doc: SpecDocument | None = None) -> None:
        self.doc = doc or SpecDocument(text)
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

    # -- outline and form -----------------------------------------------------------------------

    def _fill_outline(self) -> None:
        keep = self.selected
        self.outline.blockSignals(True)
        self.outline.clear()
        doc = self.doc.doc
        current = None
        for section in SECTIONS:
            if section not in doc:
                continue
            top = QTreeWidgetItem([section])
            top.setData(0, Qt.ItemDataRole.UserRole, (section,))
            self.outline.addTopLevelItem(top)
            value = doc[section]
            if section == "process":
                children = []
            elif isinstance(value, list):
                children = [((section, i), str(v.get("id") or f"{_text(v.get('from'))} "
                            f"—{v.get('event')}→ {v.get('to')}")) for i, v in enumerate(value)]
            else:
                children = [((section, name), name) for name in value]
            for path, label in children:
                item = QTreeWidgetItem([label])
                item.setData(0, Qt.ItemDataRole.UserRole, path)
                top.addChild(item)
                if path == keep:
                    current = item
            if (section,) == keep:
                current = top
        self.outline.blockSignals(False)
        if current is not None:
            self.outline.setCurrentItem(current)
        self._fill_form()

    def select(self, path: tuple) -> None:
        """Select an item of the outline by its key path, e.g. ("timescales", 4)."""
        for i in range(self.outline.topLevelItemCount()):
            top = self.outline.topLevelItem(i)
            for item in [top, *(top.child(j) for j in range(top.childCount()))]:
                if item.data(0, Qt.ItemDataRole.UserRole) == tuple(path):
                    self.outline.setCurrentItem(item)
                    return

    def _select(self, item: QTreeWidgetItem | None) -> None:
        self.selected = item.data(0, Qt.ItemDataRole.UserRole) if item else ()
        self._fill_form()

    def _fill_form(self) -> None:
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for part in (row.labelItem, row.fieldItem):
                if part is not None and part.widget() is not None:
                    part.widget().hide()
                    part.widget().deleteLater()
        self.fields: dict[str, QWidget] = {}
        if self.doc is None or not self.selected or (len(self.selected) == 1
                                                     and self.selected[0] != "process"):
            self.source.clear()
            return
        try:
            entry = self.doc.get(self.selected)
        except EditError:
            return
        if not hasattr(entry, "items"):  # a paragraph: one text
            box = QPlainTextEdit(str(entry))
            box.focusOutEvent = lambda e, b=box: (QPlainTextEdit.focusOutEvent(b, e), self.edit(
                self.selected, b.toPlainText(), "Edit a paragraph"))
            self.form.addRow("Text", box)
            self.fields["text"] = box
            return
        for key, value in entry.items():
            self.form.addRow(key, self._field(key, value))
        citation = entry.get("citation")
        paragraph = self.doc.doc.get("paragraphs", {}).get(str(citation)) if citation else None
        self.source.setHtml(f"<p><b>Source: {html.escape(str(citation))}</b></p><blockquote>“"
                            f"{html.escape(str(paragraph))}”</blockquote>" if paragraph else "")

    def _field(self, key: str, value: Any) -> QWidget:
        path = (*self.selected, key)
        if isinstance(value, bool):
            box = QCheckBox()
            box.setChecked(value)
            box.toggled.connect(lambda on: self.edit(path, on, f"Set {key}"))
            self.fields[key] = box
            return box
        if key in PICKERS and isinstance(value, str):
            box = QComboBox()
            box.setEditable(True)
            names = list(self.doc.doc.get(PICKERS[key], {}).keys())
            box.addItems(names if value in names else [value, *names])
            box.setCurrentText(value)
            box.activated.connect(lambda _i, b=box: self.edit(path, b.currentText(), f"Set {key}"))
            box.lineEdit().editingFinished.connect(
                lambda b=box: self.edit(path, b.currentText(), f"Set {key}"))
            self.fields[key] = box
            return box
        if isinstance(value, list) or key in LISTS:
            line = QLineEdit(", ".join(map(str, value)) if isinstance(value, list) else str(value))
            line.setToolTip("Names separated by commas")
            line.editingFinished.connect(lambda w=line: self.edit(
                path, [v.strip() for v in w.text().split(",") if v.strip()], f"Set {key}"))
            self.fields[key] = line
            return line
        if hasattr(value, "items"):  # an inline table: anchor = { event = "x" }
            line = QLineEdit(", ".join(f"{k} = {v}" for k, v in value.items()))
            line.setReadOnly(True)
            line.setToolTip("Change it in the TOML tab")
            self.fields[key] = line
            return line
        line = QLineEdit(str(value))
        self.fields[key] = line
        if key in DURATIONS:
            holder = QWidget()
            layout = QVBoxLayout(holder)
            layout.setContentsMargins(0, 0, 0, 0)
            said = QLabel(_duration_words(str(value)))
            said.setObjectName(f"{key}_words")
            line.textEdited.connect(lambda text, s=said: s.setText(_duration_words(text)))
            line.editingFinished.connect(lambda w=line: self.edit(path, w.text(), f"Set {key}"))
            layout.addWidget(line)
            layout.addWidget(said)
            return holder
        line.editingFinished.connect(lambda w=line: self.edit(
            path, _typed(w.text(), value), f"Set {key}"))
        return line

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
            item = QListWidgetItem(problem_list.words(p, self.doc.doc if self.doc else {}))
            item.setData(Qt.ItemDataRole.UserRole, p)
            item.setToolTip(str(p))
            self.problem_list.addItem(item)
        if not problems:
            self.problem_list.addItem("✓ No problems: the spec loads and runs.")
        typed = self.doc is not None and text != self.doc.text()
        if typed:  # the form shows the last text read until this one is: no edits there
            self.form_widget.setEnabled(False)
        else:
            self._form_in_step()
        if spec is not None:
            self.spec = spec
            self._fill_timeline()
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
                if doc.text() == typed:
                    self._check_timer.stop()  # this very text has been checked
            self._form_in_step()
            if diagram is not None:
                self._previewed(ticket, diagram)

        run_task(self, "Drawing the diagram…", work, done, lambda _err: self._form_in_step(),
                 progress=False)

    def _form_in_step(self) -> None:
        in_step = self.doc is not None and self.toml.toPlainText() == self.doc.text()
        self.form_widget.setEnabled(in_step)
        if in_step:
            self.statusBar().clearMessage()
        else:
            line = next((p.line for p in self.problems if p.line and not p.path), None)
            self.statusBar().showMessage(
                "The TOML tab has a mistake" + (f" on line {line}" if line else "") + ": the form "
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

    def _fill_timeline(self) -> None:
        table = self.timeline_table
        table.setRowCount(0)
        if self.spec is None:
            return
        chosen = self.dry_from.currentData()
        events = list(self.spec.events)
        if [self.dry_from.itemData(i) for i in range(self.dry_from.count())] != events:
            self.dry_from.clear()
            for name, event in self.spec.events.items():
                self.dry_from.addItem(event.label, name)
            # by default the step the first deadline counts from (e.g. the end of fieldwork)
            first = next((t.anchor.name for t in self.spec.timescales
                          if t.anchor.kind == "event" and t.kind != "recurring"), None)
            chosen = chosen if chosen in events else first
            self.dry_from.setCurrentIndex(max(0, self.dry_from.findData(chosen)))
        try:
            found = timeline(self.spec, self.dry_start.date().toPython(),
                             self.dry_from.currentData())
        except Exception as err:
            table.insertRow(0)
            table.setItem(0, 1, cell(f"no dry run: {err}"))
            return
        for e in found.entries:
            n = table.rowCount()
            table.insertRow(n)
            for col, text in enumerate((e.due.isoformat() if e.due else "—",
                                        f"{e.label} [{e.citation}]", e.strength.replace("_", " "))):
                table.setItem(n, col, cell(text, e.rule))
        table.resizeColumnsToContents()

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
        block = self.toml.document().findBlockByLineNumber(problem.line - 1)
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.Right, n=max((problem.column or 1) - 1, 0))
        self.toml.setTextCursor(cursor)
        self.toml.centerCursor()
        self.toml.setFocus()


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _typed(text: str, old: Any) -> Any:
    """What the form field's text means, as the old value's type (a number stays a number)."""
    if isinstance(old, int) and text.strip().lstrip("-").isdigit():
        return int(text)
    return text


def _duration_words(text: str) -> str:
    """How a duration is read, or why it is not: "25 working days (Monday to Friday, bank
    holidays skipped)"."""
    try:
        d = Duration.parse(text)
    except DurationSyntaxError as err:
        return f"✗ {err}" + (f" — did you mean '{err.suggestion}'?" if err.suggestion else "")
    meaning = {"working_days": "Monday to Friday, the process's bank holidays skipped",
               "days": "calendar days", "weeks": "calendar weeks", "months": "calendar months",
               "years": "calendar years", "financial_years": "financial years, 1 April to 31 March"}
    return f"✓ read as {d} ({meaning[d.unit]})"
