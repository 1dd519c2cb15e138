"""`mask ENHANCED UNCERTAINTY OUT --max-error E | --max-relative-error R`: the enhanced pixels the
uncertainty layer does not vouch for set to no data, every band at once (core/masking.py)."""

from __future__ import annotations

from .progressbar import TerminalProgress


def register(sub) -> None:
    p = sub.add_parser(
        "mask", help="set enhanced pixels with a large expected error to no data",
        description="Copy an enhanced raster, setting to no data every pixel of a band whose expected absolute "
        "error in the uncertainty layer (superresolve --uncertainty) is above --max-error, or above "
        "--max-relative-error times the pixel's value (either or both): what to do before computing an index. "
        "The 10 m bands (copied as delivered) are kept whole.")
    p.add_argument("enhanced", metavar="ENHANCED", help="an enhanced raster written by digisat")
    p.add_argument("uncertainty", metavar="UNCERTAINTY", help="its uncertainty layer (--uncertainty)")
    p.add_argument("output", metavar="OUT", help="the masked copy (Cloud Optimized GeoTIFF)")
    p.add_argument("--max-error", type=float, metavar="E",
                   help="the largest expected error kept, in the units the layer is shown in: reflectance "
                   "(e.g. 0.004, i.e. 40 DN) for digisat's layers")
    p.add_argument("--max-relative-error", type=float, metavar="R",
                   help="the largest expected error kept as a share of the pixel's own value (e.g. 0.05: 5 %%), "
                   "the same meaning on every band: what a ratio index such as NDRE feels")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..core.masking import mask_uncertain

    with TerminalProgress(args.quiet) as progress:
        shares = mask_uncertain(args.enhanced, args.uncertainty, args.output, args.max_error, progress,
                                max_relative=args.max_relative_error)
    masked = ", ".join(f"{band} {100 * share:.1f} %" for band, share in shares.items() if share > 0) or "none"
    print(f"wrote {args.output} (pixels masked: {masked})")
    return 0
