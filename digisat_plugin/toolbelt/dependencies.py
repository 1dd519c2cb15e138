"""Optional Python packages the plugin needs, found without importing them, and an installer.

QGIS's Python is often externally managed (PEP 668) or read-only, so missing packages are
installed with `python -m pip install --target <plugin folder>/python_packages` and that
folder is put on sys.path when the plugin loads. pip's failures are the most common problem
of ML plugins: on failure the user gets the exact command to run by hand.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENDOR_DIR = os.path.join(PLUGIN_DIR, "python_packages")


@dataclass(frozen=True)
class Dependency:
    module: str  # import name, looked up with importlib.util.find_spec (no import)
    requirement: str  # pip requirement
    needed_for: str


DEPENDENCIES = (
    Dependency("tensorflow", "tensorflow-cpu==2.17.1", "super-resolution"),
    Dependency("keras", "keras==3.15.1", "super-resolution"),
    Dependency("pystac_client", "pystac-client==0.8.6", "STAC search"),
    Dependency("sentinelsat", "sentinelsat==1.2.1", "DHuS search"),
)


def add_vendor_path() -> None:
    """Put the plugin's own package folder on sys.path (after the system's, which take precedence)."""
    if os.path.isdir(VENDOR_DIR) and VENDOR_DIR not in sys.path:
        sys.path.append(VENDOR_DIR)


def is_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_dependencies(needed_for: str | None = None) -> list:
    return [d for d in DEPENDENCIES if (needed_for is None or d.needed_for == needed_for) and not is_available(d.module)]


def python_executable() -> str:
    """The Python interpreter behind QGIS (sys.executable is the qgis binary on some platforms)."""
    exe = sys.executable or ""
    if os.path.basename(exe).lower().startswith("python"):
        return exe
    for candidate in (os.path.join(sys.prefix, "bin", "python3"), os.path.join(sys.prefix, "python.exe")):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("python3") or "python3"


def install_command(requirements, target: str = VENDOR_DIR, python: str | None = None) -> list:
    return [python or python_executable(), "-m", "pip", "install", "--upgrade", "--target", target, *requirements]


def manual_command(requirements, target: str = VENDOR_DIR, python: str | None = None) -> str:
    return " ".join(shlex.quote(part) for part in install_command(requirements, target, python))


def make_install_task(requirements, target: str = VENDOR_DIR, python: str | None = None):
    """A QgsTask running pip; `task.error` holds the message with the manual command on failure."""
    from qgis.core import QgsTask

    class InstallTask(QgsTask):
        def __init__(self):
            super().__init__("digisat: installing " + ", ".join(requirements), QgsTask.CanCancel)
            self.command = install_command(requirements, target, python)
            self.output = []
            self.error = ""

        def run(self) -> bool:
            steps = max(len(requirements) * 3, 1)  # collecting, downloading, installing per package
            done = 0
            try:  # a read-only plugin folder or a missing Python: a message, not a traceback
                os.makedirs(target, exist_ok=True)
                proc = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            except OSError as exc:
                where = exc.filename or "pip"
                self.error = (f"cannot start pip ({where}: {exc.strerror}); "
                              f"install by hand: {manual_command(requirements, target, python)}")
                return False
            for line in proc.stdout:
                self.output.append(line.rstrip())
                if line.startswith(("Collecting", "Downloading", "Installing collected", "Successfully")):
                    done += 1
                    self.setProgress(min(99.0, 100.0 * done / steps))
                if self.isCanceled():
                    proc.terminate()
                    proc.wait()
                    return False
            if proc.wait() != 0:
                last = next((line for line in reversed(self.output) if line.strip()), "no output")
                self.error = f"pip failed ({last}); install by hand: {manual_command(requirements, target, python)}"
                return False
            add_vendor_path()
            self.setProgress(100.0)
            return True

    return InstallTask()


def load_h5py_isolated() -> bool:
    """Import a pip-installed h5py so that it keeps to its own HDF5 library.

    h5py wheels bundle their HDF5 (h5py.libs/). In the QGIS process GDAL's system HDF5 is already
    loaded into the global symbol namespace, and the wheel's copy would bind to it: Keras then
    fails on the first .h5 file with "ValueError: Not a datatype". RTLD_DEEPBIND makes the bundled
    library resolve its own symbols first. Called on the main thread when the plugin loads, before
    anything imports TensorFlow/Keras; returns True when h5py was imported this way.
    """
    if "h5py" in sys.modules or not sys.platform.startswith("linux") or not hasattr(os, "RTLD_DEEPBIND"):
        return False
    try:
        spec = importlib.util.find_spec("h5py")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.origin:
        return False
    bundled = os.path.join(os.path.dirname(os.path.dirname(spec.origin)), "h5py.libs")
    if not os.path.isdir(bundled):  # a distribution build linked to the system HDF5: nothing to isolate
        return False
    flags = sys.getdlopenflags()
    sys.setdlopenflags(flags | os.RTLD_DEEPBIND)
    try:
        import h5py  # noqa: F401
    except ImportError:
        return False
    finally:
        sys.setdlopenflags(flags)
    return True
