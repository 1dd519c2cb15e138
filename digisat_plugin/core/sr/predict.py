"""Run the trained networks over a window, tile by tile, in bounded memory.

`Predictor.run_tiles` is the one inference loop: the engine feeds it windows read from a
product on disk, `Predictor.predict` feeds it in-memory arrays (evaluation at reduced scale).
"""

from __future__ import annotations

import os

import numpy as np

from ..definitions import BANDS_10M, BANDS_20M, BANDS_60M, sort_bands
from ..errors import DigisatError
from ..io.aoi import Window
from ..io.product import read_mirrored
from .consistency import back_projection, enforce_consistency
from .guided import guided_linear, local_scale
from .nodata import fill_nodata
from .resample import upsample
from .session import device_name, providers_for
from .spec import NET20, NET60, guided_estimate, prepare_inputs, shares_lift, valid_at, window_fit, with_shares
from .threads import available, map_threads
from .tiling import plan_tiles
from .uncertainty import REACH, expected_error
from .uncertainty import features as uncertainty_features
from .weights import default_model_dir, load_net

DEFAULT_BATCH = 2


def apply_floor(y: np.ndarray, inputs: dict, spec, floor: dict, crop: int) -> np.ndarray:
    """What the guard's linear floor writes (core/quality/guard.py, `linear_floor`): per output band,
    global guided-linear (the window's slopes) plus the share `shares` of the way to y, then one round
    of back-projection onto the delivered band weighted by `consistency`.

    y: (..., H, W, n_out) on the grid of `inputs` less `crop` base pixels on each side (crop and
    the tile's core aligned to the outputs' grid; one round reaches 2 coarse pixels, within any
    network's margin)."""
    s = spec.scale
    c = crop // s
    guides = np.stack([inputs[b] for b in BANDS_10M], axis=-3)
    low = np.stack([inputs[b] for b in spec.outputs], axis=-3)
    lin = guided_linear(low, guides, s, slopes=floor["slopes"])
    if crop:
        lin, low = lin[..., crop:-crop, crop:-crop], low[..., c:-c, c:-c]
    lin = np.moveaxis(lin, -3, -1)
    out = lin + np.asarray(floor["shares"], np.float32) * (np.asarray(y, np.float32) - lin)
    weight = np.asarray(floor["consistency"], np.float32)
    if weight.any():
        out = out + weight * np.moveaxis(back_projection(np.moveaxis(out, -1, -3), low, s), -3, -1)
    return out.astype(np.float32)


def nets_for(targets) -> list:
    """The networks needed for the target bands, in the order they run."""
    return [spec for spec, group in ((NET20, BANDS_20M), (NET60, BANDS_60M)) if set(targets) & set(group)]


def writing_net(band: str):
    """The network spec that writes `band`; None for the copied 10 m bands and for B10 (cubic upsampling)."""
    return next((spec for spec in nets_for([band]) if band in spec.outputs), None)


def inputs_for(targets) -> list:
    """Every band that must be read to produce `targets`."""
    needed = set(targets)
    for spec in nets_for(targets):
        needed |= set(spec.inputs)
    return sort_bands(needed)


