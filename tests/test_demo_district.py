"""The demo district generator (issue 2 item 3): determinism, documented shares, CRS, GBK, dirt, revision.

Every number the generator claims in ``manifest.json`` is checked here against the files it wrote,
with independent computations (parcel-by-parcel overlays, not the generator's own unit-level ones).
Runs are small (2k parcels, about a second and a half each) and shared by the module.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from multiplan.algorithms.vector_io import read_table
from multiplan.dev import demo_district as dd
from osgeo import gdal, ogr
from pyproj import Transformer

gdal.UseExceptions()

N = 2000
SEED = 7
ROOT = Path(__file__).resolve().parents[1]
LAYERS = {
    "truth",
    "urban_plan",
    "land_plan",
    "current_landuse",
    "development_plan",
    "key_projects",
    "key_projects_pt",
    "eco_plan",
    "streets",
    "redline",
    "farmland",
    "dev_boundary",
}


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    """Generated folders, made on first use and shared by the module's tests."""
    root = tmp_path_factory.mktemp("demo")
    runs: dict[str, dict] = {}

    def get(name: str, **kw) -> dict:
        if name not in runs:
            if name == "revised":
                kw = {"revision": {"share": 0.05, "plan": "urban_plan", "base": get("base")["out_dir"]}}
            elif name == "dirty_revised":
                get("dirty")
                kw = {"dirt": True, "revision": 0.05}
            elif name == "dirty":
                kw = {"dirt": True}
            seed = kw.pop("seed", SEED)
            runs[name] = dd.generate(root / name, parcels=N, seed=seed, **kw)
        return runs[name]

    return get


def read(info: dict, fields: list[str], encoding: str | None = None):
    """fids, shapely geometries (in the file's CRS) and columns, feature by feature through OGR."""
    from multiplan.algorithms.vector_io import gdal_decides_shapefile_encoding

    opts = [f"ENCODING={encoding}"] if encoding else []
    fids, geoms, cols = [], [], {f: [] for f in fields}
    with gdal_decides_shapefile_encoding():  # QGIS (loaded by other tests) sets SHAPE_ENCODING=""
        ds = gdal.OpenEx(info["path"], gdal.OF_VECTOR, open_options=opts)
        lyr = ds.GetLayer(0)
        for f in lyr:
            fids.append(f.GetFID())
            geoms.append(shapely.from_wkb(bytes(f.GetGeometryRef().ExportToIsoWkb())))
            for name in fields:
                cols[name].append(f.GetField(name) if f.IsFieldSetAndNotNull(name) else None)
    return (
        np.array(fids),
        np.array(geoms, dtype=object),
        {k: np.array(v, dtype=object) for k, v in cols.items()},
    )


def file_digest(path: str) -> str:
    p = Path(path)
    h = hashlib.sha256()
    for side in sorted(p.parent.glob(p.stem + ".*")):
        h.update(side.name.encode())
        h.update(side.read_bytes())
    return h.hexdigest()


def pair_area(a: np.ndarray, b: np.ndarray) -> float:
    """Area of (∪a) ∩ (∪b) for two internally non-overlapping sets, parcel pair by parcel pair."""
    tree = shapely.STRtree(b)
    ia, ib = tree.query(a, predicate="intersects")
    return float(shapely.area(shapely.intersection(a[ia], b[ib])).sum())


def to_main(geoms: np.ndarray, epsg: int) -> np.ndarray:
    tf = Transformer.from_crs(epsg, dd.EPSG_MAIN, always_xy=True)
    return shapely.transform(geoms, lambda xy: np.c_[tf.transform(xy[:, 0], xy[:, 1])])


def stripped(manifest: dict) -> dict:
    m = json.loads(json.dumps(manifest))
    m.pop("timings_s")
    m.pop("out_dir")
    for info in m["layers"].values():
        info["path"] = Path(info["path"]).name
    return m


# --------------------------------------------------------------------------------------------- API


def test_bad_arguments_are_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="parcels"):
        dd.generate(tmp_path / "x", parcels=500)
    with pytest.raises(ValueError, match="unknown dirt"):
        dd.generate(tmp_path / "x", parcels=N, dirt={"mud"})
    with pytest.raises(ValueError, match="share"):
        dd.generate(tmp_path / "x", parcels=N, revision=0.9)
    assert not (tmp_path / "x" / "manifest.json").exists()


