"""The headless engine on real data: COG output, band order and names, scales, no-data, tiling."""

import os
import time

import numpy as np
import pytest
from osgeo import gdal
from osgeo_utils.samples.validate_cloud_optimized_geotiff import validate

from digisat_plugin.core.errors import Cancelled, InputError
from digisat_plugin.core.io.aoi import parse_aoi
from digisat_plugin.core.progress import Progress
from digisat_plugin.core.sr.engine import superresolve
from digisat_plugin.core.sr.predict import Predictor
from digisat_plugin.core.sr.resample import block_mean, upsample_nearest
from tests.builders import copy_band_folder, read_band
from tests.servers.safe_builder import build_safe

ALL12 = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"]
# A 1.8 x 1.8 km corner of the sample: fields and marsh; small enough to be quick.
SMALL_AOI = "443580,4177620,445380,4179420"


@pytest.fixture(scope="module")
def predictor():
    return Predictor(device="cpu")


@pytest.fixture(scope="module")
def sample_run(sample_dir, tmp_path_factory, predictor):
    out = tmp_path_factory.mktemp("sample")
    result = superresolve(str(sample_dir), str(out / "enhanced.tif"), original_path=str(out / "original.tif"),
                          predictor=predictor)
    return result, out


def bands_of(path):
    ds = gdal.Open(str(path))
    return [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)], ds.ReadAsArray(), ds


def test_sample_gives_valid_10m_cog_with_named_bands(sample_run, sample_dir):
    result, out = sample_run
    warnings, errors, _ = validate(str(out / "enhanced.tif"), full_check=True)
    assert errors == []
    names, data, ds = bands_of(out / "enhanced.tif")
    assert names == ALL12 == result.bands
    assert data.dtype == np.uint16 and data.shape == (12, 600, 600)
    assert ds.GetGeoTransform() == gdal.Open(str(sample_dir / "B02.tif")).GetGeoTransform()
    assert "UTM zone 18N" in ds.GetProjection()
    assert ds.GetRasterBand(1).GetNoDataValue() == 0
    assert ds.GetRasterBand(1).GetOverviewCount() >= 1
    assert sorted(os.listdir(out)) == ["enhanced.tif", "original.tif"]  # no temporaries left


def test_10m_bands_are_copied_and_original_companion_is_nearest(sample_run, sample_dir):
    _, out = sample_run
    _, enhanced, _ = bands_of(out / "enhanced.tif")
    names, original, _ = bands_of(out / "original.tif")
    assert names == ALL12
    for i, band in enumerate(ALL12):
        native = read_band(sample_dir, band)
        ratio = 600 // native.shape[0]
        assert np.array_equal(original[i], upsample_nearest(native, ratio)), band
        if ratio == 1:
            assert np.array_equal(enhanced[i], native), band


def test_enhanced_bands_keep_the_delivered_radiometry(sample_run, sample_dir):
    _, out = sample_run
    _, enhanced, _ = bands_of(out / "enhanced.tif")
    for i, band in enumerate(ALL12):
        native = read_band(sample_dir, band).astype(np.float64)
        ratio = 600 // native.shape[0]
        if ratio == 1:
            continue
        back = block_mean(enhanced[i].astype(np.float64), ratio)
        # Degraded back to its own grid, the enhanced band stays close to what the sensor measured
        # and adds detail (it is not a blocky copy).
        assert abs(back.mean() - native.mean()) < 0.02 * native.mean(), band
        assert np.sqrt(np.mean((back - native) ** 2)) < 0.1 * native.std() + 20, band
        assert np.abs(np.diff(enhanced[i].astype(float), axis=1)).mean() > 0, band


def test_tiled_and_untiled_inference_agree(sample_dir, tmp_path, predictor):
    aoi = parse_aoi(SMALL_AOI)
    whole = superresolve(str(sample_dir), str(tmp_path / "whole.tif"), aoi=aoi, predictor=predictor)
    tiled = superresolve(str(sample_dir), str(tmp_path / "tiled.tif"), aoi=aoi, tile_size=48, predictor=predictor)
    a, b = gdal.Open(whole.output).ReadAsArray().astype(int), gdal.Open(tiled.output).ReadAsArray().astype(int)
    assert a.shape == (12, 180, 180)
    assert np.abs(a - b).max() <= 1  # float rounding only: no seams


