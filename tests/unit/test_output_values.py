"""What the output's values mean: GDAL scale/offset on every band, harmonised DN by default,
the product's own DN scale on request, and the provenance in the file's metadata."""

import json
import subprocess

import numpy as np
import pytest
from osgeo import gdal

from digisat_plugin.core.sr.engine import superresolve
from digisat_plugin.core.sr.predict import Predictor
from tests.builders import read_band
from tests.servers.safe_builder import build_safe

SIZE = 120  # base pixels of the SAFE cut (1.2 km)


@pytest.fixture(scope="module")
def predictor():
    return Predictor(device="cpu")


def gdalinfo(path) -> dict:
    """The file as the gdalinfo command line tool describes it."""
    return json.loads(subprocess.run(["gdalinfo", "-json", str(path)], check=True, capture_output=True,
                                     text=True).stdout)


def band(path, index: int) -> np.ndarray:
    ds = gdal.Open(str(path))  # kept alive while its band is read
    return ds.GetRasterBand(index).ReadAsArray()


def run(src, tmp_path, predictor, name, level="L2A", offset=-1000, **options):
    (tmp_path / name).mkdir()
    safe = build_safe(str(src), str(tmp_path / name), level, offset=offset, window=(0, 0, SIZE))
    out, orig = tmp_path / f"{name}.tif", tmp_path / f"{name}_original.tif"
    superresolve(safe, str(out), original_path=str(orig), predictor=predictor, **options)
    return out, orig


def test_c1_style_l2a_is_harmonised_with_scale_on_every_band(sample_dir, tmp_path, predictor):
    out, orig = run(sample_dir, tmp_path, predictor, "l2a")
    for path in (out, orig):
        info = gdalinfo(path)
        assert [(b["scale"], b["offset"]) for b in info["bands"]] == [(0.0001, 0.0)] * 12, path
        meta = info["metadata"][""]
        assert meta["DN_SCALE"] == "harmonised" and "offset was removed" in meta["VALUES"]
        assert meta["SOURCE_LEVEL"] == "L2A" and meta["SOURCE_BASELINE"] == "05.10"
        assert meta["SOURCE_PRODUCT"].startswith("S2A_MSIL2A_") and meta["SOURCE_KIND"] == "SAFE zip"
        band_items = info["bands"][1]["metadata"][""]
    assert {k: band_items[k] for k in ("SOURCE_SCALE", "SOURCE_OFFSET")} == {"SOURCE_SCALE": "0.0001", "SOURCE_OFFSET": "-0.1"}
    stored = read_band(sample_dir, "B02")[:SIZE, :SIZE].astype(int) + 1000  # what the product stores
    assert np.array_equal(band(out, 2), stored - 1000)  # B02, the served DN - 1000
    assert np.array_equal(band(orig, 2), stored - 1000)


def test_rasterio_reads_the_same_scale(sample_dir, tmp_path, predictor):
    rasterio = pytest.importorskip("rasterio")
    out, _ = run(sample_dir, tmp_path, predictor, "l2a")
    with rasterio.open(out) as ds:
        assert ds.scales == (0.0001,) * 12 and ds.offsets == (0.0,) * 12


def test_keep_dn_scale_writes_the_products_own_offset(sample_dir, tmp_path, predictor):
    out, orig = run(sample_dir, tmp_path, predictor, "l2a", harmonise=False)
    stored = read_band(sample_dir, "B02")[:SIZE, :SIZE].astype(int) + 1000
    for path in (out, orig):
        info = gdalinfo(path)
        assert [(b["scale"], b["offset"]) for b in info["bands"]] == [(0.0001, -0.1)] * 12
        assert info["metadata"][""]["DN_SCALE"] == "product"
        assert np.array_equal(band(path, 2), stored)


def test_l1c_and_pre_0400_l2a_come_out_on_the_same_scale(sample_dir, tmp_path, predictor):
    new, _ = run(sample_dir, tmp_path, predictor, "l2a")
    old, _ = run(sample_dir, tmp_path, predictor, "old", offset=0)
    l1c, _ = run(sample_dir, tmp_path, predictor, "l1c", level="L1C", offset=0)
    a, b, c = (gdal.Open(str(p)).ReadAsArray().astype(int) for p in (new, old, l1c))
    # The networks see the same values, so the harmonised files are the same, pixel for pixel.
    assert np.array_equal(a, b)
    assert np.abs(a - c).max() <= 1
    for path in (old, l1c):
        info = gdalinfo(path)
        assert [(x["scale"], x["offset"]) for x in info["bands"]] == [(0.0001, 0.0)] * 12
        assert "already on this scale" in info["metadata"][""]["VALUES"]
    assert gdalinfo(l1c)["metadata"][""]["SOURCE_LEVEL"] == "L1C"
