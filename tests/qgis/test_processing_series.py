"""`digisat:enhance_series` in QGIS: the series written by the worker (core/series.py) and loaded as one
group whose layers carry their date as a fixed temporal range (gui/series_layers.py), on the loopback
STAC server (tests/servers/stac_server.py) with the tiny networks."""

from __future__ import annotations

import json
import os
import sys

import pytest

from tests.catalog_checks import check_uncertainty_layer

from .processing_fixtures import RecordingFeedback, digisat_provider  # noqa: F401
from .test_processing_catalog import EXTENT, run_alg

DATES = ["2024-06-25", "2024-06-28", "2024-07-05"]  # under 50 % tile cloud; the 12.25 % scene is clear here


def utc_day(text):
    from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

    return QDateTime(QDate.fromString(text, "yyyy-MM-dd"), QTime(0, 0), Qt.UTC)


def test_enhance_series_adds_a_temporal_group_with_one_layer_per_date(digisat_provider, stac_server,  # noqa: F811
                                                                       tiny_sr_model, clean_project, tmp_path):
    from qgis.core import (
        QgsLayerTreeLayer,
        QgsRasterLayerTemporalProperties,
        QgsSingleBandPseudoColorRenderer,
    )

    out = tmp_path / "series"
    feedback = RecordingFeedback()
    result = run_alg("enhance_series", {
        "EXTENT": EXTENT, "START": "2024-06-01", "END": "2024-07-10", "MAX_CLOUD": 50, "SOURCE": 0, "URL": stac_server,
        "BANDS": [0], "INDICES": [0, 3], "MODEL_DIR": tiny_sr_model, "DEVICE": 1, "OUTPUT_FOLDER": str(out)}, feedback)
    assert result["DATES"].split(",") == DATES and (result["DONE"], result["SKIPPED"], result["FAILED"]) == (3, 0, 0)
    assert result["INDEX"] == str(out / "series.json")
    assert result["UNCERTAINTY_LAYERS"] == []  # not asked (the default): no layer written, none listed
    doc = json.loads((out / "series.json").read_text())
    assert [e["date"] for e in doc["dates"]] == DATES
    assert sorted(os.listdir(out)) == sorted(
        ["catalog.json", "items", "series.json"] + [f"{d}_18SVG_{w}.tif" for d in DATES for w in ("enhanced", "NDVI", "NBR")])

    root = clean_project.layerTreeRoot()
    group = root.children()[0]
    assert group.name() == result["GROUP"] == "Time series 2024-06-01 .. 2024-07-10"
    assert [child.name() for child in group.children()] == ["Enhanced", "NDVI", "NBR"]
    for sub in group.children():
        nodes = [n for n in sub.children() if isinstance(n, QgsLayerTreeLayer)]
        assert len(nodes) == 3, sub.name()
        layers = [n.layer() for n in nodes]
        assert all(layer.isValid() for layer in layers)
        by_date = {}
        for layer in layers:
            props = layer.temporalProperties()
            assert props.isActive() and props.mode() == QgsRasterLayerTemporalProperties.ModeFixedTemporalRange
            span = props.fixedTemporalRange()
            assert span.includeBeginning() and not span.includeEnd()
            assert span.begin().secsTo(span.end()) == 86400  # one UTC day
            by_date[span.begin().toUTC().date().toString("yyyy-MM-dd")] = layer
            assert span.begin() == utc_day(span.begin().toUTC().date().toString("yyyy-MM-dd"))
        assert sorted(by_date) == DATES, sub.name()
        assert [n.layer() for n in nodes] == [by_date[d] for d in reversed(DATES)]  # the newest on top
        for date, layer in by_date.items():
            name = "enhanced" if sub.name() == "Enhanced" else sub.name()
            assert layer.source() == str(out / f"{date}_18SVG_{name}.tif")
            if sub.name() == "Enhanced":
                assert layer.name() == f"{date} 18SVG" and layer.renderer().type() == "multibandcolor"
            else:
                renderer = layer.renderer()
                assert isinstance(renderer, QgsSingleBandPseudoColorRenderer)
                assert (renderer.classificationMin(), renderer.classificationMax()) == (-1.0, 1.0)
                items = renderer.shader().rasterShaderFunction().colorRampItemList()
                assert (items[0].value, items[-1].value) == (-1.0, 1.0) and len(items) >= 3  # the ramp's stops
                # RdYlGn: red at -1, green at +1
                assert items[0].color.red() > items[0].color.green()
                assert items[-1].color.green() > items[-1].color.red()
    # the Temporal Controller's range at 2024-06-28 12:00 shows that date's layers only
    from qgis.core import QgsDateTimeRange

    noon = utc_day("2024-06-28").addSecs(12 * 3600)
    visible = [layer.name() for layer in clean_project.mapLayers().values()
               if layer.temporalProperties().isVisibleInTemporalRange(QgsDateTimeRange(noon, noon))]
    assert sorted(visible) == ["2024-06-28 18SVG", "NBR 2024-06-28", "NDVI 2024-06-28"]
    assert not {"onnxruntime", "tensorflow"} & set(sys.modules)

    # a rerun skips every date and still loads the group
    again = run_alg("enhance_series", {
        "EXTENT": EXTENT, "START": "2024-06-01", "END": "2024-07-10", "MAX_CLOUD": 50, "SOURCE": 0, "URL": stac_server,
        "BANDS": [0], "INDICES": [0, 3], "MODEL_DIR": tiny_sr_model, "DEVICE": 1, "OUTPUT_FOLDER": str(out)})
    assert (again["DONE"], again["SKIPPED"]) == (0, 3) and again["DATES"] == result["DATES"]
    assert len(root.children()) == 2


