"""`digisat:fetch`: one scene (a search feature or an id) -> a local product or band folder."""

from __future__ import annotations

import os

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ..worker.codec import encode_aoi
from . import catalog_params as cp
from .common import BAND_GROUPS, DEFAULT_BAND_GROUPS, DigisatAlgorithm, band_names, extent_aoi, run_in_worker


class FetchAlgorithm(DigisatAlgorithm):
    NAME = "fetch"
    DISPLAY_NAME = "Fetch Sentinel-2 scene"
    HELP = (
        "Downloads one Sentinel-2 scene into a local folder, ready for <b>Super-resolve Sentinel-2 product</b>.<br>"
        "<b>Scenes</b>: the output of <b>Search Sentinel-2 scenes</b> (or its selected features); the scene "
        "named by <b>Scene id</b> is taken from it, else its first (newest) feature.<br>"
        "<b>Scene id</b> without a layer: the scene is looked up in the source over the extent (needed then) on "
        "the date in its id, at the processing level given.<br>"
        "<b>Extent</b> and <b>Bands</b>: where the source serves single bands (STAC COGs, Data Space nodes) only "
        "those bands are fetched, and from COGs only the window over the extent; a whole-product source "
        "downloads the product (resumed after a break, checksum verified).<br>"
        "<b>Product</b> (output): the path of the fetched product or band folder.<br><br>" + cp.SOURCE_HELP
    )

    SCENES, SCENE_ID, EXTENT, BANDS, OUTPUT = "SCENES", "SCENE_ID", "EXTENT", "BANDS", "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SCENES, "Scenes (output of Search Sentinel-2 scenes)", [QgsProcessing.SourceType.TypeVector], optional=True))
        self.addParameter(QgsProcessingParameterString(self.SCENE_ID, "Scene id (empty: the first scene)",
                                                       optional=True))
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, "Extent (empty: the whole scene)", optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.BANDS, "Bands besides the 10 m ones", options=[label for _key, label in BAND_GROUPS],
            allowMultiple=True, defaultValue=DEFAULT_BAND_GROUPS))
        cp.add_source_parameters(self)
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, "Download folder"))
        self.addOutput(QgsProcessingOutputFile("PRODUCT", "Product (band folder, SAFE or zip)"))
        self.addOutput(QgsProcessingOutputString("FETCHED_ID", "Scene id"))

    def processAlgorithm(self, parameters, context, feedback):
        from ..core.catalog.pipeline import bands_to_fetch

        scene_id = self.parameterAsString(parameters, self.SCENE_ID, context).strip()
        aoi = extent_aoi(self, parameters, self.EXTENT, context)
        # what the networks need to produce the chosen bands (20 m inputs for a 60 m output, ...)
        bands = bands_to_fetch(band_names(self, parameters, self.BANDS, context))
        dest_dir = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        source = cp.source_args(self, parameters, context, feedback)  # the login goes to the worker's stdin only
        args = {"source": source, "aoi": encode_aoi(aoi), "bands": bands, "dest_dir": dest_dir, "with_id": True}
        scene = self.scene_from_layer(parameters, context, scene_id)
        if scene is None:
            # looked up in the worker, on the date in the id (the CLI's `fetch SCENE_ID` does the same)
            if not scene_id:
                raise QgsProcessingException("SCENES or SCENE_ID: give the layer of Search Sentinel-2 scenes or a "
                                             "scene id")
            if aoi is None:
                raise QgsProcessingException(f"EXTENT: needed to look {scene_id} up in the catalogue")
            args.update(scene=None, scene_id=scene_id, level=cp.level(self, parameters, context))
        else:
            args["scene"] = scene.to_dict()
        created = not os.path.isdir(dest_dir)
        os.makedirs(dest_dir, exist_ok=True)
        feedback.pushInfo(f"fetching {scene.id if scene else scene_id} ({', '.join(bands)}) into {dest_dir}")
        # in the worker: the catalogue clients live in the digisat environment, not in QGIS's Python
        try:
            done = run_in_worker("fetch", args, feedback)
        except QgsProcessingException:
            if created and not os.listdir(dest_dir):  # a scene that was not found leaves no empty folder behind
                os.rmdir(dest_dir)
            raise
        feedback.pushInfo(f"fetched {done['path']}")
        return {self.OUTPUT: dest_dir, "PRODUCT": done["path"], "FETCHED_ID": done["scene_id"]}

    def scene_from_layer(self, parameters, context, scene_id: str):
        """The scene record of the layer's feature named `scene_id` (its first one when none is named); None
        when no layer is given."""
        if parameters.get(self.SCENES) in (None, ""):
            return None
        layer = self.parameterAsSource(parameters, self.SCENES, context)
        if layer is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.SCENES))
        names = layer.fields().names()
        if "scene" not in names or "id" not in names:
            raise QgsProcessingException("SCENES: not a search result layer (no 'id' and 'scene' fields)")
        for feature in layer.getFeatures(QgsFeatureRequest()):
            if not scene_id or feature["id"] == scene_id:
                return cp.scene_from_json(feature["scene"])
        if scene_id:
            raise QgsProcessingException(f"SCENE_ID: {scene_id} is not in the SCENES layer")
        raise QgsProcessingException("SCENES: the layer has no features (nothing found?)")
