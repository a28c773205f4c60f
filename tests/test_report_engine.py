"""The report engine (``algorithms/report.py``) on blueprints whose figures are known by hand.

The hand-built blueprint (``mp_testing.report_blueprint``) is five squares of 100 m with one overlap
(B keeps 5000 m² that E also claims), so every figure below is arithmetic a reader can redo.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from mp_testing import report_blueprint, report_box
from multiplan.algorithms.report import (
    BALANCE_PARTS,
    DISTRICT,
    ReportError,
    balance_sum,
    build_report,
    construction_flags,
    prepare_current_landuse,
    select_atlas_patches,
    union_areas,
)
from multiplan.algorithms.store import BlueprintStore
from multiplan.algorithms.table import FeatureTable


def obj(values):
    a = np.empty(len(values), dtype=object)
    a[:] = list(values)
    return a


def balance(t) -> dict:
    """code (or row type) -> area of a balance table."""
    return {(r["code"] or r["row_type"]): r["area"] for r in t.where() if r["row_type"] in BALANCE_PARTS}


def current_landuse(crs_wkt, *, harmonised: bool = False) -> FeatureTable:
    """三调: F1 0101 水田 [0,50]×[0,200] (non-construction), F2 0702 农村宅基地 [50,200]×[0,200]."""
    g = obj([report_box(0, 0, 50, 200), report_box(50, 0, 200, 200)])
    cols = {"DLBM": obj(["0101", "0702"]), "DLMC": obj(["水田", "农村宅基地"])}
    if harmonised:
        cols.update({"mp_code": obj(["0101", "0703"]), "mp_construction": np.array([0, 1])})
    return FeatureTable(g, np.arange(2), cols, crs_wkt=crs_wkt, name="三调")


@pytest.fixture()
def hand(tmp_path):
    store = report_blueprint(tmp_path / "hand.gpkg")
    yield store
    store.close()


def test_ledger_rows_and_areas_sum_to_the_patches(hand):
    r = build_report(hand)
    ledger = r.table("ledger")
    patches = hand.patches(with_geometry=True)
    assert len(ledger) == len(patches) == 3
    assert sum(ledger.column("area_planar")) == pytest.approx(
        float(shapely.area(patches.geoms).sum()), abs=1e-9
    )
    assert sum(ledger.column("area_planar")) == pytest.approx(2000 + 400 + 200)
    p1 = ledger.where(patch_id="P000001")[0]
    assert p1["urban_source"] == "[GB50137-2011] R2 二类居住用地" and p1["land_unified"] == "01 耕地"
    assert p1["decision"] == "adopt plan urban" and p1["decided"] and p1["n_opinions"] == 2
    assert p1["opinions_disagree"] is True and p1["kind_name"] == "城规建设、土规非建设"
    assert ledger.where(patch_id="P000002")[0]["status"] == "deferred"
    assert ledger.where(patch_id="P000003")[0]["land_source"] is None  # only the urban plan is involved


def test_kind_street_counts_areas_and_shares(hand):
    ks = build_report(hand).table("kind_street")
    lg = {r["unit"]: r for r in ks.where(kind="LG_URBAN_CON")}
    assert lg[DISTRICT]["count"] == 2 and lg[DISTRICT]["area"] == pytest.approx(2400)
    assert lg["街道甲"]["area"] == pytest.approx(2000) and lg["街道甲"]["share_kind"] == pytest.approx(
        2000 / 2400
    )
    # street ground from the blueprint under the union rule: 街道甲 = A + B + E without the overlap
    assert lg["街道甲"]["share_street"] == pytest.approx(2000 / 25000)
    assert lg["街道乙"]["share_street"] == pytest.approx(400 / 20000)
    assert lg[DISTRICT]["share_street"] == pytest.approx(2400 / 45000)
    pf = ks.where(kind="PF_URBAN", unit=DISTRICT)[0]
    assert pf["slivers"] == 1 and pf["sliver_area"] == pytest.approx(200) and pf["count_non_sliver"] == 0
    total = ks.where(kind="合计")[0]
    assert total["count"] == 3 and total["area"] == pytest.approx(2600)
    # street rows add up to the district row of each kind
    for kind in ("LG_URBAN_CON", "PF_URBAN"):
        rows = ks.where(kind=kind)
        assert sum(r["area"] for r in rows if r["unit"] != DISTRICT) == pytest.approx(
            next(r["area"] for r in rows if r["unit"] == DISTRICT)
        )


def test_blueprint_balance_sums_to_the_union_with_pending_and_groups(hand):
    r = build_report(hand)
    t = r.table("balance_blueprint")
    b = balance(t)
    assert b == pytest.approx(
        {"01": 10000, "07": 10000, "17": 5000, "G13": 10000, "pending": 10000}
        | {k: 0.0 for k in b if k not in ("01", "07", "17", "G13", "pending")}
    )
    union = shapely.union_all(hand.read_layer("blueprint").geoms).area
    assert union == pytest.approx(45000)
    assert balance_sum(t) == pytest.approx(union, abs=1e-6)
    total = t.where(row_type="total")[0]
    assert total["area"] == pytest.approx(union) and total["share"] == 1.0
    assert t.where(row_type="overlap")[0]["area"] == pytest.approx(5000)
    sub = {r["construction"]: r["area"] for r in t.where(row_type="subtotal")}
    assert sub == pytest.approx({1: 10000, 0: 15000, None: 10000})
    # the subtotals and the pending row make up the total
    assert sum(sub.values()) + b["pending"] == pytest.approx(45000)
    assert t.extras["overlap_pairs"] == 1


def test_plan_balance_tables_union_rule_and_zone_plans_left_out(hand):
    r = build_report(hand, population=100)
    assert {k for k in r.tables if k.startswith("balance_")} == {
        "balance_urban",
        "balance_land",
        "balance_blueprint",
    }
    urban = r.table("balance_urban")
    assert balance(urban)["07"] == pytest.approx(10000)  # u1 keeps the overlap (lowest id)
    assert balance(urban)["09"] == pytest.approx(5000)
    assert balance_sum(urban) == pytest.approx(15000)
    assert urban.where(row_type="overlap")[0]["area"] == pytest.approx(5000)
    assert urban.where(row_type="total")[0]["per_capita"] == pytest.approx(150.0)
    assert urban.where(code="07")[0]["per_capita"] == pytest.approx(100.0)
    assert balance_sum(r.table("balance_land")) == pytest.approx(20000)


def test_union_areas_lowest_id_keeps_triple_overlaps_once():
    g = obj([shapely.box(0, 0, 10, 10), shapely.box(5, 0, 15, 10), shapely.box(8, 0, 20, 10), None])
    ua = union_areas(g, np.array([3, 1, 2, 9]), "t", None)
    # fid 1 keeps its 100, fid 2 (box 8..20) loses 8..15 → 50, fid 3 (0..10) loses 5..10 → 50
    assert ua.area.tolist() == pytest.approx([50.0, 100.0, 50.0, 0.0])
    assert ua.total == pytest.approx(shapely.union_all(g[:3]).area) and ua.null == 1
    # removed: 320 m² of features − 200 m² of union (8..10 was claimed three times, so removed twice)
    assert ua.overlap_area == pytest.approx(120.0) and ua.overlap_pairs == 3


def test_quota_arithmetic_and_the_flag_is_printed(hand):
    r = build_report(hand, quota_m2=8000)
    q = r.table("quota").where(unit=DISTRICT)[0]
    assert q["construction"] == pytest.approx(10000) and q["quota"] == 8000
    assert (
        q["remaining"] == pytest.approx(-2000) and q["usage"] == pytest.approx(1.25) and q["exceeded"] is True
    )
    assert q["pending"] == pytest.approx(10000) and q["unknown"] == pytest.approx(10000)
    assert "plan_construction" in r.summary["quota_message"] and "exceeds" in r.summary["quota_message"]
    streets = {x["unit"]: x["construction"] for x in r.table("quota").where() if x["unit"] != DISTRICT}
    assert streets == pytest.approx({"街道甲": 10000, "街道乙": 0})
    ok = build_report(hand, quota_m2=25000).summary
    assert (
        ok["remaining"] == pytest.approx(15000)
        and ok["usage"] == pytest.approx(0.4)
        and ok["exceeded"] is False
    )


def test_quota_by_other_flags(hand):
    # the source plan's own flag: A and D (G13 drawn from a plan that called it construction)
    own = build_report(hand, quota_m2=15000, flag="mp_construction").summary
    assert own["construction"] == pytest.approx(20000) and own["exceeded"] is True
    assert "mp_construction" in own["quota_message"]
    legal = build_report(
        hand, flag="sandalei"
    ).summary  # 三大类 from the unified class: only 0701 is 建设用地
    assert legal["construction"] == pytest.approx(10000) and legal["quota"] is None
    assert "No quota given" in legal["quota_message"]
    bp = hand.read_layer("blueprint")
    assert construction_flags(bp, "sandalei").tolist() == [1, 0, 1, -1, 0]
    assert construction_flags(bp, "plan_construction").tolist() == [1, 0, 1, -1, 0]
    with pytest.raises(ReportError, match="Unknown construction flag"):
        build_report(hand, flag="legal")


def test_quota_of_zero_is_a_clear_message(hand):
    r = build_report(hand, quota_m2=0.0)
    assert r.summary["exceeded"] is True and r.summary["usage"] is None
    assert r.summary["remaining"] == pytest.approx(-10000)
    assert "quota is zero" in r.summary["quota_message"]
    with pytest.raises(ReportError, match="negative"):
        build_report(hand, quota_m2=-1)


def test_new_construction_against_current_land_use_per_street_and_class(hand):
    r = build_report(hand, current_landuse=current_landuse(hand.crs_wkt, harmonised=True))
    nc = r.table("new_construction")
    # only A is final construction; F1 (水田) covers its west half
    assert r.summary["new_construction"] == pytest.approx(5000)
    assert nc.where(unit="街道甲", current_class=None)[0]["area"] == pytest.approx(5000)
    assert nc.where(unit="街道甲", current_class="01")[0]["current_name"] == "耕地"
    assert not nc.where(unit="街道乙")
    # with the source plan's flag D (G13) counts as construction too, but it lies on F2 (construction)
    assert build_report(
        hand, current_landuse=current_landuse(hand.crs_wkt, harmonised=True), flag="mp_construction"
    ).summary["new_construction"] == pytest.approx(5000)
    assert balance_sum(r.table("balance_current")) == pytest.approx(40000)


def test_current_land_use_harmonised_on_the_fly_and_reprojected(hand):
    from multiplan.algorithms.crs import reproject

    raw = current_landuse(hand.crs_wkt)
    messages: list[str] = []
    h = prepare_current_landuse(raw, messages=messages)
    assert h.column("mp_construction").tolist() == [0, 1] and "GBT21010-2017" in messages[0]
    geo = FeatureTable(
        reproject(raw.geoms, hand.crs_wkt, "EPSG:4490"),
        raw.fids,
        raw.columns,
        crs_wkt="EPSG:4490",
        name="三调",
    )
    r = build_report(hand, current_landuse=geo)
    assert r.summary["new_construction"] == pytest.approx(5000, rel=1e-6)
    assert any("reprojected" in m for m in r.messages)
    no_code = FeatureTable(raw.geoms, raw.fids, {"X": obj(["a", "b"])}, crs_wkt=hand.crs_wkt)
    with pytest.raises(ReportError, match="not harmonised"):
        build_report(hand, current_landuse=no_code)


def test_review_progress_by_kind_and_department(hand):
    r = build_report(hand)
    pk = {x["kind"]: x for x in r.table("progress_kind").where()}
    assert pk["LG_URBAN_CON"]["patches"] == 2 and pk["LG_URBAN_CON"]["decided"] == 1
    assert pk["LG_URBAN_CON"]["status_deferred"] == 1 and pk["LG_URBAN_CON"]["area_decided"] == pytest.approx(
        2000
    )
    assert pk["合计"]["share_decided"] == pytest.approx(1 / 3) and pk["合计"]["status_undecided"] == 1
    dep = {x["department"]: x for x in r.table("progress_department").where()}
    assert (
        dep["规划分局"]["opinions"] == 1
        and dep["规划分局"]["agree"] == 1
        and dep["规划分局"]["disagree"] == 0
    )
    assert dep["国土分局"]["disagree"] == 1
    assert dep["领导小组办公室"]["final"] == 2 and dep["领导小组办公室"]["patches"] == 2
    assert dep["领导小组办公室"]["area"] == pytest.approx(2400)
    dk = r.table("progress_department_kind").where(department="规划分局")
    assert [(x["kind"], x["patches"]) for x in dk] == [("LG_URBAN_CON", 1)]


def test_control_line_figures_from_the_stored_lines(hand):
    lines = {(x["stage"], x["line_type"]): x for x in build_report(hand).table("lines").where()}
    assert lines[("input", "eco_redline")]["area"] == pytest.approx(2500)
    assert lines[("input", "farmland")]["area"] == pytest.approx(5000)
    assert lines[("input", "dev_boundary")]["unit"] == DISTRICT


def test_no_decisions_yet(tmp_path):
    store = report_blueprint(tmp_path / "b.gpkg", decisions=False)
    r = build_report(store)
    assert r.summary["decided"] == 0 and len(r.table("progress_department")) == 0
    assert any("No decisions yet" in m for m in r.messages)
    assert r.table("ledger").column("status") == ["undecided"] * 3
    store.close()


def test_empty_blueprint_gives_a_sensible_report(tmp_path):
    store = BlueprintStore.create(str(tmp_path / "empty.gpkg"), project_name="空", crs_authid="EPSG:4549")
    r = build_report(store, quota_m2=1000)
    assert len(r.table("ledger")) == 0 and r.summary["patches"] == 0
    assert r.table("kind_street").where(kind="合计")[0]["count"] == 0
    assert "quota" not in r.tables  # no blueprint layer to count
    assert any("no difference patches" in m for m in r.messages)
    assert any("applydecisions" in m for m in r.messages)
    store.close()


def test_blueprint_without_layer_but_with_patches(tmp_path):
    store = report_blueprint(tmp_path / "b.gpkg", blueprint=False)
    r = build_report(store, current_landuse=current_landuse(store.crs_wkt, harmonised=True))
    assert "balance_blueprint" not in r.tables and "new_construction" not in r.tables
    assert "balance_current" in r.tables and len(r.table("ledger")) == 3
    store.close()


def test_atlas_selection_default_filter_and_cap(hand):
    p = hand.patches(with_geometry=False)
    assert select_atlas_patches(p).tolist() == ["P000001", "P000002"]  # the sliver is left out
    assert select_atlas_patches(p, max_pages=1).tolist() == ["P000001"]
    assert select_atlas_patches(p, include_slivers=True).tolist() == ["P000001", "P000002", "P000003"]
    assert select_atlas_patches(p, statuses=["deferred"]).tolist() == ["P000002"]
    assert select_atlas_patches(p, kinds=["PF_URBAN"], include_slivers=True).tolist() == ["P000003"]
    assert select_atlas_patches(p, min_area=1000).tolist() == ["P000001"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # GDAL's own, at close
def test_a_workbook_gdal_fails_to_write_at_close_is_an_error(hand, tmp_path):
    """GDAL writes XLSX when the dataset closes and only logs a failure: write_xlsx checks the file."""
    from multiplan.algorithms.report_xlsx import write_xlsx

    r = build_report(hand)
    path = tmp_path / "no" / "such" / "folder" / "r.xlsx"
    with pytest.raises(OSError, match="was not written"):
        write_xlsx(r, str(path))
    assert not path.exists()


def test_xlsx_opens_with_gdal_with_its_sheets(hand, tmp_path):
    from multiplan.algorithms.report_xlsx import write_xlsx
    from osgeo import gdal, ogr

    r = build_report(hand, quota_m2=8000, current_landuse=current_landuse(hand.crs_wkt, harmonised=True))
    path = str(tmp_path / "r.xlsx")
    names = write_xlsx(r, path)
    gdal.SetConfigOption("OGR_XLSX_HEADERS", "FORCE")
    try:
        ds = ogr.Open(path)
        got = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        assert got == names and got[0] == "说明 About"
        assert {"差异图斑台账", "用地平衡表·一张蓝图", "建设用地指标核查", "新增建设用地(对照三调)"} <= set(
            got
        )
        lyr = ds.GetLayerByName("用地平衡表·一张蓝图")
        rows = [(f.GetField(0), f.GetField(1), f.GetField(5)) for f in lyr]
        total = next(a for t, _c, a in rows if t == "total")
        assert total == pytest.approx(45000)
        assert sum(a for t, _c, a in rows if t in BALANCE_PARTS) == pytest.approx(45000)
        ledger = ds.GetLayerByName("差异图斑台账")
        assert ledger.GetFeatureCount() == 3
        assert ledger.GetLayerDefn().GetFieldDefn(0).GetName() == "图斑编号 patch id"
        ds = None
    finally:
        gdal.SetConfigOption("OGR_XLSX_HEADERS", None)


def test_html_is_self_contained_with_charts(hand, tmp_path):
    from multiplan.algorithms.report_html import render_html

    r = build_report(hand, quota_m2=8000, current_landuse=current_landuse(hand.crs_wkt, harmonised=True))
    page = render_html(r)
    assert page.count("<svg") >= 4 and "<script" not in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert "用地平衡表" in page and "Land-use balance" in page and "plan_construction" in page


def test_blueprint_without_streets_is_split_by_a_streets_layer(tmp_path):
    store = report_blueprint(tmp_path / "b.gpkg")
    # the same blueprint, its units erased; streets: west (x < 120) and east, cutting B, D and E
    bp = store.read_layer("blueprint")
    bp.columns["unit"] = obj([None] * len(bp))
    run = store.begin_run("apply")
    with store.run_writer(run) as w:
        w.write_blueprint(bp)
        w.finish()
    streets = FeatureTable(
        obj([report_box(-10, -10, 120, 300), report_box(120, -10, 240, 300)]),
        np.arange(2),
        {"JDMC": obj(["西街道", "东街道"])},
        crs_wkt=store.crs_wkt,
    )
    r = build_report(store, streets=streets, street_field="JDMC")
    q = {x["unit"]: x for x in r.table("quota").where()}
    assert q["西街道"]["ground"] == pytest.approx(120 * 200)  # A, C, 20 m of B and D
    assert q["东街道"]["ground"] == pytest.approx(100 * 200)  # 80 m of B and D, E from 200 to 240
    assert q["(无街道)"]["ground"] == pytest.approx(10 * 100)  # E beyond x = 240: outside every street
    assert q[DISTRICT]["ground"] == pytest.approx(45000)
    assert balance_sum(r.table("balance_blueprint")) == pytest.approx(45000)
    assert q["西街道"]["construction"] == pytest.approx(10000)
    assert any("split by the streets" in m for m in r.messages)
    store.close()
