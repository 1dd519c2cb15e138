"""A time series over an area: every clear date between two days, super-resolved, one COG per date.

`run_series(source, aoi, start, end, out_dir, ...)`:

1. search the catalogue (core/catalog: the tile cloud limit goes to the server, and STAC L2A scenes
   get their cloud over the area from the SCL window, core/catalog/scl.py);
2. group the scenes by UTC date; per date and tile the clearest scene; the date's tiles are ordered
   by how much of the area their footprint covers (the first is the date's grid). A date is judged
   by its cloud over the area: one tile's SCL measure, or with two tiles or more the measure on
   their mosaic (`combined_area_cloud`: clear where any tile sees it clear); what is above
   `max_area_cloud` is dropped and listed in the index with the reason;
3. per date: fetch each scene's window (the source's `fetch`: STAC reads only the area + 240 m of
   each COG), super-resolve it with the one engine (`core.sr.engine.superresolve`, area = the AOI),
   and write `out_dir/<date>_<tile>_enhanced.tif`. With two or more tiles each is super-resolved on
   its own and the results are mosaicked onto the first tile's grid: the first tile's pixels where
   it has data, the next tile's where it has none (GDAL warp, nearest neighbour, band by band; a
   tile in another UTM zone is reprojected by nearest neighbour). The file is then named
   `<date>_<tile1>+<tile2>_enhanced.tif`;
   With `uncertainty`, each date's uncertainty layer `<date>_<tile>_uncertainty.tif` beside it
   (core/definitions.uncertainty_path_for; the engine's, mosaicked as the enhanced raster is, no
   data NaN);
4. optional spectral indices per date (core/indices.py) as float32 COGs `<date>_<tile>_<INDEX>.tif`;
5. `out_dir/series.json`: the dates, tiles, files, scenes (ids, tile and area cloud, the share of
   the area each footprint covers), how each date was made, and the scenes filtered out; the same
   dates as a self-contained STAC catalog (`catalog.json`, one item per date in `items/`).

With `scheduler` or `workers` the super-resolution goes through core/batch.run_batch (Dask
distributed; every date's windows are fetched first, then one batch task per scene); there the
engine sees each fetched window whole (the area + 240 m), so its guard and blur estimate are
measured on that window instead of the area alone, and the result is cropped to the area's window.

Every file is written under a temporary name and renamed when complete. A rerun skips the dates
whose files all exist as valid COGs (only missing index files are written again); one date failing
(a scene that cannot be fetched) does not stop the others. Pure Python (no Qt); ONNX Runtime loads
only inside the engine.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import math
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
from osgeo import gdal, ogr, osr

from .definitions import BANDS_10M, BANDS_20M, BANDS_60M, ORDER, sort_bands, uncertainty_path_for
from .errors import AoiError, Cancelled, DigisatError, InputError, OutputError, first_line
from .indices import check_bands, parse_indices, publish_cog, write_index
from .io.cog import check_writable, cog_options, tiff_options
from .progress import as_progress

gdal.UseExceptions()
ogr.UseExceptions()

INDEX_FILE = "series.json"
ENHANCED = "enhanced"
SEARCH_LIMIT = 1000  # scenes read at most per series (one tile is seen about 150 times a year)
DEFAULT_BANDS = sort_bands(BANDS_10M + BANDS_20M + BANDS_60M)


@dataclass
class SeriesDate:
    """One date of the series and what became of it."""

    date: str
    scenes: list  # core.catalog.SceneRecord, the date's grid first (most of the area covered)
    coverage: dict  # scene id -> percent of the area inside its footprint
    enhanced: str  # absolute path of <date>_<tiles>_enhanced.tif
    indices: dict = field(default_factory=dict)  # index name -> absolute path
    status: str = "pending"  # pending, skipped, done, failed
    message: str = ""
    mosaic: str = ""  # how the date's raster was made, in words
    notices: list = field(default_factory=list)
    seconds: float = 0.0
    area_cloud: float | None = None  # percent of the area not clear: the first tile's, or on the tiles' mosaic
    redo_enhanced: bool = True  # False: the enhanced file is valid, only index files are missing
    uncertainty: str = ""  # absolute path of <date>_<tiles>_uncertainty.tif, when asked for

    @property
    def tiles(self) -> list:
        return [s.tile or "tile" for s in self.scenes]

    @property
    def name(self) -> str:
        return f"{self.date}_{'+'.join(self.tiles)}"

    def line(self) -> str:
        if self.status == "done":
            extras = (["uncertainty"] if self.uncertainty else []) + list(self.indices)
            extra = f" + {', '.join(extras)}" if extras else ""
            return f"done {self.date} ({'+'.join(self.tiles)}): {self.enhanced}{extra} in {self.seconds:.1f} s"
        return f"{self.status} {self.date} ({'+'.join(self.tiles)}): {self.message}"


@dataclass
class SeriesReport:
    dates: list
    filtered: list = field(default_factory=list)  # {"id", "date", "tile", "reason"} of scenes left out
    index_path: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(d.status in ("done", "skipped") for d in self.dates)

    def by_status(self, status: str) -> list:
        return [d for d in self.dates if d.status == status]

    def summary(self) -> str:
        counts = {s: len(self.by_status(s)) for s in ("done", "skipped", "failed")}
        return (f"series: {counts['done']} dates done, {counts['skipped']} skipped (already done), "
                f"{counts['failed']} failed of {len(self.dates)}; {len(self.filtered)} scenes filtered out; "
                f"index {self.index_path} ({self.seconds:.1f} s)")


# ---- planning ----------------------------------------------------------------------------------

def output_path(out_dir: str, date: str, tiles, what: str) -> str:
    return os.path.join(out_dir, f"{date}_{'+'.join(tiles)}_{what}.tif")


def prepare_out_dir(out_dir: str) -> str:
    if not out_dir:
        raise OutputError("--out: give an output folder")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise OutputError(f"--out {out_dir}: is a file, not a folder")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {out_dir}: cannot create the folder ({first_line(exc)})") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"--out {out_dir}: no permission to write in this folder")
    return os.path.abspath(out_dir)


def check_dates(start: str, end: str) -> None:
    days = []
    for name, text in (("--start", start), ("--end", end)):
        try:
            days.append(dt.date.fromisoformat(str(text)))
        except ValueError:
            raise InputError(f"{name} {text!r}: expected a day as YYYY-MM-DD") from None
    if days[1] < days[0]:
        raise InputError(f"--end {end}: before --start {start}")


def aoi_coverage(scene, aoi) -> float:
    """Percent of the area (EPSG:4326) inside the scene's footprint; 100 when it has none."""
    if not scene.footprint:
        return 100.0
    try:
        area = ogr.CreateGeometryFromJson(json.dumps(aoi.wgs84_geojson()))
        foot = ogr.CreateGeometryFromJson(json.dumps(scene.footprint))
        if area.GetArea() <= 0:
            return 100.0
        return float(100.0 * area.Intersection(foot).GetArea() / area.GetArea())
    except RuntimeError:
        return 100.0


