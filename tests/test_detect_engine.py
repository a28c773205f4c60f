"""detect() end to end on synthetic harmonised plans and real data, against independent overlays."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from multiplan.algorithms.codes import CodeTables
from multiplan.algorithms.crs import reproject
from multiplan.algorithms.detect import (
    DetectError,
    DetectParams,
    LineInput,
    NotHarmonisedError,
    PlanInput,
    detect,
)
from multiplan.algorithms.overlay import Cancelled
from multiplan.algorithms.rules import load_rules, rules_for_inputs
from multiplan.algorithms.slivers import SliverParams
from multiplan.algorithms.table import FeatureTable
from multiplan.algorithms.vector_io import read_table
from multiplan.dev.synthetic_plans import make_district

REL = 1e-4  # the requirement: 0.01 %


@pytest.fixture(scope="module")
def tables():
    return CodeTables.load()


@pytest.fixture(scope="module")
def clean_district():
    return make_district(1500, seed=4)


@pytest.fixture(scope="module")
def dirty_district():
    return make_district(1500, seed=5, dirt=True, dirt_share=0.01)


def _run(d, tables, **kw):
    params = kw.pop("params", DetectParams(unit_column="name"))
    return detect(d.plan_list(), d.line_list(), d.streets, params=params, tables=tables, **kw)


# ------------------------------------------------------------------------------------ references


def _ref_clean(table: FeatureTable) -> tuple[np.ndarray, np.ndarray]:
    """Repair, then lowest fid keeps the ground (a slow loop, obviously right). Returns (rows, geoms)."""
    g = table.geoms
    ok = ~shapely.is_missing(g)
    rows = np.flatnonzero(ok)
    gg = shapely.make_valid(g[ok])
    parts = []
    for x in gg:  # keep the polygonal part only
        polys = [p for p in shapely.get_parts(x) if p.geom_type == "Polygon"]
        polys += [q for p in shapely.get_parts(x) if p.geom_type == "MultiPolygon" for q in p.geoms]
        parts.append(shapely.union_all(polys) if polys else shapely.Polygon())
    gg = np.array(parts, dtype=object)
    fids = np.asarray(table.fids)[rows]
    tree = shapely.STRtree(gg)
    out = gg.copy()
    for k in np.argsort(fids):
        lower = [j for j in tree.query(gg[k]) if fids[j] < fids[k]]
        if lower:
            out[k] = shapely.difference(gg[k], shapely.union_all(gg[lower]))
    return rows, out


def _ref_cols(table, rows):
    cons = np.array(
        [-1 if v is None else int(v) for v in table.columns["mp_construction"][rows]], dtype=np.int64
    )
    return {
        "mp_code": table.columns["mp_code"][rows],
        "mp_name": table.columns["mp_name"][rows],
        "mp_src_code": table.columns["mp_src_code"][rows],
        "construction": cons,
    }


def reference_areas(d, tables) -> dict[str, float]:
    """Area per kind by a plain shapely overlay of the unioned class sets (no engine code for geometry)."""
    cleaned = {}
    for role, p in d.plans.items():
        if p.kind == "projects":
            continue
        rows, g = _ref_clean(p.table)
        cleaned[role] = (rows, g, _ref_cols(p.table, rows))
    lines = {name: shapely.union_all(_ref_clean(x.table)[1]) for name, x in d.lines.items()}
    run, _ = rules_for_inputs(load_rules(), [r for r in cleaned], list(lines))
    out = {}
    for rule in run:
        rows_a, ga, ca = cleaned[rule.a_role]
        ma = rule.a_classes.mask(ca, tables)
        if rule.b_is_line:
            ua = shapely.union_all(ga[ma])
            line = lines[rule.b_line]
            geom = (
                shapely.intersection(ua, line) if rule.relation == "inside" else shapely.difference(ua, line)
            )
            out[rule.kind] = geom.area
            continue
        rows_b, gb, cb = cleaned[rule.b_role]
        mb = rule.b_classes.mask(cb, tables)
        if rule.relation == "and":
            out[rule.kind] = shapely.intersection(shapely.union_all(ga[ma]), shapely.union_all(gb[mb])).area
        else:  # incompatible: per pair of codes
            total = 0.0
            for x in set(ca["mp_code"][ma].tolist()):
                for y in set(cb["mp_code"][mb].tolist()):
                    if x is None or y is None or tables.compatible(x, y):
                        continue
                    sa = ma & (ca["mp_code"] == x)
                    sb = mb & (cb["mp_code"] == y)
                    total += shapely.intersection(shapely.union_all(ga[sa]), shapely.union_all(gb[sb])).area
            out[rule.kind] = total
    return out


def _kind_areas(res) -> dict[str, float]:
    out = {}
    for rule in res.rules_run:
        out[rule.kind] = (
            float(res.area_planar[res.kind == rule.kind].sum()) + res.problems.speck_area[rule.kind]
        )
    return out


# ------------------------------------------------------------------------------------ correctness


@pytest.mark.parametrize("which", ["clean", "dirty"])
def test_patch_area_per_kind_equals_independent_overlay(which, clean_district, dirty_district, tables):
    d = clean_district if which == "clean" else dirty_district
    res = _run(d, tables)
    ours = _kind_areas(res)
    ref = reference_areas(d, tables)
    ran = {r.kind for r in res.rules_run} - {"KP_LAND"}  # key projects: points drawn as discs, see below
    assert ran == set(ref)
    nonzero = 0
    for kind in sorted(ran):
        if ref[kind] == 0:
            assert ours[kind] < 1e-3, kind
            continue
        nonzero += 1
        assert abs(ours[kind] - ref[kind]) <= REL * ref[kind], (kind, ours[kind], ref[kind])
    assert nonzero >= 10


def test_patches_of_one_kind_never_overlap_and_are_maximal(dirty_district, tables):
    res = _run(dirty_district, tables)
    g = res.geoms
    i, j = shapely.STRtree(g).query(g)
    same = (i < j) & (res.kind[i] == res.kind[j])
    i, j = i[same], j[same]
    over = shapely.relate_pattern(g[i], g[j], "2********")
    crumbs = shapely.area(shapely.intersection(g[i[over]], g[j[over]]))
    assert (crumbs < 1e-6).all()  # nothing beyond floating-point crumbs
    # maximal: patches with the same kind, codes and street never share an edge
    key = np.char.add(res.code_key.astype(str), np.char.add("@", res.unit.astype(str)))
    k = key[i] == key[j]
    assert not shapely.relate_pattern(g[i[k]], g[j[k]], "****1****").any()
    assert np.all(shapely.get_type_id(g) == 3)


def test_every_patch_lies_in_its_street_and_streets_do_not_change_areas(clean_district, tables):
    d = clean_district
    with_streets = _run(d, tables)
    without = detect(d.plan_list(), d.line_list(), None, tables=tables)
    a, b = _kind_areas(with_streets), _kind_areas(without)
    for kind in a:
        assert a[kind] == pytest.approx(b[kind], rel=1e-9, abs=1e-6)
    names = d.streets.columns["name"].tolist()
    inside = with_streets.unit_index >= 0
    st = d.streets.geoms[with_streets.unit_index[inside]]
    assert shapely.covers(shapely.buffer(st, 1e-6), with_streets.geoms[inside]).all()
    assert set(with_streets.unit[inside]) <= set(names)
    assert (without.unit_index == -1).all() and all(u is None for u in without.unit)


def _identical_pair(d, flip_idx):
    """The urban plan against a copy of itself with the construction flag flipped on ``flip_idx``."""
    t = d.plans["urban"].table
    cols = {k: v.copy() for k, v in t.columns.items()}
    cons = cols["mp_construction"]
    for k in flip_idx:
        cons[k] = 1 - int(cons[k])
        cols["mp_code"][k] = "01" if cons[k] == 0 else "0901"
        cols["mp_src_code"][k] = "X" + str(k)
    other = FeatureTable(t.geoms, t.fids, cols, dict(t.field_types), t.crs_wkt, "copy")
    return PlanInput("urban", t), PlanInput("land", other)


def test_nothing_where_plans_agree(clean_district, tables):
    a, b = _identical_pair(clean_district, [])
    res = detect([a, b], tables=tables)
    assert len(res) == 0
    assert sum(res.problems.speck_count.values()) == 0


def test_identical_geometry_gives_patches_exactly_where_codes_differ(clean_district, tables):
    t = clean_district.plans["urban"].table
    rng = np.random.default_rng(3)
    flip = rng.choice(len(t), 60, replace=False)
    a, b = _identical_pair(clean_district, flip)
    res = detect([a, b], tables=tables)
    lg = np.isin(res.kind, ["LG_URBAN_CON", "LG_LAND_CON"])
    want = shapely.union_all(t.geoms[flip])
    got = shapely.union_all(res.geoms[lg])
    assert got.area == pytest.approx(want.area, rel=1e-9)
    assert shapely.symmetric_difference(got, want).area < 1e-6
    was_con = np.array([int(v) for v in t.columns["mp_construction"][flip]])
    urban_con = res.area_planar[res.kind == "LG_URBAN_CON"].sum()
    assert urban_con == pytest.approx(shapely.area(t.geoms[flip[was_con == 1]]).sum(), rel=1e-9)
    # the class-level rule may only fire on the flipped parcels too
    cl = res.kind == "CL_NONCON"
    assert shapely.difference(shapely.union_all(res.geoms[cl]), want).area < 1e-6


def test_self_reprojected_same_datum_gives_nothing_and_a_datum_shift_only_slivers(clean_district, tables):
    t = clean_district.plans["urban"].table
    # the glue reprojects an input from EPSG:4549 into the working CRS EPSG:4548: same datum, ~1e-9 m
    via = reproject(reproject(t.geoms, 4548, 4549), 4549, 4548)
    other = FeatureTable(via, t.fids, dict(t.columns), dict(t.field_types), t.crs_wkt, "via4549")
    res = detect([PlanInput("urban", t), PlanInput("land", other)], tables=tables)
    assert len(res) == 0  # every crumb is a speck (≤ 0.01 m²), dropped and counted
    # across datums boundaries shift by metres: 1.5 m here; with max_width 5 m all of it is sliver
    shifted = shapely.transform(t.geoms, lambda xy: xy + (1.2, -0.9))
    other = FeatureTable(shifted, t.fids, dict(t.columns), dict(t.field_types), t.crs_wkt, "shifted")
    res = detect([PlanInput("urban", t), PlanInput("land", other)], tables=tables)
    assert len(res) > 20
    assert res.is_sliver.all(), res.sliver_reason[~res.is_sliver]
    # with the width allowance (and the area floors) below the shift, the strips are no longer slivers
    tight = DetectParams(sliver=SliverParams(max_width=1.0, min_area=1.0, max_area=10.0))
    res2 = detect([PlanInput("urban", t), PlanInput("land", other)], params=tight, tables=tables)
    assert (~res2.is_sliver).any()


def test_dirty_inputs_are_repaired_counted_and_reported(dirty_district, tables):
    d = dirty_district
    res = _run(d, tables)
    for role in ("urban", "land"):
        rep = res.problems.cleaning[role]
        assert sorted(rep.repaired_fids) == d.dirt[role]["invalid"]
        cut_or_kept = set(rep.overlap_cut_fids.tolist()) | set(rep.overlap_keep_fids.tolist())
        assert set(d.dirt[role]["overlap"]) <= cut_or_kept
        assert rep.n_overlaps >= len(d.dirt[role]["overlap"])
        assert rep.overlap_removed_area > 0 and len(rep.gaps) > 0
        unknown = [u for u in res.problems.unknown_codes if u.role == role]
        assert [u.code for u in unknown] == ["R5"]
        assert sorted(unknown[0].fids.tolist()) == d.dirt[role]["unknown"]
    assert res.problems.points_buffered["projects"] == 10


def test_patch_plans_statistics_and_fingerprints(clean_district, tables):
    res = _run(clean_district, tables)
    pp = res.patch_plans
    lg = np.flatnonzero(res.kind == "LG_URBAN_CON")
    assert len(lg) > 5
    for k in lg[:20]:
        rows = np.flatnonzero(pp["patch"] == k)
        assert pp["role"][rows].tolist() == ["urban", "land"]
        assert pp["mp_construction"][rows].tolist() == [1, 0]
        assert pp["mp_code"][rows[0]] == res.codes["urban"][k]
        assert pp["mp_code"][rows[1]] == res.codes["land"][k]
        assert pp["src_standard"][rows].tolist() == ["GB50137-2011", "TDT1024-2010"]
        assert all(pp["src_code"][rows])
        # no name column given: the source name comes from the plan's own standard (e.g. R2 二类居住用地)
        for r in rows:
            entry = tables.standard_entries(pp["src_standard"][r]).get(pp["src_code"][r])
            assert entry is not None and pp["src_name"][r] == entry.name
    line_kind = np.flatnonzero(res.kind == "UB_URBAN")
    assert len(line_kind) and all((pp["patch"] == k).sum() == 1 for k in line_kind)
    # statistics: the district rows sum the patches; the street rows sum the district rows
    for rule in res.rules_run:
        rows = [r for r in res.statistics if r["kind"] == rule.kind]
        district = rows[0]
        assert district["unit"] is None
        assert district["count"] == int((res.kind == rule.kind).sum())
        assert sum(r["count"] for r in rows[1:]) == district["count"]
        assert sum(r["area_planar"] for r in rows[1:]) == pytest.approx(district["area_planar"], rel=1e-9)
    # fingerprints are stable and distinct
    res2 = _run(clean_district, tables)
    assert np.array_equal(res.fingerprint, res2.fingerprint)
    assert len(set(res.fingerprint.tolist())) == len(res)
    assert set(res.timings) >= {"clean", "rules", "units", "assemble", "measure"}
    assert np.all(res.area_ellipsoidal > 0)
    ratio = res.area_ellipsoidal / res.area_planar
    assert np.all(np.abs(ratio - 1) < 2e-3)


def test_cancel_mid_run_raises(clean_district, tables):
    seen = []

    def progress(f, msg):
        seen.append(msg)

    def cancelled():
        return any(m.startswith("Rule ") for m in seen)

    with pytest.raises(Cancelled):
        _run(clean_district, tables, progress=progress, is_cancelled=cancelled)
    assert any(m.startswith("Rule ") for m in seen)


def test_bad_inputs_are_refused(clean_district, tables):
    t = clean_district.plans["urban"].table
    raw = FeatureTable(
        t.geoms, t.fids, {"code": t.columns["mp_src_code"]}, {"code": "text"}, t.crs_wkt, "raw"
    )
    with pytest.raises(NotHarmonisedError, match="multiplan:harmonisecodes"):
        detect([PlanInput("urban", t), PlanInput("land", raw)], tables=tables)
    empty = t.take(np.zeros(0, dtype=np.intp))
    with pytest.raises(DetectError, match="empty"):
        detect([PlanInput("urban", t), PlanInput("land", empty)], tables=tables)
    with pytest.raises(DetectError, match="at least two plans"):
        detect([PlanInput("urban", t)], tables=tables)
    with pytest.raises(DetectError, match="once"):
        detect([PlanInput("urban", t), PlanInput("urban", t)], tables=tables)
    with pytest.raises(DetectError, match="No enabled rule"):
        detect([PlanInput("forestry", t), PlanInput("tourism", t)], tables=tables)


# ------------------------------------------------------------------------------------ real data


def _maes_plan(t: FeatureTable, year: str, role: str) -> PlanInput:
    n = len(t)
    l1 = np.asarray(t.column(f"MAES_1_{year}"))
    l4 = np.asarray(t.column(f"MAES_4_{year}"))
    cols = {
        "mp_src_standard": np.full(n, "USER:MAES", dtype=object),
        "mp_src_code": np.array([str(int(v)) for v in l4], dtype=object),
        "mp_code": np.full(n, None, dtype=object),  # MAES has no 用地用海 equivalent
        "mp_name": np.full(n, None, dtype=object),
        "mp_construction": np.array([1 if int(v) == 1 else 0 for v in l1], dtype=object),
        "mp_status": np.full(n, "exact", dtype=object),
    }
    return PlanInput(role, FeatureTable(t.geoms, t.fids, cols, {}, t.crs_wkt, f"maes_{year}"))


def test_n2k_2006_vs_2012_construction_patches_exactly_on_the_changed_flags(n2k_copy, tables):
    t = read_table(str(n2k_copy))
    old, new = _maes_plan(t, "06", "land"), _maes_plan(t, "12", "urban")
    res = detect([new, old], tables=tables)
    c06 = np.asarray(t.column("MAES_1_06")) == 1
    c12 = np.asarray(t.column("MAES_1_12")) == 1
    flag_changed = c06 != c12
    assert flag_changed.sum() == 5
    lg = np.isin(res.kind, ["LG_URBAN_CON", "LG_LAND_CON"])
    want = shapely.union_all(t.geoms[flag_changed])
    assert res.area_planar[lg].sum() == pytest.approx(84201, abs=1.0)
    assert res.area_planar[lg].sum() == pytest.approx(want.area, rel=1e-9)
    assert shapely.symmetric_difference(shapely.union_all(res.geoms[lg]), want).area < 1e-3
    # class-level conflicts only where MAES_4 changed (50 polygons), never elsewhere
    code_changed = np.asarray(t.column("MAES_4_06")) != np.asarray(t.column("MAES_4_12"))
    assert code_changed.sum() == 50
    changed = shapely.union_all(t.geoms[code_changed])
    assert shapely.difference(shapely.union_all(res.geoms), changed).area < 1e-3


def test_numazu_one_plan_and_lines(numazu_copy, tables):
    path = str(numazu_copy)
    zoning = read_table(path, "UseDistrict")
    n = len(zoning)
    cols = {
        "mp_src_standard": np.full(n, "USER:PLATEAU-UseDistrict", dtype=object),
        "mp_src_code": np.array([str(v) for v in zoning.column("function")], dtype=object),
        "mp_code": np.full(n, "G01", dtype=object),  # every 用途地域 zone is urban construction
        "mp_name": np.full(n, "城镇建设用地", dtype=object),
        "mp_construction": np.full(n, 1, dtype=object),
        "mp_status": np.full(n, "coarse", dtype=object),
    }
    plan = PlanInput(
        "urban", FeatureTable(zoning.geoms, zoning.fids, cols, {}, zoning.crs_wkt, "UseDistrict")
    )
    area = read_table(path, "AreaClassification")
    urbanisation = area.take(np.asarray(area.column("function")) == 22)  # 市街化区域 ~ 城镇开发边界
    scenic = read_table(path, "ScenicDistrict")  # 風致地区 ~ an ecological protection line
    res = detect(
        [plan],
        [LineInput("boundary", urbanisation), LineInput("redline", scenic)],
        tables=tables,
    )
    assert {r.kind for r in res.rules_run} == {"UB_URBAN", "RL_URBAN"}
    z = shapely.union_all(shapely.make_valid(zoning.geoms))
    ub_ref = shapely.difference(z, shapely.union_all(shapely.make_valid(urbanisation.geoms))).area
    rl_ref = shapely.intersection(z, shapely.union_all(shapely.make_valid(scenic.geoms))).area
    areas = _kind_areas(res)
    assert areas["UB_URBAN"] == pytest.approx(ub_ref, rel=REL, abs=1.0)
    assert areas["RL_URBAN"] == pytest.approx(rl_ref, rel=REL, abs=1.0)
    assert rl_ref > 1000  # the scenic districts do overlap the zoning


# ------------------------------------------------------------------------------------ QGIS reference


def _memory_layer(geoms, crs="EPSG:4548"):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    lyr = QgsVectorLayer(f"MultiPolygon?crs={crs}", "x", "memory")
    feats = []
    for wkb in shapely.to_wkb(geoms):
        g = QgsGeometry()
        g.fromWkb(wkb)
        f = QgsFeature()
        f.setGeometry(g)
        feats.append(f)
    lyr.dataProvider().addFeatures(feats)
    return lyr


def _layer_area(layer) -> float:
    return sum(f.geometry().area() for f in layer.getFeatures())


def test_areas_equal_qgis_native_intersection_and_difference(qgis_processing, clean_district, tables):
    import processing

    d = clean_district
    res = _run(d, tables)
    u, la = d.plans["urban"].table, d.plans["land"].table
    ucon = np.array([int(v) for v in u.columns["mp_construction"]]) == 1
    lnon = np.array([int(v) for v in la.columns["mp_construction"]]) == 0
    out = processing.run(
        "native:intersection",
        {
            "INPUT": _memory_layer(u.geoms[ucon]),
            "OVERLAY": _memory_layer(la.geoms[lnon]),
            "OUTPUT": "memory:",
        },
    )["OUTPUT"]
    ours = _kind_areas(res)
    assert ours["LG_URBAN_CON"] == pytest.approx(_layer_area(out), rel=REL)
    # urban construction (group 城镇建设用地) outside the development boundary
    urban = load_rules().by_kind("UB_URBAN").a_classes.mask(_ref_cols(u, np.arange(len(u))), tables)
    out = processing.run(
        "native:difference",
        {
            "INPUT": _memory_layer(u.geoms[urban]),
            "OVERLAY": _memory_layer(d.lines["boundary"].table.geoms),
            "OUTPUT": "memory:",
        },
    )["OUTPUT"]
    assert ours["UB_URBAN"] == pytest.approx(_layer_area(out), rel=REL)
    assert ours["UB_URBAN"] > 10000


# ------------------------------------------------------------------------------------ demo district


def _load_demo(m):
    """The demo district's layers as detect() inputs in the working CRS (what the glue does)."""
    from multiplan.algorithms.crs import choose_working_crs
    from multiplan.algorithms.harmonise import harmonise

    lay = m["layers"]

    def read(key):
        x = lay[key]
        return read_table(x["path"], x["layer"], encoding=x.get("encoding"))

    tables = {k: read(k) for k in lay if k not in ("truth", "current_landuse")}
    work = choose_working_crs([tables["urban_plan"], tables["land_plan"], tables["redline"]])
    for t in tables.values():
        if t.crs_wkt and not work.crs.equals(t.crs_wkt):
            t.geoms = reproject(t.geoms, t.crs_wkt, work.crs)
        t.crs_wkt = work.wkt

    def harmonised(key, role, kind="landuse"):
        t = tables[key]
        x = lay[key]
        names = t.column(x["name_field"]) if x.get("name_field") and kind == "landuse" else None
        h = harmonise(t.column(x["code_field"]), names=names, standard=x["standard"])
        cols = dict(t.columns)
        cols.update(h.fields)
        return PlanInput(role, FeatureTable(t.geoms, t.fids, cols, {}, t.crs_wkt, key), kind, layer=key)

    pts, polys = tables["key_projects_pt"], tables["key_projects"]
    proj = FeatureTable(
        np.concatenate([polys.geoms, pts.geoms]),
        np.concatenate([polys.fids, pts.fids + 100000]),
        {c: np.concatenate([polys.column(c), pts.column(c)]).astype(object) for c in ("XMMC", "XMMJ")},
        {},
        work.wkt,
        "key_projects",
    )
    plans = [
        harmonised("urban_plan", "urban"),
        harmonised("land_plan", "land"),
        harmonised("development_plan", "development", "zones"),
        harmonised("eco_plan", "eco", "eco"),
        PlanInput("projects", proj, "projects", code_column="XMMC", area_column="XMMJ"),
    ]
    lines = [
        LineInput("redline", tables["redline"]),
        LineInput("farmland", tables["farmland"]),
        LineInput("boundary", tables["dev_boundary"]),
    ]
    return plans, lines, tables["streets"], work


