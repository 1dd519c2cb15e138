"""Folders of per-band rasters: `B02.tif`, `T33UUB_20170527_B02.jp2`, `B02_10m.jp2`, ...

This is the layout of the project's sample data and what the catalogue fetchers write. An
optional `radiometry.json` ({"scale": {"B02": 0.0001}, "offset": {"B02": -0.1}}, reflectance =
DN * scale + offset) gives the DN scale; without it, GDAL's band scale/offset are used when
set, else reflectance = DN / 10000. An optional `scene.json` gives level, id, date, processing baseline and source.
"""

from __future__ import annotations

import json
import os
import re

from ..definitions import ORDER
from ..errors import InputError
from .raster import Radiometry, assemble, open_raster

BAND_FILE = re.compile(r"(?:^|[_\-.])(B(?:0[1-9]|1[0-2]|8A))(?:_(?:10|20|60)m)?\.(tif|tiff|jp2)$", re.IGNORECASE)


def find_band_files(folder: str) -> dict:
    files = {}
    for entry in sorted(os.listdir(folder)):
        m = BAND_FILE.search(entry)
        if m and m.group(1).upper() in ORDER:
            name = m.group(1).upper()
            if name in files:
                raise InputError(f"{folder}: two files for band {name}: {os.path.basename(files[name])}, {entry}")
            files[name] = os.path.join(folder, entry)
    return files


def read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def folder_radiometry(folder: str, files: dict) -> dict:
    spec_path = os.path.join(folder, "radiometry.json")
    if os.path.exists(spec_path):
        spec = read_json(spec_path)
        scales, offsets = spec.get("scale", {}), spec.get("offset", {})
        try:
            return {n: Radiometry(float(scales.get(n, 1e-4)), float(offsets.get(n, 0.0))) for n in files}
        except (TypeError, ValueError):
            raise InputError(f"{spec_path}: scale and offset must be numbers per band") from None
    out = {}
    for name, path in files.items():
        ds = open_raster(path)  # keep the dataset alive while its band is used
        band = ds.GetRasterBand(1)
        scale, offset = band.GetScale(), band.GetOffset()
        if scale not in (None, 1.0) or offset not in (None, 0.0):
            out[name] = Radiometry(scale if scale is not None else 1.0, offset or 0.0)
    return out


def open_band_folder(folder: str):
    files = find_band_files(folder)
    if not files:
        raise InputError(f"{folder}: no band rasters found (expected files named B01 ... B12, B8A as .tif or .jp2)")
    info = {}
    scene_path = os.path.join(folder, "scene.json")
    if os.path.exists(scene_path):
        scene = read_json(scene_path)
        level = str(scene.get("level", ""))
        info = {
            "level": "L2A" if "L2A" in level else "L1C" if "L1C" in level else "",
            "product_id": str(scene.get("id", os.path.basename(os.path.normpath(folder)))),
            "date": str(scene.get("date", "")),
            "baseline": str(scene.get("baseline") or ""),
            "source": " ".join(str(scene.get(k) or "") for k in ("source", "collection")).strip(),
        }
    else:
        info["product_id"] = os.path.basename(os.path.normpath(folder))
    return assemble(folder, "band folder", files, folder_radiometry(folder, files), **info)
