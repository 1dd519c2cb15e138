"""The uncertainty layer's look (gui/uncertainty_style.py) on a real raster, as QGIS reads it."""

from __future__ import annotations

import warnings

import numpy as np
from osgeo import gdal, osr
from qgis.core import QgsRasterLayer, QgsSingleBandPseudoColorRenderer

from digisat_plugin.gui.uncertainty_style import SPREAD, style_uncertainty


def write_layer(path, b05, scale=0.0001):
    """A 3-band float32 layer (B02 0, B05 `b05`, B8A 2 x b05) with the enhanced bands' scale."""
    ds = gdal.GetDriverByName("GTiff").Create(str(path), 40, 40, 3, gdal.GDT_Float32)
    ds.SetGeoTransform((443580.0, 10.0, 0.0, 4179420.0, 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32618)
    ds.SetProjection(srs.ExportToWkt())
    for i, (name, data) in enumerate((("B02", np.zeros_like(b05)), ("B05", b05), ("B8A", 2 * b05)), start=1):
        band = ds.GetRasterBand(i)
        band.SetDescription(name)
        band.SetScale(scale)
        band.SetOffset(0.0)
        band.WriteArray(data.astype(np.float32))
    ds = None
    return str(path)


def test_ramp_on_b05_spans_its_spread_in_reflectance_without_deprecated_calls(tmp_path):
    b05 = np.tile(np.linspace(10.0, 50.0, 40), (40, 1))  # DN
    layer = QgsRasterLayer(write_layer(tmp_path / "u.tif", b05), "u", "gdal")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        style_uncertainty(layer)
    assert [str(w.message) for w in caught if "deprecated" in str(w.message)] == []
    renderer = layer.renderer()
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer) and renderer.band() == 2
    # QGIS shows the band in reflectance (its scale): the ramp's top is its mean + SPREAD sd there
    top = (b05.mean() + SPREAD * b05.std()) * 0.0001
    assert renderer.classificationMin() == 0.0
    assert abs(renderer.classificationMax() - top) < 0.01 * top


def test_a_flat_layer_still_gets_a_ramp_of_one_dn(tmp_path):
    layer = QgsRasterLayer(write_layer(tmp_path / "u.tif", np.zeros((40, 40))), "u", "gdal")
    style_uncertainty(layer)
    assert layer.renderer().classificationMax() == 0.0001  # one DN in the units QGIS shows
