"""Super-resolve a product in the background: the engine the CLI uses, run in the worker process."""

from __future__ import annotations

import os

from ..worker.codec import decode_sr_result, encode_aoi
from .base import remove_files
from .worker import WorkerTask


class SuperResolveTask(WorkerTask):
    def __init__(self, input_path, output_path, aoi=None, bands=None, original_path=None, model_dir=None,
                 tile_size=None, device="auto", **options):
        """`options`: further keyword arguments of core.sr.engine.superresolve, passed through as they are."""
        self.input_path = str(input_path)
        self.output_path = str(output_path)
        self.original_path = str(original_path) if original_path else None
        self.uncertainty_path = options.get("uncertainty_path")
        args = dict(options, input_path=self.input_path, output_path=self.output_path, aoi=encode_aoi(aoi),
                    bands=bands, original_path=self.original_path, model_dir=model_dir, tile_size=tile_size,
                    device=device)
        super().__init__(f"digisat: super-resolving {os.path.basename(self.input_path.rstrip('/'))}", "superresolve",
                         args, outputs=[self.output_path, self.original_path, self.uncertainty_path], device=device)

    def decode(self, value):
        return decode_sr_result(value)

    def cleanup(self):
        # The engine writes through temporary names (and the worker client removes those of a killed
        # worker); a cancel that comes after it returned must not leave the finished files either.
        # Before that, a file at the output path is the user's earlier result, untouched by this run: keep it.
        if self.result is not None:
            remove_files(self.output_path, self.original_path, self.uncertainty_path)
