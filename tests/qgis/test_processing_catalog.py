"""`digisat:search`, `digisat:fetch` and a search -> fetch -> super-resolve model, on loopback catalogue servers."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from osgeo import gdal

from tests.catalog_checks import check_uncertainty_layer
from tests.servers.stac_server import SCENES

from .processing_fixtures import RecordingFeedback, auth_config, digisat_provider  # noqa: F401

# 1020 m on the Virginia tile (EPSG:32618), on its 60 m grid: 102 x 102 pixels at 10 m
XMIN, YMIN, XMAX, YMAX = 444000.0, 4177800.0, 445020.0, 4178820.0
EXTENT = f"{XMIN},{XMAX},{YMIN},{YMAX} [EPSG:32618]"
JULY = {"START": "2024-06-01", "END": "2024-07-10"}
ALL_BANDS = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"]


def run_alg(name, params, feedback=None):
    import processing

    return processing.run(f"digisat:{name}", params, feedback=feedback)


def served_window(stac_cogs, band, path):
    """The DN the server holds under the raster at `path` (same grid, any window)."""
    ds = gdal.Open(str(path))
    gt, sgt = ds.GetGeoTransform(), stac_cogs["geotransform"]
    ratio = round(gt[1] / 10)
    col = round((gt[0] - sgt[0]) / gt[1])
    row = round((gt[3] - sgt[3]) / gt[5])
    full = stac_cogs["dn"][band]
    assert ratio in (1, 2, 6)
    return full[row:row + ds.RasterYSize, col:col + ds.RasterXSize]


def search(stac_server, **extra):
    params = dict(JULY, EXTENT=EXTENT, MAX_CLOUD=50, SOURCE=0, URL=stac_server, LEVEL=0, OUTPUT="memory:scenes")
    params.update(extra)
    return run_alg("search", params)


def test_search_writes_footprints_and_attributes(digisat_provider, stac_server, stac_cogs):  # noqa: F811
    from qgis.core import QgsGeometry, QgsRectangle, QgsWkbTypes

    result = search(stac_server)
    layer = result["OUTPUT"]
    assert result["COUNT"] == 3
    assert layer.crs().authid() == "EPSG:4326"
    assert QgsWkbTypes.geometryType(layer.wkbType()) == QgsWkbTypes.PolygonGeometry
    features = list(layer.getFeatures())
    # newest first, cloud cover <= 50 %, every attribute from the STAC items
    assert [f["id"] for f in features] == [
        "S2A_18SVG_20240705_0_L2A", "S2B_18SVG_20240628_0_L2A", "S2A_18SVG_20240625_0_L2A"]
    assert [f["date"].toString("yyyy-MM-dd") for f in features] == ["2024-07-05", "2024-06-28", "2024-06-25"]
    assert [f["cloud_cover"] for f in features] == [12.25, 3.5, 4.0]
    # measured over the extent from each scene's SCL window: this extent is clear in all of them (the
    # 12.25 % scene's cloud, tests/servers/stac_server.py CLOUD_BOX, lies 8 km south of it)
    assert [f["area_cloud"] for f in features] == [0.0, 0.0, 0.0]
    assert {f["tile"] for f in features} == {"18SVG"}
    assert {f["level"] for f in features} == {"L2A"} and {f["source"] for f in features} == {"stac"}
    assert features[0]["thumbnail"].endswith("/data/thumb.jpg")
    west, south, east, north = stac_cogs["bbox"]
    footprint = features[0].geometry().boundingBox()
    assert footprint.toRectF().getCoords() == pytest.approx((west, south, east, north), abs=1e-9)
    assert features[0].geometry().intersects(QgsGeometry.fromRect(QgsRectangle(west, south, east, north)))
    record = json.loads(features[0]["scene"])
    assert record["id"] == features[0]["id"] and "B04" in record["assets"]


def test_search_collection_parameter(digisat_provider, stac_fake):  # noqa: F811
    assert search(stac_fake.url, COLLECTION="sentinel-2-l2a")["COUNT"] == 0  # the loopback API serves c1 only
    assert stac_fake.state["searches"][-1]["collections"] == ["sentinel-2-l2a"]


def test_search_cloud_and_dates_filter(digisat_provider, stac_server):  # noqa: F811
    result = search(stac_server, MAX_CLOUD=3.9)
    assert [f["id"] for f in result["OUTPUT"].getFeatures()] == ["S2B_18SVG_20240628_0_L2A"]
    result = search(stac_server, START="2024-07-06", END="2024-07-31", MAX_CLOUD=100)
    assert [f["id"] for f in result["OUTPUT"].getFeatures()] == ["S2B_18SVG_20240708_0_L2A"]


def test_search_errors_are_one_line(digisat_provider, stac_server):  # noqa: F811
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="START: 2024-07-10 is after END 2024-06-01"):
        search(stac_server, START="2024-07-10", END="2024-06-01")
    dead = "http://127.0.0.1:9"  # discard port: nothing listens there
    with pytest.raises(QgsProcessingException) as raised:
        search(dead)
    assert "127.0.0.1:9" in str(raised.value) and "\n" not in str(raised.value)


def test_fetch_from_search_layer_reads_the_window(digisat_provider, stac_server, stac_fake, stac_cogs, tmp_path):  # noqa: F811
    scenes = search(stac_server)["OUTPUT"]
    result = run_alg("fetch", {"SCENES": scenes, "SCENE_ID": "S2B_18SVG_20240628_0_L2A", "EXTENT": EXTENT,
                               "BANDS": [0, 1], "SOURCE": 0, "URL": stac_server, "OUTPUT": str(tmp_path / "dl")})
    product = result["PRODUCT"]
    assert result["FETCHED_ID"] == "S2B_18SVG_20240628_0_L2A"
    assert os.path.dirname(product) == str(tmp_path / "dl")
    assert sorted(f[:-4] for f in os.listdir(product) if f.endswith(".tif")) == sorted(ALL_BANDS)
    for band in ("B04", "B05", "B09"):
        fetched = gdal.Open(os.path.join(product, f"{band}.tif")).ReadAsArray()
        np.testing.assert_array_equal(fetched, served_window(stac_cogs, band, os.path.join(product, f"{band}.tif")))
    b04 = gdal.Open(os.path.join(product, "B04.tif"))
    gt = b04.GetGeoTransform()
    assert gt[0] <= XMIN and gt[3] >= YMAX  # the window covers the extent (plus the networks' margin)
    assert gt[0] + gt[1] * b04.RasterXSize >= XMAX and gt[3] + gt[5] * b04.RasterYSize <= YMIN
    # only windows were read, never whole COGs
    assert stac_fake.bytes_sent < sum(os.path.getsize(p) for p in stac_cogs["files"].values()) / 4


def test_fetch_needs_a_scene(digisat_provider, stac_server, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException

    scenes = search(stac_server)["OUTPUT"]
    with pytest.raises(QgsProcessingException, match="SCENE_ID: nope is not in the SCENES layer"):
        run_alg("fetch", {"SCENES": scenes, "SCENE_ID": "nope", "SOURCE": 0, "URL": stac_server,
                          "OUTPUT": str(tmp_path / "dl")})
    with pytest.raises(QgsProcessingException, match="SCENES or SCENE_ID: give the layer"):
        run_alg("fetch", {"SOURCE": 0, "URL": stac_server, "OUTPUT": str(tmp_path / "dl")})
    with pytest.raises(QgsProcessingException, match="EXTENT: needed to look S2A_18SVG_20240705_0_L2A up"):
        run_alg("fetch", {"SCENE_ID": "S2A_18SVG_20240705_0_L2A", "SOURCE": 0, "URL": stac_server,
                          "OUTPUT": str(tmp_path / "dl")})
    with pytest.raises(QgsProcessingException, match="S2A_18SVG_20240704_0_L2A: no such L2A scene over the area"):
        run_alg("fetch", {"SCENE_ID": "S2A_18SVG_20240704_0_L2A", "EXTENT": EXTENT, "SOURCE": 0,
                          "URL": stac_server, "OUTPUT": str(tmp_path / "dl")})
    assert not (tmp_path / "dl").exists()


def test_fetch_by_scene_id_alone(digisat_provider, stac_server, stac_cogs, tmp_path):  # noqa: F811
    result = run_alg("fetch", {"SCENE_ID": "S2A_18SVG_20240705_0_L2A", "EXTENT": EXTENT, "BANDS": [1],
                               "SOURCE": 0, "URL": stac_server, "OUTPUT": str(tmp_path / "dl")})
    assert result["FETCHED_ID"] == "S2A_18SVG_20240705_0_L2A"
    # a 60 m output needs the 20 m bands as network inputs too
    assert sorted(os.listdir(result["PRODUCT"])) == sorted([f"{b}.tif" for b in ALL_BANDS] + ["radiometry.json",
                                                                                             "scene.json"])
    b09 = os.path.join(result["PRODUCT"], "B09.tif")
    np.testing.assert_array_equal(gdal.Open(b09).ReadAsArray(), served_window(stac_cogs, "B09", b09))


def test_unknown_auth_config_is_refused(digisat_provider, stac_server):  # noqa: F811
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="AUTH: authentication configuration 'zzzzzzz' not found"):
        search(stac_server, AUTH="zzzzzzz")


def test_model_search_fetch_superresolve(digisat_provider, stac_server, stac_cogs, tiny_sr_model, tmp_path):  # noqa: F811
    """A graphical model built in code, as a user would draw it in the modeler."""
    import processing
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterExtent,
        QgsProcessingParameterString,
    )

    model_input, child_output, static = (QgsProcessingModelChildParameterSource.fromModelParameter,
                                         QgsProcessingModelChildParameterSource.fromChildOutput,
                                         QgsProcessingModelChildParameterSource.fromStaticValue)
    model = QgsProcessingModelAlgorithm("latest_enhanced", "digisat tests")
    model.addModelParameter(QgsProcessingParameterExtent("area", "Area"), QgsProcessingModelParameter("area"))
    model.addModelParameter(QgsProcessingParameterString("stac", "STAC URL"), QgsProcessingModelParameter("stac"))

    def child(alg_id, child_id, sources):
        c = QgsProcessingModelChildAlgorithm(alg_id)
        c.setChildId(child_id)
        for name, source in sources.items():
            c.addParameterSources(name, [source])
        return c

    search_child = child("digisat:search", "search", {
        "EXTENT": model_input("area"), "URL": model_input("stac"), "SOURCE": static(0), "LEVEL": static(0),
        "START": static(JULY["START"]), "END": static(JULY["END"]), "MAX_CLOUD": static(5.0)})
    fetch_child = child("digisat:fetch", "fetch", {
        "SCENES": child_output("search", "OUTPUT"), "EXTENT": model_input("area"), "URL": model_input("stac"),
        "SOURCE": static(0), "BANDS": static([0, 1])})
    sr_child = child("digisat:superresolve", "superresolve", {
        "INPUT": child_output("fetch", "PRODUCT"), "EXTENT": model_input("area"), "BANDS": static([0, 1]),
        "MODEL_DIR": static(str(tiny_sr_model)), "DEVICE": static(1)})
    enhanced = QgsProcessingModelOutput("enhanced", "Enhanced")
    enhanced.setChildId("superresolve")
    enhanced.setChildOutputName("OUTPUT")
    sr_child.setModelOutputs({"enhanced": enhanced})
    for c in (search_child, fetch_child, sr_child):
        model.addChildAlgorithm(c)
    model.updateDestinationParameters()
    assert model.dependsOnChildAlgorithms("superresolve") == {"search", "fetch"}

    # saved as the modeler saves it and loaded back
    saved = tmp_path / "latest_enhanced.model3"
    assert model.toFile(str(saved))
    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(str(saved))
    assert [c.algorithmId() for c in sorted(model.childAlgorithms().values(), key=lambda c: c.childId())] == [
        "digisat:fetch", "digisat:search", "digisat:superresolve"]

    # the model's own name for its output: "superresolve:enhanced" up to QGIS 3.22, "enhanced" on 3.40
    (destination,) = [p.name() for p in model.destinationParameterDefinitions()]
    assert destination in {"superresolve:enhanced", "enhanced"}
    out = tmp_path / "model.tif"
    feedback = RecordingFeedback()
    result = processing.run(model, {"area": EXTENT, "stac": stac_server, destination: str(out)}, feedback=feedback)
    assert result[destination] == str(out)
    ds = gdal.Open(str(out))
    names = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
    assert names == ALL_BANDS
    assert ds.GetGeoTransform() == pytest.approx((XMIN, 10.0, 0.0, YMAX, 0.0, -10.0))
    assert (ds.RasterXSize, ds.RasterYSize) == (102, 102)
    # the newest scene under 5 % cloud was fetched; its 10 m bands pass through, harmonised (the
    # default: the served DN minus the c1 offset of 1000)
    assert any("S2B_18SVG_20240628_0_L2A" in t for t in feedback.texts)
    served = served_window(stac_cogs, "B08", out).astype(int)
    np.testing.assert_array_equal(ds.GetRasterBand(names.index("B08") + 1).ReadAsArray(),
                                  np.where(served > 0, served - 1000, 0))


def test_enhance_area_picks_the_clearest_recent_scene(digisat_provider, stac_server, stac_cogs, tiny_sr_model,  # noqa: F811
                                                      tmp_path):
    out, keep = tmp_path / "enhanced.tif", tmp_path / "keep"
    keep.mkdir()
    result = run_alg("enhance_area", dict(
        JULY, EXTENT=EXTENT, MAX_CLOUD=50, SOURCE=0, URL=stac_server, LEVEL=0, BANDS=[0], WORKDIR=str(keep),
        MODEL_DIR=str(tiny_sr_model), DEVICE=1, OUTPUT=str(out), ORIGINAL=str(tmp_path / "original.tif")))
    # judged by the cloud over the extent (SCL): every scene is clear there (the 12.25 % scene's cloud is
    # elsewhere, tests/servers/stac_server.CLOUD_BOX), so the newest is picked, not the clearest tile
    assert result["SCENE_ID"] == "S2A_18SVG_20240705_0_L2A"
    assert result["SCENE_DATE"] == "2024-07-05" and result["CLOUD_COVER"] == 12.25 and result["AREA_CLOUD"] == 0.0
    expected = ["B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12"]
    assert result["BAND_NAMES"].split(",") == expected
    ds = gdal.Open(str(out))
    assert [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)] == expected
    assert ds.GetGeoTransform() == pytest.approx((XMIN, 10.0, 0.0, YMAX, 0.0, -10.0))
    # harmonised (the default): the served DN minus the c1 offset of 1000, scale 0.0001 on every band
    served = served_window(stac_cogs, "B02", out).astype(int)
    np.testing.assert_array_equal(ds.GetRasterBand(1).ReadAsArray(), np.where(served > 0, served - 1000, 0))
    assert {(ds.GetRasterBand(i + 1).GetScale(), ds.GetRasterBand(i + 1).GetOffset())
            for i in range(ds.RasterCount)} == {(0.0001, 0.0)}
    # the companion holds the fetched bands on the same scale, each 20 m pixel repeated 2 x 2
    original = gdal.Open(result["ORIGINAL"])
    sgt = stac_cogs["geotransform"]
    col, row = round((XMIN - sgt[0]) / 20), round((sgt[3] - YMAX) / 20)
    b05 = stac_cogs["dn"]["B05"][row:row + 51, col:col + 51].astype(int)
    b05 = np.where(b05 > 0, b05 - 1000, 0)
    np.testing.assert_array_equal(original.GetRasterBand(expected.index("B05") + 1).ReadAsArray(),
                                  np.repeat(np.repeat(b05, 2, 0), 2, 1))
    assert os.listdir(keep) == ["S2A_18SVG_20240705_0_L2A"]
    # without an Uncertainty destination no layer is written (the optional output is off by default)
    assert "UNCERTAINTY" not in result
    assert sorted(os.listdir(tmp_path)) == ["enhanced.tif", "keep", "original.tif"]


def test_enhance_area_writes_the_uncertainty_layer_superresolve_writes(digisat_provider, stac_server,  # noqa: F811
                                                                       tiny_uncertainty_model, clean_project,
                                                                       layer_tree_iface, tmp_path):
    """The optional output Uncertainty, as digisat:superresolve's: on the output's grid, its bands, float32, 0
    on the 10 m bands, equal to superresolve's layer of the fetched scene; loaded on its ramp."""
    import processing
    from qgis.core import QgsApplication, QgsSingleBandPseudoColorRenderer

    out, unc, keep = tmp_path / "area_enhanced.tif", tmp_path / "area_uncertainty.tif", tmp_path / "keep"
    keep.mkdir()
    alg = QgsApplication.processingRegistry().algorithmById("digisat:enhance_area")
    assert [p.name() for p in alg.destinationParameterDefinitions()] == ["OUTPUT", "ORIGINAL", "UNCERTAINTY"]
    assert "<b>Uncertainty</b>: optional float32 GeoTIFF" in alg.shortHelpString()
    result = processing.runAndLoadResults("digisat:enhance_area", dict(
        JULY, EXTENT=EXTENT, MAX_CLOUD=50, SOURCE=0, URL=stac_server, LEVEL=0, BANDS=[0], WORKDIR=str(keep),
        MODEL_DIR=tiny_uncertainty_model, DEVICE=1, OUTPUT=str(out), UNCERTAINTY=str(unc)))
    assert result["UNCERTAINTY"] == str(unc) and result["SCENE_ID"] == "S2A_18SVG_20240705_0_L2A"
    values = check_uncertainty_layer(unc, out)
    names = result["BAND_NAMES"].split(",")
    assert names == ["B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12"]
    loaded = [lyr for lyr in clean_project.mapLayers().values() if lyr.source() == str(unc)]
    assert len(loaded) == 1 and isinstance(loaded[0].renderer(), QgsSingleBandPseudoColorRenderer)
    assert loaded[0].renderer().band() == names.index("B05") + 1
    # named beside the enhanced layer as the dock names it, and not shown (it would cover the result)
    enhanced = [lyr for lyr in clean_project.mapLayers().values() if lyr.source() == str(out)]
    assert len(enhanced) == 1 and enhanced[0].name().startswith("2024-07-05 18SVG enhanced [")
    assert loaded[0].name() == enhanced[0].name().replace(" enhanced ", " uncertainty ")
    root = clean_project.layerTreeRoot()
    assert not root.findLayer(loaded[0].id()).itemVisibilityChecked()
    assert root.findLayer(enhanced[0].id()).itemVisibilityChecked()
    # the same layer as digisat:superresolve's of the scene enhance_area fetched, over the same extent
    ref_out, ref_unc = tmp_path / "ref_enhanced.tif", tmp_path / "ref_uncertainty.tif"
    run_alg("superresolve", {"INPUT": str(keep / "S2A_18SVG_20240705_0_L2A"), "EXTENT": EXTENT, "BANDS": [0],
                             "MODEL_DIR": tiny_uncertainty_model, "DEVICE": 1, "OUTPUT": str(ref_out),
                             "UNCERTAINTY": str(ref_unc)})
    np.testing.assert_array_equal(values, gdal.Open(str(ref_unc)).ReadAsArray())


