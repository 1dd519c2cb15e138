"""Explains itself, translatably: every user-visible GUI string through tr(), a .ts template, tooltips."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from qgis.PyQt.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QTableWidget

from digisat_plugin.gui.dock import DigisatDock
from digisat_plugin.toolbelt.settings import PluginSettings
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import i18n_template  # noqa: E402


@pytest.mark.parametrize("module", i18n_template.GUI_MODULES)
def test_gui_module_has_no_user_visible_string_outside_tr(module):
    assert i18n_template.untranslated(REPO / module) == []


def test_scanner_sees_literals_fstrings_and_concatenation(tmp_path):
    source = tmp_path / "m.py"
    source.write_text('a = QLabel("Plain")\nb.setToolTip(f"n={n} km")\nc.setText("x " + tr("y"))\n'
                      'd = QPushButton(tr("ok"))\ne.setObjectName("notShown")\nf.addItem(tr("Shown"), "data")\n')
    assert [t for _n, t in i18n_template.untranslated(source)] == ["Plain", "n= km", "x "]
    assert [t for _n, t in i18n_template.tr_strings(source)] == ["y", "ok", "Shown"]


def test_make_translations_writes_the_ts_template(tmp_path):
    out = tmp_path / "digisat.ts"
    done = subprocess.run(["make", "-n", "translations"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "scripts/i18n_template.py --out i18n/digisat.ts" in done.stdout
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "i18n_template.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    root = ET.parse(out).getroot()
    assert root.tag == "TS" and root.find("context/name").text == "digisat"
    sources = {m.find("source").text for m in root.iter("message")}
    assert {"Run", "Swipe compare", "Tile size (10 m px)", "About digisat"} <= sources
    # labels the GUI translates at run time from core tables (the catalogue sources) are there too
    from digisat_plugin.core.definitions import SOURCE_LABELS

    assert {label for _key, label in SOURCE_LABELS} <= sources
    # the committed template holds the same strings (its line numbers may lag behind)
    committed = {m.find("source").text for m in ET.parse(REPO / "i18n" / "digisat.ts").getroot().iter("message")}
    assert committed == sources


def test_every_dock_control_has_a_tooltip(full_iface, clean_project, tmp_path):
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path)))
    try:
        kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QTableWidget)
        controls = [w for kind in kinds for w in dock.findChildren(kind)]
        # Qt's own parts (the tab bar's scroll arrows, a spin box's inner line edit, the auth selector's
        # inner widgets) are not ours: only widgets the panels keep as attributes count
        ours = {id(v) for panel in (dock, dock.area, dock.data, dock.process, dock.settings_panel)
                for v in vars(panel).values()}
        missing = [w.objectName() or type(w).__name__ + ":" + getattr(w, "text", lambda: "")()
                   for w in controls if id(w) in ours and not w.toolTip()]
        assert missing == []
        assert len([w for w in controls if id(w) in ours]) >= 35
        assert "10 m pixels" in dock.process.tile_size.toolTip()
        assert dock.process.tile_size.suffix() == " px"
        assert all(dock.tabs.tabToolTip(i) for i in range(dock.tabs.count()))
    finally:
        dock.unload()
        dock.deleteLater()
