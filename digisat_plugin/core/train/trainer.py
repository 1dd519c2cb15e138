"""Training loop: L1 loss, Adam with a cosine learning-rate schedule, fixed seeds, a fixed number
of steps, checkpoints that resume, and a progress line with an ETA.

Reproducible by construction: the patches of step i come from a generator seeded with
(seed, i), so a resumed run draws the same patches as an uninterrupted one.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ..definitions import GUARD_PROTOCOLS, PROTOCOLS
from ..errors import InputError
from ..sr.spec import SPECS
from ..wald import MIN_LOW_PIXELS, degraded_scene, load_region
from .augment import augment_pair
from .dataset import blur_range, make_pairs
from .sampler import PatchSampler
from .splits import regions, without_fold


@dataclass
class TrainConfig:
    net: str = "net20"
    arch: dict = field(default_factory=lambda: {"arch": "dsen2", "blocks": 4, "filters": 48, "fold": 1})
    steps: int = 3000
    batch: int = 16
    patch: int = 32  # at reduced scale
    lr: float = 1e-3
    lr_min: float = 2e-5
    warmup: int = 100
    seed: int = 1234
    protocols: tuple = PROTOCOLS  # both degradations, mixed
    checkpoint_every: int = 250
    split: str = "train"
    holdout: str = ""  # a leave-scene-out fold (splits.FOLDS): train on every scene outside it, no validation

    def lr_at(self, step: int) -> float:
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        t = (step - self.warmup) / max(1, self.steps - self.warmup)
        return self.lr_min + 0.5 * (self.lr - self.lr_min) * (1 + math.cos(math.pi * min(t, 1.0)))


def build_pairs(spec, split, protocols) -> list:
    """Training pairs of every region of a split name ("train", "val", "test") or of a list of regions.

    A scene is used only where the bands to restore are at least MIN_LOW_PIXELS a side after
    degrading, the rule evaluation applies (core/wald.py): at x6 a 120 x 120 patch
    leaves 3 x 3 coarse pixels, where the guided estimate is all edge effects, not detail.

    Each degraded scene that is still that large also gives a pair degraded once more by the
    guard's protocol: the guard (core/quality/guard.py) checks the networks on the user's window
    degraded once, and when the user's data were themselves degraded (a Wald evaluation) that
    input is blurred twice. Without these pairs the networks, which read each band's blur
    (spec.prepare_inputs), met blurs there that no pair had, and the guard rejected 12 of 13
    held-out patches on which the network was in truth 19-34 % better (docs/models.md).
    """
    out = []
    for region in regions(split) if isinstance(split, str) else split:
        scene = load_region(region)
        if min(scene.shape) < MIN_LOW_PIXELS * spec.scale * spec.scale:
            continue
        for protocol in protocols:
            try:
                out.append(make_pairs(scene, spec, protocol))
            except InputError:
                continue  # too small for this scale (wald.crop)
            once = degraded_scene(scene, spec.scale, protocol)
            if min(once.shape) >= MIN_LOW_PIXELS * spec.scale * spec.scale:
                out += [make_pairs(once, spec, p) for p in GUARD_PROTOCOLS]
    return out


def format_eta(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Trainer:
    def __init__(self, config: TrainConfig, work_dir: str, log=None, pairs=None, val_pairs=None):
        import keras
        import tensorflow as tf

        from ..sr.model import build_model, zero_mean_block

        self.config = config
        self.spec = SPECS[config.net]
        self.work_dir = work_dir
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        keras.utils.set_random_seed(config.seed)
        if pairs is None:
            source = without_fold(config.holdout) if config.holdout else config.split
            pairs = build_pairs(self.spec, source, config.protocols)
        if val_pairs is None and config.holdout:
            val_pairs = []
        self.sampler = PatchSampler(pairs, config.patch, align=zero_mean_block(config.arch, self.spec.scale))
        val_pairs = val_pairs if val_pairs is not None else build_pairs(self.spec, "val", config.protocols)
        self.val_pairs = [p for p in val_pairs if min(p.valid.shape) >= config.patch]  # as small as training's
        self.model = build_model(config.arch, self.spec.channels, len(self.spec.outputs), self.spec.scale)
        tail = self.model.get_layer("tail")  # start exactly at the residual base (guided estimate)
        tail.kernel.assign(np.zeros(tail.kernel.shape, np.float32))
        self.optimizer = keras.optimizers.Adam(learning_rate=config.lr)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False)
        self.optimizer.build(self.model.trainable_variables)
        self.checkpoint = tf.train.Checkpoint(model=self.model, optimizer=self.optimizer, step=self.step)
        self.manager = tf.train.CheckpointManager(self.checkpoint, os.path.join(work_dir, "checkpoints"), max_to_keep=2)
        self.seconds = 0.0  # training time, summed over resumed runs
        self._train_step = self._make_step()

    def _make_step(self):
        import tensorflow as tf

        model, optimizer = self.model, self.optimizer

        @tf.function(reduce_retracing=True)
        def train_step(x, y, lr):
            optimizer.learning_rate.assign(lr)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.abs(model(x, training=True) - y))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=False))
            return loss

        return train_step

    def restore(self) -> int:
        """Resume from the latest checkpoint in work_dir, if any; returns the step reached."""
        if not self.manager.latest_checkpoint:
            return 0
        state = {}
        path = os.path.join(self.work_dir, "state.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                state = json.load(fh)
        if json.loads(json.dumps(asdict(self.config))) != state.get("config"):
            self.log(f"{self.work_dir}: checkpoints are from another recipe; starting {self.config.net} afresh")
            return 0
        self.checkpoint.restore(self.manager.latest_checkpoint).expect_partial()
        self.seconds = float(state.get("seconds", 0.0))
        self.log(f"resumed {self.config.net} at step {int(self.step.numpy())}")
        return int(self.step.numpy())

    def save_checkpoint(self) -> None:
        self.manager.save(checkpoint_number=int(self.step.numpy()))
        tmp = os.path.join(self.work_dir, "state.json.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"step": int(self.step.numpy()), "seconds": self.seconds, "config": asdict(self.config)}, fh)
        os.replace(tmp, os.path.join(self.work_dir, "state.json"))

    def batch_for(self, step: int) -> tuple:
        rng = np.random.default_rng([self.config.seed, step])
        return self.sampler.batch(rng, self.config.batch, augment_pair)

    def validation_l1(self) -> float:
        """Mean absolute error (normalised units) on the validation scenes."""
        errors, counts = 0.0, 0
        for pair in self.val_pairs:
            y = np.asarray(self.model.predict_on_batch(pair.inputs[None]))[0]
            diff = np.abs(y - pair.target)[pair.valid]
            errors += float(diff.sum())
            counts += diff.size
        return errors / max(counts, 1)

    def run(self, progress_every: int = 50, should_stop=None) -> dict:
        cfg = self.config
        start_step = int(self.step.numpy())
        os.makedirs(self.work_dir, exist_ok=True)
        losses = []
        t0 = time.monotonic()
        seconds0 = self.seconds
        for step in range(start_step, cfg.steps):
            x, y = self.batch_for(step)
            loss = float(self._train_step(x, y, np.float32(cfg.lr_at(step))))
            losses.append(loss)
            self.step.assign(step + 1)
            self.seconds = seconds0 + time.monotonic() - t0
            done = step + 1
            if done % progress_every == 0 or done == cfg.steps:
                rate = (done - start_step) / max(time.monotonic() - t0, 1e-9)
                recent = float(np.mean(losses[-progress_every:]))
                self.log(
                    f"{cfg.net} step {done}/{cfg.steps}  L1 {recent:.5f}  lr {cfg.lr_at(step):.2e}  "
                    f"{rate:.1f} steps/s  elapsed {format_eta(self.seconds)}  ETA {format_eta((cfg.steps - done) / rate)}"
                )
            stop = should_stop is not None and should_stop()
            if stop or done % cfg.checkpoint_every == 0 or done == cfg.steps:
                self.save_checkpoint()
            if stop:
                break
        val = self.validation_l1() if self.val_pairs else float("nan")
        return {"steps": int(self.step.numpy()), "seconds": round(self.seconds, 1), "losses": losses,
                "validation_l1": val, "residual_base": self.spec.residual_base,
                "trained_on": sorted({p.name.rsplit(" (", 1)[0] for p in self.sampler.pairs}),
                "blur_range": blur_range(self.spec, self.sampler.pairs),
                "validated_on": sorted({p.name.rsplit(" (", 1)[0] for p in self.val_pairs})}
