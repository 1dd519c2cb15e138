"""Geometric augmentation: the 8 flips/90-degree rotations, applied alike to input and target."""

from __future__ import annotations

import numpy as np


def dihedral(arr: np.ndarray, k: int) -> np.ndarray:
    """Transform k (0..7) of (H, W, C) or (N, H, W, C): k % 4 quarter turns, then a flip if k >= 4."""
    axes = (-3, -2)
    out = np.rot90(arr, k % 4, axes=axes)
    if k >= 4:
        out = np.flip(out, axis=-2)
    return np.ascontiguousarray(out)


def augment_pair(inputs: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> tuple:
    k = int(rng.integers(8))
    return dihedral(inputs, k), dihedral(target, k)
