#!/usr/bin/env bash
# Idempotent set-up for a Debian 12 machine: Debian packages (QGIS, GDAL, rasterio, numpy, scipy)
# for the system Python, then .venv with system site packages and the pinned PyPI extras.
# As root, missing packages are installed with apt-get; otherwise the exact command is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="python3-gdal gdal-bin python3-rasterio python3-numpy python3-scipy python3-requests python3-pil python3-venv python3-pip xvfb xauth"
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

# QGIS: the long-term release 3.40 from Debian's bookworm-backports by default; QGIS=3.22 (make test
# QGIS=3.22) installs, or goes back to, Debian 12's own 3.22, the oldest the plugin supports (metadata.txt).
# Packages are named with their suite (qgis/bookworm): apt then also downgrades, which -t alone never does.
QGIS=${QGIS:-3.40}
case "$QGIS" in
  3.40) qgis_suite=bookworm-backports ;;
  3.22) qgis_suite=bookworm ;;
  *) echo "setup: QGIS=$QGIS: 3.40 (the default, bookworm-backports) or 3.22 (bookworm)" >&2; exit 1 ;;
esac
QGIS_PACKAGES="qgis python3-qgis qgis-providers qgis-common python3-qgis-common qgis-providers-common libqgis-customwidgets"
BACKPORTS=/etc/apt/sources.list.d/bookworm-backports.sources
BACKPORTS_SOURCE="Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
installed_qgis=$(dpkg-query -W -f='${Version}' python3-qgis 2>/dev/null || true)
if [[ "$installed_qgis" != "$QGIS".* ]]; then
  need_backports=
  if [ "$qgis_suite" = bookworm-backports ] && ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    need_backports=1
  fi
  cmd="apt-get install -y --no-install-recommends --allow-downgrades ${QGIS_PACKAGES// //$qgis_suite }/$qgis_suite"
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing QGIS $QGIS from $qgis_suite (installed: ${installed_qgis:-none})"
    [ -z "$need_backports" ] || { echo "setup: adding $BACKPORTS"; echo "$BACKPORTS_SOURCE" > "$BACKPORTS"; }
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    $cmd
    installed_qgis=$(dpkg-query -W -f='${Version}' python3-qgis)
    [[ "$installed_qgis" == "$QGIS".* ]] || { echo "setup: wanted QGIS $QGIS, $qgis_suite gave $installed_qgis" >&2; exit 1; }
  else
    echo "setup: QGIS $QGIS is not installed (python3-qgis: ${installed_qgis:-none}); run as root:" >&2
    [ -z "$need_backports" ] || printf "  sudo tee %s <<'EOF'\n%s\nEOF\n" "$BACKPORTS" "$BACKPORTS_SOURCE" >&2
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
import tests.servers
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
