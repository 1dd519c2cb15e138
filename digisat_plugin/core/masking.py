"""The enhanced pixels the uncertainty layer does not vouch for, set to no data: what an analyst does
before computing an index (docs/uncertainty.md), for every band at once.

`mask_uncertain(enhanced, uncertainty, output, max_error, max_relative=None)` copies the enhanced
raster (same bands, DN, scale, offset and metadata) and sets to no data (0) every pixel of a band
whose expected absolute error exceeds `max_error`, or `max_relative` times the pixel's own value
(either or both). `max_error` is in the units the layer is shown in: its values times its band
scale, reflectance for the engine's layers (so the number a user tried in QGIS's raster calculator
works here too); a layer without a scale is compared in its own values (DN). `max_relative` compares
the error with the size of the enhanced value as shown (its DN times the band's scale plus its
offset): one threshold that means the same on a dark red-edge band and a bright NIR band, which is
what a ratio index (NDRE, NDMI) feels; a pixel at 0 keeps only an expected error of 0. The copied
10 m bands (expected error 0) are kept whole, and so is a band the layer has no estimate for (NaN:
B10, which has no calibration). Written block by block into a temporary GTiff, published as a COG
and renamed, so an error or a cancel leaves no output.
"""

from __future__ import annotations

import math
import os

import numpy as np
from osgeo import gdal

from .errors import InputError, OutputError, first_line
from .indices import publish_cog
from .io.cog import check_writable, cog_options, describe, tiff_options
from .progress import as_progress

gdal.UseExceptions()

BLOCK_ROWS = 512


def _open(path: str, what: str):
    try:
        return gdal.Open(path)
    except RuntimeError as exc:
        raise InputError(f"{path}: cannot read the {what} ({first_line(exc)})") from None


def _names(ds) -> list:
    return [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]


def check_pair(enhanced, uncertainty, enhanced_path: str, uncertainty_path: str) -> None:
    """The layer must describe this output: its grid and its bands, in order (one-line InputErrors)."""
    kind = gdal.GetDataTypeName(uncertainty.GetRasterBand(1).DataType)
    if not kind.startswith("Float"):
        raise InputError(f"{uncertainty_path}: {kind} values, not an uncertainty layer (float expected errors, "
                         "written by --uncertainty)")
    if (uncertainty.RasterXSize, uncertainty.RasterYSize) != (enhanced.RasterXSize, enhanced.RasterYSize):
        raise InputError(f"{uncertainty_path}: {uncertainty.RasterXSize} x {uncertainty.RasterYSize} px, but "
                         f"{enhanced_path} is {enhanced.RasterXSize} x {enhanced.RasterYSize}: "
                         "not its uncertainty layer")
    if not np.allclose(uncertainty.GetGeoTransform(), enhanced.GetGeoTransform(), rtol=0, atol=1e-6):
        raise InputError(f"{uncertainty_path}: not on the grid of {enhanced_path} (another geotransform): "
                         "not its uncertainty layer")
    if _names(uncertainty) != _names(enhanced):
        raise InputError(f"{uncertainty_path}: bands {', '.join(_names(uncertainty))}, but {enhanced_path} has "
                         f"{', '.join(_names(enhanced))}: not its uncertainty layer")


