"""`evaluate INPUT...`: quality at reduced scale (Wald protocol) against bicubic and guided linear."""

from __future__ import annotations

import sys

from ..core.definitions import DEVICES, PROTOCOLS


def register(sub) -> None:
    p = sub.add_parser(
        "evaluate", help="measure super-resolution quality at reduced scale",
        description="Degrade every band of each input by the factor (x2: the 20 m bands, x6: the 60 m bands), "
        "super-resolve with the trained networks, and compare with the bands as delivered: RMSE, SRE, SAM and "
        "ERGAS per band and on average, with the ratio to bicubic and to guided-linear sharpening.")
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="band folders or SAFE products (whole scenes)")
    p.add_argument("--split", choices=("test", "val", "train"),
                   help="add the regions of this data split (core/train/splits.py; 'test' is held out)")
    p.add_argument("--factor", type=int, choices=(2, 6), action="append",
                   help="2 (20 m bands) or 6 (60 m bands); repeatable, default both")
    p.add_argument("--protocol", choices=(*PROTOCOLS, "both"), default="both",
                   help="degradation: Gaussian sigma 1/s (dsen2), MTF-matched Gaussian (mtf) or both")
    p.add_argument("--model", metavar="DIR", help="folder with net20/ and net60/ (default: model_weights/)")
    p.add_argument("--device", choices=DEVICES, default="cpu")
    p.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    p.add_argument("--markdown", metavar="FILE", help="write the tables as Markdown")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..core.errors import DigisatError
    from ..core.quality.evaluate import markdown, terminal_table, write_atomic, write_json
    from ..core.quality.report import evaluate_products
    from ..core.train.splits import regions

    if not args.inputs and not args.split:
        raise DigisatError("evaluate: give INPUT folders/products or --split test")
    protocols = PROTOCOLS if args.protocol == "both" else (args.protocol,)
    report = evaluate_products(args.inputs, regions(args.split) if args.split else (), args.factor or (2, 6),
                               protocols, model_dir=args.model, device=args.device, split=args.split or "",
                               log=lambda line: print(line, file=sys.stderr, flush=True))
    print(terminal_table(report))
    if args.json:
        write_json(args.json, report)
    if args.markdown:
        write_atomic(args.markdown, markdown(report))
    return 0
