"""The shipped training recipe per network, and training -> weights + model card (the caller adds
the held-out evaluation: cli/train.py)."""

from __future__ import annotations

import time

import numpy as np

from ..sr.spec import INPUT_UNITS, SPECS
from .splits import regions
from .trainer import TrainConfig, Trainer

ARCH = {"arch": "dsen2", "blocks": 4, "filters": 48, "fold": 1, "zero_mean": True}


def net20_recipe() -> TrainConfig:
    # The correction averages to zero over 6 x 6 base pixels (3 x 3 coarse ones, core/sr/model.py);
    # patches of 30 are whole blocks.
    return TrainConfig(net="net20", arch=dict(ARCH, zero_mean_block=6), steps=STEPS["net20"], batch=16, patch=30,
                       lr=1e-3)


def net60_recipe() -> TrainConfig:
    # 18 x 18 patches at x6 (three 360 m pixels a side). The BigEarthNet L2A patches are too small
    # at x6 (trainer.build_pairs), so net60 learns from Virginia and Malmö.
    return TrainConfig(net="net60", arch=dict(ARCH), steps=STEPS["net60"], batch=16, patch=18, lr=1e-3)


STEPS = {"net20": 4000, "net60": 4000}


RECIPES = {"net20": net20_recipe, "net60": net60_recipe}


def parameter_count(model) -> int:
    return int(sum(np.prod(w.shape) for w in model.weights))


def train_and_save(config: TrainConfig, work_dir: str, out_dir: str, hardware: str, evaluate=None,
                   log=print) -> dict:
    """Train (resuming from work_dir), write the weights and the model card to out_dir.

    evaluate(out_dir, net) -> dict: the caller's held-out evaluation of the network as saved
    (core.quality.report.evaluate_saved for `digisat train`), written into the card; None: none.
    """
    from ..sr.keras_net import save_net

    trainer = Trainer(config, work_dir, log=log)
    trainer.restore()
    result = trainer.run()
    card = {
        "arch": config.arch,
        "parameters": parameter_count(trainer.model),
        "input_units": INPUT_UNITS,
        "input_scaling": "every channel divided by a smooth local mean of its band on the outputs' coarse grid, "
                         "minus 1 (core/sr/spec.py); 20 m/60 m inputs upsampled bilinearly (pixel areas "
                         "aligned); the output bands' channels hold the local guided-linear estimate with "
                         "the guides blurred as estimated from the data (core/sr/guided.py)"
                         + ("; the 20 m bands guide it too, each first brought to 10 m by its own x2 "
                            "estimate" if SPECS[config.net].coarse_guides else "")
                         + "; the network's correction has zero mean over every low-resolution pixel",
        "consistency": False,
        "training": {
            "data": result["trained_on"],
            # the blur (base pixels) of each output band over the training pairs: the guard keeps
            # the network within it (core/quality/guard.py, BLUR_RANGE_NETS)
            "blur_range": result["blur_range"],
            "validation": result["validated_on"],
            "held_out": [r.name for r in regions("test")],
            "degradations": list(config.protocols),
            "patch": config.patch, "batch": config.batch, "steps": result["steps"],
            "loss": "L1", "optimizer": "Adam", "lr": config.lr, "lr_schedule": "warm-up then cosine",
            "lr_min": config.lr_min, "seed": config.seed, "augmentation": "flips and 90-degree rotations",
            "seconds": result["seconds"], "hardware": hardware,
            "final_train_l1": round(float(np.mean(result["losses"][-200:])), 6) if result["losses"] else None,
            "validation_l1": None if np.isnan(result["validation_l1"]) else round(result["validation_l1"], 6),
        },
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    save_net(trainer.model, out_dir, config.net, card)
    if evaluate is not None:
        card["evaluation"] = evaluate(out_dir, config.net)
        save_net(trainer.model, out_dir, config.net, card)
    return card

