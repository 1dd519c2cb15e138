"""The `digisat` Processing provider (registered by plugin.py's initProcessing, removed in unload)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

PLUGIN_DIR = Path(__file__).resolve().parents[1]
# The plugin's own icon folder first, then the repository's (a source checkout).
ICON_DIRS = (PLUGIN_DIR / "resources" / "icons", PLUGIN_DIR.parent / "resources" / "icons")
ICON_NAMES = ("digisat.svg", "icon.svg", "digisat.png", "icon.png")


def provider_icon_path() -> str:
    """Path of the plugin icon, or '' when none is shipped."""
    for folder in ICON_DIRS:
        for name in ICON_NAMES:
            if (folder / name).is_file():
                return str(folder / name)
    return ""


class DigisatProvider(QgsProcessingProvider):
    def id(self):
        return "digisat"

    def name(self):
        return "digisat"

    def longName(self):
        return "digisat: Sentinel-2 super-resolution"

    def icon(self):
        path = provider_icon_path()
        return QIcon(path) if path else super().icon()

    def svgIconPath(self):
        path = provider_icon_path()
        return path if path.endswith(".svg") else super().svgIconPath()

    def supportedOutputRasterLayerExtensions(self):
        return ["tif"]  # the engine writes Cloud Optimized GeoTIFFs only

    def loadAlgorithms(self):
        from .enhance_area import EnhanceAreaAlgorithm
        from .enhance_series import EnhanceSeriesAlgorithm
        from .evaluate import EvaluateAlgorithm
        from .fetch import FetchAlgorithm
        from .search import SearchAlgorithm
        from .superresolve import SuperResolveAlgorithm

        for alg in (SuperResolveAlgorithm, SearchAlgorithm, FetchAlgorithm, EnhanceAreaAlgorithm,
                    EvaluateAlgorithm, EnhanceSeriesAlgorithm):
            self.addAlgorithm(alg())
