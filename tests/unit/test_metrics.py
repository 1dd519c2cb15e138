"""Known-answer cases for the quality metrics."""

import math

import numpy as np
import pytest

from digisat_plugin.core.quality.metrics import ergas, rmse, sam, sre


def test_rmse_known_answer():
    assert rmse([0.0, 0.0], [3.0, 4.0]) == pytest.approx(math.sqrt(12.5))
    assert rmse(np.ones((3, 4)), np.ones((3, 4))) == 0.0


def test_sre_is_mean_squared_over_mse_in_db():
    ref = np.array([1.0, 3.0])  # mean 2
    pred = np.array([2.0, 2.0])  # squared errors 1, 1
    assert sre(ref, pred) == pytest.approx(10 * math.log10(4.0))
    assert sre(ref, ref) == math.inf


def test_sam_angles_in_degrees():
    ref = np.array([[1.0, 1.0], [0.0, 1.0]])  # two pixels: spectra (1, 0) and (1, 1)
    pred = np.array([[0.0, 2.0], [1.0, 2.0]])  # (0, 1): 90 degrees; (2, 2): same direction
    assert sam(ref, pred) == pytest.approx(45.0)
    assert sam(ref, 3 * ref) == pytest.approx(0.0, abs=1e-6)


def test_sam_skips_empty_spectra():
    ref = np.array([[0.0, 1.0], [0.0, 0.0]])
    pred = np.array([[5.0, 0.0], [0.0, 1.0]])
    assert sam(ref, pred) == pytest.approx(90.0)


def test_ergas_known_answer():
    ref = np.stack([np.full((2, 2), 10.0), np.full((2, 2), 100.0)])
    pred = ref + np.stack([np.full((2, 2), 1.0), np.full((2, 2), 20.0)])  # relative errors 0.1, 0.2
    assert ergas(ref, pred, 2) == pytest.approx(100 / 2 * math.sqrt((0.01 + 0.04) / 2))


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="shapes differ"):
        rmse(np.zeros(3), np.zeros(4))
