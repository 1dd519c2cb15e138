"""Global guided-linear (core/sr/guided.guided_linear) and the 60 m bands held to it (issue 29, item 4)."""

import os

import numpy as np
import pytest

from digisat_plugin.core.definitions import BANDS_10M, PROTOCOLS
from digisat_plugin.core.sr.guided import guided_linear, linear_slopes
from digisat_plugin.core.sr.resample import block_mean


def _guides(seed=5, size=72):
    rng = np.random.default_rng(seed)
    g = rng.uniform(300, 3000, (4, size, size)).astype(np.float32)
    return ((g + np.roll(g, 1, -1) + np.roll(g, 1, -2)) / 3).astype(np.float32)


@pytest.mark.parametrize("s", [2, 6])
def test_a_band_that_is_a_linear_mix_of_the_guides_is_recovered_exactly(s):
    guides = _guides()
    w = np.array([0.5, -0.2, 0.1, 0.7], np.float32)
    target = np.tensordot(w, guides, axes=1) + 80.0
    low = block_mean(target, s)[None]
    np.testing.assert_allclose(linear_slopes(low, guides, s)[:, 0], w, atol=1e-4)
    # cubic(block mean of the band) + sum w (guide - cubic(block mean of guide)) = the band itself
    np.testing.assert_allclose(guided_linear(low, guides, s)[0], target, atol=0.05)


def test_pixels_without_data_are_left_out_of_the_regression():
    guides = _guides()
    w = np.array([0.3, 0.3, -0.1, 0.4])
    low = block_mean(np.tensordot(w, guides, axes=1).astype(np.float32) + 10, 6)[None]
    bad = low.copy()
    bad[0, :3, :3] = 0.0  # no data there
    bad[0, 5, 5] = 50000.0  # and an outlier the mask removes
    valid = np.ones(low.shape[1:], bool)
    valid[5, 5] = False
    np.testing.assert_allclose(linear_slopes(bad, guides, 6, valid)[:, 0], w, atol=1e-4)
    guides_gap = guides.copy()
    guides_gap[:, :6, :6] = 0  # a guide without data: that block is left out too
    np.testing.assert_allclose(linear_slopes(low, guides_gap, 6)[:, 0], w, atol=1e-4)


def test_too_few_pixels_give_the_cubic_upsampling():
    guides = _guides(size=12)
    low = np.full((1, 2, 2), 500.0, np.float32)
    assert not linear_slopes(low, guides, 6).any()
    np.testing.assert_allclose(guided_linear(low, guides, 6), 500.0, atol=1e-3)


def _virginia_crop():
    from digisat_plugin.core.train.splits import VIRGINIA, Region
    from digisat_plugin.core.wald import load_region

    region = Region(VIRGINIA, 0, 432)  # inside the held-out northern rows
    if not os.path.isdir(region.path()):
        pytest.skip("shared Sentinel-2 data not found")
    scene = load_region(region)
    size = 432
    native = {b: a[: size // scene.ratios[b], : size * 2 // scene.ratios[b]] for b, a in scene.native.items()}
    return native, scene.ratios


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_written_60m_bands_are_not_worse_than_global_guided_linear_on_held_out_data(protocol):
    """Virginia's held-out rows at x6 (Wald protocol): what the engine writes for B01/B09 (the guard,
    its linear floor included) has no larger RMSE than global guided-linear, band by band."""
    from digisat_plugin.core.quality.guard import check
    from digisat_plugin.core.sr.predict import Predictor
    from digisat_plugin.core.sr.spec import NET60, valid_at
    from digisat_plugin.core.wald import degrade_bands

    native, ratios = _virginia_crop()
    low = degrade_bands(native, 6, protocol)
    inputs = {b: low[b] for b in NET60.inputs}
    predictor = Predictor(device="cpu")
    decision = check(predictor, inputs, ratios, "net60")
    assert decision.linear is not None
    out = predictor.predict(inputs, ratios, list(NET60.outputs), methods={"net60": decision.written()})
    targets = np.stack([inputs[b] for b in NET60.outputs])
    lin = guided_linear(targets, np.stack([inputs[b] for b in BANDS_10M]), 6, valid_at(inputs, NET60))
    for i, band in enumerate(NET60.outputs):
        truth = native[band]
        written = np.sqrt(np.mean((out[band] - truth) ** 2))
        linear = np.sqrt(np.mean((lin[i] - truth) ** 2))
        assert written <= linear, (band, protocol, written, linear)


def test_floor_shares_and_back_projection_are_applied_per_band():
    """apply_floor: share 0 writes guided-linear, 1 the output; weight 1 makes the coarse means the band's."""
    from digisat_plugin.core.sr.predict import apply_floor
    from digisat_plugin.core.sr.spec import NET60

    guides = _guides(size=72)
    rng = np.random.default_rng(1)
    inputs = {b: guides[i] for i, b in enumerate(BANDS_10M)}
    lows = {b: rng.uniform(100, 900, (12, 12)).astype(np.float32) for b in NET60.outputs}
    inputs.update(lows)
    y = rng.uniform(0, 1000, (72, 72, 2)).astype(np.float32)
    slopes = np.full((4, 2), 0.1)
    lin = guided_linear(np.stack([lows[b] for b in NET60.outputs]), guides, 6, slopes=slopes)
    out = apply_floor(y, inputs, NET60, {"slopes": slopes, "shares": [0.0, 1.0], "consistency": [0.0, 0.0]}, 0)
    np.testing.assert_allclose(out[..., 0], lin[0], atol=1e-3)
    np.testing.assert_allclose(out[..., 1], y[..., 1], atol=1e-3)
    out = apply_floor(y, inputs, NET60, {"slopes": slopes, "shares": [1.0, 1.0], "consistency": [1.0, 0.0]}, 0)
    before = np.abs(block_mean(y[..., 0], 6) - lows["B01"]).mean()
    after = np.abs(block_mean(out[..., 0], 6) - lows["B01"]).mean()
    assert after < 0.5 * before
