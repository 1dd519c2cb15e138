"""Qt 6 readiness check of the plugin's Python, with the rules of QGIS's PyQt5-to-PyQt6 migration script.

QGIS's Qt 6 builds (QGIS 4) run PyQt6: enums only scoped (`Qt.AlignmentFlag.AlignLeft`), `exec()` for
`exec_()`, no `PyQt5` imports, no `QRegExp`, `qApp`, `QDesktopWidget`, `QFontMetrics.width()`...
QGIS ships scripts/pyqt5_to_pyqt6/pyqt5_to_pyqt6.py for plugin authors; this is a check of the same
rules written for this repository: it resolves each `Name.attr` through the file's own Qt and QGIS
imports in the running PyQt5 (so no enum table to keep), and also asks for QMetaType where QGIS >= 3.38
takes it (digisat_plugin/qt_compat.py), which QGIS's script only rewrites in its QGIS-3-incompatible mode.

    python scripts/qt6_check.py [PATH ...]        # report; exit 1 if anything is found
    python scripts/qt6_check.py --fix [PATH ...]  # rewrite what can be fixed safely, report the rest

PATH defaults to digisat_plugin/. Automatic fixes: unscoped enums, exec_, PyQt5 imports, renamed enums.
"""

from __future__ import annotations

import argparse
import ast
import enum
import importlib
import pathlib
import sys
from dataclasses import dataclass

REPO = pathlib.Path(__file__).resolve().parents[1]
QT_MODULES = ("qgis.PyQt", "PyQt5", "qgis.core", "qgis.gui", "qgis.analysis", "qgis._3d")
# enums Qt 6 dropped for another name (QGIS's table)
RENAMED_ENUMS = {("Qt", "MidButton"): "MouseButton.MiddleButton",
                 ("Qt", "TextColorRole"): "ItemDataRole.ForegroundRole",
                 ("Qt", "BackgroundColorRole"): "ItemDataRole.BackgroundRole",
                 ("QPainter", "HighQualityAntialiasing"): "RenderHint.Antialiasing"}
REMOVED_IMPORTS = {"QRegExp": "QRegExp is removed in Qt 6: use QRegularExpression",
                   "resources_rc": "compiled resources are removed in Qt 6: load icons and .ui files by path",
                   "qApp": "qApp is removed in Qt 6: use QApplication.instance()",
                   "QDesktopWidget": "QDesktopWidget is removed in Qt 6: use QScreen"}


# the one module allowed QVariant field types: QgsField's fallback for QGIS < 3.38
QVARIANT_FALLBACK = "qt_compat.py"


@dataclass
class Finding:
    path: pathlib.Path
    line: int
    col: int
    message: str
    edit: tuple | None = None  # (line, byte start, byte end, replacement) when fixable

    def __str__(self):
        fix = " [fixable]" if self.edit else ""
        return f"{self.path}:{self.line}:{self.col}: {self.message}{fix}"


def _is_enum_member(value) -> bool:
    # PyQt5's sip enums (classic C++ enums) and Python enums (QGIS's scoped `enum class`)
    return type(type(value)).__name__ == "enumtype" or isinstance(value, enum.Enum)


def _imported_names(tree: ast.AST) -> dict:
    """Local name -> object for everything the file imports from Qt or QGIS (functions' imports too)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(QT_MODULES):
            try:
                module = importlib.import_module(node.module)
            except ImportError:
                continue
            for alias in node.names:
                obj = getattr(module, alias.name, None)
                if obj is None:
                    try:  # a submodule: from qgis.PyQt import QtCore
                        obj = importlib.import_module(f"{node.module}.{alias.name}")
                    except ImportError:
                        continue
                names[alias.asname or alias.name] = obj
    return names


def _resolve(node, names):
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, names)
        return getattr(base, node.attr, None) if base is not None else None
    return None


def _scoped_name(owner, member: str, value) -> str | None:
    """The enum's name on `owner` such that owner.<name>.<member> is the same value, if there is one."""
    enum_type = type(value)
    for name in dir(owner):
        if name.startswith("_"):
            continue
        try:
            candidate = getattr(owner, name)
        except Exception:  # noqa: BLE001 (some sip attributes raise on access)
            continue
        if candidate is enum_type and getattr(candidate, member, None) == value:
            return name
    return None


def _end_edit(node, source_lines, old: str, new: str):
    """Replace the trailing `old` of a node (an attribute name) with `new` (ast offsets are UTF-8 bytes)."""
    line = source_lines[node.end_lineno - 1].encode()
    end = node.end_col_offset
    start = end - len(old.encode())
    if line[start:end] != old.encode():
        return None
    return (node.end_lineno, start, end, new)


def check_source(path: pathlib.Path, source: str) -> list[Finding]:
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    names = _imported_names(tree)
    found = []

    def add(node, message, edit=None):
        found.append(Finding(path, node.lineno, node.col_offset, message, edit))

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("PyQt5"):
                new = "qgis.PyQt" + node.module[len("PyQt5"):]
                add(node, f"import from {node.module}: use {new}", _module_edit(node, lines, new))
            if node.module == "qgis.PyQt.Qt":
                add(node, "qgis.PyQt.Qt is gone in Qt 6: import Qt from qgis.PyQt.QtCore")
            for alias in node.names:
                if alias.name in REMOVED_IMPORTS:
                    add(node, REMOVED_IMPORTS[alias.name])
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "PyQt5" for a in node.names):
            add(node, "import PyQt5: import through qgis.PyQt")
        elif isinstance(node, ast.FunctionDef) and node.name == "exec_":
            add(node, "def exec_: name it exec")
        elif isinstance(node, ast.Call):
            found.extend(_check_call(path, node, lines, names))
        elif isinstance(node, ast.Attribute):
            found.extend(_check_attribute(path, node, lines, names))
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "activated" and isinstance(node.slice, ast.Name) and node.slice.id == "str":
            add(node, "activated[str] is removed in Qt 6: use textActivated")
        elif isinstance(node, ast.Name) and node.id == "qApp":
            add(node, REMOVED_IMPORTS["qApp"])
    return sorted(found, key=lambda f: (f.line, f.col))


