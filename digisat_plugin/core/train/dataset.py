"""Reduced-scale training and evaluation pairs (Wald protocol) from band folders or products.

Every band of a scene is degraded by the network's scale s; the degraded 10 m bands become the
base grid (ratios stay 1/2/6) and the network input is built by `spec.prepare_inputs`, exactly
as at inference. The target is the band as delivered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..definitions import BANDS_10M, BANDS_20M, BANDS_60M
from ..errors import InputError
from ..io.product import ALIGN, open_product
from ..sr.spec import prepare_inputs
from .degrade import degrade_bands

NETWORK_BANDS = BANDS_10M + BANDS_20M + BANDS_60M


@dataclass
class Scene:
    """Native-resolution arrays of one region on the model scale, plus a base-grid no-data mask."""

    name: str
    native: dict  # band -> float32 (h_b, w_b)
    ratios: dict  # band -> 1, 2 or 6
    nodata: np.ndarray  # (H, W) bool on the base grid: any band without data

    @property
    def shape(self) -> tuple:
        return self.nodata.shape


def load_scene(path: str, row0: int = 0, row1=None, name: str = "") -> Scene:
    """Read the network bands of a product (rows row0..row1 of the base grid, aligned to 6)."""
    product = open_product(path)
    try:
        product.require(NETWORK_BANDS)
        row1 = product.height if row1 is None else min(row1, product.height)
        row0 = (row0 + ALIGN - 1) // ALIGN * ALIGN
        height = (row1 - row0) // ALIGN * ALIGN
        if height <= 0:
            raise InputError(f"{path}: rows {row0}..{row1} hold no whole 60 m pixel")
        native, ratios = {}, {}
        nodata = np.zeros((height, product.width), bool)
        for band in NETWORK_BANDS:
            values, missing = product.read(band, row0, 0, height, product.width)
            r = product.bands[band].ratio
            native[band], ratios[band] = values, r
            nodata |= np.repeat(np.repeat(missing, r, 0), r, 1)
    finally:
        product.close()
    return Scene(name or path, native, ratios, nodata)


def load_region(region) -> Scene:
    path = region.path()
    if not os.path.isdir(path):
        raise InputError(f"{path}: data split folder not found (set DIGISAT_DATA to the folder of the Sentinel-2 "
                         "scenes, ../shared/data/sentinel2 by default)")
    return load_scene(path, region.row0, region.row1, region.name)


def crop(scene: Scene, multiple: int) -> Scene:
    """The top-left part whose base size divides by `multiple` (a multiple of 6)."""
    h, w = (d // multiple * multiple for d in scene.shape)
    if h == 0 or w == 0:
        raise InputError(f"{scene.name}: smaller than {multiple} x {multiple} base pixels")
    native = {b: a[: h // scene.ratios[b], : w // scene.ratios[b]] for b, a in scene.native.items()}
    return Scene(scene.name, native, scene.ratios, scene.nodata[:h, :w])


@dataclass
class Pairs:
    """One scene at reduced scale: network input, target and validity on the degraded base grid."""

    inputs: np.ndarray  # (h, w, C) relative units, from prepare_inputs
    target: np.ndarray  # (h, w, n_out) the delivered bands in the same relative units
    valid: np.ndarray  # (h, w) bool: no no-data within the pixel's 60 m cell
    name: str = ""
    nir: np.ndarray | None = None  # (h, w) degraded B08 in DN: the sampler skips water and empty ground


def degraded_scene(scene: Scene, s: int, protocol: str) -> Scene:
    """Every band degraded by s on its own grid (the scene cropped so that sizes divide)."""
    scene = crop(scene, ALIGN * s)
    degraded = degrade_bands(scene.native, s, protocol)
    h, w = scene.shape
    cell = ALIGN * s
    bad = scene.nodata.reshape(h // cell, cell, w // cell, cell).any(axis=(1, 3))
    nodata = np.repeat(np.repeat(bad, ALIGN, 0), ALIGN, 1)
    return Scene(f"{scene.name} /{s}", degraded, scene.ratios, nodata)


def make_pairs(scene: Scene, spec, protocol: str) -> Pairs:
    s = spec.scale
    low = degraded_scene(scene, s, protocol)
    native = {b: low.native[b] for b in spec.inputs}
    prepared = prepare_inputs(native, low.ratios, spec, _blur_where_valid(native, low, spec))
    truth = crop(scene, ALIGN * s)
    target = prepared.to_relative(np.stack([truth.native[b] for b in spec.outputs], axis=-1))
    return Pairs(prepared.inputs, target, ~low.nodata, f"{scene.name} ({protocol})", low.native["B08"])


def _blur_where_valid(native, low: Scene, spec):
    from ..sr.spec import window_blur

    s = spec.scale
    h, w = low.shape
    valid = ~low.nodata.reshape(h // s, s, w // s, s).any(axis=(1, 3))
    return window_blur(native, spec, valid)
