"""Settings tab: catalogue URLs, area warning limit, model folder, and the worker's Python environment.

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
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..core.errors import DigisatError
from ..toolbelt import environment


class SettingsPanel(QWidget):
    def __init__(self, settings, env_dir: str = "", parent=None):
        super().__init__(parent)
        self.settings = settings
        self.env_dir = env_dir
        self.stac_url = QLineEdit(settings.stac_url)
        self.cdse_url = QLineEdit(settings.cdse_url)
        self.dhus_url = QLineEdit(settings.dhus_url)
        for edit in (self.stac_url, self.cdse_url, self.dhus_url):
            edit.setPlaceholderText("the service's default URL")
        self.stac_collection = QLineEdit(settings.stac_collection)
        self.stac_collection.setPlaceholderText("sentinel-2-c1-l2a (L2A) / sentinel-2-l1c (L1C)")
        self.stac_collection.setToolTip("The STAC collection searched, e.g. the older sentinel-2-l2a; empty: the "
                                        "level's default collection")
        self.area_limit = QDoubleSpinBox()
        self.area_limit.setRange(1.0, 1e6)
        self.area_limit.setDecimals(0)
        self.area_limit.setSuffix(" km²")
        self.area_limit.setValue(settings.area_warning_km2)
        self.model_dir = QLineEdit(settings.model_dir)
        self.model_dir.setPlaceholderText("the networks shipped with the plugin")
        self.save_button = QPushButton("Save settings")
        note = QLabel("Logins for the Copernicus Data Space and DHuS are kept in the QGIS authentication "
                      "manager (Data tab, Login); only their id is saved here.")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("STAC URL", self.stac_url)
        form.addRow("STAC collection", self.stac_collection)
        form.addRow("Data Space URL", self.cdse_url)
        form.addRow("DHuS URL", self.dhus_url)
        form.addRow("Warn above", self.area_limit)
        form.addRow("Model folder", self.model_dir)
        form.addRow(note)
        form.addRow(self._environment_box())
        form.addRow(self.save_button)
        self.save_button.clicked.connect(self.save)

    def _environment_box(self):
        box = QGroupBox("Python environment of the worker (TensorFlow runs there, not in QGIS)")
        self.worker_python = QLineEdit(self.settings.worker_python)
        self.worker_python.setPlaceholderText("the digisat environment (advanced: an existing Python)")
        self.keep_alive = QSpinBox()
        self.keep_alive.setRange(0, 24 * 3600)
        self.keep_alive.setSuffix(" s")
        self.keep_alive.setSpecialValueText("a new process per run")
        self.keep_alive.setValue(self.settings.worker_keep_alive)
        self.env_label = QLabel()
        self.env_label.setWordWrap(True)
        self.env_label.setTextInteractionFlags(Qt.TextSelectableByMouse)  # paths can be copied
        self.refresh_button = QPushButton("Refresh")
        self.repair_button = QPushButton("Install / Repair")
        self.remove_button = QPushButton("Remove")
        buttons = QHBoxLayout()
        for button in (self.refresh_button, self.repair_button, self.remove_button):
            buttons.addWidget(button)
        form = QFormLayout(box)
        form.addRow("Worker Python", self.worker_python)
        form.addRow("Keep an idle worker", self.keep_alive)
        form.addRow(self.env_label)
        form.addRow(buttons)
        self.refresh_button.clicked.connect(self.refresh_environment)
        self.env_label.setText(f"Environment folder: {self.env_dir or '(none)'} - click Refresh for details")
        return box

    def environment_text(self) -> str:
        """Interpreter, location, size and versions, as the box shows them."""
        lines = [f"Environment folder: {self.env_dir}"]
        exists = bool(self.env_dir) and os.path.isfile(environment.env_python(self.env_dir))
        if exists:
            lines.append(f"Size: {environment.folder_size(self.env_dir) / 1e6:.0f} MB")
        else:
            lines.append("Not installed (Install / Repair builds it)")
        try:
            python = environment.worker_python(self.worker_python.text(), self.env_dir)
            info = environment.probe(python)
        except DigisatError as exc:
            lines.append(f"Worker Python: {exc}")
            return "\n".join(lines)
        lines.append(f"Worker Python: {python} (Python {info['version']}, prefix {info['prefix']})")
        lines.append("Packages: " + ", ".join(f"{m} {v or 'missing'}" for m, v in info["modules"].items()))
        return "\n".join(lines)

    def refresh_environment(self):
        self.env_label.setText(self.environment_text())

    def save(self):
        s = self.settings
        s.stac_url, s.cdse_url, s.dhus_url = (e.text().strip() for e in (self.stac_url, self.cdse_url, self.dhus_url))
        s.stac_collection = self.stac_collection.text().strip()
        s.area_warning_km2 = float(self.area_limit.value())
        s.model_dir = self.model_dir.text().strip()
        s.worker_python = self.worker_python.text().strip()
        s.worker_keep_alive = int(self.keep_alive.value())
        s.save()
