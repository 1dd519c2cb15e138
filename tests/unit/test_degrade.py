"""Wald-protocol degradations: blur widths, means and shapes."""

import math

import numpy as np
import pytest

from digisat_plugin.core.definitions import BY_NAME
from digisat_plugin.core.sr.resample import block_mean
from digisat_plugin.core.wald import blur_sigma, degrade, degrade_bands


def test_dsen2_sigma_is_one_over_s():
    assert blur_sigma("B05", 2, "dsen2") == pytest.approx(0.5)
    assert blur_sigma("B01", 6, "dsen2") == pytest.approx(1 / 6)


@pytest.mark.parametrize("band,s", [("B05", 2), ("B12", 2), ("B01", 6), ("B09", 6)])
def test_mtf_sigma_matches_band_mtf_at_new_nyquist(band, s):
    sigma = blur_sigma(band, s, "mtf")
    nyquist = 1.0 / (2 * s)  # cycles per pixel of the band's own grid after degrading by s
    response = math.exp(-2 * math.pi**2 * sigma**2 * nyquist**2)  # Gaussian's transfer function
    assert response == pytest.approx(BY_NAME[band].mtf_nyquist, rel=1e-9)


def test_unknown_protocol_is_refused():
    with pytest.raises(ValueError, match="unknown degradation protocol 'box'"):
        blur_sigma("B05", 2, "box")


def test_degrade_shape_and_constant():
    arr = np.full((2, 12, 18), 321.0, np.float32)
    out = degrade(arr, 3, 1.0)
    assert out.shape == (2, 4, 6)
    np.testing.assert_allclose(out, 321.0, rtol=1e-6)


def test_degrade_without_blur_is_block_mean_and_blur_keeps_the_mean():
    rng = np.random.default_rng(0)
    arr = rng.uniform(0, 1000, (24, 24)).astype(np.float32)
    np.testing.assert_allclose(degrade(arr, 2, 0.0), block_mean(arr, 2), rtol=1e-6)
    blurred = degrade(arr, 2, 1.2)
    assert blurred.mean() == pytest.approx(arr.mean(), rel=2e-3)
    assert blurred.std() < block_mean(arr, 2).std()  # the blur removes detail


def test_degrade_bands_uses_each_bands_own_grid():
    native = {"B02": np.ones((12, 12)), "B05": np.ones((6, 6)), "B01": np.ones((2, 2))}
    out = degrade_bands(native, 2, "mtf")
    assert {k: v.shape for k, v in out.items()} == {"B02": (6, 6), "B05": (3, 3), "B01": (1, 1)}
