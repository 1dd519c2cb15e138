"""Polygon areas: the output is masked to the polygon (no data outside) in the dock, or keeps the box."""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.toolbelt.settings import PluginSettings
from tests.conftest import SAMPLE

from .processing_fixtures import digisat_provider  # noqa: F401

UTM18 = QgsCoordinateReferenceSystem("EPSG:32618")
# A triangle inside the 1020 m square 444000..445020 x 4177800..4178820 (a 102 x 102 px box)
TRIANGLE = "POLYGON((444000 4177800, 445020 4177800, 444000 4178820, 444000 4177800))"


def centres_inside(ds):
    """+1 where a pixel centre is inside the triangle, -1 outside, 0 on its hypotenuse (either is right)."""
    gt = ds.GetGeoTransform()
    cols, rows = np.meshgrid(np.arange(ds.RasterXSize), np.arange(ds.RasterYSize))
    x = gt[0] + (cols + 0.5) * gt[1]
    y = gt[3] + (rows + 0.5) * gt[5]
    return np.sign(1020.0 - ((x - 444000.0) + (y - 4177800.0))).astype(int)


@pytest.fixture()
def polygon_dock(full_iface, clean_project, tiny_sr_model, tmp_path):
    settings = PluginSettings(model_dir=str(tiny_sr_model), output_dir=str(tmp_path / "out"), device="cpu")
    dock = DigisatDock(full_iface, settings=settings)
    dock.data.set_local_product(str(SAMPLE))
    dock.area.aoi.set_aoi(QgsGeometry.fromWkt(TRIANGLE), UTM18)
    yield dock
    dock.unload()
    dock.deleteLater()


def run_dock(dock, qtbot):
    chain = dock.run()
    assert chain is not None
    with qtbot.waitSignal(chain.succeeded, timeout=240000):
        pass
    qtbot.waitUntil(lambda: dock.result is not None, timeout=5000)
    return dock.result


def test_area_tab_says_what_will_come_out(polygon_dock):
    area = polygon_dock.area
    assert area.is_polygon() and area.mask_combo.isEnabled() and area.mask_to_aoi()
    assert area.output_label.text() == ("Output: about 102 x 102 px at 10 m (1.04 km², the box aligned to the 60 m "
                                        "grid) with no data outside the polygon")
    area.mask_combo.setCurrentIndex(area.mask_combo.findData(area.BOX))
    assert not area.mask_to_aoi() and not area.output_label.text().endswith("outside the polygon")
    area.aoi.clear()
    assert area.output_label.text() == "Output: the whole product at 10 m" and not area.mask_combo.isEnabled()


def test_polygon_output_is_no_data_outside_the_polygon(polygon_dock, qtbot):
    result, group, enhanced, original = run_dock(polygon_dock, qtbot)
    for layer in (enhanced, original):
        ds = gdal.Open(layer.source())
        assert (ds.RasterXSize, ds.RasterYSize) == (102, 102)
        side = centres_inside(ds)
        inside, outside = side > 0, side < 0
        assert inside.sum() > 4000 and outside.sum() > 4000
        data = ds.ReadAsArray()
        assert data.shape[0] == 12
        assert (data[:, outside] == 0).all()  # no data outside the polygon, every band
        assert (data[:, inside] > 0).all()  # the sample has data everywhere inside
        assert all(ds.GetRasterBand(i + 1).GetNoDataValue() == 0 for i in range(12))
        assert ds.GetRasterBand(5).GetDescription() == "B05" and ds.GetRasterBand(5).GetScale() == 0.0001
        assert ds.GetMetadataItem("DIGISAT_MASK")
        assert "LAYOUT=COG" in (ds.GetMetadata("IMAGE_STRUCTURE") or {}).values() or \
            ds.GetMetadata("IMAGE_STRUCTURE").get("LAYOUT") == "COG"


def test_bounding_box_choice_keeps_every_pixel(polygon_dock, qtbot):
    area = polygon_dock.area
    area.mask_combo.setCurrentIndex(area.mask_combo.findData(area.BOX))
    result, group, enhanced, original = run_dock(polygon_dock, qtbot)
    data = gdal.Open(enhanced.source()).ReadAsArray()
    assert data.shape == (12, 102, 102) and (data > 0).all()


def test_processing_aoi_layer_masks_to_the_polygon(digisat_provider, tiny_sr_model, tmp_path):  # noqa: F811
    import processing
    from qgis.core import QgsFeature, QgsVectorLayer

    layer = QgsVectorLayer("Polygon?crs=EPSG:32618", "aoi", "memory")
    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromWkt(TRIANGLE))
    layer.dataProvider().addFeatures([feature])
    params = {"INPUT": str(SAMPLE), "AOI": layer, "BANDS": [0, 1], "MODEL_DIR": str(tiny_sr_model), "DEVICE": 1}
    masked = processing.run("digisat:superresolve", dict(params, OUTPUT=str(tmp_path / "masked.tif")))
    box = processing.run("digisat:superresolve", dict(params, MASK_TO_AOI=False, OUTPUT=str(tmp_path / "box.tif")))
    assert (masked["WIDTH"], masked["HEIGHT"]) == (box["WIDTH"], box["HEIGHT"]) == (102, 102)
    ds = gdal.Open(masked["OUTPUT"])
    side, data = centres_inside(ds), ds.ReadAsArray()
    assert (data[:, side < 0] == 0).all() and (data[:, side > 0] > 0).all()
    assert (gdal.Open(box["OUTPUT"]).ReadAsArray() > 0).all()
    assert not [f for f in tmp_path.iterdir() if ".part" in f.name]
