"""BlueprintStore on real files: contract tables, decisions and their derived state, runs, errors, export."""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely
from multiplan.algorithms import gpkg
from multiplan.algorithms.store import (
    SCHEMA_VERSION,
    BlueprintError,
    BlueprintMissingError,
    BlueprintStore,
    Decision,
    InvalidDecisionError,
    NewerSchemaError,
    NotBlueprintError,
    NotGeoPackageError,
    ReadOnlyError,
    RecoveryNeededError,
    RunCancelledError,
    SchemaUpgradeError,
    derive,
)
from multiplan.algorithms.store import schema as store_schema
from multiplan.algorithms.table import FeatureTable

_spec = importlib.util.spec_from_file_location("store_writer", Path(__file__).with_name("store_writer.py"))
store_writer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(store_writer)

OFFICE = "领导小组办公室"


@pytest.fixture()
def pending(tmp_path):
    return str(tmp_path / "pending")


@pytest.fixture()
def store(tmp_path, pending):
    s = store_writer.make_blueprint(str(tmp_path / "bp.gpkg"), 40, pending_dir=pending)
    yield s
    s.close()


def final(pid, action="adopt_plan", target="urban", based_on=None, who="王主任"):
    return Decision(pid, action, who, role="final", department=OFFICE, target=target, based_on=based_on)


def opinion(pid, dept, target="urban", action="adopt_plan"):
    return Decision(pid, action, f"{dept}的人", role="opinion", department=dept, target=target)


def cache_matches_log(store) -> bool:
    """The status cache equals what the log derives, for every patch."""
    t = store.patches(include_closed=True, with_geometry=False)
    log = {}
    for r in store.decisions():
        log.setdefault(r.patch_id, []).append(r)
    for k, pid in enumerate(t.columns["patch_id"]):
        st = derive(log.get(pid, []), closed=t.columns["closed_run_id"][k] is not None)
        for col, val in st.cache_values().items():
            got = t.columns[col][k]
            got = got.item() if isinstance(got, np.generic) else got
            if got != val:
                return False
    return True


# ----------------------------------------------------------------------------------------------
# The file
# ----------------------------------------------------------------------------------------------


def test_create_in_a_folder_that_does_not_exist_yet(tmp_path, pending):
    """Like QGIS's own file outputs, a blueprint may be created in a new folder; a folder that cannot be
    made is a write error that names the blueprint."""
    path = tmp_path / "new" / "sub" / "bp.gpkg"
    s = BlueprintStore.create(str(path), project_name="新", crs_authid="EPSG:4549", pending_dir=pending)
    assert s.info().crs_authid == "EPSG:4549"
    s.close()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(BlueprintError) as err:
        BlueprintStore.create(str(blocker / "bp.gpkg"), project_name="x", crs_authid="EPSG:4549")
    assert str(blocker / "bp.gpkg") in err.value.message


def test_create_records_the_project_and_crs(store):
    info = store.info()
    assert info.schema_version == SCHEMA_VERSION == 1
    assert info.crs_authid == "EPSG:4549" and info.srs_id == 4549
    assert "Gauss-Kruger CM 120E" in info.crs_wkt
    assert info.district == "浦口区"
    assert info.journal_mode == "delete"
    assert not info.readonly and info.pending == 0
    assert set(info.layers) >= {
        "project",
        "runs",
        "patches",
        "patch_plans",
        "decisions",
        "control_lines",
        "line_adjustments",
    }
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 10300


def _full_blueprint(store):
    """Add a plan copy, control lines, a line adjustment and a blueprint layer."""
    run = store.begin_run("reconcile", inputs=[], parameters={})
    g = shapely.box(500000, 3540000, 500500, 3540500)
    one = np.array([g], dtype=object)
    with store.run_writer(run) as w:
        w.write_plan_copy(
            "urban",
            FeatureTable(
                geoms=np.array([g, shapely.box(500600, 3540000, 500700, 3540100)], dtype=object),
                fids=np.array([7, 8]),
                columns={
                    "用地代码": np.array(["R2", "M1"], dtype=object),
                    "mp_code": np.array(["0701", "1001"], dtype=object),
                    "mp_construction": np.array([1, 1]),
                },
            ),
        )
        w.write_control_lines(
            FeatureTable(
                geoms=one, fids=np.arange(1), columns={"line_type": np.array(["eco_redline"], dtype=object)}
            ),
            "input",
        )
        w.write_line_adjustments(
            FeatureTable(
                geoms=one,
                fids=np.arange(1),
                columns={
                    "adjustment_id": np.array(["A1"], dtype=object),
                    "patch_id": np.array(["LINE_1"], dtype=object),
                    "proposal": np.array(["retain"], dtype=object),
                    "kcxs": np.array([0.12]),
                },
            )
        )
        w.write_blueprint(
            FeatureTable(
                geoms=one,
                fids=np.arange(1),
                columns={
                    "mp_code": np.array(["0701"], dtype=object),
                    "rule": np.array(["agree"], dtype=object),
                },
            )
        )
        w.finish()


