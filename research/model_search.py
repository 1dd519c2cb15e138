"""Model search: quality at reduced scale vs CPU throughput for several architectures.

For each architecture: train the 20 m network (x2) for the same number of CPU seconds with the
shipped recipe otherwise unchanged, evaluate on the held-out split (both degradations), and
time inference of both networks through the Predictor on a 1152 x 1152 crop (megapixels of
10 m output per second, on this machine's CPU). Writes docs/model_search.json.

Run: .venv/bin/python research/model_search.py [--seconds 300] [--archs tiny,small,dsen2,s2d]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ARCHS = {
    "tiny": {"arch": "dsen2", "blocks": 2, "filters": 24, "fold": 1},
    "small": {"arch": "dsen2", "blocks": 4, "filters": 48, "fold": 1},
    "dsen2": {"arch": "dsen2", "blocks": 6, "filters": 128, "fold": 1},
    "s2d": {"arch": "dsen2_s2d", "blocks": 6, "filters": 128, "fold": 2},
}


SPEED_SIZE = 1152  # base pixels: 3 x 3 tiles of the Predictor's default 384, so few pixels are wasted


def crop_scene(scene, size):
    from digisat_plugin.core.wald import RegionArrays

    native = {b: a[: size // scene.ratios[b], : size // scene.ratios[b]] for b, a in scene.native.items()}
    return RegionArrays(scene.name, native, scene.ratios, scene.nodata[:size, :size])


def throughput(arch: dict, scene_dir: str, repeats: int = 1) -> float:
    """MP of 10 m output per second for all 20 m and 60 m bands (both networks) on the CPU,
    through the Predictor (tiles, margins, guided inputs included) on a 1152 x 1152 crop."""
    from digisat_plugin.core.definitions import BANDS_20M, BANDS_60M
    from digisat_plugin.core.sr.keras_net import save_net
    from digisat_plugin.core.sr.model import build_model
    from digisat_plugin.core.sr.predict import Predictor
    from digisat_plugin.core.sr.spec import SPECS
    from digisat_plugin.core.wald import load_scene

    scene = crop_scene(load_scene(scene_dir), SPEED_SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in SPECS.items():
            save_net(build_model(arch, spec.channels, len(spec.outputs)), tmp, name, {"arch": arch})
        predictor = Predictor(model_dir=tmp, device="cpu")
        targets = list(BANDS_20M + BANDS_60M)
        warm = crop_scene(scene, 384)  # one tile of the same shape: traces the graphs
        predictor.predict(warm.native, warm.ratios, targets)
        start = time.perf_counter()
        for _ in range(repeats):
            predictor.predict(scene.native, scene.ratios, targets)
        seconds = (time.perf_counter() - start) / repeats
    h, w = scene.shape
    return h * w / 1e6 / seconds


def quality(arch: dict, seconds: float, work: str) -> dict:
    """Train net20 for `seconds` of CPU time, evaluate x2 on the test split."""
    from digisat_plugin.core.quality.evaluate import evaluate
    from digisat_plugin.core.sr.spec import NET20, prepare_inputs
    from digisat_plugin.core.train.recipe import net20_recipe, parameter_count
    from digisat_plugin.core.train.splits import regions
    from digisat_plugin.core.train.trainer import Trainer
    from digisat_plugin.core.wald import load_region

    config = net20_recipe()
    config.arch = arch
    probe = Trainer(config, os.path.join(work, "probe"), log=lambda line: None)
    start = time.perf_counter()
    for step in range(20):
        probe._train_step(*probe.batch_for(step), 1e-4)
    rate = 20 / (time.perf_counter() - start)
    config.steps = max(200, int(rate * seconds))
    trainer = Trainer(config, os.path.join(work, "run"), log=lambda line: print(line, file=sys.stderr),
                      pairs=probe.sampler.pairs, val_pairs=probe.val_pairs)  # the data is loaded once
    result = trainer.run(progress_every=500)

    def predict(native, ratios, targets):
        prepared = prepare_inputs(native, ratios, NET20)
        y = prepared.to_values(trainer.model.predict_on_batch(prepared.inputs[None])[0])
        return {b: y[..., i] for i, b in enumerate(NET20.outputs)}

    report = evaluate([load_region(r) for r in regions("test")], predict, factors=(2,))
    res = report["results"]["2"]
    return {"parameters": parameter_count(trainer.model), "steps": result["steps"], "train_seconds": result["seconds"],
            **{f"{p}_ratio_to_bicubic": round(res[p]["ratio_to_bicubic"], 4) for p in res},
            **{f"{p}_ratio_to_guided_linear": round(res[p]["ratio_to_guided_linear"], 4) for p in res}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--archs", default=",".join(ARCHS))
    parser.add_argument("--scene", default=os.path.join(os.path.dirname(REPO), "shared", "data", "sentinel2",
                                                        "S2A_L1C_20160112_T18SVG_virginia"))
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "model_search.json"))
    parser.add_argument("--speed-only", action="store_true")
    args = parser.parse_args()
    results = {}
    if os.path.exists(args.out):
        with open(args.out, encoding="utf-8") as fh:
            results = json.load(fh)
    for name in args.archs.split(","):
        arch = ARCHS[name]
        entry = dict(results.get(name, {}), arch=arch)
        entry["cpu_mp_per_s"] = round(throughput(arch, args.scene), 3)
        if not args.speed_only:
            with tempfile.TemporaryDirectory() as work:
                entry.update(quality(arch, args.seconds, work))
        results[name] = entry
        print(name, json.dumps(entry), flush=True)
        with open(args.out + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1, sort_keys=True)
        os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
