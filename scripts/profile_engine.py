"""Where a `superresolve` run spends its time: the engine on a window of the Virginia scene under
cProfile, summed into the parts that matter (the networks on ONNX Runtime, the guided estimate of
each tile, the window's plan with the guard's check, the COG's assembly, the rest).

    .venv/bin/python scripts/profile_engine.py [--size 1920] [--scene DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SCENE = os.path.join(os.path.dirname(REPO), "shared", "data", "sentinel2", "S2A_L1C_20160112_T18SVG_virginia")
# parts that do not overlap: the window's plan, the tiles (split into the networks and the rest), the COG


def cumulative(stats, path: str, name: str, caller: str | None = None) -> float:
    """Cumulative seconds of function `name` in a file ending with `path` (only the calls from `caller`)."""
    total = 0.0
    for (file, _line, fn), (_cc, _nc, _tt, ct, callers) in stats.items():
        if fn == name and file.endswith(path):
            total += ct if caller is None else sum(v[3] for (_f, _l, c), v in callers.items() if c == caller)
    return total

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1920, help="window side in 10 m pixels (default 1920)")
    parser.add_argument("--scene", default=DEFAULT_SCENE)
    args = parser.parse_args()
    from digisat_plugin.core.io.aoi import parse_aoi
    from digisat_plugin.core.io.product import open_product
    from digisat_plugin.core.sr.engine import superresolve

    gt = open_product(args.scene).geotransform
    x0, y1, n = gt[0], gt[3], args.size
    aoi = parse_aoi(f"{x0},{y1 - n * gt[1]},{x0 + n * gt[1]},{y1}")
    profile = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        profile.enable()
        superresolve(args.scene, os.path.join(tmp, "o.tif"), aoi=aoi, device="cpu")
        profile.disable()
        wall = time.perf_counter() - start
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (calls, primitive, tottime, cumtime, callers)
    print(f"profile: {n} x {n} px ({n * n / 1e6:.2f} MP) in {wall:.1f} s, {n * n / 1e6 / wall:.3f} MP/s")
    plan = cumulative(stats, "core/sr/engine.py", "_plan")
    tiles = cumulative(stats, "core/sr/engine.py", "stream_piece")
    networks = cumulative(stats, "core/sr/predict.py", "run_net", caller="_run_one")
    cog = cumulative(stats, "core/io/cog.py", "commit")
    for label, seconds in (("window plan: blur fit, prior, guard check", plan),
                           ("tiles: the networks (ONNX Runtime)", networks),
                           ("tiles: guided estimate, inputs, reading, writing", tiles - networks),
                           ("COG assembly", cog), ("the rest", wall - plan - tiles - cog)):
        print(f"  {label:50s} {seconds:6.1f} s  {100 * seconds / wall:4.0f} %")

if __name__ == "__main__":
    main()