def test_demo_district_matches_its_manifest(tmp_path, tables):
    from multiplan.dev.demo_district import generate

    m = generate(str(tmp_path / "demo"), parcels=2000, seed=42)
    plans, lines, streets, work = _load_demo(m)
    assert work.rule == "common" and work.crs.to_epsg() == 4548
    res = detect(plans, lines, streets, params=DetectParams(unit_column="XZQMC"), tables=tables)
    a = _kind_areas(res)
    f = m["facts"]
    assert a["LG_URBAN_CON"] == pytest.approx(f["lianggui"]["urban_con_land_non_m2"], rel=REL)
    assert a["LG_LAND_CON"] == pytest.approx(f["lianggui"]["land_con_urban_non_m2"], rel=REL)
    assert a["RL_URBAN"] == pytest.approx(f["redline"]["urban_plan_construction_m2"], rel=REL)
    assert a["RL_LAND"] == pytest.approx(f["redline"]["land_plan_construction_m2"], rel=REL)
    assert a["PF_URBAN"] == pytest.approx(f["farmland"]["under_urban_plan_construction_m2"], rel=REL)
    assert a["UB_URBAN"] == pytest.approx(f["dev_boundary"]["urban_construction_outside_m2"], rel=REL)
    share = sum(r["share"] for r in res.statistics if r["unit"] is None and r["kind"].startswith("LG_"))
    assert 0.08 <= share <= 0.12  # the 两规 difference classes together: 8-12 % of the district
    assert set(res.unit[res.unit_index >= 0]) <= set(m["district"]["streets"])
    kp = {c for c in res.codes["projects"][res.kind == "KP_LAND"]}
    assert len(kp) >= 3


