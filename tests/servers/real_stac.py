"""Server software nobody here wrote: `rustac serve` (a STAC API, in-memory backend) and
RangeHTTPServer (Python's http.server with Range support) serving the COGs, each in its own process.

Both are PyPI packages pinned in requirements/servers.txt (installed by `make setup`); their
executables are looked up next to the running Python first (`.venv/bin`), then on PATH.

Items follow the Earth Search `sentinel-2-c1-l2a` item format field for field, modelled on a real
item: philvarner/stac-factory, tests/fixtures/S2B_T38XNF_20250422T091553_L2A.json (Earth Search v1,
https://earth-search.aws.element84.com/v1/collections/sentinel-2-c1-l2a/items/S2B_T38XNF_20250422T091553_L2A):
the same asset keys (`red`, `nir`, `nir08`, `scl`, `visual`, `aot`, `wvp`, `cloud`, `snow`, `preview`,
the metadata files, `thumbnail`), per asset `eo:bands`, `gsd`, `proj:shape`, `proj:transform`,
`raster:bands` (scale 0.0001, offset -0.1, nodata 0), `file:checksum` (sha2-256 multihash) and
`file:size`; properties `eo:cloud_cover`, `proj:epsg`, `proj:centroid`, `mgrs:*`, `grid:code`,
`view:*`, `s2:*` (baseline 05.10, product URI, tile/datastrip ids, class percentages),
`earthsearch:payload_id`, `storage:*`, `processing:software`, `created`/`updated`; the same
`stac_extensions` and links. Values (geometry, grid, sizes, checksums, ids) are those of the
COGs served here, built from the shared Virginia crop (tests/servers/stac_server.build_cogs:
DN = source + 1000), in Earth Search's folder layout
`<host>/sentinel-2-c1-l2a/18/S/VG/2024/6/<item id>/B04.tif`.

- `CogHost(root)`: RangeHTTPServer over `root` (a folder tree of symlinks to the COGs; a missing
  file is a real 404, a truncated copy a real short file). `.url`, `.add_scene(...)`, `.stop()`.
- `RustacServer(items, folder)`: `rustac serve` on 127.0.0.1 with a free port, loading an
  Earth Search-like collection and `items`; `.url`, `.stop()`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta

from osgeo import gdal, osr

from .stac_server import ASSET_KEYS, COLLECTION, RES

gdal.UseExceptions()

TITLES = {"B01": "Coastal - 60m", "B02": "Blue - 10m", "B03": "Green - 10m", "B04": "Red - 10m",
          "B05": "Red Edge 1 - 20m", "B06": "Red Edge 2 - 20m", "B07": "Red Edge 3 - 20m", "B08": "NIR 1 - 10m",
          "B8A": "NIR 2 - 20m", "B09": "NIR 3 - 60m", "B11": "SWIR 1.6\u03bcm - 20m", "B12": "SWIR 2.2\u03bcm - 20m"}
WAVELENGTH = {"B01": (0.443, 0.027), "B02": (0.49, 0.098), "B03": (0.56, 0.045), "B04": (0.665, 0.038),
              "B05": (0.704, 0.019), "B06": (0.74, 0.018), "B07": (0.783, 0.028), "B08": (0.842, 0.145),
              "B8A": (0.865, 0.033), "B09": (0.945, 0.026), "B11": (1.61, 0.143), "B12": (2.19, 0.242)}
COMMON = dict(ASSET_KEYS, B05="rededge", B06="rededge", B07="rededge")  # eo:bands common_name (real items)
EXTENSIONS = [f"https://stac-extensions.github.io/{e}/schema.json" for e in (
    "eo/v1.1.0", "file/v2.1.0", "grid/v1.1.0", "mgrs/v1.0.0", "processing/v1.1.0", "projection/v1.1.0",
    "raster/v1.1.0", "sentinel-2/v1.0.0", "storage/v1.0.0", "view/v1.0.0")]
EARTH_SEARCH = "https://earth-search.aws.element84.com/v1"


def find_executable(name: str) -> str | None:
    """`name` next to the running Python (the venv's bin), else on PATH."""
    return shutil.which(name, path=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))


def scene_folder(item_id: str, dt: str) -> str:
    """Earth Search's folder of an item's files: sentinel-2-c1-l2a/18/S/VG/2024/6/<id>."""
    t = datetime.fromisoformat(dt.replace("Z", "+00:00"))
    return f"{COLLECTION}/18/S/VG/{t.year}/{t.month}/{item_id}"


