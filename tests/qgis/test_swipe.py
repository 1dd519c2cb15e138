"""Swipe compare and the side-by-side view, on real canvases rendered offscreen."""

from __future__ import annotations

import pytest
from qgis.core import QgsContrastEnhancement, QgsPointXY, QgsRasterLayer, QgsRectangle, QgsSingleBandGrayRenderer
from qgis.PyQt import sip
from qgis.PyQt.QtGui import QColor

from digisat_plugin.gui.side_by_side import SideBySideView
from digisat_plugin.gui.swipe import SwipeMapTool

from .conftest import drag, write_constant_raster


def grey_layer(path, name):
    layer = QgsRasterLayer(path, name, "gdal")
    assert layer.isValid()
    ce = QgsContrastEnhancement(layer.dataProvider().dataType(1))
    ce.setContrastEnhancementAlgorithm(QgsContrastEnhancement.StretchToMinimumMaximum, True)
    ce.setMinimumValue(0)
    ce.setMaximumValue(4000)
    renderer = QgsSingleBandGrayRenderer(layer.dataProvider(), 1)
    renderer.setContrastEnhancement(ce)
    layer.setRenderer(renderer)
    return layer


def wait_canvas(qtbot, canvas):
    with qtbot.waitSignal(canvas.mapCanvasRefreshed, timeout=10000):
        canvas.refresh()


def test_swipe_shows_enhanced_left_and_original_right(shown_canvas, clean_project, qtbot, tmp_path):
    enhanced = grey_layer(write_constant_raster(tmp_path / "enh.tif", 1000), "Enhanced")  # dark grey
    original = grey_layer(write_constant_raster(tmp_path / "orig.tif", 3000), "Original")  # light grey
    qgis_canvas = shown_canvas
    clean_project.addMapLayers([enhanced, original])
    qgis_canvas.setDestinationCrs(enhanced.crs())
    qgis_canvas.setLayers([enhanced])
    qgis_canvas.setExtent(enhanced.extent())
    wait_canvas(qtbot, qgis_canvas)

    tool = SwipeMapTool(qgis_canvas, [original])
    qgis_canvas.setMapTool(tool)
    try:
        qtbot.waitUntil(lambda: tool.item is not None and tool.item.image is not None, timeout=10000)
        viewport = qgis_canvas.viewport()
        width, height = viewport.width(), viewport.height()
        divider = width // 3
        drag(viewport, (width // 2, height // 2), (divider, height // 3))
        assert tool.item.divider == divider
        image = viewport.grab().toImage()
        left = QColor(image.pixel(divider // 2, height // 2))
        right = QColor(image.pixel((divider + width) // 2, height // 2))
        expect_left, expect_right = round(1000 / 4000 * 255), round(3000 / 4000 * 255)
        assert abs(left.red() - expect_left) <= 2 and left.red() == left.green() == left.blue()
        assert abs(right.red() - expect_right) <= 2
    finally:
        qgis_canvas.unsetMapTool(tool)
    assert tool.item is None
    assert not [i for i in qgis_canvas.scene().items() if type(i).__name__ == "SwipeItem"]


def test_side_by_side_follows_main_canvas_both_ways(qgis_canvas, full_iface, clean_project, qtbot, tmp_path):
    original = grey_layer(write_constant_raster(tmp_path / "orig.tif", 3000), "Original")
    clean_project.addMapLayer(original)
    qgis_canvas.setDestinationCrs(original.crs())
    qgis_canvas.setExtent(original.extent())
    view = SideBySideView(qgis_canvas, full_iface.createNewMapCanvas, full_iface.closeMapCanvas, settle_ms=0)
    other = view.open([original])
    assert other.layers() == [original]
    assert other.mapSettings().destinationCrs() == original.crs()

    def same_view(a, b):
        return (a.center().x() == pytest.approx(b.center().x(), abs=1e-6)
                and a.center().y() == pytest.approx(b.center().y(), abs=1e-6)
                and a.scale() == pytest.approx(b.scale(), rel=1e-9))

    qgis_canvas.setExtent(QgsRectangle(443700, 4179000, 443900, 4179200))
    assert same_view(other, qgis_canvas)
    assert other.center().y() == pytest.approx(4179100)

    other.setCenter(QgsPointXY(444200, 4178700))  # panning the second view moves the main one
    assert same_view(qgis_canvas, other)
    assert qgis_canvas.center().x() == pytest.approx(444200)

    # views of different shapes (600 x 600 and 400 x 300) must not zoom each other out over round trips
    scale = qgis_canvas.scale()
    for _ in range(5):
        other.refresh()
        qgis_canvas.setCenter(QgsPointXY(444210, 4178710))
        other.setCenter(QgsPointXY(444200, 4178700))
    assert qgis_canvas.scale() == pytest.approx(scale, rel=1e-9) and same_view(qgis_canvas, other)

    view.close()
    assert full_iface.recorder.canvases == {}
    qgis_canvas.setExtent(QgsRectangle(443600, 4179000, 443800, 4179200))  # no longer synced, no crash

    # the user closes the second view in QGIS: the next move of the main map lets it go quietly
    other = view.open([original])
    sip.delete(other)
    qgis_canvas.setExtent(QgsRectangle(443500, 4179000, 443700, 4179200))
    assert view.canvas is None
    assert view.open([original]) is not other
    view.close()


def test_new_view_settles_before_it_moves_the_main_map(qgis_canvas, full_iface, clean_project, qtbot, tmp_path):
    """QGIS sets a new map view up after showing it; those moves must not drag the main map along."""
    original = grey_layer(write_constant_raster(tmp_path / "orig.tif", 3000), "Original")
    clean_project.addMapLayer(original)
    qgis_canvas.setDestinationCrs(original.crs())
    qgis_canvas.setExtent(QgsRectangle(443700, 4179000, 443900, 4179200))
    main_view = (qgis_canvas.center().x(), qgis_canvas.center().y(), qgis_canvas.scale())
    view = SideBySideView(qgis_canvas, full_iface.createNewMapCanvas, full_iface.closeMapCanvas, settle_ms=200)
    other = view.open([original])
    other.setExtent(QgsRectangle(-2e7, -1e7, 2e7, 1e7))  # what a view set up in another CRS may do
    assert (qgis_canvas.center().x(), qgis_canvas.center().y(), qgis_canvas.scale()) == pytest.approx(main_view)
    qtbot.wait(400)
    assert other.center().x() == pytest.approx(main_view[0]) and other.scale() == pytest.approx(main_view[2])
    other.setCenter(QgsPointXY(444000, 4178000))  # settled: now the second view leads too
    assert qgis_canvas.center().x() == pytest.approx(444000)
    view.close()
