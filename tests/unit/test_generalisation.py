"""What makes the networks hold on scenes they never saw: a blur-aware guided estimate, inputs in
relative units, a correction that keeps block means, the guard, and radiometry at full scale."""

import json
import os
import re
import shutil

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from digisat_plugin.core.quality import fullscale, guard
from digisat_plugin.core.sr.guided import SCALE_FLOOR, estimate_blur, guided_local, local_reach, local_scale
from digisat_plugin.core.sr.keras_net import save_net
from digisat_plugin.core.sr.model import build_model
from digisat_plugin.core.sr.predict import Predictor
from digisat_plugin.core.sr.resample import block_mean
from digisat_plugin.core.sr.spec import NET20, NET60, SPECS, prepare_inputs, window_blur
from digisat_plugin.core.train.splits import BEN_TEST
from digisat_plugin.core.wald import load_scene

from ..conftest import REPO, SAMPLE, SENTINEL2

SHIPPED = str(REPO / "model_weights")


@pytest.fixture(scope="module")
def sample_scene():
    return load_scene(str(SAMPLE))


def _synthetic(sigma_base: float, s: int = 2, size: int = 192, seed: int = 0):
    """Four smooth random guides and a coarse band that is a mix of them, blurred by sigma_base."""
    rng = np.random.default_rng(seed)
    guides = np.stack([gaussian_filter(rng.normal(size=(size, size)), 1.5) * 300 + 1000 + 200 * i
                       for i in range(4)]).astype(np.float32)
    mix = 0.6 * guides[0] + 0.3 * guides[2] + 0.1 * guides[3]
    low = block_mean(gaussian_filter(mix, sigma_base) if sigma_base else mix, s)[None]
    return low, guides, mix


@pytest.mark.parametrize("sigma", [0.0, 0.8, 1.1])
def test_estimate_blur_finds_the_blur_the_band_carries(sigma):
    low, guides, _ = _synthetic(sigma)
    assert estimate_blur(low, guides, 2)[0] == pytest.approx(sigma, abs=0.15)


def test_a_blur_aware_estimate_undoes_the_blur_that_block_means_miss():
    low, guides, truth = _synthetic(1.0)
    sigma = estimate_blur(low, guides, 2)
    blind = np.sqrt(np.mean((guided_local(low, guides, 2)[0] - truth) ** 2))
    aware = np.sqrt(np.mean((guided_local(low, guides, 2, sigma=sigma)[0] - truth) ** 2))
    assert aware < 0.5 * blind


def test_blurred_estimate_is_the_same_tiled_and_untiled():
    """A crop with `local_reach` pixels of context gives the same core as the whole image."""
    low, guides, _ = _synthetic(1.0, s=6, size=432)
    whole = guided_local(low, guides, 6, sigma=[2.5])
    part = guided_local(low[:, :, :48], guides[:, :, :288], 6, sigma=[2.5])  # left 288 columns
    core = slice(0, 288 - local_reach(6))
    np.testing.assert_allclose(part[0][:, core], whole[0][:, core], atol=1e-2)


