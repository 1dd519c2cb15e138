"""The translation template: every `tr("...")` literal of the GUI modules into i18n/digisat.ts (Qt Linguist).

    python scripts/i18n_template.py [--out i18n/digisat.ts]      (make translations)

A small extractor instead of pylupdate5: the plugin's strings all go through gui.i18n.tr(), one
context ("digisat"), which pylupdate5 would file under each class's name instead. `untranslated()`
finds user-visible literals given to Qt without tr() (tests/qgis/test_i18n.py runs it on every GUI module).
Translators: `lrelease i18n/digisat.ts -qm digisat_plugin/i18n/digisat_<locale>.qm` after translating.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from xml.sax.saxutils import escape

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUI_MODULES = [os.path.join("digisat_plugin", "plugin.py"), os.path.join("digisat_plugin", "toolbelt", "log.py")] + sorted(
    os.path.join("digisat_plugin", "gui", f) for f in os.listdir(os.path.join(REPO, "digisat_plugin", "gui"))
    if f.endswith(".py"))
CONTEXT = "digisat"
# Tables outside the GUI whose labels the GUI passes through tr() at run time (search_panel's
# source list): (module, table name, index of the label in each row).
RUNTIME_TABLES = [(os.path.join("digisat_plugin", "core", "definitions.py"), "SOURCE_LABELS", 1)]

# Calls whose string arguments a user reads (widget texts, tooltips, titles, messages of the dock).
TEXT_CALLS = {
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QToolButton", "QMessageBox",
    "setText", "setToolTip", "setWindowTitle", "setPlaceholderText", "setStatusTip", "setWhatsThis", "setTitle",
    "addTab", "setTabText", "setTabToolTip", "addRow", "addItem", "addItems", "setSpecialValueText", "setSuffix",
    "setPrefix", "addAction", "setHorizontalHeaderLabels", "setHeaderLabels", "getExistingDirectory",
    "getOpenFileName", "getSaveFileName", "information", "warning", "critical", "question",
    "note", "_error", "push", "pushMessage", "setItemText", "setItemData",
}
FIRST_ARG_ONLY = {"addItem", "setItemText"}  # addItem(text, userData): the data is not shown


def _name(func) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _is_tr(node) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in ("tr", "translate")


def _visible(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _literals(node):
    """String literals in `node` not inside a tr() call (f-strings count as one literal)."""
    if _is_tr(node):
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _visible(node.value):
            yield node.lineno, node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if _visible(text):
            yield node.lineno, text
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            yield from _literals(item)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def _tree(path):
    with open(path, encoding="utf-8") as f:
        return ast.parse(f.read(), path)


def untranslated(path) -> list:
    """(line, text) of user-visible literals handed to Qt (TEXT_CALLS) without tr()."""
    found = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name == "__init__" and isinstance(node.func, ast.Attribute):  # super().__init__("dock title")
            name = "QLabel"
        if name not in TEXT_CALLS:
            continue
        args = node.args[:1] if name in FIRST_ARG_ONLY else node.args
        for arg in list(args) + [k.value for k in node.keywords if k.arg in ("text", "title", "toolTip")]:
            found.extend(_literals(arg))
    return sorted(set(found))


def tr_strings(path) -> list:
    """(line, text) of every tr("literal") in the module."""
    out = []
    for node in ast.walk(_tree(path)):
        if _is_tr(node) and node.args:
            arg = node.args[-1] if _name(node.func) == "translate" else node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.append((node.lineno, arg.value))
    return sorted(out)


def table_labels(path, table: str, index: int) -> list:
    """(line, text) of the label in each row of a module-level tuple of tuples `table`."""
    out = []
    for node in _tree(path).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == table for t in node.targets):
            for row in node.value.elts:
                label = row.elts[index]
                if isinstance(label, ast.Constant) and isinstance(label.value, str):
                    out.append((label.lineno, label.value))
    return out


def template(modules=None) -> str:
    """The .ts XML: one message per distinct string, with every place it is used."""
    messages: dict = {}
    for rel in modules or GUI_MODULES:
        for line, text in tr_strings(os.path.join(REPO, rel)):
            messages.setdefault(text, []).append((rel, line))
    for rel, table, index in [] if modules else RUNTIME_TABLES:
        for line, text in table_labels(os.path.join(REPO, rel), table, index):
            messages.setdefault(text, []).append((rel, line))
    body = []
    for text, places in messages.items():
        where = "".join(f'        <location filename="../{p}" line="{n}"/>\n' for p, n in places)
        body.append(f"    <message>\n{where}        <source>{escape(text)}</source>\n"
                    f'        <translation type="unfinished"></translation>\n    </message>\n')
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1">\n<context>\n'
            f"    <name>{CONTEXT}</name>\n{''.join(body)}</context>\n</TS>\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO, "i18n", "digisat.ts"))
    args = parser.parse_args(argv)
    text = template()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.out)
    missing = [(rel, n, t) for rel in GUI_MODULES for n, t in untranslated(os.path.join(REPO, rel))]
    print(f"wrote {args.out} ({text.count('<message>')} strings)")
    for rel, n, t in missing:
        print(f"{rel}:{n}: not through tr(): {t!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
