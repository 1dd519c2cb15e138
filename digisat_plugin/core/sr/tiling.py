"""Overlapping tiles: each tile's core is written, its margin only feeds the convolutions.

With a margin at least the networks' receptive radius, tiled and untiled inference agree
(up to float rounding), so there are no seams. Reads beyond the scene are mirrored by the
reader, reads beyond the processing window but inside the scene use real pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..io.product import ALIGN

DEFAULT_TILE = 384  # base pixels of tile core; a multiple of ALIGN


@dataclass(frozen=True)
class Tile:
    row: int  # core position on the base grid (absolute)
    col: int
    size: int  # core size (square)
    margin: int

    @property
    def read_window(self) -> tuple:
        """(row, col, height, width) of the core plus margin."""
        m = self.margin
        return self.row - m, self.col - m, self.size + 2 * m, self.size + 2 * m


def align_up(n: int) -> int:
    return int(math.ceil(n / ALIGN) * ALIGN)


def plan_tiles(window, tile_size: int | None, margin: int) -> list:
    """Cover `window` (row, col, height, width attributes) with equal square tiles.

    All tiles share one size so a batch has one shape and the graph is traced once; the
    last row/column of tiles may reach past the window, and the writer crops them.
    """
    size = align_up(min(tile_size or DEFAULT_TILE, max(window.height, window.width)))
    if margin % ALIGN:
        raise ValueError(f"margin {margin} must be a multiple of {ALIGN}")
    return [
        Tile(window.row + r, window.col + c, size, margin)
        for r in range(0, window.height, size)
        for c in range(0, window.width, size)
    ]
