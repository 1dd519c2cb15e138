"""Many products in one run, on Dask distributed.

`run_batch(products, out_dir, ...)` super-resolves every product to `out_dir/<name>_enhanced.tif`
with one Dask task per scene, each calling the one engine (`core.sr.engine.superresolve`, which
writes under a temporary name and renames when complete). The cluster is a
`distributed.LocalCluster` sized to this machine by default (processes, one task at a time per
worker, TensorFlow's threads per worker set so the workers do not fight over the cores) or an
existing scheduler given by its address (its workers must see the same paths and have digisat
importable).

- A lost worker's scene is rescheduled by Dask on another worker (up to the scheduler's
  `allowed-failures`); an unexpected exception in a task is retried (`retries`, default 2). A
  user-facing error (`DigisatError`: a broken product, a missing band) is not retried: it is
  that scene's result.
- One scene failing does not stop the others; the `BatchReport` has one `SceneJob` per product.
- A rerun skips products whose output already exists as a valid COG with the bands asked for.
- Whole-batch progress (pixels done over pixels to do, from the workers' progress events) goes
  to a core `Progress`; its cancel stops the batch (the cluster we started is closed, temporary
  files are removed, finished outputs stay).

Pure Python (no Qt); TensorFlow is imported only in the workers.
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

from .errors import Cancelled, DigisatError, InputError, OutputError, first_line
from .progress import as_progress

gdal.UseExceptions()

OUTPUT_SUFFIX = "_enhanced.tif"
WORKER_MEMORY_GB = 3.0  # what one engine run may take (a full tile peaked at 2.8 GB): caps the default worker count
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

    def line(self) -> str:
        if self.status == "done":
            again = f", {self.attempts} attempts" if self.attempts > 1 else ""
            return (f"done {self.name}: {self.output} ({self.width} x {self.height} px) in {self.seconds:.1f} s "
                    f"on {self.worker}{again}")
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
    """The engine's temporary files for `output` (`.<name>.<pid>.part.tif`, `.<name>.<pid>.cog.part.tif`)."""
    folder, base = os.path.split(output)
    return glob.glob(os.path.join(glob.escape(folder), "." + glob.escape(base) + ".*part.tif"))


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


def plan_batch(products, out_dir: str, bands=None) -> list:
    """One SceneJob per product: skipped when its output is already a valid COG, failed when the
    product cannot be used (read here, cheaply: headers only), else pending."""
    from .definitions import ORDER, sort_bands
    from .io.aoi import window_for
    from .io.product import open_product
    from .sr.engine import default_bands
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
        except DigisatError as exc:
            job.status, job.message = "failed", str(exc)
            continue
        finally:
            product.close()
        if is_valid_output(job.output, job.bands):
            job.status, job.message = "skipped", f"{job.output} exists (a valid COG with these bands)"
    return jobs


def cluster_size(n_scenes: int, workers: int | None = None, cores: int | None = None,
                 memory_gb: float | None = None) -> tuple:
    """(worker processes, TensorFlow threads each) for a LocalCluster on this machine.

    Default: one worker per core, no more than the scenes to do nor than the memory holds at
    WORKER_MEMORY_GB each; the cores are shared out evenly as TensorFlow intra-op threads.
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
_TF_THREADS: list = []


def _limit_tf_threads(threads: int | None) -> None:
    """TensorFlow's intra-op threads for this worker process (once, before TensorFlow starts work)."""
    if not threads or _TF_THREADS:
        return
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # already initialised (the environment variables set at spawn still hold)
        pass
    _TF_THREADS.append(int(threads))


def _predictor(model_dir, device):
    """One Predictor per worker process and model, so the networks load once, not once per scene."""
    from .sr.predict import Predictor

    key = (model_dir, device)
    if key not in _PREDICTORS:
        _PREDICTORS[key] = Predictor(model_dir, device=device)
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