def test_line_adjustments_are_looked_up_by_index_even_in_an_older_blueprint(store):
    """The dock reads a patch's adjustments by patch_id: by index, also in a blueprint created before the
    index existed (it gets it with its next reconciliation); adjustment_id is UNIQUE, indexed anyway."""
    conn = sqlite3.connect(store.path)
    conn.execute("DROP INDEX idx_line_adjustments_patch")
    conn.commit()
    conn.close()
    _full_blueprint(store)
    conn = sqlite3.connect(store.path)

    def plan(where):
        return " ".join(
            r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN SELECT * FROM line_adjustments {where}")
        )

    assert "idx_line_adjustments_patch" in plan("WHERE patch_id='LINE_1'")
    assert "USING INDEX" in plan("WHERE adjustment_id='A1'")
    conn.close()


def test_every_layer_opens_in_ogrinfo_and_qgis(store, qgis_app):
    from qgis.core import QgsVectorLayer

    _full_blueprint(store)
    store.record_decision(final("P0001"))
    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", store.path], capture_output=True, text=True, check=True
    ).stdout
    counts = {}
    for block in out.split("Layer name: ")[1:]:
        name = block.split("\n", 1)[0].strip()
        counts[name] = int(block.split("Feature Count: ")[1].split("\n", 1)[0])
    assert counts == {
        "patches": 40,
        "control_lines": 1,
        "line_adjustments": 1,
        "plan_urban": 2,
        "blueprint": 1,
        "project": 1,
        "runs": 2,
        "patch_plans": 80,
        "decisions": 1,
    }
    assert out.count('ID["EPSG",4549]') == 5  # every feature layer in the working CRS
    for name, n in counts.items():
        layer = QgsVectorLayer(f"{store.path}|layername={name}", name, "ogr")
        assert layer.isValid(), name
        assert layer.featureCount() == n, name
        assert len(list(layer.getFeatures())) == n, name
    patches = QgsVectorLayer(f"{store.path}|layername=patches", "p", "ogr")
    assert patches.crs().authid() == "EPSG:4549"
    f = next(patches.getFeatures("patch_id = 'P0001'"))
    assert f["status"] == "decided" and f["unit"] == "桥林街道"
    plan = QgsVectorLayer(f"{store.path}|layername=plan_urban", "u", "ogr")
    assert [ft["用地代码"] for ft in plan.getFeatures()] == ["R2", "M1"]
    assert [ft["src_fid"] for ft in plan.getFeatures()] == [7, 8]


def test_not_a_geopackage(tmp_path):
    text = tmp_path / "notes.gpkg"
    text.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(NotGeoPackageError) as err:
        BlueprintStore.open(str(text))
    assert str(text) in err.value.message and "not a GeoPackage" in err.value.message
    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).execute("CREATE TABLE t (a)")
    with pytest.raises(NotGeoPackageError, match="no GeoPackage tables"):
        BlueprintStore.open(str(plain))


def test_foreign_geopackage_is_refused(tmp_path):
    from osgeo import ogr

    path = tmp_path / "foreign.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    ds.CreateLayer("project", geom_type=ogr.wkbNone)  # even a table named "project" does not make a blueprint
    ds = None
    with pytest.raises(NotBlueprintError) as err:
        BlueprintStore.open(str(path))
    assert str(path) in err.value.message and "not a Multi-Plan blueprint" in err.value.message


def test_newer_schema_is_refused_with_the_versions(store):
    conn = sqlite3.connect(store.path)
    conn.execute("DROP TRIGGER IF EXISTS x")
    conn.execute("UPDATE project SET schema_version=?", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchemaError) as err:
        BlueprintStore.open(store.path)
    msg = err.value.message
    assert store.path in msg and f"version {SCHEMA_VERSION + 1}" in msg and "Update the Multi-Plan" in msg


