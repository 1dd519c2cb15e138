"""The engine end to end at reduced scale: a scene degraded by 2, super-resolved by the CLI code
path, scored against the real 20 m bands next to bicubic upsampling (the figure in README.md).

Run: .venv/bin/python research/degraded_check.py [SCENE_DIR]   (default: the shared Virginia scene)
"""

from __future__ import annotations

import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
DEFAULT_SCENE = os.path.join(os.path.dirname(REPO), "shared", "data", "sentinel2", "S2A_L1C_20160112_T18SVG_virginia")
HELD_OUT_ROWS = 642 // 2  # northern third of Virginia, on the 20 m grid


def main(scene: str = DEFAULT_SCENE) -> None:
    from digisat_plugin.core.sr.engine import superresolve
    from research.degraded_copy import score_against_truth, write_degraded_copy

    with tempfile.TemporaryDirectory() as tmp:
        degraded = write_degraded_copy(scene, os.path.join(tmp, "degraded"), s=2)
        out = superresolve(degraded, os.path.join(tmp, "sr.tif"), device="cpu").output
        for label, rows in (("whole scene", None), ("held-out third", (0, HELD_OUT_ROWS))):
            scores = score_against_truth(out, degraded, scene, s=2, rows=rows)
            print(f"{os.path.basename(scene)} degraded by 2, {label}: RMSE (DN) of the 20 m bands, digisat / bicubic")
            for band, v in scores.items():
                print(f"  {band}: {v['digisat']:6.1f} / {v['bicubic']:6.1f}  ({v['digisat'] / v['bicubic']:.2f})")
            m = sum(v["digisat"] for v in scores.values()) / len(scores)
            c = sum(v["bicubic"] for v in scores.values()) / len(scores)
            print(f"  mean: {m:6.1f} / {c:6.1f}  ({m / c:.2f})")


if __name__ == "__main__":
    main(*sys.argv[1:])