def test_enhance_series_index_needing_a_left_out_band_is_one_line(digisat_provider, stac_server,  # noqa: F811
                                                                   tiny_sr_model, clean_project, tmp_path):
    from qgis.core import QgsProcessingException

    # 60 m bands only (B01 B09) and the 10 m bands: NDMI needs B11
    with pytest.raises(QgsProcessingException, match=r"^INDICES NDMI: needs band\(s\) B11, which BANDS leaves out$"):
        run_alg("enhance_series", {
            "EXTENT": EXTENT, "START": "2024-06-01", "END": "2024-07-10", "SOURCE": 0, "URL": stac_server,
            "BANDS": [1], "INDICES": [2], "MODEL_DIR": tiny_sr_model, "OUTPUT_FOLDER": str(tmp_path / "s")})
    assert not (tmp_path / "s").exists() and clean_project.layerTreeRoot().children() == []


def test_enhance_series_uncertainty_writes_lists_and_loads_a_layer_per_date(digisat_provider, stac_server,  # noqa: F811
                                                                          tiny_uncertainty_model, clean_project,
                                                                          tmp_path):
    """UNCERTAINTY (a switch, as `series --uncertainty`): <date>_<tile>_uncertainty.tif beside each date's raster
    (its grid and bands, float32, 0 on the 10 m bands), in series.json and the output UNCERTAINTY_LAYERS, loaded
    in an unticked subgroup at the top of the series group, each layer dated and on the uncertainty ramp."""
    from qgis.core import QgsApplication, QgsLayerTreeLayer, QgsSingleBandPseudoColorRenderer

    alg = QgsApplication.processingRegistry().algorithmById("digisat:enhance_series")
    assert "<tt>&lt;date&gt;_&lt;tile&gt;_uncertainty.tif</tt>" in alg.shortHelpString()
    assert "expected absolute error of each enhanced pixel" in alg.shortHelpString()
    out, dates = tmp_path / "series", DATES[:2]
    result = run_alg("enhance_series", {
        "EXTENT": EXTENT, "START": "2024-06-20", "END": "2024-06-30", "MAX_CLOUD": 50, "SOURCE": 0, "URL": stac_server,
        "BANDS": [0], "INDICES": [], "MODEL_DIR": tiny_uncertainty_model, "DEVICE": 1, "UNCERTAINTY": True,
        "OUTPUT_FOLDER": str(out)})
    assert result["DATES"].split(",") == dates and result["DONE"] == 2
    paths = [str(out / f"{d}_18SVG_uncertainty.tif") for d in dates]
    assert result["UNCERTAINTY_LAYERS"] == paths
    assert sorted(os.listdir(out)) == sorted(
        ["catalog.json", "items", "series.json"] + [f"{d}_18SVG_{w}.tif" for d in dates for w in ("enhanced", "uncertainty")])
    doc = json.loads((out / "series.json").read_text())
    assert [e["uncertainty"] for e in doc["dates"]] == [os.path.basename(p) for p in paths]
    for date, path in zip(dates, paths, strict=True):
        check_uncertainty_layer(path, out / f"{date}_18SVG_enhanced.tif")

    group = clean_project.layerTreeRoot().children()[0]
    assert [child.name() for child in group.children()] == ["Uncertainty", "Enhanced"]
    sub = group.children()[0]
    assert not sub.itemVisibilityChecked()  # hidden: it would cover the enhanced layers; one tick shows it
    nodes = [n for n in sub.children() if isinstance(n, QgsLayerTreeLayer)]
    assert [n.layer().source() for n in nodes] == list(reversed(paths))  # the newest on top
    tops = set()
    for node, date in zip(nodes, reversed(dates), strict=True):
        layer = node.layer()
        assert not node.isVisible() and layer.name() == f"{date} 18SVG uncertainty"
        span = layer.temporalProperties().fixedTemporalRange()
        assert layer.temporalProperties().isActive() and span.begin() == utc_day(date)
        renderer = layer.renderer()
        assert isinstance(renderer, QgsSingleBandPseudoColorRenderer) and renderer.classificationMin() == 0.0
        assert "B05" in layer.bandName(renderer.band())  # gui/uncertainty_style.py's band
        tops.add(renderer.classificationMax())
    # one ramp for every date (the first date's), in the units QGIS shows (the enhanced band's scale, to
    # reflectance), spanning more than the one-DN floor
    assert len(tops) == 1 and layer.dataProvider().bandScale(renderer.band()) < tops.pop() < 1.0