def test_manifest_lists_every_layer_and_load_manifest_returns_it(gen):
    m = gen("base")
    assert m["schema"] == dd.SCHEMA
    assert set(m["layers"]) == LAYERS
    assert m["generator"] == {
        "version": dd.GENERATOR_VERSION,
        "seed": SEED,
        "parcels": N,
        "dirt": [],
        "revision": None,
    }
    for key, info in m["layers"].items():
        assert Path(info["path"]).is_absolute() and Path(info["path"]).exists(), key
        assert info["layer"] == key and info["crs"] == "EPSG:4548" and info["format"] == "GPKG"
        assert info["count"] > 0
        if info["code_field"]:
            assert info["code_field"] in info["fields"] and info["fields"][info["code_field"]] == "text"
    assert m["layers"]["urban_plan"]["standard"] == "GB50137-2011"
    assert m["layers"]["land_plan"]["standard"] == "TDT1024-2010"
    assert m["layers"]["current_landuse"]["standard"] == "GBT21010-2017"
    assert m["layers"]["current_landuse"]["code_field"] == "DLBM"
    assert "KCXS" in m["layers"]["farmland"]["fields"]
    assert dd.load_manifest(m["out_dir"]) == {k: v for k, v in m.items()}
    # the three plans have the requested size
    for plan in ("urban_plan", "land_plan", "current_landuse"):
        assert abs(m["layers"][plan]["count"] - N) <= 5


def test_ensure_generated_reuses_a_matching_folder_only(gen, tmp_path):
    out = tmp_path / "cached"
    first = dd.ensure_generated(out, parcels=1000, seed=5)
    stamp = {k: Path(v["path"]).stat().st_mtime_ns for k, v in first["layers"].items()}
    again = dd.ensure_generated(out, parcels=1000, seed=5)
    assert again == first
    assert {k: Path(v["path"]).stat().st_mtime_ns for k, v in again["layers"].items()} == stamp
    other = dd.ensure_generated(out, parcels=1000, seed=5, dirt={"null_codes"})
    assert other["generator"]["dirt"] == ["null_codes"] and "null_codes" in other["dirt"]


# ------------------------------------------------------------------------------------ determinism


def test_same_seed_gives_identical_files(gen):
    a, b = gen("base"), gen("again", seed=SEED)
    assert stripped(a) == stripped(b)
    for key in a["layers"]:
        assert file_digest(a["layers"][key]["path"]) == file_digest(b["layers"][key]["path"]), key
    c = gen("other", seed=SEED + 1)
    assert c["layers"]["truth"]["content_hash"] != a["layers"]["truth"]["content_hash"]
    assert c["layers"]["urban_plan"]["content_hash"] != a["layers"]["urban_plan"]["content_hash"]


def test_content_hash_describes_what_is_in_the_file(gen):
    """The manifest's hash is recomputed from the file as read back: fids, WKB, attribute values."""
    m = gen("base")
    info = m["layers"]["streets"]
    fids, geoms, cols = read(info, list(info["fields"]))
    g = shapely.multipolygons(
        shapely.get_parts(geoms), indices=shapely.get_parts(geoms, return_index=True)[1]
    )
    wkb = shapely.to_wkb(g, output_dimension=2, byte_order=1)
    fields = [(k, v, cols[k]) for k, v in info["fields"].items()]
    assert dd._content_hash(fids, wkb, fields) == info["content_hash"]


# ---------------------------------------------------------------------------------- readability


@pytest.mark.parametrize("run", ["base", "dirty"])
def test_every_layer_is_readable_in_its_stated_crs(gen, run):
    m = gen(run)
    for key, info in m["layers"].items():
        ds = gdal.OpenEx(
            info["path"], gdal.OF_VECTOR, open_options=["ENCODING=GBK"] if info["encoding"] == "GBK" else []
        )
        lyr = ds.GetLayer(0)
        assert lyr.GetFeatureCount() == info["count"], key
        srs = lyr.GetSpatialRef()
        srs.AutoIdentifyEPSG()
        assert f"EPSG:{srs.GetAuthorityCode(None)}" == info["crs"], key
        defn = lyr.GetLayerDefn()
        for name, kind in info["fields"].items():
            fd = defn.GetFieldDefn(defn.GetFieldIndex(name))
            expected = {
                "text": ogr.OFTString,
                "real": ogr.OFTReal,
                "int": (ogr.OFTInteger, ogr.OFTInteger64),
            }[kind]
            assert fd.GetType() in np.atleast_1d(expected), (key, name)
        t = read_table(info["path"], encoding=info["encoding"] if info["encoding"] == "GBK" else None)
        bad = set(t.fids[~shapely.is_valid(t.geoms)].tolist())
        expected_bad = (
            set(m["dirt"]["invalid_rings"]["fids"]) if run == "dirty" and key == "urban_plan" else set()
        )
        assert bad == expected_bad, key
    dv = m["layers"]["dev_boundary"]
    assert dv["count"] == 1 and m["facts"]["dev_boundary"]["vertices"] >= 1000


