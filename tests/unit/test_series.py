"""`series` (core/series.py, cli/series.py) and the index table (core/indices.py), against server
software nobody here wrote: `rustac serve` holding Earth Search `sentinel-2-c1-l2a` items, the COGs
behind RangeHTTPServer (tests/servers/real_stac.py). The tiny networks (tests/servers/fixtures.py)
keep it fast; values are compared with single `superresolve` runs of the same fetched windows.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from osgeo import gdal, osr

from digisat_plugin.cli import main
from digisat_plugin.core import indices
from digisat_plugin.core.errors import InputError
from tests.catalog_checks import check_uncertainty_layer, one_line
from tests.servers.real_fixtures import REAL_SCENES, scene_items
from tests.servers.real_stac import earth_search_item, scene_folder
from tests.unit.test_cli_catalog import AOI

BANDS = "B02,B03,B04,B05,B08,B8A,B11,B12"  # what NDVI, NDRE, NDMI, NBR read, and fewer bands: faster
CLEAR = ("2024-06-25", "2024-06-28")  # 07-05 is cloudy over the area (SCL), 07-08 is 71.5 % tile cloud
TWO_TILES_DT = "2024-07-01T15:47:21.024000Z"
X0 = 435780.0  # west edge of the served crop (EPSG:32618)
A_EAST, B_WEST = 445620.0, 445020.0  # tile A holds data west of A_EAST, tile B east of B_WEST (on the 60 m grid)
INDEX_FILES = ["catalog.json", "items", "series.json"]  # the JSON index and the STAC catalog of the same dates


def series(url, out, *extra, model=None, workdir=None):
    args = ["series", "--stac-url", url, "--aoi", AOI, "--start", "2024-06-01", "--end", "2024-07-31",
            "--max-cloud", "30", "--max-area-cloud", "50", "--bands", BANDS, "--out", str(out), "--device", "cpu",
            "--quiet"]
    if model:
        args += ["--model", model]
    if workdir:
        args += ["--workdir", str(workdir)]
    return main(args + list(extra))


def read(path, band=None):
    ds = gdal.Open(str(path))
    names = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
    if band is None:
        return {n: ds.GetRasterBand(i + 1).ReadAsArray() for i, n in enumerate(names)}
    return ds.GetRasterBand(names.index(band) + 1).ReadAsArray()


def single_run(folder, out, model, uncertainty=None):
    """The engine alone on a fetched window, with the series' area and bands (and its uncertainty layer)."""
    from digisat_plugin.core.definitions import parse_band_list
    from digisat_plugin.core.io.aoi import parse_aoi
    from digisat_plugin.core.sr.engine import superresolve

    return superresolve(str(folder), str(out), aoi=parse_aoi(AOI), bands=parse_band_list(BANDS), model_dir=model,
                        device="cpu", uncertainty_path=str(uncertainty) if uncertainty else None)


def half_cogs(stac_cogs, folder, keep):
    """A copy of the served COGs with no data (0) outside x in `keep` = (xmin, xmax): one tile's share."""
    os.makedirs(folder, exist_ok=True)
    files = {}
    for band, path in stac_cogs["files"].items():
        src = gdal.Open(path)
        gt = src.GetGeoTransform()
        data = src.GetRasterBand(1).ReadAsArray()
        cols = gt[0] + gt[1] * (np.arange(data.shape[1]) + 0.5)
        data[:, (cols < keep[0]) | (cols > keep[1])] = 0
        out = os.path.join(folder, f"{band}.tif")
        mem = gdal.GetDriverByName("MEM").CreateCopy("", src)
        mem.GetRasterBand(1).WriteArray(data)
        gdal.GetDriverByName("GTiff").CreateCopy(out, mem, options=["TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=64",
                                                                    "COMPRESS=DEFLATE", "COPY_SRC_OVERVIEWS=YES"])
        files[band] = out
    src = gdal.Open(stac_cogs["scl_files"]["SCL"])  # the scene classification: no data (0) outside too
    gt, scl = src.GetGeoTransform(), src.GetRasterBand(1).ReadAsArray()
    cols = gt[0] + gt[1] * (np.arange(scl.shape[1]) + 0.5)
    scl[:, (cols < keep[0]) | (cols > keep[1])] = 0
    mem = gdal.GetDriverByName("MEM").CreateCopy("", src)
    mem.GetRasterBand(1).WriteArray(scl)
    files["SCL"] = os.path.join(folder, "SCL.tif")
    gdal.GetDriverByName("GTiff").CreateCopy(files["SCL"], mem, options=["TILED=YES", "BLOCKXSIZE=64",
                                                                         "BLOCKYSIZE=64", "COMPRESS=DEFLATE"])
    scl_files = {"SCL": files.pop("SCL")}
    return dict(stac_cogs, files=files, scl_files=scl_files)


