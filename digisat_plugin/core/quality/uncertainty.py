"""Calibrating and validating the uncertainty layer (core/sr/uncertainty.py) at reduced scale.

Wald pairs: every band degraded by s, super-resolved as the engine writes it (the guard's decision
on the degraded window, the network's share of its correction), and the actual absolute error of
each pixel set beside the features the engine computes there. `fit` finds the non-negative
coefficients per network (least squares on |error|, so the layer estimates its mean), each
scene/degradation pair weighted alike so that one large scene does not decide them; `scores`
gives the validation figures.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter
from scipy.optimize import nnls
from scipy.stats import spearmanr

from ..definitions import BANDS_10M, BANDS_20M
from ..sr.spec import SPECS
from ..sr.uncertainty import FEATURES, combine
from ..wald import crop, degraded_scene
from .guard import check as guard_check

FACTOR_NET = {2: "net20", 6: "net60"}
# Coefficients set, not fitted. net60's correction is what the guard's linear floor moved the written
# band away from the guided estimate (on these scenes the network never writes at x6): among the x6
# pairs one band of one case has any (Virginia's B09 under the MTF blur, back-projected by 0.40), too
# few to fit. It takes the bound instead: |written - truth| <= |estimate - truth| + |written - estimate|,
# the other features predicting the first term, the move itself the second; the same bound holds
# where the guard writes net60, whose corrections no held-out x6 pair measures. Fitted at 0 it left
# that case's layer at 0.62 x the actual mean error (0.85 x with the bound; docs/uncertainty.md).
FIXED = {"net60": {"correction": 1.0}}
PROXY_SIZE = 5  # the naive proxy: the output's local standard deviation over 5 x 5 px
# A reference no layer can use: each pixel's 24 neighbours' actual mean error (5 x 5 px without the
# pixel itself). It knows every error but the pixel's own, so how well it ranks the pixel's error
# shows how much of that error is predictable from its surroundings at all (docs/uncertainty.md).
ORACLE_SIZE = 5


@dataclass
class Pairs:
    """One scene at one factor and degradation: per valid pixel of every output band of the network."""

    scene: str
    s: int
    protocol: str
    features: np.ndarray  # (F, N) pooled over the bands
    error: np.ndarray  # (N,) actual absolute error (model scale)
    proxy: np.ndarray  # (N,) the naive proxy
    band: np.ndarray  # (N,) index of the output band
    written: object  # the guard's decision (GuardDecision.written())
    bands: tuple = ()  # the name of each index in `band`
    oracle: np.ndarray | None = None  # (N,) the neighbours' actual mean error (ORACLE_SIZE), if computed


def pairs(scene, s: int, protocol: str, predictor) -> Pairs:
    """Degrade `scene` (core.wald.RegionArrays) by s, super-resolve it as the engine would, and pair
    the features with the actual absolute error on every pixel whose 60 m cell holds data."""
    spec = SPECS[FACTOR_NET[s]]
    low = degraded_scene(scene, s, protocol)
    truth = crop(scene, 6 * s)
    native = {b: low.native[b] for b in spec.inputs}
    decision = guard_check(predictor, native, low.ratios, spec.name)
    out, feats = predictor.predict(native, low.ratios, list(spec.outputs), methods={spec.name: decision.written()},
                                   spread=True)
    valid = ~low.nodata
    f, e, p, k, o = [], [], [], [], []
    for i, band in enumerate(spec.outputs):
        written = out[band]
        error = np.abs(written - truth.native[band])
        f.append(feats[band][:, valid])
        e.append(error[valid])
        p.append(naive_proxy(written)[valid])
        o.append(neighbour_error(error, valid)[valid])
        k.append(np.full(int(valid.sum()), i, np.int8))
    return Pairs(scene.name, s, protocol, np.concatenate(f, axis=1), np.concatenate(e), np.concatenate(p),
                 np.concatenate(k), decision.written(), tuple(spec.outputs), np.concatenate(o))


def naive_proxy(values: np.ndarray) -> np.ndarray:
    """The output's local standard deviation over PROXY_SIZE x PROXY_SIZE px (last two axes)."""
    size = (1,) * (values.ndim - 2) + (PROXY_SIZE, PROXY_SIZE)
    mean = uniform_filter(values, size, mode="reflect")
    return np.sqrt(np.maximum(uniform_filter(values * values, size, mode="reflect") - mean * mean, 0))


