"""The live state diagram of a case: zoom, fit, hover for details, click to record a step.

The spec's layout is loaded once (:class:`DiagramSvg`); a case's highlight is shown by loading
the re-coloured SVG into the same renderer, so nothing is laid out again and nothing moves.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QWheelEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtSvgWidgets import QGraphicsSvgItem
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QMenu, QToolTip

from regflow.engine.cases.actions import state_summary
from regflow.engine.drawing.diagram import Highlight

from .svg import DiagramSvg


class DiagramView(QGraphicsView):
    """Shows one spec's diagram with one case's highlight."""

    #: the user clicked something that stands for an event that can be recorded now
    eventClicked = Signal(str)
    #: the user clicked a state (its name), e.g. to show its source paragraph
    stateClicked = Signal(str)
    #: the zoom factor changed (the compare screen keeps two views together)
    zoomChanged = Signal(float)

    MIN_ZOOM, MAX_ZOOM = 0.05, 4.0

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setMouseTracking(True)
        self.setBackgroundBrush(Qt.GlobalColor.white)
        self.renderer = QSvgRenderer(self)
        self.item: QGraphicsSvgItem | None = None
        self.document: DiagramSvg | None = None
        self.highlight = Highlight()
        self.actionable: frozenset[str] = frozenset()
        self.svg: bytes = b""
        self._labels: dict[str, QRectF] = {}  # edge id -> its label's box
        self._states: list[tuple[float, str, QRectF]] = []  # (area, state, box), small first
        self._press: QPointF | None = None
        #: events possible now and the states each can lead to (set by the case screen)
        self.targets: dict[str, tuple[str, ...]] = {}

    # -- what is shown ---------------------------------------------------------------------

    def set_document(self, document: DiagramSvg | None) -> None:
        """Show another spec's diagram (laid out already); clears the case highlight."""
        self.document = document
        self.scene().clear()
        self.item = None
        self._labels, self._states = {}, []
        if document is None:
            return
        self._load(document.render())
        self.item = QGraphicsSvgItem()
        self.item.setSharedRenderer(self.renderer)
        self.scene().addItem(self.item)
        self.scene().setSceneRect(self.item.boundingRect())
        for name in document.states:
            box = document.state_box(name)
            if box is not None:
                rect = QRectF(QPointF(box[0], box[1]), QPointF(box[2], box[3]))
                self._states.append((rect.width() * rect.height(), name, rect))
        self._states.sort(key=lambda entry: entry[0])
        for edge_id in document.edge_events:
            label = f"a_{edge_id}-label"
            if self.renderer.elementExists(label):
                rect = self.renderer.transformForElement(label).mapRect(
                    self.renderer.boundsOnElement(label))
                self._labels[edge_id] = rect.adjusted(-3, -3, 3, 3)

    def show_case(self, highlight: Highlight, actionable: frozenset[str]) -> None:
        """Mark ``highlight`` and the arrows of the ``actionable`` events; no layout runs."""
        self.highlight, self.actionable = highlight, actionable
        if self.document is not None:
            self._load(self.document.render(highlight, actionable))
            if self.item is not None:
                self.item.update()

    def _load(self, svg: bytes) -> None:
        self.svg = svg
        self.renderer.load(QByteArray(svg))
        self.renderer.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)

    # -- zoom ------------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(self.MIN_ZOOM, min(self.MAX_ZOOM, factor))
        self.setTransform(self.transform().fromScale(factor, factor))
        self.zoomChanged.emit(factor)

    def zoom_by(self, step: float) -> None:
        self.set_zoom(self.zoom() * step)

    def fit(self) -> None:
        """The whole diagram in the window."""
        if self.item is not None:
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)

    def show_where(self, names: list[str] | None = None, readable: float = 0.8) -> None:
        """Centre on ``names`` (default: the states the case is in) at a zoom where labels can
        be read, or show the whole diagram if it fits at that zoom. When the states are too far
        apart to fit together, the first one wins: one thing in view beats nothing."""
        if self.item is None:
            return
        whole = self.item.boundingRect()
        view = self.viewport().rect()
        fits = min(view.width() / max(whole.width(), 1), view.height() / max(whole.height(), 1))
        if fits >= readable:
            self.set_zoom(min(fits * 0.97, 1.2))
            self.centerOn(whole.center())
            return
        wanted = names if names is not None else sorted(self.highlight.active)
        boxes = {name: rect for _area, name, rect in self._states if name in wanted}
        ordered = [boxes[n] for n in wanted if n in boxes]
        self.set_zoom(readable)
        if not ordered:
            self.centerOn(whole.center())
            return
        area = ordered[0]
        for rect in ordered[1:]:
            joined = area.united(rect)
            if joined.width() * readable > view.width() or joined.height() * readable > view.height():
                break
            area = joined
        self.centerOn(area.center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
        else:
            super().wheelEvent(event)

    # -- pointing --------------------------------------------------------------------------

    def state_at(self, point: QPointF) -> str | None:
        return next((name for _area, name, rect in self._states if rect.contains(point)), None)

    def edge_at(self, point: QPointF) -> str | None:
        return next((edge for edge, rect in self._labels.items() if rect.contains(point)), None)

    def events_at(self, point: QPointF) -> list[str]:
        """Events that clicking at ``point`` (scene units) would record: an arrow's label, or
        a state that an event possible now leads to."""
        doc = self.document
        if doc is None:
            return []
        edge = self.edge_at(point)
        if edge is not None:
            if edge in doc.actionable_edges(self.highlight, self.actionable):
                return [e for e in doc.edge_events[edge] if e in self.actionable]
            return []
        state = self.state_at(point)
        if state is None or state in self.highlight.active:
            return []
        return [e for e, targets in self.targets.items() if state in targets]

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        point = self.mapToScene(event.position().toPoint())
        tip = self._tooltip(point)
        if tip:
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        else:
            QToolTip.hideText()
        clickable = bool(self.events_at(point))
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if clickable
                                  else Qt.CursorShape.OpenHandCursor)

    def _tooltip(self, point: QPointF) -> str:
        doc = self.document
        if doc is None:
            return ""
        edge = self.edge_at(point)
        if edge is not None:
            lines = []
            for event in doc.edge_events[edge]:
                e = doc.spec.events[event]
                lines.append(e.label + (f" ({e.citation})" if e.citation else ""))
            if self.events_at(point):
                lines.append("Click to record it.")
            return "\n".join(lines)
        state = self.state_at(point)
        if state is None:
            return ""
        tip = state_summary(doc.spec, state)
        if self.events_at(point):
            tip += "\nClick to record the step that leads here."
        return tip

    def mousePressEvent(self, event) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if self._press is None or (event.position() - self._press).manhattanLength() > 4:
            return  # a drag to pan, not a click
        self._press = None
        self.click(self.mapToScene(event.position().toPoint()), event.globalPosition().toPoint())

    def click(self, point: QPointF, menu_at=None) -> None:
        """What a click at ``point`` (scene units) does: record an event, or pick among
        several; otherwise tell which state was clicked."""
        events = self.events_at(point)
        if len(events) == 1:
            self.eventClicked.emit(events[0])
        elif events and self.document is not None:
            menu = QMenu(self)
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            for event in events:
                action = menu.addAction(self.document.spec.events[event].label)
                action.triggered.connect(lambda _=False, e=event: self.eventClicked.emit(e))
            if menu_at is not None:
                menu.popup(menu_at)
            self.menu = menu  # the last one, for tests
        else:
            state = self.state_at(point)
            if state is not None:
                self.stateClicked.emit(state)