def _cloud(scene) -> float:
    for value in (scene.area_cloud, scene.cloud_cover):
        if value is not None:
            return float(value)
    return 0.0


def group_by_date(scenes: list, aoi) -> list:
    """[(date, [scenes, one per tile, most of the area first], {id: coverage %})], oldest date first.
    Two scenes of one tile and date (a reprocessing): the clearer, then the newer id."""
    by_date: dict = {}
    for scene in scenes:
        tiles = by_date.setdefault(scene.date, {})
        best = tiles.get(scene.tile)
        if best is None or (_cloud(scene), best.id) < (_cloud(best), scene.id):
            tiles[scene.tile] = scene
    out = []
    for date in sorted(by_date):
        chosen = list(by_date[date].values())
        coverage = {s.id: aoi_coverage(s, aoi) for s in chosen}
        chosen.sort(key=lambda s: (-coverage[s.id], _cloud(s), s.tile))
        out.append((date, chosen, coverage))
    return out


def combined_area_cloud(scenes: list, aoi) -> float | None:
    """Percent of the area not clear on the mosaic of `scenes` (one per tile): each scene's SCL window
    (core/catalog/scl.py's classes) on the first one's 20 m grid over the area; a pixel is clear when
    any scene sees it clear. None when a scene has no SCL or one cannot be read (then each tile is
    judged alone)."""
    from .catalog.scl import NOT_CLEAR
    from .catalog.stac import vsi_path

    hrefs = [s.extra.get("scl") for s in scenes]
    if not scenes or not all(hrefs) or aoi is None or not aoi.crs:
        return None
    keys = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "GDAL_HTTP_TIMEOUT": "30", "GDAL_HTTP_MAX_RETRY": "3"}
    before = {k: gdal.GetThreadLocalConfigOption(k, None) for k in keys}
    for k, v in keys.items():
        gdal.SetThreadLocalConfigOption(k, v)
    try:
        first = gdal.Open(vsi_path(hrefs[0]))
        wkt, gt = first.GetProjection(), first.GetGeoTransform()
        xmin, ymin, xmax, ymax = aoi.transformed(wkt).bounds()
        res = abs(gt[1])
        x0, y1 = gt[0] + math.floor((xmin - gt[0]) / res) * res, gt[3] - math.floor((gt[3] - ymax) / res) * res
        x1, y0 = gt[0] + math.ceil((xmax - gt[0]) / res) * res, gt[3] - math.ceil((gt[3] - ymin) / res) * res
        clear = None
        for href in hrefs:
            warped = gdal.Warp("", vsi_path(href), format="MEM", outputBounds=(x0, y0, x1, y1), xRes=res, yRes=res,
                               dstSRS=wkt, resampleAlg="near", dstNodata=0)
            ok = ~np.isin(warped.GetRasterBand(1).ReadAsArray(), NOT_CLEAR)
            clear = ok if clear is None else clear | ok
        return float(100.0 * (1.0 - clear.mean())) if clear is not None and clear.size else None
    except RuntimeError:
        return None
    finally:
        for k, v in before.items():
            gdal.SetThreadLocalConfigOption(k, v)


