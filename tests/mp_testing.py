"""Test helpers importable from any test module (``from mp_testing import ...``)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
REALDATA = DATA / "realdata"
N2K_SHP = REALDATA / "eea-n2k-cz-lclu" / "n2k_du001z_lclu_v99_20190108.shp"
NUMAZU_GPKG = REALDATA / "plateau-numazu-urf" / "derived_523857_urf_EPSG6676.gpkg"
MAES_CSV = DATA / "crosswalks" / "maes_n2k.csv"


def gpkg_layer(path, layer=None):
    """A QgsVectorLayer on a GeoPackage/shapefile layer, asserted valid."""
    from qgis.core import QgsVectorLayer

    uri = str(path) + (f"|layername={layer}" if layer else "")
    lyr = QgsVectorLayer(uri, layer or "layer", "ogr")
    assert lyr.isValid(), uri
    return lyr


# -- review dock (issue 5) ---------------------------------------------------------------------

STORE_WRITER = Path(__file__).resolve().parent / "store_writer.py"


def review_blueprint(path, n: int = 120, **kwargs):
    """A synthetic review blueprint (``dev/review_blueprint.py``): every kind incl. ``LINE_*``, 2–4 plans
    per patch, control lines, line adjustments, plan copies and a history (opinions, decisions, a
    conflict, closed and replaced patches, re-confirm flags).  Returns the open store."""
    from multiplan.dev.review_blueprint import build

    return build(str(path), n, **kwargs)


def subprocess_env() -> dict:
    """Environment for a child Python that imports ``multiplan`` (lock holders, other reviewers)."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / ".build" / "py")
    return env