def test_demo_district_with_dirt(tmp_path, tables):
    from multiplan.dev.demo_district import generate

    m = generate(str(tmp_path / "dirty"), parcels=2000, seed=42, dirt=True)
    plans, lines, streets, work = _load_demo(m)
    assert work.rule == "project" or work.rule == "gk_zone"  # inputs in 4548, 4549 and 4490
    res = detect(plans, lines, streets, params=DetectParams(unit_column="XZQMC"), tables=tables)
    dirt = m["dirt"]
    assert sorted(res.problems.cleaning["urban"].repaired_fids) == sorted(dirt["invalid_rings"]["fids"])
    rep = res.problems.cleaning["land"]
    assert set(dirt["gaps_overlaps"]["overlap_fids"]) <= set(rep.overlap_cut_fids) | set(
        rep.overlap_keep_fids
    )
    assert rep.overlap_areas.sum() == pytest.approx(dirt["gaps_overlaps"]["overlap_area_m2"], rel=1e-3)
    assert rep.gap_area == pytest.approx(dirt["gaps_overlaps"]["gap_area_m2"], rel=1e-3)
    unknown = {(u.role, u.code): sorted(u.fids.tolist()) for u in res.problems.unknown_codes}
    for role, key in (("urban", "urban_plan"), ("land", "land_plan")):
        layer = dirt["unknown_codes"]["layers"][key]
        assert unknown[(role, layer["code"])] == sorted(layer["fids"])
        assert unknown[(role, "<null>")] == sorted(dirt["null_codes"]["layers"][key]["fids"])
    # still an exact overlay of what is there
    assert len(res) > 100


