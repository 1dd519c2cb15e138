"""Runs INSIDE the real QGIS (qgis --code): drives the installed digisat plugin through the sample
pipeline several times (CFG["runs"]: tile sizes, bands, areas, one run whose worker is SIGKILLed),
then once more for the screenshots. Started by scripts/qgis_smoke.py, which passes its settings in the
DIGISAT_SMOKE environment variable (JSON) and reads the status file this script writes.
"""

import json
import os
import sys
import time
import traceback

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsGeometry, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface, plugins

CFG = json.loads(os.environ["DIGISAT_SMOKE"])
STATUS = {"ok": False, "steps": [], "started": time.time()}
STATE = {}


def step(text):
    STATUS["steps"].append(text)
    write_status()


def write_status():
    with open(CFG["status"], "w", encoding="utf-8") as fh:
        json.dump(STATUS, fh, indent=1)


def finish(ok, error=""):
    STATUS["ok"], STATUS["error"] = ok, error
    STATUS["seconds"] = time.time() - STATUS["started"]
    write_status()
    QgsProject.instance().setDirty(False)
    QTimer.singleShot(300, lambda: os._exit(0 if ok else 1))  # no "save project?" dialog in a smoke run


def guarded(fn):
    def run(*args):
        try:
            fn(*args)
        except Exception:
            finish(False, traceback.format_exc())

    return run


@guarded
def start():
    window = iface.mainWindow()
    window.resize(1600, 1000)
    window.showMaximized()
    plugin = plugins.get("digisat_plugin")
    if plugin is None:
        raise RuntimeError(f"plugin digisat_plugin not loaded; loaded: {sorted(plugins)}")
    step("plugin loaded from " + os.path.dirname(sys.modules[type(plugin).__module__].__file__))
    provider = QgsApplication.processingRegistry().providerById("digisat")
    STATUS["processing_algorithms"] = sorted(a.id() for a in provider.algorithms()) if provider else []
    step("processing provider: " + ", ".join(STATUS["processing_algorithms"]))
    plugin.action.trigger()
    dock = plugin.dock
    STATE["dock"] = dock
    crs = QgsCoordinateReferenceSystem("EPSG:32618")
    aoi = QgsRectangle(*CFG["aoi"])
    canvas = iface.mapCanvas()
    QgsProject.instance().setCrs(crs)  # the main map follows the project CRS, as a user would set it
    canvas.setDestinationCrs(crs)
    canvas.setExtent(aoi)
    dock.data.set_local_product(CFG["sample"])
    dock.area.aoi.set_aoi(QgsGeometry.fromRect(aoi), crs)
    dock.process.output_dir.setText(CFG["output"])
    dock.process.measure_quality.setChecked(True)
    if CFG.get("model_dir"):
        dock.settings.model_dir = CFG["model_dir"]
    STATUS["runs"] = []
    STATE["runs"] = list(CFG.get("runs", []))
    QTimer.singleShot(0, next_run)


def set_form(dock, run):
    x0, y0, x1, y1 = run.get("aoi") or CFG["aoi"]
    dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(x0, y0, x1, y1)), QgsCoordinateReferenceSystem("EPSG:32618"))
    dock.process.tile_size.setValue(run.get("tile", 0))
    dock.process.bands60.setChecked(run.get("b60", True))
    dock.process.measure_quality.setChecked(False)


@guarded
def next_run():
    """The varied runs before the final one (screenshots): each must add its group, and QGIS must live."""
    dock = STATE["dock"]
    if not STATE["runs"]:
        dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(*CFG["aoi"])), QgsCoordinateReferenceSystem("EPSG:32618"))
        dock.process.tile_size.setValue(0)
        dock.process.bands60.setChecked(True)
        dock.process.measure_quality.setChecked(True)
        final_run()
        return
    run = STATE["runs"].pop(0)
    set_form(dock, run)
    before = len(QgsProject.instance().layerTreeRoot().children())
    chain = dock.run()
    if chain is None:
        raise RuntimeError("the dock refused to run: " + dock.log_view.toPlainText())
    STATE["chain"], record = chain, {"run": run, "started": time.time()}
    STATUS["runs"].append(record)
    if run.get("kill"):
        from digisat_plugin.worker import client  # the installed plugin's package

        def kill_when_writing():
            pids = client.running_pids()
            if pids and chain.current is not None and chain.current.progress() > 20:
                os.kill(pids[0], 9)
                record["killed"] = pids[0]
            elif chain.running:
                QTimer.singleShot(100, kill_when_writing)

        QTimer.singleShot(100, kill_when_writing)

    def ended(outcome, message=""):
        record.update(outcome=outcome, message=message, seconds=time.time() - record["started"],
                      groups_added=len(QgsProject.instance().layerTreeRoot().children()) - before,
                      leftovers=sorted(f for f in os.listdir(CFG["output"]) if f.startswith(".")),
                      tensorflow_in_qgis="tensorflow" in sys.modules)
        step(f"run {len(STATUS['runs'])} {run}: {outcome} {message}".rstrip())
        QTimer.singleShot(500, next_run)

    chain.succeeded.connect(lambda result: ended("succeeded"))
    chain.failed.connect(lambda message: ended("failed", message))


