"""DHuS hubs (national mirrors of the closed Copernicus Open Access Hub) through sentinelsat.

sentinelsat does the search and reads the product's OData record (size, MD5, Online); the
download itself goes through transfer.py, so it has a timeout, resumes with a checked 206,
retries and verifies the MD5. sentinelsat's own `timeout` lands on `session.timeout`, which
requests ignores, so an adapter puts the timeout on every request of its session.
"""

from __future__ import annotations

import os

import requests
from requests.adapters import HTTPAdapter

from ..errors import InputError, first_line
from ..progress import as_progress
from .errors import AuthError, CatalogError, NetworkError, NotFoundError, OfflineError, translated_errors
from .scene import SceneRecord, level_from_name, product_type, sort_newest_first, tile_from_name
from .transfer import Transfer, make_folder


class TimeoutAdapter(HTTPAdapter):
    """Gives every request of a session a timeout unless the caller set one."""

    def __init__(self, timeout: float, **kw):
        self.timeout = timeout
        super().__init__(**kw)

    def send(self, request, **kw):
        if kw.get("timeout") is None:
            kw["timeout"] = (self.timeout, self.timeout)
        return super().send(request, **kw)


class DhusSource:
    kind = "dhus"

    def __init__(self, url: str | None = None, username: str | None = None, password: str | None = None,
                 timeout: float = 30.0, retries: int = 4, backoff: float = 1.0):
        from sentinelsat import SentinelAPI

        if not url:
            raise InputError("DHuS hub: give the hub's API URL (for example https://<mirror>/dhus/); the "
                             "Copernicus Open Access Hub closed in 2023")
        if not username or not password:
            raise AuthError("DHuS hub needs an account: give the user name (--user) and the password "
                            "(DIGISAT_DHUS_PASSWORD or the QGIS authentication setting)")
        self.url = url if url.endswith("/") else url + "/"
        self.api = SentinelAPI(username, password, self.url, show_progressbars=False, timeout=timeout)
        adapter = TimeoutAdapter(timeout)
        self.api.session.mount("http://", adapter)
        self.api.session.mount("https://", adapter)
        self.transfer = Transfer(session=self.api.session, timeout=timeout, retries=retries, backoff=backoff)

    def search(self, aoi, start: str, end: str, max_cloud: float = 100, level: str = "L2A", limit: int = 50) -> list:
        ptype = product_type(level)
        w, s, e, n = aoi.wgs84_bounds()
        wkt = f"POLYGON(({w:.6f} {s:.6f},{e:.6f} {s:.6f},{e:.6f} {n:.6f},{w:.6f} {n:.6f},{w:.6f} {s:.6f}))"
        date = (start if "T" in start else f"{start}T00:00:00Z", end if "T" in end else f"{end}T23:59:59Z")
        with translated_errors(self._error):
            found = self.api.query(area=wkt, date=date, platformname="Sentinel-2", producttype=ptype,
                                   cloudcoverpercentage=(0, float(max_cloud)), limit=int(limit))
        return sort_newest_first([scene_from_entry(uuid, props) for uuid, props in found.items()])

    def fetch(self, scene: SceneRecord, aoi=None, bands=None, dest_dir: str = ".", progress=None) -> str:
        """Download the whole product zip into `dest_dir`; return its path."""
        progress = as_progress(progress)
        uuid = scene.extra.get("uuid")
        if not uuid:
            raise NotFoundError(f"scene {scene.id}: no hub product id (search this hub first)")
        with translated_errors(self._error):
            info = self.api.get_product_odata(uuid)
            if not info.get("Online", True):
                self.api.trigger_offline_retrieval(uuid)
                raise OfflineError(f"{scene.id} is offline (long-term archive) on {self.url}; its retrieval was "
                                   f"requested: try again in an hour or so")
        make_folder(dest_dir)
        dest = os.path.join(dest_dir, info["title"] + ".zip")
        return self.transfer.download(info["url"], dest, size=info.get("size"), md5=info.get("md5"),
                                      progress=progress, label=os.path.basename(dest))

    def _error(self, exc: Exception) -> CatalogError | None:
        """A sentinelsat or requests failure as a one-line error naming the hub (None: not one)."""
        from sentinelsat.exceptions import LTAError, SentinelAPIError, UnauthorizedError

        if isinstance(exc, UnauthorizedError):
            return AuthError(f"{self.url}: user name or password refused (HTTP 401)")
        if isinstance(exc, LTAError):
            return OfflineError(f"{self.url}: long-term archive request refused ({first_line(exc)})")
        if isinstance(exc, SentinelAPIError):
            code = getattr(getattr(exc, "response", None), "status_code", None)
            where = f" (HTTP {code})" if code else ""
            if code == 404:
                return NotFoundError(f"{self.url}: product not found{where}")
            return CatalogError(f"{self.url}: hub error{where}: {first_line(exc)}")
        if isinstance(exc, requests.Timeout):
            return NetworkError(f"{self.url}: no answer within the timeout; the hub is down or too slow")
        if isinstance(exc, requests.RequestException):
            return NetworkError(f"{self.url}: cannot reach the hub ({type(exc).__name__}); check the network "
                                f"connection and the URL")
        return None


def scene_from_entry(uuid: str, p: dict) -> SceneRecord:
    from osgeo import ogr

    title = p.get("title", "")
    footprint = None
    if p.get("footprint"):
        try:
            import json

            footprint = json.loads(ogr.CreateGeometryFromWkt(p["footprint"]).ExportToJson())
        except (RuntimeError, AttributeError, ValueError):
            footprint = None
    begin = p.get("beginposition")
    dt = begin.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(begin, "strftime") else str(begin or "")
    cloud = p.get("cloudcoverpercentage")
    return SceneRecord(
        id=title, datetime=dt, cloud_cover=None if cloud is None else float(cloud),
        tile=str(p.get("tileid") or tile_from_name(title)), footprint=footprint, size=parse_size(p.get("size")),
        thumbnail_url=p.get("link_icon", ""), source="dhus",
        level="L2A" if "2A" in str(p.get("producttype", "")) else level_from_name(title),
        extra={"uuid": uuid, "url": p.get("link", "")},
    )


def parse_size(text) -> int | None:
    """DHuS sizes are text like '812.47 MB'."""
    try:
        value, unit = str(text).split()
        return int(float(value) * {"KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}.get(unit.upper(), 1))
    except (ValueError, AttributeError):
        return None
