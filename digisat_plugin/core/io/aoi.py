"""Areas of interest: a bounding box in any CRS or a GeoJSON polygon, and their pixel windows.

Text forms accepted by `parse_aoi` (CLI --aoi, Processing, settings):
- "xmin,ymin,xmax,ymax" with an optional ",EPSG:nnnn" (or a separate crs argument);
  without a CRS the box is in the product's own CRS (or its pixel grid when it has none);
- a path to a .geojson/.json file, or inline GeoJSON text (Polygon, MultiPolygon, Feature or
  FeatureCollection); GeoJSON is EPSG:4326 (RFC 7946) unless it carries a legacy "crs" member.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

from osgeo import ogr, osr

from ..errors import AoiError
from .raster import ALIGN

osr.UseExceptions()
ogr.UseExceptions()

MIN_AOI_PIXELS = 36  # base pixels (360 m at 10 m): below this a 60 m band has under 6 pixels


@dataclass(frozen=True)
class Window:
    """A window on a product's base grid (rows/cols of 10 m pixels)."""

    row: int
    col: int
    height: int
    width: int


@dataclass(frozen=True)
class Aoi:
    wkt: str  # polygon geometry as WKT
    crs: str  # "EPSG:4326", a WKT string, or "" for the product's own CRS

    @property
    def geometry(self):
        return ogr.CreateGeometryFromWkt(self.wkt)

    def bounds(self) -> tuple:
        xmin, xmax, ymin, ymax = self.geometry.GetEnvelope()
        return xmin, ymin, xmax, ymax

    def transformed(self, target_crs: str) -> Aoi:
        """The same area in another CRS (vertices densified so curved edges stay inside)."""
        if not self.crs or not target_crs:
            return self
        src, dst = srs_from(self.crs), srs_from(target_crs)
        if src.IsSame(dst):
            return self
        geom = self.geometry
        xmin, xmax, ymin, ymax = geom.GetEnvelope()
        geom.Segmentize(max(xmax - xmin, ymax - ymin) / 32 or 1.0)
        geom.Transform(osr.CoordinateTransformation(src, dst))
        return Aoi(geom.ExportToWkt(), target_crs)

    def wgs84_bounds(self) -> tuple:
        """(west, south, east, north) in degrees, for catalogue searches."""
        if not self.crs:
            raise AoiError("area of interest: a CRS is needed to search catalogues (add ',EPSG:4326')")
        return self.transformed("EPSG:4326").bounds()

    def wgs84_geojson(self) -> dict:
        return json.loads(self.transformed("EPSG:4326").geometry.ExportToJson())

    @classmethod
    def from_bbox(cls, xmin: float, ymin: float, xmax: float, ymax: float, crs: str = "") -> Aoi:
        if not (xmax > xmin and ymax > ymin):
            raise AoiError(f"area of interest: empty box {coords_text((xmin, ymin, xmax, ymax), crs)}; expected "
                           "xmin,ymin,xmax,ymax")
        wkt = f"POLYGON(({xmin!r} {ymin!r},{xmax!r} {ymin!r},{xmax!r} {ymax!r},{xmin!r} {ymax!r},{xmin!r} {ymin!r}))"
        return cls(wkt, crs)


def crs_label(crs: str) -> str:
    """'EPSG:32618' for a CRS given as an EPSG code or WKT; its name when it has no code; '' for none."""
    if not crs:
        return ""
    srs = osr.SpatialReference()
    try:
        srs.SetFromUserInput(crs)
        if not srs.GetAuthorityCode(None):
            srs.AutoIdentifyEPSG()
    except RuntimeError:
        return ""
    code = srs.GetAuthorityCode(None)
    return f"{srs.GetAuthorityName(None) or 'EPSG'}:{code}" if code else (srs.GetName() or "")


def coords_text(values, crs: str = "") -> str:
    """Coordinates for a message, in fixed notation with the CRS: '432422.0, 4187450.0 (EPSG:32618)'
    (never '4.18745e+06'); degrees get 6 decimals, other units 1."""
    geographic = False
    if crs:
        srs = osr.SpatialReference()
        try:
            srs.SetFromUserInput(crs)
            geographic = bool(srs.IsGeographic())
        except RuntimeError:
            pass
    text = ", ".join(f"{float(v):.{6 if geographic else 1}f}" for v in values)
    label = crs_label(crs)
    return f"{text} ({label})" if label else text


def srs_from(crs: str) -> osr.SpatialReference:
    srs = osr.SpatialReference()
    try:
        srs.SetFromUserInput(crs)
    except RuntimeError:
        raise AoiError(f"area of interest: unknown CRS {crs!r}") from None
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def parse_aoi(text: str, crs: str = "") -> Aoi:
    """Parse the --aoi forms described in the module docstring."""
    text = str(text).strip()
    if not text:
        raise AoiError("area of interest: empty")
    if text.startswith("{") or text.lower().endswith((".geojson", ".json")):
        return _parse_geojson(text)
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 5:
        crs, parts = parts[4], parts[:4]
    if len(parts) != 4:
        raise AoiError(f"area of interest {text!r}: expected xmin,ymin,xmax,ymax[,EPSG:code] or a GeoJSON file")
    try:
        xmin, ymin, xmax, ymax = (float(p) for p in parts)
    except ValueError:
        raise AoiError(f"area of interest {text!r}: coordinates must be numbers") from None
    if crs:
        srs_from(crs)
    return Aoi.from_bbox(xmin, ymin, xmax, ymax, crs)


