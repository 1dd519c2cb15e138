"""Scene-adaptive fine-tuning on real data: the adapted networks differ from the shipped ones,
fit the area's own Wald pairs better, live only in memory, and the engine option writes a valid
output (or nothing, when cancelled)."""

import hashlib
import os

import numpy as np
import pytest
from osgeo import gdal

from digisat_plugin.core.errors import Cancelled, InputError
from digisat_plugin.core.io.aoi import Window, parse_aoi
from digisat_plugin.core.io.product import open_product
from digisat_plugin.core.progress import Progress
from digisat_plugin.core.sr.engine import superresolve
from digisat_plugin.core.sr.predict import Predictor
from digisat_plugin.core.sr.session import NetSession
from digisat_plugin.core.sr.weights import default_model_dir
from digisat_plugin.core.train.adapt import adapt_predictor, scene_from_product
from digisat_plugin.core.wald import NETWORK_BANDS

# A 1.8 x 1.8 km corner of the sample (the same as tests/unit/test_engine.py).
SMALL_AOI = "443580,4177620,445380,4179420"


def weight_files() -> dict:
    out = {}
    for net in ("net20", "net60"):
        for name in os.listdir(os.path.join(default_model_dir(), net)):
            with open(os.path.join(default_model_dir(), net, name), "rb") as fh:
                out[f"{net}/{name}"] = hashlib.sha256(fh.read()).hexdigest()
    return out


@pytest.fixture(scope="module")
def crop(sample_dir):
    product = open_product(str(sample_dir))
    try:
        return scene_from_product(product, Window(0, 0, 216, 216), NETWORK_BANDS, name="sample crop")
    finally:
        product.close()


def test_adaptation_changes_weights_lowers_loss_and_leaves_files(crop):
    before_files = weight_files()
    predictor = Predictor(device="cpu")
    rng = np.random.default_rng(0)
    probe = {n: rng.normal(size=(1, 36, 36, predictor.net(n).spec.channels)).astype(np.float32)
             for n in ("net20", "net60")}
    shipped = {n: predictor.net(n).session(probe[n]) for n in ("net20", "net60")}
    report = adapt_predictor(predictor, crop, steps=30, measure=True)

    for net in ("net20", "net60"):
        assert report[net]["steps"] == 30
        assert report[net]["loss_after"] < report[net]["loss_before"]
        adapted = predictor.net(net)
        assert adapted.card["adapted"]["steps"] == 30
        assert isinstance(adapted.session, NetSession)  # the adapted network runs on ONNX Runtime too
        assert np.abs(adapted.session(probe[net]) - shipped[net]).max() > 1e-3  # it moved
    assert weight_files() == before_files
    assert "adapted" not in Predictor(device="cpu").net("net20").card  # a fresh predictor loads the shipped files


def test_too_small_area_leaves_the_x6_network_as_shipped(crop):
    from digisat_plugin.core.wald import RegionArrays

    small = RegionArrays("tiny", {b: a[: 72 // crop.ratios[b], : 72 // crop.ratios[b]] for b, a in crop.native.items()},
                  crop.ratios, crop.nodata[:72, :72])
    predictor = Predictor(device="cpu")
    shipped = predictor.net("net60")
    report = adapt_predictor(predictor, small, steps=5)
    assert "skipped" in report["net60"] and "18-pixel patch" in report["net60"]["skipped"]
    assert predictor.net("net60") is shipped
    assert report["net20"]["steps"] == 5


def test_superresolve_with_adaptation_writes_valid_output(sample_dir, tmp_path):
    messages = []
    aoi = parse_aoi(SMALL_AOI, "")
    result = superresolve(str(sample_dir), str(tmp_path / "adapted.tif"), aoi=aoi, bands=["B02", "B05", "B12"],
                          predictor=Predictor(device="cpu"), adapt_steps=10,
                          progress=Progress(lambda f, m: messages.append(m)))
    assert result.extra["adapted"]["net20"]["steps"] == 10
    assert "net60" not in result.extra["adapted"]  # no 60 m band asked for
    assert any("adapting net20" in m for m in messages)
    adapted = gdal.Open(result.output).ReadAsArray()
    assert adapted.shape == (3, 180, 180) and adapted.dtype == np.uint16
    assert (adapted > 0).all()
    plain = superresolve(str(sample_dir), str(tmp_path / "plain.tif"), aoi=aoi, bands=["B02", "B05", "B12"],
                         predictor=Predictor(device="cpu"))
    shipped = gdal.Open(plain.output).ReadAsArray()
    assert np.array_equal(adapted[0], shipped[0])  # 10 m band copied either way
    diff = np.abs(adapted[1:].astype(float) - shipped[1:])
    assert diff.max() > 0  # the adapted networks were used
    assert diff.mean() < 0.02 * shipped[1:].mean()  # a gentle fine-tuning, not a different result
    assert sorted(os.listdir(tmp_path)) == ["adapted.tif", "plain.tif"]


def test_cancel_during_adaptation_leaves_no_file(sample_dir, tmp_path):
    messages = []

    def is_cancelled():
        return any("adapting" in m for m in messages)

    with pytest.raises(Cancelled):
        superresolve(str(sample_dir), str(tmp_path / "x.tif"), aoi=parse_aoi(SMALL_AOI, ""),
                     original_path=str(tmp_path / "o.tif"), predictor=Predictor(device="cpu"), adapt_steps=50,
                     progress=Progress(lambda f, m: messages.append(m), is_cancelled))
    assert os.listdir(tmp_path) == []


def test_negative_adapt_steps_is_a_clear_error(sample_dir, tmp_path):
    with pytest.raises(InputError, match="--adapt-steps"):
        superresolve(str(sample_dir), str(tmp_path / "x.tif"), adapt_steps=-1)


def test_cli_adapt_steps(sample_dir, tmp_path):
    from tests.unit.test_cli_superresolve import assert_one_line_error, cli

    proc = cli("superresolve", sample_dir, tmp_path / "out.tif", "--aoi", SMALL_AOI, "--bands", "B05,B01",
               "--adapt-steps", "5", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "adapted net20: 5 steps" in proc.stdout and "adapted net60: 5 steps" in proc.stdout
    assert gdal.Open(str(tmp_path / "out.tif")).ReadAsArray().shape == (2, 180, 180)
    assert_one_line_error(cli("superresolve", sample_dir, tmp_path / "bad.tif", "--adapt-steps", "-3"),
                          "--adapt-steps", "got -3")
    assert "--adapt-steps" in cli("superresolve", "--help").stdout
