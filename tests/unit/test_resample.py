import numpy as np

from digisat_plugin.core.sr.resample import block_mean, upsample, upsample_nearest


def test_upsample_keeps_constants_and_block_means():
    const = np.full((5, 7), 123.0, np.float32)
    for kernel in ("linear", "cubic"):
        assert np.allclose(upsample(const, 2, kernel), 123.0)
    x = np.arange(36, dtype=np.float32).reshape(6, 6)
    assert np.array_equal(block_mean(upsample_nearest(x, 6), 6), x)


def test_linear_upsampling_is_pixel_area_aligned():
    # A ramp sampled at pixel centres stays a ramp; the first two fine pixels of low pixel 1
    # lie a quarter pixel either side of its centre.
    ramp = np.tile(np.arange(8, dtype=np.float32), (4, 1))
    up = upsample(ramp, 2, "linear")
    assert up.shape == (8, 16)
    assert np.allclose(up[0, 2:4], [0.75, 1.25])
    assert np.allclose(block_mean(up[:, 2:14], 2), ramp[:, 1:7])


def test_block_mean_rejects_sizes_that_do_not_divide():
    import pytest

    with pytest.raises(ValueError, match="does not divide by 6"):
        block_mean(np.zeros((7, 12)), 6)


def _gathered(arr, s, axis, kernel):
    """The textbook form: every fine pixel gathers its taps by index (edge replication)."""
    from digisat_plugin.core.sr.resample import _cubic

    n = arr.shape[axis]
    pos = (np.arange(n * s) + 0.5) / s - 0.5
    left = np.floor(pos).astype(int)
    frac = pos - left
    taps = (0, 1) if kernel == "linear" else (-1, 0, 1, 2)
    weights = (1 - frac, frac) if kernel == "linear" else tuple(_cubic(frac - k) for k in taps)
    shape = [1] * arr.ndim
    shape[axis] = n * s
    return sum(np.take(arr, np.clip(left + k, 0, n - 1), axis=axis) * w.reshape(shape).astype(np.float32)
               for k, w in zip(taps, weights, strict=True))


def test_phase_by_phase_upsampling_equals_the_gathered_form():
    rng = np.random.default_rng(0)
    for shape in [(1, 1), (7, 5), (3, 40, 30), (2, 4, 16, 12)]:
        a = rng.normal(1000, 300, shape).astype(np.float32)
        for s in (2, 3, 6):
            for kernel in ("linear", "cubic"):
                expected = _gathered(_gathered(a, s, a.ndim - 2, kernel), s, a.ndim - 1, kernel)
                got = upsample(a, s, kernel)
                assert got.shape == expected.shape and got.dtype == np.float32
                np.testing.assert_allclose(got, expected, rtol=0, atol=1e-3)  # float rounding of DN ~1000
