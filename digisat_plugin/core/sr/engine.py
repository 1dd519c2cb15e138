"""The headless job: a Sentinel-2 product in, a 10 m Cloud Optimized GeoTIFF of all bands out.

Memory stays bounded whatever the scene size: tiles are read, super-resolved and written one
batch at a time. The CLI, the QGIS tasks and the Processing algorithms all call `superresolve`.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import astuple, dataclass, field

import numpy as np

from ..definitions import BANDS_10M, OPTIONAL_BANDS, ORDER, sort_bands
from ..errors import Cancelled, DigisatError, InputError
from ..io.aoi import Window, window_for, window_geotransform
from ..io.cog import CogWriter, check_outputs
from ..io.output_scale import OutputScale
from ..io.product import ALIGN, open_product
from ..progress import as_progress
from ..sr.resample import upsample_nearest
from .predict import Predictor, inputs_for, nets_for, writing_net
from .spec import SPECS, blur_parts, centre_fits
from .threads import beside
from .tiling import DEFAULT_TILE, align_up, plan_tiles
from .uncertainty import check_calibration, load_calibration, rounded

# Adaptation reads at most this many base pixels on a side (the window's centre): a few hundred
# steps of 16 patches see only a part of it anyway, and a whole tile would not fit in memory.
ADAPT_MAX_SIZE = 1800


@dataclass
class SuperResolveResult:
    output: str
    original: str | None
    bands: list
    width: int
    height: int
    geotransform: tuple
    crs_wkt: str
    product_id: str = ""
    date: str = ""
    level: str = ""
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)
    uncertainty: str | None = None


def default_bands(product) -> list:
    """Every band the product has, B10 (cirrus) only when asked for."""
    return [b for b in product.band_names if b not in OPTIONAL_BANDS]


@dataclass(frozen=True)
class Piece:
    """A processing window of a plan: whole rows of its tiles (the last one clipped to the scene)."""

    index: int
    count: int
    row: int  # absolute, on the base grid
    col: int
    height: int  # clipped to the scene window
    width: int
    tile_row: int  # first row of tiles, in the plan's tile grid
    tile_rows: int

    @property
    def window(self) -> Window:
        return Window(self.row, self.col, self.height, self.width)


@dataclass
class ScenePlan:
    """What `superresolve` decides once per scene, before any tile runs: the product, its window
    and bands, the blur estimate and guard decision per network (on the whole scene window), the
    output's scale and metadata, and the tile grid. Picklable: `stream_piece` can run any piece of
    it in another process or on another machine, with the same values as the whole scene."""

    input_path: str
    bands: list
    window: Window
    ratios: dict
    geotransform: tuple
    crs_wkt: str
    product_id: str
    date: str
    level: str
    harmonise: bool
    guard: bool
    blur: dict  # net -> the guides' blur per output band (numpy, as spec.window_blur returns it)
    methods: dict  # net -> "network" | "guided" | the network's share per output band (GuardDecision.written)
    decisions: dict  # net -> GuardDecision.as_dict()
    band_metadata: dict  # band -> CogWriter band items (scale/offset, how it was made)
    metadata: dict  # dataset items
    tile_size: int  # the tile core limit given to plan_tiles (aligned)
    tile_height: int  # the tile core shape plan_tiles gives on this window
    tile_width: int
    extra: dict = field(default_factory=dict)
    priors: dict = field(default_factory=dict)  # net -> the window's own fit (spec.window_fit) or None

    @property
    def width(self) -> int:
        return self.window.width

    @property
    def height(self) -> int:
        return self.window.height

    @property
    def tile_grid(self) -> tuple:
        """(rows, cols) of tiles."""
        return -(-self.window.height // self.tile_height), -(-self.window.width // self.tile_width)

    def fingerprint(self) -> str:
        """A digest of everything that decides the output values (for resuming pieces)."""
        import hashlib

        blob = json.dumps({
            "input": os.path.abspath(self.input_path), "bands": self.bands, "window": list(astuple(self.window)),
            "harmonise": self.harmonise, "guard": self.guard, "methods": self.methods,
            "blur": {k: np.asarray(v, np.float64).round(9).tolist() for k, v in sorted(self.blur.items())},
            "priors": {k: None if v is None else np.asarray(v, np.float64).round(9).tolist()
                       for k, v in sorted(self.priors.items())},
            "tile": [self.tile_size, self.tile_height, self.tile_width], "model": self.extra.get("model", ""),
            "metadata": self.metadata, "band_metadata": self.band_metadata,
        }, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def whole(self) -> Piece:
        rows, _ = self.tile_grid
        w = self.window
        return Piece(0, 1, w.row, w.col, w.height, w.width, 0, rows)

    def pieces(self, rows: int | None = None) -> list:
        """The scene cut into processing windows of about `rows` base pixels each (whole rows of
        tiles; default one piece, the whole scene)."""
        return split_pieces(self.window, self.tile_height, rows) if rows else [self.whole()]


def tile_shape(window, tile_size=None) -> tuple:
    """(height, width) of the tile cores the engine uses on `window` (core/sr/tiling.plan_tiles)."""
    t = plan_tiles(window, align_up(tile_size or DEFAULT_TILE), 0)[0]
    return t.height, t.width


def split_pieces(window, tile_height: int, rows: int) -> list:
    """`window` cut into Pieces of whole rows of tiles, about `rows` base pixels each."""
    n_rows = -(-window.height // tile_height)
    per = max(1, int(round(rows / tile_height)))
    starts = list(range(0, n_rows, per))
    out = []
    for i, t in enumerate(starts):
        k = min(per, n_rows - t)
        top = t * tile_height
        out.append(Piece(i, len(starts), window.row + top, window.col, min(k * tile_height, window.height - top),
                         window.width, t, k))
    return out


def superresolve(input_path, output_path, aoi=None, bands=None, original_path=None, model_dir=None,
                 tile_size=None, device="auto", batch_size=None, progress=None, predictor=None,
                 adapt_steps=0, harmonise=True, guard=True, uncertainty_path=None) -> SuperResolveResult:
    """Super-resolve `input_path` (band folder, SAFE folder or zip) to a 10 m COG at `output_path`.

    aoi: core.io.aoi.Aoi or None for the whole product; bands: output band names (default all
    but B10); original_path: optional companion COG of the same bands as delivered (nearest
    neighbour on the same grid). adapt_steps > 0: first fine-tune the networks for that many
    steps on the processing window itself (core/train/adapt.py; the predictor's networks are
    replaced in memory). harmonise: write DN = reflectance x 10000 whatever the product's
    offset (default), else keep the product's DN scale; either way every band carries its GDAL
    scale/offset (core/io/output_scale.py). guard: check each network on the window at reduced
    scale first and write the guided estimate where it does not win (core/quality/guard.py);
    off, the networks' output is always written. uncertainty_path: also write the expected
    absolute error of every output pixel (float32 COG, one band per output band, in the output's
    DN: core/sr/uncertainty.py). Raises DigisatError subclasses with one-line messages.

    Built from the two steps that `core.batch` runs apart: `plan_scene` (once per scene) and
    `stream_piece` (here: one piece, the whole scene).
    """
    started = time.monotonic()
    if adapt_steps < 0:
        raise InputError(f"--adapt-steps: expected 0 (off) or a positive number of steps, got {adapt_steps}")
    progress = as_progress(progress)
    check_outputs(output_path, original_path, uncertainty_path)
    if uncertainty_path:  # before the plan's minutes: a missing calibration is known now
        check_calibration(predictor.model_dir if predictor is not None else model_dir)
    progress.update(0.0, "opening product")
    product = open_product(input_path)
    try:
        predictor_given = predictor
        stream_stage = (0.4, 0.9) if adapt_steps > 0 else (0.1, 0.9)

        def adapt(predictor, window, bands):
            return _adapt(product, predictor, window, bands, adapt_steps, progress.stage(0.0, 0.3))

        plan, predictor = _plan(product, input_path, aoi, bands, model_dir, tile_size, device, batch_size,
                                predictor_given, harmonise, guard, progress.stage(stream_stage[0] - 0.1,
                                                                                 stream_stage[0]),
                                adapt if adapt_steps > 0 else None)
        calibration = load_calibration(predictor.model_dir) if uncertainty_path else None
        writers = [CogWriter(output_path, plan.width, plan.height, plan.bands, plan.geotransform, plan.crs_wkt,
                             band_metadata=plan.band_metadata, metadata=plan.metadata)]
        try:
            if original_path:
                writers.append(CogWriter(original_path, plan.width, plan.height, plan.bands, plan.geotransform,
                                         plan.crs_wkt, **original_metadata(plan)))
            if uncertainty_path:
                writers.append(uncertainty_writer(uncertainty_path, plan, calibration))
        except BaseException:
            for w in writers:
                w.abort()
            raise
        try:
            stream_piece(plan, plan.whole(), writers, predictor, progress.stage(*stream_stage), product=product,
                         calibration=calibration)
            done = _commit(writers, progress.stage(0.9, 1.0))
        except BaseException:
            for w in writers:
                w.abort()
            raise
        progress.update(1.0, "done")
        return SuperResolveResult(
            output=done[0], original=done[1] if original_path else None, uncertainty=done[-1] if uncertainty_path else None,
            bands=plan.bands, width=plan.width,
            height=plan.height, geotransform=plan.geotransform, crs_wkt=plan.crs_wkt, product_id=plan.product_id,
            date=plan.date, level=plan.level, seconds=time.monotonic() - started,
            extra=dict(_public_extra(plan), device=predictor.device),
        )
    finally:
        product.close()


def _commit(writers, progress) -> list:
    """Publish every writer (CogWriter.commit) and return their paths: the first (the output) here,
    with progress, the others meanwhile in a thread of their own. GDAL's COG copy compresses on
    every core but reads and computes the overviews on one, so two copies side by side fill the
    cores: the 3.69 MP output and its uncertainty layer took 2.6-2.8 s against 3.1-3.2 s in turn."""
    if len(writers) == 1:
        return [writers[0].commit(progress)]
    with beside() as pool:
        rest = pool.submit(lambda: [w.commit(progress.quiet()) for w in writers[1:]])
        try:
            first = writers[0].commit(progress)
        except BaseException:  # a cancelled or failed output leaves none of its companions either
            if rest.exception() is None:
                for path in rest.result():
                    with contextlib.suppress(OSError):  # the error to report is the output's
                        os.remove(path)
            raise
        return [first] + rest.result()


def plan_scene(input_path, aoi=None, bands=None, model_dir=None, tile_size=None, device="auto", batch_size=None,
               progress=None, predictor=None, harmonise=True, guard=True) -> ScenePlan:
    """Step 1 of `superresolve`: open the product, find the window and bands, estimate the blur and
    make the guard's decision per network for the whole scene window, and fix the output's scale,
    metadata and tile grid. Raises DigisatError subclasses with one-line messages."""
    progress = as_progress(progress)
    product = open_product(input_path)
    try:
        plan, _ = _plan(product, input_path, aoi, bands, model_dir, tile_size, device, batch_size, predictor,
                        harmonise, guard, progress, None)
        return plan
    finally:
        product.close()


def _plan(product, input_path, aoi, bands, model_dir, tile_size, device, batch_size, predictor, harmonise, guard,
          progress, adapt):
    bands = sort_bands(bands) if bands else default_bands(product)
    if "B10" in bands and product.level == "L2A":
        raise InputError(f"{product.path}: B10 (cirrus) exists only in L1C products")
    unknown = [b for b in bands if b not in ORDER]
    if unknown:
        raise InputError(f"--bands: unknown band {unknown[0]}")
    product.require(inputs_for(bands))
    window = window_for(product, aoi)
    predictor = predictor or Predictor(model_dir, device=device, batch_size=batch_size)
    ratios = {name: src.ratio for name, src in product.bands.items()}
    extra = {}
    if adapt is not None:
        extra["adapted"] = adapt(predictor, window, bands)
    blur, priors, decisions = _check_window(product, predictor, window, bands, guard, progress)
    extra["guard"] = {net: d.as_dict() for net, d in decisions.items()}
    extra["blur_sigma"] = {net: [round(float(v), 3) for v in blur_parts(SPECS[net], sig)[0]] for net, sig in blur.items()}
    extra["model"] = os.path.abspath(predictor.model_dir)
    scale = OutputScale(product, harmonise)
    band_metadata = scale.band_items(bands)
    for band, items in _method_items(bands, blur, decisions, guard).items():
        band_metadata[band] = dict(band_metadata.get(band, {}), **items)
    metadata = dict(scale.dataset_items(), DIGISAT_GUARD=json.dumps(extra["guard"], sort_keys=True))
    most = align_up(tile_size or DEFAULT_TILE)
    th, tw = tile_shape(window, most)
    plan = ScenePlan(
        input_path=str(input_path), bands=bands, window=window, ratios=ratios,
        geotransform=window_geotransform(product, window), crs_wkt=product.crs_wkt, product_id=product.product_id,
        date=product.date, level=product.level, harmonise=bool(harmonise), guard=bool(guard), blur=blur, priors=priors,
        methods={net: d.written() for net, d in decisions.items()}, decisions=extra["guard"],
        band_metadata=band_metadata, metadata=metadata, tile_size=most, tile_height=th, tile_width=tw,
        extra=extra)
    return plan, predictor


def _public_extra(plan) -> dict:
    return {k: v for k, v in plan.extra.items() if k != "model"}


def original_metadata(plan) -> dict:
    """CogWriter items of the original companion: the output's scale, no "how it was made"."""
    keep = ("scale", "offset", "SOURCE_SCALE", "SOURCE_OFFSET")
    return {"band_metadata": {b: {k: v for k, v in items.items() if k in keep}
                              for b, items in plan.band_metadata.items()},
            "metadata": {k: v for k, v in plan.metadata.items() if k != "DIGISAT_GUARD"}}


