"""Cloud Optimized GeoTIFF output, written under a temporary name and renamed when complete.

Tiles are streamed into a tiled GeoTIFF beside the target; GDAL's COG driver then copies it
(internal tiling, DEFLATE, overviews) to a second temporary file, which replaces the target in
one rename. A failure or cancel removes both temporaries, so a reader never sees half a file.
"""

from __future__ import annotations

import os

import numpy as np
from osgeo import gdal

from ..errors import Cancelled, OutputError, first_line

gdal.UseExceptions()

COG_OPTIONS = ["COMPRESS=DEFLATE", "PREDICTOR=2", "BLOCKSIZE=512", "OVERVIEW_RESAMPLING=AVERAGE", "BIGTIFF=IF_SAFER",
               "NUM_THREADS=ALL_CPUS"]


def check_writable(path: str) -> None:
    """Fail early, before hours of work, if `path` cannot be written."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if os.path.isdir(path):
        raise OutputError(f"{path}: is a folder; give an output file name ending in .tif")
    if not os.path.isdir(folder):
        raise OutputError(f"{path}: cannot write output: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write output: no permission to write in {folder}")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise OutputError(f"{path}: cannot write output: the existing file is read-only")


class CogWriter:
    """Write a uint16 multi-band raster tile by tile; `commit()` publishes it as a COG.

    band_metadata: {band name: {key: value}}; "scale" and "offset" become the GDAL band
    scale/offset (what QGIS, GDAL and rasterio apply), every other key a band metadata item.
    metadata: dataset metadata items. More can be added before `commit()` with `set_metadata`.
    """

    def __init__(self, path: str, width: int, height: int, band_names, geotransform, crs_wkt: str, nodata: int = 0,
                 band_metadata: dict | None = None, metadata: dict | None = None):
        check_writable(path)
        self.path = os.path.abspath(path)
        stem = os.path.join(os.path.dirname(self.path), "." + os.path.basename(self.path))
        self.tmp_tiff = f"{stem}.{os.getpid()}.part.tif"
        self.tmp_cog = f"{stem}.{os.getpid()}.cog.part.tif"
        self.band_names = list(band_names)
        try:
            self.ds = gdal.GetDriverByName("GTiff").Create(
                self.tmp_tiff, width, height, len(self.band_names), gdal.GDT_UInt16,
                ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "ZLEVEL=1", "BIGTIFF=IF_SAFER"],
            )
        except RuntimeError as exc:
            self.abort()
            raise OutputError(f"{path}: cannot write output ({first_line(exc)})") from None
        self.ds.SetGeoTransform(geotransform)
        if crs_wkt:
            self.ds.SetProjection(crs_wkt)
        for i, name in enumerate(self.band_names, start=1):
            band = self.ds.GetRasterBand(i)
            band.SetDescription(name)
            band.SetNoDataValue(nodata)
        self.set_metadata(metadata or {})
        for name, items in (band_metadata or {}).items():
            self.set_metadata(items, band=name)

    def set_metadata(self, items: dict, band: str | None = None) -> None:
        """Dataset items (band=None) or one band's items; "scale"/"offset" of a band set its GDAL scale/offset."""
        target = self.ds if band is None else self.ds.GetRasterBand(self.band_names.index(band) + 1)
        for key, value in items.items():
            if band is not None and key == "scale":
                target.SetScale(float(value))
            elif band is not None and key == "offset":
                target.SetOffset(float(value))
            else:
                target.SetMetadataItem(str(key), str(value))

    def write(self, name: str, row: int, col: int, data: np.ndarray) -> None:
        """Write `data` at (row, col), cropped to the raster."""
        h = min(data.shape[0], self.ds.RasterYSize - row)
        w = min(data.shape[1], self.ds.RasterXSize - col)
        if h <= 0 or w <= 0:
            return
        try:
            self.ds.GetRasterBand(self.band_names.index(name) + 1).WriteArray(
                np.ascontiguousarray(data[:h, :w]), xoff=col, yoff=row)
        except RuntimeError as exc:
            raise OutputError(f"{self.path}: write failed ({first_line(exc)}; disk full?)") from None

    def commit(self, progress=None) -> str:
        self.ds.FlushCache()
        self.ds = None

        def callback(fraction, _msg, _data):
            if progress is None:
                return 1
            try:
                progress.update(fraction, "writing Cloud Optimized GeoTIFF")
            except Cancelled:
                return 0  # GDAL stops and raises
            return 1

        try:
            gdal.Translate(self.tmp_cog, self.tmp_tiff, format="COG", creationOptions=COG_OPTIONS, callback=callback)
        except RuntimeError as exc:
            self.abort()
            if progress is not None and progress.cancelled:
                raise Cancelled() from None
            raise OutputError(f"{self.path}: cannot write Cloud Optimized GeoTIFF ({first_line(exc)})") from None
        os.replace(self.tmp_cog, self.path)
        self._remove(self.tmp_tiff)
        return self.path

    def abort(self) -> None:
        self.ds = None
        for p in (self.tmp_tiff, self.tmp_cog):
            self._remove(p)

    @staticmethod
    def _remove(p: str) -> None:
        try:
            gdal.Unlink(p) if p.startswith("/vsi") else os.remove(p)
        except (OSError, RuntimeError):
            pass
