"""Small helpers that write real GeoTIFF band folders for tests."""

from __future__ import annotations

import os
import shutil

import numpy as np
from osgeo import gdal

gdal.UseExceptions()


def copy_band_folder(src, dest, bands=None) -> str:
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if name.endswith(".tif") and (bands is None or name[:3] in bands):
            shutil.copy(os.path.join(src, name), os.path.join(dest, name))
    return str(dest)


def read_band(folder, band) -> np.ndarray:
    return gdal.Open(os.path.join(str(folder), f"{band}.tif")).ReadAsArray()


def write_band(path, array, geotransform=None, crs_wkt="", nodata=None) -> None:
    ds = gdal.GetDriverByName("GTiff").Create(str(path), array.shape[1], array.shape[0], 1, gdal.GDT_UInt16)
    if geotransform is not None:
        ds.SetGeoTransform(geotransform)
    if crs_wkt:
        ds.SetProjection(crs_wkt)
    ds.GetRasterBand(1).WriteArray(np.asarray(array).clip(0, 65535).astype(np.uint16))
    if nodata is not None:
        ds.GetRasterBand(1).SetNoDataValue(nodata)
    ds = None


def write_band_folder(dest, arrays: dict, origin=(0.0, 0.0), base_res=10.0, crs_wkt="", ratios=None) -> str:
    """Write band name -> uint16 array as B??.tif with nested grids sharing the upper-left corner."""
    from digisat_plugin.core.definitions import BY_NAME

    os.makedirs(dest, exist_ok=True)
    for band, arr in arrays.items():
        ratio = (ratios or {}).get(band, BY_NAME[band].resolution // 10)
        res = base_res * ratio
        write_band(os.path.join(dest, f"{band}.tif"), arr, (origin[0], res, 0.0, origin[1], 0.0, -res), crs_wkt)
    return str(dest)


def write_bands(path, arrays, dtype, names, scale=0.0001, nodata=0.0, geotransform=(443580.0, 10.0, 0.0, 4179420.0,
                                                                                    0.0, -10.0)) -> str:
    """A multi-band GeoTIFF in EPSG:32618 like the engine's outputs: bands named `names`, each with
    `scale`, an L2A output's offset (-0.1) when `dtype` is an integer type (0 for floats: an
    uncertainty layer's), no data `nodata` and a DIGISAT_METHOD item; SOURCE_PRODUCT S2A_TEST."""
    from osgeo import gdal, osr

    ds = gdal.GetDriverByName("GTiff").Create(str(path), arrays[0].shape[1], arrays[0].shape[0], len(arrays), dtype)
    ds.SetGeoTransform(geotransform)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32618)
    ds.SetProjection(srs.ExportToWkt())
    ds.SetMetadataItem("SOURCE_PRODUCT", "S2A_TEST")
    for i, (name, a) in enumerate(zip(names, arrays, strict=True), start=1):
        band = ds.GetRasterBand(i)
        band.SetDescription(name)
        band.SetScale(scale)
        band.SetOffset(0.0 if "Float" in gdal.GetDataTypeName(dtype) else -0.1)
        band.SetNoDataValue(nodata)
        band.SetMetadataItem("DIGISAT_METHOD", f"how {name} was made")
        band.WriteArray(a)
    ds = None
    return str(path)
