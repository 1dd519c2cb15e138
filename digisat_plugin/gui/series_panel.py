"""The Data tab's "Time series" choice: instead of the one picked scene, Run super-resolves every clear
date from the search's start date to this panel's end date (core/series.py in the worker, as
`digisat series` and `digisat:enhance_series`), then loads the dates as a temporal layer group
(gui/series_layers.py). The Process tab's bands, output folder, device, tile size and *Uncertainty layer*
apply (each date's layer beside its raster, loaded unticked). The dock hooks it in two lines: the widget in the Data tab, and `run()`
handing over to `start(dock)` when it is ticked.
"""

from __future__ import annotations

import os

from qgis.PyQt.QtCore import QDate
from qgis.PyQt.QtWidgets import QDateEdit, QFormLayout, QGroupBox, QLabel, QLineEdit, QSpinBox

from ..core.errors import DigisatError
from .i18n import tr


class SeriesPanel(QGroupBox):
    def __init__(self, data=None, parent=None):
        """data: the Data tab (gui/search_panel.SearchPanel): the box is off while a local product is chosen."""
        super().__init__(tr("Time series"), parent)
        self.setObjectName("digisatSeries")
        self.setCheckable(True)
        self.setChecked(False)
        self.setToolTip(tr("Ticked: Run super-resolves every scene from the search's start date to the end date "
                           "below that passes the cloud limits, one 10 m raster per date, and loads them as one "
                           "group animated by the Temporal Controller (View > Panels > Temporal Controller)"))
        self.end_date = QDateEdit(QDate.currentDate())
        self.end_date.setCalendarPopup(True)
        self.end_date.setDisplayFormat("yyyy-MM-dd")
        self.end_date.setToolTip(tr("Last day of the series (included); the first is the search's start date"))
        self.indices = QLineEdit("NDVI")
        self.indices.setToolTip(tr("Spectral indices per date at 10 m, comma-separated: NDVI, NDRE, NDMI, NBR, NBR2, "
                                   "NDWI, MNDWI, NDBI, EVI, SAVI (empty: none)"))
        self.max_area_cloud = QSpinBox()
        self.max_area_cloud.setRange(0, 100)
        self.max_area_cloud.setValue(100)
        self.max_area_cloud.setSuffix(" %")
        self.max_area_cloud.setToolTip(tr("Leave out scenes with more cloud than this over the area itself (from the "
                                          "scene classification, STAC L2A); 100 %: keep all"))
        self.hint = QLabel(tr("Written to <output folder>/series_<start>_<end>_<key>; a rerun skips the dates done."))
        self.hint.setWordWrap(True)
        self.hint.setToolTip(tr("The folder also holds series.json: dates, tiles, files, scene ids and cloud"))
        form = QFormLayout(self)
        form.addRow(tr("Until"), self.end_date)
        form.addRow(tr("Indices"), self.indices)
        form.addRow(tr("Max. cloud over the area"), self.max_area_cloud)
        form.addRow(self.hint)
        if data is not None:
            data.local_mode.toggled.connect(lambda local: self.setEnabled(not local))
            self.setEnabled(not data.is_local())
            # Until follows the search's end date (it was today whatever the search: a run over 9 years)
            self.end_date.setDate(data.end_date.date())
            data.end_date.dateChanged.connect(self.end_date.setDate)

    def active(self) -> bool:
        """Ticked, and the Data tab searches a catalogue (a local product is one scene, not a series)."""
        return self.isChecked() and self.isEnabled()

    def series_request(self, dock) -> dict:
        """The SeriesTask's arguments from the dock's form; an InputError (one line) when it cannot run."""
        from ..core.errors import InputError
        from ..core.indices import check_bands, parse_indices
        from ..toolbelt.settings import credentials
        from .process_panel import request_key

        if dock.data.is_local():
            raise InputError("time series: needs a catalogue search (Data tab), not a local product")
        aoi = dock.area.aoi.to_core()
        if aoi is None:
            raise InputError("time series: draw an area of interest first (Area tab)")
        query = dict(dock.data.query(), end=self.end_date.date().toString("yyyy-MM-dd"))
        if query["end"] < query["start"]:
            raise InputError(f"time series: the end date {query['end']} is before the search's start date "
                             f"{query['start']}")
        indices = parse_indices(self.indices.text(), "time series indices")
        bands = dock.process.bands()
        check_bands(indices, bands, "time series index", "the Process tab's band choice")
        out_dir = dock.process.output_dir.text().strip()
        if not out_dir:
            raise InputError("output folder: choose a folder (Process tab)")
        model_dir = dock.settings.model_dir_or_none
        key = request_key(aoi, bands, False, model_dir)
        username, password = credentials(query["auth_config_id"])
        area = self.max_area_cloud.value()
        return dict(query=query, aoi=aoi, out_dir=os.path.join(out_dir, f"series_{query['start']}_{query['end']}_{key}"),
                    bands=bands, indices=indices, max_area_cloud=None if area >= 100 else float(area),
                    username=username, password=password, model_dir=model_dir,
                    uncertainty=dock.process.uncertainty.isChecked(),
                    tile_size=dock.process.tile_size.value() or None, device=dock.process.device.currentText())

    def start(self, dock):
        """Start the series from the dock's form (the dock's Run, Cancel and status line drive it); the chain."""
        from ..tasks.chain import TaskChain
        from ..tasks.series import SeriesTask

        try:
            request = self.series_request(dock)
        except DigisatError as exc:
            dock._error(str(exc))
            return None
        chain = TaskChain([lambda _: SeriesTask(**request)], parent=dock)
        chain.progressChanged.connect(dock._progress)
        chain.succeeded.connect(lambda report: self._finished(dock, report))
        chain.failed.connect(dock._failed)
        chain.cancelled.connect(dock._cancelled)
        dock.chain = chain
        dock._busy(True)
        dock.note(tr("time series {start} .. {end} started -> {folder}").format(
            start=request["query"]["start"], end=request["query"]["end"], folder=request["out_dir"]))
        chain.start()
        return chain

    def _finished(self, dock, report):
        from .series_layers import load_series, set_temporal_controller

        dock._busy(False)
        dates = report.get("dates", [])
        for entry in dates:
            if entry["status"] == "failed":
                dock.note(f"{entry['date']}: {entry['message']}")
        kept = [e for e in dates if e["status"] in ("done", "skipped")]
        if not kept:
            dock._error(tr("time series: no date could be made"))
            return
        try:
            group, _layers = load_series(report["index_path"])
        except (RuntimeError, DigisatError) as exc:
            dock._error(str(exc))
            return
        self.group = group
        canvas = dock.iface.mapCanvas() if dock.iface is not None else None
        set_temporal_controller(canvas.temporalController() if canvas is not None else None,
                                [e["date"] for e in kept])
        dock.step_label.setText(tr("Done: {n} dates").format(n=len(kept)))
        dock.note(tr("time series: {n} dates ({done} made, {skipped} already done) in the group {group}").format(
            n=len(kept), done=sum(e["status"] == "done" for e in dates),
            skipped=sum(e["status"] == "skipped" for e in dates), group=group.name()))

