"""A STAC API on 127.0.0.1 in the style of Earth Search v1, serving real COGs with Range.

`build_cogs(src_dir, out_dir)` writes per-band COGs of the source band folder as an L2A
collection-1 product would store them: DN = source DN + 1000 (0 stays 0), `raster:bands`
scale 0.0001 and offset -0.1, so reflectance = source DN / 10000. Block sizes are 128 px
(10 m), 64 px (20 m) and 32 px (60 m): 1.28 km on the ground for every band, as the 1024 px
blocks of a real 110 km tile are small against the tile.

`StacHandler` speaks: `GET /` (landing page with conformsTo and links), `GET /conformance`,
`GET /collections[/<id>]`, `GET` and `POST /search` (collections, bbox, intersects, datetime
"a/b" with ".." for open ends, query on eo:cloud_cover with lt/lte/gt/gte/eq, limit, paging by
a `token` in the rel=next link: GET in the URL, POST in the body) and `GET /data/<file>` (the
COG bytes, Range/206, counted by the server).

Each item has an `scl` asset: "SCL" (clear) unless `state["scl"]` (default DEFAULT_SCL) names another
("SCL_cloudy": cloud over the tests' area only; "" for none); `state["gone"][item_id]` lists bands
whose href answers 404. `state["conforms"]` replaces the conformance classes (to drop the query extension);
a CQL2-JSON `filter` of the form eo:cloud_cover <= x is understood too, and `sortby` on datetime
while the sort extension is in the conformance classes (else items come in `state["scenes"]` order). `state["max_page"]` caps the page size (to make clients page). Scenes served (all over the same COGs, so every one intersects the Virginia crop):
`SCENES` = (item id, datetime, cloud cover).
"""

from __future__ import annotations

import json
import os
from datetime import datetime

import numpy as np
from osgeo import gdal, osr

from .httpbase import Handler

gdal.UseExceptions()

COLLECTION = "sentinel-2-c1-l2a"
ASSET_KEYS = {"B01": "coastal", "B02": "blue", "B03": "green", "B04": "red", "B05": "rededge1", "B06": "rededge2",
              "B07": "rededge3", "B08": "nir", "B8A": "nir08", "B09": "nir09", "B11": "swir16", "B12": "swir22"}
RES = {"B01": 60, "B02": 10, "B03": 10, "B04": 10, "B05": 20, "B06": 20, "B07": 20, "B08": 10, "B8A": 20,
       "B09": 60, "B11": 20, "B12": 20}
BLOCK = {10: 128, 20: 64, 60: 32}
CLOUD_BOX = (444200.0, 4168520.0, 446600.0, 4170920.0)  # EPSG:32618; holds the tests' 2 km area
SCENES = (
    ("S2B_18SVG_20240708_0_L2A", "2024-07-08T15:57:19.024000Z", 71.5),
    ("S2A_18SVG_20240705_0_L2A", "2024-07-05T15:47:21.024000Z", 12.25),
    ("S2B_18SVG_20240628_0_L2A", "2024-06-28T15:57:19.024000Z", 3.5),
    ("S2A_18SVG_20240625_0_L2A", "2024-06-25T15:47:21.024000Z", 4.0),
)
# The 12.25 % scene has its cloud over the tests' area (the pick is by the area's cloud).
DEFAULT_SCL = {"S2A_18SVG_20240705_0_L2A": "SCL_cloudy"}
CONFORMS = [
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/item-search",
    "https://api.stacspec.org/v1.0.0/item-search#query",
    "https://api.stacspec.org/v1.0.0/item-search#sort",
    "https://api.stacspec.org/v1.0.0/ogcapi-features",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]


