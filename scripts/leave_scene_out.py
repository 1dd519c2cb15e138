"""Leave-scene-out validation: for each fold of whole scenes (core/train/splits.FOLDS), train both
networks from scratch on the other folds with the shipped recipe, then score them on the fold
at reduced scale (Wald protocol, both degradations) against bicubic, guided linear and the
guided estimate, with the guard as the engine applies it.

    .venv/bin/python scripts/leave_scene_out.py [--folds virginia,malmo] [--nets net60] [--train-only]
        [--work .train/folds] [--json docs/leave_scene_out.json] [--markdown docs/leave_scene_out.md]

--nets retrains and rescores only those networks' factors; the other factors' per-fold scores are
kept from the existing --json (for a change that touches one network only).

Resumable: each fold's training checkpoints under --work/<fold>/; finished folds are not
retrained, and a fold's scores are kept there (score.json) under a key of its weights and of
core's code, so folds can be scored by parallel runs and assembled by a last one. About 5 minutes per fold on a 2-core CPU. `make evaluate` runs it.
"""

from __future__ import annotations

import argparse
import os
import sys

from digisat_plugin.core.definitions import PROTOCOLS

HERE = os.path.dirname(os.path.abspath(__file__))


def train_fold(fold: str, work: str, log, nets=None) -> str:
    from digisat_plugin.core.sr.spec import SPECS
    from digisat_plugin.core.train.recipe import RECIPES, train_and_save
    from digisat_plugin.core.train.splits import fold_regions
    from digisat_plugin.core.wald import MIN_LOW_PIXELS, load_region

    out = os.path.join(work, fold, "model")
    largest = max(min(load_region(r).shape) for r in fold_regions(fold))
    for net, recipe in RECIPES.items():
        if nets is not None and net not in nets:
            continue
        s = SPECS[net].scale
        if largest < MIN_LOW_PIXELS * s * s:  # nothing in this fold can be scored at this factor
            log(f"{fold}: {net} not trained (every scene is under {MIN_LOW_PIXELS * s * s} px a side)")
            continue
        config = recipe()
        config.holdout = fold
        train_and_save(config, os.path.join(work, fold, net), out, "see model_weights cards", evaluate=None, log=log)
    return out


def score_fold(fold: str, model_dir: str, log, factors=(2, 6)) -> dict:
    from digisat_plugin.core.quality.evaluate import evaluate
    from digisat_plugin.core.sr.predict import Predictor
    from digisat_plugin.core.train.splits import fold_regions
    from digisat_plugin.core.wald import load_region

    predictor = Predictor(model_dir=model_dir, device="cpu")
    scenes = [load_region(r) for r in fold_regions(fold)]
    return evaluate(scenes, predictor.predict, factors=factors, log=log, predictor=predictor)


def cached_score(fold: str, model_dir: str, log, factors=(2, 6)) -> dict:
    """score_fold, kept beside the fold's model under a key of its weights and of the scoring code,
    so folds can be scored in parallel processes and a rerun with nothing changed costs nothing."""
    return _cached(fold, model_dir, log, score_key(model_dir) + "".join(f"x{s}" for s in factors), factors)


def score_key(model_dir: str) -> str:
    """A digest of the fold's weights and of the code that scores them (sr, quality, wald, definitions)."""
    import hashlib

    import digisat_plugin.core as core

    here = os.path.dirname(core.__file__)
    roots = [model_dir] + [os.path.join(here, p) for p in ("sr", "quality", "wald.py", "definitions.py")]
    digest = hashlib.sha256()
    for root in roots:
        if os.path.isfile(root):
            with open(root, "rb") as f:
                digest.update(root.encode() + f.read())
            continue
        for folder, dirs, files in sorted(os.walk(root)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".py", ".h5")):  # not the cards: they hold the time they were written
                    with open(os.path.join(folder, name), "rb") as f:
                        digest.update(name.encode() + f.read())
    return digest.hexdigest()


def _cached(fold: str, model_dir: str, log, key: str, factors) -> dict:
    import json

    path = os.path.join(os.path.dirname(model_dir), "score.json")
    if os.path.exists(path):
        with open(path) as f:
            saved = json.load(f)
        if saved.get("key") == key:
            log(f"fold {fold}: scores of these weights and code already in {path}")
            return saved["report"]
    log(f"scoring fold {fold}")
    report = score_fold(fold, model_dir, log, factors)
    from digisat_plugin.core.quality.evaluate import write_json

    write_json(path, {"key": key, "report": report})
    with open(path) as f:  # as the JSON holds it, like a cached one
        return json.load(f)["report"]


