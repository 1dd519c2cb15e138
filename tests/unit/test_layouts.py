"""QGIS's Python and the digisat environment on Linux, Windows and macOS (toolbelt/layouts.py).

Windows and macOS cannot run here: their folder trees are built in tmp as the installers lay them
out, and the interpreter found, the install commands and the worker's environment are checked.
The Linux layout also runs for real (tests/unit/test_runtime_env.py, tests/qgis/test_plugin_settings.py)."""

from __future__ import annotations

import json
import os

import pytest

from digisat_plugin.toolbelt import layouts
from digisat_plugin.toolbelt.dependencies import requirements_for
from digisat_plugin.toolbelt.layouts import Interpreter, child_env, environment_python, find_layout, install_commands


def touch(path) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").close()
    return str(path)


def test_linux_inside_qgis_finds_the_base_python_and_makes_a_venv(tmp_path):
    python = touch(tmp_path / "usr" / "bin" / "python3.11")
    layout = find_layout("linux", executable=str(tmp_path / "usr" / "bin" / "qgis"), base_prefix=str(tmp_path / "usr"),
                         prefix=str(tmp_path / "usr"), version=(3, 11), environ={})
    assert (layout.python, layout.kind, layout.env) == (python, "venv", {})
    env_dir = str(tmp_path / "profile" / "digisat" / "python")
    venv, pip = install_commands(layout, env_dir, ["onnxruntime==1.19.2"])
    assert venv == [python, "-m", "venv", "--system-site-packages", env_dir]
    assert pip[:4] == [os.path.join(env_dir, "bin", "python"), "-m", "pip", "install"]
    assert pip[-1] == "onnxruntime==1.19.2"
    assert environment_python(env_dir, "linux") == os.path.join(env_dir, "bin", "python")
    assert environment_python(env_dir, "linux").env == {}


def test_linux_in_a_venv_takes_the_base_installation_not_the_path(tmp_path):
    """Inside a venv (the project's .venv) sys.executable is the venv's; the environment must be made
    from the base interpreter so that it sees the system's GDAL."""
    python = touch(tmp_path / "base" / "bin" / "python3.11")
    layout = find_layout("linux", executable=str(tmp_path / "venv" / "bin" / "python"),
                         base_prefix=str(tmp_path / "base"), prefix=str(tmp_path / "venv"), version=(3, 11))
    assert layout.python == python


def test_windows_osgeo4w_uses_the_apps_python_with_qgis_environment(tmp_path):
    root = tmp_path / "OSGeo4W"
    qgis = touch(root / "bin" / "qgis-bin.exe")
    python = touch(root / "apps" / "Python312" / "python.exe")
    environ = {"PATH": r"C:\Windows\system32", "GDAL_DATA": str(root / "apps" / "gdal" / "share" / "gdal"),
               "PROJ_LIB": str(root / "share" / "proj")}
    # inside QGIS, sys.base_prefix may be the apps folder or (standalone installers) something else
    layout = find_layout("win32", executable=qgis, base_prefix=str(tmp_path / "elsewhere"),
                         prefix=str(tmp_path / "elsewhere"), version=(3, 12), environ=environ)
    assert layout.python == python and layout.kind == "target"
    assert layout.env["PYTHONHOME"] == str(root / "apps" / "Python312")
    path = layout.env["PATH"].split(";")
    assert path[:2] == [str(root / "bin"), str(root / "apps" / "Python312")] and r"C:\Windows\system32" in path
    assert layout.env["GDAL_DATA"] == environ["GDAL_DATA"]
    assert layout.env["PROJ_DATA"] == environ["PROJ_LIB"]  # the older name, as OSGeo4W still sets it
    assert layout.env["USE_PATH_FOR_GDAL_PYTHON"] == "YES"


def test_windows_standalone_finds_python_from_base_prefix(tmp_path):
    root = tmp_path / "QGIS 3.40.6"
    qgis = touch(root / "bin" / "qgis-bin.exe")
    python = touch(root / "apps" / "Python312" / "python.exe")
    layout = find_layout("win32", executable=qgis, base_prefix=str(root / "apps" / "Python312"),
                         prefix=str(root / "apps" / "Python312"), version=(3, 12), environ={})
    assert layout.python == python
    assert layout.env["GDAL_DATA"] == str(root / "apps" / "gdal" / "share" / "gdal")
    assert layout.env["PROJ_DATA"] == str(root / "share" / "proj")


def test_macos_app_bundle_python_beside_the_qgis_binary(tmp_path):
    macos = tmp_path / "QGIS-LTR.app" / "Contents" / "MacOS"
    qgis = touch(macos / "QGIS")
    python = touch(macos / "bin" / "python3.12")
    layout = find_layout("darwin", executable=qgis, base_prefix=str(tmp_path / "QGIS-LTR.app" / "Contents" /
                                                                    "Frameworks" / "Python.framework"),
                         prefix="", version=(3, 12), environ={})
    assert (layout.python, layout.kind) == (python, "target")


