"""The engine in two steps (core/sr/engine.py): `plan_scene` once per scene, then `stream_piece` per
processing window into its own GTiff, assembled into a COG (core/io/cog.py). On the bundled sample
with the shipped networks, the split gives exactly the pixels and metadata of `superresolve`,
whatever the split, and `superresolve` itself is the plan plus one piece."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from osgeo import gdal

from digisat_plugin.core.io.cog import PartWriter, assemble_cog
from digisat_plugin.core.sr.engine import Piece, plan_scene, split_pieces, stream_piece, superresolve, tile_shape
from digisat_plugin.core.sr.predict import Predictor
from digisat_plugin.core.sr.tiling import plan_tiles

gdal.UseExceptions()

TILE = 96  # on the 600 x 600 px sample: 7 x 7 tiles of 90 px, the last row and column clipped to 60 px


@pytest.fixture(scope="module")
def predictor():
    return Predictor(device="cpu")


@pytest.fixture(scope="module")
def whole(sample_dir, tmp_path_factory, predictor):
    out = tmp_path_factory.mktemp("whole") / "enhanced.tif"
    result = superresolve(str(sample_dir), str(out), tile_size=TILE, predictor=predictor)
    return result, out


def describe(path):
    ds = gdal.Open(str(path))
    bands = [ds.GetRasterBand(i + 1) for i in range(ds.RasterCount)]
    return {"size": (ds.RasterXSize, ds.RasterYSize), "gt": ds.GetGeoTransform(), "srs": ds.GetProjection(),
            "meta": ds.GetMetadata(), "layout": ds.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"),
            "bands": [(b.GetDescription(), b.GetNoDataValue(), b.GetScale(), b.GetOffset(), b.GetMetadata())
                      for b in bands]}


def split_run(sample_dir, predictor, out_dir, rows):
    plan = pickle.loads(pickle.dumps(plan_scene(str(sample_dir), tile_size=TILE, predictor=predictor)))
    pieces = plan.pieces(rows)
    parts = []
    for piece in reversed(pieces):  # any order
        gt = plan.geotransform
        piece_gt = (gt[0], gt[1], 0.0, gt[3] + (piece.row - plan.window.row) * gt[5], 0.0, gt[5])
        path = out_dir / f"piece{piece.index}.tif"
        writer = PartWriter(str(path), piece.width, piece.height, plan.bands, piece_gt, plan.crs_wkt)
        stream_piece(plan, piece, [writer], predictor)
        writer.commit()
        parts.append(str(path))
    out = out_dir / "assembled.tif"
    assemble_cog(str(out), parts, plan.width, plan.height, plan.bands, plan.geotransform, plan.crs_wkt,
                 band_metadata=plan.band_metadata, metadata=plan.metadata)
    return plan, pieces, out


@pytest.mark.parametrize("rows", [200, 90])
def test_split_equals_unsplit_exactly(sample_dir, predictor, whole, tmp_path, rows):
    result, reference = whole
    plan, pieces, out = split_run(sample_dir, predictor, tmp_path, rows)
    # 200 rows: 3 pieces of 2 tile rows and a last one of 1 (clipped); 90: one tile row each (7 tiles,
    # so the networks' batches of 2 pair other tiles than in the unsplit run)
    assert [p.tile_rows for p in pieces] == ([2, 2, 2, 1] if rows == 200 else [1] * 7)
    assert pieces[-1].height == 60 and sum(p.height for p in pieces) == 600
    got, expected = gdal.Open(str(out)).ReadAsArray(), gdal.Open(str(reference)).ReadAsArray()
    assert got.shape == expected.shape == (12, 600, 600)
    assert np.array_equal(got, expected)
    assert (got[4] > 0).all()  # B05 written everywhere (not no-data where no piece was)
    assert describe(out) == describe(reference)
    assert describe(out)["layout"] == "COG"
    assert plan.extra["guard"] == result.extra["guard"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["assembled.tif"] + [f"piece{i}.tif" for i in range(len(pieces))])  # no temporaries left


def test_pieces_are_whole_rows_of_the_scenes_tiles(sample_dir, predictor):
    plan = plan_scene(str(sample_dir), tile_size=TILE, predictor=predictor)
    assert (plan.tile_height, plan.tile_width) == tile_shape(plan.window, TILE) == (90, 90)
    assert plan.pieces() == [plan.whole()] and plan.whole() == Piece(0, 1, 0, 0, 600, 600, 0, 7)
    grid = plan_tiles(plan.window, TILE, 0)
    for rows in (1, 90, 135, 200, 400, 600, 5000):
        pieces = split_pieces(plan.window, plan.tile_height, rows)
        assert pieces[0].row == 0 and all(a.row + a.height == b.row for a, b in zip(pieces, pieces[1:], strict=False))
        assert pieces[-1].row + pieces[-1].height == 600
        assert sum(p.tile_rows for p in pieces) == 7 and all(p.count == len(pieces) for p in pieces)
        covered = [t for p in pieces for t in grid if p.row <= t.row < p.row + p.tile_rows * plan.tile_height]
        assert covered == grid  # every tile of the scene's grid once


def test_plan_is_decided_on_the_whole_scene_not_the_piece(sample_dir, predictor, tmp_path):
    plan = plan_scene(str(sample_dir), tile_size=TILE, predictor=predictor)
    assert set(plan.methods) == {"net20", "net60"} and set(plan.blur) == {"net20", "net60"}
    assert plan.fingerprint() == plan_scene(str(sample_dir), tile_size=TILE, predictor=predictor).fingerprint()
    assert plan.fingerprint() != plan_scene(str(sample_dir), tile_size=TILE, predictor=predictor,
                                            guard=False).fingerprint()
    assert plan.fingerprint() != plan_scene(str(sample_dir), tile_size=120, predictor=predictor).fingerprint()
