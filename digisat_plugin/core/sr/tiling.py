"""Overlapping tiles: each tile's core is written, its margin only feeds the convolutions.

With a margin at least the networks' receptive radius, tiled and untiled inference agree
(up to float rounding), so there are no seams. Reads beyond the scene are mirrored by the
reader, reads beyond the processing window but inside the scene use real pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..io.product import ALIGN

DEFAULT_TILE = 480  # base pixels of tile core, a multiple of ALIGN; margins of up to 78 px make smaller tiles costly


@dataclass(frozen=True)
class Tile:
    row: int  # core position on the base grid (absolute)
    col: int
    height: int  # core size
    width: int
    margin: int

    @property
    def read_window(self) -> tuple:
        """(row, col, height, width) of the core plus margin."""
        m = self.margin
        return self.row - m, self.col - m, self.height + 2 * m, self.width + 2 * m


def align_up(n: int) -> int:
    return int(math.ceil(n / ALIGN) * ALIGN)


def _split(length: int, most: int) -> int:
    """Core size that covers `length` in as few equal pieces of at most `most` (aligned) as possible."""
    pieces = math.ceil(length / most)
    return align_up(math.ceil(length / pieces))


def plan_tiles(window, tile_size: int | None, margin: int) -> list:
    """Cover `window` (row, col, height, width attributes) with equal tiles of at most tile_size.

    All tiles share one shape so a batch has one shape and the graph is traced once; the shape
    splits the window evenly, so little work is spent on pixels past its end (the writer crops
    those).
    """
    most = align_up(tile_size or DEFAULT_TILE)
    if margin % ALIGN:
        raise ValueError(f"margin {margin} must be a multiple of {ALIGN}")
    th, tw = _split(window.height, most), _split(window.width, most)
    return [
        Tile(window.row + r, window.col + c, th, tw, margin)
        for r in range(0, window.height, th)
        for c in range(0, window.width, tw)
    ]
