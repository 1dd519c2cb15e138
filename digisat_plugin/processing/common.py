"""Pieces every digisat Processing algorithm shares: the base class, progress, errors, AOI, credentials.

The algorithms are thin: they turn typed Processing parameters into the arguments of a core
function, and the core function's `DigisatError` into a `QgsProcessingException` carrying the
same one-line message the CLI prints.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterRasterDestination,
)
from qgis.PyQt.QtGui import QIcon

from ..core.definitions import DEVICES
from ..core.errors import DigisatError
from ..core.progress import Progress

GROUP_ID = "sentinel2"
GROUP = "Sentinel-2"

# The band groups a user can ask to be super-resolved (10 m bands are always in the output).
BAND_GROUPS = (
    ("20m", "20 m bands (B05 B06 B07 B8A B11 B12)"),
    ("60m", "60 m bands (B01 B09)"),
    ("B10", "B10 cirrus (upsampled, L1C only)"),
)
DEFAULT_BAND_GROUPS = [0, 1]

PRODUCT_FILE_FILTER = (
    "Sentinel-2 products (*.zip *.xml *.safe *.SAFE *.tif *.TIF *.jp2);;All files (*)"
)
DEVICE, MODEL_DIR = "DEVICE", "MODEL_DIR"


class DigisatAlgorithm(QgsProcessingAlgorithm):
    """Base class: group, icon, instance creation; subclasses set NAME, DISPLAY_NAME, HELP."""

    NAME = ""
    DISPLAY_NAME = ""
    HELP = ""

    def name(self):
        return self.NAME

    def displayName(self):
        return self.DISPLAY_NAME

    def group(self):
        return GROUP

    def groupId(self):
        return GROUP_ID

    def shortHelpString(self):
        return self.HELP

    def helpUrl(self):  # noqa: N802 (the dialog's Help button opens it)
        from ..toolbelt.docs import PROCESSING_SECTION, help_url

        return help_url(PROCESSING_SECTION)

    def icon(self):
        from ..icons import icon_path

        path = icon_path()
        return QIcon(path) if path else super().icon()

    def createInstance(self):
        return type(self)()


# The uncertainty layer (docs/uncertainty.md, not shipped: hence the help's pointer), as superresolve, enhance_area and enhance_series offer it.
UNCERTAINTY_MEANING = (
    "float32 GeoTIFF, one band per output band: the expected absolute error of each enhanced pixel in the output's "
    "DN, with the output's scale, so QGIS shows it in the same units (0 on the copied 10 m bands); mask pixels "
    "above a threshold before computing an index (Mask uncertain pixels does it for every band; the plugin's "
    "help, Uncertainty layer, says more)"
)
UNCERTAINTY_HELP = f"<b>Uncertainty</b>: optional {UNCERTAINTY_MEANING}.<br>"


def uncertainty_parameter(name: str = "UNCERTAINTY") -> QgsProcessingParameterRasterDestination:
    """The optional output of the uncertainty layer (not written unless a destination is given)."""
    return QgsProcessingParameterRasterDestination(
        name, "Uncertainty (expected absolute error)", optional=True, createByDefault=False)


def add_engine_parameters(alg, *extra) -> None:
    """The advanced parameters of the networks (device, model folder), after any `extra` advanced ones."""
    params = list(extra) + [
        QgsProcessingParameterEnum(DEVICE, "Device", options=list(DEVICES), defaultValue=0),
        QgsProcessingParameterFile(MODEL_DIR, "Model weights folder (empty: the plugin's own)",
                                   behavior=QgsProcessingParameterFile.Behavior.Folder, optional=True),
    ]
    for param in params:
        param.setFlags(param.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        alg.addParameter(param)


def engine_options(alg, parameters, context) -> dict:
    """{'device': ..., 'model_dir': ...} for core.sr (the CLI's --device and --model)."""
    return {"device": DEVICES[alg.parameterAsEnum(parameters, DEVICE, context)],
            "model_dir": alg.parameterAsFile(parameters, MODEL_DIR, context) or None}


def feedback_progress(feedback) -> Progress:
    """A core Progress that drives a QgsProcessingFeedback (percent bar, stage text, cancel button)."""
    if feedback is None:
        return Progress()
    last = {"message": None}

    def report(fraction: float, message: str) -> None:
        feedback.setProgress(100.0 * fraction)
        if message and message != last["message"]:
            last["message"] = message
            feedback.setProgressText(message)

    return Progress(report, feedback.isCanceled)


def run_in_worker(job: str, args: dict, feedback, outputs=(), device: str = "auto"):
    """Run a core job in the worker process (worker/client.py) with this algorithm's progress, cancel
    and log; its one-line errors become QgsProcessingException. The networks never load in QGIS."""
    from ..tasks.worker import keep_alive, resolve_python, worker_threads
    from ..toolbelt.settings import PluginSettings
    from ..worker.client import run_job

    log = feedback.pushInfo if feedback is not None else None
    with user_errors():
        settings = PluginSettings.load()  # read once: the worker's Python, how long it is kept, its threads
        return run_job(job, args, resolve_python(settings), device, feedback_progress(feedback), log=log,
                       outputs=outputs, keep_alive=keep_alive(settings), threads=worker_threads(settings))


@contextmanager
def user_errors():
    """Turn a DigisatError into a QgsProcessingException with the same one-line message."""
    try:
        yield
    except DigisatError as exc:
        raise QgsProcessingException(str(exc)) from None


def crs_text(crs: QgsCoordinateReferenceSystem) -> str:
    """A CRS as core.io.aoi understands it: 'EPSG:nnnn' when it has one, else WKT, '' when invalid."""
    if crs is None or not crs.isValid():
        return ""
    authid = crs.authid()
    if authid and authid.upper().startswith("EPSG:"):
        return authid
    return crs.toWkt(QgsCoordinateReferenceSystem.WktVariant.WKT_PREFERRED_GDAL)


def extent_aoi(alg: QgsProcessingAlgorithm, parameters, name: str, context, required: bool = False):
    """The Aoi of an extent parameter (in the extent's own CRS), or None when it was left empty."""
    from ..core.io.aoi import Aoi

    value = parameters.get(name)
    if value is None or value == "":
        if required:
            raise QgsProcessingException(f"{name}: an extent is required")
        return None
    rect = alg.parameterAsExtent(parameters, name, context)
    if rect.isNull() or rect.isEmpty():
        if required:
            raise QgsProcessingException(f"{name}: an extent is required")
        return None
    crs = alg.parameterAsExtentCrs(parameters, name, context)
    with user_errors():
        return Aoi.from_bbox(rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum(), crs_text(crs))


def layer_aoi(alg: QgsProcessingAlgorithm, parameters, name: str, context):
    """The Aoi of a polygon layer parameter (its features united, in the layer's CRS), or None when empty."""
    from qgis.core import QgsGeometry

    from ..core.io.aoi import Aoi

    if parameters.get(name) in (None, ""):
        return None
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        return None
    geometries = [f.geometry() for f in source.getFeatures() if f.hasGeometry()]
    if not geometries:
        raise QgsProcessingException(f"{name}: the layer has no polygon")
    union = QgsGeometry.unaryUnion(geometries)
    if union.isNull() or union.isEmpty():
        raise QgsProcessingException(f"{name}: the layer's polygons are empty")
    return Aoi(union.asWkt(), crs_text(source.sourceCrs()))


def bands_parameter(name: str = "BANDS") -> QgsProcessingParameterEnum:
    """The multiple-choice band-group parameter of every algorithm that super-resolves (read by band_names)."""
    return QgsProcessingParameterEnum(name, "Bands to super-resolve", options=[label for _key, label in BAND_GROUPS],
                                      allowMultiple=True, defaultValue=DEFAULT_BAND_GROUPS)


def band_names(alg: QgsProcessingAlgorithm, parameters, name: str, context) -> list:
    """Band names from the multiple-choice band-group parameter, the 10 m bands always included.

    core's parse_band_list does the expanding, so 'BANDS=[0, 1]' means the CLI's default band set.
    """
    from ..core.definitions import parse_band_list

    indexes = alg.parameterAsEnums(parameters, name, context)
    if not indexes:
        raise QgsProcessingException(f"{name}: choose at least one band group")
    return parse_band_list(",".join(["10m"] + [BAND_GROUPS[i][0] for i in indexes]))


def product_path(path: str) -> str:
    """The product a picked path stands for.

    A file dialog cannot pick a folder, so a SAFE folder may be given by its metadata file
    (MTD_MSIL1C.xml, manifest.safe) and a band folder by any of its band rasters; a .zip is
    the product itself.
    """
    path = os.fspath(path or "").strip()
    if not path:
        raise QgsProcessingException("INPUT: no product given")
    if os.path.isfile(path) and not path.lower().endswith(".zip"):
        return os.path.dirname(os.path.abspath(path))
    return path


def credentials(authcfg: str) -> tuple:
    """(username, password) of a QGIS authentication configuration, or (None, None) when none is given.

    The one login reader is toolbelt.settings.credentials (the dock uses it too); its one-line error
    becomes a QgsProcessingException naming the parameter. The secret stays in QGIS's encrypted auth
    database: Processing parameters and logs only ever carry the configuration's id.
    """
    from ..toolbelt.settings import credentials as read_login

    with user_errors():
        username, password = read_login(authcfg, label="AUTH")
    return username or None, password or None
