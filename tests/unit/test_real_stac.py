"""search / fetch / enhance and the fault cases through the CLI against server software nobody here
wrote: `rustac serve` (STAC API, in-memory backend) with items in the exact Earth Search
`sentinel-2-c1-l2a` format, and RangeHTTPServer serving the COGs (tests/servers/real_stac.py).

rustac's conformance classes have neither the sort nor the query extension, and it returns items
in the order it was given them (oldest first here): newest first and the cloud limit are this
client's work. The stall and the 503 burst need fault injection, so there the STAC API is still
rustac while the COG host is the project's loopback server (tests/servers/httpbase.py).
Every fault case asserts the one line, exit status 2, no partial file and no GDAL warning on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import numpy as np
from osgeo import gdal

from digisat_plugin.cli import main
from tests.builders import read_band
from tests.catalog_checks import one_line
from tests.conftest import REPO
from tests.servers.real_fixtures import REAL_SCENES, scene_items
from tests.unit.test_cli_catalog import AOI

SCENE = "S2B_T18SVG_20240628T155719_L2A"  # 3.5 % tile cloud, clear over the area
SCENE_DT = "2024-06-28T15:57:19.024000Z"


def fetch(url, out, *extra, bands="B02,B05"):
    return main(["fetch", SCENE, "--stac-url", url, "--aoi", AOI, "--out", str(out), "--bands", bands, "--quiet",
                 *extra])


def _post(url, body) -> dict:
    req = urllib.request.Request(f"{url}/search", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as answer:
        return json.load(answer)


# -- the happy path ---------------------------------------------------------------------------
def test_the_server_is_rustac_without_sort_or_query_and_keeps_the_item_format(earth_search):
    with urllib.request.urlopen(f"{earth_search.url}/", timeout=10) as answer:
        landing = json.load(answer)
    conforms = " ".join(landing["conformsTo"])
    assert "item-search" in conforms and "#sort" not in conforms and "#query" not in conforms
    served = _post(earth_search.url, {"collections": ["sentinel-2-c1-l2a"], "limit": 10})["features"]
    assert [f["id"] for f in served] == [s[0] for s in REAL_SCENES]  # oldest first, as loaded
    item = served[1]
    assert item["assets"]["red"]["raster:bands"][0] == {"nodata": 0, "data_type": "uint16", "spatial_resolution": 10,
                                                        "scale": 0.0001, "offset": -0.1}
    assert item["properties"]["s2:processing_baseline"] == "05.10" and item["properties"]["grid:code"] == "MGRS-18SVG"
    assert item["assets"]["scl"]["href"] == f"{earth_search.hrefs[SCENE]}/SCL.tif"


def test_search_lists_newest_first_under_the_cloud_limit_with_area_cloud(earth_search, stac_cogs, capsys):
    rc = main(["search", "--stac-url", earth_search.url, "--aoi", AOI, "--start", "2024-06-01", "--end",
               "2024-07-31", "--max-cloud", "30"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 0
    assert [line.split()[-1] for line in out[1:]] == [
        "S2A_T18SVG_20240705T154721_L2A", "S2B_T18SVG_20240628T155719_L2A", "S2A_T18SVG_20240625T154721_L2A"]
    size_mb = sum(os.path.getsize(p) for p in stac_cogs["files"].values()) / 1e6
    # date, time, tile cloud, area cloud (SCL window read from RangeHTTPServer), tile, level, size
    assert out[1].split()[:8] == ["2024-07-05", "15:47:21", "12.2", "100.0", "18SVG", "L2A", f"{size_mb:.0f}", "MB"]
    assert out[2].split()[2:4] == ["3.5", "0.0"]


def test_search_keeps_each_scenes_10m_grid_for_its_quicklook(earth_search, stac_cogs):
    """The grid that places the thumbnail (core/catalog/quicklook.py) is the item's visual asset's, in
    the item's proj:epsg: what the Data tab cuts the quick-look by."""
    from digisat_plugin.core.catalog import get_source
    from digisat_plugin.core.io.aoi import parse_aoi

    scenes = get_source("stac", earth_search.url).search(parse_aoi(AOI), "2024-06-01", "2024-07-31", 30)
    ds = gdal.Open(stac_cogs["files"]["B04"])
    gt = ds.GetGeoTransform()
    expected = {"crs": f"EPSG:{stac_cogs['epsg']}", "transform": [gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]],
                "shape": [ds.RasterYSize, ds.RasterXSize]}
    assert len(scenes) == 3 and all(scene.extra["grid"] == expected for scene in scenes)
    assert all(scene.thumbnail_url.endswith("/L2A_PVI.jpg") for scene in scenes)


