"""The digisat dock: Area, Data (search or local product), Process; Run / Cancel and a short status
line; compare the result with a swipe or a synced second map view.

Everything heavy runs in tasks (tasks/): the dock only collects parameters, starts a TaskChain
and adds the result layers when the chain reports success (on the main thread). Progress is
QGIS's task manager's (the status line repeats the step and percent), messages go to the message
log (tab "digisat") and the message bar (with "Details" for a long text). Settings save
themselves (toolbelt/settings.PluginSettings is live). When it opens, the dock looks at the worker's
Python (a child process with find_spec, nothing imported here) and shows what is missing with the
Install button before any Run.
"""

from __future__ import annotations

import os
import re
import time

from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsGeometry
from qgis.gui import QgsDockWidget
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabBar,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..tasks import base as tasks
from ..tasks.catalog import FetchTask, SearchTask
from ..tasks.chain import TaskChain
from ..tasks.quality import QualityTask
from ..tasks.superresolve import SuperResolveTask
from ..tasks.worker import env_dir, resolve_python
from ..toolbelt import environment
from ..toolbelt import log as logbook
from ..toolbelt.dependencies import NEEDED, make_install_task, requirements_for
from ..toolbelt.settings import PluginSettings, credentials
from . import about
from . import summary as summaries
from .area_panel import AreaPanel, output_size
from .i18n import tr
from .narrow import fit_narrow
from .process_panel import ProcessPanel, output_paths, request_key, result_stem, uncertainty_path
from .results import (
    add_result_group,
    add_uncertainty_layer,
    band_descriptions,
    composite_choices,
    default_composite,
    remove_stale_uncertainty,
    restyle_result,
    result_names,
    uncertainty_name,
)
from .search_panel import SearchPanel
from .series_panel import SeriesPanel
from .settings_panel import SettingsPanel
from .side_by_side import SideBySideView
from .swipe import SwipeMapTool
from .tooltips import explain

DOCK_WIDTH = 380  # px the dock asks for (a fifth of a 1920 px screen)
DOCK_MIN_WIDTH = 300  # px the dock can be narrowed to; nothing in it is clipped there (tests/qgis/test_layout.py)
_PROBES: dict = {}  # worker Python -> what it has (cleared after an install or a removal)
MESSAGES_KEPT = 200  # the dock's own history of lines (the full text is in the message log)
STATUS_CHARS = 60  # a step's characters the status line shows; the whole step goes to the log


def _no_bands_status() -> str:
    return tr("Tick a band group (Process tab) to run")


def _without_numbers(text: str) -> str:
    """`text` with its numbers blanked: one step as it reports its progress ("downloading B05 (1.2/3.4 MB)")."""
    return re.sub(r"\d+(\.\d+)?", "#", text)


def _probe(python: str) -> dict:
    if python not in _PROBES:
        _PROBES[python] = environment.probe(python)
    return _PROBES[python]


class _DockBody(QWidget):
    """Asks for DOCK_WIDTH px, not its content's width: the dock opens at that width; its tabs scroll."""

    def sizeHint(self):  # noqa: N802
        hint = super().sizeHint()
        hint.setWidth(DOCK_WIDTH)
        return hint


