"""A QgsTask that runs one core function with a core `Progress` and reports in plain signals.

`Progress(callback, is_cancelled)` maps to `setProgress` / `isCanceled`; a `DigisatError` is kept
as its one-line message (the CLI's text), any other exception as "unexpected error: ..." with the
traceback for the log. `finished()` (main thread) emits exactly one of `succeeded(result)`,
`failed(message)` or `cancelled()`.
"""

from __future__ import annotations

import traceback

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..core.errors import Cancelled, DigisatError
from ..core.progress import Progress


class DigisatTask(QgsTask):
    stepChanged = pyqtSignal(float, str)  # percent, current step (queued to the main thread)
    succeeded = pyqtSignal(object)
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()

    def __init__(self, description: str):
        super().__init__(description, QgsTask.CanCancel)
        self.result = None
        self.error = ""
        self.details = ""  # traceback of an unexpected exception
        self.step = ""

    def work(self, progress: Progress):  # pragma: no cover - subclasses implement
        raise NotImplementedError

    def cleanup(self) -> None:
        """Remove partial outputs after a cancel or a failure (subclasses that write files)."""

    def _report(self, fraction: float, message: str) -> None:
        self.step = message
        self.setProgress(100.0 * fraction)
        self.stepChanged.emit(100.0 * fraction, message)

    def run(self) -> bool:
        try:
            self.result = self.work(Progress(self._report, self.isCanceled))
        except Cancelled:
            self.cleanup()
            return False
        except DigisatError as exc:
            self.error = str(exc)
            self.cleanup()
            return False
        except Exception as exc:  # a bug: keep the traceback for the log
            self.error = f"unexpected error: {type(exc).__name__}: {exc}"
            self.details = traceback.format_exc()
            self.cleanup()
            return False
        if self.isCanceled():  # cancelled after the last progress check: leave nothing behind
            self.cleanup()
            return False
        return True

    def finished(self, ok: bool) -> None:
        if ok:
            self.succeeded.emit(self.result)
        elif self.isCanceled() and not self.error:
            self.cancelled.emit()
        else:
            self.failed.emit(self.error or "the task stopped without a message")