def test_fetch_reads_only_windows_with_the_served_values(earth_search, cog_host, stac_cogs, tmp_path, capsys):
    rc = fetch(earth_search.url, tmp_path, bands="B02,B05,B09")
    folder = tmp_path / SCENE
    assert rc == 0 and capsys.readouterr().out.strip() == (
        f"fetched {SCENE} (2024-06-28, 3.5% cloud, 0.0% over the area) to {folder}")
    assert sorted(os.listdir(tmp_path)) == [SCENE]
    assert sorted(os.listdir(folder)) == ["B02.tif", "B05.tif", "B09.tif", "radiometry.json", "scene.json"]
    gt = gdal.Open(str(folder / "B02.tif")).GetGeoTransform()
    x0, y0 = stac_cogs["geotransform"][0], stac_cogs["geotransform"][3]
    col, row = int(gt[0] - x0) // 10, int(y0 - gt[3]) // 10
    for band, r in (("B02", 1), ("B05", 2), ("B09", 6)):
        got = read_band(folder, band)
        want = stac_cogs["dn"][band][row // r:row // r + got.shape[0], col // r:col // r + got.shape[1]]
        assert got.shape == (258 // r, 258 // r) and np.array_equal(got, want), band
    radiometry = json.loads((folder / "radiometry.json").read_text())
    assert radiometry["scale"]["B05"] == 0.0001 and radiometry["offset"]["B05"] == -0.1
    gets = [line for line in cog_host.requests() if '"GET ' in line and ".tif " in line]
    assert gets and all('" 206 ' in line for line in gets), gets  # range reads only, never a whole file


def test_enhance_picks_the_clearest_area_and_writes_harmonised_reflectance(earth_search, stac_cogs, tiny_sr_model,
                                                                           tmp_path):
    out = tmp_path / "enhanced.tif"
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="2", QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "digisat_plugin", "enhance", "--stac-url", earth_search.url, "--aoi", AOI,
         "--start", "2024-06-01", "--end", "2024-07-31", "--max-cloud", "30", "--out", str(out),
         "--model", tiny_sr_model, "--device", "cpu"],
        cwd=str(REPO), env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # the 12.25 % scene is newer, but its cloud is over the area
    assert proc.stdout.splitlines()[0] == f"scene {SCENE} (2024-06-28, 3.5% cloud, 0.0% over the area, stac)"
    assert proc.stdout.splitlines()[1] == ("note: area of interest grown outward to the 60 m pixel grid: 2000 x 2000 "
                                           "asked, 2100 x 2100 written (CRS units)")
    assert "Warning" not in proc.stderr
    assert os.listdir(tmp_path) == ["enhanced.tif"]
    ds = gdal.Open(str(out))
    assert ds.RasterCount == 12
    for i in range(1, 13):
        band = ds.GetRasterBand(i)
        assert (band.GetScale(), band.GetOffset()) == (0.0001, 0.0), band.GetDescription()
    gt = ds.GetGeoTransform()
    x0, y0 = stac_cogs["geotransform"][0], stac_cogs["geotransform"][3]
    col, row = int(round((gt[0] - x0) / 10)), int(round((y0 - gt[3]) / 10))
    b02 = ds.GetRasterBand(2).ReadAsArray().astype(int)
    served = stac_cogs["dn"]["B02"][row:row + ds.RasterYSize, col:col + ds.RasterXSize].astype(int)
    assert ds.GetRasterBand(2).GetDescription() == "B02" and np.array_equal(b02, served - 1000)  # harmonised


# -- the fault cases --------------------------------------------------------------------------
def test_no_items(rustac, tmp_path, capfd):
    server = rustac([])
    rc = fetch(server.url, tmp_path, "--timeout", "3")
    line = one_line(capfd)
    assert rc == 2 and line == (f"digisat: error: {SCENE}: no such L2A scene over the area between 2024-06-28 and "
                                "2024-06-28"), line
    assert os.listdir(tmp_path) == []


def test_server_down(earth_search, tmp_path, capfd):
    earth_search.server.stop()  # the port where rustac answered a moment ago
    rc = fetch(earth_search.url, tmp_path, "--timeout", "3")
    line = one_line(capfd)
    assert rc == 2 and line.startswith(f"digisat: error: {earth_search.url}: cannot reach the STAC API"), line
    assert os.listdir(tmp_path) == []


def test_missing_band_file_is_one_404_line(cog_host, rustac, stac_cogs, tmp_path, capfd):
    root = cog_host.add_scene(SCENE, SCENE_DT, missing=("B05",))
    server = rustac(scene_items(stac_cogs, {None: root}))
    rc = fetch(server.url, tmp_path)
    line = one_line(capfd)
    assert rc == 2 and line == f"digisat: error: {root}/B05.tif: not on the server (HTTP 404)", line
    assert sum(1 for r in cog_host.requests() if "/B05.tif " in r) <= 2  # GDAL's HEAD/GET, never re-read
    assert os.listdir(tmp_path) == []


def test_truncated_cog_is_one_line(cog_host, rustac, stac_cogs, tmp_path, capfd):
    root = cog_host.add_scene(SCENE, SCENE_DT, truncated={"B05": 3000})  # the header and a few tiles only
    server = rustac(scene_items(stac_cogs, {None: root}))
    rc = fetch(server.url, tmp_path, "--timeout", "5")
    line = one_line(capfd)
    assert rc == 2 and line.startswith(f"digisat: error: {root}/B05.tif: "), line
    assert os.listdir(tmp_path) == []


def test_stalled_cog_host_fails_within_the_timeout(rustac, stac_fake, stac_cogs, tmp_path, capfd):
    server = rustac(scene_items(stac_cogs, {None: f"{stac_fake.url}/data"}))
    stac_fake.faults.rate = 2000  # 2 kB/s
    started = time.monotonic()
    rc = fetch(server.url, tmp_path, "--timeout", "5", bands="B02")
    assert time.monotonic() - started < 30
    line = one_line(capfd)
    assert rc == 2 and line.startswith(f"digisat: error: {stac_fake.url}/data/B02.tif: timed out / too slow"), line
    assert os.listdir(tmp_path) == []


def test_503_burst_on_the_cog_host_is_retried_quietly(rustac, stac_fake, stac_cogs, tmp_path, capfd):
    server = rustac(scene_items(stac_cogs, {None: f"{stac_fake.url}/data"}))
    stac_fake.faults.fail_status, stac_fake.faults.fail_count = 503, 2
    assert fetch(server.url, tmp_path) == 0
    err = capfd.readouterr().err
    assert "Warning" not in err and "503" not in err, err
    assert sum(1 for r in stac_fake.requests if r[1].endswith(".tif")) >= 3  # the two 503s were answered
    assert sorted(os.listdir(tmp_path / SCENE))[:2] == ["B02.tif", "B05.tif"]
