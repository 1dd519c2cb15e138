"""Feedback: message bars with Details for the whole text, coordinates in errors with fixed notation and
the CRS, the dock's short status line instead of its own bar and log."""

from __future__ import annotations

import pytest
from qgis.core import Qgis
from qgis.gui import QgsMessageBar
from qgis.PyQt.QtWidgets import QPushButton

from digisat_plugin.toolbelt import log as logbook


class BarOnly:
    """An iface with a real QgsMessageBar (the pytest-qgis stub's bar keeps text only)."""

    def __init__(self):
        self.bar = QgsMessageBar()

    def messageBar(self):  # noqa: N802
        return self.bar


def test_a_long_message_gets_a_details_button_with_the_whole_text(qtbot, monkeypatch):
    iface = BarOnly()
    shown = []
    monkeypatch.setattr(logbook, "show_details", lambda text, parent=None: shown.append(text))
    long = ("the digisat worker process exited with status -9 (killed: out of memory?); no output was written, "
            "the next run starts a new worker")
    logbook.push(iface, long, Qgis.Critical, duration=0, details="Traceback (most recent call last): ...")
    item = iface.bar.currentItem()
    assert item is not None and item.level() == Qgis.Critical
    assert item.text().endswith(" …") and len(item.text()) <= logbook.SHORT + 2 and long.startswith(item.text()[:-2])
    button = item.findChild(QPushButton, "digisatDetails")
    assert button is not None and button.text() == "Details"
    button.click()
    assert shown == [long + "\n\nTraceback (most recent call last): ..."]
    # a short line needs no button
    logbook.push(iface, "done", Qgis.Info)
    assert iface.bar.currentItem().text() == "done"
    assert iface.bar.currentItem().findChild(QPushButton, "digisatDetails") is None


def test_the_details_window_holds_the_whole_text(qtbot):
    text = "one line\n" + "x" * 500
    box = logbook.show_details(text)
    try:
        assert box.isVisible() and box.detailedText() == text
    finally:
        box.close()


def test_short_cuts_at_a_word():
    assert logbook.short("a" * 10) == "a" * 10
    assert logbook.short("alpha beta gamma delta", limit=12) == "alpha beta …"
    assert logbook.short("first line\nsecond") == "first line"


def test_coordinates_in_errors_are_fixed_notation_with_the_crs():
    from digisat_plugin.core.errors import AoiError
    from digisat_plugin.core.io.aoi import Aoi, coords_text, window_for
    from digisat_plugin.core.io.product import open_product
    from tests.conftest import SAMPLE

    product = open_product(str(SAMPLE))
    assert coords_text((432422, 4.18745e6), product.crs_wkt) == "432422.0, 4187450.0 (EPSG:32618)"
    assert coords_text((-77.25, 37.5), "EPSG:4326") == "-77.250000, 37.500000 (EPSG:4326)"
    with pytest.raises(AoiError) as error:
        window_for(product, Aoi.from_bbox(432422, 4187450, 433442, 4188470, "EPSG:32618"))
    message = str(error.value)
    assert "e+0" not in message
    assert message == (f"area of interest 432422.0, 4187450.0, 433442.0, 4188470.0 (EPSG:32618) is outside the data "
                       f"of {SAMPLE}, which covers 443580.0, 4173420.0, 449580.0, 4179420.0 (EPSG:32618)")
    with pytest.raises(AoiError, match=r"empty box 1000000\.0, 2.0, 1000000\.0, 3.0 \(EPSG:32618\)"):
        Aoi.from_bbox(1e6, 2, 1e6, 3, "EPSG:32618")
