"""Measure the consistency of a finished result with the delivered bands (the dock's "measure quality")."""

from __future__ import annotations

from .base import DigisatTask, remove_files


class QualityTask(DigisatTask):
    """Takes a SuperResolveResult; returns it with `extra["consistency"]` filled in."""

    def __init__(self, result):
        super().__init__("digisat: measuring quality")
        self.sr_result = result

    def work(self, progress):
        from ..core.quality.consistency import consistency

        if self.sr_result.original:
            self.sr_result.extra["consistency"] = consistency(self.sr_result.output, self.sr_result.original, progress)
        return self.sr_result

    def cleanup(self):
        # Cancelled while measuring (or still queued): the whole run was cancelled, so the finished
        # rasters go too, as they do when the super-resolution step itself is cancelled. A failure
        # of the measure keeps them.
        if self.isCanceled():
            remove_files(self.sr_result.output, self.sr_result.original)
