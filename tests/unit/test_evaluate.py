"""Reduced-scale evaluation on a real crop (the bundled Virginia sample, held out from training)
with the shipped networks, through the same Predictor as the engine."""

import json
import os

import numpy as np
import pytest

from digisat_plugin.cli import main
from digisat_plugin.core.errors import OutputError
from digisat_plugin.core.quality.evaluate import evaluate, markdown, write_atomic
from digisat_plugin.core.sr.predict import Predictor
from digisat_plugin.core.sr.resample import upsample
from digisat_plugin.core.train import splits
from digisat_plugin.core.wald import RegionArrays, load_scene

from ..conftest import SAMPLE


@pytest.fixture(scope="module")
def report():
    scene = load_scene(str(SAMPLE))
    return evaluate([scene], Predictor(device="cpu").predict, factors=(2, 6))


def test_report_has_every_metric_per_band_and_mean(report):
    x2 = report["results"]["2"]["dsen2"]
    assert set(x2["bands"]) == {"B05", "B06", "B07", "B8A", "B11", "B12"}
    assert set(report["results"]["6"]["mtf"]["bands"]) == {"B01", "B09"}
    for method in ("model", "bicubic", "guided_linear"):
        mean = x2["mean"][method]
        assert set(mean) == {"rmse", "sre", "sam", "ergas"}
        assert all(np.isfinite(v) for v in mean.values())
    assert x2["pixels"] == 300 * 300
    assert x2["ratio_to_bicubic"] == pytest.approx(x2["mean"]["model"]["rmse"] / x2["mean"]["bicubic"]["rmse"])


@pytest.mark.parametrize("protocol", ["dsen2", "mtf"])
def test_shipped_model_beats_both_baselines_at_x2(report, protocol):
    x2 = report["results"]["2"][protocol]
    assert x2["ratio_to_bicubic"] < 0.6
    assert x2["ratio_to_guided_linear"] < 1.0
    assert x2["mean"]["model"]["sre"] > x2["mean"]["bicubic"]["sre"]


def test_shipped_model_beats_bicubic_at_x6(report):
    for protocol in ("dsen2", "mtf"):
        assert report["results"]["6"][protocol]["ratio_to_bicubic"] < 1.0


def test_markdown_has_a_table_per_factor_and_protocol(report):
    text = markdown(report)
    for heading in ("## x2, dsen2 degradation", "## x2, mtf degradation", "## x6, dsen2 degradation"):
        assert heading in text
    assert "| mean |" in text


def test_cli_writes_json_and_markdown(tmp_path, capsys):
    js, md = tmp_path / "eval.json", tmp_path / "eval.md"
    rc = main(["evaluate", str(SAMPLE), "--factor", "2", "--protocol", "dsen2", "--json", str(js),
               "--markdown", str(md)])
    assert rc == 0
    data = json.loads(js.read_text())
    assert list(data["results"]) == ["2"] and list(data["results"]["2"]) == ["dsen2"]
    assert data["models"]["net20"]["arch"]["arch"].startswith("dsen2")
    assert "| mean |" in md.read_text()
    out = capsys.readouterr().out
    assert "x2, dsen2 degradation" in out and "mean" in out


def test_cli_without_inputs_is_a_one_line_error(capsys):
    assert main(["evaluate"]) == 2
    assert "give INPUT" in capsys.readouterr().err


def test_tiles_agree_with_the_whole_image_despite_the_guided_inputs():
    """The margin covers the network and the guided estimate's reach: no seams between tiles."""
    scene = load_scene(str(SAMPLE))
    predictor = Predictor(device="cpu")
    targets = ["B05", "B12", "B01", "B09"]
    whole = predictor.predict(scene.native, scene.ratios, targets, tile_size=600)
    tiled = predictor.predict(scene.native, scene.ratios, targets, tile_size=120)
    for band in targets:
        np.testing.assert_allclose(tiled[band], whole[band], atol=0.01)


def test_no_data_cells_are_not_scored():
    """Pixels of a 60 m cell without data count in no metric (here the left 120 base columns)."""
    scene = load_scene(str(SAMPLE))
    nodata = scene.nodata.copy()
    nodata[:, :120] = True
    native = {b: a.copy() for b, a in scene.native.items()}
    for b, a in native.items():
        a[:, : 120 // scene.ratios[b]] = 0.0
    holed = RegionArrays(scene.name, native, scene.ratios, nodata)

    def bicubic_predict(native, ratios, targets):
        return {b: upsample(native[b], ratios[b], "cubic") for b in targets}

    result = evaluate([holed], bicubic_predict, factors=(2,), protocols=("dsen2",))["results"]["2"]["dsen2"]
    assert result["pixels"] == 300 * (300 - 60)  # the degraded grid is half the 600 x 600 sample
    assert result["ratio_to_bicubic"] == pytest.approx(1.0)
    clean = evaluate([scene], bicubic_predict, factors=(2,), protocols=("dsen2",))["results"]["2"]["dsen2"]
    assert clean["pixels"] == 300 * 300


def test_a_report_that_cannot_be_written_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="file/eval.md: cannot write"):
        write_atomic(str(blocker / "eval.md"), "# report\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_cli_with_only_too_small_scenes_is_a_one_line_error(capsys):
    """A 120 x 120 BigEarthNet patch is 3 x 3 pixels to restore at x6: nothing to score."""
    patch = splits.data_root() + "/bigearthnet/" + splits.BEN_TEST[0]
    if not os.path.isdir(patch):
        pytest.skip("no BigEarthNet patches under DIGISAT_DATA")
    assert main(["evaluate", patch, "--factor", "6"]) == 2
    assert "every scene is too small for x6" in capsys.readouterr().err
