"""Run tasks one after another, each made from the previous one's result (fetch -> super-resolve).

Each task is started with `base.start`, which keeps a Python reference to it until QGIS is done
with it (a task collected mid-run kills QGIS); the chain reports overall progress, the current
step, and one final outcome signal. A cancel between two steps removes the finished step's outputs.
"""

from __future__ import annotations

from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, pyqtSignal

from .base import start


class TaskChain(QObject):
    progressChanged = pyqtSignal(float, str)  # overall percent, current step
    succeeded = pyqtSignal(object)  # the last task's result
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()

    def __init__(self, factories, task_manager=None, parent=None):
        """factories: callables taking the previous result (None for the first) and returning a DigisatTask."""
        super().__init__(parent)
        self.factories = list(factories)
        self.manager = task_manager
        self.tasks: list = []
        self.current = None
        self.running = False
        self._cancel_requested = False

    def start(self):
        self.running = True
        self._start(0, None)

    def _start(self, index, previous):
        if self._cancel_requested:  # between two steps: the finished step's outputs go too
            if self.tasks:
                self.tasks[-1].cleanup()
            self._end("cancelled")
            return
        try:
            task = self.factories[index](previous)
        except Exception as exc:  # a bad parameter found while building the step
            from ..core.errors import DigisatError

            self._end("failed", str(exc) if isinstance(exc, DigisatError) else f"unexpected error: {exc}")
            return
        self.tasks.append(task)
        self.current = task
        count = len(self.factories)
        task.stepChanged.connect(lambda pct, msg: self._emit("progressChanged", (index + pct / 100.0) / count * 100.0,
                                                             msg))
        task.succeeded.connect(lambda result: self._next(index, result))
        task.failed.connect(lambda message: self._end("failed", message))
        task.cancelled.connect(lambda: self._end("cancelled"))
        start(task, self.manager)

    def _next(self, index, result):
        if sip.isdeleted(self):
            return
        if index + 1 < len(self.factories):
            self._start(index + 1, result)
        else:
            self._end("succeeded", result)

    def _end(self, signal: str, *args):
        self.running = False
        self.current = None
        self._emit(signal, *args)

    def _emit(self, signal: str, *args):
        # the dock owning the chain may be gone (plugin unloaded while a task ran): drop the news
        if not sip.isdeleted(self):
            getattr(self, signal).emit(*args)

    def cancel(self):
        self._cancel_requested = True
        if self.current is not None:
            self.current.cancel()