def test_no_python_found_names_the_places_searched(tmp_path):
    with pytest.raises(LookupError) as info:
        find_layout("win32", executable=str(tmp_path / "bin" / "qgis-bin.exe"), base_prefix=str(tmp_path / "x"),
                    prefix="", version=(3, 12), environ={})
    assert str(tmp_path / "apps" / "Python312" / "python.exe") in str(info.value)


def test_target_layout_resolves_against_qgis_packages_then_installs_exactly_that(tmp_path):
    """--target alone would ignore QGIS's NumPy and bring NumPy 2 over it: the dry run resolves
    against QGIS's own packages, and only what it lists is installed, without dependencies."""
    root = tmp_path / "OSGeo4W"
    python = touch(root / "apps" / "Python312" / "python.exe")
    layout = find_layout("win32", executable=touch(root / "bin" / "qgis-bin.exe"), base_prefix=str(root / "apps" /
                         "Python312"), prefix="", version=(3, 12), environ={})
    env_dir = str(tmp_path / "profile" / "digisat" / "python")
    report = str(tmp_path / "resolved.json")
    requirements = requirements_for(platform="win32")
    (dry_run,) = install_commands(layout, env_dir, requirements, report)
    assert dry_run[:5] == [python, "-m", "pip", "install", "--disable-pip-version-check"]
    assert "--dry-run" in dry_run and dry_run[dry_run.index("--report") + 1] == report
    assert dry_run[-len(requirements):] == requirements
    # what pip's report says to install (NumPy is QGIS's own, so not in it)
    with open(report, "w") as fh:
        json.dump({"install": [{"metadata": {"name": "onnxruntime", "version": "1.19.2"}},
                               {"metadata": {"name": "pystac-client", "version": "0.8.6"}}]}, fh)
    install = layouts.target_install(layout, env_dir, report)
    assert install[install.index("--target") + 1] == env_dir and "--no-deps" in install
    assert install[-2:] == ["onnxruntime==1.19.2", "pystac-client==0.8.6"]
    # after the install, the marker makes QGIS's Python with the folder on PYTHONPATH the worker's
    os.makedirs(env_dir)
    layouts.write_marker(layout, env_dir)
    worker = environment_python(env_dir, "win32")
    assert worker == python and worker.env["PYTHONPATH"] == env_dir
    assert worker.env["PYTHONHOME"] == str(root / "apps" / "Python312")
    child = child_env(worker, {"PYTHONPATH": "/somewhere", "KEEP": "1"})
    assert child["PYTHONPATH"] == os.pathsep.join([env_dir, "/somewhere"]) and child["KEEP"] == "1"


def test_gpu_requirements_swap_in_the_platforms_onnxruntime_build():
    cpu = requirements_for()
    assert [r for r in cpu if r.startswith("onnxruntime")] == ["onnxruntime==1.19.2"]
    assert not [r for r in cpu if r.split("=")[0] in ("tensorflow", "tensorflow-cpu", "keras", "h5py", "numpy")]
    linux = requirements_for(gpu=True, platform="linux")
    windows = requirements_for(gpu=True, platform="win32")
    assert "onnxruntime-gpu==1.19.2" in linux and "onnxruntime==1.19.2" not in linux
    assert "onnxruntime-directml==1.19.2" in windows
    assert requirements_for(gpu=True, platform="darwin") == cpu  # CoreML is in the macOS wheel itself
    assert [r for r in linux if not r.startswith("onnxruntime")] == [r for r in cpu if not r.startswith("onnxruntime")]


def test_interpreter_is_a_plain_path_to_everything_else():
    python = Interpreter("/x/python", {"PYTHONPATH": "/env"})
    assert python == "/x/python" and hash(python) == hash("/x/python") and python.env == {"PYTHONPATH": "/env"}
    assert child_env("/usr/bin/python3", {"A": "1"}) == {"A": "1"}  # a plain str needs nothing


def test_a_failed_install_gives_the_commands_to_run_by_hand(tmp_path):
    from digisat_plugin.toolbelt.dependencies import manual_commands

    linux = layouts.Layout("linux", "/usr/bin/python3.11", "venv")
    assert manual_commands("/p/digisat/python", ["onnxruntime==1.19.2"], linux) == (
        "/usr/bin/python3.11 -m venv --system-site-packages /p/digisat/python && "
        "/p/digisat/python/bin/python -m pip install --disable-pip-version-check onnxruntime==1.19.2")
    windows = layouts.Layout("win32", "C:/OSGeo4W/apps/Python312/python.exe", "target")
    by_hand = manual_commands("C:/p/digisat/python", ["onnxruntime==1.19.2"], windows)
    assert "--dry-run" in by_hand and "--report C:/p/digisat/python/resolved.json" in by_hand
    assert "-m pip install --no-deps --target C:/p/digisat/python" in by_hand
