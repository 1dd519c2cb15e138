"""`digisat:mask_uncertain`: the enhanced pixels the uncertainty layer does not vouch for set to no
data, every band at once (core/masking.py; no network: it runs in QGIS's process)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from .common import DigisatAlgorithm, feedback_progress, user_errors


class MaskUncertainAlgorithm(DigisatAlgorithm):
    NAME = "mask_uncertain"
    DISPLAY_NAME = "Mask uncertain pixels"
    HELP = (
        "Copies an enhanced raster and sets to no data every pixel of a band whose expected absolute error, in "
        "its uncertainty layer (the <i>Uncertainty</i> output of the other digisat algorithms or the dock's "
        "<i>Uncertainty layer</i>), is above a threshold: what to do before computing an index.<br>"
        "<b>Largest expected error</b>: in the units QGIS shows the layer in, reflectance for digisat's layers "
        "(0.004 is 40 DN); one threshold for every band, so choose it for the bands your index reads.<br>"
        "<b>Largest expected error relative to the pixel's value</b>: e.g. 0.05 masks pixels whose expected error "
        "is over 5 % of their reflectance, the same meaning on a dark and a bright band (what a ratio index such "
        "as NDRE feels).<br>A pixel is masked when it is above either; a threshold of 0 is not used. The 10 m bands "
        "(copied as delivered, expected error 0) are kept whole, and so is B10 (no estimate).<br>"
        "The layer must be the enhanced raster's own: same grid and bands. The result loads as the enhanced "
        "layer's name plus \"masked\", in the dock's composite; the log gives the share masked per band."
    )

    INPUT, UNCERTAINTY, MAX_ERROR, MAX_RELATIVE, OUTPUT = "INPUT", "UNCERTAINTY", "MAX_ERROR", "MAX_RELATIVE", "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, "Enhanced raster"))
        self.addParameter(QgsProcessingParameterRasterLayer(self.UNCERTAINTY, "Its uncertainty layer"))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_ERROR, "Largest expected error kept (reflectance; 0: not used)",
            type=QgsProcessingParameterNumber.Type.Double, defaultValue=0.004, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_RELATIVE, "Largest expected error kept relative to the pixel's value (0.05: 5 %; 0: not used)",
            type=QgsProcessingParameterNumber.Type.Double, defaultValue=0.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, "Masked raster"))

    def processAlgorithm(self, parameters, context, feedback):
        from ..core.errors import InputError
        from ..core.masking import mask_uncertain
        from ..gui.results import masked_name
        from .superresolve import load_as

        enhanced = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        uncertainty = self.parameterAsRasterLayer(parameters, self.UNCERTAINTY, context)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        limits = [self.parameterAsDouble(parameters, name, context) or None for name in (self.MAX_ERROR,
                                                                                       self.MAX_RELATIVE)]
        with user_errors():
            if limits == [None, None]:
                raise InputError("Mask uncertain pixels: both largest expected errors are 0 (not used); give one "
                                 "or both")
            shares = mask_uncertain(enhanced.source(), uncertainty.source(), output, limits[0],
                                    feedback_progress(feedback), max_relative=limits[1])
        for band, share in shares.items():  # every band: one missing from the log would read as unknown
            feedback.pushInfo(f"{band}: {100 * share:.1f} % of its pixels masked")
        load_as(context, output, masked_name(enhanced.name()))
        return {self.OUTPUT: output}
