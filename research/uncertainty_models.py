"""Other models of the shipped features: does a non-linear lookup or a ranking fit rank errors better?

    PYTHONPATH=scripts .venv/bin/python research/uncertainty_models.py [--cache build/uncertainty]

(scripts/ on the path for uncertainty_data and evaluate_uncertainty, as when they run as scripts.)

On the cached Wald pairs of scripts/uncertainty_data.py (x6 with the 20 m bands' x6 proxies, as
the shipped fit), each group held out as `evaluate_uncertainty.held_out` holds it out, three models
of the same five features (core/sr/uncertainty.py):
- shipped: core/quality/uncertainty.fit (non-negative least squares on |error|);
- lookup: the mean error of the training pixels in the same cell of a 6-quantile grid over
  log(1 + feature) of every non-constant feature and of the shipped fit's value;
- ranking: from the shipped fit, each coefficient multiplied or divided by 2, 1.4, 1.15 in turn while
  the mean Spearman correlation over the training items rises (20 000 pixels each, seed 0), then scaled
  so the mean over the training items matches their actual mean error;
- blur: the shipped fit with three more features, the band's blur as the engine estimates it on
  the degraded window (spec.window_blur, in low-resolution pixels) times detail, gradient and laplacian
  (the MTF blur under-predicts the SWIR bands at x2 by a third);
- band oracle, a reference and not a model: the shipped fit with each band's values scaled so that
  its mean equals the band's actual mean error on the held-out case itself (per-band calibration
  as good as it can be, which pooled ranking across bands gains from).
Prints Spearman, mean predicted / actual (also per band) and top 10 % / bottom 50 % per held-out case. Nothing shipped
depends on it; findings are in docs/uncertainty.md ("Tried and not kept").
"""

from __future__ import annotations

import argparse
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BINS = 6
STEPS = (2.0, 1.4, 1.15)
SAMPLE = 20000


def lookup(train, coef):
    """A predictor from the binned mean error of the training pixels (items weighted alike)."""
    x = np.concatenate([t.features for t in train], axis=1).astype(np.float64)
    used = [i for i in range(len(x)) if x[i].std() > 0]

    def planes(features):
        return np.vstack([np.log1p(features[used]), np.log1p(coef @ features)[None]])

    train_planes = planes(x)
    edges = [np.quantile(f, np.linspace(0, 1, BINS + 1)[1:-1]) for f in train_planes]

    def cell(p):
        c = np.zeros(p.shape[1], np.int64)
        for f, e in zip(p, edges, strict=True):
            c = c * BINS + np.searchsorted(e, f)
        return c

    weight = np.concatenate([np.full(len(t.error), 1.0 / len(t.error)) for t in train])
    error = np.concatenate([t.error for t in train])
    cells = BINS ** len(train_planes)
    c = cell(train_planes)
    total, count = np.bincount(c, weight * error, cells), np.bincount(c, weight, cells)
    table = np.where(count > 0, total / np.maximum(count, 1e-12), np.nan)

    def predict(features):
        value = table[cell(planes(features))]
        return np.where(np.isnan(value), coef @ features, value)
    return predict


def ranking(train, coef, fixed):
    """Coefficients whose mean Spearman correlation over the training items is higher (see the module)."""
    from digisat_plugin.core.quality.uncertainty import _spearman

    rng = np.random.default_rng(0)
    sample = []
    for t in train:
        k = rng.choice(len(t.error), min(len(t.error), SAMPLE), replace=False)
        sample.append((t.features[:, k].astype(np.float64), t.error[k]))

    def objective(c):
        return np.mean([_spearman(c @ f, e) for f, e in sample])

    best, score = coef.copy(), objective(coef)
    for step in STEPS:
        better = True
        while better:
            better = False
            for i in (i for i in range(len(best)) if i not in fixed):
                for m in (1 / step, step):
                    c = best.copy()
                    c[i] = c[i] * m if c[i] > 0 else coef.max() * 0.01
                    value = objective(c)
                    if value > score + 1e-4:
                        best, score, better = c, value, True
    actual = np.mean([t.error.mean() for t in train])
    predicted = np.mean([(best @ t.features).mean() for t in train])
    return best * actual / predicted


BLURRED = ("detail", "gradient", "laplacian")


