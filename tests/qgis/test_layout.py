"""Layout in a real main window: Side by side is a toggle, and closing it gives the main map its width back."""

from __future__ import annotations

import pytest
from qgis.core import QgsRasterLayer
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import QPoint, Qt
from qgis.PyQt.QtWidgets import (
    QApplication,
    QCheckBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QMainWindow,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTabBar,
    QToolButton,
    QWidget,
)

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.toolbelt.settings import PluginSettings

from .conftest import write_constant_raster


class WindowIface:
    """What the dock needs of QGIS's iface, over a real QMainWindow with the canvas in the middle."""

    def __init__(self, stub):
        self.stub = stub
        self.window = QMainWindow()
        self.canvas = QgsMapCanvas()
        self.window.setCentralWidget(self.canvas)
        self.window.resize(1600, 900)
        self.views: dict = {}

    def mapCanvas(self):  # noqa: N802
        return self.canvas

    def mainWindow(self):  # noqa: N802
        return self.window

    def messageBar(self):  # noqa: N802
        return self.stub.messageBar()

    def new_view(self, name):
        holder = QDockWidget(name, self.window)
        view = QgsMapCanvas(holder)
        holder.setWidget(view)
        self.window.addDockWidget(Qt.RightDockWidgetArea, holder)
        self.views[name] = holder
        return view

    def close_view(self, name):
        holder = self.views.pop(name, None)
        if holder is not None:
            self.window.removeDockWidget(holder)
            holder.deleteLater()


def settle(qtbot, ms=200):
    QApplication.processEvents()
    qtbot.wait(ms)


@pytest.fixture()
def window_dock(qgis_iface, clean_project, tmp_path, qtbot):
    iface = WindowIface(qgis_iface)
    dock = DigisatDock(iface, settings=PluginSettings(output_dir=str(tmp_path)), canvas_factory=iface.new_view,
                       canvas_closer=iface.close_view, parent=iface.window)
    iface.window.addDockWidget(Qt.RightDockWidgetArea, dock)
    iface.window.show()
    settle(qtbot)
    original = QgsRasterLayer(write_constant_raster(tmp_path / "o.tif", 500, bands=3), "Original", "gdal")
    assert original.isValid()
    dock.result = (None, None, None, original)
    dock.side_button.setEnabled(True)
    yield iface, dock
    # The layer is in no project, so Python owns it: kept until the interpreter's exit, it was destroyed after
    # QGIS's own teardown and the test process crashed there (exit 139, "double free or corruption").
    dock.result = None
    del original
    dock.unload()
    dock.deleteLater()
    iface.window.close()
    iface.window.deleteLater()


def test_closing_side_by_side_restores_the_main_map_width(window_dock, qtbot):
    iface, dock = window_dock
    before = iface.canvas.width()
    assert before > 800
    dock.side_button.setChecked(True)  # a toggle: on opens the second view
    settle(qtbot)
    assert dock.side_by_side.canvas is not None and list(iface.views) == ["digisat original"]
    assert iface.canvas.width() < before - 200  # the two maps share the room
    dock.side_button.setChecked(False)  # off closes it
    settle(qtbot)
    assert iface.views == {} and dock.side_by_side.canvas is None
    assert iface.canvas.width() == pytest.approx(before, abs=8)


def test_closing_the_view_itself_unchecks_the_toggle_and_restores(window_dock, qtbot):
    iface, dock = window_dock
    before = iface.canvas.width()
    dock.side_button.setChecked(True)
    settle(qtbot)
    iface.close_view("digisat original")  # the user closes QGIS's dock of the view
    settle(qtbot)
    assert not dock.side_button.isChecked()
    assert iface.canvas.width() == pytest.approx(before, abs=8)


def at_minimum_width(iface, dock, qtbot):
    """The dock narrowed as far as it goes, in a 1600 x 1000 window (a 1000 px screen, as the issue's)."""
    iface.window.resize(1600, 1000)
    settle(qtbot)
    iface.window.resizeDocks([dock], [1], Qt.Orientation.Horizontal)  # Qt stops at the dock's minimum
    settle(qtbot)
    return dock.width()