def test_redetection_of_a_revised_demo_plan_keeps_every_untouched_patch(tmp_path, tables):
    """动态更新 on the revision mode: untouched ground keeps its ids, changed ground is flagged."""
    import json

    from multiplan.algorithms.identity import match
    from multiplan.dev.demo_district import generate

    base = generate(str(tmp_path / "v1"), parcels=2000, seed=42)
    rev = generate(
        str(tmp_path / "v2"), parcels=2000, seed=42, revision={"share": 0.05, "base": str(tmp_path / "v1")}
    )
    params = DetectParams(unit_column="XZQMC")

    def run(m):
        plans, lines, streets, _ = _load_demo(m)
        return detect(plans, lines, streets, params=params, tables=tables)

    r1 = run(base)
    first = match(None, r1.patch_set())
    assert (first.status == "new").all() and first.ids[0] == "P000001"
    old = r1.patch_set()
    old.ids = first.ids
    # the same input again: every patch is "same" and keeps its id
    again = match(old, run(base).patch_set())
    assert (again.status == "same").all() and np.array_equal(again.ids, first.ids)
    # the revised urban plan
    r2 = run(rev)
    m = match(old, r2.patch_set(), next_number=first.next_number)
    changes = json.loads(open(rev["revision"]["changes_json"], encoding="utf-8").read())
    t1 = read_table(base["layers"]["urban_plan"]["path"])
    t2 = read_table(rev["layers"]["urban_plan"]["path"])
    old_f = {int(f) for c in changes for f in c["old_fids"]}
    new_f = {int(f) for c in changes for f in c["new_fids"]}
    touched = shapely.union_all(
        np.concatenate([t1.geoms[np.isin(t1.fids, list(old_f))], t2.geoms[np.isin(t2.fids, list(new_f))]])
    )
    touched = shapely.buffer(touched, 0.5)
    urban_kinds = np.array([("urban" in k) for k in r2.code_key])
    clear_new = ~shapely.intersects(r2.geoms, touched) | ~urban_kinds
    assert (m.status[clear_new] == "same").all()  # untouched ground: same id, no flag
    kept = set(m.ids[m.status == "same"].tolist())
    old_urban = np.array([("urban" in k) for k in old.code_key])
    clear_old = ~shapely.intersects(old.geoms, touched) | ~old_urban
    assert set(old.ids[clear_old].tolist()) <= kept  # ... and nothing untouched closes
    # the revision did change differences: some flagged or new patches, some closed ones
    counts = m.counts
    assert counts["new"] + counts["recoded"] + counts["split"] + counts["merged"] + counts["reshaped"] > 0
    assert counts["changed"] + counts["closed"] > 0
    assert sum(
        counts[s] for s in ("same", "changed", "recoded", "split", "merged", "reshaped", "new")
    ) == len(r2)
    assert counts["closed"] == len(old) - (counts["same"] + counts["changed"])


