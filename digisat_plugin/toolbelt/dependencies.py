"""The packages the worker needs and the installer that builds the digisat environment for them.

The list is requirements/runtime.txt, exactly (in the plugin zip: digisat_plugin/requirements/):
ONNX Runtime and the catalogue clients, tens of MB. One round for everything: the environment
(a venv on Linux, `pip install --target` on Windows and macOS: toolbelt/layouts.py), the
requirements, then a check that the modules are there. The environment is outside the plugin folder
(toolbelt/environment.py), so a plugin update keeps it, and nothing needs a restart: the next run
starts a fresh worker on it. A failure gives the exact commands to run by hand.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from ..core.sr.session import GPU_PACKAGE
from .environment import MODULES, EnvironmentProblem, env_python, probe
from .layouts import Interpreter, child_env, find_layout, install_commands, target_install, write_marker

RUNTIME_FILE = os.path.join("requirements", "runtime.txt")
# what each feature needs in the worker's Python (import names)
NEEDED = {"super-resolution": ("onnxruntime", "numpy", "osgeo"), "STAC search": ("pystac_client",),
          "DHuS search": ("sentinelsat",)}
# checked after an install: what the worker needs (environment.MODULES) but NumPy, which is QGIS's own
VERIFY = tuple(module for module in MODULES if module[0] != "numpy")


def runtime_file() -> str:
    """requirements/runtime.txt in the plugin folder (zip) or beside the package (checkout)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for root in (package, os.path.dirname(package)):
        path = os.path.join(root, RUNTIME_FILE)
        if os.path.isfile(path):
            return path
    raise EnvironmentProblem(f"{os.path.join(package, RUNTIME_FILE)}: the list of packages to install is missing "
                             "(reinstall the plugin)")


def read_requirements(path: str) -> list:
    """The requirement lines of a requirements file (comments and blank lines dropped)."""
    with open(path, encoding="utf-8") as fh:
        return [line.split("#", 1)[0].strip() for line in fh if line.split("#", 1)[0].strip()]


def requirements_for(gpu: bool = False, platform: str = sys.platform, path: str | None = None) -> list:
    """runtime.txt's lines; for a GPU, ONNX Runtime's GPU build of the same version in its place
    (onnxruntime-gpu on Linux, onnxruntime-directml on Windows; macOS's own wheel has CoreML)."""
    lines = read_requirements(path or runtime_file())
    package = GPU_PACKAGE.get(platform, "onnxruntime-gpu")
    if not gpu or package == "onnxruntime":
        return lines
    return [package + line[len("onnxruntime"):] if line.split("=")[0].strip() == "onnxruntime" else line
            for line in lines]


def quoted(command) -> str:
    return " ".join(shlex.quote(part) for part in command)


def manual_commands(env_dir: str, requirements, layout) -> str:
    commands = " && ".join(quoted(c) for c in install_commands(layout, env_dir, requirements))
    if layout.kind == "target":  # the second step installs what the first one's report lists
        commands += (f" && {quoted([layout.python, '-m', 'pip', 'install', '--no-deps', '--target', env_dir])} "
                     "<each name==version under \"install\" in that report>")
    return commands


def pip_fraction(line: str, collected: int) -> float | None:
    """Where pip is (0..1 of the pip step) from one line of its output; None: no news in it."""
    if line.startswith(("Collecting", "Processing", "Downloading", "Requirement already satisfied")):
        return 0.7 * (1.0 - 0.85 ** collected)  # the total is unknown until pip has resolved everything
    if line.startswith("Installing collected packages"):
        return 0.8
    if line.startswith("Successfully installed"):
        return 1.0
    return None


