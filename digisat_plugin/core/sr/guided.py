"""Guided linear sharpening: a low-resolution band plus the 10 m detail, weighted by regression.

A coarse band y (grid factor s) is regressed on the 10 m bands averaged to its grid; the
estimate at 10 m is the cubic upsampling of y plus the 10 m high-pass detail
(band minus its cubic-upsampled block mean) weighted by the regression coefficients.

- `guided_linear`: one regression over the whole window (the baseline in core/quality, and the
  floor the written 60 m bands are held to).
- `guided_local`: coefficients from a (2R+1)^2 low-resolution window around each pixel, with a
  small ridge term, so each output pixel depends only on pixels within `local_reach(s)` base
  pixels: tiled and untiled results agree when tiles overlap by that much. The networks learn
  their correction on top of this estimate (see spec.prepare_inputs).

A delivered coarse band carries the sensor's blur; block means of the sharp 10 m bands do not.
Regressing on them then under-explains the band and the weighted detail is wrong wherever the
band is blurred more than its block averaging alone would (the MTF). `guided_local` therefore
takes a per-band Gaussian `sigma` applied to the guides before they are averaged, and
`estimate_blur` finds it from the data itself: among a few widths, the one whose local regression
explains the coarse band best. The regression then maps blurred guides to the band, and its
coefficients applied to the sharp detail undo that blur. The width is estimated once per
processing window (not per tile), so tiles stay seamless.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter

from .resample import block_mean, upsample
from .threads import map_threads

LOCAL_RADIUS = 4  # low-resolution pixels on each side of the regression window
RIDGE = 0.01  # relative to the mean guide variance in the window
RIDGE_FLOOR = 1.0  # DN^2, keeps flat windows (water, no-data) well posed
# Candidate blur widths for the guides, in units of s base pixels. 0 suits a band degraded by box
# averaging only; the MTF of Sentinel-2 (0.22-0.38 at Nyquist) corresponds to about 0.4-0.6.
BLUR_CANDIDATES = (0.0, 0.125, 0.25, 0.33, 0.42, 0.5, 0.58, 0.67, 0.8)
BLUR_QUANTUM = 0.05  # estimated widths are rounded to this fraction of s (see estimate_blur)
BLUR_TRUNCATE = 3.0  # Gaussian kernels cut at 3 sigma (bounds the reach)
# Local means below this (DN) are raised to it before dividing by them (`local_scale`): dark water
# and no-data would otherwise blow relative units up.
SCALE_FLOOR = 100.0


def blur_reach(s: int) -> int:
    return int(np.ceil(BLUR_TRUNCATE * max(BLUR_CANDIDATES) * s))


def local_reach(s: int, radius: int = LOCAL_RADIUS) -> int:
    """Base pixels on each side that influence one output pixel of `guided_local`."""
    return (radius + 3) * s + blur_reach(s)  # blur + window + linear coefficients + cubic detail


def _blurred_low(guides: np.ndarray, sigma: float, s: int) -> np.ndarray:
    """The guides blurred by a Gaussian of width sigma (base pixels), then averaged over s x s blocks.

    One axis at a time (the Gaussian and the block mean are both separable), and on each axis the
    two as one kernel evaluated only where a block starts: 1/s of the work of blurring every base
    pixel first (the blur is most of what estimate_blur and the x6 estimate cost). Same values as
    scipy's gaussian_filter (mode "reflect") then block_mean, up to float rounding."""
    if sigma <= 0:
        return block_mean(guides, s)
    out = np.asarray(guides, dtype=np.float32)
    kernel = _blur_mean_kernel(sigma, s)
    for axis in (-2, -1):
        out = _strided_correlate(out, kernel, s, axis)
    return out


def _blur_mean_kernel(sigma: float, s: int) -> np.ndarray:
    """Weights of base pixels -r .. s - 1 + r for one block of s: scipy's truncated Gaussian (radius
    r = int(BLUR_TRUNCATE * sigma + 0.5)) convolved with the block's mean."""
    r = int(BLUR_TRUNCATE * float(sigma) + 0.5)
    x = np.arange(-r, r + 1)
    gauss = np.exp(-0.5 * (x / float(sigma)) ** 2)
    return np.convolve(gauss / gauss.sum(), np.full(s, 1.0 / s))


