"""Area tab: draw a rectangle or polygon, take the canvas or a layer extent; shows the size in km2."""

from __future__ import annotations

from qgis.core import QgsMapLayerProxyModel
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import QCheckBox, QGridLayout, QLabel, QPushButton, QWidget

from .aoi import AoiController


class AreaPanel(QWidget):
    def __init__(self, canvas, settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.aoi = AoiController(canvas, self)
        self.rectangle_button = QPushButton("Draw rectangle")
        self.polygon_button = QPushButton("Draw polygon")
        self.canvas_button = QPushButton("Canvas extent")
        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setFilters(QgsMapLayerProxyModel.RasterLayer | QgsMapLayerProxyModel.VectorLayer)
        self.selected_only = QCheckBox("Selected features only")
        self.layer_button = QPushButton("Layer extent")
        self.clear_button = QPushButton("Clear")
        self.area_label = QLabel("No area: the whole product is processed")
        self.warning_label = QLabel()
        self.warning_label.setStyleSheet("color: #b00020")
        self.warning_label.setWordWrap(True)
        self.warning_label.hide()
        hint = QLabel("Polygon: click the vertices, right click or double click to close.")
        hint.setWordWrap(True)

        grid = QGridLayout(self)
        grid.addWidget(self.rectangle_button, 0, 0)
        grid.addWidget(self.polygon_button, 0, 1)
        grid.addWidget(hint, 1, 0, 1, 2)
        grid.addWidget(self.canvas_button, 2, 0)
        grid.addWidget(self.clear_button, 2, 1)
        grid.addWidget(self.layer_combo, 3, 0, 1, 2)
        grid.addWidget(self.selected_only, 4, 0)
        grid.addWidget(self.layer_button, 4, 1)
        grid.addWidget(self.area_label, 5, 0, 1, 2)
        grid.addWidget(self.warning_label, 6, 0, 1, 2)
        grid.setRowStretch(7, 1)

        self.rectangle_button.clicked.connect(self.aoi.start_rectangle)
        self.polygon_button.clicked.connect(self.aoi.start_polygon)
        self.canvas_button.clicked.connect(self.aoi.use_canvas_extent)
        self.layer_button.clicked.connect(
            lambda: self.aoi.use_layer(self.layer_combo.currentLayer(), self.selected_only.isChecked()))
        self.clear_button.clicked.connect(self.aoi.clear)
        self.aoi.aoiChanged.connect(self.update_area)

    def area_km2(self) -> float:
        return self.aoi.area_km2()

    def is_over_limit(self) -> bool:
        return self.aoi.geometry is not None and self.area_km2() > self.settings.area_warning_km2

    def update_area(self):
        if self.aoi.geometry is None:
            self.area_label.setText("No area: the whole product is processed")
            self.warning_label.hide()
            return
        self.area_label.setText(f"Area: {self.area_km2():,.2f} km² ({self.aoi.crs.authid() or 'custom CRS'})")
        if self.is_over_limit():
            self.warning_label.setText(
                f"Warning: {self.area_km2():,.0f} km² is above the limit of {self.settings.area_warning_km2:,.0f} km² "
                "set in the settings; processing will take long and need much disk space.")
            self.warning_label.show()
        else:
            self.warning_label.hide()

    def unload(self):
        self.aoi.unload()