def kept_scores(path: str, reports: dict, factors) -> dict:
    """reports with the factors not rescored (and the folds not rerun) taken from the JSON at path."""
    import json

    with open(path) as f:
        kept = json.load(f)["folds"]
    merged = dict(kept)
    for fold, report in reports.items():
        merged[fold] = dict(report)
        for part in ("results", "per_scene"):
            old = kept.get(fold, {}).get(part, {})
            merged[fold][part] = {s: report[part][s] if int(s) in factors else old[s]
                                  for s in sorted(set(old) | set(report[part]), key=int)}
    return merged


def x6_proxy(scene, protocol: str) -> dict | None:
    """x6 geometry on a scene too small for real x6 pairs (core/quality/uncertainty.x6_proxy_arrays):
    each 20 m band degraded by 6 (to 120 m), the 10 m bands by 2 (to 20 m, the base grid), recovered
    at 20 m and compared with the band as delivered. Only bicubic and the guided estimate can be
    scored (the networks restore B01/B09): this shows how the guided estimate on the 10 m guides
    behaves at x6 on L2A scenes from other places. net60's estimate also takes the 20 m bands as
    guides (spec.NetSpec.coarse_guides), which this geometry cannot have, so it is a floor of that
    estimate's quality, and it says nothing about net60's own correction."""
    import numpy as np

    from digisat_plugin.core.quality.metrics import rmse
    from digisat_plugin.core.quality.uncertainty import x6_proxy_arrays
    from digisat_plugin.core.sr.resample import upsample

    arrays = x6_proxy_arrays(scene, protocol)
    if arrays is None:
        return None
    truth, low, estimate, valid = arrays
    bic = np.mean([rmse(t[valid], p[valid]) for t, p in zip(truth, upsample(low, 6, "cubic"), strict=True)])
    est = np.mean([rmse(t[valid], p[valid]) for t, p in zip(truth, estimate, strict=True)])
    return {"name": scene.name, "bicubic": float(bic), "guided_estimate": float(est),
            "guided_estimate_to_bicubic": float(est / bic)}


def proxy_rows(folds) -> list:
    from digisat_plugin.core.train.splits import fold_regions
    from digisat_plugin.core.wald import load_region

    rows = []
    for fold in folds:
        if not fold.startswith("ben"):
            continue
        for protocol in PROTOCOLS:
            results = [r for r in (x6_proxy(load_region(reg), protocol) for reg in fold_regions(fold)) if r]
            if results:
                rows.append({"fold": fold, "protocol": protocol, "scenes": len(results),
                             "guided_estimate_to_bicubic": sum(r["guided_estimate"] for r in results)
                             / sum(r["bicubic"] for r in results)})
    return rows


def summary_rows(reports: dict) -> list:
    """One row per (factor, protocol): pooled-per-fold ratios averaged over the folds that have it."""
    rows = []
    for s in ("2", "6"):
        for protocol in PROTOCOLS:
            per_fold = {f: r["results"][s][protocol] for f, r in reports.items() if protocol in r["results"].get(s, {})}
            if not per_fold:
                continue

            def mean(key, per_fold=per_fold):
                return sum(v[key] for v in per_fold.values()) / len(per_fold)

            scenes = [row for r in reports.values() for row in r["per_scene"][s][protocol]]
            worse = [row["name"] for row in scenes if row["guarded_ratio_to_guided_estimate"] > 1.0 + 1e-9]
            rows.append({"factor": int(s), "protocol": protocol, "folds": sorted(per_fold),
                         "model_to_bicubic": mean("ratio_to_bicubic"),
                         "guarded_to_bicubic": mean("guarded_ratio_to_bicubic"),
                         "guided_estimate_to_bicubic": mean("guided_estimate_ratio_to_bicubic"),
                         "guided_linear_to_bicubic": sum(v["mean"]["guided_linear"]["rmse"] / v["mean"]["bicubic"]["rmse"]
                                                         for v in per_fold.values()) / len(per_fold),
                         "guarded_to_guided_estimate": mean("guarded_ratio_to_guided_estimate"),
                         "scenes": len(scenes), "scenes_guarded_worse_than_estimate": worse})
    return rows


