import json

import pytest

from digisat_plugin.core.errors import AoiError
from digisat_plugin.core.io.aoi import MIN_AOI_PIXELS, parse_aoi, window_for
from digisat_plugin.core.io.product import open_product


def test_box_in_product_crs_is_aligned_outward_to_60m(sample_dir):
    p = open_product(sample_dir)  # origin (443580, 4179420), 10 m
    w = window_for(p, parse_aoi("444000,4174000,447000,4177000"))
    # cols (444000-443580)/10 = 42 -> 42, (447000-443580)/10 = 342 -> 342; rows 242..542
    assert (w.row, w.col, w.height, w.width) == (240, 42, 306, 300)
    assert w.row % 6 == 0 and w.col % 6 == 0 and w.height % 6 == 0 and w.width % 6 == 0


def test_box_in_wgs84_and_geojson_agree(sample_dir, tmp_path):
    p = open_product(sample_dir)
    utm = parse_aoi("444000,4174000,447000,4177000,EPSG:32618")
    west, south, east, north = utm.wgs84_bounds()
    assert -76 < west < east < -75 and 37 < south < north < 38
    box = window_for(p, parse_aoi(f"{west},{south},{east},{north}", "EPSG:4326"))
    gj = tmp_path / "aoi.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                  "geometry": utm.wgs84_geojson()}]}))
    poly = window_for(p, parse_aoi(str(gj)))
    direct = window_for(p, utm)
    # Reprojection round trips may move an edge across one 60 m cell, never more.
    for w in (poly, box):
        assert abs(w.row - direct.row) <= 6 and abs(w.col - direct.col) <= 6
        assert abs(w.height - direct.height) <= 12 and abs(w.width - direct.width) <= 12


@pytest.mark.parametrize("text, message", [
    ("1,2,3", "expected xmin,ymin,xmax,ymax"),
    ("a,b,c,d", "coordinates must be numbers"),
    ("5,5,1,1", "empty box"),
    ("0,0,1,1,EPSG:999999", "unknown CRS"),
    ("missing.geojson", "missing.geojson: GeoJSON file not found"),
    ('{"type": "Point", "coordinates": [0, 0]}', "expected Polygon or MultiPolygon"),
])
def test_malformed_aoi_messages(text, message):
    with pytest.raises(AoiError, match=message):
        parse_aoi(text)


def test_aoi_outside_or_too_small(sample_dir):
    p = open_product(sample_dir)
    with pytest.raises(AoiError, match="outside the data"):
        window_for(p, parse_aoi("0,0,1,1,EPSG:4326"))
    with pytest.raises(AoiError, match=f"too small.*at least {MIN_AOI_PIXELS * 10:g}"):
        window_for(p, parse_aoi("444000,4174000,444100,4174100"))


def test_aoi_with_crs_on_product_without_crs(malmo_dir):
    with pytest.raises(AoiError, match="has no CRS"):
        window_for(open_product(malmo_dir), parse_aoi("0,0,1,1,EPSG:4326"))
