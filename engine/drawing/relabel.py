"""New words on a laid-out diagram without laying it out again.

While a spec is edited, most edits change words only: a state's label, a title, a tooltip (a
change of "25 working days" to "30" does not change the drawing at all). Graphviz would lay
the whole diagram out afresh for each and things would jump about. Here the DOT source is read
into its *skeleton* (everything that places things: states, arrows, frames, styles, and the
number of lines of each label) and its words (each label's lines, each tooltip). When the
skeleton of the new source is that of the drawing on screen, the drawing's SVG gets the new
words in place: nothing moves, and no Graphviz run. Otherwise the caller lays it out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .dotlines import html_end, label_lines, unquote

_ATTRIBUTE = re.compile(r'\b(label|tooltip|labeltooltip)=("(?:[^"\\]|\\.)*"|<)')
_ID = re.compile(r'\bid="((?:[^"\\]|\\.)*)"')
_TAG = re.compile(r"<[^<>]*>")
_GROUP = re.compile(r'<g id="([^"]+)" class="(node|cluster|edge)">')
_TEXT = re.compile(r"(<text\b)([^>]*)>(.*?)</text>", re.S)
_TITLE = re.compile(r'xlink:title="[^"]*"')
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_TOP = "graph0"  # the SVG id of the whole drawing (its title)


@dataclass(frozen=True)
class Words:
    """The words of one diagram's DOT source, and what is left without them."""

    skeleton: str
    #: svg id -> (the lines of its label, its tooltip)
    texts: dict[str, tuple[tuple[str, ...], str]]


def words(source: str) -> Words:
    """Read DOT ``source`` (as :func:`~regflow.engine.drawing.diagram.diagram_source` writes
    it: one statement a line) into its skeleton and words."""
    skeleton, texts = [], {}
    for line in source.splitlines():
        found = _ID.search(line)
        ident = _dot_string(f'"{found.group(1)}"') if found else (
            _TOP if line.startswith("  graph [") else None)
        lines: tuple[str, ...] = ()
        tooltip = ""
        out, at = [], 0
        for match in _ATTRIBUTE.finditer(line):
            if match.start() < at:
                continue  # inside an HTML label already read
            name, value = match.group(1), match.group(2)
            end = html_end(line, match.start(2)) if value == "<" else match.end()
            value = line[match.start(2):end]
            out.append(line[at:match.start(2)])
            if name == "label":
                lines, shape = _label_lines(value)
                out.append(shape)
            else:
                tooltip = _dot_string(value)
            at = end
        out.append(line[at:])
        skeleton.append("".join(out))
        if ident is not None:
            texts[ident] = (lines, tooltip)
    return Words("\n".join(skeleton), texts)


def relabel(svg: str, old: Words, new: Words) -> str | None:
    """``svg`` (Graphviz's drawing of the source ``old`` was read from) with the words of
    ``new``; None when the drawing would change shape (a new state or arrow, a label with
    more or fewer lines): that needs a layout."""
    if old.skeleton != new.skeleton:
        return None
    changed = {ident for ident, text in new.texts.items() if old.texts.get(ident) != text}
    if not changed:
        return svg
    groups = list(_GROUP.finditer(svg))
    ranges: dict[str, tuple[int, int, str]] = {}
    top = svg.find(f'<g id="{_TOP}"')
    if top >= 0:
        ranges[_TOP] = (top, groups[0].start() if groups else len(svg), "graph")
    for n, group in enumerate(groups):
        end = groups[n + 1].start() if n + 1 < len(groups) else len(svg)
        ranges[html.unescape(group.group(1))] = (group.start(), end, group.group(2))
    edits: list[tuple[int, int, str]] = []
    for ident in changed:
        if ident not in ranges:
            return None
        start, end, kind = ranges[ident]
        part = _relabel_part(svg[start:end], kind, *new.texts[ident],
                             tooltip_changed=old.texts[ident][1] != new.texts[ident][1])
        if part is None:
            return None
        edits.append((start, end, part))
    out, at = [], 0
    for start, end, part in sorted(edits):
        out += [svg[at:start], part]
        at = end
    out.append(svg[at:])
    return "".join(out)


def _relabel_part(part: str, kind: str, lines: tuple[str, ...], tooltip: str,
                  tooltip_changed: bool) -> str | None:
    texts = list(_TEXT.finditer(part))
    if len(texts) != len(lines):
        return None  # Graphviz drew this label otherwise than expected: lay it out
    centre = _centre(part) if kind == "node" else None
    out, at = [], 0
    for match, line in zip(texts, lines, strict=True):
        attrs = match.group(2)
        if centre is not None and 'text-anchor="start"' in attrs:
            # each line of a state's label was placed to look centred at its old length
            attrs = attrs.replace('text-anchor="start"', 'text-anchor="middle"')
            attrs = re.sub(r'\bx="[^"]*"', f'x="{centre:.2f}"', attrs, count=1)
        out += [part[at:match.start()], f"{match.group(1)}{attrs}>{_svg_text(line)}</text>"]
        at = match.end()
    out.append(part[at:])
    result = "".join(out)
    if tooltip_changed:
        title = f'xlink:title="{html.escape(tooltip, quote=True)}"'
        result = _TITLE.sub(lambda _m: title, result)
    return result


def _centre(part: str) -> float | None:
    """The middle, left to right, of a state's shape."""
    shape = re.search(r'<(?:path|polygon)\b[^>]*?\b(?:d|points)="([^"]*)"', part)
    if shape is None:
        return None
    xs = [float(x) for x in _NUMBER.findall(shape.group(1))[0::2]]
    return (min(xs) + max(xs)) / 2 if xs else None


def _svg_text(line: str) -> str:
    """A line as Graphviz writes it in SVG: escaped, runs of spaces kept."""
    text = html.escape(line, quote=True)
    return re.sub(r" {2,}", lambda m: " " + "&#160;" * (len(m.group()) - 1), text)


def _label_lines(value: str) -> tuple[tuple[str, ...], str]:
    """A label's lines, and its shape: how many lines, in which fonts."""
    if value.startswith("<"):
        lines = tuple(text for text, _size, _colour in label_lines(value, 0.0))
        return lines, "<" + "".join(_TAG.findall(value[1:-1])) + ">"
    text = _dot_string(value)
    lines = tuple(text.split("\n")) if text else ()
    return lines, f"<{len(lines)} lines>"


def _dot_string(value: str) -> str:
    return unquote(value[1:-1])
