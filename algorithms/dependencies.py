"""Check that the engine's third-party libraries are importable, and say exactly how to fix it.

QGIS desktop and ``qgis_process`` run the *system* Python (or OSGeo4W's on Windows), not a
virtual environment, so the install command must target that interpreter.
"""

from __future__ import annotations

import os
import platform
import sys

SHAPELY_MIN = (2, 0)


def _python_exe() -> str:
    """The interpreter QGIS runs (inside QGIS ``sys.executable`` is the qgis binary)."""
    exe = sys.executable or ""
    if os.path.basename(exe).lower().startswith("python"):
        return exe
    name = "python.exe" if platform.system() == "Windows" else "python3"
    candidate = os.path.join(sys.prefix, name)
    if platform.system() != "Windows":
        candidate = os.path.join(sys.prefix, "bin", name)
    return candidate if os.path.exists(candidate) else name


def install_command(packages: str = '"shapely>=2"') -> str:
    """The exact command that installs ``packages`` next to QGIS without touching its numpy."""
    try:
        import numpy

        pin = f' "numpy=={numpy.__version__}"'
    except ImportError:  # pragma: no cover - numpy ships with every QGIS
        pin = ""
    exe = _python_exe()
    if platform.system() == "Windows":
        return f"(OSGeo4W Shell) python -m pip install {packages}{pin}"
    flag = " --break-system-packages" if exe.startswith("/usr/") else ""
    return f"{exe} -m pip install{flag} {packages}{pin}"


def missing_dependencies() -> str | None:
    """None when everything is importable, else a message naming the problem and the fix."""
    problems = []
    packages = ['"shapely>=2"']
    try:
        import shapely

        version = tuple(int(p) for p in shapely.__version__.split(".")[:2])
        if version < SHAPELY_MIN:
            problems.append(f"shapely {shapely.__version__} is too old (2.0 or newer is needed)")
    except ImportError:
        problems.append("shapely is not installed")
    try:
        import pyproj  # noqa: F401
    except ImportError:
        problems.append("pyproj is not installed")
        packages.append("pyproj")
    try:
        from osgeo import gdal  # noqa: F401
    except ImportError:  # pragma: no cover - GDAL ships with every QGIS
        problems.append("GDAL's Python bindings are not installed")
    if not problems:
        return None
    return (
        "Multi-Plan Integration needs shapely >= 2 and pyproj in QGIS's Python: "
        + "; ".join(problems)
        + ". Install with: "
        + install_command(" ".join(packages))
        + " — then restart QGIS."
    )
