"""A Copernicus Data Space Ecosystem fake on 127.0.0.1 (see ../shared/notes/catalogs.md, section 2).

Main server (`CdseHandler`), standing for identity + catalogue + download hosts:
- `POST /auth/realms/CDSE/protocol/openid-connect/token`: password grant (client_id cdse-public)
  and refresh_token grant; 401 `{"error": "invalid_grant"}` for bad credentials.
  `state["expires_in"]` sets the access token lifetime (600 s by default).
- `GET /odata/v1/Products?$filter=...&$orderby=...&$top=&$skip=&$count=True&$expand=Attributes`:
  the filter must name the collection, the area (OData.CSC.Intersects), the dates, the product type
  and the cloud cover as the documented form does; matching products, newest first, paged with
  `@odata.nextLink`.
- `GET /odata/v1/Products(<Id>)/$value` and `.../Nodes(<a>)/Nodes(<b>)/$value`: need a valid bearer
  token, then redirect (302) to the second server (`state["download_server"]`, another port), which
  checks the token again and serves the bytes with Range (faults of that server apply there).
- `GET /odata/v1/Products(<Id>)/Nodes` and `.../Nodes(<a>)/.../Nodes`: `{"result": [...]}` listings.

Products: `state["products"]`, a list of dicts made by `product_record` (the first one has the
bytes of the built SAFE zip; the others only appear in searches).
"""

from __future__ import annotations

import itertools
import re
import time
import zipfile
from datetime import datetime
from urllib.parse import parse_qs, quote

from .httpbase import Handler, LoopbackServer

TOKEN_PATH = "/auth/realms/CDSE/protocol/openid-connect/token"
_ids = itertools.count(1)


def product_record(built=None, *, name=None, start=None, cloud=10.0, product_type="S2MSI2A", bbox=None,
                   uuid=None, online=True) -> dict:
    name = name or built.name
    start = start or built.datetime
    w, s, e, n = bbox or (-76.0, 37.5, -75.0, 38.0)
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    return {
        "uuid": uuid or f"{next(_ids):08d}-4e7d-4b4a-9c1a-0123456789ab", "name": name + ".SAFE",
        "start": start, "cloud": cloud, "product_type": product_type, "bbox": (w, s, e, n), "ring": ring,
        "online": online, "built": built, "size": built.size if built else 123456789,
        "md5": built.md5 if built else "0" * 32,
    }


def odata_product(p: dict) -> dict:
    wkt = "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in p["ring"]) + "))"
    start = p["start"].replace("Z", ".024Z")
    return {
        "@odata.mediaContentType": "application/octet-stream", "Id": p["uuid"], "Name": p["name"],
        "ContentType": "application/octet-stream", "ContentLength": p["size"], "OriginDate": start,
        "PublicationDate": start, "ModificationDate": start, "Online": p["online"], "EvictionDate": "",
        "S3Path": f"/eodata/Sentinel-2/MSI/L2A/{p['start'][:4]}/{p['name']}",
        "Checksum": [{"Value": p["md5"], "Algorithm": "MD5", "ChecksumDate": start},
                     {"Value": "f" * 64, "Algorithm": "BLAKE3", "ChecksumDate": start}],
        "ContentDate": {"Start": start, "End": start},
        "Footprint": f"geography'SRID=4326;{wkt}'",
        "GeoFootprint": {"type": "Polygon", "coordinates": [p["ring"]]},
        "Attributes": [
            {"@odata.type": "#OData.CSC.DoubleAttribute", "Name": "cloudCover", "Value": p["cloud"], "ValueType": "Double"},
            {"@odata.type": "#OData.CSC.StringAttribute", "Name": "productType", "Value": p["product_type"],
             "ValueType": "String"},
            {"@odata.type": "#OData.CSC.StringAttribute", "Name": "tileId", "Value": "18SVG", "ValueType": "String"},
        ],
    }


