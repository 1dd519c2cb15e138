"""SAFE products, L1C or L2A, as a folder or a `.zip` read in place through `/vsizip/`.

The processing-baseline 04.00 offset (`RADIO_ADD_OFFSET` in L1C, `BOA_ADD_OFFSET` in L2A) and
the quantification value come from the product XML, so the networks always see pre-2022
reflectance x 10000; core/io/output_scale.py decides the output's DN scale.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import zipfile

from osgeo import gdal

from ..definitions import BY_NAME, ORDER
from ..errors import InputError
from .raster import Radiometry, assemble

L1C_FILE = re.compile(r"IMG_DATA/[^/]*_(B(?:0[1-9]|1[0-2]|8A))\.jp2$", re.IGNORECASE)
L2A_FILE = re.compile(r"IMG_DATA/(R10m|R20m|R60m)/[^/]*_(B(?:0[1-9]|1[0-2]|8A))_(10|20|60)m\.jp2$", re.IGNORECASE)


def is_safe(path: str) -> bool:
    base = os.path.basename(os.path.normpath(path))
    if os.path.isdir(path):
        return base.upper().endswith(".SAFE") or any(
            os.path.exists(os.path.join(path, m)) for m in ("MTD_MSIL1C.xml", "MTD_MSIL2A.xml")
        )
    return base.lower().endswith(".zip")


def list_members(path: str) -> tuple:
    """Return (GDAL prefix, relative member names) of a SAFE folder or zip."""
    if os.path.isdir(path):
        names = []
        for root, _dirs, files in os.walk(path):
            names += [os.path.relpath(os.path.join(root, f), path).replace(os.sep, "/") for f in files]
        return path.rstrip("/") + "/", names
    if os.path.getsize(path) == 0:
        raise InputError(f"{path}: empty zip file")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile:
        raise InputError(f"{path}: not a valid zip file (truncated or corrupt download?)") from None
    return "/vsizip/" + os.path.abspath(path) + "/", names


def read_member(prefix: str, name: str) -> bytes:
    fp = gdal.VSIFOpenL(prefix + name, "rb")
    if fp is None:
        raise InputError(f"{prefix}{name}: cannot open")
    try:
        size = gdal.VSIStatL(prefix + name).size
        return gdal.VSIFReadL(1, size, fp)
    finally:
        gdal.VSIFCloseL(fp)


def parse_metadata(xml_bytes: bytes, where: str) -> tuple:
    """Return (level, quantification, {band: additive offset in DN}) from MTD_MSIL1C/2A.xml."""
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError as exc:
        raise InputError(f"{where}: product metadata is not valid XML ({exc})") from None
    text = {el.tag.split("}")[-1]: (el.text or "").strip() for el in root.iter()}
    level = "L2A" if "BOA_QUANTIFICATION_VALUE" in text or "L2A" in text.get("PRODUCT_TYPE", "") else "L1C"
    quant_tag = "BOA_QUANTIFICATION_VALUE" if level == "L2A" else "QUANTIFICATION_VALUE"
    try:
        quant = float(text.get(quant_tag) or 10000)
    except ValueError:
        raise InputError(f"{where}: bad {quant_tag} {text.get(quant_tag)!r}") from None
    offsets = {}
    for el in root.iter():
        tag = el.tag.split("}")[-1]
        if tag in ("RADIO_ADD_OFFSET", "BOA_ADD_OFFSET"):
            try:
                offsets[ORDER[int(el.get("band_id"))]] = float(el.text)  # band_id: the index in band order
            except (TypeError, ValueError, IndexError):
                raise InputError(f"{where}: bad {tag} entry band_id={el.get('band_id')!r}") from None
    info = {"product_id": text.get("PRODUCT_URI", "").removesuffix(".SAFE"), "date": text.get("PRODUCT_START_TIME", ""),
            "baseline": text.get("PROCESSING_BASELINE", "")}
    return level, quant, offsets, info


def band_files(prefix: str, members: list, level: str) -> dict:
    files = {}
    for member in members:
        if level == "L2A":
            m = L2A_FILE.search(member)
            if m and m.group(2).upper() in ORDER:
                band = m.group(2).upper()
                if m.group(1) == BY_NAME[band].l2a_folder:
                    files[band] = prefix + member
        else:
            m = L1C_FILE.search(member)
            if m and m.group(1).upper() in ORDER and "/QI_DATA/" not in member:
                files[m.group(1).upper()] = prefix + member
    return files


def open_safe(path: str):
    prefix, members = list_members(path)
    mtd = [m for m in members if os.path.basename(m) in ("MTD_MSIL1C.xml", "MTD_MSIL2A.xml")]
    if not mtd:
        raise InputError(f"{path}: unsupported product: no MTD_MSIL1C.xml or MTD_MSIL2A.xml (not a Sentinel-2 SAFE product)")
    xml_member = min(mtd, key=len)
    level, quant, offsets, info = parse_metadata(read_member(prefix, xml_member), f"{path}/{xml_member}")
    files = band_files(prefix, members, level)
    if not files:
        raise InputError(f"{path}: no band images found under GRANULE/*/IMG_DATA")
    radiometry = {b: Radiometry(1.0 / quant, offsets.get(b, 0.0) / quant) for b in files}
    kind = "SAFE folder" if os.path.isdir(path) else "SAFE zip"
    return assemble(path, kind, files, radiometry, level=level, **info)
