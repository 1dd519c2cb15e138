"""How much better could the 60 m network get on the held-out strip? Two measurements.

1. In-scene training. The held-out Virginia strip (rows 0..641) is cut into a west part (base
   columns 0..1079, fields) and an east part (1080.., coast and ocean). For each part, net60 is
   trained with the shipped recipe on the usual training data plus the *other* part of the strip
   (the most similar data there can be: same scene, date, sensor and noise), and scored on this
   part; a control is trained on the usual training data only, same steps and seed. If more
   scenes were what x6 lacks, the in-scene models would be clearly better than the control.
2. A cheating fit (research/headroom.py). Each delivered 60 m band is regressed on the 10 m
   bands averaged to 60 m in every 5 x 5 window of the delivered band itself (the truth), as a
   guided method could only wish; the RMSE left is what the 10 m bands cannot explain, even
   locally and fitted to the answer, and the correlation of neighbouring leftovers says whether
   that is noise. Also on the two training scenes large enough for x6, for comparison.

Ratios are mean RMSE over B01 and B09 divided by bicubic's (as in `make evaluate`); in 1 the
pixels of the two parts are pooled. Results are in docs/models.md ("How far x6 can go on this data").

Run: .venv/bin/python research/x6_headroom.py [--steps 6000]   (about 18 min on 2 CPUs)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SPLIT_COLUMN = 1080  # base pixels; a multiple of 36 so both parts stay whole at x6
FIT_WINDOW = 5  # 60 m pixels, for the cheating local fit


def columns(scene, c0: int, c1: int, label: str):
    from digisat_plugin.core.wald import RegionArrays

    native = {b: a[:, c0 // scene.ratios[b]: c1 // scene.ratios[b]] for b, a in scene.native.items()}
    return RegionArrays(f"{scene.name}[{label}]", native, scene.ratios, scene.nodata[:, c0:c1])


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
    from digisat_plugin.core.sr.keras_net import KerasSession
    from digisat_plugin.core.sr.predict import Predictor

    predictor = Predictor(device="cpu")
    predictor.replace_net("net60", dataclasses.replace(predictor.net("net60"), session=KerasSession(model)))
    return evaluate(parts, predictor.predict, factors=(6,), protocols=(protocol,))["results"]["6"][protocol]


FITS = {  # name -> (window in pixels of the band's grid, neighbourhood radius of the guides)
    "same-pixel 5 x 5": (5, 0),
    "3 x 3 filter, 15 x 15": (15, 1),
}


def cheating_fit(scene, s: int, bands, window: int, radius: int) -> dict:
    """Band -> (RMSE left, neighbour correlation of the leftovers) of the local linear fit of each
    band on the 10 m bands averaged to its grid (or a 3 x 3 filter of them), fitted to the band."""
    from digisat_plugin.core.definitions import BANDS_10M
    from digisat_plugin.core.sr.resample import block_mean
    from research.headroom import local_fit_leftover, neighbour_correlation, neighbourhood_stack

    guides = np.stack([block_mean(scene.native[b], s) for b in BANDS_10M])
    if radius:
        guides = neighbourhood_stack(guides, radius)
    out = {}
    for band in bands:
        left = local_fit_leftover(scene.native[band], guides, window)
        out[band] = (float(np.sqrt(np.mean(left**2))), neighbour_correlation(left))
    return out


def bicubic_rmse(scene, s: int, bands, protocol: str) -> dict:
    """Band -> RMSE (DN) of bicubic upsampling of the bands degraded by s."""
    from digisat_plugin.core.quality.baselines import bicubic
    from digisat_plugin.core.quality.metrics import rmse
    from digisat_plugin.core.wald import degraded_scene

    low = degraded_scene(scene, s, protocol)
    return {b: rmse(scene.native[b], bicubic(low.native[b], s)) for b in bands}


def report_fits(scene, role: str, s: int, bands, fits) -> None:
    bicubic = np.mean(list(bicubic_rmse(scene, s, bands, "dsen2").values()))
    for name in fits:
        left = cheating_fit(scene, s, bands, *FITS[name])
        ratio = np.mean([v[0] for v in left.values()]) / bicubic
        print(f"x{s} {name} fit to the truth on {scene.name} ({role}): RMSE left "
              + ", ".join(f"{b} {v[0]:.1f} DN (neighbour correlation {v[1]:.2f})" for b, v in left.items())
              + f"; {ratio:.3f} of bicubic under the DSen2 degradation", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6000, help="training steps per model (default 6000)")
    args = parser.parse_args()

    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    from digisat_plugin.core.definitions import PROTOCOLS
    from digisat_plugin.core.sr.spec import NET60
    from digisat_plugin.core.train.dataset import make_pairs
    from digisat_plugin.core.train.splits import VIRGINIA, VIRGINIA_TEST_ROWS, Region, regions
    from digisat_plugin.core.train.trainer import build_pairs
    from digisat_plugin.core.wald import crop, load_region

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
        report_fits(scene, role, 6, NET60.outputs, FITS)

    # The contrast at x2: there the degraded band still carries detail of its own, and the
    # shipped net20 leaves less than the same-pixel fit to the truth does.
    from digisat_plugin.core.quality.evaluate import evaluate
    from digisat_plugin.core.sr.predict import Predictor
    from digisat_plugin.core.sr.spec import NET20

    report_fits(strip, "held out", 2, NET20.outputs, ["same-pixel 5 x 5"])
    shipped = evaluate([strip], Predictor(device="cpu").predict, factors=(2,), protocols=("dsen2",))
    print(f"x2 shipped net20 on {strip.name}: {shipped['results']['2']['dsen2']['ratio_to_bicubic']:.3f} of bicubic "
          "under the DSen2 degradation")


if __name__ == "__main__":
    main()
