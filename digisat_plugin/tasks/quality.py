"""Measure the consistency of a finished result with the delivered bands (the dock's "measure quality").

core.quality.consistency runs in the worker like every other core job of the dock.
"""

from __future__ import annotations

from .base import remove_files
from .worker import WorkerTask


class QualityTask(WorkerTask):
    """Takes a SuperResolveResult; returns it with `extra["consistency"]` filled in."""

    def __init__(self, result):
        super().__init__("digisat: measuring quality", "consistency",
                         {"enhanced": result.output, "original": result.original})
        self.sr_result = result

    def work(self, progress):
        if self.sr_result.original:
            self.sr_result.extra["consistency"] = super().work(progress)
        return self.sr_result

    def cleanup(self):
        # Cancelled while measuring (or still queued): the whole run was cancelled, so the finished
        # rasters go too, as they do when the super-resolution step itself is cancelled. A failure
        # of the measure keeps them.
        if self.isCanceled():
            remove_files(self.sr_result.output, self.sr_result.original)
