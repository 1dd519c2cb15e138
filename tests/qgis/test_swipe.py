"""Swipe compare and the side-by-side view, on real canvases rendered offscreen."""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal, osr
from qgis.core import (
    QgsContrastEnhancement,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsRasterLayer,
    QgsRectangle,
    QgsSingleBandGrayRenderer,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage

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
    # a rendering already under way (started by the fixture or by adding layers) would send the signal
    # with the old layers and leave the new one still drawing: let it end first
    canvas.waitWhileRendering()
    with qtbot.waitSignal(canvas.mapCanvasRefreshed, timeout=10000):
        canvas.refresh()


def wait_rendered(qtbot, canvas, tool):
    """Wait until the canvas and the swipe item both show the canvas's current extent."""
    viewport = canvas.viewport()
    qtbot.waitUntil(lambda: tool.item is not None and tool.item.image is not None and tool.item.job is None
                    and not canvas.isDrawing() and tool.item.rect() == canvas.mapSettings().visibleExtent()
                    and canvas.mapSettings().outputSize() == viewport.size(), timeout=10000)


def show_enhanced(canvas, project, qtbot, enhanced, original):
    """Both layers in the project, the canvas showing the enhanced one over its whole extent."""
    project.addMapLayers([enhanced, original])
    canvas.setDestinationCrs(enhanced.crs())
    canvas.setLayers([enhanced])
    canvas.setExtent(enhanced.extent())
    wait_canvas(qtbot, canvas)


def test_swipe_shows_enhanced_left_and_original_right(shown_canvas, clean_project, qtbot, tmp_path):
    enhanced = grey_layer(write_constant_raster(tmp_path / "enh.tif", 1000), "Enhanced")  # dark grey
    original = grey_layer(write_constant_raster(tmp_path / "orig.tif", 3000), "Original")  # light grey
    qgis_canvas = shown_canvas
    show_enhanced(qgis_canvas, clean_project, qtbot, enhanced, original)

    tool = SwipeMapTool(qgis_canvas, [original])
    qgis_canvas.setMapTool(tool)
    try:
        wait_rendered(qtbot, qgis_canvas, tool)
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


def test_swipe_labels_are_at_the_bottom_clear_of_the_message_bar(shown_canvas, clean_project, qtbot, tmp_path):
    """"enhanced | original" were drawn at the canvas's top, under QGIS's message bar whenever it showed a
    message (digisat's own "enhanced layer added" right after a run): now at the bottom, off its edge."""
    enhanced = grey_layer(write_constant_raster(tmp_path / "enh.tif", 2000), "Enhanced")
    original = grey_layer(write_constant_raster(tmp_path / "orig.tif", 2000), "Original")  # the same grey
    canvas = shown_canvas
    show_enhanced(canvas, clean_project, qtbot, enhanced, original)
    canvas.setExtent(QgsRectangle(443630, 4178930, 443630 + 500, 4178930 + 300))  # the rasters fill the canvas
    canvas.refresh()
    tool = SwipeMapTool(canvas, [original])
    canvas.setMapTool(tool)
    try:
        wait_rendered(qtbot, canvas, tool)
        shot = grey(canvas.viewport().grab().toImage())
        plain = reference(canvas, enhanced)
        divider = tool.item.divider
        # darker than the map: the label boxes, just left and right of the divider line
        dark = [y for y in range(shot.shape[0]) if shot[y, divider - 8] < plain[y, divider - 8] - 20
                and shot[y, divider + 8] < plain[y, divider + 8] - 20]
        height = shot.shape[0]
        assert dark and min(dark) >= height - tool.item.label_rows()  # in the bottom rows
        assert max(dark) < height - 30  # off the bottom edge's strip (scale bar, copyright)
        top = height // 2  # the top half, where the message bar shows, is the map's alone
        assert np.abs(shot[:top, :divider - 2] - plain[:top, :divider - 2]).max() <= 2
        assert np.abs(shot[:top, divider + 2:] - plain[:top, divider + 2:]).max() <= 2
    finally:
        canvas.unsetMapTool(tool)


ORIGIN = (443580.0, 4179420.0)  # top-left corner of the test rasters (EPSG:32618, 10 m pixels)


def write_grid_raster(path, background):
    """60 x 60 px: `background` with bright lines (4000) at columns 15 and 45 and at row 25, so that
    a rendering shows where the map is: a scale or offset error moves the lines."""
    data = np.full((60, 60), background, dtype=np.uint16)
    data[:, 15] = data[:, 45] = data[25, :] = 4000
    ds = gdal.GetDriverByName("GTiff").Create(str(path), 60, 60, 1, gdal.GDT_UInt16)
    ds.SetGeoTransform((ORIGIN[0], 10.0, 0.0, ORIGIN[1], 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32618)
    ds.SetProjection(srs.ExportToWkt())
    ds.GetRasterBand(1).WriteArray(data)
    ds = None
    return str(path)


def grey(image: QImage) -> np.ndarray:
    """The red channel of an image as a (height, width) int array."""
    image = image.convertToFormat(QImage.Format_RGB32)
    ptr = image.constBits()
    ptr.setsize(image.byteCount())
    return np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)[
        :, :image.width(), 2].astype(int)


def reference(canvas, layer) -> np.ndarray:
    """`layer` alone, rendered with the canvas's current map settings."""
    settings = QgsMapSettings(canvas.mapSettings())
    settings.setLayers([layer])
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return grey(job.renderedImage())


def line_rows(column: np.ndarray) -> list:
    return [int(i) for i in np.flatnonzero(column > 240)]


def test_swipe_lines_up_with_the_canvas_after_zoom_and_resize(shown_canvas, clean_project, qtbot, tmp_path):
    """Both sides of the divider show the same place: after the map is zoomed and panned, while the
    canvas re-renders (its preview and the item's old image are stretched alike) and once the
    rendering is done, and after the canvas changes size."""
    enhanced = grey_layer(write_grid_raster(tmp_path / "enh.tif", 1000), "Enhanced")
    original = grey_layer(write_grid_raster(tmp_path / "orig.tif", 3000), "Original")
    canvas = shown_canvas
    size = canvas.size()
    show_enhanced(canvas, clean_project, qtbot, enhanced, original)
    tool = SwipeMapTool(canvas, [original])
    canvas.setMapTool(tool)
    viewport = canvas.viewport()

    def rendered():
        wait_rendered(qtbot, canvas, tool)

    def check_against_references():
        shot = grey(viewport.grab().toImage())
        divider = tool.item.divider
        left, right = reference(canvas, enhanced), reference(canvas, original)
        assert shot.shape == left.shape
        # left of the divider: the canvas (enhanced); right: the original; two pixels kept clear of the line
        # (above the "enhanced | original" labels at the bottom of the divider)
        end = shot.shape[0] - tool.item.label_rows()
        assert np.abs(shot[:end, :divider - 2] - left[:end, :divider - 2]).max() <= 2
        assert np.abs(shot[:end, divider + 2:] - right[:end, divider + 2:]).max() <= 2
        for x in (divider // 2, (divider + shot.shape[1]) // 2):  # the bright row is at the same height
            assert line_rows(shot[:end, x]) == line_rows(left[:end, x]) != []

    try:
        rendered()
        # zoom in 2x off-centre so both vertical lines and the row stay on screen
        canvas.setExtent(QgsRectangle(443630, 4178930, 443630 + 500, 4178930 + 300))
        canvas.refresh()  # setExtent alone does not redraw (QGIS's zoom tools call refresh() too)
        shot = grey(viewport.grab().toImage())  # before any new rendering: both show stretched old images
        divider = tool.item.divider
        left_rows, right_rows = line_rows(shot[:, divider // 2]), line_rows(shot[:, (divider + shot.shape[1]) // 2])
        assert left_rows and right_rows and abs(left_rows[0] - right_rows[0]) <= 1
        rendered()
        check_against_references()

        canvas.resize(QSize(size.width() - 170, size.height() - 90))  # e.g. a panel opened beside the map
        canvas.refresh()
        rendered()
        tool.item.set_divider(viewport.width() // 3)
        check_against_references()
    finally:
        canvas.unsetMapTool(tool)
        canvas.resize(size)


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
