"""What each network reads and writes, and how inputs are prepared.

Training (at reduced scale) and inference (at full scale) both call `prepare_inputs`, so the
two cannot drift apart.

Input channels: every input band upsampled bilinearly to the base grid, except the output bands
(the last channels), which are the local guided-linear estimate (core/sr/guided.py): the
networks add their correction to that estimate (the "residual base"), not to a bilinear
upsampling. Models whose card has "residual_base": "guided_local" were trained this way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..bands import BANDS_10M, BANDS_20M, BANDS_60M
from .guided import guided_local, local_reach
from .resample import upsample

NORMALISATION = 2000.0  # DSen2 divides reflectance x 10000 by 2000 before the network
RESIDUAL_BASE = "guided_local"  # what the output channels of the input hold (recorded in model cards)


@dataclass(frozen=True)
class NetSpec:
    name: str  # "net20" or "net60"
    scale: int  # factor between the base grid and the outputs' native grid
    inputs: tuple  # band names in channel order; the outputs come last
    outputs: tuple

    @property
    def channels(self) -> int:
        return len(self.inputs)


NET20 = NetSpec("net20", 2, BANDS_10M + BANDS_20M, BANDS_20M)
NET60 = NetSpec("net60", 6, BANDS_10M + BANDS_20M + BANDS_60M, BANDS_60M)
SPECS = {"net20": NET20, "net60": NET60}


def spec_for_band(name: str):
    if name in BANDS_20M:
        return NET20
    if name in BANDS_60M:
        return NET60
    return None


def input_reach(spec: NetSpec) -> int:
    """Base pixels on each side of an input pixel that its value depends on (for tile margins)."""
    return local_reach(spec.scale)


def prepare_inputs(native: dict, ratios: dict, spec: NetSpec) -> np.ndarray:
    """Stack one window of every input band on the base grid (see the module docstring).

    native: band name -> (..., h_b, w_b) float32 array on the model scale (reflectance x 10000)
    at that band's own grid; ratios: band name -> its factor to the base grid.
    Returns (..., H, W, C) float32, normalised, channels in `spec.inputs` order.
    """
    guides = np.stack([native[name] for name in BANDS_10M], axis=-3)
    low = np.stack([native[name] for name in spec.outputs], axis=-3)
    estimate = guided_local(low, guides, spec.scale)
    planes = [upsample(native[name], ratios[name], "linear") for name in spec.inputs if name not in spec.outputs]
    planes += [estimate[..., i, :, :] for i in range(len(spec.outputs))]
    return (np.stack(planes, axis=-1) / NORMALISATION).astype(np.float32)
