"""Which per-pixel features rank the enhanced bands' actual errors, and which model of them.

    PYTHONPATH=scripts .venv/bin/python research/uncertainty_features.py [--factor 2] [--cache build/uncertainty-study]

(scripts/ on the path for its uncertainty_data and leave_scene_out, as when they run as scripts.)

The engine's uncertainty features (core/sr/uncertainty.py) plus candidates, on the Wald pairs of
scripts/uncertainty_data.py (scenes the networks never saw), each group held out in turn:
per-feature Spearman, then models fitted on the other groups (the shipped non-negative linear fit,
a log-linear fit with and without per-band terms). Prints a table; nothing shipped depends on it.
"""

from __future__ import annotations

import argparse
import os
import pickle

import numpy as np
from scipy.ndimage import uniform_filter
from scipy.stats import spearmanr

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

NAMES = ["detail", "correction", "gradient", "level", "detail_px", "correction_px", "gradient_px", "consistency",
         "coarse_std", "detail_wide", "change_px", "laplace_px", "guide_detail", "guide_grad", "guide_detail_wide"]


def rms(a, n):
    size = (1,) * (a.ndim - 2) + (n, n)
    return np.sqrt(np.maximum(uniform_filter(np.asarray(a, np.float32) ** 2, size=size, mode="reflect"), 0))


def extended(written, estimate, low, s, level, guides):
    from digisat_plugin.core.sr.resample import block_mean, upsample, upsample_nearest
    written = np.asarray(written, np.float32)
    gy, gx = np.gradient(written, axis=(-2, -1))
    grad = np.hypot(gx, gy)
    cubic = upsample(np.asarray(low, np.float32), s, "cubic")
    detail = estimate - cubic
    corr = written - estimate
    cons = np.abs(upsample_nearest(np.asarray(low, np.float32) - block_mean(written, s), s))
    lm = uniform_filter(low, (1,) * (low.ndim - 2) + (3, 3), mode="reflect")
    lv = uniform_filter(low * low, (1,) * (low.ndim - 2) + (3, 3), mode="reflect")
    cstd = upsample(np.sqrt(np.maximum(lv - lm * lm, 0)), s, "linear")
    lap = np.abs(4 * written - np.roll(written, 1, -1) - np.roll(written, -1, -1) - np.roll(written, 1, -2)
                 - np.roll(written, -1, -2))
    gd = np.zeros_like(written)
    gg = np.zeros_like(written)
    for g in guides:
        d = g - upsample(block_mean(g, s), s, "cubic")
        gd += d * d
        gyy, gxx = np.gradient(g, axis=(-2, -1))
        gg = np.maximum(gg, np.hypot(gxx, gyy))
    gd = np.sqrt(gd)
    return np.stack([rms(detail, 3), rms(corr, 3), rms(grad, 3), level, np.abs(detail), np.abs(corr), grad,
                     cons, cstd, rms(detail, 2 * s + 1), np.abs(written - cubic), lap, rms(gd, 3), gg,
                     rms(gd, 2 * s + 1)], axis=-3).astype(np.float32)


def patch():
    from digisat_plugin.core.sr import predict as P
    from digisat_plugin.core.sr.guided import local_scale

    def _spread(spec, inputs, ratios, y, estimate, crop, left, th, tw):
        low = np.stack([inputs[b] for b in spec.outputs], axis=-3)
        level = local_scale(low, spec.scale)
        out = {}
        for i, band in enumerate(spec.outputs):
            r = ratios[band]
            h, w = y.shape[-3:-1]
            guides = [inputs[g][..., crop:crop + h, crop:crop + w] for g in spec.inputs if ratios[g] == 1]
            feats = extended(y[..., i], estimate[..., i],
                             inputs[band][..., crop // r:(crop + h) // r, crop // r:(crop + w) // r], r,
                             level[..., i, crop:crop + h, crop:crop + w], guides)
            out[band] = feats[..., left:left + th, left:left + tw]
        return out
    P.Predictor._spread = staticmethod(_spread)


def sp(a, b):
    return float(spearmanr(a, b)[0])


def design(it, cols, per_band, nb):
    x = np.log1p(np.maximum(it.features[cols].T.astype(np.float64), 0))
    parts = [x, np.ones((x.shape[0], 1))]
    if per_band:
        parts.append(np.eye(nb)[it.band][:, 1:])
    return np.concatenate(parts, axis=1)


def fit_log(items, cols, per_band, nb):
    rows, t = [], []
    for it in items:
        w = 1 / np.sqrt(len(it.error))
        rows.append(design(it, cols, per_band, nb) * w)
        t.append(np.log1p(it.error.astype(np.float64)) * w)
    a = np.concatenate(rows)
    beta = np.linalg.lstsq(a, np.concatenate(t), rcond=None)[0]
    # the mean: scale exp(log-prediction) so that the predicted mean equals the actual one
    num = sum(it.error.mean() for it in items)
    den = sum(np.expm1(design(it, cols, per_band, nb) @ beta).clip(0).mean() for it in items)
    return beta, num / den


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--factor", type=int, default=2)
    p.add_argument("--cache", default=os.path.join(REPO, "build", "uncertainty-study"))
    args = p.parse_args(argv)
    patch()
    from uncertainty_data import collect

    from digisat_plugin.core.quality.uncertainty import fit, score_prediction
    from digisat_plugin.core.sr.predict import Predictor

    predictor = Predictor(model_dir=os.path.join(REPO, "model_weights"), device="cpu")
    groups = collect(args.factor, predictor, os.path.join(args.cache, f"x{args.factor}.pkl"))
    with open(os.path.join(args.cache, f"x{args.factor}-items.pkl"), "wb") as f:
        pickle.dump(groups, f)
    nb = 6 if args.factor == 2 else 2
    print("per-feature Spearman (pooled bands):")
    for items in groups.values():
        for it in items:
            print(f"  {it.scene[:40]:40s} {it.protocol:5s} " + " ".join(
                f"{n[:8]}={sp(it.features[k], it.error):.2f}" for k, n in enumerate(NAMES)))
    models = {"shipped4": ("nnls", [0, 1, 2, 3]), "nnls_all": ("nnls", list(range(len(NAMES)))),
              "log4": ("log", [0, 1, 2, 3], False), "log4_band": ("log", [0, 1, 2, 3], True),
              "log_all_band": ("log", list(range(len(NAMES))), True)}
    for mname, spec in models.items():
        print(mname)
        for name, items in groups.items():
            train = [it for o, its in groups.items() if o != name for it in its]
            if spec[0] == "nnls":
                cols = spec[1]

                class V:
                    pass
                tr = []
                for it in train:
                    v = V()
                    v.features, v.error = it.features[cols], it.error
                    tr.append(v)
                coef = fit(tr)
                preds = [(it, coef @ it.features[cols]) for it in items]
            else:
                beta, k = fit_log(train, spec[1], spec[2], nb)
                preds = [(it, k * np.expm1(design(it, spec[1], spec[2], nb) @ beta).clip(0)) for it in items]
            for it, pr in preds:
                s = score_prediction(pr, it.error)
                print(f"  {it.scene[:40]:40s} {it.protocol:5s} sp={s['spearman']:.3f} mean={s['mean_ratio']:.2f} "
                      f"top/bot={s['top10_over_bottom50']:.1f}")


if __name__ == "__main__":
    main()
