"""How far can the guided estimate itself go at x6? Variants of its detail term, and fits to the truth.

Written when the guard wrote the guided estimate at every x6 window (no net60 had generalised in
the leave-scene-out folds), so the estimate alone decided the 60 m bands' quality: 0.292 (DSen2) /
0.293 (MTF) of bicubic's RMSE on Virginia and Malmo, the target being 0.28. The estimate was

    cubic(low) + sum_g c_g * (guide_g - cubic(block_mean(blur_k(guide_g))))

with slopes c from 9 x 9 coarse-pixel windows damped toward the window's own fit and k the blur
estimated from the data (core/sr/guided.py); "estimate on the 10 m guides" below is that one, on the 10 m
guides alone. The row "+ all six 20 m bands as guides" has since been shipped (spec.NetSpec.
coarse_guides). This study changes only what multiplies c (the
detail), or how c is used, on the two scenes' real B01/B09 at x6 under both degradations (Wald
protocol, as `make evaluate`), no training involved:

- residual back-projection with the estimated blur (the estimate made consistent with the coarse
  band under its own forward model);
- the detail blurred (Gaussian t base pixels) or sharpened (unsharp mask, amount a, sigma 1 px);
- the detail scaled by a gain;
- the 20 m bands as further guides, each first brought to the base grid by its own x2 guided
  estimate (blur estimated at x2), slopes and blur re-estimated with them (all six, or B05 + B8A);
- the detail shrunk by the local fraction of the coarse band's variance the fit explains (R^2,
  a Wiener-like weight), alone and with a gain.

And, as yardsticks no method can reach, fits of the truth itself on the degraded guides (15 x 15
base-pixel windows) with the guides blurred or sharpened: which detail the true band wants.

Run: PYTHONPATH=. .venv/bin/python research/x6_estimate_variants.py   (about 1 min on 2 CPUs)
Writes research/x6_estimate_variants.md.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
from scipy.ndimage import gaussian_filter, uniform_filter

from digisat_plugin.core.definitions import BANDS_10M, PROTOCOLS
from digisat_plugin.core.quality.baselines import bicubic
from digisat_plugin.core.quality.metrics import rmse as band_rmse
from digisat_plugin.core.sr import guided
from digisat_plugin.core.sr.resample import upsample
from digisat_plugin.core.sr.spec import NET60, centre_fit
from digisat_plugin.core.train import splits
from digisat_plugin.core.wald import MIN_LOW_PIXELS, crop, degraded_scene, load_region

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "x6_estimate_variants.md")
S = NET60.scale
TEN_ONLY = dataclasses.replace(NET60, coarse_guides=())  # the estimate before the 20 m guides


def cases():
    """(scene name, protocol, degraded native dict, truth (2, H, W), valid (H, W))."""
    for fold in ("virginia", "malmo"):
        for region in splits.fold_regions(fold):
            scene = load_region(region)
            if min(scene.shape) < MIN_LOW_PIXELS * S * S:
                continue
            truth = crop(scene, S * S)
            ref = np.stack([truth.native[b] for b in NET60.outputs]).astype(np.float64)
            for protocol in PROTOCOLS:
                low = degraded_scene(scene, S, protocol)
                yield scene.name, protocol, {b: low.native[b] for b in NET60.inputs}, ref, ~low.nodata


def estimate(native, detail_filter=None, gain=1.0, shrink_power=0.0, back_projection=0):
    """The x6 estimate on the 10 m guides with one change to its detail term (module docstring)."""
    blur, prior = centre_fit(native, TEN_ONLY)
    guides = np.stack([native[b] for b in BANDS_10M]).astype(np.float32)
    sharp = guides if detail_filter is None else detail_filter(guides)
    low = np.stack([native[b] for b in NET60.outputs]).astype(np.float64)
    out = []
    for i in range(len(low)):
        guides_low = guided._blurred_low(guides, blur[i], S).astype(np.float64)
        coef, mean_g, mean_y = guided.local_regression(low[i:i + 1], guides_low, 2 * guided.LOCAL_RADIUS + 1,
                                                       guided.RIDGE, guided.RIDGE_FLOOR, prior[:, i:i + 1])
        weight = np.full(low.shape[-2:], gain)
        if shrink_power:
            fit = mean_y + np.einsum("gbhw,ghw->bhw", coef, guides_low - mean_g)
            explained = uniform_filter((fit[0] - mean_y[0]) ** 2, 9, mode="reflect")
            left = uniform_filter((low[i] - fit[0]) ** 2, 9, mode="reflect")
            weight = weight * (explained / (explained + left + 1e-9)) ** shrink_power
        c = upsample((coef[:, 0] * weight).astype(np.float32)[:, None], S, "linear")[:, 0]
        detail = sharp - upsample(guided._blurred_low(sharp, blur[i], S), S, "cubic")
        band = upsample(low[i][None].astype(np.float32), S, "cubic")[0] + np.einsum("ghw,ghw->hw", c, detail)
        for _ in range(back_projection):
            simulated = guided._blurred_low(band[None], blur[i], S)[0]
            band = band + upsample((low[i] - simulated)[None].astype(np.float32), S, "cubic")[0]
        out.append(band)
    return np.stack(out)


def with_coarse_guides(native, names):
    """The x6 estimate with the 20 m bands `names` as further guides (see the module docstring)."""
    sharp = np.stack([native[b] for b in BANDS_10M]).astype(np.float32)
    coarse = np.stack([native[b] for b in names]).astype(np.float32)
    guides = np.concatenate([sharp, guided.guided_local(coarse, sharp, 2, sigma=guided.estimate_blur(coarse, sharp, 2))])
    low = np.stack([native[b] for b in NET60.outputs]).astype(np.float64)
    blur = guided.estimate_blur(low, guides, S)
    prior = guided.global_coefficients(low, guides, S, blur)
    return guided.guided_local(low, guides, S, sigma=blur, prior=prior)


def blurred(t):
    return lambda g: gaussian_filter(g, [0, t, t], mode="reflect")


def sharpened(a):
    return lambda g: g + a * (g - gaussian_filter(g, [0, 1.0, 1.0], mode="reflect"))


VARIANTS = {
    "estimate on the 10 m guides (shipped before)": {},
    "residual back-projection (4 iterations)": {"back_projection": 4},
    "detail blurred, t = 0.5 px": {"detail_filter": blurred(0.5)},
    "detail sharpened, a = 0.3": {"detail_filter": sharpened(0.3)},
    "detail sharpened, a = 0.6": {"detail_filter": sharpened(0.6)},
    "detail gain 0.8": {"gain": 0.8},
    "detail gain 1.1": {"gain": 1.1},
    "detail gain 1.2": {"gain": 1.2},
    "detail x local R^2": {"shrink_power": 1.0},
    "detail x local R^2 x 1.1": {"shrink_power": 1.0, "gain": 1.1},
    "+ all six 20 m bands as guides": {"coarse": ("B05", "B06", "B07", "B8A", "B11", "B12")},
    "+ B05, B8A as guides": {"coarse": ("B05", "B8A")},
}
TRUTH_FILTERS = {"sharpened a = 0.6": sharpened(0.6), "sharpened a = 0.3": sharpened(0.3), "as degraded": None,
                 "blurred t = 0.5 px": blurred(0.5), "blurred t = 0.75 px": blurred(0.75)}


def rmse(pred, ref, valid):
    """Mean over the bands of each band's RMSE on the valid pixels (as `make evaluate`)."""
    return float(np.mean([band_rmse(r[valid], p[valid]) for r, p in zip(ref, pred, strict=True)]))


