"""scripts/qt6_check.py: the plugin is ready for QGIS's Qt 6 builds, and the fixer rewrites what it reports."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

CHECK = [sys.executable, str(REPO / "scripts" / "qt6_check.py")]

QT5_STYLE = '''from PyQt5.QtGui import QColor
from qgis.core import Qgis, QgsTask
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDialogButtonBox, QMessageBox


def show(box, label):
    label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
    flags, level = QgsTask.CanCancel, Qgis.Warning
    return box.exec_(), Qt.MidButton, QMessageBox.Yes, QDialogButtonBox.Ok, QColor(Qt.red), flags, level
'''

FIXED = '''from qgis.PyQt.QtGui import QColor
from qgis.core import Qgis, QgsTask
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDialogButtonBox, QMessageBox


def show(box, label):
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    flags, level = QgsTask.Flag.CanCancel, Qgis.MessageLevel.Warning
    return box.exec(), Qt.MouseButton.MiddleButton, QMessageBox.StandardButton.Yes, QDialogButtonBox.StandardButton.Ok, QColor(Qt.GlobalColor.red), flags, level
'''

NOT_FIXABLE = '''from qgis.PyQt.QtCore import QRegExp, QVariant
from qgis.PyQt.QtWidgets import QApplication


def width(label, combo):
    combo.activated[str].connect(print)
    return label.fontMetrics().width("x"), QApplication.desktop(), QVariant(), QVariant.String
'''


def run(*args):
    return subprocess.run([*CHECK, *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_the_plugin_has_nothing_left_for_qt6():
    done = run(REPO / "digisat_plugin")
    assert done.returncode == 0, done.stdout
    assert done.stdout == ""
    assert "qt6_check: 0 finding(s)" in done.stderr


def test_reports_then_fixes_qt5_style_code(tmp_path):
    source = tmp_path / "old.py"
    source.write_text(QT5_STYLE)
    done = run(source)
    assert done.returncode == 1
    found = done.stdout.splitlines()
    assert len(found) == 10, done.stdout  # the PyQt5 import, 8 enums (2 of QGIS, 1 renamed), exec_
    assert all(line.endswith("[fixable]") for line in found)
    assert f"{source}:8:" in done.stdout and "Qt.AlignmentFlag.AlignLeft" in done.stdout

    fixed = run("--fix", source)
    assert fixed.returncode == 0, fixed.stdout
    assert source.read_text() == FIXED
    assert run(source).returncode == 0  # a second pass finds nothing


def test_reports_what_needs_a_person(tmp_path):
    source = tmp_path / "manual.py"
    source.write_text(NOT_FIXABLE)
    done = run("--fix", source)
    assert done.returncode == 1
    assert source.read_text() == NOT_FIXABLE  # nothing rewritten
    messages = done.stdout
    for expected in ("QRegExp is removed", "activated[str]", "QFontMetrics.width()", "QDesktopWidget",
                     "a null QVariant", "QVariant.String: QGIS 3.38+"):
        assert expected in messages, messages
