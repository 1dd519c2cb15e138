"""Reduced-scale training pairs (Wald protocol, core/wald.py) from the arrays of a region.

Every band of a region is degraded by the network's scale s; the degraded 10 m bands become the
base grid (ratios stay 1/2/6) and the network input is built by `spec.prepare_inputs`, exactly
as at inference. The target is the band as delivered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..io.product import ALIGN
from ..sr.spec import blur_parts, prepare_inputs, window_blur
from ..wald import RegionArrays, crop, degraded_scene


@dataclass
class TrainingPair:
    """One region at reduced scale: network input, target and validity on the degraded base grid."""

    inputs: np.ndarray  # (h, w, C) relative units, from prepare_inputs
    target: np.ndarray  # (h, w, n_out) the delivered bands in the same relative units
    valid: np.ndarray  # (h, w) bool: no no-data within the pixel's 60 m cell
    name: str = ""
    nir: np.ndarray | None = None  # (h, w) degraded B08 in DN: the sampler skips water and empty ground
    blur: np.ndarray | None = None  # the window blur its inputs were prepared with (spec.window_blur)


def make_pairs(scene: RegionArrays, spec, protocol: str) -> TrainingPair:
    s = spec.scale
    low = degraded_scene(scene, s, protocol)
    native = {b: low.native[b] for b in spec.inputs}
    blur = _blur_where_valid(native, low, spec)
    prepared = prepare_inputs(native, low.ratios, spec, blur)
    truth = crop(scene, ALIGN * s)
    target = prepared.to_relative(np.stack([truth.native[b] for b in spec.outputs], axis=-1))
    return TrainingPair(prepared.inputs, target, ~low.nodata, f"{scene.name} ({protocol})", low.native["B08"],
                        np.asarray(blur, np.float64))


def _blur_where_valid(native, low: RegionArrays, spec):
    s = spec.scale
    h, w = low.shape
    valid = ~low.nodata.reshape(h // s, s, w // s, s).any(axis=(1, 3))
    return window_blur(native, spec, valid)


def blur_range(spec, pairs) -> dict:
    """Output band -> [least, largest] blur (base pixels) the pairs' inputs were prepared with: the
    range a network trained on them has seen, which the guard keeps it to (core/quality/guard.py)."""
    widths = np.array([blur_parts(spec, p.blur)[0] for p in pairs if p.blur is not None])
    if not len(widths):
        return {}
    return {band: [round(float(lo), 3), round(float(hi), 3)]
            for band, lo, hi in zip(spec.outputs, widths.min(axis=0), widths.max(axis=0), strict=True)}
