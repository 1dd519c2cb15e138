"""The one reader interface every input goes through: `open_product(path) -> Product`.

A `Product` is a set of per-band rasters on nested grids (10/20/60 m or any 1:2:6 multiple),
plus the radiometry that maps each band's digital numbers (DN) to reflectance. The format
readers for band folders and SAFE products (`bandfolder.py`, `safe.py`) build one from the
shared parts in `raster.py`; the engine only talks to `Product`.
"""

from __future__ import annotations

import os

from ..errors import InputError
from .bandfolder import open_band_folder
from .raster import ALIGN, Product, Radiometry, read_mirrored  # noqa: F401 (read here by sr and train)
from .safe import is_safe, open_safe


def open_product(path: str) -> Product:
    """Open a band folder, a SAFE folder or a zipped SAFE product."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or folder")
    if is_safe(path):
        return open_safe(path)
    if os.path.isdir(path):
        return open_band_folder(path)
    raise InputError(
        f"{path}: unsupported product (expected a SAFE folder or .zip, or a folder of band rasters B01 ... B12)"
    )
