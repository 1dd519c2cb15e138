"""Small synthetic SAFE products cut from a real band folder (the shared Virginia crop).

`build_safe(src_dir, out_dir, level="L2A", offset=-1000, window=(row, col, size), zipped=True)`
returns the path of the zip (or of the .SAFE folder with zipped=False);
`build_safe_product(src_dir, out_dir, ...)` does the work and returns a `BuiltSafe` with the
name, MD5, size and stored DN arrays (what the catalogue fakes serve). Both write
`<name>.SAFE` (folder) and `<name>.zip` with the real layout that core/io/safe.py and the catalogue fakes expect:

L2A: `<name>.SAFE/MTD_MSIL2A.xml`, `GRANULE/<g>/MTD_TL.xml`,
     `GRANULE/<g>/IMG_DATA/R10m/T18SVG_<dt>_B02_10m.jp2`, `R20m/..._B05_20m.jp2`, `R60m/..._B01_60m.jp2`
L1C: `<name>.SAFE/MTD_MSIL1C.xml`, `GRANULE/<g>/IMG_DATA/T18SVG_<dt>_B01.jp2` ...

Bands are lossless JPEG 2000 (QUALITY=100, REVERSIBLE=YES). With `offset=True` (processing
baseline 04.00 and later) the stored DN is the source DN + 1000 (reflectance x 10000 + 1000)
and the XML carries BOA_ADD_OFFSET / RADIO_ADD_OFFSET -1000 per band; DN 0 stays 0 (no-data).
The returned `BuiltSafe.dn[band]` holds the stored DN arrays, to compare fetched pixels with.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

RES = {"B01": 60, "B02": 10, "B03": 10, "B04": 10, "B05": 20, "B06": 20, "B07": 20, "B08": 10, "B8A": 20,
       "B09": 60, "B10": 60, "B11": 20, "B12": 20}
XML_BAND_ORDER = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")
L2A_BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12")


@dataclass
class BuiltSafe:
    name: str  # product name without .SAFE
    safe_dir: str
    zip_path: str
    md5: str  # of the zip
    size: int  # bytes of the zip
    level: str
    datetime: str  # ISO, e.g. 2024-07-05T15:57:21Z
    tile: str
    crs: str
    geotransform: tuple  # of the 10 m grid
    width: int
    height: int
    granule: str
    dn: dict = field(default_factory=dict)  # band -> stored DN array
    members: dict = field(default_factory=dict)  # band -> path inside the zip


def build_safe(src_dir, out_dir, level: str = "L2A", offset: int = -1000, window=(0, 0, 120), zipped: bool = True,
               **kw) -> str:
    """The product's path: the zip, or the .SAFE folder when `zipped` is false.

    `offset` is the additive offset written in the XML (-1000 for baseline 04.00 and later,
    0 before); `window` is (row, col, size) on the source's 10 m grid, multiples of 6.
    """
    row, col, size = window
    built = build_safe_product(src_dir, out_dir, level=level, size=size, row=row, col=col, offset=bool(offset), **kw)
    return built.zip_path if zipped else built.safe_dir


def build_safe_product(src_dir, out_dir, *, level: str = "L2A", size: int = 600, row: int = 600, col: int = 600,
               dt: str = "20240705T155721", tile: str = "18SVG", offset: bool = True, bands=None) -> BuiltSafe:
    """Cut a `size` x `size` (10 m pixels, multiple of 6) window at (row, col) out of `src_dir`."""
    assert size % 6 == 0 and row % 6 == 0 and col % 6 == 0
    bands = tuple(bands or (L2A_BANDS if level == "L2A" else XML_BAND_ORDER))
    kind = "MSIL2A" if level == "L2A" else "MSIL1C"
    name = f"S2A_{kind}_{dt}_N0510_R097_T{tile}_{dt[:8]}T213012"
    granule = f"{'L2A' if level == 'L2A' else 'L1C'}_T{tile}_A047123_{dt}"
    safe_dir = os.path.join(out_dir, name + ".SAFE")
    img_root = os.path.join(safe_dir, "GRANULE", granule, "IMG_DATA")
    built = BuiltSafe(name, safe_dir, os.path.join(out_dir, name + ".zip"), "", 0, level,
                      f"{dt[:4]}-{dt[4:6]}-{dt[6:8]}T{dt[9:11]}:{dt[11:13]}:{dt[13:15]}Z", tile, "", (), size, size,
                      granule)
    for band in bands:
        src = gdal.Open(os.path.join(os.fspath(src_dir), f"{band}.tif"))
        r = RES[band] // 10
        data = src.GetRasterBand(1).ReadAsArray(col // r, row // r, size // r, size // r).astype(np.uint16)
        if offset:
            data = np.where(data > 0, data.astype(np.uint32) + 1000, 0).astype(np.uint16)
        gt = src.GetGeoTransform()
        gt = (gt[0] + (col // r) * gt[1], gt[1], 0.0, gt[3] + (row // r) * gt[5], 0.0, gt[5])
        if r == 1:
            built.geotransform, built.crs = gt, src.GetProjection()
        if level == "L2A":
            rel = os.path.join(f"R{RES[band]}m", f"T{tile}_{dt}_{band}_{RES[band]}m.jp2")
        else:
            rel = f"T{tile}_{dt}_{band}.jp2"
        path = os.path.join(img_root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mem = gdal.GetDriverByName("MEM").Create("", data.shape[1], data.shape[0], 1, gdal.GDT_UInt16)
        mem.SetGeoTransform(gt)
        mem.SetProjection(src.GetProjection())
        mem.GetRasterBand(1).WriteArray(data)
        gdal.GetDriverByName("JP2OpenJPEG").CreateCopy(path, mem, options=["QUALITY=100", "REVERSIBLE=YES"])
        built.dn[band] = data
        built.members[band] = os.path.relpath(path, out_dir).replace(os.sep, "/")
    for aux in [p for p in os.listdir(img_root) if p.endswith(".aux.xml")]:
        os.remove(os.path.join(img_root, aux))
    _write_xml(built, bands, offset)
    _zip(built, out_dir)
    return built


def wgs84_bbox(b: BuiltSafe) -> tuple:
    """(west, south, east, north) of the product in degrees."""
    from osgeo import osr

    src = osr.SpatialReference(wkt=b.crs)
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(4326)
    for srs in (src, dst):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    tr = osr.CoordinateTransformation(src, dst)
    gt = b.geotransform
    pts = [tr.TransformPoint(gt[0] + c * gt[1], gt[3] + r * gt[5])[:2] for c in (0, b.width) for r in (0, b.height)]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def _write_xml(b: BuiltSafe, bands, offset: bool) -> None:
    start = b.datetime.replace("Z", ".024Z")
    if b.level == "L2A":
        quant = "<BOA_QUANTIFICATION_VALUE unit=\"none\">10000</BOA_QUANTIFICATION_VALUE>"
        offsets = "".join(f'<BOA_ADD_OFFSET band_id="{XML_BAND_ORDER.index(x)}">-1000</BOA_ADD_OFFSET>'
                          for x in bands) if offset else ""
        offsets = f"<BOA_ADD_OFFSET_VALUES_LIST>{offsets}</BOA_ADD_OFFSET_VALUES_LIST>"
        ptype, tag = "S2MSI2A", "Level-2A"
    else:
        quant = "<QUANTIFICATION_VALUE unit=\"none\">10000</QUANTIFICATION_VALUE>"
        offsets = "".join(f'<RADIO_ADD_OFFSET band_id="{XML_BAND_ORDER.index(x)}">-1000</RADIO_ADD_OFFSET>'
                          for x in bands) if offset else ""
        offsets = f"<Radiometric_Offset_List>{offsets}</Radiometric_Offset_List>"
        ptype, tag = "S2MSI1C", "Level-1C"
    mtd = f"""<?xml version="1.0" encoding="UTF-8"?>
