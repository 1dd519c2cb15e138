"""Help and About: the offline user guide shipped in the plugin (help/index.html), the README's plugin
section online as a second link; an about box with the version
(metadata.txt), the shipped networks' model cards (model_weights/*/model.json), licence and credits.
"""

from __future__ import annotations

import html
import json
import os

from qgis.PyQt.QtCore import Qt, QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QMessageBox

from ..toolbelt.docs import PLUGIN_DIR, PLUGIN_SECTION, help_url, plugin_metadata
from .i18n import tr

open_url = QDesktopServices.openUrl  # a seam: tests record the URL instead of starting a browser


HELP_PAGE = os.path.join(PLUGIN_DIR, "help", "index.html")  # scripts/help_page.py writes it from docs/user-guide.md


def open_online_help(section: str = PLUGIN_SECTION) -> str:
    url = help_url(section)
    open_url(QUrl(url))
    return url


def open_help() -> str:
    """The offline user guide in the browser (works without a network); the online README only when the
    page is missing (a checkout where scripts/help_page.py was not run)."""
    if not os.path.isfile(HELP_PAGE):
        return open_online_help()
    url = QUrl.fromLocalFile(HELP_PAGE)
    open_url(url)
    return url.toString()


def model_cards(model_dir: str | None = None) -> list:
    """(name, card dict) for every model_weights/*/model.json, in name order."""
    if model_dir is None:
        from ..core.sr.weights import default_model_dir  # no network runtime at import

        model_dir = default_model_dir()
    cards = []
    if os.path.isdir(model_dir):
        for name in sorted(os.listdir(model_dir)):
            path = os.path.join(model_dir, name, "model.json")
            if os.path.isfile(path):
                try:
                    with open(path, encoding="utf-8") as f:
                        cards.append((name, json.load(f)))
                except (OSError, ValueError):
                    continue
    return cards


def card_line(name: str, card: dict) -> str:
    """One line per network: outputs, size, date, reduced-scale ratio to bicubic (DSen2 degradation)."""
    arch = card.get("arch", {})
    ratio = card.get("evaluation", {}).get("metrics", {}).get("dsen2", {}).get("ratio_to_bicubic")
    parts = [f"{name}: {' '.join(card.get('outputs', []))}",
             tr("{blocks} residual blocks x {filters} filters").format(blocks=arch.get("blocks", "?"),
                                                                     filters=arch.get("filters", "?"))]
    if card.get("parameters"):
        parts.append(tr("{n} parameters").format(n=f"{card['parameters']:,}"))
    if card.get("created"):
        parts.append(tr("trained {date}").format(date=str(card["created"])[:10]))
    if ratio is not None:
        parts.append(tr("RMSE {ratio:.2f} x bicubic on held-out data").format(ratio=ratio))
    return ", ".join(parts)


def about_html(model_dir: str | None = None) -> str:
    meta = plugin_metadata()
    cards = "".join(f"<li>{html.escape(card_line(n, c))}</li>" for n, c in model_cards(model_dir))
    url = help_url()
    return (
        f"<h3>digisat {html.escape(meta.get('version', '?'))}</h3>"
        f"<p>{html.escape(tr('Sentinel-2 super-resolution: the 20 m and 60 m bands sharpened to 10 m.'))}</p>"
        f"<p><b>{html.escape(tr('Networks'))}</b></p><ul>{cards or '<li>' + html.escape(tr('none found')) + '</li>'}</ul>"
        f"<p><b>{html.escape(tr('Licence'))}</b>: GPL-2.0-or-later.</p>"
        f"<p><b>{html.escape(tr('Data credits'))}</b>: "
        f"{html.escape(tr('contains modified Copernicus Sentinel data; method after Lanaras et al. (2018), DSen2.'))}</p>"
        f"<p><a href=\"{html.escape(url)}\">{html.escape(tr('Documentation (README)'))}</a></p>"
    )


def about_box(parent=None) -> QMessageBox:
    """The about box (not yet shown: `exec_()` or `show()` it)."""
    box = QMessageBox(parent)
    box.setWindowTitle(tr("About digisat"))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    box.setText(about_html())
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box
