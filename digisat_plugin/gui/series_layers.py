"""A time series (core/series.py's series.json) as layers: one group, one layer per date with a fixed
temporal range (that UTC day), so QGIS's Temporal Controller animates them; the enhanced rasters
styled as every digisat result (gui.results.style_result, one stretch for all dates), each index in
its own subgroup as single-band pseudocolour on its colour ramp (core/indices.INDICES: RdYlGn for
NDVI, ...), and the dates' uncertainty layers when the series has them (series.json's "uncertainty")
in a subgroup at the top, unticked, on gui/uncertainty_style.py's ramp. Used by `digisat:enhance_series` and the dock. Main thread only (it adds layers).
"""

from __future__ import annotations

import os

from qgis.core import (
    Qgis,
    QgsColorRampShader,
    QgsDateTimeRange,
    QgsGradientColorRamp,
    QgsInterval,
    QgsProject,
    QgsRasterLayer,
    QgsSingleBandPseudoColorRenderer,
    QgsStyle,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime
from qgis.PyQt.QtGui import QColor

ENHANCED_GROUP = "Enhanced"
UNCERTAINTY_GROUP = "Uncertainty"


def day_range(date: str) -> QgsDateTimeRange:
    """[date 00:00 UTC, next day 00:00 UTC): the day a scene was taken."""
    day = QDate.fromString(date, "yyyy-MM-dd")
    if not day.isValid():
        raise ValueError(f"{date!r}: not a YYYY-MM-DD date")
    begin = QDateTime(day, QTime(0, 0), Qt.TimeSpec.UTC)
    return QgsDateTimeRange(begin, QDateTime(day.addDays(1), QTime(0, 0), Qt.TimeSpec.UTC), True, False)


def set_date(layer: QgsRasterLayer, date: str) -> None:
    props = layer.temporalProperties()
    # Qgis's own name: the class's alias (TemporalMode.ModeFixedTemporalRange) is only on 3.40's enum
    props.setMode(Qgis.RasterTemporalMode.FixedTemporalRange)
    props.setFixedTemporalRange(day_range(date))
    props.setIsActive(True)


def _ramp(name: str):
    ramp = QgsStyle.defaultStyle().colorRamp(name)
    return ramp if ramp is not None else QgsGradientColorRamp(QColor(215, 25, 28), QColor(26, 150, 65))


def style_index(layer: QgsRasterLayer, name: str) -> None:
    """Single-band pseudocolour over the index's range on its ramp (RdYlGn for NDVI, ...)."""
    from ..core.indices import INDICES

    index = INDICES.get(name)
    low, high = index.range if index else (-1.0, 1.0)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1)
    renderer.setClassificationMin(low)
    renderer.setClassificationMax(high)
    renderer.createShader(_ramp(index.ramp if index else "RdYlGn"), QgsColorRampShader.Type.Interpolated,
                          QgsColorRampShader.ClassificationMode.Continuous, 11)
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def set_temporal_controller(navigation, dates: list) -> bool:
    """The Temporal Controller (`navigation`: QGIS's QgsTemporalNavigationObject, the map canvas's
    temporalController()) set to the series: from the first date's day to the last's, one frame the
    smallest gap between two dates (at least a day), so each date falls in a frame of its own and none is
    skipped. It opened on one day in 1-hour steps. False when `navigation` cannot be set (no desktop)."""
    days = sorted({QDate.fromString(d, "yyyy-MM-dd") for d in dates} - {QDate()})
    if not days or navigation is None or not hasattr(navigation, "setTemporalExtents"):
        return False
    step = min([a.daysTo(b) for a, b in zip(days, days[1:], strict=False)] or [1])
    # Qgis.TemporalNavigationMode from QGIS 3.36; 3.22 has the class's enum
    modes = getattr(Qgis, "TemporalNavigationMode", None) or type(navigation).NavigationMode
    navigation.setNavigationMode(modes.Animated)
    navigation.setTemporalExtents(QgsDateTimeRange(day_range(days[0].toString("yyyy-MM-dd")).begin(),
                                                   day_range(days[-1].toString("yyyy-MM-dd")).end(), True, False))
    navigation.setFrameDuration(QgsInterval(max(step, 1) * 86400.0))
    navigation.setCurrentFrameNumber(0)
    return True


