"""The README's picture of the uncertainty layer over the bundled sample (docs/screenshots/uncertainty.png).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/uncertainty_figure.py [--out docs/screenshots/uncertainty.png]

Runs `superresolve --uncertainty` on resources/sample/virginia and renders, with QGIS's own
renderer and the plugin's style (gui/uncertainty_style.py), three panels of one band: the
delivered 20 m band, the enhanced band, its uncertainty layer, and the enhanced band with the pixels
above a threshold masked, as an analyst would before computing an index.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAND = "B05"
PANEL = 360  # pixels a side of each panel


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.join(REPO, "docs", "screenshots", "uncertainty.png"))
    p.add_argument("--sample", default=os.path.join(REPO, "resources", "sample", "virginia"))
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from osgeo import gdal
    from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsRasterLayer
    from qgis.PyQt.QtCore import QSize, Qt
    from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter

    from digisat_plugin.core.sr.engine import superresolve
    from digisat_plugin.gui.uncertainty_style import style_uncertainty

    tmp = tempfile.mkdtemp(prefix="digisat-figure-")
    out, unc, orig = (os.path.join(tmp, n) for n in ("out.tif", "unc.tif", "orig.tif"))
    superresolve(args.sample, out, original_path=orig, uncertainty_path=unc, device="cpu")
    ds, us = gdal.Open(out), gdal.Open(unc)
    names = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
    k = next(i for i, n in enumerate(names, start=1) if BAND in n)
    u = us.GetRasterBand(k).ReadAsArray()
    threshold = float(np.nanpercentile(u, 90))  # the worst tenth masked
    masked = os.path.join(tmp, "masked.tif")
    b = ds.GetRasterBand(k)
    band = b.ReadAsArray().astype(np.float32) * (b.GetScale() or 1) + (b.GetOffset() or 0)
    band[~(u <= threshold)] = np.nan
    m = gdal.GetDriverByName("GTiff").Create(masked, ds.RasterXSize, ds.RasterYSize, 1, gdal.GDT_Float32)
    m.SetGeoTransform(ds.GetGeoTransform())
    m.SetProjection(ds.GetProjection())
    m.GetRasterBand(1).SetNoDataValue(float("nan"))
    m.GetRasterBand(1).WriteArray(band)
    m = None

    app = QgsApplication([], False)
    app.initQgis()
    try:
        b = ds.GetRasterBand(k)  # QGIS shows the band's values with its scale and offset applied
        lo, hi = np.nanpercentile(b.ReadAsArray() * (b.GetScale() or 1) + (b.GetOffset() or 0), [2, 98])
        panels = []
        for title, path, number in ((f"{BAND} delivered (20 m)", orig, k), (f"{BAND} enhanced (10 m)", out, k),
                                    (f"uncertainty of {BAND} (DN)", unc, k),
                                    (f"{BAND}, worst 10 % masked (> {threshold:.0f} DN)", masked, 1)):
            layer = QgsRasterLayer(path, title)
            if path == unc:
                style_uncertainty(layer, BAND)
            else:
                from qgis.core import QgsContrastEnhancement, QgsSingleBandGrayRenderer
                r = QgsSingleBandGrayRenderer(layer.dataProvider(), number)
                ce = QgsContrastEnhancement(layer.dataProvider().dataType(number))
                ce.setContrastEnhancementAlgorithm(QgsContrastEnhancement.StretchToMinimumMaximum)
                ce.setMinimumValue(float(lo))
                ce.setMaximumValue(float(hi))
                r.setContrastEnhancement(ce)
                layer.setRenderer(r)
            settings = QgsMapSettings()
            settings.setLayers([layer])
            settings.setDestinationCrs(layer.crs())
            settings.setExtent(layer.extent())
            settings.setOutputSize(QSize(PANEL, PANEL))
            settings.setBackgroundColor(QColor("white"))
            job = QgsMapRendererParallelJob(settings)
            job.start()
            job.waitForFinished()
            panels.append((title, job.renderedImage()))
        pad, head = 8, 24
        image = QImage(len(panels) * (PANEL + pad) + pad, PANEL + head + pad, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setFont(QFont("DejaVu Sans", 9))
        for i, (title, img) in enumerate(panels):
            x = pad + i * (PANEL + pad)
            painter.drawText(x, 4, PANEL, head - 4, int(Qt.AlignmentFlag.AlignLeft), title)
            painter.drawImage(x, head, img)
        painter.end()
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        if not image.save(args.out):
            print(f"{args.out}: cannot write the picture", file=sys.stderr)
            return 1
        print(f"wrote {args.out} (threshold {threshold:.1f} DN: the 90th percentile of {BAND}'s layer)", flush=True)
    finally:
        # Not app.exitQgis(): QGIS 3.40's teardown can corrupt the heap in a standalone script (see
        # tests/conftest.py); the picture is written, nothing else is left to save.
        os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
