"""A QgsTask that runs one core function with a core `Progress` and reports in plain signals.

`Progress(callback, is_cancelled)` maps to `setProgress` / `isCanceled`; a `DigisatError` is kept
as its one-line message (the CLI's text), any other exception as "unexpected error: ..." with the
traceback for the log. `finished()` (main thread) emits exactly one of `succeeded(result)`,
`failed(message)` or `cancelled()`.

`start(task)` hands any QgsTask to QGIS's task manager and keeps a Python reference to it until
it ends (a task collected mid-run kills QGIS), whatever happens to the widget that started it.
"""

from __future__ import annotations

import os
import traceback

from qgis.core import QgsApplication, QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..core.errors import Cancelled, DigisatError
from ..core.progress import Progress

# Every task started here until QGIS reports its end, whatever happens to the dock or chain that
# started it (the plugin may be unloaded while a task still runs).
RUNNING: set = set()


def start(task: QgsTask, manager=None) -> QgsTask:
    """Add `task` to the task manager, referenced in RUNNING until it completes or terminates."""
    RUNNING.add(task)
    for end in (task.taskCompleted, task.taskTerminated):
        end.connect(lambda t=task: RUNNING.discard(t))
    (manager or QgsApplication.taskManager()).addTask(task)
    return task


def remove_files(*paths) -> None:
    for path in paths:
        if path and os.path.exists(path):
            os.remove(path)


class DigisatTask(QgsTask):
    stepChanged = pyqtSignal(float, str)  # percent, current step (queued to the main thread)
    succeeded = pyqtSignal(object)
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()

    def __init__(self, description: str):
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.result = None
        self.error = ""
        self.details = ""  # traceback of an unexpected exception
        self.step = ""
        self._cleaned = False

    def work(self, progress: Progress):  # pragma: no cover - subclasses implement
        raise NotImplementedError

    def cleanup(self) -> None:
        """Remove partial outputs after a cancel or a failure (subclasses that write files)."""

    def _cleanup_once(self) -> None:
        if not self._cleaned:
            self._cleaned = True
            self.cleanup()

    def _report(self, fraction: float, message: str) -> None:
        self.step = message
        self.setProgress(100.0 * fraction)
        self.stepChanged.emit(100.0 * fraction, message)

    def run(self) -> bool:
        try:
            self.result = self.work(Progress(self._report, self.isCanceled))
        except Cancelled:
            self._cleanup_once()
            return False
        except DigisatError as exc:
            self.error = str(exc)
            self.details = getattr(exc, "details", "")  # a bug in the worker: its traceback, for the log
            self._cleanup_once()
            return False
        except Exception as exc:  # a bug: keep the traceback for the log
            self.error = f"unexpected error: {type(exc).__name__}: {exc}"
            self.details = traceback.format_exc()
            self._cleanup_once()
            return False
        if self.isCanceled():  # cancelled after the last progress check: leave nothing behind
            self._cleanup_once()
            return False
        return True

    def finished(self, ok: bool) -> None:
        if not ok:  # a task cancelled while still queued never ran run(): clean up here
            self._cleanup_once()
        if ok:
            self.succeeded.emit(self.result)
        elif self.isCanceled() and not self.error:
            self.cancelled.emit()
        else:
            self.failed.emit(self.error or "the task stopped without a message")
