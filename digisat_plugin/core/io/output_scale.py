"""What the DN of an output file mean, and the conversion of values to them.

Every output COG (enhanced and original companion) carries GDAL band scale/offset, so QGIS,
GDAL and rasterio read reflectance = DN * scale + offset without the user knowing the product.

Harmonised (the default): DN = reflectance x 10000 for every product, L1C or L2A, any
processing baseline, any source: the baseline-04.00 offset (-1000 DN) is removed, so scenes
from before and after January 2022 are comparable; scale 0.0001, offset 0. Reflectance below
0.0001 (possible once the offset is removed) is written as DN 1, since 0 is no-data.
Kept (`harmonise=False`): the product's own DN, with its own scale/offset (e.g. 0.0001, -0.1).
"""

from __future__ import annotations

import numpy as np

from .raster import Radiometry

DN_MAX = 65535
HARMONISED = Radiometry(1e-4, 0.0)  # DN = reflectance x 10000


def to_uint16(values: np.ndarray, nodata: np.ndarray) -> np.ndarray:
    """Round to DN, keep valid pixels off 0 (the no-data value), 0 where the input was no-data."""
    out = np.clip(np.rint(values), 1, DN_MAX).astype(np.uint16)
    out[nodata] = 0
    return out


class OutputScale:
    """The output DN scale of one run: `from_model` / `from_dn` encode values, `band_items` and
    `dataset_items` describe the result for CogWriter."""

    def __init__(self, product, harmonise: bool = True):
        self.product = product
        self.harmonise = bool(harmonise)

    def source(self, band: str) -> Radiometry:
        return self.product.bands[band].radiometry

    def radiometry(self, band: str) -> Radiometry:
        return HARMONISED if self.harmonise else self.source(band)

    def from_model(self, band: str, values: np.ndarray, nodata: np.ndarray) -> np.ndarray:
        """Model-scale values (reflectance x 10000) -> output DN (uint16)."""
        return to_uint16(self.radiometry(band).to_dn(values), nodata)

    def from_dn(self, band: str, dn: np.ndarray) -> np.ndarray:
        """The product's DN of `band` -> output DN (unchanged when the scales agree)."""
        src, out = self.source(band), self.radiometry(band)
        if src == out:
            return dn
        return to_uint16(out.to_dn(src.to_model(dn)), dn == 0)

    def band_items(self, bands) -> dict:
        """{band: {"scale", "offset", and what the source's were}} for CogWriter."""
        items = {}
        for band in bands:
            out, src = self.radiometry(band), self.source(band)
            items[band] = {"scale": out.scale, "offset": out.offset,
                           "SOURCE_SCALE": f"{src.scale:.10g}", "SOURCE_OFFSET": f"{src.offset:.10g}"}
        return items

    def dataset_items(self) -> dict:
        p = self.product
        if self.harmonise:
            shifted = any(self.source(b) != HARMONISED for b in p.bands)
            values = ("harmonised: reflectance = DN * 0.0001 (DN = reflectance x 10000); "
                      + ("the product's radiometric offset was removed" if shifted
                         else "the product was already on this scale"))
        else:
            values = "product DN scale kept: reflectance = DN * scale + offset (per band)"
        items = {"DN_SCALE": "harmonised" if self.harmonise else "product", "VALUES": values,
                 "SOURCE_PRODUCT": p.product_id, "SOURCE_LEVEL": p.level,
                 "SOURCE_BASELINE": p.baseline, "SOURCE_KIND": p.kind,
                 "SOURCE_CATALOGUE": p.source, "SOURCE_DATE": p.date}
        return {k: v for k, v in items.items() if v}
