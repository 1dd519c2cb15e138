"""The dock's pipeline on the bundled sample as a local product: layers added, cancel, errors."""

from __future__ import annotations

import os
import sys

import pytest
from osgeo import gdal
from qgis.core import Qgis, QgsMultiBandColorRenderer, QgsRectangle

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.toolbelt.settings import PluginSettings
from tests.conftest import SAMPLE

# 1020 m square on the sample (EPSG:32618), on the 60 m grid: 102 x 102 pixels at 10 m
AOI = QgsRectangle(444000.0, 4177800.0, 445020.0, 4178820.0)
ALL_BANDS = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"]


@pytest.fixture()
def dock(full_iface, clean_project, tiny_sr_model, tmp_path):
    from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry

    settings = PluginSettings(model_dir=str(tiny_sr_model), output_dir=str(tmp_path / "out"), device="cpu")
    widget = DigisatDock(full_iface, settings=settings)
    widget.data.set_local_product(str(SAMPLE))
    widget.area.aoi.set_aoi(QgsGeometry.fromRect(AOI), QgsCoordinateReferenceSystem("EPSG:32618"))
    yield widget
    widget.unload()
    widget.deleteLater()


def tifs(folder):
    return sorted(p for p in os.listdir(folder) if p.endswith(".tif")) if os.path.isdir(folder) else []


def test_local_product_adds_group_with_original_and_enhanced(dock, full_iface, clean_project, qtbot, tmp_path):
    dock.process.measure_quality.setChecked(True)
    chain = dock.run()
    assert chain is not None and len(chain.factories) == 2  # super-resolve, then measure
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    qtbot.waitUntil(lambda: dock.result is not None, timeout=5000)
    result, group, enhanced, original = dock.result
    root = clean_project.layerTreeRoot()
    assert root.children()[0] is group
    key = dock.run_key
    # named by date, tile and request (every group's layers were "Enhanced" and "Original", issue 27)
    assert len(key) == 6 and group.name() == f"2016-01-12 18SVG [{key}]"
    assert [child.name() for child in group.children()] == [f"2016-01-12 18SVG enhanced [{key}]",
                                                            f"2016-01-12 18SVG original [{key}]"]
    assert [child.layer() for child in group.children()] == [enhanced, original]
    for layer in (enhanced, original):
        assert layer.isValid() and layer.bandCount() == 12
        assert layer.crs().authid() == "EPSG:32618"
        assert (layer.width(), layer.height()) == (102, 102)
        ext = layer.extent()
        assert (ext.xMinimum(), ext.yMinimum(), ext.xMaximum(), ext.yMaximum()) == pytest.approx(
            (AOI.xMinimum(), AOI.yMinimum(), AOI.xMaximum(), AOI.yMaximum()))
        ds = gdal.Open(layer.source())
        assert [ds.GetRasterBand(i + 1).GetDescription() for i in range(12)] == ALL_BANDS
        renderer = layer.renderer()
        assert isinstance(renderer, QgsMultiBandColorRenderer)
        bands = (renderer.redBand(), renderer.greenBand(), renderer.blueBand())
        assert [ALL_BANDS[b - 1] for b in bands] == ["B12", "B8A", "B05"]
    # the same stretch on both so the comparison shows resolution, not styling
    for get in ("redContrastEnhancement", "greenContrastEnhancement", "blueContrastEnhancement"):
        a, b = getattr(enhanced.renderer(), get)(), getattr(original.renderer(), get)()
        assert (a.minimumValue(), a.maximumValue()) == (b.minimumValue(), b.maximumValue())
        assert a.maximumValue() > a.minimumValue() > 0
    stem = f"S2A_L1C_20160112_T18SVG_virginia_sample_{key}"  # product (its name holds the date) + request key
    assert tifs(tmp_path / "out") == [f"{stem}_enhanced.tif", f"{stem}_original.tif"]
    # the 10 m bands are copied, the 20 m ones differ from nearest-neighbour upsampling
    enh, orig = gdal.Open(enhanced.source()).ReadAsArray(), gdal.Open(original.source()).ReadAsArray()
    assert (enh[1] == orig[1]).all()
    assert (enh[ALL_BANDS.index("B12")] != orig[ALL_BANDS.index("B12")]).any()
    assert dock.percent == 100 and dock.step_label.text().startswith("Done in ")
    assert not hasattr(dock, "progress") and not hasattr(dock, "log_view")  # the task manager and the log have them
    # "measure quality": block means of the enhanced 20/60 m bands against the delivered pixels
    report = result.extra["consistency"]
    assert sorted(report) == ["B01", "B05", "B06", "B07", "B09", "B11", "B12", "B8A"]
    assert all(v["rmse"] >= 0 and v["ratio"] in (2, 6) for v in report.values())
    assert any("consistency with the delivered bands" in m for m in dock.messages)
    assert any("enhanced layer added" in m for m in full_iface.messageBar().get_messages(Qgis.Success))

    # compare: swipe tool on the main canvas, a second view with the original that follows it
    assert dock.swipe_button.isEnabled() and dock.side_button.isEnabled()
    dock.swipe_button.setChecked(True)
    assert dock.canvas.mapTool() is dock.swipe_tool and dock.swipe_tool.right_layers == [original]
    dock.swipe_button.setChecked(False)
    assert dock.swipe_tool is None and dock.canvas.mapTool() is None
    other = dock.open_side_by_side()
    assert full_iface.recorder.canvases == {"digisat original": other}
    assert other.layers() == [original]
    dock.canvas.setExtent(QgsRectangle(444100, 4177900, 444500, 4178300))
    assert other.center().x() == pytest.approx(dock.canvas.center().x())
    assert other.scale() == pytest.approx(dock.canvas.scale())
    dock.unload()
    assert full_iface.recorder.canvases == {}


