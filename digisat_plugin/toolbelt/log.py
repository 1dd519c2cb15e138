"""One place for messages: the QGIS log panel (tab "digisat") and the message bar.

A `DigisatError` is shown with its one-line message, the same text the CLI prints after
"digisat: error:"; anything else is a bug and its traceback goes to the log only.
"""

from __future__ import annotations

import traceback

from qgis.core import Qgis, QgsMessageLog

LOG_TAG = "digisat"
TITLE = "digisat"


def log(message: str, level=Qgis.Info) -> None:
    QgsMessageLog.logMessage(str(message), LOG_TAG, level)


def push(iface, message: str, level=Qgis.Info, duration: int = 5) -> None:
    """Message bar and log together (the bar disappears, the log stays)."""
    log(message, level)
    bar = iface.messageBar() if iface is not None else None
    if bar is not None:
        bar.pushMessage(TITLE, str(message), level, duration)


def push_error(iface, error: BaseException) -> str:
    """Show an exception to the user; return the line shown."""
    from ..core.errors import DigisatError

    if isinstance(error, DigisatError):
        message = str(error)
    else:
        message = f"unexpected error: {type(error).__name__}: {error}"
        log("".join(traceback.format_exception(type(error), error, error.__traceback__)), Qgis.Critical)
    push(iface, message, Qgis.Critical, duration=0)
    return message
