"""One place for messages: the QGIS log panel (tab "digisat") and the message bar.

A `DigisatError` is shown with its one-line message, the same text the CLI prints after
"digisat: error:"; anything else is a bug and its traceback goes to the log only. The message bar
cuts text to two lines, so a long message (or one with details, a traceback) is shown there
shortened with a "Details" button that opens the whole text.
"""

from __future__ import annotations

from qgis.core import Qgis, QgsMessageLog

LOG_TAG = "digisat"
TITLE = "digisat"
SHORT = 110  # characters of a message the bar shows before "Details" is needed
_OPEN_DETAILS: list = []  # details windows shown (kept referenced while open)


def log(message: str, level=Qgis.MessageLevel.Info) -> None:
    QgsMessageLog.logMessage(str(message), LOG_TAG, level)


def short(message: str, limit: int = SHORT) -> str:
    """The first line of `message`, cut at a word to about `limit` characters ('…' when cut)."""
    line = str(message).strip().splitlines()[0] if str(message).strip() else ""
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip(" ,;:(") + " …"


def show_details(text: str, parent=None):
    """A window with the whole text (selectable); returned, and kept referenced until closed."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Information, TITLE, short(text, 300), QMessageBox.StandardButton.Close, parent)
    box.setDetailedText(text)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda *_: _OPEN_DETAILS.remove(box) if box in _OPEN_DETAILS else None)
    _OPEN_DETAILS.append(box)
    box.show()
    return box


def push(iface, message: str, level=Qgis.MessageLevel.Info, duration: int = 5, details: str = "") -> None:
    """Message bar and log together (the bar disappears, the log stays).

    A message longer than the bar shows, or one with `details`, gets a "Details" button that opens
    the whole text (the message, then the details); both are in the log too."""
    message = str(message)
    log(message if not details else f"{message}\n{details}", level)
    bar = iface.messageBar() if iface is not None else None
    if bar is None:
        return
    full = message if not details else f"{message}\n\n{details}"
    if full == short(message) or not hasattr(bar, "createMessage"):  # short, or a bar without widgets (stubs)
        bar.pushMessage(TITLE, message, level, duration)
        return
    from qgis.PyQt.QtWidgets import QPushButton

    from ..gui.i18n import tr

    item = bar.createMessage(TITLE, short(message))
    button = QPushButton(tr("Details"), item)
    button.setObjectName("digisatDetails")
    button.clicked.connect(lambda: show_details(full, bar.window()))
    item.layout().addWidget(button)
    item.full_text = full  # what Details shows, for whoever holds the item
    bar.pushWidget(item, level, duration)



def clear_pushed(iface) -> int:
    """Take digisat's own messages off the message bar (after a success the old errors are no longer true);
    other plugins' messages stay. Returns how many went."""
    bar = iface.messageBar() if iface is not None else None
    if bar is None or not hasattr(bar, "items"):  # stubs record messages, they show no widgets
        return 0
    ours = [item for item in bar.items() if item.title() == TITLE]
    for item in ours:
        bar.popWidget(item)
    return len(ours)