def with_blur(groups: dict, s: int) -> dict:
    """The groups' items with the BLURRED features times the band's estimated blur appended."""
    import copy

    from uncertainty_data import GROUPS

    from digisat_plugin.core.quality.uncertainty import FACTOR_NET
    from digisat_plugin.core.sr.spec import SPECS, blur_parts, window_blur
    from digisat_plugin.core.sr.uncertainty import FEATURES
    from digisat_plugin.core.wald import degraded_scene, load_region

    spec = SPECS[FACTOR_NET[s]]
    blur = {}
    for regions in GROUPS[s].values():
        for region in regions:
            scene = load_region(region)
            for protocol in ("dsen2", "mtf"):
                low = degraded_scene(scene, s, protocol)
                widths = blur_parts(spec, window_blur({b: low.native[b] for b in spec.inputs}, spec))[0]
                blur[(scene.name, protocol)] = (widths / s).astype(np.float32)
    out = {}
    for name, items in groups.items():
        out[name] = []
        for it in items:
            it = copy.copy(it)
            b = blur[(it.scene, it.protocol)][it.band]
            it.features = np.concatenate([it.features] + [(b * it.features[FEATURES.index(f)])[None] for f in BLURRED])
            out[name].append(it)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cache", default=os.path.join(REPO, "build", "uncertainty"))
    p.add_argument("--model", default=os.path.join(REPO, "model_weights"))
    args = p.parse_args(argv)
    from uncertainty_data import collect, collect_proxies

    from digisat_plugin.core.quality.uncertainty import FACTOR_NET, FIXED, fit, product_of, score_prediction
    from digisat_plugin.core.sr.predict import Predictor
    from digisat_plugin.core.sr.uncertainty import FEATURES

    predictor = Predictor(model_dir=args.model, device="cpu")
    print("| factor | held-out scene | degradation | model | Spearman | mean predicted / actual | per band | "
          "top 10 % / bottom 50 % |")
    print("|---|---|---|---|---|---|---|---|")
    for s in (2, 6):
        groups = collect(s, predictor, os.path.join(args.cache, f"x{s}.pkl"))
        proxies = collect_proxies(os.path.join(args.cache, "x6_proxies.pkl")) if s == 6 else []
        fixed = [FEATURES.index(f) for f in FIXED.get(FACTOR_NET[s], {})]
        blurred = with_blur(groups, s) if s == 2 else None  # x6: the proxies have no window blur
        for name, items in groups.items():
            held = {product_of(it) for it in items}
            train = [it for other, its in groups.items() if other != name for it in its]
            train += [q for q in proxies if product_of(q) not in held]
            coef = fit(train)
            models = {"shipped": lambda it, c=coef: c @ it.features, "lookup": _on_features(lookup(train, coef)),
                      "ranking": lambda it, c=ranking(train, coef, fixed): c @ it.features}
            if blurred:
                models["blur"] = _blur_model(blurred, name)
            models["band oracle"] = lambda it, c=coef: _band_oracle(c @ it.features, it)
            for k, it in enumerate(items):
                for label, model in models.items():
                    item = blurred[name][k] if label == "blur" else it
                    predicted = model(item).astype(np.float64)
                    r = score_prediction(predicted, it.error)
                    bands = " ".join(f"{b} {predicted[it.band == i].mean() / it.error[it.band == i].mean():.2f}"
                                     for i, b in enumerate(it.bands))
                    print(f"| x{s} | {it.scene} | {it.protocol} | {label} | {r['spearman']:.3f} | "
                          f"{r['mean_ratio']:.2f} | {bands} | {r['top10_over_bottom50']:.1f} |", flush=True)
    return 0


def _band_oracle(predicted: np.ndarray, item) -> np.ndarray:
    """`predicted` with each band's values scaled to the band's actual mean error (uses the truth)."""
    out = predicted.astype(np.float64)
    for i in np.unique(item.band):
        m = item.band == i
        out[m] *= item.error[m].mean() / max(out[m].mean(), 1e-9)
    return out


def _on_features(model):
    return lambda it: model(it.features.astype(np.float64))


def _blur_model(blurred: dict, held: str):
    """The shipped fit on the blurred groups but `held`, with its BLURRED extra features."""
    import digisat_plugin.core.quality.uncertainty as quality
    import digisat_plugin.core.sr.uncertainty as sr

    names = sr.FEATURES
    quality.FEATURES = names + tuple(f"blur*{f}" for f in BLURRED)  # fit() names the fixed ones by position
    try:
        coef = quality.fit([it for other, its in blurred.items() if other != held for it in its])
    finally:
        quality.FEATURES = names
    return lambda it: coef @ it.features


if __name__ == "__main__":
    raise SystemExit(main())
