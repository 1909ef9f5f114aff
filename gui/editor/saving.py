"""Saving a spec in the editor, and closing it: the author says yes to whatever cannot run.

A spec with problems is saved only when the author confirms, with ``-draft`` added to its
version (taken off when it is next saved without problems); TOML with a mistake in it is saved
as typed or not at all, never silently dropped; a spec that cases in the open register use gets
a new version, and the author is told how many open cases stay on the old one. Part of
:class:`regflow.gui.editor.window.EditorWindow`, which it is mixed into.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from regflow.engine.errors import Problem, SpecError
from regflow.engine.spec.editing import EditError, SpecDocument
from regflow.engine.spec.loader import loads_spec

from . import problems as problem_list

#: what saving a spec with problems adds to its version
DRAFT = "-draft"


class Saving:
    """Save, save as, and the question on closing with unsaved changes."""

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save spec as", str(self.path or ""),
                                              "regflow specs (*.toml)")
        return bool(path) and self._write(Path(path))

    def _write(self, path: Path) -> bool:
        typed = self.toml.toPlainText()
        if self.doc is not None and typed != self.doc.text():
            try:  # typed in the TOML tab and not yet taken as an edit: take it now
                self._toml_edited(typed, SpecDocument(typed))
            except Exception:
                return self._write_typed(path, typed)
        errors = [p for p in self._problems_now() if p.severity == "error"]
        if errors:
            listed = "\n".join(f"• {problem_list.words(p, self.view.doc, self.path)}"
                                for p in errors[:3])
            more = f"\n… and {len(errors) - 3} more" if len(errors) > 3 else ""
            if not self._confirm_save(
                    "Save a spec with problems?", f"This spec has {len(errors)} problem(s) and "
                    f"cannot run as it is:\n{listed}{more}\n\nSave it anyway as a draft? Its "
                    "version is marked '-draft' until it is saved without problems.",
                    "Save as a draft"):
                return False
        self._bump_for_cases()  # only once the author has said yes: a Cancel changes nothing
        if errors:
            self._mark_draft()
        else:
            self._unmark_draft()
        try:
            self.doc.save(path)
        except OSError as err:
            QMessageBox.warning(self, "Cannot save", f"Cannot write {path}: {err.strerror}")
            return False
        self._saved(path, self.doc.text())
        return True

    def _confirm_save(self, title: str, text: str, save_words: str) -> bool:
        """Ask before saving something that cannot run; Cancel is the default (Enter)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                          self)
        box.button(QMessageBox.StandardButton.Save).setText(save_words)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Save

    def _problems_now(self) -> list[Problem]:
        """The problems of the text being saved, checked now: the list on screen may be of a
        text a moment older (an edit made just before saving)."""
        try:
            return list(loads_spec(self.doc.text(), str(self.path or "new.toml")).warnings)
        except SpecError as err:
            return err.problems

    def _write_typed(self, path: Path, typed: str) -> bool:
        """The TOML tab has a mistake that stops it being read: save the text as it is typed,
        if the author says so (nothing they typed is lost), or nothing."""
        mistake = next((p for p in self.problems if p.line and not p.path), None)
        where = f" on line {mistake.line}" if mistake and mistake.line else ""
        said = f":\n{mistake.message}" if mistake else "."
        if not self._confirm_save(
                "Save TOML with a mistake?", f"The TOML tab has a mistake{where}{said}\n\n"
                "Save the text as you typed it? It cannot be opened as a spec, nor used for "
                "cases, until the mistake is put right.", "Save as typed"):
            return False
        partial = path.with_name(path.name + ".partial")
        try:
            partial.write_text(typed, encoding="utf-8")
            partial.replace(path)
        except OSError as err:
            QMessageBox.warning(self, "Cannot save", f"Cannot write {path}: {err.strerror}")
            return False
        self._saved(path, typed)
        return True

    def _saved(self, path: Path, text: str) -> None:
        self.path = path
        self.saved_text = text
        self.undo_stack.setClean()
        self._title()
        if not self.version_note:
            self.statusBar().showMessage(f"Saved {path.name}", 5000)

    def _bump_for_cases(self) -> None:
        """Cases are pinned to the version of the spec they were opened on: a changed spec
        that cases use gets a new version, and the note says how many open cases stay on the
        old one. Without a register there is nobody to tell."""
        self.version_note = ""
        if self.register is None or self.doc.text() == self.saved_text or not self.saved_text:
            return
        try:
            saved = SpecDocument(self.saved_text)
        except Exception:
            return  # saved as typed, with a mistake: no version of it for cases to use
        try:
            spec_id, version = (str(saved.get(("process", key))) for key in ("id", "version"))
            current = str(self.doc.get(("process", "version")))
            still_open, used = self.register.cases_on_version(spec_id, version)
        except EditError:
            return
        except Exception as err:  # the register cannot be read: save all the same, and say so
            self.version_note = f"Could not count the cases using this spec: {err}"
            self.statusBar().showMessage(self.version_note)
            return
        if not used:
            return
        if current == version:
            current = self.change("Give the changed spec a new version",
                                  lambda doc: doc.bump_version())
        cases = f"1 open case in this register uses version {version} and stays" if \
            still_open == 1 else (f"{still_open} open cases in this register use version "
                                  f"{version} and stay")
        self.version_note = f"Saved as version {current}. {cases} on it; new cases use {current}."
        self.statusBar().showMessage(self.version_note)
        self._notify(f"{self.version_note} Cases are pinned to the version they were opened "
                     "on, so their deadlines do not change.")

    def _mark_draft(self) -> None:
        try:
            version = str(self.doc.get(("process", "version")))
        except EditError:
            return
        if not version.endswith(DRAFT):
            self.change("Mark the spec as a draft",
                        lambda doc: doc.set(("process", "version"), version + DRAFT))

    def _unmark_draft(self) -> None:
        """A spec saved without problems is no longer a draft: the mark saving one with
        problems put on its version comes off (and the author is told)."""
        try:
            version = str(self.doc.get(("process", "version")))
        except EditError:
            return
        if version.endswith(DRAFT) and len(version) > len(DRAFT):
            self.change("No longer a draft",
                        lambda doc: doc.set(("process", "version"), version[:-len(DRAFT)]))
            self._notify(f"The spec has no problems now: its version is {version[:-len(DRAFT)]} "
                         "again, no longer marked as a draft.")

    def _notify(self, text: str) -> None:
        """Say something the author must not miss, above everything until the next edit."""
        self.notice.setText(text)
        self.notice.show()

    def _may_discard(self) -> bool:
        if self.doc is None or self.current_text() == self.saved_text:
            return True
        index, clean = self.undo_stack.index(), self.undo_stack.cleanIndex()
        done = [self.undo_stack.text(i) for i in range(min(index, clean if clean >= 0 else 0),
                                                        max(index, clean))][-5:]
        listed = "".join(f"\n• {what}" for what in done)
        if self.toml.toPlainText() != self.doc.text():
            listed += "\n• text typed in the TOML tab"
        name = self.path.name if self.path else "this new spec"
        answer = QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {name} first?{listed}",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_discard():
            event.accept()
        else:
            event.ignore()
