"""Radiometry at full scale on every shared scene with data (core/quality/fullscale.py): per band,
the enhanced band's mean against the delivered band's, and the error over blocks of 3 x 3
delivered pixels against the guided estimate's.

    .venv/bin/python scripts/fullscale_check.py [--model DIR] [--markdown docs/fullscale.md]

Prints one row per scene and band group: worst bias (%) and worst block-error ratio; the
Markdown file gets every band. About 3 minutes on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import sys


def scenes() -> list:
    from digisat_plugin.core.train.splits import FOLDS, fold_regions

    return [r for fold in FOLDS for r in fold_regions(fold)]


def main(argv=None) -> int:
    from digisat_plugin.core.quality.evaluate import write_atomic
    from digisat_plugin.core.quality.fullscale import consistency_rows
    from digisat_plugin.core.sr.predict import Predictor
    from digisat_plugin.core.sr.spec import NET20, NET60
    from digisat_plugin.core.wald import load_region

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model")
    p.add_argument("--markdown", default="docs/fullscale.md")
    args = p.parse_args(argv)
    predictor = Predictor(args.model, device="cpu")
    lines = ["# Radiometry at full scale", "", "Every shared scene with data (Berlin, lossily re-encoded, left out), "
             "the shipped networks with the guard as the engine applies it. *method*: what was written, the network, "
             "the guided estimate, or (\"0.49 network\") the estimate plus that share of the network's correction, "
             "where the guard kept only part of it. *bias*: enhanced mean against delivered "
             "mean; *blocks*: RMSE over 3 x 3 delivered pixels, enhanced / guided estimate, and whether it is within "
             "1.5 x the estimate's + 1 % of the mean; *linear*: the same for global guided-linear (core/sr/guided.py), "
             "the second reference (issue 29: the 60 m bands are held to it). Made by `scripts/fullscale_check.py`.", "",
             "| scene | band | method | delivered mean | bias (%) | block RMSE enhanced | block RMSE guided | "
             "block RMSE linear | within limits | within linear's limit |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    failures = 0
    for region in scenes():
        scene = load_region(region)
        targets = list(NET20.outputs + NET60.outputs)
        rows = consistency_rows(predictor, scene.native, scene.ratios, targets)
        for r in rows:
            ok = r["mean_ok"] and r["block_ok"]
            ok_linear = r["block_ok_linear"] or r["band"] not in NET60.outputs  # the 60 m bands' criterion
            failures += not ok or not ok_linear
            lines.append(f"| {region.name} | {r['band']} | {r['method']} | {r['mean_delivered']:.0f} | "
                         f"{r['bias_percent']:+.2f} | {r['block_rmse_enhanced']:.1f} | {r['block_rmse_guided']:.1f} | "
                         f"{r['block_rmse_linear']:.1f} | {'yes' if ok else 'NO'} | {'yes' if r['block_ok_linear'] else 'no'} |")
        worst_bias = max(abs(r["bias_percent"]) for r in rows)
        worst_block = max(r["block_rmse_enhanced"] / max(r["block_limit"], 1e-9) for r in rows)
        print(f"{region.name:60s} worst |bias| {worst_bias:5.2f} %  worst block error / limit {worst_block:.2f}",
              flush=True)
    lines += ["", f"Bands outside the limits: {failures}.", ""]
    write_atomic(args.markdown, "\n".join(lines))
    print(f"bands outside the limits: {failures}; table in {args.markdown}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
