"""Check that the engine's third-party libraries are importable and usable, and say exactly how to fix it.

QGIS desktop and ``qgis_process`` run the *system* Python (or OSGeo4W's on Windows), not a virtual
environment, so the install command must target that interpreter.

On Linux there is a second trap: a shapely wheel from PyPI carries its own GEOS, but inside QGIS the
process has already loaded the system GEOS, and the dynamic linker resolves shapely's GEOS calls to the
*system* library (ELF symbol interposition).  shapely then calls GEOS 3.11 with another version's
expectations — seen here as "WKB output dimension must be 2 or 3" in ``qgis_process``, and worse is
possible.  So on Linux shapely must be built against the same GEOS as QGIS (``--no-binary shapely``).
Windows (per-DLL symbol lookup) and macOS (two-level namespaces) are not affected.
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


def install_command(packages: str = '"shapely>=2,<3"') -> str:
    """The exact command that installs ``packages`` next to QGIS without touching its numpy."""
    try:
        import numpy

        pin = f' "numpy=={numpy.__version__}"'
    except ImportError:  # pragma: no cover - numpy ships with every QGIS
        pin = ""
    exe = _python_exe()
    if platform.system() == "Windows":
        return f"(OSGeo4W Shell) python -m pip install {packages}{pin}"
    if platform.system() == "Linux":
        # Build against the system GEOS that QGIS loads (needs libgeos-dev, python3-dev and a C compiler).
        flag = " --break-system-packages" if exe.startswith("/usr/") else ""
        return (
            "sudo apt install libgeos-dev python3-dev build-essential && "
            f"{exe} -m pip install{flag} --no-binary shapely {packages}{pin}"
        )
    return f"{exe} -m pip install {packages}{pin}"


def missing_dependencies(host_geos: tuple[int, int] | None = None) -> str | None:
    """None when everything is usable, else a message naming the problem and the exact fix.

    ``host_geos`` is the (major, minor) GEOS version of the host application (QGIS); on Linux shapely
    must use that same GEOS.
    """
    problems = []
    packages = ['"shapely>=2,<3"']
    try:
        import shapely

        version = tuple(int(p) for p in shapely.__version__.split(".")[:2])
        if version < SHAPELY_MIN:
            problems.append(f"shapely {shapely.__version__} is too old (2.0 or newer is needed)")
        elif (
            host_geos and platform.system() == "Linux" and tuple(shapely.geos_version[:2]) != tuple(host_geos)
        ):
            problems.append(
                "shapely {s} uses its own GEOS {g} while QGIS uses GEOS {h}; on Linux both end up in one "
                "process and shapely would call QGIS's GEOS with another version's expectations".format(
                    s=shapely.__version__,
                    g=".".join(map(str, shapely.geos_version)),
                    h=".".join(map(str, host_geos)),
                )
            )
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
        "Multi-Plan Integration needs shapely >= 2 (built on QGIS's GEOS) and pyproj in QGIS's Python: "
        + "; ".join(problems)
        + ". Install with: "
        + install_command(" ".join(packages))
        + " — then restart QGIS."
    )
