"""Failures that say what happened, through the CLI: one line on stderr naming the server, exit
status 2, no partial file, and no GDAL warning on the terminal (tests/servers fault injection)."""

from __future__ import annotations

import os
import time

import pytest

from digisat_plugin.cli import main
from tests.catalog_checks import one_line
from tests.unit.test_cli_catalog import AOI


def fetch(url, out, *extra):
    return main(["fetch", "S2B_18SVG_20240628_0_L2A", "--stac-url", url, "--aoi", AOI, "--out", str(out),
                 "--bands", "B02,B05", "--quiet", *extra])


def test_stalled_transfer_fails_within_the_timeout(stac_fake, tmp_path, capfd):
    from digisat_plugin.core.catalog import get_source
    from tests.unit.test_catalog_stac import AOI_2KM

    scene = get_source("stac", stac_fake.url).search(AOI_2KM, "2024-06-28", "2024-06-28")[0]
    stac_fake.faults.rate = 2000  # 2 kB/s
    started = time.monotonic()
    rc = main(["fetch", scene.id, "--stac-url", stac_fake.url, "--aoi", AOI, "--out", str(tmp_path), "--bands", "B02",
               "--quiet", "--timeout", "5"])
    assert time.monotonic() - started < 30
    line = one_line(capfd)
    assert rc == 2 and line.startswith(f"digisat: error: {stac_fake.url}/data/B02.tif: timed out / too slow"), line
    assert os.listdir(tmp_path) == []


def test_503_burst_is_retried_quietly(stac_fake, tmp_path, capfd):
    stac_fake.faults.fail_status, stac_fake.faults.fail_count = 503, 2
    assert fetch(stac_fake.url, tmp_path) == 0
    err = capfd.readouterr().err
    assert "Warning" not in err and "503" not in err, err
    assert sorted(os.listdir(tmp_path / "S2B_18SVG_20240628_0_L2A"))[:2] == ["B02.tif", "B05.tif"]


def test_missing_band_is_not_retried(stac_fake, tmp_path, capfd):
    stac_fake.state["gone"] = {"S2B_18SVG_20240628_0_L2A": ["B05"]}
    rc = fetch(stac_fake.url, tmp_path)
    line = one_line(capfd)
    assert rc == 2 and line == f"digisat: error: {stac_fake.url}/data/B05-gone.tif: not on the server (HTTP 404)"
    assert sum(1 for r in stac_fake.requests if r[1].endswith("B05-gone.tif")) <= 2  # GDAL's HEAD/GET, no re-reads
    assert os.listdir(tmp_path) == []


def test_truncated_cog_is_one_line(stac_fake, stac_cogs, tmp_path, capfd):
    with open(stac_cogs["files"]["B05"], "rb") as fh:
        stac_fake.state["bytes"] = {"B05": fh.read()[:3000]}  # the header and a few tiles only
    rc = fetch(stac_fake.url, tmp_path, "--timeout", "5")
    line = one_line(capfd)
    assert rc == 2 and line.startswith(f"digisat: error: {stac_fake.url}/data/B05.tif: "), line
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("case", ["no items", "server down"])
def test_no_items_and_server_down(stac_fake, tmp_path, capfd, case):
    url = stac_fake.url if case == "no items" else "http://127.0.0.1:9"
    if case == "no items":
        stac_fake.state["scenes"] = []
    rc = fetch(url, tmp_path, "--timeout", "3")
    line = one_line(capfd)
    expected = ("digisat: error: S2B_18SVG_20240628_0_L2A: no such L2A scene over the area between 2024-06-28 and "
                "2024-06-28" if case == "no items" else "digisat: error: http://127.0.0.1:9: cannot reach the STAC API")
    assert rc == 2 and line.startswith(expected), line
    assert os.listdir(tmp_path) == []
