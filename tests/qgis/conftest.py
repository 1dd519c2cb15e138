"""Fixtures for the QGIS tests: the pytest-qgis iface stub completed with what the plugin uses.

The stub (pytest-qgis 2.1) has no createNewMapCanvas, removeDockWidget, Raster menu or Help > Plugins
menu, and its toolbar calls record nothing; `full_iface` adds recording versions of them so the tests can see what the plugin added
and whether unload() took it all away.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from osgeo import gdal, osr
from qgis.core import QgsProject
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import QEvent, QPoint, QSize, Qt
from qgis.PyQt.QtGui import QMouseEvent
from qgis.PyQt.QtWidgets import QApplication, QMenu

from tests.conftest import REPO


class IfaceRecorder:
    """Menus, toolbars, docks and extra map views the plugin registered, as the tests see them."""

    def __init__(self, iface):
        self.iface = iface
        self.menu_actions: list = []
        self.toolbar_actions: list = []
        self.docks: list = []
        self.canvases: dict = {}
        self.raster_menu = QMenu("&Raster")  # the real iface's Raster menu: actions directly in it
        self.help_menu = QMenu("Plugins")  # Help > Plugins

    @property
    def raster_menu_actions(self) -> list:
        return list(self.raster_menu.actions())

    def install(self, monkeypatch):
        iface = self.iface
        monkeypatch.setattr(iface, "addPluginToRasterMenu", lambda name, action: self.menu_actions.append(action), raising=False)
        monkeypatch.setattr(iface, "removePluginRasterMenu", lambda name, action: self._remove(self.menu_actions, action), raising=False)
        monkeypatch.setattr(iface, "addToolBarIcon", lambda action: self.toolbar_actions.append(action), raising=False)
        monkeypatch.setattr(iface, "removeToolBarIcon", lambda action: self._remove(self.toolbar_actions, action), raising=False)
        monkeypatch.setattr(iface, "rasterMenu", lambda: self.raster_menu, raising=False)
        monkeypatch.setattr(iface, "pluginHelpMenu", lambda: self.help_menu, raising=False)
        monkeypatch.setattr(iface, "addDockWidget", lambda area, dock: self.docks.append(dock), raising=False)
        monkeypatch.setattr(iface, "removeDockWidget", lambda dock: self._remove(self.docks, dock), raising=False)
        monkeypatch.setattr(iface, "createNewMapCanvas", self._new_canvas, raising=False)
        monkeypatch.setattr(iface, "closeMapCanvas", lambda name: self.canvases.pop(name, None), raising=False)

    @staticmethod
    def _remove(items, item):
        if item in items:
            items.remove(item)

    def _new_canvas(self, name):
        canvas = QgsMapCanvas()
        canvas.resize(QSize(400, 300))
        self.canvases[name] = canvas
        return canvas


@pytest.fixture()
def full_iface(qgis_iface, monkeypatch):
    recorder = IfaceRecorder(qgis_iface)
    recorder.install(monkeypatch)
    qgis_iface.recorder = recorder
    yield qgis_iface
    del qgis_iface.recorder


@pytest.fixture()
def clean_project(qgis_iface, qgis_canvas):
    qgis_iface.newProject()
    QgsProject.instance().layerTreeRoot().removeAllChildren()
    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().layerTreeRoot().removeAllChildren()
    qgis_canvas.setLayers([])


@pytest.fixture()
def layer_tree_iface(qgis_iface, monkeypatch):
    """The iface stub with a layer tree panel: QGIS 3.40's Processing post-processing (runAndLoadResults)
    asks iface.layerTreeView() where to insert the loaded outputs. A real view on the project's tree."""
    from qgis.core import QgsLayerTreeModel
    from qgis.gui import QgsLayerTreeView
    from qgis.PyQt import sip

    model = QgsLayerTreeModel(QgsProject.instance().layerTreeRoot())
    view = QgsLayerTreeView()
    view.setModel(model)
    monkeypatch.setattr(qgis_iface, "layerTreeView", lambda: view, raising=False)
    yield qgis_iface
    # the view first (it holds the model), both now: left to the garbage collector they could outlive QGIS
    sip.delete(view)
    sip.delete(model)


@pytest.fixture()
def shown_canvas(qgis_parent, qgis_canvas, qtbot):
    """The pytest-qgis canvas, shown (offscreen) so its map settings follow the widget size."""
    qgis_parent.show()
    qtbot.waitUntil(lambda: qgis_canvas.mapSettings().outputSize() == qgis_canvas.viewport().size(), timeout=5000)
    yield qgis_canvas
    qgis_parent.hide()


def mouse(widget, kind, x, y, button=Qt.LeftButton, held=Qt.NoButton):
    """Send one real mouse event to a widget (QTest cannot move with a button held in Qt5)."""
    types = {"press": QEvent.MouseButtonPress, "move": QEvent.MouseMove, "release": QEvent.MouseButtonRelease,
             "double": QEvent.MouseButtonDblClick}
    pos = QPoint(int(x), int(y))
    event = QMouseEvent(types[kind], pos, widget.mapToGlobal(pos), button if kind != "move" else Qt.NoButton,
                        held if kind != "release" else Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(widget, start, end, steps=5):
    mouse(widget, "press", *start, held=Qt.LeftButton)
    for i in range(1, steps + 1):
        x = start[0] + (end[0] - start[0]) * i / steps
        y = start[1] + (end[1] - start[1]) * i / steps
        mouse(widget, "move", x, y, held=Qt.LeftButton)
    mouse(widget, "release", *end)


def write_constant_raster(path, value, bands=1, size=60, origin=(443580.0, 4179420.0), pixel=10.0, epsg=32618):
    """A small georeferenced uint16 GeoTIFF with one value everywhere."""
    driver = gdal.GetDriverByName("GTiff")
    ds = driver.Create(str(path), size, size, bands, gdal.GDT_UInt16)
    ds.SetGeoTransform((origin[0], pixel, 0.0, origin[1], 0.0, -pixel))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    ds.SetProjection(srs.ExportToWkt())
    for i in range(bands):
        ds.GetRasterBand(i + 1).WriteArray(np.full((size, size), value, dtype=np.uint16))
    ds = None
    return str(path)


# The QGIS tests run the networks only in the worker (digisat_plugin/worker), as QGIS does: the
# worker is this repository's interpreter, and nothing in this process may import TensorFlow.
os.environ.setdefault("DIGISAT_WORKER_PYTHON", sys.executable)

TINY_MODEL_CODE = "import sys; from tests.servers.fixtures import build_tiny_model; build_tiny_model(sys.argv[1])"


@pytest.fixture(scope="session")
def tiny_sr_model(tmp_path_factory) -> str:
    """tests/servers/fixtures.py's tiny networks (last layer zero: they return the guided estimate),
    built in a child process so that TensorFlow never loads in this one."""
    folder = tmp_path_factory.mktemp("tiny_sr_model")
    done = subprocess.run([sys.executable, "-c", TINY_MODEL_CODE, str(folder)], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return str(folder)
