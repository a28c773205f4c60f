#!/usr/bin/env python3
"""The main job on the demo district (``make demo``): what a planning institute would run.

1. generate a synthetic district (four plans, 三调, streets, three control lines) into ``demo/plans/``;
2. harmonise every plan's codes (multiplan:harmonisecodes) into ``demo/plans/harmonised/``;
3. detect the difference patches into the blueprint ``demo/blueprint.gpkg`` (multiplan:detectdifferences);
4. reconcile the three control lines into the same blueprint (multiplan:reconcilecontrollines);
5. record a short scripted review (department opinions, final decisions, one conflict) through the store;
6. build the blueprint layer from the decisions (multiplan:applydecisions), undecided ground 'pending';
7. write the report — XLSX, HTML, PDF atlas (multiplan:report);
8. check the key projects' sites against the blueprint (multiplan:checksiting);
and print a short summary of what to open.  Every step goes through Processing, as a user's model would.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".build" / "py"))

# Plans harmonised by the demo: manifest layer -> the standard's index in the algorithm's enum.
HARMONISE = ["urban_plan", "land_plan", "development_plan", "eco_plan", "current_landuse"]


def standard_index(standard: str) -> int:
    from multiplan.processing_provider.harmonise_codes import STANDARD_CHOICES

    return [s for s, _ in STANDARD_CHOICES].index(standard)


def say(text: str) -> None:
    print(text, flush=True)


def stage_generate(out: Path, parcels: int, seed: int) -> dict:
    from multiplan.dev.demo_district import ensure_generated

    plans = out / "plans"
    t0 = time.perf_counter()
    m = ensure_generated(plans, parcels=parcels, seed=seed)
    say(f"1. demo district in {plans} ({parcels} parcels per plan, {time.perf_counter() - t0:.1f} s)")
    return m


def stage_harmonise(out: Path, manifest: dict) -> dict[str, str]:
    import processing

    plans = out / "plans"
    target = plans / "harmonised"
    target.mkdir(exist_ok=True)
    results = {}
    for name in HARMONISE:
        info = manifest["layers"][name]
        dest = target / f"{name}.gpkg"
        t0 = time.perf_counter()
        res = processing.run(
            "multiplan:harmonisecodes",
            {
                "INPUT": f"{plans / info['path']}|layername={info['layer']}",
                "CODE_FIELD": info["code_field"],
                "NAME_FIELD": info.get("name_field") or "",
                "STANDARD": standard_index(info["standard"]),
                "ON_UNKNOWN": 1,
                "OUTPUT": str(dest),
                "UNMAPPED": str(target / f"{name}_unmapped.gpkg"),
            },
        )
        results[name] = str(dest)
        say(
            f"2. harmonised {name:17s} {info['standard']:14s} → {dest.relative_to(out.parent)} "
            f"({res['UNMAPPED_FEATURES']} unmapped, {time.perf_counter() - t0:.1f} s)"
        )
    return results


def src(plans: Path, manifest: dict, key: str) -> str:
    info = manifest["layers"][key]
    return f"{plans / Path(info['path']).name}|layername={info['layer']}"


def stage_detect(out: Path, manifest: dict, harmonised: dict[str, str]) -> dict:
    import processing

    plans = out / "plans"
    results = out / "outputs"
    results.mkdir(exist_ok=True)
    blueprint = out / "blueprint.gpkg"
    if blueprint.exists():  # the demo starts a fresh review; real projects re-detect into theirs
        blueprint.unlink()
    t0 = time.perf_counter()
    res = processing.run(
        "multiplan:detectdifferences",
        {
            "URBAN": harmonised["urban_plan"],
            "LAND": harmonised["land_plan"],
            "DEVELOPMENT": harmonised["development_plan"],
            "ECO": harmonised["eco_plan"],
            "PROJECTS": [src(plans, manifest, "key_projects"), src(plans, manifest, "key_projects_pt")],
            "REDLINE": src(plans, manifest, "redline"),
            "FARMLAND": src(plans, manifest, "farmland"),
            "BOUNDARY": src(plans, manifest, "dev_boundary"),
            "STREETS": src(plans, manifest, "streets"),
            "STREET_FIELD": "XZQMC",
            "BLUEPRINT": str(blueprint),
            "PROJECT_NAME": "浦口区多规合一（演示）",
            "PATCHES": str(results / "patches.gpkg"),
            "STATISTICS": str(results / "patch_statistics.gpkg"),
            "PROBLEMS": str(results / "data_problems.gpkg"),
        },
    )
    say(
        f"3. detected {res['N_PATCHES']} difference patches into {blueprint.relative_to(out.parent)} "
        f"(working CRS {res['WORKING_CRS_USED']}, {time.perf_counter() - t0:.1f} s)"
    )
    return res


def stage_reconcile(out: Path, manifest: dict, harmonised: dict[str, str]) -> dict:
    import processing

    plans = out / "plans"
    results = out / "outputs"
    t0 = time.perf_counter()
    res = processing.run(
        "multiplan:reconcilecontrollines",
        {
            "REDLINE": src(plans, manifest, "redline"),
            "FARMLAND": src(plans, manifest, "farmland"),
            "BOUNDARY": src(plans, manifest, "dev_boundary"),
            "ECO_PLAN": harmonised["eco_plan"],
            "STREETS": src(plans, manifest, "streets"),
            "STREET_FIELD": "XZQMC",
            "BLUEPRINT": str(out / "blueprint.gpkg"),
            "OVERLAPS": str(results / "line_overlaps.gpkg"),
            "ADJUSTMENTS": str(results / "line_adjustments.gpkg"),
            "PROPOSED_LINES": str(results / "proposed_lines.gpkg"),
            "STATISTICS": str(results / "line_statistics.gpkg"),
        },
    )
    say(
        f"4. reconciled the control lines: {res['N_OVERLAPS']} overlaps, "
        f"{res['OVERLAP_AREA'] / 1e4:,.1f} ha; "
        f"补划 deficit {res['BUHUA_AREA'] / 1e4:,.1f} ha ({time.perf_counter() - t0:.1f} s)"
    )
    return res


def stage_decisions(out: Path) -> int:
    from multiplan.algorithms.store import BlueprintStore
    from multiplan.algorithms.store.demo import record_scripted_decisions

    with BlueprintStore.open(str(out / "blueprint.gpkg")) as store:
        record_scripted_decisions(store)
        n = len(store.decisions())
        progress = store.progress()
    say(
        f"5. recorded a scripted review: {n} opinions and decisions; {progress.n_decided} of "
        f"{progress.n_total} patches decided, {progress.n_conflicts} conflict(s) to resolve"
    )
    return n


def stage_apply(out: Path, manifest: dict) -> dict:
    import processing

    plans = out / "plans"
    t0 = time.perf_counter()
    res = processing.run(
        "multiplan:applydecisions",
        {
            "BLUEPRINT": str(out / "blueprint.gpkg"),
            "STREETS": src(plans, manifest, "streets"),
            "STREET_FIELD": "XZQMC",
            "OUTPUT": str(out / "outputs" / "blueprint_layer.gpkg"),
            "SUMMARY": str(out / "outputs" / "blueprint_summary.gpkg"),
        },
    )
    say(
        f"6. built the blueprint layer: {res['BLUEPRINT_AREA'] / 1e6:,.1f} km², of which "
        f"{res['PENDING_AREA'] / 1e6:,.1f} km² still pending ({time.perf_counter() - t0:.1f} s)"
    )
    return res


def stage_report(out: Path, manifest: dict, harmonised: dict[str, str]) -> dict:
    import processing

    t0 = time.perf_counter()
    res = processing.run(
        "multiplan:report",
        {
            "BLUEPRINT": str(out / "blueprint.gpkg"),
            "CURRENT_LANDUSE": harmonised["current_landuse"],
            # the land plan's construction-land total stands in for the district's 建设用地指标 (ha)
            "QUOTA": round(manifest["facts"]["construction"]["land_plan_m2"] / 1e4),
            "POPULATION": 1170000,
            "ATLAS_PAGES": 200,
            "XLSX": str(out / "report.xlsx"),
            "HTML": str(out / "report.html"),
            "PDF": str(out / "atlas.pdf"),
        },
    )
    say(
        f"7. wrote the report: report.xlsx, report.html, atlas.pdf ({res['ATLAS_PAGE_COUNT']} pages, "
        f"{res['ATLAS_SECONDS_PER_PAGE']:.2f} s/page; {time.perf_counter() - t0:.1f} s)"
    )
    return res


def stage_siting(out: Path, manifest: dict) -> list[dict]:
    import processing

    plans = out / "plans"
    results = []
    for key, extra in (("key_projects", {}), ("key_projects_pt", {"AREA_FIELD": "XMMJ"})):
        res = processing.run(
            "multiplan:checksiting",
            {
                "PROJECTS": src(plans, manifest, key),
                "ID_FIELD": "XMBH",
                "NAME_FIELD": "XMMC",
                "TYPE_FIELD": "XMLX",
                **extra,
                "BLUEPRINT": str(out / "blueprint.gpkg"),
                "TOLERANCE": 1.0,
                "OUTPUT": str(out / "outputs" / f"siting_{key}.gpkg"),
                "XLSX": str(out / f"siting_{key}.xlsx"),
            },
        )
        results.append(res)
        say(
            f"8. checked {key}: {res['N_COMPLIANT']} 合规, {res['N_ADJUST']} 需调整, "
            f"{res['N_NONCOMPLIANT']} 不符合"
        )
    return results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parcels", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default=str(ROOT / "demo"))
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    from multiplan.dev.qgis_headless import qgis_app

    qgis_app()
    t0 = time.perf_counter()
    manifest = stage_generate(out, args.parcels, args.seed)
    harmonised = stage_harmonise(out, manifest)
    stage_detect(out, manifest, harmonised)
    stage_reconcile(out, manifest, harmonised)
    stage_decisions(out)
    stage_apply(out, manifest)
    stage_report(out, manifest, harmonised)
    stage_siting(out, manifest)
    say("")
    say(f"Done in {time.perf_counter() - t0:.0f} s. Open:")
    say(f"  the blueprint (open it in QGIS, or in the review dock):  {out / 'blueprint.gpkg'}")
    say(f"  the report for the review meeting:                      {out / 'report.html'}")
    say(
        f"  the workbook and the patch atlas:                        {out / 'report.xlsx'}, "
        f"{out / 'atlas.pdf'}"
    )
    say(f"  the project siting checks:                               {out / 'siting_key_projects.xlsx'}")
    say(f"  the plans and the harmonised plans:                      {out / 'plans'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
