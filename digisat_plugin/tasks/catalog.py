"""Catalogue search and product download in the background (core.catalog, as the CLI uses it)."""

from __future__ import annotations

from .base import DigisatTask


def open_source(kind, url, username="", password=""):
    """The core catalogue source, as the CLI and Processing open it (empty URL: the service default)."""
    from ..core.catalog import get_source

    return get_source(kind, url=url or None, username=username or None, password=password or None)


class SearchTask(DigisatTask):
    """result: list of core.catalog.Scene."""

    def __init__(self, kind, url, aoi, start, end, max_cloud, level, username="", password=""):
        super().__init__(f"digisat: searching {kind}")
        self.source_args = (kind, url, username, password)
        self.query = (aoi, start, end, max_cloud, level)

    def work(self, progress):
        progress.update(0.0, "searching")
        scenes = open_source(*self.source_args).search(*self.query)
        progress.update(1.0, f"{len(scenes)} scenes found")
        return scenes


class FetchTask(DigisatTask):
    """result: the local path of the downloaded product (what superresolve reads)."""

    def __init__(self, kind, url, scene, aoi, bands, dest_dir, username="", password=""):
        super().__init__(f"digisat: downloading {scene.id}")
        self.source_args = (kind, url, username, password)
        self.scene, self.aoi, self.bands, self.dest_dir = scene, aoi, bands, dest_dir

    def work(self, progress):
        progress.update(0.0, f"downloading {self.scene.id}")
        return open_source(*self.source_args).fetch(self.scene, self.aoi, self.bands, self.dest_dir, progress)
