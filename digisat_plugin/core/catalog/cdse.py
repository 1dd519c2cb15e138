"""Copernicus Data Space Ecosystem: OData search, token login, product or per-band download.

- login: password grant at the identity server (client_id cdse-public); the access token
  (10 minutes) is refreshed with the refresh token before it expires, and once more when a
  download is refused with 401; a refused refresh falls back to the password grant;
- search: `GET <catalogue>/odata/v1/Products?$filter=...` (no login needed), paged by
  `@odata.nextLink`;
- fetch: by default only the files the engine needs, through `Nodes(...)`: the product XML,
  the tile XML and one JPEG 2000 per band, written as a SAFE folder that core/io/safe.py reads;
  `whole_product=True` downloads the zip and checks its MD5. Download redirects are followed
  by hand with the bearer token attached again (see transfer.py).

Every service URL is a parameter: `url` replaces the catalogue, download and identity hosts at
once (a mirror or a test server); `download_url` / `token_url` set them one by one.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from urllib.parse import quote

from ..definitions import BY_NAME, ORDER, sort_bands
from ..progress import as_progress
from .errors import AuthError, CatalogError, NotFoundError, OfflineError
from .scene import SceneRecord, iso_utc, level_from_name, product_type, sort_newest_first, tile_from_name
from .transfer import Transfer, make_folder

CATALOGUE_URL = "https://catalogue.dataspace.copernicus.eu"
DOWNLOAD_URL = "https://download.dataspace.copernicus.eu"
IDENTITY_URL = "https://identity.dataspace.copernicus.eu"
TOKEN_PATH = "/auth/realms/CDSE/protocol/openid-connect/token"
PAGE = 100


class CdseToken:
    """Access token of one account, refreshed before it expires (thread-safe)."""

    def __init__(self, transfer: Transfer, token_url: str, username: str | None, password: str | None):
        self.transfer = transfer
        self.token_url = token_url
        self.username, self.password = username, password
        self.access = self.refresh = None
        self.expires = 0.0
        self.lock = threading.Lock()

    def header(self) -> dict:
        return {"Authorization": f"Bearer {self.get()}"}

    def get(self) -> str:
        with self.lock:
            if self.access is None or time.monotonic() > self.expires - 30:
                self._renew()
            return self.access

    def invalidate(self) -> None:
        with self.lock:
            self.expires = 0.0

    def _renew(self) -> None:
        if not self.username or not self.password:
            raise AuthError("Copernicus Data Space needs an account: give the user name (--user) and the password "
                            "(DIGISAT_CDSE_PASSWORD or the QGIS authentication setting)")
        if self.refresh:
            data = self._post({"grant_type": "refresh_token", "refresh_token": self.refresh, "client_id": "cdse-public"})
            if data is not None:
                self._keep(data)
                return
        data = self._post({"grant_type": "password", "username": self.username, "password": self.password,
                           "client_id": "cdse-public"})
        if data is None:
            raise AuthError(f"{self.token_url}: user name or password refused by Copernicus Data Space")
        self._keep(data)

    def _post(self, form: dict) -> dict | None:
        try:
            resp = self.transfer.request("POST", self.token_url, data=form, what="CDSE login", ok_status=(400, 401))
        except AuthError:
            return None
        with resp:
            if resp.status_code in (400, 401, 403):
                return None
            if resp.status_code != 200:
                raise CatalogError(f"{self.token_url}: login failed (HTTP {resp.status_code})")
            try:
                data = resp.json()
                data["access_token"]
            except (ValueError, KeyError, TypeError):
                raise CatalogError(f"{self.token_url}: login answer without an access token") from None
            return data

    def _keep(self, data: dict) -> None:
        self.access = data["access_token"]
        self.refresh = data.get("refresh_token")
        self.expires = time.monotonic() + float(data.get("expires_in", 600))


class CdseSource:
    kind = "cdse"

    def __init__(self, url: str | None = None, username: str | None = None, password: str | None = None,
                 timeout: float = 30.0, download_url: str | None = None, token_url: str | None = None,
                 whole_product: bool = False, retries: int = 4, backoff: float = 1.0):
        base = url.rstrip("/") if url else None
        self.catalogue_url = base or CATALOGUE_URL
        self.download_url = (download_url or base or DOWNLOAD_URL).rstrip("/")
        self.token_url = token_url or (base or IDENTITY_URL) + TOKEN_PATH
        self.whole_product = whole_product
        self.public = Transfer(timeout=timeout, retries=retries, backoff=backoff)
        self.token = CdseToken(self.public, self.token_url, username, password)
        self.private = Transfer(timeout=timeout, retries=retries, backoff=backoff, auth_headers=self.token.header,
                                refresh_auth=self.token.invalidate)

    # -- search -----------------------------------------------------------------------------
    def search(self, aoi, start: str, end: str, max_cloud: float = 100, level: str = "L2A", limit: int = 50) -> list:
        ptype = product_type(level)
        w, s, e, n = aoi.wgs84_bounds()
        polygon = f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"
        flt = (f"Collection/Name eq 'SENTINEL-2' and OData.CSC.Intersects(area=geography'SRID=4326;{polygon}') "
               f"and ContentDate/Start gt {day_start(start)} and ContentDate/Start lt {day_end(end)} "
               f"and Attributes/OData.CSC.StringAttribute/any(att:att/Name eq 'productType' and "
               f"att/OData.CSC.StringAttribute/Value eq '{ptype}') "
               f"and Attributes/OData.CSC.DoubleAttribute/any(att:att/Name eq 'cloudCover' and "
               f"att/OData.CSC.DoubleAttribute/Value le {float(max_cloud):.2f})")
        params = {"$filter": flt, "$orderby": "ContentDate/Start desc", "$top": str(min(int(limit), PAGE)),
                  "$count": "True", "$expand": "Attributes"}
        url = f"{self.catalogue_url}/odata/v1/Products"
        scenes = []
        while url and len(scenes) < limit:
            data = self.public.json("GET", url, params=params, what="CDSE search")
            if not isinstance(data, dict) or not isinstance(data.get("value"), list):
                raise CatalogError(f"{url}: not an OData answer (no 'value' list)")
            scenes += [scene_from_odata(p) for p in data["value"]]
            url, params = data.get("@odata.nextLink"), None
        return sort_newest_first(scenes[:limit])

    # -- fetch ------------------------------------------------------------------------------
    def fetch(self, scene: SceneRecord, aoi=None, bands=None, dest_dir: str = ".", progress=None) -> str:
        """Download into `dest_dir`; return the SAFE folder (per-band mode) or the zip path."""
        progress = as_progress(progress)
        uuid = scene.extra.get("uuid")
        if not uuid:
            raise NotFoundError(f"scene {scene.id}: no CDSE product id (search the CDSE catalogue first)")
        if scene.extra.get("online") is False:
            raise OfflineError(f"{scene.id} is offline (long-term archive) on Copernicus Data Space; order it and "
                               f"try again later")
        make_folder(dest_dir)
        if self.whole_product:
            url = f"{self.download_url}/odata/v1/Products({uuid})/$value"
            return self.private.download(url, os.path.join(dest_dir, scene.id + ".zip"), size=scene.size,
                                         md5=scene.extra.get("md5"), progress=progress, label=scene.id + ".zip")
        return self._fetch_nodes(scene, uuid, bands, dest_dir, progress)

    def _node_url(self, uuid: str, path: list, host: str) -> str:
        return f"{host}/odata/v1/Products({uuid})" + "".join(f"/Nodes({quote(p, safe='._-')})" for p in path)

    def _list(self, uuid: str, path: list) -> list:
        data = self.public.json("GET", self._node_url(uuid, path, self.catalogue_url) + "/Nodes",
                                what=f"CDSE node {'/'.join(path)}")
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, list) or not all(isinstance(n, dict) and "Name" in n for n in result):
            raise CatalogError(f"CDSE node {'/'.join(path)}: listing without a 'result' list of named nodes")
        return result

    def _fetch_nodes(self, scene: SceneRecord, uuid: str, bands, dest_dir: str, progress) -> str:
        safe = scene.extra.get("name") or scene.id + ".SAFE"
        level = scene.level or level_from_name(safe)
        wanted = sort_bands(bands or [b for b in ORDER if not (b == "B10" and level == "L2A")])
        progress.update(0.0, f"listing files of {scene.id}")
        files = []  # (node path, size)
        root = {n["Name"]: n for n in self._list(uuid, [safe])}
        mtd = "MTD_MSIL2A.xml" if level == "L2A" else "MTD_MSIL1C.xml"
        if mtd not in root:
            raise CatalogError(f"{scene.id}: no {mtd} in the product")
        files.append(([safe, mtd], root[mtd].get("ContentLength")))
        granules = self._list(uuid, [safe, "GRANULE"])
        if not granules:
            raise CatalogError(f"{scene.id}: no granule in the product")
        granule = granules[0]["Name"]
        gnodes = {n["Name"]: n for n in self._list(uuid, [safe, "GRANULE", granule])}
        if "MTD_TL.xml" in gnodes:
            files.append(([safe, "GRANULE", granule, "MTD_TL.xml"], gnodes["MTD_TL.xml"].get("ContentLength")))
        found = {}
        folders = [["R10m"], ["R20m"], ["R60m"]] if level == "L2A" else [[]]
        for sub in folders:
            path = [safe, "GRANULE", granule, "IMG_DATA", *sub]
            for node in self._list(uuid, path):
                band = band_of(node["Name"], level)
                if band in wanted and (not sub or sub[0] == BY_NAME[band].l2a_folder):
                    found[band] = (path + [node["Name"]], node.get("ContentLength"))
        missing = [b for b in wanted if b not in found]
        if missing:
            raise NotFoundError(f"{scene.id}: no file for band(s) {', '.join(missing)} in the product")
        files += [found[b] for b in wanted]
        final = os.path.join(dest_dir, safe)
        work = os.path.join(dest_dir, f".{safe}.partial")
        make_folder(work)  # kept on failure: its .part files resume next time
        total = sum(int(size or 0) for _p, size in files) or 1
        done = 0
        for path, size in files:
            size = int(size) if size not in (None, "") else None
            sub = progress.stage(done / total, (done + (size or 0)) / total)
            dest = os.path.join(work, *path[1:])
            # download() checks the size against the listing's ContentLength
            self.private.download(self._node_url(uuid, path, self.download_url) + "/$value", dest, size=size,
                                  progress=sub, label=path[-1])
            done += size or 0
        if os.path.isdir(final):
            shutil.rmtree(final)
        os.replace(work, final)
        progress.update(1.0, f"fetched {len(wanted)} bands of {scene.id}")
        return final


def band_of(filename: str, level: str) -> str | None:
    pattern = r"_(B(?:0[1-9]|1[0-2]|8A))_(?:10|20|60)m\.jp2$" if level == "L2A" else r"_(B(?:0[1-9]|1[0-2]|8A))\.jp2$"
    m = re.search(pattern, filename, re.IGNORECASE)
    return m.group(1).upper() if m else None


def day_start(date: str) -> str:
    return date if "T" in date else f"{date}T00:00:00.000Z"


def day_end(date: str) -> str:
    return date if "T" in date else f"{date}T23:59:59.999Z"


def scene_from_odata(p: dict) -> SceneRecord:
    try:
        name = p["Name"]
        attrs = {a.get("Name"): a.get("Value") for a in p.get("Attributes") or []}
        checksums = {c.get("Algorithm"): c.get("Value") for c in p.get("Checksum") or []}
        cloud = attrs.get("cloudCover")
        ptype = str(attrs.get("productType", ""))
        level = "L2A" if "2A" in ptype else "L1C" if "1C" in ptype else level_from_name(name)
        return SceneRecord(
            id=name.removesuffix(".SAFE"), datetime=iso_utc(p["ContentDate"]["Start"]),
            cloud_cover=None if cloud is None else float(cloud), tile=str(attrs.get("tileId") or tile_from_name(name)),
            footprint=p.get("GeoFootprint"), size=int(p["ContentLength"]) if p.get("ContentLength") else None,
            thumbnail_url="", source="cdse", level=level,
            extra={"uuid": p["Id"], "name": name, "md5": checksums.get("MD5"), "online": p.get("Online", True),
                   "s3path": p.get("S3Path", "")},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"CDSE search: unexpected product record ({type(exc).__name__}: {exc})") from None