def test_cancel_mid_run_adds_no_layer_and_leaves_no_file(dock, clean_project, qtbot, tmp_path):
    dock.area.aoi.clear()  # the whole 600 x 600 sample in small tiles: long enough to cancel
    dock.process.tile_size.setValue(120)
    chain = dock.run()
    with qtbot.waitSignal(chain.progressChanged, timeout=60000, check_params_cb=lambda pct, msg: pct > 0):
        pass
    with qtbot.waitSignal(chain.cancelled, timeout=60000):
        dock.cancel()
    qtbot.wait(200)
    assert clean_project.mapLayers() == {}
    assert clean_project.layerTreeRoot().children() == []
    out = tmp_path / "out"
    assert not [p for p in os.listdir(out)] if out.is_dir() else True
    assert dock.result is None and dock.step_label.text() == "Cancelled"
    assert dock.run_button.isEnabled()


def test_bad_product_is_refused_when_picked_with_the_cli_message(dock, full_iface, clean_project, qtbot, tmp_path):
    empty = tmp_path / "empty_folder"
    empty.mkdir()
    dock.data.set_local_product(str(empty))
    from digisat_plugin.core.errors import DigisatError
    from digisat_plugin.core.io.product import open_product

    with pytest.raises(DigisatError) as cli_error:  # the CLI prints this same line after "digisat: error:"
        open_product(str(empty))
    message = str(cli_error.value)
    # at pick time: in the Data tab (red) and on the message bar, before any Run
    assert dock.data.summary_label.text() == message == dock.data.summary_error
    assert any(message in m for m in full_iface.messageBar().get_messages(Qgis.Warning))
    assert dock.run() is None  # and Run refuses with the same line, starting nothing
    assert full_iface.messageBar().get_messages(Qgis.Critical)[-1].endswith(message)
    assert "error: " + message in dock.messages
    assert clean_project.mapLayers() == {}


