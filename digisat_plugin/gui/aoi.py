"""The area of interest drawn on the map: rectangle, polygon, canvas extent or layer extent.

`AoiController` holds one geometry with its CRS, shows it on the canvas with a rubber band,
measures it in km2 on the WGS84 ellipsoid and converts it to the core's `Aoi`.
"""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDistanceArea,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsUnitTypes,
    QgsWkbTypes,
)
from qgis.gui import QgsMapTool, QgsMapToolExtent, QgsRubberBand
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor

AOI_COLOUR = QColor(255, 120, 0)


def area_km2(geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem) -> float:
    measure = QgsDistanceArea()
    measure.setSourceCrs(crs, QgsProject.instance().transformContext())
    measure.setEllipsoid("WGS84")
    return measure.convertAreaMeasurement(measure.measureArea(geometry), QgsUnitTypes.AreaUnit.AreaSquareKilometers)


class PolygonMapTool(QgsMapTool):
    """Left click adds a vertex, right click or double click closes the polygon, Esc aborts."""

    polygonDrawn = pyqtSignal(QgsGeometry)
    aborted = pyqtSignal()

    def __init__(self, canvas):
        super().__init__(canvas)
        self.points: list = []
        self.band = QgsRubberBand(canvas, QgsWkbTypes.GeometryType.PolygonGeometry)
        self.band.setStrokeColor(AOI_COLOUR)
        self.band.setFillColor(QColor(255, 120, 0, 40))
        self.band.setWidth(2)

    def canvasPressEvent(self, event):  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.points.append(QgsPointXY(event.mapPoint()))
            self._redraw()
        elif event.button() == Qt.MouseButton.RightButton:
            self.finish()

    def canvasDoubleClickEvent(self, event):  # noqa: N802
        self.finish()

    def canvasMoveEvent(self, event):  # noqa: N802
        if self.points:
            self._redraw(QgsPointXY(event.mapPoint()))

    def keyPressEvent(self, event):  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.reset()
            self.aborted.emit()

    def finish(self):
        unique = []
        for p in self.points:
            if not unique or p != unique[-1]:
                unique.append(p)
        if len(unique) >= 3:
            geometry = QgsGeometry.fromPolygonXY([unique + [unique[0]]])
            self.reset()
            self.polygonDrawn.emit(geometry)

    def reset(self):
        self.points = []
        self.band.reset(QgsWkbTypes.GeometryType.PolygonGeometry)

    def _redraw(self, floating=None):
        self.band.reset(QgsWkbTypes.GeometryType.PolygonGeometry)
        for p in self.points + ([floating] if floating else []):
            self.band.addPoint(p, False)
        self.band.show()
        self.band.updatePosition()
        self.band.update()

    def deactivate(self):
        self.band.reset(QgsWkbTypes.GeometryType.PolygonGeometry)
        super().deactivate()

    def remove_from_canvas(self):
        self.canvas().scene().removeItem(self.band)


class AoiController(QObject):
    """The current AOI, its display on the canvas and the tools that draw it."""

    aoiChanged = pyqtSignal()

    def __init__(self, canvas, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.geometry: QgsGeometry | None = None
        self.crs = QgsCoordinateReferenceSystem()
        self.band = QgsRubberBand(canvas, QgsWkbTypes.GeometryType.PolygonGeometry)
        self.band.setStrokeColor(AOI_COLOUR)
        self.band.setFillColor(QColor(255, 120, 0, 30))
        self.band.setWidth(2)
        self.rectangle_tool = QgsMapToolExtent(canvas)
        self.rectangle_tool.extentChanged.connect(self._rectangle_drawn)
        self.polygon_tool = PolygonMapTool(canvas)
        self.polygon_tool.polygonDrawn.connect(self._polygon_drawn)
        self.polygon_tool.aborted.connect(self._restore_tool)
        self._previous_tool = None

    # drawing
    def start_rectangle(self):
        self._activate(self.rectangle_tool)

    def start_polygon(self):
        self._activate(self.polygon_tool)

    def _activate(self, tool):
        current = self.canvas.mapTool()
        if current not in (self.rectangle_tool, self.polygon_tool):
            self._previous_tool = current
        self.canvas.setMapTool(tool)

    def _restore_tool(self):
        if self.canvas.mapTool() in (self.rectangle_tool, self.polygon_tool):
            if self._previous_tool is not None:
                self.canvas.setMapTool(self._previous_tool)
            else:
                self.canvas.unsetMapTool(self.canvas.mapTool())
        self._previous_tool = None

    def _rectangle_drawn(self, rect):
        if rect.isEmpty():
            return
        self.rectangle_tool.clearRubberBand()
        self.set_aoi(QgsGeometry.fromRect(rect), self.canvas.mapSettings().destinationCrs())
        self._restore_tool()

    def _polygon_drawn(self, geometry):
        self.set_aoi(geometry, self.canvas.mapSettings().destinationCrs())
        self._restore_tool()

    # other sources
    def use_canvas_extent(self):
        settings = self.canvas.mapSettings()
        self.set_aoi(QgsGeometry.fromRect(settings.visibleExtent()), settings.destinationCrs())

    def use_layer(self, layer, selected_only: bool = False):
        """The layer's extent, or the union of its selected features."""
        if layer is None:
            return
        if selected_only and hasattr(layer, "selectedFeatures") and layer.selectedFeatureCount():
            geometry = QgsGeometry.unaryUnion([f.geometry() for f in layer.selectedFeatures()])
        else:
            geometry = QgsGeometry.fromRect(layer.extent())
        self.set_aoi(geometry, layer.crs())

    # state
    def set_aoi(self, geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem):
        self.geometry = QgsGeometry(geometry)
        self.crs = QgsCoordinateReferenceSystem(crs)
        self._show()
        self.aoiChanged.emit()

    def clear(self):
        self.geometry = None
        self.band.reset(QgsWkbTypes.GeometryType.PolygonGeometry)
        self.aoiChanged.emit()

    def area_km2(self) -> float:
        return area_km2(self.geometry, self.crs) if self.geometry is not None else 0.0

    def to_core(self):
        """The AOI as core.io.aoi.Aoi (WKT + CRS as 'EPSG:n' or WKT), or None when none is drawn."""
        if self.geometry is None:
            return None
        from ..core.io.aoi import Aoi

        crs = self.crs.authid() or self.crs.toWkt()
        return Aoi(self.geometry.asWkt(), crs)

    def _show(self):
        shown = QgsGeometry(self.geometry)
        dest = self.canvas.mapSettings().destinationCrs()
        if self.crs.isValid() and dest.isValid() and self.crs != dest:
            shown.transform(QgsCoordinateTransform(self.crs, dest, QgsProject.instance()))
        self.band.setToGeometry(shown, None)
        self.band.show()

    def unload(self):
        """Remove tools and rubber bands from the canvas."""
        if self.rectangle_tool is None:
            return
        self._restore_tool()
        for tool in (self.rectangle_tool, self.polygon_tool):
            if self.canvas.mapTool() is tool:
                self.canvas.unsetMapTool(tool)
        self.rectangle_tool.clearRubberBand()
        self.polygon_tool.remove_from_canvas()
        self.canvas.scene().removeItem(self.band)
        # QgsMapToolExtent owns a rubber band on the canvas scene that only its destructor removes
        sip.delete(self.rectangle_tool)
        self.rectangle_tool = None
