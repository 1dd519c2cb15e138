"""`digisat:evaluate` through Processing: the HTML report and the table carry core's numbers."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from tests.conftest import REPO, SAMPLE

from .processing_fixtures import digisat_provider  # noqa: F401

BANDS_20M = ["B05", "B06", "B07", "B8A", "B11", "B12"]
CORE_EVALUATION = """
import json, sys
from digisat_plugin.core.quality.evaluate import evaluate
from digisat_plugin.core.sr.predict import Predictor
from digisat_plugin.core.wald import load_scene
report = evaluate([load_scene(sys.argv[1])], Predictor(sys.argv[2], device="cpu").predict, factors=(2,),
                  protocols=("dsen2",))
print(json.dumps(report["results"]["2"]["dsen2"], default=float))
"""


def core_evaluation(model_dir):
    """core's own evaluation of the sample, computed in another process (TensorFlow stays out of this one)."""
    done = subprocess.run([sys.executable, "-c", CORE_EVALUATION, str(SAMPLE), str(model_dir)], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_evaluate_writes_report_and_table(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    import processing

    report_path = tmp_path / "report.html"
    result = processing.run("digisat:evaluate", {
        "INPUT": str(SAMPLE), "FACTOR": 0, "PROTOCOL": 0, "MODEL_DIR": str(tiny_sr_model), "DEVICE": 1,
        "OUTPUT_HTML": str(report_path), "OUTPUT": "memory:quality",
    })
    table = result["OUTPUT"]
    rows = {f["band"]: f for f in table.getFeatures()}
    assert list(rows) == BANDS_20M + ["mean"]
    assert table.fields().names()[:6] == ["band", "factor", "protocol", "rmse", "sre", "sam"]
    assert not table.isSpatial()

    # the same numbers as core's evaluation of the same product and networks
    expected = core_evaluation(tiny_sr_model)
    for band in BANDS_20M:
        assert rows[band]["rmse"] == pytest.approx(expected["bands"][band]["model"]["rmse"], rel=1e-6)
        assert rows[band]["sre"] == pytest.approx(expected["bands"][band]["model"]["sre"], rel=1e-6)
        assert rows[band]["ratio_bicubic"] == pytest.approx(expected["bands"][band]["ratio_to_bicubic"], rel=1e-6)
        assert rows[band]["rmse_bicubic"] == pytest.approx(expected["bands"][band]["bicubic"]["rmse"], rel=1e-9)
        assert rows[band]["factor"] == 2 and rows[band]["protocol"] == "dsen2"
    assert rows["mean"]["sam"] == pytest.approx(expected["mean"]["model"]["sam"], rel=1e-6)
    assert rows["mean"]["ratio_guided"] == pytest.approx(expected["ratio_to_guided_linear"], rel=1e-6)
    assert result["RATIO_BICUBIC"] == pytest.approx(expected["ratio_to_bicubic"], rel=1e-6)
    assert all(math.isfinite(rows[b]["rmse"]) and rows[b]["rmse"] > 0 for b in BANDS_20M)

    page = report_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "x2, dsen2 degradation" in page
    for band in BANDS_20M:
        assert f"<td>{band}</td><td>{expected['bands'][band]['model']['rmse']:.1f}</td>" in page


def test_evaluate_factor_6_rows_are_the_60m_bands(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    import processing

    result = processing.run("digisat:evaluate", {
        "INPUT": str(SAMPLE / "B01.tif"), "FACTOR": 1, "PROTOCOL": 1, "MODEL_DIR": str(tiny_sr_model),
        "OUTPUT_HTML": str(tmp_path / "r.html"), "OUTPUT": "memory:quality",
    })
    rows = list(result["OUTPUT"].getFeatures())
    assert [f["band"] for f in rows] == ["B01", "B09", "mean"]
    assert {f["factor"] for f in rows} == {6} and {f["protocol"] for f in rows} == {"mtf"}
    assert "x6, mtf degradation" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_evaluate_bad_input_is_a_one_line_error(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    import processing
    from qgis.core import QgsProcessingException

    (tmp_path / "nothing").mkdir()
    with pytest.raises(QgsProcessingException, match="nothing"):
        processing.run("digisat:evaluate", {"INPUT": str(tmp_path / "nothing"), "MODEL_DIR": str(tiny_sr_model),
                                            "OUTPUT_HTML": str(tmp_path / "r.html"), "OUTPUT": "memory:"})
    assert not (tmp_path / "r.html").exists()
