"""The guided estimate's parts: blurred block means, and the x6 prior (the window's own fit, which
local slopes are damped toward)."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from digisat_plugin.core.sr.guided import (
    BLUR_TRUNCATE,
    _blurred_low,
    global_coefficients,
    guided_local,
    local_regression,
)
from digisat_plugin.core.sr.resample import block_mean
from digisat_plugin.core.sr.spec import NET20, NET60, prepare_inputs


def _guides(h=96, w=96, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(1000, 200, (4, h, w))).astype(np.float32)


def _blur_2d(guides, sigma):
    return gaussian_filter(guides, [0, sigma, sigma], mode="reflect", truncate=BLUR_TRUNCATE)


@pytest.mark.parametrize("s, sigma", [(2, 0.0), (2, 1.1), (6, 2.5), (6, 4.8)])
def test_blur_then_block_mean_one_axis_at_a_time_equals_the_2d_blur(s, sigma):
    guides = _guides(72, 60, seed=3)
    expected = block_mean(_blur_2d(guides, sigma), s) if sigma else block_mean(guides, s)
    got = _blurred_low(guides, sigma, s)
    assert got.shape == (4, 72 // s, 60 // s) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-3)  # DN of values around 1000: float rounding
    batched = _blurred_low(np.stack([guides, guides[::-1]]), sigma, s)  # tiles of a batch: each on its own
    np.testing.assert_allclose(batched[1], _blurred_low(guides[::-1], sigma, s), rtol=0, atol=1e-6)


def test_global_coefficients_recover_the_slopes_of_a_linear_band():
    guides = _guides()
    slopes = np.array([0.5, -0.2, 0.0, 1.5])
    sigma = 2.0
    low = (np.tensordot(slopes, block_mean(_blur_2d(guides, sigma), 6), axes=1) + 30.0)[None]
    coef = global_coefficients(low, guides, 6, [sigma])
    assert coef.shape == (4, 1)
    np.testing.assert_allclose(coef[:, 0], slopes, atol=1e-6)


def test_global_coefficients_leave_out_pixels_without_data():
    guides = _guides()
    low = np.tensordot([1.0, 0, 0, 0], block_mean(guides, 6), axes=1)[None]
    spoilt = low.copy()
    spoilt[0, :4] = 0.0  # no data there
    valid = np.ones(low.shape[1:], bool)
    valid[:4] = False
    np.testing.assert_allclose(global_coefficients(spoilt, guides, 6, [0.0], valid)[:, 0], [1, 0, 0, 0], atol=1e-9)


def test_flat_windows_take_the_prior_instead_of_zero():
    # Guides without any variation: the local fit has nothing to go on, and the damping decides.
    y = np.full((1, 20, 20), 500.0)
    guides = np.full((4, 20, 20), 1000.0)
    prior = np.array([[0.3], [0.1], [0.0], [-0.2]])
    toward_zero = local_regression(y, guides, 9, 0.01, 1.0)[0]
    toward_prior = local_regression(y, guides, 9, 0.01, 1.0, prior)[0]
    assert toward_zero.shape == toward_prior.shape == (4, 1, 20, 20)
    np.testing.assert_allclose(toward_zero, 0.0, atol=1e-12)
    np.testing.assert_allclose(toward_prior, np.broadcast_to(prior[:, :, None, None], toward_prior.shape), rtol=1e-9)


def test_guided_local_without_prior_is_unchanged_and_with_one_differs():
    guides = _guides()
    low = block_mean(guides[:1] * 0.8, 6)
    a = guided_local(low, guides, 6, sigma=[1.0])
    b = guided_local(low, guides, 6, sigma=[1.0], prior=None)
    c = guided_local(low, guides, 6, sigma=[1.0], prior=np.array([[0.2], [0.2], [0.2], [0.2]]))
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 0


def test_only_net60_uses_a_prior_and_a_batch_must_bring_it():
    assert NET60.prior and not NET20.prior
    rng = np.random.default_rng(1)
    ratios = {b: (1 if b in ("B02", "B03", "B04", "B08") else 6 if b in NET60.outputs else 2) for b in NET60.inputs}
    native = {b: rng.uniform(500, 1500, (2, 72 // r, 72 // r)).astype(np.float32) for b, r in ratios.items()}
    with pytest.raises(ValueError, match="prior"):
        prepare_inputs(native, ratios, NET60, blur=np.zeros(3))
