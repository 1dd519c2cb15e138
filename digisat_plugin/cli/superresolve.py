"""`superresolve INPUT OUTPUT`: a product in, a 10 m COG of every band out."""

from __future__ import annotations

import argparse

from ..core.definitions import DEVICE_HELP, DEVICES, parse_band_list
from .progressbar import TerminalProgress


def band_list(text: str) -> list:
    try:
        return parse_band_list(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_tile(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of pixels, got {text!r}") from None
    if value < 36:
        raise argparse.ArgumentTypeError(f"tile size {value} is too small (at least 36 pixels)")
    return value


def adapt_steps(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of steps, got {text!r}") from None
    return value  # a negative number is refused by the engine, with its one-line message


def register(sub) -> None:
    p = sub.add_parser(
        "superresolve",
        help="super-resolve a Sentinel-2 product to 10 m",
        description="Super-resolve the 20 m and 60 m bands of a Sentinel-2 product (a SAFE folder or .zip, L1C or "
        "L2A, or a folder of band rasters B01 ... B12) to the 10 m grid and write a Cloud Optimized GeoTIFF with "
        "one band per Sentinel-2 band, in band order, DN = reflectance x 10000 (band scale 0.0001 in the file).",
    )
    p.add_argument("input", metavar="INPUT", help="SAFE folder, SAFE .zip or folder of band rasters")
    p.add_argument("output", metavar="OUTPUT", help="output GeoTIFF (Cloud Optimized), e.g. enhanced.tif")
    p.add_argument("--aoi", help="area of interest: xmin,ymin,xmax,ymax[,EPSG:code] (default CRS: the product's) "
                   "or a GeoJSON file; only that window plus the network's margin is read")
    p.add_argument("--aoi-crs", default="", help="CRS of a --aoi box, e.g. EPSG:4326 (default: the product's)")
    p.add_argument("--bands", type=band_list, help="output bands, e.g. B05,B8A,B12 or 20m,60m (default: all but B10; "
                   "B10 only for L1C when asked)")
    p.add_argument("--original", metavar="PATH", help="also write the bands as delivered (nearest neighbour) on "
                   "the same 10 m grid, for comparison")
    add_uncertainty_option(p)
    p.add_argument("--model", metavar="DIR", help="folder with net20/ and net60/ (default: model_weights/)")
    p.add_argument("--tile-size", type=positive_tile, help="tile core size in 10 m pixels (default 480)")
    p.add_argument("--adapt-steps", type=adapt_steps, default=0, metavar="N",
                   help="experimental: first fine-tune the networks for N steps on this area itself "
                   "(self-supervised: the area's bands degraded by 2 and 6 are restored, no labels needed; in "
                   "memory only, model_weights/ is not changed). Costs about 7 s per 100 steps per network on a "
                   "2-core CPU. On the held-out test area it made the x2 result worse (docs/models.md). "
                   "Default 0: off")
    add_dn_scale_option(p)
    p.add_argument("--no-guard", action="store_true",
                   help="write the networks' output even where, checked on this area at reduced scale, it does not "
                   "beat the guided estimate (by default such a band group is written from the guided estimate)")
    p.add_argument("--device", choices=DEVICES, default="auto", help=DEVICE_HELP)
    p.add_argument("--threads", type=positive_threads, metavar="N",
                   help="CPU threads for the networks and the guided estimate (default: every core)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def positive_threads(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


UNCERTAINTY_HELP = ("the expected absolute error of every enhanced pixel (float32 Cloud Optimized GeoTIFF on the "
                    "output's grid, one band per output band, in the output's DN with its scale; 0 on the copied "
                    "10 m bands, NaN where the output has no data; docs/uncertainty.md): mask pixels above a threshold before "
                    "computing an index")


def add_uncertainty_option(p, beside: str = "") -> None:
    """--uncertainty, shared by `superresolve`, `enhance`, `batch` and `series`: a file name (PATH) for a
    command with one output; for those with many (beside: where each output's layer goes) a switch that
    writes each output's layer beside it (core/definitions.uncertainty_path_for)."""
    if beside:
        p.add_argument("--uncertainty", action="store_true",
                       help=f"also write each output's uncertainty layer beside it, as {beside}: {UNCERTAINTY_HELP}")
    else:
        p.add_argument("--uncertainty", metavar="PATH", help=f"also write to PATH {UNCERTAINTY_HELP}")


def add_dn_scale_option(p) -> None:
    """--keep-dn-scale, shared by `superresolve` and `enhance`."""
    p.add_argument("--keep-dn-scale", action="store_true",
                   help="write the product's own DN (e.g. with the +1000 offset of baseline 04.00 and later) instead "
                   "of DN = reflectance x 10000; either way each band's GDAL scale/offset give reflectance")


def run(args) -> int:
    from ..core.io.aoi import parse_aoi
    from ..core.sr.engine import superresolve
    from ..core.sr.threads import set_threads

    set_threads(args.threads)
    aoi = parse_aoi(args.aoi, args.aoi_crs) if args.aoi else None
    with TerminalProgress(args.quiet) as progress:
        result = superresolve(args.input, args.output, aoi=aoi, bands=args.bands, original_path=args.original,
                              model_dir=args.model, tile_size=args.tile_size, device=args.device, progress=progress,
                              adapt_steps=args.adapt_steps, harmonise=not args.keep_dn_scale,
                              guard=not args.no_guard, uncertainty_path=args.uncertainty)
    print(f"wrote {result.output} ({result.width} x {result.height} px, {len(result.bands)} bands: "
          f"{' '.join(result.bands)}) in {result.seconds:.1f} s on {result.extra.get('device', 'cpu')}")
    for net, done in result.extra.get("adapted", {}).items():
        print(f"adapted {net}: " + (f"skipped ({done['skipped']})" if "skipped" in done
                                    else f"{done['steps']} steps in {done['seconds']:.1f} s"))
    print_guard(result)
    if aoi is not None:
        from ..core.io.aoi import window_notices
        from ..core.io.product import open_product

        for notice in window_notices(open_product(args.input), aoi):
            print(f"note: {notice}")
    if result.original:
        print(f"wrote {result.original} (bands as delivered)")
    if result.uncertainty:
        print(f"wrote {result.uncertainty} (expected absolute error per pixel, DN)")
    return 0


def print_guard(result) -> None:
    """The guard's choice per band group, one line each (also in the output's metadata); where it wrote
    the guided estimate, the option that would write the network instead (QGIS has no such switch, so
    the engine's own line does not name it)."""
    from ..core.quality.guard import GuardDecision

    for decision in result.extra.get("guard", {}).values():
        decision = GuardDecision(**decision)
        print(decision.line() + ("; --no-guard writes the network's output" if decision.method == "guided" else ""))
