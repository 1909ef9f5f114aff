"""Who the user is: the name recorded with their changes and the roles they hold.

Both are settings of the app on this computer (never the login name), kept as soon as they are
given; the roles make the app ask before a step that belongs to another role is recorded.
"""

from __future__ import annotations

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


class IdentityDialog(QDialog):
    """Your name and the roles you hold, among those the register's processes name."""

    def __init__(self, parent: QWidget | None, name: str, held: list[str], offered: list[str]):
        super().__init__(parent)
        self.setWindowTitle("Who you are")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(name)
        self.name.setObjectName("name")
        self.name.setPlaceholderText("as it should appear in the history")
        form.addRow("Your name", self.name)
        layout.addLayout(form)
        box = QGroupBox("Roles you hold")
        inner = QVBoxLayout(box)
        self.boxes: dict[str, QCheckBox] = {}
        for role in sorted(set(offered) | set(held)):
            check = QCheckBox(role)
            check.setChecked(role in held)
            self.boxes[role] = check
            inner.addWidget(check)
        if not self.boxes:
            inner.addWidget(QLabel("The processes of this register name no roles."))
        layout.addWidget(box)
        layout.addWidget(QLabel("With roles chosen, regflow asks before you record a step that "
                                "belongs to another role,\nand marks it in the history."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def roles(self) -> list[str]:
        return [role for role, check in self.boxes.items() if check.isChecked()]


def outside_note(step_role: str, held: list[str]) -> str:
    """What the history says of a step recorded by someone who does not hold its role."""
    return (f"[Recorded outside the recorder's roles: this step is for the {step_role}; they "
            f"hold {', '.join(held)}]")
