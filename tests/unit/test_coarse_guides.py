"""The 20 m bands as further guides of net60's estimate (spec.NetSpec.coarse_guides)."""

import dataclasses
import json
import shutil

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from digisat_plugin.core.definitions import BANDS_10M, BANDS_20M
from digisat_plugin.core.errors import DigisatError
from digisat_plugin.core.io.aoi import Window
from digisat_plugin.core.sr.guided import local_reach
from digisat_plugin.core.sr.resample import block_mean
from digisat_plugin.core.sr.spec import (
    COARSE_GUIDES_BASE,
    NET20,
    NET60,
    RESIDUAL_BASE,
    blur_parts,
    centre_fit,
    centre_fits,
    guided_estimate,
    window_blur,
)
from digisat_plugin.core.sr.weights import default_model_dir, load_net

TEN_ONLY = dataclasses.replace(NET60, coarse_guides=())


def _scene(seed=0, size=288):
    """A scene whose 60 m bands carry detail between 20 m and 60 m that is in the 20 m bands but in
    no 10 m band: only the 20 m bands can guide it."""
    rng = np.random.default_rng(seed)
    smooth = lambda sigma: gaussian_filter(rng.normal(0, 1, (size, size)), sigma, mode="wrap")  # noqa: E731
    shared = smooth(3.0)  # in every band
    mid = smooth(2.0)  # scales of 20-60 m, missing from the 10 m bands
    truth = {b: 1000 + 300 * shared * (1 + 0.1 * i) for i, b in enumerate(BANDS_10M)}
    truth.update({b: 1500 + 300 * shared + 400 * mid * (1 + 0.05 * i) for i, b in enumerate(BANDS_20M)})
    truth["B01"] = 1200 + 250 * shared + 300 * mid
    truth["B09"] = 800 + 200 * shared + 500 * mid
    ratio = {b: 1 for b in BANDS_10M} | {b: 2 for b in BANDS_20M} | {"B01": 6, "B09": 6}
    native = {b: (block_mean(v[None], ratio[b])[0] if ratio[b] > 1 else v).astype(np.float32) for b, v in truth.items()}
    return native, truth


def _rmse(spec, native, truth):
    est = guided_estimate(native, spec)
    return np.mean([np.sqrt(np.mean((est[..., i] - truth[b]) ** 2)) for i, b in enumerate(spec.outputs)])


def test_the_20m_bands_guide_detail_the_10m_bands_lack():
    native, truth = _scene()
    with_coarse, ten_only = _rmse(NET60, native, truth), _rmse(TEN_ONLY, native, truth)
    assert with_coarse < 0.6 * ten_only, (with_coarse, ten_only)


def test_window_blur_holds_the_outputs_then_the_coarse_guides():
    native, _ = _scene(1)
    blur = window_blur(native, NET60)
    assert blur.shape == (len(NET60.outputs) + len(BANDS_20M),)
    out_blur, coarse_blur = blur_parts(NET60, blur)
    assert out_blur.shape == (2,) and coarse_blur.shape == (6,)
    assert np.all((coarse_blur >= 0) & (coarse_blur <= 0.8 * 2))  # widths of the x2 candidates, base pixels
    assert window_blur(native, NET20).shape == (len(NET20.outputs),)
    np.testing.assert_array_equal(blur_parts(NET20, window_blur(native, NET20))[1], np.zeros(0))
    with pytest.raises(ValueError, match="3 blur widths, expected 8"):
        blur_parts(NET60, np.zeros(3))


def test_the_engine_estimates_the_20m_bands_blur_once_for_both_networks():
    native, _ = _scene(2)
    fits = centre_fits(native, [NET60, NET20])
    np.testing.assert_array_equal(blur_parts(NET60, fits["net60"][0])[1], fits["net20"][0])
    alone, prior = centre_fit(native, NET60)  # without net20: the same estimate, on the same centre
    np.testing.assert_array_equal(alone, fits["net60"][0])
    assert prior.shape == (len(BANDS_10M) + len(BANDS_20M), len(NET60.outputs))


def test_residual_base_and_reach_follow_the_guides():
    assert NET60.residual_base == COARSE_GUIDES_BASE and NET20.residual_base == RESIDUAL_BASE
    assert NET60.input_reach == local_reach(6) + local_reach(2) and NET20.input_reach == local_reach(2)


def test_a_card_trained_on_another_estimate_is_refused(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(default_model_dir(), models)
    card_path = models / "net60" / "model.json"
    card = json.loads(card_path.read_text())
    assert card["residual_base"] == NET60.residual_base  # the shipped card matches this engine
    card["residual_base"] = RESIDUAL_BASE
    card_path.write_text(json.dumps(card))
    with pytest.raises(DigisatError, match=r"net60/model.json: trained to correct 'guided_local_blur'.*make train"):
        load_net(str(models), "net60")


def test_a_tile_lifts_the_20m_bands_once_for_both_networks(monkeypatch):
    """With net60's coarse guides at net20's widths (as the engine fits them), every tile lifts the
    20 m bands once: net20's residual base is the centre of net60's guides, and net20's output is
    the same as when it runs alone (its own, smaller, tiles)."""
    from digisat_plugin.core.sr import predict, spec

    native, _ = _scene(3, size=216)
    ratios = {b: 216 // native[b].shape[0] for b in native}
    fits = centre_fits(native, [NET20, NET60])
    blur = {k: f[0] for k, f in fits.items()}
    assert spec.shares_lift([NET20, NET60], blur) == (NET20, NET60)
    assert spec.shares_lift([NET20, NET60], dict(blur, net20=blur["net20"] + 0.05)) is None
    assert spec.shares_lift([NET20], blur) is None
    pred = predict.Predictor(device="cpu")
    lifts = []
    real = spec.guided_local
    monkeypatch.setattr(spec, "guided_local", lambda low, g, s, **kw: (lifts.append(s), real(low, g, s, **kw))[1])

    def run(targets):
        lifts.clear()
        out = {}
        tiles = pred.run_tiles(lambda b, r, c, h, w: _mirrored(native[b], ratios[b], r, c, h, w),
                               Window(0, 0, 216, 216), targets, ratios, 108, None, blur, None,
                               {k: f[1] for k, f in fits.items()})
        for tile, outputs, _ in tiles:
            for b, arr in outputs.items():
                out.setdefault(b, np.zeros((216, 216), np.float32))[tile.row:tile.row + 108,
                                                                     tile.col:tile.col + 108] = arr
        return out, lifts.count(2)

    both, lifts_both = run(BANDS_20M + ("B01", "B09"))
    alone, lifts_alone = run(BANDS_20M)
    assert lifts_both == lifts_alone == 4 // pred.batch_size  # one x2 lift per batch of tiles
    for b in BANDS_20M:
        assert np.abs(both[b] - alone[b]).max() < 0.05, b  # DN around 1500: float rounding only


def _mirrored(arr, r, row, col, h, w):
    from digisat_plugin.core.io.product import read_mirrored

    part = read_mirrored(lambda r0, c0, r1, c1: arr[r0:r1, c0:c1], row // r, col // r, h // r, w // r, arr.shape)
    return part.astype(np.float32), part == 0
