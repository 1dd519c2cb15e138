"""Cloud over the area from the L2A scene classification (SCL, 20 m): the one home of which classes
count as not clear.

A tile's `eo:cloud_cover` says nothing about a field inside it: a 5 % cloudy tile can have its
cloud exactly over the area. The SCL window over the area is a few kB, so it is read per scene.
"""

from __future__ import annotations

import numpy as np

# Sen2Cor classes: 0 no data, 1 saturated or defective, 2 dark area, 3 cloud shadow, 4 vegetation,
# 5 bare soil, 6 water, 7 unclassified, 8 cloud (medium probability), 9 cloud (high probability),
# 10 thin cirrus, 11 snow or ice. Not clear: what hides or spoils the surface, and no data.
NOT_CLEAR = (0, 1, 3, 8, 9, 10)
TILE_ONLY = "tile cloud only"  # what a front end says for a scene without an SCL measure


def area_cloud_percent(scl: np.ndarray) -> float:
    """Percent of the pixels of an SCL window that are not clear (100 for an empty window)."""
    if scl.size == 0:
        return 100.0
    return float(100.0 * np.isin(scl, NOT_CLEAR).mean())


def cloud_text(scene) -> str:
    """'4.6% tile, 0.0% area' or '4.6% tile (tile cloud only)', for messages and tables."""
    tile = "-" if scene.cloud_cover is None else f"{scene.cloud_cover:.1f}"
    if scene.area_cloud is None:
        return f"{tile}% cloud ({TILE_ONLY})"
    return f"{tile}% cloud, {scene.area_cloud:.1f}% over the area"