def build_cogs(src_dir, out_dir) -> dict:
    """Write <band>.tif COGs; return {"files": {band: path}, "dn": {band: stored DN}, "bbox", "footprint",
    "epsg"}."""
    os.makedirs(out_dir, exist_ok=True)
    files, dn = {}, {}
    for band, res in RES.items():
        src = gdal.Open(os.path.join(os.fspath(src_dir), f"{band}.tif"))
        data = src.GetRasterBand(1).ReadAsArray()
        data = np.where(data > 0, data.astype(np.uint32) + 1000, 0).astype(np.uint16)
        mem = gdal.GetDriverByName("MEM").Create("", data.shape[1], data.shape[0], 1, gdal.GDT_UInt16)
        mem.SetGeoTransform(src.GetGeoTransform())
        mem.SetProjection(src.GetProjection())
        mem.GetRasterBand(1).WriteArray(data)
        mem.GetRasterBand(1).SetNoDataValue(0)
        path = os.path.join(out_dir, f"{band}.tif")
        # GTiff rather than the COG driver (which wants blocks of 128 px or more); with
        # COPY_SRC_OVERVIEWS the header and tile index come first, as in a COG.
        gdal.GetDriverByName("GTiff").CreateCopy(path, mem, options=[
            "TILED=YES", f"BLOCKXSIZE={BLOCK[res]}", f"BLOCKYSIZE={BLOCK[res]}", "COMPRESS=DEFLATE", "PREDICTOR=2",
            "COPY_SRC_OVERVIEWS=YES"])
        files[band], dn[band] = path, data
        if res == 10:
            gt, wkt, w, h = src.GetGeoTransform(), src.GetProjection(), src.RasterXSize, src.RasterYSize
        if band == "B05":
            scl_files = build_scl(src, out_dir)
    srs = osr.SpatialReference(wkt=wkt)
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    tr = osr.CoordinateTransformation(srs, wgs)
    corners = [tr.TransformPoint(gt[0] + c * gt[1], gt[3] + r * gt[5])[:2] for c, r in ((0, 0), (w, 0), (w, h), (0, h))]
    ring = [list(p) for p in corners] + [list(corners[0])]
    lons, lats = [p[0] for p in corners], [p[1] for p in corners]
    return {"files": files, "scl_files": scl_files, "dn": dn, "bbox": [min(lons), min(lats), max(lons), max(lats)],
            "footprint": {"type": "Polygon", "coordinates": [ring]}, "epsg": int(srs.GetAuthorityCode(None)),
            "geotransform": gt, "size": (w, h)}


