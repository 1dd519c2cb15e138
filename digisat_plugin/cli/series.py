"""`series --aoi ... --start ... --end ... --out DIR`: every clear date over an area, one 10 m COG per
date, optional spectral indices, and an index of the outputs (core/series.py)."""

from __future__ import annotations

import sys

from ..core.definitions import DEVICE_HELP, DEVICES
from ..core.errors import InputError
from ..core.indices import INDICES, parse_indices
from .batch import worker_count
from .catalog import _aoi, _dates, _source_options, make_source
from .progressbar import TerminalProgress
from .superresolve import add_dn_scale_option, add_uncertainty_option, band_list, positive_tile


def register(sub) -> None:
    p = sub.add_parser(
        "series",
        help="a time series over an area: every clear date super-resolved, with spectral indices",
        description="Search the area between two days and super-resolve every scene that passes the cloud "
        "limits, one 10 m Cloud Optimized GeoTIFF per date (DIR/<date>_<tile>_enhanced.tif; scenes of one date "
        "over two tiles are mosaicked on the grid of the tile covering most of the area), optional spectral "
        "indices per date (DIR/<date>_<tile>_<INDEX>.tif, float32), with --uncertainty each date's uncertainty layer "
        "(DIR/<date>_<tile>_uncertainty.tif) and DIR/series.json listing dates, tiles, "
        "files, scene ids and cloud figures. A rerun skips the dates already done.",
    )
    _source_options(p)
    _dates(p)
    p.add_argument("--max-area-cloud", type=float, metavar="PERCENT",
                   help="skip scenes with more cloud than this over the area itself (STAC L2A: from the scene "
                   "classification; other sources say tile cloud only and are kept)")
    p.add_argument("--index", metavar="NAMES", default="",
                   help=f"spectral indices per date, comma-separated: {', '.join(INDICES)} (default: none)")
    p.add_argument("--bands", type=band_list, help="output bands (default: all but B10)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--workdir", metavar="DIR", help="keep the fetched windows here (default: a temporary folder, "
                   "removed afterwards)")
    p.add_argument("--model", metavar="DIR", help="folder with net20/ and net60/ (default: model_weights/)")
    p.add_argument("--tile-size", type=positive_tile, help="tile core size in 10 m pixels (default: the engine's)")
    add_dn_scale_option(p)
    add_uncertainty_option(p, beside="DIR/<date>_<tile>_uncertainty.tif")
    p.add_argument("--no-guard", action="store_true", help="write the networks' output even where the guard finds "
                   "the guided estimate better")
    p.add_argument("--device", choices=DEVICES, default="auto", help=DEVICE_HELP)
    p.add_argument("--scheduler", metavar="ADDRESS", help="super-resolve on this Dask scheduler (tcp://HOST:8786) "
                   "through `batch`'s path (core/batch.py)")
    p.add_argument("--workers", type=worker_count, metavar="N", help="super-resolve on a local Dask cluster of N "
                   "workers through `batch`'s path")
    p.add_argument("--threads", "--tf-threads", dest="worker_threads", type=worker_count, metavar="N",
                   help="the networks' threads per Dask worker")
    p.add_argument("--dashboard-address", default=":8787", metavar="[HOST]:PORT",
                   help="where the local cluster's dashboard listens (default :8787; :0 for any free port)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..core.series import run_series

    indices = parse_indices(args.index)  # a bad name fails here, before any search
    if args.scheduler and args.workers:
        raise InputError("--workers: only for a local cluster; the scheduler has its own workers")
    source = make_source(args)
    aoi = _aoi(args)
    with TerminalProgress(args.quiet) as progress:
        def notify(line: str) -> None:
            if not args.quiet:
                from tqdm import tqdm

                tqdm.write(line, file=sys.stdout)
            else:
                print(line, flush=True)

        report = run_series(source, aoi, args.start, args.end, args.out, max_cloud=args.max_cloud,
                            max_area_cloud=args.max_area_cloud, level=args.level, bands=args.bands, indices=indices,
                            workdir=args.workdir, progress=progress, notify=notify, scheduler=args.scheduler,
                            workers=args.workers, worker_threads=args.worker_threads,
                            dashboard_address=args.dashboard_address, model_dir=args.model,
                            tile_size=args.tile_size, device=args.device, harmonise=not args.keep_dn_scale,
                            guard=not args.no_guard, uncertainty=args.uncertainty)
    for entry in report.dates:
        if entry.status == "done" and len(entry.scenes) > 1:
            print(f"note: {entry.date}: {entry.mosaic}")
    print(report.summary())
    for entry in report.by_status("failed"):
        print(f"digisat: error: {entry.date}: {entry.message}", file=sys.stderr)
    return 0 if report.ok else 2
