"""Reduced-scale evaluation (Wald protocol): degrade every band by s, super-resolve, compare with
the bands as delivered. Per band and on average: RMSE (DN), SRE (dB), plus SAM (degrees) and
ERGAS over the bands, for the model and both baselines (bicubic, guided linear), and the
ratio of the model's mean RMSE to each baseline's. Pixels of all scenes are pooled, and every
scene is also reported on its own (`per_scene`).

Given the Predictor itself (`predictor=`), two more methods are scored: "guided_estimate" (the
blur-aware local estimate the networks correct, which the guard falls back to) and "guarded"
(what the engine writes: the network where core/quality/guard.py, checking the degraded scene
once more at reduced scale, finds it beats the estimate, else the estimate).
"""

from __future__ import annotations

import html
import json
import os

import numpy as np

from ..definitions import BANDS_10M, PROTOCOLS
from ..errors import OutputError
from ..sr.resample import block_mean
from ..sr.spec import SPECS
from ..wald import MIN_LOW_PIXELS, crop, degraded_scene
from .baselines import bicubic, guided_linear
from .guard import check as guard_check
from .metrics import ergas, rmse, sam, sre

FACTOR_NET = {2: "net20", 6: "net60"}
# A scene is evaluated at factor s only when the degraded bands to restore are at least
# wald.MIN_LOW_PIXELS on a side.
METHODS = ("model", "bicubic", "guided_linear")
PREDICTOR_METHODS = ("guided_estimate", "guarded")


def predictions(scene, s: int, protocol: str, predict, predictor=None) -> tuple:
    """(reference, {method: prediction}, valid): (B, h, w) arrays for the outputs of the s network
    and the (h, w) mask of pixels whose 60 m cell holds data everywhere (the grids coincide: the
    bands to restore have ratio s, so their delivered grid is the degraded base grid).

    predict(native, ratios, targets) -> {band: base-grid array}, e.g. Predictor.predict.
    """
    spec = SPECS[FACTOR_NET[s]]
    low = degraded_scene(scene, s, protocol)
    truth = crop(scene, 6 * s)
    ref = np.stack([truth.native[b] for b in spec.outputs])
    low_targets = np.stack([low.native[b] for b in spec.outputs])
    guides = np.stack([low.native[b] for b in BANDS_10M])
    model_out = predict({b: low.native[b] for b in spec.inputs}, low.ratios, list(spec.outputs))
    preds = {
        "model": np.stack([model_out[b] for b in spec.outputs]),
        "bicubic": bicubic(low_targets, s),
        "guided_linear": guided_linear(low_targets, guides, s, block_mean((~low.nodata).astype(np.float32), s) == 1),
    }
    decision = None
    if predictor is not None:
        native = {b: low.native[b] for b in spec.inputs}
        est = predictor.predict(native, low.ratios, list(spec.outputs), methods={spec.name: "guided"})
        preds["guided_estimate"] = np.stack([est[b] for b in spec.outputs])
        decision = guard_check(predictor, native, low.ratios, spec.name)
        if decision.linear is None:
            preds["guarded"] = decision.mix(preds["model"], preds["guided_estimate"])
        else:  # held to global guided-linear (the guard's linear floor)
            out = predictor.predict(native, low.ratios, list(spec.outputs), methods={spec.name: decision.written()})
            preds["guarded"] = np.stack([out[b] for b in spec.outputs])
    return ref, preds, ~low.nodata, decision


