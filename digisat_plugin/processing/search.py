"""`digisat:search`: Sentinel-2 scenes over an extent -> a layer of their footprints (EPSG:4326)."""

from __future__ import annotations

import json

from osgeo import ogr
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSink,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate

from .. import qt_compat
from ..worker.codec import decode_scene, encode_aoi
from . import catalog_params as cp
from .common import DigisatAlgorithm, extent_aoi, run_in_worker

ogr.UseExceptions()


def scene_fields() -> QgsFields:
    fields = QgsFields()
    for name, kind in (
        ("id", qt_compat.STRING), ("date", qt_compat.DATE), ("datetime", qt_compat.STRING),
        ("cloud_cover", qt_compat.DOUBLE), ("area_cloud", qt_compat.DOUBLE), ("tile", qt_compat.STRING),
        ("size", qt_compat.LONGLONG),
        ("level", qt_compat.STRING), ("source", qt_compat.STRING), ("thumbnail", qt_compat.STRING),
        ("scene", qt_compat.STRING),
    ):
        fields.append(QgsField(name, kind))
    return fields


def scene_feature(scene, fields: QgsFields) -> QgsFeature:
    feature = QgsFeature(fields)
    if scene.footprint:
        geom = QgsGeometry.fromWkt(ogr.CreateGeometryFromJson(json.dumps(scene.footprint)).ExportToWkt())
        geom.convertToMultiType()
        feature.setGeometry(geom)
    feature["id"] = scene.id
    feature["date"] = QDate.fromString(scene.date, "yyyy-MM-dd")
    feature["datetime"] = scene.datetime
    feature["cloud_cover"] = scene.cloud_cover
    feature["area_cloud"] = scene.area_cloud  # NULL: tile cloud only (no scene classification)
    feature["tile"] = scene.tile
    feature["size"] = scene.size
    feature["level"] = scene.level
    feature["source"] = scene.source
    feature["thumbnail"] = scene.thumbnail_url
    feature["scene"] = json.dumps(scene.to_dict(), sort_keys=True)
    return feature


class SearchAlgorithm(DigisatAlgorithm):
    NAME = "search"
    DISPLAY_NAME = "Search Sentinel-2 scenes"
    HELP = (
        "Searches a catalogue for Sentinel-2 scenes that intersect the extent, were sensed between the start "
        "and end dates (inclusive) and have at most the given cloud cover, and writes their footprints "
        "(EPSG:4326), newest first, with the attributes id, date, cloud_cover (% of the tile), area_cloud (% of "
        "the extent not clear in the scene classification; empty where the source has none: tile cloud only), "
        "tile, size (bytes), level, source and thumbnail.<br>"
        "The <i>scene</i> field carries the whole search record: give the layer (or selected features) to "
        "<b>Fetch Sentinel-2 scene</b> to download one.<br><br>" + cp.SOURCE_HELP
    )

    EXTENT, OUTPUT = "EXTENT", "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, "Extent"))
        cp.add_date_cloud_parameters(self)
        cp.add_source_parameters(self)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, "Scenes", type=QgsProcessing.SourceType.TypeVectorPolygon))
        self.addOutput(QgsProcessingOutputNumber("COUNT", "Number of scenes found"))

    def processAlgorithm(self, parameters, context, feedback):
        aoi = extent_aoi(self, parameters, self.EXTENT, context, required=True)
        start, end = cp.date_range(self, parameters, context)
        max_cloud = self.parameterAsDouble(parameters, cp.MAX_CLOUD, context)
        level = cp.level(self, parameters, context)
        source = cp.source_args(self, parameters, context, feedback)  # the login goes to the worker's stdin only
        feedback.pushInfo(f"searching {level} scenes {start} .. {end}, cloud <= {max_cloud:g} %")
        # in the worker: pystac-client and sentinelsat live in the digisat environment, not in QGIS's Python
        found = run_in_worker("search", {"source": source, "aoi": encode_aoi(aoi), "query": {
            "start": start, "end": end, "max_cloud": max_cloud, "level": level}}, feedback)
        scenes = [decode_scene(scene) for scene in found]
        fields = scene_fields()
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.Type.MultiPolygon,
                                             QgsCoordinateReferenceSystem("EPSG:4326"))
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        for scene in scenes:
            sink.addFeature(scene_feature(scene, fields), QgsFeatureSink.Flag.FastInsert)
        feedback.setProgress(100)
        feedback.pushInfo(f"{len(scenes)} scene(s) found")
        return {self.OUTPUT: dest_id, "COUNT": len(scenes)}
