"""Spectral indices at 10 m from an enhanced raster: a small table of formulas, float32 COGs.

The formulas are those of the Awesome Spectral Indices list (spyndex; Montero et al. 2023,
https://github.com/awesome-spectral-indices/awesome-spectral-indices), with its band symbols
mapped to the Sentinel-2 bands: B = B02, G = B03, R = B04, RE1 = B05, N = B08, S1 = B11, S2 = B12.
They are computed on surface reflectance (each band's DN x GDAL scale + offset, as written by the
engine: DN = reflectance x 10000 unless --keep-dn-scale), so EVI and SAVI's constants apply.

A pixel is no data (NODATA) where any band the index reads is no data (DN 0) or where a ratio's
denominator is 0. Output: one float32 band named after the index, written block by block (memory
stays flat whatever the area) into a temporary GTiff, converted by GDAL's COG driver with
core/io/cog.py's options to a second temporary file, renamed when complete. Pure Python + NumPy + GDAL (no Qt).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from osgeo import gdal

from .errors import InputError, OutputError, first_line
from .io.cog import check_writable, cog_options, tiff_options, translate_cog
from .progress import as_progress

gdal.UseExceptions()

NODATA = -9999.0
BLOCK_ROWS = 512


def _nd(a, b):
    return (a - b) / (a + b)


@dataclass(frozen=True)
class Index:
    name: str
    long_name: str
    bands: tuple  # the Sentinel-2 bands it reads, in the order `formula` takes them
    formula: str  # as written in the spyndex list, with the Sentinel-2 band names
    compute: object  # f(*reflectances) -> array
    ramp: str = "RdYlGn"  # the QGIS colour ramp the plugin shows it with (gui/series_layers.py)
    range: tuple = (-1.0, 1.0)  # the values the ramp spans


INDICES = {i.name: i for i in (
    Index("NDVI", "Normalized Difference Vegetation Index", ("B08", "B04"), "(B08 - B04) / (B08 + B04)", _nd),
    Index("NDRE", "Normalized Difference Red Edge Index (spyndex NDREI)", ("B08", "B05"),
          "(B08 - B05) / (B08 + B05)", _nd),
    Index("NDMI", "Normalized Difference Moisture Index", ("B08", "B11"), "(B08 - B11) / (B08 + B11)", _nd,
          ramp="RdYlBu"),
    Index("NBR", "Normalized Burn Ratio", ("B08", "B12"), "(B08 - B12) / (B08 + B12)", _nd),
    Index("NBR2", "Normalized Burn Ratio 2", ("B11", "B12"), "(B11 - B12) / (B11 + B12)", _nd),
    Index("NDWI", "Normalized Difference Water Index (McFeeters)", ("B03", "B08"), "(B03 - B08) / (B03 + B08)",
          _nd, ramp="RdYlBu"),
    Index("MNDWI", "Modified Normalized Difference Water Index", ("B03", "B11"), "(B03 - B11) / (B03 + B11)",
          _nd, ramp="RdYlBu"),
    Index("NDBI", "Normalized Difference Built-up Index", ("B11", "B08"), "(B11 - B08) / (B11 + B08)", _nd,
          ramp="Spectral"),
    Index("EVI", "Enhanced Vegetation Index", ("B08", "B04", "B02"),
          "2.5 * (B08 - B04) / (B08 + 6 * B04 - 7.5 * B02 + 1)",
          lambda n, r, b: 2.5 * (n - r) / (n + 6.0 * r - 7.5 * b + 1.0)),
    Index("SAVI", "Soil-Adjusted Vegetation Index (L = 0.5)", ("B08", "B04"),
          "1.5 * (B08 - B04) / (B08 + B04 + 0.5)", lambda n, r: 1.5 * (n - r) / (n + r + 0.5)),
)}


def parse_indices(text, label: str = "--index") -> list:
    """'ndvi, NBR' -> ['NDVI', 'NBR'] (order kept, duplicates dropped); an InputError naming the
    parameter (`label`) for an unknown name. Empty text or None: no index."""
    if text is None:
        return []
    items = text if isinstance(text, list | tuple) else str(text).replace(" ", ",").split(",")
    out = []
    for item in (str(t).strip() for t in items):
        if not item:
            continue
        name = item.upper()
        if name not in INDICES:
            raise InputError(f"{label}: unknown index {item!r} (known: {', '.join(INDICES)})")
        if name not in out:
            out.append(name)
    return out


def bands_needed(names) -> list:
    """The bands the indices `names` read (Sentinel-2 order)."""
    from .definitions import sort_bands

    return sort_bands({b for n in names for b in INDICES[n].bands})


def check_bands(names, bands, index_label: str = "--index", bands_label: str = "--bands") -> None:
    """An InputError naming the index parameter (the CLI's --index; Processing passes its own names)
    when an index reads a band not in the output `bands`."""
    for name in names:
        missing = [b for b in INDICES[name].bands if b not in bands]
        if missing:
            raise InputError(f"{index_label} {name}: needs band(s) {', '.join(missing)}, which {bands_label} "
                             "leaves out")


def compute(name: str, reflectance: dict) -> np.ndarray:
    """The index `name` from {band: reflectance array (float, NaN = no data)}: float32, NODATA where
    an input is no data or the formula is not finite."""
    index = INDICES[name]
    arrays = [np.asarray(reflectance[b], dtype=np.float64) for b in index.bands]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = index.compute(*arrays)
    value = np.where(np.isfinite(value), value, NODATA)
    return value.astype(np.float32)


def publish_cog(tmp_tiff: str, path: str, progress=None, options=None) -> str:
    """GDAL's COG driver (core/io/cog.COG_OPTIONS, or `options`) from the finished GTiff `tmp_tiff` to a
    temporary file beside `path`, renamed to `path` when complete; both temporaries are removed whatever happens."""
    folder, base = os.path.split(os.path.abspath(path))
    tmp_cog = os.path.join(folder, f".{base}.{os.getpid()}.cog.part.tif")
    try:
        translate_cog(tmp_tiff, tmp_cog, os.path.abspath(path), as_progress(progress), options)
    finally:
        for p in (tmp_cog, tmp_tiff):
            if os.path.exists(p):
                os.remove(p)
    return os.path.abspath(path)


def write_index(enhanced_path: str, name: str, output_path: str, progress=None) -> str:
    """Write the index `name` of the enhanced raster at `enhanced_path` (bands named in their
    descriptions, as the engine writes them) to a float32 COG at `output_path`; return its path.
    Written block by block into a temporary GTiff beside the output, then published by `publish_cog`."""
    progress = as_progress(progress)
    index = INDICES[name]
    check_writable(output_path)
    try:
        ds = gdal.Open(enhanced_path)
    except RuntimeError as exc:
        raise InputError(f"{enhanced_path}: cannot read the enhanced raster ({first_line(exc)})") from None
    names = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
    missing = [b for b in index.bands if b not in names]
    if missing:
        raise InputError(f"--index {name}: {enhanced_path} has no band {', '.join(missing)}")
    bands = {b: ds.GetRasterBand(names.index(b) + 1) for b in index.bands}
    width, height = ds.RasterXSize, ds.RasterYSize
    folder, base = os.path.split(os.path.abspath(output_path))
    tmp = os.path.join(folder, f".{base}.{os.getpid()}.part.tif")
    try:
        out = gdal.GetDriverByName("GTiff").Create(tmp, width, height, 1, gdal.GDT_Float32, tiff_options("float32"))
        out.SetGeoTransform(ds.GetGeoTransform())
        if ds.GetProjection():
            out.SetProjection(ds.GetProjection())
        out.SetMetadata({"DIGISAT_INDEX": name, "DIGISAT_INDEX_FORMULA": index.formula,
                         "DIGISAT_INDEX_SOURCE": os.path.basename(enhanced_path),
                         "DIGISAT_INDEX_INPUT": "surface reflectance (DN x scale + offset of each band)"})
        target = out.GetRasterBand(1)
        target.SetDescription(name)
        target.SetNoDataValue(NODATA)
        target.SetMetadata({"LONG_NAME": index.long_name, "FORMULA": index.formula})
        for row in range(0, height, BLOCK_ROWS):
            rows = min(BLOCK_ROWS, height - row)
            reflectance = {}
            for b, band in bands.items():
                dn = band.ReadAsArray(0, row, width, rows).astype(np.float64)
                nodata = band.GetNoDataValue()
                value = dn * (band.GetScale() or 1.0) + (band.GetOffset() or 0.0)
                reflectance[b] = np.where(dn == (0 if nodata is None else nodata), np.nan, value)
            target.WriteArray(compute(name, reflectance), 0, row)
            progress.update(0.9 * (row + rows) / height, name)
        target = None
        out.FlushCache()
        out = None
        ds = None
    except RuntimeError as exc:  # a read failure (a truncated enhanced raster) or a full disk
        out = target = None
        if os.path.exists(tmp):
            os.remove(tmp)
        raise OutputError(f"{output_path}: cannot write {name} ({first_line(exc)})") from None
    except BaseException:
        out = target = None
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return publish_cog(tmp, output_path, progress.stage(0.9, 1.0), cog_options("float32"))


__all__ = ["INDICES", "NODATA", "parse_indices", "bands_needed", "check_bands", "compute", "write_index"]