def scene_task(input_path: str, output_path: str, options: dict, topic: str, name: str) -> dict:
    """Runs on a worker: one product through the engine. Returns the scene's result as a dict;
    a DigisatError (bad product, unwritable output) is returned as {"status": "failed"}, not raised,
    so Dask does not retry what cannot succeed."""
    from .progress import Progress
    from .sr.engine import superresolve

    emit, address = _emitter(topic, name)
    emit("start")
    started = time.monotonic()
    last = [0.0]

    def report(fraction, message):
        now = time.monotonic()
        if now - last[0] >= EVENT_EVERY_S or fraction >= 1.0:
            last[0] = now
            emit("progress", fraction=float(fraction), message=message)

    try:
        _limit_tf_threads(options.get("tf_threads"))
        predictor = _predictor(options.get("model_dir"), options.get("device", "auto"))
        result = superresolve(input_path, output_path, bands=options.get("bands"), model_dir=options.get("model_dir"),
                              tile_size=options.get("tile_size"), device=options.get("device", "auto"),
                              progress=Progress(report), predictor=predictor,
                              harmonise=options.get("harmonise", True), guard=options.get("guard", True))
    except DigisatError as exc:
        emit("failed", message=str(exc))
        return {"status": "failed", "message": str(exc), "worker": address, "seconds": time.monotonic() - started}
    out = {"status": "done", "output": result.output, "width": result.width, "height": result.height,
           "seconds": time.monotonic() - started, "worker": address, "pid": os.getpid(),
           "device": result.extra.get("device", ""),
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    emit("done", **{k: out[k] for k in ("seconds", "peak_rss_mb")})
    return out


# ---- the client side ---------------------------------------------------------------------------

class _Events:
    """Progress events from the workers (received on the client's event loop thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.fraction: dict = {}
        self.starts: dict = {}
        self.log: list = []

    def __call__(self, event) -> None:
        msg = event[1] if isinstance(event, tuple) and len(event) == 2 else event
        if not isinstance(msg, dict):
            return
        with self.lock:
            self.log.append(msg)
            scene = msg.get("scene")
            if msg.get("kind") == "start":
                self.starts[scene] = self.starts.get(scene, 0) + 1
                self.fraction[scene] = 0.0
            elif msg.get("kind") == "progress":
                self.fraction[scene] = msg.get("fraction", 0.0)


def start_cluster(n_scenes: int, scheduler: str | None = None, workers: int | None = None,
                  dashboard_address: str = ":8787", tf_threads: int | None = None):
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
        return client, None, n, tf_threads or 0
    if workers is not None and workers < 1:
        raise InputError(f"--workers: expected at least 1, got {workers}")
    n, threads = cluster_size(n_scenes, workers)
    threads = tf_threads or threads
    env = {"TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "1",
           "OMP_NUM_THREADS": str(threads), "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
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
              client=None, tf_threads: int | None = None) -> BatchReport:
    """Super-resolve every product to `out_dir/<name>_enhanced.tif` on Dask distributed.

    scheduler: address of an existing cluster (tcp://HOST:8786), else a LocalCluster is started
    (`workers` processes, default sized to the machine) and closed at the end. client: an
    existing `distributed.Client` to use instead (not closed). notify(line): one line per event
    worth saying (the cluster and its dashboard, each scene as it ends). Returns the report;
    raises DigisatError only for bad parameters (before any work), Cancelled on cancel.
    """
    started = time.monotonic()
    progress = as_progress(progress)
    notify = notify or (lambda line: None)
    if model_dir and not os.path.isdir(model_dir):
        raise InputError(f"--model {model_dir}: model folder not found")
    if retries < 0:
        raise InputError(f"retries: expected 0 or more, got {retries}")
    progress.update(0.0, "checking the products")
    jobs = plan_batch(products, out_dir, bands)
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
            len(todo), scheduler, workers, dashboard_address, tf_threads)
    else:
        report.workers = len(client.scheduler_info().get("workers", {}))
    report.cluster = "local" if cluster is not None else str(client.scheduler.address)
    report.dashboard = client.dashboard_link if cluster is not None else ""
    if cluster is not None:
        notify(f"cluster: LocalCluster of {report.workers} worker(s) x {report.threads_per_worker} TensorFlow "
               f"thread(s); dashboard {report.dashboard}")
    else:
        notify(f"cluster: {report.cluster} ({report.workers} worker(s))")

    topic = f"digisat-batch-{uuid.uuid4().hex[:12]}"
    events = _Events()
    futures = {}
    try:
        client.subscribe_topic(topic, events)
        options = {"bands": None, "model_dir": os.path.abspath(model_dir) if model_dir else None,
                   "tile_size": tile_size, "device": device, "harmonise": harmonise, "guard": guard,
                   "tf_threads": report.threads_per_worker or None}
        for job in todo:
            opts = dict(options, bands=job.bands)
            fut = client.submit(scene_task, job.input, job.output, opts, topic, job.name, retries=retries,
                                pure=False, key=f"digisat-scene-{job.name}-{uuid.uuid4().hex[:8]}")
            futures[fut] = job
        _wait(client, futures, events, todo, progress, notify)
    except BaseException:
        for fut in futures:
            fut.cancel()
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
        for job in jobs:  # what a lost or killed worker left behind (finished outputs stay)
            for path in temporary_files(job.output):
                try:
                    os.remove(path)
                except OSError:
                    pass
    with events.lock:
        for job in todo:
            job.attempts = max(job.attempts, events.starts.get(job.name, 0))
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
            running = sum(events.fraction.get(j.name, 0.0) * j.pixels for j in todo if j.status == "pending")
            n_done = sum(1 for j in todo if j.status != "pending")
        progress.update((finished_pixels + running) / total, f"{n_done}/{len(todo)} scenes")
        if remaining:
            time.sleep(0.5)


def _settle(fut, job: SceneJob, events: _Events) -> None:
    """Fill `job` from its finished future."""
    with events.lock:
        job.attempts = events.starts.get(job.name, 0)
    if fut.status == "finished":
        result = fut.result()
        job.status = result["status"]
        job.worker = result.get("worker", "")
        job.seconds = result.get("seconds", 0.0)
        if job.status == "done":
            job.width, job.height = result["width"], result["height"]
            job.peak_rss_mb = result.get("peak_rss_mb", 0.0)
        else:
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


__all__ = ["run_batch", "plan_batch", "BatchReport", "SceneJob", "is_valid_output", "cluster_size", "Cancelled"]