def footprint(xmin, xmax, ymin=4160000.0, ymax=4180000.0):
    utm, wgs = osr.SpatialReference(), osr.SpatialReference()
    utm.ImportFromEPSG(32618)
    wgs.ImportFromEPSG(4326)
    for s in (utm, wgs):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    tr = osr.CoordinateTransformation(utm, wgs)
    ring = [list(tr.TransformPoint(x, y)[:2]) for x, y in ((xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax))]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


@pytest.fixture()
def two_tile_stac(cog_host, rustac, stac_cogs, tmp_path_factory):
    """REAL_SCENES plus a date (2024-07-01) seen by two tiles, each holding only part of the area:
    18SVG west of A_EAST, '18SVH' east of B_WEST (synthetic: the same crop, cut in two)."""
    hrefs = {item_id: cog_host.add_scene(item_id, d, scl) for item_id, d, _cloud, scl in REAL_SCENES}
    items = scene_items(stac_cogs, hrefs)
    root = tmp_path_factory.mktemp("tiles")
    for item_id, keep, tile, foot in (
            ("S2A_T18SVG_20240701T154721_L2A", (X0, A_EAST), "18SVG", footprint(X0, A_EAST)),
            ("S2A_T18SVH_20240701T154721_L2A", (B_WEST, 460000.0), "18SVH", footprint(B_WEST, 460000.0))):
        data = half_cogs(stac_cogs, root / tile, keep)
        rel = scene_folder(item_id, TWO_TILES_DT)
        folder = os.path.join(cog_host.root, rel)
        os.makedirs(folder)
        for band, path in data["files"].items():
            os.symlink(path, os.path.join(folder, f"{band}.tif"))
        os.symlink(data["scl_files"]["SCL"], os.path.join(folder, "SCL.tif"))
        item = earth_search_item(dict(data, footprint=foot), item_id, TWO_TILES_DT, 2.0, f"{cog_host.url}/{rel}")
        item["properties"]["grid:code"] = f"MGRS-{tile}"
        item["properties"]["mgrs:grid_square"] = tile[-2:]
        items.append(item)
    server = rustac(items)
    return server.url


