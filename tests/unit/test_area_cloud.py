"""Cloud over the area, not the tile: the SCL window over the area decides which scene `enhance` takes
(tests/servers/stac_server.py serves a clear SCL and one cloudy only over the tests' 2 km area)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from digisat_plugin.core.catalog import get_source
from digisat_plugin.core.catalog.errors import NotFoundError
from digisat_plugin.core.catalog.pipeline import enhance_area, rank_scenes
from digisat_plugin.core.catalog.scl import NOT_CLEAR, area_cloud_percent
from digisat_plugin.core.sr.predict import Predictor
from tests.unit.test_catalog_stac import AOI_2KM

CLEAR_TILE_CLOUDY_AREA = ("S2A_18SVG_20240705_0_L2A", "2024-07-05T15:47:21.024000Z", 0.5)
CLOUDY_TILE_CLEAR_AREA = ("S2B_18SVG_20240628_0_L2A", "2024-06-28T15:57:19.024000Z", 18.0)


def test_not_clear_classes():
    assert NOT_CLEAR == (0, 1, 3, 8, 9, 10)
    scl = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    assert area_cloud_percent(scl) == pytest.approx(50.0)  # dark, vegetation, soil, water, unclassified, snow: clear


def test_search_measures_the_cloud_over_the_area(stac_fake):
    stac_fake.state.update(scenes=[CLEAR_TILE_CLOUDY_AREA, CLOUDY_TILE_CLEAR_AREA],
                           scl={CLEAR_TILE_CLOUDY_AREA[0]: "SCL_cloudy"})
    source = get_source("stac", stac_fake.url)
    scenes = source.search(AOI_2KM, "2024-06-01", "2024-07-31", max_cloud=30)
    stac_fake.reset_counters()
    source.measure_area_cloud(scenes, AOI_2KM)
    assert [(s.cloud_cover, s.area_cloud) for s in scenes] == [(0.5, 100.0), (18.0, 0.0)]
    assert stac_fake.bytes_sent < 60_000  # a window of the SCL, not the file
    assert [s.id for s in rank_scenes(scenes)] == [CLOUDY_TILE_CLEAR_AREA[0], CLEAR_TILE_CLOUDY_AREA[0]]


def test_enhance_picks_the_clearest_area_not_the_clearest_tile(stac_fake, tiny_sr_model, tmp_path):
    stac_fake.state.update(scenes=[CLEAR_TILE_CLOUDY_AREA, CLOUDY_TILE_CLEAR_AREA],
                           scl={CLEAR_TILE_CLOUDY_AREA[0]: "SCL_cloudy"})
    done = enhance_area(get_source("stac", stac_fake.url), AOI_2KM, "2024-06-01", "2024-07-31", 30,
                        str(tmp_path / "e.tif"), bands=["B05"], predictor=Predictor(tiny_sr_model, device="cpu"))
    assert done.scene.id == CLOUDY_TILE_CLEAR_AREA[0] and done.scene.area_cloud == 0.0 and done.notes == []


def test_max_area_cloud_leaves_nothing_to_pick(stac_fake, tmp_path):
    stac_fake.state.update(scenes=[CLEAR_TILE_CLOUDY_AREA], scl={CLEAR_TILE_CLOUDY_AREA[0]: "SCL_cloudy"})
    with pytest.raises(NotFoundError, match=r"every one of the 1 scenes has more than 20% cloud over the "
                                            r"area \(the maximum asked; clearest 100\.0%\)"):
        enhance_area(get_source("stac", stac_fake.url), AOI_2KM, "2024-06-01", "2024-07-31", 30,
                     str(tmp_path / "e.tif"), max_area_cloud=20)
    assert os.listdir(tmp_path) == []


def test_items_without_scl_keep_tile_cloud_only(stac_fake):
    stac_fake.state.update(scenes=[CLEAR_TILE_CLOUDY_AREA], scl={CLEAR_TILE_CLOUDY_AREA[0]: ""})
    source = get_source("stac", stac_fake.url)
    scenes = source.search(AOI_2KM, "2024-06-01", "2024-07-31")
    source.measure_area_cloud(scenes, AOI_2KM)
    assert scenes[0].area_cloud is None


def test_enhance_falls_back_to_the_next_scene_when_a_band_is_missing(stac_fake, tiny_sr_model, tmp_path):
    stac_fake.state.update(scenes=[CLEAR_TILE_CLOUDY_AREA, CLOUDY_TILE_CLEAR_AREA],
                           scl={}, gone={CLEAR_TILE_CLOUDY_AREA[0]: ["B05"]})
    done = enhance_area(get_source("stac", stac_fake.url, retries=0), AOI_2KM, "2024-06-01", "2024-07-31", 30,
                        str(tmp_path / "e.tif"), bands=["B05"], predictor=Predictor(tiny_sr_model, device="cpu"))
    assert done.scene.id == CLOUDY_TILE_CLEAR_AREA[0]
    (note,) = done.notes
    assert note.startswith(f"scene {CLEAR_TILE_CLOUDY_AREA[0]} could not be fetched (")
    assert "/data/B05-gone.tif" in note and note.endswith("; trying the next best scene")
    assert os.listdir(tmp_path) == ["e.tif"]
