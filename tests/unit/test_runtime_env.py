"""The runtime environment for real: a fresh venv of Debian's Python (GDAL and NumPy from Debian)
holding only requirements/runtime.txt, built with the installer's own commands
(toolbelt/layouts.py), runs `superresolve` on the sample within 1 DN of the TensorFlow path, has no
TensorFlow, Keras or h5py, and stays small. Needs the package registry (as `make setup` does);
the environment is kept in build/ between runs while runtime.txt is unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import rasterio

from digisat_plugin.toolbelt.dependencies import requirements_for, runtime_file
from digisat_plugin.toolbelt.environment import env_python, folder_size
from digisat_plugin.toolbelt.layouts import find_layout, install_commands
from tests.conftest import REPO

MAX_BYTES = 150 * 1000 * 1000


@pytest.fixture(scope="session")
def runtime_env() -> str:
    with open(runtime_file(), "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()[:12]
    env_dir = REPO / "build" / f"runtime-env-{digest}"
    stamp = env_dir / "digisat-built"
    if not stamp.exists():
        shutil.rmtree(env_dir, ignore_errors=True)
        layout = find_layout()
        assert layout.kind == "venv" and layout.python.startswith(os.path.realpath(sys.base_prefix))
        for command in install_commands(layout, str(env_dir), requirements_for()):
            done = subprocess.run(command, capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        stamp.write_text("ok\n")
    return str(env_dir)


def test_runtime_env_has_no_tensorflow_and_is_small(runtime_env):
    code = ("import importlib.util as u, json; print(json.dumps({m: u.find_spec(m) is not None for m in "
            "('tensorflow', 'keras', 'h5py', 'onnxruntime', 'pystac_client', 'sentinelsat', 'osgeo', 'numpy')}))")
    done = subprocess.run([env_python(runtime_env), "-c", code], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"tensorflow": False, "keras": False, "h5py": False, "onnxruntime": True,
                                       "pystac_client": True, "sentinelsat": True, "osgeo": True, "numpy": True}
    assert folder_size(runtime_env) <= MAX_BYTES


def test_superresolve_in_the_runtime_env_matches_the_tensorflow_path(runtime_env, sample_dir, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = tmp_path / "onnx.tif"
    done = subprocess.run([env_python(runtime_env), "-m", "digisat_plugin", "superresolve", str(sample_dir), str(out),
                           "--quiet", "--device", "cpu"], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"wrote {out} (600 x 600 px, 12 bands:" in done.stdout and " on cpu" in done.stdout
    # the same run with the Keras weights on TensorFlow, in this (development) Python
    from digisat_plugin.core.sr.engine import superresolve
    from digisat_plugin.core.sr.predict import Predictor

    keras = superresolve(str(sample_dir), str(tmp_path / "keras.tif"),
                         predictor=Predictor(device="cpu", runtime="keras"))
    with rasterio.open(out) as a, rasterio.open(keras.output) as b:
        assert a.count == 12 and a.descriptions == b.descriptions
        assert np.abs(a.read().astype(np.int32) - b.read().astype(np.int32)).max() <= 1