def test_inputs_do_not_change_when_bands_get_brighter(sample_scene):
    """L2A against L1C, bright against dark: per-band gains leave the networks' inputs alone
    (wherever a band's local mean is above the floor that keeps dark water finite)."""
    native = {b: sample_scene.native[b] for b in NET60.inputs}
    ratios = sample_scene.ratios
    gains = {b: g for b, g in zip(NET60.inputs, np.linspace(0.5, 3.0, len(NET60.inputs)), strict=True)}
    brighter = {k: v * gains[k] for k, v in native.items()}
    blur = window_blur(native, NET60)
    np.testing.assert_allclose(window_blur(brighter, NET60), blur, atol=0.01)
    a = prepare_inputs(native, ratios, NET60, blur)
    b = prepare_inputs(brighter, ratios, NET60, blur)
    above = np.ones(a.inputs.shape[:-1], bool)
    for name in NET60.inputs:
        coarse = block_mean(native[name], 6 // ratios[name])
        above &= local_scale(coarse, 6) > SCALE_FLOOR / min(gains[name], 1.0) * 1.01
    assert above.mean() > 0.3
    np.testing.assert_allclose(a.inputs[above][:, :-2], b.inputs[above][:, :-2], atol=1e-3)
    # the guided estimate's ridge term is not scaled per guide, so its channels agree closely, not exactly
    diff = np.abs(a.inputs[above][:, -2:] - b.inputs[above][:, -2:])
    assert np.median(diff) < 1e-3 and np.percentile(diff, 99) < 0.03
    # and the values come back in each band's own units
    ratio = b.base[..., 1][above] / (gains["B09"] * a.base[..., 1][above])
    assert np.median(np.abs(ratio - 1)) < 0.005 and np.percentile(np.abs(ratio - 1), 99) < 0.05


def test_the_correction_keeps_every_low_resolution_pixels_mean():
    arch = {"arch": "dsen2", "blocks": 1, "filters": 8, "zero_mean": True}
    model = build_model(arch, NET60.channels, 2, 6)
    tail = model.get_layer("tail")
    rng = np.random.default_rng(1)
    tail.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in tail.get_weights()])
    x = rng.normal(size=(1, 36, 48, NET60.channels)).astype(np.float32)
    correction = np.asarray(model.predict_on_batch(x)) - x[..., -2:]
    assert np.abs(correction).max() > 0.1  # the network does change pixels...
    means = correction.reshape(1, 6, 6, 8, 6, 2).mean(axis=(2, 4))
    np.testing.assert_allclose(means, 0.0, atol=1e-5)  # ...but never a 60 m pixel's mean


@pytest.fixture(scope="module")
def broken_model(tmp_path_factory) -> str:
    """Networks whose last layer adds large noise: built to lose against the guided estimate."""
    folder = tmp_path_factory.mktemp("broken_model")
    arch = {"arch": "dsen2", "blocks": 1, "filters": 8, "zero_mean": True}
    rng = np.random.default_rng(5)
    for name, spec in SPECS.items():
        model = build_model(arch, spec.channels, len(spec.outputs), spec.scale)
        tail = model.get_layer("tail")
        tail.set_weights([rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in tail.get_weights()])
        save_net(model, str(folder), name, {"arch": arch})
    return str(folder)


def test_guard_falls_back_to_the_guided_estimate_when_the_network_loses(sample_scene, broken_model):
    predictor = Predictor(broken_model, device="cpu")
    decision = guard.check(predictor, sample_scene.native, sample_scene.ratios, "net20")
    assert decision.method == "guided" and decision.ratio > 1.0
    assert "guided estimate written" in decision.line()


def test_guard_keeps_the_network_where_it_wins_on_the_sample(sample_scene):
    predictor = Predictor(SHIPPED, device="cpu")
    decision = guard.check(predictor, sample_scene.native, sample_scene.ratios, "net20")
    assert decision.method == "network" and decision.ratio < 1.0, decision.line()


def test_guard_keeps_net20_to_the_blur_it_was_trained_on(sample_scene, tmp_path):
    # The same shipped weights, their card saying they saw only 0.1-0.3 px of blur: the sample's
    # 20 m bands (about 0.7-1.0 px) are then outside, and the estimate is written without a check.
    shutil.copytree(os.path.join(SHIPPED, "net20"), tmp_path / "net20")
    card_path = tmp_path / "net20" / "model.json"
    card = json.loads(card_path.read_text())
    card["training"]["blur_range"] = {band: [0.1, 0.3] for band in NET20.outputs}
    card_path.write_text(json.dumps(card))
    decision = guard.check(Predictor(str(tmp_path), device="cpu"), sample_scene.native, sample_scene.ratios, "net20")
    assert decision.method == "guided" and decision.ratio is None
    assert re.search(r"B05 blurred 0\.\d\d px \(trained on 0\.10-0\.30\)", decision.why), decision.why
    assert "outside what net20 was trained on" in decision.line()
    # the shipped card's own range holds the sample's blur (so the check decides there, above)
    shipped = Predictor(SHIPPED, device="cpu").net("net20").card
    assert guard.outside_training_blur(shipped, NET20, window_blur(sample_scene.native, NET20)) == ""


