"""`digisat:evaluate`: reduced-scale quality report of the networks on one product (HTML + table)."""

from __future__ import annotations

import html
import os

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
from qgis.PyQt.QtCore import QVariant

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
PROTOCOLS = ("dsen2", "mtf")
TABLE_FIELDS = (
    ("band", QVariant.String), ("factor", QVariant.Int), ("protocol", QVariant.String),
    ("rmse", QVariant.Double), ("sre", QVariant.Double), ("sam", QVariant.Double),
    ("rmse_bicubic", QVariant.Double), ("rmse_guided", QVariant.Double),
    ("ratio_bicubic", QVariant.Double), ("ratio_guided", QVariant.Double),
)


def table_fields() -> QgsFields:
    fields = QgsFields()
    for name, kind in TABLE_FIELDS:
        fields.append(QgsField(name, kind))
    return fields


def result_rows(result: dict, factor: int, protocol: str) -> list:
    """One dict per band plus the 'mean' row (which alone has a SAM: an angle across bands)."""
    rows = []
    for band, r in result["bands"].items():
        rows.append({"band": band, "factor": factor, "protocol": protocol, "rmse": r["model"]["rmse"],
                     "sre": r["model"]["sre"], "sam": None, "rmse_bicubic": r["bicubic"]["rmse"],
                     "rmse_guided": r["guided_linear"]["rmse"], "ratio_bicubic": r["ratio_to_bicubic"],
                     "ratio_guided": r["ratio_to_guided_linear"]})
    mean = result["mean"]
    rows.append({"band": "mean", "factor": factor, "protocol": protocol, "rmse": mean["model"]["rmse"],
                 "sre": mean["model"]["sre"], "sam": mean["model"]["sam"], "rmse_bicubic": mean["bicubic"]["rmse"],
                 "rmse_guided": mean["guided_linear"]["rmse"], "ratio_bicubic": result["ratio_to_bicubic"],
                 "ratio_guided": result["ratio_to_guided_linear"]})
    return rows


def report_html(report: dict, product: str) -> str:
    """A self-contained page: per-band table, SAM and ERGAS, for each factor and protocol evaluated."""
    from ..core.quality.evaluate import markdown

    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>digisat evaluation</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px;text-align:right}th{background:#eee}</style></head><body>",
        f"<h1>Reduced-scale evaluation of {html.escape(os.path.basename(product.rstrip('/')) or product)}</h1>",
        "<p>Every band is degraded by the factor, super-resolved back and compared with the band as delivered "
        "(Wald protocol). RMSE in DN (reflectance x 10000), SRE in dB; the ratios are the model's RMSE over the "
        "baseline's (below 1: the model is better).</p>",
    ]
    for s, by_protocol in report["results"].items():
        for protocol, result in by_protocol.items():
            parts.append(f"<h2>x{html.escape(s)}, {html.escape(protocol)} degradation "
                         f"({result['pixels']} pixels per band)</h2><table><tr>")
            parts.append("".join(f"<th>{h}</th>" for h in ("band", "RMSE model", "RMSE bicubic", "RMSE guided",
                                                           "SRE model (dB)", "model / bicubic", "model / guided")))
            parts.append("</tr>")
            for row in result_rows(result, int(s), protocol):
                cells = [html.escape(row["band"]), f"{row['rmse']:.1f}", f"{row['rmse_bicubic']:.1f}",
                         f"{row['rmse_guided']:.1f}", f"{row['sre']:.2f}", f"{row['ratio_bicubic']:.3f}",
                         f"{row['ratio_guided']:.3f}"]
                parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            mean = result["mean"]
            parts.append("</table><table><tr><th></th><th>model</th><th>bicubic</th><th>guided linear</th></tr>")
            for metric, label in (("sam", "SAM (deg)"), ("ergas", "ERGAS")):
                parts.append(f"<tr><th>{label}</th>" + "".join(
                    f"<td>{mean[m][metric]:.2f}</td>" for m in ("model", "bicubic", "guided_linear")) + "</tr>")
            parts.append("</table>")
    parts.append("<details><summary>Markdown</summary><pre>" + html.escape(markdown(report)) + "</pre></details>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


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
            self.INPUT, "Input product (zip, SAFE or band folder)", behavior=QgsProcessingParameterFile.File,
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
            self.OUTPUT, "Quality table", type=QgsProcessing.TypeVector))
        self.addOutput(QgsProcessingOutputNumber("RATIO_BICUBIC", "Mean RMSE ratio model / bicubic"))
        self.addOutput(QgsProcessingOutputNumber("RATIO_GUIDED", "Mean RMSE ratio model / guided linear"))

    def processAlgorithm(self, parameters, context, feedback):
        from ..core.quality.evaluate import write_atomic

        path = product_path(self.parameterAsFile(parameters, self.INPUT, context))
        factor = FACTORS[self.parameterAsEnum(parameters, self.FACTOR, context)]
        protocol = PROTOCOLS[self.parameterAsEnum(parameters, self.PROTOCOL, context)]
        options = engine_options(self, parameters, context)
        html_path = self.parameterAsFileOutput(parameters, self.OUTPUT_HTML, context)
        # core.quality.evaluate on the networks, in the worker process; the report is written here
        report = run_in_worker("evaluate", dict(options, path=path, factors=[factor], protocols=[protocol]),
                               feedback, device=options["device"])
        progress = feedback_progress(feedback)
        result = report["results"].get(str(factor), {}).get(protocol)
        if result is None:
            raise QgsProcessingException(f"{path}: too small to evaluate at x{factor}")
        progress.update(0.95, "writing the report")
        fields = table_fields()
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.NoGeometry)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        for row in result_rows(result, factor, protocol):
            feature = QgsFeature(fields)
            for name, value in row.items():
                feature[name] = value
            sink.addFeature(feature, QgsFeatureSink.FastInsert)
        write_atomic(html_path, report_html(report, path))
        progress.update(1.0, "done")
        return {self.OUTPUT_HTML: html_path, self.OUTPUT: dest_id,
                "RATIO_BICUBIC": result["ratio_to_bicubic"], "RATIO_GUIDED": result["ratio_to_guided_linear"]}