def make_install_task(env_dir: str, requirements=None, layout=None, verify=VERIFY, repair: bool = False):
    """A QgsTask building (or, repair=True, rebuilding) the environment; `task.error` holds one line
    with the commands to run by hand, `task.steps` the step texts it went through."""
    from qgis.core import QgsTask
    from qgis.PyQt.QtCore import pyqtSignal

    requirements = list(requirements or requirements_for())

    class InstallTask(QgsTask):
        stepChanged = pyqtSignal(str)

        def __init__(self):
            super().__init__("digisat: installing the Python environment", QgsTask.Flag.CanCancel)
            self.env_dir, self.requirements = env_dir, requirements
            self.layout = layout
            self.output: list = []
            self.steps: list = []
            self.error = ""
            self.info = None

        def _step(self, percent: float, text: str):
            self.steps.append(text)
            self.setProgress(percent)
            self.stepChanged.emit(text)

        def _run(self, command, start: float, end: float) -> int:
            # `with`: the pipe is closed and the process reaped whatever happens (an open pipe was a
            # ResourceWarning with a traceback in QGIS's Python warning log)
            env = child_env(Interpreter(self.layout.python, self.layout.env), os.environ)
            with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  env=env) as proc:
                return self._follow(proc, start, end)

        def _follow(self, proc, start: float, end: float) -> int:
            collected = 0
            for line in proc.stdout:
                line = line.rstrip()
                self.output.append(line)
                if line.startswith(("Collecting", "Processing")):  # a requirement, or a local wheel
                    collected += 1
                    self._step(self.progress(), "downloading " + os.path.basename(line.split()[1]))
                fraction = pip_fraction(line, collected)
                if fraction is not None:
                    self.setProgress(max(self.progress(), start + (end - start) * fraction))
                if self.isCanceled():
                    proc.terminate()
                    proc.wait()
                    return -1
            return proc.wait()

        def _fail(self, what: str, by_hand: str) -> bool:
            last = next((line for line in reversed(self.output) if line.strip()), "no output")
            self.error = f"{what} failed ({' '.join(last.split())[:200]}); run by hand: {by_hand}"
            return False

        def run(self) -> bool:
            try:
                self.layout = self.layout or find_layout()
            except LookupError as exc:
                self.error = f"QGIS's Python was not found (looked for {exc}); set 'Worker Python' in Settings"
                return False
            by_hand = manual_commands(env_dir, requirements, self.layout)
            try:
                if repair and os.path.isdir(env_dir):
                    from .environment import remove_environment

                    self._step(1.0, "removing the old environment")
                    remove_environment(env_dir)
                os.makedirs(os.path.dirname(env_dir), exist_ok=True)
                report = os.path.join(env_dir, "resolved.json")  # the target layout's dry run writes it
                commands = install_commands(self.layout, env_dir, requirements, report)
                if self.layout.kind == "venv" and not os.path.isfile(env_python(env_dir)):
                    self._step(2.0, f"creating the environment in {env_dir}")
                    rc = self._run(commands[0], 2.0, 10.0)
                    if rc:
                        return False if rc < 0 else self._fail("creating the environment", by_hand)
                self._step(10.0, "installing " + ", ".join(requirements))
                if self.layout.kind == "target":
                    os.makedirs(env_dir, exist_ok=True)
                    rc = self._run(commands[0], 10.0, 30.0)  # resolved against QGIS's own packages
                    if not rc:
                        rc = self._run(target_install(self.layout, env_dir, report), 30.0, 95.0)
                    if not rc:
                        write_marker(self.layout, env_dir)
                else:
                    rc = self._run(commands[-1], 10.0, 95.0)
                if rc:
                    return False if rc < 0 else self._fail("pip", by_hand)
                self._step(95.0, "checking the environment")
                self.info = probe(env_python(env_dir), verify)
            except (OSError, ValueError, EnvironmentProblem) as exc:
                where = getattr(exc, "filename", None) or env_dir
                self.error = f"cannot install into {where} ({getattr(exc, 'strerror', None) or exc}); " \
                             f"run by hand: {by_hand}"
                return False
            missing = [m for m, _ in verify if not self.info["modules"].get(m)]
            if missing:
                self.error = f"installed, but {', '.join(missing)} cannot be found; run by hand: {by_hand}"
                return False
            from ..worker.client import shutdown

            shutdown(env_python(env_dir))  # a worker kept from before the install would not see it
            self._step(100.0, "installed")
            return True

    return InstallTask()