def test_series_one_cog_per_clear_date_equal_to_single_runs_with_indices(earth_search, tiny_sr_model, tmp_path,
                                                                         capsys):
    out, keep = tmp_path / "series", tmp_path / "fetched"
    rc = series(earth_search.url, out, "--index", "ndvi,NBR", model=tiny_sr_model, workdir=keep)
    stdout = capsys.readouterr().out
    assert rc == 0, stdout
    assert "filtered 2024-07-05 S2A_T18SVG_20240705T154721_L2A: 100.0% cloud over the area (more than 50%)" in stdout
    expected = sorted(f"{d}_18SVG_{what}.tif" for d in CLEAR for what in ("enhanced", "NDVI", "NBR"))
    assert sorted(os.listdir(out)) == sorted(expected + INDEX_FILES)  # nothing else: no temporary left
    assert sorted(os.listdir(out / "items")) == [f"{d}_18SVG.json" for d in CLEAR]
    doc = json.loads((out / "series.json").read_text())
    assert [(e["date"], e["tiles"], e["status"], e["enhanced"]) for e in doc["dates"]] == [
        (d, ["18SVG"], "done", f"{d}_18SVG_enhanced.tif") for d in CLEAR]
    assert doc["dates"][1]["indices"] == {"NDVI": "2024-06-28_18SVG_NDVI.tif", "NBR": "2024-06-28_18SVG_NBR.tif"}
    scene = doc["dates"][1]["scenes"][0]
    assert (scene["id"], scene["cloud_cover"], scene["area_cloud"], scene["aoi_coverage"]) == (
        "S2B_T18SVG_20240628T155719_L2A", 3.5, 0.0, 100.0)
    assert doc["filtered"] == [{"id": "S2A_T18SVG_20240705T154721_L2A", "date": "2024-07-05", "tile": "18SVG",
                                "reason": "100.0% cloud over the area (more than 50%)"}]
    # the same dates as a STAC catalog that pystac reads, its asset links resolving to the files
    import pystac

    catalog = pystac.Catalog.from_file(str(out / "catalog.json"))
    items = sorted(catalog.get_items(), key=lambda i: i.id)
    assert [i.id for i in items] == [f"{d}_18SVG" for d in CLEAR]
    assert [i.datetime.date().isoformat() for i in items] == list(CLEAR)
    assert items[1].properties["digisat:scenes"] == ["S2B_T18SVG_20240628T155719_L2A"]
    assert (items[1].properties["eo:cloud_cover"], items[1].properties["digisat:area_cloud"]) == (3.5, 0.0)
    assert {k: os.path.abspath(a.get_absolute_href()) for k, a in items[1].assets.items()} == {
        "enhanced": str(out / "2024-06-28_18SVG_enhanced.tif"), "NDVI": str(out / "2024-06-28_18SVG_NDVI.tif"),
        "NBR": str(out / "2024-06-28_18SVG_NBR.tif")}
    from digisat_plugin.core.io.aoi import parse_aoi

    # the 2.1 km window written (the 2 km area grown to the 60 m grid) in degrees
    assert items[1].bbox == pytest.approx(list(parse_aoi(AOI).wgs84_bounds()), abs=0.001)
    for date, item_id in zip(CLEAR, ("S2A_T18SVG_20240625T154721_L2A", "S2B_T18SVG_20240628T155719_L2A"), strict=True):
        got = gdal.Open(str(out / f"{date}_18SVG_enhanced.tif"))
        assert got.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE") == "COG"
        ref_path = tmp_path / f"single_{date}.tif"
        single_run(keep / item_id, ref_path, tiny_sr_model)
        ref = gdal.Open(str(ref_path))
        assert got.GetGeoTransform() == ref.GetGeoTransform() and (got.RasterXSize, got.RasterYSize) == (210, 210)
        want, have = read(ref_path), read(got.GetDescription())
        assert list(have) == BANDS.split(",")
        for band in want:
            np.testing.assert_array_equal(have[band], want[band], err_msg=f"{date} {band}")
    # the indices, by hand on a few pixels, from the enhanced bands (DN x 0.0001 = reflectance)
    bands = read(out / "2024-06-28_18SVG_enhanced.tif")
    ndvi, nbr = read(out / "2024-06-28_18SVG_NDVI.tif", "NDVI"), read(out / "2024-06-28_18SVG_NBR.tif", "NBR")
    assert ndvi.dtype == np.float32
    for row, col in ((0, 0), (17, 150), (105, 105), (209, 3)):
        n, r, s2 = (float(bands[b][row, col]) * 1e-4 for b in ("B08", "B04", "B12"))
        assert ndvi[row, col] == pytest.approx((n - r) / (n + r), abs=1e-6)
        assert nbr[row, col] == pytest.approx((n - s2) / (n + s2), abs=1e-6)
    ds = gdal.Open(str(out / "2024-06-28_18SVG_NDVI.tif"))
    assert ds.GetRasterBand(1).GetNoDataValue() == indices.NODATA
    assert ds.GetMetadataItem("DIGISAT_INDEX_FORMULA") == "(B08 - B04) / (B08 + B04)"
    assert ds.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE") == "COG"


def test_rerun_skips_done_dates_and_writes_only_a_missing_index(earth_search, tiny_sr_model, tmp_path, capsys):
    out = tmp_path / "series"
    assert series(earth_search.url, out, "--index", "NDVI", model=tiny_sr_model) == 0
    capsys.readouterr()
    stamps = {name: os.stat(out / name).st_mtime_ns for name in os.listdir(out) if name.endswith(".tif")}
    assert len(stamps) == 4
    assert series(earth_search.url, out, "--index", "NDVI", model=tiny_sr_model) == 0
    stdout = capsys.readouterr().out
    assert "series: 0 dates done, 2 skipped (already done), 0 failed of 2" in stdout
    assert {name: os.stat(out / name).st_mtime_ns for name in stamps} == stamps
    os.remove(out / "2024-06-25_18SVG_NDVI.tif")
    assert series(earth_search.url, out, "--index", "NDVI", model=tiny_sr_model) == 0
    assert "series: 1 dates done, 1 skipped" in capsys.readouterr().out
    now = {name: os.stat(out / name).st_mtime_ns for name in stamps}
    assert [n for n in stamps if now[n] != stamps[n]] == ["2024-06-25_18SVG_NDVI.tif"]  # the engine did not run again
    doc = json.loads((out / "series.json").read_text())
    assert [(e["date"], e["status"]) for e in doc["dates"]] == [("2024-06-25", "done"), ("2024-06-28", "skipped")]


