"""The uncertainty layer's look in QGIS: one band (default the first enhanced one, B05 when present)
with a sequential colour ramp from 0 (trust) to a high expected error. The dock's option and
Processing's UNCERTAINTY output both style it here (it needs only qgis.core)."""

from __future__ import annotations

RAMP = "Magma"  # sequential and readable in grey: low error dark, high error bright
# The ramp ends at the mean plus this many standard deviations of the band: the long tail of large
# expected errors (edges, small objects) saturates instead of squeezing the rest into one colour.
SPREAD = 2.0


def style_uncertainty(layer, band_name: str = "B05", reference=None) -> None:
    """reference: the layer whose band sets the ramp's top (a series: the first date's, one scale for all
    dates); default `layer` itself."""
    from qgis.core import (
        QgsColorRampShader,
        QgsRasterShader,
        QgsSingleBandPseudoColorRenderer,
        QgsStyle,
    )

    provider = layer.dataProvider()
    names = [provider.generateBandName(i) for i in range(1, layer.bandCount() + 1)]
    names = [layer.bandName(i) or n for i, n in enumerate(names, start=1)]
    band = next((i for i, n in enumerate(names, start=1) if band_name in n), 1)
    source = (reference or layer).dataProvider()
    # every statistic (one pass, as for two): QGIS 3.40 deprecates the overload that takes them as an int,
    # and the one with Qgis.RasterBandStatistics does not exist on 3.22; both default to all
    stats = source.bandStatistics(band)
    # QGIS applies the band's scale (the enhanced band's: its values show in reflectance), to the
    # statistics too; a ramp spans at least one DN
    top = max(float(stats.mean + SPREAD * stats.stdDev), float(source.bandScale(band) or 1.0))
    ramp = QgsStyle.defaultStyle().colorRamp(RAMP)
    shader_fn = QgsColorRampShader(0.0, top, ramp, QgsColorRampShader.Type.Interpolated)
    shader_fn.classifyColorRamp(5, -1)
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(shader_fn)
    renderer = QgsSingleBandPseudoColorRenderer(provider, band, shader)
    renderer.setClassificationMin(0.0)
    renderer.setClassificationMax(top)
    layer.setRenderer(renderer)
    layer.triggerRepaint()
