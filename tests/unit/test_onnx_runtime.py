"""The networks on ONNX Runtime: the shipped ONNX graphs are the shipped Keras weights (same outputs
on inputs of the engine's shapes, same file from `export-onnx`), the engine's output matches the
TensorFlow path, and --device maps to execution providers with one-line errors."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest
import rasterio

from digisat_plugin.core.errors import DigisatError
from digisat_plugin.core.sr.keras_net import KerasSession, load_keras_model
from digisat_plugin.core.sr.model import build_model
from digisat_plugin.core.sr.onnx_graph import build_graph, keras_weights
from digisat_plugin.core.sr.session import NetSession, device_name, providers_for
from digisat_plugin.core.sr.spec import SPECS
from digisat_plugin.core.sr.weights import ONNX_FILE, default_model_dir, load_net
from tests.conftest import REPO

# (batch, height, width): the engine's tiles are aligned to 6 (the zero-mean block), of any size
SHAPES = ((1, 6, 6), (2, 42, 66), (1, 126, 18), (3, 30, 90))


@pytest.mark.parametrize("name", ["net20", "net60"])
def test_shipped_onnx_equals_keras_on_the_engines_shapes(name):
    keras_net = KerasSession(load_keras_model(default_model_dir(), name))
    onnx_net = load_net(default_model_dir(), name).session
    rng = np.random.default_rng(3)
    for shape in SHAPES:
        x = rng.normal(0, 1, size=shape + (SPECS[name].channels,)).astype(np.float32)
        expected, got = keras_net(x), onnx_net(x)
        assert got.shape == expected.shape == shape + (len(SPECS[name].outputs),)
        assert np.abs(got - expected).max() < 1e-4
        # the zero-mean correction: every 6 x 6 block keeps the residual base's mean
        if load_net(default_model_dir(), name).card["arch"].get("zero_mean"):
            base = x[..., -len(SPECS[name].outputs):]
            n, h, w, c = got.shape
            blocks = (got - base).reshape(n, h // 6, 6, w // 6, 6, c).mean(axis=(2, 4))
            assert np.abs(blocks).max() < 1e-4


def test_folded_architecture_exports_the_same_network():
    """dsen2_s2d (space-to-depth): ONNX's SpaceToDepth/DepthToSpace order is TensorFlow's."""
    import keras

    keras.utils.set_random_seed(11)
    arch = {"arch": "dsen2_s2d", "blocks": 2, "filters": 16, "fold": 2, "zero_mean": True, "zero_mean_block": 6}
    spec = SPECS["net20"]
    model = build_model(arch, spec.channels, len(spec.outputs), spec.scale)
    session = NetSession(build_graph(arch, keras_weights(model), spec.channels, len(spec.outputs), spec.scale)
                         .SerializeToString(), ["CPUExecutionProvider"])
    x = np.random.default_rng(1).normal(size=(2, 24, 36, spec.channels)).astype(np.float32)
    assert np.abs(session(x) - KerasSession(model)(x)).max() < 1e-4


def test_export_command_rebuilds_the_shipped_files_from_the_keras_weights(tmp_path):
    """The shipped model.onnx is what `export-onnx` makes of the shipped Keras weights, byte for byte."""
    models = tmp_path / "models"
    for net in ("net20", "net60"):
        (models / net).mkdir(parents=True)
        for name in ("model.json", "weights.weights.h5"):
            shutil.copy(REPO / "model_weights" / net / name, models / net / name)
    done = subprocess.run([sys.executable, "-m", "digisat_plugin", "export-onnx", "--model", str(models)],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(models / "net20" / ONNX_FILE), "written", str(models / "net60" / ONNX_FILE),
                                   "written"]
    for net in ("net20", "net60"):
        assert (models / net / ONNX_FILE).read_bytes() == (REPO / "model_weights" / net / ONNX_FILE).read_bytes()
        assert (models / net / "model.json").read_text() == (REPO / "model_weights" / net / "model.json").read_text()


def test_engine_on_onnx_runtime_within_one_dn_of_tensorflow(sample_dir, tmp_path):
    from digisat_plugin.core.sr.engine import superresolve
    from digisat_plugin.core.sr.predict import Predictor

    onnx = superresolve(str(sample_dir), str(tmp_path / "onnx.tif"), predictor=Predictor(device="cpu"))
    keras = superresolve(str(sample_dir), str(tmp_path / "keras.tif"),
                         predictor=Predictor(device="cpu", runtime="keras"))
    assert onnx.extra["device"] == "cpu" and keras.extra["device"] == "cpu (TensorFlow)"
    with rasterio.open(onnx.output) as a, rasterio.open(keras.output) as b:
        assert a.count == b.count == 12 and a.descriptions == b.descriptions
        diff = np.abs(a.read().astype(np.int32) - b.read().astype(np.int32))
    assert diff.max() <= 1
    assert (diff[[4, 5, 6, 8, 10, 11]] > 0).mean() < 0.01  # the networks' bands: rounding ties only


def test_device_maps_to_execution_providers():
    cpu_only = ["AzureExecutionProvider", "CPUExecutionProvider"]
    assert providers_for("cpu", cpu_only) == providers_for("auto", cpu_only) == ["CPUExecutionProvider"]
    cuda = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert providers_for("auto", cuda) == providers_for("gpu", cuda) == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert providers_for("cpu", cuda) == ["CPUExecutionProvider"]
    dml = ["DmlExecutionProvider", "CPUExecutionProvider"]
    assert providers_for("gpu", dml)[0] == "DmlExecutionProvider"
    assert providers_for("gpu", ["CoreMLExecutionProvider", "CPUExecutionProvider"])[0] == "CoreMLExecutionProvider"
    assert device_name(["CUDAExecutionProvider", "CPUExecutionProvider"]) == "gpu (CUDA)"
    assert device_name(["CPUExecutionProvider"]) == "cpu"
    with pytest.raises(DigisatError) as info:
        providers_for("gpu", cpu_only)
    message = str(info.value)
    assert message.startswith("--device gpu: ONNX Runtime has no GPU provider here") and "\n" not in message
    assert "onnxruntime-gpu" in message or "onnxruntime-directml" in message or sys.platform == "darwin"
    with pytest.raises(DigisatError, match="--device 'tpu': expected cpu, gpu or auto"):
        providers_for("tpu", cpu_only)


def test_missing_or_broken_onnx_file_is_one_line(tmp_path):
    for net in ("net20", "net60"):
        (tmp_path / net).mkdir()
        shutil.copy(REPO / "model_weights" / net / "model.json", tmp_path / net / "model.json")
    with pytest.raises(DigisatError) as info:
        load_net(str(tmp_path), "net20")
    assert str(info.value) == (f"{tmp_path / 'net20' / ONNX_FILE}: network not found (export it with 'python -m "
                               f"digisat_plugin export-onnx --model {tmp_path}', or run 'make train')")
    (tmp_path / "net20" / ONNX_FILE).write_bytes(b"not a graph")
    with pytest.raises(DigisatError) as info:
        load_net(str(tmp_path), "net20")
    assert str(info.value).startswith(f"{tmp_path / 'net20' / ONNX_FILE}: ONNX Runtime cannot load it (")
    assert "\n" not in str(info.value)


def test_what_needs_tensorflow_says_so_in_one_line_without_it(tmp_path):
    """Training (and --adapt-steps) in a Python without TensorFlow: one line, exit 2."""
    code = ("import sys; sys.modules['tensorflow'] = None; sys.modules['keras'] = None; "
            "from digisat_plugin.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, "train", "--out", str(tmp_path / "w")], capture_output=True,
                          text=True, cwd=REPO)
    assert done.returncode == 2
    assert done.stderr.strip() == ("digisat: error: training needs TensorFlow and Keras, which the plugin's runtime "
                                   "does not install: pip install -r requirements/dev.txt")
    assert not (tmp_path / "w").exists()


def test_threads_reach_the_sessions_from_the_cli_option_and_the_plugins_setting(tmp_path):
    """--threads (set_threads) and the plugin's setting (the worker's DIGISAT_THREADS) set ONNX Runtime's
    intra-op threads; a worker started with a setting carries it in its environment."""
    from digisat_plugin.core.sr.threads import THREADS_VAR

    code = ("import sys; from digisat_plugin.core.sr.predict import Predictor; from digisat_plugin.core.sr import threads; "
            "threads.set_threads(int(sys.argv[1])) if sys.argv[1] != '0' else None; "
            "s = Predictor(device='cpu').net('net20').session._session; "
            "print(s.get_session_options().intra_op_num_threads)")
    env = {k: v for k, v in __import__("os").environ.items() if k != THREADS_VAR}
    for option, variable, expected in (("1", "", "1"), ("0", "1", "1"), ("2", "1", "2")):
        run_env = dict(env, **({THREADS_VAR: variable} if variable else {}))
        done = subprocess.run([sys.executable, "-c", code, option], capture_output=True, text=True, cwd=REPO,
                              env=run_env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == expected, (option, variable)

    from digisat_plugin.worker.client import WorkerProcess

    worker = WorkerProcess(sys.executable, "cpu", 0.0, threads=1)
    try:
        with open(f"/proc/{worker.pid}/environ", "rb") as fh:
            assert f"{THREADS_VAR}=1".encode() in fh.read().split(b"\0")
    finally:
        worker.stop()
