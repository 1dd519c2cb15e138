"""Drawing the area of interest on the canvas with simulated mouse events."""

from __future__ import annotations

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsFeature, QgsGeometry, QgsPointXY, QgsRectangle, QgsVectorLayer
from qgis.PyQt.QtCore import Qt

from digisat_plugin.gui.aoi import AoiController, area_km2

from .conftest import drag, mouse

UTM18 = QgsCoordinateReferenceSystem("EPSG:32618")
EXTENT = QgsRectangle(443580, 4173420, 449580, 4179420)  # the Virginia sample, 6 x 6 km


@pytest.fixture()
def utm_canvas(shown_canvas):
    shown_canvas.setDestinationCrs(UTM18)
    shown_canvas.setExtent(EXTENT)
    shown_canvas.refresh()
    return shown_canvas


def map_xy(canvas, px, py):
    point = canvas.getCoordinateTransform().toMapCoordinates(int(px), int(py))
    return point.x(), point.y()


def test_rectangle_drawn_with_the_mouse(utm_canvas, qtbot):
    aoi = AoiController(utm_canvas)
    try:
        aoi.start_rectangle()
        assert utm_canvas.mapTool() is aoi.rectangle_tool
        viewport = utm_canvas.viewport()
        with qtbot.waitSignal(aoi.aoiChanged, timeout=2000):
            drag(viewport, (100, 120), (300, 260))
        x0, y0 = map_xy(utm_canvas, 100, 120)
        x1, y1 = map_xy(utm_canvas, 300, 260)
        box = aoi.geometry.boundingBox()
        tol = utm_canvas.mapUnitsPerPixel() * 1.01
        assert abs(box.xMinimum() - min(x0, x1)) < tol and abs(box.xMaximum() - max(x0, x1)) < tol
        assert abs(box.yMinimum() - min(y0, y1)) < tol and abs(box.yMaximum() - max(y0, y1)) < tol
        assert aoi.crs.authid() == "EPSG:32618"
        core = aoi.to_core()
        assert core.crs == "EPSG:32618"
        assert core.bounds() == pytest.approx((box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()))
        # projected metres -> km2 on the ellipsoid; UTM near the central meridian is within 0.1 %
        assert aoi.area_km2() == pytest.approx(box.area() / 1e6, rel=2e-3)
        assert utm_canvas.mapTool() is not aoi.rectangle_tool  # the tool hands the canvas back
        assert aoi.band.asGeometry().boundingBox().width() == pytest.approx(box.width(), rel=1e-6)
    finally:
        aoi.unload()


def test_polygon_drawn_with_clicks(utm_canvas, qtbot):
    aoi = AoiController(utm_canvas)
    try:
        aoi.start_polygon()
        viewport = utm_canvas.viewport()
        pixels = [(100, 100), (400, 120), (250, 400)]
        for px, py in pixels:
            mouse(viewport, "press", px, py, held=Qt.LeftButton)
            mouse(viewport, "release", px, py)
            mouse(viewport, "move", px + 5, py + 5)
        with qtbot.waitSignal(aoi.aoiChanged, timeout=2000):
            mouse(viewport, "press", 250, 400, button=Qt.RightButton, held=Qt.RightButton)
        expected = QgsGeometry.fromPolygonXY([[QgsPointXY(*map_xy(utm_canvas, *p)) for p in pixels + pixels[:1]]])
        assert aoi.geometry.type() == expected.type()
        assert aoi.geometry.symDifference(expected).area() < 1e-6 * expected.area()
        assert aoi.crs.authid() == "EPSG:32618"
        assert aoi.to_core().wkt.upper().startswith("POLYGON")
        assert aoi.area_km2() == pytest.approx(expected.area() / 1e6, rel=2e-3)
    finally:
        aoi.unload()


def test_canvas_extent_and_layer_selection(utm_canvas, clean_project):
    aoi = AoiController(utm_canvas)
    try:
        aoi.use_canvas_extent()
        assert aoi.geometry.boundingBox() == utm_canvas.mapSettings().visibleExtent()
        layer = QgsVectorLayer("Polygon?crs=EPSG:4326", "fields", "memory")
        features = []
        for i, (x, y) in enumerate([(-75.6, 37.7), (-75.5, 37.8)]):
            f = QgsFeature()
            f.setGeometry(QgsGeometry.fromRect(QgsRectangle(x, y, x + 0.01, y + 0.01)))
            f.setId(i)
            features.append(f)
        layer.dataProvider().addFeatures(features)
        layer.updateExtents()
        clean_project.addMapLayer(layer)
        layer.selectByIds([layer.getFeatures().__next__().id()])
        aoi.use_layer(layer, selected_only=True)
        assert aoi.crs.authid() == "EPSG:4326"
        box = aoi.geometry.boundingBox()
        assert (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()) == pytest.approx((-75.6, 37.7, -75.59, 37.71))
        assert aoi.to_core().wgs84_bounds() == pytest.approx((-75.6, 37.7, -75.59, 37.71))
        aoi.use_layer(layer)
        assert aoi.geometry.boundingBox() == layer.extent()
        assert area_km2(aoi.geometry, aoi.crs) == pytest.approx(aoi.area_km2())
    finally:
        aoi.unload()


def test_dock_area_tab_shows_size_and_warns_above_the_limit(utm_canvas, full_iface, qtbot, tmp_path):
    from digisat_plugin.gui.dock import DigisatDock
    from digisat_plugin.toolbelt.settings import PluginSettings

    dock = DigisatDock(full_iface, settings=PluginSettings(area_warning_km2=1.0, output_dir=str(tmp_path)))
    try:
        panel = dock.area
        assert panel.area_label.text() == "No area: the whole product is processed"
        qtbot.mouseClick(panel.rectangle_button, Qt.LeftButton)
        assert utm_canvas.mapTool() is panel.aoi.rectangle_tool
        viewport = utm_canvas.viewport()
        upp = utm_canvas.mapUnitsPerPixel()
        small = 800.0 / upp  # an 800 m square: 0.64 km2, under the 1 km2 limit
        with qtbot.waitSignal(panel.aoi.aoiChanged, timeout=2000):
            drag(viewport, (50, 50), (50 + small, 50 + small))
        km2 = panel.area_km2()
        assert 0.55 < km2 < 0.75
        assert panel.area_label.text() == f"Area: {km2:,.2f} km² (EPSG:32618)"
        assert panel.warning_label.isHidden()
        qtbot.mouseClick(panel.polygon_button, Qt.LeftButton)
        for px, py in [(20, 20), (500, 30), (480, 500)]:
            mouse(viewport, "press", px, py, held=Qt.LeftButton)
            mouse(viewport, "release", px, py)
        with qtbot.waitSignal(panel.aoi.aoiChanged, timeout=2000):
            mouse(viewport, "double", 480, 500, held=Qt.LeftButton)
        assert panel.area_km2() > 1.0
        assert not panel.warning_label.isHidden()
        assert "above the limit of 1 km²" in panel.warning_label.text()
        qtbot.mouseClick(panel.clear_button, Qt.LeftButton)
        assert panel.aoi.geometry is None and dock.area.aoi.to_core() is None and panel.warning_label.isHidden()
    finally:
        dock.unload()
        dock.deleteLater()
