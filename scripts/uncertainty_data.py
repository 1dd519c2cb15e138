"""What the uncertainty scripts share: the calibration scenes and their Wald pairs (cached).

The networks must not have seen the scenes the layer is calibrated and validated on, or their
errors there are smaller than anywhere else: the shipped networks never saw the held-out test
split (core/train/splits.py), so the x2 pairs come from it (Virginia's northern third, the six
BigEarthNet test patches). At x6 the test split has one scene large enough (Virginia's north), so
Malmo joins it: net60 trained on Malmo, but at x6 the guard writes the guided estimate on both
(their reduced copies are too small to check net60, and under DSen2's blur it is refused), which
learns nothing from any scene; `Pairs.written` records it and the scripts check it.
Groups are held out together (patches of one acquisition year are one group).
"""

from __future__ import annotations

import os
import pickle

from digisat_plugin.core.definitions import PROTOCOLS
from digisat_plugin.core.train.splits import BEN_TEST, MALMO, VIRGINIA, VIRGINIA_TEST_ROWS, Region

GROUPS = {
    2: {"virginia-north": [Region(VIRGINIA, 0, VIRGINIA_TEST_ROWS)],
        "ben2017-test": [Region(f"bigearthnet/{n}") for n in BEN_TEST if "_2017" in n],
        "ben2018-test": [Region(f"bigearthnet/{n}") for n in BEN_TEST if "_2018" in n]},
    6: {"virginia-north": [Region(VIRGINIA, 0, VIRGINIA_TEST_ROWS)], "malmo": [Region(MALMO)]},
}


def collect(factor: int, predictor, cache: str | None = None, log=print, crop=None) -> dict:
    """group -> [Pairs] for both degradations; kept in `cache` (a pickle) under a key of the code and
    weights so reruns are free and a run interrupted between groups resumes. crop: at most this many
    base pixels a side of each scene (tests)."""
    from leave_scene_out import score_key

    from digisat_plugin.core.quality.uncertainty import pairs
    from digisat_plugin.core.wald import crop as crop_scene
    from digisat_plugin.core.wald import load_region

    key = score_key(predictor.model_dir) + f"x{factor}crop{crop}"
    done = _load(cache, key) or {}
    for group, regions in GROUPS[factor].items():
        if group in done:
            continue
        items = []
        for region in regions:
            scene = load_region(region)
            if crop:
                scene = _top_left(scene, crop, crop_scene)
            for protocol in PROTOCOLS:
                log(f"x{factor} {protocol}: {scene.name}")
                items.append(pairs(scene, factor, protocol, predictor))
        done[group] = items
        _save(cache, key, done)
    return done


def proxy_regions() -> list:
    """Every shared scene, whole: net60's x6-geometry pairs of the 20 m bands (quality.uncertainty.proxy_pairs)
    learn nothing from a scene, so training scenes serve as well as held-out ones."""
    from digisat_plugin.core.train.splits import _ben_folders

    return [Region(VIRGINIA), Region(MALMO)] + [Region(f"bigearthnet/{n}") for n in _ben_folders()]


def collect_proxies(cache: str | None = None, log=print) -> list:
    """proxy_pairs of every proxy_regions scene under both degradations, kept in `cache` (a pickle)
    under a key of core's code."""
    from leave_scene_out import score_key

    from digisat_plugin.core.quality.uncertainty import proxy_pairs
    from digisat_plugin.core.wald import load_region

    key = score_key("") + "proxies"
    items = _load(cache, key)
    if items is not None:
        return items
    items = []
    for region in proxy_regions():
        scene = load_region(region)
        log(f"x6 proxy: {scene.name}")
        items += [it for it in (proxy_pairs(scene, protocol) for protocol in PROTOCOLS) if it is not None]
    _save(cache, key, items)
    return items


def _load(cache: str | None, key: str):
    """What `cache` holds under `key`, else None (no cache, or one of other code or weights)."""
    if not cache or not os.path.exists(cache):
        return None
    with open(cache, "rb") as f:
        saved = pickle.load(f)
    return saved.get("data") if saved.get("key") == key else None


def _save(cache: str | None, key: str, data) -> None:
    if cache:
        os.makedirs(os.path.dirname(os.path.abspath(cache)), exist_ok=True)
        with open(cache + ".tmp", "wb") as f:
            pickle.dump({"key": key, "data": data}, f)
        os.replace(cache + ".tmp", cache)


def _top_left(scene, size, crop_scene):
    from digisat_plugin.core.wald import RegionArrays

    h, w = (min(d, size) for d in scene.shape)
    native = {b: a[: h // scene.ratios[b], : w // scene.ratios[b]] for b, a in scene.native.items()}
    return crop_scene(RegionArrays(scene.name, native, scene.ratios, scene.nodata[:h, :w]), 36)
