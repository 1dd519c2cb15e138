"""STAC APIs with per-band cloud-optimised GeoTIFFs (Earth Search by default).

Search goes through pystac-client (paging, item parsing, conformance). Fetch never downloads
a whole band: GDAL reads only the window of the area of interest (plus `margin_m`, so the
networks see real pixels around it) from each COG over HTTP range requests (`/vsicurl/`),
several bands at once, and writes a band folder that `core.io.product.open_product` reads:
`B02.tif ...`, `radiometry.json` (each asset's raster:bands scale/offset) and `scene.json`.

The window is aligned to the tile's 60 m grid, so the windows of the 10, 20 and 60 m bands
share their upper-left corner and nest exactly.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
from osgeo import gdal

from ..definitions import BY_NAME, COLLECTIONS, ORDER, sort_bands
from ..errors import AoiError, Cancelled, InputError, first_line
from ..progress import as_progress
from .errors import AuthError, CatalogError, NetworkError, NotFoundError, translated_errors
from .quicklook import ten_m_grid
from .scene import SceneRecord, iso_utc, sort_newest_first
from .scl import area_cloud_percent
from .transfer import make_folder

gdal.UseExceptions()
LOG = logging.getLogger("digisat.catalog")

DEFAULT_URL = "https://earth-search.aws.element84.com/v1"
# Earth Search asset keys (common names) per band; assets named after the band work too.
ASSET_KEYS = {"B01": "coastal", "B02": "blue", "B03": "green", "B04": "red", "B05": "rededge1", "B06": "rededge2",
              "B07": "rededge3", "B08": "nir", "B8A": "nir08", "B09": "nir09", "B10": "cirrus", "B11": "swir16",
              "B12": "swir22"}
MARGIN_M = 240.0  # context around the area for the networks (4 pixels of 60 m)
GRID_M = 60.0  # windows are aligned to the coarsest band grid
LOW_SPEED_BPS = 4096  # a band read slower than this for `timeout` seconds is given up
DEADLINE_TIMEOUTS = 20  # a band window not read within 20 x the timeout is given up, however it trickles
MAX_SCAN = 2000  # items read at most per search (one tile is seen about 150 times a year)
# pystac (1.15 here) warns "Could not parse bucket/account from href" on stderr for every item that
# declares the storage extension v1.0.0 (Earth Search's items) and is served from anywhere but S3
# (a mirror, a local copy): noise to the user, nothing is wrong with the item.
warnings.filterwarnings("ignore", message="Could not parse bucket/account from href", category=UserWarning)


class StacSource:
    kind = "stac"

    def __init__(self, url: str | None = None, collection: str | None = None, timeout: float = 30.0,
                 workers: int = 4, margin_m: float = MARGIN_M, retries: int = 3):
        self.url = (url or DEFAULT_URL).rstrip("/")
        self.collection = collection
        self.timeout = float(timeout)
        self.workers = max(int(workers), 1)
        self.margin_m = max(float(margin_m), 0.0)
        self.retries = int(retries)

    # -- search -----------------------------------------------------------------------------
    def _client(self):
        from pystac_client import Client
        from pystac_client.stac_api_io import StacApiIO
        from urllib3.util.retry import Retry

        retry = Retry(total=self.retries, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504),
                      allowed_methods=None, raise_on_status=False)
        io = StacApiIO(timeout=self.timeout, max_retries=retry)
        return Client.open(self.url, stac_io=io, timeout=self.timeout)  # open() re-sets the io timeout

    def search(self, aoi, start: str, end: str, max_cloud: float = 100, level: str = "L2A", limit: int = 50,
               area_cloud: bool = True) -> list:
        """The newest `limit` scenes under `max_cloud`, newest first, each with its cloud over the area
        (`measure_area_cloud`) unless `area_cloud` is False.

        The cloud limit goes to the server when it can filter (query or CQL2 filter extension);
        newest first is asked of it when it can sort. `limit` counts scenes kept after the
        cloud check, so pages are read until it is reached; a server that cannot sort is read
        to the end (at most MAX_SCAN items), since its first pages may hold the oldest scenes.
        """
        collection = self.collection or COLLECTIONS.get(level.upper())
        if not collection:
            raise InputError(f"level {level!r}: expected L2A or L1C")
        if int(limit) < 1:
            raise InputError(f"--limit: expected at least 1 scene, got {limit}")
        geometry = aoi.wgs84_geojson()
        max_cloud, limit = float(max_cloud), int(limit)
        with translated_errors(self._error):
            client = self._client()
            conforms = " ".join(client.get_conforms_to())
            sorts = "item-search#sort" in conforms
            args = dict(collections=[collection], intersects=geometry, datetime=f"{start}/{end}",
                        limit=100 if not sorts else min(max(limit, 10), 100), **cloud_filter(conforms, max_cloud))
            if sorts:
                args["sortby"] = "-properties.datetime"
            scenes, seen = [], 0
            for item in client.search(max_items=MAX_SCAN, **args).items():
                seen += 1
                scene = scene_from_item(item, level.upper())
                # Checked here too: an API without the query or filter extension returns every scene.
                if scene.cloud_cover is None or scene.cloud_cover <= max_cloud:
                    scenes.append(scene)
                if sorts and len(scenes) >= limit:
                    break
        scenes = sort_newest_first(scenes)[:limit]
        if area_cloud:
            self.measure_area_cloud(scenes, aoi)
        return scenes

    def _error(self, exc: Exception) -> CatalogError | None:
        """A pystac-client or requests failure as a one-line error naming the service (None: not one)."""
        import requests
        from pystac_client.exceptions import APIError

        if isinstance(exc, APIError) and getattr(exc, "status_code", None) is None:
            # pystac-client wraps connection failures in an APIError without a status
            cause = exc.__cause__ or exc.__context__
            exc = cause if isinstance(cause, requests.RequestException) else exc
            text = str(exc)
            if "timed out" in text or "Timeout" in text:
                exc = requests.Timeout(text)
            elif "Max retries exceeded" in text or "Connection" in text:
                exc = requests.ConnectionError(text)
        if isinstance(exc, APIError):
            code = getattr(exc, "status_code", None)
            if code in (401, 403):
                return AuthError(f"{self.url}: access refused (HTTP {code})")
            return CatalogError(f"{self.url}: STAC search failed{f' (HTTP {code})' if code else ''}: {first_line(exc)}")
        if isinstance(exc, requests.Timeout):
            return NetworkError(f"{self.url}: no answer within the timeout; the server is down or too slow")
        if isinstance(exc, requests.RequestException):
            return NetworkError(f"{self.url}: cannot reach the STAC API ({type(exc).__name__}); check the network "
                                f"connection and the URL")
        if isinstance(exc, ValueError | KeyError | TypeError):
            return CatalogError(f"{self.url}: not a STAC API answer ({' '.join(str(exc).split())[:120]})")
        return None

    # -- cloud over the area ----------------------------------------------------------------
    def measure_area_cloud(self, scenes: list, aoi) -> None:
        """Set `scene.area_cloud` (percent of the area not clear, core/catalog/scl.py) from the SCL
        window over the area, for every scene with an SCL asset; a scene whose SCL cannot be read
        keeps None (tile cloud only) and says why in `extra["area_cloud_error"]`. Scenes already
        measured (by `search`) are not read again."""
        todo = [s for s in scenes if s.extra.get("scl") and s.area_cloud is None and "area_cloud_error" not in s.extra]
        if not todo or aoi is None or not aoi.crs:
            return

        def measure(scene: SceneRecord) -> None:
            try:
                with self._http_options():
                    ds = self._open(scene.extra["scl"])
                    gt, size = ds.GetGeoTransform(), (ds.RasterXSize, ds.RasterYSize)
                    xmin, ymin, xmax, ymax = aoi.transformed(ds.GetProjection()).bounds()
                    c0, c1 = (max(int((x - gt[0]) // gt[1]), 0) for x in (xmin, xmax))
                    r0, r1 = (max(int((gt[3] - y) // -gt[5]), 0) for y in (ymax, ymin))
                    c1, r1 = min(c1 + 1, size[0]), min(r1 + 1, size[1])
                    scl = ds.GetRasterBand(1).ReadAsArray(c0, r0, c1 - c0, r1 - r0) if c1 > c0 and r1 > r0 else None
                scene.area_cloud = area_cloud_percent(scl if scl is not None else np.zeros(0))
            except (CatalogError, RuntimeError) as exc:
                scene.extra["area_cloud_error"] = first_line(exc)
            finally:
                _clear_cache(scene.extra["scl"])

        with ThreadPoolExecutor(max_workers=min(self.workers, len(todo))) as pool:
            list(pool.map(measure, todo))

    # -- fetch ------------------------------------------------------------------------------
    def fetch(self, scene: SceneRecord, aoi, bands=None, dest_dir: str = ".", progress=None) -> str:
        """Read the area's window of every band (the whole scene without an area) into
        `dest_dir/<scene id>/`; return that folder."""
        progress = as_progress(progress)
        bands = sort_bands(bands or [b for b in ORDER if b in scene.assets and not (b == "B10" and scene.level == "L2A")])
        missing = [b for b in bands if b not in scene.assets]
        if missing:
            raise NotFoundError(f"scene {scene.id}: no asset for band(s) {', '.join(missing)}")
        if not bands:
            raise NotFoundError(f"scene {scene.id}: no band assets")
        final = os.path.join(os.fspath(dest_dir), scene.id)
        work = os.path.join(os.fspath(dest_dir), f".{scene.id}.partial")
        shutil.rmtree(work, ignore_errors=True)
        make_folder(work)
        try:
            progress.update(0.0, f"reading {scene.id}")
            windows = self._windows(scene, aoi, bands)
            self._read_bands(scene, windows, work, progress)
            write_folder_metadata(work, scene, {b: scene.extra.get("radiometry", {}).get(b) for b in bands})
            if os.path.isdir(final):
                shutil.rmtree(final)
            os.replace(work, final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        progress.update(1.0, f"fetched {len(bands)} bands of {scene.id}")
        return final

    def _gdal_options(self) -> dict:
        t = str(int(math.ceil(self.timeout)))
        # LOW_SPEED: a trickling server fails after `timeout` seconds under LOW_SPEED_BPS instead of
        # holding the read for minutes; RETRY_CODES (GDAL >= 3.10, ignored before): no retry of a 404.
        return {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "GDAL_HTTP_TIMEOUT": t, "GDAL_HTTP_CONNECTTIMEOUT": t,
                "GDAL_HTTP_LOW_SPEED_TIME": t, "GDAL_HTTP_LOW_SPEED_LIMIT": str(LOW_SPEED_BPS),
                "GDAL_HTTP_MAX_RETRY": str(self.retries), "GDAL_HTTP_RETRY_DELAY": "0.5",
                "GDAL_HTTP_RETRY_CODES": "429,500,502,503,504"}

    @contextmanager
    def _http_options(self):
        """GDAL's HTTP settings on this thread while reading, then back as they were: the caller's
        thread (QGIS's main thread) keeps its own (EMPTY_DIR would hide sidecar files there)."""
        options = self._gdal_options()
        before = {key: gdal.GetThreadLocalConfigOption(key, None) for key in options}
        for key, value in options.items():
            gdal.SetThreadLocalConfigOption(key, value)
        gdal.PushErrorHandler(_log_gdal_message)  # this thread's GDAL warnings (retries ...) go to the log
        try:
            yield
        finally:
            gdal.PopErrorHandler()
            for key, value in before.items():
                gdal.SetThreadLocalConfigOption(key, value)

    def _open(self, href: str):
        """Open a band (inside `_http_options`)."""
        started = time.monotonic()
        try:
            return gdal.Open(vsi_path(href))
        except RuntimeError as exc:
            raise _gdal_error(href, exc, self.timeout, time.monotonic() - started) from None

    def _windows(self, scene: SceneRecord, aoi, bands: list) -> dict:
        """{band: (col, row, width, height)} on each band's own grid, nested (shared corner); the
        whole scene (on the 60 m grid) when `aoi` is None."""
        if aoi is not None and not aoi.crs:
            raise AoiError("area of interest: a CRS is needed to fetch from a catalogue (add ',EPSG:4326')")
        finest = min(bands, key=lambda b: BY_NAME[b].resolution)
        for attempt in range(self.retries + 1):
            try:
                with self._http_options():
                    ref = self._open(scene.assets[finest])
                    gt, wkt, size = ref.GetGeoTransform(), ref.GetProjection(), (ref.RasterXSize, ref.RasterYSize)
                    ref = None
                break
            except CatalogError as exc:
                _clear_cache(scene.assets[finest])
                if not _worth_retrying(exc) or attempt == self.retries:
                    raise
                time.sleep(0.5 * 2 ** attempt)
        extent_x = gt[0] + size[0] * gt[1]
        extent_y = gt[3] + size[1] * gt[5]
        if aoi is None:
            (xmin, ymin, xmax, ymax), m = (gt[0], extent_y, extent_x, gt[3]), 0.0
        else:
            (xmin, ymin, xmax, ymax), m = aoi.transformed(wkt).bounds(), self.margin_m
        g = GRID_M
        x0 = max(gt[0] + math.floor((xmin - m - gt[0]) / g) * g, gt[0])
        x1 = min(gt[0] + math.ceil((xmax + m - gt[0]) / g) * g, gt[0] + math.floor((extent_x - gt[0]) / g) * g)
        y0 = min(gt[3] - math.floor((gt[3] - ymax - m) / g) * g, gt[3])
        y1 = max(gt[3] - math.ceil((gt[3] - ymin + m) / g) * g, gt[3] - math.floor((gt[3] - extent_y) / g) * g)
        if x1 <= x0 or y1 >= y0:
            raise AoiError(f"area of interest ({xmin:.6g}, {ymin:.6g}, {xmax:.6g}, {ymax:.6g}) is outside scene "
                           f"{scene.id}")
        windows = {}
        for band in bands:
            res = float(BY_NAME[band].resolution)
            col, row = (x0 - gt[0]) / res, (gt[3] - y0) / res
            windows[band] = (int(round(col)), int(round(row)), int(round((x1 - x0) / res)), int(round((y0 - y1) / res)))
        return windows

    def _read_bands(self, scene: SceneRecord, windows: dict, work: str, progress) -> None:
        done = dict.fromkeys(windows, 0.0)
        cancel = threading.Event()

        def read_once(band: str) -> None:
            href = scene.assets[band]
            started = time.monotonic()
            deadline = started + DEADLINE_TIMEOUTS * self.timeout

            def callback(fraction, _msg, _data):
                done[band] = fraction
                return 0 if cancel.is_set() or time.monotonic() > deadline else 1

            # straight into the work folder: it gets its final name only once every band is read
            with self._http_options():
                try:
                    gdal.Translate(os.path.join(work, f"{band}.tif"), self._open(href), srcWin=list(windows[band]),
                                   format="GTiff", creationOptions=["TILED=YES", "COMPRESS=DEFLATE", "PREDICTOR=2"],
                                   callback=callback)
                except RuntimeError as exc:
                    if cancel.is_set():
                        raise Cancelled() from None
                    if time.monotonic() > deadline:
                        raise NetworkError(f"{href}: timed out / too slow: the band's window was not read within "
                                           f"{DEADLINE_TIMEOUTS * self.timeout:g} s") from None
                    raise _gdal_error(href, exc, self.timeout, time.monotonic() - started) from None

        def read(band: str) -> None:
            # GDAL retries HTTP errors itself but not a body cut short: read the band again,
            # with its cached blocks dropped, a few times before giving up.
            for attempt in range(self.retries + 1):
                try:
                    read_once(band)
                    break
                except CatalogError as exc:
                    _clear_cache(scene.assets[band])
                    if not _worth_retrying(exc) or attempt == self.retries or cancel.is_set():
                        raise
                    cancel.wait(0.5 * 2 ** attempt)
            done[band] = 1.0
            _clear_cache(scene.assets[band])

        with ThreadPoolExecutor(max_workers=min(self.workers, len(windows))) as pool:
            futures = [pool.submit(read, band) for band in windows]
            try:
                while not all(f.done() for f in futures):
                    progress.update(0.95 * sum(done.values()) / len(done),
                                    f"reading {len(windows)} bands (COG windows)")
                    time.sleep(0.05)
                for f in futures:
                    f.result()
            except BaseException:
                cancel.set()
                for f in futures:
                    f.cancel()
                raise


def cloud_filter(conforms: str, max_cloud: float) -> dict:
    """Search arguments for the cloud limit from the server's conformance classes: the query
    extension (Earth Search), else CQL2 filter (e.g. the CDSE STAC), else nothing (the caller filters)."""
    if "item-search#query" in conforms:
        return {"query": {"eo:cloud_cover": {"lte": max_cloud}}}
    if "item-search#filter" in conforms:
        return {"filter": {"op": "<=", "args": [{"property": "eo:cloud_cover"}, max_cloud]}, "filter_lang": "cql2-json"}
    return {}


def vsi_path(href: str) -> str:
    if href.startswith(("http://", "https://")):
        return "/vsicurl/" + href
    if href.startswith("s3://"):
        return "/vsis3/" + href[5:]
    return href


def _clear_cache(href: str) -> None:
    clear = getattr(gdal, "VSICurlPartialClearCache", None)
    if clear is not None and href.startswith(("http://", "https://")):
        clear(vsi_path(href))


def _worth_retrying(exc: CatalogError) -> bool:
    """Our own re-reads are for bodies cut short; a refusal, a 404 or a stalled server (GDAL has
    already waited `timeout` on it) would only fail again, later."""
    return not isinstance(exc, AuthError | NotFoundError | NetworkError)


def _log_gdal_message(level, code, message) -> None:
    if level >= gdal.CE_Warning:
        LOG.info("GDAL: %s", " ".join(str(message).split()))


def _gdal_error(href: str, exc: BaseException, timeout: float | None = None, elapsed: float = 0.0) -> Exception:
    """A GDAL read failure as one line. GDAL 3.6 reports a transfer cut by the low-speed limit as a
    short read ("TIFFReadEncodedTile() failed"), so a failure after `timeout` seconds is a timeout."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = text.lower()
    codes = set(re.findall(r"\b(40[134])\b", text.replace(vsi_path(href), "").replace(href, "")))  # not the port
    if codes & {"401", "403"}:
        return AuthError(f"{href}: access refused ({text})")
    if "timed out" in low or "timeout" in low or "too slow" in low or (timeout and elapsed >= 0.9 * timeout):
        limit = f"within {timeout:g} s " if timeout else ""
        return NetworkError(f"{href}: timed out / too slow: no answer {limit}or under {LOW_SPEED_BPS} bytes/s ({text})")
    if "404" in codes:
        return NotFoundError(f"{href}: not on the server (HTTP 404)")
    return CatalogError(f"{href}: cannot read the band ({text})")




def asset_href(item, band: str) -> tuple:
    """(href, asset) for a band: the Earth Search key, a key named after the band, or eo:bands."""
    assets = item.assets
    for key in (ASSET_KEYS.get(band), band, band.lower()):
        if key and key in assets:
            return assets[key].href, assets[key]
    for asset in assets.values():
        names = [b.get("name") for b in asset.extra_fields.get("eo:bands", [])]
        if band in names and "data" in (asset.roles or ["data"]):
            return asset.href, asset
    return None, None


def scene_from_item(item, level: str) -> SceneRecord:
    props = item.properties
    # The older Earth Search collection (sentinel-2-l2a) removed the baseline-04.00 offset from
    # the pixels of some items and says so here, while raster:bands still advertise -0.1.
    offset_applied = props.get("earthsearch:boa_offset_applied") is True
    assets, radiometry, sizes = {}, {}, []
    for band in ORDER:
        href, asset = asset_href(item, band)
        if href:
            assets[band] = href
            raster = (asset.extra_fields.get("raster:bands") or [{}])[0]
            offset = 0.0 if offset_applied else float(raster.get("offset", 0.0))
            radiometry[band] = (float(raster.get("scale", 1e-4)), offset)
            if isinstance(asset.extra_fields.get("file:size"), int | float):
                sizes.append(int(asset.extra_fields["file:size"]))
    tile = str(props.get("grid:code", "")).replace("MGRS-", "") or str(props.get("s2:mgrs_tile", ""))
    if not tile and "mgrs:utm_zone" in props:
        tile = f"{props['mgrs:utm_zone']}{props.get('mgrs:latitude_band', '')}{props.get('mgrs:grid_square', '')}"
    dt = props.get("datetime") or (item.datetime.isoformat() if item.datetime else "")
    thumb = item.assets.get("thumbnail")
    scl = item.assets.get("scl") or item.assets.get("SCL")
    cloud = props.get("eo:cloud_cover")
    item_level = "L1C" if "l1c" in (item.collection_id or "").lower() else level
    return SceneRecord(
        id=item.id, datetime=iso_utc(dt), cloud_cover=None if cloud is None else float(cloud), tile=tile,
        footprint=item.geometry, size=sum(sizes) if sizes else None, thumbnail_url=thumb.href if thumb else "",
        source="stac", level=item_level, assets=assets,
        extra={"radiometry": radiometry, "collection": item.collection_id, "self": item.get_self_href() or "",
               "baseline": str(props.get("s2:processing_baseline") or ""), "offset_applied": offset_applied,
               "scl": scl.href if scl is not None else "", "grid": _grid(item)},
    )


def _grid(item) -> dict | None:
    """The item's 10 m grid, which places its thumbnail (core/catalog/quicklook.py); None if not given."""
    props = item.properties
    crs = props.get("proj:code") or (f"EPSG:{props['proj:epsg']}" if props.get("proj:epsg") else "")
    return ten_m_grid({key: asset.extra_fields for key, asset in item.assets.items()}, crs)


def write_folder_metadata(folder: str, scene: SceneRecord, radiometry: dict) -> None:
    """radiometry.json (reflectance = DN * scale + offset) and scene.json of a fetched band folder."""
    scale = {b: (r[0] if r else 1e-4) for b, r in radiometry.items()}
    offset = {b: (r[1] if r else 0.0) for b, r in radiometry.items()}
    with open(os.path.join(folder, "radiometry.json"), "w", encoding="utf-8") as fh:
        json.dump({"scale": scale, "offset": offset}, fh, indent=1)
    info = {"id": scene.id, "level": scene.level, "date": scene.date, "datetime": scene.datetime,
            "tile": scene.tile, "cloud_cover": scene.cloud_cover, "source": scene.source,
            "baseline": scene.extra.get("baseline", ""), "collection": scene.extra.get("collection", "")}
    with open(os.path.join(folder, "scene.json"), "w", encoding="utf-8") as fh:
        json.dump(info, fh, indent=1)
