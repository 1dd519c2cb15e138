"""The QGIS plugin: a button on the Plugins toolbar (shown in a fresh profile) and an entry directly
in the Raster menu showing the dock, help and about in Help > Plugins, and the Processing provider.
`unload()` takes away everything `initGui()` added.
"""

from __future__ import annotations

import os

from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .icons import icon_path
from .toolbelt import log as logbook

MENU = "&digisat"
PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))


class DigisatPlugin:
    def __init__(self, iface, canvas_factory=None, canvas_closer=None):
        self.iface = iface
        self.canvas_factory = canvas_factory
        self.canvas_closer = canvas_closer
        self.action = None
        self.dock = None
        self.provider = None
        self.help_action = self.online_help_action = self.about_action = None
        self._raster_menu = self._help_menu = None
        from .gui.i18n import install_translator

        install_translator(PLUGIN_DIR)

    def initProcessing(self):  # noqa: N802 (QGIS calls it by this name; qgis_process calls only this)
        try:
            from .processing.provider import DigisatProvider
        except ImportError as exc:  # the provider module is optional while it is being written
            logbook.log(f"Processing provider not available ({exc})", Qgis.MessageLevel.Warning)
            return
        provider = DigisatProvider()
        if QgsApplication.processingRegistry().addProvider(provider):
            self.provider = provider
        else:  # already registered (the plugin loaded twice): leave the other one alone
            logbook.log("Processing provider 'digisat' is already registered", Qgis.MessageLevel.Warning)

    def initGui(self):  # noqa: N802
        from .gui import about
        from .gui.i18n import tr

        path = icon_path()
        window = self.iface.mainWindow()
        self.action = QAction(QIcon(path) if path else QIcon(), tr("digisat super-resolution"), window)
        self.action.setObjectName("digisatShowDock")
        self.action.setToolTip(tr("digisat: super-resolve the Sentinel-2 20 m and 60 m bands to 10 m (show the dock)"))
        self.action.setCheckable(True)
        self.action.toggled.connect(self.show_dock)
        # The Plugins toolbar is shown in a fresh profile (the Raster toolbar is not).
        self.iface.addToolBarIcon(self.action)
        # Raster > digisat super-resolution, one level deep (addPluginToRasterMenu would nest it in a submenu).
        raster_menu = getattr(self.iface, "rasterMenu", None)
        self._raster_menu = raster_menu() if raster_menu is not None else None
        if self._raster_menu is not None:
            self._raster_menu.addAction(self.action)
        else:
            self.iface.addPluginToMenu(MENU, self.action)
        self.help_action = QAction(tr("digisat help"), window)
        self.help_action.setObjectName("digisatHelp")
        self.help_action.setToolTip(tr("Open the digisat user guide shipped with the plugin (no network needed)"))
        self.help_action.triggered.connect(lambda: about.open_help())
        self.online_help_action = QAction(tr("digisat documentation online"), window)
        self.online_help_action.setObjectName("digisatOnlineHelp")
        self.online_help_action.setToolTip(tr("Open the digisat README on its home page in the web browser"))
        self.online_help_action.triggered.connect(lambda: about.open_online_help())
        self.about_action = QAction(tr("About digisat"), window)
        self.about_action.setObjectName("digisatAbout")
        self.about_action.triggered.connect(lambda: about.about_box(window).exec())
        help_menu = getattr(self.iface, "pluginHelpMenu", None)
        help_menu = help_menu() if help_menu is not None else None
        if help_menu is not None:
            help_menu.addAction(self.help_action)
            help_menu.addAction(self.online_help_action)
            help_menu.addAction(self.about_action)
        self._help_menu = help_menu
        if self.provider is None:
            self.initProcessing()
        from .toolbelt.settings import PluginSettings

        if PluginSettings.load().dock_open:  # open when QGIS last closed: open again
            self.action.setChecked(True)

    def _create_dock(self):
        from .gui.dock import DigisatDock

        self.dock = DigisatDock(self.iface, canvas_factory=self.canvas_factory, canvas_closer=self.canvas_closer,
                                parent=self.iface.mainWindow())
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.visibilityChanged.connect(self._dock_visibility)

    def show_dock(self, show: bool = True):
        if show and self.dock is None:
            self._create_dock()
        if self.dock is not None:
            self.dock.setUserVisible(show)
            self.dock.settings.dock_open = bool(show)

    def _dock_visibility(self, visible):
        if self.action is not None and self.action.isChecked() != visible and self.dock.isUserVisible() == visible:
            self.action.blockSignals(True)
            self.action.setChecked(visible)
            self.action.blockSignals(False)
            self.dock.settings.dock_open = bool(visible)  # closed with its own X: stays closed next time

    def unload(self):
        if self.dock is not None:
            # QGIS quitting hides the dock on its way out: that is not the user closing it (dock_open stays)
            try:
                self.dock.visibilityChanged.disconnect(self._dock_visibility)
            except TypeError:  # never connected (a dock made by hand)
                pass
            self.dock.unload()
            remove_dock = getattr(self.iface, "removeDockWidget", None)
            if remove_dock is not None:
                remove_dock(self.dock)
            else:
                self.iface.mainWindow().removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        if self.action is not None:
            self.iface.removeToolBarIcon(self.action)
            if self._raster_menu is not None:
                self._raster_menu.removeAction(self.action)
            else:
                remove_menu = getattr(self.iface, "removePluginMenu", None)
                if remove_menu is not None:
                    remove_menu(MENU, self.action)
            for extra in (self.help_action, self.online_help_action, self.about_action):
                if self._help_menu is not None:
                    self._help_menu.removeAction(extra)
                extra.deleteLater()
            self.help_action = self.online_help_action = self.about_action = self._help_menu = self._raster_menu = None
            self.action.deleteLater()
            self.action = None
        from .gui.i18n import remove_translators

        remove_translators()
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        from .worker.client import shutdown

        shutdown()  # kept-alive workers go with the plugin (a running one stops when its task ends)
