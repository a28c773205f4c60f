"""The Processing glue's shared helpers (``processing_provider/params.py``, ``sources.py``): they declare
exactly what the algorithms declared one by one, and the algorithms use them."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture()
def params(qgis_app):
    from multiplan.processing_provider import params

    return params


def _advanced(p) -> bool:
    from multiplan import compat

    return bool(p.flags() & compat.FLAG_ADVANCED)


def _optional(p) -> bool:
    from multiplan import compat

    return bool(p.flags() & compat.FLAG_OPTIONAL)


def test_blueprint_parameter_to_read_and_to_write(params):
    read = params.blueprint_parameter("BLUEPRINT")
    assert (read.name(), read.description()) == ("BLUEPRINT", "Blueprint GeoPackage")
    assert read.extension() == "gpkg"
    assert not _optional(read) and not _advanced(read)
    write = params.blueprint_parameter("BP", write=True)
    assert write.name() == "BP" and write.extension() == "gpkg"
    assert write.description() == (
        "Blueprint GeoPackage to write into (created when missing; empty: outputs only)"
    )
    assert _optional(write) and not _advanced(write)


def test_street_parameters(params):
    streets, field = params.street_parameters("STREETS", "STREET_FIELD")
    assert (streets.name(), streets.description()) == ("STREETS", "Streets (街道/镇)")
    assert (field.name(), field.description()) == ("STREET_FIELD", "Street name field")
    assert field.parentLayerParameterName() == "STREETS"
    assert _optional(streets) and _optional(field) and not _advanced(streets) and not _advanced(field)
    own, _field = params.street_parameters("S", "F", "Streets, my title")
    assert own.description() == "Streets, my title" and _field.parentLayerParameterName() == "S"


def test_advanced_parameters(params):
    name = params.project_name_parameter("PROJECT_NAME")
    assert name.defaultValue() == params.DEFAULT_PROJECT_NAME == "多规合一"
    assert _advanced(name) and _optional(name)
    crs = params.working_crs_parameter("WORKING_CRS", "Working CRS (…)")
    assert crs.description() == "Working CRS (…)" and _advanced(crs) and _optional(crs)
    # flagging twice changes nothing (detection flags its advanced list in one loop)
    assert params.flag_advanced(name).flags() == name.flags()


def test_outputs(params):
    class Alg:
        def __init__(self):
            self.outputs = []

        def addOutput(self, o):  # noqa: N802
            self.outputs.append(o)

    alg = Alg()
    params.add_number_outputs(alg, (("A", "Overlaps"), ("B", "Atlas pages")))
    alg.addOutput(params.run_id_output("RUN_ID"))
    alg.addOutput(params.working_crs_output("WORKING_CRS_USED"))
    assert [(o.name(), o.description(), o.type()) for o in alg.outputs] == [
        ("A", "Overlaps", "outputNumber"),
        ("B", "Atlas pages", "outputNumber"),
        ("RUN_ID", "Blueprint run id", "outputString"),
        ("WORKING_CRS_USED", "Working CRS", "outputString"),
    ]


def test_plain_parameters_records_sources(params, tmp_path):
    from qgis.core import QgsProcessingFeatureSourceDefinition, QgsVectorLayer

    layer = QgsVectorLayer("Polygon?crs=EPSG:4549", "plan", "memory")
    plain = params.plain_parameters(
        {
            "A": "x",
            "B": 2,
            "C": None,
            "D": [layer, "/b.gpkg"],
            "E": QgsProcessingFeatureSourceDefinition("/data/streets.gpkg", True),
            "F": layer,
        }
    )
    assert plain == {
        "A": "x",
        "B": 2,
        "C": None,
        "D": [layer.source(), "/b.gpkg"],
        "E": "/data/streets.gpkg",
        "F": layer.source(),
    }
    assert layer.source().startswith("Polygon")


def test_progress_and_timings(params):
    class Feedback:
        def __init__(self):
            self.calls = []

        def setProgress(self, v):  # noqa: N802
            self.calls.append(("progress", v))

        def setProgressText(self, t):  # noqa: N802
            self.calls.append(("text", t))

        def pushInfo(self, t):  # noqa: N802
            self.calls.append(("info", t))

    fb = Feedback()
    params.progress_to(fb)(0.25, "half way there")
    params.push_timings(fb, [("read", 0.5), ("detect", 1.25), ("read", 0.125)])
    assert fb.calls == [
        ("progress", 25.0),
        ("text", "half way there"),
        ("info", "Timings: read 0.50 s, detect 1.25 s, read 0.12 s"),
    ]


def test_open_blueprint_refusal_is_a_processing_error(params, tmp_path):
    from qgis.core import QgsProcessingException

    bad = tmp_path / "not_a_blueprint.gpkg"
    bad.write_bytes(b"not a GeoPackage")
    with pytest.raises(QgsProcessingException):
        params.open_blueprint(str(bad), readonly=True)


def test_multi_polygons_copies_and_keeps_none(qgis_app):
    import shapely
    from multiplan.processing_provider.sources import multi_polygons

    square = shapely.box(0, 0, 1, 1)
    two = shapely.multipolygons([shapely.box(2, 2, 3, 3), shapely.box(4, 4, 5, 5)])
    geoms = np.array([square, None, two], dtype=object)
    out = multi_polygons(geoms)
    assert shapely.get_type_id(out).tolist() == [6, -1, 6]
    assert out[0].equals(square) and out[2] is two
    assert geoms[0] is square  # the input is not changed


def test_rows_table_and_fields(qgis_app):
    from multiplan import compat
    from multiplan.processing_provider.sources import rows_table, table_fields

    t = rows_table([{"kind": "A", "count": 3}, {"kind": "B"}], (("kind", "text"), ("count", "int")), "stats")
    assert len(t) == 2 and t.column("count").tolist() == [3, None]
    t.columns["share"] = np.array([0.5, 0.25])  # no declared type: the kind of its values
    fields = table_fields(t)
    assert [(f.name(), f.type()) for f in fields] == [
        ("kind", compat.field_type("String")),
        ("count", compat.field_type("LongLong")),
        ("share", compat.field_type("Double")),
    ]


def test_layer_to_table_reads_a_gbk_shapefile_with_the_layers_encoding(qgis_app, tmp_path):
    """A shapefile without .cpg or code-page byte is read with the encoding set on the QGIS layer (the
    multi-layer inputs of detection and reconciliation go through this helper)."""
    from multiplan.algorithms.vector_io import gdal_decides_shapefile_encoding
    from multiplan.processing_provider.sources import layer_to_table
    from osgeo import ogr, osr
    from qgis.core import QgsVectorLayer

    path = str(tmp_path / "plan_gbk.shp")
    with gdal_decides_shapefile_encoding():  # QGIS may have set SHAPE_ENCODING="" process-wide
        ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(4549)
        lyr = ds.CreateLayer("plan_gbk", srs, ogr.wkbPolygon, ["ENCODING=GBK"])
        lyr.CreateField(ogr.FieldDefn("YDMC", ogr.OFTString))
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("YDMC", "二类居住用地")
        f.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))"))
        lyr.CreateFeature(f)
        ds = None
    # as some departments deliver it: no .cpg and no code-page byte (LDID 0) in the DBF
    (tmp_path / "plan_gbk.cpg").unlink(missing_ok=True)
    with open(tmp_path / "plan_gbk.dbf", "r+b") as fh:
        fh.seek(29)
        fh.write(b"\x00")
    assert "二类居住用地".encode("gbk") in (tmp_path / "plan_gbk.dbf").read_bytes()
    assert not (tmp_path / "plan_gbk.cpg").exists()
    layer = QgsVectorLayer(path, "plan_gbk", "ogr")
    layer.setProviderEncoding("GBK")
    table = layer_to_table(layer, None)
    assert list(table.column("YDMC")) == ["二类居住用地"]
    assert len(table) == 1 and table.name == "plan_gbk"


def test_output_layer_names_and_new_folders(qgis_app, tmp_path):
    from multiplan.processing_provider.sources import ensure_folder, layer_name
    from qgis.core import QgsProcessingException

    assert layer_name(str(tmp_path / "patches.gpkg"), "PATCHES") == "patches"
    assert layer_name("2024-plan.gpkg", "OUTPUT") == "t_2024_plan"
    assert layer_name("差异图斑v2.gpkg", "OUTPUT") == "v2"
    assert layer_name("选址核查.gpkg", "OUTPUT") == "output"
    new = tmp_path / "a" / "b" / "x.gpkg"
    ensure_folder("Patches", str(new))
    assert new.parent.is_dir()
    ensure_folder("Patches", "memory:")  # provider URIs are QGIS's business
    ensure_folder("Patches", "ogr:dbname='x.gpkg' table=\"t\"")
    (tmp_path / "f").write_text("x")
    with pytest.raises(QgsProcessingException, match="Patches: the folder .* cannot be created"):
        ensure_folder("Patches", str(tmp_path / "f" / "x.gpkg"))
