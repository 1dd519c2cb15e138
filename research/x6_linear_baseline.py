"""The written 60 m bands against the global guided-linear estimate (issue 29, item 4).

On every scene the shipped x6 path can be judged on without having trained on it
(scripts/uncertainty_data.py GROUPS[6]: Virginia's northern test rows, and Malmö, where the guard
writes the estimate; the BigEarthNet test patches are too small for x6 and Berlin is lossy), both
degradations, real B01/B09 at x6 (Wald protocol, as `make evaluate`): RMSE over bicubic's per
band of

- written (before): what the engine wrote before this study (guard.check, then Predictor.predict);
- net60: the network alone (--no-guard);
- local estimate: the guided estimate the network corrects (what the guard falls back to);
- global guided-linear: guided.guided_linear (one regression per window, box-averaged guides);
- candidates: back-projection (box, or with the band's estimated blur) applied to what is written,
  blends with guided-linear, the global fit with the estimated blur;
- written (after): what the engine writes now (Predictor.predict with the guard's decision).

And at full scale (core/quality/fullscale.py) on the same scenes, B01/B09 averaged over blocks of
3 x 3 delivered pixels against the delivered band: the block RMSE of what is written and of
guided-linear.

Run: PYTHONPATH=scripts .venv/bin/python research/x6_linear_baseline.py  (a few minutes on 2 CPUs; scripts/ on the
path for its uncertainty_data, as when it runs as a script)
Writes research/x6_linear_baseline.md.
"""

from __future__ import annotations

import os
import time

import numpy as np
from uncertainty_data import GROUPS  # noqa: E402  (scripts/ on PYTHONPATH)

from digisat_plugin.core.definitions import BANDS_10M, PROTOCOLS
from digisat_plugin.core.quality.baselines import bicubic
from digisat_plugin.core.quality.guard import check as guard_check
from digisat_plugin.core.quality.metrics import rmse
from digisat_plugin.core.sr import guided
from digisat_plugin.core.sr.consistency import enforce_consistency
from digisat_plugin.core.sr.predict import Predictor
from digisat_plugin.core.sr.resample import upsample
from digisat_plugin.core.sr.spec import NET60, blur_parts, centre_fit, valid_at
from digisat_plugin.core.wald import crop, degraded_scene, load_region

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "x6_linear_baseline.md")
S = NET60.scale


def blur_back_projection(pred, low, sigma, rounds=3):
    """pred (B, H, W) made consistent with low (B, h, w) under the forward model blur (Gaussian
    sigma[b] base pixels) then s x s block mean: the residual upsampled (cubic) and added."""
    out = np.asarray(pred, np.float32).copy()
    for _ in range(rounds):
        for b in range(len(out)):
            sim = guided._blurred_low(out[b][None], float(sigma[b]), S)[0]
            out[b] += upsample((low[b] - sim)[None].astype(np.float32), S, "cubic")[0]
    return out


def global_blurred(low, guides, sigma, valid):
    """One regression per window on the guides blurred as estimated; detail with the same blur."""
    coef = guided.global_coefficients(low, guides, S, sigma, valid)  # (G, B)
    out = []
    for b in range(len(low)):
        gl = guided._blurred_low(guides, float(sigma[b]), S)
        out.append(upsample(low[b][None].astype(np.float32), S, "cubic")[0]
                   + np.tensordot(coef[:, b], guides - upsample(gl, S, "cubic"), axes=1))
    return np.stack(out)


def cases():
    for regions in GROUPS[6].values():
        for region in regions:
            scene = load_region(region)
            for protocol in PROTOCOLS:
                yield region.name, protocol, scene


