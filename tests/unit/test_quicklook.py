"""Where the searched area lies on a scene's quick-look (core/catalog/quicklook.py): plain arithmetic."""

from __future__ import annotations

import pytest

from digisat_plugin.core.catalog.quicklook import area_on_preview, crop_around, ten_m_grid

# A 109.8 km tile on a 10 m grid (Earth Search's visual asset), its preview 343 x 343 px (320.1 m a pixel).
TILE = {"crs": "EPSG:32618", "transform": [10.0, 0.0, 399960.0, 0.0, -10.0, 4200000.0], "shape": [10980, 10980]}


def test_the_10m_grid_comes_from_the_visual_asset_first_and_needs_a_crs():
    assets = {"scl": {"proj:transform": [20, 0, 1, 0, -20, 2], "proj:shape": [5490, 5490]},
              "red": {"proj:transform": [10, 0, 3, 0, -10, 4, 0, 0, 1], "proj:shape": [10980, 10980]},
              "visual": {"proj:transform": [10, 0, 5, 0, -10, 6], "proj:shape": [10980, 10980]}}
    assert ten_m_grid(assets, "EPSG:32618") == {"crs": "EPSG:32618", "transform": [10.0, 0.0, 5.0, 0.0, -10.0, 6.0],
                                                "shape": [10980, 10980]}
    del assets["visual"]
    assert ten_m_grid(assets, "EPSG:32618")["transform"] == [10.0, 0.0, 3.0, 0.0, -10.0, 4.0]  # 9 terms cut to 6
    assert ten_m_grid(assets, "") is None
    assert ten_m_grid({"scl": assets["scl"]}, "EPSG:32618") is None  # a 20 m grid does not place the preview


def test_a_2km_area_is_about_six_preview_pixels_where_it_lies_on_the_tile():
    # 2 x 2 km, 44.45 km east and 31.27 km south of the tile's top-left corner
    box = area_on_preview(TILE, (444410.0, 4166730.0, 446410.0, 4168730.0), (343, 343))
    assert box == pytest.approx((44450 / 320.1166, 31270 / 320.1166, 46450 / 320.1166, 33270 / 320.1166), rel=1e-6)


def test_an_area_over_the_edge_is_clipped_and_one_outside_or_a_rotated_grid_gives_none():
    assert area_on_preview(TILE, (390000.0, 4195000.0, 400960.0, 4210000.0), (343, 343)) == pytest.approx(
        (0.0, 0.0, 1000 / 320.1166, 5000 / 320.1166), rel=1e-6)
    assert area_on_preview(TILE, (300000.0, 4100000.0, 310000.0, 4110000.0), (343, 343)) is None
    rotated = dict(TILE, transform=[10.0, 1.0, 399960.0, 1.0, -10.0, 4200000.0])
    assert area_on_preview(rotated, (444410.0, 4166730.0, 446410.0, 4168730.0), (343, 343)) is None


def test_the_shown_part_is_the_area_with_as_much_again_each_side_inside_the_preview():
    assert crop_around((100.0, 50.0, 120.0, 60.0), (343, 343)) == (80, 40, 60, 30)  # 3 x the area's sides
    assert crop_around((100.0, 50.0, 102.0, 52.0), (343, 343)) == (96, 46, 10, 10)  # at least MIN_CROP_PX
    assert crop_around((0.0, 0.0, 4.0, 4.0), (343, 343)) == (0, 0, 12, 12)  # moved inside at the corner
    assert crop_around((300.0, 330.0, 343.0, 343.0), (343, 343)) == (214, 304, 129, 39)
    assert crop_around((0.0, 0.0, 343.0, 200.0), (343, 343)) == (0, 0, 343, 343)  # never more than the preview