def piece_geotransform(plan: ScenePlan, piece: Piece) -> tuple:
    """The geotransform of `piece`'s own raster (its top-left corner on the plan's grid)."""
    gt = plan.geotransform
    return (gt[0] + (piece.col - plan.window.col) * gt[1], gt[1], 0.0,
            gt[3] + (piece.row - plan.window.row) * gt[5], 0.0, gt[5])


def uncertainty_items(plan: ScenePlan, calibration) -> dict:
    """What the uncertainty layer of `plan` says about itself: {"band_metadata": ..., "metadata": ...}
    (CogWriter / assemble_cog keywords): what each band holds, the calibration, the plan's fingerprint."""
    items = {}
    for band in plan.bands:
        output = plan.band_metadata.get(band, {})
        how = output.get("DIGISAT_METHOD", "")
        items[band] = {"DIGISAT_UNCERTAINTY": "0: copied as delivered" if band in BANDS_10M else
                       "no data: no calibration for this band" if writing_net(band) is None else
                       f"expected absolute error of: {how}"}
        if "scale" in output:
            # The output band's scale, not its offset (an error is a difference): QGIS, GDAL and rasterio
            # then show both in the same units (reflectance), while the values stay the output's DN.
            items[band]["scale"] = output["scale"]
    return {"band_metadata": items, "metadata": dict(calibration.items(), DIGISAT_FINGERPRINT=plan.fingerprint())}


