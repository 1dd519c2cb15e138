"""Checks shared by the end-to-end tests: what superresolve wrote from a fetched product, and the
uncertainty layer beside an output (superresolve, enhance, batch, series)."""

from __future__ import annotations

import numpy as np
from osgeo import gdal

from digisat_plugin.core.io.aoi import window_for
from digisat_plugin.core.io.product import open_product
from digisat_plugin.core.sr.resample import block_mean, upsample_nearest

L2A_BANDS = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"]


def check_enhanced(output: str, original: str, product_path: str, aoi, bands=None) -> None:
    """The output covers the AOI's window of the fetched product with every band, harmonised
    (DN = reflectance x 10000, GDAL scale 0.0001, offset 0): 10 m bands are the fetched DN with
    the product's offset removed, the companion is that upsampled (nearest), enhanced 20/60 m
    bands keep the fetched radiometry when averaged back to their own grid."""
    bands = bands or L2A_BANDS
    product = open_product(product_path)
    win = window_for(product, aoi)
    out, orig = gdal.Open(output), gdal.Open(original)
    names = [out.GetRasterBand(i + 1).GetDescription() for i in range(out.RasterCount)]
    assert names == bands
    assert (out.RasterXSize, out.RasterYSize) == (win.width, win.height)
    gt = product.geotransform
    assert out.GetGeoTransform() == (gt[0] + win.col * 10, 10.0, 0.0, gt[3] - win.row * 10, 0.0, -10.0)
    enhanced, companion = out.ReadAsArray(), orig.ReadAsArray()
    for i, band in enumerate(bands):
        src = product.bands[band]
        r = src.ratio
        raw = src.read_dn(win.row // r, win.col // r, win.height // r, win.width // r)
        native = np.where(raw > 0, np.clip(src.radiometry.to_model(raw).round(), 1, None), 0).astype(raw.dtype)
        band_out = out.GetRasterBand(i + 1)
        assert (band_out.GetScale(), band_out.GetOffset()) == (0.0001, 0.0), band
        assert np.array_equal(companion[i], upsample_nearest(native, r)), band
        if r == 1:
            assert np.array_equal(enhanced[i], native), band
        else:
            back = block_mean(enhanced[i].astype(np.float64), r)
            # A zero-detail network gives the guided estimate, which keeps the band's mean and, over
            # blocks of 3 x 3 delivered pixels (where undoing the sensor's blur barely matters), its
            # values; an offset or scale mix-up would be off by hundreds of DN everywhere.
            assert abs(back.mean() - native.mean()) < 0.005 * native.mean(), (band, back.mean(), native.mean())
            h, w = (d // 3 * 3 for d in native.shape)
            coarse_out = block_mean(back[:h, :w], 3)
            coarse_in = block_mean(native[:h, :w].astype(np.float64), 3)
            # (the tolerance of the stored DN: a harmonised B09 is 1000 DN lower, its edges no smaller)
            assert np.median(np.abs(coarse_out - coarse_in)) < 0.01 * raw.mean(), (band, np.median(np.abs(coarse_out - coarse_in)))
    product.close()


def one_line(capfd) -> str:
    """The only line a failed CLI run wrote to stderr (GDAL's own messages must go to the log)."""
    err = capfd.readouterr().err
    assert "Warning" not in err and "ERROR 1" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def check_uncertainty_layer(unc_path, out_path, expected=None):
    """The uncertainty layer (--uncertainty) on its output's grid, band for band: a COG, float32, 0 on the
    copied 10 m bands, finite and positive on the enhanced ones where the output has data, NaN exactly
    where it has none; equal to `expected` (an array, e.g. superresolve's layer) when given. Returns it."""
    from digisat_plugin.core.batch import is_valid_output

    u, o = gdal.Open(str(unc_path)), gdal.Open(str(out_path))
    assert is_valid_output(str(unc_path))
    assert (u.RasterXSize, u.RasterYSize, u.RasterCount) == (o.RasterXSize, o.RasterYSize, o.RasterCount)
    assert u.GetGeoTransform() == o.GetGeoTransform() and u.GetProjection() == o.GetProjection()
    names = [o.GetRasterBand(i + 1).GetDescription() for i in range(o.RasterCount)]
    assert [u.GetRasterBand(i + 1).GetDescription() for i in range(u.RasterCount)] == names
    assert "expected absolute error" in u.GetMetadataItem("DIGISAT_UNCERTAINTY")
    values = np.stack([u.GetRasterBand(i + 1).ReadAsArray() for i in range(u.RasterCount)])
    for i, name in enumerate(names):
        band = u.GetRasterBand(i + 1)
        assert band.DataType == gdal.GDT_Float32 and np.isnan(band.GetNoDataValue())
        # in the output's DN, shown in its units: the output band's scale, no offset (an error is a difference)
        assert band.GetScale() == o.GetRasterBand(i + 1).GetScale() and band.GetOffset() in (0, None), name
        data = o.GetRasterBand(i + 1).ReadAsArray() > 0
        np.testing.assert_array_equal(np.isnan(values[i]), ~data, err_msg=name)
        if name in ("B02", "B03", "B04", "B08"):
            assert (values[i][data] == 0).all(), name
        else:
            assert np.isfinite(values[i][data]).all() and values[i][data].min() > 0, name
            assert 0.5 < values[i][data].mean() < 100, (name, values[i][data].mean())
    if expected is not None:
        np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-4, equal_nan=True)
    return values
