"""No-data pixels of the inputs, filled before the networks and the guided estimate see them.

A product's no-data (DN 0: outside the swath, a tile's empty corner) reads as 0 on the model scale,
or as -1000 for an L2A band with the 04.00 baseline's offset. Left so, every band jumps to it at the
edge, the estimate's local regressions and the networks take that jump for detail, and the enhanced
pixels next to the edge came out wrong by up to 180 DN (B05) and 290 DN (B11) within 2 px of it,
decaying over about 10 px (the sample with a no-data corner, against the same pixels without it:
tests/unit/test_nodata_fill.py). Filled with the nearest valid value of the same band, the inputs
are continuous there, as at a window's edge (mirrored); the filled pixels themselves stay no data
in every output. Only the tiles' inputs are filled (core/sr/predict.py): the window's check and its
fits (the guard, the blur, the linear floor's slopes) keep no data at 0, which their masks leave out
(spec.valid_at, guided.linear_slopes); filled, those pixels would count as data there.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import distance_transform_edt


def fill_nodata(values: np.ndarray, nodata: np.ndarray) -> np.ndarray:
    """`values` (H, W) with every pixel flagged in `nodata` set to the value of the nearest pixel that
    is not (a new array; `values` itself if there is nothing to fill or nothing to fill from)."""
    if not nodata.any() or nodata.all():
        return values
    rows, cols = distance_transform_edt(nodata, return_distances=False, return_indices=True)
    return values[rows, cols]