def test_two_tiles_of_one_date_are_mosaicked_on_the_grid_of_the_larger_share(two_tile_stac, tiny_uncertainty_model,
                                                                             tmp_path, capsys):
    """Two tiles on one date, mosaicked on the grid of the one covering more of the area; with --uncertainty
    their uncertainty layers too, each pixel's from the tile its enhanced value came from."""
    out, keep = tmp_path / "series", tmp_path / "fetched"
    args = ["series", "--stac-url", two_tile_stac, "--aoi", AOI, "--start", "2024-07-01", "--end", "2024-07-01",
            "--bands", "B02,B04,B05,B08", "--out", str(out), "--workdir", str(keep), "--model", tiny_uncertainty_model,
            "--device", "cpu", "--quiet", "--index", "NDRE", "--max-area-cloud", "20", "--uncertainty"]
    assert main(args) == 0
    stdout = capsys.readouterr().out
    name = "2024-07-01_18SVH+18SVG"  # 18SVH's footprint holds 70 % of the area, 18SVG's 60 %
    assert sorted(os.listdir(out)) == sorted([f"{name}_NDRE.tif", f"{name}_enhanced.tif", f"{name}_uncertainty.tif"]
                                             + INDEX_FILES)
    assert "note: 2024-07-01: 2 tiles mosaicked on the grid of 18SVH (70% of the area)" in stdout
    entry = json.loads((out / "series.json").read_text())["dates"][0]
    # measured in EPSG:4326 degrees: 69.5 % and 60.5 % in metres
    assert [(s["tile"], pytest.approx(s["aoi_coverage"], abs=0.2)) for s in entry["scenes"]] == [
        ("18SVH", 69.5), ("18SVG", 60.5)]
    # each tile alone has 30-40 % of the area as no data (not clear, over --max-area-cloud 20), their
    # mosaic none: the date is judged on the mosaic and kept
    assert [(s["tile"], pytest.approx(s["area_cloud"], abs=1.5)) for s in entry["scenes"]] == [
        ("18SVH", 30.5), ("18SVG", 39.5)]
    assert entry["area_cloud"] == 0.0
    from digisat_plugin.core.definitions import parse_band_list
    from digisat_plugin.core.io.aoi import parse_aoi
    from digisat_plugin.core.sr.engine import superresolve

    parts, layers = {}, {}
    for tile, item_id in (("18SVH", "S2A_T18SVH_20240701T154721_L2A"), ("18SVG", "S2A_T18SVG_20240701T154721_L2A")):
        superresolve(str(keep / item_id), str(tmp_path / f"{tile}.tif"), aoi=parse_aoi(AOI),
                     bands=parse_band_list("B02,B04,B05,B08"), model_dir=tiny_uncertainty_model, device="cpu",
                     uncertainty_path=str(tmp_path / f"{tile}_unc.tif"))
        parts[tile], layers[tile] = read(tmp_path / f"{tile}.tif"), read(tmp_path / f"{tile}_unc.tif")
    got = read(out / f"{name}_enhanced.tif")
    ds = gdal.Open(str(out / f"{name}_enhanced.tif"))
    assert ds.GetGeoTransform() == gdal.Open(str(tmp_path / "18SVH.tif")).GetGeoTransform()
    assert ds.GetRasterBand(1).GetScale() == 0.0001 and ds.GetRasterBand(1).GetNoDataValue() == 0
    assert "SOURCE_PRODUCT" in ds.GetMetadata() and "mosaicked" in ds.GetMetadataItem("DIGISAT_MOSAIC")
    for band, have in got.items():
        h, g = parts["18SVH"][band], parts["18SVG"][band]
        assert (h == 0).any() and (g == 0).any() and (h > 0).any()  # each tile alone has a hole in the area
        np.testing.assert_array_equal(have, np.where(h > 0, h, g), err_msg=band)
        assert (have > 0).all(), band  # together they cover it
    # the uncertainty layers, mosaicked the same way: each pixel's from the tile its enhanced value came from
    unc = read(out / f"{name}_uncertainty.tif")
    check_uncertainty_layer(out / f"{name}_uncertainty.tif", out / f"{name}_enhanced.tif")
    for band, have in unc.items():
        assert np.isnan(layers["18SVH"][band]).any() and np.isnan(layers["18SVG"][band]).any()  # each has a hole
        np.testing.assert_array_equal(have, np.where(parts["18SVH"][band] > 0, layers["18SVH"][band],
                                                     layers["18SVG"][band]), err_msg=band)
    ds = gdal.Open(str(out / f"{name}_uncertainty.tif"))
    assert "mosaicked" in ds.GetMetadataItem("DIGISAT_MOSAIC") and ds.GetMetadataItem("SOURCE_PRODUCT") is None
    assert json.loads((out / "series.json").read_text())["dates"][0]["uncertainty"] == f"{name}_uncertainty.tif"
    ndre = read(out / f"{name}_NDRE.tif", "NDRE")
    n, re1 = got["B08"][100, 20] * 1e-4, got["B05"][100, 20] * 1e-4
    assert ndre[100, 20] == pytest.approx((n - re1) / (n + re1), abs=1e-6)


