"""Two baselines every result is shown against (see ../shared/notes/sentinel2.md).

- bicubic: the band alone, upsampled by s with the Keys cubic kernel (pixel areas aligned);
- guided linear: regress the low-resolution band on the 10 m bands averaged to its grid over
  the whole scene (least squares with an intercept), then add the 10 m high-pass detail
  weighted by the regression coefficients to the bicubic upsampling (core/sr/guided.py).
"""

from __future__ import annotations

import numpy as np

from ..sr.guided import guided_linear as _guided_linear
from ..sr.resample import upsample


def bicubic(low: np.ndarray, s: int) -> np.ndarray:
    """(..., h, w) -> (..., h*s, w*s)."""
    return upsample(low, s, "cubic")


def guided_linear(low: np.ndarray, guides: np.ndarray, s: int, valid=None) -> np.ndarray:
    """low: (B, h, w) bands to sharpen; guides: (G, h*s, w*s) 10 m bands -> (B, h*s, w*s);
    valid: optional (h, w) mask of the pixels the regression uses (core/sr/guided.guided_linear)."""
    return _guided_linear(low, guides, s, valid)
