"""`digisat:enhance_series`: an area and two days -> every clear date super-resolved, with indices, loaded
as a temporal layer group (the CLI's `series`)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputMultipleLayers,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFolderDestination,
    QgsProject,
)

from . import catalog_params as cp
from . import dn_scale
from .common import (
    UNCERTAINTY_MEANING,
    DigisatAlgorithm,
    add_engine_parameters,
    band_names,
    bands_parameter,
    engine_options,
    extent_aoi,
    run_in_worker,
    user_errors,
)


def index_names() -> list:
    from ..core.indices import INDICES

    return list(INDICES)


class EnhanceSeriesAlgorithm(DigisatAlgorithm):
    NAME = "enhance_series"
    DISPLAY_NAME = "Enhance time series (every clear date over an area)"
    HELP = (
        "Every scene over the extent between the two days that passes the cloud limits, each fetched as a window "
        "and super-resolved to 10 m: one Cloud Optimized GeoTIFF per date (<tt>&lt;date&gt;_&lt;tile&gt;_enhanced.tif"
        "</tt>) in the output folder, the chosen spectral indices per date as float32 rasters "
        "(<tt>&lt;date&gt;_&lt;tile&gt;_NDVI.tif</tt> ...) and <tt>series.json</tt> listing dates, tiles, files, "
        "scene ids and cloud figures. Scenes of one date over two tiles are mosaicked on the grid of the tile "
        "covering most of the extent. A rerun into the same folder skips the dates already done.<br>"
        "<b>Maximum cloud over the extent</b>: scenes with more cloud over the extent itself (scene "
        "classification, STAC L2A) are left out (100: keep all).<br>"
        "<b>Load</b>: the dates as one layer group, one layer per date with its day as a fixed temporal range "
        "(animate them with the Temporal Controller), each index in its own subgroup on a colour ramp.<br>"
        "<b>Uncertainty layer per date</b>: also <tt>&lt;date&gt;_&lt;tile&gt;_uncertainty.tif</tt> beside each "
        f"date's raster, a {UNCERTAINTY_MEANING}; listed in series.json and in the output <b>Uncertainty layers"
        "</b>, loaded in the group's Uncertainty subgroup, unticked. A rerun with it redoes the dates without "
        "their layer.<br>"
        + dn_scale.HELP + "<br><br>" + cp.SOURCE_HELP + "<br><br>"
        "Same result as <tt>python -m digisat_plugin series --aoi ... --start ... --end ... --out DIR</tt>."
    )

    EXTENT, BANDS, INDICES, OUTPUT_FOLDER = "EXTENT", "BANDS", "INDICES", "OUTPUT_FOLDER"
    MAX_AREA_CLOUD, LOAD, UNCERTAINTY = cp.MAX_AREA_CLOUD, "LOAD", "UNCERTAINTY"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, "Extent"))
        cp.add_date_cloud_parameters(self)
        cp.add_area_cloud_parameter(self)
        cp.add_source_parameters(self)
        self.addParameter(bands_parameter(self.BANDS))
        self.addParameter(QgsProcessingParameterEnum(
            self.INDICES, "Spectral indices per date", options=index_names(), allowMultiple=True, defaultValue=[0],
            optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.LOAD, "Load the dates as a temporal layer group", defaultValue=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.UNCERTAINTY, "Uncertainty layer per date (expected absolute error)", defaultValue=False))
        add_engine_parameters(self, dn_scale.keep_dn_scale_parameter())
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, "Output folder"))
        self.addOutput(QgsProcessingOutputFile("INDEX", "Series index (series.json)"))
        self.addOutput(QgsProcessingOutputString("DATES", "Dates written or already done, comma-separated"))
        self.addOutput(QgsProcessingOutputNumber("DONE", "Dates super-resolved by this run"))
        self.addOutput(QgsProcessingOutputNumber("SKIPPED", "Dates already done (skipped)"))
        self.addOutput(QgsProcessingOutputNumber("FAILED", "Dates that failed"))
        self.addOutput(QgsProcessingOutputString("GROUP", "Layer group added"))
        self.addOutput(QgsProcessingOutputMultipleLayers("UNCERTAINTY_LAYERS", "Uncertainty layers, one per date"))

    def processAlgorithm(self, parameters, context, feedback):
        from ..worker.codec import encode_aoi

        aoi = extent_aoi(self, parameters, self.EXTENT, context, required=True)
        start, end = cp.date_range(self, parameters, context)
        max_cloud = self.parameterAsDouble(parameters, cp.MAX_CLOUD, context)
        max_area_cloud = self.parameterAsDouble(parameters, self.MAX_AREA_CLOUD, context)
        max_area_cloud = None if max_area_cloud >= 100 else max_area_cloud
        names = index_names()
        indices = [names[i] for i in self.parameterAsEnums(parameters, self.INDICES, context)]
        bands = band_names(self, parameters, self.BANDS, context)
        with user_errors():
            from ..core.indices import check_bands

            check_bands(indices, bands, self.INDICES, self.BANDS)
        out_dir = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        options = engine_options(self, parameters, context)
        source = cp.source_args(self, parameters, context, feedback)  # the login goes to the worker's stdin only
        feedback.pushInfo(f"time series {start} .. {end}, cloud <= {max_cloud:g} %, indices: "
                          f"{', '.join(indices) or 'none'} -> {out_dir}")
        args = dict(options, source=source, aoi=encode_aoi(aoi), start=start, end=end, out_dir=out_dir,
                    max_cloud=max_cloud, max_area_cloud=max_area_cloud, level=cp.level(self, parameters, context),
                    bands=bands, indices=indices, harmonise=dn_scale.harmonise(self, parameters, context),
                    uncertainty=self.parameterAsBoolean(parameters, self.UNCERTAINTY, context))
        # core.series.run_series, in the worker process (the networks never load in QGIS's)
        report = run_in_worker("series", args, feedback, device=options["device"])
        dates = report["dates"]
        for entry in dates:
            if entry["status"] == "failed":
                feedback.reportError(f"{entry['date']}: {entry['message']}")
        kept = [e for e in dates if e["status"] in ("done", "skipped")]
        self._results = {
            self.OUTPUT_FOLDER: out_dir, "INDEX": report["index_path"], "DATES": ",".join(e["date"] for e in kept),
            "DONE": sum(e["status"] == "done" for e in dates), "SKIPPED": sum(e["status"] == "skipped" for e in dates),
            "FAILED": sum(e["status"] == "failed" for e in dates), "GROUP": "",
            "UNCERTAINTY_LAYERS": [e["uncertainty"] for e in kept if e.get("uncertainty")],
        }
        self._load = self.parameterAsBoolean(parameters, self.LOAD, context)
        feedback.pushInfo(f"{len(kept)} dates: {self._results['DATES'].replace(',', ', ')}; index "
                          f"{report['index_path']}")
        return dict(self._results)

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802 - main thread: layers may be added here
        results = dict(getattr(self, "_results", {}))
        if results and getattr(self, "_load", False) and results.get("DATES"):
            from ..gui.series_layers import load_series

            group, _layers = load_series(results["INDEX"], context.project() or QgsProject.instance())
            results["GROUP"] = group.name()
        return results
