"""A full-size tile end to end: the single-process engine against `batch` on Dask distributed with
2 and 1 workers, with wall time, throughput and peak memory per worker process.

Builds (once, into a cache folder, reused by later runs) a SIZE x SIZE px band folder at 10 m by
mirroring the shared Virginia scene (../shared/data/sentinel2/S2A_L1C_20160112_T18SVG_virginia,
1926 x 1938 px, reflected about its edges: real pixel values, but SYNTHETIC IN STRUCTURE - a
mirrored mosaic, not a real tile; 10980 is a whole Sentinel-2 tile), then runs, in this order:
- batch, 2 workers: core.batch.run_batch on a LocalCluster of 2 processes (cores shared out as
  TensorFlow threads), the scene cut into processing windows (one task each, assembled into the COG);
- single process: a fresh process calling core.sr.engine.superresolve;
- batch, 1 worker.
Peak memory: the resident set size of every worker process (and of the single-process child),
sampled by psutil every 0.25 s from outside, and ru_maxrss reported by each process itself; the
larger is printed. The outputs of the runs are compared (largest difference in DN). Each result
line is printed when its run ends, so a run cut short still leaves what it measured.

Run: make bench-tile   (or .venv/bin/python scripts/bench_tile.py [--size 10980] [--runs 2,single,1]
     [--window-rows 1920] [--cache build/bench-tile] [--model DIR] [--device cpu])
A quick check: --size 2196 (a fifth of a tile a side).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from bench_batch import VIRGINIA, mirrored_scene  # noqa: E402 (scripts/ is the script's own folder on the path)

CACHE = os.path.join(REPO, "build", "bench-tile")


def cached_scene(source: str, cache: str, size: int) -> str:
    """The mirrored band folder of `size` px in `cache`, built once (into a temporary folder renamed
    when complete, so a cut build is never reused)."""
    dest = os.path.join(cache, f"mirrored_{size}_0")
    if os.path.isfile(os.path.join(dest, "scene.json")):
        return dest
    os.makedirs(cache, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".mirrored_{size}_0-", dir=cache)
    try:
        mirrored_scene(source, tmp, size)
        os.chmod(tmp, 0o755)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


class RssSampler:
    """Peak resident memory of every descendant process of `root` (psutil), sampled in a thread."""

    def __init__(self, root: int, every: float = 0.25):
        import psutil

        self.psutil, self.root, self.every = psutil, psutil.Process(root), every
        self.peak: dict = {}  # pid -> bytes
        self.names: dict = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            try:
                procs = self.root.children(recursive=True)
            except self.psutil.NoSuchProcess:
                return
            for p in procs:
                try:
                    cmd = " ".join(p.cmdline())
                    if "resource_tracker" in cmd:
                        continue
                    rss = p.memory_info().rss
                except (self.psutil.NoSuchProcess, self.psutil.AccessDenied):
                    continue
                self.peak[p.pid] = max(self.peak.get(p.pid, 0), rss)
                self.names.setdefault(p.pid, cmd[:80])
            self.stop.wait(self.every)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)

    def big(self, least_mb: float = 200) -> list:
        """Peaks (MB) of the processes that grew past `least_mb` (the workers, not helpers)."""
        return sorted(v / 2**20 for v in self.peak.values() if v / 2**20 >= least_mb)


def single_child(out: str, model: str | None, device: str, scene: str) -> None:
    """Fresh process: the engine on the scene; one JSON line with its time and peak memory."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from digisat_plugin.core.sr.engine import superresolve

    start = time.perf_counter()
    r = superresolve(scene, out, model_dir=model, device=device)
    print(json.dumps({"seconds": time.perf_counter() - start, "pixels": r.width * r.height,
                      "self_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_single(out_dir, model, device, scene) -> dict:
    out = os.path.join(out_dir, "single_enhanced.tif")
    cmd = [sys.executable, os.path.abspath(__file__), "--single-child", out, "--device", device,
           *(["--model", model] if model else []), scene]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    with RssSampler(os.getpid()) as rss:
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"single-process run failed: {stderr.strip().splitlines()[-1:]}")
    r = json.loads(stdout.strip().splitlines()[-1])
    return {"wall": wall, "pixels": r["pixels"], "peak_mb": [max(r["self_peak_mb"], max(rss.big() or [0]))],
            "output": out, "windows": 1}


def run_workers(out_dir, model, device, scene, workers: int, window_rows) -> dict:
    from digisat_plugin.core.batch import run_batch

    start = time.perf_counter()
    with RssSampler(os.getpid()) as rss:
        report = run_batch([scene], out_dir, workers=workers, model_dir=model, device=device,
                           dashboard_address=":0", window_rows=window_rows)
    wall = time.perf_counter() - start
    if not report.ok:
        raise SystemExit("batch failed: " + "; ".join(j.line() for j in report.by_status("failed")))
    job = report.scenes[0]
    sampled = rss.big()
    reported = sorted(job.worker_peaks.values())
    # per worker: the larger of what it reported and what was sampled (same count of processes)
    peaks = [max(a, b) for a, b in zip(sorted(sampled)[-workers:], reported, strict=False)] if len(sampled) >= len(reported) \
        else reported
    return {"wall": wall, "pixels": job.width * job.height, "peak_mb": sorted(peaks), "sampled_mb": sampled,
            "reported_mb": reported, "threads": report.threads_per_worker, "attempts": job.attempts,
            "windows": job.windows, "output": job.output}


def max_difference(a: str, b: str) -> int:
    """Largest absolute difference in DN between two rasters of the same shape, read in strips."""
    from osgeo import gdal

    da, db = gdal.Open(a), gdal.Open(b)
    if (da.RasterXSize, da.RasterYSize, da.RasterCount) != (db.RasterXSize, db.RasterYSize, db.RasterCount):
        return -1
    worst = 0
    for i in range(1, da.RasterCount + 1):
        ba, bb = da.GetRasterBand(i), db.GetRasterBand(i)
        for y in range(0, da.RasterYSize, 1024):
            h = min(1024, da.RasterYSize - y)
            xa = ba.ReadAsArray(0, y, da.RasterXSize, h).astype(np.int32)
            xb = bb.ReadAsArray(0, y, da.RasterXSize, h).astype(np.int32)
            worst = max(worst, int(np.abs(xa - xb).max()))
    return worst


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", type=int, default=10980, help="scene side in 10 m px, a multiple of 6 (default: a "
                   "whole tile, 10980)")
    p.add_argument("--runs", default="2,single,1", help="which runs, in order: 2 (batch, 2 workers), single, "
                   "1 (batch, 1 worker)")
    p.add_argument("--window-rows", type=int, default=None, help="batch: 10 m rows per processing window")
    p.add_argument("--cache", default=CACHE, help="where the mirrored scene is built once and kept")
    p.add_argument("--source", default=VIRGINIA, help="band folder to mirror (default: the shared Virginia scene)")
    p.add_argument("--model", help="model folder (default: model_weights/)")
    p.add_argument("--device", default="cpu", choices=("cpu", "gpu", "auto"))
    p.add_argument("--keep-outputs", action="store_true", help="keep the output COGs in the cache folder")
    p.add_argument("--single-child", metavar="OUT", help=argparse.SUPPRESS)
    p.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.single_child:
        single_child(args.single_child, args.model, args.device, args.rest[0])
        return 0
    if not os.path.isdir(args.source):
        raise SystemExit(f"--source {args.source}: not found (the shared data folder)")
    t = time.perf_counter()
    scene = cached_scene(args.source, args.cache, args.size)
    print(f"scene: {args.size} x {args.size} px (10 m, {args.size ** 2 / 1e6:.1f} MP), mirrored from "
          f"{args.source} (synthetic in structure), {scene} ({time.perf_counter() - t:.0f} s to build or find)")
    print(f"cores: {len(os.sched_getaffinity(0))}, load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    labels = {"2": "batch, 2 workers", "single": "single process", "1": "batch, 1 worker"}
    runs, outputs = {}, {}
    work = tempfile.mkdtemp(prefix="out-", dir=args.cache)
    try:
        for key in args.runs.split(","):
            label = labels[key]
            out = os.path.join(work, key)
            os.makedirs(out)
            load0 = os.getloadavg()[0]
            r = run_single(out, args.model, args.device, scene) if key == "single" else \
                run_workers(out, args.model, args.device, scene, int(key), args.window_rows)
            r["load"] = (load0, os.getloadavg()[0])
            runs[label], outputs[label] = r, r["output"]
            mps = r["pixels"] / 1e6 / r["wall"]
            extra = (f", {r['threads']} TF thread(s) each, {r['windows']} windows" if "threads" in r else "")
            print(f"{label:17s} {r['wall']:7.1f} s  {mps:5.3f} MP/s  peak memory per worker "
                  f"{', '.join(f'{m / 1024:.2f} GB' for m in r['peak_mb'])}{extra}  (load {load0:.1f} -> "
                  f"{r['load'][1]:.1f})", flush=True)
        if len(outputs) > 1:
            ref_label = "single process" if "single process" in outputs else next(iter(outputs))
            for label, path in outputs.items():
                if label != ref_label:
                    print(f"largest difference {label} vs {ref_label}: {max_difference(path, outputs[ref_label])} DN",
                          flush=True)
        if "batch, 1 worker" in runs and "batch, 2 workers" in runs:
            print(f"speed-up 2 workers vs 1: x{runs['batch, 1 worker']['wall'] / runs['batch, 2 workers']['wall']:.2f}")
        if "single process" in runs and "batch, 2 workers" in runs:
            print(f"batch 2 workers vs single process: "
                  f"x{runs['single process']['wall'] / runs['batch, 2 workers']['wall']:.2f}")
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
        summary = {"size": args.size, "runs": {k: {kk: vv for kk, vv in v.items() if kk != "output"}
                                               for k, v in runs.items()}}
        with open(os.path.join(args.cache, f"result_{args.size}.json"), "w") as f:
            json.dump(summary, f, indent=1)
        print(json.dumps(summary))
    finally:
        if not args.keep_outputs:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
