"""Result layers: a group "<date> <tile> [<key>]" with "<date> <tile> enhanced [<key>]" above its original,
both styled as the same false-colour composite with the same stretch so differences are the resolution,
not the style. The names tell results apart in the Layers panel and in every layer picker (`result_names`).
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

# Preferred composites in order; the first whose bands are all present is used.
COMPOSITES = (("B12", "B8A", "B05"), ("B11", "B8A", "B05"), ("B04", "B03", "B02"), ("B09", "B05", "B01"))
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


def band_descriptions(path: str) -> list:
    """Band names as written by the engine in the raster band descriptions ('' where missing)."""
    dataset = gdal.Open(path)
    try:
        return [dataset.GetRasterBand(i + 1).GetDescription() for i in range(dataset.RasterCount)]
    finally:
        dataset = None


def composite_bands(names: list) -> list:
    """1-based band numbers of the composite to show (one band when fewer than three exist)."""
    for combo in COMPOSITES:
        if all(b in names for b in combo):
            return [names.index(b) + 1 for b in combo]
    count = len(names)
    return [1, 2, 3] if count >= 3 else [1]


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


def style_result(layer: QgsRasterLayer, reference: QgsRasterLayer | None = None) -> list:
    """The one styling of digisat outputs (dock results and Processing outputs): the false-colour
    composite (B12/B8A/B05 when present) stretched by the reference layer's cumulative cut (default:
    the layer itself). Returns the 1-based bands shown."""
    bands = composite_bands(band_descriptions(layer.source()))
    apply_style(layer, bands, stretch_for(reference or layer, bands))
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


def remove_result_layers(paths, project=None) -> int:
    """Take the layers reading any of `paths` out of the project (and groups left empty); returns how many."""
    project = project or QgsProject.instance()
    wanted = {os.path.realpath(p) for p in paths if p}
    layers = [layer for layer in project.mapLayers().values()
              if os.path.realpath(layer.source().split("|")[0]) in wanted]
    groups = set()
    root = project.layerTreeRoot()
    for layer in layers:
        node = root.findLayer(layer.id())
        if node is not None and node.parent() is not None and node.parent() is not root:
            groups.add(node.parent())
    project.removeMapLayers([layer.id() for layer in layers])
    for group in groups:
        if not group.children() and group.parent() is not None:
            group.parent().removeChildNode(group)
    return len(layers)