def uncertainty_writer(path, plan: ScenePlan, calibration, writer=None, piece: Piece | None = None,
                       metadata: dict | None = None):
    """The uncertainty layer's writer (a CogWriter, or `writer`, e.g. core.io.cog.PartWriter): float32,
    NaN where the output has no data, the output's band names and order, what it means in its metadata
    (uncertainty_items). piece: write only that piece of the plan (core.batch), on its own grid;
    metadata: more dataset items (a piece's plan fingerprint)."""
    items = uncertainty_items(plan, calibration)
    if metadata:
        items["metadata"].update(metadata)
    width, height, gt = ((piece.width, piece.height, piece_geotransform(plan, piece)) if piece is not None
                         else (plan.width, plan.height, plan.geotransform))
    return (writer or CogWriter)(path, width, height, plan.bands, gt, plan.crs_wkt, nodata=float("nan"),
                                 dtype="float32", **items)


def assemble_uncertainty(path, parts, plan: ScenePlan, calibration, progress=None) -> str:
    """The uncertainty layer's pieces (uncertainty_writer with a piece) into one COG at `path`
    (core.io.cog.assemble_cog: temporary name, renamed when complete)."""
    from ..io.cog import assemble_cog

    return assemble_cog(path, parts, plan.width, plan.height, plan.bands, plan.geotransform, plan.crs_wkt,
                        nodata=float("nan"), progress=progress, dtype="float32", **uncertainty_items(plan, calibration))


