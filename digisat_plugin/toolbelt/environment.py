"""Which Python the worker runs, and the digisat environment the installer builds for it.

The environment holds requirements/runtime.txt (ONNX Runtime, the catalogue clients) on top of
QGIS's own interpreter (so it sees QGIS's GDAL and NumPy), under the profile's data folder,
`<QgsApplication.qgisSettingsDirPath()>/digisat/python`: outside the plugin folder, so a plugin
update or reinstall keeps it. It is a venv on Linux and a `pip install --target` folder on
Windows and macOS (toolbelt/layouts.py says why). Its packages are only ever imported by the worker.

The worker's interpreter, first found wins: the advanced setting (an existing Python, e.g. a
repository's .venv or a CUDA environment), $DIGISAT_WORKER_PYTHON, the digisat environment.

No Qt here: the settings folder is passed in, so scripts can use it too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from ..core.errors import DigisatError
from .layouts import MARKER, Interpreter, child_env, environment_python, find_layout

ENV_SUBDIR = os.path.join("digisat", "python")
ENV_VAR = "DIGISAT_WORKER_PYTHON"
# Modules the worker needs, with the distribution whose version is shown.
MODULES = (("onnxruntime", ("onnxruntime", "onnxruntime-gpu", "onnxruntime-directml")), ("numpy", ("numpy",)),
           ("osgeo", ("GDAL",)), ("pystac_client", ("pystac-client",)), ("sentinelsat", ("sentinelsat",)))


# The one line every front end gives without a worker Python: a dock user, a Processing user and a standalone
# script or qgis_process (which has no dock to click) each find their way in it.
NO_ENVIRONMENT = ("digisat needs its Python environment (the networks and catalogue clients run there, not in "
                  "QGIS's Python): click 'Install packages' in the digisat dock, or set "
                  f"{ENV_VAR} or Settings > Worker Python to a Python that has the packages")


class EnvironmentProblem(DigisatError):
    """The worker has no usable Python; the message says what to do."""


def environment_dir(settings_dir: str) -> str:
    return os.path.join(settings_dir, ENV_SUBDIR)


def env_python(env_dir: str) -> Interpreter:
    """The interpreter that runs an environment folder (its venv's Python, or QGIS's with the
    folder on PYTHONPATH: toolbelt/layouts.py)."""
    return environment_python(env_dir)


def environment_exists(env_dir: str) -> bool:
    return os.path.isfile(os.path.join(env_dir, MARKER)) or os.path.isfile(env_python(env_dir))


def qgis_python() -> str:
    """QGIS's own interpreter, found from the running Python (never from PATH): toolbelt/layouts.py."""
    try:
        return find_layout().python
    except LookupError as exc:
        raise EnvironmentProblem(f"QGIS's Python was not found (looked for {exc}); set 'Worker Python' in Settings "
                                 "to an interpreter that has GDAL") from None


def default_profile_dir() -> str:
    """The folder of QGIS's 'default' profile, as the desktop names it.

    A standalone PyQGIS script or qgis_process has no application name, so its
    QgsApplication.qgisSettingsDirPath() is not the desktop's profile (seen: ~/.local/share/profiles/default);
    the environment that 'Install packages' built is found here instead."""
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or os.path.expanduser("~")
    elif sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "QGIS", "QGIS3", "profiles", "default")


def worker_python(custom: str = "", env_dir: str | None = None, more_dirs=()) -> str:
    """The interpreter the worker runs (see the module docstring); a one-line error when there is none.
    `more_dirs`: environments looked at after `env_dir` (the default profile's, for standalone scripts)."""
    custom = (custom or "").strip()
    if custom:
        if not (os.path.isfile(custom) and os.access(custom, os.X_OK)):
            raise EnvironmentProblem(f"worker Python {custom}: not an executable file (Settings, Worker Python)")
        return custom
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return from_env
    for folder in (env_dir, *more_dirs):
        if folder and environment_exists(folder):
            return env_python(folder)
    raise EnvironmentProblem(NO_ENVIRONMENT)


PROBE = r"""
import importlib.metadata as md, importlib.util as iu, json, sys
mods = json.loads(sys.argv[1])
out = {"python": sys.executable, "version": sys.version.split()[0], "prefix": sys.prefix, "modules": {}}
for module, dists in mods:
    found = None
    try:
        found = iu.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    version = None
    for dist in dists:
        try:
            version = md.version(dist)
            break
        except md.PackageNotFoundError:
            pass
    out["modules"][module] = (version or "?") if found else None
print(json.dumps(out))
"""


def probe(python: str, modules=MODULES, timeout: float = 60.0) -> dict:
    """{'python', 'version', 'prefix', 'modules': {module: version or None}} of an interpreter, found
    without importing anything heavy (find_spec and package metadata only)."""
    try:
        done = subprocess.run([python, "-c", PROBE, json.dumps([list(m) for m in modules])], capture_output=True, text=True,
                              timeout=timeout, env=child_env(python, os.environ))
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnvironmentProblem(f"worker Python {python}: cannot run it ({getattr(exc, 'strerror', None) or exc})"
                                ) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EnvironmentProblem(f"worker Python {python}: fails to start ({last})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def missing_modules(info: dict, needed) -> list:
    return [m for m in needed if not info["modules"].get(m)]


def folder_size(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def remove_environment(env_dir: str) -> None:
    """Delete the digisat environment (the worker must be stopped first: client.shutdown)."""
    if os.path.basename(os.path.normpath(env_dir)) != "python" or not (
            os.path.isfile(os.path.join(env_dir, "pyvenv.cfg")) or os.path.isfile(os.path.join(env_dir, MARKER))):
        raise EnvironmentProblem(f"{env_dir}: not a digisat environment, left alone")
    shutil.rmtree(env_dir)
