"""Many scenes: the single-process engine against `batch` on Dask distributed with 1 and 2 workers.

Builds SCENES band folders of SIZE x SIZE px at 10 m by mirroring the shared Virginia scene
(../shared/data/sentinel2/S2A_L1C_20160112_T18SVG_virginia, 1926 x 1938 px, reflected about its
edges as often as needed: real pixel values, but SYNTHETIC IN STRUCTURE - a mirrored mosaic, not a
real tile), then super-resolves all of them three ways, each in the same run:
- single: one fresh process calling core.sr.engine.superresolve on each scene in turn
  (TensorFlow's default threads: all cores);
- batch with 1 worker (TensorFlow threads = all cores) and with 2 workers (cores shared out):
  core.batch.run_batch on a LocalCluster (per scene a plan task, one task per processing window,
  an assemble task).
Prints wall time (cluster start and TensorFlow loading included), megapixels of 10 m output per
second, peak resident memory per worker process (ru_maxrss, reported by the worker itself) and
the speed-ups. The machine's load average is printed too: other work on the cores skews it.

Run: make bench-batch   (or .venv/bin/python scripts/bench_batch.py [--size 1800] [--scenes 2]
     [--model DIR] [--device cpu] [--keep DIR])
One full tile, with memory sampled from outside and the runs in one go: scripts/bench_tile.py.
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
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIRGINIA = os.path.join(os.path.dirname(REPO), "shared", "data", "sentinel2", "S2A_L1C_20160112_T18SVG_virginia")
BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12")


def mirrored_scene(src: str, dest: str, size: int, shift: int = 0) -> str:
    """A SIZE x SIZE px (10 m) band folder: each band of `src` reflected about its edges (numpy
    'symmetric' padding) to the size; `shift` (multiple of 6 px) starts the mosaic elsewhere, so
    the scenes differ. Same origin, resolution and CRS as `src`."""
    from osgeo import gdal

    gdal.UseExceptions()
    if size % 6:
        raise SystemExit(f"--size {size}: must be a multiple of 6 (whole 60 m pixels)")
    os.makedirs(dest, exist_ok=True)
    for band in BANDS:
        ds = gdal.Open(os.path.join(src, f"{band}.tif"))
        gt = ds.GetGeoTransform()
        ratio = int(round(gt[1] / 10.0))
        arr = ds.GetRasterBand(1).ReadAsArray()
        n, off = size // ratio, shift // ratio
        reps = -(-(n + off) // min(arr.shape)) + 1
        big = np.pad(arr, ((0, reps * arr.shape[0]), (0, reps * arr.shape[1])), mode="symmetric")[off:off + n, off:off + n]
        out = gdal.GetDriverByName("GTiff").Create(os.path.join(dest, f"{band}.tif"), n, n, 1, gdal.GDT_UInt16,
                                                   ["TILED=YES", "COMPRESS=DEFLATE", "ZLEVEL=1", "BIGTIFF=IF_SAFER"])
        out.SetGeoTransform(gt)
        out.SetProjection(ds.GetProjection())
        out.GetRasterBand(1).WriteArray(big)
        out = None
    with open(os.path.join(dest, "scene.json"), "w") as f:
        json.dump({"level": "L1C", "id": os.path.basename(dest), "date": "2016-01-12",
                   "note": "synthetic in structure: the Virginia scene mirrored about its edges (scripts/bench_batch.py)"}, f)
    return dest


def single_child(out_dir: str, model: str | None, device: str, scenes) -> None:
    """Fresh process: the engine on each scene in turn; one JSON line with time and peak memory."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from digisat_plugin.core.sr.engine import superresolve

    start = time.perf_counter()
    pixels = 0
    for scene in scenes:
        r = superresolve(scene, os.path.join(out_dir, os.path.basename(scene) + "_enhanced.tif"), model_dir=model,
                         device=device)
        pixels += r.width * r.height
    print(json.dumps({"seconds": time.perf_counter() - start, "pixels": pixels,
                      "peak_mb": [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]}))


