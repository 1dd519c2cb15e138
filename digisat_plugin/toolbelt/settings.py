"""The plugin's one settings model: `PluginSettings`, kept in QgsSettings under "digisat/".

Every value saves itself: `PluginSettings.load()` gives a live object, and setting one of its
fields (`settings.tile_size = 240`) writes that value to QgsSettings at once and tells the
listeners (`on_change`), so the dock's widgets only set attributes and nothing needs a "Save"
button. An object made with `PluginSettings(...)` is detached (nothing written) until `persist()`.

Secrets stay in the QGIS auth manager: only an auth configuration id is stored in the settings;
user names and passwords live in `QgsApplication.authManager()` (encrypted with the user's master
password), never in the settings file or the log. `credentials(config_id)` is the one reader of a
login (the dock and the Processing algorithms both use it).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings

from ..core.definitions import DEVICES, SOURCES
from ..core.errors import InputError

PREFIX = "digisat/"
DATA_MODES = ("search", "local")


@dataclass
class PluginSettings:
    # empty URL: the service's default as core.catalog knows it
    stac_url: str = ""
    cdse_url: str = ""
    dhus_url: str = ""
    stac_collection: str = ""  # empty: sentinel-2-c1-l2a / sentinel-2-l1c by level (core.catalog.stac.COLLECTIONS)
    source: str = "stac"
    auth_config_id: str = ""  # QGIS auth manager config holding the Data Space / DHuS login (never the password)
    data_mode: str = "search"  # the Data tab: "search" a catalogue or a "local" product
    local_product: str = ""  # the local product last picked (remembered across restarts)
    output_dir: str = ""
    tile_size: int = 0  # 0: the engine chooses
    device: str = "auto"
    area_warning_km2: float = 400.0
    model_dir: str = ""  # empty: the networks shipped in model_weights/
    worker_python: str = ""  # advanced: an existing Python for the worker; empty: the digisat environment
    worker_keep_alive: int = 300  # seconds an idle worker is kept for the next run (0: a new process per run)
    worker_threads: int = 0  # CPU threads for the networks in the worker (0: every core)
    # the dock's own controls, so a restart shows them as they were left
    bands20: bool = True
    bands60: bool = True
    measure_quality: bool = False
    uncertainty_layer: bool = False  # also write and load the per-pixel expected error (core/sr/uncertainty.py)
    max_cloud: int = 30
    level: str = "L2A"
    zoom_to_result: bool = True  # the map goes to each new result
    dock_open: bool = False  # the dock was open when QGIS closed: it opens again

    def __setattr__(self, name, value):
        known = _FIELDS.get(name)
        if known is None:
            object.__setattr__(self, name, value)
            return
        value = _coerce(name, value, known)
        before = self.__dict__.get(name, _UNSET)
        object.__setattr__(self, name, value)
        if before is _UNSET or before == value:
            return
        if self.__dict__.get("_live"):
            QgsSettings().setValue(PREFIX + name, value)
        for listener in list(self.__dict__.get("_listeners", ())):
            listener(name, value)

    @classmethod
    def load(cls) -> PluginSettings:
        """The settings as saved, live: every change made to this object is saved at once."""
        qs = QgsSettings()
        settings = cls(**{f.name: qs.value(PREFIX + f.name, f.default) for f in fields(cls)})
        object.__setattr__(settings, "_live", True)
        return settings

    def persist(self) -> PluginSettings:
        """Save every value now and every change from now on (a detached object becomes live)."""
        self.save()
        object.__setattr__(self, "_live", True)
        return self

    @property
    def live(self) -> bool:
        return bool(self.__dict__.get("_live"))

    def save(self) -> None:
        qs = QgsSettings()
        for name, value in asdict(self).items():
            qs.setValue(PREFIX + name, value)

    def on_change(self, listener) -> None:
        """listener(name, value) after a field changed (on this object)."""
        self.__dict__.setdefault("_listeners", []).append(listener)

    def remove_listener(self, listener) -> None:
        listeners = self.__dict__.get("_listeners", [])
        if listener in listeners:
            listeners.remove(listener)

    def url_for(self, source: str) -> str:
        return {"stac": self.stac_url, "cdse": self.cdse_url, "dhus": self.dhus_url}[source]

    def effective_output_dir(self) -> str:
        return self.output_dir or os.path.join(os.path.expanduser("~"), "digisat")

    @property
    def model_dir_or_none(self):
        return self.model_dir or None


_UNSET = object()
_FIELDS = {f.name: f for f in fields(PluginSettings)}
_CHOICES = {"device": DEVICES, "source": SOURCES, "data_mode": DATA_MODES, "level": ("L2A", "L1C")}


def _coerce(name, value, field):
    """The value in the field's type; one that makes no sense (from an edited file) gives the default."""
    default = field.default
    if isinstance(default, bool):  # QgsSettings may give "true"/"false" back, and bool("false") is True
        return value.strip().lower() in ("true", "1", "yes") if isinstance(value, str) else bool(value)
    try:
        value = type(default)(value)
    except (TypeError, ValueError):
        value = default
    if name in _CHOICES and value not in _CHOICES[name]:
        value = default
    return value


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


class LoginError(InputError):
    """An auth configuration id that gives no login; the message is one line."""


def credentials(config_id: str, label: str = "login") -> tuple:
    """(username, password) of a QGIS authentication configuration; ("", "") when no id is given.

    An id the auth manager does not know, or a configuration without a user name, is a one-line
    LoginError starting with `label` (the dock: "login", Processing: its parameter "AUTH").
    """
    config_id = (config_id or "").strip()
    if not config_id:
        return "", ""
    manager = QgsApplication.authManager()
    config = QgsAuthMethodConfig()
    if config_id not in manager.configIds() or not manager.loadAuthenticationConfig(config_id, config, True):
        raise LoginError(f"{label}: authentication configuration {config_id!r} not found in the QGIS authentication "
                         "manager (choose another login, or none)")
    username = config.config("username", "")
    if not username:
        raise LoginError(f"{label}: authentication configuration {config_id!r} has no username (use the Basic "
                         "method)")
    return username, config.config("password", "")
