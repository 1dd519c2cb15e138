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


_TAPS = {"linear": (0, 1), "cubic": (-1, 0, 1, 2)}
_PAD = 2  # edge pixels replicated on each side: taps reach from left - 1 to left + 2, left in {-1, 0}


def _weights(kernel: str, frac: float) -> tuple:
    if kernel == "linear":
        return 1 - frac, frac
    return tuple(float(_cubic(np.array(frac - k))) for k in _TAPS["cubic"])


def _upsample_axis(arr: np.ndarray, s: int, axis: int, kernel: str) -> np.ndarray:
    """One axis, phase by phase: output pixel i * s + p sits at the same fraction of a low pixel for
    every i, so each of the s phases is a weighted sum of a few shifted copies of the input (slices
    of an edge-replicated copy: no gather, scalar weights), summed in two scratch arrays (the
    upsampling of the estimate's coefficients and details is a large share of a run)."""
    if kernel not in _TAPS:
        raise ValueError(f"unknown kernel {kernel!r}")
    axis = axis % arr.ndim
    n = arr.shape[axis]

    def along(sl):
        return (slice(None),) * axis + (sl,)

    shape = list(arr.shape)
    shape[axis] = n + 2 * _PAD
    padded = np.empty(shape, np.float32)
    padded[along(slice(_PAD, _PAD + n))] = arr
    padded[along(slice(0, _PAD))] = arr[along(slice(0, 1))]
    padded[along(slice(_PAD + n, None))] = arr[along(slice(n - 1, n))]
    shape[axis] = n * s
    out = np.empty(shape, np.float32)
    acc, term = np.empty(arr.shape, np.float32), np.empty(arr.shape, np.float32)
    for p in range(s):
        pos = (p + 0.5) / s - 0.5  # in low pixels, from the centre of the low pixel i
        left = int(np.floor(pos))
        for i, (k, w) in enumerate(zip(_TAPS[kernel], _weights(kernel, pos - left), strict=True)):
            start = left + k + _PAD
            np.multiply(padded[along(slice(start, start + n))], np.float32(w), out=acc if i == 0 else term)
            if i:
                acc += term
        out[along(slice(p, None, s))] = acc
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