def test_forward_migration_runs_once_in_one_transaction(store, monkeypatch):
    """A v1 file opened by a (simulated) v2 plugin is migrated; the v1 plugin then refuses it."""
    store.record_decision(final("P0002"))
    path = store.path
    store.close()

    def v1_to_v2(conn):
        conn.execute("ALTER TABLE decisions ADD COLUMN signature TEXT")

    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(store_schema.MIGRATIONS, 1, v1_to_v2)
    with pytest.raises(SchemaUpgradeError):
        BlueprintStore.open(path, readonly=True)
    migrated = BlueprintStore.open(path)
    assert migrated.info().schema_version == 2
    assert "signature" in [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(decisions)")]
    assert migrated.decisions("P0002")[0].state == "current"
    migrated.close()
    assert BlueprintStore.open(path).info().schema_version == 2  # not migrated twice
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", 1)
    with pytest.raises(NewerSchemaError):
        BlueprintStore.open(path)


def test_failed_migration_leaves_the_file_untouched(store, monkeypatch):
    path = store.path
    store.close()

    def broken(conn):
        conn.execute("ALTER TABLE decisions ADD COLUMN half TEXT")
        raise sqlite3.OperationalError("boom")

    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(store_schema.MIGRATIONS, 1, broken)
    with pytest.raises(BlueprintError):
        BlueprintStore.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT schema_version FROM project").fetchone()[0] == 1
    assert "half" not in [r[1] for r in conn.execute("PRAGMA table_info(decisions)")]


def test_read_only_file_keeps_the_decision_pending(store, pending):
    path = store.path
    store.close()
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
    try:
        ro = BlueprintStore.open(path, pending_dir=pending)
        assert ro.info().readonly and "read-only" in ro.info().readonly_reason
        assert len(ro.patches()) == 40  # reading works
        d = final("P0003")
        with pytest.raises(ReadOnlyError) as err:
            ro.record_decision(d)
        assert path in err.value.message and "read-only" in err.value.message
        assert err.value.kept_pending and "pending journal" in err.value.message
        assert [e["decision_id"] for e in ro.journal.decisions()] == [d.decision_id]
        ro.close()
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    rw = BlueprintStore.open(path, pending_dir=pending)
    assert rw.pending_count() == 1
    written = rw.replay_pending()
    assert [(r.decision_id, r.outcome) for r in written] == [(d.decision_id, "current")]
    assert rw.pending_count() == 0 and rw.patch("P0003")["status"] == "decided"


def test_writer_killed_mid_transaction_then_read_only_open_says_what_to_do(store, pending):
    """A writer killed mid-transaction leaves its rollback journal (a "hot journal"); a read-only
    connection cannot roll it back and SQLite then refuses every read.  The message says so (it used to
    claim the file was not a GeoPackage); the first read-write open rolls it back, nothing saved is lost."""
    import signal
    import sys

    path = store.path
    store.close()
    child = (
        "import os, signal, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size=5')\n"  # spill: pages reach the file, the journal is synced
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute('CREATE TABLE junk(x)')\n"
        "for i in range(20000):\n"
        "    c.execute('INSERT INTO junk VALUES (?)', ('x' * 200,))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", child, path], check=False)
    assert proc.returncode == -signal.SIGKILL
    assert os.path.getsize(path + "-journal") > 0
    with pytest.raises(RecoveryNeededError) as err:
        BlueprintStore.open(path, readonly=True, pending_dir=pending, lock_timeout=1.0)
    assert path in err.value.message and path + "-journal" in err.value.message
    assert "write access" in err.value.message
    rw = BlueprintStore.open(path, pending_dir=pending)
    assert rw._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(rw.patches()) == 40 and not gpkg.table_exists(rw._conn, "junk")
    rw.close()
    assert not os.path.exists(path + "-journal")
    ro = BlueprintStore.open(path, readonly=True, pending_dir=pending)
    assert len(ro.patches()) == 40
    ro.close()


