"""Cloud Optimized GeoTIFF output, written under a temporary name and renamed when complete.

Tiles are streamed into a tiled GeoTIFF beside the target; GDAL's COG driver then copies it
(internal tiling, DEFLATE, overviews) to a second temporary file, which replaces the target in
one rename. A failure or cancel removes both temporaries, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np
from osgeo import gdal

from ..errors import Cancelled, OutputError, first_line

gdal.UseExceptions()

# GDAL's block cache (default 5 % of the machine's memory) fills with the written blocks of the
# temporary GTiff and the read blocks of the product as a scene streams, so resident memory grew
# with the area (a full tile: +1.2 GB on a 24 GB machine). The engine's reads and writes are
# local (one tile at a time), so a small cache costs nothing; GDAL_CACHEMAX set by the user wins.
CACHE_MB = 128

# DEFLATE's fastest level: on the enhanced bands (uint16, horizontal predictor) it wrote a file no
# larger than the default level 6 (19.2 against 19.6 MB for 14 bands of 960 x 960 px) in 0.8 x the
# time, and the COG copy is a tenth of a small run.
COG_OPTIONS = ["COMPRESS=DEFLATE", "LEVEL=1", "PREDICTOR=2", "BLOCKSIZE=512", "OVERVIEW_RESAMPLING=AVERAGE",
               "BIGTIFF=IF_SAFER", "NUM_THREADS=ALL_CPUS"]


def bound_gdal_cache(mb: int = CACHE_MB) -> None:
    """Cap GDAL's block cache at `mb` MB for this process (unless GDAL_CACHEMAX is set)."""
    if os.environ.get("GDAL_CACHEMAX") or gdal.GetConfigOption("GDAL_CACHEMAX"):
        return
    if gdal.GetCacheMax() > mb * 2**20:
        gdal.SetCacheMax(mb * 2**20)


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


def check_outputs(output_path: str, original_path: str | None = None, uncertainty_path: str | None = None) -> None:
    """check_writable for an output and its companions (the --original bands as delivered, the
    --uncertainty layer), which must be three different files; one-line OutputErrors naming the option."""
    check_writable(output_path)
    taken = {os.path.abspath(output_path): "the output file"}
    for option, path in (("--original", original_path), ("--uncertainty", uncertainty_path)):
        if not path:
            continue
        if os.path.abspath(path) in taken:
            raise OutputError(f"{option} {path}: must not be {taken[os.path.abspath(path)]}")
        try:
            check_writable(path)
        except OutputError as exc:
            raise OutputError(f"{option} {exc}") from None
        taken[os.path.abspath(path)] = f"the {option} file"


# Pixel types the writers make: the enhanced bands (uint16 DN) and the uncertainty layer (float32).
DTYPES = {"uint16": gdal.GDT_UInt16, "float32": gdal.GDT_Float32}


def cog_options(dtype: str = "uint16") -> list:
    """COG_OPTIONS for a pixel type: floats get the floating-point predictor (2 is for integers) and,
    where this GDAL has it, ZSTD (FLOAT_COMPRESSION)."""
    if dtype == "uint16":
        return COG_OPTIONS
    method = _float_compression("COG")
    return [f"COMPRESS={method}" if o.startswith("COMPRESS=") else "PREDICTOR=FLOATING_POINT" if o == "PREDICTOR=2"
            else o for o in COG_OPTIONS]


# Band-interleaved: the engine writes a tile band by band, and in a pixel-interleaved file every
# band's write of a tile touches the blocks all bands share (a 12-band float32 layer of 1920 x 1920 px
# written in 480 px tiles took 1.27 s pixel-interleaved, 0.61 s band-interleaved, and came out larger).
TIFF_OPTIONS = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "ZLEVEL=1", "BIGTIFF=IF_SAFER",
                "INTERLEAVE=BAND"]
# The float32 rasters (the uncertainty layer) are as large as the output in twice the bytes, and
# writing them is most of what the layer costs: ZSTD's fastest level wrote the temporary file and
# the COG of a 12-band 1920 x 1920 px layer in 3.1 s against DEFLATE's 4.7 s, 8 % smaller. Every
# GDAL in QGIS's installers since 2.3 has it; a build without it gets DEFLATE.
FLOAT_COMPRESSION = "ZSTD"


def tiff_options(dtype: str = "uint16") -> list:
    """TIFF_OPTIONS (the temporary GTiffs) for a pixel type (FLOAT_COMPRESSION for floats)."""
    if dtype == "uint16" or _float_compression("GTiff") == "DEFLATE":
        return TIFF_OPTIONS
    return [o for o in TIFF_OPTIONS if not o.startswith(("COMPRESS=", "ZLEVEL="))] + [
        f"COMPRESS={FLOAT_COMPRESSION}", f"{FLOAT_COMPRESSION}_LEVEL=1"]


