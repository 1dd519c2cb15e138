"""What every format reader shares: the `Product` it builds, per-band sources and their radiometry,
GDAL opening with one-line errors, mirrored window reads and `assemble` (the nesting check).

The format readers (`bandfolder.py`, `safe.py`) import this module; `product.open_product` picks
the reader. Pixel coordinates below are on the finest ("base", 10 m) grid unless a name says
otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from osgeo import gdal

from ..definitions import BY_NAME, sort_bands
from ..errors import InputError, first_line

gdal.UseExceptions()

# Model-side values are reflectance x 10000, the DN scale of products before baseline 04.00.
REFLECTANCE_DN = 10000.0
ALIGN = 6  # every window is aligned to the coarsest (60 m) grid
EXPECTED_RATIO = {10: 1, 20: 2, 60: 6}


@dataclass(frozen=True)
class Radiometry:
    """reflectance = DN * scale + offset; DN 0 is no-data."""

    scale: float = 1.0 / REFLECTANCE_DN
    offset: float = 0.0

    # Gain and bias folded in float64 first, so the usual 1e-4 / -0.1 pairs map DN exactly.
    @property
    def gain(self) -> np.float32:
        return np.float32(self.scale * REFLECTANCE_DN)

    @property
    def bias(self) -> np.float32:
        return np.float32(self.offset * REFLECTANCE_DN)

    def to_model(self, dn: np.ndarray) -> np.ndarray:
        """DN -> reflectance x 10000 as float32 (the scale the networks were trained on)."""
        return dn.astype(np.float32) * self.gain + self.bias

    def to_dn(self, values: np.ndarray) -> np.ndarray:
        """Reflectance x 10000 -> the product's own DN, as float (rounding is the writer's job)."""
        return (values - self.bias) / self.gain


@dataclass
class BandSource:
    name: str
    path: str  # anything GDAL opens, /vsizip/ paths included
    ratio: int  # pixel size / base pixel size: 1, 2 or 6
    width: int
    height: int
    radiometry: Radiometry = field(default_factory=Radiometry)
    _dataset: object = field(default=None, repr=False, compare=False)

    def dataset(self):
        if self._dataset is None:
            self._dataset = open_raster(self.path)
        return self._dataset

    def close(self):
        self._dataset = None

    def read_dn(self, row: int, col: int, height: int, width: int) -> np.ndarray:
        """Read a window in this band's own pixels; parts outside the raster are mirrored.

        Mirroring (rather than zeros) keeps a convolution's view at a scene edge plausible.
        """
        def read_inside(r0, c0, r1, c1):
            try:
                data = self.dataset().GetRasterBand(1).ReadAsArray(c0, r0, c1 - c0, r1 - r0)
            except RuntimeError as exc:
                raise InputError(f"{display_path(self.path)}: cannot read pixels ({first_line(exc)})") from None
            if data is None:
                raise InputError(f"{display_path(self.path)}: cannot read pixels")
            return data

        if min(row + height, self.height) <= max(row, 0) or min(col + width, self.width) <= max(col, 0):
            raise InputError(f"{self.path}: window outside the raster")
        return read_mirrored(read_inside, row, col, height, width, (self.height, self.width))


def read_mirrored(read_inside, row: int, col: int, height: int, width: int, shape: tuple) -> np.ndarray:
    """Read a window that may reach past a raster of `shape`, mirroring beyond its edges.

    read_inside(r0, c0, r1, c1) returns the part inside the raster (rows r0..r1, cols c0..c1).
    """
    r0, c0 = max(row, 0), max(col, 0)
    r1, c1 = min(row + height, shape[0]), min(col + width, shape[1])
    data = read_inside(r0, c0, r1, c1)
    pads = ((r0 - row, row + height - r1), (c0 - col, col + width - c1))
    return mirror_pad(data, pads) if any(p for pair in pads for p in pair) else data


def mirror_pad(data: np.ndarray, pads) -> np.ndarray:
    """np.pad 'symmetric', repeated when the pad is wider than the data (tiny rasters)."""
    while True:
        step = tuple((min(a, data.shape[i]), min(b, data.shape[i])) for i, (a, b) in enumerate(pads))
        data = np.pad(data, step, mode="symmetric")
        pads = tuple((a - s[0], b - s[1]) for (a, b), s in zip(pads, step, strict=False))
        if not any(p for pair in pads for p in pair):
            return data


@dataclass
class Product:
    """A Sentinel-2 scene as nested per-band rasters; see the module docstring."""

    path: str
    kind: str  # "band folder", "SAFE folder", "SAFE zip"
    bands: dict  # name -> BandSource
    base_resolution: float
    width: int  # base-grid size, a multiple of ALIGN
    height: int
    geotransform: tuple  # of the base grid
    crs_wkt: str  # "" when the input has no CRS
    level: str = ""  # "L1C", "L2A" or "" when unknown
    product_id: str = ""
    date: str = ""
    baseline: str = ""  # processing baseline, "05.10"; "" when unknown
    source: str = ""  # the catalogue it was fetched from ("stac", ...), "" for local products

    @property
    def band_names(self) -> list:
        return sort_bands(self.bands)

    def require(self, names) -> None:
        missing = [n for n in sort_bands(names) if n not in self.bands]
        if missing:
            raise InputError(f"{self.path}: missing band files {', '.join(missing)}")

    def read(self, name: str, row: int, col: int, height: int, width: int) -> tuple:
        """Read a base-grid window of one band at its native resolution.

        The window must be aligned to ALIGN. Returns (values on the model scale as float32,
        no-data mask) at the band's own resolution.
        """
        src = self.bands[name]
        r = src.ratio
        dn = src.read_dn(row // r, col // r, height // r, width // r)
        return src.radiometry.to_model(dn), dn == 0

    def close(self) -> None:
        for src in self.bands.values():
            src.close()


def display_path(path: str) -> str:
    return path[len("/vsizip/"):] if path.startswith("/vsizip/") else path


def open_raster(path: str):
    try:
        ds = gdal.Open(path)
    except RuntimeError as exc:
        raise InputError(f"{display_path(path)}: unreadable or corrupt raster ({first_line(exc)})") from None
    if ds is None or ds.RasterCount < 1:
        raise InputError(f"{display_path(path)}: unreadable or corrupt raster")
    return ds


def assemble(path: str, kind: str, files: dict, radiometry: dict, **info) -> Product:
    """Check that band rasters nest (ratios 1:2:6, shared corner) and build a Product.

    `files` maps band names to GDAL paths; `radiometry` maps band names to Radiometry.
    """
    if not files:
        raise InputError(f"{path}: no Sentinel-2 band files (B01 ... B12, B8A) found")
    grids = {}
    datasets = {name: open_raster(fpath) for name, fpath in files.items()}
    widest = max(ds.RasterXSize for ds in datasets.values())
    for name, fpath in files.items():
        ds = datasets[name]
        # Rasters without a geotransform are nested by their sizes alone (pixel grid only).
        gt = ds.GetGeoTransform(can_return_null=True) or (0.0, widest / ds.RasterXSize, 0.0, 0.0, 0.0,
                                                          -widest / ds.RasterXSize)
        if abs(abs(gt[1]) - abs(gt[5])) > 1e-6 * abs(gt[1]) or gt[2] or gt[4]:
            raise InputError(f"{display_path(fpath)}: pixels are not square and north-up")
        try:
            ds.GetRasterBand(1).ReadAsArray(0, 0, 1, 1)  # catches truncated files early
        except RuntimeError as exc:
            raise InputError(f"{display_path(fpath)}: unreadable or corrupt raster ({first_line(exc)})") from None
        grids[name] = (ds.RasterXSize, ds.RasterYSize, gt, ds.GetProjection() or "")
    base = min(abs(g[2][1]) for g in grids.values())
    base_name = min(grids, key=lambda n: abs(grids[n][2][1]))
    bx, by = grids[base_name][2][0], grids[base_name][2][3]
    sources, width, height = {}, None, None
    for name, (w, h, gt, _wkt) in grids.items():
        ratio_f = abs(gt[1]) / base
        ratio = int(round(ratio_f))
        expected = EXPECTED_RATIO[BY_NAME[name].resolution]
        if abs(ratio_f - ratio) > 1e-3 or ratio != expected:
            raise InputError(
                f"{display_path(files[name])}: band grids do not nest: {name} has {abs(gt[1]):g} "
                f"units per pixel, expected {expected} x {base:g} (grids in ratio 1:2:6)"
            )
        if abs(gt[0] - bx) > 0.01 * base or abs(gt[3] - by) > 0.01 * base:
            raise InputError(
                f"{display_path(files[name])}: band grids do not nest: {name} starts at "
                f"({gt[0]:g}, {gt[3]:g}), the {base_name} grid at ({bx:g}, {by:g})"
            )
        width = w * ratio if width is None else min(width, w * ratio)
        height = h * ratio if height is None else min(height, h * ratio)
        sources[name] = BandSource(name, files[name], ratio, w, h, radiometry.get(name, Radiometry()))
    width, height = width // ALIGN * ALIGN, height // ALIGN * ALIGN
    if width == 0 or height == 0:
        raise InputError(f"{path}: the bands cover less than one 60 m pixel")
    crs = grids[base_name][3]
    return Product(
        path=path, kind=kind, bands=sources, base_resolution=base, width=width, height=height,
        geotransform=grids[base_name][2], crs_wkt=crs, **info,
    )
