"""The editor's live diagram: what changed is drawn into the diagram on screen; nothing else moves.

Editing changes words far more often than shape. New words are written into the diagram on
screen, and a box they no longer fit is widened about its centre. A new state or arrow is drawn
into free space of the drawing, and what is taken out of the spec is taken out of it
(:mod:`regflow.engine.drawing.increments`): everything else stays exactly where it was, and
Graphviz does not run. Only a change that cannot be drawn in neatly (a new compound state, a
state moved to another frame, an arrow that could only cross a state) is laid out by Graphviz
(:func:`regflow.gui.diagram.svg.layout_svg`, which counts its runs), and so is
:meth:`LivePreview.tidy`, asked for by the person editing when the drawn-in parts have made
the diagram untidy.
"""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton

from regflow.engine.drawing.diagram import diagram_source
from regflow.engine.drawing.increments import redraw
from regflow.engine.drawing.relabel import words
from regflow.engine.spec.model import Spec

from ..diagram.svg import DiagramSvg, layout_svg


class LivePreview:
    """The diagram of each new version of one spec; safe to call from a worker thread.

    The drawings of the last few shapes are kept, so that undoing back to an earlier shape
    brings back its drawing (with the words of now) rather than drawing it again."""

    KEPT = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: skeleton -> the DOT source and SVG of the latest drawing of that shape, latest last
        self._drawn: dict[str, tuple[str, str]] = {}
        self._current: tuple[str, str] | None = None  # the source and SVG on screen
        #: how the last diagram was made: "same", "relabelled", "drawn in" or "laid out"
        self.last = ""
        #: changes of shape drawn in since Graphviz last laid the diagram out
        self.drawn_in = 0

    def diagram(self, spec: Spec) -> DiagramSvg:
        source = diagram_source(spec)
        skeleton = words(source).skeleton
        with self._lock:
            kept, current = self._drawn.get(skeleton), self._current
        done = None
        for base in (kept, current):  # an earlier drawing of this shape first: nothing to add
            if base is not None and done is None:
                done = redraw(base[1], base[0], source)
        if done is None:
            svg, how = layout_svg(spec), "laid out"
        else:
            svg, how = done.svg, done.how
        with self._lock:
            if how == "laid out":
                self._drawn.clear()  # drawings of the old layout would jump back to it
                self.drawn_in = 0
            elif how == "drawn in":
                self.drawn_in += 1
            self._keep(skeleton, source, svg)
            self.last = how
        return DiagramSvg(spec, svg)

    def tidy(self, spec: Spec) -> DiagramSvg:
        """The diagram laid out afresh by Graphviz (things may move); what is drawn in from
        now on is drawn into this layout."""
        source = diagram_source(spec)
        svg = layout_svg(spec)
        with self._lock:
            self._drawn.clear()
            self.drawn_in = 0
            self._keep(words(source).skeleton, source, svg)
            self.last = "laid out"
        return DiagramSvg(spec, svg)

    def _keep(self, skeleton: str, source: str, svg: str) -> None:
        self._drawn.pop(skeleton, None)
        self._drawn[skeleton] = (source, svg)
        while len(self._drawn) > self.KEPT:
            del self._drawn[next(iter(self._drawn))]
        self._current = (source, svg)


TIDY_TIP = ("Lay the whole diagram out afresh with Graphviz. While you edit, new states and "
            "arrows are drawn into free space and nothing else moves; after many of them the "
            "drawing can look crowded. Tidying places everything again, so parts may move. "
            "It is never done without asking, not even on saving.")


class _TidyButton(QPushButton):
    """As wide as it will be with a count, so that the tools beside it do not shift."""

    def sizeHint(self):
        hint = super().sizeHint()
        if "(" not in self.text():
            hint.setWidth(hint.width() + self.fontMetrics().horizontalAdvance(" (99)"))
        return hint


def tidy_button(window) -> QPushButton:
    """The "Tidy layout" button of an editor ``window``'s preview: the diagram of its spec of
    now, laid out afresh (off the UI thread), shown where it was being looked at."""
    from ..tasks import run_task

    button = _TidyButton("Tidy layout")
    button.setObjectName("tidy_layout")
    button.setToolTip(TIDY_TIP)

    def tidy() -> None:
        spec, ticket = window.spec, window._generation
        if spec is not None:
            run_task(window, "Laying the diagram out…", lambda: window.live_preview.tidy(spec),
                     lambda diagram: window._previewed(ticket, diagram), lambda _err: None)

    def count() -> None:  # how much is drawn in, so that a crowded drawing says why
        n = window.live_preview.drawn_in
        button.setText(f"Tidy layout ({n})" if n else "Tidy layout")
        button.setToolTip(TIDY_TIP + (f"\n\n{n} change{'s' if n != 1 else ''} of shape drawn in "
                                      "since the last layout." if n else ""))

    button.clicked.connect(tidy)
    window.previewed.connect(count)
    return button
