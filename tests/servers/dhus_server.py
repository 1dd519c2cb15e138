"""A DHuS hub fake for sentinelsat on 127.0.0.1 (see ../shared/notes/catalogs.md, section 1).

Every request needs HTTP Basic auth (401 otherwise). The API root is `<url>/` (give it as
`api_url`):
- `GET /search?format=json&rows=&start=&q=<Solr>`: the feed with `opensearch:totalResults` and
  `entry` (a dict for one hit, a list for several); the query must carry beginPosition,
  cloudcoverpercentage, platformname, producttype and footprint as sentinelsat writes them; a
  query without them answers `feed.error.message`.
- `GET /odata/v1/Products('<uuid>')?$format=json`: the OData product (MD5, ContentLength,
  media_src, Online ...).
- `GET /odata/v1/Products('<uuid>')/Online/$value`: `true` or `false`.
- `HEAD|GET /odata/v1/Products('<uuid>')/$value`: the zip with Range; an offline product answers
  202 (retrieval triggered) and counts `state["triggered"]`.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

from .httpbase import Handler, LoopbackServer


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp() * 1000)


def entry(p: dict, base: str) -> dict:
    wkt = "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in p["ring"]) + "))"
    return {
        "title": p["name"].removesuffix(".SAFE"), "id": p["uuid"], "summary": f"Date: {p['start']}, Instrument: MSI, Mode: , Satellite: Sentinel-2",
        "link": [{"href": f"{base}/odata/v1/Products('{p['uuid']}')/$value"},
                 {"rel": "alternative", "href": f"{base}/odata/v1/Products('{p['uuid']}')/"},
                 {"rel": "icon", "href": f"{base}/odata/v1/Products('{p['uuid']}')/Products('Quicklook')/$value"}],
        "date": [{"name": "beginposition", "content": p["start"].replace("Z", ".024Z")},
                 {"name": "endposition", "content": p["start"].replace("Z", ".024Z")},
                 {"name": "ingestiondate", "content": p["start"].replace("Z", ".500Z")}],
        "double": {"name": "cloudcoverpercentage", "content": str(p["cloud"])},
        "str": [{"name": "size", "content": f"{p['size'] / 2**20:.2f} MB"},
                {"name": "footprint", "content": wkt},
                {"name": "platformname", "content": "Sentinel-2"},
                {"name": "producttype", "content": p["product_type"]},
                {"name": "tileid", "content": "18SVG"},
                {"name": "uuid", "content": p["uuid"]},
                {"name": "identifier", "content": p["name"].removesuffix(".SAFE")}],
    }


class DhusHandler(Handler):
    routes = (
        ("GET", r"/search", "search"),
        ("GET", r"/odata/v1/Products\('([^']+)'\)/?", "odata"),
        ("GET", r"/odata/v1/Products\('([^']+)'\)/Online/\$value", "online"),
        ("GET", r"/odata/v1/Products\('([^']+)'\)/\$value", "value"),
    )

    def _dispatch(self, method):
        user, password = self.st["user"], self.st["password"]
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_raw(b"<html><body>Unauthorized</body></html>", 401, "text/html",
                          {"WWW-Authenticate": 'Basic realm="OData service"'})
            return
        super()._dispatch(method)

    def search(self):
        q = self.query
        text = q.get("q", "")
        self.st.setdefault("queries", []).append(text)
        m_date = re.search(r'beginPosition:\["?(\S+?)"? TO "?(\S+?)"?\]', text)
        m_cloud = re.search(r'cloudcoverpercentage:\["?([\d.]+)"? TO "?([\d.]+)"?\]', text)
        m_type = re.search(r'producttype:"?(\w+)"?', text)
        m_area = re.search(r'footprint:"Intersects\(POLYGON\s*\(\((.+?)\)\)\)"', text)
        if not (m_date and m_cloud and m_type and m_area and 'platformname:"Sentinel-2"' in text):
            self.send_json({"feed": {"error": {"message": "org.apache.solr.search.SyntaxError: Cannot parse query"}}})
            return
        pts = [tuple(float(v) for v in pair.split()) for pair in m_area.group(1).split(",")]
        bx = (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))
        t0 = datetime.fromisoformat(m_date.group(1).replace("Z", "+00:00"))
        t1 = datetime.fromisoformat(m_date.group(2).replace("Z", "+00:00"))
        hits = []
        for p in self.st["products"]:
            t = datetime.fromisoformat(p["start"].replace("Z", "+00:00"))
            b = p["bbox"]
            if not (t0 <= t <= t1) or p["product_type"] != m_type.group(1):
                continue
            if not (float(m_cloud.group(1)) <= p["cloud"] <= float(m_cloud.group(2))):
                continue
            if bx[0] > b[2] or bx[2] < b[0] or bx[1] > b[3] or bx[3] < b[1]:
                continue
            hits.append(p)
        start, rows = int(q.get("start", 0)), int(q.get("rows", 100))
        page = [entry(p, self.server_state.url) for p in hits[start:start + rows]]
        feed = {"opensearch:totalResults": str(len(hits)), "opensearch:startIndex": str(start),
                "opensearch:itemsPerPage": str(rows)}
        if page:
            feed["entry"] = page[0] if len(page) == 1 else page
        self.send_json({"feed": feed})

    def _product(self, uuid):
        for p in self.st["products"]:
            if p["uuid"] == uuid and p["built"] is not None:
                return p
        self.send_json({"error": {"code": None, "message": {"lang": "en", "value": f"Invalid key ({uuid}) to access Products"}}},
                       404)
        return None

    def odata(self, uuid):
        p = self._product(uuid)
        if p is None:
            return
        base = self.server_state.url
        ring = " ".join(f"{y},{x}" for x, y in p["ring"])
        gml = ('<gml:Polygon srsName="http://www.opengis.net/gml/srs/epsg.xml#4326" '
               'xmlns:gml="http://www.opengis.net/gml"><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>'
               f"{ring}</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon>")
        ms = _ms(p["start"])
        self.send_json({"d": {
            "__metadata": {"id": f"{base}/odata/v1/Products('{uuid}')", "uri": f"{base}/odata/v1/Products('{uuid}')",
                           "type": "DHuS.Product", "content_type": "application/octet-stream",
                           "media_src": f"{base}/odata/v1/Products('{uuid}')/$value"},
            "Id": uuid, "Name": p["name"].removesuffix(".SAFE"), "ContentType": "application/octet-stream",
            "ContentLength": str(p["size"]), "ChildrenNumber": "1", "Value": None,
            "CreationDate": f"/Date({ms + 3600000})/", "IngestionDate": f"/Date({ms + 7200000})/",
            "ModificationDate": f"/Date({ms + 7200000})/", "EvictionDate": None,
            "Online": p["online"], "OnDemand": False,
            "ContentDate": {"__metadata": {"type": "DHuS.TimeRange"}, "Start": f"/Date({ms})/", "End": f"/Date({ms})/"},
            "Checksum": {"__metadata": {"type": "DHuS.Checksum"}, "Algorithm": "MD5", "Value": p["md5"].upper()},
            "ContentGeometry": gml, "Attributes": {"results": []},
        }})

    def online(self, uuid):
        p = self._product(uuid)
        if p is not None:
            self.send_raw(b"true" if p["online"] else b"false", 200, "text/plain")

    def value(self, uuid):
        p = self._product(uuid)
        if p is None:
            return
        if not p["online"]:
            self.st["triggered"] = self.st.get("triggered", 0) + 1
            self.send_raw(b"", 202, headers={"cause-message": "The product has been requested from the LTA"})
            return
        with open(p["built"].zip_path, "rb") as fh:
            data = fh.read()
        self.send_file_bytes(data, "application/octet-stream",
                             {"Content-Disposition": f'inline;filename="{p["name"].removesuffix(".SAFE")}.zip"'})


def start_dhus(built, user: str, password: str, bbox=None) -> LoopbackServer:
    from .cdse_server import product_record

    products = [
        product_record(built, name=built.name, cloud=8.5, bbox=bbox),
        product_record(name="S2B_MSIL2A_20240628T155719_N0510_R097_T18SVG_20240628T200112", start="2024-06-28T15:57:19Z",
                       cloud=55.0, bbox=bbox),
    ]
    return LoopbackServer(DhusHandler, user=user, password=password, products=products)
