"""Values that cross the pipe between QGIS and the worker, and back into core's own types.

Imports only light core modules (no network runtime): both sides use it.
"""

from __future__ import annotations

import dataclasses
import json


def to_jsonable(value):
    """Dataclasses, numpy scalars/arrays, tuples and sets as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalar or array, without importing numpy here
        return value.tolist()
    return value


def dumps(obj) -> str:
    return json.dumps(to_jsonable(obj), separators=(",", ":"))


def encode_aoi(aoi):
    return None if aoi is None else {"wkt": aoi.wkt, "crs": aoi.crs}


def decode_aoi(value):
    if value is None:
        return None
    from ..core.io.aoi import Aoi

    return Aoi(value["wkt"], value["crs"])


def decode_sr_result(value: dict):
    """A SuperResolveResult from its asdict() form (fields added to it later pass through)."""
    from ..core.sr.engine import SuperResolveResult

    names = {f.name for f in dataclasses.fields(SuperResolveResult)}
    value = {k: v for k, v in value.items() if k in names}
    if isinstance(value.get("geotransform"), list):
        value["geotransform"] = tuple(value["geotransform"])
    return SuperResolveResult(**value)


def decode_scene(value: dict):
    from ..core.catalog.scene import SceneRecord

    return SceneRecord(**value)


def decode_enhance_result(value: dict):
    from ..core.catalog.pipeline import EnhanceResult

    return EnhanceResult(decode_scene(value["scene"]), value["product_path"], decode_sr_result(value["result"]))
