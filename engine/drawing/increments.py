"""A new version of a diagram drawn into the drawing on screen, so that only what changed moves.

Graphviz lays each version of a diagram out afresh, and a new state can move every other part
of it. Here the drawing on screen (Graphviz's SVG) is changed instead:

- a new state is drawn as Graphviz would draw it, in free space among the states of its frame,
  lined up with them; when its frame has no room, the frame (and the frames around it) grow
  into free space to take it;
- a new arrow is a smooth curve between the borders of the states it joins, bent round what
  is in its way (or round by the states' sides), with its arrowhead and its label beside it
  in free space; when it could only run through a state, its new state is tried elsewhere;
- what is taken out of the spec is taken out of the drawing (a state, a frame, an arrow and
  its label);
- a label that needs another line, or new words wider than their box, widen or heighten the
  box about its centre, or away from what is beside it (the ends of its arrows follow);
- new words are written in place (:mod:`regflow.engine.drawing.relabel`).

Everything else keeps its coordinates exactly. When a change cannot be drawn in like this (a
new compound state, a state moved to another frame, a change of style, an arrow that could only
cross a state), :func:`redraw` says so and the caller lays the diagram out; a tidy layout on
demand is the caller's too.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from . import placing
from .dotlines import Source, Statement, label_lines, read
from .placing import Box
from .relabel import Words, relabel, words
from .textwidth import text_width

SVG, XLINK = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
_G, _TITLE, _A = f"{{{SVG}}}g", f"{{{SVG}}}title", f"{{{SVG}}}a"
_PATH, _POLYGON, _TEXT = f"{{{SVG}}}path", f"{{{SVG}}}polygon", f"{{{SVG}}}text"
_ELLIPSE, _HREF_TITLE = f"{{{SVG}}}ellipse", f"{{{XLINK}}}title"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
_ROOT_TAG = re.compile(r"<svg\b[^>]*>")
FONT_FAMILY = "Helvetica,sans-Serif"
MARGIN_X, MARGIN_Y = 9.0, 4.0  # a state's label to its border (margin="0.12,0.06", rounded)
MIN_WIDTH, MIN_HEIGHT = 54.0, 36.0  # Graphviz's smallest box: 0.75 by 0.5 inches
FRAME_PAD = 8.0  # a frame's border to the states inside it
FRAME_TITLE = 24.0  # the band at the top of a frame its title takes


@dataclass(frozen=True)
class Redrawn:
    svg: str
    #: "same", "relabelled" (new words only) or "drawn in" (states or arrows added, taken out
    #: or resized)
    how: str


def redraw(svg: str, old_source: str, new_source: str) -> Redrawn | None:
    """``svg`` (the drawing of ``old_source``) changed to draw ``new_source``; None when the
    change needs Graphviz to lay the diagram out."""
    old_words, new_words = words(old_source), words(new_source)
    if old_words.skeleton == new_words.skeleton:
        out = relabel(svg, old_words, new_words)
        if out is None:
            return None
        if out is svg:
            return Redrawn(svg, "same")
        changed = {i for i, t in new_words.texts.items() if old_words.texts.get(i) != t}
        if not any(i.startswith("s__") for i in changed):  # no state's words: nothing to fit
            return Redrawn(out, "relabelled")
        fitted = _fit(out, read(old_source), read(new_source), changed)
        return None if fitted is None else Redrawn(fitted, "relabelled")
    old, new = read(old_source), read(new_source)
    avoid: list[Box] = []
    for _attempt in range(4):  # a new state whose arrows cannot reach it cleanly: elsewhere
        drawing = _Drawing(svg, old, new, avoid)
        if drawing.apply(old_words, new_words):
            break
        if drawing.misplaced is None:
            return None
        avoid.append(drawing.misplaced)
    else:
        return None
    drawn = drawing.serialise()
    # the words of what was there already, now: written in place
    texts = {i: (old_words.texts[i] if i in old_words.texts and i not in drawing.redrawn else t)
             for i, t in new_words.texts.items()}
    out = relabel(drawn, Words(new_words.skeleton, texts), new_words)
    if out is None:
        return None
    changed = {i for i, t in texts.items() if new_words.texts[i] != t}
    fitted = _fit(out, read(old_source), read(new_source), changed) if changed else out
    return None if fitted is None else Redrawn(fitted, "drawn in")


def _fit(svg: str, old: Source, new: Source, ids: set[str]) -> str | None:
    """``svg`` with the boxes of states ``ids`` widened where their new words no longer fit.

    How wide the new words are is measured against the old ones, whose width Graphviz drew:
    a box widens by as much as its widest line grew beyond the room it had."""
    by_id = {s.svg_id: s for s in new.statements.values() if s.kind == "node" and s.svg_id}
    nodes = [by_id[i] for i in ids if i in by_id]
    if not nodes:
        return svg
    drawing = _Drawing(svg, new, new)
    for node in nodes:
        box = drawing.boxes.get(node.key)
        if box is None:
            return None
        room = box[2] - box[0] - 2 * MARGIN_X
        before = old.statements.get(node.key)
        was = max((text_width(t, z) for t, z, _c in drawing._lines(before)), default=0.0) \
            if before is not None else 0.0
        now = max((text_width(t, z) for t, z, _c in drawing._lines(node)), default=0.0)
        # Graphviz drew the old words at most ``room`` wide: the new ones in proportion
        needed = now * room / was if was > 0 else now
        if needed > room + 0.5 and not drawing.resize(node, needed + 2 * MARGIN_X, 0.0):
            return None
    return drawing.serialise() if drawing.redrawn else svg


def _numbers(text: str) -> list[float]:
    return [float(x) for x in _NUMBER.findall(text)]


def _shape_box(group: ET.Element) -> Box | None:
    for el in group.iter():
        if el.tag in (_PATH, _POLYGON):
            nums = _numbers(el.get("d") or el.get("points") or "")
            if len(nums) >= 4:
                xs, ys = nums[0::2], nums[1::2]
                return min(xs), min(ys), max(xs), max(ys)
        elif el.tag == _ELLIPSE:
            cx, cy, rx, ry = (float(el.get(k, "0")) for k in ("cx", "cy", "rx", "ry"))
            return cx - rx, cy - ry, cx + rx, cy + ry
    return None


def _text_box(el: ET.Element) -> Box:
    size = float(el.get("font-size", "9"))
    width = text_width(el.text or "", size)
    x, y = float(el.get("x", "0")), float(el.get("y", "0"))
    anchor = el.get("text-anchor", "start")
    x0 = x - width / 2 if anchor == "middle" else (x - width if anchor == "end" else x)
    return x0, y - size, x0 + width, y + size * 0.25


class _Drawing:
    """Graphviz's SVG as a tree, with the boxes of what is drawn, changed in place."""

    def __init__(self, svg: str, old: Source, new: Source, avoid: list[Box] | None = None):
        self.old, self.new = old, new
        self.avoid = avoid or []  # places tried for new states, whose arrows crossed states
        self.misplaced: Box | None = None  # such a place, found here
        self.root = ET.fromstring(svg)
        self.graph = next(g for g in self.root if g.tag == _G)
        self.groups: dict[str, ET.Element] = {}
        self.boxes: dict[str, Box] = {}
        self.labels: dict[str, Box] = {}  # an arrow's label, by the arrow's key
        self.curves: dict[str, list[placing.Point]] = {}
        self.titles: dict[str, list[Box]] = {}  # a frame's title, by the frame's key
        for group in self.graph.findall(_G):
            kind, title = group.get("class"), group.findtext(_TITLE) or ""
            if kind not in ("node", "cluster", "edge"):
                continue
            key = group.get("id", "") if kind == "edge" and group.get("id", "").startswith("e__") \
                else title
            self.groups[key] = group
            if kind == "edge":
                texts = [_text_box(t) for t in group.iter(_TEXT)]
                if texts:
                    self.labels[key] = (min(b[0] for b in texts), min(b[1] for b in texts),
                                        max(b[2] for b in texts), max(b[3] for b in texts))
                path = group.find(f".//{_PATH}")
                nums = _numbers(path.get("d", "")) if path is not None else []
                self.curves[key] = list(zip(nums[0::2], nums[1::2], strict=False))
            elif (box := _shape_box(group)) is not None:
                self.boxes[key] = box
                if kind == "cluster":
                    self.titles[key] = [_text_box(t) for t in group.iter(_TEXT)]
        background = self.graph.find(_POLYGON)
        if background is None:
            background = next(self.graph.iter(_POLYGON))
        self.background = background
        self.page = _shape_box(self.graph) or (0.0, 0.0, 0.0, 0.0)
        self.redrawn: set[str] = set()  # svg ids drawn anew (their words are new already)

    # -- what changed -----------------------------------------------------------------------

    def apply(self, old_words: Words, new_words: Words) -> bool:
        old, new = self.old, self.new
        old_lines, new_lines = old_words.skeleton.split("\n"), new_words.skeleton.split("\n")
        if [old_lines[n] for n in old.other] != [new_lines[n] for n in new.other]:
            return False  # the drawing's own settings or title lines
        kept = old.statements.keys() & new.statements.keys()
        for key in kept:
            a, b = old.statements[key], new.statements[key]
            if a.kind != b.kind or a.parent != b.parent or a.ends != b.ends:
                return False
        if any(s.kind == "cluster" for k, s in new.statements.items() if k not in old.statements):
            return False  # a new compound state: its frame is Graphviz's to place
        for key in old.statements.keys() - new.statements.keys():
            self.remove(key)
        for key in sorted(kept, key=lambda k: new.statements[k].line):
            a, b = old.statements[key], new.statements[key]
            if old_lines[a.line] == new_lines[b.line]:
                continue
            if b.kind == "edge":
                self.remove(key)
                if not self.add_edge(b):
                    return False
            elif b.kind == "node" and _without_words(a.attrs) == _without_words(b.attrs):
                box = self.boxes.get(key)
                if box is None or not self.resize(b, *self.node_size(b)):
                    return False
            else:
                return False
        added = [new.statements[k] for k in new.statements.keys() - old.statements.keys()]
        for node in sorted((s for s in added if s.kind == "node"), key=lambda s: s.line):
            if not self.add_node(node):
                return False
        for edge in sorted((s for s in added if s.kind == "edge"), key=lambda s: s.line):
            if not self.add_edge(edge):
                return False
        return True

    def remove(self, key: str) -> None:
        group = self.groups.pop(key, None)
        if group is not None:
            self.graph.remove(group)
        self.boxes.pop(key, None)
        self.labels.pop(key, None)
        self.curves.pop(key, None)

    # -- states -----------------------------------------------------------------------------

    def node_size(self, node: Statement) -> tuple[float, float]:
        if node.attrs.get("shape") == "point":
            return 8.64, 8.64
        lines = self._lines(node)
        width = max((text_width(t, s) for t, s, _c in lines), default=0.0) + 2 * MARGIN_X
        offsets = self._line_offsets(lines)
        height = offsets[-1][1] + MARGIN_Y * 2 if offsets else 0.0
        extra = 8.0 if node.attrs.get("peripheries") == "2" else 0.0
        return max(MIN_WIDTH, round(width + 0.49)) + extra, max(MIN_HEIGHT, height) + extra

    def _lines(self, node: Statement) -> list[tuple[str, float, str | None]]:
        defaults = self.new.defaults.get("node", {})
        size = float(node.attrs.get("fontsize", defaults.get("fontsize", "14")))
        return label_lines(node.attrs.get("label", node.key), size, node.attrs.get("fontcolor"))

    @staticmethod
    def _line_offsets(lines) -> list[tuple[float, float]]:
        """Each line's baseline below the top of the text, and the text's height (Graphviz's
        text layout: a line of 11 points takes about 12, of 9 points about 9.4)."""
        out, at = [], 0.0
        for _t, size, _c in lines:
            step = size * (12 / 11) if size >= 10 else size * (9.4 / 9)
            out.append((at + step * 0.8, at + step))
            at += step
        return [(base, at) for base, _ in out] if out else []

    def add_node(self, node: Statement) -> bool:
        width, height = self.node_size(node)
        parent = node.parent
        area = self._inner(parent)
        if area is None:
            return False
        siblings = [self.boxes[s.key] for s in self.new.children(parent)
                    if s.kind == "node" and s.key in self.boxes]
        ideal = self._ideal_spots(node, height)
        rows = [placing.centre(b)[1] for b in siblings] + [y for _x, y in ideal]
        near = ideal or [placing.centre(b) for b in siblings] or [placing.centre(area)]
        obstacles = self._obstacles(exclude={parent} if parent else set())
        links = [placing.centre(self.boxes[k]) for k in self._joined(node) if k in self.boxes]
        spot = placing.free_spot(area, width, height, obstacles, rows, near, links)
        if spot is None:
            spot = self._grow_for(node, width, height, rows, near)
            if spot is None:
                return False
        box = placing.box_at(spot, width, height)
        self.graph.append(self._node_group(node, box))
        self.boxes[node.key] = box
        self.redrawn.add(node.svg_id or node.key)
        return True

    def _joined(self, node: Statement) -> list[str]:
        """The states a new state's arrows join it to."""
        return [e.ends[1] if e.ends[0] == node.key else e.ends[0]
                for e in self.new.statements.values()
                if e.kind == "edge" and node.key in e.ends and e.ends[0] != e.ends[1]]

    def _ideal_spots(self, node: Statement, height: float) -> list[placing.Point]:
        """Where the new state would sit beside the states its arrows join, a rank below
        (after) or above (before) each, as a top-to-bottom layout puts them."""
        out = []
        rank = 32.0 + height / 2  # ranksep=0.45 inch
        for edge in self.new.statements.values():
            if edge.kind != "edge" or node.key not in edge.ends or edge.ends[0] == edge.ends[1]:
                continue
            tail, head = edge.ends
            other = head if tail == node.key else tail
            box = self.boxes.get(other)
            if box is None:
                continue
            x, _y = placing.centre(box)
            out.append((x, box[3] + rank) if other == tail else (x, box[1] - rank))
        return out

    def _inner(self, parent: str | None) -> Box | None:
        if parent is None:
            x0, y0, x1, y1 = self.page
            return x0 + 8, y0 + FRAME_TITLE, x1 - 8, y1 - 8
        box = self.boxes.get(parent)
        if box is None:
            return None
        return (box[0] + FRAME_PAD, box[1] + FRAME_TITLE, box[2] - FRAME_PAD, box[3] - FRAME_PAD)

    def _obstacles(self, exclude: set[str]) -> list[Box]:
        """Boxes a new state must keep clear of: states, frames other than its own and those
        around it, arrows' labels and (as a string of small boxes) their lines."""
        out = []
        for key, box in self.boxes.items():
            statement = self.new.statements.get(key)
            if key in exclude or statement is None:
                continue
            if statement.kind == "cluster" and any(key in self.new.ancestors(e) or key == e
                                                   for e in exclude if e in self.new.statements):
                continue  # a frame around the new state's frame
            out.append(box)
        out.extend(self.labels.values())
        out.extend(self._titles())
        out.extend(self.avoid)
        out.extend(self._lines_drawn())
        return out

    def _lines_drawn(self) -> list[Box]:
        """The arrows' lines, as a string of small boxes along each."""
        out = []
        for curve in self.curves.values():
            for n in range(0, len(curve) - 3, 3):
                for p in placing.samples(curve[n:n + 4], 8):
                    out.append((p[0] - 1, p[1] - 1, p[0] + 1, p[1] + 1))
        return out

    def _titles(self) -> list[Box]:
        return [b for boxes in self.titles.values() for b in boxes]

    def _grow_for(self, node: Statement, width: float, height: float, rows: list[float],
                  near: list[placing.Point]) -> placing.Point | None:
        """A spot just outside the new state's frame (or the page), to its right or below it,
        into which the frame and the frames around it can grow without covering anything
        outside them."""
        parent = node.parent
        frame = self.boxes[parent] if parent is not None else self.page
        chain = [parent, *self.new.ancestors(parent)] if parent is not None else []
        options: list[placing.Point] = []
        for y in rows or [placing.centre(frame)[1]]:
            options.append((frame[2] + placing.GAP + width / 2, y))
        for x, _y in near:
            if width + 2 * FRAME_PAD >= frame[2] - frame[0]:
                x = (frame[0] + frame[2]) / 2  # as wide as the frame: under its middle
            options.append((x, frame[3] + 2 * placing.GAP + height / 2))
        # never left of or above the page: the page grows to the right and downwards only
        options = [(max(x, self.page[0] + 8 + width / 2), max(y, self.page[1] + 8 + height / 2))
                   for x, y in options]
        obstacles = self._obstacles(set(chain))
        links = [placing.centre(self.boxes[k]) for k in self._joined(node) if k in self.boxes]
        options.sort(key=lambda p: (min(math.dist(p, q) for q in near) if near else 0)
                     + 400 * placing.in_the_way(p, links, obstacles))
        frames = {b for k, b in self.boxes.items()
                  if k in self.new.statements and self.new.statements[k].kind == "cluster"}
        for spot in options:
            box = placing.box_at(spot, width, height)
            # frames side by side are 8 apart in Graphviz's drawings: the grown one keeps 2
            if any(placing.overlaps(box, o, FRAME_PAD + 2 if o in frames else placing.GAP)
                   for o in obstacles):
                continue
            grown = self._grown(chain, box)
            if grown is None:
                continue
            frames, page = grown
            for key, new_box in frames.items():
                self._set_frame(key, new_box)
            self._grow_page(page)
            return spot
        return None

    def _grown(self, chain: list[str], box: Box) -> tuple[dict[str, Box], Box] | None:
        """The frames of ``chain`` (innermost first) grown to hold ``box``, and what the page
        must hold; None if a frame would then cover a state or frame that is not inside it."""
        out: dict[str, Box] = {}
        inner = (box[0] - FRAME_PAD, box[1] - FRAME_TITLE if chain else box[1] - FRAME_PAD,
                 box[2] + FRAME_PAD, box[3] + FRAME_PAD)
        for key in chain:
            frame = self.boxes[key]
            grown = placing.union(frame, inner)
            if grown == frame:
                return out, frame
            inside = {k for k in self.new.statements if key in self.new.ancestors(k)}
            outside = [b for k, b in self.boxes.items()
                       if k not in inside and k != key and k not in chain]
            if any(placing.overlaps(grown, b) and not placing.overlaps(frame, b) for b in outside):
                return None
            out[key] = grown
            inner = (grown[0] - FRAME_PAD, grown[1] - FRAME_PAD, grown[2] + FRAME_PAD,
                     grown[3] + FRAME_PAD)
        return out, inner

    def _grow_page(self, box: Box) -> None:
        """Make the page big enough for ``box`` (to the right and downwards only: what is drawn
        keeps its place on the page)."""
        x0, y0, x1, y1 = self.page
        nx1, ny1 = max(x1, box[2] + 4), max(y1, box[3] + 4)
        if (nx1, ny1) == (x1, y1):
            return
        self.page = (x0, y0, nx1, ny1)
        self.background.set("points", placing.points_attr(
            [(x0, ny1), (x0, y0), (nx1, y0), (nx1, ny1), (x0, ny1)]))
        view = _numbers(self.root.get("viewBox", ""))
        if len(view) == 4:
            width, height = view[2] + nx1 - x1, view[3] + ny1 - y1
            self.root.set("viewBox", f"{view[0]:.2f} {view[1]:.2f} {width:.2f} {height:.2f}")
            self.root.set("width", f"{width:.0f}pt")
            self.root.set("height", f"{height:.0f}pt")

    def _set_frame(self, key: str, box: Box) -> None:
        group = self.groups[key]
        old = self.boxes[key]
        path = group.find(f".//{_PATH}")
        if path is not None:
            path.set("d", placing.rounded_path(box))
        title = group.find(f".//{_TEXT}")
        if title is not None:  # the frame's title stays at its top, centred
            title.set("x", f"{(box[0] + box[2]) / 2:.2f}")
            title.set("y", f"{float(title.get('y', '0')) + box[1] - old[1]:.2f}")
            self.titles[key] = [_text_box(title)]
        self.boxes[key] = box

    def _node_group(self, node: Statement, box: Box) -> ET.Element:
        defaults = self.new.defaults.get("node", {})
        attrs = {**defaults, **node.attrs}
        ident = node.svg_id or f"node_{node.key}"
        group = ET.Element(_G, {"id": ident, "class": "node"})
        ET.SubElement(group, _TITLE).text = node.key
        holder = group
        if attrs.get("tooltip"):
            link = ET.SubElement(group, _G, {"id": f"a_{ident}"})
            holder = ET.SubElement(link, _A, {_HREF_TITLE: attrs["tooltip"]})
        fill, stroke = attrs.get("fillcolor", "white").lower(), attrs.get("color", "black").lower()
        width = attrs.get("penwidth", "1")
        if attrs.get("shape") == "point":
            cx, cy = placing.centre(box)
            ET.SubElement(holder, _ELLIPSE, {"fill": fill, "stroke": stroke, "stroke-width": width,
                                             "cx": f"{cx:.2f}", "cy": f"{cy:.2f}", "rx": "4.32",
                                             "ry": "4.32"})
            return group
        dashed = {"stroke-dasharray": "5,2"} if "dashed" in attrs.get("style", "") else {}
        if attrs.get("peripheries") == "2":
            inner = (box[0] + 4, box[1] + 4, box[2] - 4, box[3] - 4)
            ET.SubElement(holder, _PATH, {"fill": fill, "stroke": stroke, "stroke-width": width,
                                          **dashed, "d": placing.rounded_path(inner)})
            ET.SubElement(holder, _PATH, {"fill": "none", "stroke": stroke, "stroke-width": width,
                                          **dashed, "d": placing.rounded_path(box)})
        else:
            ET.SubElement(holder, _PATH, {"fill": fill, "stroke": stroke, "stroke-width": width,
                                          **dashed, "d": placing.rounded_path(box)})
        self._write_lines(holder, node, box)
        return group

    def _write_lines(self, holder: ET.Element, node: Statement, box: Box) -> None:
        lines = self._lines(node)
        offsets = self._line_offsets(lines)
        cx, cy = placing.centre(box)
        top = cy - (offsets[-1][1] if offsets else 0) / 2
        for (text, size, colour), (base, _h) in zip(lines, offsets, strict=True):
            el = ET.SubElement(holder, _TEXT, {"text-anchor": "middle", "x": f"{cx:.2f}",
                                               "y": f"{top + base:.2f}", "font-family": FONT_FAMILY,
                                               "font-size": f"{size:.2f}"})
            if colour:
                el.set("fill", colour.lower())
            el.text = _spaces(text)

    def resize(self, node: Statement, width: float, height: float, exact: bool = False) -> bool:
        """Draw state ``node`` ``width`` x ``height`` about its centre (with its words of now);
        the arrows that end at it follow its border. False when it would then cover something."""
        group, old = self.groups.get(node.key), self.boxes.get(node.key)
        if group is None or old is None:
            return False
        if not exact:
            width, height = max(width, old[2] - old[0]), max(height, old[3] - old[1])
        others = [b for k, b in self.boxes.items() if k != node.key
                  and not (self.new.statements.get(k) and self.new.statements[k].kind == "cluster"
                           and k in self.new.ancestors(node.key))]
        words = [*self.labels.values(), *self._titles()]
        cx, cy = placing.centre(old)
        top = cy - height / 2
        # about its centre; else, where something is in the way on one side, to the other
        choices = [(cx - width / 2, top, cx + width / 2, top + height),
                   (old[0], top, old[0] + width, top + height),
                   (old[2] - width, top, old[2], top + height)]
        box = next((b for b in choices if self._free_to_grow(old, b, others, words)), None)
        if box is None:
            return False
        grown = self._grown(self.new.ancestors(node.key), box)
        if grown is None:
            return False
        frames, page = grown
        for key, frame in frames.items():
            self._set_frame(key, frame)
        self._grow_page(page)
        parent = self.graph
        index = list(parent).index(group)
        parent.remove(group)
        parent.insert(index, self._node_group(node, box))
        self.groups[node.key] = parent[index]
        self.boxes[node.key] = box
        self._follow(node.key, old, box)
        self.redrawn.add(node.svg_id or node.key)
        return True

    @staticmethod
    def _free_to_grow(old: Box, box: Box, others: list[Box], words: list[Box]) -> bool:
        """Whether what ``box`` newly covers beyond ``old`` is free."""
        strips = [s for s in ((box[0], box[1], old[0], box[3]), (old[2], box[1], box[2], box[3]),
                              (box[0], box[1], box[2], old[1]), (box[0], old[3], box[2], box[3]))
                  if s[2] - s[0] > 0.01 and s[3] - s[1] > 0.01]
        return not any(placing.overlaps(s, b, 4) for s in strips for b in others) and \
            not any(placing.overlaps(s, b, 1) for s in strips for b in words)

    def _follow(self, key: str, old: Box, new: Box) -> None:
        """Move the ends of the arrows at state ``key`` from its old border to its new one:
        the end of the line, its last handle and the arrowhead, by as much as that side moved."""
        for edge in self.new.statements.values():
            if edge.kind != "edge" or key not in edge.ends or edge.key not in self.groups:
                continue
            group = self.groups[edge.key]
            path = group.find(f".//{_PATH}")
            if path is None:
                continue
            nums = _numbers(path.get("d", ""))
            points = list(zip(nums[0::2], nums[1::2], strict=False))
            if len(points) < 4:
                continue
            if edge.ends[0] == key and "ltail" not in edge.attrs:
                dx, dy = _side_shift(points[0], old, new)
                points[0] = (points[0][0] + dx, points[0][1] + dy)
                points[1] = (points[1][0] + dx, points[1][1] + dy)
            if edge.ends[1] == key and "lhead" not in edge.attrs:
                dx, dy = _side_shift(points[-1], old, new)
                points[-1] = (points[-1][0] + dx, points[-1][1] + dy)
                points[-2] = (points[-2][0] + dx, points[-2][1] + dy)
                for polygon in group.iter(_POLYGON):
                    nums = _numbers(polygon.get("points", ""))
                    polygon.set("points", placing.points_attr(
                        [(x + dx, y + dy) for x, y in zip(nums[0::2], nums[1::2], strict=False)]))
            path.set("d", placing.path_d(points))
            self.curves[edge.key] = points

    # -- arrows -----------------------------------------------------------------------------

    def add_edge(self, edge: Statement) -> bool:
        tail, head = edge.ends
        tail_box = self.boxes.get(edge.attrs.get("ltail", tail))
        head_box = self.boxes.get(edge.attrs.get("lhead", head))
        if tail_box is None or head_box is None:
            return False
        ends = {edge.attrs.get("ltail"), edge.attrs.get("lhead")}
        around = [k for k in self.new.ancestors(tail) if k in self.new.ancestors(head)
                  and k not in ends and k in self.boxes] if tail in self.new.statements \
            and head in self.new.statements else []
        kinds = {k: self.new.statements[k].kind for k in self.boxes if k in self.new.statements}
        frames = [b for k, b in self.boxes.items() if kinds.get(k) == "cluster"]
        borders = [edge for b in frames for edge in placing.sides(b)]
        curve, crossing = placing.route(
            tail_box, head_box, [b for k, b in self.boxes.items() if kinds.get(k) == "node"],
            self.boxes[around[0]] if around else self.page,
            [*self.labels.values(), *self._titles(), *borders], frames)
        if crossing:  # no way round a state: an arrow through one misleads
            added = [k for k in (tail, head) if k in self.new.statements
                     and k not in self.old.statements]
            if added:
                self.misplaced = self.boxes[added[0]]
            return False
        shortened, triangle = placing.arrowhead(curve)
        defaults = self.new.defaults.get("edge", {})
        attrs = {**defaults, **edge.attrs}
        colour = attrs.get("color", "black").lower()
        ident = edge.svg_id or f"edge_{edge.key}"
        group = ET.Element(_G, {"id": ident, "class": "edge"})
        ET.SubElement(group, _TITLE).text = f"{tail}->{head}"
        holder = group
        tip = attrs.get("tooltip")
        if tip:
            holder = ET.SubElement(ET.SubElement(group, _G, {"id": f"a_{ident}"}), _A,
                                   {_HREF_TITLE: tip})
        line = {"fill": "none", "stroke": colour}
        if "dashed" in attrs.get("style", ""):
            line["stroke-dasharray"] = "5,2"
        if "penwidth" in attrs:
            line["stroke-width"] = attrs["penwidth"]
        ET.SubElement(holder, _PATH, {**line, "d": placing.path_d(shortened)})
        head_attrs = {"fill": colour, "stroke": colour}
        if "penwidth" in attrs:
            head_attrs["stroke-width"] = attrs["penwidth"]
        ET.SubElement(holder, _POLYGON, {**head_attrs, "points": placing.points_attr(triangle)})
        label = attrs.get("label", "")
        if label:
            size = float(attrs.get("fontsize", "14"))
            lines = label.split("\n")
            width = max(text_width(t, size) for t in lines)
            step = size * 10 / 9
            height = step * len(lines)
            obstacles = [b for k, b in self.boxes.items()
                         if self.new.statements.get(k) and self.new.statements[k].kind == "node"]
            obstacles += [*self.labels.values(), *self._titles()]
            box = placing.label_spot(curve, width, height, obstacles,
                                     [*borders, *self._lines_drawn()])
            link = group
            if tip:
                link = ET.SubElement(ET.SubElement(group, _G, {"id": f"a_{ident}-label"}), _A,
                                     {_HREF_TITLE: tip})
            cx = (box[0] + box[2]) / 2
            for n, text in enumerate(lines):
                el = ET.SubElement(link, _TEXT, {"text-anchor": "middle", "x": f"{cx:.2f}",
                                                 "y": f"{box[1] + step * n + size:.2f}",
                                                 "font-family": FONT_FAMILY,
                                                 "font-size": f"{size:.2f}"})
                if "fontcolor" in attrs:
                    el.set("fill", attrs["fontcolor"].lower())
                el.text = _spaces(text)
            self.labels[edge.key] = box
        self.graph.append(group)
        self.groups[edge.key] = group
        self.curves[edge.key] = shortened
        self.redrawn.add(ident)
        return True

    # -- out --------------------------------------------------------------------------------

    def serialise(self) -> str:
        # ElementTree's prefixes are global, and another module (the SCXML format) takes the
        # default one: whatever prefix SVG's elements get is taken off again
        ET.register_namespace("xlink", XLINK)
        text = ET.tostring(self.root, encoding="unicode")
        prefixed = re.match(r"<(\w+):svg\b", text)
        if prefixed:  # text and attribute values hold no raw "<": only tags are touched
            text = re.sub(rf"(</?){prefixed.group(1)}:", r"\1", text)
        # the root's size first, as Graphviz writes it (and as the viewer reads it)
        root = self.root
        tag = (f'<svg width="{root.get("width")}" height="{root.get("height")}"\n'
               f' viewBox="{root.get("viewBox")}" xmlns="{SVG}" xmlns:xlink="{XLINK}">')
        return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + \
            _ROOT_TAG.sub(lambda _m: tag, text, count=1)


def _without_words(attrs: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in attrs.items() if k not in ("label", "tooltip", "labeltooltip")}


def _spaces(line: str) -> str:
    """Runs of spaces kept, as Graphviz keeps them (a space and no-break spaces)."""
    return re.sub(r" {2,}", lambda m: " " + "\u00a0" * (len(m.group()) - 1), line)


def _side_shift(p: placing.Point, old: Box, new: Box) -> placing.Point:
    """How far the side of ``old`` nearest ``p`` moved in ``new``."""
    x, y = p
    sides = [(abs(y - old[1]), (0.0, new[1] - old[1])), (abs(y - old[3]), (0.0, new[3] - old[3])),
             (abs(x - old[0]), (new[0] - old[0], 0.0)), (abs(x - old[2]), (new[2] - old[2], 0.0))]
    return min(sides)[1]
