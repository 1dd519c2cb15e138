"""Scene-adaptive fine-tuning: a few hundred steps of the Wald-protocol training on the user's own
area before inference, no labels needed.

The area's bands are degraded by each network's scale and the shipped network is fine-tuned to
restore them (core/train/trainer.py, the same loop, patches, augmentation and L1 loss as the
shipped training, at a small learning rate). The adapted copies replace the networks of a
Predictor in memory only; model_weights/ is never written. A network whose scale is too large
for the area (no training patch fits after degrading) is left as shipped. Whether this helps, and
by how much, is measured by scripts/adapt_gain.py (docs/models.md, "Scene-adaptive fine-tuning").
"""

from __future__ import annotations

import dataclasses
import tempfile
import time

import numpy as np

from ..definitions import PROTOCOLS
from ..errors import InputError
from ..sr.keras_net import load_keras_model, onnx_model, require_tensorflow
from ..sr.session import NetSession
from ..sr.spec import SPECS
from ..wald import RegionArrays
from .dataset import make_pairs
from .trainer import TrainConfig, Trainer

ADAPT_LR = 1e-4
ADAPT_BATCH = 16
PATCH = {"net20": 30, "net60": 18}  # as the shipped recipes (core/train/recipe.py)


def scene_from_product(product, window, bands, name: str = "") -> RegionArrays:
    """The `bands` of an open product inside a base-grid window (aligned to 6) as RegionArrays."""
    native, ratios = {}, {}
    nodata = np.zeros((window.height, window.width), bool)
    for band in bands:
        values, missing = product.read(band, window.row, window.col, window.height, window.width)
        r = product.bands[band].ratio
        native[band], ratios[band] = values, r
        nodata |= np.repeat(np.repeat(missing, r, 0), r, 1)
    return RegionArrays(name or product.path, native, ratios, nodata)


def pairs_l1(model, pairs) -> float:
    """Mean absolute error (normalised units) of `model` over the valid pixels of whole pairs."""
    errors, counts = 0.0, 0
    for pair in pairs:
        y = np.asarray(model.predict_on_batch(pair.inputs[None]))[0]
        diff = np.abs(y - pair.target)[pair.valid]
        errors += float(diff.sum())
        counts += diff.size
    return errors / max(counts, 1)


def scene_pairs(scene: RegionArrays, name: str, protocols=PROTOCOLS) -> list:
    """The Wald pairs of `scene` for network `name` that hold at least one training patch."""
    out = []
    for protocol in protocols:
        try:
            pair = make_pairs(scene, SPECS[name], protocol)
        except InputError:
            continue  # smaller than one degraded 60 m cell at this scale
        if min(pair.valid.shape) >= PATCH[name]:
            out.append(pair)
    return out


def adapt_predictor(predictor, scene: RegionArrays, steps: int, nets=("net20", "net60"), seed: int = 0,
                    lr: float = ADAPT_LR, protocols=PROTOCOLS, progress=None, measure: bool = False,
                    log=None) -> dict:
    """Fine-tune the networks `nets` of `predictor` on `scene` for `steps` steps each and install
    the adapted copies in `predictor` (memory only).

    Returns {net: {"steps", "seconds", "loss_before", "loss_after"} or {"skipped": why}};
    the losses (mean L1 on the scene's whole pairs) only with measure=True. Raises Cancelled
    from `progress`, leaving the predictor's networks as they were.
    """
    if steps <= 0:
        return {}
    require_tensorflow("--adapt-steps (fine-tuning on the area)")
    report, adapted = {}, {}
    for i, name in enumerate(nets):
        stage = progress.stage(i / len(nets), (i + 1) / len(nets)) if progress is not None else None
        pairs = scene_pairs(scene, name, protocols)
        if not pairs:
            report[name] = {"skipped": f"area smaller than a {PATCH[name]}-pixel patch after degrading "
                                       f"by {SPECS[name].scale}"}
            continue
        loaded = predictor.net(name)
        shipped = load_keras_model(predictor.model_dir, name)
        started = time.monotonic()
        try:
            model = _fine_tune(loaded, shipped, pairs, steps, seed, lr, protocols, stage, log)
        except InputError as exc:  # e.g. only water or no-data: no acceptable patch
            report[name] = {"skipped": str(exc)}
            continue
        entry = {"steps": steps, "seconds": round(time.monotonic() - started, 1)}
        if measure:
            entry["loss_before"] = pairs_l1(shipped, pairs)
            entry["loss_after"] = pairs_l1(model, pairs)
        card = dict(loaded.card, adapted={"steps": steps, "lr": lr, "scene": scene.name, "seed": seed})
        # run like the shipped network: its ONNX graph, in memory, with the predictor's providers
        graph = onnx_model(model, loaded.card["arch"], SPECS[name]).SerializeToString()
        adapted[name] = dataclasses.replace(loaded, session=NetSession(graph, predictor.providers, predictor.threads),
                                            card=card)
        report[name] = entry
    for name, net in adapted.items():  # only once every network is done: a cancel changes nothing
        predictor.replace_net(name, net)
    return report


def _fine_tune(loaded, shipped, pairs, steps, seed, lr, protocols, progress, log):
    config = TrainConfig(net=loaded.name, arch=loaded.card["arch"], steps=steps, batch=ADAPT_BATCH,
                         patch=PATCH[loaded.name], lr=lr, lr_min=lr / 10, warmup=min(20, max(steps // 10, 1)),
                         seed=seed, protocols=tuple(protocols), checkpoint_every=steps)

    def should_stop():  # called after every step: progress, and Cancelled from the user
        if progress is not None:
            progress.update(trainer.step.numpy() / steps, f"adapting {loaded.name} to the area")
        return False

    with tempfile.TemporaryDirectory(prefix="digisat-adapt-") as work_dir:  # the loop's checkpoints
        trainer = Trainer(config, work_dir, log=log or (lambda line: None), pairs=pairs, val_pairs=[])
        trainer.model.set_weights(shipped.get_weights())
        trainer.run(progress_every=max(steps // 4, 1), should_stop=should_stop)
    return trainer.model
