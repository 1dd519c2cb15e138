"""`digisat:superresolve` through Processing: outputs, grid, band names, errors, cancel, batch, CLI parity."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from osgeo import gdal

from tests.conftest import REPO, SAMPLE

from .processing_fixtures import digisat_provider  # noqa: F401

# A 1020 m square on the sample (EPSG:32618), already on the 60 m grid: 102 x 102 pixels at 10 m,
# starting 42 columns and 60 rows into the 600 x 600 sample.
XMIN, YMIN, XMAX, YMAX = 444000.0, 4177800.0, 445020.0, 4178820.0
EXTENT = f"{XMIN},{XMAX},{YMIN},{YMAX} [EPSG:32618]"
COL0, ROW0, SIZE = 42, 60, 102
DEFAULT_BANDS = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"]


def run_alg(name, params, feedback=None):
    import processing

    return processing.run(f"digisat:{name}", params, feedback=feedback)


def read_all(path):
    ds = gdal.Open(str(path))
    names = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
    return ds, names, ds.ReadAsArray()


def sample_window(band, ratio):
    ds = gdal.Open(str(SAMPLE / f"{band}.tif"))
    return ds.ReadAsArray(COL0 // ratio, ROW0 // ratio, SIZE // ratio, SIZE // ratio)


def test_provider_lists_its_algorithms(digisat_provider):  # noqa: F811
    from qgis.core import QgsApplication, QgsProcessingParameters

    algorithms = {alg.id(): alg for alg in digisat_provider.algorithms()}
    assert sorted(algorithms) == ["digisat:enhance_area", "digisat:enhance_series", "digisat:evaluate",
                                  "digisat:fetch", "digisat:mask_uncertain", "digisat:search",
                                  "digisat:superresolve"]
    for alg in algorithms.values():
        assert alg.group() == "Sentinel-2" and len(alg.shortHelpString()) > 200
        assert alg.helpUrl() == "https://github.com/digisat/digisat#processing-toolbox"  # the dialog's Help button
        # every parameter survives the round trip a saved model (.model3) makes
        for param in alg.parameterDefinitions():
            again = QgsProcessingParameters.parameterFromVariantMap(param.toVariantMap())
            assert (again.name(), again.type(), again.defaultValue()) == (param.name(), param.type(),
                                                                          param.defaultValue())
    assert digisat_provider.svgIconPath().endswith("resources/icons/digisat.svg")
    assert not digisat_provider.icon().isNull()
    assert digisat_provider.supportedOutputRasterLayerExtensions() == ["tif"]
    alg = QgsApplication.processingRegistry().algorithmById("digisat:superresolve")
    assert "10 m" in alg.shortHelpString()
    assert [p.name() for p in alg.destinationParameterDefinitions()] == ["OUTPUT", "ORIGINAL", "UNCERTAINTY"]


def test_superresolve_writes_every_band_at_10m(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    out, orig = tmp_path / "enhanced.tif", tmp_path / "original.tif"
    result = run_alg("superresolve", {
        "INPUT": str(SAMPLE), "EXTENT": EXTENT, "BANDS": [0, 1], "MODEL_DIR": str(tiny_sr_model),
        "DEVICE": 1, "OUTPUT": str(out), "ORIGINAL": str(orig),
    })
    assert result["OUTPUT"] == str(out) and result["ORIGINAL"] == str(orig)
    assert result["BAND_NAMES"].split(",") == DEFAULT_BANDS
    assert (result["WIDTH"], result["HEIGHT"]) == (SIZE, SIZE)
    assert result["PRODUCT_ID"]

    ds, names, data = read_all(out)
    assert names == DEFAULT_BANDS
    assert (ds.RasterXSize, ds.RasterYSize) == (SIZE, SIZE)
    assert ds.GetGeoTransform() == pytest.approx((XMIN, 10.0, 0.0, YMAX, 0.0, -10.0))
    assert ds.GetSpatialRef().GetAuthorityCode(None) == "32618"
    assert data.dtype == np.uint16
    # the 10 m bands are copied as delivered; the others are network output, valid (non-zero) DN
    np.testing.assert_array_equal(data[names.index("B04")], sample_window("B04", 1))
    assert (data[names.index("B05")] > 0).all() and (data[names.index("B09")] > 0).all()

    _ds, orig_names, orig_data = read_all(orig)
    assert orig_names == DEFAULT_BANDS
    b05 = sample_window("B05", 2)
    np.testing.assert_array_equal(orig_data[orig_names.index("B05")], np.repeat(np.repeat(b05, 2, 0), 2, 1))
    assert not [f for f in os.listdir(tmp_path) if ".part" in f]


def test_superresolve_b10_only_when_asked_and_extent_in_another_crs(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    from osgeo import osr

    # the same square given in WGS 84: the engine widens it to whole 60 m pixels on the UTM grid
    utm, wgs = osr.SpatialReference(), osr.SpatialReference()
    utm.ImportFromEPSG(32618)
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    to_wgs = osr.CoordinateTransformation(utm, wgs)
    (x0, y0, _), (x1, y1, _) = to_wgs.TransformPoint(XMIN + 200, YMIN + 200), to_wgs.TransformPoint(XMAX - 200, YMAX - 200)
    out = tmp_path / "b10.tif"
    result = run_alg("superresolve", {
        "INPUT": str(SAMPLE / "B02.tif"),  # a band folder picked by one of its rasters
        "EXTENT": f"{x0},{x1},{y0},{y1} [EPSG:4326]", "BANDS": [1, 2], "MODEL_DIR": str(tiny_sr_model),
        "OUTPUT": str(out),
    })
    assert result["BAND_NAMES"].split(",") == ["B01", "B02", "B03", "B04", "B08", "B09", "B10"]
    ds, names, _data = read_all(out)
    assert names == ["B01", "B02", "B03", "B04", "B08", "B09", "B10"]
    gt = ds.GetGeoTransform()
    # widened outward to the 60 m grid of the sample, inside the original square
    assert (gt[0] - 443580) % 60 == 0 and (4179420 - gt[3]) % 60 == 0
    assert XMIN <= gt[0] <= XMIN + 200 and YMAX - 200 <= gt[3] <= YMAX
    assert 600 / 10 <= ds.RasterXSize <= SIZE


def test_bad_input_raises_the_cli_message(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException

    empty = tmp_path / "empty"
    empty.mkdir()
    cli = subprocess.run(
        [sys.executable, "-m", "digisat_plugin", "superresolve", str(empty), str(tmp_path / "cli.tif"), "--quiet"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert cli.returncode == 2
    message = cli.stderr.strip().splitlines()[-1].removeprefix("digisat: error: ")
    with pytest.raises(QgsProcessingException) as raised:
        run_alg("superresolve", {"INPUT": str(empty), "MODEL_DIR": str(tiny_sr_model),
                                 "OUTPUT": str(tmp_path / "qgis.tif")})
    assert str(raised.value) == message
    assert str(empty) in message
    assert not list(tmp_path.glob("*.tif"))


def test_extent_outside_the_product_is_a_one_line_error(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="outside the data of"):
        run_alg("superresolve", {"INPUT": str(SAMPLE), "EXTENT": "0,1000,0,1000 [EPSG:32618]",
                                 "MODEL_DIR": str(tiny_sr_model), "OUTPUT": str(tmp_path / "x.tif")})
    assert not list(tmp_path.iterdir())


def test_cancel_leaves_no_output(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    progress = []

    def cancel_once_started(percent):
        progress.append(percent)
        if percent > 0:
            feedback.cancel()

    feedback.progressChanged.connect(cancel_once_started)
    with pytest.raises(QgsProcessingException, match="cancelled"):
        run_alg("superresolve", {"INPUT": str(SAMPLE), "EXTENT": EXTENT, "MODEL_DIR": str(tiny_sr_model),
                                 "OUTPUT": str(tmp_path / "cancelled.tif")}, feedback=feedback)
    assert progress and max(progress) < 100
    assert not list(tmp_path.iterdir())


def test_batch_over_two_inputs(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    """What the batch dialog does: one run per row, each with its own parameters."""
    from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback

    copy = tmp_path / "copy"
    copy.mkdir()
    for band in ("B02", "B03", "B04", "B08", "B05", "B06", "B07", "B8A", "B11", "B12", "B01", "B09"):
        gdal.Translate(str(copy / f"{band}.tif"), str(SAMPLE / f"{band}.tif"))
    rows = [
        {"INPUT": str(SAMPLE), "EXTENT": EXTENT, "BANDS": [0], "OUTPUT": "TEMPORARY_OUTPUT"},
        {"INPUT": str(copy), "EXTENT": EXTENT, "BANDS": [0, 1], "OUTPUT": str(tmp_path / "two.tif")},
    ]
    alg = QgsApplication.processingRegistry().createAlgorithmById("digisat:superresolve")
    outputs = []
    for row in rows:
        params = dict(row, MODEL_DIR=str(tiny_sr_model))
        ok, _msg = alg.checkParameterValues(params, QgsProcessingContext())
        assert ok
        results, ok = alg.run(params, QgsProcessingContext(), QgsProcessingFeedback())
        assert ok
        outputs.append(results["OUTPUT"])
    assert outputs[0].endswith(".tif") and os.path.isfile(outputs[0])  # a temporary output is a GeoTIFF too
    assert outputs[1] == str(tmp_path / "two.tif")
    _ds, names_one, one = read_all(outputs[0])
    _ds, names_two, two = read_all(outputs[1])
    assert names_one == ["B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12"]
    assert names_two == DEFAULT_BANDS
    # same pixels in, same network: the shared bands agree
    for band in names_one:
        np.testing.assert_array_equal(one[names_one.index(band)], two[names_two.index(band)])


def test_processing_and_cli_give_identical_rasters(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    cli_out, qgis_out = tmp_path / "cli.tif", tmp_path / "qgis.tif"
    cli = subprocess.run(
        [sys.executable, "-m", "digisat_plugin", "superresolve", str(SAMPLE), str(cli_out),
         "--aoi", f"{XMIN},{YMIN},{XMAX},{YMAX},EPSG:32618", "--model", str(tiny_sr_model), "--device", "cpu",
         "--quiet"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert cli.returncode == 0, cli.stderr
    run_alg("superresolve", {"INPUT": str(SAMPLE), "EXTENT": EXTENT, "MODEL_DIR": str(tiny_sr_model),
                             "DEVICE": 1, "OUTPUT": str(qgis_out)})
    cli_ds, cli_names, cli_data = read_all(cli_out)
    qgis_ds, qgis_names, qgis_data = read_all(qgis_out)
    assert cli_names == qgis_names == DEFAULT_BANDS
    assert cli_ds.GetGeoTransform() == qgis_ds.GetGeoTransform()
    assert cli_ds.GetProjection() == qgis_ds.GetProjection()
    np.testing.assert_array_equal(cli_data, qgis_data)
    assert not {"onnxruntime", "tensorflow", "keras", "h5py"} & set(sys.modules)  # the networks ran in the worker


def test_loaded_output_is_styled_like_the_dock(digisat_provider, tiny_sr_model, tmp_path, layer_tree_iface):  # noqa: F811
    import processing
    from qgis.core import QgsMultiBandColorRenderer, QgsProject

    out = tmp_path / "styled.tif"
    processing.runAndLoadResults("digisat:superresolve", {
        "INPUT": str(SAMPLE), "EXTENT": EXTENT, "BANDS": [0, 1], "MODEL_DIR": str(tiny_sr_model), "DEVICE": 1,
        "OUTPUT": str(out)})
    layers = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.source() == str(out)]
    try:
        assert len(layers) == 1
        renderer = layers[0].renderer()
        assert isinstance(renderer, QgsMultiBandColorRenderer)
        shown = [DEFAULT_BANDS[b - 1] for b in (renderer.redBand(), renderer.greenBand(), renderer.blueBand())]
        assert shown == ["B12", "B8A", "B05"]  # the dock's false colour, not B01/B02/B03
        assert renderer.redContrastEnhancement().maximumValue() > renderer.redContrastEnhancement().minimumValue()
    finally:
        QgsProject.instance().removeMapLayers([lyr.id() for lyr in layers])


def test_loaded_outputs_stack_enhanced_above_the_original(
        digisat_provider, tiny_sr_model, tmp_path, layer_tree_iface):  # noqa: F811
    """As the dock stacks a result: the enhanced layer over the original, whatever their paths' order
    (Processing adds outputs in the order of their paths, which put '..._original.tif' on top)."""
    import processing
    from qgis.core import Qgis, QgsProject

    if Qgis.QGIS_VERSION_INT < 33200:
        pytest.skip("QGIS sorts loaded outputs from 3.32 (LayerDetails.layerSortKey)")
    out, original = tmp_path / "x_enhanced.tif", tmp_path / "x_original.tif"
    processing.runAndLoadResults("digisat:superresolve", {
        "INPUT": str(SAMPLE), "EXTENT": EXTENT, "BANDS": [0], "MODEL_DIR": str(tiny_sr_model), "DEVICE": 1,
        "OUTPUT": str(out), "ORIGINAL": str(original)})
    tree = [node.layer() for node in QgsProject.instance().layerTreeRoot().findLayers()]  # top to bottom
    ours = [lyr for lyr in tree if lyr.source() in (str(out), str(original))]
    try:
        assert [lyr.source() for lyr in ours] == [str(out), str(original)]
        assert ours[0].name().endswith("]") and " enhanced [" in ours[0].name() and " original [" in ours[1].name()
    finally:
        QgsProject.instance().removeMapLayers([lyr.id() for lyr in ours])


def test_a_batch_row_without_the_optional_outputs_loads_only_what_it_wrote(
        digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    """The batch dialog gives an optional output left empty as an output definition of '' to load; QGIS
    listed '' as a layer "not correctly generated" after rows that succeeded."""
    from qgis.core import (
        QgsApplication,
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProcessingOutputLayerDefinition,
        QgsProject,
    )

    alg = QgsApplication.processingRegistry().createAlgorithmById("digisat:superresolve")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    out = str(tmp_path / "row.tif")
    params = {"INPUT": str(SAMPLE), "EXTENT": EXTENT, "BANDS": [0], "MODEL_DIR": str(tiny_sr_model),
              "OUTPUT": QgsProcessingOutputLayerDefinition(out, QgsProject.instance()),
              "ORIGINAL": QgsProcessingOutputLayerDefinition("", QgsProject.instance()),
              "UNCERTAINTY": QgsProcessingOutputLayerDefinition("", QgsProject.instance())}
    results, ok = alg.run(params, context, QgsProcessingFeedback())
    assert ok and results["OUTPUT"] == out and "ORIGINAL" not in results
    assert list(context.layersToLoadOnCompletion()) == [out]
