"""Bad input for multiplan:harmonisecodes and multiplan:checksiting through real Processing.

The project rule: bad input gets a clear error (a QgsProcessingException whose message says what is
wrong, not a Python traceback) or a reported, counted repair — never a crash, never a silent loss.
"""

from __future__ import annotations

import os

import pytest
from mp_testing import REPORT_X0, REPORT_Y0, RecordingFeedback, gpkg_layer, report_blueprint

X, Y = REPORT_X0, REPORT_Y0


def box(x0, y0, x1, y1) -> str:
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    return "POLYGON((" + ",".join(f"{X + x} {Y + y}" for x, y in ring) + "))"


def make_layer(path, gtype, fields, rows, epsg=4549, driver="GPKG", options=None) -> str:
    """A vector file with ``fields`` [(name, ogr type)] and ``rows`` [(wkt or None, values)]."""
    from osgeo import ogr, osr

    srs = None
    if epsg is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ds = ogr.GetDriverByName(driver).CreateDataSource(str(path))
    lyr = ds.CreateLayer(os.path.splitext(os.path.basename(str(path)))[0], srs, gtype, options=options or [])
    for name, ftype in fields:
        lyr.CreateField(ogr.FieldDefn(name, ftype))
    for wkt, values in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        if wkt:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        for (name, _t), v in zip(fields, values):
            if v is None:
                f.SetFieldNull(name)
            else:
                f.SetField(name, v)
        lyr.CreateFeature(f)
    ds = None
    return str(path)


CODES = ["0101", "0102", "0701", "0703", "1207", "0301"]


def plan_layer(tmp_path, name="plan.gpkg") -> str:
    from osgeo import ogr

    return make_layer(
        tmp_path / name,
        ogr.wkbPolygon,
        [("DM", ogr.OFTString)],
        [(box(i * 10, 0, i * 10 + 10, 10), (c,)) for i, c in enumerate(CODES)],
    )


def harmonise(processing, tmp_path, feedback=None, **params):
    params.setdefault("OUTPUT", str(tmp_path / "harmonised.gpkg"))
    params.setdefault("UNMAPPED", "memory:")
    return processing.run("multiplan:harmonisecodes", params, feedback=feedback)


def assert_clear_error(excinfo, *words):
    text = str(excinfo.value)
    assert "Traceback" not in text, text
    for w in words:
        assert w in text, text


# ---------------------------------------------------------------------------------------------- harmonise


def test_harmonise_code_field_not_in_the_layer_is_a_clear_error(mp_processing, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        harmonise(mp_processing, tmp_path, INPUT=plan_layer(tmp_path), CODE_FIELD="XMDM", STANDARD=4)
    assert_clear_error(err, "XMDM")


def test_harmonise_output_in_a_new_folder_or_with_a_chinese_name(mp_processing, tmp_path):
    """A folder typed in the dialog is made; a Chinese file name works (its table gets an ASCII name);
    a folder that cannot be made is a clear error."""
    from qgis.core import QgsProcessingException

    for out in (tmp_path / "no" / "such" / "folder" / "harmonised.gpkg", tmp_path / "统一分类.gpkg"):
        res = harmonise(
            mp_processing, tmp_path, INPUT=plan_layer(tmp_path), CODE_FIELD="DM", STANDARD=4, OUTPUT=str(out)
        )
        assert out.exists() and gpkg_layer(res["OUTPUT"]).featureCount() > 0
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    out = blocker / "harmonised.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        harmonise(
            mp_processing, tmp_path, INPUT=plan_layer(tmp_path), CODE_FIELD="DM", STANDARD=4, OUTPUT=str(out)
        )
    assert_clear_error(err, str(blocker), "cannot be created")


def test_harmonise_geometry_repaired_to_nothing_is_reported(mp_processing, tmp_path):
    from osgeo import ogr

    # fid 1: a polygon of zero area (all points on a line) — make_valid leaves nothing of it
    src = make_layer(
        tmp_path / "degenerate.gpkg",
        ogr.wkbPolygon,
        [("DM", ogr.OFTString)],
        [
            (f"POLYGON(({X} {Y},{X + 10} {Y},{X + 20} {Y},{X} {Y}))", ("0101",)),
            (box(0, 0, 10, 10), ("0102",)),
        ],
    )
    fb = RecordingFeedback()
    res = harmonise(mp_processing, tmp_path, feedback=fb, INPUT=src, CODE_FIELD="DM", STANDARD=4)
    ds = ogr.Open(res["OUTPUT"])
    assert ds.GetLayer(0).GetFeatureCount() == 2  # kept, not dropped
    ds = None
    lost = [m for m in fb.messages if "nothing" in m and "1" in m]
    assert lost, fb.text()


# ---------------------------------------------------------------------------------------------- siting


@pytest.fixture()
def blueprint_path(tmp_path):
    path = tmp_path / "bp.gpkg"
    report_blueprint(path).close()
    return str(path)


def projects_layer(tmp_path, name="projects.gpkg", epsg=4549) -> str:
    from osgeo import ogr

    return make_layer(
        tmp_path / name,
        ogr.wkbPolygon,
        [("XMBH", ogr.OFTString)],
        [(box(10, 60, 40, 90), ("K01",)), (box(150, 10, 190, 40), ("K02",))],
        epsg=epsg,
    )


