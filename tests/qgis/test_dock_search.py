"""Search against the loopback STAC API: results table, footprints on the canvas, then fetch + run."""

from __future__ import annotations

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle
from qgis.PyQt.QtCore import QDate

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.toolbelt.settings import PluginSettings

UTM18 = QgsCoordinateReferenceSystem("EPSG:32618")


@pytest.fixture()
def search_dock(full_iface, qgis_canvas, clean_project, stac_server, stac_cogs, tiny_sr_model, tmp_path):
    pytest.importorskip("pystac_client")
    settings = PluginSettings(model_dir=str(tiny_sr_model), output_dir=str(tmp_path / "out"), device="cpu",
                              stac_url=stac_server)
    qgis_canvas.setDestinationCrs(UTM18)
    dock = DigisatDock(full_iface, settings=settings)
    gt = stac_cogs["geotransform"]
    x0, y1 = gt[0] + 600.0, gt[3] - 600.0  # 1020 m square inside the scene, on its 60 m grid
    dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(x0, y1 - 1020.0, x0 + 1020.0, y1)), UTM18)
    dock.data.source_combo.setCurrentIndex(dock.data.source_combo.findData("stac"))
    assert dock.data.url_edit.text() == stac_server
    dock.data.start_date.setDate(QDate(2024, 6, 1))
    dock.data.end_date.setDate(QDate(2024, 7, 31))
    dock.data.max_cloud.setValue(50)
    dock.data.level_combo.setCurrentText("L2A")
    yield dock
    dock.unload()
    dock.deleteLater()


def run_search(dock, qtbot):
    task = dock.search()
    assert task is not None
    with qtbot.waitSignal(task.succeeded, timeout=60000):
        pass
    qtbot.waitUntil(lambda: dock.data.table.rowCount() > 0, timeout=5000)


def test_search_fills_table_and_draws_footprints(search_dock, qgis_canvas, stac_cogs, qtbot):
    dock = search_dock
    # the 2 km area the 12.25 % scene is cloudy over (tests/servers/stac_server.CLOUD_BOX)
    dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(444410.0, 4168730.0, 446410.0, 4170730.0)), UTM18)
    run_search(dock, qtbot)
    table = dock.data.table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    # cloud <= 50 %: three of the four scenes, newest first
    # date and time (two scenes of one day read alike, issue 27); the product id on hover of any cell
    assert [r[0] for r in rows] == ["2024-07-05 15:47", "2024-06-28 15:57", "2024-06-25 15:47"]
    assert table.item(0, 0).toolTip() == table.item(0, 3).toolTip() == "S2A_18SVG_20240705_0_L2A"
    assert [r[1] for r in rows] == ["12.2", "3.5", "4.0"]
    # cloud over the area (SCL window): the 12.25 % scene is cloudy exactly over the area
    assert [r[2] for r in rows] == ["100.0", "0.0", "0.0"]
    assert table.horizontalHeaderItem(2).text() == "Area cloud %"
    assert {r[3] for r in rows} == {"18SVG"}
    assert [r[5] for r in rows] == ["S2A_18SVG_20240705_0_L2A", "S2B_18SVG_20240628_0_L2A", "S2A_18SVG_20240625_0_L2A"]
    assert dock.data.status_label.text() == "3 scenes found"
    # footprints: one rubber band per scene on the canvas, in the canvas CRS (UTM 18N)
    assert len(dock.data.footprints) == 3
    items = qgis_canvas.scene().items()
    gt, (w, h) = stac_cogs["geotransform"], stac_cogs["size"]
    scene_box = QgsRectangle(gt[0], gt[3] + h * gt[5], gt[0] + w * gt[1], gt[3])
    for band in dock.data.footprints:
        assert band in items
        box = band.asGeometry().boundingBox()
        assert box.xMinimum() == pytest.approx(scene_box.xMinimum(), abs=1.0)
        assert box.yMaximum() == pytest.approx(scene_box.yMaximum(), abs=1.0)
        assert box.width() == pytest.approx(scene_box.width(), rel=1e-3)
    dock.data.table.selectRow(1)
    assert dock.data.selected_scene().id == "S2B_18SVG_20240628_0_L2A"
    assert [b.width() for b in dock.data.footprints] == [1, 3, 1]
    dock.data.clear_results()
    assert not [b for b in qgis_canvas.scene().items() if b in dock.data.footprints]


