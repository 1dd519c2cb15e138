"""`python -m digisat_plugin train`: train the networks at reduced scale and write model_weights/.

A fixed number of steps with fixed seeds (not a wall-clock cut), so a rerun reproduces the
shipped weights' metrics; checkpoints under --work let an interrupted run resume.
"""

from __future__ import annotations

import os
import platform
import sys
import time


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train the 20 m and 60 m networks (Wald protocol) and write model_weights/",
        description="Train at reduced scale on the training split (core/train/splits.py), "
                    "evaluate on the held-out split and write weights plus a model card per network.")
    p.add_argument("--net", choices=("net20", "net60", "both"), default="both")
    p.add_argument("--out", default="model_weights", help="folder for net20/ and net60/ (default model_weights)")
    p.add_argument("--work", default=".train", help="checkpoints, for resuming (default .train)")
    p.add_argument("--steps", type=int, help="training steps per network (default: the shipped recipe's)")
    p.add_argument("--blocks", type=int)
    p.add_argument("--filters", type=int)
    p.add_argument("--fold", type=int, help="> 1 selects the dsen2_s2d architecture")
    p.add_argument("--fresh", action="store_true", help="ignore existing checkpoints")
    p.add_argument("--no-eval", action="store_true", help="skip the held-out evaluation in the model card")
    p.set_defaults(func=run)


def hardware() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            names = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        if names:
            cpu = names[0]
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs (TensorFlow CPU; run with ONNX Runtime)"


def run(args) -> int:
    import shutil

    from ..core.errors import DigisatError
    from ..core.quality.report import evaluate_saved
    from ..core.sr.keras_net import require_tensorflow
    from ..core.train.recipe import RECIPES, train_and_save
    from ..core.train.splits import regions

    require_tensorflow("training")

    def log(line):
        print(line, file=sys.stderr, flush=True)

    def held_out(model_dir, net):
        return evaluate_saved(model_dir, net, regions("test"), log)

    for option in ("steps", "blocks", "filters", "fold"):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise DigisatError(f"--{option} {value}: expected a positive whole number")
    nets = ("net20", "net60") if args.net == "both" else (args.net,)
    for net in nets:
        config = RECIPES[net]()
        if args.steps is not None:
            config.steps = args.steps
        arch = dict(config.arch)
        if args.blocks is not None:
            arch["blocks"] = args.blocks
        if args.filters is not None:
            arch["filters"] = args.filters
        if args.fold is not None and args.fold > 1:
            arch.update(arch="dsen2_s2d", fold=args.fold)
        config.arch = arch
        work = os.path.join(args.work, net)
        if args.fresh and os.path.isdir(work):
            shutil.rmtree(work)
        t0 = time.monotonic()
        card = train_and_save(config, work, args.out, hardware(), evaluate=None if args.no_eval else held_out,
                              log=log)
        print(f"{net}: {card['training']['steps']} steps in {card['training']['seconds'] / 60:.1f} min "
              f"-> {os.path.join(args.out, net)} ({time.monotonic() - t0:.0f} s with evaluation)")
    return 0
