"""`digisat:evaluate`: reduced-scale quality report of the networks on one product (HTML + table)."""

from __future__ import annotations

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsWkbTypes,
)

from .. import qt_compat
from ..core.definitions import PROTOCOLS
from .common import (
    PRODUCT_FILE_FILTER,
    DigisatAlgorithm,
    add_engine_parameters,
    engine_options,
    feedback_progress,
    product_path,
    run_in_worker,
)

FACTORS = (2, 6)
FIELD_TYPES = {str: qt_compat.STRING, int: qt_compat.INT, float: qt_compat.DOUBLE}


def table_fields() -> QgsFields:
    """core's quality table columns (core.quality.evaluate.ROW_FIELDS) as QGIS fields."""
    from ..core.quality.evaluate import ROW_FIELDS

    fields = QgsFields()
    for name, kind in ROW_FIELDS:
        fields.append(QgsField(name, FIELD_TYPES[kind]))
    return fields


class EvaluateAlgorithm(DigisatAlgorithm):
    NAME = "evaluate"
    DISPLAY_NAME = "Evaluate super-resolution at reduced scale"
    HELP = (
        "Measures how well the networks restore detail on this product (Wald protocol): every band is degraded "
        "by the factor (2: the 20 m network, 6: the 60 m network), super-resolved back to its delivered "
        "resolution and compared with the band as delivered, beside two baselines: bicubic upsampling and a "
        "guided linear regression on the 10 m bands.<br>"
        "Writes an HTML report and a table with one row per band and a 'mean' row: band, factor, protocol, "
        "rmse, sre (dB), sam (degrees, mean row), rmse_bicubic, rmse_guided, ratio_bicubic and ratio_guided "
        "(the model's RMSE over the baseline's: below 1 means better than the baseline).<br>"
        "The whole product is read into memory: use a band folder or a small product."
    )

    INPUT, FACTOR, PROTOCOL = "INPUT", "FACTOR", "PROTOCOL"
    OUTPUT_HTML, OUTPUT = "OUTPUT_HTML", "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, "Input product (zip, SAFE or band folder)", behavior=QgsProcessingParameterFile.Behavior.File,
            fileFilter=PRODUCT_FILE_FILTER))
        self.addParameter(QgsProcessingParameterEnum(
            self.FACTOR, "Factor", options=["2 (20 m bands)", "6 (60 m bands)"], defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.PROTOCOL, "Degradation", options=["dsen2 (Gaussian blur, as DSen2)", "mtf (sensor MTF matched)"],
            defaultValue=0))
        add_engine_parameters(self)
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HTML, "Report", fileFilter="HTML files (*.html)"))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, "Quality table", type=QgsProcessing.SourceType.TypeVector))
        self.addOutput(QgsProcessingOutputNumber("RATIO_BICUBIC", "Mean RMSE ratio model / bicubic"))
        self.addOutput(QgsProcessingOutputNumber("RATIO_GUIDED", "Mean RMSE ratio model / guided linear"))

    def processAlgorithm(self, parameters, context, feedback):
        from ..core.quality.evaluate import report_html, result_rows, write_atomic

        path = product_path(self.parameterAsFile(parameters, self.INPUT, context))
        factor = FACTORS[self.parameterAsEnum(parameters, self.FACTOR, context)]
        protocol = PROTOCOLS[self.parameterAsEnum(parameters, self.PROTOCOL, context)]
        options = engine_options(self, parameters, context)
        html_path = self.parameterAsFileOutput(parameters, self.OUTPUT_HTML, context)
        # core.quality.report.evaluate_products in the worker process; core's formatters write the report here
        report = run_in_worker("evaluate", dict(options, path=path, factors=[factor], protocols=[protocol]),
                               feedback, device=options["device"])
        progress = feedback_progress(feedback)
        result = report["results"].get(str(factor), {}).get(protocol)
        if result is None:
            raise QgsProcessingException(f"{path}: too small to evaluate at x{factor}")
        progress.update(0.95, "writing the report")
        fields = table_fields()
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.Type.NoGeometry)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        for row in result_rows(result, factor, protocol):
            feature = QgsFeature(fields)
            for name, value in row.items():
                feature[name] = value
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        write_atomic(html_path, report_html(report, path))
        progress.update(1.0, "done")
        return {self.OUTPUT_HTML: html_path, self.OUTPUT: dest_id,
                "RATIO_BICUBIC": result["ratio_to_bicubic"], "RATIO_GUIDED": result["ratio_to_guided_linear"]}
