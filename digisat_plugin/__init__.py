"""digisat: Sentinel-2 super-resolution of the 20 m and 60 m bands to 10 m.

QGIS loads the plugin through `classFactory`; the command line (`python -m digisat_plugin`) imports
this package without QGIS, so nothing here may import qgis at module level.
"""


def classFactory(iface):  # noqa: N802 (the name QGIS looks for)
    from .plugin import DigisatPlugin

    return DigisatPlugin(iface)