def stream_piece(plan: ScenePlan, piece: Piece, writers, predictor=None, progress=None, product=None,
                 model_dir=None, device="auto", batch_size=None, calibration=None) -> None:
    """Step 2 of `superresolve`: run the tiles of one piece of `plan` and write them.

    writers: the output (and optionally the original companion) with `write(band, row, col,
    data)`, rows and columns counted from the piece's top-left corner (the whole scene's window
    for `plan.whole()`); each crops what falls outside it. The tiles are those of the whole
    scene's grid and the blur and guard decisions those of the plan, so the pixels are the same
    whatever the split. calibration (core/sr/uncertainty.Calibration): the last writer is the
    uncertainty layer's (`uncertainty_writer`).
    """
    progress = as_progress(progress)
    own = product is None
    product = product or open_product(plan.input_path)
    try:
        predictor = predictor or Predictor(model_dir, device=device, batch_size=batch_size)
        scale = OutputScale(product, plan.harmonise)
        _stream(product, predictor, plan, piece, writers, progress, scale, calibration)
    finally:
        if own:
            product.close()


def central_part(window, size: int):
    """The centre of `window`, at most size x size base pixels, aligned to 6 (one 60 m pixel)."""
    h, w = min(window.height, size), min(window.width, size)
    row = window.row + (window.height - h) // 2 // ALIGN * ALIGN
    col = window.col + (window.width - w) // 2 // ALIGN * ALIGN
    return Window(row, col, h, w)


