"""What differs in the QGIS API from 3.22 to QGIS 4, in one place.

Field types for QgsField: QMetaType.Type where QGIS takes it (3.38 and later;
a Qt 6 build's PyQt6 has no QVariant.Type at all), QVariant.Type before (3.22 to 3.36 take nothing else).

scripts/qt6_check.py allows QVariant types in this module only.
"""

from __future__ import annotations

from qgis.core import Qgis, QgsMapLayerProxyModel

if Qgis.QGIS_VERSION_INT >= 33800:
    from qgis.PyQt.QtCore import QMetaType

    STRING, INT, LONGLONG, DOUBLE, DATE = (QMetaType.Type.QString, QMetaType.Type.Int, QMetaType.Type.LongLong,
                                           QMetaType.Type.Double, QMetaType.Type.QDate)
else:
    from qgis.PyQt.QtCore import QVariant

    STRING, INT, LONGLONG, DOUBLE, DATE = (QVariant.String, QVariant.Int, QVariant.LongLong, QVariant.Double,
                                           QVariant.Date)


def layer_filters():
    """Raster and vector layers, for QgsMapLayerComboBox.setFilters: Qgis.LayerFilters where QGIS has
    them (3.34 and later deprecate QgsMapLayerProxyModel's), else QgsMapLayerProxyModel's (3.22)."""
    if hasattr(Qgis, "LayerFilters"):
        return Qgis.LayerFilters(Qgis.LayerFilter.RasterLayer | Qgis.LayerFilter.VectorLayer)
    return QgsMapLayerProxyModel.Filter.RasterLayer | QgsMapLayerProxyModel.Filter.VectorLayer