def test_enhance_area_uncertainty_without_calibration_is_one_line_before_the_search(
        digisat_provider, stac_fake, tiny_sr_model, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match=r"^--uncertainty: .*uncertainty\.json: no uncertainty calibration"):
        run_alg("enhance_area", dict(JULY, EXTENT=EXTENT, MAX_CLOUD=50, SOURCE=0, URL=stac_fake.url,
                                     MODEL_DIR=tiny_sr_model, OUTPUT=str(tmp_path / "e.tif"),
                                     UNCERTAINTY=str(tmp_path / "u.tif")))
    assert stac_fake.requests == [] and os.listdir(tmp_path) == []


def test_enhance_area_nothing_found_is_a_one_line_error(digisat_provider, stac_server, tiny_sr_model, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="no L2A scene with at most 1% cloud cover") as raised:
        run_alg("enhance_area", dict(JULY, EXTENT=EXTENT, MAX_CLOUD=1, SOURCE=0, URL=stac_server,
                                     MODEL_DIR=str(tiny_sr_model), OUTPUT=str(tmp_path / "x.tif")))
    assert "\n" not in str(raised.value)
    assert not list(tmp_path.iterdir())


def test_enhance_area_max_area_cloud_drops_scenes_cloudy_over_the_extent(digisat_provider, stac_fake,  # noqa: F811
                                                                         tiny_sr_model, tmp_path):
    from qgis.core import QgsApplication, QgsProcessingException

    alg = QgsApplication.processingRegistry().algorithmById("digisat:enhance_area")
    assert alg.parameterDefinition("MAX_AREA_CLOUD").defaultValue() == 100  # keep all
    # every scene's scene classification is cloudy over this 2 km extent (tests/servers/stac_server.CLOUD_BOX)
    stac_fake.state["scl"] = {item_id: "SCL_cloudy" for item_id, _dt, _cloud in stac_fake.state.get("scenes", SCENES)}
    cloudy_extent = "444410,446410,4168730,4170730 [EPSG:32618]"
    with pytest.raises(QgsProcessingException, match=r"every one of the 3 scenes has more than 20% cloud over the "
                                                     r"area \(the maximum asked; clearest 100\.0%\)") as raised:
        run_alg("enhance_area", dict(JULY, EXTENT=cloudy_extent, MAX_CLOUD=50, MAX_AREA_CLOUD=20, SOURCE=0,
                                     URL=stac_fake.url, MODEL_DIR=str(tiny_sr_model), OUTPUT=str(tmp_path / "x.tif")))
    assert "\n" not in str(raised.value)
    assert not list(tmp_path.iterdir())


