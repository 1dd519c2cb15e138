"""Where the documentation is: metadata.txt (version, home page) and the README's sections.

Used by the dock's help button, the about box and every Processing algorithm's `helpUrl()`.
"""

from __future__ import annotations

import configparser
import os

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_HOMEPAGE = "https://github.com/digisat/digisat"
PLUGIN_SECTION = "the-qgis-plugin"
PROCESSING_SECTION = "processing-toolbox"


def plugin_metadata() -> dict:
    """metadata.txt's [general] section: in the plugin folder (installed zip), else the checkout's root."""
    for folder in (PLUGIN_DIR, os.path.dirname(PLUGIN_DIR)):
        path = os.path.join(folder, "metadata.txt")
        if os.path.exists(path):
            meta = configparser.ConfigParser(interpolation=None)
            meta.read(path, encoding="utf-8")
            if meta.has_section("general"):
                return dict(meta["general"])
    return {}


def help_url(section: str = PLUGIN_SECTION) -> str:
    """The README (the repository's home page) at `section`."""
    home = plugin_metadata().get("homepage") or DEFAULT_HOMEPAGE
    return f"{home.rstrip('/')}#{section}" if section else home
