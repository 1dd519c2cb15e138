"""The guard: on the user's own data, never write a network's output that is worse than the
guided estimate it corrects.

Before a run, each network needed is checked on (the centre of) the window being processed, at
reduced scale (Wald protocol with the MTF-matched blur): its output and the guided estimate alone
are both compared with the bands as delivered. Where the network does not beat the estimate, or
where the window is too small to tell, that band group is written from the guided estimate.
At x6 the rule differs (MIN_BLUR, CHECK_LIMIT below): net60 writes only on bands that carry
sensor-like blur, and the check there refuses only gross failures. net20 writes only where the
window's blur is within what its training pairs had (BLUR_RANGE_NETS, the card's range).

Why the MTF blur alone: degrading adds the sensor-like blur the networks were trained to undo,
so the check stays within what they learnt. DSen2's weak blur, applied to data that is already
reduced, leaves less blur than any training pair had; there the networks over-correct, and on
the leave-scene-out folds that check called the network worse on 24 of 28 x2 cases where it was
in truth 8-28 % better (scripts/leave_scene_out.py; docs/models.md, "The guard").
The choice and the measured ratio go to the CLI, the QGIS log, Processing's results and the
output's metadata (core/sr/engine.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..definitions import BANDS_10M, GUARD_PROTOCOLS
from ..sr.consistency import back_projection
from ..sr.guided import BLUR_QUANTUM
from ..sr.spec import (
    SPECS,
    Prepared,
    blur_parts,
    centre_fit,
    prepare_inputs,
    valid_at,
    window_blur,
    window_fit,
    with_shares,
)
from ..wald import MIN_LOW_PIXELS, degrade, degrade_bands
from .blocks import block_error, block_limit

PROTOCOLS = GUARD_PROTOCOLS
# The least blur (the window's estimate for each output band, as a fraction of the outputs' pixel)
# on which a network may write; below it the guided estimate is written without a check. Leave-scene-
# out, net60 beat its estimate on both x6 cases whose bands were blurred like the sensor's MTF
# (estimated 0.45-0.5 s) and lost on both under DSen2's weak blur (0-0.07 s; 1.04-1.31 x its error):
# with little blur to undo it over-corrects, as the networks do at x2 (module docstring). The
# reduced-scale check alone had let the worst of those through (docs/models.md, "The guard").
# Delivered 60 m bands measure 0-0.1 s (Virginia) to 0.35-0.5 s (Malmo, BigEarthNet).
MIN_BLUR = {"net60": 0.25}
# Above the blur, what the reduced-scale check can still tell at x6: the window degraded by 6 twice
# leaves a few dozen coarse pixels, and leave-scene-out the check called a network 1.10 x worse than
# its estimate a win (0.89) and one 0.94 x a loss (1.29). So at x6 it only catches gross failures
# (weights broken or trained on something else): the network is refused where its error is this
# many times the estimate's; at x2, where the check is reliable, wherever it does not win.
CHECK_LIMIT = {"net60": 1.5}
# Networks that write only where every output band's window blur lies within the range of their
# training pairs (the card's training.blur_range), give or take one step of the estimate's rounding
# (guided.BLUR_QUANTUM): a network reads each band's blur and, a ReLU network, extrapolates freely
# beyond what it saw. Leave-scene-out, the one x2 case the reduced-scale check let through (a
# December L2A patch whose SWIR bands, at reduced scale, measured 0.4 px where every training pair
# had 0.5 or more) was such a case; told the blur the other patches had, net20 came to about the
# estimate's error there instead of 1.7 x it (docs/models.md, "The guard"). At x6 MIN_BLUR decides instead: the x6 pairs come from two scenes.
BLUR_RANGE_NETS = ("net20",)
# Networks whose check also decides band by band (SHARE_NETS): on each output band where the check
# can tell, the network's correction is written where it beats the estimate at reduced scale and,
# where it does not, only the share of it that fits best there (least squares, at most a half: a
# larger share would beat the estimate). The check can tell on a band where the reduced input it
# makes (the window degraded once more with the MTF blur) measures the window's own blur, give or
# take one rounding step: there the comparison is one at the window's own blur. Delivered 20 m
# bands measure 0.6-1.2 px, like the MTF degradation (0.7-1.3 px); windows of weakly blurred bands
# (the DSen2 degradation, 0.4-0.9 px) come out of it 0.2-0.6 px more blurred, and on them the check
# told the SWIR bands' network from the estimate wrongly in 6 of 13 patches (docs/models.md, "The
# guard"). Elsewhere a band follows its group's decision. Leave-scene-out this wrote the estimate's
# SWIR bands, mixed with some of the network's, on the one x2 case the group's check let through
# (net20 1.09 x the estimate's error under MTF; 0.98 after the guard). At x6 the check cannot tell
# band by band (CHECK_LIMIT).
SHARE_NETS = ("net20",)
# The centre checked is at most this many base pixels a side: at x2 it costs about a quarter of
# the network's work on that part; on larger windows far less of the whole run.
MAX_SIZE = 1152
# Networks whose written outputs are held to global guided-linear (`linear_floor`): the 60 m bands.
# Issue 29: on unseen L2A scenes under the MTF blur the written B01/B09 were 1.06-1.08 x its error,
# and their averages over 3 x 3 delivered pixels 4-6 x as far from the delivered band as its.
FLOOR_NETS = ("net60",)
# The blur of the guides when the floor's check degrades the window (the outputs get the window's own).
FLOOR_PROTOCOL = "mtf"
# Where the coarse averages are off, back-projection brings them to this fraction of the full-scale
# limit (1.5 x guided-linear's error + 1 % of the mean), measured on the window's centre: the rest of
# the window is not measured, so not to the limit itself.
CONSISTENCY_TARGET = 0.8
# The centre on which the floor measures that error, base pixels a side (a multiple of 36; the
# written output is computed there only, with the network's margin around it): 288 px are 16 x 16
# blocks of 3 x 3 delivered 60 m pixels. An RMSE over n blocks has a relative standard error of
# about 1 / sqrt(2 n), 4-5 % for 256, well within the 20 % CONSISTENCY_TARGET leaves below the
# limit; writing the whole checked window (up to MAX_SIZE a side) to measure it took 2-3 x the
# guard's own check.
FLOOR_CENTRE = 288


@dataclass
class GuardDecision:
    net: str
    method: str  # "network" or "guided"
    ratio: float | None  # network RMSE / guided-estimate RMSE at reduced scale (None: not measured)
    rmse_network: float | None = None
    rmse_guided: float | None = None
    pixels: int = 0
    why: str = ""
    ratios: dict | None = None  # per degradation
    # Per output band, the share of the network's correction written on the guided estimate
    # (SHARE_NETS; None: all of it where method is "network"): 1 where the network won the band.
    shares: list | None = None
    # The linear floor (FLOOR_NETS, `linear_floor`): {"slopes": (G, B) of global guided-linear on the
    # window, "shares": per band the share of the way from it to the above that is written,
    # "consistency": per band the weight of one round of back-projection, "why": in words}; None: none.
    linear: dict | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def written(self):
        """What the engine writes: "network", "guided", or the shares per output band, or with a
        linear floor a dict of one of those ("written") and the floor (Predictor's methods)."""
        written = self.method if self.shares is None else list(self.shares)
        if self.linear is None:
            return written
        return {"written": written, **{k: self.linear[k] for k in ("slopes", "shares", "consistency")}}

    def share(self, band: str) -> float:
        """The share of the network's correction written on `band` (one of the network's outputs)."""
        if self.shares is not None:
            return float(self.shares[SPECS[self.net].outputs.index(band)])
        return 1.0 if self.method == "network" else 0.0

    def band_method(self, band: str) -> str:
        """How `band` is written, in words (band metadata, the full-scale table)."""
        share = self.share(band)
        if share == 1:
            how = f"network {self.net}"
        elif share == 0:
            how = "guided estimate (guard fallback)"
        else:
            how = f"guided estimate + {share:.2f} x network {self.net}'s correction (guard)"
        if self.linear is None:
            return how
        i = SPECS[self.net].outputs.index(band)
        part, weight = self.linear["shares"][i], self.linear["consistency"][i]
        if part < 1:
            how = f"global guided-linear + {part:.2f} x the way to the {how}"
        if weight > 0:
            how += f", back-projected onto the delivered band by {weight:.2f}"
        return how

    def mix(self, network: np.ndarray, estimate: np.ndarray) -> np.ndarray:
        """The output written, from (n_out, ...) arrays of the network's output and the guided estimate."""
        shares = [self.share(b) for b in SPECS[self.net].outputs]
        return np.moveaxis(with_shares(np.moveaxis(estimate, 0, -1), np.moveaxis(network, 0, -1), shares), -1, 0)

    def line(self) -> str:
        """One line for the CLI and the QGIS log."""
        bands = " ".join(SPECS[self.net].outputs)
        chosen = "network" if self.method == "network" else "guided estimate"
        floor = f"; {self.linear['why']}" if self.linear is not None and self.linear.get("why") else ""
        if self.ratio is None:
            return f"guard {self.net} ({bands}): {chosen} written ({self.why}){floor}"
        part = ""
        if self.shares is not None:
            part = ", ".join(f"{b} {w:.2f}" for b, w in zip(SPECS[self.net].outputs, self.shares, strict=True) if w < 1)
            part = f"; share of the network's correction written on {part}"
        return (f"guard {self.net} ({bands}): {chosen} written{floor}; at reduced scale the network's RMSE is "
                f"{self.ratio:.2f} x the guided estimate's ({self.rmse_network:.1f} vs {self.rmse_guided:.1f} DN)"
                + part + (f"; {self.why}" if self.why else ""))


def min_size(net: str) -> int:
    s = SPECS[net].scale
    return MIN_LOW_PIXELS * s * s


def outside_training_blur(card: dict, spec, blur) -> str:
    """'' where every output band's blur is within the card's training range (one rounding step of
    slack; a card without a range passes), else which bands are outside and by what."""
    known = card.get("training", {}).get("blur_range") or {}
    slack = BLUR_QUANTUM * spec.scale + 1e-6
    out = [f"{band} blurred {width:.2f} px (trained on {known[band][0]:.2f}-{known[band][1]:.2f})"
           for band, width in zip(spec.outputs, blur_parts(spec, blur)[0], strict=True)
           if band in known and not known[band][0] - slack <= width <= known[band][1] + slack]
    return "; ".join(out)


def check(predictor, native: dict, ratios: dict, net: str, blur=None, prior=None) -> GuardDecision:
    """Decide for one network (`_check`), then, for FLOOR_NETS, hold what it writes to global
    guided-linear (`linear_floor`). Arguments as `_check`; prior: the window's (with blur, the fit
    the engine writes it with: spec.centre_fit), for the floor."""
    decision = _check(predictor, native, ratios, net, blur)
    if net in FLOOR_NETS:
        decision.linear = linear_floor(predictor, native, ratios, net, decision, blur, prior)
    return decision


def _check(predictor, native: dict, ratios: dict, net: str, blur=None) -> GuardDecision:
    """Decide for one network on in-memory native-grid arrays (model scale, 0 = no data).

    native must hold every input band of the network; its base size need not divide by anything
    (the top-left part that divides by 6 s is used). blur: the window's (spec.window_blur), estimated
    on that part when None.
    """
    spec = SPECS[net]
    s = spec.scale
    base = next(b for b in spec.inputs if ratios[b] == 1)
    height, width = native[base].shape
    cell = 6 * s
    h, w = height // cell * cell, width // cell * cell
    if min(h, w) < min_size(net):
        return GuardDecision(net, "guided", None, why=f"window under {min_size(net)} x {min_size(net)} pixels, "
                                                      "too small to check the network")
    crop = {b: native[b][: h // ratios[b], : w // ratios[b]] for b in spec.inputs}
    valid = valid_at(crop, spec)  # on the delivered outputs' grid = the reduced-scale base grid
    if valid.sum() < MIN_LOW_PIXELS * MIN_LOW_PIXELS:
        return GuardDecision(net, "guided", None, why="too little data in the window to check the network")
    if blur is None:
        blur = window_blur(crop, spec, valid)
    if net in BLUR_RANGE_NETS:
        outside = outside_training_blur(predictor.net(net).card, spec, blur)
        if outside:
            return GuardDecision(net, "guided", None, why=f"{outside}, outside what {net} was trained on")
    if net in MIN_BLUR:
        least = float(np.min(blur_parts(spec, blur)[0])) / s
        if least < MIN_BLUR[net]:
            return GuardDecision(net, "guided", None, why=f"{'/'.join(spec.outputs)} blurred {least:.2f} of a pixel, "
                                 f"less than the {MIN_BLUR[net]:.2f} on which {net} was validated")
    truth = np.stack([crop[b] for b in spec.outputs], axis=-1)[valid]
    errors = {"network": [], "guided": []}
    fits = np.zeros((2, len(spec.outputs)))  # per band: <network - estimate, truth - estimate>, |network - estimate|^2
    told = np.ones(len(spec.outputs), bool)  # per band: the check's input measures the window's own blur
    for protocol in PROTOCOLS:
        low = degrade_bands(crop, s, protocol)
        low_blur = window_blur(low, spec, valid_at(low, spec))
        told &= np.abs(blur_parts(spec, low_blur)[0] - blur_parts(spec, blur)[0]) <= BLUR_QUANTUM * s + 1e-6
        # One untiled pass (the reduced-scale window is small): the guided estimate is the network's base.
        prepared = prepare_inputs(low, ratios, spec, low_blur)
        outputs = {"network": predictor.run_net(net, Prepared(prepared.inputs[None], prepared.scale[None],
                                                               prepared.base[None]))[0],
                   "guided": prepared.base}
        for m, out in outputs.items():
            errors[m].append(float(np.mean(np.sqrt(np.mean((out[valid] - truth) ** 2, axis=0)))))
        step = outputs["network"][valid] - prepared.base[valid]
        fits += [np.sum(step * (truth - prepared.base[valid]), axis=0), np.sum(step * step, axis=0)]
    ratio = float(np.mean([n / max(g, 1e-9) for n, g in zip(errors["network"], errors["guided"], strict=True)]))
    limit = CHECK_LIMIT.get(net, 1.0)
    method = "network" if ratio < limit else "guided"
    if limit == 1.0:
        why = "" if method == "network" else "the network did not beat the guided estimate here"
    elif method == "network":
        why = f"at x{s} this check refuses only errors over {limit:g} x the estimate's"
    else:
        why = f"the network's error was over {limit:g} x the guided estimate's here"
    per = {p: n / max(g, 1e-9) for p, n, g in zip(PROTOCOLS, errors["network"], errors["guided"], strict=True)}
    shares = None
    if net in SHARE_NETS:
        shares = band_shares(fits[0], fits[1], told, method == "network")
        method = "guided" if not shares.any() else "network"
        shares = None if (shares == 1).all() or not shares.any() else [round(float(w), 3) for w in shares]
        if shares is not None and method == "network" and ratio >= limit:
            why = "the network did not beat the guided estimate here, but did on some bands"
    return GuardDecision(net, method, ratio, float(np.mean(errors["network"])), float(np.mean(errors["guided"])),
                         int(valid.sum()), why, per, shares)


def band_shares(gain, size, told, network: bool) -> np.ndarray:
    """Per band, the share of the network's correction to write (SHARE_NETS): where the check can
    tell (`told`), 1 where the network beats the estimate, else the least-squares share (under a
    half exactly then; none where the group's check was lost: a broken network is not mixed in);
    elsewhere 1 or 0 as the group's decision (`network`).

    gain, size: per band, <network - estimate, truth - estimate> and |network - estimate|^2 at
    reduced scale. The network beats the estimate on a band iff gain / size > 1/2.
    """
    best = np.clip(np.asarray(gain, np.float64) / np.maximum(np.asarray(size, np.float64), 1e-12), 0.0, 1.0)
    return np.where(told, np.where(best > 0.5, 1.0, best if network else 0.0), 1.0 if network else 0.0)



def _top_left(native: dict, ratios: dict, spec, cell: int) -> dict:
    base = next(b for b in spec.inputs if ratios[b] == 1)
    h, w = (d // cell * cell for d in native[base].shape)
    return {b: native[b][: h // ratios[b], : w // ratios[b]] for b in spec.inputs}


def _written(predictor, native, ratios, spec, written, fit) -> np.ndarray:
    out = predictor.predict(native, ratios, list(spec.outputs), methods={spec.name: written}, fits={spec.name: fit})
    return np.stack([out[b] for b in spec.outputs])


def _centre(native: dict, ratios: dict, spec, side: int, margin: int) -> tuple:
    """(the window's centre of at most `side` base pixels a side with `margin` more around it where the
    window has them, the centre's offset in that part); all aligned to the outputs' grid."""
    s = spec.scale
    base = next(b for b in spec.inputs if ratios[b] == 1)
    height, width = native[base].shape
    box = []
    for d in (height, width):
        n = min(side, d) // (6 * s) * 6 * s
        start = (d - n) // 2 // (6 * s) * 6 * s
        lo = max(start - margin, 0) // (6 * s) * 6 * s
        hi = min(-(-(start + n + margin) // (6 * s)) * 6 * s, d // (6 * s) * 6 * s)
        box.append((lo, hi, start - lo, n))
    (r0, r1, ro, rn), (c0, c1, co, cn) = box
    part = {b: native[b][r0 // ratios[b]: r1 // ratios[b], c0 // ratios[b]: c1 // ratios[b]] for b in spec.inputs}
    return part, (ro, co, rn, cn)


def back_projection_weight(out: np.ndarray, low: np.ndarray, s: int, err: float, target: float) -> float:
    """The weight of one round of back-projection that brings the block error `err` of `out` to
    `target`, from the error measured after a whole round: the block error is convex in the weight,
    so the chord between no round and a whole one lies above it, and the weight where the chord
    meets the target is enough. 1 where even a whole round leaves it above the target (one round is
    what fits in the networks' margins), 0 where it is already below. A whole cubic round does not
    take the error to 0; taking the weight as if it did (1 - target / err) left the B01 of five
    BigEarthNet patches outside the full-scale limit, this rule none (scripts/fullscale_check.py)."""
    if err <= target:
        return 0.0
    after = block_error(out + back_projection(out, low, s), low, s)
    if after >= target:
        return 1.0
    return float(np.clip((err - target) / max(err - after, 1e-9), 0.0, 1.0))


def linear_floor(predictor, native: dict, ratios: dict, net: str, decision: GuardDecision, blur=None,
                 prior=None) -> dict | None:
    """Hold what `decision` writes to global guided-linear (guided.guided_linear), per output band,
    on the window itself (no truth needed). Returns GuardDecision.linear, or None where the window
    has too little data for a regression.

    1. Error: where the window is large enough to degrade once more (`min_size`), the outputs are
       degraded by the scale with the blur estimated on the window itself (the guides with the MTF
       blur, as `_check`), the window is restored from that by what the decision writes and by
       guided-linear, and the least-squares share of the way from guided-linear to the written
       output is kept (clipped to 0..1; all of it where that share is over a half, i.e. where the
       written output beats guided-linear there). Degrading with the window's own blur keeps the
       comparison to the blur the window has: under the MTF blur a window whose bands are not blurred
       would favour the blur-aware estimate, under no blur the reverse. Smaller windows keep all of it.
    2. Radiometry (core/quality/fullscale.py's criterion, guided-linear its reference): on the window
       as delivered, the output averaged over blocks of BLOCK x BLOCK delivered pixels against the
       delivered band, on the window's centre (FLOOR_CENTRE, written with the window's blur and
       prior: `blur`/`prior`, else as Predictor.predict fits them on the window). Where that error is
       over CONSISTENCY_TARGET of the limit (quality/blocks.block_limit on guided-linear's error), one
       round of back-projection onto the delivered band is added, weighted just enough to bring it
       there as measured after a whole round (`back_projection_weight`).
    """
    from ..sr.guided import guided_linear, linear_slopes

    spec = SPECS[net]
    s = spec.scale
    native = _top_left(native, ratios, spec, 6 * s)
    if not native[spec.outputs[0]].size:
        return None
    valid = valid_at(native, spec)
    low = np.stack([native[b] for b in spec.outputs]).astype(np.float32)
    guides = np.stack([native[b] for b in BANDS_10M]).astype(np.float32)
    if valid.sum() <= 4 * (len(guides) + 1):
        return None
    slopes = linear_slopes(low, guides, s, valid)
    shares = np.ones(len(spec.outputs))
    why = []
    written = decision.written()
    height, width = native[BANDS_10M[0]].shape
    if blur is None or (spec.prior and prior is None):
        blur, prior = window_fit(native, spec, valid)
    if min(height, width) >= min_size(net):
        widths = blur_parts(spec, blur)[0]
        reduced = degrade_bands(native, s, FLOOR_PROTOCOL)
        for i, band in enumerate(spec.outputs):
            reduced[band] = degrade(native[band], s, float(widths[i]))
        if valid.sum() >= MIN_LOW_PIXELS * MIN_LOW_PIXELS:  # valid: the reduced window's base grid
            truth = np.stack([native[b] for b in spec.outputs])[:, valid].astype(np.float64)
            rlow = np.stack([reduced[b] for b in spec.outputs]).astype(np.float32)
            rlin = guided_linear(rlow, np.stack([reduced[b] for b in BANDS_10M]), s, valid_at(reduced, spec))
            rout = _written(predictor, reduced, ratios, spec, written, centre_fit(reduced, spec))
            step = (rout - rlin)[:, valid].astype(np.float64)
            gain = np.sum(step * (truth - rlin[:, valid]), axis=1)
            best = np.clip(gain / np.maximum(np.sum(step * step, axis=1), 1e-12), 0.0, 1.0)
            shares = np.where(best > 0.5, 1.0, best)
            lost = [f"{b} {w:.2f}" for b, w in zip(spec.outputs, shares, strict=True) if w < 1]
            if lost:
                why.append("global guided-linear beat it at reduced scale: written it plus that share of the way "
                           "to it on " + ", ".join(lost))
    floor = {"slopes": slopes.tolist(), "shares": [round(float(w), 3) for w in shares],
             "consistency": [0.0] * len(spec.outputs)}
    part, (ro, co, rn, cn) = _centre(native, ratios, spec, FLOOR_CENTRE, predictor.net(net).margin)
    out = _written(predictor, part, ratios, spec, {"written": written, **floor}, (blur, prior))
    out = out[:, ro:ro + rn, co:co + cn]
    low = np.stack([part[b] for b in spec.outputs]).astype(np.float32)
    lin = guided_linear(low, np.stack([part[b] for b in BANDS_10M]), s, slopes=slopes)[:, ro:ro + rn, co:co + cn]
    low = low[:, ro // s:(ro + rn) // s, co // s:(co + cn) // s]
    weights = []
    for i in range(len(spec.outputs)):
        err, ref = block_error(out[i], low[i], s), block_error(lin[i], low[i], s)
        mean = float(low[i][low[i] != 0].mean()) if (low[i] != 0).any() else 0.0
        target = CONSISTENCY_TARGET * block_limit(ref, mean)
        weights.append(round(back_projection_weight(out[i], low[i], s, err, target), 3))
    floor["consistency"] = weights
    if any(weights):
        why.append("back-projected onto the delivered band by " + ", ".join(
            f"{b} {w:.2f}" for b, w in zip(spec.outputs, weights, strict=True) if w > 0)
            + " (its coarse averages were off by over 1.5 x guided-linear's)")
    floor["why"] = "; ".join(why)
    return floor
