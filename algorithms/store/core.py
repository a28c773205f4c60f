"""``BlueprintStore``: the one interface to a blueprint GeoPackage (一张蓝图).

Every later step — detection, the review dock, control lines, apply, reports — reads and writes
the state of an integration project through this class.  Its surface is deliberately small and
speaks only plain values, :class:`~multiplan.algorithms.table.FeatureTable` and dataclasses, so a
PostgreSQL/PostGIS store can later implement the same methods.

How a write works (see ``docs/blueprint-contract.md`` for the argument):

* one persistent ``sqlite3`` connection, rollback journal (``journal_mode=DELETE``) and
  ``synchronous=FULL``; a file left in WAL by QGIS is converted back when nobody else has it open;
* every write is one short explicit transaction: ``BEGIN IMMEDIATE`` retried with jittered
  exponential backoff up to ``lock_timeout`` seconds, then the statements, then ``COMMIT``;
* before each write the file's identity is checked (a deleted or replaced file would otherwise
  swallow writes through the still-open descriptor);
* a decision that cannot be written (locked past the bound, read-only, missing, I/O error) goes to
  the per-user pending journal and the error says so; pending decisions are replayed inside the next
  successful write transaction, and removed from the journal only after it committed.
"""

from __future__ import annotations

import configparser
import contextlib
import functools
import json
import os
import random
import re
import sqlite3
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from .. import gpkg
from ..gpkg import q
from ..i18n import tr
from ..table import FeatureTable
from . import schema
from .decisions import (
    RECONFIRM,
    ROLE_SYSTEM,
    STATUS_CLOSED,
    Decision,
    DecisionRecord,
    PatchState,
    action_label,
    derive,
    validate,
    with_states,
)
from .errors import (
    BlueprintError,
    BlueprintLockedError,
    BlueprintMissingError,
    BlueprintWriteError,
    InvalidDecisionError,
    NewerSchemaError,
    NotBlueprintError,
    NotGeoPackageError,
    ReadOnlyError,
    RecoveryNeededError,
    RunCancelledError,
    SchemaUpgradeError,
)
from .pending import PendingJournal

DEFAULT_LOCK_TIMEOUT = 5.0  # seconds a write waits for the lock before it goes to the pending journal
BUSY_SLICE = 0.02  # seconds SQLite's own busy handler waits inside one attempt
BACKOFF_START = 0.002
BACKOFF_MAX = 0.1

_DECISION_FIELDS = (
    "decision_id",
    "patch_id",
    "action",
    "target",
    "reviewer",
    "department",
    "role",
    "reason_code",
    "comment",
    "based_on",
    "client_utc",
    "written_utc",
    "origin",
    "plugin_version",
    "run_id",
)
_INSERT_DECISION = (
    f"INSERT OR IGNORE INTO decisions ({', '.join(_DECISION_FIELDS)}) "
    f"VALUES ({', '.join('?' * len(_DECISION_FIELDS))})"
)
_RECORD_SELECT = (
    "SELECT fid, decision_id, patch_id, action, target, reviewer, department, role, reason_code, comment, "
    "based_on, client_utc, written_utc, origin, run_id FROM decisions"
)


@functools.lru_cache(maxsize=1)
def current_plugin_version() -> str:
    """The plugin version from ``metadata.txt`` (the single source), or '' outside the plugin."""
    meta = Path(__file__).resolve().parents[2] / "metadata.txt"
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(meta, encoding="utf-8")
    except (OSError, configparser.Error):
        return ""
    return parser.get("general", "version", fallback="")


def _is_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (incl. extended codes)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _record(row: Sequence) -> DecisionRecord:
    return DecisionRecord(*row)


@dataclass(frozen=True)
class BlueprintInfo:
    """What a blueprint says about itself (the ``project`` row plus the connection's facts)."""

    path: str
    project_name: str
    district: str
    crs_authid: str
    crs_wkt: str
    srs_id: int
    schema_version: int
    plugin_version: str
    created_utc: str
    updated_utc: str
    blueprint_uuid: str
    journal_mode: str
    readonly: bool
    readonly_reason: str
    layers: tuple[str, ...]
    pending: int


@dataclass(frozen=True)
class WriteResult:
    """What happened to one decision.

    ``outcome``: ``current`` (it is now the patch's current decision), ``conflict`` (a final decision
    whose ``based_on`` was stale: kept and shown, not current), ``opinion``, ``duplicate`` (its id was
    already in the log — a replay), ``unknown_patch`` (replayed for a patch this blueprint lacks).
    ``status`` is the patch's status after the write.  ``replayed`` lists pending decisions written
    in the same transaction, before this one.
    """

    decision_id: str
    patch_id: str
    outcome: str
    status: str | None
    replayed: tuple[WriteResult, ...] = ()
    waited_s: float = 0.0


@dataclass(frozen=True)
class Progress:
    """Progress over open patches (closed ones are out of the queue)."""

    n_total: int
    n_decided: int
    area_total: float
    area_decided: float
    area_total_ellipsoidal: float
    area_decided_ellipsoidal: float
    n_conflicts: int
    n_reconfirm: int
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def share_decided(self) -> float:
        return self.n_decided / self.n_total if self.n_total else 0.0

    @property
    def area_share_decided(self) -> float:
        return self.area_decided / self.area_total if self.area_total else 0.0


def _fail_from(exc: sqlite3.Error, waited: float = 0.0) -> _Fail:
    """Map an sqlite3 error to the failure kinds the public errors are built from."""
    if _is_busy(exc):
        return _Fail("locked", str(exc), waited)
    code = getattr(exc, "sqlite_errorcode", None)
    if (code is not None and code & 0xFF == 8) or "readonly" in str(exc).lower():  # SQLITE_READONLY
        return _Fail("readonly", str(exc))
    return _Fail("error", str(exc))


class _Fail(Exception):  # noqa: N818 - internal signal, never leaves the module
    """Internal: a write could not happen; ``kind`` picks the public error."""

    def __init__(self, kind: str, detail: str = "", waited: float = 0.0):
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail
        self.waited = waited


