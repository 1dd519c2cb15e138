"""Progress reporting and cancellation shared by the CLI, QGIS tasks and Processing.

Core functions take a `Progress`; front ends give it a callback (a progress bar, a
QgsTask.setProgress, a QgsProcessingFeedback) and a cancel test (task.isCanceled, ...).
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import Cancelled


class Progress:
    def __init__(self, callback: Callable[[float, str], None] | None = None,
                 is_cancelled: Callable[[], bool] | None = None, start: float = 0.0, end: float = 1.0):
        self._callback = callback
        self._is_cancelled = is_cancelled
        self._start, self._end = start, end
        self.message = ""

    def update(self, fraction: float, message: str | None = None) -> None:
        """Report `fraction` (0..1) of this stage done; raise Cancelled if the user cancelled."""
        self.check()
        if message is not None:
            self.message = message
        if self._callback is not None:
            f = min(max(float(fraction), 0.0), 1.0)
            self._callback(self._start + (self._end - self._start) * f, self.message)

    def check(self) -> None:
        if self._is_cancelled is not None and self._is_cancelled():
            raise Cancelled()

    @property
    def cancelled(self) -> bool:
        return bool(self._is_cancelled and self._is_cancelled())

    def quiet(self) -> Progress:
        """A Progress that reports nothing but is cancelled with this one: for work in another
        thread (a front end's callback runs in the thread it belongs to)."""
        return Progress(None, self._is_cancelled)

    def stage(self, start: float, end: float) -> Progress:
        """A Progress for the part [start, end] of this one (fractions of this stage)."""
        span = self._end - self._start
        return Progress(self._callback, self._is_cancelled, self._start + span * start, self._start + span * end)


def as_progress(progress) -> Progress:
    return progress if isinstance(progress, Progress) else Progress()