def plan_series(source, aoi, start: str, end: str, out_dir: str, max_cloud: float = 100.0,
                max_area_cloud: float | None = None, level: str = "L2A", bands=None, indices=(),
                uncertainty: bool = False) -> SeriesReport:
    """Search and group; one SeriesDate per date (skipped where its files are already valid COGs;
    with `uncertainty` the enhanced raster is redone when its uncertainty layer is not)."""
    from .batch import is_valid_output

    names = parse_indices(indices)
    unknown = [b for b in (bands or []) if b not in ORDER]
    if unknown:
        raise InputError(f"--bands: unknown band {unknown[0]}")
    out_bands = sort_bands(bands) if bands else DEFAULT_BANDS
    check_bands(names, out_bands)
    check_dates(start, end)
    if max_area_cloud is not None and not 0 <= float(max_area_cloud) <= 100:
        raise InputError(f"--max-area-cloud {max_area_cloud:g}: expected a percentage from 0 to 100")
    if aoi is None:
        raise AoiError("--aoi: a time series needs an area")
    out_dir = prepare_out_dir(out_dir)
    scenes = source.search(aoi, start, end, max_cloud=max_cloud, level=level, limit=SEARCH_LIMIT)
    filtered, groups = [], []

    def drop(scene, reason):
        filtered.append({"id": scene.id, "date": scene.date, "tile": scene.tile, "reason": reason})

    for date, chosen, coverage in group_by_date(scenes, aoi):
        # two tiles or more: the cloud over the area is measured on their mosaic (a pixel is clear when
        # one tile sees it clear), since each tile alone counts the part of the area it misses as not clear
        combined = combined_area_cloud(chosen, aoi) if len(chosen) > 1 else None
        if max_area_cloud is not None and combined is not None and combined > max_area_cloud:
            for scene in chosen:
                drop(scene, f"{combined:.1f}% cloud over the area on the mosaic of {'+'.join(s.tile for s in chosen)} "
                            f"(more than {max_area_cloud:g}%)")
            continue
        if max_area_cloud is not None and combined is None:
            for scene in [s for s in chosen if s.area_cloud is not None and s.area_cloud > max_area_cloud]:
                drop(scene, f"{scene.area_cloud:.1f}% cloud over the area (more than {max_area_cloud:g}%)")
                chosen.remove(scene)
        if chosen:
            cloud = combined if combined is not None else chosen[0].area_cloud
            groups.append((date, chosen, coverage, cloud))
    if not groups:
        from .catalog.errors import NotFoundError

        if not scenes:
            raise NotFoundError(f"no {level} scene with at most {max_cloud:g}% cloud cover over the area between "
                                f"{start} and {end} ({getattr(source, 'kind', 'catalogue')})")
        raise NotFoundError(f"every one of the {len(scenes)} scenes has more than {max_area_cloud:g}% cloud over the "
                            f"area (--max-area-cloud)")
    dates = []
    for date, chosen, coverage, cloud in groups:
        tiles = [s.tile or "tile" for s in chosen]
        entry = SeriesDate(date, chosen, coverage, output_path(out_dir, date, tiles, ENHANCED),
                           {n: output_path(out_dir, date, tiles, n) for n in names}, area_cloud=cloud)
        if uncertainty:
            entry.uncertainty = uncertainty_path_for(entry.enhanced)
        # with the bands asked (default: all but B10); the uncertainty layer needs the engine's run
        enhanced_ok = all(is_valid_output(p, out_bands) for p in (entry.enhanced, entry.uncertainty) if p)
        if enhanced_ok and all(is_valid_output(p, [n]) for n, p in entry.indices.items()):
            entry.status, entry.message = "skipped", f"{os.path.basename(entry.enhanced)} exists (a valid COG)"
        elif enhanced_ok:
            entry.redo_enhanced = False  # only index files are missing
        dates.append(entry)
    return SeriesReport(dates, filtered)


# ---- mosaicking --------------------------------------------------------------------------------

def _extent(ds, target_wkt: str) -> tuple:
    gt, w, h = ds.GetGeoTransform(), ds.RasterXSize, ds.RasterYSize
    corners = [(gt[0] + c * gt[1], gt[3] + r * gt[5]) for c, r in ((0, 0), (w, 0), (w, h), (0, h))]
    src_wkt = ds.GetProjection()
    if src_wkt and target_wkt:
        src, dst = osr.SpatialReference(wkt=src_wkt), osr.SpatialReference(wkt=target_wkt)
        if not src.IsSame(dst):
            for s in (src, dst):
                s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
            tr = osr.CoordinateTransformation(src, dst)
            corners = [tr.TransformPoint(x, y)[:2] for x, y in corners]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def temp_name(path: str, tag: str = "") -> str:
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.{os.getpid()}.{tag}part.tif")