def test_bad_index_name_is_one_line_before_any_search(earth_search, tmp_path, capfd):
    rc = series(earth_search.url, tmp_path / "series", "--index", "NDVI,FOO")
    line = one_line(capfd)
    assert rc == 2 and line == ("digisat: error: --index: unknown index 'FOO' (known: NDVI, NDRE, NDMI, NBR, NBR2, "
                                "NDWI, MNDWI, NDBI, EVI, SAVI)"), line
    assert not (tmp_path / "series").exists()


def test_an_index_needing_a_band_left_out_is_one_line(earth_search, tmp_path, capfd):
    rc = series(earth_search.url, tmp_path / "series", "--index", "NDMI", "--bands", "B02,B03,B04,B08")
    line = one_line(capfd)
    assert rc == 2 and line == "digisat: error: --index NDMI: needs band(s) B11, which --bands leaves out", line


def test_nothing_clear_is_one_line(earth_search, tmp_path, capfd):
    rc = main(["series", "--stac-url", earth_search.url, "--aoi", AOI, "--start", "2024-07-05", "--end", "2024-07-05",
               "--max-area-cloud", "10", "--out", str(tmp_path / "s"), "--quiet"])
    line = one_line(capfd)
    assert rc == 2 and line == ("digisat: error: every one of the 1 scenes has more than 10% cloud over the area "
                                "(--max-area-cloud)"), line


# -- the index table ----------------------------------------------------------------------------
def test_index_formulas_by_hand_and_no_data():
    refl = {"B02": np.array([0.05, 0.04, np.nan]), "B04": np.array([0.1, 0.0, 0.2]),
            "B08": np.array([0.3, 0.0, 0.4]), "B11": np.array([0.2, 0.1, 0.1])}
    np.testing.assert_allclose(indices.compute("NDVI", refl), [0.5, indices.NODATA, 1 / 3], rtol=1e-6)
    np.testing.assert_allclose(indices.compute("NDMI", refl), [0.2, -1.0, 0.6], rtol=1e-6)
    evi = 2.5 * (0.3 - 0.1) / (0.3 + 6 * 0.1 - 7.5 * 0.05 + 1)
    np.testing.assert_allclose(indices.compute("EVI", refl), [evi, 0.0, indices.NODATA], rtol=1e-6)
    np.testing.assert_allclose(indices.compute("SAVI", refl)[0], 1.5 * 0.2 / 0.9, rtol=1e-6)
    assert indices.parse_indices("ndvi, nbr,NDVI") == ["NDVI", "NBR"] and indices.parse_indices("") == []
    assert indices.bands_needed(["NDVI", "NBR"]) == ["B04", "B08", "B12"]
    with pytest.raises(InputError, match=r"^--index: unknown index 'XYZ'"):
        indices.parse_indices("XYZ")