def _adapt(product, predictor, window, bands, steps, progress) -> dict:
    """Fine-tune the networks the output needs on the processing window (no labels: Wald pairs)."""
    from ..train.adapt import adapt_predictor, scene_from_product

    specs = nets_for(bands)
    if not specs:
        return {}
    progress.update(0.0, "reading the area for adaptation")
    needed = sort_bands({b for spec in specs for b in spec.inputs})
    scene = scene_from_product(product, central_part(window, ADAPT_MAX_SIZE), needed,
                               name=product.product_id or product.path)
    return adapt_predictor(predictor, scene, steps, nets=[spec.name for spec in specs], progress=progress)


def _check_window(product, predictor, window, bands, guard, progress):
    """The window's blur and prior (spec.centre_fit) per network and, with the guard, its decision per network.

    Both look at the centre of the window (at most guard.MAX_SIZE a side), read once.
    """
    from ..quality.guard import MAX_SIZE, GuardDecision, check

    specs = nets_for(bands)
    if not specs:
        return {}, {}, {}
    progress.update(0.0, "checking the networks on this area" if guard else "estimating the bands' blur")
    part = central_part(window, MAX_SIZE)
    native, ratios = {}, {}
    for band in sort_bands({b for spec in specs for b in spec.inputs}):
        values, missing = product.read(band, part.row, part.col, part.height, part.width)
        # no data stays 0 here: the check's and the fits' masks (spec.valid_at, guided.linear_slopes) leave
        # it out by that value; only the tiles' inputs are filled (sr/nodata.py)
        native[band], ratios[band] = np.where(missing, 0.0, values).astype(np.float32), product.bands[band].ratio
    with beside() as pool:
        # Each network's check starts as soon as its blur is known and runs beside the next fit
        # (net20's beside net60's, which waits for net20's blur): the two are independent, and
        # most of either is numpy or ONNX Runtime work that releases the GIL.
        checks = {}

        def start_check(spec, fit):
            checks[spec.name] = pool.submit(check, predictor, native, ratios, spec.name, fit[0], fit[1])

        fits = centre_fits(native, specs, on_fit=start_check if guard else None)
        blur, priors = {k: f[0] for k, f in fits.items()}, {k: f[1] for k, f in fits.items()}
        decisions = {}
        for i, spec in enumerate(specs):
            progress.update(i / len(specs))
            if guard:
                decisions[spec.name] = checks[spec.name].result()
            else:
                decisions[spec.name] = GuardDecision(spec.name, "network", None, why="guard turned off")
            progress.update((i + 1) / len(specs), decisions[spec.name].line())
    return blur, priors, decisions


