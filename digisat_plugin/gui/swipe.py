"""Swipe compare: the canvas shows its layers as usual; right of a divider the "other" layers
(the original) are drawn over it, rendered with QgsMapRendererParallelJob into a canvas item
clipped at the divider (the MapSwipe plugin's approach; QGIS has no swipe of its own).
"""

from __future__ import annotations

from qgis.core import QgsMapRendererParallelJob, QgsMapSettings
from qgis.gui import QgsMapCanvasItem, QgsMapTool
from qgis.PyQt.QtCore import QObject, QPointF, QRectF, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QCursor, QPen


class SwipeItem(QgsMapCanvasItem):
    """Draws a rendering of `layers` on the canvas right of `divider` (pixels from the left)."""

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
        if self.image is None:
            return
        ratio = self.image.devicePixelRatioF() or 1.0
        width, height = self.image.width() / ratio, self.image.height() / ratio
        x = min(self.divider, width)
        painter.drawImage(QRectF(x, 0, width - x, height), self.image,
                          QRectF(x * ratio, 0, (width - x) * ratio, height * ratio))
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, height))


class _Signals(QObject):
    rendered = pyqtSignal()


class SwipeMapTool(QgsMapTool):
    """Drag to move the divider. Left of it: the canvas (enhanced); right: `right_layers` (original)."""

    def __init__(self, canvas, right_layers):
        super().__init__(canvas)
        self.item = None
        self.right_layers = list(right_layers)
        self.dragging = False
        self.setCursor(QCursor(Qt.SplitHCursor))

    def activate(self):
        super().activate()
        if self.item is None:
            self.item = SwipeItem(self.canvas(), self.right_layers)
        self.canvas().mapCanvasRefreshed.connect(self._refresh)
        self.item.render()

    def deactivate(self):
        try:
            self.canvas().mapCanvasRefreshed.disconnect(self._refresh)
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
        if event.button() == Qt.LeftButton and self.item is not None:
            self.dragging = True
            self.item.set_divider(event.pixelPoint().x())

    def canvasMoveEvent(self, event):  # noqa: N802
        if self.dragging and self.item is not None:
            self.item.set_divider(event.pixelPoint().x())

    def canvasReleaseEvent(self, event):  # noqa: N802
        self.dragging = False
