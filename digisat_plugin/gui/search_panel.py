"""Data tab: search a catalogue (STAC, Copernicus Data Space, DHuS) or pick a local product.

Results fill a table (date, tile cloud, cloud over the area, tile, size); the area's cloud is what
the search measured in the scene classification (core/catalog/scl.py), "tile cloud only" where a
scene has none (Data Space, DHuS, L1C). Their footprints are drawn on the canvas and the
selected scene's quick-look is shown when the catalogue has one: where the scene says where its
quick-look lies (STAC's 10 m grid, core/catalog/quicklook.py), the part around the searched area,
enlarged, with the area outlined; else the whole quick-look. A scene without one (none offered, or
the request failed, e.g. 404) says so in the panel.

A failed search clears the previous results (`forget_results`). Picking a product (a result row, a
local path, the mode) emits `productChanged`; the dock then shows the product's one-line summary
(gui/summary.py) in `summary_label`. The mode, source, login id and local product are saved in the
settings as they change (remembered across restarts).
"""

from __future__ import annotations

import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsGeometry,
    QgsNetworkContentFetcher,
    QgsProject,
    QgsWkbTypes,
)
from qgis.gui import QgsAuthConfigSelect, QgsRubberBand
from qgis.PyQt.QtCore import QDate, QRectF, Qt, QUrl, pyqtSignal
from qgis.PyQt.QtGui import QColor, QPainter, QPen, QPixmap
from qgis.PyQt.QtNetwork import QNetworkReply
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.catalog.quicklook import area_on_preview, crop_around
from ..core.catalog.scl import TILE_ONLY
from ..core.definitions import SOURCE_LABELS as SOURCES
from .i18n import tr

QUICKLOOK_PX = 160  # the quick-look's largest side in the Data tab
LEVELS = ("L2A", "L1C")  # product levels: names, not words, shown as they are
FOOTPRINT = QColor(30, 110, 220)
FOOTPRINT_SELECTED = QColor(230, 30, 30)
AREA_OUTLINE = QColor(255, 220, 0)  # the searched area on the quick-look: yellow shows on cloud and land
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def columns_labels() -> list:
    return [tr("Date (UTC)"), tr("Cloud %"), tr("Area cloud %"), tr("Tile"), tr("Size"), tr("Product")]


def sensing_time(scene) -> str:
    """'2017-08-02 15:47': two scenes of one day (two orbits, or a tile's two granules) told apart."""
    return scene.datetime[:16].replace("T", " ") if len(scene.datetime) >= 16 else scene.date


def human_size(size) -> str:
    if not size:
        return "?"
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000.0
    return "?"


def footprint_geometry(footprint: dict) -> QgsGeometry:
    import json

    from osgeo import ogr

    return QgsGeometry.fromWkt(ogr.CreateGeometryFromJson(json.dumps(footprint)).ExportToWkt())