def test_missing_file_and_file_deleted_while_open(tmp_path, store, pending):
    with pytest.raises(BlueprintMissingError) as err:
        BlueprintStore.open(str(tmp_path / "nowhere.gpkg"))
    assert "nowhere.gpkg" in err.value.message and "moved" in err.value.message
    # Deleted under an open store: the write would go to the unlinked file; it must not vanish.
    os.rename(store.path, store.path + ".moved")
    d = final("P0004")
    with pytest.raises(BlueprintMissingError) as err:
        store.record_decision(d)
    assert err.value.kept_pending
    os.rename(store.path + ".moved", store.path)
    again = BlueprintStore.open(store.path, pending_dir=pending)
    assert again.replay_pending()[0].decision_id == d.decision_id
    assert again.patch("P0004")["current_decision_id"] == d.decision_id


def test_moved_blueprint_finds_its_pending_decisions(tmp_path, store, pending):
    """The journal is keyed by path; entries carry the blueprint's uuid, so a moved file still finds them."""
    path = store.path
    os.chmod(path, stat.S_IRUSR)
    ro = BlueprintStore.open(path, pending_dir=pending)
    d = final("P0005")
    with pytest.raises(ReadOnlyError):
        ro.record_decision(d)
    ro.close()
    store.close()
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    new_path = str(tmp_path / "moved" / "blueprint.gpkg")
    os.makedirs(os.path.dirname(new_path))
    os.rename(path, new_path)
    moved = BlueprintStore.open(new_path, pending_dir=pending)
    assert moved.pending_count() == 1
    r = moved.record_decision(final("P0006"))
    assert [x.decision_id for x in r.replayed] == [d.decision_id]
    assert moved.pending_count() == 0
    assert not os.listdir(pending) or all(not n.endswith(".jsonl") for n in os.listdir(pending))


def test_wal_left_by_another_program_is_converted(tmp_path, store):
    path = store.path
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.close()
    with open(path, "rb") as fh:
        assert fh.read(20)[18:20] == b"\x02\x02"  # WAL in the header
    s = BlueprintStore.open(path)
    assert s.info().journal_mode == "delete"
    with open(path, "rb") as fh:
        assert fh.read(20)[18:20] == b"\x01\x01"  # rollback journal again
    s.close()
    # Still held open in WAL by someone else (QGIS): work on, say so.
    other = sqlite3.connect(path)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("SELECT count(*) FROM patches").fetchone()
    s = BlueprintStore.open(path)
    assert s.info().journal_mode == "wal"
    assert s.record_decision(final("P0007")).outcome == "current"
    other.close()
    s.close()


# ----------------------------------------------------------------------------------------------
# Decisions
# ----------------------------------------------------------------------------------------------


def test_current_conflict_and_resolution(store):
    first = store.record_decision(final("P0010", target="land"))
    assert (first.outcome, first.status) == ("current", "decided")
    # A reviewer who saw no decision writes later: stale, kept as a conflict, never current.
    stale = store.record_decision(final("P0010", target="urban", based_on=None, who="赵主任"))
    assert (stale.outcome, stale.status) == ("conflict", "conflict")
    p = store.patch("P0010")
    assert p["current_decision_id"] == first.decision_id and p["current_target"] == "land"
    assert p["n_conflicts"] == 1 and p["decided"] == 1
    # The final role resolves it with a new decision based on the current one.
    fix = store.record_decision(final("P0010", target="urban", based_on=first.decision_id))
    assert (fix.outcome, fix.status) == ("current", "decided")
    states = [(r.decision_id, r.state) for r in store.decisions("P0010")]
    assert states == [
        (first.decision_id, "superseded"),
        (stale.decision_id, "conflict_resolved"),
        (fix.decision_id, "current"),
    ]
    assert cache_matches_log(store)


def test_opinions_never_decide_and_disagreement_is_visible(store):
    a = store.record_decision(opinion("P0011", "规划分局", "urban"))
    b = store.record_decision(opinion("P0011", "国土分局", "land"))
    assert a.outcome == b.outcome == "opinion"
    p = store.patch("P0011")
    assert (p["status"], p["decided"], p["n_opinions"], p["opinions_disagree"]) == ("opinions", 0, 2, 1)
    store.record_decision(opinion("P0011", "国土分局", "urban"))  # 国土分局 changes its mind
    assert store.patch("P0011")["opinions_disagree"] == 0
    assert store.patches(department="国土分局", with_geometry=False).columns["patch_id"].tolist() == ["P0011"]


def test_defer_is_current_but_not_decided(store):
    d = store.record_decision(final("P0012", action="defer", target=None))
    assert (d.outcome, d.status) == ("current", "deferred")
    assert store.patch("P0012")["decided"] == 0
    e = store.record_decision(final("P0012", action="exception", target="land", based_on=d.decision_id))
    assert e.status == "decided"


