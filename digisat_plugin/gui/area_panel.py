"""Area tab: draw a rectangle or polygon, take the canvas or a layer extent, or type (paste) the box's
coordinates in a chosen CRS (offline, with no basemap, there is nothing to draw on); says what will come out
(size in 10 m pixels and km2) and, for a polygon, whether the output is masked to it or keeps its box."""

from __future__ import annotations

import math
import re

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
)
from qgis.gui import QgsMapLayerComboBox, QgsProjectionSelectionWidget
from qgis.PyQt.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from ..qt_compat import layer_filters
from .aoi import AoiController
from .i18n import tr

GRID = 60.0  # metres: the engine aligns its window outward to the 60 m grid
PIXEL = 10.0


def is_box(geometry) -> bool:
    """True when the geometry is its own bounding box (a drawn rectangle, an extent)."""
    box = geometry.boundingBox()
    return abs(geometry.area() - box.width() * box.height()) <= 1e-9 * max(box.width() * box.height(), 1e-12)


def utm_for(geometry, crs) -> QgsCoordinateReferenceSystem:
    """The UTM zone of the geometry's centre (Sentinel-2 tiles are in UTM)."""
    centre = geometry.centroid().asPoint()
    to_wgs84 = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    lonlat = to_wgs84.transform(centre)
    zone = min(max(int(math.floor((lonlat.x() + 180.0) / 6.0)) + 1, 1), 60)
    return QgsCoordinateReferenceSystem(f"EPSG:{(32600 if lonlat.y() >= 0 else 32700) + zone}")


def output_size(geometry, crs) -> tuple:
    """(width px, height px) at 10 m of the bounding box aligned outward to the 60 m grid, in UTM."""
    from qgis.core import QgsGeometry

    local = QgsGeometry(geometry)
    if crs.isValid():
        utm = utm_for(geometry, crs)
        if utm != crs:
            local.transform(QgsCoordinateTransform(crs, utm, QgsProject.instance()))
    box = local.boundingBox()
    # an area the transform to UTM cannot take (an empty canvas's extent) comes back infinite: no pixels,
    # not an OverflowError in a Qt slot
    if box.isEmpty() or not all(math.isfinite(v) for v in (box.xMinimum(), box.xMaximum(), box.yMinimum(),
                                                            box.yMaximum())):
        return 0, 0
    x0, x1 = math.floor(box.xMinimum() / GRID) * GRID, math.ceil(box.xMaximum() / GRID) * GRID
    y0, y1 = math.floor(box.yMinimum() / GRID) * GRID, math.ceil(box.yMaximum() / GRID) * GRID
    return int(round((x1 - x0) / PIXEL)), int(round((y1 - y0) / PIXEL))


