"""Consistency of a super-resolved product with the bands as delivered (Wald's first property).

Averaged back over each native pixel (r x r blocks), an enhanced band should give the delivered
value again. This needs no reference at 10 m, so it can be measured on any product the user
processes: the RMSE in DN and relative to the mean, per enhanced band.
"""

from __future__ import annotations

import numpy as np
from osgeo import gdal

from ..definitions import BY_NAME
from ..errors import InputError
from ..sr.resample import block_mean

gdal.UseExceptions()


def _open(path: str):
    try:
        return gdal.Open(str(path))
    except RuntimeError as exc:
        raise InputError(f"{path}: cannot open ({str(exc).splitlines()[0]})") from None


def consistency(enhanced_path: str, original_path: str, progress=None) -> dict:
    """{band: {"rmse": DN, "relative": rmse / mean, "ratio": r}} for every band coarser than 10 m.

    Both files are the engine's outputs on the same 10 m grid; the original companion holds the
    delivered values repeated over each native pixel, and windows start on the 60 m grid, so
    every r x r block is one native pixel.
    """
    enhanced, original = _open(enhanced_path), _open(original_path)
    names = [enhanced.GetRasterBand(i + 1).GetDescription() for i in range(enhanced.RasterCount)]
    other = [original.GetRasterBand(i + 1).GetDescription() for i in range(original.RasterCount)]
    if names != other:
        raise InputError(f"{original_path}: bands {other} do not match {enhanced_path} ({names})")
    sizes = [(ds.RasterXSize, ds.RasterYSize) for ds in (enhanced, original)]
    if sizes[0] != sizes[1]:
        raise InputError(f"{original_path}: {sizes[1][0]} x {sizes[1][1]} pixels, but {enhanced_path} has "
                         f"{sizes[0][0]} x {sizes[0][1]} (both must be on the same 10 m grid)")
    report = {}
    coarse = [n for n in names if n in BY_NAME and BY_NAME[n].resolution > 10]
    for k, name in enumerate(coarse):
        if progress is not None:
            progress.update(k / max(len(coarse), 1), f"consistency of {name}")
        ratio = BY_NAME[name].resolution // 10
        index = names.index(name) + 1
        enh = enhanced.GetRasterBand(index).ReadAsArray().astype(np.float64)
        orig = original.GetRasterBand(index).ReadAsArray().astype(np.float64)
        h, w = (enh.shape[0] // ratio) * ratio, (enh.shape[1] // ratio) * ratio
        low = block_mean(enh[:h, :w], ratio)
        native = orig[:h:ratio, :w:ratio]
        valid = (native > 0) & (block_mean(enh[:h, :w] > 0, ratio) == 1)
        if not valid.any():
            continue
        diff = low[valid] - native[valid]
        rmse = float(np.sqrt(np.mean(diff**2)))
        report[name] = {"rmse": rmse, "relative": rmse / float(np.mean(native[valid])), "ratio": ratio}
    if progress is not None:
        progress.update(1.0, "consistency measured")
    return report


def summary_line(report: dict) -> str:
    if not report:
        return "consistency: no band coarser than 10 m to check"
    parts = [f"{b} {v['rmse']:.1f} DN ({100 * v['relative']:.2f} %)" for b, v in report.items()]
    return "consistency with the delivered bands (RMSE of block means): " + ", ".join(parts)