def test_series_on_a_local_dask_cluster_goes_through_batch(earth_search, tiny_uncertainty_model, tmp_path, capsys):
    """--workers: the windows fetched first, super-resolved by core/batch.run_batch, cropped to the area's window;
    with --uncertainty each date's uncertainty layer too, cropped the same way."""
    single, dask = tmp_path / "single", tmp_path / "dask"
    assert series(earth_search.url, single, "--uncertainty", model=tiny_uncertainty_model) == 0
    capsys.readouterr()
    assert series(earth_search.url, dask, "--workers", "1", "--dashboard-address", ":0", "--uncertainty",
                  model=tiny_uncertainty_model) == 0
    stdout = capsys.readouterr().out
    assert "cluster: LocalCluster of 1 worker(s)" in stdout and "series: 2 dates done" in stdout
    assert sorted(os.listdir(dask)) == sorted(os.listdir(single))
    doc = json.loads((dask / "series.json").read_text())
    assert [e["date"] for e in doc["dates"]] == list(CLEAR)
    assert "(its whole fetched window, on Dask) and cropped to the area's window" in doc["dates"][0]["mosaic"]
    for date in CLEAR:
        a, b = gdal.Open(str(single / f"{date}_18SVG_enhanced.tif")), gdal.Open(str(dask / f"{date}_18SVG_enhanced.tif"))
        assert a.GetGeoTransform() == b.GetGeoTransform() and (a.RasterXSize, a.RasterYSize) == (b.RasterXSize,
                                                                                                 b.RasterYSize)
        have, want = read(b.GetDescription()), read(a.GetDescription())
        assert list(have) == list(want)
        for band in want:
            # the 10 m bands are copied; the others differ at most by the blur the engine estimates on the
            # whole fetched window (area + 240 m) instead of the area's window
            diff = np.abs(have[band].astype(int) - want[band].astype(int))
            if band in ("B02", "B03", "B04", "B08"):
                assert diff.max() == 0, band
            else:
                # measured here: mean 0.06-1.1 DN, at most 21 DN (0.0021 reflectance) in B8A, B11, B12
                assert diff.mean() <= 1.5 and diff.max() <= 30, (band, diff.max(), diff.mean())
        layer = dask / f"{date}_18SVG_uncertainty.tif"
        have = check_uncertainty_layer(layer, b.GetDescription())
        want = check_uncertainty_layer(single / f"{date}_18SVG_uncertainty.tif", a.GetDescription())
        # the same caveat (the blur measured on another window) allows a difference; measured here: at most 3e-5 DN
        np.testing.assert_allclose(have, want, rtol=0.05, atol=0.5, equal_nan=True)


def test_cancel_after_the_first_date_keeps_it_and_leaves_nothing_half_written(earth_search, tiny_uncertainty_model,
                                                                              tmp_path):
    from digisat_plugin.core.catalog import get_source
    from digisat_plugin.core.errors import Cancelled
    from digisat_plugin.core.io.aoi import parse_aoi
    from digisat_plugin.core.progress import Progress
    from digisat_plugin.core.series import run_series

    out = tmp_path / "series"
    lines = []
    stop = []  # cancelled as soon as the first date is reported done, while the second is being fetched

    def notify(line):
        lines.append(line)
        if line.startswith("done "):
            stop.append(True)

    with pytest.raises(Cancelled):
        run_series(get_source("stac", earth_search.url), parse_aoi(AOI), "2024-06-01", "2024-06-30", str(out),
                   max_cloud=30, bands=BANDS.split(","), indices=["NDVI"], progress=Progress(None, lambda: bool(stop)),
                   notify=notify, model_dir=tiny_uncertainty_model, device="cpu", uncertainty=True)
    assert [line.split(" (")[0] for line in lines] == ["done 2024-06-25"]
    assert sorted(os.listdir(out)) == sorted(["2024-06-25_18SVG_NDVI.tif", "2024-06-25_18SVG_enhanced.tif",
                                              "2024-06-25_18SVG_uncertainty.tif"] + INDEX_FILES)
    assert os.listdir(out / "items") == ["2024-06-25_18SVG.json"]
    doc = json.loads((out / "series.json").read_text())
    assert [(e["date"], e["status"]) for e in doc["dates"]] == [("2024-06-25", "done")]


