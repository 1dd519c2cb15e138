"""What scene-adaptive fine-tuning (`--adapt-steps`) gains, measured without truth leakage.

At reduced scale the user's input is the held-out northern third of Virginia (rows 0..641, never
trained on, core/train/splits.py) degraded by s. Adaptation may only use that degraded input, so
it fine-tunes on pairs made from it by degrading once more (both blurs, as a user who does not
know the blur would); the adapted predictor is then scored on the degraded -> delivered
comparison by core.quality.evaluate, against bicubic and guided-linear upsampling.

Run: .venv/bin/python research/adapt_gain.py [STEPS ...]   (default 200 500; about 3 min on 2 CPUs)
"""

from __future__ import annotations

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(steps_list=(200, 500)) -> None:
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notes of new models
    from digisat_plugin.core.definitions import PROTOCOLS
    from digisat_plugin.core.quality.evaluate import evaluate
    from digisat_plugin.core.sr.predict import Predictor
    from digisat_plugin.core.train.adapt import adapt_predictor
    from digisat_plugin.core.train.splits import VIRGINIA, VIRGINIA_TEST_ROWS, Region
    from digisat_plugin.core.wald import degraded_scene, load_region

    scene = load_region(Region(VIRGINIA, 0, VIRGINIA_TEST_ROWS))
    print(f"{scene.name}, {scene.shape[0]} x {scene.shape[1]} px; x2 (net20), CPU threads shared")
    print("| protocol | adaptation steps | adaptation time (s) | L1 on the adaptation pairs (before -> after) "
          "| model / bicubic | model / guided linear |")
    print("|---|---|---|---|---|---|")
    for protocol in PROTOCOLS:
        user_input = degraded_scene(scene, 2, protocol)  # all that adaptation may see
        for steps in (0, *steps_list):
            predictor = Predictor(device="cpu")
            fit = "-"
            if steps:
                report = adapt_predictor(predictor, user_input, steps, nets=("net20",), measure=True)["net20"]
                assert "skipped" not in report, report
                fit = f"{report['loss_before']:.5f} -> {report['loss_after']:.5f}"
            seconds = report["seconds"] if steps else 0.0
            result = evaluate([scene], predictor.predict, factors=(2,), protocols=(protocol,))["results"]["2"][protocol]
            print(f"| {protocol} | {steps} | {seconds:.0f} | {fit} | {result['ratio_to_bicubic']:.4f} | "
                  f"{result['ratio_to_guided_linear']:.4f} |", flush=True)
    # x6: the input degraded by 6 is ~100 x 320 px; degraded again by 6 it is ~12 x 48, smaller
    # than one 24 x 24 training patch, so net60 cannot be adapted on this area.
    low6 = degraded_scene(scene, 6, PROTOCOLS[0])
    report = adapt_predictor(Predictor(device="cpu"), low6, 10, nets=("net60",))
    print(f"x6 (net60) on the input degraded by 6 ({low6.shape[0]} x {low6.shape[1]} px): "
          f"{report['net60'].get('skipped', 'adapted')}")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (200, 500))
