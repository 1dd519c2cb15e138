"""`digisat series` end to end on this machine, without internet: the tests' STAC servers (`rustac serve`
holding Earth Search `sentinel-2-c1-l2a` items, RangeHTTPServer holding COGs built from the shared
Virginia crop, tests/servers/real_stac.py) and the shipped networks; prints the CLI's output and the
wall time. Extra arguments go to `series` (e.g. --workers 2, --index NDVI,NBR,NDMI, --model DIR).

    .venv/bin/python scripts/series_demo.py --index NDVI,NBR

The servers come from the test suite (`tests/`, not an installed package), so the work runs in a
child Python started in the repository root, where `tests` imports.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]

DEMO = """
import pathlib, subprocess, sys, tempfile, time
from tests.conftest import VIRGINIA
from tests.servers.real_fixtures import REAL_SCENES, scene_items
from tests.servers.real_stac import CogHost, RustacServer, find_executable
from tests.servers.stac_server import build_cogs

AOI = "444410,4168730,446410,4170730,EPSG:32618"  # 2 x 2 km in the Virginia crop (the tests' area)
tmp = pathlib.Path(tempfile.mkdtemp(prefix="digisat-series-demo-"))
data = build_cogs(VIRGINIA, tmp / "cogs")
host = CogHost(tmp / "www", data)
hrefs = {item_id: host.add_scene(item_id, dt, scl) for item_id, dt, _cloud, scl in REAL_SCENES}
server = RustacServer(find_executable("rustac"), scene_items(data, hrefs), tmp / "rustac")
try:
    cmd = [sys.executable, "-m", "digisat_plugin", "series", "--stac-url", server.url, "--aoi", AOI,
           "--start", "2024-06-01", "--end", "2024-07-31", "--max-area-cloud", "50", "--out", str(tmp / "out"),
           "--quiet", *sys.argv[1:]]
    started = time.monotonic()
    done = subprocess.run(cmd)
    print(f"series_demo: {time.monotonic() - started:.1f} s wall (CLI start and TensorFlow included); "
          f"outputs in {tmp / 'out'}")
finally:
    server.stop()
    host.stop()
sys.exit(done.returncode)
"""


def main(extra) -> int:
    return subprocess.run([sys.executable, "-c", DEMO, *extra], cwd=REPO).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
