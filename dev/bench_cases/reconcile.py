"""case=reconcile — multiplan:reconcilecontrollines vs the same overlaps and lines from QGIS's own overlays.

Inputs: the demo district's control lines at n parcels per plan (at 100k: permanent farmland as ~29k
parcels, the red line as a few zones, the development boundary as one polygon of ~30k vertices), the
eco plan (harmonised beforehand, not timed) and the streets.

``ours_s`` is the whole ``processing.run`` (reading the inputs, cleaning, overlaps, proposals,
settled lines, statistics, four GeoPackage outputs), without a blueprint; ``bp_s`` the same run
writing into a new blueprint as well.  ``ref=native_chain`` computes the same overlaps and reconciled
lines with QGIS: ``native:intersection`` of each pair of lines, the red-line/farmland overlap against
the eco plan's 一级管控区, the three overlaps split by street, ``native:difference`` of the boundary by
the red line and then by the farmland, and of the farmland by its withdrawn core-zone overlap
(memory outputs, so the reference writes nothing to disk).
"""

from __future__ import annotations

import time
from pathlib import Path

from ._district import district, layer_uri

CASE = "reconcile"
DEFAULT_N = [100000]


def run(n: int, work: Path) -> dict:
    from multiplan.dev.qgis_headless import qgis_app

    qgis_app()
    import processing

    folder, manifest = district(work, n)
    uri = {
        k: layer_uri(folder, manifest, k)
        for k in ("redline", "farmland", "dev_boundary", "eco_plan", "streets")
    }
    out = work / "out"
    out.mkdir(exist_ok=True)
    for f in out.glob("reconcile_*"):
        f.unlink()
    eco = processing.run(
        "multiplan:harmonisecodes",
        {
            "INPUT": uri["eco_plan"],
            "CODE_FIELD": "GKJB",
            "STANDARD": 7,
            "OUTPUT": str(out / "reconcile_eco.gpkg"),
            "UNMAPPED": "memory:",
        },
    )["OUTPUT"]

    def ours(prefix: str, blueprint: str = "") -> tuple[float, dict]:
        params = {
            "REDLINE": uri["redline"],
            "FARMLAND": uri["farmland"],
            "BOUNDARY": uri["dev_boundary"],
            "ECO_PLAN": eco,
            "STREETS": uri["streets"],
            "STREET_FIELD": "XZQMC",
            "BLUEPRINT": blueprint,
        }
        for key in ("OVERLAPS", "ADJUSTMENTS", "PROPOSED_LINES", "STATISTICS"):
            params[key] = str(out / f"reconcile_{prefix}_{key.lower()}.gpkg")
        t0 = time.perf_counter()
        res = processing.run("multiplan:reconcilecontrollines", params)
        return time.perf_counter() - t0, res

    ours_s, res = ours("a")
    bp_s, _ = ours("b", str(out / "reconcile_blueprint.gpkg"))

    def step(alg: str, **params):
        params.setdefault("OUTPUT", "memory:")
        return processing.run(alg, params)["OUTPUT"]

    t0 = time.perf_counter()
    rf = step("native:intersection", INPUT=uri["farmland"], OVERLAY=uri["redline"])
    fb = step("native:intersection", INPUT=uri["farmland"], OVERLAY=uri["dev_boundary"])
    rb = step("native:intersection", INPUT=uri["redline"], OVERLAY=uri["dev_boundary"])
    core = step(
        "native:extractbyattribute", INPUT=uri["eco_plan"], FIELD="GKJB", OPERATOR=0, VALUE="一级管控区"
    )
    rf_core = step("native:intersection", INPUT=rf, OVERLAY=core)
    per_street = [step("native:intersection", INPUT=x, OVERLAY=uri["streets"]) for x in (rf, fb, rb)]
    dev1 = step("native:difference", INPUT=uri["dev_boundary"], OVERLAY=uri["redline"])
    dev_after = step("native:difference", INPUT=dev1, OVERLAY=uri["farmland"])
    farm_after = step("native:difference", INPUT=uri["farmland"], OVERLAY=rf_core)
    ref_s = time.perf_counter() - t0

    from qgis.core import QgsVectorLayer

    ref_area = sum(f.geometry().area() for x in per_street for f in x.getFeatures())
    mine: dict[str, float] = {}
    for f in QgsVectorLayer(res["PROPOSED_LINES"], "proposed", "ogr").getFeatures():
        mine[f["line_type"]] = mine.get(f["line_type"], 0.0) + f.geometry().area()
    ref_dev = sum(f.geometry().area() for f in dev_after.getFeatures())
    ref_farm = sum(f.geometry().area() for f in farm_after.getFeatures())
    return {
        "ours_s": ours_s,
        "ref": "native_chain",
        "ref_s": ref_s,
        "bp_s": bp_s,
        "overlaps": res["N_OVERLAPS"],
        "overlap_m2": round(res["OVERLAP_AREA"], 2),
        "buhua_m2": round(res["BUHUA_AREA"], 2),
        # the same numbers as QGIS's chain (relative differences)
        "overlap_rel": abs(res["OVERLAP_AREA"] - ref_area) / ref_area,
        "dev_after_rel": abs(mine.get("dev_boundary", 0.0) - ref_dev) / ref_dev,
        "farm_after_rel": abs(mine.get("farmland", 0.0) - ref_farm) / ref_farm,
    }
