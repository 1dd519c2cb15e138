"""`mask` (core/masking.py): enhanced pixels the uncertainty layer does not vouch for become no data."""

from __future__ import annotations

import os

import numpy as np
import pytest
from osgeo import gdal

from digisat_plugin.cli import main
from digisat_plugin.core.batch import is_valid_output
from digisat_plugin.core.errors import Cancelled, InputError, OutputError
from digisat_plugin.core.masking import mask_uncertain
from digisat_plugin.core.progress import Progress
from tests.builders import write_bands

NAMES = ["B02", "B05", "B10"]
GT = (443580.0, 10.0, 0.0, 4179420.0, 0.0, -10.0)


def write(path, arrays, dtype, scale=0.0001, nodata=0.0, gt=GT, names=NAMES):
    return write_bands(path, arrays, dtype, names, scale=scale, nodata=nodata, geotransform=gt)


@pytest.fixture()
def pair(tmp_path):
    """An enhanced raster (uint16 DN, scale 0.0001, no data 0 in its top-left corner) and its layer:
    0 on B02, a ramp of 0..99 DN on B05 (column index), NaN on B10 (no calibration)."""
    dn = np.full((40, 100), 2000, np.uint16)
    dn[:5, :5] = 0
    ramp = np.tile(np.arange(100, dtype=np.float32), (40, 1))
    unc = [np.zeros((40, 100), np.float32), ramp, np.full((40, 100), np.nan, np.float32)]
    for a in unc:
        a[:5, :5] = np.nan
    enhanced = write(tmp_path / "enh.tif", [np.where(dn == 0, 0, dn + k).astype(np.uint16) for k in range(3)],
                     gdal.GDT_UInt16)
    return enhanced, write(tmp_path / "unc.tif", unc, gdal.GDT_Float32, nodata=float("nan")), dn


def read(path):
    ds = gdal.Open(path)
    return ds, np.stack([ds.GetRasterBand(i + 1).ReadAsArray() for i in range(ds.RasterCount)])


def test_pixels_above_the_threshold_become_no_data_band_by_band(pair, tmp_path):
    enhanced, unc, dn = pair
    gdal.Info(enhanced, stats=True)  # as QGIS or gdalinfo -stats leave them in enhanced.tif.aux.xml
    out = str(tmp_path / "masked.tif")
    shares = mask_uncertain(enhanced, unc, out, 0.004)  # 40 DN of the layer, in reflectance
    ds, values = read(out)
    _, original = read(enhanced)
    assert is_valid_output(out) and sorted(os.listdir(tmp_path)) == ["enh.tif", "enh.tif.aux.xml", "masked.tif",
                                                                      "unc.tif"]
    np.testing.assert_array_equal(values[0], original[0])  # B02: expected error 0, kept whole
    np.testing.assert_array_equal(values[2], original[2])  # B10: no estimate (NaN), kept
    above = np.tile(np.arange(100) > 40, (40, 1))  # B05: columns whose 0..99 DN error is above 40 DN
    np.testing.assert_array_equal(values[1], np.where(above, 0, original[1]))
    assert shares["B02"] == shares["B10"] == 0 and shares["B05"] == pytest.approx(59 * 40 / (40 * 100 - 25), abs=1e-3)
    for i, name in enumerate(NAMES, start=1):  # the enhanced raster's bands, scale, offset and metadata
        band = ds.GetRasterBand(i)
        assert band.GetDescription() == name and band.GetScale() == 0.0001 and band.GetOffset() == -0.1
        assert band.GetMetadataItem("DIGISAT_METHOD") == f"how {name} was made" and band.GetNoDataValue() == 0
        assert band.GetMetadataItem("STATISTICS_MEAN") is None  # the source's statistics are not the copy's
    assert ds.GetMetadataItem("SOURCE_PRODUCT") == "S2A_TEST" and ds.GetMetadataItem("DIGISAT_MASKED_ABOVE") == "0.004"
    assert ds.GetGeoTransform() == GT


def test_the_threshold_is_in_the_layers_own_values_without_a_scale(tmp_path):
    dn = np.full((8, 8), 500, np.uint16)
    enhanced = write(tmp_path / "e.tif", [dn], gdal.GDT_UInt16, names=["B05"])
    unc = write(tmp_path / "u.tif", [np.tile(np.arange(8, dtype=np.float32) * 10, (8, 1))], gdal.GDT_Float32,
                scale=1.0, names=["B05"])
    mask_uncertain(enhanced, unc, str(tmp_path / "m.tif"), 35)
    assert (read(str(tmp_path / "m.tif"))[1][0] == np.where(np.arange(8) * 10 > 35, 0, 500)).all()


