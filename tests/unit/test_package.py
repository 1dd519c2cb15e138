"""scripts/package.py: the plugin zip QGIS installs (one top-level folder, metadata, licence, weights)."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import zipfile

from tests.conftest import REPO


def make_weights(folder):
    for net in ("net20", "net60"):
        (folder / net).mkdir(parents=True)
        (folder / net / "model.json").write_text('{"arch": "dsen2"}\n')
        (folder / net / "model.onnx").write_bytes(b"\0" * 1000)
        (folder / net / "weights.weights.h5").write_bytes(b"\0" * 1000)
    return folder


def test_zip_has_one_plugin_folder_with_metadata_licence_and_weights(tmp_path):
    weights = make_weights(tmp_path / "weights")
    out = tmp_path / "dist" / "digisat.zip"
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "package.py"), "--out", str(out),
                           "--weights", str(weights)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "digisat 0.1.0" in done.stdout
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        meta_text = archive.read("digisat_plugin/metadata.txt").decode()
        licence = archive.read("digisat_plugin/LICENSE")
        archive.extractall(tmp_path / "plugins")
    assert {n.split("/")[0] for n in names} == {"digisat_plugin"}
    for needed in ("digisat_plugin/__init__.py", "digisat_plugin/plugin.py", "digisat_plugin/gui/dock.py",
                   "digisat_plugin/resources/icons/digisat.svg", "digisat_plugin/model_weights/net20/model.json",
                   "digisat_plugin/model_weights/net60/model.onnx", "digisat_plugin/requirements/runtime.txt"):
        assert needed in names
    assert not [n for n in names if n.endswith(".h5")]  # Keras weights are for development only
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or "/.git" in n or "tests/" in n]
    assert licence == (REPO / "LICENSE").read_bytes()
    meta = configparser.ConfigParser()
    meta.read_string(meta_text)
    assert f"digisat_plugin/{meta['general']['icon']}" in names
    assert out.stat().st_size < 25 * 1000 * 1000
    # installed, the package finds its own weights first and imports without QGIS
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import digisat_plugin; "
            "from digisat_plugin.core.sr.weights import default_model_dir; print(default_model_dir())")
    found = subprocess.run([sys.executable, "-c", code, str(tmp_path / "plugins")], capture_output=True, text=True,
                           cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(tmp_path / "plugins" / "digisat_plugin" / "model_weights")
    # and the installer's list of packages is runtime.txt's, read from inside the plugin folder
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from digisat_plugin.toolbelt.dependencies import "
            "runtime_file, requirements_for; print(runtime_file()); print(requirements_for())")
    found = subprocess.run([sys.executable, "-c", code, str(tmp_path / "plugins")], capture_output=True, text=True,
                           cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    path, listed = found.stdout.strip().splitlines()
    assert path == str(tmp_path / "plugins" / "digisat_plugin" / "requirements" / "runtime.txt")
    assert listed == str([line for line in (REPO / "requirements" / "runtime.txt").read_text().splitlines()
                          if line and not line.startswith("#")])


def test_missing_weights_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "package.py"), "--out", str(tmp_path / "d.zip"),
                           "--weights", str(tmp_path / "none")], capture_output=True, text=True)
    assert done.returncode != 0
    assert f"{tmp_path / 'none'}: trained networks not found (run 'make train' first)" in done.stderr
    assert not (tmp_path / "d.zip").exists()


def test_zip_holds_no_study_code(tmp_path):
    """The studies (research/) and the tools (scripts/) stay out of the plugin: no module of theirs in the zip."""
    out = tmp_path / "digisat.zip"
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "package.py"), "--out", str(out),
                           "--weights", str(make_weights(tmp_path / "weights"))], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    studies = {p.stem for p in (REPO / "research").glob("*.py") if p.stem != "__init__"}
    assert {"headroom", "degraded_copy", "x6_headroom", "model_search", "adapt_gain", "degraded_check"} <= studies
    shipped = {n.rsplit("/", 1)[-1].removesuffix(".py") for n in names if n.endswith(".py")}
    assert not studies & shipped
    assert not [n for n in names if "/research/" in n or "/scripts/" in n or n.startswith(("research/", "scripts/"))]


def test_scripts_and_studies_import_the_project_without_path_edits():
    """pyproject.toml, installed in editable mode by `make setup`: no script or study edits sys.path."""
    for folder in ("scripts", "research"):
        for path in sorted((REPO / folder).glob("*.py")):
            assert not re.search(r"sys\.path\s*(\.|\[|\+=|=)", path.read_text(encoding="utf-8")), path
    # from outside the checkout, without the current folder on the path (-I), both packages import
    code = "import digisat_plugin, research, research.headroom; print(research.__file__)"
    found = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd="/")
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(REPO / "research" / "__init__.py")
