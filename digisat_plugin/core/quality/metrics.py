"""Image quality metrics for a reconstruction `pred` of a reference `ref` (same shape).

Per band: RMSE (in the arrays' units, here DN = reflectance x 10000) and SRE (dB,
signal-to-reconstruction error as in Lanaras et al. 2018: 10 log10(mean(ref)^2 / MSE)).
Across bands (arrays (B, H, W)): SAM (mean spectral angle in degrees) and ERGAS
(100 / s * sqrt(mean_b (RMSE_b / mean_b)^2) for a resolution ratio s).
"""

from __future__ import annotations

import numpy as np


def _pair(ref, pred):
    ref = np.asarray(ref, dtype=np.float64)
    pred = np.asarray(pred, dtype=np.float64)
    if ref.shape != pred.shape:
        raise ValueError(f"shapes differ: reference {ref.shape}, prediction {pred.shape}")
    return ref, pred


def rmse(ref, pred) -> float:
    ref, pred = _pair(ref, pred)
    return float(np.sqrt(np.mean((ref - pred) ** 2)))


def sre(ref, pred) -> float:
    ref, pred = _pair(ref, pred)
    mse = np.mean((ref - pred) ** 2)
    if mse == 0:
        return float("inf")
    return float(10.0 * np.log10(np.mean(ref) ** 2 / mse))


def sam(ref, pred) -> float:
    """Mean angle in degrees between the spectra (axis 0) of ref and pred, over pixels.

    Pixels where either spectrum is all zero are left out.
    """
    ref, pred = _pair(ref, pred)
    ref = ref.reshape(ref.shape[0], -1)
    pred = pred.reshape(pred.shape[0], -1)
    norms = np.linalg.norm(ref, axis=0) * np.linalg.norm(pred, axis=0)
    ok = norms > 0
    if not ok.any():
        return 0.0
    cos = np.clip(np.sum(ref * pred, axis=0)[ok] / norms[ok], -1.0, 1.0)
    return float(np.degrees(np.mean(np.arccos(cos))))


def ergas(ref, pred, s: int) -> float:
    """ERGAS for bands on axis 0 and a resolution ratio s (low / high pixel size)."""
    ref, pred = _pair(ref, pred)
    terms = []
    for b in range(ref.shape[0]):
        mean = np.mean(ref[b])
        terms.append((rmse(ref[b], pred[b]) / mean) ** 2 if mean else 0.0)
    return float(100.0 / s * np.sqrt(np.mean(terms)))
