"""`batch PRODUCT... --out DIR`: many products, one 10 m COG each, on Dask distributed (core/batch.py)."""

from __future__ import annotations

import argparse
import sys

from ..core.definitions import DEVICE_HELP, DEVICES
from .progressbar import TerminalProgress
from .superresolve import add_dn_scale_option, add_uncertainty_option, band_list, positive_tile


def worker_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of worker processes, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 worker, got {value}")
    return value


def row_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of 10 m rows, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 row, got {value}")
    return value


def register(sub) -> None:
    p = sub.add_parser(
        "batch",
        help="super-resolve many products on Dask distributed",
        description="Super-resolve every PRODUCT (SAFE folder or .zip, or a folder of band rasters) to "
        "DIR/<product name>_enhanced.tif on Dask distributed (per product a plan task, one task per processing window, "
        "an assemble task), on a local cluster sized to this machine "
        "or on an existing Dask scheduler; with --uncertainty also DIR/<product name>_uncertainty.tif. A product whose "
        "output (and, with --uncertainty, its uncertainty layer) already exists as a valid COG is skipped, so a "
        "rerun does only what is missing (finished windows of an unfinished product included). One product failing does not stop the others; the exit status is 0 "
        "only if every product is done.",
    )
    p.add_argument("products", nargs="+", metavar="PRODUCT", help="SAFE folder, SAFE .zip or folder of band rasters")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://HOST:8786 (its "
                   "workers must see the same paths and have digisat installed); default: a local cluster")
    p.add_argument("--workers", type=worker_count, metavar="N", help="worker processes of the local cluster "
                   "(default: one per core, at most one per processing window and per 2 GB of free memory)")
    p.add_argument("--threads", "--tf-threads", dest="worker_threads", type=worker_count, metavar="N",
                   help="the networks' threads per worker (default: the cores shared out evenly between the local "
                   "workers; on an existing scheduler, each worker's cores)")
    p.add_argument("--bands", type=band_list, help="output bands, e.g. B05,B8A,B12 or 20m,60m (default: all but "
                   "B10)")
    p.add_argument("--model", metavar="DIR", help="folder with net20/ and net60/ (default: model_weights/)")
    p.add_argument("--window-rows", type=row_count, metavar="N", help="10 m rows per processing window, one Dask "
                   "task each, rounded to whole rows of tiles (default 1920: a full tile is 6 windows); the blur "
                   "and the guard are decided once per scene, so the values do not depend on it")
    p.add_argument("--tile-size", type=positive_tile, help="tile core size in 10 m pixels (default: the engine's)")
    add_dn_scale_option(p)
    add_uncertainty_option(p, beside="DIR/<product name>_uncertainty.tif")
    p.add_argument("--no-guard", action="store_true", help="write the networks' output even where the guard finds "
                   "the guided estimate better (as superresolve --no-guard)")
    p.add_argument("--device", choices=DEVICES, default="auto", help=DEVICE_HELP)
    p.add_argument("--dashboard-address", default=":8787", metavar="[HOST]:PORT",
                   help="where the local cluster's dashboard listens (default :8787; :0 for any free port)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..core.batch import run_batch

    with TerminalProgress(args.quiet) as progress:
        bar = None if args.quiet else progress

        def notify(line: str) -> None:
            if bar is not None:
                from tqdm import tqdm

                tqdm.write(line, file=sys.stdout)
            else:
                print(line, flush=True)

        report = run_batch(args.products, args.out, scheduler=args.scheduler, workers=args.workers,
                           bands=args.bands, model_dir=args.model, tile_size=args.tile_size, device=args.device,
                           harmonise=not args.keep_dn_scale, guard=not args.no_guard, progress=progress,
                           notify=notify, dashboard_address=args.dashboard_address, worker_threads=args.worker_threads,
                           window_rows=args.window_rows, uncertainty=args.uncertainty)
    print(report.summary())
    for job in report.by_status("failed"):
        print(f"digisat: error: {job.name}: {job.message}", file=sys.stderr)
    return 0 if report.ok else 2