# inside the 600 x 600 px SAFE product the Data Space and DHuS fakes serve (x 441780-447780, y 4167420-4173420)
SAFE_EXTENT = "443000,445000,4169000,4171000 [EPSG:32618]"


def test_data_space_credentials_come_from_the_auth_manager(digisat_provider, cdse_fake, safe_product, auth_config,  # noqa: F811
                                                           tmp_path):
    from digisat_plugin.core.io.product import open_product
    from tests.servers.fixtures import CDSE_PASSWORD, CDSE_USER

    authcfg = auth_config(CDSE_USER, CDSE_PASSWORD)
    feedback = RecordingFeedback()
    scenes = run_alg("search", {"EXTENT": SAFE_EXTENT, "START": "2024-07-01", "END": "2024-07-10", "MAX_CLOUD": 30,
                                "SOURCE": 1, "URL": cdse_fake.url, "AUTH": authcfg, "OUTPUT": "memory:"},
                     feedback)["OUTPUT"]
    assert [(f["id"], f["source"], f["cloud_cover"]) for f in scenes.getFeatures()] == [(safe_product.name, "cdse", 8.5)]
    result = run_alg("fetch", {"SCENES": scenes, "EXTENT": SAFE_EXTENT, "BANDS": [0], "SOURCE": 1,
                               "URL": cdse_fake.url, "AUTH": authcfg, "OUTPUT": str(tmp_path / "dl")}, feedback)
    assert result["PRODUCT"] == str(tmp_path / "dl" / (safe_product.name + ".SAFE"))
    product = open_product(result["PRODUCT"])
    assert product.band_names == ["B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12"]
    np.testing.assert_array_equal(product.bands["B04"].dataset().ReadAsArray(), safe_product.dn["B04"])
    # the token obtained with the stored password was sent with every download
    assert cdse_fake.download_server.requests
    assert all(r[2].get("Authorization", "").startswith("Bearer ") for r in cdse_fake.download_server.requests)
    assert any(f"as {CDSE_USER}" in t for t in feedback.texts)
    assert not any(CDSE_PASSWORD in t for t in feedback.texts)