def test_a_replaced_output_loses_the_sidecar_of_the_file_it_replaces(sample_dir, tmp_path, predictor):
    """QGIS writes statistics and histograms into `<file>.aux.xml`; after a rerun they would describe the
    old pixels (a stretch from them) and outlive their file, so publishing an output removes them."""
    aoi = parse_aoi(SMALL_AOI)
    out, unc = tmp_path / "enhanced.tif", tmp_path / "enhanced_uncertainty.tif"
    superresolve(str(sample_dir), str(out), aoi=aoi, bands=["B05"], predictor=predictor, uncertainty_path=str(unc))
    ds = gdal.Open(str(out))
    ds.GetRasterBand(1).ComputeStatistics(False)  # as QGIS does: PAM statistics beside the file
    ds = None
    stale = tmp_path / "enhanced.tif.aux.xml"
    assert "STATISTICS_MEAN" in stale.read_text()
    (tmp_path / "enhanced_uncertainty.tif.aux.xml").write_text("<PAMDataset/>")
    superresolve(str(sample_dir), str(out), aoi=aoi, bands=["B05"], predictor=predictor, uncertainty_path=str(unc))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["enhanced.tif", "enhanced_uncertainty.tif"]
    assert gdal.Open(str(out)).GetRasterBand(1).GetMetadataItem("STATISTICS_MEAN") is None


def test_l2a_zip_is_written_on_its_own_scale(sample_dir, tmp_path, predictor):
    safe = build_safe(str(sample_dir), str(tmp_path), "L2A", offset=-1000, window=(0, 0, 180))
    on_safe = superresolve(safe, str(tmp_path / "l2a.tif"), predictor=predictor, harmonise=False)
    plain = superresolve(str(sample_dir), str(tmp_path / "plain.tif"), aoi=parse_aoi(SMALL_AOI), predictor=predictor)
    names, a, _ = bands_of(on_safe.output)
    b = gdal.Open(plain.output).ReadAsArray().astype(int)
    assert names == ALL12 and on_safe.level == "L2A"
    # Same pixels, network fed the same harmonised values: output = plain output + 1000 DN.
    assert np.array_equal(a[names.index("B02")], read_band(sample_dir, "B02")[:180, :180] + 1000)
    # The SAFE is cut at the window, the band folder has real pixels beyond it: compare away
    # from the cut edges, further than the networks' receptive field.
    m = predictor.margin(ALL12)
    inner = (slice(None), slice(0, 180 - m), slice(0, 180 - m))
    unclipped = b[inner] > 1  # values clipped at the bottom of the plain DN range cannot match
    assert np.abs(a.astype(int) - 1000 - b)[inner][unclipped].max() <= 1


def test_l1c_safe_folder_matches_band_folder(sample_dir, tmp_path, predictor):
    safe = build_safe(str(sample_dir), str(tmp_path), "L1C", offset=0, window=(0, 0, 180), zipped=False)
    a = gdal.Open(superresolve(safe, str(tmp_path / "l1c.tif"), predictor=predictor).output).ReadAsArray()
    b = gdal.Open(superresolve(str(sample_dir), str(tmp_path / "p.tif"), aoi=parse_aoi(SMALL_AOI),
                               predictor=predictor).output).ReadAsArray()
    m = predictor.margin(ALL12)
    assert np.abs(a.astype(int) - b.astype(int))[:, : 180 - m, : 180 - m].max() <= 1


def test_b10_only_when_asked_and_only_for_l1c(sample_dir, tmp_path, predictor):
    r = superresolve(str(sample_dir), str(tmp_path / "b.tif"), aoi=parse_aoi(SMALL_AOI), bands=["B12", "B10", "B05"],
                     predictor=predictor)
    names, data, _ = bands_of(r.output)
    assert names == ["B05", "B10", "B12"] and (data > 0).all()
    safe = build_safe(str(sample_dir), str(tmp_path), "L2A", offset=-1000, window=(0, 0, 60))
    with pytest.raises(InputError, match="B10 .* only in L1C"):
        superresolve(safe, str(tmp_path / "c.tif"), bands=["B10"], predictor=predictor)


