"""`digisat:mask_uncertain` through Processing: the masked raster, its log, and one-line errors."""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal

from tests.builders import write_bands

from .processing_fixtures import digisat_provider  # noqa: F401


def layers(tmp_path):
    """An enhanced raster (uint16, 2000 DN) and its layer: B05's expected error 0..99 DN by column."""
    dn = np.full((30, 100), 2000, np.uint16)
    enhanced = write_bands(tmp_path / "enh.tif", [dn, dn], gdal.GDT_UInt16, ["B02", "B05"])
    errors = [np.zeros((30, 100), np.float32), np.tile(np.arange(100, dtype=np.float32), (30, 1))]
    return enhanced, write_bands(tmp_path / "unc.tif", errors, gdal.GDT_Float32, ["B02", "B05"],
                                 nodata=float("nan"))


def test_mask_uncertain_writes_the_masked_raster_and_logs_the_share(digisat_provider, tmp_path):  # noqa: F811
    import processing
    from qgis.core import QgsProcessingFeedback

    class Log(QgsProcessingFeedback):
        lines: list = []

        def pushInfo(self, info):  # noqa: N802
            self.lines.append(info)

    enhanced, unc = layers(tmp_path)
    out = str(tmp_path / "masked.tif")
    feedback = Log()
    result = processing.run("digisat:mask_uncertain", {"INPUT": enhanced, "UNCERTAINTY": unc, "MAX_ERROR": 0.005,
                                                       "OUTPUT": out}, feedback=feedback)
    assert result["OUTPUT"] == out
    values = gdal.Open(out).ReadAsArray()
    assert (values[0] == 2000).all()  # B02: expected error 0
    np.testing.assert_array_equal(values[1], np.tile(np.where(np.arange(100) > 50, 0, 2000), (30, 1)))
    assert "B05: 49.0 % of its pixels masked" in feedback.lines and "B02: 0.0 % of its pixels masked" in feedback.lines


def test_mask_uncertain_with_the_wrong_layer_is_a_one_line_error(digisat_provider, tmp_path):  # noqa: F811
    import processing
    from qgis.core import QgsProcessingException

    enhanced, _ = layers(tmp_path)
    with pytest.raises(QgsProcessingException) as err:
        processing.run("digisat:mask_uncertain", {"INPUT": enhanced, "UNCERTAINTY": enhanced, "MAX_ERROR": 0.004,
                                                  "OUTPUT": str(tmp_path / "masked.tif")})
    assert "UInt16 values, not an uncertainty layer" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "masked.tif").exists()


def test_mask_uncertain_relative_to_the_pixels_value_alone_or_none(digisat_provider, tmp_path):  # noqa: F811
    """MAX_RELATIVE 0.02 with MAX_ERROR 0 (left out): B05 at 0.1 reflectance (2000 DN, offset -0.1) keeps
    errors up to 20 DN; both 0 is the core's one line."""
    import processing
    from qgis.core import QgsProcessingException

    enhanced, unc = layers(tmp_path)
    out = str(tmp_path / "relative.tif")
    processing.run("digisat:mask_uncertain", {"INPUT": enhanced, "UNCERTAINTY": unc, "MAX_ERROR": 0,
                                              "MAX_RELATIVE": 0.02, "OUTPUT": out})
    values = gdal.Open(out).ReadAsArray()
    np.testing.assert_array_equal(values[1], np.tile(np.where(np.arange(100) > 20, 0, 2000), (30, 1)))
    assert gdal.Open(out).GetMetadataItem("DIGISAT_MASKED_ABOVE_RELATIVE") == "0.02"
    with pytest.raises(QgsProcessingException) as err:
        processing.run("digisat:mask_uncertain", {"INPUT": enhanced, "UNCERTAINTY": unc, "MAX_ERROR": 0,
                                                  "OUTPUT": str(tmp_path / "none.tif")})
    assert "Mask uncertain pixels: both largest expected errors are 0 (not used)" in str(err.value)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "none.tif").exists()


def test_mask_uncertain_loads_as_the_enhanced_layers_name_masked_in_the_docks_colours(
        digisat_provider, tmp_path, layer_tree_iface):  # noqa: F811
    import processing
    from qgis.core import QgsMultiBandColorRenderer, QgsProject, QgsRasterLayer

    names = ["B02", "B03", "B04", "B05", "B8A", "B12"]
    dn = np.tile(np.arange(100, dtype=np.uint16) * 10 + 1000, (30, 1))
    enhanced = QgsRasterLayer(write_bands(tmp_path / "enh.tif", [dn] * 6, gdal.GDT_UInt16, names),
                              "2016-01-12 18SVG enhanced [d7a7ee]")
    unc = write_bands(tmp_path / "unc.tif", [np.full((30, 100), 50, np.float32)] * 6, gdal.GDT_Float32, names,
                      nodata=float("nan"))
    QgsProject.instance().addMapLayer(enhanced)
    out = str(tmp_path / "masked.tif")
    processing.runAndLoadResults("digisat:mask_uncertain", {"INPUT": enhanced, "UNCERTAINTY": unc, "MAX_ERROR": 0.004,
                                                            "OUTPUT": out})
    loaded = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.source() == out]
    try:
        assert [lyr.name() for lyr in loaded] == ["2016-01-12 18SVG enhanced masked [d7a7ee]"]
        renderer = loaded[0].renderer()
        assert isinstance(renderer, QgsMultiBandColorRenderer)
        assert [names[b - 1] for b in (renderer.redBand(), renderer.greenBand(), renderer.blueBand())] == [
            "B12", "B8A", "B05"]  # the dock's false colour: the masked bands show, not B02/B03/B04
    finally:
        QgsProject.instance().removeMapLayers([lyr.id() for lyr in loaded] + [enhanced.id()])
