"""Training pairs, sampler, augmentation, data split and a tiny real training run."""

import os

import numpy as np
import pytest

from digisat_plugin.cli import main
from digisat_plugin.core.errors import InputError
from digisat_plugin.core.sr.spec import NET20, NET60, prepare_inputs
from digisat_plugin.core.train import splits
from digisat_plugin.core.train.augment import dihedral
from digisat_plugin.core.train.dataset import blur_range, make_pairs
from digisat_plugin.core.train.sampler import PatchSampler
from digisat_plugin.core.train.trainer import TrainConfig, Trainer
from digisat_plugin.core.wald import load_scene

from ..conftest import SAMPLE

TINY = {"arch": "dsen2", "blocks": 1, "filters": 8, "fold": 1}


@pytest.fixture(scope="module")
def sample_scene():
    return load_scene(str(SAMPLE))


@pytest.fixture(scope="module")
def pairs20(sample_scene):
    return [make_pairs(sample_scene, NET20, "dsen2")]


def test_pairs_have_reduced_scale_inputs_and_native_targets(sample_scene, pairs20):
    pair = pairs20[0]
    assert pair.inputs.shape == (300, 300, NET20.channels)
    assert pair.target.shape == (300, 300, len(NET20.outputs))
    # the target is the 20 m band as delivered, in the relative units of the inputs' B05 channel
    from digisat_plugin.core.wald import degraded_scene
    low = degraded_scene(sample_scene, 2, "dsen2")
    prepared = prepare_inputs({b: low.native[b] for b in NET20.inputs}, low.ratios, NET20)
    np.testing.assert_allclose(prepared.to_values(pair.target)[..., 0], sample_scene.native["B05"], rtol=1e-5, atol=0.05)
    pair60 = make_pairs(sample_scene, NET60, "mtf")
    assert pair60.inputs.shape == (96, 96, NET60.channels)  # 600 cropped to 576, / 6
    assert pair60.valid.all()


def test_sampler_skips_no_data_and_near_empty(pairs20):
    pair = pairs20[0]
    holed = type(pair)(pair.inputs.copy(), pair.target, pair.valid.copy(), nir=pair.nir)
    holed.valid[:, :200] = False  # left two thirds without data
    sampler = PatchSampler([holed], 32)
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, _ = sampler.draw(rng)
        assert x.shape == (32, 32, NET20.channels)
    assert not sampler.acceptable(holed, 0, 0) and sampler.acceptable(holed, 0, 250)
    dark = type(pair)(pair.inputs, pair.target, pair.valid, nir=pair.nir * 0.001)  # NIR far below 100 DN everywhere
    with pytest.raises(InputError, match="near-empty"):
        PatchSampler([dark], 32, tries=5).draw(rng)


def test_sampler_puts_patch_corners_on_the_outputs_grid(pairs20):
    sampler = PatchSampler(pairs20, 18, align=6)
    rng = np.random.default_rng(3)
    pair = pairs20[0]
    for _ in range(10):
        x, _ = sampler.draw(rng)
        rows, cols = np.nonzero((pair.inputs[..., :1] == x[:1, :1, :1]).all(axis=-1))
        assert any(r % 6 == 0 and c % 6 == 0 for r, c in zip(rows, cols, strict=True))
    with pytest.raises(InputError, match="multiple"):
        PatchSampler(pairs20, 16, align=6)


def test_folds_are_whole_scenes_and_each_trains_without_its_own():
    if not os.path.isdir(splits.data_root() + "/bigearthnet"):
        pytest.skip("no BigEarthNet patches under DIGISAT_DATA")
    seen = {}
    for fold in splits.FOLDS:
        own = {r.folder for r in splits.fold_regions(fold)}
        assert own and all(r.row0 == 0 and r.row1 is None for r in splits.fold_regions(fold))  # whole scenes
        assert not own & {r.folder for r in splits.without_fold(fold)}
        for folder in own:
            assert folder not in seen, f"{folder} in folds {seen[folder]} and {fold}"
            seen[folder] = fold
    acquisitions = {}
    for folder, fold in seen.items():  # patches of one acquisition never straddle two folds
        acquisitions.setdefault(folder.split("_")[3], set()).add(fold)
    assert all(len(f) == 1 for f in acquisitions.values())
    assert not any("berlin" in f.lower() for f in seen)


def test_dihedral_transforms_are_the_eight_symmetries():
    a = np.arange(2 * 3 * 3).reshape(2, 3, 3, 1)
    outs = {dihedral(a, k).tobytes() for k in range(8)}
    assert len(outs) == 8
    np.testing.assert_array_equal(dihedral(a, 4)[0, :, :, 0], a[0, :, ::-1, 0])