def _strided_correlate(arr: np.ndarray, kernel: np.ndarray, s: int, axis: int) -> np.ndarray:
    """Block i of s along `axis`: sum_j kernel[j] * arr[s * i - r + j], mirrored at the edges (the
    "reflect" mode of scipy.ndimage, np.pad's "symmetric")."""
    n = arr.shape[axis]
    if n % s:
        h, w = arr.shape[-2:]
        raise ValueError(f"shape {h}x{w} does not divide by {s}")
    r = (len(kernel) - s) // 2
    axis = axis % arr.ndim
    pad = [(0, 0)] * arr.ndim
    pad[axis] = (r, r)
    padded = np.pad(arr, pad, mode="symmetric")
    shape = list(arr.shape)
    shape[axis] = n // s
    out = np.zeros(shape, np.float32)
    lead = (slice(None),) * axis
    for j, w in enumerate(kernel.astype(np.float32)):
        out += padded[lead + (slice(j, j + n, s),)] * w
    return out


def _detail(guides: np.ndarray, guides_low: np.ndarray, s: int) -> np.ndarray:
    return guides - upsample(guides_low, s, "cubic")


def linear_slopes(low: np.ndarray, guides: np.ndarray, s: int, valid=None) -> np.ndarray:
    """Per band, the slopes of one least-squares fit (with an intercept) of the band on the guides'
    s x s block means over the whole window: (G, B) float64, those of `guided_linear`.

    low: (B, h, w); guides: (G, h*s, w*s); valid: (h, w) pixels to fit on (default all); pixels where
    the band, or a guide anywhere in the block, is 0 (no data) are left out either way. A band with
    too few pixels gets slopes 0 (its cubic upsampling)."""
    low = np.asarray(low, dtype=np.float64)
    guides = np.asarray(guides, dtype=np.float32)
    guides_low = block_mean(guides, s)
    mask = np.ones(low.shape[-2:], bool) if valid is None else np.asarray(valid, bool).copy()
    mask &= block_mean((guides == 0).any(axis=0).astype(np.float32)[None], s)[0] == 0
    out = np.zeros((len(guides), len(low)))
    for b in range(len(low)):
        rows = mask & (low[b] != 0)
        if rows.sum() <= len(guides) + 1:
            continue
        design = np.concatenate([np.ones((1, int(rows.sum()))), guides_low[:, rows].astype(np.float64)]).T
        coef, *_ = np.linalg.lstsq(design, low[b][rows], rcond=None)
        out[:, b] = coef[1:]
    return out


def guided_linear(low: np.ndarray, guides: np.ndarray, s: int, valid=None, slopes=None) -> np.ndarray:
    """The global guided-linear estimate: low: (..., B, h, w); guides: (..., G, h*s, w*s) -> (..., B, h*s, w*s)
    float32 (leading axes only with `slopes` given).

    Per band, one least-squares fit of the band on the guides' s x s block means over the whole
    window (`linear_slopes`, on `valid`), then the band's cubic upsampling plus each guide's detail
    (the guide minus its cubic-upsampled block mean) weighted by its slope. slopes: (G, B) to use
    instead of fitting. A baseline of every evaluation (core/quality/baselines.py) and the floor the
    written 60 m bands are held to (core/quality/guard.py, `linear_floor`).
    """
    guides = np.asarray(guides, dtype=np.float32)
    if slopes is None:
        slopes = linear_slopes(low, guides, s, valid)
    detail = _detail(guides, block_mean(guides, s), s)  # leading axes (a batch of tiles) pass through
    out = upsample(np.asarray(low, np.float32), s, "cubic")
    return (out + np.einsum("gb,...ghw->...bhw", np.asarray(slopes, np.float32), detail)).astype(np.float32)


