"""The TOML tab's text box: numbered lines, because problems say "line 1793".

The line-number margin follows Qt's own code editor example: a widget painted beside the
viewport, as wide as the largest number needs.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget


class _Margin(QWidget):
    def __init__(self, text: NumberedText):
        super().__init__(text)
        self.text = text

    def sizeHint(self) -> QSize:
        return QSize(self.text.margin_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.text.paint_margin(event)


class NumberedText(QPlainTextEdit):
    """Plain text with its line numbers in a margin on the left."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.margin = _Margin(self)
        self.blockCountChanged.connect(lambda _n: self._fit_margin())
        self.updateRequest.connect(self._scrolled)
        self._fit_margin()

    def margin_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * digits

    def _fit_margin(self) -> None:
        self.setViewportMargins(self.margin_width(), 0, 0, 0)

    def _scrolled(self, rect: QRect, dy: int) -> None:
        if dy:
            self.margin.scroll(0, dy)
        else:
            self.margin.update(0, rect.y(), self.margin.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._fit_margin()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        area = self.contentsRect()
        self.margin.setGeometry(QRect(area.left(), area.top(), self.margin_width(),
                                      area.height()))

    def paint_margin(self, event: QPaintEvent) -> None:
        painter = QPainter(self.margin)
        painter.fillRect(event.rect(), QColor("#f3f3f3"))
        painter.setPen(QColor("#8a8a8a"))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                painter.drawText(0, top, self.margin.width() - 6, height,
                                 Qt.AlignmentFlag.AlignRight, str(block.blockNumber() + 1))
            block, top = block.next(), bottom
        painter.end()

    def show_line(self, line: int, column: int = 1) -> None:
        """Put the cursor on ``line`` (1-based) and scroll it to the middle."""
        block = self.document().findBlockByLineNumber(max(line - 1, 0))
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.Right, n=max(column - 1, 0))
        self.setTextCursor(cursor)
        self.centerCursor()