def run_single(out_dir, model, device, scenes) -> dict:
    start = time.perf_counter()
    cmd = [sys.executable, __file__, "--single-child", out_dir, "--device", device, *(["--model", model] if model else []),
           *scenes]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    if proc.returncode:
        raise SystemExit(f"single-process run failed: {proc.stderr.strip().splitlines()[-1:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def run_workers(out_dir, model, device, scenes, workers: int) -> dict:
    from digisat_plugin.core.batch import run_batch

    start = time.perf_counter()
    report = run_batch(scenes, out_dir, workers=workers, model_dir=model, device=device, dashboard_address=":0")
    wall = time.perf_counter() - start
    if not report.ok:
        raise SystemExit("batch failed: " + "; ".join(j.line() for j in report.by_status("failed")))
    peak = {}
    for job in report.scenes:
        for worker, mb in (job.worker_peaks or {job.worker: job.peak_rss_mb}).items():
            peak[worker] = max(peak.get(worker, 0.0), mb)
    return {"wall": wall, "pixels": sum(j.width * j.height for j in report.scenes), "peak_mb": sorted(peak.values()),
            "threads": report.threads_per_worker, "attempts": [j.attempts for j in report.scenes]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", type=int, default=1800, help="scene side in 10 m px, a multiple of 6 (full tile: 10980)")
    p.add_argument("--scenes", type=int, default=2, help="how many scenes (band folders) in the batch")
    p.add_argument("--source", default=VIRGINIA, help="band folder to mirror (default: the shared Virginia scene)")
    p.add_argument("--model", help="model folder (default: model_weights/)")
    p.add_argument("--device", default="cpu", choices=("cpu", "gpu", "auto"))
    p.add_argument("--keep", metavar="DIR", help="build the scenes in DIR and keep them (default: a temporary folder)")
    p.add_argument("--single-child", metavar="OUT", help=argparse.SUPPRESS)
    p.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.single_child:
        single_child(args.single_child, args.model, args.device, args.rest)
        return 0
    if not os.path.isdir(args.source):
        raise SystemExit(f"--source {args.source}: not found (the shared data folder)")
    work = args.keep or tempfile.mkdtemp(prefix="digisat-bench-batch-")
    try:
        t = time.perf_counter()
        scenes = [mirrored_scene(args.source, os.path.join(work, f"mirrored_{args.size}_{i}"), args.size, shift=600 * i)
                  if not os.path.isfile(os.path.join(work, f"mirrored_{args.size}_{i}", "B12.tif"))
                  else os.path.join(work, f"mirrored_{args.size}_{i}") for i in range(args.scenes)]
        print(f"built {args.scenes} scene(s) of {args.size} x {args.size} px (10 m) mirrored from {args.source} "
              f"(synthetic in structure) in {time.perf_counter() - t:.0f} s")
        print(f"cores: {len(os.sched_getaffinity(0))}, load average at start: {os.getloadavg()[0]:.1f}")
        runs = {}
        for label, fn in (("single process", lambda o: run_single(o, args.model, args.device, scenes)),
                          ("batch, 1 worker", lambda o: run_workers(o, args.model, args.device, scenes, 1)),
                          ("batch, 2 workers", lambda o: run_workers(o, args.model, args.device, scenes, 2))):
            out = tempfile.mkdtemp(prefix="out-", dir=work)
            runs[label] = r = fn(out)
            shutil.rmtree(out, ignore_errors=True)
            mps = r["pixels"] / 1e6 / r["wall"]
            threads = f", {r['threads']} TF thread(s) each" if "threads" in r else ""
            print(f"{label:17s} {r['wall']:7.1f} s  {mps:5.2f} MP/s  peak memory per worker "
                  f"{', '.join(f'{m / 1024:.2f} GB' for m in r['peak_mb'])}{threads}", flush=True)
        one, two, single = (runs[k]["wall"] for k in ("batch, 1 worker", "batch, 2 workers", "single process"))
        print(f"speed-up 2 workers vs 1: x{one / two:.2f}; batch 2 workers vs single process: x{single / two:.2f}; "
              f"load average at end: {os.getloadavg()[0]:.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