def mask_uncertain(enhanced_path: str, uncertainty_path: str, output_path: str, max_error: float | None,
                   progress=None, max_relative: float | None = None) -> dict:
    """Write the masked copy of `enhanced_path` to `output_path` (module docstring); return
    {band: share of its pixels with data that were masked}."""
    progress = as_progress(progress)
    for value, option, example in ((max_error, "--max-error", "an expected error in the units the uncertainty "
                                    "layer is shown in, e.g. 0.004 of reflectance"),
                                   (max_relative, "--max-relative-error", "a share of the pixel's value, e.g. "
                                    "0.05 for 5 %")):
        if value is not None and not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise InputError(f"{option} {value}: give a positive number ({example})")
    if max_error is None and max_relative is None:
        raise InputError("mask: give the largest expected error kept (--max-error), relative to the pixel's value "
                         "(--max-relative-error), or both")
    paths = {os.path.abspath(p) for p in (enhanced_path, uncertainty_path)}
    if os.path.abspath(output_path) in paths:
        raise OutputError(f"{output_path}: the output must not overwrite one of its inputs")
    check_writable(output_path)
    enhanced = _open(enhanced_path, "enhanced raster")
    uncertainty = _open(uncertainty_path, "uncertainty layer")
    check_pair(enhanced, uncertainty, enhanced_path, uncertainty_path)
    names = _names(enhanced)
    width, height = enhanced.RasterXSize, enhanced.RasterYSize
    dtype = "float32" if enhanced.GetRasterBand(1).DataType == gdal.GDT_Float32 else "uint16"
    folder, base = os.path.split(os.path.abspath(output_path))
    tmp = os.path.join(folder, f".{base}.{os.getpid()}.part.tif")
    masked = {name: 0 for name in names}
    valid = {name: 0 for name in names}
    out = None
    try:
        out = gdal.GetDriverByName("GTiff").Create(tmp, width, height, len(names),
                                                   enhanced.GetRasterBand(1).DataType, tiff_options(dtype))
        band_metadata = {}
        for i, name in enumerate(names, start=1):
            src = enhanced.GetRasterBand(i)
            items = {k: v for k, v in src.GetMetadata().items() if not k.startswith("STATISTICS_")}  # not the copy's
            band_metadata[name] = dict(items, scale=src.GetScale() or 1.0, offset=src.GetOffset() or 0.0)
        metadata = dict(enhanced.GetMetadata(), DIGISAT_MASK=_mask_text(uncertainty_path, max_error, max_relative))
        if max_error is not None:
            metadata["DIGISAT_MASKED_ABOVE"] = f"{max_error:g}"
        if max_relative is not None:
            metadata["DIGISAT_MASKED_ABOVE_RELATIVE"] = f"{max_relative:g}"
        nodata = enhanced.GetRasterBand(1).GetNoDataValue()
        describe(out, names, enhanced.GetGeoTransform(), enhanced.GetProjection(), 0 if nodata is None else nodata,
                 band_metadata, metadata)
        for row in range(0, height, BLOCK_ROWS):
            rows = min(BLOCK_ROWS, height - row)
            for i, name in enumerate(names, start=1):
                src, unc = enhanced.GetRasterBand(i), uncertainty.GetRasterBand(i)
                values = src.ReadAsArray(0, row, width, rows)
                expected = unc.ReadAsArray(0, row, width, rows).astype(np.float64) * (unc.GetScale() or 1.0)
                fill = src.GetNoDataValue()
                has_data = values != (0 if fill is None else fill)
                limit = np.inf if max_error is None else max_error
                if max_relative is not None:  # per pixel: the smaller of the two
                    shown = values * (src.GetScale() or 1.0) + (src.GetOffset() or 0.0)
                    limit = np.minimum(limit, max_relative * np.abs(shown))
                with np.errstate(invalid="ignore"):
                    doubt = has_data & (expected > limit)  # NaN (no estimate) is never above
                values[doubt] = 0 if fill is None else fill
                masked[name] += int(doubt.sum())
                valid[name] += int(has_data.sum())
                out.GetRasterBand(i).WriteArray(values, 0, row)
            progress.update(0.9 * (row + rows) / height, "masking uncertain pixels")
        out.FlushCache()
        out = None
    except RuntimeError as exc:
        out = None
        _remove(tmp)
        raise OutputError(f"{output_path}: cannot write the masked raster ({first_line(exc)})") from None
    except BaseException:
        out = None
        _remove(tmp)
        raise
    publish_cog(tmp, output_path, progress.stage(0.9, 1.0), cog_options(dtype))
    return {name: masked[name] / valid[name] if valid[name] else 0.0 for name in names}


def _mask_text(uncertainty_path: str, max_error, max_relative) -> str:
    limits = ([f"{max_error:g} (its values x its band scale)"] if max_error is not None else []) + (
        [f"{max_relative:g} x the pixel's value (DN x scale + offset)"] if max_relative is not None else [])
    return f"no data where {os.path.basename(uncertainty_path)} expects an absolute error above " + " or ".join(limits)


def _remove(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


__all__ = ["mask_uncertain", "check_pair"]
