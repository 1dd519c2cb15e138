"""Many products in one run, on Dask distributed.

`run_batch(products, out_dir, ...)` super-resolves every product to `out_dir/<name>_enhanced.tif`
with the engine's two steps as Dask tasks: per scene one plan task (`core.sr.engine.plan_scene`:
window, bands, the blur estimate and the guard's decisions for the whole scene, decided once),
one task per processing window (whole rows of the plan's tiles, `stream_piece`, written to its own
GTiff `.<output name>.piece-NNNN-of-NNNN.tif` beside the output, under a temporary name renamed
when complete) and an assemble task (the pieces through a VRT into the COG, temporary name and
atomic rename as the engine). So the pixels are the engine's whatever the split, a big scene
spreads over the workers, and per-piece files are safe across processes and machines (each
piece has one writer at a time, a rename publishes it). The cluster is a
`distributed.LocalCluster` sized to this machine by default (processes, one task at a time per
worker, the networks' threads per worker set so the workers do not fight over the cores) or an
existing scheduler given by its address (its workers must see the same paths and have digisat
importable).

- A lost worker's scene is rescheduled by Dask on another worker (up to the scheduler's
  `allowed-failures`); an unexpected exception in a task is retried (`retries`, default 2). A
  user-facing error (`DigisatError`: a broken product, a missing band) is not retried: it is
  that scene's result.
- One scene failing does not stop the others; the `BatchReport` has one `SceneJob` per product.
- A rerun skips products whose output already exists as a valid COG with the bands asked for,
  and, within a scene, windows whose piece already exists for the same plan (its fingerprint is in
  the piece's metadata): an interrupted batch does only the missing work.
- `uncertainty`: each output gets its uncertainty layer beside it (`<name>_uncertainty.tif`,
  core/definitions.uncertainty_path_for, as `superresolve --uncertainty` writes it): each window
  task writes its piece of the layer with its piece of the output (the engine's
  `uncertainty_writer` on a PartWriter, `stream_piece(..., calibration=)`), the assemble task
  publishes the layer before the output (`assemble_uncertainty`), so an output that exists has its
  layer; a scene is skipped only when both exist.
- Whole-batch progress (pixels done over pixels to do, from the workers' progress events) goes
  to a core `Progress`; its cancel stops the batch (the cluster we started is closed, temporary
  files are removed, finished outputs stay).

Pure Python (no Qt); ONNX Runtime is loaded only in the workers.
"""

from __future__ import annotations

import glob
import logging
import os
import resource
import threading
import time
import uuid
from dataclasses import dataclass, field

from osgeo import gdal

from .definitions import ENHANCED_SUFFIX, uncertainty_path_for
from .errors import Cancelled, DigisatError, InputError, OutputError, first_line
from .progress import as_progress
from .runtime import TUNABLES_VAR, with_tunables

gdal.UseExceptions()

OUTPUT_SUFFIX = ENHANCED_SUFFIX
WORKER_MEMORY_GB = 2.0  # what one worker may take (a full tile's windows stay under 2 GB): caps the default worker count
WORKER_BATCH = 1  # tiles per network call on a worker (memory; see _predictor)
WINDOW_ROWS = 1920  # default processing window: about this many 10 m rows (whole rows of tiles) per task
DEFAULT_RETRIES = 2
EVENT_EVERY_S = 0.5  # a worker reports a scene's progress at most this often


