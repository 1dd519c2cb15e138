"""The local fit to the truth, a yardstick for guided sharpening (research/headroom.py)."""

import numpy as np
import pytest

from research.headroom import local_fit_leftover, neighbour_correlation, neighbourhood_stack


def _guides(rng, size=96):
    guides = rng.uniform(500, 3000, (4, size, size))
    return (guides + np.roll(guides, 1, -1) + np.roll(guides, 1, -2)) / 3  # some spatial correlation


def test_a_band_the_guides_explain_locally_leaves_nothing():
    rng = np.random.default_rng(5)
    guides = _guides(rng)
    west = 0.6 * guides[0] - 0.2 * guides[2] + 0.5 * guides[3] + 100.0
    east = 0.1 * guides[1] + 0.9 * guides[2] - 300.0  # another mix in the other half
    band = np.where(np.arange(96) < 48, west, east)
    left = local_fit_leftover(band, guides)
    away = np.r_[0:46, 51:96]  # windows that do not straddle the change
    assert np.sqrt(np.mean(left[:, away] ** 2)) < 1.0  # DN (the small ridge term), for a band spread over hundreds
    # one fit for the whole image cannot do it: the fit is local
    design = np.concatenate([np.ones((1, 96, 96)), guides]).reshape(5, -1).T
    coef, *_ = np.linalg.lstsq(design, band.ravel(), rcond=None)
    assert np.sqrt(np.mean((band.ravel() - design @ coef) ** 2)) > 100


def test_white_noise_is_what_is_left_and_it_is_uncorrelated():
    rng = np.random.default_rng(6)
    guides = _guides(rng)
    noise = rng.normal(0, 20.0, guides.shape[1:])
    band = 0.7 * guides[1] + 0.2 * guides[3] + noise
    left = local_fit_leftover(band, guides, window=5)
    rmse = np.sqrt(np.mean(left**2))
    # 5 parameters fitted in 25 pixels absorb about a fifth of the noise variance
    assert 20.0 * np.sqrt(0.7) < rmse < 20.0
    assert abs(neighbour_correlation(left)) < 0.1
    assert neighbour_correlation(guides[0]) > 0.3  # the guides themselves are correlated


def test_a_filter_of_the_guides_needs_the_neighbourhood_stack():
    rng = np.random.default_rng(7)
    guides = _guides(rng)
    band = 0.5 * np.roll(guides[0], 1, axis=-1) + 0.3 * guides[1]  # one guide seen one pixel off
    inner = (slice(8, -8), slice(8, -8))  # away from the wrap-around of np.roll
    same_pixel = local_fit_leftover(band, guides, window=9)[inner]
    stack = neighbourhood_stack(guides, 1)
    assert stack.shape == (36, 96, 96)
    np.testing.assert_array_equal(stack[4 * 4], guides[0])  # centre tap (the 5th of 9), first guide
    filtered = local_fit_leftover(band, stack, window=9)[inner]
    assert np.sqrt(np.mean(same_pixel**2)) > 50
    assert np.sqrt(np.mean(filtered**2)) < 2


def test_guides_on_another_grid_are_refused():
    with pytest.raises(ValueError, match="same grid"):
        local_fit_leftover(np.zeros((10, 10)), np.zeros((4, 20, 20)))