def _float_compression(driver: str) -> str:
    options = gdal.GetDriverByName(driver).GetMetadataItem("DMD_CREATIONOPTIONLIST") or ""
    return FLOAT_COMPRESSION if FLOAT_COMPRESSION in options else "DEFLATE"


class _TiffWriter:
    """A tiled GTiff (uint16, or `dtype` float32) at a temporary name beside `path` (`.<name>.<pid><suffix>`)."""

    suffix = ".part.tif"

    def __init__(self, path: str, width: int, height: int, band_names, geotransform, crs_wkt: str, nodata: float = 0,
                 band_metadata: dict | None = None, metadata: dict | None = None, dtype: str = "uint16"):
        check_writable(path)
        self.dtype = dtype
        bound_gdal_cache()
        self.path = os.path.abspath(path)
        stem = os.path.join(os.path.dirname(self.path), "." + os.path.basename(self.path))
        self.tmp_tiff = f"{stem}.{os.getpid()}{self.suffix}"
        self.band_names = list(band_names)
        self.ds = None
        try:
            self.ds = gdal.GetDriverByName("GTiff").Create(
                self.tmp_tiff, width, height, len(self.band_names), DTYPES[dtype], tiff_options(dtype))
        except RuntimeError as exc:
            self.abort()
            raise OutputError(f"{path}: cannot write output ({first_line(exc)})") from None
        describe(self.ds, self.band_names, geotransform, crs_wkt, nodata, band_metadata, metadata)

    def set_metadata(self, items: dict, band: str | None = None) -> None:
        """Dataset items (band=None) or one band's items; "scale"/"offset" of a band set its GDAL scale/offset."""
        set_items(self.ds, self.band_names, items, band)

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

    def _close(self) -> None:
        try:
            self.ds.FlushCache()
            self.ds = None
        except RuntimeError as exc:
            self.abort()
            raise OutputError(f"{self.path}: write failed ({first_line(exc)}; disk full?)") from None

    def abort(self) -> None:
        self.ds = None
        _remove(self.tmp_tiff)


class PartWriter(_TiffWriter):
    """One piece of a raster (core.batch): a tiled GTiff, renamed to `path` when complete."""

    def commit(self) -> str:
        self._close()
        os.replace(self.tmp_tiff, self.path)
        return self.path


class CogWriter(_TiffWriter):
    """Write a uint16 multi-band raster tile by tile; `commit()` publishes it as a COG.

    band_metadata: {band name: {key: value}}; "scale" and "offset" become the GDAL band
    scale/offset (what QGIS, GDAL and rasterio apply), every other key a band metadata item.
    metadata: dataset metadata items. More can be added before `commit()` with `set_metadata`.
    """

    def __init__(self, path: str, *args, **kwargs):
        self.tmp_cog = _tmp_cog(path)
        super().__init__(path, *args, **kwargs)

    def commit(self, progress=None) -> str:
        self._close()
        try:
            translate_cog(self.tmp_tiff, self.tmp_cog, self.path, progress, cog_options(self.dtype))
        finally:
            self.abort()
        return self.path

    def abort(self) -> None:
        super().abort()
        _remove(self.tmp_cog)


def describe(ds, band_names, geotransform, crs_wkt, nodata=0, band_metadata=None, metadata=None) -> None:
    ds.SetGeoTransform(geotransform)
    if crs_wkt:
        ds.SetProjection(crs_wkt)
    for i, name in enumerate(band_names, start=1):
        band = ds.GetRasterBand(i)
        band.SetDescription(name)
        band.SetNoDataValue(nodata)
    set_items(ds, band_names, metadata or {})
    for name, items in (band_metadata or {}).items():
        set_items(ds, band_names, items, band=name)


def set_items(ds, band_names, items: dict, band: str | None = None) -> None:
    target = ds if band is None else ds.GetRasterBand(list(band_names).index(band) + 1)
    for key, value in items.items():
        if band is not None and key == "scale":
            target.SetScale(float(value))
        elif band is not None and key == "offset":
            target.SetOffset(float(value))
        else:
            target.SetMetadataItem(str(key), str(value))