@dataclass
class SceneJob:
    """One product of the batch and what became of it."""

    name: str
    input: str
    output: str
    pixels: int = 0  # 10 m output pixels (0 when the product could not be opened)
    bands: list = field(default_factory=list)
    status: str = "pending"  # pending, skipped, done, failed
    message: str = ""
    seconds: float = 0.0
    worker: str = ""
    attempts: int = 0  # how many times a worker started it (more than 1: retried after a loss or error)
    peak_rss_mb: float = 0.0  # peak resident memory of the worker process that wrote it
    width: int = 0
    height: int = 0
    windows: int = 1  # processing windows (tasks writing pieces)
    windows_resumed: int = 0  # of them, found already done by an earlier run
    workers: list = field(default_factory=list)  # every worker that ran one of its tasks
    worker_peaks: dict = field(default_factory=dict)  # worker address -> its peak resident memory (MB)
    uncertainty: str = ""  # the output's uncertainty layer, when asked for

    def line(self) -> str:
        if self.status == "done":
            again = f", {self.attempts} attempts" if self.attempts > 1 else ""
            resumed = f", {self.windows_resumed} already done" if self.windows_resumed else ""
            where = ", ".join(self.workers) or self.worker
            layer = f" + {os.path.basename(self.uncertainty)}" if self.uncertainty else ""
            return (f"done {self.name}: {self.output}{layer} ({self.width} x {self.height} px, {self.windows} "
                    f"window(s){resumed}) in {self.seconds:.1f} s on {where}{again}")
        if self.status == "skipped":
            return f"skipped {self.name}: {self.message}"
        return f"{self.status} {self.name}: {self.message}"


@dataclass
class BatchReport:
    scenes: list
    workers: int = 0
    threads_per_worker: int = 0
    cluster: str = ""  # "local" or the scheduler's address
    dashboard: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(job.status in ("done", "skipped") for job in self.scenes)

    def by_status(self, status: str) -> list:
        return [job for job in self.scenes if job.status == status]

    def summary(self) -> str:
        counts = {s: len(self.by_status(s)) for s in ("done", "skipped", "failed")}
        return (f"batch: {counts['done']} done, {counts['skipped']} skipped (already done), {counts['failed']} failed "
                f"of {len(self.scenes)} in {self.seconds:.1f} s")


def product_name(path: str) -> str:
    """The product's name for its output file: the file or folder name without .zip / .SAFE."""
    name = os.path.basename(os.path.normpath(str(path)))
    for ext in (".zip", ".ZIP", ".SAFE", ".safe"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


def output_for(out_dir: str, path: str) -> str:
    return os.path.join(os.path.abspath(out_dir), product_name(path) + OUTPUT_SUFFIX)


def is_valid_output(path: str, bands=None) -> bool:
    """True if `path` is a readable Cloud Optimized GeoTIFF (with exactly `bands`, when given)."""
    if not os.path.isfile(path):
        return False
    try:
        ds = gdal.Open(path)
        if ds is None or (ds.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE") or "").upper() != "COG":
            return False
        if bands is not None and [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)] != list(bands):
            return False
        last = ds.GetRasterBand(ds.RasterCount)
        last.ReadRaster(ds.RasterXSize - 1, ds.RasterYSize - 1, 1, 1)  # the last block decodes: not truncated
        return True
    except RuntimeError:
        return False


def temporary_files(output: str) -> list:
    """The engine's temporary files for `output` (`.<name>.<pid>.part.tif`, `.<name>.<pid>.cog.part.tif`)
    and its windows' (`..<name>.piece-NNNN-of-NNNN.tif.<pid>.part.tif`)."""
    folder, base = os.path.split(output)
    found = []
    for pattern in ("." + glob.escape(base) + ".*part.tif", ".." + glob.escape(base) + ".piece-*.part.tif"):
        found += glob.glob(os.path.join(glob.escape(folder), pattern))
    return sorted(found)


def piece_path(output: str, index: int, count: int) -> str:
    """Where window `index` of `count` of `output` is kept until the scene is assembled."""
    folder, base = os.path.split(output)
    return os.path.join(folder, f".{base}.piece-{index:04d}-of-{count:04d}.tif")


def piece_files(output: str) -> list:
    """Finished pieces of `output` (kept between runs until assembled)."""
    folder, base = os.path.split(output)
    return glob.glob(os.path.join(glob.escape(folder), "." + glob.escape(base) + ".piece-*-of-*.tif"))


def is_valid_piece(path: str, fingerprint: str, width: int, height: int, bands) -> bool:
    """True if `path` is a complete piece of the plan with `fingerprint`."""
    if not os.path.isfile(path):
        return False
    try:
        ds = gdal.Open(path)
        if ds is None or ds.GetMetadataItem("DIGISAT_PLAN") != fingerprint:
            return False
        if (ds.RasterXSize, ds.RasterYSize) != (width, height) or \
                [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)] != list(bands):
            return False
        ds.GetRasterBand(ds.RasterCount).ReadRaster(width - 1, height - 1, 1, 1)
        return True
    except RuntimeError:
        return False


