import pytest

from digisat_plugin.core.io.aoi import Window
from digisat_plugin.core.sr.tiling import plan_tiles


@pytest.mark.parametrize("height, width, most", [(600, 600, 384), (1938, 1926, 384), (36, 1200, 384), (120, 120, 48)])
def test_tiles_cover_the_window_evenly(height, width, most):
    window = Window(12, 30, height, width)
    tiles = plan_tiles(window, most, margin=30)
    shapes = {(t.height, t.width) for t in tiles}
    assert len(shapes) == 1  # one shape: one traced graph, batches stack
    th, tw = shapes.pop()
    assert th <= max(most, 6) and tw <= max(most, 6) and th % 6 == 0 and tw % 6 == 0
    covered = {(r, c) for t in tiles for r in (t.row, t.row + t.height - 1) for c in (t.col, t.col + t.width - 1)}
    assert min(r for r, _ in covered) == 12 and min(c for _, c in covered) == 30
    assert max(r for r, _ in covered) >= 12 + height - 1 and max(c for _, c in covered) >= 30 + width - 1
    rows, cols = len({t.row for t in tiles}), len({t.col for t in tiles})
    # even split: past the window's end by less than one 60 m cell per tile
    assert rows * th - height < 6 * rows and cols * tw - width < 6 * cols
    assert tiles[0].read_window == (12 - 30, 30 - 30, th + 60, tw + 60)


def test_margin_must_be_aligned():
    with pytest.raises(ValueError, match="multiple of 6"):
        plan_tiles(Window(0, 0, 60, 60), 384, margin=10)