def _scrolled(panel: QWidget) -> QScrollArea:
    """A tab's page: the panel scrolls up and down, never sideways (what does not fit must wrap: a test looks)."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(panel)
    return scroll


class DigisatDock(QgsDockWidget):
    def __init__(self, iface, settings: PluginSettings | None = None, canvas_factory=None, canvas_closer=None,
                 parent=None):
        super().__init__(tr("digisat: Sentinel-2 super-resolution"), parent)
        self.setObjectName("DigisatDock")
        self.iface = iface
        self.canvas = iface.mapCanvas()
        # one live settings object: every change the panels make is saved at once
        self.settings = (settings or PluginSettings.load()).persist()
        self.messages: list = []  # the lines this dock reported, newest last (also in the message log)
        self.missing: list = []  # modules the worker's Python lacks (check_environment)
        self.percent = 0.0  # the running job's percent, as the status line shows it
        self.run_key = ""  # the last run's request key (gui/process_panel.request_key)
        self.started = 0.0  # time.monotonic() when the running chain started ("Done in" is the whole run)
        self.logged_step = ""  # the last step too long for the status line, logged whole (once, not per update)
        # iface.createNewMapCanvas is missing from test stubs: the factory is a seam tests fill
        self.canvas_factory = canvas_factory or getattr(iface, "createNewMapCanvas", None)
        self.canvas_closer = canvas_closer or getattr(iface, "closeMapCanvas", None)
        self.chain = None
        self.search_task = None
        self.result = None  # (SuperResolveResult, group, enhanced layer, original layer)
        self.replaced = None  # (enhanced, original, names) of an earlier result this run replaces
        self.swipe_tool = None
        self.side_by_side = None
        self.install_task = None

        self.area = AreaPanel(self.canvas, self.settings)
        self.data = SearchPanel(self.canvas, self.settings)
        # the Data tab's "Time series" choice (gui/series_panel.py), above the summary's stretch
        self.series = SeriesPanel(self.data)
        self.data.layout().insertWidget(self.data.layout().count() - 1, self.series)
        self.process = ProcessPanel(self.settings)
        self.tabs = QTabWidget()
        # each tab scrolls on its own above the fixed footer (as QGIS's Layer Styling and Processing docks do)
        self.tabs.addTab(_scrolled(self.area), tr("Area"))
        self.tabs.addTab(_scrolled(self.data), tr("Data"))
        self.tabs.addTab(_scrolled(self.process), tr("Process"))
        self.settings_panel = SettingsPanel(self.settings, env_dir())
        self.tabs.addTab(_scrolled(self.settings_panel), tr("Settings"))

        self.run_button = QPushButton(tr("Run"))
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        # the short status line; the progress bar and the log are QGIS's (task manager, message log)
        self.step_label = QLabel(tr("Ready"))
        self.step_label.setWordWrap(True)
        self.swipe_button = QPushButton(tr("Swipe compare"))
        self.swipe_button.setCheckable(True)
        self.swipe_button.setEnabled(False)
        self.side_button = QPushButton(tr("Side by side"))
        self.side_button.setCheckable(True)
        self.side_button.setEnabled(False)
        # the composite of the latest result, applied to both of its layers with one stretch (gui/results.py)
        self.composite_label = QLabel(tr("Composite"))
        self.composite = QComboBox()
        self.composite.setObjectName("digisatComposite")
        self.composite.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.composite.setMinimumContentsLength(12)  # the labels are long; the dock narrows to 300 px
        self.composite.setEnabled(False)
        self.composite.activated.connect(self._composite_chosen)
        self._layout_before = None  # (window, this dock's width) before the second view was placed
        self._view_watch = None  # the second view's canvas, watched for the user closing it

        self.help_button = QToolButton()
        self.help_button.setText("?")
        self.help_button.setObjectName("digisatDockHelp")
        self.help_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        help_menu = QMenu(self.help_button)
        self.help_action = help_menu.addAction(tr("Help (user guide, offline)"))
        self.help_action.triggered.connect(lambda: about.open_help())
        self.online_help_action = help_menu.addAction(tr("Documentation online (README)"))
        self.online_help_action.triggered.connect(lambda: about.open_online_help())
        self.about_action = help_menu.addAction(tr("About digisat"))
        self.about_action.triggered.connect(lambda: about.about_box(self).exec())
        self.help_button.setMenu(help_menu)

        body = _DockBody()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        # what the worker's Python lacks, where the dock opens (not on one tab): the notice and Install
        self.notice = QFrame()
        self.notice.setObjectName("digisatNotice")
        notice_layout = QVBoxLayout(self.notice)
        notice_layout.setContentsMargins(0, 0, 0, 0)
        notice_layout.addWidget(self.process.missing_label)
        notice_layout.addWidget(self.process.install_button)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        # the fixed footer: Run, Cancel, the compare tools and the status line never scroll away
        self.footer = QFrame()
        self.footer.setObjectName("digisatFooter")
        self.footer.setFrameShape(QFrame.Shape.StyledPanel)
        footer = QVBoxLayout(self.footer)
        footer.setContentsMargins(4, 4, 4, 4)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        footer.addLayout(buttons)
        compare = QHBoxLayout()
        compare.addWidget(self.swipe_button)
        compare.addWidget(self.side_button)
        footer.addLayout(compare)
        composite = QHBoxLayout()
        composite.addWidget(self.composite_label)
        composite.addWidget(self.composite, 1)
        footer.addLayout(composite)
        status = QHBoxLayout()  # the status line and help ("?" beside the tabs left them no room at 300 px)
        status.addWidget(self.step_label, 1)
        status.addWidget(self.help_button, 0, Qt.AlignmentFlag.AlignTop)
        footer.addLayout(status)
        layout.addWidget(self.footer)
        fit_narrow(body)
        # at least as wide as the four tabs' names, whatever the font (a tab bar would hide one behind arrows)
        tab_bar = self.tabs.findChild(QTabBar)
        margins = layout.contentsMargins().left() + layout.contentsMargins().right() + 8
        body.setMinimumWidth(max(DOCK_MIN_WIDTH, tab_bar.sizeHint().width() + margins))
        self.setWidget(body)
        explain(self)

        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.data.searchRequested.connect(self.search)
        self.swipe_button.toggled.connect(self.set_swipe)
        self.side_button.toggled.connect(self.set_side_by_side)
        self.process.install_button.clicked.connect(self.install_missing)
        self.settings_panel.repair_button.clicked.connect(lambda: self.install_environment(repair=True))
        self.settings_panel.remove_button.clicked.connect(self.remove_environment)
        self.settings_panel.refresh_button.clicked.connect(lambda: self.check_environment(refresh=True))
        self.settings.on_change(self._setting_changed)
        # the picked product's summary follows the product, the area and the bands
        self.data.productChanged.connect(self._product_picked)
        self.area.aoi.aoiChanged.connect(self.update_summary)
        self.process.bands20.toggled.connect(self.update_summary)
        self.process.bands60.toggled.connect(self.update_summary)
        self.process.bands20.toggled.connect(self._update_run_button)
        self.process.bands60.toggled.connect(self._update_run_button)
        self.series.toggled.connect(self._update_run_button)
        self.data.local_mode.toggled.connect(self._update_run_button)  # a local product is never a series
        self._update_run_button()
        self.update_summary()
        # what the worker's Python lacks, shown as soon as the dock opens (a child process looks)
        QTimer.singleShot(0, self._check_environment_soon)

    # messages
    def _remember(self, line: str):
        self.messages.append(line)
        del self.messages[:-MESSAGES_KEPT]

    def note(self, message: str, level=Qgis.MessageLevel.Info):
        self._remember(message)
        logbook.log(message, level)

    def _error(self, message: str, details: str = ""):
        self._remember("error: " + message)
        self._show_status(logbook.short(message, STATUS_CHARS))  # the whole message is on the message bar
        logbook.push(self.iface, message, Qgis.MessageLevel.Critical, duration=0, details=details)

    def _setting_changed(self, name, value):
        """A setting changed (and was saved): apply it where the dock shows it."""
        if sip.isdeleted(self):
            return
        # both tabs show one saved URL, whichever of them was edited (each saves only on a change: no loop)
        self.settings_panel.show_setting(name, value)
        if name == f"{self.data.source()}_url" and self.data.url_edit.text().strip() != value:
            self.data.url_edit.setText(value)
        elif name == "area_warning_km2":
            self.area.update_area()
        elif name == "worker_python":
            self.check_environment()

    # the picked product
    def _product_picked(self):
        if self.update_summary() is False and self.data.summary_error:
            logbook.push(self.iface, self.data.summary_error, Qgis.MessageLevel.Warning, duration=10)

    def product_summary(self) -> str:
        """The one line for the picked product, area and bands; the DigisatError Run would meet."""
        bands = self.process.bands()
        if self.data.is_local():
            self.data.clear_local_footprint()  # until the product is read: a wrong path draws nothing
            text = summaries.local_summary(self.data.local_product(), self.area.aoi.to_core(), bands)
            self.data.show_local_footprint(summaries.open_local(self.data.local_product()))
            return text
        self.data.clear_local_footprint()
        scene = self.data.selected_scene()
        if scene is None:
            return ""
        geometry, crs = self.area.aoi.geometry, self.area.aoi.crs
        size = output_size(geometry, crs) if geometry is not None else None
        hit = True
        if geometry is not None and scene.footprint:
            from qgis.core import QgsCoordinateTransform, QgsProject

            from .search_panel import WGS84, footprint_geometry

            area = QgsGeometry(geometry)
            if crs.isValid() and crs != WGS84:
                area.transform(QgsCoordinateTransform(crs, WGS84, QgsProject.instance()))
            hit = footprint_geometry(scene.footprint).intersects(area)
        return summaries.scene_summary(scene, size, bands, hit)

    def update_summary(self, *_args):
        """Show the picked product's summary (or its error) in the Data tab; False when it has an error."""
        from ..core.errors import DigisatError

        if self.data.is_local() and not self.data.local_product():
            self.data.show_summary(tr("Choose a local product (SAFE folder or .zip, or a band folder)"))
            return None
        try:
            text = self.product_summary()
        except DigisatError as exc:
            self.data.show_summary(str(exc), error=True)
            return False
        self.data.show_summary(text)
        return True

    # the worker's Python environment
    def _check_environment_soon(self):
        if not sip.isdeleted(self):
            self.check_environment()

    def check_environment(self, refresh: bool = False, details: bool = False) -> list:
        """Look at the worker's Python for everything the plugin needs (find_spec in a child process,
        cached; nothing is imported here) and show what is missing with the Install button, at once,
        not only after a Run. Returns the missing modules (all of them when there is no environment).
        refresh: look again (not the cached probe); details: also fill the Settings tab's environment box
        (its size walks the whole folder, so not when the dock merely opens)."""
        from ..core.errors import DigisatError

        if refresh:
            _PROBES.clear()
        needed = list(dict.fromkeys(m for modules in NEEDED.values() for m in modules))
        info = None
        try:
            python = resolve_python(self.settings)
            info = _probe(python)
            missing = environment.missing_modules(info, needed)
        except DigisatError as exc:
            missing, why = needed, str(exc)
        else:
            why = tr("the worker's Python ({python}) lacks {modules}").format(python=python,
                                                                            modules=", ".join(missing))
        self.missing = missing
        self.process.show_missing(missing)
        if refresh or details:
            self.settings_panel.refresh_environment(info)
        if missing and (self.chain is None or not self.chain.running) and self.install_task is None:
            hint = "" if "Install packages" in why else tr("; click 'Install packages' above")
            self.step_label.setText(tr("Before the first run: {why}").format(why=why) + hint)
        elif not missing and self.step_label.text().startswith(tr("Before the first run")):
            self.step_label.setText(tr("Ready"))
        return missing

    def dependencies_ok(self, needed_for: str) -> bool:
        """True when the worker's Python has what `needed_for` needs (looked up, nothing imported)."""
        from ..core.errors import DigisatError

        try:
            python = resolve_python(self.settings)
            missing = environment.missing_modules(_probe(python), NEEDED.get(needed_for, ()))
        except DigisatError as exc:
            self.process.show_missing(list(NEEDED.get(needed_for, ())))
            self._error(str(exc))
            return False
        if not missing:
            return True
        self.process.show_missing(missing)
        self._error(tr("{job} needs {modules} in the worker's Python ({python}): click 'Install packages' (top of "
                       "the dock) or set another Python in Settings").format(job=needed_for, modules=", ".join(missing),
                                                                         python=python))
        return False

    def install_missing(self):
        return self.install_environment(repair=False)

    def install_environment(self, repair: bool = False):
        """Build (or rebuild) the digisat environment in one round; returns the installer task."""
        if self.install_task is not None:
            return self.install_task
        task = make_install_task(env_dir(), requirements_for(gpu=self.settings.device == "gpu"), repair=repair)
        self.install_task = task
        steps = {"text": ""}

        def status(pct=None, text=None):
            steps["text"] = text if text is not None else steps["text"]
            if not sip.isdeleted(self):
                self.step_label.setText(f"{steps['text']} ({task.progress():.0f} %)")

        task.progressChanged.connect(lambda pct: status(pct))
        task.stepChanged.connect(lambda text: status(text=text))
        task.taskCompleted.connect(self._installed)
        task.taskTerminated.connect(self._install_failed)
        self.note((tr("repairing the Python environment in {folder}: {packages}") if repair else
                   tr("installing the Python environment in {folder}: {packages}")).format(
                       folder=env_dir(), packages=", ".join(task.requirements)))
        return tasks.start(task)

    def _installed(self):
        task, self.install_task = self.install_task, None
        _PROBES.clear()  # the next run (and this check) looks at the new environment: no restart
        self.step_label.setText(tr("Installed"))
        self.check_environment(details=True)
        versions = ", ".join(f"{m} {v}" for m, v in (task.info or {}).get("modules", {}).items() if v)
        message = tr("installed in {folder}: {versions}; Run works now (no restart needed)").format(
            folder=task.env_dir, versions=versions)
        self.note(message)
        logbook.push(self.iface, message, Qgis.MessageLevel.Success)

    def _install_failed(self):
        task, self.install_task = self.install_task, None
        self.step_label.setText(tr("Installation failed"))
        self._error(task.error or tr("installation cancelled"))

    def remove_environment(self):
        from ..core.errors import DigisatError
        from ..worker.client import shutdown

        folder = env_dir()
        shutdown(environment.env_python(folder))
        try:
            environment.remove_environment(folder)
        except (DigisatError, OSError) as exc:
            self._error(str(exc))
            return
        _PROBES.clear()
        self.check_environment(details=True)
        self.note(tr("removed the Python environment {folder}").format(folder=folder))

    # search
    def search(self):
        """Start a catalogue search; returns its task (the running one if a search is under way)."""
        if self.search_task is not None:
            return self.search_task
        query = self.data.query()
        needed = {"stac": "STAC search", "dhus": "DHuS search"}.get(query["kind"])
        if needed and not self.dependencies_ok(needed):
            return None
        aoi = self.area.aoi.to_core()
        if aoi is None:
            self._error(tr("search: draw an area of interest first (Area tab)"))
            return None
        from ..core.errors import DigisatError

        try:
            username, password = credentials(query["auth_config_id"])
        except DigisatError as exc:
            self._error(str(exc))
            return None
        task = SearchTask(query["kind"], query["url"], aoi, query["start"], query["end"], query["max_cloud"],
                          query["level"], username, password)
        if query.get("collection"):  # Settings' STAC collection, to core.catalog.get_source in the worker
            task.args["source"]["collection"] = query["collection"]
        task.succeeded.connect(self._search_done)
        task.failed.connect(self._search_failed)
        task.cancelled.connect(self._search_cancelled)
        self.search_task = task
        self.data.search_area = (QgsGeometry(self.area.aoi.geometry), QgsCoordinateReferenceSystem(self.area.aoi.crs))
        self.data.search_button.setEnabled(False)
        self.data.status_label.setText(tr("Searching…"))
        self.note(tr("searching {source} {url} {start}..{end}").format(source=query["kind"], url=query["url"],
                                                                      start=query["start"], end=query["end"]))
        return tasks.start(task)

    def _search_ended(self, status: str):
        self.search_task = None
        self.data.search_button.setEnabled(True)
        self.data.status_label.setText(status)

    def _search_failed(self, message):
        self.data.forget_results()  # the picked scene was the previous search's: Run must not go on with it
        self._search_ended(tr("Search failed"))
        self._error(message)

    def _search_cancelled(self):
        self._search_ended(tr("Search cancelled"))

    def _search_done(self, scenes):
        self._search_ended("")
        self.data.show_scenes(scenes)
        self.note(tr("{n} scenes found").format(n=len(scenes)))

    # run
    def _factories(self):
        """The chain's steps for the current form, checked before anything starts."""
        from ..core.errors import InputError, OutputError

        bands = self.process.bands()
        out_dir = self.process.output_dir.text().strip()
        if not out_dir:
            raise InputError("output folder: choose a folder (Process tab)")
        try:
            os.makedirs(out_dir, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{out_dir}: cannot create the output folder ({exc.strerror})") from None
        aoi = self.area.aoi.to_core()
        sr_args = dict(aoi=aoi, bands=bands, model_dir=self.settings.model_dir_or_none,
                       tile_size=self.process.tile_size.value() or None, device=self.process.device.currentText(),
                       mask_to_aoi=self.area.mask_to_aoi())
        quality = [QualityTask] if self.process.measure_quality.isChecked() else []
        # outputs: <product>[_<date>]_<key>; the key is the request's (area, bands, mask, networks), so another
        # request never takes an earlier one's name and the same request again asks before replacing it
        self.run_key = request_key(aoi, bands, sr_args["mask_to_aoi"], sr_args["model_dir"])
        if self.data.is_local():
            path = self.data.local_product()
            if not path or not os.path.exists(path):
                raise InputError(f"{path or 'local product'}: not found (Data tab)")
            self.product_summary()  # the error the summary showed at pick time, if any, stops the run here
            product = summaries.open_local(path)
            name = product.product_id or os.path.basename(path.rstrip("/\\"))
            enhanced, original = output_paths(out_dir, result_stem(name, product.date, self.run_key))
            self._check_replace(enhanced, original)
            return [lambda _: SuperResolveTask(path, enhanced, original_path=original, **sr_args,
                                               **self._uncertainty_args(enhanced)), *quality]
        scene = self.data.selected_scene()
        if scene is None:
            raise InputError("no scene selected: search and pick a result, or choose a local product (Data tab)")
        self.product_summary()
        query = self.data.query()
        username, password = credentials(query["auth_config_id"])
        enhanced, original = output_paths(out_dir, result_stem(scene.id, scene.date, self.run_key))
        self._check_replace(enhanced, original)
        downloads = os.path.join(out_dir, "downloads")
        return [
            lambda _: FetchTask(query["kind"], query["url"], scene, aoi, bands, downloads, username, password),
            lambda path: SuperResolveTask(path, enhanced, original_path=original, **sr_args,
                                          **self._uncertainty_args(enhanced)),
            *quality,
        ]

    def _uncertainty_args(self, enhanced: str) -> dict:
        """The engine's uncertainty_path beside the enhanced output, when the option is ticked."""
        return {"uncertainty_path": uncertainty_path(enhanced)} if self.process.uncertainty.isChecked() else {}

    def ask_replace(self, path: str) -> bool:
        """Whether to replace an earlier result of the same request (a seam: tests answer it)."""
        answer = QMessageBox.question(
            self, tr("digisat"), tr("{name} is the result of the same product, area and bands, made before. "
                                    "Replace it (its layers are taken out of the project)?").format(
                name=os.path.basename(path)), QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _check_replace(self, enhanced: str, original: str):
        """The same request made before: ask; yes takes its layers out of the project, no stops the run."""
        from ..core.errors import OutputError

        earlier = [p for p in (enhanced, original, uncertainty_path(enhanced)) if os.path.exists(p)]
        if not earlier:
            return
        if not self.ask_replace(enhanced):
            raise OutputError(f"{os.path.basename(enhanced)}: kept; nothing was run (the same request made "
                              "before; change the area or bands, or answer Replace)")
        from .results import remove_result_layers, result_layer_names

        if self.result is not None and self.result[0].output in (enhanced, original):
            # the compare tools hold those layers: stop them before the layers go
            self.swipe_button.setChecked(False)
            self.close_side_by_side()
            self.result = None
            self.swipe_button.setEnabled(False)
            self.side_button.setEnabled(False)
            self.composite.clear()
            self.composite.setEnabled(False)
        # put back if this run is cancelled or fails: its files stay until the engine's rename replaces them
        self.replaced = (enhanced, original if os.path.exists(original) else None,
                         result_layer_names([enhanced, original]))
        remove_result_layers(earlier)

    def run(self):
        """Start the pipeline; returns the TaskChain (None when the form is not valid)."""
        from ..core.errors import DigisatError

        if self.chain is not None and self.chain.running:
            return self.chain
        if not self.can_run():  # Run is disabled then; a script calling run() gets the same answer
            self._error(tr("bands: tick at least one band group (Process tab); the 10 m bands alone are only copied"))
            return None
        if not self.dependencies_ok("super-resolution"):
            return None
        if self.series.active():  # every clear date instead of the one picked scene (gui/series_panel.py)
            return self.series.start(self)
        try:
            factories = self._factories()
        except DigisatError as exc:
            self._error(str(exc))
            return None
        if self.area.is_over_limit():
            self.note(self.area.warning_label.text(), Qgis.MessageLevel.Warning)
        chain = TaskChain(factories, parent=self)
        chain.progressChanged.connect(self._progress)
        chain.succeeded.connect(self._finished)
        chain.failed.connect(self._failed)
        chain.cancelled.connect(self._cancelled)
        self.chain = chain
        self.started = time.monotonic()
        self._busy(True)
        self.note(tr("started"))
        chain.start()
        return chain

    def cancel(self):
        if self.chain is not None and self.chain.running:
            self.note(tr("cancelling…"))
            self.chain.cancel()

    def _busy(self, busy: bool):
        self.cancel_button.setEnabled(busy)
        if busy:
            self.percent = 0.0
            self.logged_step = ""
            self.run_button.setEnabled(False)
            # at once: the task's first step comes only once its worker answers ("Ready" stayed ~0.5 s)
            self.step_label.setText(tr("Starting…"))
        else:
            self._update_run_button()

    def can_run(self) -> bool:
        """A band group ticked; or a time series, whose indices may need the 10 m bands alone (NDVI)."""
        return self.process.has_bands() or self.series.active()

    def _update_run_button(self, *_):
        """Run is off while a run goes and while there is nothing to super-resolve (the 10 m bands alone are
        only copied)."""
        running = self.chain is not None and self.chain.running
        self.run_button.setEnabled(not running and self.can_run())
        if not running and not self.can_run():  # why Run is off, where Run is
            self.step_label.setText(_no_bands_status())
        elif self.step_label.text() == _no_bands_status():
            self.step_label.setText(tr("Ready"))

    def _progress(self, percent: float, message: str):
        """The status line: the step and the whole run's percent (the bar is the task manager's), on one line.

        A whole step wrapped to four lines (the guard's decision) and grew the footer mid-run, squeezing the
        tabs: it is cut to a short line, and a step so cut goes whole to the log, once (every update repeats
        the step; a download's size changes in each: compared without its numbers)."""
        self.percent = percent
        line = self._show_status(logbook.short(message, STATUS_CHARS) if message else tr("Working"),
                                 f" ({percent:.0f} %)")
        if message and line != message.strip() and _without_numbers(message) != _without_numbers(self.logged_step):
            self.logged_step = message
            self.note(message)

    def _show_status(self, line: str, suffix: str = "") -> str:
        """`line` + `suffix` on the status line, `line` elided to keep it one line (an error or a step wrapped
        to three or four lines, growing the footer and squeezing the tabs); returns `line` as shown."""
        if self.step_label.isVisible():  # narrower than STATUS_CHARS at the dock's minimum width: elided to fit
            metrics = self.step_label.fontMetrics()
            room = self.step_label.contentsRect().width() - metrics.horizontalAdvance(suffix)
            line = metrics.elidedText(line, Qt.TextElideMode.ElideRight, max(room, 0))
        self.step_label.setText(line + suffix)
        return line

    def _finished(self, result):
        self._busy(False)
        self.replaced = None
        self.percent = 100.0
        names = result_names(result.product_id or os.path.basename(result.output), result.date, self.run_key)
        title = names[0]
        try:
            group, enhanced, original = add_result_group(result.output, result.original, names)
        except RuntimeError as exc:
            self._error(str(exc))
            return
        self.result = (result, group, enhanced, original)
        self.show_composites(enhanced)
        if getattr(result, "uncertainty", None):
            try:
                add_uncertainty_layer(result.uncertainty, uncertainty_name(names[1]), group)
            except RuntimeError as exc:
                self._error(str(exc))
        else:
            remove_stale_uncertainty(result.output)
        # the whole run as the user waited for it (fetch, engine, measure), not the engine's share alone
        wall = time.monotonic() - self.started if self.started else result.seconds
        self.step_label.setText(tr("Done in {seconds} s").format(seconds=f"{wall:.1f}"))
        self.note(tr("done: {path} ({width} x {height} px, {bands} bands, {seconds} s on {device})").format(
            path=result.output, width=result.width, height=result.height, bands=len(result.bands),
            seconds=f"{wall:.1f}", device=result.extra.get("device", "cpu")))
        if getattr(result, "uncertainty", None):
            self.note(tr("uncertainty layer: {path} (expected absolute error per pixel, in the enhanced "
                         "layer's units)").format(path=result.uncertainty))
        if self.settings.zoom_to_result:
            self.zoom_to(enhanced)
        logbook.clear_pushed(self.iface)  # earlier errors are no longer true
        logbook.push(self.iface, tr("{title}: enhanced layer added").format(title=title), Qgis.MessageLevel.Success)
        self.swipe_button.setEnabled(original is not None)
        self.side_button.setEnabled(original is not None)
        if "consistency" in result.extra:
            from ..core.quality.consistency import summary_line

            self.note(summary_line(result.extra["consistency"]))

    def show_composites(self, enhanced):
        """The composites the result's bands allow, its default (one showing enhanced bands) selected."""
        names = band_descriptions(enhanced.source())
        self.composite.clear()
        for key, label, _bands in composite_choices(names):
            self.composite.addItem(label, key)
        self.composite.setCurrentIndex(max(self.composite.findData(default_composite(names)), 0))
        self.composite.setEnabled(self.composite.count() > 0)

    def _composite_chosen(self, *_):
        self.set_composite(self.composite.currentData())

    def set_composite(self, key: str) -> list:
        """Show the latest result's two layers as composite `key`, one stretch for both; returns the bands."""
        if not self.result or not key:
            return []
        _result, _group, enhanced, original = self.result
        if sip.isdeleted(enhanced) or (original is not None and sip.isdeleted(original)):
            return []  # the user removed the result's layers
        index = self.composite.findData(key)
        if index >= 0 and index != self.composite.currentIndex():
            self.composite.setCurrentIndex(index)
        return restyle_result(enhanced, original, key)

    def zoom_to(self, layer):
        """The map on `layer` (in the map's CRS): a new result is where the user looks next."""
        from qgis.core import QgsCoordinateTransform, QgsProject

        extent = layer.extent()
        target = self.canvas.mapSettings().destinationCrs()
        if target.isValid() and layer.crs().isValid() and target != layer.crs():
            extent = QgsCoordinateTransform(layer.crs(), target, QgsProject.instance()).transformBoundingBox(extent)
        self.canvas.setExtent(extent)
        self.canvas.refresh()

    def _put_back_replaced(self) -> bool:
        """After a cancelled or failed run that was to replace an earlier result: its layers back in
        the project when its files are still there (the run's own outputs were never renamed over them)."""
        replaced, self.replaced = self.replaced, None
        if not replaced or not replaced[2] or not os.path.exists(replaced[0]):
            return False
        try:
            add_result_group(replaced[0], replaced[1], replaced[2])
        except RuntimeError:
            return False
        return True

    def _failed(self, message):
        self._busy(False)
        self._put_back_replaced()
        self.step_label.setText(tr("Failed"))
        task = self.chain.tasks[-1] if self.chain and self.chain.tasks else None
        self._error(message, getattr(task, "details", ""))

    def _cancelled(self):
        self._busy(False)
        self.step_label.setText(tr("Cancelled"))
        if self._put_back_replaced():
            self.note(tr("cancelled: no new output was kept; the earlier result is back"))
        else:
            self.note(tr("cancelled: no output was kept"))

    # compare
    def set_swipe(self, on: bool):
        if on and self.result is not None and self.result[3] is not None:
            _, _, enhanced, original = self.result
            self.swipe_tool = SwipeMapTool(self.canvas, [original])
            self.canvas.setMapTool(self.swipe_tool)
        elif self.swipe_tool is not None:
            self.canvas.unsetMapTool(self.swipe_tool)
            self.swipe_tool = None

    def set_side_by_side(self, on: bool):
        """The Side by side toggle: open the second view of the original, or close it and give the main map
        back its width."""
        if on:
            if self.open_side_by_side() is None:
                self._uncheck_side()
        else:
            self.close_side_by_side()

    def _uncheck_side(self):
        self.side_button.blockSignals(True)
        self.side_button.setChecked(False)
        self.side_button.blockSignals(False)

    def _stop_watching_view(self):
        view, self._view_watch = getattr(self, "_view_watch", None), None
        if view is not None and not sip.isdeleted(view):
            try:
                view.destroyed.disconnect(self._second_view_gone)
            except (TypeError, RuntimeError):
                pass

    def close_side_by_side(self):
        self._stop_watching_view()
        if self.side_by_side is not None:
            self.side_by_side.close()
        self._uncheck_side()
        self._restore_layout()

    def _second_view_gone(self, *_):
        """The user closed QGIS's dock of the second view itself."""
        self._view_watch = None
        if sip.isdeleted(self) or sip.isdeleted(self.side_button):
            return
        if self.side_by_side is not None:
            self.side_by_side.canvas = None
        self._uncheck_side()
        self._restore_layout()

    def _restore_layout(self):
        if self._layout_before is None:
            return
        window, width = self._layout_before
        self._layout_before = None
        if not sip.isdeleted(window) and not sip.isdeleted(self):
            window.resizeDocks([self], [width], Qt.Orientation.Horizontal)

    def open_side_by_side(self):
        if self.result is None or self.result[3] is None:
            return None
        if self.canvas_factory is None:
            self._error(tr("side by side: this QGIS cannot open another map view"))
            return None
        first = self.side_by_side is None or self.side_by_side.canvas is None
        if self.side_by_side is None:
            self.side_by_side = SideBySideView(self.canvas, self.canvas_factory, self.canvas_closer, parent=self)
        other = self.side_by_side.open([self.result[3]])
        if first:
            self._place_beside(other)
            self._view_watch = other
            other.destroyed.connect(self._second_view_gone)
        self.side_button.blockSignals(True)
        self.side_button.setChecked(True)
        self.side_button.blockSignals(False)
        return other

    def _place_beside(self, other_canvas):
        """Put QGIS's dock of the new map view beside this dock, half as wide as the main map."""
        holder = other_canvas.parent()
        while holder is not None and not isinstance(holder, QDockWidget):
            holder = holder.parent()
        window = self.iface.mainWindow()
        if holder is None or not isinstance(window, QMainWindow) or holder.isFloating():
            return
        if window.dockWidgetArea(self) == Qt.DockWidgetArea.NoDockWidgetArea or window.dockWidgetArea(holder) == Qt.DockWidgetArea.NoDockWidgetArea:
            return
        # [main map][second view][this dock]: the two maps next to each other
        self._layout_before = (window, self.width())
        width = max(self.canvas.width() // 2, 300)
        window.splitDockWidget(holder, self, Qt.Orientation.Horizontal)
        sizes = [width, max(self.width(), 300)]

        def resize():  # again once the new dock is laid out: before that Qt squeezes both docks
            if not sip.isdeleted(holder) and not sip.isdeleted(self):
                window.resizeDocks([holder, self], sizes, Qt.Orientation.Horizontal)

        resize()
        QTimer.singleShot(0, resize)

    def unload(self):
        """Take away every map tool, rubber band and view the dock put on the canvas; stop the search.

        Tasks still running keep their reference in tasks.base.RUNNING; their news no longer
        reaches this dock, which QGIS deletes next.
        """
        self.cancel()
        self.settings.remove_listener(self._setting_changed)
        if self.search_task is not None:
            task = self.search_task
            task.succeeded.disconnect(self._search_done)
            task.failed.disconnect(self._search_failed)
            task.cancelled.disconnect(self._search_cancelled)
            task.cancel()
            self.search_task = None
        if self.install_task is not None:  # pip is left to finish: a half-done install is worse
            for signal, slot in ((self.install_task.taskCompleted, self._installed),
                                 (self.install_task.taskTerminated, self._install_failed)):
                signal.disconnect(slot)
            self.install_task = None
        self.set_swipe(False)
        self._stop_watching_view()
        if self.side_by_side is not None:
            self.side_by_side.close()
            self.side_by_side = None
        self._restore_layout()
        self.area.unload()
        self.data.unload()
