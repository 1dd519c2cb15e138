"""The jobs the worker runs: each calls the core function the CLI calls, with the arguments it got.

`args` is the JSON job as the QGIS side sent it; options a job does not name (new keyword
arguments of `superresolve`, such as `guard=`) pass through to core untouched. Every job takes a
core Progress and a `log(message)` callable and returns a JSON-able value.
"""

from __future__ import annotations

from .codec import decode_aoi, decode_scene


def superresolve(args, progress, log):
    """mask_to_aoi (not an engine option): afterwards, pixels outside the area's polygon become no data
    in the output, its original companion and the uncertainty layer (core.io.mask.mask_to_polygon; the
    engine writes the box)."""
    from ..core.sr.engine import superresolve as run

    args = dict(args, aoi=decode_aoi(args.get("aoi")))
    mask = args.pop("mask_to_aoi", False) and args["aoi"] is not None
    result = run(progress=progress.stage(0.0, 0.95) if mask else progress, **args)
    if mask:
        from ..core.io.mask import mask_to_polygon

        paths = [p for p in (result.output, result.original, result.uncertainty) if p]
        for i, path in enumerate(paths):
            mask_to_polygon(path, args["aoi"], progress.stage(0.95 + 0.05 * i / len(paths),
                                                              0.95 + 0.05 * (i + 1) / len(paths)))
        result.extra["masked_to_polygon"] = True
    return result


def enhance_area(args, progress, log):
    from ..core.catalog import get_source
    from ..core.catalog.pipeline import enhance_area as run

    args = dict(args, aoi=decode_aoi(args.get("aoi")))
    source = get_source(**args.pop("source"))
    return run(source, progress=progress, **args)


def search(args, progress, log):
    from ..core.catalog import get_source

    progress.update(0.0, "searching")
    source = get_source(**args["source"])
    scenes = source.search(decode_aoi(args["aoi"]), **args["query"])
    progress.update(1.0, f"{len(scenes)} scenes found")
    return scenes


def fetch(args, progress, log):
    """The scene (a search record) fetched; returns the local path. `scene_id` with `level` instead of
    `scene`: the scene is looked up first over the area on the date in its id (`digisat fetch SCENE_ID`)."""
    from ..core.catalog import get_source

    source = get_source(**args["source"])
    aoi = decode_aoi(args.get("aoi"))
    if args.get("scene") is None:
        from ..core.catalog.pipeline import find_scene

        scene = find_scene(source, aoi, args["scene_id"], args["level"])
    else:
        scene = decode_scene(args["scene"])
    progress.update(0.0, f"downloading {scene.id}")
    path = source.fetch(scene, aoi, args.get("bands"), args["dest_dir"], progress)
    # the id travels back with the path only when asked, so the dock's FetchTask keeps its plain path
    return {"path": str(path), "scene_id": scene.id} if args.get("with_id") else path


def evaluate(args, progress, log):
    """Reduced-scale evaluation of one product, as `digisat evaluate PRODUCT` computes it (without the guard's
    figures, which the Processing report does not show)."""
    from ..core.quality.report import evaluate_products

    return evaluate_products([args["path"]], factors=args["factors"], protocols=args["protocols"],
                             model_dir=args.get("model_dir"), device=args.get("device", "auto"), guard=False,
                             log=log, progress=progress)


def consistency(args, progress, log):
    from ..core.quality.consistency import consistency as run

    return run(args["enhanced"], args["original"], progress)


def series(args, progress, log):
    """Every clear date over the area (core.series.run_series, as `digisat series`); returns the report."""
    from ..core.catalog import get_source
    from ..core.series import run_series

    args = dict(args, aoi=decode_aoi(args.get("aoi")))
    source = get_source(**args.pop("source"))
    return run_series(source, progress=progress, notify=log, **args)


JOBS = {f.__name__: f for f in (superresolve, enhance_area, search, fetch, evaluate, consistency, series)}
