"""Inputs' no-data pixels are filled before the networks see them (core/sr/nodata.py): the enhanced
pixels next to a no-data edge stay close to what they are without it."""

import numpy as np
import pytest
from osgeo import gdal

from digisat_plugin.core.sr.engine import superresolve
from digisat_plugin.core.sr.nodata import fill_nodata
from digisat_plugin.core.sr.predict import Predictor
from tests.builders import copy_band_folder

CORNER = 198  # base pixels a side of the no-data corner: whole 60 m pixels (33), as at a swath's edge
STRIP = 6  # base pixels of valid data along the corner's edges that are compared


def test_fill_takes_the_nearest_valid_value():
    values = np.array([[0, 3, 0, 0, 5], [0, 0, 0, 0, 0]], np.float32)
    out = fill_nodata(values, values == 0)
    assert out.tolist() == [[3, 3, 3, 5, 5], [3, 3, 3, 5, 5]]
    assert values[0, 0] == 0  # a new array
    assert fill_nodata(values, np.zeros_like(values, bool)) is values
    assert fill_nodata(values, np.ones_like(values, bool)) is values  # nothing to fill from


@pytest.fixture(scope="module")
def runs(sample_dir, tmp_path_factory):
    """The sample, and a copy whose top-left corner is no data in every band, both enhanced."""
    tmp = tmp_path_factory.mktemp("nodata")
    corner = copy_band_folder(sample_dir, tmp / "corner")
    for band in ("B02", "B03", "B04", "B08", "B05", "B06", "B07", "B8A", "B11", "B12", "B01", "B09"):
        ds = gdal.Open(f"{corner}/{band}.tif", gdal.GA_Update)
        n = CORNER * ds.RasterXSize // 600  # the band's own pixels (600 px at 10 m)
        values = ds.GetRasterBand(1).ReadAsArray()
        values[:n, :n] = 0
        ds.GetRasterBand(1).WriteArray(values)
        ds = None
    predictor = Predictor(device="cpu")
    out = {}
    for name, src in (("whole", str(sample_dir)), ("corner", corner)):
        result = superresolve(src, str(tmp / f"{name}.tif"), bands=["B05", "B11"], predictor=predictor,
                              uncertainty_path=str(tmp / f"{name}_unc.tif"))
        ds, unc = gdal.Open(result.output), gdal.Open(result.uncertainty)
        names = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
        out[name] = {b: (ds.GetRasterBand(names.index(b) + 1).ReadAsArray().astype(float),
                         unc.GetRasterBand(names.index(b) + 1).ReadAsArray()) for b in ("B05", "B11")}
    return out


@pytest.mark.parametrize("band,bound", [("B05", 20.0), ("B11", 35.0)])
def test_pixels_beside_a_nodata_edge_stay_close_to_those_without_it(runs, band, bound):
    """Measured (2026-12-07): along the edge's 6 px strip the outputs moved 68 (B05) and 107 DN (B11)
    with the no-data read as 0, up to 180 / 290 DN within 2 px; 10 and 20 DN with the fill."""
    whole, wu = runs["whole"][band]
    corner, cu = runs["corner"][band]
    strip = np.zeros(whole.shape, bool)
    strip[CORNER:CORNER + STRIP, :CORNER + STRIP] = True
    strip[:CORNER, CORNER:CORNER + STRIP] = True
    assert np.abs(corner - whole)[strip].mean() < bound
    assert np.abs(corner - whole)[CORNER, :CORNER].mean() < 2 * bound  # the first row beside the edge
    assert (corner[:CORNER, :CORNER] == 0).all() and np.isnan(cu[:CORNER, :CORNER]).all()  # still no data
    np.testing.assert_array_equal(corner[CORNER + 20:, CORNER + 20:], whole[CORNER + 20:, CORNER + 20:])
    # the layer beside the edge says about what it says without the edge, not a wall of large errors
    assert cu[strip].mean() < 1.3 * wu[strip].mean()