def main() -> None:
    rows, truth_rows, labels = {name: [] for name in VARIANTS}, {name: [] for name in TRUTH_FILTERS}, []
    for scene, protocol, native, ref, valid in cases():
        labels.append((scene.split("_")[-1], protocol))
        low = np.stack([native[b] for b in NET60.outputs])
        bic = rmse(bicubic(low, S), ref, valid)
        for name, kwargs in VARIANTS.items():
            pred = with_coarse_guides(native, kwargs["coarse"]) if "coarse" in kwargs else estimate(native, **kwargs)
            rows[name].append(rmse(pred, ref, valid) / bic)
        guides = np.stack([native[b] for b in BANDS_10M]).astype(np.float64)
        for name, filt in TRUTH_FILTERS.items():
            g = guides if filt is None else filt(guides)
            coef, mean_g, mean_y = guided.local_regression(ref, g, 15, guided.RIDGE, guided.RIDGE_FLOOR)
            fit = mean_y + np.einsum("gbhw,ghw->bhw", coef, g - mean_g)
            truth_rows[name].append(rmse(fit, ref, valid) / bic)
        print(labels[-1], {k: round(v[-1], 3) for k, v in rows.items()}, flush=True)

    def table(title, data):
        head = " | ".join(f"{s} {p}" for s, p in labels)
        lines = [f"| {title} | {head} | mean DSen2 | mean MTF |", "|---" * (len(labels) + 3) + "|"]
        for name, values in data.items():
            d = np.mean([v for v, (_, p) in zip(values, labels, strict=True) if p == "dsen2"])
            m = np.mean([v for v, (_, p) in zip(values, labels, strict=True) if p == "mtf"])
            lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in values) + f" | {d:.3f} | {m:.3f} |")
        return lines

    text = ["# x6: variants of the guided estimate's detail term", "",
            "`research/x6_estimate_variants.py`. Real B01/B09 of Virginia and Malmö at x6 (Wald protocol, "
            "as `make evaluate`), mean RMSE over bicubic's (lower is better). No training.", "",
            "## The estimate with one change", ""] + table("variant", rows) + [
            "", "## Fits of the truth itself on the degraded guides (15 x 15 px windows), guides filtered", ""] + \
        table("guides", truth_rows) + [""]
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write("\n".join(text))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