# ------------------------------------------------------------------------------- documented shares


@pytest.mark.parametrize("seed", [SEED, 1234])
def test_documented_shares_hold(gen, seed):
    f = gen("base" if seed == SEED else f"seed{seed}", seed=seed)["facts"]
    lg = f["lianggui"]
    assert 0.08 <= lg["difference_share"] <= 0.12
    assert lg["urban_con_land_non_share"] > lg["land_con_urban_non_share"] > 0.01
    assert (
        abs(lg["difference_share"] - lg["urban_con_land_non_share"] - lg["land_con_urban_non_share"]) < 1e-5
    )
    red = f["redline"]
    assert 3 <= red["count"] <= 12
    assert red["water_in_redline_share"] >= 0.95 and red["forest_in_redline_share"] >= 0.5
    assert red["urban_plan_construction_m2"] > 0 and red["land_plan_construction_m2"] > 0
    fl = f["farmland"]
    assert (
        fl["in_redline_m2"] > 0
        and fl["in_dev_boundary_m2"] > 0
        and fl["under_urban_plan_construction_m2"] > 0
    )
    assert f["dev_boundary"]["urban_construction_outside_m2"] > 0
    assert f["key_projects"]["on_land_non_construction"] >= 3
    assert f["new_construction"]["urban_plan_m2"] > f["new_construction"]["land_plan_m2"] > 0
    assert abs(f["district_area_m2"] - 900e6) < 1e3


def test_lianggui_shares_match_an_independent_parcel_overlay(gen):
    m = gen("base")
    _, ug, uc = read(m["layers"]["urban_plan"], ["YDDM"])
    _, lg, lc = read(m["layers"]["land_plan"], ["GHDLBM"])
    ucon = np.array([dd.gb50137_construction(c) for c in uc["YDDM"]])
    lcon = np.array([dd.tdt1024_construction(c) for c in lc["GHDLBM"]])
    # each plan tiles the district (up to its own few metres of digitisation)
    for g in (ug, lg):
        assert abs(shapely.area(g).sum() / 900e6 - 1) < 2e-4
        assert abs(shapely.union_all(g).area - shapely.area(g).sum()) < 1.0
    a2 = pair_area(ug[ucon], lg[~lcon])
    a3 = pair_area(lg[lcon], ug[~ucon])
    f = m["facts"]["lianggui"]
    assert a2 == pytest.approx(f["urban_con_land_non_m2"], rel=1e-6)
    assert a3 == pytest.approx(f["land_con_urban_non_m2"], rel=1e-6)
    # the urban plan uses GB 50137 codes only, the land plan TD/T 1024 only, both with names
    assert set(uc["YDDM"]) <= set(dd.GB50137_NAMES)
    assert set(lc["GHDLBM"]) <= set(dd.TDT1024_NAMES)
    assert {"R2", "M1", "A33", "S1", "G1", "E2", "H14", "H21", "H22", "E12"} <= set(uc["YDDM"])
    assert {"11", "13", "211", "212", "222", "226", "311"} <= set(lc["GHDLBM"])


