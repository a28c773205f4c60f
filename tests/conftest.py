"""Shared fixtures.  QGIS is started by pytest-qgis (offscreen); engine tests do not touch it."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_PY = ROOT / ".build" / "py"
LINK = BUILD_PY / "multiplan"
if not LINK.exists():
    BUILD_PY.mkdir(parents=True, exist_ok=True)
    os.symlink("../..", LINK)
if str(BUILD_PY) not in sys.path:
    sys.path.insert(0, str(BUILD_PY))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from mp_testing import N2K_SHP, NUMAZU_GPKG  # noqa: E402


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture()
def n2k_copy(tmp_path) -> Path:
    """The Copernicus N2K sample copied into tmp_path (tests never write next to shared data)."""
    src = N2K_SHP.parent
    dst = tmp_path / "n2k"
    shutil.copytree(src, dst)
    return dst / N2K_SHP.name


@pytest.fixture()
def numazu_copy(tmp_path) -> Path:
    dst = tmp_path / NUMAZU_GPKG.name
    shutil.copy(NUMAZU_GPKG, dst)
    return dst


_KEEP: list = []


@pytest.fixture()
def mp_processing(qgis_app, qgis_processing):
    """Processing with the multiplan provider registered, in an empty project; yields ``processing``.

    The project is cleared because algorithms take the project's CRS as a working-CRS fallback:
    a CRS left behind by an earlier test must not change this test's result.
    """
    from qgis.core import QgsApplication, QgsProject

    QgsProject.instance().clear()

    from multiplan.processing_provider.provider import MultiPlanProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("multiplan") is None:
        _KEEP.append(MultiPlanProvider())  # keep the Python object alive with the registry's copy
        registry.addProvider(_KEEP[-1])
    import processing

    return processing


@pytest.fixture(scope="session")
def demo_dirty(tmp_path_factory):
    """A 2,000-parcel demo district with every kind of dirt, shared read-only by the tests:
    (folder, manifest)."""
    from multiplan.dev.demo_district import ensure_generated

    folder = tmp_path_factory.mktemp("demo_dirty")
    return folder, ensure_generated(folder, parcels=2000, seed=42, dirt=True)


@pytest.fixture(scope="session")
def demo_clean(tmp_path_factory):
    """A clean 2,000-parcel demo district shared read-only by the tests: (folder, manifest)."""
    from multiplan.dev.demo_district import ensure_generated

    folder = tmp_path_factory.mktemp("demo_clean")
    return folder, ensure_generated(folder, parcels=2000, seed=42)
