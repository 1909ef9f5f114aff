"""Bringing the TOML tab in step with an edit made elsewhere (the form, undo) by replacing
only the lines that changed: the highlighter then colours only those lines again (all 2,000
lines of the CIW spec take tens of milliseconds), and the tab keeps its scroll position."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit


def show_text(box: QPlainTextEdit, text: str) -> None:
    """Make ``box`` show ``text``, without its ``textChanged`` signal (not typed there)."""
    old = box.toPlainText()
    if old == text:
        return
    box.blockSignals(True)
    try:
        if not (old.isascii() and text.isascii()) and any(
                ord(c) > 0xFFFF for c in old + text):
            box.setPlainText(text)  # positions would count in UTF-16 units: replace it all
            return
        start = 0
        limit = min(len(old), len(text))
        while start < limit and old[start] == text[start]:
            start += 1
        end = 0
        while end < limit - start and old[-1 - end] == text[-1 - end]:
            end += 1
        cursor = QTextCursor(box.document())
        cursor.setPosition(start)
        cursor.setPosition(len(old) - end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text[start:len(text) - end])
    finally:
        box.blockSignals(False)