def test_refused_password_is_a_one_line_error(digisat_provider, cdse_fake, auth_config, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException

    from tests.servers.fixtures import CDSE_USER

    scenes = run_alg("search", {"EXTENT": SAFE_EXTENT, "START": "2024-07-01", "END": "2024-07-10",
                                "SOURCE": 1, "URL": cdse_fake.url, "OUTPUT": "memory:"})["OUTPUT"]
    feedback = RecordingFeedback()
    with pytest.raises(QgsProcessingException, match="user name or password refused by Copernicus Data Space") as raised:
        run_alg("fetch", {"SCENES": scenes, "EXTENT": SAFE_EXTENT, "SOURCE": 1, "URL": cdse_fake.url,
                          "AUTH": auth_config(CDSE_USER, "not-the-password"), "OUTPUT": str(tmp_path / "dl")}, feedback)
    assert "\n" not in str(raised.value)
    assert not any("not-the-password" in t for t in feedback.texts)
    assert not [p for p in (tmp_path / "dl").rglob("*") if p.is_file()]


def test_dhus_search_needs_and_uses_an_account(digisat_provider, dhus_fake, safe_product, auth_config):  # noqa: F811
    from qgis.core import QgsProcessingException

    from tests.servers.fixtures import DHUS_PASSWORD, DHUS_USER

    params = {"EXTENT": SAFE_EXTENT, "START": "2024-06-01", "END": "2024-07-31", "MAX_CLOUD": 100, "SOURCE": 2,
              "URL": dhus_fake.url + "/", "OUTPUT": "memory:"}
    with pytest.raises(QgsProcessingException, match="DHuS hub needs an account"):
        run_alg("search", params)
    layer = run_alg("search", dict(params, AUTH=auth_config(DHUS_USER, DHUS_PASSWORD)))["OUTPUT"]
    features = list(layer.getFeatures())
    assert [f["date"].toString("yyyy-MM-dd") for f in features] == ["2024-07-05", "2024-06-28"]
    assert features[0]["id"] == safe_product.name and features[0]["source"] == "dhus"
    assert features[0]["size"] > 0 and features[0].geometry().area() > 0


def test_cancel_during_fetch_leaves_nothing(digisat_provider, stac_server, tiny_sr_model, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    keep = tmp_path / "keep"
    keep.mkdir()
    feedback = QgsProcessingFeedback()
    seen = []

    def cancel_mid_fetch(percent):
        seen.append(percent)
        if percent > 5:  # the fetch runs from 3 % to 45 % of enhance_area
            feedback.cancel()

    feedback.progressChanged.connect(cancel_mid_fetch)
    with pytest.raises(QgsProcessingException, match="cancelled"):
        run_alg("enhance_area", dict(JULY, EXTENT=EXTENT, MAX_CLOUD=50, SOURCE=0, URL=stac_server, WORKDIR=str(keep),
                                     MODEL_DIR=tiny_sr_model, OUTPUT=str(tmp_path / "out.tif")), feedback)
    assert max(seen) < 45
    assert not (tmp_path / "out.tif").exists()
    assert not list(keep.iterdir())  # the partial band folder was removed
