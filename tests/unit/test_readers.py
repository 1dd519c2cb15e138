"""One reader interface for band folders, SAFE folders and SAFE zips."""

import numpy as np
import pytest

from digisat_plugin.core.definitions import BANDS_10M, BANDS_20M, BANDS_60M
from digisat_plugin.core.errors import InputError
from digisat_plugin.core.io.product import open_product
from tests.builders import read_band
from tests.servers.safe_builder import build_safe


def test_band_folder_nests_grids_and_reads_model_scale(sample_dir):
    p = open_product(sample_dir)
    assert (p.kind, p.level, p.width, p.height, p.base_resolution) == ("band folder", "L1C", 600, 600, 10.0)
    assert {n: p.bands[n].ratio for n in ("B02", "B05", "B01")} == {"B02": 1, "B05": 2, "B01": 6}
    values, nodata = p.read("B05", 6, 12, 12, 18)
    assert values.shape == (6, 9) and not nodata.any()
    assert np.array_equal(values, read_band(sample_dir, "B05")[3:9, 6:15].astype(np.float32))


def test_reads_beyond_the_edge_are_mirrored(sample_dir):
    p = open_product(sample_dir)
    values, _ = p.read("B01", -6, -6, 18, 18)
    band = read_band(sample_dir, "B01").astype(np.float32)
    assert values.shape == (3, 3)
    assert values[0, 0] == band[0, 0] and np.array_equal(values[1:, 1:], band[:2, :2])


def test_folder_without_crs_is_read_on_its_pixel_grid(malmo_dir):
    p = open_product(malmo_dir)
    assert p.crs_wkt == "" and (p.width, p.height) == (600, 600)
    assert p.geotransform == (0.0, 10.0, 0.0, 6000.0, 0.0, -10.0)


@pytest.mark.parametrize("zipped", [True, False])
def test_l2a_safe_with_baseline_04_offset_is_harmonised(sample_dir, tmp_path, zipped):
    path = build_safe(str(sample_dir), str(tmp_path), "L2A", offset=-1000, window=(0, 0, 120), zipped=zipped)
    p = open_product(path)
    assert p.kind == ("SAFE zip" if zipped else "SAFE folder") and p.level == "L2A"
    assert p.band_names == sorted(BANDS_10M + BANDS_20M + BANDS_60M, key=p.band_names.index)
    assert "B10" not in p.bands and (p.width, p.height) == (120, 120)
    if zipped:
        assert p.bands["B05"].path.startswith("/vsizip/")  # read in place, never unpacked
    # The product stores DN = original + 1000; the networks must see the original values.
    values, _ = p.read("B05", 0, 0, 12, 12)
    assert np.array_equal(values, read_band(sample_dir, "B05")[:6, :6].astype(np.float32))
    assert p.bands["B05"].radiometry.to_dn(values)[0, 0] == read_band(sample_dir, "B05")[0, 0] + 1000


def test_l1c_safe_without_offset_keeps_dn(sample_dir, tmp_path):
    path = build_safe(str(sample_dir), str(tmp_path), "L1C", offset=0, window=(0, 0, 60))
    p = open_product(path)
    assert p.level == "L1C" and "B10" in p.bands
    values, _ = p.read("B10", 0, 0, 60, 60)
    assert np.array_equal(values, read_band(sample_dir, "B10")[:10, :10].astype(np.float32))


def test_unsupported_file_is_named(tmp_path):
    f = tmp_path / "scene.tif"
    f.write_bytes(b"not a product")
    with pytest.raises(InputError, match=r"scene.tif: unsupported product"):
        open_product(f)
