"""Field types for QgsField from QGIS 3.22 to QGIS 4: QMetaType.Type where QGIS takes it (3.38 and later;
a Qt 6 build's PyQt6 has no QVariant.Type at all), QVariant.Type before (3.22 to 3.36 take nothing else).

scripts/qt6_check.py allows QVariant types in this module only.
"""

from __future__ import annotations

from qgis.core import Qgis

if Qgis.QGIS_VERSION_INT >= 33800:
    from qgis.PyQt.QtCore import QMetaType

    STRING, INT, LONGLONG, DOUBLE, DATE = (QMetaType.Type.QString, QMetaType.Type.Int, QMetaType.Type.LongLong,
                                           QMetaType.Type.Double, QMetaType.Type.QDate)
else:
    from qgis.PyQt.QtCore import QVariant

    STRING, INT, LONGLONG, DOUBLE, DATE = (QVariant.String, QVariant.Int, QVariant.LongLong, QVariant.Double,
                                           QVariant.Date)