def guided_local(low: np.ndarray, guides: np.ndarray, s: int, radius: int = LOCAL_RADIUS, sigma=None,
                 prior=None) -> np.ndarray:
    """low: (..., B, h, w); guides: (..., G, h*s, w*s) -> (..., B, h*s, w*s) float32.

    sigma: None (no blur) or one Gaussian width per band, in base pixels, for the guides.
    prior: None, or (G, B) coefficients the local ones are damped toward instead of toward zero
    (`global_coefficients` of the whole window, so that tiles agree).
    """
    low = np.asarray(low, dtype=np.float64)
    guides = np.asarray(guides, dtype=np.float32)
    if low.ndim > 3:  # a batch of tiles: each on its own
        return np.stack(map_threads(lambda pair: guided_local(*pair, s, radius, sigma, prior),
                                    zip(low, guides, strict=True)))
    sigmas = np.zeros(len(low)) if sigma is None else np.broadcast_to(np.asarray(sigma, float), (len(low),))
    out = np.empty((len(low),) + guides.shape[-2:], np.float32)
    groups = [np.flatnonzero(sigmas == value) for value in np.unique(sigmas)]  # bands sharing a width
    parts = map_threads(lambda idx: _guided_one_blur(low[idx], guides, s, radius, float(sigmas[idx[0]]),
                                                     None if prior is None else np.asarray(prior, np.float64)[:, idx]),
                        groups)  # share the blurred guides
    for idx, part in zip(groups, parts, strict=True):
        out[idx] = part
    return out


def _guided_one_blur(low, guides, s, radius, sigma, prior=None):
    guides_low = _blurred_low(guides, sigma, s).astype(np.float64)
    coef = local_regression(low, guides_low, 2 * radius + 1, RIDGE, RIDGE_FLOOR, prior)[0].astype(np.float32)
    coef = upsample(coef, s, "linear")  # (G, B, h, w) -> (G, B, H, W)
    detail = _detail(guides, guides_low.astype(np.float32), s)
    out = upsample(low.astype(np.float32), s, "cubic") + np.einsum("gbhw,ghw->bhw", coef, detail)
    return out.astype(np.float32)


def estimate_blur(low: np.ndarray, guides: np.ndarray, s: int, valid=None, radius: int = LOCAL_RADIUS) -> np.ndarray:
    """Per band, the guides' Gaussian width (base pixels) whose local regression fits `low` best.

    low: (B, h, w); guides: (G, h*s, w*s); valid: optional (h, w) mask of pixels to score.
    The fit's residual is compared across BLUR_CANDIDATES and refined by a parabola through the
    best candidate and its neighbours. Returns (B,) float64.
    """
    low = np.asarray(low, dtype=np.float64)
    guides = np.asarray(guides, dtype=np.float32)
    mask = np.ones(low.shape[-2:], bool) if valid is None else np.asarray(valid, bool)
    if not mask.any():
        return np.zeros(len(low))
    widths = np.array(BLUR_CANDIDATES) * s

    def cost_of(width):
        guides_low = _blurred_low(guides, width, s).astype(np.float64)
        coef, mean_g, mean_y = local_regression(low, guides_low, 2 * radius + 1, RIDGE, RIDGE_FLOOR)
        fit = mean_y + np.einsum("gbhw,ghw->bhw", coef, guides_low - mean_g)
        return np.sqrt(((low - fit)[:, mask] ** 2).mean(axis=1))

    cost = np.array(map_threads(cost_of, widths))  # (candidates, B)
    out = widths[np.argmin(cost, axis=0)].astype(float)
    for b, k in enumerate(np.argmin(cost, axis=0)):
        if 0 < k < len(widths) - 1:  # vertex of the parabola through the three costs
            c0, c1, c2 = cost[k - 1:k + 2, b]
            curvature = c0 - 2 * c1 + c2
            if curvature > 0:
                step = (widths[k + 1] - widths[k - 1]) / 2
                out[b] = widths[k] + step * 0.5 * (c0 - c2) / curvature
    # To BLUR_QUANTUM of the grid step: bands whose widths differ by less then share one blurred
    # set of guides and one regression in guided_local (finer differences change nothing visible).
    return np.round(out / (BLUR_QUANTUM * s)) * (BLUR_QUANTUM * s)