<n1:{tag}_User_Product xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_{tag}.xsd">
<n1:General_Info><Product_Info>
<PRODUCT_START_TIME>{start}</PRODUCT_START_TIME><PRODUCT_STOP_TIME>{start}</PRODUCT_STOP_TIME>
<PRODUCT_URI>{b.name}.SAFE</PRODUCT_URI><PROCESSING_LEVEL>{tag}</PROCESSING_LEVEL>
<PRODUCT_TYPE>{ptype}</PRODUCT_TYPE><PROCESSING_BASELINE>05.10</PROCESSING_BASELINE>
</Product_Info><Product_Image_Characteristics>{quant}{offsets}</Product_Image_Characteristics>
</n1:General_Info></n1:{tag}_User_Product>
"""
    with open(os.path.join(b.safe_dir, f"MTD_MSI{'L2A' if b.level == 'L2A' else 'L1C'}.xml"), "w") as fh:
        fh.write(mtd)
    epsg = "32618"
    sizes = "".join(f'<Size resolution="{res}"><NROWS>{b.height * 10 // res}</NROWS><NCOLS>{b.width * 10 // res}</NCOLS></Size>'
                    for res in (10, 20, 60))
    pos = "".join(f'<Geoposition resolution="{res}"><ULX>{b.geotransform[0]:.0f}</ULX><ULY>{b.geotransform[3]:.0f}</ULY>'
                  f"<XDIM>{res}</XDIM><YDIM>-{res}</YDIM></Geoposition>" for res in (10, 20, 60))
    tl = f"""<?xml version="1.0" encoding="UTF-8"?>
<n1:Level-2A_Tile_ID xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-2A_Tile_Metadata.xsd">
<n1:Geometric_Info><Tile_Geocoding><HORIZONTAL_CS_NAME>WGS84 / UTM zone 18N</HORIZONTAL_CS_NAME>
<HORIZONTAL_CS_CODE>EPSG:{epsg}</HORIZONTAL_CS_CODE>{sizes}{pos}</Tile_Geocoding></n1:Geometric_Info>
</n1:Level-2A_Tile_ID>
"""
    with open(os.path.join(b.safe_dir, "GRANULE", b.granule, "MTD_TL.xml"), "w") as fh:
        fh.write(tl)


def _zip(b: BuiltSafe, out_dir: str) -> None:
    with zipfile.ZipFile(b.zip_path, "w", zipfile.ZIP_STORED) as zf:
        for root, _dirs, files in sorted(os.walk(b.safe_dir)):
            for f in sorted(files):
                full = os.path.join(root, f)
                zf.write(full, os.path.relpath(full, out_dir).replace(os.sep, "/"))
    with open(b.zip_path, "rb") as fh:
        data = fh.read()
    b.md5, b.size = hashlib.md5(data).hexdigest(), len(data)