def test_replayed_id_is_idempotent(store):
    d = final("P0013")
    assert store.record_decision(d).outcome == "current"
    again = store.record_decision(d)
    assert again.outcome == "duplicate"
    assert len(store.decisions("P0013")) == 1


def test_invalid_decisions_are_refused_before_writing(store):
    with pytest.raises(InvalidDecisionError, match="needs a target"):
        store.record_decision(final("P0014", target=None))
    with pytest.raises(InvalidDecisionError, match="retain, withdraw, deduct"):
        store.record_decision(final("P0014", action="adjust_line", target="move"))
    with pytest.raises(InvalidDecisionError, match="Unknown reviewer role"):
        store.record_decision(Decision("P0014", "defer", "x", role="system"))
    with pytest.raises(InvalidDecisionError, match="not in the blueprint"):
        store.record_decision(final("NOPE"))
    assert store.decisions() == [] and store.pending_count() == 0


def test_the_log_is_append_only_even_for_other_tools(store):
    store.record_decision(final("P0015"))
    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE decisions SET target='land'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM decisions")


def test_rebuild_status_restores_a_damaged_cache(store):
    store.record_decision(final("P0016"))
    store.record_decision(final("P0017", based_on="someone-else"))  # conflict without a current one
    store.record_decision(opinion("P0018", "环保局"))
    before = store.patches(with_geometry=False)
    conn = sqlite3.connect(store.path)
    gpkg.register_functions(conn)  # the R-tree triggers of a GeoPackage feature table call ST_* functions
    conn.execute("UPDATE patches SET status='undecided', decided=0, current_decision_id=NULL, n_conflicts=0")
    conn.commit()
    conn.close()
    assert not cache_matches_log(store)
    assert store.rebuild_status() == 3
    assert cache_matches_log(store)
    after = store.patches(with_geometry=False)
    for col in ("status", "decided", "current_decision_id", "n_conflicts", "n_opinions"):
        assert after.columns[col].tolist() == before.columns[col].tolist(), col
    assert store.patch("P0017")["status"] == "conflict"
    assert store.rebuild_status() == 0


def test_progress_counts_and_area_share(store):
    p0 = store.progress()
    assert (p0.n_total, p0.n_decided, p0.area_decided) == (40, 0, 0.0)
    areas = {f"P{i:04d}": (10.0 + i) ** 2 for i in range(40)}
    store.record_decision(final("P0020"))
    store.record_decision(final("P0021", action="set_class", target="0103"))
    store.record_decision(final("P0022", action="defer", target=None))  # current but not decided
    store.record_decision(opinion("P0023", "规划分局"))
    p = store.progress()
    assert p.n_decided == 2 and p.n_total == 40
    assert p.area_decided == pytest.approx(areas["P0020"] + areas["P0021"])
    assert p.area_total == pytest.approx(sum(areas.values()))
    assert p.area_share_decided == pytest.approx((30.0**2 + 31.0**2) / sum(areas.values()))
    assert p.area_decided_ellipsoidal == pytest.approx(p.area_decided * 1.0003)
    assert p.by_status == {"decided": 2, "deferred": 1, "opinions": 1, "undecided": 36}
    streets = store.progress(unit="江浦街道")  # even patch numbers: P0020 is decided there, P0021 is not
    assert (streets.n_total, streets.n_decided) == (20, 1)
    assert streets.area_decided == pytest.approx(areas["P0020"])


def test_patch_filters_and_order(store):
    t = store.patches(order_by="area", with_geometry=False)
    assert t.columns["patch_id"][:3].tolist() == ["P0039", "P0038", "P0037"]
    t = store.patches(kind="ECO_RED", with_geometry=True)
    assert len(t) == 10 and all(g.geom_type == "MultiPolygon" for g in t.geoms)
    assert t.columns["severity"].tolist() == [3] * 10
    t = store.patches(order_by="severity", with_geometry=False)
    assert t.columns["kind"][:10].tolist() == ["ECO_RED"] * 10
    t = store.patches(min_area=400, max_area=900, order_by="area", with_geometry=False)
    assert t.columns["patch_id"].tolist() == [f"P{i:04d}" for i in range(20, 9, -1)]  # sides 30 … 20 m
    store.record_decision(final("P0030", who="钱主任"))
    assert store.patches(reviewer="钱主任", with_geometry=False).columns["patch_id"].tolist() == ["P0030"]
    assert len(store.patches(status="decided", with_geometry=False)) == 1
    plans = store.patch_plans("P0030")
    assert plans["role"].tolist() == ["urban", "land"] and plans["mp_code"].tolist() == ["0701", "0103"]


