"""`digisat:superresolve`: a Sentinel-2 product -> every band at 10 m (the CLI's `superresolve`)."""

from __future__ import annotations

from qgis.core import (
    QgsMapLayerType,
    QgsProcessing,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterRasterDestination,
    QgsProject,
)

from . import dn_scale
from .common import (
    PRODUCT_FILE_FILTER,
    UNCERTAINTY_HELP,
    DigisatAlgorithm,
    add_engine_parameters,
    band_names,
    bands_parameter,
    engine_options,
    extent_aoi,
    layer_aoi,
    product_path,
    run_in_worker,
    uncertainty_parameter,
)

STYLERS: list = []


class StyleAsTheDock(QgsProcessingLayerPostProcessorInterface):
    """Styles a loaded output as the dock styles its results (gui.results.style_result)."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        from ..gui.results import style_result

        if layer is not None and layer.type() == QgsMapLayerType.RasterLayer:
            style_result(layer)


def name_layers(context, result, paths, key: str, uncertainty=None) -> None:
    """The loaded outputs named as the dock names its results ('2017-06-13 33UUP enhanced [4c93d3]': a batch's
    outputs were all "Super-resolved (10 m)") and styled as the dock styles them; the uncertainty layer
    (`uncertainty`, its output path) too ('... uncertainty [4c93d3]'), on its ramp and not shown at first."""
    from ..gui.results import result_names, uncertainty_name

    drop_empty_load(context)
    names = result_names(result.product_id, result.date, key)[1:]
    # Stacked as the dock stacks them: the uncertainty layer (unticked) over the enhanced one over the
    # original; Processing otherwise adds them in the order of their paths, which put the original on top.
    loads = list(zip(paths, names, [StyleAsTheDock] * len(names), (ENHANCED_KEY, ORIGINAL_KEY), strict=False))
    loads.append((uncertainty, uncertainty_name(names[0]), StyleAsUncertainty, UNCERTAINTY_KEY))
    for path, name, styler_class, sort_key in loads:
        load_as(context, path, name, styler_class, sort_key)


def drop_empty_load(context) -> None:
    """The batch dialog passes an optional output left empty (Original, Uncertainty) as an output to load
    at '' and QGIS then lists '' among the layers "not correctly generated" although the row succeeded:
    nothing was asked there, so nothing is loaded from there."""
    loads = context.layersToLoadOnCompletion()
    if "" in loads:
        del loads[""]
        context.setLayersToLoadOnCompletion(loads)


ORIGINAL_KEY, ENHANCED_KEY, UNCERTAINTY_KEY = 1, 2, 3  # a greater key is loaded above a lesser one


def load_as(context, path: str, name: str, styler_class=StyleAsTheDock, sort_key: int = 0) -> None:
    """If Processing loads the output `path`, under `name`, styled by `styler_class` and, where QGIS
    sorts loaded outputs (3.32 and later), stacked by `sort_key` (0: as Processing adds it)."""
    if path and context.willLoadLayerOnCompletion(path):
        details = context.layerToLoadOnCompletionDetails(path)
        details.name = name
        if hasattr(details, "forceName"):  # QGIS >= 3.32: the name wins over the output's description
            details.forceName = True
        if sort_key and hasattr(details, "layerSortKey"):
            details.layerSortKey = sort_key
        styler = styler_class()
        STYLERS.append(styler)  # QGIS holds only a pointer; the algorithm copy may be gone by then
        del STYLERS[:-16]
        details.setPostProcessor(styler)


class StyleAsUncertainty(QgsProcessingLayerPostProcessorInterface):
    """Styles a loaded uncertainty layer with a sequential colour ramp and leaves it unticked, as the dock
    does (gui/results.add_uncertainty_layer): shown, it would cover the enhanced result."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        from ..gui.uncertainty_style import style_uncertainty

        if layer is not None and layer.type() == QgsMapLayerType.RasterLayer:
            style_uncertainty(layer)
            node = (context.project() or QgsProject.instance()).layerTreeRoot().findLayer(layer.id())
            if node is not None:
                node.setItemVisibilityChecked(False)


