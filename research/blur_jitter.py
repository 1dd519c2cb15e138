"""Study: net20 trained also on pairs whose estimate and blur planes were made with a misestimated
blur, scored leave-scene-out on one fold (not shipped; docs/models.md, "The guard").

The one x2 case the guard lets through (a December L2A patch) is one whose SWIR bands measure less
blur at reduced scale than any training pair had; told a blur like the other patches', net20 does
far better there (research/guard_per_band.py --swir-blur). Training pairs here: the recipe's, plus
for every scene and degradation copies prepared with every output band's blur shifted by
-SHIFT and +SHIFT (base pixels; the estimate and the blur planes alike, the target unchanged), so
the network learns to correct an estimate made with a wrong blur.

    .venv/bin/python research/blur_jitter.py [--fold ben2017] [--work .train/jitter] [--shift 0.2]

Trains (resumable, about 15 minutes on 2 cores) and prints the fold's x2 rows beside those of the
fold's shipped-recipe network when .train/folds/<fold>/model exists.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from digisat_plugin.core.definitions import GUARD_PROTOCOLS
from digisat_plugin.core.io.product import ALIGN
from digisat_plugin.core.sr.spec import SPECS, prepare_inputs
from digisat_plugin.core.train.dataset import TrainingPair, _blur_where_valid
from digisat_plugin.core.train.splits import without_fold
from digisat_plugin.core.wald import MIN_LOW_PIXELS, crop, degraded_scene, load_region

SPEC = SPECS["net20"]


def shifted_pair(scene, protocol: str, shift: float) -> TrainingPair:
    low = degraded_scene(scene, SPEC.scale, protocol)
    native = {b: low.native[b] for b in SPEC.inputs}
    blur = np.maximum(np.asarray(_blur_where_valid(native, low, SPEC), np.float64) + shift, 0.0)
    prepared = prepare_inputs(native, low.ratios, SPEC, blur)
    truth = crop(scene, ALIGN * SPEC.scale)
    target = prepared.to_relative(np.stack([truth.native[b] for b in SPEC.outputs], axis=-1))
    return TrainingPair(prepared.inputs, target, ~low.nodata, f"{scene.name} ({protocol} {shift:+.1f})",
                        low.native["B08"], blur)


def pairs_for(fold: str, protocols, shift: float) -> list:
    from digisat_plugin.core.train.trainer import build_pairs

    out = build_pairs(SPEC, without_fold(fold), protocols)
    for region in without_fold(fold):
        scene = load_region(region)
        if min(scene.shape) < MIN_LOW_PIXELS * SPEC.scale * SPEC.scale:
            continue
        for protocol in protocols:
            out += [shifted_pair(scene, protocol, d) for d in (-shift, shift)]
            once = degraded_scene(scene, SPEC.scale, protocol)
            if min(once.shape) >= MIN_LOW_PIXELS * SPEC.scale * SPEC.scale:
                out += [shifted_pair(once, p, d) for p in GUARD_PROTOCOLS for d in (-shift, shift)]
    return out


def score_fold(fold: str, model_dir: str, log) -> dict:
    """The fold's x2 scores as scripts/leave_scene_out.py makes them (core.quality.evaluate)."""
    from digisat_plugin.core.quality.evaluate import evaluate
    from digisat_plugin.core.sr.predict import Predictor
    from digisat_plugin.core.train.splits import fold_regions

    predictor = Predictor(model_dir=model_dir, device="cpu")
    return evaluate([load_region(r) for r in fold_regions(fold)], predictor.predict, factors=(2,), log=log,
                    predictor=predictor)


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from digisat_plugin.core.sr.keras_net import save_net
    from digisat_plugin.core.train.dataset import blur_range
    from digisat_plugin.core.train.recipe import RECIPES
    from digisat_plugin.core.train.trainer import Trainer

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fold", default="ben2017")
    p.add_argument("--work", default=".train/jitter")
    p.add_argument("--shift", type=float, default=0.2)
    args = p.parse_args()
    config = RECIPES["net20"]()
    config.holdout = args.fold
    model_dir = os.path.join(args.work, args.fold, "model")

    def log(line):
        print(line, file=sys.stderr, flush=True)

    if not os.path.isfile(os.path.join(model_dir, "net20", "model.json")):
        pairs = pairs_for(args.fold, config.protocols, args.shift)
        log(f"{len(pairs)} pairs")
        trainer = Trainer(config, os.path.join(args.work, args.fold, "net20"), log=log, pairs=pairs, val_pairs=[])
        trainer.restore()
        trainer.run()
        card = {"arch": config.arch, "training": {"blur_range": blur_range(SPEC, pairs), "blur_shift": args.shift}}
        save_net(trainer.model, model_dir, "net20", card)
    reports = {"blur-shifted": score_fold(args.fold, model_dir, log)}
    shipped = os.path.join(".train", "folds", args.fold, "model")
    if os.path.isdir(shipped):
        reports["recipe"] = score_fold(args.fold, shipped, log)
    for name, report in reports.items():
        for protocol, rows in report["per_scene"]["2"].items():
            for row in rows:
                print(f"{name:12s} {protocol:5s} {row['name'][-24:]:24s} network {row['ratio_to_bicubic']:.3f} "
                      f"guarded {row['guarded_ratio_to_bicubic']:.3f} estimate {row['guided_estimate_ratio_to_bicubic']:.3f}")
        for protocol, result in report["results"]["2"].items():
            print(f"{name:12s} {protocol:5s} pooled: network {result['ratio_to_bicubic']:.3f} "
                  f"guarded {result['guarded_ratio_to_bicubic']:.3f}")


if __name__ == "__main__":
    main()