class Tokens:
    def __init__(self, users: dict, expires_in: float = 600):
        self.users = users
        self.expires_in = expires_in
        self.access: dict = {}  # token -> expiry (monotonic)
        self.refresh: dict = {}
        self.issued = 0

    def issue(self) -> dict:
        self.issued += 1
        access, refresh = f"acc-{self.issued}-{time.monotonic_ns()}", f"ref-{self.issued}"
        self.access[access] = time.monotonic() + self.expires_in
        self.refresh[refresh] = time.monotonic() + 3600
        return {"access_token": access, "expires_in": self.expires_in, "refresh_token": refresh,
                "refresh_expires_in": 3600, "token_type": "Bearer", "not-before-policy": 0, "scope": "email profile"}

    def valid(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        expiry = self.access.get(header[7:])
        return expiry is not None and time.monotonic() < expiry


def _parse_filter(text: str) -> dict | str:
    """The parts of a CDSE $filter this fake understands; a string names what is missing."""
    out = {}
    if not re.search(r"Collection/Name eq 'SENTINEL-2'", text):
        return "Collection/Name eq 'SENTINEL-2'"
    m = re.search(r"OData\.CSC\.Intersects\(area=geography'SRID=4326;POLYGON\s*\(\((.+?)\)\)'\)", text)
    if not m:
        return "OData.CSC.Intersects(area=geography'SRID=4326;POLYGON((...))')"
    pts = [tuple(float(v) for v in pair.split()) for pair in m.group(1).split(",")]
    out["bbox"] = (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))
    for op in ("gt", "lt"):
        m = re.search(rf"ContentDate/Start {op} (\S+?Z)", text)
        if not m:
            return f"ContentDate/Start {op}"
        out[op] = datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
    m = re.search(r"att/Name eq 'productType' and att/OData\.CSC\.StringAttribute/Value eq '(\w+)'", text)
    if not m:
        return "productType attribute"
    out["product_type"] = m.group(1)
    m = re.search(r"att/Name eq 'cloudCover' and att/OData\.CSC\.DoubleAttribute/Value le ([\d.]+)", text)
    out["cloud"] = float(m.group(1)) if m else 100.0
    return out


class CdseHandler(Handler):
    routes = (
        ("POST", re.escape(TOKEN_PATH), "token"),
        ("GET", r"/odata/v1/Products", "search"),
        ("GET", r"/odata/v1/Products\(([^)]+)\)/\$value", "product_value"),
        ("GET", r"/odata/v1/Products\(([^)]+)\)((?:/Nodes\([^)]+\))*)/Nodes", "node_list"),
        ("GET", r"/odata/v1/Products\(([^)]+)\)((?:/Nodes\([^)]+\))+)/\$value", "node_value"),
    )

    def token(self):
        form = {k: v[-1] for k, v in parse_qs(self.body_bytes().decode()).items()}
        tokens: Tokens = self.st["tokens"]
        if form.get("client_id") != "cdse-public":
            self.send_json({"error": "invalid_client"}, 401)
            return
        if form.get("grant_type") == "password":
            if tokens.users.get(form.get("username")) != form.get("password"):
                self.send_json({"error": "invalid_grant", "error_description": "Invalid user credentials"}, 401)
                return
        elif form.get("grant_type") == "refresh_token":
            expiry = tokens.refresh.pop(form.get("refresh_token"), None)
            if expiry is None or time.monotonic() > expiry:
                self.send_json({"error": "invalid_grant", "error_description": "Token is not active"}, 400)
                return
            self.st["refreshes"] = self.st.get("refreshes", 0) + 1
        else:
            self.send_json({"error": "unsupported_grant_type"}, 400)
            return
        self.send_json(tokens.issue())

    def search(self):
        q = self.query
        parsed = _parse_filter(q.get("$filter", ""))
        if isinstance(parsed, str):
            self.send_json({"detail": f"filter must contain {parsed}"}, 400)
            return
        self.st.setdefault("filters", []).append(q.get("$filter"))
        bx = parsed["bbox"]
        hits = []
        for p in self.st["products"]:
            t = datetime.fromisoformat(p["start"].replace("Z", "+00:00"))
            b = p["bbox"]
            if not (parsed["gt"] < t < parsed["lt"]) or p["product_type"] != parsed["product_type"]:
                continue
            if p["cloud"] > parsed["cloud"] or bx[0] > b[2] or bx[2] < b[0] or bx[1] > b[3] or bx[3] < b[1]:
                continue
            hits.append(p)
        hits.sort(key=lambda p: p["start"], reverse=q.get("$orderby", "").endswith("desc"))
        top, skip = int(q.get("$top", 20)), int(q.get("$skip", 0))
        page = hits[skip:skip + top]
        out = {"@odata.context": "$metadata#Products(Attributes())", "value": [odata_product(p) for p in page]}
        if q.get("$count", "").lower() == "true":
            out["@odata.count"] = len(hits)
        if skip + top < len(hits):
            rest = dict(q, **{"$skip": str(skip + top)})
            out["@odata.nextLink"] = f"{self.server_state.url}/odata/v1/Products?" + "&".join(
                f"{k}={quote(v, safe='')}" for k, v in rest.items())
        self.send_json(out)

    def _product(self, uuid: str):
        for p in self.st["products"]:
            if p["uuid"] == uuid and p["built"] is not None:
                return p
        self.send_json({"detail": {"message": f"Product {uuid} not found"}}, 404)
        return None

    def _authorised(self) -> bool:
        if not self.st["tokens"].valid(self.headers.get("Authorization")):
            self.send_json({"detail": "Expired signature!"}, 401)
            return False
        return True

    def product_value(self, uuid):
        p = self._product(uuid)
        if p is None or not self._authorised():
            return
        if not p["online"]:
            self.send_json({"detail": "Product is offline; an order was placed"}, 202)
            return
        self.redirect(f"{self.st['download_server'].url}/download/{uuid}", 301)

    def _members(self, p) -> list:
        with zipfile.ZipFile(p["built"].zip_path) as zf:
            return [i for i in zf.infolist() if not i.is_dir()]

    def node_list(self, uuid, nodes):
        p = self._product(uuid)
        if p is None:
            return
        prefix = "/".join(re.findall(r"Nodes\(([^)]+)\)", nodes or ""))
        children = {}
        for info in self._members(p):
            rel = info.filename
            if prefix and not rel.startswith(prefix + "/"):
                continue
            rest = rel[len(prefix) + 1:] if prefix else rel
            head = rest.split("/")[0]
            entry = children.setdefault(head, {"size": 0, "children": set()})
            if "/" in rest:
                entry["children"].add(rest.split("/")[1])
            else:
                entry["size"] = info.file_size
        if not children:
            self.send_json({"detail": f"no node {prefix}"}, 404)
            return
        base = f"{self.server_state.url}/odata/v1/Products({uuid}){nodes or ''}"
        self.send_json({"result": [
            {"Id": name, "Name": name, "ContentLength": c["size"], "ChildrenNumber": len(c["children"]),
             "Nodes": {"uri": f"{base}/Nodes({name})/Nodes"}} for name, c in sorted(children.items())]})

    def node_value(self, uuid, nodes):
        p = self._product(uuid)
        if p is None or not self._authorised():
            return
        path = "/".join(re.findall(r"Nodes\(([^)]+)\)", nodes))
        if path not in {i.filename for i in self._members(p)}:
            self.send_json({"detail": f"no node {path}"}, 404)
            return
        self.redirect(f"{self.st['download_server'].url}/nodes/{uuid}/{path}", 301)


