"""Where QGIS's own Python is on each platform, and how the digisat environment is built beside it.

The worker runs QGIS's interpreter (so GDAL and NumPy are QGIS's own) with the packages of
requirements/runtime.txt on top, installed in the profile's `digisat/python` folder:
- Linux: QGIS runs the system Python; sys.executable is the qgis binary and the interpreter is
  <sys.base_prefix>/bin/python3.X. The environment is a venv with --system-site-packages.
- Windows (OSGeo4W and the standalone installer): sys.executable is qgis-bin.exe in <root>/bin; the
  interpreter is <root>/apps/Python3XY/python.exe (also sys.base_prefix) and needs QGIS's
  environment (PATH with <root>/bin for GDAL's DLLs, PYTHONHOME, GDAL_DATA, PROJ_DATA), which a
  venv's launcher does not keep reliably. The environment is `pip install --target` into the
  folder, put first on PYTHONPATH for the worker.
- macOS (QGIS.app): sys.executable is QGIS.app/Contents/MacOS/QGIS; the interpreter is beside it in
  Contents/MacOS/bin/python3.X (or the bundled framework's bin/). A venv of a Python inside an
  app bundle breaks when the bundle moves or updates, so the environment is `--target` there too.

`pip install --target` ignores what the interpreter already has, so it would bring a second NumPy
(2.x) over QGIS's and break GDAL; the target layout therefore resolves first against QGIS's own
packages (`pip install --dry-run --report`) and installs exactly that list with --no-deps.
Pure Python, no Qt: the tests build each layout's folder tree and check the commands.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field

MARKER = "digisat-env.json"  # in a --target environment: the interpreter and variables the worker needs


class Interpreter(str):
    """A Python's path (a str, so it keys the worker pool and prints as one) with the environment
    variables it needs set on top of the parent's to run the worker (empty for a venv)."""

    env: dict

    def __new__(cls, path: str, env: dict | None = None):
        obj = super().__new__(cls, path)
        obj.env = dict(env or {})
        return obj


@dataclass
class Layout:
    platform: str  # "linux", "win32", "darwin"
    python: str  # QGIS's interpreter
    kind: str  # "venv" or "target"
    env: dict = field(default_factory=dict)  # variables QGIS's interpreter needs in a child process


def find_layout(platform: str = sys.platform, executable: str = sys.executable, base_prefix: str = sys.base_prefix,
                prefix: str = sys.prefix, version=sys.version_info[:2], environ=None) -> Layout:
    """QGIS's interpreter and the environment kind for this platform (arguments: for the tests).
    Raises LookupError with the places searched when there is none."""
    environ = os.environ if environ is None else environ
    major, minor = version
    if platform == "win32":
        root = os.path.dirname(os.path.dirname(executable))  # <root>/bin/qgis-bin.exe
        candidates = [os.path.join(base_prefix, "python.exe"),
                      os.path.join(root, "apps", f"Python{major}{minor}", "python.exe")]
        python = _first_file(candidates)
        home = os.path.dirname(python)
        path = [os.path.join(root, "bin"), home] + environ.get("PATH", "").split(";")
        env = {"PYTHONHOME": environ.get("PYTHONHOME") or home,
               "PATH": ";".join(p for p in dict.fromkeys(path) if p),
               "USE_PATH_FOR_GDAL_PYTHON": "YES"}  # osgeo/__init__.py adds PATH's folders for GDAL's DLLs
        for name, default in (("GDAL_DATA", os.path.join(root, "apps", "gdal", "share", "gdal")),
                              ("PROJ_DATA", os.path.join(root, "share", "proj"))):
            env[name] = environ.get(name) or environ.get("PROJ_LIB" if name == "PROJ_DATA" else name) or default
        return Layout(platform, python, "target", env)
    if platform == "darwin":
        macos = os.path.dirname(executable)  # QGIS.app/Contents/MacOS
        candidates = [os.path.join(d, n) for d in (os.path.join(macos, "bin"), os.path.join(base_prefix, "bin"))
                      for n in (f"python{major}.{minor}", "python3")]
        return Layout(platform, _first_file(candidates), "target", {})
    # Linux and other POSIX: a real interpreter of the same base installation is fine as it is; inside
    # QGIS sys.executable can be the first python3 on PATH (seen: a pyenv shim), so it must lie in base_prefix
    base = os.path.realpath(base_prefix)
    if os.path.basename(executable).startswith("python") and os.path.realpath(prefix) == base \
            and os.path.realpath(executable).startswith(base.rstrip(os.sep) + os.sep):
        return Layout(platform, executable, "venv")
    candidates = [os.path.join(base_prefix, "bin", n) for n in (f"python{major}.{minor}", "python3")]
    return Layout(platform, _first_file(candidates), "venv")


