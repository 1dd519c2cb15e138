"""Finding and fetching Sentinel-2 data: STAC (COG windows), Copernicus Data Space, DHuS hubs.

Every backend has `.search(aoi, start, end, max_cloud=100, level="L2A", limit=50) -> [SceneRecord]`
(newest first) and `.fetch(scene, aoi, bands, dest_dir, progress=None) -> path`, a band folder
or SAFE folder/zip that `core.io.product.open_product` reads. `get_source(kind, url, ...)`
builds one; every service URL is a parameter (a plugin setting; tests point them at 127.0.0.1).
"""

from __future__ import annotations

from ..definitions import SOURCES
from ..errors import InputError
from .scene import SceneRecord


def get_source(kind: str, url: str | None = None, username: str | None = None, password: str | None = None,
               timeout: float = 30.0, **options):
    """A catalogue backend: "stac" (Earth Search by default), "cdse" or "dhus" (url required)."""
    kind = str(kind or "").lower()
    if kind == "stac":
        from .stac import StacSource

        return StacSource(url, timeout=timeout, **options)
    if kind == "cdse":
        from .cdse import CdseSource

        return CdseSource(url, username, password, timeout=timeout, **options)
    if kind == "dhus":
        from .dhus import DhusSource

        return DhusSource(url, username, password, timeout=timeout, **options)
    raise InputError(f"catalogue source {kind!r}: expected one of {', '.join(SOURCES)}")


__all__ = ["SceneRecord", "get_source", "SOURCES"]
