"""Real processes against one blueprint: many writers, writers killed mid-write, a lock held too long.

These run on a local disk.  They show the store's own logic (short transactions, bounded retry,
pending journal, idempotent replay) under real OS-level locking; they do not reproduce a Windows
network share, whose locking is the server's (see docs/blueprint-contract.md).
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from multiplan.algorithms.store import BlueprintLockedError, BlueprintStore, Decision

HERE = Path(__file__).resolve().parent
WRITER = HERE / "store_writer.py"
_spec = importlib.util.spec_from_file_location("store_writer", WRITER)
store_writer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(store_writer)


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent / ".build" / "py")
    return env


def _writer(path, k, n, ack, pending, timeout=60.0):
    cmd = [sys.executable, str(WRITER), "write", str(path), "--writer", str(k), "--n", str(n)]
    cmd += ["--ack", str(ack), "--pending", str(pending), "--timeout", str(timeout)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())


def _acked(ack) -> list[str]:
    if not os.path.exists(ack):
        return []
    with open(ack, encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip()]


def _logged(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT decision_id FROM decisions")}
    finally:
        conn.close()


def test_eight_writers_500_decisions_each_none_lost(tmp_path):
    path = tmp_path / "bp.gpkg"
    pending = tmp_path / "pending"
    store_writer.make_blueprint(str(path), 40, pending_dir=str(pending)).close()
    procs = [_writer(path, k, 500, tmp_path / f"ack{k}.txt", pending) for k in range(8)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert err == ""  # no error surfaced, not even a retry warning
    acked = [a for k in range(8) for a in _acked(tmp_path / f"ack{k}.txt")]
    assert len(acked) == len(set(acked)) == 4000
    logged = _logged(path)
    assert len(logged) == 4000 and logged == set(acked)
    assert not pending.exists() or not any(n.endswith(".jsonl") for n in os.listdir(pending))
    store = BlueprintStore.open(str(path), pending_dir=str(pending))
    assert store.rebuild_status() == 0  # the cache written with each decision already matches the log
    by_status = store.progress().by_status
    assert sum(by_status.values()) == 40
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    per_writer = dict(conn.execute("SELECT reviewer, count(*) FROM decisions GROUP BY reviewer").fetchall())
    assert per_writer == {f"writer{k}": 500 for k in range(8)}


def test_writer_killed_at_random_moments_loses_no_acknowledged_decision(tmp_path):
    path = tmp_path / "bp.gpkg"
    pending = tmp_path / "pending"
    store_writer.make_blueprint(str(path), 40, pending_dir=str(pending)).close()
    ack = tmp_path / "ack.txt"
    rng = random.Random(20240601)
    kills_during_writes = 0
    for round_ in range(20):
        before = len(_acked(ack))
        p = _writer(path, round_ % 8, -1, ack, pending)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.25))
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        assert p.returncode == -signal.SIGKILL
        kills_during_writes += len(_acked(ack)) > before
        # SQLite rolls back a hot journal on the next open; nothing acknowledged is missing.
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        acked = set(_acked(ack))
        assert acked <= _logged(path), f"round {round_}: acknowledged decisions missing"
    assert kills_during_writes >= 15  # the kills really landed while decisions were being written
    store = BlueprintStore.open(str(path), pending_dir=str(pending))
    assert store.rebuild_status() == 0
    assert len(_logged(path)) >= len(_acked(ack)) > 20


def test_lock_held_past_the_bound_then_replay_and_stale_conflict(tmp_path):
    path = tmp_path / "bp.gpkg"
    pending_a = tmp_path / "pending_a"  # reviewer A's computer
    pending_b = tmp_path / "pending_b"  # reviewer B's computer
    store_writer.make_blueprint(str(path), 10, pending_dir=str(pending_a)).close()
    a = BlueprintStore.open(str(path), pending_dir=str(pending_a), lock_timeout=0.3)
    assert a.patch("P0001")["current_decision_id"] is None  # what A sees before deciding
    holder = subprocess.Popen(
        [sys.executable, str(WRITER), "hold", str(path), "2.0"], stdout=subprocess.PIPE, text=True, env=_env()
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        mine = Decision("P0001", "adopt_plan", "A", role="final", department="领导小组办公室", target="urban")
        t0 = time.monotonic()
        with pytest.raises(BlueprintLockedError) as err:
            a.record_decision(mine)
        waited = time.monotonic() - t0
        assert 0.3 <= waited < 1.5  # bounded: A is not frozen until the holder lets go
        msg = err.value.message
        assert str(path) in msg and "locked" in msg and "pending journal" in msg
        assert err.value.pending_path and err.value.decision_id == mine.decision_id
        assert a.pending_count() == 1
        # B (another user, another process) waits with a longer bound and decides the same patch.
        b_cmd = (
            "import sys; sys.path.insert(0, sys.argv[3]);"
            "from multiplan.algorithms.store import BlueprintStore, Decision;"
            "s = BlueprintStore.open(sys.argv[1], pending_dir=sys.argv[2], lock_timeout=30);"
            "r = s.record_decision(Decision('P0001', 'adopt_plan', 'B', role='final',"
            " department='领导小组办公室', target='land'));"
            "print(r.outcome, r.decision_id)"
        )
        b = subprocess.run(
            [sys.executable, "-c", b_cmd, str(path), str(pending_b), str(HERE.parent / ".build" / "py")],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=60,
        )
        assert b.returncode == 0, b.stderr
        b_outcome, b_id = b.stdout.split()
        assert b_outcome == "current"
    finally:
        holder.wait(timeout=30)
    # A's next write replays the pending decision first, in the same transaction.
    later = a.record_decision(Decision("P0002", "defer", "A", role="final", department="领导小组办公室"))
    assert [(r.decision_id, r.outcome) for r in later.replayed] == [(mine.decision_id, "conflict")]
    assert later.outcome == "current" and a.pending_count() == 0
    p = a.patch("P0001")
    assert p["current_decision_id"] == b_id  # the stale replay did not become current
    assert p["status"] == "conflict" and p["n_conflicts"] == 1
    states = {r.decision_id: (r.state, r.origin) for r in a.decisions("P0001")}
    assert states == {b_id: ("current", "direct"), mine.decision_id: ("conflict", "replay")}
    # Replaying the same entry again (e.g. a crash after commit, before the journal was trimmed) is a no-op.
    a.journal.append(mine.to_dict(), blueprint_uuid=a.info().blueprint_uuid, reason="test")
    again = a.replay_pending()
    assert [r.outcome for r in again] == ["duplicate"] and a.pending_count() == 0
    assert len(a.decisions("P0001")) == 2