class Predictor:
    """The networks of a model folder, each in an ONNX Runtime session on `device` (auto, cpu or
    gpu: core/sr/session.py) with `threads` intra-op threads (default: this process's share of the
    cores, core/sr/threads.py). runtime="keras" runs the Keras weights instead: a development-only
    comparison (`make bench`), needing TensorFlow."""

    def __init__(self, model_dir: str | None = None, device: str = "auto", batch_size: int | None = None,
                 threads: int | None = None, runtime: str = "onnx"):
        self.model_dir = model_dir or default_model_dir()
        if not os.path.isdir(self.model_dir):
            raise DigisatError(f"{self.model_dir}: model folder not found")
        if runtime not in ("onnx", "keras"):
            raise ValueError(f"runtime {runtime!r}: expected onnx or keras")
        self.runtime = runtime
        self.providers = providers_for(device) if runtime == "onnx" else ["keras"]
        self.device = device_name(self.providers) if runtime == "onnx" else "cpu (TensorFlow)"
        self.threads = threads or available()
        self.batch_size = batch_size or DEFAULT_BATCH
        self._nets = {}

    def net(self, name: str):
        if name not in self._nets:
            session = None
            if self.runtime == "keras":
                from .keras_net import KerasSession, load_keras_model

                session = KerasSession(load_keras_model(self.model_dir, name))
            self._nets[name] = load_net(self.model_dir, name, self.providers, self.threads, session)
        return self._nets[name]

    def replace_net(self, name: str, loaded) -> None:
        """Use `loaded` (a LoadedNet, e.g. fine-tuned by core.train.adapt) for `name`, in memory only."""
        self._nets[name] = loaded

    def margin(self, targets) -> int:
        return max([self.net(spec.name).margin for spec in nets_for(targets)] + [12])

    def run_net(self, name: str, prepared) -> np.ndarray:
        """Prepared inputs (spec.Prepared, batched) -> (N, H, W, outputs) on the model scale."""
        y = self.net(name).session(prepared.inputs)
        return prepared.to_values(np.asarray(y, dtype=np.float32))

    def run_tiles(self, read, window, targets, ratios: dict, tile_size=None, progress=None, blur=None,
                  methods=None, priors=None, spread=False):
        """Yield (tile, outputs, natives) for every tile of `window` (with spread: (tile, outputs,
        natives, features), features: band -> (F, h, w) of core/sr/uncertainty.py for every band a
        network writes; with spread a core/sr/uncertainty.Calibration: band -> (h, w), the expected
        error it gives, on the model scale).

        read(name, row, col, height, width) -> (values, nodata) for a base-grid window (mirrored
        beyond the data) at the band's native grid; outputs: band -> base-grid array of the
        tile core for every target band (network output, or cubic upsampling for B10);
        natives: band -> (values, nodata) at native grid for the tile core of every band read.
        blur: net name -> the guides' blur per output band, estimated once for the whole window
        (spec.window_blur), so that every tile uses the same; methods: net name -> "network"
        (default), "guided" (the guided estimate alone) or, per output band, the share of the
        network's correction to add to the estimate (as the guard decides: GuardDecision.written); priors: net name
        -> the window's own fit for networks that use one (spec.centre_fit / spec.window_fit).
        """
        targets = sort_bands(targets)
        specs = nets_for(targets)
        blur, methods, priors = blur or {}, methods or {}, priors or {}
        if any(spec.name not in blur or (spec.prior and priors.get(spec.name) is None) for spec in specs):
            raise ValueError("run_tiles needs the window's blur (and prior) for every network (spec.centre_fit)")
        margin = self.margin(targets)
        shared = shares_lift(specs, blur)
        tiles = plan_tiles(window, tile_size, margin)
        bands = inputs_for(targets)
        steps = len(specs) + 1  # progress within a batch: its reading, then each network (a small AOI moves too)
        for start in range(0, len(tiles), self.batch_size):
            batch = tiles[start:start + self.batch_size]
            if progress is not None:
                progress.update(start / len(tiles), f"super-resolving tile {start + 1}/{len(tiles)}")
            reads = [{b: _filled(read(b, *t.read_window)) for b in bands} for t in batch]
            if progress is not None:
                progress.update((start + len(batch) / steps) / len(tiles))
            full = {b: np.stack([r[b][0] for r in reads]) for b in bands}
            th, tw = batch[0].height, batch[0].width  # one shape for all tiles (plan_tiles)
            cores = {}  # band -> (N, th, tw): the tile cores
            spreads = {}  # band -> (N, F, th, tw): the uncertainty features, or (N, th, tw) the expected error
            lifted = {}  # net name -> the 20 m bands' x2 estimate on its inputs' grid (shares_lift)
            # The network whose coarse guides another's estimate is runs first: its lift is the larger.
            order = sorted(specs, key=lambda sp: not shared or sp is not shared[1])
            for done, spec in enumerate(order, start=2):
                # Each network reads only its own margin: the tile's is the largest of them.
                own = self.net(spec.name).margin
                cut = margin - own
                inputs = {b: full[b][..., cut // ratios[b]:(cut + th + 2 * own) // ratios[b],
                                     cut // ratios[b]:(cut + tw + 2 * own) // ratios[b]] for b in spec.inputs}
                if shared and spec is shared[1]:
                    fine = shared[0]
                    lift = np.moveaxis(guided_estimate({b: inputs[b] for b in fine.inputs}, fine, blur[fine.name]),
                                       -1, -3)
                    lifted[spec.name] = lift
                    c = self.net(spec.name).margin - self.net(fine.name).margin
                    lifted[fine.name] = lift[..., c:lift.shape[-2] - c, c:lift.shape[-1] - c]
                y, estimate, left = self._run_one(spec, inputs, ratios, blur, methods, priors, lifted.get(spec.name))
                consistent = self.net(spec.name).card.get("consistency", False)
                for i, band in enumerate(spec.outputs):
                    # Optionally corrected so that, averaged back to its own grid, the band is
                    # what the sensor delivered (core/sr/consistency.py).
                    values = enforce_consistency(y[..., i], inputs[band], ratios[band]) if consistent else y[..., i]
                    cores[band] = values[:, left:left + th, left:left + tw]
                if spread is not False:
                    spreads.update(self._spread(spec, inputs, ratios, y, estimate, own - left, left, th, tw,
                                                None if spread is True else spread.coefficients[spec.name]))
                if progress is not None:
                    progress.update((start + len(batch) * done / steps) / len(tiles))
            for band in targets:
                if band in BANDS_10M:
                    cores[band] = full[band][:, margin:margin + th, margin:margin + tw]
                elif band not in cores:  # B10: no network, cubic upsampling
                    cores[band] = upsample(full[band], ratios[band], "cubic")[:, margin:margin + th, margin:margin + tw]
            for i, tile in enumerate(batch):
                m = margin
                outputs = {b: cores[b][i] for b in targets}
                natives = {}
                for b in bands:
                    r = ratios[b]
                    sl = (slice(m // r, (m + th) // r), slice(m // r, (m + tw) // r))
                    natives[b] = (reads[i][b][0][sl], reads[i][b][1][sl])
                if spread is not False:
                    yield tile, outputs, natives, {b: v[i] for b, v in spreads.items()}
                else:
                    yield tile, outputs, natives
        if progress is not None:
            progress.update(1.0)

    @staticmethod
    def _spread(spec, inputs, ratios, y, estimate, crop, left, th, tw, coefficients=None) -> dict:
        """band -> (N, F, th, tw) uncertainty features of a batch (with coefficients: (N, th, tw), the
        expected error they give): y and estimate hold `left` base pixels around the tile cores, the
        inputs `crop` more (their own network's margin)."""
        low = np.stack([inputs[b] for b in spec.outputs], axis=-3)
        level = local_scale(low, spec.scale)  # on the inputs' extent: its reach stays inside the margin
        s = spec.scale
        # The features need REACH base pixels around the core, and the band's cubic upsampling two of
        # its pixels more: only that part of y is used (at x6, where the estimate is written, y holds
        # the whole 96 px margin, and the features cost twice as much on it).
        k = max(left - -(-(REACH + 2 * s) // s) * s, 0)
        h, w = (d - 2 * k for d in y.shape[-3:-1])
        a, c = crop + k, left - k
        core = (Ellipsis, slice(c, c + th), slice(c, c + tw))

        def one(i):  # bands are independent: threads use the cores the networks leave idle here
            band, r = spec.outputs[i], ratios[spec.outputs[i]]
            args = (y[..., k:k + h, k:k + w, i], estimate[..., k:k + h, k:k + w, i],
                    inputs[band][..., a // r:(a + h) // r, a // r:(a + w) // r], r, level[..., i, a:a + h, a:a + w])
            return (uncertainty_features(*args)[core] if coefficients is None else
                    expected_error(*args, coefficients, core))

        return dict(zip(spec.outputs, map_threads(one, range(len(spec.outputs))), strict=True))

    def _run_one(self, spec, inputs, ratios, blur, methods, priors, lifted) -> tuple:
        """(outputs (N, H, W, n_out) on the model scale, the guided estimate on the same grid, the
        margin left around the tile core in them)
        for one network on a batch of tile inputs: its guided estimate where the guard chose it, else
        the network, run only on the part of the tile its receptive field needs (the rest of the
        margin feeds the estimate)."""
        loaded = self.net(spec.name)
        method = methods.get(spec.name, "network")
        floor = method if isinstance(method, dict) else None  # the guard's linear floor (quality/guard.py)
        if floor is not None:
            method = floor["written"]
        if method == "guided":  # no network input planes needed
            estimate = guided_estimate(inputs, spec, blur[spec.name], priors.get(spec.name), lifted)
            y, base, crop = estimate, estimate, 0
        else:
            prepared = prepare_inputs(inputs, ratios, spec, blur[spec.name], priors.get(spec.name), lifted)
            crop = loaded.margin - loaded.network_margin if loaded.network_margin else 0
            prepared = prepared.cropped(crop)
            y, base = self.run_net(spec.name, prepared), prepared.base
            if not isinstance(method, str):  # the guard's shares per band
                y = with_shares(base, y, method)
        if floor is not None:
            y = apply_floor(y, inputs, spec, floor, crop)
        return y, base, loaded.margin - crop

    def predict(self, native: dict, ratios: dict, targets, tile_size=None, progress=None, methods=None,
                spread=False, fits=None):
        """Super-resolve in-memory native-grid arrays (model scale) of one image.

        The base grid is given by the ratio-1 bands; its size must be a multiple of 6. The blur
        and prior are estimated on the whole image (pixels without data left out), unless given in
        fits (net name -> (blur, prior), e.g. a larger window's: spec.centre_fit). methods: as in run_tiles.
        Returns band -> float32 base-grid array for every target band; with spread, also band ->
        (F, H, W) uncertainty features (core/sr/uncertainty.py) for every band a network writes.
        """
        base = next(b for b in native if ratios[b] == 1)
        height, width = native[base].shape
        blur, priors = {}, {}
        for spec in nets_for(targets):
            blur[spec.name], priors[spec.name] = (fits or {}).get(spec.name) or window_fit(native, spec,
                                                                                          valid_at(native, spec))

        def read(name, row, col, h, w):
            r, arr = ratios[name], native[name]
            part = read_mirrored(lambda r0, c0, r1, c1: arr[r0:r1, c0:c1], row // r, col // r, h // r, w // r,
                                 arr.shape)
            return part.astype(np.float32), part == 0

        out = {b: np.zeros((height, width), np.float32) for b in targets}
        feats = {}
        for tile, outputs, _, *more in self.run_tiles(read, Window(0, 0, height, width), targets, ratios, tile_size,
                                                      progress, blur, methods, priors, spread):
            h = min(tile.height, height - tile.row)
            w = min(tile.width, width - tile.col)
            for b, arr in outputs.items():
                out[b][tile.row:tile.row + h, tile.col:tile.col + w] = arr[:h, :w]
            for b, arr in (more[0] if more else {}).items():
                feats.setdefault(b, np.zeros((arr.shape[0], height, width), np.float32))
                feats[b][:, tile.row:tile.row + h, tile.col:tile.col + w] = arr[:, :h, :w]
        return (out, feats) if spread else out


def _filled(read: tuple) -> tuple:
    """A read (values, no-data mask) with its no-data pixels filled from their valid neighbours
    (core/sr/nodata.py), the mask kept for the outputs."""
    values, nodata = read
    return fill_nodata(values, nodata), nodata