def test_control_lines_and_current_landuse_match_the_facts(gen):
    m = gen("base")
    f = m["facts"]
    _, fg, fc = read(m["layers"]["farmland"], ["KCXS", "DLBM", "TBMJ"])
    _, rg, _ = read(m["layers"]["redline"], [])
    _, dg, _ = read(m["layers"]["dev_boundary"], [])
    _, ug, uc = read(m["layers"]["urban_plan"], ["YDDM"])
    kcxs = fc["KCXS"].astype(float)
    assert kcxs.min() >= 0.0 and kcxs.max() <= 0.15 and kcxs.std() > 0
    assert set(fc["DLBM"]) <= set(dd.FARMLAND_CODES)
    assert shapely.area(fg).sum() == pytest.approx(f["farmland"]["area_m2"], rel=1e-6)
    assert pair_area(fg, rg) == pytest.approx(f["farmland"]["in_redline_m2"], rel=1e-4)
    assert pair_area(fg, dg) == pytest.approx(f["farmland"]["in_dev_boundary_m2"], rel=1e-4)
    ucon = np.array([dd.gb50137_construction(c) for c in uc["YDDM"]])
    assert pair_area(ug[ucon], rg) == pytest.approx(f["redline"]["urban_plan_construction_m2"], rel=1e-4)
    urban = np.array([c[0] in "RABMWSUG" for c in uc["YDDM"]])
    outside = shapely.area(ug[urban]).sum() - pair_area(ug[urban], dg)
    assert outside == pytest.approx(f["dev_boundary"]["urban_construction_outside_m2"], rel=1e-4)
    # 新增建设用地 of the urban plan against 三调 by its legal 三大类
    _, cg, cc = read(m["layers"]["current_landuse"], ["DLBM"])
    cnon = np.array([not dd.gbt21010_construction(c) for c in cc["DLBM"]])
    assert set(cc["DLBM"]) <= set(dd.GBT21010_NAMES)
    assert {"05H1", "08H1", "1104A", "0201K"} & set(cc["DLBM"])  # 三调 working codes occur
    assert pair_area(ug[ucon], cg[cnon]) == pytest.approx(f["new_construction"]["urban_plan_m2"], rel=1e-4)
    # streets cover the district; key projects: polygons and points with an area
    _, sg, sc = read(m["layers"]["streets"], ["XZQMC", "XZQDM"])
    assert 8 <= len(sg) <= 12 and shapely.union_all(sg).area == pytest.approx(900e6, rel=1e-9)
    assert all(len(c) == 12 for c in sc["XZQDM"])
    _, pg, pc = read(m["layers"]["key_projects_pt"], ["XMMJ", "XMMC"])
    assert (shapely.get_type_id(pg) == 0).all() and (pc["XMMJ"].astype(float) > 0).all()
    _, eg, ec = read(m["layers"]["eco_plan"], ["GKJB"])
    assert set(ec["GKJB"]) == set(dd.ECO_LEVELS)
    _, zg, zc = read(m["layers"]["development_plan"], ["GNQLX"])
    assert set(zc["GNQLX"]) == set(dd.ZONE_TYPES)


# ----------------------------------------------------------------------------------------- dirt


def test_gbk_shapefiles_decode_only_with_the_right_encoding(gen):
    m = gen("dirty")
    eco, dev = m["layers"]["eco_plan"], m["layers"]["development_plan"]
    assert eco["format"] == dev["format"] == "ESRI Shapefile"
    # with a .cpg: GDAL recodes by itself
    assert Path(eco["path"]).with_suffix(".cpg").read_text().strip() == "GBK"
    _, _, cols = read(eco, ["GKJB"])
    assert set(cols["GKJB"]) == set(dd.ECO_LEVELS)
    # without .cpg and with LDID 0: the file does not say, and reading it blind gives garbage
    dbf = Path(dev["path"]).with_suffix(".dbf")
    assert not Path(dev["path"]).with_suffix(".cpg").exists()
    assert dbf.read_bytes()[29] == 0
    ds = gdal.OpenEx(dev["path"], gdal.OF_VECTOR)
    lyr = ds.GetLayer(0)
    assert not lyr.GetMetadataItem("SOURCE_ENCODING", "SHAPEFILE")
    raw = [bytes(f.GetFieldAsBinary("GNQLX")) for f in lyr]
    assert {r.decode("gbk") for r in raw} == set(dd.ZONE_TYPES)
    with pytest.raises(UnicodeDecodeError):
        raw[0].decode("utf-8")
    blind = read_table(dev["path"], columns=["GNQLX"]).column("GNQLX")
    assert not set(blind.tolist()) & set(dd.ZONE_TYPES)
    told = read_table(dev["path"], columns=["GNQLX", "JDMC"], encoding="GBK")
    assert set(told.column("GNQLX").tolist()) == set(dd.ZONE_TYPES)
    assert set(told.column("JDMC").tolist()) <= {s[0] for s in dd.STREETS}


