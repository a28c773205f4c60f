"""case=apply — multiplan:applydecisions (the blueprint over the whole district) vs QGIS's native:union.

Inputs (prepared once, not timed): the dirty demo district of case ``detect`` with its four plans
harmonised, detected into a blueprint (``multiplan:detectdifferences``), the control lines reconciled
into it (``multiplan:reconcilecontrollines``) and the demo's scripted decisions recorded
(``record_scripted_decisions``, 24 patches).

``ours_s`` is the whole ``processing.run("multiplan:applydecisions")`` on a fresh copy of that
blueprint: reading the plan copies, cleaning, overlaying the urban and land plans, painting the
decided patches, splitting by street, assembling the features, writing the ``blueprint`` layer and the
final control lines in one run, and the two GeoPackage outputs.  ``ref=native_union`` is QGIS's
``native:union`` of the harmonised urban and land plans (memory output) — the overlay a technician
would start from, before any rule or decision is applied.  Both run in one child process, ours first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ._district import district
from .detect import harmonised, parameters

CASE = "apply"
DEFAULT_N = [100000]

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from multiplan.dev.qgis_headless import qgis_app
qgis_app()
import processing
job = json.loads(sys.argv[2])
t0 = time.perf_counter()
res = processing.run("multiplan:applydecisions", job["params"])
ours = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
t0 = time.perf_counter()
ref = processing.run("native:union", {"INPUT": job["urban"], "OVERLAY": job["land"], "OUTPUT": "memory:"})
ref_s = time.perf_counter() - t0
plain = {k: v for k, v in res.items() if isinstance(v, (int, float, str))}
print("RESULT " + json.dumps({"ours": ours, "ref": ref_s, "rss": rss,
                              "ref_features": ref["OUTPUT"].featureCount(), "res": plain}))
"""


def prepared_blueprint(work: Path, n: int) -> tuple[Path, dict, dict, dict]:
    """The decided blueprint of the dirty district at ``n`` (cached next to the district)."""
    import processing
    from multiplan.algorithms.store import BlueprintStore
    from multiplan.algorithms.store.demo import record_scripted_decisions

    folder, manifest = district(work, n, dirt=True)
    plans = harmonised(folder, manifest)
    cache = folder / "apply-bench"
    bp = cache / "decided.gpkg"
    stamp = cache / "generator.json"
    want = json.dumps(manifest["generator"], sort_keys=True)
    if bp.exists() and stamp.exists() and stamp.read_text("utf-8") == want:
        return bp, folder, manifest, plans
    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir()
    params = parameters(folder, manifest, plans, cache)
    params["BLUEPRINT"] = str(bp)
    processing.run("multiplan:detectdifferences", params)
    processing.run(
        "multiplan:reconcilecontrollines",
        {
            "REDLINE": params["REDLINE"],
            "FARMLAND": params["FARMLAND"],
            "BOUNDARY": params["BOUNDARY"],
            "ECO_PLAN": plans["eco_plan"],
            "STREETS": params["STREETS"],
            "STREET_FIELD": "XZQMC",
            "BLUEPRINT": str(bp),
            "OVERLAPS": "memory:",
            "ADJUSTMENTS": "memory:",
            "PROPOSED_LINES": "memory:",
            "STATISTICS": "memory:",
        },
    )
    with BlueprintStore.open(str(bp)) as s:
        record_scripted_decisions(s, limit=24)
    stamp.write_text(want, "utf-8")
    return bp, folder, manifest, plans


def run(n: int, work: Path) -> dict:
    from multiplan.dev.qgis_headless import qgis_app

    qgis_app()
    bp, folder, manifest, plans = prepared_blueprint(work, n)
    out = work / "out"
    out.mkdir(exist_ok=True)
    for f in out.glob("apply_*"):
        f.unlink()
    copy = out / "apply_blueprint.gpkg"
    shutil.copy(bp, copy)
    street = parameters(folder, manifest, plans, out)["STREETS"]
    params = {
        "BLUEPRINT": str(copy),
        "STREETS": street,
        "STREET_FIELD": "XZQMC",
        "OUTPUT": str(out / "apply_blueprint_layer.gpkg"),
        "SUMMARY": str(out / "apply_summary.gpkg"),
    }
    root = Path(__file__).resolve().parents[2]
    job = json.dumps({"params": params, "urban": plans["urban_plan"], "land": plans["land_plan"]})
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root / ".build" / "py"), job],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        check=False,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        raise RuntimeError(f"apply child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    got = json.loads(line[len("RESULT ") :])
    res = got["res"]
    result = {
        "ours_s": got["ours"],
        "ref": "native_union",
        "ref_s": got["ref"],
        "features": res.get("N_FEATURES"),
        "ref_features": got["ref_features"],
        "pending_share": res.get("PENDING_AREA", 0.0) / max(res.get("BLUEPRINT_AREA", 1.0), 1.0),
        "peak_rss_mb": round(got["rss"]),
    }
    timings = _run_timings(str(copy))
    for key in ("read", "clean", "overlay", "paint", "assemble", "lines", "write"):
        if key in timings:
            result[key + "_s"] = round(timings[key], 2)
    return result


def _run_timings(path: str) -> dict:
    from multiplan.algorithms.store import BlueprintStore

    with BlueprintStore.open(path, readonly=True) as s:
        runs = [r for r in s.runs() if r.get("kind") == "apply"]
    t = runs[-1].get("timings") if runs else None
    if isinstance(t, str):
        t = json.loads(t)
    return t or {}
