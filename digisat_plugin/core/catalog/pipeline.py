"""Area in, enhanced 10 m raster out: search, pick the clearest recent scene, fetch, super-resolve."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field

from ..definitions import BANDS_10M, BANDS_20M, BANDS_60M
from ..errors import AoiError, InputError
from ..progress import as_progress
from .errors import AuthError, CatalogError, NotFoundError
from .scene import SceneRecord

CLEAR_MARGIN = 5.0  # cloud-cover points within which a newer scene beats a clearer one
MAX_TRIES = 3  # scenes tried in turn when a fetch fails (a broken band, a server error)


@dataclass
class EnhanceResult:
    scene: SceneRecord
    product_path: str  # what was fetched (removed afterwards unless a workdir was given)
    result: object  # core.sr.engine.SuperResolveResult
    notes: list = field(default_factory=list)  # scenes skipped and why
    notices: list = field(default_factory=list)  # the area clipped at the data's edge / grown to the 60 m grid


def find_scene(source, aoi, scene_id: str, level: str, start: str | None = None, end: str | None = None):
    """The scene named `scene_id` over `aoi`; without dates, the day in the id is searched."""
    if not start or not end:
        m = re.search(r"(20\d\d)(\d\d)(\d\d)", scene_id)
        if not m:
            raise InputError(f"{scene_id}: no date in the scene id; give --start and --end")
        day = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        start, end = start or day, end or day
    for scene in source.search(aoi, start, end, max_cloud=100, level=level, limit=100):
        if scene.id == scene_id or scene.id == scene_id.removesuffix(".SAFE"):
            return scene
    raise NotFoundError(f"{scene_id}: no such {level} scene over the area between {start} and {end}")


def cloud_of(scene: SceneRecord) -> float | None:
    """The cloud a scene is judged by: over the area when measured (SCL), else over the tile."""
    return scene.area_cloud if scene.area_cloud is not None else scene.cloud_cover


def pick_scene(scenes: list) -> SceneRecord:
    """The clearest scene (over the area where measured); among those within CLEAR_MARGIN points of it, the newest."""
    if not scenes:
        raise NotFoundError("no scene to choose from")
    known = [s for s in scenes if cloud_of(s) is not None] or scenes
    best = min((cloud_of(s) or 0.0) for s in known)
    close = [s for s in known if (cloud_of(s) or 0.0) <= best + CLEAR_MARGIN]
    return max(close, key=lambda s: s.datetime)


def rank_scenes(scenes: list) -> list:
    """Scenes in the order `enhance` tries them: pick_scene's choice, then its choice among the rest, ..."""
    left, ranked = list(scenes), []
    while left:
        ranked.append(pick_scene(left))
        left.remove(ranked[-1])
    return ranked


def bands_to_fetch(bands) -> list:
    """The bands to fetch for the output bands `bands` (default: every band but B10).

    Which inputs each network needs is core.sr.predict.inputs_for's to say (the engine asks it too,
    so what is fetched is what the engine will require); the 10 m bands are added because every
    output is on their grid.
    """
    from ..sr.predict import inputs_for  # numpy only: ONNX Runtime loads when a network is built

    return inputs_for(set(bands or BANDS_10M + BANDS_20M + BANDS_60M) | set(BANDS_10M))


def enhance_area(source, aoi, start: str, end: str, max_cloud: float, output_path: str, bands=None,
                 original_path: str | None = None, workdir: str | None = None, progress=None, level: str = "L2A",
                 max_area_cloud: float | None = None, **engine_options) -> EnhanceResult:
    """Search, rank (core/catalog/scl.py: cloud over the area where the source can tell), fetch the
    first scene that can be fetched (the next one when a fetch fails, with the reason in `notes`),
    super-resolve. max_area_cloud: drop scenes whose measured area cloud is above it (percent).
    engine_options' uncertainty_path: the calibration it needs is checked before the search."""
    progress = as_progress(progress)
    from ..sr.engine import superresolve  # imported late: ONNX Runtime loads only when needed

    if engine_options.get("uncertainty_path"):
        from ..sr.uncertainty import check_calibration

        check_calibration(engine_options.get("model_dir"))

    progress.update(0.0, "searching (and measuring cloud over the area where the scenes have an SCL)")
    scenes = source.search(aoi, start, end, max_cloud=max_cloud, level=level)  # STAC: area cloud measured
    if not scenes:
        raise NotFoundError(f"no {level} scene with at most {max_cloud:g}% cloud cover over the area between "
                            f"{start} and {end} ({source.kind})")
    notes = []
    if max_area_cloud is not None:
        kept = [s for s in scenes if s.area_cloud is None or s.area_cloud <= max_area_cloud]
        if not kept:
            raise NotFoundError(f"every one of the {len(scenes)} scenes has more than {max_area_cloud:g}% cloud over the "
                                f"area (the maximum asked; clearest {min(s.area_cloud for s in scenes):.1f}%)")
        scenes = kept
    temp = None
    if workdir is None:
        workdir = temp = tempfile.mkdtemp(prefix="digisat-fetch-")
    try:
        path = scene = None
        for scene in rank_scenes(scenes)[:MAX_TRIES]:
            try:
                path = source.fetch(scene, aoi, bands_to_fetch(bands), workdir, progress=progress.stage(0.03, 0.45))
                break
            except (AuthError, AoiError):
                raise  # the next scene would fail the same way
            except CatalogError as exc:
                last = exc
                notes.append(f"scene {scene.id} could not be fetched ({exc}); trying the next best scene")
                progress.update(0.03, notes[-1])
        if path is None and len(notes) == 1:
            raise last
        if path is None:
            raise type(last)(f"none of the {min(len(scenes), MAX_TRIES)} best scenes could be fetched; last: {last}")
        from ..io.aoi import window_notices
        from ..io.product import open_product

        notices = window_notices(open_product(path), aoi)
        for notice in notices:
            progress.update(0.45, notice)
        progress.update(0.45, f"super-resolving {scene.id}")
        result = superresolve(path, output_path, aoi=aoi, bands=bands, original_path=original_path,
                              progress=progress.stage(0.45, 1.0), **engine_options)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    progress.update(1.0, f"enhanced {scene.id}")
    return EnhanceResult(scene, path, result, notes, notices)
