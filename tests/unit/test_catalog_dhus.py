"""DHuS hubs through sentinelsat against a real DHuS fake on 127.0.0.1 (tests/servers/dhus_server.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from digisat_plugin.core.catalog import get_source
from digisat_plugin.core.catalog.errors import AuthError, ChecksumError, NetworkError, OfflineError
from digisat_plugin.core.io.aoi import Aoi
from digisat_plugin.core.io.product import open_product
from tests.servers.fixtures import DHUS_PASSWORD, DHUS_USER

AOI = Aoi.from_bbox(443000.0, 4169000.0, 445000.0, 4171000.0, "EPSG:32618")


def source(fake, **kw):
    kw.setdefault("timeout", 5.0)
    return get_source("dhus", fake.url + "/", DHUS_USER, DHUS_PASSWORD, backoff=0.01, **kw)


def test_search_through_sentinelsat(dhus_fake, safe_product):
    scenes = source(dhus_fake).search(AOI, "2024-06-01", "2024-07-31", max_cloud=30)
    assert [s.id for s in scenes] == [safe_product.name]
    s = scenes[0]
    assert (s.datetime, s.cloud_cover, s.tile, s.level, s.source) == ("2024-07-05T15:57:21Z", 8.5, "18SVG", "L2A", "dhus")
    assert s.footprint["type"] == "Polygon" and abs(s.size - safe_product.size) < 2**20 / 100
    q = dhus_fake.state["queries"][0]
    assert 'beginPosition:["2024-06-01T00:00:00Z" TO "2024-07-31T23:59:59Z"]' in q
    assert 'cloudcoverpercentage:["0" TO "30.0"]' in q and 'producttype:"S2MSI2A"' in q
    both = source(dhus_fake).search(AOI, "2024-06-01", "2024-07-31", max_cloud=100)
    assert [s.date for s in both] == ["2024-07-05", "2024-06-28"]  # a list feed, newest first


def test_fetch_resumes_and_verifies_md5(dhus_fake, safe_product, tmp_path):
    src = source(dhus_fake)
    scene = src.search(AOI, "2024-07-01", "2024-07-10", max_cloud=30)[0]
    dhus_fake.faults.drop_after, dhus_fake.faults.drop_count = 200_000, 1
    path = src.fetch(scene, AOI, None, tmp_path)
    assert path == str(tmp_path / (safe_product.name + ".zip")) and os.listdir(tmp_path) == [safe_product.name + ".zip"]
    ranges = [r[2].get("Range") for r in dhus_fake.requests if "$value" in r[1] and r[0] == "GET"]
    assert ranges == [None, "bytes=200000-"]
    product = open_product(path)
    assert product.level == "L2A" and product.product_id == safe_product.name
    assert np.array_equal(product.bands["B11"].dataset().ReadAsArray(), safe_product.dn["B11"])


def test_checksum_that_keeps_failing(dhus_fake, tmp_path):
    src = source(dhus_fake)
    scene = src.search(AOI, "2024-07-01", "2024-07-10", max_cloud=30)[0]
    dhus_fake.faults.corrupt_count = 10
    with pytest.raises(ChecksumError, match=r"\.zip: MD5 checksum mismatch in 3 downloads"):
        src.fetch(scene, AOI, None, tmp_path)
    assert os.listdir(tmp_path) == []


def test_offline_product_triggers_retrieval(dhus_fake, tmp_path):
    src = source(dhus_fake)
    scene = src.search(AOI, "2024-07-01", "2024-07-10", max_cloud=30)[0]
    dhus_fake.state["products"][0]["online"] = False
    with pytest.raises(OfflineError, match=rf"{scene.id} is offline \(long-term archive\) on http://127\.0\.0\.1:\d+/; "
                                           r"its retrieval was requested"):
        src.fetch(scene, AOI, None, tmp_path)
    assert dhus_fake.state["triggered"] == 1


def test_wrong_password_and_missing_account(dhus_fake):
    bad = get_source("dhus", dhus_fake.url, DHUS_USER, "wrong", timeout=5.0)
    with pytest.raises(AuthError, match=r"^http://127\.0\.0\.1:\d+/: user name or password refused \(HTTP 401\)$"):
        bad.search(AOI, "2024-07-01", "2024-07-10")
    with pytest.raises(AuthError, match=r"DHuS hub needs an account"):
        get_source("dhus", dhus_fake.url, DHUS_USER, None)


def test_slow_hub_fails_within_our_timeout(dhus_fake):
    dhus_fake.faults.delay = 1.5  # sentinelsat alone would wait forever (session.timeout is ignored)
    with pytest.raises(NetworkError, match=r"no answer within the timeout; the hub is down or too slow"):
        source(dhus_fake, timeout=0.3).search(AOI, "2024-07-01", "2024-07-10")


def test_search_fetch_and_superresolve_end_to_end(dhus_fake, tiny_sr_model, tmp_path):
    from digisat_plugin.core.catalog.pipeline import enhance_area
    from digisat_plugin.core.sr.predict import Predictor
    from tests.catalog_checks import check_enhanced

    out, orig = tmp_path / "enhanced.tif", tmp_path / "original.tif"
    result = enhance_area(source(dhus_fake), AOI, "2024-06-01", "2024-07-31", 30, str(out), original_path=str(orig),
                          workdir=str(tmp_path / "work"), predictor=Predictor(tiny_sr_model, device="cpu"))
    assert result.product_path.endswith(".zip") and result.scene.source == "dhus"
    check_enhanced(str(out), str(orig), result.product_path, AOI)
