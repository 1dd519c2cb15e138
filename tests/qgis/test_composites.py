"""Issue 27: a 60 m-only result was styled in true colour (10 m bands only, so the swipe showed no
difference) and no other composite could be chosen. The composites (gui/results.py) default to one that
shows enhanced bands; the dock's combo applies a choice to both layers with one stretch."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from osgeo import gdal, osr

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.gui.results import add_result_group, composite_choices, default_composite, result_names
from digisat_plugin.toolbelt.settings import PluginSettings

ALL = ["B02", "B03", "B04", "B08", "B05", "B06", "B07", "B8A", "B11", "B12", "B01", "B09"]
ONLY_60 = ["B02", "B03", "B04", "B08", "B01", "B09"]  # what a run with only the 60 m group ticked writes


def write_result(path, names, seed):
    """A 10 m raster with the engine's band descriptions; each band its own values (the stretch differs)."""
    ds = gdal.GetDriverByName("GTiff").Create(str(path), 40, 40, len(names), gdal.GDT_UInt16)
    ds.SetGeoTransform((445080.0, 10.0, 0.0, 4177920.0, 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32618)
    ds.SetProjection(srs.ExportToWkt())
    rng = np.random.default_rng(seed)
    for i, name in enumerate(names):
        band = ds.GetRasterBand(i + 1)
        band.SetDescription(name)
        band.WriteArray(rng.integers(100 * (i + 1), 100 * (i + 1) + 1000, (40, 40)).astype(np.uint16))
    ds = None
    return str(path)


def shown(layer, names):
    renderer = layer.renderer()
    bands = [renderer.redBand(), renderer.greenBand(), renderer.blueBand()]
    limits = [(ce.minimumValue(), ce.maximumValue()) for ce in (
        renderer.redContrastEnhancement(), renderer.greenContrastEnhancement(), renderer.blueContrastEnhancement())]
    return [names[b - 1] for b in bands], limits


def test_every_composite_is_offered_and_60m_only_defaults_to_enhanced_bands():
    assert [k for k, _l, _b in composite_choices(ALL)] == ["false20", "swir", "rededge", "b60", "true"]
    assert default_composite(ALL) == "false20"
    # before: true colour, the only composite of COMPOSITES whose bands a 60 m-only result holds
    assert [k for k, _l, _b in composite_choices(ONLY_60)] == ["b60", "true"]
    assert default_composite(ONLY_60) == "b60"
    assert dict((k, b) for k, _l, b in composite_choices(ONLY_60))["b60"] == ("B01", "B09", "B08")


def test_a_60m_result_is_not_shown_in_true_colour(clean_project, tmp_path):
    enhanced = write_result(tmp_path / "e.tif", ONLY_60, 1)
    original = write_result(tmp_path / "o.tif", ONLY_60, 2)
    _group, e_layer, o_layer = add_result_group(enhanced, original, result_names("S2A_T18SVG", "2016-01-12", "abc"))
    bands, limits = shown(e_layer, ONLY_60)
    assert bands == ["B01", "B09", "B08"]
    assert shown(o_layer, ONLY_60) == (bands, limits)  # the same stretch on both


@pytest.mark.parametrize("key, expected", [("swir", ["B12", "B8A", "B04"]), ("rededge", ["B07", "B06", "B05"]),
                                           ("b60", ["B01", "B09", "B12"]), ("true", ["B04", "B03", "B02"])])
def test_the_dock_combo_restyles_both_layers_alike(full_iface, clean_project, tmp_path, key, expected):
    enhanced = write_result(tmp_path / "e.tif", ALL, 1)
    original = write_result(tmp_path / "o.tif", ALL, 2)
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path), worker_python=sys.executable))
    try:
        assert not dock.composite.isEnabled()  # no result yet
        group, e_layer, o_layer = add_result_group(enhanced, original, result_names("x_T18SVG", "2016-01-12", "k"))
        dock.result = (SimpleNamespace(output=enhanced), group, e_layer, o_layer)
        dock.show_composites(e_layer)
        assert dock.composite.isEnabled() and dock.composite.count() == 5
        assert dock.composite.currentData() == "false20"
        dock.composite.setCurrentIndex(dock.composite.findData(key))
        dock.composite.activated.emit(dock.composite.currentIndex())  # as a user's pick in the list
        bands, limits = shown(e_layer, ALL)
        assert bands == expected
        assert shown(o_layer, ALL) == (expected, limits)
        assert dock.composite.currentText().endswith(f"({' '.join(expected)})")
    finally:
        dock.unload()
        dock.deleteLater()