def reduced(predictor, scene, protocol):
    low = degraded_scene(scene, S, protocol)
    truth = crop(scene, 6 * S)
    ref = np.stack([truth.native[b] for b in NET60.outputs]).astype(np.float64)
    native = {b: low.native[b] for b in NET60.inputs}
    valid = ~low.nodata
    lowt = np.stack([native[b] for b in NET60.outputs]).astype(np.float32)
    guides = np.stack([native[b] for b in BANDS_10M]).astype(np.float32)
    decision = guard_check(predictor, native, low.ratios, "net60")
    outs = lambda m: np.stack([v for v in map(predictor.predict(native, low.ratios, list(NET60.outputs),  # noqa: E731
                                                                  methods=m).get, NET60.outputs)])
    net = outs(None)
    est = outs({"net60": "guided"})
    before = decision.linear
    decision.linear = None  # what the engine wrote before the floor
    written = outs({"net60": decision.written()})
    written_before = written
    decision.linear = before
    lin = guided.guided_linear(lowt, guides, S, valid_at(native, NET60))
    blur = blur_parts(NET60, centre_fit(native, NET60)[0])[0]
    preds = {
        "bicubic": bicubic(lowt, S),
        "written (before)": written_before,
        "net60 (no guard)": net,
        "local estimate": est,
        "global guided-linear": lin,
        "global fit, guides blurred as estimated": global_blurred(lowt, guides, blur, valid_at(native, NET60)),
        "written + box back-projection": enforce_consistency(written, lowt, S),
        "written + blur back-projection": blur_back_projection(written, lowt, blur),
        "local estimate + blur back-projection": blur_back_projection(est, lowt, blur),
        "net60 + blur back-projection": blur_back_projection(net, lowt, blur),
        "(written + guided-linear) / 2": 0.5 * (written + lin),
        "(written + guided-linear) / 2 + blur back-projection": blur_back_projection(0.5 * (written + lin), lowt, blur),
    }
    after = predictor.predict(native, low.ratios, list(NET60.outputs), methods={"net60": decision.written()})
    preds["written (after)"] = np.stack([after[b] for b in NET60.outputs])
    scores = {m: [rmse(ref[i][valid], p[i][valid]) for i in range(len(ref))] for m, p in preds.items()}
    return scores, decision, blur


def main() -> None:
    predictor = Predictor(device="cpu")
    table, full = [], []
    for name, protocol, scene in cases():
        t0 = time.monotonic()
        scores, decision, blur = reduced(predictor, scene, protocol)
        table.append((name, protocol, scores, decision, blur))
        bic = scores["bicubic"]
        print(name, protocol, f"{time.monotonic() - t0:.0f}s", decision.method,
              {m: [round(v / b, 3) for v, b in zip(s, bic, strict=True)] for m, s in scores.items()}, flush=True)
    seen = set()
    for name, _, scene in cases():
        if name in seen:
            continue
        seen.add(name)
        full.append((name, fullscale_rows(predictor, scene)))
        print(name, full[-1][1], flush=True)
    write(table, full)


def fullscale_rows(predictor, scene):
    from digisat_plugin.core.quality.fullscale import consistency_rows

    return consistency_rows(predictor, scene.native, scene.ratios, list(NET60.outputs))


def write(table, full) -> None:
    methods = [m for m in table[0][2] if m != "bicubic"]
    lines = ["# x6: the written 60 m bands against global guided-linear", "",
             "`research/x6_linear_baseline.py` (issue 29, item 4). Real B01/B09 at x6, Wald protocol as `make "
             "evaluate`, on the scenes net60 was not trained on or where the guard writes the estimate "
             "(scripts/uncertainty_data.py GROUPS[6]). RMSE over bicubic's, per band and the mean of the two "
             "(lower is better); in brackets the ratio to global guided-linear's RMSE.", ""]
    head = "| method | " + " | ".join(f"{n.split('_')[-1]} {p} {b}" for n, p, *_ in table for b in
                                      ("B01", "B09", "mean")) + " |"
    lines += [head, "|---" * (1 + 3 * len(table)) + "|"]
    for m in methods:
        cells = []
        for _, _, scores, _, _ in table:
            bic, lin, s = scores["bicubic"], scores["global guided-linear"], scores[m]
            for i in range(2):
                cells.append(f"{s[i] / bic[i]:.3f} ({s[i] / lin[i]:.2f})")
            mean = np.mean(s) / np.mean(bic)
            cells.append(f"**{mean:.3f}** ({np.mean(s) / np.mean(lin):.2f})")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += ["", "Guard decisions and estimated blur (fraction of s) at reduced scale:", ""]
    for n, p, _, d, blur in table:
        lines.append(f"- {n} {p}: {d.line()}; blur B01 {blur[0] / S:.2f}, B09 {blur[1] / S:.2f}")
    lines += ["", "## Full scale: blocks of 3 x 3 delivered pixels (core/quality/fullscale.py)", "",
              "| scene | band | method | block RMSE written | block RMSE guided estimate | block RMSE guided-linear |"
              " within limit |", "|---|---|---|---|---|---|---|"]
    for name, rows in full:
        for r in rows:
            lines.append(f"| {name} | {r['band']} | {r['method']} | {r['block_rmse_enhanced']:.1f} | "
                         f"{r['block_rmse_guided']:.1f} | {r.get('block_rmse_linear', float('nan')):.1f} | "
                         f"{'yes' if r['block_ok'] else 'NO'} |")
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