class BlueprintStore:
    """A blueprint GeoPackage.  Use :meth:`create` or :meth:`open`; one object per thread."""

    def __init__(
        self,
        path: str,
        conn: sqlite3.Connection,
        *,
        readonly: bool,
        readonly_reason: str,
        pending_dir: str | None,
        lock_timeout: float,
    ):
        self.path = path
        self._conn = conn
        self.readonly = readonly
        self.readonly_reason = readonly_reason
        self.lock_timeout = float(lock_timeout)
        self._pending_dir = pending_dir
        self.journal = PendingJournal(path, pending_dir)
        self._identity = self._file_identity()
        self.journal_mode = ""
        self._project: dict = {}
        self._foreign_journals: list[str] = []
        self._last_wait = 0.0

    # ------------------------------------------------------------------------------------------
    # Opening and creating
    # ------------------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str,
        *,
        project_name: str,
        district: str = "",
        crs_wkt: str | None = None,
        crs_authid: str | None = None,
        plugin_version: str | None = None,
        overwrite: bool = False,
        pending_dir: str | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> BlueprintStore:
        """Create a new, empty blueprint in the working CRS and open it."""
        path = os.path.abspath(path)
        if os.path.exists(path):
            if not overwrite:
                raise BlueprintError(
                    tr("{path} already exists; choose another name or allow overwriting.").format(path=path),
                    path,
                )
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path + suffix)
        if not crs_wkt and not crs_authid:
            raise BlueprintError(tr("A blueprint needs a working CRS."), path)
        try:  # like QGIS's own file outputs: a missing folder is created
            os.makedirs(os.path.dirname(path), exist_ok=True)
        except OSError as exc:
            raise BlueprintWriteError(path, str(exc)) from exc
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_SLICE)
        except sqlite3.Error as exc:
            raise BlueprintWriteError(path, str(exc)) from exc
        try:
            gpkg.register_functions(conn)
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("BEGIN IMMEDIATE")
            gpkg.init_geopackage(conn)
            try:
                srs_id = gpkg.ensure_srs(conn, crs_wkt=crs_wkt, authid=crs_authid)
            except gpkg.GeoPackageError as exc:
                raise BlueprintError(
                    tr("The working CRS is not usable: {error}").format(error=exc), path
                ) from exc
            schema.create_schema(conn, srs_id)
            wkt = conn.execute(
                "SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id=?", (srs_id,)
            ).fetchone()[0]
            now = gpkg.utc_now()
            conn.execute(
                "INSERT INTO project (format, schema_version, blueprint_uuid, project_name, district, "
                "crs_authid, crs_wkt, srs_id, plugin_version, created_utc, updated_utc) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    schema.FORMAT,
                    schema.SCHEMA_VERSION,
                    str(uuid.uuid4()),
                    project_name,
                    district,
                    crs_authid or "",
                    crs_wkt or wkt,
                    srs_id,
                    plugin_version if plugin_version is not None else current_plugin_version(),
                    now,
                    now,
                ),
            )
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            conn.close()
            with contextlib.suppress(OSError):
                os.remove(path)
            raise
        conn.close()
        return cls.open(path, pending_dir=pending_dir, lock_timeout=lock_timeout)

    @classmethod
    def open(
        cls,
        path: str,
        *,
        readonly: bool = False,
        pending_dir: str | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> BlueprintStore:
        """Open a blueprint; refuses non-GeoPackages, foreign GeoPackages and newer schemas.

        A file that cannot be written opens read-only (``info().readonly``); writes then raise
        :class:`ReadOnlyError` and keep decisions in the pending journal.  An older schema is
        migrated forward in one transaction.
        """
        path = os.path.abspath(path)
        if not os.path.exists(path):
            raise BlueprintMissingError(path)
        if os.path.isdir(path):
            raise NotGeoPackageError(path, tr("It is a folder."))
        try:
            with open(path, "rb") as fh:
                head = fh.read(100)
        except OSError as exc:
            raise BlueprintError(
                tr("Cannot read {path}: {error}").format(path=path, error=exc), path
            ) from exc
        if not head.startswith(gpkg.SQLITE_MAGIC):
            raise NotGeoPackageError(path, tr("It is not an SQLite database."))
        reason = "" if not readonly else tr("opened read-only")
        if not readonly:
            reason = _not_writable_reason(path)
        ro = bool(reason)
        uri = Path(path).as_uri() + ("?mode=ro" if ro else "?mode=rw")
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_SLICE)
        except sqlite3.Error as exc:
            raise NotGeoPackageError(path, str(exc)) from exc
        store = cls(
            path,
            conn,
            readonly=ro,
            readonly_reason=reason,
            pending_dir=pending_dir,
            lock_timeout=lock_timeout,
        )
        try:
            store._setup()
        except BaseException:
            conn.close()
            raise
        return store

    def _setup(self) -> None:
        conn = self._conn
        gpkg.register_functions(conn)
        # Even a PRAGMA loads the schema, which needs a shared lock: every statement here may wait.
        try:
            self._read(lambda: conn.execute("PRAGMA synchronous=FULL"))
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                raise
            raise self._unreadable(exc) from exc
        try:
            self.journal_mode = self._read(lambda: conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from exc
        if not self.readonly:
            self._leave_wal()
        try:
            ok = self._read(lambda: gpkg.is_geopackage(conn))
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from exc
        if not ok:
            raise NotGeoPackageError(self.path, tr("It has no GeoPackage tables."))
        if not self._read(lambda: gpkg.table_exists(conn, "project")):
            raise NotBlueprintError(self.path)
        cols = self._read(lambda: gpkg.column_names(conn, "project"))
        if "format" not in cols or "schema_version" not in cols:
            raise NotBlueprintError(self.path)
        row = self._read(
            lambda: conn.execute("SELECT format, schema_version FROM project LIMIT 1").fetchone()
        )
        if row is None or row[0] != schema.FORMAT:
            raise NotBlueprintError(self.path)
        found = int(row[1])
        if found > schema.SCHEMA_VERSION:
            raise NewerSchemaError(self.path, found, schema.SCHEMA_VERSION)
        if found < schema.SCHEMA_VERSION:
            if self.readonly:
                raise SchemaUpgradeError(self.path, found, schema.SCHEMA_VERSION)
            try:
                self._transaction(lambda c, pending: schema.migrate(c, found), replay=False)
            except _Fail as f:
                raise self._error(f) from None
        self._load_project()
        if not self.readonly:
            self._foreign_journals = self.journal.foreign_journals(self._project.get("blueprint_uuid", ""))

    def _unreadable(self, exc: sqlite3.Error) -> BlueprintError:
        """Why the schema could not be read: a read-only connection facing the rollback journal of a
        writer that stopped mid-transaction (SQLite must roll it back first and cannot), or not a
        GeoPackage at all."""
        journal = self.path + "-journal"
        if self.readonly and os.path.exists(journal) and os.path.getsize(journal) > 0:
            return RecoveryNeededError(self.path)
        return NotGeoPackageError(self.path, str(exc))

    def _leave_wal(self) -> None:
        """Convert a WAL file (QGIS may leave one) back to a rollback journal when nobody else has it open.

        If another program holds it open, the store keeps working in WAL (fine on a local disk) and
        tries again at the next open; ``info().journal_mode`` reports it.
        """
        if self.journal_mode != "wal":
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA journal_mode=DELETE")
            return
        try:
            mode = self._conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "wal"
        self.journal_mode = str(mode).lower()

    def _load_project(self) -> None:
        cur = self._read(lambda: self._conn.execute("SELECT * FROM project LIMIT 1"))
        names = [d[0] for d in cur.description]
        self._project = dict(zip(names, cur.fetchone()))

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> BlueprintStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------
    # Low-level: identity, reads, transactions
    # ------------------------------------------------------------------------------------------

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _read(self, fn: Callable):
        """Run a read, retrying while a writer holds the exclusive lock (bounded by lock_timeout)."""
        deadline = time.monotonic() + self.lock_timeout
        delay = BACKOFF_START
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    if _is_busy(exc):
                        raise BlueprintLockedError(self.path, self.lock_timeout) from exc
                    raise
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, BACKOFF_MAX)

    def _check_file(self) -> None:
        ident = self._file_identity()
        if ident is None:
            raise _Fail("missing")
        if ident != self._identity and (self._identity is None or self._identity[1] != 0):
            # (st_ino 0: a filesystem without file ids, e.g. some network drives; existence must do)
            # The path now holds another file (copied over, restored); our descriptor points to the
            # old one, so writing through it would vanish.  Refuse; reopening is the caller's choice.
            raise _Fail("missing", tr("the file was replaced"))

    def _begin(self) -> float:
        """``BEGIN IMMEDIATE`` with jittered exponential backoff, bounded by ``lock_timeout``.

        Returns the start time.  Inside the transaction SQLite's own busy handler may then wait up to
        the rest of the bound (a COMMIT in rollback mode waits for readers to finish).
        """
        if self.readonly:
            raise _Fail("readonly")
        self._check_file()
        conn = self._conn
        start = time.monotonic()
        deadline = start + self.lock_timeout
        delay = BACKOFF_START
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise _fail_from(exc) from exc
                now = time.monotonic()
                if now >= deadline:
                    raise _Fail("locked", waited=now - start) from exc
                time.sleep(min(delay * random.uniform(0.5, 1.5), max(0.0, deadline - now)))
                delay = min(delay * 2, BACKOFF_MAX)
            except sqlite3.Error as exc:
                raise _fail_from(exc) from exc
        with contextlib.suppress(sqlite3.Error):
            conn.execute(f"PRAGMA busy_timeout={max(int((deadline - time.monotonic()) * 1000), 100)}")
        return start

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")
        self._restore_busy()

    def _restore_busy(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute(f"PRAGMA busy_timeout={int(BUSY_SLICE * 1000)}")

    def _transaction(self, fn: Callable[[sqlite3.Connection, list], object], *, replay: bool = True):
        """Run ``fn(conn, pending)`` in one ``BEGIN IMMEDIATE`` transaction; raises :class:`_Fail`.

        ``pending`` are the pending-journal decisions to replay first (the callback writes them).
        After COMMIT, the replayed entries are removed from the journal(s).
        """
        start = self._begin()
        pending: list[tuple[str, dict]] = []
        try:
            if replay:
                pending = self._pending_entries()
            result = fn(self._conn, pending)
            self._conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise _fail_from(exc, waited=time.monotonic() - start) from exc
            raise
        self._restore_busy()
        self._drop_replayed(pending)
        self._last_wait = time.monotonic() - start
        return result

    def _drop_replayed(self, pending: list[tuple[str, dict]]) -> None:
        by_file: dict[str, list[str]] = {}
        for src, d in pending:
            by_file.setdefault(src, []).append(d["decision_id"])
        for src, ids in by_file.items():
            self.journal.remove(ids, src)

    def _pending_entries(self) -> list[tuple[str, dict]]:
        """(journal file, decision dict) for every pending decision of this blueprint."""
        out: list[tuple[str, dict]] = []
        my_uuid = self._project.get("blueprint_uuid")
        files = [self.journal.path] if self.journal.has_entries() else []
        files += [f for f in self._foreign_journals if os.path.exists(f)]
        for f in files:
            for e in self.journal.entries(f):
                if e.get("blueprint_uuid") not in (None, my_uuid):
                    continue  # another blueprint once lived at this path: left in the journal, untouched
                out.append((f, e["decision"]))
        return out

    def _error(
        self, f: _Fail, *, pending_path: str | None = None, decision_id: str | None = None
    ) -> BlueprintError:
        kw = {"pending_path": pending_path, "decision_id": decision_id}
        if f.kind == "readonly":
            return ReadOnlyError(self.path, **kw)
        if f.kind == "missing":
            return BlueprintMissingError(self.path, **kw)
        if f.kind == "locked":
            return BlueprintLockedError(self.path, f.waited or self.lock_timeout, **kw)
        return BlueprintWriteError(self.path, f.detail, **kw)

    # ------------------------------------------------------------------------------------------
    # Information
    # ------------------------------------------------------------------------------------------

    def info(self) -> BlueprintInfo:
        p = self._project
        layers = self._read(
            lambda: tuple(
                r[0] for r in self._conn.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")
            )
        )
        return BlueprintInfo(
            path=self.path,
            project_name=p.get("project_name") or "",
            district=p.get("district") or "",
            crs_authid=p.get("crs_authid") or "",
            crs_wkt=p.get("crs_wkt") or "",
            srs_id=int(p.get("srs_id") or 0),
            schema_version=int(p.get("schema_version") or 0),
            plugin_version=p.get("plugin_version") or "",
            created_utc=p.get("created_utc") or "",
            updated_utc=p.get("updated_utc") or "",
            blueprint_uuid=p.get("blueprint_uuid") or "",
            journal_mode=self.journal_mode,
            readonly=self.readonly,
            readonly_reason=self.readonly_reason,
            layers=layers,
            pending=self.pending_count(),
        )

    @property
    def srs_id(self) -> int:
        return int(self._project["srs_id"])

    @property
    def crs_wkt(self) -> str:
        return self._project.get("crs_wkt") or ""

    # ------------------------------------------------------------------------------------------
    # Decisions
    # ------------------------------------------------------------------------------------------

    def record_decision(self, decision: Decision) -> WriteResult:
        """Append one decision (opinion or final) and update the patch's status cache, atomically.

        Pending decisions from the journal are written first, in the same transaction.  If the
        write cannot happen, the decision is kept in the pending journal and a
        :class:`BlueprintError` subclass says why and where (``err.pending_path``).
        """
        problem = validate(decision)
        if problem:
            raise InvalidDecisionError(problem, self.path)
        try:
            results = self._transaction(lambda c, pending: self._write_decisions(c, pending, decision))
        except _Fail as f:
            journal = self._keep_pending(decision, f.kind)
            raise self._error(f, pending_path=journal, decision_id=decision.decision_id) from None
        *replayed, mine = results
        return WriteResult(
            mine.decision_id, mine.patch_id, mine.outcome, mine.status, tuple(replayed), self._last_wait
        )

    def _keep_pending(self, decision: Decision, reason: str) -> str | None:
        try:
            return self.journal.append(
                decision.to_dict(), blueprint_uuid=self._project.get("blueprint_uuid"), reason=reason
            )
        except OSError:  # pragma: no cover - the user's own data folder is not writable
            return None

    def replay_pending(self) -> list[WriteResult]:
        """Write every pending decision of this blueprint now (e.g. when the dock refreshes)."""
        if not self.pending_count():
            return []
        try:
            return self._transaction(lambda c, pending: self._write_decisions(c, pending, None))
        except _Fail as f:
            raise self._error(f) from None

    def pending_count(self) -> int:
        """How many decisions of this blueprint wait in this user's pending journal(s)."""
        my_uuid = self._project.get("blueprint_uuid")
        n = 0
        for f in [self.journal.path] + [f for f in self._foreign_journals if os.path.exists(f)]:
            n += sum(1 for e in self.journal.entries(f) if e.get("blueprint_uuid") in (None, my_uuid))
        return n

    def _write_decisions(
        self, conn: sqlite3.Connection, pending: list[tuple[str, dict]], decision: Decision | None
    ) -> list[WriteResult]:
        items: list[tuple[Decision, str]] = [(Decision.from_dict(d), "replay") for _, d in pending]
        if decision is not None:
            known = conn.execute("SELECT 1 FROM patches WHERE patch_id=?", (decision.patch_id,)).fetchone()
            if known is None:
                raise InvalidDecisionError(
                    tr("Patch {patch} is not in the blueprint {path}.").format(
                        patch=decision.patch_id, path=self.path
                    ),
                    self.path,
                )
            items.append((decision, "direct"))
        version = current_plugin_version()
        results = []
        for d, origin in items:
            cur = conn.execute(
                _INSERT_DECISION,
                (
                    d.decision_id,
                    d.patch_id,
                    d.action,
                    d.target,
                    d.reviewer,
                    d.department,
                    d.role,
                    d.reason_code,
                    d.comment,
                    d.based_on,
                    d.client_utc,
                    gpkg.utc_now(),
                    origin,
                    version,
                    None,
                ),
            )
            if cur.rowcount == 0:
                row = conn.execute("SELECT status FROM patches WHERE patch_id=?", (d.patch_id,)).fetchone()
                results.append(WriteResult(d.decision_id, d.patch_id, "duplicate", row[0] if row else None))
                continue
            state = self._refresh_patch(conn, d.patch_id)
            if state is None:
                results.append(WriteResult(d.decision_id, d.patch_id, "unknown_patch", None))
                continue
            row_state = state.states.get(d.decision_id, "")
            outcome = {"current": "current", "conflict": "conflict", "opinion": "opinion"}.get(
                row_state, row_state
            )
            results.append(WriteResult(d.decision_id, d.patch_id, outcome, state.status))
        return results

    def _patch_rows(self, conn: sqlite3.Connection, patch_id: str) -> list[DecisionRecord]:
        return [
            _record(r) for r in conn.execute(_RECORD_SELECT + " WHERE patch_id=? ORDER BY fid", (patch_id,))
        ]

    def _refresh_patch(self, conn: sqlite3.Connection, patch_id: str) -> PatchState | None:
        """Re-derive one patch from its log and write the cache (inside the open transaction)."""
        row = conn.execute("SELECT closed_run_id FROM patches WHERE patch_id=?", (patch_id,)).fetchone()
        if row is None:
            return None
        state = derive(self._patch_rows(conn, patch_id), closed=row[0] is not None)
        values = state.cache_values()
        conn.execute(
            f"UPDATE patches SET {', '.join(f'{k}=?' for k in values)} WHERE patch_id=?",
            (*values.values(), patch_id),
        )
        return state

    def decisions(self, patch_id: str | None = None) -> list[DecisionRecord]:
        """The log (all, or one patch's) in write order, each row with its derived state."""
        if patch_id is not None:
            rows = self._read(lambda: self._patch_rows(self._conn, patch_id))
            closed = self._read(
                lambda: self._conn.execute(
                    "SELECT closed_run_id FROM patches WHERE patch_id=?", (patch_id,)
                ).fetchone()
            )
            return with_states(rows, derive(rows, closed=bool(closed and closed[0])))
        out: list[DecisionRecord] = []
        for rows in self._grouped_log().values():
            out.extend(with_states(rows, derive(rows)))
        return sorted(out, key=lambda r: r.seq)

    def _grouped_log(self, patch_ids: Iterable[str] | None = None) -> dict[str, list[DecisionRecord]]:
        if patch_ids is None:
            rows = self._read(
                lambda: self._conn.execute(_RECORD_SELECT + " ORDER BY patch_id, fid").fetchall()
            )
        else:
            ids = json.dumps(list(patch_ids))
            rows = self._read(
                lambda: self._conn.execute(
                    _RECORD_SELECT
                    + " WHERE patch_id IN (SELECT value FROM json_each(?)) ORDER BY patch_id, fid",
                    (ids,),
                ).fetchall()
            )
        groups: dict[str, list[DecisionRecord]] = {}
        for r in rows:
            groups.setdefault(r[2], []).append(_record(r))
        return groups

    def current_decisions(self) -> dict[str, DecisionRecord]:
        """patch_id -> current decision, derived from the log itself (not from the cache)."""
        out = {}
        for pid, rows in self._grouped_log().items():
            cur = derive(rows).current
            if cur is not None:
                out[pid] = cur
        return out

    def rebuild_status(self) -> int:
        """Recompute every patch's status cache from the log; returns how many rows changed."""

        def work(conn: sqlite3.Connection, pending) -> int:
            groups: dict[str, list[DecisionRecord]] = {}
            for r in conn.execute(_RECORD_SELECT + " ORDER BY patch_id, fid"):
                groups.setdefault(r[2], []).append(_record(r))
            cols = ", ".join(schema_cache_columns())
            changed = []
            for row in conn.execute(f"SELECT patch_id, closed_run_id, {cols} FROM patches").fetchall():
                pid, closed, old = row[0], row[1], row[2:]
                values = derive(groups.get(pid, []), closed=closed is not None).cache_values()
                if tuple(values.values()) != tuple(old):
                    changed.append((*values.values(), pid))
            if changed:
                sets = ", ".join(f"{k}=?" for k in schema_cache_columns())
                conn.executemany(f"UPDATE patches SET {sets} WHERE patch_id=?", changed)
            return len(changed)

        try:
            return self._transaction(work, replay=False)
        except _Fail as f:
            raise self._error(f) from None

    def progress(
        self, *, kind: str | Sequence[str] | None = None, unit: str | Sequence[str] | None = None
    ) -> Progress:
        """n of N decided and the share of patch area decided (DESIGN.md's "decided"), open patches only."""
        where, params = self._filters(kind=kind, unit=unit, include_closed=False)
        rows = self._read(
            lambda: self._conn.execute(
                "SELECT status, count(*), sum(decided), total(area_planar), "
                "total(CASE WHEN decided THEN area_planar END), "
                "total(area_ellipsoidal), total(CASE WHEN decided THEN area_ellipsoidal END), "
                "sum(n_conflicts > 0), sum(reconfirm) FROM patches" + where + " GROUP BY status",
                params,
            ).fetchall()
        )
        return Progress(
            n_total=sum(r[1] for r in rows),
            n_decided=sum(r[2] or 0 for r in rows),
            area_total=sum(r[3] for r in rows),
            area_decided=sum(r[4] for r in rows),
            area_total_ellipsoidal=sum(r[5] for r in rows),
            area_decided_ellipsoidal=sum(r[6] for r in rows),
            n_conflicts=sum(r[7] or 0 for r in rows),
            n_reconfirm=sum(r[8] or 0 for r in rows),
            by_status={r[0]: r[1] for r in rows},
        )

    # ------------------------------------------------------------------------------------------
    # Reading patches and layers
    # ------------------------------------------------------------------------------------------

    @staticmethod
    def _filters(
        *,
        kind=None,
        status=None,
        unit=None,
        department=None,
        reviewer=None,
        min_area=None,
        max_area=None,
        include_closed=False,
    ) -> tuple[str, list]:
        clauses, params = [], []

        def one_of(column: str, value):
            vals = [value] if isinstance(value, str) else list(value)
            clauses.append(f"{column} IN ({', '.join('?' * len(vals))})")
            params.extend(vals)

        if kind is not None:
            one_of("kind", kind)
        if status is not None:
            one_of("status", status)
        if unit is not None:
            one_of("unit", unit)
        if department is not None:
            clauses.append("patch_id IN (SELECT patch_id FROM decisions WHERE department=?)")
            params.append(department)
        if reviewer is not None:
            clauses.append("patch_id IN (SELECT patch_id FROM decisions WHERE reviewer=?)")
            params.append(reviewer)
        if min_area is not None:
            clauses.append("area_planar >= ?")
            params.append(float(min_area))
        if max_area is not None:
            clauses.append("area_planar <= ?")
            params.append(float(max_area))
        if not include_closed:
            clauses.append("closed_run_id IS NULL")
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    _ORDER = {
        "severity": "severity DESC, area_planar DESC, patch_id",
        "area": "area_planar DESC, patch_id",
        "kind": "kind, severity DESC, area_planar DESC, patch_id",
        "unit": "unit, severity DESC, area_planar DESC, patch_id",
        "patch_id": "patch_id",
    }

    def patches(
        self,
        *,
        kind: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        unit: str | Sequence[str] | None = None,
        department: str | None = None,
        reviewer: str | None = None,
        min_area: float | None = None,
        max_area: float | None = None,
        include_closed: bool = False,
        order_by: str = "severity",
        with_geometry: bool = True,
        columns: Sequence[str] | None = None,
    ) -> FeatureTable:
        """Patches as arrays, filtered and ordered (``severity``, ``area``, ``kind``, ``unit``, ``patch_id``).

        ``department`` / ``reviewer`` keep patches that have a log row from them.  Closed patches are
        left out unless ``include_closed``.  Detection reads all open patches of a kind with geometry.
        """
        if order_by not in self._ORDER:
            raise ValueError(f"order_by must be one of {sorted(self._ORDER)}")
        where, params = self._filters(
            kind=kind,
            status=status,
            unit=unit,
            department=department,
            reviewer=reviewer,
            min_area=min_area,
            max_area=max_area,
            include_closed=include_closed,
        )
        return self.read_layer(
            "patches",
            columns=columns,
            where=where[len(" WHERE ") :] if where else None,
            params=params,
            order_by=self._ORDER[order_by],
            with_geometry=with_geometry,
        )

    def patch(self, patch_id: str) -> dict | None:
        """One patch's attributes and geometry (``geometry`` key), or None."""
        t = self.read_layer("patches", where="patch_id=?", params=[patch_id])
        if len(t) == 0:
            return None
        out = {k: (v[0].item() if isinstance(v[0], np.generic) else v[0]) for k, v in t.columns.items()}
        out["geometry"] = t.geoms[0]
        out["fid"] = int(t.fids[0])
        return out

    def patch_plans(self, patch_ids: str | Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Rows of ``patch_plans`` (for one patch, several, or all) as columns."""
        where, params = None, []
        if isinstance(patch_ids, str):
            where, params = "patch_id=?", [patch_ids]
        elif patch_ids is not None:
            where, params = "patch_id IN (SELECT value FROM json_each(?))", [json.dumps(list(patch_ids))]
        t = self.read_layer(
            "patch_plans", where=where, params=params, with_geometry=False, order_by="patch_id, fid"
        )
        return t.columns

    def layers(self) -> dict[str, str]:
        """Table name -> data type ('features' or 'attributes') for every layer of the file."""
        rows = self._read(
            lambda: self._conn.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
        )
        return dict(rows)

    def read_layer(
        self,
        name: str,
        *,
        columns: Sequence[str] | None = None,
        where: str | None = None,
        params: Sequence = (),
        order_by: str | None = None,
        with_geometry: bool = True,
    ) -> FeatureTable:
        """Any layer of the blueprint (``plan_<role>``, ``blueprint``, ``control_lines`` …) as a FeatureTable.

        ``where`` is an SQL condition with ``?`` placeholders (engine callers only, never user text).
        """
        layers = self.layers()
        if name not in layers:
            raise BlueprintError(
                tr("The blueprint {path} has no layer {layer}.").format(path=self.path, layer=name), self.path
            )
        geom_col = None
        if with_geometry and layers[name] == "features":
            row = self._read(
                lambda: self._conn.execute(
                    "SELECT column_name FROM gpkg_geometry_columns WHERE table_name=?", (name,)
                ).fetchone()
            )
            geom_col = row[0] if row else None
        fids, geoms, cols = self._read(
            lambda: gpkg.read_features(
                self._conn, name, columns, where=where, params=params, order_by=order_by, geom_column=geom_col
            )
        )
        if geoms is None:
            geoms = np.full(len(fids), None, dtype=object)
        return FeatureTable(geoms=geoms, fids=fids, columns=cols, crs_wkt=self.crs_wkt, name=name)

    def runs(self) -> list[dict]:
        cur = self._read(lambda: self._conn.execute("SELECT * FROM runs ORDER BY fid"))
        names = [d[0] for d in cur.description]
        out = []
        for row in cur.fetchall():
            d = dict(zip(names, row))
            for key in ("inputs", "parameters", "timings", "stats"):
                if d.get(key):
                    with contextlib.suppress(ValueError):
                        d[key] = json.loads(d[key])
            out.append(d)
        return out

    # ------------------------------------------------------------------------------------------
    # Runs (detection, reconciliation, apply)
    # ------------------------------------------------------------------------------------------

    def begin_run(self, kind: str, inputs: object = None, parameters: object = None) -> str:
        """Register a run (status ``running``) in its own short transaction; returns its id."""
        run_id = str(uuid.uuid4())

        def work(conn, pending):
            self._write_decisions(conn, pending, None)
            conn.execute(
                "INSERT INTO runs (run_id, kind, status, started_utc, inputs, parameters, plugin_version) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    run_id,
                    kind,
                    "running",
                    gpkg.utc_now(),
                    _json(inputs),
                    _json(parameters),
                    current_plugin_version(),
                ),
            )

        try:
            self._transaction(work)
        except _Fail as f:
            raise self._error(f) from None
        return run_id

    def finish_run(
        self,
        run_id: str,
        status: str = "finished",
        *,
        timings: object = None,
        stats: object = None,
        message: str | None = None,
    ) -> None:
        """Close a run's record (``finished``, ``cancelled`` or ``failed``)."""
        try:
            self._transaction(lambda c, p: _finish(c, run_id, status, timings, stats, message), replay=False)
        except _Fail as f:
            raise self._error(f) from None

    @contextlib.contextmanager
    def run_writer(self, run_id: str, *, cancel: Callable[[], bool] | None = None) -> Iterator[RunWriter]:
        """One transaction for everything a run writes; an exception (or cancel) rolls all of it back.

        ::

            run_id = store.begin_run("detect", inputs, parameters)
            with store.run_writer(run_id, cancel=feedback.isCanceled) as w:
                w.write_plan_copy("urban", urban_table)
                w.write_patches(patches, patch_plans)
                w.close_patches(vanished_ids)
                w.flag_reconfirm(changed_ids, reason="geometry changed")
                w.finish(timings={...}, stats={...})

        The write lock is held while the block runs: compute first, then write.  If the block fails,
        the run is marked ``cancelled``/``failed`` in a separate small transaction and the error is
        re-raised (:class:`RunCancelledError` for a cancel).
        """
        writer = RunWriter(self, run_id, cancel)
        try:
            start = self._begin()
        except _Fail as f:
            raise self._error(f) from None
        pending: list[tuple[str, dict]] = []
        try:
            pending = self._pending_entries()
            self._write_decisions(self._conn, pending, None)
            writer._conn = self._conn
            yield writer
            writer._conn = None
            self._conn.execute("COMMIT")
            writer._detach_sources(self._conn)
        except BaseException as exc:
            writer._conn = None
            self._rollback()
            writer._detach_sources(self._conn)
            cancelled = isinstance(exc, (RunCancelledError, InterruptedError))
            status, note = ("cancelled" if cancelled else "failed"), str(exc)
            with contextlib.suppress(BlueprintError, _Fail):
                self._transaction(lambda c, p: _finish(c, run_id, status, None, None, note), replay=False)
            if isinstance(exc, InterruptedError):
                raise RunCancelledError(self.path) from exc
            if isinstance(exc, gpkg.GeoPackageError):
                raise BlueprintError(
                    tr("Writing to the blueprint {path} failed: {error}").format(path=self.path, error=exc),
                    self.path,
                ) from exc
            if isinstance(exc, sqlite3.Error):
                raise self._error(_fail_from(exc, waited=time.monotonic() - start)) from exc
            raise
        self._restore_busy()
        self._drop_replayed(pending)

    # Convenience: one-call versions for callers that write a single thing per run.
    def write_patches(self, run_id: str, patches: FeatureTable, patch_plans=None) -> dict:
        """Upsert patches and their plan rows in ONE transaction (see :meth:`RunWriter.write_patches`)."""
        with self.run_writer(run_id) as w:
            return w.write_patches(patches, patch_plans)

    def write_plan_copy(self, run_id: str, role: str, table: FeatureTable) -> int:
        with self.run_writer(run_id) as w:
            return w.write_plan_copy(role, table)

    # ------------------------------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------------------------------

    def export_history(self, path: str, fmt: str | None = None) -> int:
        """The decision log with patch facts and derived states, as CSV (UTF-8 with BOM) or XLSX (GDAL).

        Returns the number of rows written.  XLSX goes through GDAL's XLSX driver (no openpyxl).
        """
        from osgeo import ogr

        from ..vector_io import check_written

        fmt = (fmt or os.path.splitext(path)[1].lstrip(".")).lower()
        if fmt not in ("csv", "xlsx"):
            raise ValueError("fmt must be 'csv' or 'xlsx'")
        rows = self.decisions()
        facts = {}
        t = self.read_layer(
            "patches",
            columns=["patch_id", "kind", "unit", "area_planar", "area_ellipsoidal", "closed_run_id"],
            with_geometry=False,
        )
        for k in range(len(t)):
            facts[t.columns["patch_id"][k]] = (
                t.columns["kind"][k],
                t.columns["unit"][k],
                t.columns["area_planar"][k],
                t.columns["area_ellipsoidal"][k],
            )
        fields = [
            ("seq", ogr.OFTInteger),
            ("decision_id", ogr.OFTString),
            ("patch_id", ogr.OFTString),
            ("kind", ogr.OFTString),
            ("unit", ogr.OFTString),
            ("area_planar", ogr.OFTReal),
            ("area_ellipsoidal", ogr.OFTReal),
            ("role", ogr.OFTString),
            ("department", ogr.OFTString),
            ("reviewer", ogr.OFTString),
            ("action", ogr.OFTString),
            ("target", ogr.OFTString),
            ("action_label", ogr.OFTString),
            ("reason_code", ogr.OFTString),
            ("comment", ogr.OFTString),
            ("based_on", ogr.OFTString),
            ("state", ogr.OFTString),
            ("client_utc", ogr.OFTString),
            ("written_utc", ogr.OFTString),
            ("origin", ogr.OFTString),
        ]
        if os.path.exists(path):
            os.remove(path)
        driver = ogr.GetDriverByName("CSV" if fmt == "csv" else "XLSX")
        ds = driver.CreateDataSource(path)
        if ds is None:
            raise BlueprintError(tr("Cannot create {path}").format(path=path), self.path)
        options = ["WRITE_BOM=YES"] if fmt == "csv" else []
        layer = ds.CreateLayer("decisions", geom_type=ogr.wkbNone, options=options)
        for name, ftype in fields:
            layer.CreateField(ogr.FieldDefn(name, ftype))
        defn = layer.GetLayerDefn()
        for r in rows:
            kind, unit, a_pl, a_el = facts.get(r.patch_id, (None, None, None, None))
            values = {
                "seq": r.seq,
                "decision_id": r.decision_id,
                "patch_id": r.patch_id,
                "kind": kind,
                "unit": unit,
                "area_planar": a_pl,
                "area_ellipsoidal": a_el,
                "role": r.role,
                "department": r.department,
                "reviewer": r.reviewer,
                "action": r.action,
                "target": r.target,
                "action_label": action_label(r.action, r.target),
                "reason_code": r.reason_code,
                "comment": r.comment,
                "based_on": r.based_on,
                "state": r.state,
                "client_utc": r.client_utc,
                "written_utc": r.written_utc,
                "origin": r.origin,
            }
            feat = ogr.Feature(defn)
            for name, value in values.items():
                if value is not None:
                    feat.SetField(name, value.item() if isinstance(value, np.generic) else value)
            layer.CreateFeature(feat)
        ds = None  # GDAL writes XLSX on close
        try:
            check_written(path)
        except OSError as exc:
            raise BlueprintError(str(exc), self.path) from exc
        return len(rows)


def schema_cache_columns() -> tuple[str, ...]:
    from .decisions import CACHE_COLUMNS

    return CACHE_COLUMNS


def _json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str)


def _finish(conn, run_id, status, timings, stats, message) -> None:
    conn.execute(
        "UPDATE runs SET status=?, finished_utc=?, timings=coalesce(?, timings), stats=coalesce(?, stats), "
        "message=coalesce(?, message) WHERE run_id=?",
        (status, gpkg.utc_now(), _json(timings), _json(stats), message, run_id),
    )
    conn.execute("UPDATE project SET updated_utc=?", (gpkg.utc_now(),))


def _not_writable_reason(path: str) -> str:
    """Why the file cannot be written ('' when it can).  The folder matters: the journal lives there.

    The permission bits are honoured even for a superuser (Windows' read-only attribute shows up as
    a mode without write bits), so a file marked read-only is treated as such.
    """
    mode = os.stat(path).st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        return tr("the file is read-only")
    folder = os.path.dirname(path) or "."
    if not os.access(folder, os.W_OK | os.X_OK):
        return tr("its folder cannot be written (SQLite needs to create a journal file next to it)")
    return ""


# ----------------------------------------------------------------------------------------------
# The run writer
# ----------------------------------------------------------------------------------------------

_ROLE_OK = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class RunWriter:
    """Writes of one run, inside the transaction :meth:`BlueprintStore.run_writer` opened."""

    def __init__(self, store: BlueprintStore, run_id: str, cancel: Callable[[], bool] | None):
        self.store = store
        self.run_id = run_id
        self._cancel = cancel
        self._conn: sqlite3.Connection | None = None
        self._attached: list[str] = []  # source databases ATTACHed by copy_plan_from_gpkg

    @property
    def conn(self) -> sqlite3.Connection:
        assert self._conn is not None
        return self._conn

    def _check_cancel(self) -> None:
        if self._cancel is not None and self._cancel():
            raise RunCancelledError(self.store.path)

    def _cancel_poll(self) -> bool:
        return bool(self._cancel and self._cancel())

    # -- layers replaced wholesale --------------------------------------------------------

    def write_plan_copy(self, role: str, table: FeatureTable) -> int:
        """Replace ``plan_<role>`` with a harmonised copy of an input plan (provenance)."""
        self._check_role(role)
        return self._replace_layer(
            f"plan_{role}", table, description=f"plan copy '{role}' of run {self.run_id}"
        )

    def copy_plan_from_gpkg(
        self, role: str, path: str, layer: str, table: FeatureTable, *, same_geometry: bool = False
    ) -> int | None:
        """Replace ``plan_<role>`` with a copy of the GeoPackage table ``layer`` of ``path``, made by SQL.

        The same layer as :meth:`write_plan_copy` writes (``src_fid`` + every column of the source,
        named by the same rules, fids 1…n in source order) without binding a Python value per cell:
        the source is ATTACHed and copied with ``INSERT … SELECT`` inside the run's transaction.
        ``table`` is the plan as detection used it (in the working CRS; it may hold only some of the
        columns): its fids must be exactly the source's, and its bounds fill the R-tree.  Geometry
        blobs are copied as they are when ``same_geometry`` (``table.geoms`` are the source's, not
        reprojected) and the source's srs id, geometry type and Z/M flags are the copy's; otherwise
        the blobs are encoded from ``table.geoms``.

        Returns the number of rows, or None — with nothing written — when the source cannot be
        copied this way (not a GeoPackage, a column of a type other than integer/real/text, other
        rows than ``table``'s): the caller then writes the copy from arrays.
        """
        self._check_role(role)
        self._check_cancel()
        self._check_crs(table)
        conn = self.conn
        try:
            if os.path.exists(self.store.path) and os.path.samefile(path, self.store.path):
                return None
        except OSError:
            return None
        alias = f"mp_src_{len(self._attached) + 1}"
        try:
            gpkg.attach(conn, path, alias)
        except sqlite3.Error:
            return None
        self._attached.append(alias)
        src = gpkg.source_table(conn, alias, layer)
        if src is None:
            return None
        fids = np.asarray(table.fids, dtype=np.int64)
        n = len(fids)
        if n and (np.diff(fids) <= 0).any():
            return None
        s_pk = q(src.pk)
        dense = n == 0 or (fids[0] == 1 and fids[-1] == n)
        try:
            if dense:  # n distinct keys between 1 and n are exactly 1…n
                got = conn.execute(
                    f"SELECT count(*), min({s_pk}), max({s_pk}) FROM {q(alias)}.{q(src.table)}"
                ).fetchone()
                same = tuple(got) == ((0, None, None) if n == 0 else (n, 1, n))
            else:
                sql = f"SELECT {s_pk} FROM {q(alias)}.{q(src.table)} ORDER BY {s_pk}"
                have = np.array([r[0] for r in conn.execute(sql)], dtype=np.int64)
                same = len(have) == n and bool((have == fids).all())
        except (sqlite3.Error, TypeError, ValueError, OverflowError):
            return None
        if not same:
            return None
        if not dense and sqlite3.sqlite_version_info < (3, 25, 0):  # no row_number() before 3.25
            return None
        name = f"plan_{role}"
        names = _column_names([c for c, _ in src.columns], reserved={"fid", "geom", "src_fid"})
        kinds = [k for _, k in src.columns]
        gtype = gpkg.geometry_type_of(table.geoms)
        srs_id = self.store.srs_id
        as_is = (
            same_geometry
            and not table.notes.get("z_dropped")
            and src.srs_id == srs_id
            and src.geometry_type == gtype
            and src.z == 0
            and src.m == 0
        )
        gpkg.drop_table(conn, name)
        gpkg.create_feature_table(
            conn,
            name,
            [("src_fid", "int")] + list(zip(names, kinds)),
            geometry_type=gtype,
            srs_id=srs_id,
            description=f"plan copy '{role}' of run {self.run_id}",
        )
        if n == 0:
            return 0
        new_fid = "s." + s_pk if dense else f"row_number() OVER (ORDER BY s.{s_pk})"
        join = ""
        geom_sql = f"s.{q(src.geom_column)}"
        if not as_is:
            conn.execute("CREATE TEMP TABLE mp_plan_geom (fid INTEGER PRIMARY KEY, geom BLOB)")
            blobs = gpkg.encode_geometries(table.geoms, srs_id, geometry_type=gtype)
            conn.executemany("INSERT INTO temp.mp_plan_geom VALUES (?, ?)", zip(fids.tolist(), blobs))
            join = f"JOIN temp.mp_plan_geom g ON g.fid = s.{s_pk}"
            geom_sql = "g.geom"
        sel = ", ".join(f"s.{q(c)}" for c, _ in src.columns)
        sql = (
            f"SELECT {new_fid}, {geom_sql}, s.{s_pk}{', ' + sel if sel else ''} "
            f"FROM {q(alias)}.{q(src.table)} s {join} ORDER BY s.{s_pk}"
        )
        try:
            gpkg.insert_select(
                conn,
                name,
                ["src_fid"] + names,
                sql,
                fids=np.arange(1, n + 1, dtype=np.int64),
                bounds=shapely.bounds(np.asarray(table.geoms, dtype=object)),
            )
        finally:
            if not as_is:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("DROP TABLE temp.mp_plan_geom")
        self._check_cancel()
        return n

    def _check_role(self, role: str) -> None:
        if not _ROLE_OK.match(role or ""):
            raise BlueprintError(
                tr("A plan role must be lower-case letters, digits and '_': {role}").format(role=role),
                self.store.path,
            )

    def _detach_sources(self, conn: sqlite3.Connection) -> None:
        """DETACH what :meth:`copy_plan_from_gpkg` attached (possible only after COMMIT/ROLLBACK)."""
        for alias in self._attached:
            with contextlib.suppress(sqlite3.Error):
                gpkg.detach(conn, alias)
        self._attached = []

    def write_blueprint(self, table: FeatureTable) -> int:
        """Replace the ``blueprint`` layer (the integrated land use after decisions)."""
        return self._replace_layer("blueprint", table, description=f"blueprint built by run {self.run_id}")

    def _replace_layer(self, name: str, table: FeatureTable, *, description: str) -> int:
        self._check_cancel()
        self._check_crs(table)
        conn = self.conn
        gpkg.drop_table(conn, name)
        names, kinds, values = _user_columns(table, reserved={"fid", "geom", "src_fid"})
        gtype = gpkg.geometry_type_of(table.geoms)
        gpkg.create_feature_table(
            conn,
            name,
            [("src_fid", "int")] + list(zip(names, kinds)),
            geometry_type=gtype,
            srs_id=self.store.srs_id,
            description=description,
        )
        cols = {"src_fid": np.asarray(table.fids)}
        cols.update(dict(zip(names, values)))
        try:
            gpkg.insert_features(conn, name, table.geoms, cols, cancel=self._cancel_poll)
        except InterruptedError:
            raise RunCancelledError(self.store.path) from None
        return len(table)

    def _check_crs(self, table: FeatureTable) -> None:
        if not table.crs_wkt or not self.store.crs_wkt:
            return
        from osgeo import osr

        a, b = osr.SpatialReference(), osr.SpatialReference()
        try:
            a.ImportFromWkt(table.crs_wkt)
            b.ImportFromWkt(self.store.crs_wkt)
        except RuntimeError:
            return
        if not a.IsSame(
            b, ["IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS"]
        ):
            raise BlueprintError(
                tr("{layer} is not in the blueprint's working CRS {crs}; reproject it first.").format(
                    layer=table.name or "?", crs=self.store.info().crs_authid or b.GetName()
                ),
                self.store.path,
            )

    # -- patches --------------------------------------------------------------------------

    def write_patches(self, patches: FeatureTable, patch_plans=None) -> dict:
        """Upsert patches by ``patch_id`` and replace their ``patch_plans`` rows.

        A patch id already in the blueprint keeps its row (and its decisions): geometry and
        attributes are updated, ``run_id`` set to this run, a closed patch is re-opened.  New ids
        are inserted.  Columns beyond the contract's are added to ``patches`` as extra fields.
        ``patch_plans``: a mapping of columns (or a FeatureTable) with at least ``patch_id`` and ``role``.
        Returns ``{"inserted": n, "updated": n, "plan_rows": n}``.
        """
        self._check_cancel()
        self._check_crs(patches)
        conn = self.conn
        cols = dict(patches.columns)
        for required in ("patch_id", "kind"):
            if required not in cols:
                raise BlueprintError(
                    tr("Patches need a {column} column.").format(column=required), self.store.path
                )
        ids = [str(v) for v in gpkg.python_values(cols["patch_id"])]
        if len(set(ids)) != len(ids) or any(not i for i in ids):
            raise BlueprintError(tr("Patch ids must be unique and not empty."), self.store.path)
        if "predecessors" in cols:
            cols["predecessors"] = np.array(
                [
                    v if (v is None or isinstance(v, str)) else json.dumps(list(v))
                    for v in cols["predecessors"]
                ],
                dtype=object,
            )
        reserved = set(schema_cache_columns()) | {"fid", "geom", "run_id", "first_run_id", "closed_run_id"}
        extra_t = FeatureTable(
            geoms=patches.geoms,
            fids=patches.fids,
            columns={
                k: v for k, v in cols.items() if k not in schema.PATCH_INPUT_COLUMNS and k not in reserved
            },
            field_types={k: v for k, v in patches.field_types.items()},
        )
        extra_names, extra_kinds, extra_values = _user_columns(
            extra_t, reserved=reserved | set(schema.PATCH_INPUT_COLUMNS)
        )
        gpkg.add_columns(conn, "patches", list(zip(extra_names, extra_kinds)))
        values = {k: cols[k] for k in schema.PATCH_INPUT_COLUMNS if k in cols}
        values["patch_id"] = np.array(ids, dtype=object)
        values.update(dict(zip(extra_names, extra_values)))
        existing = dict(
            conn.execute(
                "SELECT p.patch_id, p.fid FROM patches p JOIN json_each(?) j ON p.patch_id = j.value",
                (json.dumps(ids),),
            ).fetchall()
        )
        reopened = [
            r[0]
            for r in conn.execute(
                "SELECT p.patch_id FROM patches p JOIN json_each(?) j ON p.patch_id = j.value "
                "WHERE p.closed_run_id IS NOT NULL",
                (json.dumps(ids),),
            )
        ]
        is_old = np.array([i in existing for i in ids], dtype=bool)
        n = len(ids)
        run = np.full(n, self.run_id, dtype=object)
        if (~is_old).any():
            new_cols = {k: np.asarray(v, dtype=object)[~is_old] for k, v in values.items()}
            new_cols["run_id"] = run[~is_old]
            new_cols["first_run_id"] = run[~is_old]
            try:
                gpkg.insert_features(
                    conn, "patches", np.asarray(patches.geoms)[~is_old], new_cols, cancel=self._cancel_poll
                )
            except InterruptedError:
                raise RunCancelledError(self.store.path) from None
        self._check_cancel()
        if is_old.any():
            upd = {k: np.asarray(v, dtype=object)[is_old] for k, v in values.items() if k != "patch_id"}
            upd["run_id"] = run[is_old]
            upd["closed_run_id"] = np.full(int(is_old.sum()), None, dtype=object)
            fids = [existing[i] for i, old in zip(ids, is_old) if old]
            gpkg.update_features(conn, "patches", fids, np.asarray(patches.geoms)[is_old], upd)
        for pid in reopened:
            self.store._refresh_patch(conn, pid)
        plan_rows = 0
        if patch_plans is not None:
            plan_rows = self._write_patch_plans(ids, patch_plans)
        return {"inserted": int((~is_old).sum()), "updated": int(is_old.sum()), "plan_rows": plan_rows}

    def _write_patch_plans(self, ids: list[str], patch_plans) -> int:
        conn = self.conn
        cols = dict(patch_plans.columns) if isinstance(patch_plans, FeatureTable) else dict(patch_plans)
        for required in ("patch_id", "role"):
            if required not in cols:
                raise BlueprintError(
                    tr("patch_plans needs a {column} column.").format(column=required), self.store.path
                )
        n = len(cols["patch_id"])
        conn.execute(
            "DELETE FROM patch_plans WHERE patch_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
        )
        known = {c for c, _ in schema.PATCH_PLAN_COLUMNS}
        extra = FeatureTable(
            geoms=np.full(n, None, dtype=object),
            fids=np.arange(n),
            columns={k: v for k, v in cols.items() if k not in known},
            field_types=dict(getattr(patch_plans, "field_types", {}) or {}),
        )
        names, kinds, values = _user_columns(extra, reserved=known | {"fid"})
        gpkg.add_columns(conn, "patch_plans", list(zip(names, kinds)))
        out = {k: v for k, v in cols.items() if k in known and k != "run_id"}
        out.update(dict(zip(names, values)))
        out["run_id"] = np.full(n, self.run_id, dtype=object)
        gpkg.insert_features(conn, "patch_plans", None, out)
        return n

    def close_patches(self, patch_ids: Iterable[str]) -> int:
        """Mark vanished patches closed by this run (never deleted; their decisions stay)."""
        ids = json.dumps([str(i) for i in patch_ids])
        cur = self.conn.execute(
            "UPDATE patches SET closed_run_id=?, status=? WHERE closed_run_id IS NULL "
            "AND patch_id IN (SELECT value FROM json_each(?))",
            (self.run_id, STATUS_CLOSED, ids),
        )
        return cur.rowcount

    def flag_reconfirm(
        self,
        patch_ids: Iterable[str],
        *,
        reason: str = "",
        predecessors: Mapping[str, Sequence[str]] | None = None,
    ) -> int:
        """Flag patches "changed, re-confirm": a ``system`` row in the log, so rebuilding keeps the flag.

        ``predecessors`` (patch id -> earlier ids) is stored as the row's target, so the dock can show
        the earlier patches' decisions.  The flag clears when a final decision becomes current after it.
        """
        conn = self.conn
        version = current_plugin_version()
        now = gpkg.utc_now()
        rows = []
        ids = [str(i) for i in patch_ids]
        for pid in ids:
            pred = (predecessors or {}).get(pid)
            rows.append(
                (
                    str(uuid.uuid4()),
                    pid,
                    RECONFIRM,
                    json.dumps(list(pred)) if pred else None,
                    "multiplan",
                    "",
                    ROLE_SYSTEM,
                    None,
                    reason or None,
                    None,
                    now,
                    now,
                    "system",
                    version,
                    self.run_id,
                )
            )
        conn.executemany(
            _INSERT_DECISION,
            rows,
        )
        for pid in ids:
            self.store._refresh_patch(conn, pid)
        return len(ids)

    # -- control lines ----------------------------------------------------------------------

    def write_control_lines(self, table: FeatureTable, stage: str) -> int:
        """Replace the control lines of one stage (``input``, ``proposed``, ``final``)."""
        self._check_cancel()
        self._check_crs(table)
        if "line_type" not in table.columns:
            raise BlueprintError(tr("Control lines need a line_type column."), self.store.path)
        conn = self.conn
        conn.execute("DELETE FROM control_lines WHERE stage=?", (stage,))
        return self._insert_into("control_lines", table, {"stage": stage}, schema.CONTROL_LINE_COLUMNS)

    def write_line_adjustments(self, table: FeatureTable) -> int:
        """Replace line adjustments by ``adjustment_id`` (their LINE_* patches go through write_patches)."""
        self._check_cancel()
        self._check_crs(table)
        if "adjustment_id" not in table.columns:
            raise BlueprintError(tr("Line adjustments need an adjustment_id column."), self.store.path)
        ids = [str(v) for v in gpkg.python_values(table.columns["adjustment_id"])]
        for sql in schema.LINE_ADJUSTMENT_INDEXES:  # blueprints created before these indexes existed
            self.conn.execute(sql)
        self.conn.execute(
            "DELETE FROM line_adjustments WHERE adjustment_id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
        return self._insert_into("line_adjustments", table, {}, schema.LINE_ADJUSTMENT_COLUMNS)

    def _insert_into(self, name: str, table: FeatureTable, fixed: dict, contract: list) -> int:
        conn = self.conn
        known = {c for c, _ in contract}
        n = len(table)
        extra = FeatureTable(
            geoms=table.geoms,
            fids=table.fids,
            columns={k: v for k, v in table.columns.items() if k not in known},
            field_types=dict(table.field_types),
        )
        names, kinds, values = _user_columns(extra, reserved=known | {"fid", "geom"})
        gpkg.add_columns(conn, name, list(zip(names, kinds)))
        cols = {k: v for k, v in table.columns.items() if k in known}
        for k, v in fixed.items():
            cols[k] = np.full(n, v, dtype=object)
        cols["run_id"] = np.full(n, self.run_id, dtype=object)
        cols.update(dict(zip(names, values)))
        try:
            gpkg.insert_features(conn, name, table.geoms, cols, cancel=self._cancel_poll)
        except InterruptedError:
            raise RunCancelledError(self.store.path) from None
        return n

    def finish(self, *, timings: object = None, stats: object = None, message: str | None = None) -> None:
        """Mark the run finished in the same transaction as its data."""
        _finish(self.conn, self.run_id, "finished", timings, stats, message)


def _infer_kind(values: np.ndarray) -> str:
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return "bool"
    if arr.dtype.kind in "iu":
        return "int"
    if arr.dtype.kind == "f":
        return "real"
    kinds = {type(v) for v in arr.tolist() if v is not None}
    if kinds and kinds <= {bool}:
        return "bool"
    if kinds and kinds <= {int, bool}:
        return "int"
    if kinds and kinds <= {int, float}:
        return "real"
    return "text"


def _user_columns(
    table: FeatureTable, *, reserved: set[str]
) -> tuple[list[str], list[str], list[np.ndarray]]:
    """Column names, SQL kinds and values for a table's columns, renaming clashes (counted in the name).

    SQLite compares ASCII names case-insensitively, so ``NAME`` and ``name`` clash; a clash with a
    reserved name (``fid``, ``geom`` …) gets ``_src``; a duplicate gets ``_2``, ``_3`` ….
    """
    names = _column_names(list(table.columns), reserved=reserved)
    kinds, values = [], []
    for name, vals in table.columns.items():
        kind = table.field_types.get(name) or _infer_kind(vals)
        arr = np.asarray(vals)
        if kind == "text":
            arr = _as_text(arr)
        kinds.append(kind)
        values.append(arr)
    return names, kinds, values


def _column_names(columns: Sequence[str], *, reserved: set[str]) -> list[str]:
    """The names ``columns`` get in a blueprint table (see :func:`_user_columns`)."""
    taken = {r.lower() for r in reserved}
    names = []
    for name in columns:
        new = name.strip() or "field"
        if new.lower() in taken:
            new = new + "_src"
        base, k = new, 2
        while new.lower() in taken:
            new = f"{base}_{k}"
            k += 1
        taken.add(new.lower())
        names.append(new)
    return names


def _as_text(arr: np.ndarray) -> np.ndarray:
    """A text column as an object array of ``str`` or None.

    A column already holding only ``str``/None (what the readers give) is passed through after one
    C-level pass over the value types; only other values are converted one by one.
    """
    if arr.dtype.kind != "O":
        out = arr.astype(object)
        if arr.dtype.kind == "U":
            return out
        return np.array([None if v is None else str(v) for v in out.tolist()], dtype=object)
    lst = arr.tolist()
    if set(map(type, lst)) <= {str, type(None)}:
        return arr
    out = np.empty(len(lst), dtype=object)
    out[:] = [None if v is None else (v if isinstance(v, str) else str(v)) for v in lst]
    return out
