"""multiplan:detectdifferences through real Processing on real files: the dirty demo district, the
Copernicus N2K land cover (2006 vs 2012 MAES classes) and PLATEAU Numazu (one plan plus lines).

The engine's own correctness (areas against independent overlays, identity cases, slivers) is in
test_detect_engine.py / test_overlay.py / test_identity.py; these tests show the whole run — reading,
reprojection, the blueprint transaction and the three outputs — on the data a user would give it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from mp_testing import (
    MAES_CSV,
    detect_params,
    gpkg_layer,
    harmonise_demo,
    is_null,
    processing_with_provider,
)

USER = 8  # harmonisecodes: user crosswalk only


@pytest.fixture(scope="module")
def dirty(qgis_processing, demo_dirty, tmp_path_factory):
    """The dirty demo district with its four plans harmonised: (folder, manifest, harmonised paths)."""
    folder, manifest = demo_dirty
    processing = processing_with_provider()
    out = tmp_path_factory.mktemp("harmonised_dirty")
    return folder, manifest, harmonise_demo(processing, folder, manifest, out)


@pytest.fixture(scope="module")
def dirty_run(dirty, tmp_path_factory):
    """One detection run of the dirty district into a new blueprint: (result dict, params, messages)."""
    from mp_testing import RecordingFeedback

    folder, manifest, plans = dirty
    out = tmp_path_factory.mktemp("detect_dirty")
    params = detect_params(folder, manifest, plans, out, blueprint=out / "blueprint.gpkg")
    fb = RecordingFeedback()
    res = processing_with_provider().run("multiplan:detectdifferences", params, feedback=fb)
    return res, params, fb.text()


def features(path):
    return list(gpkg_layer(path).getFeatures())


def test_dirty_demo_district_into_a_new_blueprint(dirty, dirty_run):
    from multiplan.algorithms.store import BlueprintStore

    folder, manifest, plans = dirty
    res, params, messages = dirty_run
    # inputs in EPSG:4548, 4549 (land plan) and 4490 (red line): the CGCS2000 GK zone of the centroid
    assert res["WORKING_CRS_USED"] == "EPSG:4548"
    assert "3-degree Gauss-Krüger zone" in messages
    assert res["N_PATCHES"] > 300 and res["N_NEW"] == res["N_PATCHES"] and res["N_CLOSED"] == 0
    patches = features(res["PATCHES"])
    assert len(patches) == res["N_PATCHES"]
    kinds = {f["kind"] for f in patches}
    assert {"LG_URBAN_CON", "LG_LAND_CON", "RL_URBAN", "PF_URBAN", "UB_URBAN", "KP_LAND"} <= kinds
    # per-plan codes, areas, street, slivers, fingerprint, identity status on every patch
    f = next(x for x in patches if x["kind"] == "LG_URBAN_CON")
    assert f["code_urban"] and f["code_land"] and f["codes"].startswith("urban:")
    assert f["area_planar"] > 0 and abs(f["area_ellipsoidal"] / f["area_planar"] - 1) < 1e-3
    assert f["unit"] in manifest["district"]["streets"] and len(f["fingerprint"]) == 20
    assert f["match_status"] == "new" and f["patch_id"].startswith("P")
    slivers = [x for x in patches if x["is_sliver"]]
    assert slivers and all(x["sliver_reason"] for x in slivers)
    # 两规: close to the generator's (clean) facts — the dirt moves them by its own small area
    area = {}
    for x in patches:
        area[x["kind"]] = area.get(x["kind"], 0.0) + x["area_planar"]
    facts = manifest["facts"]["lianggui"]
    assert area["LG_URBAN_CON"] == pytest.approx(facts["urban_con_land_non_m2"], rel=0.03)
    assert area["LG_LAND_CON"] == pytest.approx(facts["land_con_urban_non_m2"], rel=0.05)
    # patches of one kind never overlap
    geoms = np.array([shapely.from_wkb(bytes(x.geometry().asWkb())) for x in patches], dtype=object)
    kind = np.array([x["kind"] for x in patches])
    for k in ("LG_URBAN_CON", "PF_URBAN"):
        g = geoms[kind == k]
        i, j = shapely.STRtree(g).query(g, predicate="intersects")
        m = i < j
        assert shapely.area(shapely.intersection(g[i[m]], g[j[m]])).sum() < 1e-3
    # statistics: district rows equal the patches; shares of the district's area
    stats = features(res["STATISTICS"])
    whole = {r["kind"]: r for r in stats if is_null(r["unit"])}
    assert whole["LG_URBAN_CON"]["count"] == int((kind == "LG_URBAN_CON").sum())
    assert whole["LG_URBAN_CON"]["area_planar"] == pytest.approx(area["LG_URBAN_CON"], rel=1e-9)
    assert whole["LG_URBAN_CON"]["share"] == pytest.approx(area["LG_URBAN_CON"] / 9e8, rel=1e-3)
    per_street = [r for r in stats if r["kind"] == "LG_URBAN_CON" and not is_null(r["unit"])]
    assert sum(r["count"] for r in per_street) == whole["LG_URBAN_CON"]["count"]
    # the blueprint holds the same patches, their plans, the plan copies and a finished run
    with BlueprintStore.open(params["BLUEPRINT"], readonly=True) as s:
        t = s.patches(with_geometry=False, columns=["patch_id", "kind"])
        assert len(t) == res["N_PATCHES"]
        pp = s.patch_plans()
        assert set(pp["patch_id"].tolist()) == set(t.columns["patch_id"].tolist())
        layers = s.layers()
        for role in ("urban", "land", "development", "eco", "projects"):
            assert f"plan_{role}" in layers
        assert (
            len(s.read_layer("plan_urban", with_geometry=False)) == manifest["layers"]["urban_plan"]["count"]
        )
        run = s.runs()[-1]
        assert (run["kind"], run["status"], run["run_id"]) == ("detect", "finished", res["RUN_ID"])
        inputs = run["inputs"] if isinstance(run["inputs"], list) else json.loads(run["inputs"])
        assert {x["role"]: x["kind"] for x in inputs}["development"] == "zones"
        assert all(len(x["content_hash"]) == 64 for x in inputs)
        assert s.info().crs_authid == "EPSG:4548"


def test_dirt_is_reported_by_feature_id(dirty, dirty_run):
    folder, manifest, plans = dirty
    res, params, messages = dirty_run
    rows = features(res["PROBLEMS"])
    by = {}
    for r in rows:
        by.setdefault((r["input"], r["problem"]), []).append(r)
    dirt = manifest["dirt"]
    # gaps and overlaps inside the land plan: reported with their areas, counted once
    ovl = by[("land", "overlap")][0]
    assert ovl["area"] == pytest.approx(dirt["gaps_overlaps"]["overlap_area_m2"], rel=1e-3)
    kept_cut = {int(x) for pair in ovl["fids"].split(",") for x in pair.split(">")}
    assert set(dirt["gaps_overlaps"]["overlap_fids"]) <= kept_cut
    assert by[("land", "gap")][0]["area"] == pytest.approx(dirt["gaps_overlaps"]["gap_area_m2"], rel=1e-3)
    # null and unknown codes: every feature id listed
    listed = {
        (r["input"], int(f))
        for key in (("urban", "unknown_code"), ("land", "unknown_code"))
        for r in by.get(key, [])
        for f in r["fids"].split(",")
    }
    for role, layer in (("urban", "urban_plan"), ("land", "land_plan")):
        want = set(dirt["null_codes"]["layers"][layer]["fids"]) | set(
            dirt["unknown_codes"]["layers"][layer]["fids"]
        )
        assert {(role, int(f)) for f in want} <= listed
    # reprojections are noted
    notes = " ".join(r["note"] for r in rows if r["problem"] == "note")
    assert "Plan 'land' was reprojected from EPSG:4549" in notes
    assert "Control line 'redline' was reprojected from EPSG:4490" in notes


def test_unharmonised_and_empty_inputs_are_refused(mp_processing, dirty, tmp_path):
    from mp_testing import demo_source
    from qgis.core import QgsProcessingException, QgsVectorLayer

    folder, manifest, plans = dirty
    params = detect_params(folder, manifest, plans, tmp_path)
    params["URBAN"] = demo_source(folder, manifest, "urban_plan")  # the raw plan
    with pytest.raises(QgsProcessingException) as err:
        mp_processing.run("multiplan:detectdifferences", params)
    assert "multiplan:harmonisecodes" in str(err.value) and "urban_plan" in str(err.value)
    # an empty harmonised layer
    empty = QgsVectorLayer(plans["land_plan"], "land", "ogr")
    empty.setSubsetString("fid < 0")
    params = detect_params(folder, manifest, plans, tmp_path, LAND=empty)
    with pytest.raises(QgsProcessingException) as err:
        mp_processing.run("multiplan:detectdifferences", params)
    assert "empty" in str(err.value)
    # one plan and no line
    with pytest.raises(QgsProcessingException):
        mp_processing.run(
            "multiplan:detectdifferences",
            {
                "URBAN": plans["urban_plan"],
                "PATCHES": "memory:",
                "STATISTICS": "memory:",
                "PROBLEMS": "memory:",
            },
        )


def test_the_same_layer_given_twice_is_warned_about(mp_processing, dirty):
    from mp_testing import RecordingFeedback

    _folder, _manifest, plans = dirty
    fb = RecordingFeedback()
    res = mp_processing.run(
        "multiplan:detectdifferences",
        {
            "URBAN": plans["urban_plan"],
            "LAND": plans["urban_plan"],
            "PATCHES": "memory:",
            "STATISTICS": "memory:",
            "PROBLEMS": "memory:",
        },
        feedback=fb,
    )
    assert res["N_PATCHES"] == 0
    assert "urban and land are the same layer" in fb.text() and plans["urban_plan"] in fb.text()


def test_n2k_2006_vs_2012_construction_patches_exactly_on_the_changed_flags(
    mp_processing, n2k_copy, tmp_path
):
    """Identical geometry, MAES classes of 2006 and 2012 through a user crosswalk (level 1 = 1 urban is
    construction): 两规 patches exactly on the 5 polygons whose flag changed (84,201 m²), class-level
    patches only on the 50 whose MAES_4 changed."""
    from multiplan.algorithms.vector_io import read_table

    harmonised = {}
    for year in ("06", "12"):
        harmonised[year] = mp_processing.run(
            "multiplan:harmonisecodes",
            {
                "INPUT": str(n2k_copy),
                "CODE_FIELD": f"MAES_4_{year}",
                "STANDARD": USER,
                "CROSSWALK": str(MAES_CSV),
                "OUTPUT": str(tmp_path / f"maes_{year}.gpkg"),
                "UNMAPPED": "memory:",
            },
        )["OUTPUT"]
    res = mp_processing.run(
        "multiplan:detectdifferences",
        {
            "URBAN": harmonised["12"],
            "LAND": harmonised["06"],
            "BLUEPRINT": str(tmp_path / "n2k.gpkg"),
            "PATCHES": str(tmp_path / "patches.gpkg"),
            "STATISTICS": "memory:",
            "PROBLEMS": "memory:",
        },
    )
    t = read_table(str(n2k_copy))
    c06 = np.asarray(t.column("MAES_1_06")) == 1
    c12 = np.asarray(t.column("MAES_1_12")) == 1
    flag_changed = c06 != c12
    code_changed = np.asarray(t.column("MAES_4_06")) != np.asarray(t.column("MAES_4_12"))
    assert flag_changed.sum() == 5 and code_changed.sum() == 50
    patches = features(res["PATCHES"])
    geoms = np.array([shapely.from_wkb(bytes(f.geometry().asWkb())) for f in patches], dtype=object)
    kind = np.array([f["kind"] for f in patches])
    lg = np.isin(kind, ["LG_URBAN_CON", "LG_LAND_CON"])
    want = shapely.union_all(t.geoms[flag_changed])
    assert sum(f["area_planar"] for f, x in zip(patches, lg) if x) == pytest.approx(84201, abs=1.0)
    assert shapely.symmetric_difference(shapely.union_all(geoms[lg]), want).area < 1e-3
    # nothing where MAES_4 did not change
    changed = shapely.union_all(t.geoms[code_changed])
    assert shapely.difference(shapely.union_all(geoms), changed).area < 1e-3
    # MAES has no 用地用海 equivalent: the source code stands in, so the combination still says what changed
    assert all("urban:~USER:MAES:" in f["codes"] and "land:~USER:MAES:" in f["codes"] for f in patches)


def test_numazu_one_plan_and_two_lines(mp_processing, numazu_copy, tmp_path):
    """PLATEAU Numazu: the zoning (用途地域, a user crosswalk to urban construction classes) against
    市街化区域 as the development boundary and 風致地区 as a protection line — no second plan."""
    from multiplan.algorithms.vector_io import read_table

    rows = ["source_standard,source_code,source_name,target_code,construction,sandalei,source"]
    rows += [
        f"USER:JPZONE,{c},用途地域 {c},{'0701' if c <= 7 else '0901' if c <= 9 else '1001'},1,,test"
        for c in range(1, 13)
    ]
    cw = tmp_path / "jp.csv"
    cw.write_text("\n".join(rows) + "\n", "utf-8")
    zoning = mp_processing.run(
        "multiplan:harmonisecodes",
        {
            "INPUT": f"{numazu_copy}|layername=UseDistrict",
            "CODE_FIELD": "function",
            "STANDARD": USER,
            "CROSSWALK": str(cw),
            "OUTPUT": str(tmp_path / "zoning.gpkg"),
            "UNMAPPED": "memory:",
        },
    )["OUTPUT"]
    ac = f"{numazu_copy}|layername=AreaClassification"
    res = mp_processing.run(
        "multiplan:detectdifferences",
        {
            "URBAN": zoning,
            "BOUNDARY": ac + '|subset="function" = 22',
            "REDLINE": f"{numazu_copy}|layername=ScenicDistrict",
            "BLUEPRINT": str(tmp_path / "numazu.gpkg"),
            "PATCHES": str(tmp_path / "patches.gpkg"),
            "STATISTICS": str(tmp_path / "stats.gpkg"),
            "PROBLEMS": "memory:",
        },
    )
    assert res["WORKING_CRS_USED"] == "EPSG:6676"
    patches = features(res["PATCHES"])
    assert {f["kind"] for f in patches} <= {"UB_URBAN", "RL_URBAN"}
    z = shapely.union_all(shapely.make_valid(read_table(str(numazu_copy), "UseDistrict").geoms))
    area = read_table(str(numazu_copy), "AreaClassification")
    boundary = shapely.union_all(shapely.make_valid(area.geoms[np.asarray(area.column("function")) == 22]))
    scenic = shapely.union_all(shapely.make_valid(read_table(str(numazu_copy), "ScenicDistrict").geoms))
    rl = sum(f["area_planar"] for f in patches if f["kind"] == "RL_URBAN")
    ub = sum(f["area_planar"] for f in patches if f["kind"] == "UB_URBAN")
    assert rl == pytest.approx(shapely.intersection(z, scenic).area, rel=1e-4, abs=0.02)
    assert ub == pytest.approx(shapely.difference(z, boundary).area, rel=1e-4, abs=0.02)
    assert rl > 1000
    stats = {r["kind"]: r for r in features(res["STATISTICS"]) if is_null(r["unit"])}
    assert stats["RL_URBAN"]["count"] == sum(1 for f in patches if f["kind"] == "RL_URBAN")


def test_further_plan_takes_its_role_from_a_role_field(mp_processing, dirty, tmp_path):
    """A further special plan given as a memory layer (the per-feature reading path) whose ``role`` field
    says ``forest``: it becomes plan_forest and the forestry rule runs; drawn from the land plan itself, it
    differs from it nowhere, so that rule finds nothing."""
    from multiplan.algorithms.store import BlueprintStore
    from qgis.core import QgsFeature, QgsField, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    folder, manifest, plans = dirty
    src = QgsVectorLayer(plans["land_plan"], "land", "ogr")
    mem = QgsVectorLayer(f"MultiPolygon?crs={src.crs().authid()}", "林业规划", "memory")
    fields = src.fields()
    mem.dataProvider().addAttributes(list(fields) + [QgsField("role", QVariant.String)])
    mem.updateFields()
    feats = []
    for f in src.getFeatures():
        g = QgsFeature(mem.fields())
        g.setGeometry(f.geometry())
        g.setAttributes(list(f.attributes()) + ["forest"])
        feats.append(g)
    mem.dataProvider().addFeatures(feats)
    bp = tmp_path / "bp.gpkg"
    res = mp_processing.run(
        "multiplan:detectdifferences",
        {
            "LAND": plans["land_plan"],
            "PLANS": [mem],
            "BLUEPRINT": str(bp),
            "PATCHES": str(tmp_path / "p.gpkg"),
            "STATISTICS": str(tmp_path / "s.gpkg"),
            "PROBLEMS": "memory:",
        },
    )
    stats = {r["kind"] for r in features(res["STATISTICS"])}
    assert "CL_FOREST_CON" in stats
    assert not [f for f in features(res["PATCHES"]) if f["kind"] == "CL_FOREST_CON"]
    with BlueprintStore.open(str(bp), readonly=True) as s:
        assert len(s.read_layer("plan_forest", with_geometry=False)) == src.featureCount()
        inputs = s.runs()[-1]["inputs"]
        inputs = inputs if isinstance(inputs, list) else json.loads(inputs)
        assert {x["role"]: x["kind"] for x in inputs}["forest"] == "landuse"


def _memory_copy(path, crs: str | None, name: str, edit=None):
    """A memory-layer copy of a harmonised plan (optionally without a CRS, optionally edited)."""
    from qgis.core import QgsFeature, QgsVectorLayer

    src = QgsVectorLayer(path, name, "ogr")
    mem = QgsVectorLayer("MultiPolygon" + (f"?crs={crs}" if crs else ""), name, "memory")
    mem.dataProvider().addAttributes(list(src.fields()))
    mem.updateFields()
    feats = []
    for k, f in enumerate(src.getFeatures()):
        g = QgsFeature(mem.fields())
        g.setGeometry(edit(k, f.geometry()) if edit else f.geometry())
        g.setAttributes(list(f.attributes()))
        feats.append(g)
    mem.dataProvider().addFeatures(feats)
    return mem


def test_missing_crs_is_refused_and_invalid_geometry_is_repaired_and_reported(mp_processing, dirty, tmp_path):
    from qgis.core import QgsGeometry, QgsProcessingException

    folder, manifest, plans = dirty
    from multiplan.algorithms.gpkg import write_layer_file
    from multiplan.algorithms.vector_io import read_table

    t = read_table(plans["urban_plan"])
    no_crs = tmp_path / "无坐标系.gpkg"  # a GeoPackage layer with an undefined SRS
    write_layer_file(
        str(no_crs), "plan", t.geoms, [(c, t.field_types.get(c, "text"), v) for c, v in t.columns.items()]
    )
    base = {"LAND": plans["land_plan"], "PATCHES": "memory:", "STATISTICS": "memory:", "PROBLEMS": "memory:"}
    with pytest.raises(QgsProcessingException) as err:
        mp_processing.run("multiplan:detectdifferences", dict(base, URBAN=str(no_crs)))
    assert "coordinate reference system" in str(err.value) and "无坐标系" in str(err.value)
    # a memory layer made without a CRS gets EPSG:4326 from QGIS: projected coordinates labelled as degrees
    wrong = _memory_copy(plans["urban_plan"], None, "标错坐标系")
    with pytest.raises(QgsProcessingException) as err:
        mp_processing.run("multiplan:detectdifferences", dict(base, URBAN=wrong))
    assert "Plan 'urban' (EPSG:4326)" in str(err.value) and "cannot be transformed" in str(err.value)

    def bowtie(k, geom):
        if k != 10:
            return geom
        x0, y0, x1, y1 = (
            geom.boundingBox().xMinimum(),
            geom.boundingBox().yMinimum(),
            geom.boundingBox().xMaximum(),
            geom.boundingBox().yMaximum(),
        )
        return QgsGeometry.fromWkt(f"MULTIPOLYGON((({x0} {y0},{x1} {y1},{x1} {y0},{x0} {y1},{x0} {y0})))")

    bad = _memory_copy(plans["urban_plan"], "EPSG:4548", "urban", bowtie)
    fid = [f.id() for f in bad.getFeatures()][10]
    res = mp_processing.run(
        "multiplan:detectdifferences",
        {
            "URBAN": bad,
            "LAND": plans["land_plan"],
            "PATCHES": "memory:",
            "STATISTICS": "memory:",
            "PROBLEMS": str(tmp_path / "problems.gpkg"),
        },
    )
    rows = [
        r for r in features(res["PROBLEMS"]) if r["input"] == "urban" and r["problem"] == "invalid_repaired"
    ]
    assert len(rows) == 1 and rows[0]["count"] == 1 and rows[0]["fids"] == str(fid)
