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

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsGeometry, QgsPointXY, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, QUrl, pyqtSlot
from qgis.PyQt.QtGui import QDesktopServices, QHelpEvent
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QScrollArea,
    QTabBar,
    QToolTip,
)
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


def aoi_geometry(aoi):
    """A run's area: (x0, y0, x1, y1) is a rectangle, a list of (x, y) points a polygon (EPSG:32618)."""
    if isinstance(aoi[0], list | tuple):
        return QgsGeometry.fromPolygonXY([[QgsPointXY(x, y) for x, y in aoi]])
    return QgsGeometry.fromRect(QgsRectangle(*aoi))


def check_toolbar(plugin):
    """Issue 13: in a fresh profile the button is on a toolbar that is shown, without changing toolbars."""
    toolbar = iface.pluginToolBar()
    button = toolbar.widgetForAction(plugin.action)
    STATUS["toolbar"] = {"toolbar": toolbar.objectName(), "on_plugins_toolbar": plugin.action in toolbar.actions(),
                         "toolbar_visible": toolbar.isVisible(),
                         "button_visible": bool(button is not None and button.isVisible()),
                         "tooltip": plugin.action.toolTip(),
                         "raster_menu": plugin.action in iface.rasterMenu().actions(),
                         "help_menu": [a.text() for a in iface.pluginHelpMenu().actions()
                                       if a in (plugin.help_action, plugin.about_action)]}
    step("toolbar: " + json.dumps(STATUS["toolbar"]))
    if not (STATUS["toolbar"]["on_plugins_toolbar"] and STATUS["toolbar"]["toolbar_visible"]
            and STATUS["toolbar"]["button_visible"] and STATUS["toolbar"]["tooltip"]):
        raise RuntimeError("the digisat button is not visible on a shown toolbar: " + json.dumps(STATUS["toolbar"]))


def missing_tooltips(dock):
    """The dock's controls (buttons, boxes, fields) with no tooltip; the parts Qt builds inside a control
    (a spin box's line edit, a tab bar's scroll arrows) are not controls of their own."""
    missing = []
    for widget in dock.findChildren((QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)):
        parent = widget.parentWidget()
        if isinstance(parent, QAbstractSpinBox | QComboBox | QTabBar) or not widget.isEnabledTo(dock) \
                or widget.objectName().startswith("qt_"):  # Qt's own (the dock title bar's float and close)
            continue
        if not widget.toolTip().strip() and not (parent is not None and parent is not dock and parent.toolTip().strip()):
            # a part of a compound QGIS widget (the CRS picker's combo) shows its parent's tooltip: Qt passes
            # an unanswered tooltip event on to the parent
            missing.append(f"{type(widget).__name__} {widget.objectName() or widget.property('text') or ''}".strip())
    return missing


class UrlRecorder(QObject):
    """QDesktopServices' handler for http(s) in the smoke run: records the URL instead of starting a browser."""

    def __init__(self):
        super().__init__()
        self.urls = []

    @pyqtSlot(QUrl)
    def open(self, url):
        self.urls.append(url.toString())


@guarded
def start():
    window = iface.mainWindow()
    window.resize(1600, 1000)
    window.showMaximized()
    window.move(0, 0)  # Xvfb has no window manager to maximise it: keep it on the screen for screen grabs
    QgsApplication.processEvents()
    plugin = plugins.get("digisat_plugin")
    if plugin is None:
        raise RuntimeError(f"plugin digisat_plugin not loaded; loaded: {sorted(plugins)}")
    STATE["plugin"] = plugin
    step("plugin loaded from " + os.path.dirname(sys.modules[type(plugin).__module__].__file__))
    provider = QgsApplication.processingRegistry().providerById("digisat")
    STATUS["processing_algorithms"] = sorted(a.id() for a in provider.algorithms()) if provider else []
    step("processing provider: " + ", ".join(STATUS["processing_algorithms"]))
    check_toolbar(plugin)
    # a profile whose dock was open (the install phase's) reopens it at start (issue 27): the toolbar
    # button is a toggle, and a click then would close it
    STATUS["dock_reopened"] = plugin.action.isChecked()
    step(f"dock open at start: {STATUS['dock_reopened']}")
    if not plugin.action.isChecked():
        plugin.action.trigger()
    dock = plugin.dock
    if dock is None or not dock.isVisible():
        raise RuntimeError("the digisat dock is not shown after its toolbar button")
    STATE["dock"] = dock
    from digisat_plugin.tasks.worker import env_dir, resolve_python  # the installed plugin's package

    STATUS["env_dir"] = env_dir()
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
    dock.ask_replace = lambda path: True  # a run repeating an earlier request replaces it (no modal question)
    if CFG.get("model_dir"):
        dock.settings.model_dir = CFG["model_dir"]
    STATUS["missing_tooltips"] = missing_tooltips(dock)
    step(f"controls without a tooltip: {STATUS['missing_tooltips']}")
    STATUS["runs"] = []
    STATE["runs"] = list(CFG.get("runs", []))
    if CFG.get("install_env"):
        install(dock)
        return
    STATUS["worker_python"] = resolve_python()
    step("worker Python " + STATUS["worker_python"])
    QTimer.singleShot(0, next_run)


