"""The dependency check names the problem and the exact fix."""

from __future__ import annotations

import platform

import shapely
from multiplan.algorithms import dependencies


def test_everything_present_here():
    assert dependencies.missing_dependencies(host_geos=tuple(shapely.geos_version[:2])) is None


def test_mismatched_geos_on_linux_gives_the_build_command():
    if platform.system() != "Linux":
        return
    other = (shapely.geos_version[0], shapely.geos_version[1] + 1)
    msg = dependencies.missing_dependencies(host_geos=other)
    assert msg is not None
    assert "--no-binary shapely" in msg and "libgeos-dev" in msg
    assert '"numpy==' in msg  # numpy is pinned, never upgraded


def test_qgis_and_shapely_share_one_geos():
    """Inside this very process QGIS is loaded too: the check the plugin runs must pass."""
    from multiplan.processing_provider.base import dependency_problem

    assert dependency_problem() is None
