"""case=report_tables — multiplan:report's tables on a blueprint of ``n`` patches (no atlas).

Input: a synthetic review blueprint (``dev/review_blueprint.py``: ``n`` patches of every kind over
eight streets, 2–4 plans per patch, a decision history) plus a ``blueprint`` layer — the urban plan
copy's parcels (4 per 200 m cell, ~4n of them) with every seventh parcel ``pending`` — built once and
reused (``bench-data/report_tables/``).

``ours_s`` is the whole ``processing.run("multiplan:report")`` without the atlas: reading the blueprint,
the ledger, kind × street statistics, balance tables for two plan copies and the blueprint (each under
the union rule: a coverage clean of ~4n parcels), the quota check, review progress, control lines,
then the XLSX and the HTML files.  ``ref=native_statistics`` is ``qgis:statisticsbycategories`` of
the patches' planar area by kind and street — what a planner would run in QGIS for the one table
that has a native equivalent.  Extra numbers: the engine alone (``engine_s``), writing XLSX / HTML, and
the atlas's seconds per page over the 20 largest patches (``atlas_s_per_page``), and the like-for-like
piece: reading the patches and the kind × street table alone (``kind_street_s``).
"""

from __future__ import annotations

import time
from pathlib import Path

CASE = "report_tables"
DEFAULT_N = [10000]
ATLAS_PAGES = 20


def _blueprint(n: int, work: Path) -> Path:
    import numpy as np

    folder = Path(work) / "report_tables"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"report_{n}.gpkg"
    done = folder / f"report_{n}.done"
    if path.exists() and done.exists():
        return path
    done.unlink(missing_ok=True)
    from multiplan.algorithms.table import FeatureTable
    from multiplan.dev.review_blueprint import STREETS, build

    store = build(str(path), n, seed=7)
    u = store.read_layer("plan_urban")
    m = len(u)
    x = np.array([g.centroid.x for g in u.geoms])
    span = (x - x.min()) / max(float(x.max() - x.min()), 1.0)
    unit = np.array(STREETS, dtype=object)[np.minimum((span * len(STREETS)).astype(int), len(STREETS) - 1)]
    bp = FeatureTable(
        u.geoms,
        u.fids,
        {
            "mp_code": u.columns["mp_code"],
            "mp_name": u.columns["mp_name"],
            "mp_construction": u.columns["mp_construction"],
            "status": np.where(np.arange(m) % 7 == 0, "pending", "final").astype(object),
            "unit": unit,
        },
        crs_wkt=store.crs_wkt,
        name="blueprint",
    )
    run = store.begin_run("apply")
    with store.run_writer(run) as w:
        w.write_blueprint(bp)
        w.finish()
    store.close()
    done.write_text("ok")
    return path


def run(n: int, work: Path) -> dict:
    from multiplan.dev.qgis_headless import qgis_app

    qgis_app()
    import processing

    path = _blueprint(n, work)
    out = Path(work) / "out"
    out.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    res = processing.run(
        "multiplan:report",
        {
            "BLUEPRINT": str(path),
            "QUOTA": 500.0,
            "POPULATION": 100000,
            "ATLAS_PAGES": 0,
            "XLSX": str(out / "report_tables.xlsx"),
            "HTML": str(out / "report_tables.html"),
            "PDF": None,
        },
    )
    ours_s = time.perf_counter() - t0

    from multiplan.algorithms.report import build_report, select_atlas_patches
    from multiplan.algorithms.report_html import write_html
    from multiplan.algorithms.report_xlsx import write_xlsx
    from multiplan.algorithms.store import BlueprintStore

    store = BlueprintStore.open(str(path), readonly=True)
    t0 = time.perf_counter()
    report = build_report(store, quota_m2=5e6, population=100000)
    engine_s = time.perf_counter() - t0
    from multiplan.algorithms.report import kind_street_statistics

    t0 = time.perf_counter()
    patches = store.patches(with_geometry=False, columns=["kind", "unit", "area_planar", "is_sliver"])
    kind_street_statistics(patches)
    kind_street_s = time.perf_counter() - t0
    patches = store.patches(with_geometry=False)
    store.close()
    t0 = time.perf_counter()
    write_xlsx(report, str(out / "report_tables_2.xlsx"))
    xlsx_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_html(report, str(out / "report_tables_2.html"))
    html_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    processing.run(
        "qgis:statisticsbycategories",
        {
            "INPUT": f"{path}|layername=patches",
            "VALUES_FIELD_NAME": "area_planar",
            "CATEGORIES_FIELD_NAME": ["kind", "unit"],
            "OUTPUT": "memory:",
        },
    )
    ref_s = time.perf_counter() - t0

    from multiplan.processing_provider.atlas import export_atlas

    ids = select_atlas_patches(patches, max_pages=ATLAS_PAGES)
    atlas = export_atlas(str(path), ids.tolist(), str(out / "report_tables_atlas.pdf"), project_name="bench")
    return {
        "ours_s": ours_s,
        "ref": "native_statistics",
        "ref_s": ref_s,
        "engine_s": engine_s,
        "kind_street_s": kind_street_s,
        "xlsx_s": xlsx_s,
        "html_s": html_s,
        "patches": res["PATCHES"],
        "blueprint_features": int(report.table("balance_blueprint").extras["features"]),
        "atlas_pages": atlas.pages,
        "atlas_s_per_page": atlas.seconds_per_page,
    }
