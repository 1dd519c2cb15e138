"""The full-scale radiometric criterion's one home: an enhanced band averaged over blocks of
BLOCK x BLOCK delivered pixels against the delivered band averaged the same way, and its limit.

Coarse blocks, because a network that rightly undoes the sensor's blur moves single delivered
pixels. Used by the full-scale check (fullscale.py) and by the guard's linear floor (guard.py),
which holds the 60 m bands to it at run time.
"""

from __future__ import annotations

import numpy as np

from ..sr.resample import block_mean

BLOCK = 3  # delivered pixels per block side
BLOCK_FACTOR = 1.5  # the limit: this many times the reference's block error ...
BLOCK_SLACK = 0.01  # ... plus this share of the band's mean


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


def block_limit(reference_error: float, mean: float) -> float:
    """The most block error allowed, given a reference's (the guided estimate, global guided-linear)."""
    return BLOCK_FACTOR * reference_error + BLOCK_SLACK * mean