def test_search_then_fetch_and_superresolve_the_selected_scene(search_dock, clean_project, qtbot, tmp_path):
    dock = search_dock
    run_search(dock, qtbot)
    dock.data.table.selectRow(0)
    # picked: its one line, before any Run (the area is 102 x 102 px; STAC fetches the area's window)
    summary = dock.data.summary_label.text()
    assert summary.startswith("L2A · 2024-07-05 · tile 18SVG · ") and dock.data.summary_error == ""
    assert "reads about 102 x 102 px (1.04 km²)" in summary
    assert summary.endswith("fetches B01 B02 B03 B04 B05 B06 B07 B08 B8A B09 B11 B12: the area and a 240 m margin "
                            "of each")
    chain = dock.run()
    assert chain is not None and len(chain.factories) == 2
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    qtbot.waitUntil(lambda: dock.result is not None, timeout=5000)
    result, group, enhanced, original = dock.result
    key = dock.run_key
    assert group.name() == f"2024-07-05 18SVG [{key}]"
    assert [c.name() for c in group.children()] == [f"2024-07-05 18SVG enhanced [{key}]",
                                                    f"2024-07-05 18SVG original [{key}]"]
    assert enhanced.bandCount() == original.bandCount() == 12
    assert (enhanced.width(), enhanced.height()) == (102, 102)
    assert enhanced.crs().authid() == "EPSG:32618"


def test_search_without_area_is_refused(full_iface, clean_project, tmp_path):
    from qgis.core import Qgis

    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path)))
    try:
        assert dock.search() is None
        assert any("draw an area of interest first" in m for m in full_iface.messageBar().get_messages(Qgis.Critical))
    finally:
        dock.unload()
        dock.deleteLater()