def test_result_goes_into_the_blueprint_store_and_comes_back_for_matching(tmp_path, clean_district, tables):
    from multiplan.algorithms.identity import PatchSet, match
    from multiplan.algorithms.store import BlueprintStore

    res = _run(clean_district, tables)
    m = match(None, res.patch_set())
    patches, plans = res.to_store(m.ids, m.predecessors, extra={"match_status": m.status})
    path = tmp_path / "blueprint.gpkg"
    crs = res.crs_wkt
    store = BlueprintStore.create(str(path), project_name="t", crs_wkt=crs, crs_authid="EPSG:4548")
    run_id = store.begin_run("detect")
    with store.run_writer(run_id) as w:
        out = w.write_patches(patches, plans)
        w.finish()
    assert out["inserted"] == len(res) and out["plan_rows"] == len(res.patch_plans["patch"])
    back = store.patches(with_geometry=True, order_by="patch_id")
    assert len(back) == len(res)
    # what the next run's matching needs comes back unchanged: same fingerprints -> every patch "same"
    old = PatchSet(
        back.columns["kind"],
        back.columns["codes"],
        back.geoms,
        back.columns["fingerprint"],
        back.columns["patch_id"],
    )
    again = match(old, res.patch_set())
    assert (again.status == "same").all()
    assert sorted(again.ids.tolist()) == sorted(m.ids.tolist())
    pp = store.patch_plans()
    assert set(pp["role"].tolist()) >= {"urban", "land"}