def show_tab(dock, panel) -> None:
    """Bring the dock's tab holding `panel` to the front (each tab is a scroll area around its panel, so
    setCurrentWidget(panel) does nothing)."""
    for i in range(dock.tabs.count()):
        if getattr(dock.tabs.widget(i), "widget", lambda: None)() is panel:
            dock.tabs.setCurrentIndex(i)
            return


def install(dock):
    """The one-click environment install (Process tab, Install packages), then the runs."""
    from digisat_plugin.tasks.worker import resolve_python

    started = time.time()
    show_tab(dock, dock.process)
    deadline = time.time() + 15  # the dock looks at the worker's Python just after it opens (a child process)
    while dock.process.install_button.isHidden() and time.time() < deadline:
        QApplication.processEvents()
        time.sleep(0.05)
    if dock.process.install_button.isHidden():
        finish(False, "a clean profile's dock does not show 'Install packages' before any run: "
                      + dock.step_label.text())
        return
    step("before any run the dock shows 'Install packages' and says: " + dock.step_label.text())
    dock.process.install_button.click()
    task = dock.install_task
    if task is None:
        raise RuntimeError("Install packages started no task: " + dock.step_label.text())
    STATE["install_task"] = task

    def ended(ok):
        STATUS["install"] = {"ok": ok, "seconds": time.time() - started, "steps": list(task.steps),
                             "error": task.error, "info": task.info}
        step(f"environment install {'succeeded' if ok else 'failed'} in {STATUS['install']['seconds']:.0f} s "
             f"{task.error}".rstrip())
        if not ok:
            finish(False, "environment install failed: " + task.error + "\n" + "\n".join(task.output[-20:]))
            return
        STATUS["worker_python"] = resolve_python()
        step("worker Python " + STATUS["worker_python"])
        if CFG.get("stac_url"):
            processing_search_fetch()
        QTimer.singleShot(500, next_run)

    task.taskCompleted.connect(guarded(lambda: ended(True)))
    task.taskTerminated.connect(guarded(lambda: ended(False)))


def processing_search_fetch():
    """Issue 27: after Install packages, Processing search and fetch (QGIS's own Python lacks their
    packages: they run in the worker) against the loopback STAC API scripts/qgis_smoke.py started."""
    import processing

    record = STATUS["processing"] = {}
    extent = "444000,445020,4177800,4178820 [EPSG:32618]"  # on the sample, clear in every served scene
    started = time.time()
    try:
        found = processing.run("digisat:search", {"EXTENT": extent, "START": "2024-06-01", "END": "2024-07-10",
                                                  "MAX_CLOUD": 50, "SOURCE": 0, "URL": CFG["stac_url"], "LEVEL": 0,
                                                  "OUTPUT": "memory:scenes"})
        record["search_count"] = found["COUNT"]
        record["search_ids"] = [f["id"] for f in found["OUTPUT"].getFeatures()]
        fetched = processing.run("digisat:fetch", {"SCENES": found["OUTPUT"], "SCENE_ID": record["search_ids"][0],
                                                   "EXTENT": extent, "BANDS": [0, 1], "SOURCE": 0,
                                                   "URL": CFG["stac_url"], "OUTPUT": CFG["fetch_output"]})
        record["fetched_id"] = fetched["FETCHED_ID"]
        record["product"] = fetched["PRODUCT"]
        record["product_bands"] = sorted(f[:-4] for f in listing(fetched["PRODUCT"]) if f.endswith(".tif"))
    except Exception as exc:  # recorded for qgis_smoke.py, which fails the smoke on it; the runs go on
        record["error"] = f"{type(exc).__name__}: {exc}"
    record["seconds"] = time.time() - started
    step("processing search and fetch: " + json.dumps(record))