def siting(processing, blueprint, feedback=None, **params):
    params.setdefault("BLUEPRINT", blueprint)
    params.setdefault("OUTPUT", "memory:")
    return processing.run("multiplan:checksiting", params, feedback=feedback)


def test_siting_outputs_in_a_new_folder_with_a_chinese_name(mp_processing, tmp_path, blueprint_path):
    out = tmp_path / "no" / "such" / "选址核查.gpkg"
    xlsx = tmp_path / "new" / "选址核查.xlsx"
    res = siting(
        mp_processing, blueprint_path, PROJECTS=projects_layer(tmp_path), OUTPUT=str(out), XLSX=str(xlsx)
    )
    assert out.exists() and xlsx.exists()
    assert gpkg_layer(res["OUTPUT"]).featureCount() == 2


def test_siting_workbook_in_a_folder_that_cannot_be_made_is_a_clear_error(
    mp_processing, tmp_path, blueprint_path
):
    from qgis.core import QgsProcessingException

    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(QgsProcessingException) as err:
        siting(mp_processing, blueprint_path, PROJECTS=projects_layer(tmp_path), XLSX=str(blocker / "s.xlsx"))
    assert_clear_error(err, str(blocker), "cannot be created")


def test_siting_projects_without_crs_is_a_clear_error(mp_processing, tmp_path, blueprint_path):
    from qgis.core import QgsProcessingException

    src = projects_layer(tmp_path, "nocrs.gpkg", epsg=None)
    with pytest.raises(QgsProcessingException) as err:
        siting(mp_processing, blueprint_path, PROJECTS=src)
    assert_clear_error(err, "coordinate reference system")
    # a control-line layer without a CRS, too
    with pytest.raises(QgsProcessingException) as err:
        siting(mp_processing, blueprint_path, PROJECTS=projects_layer(tmp_path), REDLINE=src)
    assert_clear_error(err, "coordinate reference system")


def test_siting_area_field_with_text_is_reported_per_project(mp_processing, tmp_path, blueprint_path):
    from osgeo import ogr

    src = make_layer(
        tmp_path / "points.gpkg",
        ogr.wkbPoint,
        [("XMBH", ogr.OFTString), ("XMMJ", ogr.OFTString)],
        [
            (f"POINT({X + 25} {Y + 75})", ("P1", "400")),
            (f"POINT({X + 25} {Y + 75})", ("P2", "约四百")),
        ],
    )
    fb = RecordingFeedback()
    res = siting(mp_processing, blueprint_path, fb, PROJECTS=src, ID_FIELD="XMBH", AREA_FIELD="XMMJ")
    assert res["N_COMPLIANT"] == 1 and res["N_UNCHECKED"] == 1
    assert any("P2" in m for m in fb.messages), fb.text()


def test_siting_polygon_repaired_to_nothing_is_not_compliant(mp_processing, tmp_path, blueprint_path):
    from osgeo import ogr

    # D01: a "polygon" whose points lie on one line — nothing is left of it after repair
    src = make_layer(
        tmp_path / "degenerate.gpkg",
        ogr.wkbPolygon,
        [("XMBH", ogr.OFTString)],
        [
            (
                f"POLYGON(({X + 10} {Y + 160},{X + 20} {Y + 170},{X + 30} {Y + 180},{X + 10} {Y + 160}))",
                ("D01",),
            ),
            (box(10, 60, 40, 90), ("K01",)),
        ],
    )
    fb = RecordingFeedback()
    res = siting(mp_processing, blueprint_path, fb, PROJECTS=src, ID_FIELD="XMBH")
    assert res["N_COMPLIANT"] == 1 and res["N_UNCHECKED"] == 1
    assert any("D01" in m for m in fb.messages), fb.text()


def test_harmonise_gbk_shapefile_without_cpg_is_read_as_gbk_and_said(mp_processing, tmp_path):
    from osgeo import ogr

    names = ["水田", "旱地", "城镇住宅用地", "乔木林地"]
    shp = make_layer(
        tmp_path / "gbk.shp",
        ogr.wkbPolygon,
        [("DLMC", ogr.OFTString)],
        [(box(i * 10, 0, i * 10 + 10, 10), (n,)) for i, n in enumerate(names)],
        driver="ESRI Shapefile",
        options=["ENCODING=GBK"],
    )
    os.remove(str(tmp_path / "gbk.cpg"))  # as many plans arrive: GBK text, nothing says so
    fb = RecordingFeedback()
    res = harmonise(mp_processing, tmp_path, feedback=fb, INPUT=shp, NAME_FIELD="DLMC", STANDARD=4)
    assert res["UNMAPPED_FEATURES"] == 0, fb.text()
    # How GDAL decodes it depends on what QGIS set before in the process; read as GBK, it is said so
    assert not any("\ufffd" in m for m in fb.messages), fb.text()
    ds = ogr.Open(res["OUTPUT"])
    assert sorted(f.GetField("DLMC") for f in ds.GetLayer(0)) == sorted(names)
    ds = None
