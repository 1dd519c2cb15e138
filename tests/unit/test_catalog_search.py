"""STAC search that finds the right scenes: newest first, cloud filtered, limit after the filter,
whatever the server can do (tests/servers/stac_server.py with its conformance classes cut down)."""

from __future__ import annotations

from datetime import datetime, timedelta

from digisat_plugin.core.catalog import get_source
from digisat_plugin.core.catalog.stac import scene_from_item
from tests.servers.stac_server import CONFORMS
from tests.unit.test_catalog_stac import AOI_2KM

BARE = [c for c in CONFORMS if not c.endswith(("#query", "#sort"))]


def year_of_scenes(n=130):
    """n scenes every 2.8 days through 2024, oldest first; every 7th is clear (0.5 %), the rest 40 %."""
    t0 = datetime(2024, 1, 2, 15, 57, 19)
    out = []
    for i in range(n):
        t = t0 + timedelta(days=2.8 * i)
        out.append((f"S2B_18SVG_{t:%Y%m%d}_{i}_L2A", t.strftime("%Y-%m-%dT%H:%M:%S.024000Z"),
                    0.5 if i % 7 == 3 else 40.0 + i / 100))
    return out


def test_oldest_first_server_without_query_or_sort_gives_the_newest_clear_scenes(stac_fake):
    scenes = year_of_scenes()
    stac_fake.state.update(scenes=scenes, conforms=BARE, max_page=20)
    found = get_source("stac", stac_fake.url).search(AOI_2KM, "2024-01-01", "2024-12-31", max_cloud=10, limit=5)
    clear = [s for s in scenes if s[2] <= 10]
    assert [s.id for s in found] == [s[0] for s in reversed(clear[-5:])]
    assert all(s.cloud_cover == 0.5 for s in found)
    assert [p[1] for p in stac_fake.state["pages"]] == list(range(0, 130, 20))  # every page was read
    assert "query" not in stac_fake.state["searches"][0] and "sortby" not in stac_fake.state["searches"][0]


def test_sorting_server_is_asked_newest_first_and_read_only_as_far_as_needed(stac_fake):
    scenes = year_of_scenes()
    stac_fake.state.update(scenes=scenes, max_page=20)
    found = get_source("stac", stac_fake.url).search(AOI_2KM, "2024-01-01", "2024-12-31", max_cloud=10, limit=3)
    assert [s.id for s in found] == [s[0] for s in reversed([s for s in scenes if s[2] <= 10][-3:])]
    sent = stac_fake.state["searches"][0]
    assert sent["sortby"] == [{"field": "properties.datetime", "direction": "desc"}]
    assert sent["query"] == {"eo:cloud_cover": {"lte": 10.0}}
    assert len(stac_fake.state["pages"]) == 1  # 3 clear scenes were on the first page


def test_limit_counts_scenes_after_the_cloud_filter(stac_fake):
    stac_fake.state.update(scenes=year_of_scenes(), conforms=BARE + ["https://api.stacspec.org/v1.0.0/item-search#sort"],
                           max_page=10)
    found = get_source("stac", stac_fake.url).search(AOI_2KM, "2024-01-01", "2024-12-31", max_cloud=10, limit=8)
    assert len(found) == 8 and all(s.cloud_cover == 0.5 for s in found)
    assert [s.datetime for s in found] == sorted((s.datetime for s in found), reverse=True)


def test_collection_option_and_the_legacy_offset_convention(stac_fake):
    source = get_source("stac", stac_fake.url, collection="sentinel-2-l2a")
    assert source.search(AOI_2KM, "2024-06-01", "2024-07-31") == []  # the fake serves only c1
    assert stac_fake.state["searches"][0]["collections"] == ["sentinel-2-l2a"]


def test_legacy_items_with_the_offset_already_applied_read_offset_zero(stac_cogs):
    import pystac

    from tests.servers.stac_server import make_item

    raw = make_item("http://x", stac_cogs, "S2B_18SVG_20240628_0_L2A", "2024-06-28T15:57:19Z", 3.5)
    raw["collection"] = "sentinel-2-l2a"
    raw["properties"]["earthsearch:boa_offset_applied"] = True
    for asset in raw["assets"].values():
        asset["file:size"] = 1_000_000
    scene = scene_from_item(pystac.Item.from_dict(raw), "L2A")
    assert scene.extra["radiometry"]["B05"] == (0.0001, 0.0)  # raster:bands still say -0.1
    assert scene.size == 12_000_000  # the band files' file:size
    raw["properties"]["earthsearch:boa_offset_applied"] = False
    assert scene_from_item(pystac.Item.from_dict(raw), "L2A").extra["radiometry"]["B05"] == (0.0001, -0.1)
