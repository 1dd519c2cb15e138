"""The superresolve command line: success output and one clear line for every kind of bad input."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from osgeo import gdal

from tests.builders import copy_band_folder, read_band, write_band
from tests.conftest import REPO
from tests.servers.safe_builder import build_safe


def cli(*args, cwd=REPO):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "digisat_plugin", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def assert_one_line_error(proc, *fragments):
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and "%|" not in ln]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("digisat: error: ")
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_help_lists_the_options():
    proc = cli("superresolve", "--help")
    assert proc.returncode == 0
    for option in ("--aoi", "--bands", "--original", "--model", "--tile-size", "--device"):
        assert option in proc.stdout


def test_superresolve_small_aoi_writes_cog(sample_dir, tmp_path):
    out = tmp_path / "e.tif"
    proc = cli("superresolve", sample_dir, out, "--aoi", "443580,4178340,444660,4179420", "--bands", "20m", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout and "B05 B06 B07 B8A B11 B12" in proc.stdout
    ds = gdal.Open(str(out))
    assert (ds.RasterXSize, ds.RasterYSize, ds.RasterCount) == (108, 108, 6)
    assert ds.GetRasterBand(6).GetDescription() == "B12"


def test_a_guard_that_writes_the_estimate_names_the_option_that_would_not(sample_dir, tmp_path):
    proc = cli("superresolve", sample_dir, tmp_path / "e.tif", "--aoi", "443580,4178340,444660,4179420",
               "--bands", "60m", "--quiet")
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("guard net60"))
    assert "guided estimate written" in line and line.endswith("; --no-guard writes the network's output")


@pytest.fixture
def broken(sample_dir, tmp_path):
    """A fresh copy of the sample to break in one way."""
    return copy_band_folder(sample_dir, tmp_path / "in")


def test_missing_band_files(broken, tmp_path):
    os.remove(os.path.join(broken, "B05.tif"))
    os.remove(os.path.join(broken, "B09.tif"))
    proc = cli("superresolve", broken, tmp_path / "o.tif")
    assert_one_line_error(proc, broken, "missing band files B05, B09")
    assert not (tmp_path / "o.tif").exists()


def test_band_grids_that_do_not_nest(broken, tmp_path):
    path = os.path.join(broken, "B05.tif")
    arr = read_band(broken, "B05")
    gt = list(gdal.Open(path).GetGeoTransform())
    gt[1], gt[5] = 30.0, -30.0
    write_band(path, arr, tuple(gt), gdal.Open(os.path.join(broken, "B02.tif")).GetProjection())
    assert_one_line_error(cli("superresolve", broken, tmp_path / "o.tif"), "B05.tif", "band grids do not nest")


def test_shifted_grid_does_not_nest(broken, tmp_path):
    path = os.path.join(broken, "B11.tif")
    ds = gdal.Open(path, gdal.GA_Update)
    gt = list(ds.GetGeoTransform())
    gt[0] += 100.0
    ds.SetGeoTransform(gt)
    ds = None
    assert_one_line_error(cli("superresolve", broken, tmp_path / "o.tif"), "B11.tif", "band grids do not nest")


def test_corrupt_band_file(broken, tmp_path):
    path = os.path.join(broken, "B8A.tif")
    data = open(path, "rb").read()
    with open(path, "wb") as fh:
        fh.write(data[: len(data) // 3])  # a truncated copy
    assert_one_line_error(cli("superresolve", broken, tmp_path / "o.tif"), "B8A.tif", "corrupt")


def test_garbage_band_file(broken, tmp_path):
    with open(os.path.join(broken, "B06.tif"), "wb") as fh:
        fh.write(b"this is not a raster")
    assert_one_line_error(cli("superresolve", broken, tmp_path / "o.tif"), "B06.tif", "unreadable or corrupt raster")


def test_empty_and_truncated_zip(sample_dir, tmp_path):
    empty = tmp_path / "S2B_MSIL2A_empty.zip"
    empty.write_bytes(b"")
    assert_one_line_error(cli("superresolve", empty, tmp_path / "o.tif"), str(empty), "empty zip file")
    good = build_safe(str(sample_dir), str(tmp_path), "L2A", window=(0, 0, 60))
    truncated = tmp_path / "S2B_MSIL2A_truncated.zip"
    truncated.write_bytes(open(good, "rb").read()[:5000])
    assert_one_line_error(cli("superresolve", truncated, tmp_path / "o.tif"), str(truncated), "not a valid zip file")
    assert not (tmp_path / "o.tif").exists()


def test_unsupported_products(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert_one_line_error(cli("superresolve", text, tmp_path / "o.tif"), "notes.txt", "unsupported product")
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("a.jpg", b"123")
    assert_one_line_error(cli("superresolve", other, tmp_path / "o.tif"), "photos.zip", "not a Sentinel-2 SAFE product")
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    assert_one_line_error(cli("superresolve", empty_dir, tmp_path / "o.tif"), "empty", "no band rasters found")


def test_aoi_outside_and_too_small(sample_dir, tmp_path):
    proc = cli("superresolve", sample_dir, tmp_path / "o.tif", "--aoi", "2.3,48.8,2.4,48.9", "--aoi-crs", "EPSG:4326")
    assert_one_line_error(proc, "outside the data")
    proc = cli("superresolve", sample_dir, tmp_path / "o.tif", "--aoi", "444000,4174000,444100,4174100")
    assert_one_line_error(proc, "area of interest too small")
    proc = cli("superresolve", sample_dir, tmp_path / "o.tif", "--aoi", "1,2,3")
    assert_one_line_error(proc, "expected xmin,ymin,xmax,ymax")
    assert os.listdir(tmp_path) == []


def test_output_that_cannot_be_written(sample_dir, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    assert_one_line_error(cli("superresolve", sample_dir, blocker / "o.tif"), "cannot write output", "does not exist")
    assert_one_line_error(cli("superresolve", sample_dir, tmp_path), "is a folder")


def test_original_companion_cannot_overwrite_the_output(sample_dir, tmp_path):
    out = tmp_path / "o.tif"
    proc = cli("superresolve", sample_dir, out, "--original", tmp_path / "." / "o.tif")
    assert_one_line_error(proc, "must not be the output file")
    assert os.listdir(tmp_path) == []


def test_uncertainty_layer_cannot_overwrite_the_output_or_go_in_a_missing_folder(sample_dir, tmp_path):
    out = tmp_path / "o.tif"
    assert_one_line_error(cli("superresolve", sample_dir, out, "--uncertainty", f"{tmp_path}/./o.tif"),
                          f"--uncertainty {tmp_path}/./o.tif: must not be the output file")
    assert_one_line_error(cli("superresolve", sample_dir, out, "--uncertainty", tmp_path / "no" / "u.tif"),
                          f"--uncertainty {tmp_path}/no/u.tif: cannot write output: folder {tmp_path}/no does not exist")
    assert os.listdir(tmp_path) == []


def test_bad_band_name_is_an_argument_error(sample_dir, tmp_path):
    proc = cli("superresolve", sample_dir, tmp_path / "o.tif", "--bands", "B05,B13")
    assert proc.returncode == 2 and "unknown band 'B13'" in proc.stderr


def test_folder_copied_without_write_access_is_not_touched(sample_dir, tmp_path):
    # The input is only read: a read-only copy works and is left as it was.
    ro = copy_band_folder(sample_dir, tmp_path / "ro")
    before = sorted(os.listdir(ro))
    os.chmod(ro, 0o555)
    try:
        proc = cli("superresolve", ro, tmp_path / "o.tif", "--aoi", "443580,4178340,444660,4179420", "--quiet")
        assert proc.returncode == 0, proc.stderr
        assert sorted(os.listdir(ro)) == before
    finally:
        os.chmod(ro, 0o755)
        shutil.rmtree(ro)


def test_whole_virginia_scene_gives_a_valid_10m_cog(virginia_dir, tmp_path):
    from osgeo_utils.samples.validate_cloud_optimized_geotiff import validate

    out = tmp_path / "virginia.tif"
    proc = cli("superresolve", virginia_dir, out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    _warnings, errors, _ = validate(str(out), full_check=True)
    assert errors == []
    ds = gdal.Open(str(out))
    names = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
    assert names == ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"]
    assert (ds.RasterXSize, ds.RasterYSize) == (1926, 1938)
    assert ds.GetGeoTransform() == (435780.0, 10.0, 0.0, 4179420.0, 0.0, -10.0)
    assert ds.GetRasterBand(1).DataType == gdal.GDT_UInt16
