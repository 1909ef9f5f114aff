"""The editor's live diagram: laid out again only when the drawing's shape changes.

Editing changes words far more often than shape. A new label, title or tooltip is written into
the diagram on screen (:mod:`regflow.engine.drawing.relabel`): nothing moves and Graphviz does
not run. A new state or arrow, or a label that needs another line, is laid out by Graphviz
(:func:`regflow.gui.diagram.svg.layout_svg`, which counts its runs and keeps each layout, so
undoing back to an earlier shape costs nothing).
"""

from __future__ import annotations

import threading

from regflow.engine.drawing.diagram import diagram_source
from regflow.engine.drawing.relabel import Words, relabel, words
from regflow.engine.spec.model import Spec

from ..diagram.svg import DiagramSvg, layout_svg


class LivePreview:
    """The diagram of each new version of one spec; safe to call from a worker thread.

    The layouts of the last few shapes are kept, so that undoing back to an earlier shape
    brings back its drawing (with the words of now) rather than a new layout."""

    KEPT = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: skeleton -> the words and SVG of the latest drawing of that shape, latest last
        self._drawn: dict[str, tuple[Words, str]] = {}
        #: how the last diagram was made: "same", "relabelled" or "laid out"
        self.last = ""

    def diagram(self, spec: Spec) -> DiagramSvg:
        new = words(diagram_source(spec))
        with self._lock:
            drawn = self._drawn.get(new.skeleton)
        svg = relabel(drawn[1], drawn[0], new) if drawn is not None else None
        if svg is None:
            svg, how = layout_svg(spec), "laid out"
        else:
            how = "same" if svg is drawn[1] else "relabelled"
        with self._lock:
            self._drawn.pop(new.skeleton, None)
            self._drawn[new.skeleton] = (new, svg)
            while len(self._drawn) > self.KEPT:
                del self._drawn[next(iter(self._drawn))]
            self.last = how
        return DiagramSvg(spec, svg)