def markdown(reports: dict, rows: list, proxy: list = ()) -> str:
    from digisat_plugin.core.quality.evaluate import FACTOR_NET
    from digisat_plugin.core.sr.spec import SPECS

    lines = ["# Leave-scene-out validation", "",
             "Each fold's networks were trained from scratch on the other folds only (`scripts/leave_scene_out.py`, "
             "the shipped recipe) and scored on the fold at reduced scale (Wald protocol). Ratios are mean RMSE over "
             "bicubic's (lower is better), pooled over a fold's pixels, then averaged over the folds. *guarded* is "
             "what the engine writes (the network, or the guided estimate where the guard, checking the input once "
             "more at reduced scale, finds the network does not win; at x2 also band by band where that check can "
             "tell, a band it does not win getting only a share of the network's correction: the last column lists "
             "those bands and shares).", "",
             "| bands | degradation | folds | network | guarded | guided estimate | guided linear (global) | "
             "guarded / guided estimate | scenes where guarded is worse than the estimate |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        group = "20 m (x2)" if r["factor"] == 2 else "60 m (x6)"
        lines.append(f"| {group} | {r['protocol']} | {', '.join(r['folds'])} | {r['model_to_bicubic']:.3f} | "
                     f"{r['guarded_to_bicubic']:.3f} | {r['guided_estimate_to_bicubic']:.3f} | "
                     f"{r['guided_linear_to_bicubic']:.3f} | {r['guarded_to_guided_estimate']:.3f} | "
                     f"{len(r['scenes_guarded_worse_than_estimate'])} of {r['scenes']} |")
    if proxy:
        lines += ["", "### x6 proxy on the L2A patches", "",
                  "A 120 x 120 BigEarthNet patch is too small for x6 pairs of the 60 m bands, so the same geometry "
                  "is made from its 20 m bands: each degraded by 6 (to 120 m), the 10 m bands by 2 (to 20 m), "
                  "recovered at 20 m with the guided estimate on the 10 m guides. This shows how that estimate holds "
                  "at x6 on L2A scenes from other places; net60's estimate also takes the 20 m bands as guides, "
                  "which this geometry cannot have, and the proxy cannot score net60, which restores B01/B09 only. Mean RMSE over bicubic's, pooled per fold:", "",
                  "| fold | degradation | patches | guided estimate / bicubic |", "|---|---|---|---|"]
        lines += [f"| {r['fold']} | {r['protocol']} | {r['scenes']} | {r['guided_estimate_to_bicubic']:.3f} |"
                  for r in proxy]
    for fold, report in reports.items():
        lines += ["", f"## Fold `{fold}`", "", "| scene | factor | degradation | network / bicubic | guarded / bicubic | "
                  "estimate / bicubic | guard chose (ratio at reduced scale) |", "|---|---|---|---|---|---|---|"]
        for s, by_protocol in report["per_scene"].items():
            for protocol, scenes in by_protocol.items():
                for row in scenes:
                    g = row.get("guard", {})
                    # without a check, why (the blur rules, a window too small: core/quality/guard.py)
                    ratio = g.get("why") or "-" if g.get("ratio") is None else f"{g['ratio']:.2f}"
                    if g.get("shares"):  # the bands written with only a share of the network's correction
                        outputs = SPECS[FACTOR_NET[int(s)]].outputs
                        ratio += "; " + ", ".join(f"{b} x {w:.2f}" for b, w in zip(outputs, g["shares"], strict=True)
                                                  if w < 1)
                    lines.append(f"| {row['name']} | x{s} | {protocol} | {row['ratio_to_bicubic']:.3f} | "
                                 f"{row['guarded_ratio_to_bicubic']:.3f} | {row['guided_estimate_ratio_to_bicubic']:.3f} "
                                 f"| {g.get('method', '-')} ({ratio}) |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    from digisat_plugin.core.quality.evaluate import write_atomic, write_json
    from digisat_plugin.core.sr.spec import SPECS
    from digisat_plugin.core.train.splits import FOLDS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--folds", default=",".join(FOLDS))
    p.add_argument("--work", default=".train/folds")
    p.add_argument("--nets", default=",".join(SPECS), help="retrain and rescore only these networks; the other "
                   "factors' per-fold scores are kept from --json")
    p.add_argument("--train-only", action="store_true")
    p.add_argument("--json", default="docs/leave_scene_out.json")
    p.add_argument("--markdown", default="docs/leave_scene_out.md")
    args = p.parse_args(argv)

    def log(line):
        print(line, file=sys.stderr, flush=True)

    folds = [f for f in args.folds.split(",") if f]
    nets = [n for n in args.nets.split(",") if n]
    models = {fold: train_fold(fold, args.work, log, nets) for fold in folds}
    if args.train_only:
        return 0
    factors = tuple(sorted(SPECS[n].scale for n in nets))
    reports = {fold: cached_score(fold, models[fold], log, factors) for fold in folds}
    if set(nets) != set(SPECS):
        reports = kept_scores(args.json, reports, factors)
    rows = summary_rows(reports)
    proxy = proxy_rows(list(reports))
    write_json(args.json, {"summary": rows, "x6_proxy": proxy, "folds": reports})
    text = markdown(reports, rows, proxy)
    write_atomic(args.markdown, text)
    print(text.split("\n## ")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
