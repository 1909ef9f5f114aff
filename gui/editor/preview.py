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
    """The diagram of each new version of one spec; safe to call from a worker thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shown: tuple[Words, str] | None = None
        #: how each diagram was made, last first: "same", "relabelled" or "laid out"
        self.last = ""

    def diagram(self, spec: Spec) -> DiagramSvg:
        new = words(diagram_source(spec))
        with self._lock:
            shown = self._shown
        svg = relabel(shown[1], shown[0], new) if shown is not None else None
        if svg is None:
            svg, how = layout_svg(spec), "laid out"
        else:
            how = "same" if svg is shown[1] else "relabelled"
        with self._lock:
            self._shown, self.last = (new, svg), how
        return DiagramSvg(spec, svg)