def test_a_relative_threshold_compares_the_error_with_the_pixels_reflectance(tmp_path):
    """B05 at 0.2 reflectance (DN 3000, scale 0.0001, offset -0.1) and B8A at 0.4 (DN 5000), both with
    errors of 0..99 DN by column: at 2 % B05 keeps errors up to 0.004 (40 DN), B8A up to 80 DN; a
    pixel at 0 reflectance (DN 1000) keeps only an error of 0."""
    dn = [np.full((10, 100), 3000, np.uint16), np.full((10, 100), 5000, np.uint16)]
    dn[0][0, :2] = 1000
    enhanced = write_bands(tmp_path / "e.tif", dn, gdal.GDT_UInt16, ["B05", "B8A"], scale=0.0001, nodata=0.0,
                           geotransform=GT)
    ramp = np.tile(np.arange(100, dtype=np.float32), (10, 1))
    unc = write(tmp_path / "u.tif", [ramp, ramp], gdal.GDT_Float32, nodata=float("nan"), names=["B05", "B8A"])
    out = str(tmp_path / "m.tif")
    shares = mask_uncertain(enhanced, unc, out, None, max_relative=0.02)
    ds, values = read(out)
    column = np.arange(100)
    np.testing.assert_array_equal(values[0][1:], np.where(np.tile(column > 40, (9, 1)), 0, 3000))
    np.testing.assert_array_equal(values[1], np.where(np.tile(column > 80, (10, 1)), 0, 5000))
    assert values[0][0, 0] == 1000 and values[0][0, 1] == 0  # at 0 reflectance: error 0 kept, 1 DN masked
    assert shares == {"B05": pytest.approx((59 * 10 + 1) / 1000), "B8A": pytest.approx(19 / 100)}
    assert ds.GetMetadataItem("DIGISAT_MASKED_ABOVE_RELATIVE") == "0.02" and ds.GetMetadataItem("DIGISAT_MASKED_ABOVE") is None
    # both: above either; the absolute 0.003 (30 DN) is the tighter on both bands here
    mask_uncertain(enhanced, unc, str(tmp_path / "both.tif"), 0.003, max_relative=0.02)
    both = read(str(tmp_path / "both.tif"))[1]
    assert (both[1] == np.where(np.tile(column > 30, (10, 1)), 0, 5000)).all()
    with pytest.raises(InputError) as err:
        mask_uncertain(enhanced, unc, str(tmp_path / "none.tif"), None)
    assert str(err.value).startswith("mask: give the largest expected error kept (--max-error)")
    with pytest.raises(InputError) as err:
        mask_uncertain(enhanced, unc, str(tmp_path / "neg.tif"), None, max_relative=-0.1)
    assert str(err.value).startswith("--max-relative-error -0.1: give a positive number")
    assert not os.path.exists(tmp_path / "none.tif") and not os.path.exists(tmp_path / "neg.tif")


@pytest.mark.parametrize("case, says", [
    ("size", "not its uncertainty layer"), ("grid", "another geotransform"), ("bands", "bands B02, B05, B11"),
    ("threshold", "--max-error 0: give a positive number"), ("same", "must not overwrite one of its inputs"),
    ("missing", "cannot read the uncertainty layer")])
def test_a_layer_that_is_not_the_outputs_says_so_in_one_line_and_writes_nothing(pair, tmp_path, case, says):
    enhanced, unc, _ = pair
    other = np.zeros((40, 100), np.float32)
    if case == "size":
        unc = write(tmp_path / "small.tif", [np.zeros((20, 50), np.float32)] * 3, gdal.GDT_Float32)
    elif case == "grid":
        unc = write(tmp_path / "moved.tif", [other] * 3, gdal.GDT_Float32, gt=(443590.0, *GT[1:]))
    elif case == "bands":
        unc = write(tmp_path / "b11.tif", [other] * 3, gdal.GDT_Float32, names=["B02", "B05", "B11"])
    elif case == "missing":
        unc = str(tmp_path / "nothing.tif")
    before = sorted(os.listdir(tmp_path))
    out = enhanced if case == "same" else str(tmp_path / "masked.tif")
    with pytest.raises((InputError, OutputError)) as err:
        mask_uncertain(enhanced, unc, out, 0 if case == "threshold" else 0.004)
    assert says in str(err.value) and "\n" not in str(err.value)
    assert sorted(os.listdir(tmp_path)) == before


def test_cancel_leaves_no_file(pair, tmp_path):
    enhanced, unc, _ = pair
    with pytest.raises(Cancelled):
        mask_uncertain(enhanced, unc, str(tmp_path / "masked.tif"), 0.004, Progress(None, lambda: True))
    assert sorted(os.listdir(tmp_path)) == ["enh.tif", "unc.tif"]


def test_command_line_prints_what_it_masked_and_errors_in_one_line(pair, tmp_path, capsys):
    enhanced, unc, _ = pair
    out = str(tmp_path / "masked.tif")
    assert main(["mask", enhanced, unc, out, "--max-error", "0.004", "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out} (pixels masked: B05 59.4 %)"
    assert main(["mask", enhanced, unc, str(tmp_path / "m3.tif"), "--max-relative-error", "0.02", "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {tmp_path / 'm3.tif'} (pixels masked: B05 79.5 %)"
    assert main(["mask", enhanced, enhanced, str(tmp_path / "m2.tif"), "--max-error", "0.004", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("digisat: error: ") and "UInt16 values, not an uncertainty layer" in err and "\n" not in err