def neighbour_error(error: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The mean of `error` over each pixel's valid neighbours in ORACLE_SIZE x ORACLE_SIZE px, the pixel
    itself left out (0 where it has none): the oracle reference (ORACLE_SIZE)."""
    n = ORACLE_SIZE * ORACLE_SIZE
    weight = valid.astype(np.float64)
    total = uniform_filter(error * weight, ORACLE_SIZE, mode="constant") * n - error * weight
    count = uniform_filter(weight, ORACLE_SIZE, mode="constant") * n - weight
    return np.where(count > 0.5, total / np.maximum(count, 1), 0.0)


def x6_proxy_arrays(scene, protocol: str):
    """x6 geometry from the 20 m bands, which every scene has: (truth, low, estimate, valid), each
    20 m band (B, H, W) as delivered, degraded by 6 (to 120 m) and recovered at 20 m by the guided
    estimate on the 10 m bands degraded by 2 (the base grid), valid (H, W); None if the scene is too
    small. net60's estimate also has the 20 m bands as guides, which this geometry cannot have."""
    from ..sr.guided import estimate_blur, guided_local
    from ..wald import blur_sigma, degrade

    scene = crop(scene, 12)  # the 20 m grid divisible by 6
    if min(scene.shape) // 2 < 6 * 8:
        return None
    guides = np.stack([degrade(scene.native[b], 2, blur_sigma(b, 2, protocol)) for b in BANDS_10M])
    truth = np.stack([scene.native[b] for b in BANDS_20M]).astype(np.float32)
    low = np.stack([degrade(scene.native[b], 6, blur_sigma(b, 6, protocol)) for b in BANDS_20M])
    valid = (truth != 0).all(axis=0) & (guides != 0).all(axis=0)
    estimate = guided_local(low, guides, 6, sigma=estimate_blur(low, guides, 6)).astype(np.float32)
    return truth, low, estimate, valid


def proxy_pairs(scene, protocol: str) -> Pairs | None:
    """net60's pairs in x6 geometry from the 20 m bands (x6_proxy_arrays; None if too small). At x6
    the engine writes the guided estimate on scenes it was not trained on (nothing learned from any
    scene), so these are the same kind of pair as B01/B09's, from every BigEarthNet patch and both
    large scenes instead of the two large enough for real x6 pairs; the written band is the
    estimate, so the correction feature is 0."""
    from ..sr.guided import local_scale
    from ..sr.uncertainty import features

    arrays = x6_proxy_arrays(scene, protocol)
    if arrays is None:
        return None
    truth, low, estimate, valid = arrays
    feats = features(estimate, estimate, low, 6, local_scale(low, 6))  # (B, F, H, W)
    proxy = naive_proxy(estimate)
    bands = range(len(truth))
    return Pairs(f"{scene.name} (20 m bands at x6)", 6, protocol,
                 np.concatenate([feats[i][:, valid] for i in bands], axis=1),
                 np.concatenate([np.abs(estimate[i] - truth[i])[valid] for i in bands]),
                 np.concatenate([proxy[i][valid] for i in bands]),
                 np.concatenate([np.full(int(valid.sum()), i, np.int8) for i in bands]), "guided", tuple(BANDS_20M))


def product_of(item: Pairs) -> str:
    """The product a pair comes from (a region's rows or a proxy of its 20 m bands count as it)."""
    return os.path.basename(item.scene.split("[")[0].split(" ")[0])


def fit(items) -> np.ndarray:
    """Non-negative coefficients (F,) minimising the squared error of combine(features) against the
    absolute error, every item (scene and degradation) weighted alike; a FIXED coefficient is set
    and the others fitted to what it leaves."""
    rows, target = [], []
    for it in items:
        w = 1.0 / np.sqrt(max(len(it.error), 1))
        rows.append(it.features.T.astype(np.float64) * w)
        target.append(it.error.astype(np.float64) * w)
    a = np.concatenate(rows)
    fixed = FIXED.get(FACTOR_NET[items[0].s], {})
    coef = np.array([fixed.get(f, 0.0) for f in FEATURES])
    fitted = [i for i, f in enumerate(FEATURES) if f not in fixed]
    coef[fitted] = nnls(a[:, fitted], np.concatenate(target) - a @ coef)[0]
    return coef


def scores(item: Pairs, coefficients) -> dict:
    """Spearman correlation of predicted and actual absolute error, mean predicted / mean actual (also
    per band), the actual mean error in the top 10 % predicted against the bottom 50 %, the proxy's
    Spearman, and (where the item has it) the oracle's Spearman and top 10 % / bottom 50 %."""
    predicted = predict(item, coefficients)
    per_band = {item.bands[i]: float(predicted[item.band == i].mean() / max(item.error[item.band == i].mean(), 1e-9))
                for i in np.unique(item.band)}
    result = dict(score_prediction(predicted, item.error), proxy_spearman=_spearman(item.proxy, item.error),
                  pixels=int(len(item.error)), band_mean_ratio=per_band)
    if item.oracle is not None:
        oracle = score_prediction(item.oracle, item.error)
        result.update(oracle_spearman=oracle["spearman"], oracle_top10_over_bottom50=oracle["top10_over_bottom50"])
    return result


def predict(item: Pairs, coefficients) -> np.ndarray:
    """The layer's value on the item's pixels (as core/sr/uncertainty.combine computes it)."""
    return combine(item.features[:, :, None], coefficients)[:, 0]


def score_prediction(predicted: np.ndarray, actual: np.ndarray) -> dict:
    order = np.argsort(predicted, kind="stable")
    n = len(order)
    top = actual[order[int(np.floor(0.9 * n)):]].mean()
    bottom = actual[order[:n // 2]].mean()
    return {"spearman": _spearman(predicted, actual), "mean_ratio": float(predicted.mean() / max(actual.mean(), 1e-9)),
            "top10_over_bottom50": float(top / max(bottom, 1e-9)), "mean_error": float(actual.mean()),
            "mean_predicted": float(predicted.mean())}


def _spearman(a, b) -> float:
    return float(spearmanr(a, b)[0])