@guarded
def final_run():
    dock = STATE["dock"]
    step(f"area {dock.area.area_km2():.2f} km2; running on {CFG['sample']}")
    chain = dock.run()
    if chain is None:
        raise RuntimeError("the dock refused to run: " + dock.log_view.toPlainText())
    STATE["chain"] = chain
    chain.succeeded.connect(lambda result: QTimer.singleShot(500, lambda: done(result)))
    chain.failed.connect(lambda message: finish(False, "pipeline failed: " + message + "\n" + "".join(
        getattr(t, "details", "") for t in chain.tasks)))
    QTimer.singleShot(int(CFG["timeout"] * 1000), lambda: finish(False, "timed out waiting for the pipeline"))


@guarded
def done(result):
    dock = STATE["dock"]
    _, group, enhanced, original = dock.result
    STATUS["group"] = group.name()
    STATUS["layers"] = [{"name": c.name(), "bands": c.layer().bandCount(), "width": c.layer().width(),
                         "height": c.layer().height(), "band_names": [c.layer().bandName(i + 1)
                                                                      for i in range(c.layer().bandCount())]}
                        for c in group.children()]
    STATUS["consistency"] = result.extra.get("consistency")
    STATUS["tensorflow_in_qgis"] = sorted({"tensorflow", "keras", "h5py"} & set(sys.modules))
    STATUS["engine_seconds"] = result.seconds
    step(f"result group {group.name()!r} with {[c.name() for c in group.children()]}")
    dock.tabs.setCurrentWidget(dock.process)
    dock.swipe_button.setChecked(True)
    canvas = iface.mapCanvas()
    canvas.setExtent(enhanced.extent())
    canvas.refresh()
    STATE["swipe_deadline"] = time.time() + 30
    QTimer.singleShot(1000, swipe_shot)


def swipe_settled(canvas, item):
    """The canvas and the swipe item have both finished rendering the canvas's current extent."""
    settings = canvas.mapSettings()
    return (not canvas.isDrawing() and item.job is None and item.image is not None
            and item.rect() == settings.visibleExtent() and settings.outputSize() == canvas.viewport().size())


@guarded
def swipe_shot():
    dock = STATE["dock"]
    canvas = iface.mapCanvas()
    item = dock.swipe_tool.item if dock.swipe_tool is not None else None
    if item is None:
        raise RuntimeError("swipe compare did not put its item on the map")
    if not swipe_settled(canvas, item):  # the screenshot must show both sides of the same extent
        if time.time() > STATE["swipe_deadline"]:
            raise RuntimeError(f"swipe item still at {item.rect().toString(0)}, canvas at "
                               f"{canvas.mapSettings().visibleExtent().toString(0)} after 30 s")
        QTimer.singleShot(200, swipe_shot)
        return
    item.set_divider(canvas.width() // 2)
    QgsApplication.processEvents()
    STATUS["swipe"] = {"extent": item.rect().toString(1), "image_px": [item.image.width(), item.image.height()],
                       "canvas_px": [canvas.viewport().width(), canvas.viewport().height()]}
    shots = CFG["screenshots"]
    dock.grab().save(os.path.join(shots, "dock.png"))
    canvas.grab().save(os.path.join(shots, "swipe.png"))
    step("saved dock.png and swipe.png")
    dock.swipe_button.setChecked(False)
    STATE["scale"] = canvas.scale()
    dock.open_side_by_side()
    QTimer.singleShot(4000, side_shot)


@guarded
def side_shot():
    canvas, other = iface.mapCanvas(), STATE["dock"].side_by_side.canvas
    STATUS["side_by_side"] = {"main_scale_before": STATE["scale"], "main_scale": canvas.scale(),
                              "other_scale": other.scale(), "main_center": canvas.center().toString(),
                              "other_center": other.center().toString()}
    step("side by side: " + json.dumps(STATUS["side_by_side"]))
    iface.mainWindow().grab().save(os.path.join(CFG["screenshots"], "side_by_side.png"))
    step("saved side_by_side.png")
    finish(True)


QTimer.singleShot(2000, start)
