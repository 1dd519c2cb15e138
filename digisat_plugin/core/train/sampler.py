"""Random training patches that skip no-data and near-empty ground.

A patch is kept when every pixel has data (TrainingPair.valid) and the mean of B08 (near infrared,
TrainingPair.nir) is at least `min_nir` DN: open water and empty patches teach the network nothing
about detail. Patch corners sit on the outputs' coarse grid (multiples of `align`), as tiles do
at inference, so the networks' zero-mean correction sees whole low-resolution pixels.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

MIN_NIR = 100.0  # DN


class PatchSampler:
    def __init__(self, pairs: list, patch: int, min_nir: float = MIN_NIR, tries: int = 50, align: int = 1):
        self.pairs = [p for p in pairs if min(p.valid.shape) >= patch]
        if not self.pairs:
            raise InputError(f"no training scene is at least {patch} x {patch} pixels at reduced scale")
        if patch % align:
            raise InputError(f"patch size {patch} is not a multiple of the outputs' grid ({align})")
        self.patch = patch
        self.align = align
        self.min_nir = min_nir
        self.tries = tries
        areas = np.array([(p.valid.shape[0] - patch + 1) * (p.valid.shape[1] - patch + 1) for p in self.pairs], float)
        self.weights = areas / areas.sum()

    def acceptable(self, pair, r: int, c: int) -> bool:
        sl = (slice(r, r + self.patch), slice(c, c + self.patch))
        return bool(pair.valid[sl].all()) and float(pair.nir[sl].mean()) >= self.min_nir

    def draw(self, rng: np.random.Generator) -> tuple:
        """One (inputs, target) patch, (patch, patch, C) and (patch, patch, n_out)."""
        for _ in range(self.tries):
            pair = self.pairs[int(rng.choice(len(self.pairs), p=self.weights))]
            h, w = pair.valid.shape
            a = self.align
            r = int(rng.integers((h - self.patch) // a + 1)) * a
            c = int(rng.integers((w - self.patch) // a + 1)) * a
            if self.acceptable(pair, r, c):
                sl = (slice(r, r + self.patch), slice(c, c + self.patch))
                return pair.inputs[sl], pair.target[sl]
        raise InputError(f"no acceptable patch found in {self.tries} tries (all no-data or near-empty?)")

    def batch(self, rng: np.random.Generator, size: int, augment=None) -> tuple:
        xs, ys = [], []
        for _ in range(size):
            x, y = self.draw(rng)
            if augment is not None:
                x, y = augment(x, y, rng)
            xs.append(x)
            ys.append(y)
        return np.stack(xs), np.stack(ys)
