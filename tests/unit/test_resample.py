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
