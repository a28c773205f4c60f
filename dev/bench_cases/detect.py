"""case=detect — multiplan:detectdifferences on the dirty demo district vs QGIS's native:intersection.

Inputs: the demo district at n parcels per plan with every kind of dirt (bow-ties, null and unknown
codes, gaps and overlaps, GBK shapefiles, the land plan in the neighbouring GK zone, the red line in
EPSG:4490), the FOUR plans harmonised beforehand (not timed; cached next to the district): urban-rural
plan, land-use plan, development plan (主体功能区), eco plan; plus the key projects (polygons and
points), the three control lines and the streets — what ``make demo`` runs.

``ours_s`` is the whole ``processing.run("multiplan:detectdifferences")``: reading every input,
reprojection, detection, patch identity, writing a NEW blueprint in one transaction (harmonised plan
copies included, as the default configuration writes them) and the three GeoPackage outputs.  It runs
in a child process so that ``peak_rss_mb`` (``ru_maxrss``) is the run's own peak (QGIS start-up
included), not the generator's.  ``ref=native_intersection`` is QGIS's ``native:intersection`` of only
the harmonised urban and land plans (memory output: the reference writes nothing), in the same child
after ours; it is skipped at 1M (it would take well over an hour).  ``per_1k_s`` (ours per thousand
parcels) shows how the cost grows with n; the stage timings come from the blueprint's ``runs`` row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ._district import district, layer_uri

CASE = "detect"
DEFAULT_N = [20000, 100000, 1000000]
REF_LIMIT = 200_000  # the reference is skipped above this many parcels per plan

#: (manifest layer, harmonisecodes STANDARD index, role parameter)
PLANS = (
    ("urban_plan", 1, "URBAN"),
    ("land_plan", 2, "LAND"),
    ("development_plan", 6, "DEVELOPMENT"),
    ("eco_plan", 7, "ECO"),
)


def _source(folder: Path, manifest: dict, key: str) -> str:
    info = manifest["layers"][key]
    if info["format"] == "GPKG":
        return layer_uri(folder, manifest, key)
    return str(folder / Path(info["path"]).name)


def harmonised(folder: Path, manifest: dict) -> dict[str, str]:
    """The four plans harmonised (multiplan:harmonisecodes), cached next to the district."""
    import processing

    target = folder / "harmonised"
    target.mkdir(exist_ok=True)
    stamp = target / "generator.json"
    want = json.dumps(manifest["generator"], sort_keys=True)
    fresh = stamp.exists() and stamp.read_text("utf-8") == want
    out = {}
    for key, standard, _param in PLANS:
        dest = target / f"{key}.gpkg"
        if not (fresh and dest.exists()):
            if dest.exists():
                dest.unlink()
            info = manifest["layers"][key]
            params = {
                "INPUT": _source(folder, manifest, key),
                "CODE_FIELD": info["code_field"],
                "STANDARD": standard,
                "ON_UNKNOWN": 1,
                "OUTPUT": str(dest),
                "UNMAPPED": "memory:",
            }
            if info.get("format") != "GPKG" and info.get("encoding"):
                params["ENCODING"] = info["encoding"]
            processing.run("multiplan:harmonisecodes", params)
        out[key] = str(dest)
    stamp.write_text(want, "utf-8")
    return out


def parameters(folder: Path, manifest: dict, plans: dict[str, str], out: Path) -> dict:
    """The detectdifferences parameters of the full demo run (also what dev/run_demo.py passes)."""
    params = {param: plans[key] for key, _s, param in PLANS}
    params.update(
        {
            "PROJECTS": [
                _source(folder, manifest, "key_projects"),
                _source(folder, manifest, "key_projects_pt"),
            ],
            "REDLINE": _source(folder, manifest, "redline"),
            "FARMLAND": _source(folder, manifest, "farmland"),
            "BOUNDARY": _source(folder, manifest, "dev_boundary"),
            "STREETS": _source(folder, manifest, "streets"),
            "STREET_FIELD": "XZQMC",
            "BLUEPRINT": str(out / "detect_blueprint.gpkg"),
            "PATCHES": str(out / "detect_patches.gpkg"),
            "STATISTICS": str(out / "detect_statistics.gpkg"),
            "PROBLEMS": str(out / "detect_problems.gpkg"),
        }
    )
    return params


_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from multiplan.dev.qgis_headless import qgis_app
qgis_app()
import processing
job = json.loads(sys.argv[2])
t0 = time.perf_counter()
res = processing.run("multiplan:detectdifferences", job["params"])
ours = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
ref = None
if job["ref"]:
    t0 = time.perf_counter()
    processing.run("native:intersection", {"INPUT": job["params"]["URBAN"], "OVERLAY": job["params"]["LAND"],
                                           "OUTPUT": "memory:"})
    ref = time.perf_counter() - t0
print("RESULT " + json.dumps({"ours": ours, "ref": ref, "rss": rss,
                              "res": {k: v for k, v in res.items() if isinstance(v, (int, float, str))}}))
"""


def run(n: int, work: Path) -> dict:
    from multiplan.dev.qgis_headless import qgis_app

    qgis_app()
    folder, manifest = district(work, n, dirt=True)
    plans = harmonised(folder, manifest)
    out = work / "out"
    out.mkdir(exist_ok=True)
    for f in out.glob("detect_*"):
        f.unlink()
    params = parameters(folder, manifest, plans, out)
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    job = json.dumps({"params": params, "ref": n <= REF_LIMIT})
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root / ".build" / "py"), job],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        raise RuntimeError(f"detect child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    got = json.loads(line[len("RESULT ") :])
    timings = _run_timings(params["BLUEPRINT"])
    result = {
        "ours_s": got["ours"],
        "ref": "native_intersection" if got["ref"] is not None else "native_intersection(skipped at 1M)",
        "ref_s": got["ref"],
        "patches": got["res"].get("N_PATCHES"),
        "peak_rss_mb": round(got["rss"]),
        "per_1k_s": got["ours"] / (n / 1000.0),
        "blueprint_mb": round(os.path.getsize(params["BLUEPRINT"]) / 2**20, 1),
    }
    for key in ("read", "reproject", "detect", "match", "write:plan_copies", "write:patches"):
        if key in timings:
            result[key.replace("write:", "write_") + "_s"] = round(timings[key], 2)
    for key in ("clean", "rules", "units", "assemble", "measure"):
        if "engine:" + key in timings:
            result["engine_" + key + "_s"] = round(timings["engine:" + key], 2)
    return result


def _run_timings(path: str) -> dict:
    from multiplan.algorithms.store import BlueprintStore

    with BlueprintStore.open(path, readonly=True) as s:
        runs = [r for r in s.runs() if r.get("kind") == "detect"]
    t = runs[-1].get("timings") if runs else None
    if isinstance(t, str):
        t = json.loads(t)
    return t or {}