def mosaic(parts: list, output: str, bounds: tuple | None = None, note: str = "", progress=None,
           nodata: float = 0) -> str:
    """Mosaic `parts` (engine outputs, same bands) into a COG at `output` on the first part's grid:
    each pixel from the first part that has data there (per band), no data `nodata` where none has
    (0; NaN for the uncertainty layers, float32, where the enhanced parts have 0).
    bounds: (xmin, ymin, xmax, ymax) in the first part's CRS (default: the union of the parts),
    snapped outward to its pixel grid. Band names, scale/offset and metadata are the first part's."""
    progress = as_progress(progress)
    ref = gdal.Open(parts[0])
    gt, wkt = ref.GetGeoTransform(), ref.GetProjection()
    if bounds is None:
        extents = [_extent(gdal.Open(p), wkt) for p in parts]
        bounds = (min(e[0] for e in extents), min(e[1] for e in extents), max(e[2] for e in extents),
                  max(e[3] for e in extents))
    res_x, res_y = gt[1], -gt[5]
    x0 = gt[0] + math.floor((bounds[0] - gt[0]) / res_x + 1e-6) * res_x
    x1 = gt[0] + math.ceil((bounds[2] - gt[0]) / res_x - 1e-6) * res_x
    y1 = gt[3] - math.floor((gt[3] - bounds[3]) / res_y + 1e-6) * res_y
    y0 = gt[3] - math.ceil((gt[3] - bounds[1]) / res_y - 1e-6) * res_y
    check_writable(output)
    tmp, tmp_cog = temp_name(output), temp_name(output, "cog.")
    dtype = "float32" if ref.GetRasterBand(1).DataType == gdal.GDT_Float32 else "uint16"
    try:
        # gdal.Warp paints its sources in turn, each over the last where it has data: the first part last
        warped = gdal.Warp(tmp, list(reversed(parts)), format="GTiff", outputBounds=(x0, y0, x1, y1), xRes=res_x,
                           yRes=res_y, dstSRS=wkt or None, resampleAlg="near", srcNodata=nodata, dstNodata=nodata,
                           creationOptions=tiff_options(dtype),
                           callback=_gdal_callback(progress.stage(0.0, 0.6)))
        for i in range(1, ref.RasterCount + 1):
            src, dst = ref.GetRasterBand(i), warped.GetRasterBand(i)
            dst.SetDescription(src.GetDescription())
            dst.SetMetadata(src.GetMetadata())
            dst.SetScale(src.GetScale() or 1.0)
            dst.SetOffset(src.GetOffset() or 0.0)
            dst.SetNoDataValue(nodata)
        metadata = ref.GetMetadata()
        products = [gdal.Open(p).GetMetadataItem("SOURCE_PRODUCT") for p in parts]
        if any(products):  # the enhanced parts say theirs; the uncertainty layers do not
            metadata["SOURCE_PRODUCT"] = "; ".join(p or os.path.basename(f) for p, f in zip(products, parts, strict=True))
        metadata["DIGISAT_MOSAIC"] = note or "first part's grid"
        warped.SetMetadata(metadata)
        warped = None
        ref = None
        publish_cog(tmp, output, progress.stage(0.6, 1.0), cog_options(dtype))
    except RuntimeError as exc:
        if progress.cancelled:
            raise Cancelled() from None
        raise OutputError(f"{output}: cannot write the mosaic ({first_line(exc)})") from None
    finally:
        for p in (tmp, tmp_cog):
            if os.path.exists(p):
                os.remove(p)
    return output


def _gdal_callback(progress):
    def callback(fraction, _msg, _data):
        try:
            progress.update(fraction, "mosaicking the tiles")
        except Cancelled:
            return 0
        return 1

    return callback


# ---- running -----------------------------------------------------------------------------------

def remove_stale_parts(out_dir: str) -> None:
    """Temporary files a killed run left in `out_dir` ('.<name>.<pid>.*part.tif' of a process that is gone)."""
    for path in glob.glob(os.path.join(glob.escape(out_dir), ".*.part.tif")):
        m = re.search(r"\.(\d+)\.(?:cog\.)?part\.tif$", path)
        if not m or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            try:
                os.remove(path)
            except OSError:
                pass
        except PermissionError:
            pass


