"""Control-line reconciliation engine (algorithms/lines.py): numbers on hand-built squares, on the demo
district (against the generator's manifest facts and independent shapely overlays), on PLATEAU Numazu,
the guarantees of issue 6 item 5, bad input, and the blueprint round trip (ids, decisions, final lines)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from mp_testing import NUMAZU_GPKG
from multiplan.algorithms import lines as cl
from multiplan.algorithms.detect import PlanInput
from multiplan.algorithms.table import FeatureTable
from shapely.geometry import box

CRS = "EPSG:4548"  # CGCS2000 3-degree GK, CM 117E
X0, Y0 = 500000.0, 3550000.0
#: Overlap left between two lines after settling that must count as zero: floating-point crumbs of
#: clipping and differencing (measured: < 1e-7 m² on the demo district), far below a speck (0.01 m²).
TOL_M2 = 1e-3


def table(geoms, crs=CRS, name="t", **cols) -> FeatureTable:
    g = np.empty(len(geoms), dtype=object)
    g[:] = list(geoms)
    columns = {k: np.asarray(v, dtype=object) for k, v in cols.items()}
    return FeatureTable(g, np.arange(1, len(g) + 1, dtype=np.int64), columns, {}, crs, name)


def sq(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def eco_table(geoms, levels, crs=CRS) -> FeatureTable:
    from multiplan.algorithms.harmonise import harmonise

    t = table(geoms, crs, "eco", GKJB=levels)
    t.columns.update(harmonise(t.column("GKJB"), standard="STHX").fields)
    return t


def union_area(a, b) -> float:
    """Area of union(a) ∩ union(b): an independent overlay of two lines."""
    if not len(a) or not len(b):
        return 0.0
    ua, ub = shapely.union_all(a), shapely.union_all(b)
    with np.errstate(invalid="ignore"):  # GEOS warns on empty parts of the result
        return float(shapely.intersection(ua, ub).area)


def residual(settlement: cl.Settlement, a: str, b: str) -> float:
    la, lb = settlement.lines_after.get(a), settlement.lines_after.get(b)
    if la is None or lb is None:
        return 0.0
    return union_area(la[~shapely.is_empty(la)], lb[~shapely.is_empty(lb)])


# ---------------------------------------------------------------------------------------------- rules


def test_default_rule_table():
    rules = {r.kind: r for r in cl.load_line_rules()}
    assert set(rules) == {"LINE_RED_FARM", "LINE_RED_DEV", "LINE_FARM_DEV"}
    rf = rules["LINE_RED_FARM"]
    assert (rf.protected, rf.intruder, rf.proposal, rf.core_proposal) == (
        "eco_redline",
        "farmland",
        "retain",
        "withdraw",
    )
    assert rf.core_zones is not None and "一级管控区" in rf.core_zones.expr
    assert (
        rf.loser("withdraw") == "farmland"
        and rf.loser("deduct") == "eco_redline"
        and rf.loser("retain") is None
    )
    assert rules["LINE_RED_DEV"].loser(rules["LINE_RED_DEV"].proposal) == "dev_boundary"
    assert rules["LINE_FARM_DEV"].loser(rules["LINE_FARM_DEV"].proposal) == "dev_boundary"
    assert all(r.source for r in rules.values())


def test_bad_rule_table_lists_every_problem(tmp_path):
    head = ",".join(cl.RULE_COLUMNS)
    rows = [
        "A,a,a,3,60,eco_redline,orchard,retain,,,1,x",  # unknown line
        "B,b,b,3,60,farmland,farmland,retain,,,1,x",  # same line twice
        "C,c,c,x,60,farmland,dev,keep,,,1,x",  # severity and proposal
        "D,d,d,3,60,red,farm,retain,zone:一级管控区,,1,x",  # core zones without core proposal
        "E,e,e,3,60,red,dev,withdraw,,,1,x",
        "F,f,f,3,60,dev,red,withdraw,,,1,x",  # the same pair again
    ]
    path = tmp_path / "rules.csv"
    path.write_text("\n".join([head, *rows]) + "\n", "utf-8")
    with pytest.raises(cl.LineRuleError) as err:
        cl.load_line_rules(path)
    msg = str(err.value)
    for line in (2, 3, 4, 5, 7):
        assert f"line {line}:" in msg, msg
    assert "line 6:" not in msg


# ---------------------------------------------------------------------------------------------- squares

# red [0,100]², farmland two parcels [50,100]x[0,100] and [100,150]x[0,100], dev [80,200]x[-50,50]
#   red∩farm = [50,100]x[0,100] = 5000; red∩dev = [80,100]x[0,50] = 1000;
#   farm∩dev = [80,150]x[0,50] = 3500, of which [80,100]x[0,50] (1000) lies in all three lines.


def squares(**kw):
    red = table([sq(0, 0, 100, 100)], name="red", HXMC=["红线一"])
    farm = table([sq(50, 0, 100, 100), sq(100, 0, 150, 100)], name="farm", KCXS=[0.1, 0.2])
    dev = table([sq(80, -50, 200, 50)], name="dev")
    layers = [cl.LineLayer("redline", red), cl.LineLayer("farmland", farm), cl.LineLayer("boundary", dev)]
    return cl.reconcile(layers, **kw)


def test_squares_default_proposals():
    r = squares()
    o = r.overlaps
    by_kind = {k: float(o.area_planar[o.kind == k].sum()) for k in set(o.kind)}
    assert by_kind == pytest.approx(
        {"LINE_RED_FARM": 5000, "LINE_RED_DEV": 1000, "LINE_FARM_DEV": 3500}, abs=1e-6
    )
    s = r.proposed
    t = s.totals["lines"]
    # the boundary gives way to both lines; the triple ground is given up once (in LINE_RED_DEV)
    assert t["dev_boundary"]["area_before"] == pytest.approx(12000)
    assert t["dev_boundary"]["area_after"] == pytest.approx(12000 - 1000 - 2500)
    assert t["dev_boundary"]["given_up"] == pytest.approx(3500)
    fd = o.kind == "LINE_FARM_DEV"
    assert s.given_up_area[fd].sum() == pytest.approx(2500)
    # red line and farmland keep their ground (保留): the farmland stays inside the red line
    assert t["eco_redline"]["area_after"] == pytest.approx(10000)
    assert t["farmland"]["area_after"] == pytest.approx(10000)
    assert s.totals["retained"] == pytest.approx(5000) and s.totals["buhua"] == 0
    assert residual(s, "eco_redline", "farmland") == pytest.approx(5000)
    assert residual(s, "eco_redline", "dev_boundary") < TOL_M2
    assert residual(s, "farmland", "dev_boundary") < TOL_M2
    # names of the features in each patch; the farmland net area (1 − KCXS)
    assert set(o.names_protected[o.kind == "LINE_RED_FARM"]) == {"红线一"}
    assert t["farmland"]["net_before"] == pytest.approx(5000 * 0.9 + 5000 * 0.8)
    # ellipsoidal areas on CGCS2000 close to the planar ones near the central meridian
    assert np.allclose(o.area_ellipsoidal, o.area_planar, rtol=2e-3)


def test_squares_core_zone_withdraws_farmland_into_the_buhua_deficit():
    eco = eco_table([sq(40, -10, 70, 110), sq(150, 0, 300, 300)], ["一级管控区", "二级管控区"])
    r = squares(plans=[PlanInput("eco", eco, kind="eco")])
    o, s = r.overlaps, r.proposed
    rf = o.kind == "LINE_RED_FARM"
    core = rf & o.core
    assert o.area_planar[core].sum() == pytest.approx(20 * 100)  # [50,70]x[0,100]
    assert set(o.proposal[core]) == {"withdraw"} and set(o.proposal[rf & ~o.core]) == {"retain"}
    assert set(o.core_label[core]) == {"一级管控区"}
    assert s.totals["buhua"] == pytest.approx(2000)
    assert s.totals["buhua_net"] == pytest.approx(2000 * 0.9)  # all in the parcel with KCXS 0.1
    t = s.totals["lines"]["farmland"]
    assert t["area_after"] == pytest.approx(8000)
    assert t["net_before"] - t["net_after"] == pytest.approx(1800)
    assert residual(s, "eco_redline", "farmland") == pytest.approx(3000)


def test_a_parcel_given_up_entirely_leaves_the_proposed_lines():
    eco = eco_table([sq(40, -10, 110, 110)], ["一级管控区"])  # the whole first farmland parcel
    r = squares(plans=[PlanInput("eco", eco, kind="eco")])
    s = r.proposed
    assert s.totals["buhua"] == pytest.approx(5000) and s.totals["buhua_net"] == pytest.approx(4500)
    t = cl.control_lines_table(r.lines, s, unit_names=r.unit_names, crs_wkt=r.crs_wkt)
    farm = t.columns["line_type"] == "farmland"
    assert farm.sum() == 1 and list(t.columns["src_fid"][farm]) == [2]
    assert float(t.columns["net_area"][farm][0]) == pytest.approx(5000 * 0.8)
    assert s.totals["lines"]["farmland"]["features"] == 2


def test_squares_every_choice_and_exclusive_attribution():
    r = squares()
    o = r.overlaps
    deduct = np.full(len(o), "deduct", dtype=object)
    s = cl.settle(r.lines, o, deduct, unit_names=r.unit_names, crs_wkt=r.crs_wkt)
    t = s.totals["lines"]
    # red line cut back by the farmland overlap (5000); its overlap with the boundary lies inside that
    # ground, so LINE_RED_DEV gives up nothing more; the farmland is cut back by the boundary (3500)
    assert t["eco_redline"]["area_after"] == pytest.approx(5000)
    assert s.given_up_area[o.kind == "LINE_RED_DEV"].sum() == pytest.approx(0, abs=1e-6)
    assert t["farmland"]["area_after"] == pytest.approx(10000 - 3500)
    assert t["dev_boundary"]["area_after"] == pytest.approx(12000)
    assert s.totals["buhua"] == pytest.approx(3500)
    for a, b in (("eco_redline", "farmland"), ("eco_redline", "dev_boundary"), ("farmland", "dev_boundary")):
        assert residual(s, a, b) < TOL_M2
    pending = cl.settle(
        r.lines, o, np.full(len(o), "pending", dtype=object), unit_names=r.unit_names, crs_wkt=r.crs_wkt
    )
    assert pending.totals["pending"] == pytest.approx(9500)
    assert all(v["area_after"] == pytest.approx(v["area_before"]) for v in pending.totals["lines"].values())
    with pytest.raises(cl.LineError):
        cl.settle(
            r.lines, o, np.full(len(o), "keep", dtype=object), unit_names=r.unit_names, crs_wkt=r.crs_wkt
        )


def test_proposal_parameters_override_the_table():
    r = squares(params=cl.ReconcileParams(proposals={"LINE_RED_FARM": "deduct", "LINE_FARM_DEV": "retain"}))
    t = r.proposed.totals["lines"]
    assert t["eco_redline"]["area_after"] == pytest.approx(5000)
    assert t["dev_boundary"]["area_after"] == pytest.approx(11000)
    with pytest.raises(cl.LineError):
        squares(params=cl.ReconcileParams(proposals={"LINE_RED_DEV": "cut"}))


# ---------------------------------------------------------------------------------------------- bad input


def test_lines_in_other_crs_are_reprojected_and_reported():
    from multiplan.algorithms.crs import reproject

    base = squares()
    red = table([sq(0, 0, 100, 100)])
    farm = table([sq(50, 0, 100, 100), sq(100, 0, 150, 100)])
    dev = table([sq(80, -50, 200, 50)])
    farm49 = table(reproject(farm.geoms, CRS, "EPSG:4549"), crs="EPSG:4549")
    red90 = table(reproject(red.geoms, CRS, "EPSG:4490"), crs="EPSG:4490")
    r = cl.reconcile(
        [
            cl.LineLayer("eco_redline", red90),
            cl.LineLayer("farmland", farm49),
            cl.LineLayer("dev_boundary", dev),
        ],
        params=cl.ReconcileParams(crs=CRS),
    )
    assert sum("reprojected" in p for p in r.problems) == 2
    assert r.overlaps.area_planar.sum() == pytest.approx(base.overlaps.area_planar.sum(), abs=1e-3)
    with pytest.raises(cl.LineError, match="projected"):
        cl.reconcile([cl.LineLayer("farmland", farm)], params=cl.ReconcileParams(crs="EPSG:4490"))
    with pytest.raises(cl.LineError, match="coordinate reference system"):
        cl.reconcile(
            [cl.LineLayer("farmland", table([sq(0, 0, 1, 1)], crs=None))], params=cl.ReconcileParams(crs=CRS)
        )


def test_self_overlap_inside_a_line_is_reported_and_counted_once():
    red = table([sq(0, 0, 100, 100), sq(60, 0, 160, 100)])  # the two zones overlap by 4000 m²
    farm = table([sq(0, 0, 200, 50)])
    r = cl.reconcile([cl.LineLayer("eco_redline", red), cl.LineLayer("farmland", farm)])
    rep = r.reports["eco_redline"]
    assert rep["overlaps"] == 1 and rep["overlap_area"] == pytest.approx(4000)
    assert any("overlaps between its own features" in p and "4000.00" in p for p in r.problems)
    assert r.proposed.totals["lines"]["eco_redline"]["area_before"] == pytest.approx(16000)
    assert r.overlaps.area_planar.sum() == pytest.approx(160 * 50)  # not 200 * 50 + the doubled part
    row = [x for x in r.statistics if x["section"] == "self_overlap"]
    assert len(row) == 1 and row[0]["area"] == pytest.approx(4000)


def test_empty_inputs():
    farm = table([sq(0, 0, 10, 10)])
    empty = table([])
    r = cl.reconcile([cl.LineLayer("eco_redline", empty), cl.LineLayer("farmland", farm)])
    assert any("is empty" in p for p in r.problems) and any("nothing to overlap" in p for p in r.problems)
    assert len(r.overlaps) == 0 and r.proposed.totals["lines"]["farmland"]["area_after"] == pytest.approx(100)
    with pytest.raises(cl.LineError, match="No control line"):
        cl.reconcile([cl.LineLayer("eco_redline", empty)])
    with pytest.raises(cl.LineError, match="once"):
        cl.reconcile([cl.LineLayer("redline", farm), cl.LineLayer("eco_redline", farm)])
    with pytest.raises(cl.LineError, match="Unknown control line"):
        cl.reconcile([cl.LineLayer("forest", farm)])


def test_invalid_rings_are_repaired_and_counted():
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    red = table([bowtie, sq(200, 0, 300, 100)])
    farm = table([sq(0, 0, 300, 100)])
    r = cl.reconcile([cl.LineLayer("eco_redline", red), cl.LineLayer("farmland", farm)])
    assert r.reports["eco_redline"]["repaired"] == 1
    assert any("invalid geometries repaired" in p and ": 1" in p for p in r.problems)
    # the bow-tie repairs to two triangles of 2500 m² each
    assert r.overlaps.area_planar.sum() == pytest.approx(2 * 2500 + 10000)
    assert shapely.is_valid(r.overlaps.geoms).all()


def test_points_or_lines_are_refused():
    pts = table([shapely.Point(X0, Y0), shapely.Point(X0 + 5, Y0)])
    lns = table([shapely.LineString([(X0, Y0), (X0 + 10, Y0)])])
    with pytest.raises(cl.LineError, match="Point.*not polygons"):
        cl.reconcile([cl.LineLayer("farmland", pts)])
    with pytest.raises(cl.LineError, match="Linestring.*not polygons"):
        cl.reconcile([cl.LineLayer("dev_boundary", lns)])


# ---------------------------------------------------------------------------------------------- demo district


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from multiplan.algorithms.harmonise import harmonise
    from multiplan.algorithms.vector_io import read_table
    from multiplan.dev.demo_district import generate

    m = generate(tmp_path_factory.mktemp("district"), parcels=2000)

    def rt(k):
        return read_table(m["layers"][k]["path"], m["layers"][k]["layer"])

    t = {k: rt(k) for k in ("redline", "farmland", "dev_boundary", "streets", "eco_plan")}
    t["eco_plan"].columns.update(harmonise(t["eco_plan"].column("GKJB"), standard="STHX").fields)
    r = cl.reconcile(
        [
            cl.LineLayer("eco_redline", t["redline"]),
            cl.LineLayer("farmland", t["farmland"]),
            cl.LineLayer("dev_boundary", t["dev_boundary"]),
        ],
        plans=[PlanInput("eco", t["eco_plan"], kind="eco")],
        streets=t["streets"],
        params=cl.ReconcileParams(unit_column="XZQMC"),
    )
    return m, t, r


def test_demo_overlaps_equal_the_manifest_facts(demo):
    m, t, r = demo
    f = m["facts"]
    o = r.overlaps
    area = {
        k: float(o.area_planar[o.kind == k].sum()) for k in ("LINE_RED_FARM", "LINE_RED_DEV", "LINE_FARM_DEV")
    }
    speck = {k: r.specks[k][1] for k in area}
    # the generator measures with plain shapely overlays; ours drops specks (≤ 0.01 m², counted)
    assert area["LINE_RED_FARM"] + speck["LINE_RED_FARM"] == pytest.approx(
        f["farmland"]["in_redline_m2"], abs=0.02
    )
    assert area["LINE_FARM_DEV"] + speck["LINE_FARM_DEV"] == pytest.approx(
        f["farmland"]["in_dev_boundary_m2"], abs=0.02
    )
    assert area["LINE_RED_DEV"] + speck["LINE_RED_DEV"] == pytest.approx(
        f["dev_boundary"]["overlap_redline_m2"], abs=0.02
    )
    lines = r.proposed.totals["lines"]
    assert lines["farmland"]["area_before"] == pytest.approx(f["farmland"]["area_m2"], abs=0.05)
    assert lines["farmland"]["net_before"] == pytest.approx(f["farmland"]["net_area_m2"], abs=0.05)
    assert lines["eco_redline"]["area_before"] == pytest.approx(f["redline"]["area_m2"], abs=0.05)
    assert lines["dev_boundary"]["area_before"] == pytest.approx(f["dev_boundary"]["area_m2"], abs=0.05)
    # every overlap patch is one pair, one condition, one street, and its parts are connected
    assert (o.unit >= 0).all() and shapely.get_type_id(o.geoms).tolist() == [3] * len(o)
    assert len(set(o.fingerprint)) == len(o)
    assert np.allclose(o.area_ellipsoidal, o.area_planar, rtol=1e-3)


def test_demo_guarantees_after_the_proposals(demo):
    """Issue 6 item 5: no overlap left but the retained one; each m² given up in exactly one adjustment."""
    m, t, r = demo
    o, s = r.overlaps, r.proposed
    assert residual(s, "eco_redline", "dev_boundary") < TOL_M2
    assert residual(s, "farmland", "dev_boundary") < TOL_M2
    # red line / farmland: exactly the retained (保留) ground is left in both lines
    assert residual(s, "eco_redline", "farmland") == pytest.approx(s.totals["retained"], abs=TOL_M2)
    for lt, line in r.lines.items():
        before = shapely.union_all(line.geoms)
        after = shapely.union_all(s.lines_after[lt][~shapely.is_empty(s.lines_after[lt])])
        lost = shapely.difference(before, after)
        mine = s.given_up_geoms[s.gives_up == lt]
        mine = mine[~np.equal(mine, None)]
        # the adjustments of one line never share ground …
        assert shapely.area(mine).sum() == pytest.approx(
            shapely.union_all(mine).area if len(mine) else 0, abs=TOL_M2
        )
        # … and together they are exactly what the line lost
        gained = shapely.union_all(mine) if len(mine) else shapely.Polygon()
        assert shapely.symmetric_difference(lost, gained).area < TOL_M2
        assert shapely.area(mine).sum() == pytest.approx(before.area - after.area, abs=TOL_M2)
    # all output geometries valid
    for lt in r.lines:
        g = s.lines_after[lt]
        assert shapely.is_valid(g[~shapely.is_empty(g)]).all()
    assert shapely.is_valid(o.geoms).all()
    given = s.given_up_geoms[~np.equal(s.given_up_geoms, None)]
    assert shapely.is_valid(given).all() and s.repaired_after == 0


def test_demo_any_decisions_leave_no_unresolved_overlap(demo):
    m, t, r = demo
    o = r.overlaps
    rng = np.random.default_rng(6)
    choice = rng.choice(["withdraw", "deduct"], size=len(o)).astype(object)
    s = cl.settle(r.lines, o, choice, unit_names=r.unit_names, crs_wkt=r.crs_wkt)
    for a, b in (("eco_redline", "farmland"), ("eco_redline", "dev_boundary"), ("farmland", "dev_boundary")):
        assert residual(s, a, b) < TOL_M2
    for v in s.totals["lines"].values():
        assert v["area_before"] - v["area_after"] == pytest.approx(v["given_up"], abs=TOL_M2)
    # 补划 = every square metre of farmland given up, once
    assert s.totals["buhua"] == pytest.approx(s.totals["lines"]["farmland"]["given_up"], abs=TOL_M2)


def test_demo_core_zone_withdrawal_equals_an_independent_overlay(demo):
    m, t, r = demo
    eco = t["eco_plan"]
    core = shapely.union_all(eco.geoms[eco.columns["GKJB"] == "一级管控区"])
    red, farm = shapely.union_all(t["redline"].geoms), shapely.union_all(t["farmland"].geoms)
    expect = shapely.intersection(shapely.intersection(farm, red), core).area
    s = r.proposed
    assert expect > 1e5  # the demo has farmland in the red line's core zones
    assert s.totals["buhua"] == pytest.approx(expect, abs=0.05)
    # net: each withdrawn square metre weighted by its parcel's (1 − KCXS)
    fl = t["farmland"]
    with np.errstate(invalid="ignore"):
        pieces = shapely.intersection(fl.geoms, shapely.intersection(red, core))
    net = float((shapely.area(pieces) * (1 - np.asarray(fl.columns["KCXS"], dtype=float))).sum())
    assert s.totals["buhua_net"] == pytest.approx(net, abs=0.05)
    lines = s.totals["lines"]["farmland"]
    assert lines["net_before"] - lines["net_after"] == pytest.approx(net, abs=0.05)


def test_demo_statistics_per_street_add_up(demo):
    m, t, r = demo
    rows = r.statistics
    for lt in r.lines:
        mine = [x for x in rows if x["section"] == "line" and x["item"] == lt]
        total = next(x for x in mine if x["unit"] is None)
        streets = [x for x in mine if x["unit"] is not None]
        assert len(streets) >= 2
        for col in ("area", "area_after", "given_up", "area_ellipsoidal_after"):
            assert sum(x[col] for x in streets) == pytest.approx(total[col], rel=1e-9, abs=1e-6)
        assert total["area"] - total["area_after"] == pytest.approx(total["given_up"], abs=TOL_M2)
    buhua = next(x for x in rows if x["section"] == "buhua")
    assert buhua["buhua"] == pytest.approx(r.proposed.totals["buhua"])
    table_ = cl.statistics_table(rows)
    assert list(table_.columns) == [n for n, _ in cl.STAT_FIELDS] and len(table_) == len(rows)


# ---------------------------------------------------------------------------------------------- Numazu


def _jp_crosswalk(path):
    rows = ["source_standard,source_code,source_name,target_code,construction,sandalei,source"]
    for c in range(1, 13):  # 用途地域 1–7 residential, 8–9 commercial, 10–12 industrial: all construction
        rows.append(
            f"USER:JPZONE,{c},用途地域 {c},{'07' if c <= 7 else '09' if c <= 9 else '10'},1,,test crosswalk"
        )
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def test_numazu_scenic_districts_against_the_urbanisation_area(tmp_path):
    """PLATEAU Numazu: 市街化区域 (function 22) as the boundary, 風致地区 as a protection line, zoning as
    the plan, compared only inside the AreaClassification polygons (the streets are those polygons)."""
    from multiplan.algorithms.codes import read_user_crosswalk
    from multiplan.algorithms.harmonise import harmonise
    from multiplan.algorithms.vector_io import read_table

    ac = read_table(str(NUMAZU_GPKG), "AreaClassification")
    ud = read_table(str(NUMAZU_GPKG), "UseDistrict")
    sc = read_table(str(NUMAZU_GPKG), "ScenicDistrict")
    h = harmonise(
        ud.column("function"),
        standard="USER:JPZONE",
        user_rows=read_user_crosswalk(_jp_crosswalk(tmp_path / "jp.csv")),
    )
    ud.columns.update(h.fields)
    dev = ac.take(np.asarray(ac.columns["function"]) == 22)
    r = cl.reconcile(
        [cl.LineLayer("dev_boundary", dev), cl.LineLayer("eco_redline", sc)],
        plans=[PlanInput("zoning", ud)],
        streets=ac,
        district=ac,
        params=cl.ReconcileParams(unit_column="function"),
    )
    o = r.overlaps
    # ~739 m² of scenic district inside 市街化区域, all of it in one scenic district and one pair; on the
    # ground it is four separate parts (14–148 m apart), so four patches by the patch rule, one a sliver
    assert o.area_planar.sum() == pytest.approx(738.97, abs=0.01)
    assert set(o.kind) == {"LINE_RED_DEV"} and set(o.names_protected) == {"#1"}
    assert set(cl._unit_text(o.unit, r.unit_names)) == {"22"}
    assert len(o) == 4 and o.is_sliver.sum() >= 1
    assert r.proposed.totals["lines"]["dev_boundary"]["given_up"] == pytest.approx(738.97, abs=0.01)
    assert any("outside the district" in p for p in r.problems)  # 3 scenic districts lie outside
    cov = {(x["other"], x["unit"]): x for x in r.statistics if x["section"] == "plan_coverage"}
    whole = cov[("dev_boundary", None)]
    assert whole["area"] == pytest.approx(82170.40, abs=0.01)  # zoning inside the AC polygons
    assert cov[("dev_boundary", "22")]["area"] == pytest.approx(82170.12, abs=0.01)
    assert cov[("dev_boundary", "23")]["area"] == pytest.approx(0.28, abs=0.01)
    assert whole["outside"] == pytest.approx(0.28, abs=0.01)  # zoning outside the boundary: a sliver
    assert whole["uncovered"] == pytest.approx(174.40, abs=0.01)  # 市街化区域 without zoning


# ---------------------------------------------------------------------------------------------- blueprint


def test_blueprint_round_trip(demo, tmp_path):
    from multiplan.algorithms.store import BlueprintStore, Decision

    m, t, r = demo
    store = BlueprintStore.create(
        tmp_path / "bp.gpkg", project_name="lines", crs_wkt=r.crs_wkt, pending_dir=tmp_path / "pending"
    )
    w = cl.write_reconciliation(store, r, inputs=[{"role": "farmland"}], parameters={"x": 1})
    ids = w["patch_ids"]
    assert w["counts"]["new"] == len(r.overlaps) and all(str(i).startswith("L") for i in ids)
    assert len(store.patches(kind=list(set(r.overlaps.kind)))) == len(r.overlaps)
    plans = store.patch_plans(ids[:1])
    assert set(plans["role"]) >= {str(r.overlaps.protected[0]), str(r.overlaps.intruder[0])}
    adj = store.read_layer("line_adjustments", with_geometry=False)
    assert len(adj) == len(r.overlaps)
    assert float(np.sum(adj.columns["buhua_area"])) == pytest.approx(r.proposed.totals["buhua"])
    stages = store.read_layer("control_lines", columns=["stage"], with_geometry=False).columns["stage"]
    assert set(stages) == {"input", "proposed"}

    # the same lines again: every LINE_* patch keeps its id, nothing flagged or closed
    w2 = cl.write_reconciliation(store, r)
    assert (w2["patch_ids"] == ids).all() and w2["counts"]["same"] == len(ids) and w2["closed"] == 0

    # decisions: deduct one red/farm overlap, keep one farm/dev overlap as an exception, defer one
    kinds = r.overlaps.kind
    rf = [i for i, k in zip(ids, kinds) if k == "LINE_RED_FARM"]
    fd = [i for i, k in zip(ids, kinds) if k == "LINE_FARM_DEV"]
    for pid, action, target in (
        (rf[0], "adjust_line", "deduct"),
        (fd[0], "exception", "dev_boundary"),
        (fd[1], "defer", None),
    ):
        res = store.record_decision(
            Decision(pid, action, "王主任", role="final", department="领导小组办公室", target=target)
        )
        assert res.outcome == "current"
    with pytest.raises(cl.LineError, match="undecided"):
        cl.settle_from_store(store, undecided="stop")
    ss = cl.apply_line_decisions(store, undecided="proposal")
    assert ss.undecided == len(ids) - 2
    pos = {p: i for i, p in enumerate(ss.patch_ids.tolist())}
    assert ss.settlement.choice[pos[rf[0]]] == "deduct" and ss.source[pos[rf[0]]] == "decision"
    assert ss.settlement.choice[pos[fd[0]]] == "retain" and ss.source[pos[fd[0]]] == "exception"
    assert ss.source[pos[fd[1]]] == "proposal"
    # the same result as settling those choices directly on the engine's lines
    choice = r.overlaps.proposal.copy()
    choice[list(ids).index(rf[0])] = "deduct"
    choice[list(ids).index(fd[0])] = "retain"
    direct = cl.settle(r.lines, r.overlaps, choice, unit_names=r.unit_names, crs_wkt=r.crs_wkt)
    for lt in r.lines:
        assert ss.settlement.totals["lines"][lt]["area_after"] == pytest.approx(
            direct.totals["lines"][lt]["area_after"], abs=TOL_M2
        )
    assert ss.buhua == pytest.approx(direct.totals["buhua"], abs=TOL_M2)
    final = store.read_layer("control_lines", where="stage=?", params=["final"])
    assert len(final) and float(np.sum(final.columns["area_planar"])) == pytest.approx(
        sum(v["area_after"] for v in direct.totals["lines"].values()), abs=0.01
    )
    assert store.runs()[-1]["kind"] == "apply_lines" and store.runs()[-1]["status"] == "finished"
    pend = cl.settle_from_store(store, undecided="pending")
    assert pend.settlement.totals["pending"] == pytest.approx(
        float(r.overlaps.area_planar.sum()) - float(r.overlaps.area_planar[[pos[rf[0]], pos[fd[0]]]].sum()),
        abs=0.01,
    )

    # a boundary drawn back out of the red line: its LINE_RED_DEV patches close, the others stay
    dev = t["dev_boundary"]
    shrunk = FeatureTable(
        shapely.difference(dev.geoms, shapely.union_all(t["redline"].geoms)),
        dev.fids,
        dev.columns,
        dev.field_types,
        dev.crs_wkt,
        dev.name,
    )
    r3 = cl.reconcile(
        [
            cl.LineLayer("eco_redline", t["redline"]),
            cl.LineLayer("farmland", t["farmland"]),
            cl.LineLayer("dev_boundary", shrunk),
        ],
        plans=[PlanInput("eco", t["eco_plan"], kind="eco")],
        streets=t["streets"],
        params=cl.ReconcileParams(unit_column="XZQMC"),
    )
    w3 = cl.write_reconciliation(store, r3)
    n_rd = int((kinds == "LINE_RED_DEV").sum())
    assert "LINE_RED_DEV" not in set(r3.overlaps.kind)
    assert w3["closed"] >= n_rd
    kept = set(w3["patch_ids"].tolist())
    assert rf[0] in kept  # the decided red/farm overlap keeps its id (and its decision)
    assert min(int(str(i)[1:]) for i in kept - set(ids.tolist()) or {"L999999"}) > max(
        int(str(i)[1:]) for i in ids
    )


def test_detection_patches_are_summarised_not_recomputed(tmp_path):
    from multiplan.algorithms.store import BlueprintStore

    store = BlueprintStore.create(
        tmp_path / "bp.gpkg", project_name="d", crs_authid=CRS, pending_dir=tmp_path / "p"
    )
    g = np.array([sq(0, 0, 10, 10), sq(20, 0, 40, 10), sq(50, 0, 60, 10)], dtype=object)
    patches = FeatureTable(
        g,
        np.arange(3),
        {
            "patch_id": np.array(["P000001", "P000002", "P000003"], dtype=object),
            "kind": np.array(["RL_URBAN", "RL_URBAN", "LG_URBAN_CON"], dtype=object),
            "unit": np.array(["江浦街道", "顶山街道", "江浦街道"], dtype=object),
            "area_planar": shapely.area(g),
            "is_sliver": np.array([0, 1, 0]),
        },
        {},
        None,
        "patches",
    )
    store.write_patches(store.begin_run("detect"), patches)
    rows = cl.summarise_detection(store)
    whole = [x for x in rows if x["unit"] is None]
    assert [(x["item"], x["count"], x["area"]) for x in whole] == [("RL_URBAN", 2, 300.0)]
    assert {x["unit"] for x in rows if x["unit"]} == {"江浦街道", "顶山街道"}


def test_demo_one_dissolved_multipart_polygon_gives_the_same_overlaps(demo):
    """A line as ONE dissolved multipolygon with holes (densified past 100k vertices) instead of parcels."""
    m, t, r = demo
    one = shapely.segmentize(shapely.union_all(t["farmland"].geoms), 6.0)
    assert shapely.get_num_coordinates(one) > 100_000 and one.geom_type == "MultiPolygon"
    assert shapely.get_num_interior_rings(shapely.get_parts(one)).sum() > 0
    farm = FeatureTable(
        np.array([one], dtype=object), np.array([7]), {}, {}, t["farmland"].crs_wkt, "dissolved"
    )
    r1 = cl.reconcile(
        [
            cl.LineLayer("eco_redline", t["redline"]),
            cl.LineLayer("farmland", farm),
            cl.LineLayer("dev_boundary", t["dev_boundary"]),
        ],
        plans=[PlanInput("eco", t["eco_plan"], kind="eco")],
        streets=t["streets"],
        params=cl.ReconcileParams(unit_column="XZQMC"),
    )
    for kind in ("LINE_RED_FARM", "LINE_RED_DEV", "LINE_FARM_DEV"):
        a = r.overlaps.area_planar[r.overlaps.kind == kind].sum()
        b = r1.overlaps.area_planar[r1.overlaps.kind == kind].sum()
        assert b == pytest.approx(a, abs=0.05)
    assert r1.proposed.totals["buhua"] == pytest.approx(r.proposed.totals["buhua"], abs=0.05)
    assert r1.proposed.totals["lines"]["farmland"]["net_before"] is None  # no KCXS on a dissolved line
    assert residual(r1.proposed, "farmland", "dev_boundary") < TOL_M2
