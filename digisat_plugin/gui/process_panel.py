"""Process tab: which bands, output folder, device, tile size, quality measure; the environment installer.

`output_paths(out_dir, result_stem(product, date, request_key(...)))` names the result files:
another request never takes an earlier result's name; the same request again is the dock's to ask about.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..core.definitions import BANDS_10M, BANDS_20M, BANDS_60M, uncertainty_path_for
from ..toolbelt.settings import DEVICES
from .i18n import tr


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "product"


def request_key(aoi, bands, mask_to_aoi: bool = True, model_dir=None) -> str:
    """Six hex digits that stand for what decides the output (area, bands, polygon mask, networks).

    Two runs asking for different things get different names; the same request again gets the same
    name, so the dock can ask before replacing it instead of writing `<name>_1` beside it."""
    area = None if aoi is None else [aoi.wkt, aoi.crs]
    text = json.dumps([area, sorted(bands or []), bool(mask_to_aoi) if aoi is not None else None, model_dir or ""])
    return hashlib.sha1(text.encode()).hexdigest()[:6]


def result_stem(name: str, date: str, key: str) -> str:
    """'<product>_<key>', with the acquisition date (YYYYMMDD) added when the product name lacks it."""
    day = (date or "").replace("-", "")[:8]
    stem = name if not day or day in name else f"{name}_{day}"
    return safe_name(f"{stem}_{key}" if key else stem)


def output_paths(out_dir: str, stem: str) -> tuple:
    """(enhanced, original) paths in out_dir for a result stem (result_stem)."""
    stem = safe_name(stem)
    return os.path.join(out_dir, f"{stem}_enhanced.tif"), os.path.join(out_dir, f"{stem}_original.tif")


def uncertainty_path(enhanced: str) -> str:
    """The uncertainty layer beside an enhanced output (output_paths): `<stem>_uncertainty.tif`, as `batch`
    and `series` name theirs (core/definitions.py)."""
    return uncertainty_path_for(enhanced)


class ProcessPanel(QWidget):
    def __init__(self, settings, parent=None):
        super().__init__(parent)
        # Short checkbox texts (a QCheckBox does not wrap: long ones were clipped in a narrow dock);
        # the band lists go in a wrapping label below them.
        self.bands20 = QCheckBox(tr("20 m bands"))
        self.bands60 = QCheckBox(tr("60 m bands"))
        self.bands20.setChecked(settings.bands20)
        self.bands60.setChecked(settings.bands60)
        self.output_dir = QLineEdit(settings.effective_output_dir())
        self.output_button = QPushButton("…")
        self.output_button.clicked.connect(self._pick_output)
        # as wide as its text: the folder's path gets the room (a push button's default minimum is ~80 px)
        self.output_button.setFixedWidth(self.output_button.fontMetrics().horizontalAdvance("…") + 24)
        self.measure_quality = QCheckBox(tr("Measure quality"))
        self.measure_quality.setChecked(settings.measure_quality)
        self.uncertainty = QCheckBox(tr("Uncertainty layer"))
        self.uncertainty.setChecked(settings.uncertainty_layer)
        self.zoom_to_result = QCheckBox(tr("Zoom to the result"))
        self.zoom_to_result.setChecked(settings.zoom_to_result)
        self.device = QComboBox()
        self.device.addItems(DEVICES)
        self.device.setCurrentText(settings.device)
        self.tile_size = QSpinBox()
        self.tile_size.setRange(0, 4096)
        self.tile_size.setSingleStep(60)
        self.tile_size.setSpecialValueText(tr("automatic"))
        self.tile_size.setSuffix(tr(" px"))
        self.tile_size.setValue(settings.tile_size)

        out_row = QHBoxLayout()
        out_row.addWidget(self.output_dir, 1)
        out_row.addWidget(self.output_button)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # in a narrow dock a field goes below its label
        kept = QLabel(tr("10 m bands (B02 B03 B04 B08) are always kept as delivered."))
        kept.setWordWrap(True)
        form.addRow(kept)
        form.addRow(self.bands20)
        form.addRow(self.bands60)
        self.band_text = QLabel()  # what the ticks will super-resolve (_bands_changed)
        self.band_text.setWordWrap(True)
        form.addRow(self.band_text)
        form.addRow(tr("Output folder"), out_row)
        form.addRow(tr("Device"), self.device)
        form.addRow(tr("Tile size (10 m px)"), self.tile_size)
        form.addRow(self.measure_quality)
        quality_note = QLabel(tr("Consistency of the enhanced bands with the delivered ones, in the log."))
        quality_note.setWordWrap(True)
        form.addRow(quality_note)
        form.addRow(self.uncertainty)
        form.addRow(self.zoom_to_result)
        # no band group ticked: nothing would be super-resolved (the dock disables Run and says why)
        self.no_bands_label = QLabel(tr("Tick at least one band group: with none, nothing is super-resolved."))
        self.no_bands_label.setWordWrap(True)
        self.no_bands_label.setStyleSheet("color: #b00020")
        form.addRow(self.no_bands_label)
        # shown by the dock above its tabs, where it opens (gui/dock.py), not on this tab
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.install_button = QPushButton(tr("Install packages"))
        self.show_missing([])
        # each value saves itself (toolbelt/settings.PluginSettings is live)
        self.settings = settings
        self.output_dir.textChanged.connect(lambda text: setattr(settings, "output_dir", text.strip()))
        self.device.currentTextChanged.connect(lambda text: setattr(settings, "device", text))
        self.tile_size.valueChanged.connect(lambda value: setattr(settings, "tile_size", int(value)))
        for box, name in ((self.bands20, "bands20"), (self.bands60, "bands60"),
                          (self.measure_quality, "measure_quality"), (self.zoom_to_result, "zoom_to_result"),
                          (self.uncertainty, "uncertainty_layer")):
            box.toggled.connect(lambda on, name=name: setattr(settings, name, bool(on)))
        self.bands20.toggled.connect(self._bands_changed)
        self.bands60.toggled.connect(self._bands_changed)
        self._bands_changed()

    def has_bands(self) -> bool:
        """At least one group to super-resolve: the 10 m bands alone are only copied."""
        return self.bands20.isChecked() or self.bands60.isChecked()

    def _bands_changed(self, *_):
        self.no_bands_label.setVisible(not self.has_bands())
        ticked = [" ".join(group) for box, group in ((self.bands20, BANDS_20M), (self.bands60, BANDS_60M))
                  if box.isChecked()]
        self.band_text.setText(tr("Super-resolved to 10 m: {bands}.").format(bands=" ".join(ticked)) if ticked
                               else "")
        self.band_text.setVisible(bool(ticked))

    def show_missing(self, missing):
        """missing: module names the worker's Python lacks (empty: hide the installer row)."""
        self.missing = list(missing)
        self.missing_label.setText(tr("Missing in the worker's Python environment: {modules}").format(
            modules=", ".join(missing)))
        self.missing_label.setVisible(bool(missing))
        self.install_button.setVisible(bool(missing))

    def bands(self) -> list:
        return list(BANDS_10M) + (list(BANDS_20M) if self.bands20.isChecked() else []) + (
            list(BANDS_60M) if self.bands60.isChecked() else [])

    def _pick_output(self):
        path = QFileDialog.getExistingDirectory(self, tr("Output folder"), self.output_dir.text())
        if path:
            self.output_dir.setText(path)
