"""Which held-out cases the guard's blur-range rule (core/quality/guard.py, BLUR_RANGE_NETS) sends
to the estimate, fold by fold, without the folds' networks.

For each leave-scene-out fold: net20's training blur range as its training would record it (the
pairs of every scene outside the fold, core/train/dataset.blur_range), then every held-out scene
degraded by each protocol (the evaluation's input) with the bands whose window blur falls outside.
This is how the folds whose networks were not retrained after the rule was added were checked
(docs/models.md, "The guard"). About a minute.

    .venv/bin/python research/blur_range_folds.py
"""

from __future__ import annotations

from digisat_plugin.core.definitions import PROTOCOLS
from digisat_plugin.core.quality.guard import outside_training_blur
from digisat_plugin.core.sr.spec import SPECS, valid_at, window_blur
from digisat_plugin.core.train.dataset import blur_range
from digisat_plugin.core.train.recipe import RECIPES
from digisat_plugin.core.train.splits import FOLDS, fold_regions, without_fold
from digisat_plugin.core.train.trainer import build_pairs
from digisat_plugin.core.wald import crop, degraded_scene, load_region

SPEC = SPECS["net20"]


def main() -> None:
    protocols = RECIPES["net20"]().protocols
    for fold in FOLDS:
        card = {"training": {"blur_range": blur_range(SPEC, build_pairs(SPEC, without_fold(fold), protocols))}}
        known = card["training"]["blur_range"]
        print(f"{fold}: trained on " + " ".join(f"{b} {lo:.1f}-{hi:.1f}" for b, (lo, hi) in known.items()))
        outside = 0
        for region in fold_regions(fold):
            scene = load_region(region)
            for protocol in PROTOCOLS:
                low = crop(degraded_scene(scene, SPEC.scale, protocol), 6 * SPEC.scale)
                native = {b: low.native[b] for b in SPEC.inputs}
                why = outside_training_blur(card, SPEC, window_blur(native, SPEC, valid_at(native, SPEC)))
                if why:
                    outside += 1
                    print(f"  {region.name} {protocol}: {why}")
        print(f"  {outside} held-out case(s) outside")


if __name__ == "__main__":
    main()
