"""Catalogue search and product download in the background, in the worker process.

They load no networks, but pystac-client and sentinelsat live in the digisat environment, not
in QGIS's Python, so they run where those are. Logins go to the worker in the job (its stdin).
"""

from __future__ import annotations

from ..worker.codec import decode_scene, encode_aoi
from .worker import WorkerTask


def source_args(kind, url, username="", password=""):
    """core.catalog.get_source's arguments, as the CLI and Processing give them (empty URL: the default)."""
    return {"kind": kind, "url": url or None, "username": username or None, "password": password or None}


class SearchTask(WorkerTask):
    """result: list of core.catalog.SceneRecord."""

    def __init__(self, kind, url, aoi, start, end, max_cloud, level, username="", password=""):
        super().__init__(f"digisat: searching {kind}", "search", {
            "source": source_args(kind, url, username, password), "aoi": encode_aoi(aoi),
            "query": {"start": start, "end": end, "max_cloud": max_cloud, "level": level}})

    def decode(self, value):
        return [decode_scene(scene) for scene in value]


class FetchTask(WorkerTask):
    """result: the local path of the downloaded product (what superresolve reads).

    outputs: the bands the product will be super-resolved to; what is fetched is what those need
    (core.catalog.pipeline.bands_to_fetch, i.e. core.sr.predict.inputs_for), kept in `bands`.
    """

    def __init__(self, kind, url, scene, aoi, outputs, dest_dir, username="", password=""):
        from ..core.catalog.pipeline import bands_to_fetch

        self.bands = bands_to_fetch(outputs)
        super().__init__(f"digisat: downloading {scene.id}", "fetch", {
            "source": source_args(kind, url, username, password), "scene": scene.to_dict(), "aoi": encode_aoi(aoi),
            "bands": self.bands, "dest_dir": dest_dir})
        self.scene = scene
