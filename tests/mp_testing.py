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