def _parse_geojson(text: str) -> Aoi:
    where = "area of interest"
    if not text.startswith("{"):
        where = text
        if not os.path.exists(text):
            raise AoiError(f"{text}: GeoJSON file not found")
        try:
            with open(text, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise AoiError(f"{where}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AoiError(f"{where}: not valid GeoJSON ({exc})") from None
    crs = "EPSG:4326"
    legacy = (data.get("crs") or {}).get("properties", {}).get("name") if isinstance(data, dict) else None
    if legacy:
        crs = legacy
    geoms = []
    features = data.get("features") if data.get("type") == "FeatureCollection" else [data]
    for feat in features or []:
        geom = feat.get("geometry") if feat.get("type") == "Feature" else feat
        if not geom or geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise AoiError(f"{where}: expected Polygon or MultiPolygon geometry, got {geom and geom.get('type')!r}")
        try:
            geoms.append(ogr.CreateGeometryFromJson(json.dumps(geom)))
        except RuntimeError as exc:
            raise AoiError(f"{where}: invalid polygon ({exc})") from None
    if not geoms:
        raise AoiError(f"{where}: no polygon found")
    union = geoms[0]
    for g in geoms[1:]:
        union = union.Union(g)
    return Aoi(union.ExportToWkt(), crs)


def window_for(product, aoi: Aoi | None) -> Window:
    """The base-grid window covering `aoi` on `product`, aligned outward to the 60 m grid.

    The margin a network needs beyond the window is the engine's business: it reads real
    pixels there when the scene has them and mirrors them at the scene edge.
    """
    return window_and_notices(product, aoi)[0]


def window_notices(product, aoi: Aoi | None) -> list:
    """One line for each way the window written differs from the area asked: clipped at the edge
    of the data, grown outward to the 60 m grid (for the front ends to show; core prints nothing)."""
    return window_and_notices(product, aoi)[1]


def window_and_notices(product, aoi: Aoi | None) -> tuple:
    """(window_for's window, window_notices' lines): the one place the window is made."""
    if aoi is None:
        return Window(0, 0, product.height, product.width), []
    if aoi.crs and not product.crs_wkt:
        raise AoiError(
            f"area of interest is in {aoi.crs} but {product.path} has no CRS: give the box in its pixel-grid coordinates"
        )
    local = aoi.transformed(product.crs_wkt) if aoi.crs else aoi
    xmin, ymin, xmax, ymax = local.bounds()
    gt = product.geotransform
    cols = sorted(((xmin - gt[0]) / gt[1], (xmax - gt[0]) / gt[1]))
    rows = sorted(((ymax - gt[3]) / gt[5], (ymin - gt[3]) / gt[5]))
    c0 = max(math.floor(cols[0] / ALIGN) * ALIGN, 0)
    r0 = max(math.floor(rows[0] / ALIGN) * ALIGN, 0)
    c1 = min(math.ceil(cols[1] / ALIGN) * ALIGN, product.width)
    r1 = min(math.ceil(rows[1] / ALIGN) * ALIGN, product.height)
    if c1 <= c0 or r1 <= r0 or cols[1] <= 0 or rows[1] <= 0:
        ext = product_extent(product)
        raise AoiError(
            f"area of interest {coords_text((xmin, ymin, xmax, ymax), product.crs_wkt)} is outside the data of "
            f"{product.path}, which covers {coords_text(ext, product.crs_wkt)}"
        )
    if min(c1 - c0, r1 - r0) < MIN_AOI_PIXELS:
        res = product.base_resolution
        raise AoiError(
            f"area of interest too small: {(c1 - c0) * res:g} x {(r1 - r0) * res:g} units on the data; "
            f"at least {MIN_AOI_PIXELS * res:g} on each side is needed"
        )
    res, eps = abs(gt[1]), 1e-6
    asked = f"{xmax - xmin:.0f} x {ymax - ymin:.0f}"
    written = f"{(c1 - c0) * res:.0f} x {(r1 - r0) * abs(gt[5]):.0f}"
    notices = []
    if cols[0] < -eps or rows[0] < -eps or cols[1] > product.width + eps or rows[1] > product.height + eps:
        notices.append(f"area of interest clipped at the edge of the data of {product.path}: {asked} asked, "
                       f"{written} written (CRS units)")
    inside = (max(cols[0], 0), max(rows[0], 0), min(cols[1], product.width), min(rows[1], product.height))
    if c0 < inside[0] - eps or r0 < inside[1] - eps or c1 > inside[2] + eps or r1 > inside[3] + eps:
        notices.append(f"area of interest grown outward to the {ALIGN * res:g} m pixel grid: {asked} "
                       f"asked, {written} written (CRS units)")
    return Window(r0, c0, r1 - r0, c1 - c0), notices


def product_extent(product) -> tuple:
    gt = product.geotransform
    x0, y0 = gt[0], gt[3]
    x1, y1 = x0 + gt[1] * product.width, y0 + gt[5] * product.height
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def window_geotransform(product, window: Window) -> tuple:
    gt = product.geotransform
    return (gt[0] + window.col * gt[1], gt[1], 0.0, gt[3] + window.row * gt[5], 0.0, gt[5])
