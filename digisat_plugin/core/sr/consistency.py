"""Radiometric consistency: make a super-resolved band average back to the band as delivered.

Back-projection: the difference between the delivered band and the block mean of the
prediction is upsampled (cubic) and added; a few rounds make the residual negligible while
keeping the correction smooth (nearest-neighbour upsampling would be exact in one round but
blocky). Each round reaches 2 * ratio base pixels further (see `consistency_reach`).
"""

from __future__ import annotations

import numpy as np

from .resample import block_mean, upsample

ROUNDS = 3


def consistency_reach(ratio: int, rounds: int = ROUNDS) -> int:
    return rounds * 2 * ratio


def enforce_consistency(pred: np.ndarray, native_lr: np.ndarray, ratio: int, rounds: int = ROUNDS) -> np.ndarray:
    """pred: (..., H, W) base-grid prediction; native_lr: (..., H/ratio, W/ratio) delivered band."""
    out = np.asarray(pred, dtype=np.float32)
    for _ in range(rounds):
        out = out + back_projection(out, native_lr, ratio)
    return out


def back_projection(pred: np.ndarray, native_lr: np.ndarray, ratio: int) -> np.ndarray:
    """One round's step: the delivered band minus the prediction's block mean, upsampled (cubic)."""
    return upsample(np.asarray(native_lr, np.float32) - block_mean(np.asarray(pred, np.float32), ratio), ratio, "cubic")
