#!/usr/bin/env python3
"""Run benchmark cases and print one ``BENCH`` line per case and size.

    make bench                       # every case at its default sizes
    make bench CASES=detect N=20000  # selected cases and sizes

Each case lives in ``dev/bench_cases/<case>.py`` with ``CASE``, ``DEFAULT_N`` and
``run(n, work) -> dict`` (keys ``ours_s``, ``ref``, ``ref_s`` and any extra numbers).  Ours and the
reference run in the same process, one after the other, so the ratio is comparable on a noisy machine.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".build" / "py"))


def case_modules():
    import multiplan.dev.bench_cases as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"multiplan.dev.bench_cases.{info.name}")


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    ap.add_argument("--n", default="", help="comma-separated sizes (default: each case's own)")
    ap.add_argument("--work", default=str(ROOT / "bench-data"), help="cache of generated inputs")
    args = ap.parse_args(argv)
    wanted = {c.strip() for c in args.cases.split(",") if c.strip()}
    sizes = [int(float(s)) for s in args.n.split(",") if s.strip()]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    mods = [m for m in case_modules() if not wanted or m.CASE in wanted]
    unknown = wanted - {m.CASE for m in mods}
    if unknown:
        print(f"unknown case(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    failed = 0
    for mod in mods:
        for n in sizes or mod.DEFAULT_N:
            try:
                result = mod.run(n, work)
            except Exception:  # a broken case must not hide the others
                traceback.print_exc()
                print(f"BENCH case={mod.CASE} n={n} error=1")
                failed += 1
                continue
            ours, ref_s = result.pop("ours_s"), result.pop("ref_s", None)
            ref = result.pop("ref", "none")
            ratio = (ref_s / ours) if (ref_s and ours) else None
            extra = " ".join(f"{k}={fmt(v)}" for k, v in result.items())
            print(
                f"BENCH case={mod.CASE} n={n} ours_s={fmt(ours)} ref={ref} "
                f"ref_s={fmt(ref_s) if ref_s is not None else 'skipped'} "
                f"ratio={fmt(ratio) if ratio is not None else 'n/a'}" + (f" {extra}" if extra else ""),
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
