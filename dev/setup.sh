#!/usr/bin/env bash
# Idempotent setup for a fresh Debian/Ubuntu machine; quick when everything is already there.
#  - QGIS and tools from the distribution (apt), only what is missing;
#  - shapely >= 2 into the *system* Python that QGIS and qgis_process run, numpy pinned to the
#    distribution's version (numpy 2 breaks QGIS's own modules);
#  - test tools in a venv made with --system-site-packages;
#  - the import path .build/py/multiplan -> repository root, and the compiled translations.
set -euo pipefail
cd "$(dirname "$0")/.."

SYS_PY=/usr/bin/python3
APT_PKGS="qgis python3-qgis qgis-providers xvfb xauth gdal-bin python3-gdal sqlite3 poppler-utils chromium \
qttools5-dev-tools pyqt5-dev-tools fonts-noto-cjk fonts-wqy-microhei python3-pip python3-venv \
libgeos-dev python3-dev build-essential"

missing=()
for p in $APT_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing from the distribution: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# shapely >= 2 built against the system GEOS (the one QGIS loads): a PyPI wheel brings its own GEOS, and
# inside QGIS/qgis_process the linker would route its calls to QGIS's GEOS (see algorithms/dependencies.py).
SYS_GEOS=$(geos-config --version)
if ! $SYS_PY - "$SYS_GEOS" <<'PYCHECK' 2>/dev/null
import sys, shapely
ok = int(shapely.__version__.split(".")[0]) >= 2
ok = ok and ".".join(map(str, shapely.geos_version)) == sys.argv[1]
sys.exit(0 if ok else 1)
PYCHECK
then
  NUMPY=$($SYS_PY -c 'import numpy; print(numpy.__version__)')
  echo "setup: building shapely 2 against the system GEOS $SYS_GEOS for $SYS_PY (numpy pinned to $NUMPY)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO $SYS_PY -m pip install -q --break-system-packages --no-binary shapely --force-reinstall --no-deps \
    "shapely==2.1.2"
  $SYS_PY -c "import numpy; assert numpy.__version__ == '$NUMPY', 'numpy changed'"
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import pytest, pytest_qgis, pytestqt' 2>/dev/null; then
  echo "setup: creating the test venv (.venv, --system-site-packages)"
  $SYS_PY -m venv --system-site-packages .venv
  NUMPY=$($SYS_PY -c 'import numpy; print(numpy.__version__)')
  .venv/bin/pip install -q -r dev/requirements-test.txt "numpy==$NUMPY"
fi

mkdir -p .build/py
[ -L .build/py/multiplan ] || ln -sfn ../.. .build/py/multiplan

# Compiled translations (.qm) from the committed .ts files, when missing or older.
for ts in i18n/*.ts; do
  [ -e "$ts" ] || continue
  qm="${ts%.ts}.qm"
  if [ ! -e "$qm" ] || [ "$ts" -nt "$qm" ]; then
    lrelease -silent "$ts" -qm "$qm"
  fi
done
