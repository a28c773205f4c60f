#!/usr/bin/env python3
"""The main job on the demo district (``make demo``): what a planning institute would run.

1. generate a synthetic district (four plans, 三调, streets, three control lines) into ``demo/plans/``;
2. harmonise every plan's codes (multiplan:harmonisecodes) into ``demo/plans/harmonised/``;
3. create the blueprint ``demo/blueprint.gpkg`` …
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
    say("")
    say(f"Done in {time.perf_counter() - t0:.0f} s. Open in QGIS:")
    say(f"  the plans:            {out / 'plans'}")
    say(f"  the harmonised plans: {Path(harmonised['urban_plan']).parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