def _module_edit(node, lines, new):
    line = lines[node.lineno - 1].encode()
    start = line.find(node.module.encode(), node.col_offset)
    return (node.lineno, start, start + len(node.module.encode()), new) if start >= 0 else None


def _check_call(path, node, lines, names):
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "exec_":
        yield Finding(path, node.lineno, node.col_offset, "exec_() is removed in Qt 6: use exec()",
                      _end_edit(func, lines, "exec_", "exec"))
    if isinstance(func, ast.Attribute) and func.attr == "addAction" and len(node.args) >= 4:
        yield Finding(path, node.lineno, node.col_offset, "fragile addAction(...) overload: build the QAction first")
    if isinstance(func, ast.Attribute) and func.attr == "desktop" and not node.args:
        yield Finding(path, node.lineno, node.col_offset, REMOVED_IMPORTS["QDesktopWidget"])
    if isinstance(func, ast.Attribute) and func.attr == "width" and isinstance(func.value, ast.Call) and (
            getattr(func.value.func, "attr", None) == "fontMetrics" or getattr(func.value.func, "id", None) == "QFontMetrics"):
        yield Finding(path, node.lineno, node.col_offset, "QFontMetrics.width() is removed in Qt 6: horizontalAdvance()")
    if isinstance(func, ast.Name) and func.id == "QVariant" and (
            not node.args or (len(node.args) == 1 and isinstance(node.args[0], ast.Attribute)
                              and getattr(node.args[0].value, "id", None) == "QVariant")):
        yield Finding(path, node.lineno, node.col_offset, "a null QVariant: use qgis.core.NULL")
    if isinstance(func, ast.Name) and func.id == "QDateTime" and (
            len(node.args) == 8 or (len(node.args) == 1 and getattr(getattr(node.args[0], "func", None), "id", None) == "QDate")):
        yield Finding(path, node.lineno, node.col_offset, "this QDateTime constructor is gone in Qt 6: QDateTime(QDate, QTime)")


def _check_attribute(path, node, lines, names):
    if not isinstance(node.value, ast.Name | ast.Attribute):
        return
    owner = _resolve(node.value, names)
    if owner is None or not isinstance(owner, type):
        return
    owner_name = owner.__name__
    if (owner_name, node.attr) in RENAMED_ENUMS:
        new = RENAMED_ENUMS[(owner_name, node.attr)]
        yield Finding(path, node.lineno, node.col_offset, f"{owner_name}.{node.attr} is gone in Qt 6: {owner_name}.{new}",
                      _end_edit(node, lines, node.attr, new))
        return
    if owner_name == "QVariant" and node.attr == "Type":
        yield Finding(path, node.lineno, node.col_offset, "QVariant.Type.X: write QVariant.X (or QMetaType.Type)")
        return
    try:
        value = getattr(owner, node.attr)
    except AttributeError:  # e.g. a scoped enum this (older) QGIS does not have yet
        yield Finding(path, node.lineno, node.col_offset, f"{owner_name}.{node.attr} does not exist in this Qt/QGIS")
        return
    if not _is_enum_member(value) or type(value) is owner:
        return
    if owner is getattr(importlib.import_module("qgis.PyQt.QtCore"), "QVariant", None):
        if path.name == QVARIANT_FALLBACK:
            return
        yield Finding(path, node.lineno, node.col_offset,
                      f"QVariant.{node.attr}: QGIS 3.38+ and Qt 6 take QMetaType (digisat_plugin/qt_compat.py)")
        return
    scoped = _scoped_name(owner, node.attr, value)
    if scoped is None:
        return  # a compatibility alias QGIS keeps (a Qgis enum moved, e.g. QgsProcessing.TypeRaster): no scoped twin
    yield Finding(path, node.lineno, node.col_offset, f"unscoped enum {owner_name}.{node.attr}: {owner_name}.{scoped}.{node.attr}",
                  _end_edit(node, lines, node.attr, f"{scoped}.{node.attr}"))


def apply_edits(source: str, findings: list[Finding]) -> str:
    lines = source.splitlines(keepends=True)
    edits = sorted({f.edit for f in findings if f.edit}, key=lambda e: (e[0], e[1]), reverse=True)
    for line_no, start, end, new in edits:
        raw = lines[line_no - 1].encode()
        lines[line_no - 1] = (raw[:start] + new.encode() + raw[end:]).decode()
    return "".join(lines)


def python_files(paths):
    for path in paths:
        path = pathlib.Path(path)
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[REPO / "digisat_plugin"])
    parser.add_argument("--fix", action="store_true", help="rewrite the fixable findings in place")
    args = parser.parse_args(argv)
    left = 0
    for path in python_files(args.paths):
        source = path.read_text(encoding="utf-8")
        findings = check_source(path, source)
        if args.fix and any(f.edit for f in findings):
            path.write_text(apply_edits(source, findings), encoding="utf-8")
            findings = check_source(path, path.read_text(encoding="utf-8"))
        for finding in findings:
            print(finding)
        left += len(findings)
    print(f"qt6_check: {left} finding(s)", file=sys.stderr)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