def test_dirt_counts_and_fids_match_the_manifest(gen):
    clean, m = gen("base"), gen("dirty")
    d = m["dirt"]
    assert set(d) == set(dd.ALL_DIRT)
    assert m["generator"]["dirt"] == list(dd.ALL_DIRT)
    # urban plan: bow-ties, nulls, R5; every other parcel exactly as in the clean run
    ufid, ug, uc = read(m["layers"]["urban_plan"], ["YDDM", "DKBH"])
    cfid, cg, cc = read(clean["layers"]["urban_plan"], ["YDDM", "DKBH"])
    assert (ufid == cfid).all()
    invalid = set(ufid[~shapely.is_valid(ug)].tolist())
    assert invalid == set(d["invalid_rings"]["fids"]) and len(invalid) == d["invalid_rings"]["count"] >= 5
    reasons = {shapely.is_valid_reason(g).split("[")[0] for g in ug[~shapely.is_valid(ug)]}
    assert reasons == {"Self-intersection"}
    nulls = set(ufid[[c is None for c in uc["YDDM"]]].tolist())
    assert nulls == set(d["null_codes"]["layers"]["urban_plan"]["fids"])
    r5 = ufid[uc["YDDM"] == "R5"]
    assert set(r5.tolist()) == set(d["unknown_codes"]["layers"]["urban_plan"]["fids"])
    touched = invalid | nulls | set(r5.tolist())
    same = ~np.isin(ufid, list(touched))
    assert (shapely.to_wkb(ug[same]) == shapely.to_wkb(cg[same])).all()
    assert (uc["YDDM"][same] == cc["YDDM"][same]).all()
    # land plan: nulls, 219, gaps and overlaps, and written in the neighbouring zone
    assert m["layers"]["land_plan"]["crs"] == "EPSG:4549"
    lfid, lg, lc = read(m["layers"]["land_plan"], ["GHDLBM"])
    lg = to_main(lg, 4549)
    bfid, bg, bc = read(clean["layers"]["land_plan"], ["GHDLBM"])
    assert (lfid == bfid).all()
    assert set(lfid[[c is None for c in lc["GHDLBM"]]].tolist()) == set(
        d["null_codes"]["layers"]["land_plan"]["fids"]
    )
    assert set(lfid[lc["GHDLBM"] == "219"].tolist()) == set(d["unknown_codes"]["layers"]["land_plan"]["fids"])
    go = d["gaps_overlaps"]
    delta = shapely.area(bg) - shapely.area(lg)
    changed = set(lfid[np.abs(delta) > 0.01].tolist())
    assert changed == set(go["gap_fids"]) | set(go["overlap_fids"])
    gap = np.isin(lfid, go["gap_fids"])
    assert (delta[gap] > 0).all() and delta[gap].sum() == pytest.approx(go["gap_area_m2"], rel=1e-4)
    tree = shapely.STRtree(lg)
    i, j = tree.query(lg, predicate="intersects")
    i, j = i[i < j], j[i < j]
    ov = shapely.area(shapely.intersection(lg[i], lg[j]))
    real = ov > 0.01
    grown = set(go["overlap_fids"])
    assert all(lfid[a] in grown or lfid[b] in grown for a, b in zip(i[real], j[real]))
    assert ov[real].sum() == pytest.approx(go["overlap_area_m2"], rel=1e-3)
    # a geographic layer
    red = m["layers"]["redline"]
    assert red["crs"] == "EPSG:4490" == d["crs_4490"]["crs"]
    _, rg, _ = read(red, [])
    x0, y0, x1, y1 = shapely.total_bounds(rg)
    assert 117.5 < x0 < x1 < 119.0 and 31.5 < y0 < y1 < 32.5
    # the clean layers of the dirty run are the clean run's layers
    for key in ("truth", "current_landuse", "farmland", "streets", "dev_boundary", "key_projects"):
        assert m["layers"][key]["content_hash"] == clean["layers"][key]["content_hash"], key


# ------------------------------------------------------------------------------------- revision


def _by_id(info: dict, id_field: str, code_field: str):
    fids, geoms, cols = read(info, [id_field, code_field])
    ids = cols[id_field].tolist()
    return {k: (int(f), g, c) for k, f, g, c in zip(ids, fids, geoms, cols[code_field].tolist())}