def test_picked_local_product_is_summarised_and_remembered(dock, full_iface, clean_project, tmp_path):
    import sys

    from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry

    summary = dock.data.summary_label.text()
    assert summary == ("L1C · 2016-01-12 · tile 18SVG · 13 bands (B01…B12) · reads 102 x 102 px (1.04 km²) · "
                       "local: nothing to fetch")
    assert dock.data.summary_error == ""
    assert not {"onnxruntime", "tensorflow"} & set(sys.modules)  # the header was read with GDAL only
    # the summary follows the area: outside the data, the error shows now, not on Run
    dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(432000, 4187000, 433020, 4188020)),
                          QgsCoordinateReferenceSystem("EPSG:32618"))
    assert dock.data.summary_error == (
        f"area of interest 432000.0, 4187000.0, 433020.0, 4188020.0 (EPSG:32618) is outside the data of {SAMPLE}, "
        "which covers 443580.0, 4173420.0, 449580.0, 4179420.0 (EPSG:32618)")
    assert dock.run() is None
    dock.area.aoi.clear()
    assert "reads 600 x 600 px (36.00 km²)" in dock.data.summary_label.text()
    # remembered: a dock opened later (a QGIS restart reads the same settings) shows the product again
    from digisat_plugin.toolbelt.settings import PluginSettings

    saved = PluginSettings.load()
    assert (saved.data_mode, saved.local_product) == ("local", str(SAMPLE))
    again = DigisatDock(full_iface, settings=saved)
    try:
        assert again.data.is_local() and again.data.local_product() == str(SAMPLE)
        assert again.data.summary_label.text().startswith("L1C · 2016-01-12 · tile 18SVG")
    finally:
        again.unload()
        again.deleteLater()
        PluginSettings().save()


def test_a_band_missing_for_the_60m_bands_is_said_at_pick_time(dock, tmp_path):
    import shutil

    product = tmp_path / "no_b05"
    shutil.copytree(SAMPLE, product)
    for name in os.listdir(product):
        if name.startswith("B05"):
            os.remove(product / name)
    dock.process.bands20.setChecked(False)  # 60 m only: net60 still reads B05
    dock.data.set_local_product(str(product))
    assert dock.data.summary_error == f"{product}: missing band files B05"
    dock.process.bands60.setChecked(False)  # 10 m only: nothing needs B05
    assert dock.data.summary_error == "" and "12 bands" in dock.data.summary_label.text()


def test_a_second_run_of_the_same_request_asks_and_another_request_gets_its_own_name(dock, clean_project, qtbot,
                                                                                        tmp_path):
    def run_once():
        chain = dock.run()
        assert chain is not None
        with qtbot.waitSignal(chain.succeeded, timeout=240000):
            pass
        qtbot.waitUntil(lambda: not chain.running and dock.result is not None and dock.result[0].output in
                        [layer.source() for layer in clean_project.mapLayers().values()], timeout=5000)
        return dock.result

    dock.process.bands60.setChecked(False)
    first = run_once()
    out = tmp_path / "out"
    assert len(tifs(out)) == 2 and not any("_1_" in name for name in tifs(out))
    asked = []
    dock.ask_replace = lambda path: asked.append(os.path.basename(path)) or False
    assert dock.run() is None  # the same request: asked, answered No: nothing runs, nothing changes
    assert asked == [os.path.basename(first[0].output)] and len(tifs(out)) == 2
    assert len(clean_project.mapLayers()) == 2
    dock.ask_replace = lambda path: asked.append(os.path.basename(path)) or True
    dock.swipe_button.setChecked(True)  # comparing the earlier result: stopped before its layers go
    second = run_once()  # answered Replace: the same files, the old layers taken out of the project
    assert dock.swipe_tool is None and not dock.swipe_button.isChecked()
    assert second[0].output == first[0].output and len(tifs(out)) == 2
    assert len(clean_project.mapLayers()) == 2 and len(clean_project.layerTreeRoot().children()) == 1
    dock.process.bands60.setChecked(True)  # another request: its own name, nothing asked
    third = run_once()
    assert len(asked) == 2 and third[0].output != first[0].output and len(tifs(out)) == 4
    assert len(clean_project.layerTreeRoot().children()) == 2
    names = [g.name() for g in clean_project.layerTreeRoot().children()]
    assert names[0] != names[1] and all(n.startswith("2016-01-12 18SVG [") for n in names)
    # the layers too: every group's were "Enhanced" and "Original" (8 identical entries in a layer picker)
    layers = [layer.name() for group in clean_project.layerTreeRoot().children() for layer in group.children()]
    assert len(set(layers)) == 4 and {name.split(" ")[2] for name in layers} == {"enhanced", "original"}


