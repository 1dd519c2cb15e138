"""A search result, the same shape whatever catalogue it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..errors import InputError

PRODUCT_TYPES = {"L2A": "S2MSI2A", "L1C": "S2MSI1C"}  # the product types of the Copernicus catalogues


@dataclass
class SceneRecord:
    id: str  # the product name (STAC item id, SAFE name without .SAFE)
    datetime: str  # sensing start, ISO 8601 UTC ("2024-07-05T15:57:21Z")
    cloud_cover: float | None  # percent
    tile: str  # MGRS tile, "18SVG"
    footprint: dict | None  # GeoJSON geometry, EPSG:4326
    size: int | None  # bytes of the whole product, None when the catalogue does not say
    thumbnail_url: str
    source: str  # "stac", "cdse", "dhus"
    level: str  # "L1C" or "L2A"
    assets: dict = field(default_factory=dict)  # band name -> URL where a backend fetches bands one by one
    extra: dict = field(default_factory=dict)  # backend-specific (uuid, checksum, online, radiometry, ...)
    area_cloud: float | None = None  # percent of the area not clear in the SCL (None: not measured, tile only)

    @property
    def date(self) -> str:
        return self.datetime[:10]

    def to_dict(self) -> dict:
        return asdict(self)


def sort_newest_first(scenes: list) -> list:
    return sorted(scenes, key=lambda s: (s.datetime, s.id), reverse=True)


def tile_from_name(name: str) -> str:
    """'S2A_MSIL2A_20240705T155721_N0510_R097_T18SVG_20240705T213012' -> '18SVG'."""
    for part in name.replace(".SAFE", "").split("_"):
        if len(part) == 6 and part[0] == "T" and part[1:3].isdigit():
            return part[1:]
    return ""


def level_from_name(name: str) -> str:
    return "L2A" if "MSIL2A" in name else "L1C" if "MSIL1C" in name else ""


def product_type(level: str) -> str:
    """'L2A' -> 'S2MSI2A' (the Copernicus product type); an InputError for any other level."""
    ptype = PRODUCT_TYPES.get(str(level).upper())
    if not ptype:
        raise InputError(f"level {level!r}: expected L2A or L1C")
    return ptype


def iso_utc(text: str) -> str:
    """'2024-07-05T15:47:21.024000Z' / '+00:00' forms -> '2024-07-05T15:47:21Z'."""
    text = str(text).replace("+00:00", "Z")
    if "." in text:
        text = text.split(".")[0] + "Z"
    return text if text.endswith("Z") or not text else text + "Z"
