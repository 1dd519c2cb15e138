"""Issue 27: there was no way to type coordinates for the area (offline, with no basemap, a user had to
load a GeoJSON of the box). The Area tab takes xmin, ymin, xmax, ymax typed or pasted, in a chosen CRS."""

from __future__ import annotations

import sys

import pytest
from qgis.core import QgsCoordinateReferenceSystem
from qgis.PyQt.QtCore import Qt

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.toolbelt.settings import PluginSettings


@pytest.fixture()
def dock(full_iface, clean_project, tmp_path):
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path), worker_python=sys.executable))
    yield dock
    dock.unload()
    dock.deleteLater()


def test_typed_box_in_utm_becomes_the_area(dock, qtbot):
    area = dock.area
    area.coords_crs.setCrs(QgsCoordinateReferenceSystem("EPSG:32618"))
    qtbot.keyClicks(area.coords_edit, "445080, 4174920, 448080, 4177920")
    qtbot.keyClick(area.coords_edit, Qt.Key.Key_Return)  # Enter uses it, as the button does
    box = area.aoi.geometry.boundingBox()
    assert box.toRectF().getCoords() == (445080.0, 4174920.0, 448080.0, 4177920.0)
    assert area.aoi.crs.authid() == "EPSG:32618"
    assert area.area_km2() == pytest.approx(9.0, rel=1e-2)  # ellipsoidal: 9.007 km²
    assert area.coords_error.isHidden()
    assert "300 x 300 px" in area.output_label.text()


def test_pasted_degrees_with_spaces(dock):
    area = dock.area
    area.coords_crs.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    area.coords_edit.setText("  -77.63 37.72   -77.60  37.74 ")
    area.coords_button.click()
    assert area.aoi.crs.authid() == "EPSG:4326"
    assert area.aoi.geometry.boundingBox().toRectF().getCoords() == pytest.approx((-77.63, 37.72, -77.60, 37.74))
    assert 2.0 < area.area_km2() < 8.0


@pytest.mark.parametrize("text, says", [("1, 2, 3", "expected four numbers"), ("a, b, c, d", "expected four numbers"),
                                        ("10, 0, 5, 1", "xmin must be below xmax")])
def test_bad_coordinates_say_one_line_and_keep_the_area(dock, text, says):
    area = dock.area
    area.coords_crs.setCrs(QgsCoordinateReferenceSystem("EPSG:32618"))
    area.coords_edit.setText(text)
    message = area.use_coordinates()
    assert says in message and "\n" not in message
    assert area.coords_error.isVisibleTo(area) and area.coords_error.text() == message
    assert area.aoi.geometry is None


def test_layer_extent_list_holds_raster_and_vector_layers_and_no_deprecated_call(full_iface, clean_project, tmp_path):
    """The Area tab's layer list offers raster and vector layers (not e.g. a mesh or an annotation layer),
    built without an API QGIS 3.40 deprecates (qt_compat.layer_filters)."""
    import warnings

    from qgis.core import QgsRasterLayer, QgsVectorLayer

    from .conftest import write_constant_raster

    raster = QgsRasterLayer(write_constant_raster(tmp_path / "r.tif", 5), "raster", "gdal")
    vector = QgsVectorLayer("Polygon?crs=EPSG:4326", "fields", "memory")
    clean_project.addMapLayers([raster, vector])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path), worker_python=sys.executable))
    try:
        assert [str(w.message) for w in caught if "setFilters" in str(w.message)] == []
        combo = dock.area.layer_combo
        assert sorted(combo.layer(i).name() for i in range(combo.count())) == ["fields", "raster"]
    finally:
        dock.unload()
        dock.deleteLater()