def test_progress_moves_within_a_single_tile(dock, qtbot):
    """A small area is one tile (one batch): the fraction still moves, per network of the batch."""
    dock.process.tile_size.setValue(0)
    seen = []
    chain = dock.run()
    chain.progressChanged.connect(lambda pct, msg: seen.append(round(pct, 1)))
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    inside = sorted({p for p in seen if 10 < p < 90})  # the engine's tile loop is 10..90 % of the run
    assert len(inside) >= 2, seen
    assert seen == sorted(seen)


def test_run_says_it_is_starting_before_the_first_step(dock, qtbot):
    """"Ready" stayed in the status line until the worker reported its first step (about 0.5 s)."""
    assert dock.step_label.text() == "Ready"
    steps = []
    chain = dock.run()
    assert chain is not None
    assert dock.step_label.text() == "Starting…"  # at once, before any step (those come queued, from the task)
    chain.progressChanged.connect(lambda pct, msg: steps.append(dock.step_label.text()))
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    assert steps and "Starting…" not in steps  # the task's own steps then replace it
    qtbot.waitUntil(lambda: dock.step_label.text().startswith("Done in "), timeout=5000)


def test_missing_packages_are_named_with_the_install_button(dock, full_iface, monkeypatch):
    from digisat_plugin.toolbelt import dependencies

    monkeypatch.setitem(dependencies.NEEDED, "super-resolution", ("onnxruntime", "digisat_no_such_module"))
    assert dock.run() is None
    message = full_iface.messageBar().get_messages(Qgis.Critical)[-1]
    assert message.endswith(f"super-resolution needs digisat_no_such_module in the worker's Python ({sys.executable}): "
                       "click 'Install packages' (top of the dock) or set another Python in Settings")
    assert not dock.process.install_button.isHidden()
    assert dock.process.missing == ["digisat_no_such_module"]


def test_missing_local_product_is_refused_before_starting(dock, full_iface):
    dock.data.set_local_product("/nonexistent/S2B_MSIL2A.zip")
    assert dock.run() is None
    assert any("/nonexistent/S2B_MSIL2A.zip: not found" in m for m in full_iface.messageBar().get_messages(Qgis.Critical))


def test_unload_while_running_cancels_and_leaves_nothing(full_iface, clean_project, tiny_sr_model, tmp_path, qtbot):
    import digisat_plugin
    from digisat_plugin.tasks.base import RUNNING

    plugin = digisat_plugin.classFactory(full_iface)
    plugin.initGui()
    plugin.action.trigger()
    dock = plugin.dock
    dock.settings.model_dir = str(tiny_sr_model)
    dock.process.output_dir.setText(str(tmp_path / "out"))
    dock.process.tile_size.setValue(120)
    dock.data.set_local_product(str(SAMPLE))
    chain = dock.run()
    task = chain.current
    with qtbot.waitSignal(chain.progressChanged, timeout=60000, check_params_cb=lambda pct, msg: pct > 0):
        pass
    plugin.unload()  # the task is still running; the dock and its chain go away
    assert task in RUNNING  # kept alive until QGIS is done with it
    qtbot.waitUntil(lambda: task not in RUNNING, timeout=60000)
    qtbot.wait(200)
    assert clean_project.mapLayers() == {}
    assert not os.listdir(tmp_path / "out")


def test_failed_run_keeps_an_earlier_result_at_the_output_path(tiny_sr_model, qtbot, tmp_path):
    from qgis.core import QgsApplication

    from digisat_plugin.tasks.superresolve import SuperResolveTask

    earlier = tmp_path / "enhanced.tif"
    earlier.write_bytes(b"an earlier result")
    task = SuperResolveTask(tmp_path / "no-such-product", earlier, model_dir=str(tiny_sr_model), device="cpu")
    messages = []
    task.failed.connect(messages.append)
    with qtbot.waitSignal(task.failed, timeout=60000):
        QgsApplication.taskManager().addTask(task)
    assert messages == [f"{tmp_path / 'no-such-product'}: no such file or folder"]
    assert earlier.read_bytes() == b"an earlier result"


