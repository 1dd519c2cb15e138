"""Super-resolve a product in the background with the engine the CLI uses."""

from __future__ import annotations

import os

from .base import DigisatTask, remove_files


class SuperResolveTask(DigisatTask):
    def __init__(self, input_path, output_path, aoi=None, bands=None, original_path=None, model_dir=None,
                 tile_size=None, device="auto"):
        super().__init__(f"digisat: super-resolving {os.path.basename(str(input_path).rstrip('/'))}")
        self.input_path = str(input_path)
        self.output_path = str(output_path)
        self.original_path = str(original_path) if original_path else None
        self.kwargs = dict(aoi=aoi, bands=bands, model_dir=model_dir, tile_size=tile_size, device=device)

    def work(self, progress):
        from ..core.sr.engine import superresolve  # TensorFlow loads here, on the worker thread

        return superresolve(self.input_path, self.output_path, original_path=self.original_path,
                            progress=progress, **self.kwargs)

    def cleanup(self):
        # The engine writes through temporary names and removes them itself; a cancel that comes
        # after it returned must not leave the finished files either. Before that, a file at the
        # output path is the user's earlier result, untouched by this run: keep it.
        if self.result is not None:
            remove_files(self.output_path, self.original_path)
