#!/usr/bin/env python3
"""Build the QGIS plugin zip: dist/digisat.zip with one top-level folder `digisat_plugin/`.

The folder holds the package (__init__.py with classFactory), metadata.txt and LICENSE from the
repository root, the trained networks (model_weights/: cards and ONNX graphs, found there first by
core.sr.weights.default_model_dir(); the Keras weights are for development and stay out), the
runtime requirements the installer reads (requirements/runtime.txt) and the icon. No __pycache__,
.git, tests or installed extras; the zip must stay under the plugin repository's 25 MB.

    python scripts/package.py [--out dist/digisat.zip] [--weights model_weights] [--allow-missing-weights]
"""

from __future__ import annotations

import argparse
import configparser
import os
import sys
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "digisat_plugin"
MAX_BYTES = 25 * 1000 * 1000
SKIP_DIRS = {"__pycache__", ".git", ".pytest_cache", ".ruff_cache", "python_packages", "__MACOSX"}
SKIP_SUFFIXES = (".pyc", ".pyo", ".part", ".tmp", "~")
ROOT_FILES = ("metadata.txt", "LICENSE", os.path.join("requirements", "runtime.txt"))
DEVELOPMENT_ONLY = (".h5",)  # Keras weights: training and export only
ICONS = "resources/icons"


def files_under(folder: str):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith(SKIP_SUFFIXES) and not name.startswith("."):
                yield os.path.join(dirpath, name)


def check_metadata(path: str) -> str:
    meta = configparser.ConfigParser()
    meta.read(path, encoding="utf-8")
    general = meta["general"]
    missing = [k for k in ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email",
                           "repository") if not general.get(k)]
    if missing:
        raise SystemExit(f"package: {path}: missing {', '.join(missing)}")
    icon = os.path.join(REPO, general.get("icon", ""))
    if not os.path.isfile(icon):
        raise SystemExit(f"package: {path}: icon {general.get('icon')!r} not found")
    return general["version"]


def build(out: str, weights: str | None = None, allow_missing_weights: bool = False) -> list:
    for name in ROOT_FILES:
        if not os.path.isfile(os.path.join(REPO, name)):
            raise SystemExit(f"package: {name} not found at the repository root")
    version = check_metadata(os.path.join(REPO, "metadata.txt"))
    weights = weights or os.path.join(REPO, "model_weights")
    if not os.path.isdir(weights) and not allow_missing_weights:
        raise SystemExit(f"package: {weights}: trained networks not found (run 'make train' first)")
    entries = []  # (source path, path in the zip)
    for path in files_under(os.path.join(REPO, PACKAGE)):
        entries.append((path, os.path.join(PACKAGE, os.path.relpath(path, os.path.join(REPO, PACKAGE)))))
    for name in ROOT_FILES:
        entries.append((os.path.join(REPO, name), os.path.join(PACKAGE, name)))
    for folder, target in ((os.path.join(REPO, ICONS), ICONS), (weights, "model_weights")):
        if os.path.isdir(folder):
            for path in files_under(folder):
                if not path.endswith(DEVELOPMENT_ONLY):
                    entries.append((path, os.path.join(PACKAGE, target, os.path.relpath(path, folder))))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for source, target in entries:
            archive.write(source, target.replace(os.sep, "/"))
    size = os.path.getsize(tmp)
    if size > MAX_BYTES:
        os.remove(tmp)
        raise SystemExit(f"package: {out} would be {size / 1e6:.1f} MB, above the 25 MB limit")
    os.replace(tmp, out)
    print(f"{out}: digisat {version}, {len(entries)} files, {size / 1e6:.2f} MB")
    return [t for _, t in entries]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO, "dist", "digisat.zip"))
    parser.add_argument("--weights", default=None, help="trained networks to ship (default model_weights/)")
    parser.add_argument("--allow-missing-weights", action="store_true",
                        help="build without model_weights/ (a zip for tests, not for users)")
    args = parser.parse_args(argv)
    build(args.out, args.weights, args.allow_missing_weights)
    return 0


if __name__ == "__main__":
    sys.exit(main())
