"""The connection dialog for a register on a database server (PostgreSQL)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ServerDialog(QDialog):
    """The server, database and user as a URL, and a password that is never remembered."""

    def __init__(self, parent: QWidget | None, address: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Open register on a database server")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("A register shared by a team, on a PostgreSQL server.\nLeave "
                                "the password empty if it comes from PGPASSWORD or ~/.pgpass."))
        form = QFormLayout()
        self.address = QLineEdit(address)
        self.address.setObjectName("address")
        self.address.setPlaceholderText("postgresql://user@server/database")
        self.address.setMinimumWidth(420)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Address", self.address)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #A0003C;")
        self.problem.setVisible(False)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _submit(self) -> None:
        problem = self._check()
        self.problem.setText(f"⚠ {problem}" if problem else "")
        self.problem.setVisible(bool(problem))
        if not problem:
            self.accept()

    def _check(self) -> str:
        text = self.address.text().strip()
        if not text.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
            return "write the address as postgresql://user@server/database"
        try:
            make_url(text.replace("postgres://", "postgresql://", 1))
        except ArgumentError:
            return "this is not a database address (postgresql://user@server/database)"
        return ""

    def url(self) -> str:
        """The address with the password, if one was typed (for this connection only)."""
        url = make_url(self.address.text().strip().replace("postgres://", "postgresql://", 1))
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        if self.password.text():
            url = url.set(password=self.password.text())
        return url.render_as_string(hide_password=False)
