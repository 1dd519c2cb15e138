"""The dock's "Time series" choice (gui/series_panel.py): Run makes every clear date through the worker
(core/series.py) and loads one temporal group; bad forms are one-line errors. Loopback STAC server."""

from __future__ import annotations

import os
import sys

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsLayerTreeLayer, QgsRectangle
from qgis.PyQt.QtCore import QDate

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.toolbelt.settings import PluginSettings

UTM18 = QgsCoordinateReferenceSystem("EPSG:32618")


@pytest.fixture()
def series_dock(full_iface, qgis_canvas, clean_project, stac_server, stac_cogs, tiny_sr_model, tmp_path):
    pytest.importorskip("pystac_client")
    settings = PluginSettings(model_dir=str(tiny_sr_model), output_dir=str(tmp_path / "out"), device="cpu",
                              stac_url=stac_server)
    qgis_canvas.setDestinationCrs(UTM18)
    dock = DigisatDock(full_iface, settings=settings)
    gt = stac_cogs["geotransform"]
    x0, y1 = gt[0] + 600.0, gt[3] - 600.0  # 1020 m square inside the scene, on its 60 m grid
    dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(x0, y1 - 1020.0, x0 + 1020.0, y1)), UTM18)
    dock.data.source_combo.setCurrentIndex(dock.data.source_combo.findData("stac"))
    dock.data.start_date.setDate(QDate(2024, 6, 20))
    dock.data.max_cloud.setValue(50)
    dock.process.bands60.setChecked(False)
    yield dock
    dock.unload()
    dock.deleteLater()


def _run_june_series(dock, qtbot, project, indices: str):
    """Run the dock's time series to 2024-06-30 (the 06-25 and 06-28 scenes; the July ones are
    later) and return the layer group it made."""
    dock.series.setChecked(True)
    dock.series.end_date.setDate(QDate(2024, 6, 30))
    dock.series.indices.setText(indices)
    chain = dock.run()
    assert chain is not None
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    qtbot.waitUntil(lambda: not chain.running and dock.run_button.isEnabled(), timeout=5000)
    return project.layerTreeRoot().children()[0]


def test_time_series_run_loads_one_temporal_group(series_dock, clean_project, qtbot, tmp_path):
    dock = series_dock
    assert dock.series.parent() is not None and dock.series.toolTip()  # in the Data tab, explained
    group = _run_june_series(dock, qtbot, clean_project, "ndvi")
    assert group.name() == "Time series 2024-06-20 .. 2024-06-30"
    assert [c.name() for c in group.children()] == ["Enhanced", "NDVI"]  # the Process tab's Uncertainty: off
    for sub in group.children():
        layers = [n.layer() for n in sub.children() if isinstance(n, QgsLayerTreeLayer)]
        days = sorted(layer.temporalProperties().fixedTemporalRange().begin().toUTC().date().toString("yyyy-MM-dd")
                      for layer in layers)
        assert days == ["2024-06-25", "2024-06-28"] and all(layer.temporalProperties().isActive() for layer in layers)
    folder = os.path.dirname(group.children()[0].children()[0].layer().source())
    assert os.path.basename(folder).startswith("series_2024-06-20_2024-06-30_")
    assert sorted(os.listdir(folder)) == sorted(["catalog.json", "items", "series.json"] + [f"2024-06-{d}_18SVG_{w}.tif" for d in ("25", "28")
                                                                   for w in ("enhanced", "NDVI")])
    assert dock.step_label.text() == "Done: 2 dates"
    assert not {"onnxruntime", "tensorflow"} & set(sys.modules)


def test_time_series_with_the_uncertainty_option_loads_each_dates_layer_hidden(series_dock, clean_project, qtbot,
                                                                               tiny_uncertainty_model):
    """The Process tab's *Uncertainty layer* applies to the series too: each date's <date>_<tile>_uncertainty.tif
    beside its raster, loaded in an unticked subgroup at the top of the group on the uncertainty ramp."""
    from qgis.core import QgsSingleBandPseudoColorRenderer

    from tests.catalog_checks import check_uncertainty_layer

    dock = series_dock
    dock.settings.model_dir = tiny_uncertainty_model
    dock.process.uncertainty.setChecked(True)
    group = _run_june_series(dock, qtbot, clean_project, "")
    assert [c.name() for c in group.children()] == ["Uncertainty", "Enhanced"]
    unc, enhanced = group.children()
    assert not unc.itemVisibilityChecked() and enhanced.itemVisibilityChecked()
    nodes = [n for n in unc.children() if isinstance(n, QgsLayerTreeLayer)]
    enhanced_layers = [n.layer() for n in enhanced.children()]
    assert [n.layer().name() for n in nodes] == ["2024-06-28 18SVG uncertainty", "2024-06-25 18SVG uncertainty"]
    for node, twin in zip(nodes, enhanced_layers, strict=True):
        layer = node.layer()
        assert not node.isVisible() and isinstance(layer.renderer(), QgsSingleBandPseudoColorRenderer)
        assert layer.source() == twin.source().replace("_enhanced.tif", "_uncertainty.tif")
        assert (layer.temporalProperties().fixedTemporalRange() == twin.temporalProperties().fixedTemporalRange())
        values = check_uncertainty_layer(layer.source(), twin.source())
        assert values.shape[0] == 10  # B02 ... B12 but the 60 m bands (unticked in series_dock)


def test_time_series_form_errors_are_one_line(series_dock, clean_project):
    dock = series_dock
    dock.series.setChecked(True)
    dock.series.indices.setText("NDVI,XYZ")
    assert dock.run() is None
    assert dock.messages[-1] == ("error: time series indices: unknown index 'XYZ' (known: NDVI, NDRE, NDMI, NBR, "
                                 "NBR2, NDWI, MNDWI, NDBI, EVI, SAVI)")
    dock.series.indices.setText("NDMI")
    dock.process.bands20.setChecked(False)
    assert dock.run() is None
    assert dock.messages[-1] == ("error: time series index NDMI: needs band(s) B11, which the Process tab's band "
                                 "choice leaves out")
    dock.process.bands20.setChecked(True)
    dock.series.indices.setText("NDVI")
    dock.series.end_date.setDate(QDate(2024, 6, 1))
    assert dock.run() is None
    assert dock.messages[-1] == ("error: time series: the end date 2024-06-01 is before the search's start date "
                                 "2024-06-20")
    assert clean_project.layerTreeRoot().children() == []
    # a local product is one scene: the box is off and Run goes the usual way (here: no product given)
    dock.data.local_mode.setChecked(True)
    assert not dock.series.isEnabled() and not dock.series.active()
    assert dock.run() is None
    assert dock.messages[-1].startswith("error: local product: not found (Data tab)"), dock.messages[-1]
    dock.data.search_mode.setChecked(True)
    assert dock.series.isEnabled() and dock.series.active()