def test_split_keeps_test_out_of_training():
    train = {(r.folder, r.row0) for r in splits.regions("train")}
    test = splits.regions("test")
    assert all((r.folder, r.row0) not in train for r in test)
    virginia_test = [r for r in test if r.folder == splits.VIRGINIA][0]
    virginia_train = [r for r in splits.regions("train") if r.folder == splits.VIRGINIA][0]
    assert virginia_test.row1 <= virginia_train.row0 == 642
    everything = splits.regions("train") + test + splits.regions("val")
    assert not any("berlin" in r.folder.lower() for r in everything)
    assert len([r for r in test if "bigearthnet" in r.folder]) == 6


def _config(steps, **kw):
    return TrainConfig(net="net20", arch=TINY, steps=steps, batch=4, patch=16, lr=3e-3, warmup=2,
                       checkpoint_every=5, **kw)


def test_training_lowers_the_loss(tmp_path, pairs20):
    config = TrainConfig(net="net20", arch=dict(TINY, filters=16), steps=100, batch=8, patch=16, lr=1e-3, warmup=50)
    trainer = Trainer(config, str(tmp_path), pairs=pairs20, val_pairs=pairs20, log=lambda line: None)
    before = trainer.validation_l1()  # the untrained net returns its residual base (guided estimate)
    result = trainer.run(progress_every=1000)
    assert result["steps"] == 100
    assert result["validation_l1"] < 0.97 * before
    # what the guard keeps the network to (the card's training.blur_range): the pairs' own blur
    assert result["blur_range"] == blur_range(NET20, pairs20)


def test_the_training_blur_range_spans_the_pairs_blur(sample_scene, pairs20):
    mtf = make_pairs(sample_scene, NET20, "mtf")
    found = blur_range(NET20, pairs20 + [mtf])
    assert list(found) == list(NET20.outputs)
    for i, band in enumerate(NET20.outputs):
        widths = [pairs20[0].blur[i], mtf.blur[i]]
        assert found[band] == [round(min(widths), 3), round(max(widths), 3)]
    assert found["B11"][1] > found["B11"][0]  # the MTF pair carries more blur than DSen2's


def test_checkpoint_resume_matches_an_uninterrupted_run(tmp_path, pairs20):
    lines = []
    whole = Trainer(_config(10), str(tmp_path / "a"), pairs=pairs20, val_pairs=[], log=lines.append)
    whole.run(progress_every=5)
    assert any("step 10/10" in line and "ETA" in line for line in lines)

    first = Trainer(_config(10), str(tmp_path / "b"), pairs=pairs20, val_pairs=[], log=lambda line: None)
    first.run(should_stop=lambda: int(first.step.numpy()) >= 5)
    assert int(first.step.numpy()) == 5
    resumed = Trainer(_config(10), str(tmp_path / "b"), pairs=pairs20, val_pairs=[], log=lines.append)
    assert resumed.restore() == 5
    resumed.run()
    assert int(resumed.step.numpy()) == 10
    for a, b in zip(whole.model.get_weights(), resumed.model.get_weights(), strict=False):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_checkpoints_of_another_recipe_are_not_resumed(tmp_path, pairs20):
    first = Trainer(_config(5), str(tmp_path), pairs=pairs20, val_pairs=[], log=lambda line: None)
    first.run()
    lines = []
    other = Trainer(_config(5, seed=99), str(tmp_path), pairs=pairs20, val_pairs=[], log=lines.append)
    assert other.restore() == 0
    assert "another recipe" in lines[0]


def test_held_out_patches_exist_and_no_folder_is_in_two_splits():
    """A misspelt held-out name would silently put that patch into training."""
    folder = splits.data_root() + "/bigearthnet"
    if not os.path.isdir(folder):
        pytest.skip("no BigEarthNet patches under DIGISAT_DATA")
    on_disk = set(os.listdir(folder))
    assert set(splits.BEN_TEST + splits.BEN_VAL + splits.BEN_EMPTY) <= on_disk
    names = {s: {r.folder for r in splits.regions(s) if r.folder.startswith("bigearthnet/")}
             for s in ("train", "val", "test")}
    assert not names["train"] & names["test"] and not names["test"] & names["val"]
    assert names["val"] <= names["train"]  # validation only tracks training; folds give held-out figures
    assert len(names["train"] | names["test"]) == len(on_disk) - len(splits.BEN_EMPTY)


def test_train_cli_refuses_a_non_positive_step_count(capsys):
    assert main(["train", "--net", "net20", "--steps", "0"]) == 2
    assert "--steps 0: expected a positive whole number" in capsys.readouterr().err
