"""The per-pixel uncertainty layer: the expected absolute error of each enhanced pixel.

At full scale there is no truth, so the layer is a small model of what is known there, fitted at
reduced scale (Wald pairs of scenes the networks never saw; scripts/calibrate_uncertainty.py) and
shipped as `uncertainty.json` beside the networks. Per output band and pixel, five features, all
in the band's own units (model scale, reflectance x 10000) and all by-products of the run:

- detail: how much 10 m detail the guided estimate added to the band (RMS over 3 x 3 px of the
  estimate minus the band's cubic upsampling). Super-resolution errs where it has to invent
  detail: edges, small objects; where the band is flat it has nothing to get wrong.
- correction: how far the written output moved from that estimate (RMS over 3 x 3 px of the
  network's written correction, or of what the guard's linear floor moved; 0 where the guard wrote
  the estimate as it is). A large correction is a
  confident guess where the estimate was, by the network's own reckoning, far off.
- gradient: the written band's own local gradient (RMS over 3 x 3 px): at x6, where the estimate
  is written and the correction is 0, what is sharp in the output is where the error lives.
- level: the band's smooth local mean (spec's local scale): the noise and the error of a bright
  band are larger in DN than a dark one's, whatever its texture.
- laplacian: the written band's discrete Laplacian at the pixel itself (not averaged): fine
  structure one pixel wide (a lane, a hedge, a building) is what the coarse band could not show,
  and where the 10 m detail it was given is most often wrong. At x6 it raised the held-out
  Spearman correlation on Malmo from 0.46-0.49 to 0.53-0.54 and changed nothing at x2
  (research/uncertainty_features.py).

The expected error is a non-negative combination of them per network (band group), fitted by
least squares on the absolute error (so it estimates the mean of |error|, in DN). The features are
computed on each tile with its margin, so the layer does not depend on the tiling.
"""

from __future__ import annotations

import json
import os

import numpy as np
from scipy.ndimage import uniform_filter

from ..errors import DigisatError, InputError
from .resample import upsample

FEATURES = ("detail", "correction", "gradient", "level", "laplacian")
CALIBRATION_FILE = "uncertainty.json"
NEIGHBOURHOOD = 3  # base pixels a side of the features' local RMS (one 20 m pixel and its ring)
MANTISSA_BITS = 7  # of float32's 23: 0.4 % relative precision
REACH = NEIGHBOURHOOD  # base pixels of margin the features need around a tile core (gradient + RMS)
METHOD = ("expected absolute error of the enhanced value, in the band's output DN: a non-negative "
          "combination of the guided estimate's added detail, the network's written correction, the "
          "output's local gradient and Laplacian and the band's local mean, fitted at reduced scale (Wald protocol) on "
          "scenes the networks never saw; see docs/uncertainty.md")


def _rms(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, np.float32)
    return _root_mean(a * a)


def _root_mean(squares: np.ndarray) -> np.ndarray:
    """The square root of the local mean of `squares` over NEIGHBOURHOOD px (in place where it can)."""
    size = (1,) * (squares.ndim - 2) + (NEIGHBOURHOOD, NEIGHBOURHOOD)
    mean = uniform_filter(squares, size=size, mode="reflect")
    np.maximum(mean, 0.0, out=mean)
    return np.sqrt(mean, out=mean)


def features(written: np.ndarray, estimate: np.ndarray, low: np.ndarray, s: int, level: np.ndarray) -> np.ndarray:
    """(..., F, H, W) features of one band on the base grid (FEATURES order).

    written, estimate: (..., H, W) the output and the guided estimate (model scale); low: (..., h, w)
    the band on its own grid, h * s = H; level: (..., H, W) its smooth local mean (spec.local_scale).
    """
    maps = _feature_maps(written, estimate, low, s, level)
    return np.stack([maps[name]() for name in FEATURES], axis=-3)


def expected_error(written: np.ndarray, estimate: np.ndarray, low: np.ndarray, s: int, level: np.ndarray,
                   coefficients, core=(Ellipsis,)) -> np.ndarray:
    """combine(features(...), coefficients)[core] without the stack of every feature on the whole
    extent: only the features with a non-zero coefficient are computed, each cropped to `core` (a
    tuple of slices) before it is summed, in FEATURES order, so the values are combine's."""
    maps = _feature_maps(written, estimate, low, s, level)
    total = None
    for name, c in zip(FEATURES, np.asarray(coefficients, np.float32), strict=True):
        if c:
            term = maps[name]()[core] * c
            total = term if total is None else total + term
    if total is None:
        return np.zeros_like(np.asarray(written, np.float32)[core])
    return total


