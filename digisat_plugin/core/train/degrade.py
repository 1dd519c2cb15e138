"""Wald-protocol degradations: blur a band on its own grid, then average s x s blocks.

Two blurs, so a model is not tuned to one:
- "dsen2": Gaussian with sigma = 1/s pixels (the DSen2 reference code);
- "mtf": Gaussian whose response at the new Nyquist frequency equals the band's MTF
  (core/bands.py): sigma = s * sqrt(-2 ln MTF) / pi pixels.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import gaussian_filter

from ..definitions import BY_NAME
from ..sr.resample import block_mean

PROTOCOLS = ("dsen2", "mtf")


def blur_sigma(band: str, s: int, protocol: str) -> float:
    """Gaussian sigma in pixels of the band's own grid for a degradation by s."""
    if protocol == "dsen2":
        return 1.0 / s
    if protocol == "mtf":
        return s * math.sqrt(-2.0 * math.log(BY_NAME[band].mtf_nyquist)) / math.pi
    raise ValueError(f"unknown degradation protocol {protocol!r} (expected one of {', '.join(PROTOCOLS)})")


def degrade(arr: np.ndarray, s: int, sigma: float) -> np.ndarray:
    """Blur the last two axes with a Gaussian (mirrored edges), then block-average by s."""
    arr = np.asarray(arr, dtype=np.float32)
    sig = [0.0] * (arr.ndim - 2) + [sigma, sigma]
    return block_mean(gaussian_filter(arr, sig, mode="reflect", truncate=4.0), s)


def degrade_bands(native: dict, s: int, protocol: str) -> dict:
    """Degrade every band of a scene by s on its own grid (band name -> array)."""
    return {name: degrade(arr, s, blur_sigma(name, s, protocol)) for name, arr in native.items()}