def assemble_cog(path: str, parts, width: int, height: int, band_names, geotransform, crs_wkt: str,
                 nodata: float = 0, band_metadata: dict | None = None, metadata: dict | None = None, progress=None,
                 dtype: str = "uint16") -> str:
    """Publish the pieces `parts` (GTiffs on the same grid, e.g. from PartWriter) as one COG at
    `path`, width x height px from `geotransform`: through a VRT (no copy) and GDAL's COG driver
    into a temporary file renamed when complete. Pixels no piece covers are no-data. dtype: the
    pieces' pixel type (float32: the uncertainty layer, nodata NaN), for the COG's predictor."""
    check_writable(path)
    bound_gdal_cache()
    missing = [p for p in parts if not os.path.isfile(p)]
    if missing:
        raise OutputError(f"{path}: cannot assemble: piece {missing[0]} is missing")
    x0, dx, _, y0, _, dy = geotransform
    bounds = (x0, y0 + height * dy, x0 + width * dx, y0) if dy < 0 else (x0, y0, x0 + width * dx, y0 + height * dy)
    vrt_path = f"/vsimem/digisat-assemble-{os.getpid()}-{id(parts)}.vrt"
    tmp_cog = _tmp_cog(path)
    try:
        vrt = gdal.BuildVRT(vrt_path, list(parts), outputBounds=bounds, xRes=abs(dx), yRes=abs(dy),
                            srcNodata=nodata, VRTNodata=nodata)
        if vrt is None or (vrt.RasterXSize, vrt.RasterYSize) != (width, height):
            raise RuntimeError(f"the pieces make a {vrt.RasterXSize if vrt else 0} x "
                               f"{vrt.RasterYSize if vrt else 0} px mosaic, not {width} x {height}")
        describe(vrt, band_names, geotransform, crs_wkt, nodata, band_metadata, metadata)
        vrt.FlushCache()
        translate_cog(vrt, tmp_cog, os.path.abspath(path), progress, cog_options(dtype))
        vrt = None
    except RuntimeError as exc:
        raise OutputError(f"{path}: cannot assemble the pieces ({first_line(exc)})") from None
    finally:
        vrt = None
        _remove(vrt_path)
        _remove(tmp_cog)
    return os.path.abspath(path)


def _tmp_cog(path: str) -> str:
    path = os.path.abspath(path)
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}.cog.part.tif")


def translate_cog(src, tmp_cog: str, final: str, progress, options=None) -> None:
    """GDAL's COG driver from `src` to `tmp_cog`, renamed to `final` (Cancelled on cancel)."""

    def callback(fraction, _msg, _data):
        if progress is None:
            return 1
        try:
            progress.update(fraction, "writing Cloud Optimized GeoTIFF")
        except Cancelled:
            return 0  # GDAL stops and raises
        return 1

    options = options or COG_OPTIONS
    # The COG driver computes the overviews into a temporary GTiff whose ZSTD level is not LEVEL
    # but GDAL's default (9), unless this configuration option says otherwise: on a 12-band float32
    # layer of 1920 x 1920 px the copy took 3.1-3.5 s at that level, 2.2-2.3 s at level 1 (file size
    # unchanged: the COG's own overviews are written at LEVEL). DEFLATE's default level cost nothing
    # measurable on the uint16 output.
    level = next((o.split("=", 1)[1] for o in options if o.startswith("LEVEL=")), None)
    overview_level = level if "COMPRESS=ZSTD" in options else None
    previous = gdal.GetThreadLocalConfigOption("ZSTD_LEVEL_OVERVIEW", None)
    gdal.SetThreadLocalConfigOption("ZSTD_LEVEL_OVERVIEW", overview_level or previous)
    try:
        gdal.Translate(tmp_cog, src, format="COG", creationOptions=options, callback=callback)
    except RuntimeError as exc:
        _remove(tmp_cog)
        if progress is not None and progress.cancelled:
            raise Cancelled() from None
        raise OutputError(f"{final}: cannot write Cloud Optimized GeoTIFF ({first_line(exc)})") from None
    finally:
        gdal.SetThreadLocalConfigOption("ZSTD_LEVEL_OVERVIEW", previous)
    publish(tmp_cog, final)


def publish(tmp: str, final: str) -> None:
    """`tmp` renamed to `final`, and the GDAL sidecar (PAM `.aux.xml`) of a file it replaces removed:
    QGIS writes statistics and histograms there, which would describe the old pixels (a stretch
    from them) and would outlive the file they belong to."""
    os.replace(tmp, final)
    remove_sidecar(final)


def remove_sidecar(path: str) -> None:
    """The `.aux.xml` beside `path`, if any (one another program holds open stays)."""
    with contextlib.suppress(OSError):
        os.remove(path + ".aux.xml")


def _remove(p: str) -> None:
    try:
        gdal.Unlink(p) if p.startswith("/vsi") else os.remove(p)
    except (OSError, RuntimeError):
        pass