def _remove_all(paths) -> None:
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass


def prepare_out_dir(out_dir: str) -> str:
    if not out_dir:
        raise OutputError("--out: give an output folder")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise OutputError(f"--out {out_dir}: is a file, not a folder")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {out_dir}: cannot create the folder ({first_line(exc)})") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"--out {out_dir}: no permission to write in this folder")
    return os.path.abspath(out_dir)


def plan_batch(products, out_dir: str, bands=None, tile_size=None, window_rows=None, uncertainty=False) -> list:
    """One SceneJob per product: skipped when its output (and with `uncertainty` its uncertainty
    layer) is already a valid COG, failed when the product cannot be used (read here, cheaply:
    headers only), else pending, with the number of processing windows it is cut into
    (`window_rows` 10 m rows each, default WINDOW_ROWS)."""
    from .definitions import ORDER, sort_bands
    from .io.aoi import window_for
    from .io.product import open_product
    from .sr.engine import default_bands, split_pieces, tile_shape
    from .sr.predict import inputs_for

    if not products:
        raise InputError("PRODUCT: give at least one product (SAFE folder or .zip, or a band folder)")
    unknown = [b for b in (bands or []) if b not in ORDER]
    if unknown:
        raise InputError(f"--bands: unknown band {unknown[0]}")
    out_dir = prepare_out_dir(out_dir)
    jobs, seen = [], {}
    for path in products:
        path = str(path)
        name = product_name(path)
        if name in seen:
            raise InputError(f"PRODUCT {path}: same name as {seen[name]}; both would write {name}{OUTPUT_SUFFIX}")
        seen[name] = path
        job = SceneJob(name=name, input=os.path.abspath(path), output=output_for(out_dir, path))
        if uncertainty:
            job.uncertainty = uncertainty_path_for(job.output)
        jobs.append(job)
        try:
            product = open_product(path)
        except DigisatError as exc:
            job.status, job.message = "failed", str(exc)
            continue
        try:
            job.bands = sort_bands(bands) if bands else default_bands(product)
            if "B10" in job.bands and product.level == "L2A":
                raise InputError(f"{product.path}: B10 (cirrus) exists only in L1C products")
            product.require(inputs_for(job.bands))
            window = window_for(product, None)
            job.width, job.height = window.width, window.height
            job.pixels = window.width * window.height
            job.windows = len(split_pieces(window, tile_shape(window, tile_size)[0], window_rows or WINDOW_ROWS))
        except DigisatError as exc:
            job.status, job.message = "failed", str(exc)
            continue
        finally:
            product.close()
        if is_valid_output(job.output, job.bands) and (not job.uncertainty or is_valid_output(job.uncertainty,
                                                                                              job.bands)):
            job.status, job.message = "skipped", (f"{job.output} exists (a valid COG with these bands"
                                                  f"{', and its uncertainty layer' if job.uncertainty else ''})")
    return jobs


