"""Layout in a real main window: Side by side is a toggle, and closing it gives the main map its width back."""

from __future__ import annotations

import pytest
from qgis.core import QgsRasterLayer
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QApplication, QCheckBox, QDockWidget, QMainWindow, QScrollArea

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.toolbelt.settings import PluginSettings

from .conftest import write_constant_raster


class WindowIface:
    """What the dock needs of QGIS's iface, over a real QMainWindow with the canvas in the middle."""

    def __init__(self, stub):
        self.stub = stub
        self.window = QMainWindow()
        self.canvas = QgsMapCanvas()
        self.window.setCentralWidget(self.canvas)
        self.window.resize(1600, 900)
        self.views: dict = {}

    def mapCanvas(self):  # noqa: N802
        return self.canvas

    def mainWindow(self):  # noqa: N802
        return self.window

    def messageBar(self):  # noqa: N802
        return self.stub.messageBar()

    def new_view(self, name):
        holder = QDockWidget(name, self.window)
        view = QgsMapCanvas(holder)
        holder.setWidget(view)
        self.window.addDockWidget(Qt.RightDockWidgetArea, holder)
        self.views[name] = holder
        return view

    def close_view(self, name):
        holder = self.views.pop(name, None)
        if holder is not None:
            self.window.removeDockWidget(holder)
            holder.deleteLater()


def settle(qtbot, ms=200):
    QApplication.processEvents()
    qtbot.wait(ms)


@pytest.fixture()
def window_dock(qgis_iface, clean_project, tmp_path, qtbot):
    iface = WindowIface(qgis_iface)
    dock = DigisatDock(iface, settings=PluginSettings(output_dir=str(tmp_path)), canvas_factory=iface.new_view,
                       canvas_closer=iface.close_view, parent=iface.window)
    iface.window.addDockWidget(Qt.RightDockWidgetArea, dock)
    iface.window.show()
    settle(qtbot)
    original = QgsRasterLayer(write_constant_raster(tmp_path / "o.tif", 500, bands=3), "Original", "gdal")
    assert original.isValid()
    dock.result = (None, None, None, original)
    dock.side_button.setEnabled(True)
    yield iface, dock
    dock.unload()
    dock.deleteLater()
    iface.window.close()
    iface.window.deleteLater()


def test_closing_side_by_side_restores_the_main_map_width(window_dock, qtbot):
    iface, dock = window_dock
    before = iface.canvas.width()
    assert before > 800
    dock.side_button.setChecked(True)  # a toggle: on opens the second view
    settle(qtbot)
    assert dock.side_by_side.canvas is not None and list(iface.views) == ["digisat original"]
    assert iface.canvas.width() < before - 200  # the two maps share the room
    dock.side_button.setChecked(False)  # off closes it
    settle(qtbot)
    assert iface.views == {} and dock.side_by_side.canvas is None
    assert iface.canvas.width() == pytest.approx(before, abs=8)


def test_closing_the_view_itself_unchecks_the_toggle_and_restores(window_dock, qtbot):
    iface, dock = window_dock
    before = iface.canvas.width()
    dock.side_button.setChecked(True)
    settle(qtbot)
    iface.close_view("digisat original")  # the user closes QGIS's dock of the view
    settle(qtbot)
    assert not dock.side_button.isChecked()
    assert iface.canvas.width() == pytest.approx(before, abs=8)


def test_dock_is_narrow_and_scrolls(window_dock):
    iface, dock = window_dock
    assert isinstance(dock.widget(), QScrollArea) and dock.widget().widgetResizable()
    assert dock.minimumSizeHint().width() <= 420


def test_no_checkbox_is_clipped_in_a_300_px_dock(window_dock):
    """A QCheckBox does not wrap its text: one wider than a narrow dock is cut off, so every
    checkbox of the dock keeps a short text (the detail goes in wrapping labels)."""
    _iface, dock = window_dock
    boxes = dock.widget().widget().findChildren(QCheckBox)
    assert {"bands20", "bands60", "measure_quality"} <= {name for name, value in vars(dock.process).items()
                                                         if isinstance(value, QCheckBox)}
    too_wide = {box.text(): box.sizeHint().width() for box in boxes if box.sizeHint().width() > 260}
    assert not too_wide


def test_swipe_says_which_side_is_which(window_dock, qtbot):
    from qgis.PyQt.QtGui import QImage, QPainter

    from digisat_plugin.gui.swipe import SwipeItem

    iface, _dock = window_dock
    item = SwipeItem(iface.canvas, [])
    try:
        assert item.labels() == ("enhanced", "original")
        image = QImage(400, 100, QImage.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        item._paint_labels(painter, 200)
        painter.end()
        # dark label boxes drawn on both sides of the divider, at the top
        assert image.pixelColor(190, 8).alpha() > 0 and image.pixelColor(210, 8).alpha() > 0
        assert image.pixelColor(200, 80).alpha() == 0
    finally:
        iface.canvas.scene().removeItem(item)