def run_series(source, aoi, start: str, end: str, out_dir: str, max_cloud: float = 100.0,
               max_area_cloud: float | None = None, level: str = "L2A", bands=None, indices=(),
               workdir: str | None = None, progress=None, notify=None, scheduler: str | None = None,
               workers: int | None = None, worker_threads: int | None = None, dashboard_address: str = ":8787",
               uncertainty: bool = False, **engine_options) -> SeriesReport:
    """The whole series (see the module docstring). engine_options: model_dir, tile_size, device,
    harmonise, guard (as `superresolve`). uncertainty: also each date's uncertainty layer
    (`<date>_<tiles>_uncertainty.tif`). notify(line): one line per date as it ends. Raises a
    DigisatError only for bad parameters or a failed search (before any work), Cancelled on cancel;
    a date that fails is reported, not raised."""
    started = time.monotonic()
    progress = as_progress(progress)
    notify = notify or (lambda line: None)
    model_dir = engine_options.get("model_dir")
    if model_dir and not os.path.isdir(model_dir):
        raise InputError(f"--model {model_dir}: model folder not found")
    if uncertainty:
        from .sr.uncertainty import check_calibration

        check_calibration(model_dir)
    progress.update(0.0, "searching (and measuring cloud over the area where the scenes have an SCL)")
    report = plan_series(source, aoi, start, end, out_dir, max_cloud, max_area_cloud, level, bands, indices,
                         uncertainty)
    out_dir = prepare_out_dir(out_dir)
    report.index_path = os.path.join(out_dir, INDEX_FILE)
    remove_stale_parts(out_dir)
    for scene in report.filtered:
        notify(f"filtered {scene['date']} {scene['id']}: {scene['reason']}")
    for entry in report.by_status("skipped"):
        notify(entry.line())
    todo = report.by_status("pending")
    query = {"start": start, "end": end, "max_cloud": max_cloud, "max_area_cloud": max_area_cloud, "level": level,
             "bands": sort_bands(bands) if bands else None, "indices": parse_indices(indices),
             "uncertainty": bool(uncertainty)}
    temp = None
    if workdir is None:
        workdir = temp = tempfile.mkdtemp(prefix="digisat-series-")
    try:
        if todo and (scheduler or workers):
            _run_batch(report, todo, source, aoi, bands, workdir, progress.stage(0.02, 0.98), notify,
                       scheduler, workers, worker_threads, dashboard_address, engine_options)
        else:
            for i, entry in enumerate(todo):
                stage = dated(progress.stage(0.02 + 0.96 * i / len(todo), 0.02 + 0.96 * (i + 1) / len(todo)),
                              entry.date)
                _run_date(entry, source, aoi, bands, workdir, stage, engine_options, keep_fetched=temp is None)
                notify(entry.line())
                write_index_json(report, aoi, query, source)
    finally:
        write_index_json(report, aoi, query, source)
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    report.seconds = time.monotonic() - started
    progress.update(1.0, report.summary())
    return report


def dated(progress, date: str):
    """A Progress over the same span as `progress` whose messages start with the date (the bar says which)."""
    from .progress import Progress

    return Progress(lambda f, m: progress.update(f, f"{date} {m}" if m else date), lambda: progress.cancelled)


def _fetch(entry: SeriesDate, source, aoi, bands, workdir: str, progress) -> list:
    """[(scene, band folder)] of the date's scenes that could be fetched; notes for the others."""
    from .catalog.errors import AuthError
    from .catalog.pipeline import bands_to_fetch

    folders = []
    for i, scene in enumerate(entry.scenes):
        part = progress.stage(i / len(entry.scenes), (i + 1) / len(entry.scenes))
        try:
            folders.append((scene, source.fetch(scene, aoi, bands_to_fetch(bands), workdir, progress=part)))
        except (AuthError, Cancelled):
            raise
        except DigisatError as exc:
            entry.notices.append(f"scene {scene.id} could not be fetched ({exc})")
    if not folders:
        raise DigisatError(entry.notices[-1] if len(entry.notices) == 1 else
                           f"none of the {len(entry.scenes)} scenes could be fetched; last: {entry.notices[-1]}")
    return folders


def _mosaic_note(folders: list, entry: SeriesDate, how: str) -> str:
    first = folders[0][0]
    if len(folders) == 1:
        text = f"one tile ({first.tile}, {entry.coverage.get(first.id, 100.0):.0f}% of the area in its footprint)"
        dropped = [s.tile for s in entry.scenes if s.id != first.id]
        return (text + (f"; super-resolved {how}" if how else "")
                + (f"; {', '.join(dropped)} could not be fetched" if dropped else ""))
    rest = ", ".join(f"{s.tile} ({entry.coverage.get(s.id, 100.0):.0f}%)" for s, _ in folders[1:])
    return (f"{len(folders)} tiles mosaicked on the grid of {first.tile} ({entry.coverage.get(first.id, 100.0):.0f}% "
            f"of the area): {first.tile}'s pixels where it has data, then {rest} where it has none; each tile "
            f"super-resolved on its own {how}")