def _serve(folder):
    """An HTTP server of `folder` on 127.0.0.1 in a thread (shut it down when done)."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_quicklook_of_the_selected_scene_is_shown(full_iface, qgis_canvas, clean_project, qtbot, tmp_path):
    from qgis.PyQt.QtGui import QColor, QImage

    from digisat_plugin.core.catalog.scene import SceneRecord

    image = QImage(64, 48, QImage.Format_RGB32)
    image.fill(QColor(200, 40, 40))
    assert image.save(str(tmp_path / "thumb.png"))
    server = _serve(tmp_path)
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path)))
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/thumb.png"
        footprint = {"type": "Polygon", "coordinates": [[[-75.6, 37.7], [-75.5, 37.7], [-75.5, 37.8], [-75.6, 37.7]]]}
        scenes = [SceneRecord("S2A_X", "2024-07-05T15:47:21Z", 1.0, "18SVG", footprint, 123456789, url, "stac", "L2A"),
                  SceneRecord("S2A_Y", "2024-07-01T15:47:21Z", None, "18SVG", None, None, "", "stac", "L2A")]
        dock.data.show_scenes(scenes)
        assert [dock.data.table.item(r, 4).text() for r in range(2)] == ["123.5 MB", "?"]
        assert dock.data.table.item(1, 1).text() == "?"
        assert [dock.data.table.item(r, 2).text() for r in range(2)] == ["tile cloud only"] * 2  # no SCL measure
        dock.data.table.selectRow(0)
        qtbot.waitUntil(lambda: dock.data.quicklook.pixmap() is not None and not dock.data.quicklook.pixmap().isNull(),
                        timeout=10000)
        shown = dock.data.quicklook.pixmap().toImage()
        assert (shown.width(), shown.height()) == (64, 48)  # no grid: the whole quick-look, never enlarged
        assert QColor(shown.pixel(10, 10)).red() == 200
        assert dock.data.quicklook.toolTip() == "The scene's quick-look (the whole tile)"
        dock.data.table.selectRow(1)  # no quick-look: the label is cleared
        assert dock.data.quicklook.pixmap() is None or dock.data.quicklook.pixmap().isNull()
    finally:
        server.shutdown()
        dock.unload()
        dock.deleteLater()


def test_a_scene_without_quicklook_says_so(full_iface, qgis_canvas, clean_project, qtbot, tmp_path):
    """The thumbnail request fails (404: the scene has no preview): the panel says so instead of staying blank,
    and the note goes when a scene with a quick-look is picked."""
    from qgis.PyQt.QtGui import QColor, QImage

    from digisat_plugin.core.catalog.scene import SceneRecord

    image = QImage(64, 48, QImage.Format_RGB32)
    image.fill(QColor(200, 40, 40))
    assert image.save(str(tmp_path / "thumb.png"))
    server = _serve(tmp_path)
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path)))
    quicklook = dock.data.quicklook

    def shows_pixmap():
        return quicklook.pixmap() is not None and not quicklook.pixmap().isNull()

    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        dock.data.show_scenes([
            SceneRecord("S2A_GONE", "2024-07-05T15:47:21Z", 1.0, "18SVG", None, None, f"{base}/missing.png", "stac",
                        "L2A"),
            SceneRecord("S2A_SHOWN", "2024-07-01T15:47:21Z", 1.0, "18SVG", None, None, f"{base}/thumb.png", "stac",
                        "L2A"),
            SceneRecord("S2A_NONE", "2024-06-28T15:47:21Z", 1.0, "18SVG", None, None, "", "stac", "L2A")])
        dock.data.table.selectRow(0)
        qtbot.waitUntil(lambda: quicklook.text() == "no quick-look for this scene", timeout=10000)
        assert not shows_pixmap()
        dock.data.table.selectRow(1)
        qtbot.waitUntil(shows_pixmap, timeout=10000)
        assert quicklook.text() == ""
        dock.data.table.selectRow(2)  # no quick-look offered at all: the same note
        assert quicklook.text() == "no quick-look for this scene" and not shows_pixmap()
        dock.data.table.clearSelection()  # nothing picked: nothing to say
        assert quicklook.text() == "" and not shows_pixmap()
    finally:
        server.shutdown()
        dock.unload()
        dock.deleteLater()


def test_quicklook_is_cut_around_the_searched_area_and_outlines_it(full_iface, qgis_canvas, clean_project, qtbot,
                                                                     tmp_path):
    """A STAC scene's quick-look spans its 10 m grid (core/catalog/quicklook.py): the Data tab shows
    the part around the area searched, enlarged to 160 px, the area outlined in yellow."""
    from qgis.PyQt.QtGui import QColor, QImage

    from digisat_plugin.core.catalog.scene import SceneRecord

    # a 30 x 20 km grid shown on 300 x 200 px (100 m a pixel), grey, the area's 10 x 10 px red
    image = QImage(300, 200, QImage.Format_RGB32)
    image.fill(QColor(128, 128, 128))
    for x in range(200, 210):
        for y in range(140, 150):
            image.setPixelColor(x, y, QColor(220, 0, 0))
    assert image.save(str(tmp_path / "thumb.png"))
    grid = {"crs": "EPSG:32618", "transform": [10.0, 0.0, 400000.0, 0.0, -10.0, 4200000.0], "shape": [2000, 3000]}
    server = _serve(tmp_path)
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path)))
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/thumb.png"
        dock.data.search_area = (QgsGeometry.fromRect(QgsRectangle(420000, 4185000, 421000, 4186000)), UTM18)
        dock.data.show_scenes([SceneRecord("S2A_X", "2024-07-05T15:47:21Z", 1.0, "18SVG", None, None, url, "stac",
                                           "L2A", extra={"grid": grid})])
        dock.data.table.selectRow(0)
        qtbot.waitUntil(lambda: dock.data.quicklook.pixmap() is not None and not dock.data.quicklook.pixmap().isNull(),
                        timeout=10000)
        shown = dock.data.quicklook.pixmap().toImage()
        # preview px 190..220 x 130..160 (the area and as much again each side), x 160 / 30
        assert (shown.width(), shown.height()) == (160, 160)
        centre, corner = (QColor(shown.pixel(*p)) for p in ((80, 80), (8, 8)))
        assert (centre.red(), centre.green()) == (220, 0) and corner.red() == corner.green() == 128
        row = [QColor(shown.pixel(x, 80)) for x in range(160)]
        yellow = [x for x, c in enumerate(row) if c.red() > 230 and c.green() > 200 and c.blue() < 60]
        assert yellow and 51 <= min(yellow) <= 54 and 105 <= max(yellow) <= 108  # the outline at (200 - 190) x 160 / 30
        assert dock.data.quicklook.toolTip().startswith("The scene's quick-look around the searched area")
        dock.data.search_area = (QgsGeometry.fromRect(QgsRectangle(500000, 4185000, 501000, 4186000)), UTM18)
        dock.data.table.clearSelection()
        dock.data.table.selectRow(0)  # an area off the grid: the whole quick-look, shrunk to 160 px
        qtbot.waitUntil(lambda: dock.data.quicklook.pixmap() is not None and not dock.data.quicklook.pixmap().isNull(),
                        timeout=10000)
        assert (dock.data.quicklook.pixmap().width(), dock.data.quicklook.pixmap().height()) == (160, 106)
    finally:
        server.shutdown()
        dock.unload()
        dock.deleteLater()


def test_unreachable_catalogue_is_one_line_error(search_dock, full_iface, qtbot):
    import socket

    from qgis.core import Qgis

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dock = search_dock
    dock.data.url_edit.setText(f"http://127.0.0.1:{port}")
    task = dock.search()
    with qtbot.waitSignal(task.failed, timeout=120000) as blocker:
        pass
    message = blocker.args[0]
    assert "\n" not in message and f"127.0.0.1:{port}" in message
    assert dock.data.status_label.text() == "Search failed"
    assert any(message in m for m in full_iface.messageBar().get_messages(Qgis.Critical))
    assert dock.data.table.rowCount() == 0


def test_a_failed_search_drops_the_previous_results(search_dock, full_iface, qgis_canvas, qtbot, tmp_path):
    """3 rows, the first picked; the next search fails: no row, selection, footprint, quick-look or summary of
    the previous search is left, and Run has no scene to go on with."""
    from qgis.core import Qgis
    from qgis.PyQt.QtGui import QColor, QImage

    dock = search_dock
    run_search(dock, qtbot)
    assert dock.data.table.rowCount() == 3
    image = QImage(8, 8, QImage.Format_RGB32)
    image.fill(QColor(0, 0, 200))
    assert image.save(str(tmp_path / "thumb.png"))
    server = _serve(tmp_path)
    try:  # the loopback items' previews are not served: give the first one a quick-look to be dropped
        dock.data.scenes[0].thumbnail_url = f"http://127.0.0.1:{server.server_address[1]}/thumb.png"
        dock.data.table.selectRow(0)
        qtbot.waitUntil(lambda: dock.data.quicklook.pixmap() is not None and not dock.data.quicklook.pixmap().isNull(),
                        timeout=10000)
    finally:
        server.shutdown()
    assert dock.data.selected_scene().id == "S2A_18SVG_20240705_0_L2A" and dock.data.summary_label.text()
    footprints = list(dock.data.footprints)
    dock.data.url_edit.setText("http://127.0.0.1:9")  # nobody listens on the discard port
    task = dock.search()
    with qtbot.waitSignal(task.failed, timeout=120000):
        pass
    assert dock.data.status_label.text() == "Search failed"
    assert dock.data.table.rowCount() == 0 and dock.data.scenes == []
    assert not dock.data.table.selectionModel().hasSelection() and dock.data.selected_scene() is None
    assert dock.data.quicklook.pixmap() is None or dock.data.quicklook.pixmap().isNull()
    assert dock.data.quicklook.text() == ""
    assert dock.data.footprints == [] and not [i for i in qgis_canvas.scene().items() if i in footprints]
    assert dock.data.summary_label.text() == ""
    assert dock.run() is None  # Run goes on no stale scene
    assert "no scene selected" in full_iface.messageBar().get_messages(Qgis.Critical)[-1]
    assert dock.chain is None


def test_second_search_click_while_searching_keeps_the_running_task(search_dock, qtbot):
    dock = search_dock
    task = dock.search()
    assert dock.search() is task  # not replaced: a task losing its last reference mid-run kills QGIS
    assert not dock.data.search_button.isEnabled()
    with qtbot.waitSignal(task.succeeded, timeout=60000):
        pass
    assert dock.search_task is None and dock.data.search_button.isEnabled()
    assert dock.data.status_label.text() == "3 scenes found"


def test_unload_during_a_search_leaves_the_deleted_dock_alone(full_iface, qgis_canvas, clean_project, stac_server,
                                                              qtbot, tmp_path):
    """The search ends after the dock is gone: no slot of the deleted widgets runs (pytest-qt fails on any
    exception raised in a slot), and the task is referenced until QGIS is done with it."""
    pytest.importorskip("pystac_client")
    from qgis.PyQt import sip

    from digisat_plugin.tasks.base import RUNNING

    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path), stac_url=stac_server))
    dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(444000, 4177000, 445000, 4178000)), UTM18)
    task = dock.search()
    assert task in RUNNING
    dock.unload()  # cancels the search; a task still queued ends at once, a running one when it sees the cancel
    assert dock.search_task is None
    dock.deleteLater()
    qtbot.waitUntil(lambda: sip.isdeleted(dock), timeout=5000)
    qtbot.waitUntil(lambda: task not in RUNNING, timeout=60000)


def test_late_quicklook_of_the_previous_scene_is_dropped(full_iface, qgis_canvas, clean_project, qtbot, tmp_path):
    """The quick-look of scene A arrives after the user picked scene B (no quick-look): B shows none."""
    import http.server
    import threading

    from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice
    from qgis.PyQt.QtGui import QColor, QImage

    from digisat_plugin.core.catalog.scene import SceneRecord

    image = QImage(32, 32, QImage.Format_RGB32)
    image.fill(QColor(0, 200, 0))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    png = bytes(data)
    release, requested = threading.Event(), threading.Event()

    class SlowThumbnail(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requested.set()
            release.wait(30)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowThumbnail)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path)))
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/a.png"
        dock.data.show_scenes([SceneRecord("S2A_A", "2024-07-05T15:47:21Z", 1.0, "18SVG", None, None, url, "stac", "L2A"),
                               SceneRecord("S2A_B", "2024-07-01T15:47:21Z", 1.0, "18SVG", None, None, "", "stac", "L2A")])
        dock.data.table.selectRow(0)
        qtbot.waitUntil(requested.is_set, timeout=10000)
        fetcher = dock.data._quicklook_fetcher
        dock.data.table.selectRow(1)
        with qtbot.waitSignal(fetcher.finished, timeout=10000):
            release.set()
        qtbot.wait(100)
        assert dock.data.quicklook.pixmap() is None or dock.data.quicklook.pixmap().isNull()
    finally:
        release.set()
        server.shutdown()
        dock.unload()
        dock.deleteLater()


def test_60m_only_run_fetches_the_networks_inputs_and_succeeds(search_dock, clean_project, qtbot, tmp_path):
    """20 m unticked, 60 m ticked: the fetch must bring what net60 reads (the 20 m bands too)."""
    import os

    from digisat_plugin.core.definitions import sort_bands
    from digisat_plugin.core.sr.predict import inputs_for

    dock = search_dock
    dock.process.bands20.setChecked(False)
    dock.process.bands60.setChecked(True)
    run_search(dock, qtbot)
    dock.data.table.selectRow(0)
    chain = dock.run()
    assert chain is not None
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    qtbot.waitUntil(lambda: dock.result is not None, timeout=5000)
    fetch = chain.tasks[0]
    outputs = ["B01", "B02", "B03", "B04", "B08", "B09"]
    assert fetch.bands == inputs_for(outputs)
    assert {"B05", "B11", "B12"} <= set(fetch.bands)
    result, group, enhanced, original = dock.result
    assert result.bands == outputs
    assert enhanced.bandCount() == original.bandCount() == 6
    folder = os.path.join(dock.process.output_dir.text(), "downloads", "S2A_18SVG_20240705_0_L2A")
    assert sort_bands(f[:-4] for f in os.listdir(folder) if f.endswith(".tif")) == inputs_for(outputs)


def test_the_settings_stac_collection_is_searched(search_dock, stac_fake, qtbot):
    from digisat_plugin.gui.settings_panel import SettingsPanel

    dock = search_dock
    panel = SettingsPanel(dock.settings)
    try:
        assert panel.stac_collection.text() == ""
        panel.stac_collection.setText(" sentinel-2-l2a ")  # saved as it is typed: no Save button
    finally:
        panel.deleteLater()
    assert dock.settings.stac_collection == "sentinel-2-l2a"
    task = dock.search()
    with qtbot.waitSignal(task.succeeded, timeout=60000):
        pass
    # the loopback server holds only sentinel-2-c1-l2a: nothing found in the collection asked for
    assert stac_fake.state["searches"][-1]["collections"] == ["sentinel-2-l2a"]
    qtbot.waitUntil(lambda: dock.search_task is None, timeout=5000)
    assert dock.data.table.rowCount() == 0
    dock.settings.stac_collection = ""  # empty: the level's collection again
    task = dock.search()
    with qtbot.waitSignal(task.succeeded, timeout=60000):
        pass
    assert stac_fake.state["searches"][-1]["collections"] == ["sentinel-2-c1-l2a"]