def summarise(ref: np.ndarray, preds: dict, bands, s: int) -> dict:
    """Metrics of pooled (B, N) arrays."""
    out = {"bands": {}, "mean": {}}
    for i, band in enumerate(bands):
        out["bands"][band] = {m: {"rmse": rmse(ref[i], p[i]), "sre": sre(ref[i], p[i])} for m, p in preds.items()}
    for m, p in preds.items():
        out["mean"][m] = {
            "rmse": float(np.mean([out["bands"][b][m]["rmse"] for b in bands])),
            "sre": float(np.mean([out["bands"][b][m]["sre"] for b in bands])),
            "sam": sam(ref, p),
            "ergas": ergas(ref, p, s),
        }
    model = out["mean"]["model"]["rmse"]
    out["ratio_to_bicubic"] = model / out["mean"]["bicubic"]["rmse"]
    out["ratio_to_guided_linear"] = model / out["mean"]["guided_linear"]["rmse"]
    if "guided_estimate" in preds:
        out["ratio_to_guided_estimate"] = model / out["mean"]["guided_estimate"]["rmse"]
        out["guarded_ratio_to_bicubic"] = out["mean"]["guarded"]["rmse"] / out["mean"]["bicubic"]["rmse"]
        out["guarded_ratio_to_guided_estimate"] = out["mean"]["guarded"]["rmse"] / out["mean"]["guided_estimate"]["rmse"]
        out["guided_estimate_ratio_to_bicubic"] = out["mean"]["guided_estimate"]["rmse"] / out["mean"]["bicubic"]["rmse"]
    for b in bands:
        band = out["bands"][b]
        band["ratio_to_bicubic"] = band["model"]["rmse"] / band["bicubic"]["rmse"]
        band["ratio_to_guided_linear"] = band["model"]["rmse"] / band["guided_linear"]["rmse"]
    return out


def _scene_summary(name, ref, pred, bands, s, decision) -> dict:
    result = summarise(ref, pred, bands, s)
    row = {"name": name, "pixels": int(ref.shape[1]),
           "rmse": {m: v["rmse"] for m, v in result["mean"].items()},
           "ratio_to_bicubic": result["ratio_to_bicubic"], "ratio_to_guided_linear": result["ratio_to_guided_linear"]}
    for key in ("ratio_to_guided_estimate", "guarded_ratio_to_bicubic", "guarded_ratio_to_guided_estimate",
                "guided_estimate_ratio_to_bicubic"):
        if key in result:
            row[key] = result[key]
    if decision is not None:
        row["guard"] = decision.as_dict()
    return row


def evaluate(scenes, predict, factors=(2, 6), protocols=PROTOCOLS, log=None, predictor=None) -> dict:
    """Evaluate `predict` on loaded regions (core.wald.RegionArrays); returns the report dict.

    predictor: the Predictor behind `predict`, to score the guided estimate and the guard too.
    """
    report = {"scenes": [], "results": {}, "per_scene": {}}
    methods = METHODS + (PREDICTOR_METHODS if predictor is not None else ())
    usable, skipped = {}, {}
    for s in factors:
        spec = SPECS[FACTOR_NET[s]]
        report["results"][str(s)] = {}
        report["per_scene"][str(s)] = {}
        for protocol in protocols:
            refs, preds, rows = [], {m: [] for m in methods}, []
            for scene in scenes:
                if min(scene.shape) < MIN_LOW_PIXELS * s * s:
                    skipped.setdefault(scene.name, set()).add(s)
                    continue
                ref, pred, valid, decision = predictions(scene, s, protocol, predict, predictor)
                usable.setdefault(scene.name, set()).add(s)
                refs.append(ref[:, valid])  # no-data is not scored
                for m in methods:
                    preds[m].append(pred[m][:, valid])
                if valid.any():
                    rows.append(_scene_summary(scene.name, refs[-1], {m: v[-1] for m, v in preds.items()},
                                               spec.outputs, s, decision))
            report["per_scene"][str(s)][protocol] = rows
            if not refs:
                continue
            ref = np.concatenate(refs, axis=1)
            pooled = {m: np.concatenate(v, axis=1) for m, v in preds.items()}
            result = summarise(ref, pooled, spec.outputs, s)
            result["pixels"] = int(ref.shape[1])
            report["results"][str(s)][protocol] = result
            if log:
                log(f"x{s} {protocol}: model/bicubic {result['ratio_to_bicubic']:.3f}, "
                    f"model/guided linear {result['ratio_to_guided_linear']:.3f}")
    report["scenes"] = [{"name": n, "factors": sorted(f)} for n, f in usable.items()]
    report["skipped"] = [{"name": n, "factors": sorted(f), "why": f"smaller than {MIN_LOW_PIXELS} degraded pixels"}
                         for n, f in skipped.items()]
    return report


