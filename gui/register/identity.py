"""Who the user is: the name recorded with their changes and the roles they hold.

The name is a setting of the app on this computer (never the login name), kept as soon as it is
given. The roles are kept in the register (``Register.set_roles``), so that what one person
changes every desktop sees; they make the app ask before a step that belongs to another role is
recorded. The dialog only shows and collects: the main window reads and writes the register.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from regflow.engine.errors import RegflowError
from regflow.engine.register.api import User

#: what the dialog asks the register: the user of a name (None: not known to it)
Lookup = Callable[[str], "User | None"]


def roles_words(user: User | None) -> str:
    """A user's roles and who last set them, for a label or the status bar."""
    if user is None:
        return "The register has no roles recorded for this name yet."
    held = ", ".join(user.roles) or "no role"
    when = user.changed_at.astimezone().strftime("%d %b %Y %H:%M")
    return f"The register says: {held} (set by {user.changed_by}, {when})."


class IdentityDialog(QDialog):
    """Your name, and the roles the register records for you (``offered``: the roles its
    processes name; ``may_change``: whether this user may write the register)."""

    def __init__(self, parent: QWidget | None, name: str, offered: list[str], lookup: Lookup,
                 may_change: bool):
        super().__init__(parent)
        self.setWindowTitle("Who you are")
        self.lookup = lookup
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(name)
        self.name.setObjectName("name")
        self.name.setPlaceholderText("as it should appear in the history")
        self.name.editingFinished.connect(self._read_roles)
        form.addRow("Your name", self.name)
        layout.addLayout(form)
        box = QGroupBox("Roles you hold (kept in the register, the same for everyone)")
        inner = QVBoxLayout(box)
        self.boxes: dict[str, QCheckBox] = {}
        for role in sorted(offered):
            check = QCheckBox(role)
            check.setEnabled(may_change)
            self.boxes[role] = check
            inner.addWidget(check)
        if not self.boxes:
            inner.addWidget(QLabel("The processes of this register name no roles."))
        self.recorded = QLabel()
        self.recorded.setObjectName("recorded")
        self.recorded.setWordWrap(True)
        inner.addWidget(self.recorded)
        layout.addWidget(box)
        note = ("With roles chosen, regflow asks before you record a step that belongs to "
                "another role, and marks it in the history. Anyone who may change the register "
                "may change roles; each change is kept with who made it.")
        if not may_change:
            note = ("You may only read this register, so your roles cannot be changed from "
                    "here: ask someone who may change the register (regflow users set).")
        hint = QLabel(note)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self._read_roles()

    def _read_roles(self) -> None:
        """Tick the roles the register records for the name now typed."""
        try:
            user = self.lookup(self.name.text()) if self.name.text().strip() else None
        except RegflowError as err:  # e.g. a server role not allowed to read them
            user, words = None, f"The roles cannot be read: {err}."
        else:
            words = roles_words(user) if self.name.text().strip() else \
                "Give your name to see the roles the register records for you."
        held = set(user.roles) if user else set()
        for role, check in self.boxes.items():
            check.setChecked(role in held)
        self.recorded.setText(words)

    def roles(self) -> list[str]:
        return [role for role, check in self.boxes.items() if check.isChecked()]


def outside_note(step_role: str, held: list[str]) -> str:
    """What the history says of a step recorded by someone who does not hold its role."""
    return (f"[Recorded outside the recorder's roles: this step is for the {step_role}; they "
            f"hold {', '.join(held)}]")
