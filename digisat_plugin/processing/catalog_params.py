"""Parameters shared by the catalogue algorithms (search, fetch, enhance_area): source, service URL, credentials.

A scene found by `digisat:search` travels to `digisat:fetch` as a feature whose `scene` field holds
the whole search record (JSON), so a fetch needs no second query and works in models and batches.
"""

from __future__ import annotations

import datetime as dt
import json

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QDate

from ..core.definitions import SOURCE_LABELS
from .common import credentials

LEVELS = ("L2A", "L1C")
DEFAULT_DAYS = 30

SOURCE, URL, AUTH, LEVEL, COLLECTION = "SOURCE", "URL", "AUTH", "LEVEL", "COLLECTION"
START, END, MAX_CLOUD, MAX_AREA_CLOUD = "START", "END", "MAX_CLOUD", "MAX_AREA_CLOUD"

SOURCE_HELP = (
    "<b>Source</b>: where to search and download. <b>Service URL</b>: leave empty for the plugin's setting "
    "(the dock's URL; where that is empty too, the source's public service), or give a mirror (a STAC API root, a DHuS hub URL ending in /). <b>Credentials</b>: a QGIS "
    "authentication configuration (Basic: username and password) for Data Space and DHuS accounts; the "
    "password stays in QGIS's encrypted store and is never written to parameters or logs. <b>STAC collection</b> "
    "(advanced; empty: the plugin's setting): e.g. the older sentinel-2-l2a instead of sentinel-2-c1-l2a.<br>"
    "Searching and downloading run in the digisat environment's Python (the dock's <i>Install packages</i>, "
    "or the DIGISAT_WORKER_PYTHON variable), not in QGIS's own."
)


def add_source_parameters(alg, level: bool = True) -> None:
    alg.addParameter(QgsProcessingParameterEnum(SOURCE, "Source", options=[label for _k, label in SOURCE_LABELS],
                                                defaultValue=0))
    alg.addParameter(QgsProcessingParameterString(URL, "Service URL (empty: the plugin's setting, else the source's "
                                                       "default)", optional=True))
    alg.addParameter(QgsProcessingParameterAuthConfig(AUTH, "Credentials (Data Space, DHuS)", optional=True))
    collection = QgsProcessingParameterString(COLLECTION, "STAC collection (empty: the plugin's setting, "
                                              "else sentinel-2-c1-l2a / sentinel-2-l1c by level)", optional=True)
    collection.setFlags(collection.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
    alg.addParameter(collection)
    if level:
        alg.addParameter(QgsProcessingParameterEnum(LEVEL, "Processing level", options=list(LEVELS), defaultValue=0))


def add_date_cloud_parameters(alg) -> None:
    alg.addParameter(QgsProcessingParameterDateTime(
        START, f"Start date (empty: {DEFAULT_DAYS} days before the end)", type=QgsProcessingParameterDateTime.Type.Date,
        optional=True))
    alg.addParameter(QgsProcessingParameterDateTime(
        END, "End date (empty: today)", type=QgsProcessingParameterDateTime.Type.Date, optional=True))
    alg.addParameter(QgsProcessingParameterNumber(
        MAX_CLOUD, "Maximum cloud cover (%)", type=QgsProcessingParameterNumber.Type.Double, minValue=0, maxValue=100,
        defaultValue=30))


def add_area_cloud_parameter(alg) -> None:
    """The scene-classification cloud limit over the extent itself (enhance_area, enhance_series)."""
    alg.addParameter(QgsProcessingParameterNumber(
        MAX_AREA_CLOUD, "Maximum cloud over the extent (%, scene classification; 100: keep all)",
        type=QgsProcessingParameterNumber.Type.Double, minValue=0, maxValue=100, defaultValue=100))


def source_kind(alg, parameters, context) -> str:
    return SOURCE_LABELS[alg.parameterAsEnum(parameters, SOURCE, context)][0]


def level(alg, parameters, context) -> str:
    return LEVELS[alg.parameterAsEnum(parameters, LEVEL, context)]


def source_args(alg, parameters, context, feedback=None) -> dict:
    """get_source's arguments for the source the parameters name, login from the auth manager.

    A URL or collection left empty is the plugin's setting (toolbelt/settings.py, the one home the dock
    and the series use too), and only where that is empty the service's default."""
    from ..toolbelt.settings import PluginSettings

    settings = PluginSettings.load()
    kind = source_kind(alg, parameters, context)
    url = alg.parameterAsString(parameters, URL, context).strip() or settings.url_for(kind).strip() or None
    username, password = credentials(alg.parameterAsString(parameters, AUTH, context))
    if feedback is not None:
        # the user name and URL only: never the password
        who = f" as {username}" if username else ""
        feedback.pushInfo(f"source: {kind} {url or '(default service)'}{who}")
    args = {"kind": kind, "url": url, "username": username, "password": password}
    collection = alg.parameterAsString(parameters, COLLECTION, context).strip()
    if collection and kind != "stac":
        raise QgsProcessingException(f"COLLECTION: only for the STAC source (not {kind})")
    collection = collection or (settings.stac_collection.strip() if kind == "stac" else "")
    if collection:
        args["collection"] = collection
    return args


def _date(alg, parameters, name, context):
    if parameters.get(name) in (None, ""):
        return None
    value = alg.parameterAsDateTime(parameters, name, context)  # parameterAsDate is not in 3.22's bindings
    if not value.isValid():
        raise QgsProcessingException(f"{name}: {parameters.get(name)!r} is not a date (expected YYYY-MM-DD)")
    return value.date().toPyDate()


def date_range(alg, parameters, context) -> tuple:
    """(start, end) as 'YYYY-MM-DD' (both days included); defaults: the last DEFAULT_DAYS days up to today."""
    end = _date(alg, parameters, END, context) or QDate.currentDate().toPyDate()
    start = _date(alg, parameters, START, context) or end - dt.timedelta(days=DEFAULT_DAYS)
    if start > end:
        raise QgsProcessingException(f"START: {start.isoformat()} is after END {end.isoformat()}")
    return start.isoformat(), end.isoformat()


def scene_from_json(text: str):
    from ..core.catalog.scene import SceneRecord

    try:
        return SceneRecord(**json.loads(text))
    except (TypeError, ValueError) as exc:
        raise QgsProcessingException(f"scene: not a digisat search record ({exc})") from None