# ----------------------------------------------------------------------------------------------
# Runs: re-detection, closing, re-confirm, cancel
# ----------------------------------------------------------------------------------------------


def _patch_table(ids, geoms, kind="TWO_PLANS", **extra):
    n = len(ids)
    cols = {
        "patch_id": np.array(ids, dtype=object),
        "kind": np.full(n, kind, dtype=object),
        "area_planar": shapely.area(np.asarray(geoms, dtype=object)),
    }
    cols.update(extra)
    return FeatureTable(geoms=np.asarray(geoms, dtype=object), fids=np.arange(n), columns=cols)


def test_redetection_keeps_decisions_closes_and_flags(store):
    kept = store.record_decision(final("P0001", target="land"))
    changed = store.record_decision(final("P0002", target="urban"))
    store.record_decision(final("P0003"))
    run = store.begin_run("detect", inputs=[], parameters={"iou_same": 0.99})
    moved = shapely.box(500100, 3540000, 500112, 3540011)
    new = shapely.box(600000, 3600000, 600010, 3600010)
    table = _patch_table(
        ["P0001", "P0002", "P9000"],
        [store.patch("P0001")["geometry"], moved, new],
        predecessors=np.array([None, None, ["P0003"]], dtype=object),
        code_urban=np.array(["R2", "R2", "M1"], dtype=object),
    )
    plans = {"patch_id": np.array(["P9000"], dtype=object), "role": np.array(["urban"], dtype=object)}
    with store.run_writer(run) as w:
        counts = w.write_patches(table, plans)
        assert w.close_patches(["P0003", "P0004"]) == 2
        assert (
            w.flag_reconfirm(["P0002", "P9000"], reason="geometry changed", predecessors={"P9000": ["P0003"]})
            == 2
        )
        w.finish(stats={"same": 1, "changed": 1, "new": 1, "vanished": 2})
    assert counts == {"inserted": 1, "updated": 2, "plan_rows": 1}
    p1, p2, p3 = store.patch("P0001"), store.patch("P0002"), store.patch("P0003")
    assert (p1["status"], p1["current_decision_id"], p1["run_id"]) == ("decided", kept.decision_id, run)
    assert p1["first_run_id"] != run
    assert (p2["status"], p2["decided"], p2["reconfirm"]) == ("reconfirm", 0, 1)
    assert shapely.equals(p2["geometry"], moved)
    assert p3["status"] == "closed" and p3["closed_run_id"] == run
    late = store.record_decision(final("P0004"))  # typed before the reviewer refreshed: kept, reported
    assert (late.outcome, late.status) == ("current", "closed")
    new_p = store.patch("P9000")
    assert json.loads(new_p["predecessors"]) == ["P0003"] and new_p["status"] == "reconfirm"
    assert new_p["code_urban"] == "M1"  # an extra column went into the layer
    assert len(store.patches()) == 39  # 40 - 2 closed + 1 new
    assert store.progress().n_reconfirm == 2
    # Re-confirming clears the flag; the flag survives a rebuild until then.
    assert store.rebuild_status() == 0 and store.patch("P0002")["reconfirm"] == 1
    r = store.record_decision(final("P0002", target="urban", based_on=changed.decision_id))
    assert r.status == "decided" and store.patch("P0002")["reconfirm"] == 0
    assert [x.state for x in store.decisions("P0002")] == ["superseded", "reconfirmed", "current"]
    # A later run finding a closed patch again re-opens it, decisions intact.
    run2 = store.begin_run("detect", inputs=[], parameters={})
    store.write_patches(run2, _patch_table(["P0003"], [store.patch("P0003")["geometry"]]))
    assert store.patch("P0003")["status"] == "decided"
    assert cache_matches_log(store)
    assert [r["status"] for r in store.runs()] == ["finished", "finished", "running"]


