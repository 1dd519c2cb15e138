"""Baselines and the guided estimate the networks correct."""

import numpy as np
import pytest

from digisat_plugin.core.quality.baselines import bicubic, guided_linear
from digisat_plugin.core.sr.guided import guided_local, local_reach
from digisat_plugin.core.sr.resample import block_mean


def _scene(seed=3, size=48):
    """Four smooth-ish random 'guide' bands and a band that is an exact linear mix of them."""
    rng = np.random.default_rng(seed)
    guides = rng.uniform(500, 3000, (4, size, size)).astype(np.float32)
    guides = (guides + np.roll(guides, 1, -1) + np.roll(guides, 1, -2)) / 3  # some spatial correlation
    target = 0.6 * guides[0] - 0.3 * guides[1] + 0.8 * guides[3] + 150.0
    return guides.astype(np.float32), target.astype(np.float32)


def test_bicubic_keeps_constants_and_shape():
    out = bicubic(np.full((2, 5, 7), 42.0, np.float32), 3)
    assert out.shape == (2, 15, 21)
    np.testing.assert_allclose(out, 42.0, rtol=1e-6)


def test_guided_linear_recovers_a_linear_mix_exactly():
    guides, target = _scene()
    low = block_mean(target, 2)[None]
    out = guided_linear(low, guides, 2)[0]
    np.testing.assert_allclose(out, target, atol=0.05)
    assert np.abs(bicubic(low, 2)[0] - target).mean() > 50  # bicubic cannot restore the detail


def test_guided_local_is_close_on_a_linear_mix():
    guides, target = _scene()
    low = block_mean(target, 2)[None]
    out = guided_local(low, guides, 2)[0]
    assert np.abs(out - target).mean() < 0.05 * np.abs(bicubic(low, 2)[0] - target).mean()


@pytest.mark.parametrize("s", [2, 6])
def test_guided_local_tiles_agree_within_the_reach(s):
    """A crop with `local_reach` pixels of context gives the same core as the whole image."""
    rng = np.random.default_rng(s)
    size = 36 * (8 if s == 6 else 2)
    guides = rng.uniform(0, 4000, (4, size, size)).astype(np.float32)
    low = rng.uniform(0, 4000, (2, size // s, size // s)).astype(np.float32)
    whole = guided_local(low, guides, s)
    m = local_reach(s)
    r0 = ((size // 2 - m) // s) * s  # crop start on the coarse grid
    r1 = r0 + 2 * m + 6 * s
    part = guided_local(low[:, r0 // s:r1 // s, r0 // s:r1 // s], guides[:, r0:r1, r0:r1], s)
    np.testing.assert_allclose(part[:, m:-m, m:-m], whole[:, r0 + m:r1 - m, r0 + m:r1 - m], rtol=1e-4, atol=0.05)
