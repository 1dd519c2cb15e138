"""Translation: every user-visible string of the GUI goes through `tr()` (one context, "digisat").

`make translations` collects the `tr("...")` literals into i18n/digisat.ts (scripts/i18n_template.py);
a translator's `digisat_<locale>.qm` (lrelease) in the plugin's i18n/ folder is loaded by
`install_translator()` for QGIS's user locale.
"""

from __future__ import annotations

import os

from qgis.PyQt.QtCore import QCoreApplication, QTranslator

CONTEXT = "digisat"
_TRANSLATORS: list = []  # kept referenced while installed


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def install_translator(plugin_dir: str) -> str | None:
    """Load i18n/digisat_<locale>.qm for QGIS's locale (e.g. de from de_DE); returns its path or None."""
    from qgis.core import QgsSettings

    locale = str(QgsSettings().value("locale/userLocale", "") or "")
    for name in (locale, locale[:2]):
        path = os.path.join(plugin_dir, "i18n", f"digisat_{name}.qm")
        if name and os.path.exists(path):
            translator = QTranslator()
            if translator.load(path):
                QCoreApplication.installTranslator(translator)
                _TRANSLATORS.append(translator)
                return path
    return None


def remove_translators() -> None:
    while _TRANSLATORS:
        QCoreApplication.removeTranslator(_TRANSLATORS.pop())
