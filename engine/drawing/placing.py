"""Where a new state or arrow goes on a drawing that must not move: free space, and curves.

Pure geometry in the drawing's own units (Graphviz's points, y growing downwards as in its SVG).
Boxes are ``(x0, y0, x1, y1)`` with ``x0 < x1`` and ``y0 < y1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

Box = tuple[float, float, float, float]
Point = tuple[float, float]

GAP = 14.0  # between a new state and anything else (Graphviz keeps 25 between neighbours)
ARROW = 7.0  # arrowhead length at arrowsize=0.7, as Graphviz draws it
ARROW_HALF = 2.45


def overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def contains(outer: Box, inner: Box, margin: float = 0.0) -> bool:
    return (outer[0] + margin <= inner[0] and outer[1] + margin <= inner[1]
            and inner[2] <= outer[2] - margin and inner[3] <= outer[3] - margin)


def union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def sides(box: Box, width: float = 1.0) -> list[Box]:
    """The four sides of a frame, as thin boxes (what a label or a line should not lie on)."""
    x0, y0, x1, y1 = box
    return [(x0 - width, y0, x0 + width, y1), (x1 - width, y0, x1 + width, y1),
            (x0, y0 - width, x1, y0 + width), (x0, y1 - width, x1, y1 + width)]


def centre(box: Box) -> Point:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def box_at(point: Point, width: float, height: float) -> Box:
    x, y = point
    return x - width / 2, y - height / 2, x + width / 2, y + height / 2


def free_spot(area: Box, width: float, height: float, obstacles: Sequence[Box],
              rows: Iterable[float], near: Sequence[Point], links: Sequence[Point] = (),
              step: float = 6.0) -> Point | None:
    """The centre of a ``width`` x ``height`` box inside ``area`` clear of ``obstacles`` by
    :data:`GAP`; on one of the ``rows`` (the centres of the states beside it, so it lines up
    with them as Graphviz's ranks do) if one has room, else anywhere; nearest to ``near``, and
    of the nearest few, the one with least in the way of straight lines to ``links`` (the
    states its arrows join)."""
    inside = [o for o in obstacles if overlaps(o, area, GAP)]
    x_lo, x_hi = area[0] + width / 2, area[2] - width / 2
    y_lo, y_hi = area[1] + height / 2, area[3] - height / 2
    if x_lo > x_hi or y_lo > y_hi:
        return None

    def cost(p: Point) -> float:
        return min((math.dist(p, q) for q in near), default=0.0)

    def search(ys: Iterable[float], x_step: float) -> Point | None:
        found: list[tuple[float, Point]] = []
        for y in ys:
            if not y_lo <= y <= y_hi:
                continue
            band = [o for o in inside if o[1] < y + height / 2 + GAP and y - height / 2 - GAP < o[3]]
            x = x_lo
            while x <= x_hi:
                box = box_at((x, y), width, height)
                hit = next((o for o in band if overlaps(box, o, GAP)), None)
                if hit is None:
                    found.append((cost((x, y)), (x, y)))
                    x += x_step
                else:
                    x = max(x + x_step, hit[2] + GAP + width / 2)  # jump past what is in the way
        if not found:
            return None
        found.sort()
        return min(found[:120], key=lambda f: f[0] + 400 * in_the_way(f[1], links, inside))[1]

    found = search(sorted(set(rows)), step)
    if found is None:
        n = max(1, int((y_hi - y_lo) / (step * 2)))
        found = search((y_lo + (y_hi - y_lo) * i / n for i in range(n + 1)), step * 2)
    return found


def in_the_way(p: Point, links: Sequence[Point], obstacles: Sequence[Box]) -> int:
    """How many obstacles the straight lines from ``p`` to ``links`` cross."""
    hits = 0
    for q in links:
        line = (min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))
        near = [o for o in obstacles if overlaps(o, line)]
        steps = [(p[0] + (q[0] - p[0]) * i / 16, p[1] + (q[1] - p[1]) * i / 16) for i in range(2, 15)]
        hits += sum(1 for o in near if any(_inside(s, o, 2) for s in steps))
    return hits


def rounded_path(box: Box, radius: float = 12.0) -> str:
    """A rounded box as Graphviz draws one (``style=rounded``): straight sides, corners of
    cubic curves."""
    x0, y0, x1, y1 = box
    r = min(radius, (x1 - x0) / 2, (y1 - y0) / 2)
    h = r / 2
    pts = [(x1 - r, y0), (x1 - r, y0), (x0 + r, y0), (x0 + r, y0), (x0 + h, y0), (x0, y0 + h),
           (x0, y0 + r), (x0, y0 + r), (x0, y1 - r), (x0, y1 - r), (x0, y1 - h), (x0 + h, y1),
           (x0 + r, y1), (x0 + r, y1), (x1 - r, y1), (x1 - r, y1), (x1 - h, y1), (x1, y1 - h),
           (x1, y1 - r), (x1, y1 - r), (x1, y0 + r), (x1, y0 + r), (x1, y0 + h), (x1 - h, y0),
           (x1 - r, y0)]
    first, rest = pts[0], pts[1:]
    return f"M{_xy(first)}C" + " ".join(_xy(p) for p in rest)


def _xy(p: Point) -> str:
    return f"{p[0]:.2f},{p[1]:.2f}"


def bezier(p: Sequence[Point], t: float) -> Point:
    u = 1 - t
    return (u ** 3 * p[0][0] + 3 * u * u * t * p[1][0] + 3 * u * t * t * p[2][0] + t ** 3 * p[3][0],
            u ** 3 * p[0][1] + 3 * u * u * t * p[1][1] + 3 * u * t * t * p[2][1] + t ** 3 * p[3][1])


def samples(p: Sequence[Point], n: int = 24) -> list[Point]:
    return [bezier(p, i / n) for i in range(n + 1)]


def route(tail: Box, head: Box, states: Sequence[Box], frame: Box | None = None,
          words: Sequence[Box] = (), frames: Sequence[Box] = ()) -> tuple[list[Point], bool]:
    """A smooth arrow (one cubic curve, tip at the end) from ``tail``'s border to ``head``'s,
    leaving and arriving as Graphviz's top-to-bottom layout does, bent round ``states``
    where a straighter curve would cross them, and kept inside ``frame`` (the innermost frame
    around both ends) where it can be. Crossing a state is worst, then crossing other
    ``frames``, ``words`` (labels, titles) or leaving the frame. Also says whether the curve,
    bent as it may be, still crosses a state (then it is better left to a layout)."""
    if tail == head:
        x1, cy, h = tail[2], (tail[1] + tail[3]) / 2, tail[3] - tail[1]
        return [(x1, cy - h / 4), (x1 + 34, cy - h / 2 - 8), (x1 + 34, cy + h / 2 + 8),
                (x1, cy + h / 4)], False
    (tx, ty), (hx, hy) = centre(tail), centre(head)
    if head[1] >= tail[3]:  # below: out of the bottom, into the top
        start = (tx + _clamp((hx - tx) * 0.25, tail), tail[3])
        end = (hx + _clamp((tx - hx) * 0.25, head), head[1])
        vertical = True
    elif head[3] <= tail[1]:  # above: out of the top, into the bottom
        start = (tx + _clamp((hx - tx) * 0.25, tail), tail[1])
        end = (hx + _clamp((tx - hx) * 0.25, head), head[3])
        vertical = True
    else:  # beside: out of one side into the other
        right = hx > tx
        start = (tail[2] if right else tail[0], ty + (hy - ty) * 0.25)
        end = (head[0] if right else head[2], hy + (ty - hy) * 0.25)
        vertical = False
    reach = (abs(end[1] - start[1]) if vertical else abs(end[0] - start[0])) * 0.4 + 10
    sign = 1 if (end[1] >= start[1] if vertical else end[0] >= start[0]) else -1
    if vertical:
        c1, c2 = (start[0], start[1] + sign * reach), (end[0], end[1] - sign * reach)
    else:
        c1, c2 = (start[0] + sign * reach, start[1]), (end[0] - sign * reach, end[1])
    chord = (end[0] - start[0], end[1] - start[1])
    length = math.hypot(*chord) or 1.0
    normal = (-chord[1] / length, chord[0] / length)
    candidates: list[tuple[int, list[Point]]] = []  # (how far from the plain curve, curve)
    for bend in (0, 30, -30, 60, -60, 90, -90, 130, -130, 180, -180, 240, -240, 320, -320):
        candidates.append((abs(bend), [start, (c1[0] + normal[0] * bend, c1[1] + normal[1] * bend),
                                       (c2[0] + normal[0] * bend, c2[1] + normal[1] * bend), end]))
    if vertical:  # round what stands between, out of one side and into the same side
        for side in (1, -1):
            out_at = (tail[2] if side > 0 else tail[0], ty)
            in_at = (head[2] if side > 0 else head[0], hy)
            for far in (30, 60, 100, 150, 220):
                candidates.append((far + 60, [out_at, (out_at[0] + side * far, out_at[1]),
                                              (in_at[0] + side * far, in_at[1]), in_at]))
    ends = (tail, head)
    # what holds an end is no obstacle; what an end (a frame) holds is
    blocking = [o for o in states if not any(contains(o, e) for e in ends)]
    others = [o for o in frames if not any(contains(o, e) for e in ends)]
    best: tuple[tuple[int, int], list[Point], bool] | None = None
    for detour, curve in sorted(candidates, key=lambda c: c[0]):
        points = samples(curve, 32)[2:-2]
        crossing = sum(1 for o in blocking for p in points if _inside(p, o, 3))
        hits = 20 * crossing + sum(1 for o in words for p in points if _inside(p, o, 2))
        hits += 2 * sum(1 for o in others for p in points if _inside(p, o, 2))
        if frame is not None:
            hits += sum(1 for p in points if not _inside(p, frame, -4))
        score = (hits, detour)
        if best is None or score < best[0]:
            best = (score, curve, crossing > 0)
        if hits == 0:
            break  # the least detour that crosses nothing
    assert best is not None
    return best[1], best[2]


def arrowhead(curve: Sequence[Point]) -> tuple[list[Point], list[Point]]:
    """The curve shortened to leave room for the arrowhead, and the arrowhead's triangle."""
    tip, before = curve[3], curve[2]
    if math.dist(tip, before) < 1e-6:
        before = curve[0]
    dx, dy = tip[0] - before[0], tip[1] - before[1]
    n = math.hypot(dx, dy) or 1.0
    dx, dy = dx / n, dy / n
    base = (tip[0] - dx * ARROW, tip[1] - dy * ARROW)
    shortened = [curve[0], curve[1], (curve[2][0] - dx * ARROW, curve[2][1] - dy * ARROW), base]
    left = (base[0] - dy * ARROW_HALF, base[1] + dx * ARROW_HALF)
    right = (base[0] + dy * ARROW_HALF, base[1] - dx * ARROW_HALF)
    return shortened, [left, tip, right, left]


def label_spot(curve: Sequence[Point], width: float, height: float,
               obstacles: Sequence[Box], soft: Sequence[Box] = ()) -> Box:
    """Where an arrow's label goes: beside the curve (to its side where it runs up or down,
    above or below it where it runs across), where it covers nothing else, the curve included,
    as near the middle as may be; where every place covers something, the one that covers
    least (``obstacles`` counting far more than ``soft`` ones: lines and frames' sides)."""
    own = [(p[0] - 1, p[1] - 1, p[0] + 1, p[1] + 1) for p in samples(curve, 32)]
    best: tuple[int, Box] | None = None
    for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
        x, y = bezier(curve, t)
        ahead = bezier(curve, min(1.0, t + 0.05))
        behind = bezier(curve, max(0.0, t - 0.05))
        across = abs(ahead[0] - behind[0]) > abs(ahead[1] - behind[1])
        for away in (4.0, 24.0):
            for side in (1, -1):
                at = (x, y - side * (height / 2 + away)) if across else \
                    (x + side * (width / 2 + away + 1), y)
                box = box_at(at, width, height)
                cost = 10 * sum(1 for o in obstacles if overlaps(box, o, 2)) + \
                    sum(1 for o in (*soft, *own) if overlaps(box, o, 2))
                if cost == 0:
                    return box
                if best is None or cost < best[0]:
                    best = (cost, box)
    assert best is not None
    return best[1]


def path_d(curve: Sequence[Point]) -> str:
    return f"M{_xy(curve[0])}C" + " ".join(_xy(p) for p in curve[1:])


def points_attr(points: Sequence[Point]) -> str:
    return " ".join(_xy(p) for p in points)


def _clamp(offset: float, box: Box) -> float:
    half = max(0.0, (box[2] - box[0]) / 2 - 12)
    return max(-half, min(half, offset))


def _inside(p: Point, box: Box, pad: float) -> bool:
    return box[0] - pad <= p[0] <= box[2] + pad and box[1] - pad <= p[1] <= box[3] + pad
