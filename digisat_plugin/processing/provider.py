"""The `digisat` Processing provider (registered by plugin.py's initProcessing, removed in unload)."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..icons import icon_path


class DigisatProvider(QgsProcessingProvider):
    def id(self):
        return "digisat"

    def name(self):
        return "digisat"

    def longName(self):
        return "digisat: Sentinel-2 super-resolution"

    def icon(self):
        path = icon_path()
        return QIcon(path) if path else super().icon()

    def svgIconPath(self):
        path = icon_path()
        return path if path.endswith(".svg") else super().svgIconPath()

    def supportedOutputRasterLayerExtensions(self):
        return ["tif"]  # the engine writes Cloud Optimized GeoTIFFs only

    def loadAlgorithms(self):
        from .enhance_area import EnhanceAreaAlgorithm
        from .enhance_series import EnhanceSeriesAlgorithm
        from .evaluate import EvaluateAlgorithm
        from .fetch import FetchAlgorithm
        from .mask import MaskUncertainAlgorithm
        from .search import SearchAlgorithm
        from .superresolve import SuperResolveAlgorithm

        for alg in (SuperResolveAlgorithm, SearchAlgorithm, FetchAlgorithm, EnhanceAreaAlgorithm,
                    EvaluateAlgorithm, EnhanceSeriesAlgorithm, MaskUncertainAlgorithm):
            self.addAlgorithm(alg())