def footer_at_minimum_width(dock):
    """Issue 27: with the dock at its minimum width in the 1600 x 1000 window, Run and Cancel lie inside
    the dock's part of the screen, unclipped and outside any scrolling area (no scrolling needed)."""
    window = iface.mainWindow()
    minimum = max(dock.minimumWidth(), dock.minimumSizeHint().width())
    window.resizeDocks([dock], [minimum], Qt.Orientation.Horizontal)
    for _ in range(5):
        QgsApplication.processEvents()
        time.sleep(0.05)
    screen = QRect(0, 0, 1600, 1000)
    seen = QRect(dock.mapToGlobal(QPoint(0, 0)), dock.size()).intersected(screen).intersected(
        QRect(window.mapToGlobal(QPoint(0, 0)), window.size()))
    record = {"dock_minimum": minimum, "dock_width": dock.width(), "dock_visible_rect": seen.getRect(),
              "floating": dock.isFloating()}
    ok = not dock.isFloating() and dock.width() <= minimum + 2
    for name, button in (("run", dock.run_button), ("cancel", dock.cancel_button)):
        rect = QRect(button.mapToGlobal(QPoint(0, 0)), button.size())
        scrolled, parent = False, button.parentWidget()
        while parent is not None and parent is not dock:
            scrolled = scrolled or isinstance(parent, QScrollArea)
            parent = parent.parentWidget()
        unclipped = button.visibleRegion().boundingRect() == button.rect()
        record[name] = {"rect": rect.getRect(), "visible": button.isVisible(), "inside": seen.contains(rect),
                        "unclipped": unclipped, "in_scroll_area": scrolled}
        ok = ok and button.isVisible() and seen.contains(rect) and unclipped and not scrolled
    record["ok"] = ok
    STATUS["footer"] = record
    step("footer at the dock's minimum width: " + json.dumps(record))


def set_form(dock, run):
    dock.area.aoi.set_aoi(aoi_geometry(run.get("aoi") or CFG["aoi"]), QgsCoordinateReferenceSystem("EPSG:32618"))
    dock.process.tile_size.setValue(run.get("tile", 0))
    dock.process.bands20.setChecked(run.get("b20", True))
    dock.process.bands60.setChecked(run.get("b60", True))
    dock.process.measure_quality.setChecked(run.get("quality", False))


