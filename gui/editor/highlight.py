"""Colours for the TOML tab, so that a person reading a spec's raw text sees its parts at a glance:
table headers, keys, text, numbers and dates, comments.

Colours are from the Okabe-Ito palette, dark enough on white to read (contrast above 4.5:1);
colour is never the only sign (headers are also bold, comments italic). Multi-line text
(``\"\"\"...\"\"\"``) carries over from one line to the next through the block state.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument


def _format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


#: what each part of a TOML line looks like
FORMATS = {
    "header": _format("#0B4F8A", bold=True),  # dark blue
    "key": _format("#8A3B00"),  # dark orange
    "string": _format("#00704A"),  # bluish green, darkened
    "number": _format("#9E2A73"),  # reddish purple, darkened
    "comment": _format("#6B6B6B", italic=True),
}

_HEADER = re.compile(r"^\s*\[\[?[^\]#]*\]\]?")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_\-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
                  r"""(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*=""")
_INLINE_KEY = re.compile(r"""([{,]\s*)([A-Za-z0-9_\-]+|"(?:[^"\\]|\\.)*")\s*=""")
_STRING = re.compile(r'"""|\'\'\'|"(?:[^"\\\n]|\\.)*"?|\'[^\'\n]*\'?')
_NUMBER = re.compile(r"(?<![\w.\-])(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
                     r"|\d{2}:\d{2}(?::\d{2})?|[+-]?(?:inf|nan)|[+-]?\d[\d_]*(?:\.\d[\d_]*)?"
                     r"(?:[eE][+-]?\d+)?|true|false)(?![\w\-])")

#: block states: outside multi-line text, inside \"\"\"...\"\"\", inside '''...'''
_OUTSIDE, _IN_BASIC, _IN_LITERAL = -1, 1, 2
_CLOSERS = {_IN_BASIC: '"""', _IN_LITERAL: "'''"}


class TomlHighlighter(QSyntaxHighlighter):
    """Highlights the TOML of a spec in ``document``."""

    def __init__(self, document: QTextDocument):
        super().__init__(document)

    def highlightBlock(self, text: str) -> None:
        self.setCurrentBlockState(_OUTSIDE)
        start = 0
        state = self.previousBlockState()
        if state in _CLOSERS:  # the line continues a multi-line text
            end = text.find(_CLOSERS[state])
            if end < 0:
                self.setFormat(0, len(text), FORMATS["string"])
                self.setCurrentBlockState(state)
                return
            start = end + 3
            self.setFormat(0, start, FORMATS["string"])
        header = _HEADER.match(text, start) if start == 0 else None
        if header:
            self.setFormat(header.start(), header.end() - header.start(), FORMATS["header"])
            start = header.end()
        elif start == 0 and (key := _KEY.match(text)):
            self.setFormat(key.start(1), key.end(1) - key.start(1), FORMATS["key"])
            start = key.end()
        self._values(text, start)

    def _values(self, text: str, at: int) -> None:
        """Strings, numbers, inline keys and the comment of ``text`` from ``at`` on."""
        strings: list[tuple[int, int]] = []
        begin = at
        while at < len(text):
            if text[at] == "#":
                self.setFormat(at, len(text) - at, FORMATS["comment"])
                break
            match = _STRING.match(text, at)
            if match is None:
                at += 1
                continue
            if match.group() in ('"""', "'''"):
                closer = match.group()
                end = text.find(closer, match.end())
                if end < 0:  # the text goes on over the next lines
                    self.setFormat(at, len(text) - at, FORMATS["string"])
                    self.setCurrentBlockState(_IN_BASIC if closer == '"""' else _IN_LITERAL)
                    return
                stop = end + 3
            else:
                stop = match.end()
            self.setFormat(at, stop - at, FORMATS["string"])
            strings.append((at, stop))
            at = stop
        for found in _NUMBER.finditer(text, begin):
            if not any(s <= found.start() < e for s, e in strings) and not self._in_comment(
                    found.start()):
                self.setFormat(found.start(), found.end() - found.start(), FORMATS["number"])
        for found in _INLINE_KEY.finditer(text, begin):
            if not any(s <= found.start(2) < e for s, e in strings):
                self.setFormat(found.start(2), found.end(2) - found.start(2), FORMATS["key"])

    def _in_comment(self, position: int) -> bool:
        return self.format(position).fontItalic()
