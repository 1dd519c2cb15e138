"""A DigisatTask whose work runs in the worker process (worker/client.py), never in QGIS's.

`resolve_python()` picks the worker's interpreter from the plugin settings and the digisat
environment under the profile folder (toolbelt/environment.py); Processing algorithms use it too.
"""

from __future__ import annotations

from qgis.core import QgsApplication

from ..toolbelt import log as logbook
from ..toolbelt.environment import default_profile_dir, environment_dir, worker_python
from ..toolbelt.settings import PluginSettings
from ..worker.client import run_job
from .base import DigisatTask


def env_dir() -> str:
    """<profile folder>/digisat/python: outside the plugin folder, so updates keep it."""
    return environment_dir(QgsApplication.qgisSettingsDirPath())


def resolve_python(settings: PluginSettings | None = None) -> str:
    """The setting, $DIGISAT_WORKER_PYTHON, this profile's environment, then the default profile's (what a
    standalone script or qgis_process finds: its own profile folder is not the desktop's)."""
    settings = settings or PluginSettings.load()
    return worker_python(settings.worker_python, env_dir(), [environment_dir(default_profile_dir())])


def keep_alive(settings: PluginSettings | None = None) -> float:
    return float(max((settings or PluginSettings.load()).worker_keep_alive, 0))


def worker_threads(settings: PluginSettings | None = None) -> int:
    return max((settings or PluginSettings.load()).worker_threads, 0)


class WorkerTask(DigisatTask):
    """Runs `job` with `args` in a worker; `decode(value)` turns its JSON answer into the result."""

    def __init__(self, description: str, job: str, args: dict, outputs=(), device: str = "auto"):
        super().__init__(description)
        self.job, self.args, self.outputs, self.device = job, args, list(outputs), device or "auto"

    def decode(self, value):
        return value

    def work(self, progress):
        settings = PluginSettings.load()  # read here, so a Python set in Settings counts without a restart
        value = run_job(self.job, self.args, resolve_python(settings), self.device, progress, log=logbook.log,
                        outputs=self.outputs, keep_alive=keep_alive(settings), threads=worker_threads(settings))
        return self.decode(value)