class CdseDownloadHandler(Handler):
    """The host downloads are redirected to: it checks the bearer token again."""

    routes = (
        ("GET", r"/download/([^/]+)", "download"),
        ("GET", r"/nodes/([^/]+)/(.+)", "node"),
    )

    def _main(self) -> dict:
        return self.server_state.state["main"].state

    def _product(self, uuid):
        for p in self._main()["products"]:
            if p["uuid"] == uuid and p["built"] is not None:
                return p
        return None

    def _authorised(self) -> bool:
        if not self._main()["tokens"].valid(self.headers.get("Authorization")):
            self.send_json({"detail": "Expired signature!"}, 401)
            return False
        return True

    def download(self, uuid):
        p = self._product(uuid)
        if p is None:
            self.send_json({"detail": "not found"}, 404)
            return
        if not self._authorised():
            return
        with open(p["built"].zip_path, "rb") as fh:
            data = fh.read()
        self.send_file_bytes(data, "application/zip",
                             {"Content-Disposition": f'attachment; filename="{p["name"]}.zip"'})

    def node(self, uuid, path):
        p = self._product(uuid)
        if p is None or not self._authorised():
            return
        with zipfile.ZipFile(p["built"].zip_path) as zf:
            data = zf.read(path)
        self.send_file_bytes(data)


def start_cdse(built, users: dict, expires_in: float = 600, bbox=None) -> LoopbackServer:
    """Start both servers; `main.state["download_server"]` is the second one (stopped by `stop_cdse`)."""
    products = [
        product_record(built, cloud=8.5, bbox=bbox),
        product_record(name="S2B_MSIL2A_20240628T155719_N0510_R097_T18SVG_20240628T200112", start="2024-06-28T15:57:19Z",
                       cloud=55.0, bbox=bbox),
        product_record(name="S2A_MSIL1C_20240705T155721_N0510_R097_T18SVG_20240705T190000", start="2024-07-05T15:57:21Z",
                       cloud=8.5, product_type="S2MSI1C", bbox=bbox),
    ]
    main = LoopbackServer(CdseHandler, tokens=Tokens(users, expires_in), products=products)
    download = LoopbackServer(CdseDownloadHandler, main=main)
    main.state["download_server"] = download
    main.download_server = download
    return main


def stop_cdse(main: LoopbackServer) -> None:
    main.state["download_server"].stop()
    main.stop()
