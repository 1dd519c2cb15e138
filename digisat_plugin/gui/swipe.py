"""Swipe compare: the canvas shows its layers as usual; right of a divider the "other" layers
(the original) are drawn over it, rendered with QgsMapRendererParallelJob into a canvas item
clipped at the divider (the MapSwipe plugin's approach; QGIS has no swipe of its own).
"""

from __future__ import annotations

from qgis.core import QgsMapRendererParallelJob, QgsMapSettings
from qgis.gui import QgsMapCanvasItem, QgsMapTool
from qgis.PyQt.QtCore import QObject, QPointF, QRectF, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QCursor, QFontMetrics, QPen

from .i18n import tr


class SwipeItem(QgsMapCanvasItem):
    """Draws a rendering of `layers` on the canvas right of `divider` (pixels from the left).

    The image covers the item's rect (a map extent). It is drawn stretched over wherever that extent
    lies on the canvas now, as QGIS draws its own map: after a zoom or pan, until both re-renders are
    done, the canvas shows its old image stretched and so does this item, and the two still line up.
    """

    def __init__(self, canvas, layers):
        super().__init__(canvas)
        self.canvas = canvas
        self.layers = list(layers)
        self.image = None
        self.divider = canvas.width() // 2
        self.job = None
        self.signals = _Signals()
        self.setZValue(-9.0)  # above the map, below rubber bands and other items

    def render(self):
        """Start rendering the layers with the canvas's current map settings."""
        if self.job is not None:
            self.job.cancelWithoutBlocking()
        settings = QgsMapSettings(self.canvas.mapSettings())
        settings.setLayers(self.layers)
        settings.setBackgroundColor(QColor(0, 0, 0, 0))
        job = QgsMapRendererParallelJob(settings)
        job.finished.connect(lambda: self._rendered(job, settings))
        self.job = job
        job.start()

    def _rendered(self, job, settings):
        if job is not self.job:
            return
        self.job = None
        self.image = job.renderedImage()
        self.setRect(settings.visibleExtent())
        self.update()
        self.signals.rendered.emit()

    def set_divider(self, x: int):
        self.divider = max(0, min(int(x), self.canvas.width()))
        self.update()

    def paint(self, painter, option=None, widget=None):
        if self.image is None or self.rect().isEmpty():
            return
        # the rect's size in canvas pixels now; setRect() makes the item 2 px larger than that
        width = self.boundingRect().width() - 2
        height = self.boundingRect().height() - 2
        if width <= 0 or height <= 0:
            return
        # the divider is in canvas pixels, the painter in item pixels (origin at the rect's corner)
        x = min(max(self.divider - self.pos().x(), 0.0), width)
        scale_x, scale_y = self.image.width() / width, self.image.height() / height  # device pixels too
        painter.drawImage(QRectF(x, 0, width - x, height), self.image,
                          QRectF(x * scale_x, 0, (width - x) * scale_x, height * scale_y))
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, height))
        self._paint_labels(painter, x, height)

    def labels(self) -> tuple:
        """(left, right) side names drawn at the bottom of the divider."""
        return tr("enhanced"), tr("original")

    # At the bottom: QGIS's message bar covers the canvas's top whenever it shows a message (digisat's own
    # "enhanced layer added" right after a run). Lifted two text lines off the bottom edge, where QGIS's
    # scale bar and copyright decorations sit by default.
    LABEL_PAD = 4

    def _label_lift(self, metrics) -> int:
        """Canvas rows kept free under the labels (the decorations' strip)."""
        return 2 * metrics.height()

    def label_rows(self) -> int:
        """Canvas rows from the bottom that the labels may cover."""
        metrics = QFontMetrics(self.canvas.font())
        return self._label_lift(metrics) + metrics.height() + 2 * self.LABEL_PAD + 2

    def _paint_labels(self, painter, x, height):
        """The side names either side of the divider at `x`, above the bottom of an item `height` px high."""
        left, right = self.labels()
        painter.setFont(self.canvas.font())
        metrics = painter.fontMetrics()
        pad = self.LABEL_PAD
        h = metrics.height() + 2 * pad
        top = height - self._label_lift(metrics) - h
        for text, right_side in ((left, False), (right, True)):
            w = metrics.horizontalAdvance(text) + 2 * pad
            box = QRectF(x + 3 if right_side else x - 3 - w, top, w, h)
            painter.fillRect(box, QColor(0, 0, 0, 150))
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


class _Signals(QObject):
    rendered = pyqtSignal()


class SwipeMapTool(QgsMapTool):
    """Drag to move the divider. Left of it: the canvas (enhanced); right: `right_layers` (original)."""

    def __init__(self, canvas, right_layers):
        super().__init__(canvas)
        self.item = None
        self.right_layers = list(right_layers)
        self.dragging = False
        self.setCursor(QCursor(Qt.CursorShape.SplitHCursor))

    def activate(self):
        super().activate()
        if self.item is None:
            self.item = SwipeItem(self.canvas(), self.right_layers)
        # start with the canvas's own rendering (same map settings), not after it: the two finish together
        self.canvas().renderStarting.connect(self._refresh)
        self.item.render()

    def deactivate(self):
        try:
            self.canvas().renderStarting.disconnect(self._refresh)
        except TypeError:
            pass
        self.remove_item()
        super().deactivate()

    def remove_item(self):
        if self.item is not None:
            if self.item.job is not None:
                self.item.job.cancel()
            self.canvas().scene().removeItem(self.item)
            self.item = None

    def _refresh(self):
        if self.item is not None:
            self.item.render()

    def canvasPressEvent(self, event):  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.item is not None:
            self.dragging = True
            self.item.set_divider(event.pixelPoint().x())

    def canvasMoveEvent(self, event):  # noqa: N802
        if self.dragging and self.item is not None:
            self.item.set_divider(event.pixelPoint().x())

    def canvasReleaseEvent(self, event):  # noqa: N802
        self.dragging = False
