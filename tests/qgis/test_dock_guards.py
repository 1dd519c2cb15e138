"""The dock's guard rails and memory (issue 27): Run needs a band group, Until follows the search, every
control and the dock itself come back after a restart, the URL typed in the Data tab is the one setting,
results are named apart, and the worker leaves no open pipe behind."""

from __future__ import annotations

import gc
import sys
import warnings

import pytest
from qgis.core import Qgis
from qgis.PyQt.QtCore import QDate

import digisat_plugin
from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.gui.results import masked_name, product_tile, result_names
from digisat_plugin.toolbelt.settings import PluginSettings


@pytest.fixture()
def fresh_settings(tmp_path):
    """QGIS's settings as a new profile has them (other tests' docks saved theirs)."""
    settings = PluginSettings(output_dir=str(tmp_path), worker_python=sys.executable).persist()
    yield settings
    PluginSettings().persist()


def restart(full_iface):
    """A new dock on settings loaded afresh from QgsSettings: what QGIS shows after a restart."""
    return DigisatDock(full_iface, settings=PluginSettings.load())


def close(dock):
    dock.unload()
    dock.deleteLater()


def test_run_is_disabled_without_a_band_group(full_iface, clean_project, fresh_settings):
    dock = DigisatDock(full_iface, settings=fresh_settings)
    try:
        assert dock.run_button.isEnabled()
        dock.process.bands20.setChecked(False)
        dock.process.bands60.setChecked(False)
        # it wrote the four copied 10 m bands and said "enhanced layer added" (issue 27)
        assert not dock.run_button.isEnabled() and not dock.process.no_bands_label.isHidden()
        assert dock.step_label.text() == "Tick a band group (Process tab) to run"
        assert dock.run() is None and dock.chain is None
        assert full_iface.messageBar().get_messages(Qgis.Critical)[-1].endswith(
            "bands: tick at least one band group (Process tab); the 10 m bands alone are only copied")
        dock.process.bands60.setChecked(True)
        assert dock.run_button.isEnabled() and dock.process.no_bands_label.isHidden()
    finally:
        close(dock)


def test_until_follows_the_search_end_date(full_iface, clean_project, fresh_settings):
    dock = DigisatDock(full_iface, settings=fresh_settings)
    try:
        dock.data.end_date.setDate(QDate(2017, 8, 31))
        # Until was today whatever the search (a run would have processed 9 years)
        assert dock.series.end_date.date() == QDate(2017, 8, 31)
        dock.data.end_date.setDate(QDate(2018, 1, 15))
        assert dock.series.end_date.date() == QDate(2018, 1, 15)
    finally:
        close(dock)


def test_every_control_comes_back_after_a_restart(full_iface, clean_project, fresh_settings):
    dock = DigisatDock(full_iface, settings=fresh_settings)
    try:
        dock.process.bands20.setChecked(False)
        dock.process.measure_quality.setChecked(True)
        dock.process.zoom_to_result.setChecked(False)
        dock.data.max_cloud.setValue(12)
        dock.data.level_combo.setCurrentText("L1C")
        dock.data.url_edit.setText("http://127.0.0.1:9/stac")
        dock.data.url_edit.editingFinished.emit()  # the user leaves the field
    finally:
        close(dock)
    again = restart(full_iface)
    try:
        # band choice and Measure quality were reset on restart; the typed URL was used but not saved
        assert not again.process.bands20.isChecked() and again.process.bands60.isChecked()
        assert again.process.measure_quality.isChecked() and not again.process.zoom_to_result.isChecked()
        assert again.data.max_cloud.value() == 12 and again.data.level_combo.currentText() == "L1C"
        assert again.data.url_edit.text() == "http://127.0.0.1:9/stac"
        assert again.settings.stac_url == "http://127.0.0.1:9/stac"  # the one setting Processing reads too
        assert again.settings_panel.stac_url.text() == "http://127.0.0.1:9/stac"
    finally:
        close(again)


