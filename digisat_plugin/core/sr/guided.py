"""Guided linear sharpening: a low-resolution band plus the 10 m detail, weighted by regression.

A coarse band y (grid factor s) is regressed on the 10 m bands averaged to its grid; the
estimate at 10 m is the cubic upsampling of y plus the 10 m high-pass detail
(band minus its cubic-upsampled block mean) weighted by the regression coefficients.

- `guided_global`: one regression over the whole image (the baseline in core/quality).
- `guided_local`: coefficients from a (2R+1)^2 low-resolution window around each pixel, with a
  small ridge term, so each output pixel depends only on pixels within `local_reach(s)` base
  pixels: tiled and untiled results agree when tiles overlap by that much. The networks learn
  their correction on top of this estimate (see spec.prepare_inputs).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter

from .resample import block_mean, upsample

LOCAL_RADIUS = 4  # low-resolution pixels on each side of the regression window
RIDGE = 0.01  # relative to the mean guide variance in the window
RIDGE_FLOOR = 1.0  # DN^2, keeps flat windows (water, no-data) well posed


def local_reach(s: int, radius: int = LOCAL_RADIUS) -> int:
    """Base pixels on each side that influence one output pixel of `guided_local`."""
    return (radius + 3) * s  # window + linear upsampling of the coefficients + cubic detail


def _detail(guides: np.ndarray, guides_low: np.ndarray, s: int) -> np.ndarray:
    return guides - upsample(guides_low, s, "cubic")


def guided_global(low: np.ndarray, guides: np.ndarray, s: int) -> np.ndarray:
    """low: (B, h, w); guides: (G, h*s, w*s) -> (B, h*s, w*s) float32."""
    low = np.asarray(low, dtype=np.float64)
    guides = np.asarray(guides, dtype=np.float64)
    guides_low = block_mean(guides, s).astype(np.float64)
    ones = np.ones((1,) + guides_low.shape[1:])
    design = np.concatenate([ones, guides_low]).reshape(len(guides) + 1, -1).T
    coef, *_ = np.linalg.lstsq(design, low.reshape(len(low), -1).T, rcond=None)  # (G+1, B)
    out = upsample(low, s, "cubic") + np.tensordot(coef[1:].T, _detail(guides, guides_low, s), axes=1)
    return out.astype(np.float32)


def guided_local(low: np.ndarray, guides: np.ndarray, s: int, radius: int = LOCAL_RADIUS) -> np.ndarray:
    """low: (..., B, h, w); guides: (..., G, h*s, w*s) -> (..., B, h*s, w*s) float32."""
    low = np.asarray(low, dtype=np.float64)
    guides = np.asarray(guides, dtype=np.float32)
    if low.ndim > 3:  # a batch of tiles: each on its own
        return np.stack([guided_local(a, g, s, radius) for a, g in zip(low, guides, strict=True)])
    guides_low = block_mean(guides, s).astype(np.float64)
    coef = local_regression(low, guides_low, 2 * radius + 1, RIDGE, RIDGE_FLOOR)[0].astype(np.float32)
    coef = upsample(coef, s, "linear")  # (G, B, h, w) -> (G, B, H, W)
    detail = _detail(guides, guides_low.astype(np.float32), s)
    out = upsample(low.astype(np.float32), s, "cubic") + np.einsum("gbhw,ghw->bhw", coef, detail)
    return out.astype(np.float32)


def local_regression(y: np.ndarray, guides: np.ndarray, size: int, ridge: float, ridge_floor: float) -> tuple:
    """Least squares of each band of y on the guides over the size x size window around every pixel.

    y: (B, h, w); guides: (G, h, w), float64. The normal equations get `ridge` times the mean guide
    variance in the window plus `ridge_floor` on the diagonal, so flat windows stay well posed.
    Returns (coef (G, B, h, w), window means of the guides (G, h, w), window means of y (B, h, w)):
    the fit is mean_y[b] + sum_g coef[g, b] * (guide[g] - mean_g[g]).
    """

    def box(a):
        return uniform_filter(a, size=(size, size), mode="reflect")

    n, nb = len(guides), len(y)
    mean_g = [box(g) for g in guides]
    mean_y = [box(band) for band in y]
    cov = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            cov[i][j] = cov[j][i] = box(guides[i] * guides[j]) - mean_g[i] * mean_g[j]
    cross = [[box(guides[i] * y[b]) - mean_g[i] * mean_y[b] for b in range(nb)] for i in range(n)]
    damping = ridge * sum(cov[i][i] for i in range(n)) / n + ridge_floor
    for i in range(n):
        cov[i][i] = cov[i][i] + damping
    return np.array(_solve_spd(cov, cross)), np.array(mean_g), np.array(mean_y)


def _solve_spd(a: list, b: list) -> list:
    """Solve a x = b per pixel for a symmetric positive definite n x n field (Cholesky).

    a: n x n nested lists of (h, w) arrays; b: n x m nested lists. Returns x as n x m lists.
    Vectorised over pixels: far faster than numpy.linalg.solve on millions of 4 x 4 systems.
    """
    n, m = len(a), len(b[0])
    low = [[None] * n for _ in range(n)]
    for j in range(n):
        low[j][j] = np.sqrt(a[j][j] - sum(low[j][k] ** 2 for k in range(j)))
        for i in range(j + 1, n):
            low[i][j] = (a[i][j] - sum(low[i][k] * low[j][k] for k in range(j))) / low[j][j]
    y = [[None] * m for _ in range(n)]
    for c in range(m):
        for i in range(n):
            y[i][c] = (b[i][c] - sum(low[i][k] * y[k][c] for k in range(i))) / low[i][i]
    x = [[None] * m for _ in range(n)]
    for c in range(m):
        for i in reversed(range(n)):
            x[i][c] = (y[i][c] - sum(low[k][i] * x[k][c] for k in range(i + 1, n))) / low[i][i]
    return x
