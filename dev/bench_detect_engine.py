#!/usr/bin/env python3
"""Time the detection *engine* alone (no file reading, no blueprint writing) on synthetic plans.

    python3 dev/bench_detect_engine.py --n 20000,100000 [--dirt] [--threads 2] [--profile]

Each size runs in a fresh process: the district is generated (``dev/synthetic_plans.py``: urban and
land plans of n Voronoi parcels each, development zones, eco zones, key projects, red line,
farmland of ~n/2 parcels, one development boundary of 4 000 vertices, 12 streets), pickled, and a
second process loads it and runs ``detect`` with the default rules, so the reported peak memory is
the engine's (plus the loaded inputs), not the generator's.  Prints one line per size:

    ENGINE n=100000 dirt=0 threads=2 wall_s=… cpu_s=… patches=… rss_inputs_mb=… peak_mb=… clean=… rules=… …

``--profile`` writes a pyinstrument (if installed) or cProfile report next to the pickle.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".build" / "py"))


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def generate(n: int, dirt: bool, path: Path) -> None:
    from multiplan.dev.synthetic_plans import make_district

    d = make_district(n, seed=1, dirt=dirt)
    with open(path, "wb") as fh:
        pickle.dump(d, fh, protocol=pickle.HIGHEST_PROTOCOL)


def run(path: Path, threads: int, profile: bool) -> dict:
    from multiplan.algorithms.codes import CodeTables
    from multiplan.algorithms.detect import DetectParams, detect
    from multiplan.algorithms.i18n import tr

    tr("warm up")  # the first tr() imports Qt when present: not the engine's cost
    tables = CodeTables.load()
    with open(path, "rb") as fh:
        d = pickle.load(fh)
    rss_inputs = _rss_mb()
    params = DetectParams(unit_column="name", threads=threads)
    prof = None
    if profile:
        try:
            from pyinstrument import Profiler

            prof = Profiler()
            prof.start()
        except ImportError:
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    res = detect(d.plan_list(), d.line_list(), d.streets, params=params, tables=tables)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if prof is not None:
        out = path.with_suffix(".profile.txt")
        if hasattr(prof, "output_text"):
            prof.stop()
            out.write_text(prof.output_text(unicode=True, color=False))
        else:
            import io
            import pstats

            prof.disable()
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(60)
            out.write_text(buf.getvalue())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    out = {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "patches": len(res),
        "slivers": int(res.is_sliver.sum()),
        "rss_inputs_mb": round(rss_inputs),
        "peak_mb": round(peak),
    }
    out.update({k: round(v, 3) for k, v in res.timings.items() if not k.startswith("rule:")})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", default="20000,100000")
    ap.add_argument("--dirt", action="store_true")
    ap.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--work", default=str(ROOT / "bench-data"))
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--_child", default="")
    args = ap.parse_args(argv)
    if args._child:
        mode, path = args._child.split(":", 1)
        if mode == "gen":
            n, dirt = json.loads(os.environ["MP_BENCH_GEN"])
            generate(n, dirt, Path(path))
        else:
            print(json.dumps(run(Path(path), args.threads, args.profile)))
        return 0
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    for n in [int(float(x)) for x in args.n.split(",") if x.strip()]:
        path = work / f"engine_{n}_{int(args.dirt)}.pkl"
        if not path.exists():
            env = dict(os.environ, MP_BENCH_GEN=json.dumps([n, args.dirt]))
            subprocess.run([sys.executable, __file__, "--_child", f"gen:{path}"], check=True, env=env)
        cmd = [sys.executable, __file__, "--_child", f"run:{path}", "--threads", str(args.threads)]
        if args.profile:
            cmd.append("--profile")
        res = json.loads(
            subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        )
        extra = " ".join(f"{k}={v}" for k, v in res.items())
        print(f"ENGINE n={n} dirt={int(args.dirt)} threads={args.threads} {extra}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
