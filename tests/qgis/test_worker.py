"""The networks run in the worker process, never in QGIS's: real tasks on the sample through it,
several runs in a row, a SIGKILLed worker, cancel timing, logins kept off its command line and log.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest
from osgeo import gdal
from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.toolbelt.settings import PluginSettings
from digisat_plugin.worker import client
from tests.conftest import SAMPLE

UTM18 = QgsCoordinateReferenceSystem("EPSG:32618")
X0, Y1 = 443580.0, 4179420.0  # top-left corner of the 600 x 600 px sample


def square(col, row, size):
    """A size x size px area `col`, `row` pixels into the sample (multiples of 6: the 60 m grid)."""
    return QgsRectangle(X0 + col * 10, Y1 - (row + size) * 10, X0 + (col + size) * 10, Y1 - row * 10)


def files_in(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


@pytest.fixture()
def dock(full_iface, clean_project, tiny_sr_model, tmp_path):
    settings = PluginSettings(model_dir=str(tiny_sr_model), output_dir=str(tmp_path / "out"), device="cpu")
    widget = DigisatDock(full_iface, settings=settings)
    widget.data.set_local_product(str(SAMPLE))
    yield widget
    widget.unload()
    widget.deleteLater()


def run_to_end(dock, qtbot, timeout=240000):
    chain = dock.run()
    assert chain is not None
    with qtbot.waitSignal(chain.succeeded, timeout=timeout):
        pass
    qtbot.waitUntil(lambda: dock.result is not None and dock.result[0].output == chain.tasks[0].result.output,
                    timeout=5000)
    return dock.result


def test_five_dock_runs_in_a_row_with_other_tile_sizes_bands_and_areas(dock, clean_project, qtbot, tmp_path):
    runs = [(120, True, True, square(42, 60, 102)), (0, True, False, square(0, 0, 120)),
            (240, False, True, square(300, 300, 180)), (60, True, True, None), (600, True, True, square(96, 6, 60))]
    pids = []
    for tile, b20, b60, rect in runs:
        dock.result = None
        dock.process.tile_size.setValue(tile)
        dock.process.bands20.setChecked(b20)
        dock.process.bands60.setChecked(b60)
        if rect is None:
            dock.area.aoi.clear()
        else:
            dock.area.aoi.set_aoi(QgsGeometry.fromRect(rect), UTM18)
        result, group, enhanced, original = run_to_end(dock, qtbot)
        expected = ["B02", "B03", "B04", "B08"] + (["B05", "B06", "B07", "B8A", "B11", "B12"] if b20 else []) + (
            ["B01", "B09"] if b60 else [])
        assert sorted(result.bands) == sorted(expected)
        size = 600 if rect is None else round(rect.width() / 10)
        assert (enhanced.width(), enhanced.height()) == (size, size) and enhanced.bandCount() == len(expected)
        assert original.isValid() and group in clean_project.layerTreeRoot().children()
        assert result.extra["device"] == "cpu"
        pids.append([w.pid for w in client.idle_workers()])
    assert len(clean_project.layerTreeRoot().children()) == 5
    # one worker served them all (kept alive between runs: TensorFlow is imported once)
    assert pids[0] and all(p == pids[0] for p in pids)
    assert not [f for f in files_in(tmp_path / "out") if f.startswith(".")]
    assert not {"onnxruntime", "tensorflow"} & set(sys.modules)


def _start_long_run(tmp_path, tiny_sr_model):
    """The whole sample in 60 px tiles: long enough to kill or cancel; returns (task, pids seen)."""
    from digisat_plugin.tasks.base import start
    from digisat_plugin.tasks.superresolve import SuperResolveTask

    client.shutdown()  # a fresh worker, so the one running is the one this test started
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    task = SuperResolveTask(SAMPLE, out / "x_enhanced.tif", original_path=out / "x_original.tif",
                            model_dir=str(tiny_sr_model), tile_size=60, device="cpu")
    outcomes = []
    task.failed.connect(lambda message: outcomes.append(("failed", message)))
    task.cancelled.connect(lambda: outcomes.append(("cancelled",)))
    task.succeeded.connect(lambda result: outcomes.append(("succeeded", result)))
    start(task)
    return task, outcomes


def _running_worker_pid(qtbot, task):
    qtbot.waitUntil(lambda: task.progress() > 20, timeout=120000)  # past opening: tiles are being written
    pids = [p for p in client.running_pids()]
    assert len(pids) == 1
    return pids[0]


def test_sigkilled_worker_is_a_one_line_error_and_the_next_run_works(tiny_sr_model, qtbot, tmp_path, dock):
    task, outcomes = _start_long_run(tmp_path, tiny_sr_model)
    pid = _running_worker_pid(qtbot, task)
    assert [f for f in files_in(tmp_path / "out") if ".part" in f]  # the engine is writing
    os.kill(pid, signal.SIGKILL)  # what the kernel's OOM killer does
    qtbot.waitUntil(lambda: bool(outcomes), timeout=30000)
    (kind, message), = outcomes
    assert kind == "failed" and "\n" not in message
    assert message.startswith("the digisat worker process was killed (SIGKILL; out of memory?)")
    assert files_in(tmp_path / "out") == []  # no partial file, hidden or not
    # QGIS (this process) goes on, and the next run starts a new worker
    dock.area.aoi.set_aoi(QgsGeometry.fromRect(square(42, 60, 102)), UTM18)
    result, _group, enhanced, _original = run_to_end(dock, qtbot)
    assert enhanced.isValid() and (enhanced.width(), enhanced.height()) == (102, 102)
    assert gdal.Open(result.output).RasterCount == 12
    assert not {"onnxruntime", "tensorflow"} & set(sys.modules)


def test_cancel_stops_the_worker_within_two_seconds(tiny_sr_model, qtbot, tmp_path):
    task, outcomes = _start_long_run(tmp_path, tiny_sr_model)
    pid = _running_worker_pid(qtbot, task)
    started = time.monotonic()
    with qtbot.waitSignal(task.taskTerminated, timeout=10000):
        task.cancel()
    assert client.wait_until_gone(pid, timeout=2.0 - (time.monotonic() - started))
    assert time.monotonic() - started < 2.0
    qtbot.waitUntil(lambda: bool(outcomes), timeout=5000)
    assert outcomes == [("cancelled",)]
    assert files_in(tmp_path / "out") == []


def test_login_reaches_the_worker_on_stdin_only(cdse_fake, safe_product, qtbot):
    from qgis.core import QgsMessageLog

    from digisat_plugin.core.io.aoi import Aoi
    from digisat_plugin.tasks.catalog import SearchTask
    from tests.servers.fixtures import CDSE_PASSWORD, CDSE_USER

    logged = []
    QgsApplication.messageLog().messageReceived.connect(lambda message, tag, level: logged.append(message))
    QgsMessageLog.logMessage("digisat test: log capture on", "digisat")
    client.shutdown()
    aoi = Aoi.from_bbox(443000, 4169000, 445000, 4171000, "EPSG:32618")
    task = SearchTask("cdse", cdse_fake.url, aoi, "2024-07-01", "2024-07-10", 30.0, "L2A", CDSE_USER, CDSE_PASSWORD)
    seen = {}

    def look(_pct):  # while the worker runs: what every local user could read about it
        for pid in client.running_pids():
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                seen["cmdline"] = fh.read().decode().replace("\0", " ")
            with open(f"/proc/{pid}/environ", "rb") as fh:
                seen["environ"] = fh.read().decode(errors="replace")

    task.progressChanged.connect(look)
    with qtbot.waitSignal(task.succeeded, timeout=60000) as blocker:
        QgsApplication.taskManager().addTask(task)
    assert [s.id for s in blocker.args[0]] == [safe_product.name]  # the login worked
    (worker,) = client.idle_workers()  # the worker is kept: look at it again, at rest
    with open(f"/proc/{worker.pid}/cmdline", "rb") as fh:
        seen["idle cmdline"] = fh.read().decode().replace("\0", " ")
    with open(f"/proc/{worker.pid}/environ", "rb") as fh:
        seen["idle environ"] = fh.read().decode(errors="replace")
    assert "digisat_plugin.worker" in seen["idle cmdline"]
    for where, text in seen.items():
        assert CDSE_PASSWORD not in text, where
    assert "digisat test: log capture on" in logged
    assert not any(CDSE_PASSWORD in m for m in logged)
    assert not any(CDSE_PASSWORD in line for line in worker.stderr_tail)


def test_device_setting_reaches_the_worker(tiny_sr_model, qtbot, tmp_path):
    """device=cpu: the worker is started with CUDA hidden, and the engine reports the CPU."""
    from digisat_plugin.tasks.superresolve import SuperResolveTask

    client.shutdown()
    task = SuperResolveTask(SAMPLE, tmp_path / "e.tif", model_dir=str(tiny_sr_model), device="cpu",
                            bands=["B02", "B03", "B04", "B08", "B05"])
    with qtbot.waitSignal(task.succeeded, timeout=120000) as blocker:
        QgsApplication.taskManager().addTask(task)
    assert blocker.args[0].extra["device"] == "cpu"
    (worker,) = client.idle_workers()
    assert worker.device == "cpu"
    with open(f"/proc/{worker.pid}/environ", "rb") as fh:
        environ = fh.read().split(b"\0")
    assert b"CUDA_VISIBLE_DEVICES=-1" in environ
    # and with the malloc settings glibc reads at start-up (core/runtime.py)
    assert any(e.startswith(b"GLIBC_TUNABLES=") and b"glibc.malloc.hugetlb=1" in e for e in environ)


def test_a_worker_python_that_does_not_exist_is_a_one_line_error(tiny_sr_model, qtbot, tmp_path):
    from digisat_plugin.tasks.superresolve import SuperResolveTask

    saved = PluginSettings.load()
    PluginSettings(worker_python=str(tmp_path / "no-python")).save()
    try:
        task = SuperResolveTask(SAMPLE, tmp_path / "e.tif", model_dir=str(tiny_sr_model), device="cpu")
        with qtbot.waitSignal(task.failed, timeout=30000) as blocker:
            QgsApplication.taskManager().addTask(task)
    finally:
        saved.save()
    assert blocker.args[0] == f"worker Python {tmp_path / 'no-python'}: not an executable file (Settings, Worker Python)"
    assert not (tmp_path / "e.tif").exists()


def test_network_runtimes_never_loaded_in_this_process():
    """Run last in this module: after every run above, QGIS's process has no ONNX Runtime, TensorFlow, Keras or h5py."""
    assert not {"onnxruntime", "tensorflow", "keras", "h5py"} & set(sys.modules)