def _first_file(candidates) -> str:
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise LookupError(", ".join(candidates))


def venv_python(env_dir: str, platform: str = sys.platform) -> str:
    """The interpreter inside a venv folder (bin/python; Scripts\\python.exe on Windows)."""
    if platform == "win32":
        return os.path.join(env_dir, "Scripts", "python.exe")
    return os.path.join(env_dir, "bin", "python")


def environment_python(env_dir: str, platform: str = sys.platform) -> Interpreter:
    """The worker's interpreter for an environment folder: its venv's Python, or for a --target
    folder QGIS's Python as its marker records, with PYTHONPATH (and the platform's variables)."""
    marker = os.path.join(env_dir, MARKER)
    if os.path.isfile(marker):
        try:
            with open(marker, encoding="utf-8") as fh:
                record = json.load(fh)
            env = dict(record.get("env", {}), PYTHONPATH=env_dir)
            return Interpreter(record["python"], env)
        except (OSError, ValueError, KeyError):
            pass  # a damaged marker: as if not installed (the installer's repair rewrites it)
    return Interpreter(venv_python(env_dir, platform))


def install_commands(layout: Layout, env_dir: str, requirements, report_path: str = "") -> list:
    """The commands that build the environment, in order (the last installs the requirements).
    A target layout's second command is completed from the first one's report: `target_install`."""
    pip = ["-m", "pip", "install", "--disable-pip-version-check"]
    if layout.kind == "venv":
        return [[layout.python, "-m", "venv", "--system-site-packages", env_dir],
                [venv_python(env_dir, layout.platform), *pip, *requirements]]
    report_path = report_path or os.path.join(env_dir, "resolved.json")
    return [[layout.python, *pip, "--dry-run", "--quiet", "--report", report_path, *requirements]]


def target_install(layout: Layout, env_dir: str, report_path: str) -> list:
    """`pip install --target` of exactly what the dry run resolved against QGIS's own packages."""
    with open(report_path, encoding="utf-8") as fh:
        report = json.load(fh)
    pins = [f"{item['metadata']['name']}=={item['metadata']['version']}" for item in report.get("install", [])]
    return [layout.python, "-m", "pip", "install", "--disable-pip-version-check", "--no-deps", "--upgrade",
            "--target", env_dir, *pins]


def write_marker(layout: Layout, env_dir: str) -> None:
    """Record, in a --target environment, which interpreter and variables run it (atomically)."""
    path = os.path.join(env_dir, MARKER)
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        json.dump({"python": layout.python, "env": layout.env, "platform": layout.platform}, fh, indent=1)
    os.replace(path + ".tmp", path)


def child_env(python: str, base: dict) -> dict:
    """`base` (the parent's environment) with what `python` needs on top; PYTHONPATH entries are
    put first and the parent's kept after them."""
    out = dict(base)
    for name, value in getattr(python, "env", {}).items():
        if name == "PYTHONPATH" and out.get(name):
            value = os.pathsep.join([value, out[name]])
        out[name] = value
    return out
