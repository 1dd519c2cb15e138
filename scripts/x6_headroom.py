"""How much better could the 60 m network get on the held-out strip? Two measurements.

1. In-scene training. The held-out Virginia strip (rows 0..641) is cut into a west part (base
   columns 0..1079, fields) and an east part (1080.., coast and ocean). For each part, net60 is
   trained with the shipped recipe on the usual training data plus the *other* part of the strip
   (the most similar data there can be: same scene, date, sensor and noise), and scored on this
   part; a control is trained on the usual training data only, same steps and seed. If more
   scenes were what x6 lacks, the in-scene models would be clearly better than the control.
2. A cheating fit (core/quality/headroom.py). Each delivered 60 m band is regressed on the 10 m
   bands averaged to 60 m in every 5 x 5 window of the delivered band itself (the truth), as a
   guided method could only wish; the RMSE left is what the 10 m bands cannot explain, even
   locally and fitted to the answer, and the correlation of neighbouring leftovers says whether
   that is noise. Also on the two training scenes large enough for x6, for comparison.

Ratios are mean RMSE over B01 and B09 divided by bicubic's (as in `make evaluate`); in 1 the
pixels of the two parts are pooled. Results are in docs/models.md ("How far x6 can go on this data").

Run: .venv/bin/python scripts/x6_headroom.py [--steps 6000]   (about 18 min on 2 CPUs)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SPLIT_COLUMN = 1080  # base pixels; a multiple of 36 so both parts stay whole at x6
FIT_WINDOW = 5  # 60 m pixels, for the cheating local fit


def columns(scene, c0: int, c1: int, label: str):
    from digisat_plugin.core.train.dataset import Scene

    native = {b: a[:, c0 // scene.ratios[b]: c1 // scene.ratios[b]] for b, a in scene.native.items()}
    return Scene(f"{scene.name}[{label}]", native, scene.ratios, scene.nodata[:, c0:c1])


def pooled(results: list) -> dict:
    """Pool per-band RMSE of several evaluate() results (weights: pixels) -> ratios to bicubic."""
    bands = list(results[0]["bands"])
    n = np.array([r["pixels"] for r in results], float)

    def rmse(method, band):
        return float(np.sqrt(sum(k * r["bands"][band][method]["rmse"] ** 2 for k, r in zip(n, results, strict=True)) / n.sum()))

    out = {m: {b: rmse(m, b) for b in bands} for m in ("model", "bicubic", "guided_linear")}
    mean = {m: float(np.mean(list(v.values()))) for m, v in out.items()}
    return {"rmse": out, "ratio_to_bicubic": mean["model"] / mean["bicubic"],
            "ratio_to_guided_linear": mean["model"] / mean["guided_linear"]}


def train_net60(pairs: list, steps: int):
    from digisat_plugin.core.train.recipe import net60_recipe
    from digisat_plugin.core.train.trainer import Trainer

    config = dataclasses.replace(net60_recipe(), steps=steps)
    with tempfile.TemporaryDirectory(prefix="digisat-headroom-") as work:
        trainer = Trainer(config, work, log=lambda line: None, pairs=pairs, val_pairs=[])
        trainer.run(progress_every=steps)
    return trainer.model


def score(model, parts: list, protocol: str) -> dict:
    from digisat_plugin.core.quality.evaluate import evaluate
    from digisat_plugin.core.sr.predict import Predictor

    predictor = Predictor(device="cpu")
    predictor.replace_net("net60", dataclasses.replace(predictor.net("net60"), model=model))
    return evaluate(parts, predictor.predict, factors=(6,), protocols=(protocol,))["results"]["6"][protocol]


def cheating_fit(scene) -> dict:
    """Band -> (RMSE left, neighbour correlation of the leftovers) of the 5 x 5-window linear fit
    of each 60 m band on the 10 m bands averaged to 60 m, fitted to that band itself."""
    from digisat_plugin.core.bands import BANDS_10M
    from digisat_plugin.core.quality.headroom import local_fit_leftover, neighbour_correlation
    from digisat_plugin.core.sr.resample import block_mean

    guides = np.stack([block_mean(scene.native[b], 6) for b in BANDS_10M])
    out = {}
    for band in ("B01", "B09"):
        left = local_fit_leftover(scene.native[band], guides, FIT_WINDOW)
        out[band] = (float(np.sqrt(np.mean(left**2))), neighbour_correlation(left))
    return out


def bicubic_rmse(scene, protocol: str) -> dict:
    """Band -> RMSE (DN) of bicubic upsampling of the 60 m bands degraded by 6."""
    from digisat_plugin.core.quality.baselines import bicubic
    from digisat_plugin.core.train.dataset import degraded_scene

    low = degraded_scene(scene, 6, protocol)
    return {b: float(np.sqrt(np.mean((bicubic(low.native[b], 6) - scene.native[b]) ** 2))) for b in ("B01", "B09")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6000, help="training steps per model (default 6000)")
    args = parser.parse_args()

    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    from digisat_plugin.core.sr.spec import NET60
    from digisat_plugin.core.train.dataset import crop, load_region, make_pairs
    from digisat_plugin.core.train.degrade import PROTOCOLS
    from digisat_plugin.core.train.splits import VIRGINIA, VIRGINIA_TEST_ROWS, Region, regions
    from digisat_plugin.core.train.trainer import build_pairs

    strip = crop(load_region(Region(VIRGINIA, 0, VIRGINIA_TEST_ROWS)), 36)
    parts = [columns(strip, 0, SPLIT_COLUMN, "west"), columns(strip, SPLIT_COLUMN, strip.shape[1], "east")]
    usual = build_pairs(NET60, "train", PROTOCOLS)
    print(f"held-out strip {strip.shape[0]} x {strip.shape[1]} px cut at column {SPLIT_COLUMN}; "
          f"net60 recipe, {args.steps} steps per model, 2 degradations mixed", flush=True)

    control = train_net60(usual, args.steps)
    in_scene = {}
    for i, part in enumerate(parts):
        other = parts[1 - i]
        in_scene[part.name] = train_net60(usual + [make_pairs(other, NET60, p) for p in PROTOCOLS], args.steps)
        print(f"trained the in-scene model for {part.name}", flush=True)

    print("| degradation | control / bicubic | in-scene / bicubic | guided linear / bicubic |")
    print("|---|---|---|---|")
    for protocol in PROTOCOLS:
        ctrl = pooled([score(control, [p], protocol) for p in parts])
        insc = pooled([score(in_scene[p.name], [p], protocol) for p in parts])
        guided = ctrl["ratio_to_bicubic"] / ctrl["ratio_to_guided_linear"]
        print(f"| {protocol} | {ctrl['ratio_to_bicubic']:.3f} | {insc['ratio_to_bicubic']:.3f} | {guided:.3f} |",
              flush=True)

    for scene, role in [(strip, "held out")] + [(crop(load_region(r), 36), "training") for r in regions("train")[:2]]:
        left = cheating_fit(scene)
        ratio = np.mean([v[0] for v in left.values()]) / np.mean(list(bicubic_rmse(scene, "dsen2").values()))
        print(f"{FIT_WINDOW} x {FIT_WINDOW}-window fit to the truth on {scene.name} ({role}): RMSE left "
              + ", ".join(f"{b} {v[0]:.1f} DN (neighbour correlation {v[1]:.2f})" for b, v in left.items())
              + f"; {ratio:.3f} of bicubic under the DSen2 degradation")


if __name__ == "__main__":
    main()
