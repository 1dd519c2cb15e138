"""Settings tab: catalogue URLs, area warning limit, model folder, and the worker's Python environment.

Every field saves itself as it changes (toolbelt/settings.PluginSettings is live; there is no Save
button); the dock hears the change through the settings' listeners and applies it at once.
Logins are chosen in the Data tab from the QGIS authentication manager; nothing secret is here.
The environment box shows which interpreter the worker runs, where the digisat environment lives,
its size and package versions, with Repair and Remove (handled by the dock, which runs the installer).
"""

from __future__ import annotations

import os

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..core.errors import DigisatError
from ..toolbelt import environment
from .i18n import tr


class SettingsPanel(QWidget):
    def __init__(self, settings, env_dir: str = "", parent=None):
        super().__init__(parent)
        self.settings = settings
        self.env_dir = env_dir
        self.stac_url = QLineEdit(settings.stac_url)
        self.cdse_url = QLineEdit(settings.cdse_url)
        self.dhus_url = QLineEdit(settings.dhus_url)
        for edit in (self.stac_url, self.cdse_url, self.dhus_url):
            edit.setPlaceholderText(tr("the service's default URL"))
        self.stac_collection = QLineEdit(settings.stac_collection)
        self.stac_collection.setPlaceholderText(tr("sentinel-2-c1-l2a (L2A) / sentinel-2-l1c (L1C)"))
        self.stac_collection.setToolTip(tr("The STAC collection searched, e.g. the older sentinel-2-l2a; empty: the "
                                           "level's default collection"))
        self.area_limit = QDoubleSpinBox()
        self.area_limit.setRange(1.0, 1e6)
        self.area_limit.setDecimals(0)
        self.area_limit.setSuffix(tr(" km²"))
        self.area_limit.setValue(settings.area_warning_km2)
        self.model_dir = QLineEdit(settings.model_dir)
        self.model_dir.setPlaceholderText(tr("the networks shipped with the plugin"))
        note = QLabel(tr("Logins for the Copernicus Data Space and DHuS are kept in the QGIS authentication "
                         "manager (Data tab, Login); only their id is saved here. Every setting is saved as "
                         "soon as it changes."))
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(tr("STAC URL"), self.stac_url)
        form.addRow(tr("STAC collection"), self.stac_collection)
        form.addRow(tr("Data Space URL"), self.cdse_url)
        form.addRow(tr("DHuS URL"), self.dhus_url)
        form.addRow(tr("Warn above"), self.area_limit)
        form.addRow(tr("Model folder"), self.model_dir)
        form.addRow(note)
        form.addRow(self._environment_box())
        # each field saves itself: the live settings write QgsSettings on every change
        self.text_fields = {"stac_url": self.stac_url, "cdse_url": self.cdse_url, "dhus_url": self.dhus_url,
                            "stac_collection": self.stac_collection, "model_dir": self.model_dir,
                            "worker_python": self.worker_python}
        for name, edit in self.text_fields.items():
            edit.textChanged.connect(lambda text, name=name: setattr(self.settings, name, text.strip()))
        self.area_limit.valueChanged.connect(lambda value: setattr(self.settings, "area_warning_km2", float(value)))
        self.keep_alive.valueChanged.connect(lambda value: setattr(self.settings, "worker_keep_alive", int(value)))
        self.worker_threads.valueChanged.connect(lambda value: setattr(self.settings, "worker_threads", int(value)))

    def show_setting(self, name: str, value) -> None:
        """Show a setting saved elsewhere (the Data tab's URL) in its field; a no-op for other settings.

        Only when the field says something else: the same text set again would move the cursor of
        someone typing here (the field saves itself stripped), and the setText's own save is of the
        value just saved, which tells no listener (no loop)."""
        edit = self.text_fields.get(name)
        if edit is not None and edit.text().strip() != value:
            edit.setText(value)

    def _environment_box(self):
        # a short title (a group box's title never wraps); what it is goes in the tooltip (gui/tooltips.py)
        box = QGroupBox(tr("Worker's Python environment"))
        box.setToolTip(tr("The networks and the catalogue clients run in this Python, not in QGIS's own"))
        self.worker_python = QLineEdit(self.settings.worker_python)
        self.worker_python.setPlaceholderText(tr("the digisat environment (advanced: an existing Python)"))
        self.keep_alive = QSpinBox()
        self.keep_alive.setRange(0, 24 * 3600)
        self.keep_alive.setSuffix(tr(" s"))
        self.keep_alive.setSpecialValueText(tr("a new process per run"))
        self.keep_alive.setValue(self.settings.worker_keep_alive)
        self.worker_threads = QSpinBox()
        self.worker_threads.setRange(0, 256)
        self.worker_threads.setSpecialValueText(tr("every core"))
        self.worker_threads.setValue(self.settings.worker_threads)
        self.env_label = QLabel()
        self.env_label.setWordWrap(True)
        self.env_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # paths can be copied
        self.refresh_button = QPushButton(tr("Refresh"))
        self.repair_button = QPushButton(tr("Install / Repair"))
        self.remove_button = QPushButton(tr("Remove"))
        buttons = QGridLayout()  # two a row: three side by side do not fit the dock's minimum width
        for i, button in enumerate((self.repair_button, self.refresh_button, self.remove_button)):
            buttons.addWidget(button, i // 2, i % 2)
        form = QFormLayout(box)
        form.addRow(tr("Worker Python"), self.worker_python)
        form.addRow(tr("Keep an idle worker"), self.keep_alive)
        form.addRow(tr("CPU threads"), self.worker_threads)
        form.addRow(self.env_label)
        form.addRow(buttons)
        self.env_label.setText(tr("Environment folder: {folder} - click Refresh for details").format(
            folder=self.env_dir or tr("(none)")))
        return box

    def environment_text(self, info: dict | None = None) -> str:
        """Interpreter, location, size and versions, as the box shows them (`info`: a probe already made)."""
        lines = [tr("Environment folder: {folder}").format(folder=self.env_dir)]
        exists = bool(self.env_dir) and os.path.isfile(environment.env_python(self.env_dir))
        if exists:
            lines.append(tr("Size: {mb} MB").format(mb=f"{environment.folder_size(self.env_dir) / 1e6:.0f}"))
        else:
            lines.append(tr("Not installed (Install / Repair builds it)"))
        try:
            python = environment.worker_python(self.worker_python.text(), self.env_dir)
            info = info if info is not None and info.get("python") == python else environment.probe(python)
        except DigisatError as exc:
            lines.append(tr("Worker Python: {problem}").format(problem=exc))
            return "\n".join(lines)
        lines.append(tr("Worker Python: {python} (Python {version}, prefix {prefix})").format(
            python=python, version=info["version"], prefix=info["prefix"]))
        lines.append(tr("Packages: {packages}").format(packages=", ".join(
            f"{m} {v or tr('missing')}" for m, v in info["modules"].items())))
        return "\n".join(lines)

    def refresh_environment(self, info: dict | None = None):
        self.env_label.setText(self.environment_text(info))