# The quality table's columns (name, type): one row per band plus the 'mean' row; Processing's table.
ROW_FIELDS = (
    ("band", str), ("factor", int), ("protocol", str), ("rmse", float), ("sre", float), ("sam", float),
    ("rmse_bicubic", float), ("rmse_guided", float), ("ratio_bicubic", float), ("ratio_guided", float),
)


def result_rows(result: dict, factor: int, protocol: str) -> list:
    """One dict per band (keys: ROW_FIELDS) plus the 'mean' row (which alone has a SAM: an angle across bands)."""
    rows = []
    for band, r in result["bands"].items():
        rows.append({"band": band, "factor": factor, "protocol": protocol, "rmse": r["model"]["rmse"],
                     "sre": r["model"]["sre"], "sam": None, "rmse_bicubic": r["bicubic"]["rmse"],
                     "rmse_guided": r["guided_linear"]["rmse"], "ratio_bicubic": r["ratio_to_bicubic"],
                     "ratio_guided": r["ratio_to_guided_linear"]})
    mean = result["mean"]
    rows.append({"band": "mean", "factor": factor, "protocol": protocol, "rmse": mean["model"]["rmse"],
                 "sre": mean["model"]["sre"], "sam": mean["model"]["sam"], "rmse_bicubic": mean["bicubic"]["rmse"],
                 "rmse_guided": mean["guided_linear"]["rmse"], "ratio_bicubic": result["ratio_to_bicubic"],
                 "ratio_guided": result["ratio_to_guided_linear"]})
    return rows


def table_rows(result: dict) -> list:
    """Rows (band, RMSE model/bicubic/guided, SRE model, ratio bicubic, ratio guided) + the mean."""
    return [[r["band"], r["rmse"], r["rmse_bicubic"], r["rmse_guided"], r["sre"], r["ratio_bicubic"],
             r["ratio_guided"]] for r in result_rows(result, 0, "")]


HEADER = ["band", "RMSE model", "RMSE bicubic", "RMSE guided", "SRE model (dB)", "/bicubic", "/guided"]


def _cells(row) -> list:
    return [row[0]] + [f"{v:.1f}" for v in row[1:4]] + [f"{row[4]:.2f}", f"{row[5]:.3f}", f"{row[6]:.3f}"]


def terminal_table(report: dict) -> str:
    lines = []
    for s, by_protocol in report["results"].items():
        for protocol, result in by_protocol.items():
            lines.append(f"x{s}, {protocol} degradation ({result['pixels']} pixels per band)")
            lines.append("  ".join(f"{h:>14}" for h in HEADER))
            for row in table_rows(result):
                lines.append("  ".join(f"{c:>14}" for c in _cells(row)))
            mean = result["mean"]
            lines.append("SAM (deg) model {:.2f} bicubic {:.2f} guided {:.2f};  ERGAS model {:.2f} bicubic {:.2f} "
                         "guided {:.2f}".format(mean["model"]["sam"], mean["bicubic"]["sam"],
                                                mean["guided_linear"]["sam"], mean["model"]["ergas"],
                                                mean["bicubic"]["ergas"], mean["guided_linear"]["ergas"]))
            if "guarded_ratio_to_bicubic" in result:
                lines.append(_guard_line(result))
            lines.append("")
    return "\n".join(lines)


