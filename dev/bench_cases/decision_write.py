"""Benchmark: the latency of recording one decision in a blueprint, alone and with 8 writers.

``ours`` is ``BlueprintStore.record_decision`` (identity check, pending-journal check, BEGIN
IMMEDIATE, insert, re-derive the patch from its log, update the status cache, COMMIT with
``synchronous=FULL`` in the rollback journal).  ``ref=sqlite_insert`` is the floor: a bare
``INSERT`` + ``COMMIT`` of the same row into the same file with the same journal mode and sync
level.  ``n`` is the number of decisions timed per writer.  Extra numbers: the median with 8
writer processes, its ratio to the floor, the 95th/99th percentiles and the maximum, the same
floor with 8 processes, and the throughput of the 8 writers together.

The 8 writers run tight loops, which no reviewer does: SQLite has no fair lock queue, so the writer
that just committed usually wins the next round too and the others back off.  The median stays
near the uncontended one while the tail (p99, max) shows the waiting; both are printed.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import sqlite3
import statistics
import time
import uuid
from pathlib import Path

CASE = "decision_write"
DEFAULT_N = [300]
WRITERS = 8
PATCHES = 200
OFFICE = "领导小组办公室"


def _make(path: Path, pending: Path) -> None:
    import numpy as np
    import shapely
    from multiplan.algorithms.store import BlueprintStore
    from multiplan.algorithms.table import FeatureTable

    store = BlueprintStore.create(
        str(path), project_name="bench", district="浦口区", crs_authid="EPSG:4549", pending_dir=str(pending)
    )
    k = np.arange(PATCHES)
    x = 500000.0 + k * 100
    geoms = shapely.box(x, 3540000.0, x + 50, 3540050.0)
    ids = np.array([f"P{i:05d}" for i in k], dtype=object)
    patches = FeatureTable(
        geoms=geoms,
        fids=k,
        columns={
            "patch_id": ids,
            "kind": np.full(PATCHES, "TWO_PLANS", dtype=object),
            "unit": np.full(PATCHES, "江浦街道", dtype=object),
            "area_planar": shapely.area(geoms),
        },
    )
    plans = {
        "patch_id": np.repeat(ids, 2),
        "role": np.tile(np.array(["urban", "land"], dtype=object), PATCHES),
    }
    run = store.begin_run("bench")
    with store.run_writer(run) as w:
        w.write_patches(patches, plans)
        w.finish()
    store.close()


def _decision(i: int, writer: int):
    from multiplan.algorithms.store import Decision

    final = i % 3 == 0
    return Decision(
        patch_id=f"P{(i * 7 + writer) % PATCHES:05d}",
        action="adopt_plan",
        target="urban" if i % 2 else "land",
        reviewer=f"reviewer{writer}",
        department=OFFICE if final else "规划分局",
        role="final" if final else "opinion",
        comment="bench",
    )


def _ours(path: str, pending: str, n: int, writer: int, barrier=None) -> list[float]:
    from multiplan.algorithms.store import BlueprintStore

    store = BlueprintStore.open(path, pending_dir=pending, lock_timeout=120)
    decisions = [_decision(i, writer) for i in range(n)]
    if barrier is not None:
        barrier.wait()
    out = []
    for d in decisions:
        t = time.perf_counter()
        store.record_decision(d)
        out.append(time.perf_counter() - t)
    store.close()
    return out


def _floor(path: str, n: int, writer: int, barrier=None) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None, timeout=120)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=FULL")
    rows = []
    for i in range(n):
        d = _decision(i, writer)
        rows.append(
            (
                str(uuid.uuid4()),
                d.patch_id,
                d.action,
                d.target,
                d.reviewer,
                d.department,
                d.role,
                d.comment,
                d.client_utc,
            )
        )
    sql = (
        "INSERT INTO decisions (decision_id, patch_id, action, target, reviewer, department, role, comment, "
        "client_utc) VALUES (?,?,?,?,?,?,?,?,?)"
    )
    if barrier is not None:
        barrier.wait()
    out = []
    for row in rows:
        t = time.perf_counter()
        conn.execute(sql, row)  # autocommit: BEGIN; INSERT; COMMIT
        out.append(time.perf_counter() - t)
    conn.close()
    return out


def _child(kind: str, path: str, pending: str, n: int, writer: int, barrier, queue) -> None:
    try:
        lat = _ours(path, pending, n, writer, barrier) if kind == "ours" else _floor(path, n, writer, barrier)
        queue.put((writer, lat, None))
    except Exception as exc:  # reported by the parent
        queue.put((writer, [], repr(exc)))


def _contended(kind: str, path: Path, pending: Path, n: int) -> tuple[list[float], float]:
    ctx = mp.get_context("spawn")  # no sqlite connection crosses a fork
    barrier = ctx.Barrier(WRITERS + 1)
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_child, args=(kind, str(path), str(pending), n, k, barrier, queue))
        for k in range(WRITERS)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    results = [queue.get(timeout=600) for _ in procs]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join(timeout=60)
    errors = [e for _, _, e in results if e]
    if errors:
        raise RuntimeError("; ".join(errors))
    return [x for _, lat, _ in results for x in lat], elapsed


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[-1]


def run(n: int, work: Path) -> dict:
    folder = Path(work) / "decision_write"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path, pending = folder / "bp.gpkg", folder / "pending"
    _make(path, pending)
    _ours(str(path), str(pending), 20, 99)  # warm the page cache for both
    ours = _ours(str(path), str(pending), n, 0)
    floor = _floor(str(path), n, 0)
    ours8, elapsed8 = _contended("ours", path, pending, n)
    floor8, _ = _contended("floor", path, pending, n)
    leftover = [f for f in os.listdir(pending) if f.endswith(".jsonl")] if pending.exists() else []
    if leftover:
        raise RuntimeError(f"decisions left pending: {leftover}")
    med, med_ref = statistics.median(ours), statistics.median(floor)
    med8, med8_ref = statistics.median(ours8), statistics.median(floor8)
    return {
        "ours_s": med,
        "ref": "sqlite_insert",
        "ref_s": med_ref,
        "ours_p95_s": _p95(ours),
        "contended8_s": med8,
        "contended8_ratio": med_ref / med8,
        "contended8_p95_s": _p95(ours8),
        "contended8_p99_s": _p99(ours8),
        "contended8_max_s": max(ours8),
        "ref_contended8_s": med8_ref,
        "throughput8_per_s": len(ours8) / elapsed8,
    }
