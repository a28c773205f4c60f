"""multiplan:reconcilecontrollines through real Processing on real files (demo district, PLATEAU Numazu)."""

from __future__ import annotations

import numpy as np
import pytest
from mp_testing import gpkg_layer

STHX = 7  # harmonisecodes: eco control levels
USER = 8  # harmonisecodes: user crosswalk only


class Feedback:
    """A QgsProcessingFeedback that keeps what the algorithm reported."""

    def __new__(cls):
        from qgis.core import QgsProcessingFeedback

        class _F(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.infos, self.warnings = [], []

            def pushInfo(self, text):  # noqa: N802
                self.infos.append(text)

            def pushWarning(self, text):  # noqa: N802
                self.warnings.append(text)

        return _F()


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    from multiplan.dev.demo_district import generate

    return generate(tmp_path_factory.mktemp("district"), parcels=2000)


def uri(m, key):
    info = m["layers"][key]
    return f"{info['path']}|layername={info['layer']}"


def harmonise(processing, tmp_path, source, code, standard, crosswalk=None):
    out = str(tmp_path / f"h_{code}.gpkg")
    params = {"INPUT": source, "CODE_FIELD": code, "STANDARD": standard, "OUTPUT": out, "UNMAPPED": "memory:"}
    if crosswalk:
        params["CROSSWALK"] = str(crosswalk)
    return processing.run("multiplan:harmonisecodes", params)["OUTPUT"]


def outputs(tmp_path, prefix=""):
    return {
        key: str(tmp_path / f"{prefix}{key.lower()}.gpkg")
        for key in ("OVERLAPS", "ADJUSTMENTS", "PROPOSED_LINES", "STATISTICS")
    }


def features(path):
    lyr = gpkg_layer(path)
    return lyr, list(lyr.getFeatures())


def test_demo_district_into_a_new_blueprint_and_again(mp_processing, district, tmp_path):
    from multiplan.algorithms.store import BlueprintStore

    m = district
    eco = harmonise(mp_processing, tmp_path, uri(m, "eco_plan"), "GKJB", STHX)
    bp = tmp_path / "blueprint.gpkg"
    params = {
        "REDLINE": uri(m, "redline"),
        "FARMLAND": uri(m, "farmland"),
        "BOUNDARY": uri(m, "dev_boundary"),
        "ECO_PLAN": eco,
        "STREETS": uri(m, "streets"),
        "STREET_FIELD": "XZQMC",
        "BLUEPRINT": str(bp),
        **outputs(tmp_path),
    }
    fb = Feedback()
    res = mp_processing.run("multiplan:reconcilecontrollines", params, feedback=fb)
    f = m["facts"]
    expect = (
        f["farmland"]["in_redline_m2"]
        + f["farmland"]["in_dev_boundary_m2"]
        + f["dev_boundary"]["overlap_redline_m2"]
    )
    assert res["OVERLAP_AREA"] == pytest.approx(expect, abs=0.05)
    assert res["WORKING_CRS_USED"] == "EPSG:4548" and res["RUN_ID"]
    assert not any("reprojected" in w for w in fb.warnings)  # QGIS's WKT of EPSG:4548 is EPSG:4548
    assert res["BUHUA_AREA"] > 1e5 and res["BUHUA_NET_AREA"] < res["BUHUA_AREA"]

    lyr, ovl = features(res["OVERLAPS"])
    assert lyr.featureCount() == res["N_OVERLAPS"] > 10
    by_kind: dict[str, float] = {}
    for ft in ovl:
        by_kind[ft["kind"]] = by_kind.get(ft["kind"], 0.0) + ft["area_planar"]
        assert ft.geometry().isGeosValid() and ft["unit"]
    assert by_kind["LINE_RED_DEV"] == pytest.approx(f["dev_boundary"]["overlap_redline_m2"], abs=0.05)
    assert by_kind["LINE_FARM_DEV"] == pytest.approx(f["farmland"]["in_dev_boundary_m2"], abs=0.05)
    assert by_kind["LINE_RED_FARM"] == pytest.approx(f["farmland"]["in_redline_m2"], abs=0.05)
    assert {ft["proposal"] for ft in ovl if ft["kind"] == "LINE_RED_FARM"} == {"retain", "withdraw"}
    assert all(ft["proposal"] == "withdraw" for ft in ovl if ft["kind"] != "LINE_RED_FARM")
    assert all(str(ft["patch_id"]).startswith("L") for ft in ovl)

    _, adj = features(res["ADJUSTMENTS"])
    assert len(adj) == len(ovl)
    assert sum(ft["buhua_area"] for ft in adj) == pytest.approx(res["BUHUA_AREA"], abs=0.01)
    withdrawn = [ft for ft in adj if ft["gives_up"] == "farmland"]
    assert withdrawn and all(ft["core"] == 1 and ft["choice"] == "withdraw" for ft in withdrawn)

    _, lines = features(res["PROPOSED_LINES"])
    after = {}
    for ft in lines:
        after[ft["line_type"]] = after.get(ft["line_type"], 0.0) + ft.geometry().area()
    assert after["farmland"] == pytest.approx(f["farmland"]["area_m2"] - res["BUHUA_AREA"], abs=0.1)
    assert after["eco_redline"] == pytest.approx(f["redline"]["area_m2"], abs=0.1)
    assert after["dev_boundary"] < f["dev_boundary"]["area_m2"] - f["dev_boundary"]["overlap_redline_m2"]

    stats = gpkg_layer(res["STATISTICS"])
    rows = list(stats.getFeatures())
    line_rows = [r for r in rows if r["section"] == "line" and not r["unit"]]
    assert {r["item"] for r in line_rows} == {"eco_redline", "farmland", "dev_boundary"}
    farm = next(r for r in line_rows if r["item"] == "farmland")
    assert farm["net_area"] == pytest.approx(f["farmland"]["net_area_m2"], abs=0.1)
    assert farm["buhua"] == pytest.approx(res["BUHUA_AREA"], abs=0.01)

    store = BlueprintStore.open(bp, readonly=True)
    try:
        patches = store.patches(with_geometry=False, columns=["patch_id", "kind", "status"])
        assert len(patches) == res["N_OVERLAPS"] and set(patches.columns["status"]) == {"undecided"}
        plans = store.patch_plans()
        assert set(plans["role"]) == {"eco_redline", "farmland", "dev_boundary", "eco"}
        stages = store.read_layer("control_lines", columns=["stage"], with_geometry=False).columns["stage"]
        assert set(stages) == {"input", "proposed"}
        run = store.runs()[-1]
        assert run["kind"] == "reconcile" and run["status"] == "finished"
        assert {i["role"] for i in run["inputs"]} >= {
            "eco_redline",
            "farmland",
            "dev_boundary",
            "eco",
            "streets",
        }
        ids = sorted(patches.columns["patch_id"].tolist())
    finally:
        store.close()

    # the same inputs again into the same blueprint: every LINE_* patch keeps its id, and a working CRS
    # asked for is ignored (with a note): the blueprint keeps its own
    fb = Feedback()
    again = mp_processing.run(
        "multiplan:reconcilecontrollines",
        dict(params, WORKING_CRS="EPSG:4549", **outputs(tmp_path, "b_")),
        feedback=fb,
    )
    assert again["WORKING_CRS_USED"] == "EPSG:4548"
    assert any("blueprint keeps its working CRS" in w for w in fb.warnings)
    _, ovl2 = features(again["OVERLAPS"])
    assert sorted(ft["patch_id"] for ft in ovl2) == ids


def test_other_proposals_and_memory_outputs(mp_processing, district, tmp_path):
    """No blueprint: outputs only; the development boundary kept and the red line cut back instead."""
    from qgis.core import QgsProcessingContext, QgsProject

    m = district
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    res = mp_processing.run(
        "multiplan:reconcilecontrollines",
        {
            "REDLINE": uri(m, "redline"),
            "BOUNDARY": uri(m, "dev_boundary"),
            "RED_DEV": 2,  # 扣除: the red line is cut back
            "OVERLAPS": "memory:",
            "ADJUSTMENTS": "memory:",
            "PROPOSED_LINES": "memory:",
            "STATISTICS": "memory:",
        },
        context=context,
    )
    assert res["RUN_ID"] == "" and res["BUHUA_AREA"] == 0

    def layer(value):
        return context.getMapLayer(value) if isinstance(value, str) else value

    lines = layer(res["PROPOSED_LINES"])
    area = {}
    for ft in lines.getFeatures():
        area[ft["line_type"]] = area.get(ft["line_type"], 0.0) + ft.geometry().area()
    f = m["facts"]
    assert area["dev_boundary"] == pytest.approx(f["dev_boundary"]["area_m2"], abs=0.1)
    assert area["eco_redline"] == pytest.approx(
        f["redline"]["area_m2"] - f["dev_boundary"]["overlap_redline_m2"], abs=0.1
    )
    adj = layer(res["ADJUSTMENTS"])
    assert {ft["gives_up"] for ft in adj.getFeatures()} == {"eco_redline"}


def test_bad_input_is_refused_with_clear_messages(mp_processing, district, tmp_path):
    from qgis.core import QgsProcessingException

    m = district
    with pytest.raises(QgsProcessingException, match="at least one control line"):
        mp_processing.run("multiplan:reconcilecontrollines", {**outputs(tmp_path)})
    with pytest.raises(QgsProcessingException, match="not polygons"):
        mp_processing.run(
            "multiplan:reconcilecontrollines",
            {"FARMLAND": uri(m, "farmland"), "REDLINE": uri(m, "key_projects_pt"), **outputs(tmp_path)},
        )
    with pytest.raises(QgsProcessingException, match="harmonisecodes"):
        mp_processing.run(
            "multiplan:reconcilecontrollines",
            {"FARMLAND": uri(m, "farmland"), "ECO_PLAN": uri(m, "eco_plan"), **outputs(tmp_path)},
        )


def test_the_same_layer_for_two_lines_is_warned_about(mp_processing, district, tmp_path):
    m = district
    feedback = Feedback()
    mp_processing.run(
        "multiplan:reconcilecontrollines",
        {"REDLINE": uri(m, "dev_boundary"), "BOUNDARY": uri(m, "dev_boundary"), **outputs(tmp_path)},
        feedback=feedback,
    )
    same = [w for w in feedback.warnings if "same layer" in w]
    assert len(same) == 1 and "eco_redline and dev_boundary" in same[0]


def test_a_line_in_an_undefined_crs_is_refused_by_name(mp_processing, district, tmp_path):
    """A GeoPackage layer in "Undefined Cartesian SRS" (srs_id −1) cannot be reprojected: refused by
    name, as in detection (it raised a PROJ traceback)."""
    import shutil
    import sqlite3

    from qgis.core import QgsProcessingException

    m = district
    info = m["layers"]["farmland"]
    copy = tmp_path / "farmland_undefined.gpkg"
    shutil.copy(info["path"], copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE gpkg_geometry_columns SET srs_id = -1")
        conn.execute("UPDATE gpkg_contents SET srs_id = -1")
    with pytest.raises(QgsProcessingException, match="without a usable coordinate reference system"):
        mp_processing.run(
            "multiplan:reconcilecontrollines",
            {
                "REDLINE": uri(m, "redline"),
                "FARMLAND": f"{copy}|layername={info['layer']}",
                **outputs(tmp_path),
            },
        )


def test_lines_in_other_crss_are_reprojected_and_reported(mp_processing, district, tmp_path):
    m = district
    red = mp_processing.run(
        "native:reprojectlayer",
        {"INPUT": uri(m, "redline"), "TARGET_CRS": "EPSG:4490", "OUTPUT": str(tmp_path / "red4490.gpkg")},
    )["OUTPUT"]
    fb = Feedback()
    res = mp_processing.run(
        "multiplan:reconcilecontrollines",
        {"REDLINE": red, "FARMLAND": uri(m, "farmland"), **outputs(tmp_path)},
        feedback=fb,
    )
    assert res["WORKING_CRS_USED"] == "EPSG:4548"  # the CGCS2000 GK zone of the data's centroid
    assert any("reprojected" in w for w in fb.warnings)
    assert res["OVERLAP_AREA"] == pytest.approx(m["facts"]["farmland"]["in_redline_m2"], rel=1e-6)


def test_numazu_scenic_districts_and_zoning(mp_processing, numazu_copy, tmp_path):
    """PLATEAU Numazu: 市街化区域 as the boundary, 風致地区 as the protection line, zoning as the plan,
    compared only inside the AreaClassification polygons (which also serve as the units)."""
    rows = ["source_standard,source_code,source_name,target_code,construction,sandalei,source"]
    rows += [
        f"USER:JPZONE,{c},用途地域 {c},{'07' if c <= 7 else '09' if c <= 9 else '10'},1,,test"
        for c in range(1, 13)
    ]
    cw = tmp_path / "jp.csv"
    cw.write_text("\n".join(rows) + "\n", "utf-8")
    zoning = harmonise(mp_processing, tmp_path, f"{numazu_copy}|layername=UseDistrict", "function", USER, cw)
    ac = f"{numazu_copy}|layername=AreaClassification"
    res = mp_processing.run(
        "multiplan:reconcilecontrollines",
        {
            "BOUNDARY": ac + '|subset="function" = 22',
            "REDLINE": f"{numazu_copy}|layername=ScenicDistrict",
            "PLANS": [zoning],
            "STREETS": ac,
            "STREET_FIELD": "function",
            "DISTRICT": ac,
            "BLUEPRINT": str(tmp_path / "numazu.gpkg"),
            **outputs(tmp_path),
        },
    )
    assert res["WORKING_CRS_USED"] == "EPSG:6676"
    assert res["OVERLAP_AREA"] == pytest.approx(738.97, abs=0.01)
    _, ovl = features(res["OVERLAPS"])
    assert {ft["kind"] for ft in ovl} == {"LINE_RED_DEV"} and {ft["unit"] for ft in ovl} == {"22"}
    # one district, four separate pieces, one patch each (DESIGN: a patch is one connected area): one
    # real overlap to reconcile (477 m²) and three slivers along the boundaries
    pieces = sorted((ft["area_planar"], bool(ft["is_sliver"]), ft["sliver_reason"]) for ft in ovl)
    assert [round(a, 1) for a, _, _ in pieces] == [0.0, 51.0, 210.8, 477.2]
    assert [s for _, s, _ in pieces] == [True, True, True, False]
    stats = list(gpkg_layer(res["STATISTICS"]).getFeatures())
    cov = {(r["other"], r["unit"] or None): r for r in stats if r["section"] == "plan_coverage"}
    whole = cov[("dev_boundary", None)]
    assert whole["area"] == pytest.approx(82170.40, abs=0.01)
    assert cov[("dev_boundary", "23")]["area"] == pytest.approx(0.28, abs=0.01)
    assert whole["uncovered"] == pytest.approx(174.40, abs=0.01)
    dev = next(r for r in stats if r["section"] == "line" and r["item"] == "dev_boundary" and not r["unit"])
    assert dev["area"] - dev["area_after"] == pytest.approx(738.97, abs=0.01)
    assert np.isclose(dev["area_ellipsoidal"], dev["area"], rtol=1e-3)
