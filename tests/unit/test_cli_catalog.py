"""`search`, `fetch` and `enhance` from the command line against the loopback catalogue servers."""

from __future__ import annotations

import os
import subprocess
import sys

from osgeo import gdal

from digisat_plugin.cli import main
from tests.catalog_checks import check_uncertainty_layer
from tests.conftest import REPO
from tests.servers.fixtures import CDSE_PASSWORD, CDSE_USER

AOI = "444410,4168730,446410,4170730,EPSG:32618"  # 2 x 2 km in the middle of the Virginia crop
SAFE_AOI = "443000,4169000,445000,4171000,EPSG:32618"  # inside the 6 x 6 km SAFE of the CDSE/DHuS fakes


def test_search_prints_a_table_newest_first(stac_server, capsys):
    rc = main(["search", "--stac-url", stac_server, "--aoi", AOI, "--start", "2024-06-01", "--end", "2024-07-31",
               "--max-cloud", "30"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 0
    assert out[0].split() == ["DATE", "(UTC)", "CLOUD", "%", "AREA", "CLOUD", "%", "TILE", "LEVEL", "SIZE", "ID"]
    assert [line.split()[-1] for line in out[1:]] == [
        "S2A_18SVG_20240705_0_L2A", "S2B_18SVG_20240628_0_L2A", "S2A_18SVG_20240625_0_L2A"]
    assert out[1].split()[:6] == ["2024-07-05", "15:47:21", "12.2", "100.0", "18SVG", "L2A"]
    assert out[2].split()[2:4] == ["3.5", "0.0"]  # cloud over the tile, over the area


def test_search_cloud_rounded_size_from_file_size_and_collection_option(stac_fake, stac_cogs, capsys):
    stac_fake.state["scenes"] = [("S2A_18SVG_20240705_0_L2A", "2024-07-05T15:47:21.024000Z", 4.582438)]
    rc = main(["search", "--stac-url", stac_fake.url, "--aoi", AOI, "--start", "2024-06-01", "--end", "2024-07-31",
               "--collection", "sentinel-2-c1-l2a"])
    row = capsys.readouterr().out.splitlines()[1].split()
    size_mb = sum(os.path.getsize(p) for p in stac_cogs["files"].values()) / 1e6
    assert rc == 0 and row[2] == "4.6" and row[6:8] == [f"{size_mb:.0f}", "MB"]
    assert stac_fake.state["searches"][0]["collections"] == ["sentinel-2-c1-l2a"]
    rc = main(["search", "--source", "cdse", "--user", "u", "--collection", "x", "--aoi", AOI, "--start", "2024-06-01",
               "--end", "2024-06-02"])
    assert rc == 2 and "--collection: only for --source stac (not cdse)" in capsys.readouterr().err


def test_search_with_nothing_found(stac_server, capsys):
    rc = main(["search", "--stac-url", stac_server, "--aoi", AOI, "--start", "2020-01-01", "--end", "2020-01-31"])
    assert rc == 0 and capsys.readouterr().out.startswith("no L2A scene with at most 30% cloud cover")


def test_fetch_by_id_writes_a_band_folder(stac_server, tmp_path, capsys):
    rc = main(["fetch", "S2B_18SVG_20240628_0_L2A", "--stac-url", stac_server, "--aoi", AOI, "--out", str(tmp_path),
               "--bands", "B02,B05", "--quiet"])
    folder = tmp_path / "S2B_18SVG_20240628_0_L2A"
    assert rc == 0 and capsys.readouterr().out.strip() == (
        f"fetched S2B_18SVG_20240628_0_L2A (2024-06-28, 3.5% cloud, 0.0% over the area) to {folder}")
    assert sorted(os.listdir(folder)) == ["B02.tif", "B05.tif", "radiometry.json", "scene.json"]


def test_fetch_for_60m_outputs_brings_what_net60_reads(stac_server, tmp_path, capsys):
    from digisat_plugin.core.catalog.pipeline import bands_to_fetch
    from digisat_plugin.core.definitions import sort_bands
    from digisat_plugin.core.sr.predict import inputs_for

    rc = main(["fetch", "S2B_18SVG_20240628_0_L2A", "--stac-url", stac_server, "--aoi", AOI, "--out", str(tmp_path),
               "--for", "60m", "--quiet"])
    folder = tmp_path / "S2B_18SVG_20240628_0_L2A"
    assert rc == 0, capsys.readouterr().err
    fetched = sort_bands(f[:-4] for f in os.listdir(folder) if f.endswith(".tif"))
    assert fetched == inputs_for(["B01", "B09"]) == bands_to_fetch(["B01", "B09"])
    assert {"B05", "B8A", "B11", "B12"} <= set(fetched)


def test_bands_to_fetch_is_inputs_for_plus_the_10m_grid():
    from digisat_plugin.core.catalog.pipeline import bands_to_fetch
    from digisat_plugin.core.definitions import BANDS_10M, BANDS_20M, BANDS_60M
    from digisat_plugin.core.sr.predict import inputs_for

    for outputs in (BANDS_20M, BANDS_60M, ["B05"], ["B01"], BANDS_10M + BANDS_20M + BANDS_60M):
        assert bands_to_fetch(outputs) == inputs_for(list(outputs) + list(BANDS_10M))
    assert bands_to_fetch(None) == inputs_for(BANDS_10M + BANDS_20M + BANDS_60M)
    assert bands_to_fetch(["B10"]) == ["B02", "B03", "B04", "B08", "B10"]


def test_fetch_unknown_scene_is_one_line(stac_server, tmp_path, capsys):
    rc = main(["fetch", "S2A_18SVG_20240101_0_L2A", "--stac-url", stac_server, "--aoi", AOI, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and err == ("digisat: error: S2A_18SVG_20240101_0_L2A: no such L2A scene over the area between "
                               "2024-01-01 and 2024-01-01\n")


def test_fetch_into_a_folder_that_cannot_be_made_is_one_line(stac_server, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    rc = main(["fetch", "S2B_18SVG_20240628_0_L2A", "--stac-url", stac_server, "--aoi", AOI,
               "--out", str(blocker / "dl"), "--bands", "B02", "--quiet"])
    assert rc == 2 and capsys.readouterr().err == (
        f"digisat: error: {blocker}/dl/.S2B_18SVG_20240628_0_L2A.partial: cannot create the folder (Not a directory)\n")


def test_cdse_credentials_come_from_the_environment_and_never_show(cdse_fake, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DIGISAT_CDSE_PASSWORD", CDSE_PASSWORD)
    rc = main(["search", "--source", "cdse", "--cdse-url", cdse_fake.url, "--user", CDSE_USER, "--aoi", SAFE_AOI,
               "--start", "2024-07-01", "--end", "2024-07-10"])
    out = capsys.readouterr().out
    assert rc == 0 and "S2A_MSIL2A_20240705T155721" in out and "8.5" in out
    scene_id = out.splitlines()[1].split()[-1]
    rc = main(["fetch", scene_id, "--source", "cdse", "--cdse-url", cdse_fake.url, "--user", CDSE_USER,
               "--aoi", SAFE_AOI, "--out", str(tmp_path), "--bands", "10m"])
    captured = capsys.readouterr()
    assert rc == 0 and captured.out.startswith(f"fetched {scene_id}")
    assert os.path.isdir(tmp_path / (scene_id + ".SAFE"))
    assert CDSE_PASSWORD not in captured.out + captured.err

    monkeypatch.setenv("DIGISAT_CDSE_PASSWORD", "wrong-secret")
    rc = main(["fetch", scene_id, "--source", "cdse", "--cdse-url", cdse_fake.url, "--user", CDSE_USER,
               "--aoi", SAFE_AOI, "--out", str(tmp_path / "again"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "wrong-secret" not in err
    assert err.startswith("digisat: error: ") and "user name or password refused by Copernicus Data Space" in err

    monkeypatch.delenv("DIGISAT_CDSE_PASSWORD")
    rc = main(["search", "--source", "cdse", "--cdse-url", cdse_fake.url, "--user", CDSE_USER, "--aoi", SAFE_AOI,
               "--start", "2024-07-01", "--end", "2024-07-10"])
    assert rc == 2 and capsys.readouterr().err == (
        "digisat: error: --source cdse needs an account: give --user (or DIGISAT_CDSE_USER) and set "
        "DIGISAT_CDSE_PASSWORD in the environment\n")


def test_dhus_needs_its_url(capsys, monkeypatch):
    monkeypatch.setenv("DIGISAT_DHUS_PASSWORD", "x")
    rc = main(["search", "--source", "dhus", "--user", "u", "--aoi", AOI, "--start", "2024-07-01", "--end", "2024-07-02"])
    assert rc == 2 and "--source dhus needs --dhus-url" in capsys.readouterr().err


def test_enhance_runs_the_whole_chain_with_a_progress_bar(stac_server, tiny_sr_model, tmp_path):
    out = tmp_path / "enhanced.tif"
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="2", QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "digisat_plugin", "enhance", "--stac-url", stac_server, "--aoi", AOI,
         "--start", "2024-06-01", "--end", "2024-07-31", "--max-cloud", "30", "--out", str(out),
         "--model", tiny_sr_model, "--device", "cpu"],
        cwd=str(REPO), env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # the 12.25 % scene is newer but cloudy over the area (tests/servers/stac_server.py DEFAULT_SCL)
    assert proc.stdout.splitlines()[0] == "scene S2B_18SVG_20240628_0_L2A (2024-06-28, 3.5% cloud, 0.0% over the area, stac)"
    assert proc.stdout.splitlines()[1] == ("note: area of interest grown outward to the 60 m pixel grid: 2000 x 2000 "
                                           "asked, 2100 x 2100 written (CRS units)")
    assert proc.stdout.splitlines()[2].startswith(f"wrote {out} (")
    assert "reading 12 bands (COG windows)" in proc.stderr  # the bar shows each stage
    assert "enhanced S2B_18SVG_20240628_0_L2A        100%|" in proc.stderr
    ds = gdal.Open(str(out))
    assert ds.RasterCount == 12 and ds.GetRasterBand(5).GetDescription() == "B05"
    assert os.listdir(tmp_path) == ["enhanced.tif"]


def test_enhance_writes_the_uncertainty_layer_superresolve_writes(stac_server, tiny_uncertainty_model, tmp_path,
                                                                  capsys):
    """enhance --uncertainty: the layer on the output's grid, equal to `superresolve --uncertainty` of the
    fetched window (kept with --workdir) over the same area."""
    from digisat_plugin.core.io.aoi import parse_aoi
    from digisat_plugin.core.sr.engine import superresolve

    out, unc, keep = tmp_path / "enhanced.tif", tmp_path / "unc.tif", tmp_path / "fetched"
    rc = main(["enhance", "--stac-url", stac_server, "--aoi", AOI, "--start", "2024-06-01", "--end", "2024-07-31",
               "--out", str(out), "--uncertainty", str(unc), "--bands", "B02,B04,B05,B8A,B11", "--workdir", str(keep),
               "--model", tiny_uncertainty_model, "--device", "cpu", "--quiet"])
    stdout = capsys.readouterr().out
    assert rc == 0, stdout
    assert stdout.splitlines()[-1] == f"wrote {unc} (expected absolute error per pixel, DN)"
    assert sorted(os.listdir(tmp_path)) == ["enhanced.tif", "fetched", "unc.tif"]
    (folder,) = os.listdir(keep)
    ref, ref_unc = tmp_path / "ref.tif", tmp_path / "ref_unc.tif"
    superresolve(str(keep / folder), str(ref), aoi=parse_aoi(AOI, "EPSG:4326"), bands=["B02", "B04", "B05", "B8A", "B11"],
                 model_dir=tiny_uncertainty_model, device="cpu", uncertainty_path=str(ref_unc))
    assert gdal.Open(str(out)).ReadAsArray().tolist() == gdal.Open(str(ref)).ReadAsArray().tolist()
    check_uncertainty_layer(unc, out, gdal.Open(str(ref_unc)).ReadAsArray())


def test_enhance_bad_uncertainty_path_is_one_line_before_the_search(stac_fake, tmp_path_factory, capsys):
    tmp_path, nocal = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("nocal")  # a model folder without it
    out = tmp_path / "enhanced.tif"
    base = ["enhance", "--stac-url", stac_fake.url, "--aoi", AOI, "--start", "2024-06-01", "--end", "2024-07-31",
            "--out", str(out), "--quiet"]
    for extra, line in (
            (["--uncertainty", str(tmp_path / "unc.tif"), "--model", str(nocal)],
             f"--uncertainty: {nocal / 'uncertainty.json'}: no uncertainty calibration in the model folder "
             "(scripts/calibrate_uncertainty.py writes it)"),
            (["--uncertainty", str(out)], f"--uncertainty {out}: must not be the output file"),
            (["--original", str(tmp_path / "o.tif"), "--uncertainty", str(tmp_path / "o.tif")],
             f"--uncertainty {tmp_path / 'o.tif'}: must not be the --original file"),
            (["--uncertainty", str(tmp_path / "missing" / "unc.tif")],
             f"--uncertainty {tmp_path / 'missing' / 'unc.tif'}: cannot write output: folder {tmp_path / 'missing'} "
             "does not exist")):
        assert main(base + extra) == 2
        assert capsys.readouterr().err == f"digisat: error: {line}\n"
    assert stac_fake.requests == [] and os.listdir(tmp_path) == []