def _run_date(entry: SeriesDate, source, aoi, bands, workdir: str, progress, engine_options: dict,
              keep_fetched: bool = True) -> None:
    """Fetch, super-resolve (and mosaic), indices, for one date; fills `entry` (failed, not raised).
    keep_fetched False: the date's fetched windows are removed once it is done (a temporary workdir)."""
    from .io.aoi import window_notices
    from .io.product import open_product
    from .sr.engine import superresolve

    started = time.monotonic()
    parts_dir, folders = None, []
    try:
        if entry.redo_enhanced:
            progress.update(0.0, f"fetching {', '.join(s.tile for s in entry.scenes)}")
            folders = _fetch(entry, source, aoi, bands, workdir, progress.stage(0.0, 0.3))
            for _scene, folder in folders:
                entry.notices.extend(window_notices(open_product(folder), aoi))
            sr_stage = progress.stage(0.3, 0.9 if entry.indices else 1.0)
            if len(folders) == 1:
                superresolve(folders[0][1], entry.enhanced, aoi=aoi, bands=bands, progress=sr_stage,
                             uncertainty_path=entry.uncertainty or None, **engine_options)
            else:
                parts_dir = tempfile.mkdtemp(prefix=f"parts-{entry.date}-", dir=workdir)  # removed below
                parts = []
                for i, (scene, folder) in enumerate(folders):
                    parts.append(os.path.join(parts_dir, f"{scene.tile or i}.tif"))
                    superresolve(folder, parts[-1], aoi=aoi, bands=bands,
                                 progress=sr_stage.stage(0.9 * i / len(folders), 0.9 * (i + 1) / len(folders)),
                                 uncertainty_path=uncertainty_path_for(parts[-1]) if entry.uncertainty else None,
                                 **engine_options)
                entry.mosaic = _mosaic_note(folders, entry, "(the area's window of each)")
                _mosaic_date(entry, parts, None, sr_stage.stage(0.9, 1.0))
            if not entry.mosaic:
                entry.mosaic = _mosaic_note(folders, entry, "")
        else:
            entry.mosaic = "enhanced raster of an earlier run (only index files were missing)"
        _write_indices(entry, progress.stage(0.9, 1.0))
        entry.status = "done"
    except Cancelled:
        raise
    except DigisatError as exc:
        entry.status, entry.message = "failed", str(exc)
    finally:
        if parts_dir:
            shutil.rmtree(parts_dir, ignore_errors=True)
        if not keep_fetched:
            for _scene, folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
        entry.seconds = time.monotonic() - started


def _mosaic_date(entry: SeriesDate, parts: list, bounds, progress) -> None:
    """The date's enhanced parts (engine outputs) mosaicked into its enhanced raster and, when asked,
    their uncertainty layers (beside each part) into its uncertainty layer, the same way: that one
    first, so a date whose enhanced raster exists has its layer."""
    if entry.uncertainty:
        mosaic([uncertainty_path_for(p) for p in parts], entry.uncertainty, bounds=bounds, note=entry.mosaic,
               progress=progress.stage(0.0, 0.3), nodata=float("nan"))
    mosaic(parts, entry.enhanced, bounds=bounds, note=entry.mosaic,
           progress=progress.stage(0.3 if entry.uncertainty else 0.0, 1.0))


def _write_indices(entry: SeriesDate, progress) -> None:
    from .batch import is_valid_output

    items = list(entry.indices.items())
    for i, (name, path) in enumerate(items):
        if not entry.redo_enhanced and is_valid_output(path, [name]):
            continue
        write_index(entry.enhanced, name, path, progress.stage(i / len(items), (i + 1) / len(items)))