def test_nodata_is_kept(sample_dir, tmp_path, predictor):
    folder = copy_band_folder(sample_dir, tmp_path / "holed")
    for name in os.listdir(folder):
        ds = gdal.Open(os.path.join(folder, name), gdal.GA_Update)
        arr = ds.ReadAsArray()
        ratio = 600 // arr.shape[0]
        arr[: 60 // ratio, : 60 // ratio] = 0  # a 600 m no-data corner in every band
        ds.GetRasterBand(1).WriteArray(arr)
        ds = None
    r = superresolve(folder, str(tmp_path / "n.tif"), aoi=parse_aoi(SMALL_AOI), predictor=predictor)
    data = gdal.Open(r.output).ReadAsArray()
    assert (data[:, :60, :60] == 0).all()
    assert (data[:, 60:, :] > 0).all() and (data[:, :, 60:] > 0).all()


def test_product_without_crs_is_written_without_one(malmo_dir, tmp_path, predictor):
    r = superresolve(str(malmo_dir), str(tmp_path / "m.tif"), aoi=parse_aoi("0,4800,1200,6000"), predictor=predictor)
    ds = gdal.Open(r.output)
    assert ds.GetProjection() == "" and ds.GetGeoTransform() == (0.0, 10.0, 0.0, 6000.0, 0.0, -10.0)
    assert (ds.RasterXSize, ds.RasterYSize, ds.RasterCount) == (120, 120, 12)


def test_cancel_leaves_no_file(sample_dir, tmp_path, predictor):
    calls = []

    def is_cancelled():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        superresolve(str(sample_dir), str(tmp_path / "x.tif"), original_path=str(tmp_path / "o.tif"), tile_size=120,
                     predictor=predictor, progress=Progress(lambda f, m: None, is_cancelled))
    assert os.listdir(tmp_path) == []


def test_output_cancelled_while_its_companions_publish_leaves_none_of_them(tmp_path):
    """The engine publishes the output while its companions (--original, --uncertainty) are published
    in another thread: if the output's copy is then cancelled, even after they are complete, none of
    the three files is left, nor a temporary one."""
    from digisat_plugin.core.io.cog import CogWriter
    from digisat_plugin.core.sr.engine import _commit

    companions = [str(tmp_path / "o.tif"), str(tmp_path / "u.tif")]

    class CancelledOnceTheyArePublished(CogWriter):
        def commit(self, progress=None):
            deadline = time.monotonic() + 60
            while not all(os.path.exists(p) for p in companions) and time.monotonic() < deadline:
                time.sleep(0.01)
            raise Cancelled()

    grid = dict(width=64, height=64, band_names=["B05"], geotransform=(0, 10, 0, 640, 0, -10), crs_wkt="")
    writers = [CancelledOnceTheyArePublished(str(tmp_path / "x.tif"), **grid)]
    writers += [CogWriter(p, **grid) for p in companions]
    for w in writers:
        w.write("B05", 0, 0, np.full((64, 64), 7, np.uint16))
    with pytest.raises(Cancelled):
        _commit(writers, Progress())
    for w in writers:
        w.abort()  # as the engine does on any failure
    assert os.listdir(tmp_path) == []


def test_consistency_option_reproduces_the_delivered_bands(sample_dir, tmp_path):
    import json
    import shutil

    from digisat_plugin.core.sr.weights import default_model_dir

    models = tmp_path / "models"
    shutil.copytree(default_model_dir(), models)
    for net in ("net20", "net60"):
        card_path = models / net / "model.json"
        card = json.loads(card_path.read_text())
        card["consistency"] = True
        card_path.write_text(json.dumps(card))
    r = superresolve(str(sample_dir), str(tmp_path / "c.tif"), aoi=parse_aoi(SMALL_AOI),
                     predictor=Predictor(str(models), device="cpu"))
    names, data, _ = bands_of(r.output)
    for band in ("B05", "B8A", "B12", "B01", "B09"):
        ratio = 6 if band in ("B01", "B09") else 2
        native = read_band(sample_dir, band)[: 180 // ratio, : 180 // ratio].astype(float)
        back = block_mean(data[names.index(band)].astype(float), ratio)
        # Averaged back to its own grid the band is what the sensor delivered, within a few DN on
        # average (three smooth back-projection rounds leave a little at sharp edges).
        err = np.abs(back - native)
        assert err.mean() < 5, band
        assert np.percentile(err, 99) < 30, band
