"""`batch` on a real Dask distributed LocalCluster: two real band folders (the bundled sample and a
crop of it made with GDAL), the tiny zero-tail networks; outputs against the single-process engine
(whole scenes and scenes split into processing windows), a worker killed mid-scene, an interrupted
run resumed (scenes and windows), and bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import psutil
import pytest
from osgeo import gdal

from digisat_plugin.core.batch import (
    is_valid_output,
    piece_files,
    piece_path,
    piece_task,
    plan_task,
    run_batch,
    temporary_files,
)
from tests.catalog_checks import check_uncertainty_layer
from tests.conftest import REPO

gdal.UseExceptions()

CROP = (300, 0, 300, 240)  # col, row, width, height on the 10 m grid (multiples of 6: whole 60 m pixels)


def cli(*args, timeout=600):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "digisat_plugin", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def read(path) -> np.ndarray:
    return gdal.Open(str(path)).ReadAsArray().astype(np.int32)


@pytest.fixture(scope="module")
def scenes(sample_dir, tmp_path_factory) -> list:
    """[the sample (600 x 600 px), a 300 x 240 px crop of it written by gdal.Translate]."""
    crop = tmp_path_factory.mktemp("batch_in") / "virginia_crop"
    crop.mkdir()
    col, row, width, height = CROP
    for name in sorted(os.listdir(sample_dir)):
        if name.endswith(".tif"):
            ds = gdal.Open(str(sample_dir / name))
            r = 600 // ds.RasterXSize
            gdal.Translate(str(crop / name), ds, srcWin=[col // r, row // r, width // r, height // r])
    return [str(sample_dir), str(crop)]


@pytest.fixture(scope="module")
def reference(scenes, tiny_sr_model, tmp_path_factory) -> dict:
    """Each scene through the single-process engine: name -> array."""
    from digisat_plugin.core.sr.engine import superresolve

    out = tmp_path_factory.mktemp("batch_ref")
    arrays = {}
    for path in scenes:
        name = os.path.basename(path)
        superresolve(path, str(out / f"{name}.tif"), model_dir=tiny_sr_model, device="cpu")
        arrays[name] = read(out / f"{name}.tif")
    return arrays


def assert_matches_engine(out_dir, reference):
    for name, expected in reference.items():
        path = os.path.join(out_dir, f"{name}_enhanced.tif")
        assert is_valid_output(path), path
        got = read(path)
        assert got.shape == expected.shape
        assert np.abs(got - expected).max() <= 1, name
    assert not [p for p in os.listdir(out_dir) if p.endswith("part.tif")]


def wait_gone(pids, seconds=20.0) -> list:
    deadline = time.monotonic() + seconds
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.2)
    return alive


def cluster_processes(before=()) -> set:
    """Child processes of this test process started since `before`, but for multiprocessing's
    resource tracker (one per Python process, shared, it lives as long as its parent)."""
    found = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if p.pid not in before and "resource_tracker" not in " ".join(p.cmdline()):
                found.add(p.pid)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.fixture
def cluster():
    """A LocalCluster of 2 worker processes (1 thread each); every process it started is gone after."""
    from distributed import Client, LocalCluster

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      env={"OMP_NUM_THREADS": "1"})
    client = Client(lc)
    started = cluster_processes(before)
    try:
        yield client
    finally:
        started |= cluster_processes(before)  # restarted workers too
        client.close()
        lc.close()
        assert wait_gone(started) == []


def test_batch_cli_two_scenes_on_two_workers_equal_the_engine(scenes, reference, tiny_sr_model, tmp_path):
    out = tmp_path / "out"
    missing = tmp_path / "no_such_product"
    proc = cli("batch", *scenes, missing, "--out", out, "--workers", "2", "--model", tiny_sr_model,
               "--device", "cpu", "--quiet", "--dashboard-address", ":0")
    assert proc.returncode == 2, proc.stderr  # one product could not be used: the others are still done
    assert "LocalCluster of 2 worker(s) x 1 thread(s); dashboard http://" in proc.stdout
    assert "done virginia: " in proc.stdout and "done virginia_crop: " in proc.stdout
    assert "batch: 2 done, 0 skipped (already done), 1 failed of 3" in proc.stdout
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("digisat: error:")]
    assert errors == [f"digisat: error: no_such_product: {missing}: no such file or folder"], proc.stderr
    assert "Traceback" not in proc.stderr
    assert_matches_engine(out, reference)
    assert gdal.Open(str(out / "virginia_crop_enhanced.tif")).RasterXSize == CROP[2]
    assert not (out / "no_such_product_enhanced.tif").exists()

    # the rerun does nothing for what is done (no cluster started, files untouched)
    stamps = {p: os.stat(out / p).st_mtime_ns for p in os.listdir(out)}
    again = cli("batch", *scenes[:2], "--out", out, "--model", tiny_sr_model, "--quiet")
    assert again.returncode == 0, again.stderr
    assert "skipped virginia: " in again.stdout and "skipped virginia_crop: " in again.stdout
    assert "cluster:" not in again.stdout
    assert {p: os.stat(out / p).st_mtime_ns for p in os.listdir(out)} == stamps


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_batch_on_a_real_scheduler_with_two_worker_commands_equals_the_engine(scenes, reference, tiny_sr_model,
                                                                              tmp_path):
    """`dask scheduler` and two `dask worker` processes started as separate commands, as on a real
    cluster (not a LocalCluster); the workers run the networks on ONNX Runtime, one thread each."""
    dask = os.path.join(os.path.dirname(sys.executable), "dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address",
                               ":0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--no-dashboard", "--memory-limit", "0"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        deadline = time.monotonic() + 60
        with Client(address, timeout="30s") as client:
            while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert len(client.scheduler_info()["workers"]) == 2
        out = tmp_path / "out"
        proc = cli("batch", *scenes, "--out", out, "--scheduler", address, "--threads", "1", "--model", tiny_sr_model,
                   "--device", "cpu", "--quiet")
        assert proc.returncode == 0, proc.stderr
        assert f"cluster: {address} (2 worker(s))" in proc.stdout
        assert "batch: 2 done, 0 skipped (already done), 0 failed of 2" in proc.stdout
        assert_matches_engine(out, reference)
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_a_worker_killed_mid_scene_the_batch_still_completes(scenes, reference, tiny_sr_model, cluster, tmp_path):
    out = tmp_path / "out"
    killed = {}

    def kill_when_writing():
        """Once the engine is writing the big scene (its temporary file exists), SIGKILL that worker."""
        target = str(out / "virginia_enhanced.tif")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not killed:
            if temporary_files(target):
                for address, keys in cluster.processing().items():
                    if any(str(k).startswith("digisat-scene-virginia-") for k in keys):
                        pid = cluster.run(os.getpid, workers=[address])[address]
                        os.kill(pid, signal.SIGKILL)
                        killed.update(address=address, pid=pid, parts=temporary_files(target))
                        return
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_when_writing, daemon=True)
    watcher.start()
    report = run_batch(scenes, str(out), model_dir=tiny_sr_model, device="cpu", client=cluster)
    watcher.join(5)
    assert killed, "the worker was not killed mid-scene"
    assert not psutil.pid_exists(killed["pid"]) or psutil.Process(killed["pid"]).status() == psutil.STATUS_ZOMBIE
    assert report.ok, [j.line() for j in report.scenes]
    jobs = {j.name: j for j in report.scenes}
    assert jobs["virginia"].status == "done" and jobs["virginia_crop"].status == "done"
    assert jobs["virginia"].attempts >= 2  # started again after the loss
    assert jobs["virginia"].worker != killed["address"]  # a restarted worker has a new address
    assert_matches_engine(out, reference)
    assert not any(os.path.exists(p) for p in killed["parts"])  # the lost run's temporary file was removed


def test_interrupted_run_resumes_with_only_the_missing_scene(scenes, tiny_uncertainty_model, tmp_path):
    """Small tiles and windows (120 px: the sample is 5 windows, the crop 2), so the interrupt comes
    while the sample's windows run: the rerun skips the crop and the sample's finished windows. With
    --uncertainty: no partial layer either, and a window counts as done when both its pieces are."""
    out = tmp_path / "out"
    crop, big = scenes[1], scenes[0]
    args = ["batch", crop, big, "--out", out, "--workers", "1", "--model", tiny_uncertainty_model, "--device", "cpu",
            "--quiet", "--dashboard-address", ":0", "--tile-size", "120", "--window-rows", "120", "--uncertainty"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    # Ctrl-C as in a terminal: a suite started in the background (`.ci/run &`) runs with SIGINT ignored,
    # which the CLI would rightly inherit and keep (POSIX), so the child gets the default disposition.
    proc = subprocess.Popen([sys.executable, "-m", "digisat_plugin", *map(str, args)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines, children = [], set()
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 600  # generous: the 2 cores are shared
        while not any(ln.startswith("done virginia_crop: ") for ln in lines) and time.monotonic() < deadline:
            children |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
            assert proc.poll() is None, (lines, proc.stderr.read())
            time.sleep(0.1)
        assert (out / "virginia_crop_enhanced.tif").exists()
        assert not (out / "virginia_enhanced.tif").exists()
        children |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        proc.send_signal(signal.SIGINT)  # Ctrl-C while the second scene runs
        proc.wait(timeout=120)
        reader.join(10)
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "digisat: interrupted; no partial output was left" in stderr and "Traceback" not in stderr
    assert not (out / "virginia_enhanced.tif").exists() and not (out / "virginia_uncertainty.tif").exists()
    # no temporary files left; only finished windows (hidden pieces, kept for the rerun) may be
    assert sorted(p for p in os.listdir(out) if not p.startswith((".virginia_enhanced.tif.piece-",
                                                                  ".virginia_uncertainty.tif.piece-"))) == \
        ["virginia_crop_enhanced.tif", "virginia_crop_uncertainty.tif"]
    assert not [p for p in os.listdir(out) if p.endswith("part.tif")]
    assert wait_gone(children) == []  # the cluster it started is gone
    stamp = os.stat(out / "virginia_crop_enhanced.tif").st_mtime_ns
    pieces = [{os.path.basename(p).split(".piece-")[1] for p in piece_files(str(out / f"virginia_{what}.tif"))}
              for what in ("enhanced", "uncertainty")]
    kept = pieces[0] & pieces[1]  # windows with both pieces (the interrupt may fall between their renames)
    assert len(kept) < 5

    again = cli(*args)
    assert again.returncode == 0, again.stderr
    assert "skipped virginia_crop: " in again.stdout
    done = [ln for ln in again.stdout.splitlines() if ln.startswith("done virginia: ")]
    assert len(done) == 1 and "5 window(s)" in done[0], again.stdout
    assert (f"{len(kept)} already done" in done[0]) == bool(kept), (kept, done)
    assert "batch: 1 done, 1 skipped (already done), 0 failed of 2" in again.stdout
    assert os.stat(out / "virginia_crop_enhanced.tif").st_mtime_ns == stamp
    assert is_valid_output(str(out / "virginia_enhanced.tif"))
    check_uncertainty_layer(out / "virginia_uncertainty.tif", out / "virginia_enhanced.tif")
    assert sorted(os.listdir(out)) == ["virginia_crop_enhanced.tif", "virginia_crop_uncertainty.tif",
                                       "virginia_enhanced.tif", "virginia_uncertainty.tif"]


def test_scenes_split_into_windows_on_two_workers_equal_the_engine(scenes, reference, tiny_sr_model, cluster,
                                                                  tmp_path):
    out = tmp_path / "out"
    lines = []
    # 300 rows: the sample (2 rows of 300 px tiles) is 2 windows, the 240 px crop 1
    report = run_batch(scenes, str(out), model_dir=tiny_sr_model, device="cpu", client=cluster, window_rows=300,
                       notify=lines.append)
    assert report.ok, [j.line() for j in report.scenes]
    jobs = {j.name: j for j in report.scenes}
    assert (jobs["virginia"].windows, jobs["virginia_crop"].windows) == (2, 1)
    assert jobs["virginia"].windows_resumed == 0
    assert any(ln.startswith("done virginia: ") and "2 window(s)" in ln for ln in lines), lines
    assert set(jobs["virginia"].workers) <= set(cluster.scheduler_info()["workers"])
    assert all(0 < mb < 4096 for mb in jobs["virginia"].worker_peaks.values())
    assert_matches_engine(out, reference)
    assert not piece_files(str(out / "virginia_enhanced.tif"))  # the pieces were removed once assembled
    assert sorted(os.listdir(out)) == ["virginia_crop_enhanced.tif", "virginia_enhanced.tif"]
    ds = gdal.Open(str(out / "virginia_enhanced.tif"))
    assert ds.GetRasterBand(5).GetMetadataItem("DIGISAT_METHOD")  # the plan's metadata made it into the COG
    assert ds.GetMetadataItem("DIGISAT_GUARD")


def test_rerun_keeps_the_finished_window_and_does_the_missing_one(scenes, reference, tiny_sr_model, cluster,
                                                                  tmp_path):
    """A run that got through window 1 of 2 only (its piece written by the same worker function),
    then the batch: window 1 is reused untouched, window 0 done, the scene equals the engine. A
    piece of another plan (--no-guard) is not reused."""
    out = tmp_path / "out"
    out.mkdir()
    target = str(out / "virginia_enhanced.tif")
    opts = {"bands": None, "model_dir": tiny_sr_model, "device": "cpu", "window_rows": 300}
    planned = plan_task(scenes[0], opts, "no-topic", "virginia")
    done = piece_task(planned, 1, target, opts, "no-topic", "virginia")
    assert done["status"] == "done" and done["path"] == piece_path(target, 1, 2)
    report = run_batch(scenes[:1], str(out), model_dir=tiny_sr_model, device="cpu", client=cluster,
                       window_rows=300)
    job = report.scenes[0]
    assert job.status == "done" and (job.windows, job.windows_resumed) == (2, 1), job.line()
    assert "1 already done" in job.line()
    assert_matches_engine(out, {"virginia": reference["virginia"]})
    assert not piece_files(target)

    # a piece of another plan is redone, not reused
    os.remove(target)
    other = plan_task(scenes[0], dict(opts, guard=False), "no-topic", "virginia")
    stale = piece_task(other, 0, target, dict(opts, guard=False), "no-topic", "virginia")
    assert os.path.isfile(stale["path"])
    report = run_batch(scenes[:1], str(out), model_dir=tiny_sr_model, device="cpu", client=cluster, window_rows=300)
    job = report.scenes[0]
    assert job.status == "done" and job.windows_resumed == 0, job.line()
    assert_matches_engine(out, {"virginia": reference["virginia"]})


def test_temporary_files_include_the_windows_unfinished_pieces(tmp_path):
    from digisat_plugin.core.io.cog import PartWriter

    target = str(tmp_path / "scene_enhanced.tif")
    writer = PartWriter(piece_path(target, 2, 6), 12, 12, ["B05"], (0, 10, 0, 0, 0, -10), "")
    assert temporary_files(target) == [writer.tmp_tiff] and not piece_files(target)
    writer.write("B05", 0, 0, np.full((12, 12), 7, np.uint16))
    writer.commit()
    assert temporary_files(target) == [] and piece_files(target) == [piece_path(target, 2, 6)]
    assert gdal.Open(piece_path(target, 2, 6)).ReadAsArray().tolist() == [[7] * 12] * 12


@pytest.mark.parametrize("extra, fragment", [
    (["--out", "FILE"], "--out FILE: is a file, not a folder"),
    (["--out", "DIR", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2"], "--workers: only for a local cluster"),
    (["--out", "DIR", "--model", "NOMODEL"], "--model NOMODEL: model folder not found"),
    (["--out", "DIR", "--workers", "0"], "--workers: expected at least 1 worker, got 0"),
])
def test_bad_parameters_one_line_exit_2(sample_dir, tmp_path, extra, fragment):
    (tmp_path / "FILE").write_text("x")
    subs = {"FILE": str(tmp_path / "FILE"), "DIR": str(tmp_path / "out"), "NOMODEL": str(tmp_path / "nomodel")}
    extra = [subs.get(a, a) for a in extra]
    fragment = fragment.replace("FILE", subs["FILE"]).replace("NOMODEL", subs["NOMODEL"])
    proc = cli("batch", sample_dir, *extra, "--quiet", timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.startswith("usage:")
             and not ln.startswith("  ")]
    assert len(lines) == 1 and fragment in lines[0], proc.stderr
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tif")]


def test_unreachable_scheduler_is_one_line(sample_dir, tmp_path):
    proc = cli("batch", sample_dir, "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9", "--quiet",
               timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("digisat: error: --scheduler tcp://127.0.0.1:9: cannot connect")


# -- the uncertainty layer (--uncertainty) ------------------------------------------------------

HOLE = 120  # 10 m pixels: the top-left HOLE x HOLE of the holed crop are no data (0) in every band


@pytest.fixture(scope="module")
def holed(scenes, tmp_path_factory) -> str:
    """The 300 x 240 px crop with no data (DN 0) in its top-left HOLE x HOLE px, in every band."""
    folder = tmp_path_factory.mktemp("batch_holed") / "virginia_holed"
    folder.mkdir()
    for name in sorted(os.listdir(scenes[1])):
        src = gdal.Open(os.path.join(scenes[1], name))
        r = CROP[2] // src.RasterXSize
        data = src.GetRasterBand(1).ReadAsArray()
        data[: HOLE // r, : HOLE // r] = 0
        ds = gdal.GetDriverByName("GTiff").CreateCopy(str(folder / name), src)
        ds.GetRasterBand(1).WriteArray(data)
        ds = None
    return str(folder)


def test_uncertainty_layer_beside_each_output_equals_superresolves(scenes, holed, tiny_uncertainty_model, cluster,
                                                                   tmp_path):
    """batch --uncertainty: one layer per output (<name>_uncertainty.tif), the big scene assembled from
    2 windows' pieces, equal to `superresolve --uncertainty` of the same product; no data (NaN) where
    the output has none. A rerun skips a scene only when both files are there."""
    from digisat_plugin.core.batch import plan_batch
    from digisat_plugin.core.sr.engine import superresolve

    out = tmp_path / "out"
    products = [scenes[0], holed]
    report = run_batch(products, str(out), model_dir=tiny_uncertainty_model, device="cpu", client=cluster,
                       window_rows=300, uncertainty=True)
    assert report.ok, [j.line() for j in report.scenes]
    jobs = {j.name: j for j in report.scenes}
    assert (jobs["virginia"].windows, jobs["virginia_holed"].windows) == (2, 1)
    assert jobs["virginia"].uncertainty == str(out / "virginia_uncertainty.tif")
    assert " + virginia_uncertainty.tif (600 x 600 px, 2 window(s))" in jobs["virginia"].line()
    # nothing else: no pieces, no temporaries
    assert sorted(os.listdir(out)) == ["virginia_enhanced.tif", "virginia_holed_enhanced.tif",
                                       "virginia_holed_uncertainty.tif", "virginia_uncertainty.tif"]
    for path in products:
        name = os.path.basename(path)
        ref, ref_unc = tmp_path / f"{name}.tif", tmp_path / f"{name}_unc.tif"
        superresolve(path, str(ref), model_dir=tiny_uncertainty_model, device="cpu", uncertainty_path=str(ref_unc))
        assert np.abs(read(out / f"{name}_enhanced.tif") - read(ref)).max() <= 1
        values = check_uncertainty_layer(out / f"{name}_uncertainty.tif", out / f"{name}_enhanced.tif",
                                          gdal.Open(str(ref_unc)).ReadAsArray())
        holes = np.isnan(values).all(axis=0)
        assert holes.sum() == (HOLE * HOLE if name == "virginia_holed" else 0)
        assert gdal.Open(str(out / f"{name}_uncertainty.tif")).GetMetadataItem("DIGISAT_FINGERPRINT") == \
            gdal.Open(str(ref_unc)).GetMetadataItem("DIGISAT_FINGERPRINT")

    # a rerun skips what has both files, and redoes a scene whose layer is missing
    assert [j.status for j in plan_batch(products, str(out), uncertainty=True)] == ["skipped", "skipped"]
    os.remove(out / "virginia_holed_uncertainty.tif")
    assert [j.status for j in plan_batch(products, str(out), uncertainty=True)] == ["skipped", "pending"]
    assert [j.status for j in plan_batch(products, str(out))] == ["skipped", "skipped"]


def test_uncertainty_layer_is_removed_when_its_output_cannot_be_assembled(holed, tiny_uncertainty_model, tmp_path):
    """The assemble task publishes the layer first; if the output then fails, the layer goes too, and
    neither file nor any temporary is left (the pieces stay for the rerun)."""
    from digisat_plugin.core.batch import assemble_task

    target, layer = str(tmp_path / "virginia_holed_enhanced.tif"), str(tmp_path / "virginia_holed_uncertainty.tif")
    opts = {"bands": ["B04", "B05"], "model_dir": tiny_uncertainty_model, "device": "cpu", "window_rows": 120,
            "tile_size": 120}
    planned = plan_task(holed, opts, "no-topic", "holed")
    pieces = [piece_task(planned, i, target, opts, "no-topic", "holed", layer) for i in range(2)]
    assert [p["status"] for p in pieces] == ["done", "done"]
    assert sorted(piece_files(layer)) == [piece_path(layer, 0, 2), piece_path(layer, 1, 2)]
    os.remove(pieces[1]["path"])  # the output's second piece is gone: its assembly fails
    result = assemble_task(planned, pieces, target, "no-topic", "holed", layer)
    assert result["status"] == "failed" and "is missing" in result["message"]
    assert not os.path.exists(target) and not os.path.exists(layer)
    assert temporary_files(target) == [] and temporary_files(layer) == []
    # the other pieces stay; a piece task redoes only the window whose output piece is gone
    again = [piece_task(planned, i, target, opts, "no-topic", "holed", layer)["status"] for i in range(2)]
    assert again == ["resumed", "done"]
    result = assemble_task(planned, pieces, target, "no-topic", "holed", layer)
    assert result["status"] == "done" and result["uncertainty"] == layer
    check_uncertainty_layer(layer, target)
    assert sorted(os.listdir(tmp_path)) == ["virginia_holed_enhanced.tif", "virginia_holed_uncertainty.tif"]


def test_uncertainty_without_a_calibration_is_one_line_before_any_work(sample_dir, tmp_path):
    nocal = tmp_path / "nocal"
    nocal.mkdir()
    proc = cli("batch", sample_dir, "--out", tmp_path / "out", "--model", nocal, "--uncertainty", "--quiet",
               timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines == [f"digisat: error: --uncertainty: {nocal / 'uncertainty.json'}: no uncertainty calibration in "
                     "the model folder (scripts/calibrate_uncertainty.py writes it)"], proc.stderr
    assert "cluster:" not in proc.stdout and not (tmp_path / "out").exists()