def listing(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def new_group(before):
    """The layer tree group a run added: its name, its layers (name, bands, valid, source)."""
    added = [c for c in QgsProject.instance().layerTreeRoot().children() if c not in before]
    groups = []
    for group in added:
        layers = [{"name": c.name(), "valid": c.layer() is not None and c.layer().isValid(),
                   "bands": c.layer().bandCount() if c.layer() is not None else 0,
                   "source": c.layer().source() if c.layer() is not None else ""}
                  for c in getattr(group, "children", lambda: [])()]
        groups.append({"name": group.name(), "layers": layers})
    return groups


def polygon_mask(path, polygon):
    """Pixels of the output whose centre is outside the polygon must be no data (all bands), inside not
    (a sample of 25 x 25 pixels)."""
    from osgeo import gdal

    ds = gdal.Open(path)
    x0, dx, _, y0, _, dy = ds.GetGeoTransform()
    geometry = aoi_geometry(polygon)
    inside = outside = outside_data = inside_nodata = 0
    arrays = [ds.GetRasterBand(i + 1).ReadAsArray() for i in range(ds.RasterCount)]
    nodata = ds.GetRasterBand(1).GetNoDataValue()
    step_px = max(ds.RasterXSize // 25, 1)
    for row in range(step_px // 2, ds.RasterYSize, step_px):
        for col in range(step_px // 2, ds.RasterXSize, step_px):
            centre = QgsGeometry.fromPointXY(QgsPointXY(x0 + (col + 0.5) * dx, y0 + (row + 0.5) * dy))
            empty = all(a[row, col] == (nodata if nodata is not None else 0) for a in arrays)
            if geometry.contains(centre):
                inside += 1
                inside_nodata += empty
            elif not geometry.intersects(centre):  # a centre on the edge is GDAL's choice (it burns it)
                outside += 1
                outside_data += not empty
    return {"nodata": nodata, "size": [ds.RasterXSize, ds.RasterYSize], "inside": inside, "outside": outside,
            "outside_with_data": outside_data, "inside_no_data": inside_nodata}


@guarded
def next_run():
    """The varied runs before the final one (screenshots): each must add its group, and QGIS must live."""
    dock = STATE["dock"]
    if not STATE["runs"]:
        if CFG.get("no_final"):
            finish(True)
            return
        dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(*CFG["aoi"])), QgsCoordinateReferenceSystem("EPSG:32618"))
        dock.process.tile_size.setValue(0)
        dock.process.bands20.setChecked(True)
        dock.process.bands60.setChecked(True)
        dock.process.measure_quality.setChecked(True)
        final_run()
        return
    run = STATE["runs"].pop(0)
    set_form(dock, run)
    before = list(QgsProject.instance().layerTreeRoot().children())
    names_before = {c.name() for c in before}  # read now: a replaced result's group is deleted by the run
    files_before = listing(CFG["output"])
    chain = dock.run()
    if chain is None:
        raise RuntimeError("the dock refused to run: " + "\n".join(dock.messages[-5:]))
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

    @guarded
    def ended(outcome, message=""):
        groups = new_group(before)
        files = listing(CFG["output"])
        record.update(outcome=outcome, message=message, seconds=time.time() - record["started"],
                      groups_added=len(groups), groups=groups,
                      # a failed run that was to replace an earlier result of the same request puts it back
                      groups_restored=[g["name"] for g in groups if g["name"] in names_before],
                      # QGIS saves a closed layer's statistics beside its file (.aux.xml): when a run
                      # replaces an earlier result's layers, that sidecar of an older file is not the run's
                      new_files=sorted(f for f in set(files) - set(files_before)
                                       if not (f.endswith(".aux.xml") and f[:-len(".aux.xml")] in files_before)),
                      leftovers=[f for f in files if f.startswith(".") or f.endswith(".part.tif")],
                      tensorflow_in_qgis=sorted({"tensorflow", "keras", "h5py"} & set(sys.modules)),
                      qgis_alive=iface.mainWindow().isVisible())
        if outcome == "succeeded" and isinstance((run.get("aoi") or [0])[0], list | tuple):
            enhanced = next((x["source"] for g in groups for x in g["layers"] if " enhanced [" in x["name"]), None)
            record["mask"] = polygon_mask(enhanced, run["aoi"]) if enhanced else None
        step(f"run {len(STATUS['runs'])} {run}: {outcome} in {record['seconds']:.1f} s {message}".rstrip())
        QTimer.singleShot(500, next_run)

    chain.succeeded.connect(lambda result: ended("succeeded"))
    chain.failed.connect(lambda message: ended("failed", message))


@guarded
def final_run():
    dock = STATE["dock"]
    step(f"area {dock.area.area_km2():.2f} km2; running on {CFG['sample']}")
    chain = dock.run()
    if chain is None:
        raise RuntimeError("the dock refused to run: " + "\n".join(dock.messages[-5:]))
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
    STATUS["project_layers"] = [x.name() for x in QgsProject.instance().layerTreeRoot().findLayers()
                                if " enhanced [" in x.name() or " original [" in x.name()]
    STATUS["consistency"] = result.extra.get("consistency")
    STATUS["tensorflow_in_qgis"] = sorted({"tensorflow", "keras", "h5py"} & set(sys.modules))
    STATUS["engine_seconds"] = result.seconds
    step(f"result group {group.name()!r} with {[c.name() for c in group.children()]}")
    show_tab(dock, dock.process)
    footer_at_minimum_width(dock)
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
    STATE["canvas_width"] = canvas.width()
    dock.side_button.click()  # the Side by side toggle, as a user clicks it
    QTimer.singleShot(4000, side_shot)


@guarded
def side_shot():
    dock = STATE["dock"]
    canvas, other = iface.mapCanvas(), dock.side_by_side.canvas
    STATUS["side_by_side"] = {"main_scale_before": STATE["scale"], "main_scale": canvas.scale(),
                              "other_scale": other.scale(), "main_center": canvas.center().toString(),
                              "other_center": other.center().toString(), "main_width_before": STATE["canvas_width"],
                              "main_width_open": canvas.width(), "other_width": other.width()}
    iface.mainWindow().grab().save(os.path.join(CFG["screenshots"], "side_by_side.png"))
    step("saved side_by_side.png")
    dock.side_button.click()  # toggled off: the second view closes, the main map gets its width back
    QTimer.singleShot(2000, side_closed)


@guarded
def side_closed():
    canvas = iface.mapCanvas()
    STATUS["side_by_side"]["main_width_closed"] = canvas.width()
    STATUS["side_by_side"]["button_checked_after_close"] = STATE["dock"].side_button.isChecked()
    step("side by side: " + json.dumps(STATUS["side_by_side"]))
    if abs(canvas.width() - STATE["canvas_width"]) > 2:
        raise RuntimeError(f"after closing side by side the map is {canvas.width()} px wide, "
                           f"{STATE['canvas_width']} px before")
    hover()


@guarded
def hover():
    """Issue 13: hovering a control shows its tooltip (the mouse moved onto the tile size box)."""
    dock = STATE["dock"]
    show_tab(dock, dock.process)
    widget = dock.process.tile_size
    QgsApplication.processEvents()
    STATE["hover_widget"] = widget
    QTest.mouseMove(widget, widget.rect().center())
    STATE["hover_deadline"] = time.time() + 5
    QTimer.singleShot(300, tooltip_shown)


@guarded
def tooltip_shown():
    widget = STATE["hover_widget"]
    if not QToolTip.isVisible() and time.time() < STATE["hover_deadline"]:
        if time.time() > STATE["hover_deadline"] - 3 and not STATE.get("help_event"):
            # no tooltip from the mouse move alone (Xvfb has no real pointer): the event Qt sends on hover
            STATE["help_event"] = True
            centre = widget.rect().center()
            QApplication.sendEvent(widget, QHelpEvent(QEvent.ToolTip, centre, widget.mapToGlobal(centre)))
        QTimer.singleShot(200, tooltip_shown)
        return
    STATUS["tooltip"] = {"widget": "tile size", "expected": widget.toolTip(), "visible": QToolTip.isVisible(),
                         "shown": QToolTip.text(), "via": "QHelpEvent" if STATE.get("help_event") else "mouse move"}
    step("tooltip: " + json.dumps(STATUS["tooltip"]))
    if not (QToolTip.isVisible() and QToolTip.text() and QToolTip.text() == widget.toolTip()):
        raise RuntimeError("hovering the tile size box showed no tooltip: " + json.dumps(STATUS["tooltip"]))
    screen = QApplication.primaryScreen().grabWindow(0)  # the whole screen: the tooltip is a window of its own
    screen.save(os.path.join(CFG["screenshots"], "tooltip.png"))
    step("saved tooltip.png")
    QToolTip.hideText()
    help_and_about()


@guarded
def help_and_about():
    """Issue 13: Help > Plugins > digisat help and the dock's ? > Help open the documentation (issue 27: the
    offline user guide in the plugin folder); the about box."""
    from digisat_plugin.gui import about

    plugin, dock = STATE["plugin"], STATE["dock"]
    recorder = UrlRecorder()
    for scheme in ("http", "https", "file"):
        QDesktopServices.setUrlHandler(scheme, recorder, "open")
    try:
        plugin.help_action.trigger()
        dock.help_action.trigger()
        QgsApplication.processEvents()
    finally:
        for scheme in ("http", "https", "file"):
            QDesktopServices.unsetUrlHandler(scheme)
    STATUS["help_urls"] = recorder.urls
    step("help opened: " + ", ".join(recorder.urls))
    # issue 27: the offline guide shipped in the zip (a local file that exists), not the README online
    local = [QUrl(u).toLocalFile() for u in recorder.urls if u.startswith("file:")]
    if len(recorder.urls) != 2 or len(local) != 2 or not all(
            p.endswith(os.path.join("help", "index.html")) and os.path.isfile(p) for p in local):
        raise RuntimeError(f"help did not open the offline user guide: {recorder.urls}")
    box = about.about_box(iface.mainWindow())
    box.show()
    QgsApplication.processEvents()
    STATUS["about"] = box.text()
    box.grab().save(os.path.join(CFG["screenshots"], "about.png"))
    box.close()
    step("saved about.png")
    finish(True)


QTimer.singleShot(2000, start)