def load_series(index_path: str, project=None, title: str | None = None):
    """Add the series of `index_path` (series.json) as one group at the top of the layer tree.

    Returns (group, {"enhanced": [layers], index name: [layers], "uncertainty": [layers] when the series
    has them}), dates oldest first (in the layer
    tree the newest is on top). Dates whose
    files are missing (failed, or removed since) are left out."""
    from ..core.series import read_index
    from .results import style_result

    project = project or QgsProject.instance()
    doc = read_index(index_path)
    dates = [e for e in doc.get("dates", []) if e.get("status") in ("done", "skipped")
             and os.path.isfile(e["enhanced"])]
    query = doc.get("query", {})
    if title is None:
        title = f"Time series {query.get('start', '')} .. {query.get('end', '')}".strip()
    root = project.layerTreeRoot()
    group = root.insertGroup(0, title)
    layers = {"enhanced": []}
    sub = group.addGroup(ENHANCED_GROUP)
    reference = None
    for entry in dates:
        layer = QgsRasterLayer(entry["enhanced"], f"{entry['date']} {'+'.join(entry['tiles'])}", "gdal")
        if not layer.isValid():
            raise RuntimeError(f"{entry['enhanced']}: QGIS cannot open the enhanced raster")
        style_result(layer, reference)  # the first date's stretch for every date: the changes are the land's
        reference = reference or layer
        set_date(layer, entry["date"])
        project.addMapLayer(layer, False)
        sub.insertLayer(0, layer)  # the newest on top, where the Temporal Controller is off
        layers["enhanced"].append(layer)
    names = list(query.get("indices") or [])
    for entry in dates:
        names += [n for n in entry.get("indices", {}) if n not in names]
    for name in names:
        sub = group.addGroup(name)
        layers[name] = []
        for entry in dates:
            path = entry.get("indices", {}).get(name)
            if not path or not os.path.isfile(path):
                continue
            layer = QgsRasterLayer(path, f"{name} {entry['date']}", "gdal")
            if not layer.isValid():
                raise RuntimeError(f"{path}: QGIS cannot open the {name} raster")
            style_index(layer, name)
            set_date(layer, entry["date"])
            project.addMapLayer(layer, False)
            sub.insertLayer(0, layer)  # the newest on top, where the Temporal Controller is off
            layers[name].append(layer)
        if not layers[name]:
            group.removeChildNode(sub)
            del layers[name]
    add_uncertainty_layers(group, dates, project, layers)
    return group, layers


def add_uncertainty_layers(group, dates: list, project, layers: dict) -> None:
    """The dates' uncertainty layers (entries of read_index with "uncertainty") in a subgroup at the top of
    `group`, unticked as the dock's single result's (it would hide the enhanced layers): one tick shows the
    Temporal Controller's date. One ramp for all dates, the first date's (gui/uncertainty_style.py)."""
    from .uncertainty_style import style_uncertainty

    paths = [(e, e["uncertainty"]) for e in dates if e.get("uncertainty") and os.path.isfile(e["uncertainty"])]
    if not paths:
        return
    sub = group.insertGroup(0, UNCERTAINTY_GROUP)
    sub.setItemVisibilityChecked(False)
    layers["uncertainty"] = []
    for entry, path in paths:
        layer = QgsRasterLayer(path, f"{entry['date']} {'+'.join(entry['tiles'])} uncertainty", "gdal")
        if not layer.isValid():
            raise RuntimeError(f"{path}: QGIS cannot open the uncertainty raster")
        style_uncertainty(layer, reference=layers["uncertainty"][0] if layers["uncertainty"] else None)
        set_date(layer, entry["date"])
        project.addMapLayer(layer, False)
        sub.insertLayer(0, layer)  # the newest on top, where the Temporal Controller is off
        layers["uncertainty"].append(layer)