def global_coefficients(low: np.ndarray, guides: np.ndarray, s: int, sigma, valid=None) -> np.ndarray:
    """Per band, the slopes of one least-squares fit of the band on its blurred guides' block means
    over the whole window (pixels in `valid`): (G, B) float64, the prior of `guided_local`.

    At x6 a 9 x 9 regression window holds few coarse pixels for four slopes; damping them toward
    zero erases detail wherever the window is ambiguous, damping them toward the window's own fit
    keeps it (measured on the x6 scenes: 0.308 -> 0.292 of bicubic under the DSen2 degradation,
    0.339 -> 0.293 under MTF; at x2 it was mixed, so only net60 uses it, spec.NetSpec.prior).
    """
    low = np.asarray(low, dtype=np.float64)
    guides = np.asarray(guides, dtype=np.float32)
    mask = np.ones(low.shape[-2:], bool) if valid is None else np.asarray(valid, bool)
    sigmas = np.broadcast_to(np.asarray(sigma, float), (len(low),))
    out = np.zeros((len(guides), len(low)))
    if mask.sum() <= len(guides):
        return out
    for b in range(len(low)):
        guides_low = _blurred_low(guides, float(sigmas[b]), s).astype(np.float64)
        design = np.concatenate([np.ones((1, int(mask.sum()))), guides_low[:, mask]]).T
        coef, *_ = np.linalg.lstsq(design, low[b][mask], rcond=None)
        out[:, b] = coef[1:]
    return out


def local_scale(low: np.ndarray, s: int, radius: int = LOCAL_RADIUS) -> np.ndarray:
    """A smooth local mean of each band on the base grid (floored at SCALE_FLOOR), for relative units.

    low: (..., B, h, w) on the grid of factor s -> (..., B, h*s, w*s) float32. Its reach,
    (radius + 1) * s base pixels, is within `local_reach(s)`.
    """
    low = np.asarray(low, dtype=np.float32)
    size = [1] * (low.ndim - 2) + [2 * radius + 1, 2 * radius + 1]
    mean = uniform_filter(low, size=size, mode="reflect")
    return np.maximum(upsample(mean, s, "linear"), SCALE_FLOOR)


def local_regression(y: np.ndarray, guides: np.ndarray, size: int, ridge: float, ridge_floor: float,
                     prior=None) -> tuple:
    """Least squares of each band of y on the guides over the size x size window around every pixel.

    y: (B, h, w); guides: (G, h, w), float64. The normal equations get `ridge` times the mean guide
    variance in the window plus `ridge_floor` on the diagonal, so flat windows stay well posed;
    with prior ((G, B) slopes) that damping pulls toward the prior instead of toward zero.
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
    if prior is not None:
        cross = [[cross[i][b] + damping * prior[i, b] for b in range(nb)] for i in range(n)]
    return np.array(_solve_spd(cov, cross)), np.array(mean_g), np.array(mean_y)


def _solve_spd(a: list, b: list) -> list:
    """Solve a x = b per pixel for a symmetric positive definite n x n field (Cholesky).

    a: n x n nested lists of (h, w) arrays; b: n x m nested lists. Returns x as n x m lists.
    Vectorised over pixels: far faster than numpy.linalg.solve on millions of 4 x 4 systems.
    """
    n, m = len(a), len(b[0])
    low = [[None] * n for _ in range(n)]
    for j in range(n):
        low[j][j] = np.sqrt(_minus_dots(a[j][j], [(low[j][k], low[j][k]) for k in range(j)]))
        for i in range(j + 1, n):
            low[i][j] = _minus_dots(a[i][j], [(low[i][k], low[j][k]) for k in range(j)])
            low[i][j] /= low[j][j]
    y = [[None] * m for _ in range(n)]
    for c in range(m):
        for i in range(n):
            y[i][c] = _minus_dots(b[i][c], [(low[i][k], y[k][c]) for k in range(i)])
            y[i][c] /= low[i][i]
    x = [[None] * m for _ in range(n)]
    for c in range(m):
        for i in reversed(range(n)):
            x[i][c] = _minus_dots(y[i][c], [(low[k][i], x[k][c]) for k in range(i + 1, n)])
            x[i][c] /= low[i][i]
    return x


def _minus_dots(value: np.ndarray, pairs: list) -> np.ndarray:
    """value - sum(p * q for p, q in pairs) as a new array, summed in the same order as Python's
    sum() (so results are bit-identical to it) with one scratch array instead of one per product."""
    if not pairs:
        return np.array(value, copy=True)
    acc = np.multiply(*pairs[0])
    tmp = np.empty_like(acc)
    for p, q in pairs[1:]:
        np.multiply(p, q, out=tmp)
        acc += tmp
    return np.subtract(value, acc, out=acc)