class SuperResolveAlgorithm(DigisatAlgorithm):
    NAME = "superresolve"
    DISPLAY_NAME = "Super-resolve Sentinel-2 product"
    HELP = (
        "Super-resolves the 20 m and 60 m bands of a Sentinel-2 L1C or L2A product to 10 m with the "
        "DSen2-style networks and writes one Cloud Optimized GeoTIFF with every band at 10 m.<br><br>"
        "<b>Input product</b>: a .zip or SAFE folder (pick its MTD_MSIL1C.xml / MTD_MSIL2A.xml) or a "
        "folder of band rasters B01 ... B12 (pick any of its band files).<br>"
        "<b>Extent</b>: optional area to process, in any CRS; empty means the whole product. The area is "
        "widened to whole 60 m pixels.<br>"
        "<b>Area polygons</b>: optional polygon layer; when given it sets the area instead of the extent, and "
        "with <b>No data outside the polygons</b> (default) every pixel whose centre is outside them is no data "
        "(unticked: the polygons' bounding box).<br>"
        "<b>Bands</b>: which band groups to super-resolve; the four 10 m bands are always included.<br>"
        "<b>Original bands</b>: optional companion GeoTIFF of the same bands as delivered, only "
        "repeated to 10 m (nearest neighbour), for side-by-side comparison.<br>"
        + UNCERTAINTY_HELP + dn_scale.HELP + "<br><br>"
        "Same result as <tt>python -m digisat_plugin superresolve INPUT OUTPUT --aoi ...</tt>."
    )

    INPUT = "INPUT"
    EXTENT = "EXTENT"
    BANDS = "BANDS"
    OUTPUT = "OUTPUT"
    ORIGINAL = "ORIGINAL"
    UNCERTAINTY = "UNCERTAINTY"
    AOI = "AOI"
    MASK = "MASK_TO_AOI"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFile(
                self.INPUT, "Input product (zip, SAFE or band folder)",
                behavior=QgsProcessingParameterFile.Behavior.File, fileFilter=PRODUCT_FILE_FILTER,
            )
        )
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, "Extent (empty: whole product)", optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.AOI, "Area polygons (instead of the extent)", [QgsProcessing.SourceType.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.MASK, "No data outside the polygons", defaultValue=True))
        self.addParameter(bands_parameter(self.BANDS))
        add_engine_parameters(self, dn_scale.keep_dn_scale_parameter())
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, "Super-resolved (10 m)"))
        self.addParameter(
            QgsProcessingParameterRasterDestination(
                self.ORIGINAL, "Original bands at 10 m (nearest neighbour)", optional=True, createByDefault=False,
            )
        )
        self.addParameter(uncertainty_parameter(self.UNCERTAINTY))
        self.addOutput(QgsProcessingOutputString("BAND_NAMES", "Band names, in output order"))
        self.addOutput(QgsProcessingOutputString("PRODUCT_ID", "Product id"))
        self.addOutput(QgsProcessingOutputNumber("WIDTH", "Width (pixels)"))
        self.addOutput(QgsProcessingOutputNumber("HEIGHT", "Height (pixels)"))

    def processAlgorithm(self, parameters, context, feedback):
        from ..gui.process_panel import request_key
        from ..worker.codec import decode_sr_result, encode_aoi

        input_path = product_path(self.parameterAsFile(parameters, self.INPUT, context))
        polygons = layer_aoi(self, parameters, self.AOI, context)
        aoi = polygons or extent_aoi(self, parameters, self.EXTENT, context)
        mask = polygons is not None and self.parameterAsBoolean(parameters, self.MASK, context)
        bands = band_names(self, parameters, self.BANDS, context)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        original = self.parameterAsOutputLayer(parameters, self.ORIGINAL, context) or None
        uncertainty = self.parameterAsOutputLayer(parameters, self.UNCERTAINTY, context) or None
        options = engine_options(self, parameters, context)
        feedback.pushInfo(f"input: {input_path}; bands: {', '.join(bands)}; device: {options['device']}")
        args = dict(options, input_path=input_path, output_path=output, aoi=encode_aoi(aoi), bands=bands,
                    original_path=original, harmonise=dn_scale.harmonise(self, parameters, context), mask_to_aoi=mask,
                    uncertainty_path=uncertainty)
        # core.sr.engine.superresolve, in the worker process (the networks never load in QGIS's)
        result = decode_sr_result(run_in_worker("superresolve", args, feedback, outputs=[output, original, uncertainty],
                                                device=options["device"]))
        feedback.pushInfo(f"wrote {result.output} ({result.width} x {result.height}, {len(result.bands)} bands)")
        outputs = {
            self.OUTPUT: result.output,
            "BAND_NAMES": ",".join(result.bands),
            "PRODUCT_ID": result.product_id or "",
            "WIDTH": result.width,
            "HEIGHT": result.height,
        }
        if original:
            outputs[self.ORIGINAL] = result.original
        name_layers(context, result, [output, original], request_key(aoi, bands, mask, options["model_dir"]),
                    uncertainty)
        if uncertainty:
            outputs[self.UNCERTAINTY] = result.uncertainty
        return outputs
