"""STAC backend against a real STAC API on 127.0.0.1 serving COGs with Range (tests/servers)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from digisat_plugin.core.catalog import get_source
from digisat_plugin.core.catalog.errors import CatalogError, NetworkError
from digisat_plugin.core.errors import AoiError
from digisat_plugin.core.io.aoi import Aoi
from digisat_plugin.core.io.product import open_product
from tests.builders import read_band
from tests.conftest import VIRGINIA

# The Virginia crop: 10 m grid from (435780, 4179420), 1926 x 1938 px, EPSG:32618.
X0, Y0 = 435780.0, 4179420.0
AOI_2KM = Aoi.from_bbox(444410.0, 4168730.0, 446410.0, 4170730.0, "EPSG:32618")  # 2 x 2 km, mid-scene


def test_search_lists_scenes_newest_first_under_the_cloud_limit(stac_server):
    scenes = get_source("stac", stac_server).search(AOI_2KM, "2024-06-01", "2024-07-31", max_cloud=30)
    assert [s.id for s in scenes] == ["S2A_18SVG_20240705_0_L2A", "S2B_18SVG_20240628_0_L2A", "S2A_18SVG_20240625_0_L2A"]
    first = scenes[0]
    assert (first.datetime, first.cloud_cover, first.tile, first.level, first.source) == (
        "2024-07-05T15:47:21Z", 12.25, "18SVG", "L2A", "stac")
    assert first.footprint["type"] == "Polygon" and first.thumbnail_url.endswith("/data/thumb.jpg")
    assert sorted(first.assets) == sorted(["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09",
                                           "B11", "B12"])
    assert first.assets["B8A"] == f"{stac_server}/data/B8A.tif"
    assert first.extra["radiometry"]["B05"] == (0.0001, -0.1)


def test_search_follows_paging_links_and_date_filter(stac_fake):
    stac_fake.state["max_page"] = 1
    source = get_source("stac", stac_fake.url)
    scenes = source.search(AOI_2KM, "2024-06-26", "2024-07-31", max_cloud=100)
    assert [s.id[:-6] for s in scenes] == ["S2B_18SVG_20240708", "S2A_18SVG_20240705", "S2B_18SVG_20240628"]
    assert stac_fake.state["pages"] == [("POST", 0, 1), ("POST", 1, 1), ("POST", 2, 1)]


def test_search_outside_the_data_finds_nothing(stac_server):
    far = Aoi.from_bbox(10.0, 50.0, 10.02, 50.02, "EPSG:4326")
    assert get_source("stac", stac_server).search(far, "2024-01-01", "2024-12-31") == []


def test_fetch_reads_only_the_window_with_nested_grids_and_exact_values(stac_fake, stac_cogs, tmp_path):
    source = get_source("stac", stac_fake.url)
    scene = source.search(AOI_2KM, "2024-07-01", "2024-07-06", max_cloud=30)[0]
    stac_fake.reset_counters()
    folder = source.fetch(scene, AOI_2KM, None, tmp_path)

    # Under 5 % of the bytes of the full band files (the scene is 19.3 x 19.4 km).
    full = sum(os.path.getsize(p) for p in stac_cogs["files"].values())
    assert stac_fake.bytes_sent < 0.05 * full, (stac_fake.bytes_sent, full)
    assert all(r[2].get("Range") for r in stac_fake.requests if r[0] == "GET")  # never a whole file

    assert folder == str(tmp_path / scene.id)
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]  # no leftovers
    product = open_product(folder)
    assert (product.kind, product.level, product.product_id, product.date) == (
        "band folder", "L2A", scene.id, "2024-07-05")
    gt = product.geotransform
    # Window: the AOI plus at least 240 m, on the 60 m grid of the tile.
    assert (gt[0] - X0) % 60 == 0 and (Y0 - gt[3]) % 60 == 0
    assert gt[0] <= 444410 - 240 and gt[3] >= 4170730 + 240
    assert gt[0] + product.width * 10 >= 446410 + 240 and gt[3] - product.height * 10 <= 4168730 - 240
    assert product.width == product.height == 258  # 2.48 km widened to the 60 m grid
    assert {b: product.bands[b].ratio for b in ("B02", "B05", "B01")} == {"B02": 1, "B05": 2, "B01": 6}
    col, row = int(gt[0] - X0) // 10, int(Y0 - gt[3]) // 10
    for band, r in (("B04", 1), ("B11", 2), ("B09", 6)):
        got = read_band(folder, band)
        want = stac_cogs["dn"][band][row // r:(row + 258) // r, col // r:(col + 258) // r]
        assert np.array_equal(got, want), band  # the product's DN, untouched
    radiometry = json.loads((tmp_path / scene.id / "radiometry.json").read_text())
    assert radiometry["scale"]["B05"] == 0.0001 and radiometry["offset"]["B05"] == -0.1
    # DN * scale + offset is the reflectance of the source (the COGs store source + 1000).
    values, _ = product.read("B05", 0, 0, 12, 12)
    assert np.allclose(values, read_band(VIRGINIA, "B05")[row // 2:row // 2 + 6, col // 2:col // 2 + 6], atol=1e-3)


def test_fetch_only_asked_bands(stac_server, tmp_path):
    source = get_source("stac", stac_server)
    scene = source.search(AOI_2KM, "2024-07-01", "2024-07-06")[0]
    folder = source.fetch(scene, AOI_2KM, ["B05", "B8A"], tmp_path)
    assert sorted(os.listdir(folder)) == ["B05.tif", "B8A.tif", "radiometry.json", "scene.json"]
    assert read_band(folder, "B05").shape == (129, 129)
    # The HTTP settings for the COGs were the fetch's own: the calling thread (QGIS's main thread) is as it was.
    from osgeo import gdal

    assert [gdal.GetConfigOption(k) for k in ("GDAL_DISABLE_READDIR_ON_OPEN", "GDAL_HTTP_TIMEOUT")] == [None, None]


def test_fetch_without_an_area_reads_the_whole_scene(stac_server, stac_cogs, tmp_path):
    source = get_source("stac", stac_server)
    scene = source.search(AOI_2KM, "2024-07-01", "2024-07-06")[0]
    folder = source.fetch(scene, None, ["B05"], tmp_path)  # Processing's fetch with an empty extent
    # 1926 x 1938 px at 10 m, cut to whole 60 m pixels: 19260 x 19380 m, 963 x 969 px at 20 m
    np.testing.assert_array_equal(read_band(folder, "B05"), stac_cogs["dn"]["B05"][:969, :963])


def test_fetch_outside_the_scene_is_an_aoi_error(stac_server, tmp_path):
    source = get_source("stac", stac_server)
    scene = source.search(AOI_2KM, "2024-07-01", "2024-07-06")[0]
    far = Aoi.from_bbox(300000.0, 4000000.0, 302000.0, 4002000.0, "EPSG:32618")
    with pytest.raises(AoiError, match=r"outside scene S2A_18SVG_20240705_0_L2A"):
        source.fetch(scene, far, ["B02"], tmp_path)
    assert os.listdir(tmp_path) == []


def test_fetch_survives_a_server_error(stac_fake, tmp_path):
    source = get_source("stac", stac_fake.url)
    scene = source.search(AOI_2KM, "2024-07-01", "2024-07-06")[0]
    stac_fake.faults.fail_status, stac_fake.faults.fail_count = 503, 1
    folder = source.fetch(scene, AOI_2KM, ["B02"], tmp_path)
    assert read_band(folder, "B02").shape == (258, 258)
    assert stac_fake.faults.fail_count == 0


def test_search_server_failing_is_one_line(stac_fake):
    source = get_source("stac", stac_fake.url, retries=1)
    source._client()  # landing page first, then every request fails
    stac_fake.faults.fail_status, stac_fake.faults.fail_count = 500, 100
    with pytest.raises(CatalogError, match=r"^http://127\.0\.0\.1:\d+: STAC search failed"):
        source.search(AOI_2KM, "2024-07-01", "2024-07-06")


def test_unreachable_and_slow_servers_fail_with_one_line(stac_fake):
    closed = get_source("stac", "http://127.0.0.1:9", timeout=2, retries=0)
    with pytest.raises(NetworkError, match=r"127\.0\.0\.1:9: cannot reach the STAC API"):
        closed.search(AOI_2KM, "2024-07-01", "2024-07-06")
    stac_fake.faults.delay = 1.5
    slow = get_source("stac", stac_fake.url, timeout=0.3, retries=0)
    with pytest.raises(NetworkError, match=r"no answer within the timeout"):
        slow.search(AOI_2KM, "2024-07-01", "2024-07-06")


def test_search_fetch_and_superresolve_end_to_end(stac_server, tiny_sr_model, tmp_path):
    from digisat_plugin.core.catalog.pipeline import enhance_area
    from digisat_plugin.core.sr.predict import Predictor
    from tests.catalog_checks import check_enhanced

    source = get_source("stac", stac_server)
    out, orig = tmp_path / "out" / "enhanced.tif", tmp_path / "out" / "original.tif"
    out.parent.mkdir()
    result = enhance_area(source, AOI_2KM, "2024-06-01", "2024-07-31", 30, str(out), original_path=str(orig),
                          workdir=str(tmp_path / "work"), predictor=Predictor(tiny_sr_model, device="cpu"))
    # The 12.25 % scene is newest but cloudy over the area; the clearest area (3.5 % and 4.0 % tiles,
    # both clear over the area) is a tie broken by the date.
    assert result.scene.id == "S2B_18SVG_20240628_0_L2A"
    assert result.product_path == str(tmp_path / "work" / result.scene.id)
    assert result.result.product_id == result.scene.id and result.result.level == "L2A"
    check_enhanced(str(out), str(orig), result.product_path, AOI_2KM)
    assert sorted(os.listdir(out.parent)) == ["enhanced.tif", "original.tif"]


def test_fetch_survives_a_connection_dropped_mid_body(stac_fake, stac_cogs, tmp_path):
    source = get_source("stac", stac_fake.url)
    scene = source.search(AOI_2KM, "2024-07-01", "2024-07-06")[0]
    stac_fake.faults.drop_after, stac_fake.faults.drop_count = 1000, 2
    folder = source.fetch(scene, AOI_2KM, ["B02", "B05"], tmp_path)
    assert stac_fake.faults.drop_count == 0
    col, row = (444410 - 240 - 435780) // 60 * 6, (4179420 - 4170730 - 240) // 60 * 6
    assert np.array_equal(read_band(folder, "B05"), stac_cogs["dn"]["B05"][row // 2:row // 2 + 129, col // 2:col // 2 + 129])


def test_cancel_leaves_nothing(stac_server, tmp_path):
    from digisat_plugin.core.errors import Cancelled
    from digisat_plugin.core.progress import Progress

    source = get_source("stac", stac_server)
    scene = source.search(AOI_2KM, "2024-07-01", "2024-07-06")[0]
    calls = []
    with pytest.raises(Cancelled):
        source.fetch(scene, AOI_2KM, None, tmp_path, progress=Progress(lambda f, m: calls.append(f), lambda: len(calls) >= 1))
    assert os.listdir(tmp_path) == []


def test_band_server_slower_than_the_timeout(stac_fake, tmp_path):
    source = get_source("stac", stac_fake.url, timeout=0.5, retries=0)
    scene = source.search(AOI_2KM, "2024-07-01", "2024-07-06")[0]
    stac_fake.faults.delay = 2.5
    with pytest.raises(NetworkError, match=r"/data/B02\.tif: timed out / too slow"):
        source.fetch(scene, AOI_2KM, ["B02"], tmp_path)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("extension", ["filter", "none"])
def test_apis_without_the_query_extension_still_get_the_cloud_limit(stac_fake, extension):
    from tests.servers.stac_server import CONFORMS

    base = [c for c in CONFORMS if not c.endswith("#query")]
    stac_fake.state["conforms"] = base + (["https://api.stacspec.org/v1.0.0/item-search#filter",
                                           "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json"]
                                          if extension == "filter" else [])
    scenes = get_source("stac", stac_fake.url).search(AOI_2KM, "2024-06-01", "2024-07-31", max_cloud=10)
    assert [s.cloud_cover for s in scenes] == [3.5, 4.0]
    (sent,) = stac_fake.state["searches"]
    assert "query" not in sent
    if extension == "filter":
        assert sent["filter"] == {"op": "<=", "args": [{"property": "eo:cloud_cover"}, 10.0]}
    else:
        assert "filter" not in sent  # filtered on our side
