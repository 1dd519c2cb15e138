"""Back-projection makes a prediction average back to the delivered band."""

import numpy as np

from digisat_plugin.core.sr.consistency import enforce_consistency
from digisat_plugin.core.sr.resample import block_mean


def test_prediction_averages_back_to_the_delivered_band():
    rng = np.random.default_rng(5)
    delivered = rng.uniform(500, 3000, (2, 12, 12)).astype(np.float32)
    pred = np.repeat(np.repeat(delivered, 6, -2), 6, -1) + rng.normal(0, 80, (2, 72, 72)).astype(np.float32)
    before = np.abs(block_mean(pred, 6) - delivered).mean()
    out = enforce_consistency(pred, delivered, 6, rounds=8)
    after = np.abs(block_mean(out, 6) - delivered).mean()
    assert out.shape == pred.shape
    assert after < 0.1 * before