def build_scl(grid, out_dir) -> dict:
    """SCL COGs on the 20 m grid of `grid`: "SCL" all vegetation (4), "SCL_cloudy" with high-probability
    cloud (9) over CLOUD_BOX only (a 2.4 km square around the tests' 2 km area: about 1.5 % of the crop)."""
    gt, w, h = grid.GetGeoTransform(), grid.RasterXSize, grid.RasterYSize
    clear = np.full((h, w), 4, np.uint8)
    cloudy = clear.copy()
    x0, y0, x1, y1 = CLOUD_BOX
    cloudy[int((gt[3] - y1) // -gt[5]):int((gt[3] - y0) // -gt[5]), int((x0 - gt[0]) // gt[1]):int((x1 - gt[0]) // gt[1])] = 9
    files = {}
    for name, data in (("SCL", clear), ("SCL_cloudy", cloudy)):
        mem = gdal.GetDriverByName("MEM").Create("", w, h, 1, gdal.GDT_Byte)
        mem.SetGeoTransform(gt)
        mem.SetProjection(grid.GetProjection())
        mem.GetRasterBand(1).WriteArray(data)
        mem.GetRasterBand(1).SetNoDataValue(0)
        files[name] = os.path.join(out_dir, f"{name}.tif")
        gdal.GetDriverByName("GTiff").CreateCopy(files[name], mem, options=[
            "TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=64", "COMPRESS=DEFLATE", "COPY_SRC_OVERVIEWS=YES"])
    return files


def make_item(base: str, data: dict, item_id: str, dt: str, cloud: float, scl: str = "SCL", gone=()) -> dict:
    """An item in the Earth Search c1-l2a shape; `gone`: bands whose href answers 404."""
    assets = {}
    for band, key in ASSET_KEYS.items():
        assets[key] = {
            "href": f"{base}/data/{band}{'-gone' if band in gone else ''}.tif",
            "type": "image/tiff; application=geotiff; profile=cloud-optimized",
            "title": f"{key} - {RES[band]}m", "roles": ["data", "reflectance"],
            "eo:bands": [{"name": band, "common_name": key}],
            "raster:bands": [{"nodata": 0, "data_type": "uint16", "spatial_resolution": RES[band],
                              "scale": 0.0001, "offset": -0.1}],
            "file:size": os.path.getsize(data["files"][band]),
        }
    assets["thumbnail"] = {"href": f"{base}/data/thumb.jpg", "type": "image/jpeg", "roles": ["thumbnail"]}
    if scl:
        assets["scl"] = {"href": f"{base}/data/{scl}.tif", "type": "image/tiff; application=geotiff; "
                         "profile=cloud-optimized", "title": "Scene classification map (SCL)", "roles": ["data"],
                         "raster:bands": [{"nodata": 0, "data_type": "uint8", "spatial_resolution": 20}]}
    return {
        "type": "Feature", "stac_version": "1.0.0", "id": item_id, "collection": COLLECTION,
        "stac_extensions": ["https://stac-extensions.github.io/eo/v1.1.0/schema.json",
                            "https://stac-extensions.github.io/raster/v1.1.0/schema.json"],
        "bbox": data["bbox"], "geometry": data["footprint"],
        "properties": {"datetime": dt, "eo:cloud_cover": cloud, "platform": "sentinel-2a",
                       "grid:code": "MGRS-18SVG", "mgrs:utm_zone": 18, "mgrs:latitude_band": "S",
                       "mgrs:grid_square": "VG", "proj:epsg": data["epsg"], "s2:processing_baseline": "05.10",
                       "s2:product_type": "S2MSI2A"},
        "links": [{"rel": "collection", "href": f"{base}/collections/{COLLECTION}"},
                  {"rel": "self", "href": f"{base}/collections/{COLLECTION}/items/{item_id}"}],
        "assets": assets,
    }


def _time(text: str) -> datetime | None:
    if not text or text == "..":
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _bbox_of(geometry: dict) -> list:
    coords = []

    def walk(c):
        if isinstance(c[0], int | float):
            coords.append(c)
        else:
            for x in c:
                walk(x)

    walk(geometry["coordinates"])
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    return [min(xs), min(ys), max(xs), max(ys)]


class StacHandler(Handler):
    routes = (
        ("GET", r"/?", "landing"),
        ("GET", r"/conformance", "conformance"),
        ("GET", r"/collections", "collections"),
        ("GET", r"/collections/([^/]+)", "collection"),
        ("GET", r"/search", "search_get"),
        ("POST", r"/search", "search_post"),
        ("GET", r"/data/([^/]+)", "data_file"),
    )

    @property
    def base(self) -> str:
        return self.server_state.url

    def landing(self):
        b = self.base
        self.send_json({
            "type": "Catalog", "id": "fake-earth-search", "stac_version": "1.0.0", "description": "loopback STAC API",
            "conformsTo": self.server_state.state.get("conforms", CONFORMS),
            "links": [{"rel": "self", "href": f"{b}/", "type": "application/json"},
                      {"rel": "root", "href": f"{b}/", "type": "application/json"},
                      {"rel": "conformance", "href": f"{b}/conformance"},
                      {"rel": "data", "href": f"{b}/collections"},
                      {"rel": "search", "href": f"{b}/search", "type": "application/geo+json", "method": "GET"},
                      {"rel": "search", "href": f"{b}/search", "type": "application/geo+json", "method": "POST"}],
        })

    def conformance(self):
        self.send_json({"conformsTo": self.server_state.state.get("conforms", CONFORMS)})

    def _collection(self):
        return {"type": "Collection", "id": COLLECTION, "stac_version": "1.0.0", "description": "Sentinel-2 L2A",
                "license": "proprietary", "extent": {"spatial": {"bbox": [[-180, -90, 180, 90]]},
                                                     "temporal": {"interval": [["2015-06-27T10:25:31Z", None]]}},
                "links": [{"rel": "self", "href": f"{self.base}/collections/{COLLECTION}"}]}

    def collections(self):
        self.send_json({"collections": [self._collection()], "links": []})

    def collection(self, cid):
        if cid != COLLECTION:
            self.send_json({"code": "NotFound", "description": f"no collection {cid}"}, 404)
            return
        self.send_json(self._collection())

    def search_get(self):
        q = self.query
        params = {}
        if "collections" in q:
            params["collections"] = q["collections"].split(",")
        if "bbox" in q:
            params["bbox"] = [float(v) for v in q["bbox"].split(",")]
        if "intersects" in q:
            params["intersects"] = json.loads(q["intersects"])
        for key in ("datetime", "limit", "token", "filter-lang", "sortby"):
            if key in q:
                params[key] = q[key]
        if "query" in q:
            params["query"] = json.loads(q["query"])
        if "filter" in q:
            params["filter"] = json.loads(q["filter"])
        self._search(params, "GET")

    def search_post(self):
        try:
            params = json.loads(self.body_bytes() or b"{}")
        except ValueError:
            self.send_json({"code": "BadRequest", "description": "body is not JSON"}, 400)
            return
        self._search(params, "POST")

    def _search(self, params: dict, method: str):
        data = self.server_state.state["data"]
        self.server_state.state.setdefault("searches", []).append(params)
        if params.get("collections") and COLLECTION not in params["collections"]:
            self.send_json({"type": "FeatureCollection", "features": [], "numberMatched": 0, "links": []})
            return
        bbox = params.get("bbox") or (_bbox_of(params["intersects"]) if params.get("intersects") else None)
        start = end = None
        if params.get("datetime"):
            parts = str(params["datetime"]).split("/")
            start, end = _time(parts[0]), _time(parts[-1])
        cloud_ops = (params.get("query") or {}).get("eo:cloud_cover", {})
        flt = params.get("filter")
        if isinstance(flt, dict) and flt.get("op") == "<=" and flt["args"][0] == {"property": "eo:cloud_cover"}:
            cloud_ops = {"lte": flt["args"][1]}  # the one CQL2 form this fake understands
        matched = []
        for item_id, dt, cloud in self.server_state.state.get("scenes", SCENES):
            t = _time(dt)
            if start and t < start or end and t > end:
                continue
            ib = data["bbox"]
            if bbox and (bbox[0] > ib[2] or bbox[2] < ib[0] or bbox[1] > ib[3] or bbox[3] < ib[1]):
                continue
            ops = {"lt": cloud < cloud_ops.get("lt", 1e9), "lte": cloud <= cloud_ops.get("lte", 1e9),
                   "gt": cloud > cloud_ops.get("gt", -1e9), "gte": cloud >= cloud_ops.get("gte", -1e9),
                   "eq": cloud == cloud_ops.get("eq", cloud)}
            if not all(ops.values()):
                continue
            matched.append(make_item(self.base, data, item_id, dt, cloud,
                                     self.server_state.state.get("scl", DEFAULT_SCL).get(item_id, "SCL"),
                                     self.server_state.state.get("gone", {}).get(item_id, ())))
        sortby = params.get("sortby")
        if sortby and "sort" in " ".join(self.server_state.state.get("conforms", CONFORMS)):
            # POST: [{"field": "properties.datetime", "direction": "desc"}]; GET: "-properties.datetime"
            first = sortby[0] if isinstance(sortby, list) else {"field": str(sortby).split(",")[0].lstrip("+-"),
                                                                  "direction": "desc" if str(sortby)[0] == "-" else "asc"}
            if first.get("field", "").removeprefix("properties.") == "datetime":
                matched.sort(key=lambda f: f["properties"]["datetime"], reverse=first.get("direction") == "desc")
        limit = min(int(params.get("limit") or 10), self.server_state.state.get("max_page", 10**6))
        offset = int(str(params.get("token") or "next:0").split(":")[1])
        page = matched[offset:offset + limit]
        links = [{"rel": "root", "href": f"{self.base}/"}]
        if offset + limit < len(matched):
            token = f"next:{offset + limit}"
            if method == "POST":
                body = dict(params, token=token)
                links.append({"rel": "next", "href": f"{self.base}/search", "method": "POST", "body": body,
                              "merge": False, "type": "application/geo+json"})
            else:
                from urllib.parse import urlencode

                q = dict(self.query, token=token)
                links.append({"rel": "next", "href": f"{self.base}/search?{urlencode(q)}", "method": "GET",
                              "type": "application/geo+json"})
        self.server_state.state.setdefault("pages", []).append((method, offset, len(page)))
        self.send_json({"type": "FeatureCollection", "features": page, "numberMatched": len(matched),
                        "numberReturned": len(page), "links": links})

    def data_file(self, name):
        data = self.server_state.state["data"]
        files = dict(data["files"], **data["scl_files"])
        band = name.removesuffix(".tif")
        if band not in files:
            self.send_json({"message": f"no file {name}"}, 404)
            return
        cache = self.server_state.state.setdefault("bytes", {})
        if band not in cache:
            with open(files[band], "rb") as fh:
                cache[band] = fh.read()
        self.send_file_bytes(cache[band], "image/tiff")
