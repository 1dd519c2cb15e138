"""Issue acceptance: the CLI on the Virginia scene degraded by 2 beats bicubic on the real 20 m bands."""

import numpy as np
from osgeo import gdal

from research.degraded_copy import score_against_truth, write_degraded_copy
from tests.unit.test_cli_superresolve import cli

HELD_OUT_ROWS = 642 // 2  # the northern third of the scene, at 20 m


def test_virginia_degraded_by_2_beats_bicubic(virginia_dir, tmp_path):
    degraded = write_degraded_copy(str(virginia_dir), str(tmp_path / "virginia_20m"), s=2)
    assert gdal.Open(f"{degraded}/B05.tif").GetGeoTransform()[1] == 40.0
    out = tmp_path / "sr.tif"
    proc = cli("superresolve", degraded, out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    ds = gdal.Open(str(out))
    assert ds.GetGeoTransform()[1] == 20.0 and ds.RasterCount == 12
    for rows in (None, (0, HELD_OUT_ROWS)):
        scores = score_against_truth(str(out), degraded, str(virginia_dir), s=2, rows=rows)
        model = np.mean([v["digisat"] for v in scores.values()])
        cubic = np.mean([v["bicubic"] for v in scores.values()])
        assert model < 0.8 * cubic, (rows, scores)
        assert all(v["digisat"] < v["bicubic"] for v in scores.values()), scores
