"""The dock's time series: core.series.run_series in the worker process, as `digisat series` and
`digisat:enhance_series` run it. result: the series report as JSON (dates, index_path, ...)."""

from __future__ import annotations

from ..worker.codec import encode_aoi
from .catalog import source_args
from .worker import WorkerTask


class SeriesTask(WorkerTask):
    def __init__(self, query: dict, aoi, out_dir: str, bands=None, indices=(), max_area_cloud=None, username="",
                 password="", uncertainty=False, **engine_options):
        """query: the Data tab's search (kind, url, start, end, max_cloud, level, collection). uncertainty: each
        date's uncertainty layer too (core.series.run_series)."""
        source = source_args(query["kind"], query["url"], username, password)
        if query.get("collection"):
            source["collection"] = query["collection"]
        super().__init__(f"digisat: time series {query['start']} .. {query['end']}", "series", dict(
            engine_options, source=source, aoi=encode_aoi(aoi), start=query["start"], end=query["end"],
            out_dir=out_dir, max_cloud=query["max_cloud"], max_area_cloud=max_area_cloud, level=query["level"],
            bands=bands, indices=list(indices), uncertainty=bool(uncertainty)), device=engine_options.get("device", "auto"))
