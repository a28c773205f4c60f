"""A separate writer process for the concurrency tests (as another QGIS instance would be).

    python tests/store_writer.py write BLUEPRINT --writer K --n N --ack FILE --pending DIR [--timeout S]
    python tests/store_writer.py hold BLUEPRINT SECONDS

``write`` records N decisions (N < 0: until killed) on the blueprint's patches in turn, each based on
the current decision it reads just before, like a reviewer.  After each commit it appends the
decision id to the ack file and fsyncs it: an id in the ack file is a decision the writer was told
is stored.  Errors go to stderr and the exit code.

``hold`` takes the write lock (``BEGIN EXCLUSIVE``) with plain sqlite3, prints ``locked`` and keeps
it for SECONDS — a QGIS edit session or a long detection run holding the file.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

BUILD_PY = Path(__file__).resolve().parents[1] / ".build" / "py"
if str(BUILD_PY) not in sys.path:
    sys.path.insert(0, str(BUILD_PY))


def make_blueprint(path: str, n: int = 40, *, pending_dir: str | None = None, lock_timeout: float = 5.0):
    """A blueprint with ``n`` square patches (two kinds, two streets, areas 100 … ) and their plan rows."""
    import numpy as np
    import shapely
    from multiplan.algorithms.store import BlueprintStore
    from multiplan.algorithms.table import FeatureTable

    store = BlueprintStore.create(
        path,
        project_name="test",
        district="浦口区",
        crs_authid="EPSG:4549",
        pending_dir=pending_dir,
        lock_timeout=lock_timeout,
    )
    k = np.arange(n)
    side = 10.0 + k  # areas differ, so ordering by area is checkable
    x0 = 500000.0 + k * 100.0
    geoms = shapely.box(x0, 3540000.0, x0 + side, 3540000.0 + side)
    ids = np.array([f"P{i:04d}" for i in k], dtype=object)
    patches = FeatureTable(
        geoms=geoms,
        fids=k,
        columns={
            "patch_id": ids,
            "kind": np.where(k % 4 == 3, "ECO_RED", "TWO_PLANS").astype(object),
            "severity": np.where(k % 4 == 3, 3, 2),
            "unit": np.where(k % 2 == 0, "江浦街道", "桥林街道").astype(object),
            "codes": np.full(n, "urban:0701|land:0103", dtype=object),
            "area_planar": shapely.area(geoms),
            "area_ellipsoidal": shapely.area(geoms) * 1.0003,
            "is_sliver": k % 10 == 9,
            "sliver_reason": np.where(k % 10 == 9, "area", None).astype(object),
            "fingerprint": np.array([f"fp{i}" for i in k], dtype=object),
        },
    )
    plans = {
        "patch_id": np.repeat(ids, 2),
        "role": np.tile(np.array(["urban", "land"], dtype=object), n),
        "src_code": np.tile(np.array(["R2", "013"], dtype=object), n),
        "mp_code": np.tile(np.array(["0701", "0103"], dtype=object), n),
        "mp_construction": np.tile(np.array([1, 0]), n),
    }
    run = store.begin_run("detect", inputs=[{"role": "urban"}, {"role": "land"}], parameters={})
    with store.run_writer(run) as w:
        w.write_patches(patches, plans)
        w.finish()
    return store


def write(args) -> int:
    from multiplan.algorithms.store import BlueprintStore, Decision

    store = BlueprintStore.open(args.blueprint, pending_dir=args.pending, lock_timeout=args.timeout)
    table = store.patches(order_by="patch_id", with_geometry=False, columns=["patch_id"])
    ids = list(table.columns["patch_id"])
    ack = os.open(args.ack, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    print("ready", flush=True)
    i = 0
    while args.n < 0 or i < args.n:
        pid = ids[(i * 7 + args.writer) % len(ids)]
        final = (i + args.writer) % 3 == 0
        seen = store.patch(pid)["current_decision_id"] if final else None
        decision = Decision(
            patch_id=pid,
            action="adopt_plan",
            target="urban" if i % 2 else "land",
            reviewer=f"writer{args.writer}",
            department="领导小组办公室" if final else f"department{args.writer % 4}",
            role="final" if final else "opinion",
            based_on=seen,
            comment=f"w{args.writer} #{i}",
        )
        store.record_decision(decision)
        os.write(ack, (decision.decision_id + "\n").encode())
        os.fsync(ack)
        i += 1
    os.close(ack)
    store.close()
    return 0


def hold(args) -> int:
    conn = sqlite3.connect(args.blueprint, isolation_level=None, timeout=30)
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    time.sleep(args.seconds)
    conn.execute("COMMIT")
    conn.close()
    print("released", flush=True)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("blueprint")
    w.add_argument("--writer", type=int, default=0)
    w.add_argument("--n", type=int, default=100)
    w.add_argument("--ack", required=True)
    w.add_argument("--pending", required=True)
    w.add_argument("--timeout", type=float, default=60.0)
    h = sub.add_parser("hold")
    h.add_argument("blueprint")
    h.add_argument("seconds", type=float)
    m = sub.add_parser("make")
    m.add_argument("blueprint")
    m.add_argument("--n", type=int, default=40)
    args = ap.parse_args(argv)
    if args.cmd == "make":
        make_blueprint(args.blueprint, args.n).close()
        return 0
    return write(args) if args.cmd == "write" else hold(args)


if __name__ == "__main__":
    sys.exit(main())
