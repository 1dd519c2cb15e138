"""The one evaluation entry point of every front end: products (and data-split regions) in, the
report out (`evaluate.terminal_table`, `write_json`, `markdown`, `report_html` format it).

`digisat evaluate` (cli/evaluate.py) and `digisat:evaluate` (Processing, through the worker job)
call `evaluate_products`; `make train` writes `evaluate_saved`'s figures into the model cards.
"""

from __future__ import annotations

from ..definitions import PROTOCOLS
from ..errors import InputError
from ..wald import MIN_LOW_PIXELS, load_region, load_scene
from .evaluate import FACTOR_NET, evaluate

ABOUT = ("Reduced-scale (Wald protocol) evaluation: every band degraded by the factor, super-resolved, compared "
         "with the band as delivered. RMSE in DN (reflectance x 10000); ratios are the model's mean RMSE over that "
         "of each baseline (lower is better).")


def evaluate_products(paths=(), regions=(), factors=(2, 6), protocols=PROTOCOLS, model_dir=None, device="cpu",
                      guard: bool = True, split: str = "", log=None, progress=None) -> dict:
    """Evaluate the networks in `model_dir` on whole products (band folders, SAFE) and regions of a data
    split (core.train.splits.Region); returns the report (results, per_scene, scenes, models, about).

    guard: also score the guided estimate and what the guard writes (core/quality/guard.py).
    split: the split's name, said in the report's `about`. progress: a core Progress or None.
    """
    from ..sr.predict import Predictor
    from ..sr.weights import read_card

    factors = tuple(sorted(set(factors)))
    if progress is not None:
        progress.update(0.0, "reading the product")
    scenes = [load_scene(path) for path in paths] + [load_region(r) for r in regions]
    predictor = Predictor(model_dir, device=device)
    predict = predictor.predict
    if progress is not None:
        predict_progress = progress.stage(0.1, 0.9)

        def predict(native, ratios, targets):
            return predictor.predict(native, ratios, targets, progress=predict_progress)

        progress.update(0.1, f"evaluating at x{'/x'.join(map(str, factors))}")
    report = evaluate(scenes, predict, factors, tuple(protocols), log=log, predictor=predictor if guard else None)
    if not any(report["results"].values()):
        where = paths[0] if len(paths) == 1 and not regions else "evaluate"
        raise InputError(f"{where}: every scene is too small for x{'/x'.join(map(str, factors))} (the bands to "
                         f"restore would be smaller than {MIN_LOW_PIXELS} x {MIN_LOW_PIXELS} pixels)")
    report["models"] = {}
    for s in factors:
        net = FACTOR_NET[s]
        card = read_card(predictor.model_dir, net)
        report["models"][net] = {"arch": card.get("arch"), "steps": card.get("training", {}).get("steps"),
                                 "residual_base": card.get("residual_base")}
    report["about"] = ABOUT + (f" Split: {split} (never trained on)." if split else "")
    if progress is not None:
        progress.update(0.95, "evaluated")
    return report


def card_metrics(report: dict, s: int) -> dict:
    """The model card's evaluation table: mean metrics and ratios per degradation protocol."""
    out = {}
    for protocol, result in report["results"].get(str(s), {}).items():
        mean = result["mean"]
        out[protocol] = {
            "rmse": {m: round(v["rmse"], 2) for m, v in mean.items()},
            "sre_db": {m: round(v["sre"], 2) for m, v in mean.items()},
            "sam_deg": {m: round(v["sam"], 3) for m, v in mean.items()},
            "ergas": {m: round(v["ergas"], 3) for m, v in mean.items()},
            "ratio_to_bicubic": round(result["ratio_to_bicubic"], 4),
            "ratio_to_guided_linear": round(result["ratio_to_guided_linear"], 4),
            "ratio_to_guided_estimate": round(result["ratio_to_guided_estimate"], 4),
            "guarded_ratio_to_bicubic": round(result["guarded_ratio_to_bicubic"], 4),
            "per_band_ratio_to_bicubic": {b: round(r["ratio_to_bicubic"], 4) for b, r in result["bands"].items()},
        }
    return out


def evaluate_saved(model_dir: str, net: str, regions, log=print) -> dict:
    """Held-out metrics of one network as saved (through the Predictor the engine uses), for its model card."""
    from ..sr.predict import Predictor
    from ..sr.spec import SPECS

    s = SPECS[net].scale
    predictor = Predictor(model_dir=model_dir, device="cpu")
    scenes = [load_region(r) for r in regions]
    report = evaluate(scenes, predictor.predict, factors=(s,), log=log, predictor=predictor)
    return {"split": "test", "scenes": [x["name"] for x in report["scenes"]], "metrics": card_metrics(report, s)}