def test_write_index_reads_each_bands_scale_and_offset_and_keeps_no_data(tmp_path):
    """An enhanced raster kept on the product's DN scale (--keep-dn-scale: offset -0.1): the index is
    computed on reflectance = DN x 0.0001 - 0.1; DN 0 (no data) in either band gives NODATA."""
    src = tmp_path / "enhanced.tif"
    ds = gdal.GetDriverByName("GTiff").Create(str(src), 3, 2, 2, gdal.GDT_UInt16)
    ds.SetGeoTransform((444000.0, 10.0, 0.0, 4170000.0, 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32618)
    ds.SetProjection(srs.ExportToWkt())
    red, nir = np.array([[2000, 1500, 0], [1100, 1200, 1300]]), np.array([[5000, 1500, 4000], [0, 4200, 3300]])
    for i, (name, dn) in enumerate((("B04", red), ("B08", nir)), start=1):
        band = ds.GetRasterBand(i)
        band.SetDescription(name)
        band.SetNoDataValue(0)
        band.SetScale(0.0001)
        band.SetOffset(-0.1)
        band.WriteArray(dn.astype(np.uint16))
    ds = None
    out = indices.write_index(str(src), "NDVI", str(tmp_path / "ndvi.tif"))
    assert sorted(os.listdir(tmp_path)) == ["enhanced.tif", "ndvi.tif"]
    got = gdal.Open(out)
    assert got.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE") == "COG"
    assert got.GetRasterBand(1).DataType == gdal.GDT_Float32 and got.GetRasterBand(1).GetDescription() == "NDVI"
    n, r = nir * 1e-4 - 0.1, red * 1e-4 - 0.1
    with np.errstate(divide="ignore", invalid="ignore"):
        want = np.where((nir > 0) & (red > 0), (n - r) / (n + r), indices.NODATA)
    np.testing.assert_allclose(got.GetRasterBand(1).ReadAsArray(), want, rtol=1e-6)
    assert want[0, 0] == pytest.approx((0.4 - 0.1) / (0.4 + 0.1))  # 0.6, not the 0.4286 of DN x 0.0001 alone
    with pytest.raises(InputError, match=r"^--index NBR: .*enhanced.tif has no band B12$"):
        indices.write_index(str(src), "NBR", str(tmp_path / "nbr.tif"))
    assert not (tmp_path / "nbr.tif").exists()


def test_uncertainty_layer_per_date_equals_superresolves(earth_search, tiny_uncertainty_model, tmp_path, capsys):
    """series --uncertainty: <date>_<tile>_uncertainty.tif beside each date's enhanced raster, equal to
    `superresolve --uncertainty` of the fetched window; listed in series.json and the STAC items; a
    rerun redoes a date whose layer is missing (the layer needs the engine's run) and skips the others."""
    out, keep = tmp_path / "series", tmp_path / "fetched"
    assert series(earth_search.url, out, "--uncertainty", model=tiny_uncertainty_model, workdir=keep) == 0
    assert "series: 2 dates done" in capsys.readouterr().out
    expected = sorted(f"{d}_18SVG_{what}.tif" for d in CLEAR for what in ("enhanced", "uncertainty"))
    assert sorted(os.listdir(out)) == sorted(expected + INDEX_FILES)
    doc = json.loads((out / "series.json").read_text())
    assert [e["uncertainty"] for e in doc["dates"]] == [f"{d}_18SVG_uncertainty.tif" for d in CLEAR]
    assert doc["query"]["uncertainty"] is True
    item = json.loads((out / "items" / f"{CLEAR[1]}_18SVG.json").read_text())
    assert item["assets"]["uncertainty"]["href"] == f"../{CLEAR[1]}_18SVG_uncertainty.tif"
    for date, item_id in zip(CLEAR, ("S2A_T18SVG_20240625T154721_L2A", "S2B_T18SVG_20240628T155719_L2A"), strict=True):
        ref, ref_unc = tmp_path / f"single_{date}.tif", tmp_path / f"single_{date}_unc.tif"
        single_run(keep / item_id, ref, tiny_uncertainty_model, uncertainty=ref_unc)
        check_uncertainty_layer(out / f"{date}_18SVG_uncertainty.tif", out / f"{date}_18SVG_enhanced.tif",
                                gdal.Open(str(ref_unc)).ReadAsArray())
    stamps = {name: os.stat(out / name).st_mtime_ns for name in expected}
    os.remove(out / f"{CLEAR[0]}_18SVG_uncertainty.tif")
    assert series(earth_search.url, out, "--uncertainty", model=tiny_uncertainty_model) == 0
    assert "series: 1 dates done, 1 skipped" in capsys.readouterr().out
    assert sorted(os.listdir(out)) == sorted(expected + INDEX_FILES)
    now = {name: os.stat(out / name).st_mtime_ns for name in expected}
    assert sorted(n for n in expected if now[n] != stamps[n]) == [f"{CLEAR[0]}_18SVG_enhanced.tif",
                                                                 f"{CLEAR[0]}_18SVG_uncertainty.tif"]
