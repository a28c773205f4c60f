"""Bulk reading (GDAL Arrow) and the per-feature fallback give the same table."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from mp_testing import N2K_SHP, NUMAZU_GPKG
from multiplan.algorithms.vector_io import VectorReadError, read_table
from osgeo import ogr, osr


@pytest.mark.parametrize("path,layer", [(N2K_SHP, None), (NUMAZU_GPKG, "UseDistrict")])
def test_arrow_and_loop_agree(path, layer):
    a = read_table(str(path), layer)
    b = read_table(str(path), layer, force_loop=True)
    assert len(a) == len(b) > 0
    assert (a.fids == b.fids).all()
    assert set(a.columns) == set(b.columns)
    for name in a.columns:
        assert a.columns[name].tolist() == b.columns[name].tolist(), name
    assert shapely.equals(a.geoms, b.geoms).all()
    assert a.field_types == b.field_types


def test_codes_stay_text_and_integers_stay_integers():
    t = read_table(str(N2K_SHP), columns=["MAES_4_12", "GRASSTYPE"])
    assert list(t.columns) == ["MAES_4_12", "GRASSTYPE"]
    assert t.field_types == {"MAES_4_12": "int", "GRASSTYPE": "text"}
    assert t.columns["MAES_4_12"].dtype == np.int64
    assert all(v is None or isinstance(v, str) for v in t.columns["GRASSTYPE"].tolist())
    assert any(isinstance(v, str) for v in t.columns["GRASSTYPE"].tolist())
    with pytest.raises(VectorReadError, match="NOPE"):
        read_table(str(N2K_SHP), columns=["NOPE"])
    with pytest.raises(VectorReadError):
        read_table("/nonexistent/file.gpkg")


def test_z_is_dropped_and_counted(tmp_path):
    path = str(tmp_path / "z.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4548)
    lyr = ds.CreateLayer("z", srs, ogr.wkbPolygon25D)
    lyr.CreateField(ogr.FieldDefn("code", ogr.OFTString))
    for i, wkt in enumerate(
        ["POLYGON Z ((0 0 1, 1 0 1, 1 1 1, 0 0 1))", "POLYGON Z ((2 0 5, 3 0 5, 3 1 5, 2 0 5))"]
    ):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("code", f"0{i}")
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    t = read_table(path)
    assert t.notes["z_dropped"] == 2
    assert not shapely.has_z(t.geoms).any()
    assert t.columns["code"].tolist() == ["00", "01"]


def test_gbk_shapefile_decodes_with_the_encoding(demo_dirty):
    folder, m = demo_dirty
    info = m["layers"]["development_plan"]
    path = str(folder / "development_plan.shp")
    good = read_table(path, encoding="GBK")
    names = good.columns[info["name_field"]].tolist()
    assert any("开发" in (n or "") for n in names)
    raw = read_table(path)  # no .cpg, no code page byte: GDAL does not know it is GBK
    assert not any("开发" in (n or "") for n in raw.columns[info["name_field"]].tolist())


def test_gbk_with_cpg_decodes_inside_qgis_too(qgis_app, demo_dirty):
    """QGIS sets SHAPE_ENCODING="" once it has opened a shapefile; our reader must still honour the .cpg."""
    from osgeo import gdal
    from qgis.core import QgsVectorLayer

    folder, m = demo_dirty
    path = str(folder / "eco_plan.shp")
    assert QgsVectorLayer(path, "eco", "ogr").isValid()
    assert gdal.GetConfigOption("SHAPE_ENCODING") == ""
    names = read_table(path).columns[m["layers"]["eco_plan"]["name_field"]].tolist()
    assert any("管控区" in (n or "") for n in names)
    assert gdal.GetConfigOption("SHAPE_ENCODING") == ""  # put back for QGIS