def test_cancelled_run_writes_nothing(store):
    run = store.begin_run("detect", inputs=[], parameters={})
    n = 3000
    x = 700000 + np.arange(n) * 20.0
    geoms = shapely.box(x, 3700000, x + 10, 3700010)
    big = FeatureTable(
        geoms=geoms,
        fids=np.arange(n),
        columns={"mp_code": np.full(n, "0101", dtype=object)},
    )
    polls = []

    def cancel():
        polls.append(1)
        return len(polls) >= 3

    with pytest.raises(RunCancelledError):
        with store.run_writer(run, cancel=cancel) as w:
            w.write_plan_copy("land", big)
            w.write_patches(_patch_table([f"N{i}" for i in range(n)], geoms), None)
            w.close_patches(["P0001"])
    assert "plan_land" not in store.layers()
    assert len(store.patches(include_closed=True)) == 40 and store.patch("P0001")["status"] == "undecided"
    assert store.runs()[-1]["status"] == "cancelled"
    run2 = store.begin_run("detect", inputs=[], parameters={})
    with pytest.raises(ZeroDivisionError):
        with store.run_writer(run2) as w:
            w.write_plan_copy("land", big)
            _ = 1 / 0
    assert "plan_land" not in store.layers()
    assert store.runs()[-1]["status"] == "failed" and "division" in store.runs()[-1]["message"]
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_plan_copy_in_another_crs_is_refused(store):
    from osgeo import osr

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4548)  # the neighbouring GK zone
    run = store.begin_run("detect")
    table = FeatureTable(
        geoms=np.array([shapely.box(0, 0, 1, 1)], dtype=object),
        fids=np.arange(1),
        crs_wkt=srs.ExportToWkt(),
        name="urban",
    )
    with pytest.raises(BlueprintError, match="not in the blueprint's working CRS"):
        store.write_plan_copy(run, "urban", table)


# ----------------------------------------------------------------------------------------------
# Export and demo
# ----------------------------------------------------------------------------------------------


def test_export_history_csv_and_xlsx(tmp_path, store):
    from osgeo import ogr

    a = store.record_decision(opinion("P0001", "规划分局"))
    b = store.record_decision(final("P0001", target="land"))
    c = store.record_decision(final("P0001", target="urban"))  # stale -> conflict
    assert store.export_history(str(tmp_path / "h.csv")) == 3
    assert store.export_history(str(tmp_path / "h.xlsx")) == 3
    raw = (tmp_path / "h.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese text right
    text = raw.decode("utf-8-sig")
    assert "规划分局" in text and OFFICE in text
    ds = ogr.Open(str(tmp_path / "h.xlsx"))
    lyr = ds.GetLayer(0)
    rows = [(f.GetField("decision_id"), f.GetField("state"), f.GetField("department")) for f in lyr]
    assert rows == [
        (a.decision_id, "opinion", "规划分局"),
        (b.decision_id, "current", OFFICE),
        (c.decision_id, "conflict", OFFICE),
    ]
    lyr.ResetReading()
    first = lyr.GetNextFeature()
    assert first.GetField("kind") == "TWO_PLANS" and first.GetField("area_planar") == pytest.approx(121.0)


def test_scripted_demo_decisions(store):
    from multiplan.algorithms.store.demo import record_scripted_decisions

    results = record_scripted_decisions(store)
    outcomes = [r.outcome for r in results]
    assert outcomes.count("conflict") == 1 and "opinion" in outcomes and "current" in outcomes
    p = store.progress()
    assert p.n_decided >= 4 and p.n_conflicts == 1
    assert cache_matches_log(store)


def test_torn_or_foreign_journal_lines_are_kept_aside_not_replayed(store, pending):
    good = final("P0031")
    store.journal.append(good.to_dict(), blueprint_uuid=store.info().blueprint_uuid, reason="test")
    with open(store.journal.path, "a", encoding="utf-8") as fh:
        fh.write('{"format": "multiplan-pending", "decision": {"patch_id": "P0032"}}\n')  # incomplete
        fh.write('{"format": "multiplan-pen')  # torn by a crash mid-append
    other = final("P0033")
    store.journal.append(other.to_dict(), blueprint_uuid="another-blueprint", reason="test")
    written = store.replay_pending()
    assert [r.decision_id for r in written] == [good.decision_id]
    bad = open(store.journal.path + ".bad", encoding="utf-8").read().splitlines()
    assert len(bad) == 2  # kept for a human, never deleted
    # The entry of another blueprint that once lived at this path stays in the journal, untouched.
    left = store.journal.entries()
    assert [e["decision"]["decision_id"] for e in left] == [other.decision_id]
    assert store.pending_count() == 0
