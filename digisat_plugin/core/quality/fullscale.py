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
from .blocks import BLOCK, block_error, block_limit
from .guard import check

MEAN_TOLERANCE = 0.01
MEAN_TOLERANCE_DN = 5.0


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
        mean_d = float(delivered[valid].mean())
        mean_e = float(block_mean(enhanced[band], r)[valid].mean())
        rmse_e, rmse_g = block_error(enhanced[band], delivered, r), block_error(guided[band], delivered, r)
        rmse_l = block_error(guided_linear(delivered[None], guides, r, valid)[0], delivered, r)
        limit_g, limit_l = block_limit(rmse_g, mean_d), block_limit(rmse_l, mean_d)
        rows.append({
            "band": band, "mean_delivered": mean_d, "mean_enhanced": mean_e,
            "bias_percent": 100.0 * (mean_e - mean_d) / mean_d,
            "mean_ok": abs(mean_e - mean_d) <= max(MEAN_TOLERANCE * mean_d, MEAN_TOLERANCE_DN),
            "block_rmse_enhanced": rmse_e, "block_rmse_guided": rmse_g,
            "block_limit": limit_g, "block_ok": rmse_e <= limit_g,
            "block_rmse_linear": rmse_l, "block_limit_linear": limit_l, "block_ok_linear": rmse_e <= limit_l,
            "method": _written(decisions.get(getattr(writing_net(band), "name", "")), band),
        })
    return rows


def _written(decision, band: str) -> str:
    """"network", "guided", or the network's share on the estimate (the guard's decision on `band`)."""
    share = 1.0 if decision is None else decision.share(band)
    return "network" if share == 1 else "guided" if share == 0 else f"{share:.2f} network"