def test_the_dock_reopens_after_a_restart_when_it_was_open(full_iface, qgis_canvas, clean_project, fresh_settings):
    plugin = digisat_plugin.classFactory(full_iface)
    plugin.initGui()
    try:
        assert plugin.dock is None  # a new profile: closed until asked for
        plugin.action.trigger()
        assert PluginSettings.load().dock_open
    finally:
        plugin.unload()  # QGIS quitting: the dock was open, so it stays "open"
    assert PluginSettings.load().dock_open
    plugin = digisat_plugin.classFactory(full_iface)
    plugin.initGui()
    try:
        assert plugin.dock is not None and not plugin.dock.isHidden() and plugin.action.isChecked()
        plugin.action.trigger()  # closed by the user: stays closed next time
        assert not PluginSettings.load().dock_open
    finally:
        plugin.unload()
    plugin = digisat_plugin.classFactory(full_iface)
    plugin.initGui()
    try:
        assert plugin.dock is None
    finally:
        plugin.unload()


def test_results_are_named_by_date_tile_and_request():
    assert product_tile("S2A_MSIL2A_20170613T101031_N0205_R022_T33UUP_20170613T101608") == "33UUP"
    assert product_tile("S2A_18SVG_20240705_0_L2A") == "18SVG"
    assert product_tile("S2A_L1C_20160112_T18SVG_virginia_sample") == "18SVG"
    assert product_tile("my_band_folder") == ""
    first = result_names("S2A_MSIL2A_20170613T101031_N0205_R022_T33UUP_20170613T101608", "2017-06-13", "4c93d3")
    assert first == ("2017-06-13 33UUP [4c93d3]", "2017-06-13 33UUP enhanced [4c93d3]",
                     "2017-06-13 33UUP original [4c93d3]")
    # two runs on one product (another area or band set): every name differs
    second = result_names("S2A_MSIL2A_20170613T101031_N0205_R022_T33UUP_20170613T101608", "2017-06-13", "0a1b2c")
    assert not set(first) & set(second)
    assert result_names("my_band_folder", "", "0a1b2c")[1] == "my_band_folder enhanced [0a1b2c]"
    # a masked copy (digisat:mask_uncertain) keeps the request key last, as its sibling layers do
    assert masked_name(first[1]) == "2017-06-13 33UUP enhanced masked [4c93d3]"
    assert masked_name("my layer") == "my layer masked" and masked_name("[x]") == "[x] masked"


def test_a_worker_job_leaves_no_open_pipe(stac_server):
    """ResourceWarnings with tracebacks filled QGIS's Python warning log (worker/client.py)."""
    from digisat_plugin.core.io.aoi import Aoi
    from digisat_plugin.worker.client import run_job
    from digisat_plugin.worker.codec import encode_aoi

    aoi = Aoi.from_bbox(444000.0, 4177800.0, 445020.0, 4178820.0, "EPSG:32618")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for keep_alive in (0.0, 0.0):
            found = run_job("search", {"source": {"kind": "stac", "url": stac_server}, "aoi": encode_aoi(aoi),
                                       "query": {"start": "2024-06-01", "end": "2024-07-10", "max_cloud": 50,
                                                 "level": "L2A"}}, sys.executable, keep_alive=keep_alive)
            assert len(found) == 3
        gc.collect()
    assert not [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def test_band_text_follows_the_ticks(full_iface, clean_project, fresh_settings):
    """The Process tab's band list says what the ticks will super-resolve (it listed both groups whatever
    was ticked, issue 27)."""
    dock = DigisatDock(full_iface, settings=fresh_settings)
    try:
        text = dock.process.band_text
        dock.process.bands20.setChecked(True)
        dock.process.bands60.setChecked(True)
        assert text.text() == "Super-resolved to 10 m: B05 B06 B07 B8A B11 B12 B01 B09."
        dock.process.bands20.setChecked(False)
        assert text.text() == "Super-resolved to 10 m: B01 B09."
        dock.process.bands60.setChecked(False)
        assert text.isHidden() and not dock.process.no_bands_label.isHidden()
    finally:
        close(dock)


def test_a_run_without_the_layer_removes_the_stale_one_and_its_sidecar(tmp_path):
    """The dock after a rerun without *Uncertainty layer*: the old layer described the replaced output, and
    the `.aux.xml` QGIS wrote beside it (statistics, histograms) would otherwise stay behind alone."""
    from digisat_plugin.gui.results import remove_stale_uncertainty

    output = tmp_path / "scene_enhanced.tif"
    output.write_bytes(b"new output")
    stale = tmp_path / "scene_uncertainty.tif"
    stale.write_bytes(b"old layer")
    (tmp_path / "scene_uncertainty.tif.aux.xml").write_text("<PAMDataset/>")
    remove_stale_uncertainty(str(output))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scene_enhanced.tif"]
