"""The x2 guard per band: what the reduced-scale check sees against what is true, on a fold.

For every scene of the fold (its own networks, trained without it by scripts/leave_scene_out.py
--train-only) and both degradations, prints per output band of net20 the network's RMSE over the
guided estimate's at reduced scale (the truth the leave-scene-out tables pool) and the same ratio
from the guard's check (the reduced scene degraded once more with the MTF blur, as
core/quality/guard.check does, but not pooled over bands). docs/models.md, "The guard".

    .venv/bin/python research/guard_per_band.py [--fold ben2017] [--work .train/folds] [--swir-blur]

--swir-blur: instead, the SWIR bands' (B11, B12) network / estimate ratios when the network and its
estimate are given other SWIR blurs than the window's own (0.5, 0.7, 0.9 px under DSen2; 0.9,
1.1, 1.3 under MTF), the estimate's own error beside them.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from digisat_plugin.core.sr.spec import SPECS, Prepared, prepare_inputs, valid_at, window_blur
from digisat_plugin.core.train.splits import fold_regions
from digisat_plugin.core.wald import crop, degrade_bands, degraded_scene, load_region

SPEC = SPECS["net20"]


def rmse_per_band(pred, truth, valid) -> np.ndarray:
    return np.sqrt(np.mean((pred[valid] - truth[valid]) ** 2, axis=0))


def check_per_band(predictor, native: dict, ratios: dict) -> np.ndarray:
    """guard.check's comparison under the MTF degradation, one ratio per output band."""
    s, cell = SPEC.scale, 6 * SPEC.scale
    h, w = (d // cell * cell for d in native["B02"].shape)
    part = {b: native[b][: h // ratios[b], : w // ratios[b]] for b in SPEC.inputs}
    valid = valid_at(part, SPEC)
    truth = np.stack([part[b] for b in SPEC.outputs], axis=-1)
    low = degrade_bands(part, s, "mtf")
    prepared = prepare_inputs(low, ratios, SPEC, window_blur(low, SPEC, valid_at(low, SPEC)))
    network = predictor.run_net(SPEC.name, Prepared(prepared.inputs[None], prepared.scale[None],
                                                    prepared.base[None]))[0]
    return rmse_per_band(network, truth, valid) / rmse_per_band(prepared.base, truth, valid)


SWIR_BLURS = {"dsen2": (0.5, 0.7, 0.9), "mtf": (0.9, 1.1, 1.3)}


def swir_blur_study(predictor, scene, protocol: str) -> str:
    low = degraded_scene(scene, SPEC.scale, protocol)
    native = {b: low.native[b] for b in SPEC.inputs}
    truth = np.stack([crop(scene, 12).native[b] for b in SPEC.outputs], axis=-1)
    own = window_blur(native, SPEC, valid_at(native, SPEC))
    cells = [f"own blur {own[4]:.2f} {own[5]:.2f}"]
    for width in (None,) + SWIR_BLURS[protocol]:
        blur = own.copy()
        if width is not None:
            blur[4:6] = width
        prepared = prepare_inputs(native, low.ratios, SPEC, blur)
        network = predictor.run_net(SPEC.name, Prepared(prepared.inputs[None], prepared.scale[None],
                                                        prepared.base[None]))[0]
        valid = np.ones(truth.shape[:2], bool)
        ratio = rmse_per_band(network, truth, valid) / rmse_per_band(prepared.base, truth, valid)
        estimate = rmse_per_band(prepared.base, truth, valid)
        cells.append(f"{'own' if width is None else f'{width:.1f}'}: {ratio[4]:.2f} {ratio[5]:.2f}"
                     f" (estimate {estimate[4]:.0f} {estimate[5]:.0f} DN)")
    return " | ".join(cells)


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from digisat_plugin.core.sr.predict import Predictor

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fold", default="ben2017")
    p.add_argument("--work", default=".train/folds")
    p.add_argument("--swir-blur", action="store_true")
    args = p.parse_args()
    predictor = Predictor(model_dir=os.path.join(args.work, args.fold, "model"), device="cpu")
    print(f"net20 / guided estimate RMSE per band ({' '.join(SPEC.outputs)}), fold {args.fold}")
    for region in fold_regions(args.fold):
        scene = load_region(region)
        truth_scene = crop(scene, 12)
        if args.swir_blur:
            for protocol in ("dsen2", "mtf"):
                print(f"{region.name:45s} {protocol:5s} {swir_blur_study(predictor, scene, protocol)}")
            continue
        for protocol in ("dsen2", "mtf"):
            low = degraded_scene(scene, SPEC.scale, protocol)
            native = {b: low.native[b] for b in SPEC.inputs}
            targets = list(SPEC.outputs)
            out = predictor.predict(native, low.ratios, targets)
            est = predictor.predict(native, low.ratios, targets, methods={SPEC.name: "guided"})
            truth = np.stack([truth_scene.native[b] for b in targets], axis=-1)
            valid = ~low.nodata
            true = (rmse_per_band(np.stack([out[b] for b in targets], -1), truth, valid)
                    / rmse_per_band(np.stack([est[b] for b in targets], -1), truth, valid))
            seen = check_per_band(predictor, native, low.ratios)
            print(f"{region.name:45s} {protocol:5s} true {' '.join(f'{x:.2f}' for x in true)}"
                  f" | check {' '.join(f'{x:.2f}' for x in seen)}")


if __name__ == "__main__":
    main()
