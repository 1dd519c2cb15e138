"""The packages the worker needs and the installer that builds the digisat environment for them.

One round for everything the plugin uses: `<QGIS's python> -m venv --system-site-packages <env>`,
then `<env python> -m pip install <all requirements>`, then a check that the modules are there.
The environment is outside the plugin folder (toolbelt/environment.py), so a plugin update keeps
it, and nothing needs a restart: the next run starts a fresh worker on it. A failure gives the
exact commands to run by hand.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from .environment import EnvironmentProblem, env_python, probe, qgis_python

# NumPy stays < 2 (Debian's osgeo.gdal_array does not import under numpy 2); the GPU build is the
# same TensorFlow version with CUDA libraries from PyPI.
CPU_REQUIREMENTS = ("numpy<2", "tensorflow-cpu==2.17.1", "keras==3.15.1", "pystac-client==0.8.6", "sentinelsat==1.2.1")
GPU_REQUIREMENTS = tuple("tensorflow[and-cuda]==2.17.1" if r.startswith("tensorflow-cpu") else r
                         for r in CPU_REQUIREMENTS)
# what each feature needs in the worker's Python (import names)
NEEDED = {"super-resolution": ("tensorflow", "keras", "numpy", "osgeo"), "STAC search": ("pystac_client",),
          "DHuS search": ("sentinelsat",)}
VERIFY = (("tensorflow", ("tensorflow-cpu", "tensorflow")), ("keras", ("keras",)), ("osgeo", ("GDAL",)),
          ("pystac_client", ("pystac-client",)), ("sentinelsat", ("sentinelsat",)))


def requirements_for(gpu: bool = False) -> tuple:
    return GPU_REQUIREMENTS if gpu else CPU_REQUIREMENTS


def venv_command(env_dir: str, base_python: str) -> list:
    return [base_python, "-m", "venv", "--system-site-packages", env_dir]


def pip_command(env_dir: str, requirements) -> list:
    return [env_python(env_dir), "-m", "pip", "install", "--disable-pip-version-check", *requirements]


def quoted(command) -> str:
    return " ".join(shlex.quote(part) for part in command)


def manual_commands(env_dir: str, requirements, base_python: str) -> str:
    return f"{quoted(venv_command(env_dir, base_python))} && {quoted(pip_command(env_dir, requirements))}"


def pip_fraction(line: str, collected: int) -> float | None:
    """Where pip is (0..1 of the pip step) from one line of its output; None: no news in it."""
    if line.startswith(("Collecting", "Processing", "Downloading", "Requirement already satisfied")):
        return 0.7 * (1.0 - 0.85 ** collected)  # the total is unknown until pip has resolved everything
    if line.startswith("Installing collected packages"):
        return 0.8
    if line.startswith("Successfully installed"):
        return 1.0
    return None


def make_install_task(env_dir: str, requirements=None, base_python: str | None = None, verify=VERIFY,
                      repair: bool = False):
    """A QgsTask building (or, repair=True, rebuilding) the environment; `task.error` holds one line
    with the commands to run by hand, `task.steps` the step texts it went through."""
    from qgis.core import QgsTask
    from qgis.PyQt.QtCore import pyqtSignal

    requirements = list(requirements or CPU_REQUIREMENTS)

    class InstallTask(QgsTask):
        stepChanged = pyqtSignal(str)

        def __init__(self):
            super().__init__("digisat: installing the Python environment", QgsTask.CanCancel)
            self.env_dir, self.requirements = env_dir, requirements
            self.base_python = ""
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
            with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
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
                self.base_python = base_python or qgis_python()
            except EnvironmentProblem as exc:
                self.error = str(exc)
                return False
            by_hand = manual_commands(env_dir, requirements, self.base_python)
            try:
                if repair and os.path.isdir(env_dir):
                    from .environment import remove_environment

                    self._step(1.0, "removing the old environment")
                    remove_environment(env_dir)
                if not os.path.isfile(env_python(env_dir)):
                    self._step(2.0, f"creating the environment in {env_dir}")
                    os.makedirs(os.path.dirname(env_dir), exist_ok=True)
                    rc = self._run(venv_command(env_dir, self.base_python), 2.0, 10.0)
                    if rc:
                        return False if rc < 0 else self._fail("creating the environment", by_hand)
                self._step(10.0, "installing " + ", ".join(requirements))
                rc = self._run(pip_command(env_dir, requirements), 10.0, 95.0)
                if rc:
                    return False if rc < 0 else self._fail("pip", by_hand)
                self._step(95.0, "checking the environment")
                self.info = probe(env_python(env_dir), verify)
            except (OSError, EnvironmentProblem) as exc:
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