def clipped_texts(root, viewport=None) -> dict:
    """Text widgets under `root` cut off: narrower than their text, or reaching past the visible viewport."""
    cut = {}
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLabel):
            if widget.wordWrap() or not widget.text() or widget.pixmap() is not None and not widget.text():
                continue
            needed = widget.minimumSizeHint().width()
        elif isinstance(widget, QCheckBox | QRadioButton):
            needed = widget.sizeHint().width()
        elif isinstance(widget, QPushButton | QToolButton) and widget.text():
            needed = widget.fontMetrics().horizontalAdvance(widget.text().replace("&", "")) + 6
        elif isinstance(widget, QGroupBox) and widget.title():  # a title never wraps
            needed = widget.fontMetrics().horizontalAdvance(widget.title()) + 16
        else:
            continue
        right = widget.mapTo(viewport, QPoint(widget.width(), 0)).x() if viewport is not None else 0
        if widget.width() < needed or (viewport is not None and right > viewport.width() + 1):
            cut[widget.title() if isinstance(widget, QGroupBox) else widget.text()] = (widget.width(), needed, right)
    return cut


def test_dock_opens_at_its_width_and_narrows_to_its_minimum(window_dock, qtbot):
    from digisat_plugin.gui.dock import DOCK_MIN_WIDTH, DOCK_WIDTH

    iface, dock = window_dock
    assert dock.widget().sizeHint().width() == DOCK_WIDTH
    assert DOCK_MIN_WIDTH <= at_minimum_width(iface, dock, qtbot) <= max(DOCK_MIN_WIDTH, 340)
    # each tab scrolls on its own, never sideways; the footer is not in a tab
    for i in range(dock.tabs.count()):
        page = dock.tabs.widget(i)
        assert isinstance(page, QScrollArea) and page.widgetResizable()
        assert page.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        assert not page.isAncestorOf(dock.run_button)


def test_run_and_cancel_stay_visible_at_minimum_width_on_every_tab(window_dock, qtbot):
    """Run, Cancel, the compare buttons and the status line are in a fixed footer: on a 1000 px screen
    they were below a long scrolling tab (issue 27)."""
    iface, dock = window_dock
    at_minimum_width(iface, dock, qtbot)
    window_rect = iface.window.rect()
    for i in range(dock.tabs.count()):
        dock.tabs.setCurrentIndex(i)
        settle(qtbot, 50)
        for widget in (dock.run_button, dock.cancel_button, dock.swipe_button, dock.side_button, dock.step_label):
            assert widget.isVisible(), (i, widget)
            top_left = widget.mapTo(iface.window, QPoint(0, 0))
            assert window_rect.contains(top_left) and window_rect.contains(
                top_left + QPoint(widget.width() - 1, widget.height() - 1)), (dock.tabs.tabText(i), widget)
            assert not dock.tabs.isAncestorOf(widget)


def test_no_text_is_clipped_at_minimum_width(window_dock, qtbot):
    """Every label, checkbox, radio button, button and tab of every tab fits at the dock's minimum width
    ("Se…", "2026-", "Selected featur" were cut off at 290 px, issue 27)."""
    iface, dock = window_dock
    at_minimum_width(iface, dock, qtbot)
    bar = dock.tabs.findChild(QTabBar)  # QTabWidget.tabBar() is protected in Qt 5
    for i in range(dock.tabs.count()):
        rect = bar.tabRect(i)
        text = bar.fontMetrics().horizontalAdvance(dock.tabs.tabText(i))  # tabSizeHint() is protected
        assert rect.width() >= text + 8 and rect.right() <= bar.width(), dock.tabs.tabText(i)
    cut = {}
    for i in range(dock.tabs.count()):
        dock.tabs.setCurrentIndex(i)
        settle(qtbot, 50)
        page = dock.tabs.widget(i)
        cut.update({f"{dock.tabs.tabText(i)}: {k}": v for k, v in clipped_texts(page.widget(), page.viewport()).items()})
    cut.update(clipped_texts(dock.footer))
    assert not cut, "\n".join(f"{k}: {v}" for k, v in cut.items())
    # the narrow checkboxes of the Process tab (the test that was here before, kept)
    assert {"bands20", "bands60", "measure_quality"} <= {name for name, value in vars(dock.process).items()
                                                         if isinstance(value, QCheckBox)}


