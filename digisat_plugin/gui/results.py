"""Result layers: a group "<date> <tile> [<key>]" with "<date> <tile> enhanced [<key>]" above its original,
both styled as the same composite with the same stretch so differences are the resolution, not the style.
The composites (`CHOICES`) live here alone: the dock's composite combo, Processing outputs and the series
use them; the default is one that shows enhanced (20 m or 60 m) bands. The names tell results apart in the Layers panel and in every layer picker (`result_names`).
"""

from __future__ import annotations

import os
import re

from osgeo import gdal
from qgis.core import (
    QgsContrastEnhancement,
    QgsMultiBandColorRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsSingleBandGrayRenderer,
)

from ..core.definitions import BANDS_20M, BANDS_60M, uncertainty_path_for

# (key, title, alternatives as red/green/blue): the first alternative whose bands the result holds is shown.
# A 60 m-only result holds the 10 m bands and B01/B09 (no B12): its 60 m composite takes B08 for B12.
CHOICES = (
    ("false20", "False colour 20 m", (("B12", "B8A", "B05"), ("B11", "B8A", "B05"))),
    ("swir", "SWIR", (("B12", "B8A", "B04"), ("B11", "B8A", "B04"))),
    ("rededge", "Red edge", (("B07", "B06", "B05"),)),
    ("b60", "60 m", (("B01", "B09", "B12"), ("B01", "B09", "B08"))),
    ("true", "True colour", (("B04", "B03", "B02"),)),
)
ENHANCED = frozenset(BANDS_20M + BANDS_60M)  # the bands the networks sharpen (10 m bands are copied)
CUT = (0.02, 0.98)  # cumulative cut of the stretch


TILE = re.compile(r"(?:^|_)T?(\d{2}[C-X][A-Z]{2})(?:_|$)")  # MGRS tile: T33UUP in SAFE names, 18SVG in STAC ids


def product_tile(product_id: str) -> str:
    """The MGRS tile in a product id ('' when it has none)."""
    match = TILE.search(product_id or "")
    return match.group(1) if match else ""


def result_names(product_id: str, date: str, key: str) -> tuple:
    """(group, enhanced, original) layer names: '2017-06-13 33UUP enhanced [4c93d3]'; the request key
    (gui/process_panel.request_key) tells two areas or band sets of one product apart. The product id
    stands in for a date and tile it does not carry."""
    what = " ".join(p for p in ((date or "")[:10], product_tile(product_id)) if p) or product_id or "digisat"
    tag = f" [{key}]" if key else ""
    return f"{what}{tag}", f"{what} enhanced{tag}", f"{what} original{tag}"


def masked_name(enhanced_name: str) -> str:
    """A masked copy's name beside its enhanced layer's, the request key kept last:
    '2017-06-13 33UUP enhanced masked [4c93d3]' (any other name: '<name> masked')."""
    head, tag, key = enhanced_name.rpartition(" [")
    if tag and key.endswith("]") and head:
        return f"{head} masked [{key}"
    return f"{enhanced_name} masked"


def uncertainty_name(enhanced_name: str) -> str:
    """The uncertainty layer's name beside its enhanced layer's: '2017-06-13 33UUP uncertainty [4c93d3]'."""
    return enhanced_name.replace(" enhanced", " uncertainty", 1)


def band_descriptions(path: str) -> list:
    """Band names as written by the engine in the raster band descriptions ('' where missing)."""
    dataset = gdal.Open(path)
    try:
        return [dataset.GetRasterBand(i + 1).GetDescription() for i in range(dataset.RasterCount)]
    finally:
        dataset = None


def composite_choices(names: list) -> list:
    """(key, label, band names) of every composite the result's bands allow, in CHOICES order."""
    found = []
    for key, title, alternatives in CHOICES:
        combo = next((c for c in alternatives if all(b in names for b in c)), None)
        if combo:
            found.append((key, f"{title} ({' '.join(combo)})", combo))
    return found


def default_composite(names: list) -> str:
    """The first composite that shows an enhanced band (a 60 m-only result: the 60 m one, not true colour,
    where the swipe would show no difference); '' when none is possible."""
    choices = composite_choices(names)
    enhanced = [key for key, _label, combo in choices if ENHANCED & set(combo)]
    return (enhanced or [key for key, _l, _c in choices] or [""])[0]


def composite_bands(names: list, key: str = "") -> list:
    """1-based band numbers of composite `key` (default: default_composite); one band when fewer than
    three exist and no composite fits."""
    choices = {k: combo for k, _label, combo in composite_choices(names)}
    combo = choices.get(key) or choices.get(default_composite(names))
    if combo:
        return [names.index(b) + 1 for b in combo]
    return [1, 2, 3] if len(names) >= 3 else [1]


def stretch_for(layer: QgsRasterLayer, bands: list) -> list:
    """(min, max) per band, from a cumulative cut of the reference layer."""
    provider = layer.dataProvider()
    limits = []
    for band in bands:
        low, high = provider.cumulativeCut(band, CUT[0], CUT[1], layer.extent(), 250000)
        if not high > low:
            high = low + 1.0
        limits.append((low, high))
    return limits


