"""Where the area of interest lies on a scene's quick-look, so the Data tab can show that part.

A STAC item's thumbnail (Earth Search's `L2A_PVI.jpg`) is the whole tile's true-colour preview,
north up on the tile's own grid, so the grid of its 10 m assets (`proj:transform`, `proj:shape`,
the item's `proj:epsg`/`proj:code`) places it: `scene.extra["grid"]`, {"crs", "transform" (the
affine terms a, b, c, d, e, f: x = a * col + b * row + c, y = d * col + e * row + f), "shape"
(rows, columns)}. An area of a few km is a few pixels of a 110 km tile's 343 px preview, so the
panel shows the part around it, enlarged, with the area outlined. Plain arithmetic, no Qt.
"""

from __future__ import annotations

# The shown part holds the area and as much again on each side (the area a third of its width),
# and at least this many preview pixels a side: about 3 km of a 343 px preview of a 110 km tile.
MIN_CROP_PX = 10


def ten_m_grid(assets: dict, crs: str) -> dict | None:
    """The 10 m grid of a STAC item ({"crs", "transform", "shape"}, see the module) from its assets'
    `proj:transform`/`proj:shape` extra fields (asset key -> dict), or None where the item has none."""
    if not crs:
        return None
    for key in ("visual", "red", "B04", "blue", "B02", "green", "B03", "nir", "B08"):
        fields = assets.get(key) or {}
        transform, shape = fields.get("proj:transform"), fields.get("proj:shape")
        if transform and shape and len(transform) >= 6 and len(shape) == 2:
            return {"crs": crs, "transform": [float(v) for v in transform[:6]], "shape": [int(v) for v in shape]}
    return None


def area_on_preview(grid: dict, bounds, size) -> tuple | None:
    """(x0, y0, x1, y1) of `bounds` (xmin, ymin, xmax, ymax in the grid's CRS) in the pixels of a
    preview of `size` (width, height) that spans the grid, clipped to it; None where the grid is
    rotated or the area lies outside it."""
    a, b, c, d, e, f = grid["transform"]
    rows, cols = grid["shape"]
    if b or d or not a or not e or not rows or not cols:
        return None
    width, height = size
    xmin, ymin, xmax, ymax = bounds
    # grid pixels of the corners, then scaled to the preview (a north-up grid: e < 0)
    px = sorted(((xmin - c) / a * width / cols, (xmax - c) / a * width / cols))
    py = sorted(((ymax - f) / e * height / rows, (ymin - f) / e * height / rows))
    x0, x1 = max(px[0], 0.0), min(px[1], float(width))
    y0, y1 = max(py[0], 0.0), min(py[1], float(height))
    if x0 >= x1 or y0 >= y1:
        return None
    return x0, y0, x1, y1


def crop_around(box, size, min_side: int = MIN_CROP_PX) -> tuple:
    """(left, top, width, height) in whole preview pixels: the box with as much again on each side,
    at least `min_side` a side, kept inside the preview of `size` (width, height)."""
    x0, y0, x1, y1 = box
    out = []
    for lo, hi, limit in ((x0, x1, size[0]), (y0, y1, size[1])):
        side = min(max(3 * (hi - lo), min_side), limit)
        start = min(max((lo + hi - side) / 2, 0), limit - side)
        first = int(start)
        out.append((first, max(min(int(round(start + side)), limit) - first, 1)))
    (left, width), (top, height) = out
    return left, top, width, height