GUARD_STEP = ("guard net20 (B05 B06 B07 B8A B11 B12): network written; at reduced scale the network's RMSE is "
              "0.69 x the guided estimate's (40.7 vs 59.0 DN)")


@pytest.mark.parametrize("narrow", [False, True])
def test_a_long_step_keeps_the_status_one_line_and_goes_whole_to_the_log(window_dock, qtbot, narrow):
    """The guard's step wrapped to four lines in the status line: the footer grew and the tabs shrank mid-run.
    Cut to one line (at the dock's width and at its minimum), the whole step in the log once."""
    from qgis.core import QgsApplication

    iface, dock = window_dock
    if narrow:
        at_minimum_width(iface, dock, qtbot)
    dock._busy(True)
    settle(qtbot, 50)
    label = dock.step_label
    one_line = label.height()
    footer, tabs = dock.footer.height(), dock.tabs.height()
    logged = []
    QgsApplication.messageLog().messageReceived.connect(lambda message, tag, level: logged.append((tag, message)))
    for percent in (5.0, 5.4, 6.0):  # every update repeats the step
        dock._progress(percent, GUARD_STEP)
    settle(qtbot, 50)
    text = label.text()
    assert text.endswith("… (6 %)") and "\n" not in text
    shown = text[:-len("… (6 %)")].rstrip()  # the step's start, as wide as the line allows
    assert shown.startswith("guard net20 (B0") and GUARD_STEP.startswith(shown)
    assert label.fontMetrics().horizontalAdvance(text) <= label.contentsRect().width()  # no wrap
    assert label.height() == one_line and dock.footer.height() == footer and dock.tabs.height() == tabs
    assert [m for tag, m in logged if tag == "digisat"] == [GUARD_STEP] and dock.messages[-1] == GUARD_STEP
    dock._progress(50.0, "super-resolving tile 1/4")  # short: shown whole, not logged
    assert label.text() == "super-resolving tile 1/4 (50 %)" and len(logged) == 1
    dock._busy(False)


@pytest.mark.parametrize("narrow", [False, True])
def test_an_error_keeps_the_status_one_line(window_dock, qtbot, narrow):
    """A failed search's error wrapped to three lines and grew the footer; the whole text is on the message bar."""
    iface, dock = window_dock
    if narrow:
        at_minimum_width(iface, dock, qtbot)
    settle(qtbot, 50)
    label = dock.step_label
    one_line, footer, tabs = label.height(), dock.footer.height(), dock.tabs.height()
    message = ("http://127.0.0.1:9: cannot reach the STAC API (ConnectionError); check the address in the Data tab "
               "and your network, or try again later")
    dock._error(message)
    settle(qtbot, 50)
    text = label.text()
    assert text.startswith("http://127.0.0.1:9") and text.endswith("…") and "\n" not in text
    assert label.fontMetrics().horizontalAdvance(text) <= label.contentsRect().width()
    assert label.height() == one_line and dock.footer.height() == footer and dock.tabs.height() == tabs
    assert dock.messages[-1] == "error: " + message


def test_swipe_says_which_side_is_which(window_dock, qtbot):
    from qgis.PyQt.QtGui import QImage, QPainter

    from digisat_plugin.gui.swipe import SwipeItem

    iface, _dock = window_dock
    item = SwipeItem(iface.canvas, [])
    try:
        assert item.labels() == ("enhanced", "original")
        image = QImage(400, 200, QImage.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        item._paint_labels(painter, 200, 200)
        painter.end()
        # dark label boxes drawn on both sides of the divider, at the bottom (the message bar covers the top),
        # above the strip at the bottom edge where QGIS's scale bar and copyright sit
        covered = [y for y in range(200) if image.pixelColor(190, y).alpha() > 0]
        assert covered and covered == [y for y in range(200) if image.pixelColor(210, y).alpha() > 0]
        assert min(covered) >= 200 - item.label_rows() and max(covered) < 200 - 30 and min(covered) > 100
        assert image.pixelColor(200, covered[0]).alpha() == 0  # the divider's own gap
    finally:
        iface.canvas.scene().removeItem(item)
