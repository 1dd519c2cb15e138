"""The Wald protocol, shared by training (core/train) and quality (core/quality): the arrays of a
region, and every band degraded by a scale s on its own grid (blur, then average s x s blocks).

Two blurs, so a model is not tuned to one (`definitions.PROTOCOLS`):
- "dsen2": Gaussian with sigma = 1/s pixels (the DSen2 reference code);
- "mtf": Gaussian whose response at the new Nyquist frequency equals the band's MTF
  (core/definitions.py): sigma = s * sqrt(-2 ln MTF) / pi pixels.

The degraded 10 m bands become the base grid (ratios stay 1/2/6), so a degraded region is read
exactly as a product at inference.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter

from .definitions import BANDS_10M, BANDS_20M, BANDS_60M, BY_NAME, PROTOCOLS
from .errors import InputError
from .io.product import ALIGN, open_product
from .sr.resample import block_mean

NETWORK_BANDS = BANDS_10M + BANDS_20M + BANDS_60M
# A band group is used at reduced scale only when the degraded bands to restore are at least this
# many pixels a side (base size >= MIN_LOW_PIXELS * s * s): a 120 x 120 BigEarthNet patch at x6 is
# 3 x 3 pixels of 360 m, where edge handling, not super-resolution, decides the error. Training,
# evaluation and the guard all apply it.
MIN_LOW_PIXELS = 8


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


@dataclass
class RegionArrays:
    """Native-resolution arrays of one region on the model scale, plus a base-grid no-data mask."""

    name: str
    native: dict  # band -> float32 (h_b, w_b)
    ratios: dict  # band -> 1, 2 or 6
    nodata: np.ndarray  # (H, W) bool on the base grid: any band without data

    @property
    def shape(self) -> tuple:
        return self.nodata.shape


def load_scene(path: str, row0: int = 0, row1=None, name: str = "") -> RegionArrays:
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
    return RegionArrays(name or path, native, ratios, nodata)


def load_region(region) -> RegionArrays:
    """The arrays of a data-split region (core.train.splits.Region)."""
    path = region.path()
    if not os.path.isdir(path):
        raise InputError(f"{path}: data split folder not found (set DIGISAT_DATA to the folder of the Sentinel-2 "
                         "scenes, ../shared/data/sentinel2 by default)")
    return load_scene(path, region.row0, region.row1, region.name)


def crop(scene: RegionArrays, multiple: int) -> RegionArrays:
    """The top-left part whose base size divides by `multiple` (a multiple of 6)."""
    h, w = (d // multiple * multiple for d in scene.shape)
    if h == 0 or w == 0:
        raise InputError(f"{scene.name}: smaller than {multiple} x {multiple} base pixels")
    native = {b: a[: h // scene.ratios[b], : w // scene.ratios[b]] for b, a in scene.native.items()}
    return RegionArrays(scene.name, native, scene.ratios, scene.nodata[:h, :w])


def degraded_scene(scene: RegionArrays, s: int, protocol: str) -> RegionArrays:
    """Every band degraded by s on its own grid (the scene cropped so that sizes divide)."""
    scene = crop(scene, ALIGN * s)
    degraded = degrade_bands(scene.native, s, protocol)
    h, w = scene.shape
    cell = ALIGN * s
    bad = scene.nodata.reshape(h // cell, cell, w // cell, cell).any(axis=(1, 3))
    nodata = np.repeat(np.repeat(bad, ALIGN, 0), ALIGN, 1)
    return RegionArrays(f"{scene.name} /{s}", degraded, scene.ratios, nodata)
