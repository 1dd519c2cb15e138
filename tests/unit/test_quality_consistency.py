"""core.quality.consistency: enhanced bands averaged back over native pixels against the delivered values."""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal

from digisat_plugin.core.errors import InputError
from digisat_plugin.core.quality.consistency import consistency, summary_line


def write(path, bands: dict):
    names = list(bands)
    h, w = next(iter(bands.values())).shape
    ds = gdal.GetDriverByName("GTiff").Create(str(path), w, h, len(names), gdal.GDT_UInt16)
    for i, name in enumerate(names):
        band = ds.GetRasterBand(i + 1)
        band.SetDescription(name)
        band.WriteArray(bands[name])
    ds = None
    return str(path)


def test_exact_block_means_give_zero_and_an_offset_gives_its_size(tmp_path):
    rng = np.random.default_rng(0)
    native20 = rng.integers(500, 3000, (6, 6)).astype(np.uint16)
    native60 = rng.integers(500, 3000, (2, 2)).astype(np.uint16)
    original = {"B02": np.full((12, 12), 900, np.uint16), "B05": np.kron(native20, np.ones((2, 2), np.uint16)),
                "B09": np.kron(native60, np.ones((6, 6), np.uint16))}
    # enhanced B05: +-100 inside each block, same mean; B09: everything 50 DN too bright
    pattern = np.tile(np.array([[100, -100], [-100, 100]]), (6, 6))
    enhanced = {"B02": original["B02"], "B05": (original["B05"].astype(int) + pattern).astype(np.uint16),
                "B09": original["B09"] + 50}
    report = consistency(write(tmp_path / "e.tif", enhanced), write(tmp_path / "o.tif", original))
    assert sorted(report) == ["B05", "B09"]  # 10 m bands are copied, not checked
    assert report["B05"]["rmse"] == pytest.approx(0.0, abs=1e-9) and report["B05"]["ratio"] == 2
    assert report["B09"]["rmse"] == pytest.approx(50.0)
    assert report["B09"]["relative"] == pytest.approx(50.0 / native60.mean())
    assert summary_line(report).startswith("consistency with the delivered bands (RMSE of block means): B05 0.0 DN")


def test_mismatched_bands_are_refused(tmp_path):
    a = write(tmp_path / "a.tif", {"B05": np.ones((4, 4), np.uint16)})
    b = write(tmp_path / "b.tif", {"B06": np.ones((4, 4), np.uint16)})
    with pytest.raises(InputError, match="do not match"):
        consistency(a, b)


def test_rasters_of_different_sizes_are_refused(tmp_path):
    a = write(tmp_path / "a.tif", {"B05": np.ones((12, 12), np.uint16)})
    b = write(tmp_path / "b.tif", {"B05": np.ones((6, 12), np.uint16)})
    with pytest.raises(InputError, match="12 x 6 pixels, but .*a.tif has 12 x 12"):
        consistency(a, b)