def _multihash(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return "1220" + h.hexdigest()


def _grid(path: str) -> tuple:
    ds = gdal.Open(path)
    gt = ds.GetGeoTransform()
    return [ds.RasterYSize, ds.RasterXSize], [gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]]


def earth_search_item(data: dict, item_id: str, dt: str, cloud: float, href_root: str, scl_file: str = "SCL") -> dict:
    """A `sentinel-2-c1-l2a` item as Earth Search writes it (see the module docstring), for the COGs
    of `data` (stac_server.build_cogs) served under `href_root` (<root>/B04.tif, <root>/SCL.tif ...).
    `scl_file`: which SCL COG of `data` the `scl` asset's checksum and size describe."""
    platform = "sentinel-2b" if item_id.startswith("S2B") else "sentinel-2a"
    t = datetime.fromisoformat(dt.replace("Z", "+00:00"))
    stamp, made = t.strftime("%Y%m%dT%H%M%S"), (t + timedelta(hours=1)).strftime("%Y%m%dT%H%M%S")
    sat = platform[-1].upper()
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    bbox = data["bbox"]

    def file_asset(href: str, path: str | None, media: str, roles: list, **extra) -> dict:
        asset = {"href": href, "type": media, **extra}
        if path:
            asset["file:checksum"], asset["file:size"] = _multihash(path), os.path.getsize(path)
        asset["roles"] = roles
        return asset

    cog = "image/tiff; application=geotiff; profile=cloud-optimized"
    assets = {}
    for band, key in ASSET_KEYS.items():
        path = data["files"][band]
        shape, transform = _grid(path)
        centre, width = WAVELENGTH[band]
        assets[key] = file_asset(
            f"{href_root}/{band}.tif", path, cog, ["data", "reflectance"], title=TITLES[band],
            **{"eo:bands": [{"name": band, "common_name": COMMON[band], "center_wavelength": centre,
                             "full_width_half_max": width}],
               "gsd": RES[band], "proj:shape": shape, "proj:transform": transform,
               "raster:bands": [{"nodata": 0, "data_type": "uint16", "spatial_resolution": RES[band],
                                 "scale": 0.0001, "offset": -0.1}]})
    shape20, transform20 = _grid(data["scl_files"]["SCL"])
    shape10, transform10 = _grid(data["files"]["B04"])
    assets["visual"] = file_asset(f"{href_root}/TCI.tif", None, cog, ["visual"], title="True color image",
                                  **{"eo:bands": [assets[k]["eo:bands"][0] for k in ("red", "green", "blue")],
                                     "raster:bands": [{"nodata": 0, "data_type": "uint8", "spatial_resolution": 10}] * 3,
                                     "gsd": 10, "proj:shape": shape10, "proj:transform": transform10})
    assets["scl"] = file_asset(f"{href_root}/SCL.tif", data["scl_files"][scl_file], cog, ["data"],
                               title="Scene classification map (SCL)", gsd=20,
                               **{"proj:shape": shape20, "proj:transform": transform20,
                                  "raster:bands": [{"nodata": 0, "data_type": "uint8", "spatial_resolution": 20}]})
    for key, name, title, scale, roles in (("aot", "AOT", "Aerosol optical thickness (AOT)", 0.001, ["data"]),
                                           ("wvp", "WVP", "Water Vapour (WVP)", 0.001, ["data"])):
        assets[key] = file_asset(f"{href_root}/{name}.tif", None, cog, roles, title=title, gsd=20,
                                 **{"proj:shape": shape20, "proj:transform": transform20,
                                    "raster:bands": [{"nodata": 0, "data_type": "uint16", "spatial_resolution": 20,
                                                      "scale": scale, "offset": 0}]})
    for key, name, title, role in (("cloud", "CLD_20m", "Cloud Probabilities", "cloud"),
                                   ("snow", "SNW_20m", "Snow Probabilities", "snow-ice")):
        assets[key] = file_asset(f"{href_root}/{name}.tif", None, cog, ["data", role], title=title,
                                 **{"proj:shape": shape20, "proj:transform": transform20,
                                    "raster:bands": [{"nodata": 0, "data_type": "uint8", "spatial_resolution": 20}]})
    assets["preview"] = file_asset(f"{href_root}/L2A_PVI.tif", None, cog, ["overview"], title="True color preview",
                                   **{"eo:bands": assets["visual"]["eo:bands"]})
    for key, name, media in (("granule_metadata", "metadata.xml", "application/xml"),
                             ("tileinfo_metadata", "tileInfo.json", "application/json"),
                             ("product_metadata", "product_metadata.xml", "application/xml")):
        assets[key] = file_asset(f"{href_root}/{name}", None, media, ["metadata"])
    assets["thumbnail"] = file_asset(f"{href_root}/L2A_PVI.jpg", None, "image/jpeg", ["thumbnail"],
                                     title="Thumbnail of preview image")
    baseline = "05.10"
    props = {
        "created": (t + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "platform": platform, "constellation": "sentinel-2", "instruments": ["msi"],
        "eo:cloud_cover": cloud, "proj:epsg": data["epsg"],
        "proj:centroid": {"lat": round((bbox[1] + bbox[3]) / 2, 5), "lon": round((bbox[0] + bbox[2]) / 2, 5)},
        "mgrs:utm_zone": 18, "mgrs:latitude_band": "S", "mgrs:grid_square": "VG", "grid:code": "MGRS-18SVG",
        "view:azimuth": 104.2, "view:incidence_angle": 8.1, "view:sun_azimuth": 128.4, "view:sun_elevation": 68.9,
        "s2:tile_id": f"S2{sat}_OPER_MSI_L2A_TL_2{sat}PS_{made}_A038123_T18SVG_N{baseline}",
        "s2:degraded_msi_data_percentage": 0, "s2:nodata_pixel_percentage": 0,
        "s2:saturated_defective_pixel_percentage": 0, "s2:cloud_shadow_percentage": 0.2,
        "s2:vegetation_percentage": round(60.0 - cloud / 2, 6), "s2:not_vegetated_percentage": 10.0,
        "s2:water_percentage": round(29.8 - cloud / 2, 6), "s2:unclassified_percentage": 0,
        "s2:medium_proba_clouds_percentage": round(cloud / 4, 6), "s2:high_proba_clouds_percentage": round(cloud / 2, 6),
        "s2:thin_cirrus_percentage": round(cloud / 4, 6), "s2:snow_ice_percentage": 0,
        "s2:product_type": "S2MSI2A", "s2:processing_baseline": baseline,
        "s2:product_uri": f"S2{sat}_MSIL2A_{stamp}_N0510_R011_T18SVG_{made}.SAFE",
        "s2:generation_time": f"{(t + timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%S')}.000000Z",
        "s2:datatake_id": f"GS2{sat}_{stamp}_038123_N{baseline}", "s2:datatake_type": "INS-NOBS",
        "s2:datastrip_id": f"S2{sat}_OPER_MSI_L2A_DS_2{sat}PS_{made}_S{stamp}_N{baseline}",
        "s2:reflectance_conversion_factor": 0.968,
        "datetime": dt,
        "earthsearch:payload_id": f"roda-sentinel-2-c1-l2a/workflow-sentinel-2-c1-l2a-to-stac/"
                                  f"{hashlib.md5(item_id.encode()).hexdigest()}",
        "storage:platform": "AWS", "storage:region": "us-west-2", "storage:requester_pays": False,
        "processing:software": {"sentinel-2-c1-l2a-to-stac": "v2024.02.01"},
        "updated": (t + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
    }
    folder = scene_folder(item_id, dt)
    return {
        "type": "Feature", "stac_version": "1.1.0", "id": item_id, "properties": props, "geometry": data["footprint"],
        "links": [
            {"rel": "self", "type": "application/geo+json", "href": f"{EARTH_SEARCH}/collections/{COLLECTION}/items/{item_id}"},
            {"rel": "canonical", "href": f"s3://e84-earth-search-sentinel-data/{folder}/{item_id}.json",
             "type": "application/json"},
            {"rel": "via", "href": f"s3://sentinel-s2-l2a/tiles/18/S/VG/{t.year}/{t.month}/{t.day}/0/metadata.xml",
             "type": "application/xml", "title": "Granule Metadata in Sinergize RODA Archive"},
            {"rel": "parent", "type": "application/json", "href": f"{EARTH_SEARCH}/collections/{COLLECTION}"},
            {"rel": "collection", "type": "application/json", "href": f"{EARTH_SEARCH}/collections/{COLLECTION}"},
            {"rel": "root", "type": "application/json", "href": EARTH_SEARCH},
            {"rel": "thumbnail", "href": f"{EARTH_SEARCH}/collections/{COLLECTION}/items/{item_id}/thumbnail"}],
        "assets": assets, "bbox": [round(v, 6) for v in bbox], "stac_extensions": EXTENSIONS, "collection": COLLECTION,
    }


def collection_json() -> dict:
    """The `sentinel-2-c1-l2a` collection, as far as a client reads it."""
    return {"type": "Collection", "id": COLLECTION, "title": "Sentinel-2 Collection 1 Level-2A",
            "description": "Sentinel-2 Collection 1 L2A, data from the Multispectral Instrument (MSI) onboard "
                           "Sentinel-2", "stac_version": "1.0.0", "license": "proprietary",
            "extent": {"spatial": {"bbox": [[-180, -90, 180, 90]]},
                       "temporal": {"interval": [["2015-06-27T10:25:31.456000Z", None]]}},
            "links": []}


def _wait_http(url: str, proc: subprocess.Popen, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer at {url} within {seconds:g} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


class CogHost:
    """RangeHTTPServer (`python -m RangeHTTPServer 0 --bind 127.0.0.1`) serving the folder `root`."""

    def __init__(self, root, data: dict):
        self.root, self.data = os.fspath(root), data
        os.makedirs(self.root, exist_ok=True)
        # port 0: the server picks a free port and prints it ("Serving HTTP on 127.0.0.1 port N ...")
        self.log = open(os.path.join(self.root, os.pardir, "rangehttpserver.log"), "w")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, "-u", "-m", "RangeHTTPServer", "0", "--bind", "127.0.0.1"],
                                     cwd=self.root, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        try:
            port = int(line.split(" port ")[1].split()[0])
        except (IndexError, ValueError):
            _stop(self.proc)
            raise RuntimeError(f"RangeHTTPServer did not start: {line!r}") from None
        self.url = f"http://127.0.0.1:{port}"
        _wait_http(f"{self.url}/", self.proc, "RangeHTTPServer")

    def add_scene(self, item_id: str, dt: str, scl: str = "SCL", missing=(), truncated=None) -> str:
        """Lay out a scene's files in Earth Search's folders; return the folder's URL (the items'
        href root). missing: bands without a file (404); truncated: {band: bytes kept}."""
        rel = scene_folder(item_id, dt)
        folder = os.path.join(self.root, rel)
        os.makedirs(folder, exist_ok=True)
        for band, path in self.data["files"].items():
            target = os.path.join(folder, f"{band}.tif")
            if band in missing or os.path.lexists(target):
                continue
            if truncated and band in truncated:
                with open(path, "rb") as src, open(target, "wb") as dst:
                    dst.write(src.read(truncated[band]))
            else:
                os.symlink(path, target)
        if not os.path.lexists(os.path.join(folder, "SCL.tif")):
            os.symlink(self.data["scl_files"][scl], os.path.join(folder, "SCL.tif"))
        return f"{self.url}/{rel}"

    def requests(self) -> list:
        """The request lines RangeHTTPServer logged ('GET /path HTTP/1.1" 206 -' ...)."""
        self.log.flush()
        with open(self.log.name) as fh:
            return [line for line in fh if '"' in line]

    def stop(self) -> None:
        _stop(self.proc)
        self.log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RustacServer:
    """`rustac serve` (memory backend) on 127.0.0.1, loaded with the collection and `items` at start."""

    def __init__(self, executable: str, items: list, folder):
        folder = os.fspath(folder)
        os.makedirs(folder, exist_ok=True)
        coll = os.path.join(folder, "collection.json")
        with open(coll, "w") as fh:
            json.dump(collection_json(), fh)
        hrefs = [coll]
        if items:
            hrefs.append(os.path.join(folder, "items.json"))
            with open(hrefs[-1], "w") as fh:
                json.dump({"type": "FeatureCollection", "features": items}, fh)
        self.log = open(os.path.join(folder, "rustac.log"), "w")  # noqa: SIM115
        for attempt in range(3):  # a port taken between free_port() and the bind: try another
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            self.proc = subprocess.Popen([executable, "serve", "--addr", f"127.0.0.1:{port}", *hrefs],
                                         stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                _wait_http(f"{self.url}/", self.proc, "rustac serve")
                break
            except RuntimeError:
                _stop(self.proc)
                if attempt == 2:
                    self.log.close()
                    raise
        self.folder = folder

    def stop(self) -> None:
        _stop(self.proc)
        if not self.log.closed:
            self.log.close()
