"""A product degraded by s, written to disk, to check the full engine end to end at reduced scale.

`write_degraded_copy` writes a band folder whose pixels are s times coarser (20/40/120 m for
s = 2); `superresolve` on it gives a result on the 20 m grid, which `score_against_truth`
compares with the bands as delivered, next to bicubic upsampling of the degraded bands.
"""

from __future__ import annotations

import os

import numpy as np
from osgeo import gdal

from digisat_plugin.core.definitions import BANDS_20M, BANDS_60M
from digisat_plugin.core.io.product import ALIGN, open_product
from digisat_plugin.core.quality.metrics import rmse
from digisat_plugin.core.sr.resample import upsample
from digisat_plugin.core.wald import degraded_scene, load_scene


def write_degraded_copy(src: str, dest: str, s: int = 2, protocol: str = "dsen2", rows=None) -> str:
    """`src` degraded by s as a band folder in `dest`; rows: optional (row0, row1) of the 10 m grid
    to keep (a held-out part, row0 on a 60 m row), the copy's origin moved with it."""
    product = open_product(src)
    try:
        gt, crs = product.geotransform, product.crs_wkt
        radiometry = {band: product.bands[band].radiometry for band in product.bands}
    finally:
        product.close()
    row0, row1 = rows or (0, None)
    if row0 % ALIGN:
        raise ValueError(f"rows: {row0} is not on a 60 m row (a multiple of {ALIGN})")
    low = degraded_scene(load_scene(src, row0, row1), s, protocol)
    top = gt[3] + row0 * gt[5]
    os.makedirs(dest, exist_ok=True)
    for band, values in low.native.items():
        res = gt[1] * low.ratios[band] * s
        dn = radiometry[band].to_dn(values)
        path = os.path.join(dest, f"{band}.tif")
        tmp = os.path.join(dest, f".{band}.tif.tmp")  # renamed when complete: no half-written band
        ds = gdal.GetDriverByName("GTiff").Create(tmp, dn.shape[1], dn.shape[0], 1, gdal.GDT_UInt16,
                                                  ["COMPRESS=DEFLATE"])
        ds.SetGeoTransform((gt[0], res, 0.0, top, 0.0, -res))
        if crs:
            ds.SetProjection(crs)
        ds.GetRasterBand(1).WriteArray(np.clip(np.rint(dn), 0, 65535).astype(np.uint16))
        ds = None
        os.replace(tmp, path)
    return dest


def score_against_truth(enhanced: str, degraded: str, truth: str, s: int = 2, rows=None) -> dict:
    """Per band RMSE (DN) of the enhanced raster and of bicubic upsampling against the truth.

    Bands compared: the 20 m bands for s = 2 (the 60 m ones need s = 6). rows: optional
    (row0, row1) range of the result grid to score (e.g. a held-out part).
    """
    ds = gdal.Open(enhanced)
    names = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
    true_product, low_product = open_product(truth), open_product(degraded)
    bands = BANDS_20M if s == 2 else BANDS_60M
    out = {}
    for band in bands:
        ratio = true_product.bands[band].ratio
        result = ds.GetRasterBand(names.index(band) + 1).ReadAsArray().astype(np.float64)
        h, w = result.shape
        # The result is on the degraded base grid, which is the band's own delivered grid here.
        truth_arr = true_product.bands[band].read_dn(0, 0, h, w).astype(np.float64)
        src = low_product.bands[band]
        low = src.read_dn(0, 0, h // ratio, w // ratio).astype(np.float64)
        cubic = upsample(low, ratio, "cubic")
        r0, r1 = rows or (0, h)
        out[band] = {"digisat": rmse(truth_arr[r0:r1], result[r0:r1]), "bicubic": rmse(truth_arr[r0:r1], cubic[r0:r1])}
    return out
