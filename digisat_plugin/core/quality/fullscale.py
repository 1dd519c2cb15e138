"""Radiometry at full scale: does an enhanced band still say what the sensor delivered?

There is no 10 m truth for a 20 m or 60 m band, but two things can be checked on any scene:
- the band's mean is kept (within 1 % or 5 DN, whichever is larger);
- averaged over blocks of 3 x 3 delivered pixels, the enhanced band matches the delivered band
  averaged the same way. Coarse blocks, because a network that rightly undoes the sensor's blur
  moves single delivered pixels; the limit is 1.5 x the guided estimate's error on the same
  blocks plus 1 % of the band's mean. Global guided-linear (core/sr/guided.guided_linear) is the
  second reference: the 60 m bands are held to the same limit on its error (`linear` columns),
  which the guard's linear floor enforces (core/quality/guard.py).
What is written is what the engine writes: the guard decides per network (core/quality/guard.py).
"""

from __future__ import annotations

import numpy as np

from ..definitions import BANDS_10M
from ..sr.guided import guided_linear
from ..sr.predict import nets_for, writing_net
from ..sr.resample import block_mean
from .guard import check

BLOCK = 3  # delivered pixels per block side
MEAN_TOLERANCE = 0.01
MEAN_TOLERANCE_DN = 5.0
BLOCK_FACTOR = 1.5
BLOCK_SLACK = 0.01


def consistency_rows(predictor, native: dict, ratios: dict, targets, guard: bool = True) -> list:
    """One row per target band: delivered/enhanced means, block RMSE of enhanced and guided, limits.

    native: band -> native-grid array on the model scale (0 = no data); the base size must be a
    multiple of 6 x BLOCK (the top-left part that is, is used).
    """
    base = next(b for b in native if ratios[b] == 1)
    cell = 6 * BLOCK
    h, w = (d // cell * cell for d in native[base].shape)
    native = {b: a[: h // ratios[b], : w // ratios[b]] for b, a in native.items()}
    decisions = {spec.name: check(predictor, native, ratios, spec.name) for spec in nets_for(targets)} if guard else {}
    methods = {net: d.written() for net, d in decisions.items()}
    enhanced = predictor.predict(native, ratios, targets, methods=methods)
    guided = predictor.predict(native, ratios, targets, methods={spec.name: "guided" for spec in nets_for(targets)})
    guides = np.stack([native[b] for b in BANDS_10M])
    rows = []
    for band in targets:
        r = ratios[band]
        delivered = native[band]
        valid = delivered != 0
        blocks_valid = block_mean(valid.astype(np.float32), BLOCK) == 1.0
        mean_d = float(delivered[valid].mean())
        mean_e = float(block_mean(enhanced[band], r)[valid].mean())
        ref = block_mean(delivered, BLOCK)[blocks_valid]

        def block_rmse(values, r=r, ref=ref, blocks_valid=blocks_valid):
            return float(np.sqrt(np.mean((block_mean(values, r * BLOCK)[blocks_valid] - ref) ** 2)))

        rmse_e, rmse_g = block_rmse(enhanced[band]), block_rmse(guided[band])
        rmse_l = block_rmse(guided_linear(delivered[None], guides, r, valid)[0])
        limit_l = BLOCK_FACTOR * rmse_l + BLOCK_SLACK * mean_d
        rows.append({
            "band": band, "mean_delivered": mean_d, "mean_enhanced": mean_e,
            "bias_percent": 100.0 * (mean_e - mean_d) / mean_d,
            "mean_ok": abs(mean_e - mean_d) <= max(MEAN_TOLERANCE * mean_d, MEAN_TOLERANCE_DN),
            "block_rmse_enhanced": rmse_e, "block_rmse_guided": rmse_g,
            "block_limit": BLOCK_FACTOR * rmse_g + BLOCK_SLACK * mean_d,
            "block_ok": rmse_e <= BLOCK_FACTOR * rmse_g + BLOCK_SLACK * mean_d,
            "block_rmse_linear": rmse_l, "block_limit_linear": limit_l, "block_ok_linear": rmse_e <= limit_l,
            "method": _written(decisions.get(getattr(writing_net(band), "name", "")), band),
        })
    return rows


def block_error(values: np.ndarray, delivered: np.ndarray, ratio: int) -> float:
    """RMSE of `values` (base grid) averaged over blocks of BLOCK x BLOCK delivered pixels against
    `delivered` (the band's grid, 0 = no data) averaged the same way, over blocks with data."""
    h, w = (d // BLOCK * BLOCK for d in delivered.shape)
    delivered = delivered[:h, :w]
    blocks_valid = block_mean((delivered != 0).astype(np.float32), BLOCK) == 1.0
    if not blocks_valid.any():
        return 0.0
    diff = block_mean(values[:h * ratio, :w * ratio], ratio * BLOCK) - block_mean(delivered, BLOCK)
    return float(np.sqrt(np.mean(diff[blocks_valid] ** 2)))


def _written(decision, band: str) -> str:
    """"network", "guided", or the network's share on the estimate (the guard's decision on `band`)."""
    share = 1.0 if decision is None else decision.share(band)
    return "network" if share == 1 else "guided" if share == 0 else f"{share:.2f} network"
