"""What each network reads and writes, and how inputs are prepared.

Training (at reduced scale) and inference (at full scale) both call `prepare_inputs`, so the
two cannot drift apart.

Input channels: every input band upsampled bilinearly to the base grid, except the output bands
(the last channels), which hold the local guided-linear estimate (core/sr/guided.py) with the
guides blurred as the data says (`estimate_blur`): the networks add a correction to that estimate
(the "residual base"), not to a bilinear upsampling.

Before the estimates come one constant plane per output band holding the blur estimated for it
(sigma / s - BLUR_PLANE_CENTRE): the same coarse band needs a stronger correction where the sensor
(or a degradation) blurred it more, and the network cannot tell that from one tile alone
(measured on the leave-scene-out folds: docs/models.md).

At x6 the 20 m bands are guides too (`NetSpec.coarse_guides`): each is first brought to the base
grid by its own x2 guided estimate, then joins the 10 m bands in the x6 regression. B8A (865 nm)
is closer to B09 (945 nm) than any 10 m band; measured on the two x6 scenes the estimate goes from 0.292 / 0.293 to 0.277 / 0.281 of bicubic (research/x6_estimate_variants.md).
The window's blur then holds the outputs' widths followed by the coarse guides' (`blur_parts`).

Units ("relative_local_mean+blur" in the model cards): every band channel is divided by a smooth
local mean of its own band at the output's coarse grid, minus 1. The networks therefore never see absolute
brightness: a band that is twice as bright (L2A B09 over vegetation against L1C's absorbed one,
snow against soil) gives the same inputs, and the correction comes back in the band's own units
(`Prepared.to_values`). Inputs from level, place or season that differ only by per-band gains are
identical by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..definitions import BANDS_10M, BANDS_20M, BANDS_60M
from .guided import estimate_blur, global_coefficients, guided_local, local_reach, local_scale
from .resample import block_mean, upsample

RESIDUAL_BASE = "guided_local_blur"  # what the output channels of the input hold (recorded in model cards)
COARSE_GUIDES_BASE = RESIDUAL_BASE + "+20m_guides"  # the same, with the 20 m bands as further guides
COARSE_GUIDE_SCALE = 2  # the coarse guides' factor to the base grid
INPUT_UNITS = "relative_local_mean+blur"  # how channels are scaled (recorded in model cards)
BLUR_PLANE_CENTRE = 0.4  # blur planes hold sigma / s minus this (the MTF's typical 0.3-0.5 near 0)


@dataclass(frozen=True)
class NetSpec:
    name: str  # "net20" or "net60"
    scale: int  # factor between the base grid and the outputs' native grid
    inputs: tuple  # band names in channel order; the outputs come last
    outputs: tuple
    prior: bool = False  # the guided estimate damped toward the window's own fit (guided.global_coefficients)
    coarse_guides: tuple = ()  # 20 m bands that guide the estimate beside the 10 m ones (module docstring)

    @property
    def channels(self) -> int:
        return len(self.inputs) + len(self.outputs)  # + one constant plane per output band: its blur

    @property
    def residual_base(self) -> str:
        """What the output channels of the input hold (recorded in and checked against model cards)."""
        return COARSE_GUIDES_BASE if self.coarse_guides else RESIDUAL_BASE

    @property
    def input_reach(self) -> int:
        """Base pixels on each side that influence one pixel of the guided estimate."""
        return local_reach(self.scale) + (local_reach(COARSE_GUIDE_SCALE) if self.coarse_guides else 0)


NET20 = NetSpec("net20", 2, BANDS_10M + BANDS_20M, BANDS_20M)
NET60 = NetSpec("net60", 6, BANDS_10M + BANDS_20M + BANDS_60M, BANDS_60M, prior=True, coarse_guides=BANDS_20M)
SPECS = {"net20": NET20, "net60": NET60}


@dataclass
class Prepared:
    """Network inputs for one window (or a batch), and what turns outputs back into values."""

    inputs: np.ndarray  # (..., H, W, C) float32, relative units
    scale: np.ndarray  # (..., H, W, n_out) local mean of each output band (model scale, DN)
    base: np.ndarray  # (..., H, W, n_out) the guided estimate on the model scale

    def to_values(self, relative: np.ndarray) -> np.ndarray:
        """Network outputs (relative units) -> reflectance x 10000."""
        return (np.asarray(relative, np.float32) + 1.0) * self.scale

    def to_relative(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, np.float32) / self.scale - 1.0).astype(np.float32)

    def cropped(self, c: int) -> Prepared:
        """The same without c base pixels on each side (the part the network must see of a tile)."""
        if c <= 0:
            return self
        return Prepared(*(a[..., c:-c, c:-c, :] for a in (self.inputs, self.scale, self.base)))


def with_shares(estimate: np.ndarray, network: np.ndarray, shares) -> np.ndarray:
    """The guided estimate plus each output band's share of the network's correction (the guard's
    per-band decision, core/quality/guard.py); bands on the last axis."""
    return estimate + np.asarray(shares, np.float32) * (network - estimate)


def window_blur(native: dict, spec: NetSpec, valid=None, coarse_blur=None) -> np.ndarray:
    """The guides' blur per output band (base pixels), estimated on one unbatched window, followed
    by the blur of each coarse guide on the 10 m bands (at COARSE_GUIDE_SCALE; `coarse_blur` when
    given, else estimated on the same window); see `blur_parts`."""
    return _blur_and_guides(native, spec, valid, coarse_blur)[0]


def window_fit(native: dict, spec: NetSpec, valid=None, coarse_blur=None) -> tuple:
    """(`window_blur`, the window's own fit of the outputs on the blurred guides) of one unbatched
    window, the coarse guides lifted once for both. The fit, (G, B) slopes that the local estimate
    is damped toward (guided.guided_local's prior), is None for a network without one."""
    blur, guides = _blur_and_guides(native, spec, valid, coarse_blur)
    return blur, _prior(native, spec, blur, guides, valid)


def _prior(native: dict, spec: NetSpec, blur, guides, valid):
    if not spec.prior:
        return None
    low = np.stack([native[name] for name in spec.outputs])
    return global_coefficients(low, guides, spec.scale, blur_parts(spec, blur)[0], valid)


def _coarse_spec(spec: NetSpec) -> NetSpec:
    """The coarse guides as the outputs of a network of their own: their blur is estimated as for it."""
    return NetSpec("coarse guides", COARSE_GUIDE_SCALE, BANDS_10M + spec.coarse_guides, spec.coarse_guides)


def _blur_and_guides(native: dict, spec: NetSpec, valid, coarse_blur) -> tuple:
    if coarse_blur is not None or not spec.coarse_guides:
        coarse_blur = np.zeros(0) if coarse_blur is None else np.asarray(coarse_blur, np.float64)
    else:
        r = spec.scale // COARSE_GUIDE_SCALE  # valid is on the outputs' grid, the coarse guides' is r finer
        coarse_valid = None if valid is None else np.kron(np.asarray(valid, bool), np.ones((r, r), bool))
        coarse_blur = window_blur(native, _coarse_spec(spec), coarse_valid)
    guides = _guides(native, spec, coarse_blur)
    low = np.stack([native[name] for name in spec.outputs])
    return np.concatenate([estimate_blur(low, guides, spec.scale, valid), coarse_blur]), guides


def blur_parts(spec: NetSpec, blur) -> tuple:
    """(the outputs' blur (n_out,), the coarse guides' blur) of what `window_blur` returns; a single
    width (tests, studies) stands for every output band and every coarse guide."""
    blur = np.asarray(blur, np.float64).ravel()
    n_out, n_coarse = len(spec.outputs), len(spec.coarse_guides)
    if blur.size == 1:
        return np.full(n_out, blur[0]), np.full(n_coarse, blur[0])
    if blur.size != n_out + n_coarse:
        raise ValueError(f"{spec.name}: {blur.size} blur widths, expected {n_out + n_coarse}")
    return blur[:n_out], blur[n_out:]


def _guides(native: dict, spec: NetSpec, coarse_blur, lifted=None) -> np.ndarray:
    """(..., G, H, W) the estimate's guides: the 10 m bands, then the coarse guides on the base grid
    (`lifted` when the caller already has them: see `shares_lift`)."""
    sharp = np.stack([native[name] for name in BANDS_10M], axis=-3)
    if not spec.coarse_guides:
        return sharp
    if lifted is None:
        coarse = np.stack([native[name] for name in spec.coarse_guides], axis=-3)
        lifted = guided_local(coarse, sharp, COARSE_GUIDE_SCALE, sigma=coarse_blur)
    return np.concatenate([np.asarray(sharp, np.float32), lifted], axis=-3)


def shares_lift(specs, blur: dict):
    """(the spec whose estimate is the coarse guides of another, that other) when both run with the
    same widths (the engine's: centre_fits reuses the blur), else None. A tile then lifts the 20 m
    bands once: net20's residual base is the centre of net60's coarse guides (`prepare_inputs`'s
    `lifted`), the same values up to float rounding inside the margins, at half the x2 work."""
    for fine in specs:
        for coarse in specs:
            if (fine.scale == COARSE_GUIDE_SCALE and not fine.prior and coarse.coarse_guides == fine.outputs
                    and fine.name in blur and coarse.name in blur
                    and np.array_equal(blur_parts(fine, blur[fine.name])[0],
                                       blur_parts(coarse, blur[coarse.name])[1])):
                return fine, coarse
    return None


# The blur is a property of the band and the sensor, not of the place: a centre of this many
# low-resolution pixels a side pins it down (at x2 the 576 px centre of a window gave widths within
# 0.03 px of the 1152 px one on Virginia and Malmo) for a third of the cost of a larger one.
BLUR_LOW_SIDE = 288


def centre_fits(native: dict, specs, on_fit=None) -> dict:
    """net name -> `centre_fit` for each spec; where a spec's coarse guides are another's outputs at
    COARSE_GUIDE_SCALE (net60's are net20's), that spec's blur is reused rather than estimated twice.
    on_fit(spec, fit), when given, is called as each fit is done (the engine starts that network's
    guard check then, beside the next fit)."""
    fits = {}
    for spec in sorted(specs, key=lambda sp: sp.scale):
        shared = next((fits[o.name][0] for o in specs if o.name in fits and o.scale == COARSE_GUIDE_SCALE
                       and o.outputs == spec.coarse_guides), None)
        fits[spec.name] = centre_fit(native, spec, shared)
        if on_fit is not None:
            on_fit(spec, fits[spec.name])
    return fits


def centre_fit(native: dict, spec: NetSpec, coarse_blur=None) -> tuple:
    """(blur, prior) of one window, both estimated on its centre: at most BLUR_LOW_SIDE output-grid
    pixels a side (the coarse guides' blur on at most BLUR_LOW_SIDE of theirs, as for a network of
    their own, unless given). The engine decides both once per scene window, so every tile uses the same.

    native: band name -> native-grid arrays of one window whose base size divides by 6.
    """
    if spec.coarse_guides and coarse_blur is None:
        coarse_blur = centre_fit(native, _coarse_spec(spec))[0]
    s = spec.scale
    low_h, low_w = native[spec.outputs[0]].shape
    h, w = min(low_h, BLUR_LOW_SIDE), min(low_w, BLUR_LOW_SIDE)
    top, left = (low_h - h) // 2 * s, (low_w - w) // 2 * s  # base pixels, on the outputs' grid
    part = {}
    for name in spec.inputs:
        r = s * low_h // native[name].shape[0]  # the band's factor to the base grid
        part[name] = native[name][top // r:(top + h * s) // r, left // r:(left + w * s) // r]
    return window_fit(part, spec, valid_at(part, spec), coarse_blur)


def valid_at(native: dict, spec) -> np.ndarray:
    """Pixels of the outputs' grid where every input band has data (DN 0 is no-data)."""
    valid = np.ones(native[spec.outputs[0]].shape, bool)
    for name in spec.inputs:
        arr = native[name]
        r = max(arr.shape[-1] // valid.shape[-1], 1)  # the band's factor to the outputs' grid
        present = arr != 0
        if r > 1:
            h, w = valid.shape
            present = present[:h * r, :w * r].reshape(h, r, w, r).all(axis=(1, 3))
        valid &= present
    return valid


def _coarse(arr: np.ndarray, ratio: int, s: int) -> np.ndarray:
    """A band of grid `ratio` brought to the outputs' grid s (block means; s is a multiple of ratio)."""
    return block_mean(arr, s // ratio) if s != ratio else arr


def guided_estimate(native: dict, spec: NetSpec, blur=None, prior=None, lifted=None) -> np.ndarray:
    """The guided estimate alone, (..., H, W, n_out) on the model scale: `prepare_inputs(...).base`
    without the network's input planes (what is written where the guard chose the estimate)."""
    return np.moveaxis(_estimate(native, spec, blur, prior, lifted)[1], -3, -1)


def _estimate(native: dict, spec: NetSpec, blur, prior, lifted=None) -> tuple:
    """(the outputs' blur, the guided estimate (..., B, H, W)); blur and prior estimated here when None
    (unbatched only). lifted: see `prepare_inputs`."""
    batched = native[spec.outputs[0]].ndim > 2
    if batched and (blur is None or (spec.prior and prior is None)):
        raise ValueError("a batch of tiles needs its window's blur and prior (spec.centre_fit)")
    if blur is None:
        blur = window_blur(native, spec)
    out_blur, coarse_blur = blur_parts(spec, blur)
    if lifted is not None and not spec.coarse_guides:  # the estimate itself (shares_lift's first spec)
        return out_blur, np.asarray(lifted, np.float32)
    guides = _guides(native, spec, coarse_blur, lifted)
    if spec.prior and prior is None:
        prior = _prior(native, spec, blur, guides, valid_at(native, spec))
    low = np.stack([native[name] for name in spec.outputs], axis=-3)
    return out_blur, guided_local(low, guides, spec.scale, sigma=out_blur, prior=prior)


def prepare_inputs(native: dict, ratios: dict, spec: NetSpec, blur=None, prior=None, lifted=None) -> Prepared:
    """Stack one window of every input band on the base grid (see the module docstring).

    native: band name -> (..., h_b, w_b) float32 array on the model scale (reflectance x 10000)
    at that band's own grid; ratios: band name -> its factor to the base grid; blur: the guides'
    Gaussian width per output band (`window_blur`), estimated here when None (unbatched only);
    prior: the window's own fit for networks that use one (`window_fit`), likewise; lifted: the
    20 m bands' x2 guided estimate on this window's base grid at the same widths, when the caller
    has it (`shares_lift`): net20's estimate, net60's coarse guides.
    """
    s = spec.scale
    blur, estimate = _estimate(native, spec, blur, prior, lifted)
    low = np.stack([native[name] for name in spec.outputs], axis=-3)
    planes = []
    for name in spec.inputs:
        if name in spec.outputs:
            continue
        scale = local_scale(_coarse(native[name], ratios[name], s), s)
        planes.append(upsample(native[name], ratios[name], "linear") / scale - 1.0)
    out_scale = local_scale(low, s)  # (..., B, H, W)
    sigma = np.broadcast_to(np.asarray(blur, np.float32), (len(spec.outputs),))
    planes += [np.full(estimate.shape[:-3] + estimate.shape[-2:], sigma[i] / s - BLUR_PLANE_CENTRE, np.float32)
               for i in range(len(spec.outputs))]
    planes += [estimate[..., i, :, :] / out_scale[..., i, :, :] - 1.0 for i in range(len(spec.outputs))]
    return Prepared(np.stack(planes, axis=-1).astype(np.float32), np.moveaxis(out_scale, -3, -1),
                    np.moveaxis(estimate, -3, -1))
