"""The plugin as QGIS loads it: classFactory, initGui, the dock, the provider, and a clean unload()."""

from __future__ import annotations

import subprocess
import sys

from qgis.core import QgsApplication
from qgis.PyQt import sip

import digisat_plugin
from tests.conftest import REPO


def test_package_imports_without_qgis():
    code = ("import sys, digisat_plugin, digisat_plugin.cli; "
            "assert not [m for m in sys.modules if m.startswith(('qgis', 'PyQt5'))], 'qgis imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_init_and_unload_leave_nothing_behind(full_iface, qgis_canvas, clean_project, qtbot):
    recorder = full_iface.recorder
    tool_before = qgis_canvas.mapTool()
    items_before = len(qgis_canvas.scene().items())
    registry = QgsApplication.processingRegistry()
    other_provider = registry.providerById("digisat")  # a Processing test fixture may hold one already
    plugin = digisat_plugin.classFactory(full_iface)
    plugin.initGui()
    try:
        # found at once: on the Plugins toolbar (shown in a fresh profile) and directly in the Raster menu
        assert recorder.toolbar_actions == [plugin.action]
        assert recorder.raster_menu_actions == [plugin.action] and recorder.menu_actions == []
        assert [a.objectName() for a in recorder.help_menu.actions()] == ["digisatHelp", "digisatOnlineHelp", "digisatAbout"]
        assert plugin.action.toolTip()
        if other_provider is None:
            assert registry.providerById("digisat") is plugin.provider is not None
            assert "digisat:superresolve" in {a.id() for a in plugin.provider.algorithms()}
        else:
            assert plugin.provider is None and registry.providerById("digisat") is other_provider
        plugin.action.trigger()  # the toolbar button opens the dock
        dock = plugin.dock
        assert recorder.docks == [dock] and not dock.isHidden()
        assert [dock.tabs.tabText(i) for i in range(dock.tabs.count())] == ["Area", "Data", "Process", "Settings"]
        dock.area.aoi.start_polygon()  # a map tool and rubber bands on the canvas
        dock.area.aoi.use_canvas_extent()
        assert qgis_canvas.mapTool() is dock.area.aoi.polygon_tool
        action = plugin.action
    finally:
        plugin.unload()
    assert recorder.menu_actions == [] and recorder.toolbar_actions == [] and recorder.docks == []
    assert recorder.raster_menu_actions == [] and recorder.help_menu.actions() == []
    assert registry.providerById("digisat") is other_provider
    assert qgis_canvas.mapTool() is tool_before
    assert len(qgis_canvas.scene().items()) == items_before
    assert plugin.dock is None and plugin.action is None and plugin.provider is None
    qtbot.waitUntil(lambda: sip.isdeleted(action), timeout=2000)  # deleteLater ran
    assert clean_project.mapLayers() == {}


def test_metadata_declares_what_qgis_needs():
    import configparser

    meta = configparser.ConfigParser()
    meta.read(REPO / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    for key in ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email", "repository",
                "tracker", "homepage", "tags", "category", "icon", "experimental", "changelog"):
        assert general.get(key), key
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["version"] == "0.1.0"
    assert general["hasProcessingProvider"] == "yes"
    assert (REPO / "resources" / "icons" / "digisat.svg").exists() and general["icon"] == "resources/icons/digisat.svg"


def test_help_opens_the_readme_and_about_names_version_models_licence(full_iface, monkeypatch):
    import configparser

    from digisat_plugin.gui import about

    opened = []
    monkeypatch.setattr(about, "open_url", lambda url: opened.append(url.toString()))
    plugin = digisat_plugin.classFactory(full_iface)
    plugin.initGui()
    try:
        plugin.help_action.trigger()
        plugin.online_help_action.trigger()
        meta = configparser.ConfigParser()
        meta.read(REPO / "metadata.txt", encoding="utf-8")
        # the offline guide first (issue 27: help was online only), the README online as the second link
        assert opened == [(REPO / "digisat_plugin" / "help" / "index.html").as_uri(),
                          meta["general"]["homepage"] + "#the-qgis-plugin"]
        box = about.about_box()
        text = box.text()
        assert f"digisat {meta['general']['version']}" in text
        assert "net20: B05 B06 B07 B8A B11 B12, 4 residual blocks x 48 filters" in text
        assert "net60: B01 B09" in text and "GPL-2.0-or-later" in text and "Copernicus Sentinel data" in text
        assert about.help_url() in text
        box.deleteLater()
    finally:
        plugin.unload()
