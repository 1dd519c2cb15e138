"""The one-line summary the Data tab shows when a product is picked (a local product or a search
result): level, date, tile, bands present, the window that will be read (px and km²), and what will
be fetched; a problem (no such product, missing bands, an area outside the data) is found here, at
pick time, not on Run.

Reading a local product's header is core.io.product.open_product: GDAL and the XML metadata only
(the networks' runtime is never imported in QGIS); opened products are kept by path and modification time so
the summary can follow the area and the bands without reopening.
"""

from __future__ import annotations

import os
import re

from .i18n import tr

_OPENED: dict = {}  # (path, mtime) -> Product


def _tile(product_id: str) -> str:
    found = re.search(r"_T(\d{2}[A-Z]{3})(?:_|$)", product_id or "")
    return found.group(1) if found else ""


def bands_text(names) -> str:
    names = list(names)
    return tr("{n} bands ({first}…{last})").format(n=len(names), first=names[0], last=names[-1]) if len(names) > 3 \
        else " ".join(names)


def open_local(path: str):
    """The Product at `path` (cached); a DigisatError with the CLI's one line when it cannot be read."""
    from ..core.io.product import open_product

    path = os.path.expanduser((path or "").strip())
    key = (os.path.abspath(path), os.path.getmtime(path) if os.path.exists(path) else None)
    if key not in _OPENED:
        if not path:
            from ..core.errors import InputError

            raise InputError("no local product chosen (Data tab)")
        _OPENED.clear()  # one product at a time: its datasets stay open while it is cached
        _OPENED[key] = open_product(path)
    return _OPENED[key]


def needed_bands(bands) -> list:
    """Every band the engine reads for the output bands (core.catalog.pipeline.bands_to_fetch; numpy only)."""
    from ..core.catalog.pipeline import bands_to_fetch

    return bands_to_fetch(bands)


def local_summary(path: str, aoi, bands) -> str:
    """One line for a local product and the current area (core Aoi or None) and output bands.

    Raises the DigisatError that Run would meet (no product, missing bands, area outside the data)."""
    from ..core.io.aoi import window_and_notices

    product = open_local(path)
    product.require(needed_bands(bands))
    window, notices = window_and_notices(product, aoi)
    res = product.base_resolution
    km2 = window.width * window.height * res * res / 1e6
    parts = [product.level or tr("level ?"), product.date or tr("date ?")]
    tile = _tile(product.product_id)
    if tile:
        parts.append(tr("tile {tile}").format(tile=tile))
    parts.append(bands_text(product.band_names))
    parts.append(tr("reads {w} x {h} px ({km2} km²)").format(w=window.width, h=window.height, km2=f"{km2:,.2f}"))
    parts.append(tr("local: nothing to fetch"))
    line = " · ".join(parts)
    return line + "".join(f" ({tr('note')}: {n})" for n in notices)


def scene_summary(scene, size_px, bands, footprint_hit=True) -> str:
    """One line for a search result: size_px (w, h) of the area at 10 m or None (no area drawn).

    Raises an InputError when the scene lacks a band the run needs (a STAC item's assets) or the
    area does not meet its footprint."""
    from ..core.errors import InputError

    needed = needed_bands(bands)
    if scene.assets:
        missing = [b for b in needed if b not in scene.assets]
        if missing:
            raise InputError(f"scene {scene.id}: no {', '.join(missing)} asset (needed for the bands asked)")
    if not footprint_hit:
        raise InputError(f"scene {scene.id}: its footprint does not cover the area of interest")
    parts = [scene.level or tr("level ?"), scene.date]
    if scene.tile:
        parts.append(tr("tile {tile}").format(tile=scene.tile))
    present = [b for b in needed if not scene.assets or b in scene.assets]
    if scene.assets:
        parts.append(bands_text(sorted(scene.assets, key=_band_order)))
    if size_px is None:
        parts.append(tr("reads the whole tile"))
    else:
        w, h = size_px
        parts.append(tr("reads about {w} x {h} px ({km2} km²)").format(w=w, h=h, km2=f"{w * h / 1e4:,.2f}"))
    if scene.source == "stac":
        parts.append(tr("fetches {bands}: the area and a 240 m margin of each").format(bands=" ".join(present)))
    elif scene.source == "cdse":
        parts.append(tr("fetches the band files {bands}").format(bands=" ".join(present)))
    else:
        from .search_panel import human_size

        parts.append(tr("fetches the whole product ({size})").format(size=human_size(scene.size)))
    return " · ".join(parts)


def _band_order(name: str):
    from ..core.definitions import ORDER

    return ORDER.index(name) if name in ORDER else len(ORDER)