def apply_style(layer: QgsRasterLayer, bands: list, limits: list) -> None:
    provider = layer.dataProvider()

    def enhancement(band, low, high):
        ce = QgsContrastEnhancement(provider.dataType(band))
        ce.setContrastEnhancementAlgorithm(QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum, True)
        ce.setMinimumValue(low)
        ce.setMaximumValue(high)
        return ce

    if len(bands) >= 3:
        renderer = QgsMultiBandColorRenderer(provider, *bands[:3])
        renderer.setRedContrastEnhancement(enhancement(bands[0], *limits[0]))
        renderer.setGreenContrastEnhancement(enhancement(bands[1], *limits[1]))
        renderer.setBlueContrastEnhancement(enhancement(bands[2], *limits[2]))
    else:
        renderer = QgsSingleBandGrayRenderer(provider, bands[0])
        renderer.setContrastEnhancement(enhancement(bands[0], *limits[0]))
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def style_result(layer: QgsRasterLayer, reference: QgsRasterLayer | None = None, composite: str = "") -> list:
    """The one styling of digisat outputs (dock results and Processing outputs): `composite` (a CHOICES
    key; default: default_composite) stretched by the reference layer's cumulative cut (default: the layer
    itself). Returns the 1-based bands shown."""
    bands = composite_bands(band_descriptions(layer.source()), composite)
    apply_style(layer, bands, stretch_for(reference or layer, bands))
    return bands


def restyle_result(enhanced: QgsRasterLayer, original: QgsRasterLayer | None, composite: str) -> list:
    """Both layers of a result in `composite` with one stretch (the original's cut, as add_result_group)."""
    bands = []
    for layer in (enhanced, original):
        if layer is not None:
            bands = style_result(layer, original or enhanced, composite)
    return bands


def add_result_group(enhanced_path: str, original_path: str | None, names: tuple, project=None):
    """Add the group with both layers (original optional); `names`: result_names' (group, enhanced, original).
    Returns (group, enhanced, original)."""
    project = project or QgsProject.instance()
    title, enhanced_name, original_name = names
    enhanced = QgsRasterLayer(enhanced_path, enhanced_name, "gdal")
    if not enhanced.isValid():
        raise RuntimeError(f"{enhanced_path}: QGIS cannot open the enhanced raster")
    original = None
    if original_path:
        original = QgsRasterLayer(original_path, original_name, "gdal")
        if not original.isValid():
            raise RuntimeError(f"{original_path}: QGIS cannot open the original raster")
    for layer in (enhanced, original):
        if layer is not None:
            style_result(layer, original or enhanced)  # the same stretch on both
    group = project.layerTreeRoot().insertGroup(0, title)
    for layer in (enhanced, original):
        if layer is not None:
            project.addMapLayer(layer, False)
            group.addLayer(layer)
    return group, enhanced, original


def remove_stale_uncertainty(output: str) -> None:
    """After a run without the uncertainty layer: the layer an earlier run of the same request left
    beside `output` (same name stem) describes an output that was just replaced, so it goes too (one
    that another program holds open stays)."""
    from ..core.io.cog import remove_sidecar

    path = uncertainty_path_for(output)
    if os.path.isfile(path) and os.path.abspath(path) != os.path.abspath(output):
        try:
            os.remove(path)
        except OSError:
            return
        remove_sidecar(path)


def add_uncertainty_layer(path: str, name: str, group, project=None) -> QgsRasterLayer:
    """The uncertainty layer at the top of a result's group, styled with its ramp and not shown at first
    (it would hide the enhanced layer and the swipe); a tick shows it."""
    from .uncertainty_style import style_uncertainty

    project = project or QgsProject.instance()
    layer = QgsRasterLayer(path, name, "gdal")
    if not layer.isValid():
        raise RuntimeError(f"{path}: QGIS cannot open the uncertainty raster")
    style_uncertainty(layer)
    project.addMapLayer(layer, False)
    group.insertLayer(0, layer).setItemVisibilityChecked(False)
    return layer


def layers_reading(paths, project) -> list:
    """The project's layers whose file is one of `paths`."""
    wanted = {os.path.realpath(p) for p in paths if p}
    return [layer for layer in project.mapLayers().values()
            if os.path.realpath(layer.source().split("|")[0]) in wanted]


def _result_group(root, layer):
    """The group holding `layer` (a result's), or None when it sits at the top of the layer tree."""
    node = root.findLayer(layer.id())
    parent = node.parent() if node is not None else None
    return parent if parent is not None and parent is not root else None


def result_layer_names(paths, project=None) -> tuple:
    """(group, enhanced, original) names of the result whose layers read `paths` (enhanced, original), as
    add_result_group takes them, to put it back; None when its layers are not in the project."""
    project = project or QgsProject.instance()
    root = project.layerTreeRoot()
    names, group = [], None
    for path in paths[:2]:
        layer = next(iter(layers_reading([path], project)), None)
        names.append(layer.name() if layer is not None else "")
        found = _result_group(root, layer) if layer is not None else None
        group = found.name() if found is not None else group
    return (group, *names) if group and names[0] else None


def remove_result_layers(paths, project=None) -> int:
    """Take the layers reading any of `paths` out of the project (and groups left empty); returns how many."""
    project = project or QgsProject.instance()
    layers = layers_reading(paths, project)
    root = project.layerTreeRoot()
    groups = {group for group in (_result_group(root, layer) for layer in layers) if group is not None}
    project.removeMapLayers([layer.id() for layer in layers])
    for group in groups:
        if not group.children() and group.parent() is not None:
            group.parent().removeChildNode(group)
    return len(layers)
