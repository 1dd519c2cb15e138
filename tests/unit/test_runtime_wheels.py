"""Every pinned line of requirements/runtime.txt has a binary wheel for the Pythons of the QGIS
builds users run: Windows (OSGeo4W and standalone: Python 3.12), macOS (Apple silicon and Intel,
Python 3.11 and 3.12) and Linux (manylinux, 3.11); and the GPU builds the installer swaps in exist
for their platform. Asks the package registry (`pip download`, no install), as `make setup` does.

macOS: onnxruntime's wheels for Intel Macs are universal2 builds for macOS 11 and later (none for
10.15 since onnxruntime 1.17), so the Intel tag checked is macosx_11_0_x86_64.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from digisat_plugin.toolbelt.dependencies import requirements_for

TARGETS = [("win_amd64", "3.12"), ("macosx_11_0_arm64", "3.11"), ("macosx_11_0_arm64", "3.12"),
           ("macosx_11_0_x86_64", "3.11"), ("macosx_11_0_x86_64", "3.12"), ("manylinux_2_28_x86_64", "3.11")]
GPU_TARGETS = [("linux", "manylinux_2_28_x86_64", "3.11"), ("win32", "win_amd64", "3.12")]


def download(requirements, platform: str, python: str, dest) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps",
                           "--only-binary=:all:", "--platform", platform, "--python-version", python, "-d", str(dest),
                           *requirements], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("platform,python", TARGETS)
def test_runtime_requirements_have_wheels(platform, python, tmp_path):
    requirements = requirements_for()
    done = download(requirements, platform, python, tmp_path)
    assert done.returncode == 0, done.stderr[-1500:]
    wheels = sorted(p.name for p in tmp_path.iterdir())
    assert len(wheels) == len(requirements) and all(w.endswith(".whl") for w in wheels)
    names = {w.split("-")[0].lower().replace("_", "-"): w.split("-")[1] for w in wheels}
    assert names == {r.split("==")[0].lower(): r.split("==")[1] for r in requirements}


@pytest.mark.parametrize("system,platform,python", GPU_TARGETS)
def test_gpu_builds_exist_for_their_platform(system, platform, python, tmp_path):
    gpu = [r for r in requirements_for(gpu=True, platform=system) if r.startswith("onnxruntime")]
    done = download(gpu, platform, python, tmp_path)
    assert done.returncode == 0, done.stderr[-1500:]
    assert len(list(tmp_path.iterdir())) == 1
