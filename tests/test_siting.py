"""Project siting check (``algorithms/siting.py``) on hand-built projects whose verdicts are known.

Ground (``mp_testing.report_blueprint``, metres from the origin): A [0,100]² 0701 final construction;
B [100,200]×[0,100] 0103 final non-construction (keeps its overlap with E); C [0,100]×[100,200] pending;
D [100,200]² G13 (flag unknown); E [200,250]×[0,100] water.  Red line [0,50]×[150,200], permanent
farmland [100,200]×[0,50], development boundary [0,120]×[0,200].  Patches P1 [10,60]×[10,50],
P2 [110,130]², P3 [0,100]×[0,2] (a sliver).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from mp_testing import REPORT_X0, REPORT_Y0, report_blueprint, report_box
from multiplan.algorithms.siting import (
    ADJUST,
    COMPLIANT,
    FAIL,
    SitingError,
    SitingRuleError,
    check_siting,
    discs,
    lines_from_store,
    load_siting_rules,
)
from multiplan.algorithms.table import FeatureTable


def obj(values):
    a = np.empty(len(values), dtype=object)
    a[:] = list(values)
    return a


PROJECTS = [
    # id, type, geometry, expected verdict, rules that decide, other rules fired
    ("K01", "产业", report_box(10, 60, 40, 90), COMPLIANT, None, None),
    ("K02", "城市建设", report_box(10, 160, 40, 190), FAIL, "RL", "PD"),
    ("K03", "产业", report_box(150, 10, 190, 40), FAIL, "PF", "NC;UB"),
    ("K04", "城市建设", report_box(60, 60, 90, 140), ADJUST, "PD", None),
    ("K05", "产业", report_box(50, 20, 100.01, 70), COMPLIANT, None, None),
    ("K06", "产业", shapely.Point(REPORT_X0 + 25, REPORT_Y0 + 75), COMPLIANT, None, None),
    ("K07", "生态", report_box(5000, 0, 5100, 100), ADJUST, "OB", None),
    ("K08", "生态", report_box(150, 10, 190, 40), FAIL, "PF", "NC"),
    ("K09", "产业", None, None, None, None),
    ("K10", "交通", report_box(120, 120, 180, 180), COMPLIANT, None, None),
]


def projects_table(crs_wkt, rows=PROJECTS) -> FeatureTable:
    n = len(rows)
    return FeatureTable(
        obj([r[2] for r in rows]),
        np.arange(n),
        {
            "XMBH": obj([r[0] for r in rows]),
            "XMMC": obj([f"项目{r[0]}" for r in rows]),
            "XMLX": obj([r[1] for r in rows]),
            "XMMJ": np.array([400.0 if r[0] == "K06" else np.nan for r in rows]),
        },
        crs_wkt=crs_wkt,
        name="key_projects",
    )


@pytest.fixture(scope="module")
def ground(tmp_path_factory):
    store = report_blueprint(tmp_path_factory.mktemp("siting") / "bp.gpkg")
    lines, stage = lines_from_store(store)
    bp = store.read_layer("blueprint")
    patches = store.patches(with_geometry=True)
    crs = store.crs_wkt
    store.close()
    assert stage == "input" and set(lines) == {"eco_redline", "farmland", "dev_boundary"}
    return bp, lines, patches, crs


def run(ground, projects=None, **kw):
    bp, lines, patches, crs = ground
    kw.setdefault("lines", lines)
    return check_siting(
        projects if projects is not None else projects_table(crs),
        bp,
        patches=patches,
        id_column="XMBH",
        name_column="XMMC",
        type_column="XMLX",
        area_column="XMMJ",
        crs_wkt=crs,
        **kw,
    )


def test_verdicts_and_the_rules_that_decided(ground):
    res = run(ground)
    rows = {r["project_id"]: r for r in res.table.where()}
    for pid, _type, _g, verdict, decided, also in PROJECTS:
        assert rows[pid]["verdict"] == verdict, pid
        assert rows[pid]["decided_by"] == decided, pid
        assert rows[pid]["also_fired"] == also, pid
    assert res.counts == {COMPLIANT: 4, ADJUST: 2, FAIL: 3, "unchecked": 1}
    assert "no geometry" in rows["K09"]["note"]
    assert "entirely outside the blueprint" in rows["K07"]["note"]
    assert any("entirely outside" in m and "K07" in m for m in res.messages)


def test_measured_areas(ground):
    rows = {r["project_id"]: r for r in run(ground).table.where()}
    k03 = rows["K03"]
    assert k03["area"] == pytest.approx(1200) and k03["non_construction"] == pytest.approx(1200)
    assert k03["farmland"] == pytest.approx(1200) and k03["outside_boundary"] == pytest.approx(1200)
    assert k03["construction"] == pytest.approx(0) and k03["redline"] == pytest.approx(0)
    k04 = rows["K04"]
    assert k04["construction"] == pytest.approx(1200) and k04["pending"] == pytest.approx(1200)
    assert k04["outside_boundary"] == pytest.approx(0, abs=1e-9)
    k02 = rows["K02"]
    assert k02["redline"] == pytest.approx(900) and k02["pending"] == pytest.approx(900)
    k05 = rows["K05"]
    assert k05["construction"] == pytest.approx(2500) and k05["non_construction"] == pytest.approx(0.5)
    assert k05["patch_ids"] == "P000001" and k05["n_patches"] == 1
    k10 = rows["K10"]
    assert k10["unknown_flag"] == pytest.approx(3600) and k10["patch_ids"] == "P000002"
    assert k10["outside_boundary"] == pytest.approx(3600)  # 交通 is not an urban type: no UB
    k07 = rows["K07"]
    assert k07["outside_blueprint"] == pytest.approx(10000) and k07["construction"] == 0
    # every footprint is split completely between the blueprint's classes and the outside
    for r in rows.values():
        if r["verdict"] is None:
            continue
        parts = (
            r["construction"]
            + r["non_construction"]
            + r["pending"]
            + r["unknown_flag"]
            + r["outside_blueprint"]
        )
        assert parts == pytest.approx(r["area"], abs=1e-6)


def test_point_projects_are_discs_of_exactly_their_area(ground):
    rows = {r["project_id"]: r for r in run(ground).table.where()}
    assert rows["K06"]["area"] == pytest.approx(400.0, rel=1e-9)  # 1e-12 m of rounding at 500 km eastings
    assert rows["K06"]["construction"] == pytest.approx(400.0, rel=1e-9)
    assert "disc" in rows["K06"]["note"]
    d = discs(obj([shapely.Point(0, 0), shapely.Point(10, 10)]), np.array([1.0, 12345.0]))
    assert shapely.area(d).tolist() == pytest.approx([1.0, 12345.0], rel=1e-12)
    assert shapely.is_valid(d).all()


def test_tolerance_decides_the_borderline_project(ground):
    tight = {r["project_id"]: r for r in run(ground, tolerance=0.1).table.where()}
    # 0.5 m² on B (non-construction), 0.3 m² of it on the farmland: both count above 0.1 m²
    assert tight["K05"]["verdict"] == FAIL and tight["K05"]["decided_by"] == "PF"
    assert tight["K05"]["also_fired"] == "NC" and tight["K05"]["farmland"] == pytest.approx(0.3)
    loose = {r["project_id"]: r for r in run(ground, tolerance=2000).table.where()}
    assert loose["K03"]["verdict"] == COMPLIANT  # 1200 m² everywhere, below 2000 m²
    with pytest.raises(SitingError, match="tolerance"):
        run(ground, tolerance=-1)


def test_without_a_development_boundary_the_rule_is_skipped(ground):
    bp, lines, patches, crs = ground
    res = run(ground, lines={k: v for k, v in lines.items() if k != "dev_boundary"})
    rows = {r["project_id"]: r for r in res.table.where()}
    assert rows["K03"]["also_fired"] == "NC" and rows["K03"]["outside_boundary"] is None
    assert any("UB" in m and "skipped" in m for m in res.messages)


def test_projects_in_another_crs_are_reprojected(ground):
    from multiplan.algorithms.crs import reproject

    bp, lines, patches, crs = ground
    t = projects_table(crs)
    geo = FeatureTable(reproject(t.geoms, crs, "EPSG:4490"), t.fids, t.columns, crs_wkt="EPSG:4490", name="p")
    res = run(ground, projects=geo)
    assert any("reprojected" in m for m in res.messages)
    rows = {r["project_id"]: r for r in res.table.where()}
    for pid, _type, _g, verdict, decided, _also in PROJECTS:
        assert rows[pid]["verdict"] == verdict and rows[pid]["decided_by"] == decided, pid
    assert rows["K03"]["farmland"] == pytest.approx(1200, rel=1e-6)


def test_empty_blueprint_everything_outside(ground):
    bp, lines, patches, crs = ground
    empty = bp.take(np.zeros(len(bp), dtype=bool))
    res = check_siting(
        projects_table(crs),
        empty,
        lines=lines,
        id_column="XMBH",
        type_column="XMLX",
        area_column="XMMJ",
        crs_wkt=crs,
    )
    got = {r["project_id"]: (r["verdict"], r["decided_by"]) for r in res.table.where()}
    assert got["K01"] == (ADJUST, "OB") and got["K02"] == (FAIL, "RL")
    assert any("empty" in m for m in res.messages)


def test_odd_geometries_are_reported_not_dropped(ground):
    bp, lines, patches, crs = ground
    rows = [
        (
            "L1",
            "产业",
            shapely.LineString([(REPORT_X0, REPORT_Y0), (REPORT_X0 + 10, REPORT_Y0 + 10)]),
            None,
            None,
            None,
        ),
        ("P1", "产业", shapely.Point(REPORT_X0 + 5, REPORT_Y0 + 5), None, None, None),
    ]
    t = projects_table(crs, rows)
    res = check_siting(t, bp, lines=lines, id_column="XMBH", crs_wkt=crs)  # no area field for the point
    got = {r["project_id"]: r for r in res.table.where()}
    assert got["L1"]["verdict"] is None and "Linestring" in got["L1"]["note"]
    assert got["P1"]["verdict"] is None and "needs an area" in got["P1"]["note"]
    assert res.counts["unchecked"] == 2
    with pytest.raises(SitingError, match="no field"):
        check_siting(t, bp, id_column="NOPE", crs_wkt=crs)


def test_rule_table_as_data(ground, tmp_path):
    default = load_siting_rules()
    assert [r.rule for r in default] == ["RL", "PF", "NC", "UB", "PD", "OB"]
    assert default[3].types and "产业" in default[3].types
    text = (
        "rule,verdict,measure,threshold,project_types,name_zh,name_en,enabled,source\n"
        "BIG,不符合,non_construction,50%,!生态,过半占用非建设用地,Mostly non-construction,1,test\n"
        "CON,需调整,construction,tolerance,*,占建设用地,On construction land,1,test\n"
        "OFF,不符合,farmland,tolerance,*,x,x,0,test\n"
    )
    rules = load_siting_rules(text=text)
    res = run(ground, rules=rules)
    rows = {r["project_id"]: r for r in res.table.where()}
    assert rows["K03"]["verdict"] == FAIL and rows["K03"]["decided_by"] == "BIG"  # 100 % non-construction
    assert rows["K08"]["verdict"] == COMPLIANT  # 生态 excluded from BIG; OFF is disabled
    assert rows["K01"]["verdict"] == ADJUST and rows["K01"]["decided_by"] == "CON"
    bad = (
        "rule,verdict,measure,threshold,project_types,name_zh,name_en,enabled\n"
        "A,maybe,redline,tolerance,*,a,a,1\n"
        "B,不符合,height,x%,*,b,b,2\n"
        "B,不符合,redline,1,*,b,b,1\n"
    )
    with pytest.raises(SitingRuleError) as err:
        load_siting_rules(text=bad)
    msg = str(err.value)
    assert "line 2" in msg and "line 3" in msg and "line 4" in msg and "already defined" in msg
    p = tmp_path / "r.csv"
    p.write_text("rule,verdict\n", encoding="utf-8")
    with pytest.raises(SitingRuleError, match="missing column"):
        load_siting_rules(p)


# ---------------------------------------------------------------------------------------------- Processing


def write_projects(path, rows, authid="EPSG:4549", *, crs_wkt=None, driver_path=None) -> str:
    from multiplan.algorithms.gpkg import write_layer_file

    g = obj([r[2] for r in rows])
    write_layer_file(
        str(path),
        "projects",
        g,
        [
            ("XMBH", "text", obj([r[0] for r in rows])),
            ("XMMC", "text", obj([f"项目{r[0]}" for r in rows])),
            ("XMLX", "text", obj([r[1] for r in rows])),
            ("XMMJ", "real", np.array([400.0 if r[0] == "K06" else 0.0 for r in rows])),
        ],
        authid=authid,
        crs_wkt=crs_wkt,
    )
    return f"{path}|layername=projects"


@pytest.fixture()
def hand_path(tmp_path):
    path = tmp_path / "bp.gpkg"
    report_blueprint(path).close()
    return str(path)


def read_verdicts(path) -> dict:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    lyr = ds.GetLayer(0)
    out = {
        f.GetField("project_id"): (f.GetField("verdict"), f.GetField("decided_by"), f.GetField("area"))
        for f in lyr
    }
    ds = None
    return out


def test_checksiting_through_processing(mp_processing, hand_path, tmp_path):
    polygons = [r for r in PROJECTS if r[2] is not None and r[2].geom_type == "Polygon"]
    src = write_projects(tmp_path / "p.gpkg", polygons)
    res = mp_processing.run(
        "multiplan:checksiting",
        {
            "PROJECTS": src,
            "ID_FIELD": "XMBH",
            "NAME_FIELD": "XMMC",
            "TYPE_FIELD": "XMLX",
            "BLUEPRINT": hand_path,
            "OUTPUT": str(tmp_path / "siting.gpkg"),
            "XLSX": str(tmp_path / "siting.xlsx"),
        },
    )
    got = read_verdicts(res["OUTPUT"])
    for pid, _t, _g, verdict, decided, _also in polygons:
        assert got[pid][:2] == (verdict, decided), pid
    assert res["N_COMPLIANT"] == 3 and res["N_ADJUST"] == 2 and res["N_NONCOMPLIANT"] == 3
    assert res["N_UNCHECKED"] == 0
    from osgeo import ogr

    ds = ogr.Open(res["XLSX"])
    assert [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())] == ["说明 About", "项目选址核查"]
    ds = None


def test_checksiting_points_with_area_and_other_crs(mp_processing, hand_path, tmp_path):
    from multiplan.algorithms.crs import reproject

    points = [r for r in PROJECTS if r[0] == "K06"]
    src = write_projects(tmp_path / "pt.gpkg", points)
    res = mp_processing.run(
        "multiplan:checksiting",
        {
            "PROJECTS": src,
            "ID_FIELD": "XMBH",
            "AREA_FIELD": "XMMJ",
            "BLUEPRINT": hand_path,
            "OUTPUT": "memory:",
        },
    )
    assert res["N_COMPLIANT"] == 1
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException):
        mp_processing.run(
            "multiplan:checksiting", {"PROJECTS": src, "BLUEPRINT": hand_path, "OUTPUT": "memory:"}
        )
    # the polygon projects written in geographic CGCS2000 come out the same
    polygons = [r for r in PROJECTS if r[2] is not None and r[2].geom_type == "Polygon"]
    geo = [(a, b, reproject(obj([g]), "EPSG:4549", "EPSG:4490")[0], v, d, x) for a, b, g, v, d, x in polygons]
    src = write_projects(tmp_path / "geo.gpkg", geo, authid="EPSG:4490")
    res = mp_processing.run(
        "multiplan:checksiting",
        {
            "PROJECTS": src,
            "ID_FIELD": "XMBH",
            "TYPE_FIELD": "XMLX",
            "BLUEPRINT": hand_path,
            "OUTPUT": str(tmp_path / "geo_out.gpkg"),
        },
    )
    got = read_verdicts(res["OUTPUT"])
    for pid, _t, g, verdict, decided, _also in polygons:
        assert got[pid][:2] == (verdict, decided), pid
        assert got[pid][2] == pytest.approx(g.area, rel=1e-6)


def test_checksiting_needs_the_blueprint_layer(mp_processing, tmp_path):
    from qgis.core import QgsProcessingException

    path = tmp_path / "nobp.gpkg"
    report_blueprint(path, blueprint=False).close()
    src = write_projects(tmp_path / "p.gpkg", PROJECTS[:1])
    with pytest.raises(QgsProcessingException, match="applydecisions"):
        mp_processing.run(
            "multiplan:checksiting", {"PROJECTS": src, "BLUEPRINT": str(path), "OUTPUT": "memory:"}
        )
