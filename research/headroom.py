"""How much of a band the 10 m bands can explain at all: a local linear fit to the truth itself.

Not a method (it reads the answer): a yardstick for guided sharpening. Each pixel of the band is
predicted from the guide bands on the same grid (or, with `neighbourhood_stack`, from a small
filter of them) by least squares over the `window` x `window` neighbourhood around it, fitted to
the band itself. What is left is detail the guides do not carry, even locally; the correlation
of the leftovers of horizontal neighbours tells noise (near 0) from structure the guides miss.
It is no strict bound for a network, which also sees the degraded band itself: at x2 the
shipped net20 leaves less than the same-pixel fit does. research/x6_headroom.py reports it for
the held-out strip (docs/models.md, "How far x6 can go on this data").
"""

from __future__ import annotations

import numpy as np

from digisat_plugin.core.sr.guided import local_regression

# Damping of the normal equations (core/sr/guided.local_regression): a tenth of guided_local's
# relative ridge, since a yardstick should fit as closely as it can; the floor keeps flat windows
# (water, no-data) solvable.
RIDGE = 1e-3  # relative to the mean guide variance in the window
RIDGE_FLOOR = 1.0  # DN^2


def local_fit_leftover(band: np.ndarray, guides: np.ndarray, window: int = 5) -> np.ndarray:
    """band: (h, w); guides: (G, h, w) on the same grid -> band minus its local linear fit (h, w)."""
    y = np.asarray(band, dtype=np.float64)
    g = np.asarray(guides, dtype=np.float64)
    if g.shape[1:] != y.shape:
        raise ValueError(f"guides {g.shape[1:]} and band {y.shape} are not on the same grid")
    coef, mean_g, mean_y = local_regression(y[None], g, window, RIDGE, RIDGE_FLOOR)
    return y - mean_y[0] - np.einsum("ghw,ghw->hw", coef[:, 0], g - mean_g)


def neighbourhood_stack(guides: np.ndarray, radius: int) -> np.ndarray:
    """(G, h, w) -> (G * (2 radius + 1)^2, h, w): every guide shifted by up to `radius` pixels
    (mirrored at the edges), so a linear fit on them is a local linear filter of the guides. Order:
    shifts (row by row) outside, guides inside."""
    g = np.asarray(guides, dtype=np.float64)
    size = 2 * radius + 1
    padded = np.pad(g, ((0, 0), (radius, radius), (radius, radius)), mode="reflect")
    h, w = g.shape[1:]
    return np.concatenate([padded[:, dy:dy + h, dx:dx + w] for dy in range(size) for dx in range(size)])


def neighbour_correlation(leftover: np.ndarray) -> float:
    """Correlation of horizontally adjacent values: about 0 for white noise."""
    return float(np.corrcoef(leftover[:, :-1].ravel(), leftover[:, 1:].ravel())[0, 1])
