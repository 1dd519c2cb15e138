"""A terminal progress bar (tqdm) behind the core Progress callback."""

from __future__ import annotations

import sys

from ..core.progress import Progress


class TerminalProgress:
    """Context manager giving a Progress that draws a bar on stderr; quiet=True draws nothing."""

    def __init__(self, quiet: bool = False, unit_scale: int = 1000):
        self.quiet = quiet
        self.scale = unit_scale
        self.bar = None

    def __enter__(self) -> Progress:
        if self.quiet:
            return Progress()
        from tqdm import tqdm

        self.bar = tqdm(total=self.scale, file=sys.stderr, bar_format="{desc} {percentage:3.0f}%|{bar:30}| {elapsed}<{remaining}",
                        dynamic_ncols=True, leave=True)
        return Progress(self._update)

    def _update(self, fraction: float, message: str) -> None:
        target = int(round(fraction * self.scale))
        if message:
            self.bar.set_description_str(message[:40].ljust(40), refresh=False)
        self.bar.update(max(target - self.bar.n, 0))

    def __exit__(self, exc_type, *exc) -> None:
        if self.bar is not None:
            if exc_type is not None:
                self.bar.leave = False  # an error message follows; do not leave a stale bar above it
            self.bar.close()
