"""The blueprint's tables (Contract 2, schema version 1) and the forward-migration registry.

The column lists here are the contract; ``docs/blueprint-contract.md`` documents them for people.
A schema change means: bump :data:`SCHEMA_VERSION`, add ``MIGRATIONS[old] = fn`` that turns a
version-``old`` file into version ``old + 1`` (plain SQL on the open transaction), and document it.
Migrations run on open, in one transaction, so a file is either fully migrated or untouched.
A file with a *newer* version than :data:`SCHEMA_VERSION` is refused (never "best effort" written).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .. import gpkg

FORMAT = "multiplan-blueprint"
SCHEMA_VERSION = 1

#: ``MIGRATIONS[v]`` migrates an open version-``v`` file to ``v + 1`` inside the caller's transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}

PROJECT_COLUMNS = [
    ("format", "TEXT NOT NULL"),
    ("schema_version", "INTEGER NOT NULL"),
    ("blueprint_uuid", "TEXT NOT NULL"),
    ("project_name", "TEXT"),
    ("district", "TEXT"),
    ("crs_authid", "TEXT"),
    ("crs_wkt", "TEXT"),
    ("srs_id", "INTEGER"),
    ("plugin_version", "TEXT"),
    ("created_utc", "DATETIME"),
    ("updated_utc", "DATETIME"),
]

RUN_COLUMNS = [
    ("run_id", "TEXT NOT NULL UNIQUE"),
    ("kind", "TEXT NOT NULL"),
    ("status", "TEXT NOT NULL"),  # running, finished, cancelled, failed
    ("started_utc", "DATETIME"),
    ("finished_utc", "DATETIME"),
    ("inputs", "TEXT"),  # JSON: [{role, path, layer, count, content_hash, ...}]
    ("parameters", "TEXT"),  # JSON
    ("timings", "TEXT"),  # JSON
    ("stats", "TEXT"),  # JSON
    ("plugin_version", "TEXT"),
    ("message", "TEXT"),
]

PATCH_COLUMNS = [
    ("patch_id", "TEXT NOT NULL UNIQUE"),
    ("kind", "TEXT NOT NULL"),
    ("severity", "INTEGER"),
    ("unit", "TEXT"),
    ("codes", "TEXT"),
    ("area_planar", "REAL"),
    ("area_ellipsoidal", "REAL"),
    ("is_sliver", "BOOLEAN"),
    ("sliver_reason", "TEXT"),
    ("fingerprint", "TEXT"),
    ("predecessors", "TEXT"),  # JSON list of patch ids
    ("run_id", "TEXT"),  # the run that last wrote this patch
    ("first_run_id", "TEXT"),
    ("closed_run_id", "TEXT"),  # set when a later run found the patch vanished; never deleted
    # --- the status cache, derived from `decisions` (rebuild_status recomputes it) ---
    ("status", "TEXT NOT NULL DEFAULT 'undecided'"),
    ("decided", "BOOLEAN NOT NULL DEFAULT 0"),
    ("current_decision_id", "TEXT"),
    ("current_action", "TEXT"),
    ("current_target", "TEXT"),
    ("decided_by", "TEXT"),
    ("decided_utc", "DATETIME"),
    ("n_opinions", "INTEGER NOT NULL DEFAULT 0"),
    ("opinions_disagree", "BOOLEAN NOT NULL DEFAULT 0"),
    ("n_conflicts", "INTEGER NOT NULL DEFAULT 0"),
    ("reconfirm", "BOOLEAN NOT NULL DEFAULT 0"),
]
#: Columns a caller supplies for a patch (the rest is the store's business).
PATCH_INPUT_COLUMNS = {
    "patch_id": "text",
    "kind": "text",
    "severity": "int",
    "unit": "text",
    "codes": "text",
    "area_planar": "real",
    "area_ellipsoidal": "real",
    "is_sliver": "bool",
    "sliver_reason": "text",
    "fingerprint": "text",
    "predecessors": "text",
}

PATCH_PLAN_COLUMNS = [
    ("patch_id", "TEXT NOT NULL"),
    ("role", "TEXT NOT NULL"),
    ("layer", "TEXT"),
    ("src_standard", "TEXT"),
    ("src_code", "TEXT"),
    ("src_name", "TEXT"),
    ("mp_code", "TEXT"),
    ("mp_name", "TEXT"),
    ("mp_level", "INTEGER"),
    ("mp_construction", "INTEGER"),
    ("run_id", "TEXT"),
]

DECISION_COLUMNS = [
    ("decision_id", "TEXT NOT NULL UNIQUE"),
    ("patch_id", "TEXT NOT NULL"),
    ("action", "TEXT NOT NULL"),
    ("target", "TEXT"),
    ("reviewer", "TEXT"),
    ("department", "TEXT"),
    ("role", "TEXT NOT NULL CHECK (role IN ('opinion','final','system'))"),
    ("reason_code", "TEXT"),
    ("comment", "TEXT"),
    ("based_on", "TEXT"),
    ("client_utc", "DATETIME"),
    ("written_utc", "DATETIME"),
    ("origin", "TEXT"),  # direct, replay, system
    ("plugin_version", "TEXT"),
    ("run_id", "TEXT"),  # for system rows written by a run
]

CONTROL_LINE_COLUMNS = [
    ("line_type", "TEXT NOT NULL"),  # eco_redline, farmland, dev_boundary (or a user name)
    ("stage", "TEXT NOT NULL"),  # input, proposed, final
    ("name", "TEXT"),
    ("unit", "TEXT"),
    ("area_planar", "REAL"),
    ("area_ellipsoidal", "REAL"),
    ("run_id", "TEXT"),
]

LINE_ADJUSTMENT_COLUMNS = [
    ("adjustment_id", "TEXT NOT NULL UNIQUE"),
    ("patch_id", "TEXT"),  # the LINE_* patch the dock steps through
    ("line_type", "TEXT"),  # the line that would give up area
    ("other_line", "TEXT"),  # the line it overlaps
    ("proposal", "TEXT"),  # retain / withdraw / deduct
    ("rule", "TEXT"),
    ("unit", "TEXT"),
    ("area_planar", "REAL"),
    ("area_ellipsoidal", "REAL"),
    ("buhua_area", "REAL"),  # farmland to be replaced elsewhere (补划) if withdrawn
    ("run_id", "TEXT"),
]

ATTRIBUTE_TABLES = {
    "project": PROJECT_COLUMNS,
    "runs": RUN_COLUMNS,
    "patch_plans": PATCH_PLAN_COLUMNS,
    "decisions": DECISION_COLUMNS,
}
FEATURE_TABLES = {
    "patches": PATCH_COLUMNS,
    "control_lines": CONTROL_LINE_COLUMNS,
    "line_adjustments": LINE_ADJUSTMENT_COLUMNS,
}
DESCRIPTIONS = {
    "project": "Multi-Plan blueprint: project, working CRS, schema version",
    "runs": "Detection and reconciliation runs: inputs, parameters, timings",
    "patches": "Difference patches (差异图斑): the review queue",
    "patch_plans": "What each involved plan says on each patch",
    "decisions": "Append-only decision log (opinions and final decisions)",
    "control_lines": "Control lines (三条控制线): input, proposed, final",
    "line_adjustments": "Proposed control-line adjustments (保留/退出/扣除)",
}

#: The dock looks a patch's adjustments up by patch_id (adjustment_id is UNIQUE, so indexed already); a
#: blueprint created before this index existed gets it with its next reconciliation.
LINE_ADJUSTMENT_INDEXES = [
    "CREATE INDEX IF NOT EXISTS idx_line_adjustments_patch ON line_adjustments(patch_id)",
]

INDEXES = [
    "CREATE INDEX IF NOT EXISTS idx_patches_kind ON patches(kind)",
    "CREATE INDEX IF NOT EXISTS idx_patches_status ON patches(status)",
    "CREATE INDEX IF NOT EXISTS idx_patches_unit ON patches(unit)",
    "CREATE INDEX IF NOT EXISTS idx_patch_plans_patch ON patch_plans(patch_id)",
    "CREATE INDEX IF NOT EXISTS idx_decisions_patch ON decisions(patch_id)",
    "CREATE INDEX IF NOT EXISTS idx_control_lines_stage ON control_lines(stage)",
    *LINE_ADJUSTMENT_INDEXES,
]

# The log is append-only: refuse UPDATE and DELETE from any tool (QGIS, DB Browser, GDAL) too.
APPEND_ONLY = [
    "CREATE TRIGGER IF NOT EXISTS decisions_append_only_update BEFORE UPDATE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS decisions_append_only_delete BEFORE DELETE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END",
]


def create_schema(conn: sqlite3.Connection, srs_id: int) -> None:
    """Create every blueprint table of the current version (inside the caller's transaction)."""
    for name, cols in ATTRIBUTE_TABLES.items():
        gpkg.create_attribute_table(conn, name, cols, description=DESCRIPTIONS[name])
    for name, cols in FEATURE_TABLES.items():
        gpkg.create_feature_table(
            conn, name, cols, geometry_type="MULTIPOLYGON", srs_id=srs_id, description=DESCRIPTIONS[name]
        )
    for sql in INDEXES + APPEND_ONLY:
        conn.execute(sql)


def migrate(conn: sqlite3.Connection, found: int, target: int | None = None) -> list[int]:
    """Apply ``MIGRATIONS[found] … MIGRATIONS[target-1]``; returns the versions passed through."""
    target = SCHEMA_VERSION if target is None else target
    done = []
    version = found
    while version < target:
        step = MIGRATIONS.get(version)
        if step is None:
            raise KeyError(f"no migration from schema version {version}")
        step(conn)
        version += 1
        conn.execute("UPDATE project SET schema_version=?, updated_utc=?", (version, gpkg.utc_now()))
        done.append(version)
    return done
