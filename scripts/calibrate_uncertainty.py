"""Fit the uncertainty layer's coefficients (core/sr/uncertainty.py) and write them beside the networks.

    .venv/bin/python scripts/calibrate_uncertainty.py [--model model_weights] [--out model_weights/uncertainty.json]
        [--cache build/uncertainty]

Per network (x2: net20's 20 m bands, x6: net60's 60 m bands), non-negative least squares of the
actual absolute error on the features, over Wald pairs of every calibration group
(scripts/uncertainty_data.py: scenes the shipped networks never saw) under both degradations,
each scene and degradation weighted alike; net60's also over the 20 m bands of every shared scene in
x6 geometry (uncertainty_data.collect_proxies: at x6 the guided estimate is written, which learns
nothing from a scene); net60's correction coefficient is set, not fitted
(core/quality/uncertainty.FIXED: the bound, 1). Deterministic (no sampling); the pairs are cached per
group under --cache, keyed by the weights and core's code, so a rerun or an interrupted run resumes.
A few minutes on 2 cores. scripts/evaluate_uncertainty.py scores the same fit with each group held out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=os.path.join(REPO, "model_weights"))
    p.add_argument("--out", default=None, help="default: <model>/uncertainty.json")
    p.add_argument("--cache", default=os.path.join(REPO, "build", "uncertainty"))
    args = p.parse_args(argv)
    from uncertainty_data import GROUPS, collect, collect_proxies

    from digisat_plugin.core.quality.uncertainty import fit
    from digisat_plugin.core.sr.predict import Predictor
    from digisat_plugin.core.sr.uncertainty import CALIBRATION_FILE, FEATURES

    predictor = Predictor(model_dir=args.model, device="cpu")
    nets = {}
    for s, net in ((2, "net20"), (6, "net60")):
        groups = collect(s, predictor, os.path.join(args.cache, f"x{s}.pkl"))
        items = [it for group in groups.values() for it in group]
        if s == 6:  # the two real x6 scenes, and every scene's 20 m bands in x6 geometry
            items += collect_proxies(os.path.join(args.cache, "x6_proxies.pkl"))
        coef = fit(items)
        nets[net] = {"coefficients": [round(float(c), 6) for c in coef],
                     "scenes": sorted({it.scene for it in items}),
                     "groups": sorted(GROUPS[s]) + (["x6 proxies"] if s == 6 else []),
                     "written": sorted({f"{it.scene} {it.protocol}: {_words(it.written)}" for it in items})}
        print(f"{net}: " + ", ".join(f"{f} {c:.4f}" for f, c in zip(FEATURES, coef, strict=True)))
    out = args.out or os.path.join(args.model, CALIBRATION_FILE)
    data = {"features": list(FEATURES), "nets": nets,
            "fitted_on": "Wald pairs (degradations dsen2 and mtf, weighted alike) of scenes the networks never saw: "
                         "x2 Virginia rows 0-641 and the six BigEarthNet test patches; x6 Virginia rows 0-641 and "
                         "Malmo (guided estimate written on both), and, that estimate learning nothing from any scene, "
                         "the 20 m bands of every shared scene in x6 geometry (core/quality/uncertainty.proxy_pairs)",
            "method": "non-negative least squares of |output - truth| on the features, per network; net60's "
                      "correction set to 1, not fitted (the triangle-inequality bound on what the guard moved)",
            "script": "scripts/calibrate_uncertainty.py"}
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(out + ".tmp", out)
    print(f"wrote {out}")
    return 0


def _words(written) -> str:
    """The guard's decision (GuardDecision.written) without the linear floor's slopes."""
    if isinstance(written, dict):
        return (f"{written['written']}; linear floor: shares {written['shares']}, back-projection "
                f"{written['consistency']}")
    return str(written)


if __name__ == "__main__":
    sys.exit(main())