def test_revision_change_record_matches_the_files(gen):
    base, rev = gen("base"), gen("revised")
    r = rev["revision"]
    assert r["plan"] == "urban_plan" and r["base_checked"] is True
    rows = json.loads(Path(r["changes_json"]).read_text("utf-8"))
    with open(r["changes_csv"], encoding="utf-8") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert len(csv_rows) == len(rows)
    assert [c["change"] for c in csv_rows] == [x["change"] for x in rows]
    kinds = {k: sum(x["change"] == k for x in rows) for k in dd.REVISION_MIX}
    assert {k: v for k, v in kinds.items() if v} == r["counts"]
    assert all(kinds[k] >= 3 for k in kinds), kinds
    assert abs(r["changed_parcels"] - 0.05 * N) <= 0.2 * 0.05 * N
    # every other layer is the base's
    for key in LAYERS - {"urban_plan"}:
        assert rev["layers"][key]["content_hash"] == base["layers"][key]["content_hash"], key
    old = _by_id(base["layers"]["urban_plan"], "DKBH", "YDDM")
    new = _by_id(rev["layers"]["urban_plan"], "DKBH", "YDDM")
    seen: set[str] = set()
    for x in rows:
        seen.update(x["old_ids"])
        seen.update(x["new_ids"])
        for i, f in zip(x["old_ids"], x["old_fids"]):
            assert old[i][0] == f
        for i, f in zip(x["new_ids"], x["new_fids"]):
            assert new[i][0] == f
        assert [old[i][2] for i in x["old_ids"]] == x["old_codes"]
        assert [new[i][2] for i in x["new_ids"]] == x["new_codes"]
        og = [old[i][1] for i in x["old_ids"]]
        ng = [new[i][1] for i in x["new_ids"]]
        if x["change"] == "recoded":
            assert og[0].equals_exact(ng[0], 0) and x["old_codes"] != x["new_codes"]
            assert x["construction_changed"] == (
                dd.gb50137_construction(x["old_codes"][0]) != dd.gb50137_construction(x["new_codes"][0])
            )
        elif x["change"] == "reshaped":
            inter = og[0].intersection(ng[0]).area
            assert inter / og[0].union(ng[0]).area == pytest.approx(x["iou"], abs=1e-9)
            assert 0 < x["iou"] < 1
        elif x["change"] == "split":
            assert len(ng) == 2 and x["old_ids"][0] not in new
            assert sum(g.area for g in ng) == pytest.approx(og[0].area, rel=1e-9)
            assert shapely.union_all(ng).symmetric_difference(og[0]).area < 1e-3
        elif x["change"] == "merged":
            assert len(og) == 2 and not set(x["old_ids"]) & set(new)
            assert ng[0].area == pytest.approx(og[0].area + og[1].area, rel=1e-9)
        elif x["change"] == "deleted":
            assert x["new_ids"] == [] and x["old_ids"][0] not in new
    # whatever the record does not mention is untouched
    for k in set(old) - seen:
        assert new[k][0] == old[k][0] and new[k][2] == old[k][2] and new[k][1].equals_exact(old[k][1], 0)
    assert len(new) == len(old) - kinds["deleted"] + kinds["split"] - kinds["merged"]
    # the reshaped pairs keep their joint area: a boundary moved, nothing appeared
    reshaped = [x for x in rows if x["change"] == "reshaped"]
    assert sum(x["new_area_m2"] for x in reshaped) == pytest.approx(
        sum(x["old_area_m2"] for x in reshaped), rel=1e-9
    )


def test_revision_with_dirt_keeps_the_base_dirt(gen):
    base, rev = gen("dirty"), gen("dirty_revised")
    for kind in ("invalid_rings", "null_codes", "unknown_codes"):
        assert rev["dirt"][kind] == base["dirt"][kind], kind
    rows = json.loads(Path(rev["revision"]["changes_json"]).read_text("utf-8"))
    dirty_fids = set(base["dirt"]["invalid_rings"]["fids"]) | set(
        base["dirt"]["null_codes"]["layers"]["urban_plan"]["fids"]
    )
    assert not dirty_fids & {f for x in rows for f in x["old_fids"]}


# ------------------------------------------------------------------------------------------ CLI


def test_command_line(tmp_path):
    out = tmp_path / "plans"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "dev" / "demo_district.py"),
            "--parcels",
            "1000",
            "--out",
            str(out),
            "--seed",
            "3",
            "--dirt",
            "null_codes,crs_4490",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    m = dd.load_manifest(out)
    assert set(m["dirt"]) == {"null_codes", "crs_4490"}
    assert m["generator"]["seed"] == 3 and m["layers"]["urban_plan"]["count"] == 1000
    assert "两规" in proc.stdout
