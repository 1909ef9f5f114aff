"""The statements of a diagram's DOT source, read back: which states, frames and arrows it has,
inside which frame, with what attributes.

Only the source :func:`~regflow.engine.drawing.diagram.diagram_source` writes is read (one
statement a line), to tell what changed between two versions of a drawing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_NAME = r'"((?:[^"\\]|\\.)*)"'
_NODE = re.compile(rf"^\s*{_NAME}\s*\[(.*)\];$")
_EDGE = re.compile(rf"^\s*{_NAME}\s*->\s*{_NAME}\s*(?:\[(.*)\])?;$")
_SUBGRAPH = re.compile(rf"^\s*subgraph\s+{_NAME}\s*\{{$")
_CLUSTER_ATTRS = re.compile(r"^\s*graph\s*\[(.*)\];$")
_DEFAULTS = re.compile(r"^\s*(node|edge)\s*\[(.*)\];$")
_KEY = re.compile(r"\s*,?\s*([A-Za-z_]+)\s*=\s*")
_FONT = re.compile(r'<FONT\b([^>]*)>', re.I)
_TAG = re.compile(r"<[^<>]*>")


@dataclass
class Statement:
    """A state (``node``), a compound state's frame (``cluster``) or an arrow (``edge``)."""

    kind: str
    key: str  #: node: its name; cluster: ``cluster_NAME``; edge: its id, else ``TAIL->HEAD``
    parent: str | None  #: the key of the frame it is drawn in
    attrs: dict[str, str]
    line: int  #: its index among the source's lines
    ends: tuple[str, str] = ("", "")

    @property
    def svg_id(self) -> str | None:
        return self.attrs.get("id")


@dataclass
class Source:
    statements: dict[str, Statement] = field(default_factory=dict)
    defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    other: list[int] = field(default_factory=list)  #: lines that are no statement of these

    def children(self, key: str | None) -> list[Statement]:
        return [s for s in self.statements.values() if s.parent == key]

    def ancestors(self, key: str) -> list[str]:
        out, at = [], self.statements[key].parent
        while at is not None:
            out.append(at)
            at = self.statements[at].parent
        return out


def read(source: str) -> Source:
    out = Source()
    stack: list[str] = []
    for n, line in enumerate(source.splitlines()):
        if found := _SUBGRAPH.match(line):
            stack.append(unquote(found.group(1)))
            continue
        if line.strip() == "}" and stack:
            stack.pop()
            continue
        parent = stack[-1] if stack else None
        if stack and (found := _CLUSTER_ATTRS.match(line)):
            key = stack[-1]
            out.statements[key] = Statement("cluster", key, stack[-2] if len(stack) > 1 else None,
                                            attributes(found.group(1)), n)
        elif found := _EDGE.match(line):
            tail, head = unquote(found.group(1)), unquote(found.group(2))
            attrs = attributes(found.group(3) or "")
            key = attrs.get("id") or f"{tail}->{head}"
            out.statements[key] = Statement("edge", key, parent, attrs, n, (tail, head))
        elif found := _NODE.match(line):
            key = unquote(found.group(1))
            out.statements[key] = Statement("node", key, parent, attributes(found.group(2)), n)
        else:
            if found := _DEFAULTS.match(line):
                out.defaults[found.group(1)] = attributes(found.group(2))
            out.other.append(n)
    return out


def attributes(text: str) -> dict[str, str]:
    """``a=1, b="x", c=<html>`` as a dict of unquoted values (HTML labels kept as ``<...>``)."""
    out, at = {}, 0
    while True:
        found = _KEY.match(text, at)
        if not found:
            return out
        name, at = found.group(1), found.end()
        if at < len(text) and text[at] == '"':
            end = at + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out[name], at = unquote(text[at + 1:end]), end + 1
        elif at < len(text) and text[at] == "<":
            end = html_end(text, at)
            out[name], at = text[at:end], end
        else:
            end = at
            while end < len(text) and text[end] not in ", ]":
                end += 1
            out[name], at = text[at:end], end


def label_lines(label: str, size: float, colour: str | None = None) -> list[tuple[str, float, str | None]]:
    """The lines of a label as ``(text, font size, colour)``: a DOT string's ``\\n`` lines, or
    an HTML label's ``<BR/>`` lines in their ``<FONT>``."""
    if not label.startswith("<"):
        return [(line, size, colour) for line in label.split("\n")] if label else []
    out = []
    for part in re.split(r"<BR\s*/?>", label[1:-1], flags=re.I):
        line_size, line_colour = size, colour
        for font in _FONT.finditer(part):
            attrs = attributes(font.group(1).replace("POINT-SIZE", "size").replace("COLOR", "color"))
            line_size = float(attrs.get("size", line_size))
            line_colour = attrs.get("color", line_colour)
        out.append((html.unescape(_TAG.sub("", part)), line_size, line_colour))
    return out


def html_end(text: str, start: int) -> int:
    """The end of the HTML label ``<...>`` starting at ``start`` (its tags nest inside)."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"<": 1, ">": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return len(text)


def unquote(value: str) -> str:
    """A DOT string's text (without its quotes): ``\\n`` a new line, other escapes dropped."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)
