"""Copernicus Data Space backend against a real CDSE fake on 127.0.0.1 (tests/servers/cdse_server.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from digisat_plugin.core.catalog import get_source
from digisat_plugin.core.catalog.errors import AuthError, OfflineError
from digisat_plugin.core.io.aoi import Aoi
from digisat_plugin.core.io.product import open_product
from tests.servers.fixtures import CDSE_PASSWORD, CDSE_USER

# Inside the 600 x 600 px SAFE cut at (600, 600) of the Virginia grid: x 441780-447780, y 4167420-4173420.
AOI = Aoi.from_bbox(443000.0, 4169000.0, 445000.0, 4171000.0, "EPSG:32618")


def source(fake, **kw):
    return get_source("cdse", fake.url, CDSE_USER, CDSE_PASSWORD, timeout=5.0, backoff=0.01, **kw)


def test_search_sends_the_documented_filter_and_parses_products(cdse_fake, safe_product):
    scenes = source(cdse_fake).search(AOI, "2024-06-01", "2024-07-31", max_cloud=30)
    assert [s.id for s in scenes] == [safe_product.name]
    s = scenes[0]
    assert (s.datetime, s.cloud_cover, s.tile, s.level, s.source, s.size) == (
        "2024-07-05T15:57:21Z", 8.5, "18SVG", "L2A", "cdse", safe_product.size)
    assert s.extra["md5"] == safe_product.md5 and s.extra["online"] is True and s.footprint["type"] == "Polygon"
    flt = cdse_fake.state["filters"][0]
    assert "ContentDate/Start gt 2024-06-01T00:00:00.000Z and ContentDate/Start lt 2024-07-31T23:59:59.999Z" in flt
    assert "att/OData.CSC.DoubleAttribute/Value le 30.00" in flt
    # The cloudier scene shows up when allowed; the L1C one only for L1C.
    assert len(source(cdse_fake).search(AOI, "2024-06-01", "2024-07-31", max_cloud=100)) == 2
    l1c = source(cdse_fake).search(AOI, "2024-06-01", "2024-07-31", level="L1C")
    assert [s.level for s in l1c] == ["L1C"]


def test_search_follows_next_links(cdse_fake):
    scenes = source(cdse_fake).search(AOI, "2024-06-01", "2024-07-31", max_cloud=100, limit=1)
    assert len(scenes) == 1
    src = source(cdse_fake)
    import digisat_plugin.core.catalog.cdse as cdse

    old, cdse.PAGE = cdse.PAGE, 1
    try:
        both = src.search(AOI, "2024-06-01", "2024-07-31", max_cloud=100)
    finally:
        cdse.PAGE = old
    assert [s.date for s in both] == ["2024-07-05", "2024-06-28"]
    assert len(cdse_fake.state["filters"]) == 3  # one request per page


def test_fetch_needed_bands_only_through_nodes_with_token_and_redirect(cdse_fake, safe_product, tmp_path):
    src = source(cdse_fake)
    scene = src.search(AOI, "2024-07-01", "2024-07-10", max_cloud=30)[0]
    path = src.fetch(scene, AOI, ["B02", "B03", "B04", "B08", "B05", "B06", "B07", "B8A", "B11", "B12"], tmp_path)
    assert path == str(tmp_path / (safe_product.name + ".SAFE"))
    assert sorted(os.listdir(tmp_path)) == [safe_product.name + ".SAFE"]
    product = open_product(path)
    assert (product.kind, product.level, product.product_id) == ("SAFE folder", "L2A", safe_product.name)
    assert product.band_names == ["B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12"]
    for band in ("B02", "B8A", "B12"):
        got = product.bands[band].dataset().ReadAsArray()
        assert np.array_equal(got, safe_product.dn[band]), band  # the product's DN (offset +1000)
    # Model values are the offset-corrected reflectance x 10000.
    values, _ = product.read("B05", 0, 0, 12, 12)
    assert np.array_equal(values, safe_product.dn["B05"][:6, :6].astype(np.float32) - 1000)
    # The band files came from the second host, with the bearer token sent again there.
    down = cdse_fake.download_server
    assert all(r[2].get("Authorization", "").startswith("Bearer ") for r in down.requests)
    assert not any("B01" in r[1] or "B09" in r[1] for r in down.requests)  # 60 m bands not needed
    assert len(down.bytes_by_path) == 12  # 10 bands + MTD_MSIL2A.xml + MTD_TL.xml


def test_fetch_whole_product_checks_md5(cdse_fake, safe_product, tmp_path):
    src = source(cdse_fake, whole_product=True)
    scene = src.search(AOI, "2024-07-01", "2024-07-10", max_cloud=30)[0]
    cdse_fake.download_server.faults.drop_after, cdse_fake.download_server.faults.drop_count = 100_000, 1
    path = src.fetch(scene, AOI, None, tmp_path)
    assert path == str(tmp_path / (safe_product.name + ".zip"))
    with open(path, "rb") as fh, open(safe_product.zip_path, "rb") as ref:
        assert fh.read() == ref.read()
    ranges = [r[2].get("Range") for r in cdse_fake.download_server.requests]
    assert ranges == [None, "bytes=100000-"]  # resumed on the redirected host
    assert open_product(path).kind == "SAFE zip"


def test_expired_token_is_refreshed(cdse_fake, tmp_path):
    cdse_fake.state["tokens"].expires_in = 0.5  # shorter than the 30 s safety margin: refresh before each use
    src = source(cdse_fake)
    scene = src.search(AOI, "2024-07-01", "2024-07-10", max_cloud=30)[0]
    src.fetch(scene, AOI, ["B02", "B03"], tmp_path)
    assert cdse_fake.state["refreshes"] >= 2


def test_wrong_password_is_one_line(cdse_fake, tmp_path):
    src = get_source("cdse", cdse_fake.url, CDSE_USER, "wrong", timeout=5.0)
    scene = source(cdse_fake).search(AOI, "2024-07-01", "2024-07-10", max_cloud=30)[0]
    with pytest.raises(AuthError, match=r"/auth/realms/CDSE/protocol/openid-connect/token: user name or password "
                                        r"refused by Copernicus Data Space"):
        src.fetch(scene, AOI, ["B02"], tmp_path)
    with pytest.raises(AuthError, match=r"needs an account"):
        get_source("cdse", cdse_fake.url, None, None).fetch(scene, AOI, ["B02"], tmp_path)


def test_offline_product_is_reported(cdse_fake, tmp_path):
    src = source(cdse_fake, whole_product=True)
    scene = src.search(AOI, "2024-07-01", "2024-07-10", max_cloud=30)[0]
    cdse_fake.state["products"][0]["online"] = False
    with pytest.raises(OfflineError, match=r"is offline \(long-term archive\)"):
        src.fetch(scene, AOI, None, tmp_path)
    scene.extra["online"] = False
    with pytest.raises(OfflineError, match=rf"{scene.id} is offline \(long-term archive\) on Copernicus Data Space"):
        src.fetch(scene, AOI, None, tmp_path)


def test_search_fetch_and_superresolve_end_to_end(cdse_fake, tiny_sr_model, tmp_path):
    from digisat_plugin.core.catalog.pipeline import enhance_area
    from digisat_plugin.core.sr.predict import Predictor
    from tests.catalog_checks import check_enhanced

    out, orig = tmp_path / "enhanced.tif", tmp_path / "original.tif"
    result = enhance_area(source(cdse_fake), AOI, "2024-06-01", "2024-07-31", 30, str(out), original_path=str(orig),
                          workdir=str(tmp_path / "work"), predictor=Predictor(tiny_sr_model, device="cpu"))
    assert result.product_path.endswith(".SAFE") and result.result.level == "L2A"
    check_enhanced(str(out), str(orig), result.product_path, AOI)
