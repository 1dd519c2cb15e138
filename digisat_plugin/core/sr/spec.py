"""What each network reads and writes, and how inputs are prepared.

Training (at reduced scale) and inference (at full scale) both call `prepare_inputs`, so the
two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..bands import BANDS_10M, BANDS_20M, BANDS_60M
from .resample import upsample

NORMALISATION = 2000.0  # DSen2 divides reflectance x 10000 by 2000 before the network


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


def prepare_inputs(native: dict, ratios: dict, spec: NetSpec) -> np.ndarray:
    """Stack one window of every input band, upsampled bilinearly to the base grid.

    native: band name -> (..., h_b, w_b) float32 array on the model scale (reflectance x 10000)
    at that band's own grid; ratios: band name -> its factor to the base grid.
    Returns (..., H, W, C) float32, normalised, channels in `spec.inputs` order.
    """
    planes = [upsample(native[name], ratios[name], "linear") for name in spec.inputs]
    return (np.stack(planes, axis=-1) / NORMALISATION).astype(np.float32)