def _run_batch(report, todo, source, aoi, bands, workdir, progress, notify, scheduler, workers, worker_threads,
               dashboard_address, engine_options) -> None:
    """Every pending date's windows fetched, the scenes super-resolved by core/batch.run_batch (Dask),
    then each date cropped to the area's window (and mosaicked) and its indices written."""
    from .batch import output_for, run_batch
    from .io.aoi import window_for, window_geotransform, window_notices
    from .io.product import open_product

    fetched = {}
    need = [e for e in todo if e.redo_enhanced]
    for i, entry in enumerate(need):
        try:
            fetched[entry.date] = _fetch(entry, source, aoi, bands, workdir,
                                         dated(progress.stage(0.2 * i / len(need), 0.2 * (i + 1) / len(need)),
                                               entry.date))
        except DigisatError as exc:
            if isinstance(exc, Cancelled):
                raise
            entry.status, entry.message = "failed", str(exc)
            notify(entry.line())
    folders = [folder for pairs in fetched.values() for _scene, folder in pairs]
    batch_out = os.path.join(workdir, "batch")
    results = {}
    if folders:
        batch = run_batch(folders, batch_out, scheduler=scheduler, workers=workers, bands=bands,
                          progress=progress.stage(0.2, 0.9), notify=notify, dashboard_address=dashboard_address,
                          worker_threads=worker_threads, uncertainty=any(e.uncertainty for e in need),
                          **{k: v for k, v in engine_options.items()
                             if k in ("model_dir", "tile_size", "device", "harmonise", "guard")})
        results = {job.input: job for job in batch.scenes}
    for i, entry in enumerate(todo):
        if entry.status == "failed":
            continue
        started = time.monotonic()
        stage = dated(progress.stage(0.9 + 0.1 * i / len(todo), 0.9 + 0.1 * (i + 1) / len(todo)), entry.date)
        try:
            if entry.redo_enhanced:
                done = []
                for scene, folder in fetched[entry.date]:
                    job = results.get(os.path.abspath(folder))
                    if job is not None and job.status in ("done", "skipped"):
                        done.append((scene, folder))
                        entry.seconds += job.seconds  # the scene's time on its Dask worker
                    else:
                        entry.notices.append(f"scene {scene.id}: {job.message if job else 'not run'}")
                if not done:
                    raise DigisatError(entry.notices[-1])
                product = open_product(done[0][1])
                wkt = product.crs_wkt
                bounds = None
                for _scene, folder in done:
                    p = open_product(folder)
                    entry.notices.extend(window_notices(p, aoi))
                    w = window_for(p, aoi)
                    gt = window_geotransform(p, w)
                    box = (gt[0], gt[3] + w.height * gt[5], gt[0] + w.width * gt[1], gt[3])
                    if p.crs_wkt != wkt:
                        box = _box_to(box, p.crs_wkt, wkt)
                    bounds = box if bounds is None else (min(bounds[0], box[0]), min(bounds[1], box[1]),
                                                         max(bounds[2], box[2]), max(bounds[3], box[3]))
                entry.mosaic = _mosaic_note(done, entry, "(its whole fetched window, on Dask) and cropped to the "
                                            "area's window")
                _mosaic_date(entry, [output_for(batch_out, f) for _s, f in done], bounds, stage.stage(0.0, 0.5))
            else:
                entry.mosaic = "enhanced raster of an earlier run (only index files were missing)"
            _write_indices(entry, stage.stage(0.5, 1.0))
            entry.status = "done"
        except Cancelled:
            raise
        except DigisatError as exc:
            entry.status, entry.message = "failed", str(exc)
        entry.seconds += time.monotonic() - started
        notify(entry.line())


def _box_to(box: tuple, src_wkt: str, dst_wkt: str) -> tuple:
    src, dst = osr.SpatialReference(wkt=src_wkt), osr.SpatialReference(wkt=dst_wkt)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    tr = osr.CoordinateTransformation(src, dst)
    pts = [tr.TransformPoint(x, y)[:2] for x in (box[0], box[2]) for y in (box[1], box[3])]
    return min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts)


# ---- the index of outputs ----------------------------------------------------------------------

def index_document(report: SeriesReport, aoi, query: dict, source=None) -> dict:
    folder = os.path.dirname(report.index_path)

    def rel(path: str) -> str:
        return os.path.relpath(path, folder)

    dates = []
    for entry in report.dates:
        if entry.status == "pending":
            continue
        dates.append({
            "date": entry.date, "datetime": entry.scenes[0].datetime, "tiles": entry.tiles, "status": entry.status,
            "area_cloud": None if entry.area_cloud is None else round(entry.area_cloud, 2),
            "message": entry.message, "enhanced": rel(entry.enhanced),
            **({"uncertainty": rel(entry.uncertainty)} if entry.uncertainty else {}),
            "indices": {n: rel(p) for n, p in entry.indices.items()}, "mosaic": entry.mosaic,
            "notices": entry.notices,
            "scenes": [{"id": s.id, "tile": s.tile, "datetime": s.datetime, "cloud_cover": s.cloud_cover,
                        "area_cloud": s.area_cloud, "aoi_coverage": round(entry.coverage.get(s.id, 100.0), 2),
                        "level": s.level, "source": s.source} for s in entry.scenes],
        })
    return {
        "type": "digisat-series", "version": 1,
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aoi": {"wkt": aoi.wkt, "crs": aoi.crs, "wgs84_bounds": list(aoi.wgs84_bounds()) if aoi.crs else None},
        "query": dict(query, source=getattr(source, "kind", ""), url=getattr(source, "url", ""),
                      collection=getattr(source, "collection", None)),
        "values": "DN = reflectance x 10000 (band scale 0.0001) unless harmonise was off; indices float32 "
                  "reflectance ratios, no data -9999",
        "dates": dates, "filtered": report.filtered,
    }


def _write_json(path: str, doc: dict) -> None:
    """`doc` to `path` under a temporary name, renamed when complete."""
    tmp = f"{os.path.join(os.path.dirname(path), '.' + os.path.basename(path))}.{os.getpid()}.part"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise OutputError(f"{path}: cannot write the series index ({first_line(exc)})") from None


def write_index_json(report: SeriesReport, aoi, query: dict, source=None) -> str:
    """series.json and the same dates as a STAC catalog (catalog.json + items/<date>_<tiles>.json)."""
    doc = index_document(report, aoi, query, source)
    _write_json(report.index_path, doc)
    write_stac_catalog(os.path.dirname(report.index_path), doc)
    return report.index_path