def test_output_folder_that_cannot_be_made_is_a_message(dock, full_iface, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    dock.process.output_dir.setText(str(blocker / "out"))
    assert dock.run() is None  # a message-bar line, not a traceback out of the Run button
    message = full_iface.messageBar().get_messages(Qgis.Critical)[-1]
    assert message.endswith(f"{blocker / 'out'}: cannot create the output folder (Not a directory)")
    assert dock.run_button.isEnabled()


def test_quality_step_cancelled_while_queued_removes_the_finished_rasters(qtbot, tmp_path):
    """A cancel that reaches the last step before it ran still leaves no output (as the dock says)."""
    from qgis.core import QgsApplication

    from digisat_plugin.core.sr.engine import SuperResolveResult
    from digisat_plugin.tasks.base import RUNNING, start
    from digisat_plugin.tasks.quality import QualityTask

    from .conftest import write_constant_raster

    enhanced = write_constant_raster(tmp_path / "x_enhanced.tif", 1000)
    original = write_constant_raster(tmp_path / "x_original.tif", 1000)
    result = SuperResolveResult(enhanced, original, ["B05"], 60, 60, (0, 10, 0, 0, 0, -10), "")
    task = QualityTask(result)
    task.hold()  # queued: the task manager does not start it
    outcomes = []
    task.cancelled.connect(lambda: outcomes.append("cancelled"))
    start(task, QgsApplication.taskManager())
    with qtbot.waitSignal(task.taskTerminated, timeout=10000):
        task.cancel()
    qtbot.waitUntil(lambda: task not in RUNNING, timeout=5000)
    assert outcomes == ["cancelled"]
    assert sorted(os.listdir(tmp_path)) == []


def test_cancel_between_two_steps_removes_the_finished_step_outputs(tiny_sr_model, qtbot, tmp_path):
    """Cancel lands after super-resolution finished and before the measure started: nothing is kept."""
    from digisat_plugin.tasks.chain import TaskChain
    from digisat_plugin.tasks.quality import QualityTask
    from digisat_plugin.tasks.superresolve import SuperResolveTask

    enhanced, original = tmp_path / "out_enhanced.tif", tmp_path / "out_original.tif"
    chain = None

    def super_resolve(_):
        task = SuperResolveTask(SAMPLE, enhanced, original_path=original, model_dir=str(tiny_sr_model), device="cpu",
                                aoi=None, bands=["B02", "B03", "B04", "B08", "B05"])
        task.succeeded.connect(lambda _: chain.cancel())  # connected before the chain's own slot: runs first
        return task

    chain = TaskChain([super_resolve, QualityTask])
    with qtbot.waitSignal(chain.cancelled, timeout=240000):
        chain.start()
    assert len(chain.tasks) == 1 and not chain.running
    assert not enhanced.exists() and not original.exists()
    assert os.listdir(tmp_path) == []


def test_uncertainty_option_adds_its_layer_hidden_at_the_top_with_a_ramp(dock, clean_project, tiny_sr_model, qtbot,
                                                                        tmp_path):
    """The Process tab's *Uncertainty layer*: the engine writes <stem>_uncertainty.tif beside the enhanced output
    (float32, the output's bands), the dock adds it to the result's group, styled with a sequential ramp and
    unticked (it would hide the enhanced layer); the choice is a saved setting."""
    import shutil

    from qgis.core import QgsSingleBandPseudoColorRenderer

    from digisat_plugin.core.sr.weights import default_model_dir

    models = tmp_path / "models"
    shutil.copytree(tiny_sr_model, models)
    shutil.copy(os.path.join(default_model_dir(), "uncertainty.json"), models / "uncertainty.json")
    dock.settings.model_dir = str(models)
    dock.process.uncertainty.setChecked(True)
    assert dock.settings.uncertainty_layer is True
    chain = dock.run()
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    qtbot.waitUntil(lambda: dock.result is not None, timeout=5000)
    result, group, enhanced, original = dock.result
    key = dock.run_key
    names = [child.name() for child in group.children()]
    assert names == [f"2016-01-12 18SVG uncertainty [{key}]", f"2016-01-12 18SVG enhanced [{key}]",
                     f"2016-01-12 18SVG original [{key}]"]
    top = group.children()[0]
    assert not top.itemVisibilityChecked() and group.children()[1].itemVisibilityChecked()
    layer = top.layer()
    assert layer.isValid() and layer.bandCount() == 12 and isinstance(layer.renderer(), QgsSingleBandPseudoColorRenderer)
    # shown in the enhanced layer's units (reflectance): its scale, and a ramp from 0 to a few hundredths
    band = layer.renderer().band()
    assert layer.dataProvider().bandScale(band) == enhanced.dataProvider().bandScale(band) == 0.0001
    assert 0.0001 < layer.renderer().classificationMax() < 0.1
    assert layer.source() == enhanced.source().replace("_enhanced.tif", "_uncertainty.tif")
    ds = gdal.Open(layer.source())
    assert ds.GetRasterBand(1).DataType == gdal.GDT_Float32
    assert [ds.GetRasterBand(i + 1).GetDescription() for i in range(12)] == ALL_BANDS
    values = ds.ReadAsArray()
    assert (values[ALL_BANDS.index("B02")] == 0).all()  # a copied 10 m band: no error to expect
    assert (values[ALL_BANDS.index("B05")] > 0).mean() > 0.9
    # the device the networks ran on is said (ONNX Runtime's provider: the test's settings ask for the CPU)
    assert [m for m in dock.messages if m.startswith("done: ") and m.endswith(" s on cpu)")]
    assert f"uncertainty layer: {layer.source()} (expected absolute error per pixel, in the enhanced layer's units)" in dock.messages
    # The same request again without the option, replacing: the earlier layer file described the output
    # that was replaced, so it goes with its layer.
    stale = layer.source()
    dock.process.uncertainty.setChecked(False)
    dock.ask_replace = lambda path: True
    chain = dock.run()
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    qtbot.waitUntil(lambda: dock.result is not None and dock.result[0] is not result, timeout=5000)
    group = dock.result[1]
    assert [child.name() for child in group.children()] == names[1:]
    assert not os.path.exists(stale) and os.path.exists(dock.result[0].output)


def test_picked_local_product_draws_its_footprint(dock):
    """A picked local product's extent is drawn on the map (issue 27: it drew nothing), in the map's CRS;
    a path that cannot be read takes it away."""
    from qgis.core import QgsCoordinateReferenceSystem

    dock.canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:32618"))
    dock.data.set_local_product(str(SAMPLE))
    assert dock.update_summary() is True
    band = dock.data.local_footprint
    assert band is not None
    ds = gdal.Open(str(SAMPLE / "B02.tif"))
    x0, dx, _, y0, _, dy = ds.GetGeoTransform()
    box = band.asGeometry().boundingBox()
    assert (box.xMinimum(), box.yMaximum(), box.xMaximum(), box.yMinimum()) == pytest.approx(
        (x0, y0, x0 + ds.RasterXSize * dx, y0 + ds.RasterYSize * dy))
    dock.data.set_local_product("/nonexistent/S2B_MSIL2A.zip")
    assert dock.update_summary() is False and dock.data.local_footprint is None


def test_replace_then_cancel_puts_the_earlier_result_back(dock, clean_project, qtbot, tmp_path):
    """Answering Replace took the earlier result's layers out; a cancel then left its file without its
    layers (issue 27). Now the cancelled run's earlier result is back, files and layers as they were."""
    dock.process.bands60.setChecked(False)
    chain = dock.run()
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    qtbot.waitUntil(lambda: dock.result is not None and not chain.running, timeout=5000)
    before = sorted(layer.name() for layer in clean_project.mapLayers().values())
    files = {p: os.stat(tmp_path / "out" / p).st_mtime_ns for p in tifs(tmp_path / "out")}
    dock.ask_replace = lambda path: True
    chain = dock.run()
    assert chain is not None and clean_project.mapLayers() == {}  # taken out for the run
    with qtbot.waitSignal(chain.cancelled, timeout=60000):
        dock.cancel()
    assert sorted(layer.name() for layer in clean_project.mapLayers().values()) == before
    assert [g.name() for g in clean_project.layerTreeRoot().children()] == [before[0].replace(" enhanced", "")]
    assert {p: os.stat(tmp_path / "out" / p).st_mtime_ns for p in tifs(tmp_path / "out")} == files
    assert dock.messages[-1] == "cancelled: no new output was kept; the earlier result is back"
