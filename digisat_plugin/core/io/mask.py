"""Mask a written raster to the area's polygon: pixels whose centre is outside become no data.

A post-step on the engine's output (the engine reads and writes the polygon's bounding box, aligned
to the 60 m grid): the polygon is rasterised with GDAL onto the file's own grid, the file copied to a
temporary GeoTIFF beside it with the outside set to no data, converted to a COG (same options as
core/io/cog.py) and renamed over the original in one step, so a reader never sees half a file.
Metadata, band names, scale/offset and no-data survive the copy.
"""

from __future__ import annotations

import os

import numpy as np
from osgeo import gdal, ogr, osr

from ..errors import AoiError, Cancelled, OutputError, first_line
from .aoi import Aoi
from .cog import COG_OPTIONS, publish

gdal.UseExceptions()
MASK_ITEM = "DIGISAT_MASK"


def polygon_mask(ds, aoi: Aoi) -> np.ndarray:
    """bool (rows, cols): True where the pixel centre is inside `aoi` (in the raster's CRS)."""
    crs = ds.GetProjection()
    if aoi.crs and not crs:
        raise AoiError(f"area of interest is in {aoi.crs} but {ds.GetDescription()} has no CRS")
    local = aoi.transformed(crs) if aoi.crs else aoi
    mem = gdal.GetDriverByName("MEM").Create("", ds.RasterXSize, ds.RasterYSize, 1, gdal.GDT_Byte)
    mem.SetGeoTransform(ds.GetGeoTransform())
    srs = None
    if crs:
        mem.SetProjection(crs)
        srs = osr.SpatialReference()
        srs.ImportFromWkt(crs)
    source = ogr.GetDriverByName("Memory").CreateDataSource("aoi")
    layer = source.CreateLayer("aoi", srs)
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(local.geometry)
    layer.CreateFeature(feature)
    gdal.RasterizeLayer(mem, [1], layer, burn_values=[1])
    return mem.GetRasterBand(1).ReadAsArray().astype(bool)


def mask_to_polygon(path: str, aoi: Aoi | None, progress=None) -> int:
    """Set every pixel of `path` outside the polygon `aoi` to the band's no-data (0 when none); atomic.

    Returns the number of pixels masked per band (0: the polygon covers the whole raster and the
    file is left as it is). Raises OutputError (one line) when the file cannot be rewritten.
    """
    if aoi is None:
        return 0
    path = os.path.abspath(path)
    ds = gdal.Open(path)
    inside = polygon_mask(ds, aoi)
    outside = int((~inside).sum())
    ds = None
    if outside == 0:
        return 0
    stem = os.path.join(os.path.dirname(path), "." + os.path.basename(path))
    tmp_tiff, tmp_cog = f"{stem}.{os.getpid()}.mask.part.tif", f"{stem}.{os.getpid()}.mask.cog.part.tif"
    try:
        gdal.Translate(tmp_tiff, path, format="GTiff",
                       creationOptions=["TILED=YES", "COMPRESS=DEFLATE", "ZLEVEL=1", "BIGTIFF=IF_SAFER"])
        work = gdal.Open(tmp_tiff, gdal.GA_Update)
        for i in range(1, work.RasterCount + 1):
            band = work.GetRasterBand(i)
            nodata = band.GetNoDataValue()
            if nodata is None:
                nodata = 0
                band.SetNoDataValue(0)
            values = band.ReadAsArray()
            values[~inside] = nodata
            band.WriteArray(values)
            if progress is not None:
                progress.update(0.8 * i / work.RasterCount, "masking to the area's polygon")
        work.SetMetadataItem(MASK_ITEM, "pixels outside the area's polygon set to no data")
        work.FlushCache()
        work = None
        gdal.Translate(tmp_cog, tmp_tiff, format="COG", creationOptions=COG_OPTIONS)
        publish(tmp_cog, path)
    except Cancelled:
        raise
    except RuntimeError as exc:
        raise OutputError(f"{path}: cannot mask to the area's polygon ({first_line(exc)})") from None
    finally:
        for p in (tmp_tiff, tmp_cog):
            if os.path.exists(p):
                os.remove(p)
    if progress is not None:
        progress.update(1.0, "masked to the area's polygon")
    return outside
