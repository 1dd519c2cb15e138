#!/usr/bin/env bash
# Idempotent set-up for a Debian 12 machine: Debian packages (QGIS, GDAL, rasterio, numpy, scipy)
# for the system Python, then .venv with system site packages and the pinned PyPI extras.
# As root, missing packages are installed with apt-get; otherwise the exact command is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="qgis python3-qgis qgis-providers python3-gdal gdal-bin python3-rasterio python3-numpy python3-scipy python3-requests python3-pil python3-venv python3-pip xvfb xauth"
SYS_PY=/usr/bin/python3

missing=()
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    $cmd
  else
    echo "setup: missing Debian packages; run as root:" >&2
    echo "  sudo apt-get update && sudo $cmd" >&2
    exit 1
  fi
fi

"$SYS_PY" -c "import qgis.core, osgeo.gdal, rasterio, numpy, scipy" || {
  echo "setup: the system Python cannot import qgis/osgeo/rasterio/numpy/scipy after installing them" >&2
  exit 1
}

# The project itself (pyproject.toml) in editable mode, so scripts/ and research/ import digisat_plugin and
# research without sys.path edits. Checked from outside the checkout (-I: no current folder on the path).
install_project() {
  local repo=$PWD
  if ! (cd / && "$repo/.venv/bin/python" -I -c "import os, sys, digisat_plugin, research
sys.exit(os.path.dirname(os.path.dirname(os.path.abspath(research.__file__))) != sys.argv[1])" "$repo") 2>/dev/null; then
    echo "setup: installing the project into .venv in editable mode (pyproject.toml)"
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  fi
}

stamp=.venv/.digisat-requirements
want=$(cat requirements/*.txt | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  install_project
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv (system site packages, so QGIS/GDAL/rasterio come from Debian)"
  "$SYS_PY" -m venv --system-site-packages .venv
fi
# Two lists: what the plugin's worker needs at run time (the one list the dock's installer installs too) and
# what development adds (training with TensorFlow, the ONNX export, tests, Dask, the test servers).
echo "setup: installing the runtime requirements (requirements/runtime.txt) into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/runtime.txt
echo "setup: installing the development requirements (requirements/dev.txt) into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/runtime.txt -r requirements/dev.txt
TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python -c "import numpy, onnxruntime, tensorflow, qgis.core; assert int(numpy.__version__.split('.')[0]) < 2, numpy.__version__"
.venv/bin/rustac --version >/dev/null || { echo "setup: .venv/bin/rustac (requirements/servers.txt, for the tests) does not run" >&2; exit 1; }
install_project
echo "$want" > "$stamp"
