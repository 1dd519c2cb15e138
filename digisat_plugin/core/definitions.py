"""What every layer shares, defined once: the Sentinel-2 MSI band table (names, native
resolutions, MTF values, canonical order, the folders of L2A products), the catalogue sources,
the devices, the Wald degradation protocols, the STAC collections and the output files' names.

Imports nothing of the package: core, the CLI, Processing, the tasks and the GUI all read it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    name: str
    centre_nm: int
    resolution: int  # native ground sampling distance in metres
    mtf_nyquist: float  # MTF at Nyquist, used by the MTF-matched degradation

    @property
    def l2a_folder(self) -> str:
        """The IMG_DATA folder of an L2A product holding the band at its native resolution."""
        return f"R{self.resolution}m"


BANDS = (
    Band("B01", 443, 60, 0.32),
    Band("B02", 490, 10, 0.26),
    Band("B03", 560, 10, 0.28),
    Band("B04", 665, 10, 0.24),
    Band("B05", 705, 20, 0.38),
    Band("B06", 740, 20, 0.34),
    Band("B07", 783, 20, 0.34),
    Band("B08", 842, 10, 0.26),
    Band("B8A", 865, 20, 0.33),
    Band("B09", 945, 60, 0.26),
    Band("B10", 1375, 60, 0.26),
    Band("B11", 1610, 20, 0.22),
    Band("B12", 2190, 20, 0.23),
)
BY_NAME = {b.name: b for b in BANDS}
ORDER = tuple(b.name for b in BANDS)  # also the band_id order of the SAFE product XML

BANDS_10M = ("B02", "B03", "B04", "B08")
BANDS_20M = ("B05", "B06", "B07", "B8A", "B11", "B12")
# B10 (cirrus) is never super-resolved by a network (too noisy, as in DSen2); when asked for it
# is upsampled and only L1C products have it.
BANDS_60M = ("B01", "B09")
OPTIONAL_BANDS = ("B10",)

# Catalogue sources (core.catalog.get_source): key and label for the front ends.
SOURCE_LABELS = (
    ("stac", "STAC API (Earth Search, no account)"),
    ("cdse", "Copernicus Data Space Ecosystem (account)"),
    ("dhus", "DHuS hub (sentinelsat, account)"),
)
SOURCES = tuple(key for key, _label in SOURCE_LABELS)
# STAC collection per processing level when none is asked for.
COLLECTIONS = {"L2A": "sentinel-2-c1-l2a", "L1C": "sentinel-2-l1c"}
# Where the networks run (ONNX Runtime execution providers: core/sr/session.py).
DEVICES = ("auto", "cpu", "gpu")
DEVICE_HELP = ("where the networks run: auto (a GPU when ONNX Runtime has a GPU provider: onnxruntime-gpu, "
               "onnxruntime-directml, CoreML), cpu or gpu")
# Wald-protocol degradations (core/wald.py): "dsen2" Gaussian sigma 1/s, "mtf" sensor MTF matched.
PROTOCOLS = ("dsen2", "mtf")
# The degradation the guard applies to the user's window (core/quality/guard.py); training also
# degrades its pairs once more with it, so that check stays within what the networks learnt.
GUARD_PROTOCOLS = ("mtf",)
# The names of an enhanced output and of its uncertainty layer (the dock, `batch` and `series`).
ENHANCED_SUFFIX = "_enhanced.tif"
UNCERTAINTY_SUFFIX = "_uncertainty.tif"


def uncertainty_path_for(enhanced: str) -> str:
    """Where the uncertainty layer of the enhanced output `enhanced` goes, beside it:
    `<name>_enhanced.tif` -> `<name>_uncertainty.tif`, any other `<name>.tif` -> `<name>_uncertainty.tif`."""
    stem = str(enhanced)
    for suffix in (ENHANCED_SUFFIX, ".tif", ".TIF", ".tiff"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem + UNCERTAINTY_SUFFIX


def sort_bands(names) -> list:
    """Return band names in Sentinel-2 band order (B01 ... B8A, B09 ...)."""
    return sorted(set(names), key=ORDER.index)


def parse_band_list(text: str) -> list:
    """Parse a user band list such as 'B05,B8A,b12' or '20m,60m'; raise ValueError naming the bad item."""
    out = []
    for item in (t.strip() for t in str(text).replace(" ", ",").split(",")):
        if not item:
            continue
        upper = item.upper()
        if upper in ("10M", "20M", "60M"):
            out.extend({"10M": BANDS_10M, "20M": BANDS_20M, "60M": BANDS_60M}[upper])
        elif upper == "ALL":
            out.extend(BANDS_10M + BANDS_20M + BANDS_60M)
        else:
            if len(upper) == 2 and upper[0] == "B":  # B5 -> B05
                upper = "B0" + upper[1]
            if upper not in BY_NAME:
                raise ValueError(f"unknown band {item!r} (expected names like B05, B8A or groups 20m, 60m)")
            out.append(upper)
    return sort_bands(out)
