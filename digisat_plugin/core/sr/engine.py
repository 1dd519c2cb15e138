"""The headless job: a Sentinel-2 product in, a 10 m Cloud Optimized GeoTIFF of all bands out.

Memory stays bounded whatever the scene size: tiles are read, super-resolved and written one
batch at a time. The CLI, the QGIS tasks and the Processing algorithms all call `superresolve`.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

import numpy as np

from ..definitions import BANDS_10M, OPTIONAL_BANDS, ORDER, sort_bands
from ..errors import Cancelled, DigisatError, InputError, OutputError
from ..io.aoi import Window, window_for, window_geotransform
from ..io.cog import CogWriter, check_writable
from ..io.output_scale import OutputScale
from ..io.product import ALIGN, open_product
from ..progress import as_progress
from ..sr.resample import upsample_nearest
from .predict import Predictor, inputs_for, nets_for, valid_at
from .spec import window_blur

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


def default_bands(product) -> list:
    """Every band the product has, B10 (cirrus) only when asked for."""
    return [b for b in product.band_names if b not in OPTIONAL_BANDS]


def superresolve(input_path, output_path, aoi=None, bands=None, original_path=None, model_dir=None,
                 tile_size=None, device="auto", batch_size=None, progress=None, predictor=None,
                 adapt_steps=0, harmonise=True, guard=True) -> SuperResolveResult:
    """Super-resolve `input_path` (band folder, SAFE folder or zip) to a 10 m COG at `output_path`.

    aoi: core.io.aoi.Aoi or None for the whole product; bands: output band names (default all
    but B10); original_path: optional companion COG of the same bands as delivered (nearest
    neighbour on the same grid). adapt_steps > 0: first fine-tune the networks for that many
    steps on the processing window itself (core/train/adapt.py; the predictor's networks are
    replaced in memory). harmonise: write DN = reflectance x 10000 whatever the product's
    offset (default), else keep the product's DN scale; either way every band carries its GDAL
    scale/offset (core/io/output_scale.py). guard: check each network on the window at reduced
    scale first and write the guided estimate where it does not win (core/quality/guard.py);
    off, the networks' output is always written. Raises DigisatError subclasses with one-line
    messages.
    """
    started = time.monotonic()
    extra = {}
    if adapt_steps < 0:
        raise InputError(f"--adapt-steps: expected 0 (off) or a positive number of steps, got {adapt_steps}")
    progress = as_progress(progress)
    check_writable(output_path)
    if original_path:
        if os.path.abspath(original_path) == os.path.abspath(output_path):
            raise OutputError(f"{original_path}: the original companion must not be the output file")
        check_writable(original_path)
    progress.update(0.0, "opening product")
    product = open_product(input_path)
    try:
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
        gt = window_geotransform(product, window)
        stream_stage = (0.1, 0.9)
        if adapt_steps > 0:
            stream_stage = (0.4, 0.9)
            extra["adapted"] = _adapt(product, predictor, window, bands, adapt_steps, progress.stage(0.0, 0.3))
        blur, decisions = _check_window(product, predictor, window, bands, guard,
                                        progress.stage(stream_stage[0] - 0.1, stream_stage[0]))
        methods = {net: d.method for net, d in decisions.items()}
        extra["guard"] = {net: d.as_dict() for net, d in decisions.items()}
        extra["blur_sigma"] = {net: [round(float(v), 3) for v in sig] for net, sig in blur.items()}
        scale = OutputScale(product, harmonise)
        meta = {"band_metadata": scale.band_items(bands), "metadata": scale.dataset_items()}
        writers = [CogWriter(output_path, window.width, window.height, bands, gt, product.crs_wkt, **meta)]
        for band, items in _method_items(bands, blur, decisions, guard).items():
            writers[0].set_metadata(items, band=band)
        writers[0].set_metadata({"DIGISAT_GUARD": json.dumps(extra["guard"], sort_keys=True)})
        if original_path:
            writers.append(CogWriter(original_path, window.width, window.height, bands, gt, product.crs_wkt, **meta))
        try:
            _stream(product, predictor, window, bands, ratios, writers, tile_size, progress.stage(*stream_stage),
                    scale, blur, methods)
            done = [w.commit(progress.stage(0.9 + 0.1 * i / len(writers), 0.9 + 0.1 * (i + 1) / len(writers)))
                    for i, w in enumerate(writers)]
        except BaseException:
            for w in writers:
                w.abort()
            raise
        progress.update(1.0, "done")
        return SuperResolveResult(
            output=done[0], original=done[1] if original_path else None, bands=bands, width=window.width,
            height=window.height, geotransform=gt, crs_wkt=product.crs_wkt, product_id=product.product_id,
            date=product.date, level=product.level, seconds=time.monotonic() - started,
            extra=dict(extra, device=predictor.device),
        )
    finally:
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
    """The window's blur estimate per network and, with the guard, its decision per network.

    Both look at the centre of the window (at most guard.MAX_SIZE a side), read once.
    """
    from ..quality.guard import MAX_SIZE, GuardDecision, check

    specs = nets_for(bands)
    if not specs:
        return {}, {}
    progress.update(0.0, "checking the networks on this area" if guard else "estimating the bands' blur")
    part = central_part(window, MAX_SIZE)
    native, ratios = {}, {}
    for band in sort_bands({b for spec in specs for b in spec.inputs}):
        values, missing = product.read(band, part.row, part.col, part.height, part.width)
        native[band], ratios[band] = np.where(missing, 0.0, values).astype(np.float32), product.bands[band].ratio
    blur = {spec.name: window_blur(native, spec, valid_at(native, spec)) for spec in specs}
    decisions = {}
    for i, spec in enumerate(specs):
        progress.update(i / len(specs))
        if guard:
            decisions[spec.name] = check(predictor, native, ratios, spec.name)
        else:
            decisions[spec.name] = GuardDecision(spec.name, "network", None, why="guard turned off")
        progress.update((i + 1) / len(specs), decisions[spec.name].line())
    return blur, decisions


def _method_items(bands, blur, decisions, guard) -> dict:
    """Band metadata saying how each band was made (GDAL metadata items, read by gdalinfo and QGIS)."""
    items = {}
    for band in bands:
        if band in BANDS_10M:
            items[band] = {"DIGISAT_METHOD": "copied (native 10 m band)"}
            continue
        spec = next((sp for sp in nets_for([band]) if band in sp.outputs), None)
        if spec is None:
            items[band] = {"DIGISAT_METHOD": "cubic upsampling (no network for this band)"}
            continue
        d = decisions[spec.name]
        method = f"network {spec.name}" if d.method == "network" else "guided estimate (guard fallback)"
        items[band] = {"DIGISAT_METHOD": method,
                       "DIGISAT_GUARD": ("off" if not guard else
                                         f"network/guided RMSE {d.ratio:.3f} at reduced scale" if d.ratio is not None
                                         else d.why),
                       "DIGISAT_BLUR_SIGMA": f"{blur[spec.name][spec.outputs.index(band)]:.3f} base pixels"}
    return items


def _stream(product, predictor, window, bands, ratios, writers, tile_size, progress, scale, blur, methods):
    def read(name, row, col, height, width):
        return product.read(name, row, col, height, width)

    for tile, outputs, natives in predictor.run_tiles(read, window, bands, ratios, tile_size, progress, blur,
                                                      methods):
        row, col = tile.row - window.row, tile.col - window.col
        for band in bands:
            values, nodata = natives[band]
            mask = upsample_nearest(nodata, ratios[band])
            if band in BANDS_10M:
                dn = product.bands[band].read_dn(tile.row, tile.col, tile.height, tile.width)
                writers[0].write(band, row, col, scale.from_dn(band, dn))  # 10 m bands: copied, on the output scale
            else:
                writers[0].write(band, row, col, scale.from_model(band, outputs[band], mask))
            if len(writers) > 1:
                r = ratios[band]
                original = product.bands[band].read_dn(tile.row // r, tile.col // r, tile.height // r, tile.width // r)
                writers[1].write(band, row, col, upsample_nearest(scale.from_dn(band, original), ratios[band]))


__all__ = ["superresolve", "SuperResolveResult", "Cancelled", "DigisatError"]