def cluster_size(n_scenes: int, workers: int | None = None, cores: int | None = None,
                 memory_gb: float | None = None) -> tuple:
    """(worker processes, threads each) for a LocalCluster on this machine.

    n_scenes: what can run at once (run_batch gives the processing windows to do).
    Default: one worker per core, no more than that nor than the memory holds at
    WORKER_MEMORY_GB each; the cores are shared out evenly as the networks' (ONNX Runtime's) intra-op threads.
    """
    cores = cores or len(os.sched_getaffinity(0))
    if memory_gb is None:
        import psutil

        memory_gb = psutil.virtual_memory().available / 2**30
    if workers is None:
        workers = max(1, min(cores, max(n_scenes, 1), int(memory_gb // WORKER_MEMORY_GB)))
    return workers, max(1, cores // workers)


# ---- the worker side ---------------------------------------------------------------------------

_PREDICTORS: dict = {}
_THREADS_SET: list = []


def _limit_threads(threads: int | None) -> None:
    """This worker process's threads (once): ONNX Runtime's intra-op threads, read when the
    networks load (core/sr/predict.py), and the guided estimate's (core/sr/threads.py)."""
    if not threads or _THREADS_SET:
        return
    from .sr.threads import set_threads

    set_threads(int(threads))
    _THREADS_SET.append(int(threads))


def _predictor(model_dir, device):
    """One Predictor per worker process and model, so the networks load once, not once per scene.

    On the CPU, tiles go through the networks WORKER_BATCH at a time: half the activations of the
    engine's default batch of 2 (a worker shares the cores anyway), the same values (each tile's
    output does not depend on the tiles batched with it: tests/unit/test_engine_split.py)."""
    from .sr.predict import Predictor

    key = (model_dir, device)
    if key not in _PREDICTORS:
        predictor = Predictor(model_dir, device=device)
        if predictor.device == "cpu":
            predictor.batch_size = WORKER_BATCH
        _PREDICTORS[key] = predictor
    return _PREDICTORS[key]


def _emitter(topic: str, name: str):
    try:
        from distributed import get_worker

        worker = get_worker()
        address = worker.address
    except (ImportError, ValueError):
        return (lambda kind, **kw: None), ""

    def emit(kind, **payload):
        try:
            worker.log_event(topic, dict(payload, kind=kind, scene=name, worker=address, pid=os.getpid()))
        except Exception:  # noqa: BLE001 - progress must never fail the scene
            pass

    return emit, address


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _failed(exc, address, started) -> dict:
    return {"status": "failed", "message": str(exc), "worker": address, "seconds": time.monotonic() - started}


def _reporter(emit, **fields):
    last = [0.0]

    def report(fraction, message):
        now = time.monotonic()
        if now - last[0] >= EVENT_EVERY_S or fraction >= 1.0:
            last[0] = now
            emit("progress", fraction=float(fraction), message=message, **fields)

    return report


def plan_task(input_path: str, options: dict, topic: str, name: str) -> dict:
    """Runs on a worker: step 1 of the engine for one scene (core.sr.engine.plan_scene).

    Returns {"status": "planned", "plan": ScenePlan, ...}; a DigisatError (bad product) is returned
    as {"status": "failed"}, not raised, so Dask does not retry what cannot succeed."""
    from .sr.engine import plan_scene

    emit, address = _emitter(topic, name)
    emit("start", task="plan")
    started = time.monotonic()
    try:
        _limit_threads(options.get("worker_threads"))
        predictor = _predictor(options.get("model_dir"), options.get("device", "auto"))
        plan = plan_scene(input_path, bands=options.get("bands"), model_dir=options.get("model_dir"),
                          tile_size=options.get("tile_size"), device=options.get("device", "auto"),
                          predictor=predictor, harmonise=options.get("harmonise", True),
                          guard=options.get("guard", True))
    except DigisatError as exc:
        emit("failed", message=str(exc), task="plan")
        return _failed(exc, address, started)
    return {"status": "planned", "plan": plan, "worker": address, "pid": os.getpid(), "device": predictor.device,
            "seconds": time.monotonic() - started, "peak_rss_mb": _peak_mb()}


def piece_task(planned: dict, index: int, output_path: str, options: dict, topic: str, name: str,
               uncertainty_path: str | None = None) -> dict:
    """Runs on a worker: window `index` of the planned scene into its piece file (temporary name,
    renamed when complete), and with `uncertainty_path` its piece of the uncertainty layer too; a
    piece already there for the same plan is kept (resume; both pieces, when both are asked for)."""
    from .io.cog import PartWriter
    from .progress import Progress
    from .sr.engine import piece_geotransform, stream_piece, uncertainty_writer
    from .sr.uncertainty import load_calibration

    if planned.get("status") != "planned":
        return planned
    emit, address = _emitter(topic, name)
    emit("start", task=f"window {index}")
    started = time.monotonic()
    plan = planned["plan"]
    pieces = plan.pieces(options.get("window_rows") or WINDOW_ROWS)
    piece = pieces[index]
    path = piece_path(output_path, index, len(pieces))
    layer = piece_path(uncertainty_path, index, len(pieces)) if uncertainty_path else None
    fingerprint = plan.fingerprint()
    base = {"worker": address, "pid": os.getpid(), "index": index, "pixels": piece.width * piece.height,
            "uncertainty": layer}
    if all(is_valid_piece(p, fingerprint, piece.width, piece.height, plan.bands) for p in (path, layer) if p):
        emit("progress", fraction=1.0, message="window already done", window=index)
        return dict(base, status="resumed", path=path, seconds=0.0, peak_rss_mb=_peak_mb())
    try:
        _limit_threads(options.get("worker_threads"))
        predictor = _predictor(options.get("model_dir"), options.get("device", "auto"))
        metadata = {"DIGISAT_PLAN": fingerprint, "DIGISAT_WINDOW": f"{index + 1}/{len(pieces)}"}
        writers, calibration = [], None
        try:
            writers.append(PartWriter(path, piece.width, piece.height, plan.bands, piece_geotransform(plan, piece),
                                      plan.crs_wkt, metadata=metadata))
            if layer:
                calibration = load_calibration(predictor.model_dir)
                writers.append(uncertainty_writer(layer, plan, calibration, writer=PartWriter, piece=piece,
                                                  metadata=metadata))
            stream_piece(plan, piece, writers, predictor, Progress(_reporter(emit, window=index)),
                         calibration=calibration)
            for writer in writers:
                writer.commit()
        except BaseException:
            for writer in writers:
                writer.abort()
            raise
    except DigisatError as exc:
        emit("failed", message=str(exc), task=f"window {index}")
        return dict(base, **_failed(exc, address, started))
    out = dict(base, status="done", path=path, seconds=time.monotonic() - started, peak_rss_mb=_peak_mb())
    emit("progress", fraction=1.0, message="window done", window=index)
    return out


def assemble_task(planned: dict, pieces: list, output_path: str, topic: str, name: str,
                  uncertainty_path: str | None = None) -> dict:
    """Runs on a worker: the scene's pieces into its COG (temporary name, renamed when complete),
    with `uncertainty_path` the uncertainty layer's first (so an output that exists has its layer;
    the layer is removed again if the output cannot be written), then the pieces are removed. The
    scene's result as a dict."""
    from .io.cog import assemble_cog
    from .sr.engine import assemble_uncertainty
    from .sr.uncertainty import load_calibration

    emit, address = _emitter(topic, name)
    started = time.monotonic()
    if planned.get("status") != "planned":
        return planned
    failed = [p for p in pieces if p.get("status") not in ("done", "resumed")]
    if failed:
        return failed[0]
    emit("start", task="assemble")
    plan = planned["plan"]
    try:
        if uncertainty_path:
            assemble_uncertainty(uncertainty_path, [p["uncertainty"] for p in pieces], plan,
                                 load_calibration(plan.extra["model"]))
        try:
            assemble_cog(output_path, [p["path"] for p in pieces], plan.width, plan.height, plan.bands,
                         plan.geotransform, plan.crs_wkt, band_metadata=plan.band_metadata, metadata=plan.metadata)
        except BaseException:
            _remove_all([uncertainty_path] if uncertainty_path else [])
            raise
    except DigisatError as exc:
        emit("failed", message=str(exc), task="assemble")
        return _failed(exc, address, started)
    _remove_all(p[key] for p in pieces for key in ("path", "uncertainty") if p.get(key))
    tasks = [planned, *pieces, {"worker": address, "peak_rss_mb": _peak_mb(), "seconds": time.monotonic() - started}]
    peaks = {}
    for t in tasks:
        if t.get("worker"):
            peaks[t["worker"]] = max(peaks.get(t["worker"], 0.0), t.get("peak_rss_mb", 0.0))
    out = {"status": "done", "output": output_path, "uncertainty": uncertainty_path, "width": plan.width,
           "height": plan.height, "worker": address, "pid": os.getpid(), "device": planned.get("device", ""),
           "workers": sorted({p["worker"] for p in pieces if p.get("status") == "done"}),
           "windows": len(pieces), "windows_resumed": sum(p.get("status") == "resumed" for p in pieces),
           "worker_peaks": peaks, "peak_rss_mb": max(peaks.values(), default=0.0),
           "task_seconds": sum(t.get("seconds", 0.0) for t in tasks)}
    emit("done", seconds=out["task_seconds"], peak_rss_mb=out["peak_rss_mb"])
    return out


def scene_task(input_path: str, output_path: str, options: dict, topic: str, name: str,
               uncertainty_path: str | None = None) -> dict:
    """One scene in one task (plan, every window, assemble) on one worker: the same result as the
    split tasks, for callers that submit scenes themselves."""
    planned = plan_task(input_path, options, topic, name)
    if planned.get("status") != "planned":
        return planned
    n = len(planned["plan"].pieces(options.get("window_rows") or WINDOW_ROWS))
    pieces = [piece_task(planned, i, output_path, options, topic, name, uncertainty_path) for i in range(n)]
    return assemble_task(planned, pieces, output_path, topic, name, uncertainty_path)


# ---- the client side ---------------------------------------------------------------------------

class _Events:
    """Progress events from the workers (received on the client's event loop thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.fraction: dict = {}  # (scene, window) -> fraction done
        self.starts: dict = {}  # (scene, task) -> times started
        self.first: dict = {}  # scene -> when its first task started (client clock)
        self.log: list = []

    def __call__(self, event) -> None:
        msg = event[1] if isinstance(event, tuple) and len(event) == 2 else event
        if not isinstance(msg, dict):
            return
        with self.lock:
            self.log.append(msg)
            scene = msg.get("scene")
            if msg.get("kind") == "start":
                key = (scene, msg.get("task", ""))
                self.starts[key] = self.starts.get(key, 0) + 1
                self.first.setdefault(scene, time.monotonic())
            elif msg.get("kind") == "progress" and "window" in msg:
                self.fraction[(scene, msg["window"])] = msg.get("fraction", 0.0)

    def attempts(self, scene) -> int:
        """The most times one task of `scene` was started."""
        return max([n for (s, _t), n in self.starts.items() if s == scene] or [0])

    def scene_fraction(self, scene, windows: int) -> float:
        return sum(f for (s, _w), f in self.fraction.items() if s == scene) / max(windows, 1)


def start_cluster(n_scenes: int, scheduler: str | None = None, workers: int | None = None,
                  dashboard_address: str = ":8787", worker_threads: int | None = None):
    """(client, cluster or None, workers, threads): a LocalCluster of our own, or a client of `scheduler`."""
    from distributed import Client, LocalCluster

    if scheduler:
        if workers is not None:
            raise InputError(f"--workers: only for a local cluster; the scheduler at {scheduler} has its own workers")
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"--scheduler {scheduler}: cannot connect ({first_line(exc)})") from None
        n = len(client.scheduler_info().get("workers", {}))
        return client, None, n, worker_threads or 0
    if workers is not None and workers < 1:
        raise InputError(f"--workers: expected at least 1, got {workers}")
    n, threads = cluster_size(n_scenes, workers)
    threads = worker_threads or threads
    env = {"OMP_NUM_THREADS": str(threads), TUNABLES_VAR: with_tunables()[TUNABLES_VAR]}  # read by glibc when a worker starts (core/runtime.py)
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=dashboard_address,
                           silence_logs=logging.ERROR, env=env)
    try:
        client = Client(cluster)
    except BaseException:
        cluster.close()
        raise
    return client, cluster, n, threads


def run_batch(products, out_dir: str, scheduler: str | None = None, workers: int | None = None, bands=None,
              model_dir=None, tile_size=None, device: str = "auto", harmonise: bool = True, guard: bool = True,
              retries: int = DEFAULT_RETRIES, progress=None, notify=None, dashboard_address: str = ":8787",
              client=None, worker_threads: int | None = None, window_rows: int | None = None,
              uncertainty: bool = False) -> BatchReport:
    """Super-resolve every product to `out_dir/<name>_enhanced.tif` on Dask distributed, with
    `uncertainty` also its uncertainty layer `out_dir/<name>_uncertainty.tif`.

    scheduler: address of an existing cluster (tcp://HOST:8786), else a LocalCluster is started
    (`workers` processes, default sized to the machine) and closed at the end. client: an
    existing `distributed.Client` to use instead (not closed). window_rows: 10 m rows per
    processing window (task), rounded to whole rows of tiles (default WINDOW_ROWS). notify(line):
    one line per event worth saying (the cluster and its dashboard, each scene as it ends). Returns the report;
    raises DigisatError only for bad parameters (before any work), Cancelled on cancel.
    """
    started = time.monotonic()
    progress = as_progress(progress)
    notify = notify or (lambda line: None)
    if model_dir and not os.path.isdir(model_dir):
        raise InputError(f"--model {model_dir}: model folder not found")
    if retries < 0:
        raise InputError(f"retries: expected 0 or more, got {retries}")
    if window_rows is not None and window_rows < 1:
        raise InputError(f"--window-rows: expected at least 1, got {window_rows}")
    window_rows = window_rows or WINDOW_ROWS
    if uncertainty:
        from .sr.uncertainty import check_calibration

        check_calibration(model_dir)
    progress.update(0.0, "checking the products")
    jobs = plan_batch(products, out_dir, bands, tile_size=tile_size, window_rows=window_rows, uncertainty=uncertainty)
    report = BatchReport(scenes=jobs)
    for job in jobs:
        if job.status != "pending":
            notify(job.line())
    todo = [job for job in jobs if job.status == "pending"]
    if not todo:
        report.seconds = time.monotonic() - started
        progress.update(1.0, "nothing to do")
        return report

    own_client = client is None
    cluster = None
    if own_client:
        progress.update(0.0, "starting the cluster")
        client, cluster, report.workers, report.threads_per_worker = start_cluster(
            sum(job.windows for job in todo), scheduler, workers, dashboard_address, worker_threads)
    else:
        report.workers = len(client.scheduler_info().get("workers", {}))
    report.cluster = "local" if cluster is not None else str(client.scheduler.address)
    report.dashboard = client.dashboard_link if cluster is not None else ""
    if cluster is not None:
        notify(f"cluster: LocalCluster of {report.workers} worker(s) x {report.threads_per_worker} "
               f"thread(s); dashboard {report.dashboard}")
    else:
        notify(f"cluster: {report.cluster} ({report.workers} worker(s))")

    topic = f"digisat-batch-{uuid.uuid4().hex[:12]}"
    events = _Events()
    futures, job_tasks = {}, {}
    try:
        client.subscribe_topic(topic, events)
        options = {"bands": None, "model_dir": os.path.abspath(model_dir) if model_dir else None,
                   "tile_size": tile_size, "device": device, "harmonise": harmonise, "guard": guard,
                   "worker_threads": report.threads_per_worker or None, "window_rows": window_rows}
        for n, job in enumerate(todo):
            opts = dict(options, bands=job.bands)
            tag = f"digisat-scene-{job.name}"
            run = uuid.uuid4().hex[:8]
            # earlier scenes first (so they finish one after another, not all at the end), a scene's
            # assembly as soon as its windows are done
            prio = -2 * n
            planned = client.submit(plan_task, job.input, opts, topic, job.name, retries=retries, pure=False,
                                    key=f"{tag}-plan-{run}", priority=prio)
            layer = job.uncertainty or None
            pieces = [client.submit(piece_task, planned, i, job.output, opts, topic, job.name, layer,
                                    retries=retries, pure=False, key=f"{tag}-window-{i}-{run}", priority=prio)
                      for i in range(job.windows)]
            fut = client.submit(assemble_task, planned, pieces, job.output, topic, job.name, layer, retries=retries,
                                pure=False, key=f"{tag}-assemble-{run}", priority=prio + 1)
            futures[fut] = job
            job_tasks[fut] = [planned, *pieces]
        _wait(client, futures, events, todo, progress, notify)
    except BaseException:
        for fut in futures:
            fut.cancel()
        for tasks in job_tasks.values():
            for t in tasks:
                t.cancel()
        raise
    finally:
        try:
            client.unsubscribe_topic(topic)
        except Exception:  # noqa: BLE001 - the client may be gone already
            pass
        if own_client:
            client.close()
            if cluster is not None:
                cluster.close()
        for job in jobs:  # what a lost or killed worker left behind (finished outputs and windows stay)
            for target in (job.output, job.uncertainty):
                if target:
                    _remove_all(temporary_files(target))
                    if job.status in ("done", "skipped"):
                        _remove_all(piece_files(target))
    with events.lock:
        for job in todo:
            job.attempts = max(job.attempts, events.attempts(job.name))
    report.seconds = time.monotonic() - started
    progress.update(1.0, report.summary())
    return report


def _wait(client, futures: dict, events: _Events, todo: list, progress, notify) -> None:
    from distributed import as_completed

    total = sum(job.pixels for job in todo) or 1
    finished_pixels = 0
    ac = as_completed(list(futures))
    remaining = len(futures)
    while remaining:
        for fut in ac.next_batch(block=False):
            remaining -= 1
            job = futures[fut]
            _settle(fut, job, events)
            finished_pixels += job.pixels
            notify(job.line())
        with events.lock:
            running = sum(events.scene_fraction(j.name, j.windows) * j.pixels for j in todo if j.status == "pending")
            n_done = sum(1 for j in todo if j.status != "pending")
        progress.update((finished_pixels + running) / total, f"{n_done}/{len(todo)} scenes")
        if remaining:
            time.sleep(0.5)


def _settle(fut, job: SceneJob, events: _Events) -> None:
    """Fill `job` from its finished assemble future."""
    with events.lock:
        job.attempts = events.attempts(job.name)
        first = events.first.get(job.name)
    job.seconds = time.monotonic() - first if first is not None else 0.0
    if fut.status == "finished":
        result = fut.result()
        job.status = result["status"]
        job.worker = result.get("worker", "")
        if job.status == "done":
            job.width, job.height = result["width"], result["height"]
            job.peak_rss_mb = result.get("peak_rss_mb", 0.0)
            job.worker_peaks = result.get("worker_peaks", {})
            job.workers = result.get("workers", [])
            job.windows = result.get("windows", job.windows)
            job.windows_resumed = result.get("windows_resumed", 0)
        else:
            job.status = "failed"
            job.message = result.get("message", "failed")
        return
    job.status = "failed"
    if fut.status == "cancelled":
        job.message = "cancelled"
        return
    exc = fut.exception()
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        job.message = "its worker was lost on every attempt (killed, or out of memory); see the worker logs"
    else:
        job.message = f"{type(exc).__name__}: {first_line(exc)}"


__all__ = ["run_batch", "plan_batch", "BatchReport", "SceneJob", "is_valid_output", "cluster_size", "piece_path",
           "piece_files", "Cancelled"]
