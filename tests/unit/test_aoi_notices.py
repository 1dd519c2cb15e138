"""Notices for an area of interest clipped at the data's edge or grown to the 60 m grid
(core/io/aoi.window_notices), and the CLI printing them, on the bundled sample."""

from __future__ import annotations

from digisat_plugin.core.io.aoi import Aoi, window_and_notices, window_for, window_notices
from digisat_plugin.core.io.product import open_product


def _sample(sample_dir):
    product = open_product(str(sample_dir))
    gt = product.geotransform
    return product, gt[0], gt[3]


def test_an_area_on_the_60_m_grid_inside_the_data_has_no_notice(sample_dir):
    product, x0, y0 = _sample(sample_dir)
    aoi = Aoi.from_bbox(x0 + 600, y0 - 1800, x0 + 1800, y0 - 600, "EPSG:32618")
    assert window_notices(product, aoi) == [] and window_notices(product, None) == []


def test_an_area_off_the_grid_is_grown_with_one_line(sample_dir):
    product, x0, y0 = _sample(sample_dir)
    aoi = Aoi.from_bbox(x0 + 610, y0 - 1810, x0 + 1810, y0 - 610, "EPSG:32618")  # 1200 m, 10 m off the grid
    window, notices = window_and_notices(product, aoi)
    assert window == window_for(product, aoi) and (window.width, window.height) == (126, 126)
    assert notices == ["area of interest grown outward to the 60 m pixel grid: 1200 x 1200 asked, "
                       "1260 x 1260 written (CRS units)"]


def test_an_area_past_the_edge_is_clipped_with_one_line(sample_dir):
    product, x0, y0 = _sample(sample_dir)
    aoi = Aoi.from_bbox(x0 - 600, y0 - 1800, x0 + 1200, y0 - 600, "EPSG:32618")  # 600 m west of the data
    window, notices = window_and_notices(product, aoi)
    assert (window.col, window.width) == (0, 120)
    assert notices == [f"area of interest clipped at the edge of the data of {product.path}: 1800 x 1200 asked, "
                       "1200 x 1200 written (CRS units)"]
