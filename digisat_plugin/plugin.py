"""The QGIS plugin: a toolbar button and a Raster menu entry showing the dock, and the
Processing provider. `unload()` takes away everything `initGui()` added.
"""

from __future__ import annotations

import os

from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .toolbelt import log as logbook

MENU = "&digisat"
PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))


def icon_path() -> str:
    """The plugin's own icon (installed zip), else the repository's (source checkout)."""
    for folder in (os.path.join(PLUGIN_DIR, "resources", "icons"),
                   os.path.join(os.path.dirname(PLUGIN_DIR), "resources", "icons")):
        path = os.path.join(folder, "digisat.svg")
        if os.path.exists(path):
            return path
    return ""


class DigisatPlugin:
    def __init__(self, iface, canvas_factory=None, canvas_closer=None):
        self.iface = iface
        self.canvas_factory = canvas_factory
        self.canvas_closer = canvas_closer
        self.action = None
        self.dock = None
        self.provider = None
        self._menu_added = self._toolbar_added = None

    def initProcessing(self):  # noqa: N802 (QGIS calls it by this name; qgis_process calls only this)
        try:
            from .processing.provider import DigisatProvider
        except ImportError as exc:  # the provider module is optional while it is being written
            logbook.log(f"Processing provider not available ({exc})", Qgis.Warning)
            return
        provider = DigisatProvider()
        if QgsApplication.processingRegistry().addProvider(provider):
            self.provider = provider
        else:  # already registered (the plugin loaded twice): leave the other one alone
            logbook.log("Processing provider 'digisat' is already registered", Qgis.Warning)

    def initGui(self):  # noqa: N802
        path = icon_path()
        self.action = QAction(QIcon(path) if path else QIcon(), "digisat super-resolution", self.iface.mainWindow())
        self.action.setObjectName("digisatShowDock")
        self.action.setToolTip("Sentinel-2 super-resolution of the 20 m and 60 m bands to 10 m")
        self.action.setCheckable(True)
        self.action.toggled.connect(self.show_dock)
        # the raster toolbar and menu where QGIS has them (the test iface stub has only the generic ones)
        self._toolbar_added = (getattr(self.iface, "addRasterToolBarIcon", None), self.iface.addToolBarIcon)
        add_icon = self._toolbar_added[0] or self._toolbar_added[1]
        add_icon(self.action)
        add_menu = getattr(self.iface, "addPluginToRasterMenu", None) or self.iface.addPluginToMenu
        add_menu(MENU, self.action)
        if self.provider is None:
            self.initProcessing()

    def _create_dock(self):
        from .gui.dock import DigisatDock

        self.dock = DigisatDock(self.iface, canvas_factory=self.canvas_factory, canvas_closer=self.canvas_closer,
                                parent=self.iface.mainWindow())
        self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.visibilityChanged.connect(self._dock_visibility)

    def show_dock(self, show: bool = True):
        if show and self.dock is None:
            self._create_dock()
        if self.dock is not None:
            self.dock.setUserVisible(show)

    def _dock_visibility(self, visible):
        if self.action is not None and self.action.isChecked() != visible and self.dock.isUserVisible() == visible:
            self.action.blockSignals(True)
            self.action.setChecked(visible)
            self.action.blockSignals(False)

    def unload(self):
        if self.dock is not None:
            self.dock.unload()
            remove_dock = getattr(self.iface, "removeDockWidget", None)
            if remove_dock is not None:
                remove_dock(self.dock)
            else:
                self.iface.mainWindow().removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        if self.action is not None:
            if getattr(self.iface, "removeRasterToolBarIcon", None) and self._toolbar_added[0]:
                self.iface.removeRasterToolBarIcon(self.action)
            else:
                self.iface.removeToolBarIcon(self.action)
            remove_menu = getattr(self.iface, "removePluginRasterMenu", None) or getattr(
                self.iface, "removePluginMenu", None)
            if remove_menu is not None:
                remove_menu(MENU, self.action)
            self.action.deleteLater()
            self.action = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        from .worker.client import shutdown

        shutdown()  # kept-alive workers go with the plugin (a running one stops when its task ends)
