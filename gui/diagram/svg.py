"""A spec's laid-out diagram whose highlight can change without laying it out again.

Graphviz lays a spec out once (:func:`layout_svg`, cached by the spec's hash). The SVG is then
cut into fixed text and *slots*: the opening tags of each state's and arrow's shapes. Showing a
case is filling the slots (fill, border colour, width, dash) and adding small marks, then joining
the pieces: no layout, nothing moves, and it takes well under a millisecond.

How states look (colour is never the only sign):
- where the case is: orange fill, thick solid border, a ``▶`` mark;
- already travelled: pale blue fill, a ``✓`` mark;
- a limit breached there: reddish-purple dashed border, a ``⚠`` mark;
- arrows that can be taken now: thick orange line and bold label.
Colours are from the Okabe-Ito palette (safe for colour-blind readers).
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from regflow.engine.drawing.diagram import (
    ACTIVE_FILL,
    ACTIVE_LINE,
    MISSED_LINE,
    TRAVELLED_FILL,
    Highlight,
    diagram_source,
    edge_groups,
    state_id,
)
from regflow.engine.spec.model import Spec

ACTION_LINE = ACTIVE_LINE
MARKS = {"active": "▶", "travelled": "✓", "missed": "⚠"}

_GROUP = re.compile(r'<g id="((?:s|e)__[^"]+)" class="(node|cluster|edge)">')
_SHAPE = re.compile(r"<(path|polygon|ellipse|text)\b([^>]*?)(/?)>")
_ATTR = re.compile(r'\s([a-z-]+)="([^"]*)"')
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_ROOT = re.compile(r'<svg width="[^"]*" height="[^"]*"\s+viewBox="([^"]*)"')
_TRANSLATE = re.compile(r'class="graph" transform="[^"]*translate\(([-\d.]+) ([-\d.]+)\)"')

#: how many times Graphviz was run in this process (a case's steps must not add to it)
layout_runs = 0


def _cache_dir() -> Path | None:
    try:
        from platformdirs import user_cache_path

        folder = user_cache_path("regflow", appauthor=False) / "layouts"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except OSError:
        return None


_memory: dict[str, str] = {}


@functools.cache
def _dot_version() -> str:
    try:
        done = subprocess.run(["dot", "-V"], capture_output=True, text=True, timeout=10)
        return (done.stderr or done.stdout).strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def layout_svg(spec: Spec) -> str:
    """The spec's diagram laid out by Graphviz as SVG text, once per spec text (kept in memory
    and in the user's cache folder, so the app starts without laying out again)."""
    global layout_runs
    source = diagram_source(spec)
    key = hashlib.sha256(source.encode()).hexdigest()[:32]
    if key in _memory:
        return _memory[key]
    folder = _cache_dir()
    version = hashlib.sha256(_dot_version().encode()).hexdigest()[:8]
    cached = folder / f"{key}-{version}.svg" if folder else None
    if cached is not None and cached.is_file():
        text = cached.read_text(encoding="utf-8")
    else:
        from regflow.plugins.exporters import render_bytes

        layout_runs += 1
        text = render_bytes(spec, "svg").decode("utf-8")
        if cached is not None:
            partial = cached.with_suffix(f".{os.getpid()}.{threading.get_ident()}.partial")
            try:
                partial.write_text(text, encoding="utf-8")
                partial.replace(cached)
            except OSError:
                pass  # a cache that cannot be written only costs time
    _memory[key] = text
    return text


@dataclass
class _Slot:
    start: int
    end: int
    tag: str
    attrs: dict[str, str]
    close: str


@dataclass
class _Item:
    kind: str  # node | cluster | edge
    slots: list[_Slot] = field(default_factory=list)
    box: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1 in graph units


