"""The plugin icon's path, for the toolbar, the Processing provider and its algorithms (no Qt here)."""

from __future__ import annotations

from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parent
# The plugin's own icon folder first (installed zip), then the repository's (a source checkout).
ICON_DIRS = (PLUGIN_DIR / "resources" / "icons", PLUGIN_DIR.parent / "resources" / "icons")
ICON_NAMES = ("digisat.svg", "icon.svg", "digisat.png", "icon.png")


def icon_path() -> str:
    """Path of the plugin icon, or '' when none is shipped."""
    for folder in ICON_DIRS:
        for name in ICON_NAMES:
            if (folder / name).is_file():
                return str(folder / name)
    return ""
