"""pytest fixtures for the STAC server software nobody here wrote (tests/servers/real_stac.py).

- `cog_host`: RangeHTTPServer over a folder tree in Earth Search's layout (one per test);
  `cog_host.add_scene(item_id, datetime, scl=..., missing=(...), truncated={band: n})` lays out a
  scene's files (symlinks to the session's COGs, `stac_cogs`) and returns its href root.
- `rustac`: a factory `rustac(items) -> RustacServer` (`.url`, `.stop()`), each started on a free
  port and stopped after the test.
- `earth_search`: `rustac` loaded with REAL_SCENES (oldest first, as the in-memory backend keeps
  them) over `cog_host`; `.url`, `.items`, `.hrefs` ({item id: href root}).

They skip, saying why, only when `rustac` or RangeHTTPServer is not installed (`make setup`
installs both from requirements/servers.txt).
"""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from .real_stac import CogHost, RustacServer, earth_search_item, find_executable

# (item id, datetime, tile cloud %, SCL file): the 12.25 % scene is cloudy over the tests' area only.
REAL_SCENES = (
    ("S2A_T18SVG_20240625T154721_L2A", "2024-06-25T15:47:21.024000Z", 4.0, "SCL"),
    ("S2B_T18SVG_20240628T155719_L2A", "2024-06-28T15:57:19.024000Z", 3.5, "SCL"),
    ("S2A_T18SVG_20240705T154721_L2A", "2024-07-05T15:47:21.024000Z", 12.25, "SCL_cloudy"),
    ("S2B_T18SVG_20240708T155719_L2A", "2024-07-08T15:57:19.024000Z", 71.5, "SCL"),
)


@pytest.fixture(scope="session")
def rustac_exe() -> str:
    exe = find_executable("rustac")
    if exe is None:
        pytest.skip("rustac is not installed (pip install -r requirements/servers.txt; `make setup` does it)")
    if importlib.util.find_spec("RangeHTTPServer") is None:
        pytest.skip("rangehttpserver is not installed (pip install -r requirements/servers.txt; `make setup` does it)")
    return exe


@pytest.fixture()
def cog_host(rustac_exe, stac_cogs, tmp_path_factory):
    host = CogHost(tmp_path_factory.mktemp("cog_host") / "www", stac_cogs)
    yield host
    host.stop()


@pytest.fixture()
def rustac(rustac_exe, tmp_path_factory):
    started = []

    def start(items: list) -> RustacServer:
        started.append(RustacServer(rustac_exe, items, tmp_path_factory.mktemp("rustac")))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def scene_items(data: dict, roots: dict, scenes=REAL_SCENES) -> list:
    """Items of `scenes` with their files under roots[item id] (or roots[None] for every scene)."""
    return [earth_search_item(data, item_id, dt, cloud, roots.get(item_id, roots.get(None)), scl)
            for item_id, dt, cloud, scl in scenes]


@pytest.fixture()
def earth_search(cog_host, rustac, stac_cogs):
    hrefs = {item_id: cog_host.add_scene(item_id, dt, scl) for item_id, dt, _cloud, scl in REAL_SCENES}
    items = scene_items(stac_cogs, hrefs)
    server = rustac(items)
    return SimpleNamespace(url=server.url, items=items, hrefs=hrefs, server=server)
