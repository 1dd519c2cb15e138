"""The output DN scale parameter shared by `digisat:superresolve` and `digisat:enhance_area` (the CLI's
--keep-dn-scale); what it means is core/io/output_scale.py's business."""

from __future__ import annotations

from qgis.core import QgsProcessingParameterBoolean

KEEP_DN_SCALE = "KEEP_DN_SCALE"
HELP = ("<b>Keep the product's DN scale</b> (advanced): off (default), the output's DN are reflectance x 10000 for "
        "every product (the +1000 offset of products from 2022 on is removed); on, the product's own DN are kept. "
        "Either way every band carries its scale and offset, so QGIS shows reflectance.")


def keep_dn_scale_parameter():
    return QgsProcessingParameterBoolean(KEEP_DN_SCALE, "Keep the product's DN scale (offset included)",
                                         defaultValue=False, optional=True)


def harmonise(alg, parameters, context) -> bool:
    return not alg.parameterAsBool(parameters, KEEP_DN_SCALE, context)