def parse_box(text: str) -> QgsRectangle:
    """'xmin, ymin, xmax, ymax' (commas, semicolons or spaces) as a rectangle; ValueError with one line."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError(tr("coordinates: expected four numbers xmin, ymin, xmax, ymax, got {text!r}").format(
            text=text.strip())) from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValueError(tr("coordinates: expected four numbers xmin, ymin, xmax, ymax, got {text!r}").format(
            text=text.strip()))
    xmin, ymin, xmax, ymax = values
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(tr("coordinates: xmin must be below xmax and ymin below ymax"))
    return QgsRectangle(xmin, ymin, xmax, ymax)


class AreaPanel(QWidget):
    MASK, BOX = "polygon", "box"

    def __init__(self, canvas, settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.aoi = AoiController(canvas, self)
        self.rectangle_button = QPushButton(tr("Draw rectangle"))
        self.polygon_button = QPushButton(tr("Draw polygon"))
        self.canvas_button = QPushButton(tr("Canvas extent"))
        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setFilters(layer_filters())
        self.selected_only = QCheckBox(tr("Selected features only"))
        self.layer_button = QPushButton(tr("Layer extent"))
        self.clear_button = QPushButton(tr("Clear"))
        self.mask_combo = QComboBox()
        self.mask_combo.addItem(tr("Polygon: no data outside it"), self.MASK)
        self.mask_combo.addItem(tr("Polygon's bounding box"), self.BOX)
        self.area_label = QLabel(tr("No area: the whole product is processed"))
        self.area_label.setWordWrap(True)
        self.output_label = QLabel()
        self.output_label.setWordWrap(True)
        self.warning_label = QLabel()
        self.warning_label.setStyleSheet("color: #b00020")
        self.warning_label.setWordWrap(True)
        self.warning_label.hide()
        self.coords_edit = QLineEdit()
        self.coords_edit.setPlaceholderText(tr("xmin, ymin, xmax, ymax"))
        self.coords_crs = QgsProjectionSelectionWidget()
        self.coords_crs.setCrs(QgsProject.instance().crs())
        self.coords_button = QPushButton(tr("Use coordinates"))
        self.coords_error = QLabel()
        self.coords_error.setStyleSheet("color: #b00020")
        self.coords_error.setWordWrap(True)
        self.coords_error.hide()
        hint = QLabel(tr("Polygon: click the vertices, right click or double click to close."))
        hint.setWordWrap(True)

        grid = QGridLayout(self)
        grid.addWidget(self.rectangle_button, 0, 0)
        grid.addWidget(self.polygon_button, 0, 1)
        grid.addWidget(hint, 1, 0, 1, 2)
        grid.addWidget(self.canvas_button, 2, 0)
        grid.addWidget(self.clear_button, 2, 1)
        grid.addWidget(self.layer_combo, 3, 0, 1, 2)
        # the checkbox on a row of its own: beside "Layer extent" it did not fit a narrow dock
        grid.addWidget(self.selected_only, 4, 0, 1, 2)
        grid.addWidget(self.layer_button, 5, 0)
        grid.addWidget(self.coords_edit, 6, 0, 1, 2)
        grid.addWidget(self.coords_crs, 7, 0, 1, 2)
        grid.addWidget(self.coords_button, 8, 0)
        grid.addWidget(self.coords_error, 9, 0, 1, 2)
        grid.addWidget(QLabel(tr("Output")), 10, 0)
        grid.addWidget(self.mask_combo, 10, 1)
        grid.addWidget(self.area_label, 11, 0, 1, 2)
        grid.addWidget(self.output_label, 12, 0, 1, 2)
        grid.addWidget(self.warning_label, 13, 0, 1, 2)
        grid.setRowStretch(13, 1)

        self.rectangle_button.clicked.connect(self.aoi.start_rectangle)
        self.polygon_button.clicked.connect(self.aoi.start_polygon)
        self.canvas_button.clicked.connect(self.aoi.use_canvas_extent)
        self.layer_button.clicked.connect(
            lambda: self.aoi.use_layer(self.layer_combo.currentLayer(), self.selected_only.isChecked()))
        self.clear_button.clicked.connect(self.aoi.clear)
        self.coords_button.clicked.connect(lambda: self.use_coordinates())
        self.coords_edit.returnPressed.connect(lambda: self.use_coordinates())
        self.aoi.aoiChanged.connect(self.update_area)
        self.mask_combo.currentIndexChanged.connect(self.update_area)
        self.update_area()

    def area_km2(self) -> float:
        return self.aoi.area_km2()

    def use_coordinates(self) -> str:
        """The typed box in the chosen CRS as the area; returns the one-line error shown ('' when used)."""
        crs = self.coords_crs.crs()
        try:
            if not crs.isValid():
                raise ValueError(tr("coordinates: choose the CRS they are in"))
            box = parse_box(self.coords_edit.text())
        except ValueError as exc:
            self.coords_error.setText(str(exc))
            self.coords_error.show()
            return str(exc)
        self.coords_error.hide()
        self.aoi.set_aoi(QgsGeometry.fromRect(box), crs)
        return ""

    def is_over_limit(self) -> bool:
        return self.aoi.geometry is not None and self.area_km2() > self.settings.area_warning_km2

    def is_polygon(self) -> bool:
        return self.aoi.geometry is not None and not is_box(self.aoi.geometry)

    def mask_to_aoi(self) -> bool:
        """True when the output is to be masked to the drawn polygon (no data outside)."""
        return self.is_polygon() and self.mask_combo.currentData() == self.MASK

    def update_area(self):
        self.mask_combo.setEnabled(self.is_polygon())
        if self.aoi.geometry is None:
            self.area_label.setText(tr("No area: the whole product is processed"))
            self.output_label.setText(tr("Output: the whole product at 10 m"))
            self.warning_label.hide()
            return
        self.area_label.setText(tr("Area: {km2} km² ({crs})").format(
            km2=f"{self.area_km2():,.2f}", crs=self.aoi.crs.authid() or tr("custom CRS")))
        width, height = output_size(self.aoi.geometry, self.aoi.crs)
        box_km2 = width * height * PIXEL * PIXEL / 1e6
        text = tr("Output: about {w} x {h} px at 10 m ({km2} km², the box aligned to the 60 m grid)").format(
            w=width, h=height, km2=f"{box_km2:,.2f}")
        if self.mask_to_aoi():
            text += " " + tr("with no data outside the polygon")
        self.output_label.setText(text)
        if self.is_over_limit():
            self.warning_label.setText(
                tr("Warning: {km2} km² is above the limit of {limit} km² set in the settings; processing will take "
                   "long and need much disk space.").format(km2=f"{self.area_km2():,.0f}",
                                                           limit=f"{self.settings.area_warning_km2:,.0f}"))
            self.warning_label.show()
        else:
            self.warning_label.hide()

    def unload(self):
        self.aoi.unload()