def _feature_maps(written, estimate, low, s, level) -> dict:
    """FEATURES name -> a function computing that feature, (..., H, W) float32."""
    written = np.asarray(written, np.float32)

    def gradient():  # the RMS of the gradient's length: the root of the mean of its squared length
        gy, gx = np.gradient(written, axis=(-2, -1))
        gx *= gx
        gy *= gy
        gx += gy
        return _root_mean(gx)

    return {"detail": lambda: _rms(estimate - upsample(np.asarray(low, np.float32), s, "cubic")),
            "correction": lambda: _rms(written - estimate),
            "gradient": gradient,
            "level": lambda: np.asarray(level, np.float32),
            "laplacian": lambda: _laplacian(written)}


def _laplacian(a: np.ndarray) -> np.ndarray:
    """|4 a - its four neighbours| (edges mirrored), the pixel's own fine structure."""
    p = np.pad(a, [(0, 0)] * (a.ndim - 2) + [(1, 1), (1, 1)], mode="reflect")
    return np.abs(4 * a - p[..., :-2, 1:-1] - p[..., 2:, 1:-1] - p[..., 1:-1, :-2] - p[..., 1:-1, 2:])


def rounded(values: np.ndarray, bits: int = MANTISSA_BITS) -> np.ndarray:
    """float32 values with only `bits` bits of mantissa (relative precision 2^-bits), rounded to
    nearest. An expected error needs no more, and the layer's file then compresses to about a third
    and writes in about half the time (measured on a 960 x 960 px window: 35.6 MB to 13.3 MB)."""
    v = np.ascontiguousarray(values, np.float32).view(np.uint32)
    drop = 23 - bits
    return ((v + np.uint32(1 << (drop - 1))) & np.uint32((0xFFFFFFFF << drop) & 0xFFFFFFFF)).view(np.float32)


def combine(feats: np.ndarray, coefficients) -> np.ndarray:
    """(..., F, H, W) features -> (..., H, W) expected absolute error (model scale)."""
    c = np.asarray(coefficients, np.float32).reshape((len(FEATURES), 1, 1))
    return np.sum(feats * c, axis=-3)


class Calibration:
    """The fitted coefficients per network, from `uncertainty.json` in a model folder."""

    def __init__(self, data: dict, path: str = ""):
        self.data, self.path = data, path
        if list(data.get("features", [])) != list(FEATURES):
            raise InputError(f"{path}: uncertainty calibration for features {data.get('features')}, this version "
                             f"computes {list(FEATURES)}; rerun scripts/calibrate_uncertainty.py")
        self.coefficients = {net: np.asarray(v["coefficients"], np.float32) for net, v in data["nets"].items()}

    def items(self) -> dict:
        """Dataset metadata items of the uncertainty layer."""
        return {"DIGISAT_UNCERTAINTY": METHOD,
                "DIGISAT_UNCERTAINTY_UNITS": "DN of the enhanced band; each band's scale (the enhanced band's, "
                                             "offset 0) gives the error in reflectance",
                "DIGISAT_UNCERTAINTY_FEATURES": ",".join(FEATURES),
                "DIGISAT_UNCERTAINTY_COEFFICIENTS": json.dumps({k: [round(float(x), 6) for x in v]
                                                                for k, v in self.coefficients.items()}),
                "DIGISAT_UNCERTAINTY_FITTED": str(self.data.get("fitted_on", ""))}


def load_calibration(model_dir: str) -> Calibration:
    """The calibration shipped beside the networks; a one-line InputError when it is missing or broken."""
    path = os.path.join(model_dir, CALIBRATION_FILE)
    if not os.path.isfile(path):
        raise InputError(f"{path}: no uncertainty calibration in the model folder (scripts/calibrate_uncertainty.py "
                         "writes it)")
    try:
        with open(path, encoding="utf-8") as f:
            return Calibration(json.load(f), path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: unreadable uncertainty calibration ({exc})") from None


def check_calibration(model_dir: str | None = None) -> None:
    """Before any work (enhance, batch, series): the layer needs the calibration beside the networks
    (`model_dir`, default model_weights/); a one-line InputError naming --uncertainty."""
    from .weights import default_model_dir

    folder = model_dir or default_model_dir()
    if not os.path.isdir(folder):
        return  # no model folder at all: the networks' own check says so, naming --model
    try:
        load_calibration(folder)
    except DigisatError as exc:
        raise InputError(f"--uncertainty: {exc}") from None
