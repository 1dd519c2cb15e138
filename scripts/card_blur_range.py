"""Write a trained network's `training.blur_range` into its model card, for weights trained before
training recorded it (core/train/recipe.py now writes it; the guard reads it: core/quality/guard.py).

The range is rebuilt from the same training pairs as the recipe makes (the shipped split, or every
scene outside --holdout for a leave-scene-out fold's network): a deterministic function of the
data and the code, no training. About a minute for net20.

    .venv/bin/python scripts/card_blur_range.py [--model-dir model_weights] [--net net20] [--holdout FOLD]
"""

from __future__ import annotations

import argparse
import os


def main(argv=None) -> int:
    from digisat_plugin.core.sr.spec import SPECS
    from digisat_plugin.core.sr.weights import CARD_FILE, read_card, write_card
    from digisat_plugin.core.train.dataset import blur_range
    from digisat_plugin.core.train.recipe import RECIPES
    from digisat_plugin.core.train.splits import without_fold
    from digisat_plugin.core.train.trainer import build_pairs

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model-dir", default="model_weights")
    p.add_argument("--net", default="net20", choices=sorted(RECIPES))
    p.add_argument("--holdout", help="the fold the network was trained without (scripts/leave_scene_out.py)")
    args = p.parse_args(argv)
    config = RECIPES[args.net]()
    source = without_fold(args.holdout) if args.holdout else config.split
    card = read_card(args.model_dir, args.net)
    card.setdefault("training", {})["blur_range"] = blur_range(SPECS[args.net],
                                                               build_pairs(SPECS[args.net], source, config.protocols))
    write_card(args.model_dir, args.net, card)
    print(f"{os.path.join(args.model_dir, args.net, CARD_FILE)}: blur_range {card['training']['blur_range']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
