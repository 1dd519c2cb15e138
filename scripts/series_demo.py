"""`digisat series` end to end on this machine, without internet: the tests' STAC servers (`rustac serve`
holding Earth Search `sentinel-2-c1-l2a` items, RangeHTTPServer holding COGs built from the shared
Virginia crop, tests/servers/real_stac.py) and the shipped networks; prints the CLI's output and the
wall time. Extra arguments go to `series` (e.g. --workers 2, --index NDVI,NBR,NDMI, --model DIR).

    .venv/bin/python scripts/series_demo.py --index NDVI,NBR
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import VIRGINIA  # noqa: E402
from tests.servers.real_fixtures import REAL_SCENES, scene_items  # noqa: E402
from tests.servers.real_stac import CogHost, RustacServer, find_executable  # noqa: E402
from tests.servers.stac_server import build_cogs  # noqa: E402

AOI = "444410,4168730,446410,4170730,EPSG:32618"  # 2 x 2 km in the Virginia crop (the tests' area)


def main(extra) -> int:
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="digisat-series-demo-"))
    data = build_cogs(VIRGINIA, tmp / "cogs")
    host = CogHost(tmp / "www", data)
    hrefs = {item_id: host.add_scene(item_id, dt, scl) for item_id, dt, _cloud, scl in REAL_SCENES}
    server = RustacServer(find_executable("rustac"), scene_items(data, hrefs), tmp / "rustac")
    try:
        cmd = [sys.executable, "-m", "digisat_plugin", "series", "--stac-url", server.url, "--aoi", AOI,
               "--start", "2024-06-01", "--end", "2024-07-31", "--max-area-cloud", "50", "--out", str(tmp / "out"),
               "--quiet", *extra]
        started = time.monotonic()
        done = subprocess.run(cmd, cwd=REPO)
        print(f"series_demo: {time.monotonic() - started:.1f} s wall (CLI start and TensorFlow included); "
              f"outputs in {tmp / 'out'}")
        return done.returncode
    finally:
        server.stop()
        host.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