class SearchPanel(QWidget):
    searchRequested = pyqtSignal()
    productChanged = pyqtSignal()  # a scene picked, a local product chosen, or the mode changed

    def __init__(self, canvas, settings, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.settings = settings
        self.scenes: list = []
        self.footprints: list = []  # one QgsRubberBand per scene, in table order
        self.local_footprint = None  # the picked local product's extent on the map (QgsRubberBand)
        self._quicklook_fetcher = None
        self.search_area = None  # (QgsGeometry, its CRS) the results were searched over: where quick-looks are cut

        self.search_mode = QRadioButton(tr("Search a catalogue"))
        self.local_mode = QRadioButton(tr("Local product"))
        (self.local_mode if settings.data_mode == "local" else self.search_mode).setChecked(True)

        # catalogue search
        self.search_box = QGroupBox(tr("Search"))
        self.source_combo = QComboBox()
        for key, label in SOURCES:
            self.source_combo.addItem(tr(label), key)
        self.source_combo.setCurrentIndex(max(0, [k for k, _ in SOURCES].index(settings.source)))
        self.url_edit = QLineEdit(settings.url_for(settings.source))
        self.url_edit.setPlaceholderText(tr("the service's default URL"))
        self.auth_select = QgsAuthConfigSelect(self, "")
        self.auth_select.setConfigId(settings.auth_config_id)
        # the saved id even when the auth manager no longer has it (the selector drops such an id
        # silently): a search then says so in one line instead of going without a login
        self.auth_id = settings.auth_config_id
        today = QDate.currentDate()
        self.start_date = QDateEdit(today.addDays(-30))
        self.end_date = QDateEdit(today)
        for edit in (self.start_date, self.end_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.max_cloud = QSpinBox()
        self.max_cloud.setRange(0, 100)
        self.max_cloud.setValue(settings.max_cloud)
        self.max_cloud.setSuffix(" %")
        self.level_combo = QComboBox()
        for level in LEVELS:
            self.level_combo.addItem(level)
        self.level_combo.setCurrentText(settings.level)
        self.search_button = QPushButton(tr("Search"))
        columns = columns_labels()
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.status_label = QLabel()
        self.quicklook = QLabel()
        self.quicklook.setMinimumHeight(0)

        form = QFormLayout(self.search_box)
        form.addRow(tr("Source"), self.source_combo)
        form.addRow(tr("URL"), self.url_edit)
        form.addRow(tr("Login"), self.auth_select)
        # one date a row: "from .. to .. " side by side was cut off in a narrow dock
        form.addRow(tr("From"), self.start_date)
        form.addRow(tr("To"), self.end_date)
        form.addRow(tr("Max cloud"), self.max_cloud)
        form.addRow(tr("Level"), self.level_combo)
        form.addRow(self.search_button)
        form.addRow(self.table)
        form.addRow(self.status_label)
        form.addRow(self.quicklook)

        # local product
        self.local_box = QGroupBox(tr("Local product"))
        self.local_path = QLineEdit(settings.local_product)
        self.local_path.setPlaceholderText(tr("SAFE folder, SAFE .zip or a folder of band GeoTIFFs"))
        self.folder_button = QPushButton(tr("Folder…"))
        self.zip_button = QPushButton(tr("Zip…"))
        local = QVBoxLayout(self.local_box)  # the path on its own row: it gets the dock's width
        local.addWidget(self.local_path)
        row = QHBoxLayout()
        row.addWidget(self.folder_button)
        row.addWidget(self.zip_button)
        row.addStretch(1)
        local.addLayout(row)

        layout = QVBoxLayout(self)
        modes = QVBoxLayout()  # one above the other: side by side they are wider than a narrow dock
        modes.addWidget(self.search_mode)
        modes.addWidget(self.local_mode)
        layout.addLayout(modes)
        layout.addWidget(self.search_box)
        layout.addWidget(self.local_box)
        # the picked product in one line (gui/summary.py), or why it cannot be used
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_error = ""
        layout.addWidget(self.summary_label)
        layout.addStretch(1)

        self.source_combo.currentIndexChanged.connect(self._source_changed)
        self.search_button.clicked.connect(self.searchRequested)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.folder_button.clicked.connect(self._pick_folder)
        self.zip_button.clicked.connect(self._pick_zip)
        self.search_mode.toggled.connect(self._mode_changed)
        self.local_path.editingFinished.connect(self._local_path_edited)
        self.auth_select.selectedConfigIdChanged.connect(self._auth_changed)
        # every value saves itself, the URL typed here too (the one STAC URL setting Processing and the series use)
        self.url_edit.editingFinished.connect(self._url_edited)
        self.max_cloud.valueChanged.connect(lambda value: setattr(settings, "max_cloud", int(value)))
        self.level_combo.currentTextChanged.connect(lambda text: setattr(settings, "level", text))
        self._mode_changed(save=False)

    # modes and inputs
    def is_local(self) -> bool:
        return self.local_mode.isChecked()

    def set_local_product(self, path: str):
        """Choose a local product (what the Folder/Zip buttons do); saved, summarised by the dock."""
        self.local_path.setText(str(path))
        if self.local_mode.isChecked():
            self._local_path_edited()
        else:
            self.local_mode.setChecked(True)  # _mode_changed saves both

    def _mode_changed(self, *_args, save=True):
        self.search_box.setEnabled(not self.is_local())
        self.local_box.setEnabled(self.is_local())
        if save:
            self.settings.data_mode = "local" if self.is_local() else "search"
            if self.is_local():
                self.settings.local_product = self.local_path.text().strip()
            self.productChanged.emit()

    def _local_path_edited(self):
        self.settings.local_product = self.local_path.text().strip()
        self.productChanged.emit()

    def _auth_changed(self, config_id=""):
        self.auth_id = self.auth_select.configId()
        self.settings.auth_config_id = self.auth_id

    def _url_edited(self):
        setattr(self.settings, f"{self.source()}_url", self.url_edit.text().strip())

    def _source_changed(self):
        self.settings.source = self.source()
        self.url_edit.setText(self.settings.url_for(self.source()))

    def _pick_folder(self):
        path = QFileDialog.getExistingDirectory(self, tr("SAFE folder or band folder"), self.local_path.text())
        if path:
            self.set_local_product(path)

    def _pick_zip(self):
        path, _ = QFileDialog.getOpenFileName(self, tr("Sentinel-2 product"), self.local_path.text(),
                                              tr("SAFE zip (*.zip)"))
        if path:
            self.set_local_product(path)

    def show_summary(self, text: str, error: bool = False):
        """The picked product's line (gui/summary.py); an error in red, kept in `summary_error`."""
        self.summary_error = text if error else ""
        self.summary_label.setStyleSheet("color: #b00020" if error else "")
        self.summary_label.setText(text)

    def source(self) -> str:
        return self.source_combo.currentData()

    def query(self) -> dict:
        self._url_edited()  # what is searched is what is saved, even before the field lost focus
        return dict(
            kind=self.source(), url=self.url_edit.text().strip(), auth_config_id=self.auth_id,
            start=self.start_date.date().toString("yyyy-MM-dd"), end=self.end_date.date().toString("yyyy-MM-dd"),
            max_cloud=float(self.max_cloud.value()), level=self.level_combo.currentText(),
            # the STAC collection from the settings (empty: the level's default); other sources have none
            collection=self.settings.stac_collection if self.source() == "stac" else "",
        )

    def selected_scene(self):
        rows = self.table.selectionModel().selectedRows()
        return self.scenes[rows[0].row()] if rows else None

    def local_product(self) -> str:
        return os.path.expanduser(self.local_path.text().strip())

    # results
    def show_scenes(self, scenes):
        self.clear_results()
        self.scenes = list(scenes)
        self.table.setRowCount(len(self.scenes))
        for row, scene in enumerate(self.scenes):
            cloud = "?" if scene.cloud_cover is None else f"{scene.cloud_cover:.1f}"
            area = TILE_ONLY if scene.area_cloud is None else f"{scene.area_cloud:.1f}"
            for col, text in enumerate((sensing_time(scene), cloud, area, scene.tile, human_size(scene.size),
                                        scene.id)):
                item = QTableWidgetItem(text)
                item.setToolTip(scene.id)  # the product column is off-screen in a narrow dock
                self.table.setItem(row, col, item)
            why = (scene.extra or {}).get("area_cloud_error")
            if scene.area_cloud is not None:
                tip = tr("percent of the area not clear in the scene classification (SCL)")
            else:
                tip = tr("scene classification not read: {why}").format(why=why) if why else tr(
                    "no scene classification: the tile's cloud only")
            self.table.item(row, 2).setToolTip(tip)
            self.footprints.append(self._draw_footprint(scene))
        self.status_label.setText(tr("{n} scenes found").format(n=len(self.scenes)) if self.scenes
                                  else tr("No scene found"))

    def _draw_footprint(self, scene):
        band = QgsRubberBand(self.canvas, QgsWkbTypes.GeometryType.PolygonGeometry)
        band.setStrokeColor(FOOTPRINT)
        band.setFillColor(QColor(0, 0, 0, 0))
        band.setWidth(1)
        if scene.footprint:
            geometry = footprint_geometry(scene.footprint)
            dest = self.canvas.mapSettings().destinationCrs()
            if dest.isValid() and dest != WGS84:
                geometry.transform(QgsCoordinateTransform(WGS84, dest, QgsProject.instance()))
            band.setToGeometry(geometry, None)
        return band

    def _selection_changed(self):
        selected = self.selected_scene()
        for scene, band in zip(self.scenes, self.footprints, strict=True):
            chosen = scene is selected
            band.setStrokeColor(FOOTPRINT_SELECTED if chosen else FOOTPRINT)
            band.setWidth(3 if chosen else 1)
        self.quicklook.clear()
        self.quicklook.setToolTip("")
        self._quicklook_fetcher = None  # a quick-look still on its way belongs to the previous scene
        if selected is not None and selected.thumbnail_url:
            self._fetch_quicklook(selected.thumbnail_url, (selected.extra or {}).get("grid"))
        elif selected is not None:
            self._no_quicklook()
        self.productChanged.emit()

    def _no_quicklook(self):
        """Say so where the quick-look goes: a blank panel read as one still loading, or as broken."""
        self.quicklook.setText(tr("no quick-look for this scene"))
        self.quicklook.setToolTip("")

    def _fetch_quicklook(self, url, grid=None):
        fetcher = QgsNetworkContentFetcher()
        self._quicklook_fetcher = fetcher

        def loaded():
            if fetcher is not self._quicklook_fetcher:
                return
            pixmap = QPixmap()
            reply = fetcher.reply()
            # a failed request (e.g. 404 for a scene without a preview) may still carry a page: not an image
            if reply is None or reply.error() != QNetworkReply.NetworkError.NoError or not pixmap.loadFromData(
                    reply.readAll()):
                self._no_quicklook()
                return
            part = self._area_part(pixmap, grid)
            if part is not None:
                self.quicklook.setPixmap(part)
                self.quicklook.setToolTip(tr("The scene's quick-look around the searched area (outlined in "
                                             "yellow)"))
                return
            # small: at full size it took most of the Data tab
            if max(pixmap.width(), pixmap.height()) > QUICKLOOK_PX:  # shrunk, never enlarged
                pixmap = pixmap.scaled(QUICKLOOK_PX, QUICKLOOK_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            self.quicklook.setPixmap(pixmap)
            self.quicklook.setToolTip(tr("The scene's quick-look (the whole tile)"))

        fetcher.finished.connect(loaded)
        fetcher.fetchContent(QUrl(url))

    def _area_part(self, pixmap, grid):
        """The part of the quick-look around the searched area, QUICKLOOK_PX on its longer side, the
        area outlined; None where the scene has no grid, no area was searched or it is not on it."""
        if not grid or self.search_area is None:
            return None
        geometry, crs = self.search_area
        target = QgsCoordinateReferenceSystem(grid["crs"])
        if not target.isValid():
            return None
        geometry = QgsGeometry(geometry)
        try:
            if crs != target:
                geometry.transform(QgsCoordinateTransform(crs, target, QgsProject.instance()))
        except QgsCsException:
            return None
        r = geometry.boundingBox()
        size = (pixmap.width(), pixmap.height())
        box = area_on_preview(grid, (r.xMinimum(), r.yMinimum(), r.xMaximum(), r.yMaximum()), size)
        if box is None:
            return None
        left, top, width, height = crop_around(box, size)
        scale = QUICKLOOK_PX / max(width, height)
        part = pixmap.copy(left, top, width, height).scaled(
            round(width * scale), round(height * scale), Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
        painter = QPainter(part)
        painter.setPen(QPen(AREA_OUTLINE, 2))
        x0, y0, x1, y1 = box
        painter.drawRect(QRectF((x0 - left) * scale, (y0 - top) * scale, (x1 - x0) * scale, (y1 - y0) * scale))
        painter.end()
        return part

    def clear_results(self):
        for band in self.footprints:
            self.canvas.scene().removeItem(band)
        self.footprints = []
        self.scenes = []
        self.table.setRowCount(0)
        self.quicklook.clear()
        self._quicklook_fetcher = None

    def forget_results(self):
        """After a failed search: the previous query's results go (rows, selection, footprints, quick-look),
        so Run cannot take a scene of a search that is no longer what the form says; no product is picked."""
        self.clear_results()
        self.productChanged.emit()

    def show_local_footprint(self, product) -> None:
        """Draw the picked local product's extent (its base grid) on the map, as a picked scene's is."""
        from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle

        self.clear_local_footprint()
        if product is None or not product.crs_wkt:
            return  # without a CRS there is nowhere on the map to draw it
        gt = product.geotransform
        x0, y0 = gt[0], gt[3]
        x1, y1 = x0 + product.width * gt[1], y0 + product.height * gt[5]
        geometry = QgsGeometry.fromRect(QgsRectangle(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        source = QgsCoordinateReferenceSystem.fromWkt(product.crs_wkt)
        dest = self.canvas.mapSettings().destinationCrs()
        if source.isValid() and dest.isValid() and source != dest:
            geometry.transform(QgsCoordinateTransform(source, dest, QgsProject.instance()))
        band = QgsRubberBand(self.canvas, QgsWkbTypes.GeometryType.PolygonGeometry)
        band.setStrokeColor(FOOTPRINT_SELECTED)
        band.setFillColor(QColor(0, 0, 0, 0))
        band.setWidth(2)
        band.setToGeometry(geometry, None)
        self.local_footprint = band

    def clear_local_footprint(self) -> None:
        if self.local_footprint is not None:
            self.canvas.scene().removeItem(self.local_footprint)
            self.local_footprint = None

    def unload(self):
        self.clear_results()
        self.clear_local_footprint()