def _file_geometry(path: str) -> tuple:
    """(bbox, GeoJSON polygon) in EPSG:4326 and the EPSG code (or None) of a raster."""
    ds = gdal.Open(path)
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    xmin, ymin, xmax, ymax = _extent(ds, wgs.ExportToWkt())
    srs = osr.SpatialReference(wkt=ds.GetProjection()) if ds.GetProjection() else None
    epsg = srs.GetAuthorityCode(None) if srs is not None else None
    ring = [[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax], [xmin, ymin]]
    return [xmin, ymin, xmax, ymax], {"type": "Polygon", "coordinates": [ring]}, int(epsg) if epsg else None


def write_stac_catalog(folder: str, doc: dict) -> str:
    """A self-contained STAC catalog (relative links) of the dates of `doc` (index_document): one item
    per date, its enhanced COG and index rasters as assets, the scenes and cloud figures as properties."""
    items_dir = os.path.join(folder, "items")
    links = [{"rel": "root", "href": "./catalog.json", "type": "application/json"}]
    cog = "image/tiff; application=geotiff; profile=cloud-optimized"
    os.makedirs(items_dir, exist_ok=True)
    for entry in doc["dates"]:
        enhanced = os.path.join(folder, entry["enhanced"])
        if entry["status"] not in ("done", "skipped") or not os.path.isfile(enhanced):
            continue
        item_id = os.path.basename(enhanced)[: -len("_enhanced.tif")]
        bbox, geometry, epsg = _file_geometry(enhanced)
        ds = gdal.Open(enhanced)
        bands = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
        ds = None
        assets = {"enhanced": {"href": f"../{entry['enhanced']}", "type": cog, "roles": ["data"],
                               "title": "Sentinel-2 bands super-resolved to 10 m (DN = reflectance x 10000)",
                               "eo:bands": [{"name": b} for b in bands]}}
        if entry.get("uncertainty") and os.path.isfile(os.path.join(folder, entry["uncertainty"])):
            assets["uncertainty"] = {"href": f"../{entry['uncertainty']}", "type": cog, "roles": ["metadata"],
                                     "title": "expected absolute error per pixel and band (DN of the enhanced "
                                              "bands, float32, NaN no data; docs/uncertainty.md)",
                                     "eo:bands": [{"name": b} for b in bands]}
        for name, rel in entry["indices"].items():
            if os.path.isfile(os.path.join(folder, rel)):
                assets[name] = {"href": f"../{rel}", "type": cog, "roles": ["data"], "title": f"{name} (float32)"}
        scenes = entry["scenes"]
        props = {"datetime": entry["datetime"], "platform": "sentinel-2", "gsd": 10,
                 "eo:cloud_cover": min((s["cloud_cover"] for s in scenes if s["cloud_cover"] is not None), default=None),
                 "digisat:area_cloud": entry.get("area_cloud"), "digisat:tiles": entry["tiles"],
                 "digisat:scenes": [s["id"] for s in scenes], "digisat:mosaic": entry["mosaic"]}
        if epsg:
            props["proj:epsg"] = epsg
        item = {"type": "Feature", "stac_version": "1.0.0", "id": item_id, "bbox": bbox, "geometry": geometry,
                "properties": props, "assets": assets,
                "stac_extensions": ["https://stac-extensions.github.io/eo/v1.1.0/schema.json",
                                    "https://stac-extensions.github.io/projection/v1.1.0/schema.json"],
                "links": [{"rel": "root", "href": "../catalog.json", "type": "application/json"},
                          {"rel": "parent", "href": "../catalog.json", "type": "application/json"}]}
        _write_json(os.path.join(items_dir, f"{item_id}.json"), item)
        links.append({"rel": "item", "href": f"./items/{item_id}.json", "type": "application/geo+json"})
    query = doc["query"]
    catalog = {"type": "Catalog", "stac_version": "1.0.0", "id": "digisat-series",
               "description": f"digisat time series {query['start']} .. {query['end']}: every clear date over the "
                              "area, super-resolved to 10 m (see series.json)", "links": links}
    path = os.path.join(folder, "catalog.json")
    _write_json(path, catalog)
    return path


def read_index(path: str) -> dict:
    """series.json with every path made absolute (relative to the file's folder)."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a digisat series index ({first_line(exc)})") from None
    if doc.get("type") != "digisat-series":
        raise InputError(f"{path}: not a digisat series index (no \"type\": \"digisat-series\")")
    folder = os.path.dirname(os.path.abspath(path))
    for entry in doc.get("dates", []):
        entry["enhanced"] = os.path.join(folder, entry["enhanced"])
        if entry.get("uncertainty"):
            entry["uncertainty"] = os.path.join(folder, entry["uncertainty"])
        entry["indices"] = {n: os.path.join(folder, p) for n, p in entry.get("indices", {}).items()}
    return doc


__all__ = ["run_series", "plan_series", "SeriesReport", "SeriesDate", "mosaic", "read_index", "INDEX_FILE"]
