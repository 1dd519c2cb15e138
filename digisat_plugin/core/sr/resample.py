"""Resampling between nested grids with pixel areas aligned (no half-pixel shift).

A low-resolution pixel of factor s covers exactly s x s base pixels; base pixel i has its centre
at (i + 0.5) / s - 0.5 in low-resolution pixel coordinates. All functions work on the last two
axes, so (H, W) and (C, H, W) arrays both work.
"""

from __future__ import annotations

import numpy as np


def _cubic(t: np.ndarray, a: float = -0.5) -> np.ndarray:
    """Keys cubic convolution kernel (a = -0.5, as in MATLAB's imresize 'bicubic')."""
    t = np.abs(t)
    return np.where(
        t <= 1, (a + 2) * t**3 - (a + 3) * t**2 + 1,
        np.where(t < 2, a * t**3 - 5 * a * t**2 + 8 * a * t - 4 * a, 0.0),
    )


def _upsample_axis(arr: np.ndarray, s: int, axis: int, kernel: str) -> np.ndarray:
    n = arr.shape[axis]
    pos = (np.arange(n * s) + 0.5) / s - 0.5
    left = np.floor(pos).astype(int)
    frac = pos - left
    if kernel == "linear":
        taps, weights = (0, 1), (1 - frac, frac)
    elif kernel == "cubic":
        taps = (-1, 0, 1, 2)
        weights = tuple(_cubic(frac - k) for k in taps)
    else:
        raise ValueError(f"unknown kernel {kernel!r}")
    out = None
    shape = [1] * arr.ndim
    shape[axis] = n * s
    for k, w in zip(taps, weights, strict=False):
        idx = np.clip(left + k, 0, n - 1)  # edge replication
        term = np.take(arr, idx, axis=axis) * w.reshape(shape).astype(np.float32)
        out = term if out is None else out + term
    return out


def upsample(arr: np.ndarray, s: int, kernel: str = "linear") -> np.ndarray:
    """Upsample the last two axes by the integer factor s ('linear' or 'cubic' kernel)."""
    arr = np.asarray(arr, dtype=np.float32)
    if s == 1:
        return arr.copy()
    return _upsample_axis(_upsample_axis(arr, s, arr.ndim - 2, kernel), s, arr.ndim - 1, kernel)


def upsample_nearest(arr: np.ndarray, s: int) -> np.ndarray:
    """Repeat each pixel s x s times: the pixels as delivered, on the finer grid."""
    if s == 1:
        return np.array(arr, copy=True)
    return np.repeat(np.repeat(arr, s, axis=-2), s, axis=-1)


def block_mean(arr: np.ndarray, s: int) -> np.ndarray:
    """Average non-overlapping s x s blocks of the last two axes (sizes must divide by s)."""
    arr = np.asarray(arr, dtype=np.float32)
    if s == 1:
        return arr.copy()
    h, w = arr.shape[-2:]
    if h % s or w % s:
        raise ValueError(f"shape {h}x{w} does not divide by {s}")
    return arr.reshape(arr.shape[:-2] + (h // s, s, w // s, s)).mean(axis=(-3, -1))