def test_guard_writes_the_estimate_at_x6_where_the_bands_are_barely_blurred(sample_scene):
    # The sample's 60 m bands measure 0-0.1 of a pixel of blur relative to the 10 m bands, where
    # net60 lost to its estimate leave-scene-out (guard.MIN_BLUR).
    decision = guard.check(Predictor(SHIPPED, device="cpu"), sample_scene.native, sample_scene.ratios, "net60")
    assert decision.method == "guided" and decision.ratio is None
    assert re.search(r"B01/B09 blurred 0\.[01]\d of a pixel, less than the 0\.25", decision.why), decision.why
    assert "--no-guard" not in decision.line()  # the engine's line is QGIS's too: the CLI adds its option


@pytest.fixture(scope="module")
def malmo_scene(malmo_dir):
    return load_scene(str(malmo_dir))


def test_guard_lets_net60_write_where_the_bands_carry_the_sensors_blur(malmo_scene):
    decision = guard.check(Predictor(SHIPPED, device="cpu"), malmo_scene.native, malmo_scene.ratios, "net60")
    assert min(window_blur(malmo_scene.native, NET60)[:2]) / 6 >= guard.MIN_BLUR["net60"]
    assert decision.method == "network" and decision.ratio < guard.CHECK_LIMIT["net60"], decision.line()


def test_guard_refuses_a_broken_net60_even_on_blurred_bands(malmo_scene, broken_model):
    decision = guard.check(Predictor(broken_model, device="cpu"), malmo_scene.native, malmo_scene.ratios, "net60")
    assert decision.method == "guided" and decision.ratio > guard.CHECK_LIMIT["net60"], decision.line()
    assert "over 1.5 x the guided estimate's" in decision.why


