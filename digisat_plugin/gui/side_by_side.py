"""A second map view showing the original next to the main canvas, extents synced both ways.

QGIS creates the extra view with `iface.createNewMapCanvas(name)`; the factory and the closer are
parameters so tests (whose iface stub has neither) can pass their own.
"""

from __future__ import annotations

import math

from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, QTimer


class SideBySideView(QObject):
    def __init__(self, main_canvas, canvas_factory, canvas_closer=None, name: str = "digisat original",
                 settle_ms: int = 1000, parent=None):
        """settle_ms: how long a new view may move by itself (QGIS sets it up after it is shown) before
        its moves are copied back to the main map; 0 syncs both ways at once."""
        super().__init__(parent)
        self.settle_ms = settle_ms
        self.main = main_canvas
        self.factory = canvas_factory
        self.closer = canvas_closer
        self.name = name
        self.canvas = None
        self._syncing = False  # guard: each canvas's extentsChanged would otherwise echo forever

    def open(self, layers):
        if self.canvas is not None and sip.isdeleted(self.canvas):  # the user closed the view
            self.close()
        created = self.canvas is None
        if created:
            self.canvas = self.factory(self.name)
            if self.canvas is None:
                raise RuntimeError("QGIS could not open a second map view")
        # set up before syncing: a new view starts in the project CRS, and changing its CRS moves
        # its extent, which must not travel back to the main map
        self._syncing = True
        try:
            self.canvas.setDestinationCrs(self.main.mapSettings().destinationCrs())
            self.canvas.setLayers(list(layers))
        finally:
            self._syncing = False
        self._copy(self.main, self.canvas)
        if created:
            self.main.extentsChanged.connect(self._main_moved)
            if self.settle_ms > 0:
                QTimer.singleShot(self.settle_ms, self._settled)
            else:
                self.canvas.extentsChanged.connect(self._other_moved)
        return self.canvas

    def _settled(self):
        """The new view is laid out: put it on the main map again, then follow it both ways."""
        if self.canvas is None or sip.isdeleted(self.canvas):
            return
        self._copy(self.main, self.canvas)
        self.canvas.extentsChanged.connect(self._other_moved)

    def _main_moved(self):
        self._copy(self.main, self.canvas)

    def _other_moved(self):
        self._copy(self.canvas, self.main)

    def _copy(self, source, target):
        if self._syncing or target is None:
            return
        if sip.isdeleted(target) or sip.isdeleted(source):  # the user closed the second view
            self.close()
            return
        if not self._usable(source):  # a view being created or laid out: its extent means nothing yet
            return
        self._syncing = True
        try:
            # centre and scale rather than the extent: views of different shapes would otherwise
            # widen each other's extent on every round trip and zoom out step by step
            if target.extent().isEmpty() or not target.scale() > 0:  # a new view has no extent to scale yet
                target.setExtent(source.extent())
            target.setCenter(source.center())
            target.zoomScale(source.scale())
            target.refresh()
        finally:
            self._syncing = False

    @staticmethod
    def _usable(canvas) -> bool:
        size = canvas.mapSettings().outputSize()
        scale = canvas.scale()
        return size.width() > 10 and size.height() > 10 and math.isfinite(scale) and scale > 0

    def close(self):
        if self.canvas is None:
            return
        try:
            self.main.extentsChanged.disconnect(self._main_moved)
        except (TypeError, RuntimeError):
            pass
        if not sip.isdeleted(self.canvas):
            try:
                self.canvas.extentsChanged.disconnect(self._other_moved)
            except (TypeError, RuntimeError):
                pass
            if self.closer is not None:
                self.closer(self.name)
        self.canvas = None
