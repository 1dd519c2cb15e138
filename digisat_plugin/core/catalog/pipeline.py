"""Area in, enhanced 10 m raster out: search, pick the clearest recent scene, fetch, super-resolve."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass

from ..bands import BANDS_10M, BANDS_20M, BANDS_60M, BY_NAME, sort_bands
from ..errors import InputError
from ..progress import as_progress
from .errors import NotFoundError
from .scene import Scene

CLEAR_MARGIN = 5.0  # cloud-cover points within which a newer scene beats a clearer one


@dataclass
class EnhanceResult:
    scene: Scene
    product_path: str  # what was fetched (removed afterwards unless a workdir was given)
    result: object  # core.sr.engine.SuperResolveResult


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


def pick_scene(scenes: list) -> Scene:
    """The clearest scene; among those within CLEAR_MARGIN points of it, the newest."""
    if not scenes:
        raise NotFoundError("no scene to choose from")
    known = [s for s in scenes if s.cloud_cover is not None] or scenes
    best = min((s.cloud_cover or 0.0) for s in known)
    close = [s for s in known if (s.cloud_cover or 0.0) <= best + CLEAR_MARGIN]
    return max(close, key=lambda s: s.datetime)


def bands_to_fetch(bands) -> list:
    """The networks need the 10 m bands, the 20 m bands, and for a 60 m output the 60 m bands too."""
    wanted = sort_bands(bands or BANDS_10M + BANDS_20M + BANDS_60M)
    needed = set(BANDS_10M) | set(wanted)
    if any(BY_NAME[b].resolution != 10 for b in wanted):
        needed |= set(BANDS_20M)
    if any(BY_NAME[b].resolution == 60 for b in wanted):
        needed |= set(BANDS_60M)
    return sort_bands(needed)


def enhance_area(source, aoi, start: str, end: str, max_cloud: float, output_path: str, bands=None,
                 original_path: str | None = None, workdir: str | None = None, progress=None, level: str = "L2A",
                 **engine_options) -> EnhanceResult:
    progress = as_progress(progress)
    from ..sr.engine import superresolve  # imported late: TensorFlow loads only when needed

    progress.update(0.0, "searching")
    scenes = source.search(aoi, start, end, max_cloud=max_cloud, level=level)
    if not scenes:
        raise NotFoundError(f"no {level} scene with at most {max_cloud:g}% cloud cover over the area between "
                            f"{start} and {end} ({source.kind})")
    scene = pick_scene(scenes)
    temp = None
    if workdir is None:
        workdir = temp = tempfile.mkdtemp(prefix="digisat-fetch-")
    try:
        path = source.fetch(scene, aoi, bands_to_fetch(bands), workdir,
                            progress=progress.stage(0.03, 0.45))
        progress.update(0.45, f"super-resolving {scene.id}")
        result = superresolve(path, output_path, aoi=aoi, bands=bands, original_path=original_path,
                              progress=progress.stage(0.45, 1.0), **engine_options)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    progress.update(1.0, f"enhanced {scene.id}")
    return EnhanceResult(scene, path, result)