class DiagramSvg:
    """The laid-out diagram of ``spec``, ready to be shown with any case's highlight."""

    def __init__(self, spec: Spec, svg: str | None = None):
        self.spec = spec
        text = svg if svg is not None else layout_svg(spec)
        # width and height in the viewBox's own units, so that SVG and view coordinates agree
        match = _ROOT.search(text)
        if match:
            box = match.group(1).split()
            text = (text[:match.start()] + f'<svg width="{box[2]}" height="{box[3]}" '
                    f'viewBox="{match.group(1)}"' + text[match.end():])
        self.text = text
        offset = _TRANSLATE.search(text)
        self.offset = (float(offset.group(1)), float(offset.group(2))) if offset else (0.0, 0.0)
        self.items: dict[str, _Item] = {}
        self._parse()
        self.states = {name for name in spec.states if state_id(name) in self.items}
        groups = edge_groups(spec)
        #: the events drawn on each arrow, and the states they leave
        self.edge_events: dict[str, tuple[str, ...]] = {
            edge_id: tuple(dict.fromkeys(t.event for t in group)) for edge_id, _key, group in groups}
        self.edge_sources: dict[str, frozenset[str]] = {
            edge_id: frozenset(s for t in group for s in t.sources) for edge_id, _key, group in groups}

    def _parse(self) -> None:
        text = self.text
        groups = list(_GROUP.finditer(text))
        for n, group in enumerate(groups):
            end = groups[n + 1].start() if n + 1 < len(groups) else len(text)
            item = _Item(group.group(2))
            for shape in _SHAPE.finditer(text, group.end(), end):
                if shape.group(1) == "text" and item.kind != "edge":
                    continue
                attrs = dict(_ATTR.findall(shape.group(2)))
                item.slots.append(_Slot(shape.start(), shape.end(), shape.group(1), attrs,
                                        shape.group(3)))
                if item.box is None and shape.group(1) != "text":
                    item.box = self._box(shape.group(1), attrs)
                if item.kind == "cluster":
                    break  # a frame: its first shape; the rest are the frame's title
            self.items[group.group(1)] = item

    @staticmethod
    def _box(tag: str, attrs: dict[str, str]) -> tuple[float, float, float, float] | None:
        if tag == "ellipse":
            cx, cy, rx, ry = (float(attrs[k]) for k in ("cx", "cy", "rx", "ry"))
            return cx - rx, cy - ry, cx + rx, cy + ry
        numbers = [float(x) for x in _NUMBER.findall(attrs.get("d") or attrs.get("points", ""))]
        if len(numbers) < 4:
            return None
        xs, ys = numbers[0::2], numbers[1::2]
        return min(xs), min(ys), max(xs), max(ys)

    def state_box(self, name: str) -> tuple[float, float, float, float] | None:
        """Where state ``name`` is drawn, in SVG document units (x0, y0, x1, y1)."""
        item = self.items.get(state_id(name))
        if item is None or item.box is None:
            return None
        x0, y0, x1, y1 = item.box
        dx, dy = self.offset
        return x0 + dx, y0 + dy, x1 + dx, y1 + dy

    def render(self, highlight: Highlight | None = None,
               actionable: frozenset[str] = frozenset()) -> bytes:
        """The SVG with ``highlight`` shown and the arrows of the ``actionable`` events (from
        the active states) drawn as things that can be done now."""
        hl = highlight or Highlight()
        changes: list[tuple[int, int, str]] = []
        for name in self.states:
            active, missed = name in hl.active, name in hl.missed
            travelled = name in hl.travelled and not active
            if not (active or missed or travelled):
                continue
            item = self.items[state_id(name)]
            style: dict[str, str] = {}
            if item.kind == "cluster":
                if active:  # a frame keeps its fill: the whole diagram would turn orange
                    style = {"stroke": ACTIVE_LINE, "stroke-width": "2.4"}
            elif active:
                style = {"fill": ACTIVE_FILL, "stroke": ACTIVE_LINE, "stroke-width": "3"}
            elif travelled:
                style = {"fill": TRAVELLED_FILL}
            if missed:
                style.update({"stroke": MISSED_LINE, "stroke-width": "3", "stroke-dasharray": "6,3"})
            mark = "".join(MARKS[k] for k, on in (("active", active and item.kind == "node"),
                                                   ("travelled", travelled and item.kind == "node"),
                                                   ("missed", missed)) if on)
            for i, slot in enumerate(item.slots):
                attrs = dict(slot.attrs)
                for key, value in style.items():
                    if key == "fill" and attrs.get("fill") in ("none", None):
                        continue  # the outer ring of a final state stays open
                    attrs[key] = value
                extra = self._mark(item, mark, missed) if i == 0 and mark else ""
                changes.append((slot.start, slot.end, self._tag(slot, attrs) + extra))
        active_edges = self.actionable_edges(hl, actionable)
        for edge_id in active_edges:
            for slot in self.items[edge_id].slots:
                attrs = dict(slot.attrs)
                if slot.tag == "text":
                    attrs.update({"font-weight": "bold", "fill": ACTION_LINE})
                else:
                    attrs.update({"stroke": ACTION_LINE, "stroke-width": "2.5"})
                    if attrs.get("fill") not in ("none", None):
                        attrs["fill"] = ACTION_LINE
                changes.append((slot.start, slot.end, self._tag(slot, attrs)))
        changes.sort()
        out, at = [], 0
        for start, end, replacement in changes:
            out.append(self.text[at:start])
            out.append(replacement)
            at = end
        out.append(self.text[at:])
        return "".join(out).encode("utf-8")

    def actionable_edges(self, hl: Highlight, actionable: frozenset[str]) -> list[str]:
        """Arrows that stand for something that can be recorded now."""
        return [edge_id for edge_id, events in self.edge_events.items()
                if edge_id in self.items and set(events) & actionable
                and self.edge_sources[edge_id] & hl.active]

    @staticmethod
    def _tag(slot: _Slot, attrs: dict[str, str]) -> str:
        body = "".join(f' {k}="{v}"' for k, v in attrs.items())
        return f"<{slot.tag}{body}{slot.close}>"

    @staticmethod
    def _mark(item: _Item, mark: str, missed: bool) -> str:
        if item.box is None:
            return ""
        x0, y0, _x1, _y1 = item.box
        colour = MISSED_LINE if missed else "#333333"
        width = 8 + 9 * len(mark)
        # a badge on the top-left corner, outside the label
        return (f'<rect x="{x0 - 6:.1f}" y="{y0 - 8:.1f}" width="{width}" height="14" rx="7" '
                f'fill="#FFFFFF" stroke="{colour}" stroke-width="1"/>'
                f'<text x="{x0 - 2:.1f}" y="{y0 + 3:.1f}" font-family="DejaVu Sans,sans-serif" '
                f'font-size="10" font-weight="bold" fill="{colour}">{html.escape(mark)}</text>')
