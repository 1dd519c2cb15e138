"""`digisat:enhance_area`: an area and dates -> the clearest recent scene, super-resolved (the CLI's `enhance`)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFile,
    QgsProcessingParameterRasterDestination,
)

from . import catalog_params as cp
from . import dn_scale
from .common import (
    UNCERTAINTY_HELP,
    DigisatAlgorithm,
    add_engine_parameters,
    band_names,
    bands_parameter,
    engine_options,
    extent_aoi,
    run_in_worker,
    uncertainty_parameter,
)


class EnhanceAreaAlgorithm(DigisatAlgorithm):
    NAME = "enhance_area"
    DISPLAY_NAME = "Enhance area (search, fetch, super-resolve)"
    HELP = (
        "One step from an area to a 10 m raster of every Sentinel-2 band: searches the catalogue over the extent "
        "between the dates, picks the clearest scene (among scenes within 5 points of cloud cover of the "
        "clearest, the newest), fetches what the networks need over the extent and super-resolves it. Where a "
        "scene has a scene classification (STAC L2A), it is judged by the cloud over the extent, not the tile's; "
        "<b>Maximum cloud over the extent</b> drops scenes with more (100: keep all). A scene that cannot be "
        "fetched is skipped for the next best.<br>"
        "<b>Keep fetched data in</b>: a folder to keep the download (empty: a temporary folder, removed "
        "afterwards).<br>"
        "Outputs the chosen scene's id, date and cloud cover beside the raster.<br>" + UNCERTAINTY_HELP
        + dn_scale.HELP + "<br><br>"
        + cp.SOURCE_HELP
    )

    EXTENT, BANDS, OUTPUT, ORIGINAL, UNCERTAINTY = "EXTENT", "BANDS", "OUTPUT", "ORIGINAL", "UNCERTAINTY"
    WORKDIR, MAX_AREA_CLOUD = "WORKDIR", cp.MAX_AREA_CLOUD

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, "Extent"))
        cp.add_date_cloud_parameters(self)
        cp.add_area_cloud_parameter(self)
        cp.add_source_parameters(self)
        self.addParameter(bands_parameter(self.BANDS))
        add_engine_parameters(self, QgsProcessingParameterFile(
            self.WORKDIR, "Keep fetched data in (empty: temporary)", behavior=QgsProcessingParameterFile.Behavior.Folder,
            optional=True), dn_scale.keep_dn_scale_parameter())
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, "Enhanced (10 m)"))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.ORIGINAL, "Original bands at 10 m (nearest neighbour)", optional=True, createByDefault=False))
        self.addParameter(uncertainty_parameter(self.UNCERTAINTY))
        self.addOutput(QgsProcessingOutputString("SCENE_ID", "Scene id"))
        self.addOutput(QgsProcessingOutputString("SCENE_DATE", "Scene date"))
        self.addOutput(QgsProcessingOutputNumber("CLOUD_COVER", "Scene cloud cover (%)"))
        self.addOutput(QgsProcessingOutputNumber("AREA_CLOUD", "Cloud over the extent (%; empty: tile cloud only)"))
        self.addOutput(QgsProcessingOutputString("BAND_NAMES", "Band names, in output order"))

    def processAlgorithm(self, parameters, context, feedback):
        from ..worker.codec import decode_enhance_result, encode_aoi

        aoi = extent_aoi(self, parameters, self.EXTENT, context, required=True)
        start, end = cp.date_range(self, parameters, context)
        max_cloud = self.parameterAsDouble(parameters, cp.MAX_CLOUD, context)
        max_area_cloud = self.parameterAsDouble(parameters, self.MAX_AREA_CLOUD, context)
        max_area_cloud = None if max_area_cloud >= 100 else max_area_cloud  # core: None = no area limit
        level = cp.level(self, parameters, context)
        bands = band_names(self, parameters, self.BANDS, context)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        original = self.parameterAsOutputLayer(parameters, self.ORIGINAL, context) or None
        uncertainty = self.parameterAsOutputLayer(parameters, self.UNCERTAINTY, context) or None
        workdir = self.parameterAsFile(parameters, self.WORKDIR, context) or None
        options = engine_options(self, parameters, context)
        source = cp.source_args(self, parameters, context, feedback)  # the login goes to the worker's stdin only
        feedback.pushInfo(f"looking for the clearest {level} scene {start} .. {end}, cloud <= {max_cloud:g} %")
        args = dict(options, source=source, aoi=encode_aoi(aoi), start=start, end=end, max_cloud=max_cloud,
                    output_path=output, bands=bands, original_path=original, workdir=workdir, level=level,
                    max_area_cloud=max_area_cloud, uncertainty_path=uncertainty,
                    harmonise=dn_scale.harmonise(self, parameters, context))
        # core.catalog.pipeline.enhance_area, in the worker process
        done = decode_enhance_result(run_in_worker("enhance_area", args, feedback, outputs=[output, original, uncertainty],
                                                   device=options["device"]))
        scene, result = done.scene, done.result
        feedback.pushInfo(f"enhanced {scene.id} ({scene.date}, {scene.cloud_cover} % cloud) -> {result.output}")
        outputs = {self.OUTPUT: result.output, "SCENE_ID": scene.id, "SCENE_DATE": scene.date,
                   "CLOUD_COVER": scene.cloud_cover, "AREA_CLOUD": scene.area_cloud, "BAND_NAMES": ",".join(result.bands)}
        if original:
            outputs[self.ORIGINAL] = result.original
        from ..gui.process_panel import request_key
        from .superresolve import name_layers

        name_layers(context, result, [output, original], request_key(aoi, bands, True, options["model_dir"]),
                    uncertainty)
        if uncertainty:
            outputs[self.UNCERTAINTY] = result.uncertainty
        return outputs