def _method_items(bands, blur, decisions, guard) -> dict:
    """Band metadata saying how each band was made (GDAL metadata items, read by gdalinfo and QGIS)."""
    items = {}
    for band in bands:
        if band in BANDS_10M:
            items[band] = {"DIGISAT_METHOD": "copied (native 10 m band)"}
            continue
        spec = writing_net(band)
        if spec is None:
            items[band] = {"DIGISAT_METHOD": "cubic upsampling (no network for this band)"}
            continue
        d = decisions[spec.name]
        items[band] = {"DIGISAT_METHOD": d.band_method(band),
                       "DIGISAT_GUARD": ("off" if not guard else
                                         f"network/guided RMSE {d.ratio:.3f} at reduced scale" if d.ratio is not None
                                         else d.why),
                       "DIGISAT_BLUR_SIGMA": f"{blur[spec.name][spec.outputs.index(band)]:.3f} base pixels"}
    return items


def _piece_runs(plan: ScenePlan, piece: Piece) -> list:
    """(window, tile limit) calls of run_tiles that give exactly the plan's tiles of `piece`.

    One call for the piece when plan_tiles on it gives the same tiles as the whole scene's grid
    (the whole scene always does), else one call per row of tiles (a single row always does).
    """
    w = plan.window
    top = w.row + piece.tile_row * plan.tile_height
    whole = Window(w.row, w.col, w.height, w.width)
    expected = [t for t in plan_tiles(whole, plan.tile_size, 0)
                if top <= t.row < top + piece.tile_rows * plan.tile_height]
    block = Window(top, w.col, piece.tile_rows * plan.tile_height, w.width)
    if piece.tile_rows == plan.tile_grid[0] and piece.tile_row == 0:
        return [(whole, plan.tile_size)]
    if plan_tiles(block, plan.tile_size, 0) == expected:
        return [(block, plan.tile_size)]
    return [(Window(top + i * plan.tile_height, w.col, plan.tile_height, w.width), plan.tile_size)
            for i in range(piece.tile_rows)]


def _stream(product, predictor, plan, piece, writers, progress, scale, calibration=None):
    def read(name, row, col, height, width):
        return product.read(name, row, col, height, width)

    bands, ratios = plan.bands, plan.ratios
    spread_writer = writers[-1] if calibration is not None else None
    writers = writers[:-1] if calibration is not None else writers
    runs = _piece_runs(plan, piece)
    for k, (window, most) in enumerate(runs):
        stage = progress.stage(k / len(runs), (k + 1) / len(runs))
        for tile, outputs, natives, *spread in predictor.run_tiles(read, window, bands, ratios, most, stage,
                                                                   plan.blur, plan.methods, plan.priors,
                                                                   spread=calibration or False):
            row, col = tile.row - piece.row, tile.col - piece.col
            masks = {band: upsample_nearest(natives[band][1], ratios[band]) for band in bands}  # no data
            if calibration is not None:
                _write_spread(spread_writer, scale, bands, masks, spread[0], row, col)
            for band in bands:
                mask = masks[band]
                if band in BANDS_10M:
                    dn = product.bands[band].read_dn(tile.row, tile.col, tile.height, tile.width)
                    writers[0].write(band, row, col, scale.from_dn(band, dn))  # 10 m bands: copied, on the output scale
                else:
                    writers[0].write(band, row, col, scale.from_model(band, outputs[band], mask))
                if len(writers) > 1:
                    r = ratios[band]
                    original = product.bands[band].read_dn(tile.row // r, tile.col // r, tile.height // r,
                                                           tile.width // r)
                    writers[1].write(band, row, col, upsample_nearest(scale.from_dn(band, original), ratios[band]))


def _write_spread(writer, scale, bands, masks, errors, row, col) -> None:
    """One tile of the uncertainty layer: 0 on the copied 10 m bands, the calibrated expected error
    (in the output's DN) on the bands a network writes, NaN where the output has no data (`masks`,
    band -> base grid) or no calibration (B10)."""
    for band in bands:
        mask = masks[band]
        spec = writing_net(band)
        if band in BANDS_10M:
            values = np.zeros(mask.shape, np.float32)
        elif spec is None:
            values = np.full(mask.shape, np.nan, np.float32)
        else:  # an error in model units (reflectance x 10000) is one in output DN over the DN's gain
            values = rounded(errors[band] / scale.radiometry(band).gain)
        values[mask] = np.nan  # each a new float32 array
        writer.write(band, row, col, values)


__all__ = ["superresolve", "plan_scene", "stream_piece", "uncertainty_writer", "assemble_uncertainty", "ScenePlan", "Piece", "SuperResolveResult", "Cancelled",
           "DigisatError"]
