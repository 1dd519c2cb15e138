"""Plugin settings kept in QgsSettings under "digisat/"; secrets stay in the QGIS auth manager.

Only an auth configuration id is stored in the settings; user names and passwords live in
`QgsApplication.authManager()` (encrypted with the user's master password), never in the
settings file or the log.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings

PREFIX = "digisat/"
DEVICES = ("auto", "cpu", "gpu")
SOURCES = ("stac", "cdse", "dhus")


@dataclass
class PluginSettings:
    # empty URL: the service's default as core.catalog knows it
    stac_url: str = ""
    cdse_url: str = ""
    dhus_url: str = ""
    stac_collection: str = ""  # empty: sentinel-2-c1-l2a / sentinel-2-l1c by level (core.catalog.stac.COLLECTIONS)
    source: str = "stac"
    auth_config_id: str = ""  # QGIS auth manager config holding the Data Space / DHuS login (never the password)
    output_dir: str = ""
    tile_size: int = 0  # 0: the engine chooses
    device: str = "auto"
    area_warning_km2: float = 400.0
    model_dir: str = ""  # empty: the networks shipped in model_weights/
    worker_python: str = ""  # advanced: an existing Python for the worker; empty: the digisat environment
    worker_keep_alive: int = 300  # seconds an idle worker is kept for the next run (0: a new process per run)

    @classmethod
    def load(cls) -> PluginSettings:
        qs = QgsSettings()
        values = {}
        for f in fields(cls):
            default = getattr(cls, f.name)
            raw = qs.value(PREFIX + f.name, default)
            try:
                values[f.name] = type(default)(raw)
            except (TypeError, ValueError):
                values[f.name] = default
        settings = cls(**values)
        if settings.device not in DEVICES:
            settings.device = "auto"
        if settings.source not in SOURCES:
            settings.source = "stac"
        return settings

    def save(self) -> None:
        qs = QgsSettings()
        for name, value in asdict(self).items():
            qs.setValue(PREFIX + name, value)

    def url_for(self, source: str) -> str:
        return {"stac": self.stac_url, "cdse": self.cdse_url, "dhus": self.dhus_url}[source]

    def effective_output_dir(self) -> str:
        return self.output_dir or os.path.join(os.path.expanduser("~"), "digisat")

    @property
    def tile_size_or_none(self):
        return self.tile_size or None

    @property
    def model_dir_or_none(self):
        return self.model_dir or None


def store_credentials(username: str, password: str, name: str = "digisat catalogue", config_id: str = "") -> str:
    """Save a Basic login in the auth manager; return its config id (to keep in the settings)."""
    manager = QgsApplication.authManager()
    config = QgsAuthMethodConfig("Basic")
    if config_id:
        config.setId(config_id)
    config.setName(name)
    config.setConfig("username", username)
    config.setConfig("password", password)
    ok = manager.updateAuthenticationConfig(config) if config_id else manager.storeAuthenticationConfig(config)
    if isinstance(ok, tuple):  # some bindings return (ok, config)
        ok, config = ok[0], ok[-1] if isinstance(ok[-1], QgsAuthMethodConfig) else config
    if not ok:
        raise RuntimeError("the QGIS authentication database refused the login (is a master password set?)")
    return config.id()


def load_credentials(config_id: str) -> tuple:
    """(username, password) of an auth config, or ("", "") when there is none."""
    if not config_id:
        return "", ""
    config = QgsAuthMethodConfig()
    QgsApplication.authManager().loadAuthenticationConfig(config_id, config, True)
    return config.config("username", ""), config.config("password", "")
