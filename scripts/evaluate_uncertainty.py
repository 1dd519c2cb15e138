"""Validate the uncertainty layer with whole groups of scenes held out (`make evaluate`).

    .venv/bin/python scripts/evaluate_uncertainty.py [--markdown docs/uncertainty.md] [--json docs/uncertainty.json]
        [--cache build/uncertainty]

For each group of scenes (scripts/uncertainty_data.py), the coefficients are fitted on the other
groups alone (at x6 with the 20 m bands of every other product in x6 geometry: collect_proxies)
and scored on it, per scene, band group and degradation: the Spearman correlation of
predicted and actual absolute error (pixels of all the group's bands pooled), mean predicted over
mean actual error (also per band), and the actual mean error of the 10 % of pixels predicted worst
over that of the 50 % predicted best; beside them the Spearman correlation of a naive proxy (the
output's local standard deviation over 5 x 5 px) and of an oracle no layer can be (each pixel's 24
neighbours' actual mean error), with the oracle's top 10 % / bottom 50 %: what the surroundings'
true errors tell of a pixel's. The targets (issue 29) are flagged. Shares its cached pairs with
scripts/calibrate_uncertainty.py.
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TARGETS = {"spearman": 0.6, "mean_ratio": (0.75, 1.33), "top10_over_bottom50": 4.0}


def held_out(groups: dict, proxies=()) -> list:
    """One row per scene and degradation, each scored with the coefficients fitted without its group
    (and without the proxy pairs of its products: x6)."""
    from digisat_plugin.core.quality.uncertainty import fit, product_of, scores

    rows = []
    for name, items in groups.items():
        held = {product_of(it) for it in items}
        coef = fit([it for other, its in groups.items() if other != name for it in its]
                   + [p for p in proxies if product_of(p) not in held])
        for it in items:
            rows.append(dict(scores(it, coef), group=name, scene=it.scene, protocol=it.protocol, factor=it.s,
                             written=it.written, coefficients=[round(float(c), 5) for c in coef]))
    return rows


def passes(row: dict) -> dict:
    lo, hi = TARGETS["mean_ratio"]
    return {"spearman": row["spearman"] >= TARGETS["spearman"], "mean_ratio": lo <= row["mean_ratio"] <= hi,
            "top10_over_bottom50": row["top10_over_bottom50"] >= TARGETS["top10_over_bottom50"]}


def markdown(rows: list) -> str:
    head = ("| factor | held-out scene | degradation | pixels | Spearman | proxy's Spearman | oracle's Spearman | "
            "mean predicted / actual | per band | top 10 % / bottom 50 % error | oracle's top 10 % / bottom 50 % | "
            "actual mean error (DN) |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        ok = passes(r)
        cell = {k: f"{r[k]:.{d}f}" if ok[k] else f"**{r[k]:.{d}f}** (miss)"
                for k, d in (("spearman", 2), ("mean_ratio", 2), ("top10_over_bottom50", 1))}
        lines.append(f"| x{r['factor']} | {r['scene']} | {r['protocol']} | {r['pixels']} | {cell['spearman']} | "
                     f"{r['proxy_spearman']:.2f} | {r['oracle_spearman']:.2f} | {cell['mean_ratio']} | "
                     f"{per_band(r)} | {cell['top10_over_bottom50']} | {r['oracle_top10_over_bottom50']:.1f} | "
                     f"{r['mean_error']:.1f} |")
    return "\n".join(lines) + "\n"


def per_band(row: dict) -> str:
    return " ".join(f"{band} {ratio:.2f}" for band, ratio in row["band_mean_ratio"].items())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=os.path.join(REPO, "model_weights"))
    p.add_argument("--cache", default=os.path.join(REPO, "build", "uncertainty"))
    p.add_argument("--markdown", help="write the table here (between the markers of an existing page)")
    p.add_argument("--json", help="write every figure here")
    args = p.parse_args(argv)
    from uncertainty_data import collect, collect_proxies

    from digisat_plugin.core.quality.evaluate import write_atomic, write_json
    from digisat_plugin.core.sr.predict import Predictor

    predictor = Predictor(model_dir=args.model, device="cpu")
    rows = []
    for s in (2, 6):
        proxies = collect_proxies(os.path.join(args.cache, "x6_proxies.pkl")) if s == 6 else ()
        rows += held_out(collect(s, predictor, os.path.join(args.cache, f"x{s}.pkl")), proxies)
    table = markdown(rows)
    print(table)
    if args.json:
        write_json(args.json, {"rows": rows, "targets": TARGETS})
    if args.markdown:
        write_atomic(args.markdown, with_table(args.markdown, table))
    return 0


BEGIN, END = "<!-- evaluate_uncertainty.py: begin -->", "<!-- evaluate_uncertainty.py: end -->"


def with_table(path: str, table: str) -> str:
    """The page at `path` with the table between its markers (the whole page if it has none)."""
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    if BEGIN in text and END in text:
        return text[:text.index(BEGIN) + len(BEGIN)] + "\n" + table + text[text.index(END):]
    return f"# Uncertainty layer: validation\n\n{BEGIN}\n{table}{END}\n"


if __name__ == "__main__":
    sys.exit(main())