def test_guard_refuses_to_judge_a_window_too_small(sample_scene):
    predictor = Predictor(SHIPPED, device="cpu")
    small = {b: a[: 144 // sample_scene.ratios[b], : 144 // sample_scene.ratios[b]]
             for b, a in sample_scene.native.items()}
    decision = guard.check(predictor, small, sample_scene.ratios, "net60")
    assert decision.method == "guided" and decision.ratio is None and "too small" in decision.why


def _ben_scenes():
    folder = SENTINEL2 / "bigearthnet"
    return [folder / n for n in BEN_TEST if (folder / n).is_dir()]


@pytest.mark.parametrize("path", [SAMPLE] + _ben_scenes(), ids=lambda p: os.path.basename(str(p)))
def test_full_scale_means_and_coarse_blocks_match_the_delivered_bands(path):
    scene = load_scene(str(path))
    targets = list(NET20.outputs + NET60.outputs)
    rows = fullscale.consistency_rows(Predictor(SHIPPED, device="cpu"), scene.native, scene.ratios, targets)
    assert [r["band"] for r in rows] == targets
    for row in rows:
        assert row["mean_ok"], row
        assert row["block_ok"], row


def test_engine_writes_the_guards_choice_into_the_output(tmp_path, broken_model):
    import json

    from osgeo import gdal

    from digisat_plugin.core.sr.engine import superresolve

    predictor = Predictor(broken_model, device="cpu")
    guarded = superresolve(str(SAMPLE), str(tmp_path / "guarded.tif"), bands=["B05", "B09"], predictor=predictor)
    assert {net: d["method"] for net, d in guarded.extra["guard"].items()} == {"net20": "guided", "net60": "guided"}
    ds = gdal.Open(guarded.output)
    names = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
    b05 = ds.GetRasterBand(names.index("B05") + 1)
    assert b05.GetMetadataItem("DIGISAT_METHOD") == "guided estimate (guard fallback)"
    assert b05.GetMetadataItem("DIGISAT_GUARD").startswith("network/guided RMSE ")
    assert json.loads(ds.GetMetadataItem("DIGISAT_GUARD"))["net60"]["method"] == "guided"
    guarded_b05 = b05.ReadAsArray()
    ds = None

    raw = superresolve(str(SAMPLE), str(tmp_path / "raw.tif"), bands=["B05", "B09"], predictor=predictor, guard=False)
    ds = gdal.Open(raw.output)
    b05 = ds.GetRasterBand(names.index("B05") + 1)
    assert b05.GetMetadataItem("DIGISAT_METHOD") == "network net20"
    assert b05.GetMetadataItem("DIGISAT_GUARD") == "off"
    # the broken network's pixels are far from the guided estimate the guard wrote instead
    assert np.abs(b05.ReadAsArray().astype(float) - guarded_b05).mean() > 20


def test_guard_band_shares_take_the_network_where_it_wins_and_the_best_mix_where_it_does_not():
    # Per band: <network - estimate, truth - estimate> and |network - estimate|^2 at reduced scale.
    gain, size = np.array([0.9, 0.3, 0.6, -0.2]), np.ones(4)
    told = np.array([True, True, True, False])
    np.testing.assert_allclose(guard.band_shares(gain, size, told, network=True), [1.0, 0.3, 1.0, 1.0])
    # where the group lost, only the bands the network wins are written from it
    np.testing.assert_allclose(guard.band_shares(gain, size, told, network=False), [1.0, 0.0, 1.0, 0.0])
    np.testing.assert_allclose(guard.band_shares(-gain, size, told, network=True), [0.0, 0.0, 0.0, 1.0])


def test_guard_shares_mix_the_network_into_the_estimate_band_by_band():
    outputs = SPECS["net20"].outputs
    decision = guard.GuardDecision("net20", "network", 0.9, 9.0, 10.0, shares=[1.0, 1.0, 1.0, 1.0, 0.25, 0.0])
    network, estimate = np.full((6, 2, 2), 10.0, np.float32), np.zeros((6, 2, 2), np.float32)
    mixed = decision.mix(network, estimate)
    np.testing.assert_allclose(mixed[:, 0, 0], [10, 10, 10, 10, 2.5, 0])
    assert decision.written() == [1.0, 1.0, 1.0, 1.0, 0.25, 0.0]
    assert decision.band_method(outputs[4]) == "guided estimate + 0.25 x network net20's correction (guard)"
    assert decision.band_method(outputs[5]) == "guided estimate (guard fallback)"
    assert "B11 0.25, B12 0.00" in decision.line()


def test_predictor_writes_the_guards_shares_band_by_band(sample_scene):
    predictor = Predictor(SHIPPED, device="cpu")
    native = {b: a[: 240 // sample_scene.ratios[b], : 240 // sample_scene.ratios[b]]
              for b, a in sample_scene.native.items() if b in SPECS["net20"].inputs}
    outputs = list(SPECS["net20"].outputs)
    shares = [1.0, 1.0, 1.0, 1.0, 0.5, 0.0]
    network = predictor.predict(native, sample_scene.ratios, outputs)
    estimate = predictor.predict(native, sample_scene.ratios, outputs, methods={"net20": "guided"})
    mixed = predictor.predict(native, sample_scene.ratios, outputs, methods={"net20": shares})
    for band, share in zip(outputs, shares, strict=True):
        np.testing.assert_allclose(mixed[band], estimate[band] + share * (network[band] - estimate[band]), atol=1e-2)
    assert np.abs(network["B11"] - estimate["B11"]).max() > 1.0  # the mix is not trivially the same
