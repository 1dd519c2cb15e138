"""Settings tab: catalogue URLs, area warning limit, model folder; saved with QgsSettings.

Logins are chosen in the Data tab from the QGIS authentication manager; nothing secret is here.
"""

from __future__ import annotations

from qgis.PyQt.QtWidgets import QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QPushButton, QWidget


class SettingsPanel(QWidget):
    def __init__(self, settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.stac_url = QLineEdit(settings.stac_url)
        self.cdse_url = QLineEdit(settings.cdse_url)
        self.dhus_url = QLineEdit(settings.dhus_url)
        for edit in (self.stac_url, self.cdse_url, self.dhus_url):
            edit.setPlaceholderText("the service's default URL")
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
        form.addRow("Data Space URL", self.cdse_url)
        form.addRow("DHuS URL", self.dhus_url)
        form.addRow("Warn above", self.area_limit)
        form.addRow("Model folder", self.model_dir)
        form.addRow(note)
        form.addRow(self.save_button)
        self.save_button.clicked.connect(self.save)

    def save(self):
        s = self.settings
        s.stac_url, s.cdse_url, s.dhus_url = (e.text().strip() for e in (self.stac_url, self.cdse_url, self.dhus_url))
        s.area_warning_km2 = float(self.area_limit.value())
        s.model_dir = self.model_dir.text().strip()
        s.save()