def markdown(report: dict, title: str = "Evaluation at reduced scale") -> str:
    lines = [f"# {title}", ""]
    if report.get("about"):
        lines += [report["about"], ""]
    lines += ["Scenes (factors): " + ", ".join(f"`{s['name']}` (x{'/x'.join(map(str, s['factors']))})"
                                       for s in report["scenes"]), ""]
    if report.get("skipped"):
        lines += [f"Left out (the bands to restore would be smaller than {MIN_LOW_PIXELS} x {MIN_LOW_PIXELS} "
                  "pixels after degrading): " + ", ".join(f"`{s['name']}` (x{'/x'.join(map(str, s['factors']))})"
                                                          for s in report["skipped"]), ""]
    for s, by_protocol in report["results"].items():
        for protocol, result in by_protocol.items():
            lines += [f"## x{s}, {protocol} degradation", "", "| " + " | ".join(HEADER) + " |",
                      "|" + "---|" * len(HEADER)]
            for row in table_rows(result):
                lines.append("| " + " | ".join(_cells(row)) + " |")
            mean = result["mean"]
            lines += ["", "| | model | bicubic | guided linear |", "|---|---|---|---|",
                      "| SAM (deg) | {:.2f} | {:.2f} | {:.2f} |".format(
                          mean["model"]["sam"], mean["bicubic"]["sam"], mean["guided_linear"]["sam"]),
                      "| ERGAS | {:.2f} | {:.2f} | {:.2f} |".format(
                          mean["model"]["ergas"], mean["bicubic"]["ergas"], mean["guided_linear"]["ergas"]), ""]
            if "guarded_ratio_to_bicubic" in result:
                lines += [_guard_line(result) + ".", ""]
    return "\n".join(lines)


def report_html(report: dict, product: str) -> str:
    """A self-contained page: per-band table, SAM and ERGAS, for each factor and protocol evaluated."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>digisat evaluation</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px;text-align:right}th{background:#eee}</style></head><body>",
        f"<h1>Reduced-scale evaluation of {html.escape(os.path.basename(product.rstrip('/')) or product)}</h1>",
        "<p>Every band is degraded by the factor, super-resolved back and compared with the band as delivered "
        "(Wald protocol). RMSE in DN (reflectance x 10000), SRE in dB; the ratios are the model's RMSE over the "
        "baseline's (below 1: the model is better).</p>",
    ]
    for s, by_protocol in report["results"].items():
        for protocol, result in by_protocol.items():
            parts.append(f"<h2>x{html.escape(s)}, {html.escape(protocol)} degradation "
                         f"({result['pixels']} pixels per band)</h2><table><tr>")
            parts.append("".join(f"<th>{h}</th>" for h in HEADER[:5] + ["model / bicubic", "model / guided"]))
            parts.append("</tr>")
            for row in table_rows(result):
                parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(row)) + "</tr>")
            mean = result["mean"]
            parts.append("</table><table><tr><th></th><th>model</th><th>bicubic</th><th>guided linear</th></tr>")
            for metric, label in (("sam", "SAM (deg)"), ("ergas", "ERGAS")):
                parts.append(f"<tr><th>{label}</th>" + "".join(
                    f"<td>{mean[m][metric]:.2f}</td>" for m in ("model", "bicubic", "guided_linear")) + "</tr>")
            parts.append("</table>")
    parts.append("<details><summary>Markdown</summary><pre>" + html.escape(markdown(report)) + "</pre></details>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _guard_line(result: dict) -> str:
    return ("guided estimate / bicubic {:.3f}; model / guided estimate {:.3f}; after the guard: / bicubic {:.3f}, "
            "/ guided estimate {:.3f}".format(result["guided_estimate_ratio_to_bicubic"],
                                              result["ratio_to_guided_estimate"], result["guarded_ratio_to_bicubic"],
                                              result["guarded_ratio_to_guided_estimate"]))


def write_atomic(path: str, text: str) -> None:
    """Write text under a temporary name, then rename: never a half-written report."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, "." + os.path.basename(path) + ".tmp")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None


def write_json(path: str, report: dict) -> None:
    write_atomic(path, json.dumps(report, indent=1, sort_keys=True) + "\n")
