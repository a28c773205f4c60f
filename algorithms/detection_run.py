"""One detection run end to end, into a blueprint: the orchestration behind ``multiplan:detectdifferences``.

Why a module of its own: the Processing glue should only turn parameters into tables and tables into
sinks, and everything between — the working CRS, reprojection, :func:`.detect.detect`, patch identity
against the blueprint's earlier runs, and the one transaction that writes the run — must be testable
without QGIS and must behave the same from a model, ``qgis_process`` or a script.

The order matters (docs/blueprint-contract.md §5: "compute first, then open the writer"):

1. **Working CRS** (:func:`choose_crs`): an existing blueprint's stored CRS always wins, because
   patch identity compares geometries with the previous run's; otherwise the user's override, else
   :func:`.crs.choose_working_crs` (the one CRS every input shares, the QGIS project's, the CGCS2000 GK
   zone or the UTM zone of the data).  The choice and its reason are always reported.
2. **Reprojection** of every input into it (:func:`to_working`).  A layer whose CRS *is* the working
   CRS under another spelling (QGIS's WKT1 of EPSG:4548 is "not equal" to EPSG:4548 for PROJ, yet the
   transformation between them is a no-op) is not touched: reprojecting through a no-op moves every
   vertex by rounding and breaks the exact shared edges the overlay relies on.
3. :func:`.detect.detect` — computes, writes nothing.
4. **Identity** (:func:`.identity.match`) against the blueprint's *open* patches of the kinds this
   run evaluates.  Kinds the run did not evaluate (an input left out this time, a rule switched off)
   and the control-line reconciliation's ``LINE_*`` patches are left exactly as they are, and
   counted: leaving out the key projects must not close every key-project patch.
5. **One transaction** (``store.run_writer``): plan copies, patches (upsert by id), ``patch_plans``,
   vanished patches closed (never deleted), "changed, re-confirm" system rows, the run's statistics.
   A cancel or error anywhere rolls all of it back; a blueprint this run created is removed again.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from .crs import WorkingCrs, choose_working_crs, reproject, same_crs, to_crs
from .detect import DetectionResult, DetectParams, LineInput, PlanInput, detect
from .i18n import tr
from .identity import FLAGGED, STATUSES, MatchResult, PatchSet, match
from .table import FeatureTable

__all__ = [
    "DetectionRun",
    "RunOptions",
    "choose_crs",
    "input_record",
    "patches_table",
    "problem_rows",
    "run_detection",
    "statistics_rows",
    "to_working",
]

#: Patch ids detection gives (identity.match's default prefix); LINE_* patches have their own ("L").
ID_PREFIX = "P"
LINE_KIND_PREFIX = "LINE_"


@dataclass
class RunOptions:
    """What a run does besides detecting.

    ``working_crs``: an override (WKT, ``EPSG:nnnn``) — ignored, with a note, when the blueprint
    exists (its CRS always wins).  ``project_crs``: the QGIS project's CRS (the glue passes it).
    ``crs_authid``: the authority id to store in a new blueprint (QGIS can name CRSs PROJ cannot).
    """

    working_crs: str | None = None
    project_crs: str | None = None
    crs_authid: str | None = None
    write_plan_copies: bool = True
    project_name: str = "多规合一"
    district: str = ""
    lock_timeout: float = 5.0


@dataclass
class DetectionRun:
    """Everything a run produced: the engine's result, the ids it got, what was written, the report."""

    result: DetectionResult
    working: WorkingCrs
    ids: np.ndarray
    status: np.ndarray  # per patch: same, changed, recoded, split, merged, reshaped, new
    predecessors: np.ndarray  # per patch: list of earlier ids
    counts: dict[str, int]  # per identity case, plus closed / superseded / vanished
    closed_ids: list[str] = field(default_factory=list)
    flagged_ids: list[str] = field(default_factory=list)
    untouched: dict[str, int] = field(default_factory=dict)  # open patches of kinds this run did not evaluate
    run_id: str | None = None
    blueprint: str | None = None
    created: bool = False
    notes: list[str] = field(default_factory=list)  # reprojections, CRS notes: reported to the user
    written: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the log: patches and identity cases."""
        parts = [f"{k} {v}" for k, v in self.counts.items() if v and k not in ("superseded", "vanished")]
        return tr("{n} patches ({cases})").format(n=len(self.ids), cases=", ".join(parts) or "0")


# ---------------------------------------------------------------------------------------------- CRS


def _equivalent(a, b) -> bool:
    """Same CRS by definition, or one whose transformation to the other is a no-op (see module doc)."""
    if isinstance(a, str) and isinstance(b, str):
        return _equivalent_text(a, b)
    return _equivalent_uncached(a, b)


@functools.lru_cache(maxsize=64)
def _equivalent_text(a: str, b: str) -> bool:
    # every input of a run usually carries the same WKT: parse and compare it once
    return _equivalent_uncached(a, b)


def _equivalent_uncached(a, b) -> bool:
    try:
        if same_crs(a, b):
            return True
        from pyproj import Transformer

        return "noop" in Transformer.from_crs(to_crs(a), to_crs(b), always_xy=True).definition
    except Exception:  # noqa: BLE001 - no transformation at all: certainly not the same CRS
        return False


def choose_crs(
    tables: Sequence[FeatureTable],
    *,
    blueprint_crs: str | None = None,
    override: str | None = None,
    project_crs: str | None = None,
) -> WorkingCrs:
    """The working CRS of a run: the blueprint's when there is one (the override is then noted and
    ignored), else :func:`.crs.choose_working_crs` with the override and the project's CRS.

    A layer whose CRS is not on the earth (a GeoPackage's "undefined Cartesian SRS", an engineering
    CRS) is refused by name like a layer without one: nothing could be reprojected from it.
    """
    from pyproj.exceptions import CRSError as PyprojCrsError
    from pyproj.exceptions import ProjError

    from .crs import CrsError

    unusable = []
    usable: dict[str, bool] = {}  # the inputs of a run usually share one WKT: parse it once
    for k, t in enumerate(tables):
        if not t.crs_wkt:
            continue
        if t.crs_wkt not in usable:
            try:
                usable[t.crs_wkt] = to_crs(t.crs_wkt).geodetic_crs is not None
            except (CrsError, PyprojCrsError, ProjError):
                usable[t.crs_wkt] = False
        if not usable[t.crs_wkt]:
            unusable.append(t.name or str(k + 1))
    if unusable:
        raise CrsError(
            tr(
                "Layer(s) without a usable coordinate reference system: {names}. Assign one in QGIS first."
            ).format(names=", ".join(unusable))
        )
    try:
        return _choose(tables, blueprint_crs, override, project_crs)
    except (PyprojCrsError, ProjError) as exc:
        raise CrsError(tr("No working CRS can be chosen: {error}").format(error=exc)) from exc


def _choose(tables, blueprint_crs, override, project_crs) -> WorkingCrs:
    if blueprint_crs:
        w = choose_working_crs(tables, blueprint_crs=blueprint_crs)
        if override and not _equivalent(override, blueprint_crs):
            w.notes.append(
                tr(
                    "The blueprint keeps its working CRS; the requested working CRS is ignored "
                    "(re-detection must compare like with like)."
                )
            )
        return w
    return choose_working_crs(tables, override=override or None, project_crs=project_crs or None)


def to_working(
    table: FeatureTable, working_wkt: str, what: str, notes: list[str] | None = None
) -> FeatureTable:
    """``table`` in the working CRS: reprojected (and noted) when it is in another one, relabelled when
    its CRS is the working CRS under another spelling, refused (:class:`.crs.CrsError`) without a CRS."""
    from .crs import CrsError

    if not table.crs_wkt:
        if not len(table):
            return table
        raise CrsError(
            tr("{what} has no coordinate reference system; assign one in QGIS first.").format(what=what)
        )
    if table.crs_wkt == working_wkt:
        return table
    if _equivalent(table.crs_wkt, working_wkt):
        geoms = table.geoms
    else:
        try:
            geoms = reproject(table.geoms, table.crs_wkt, working_wkt)
        except CrsError as exc:  # name the layer: "outside the area of use" usually means a wrong CRS label
            raise CrsError(
                tr("{what} ({crs}): {error}").format(what=what, crs=crs_label(table.crs_wkt), error=exc)
            ) from exc
        if notes is not None:
            notes.append(
                tr("{what} was reprojected from {src} to the working CRS").format(
                    what=what, src=crs_label(table.crs_wkt)
                )
            )
    return FeatureTable(
        geoms, table.fids, table.columns, table.field_types, working_wkt, table.name, table.notes
    )


def crs_label(crs) -> str:
    """``EPSG:nnnn`` for a CRS however it is spelt (QGIS's WKT1 often carries no id), else its name."""
    from .crs import identify_cgcs2000_gk

    c = to_crs(crs)
    code = c.to_epsg() or identify_cgcs2000_gk(c) or c.to_epsg(min_confidence=25)
    return f"EPSG:{code}" if code else c.name


# ---------------------------------------------------------------------------------------------- records


def input_record(role: str, source: str, table: FeatureTable, kind: str = "") -> dict:
    """What ``runs.inputs`` records of one input: role, kind, source, layer, count, content hash.

    The hash tells a later run whether a plan changed: the fids, each geometry's type and number of
    vertices, and every vertex (x, y as read) — the content of the WKB without writing it (a third of
    the time; a change of the ring structure alone that keeps every count and vertex is not seen).
    """
    import hashlib

    geoms = np.asarray(table.geoms, dtype=object)
    h = hashlib.sha256()
    h.update(np.asarray(table.fids, dtype=np.int64).tobytes())
    h.update(shapely.get_type_id(geoms).astype(np.int8).tobytes())
    h.update(shapely.get_num_coordinates(geoms).astype(np.int64).tobytes())
    h.update(np.ascontiguousarray(shapely.get_coordinates(geoms), dtype="<f8").tobytes())
    return {
        "role": role,
        "kind": kind,
        "path": source,
        "layer": table.name,
        "count": len(table),
        "content_hash": h.hexdigest(),
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in list(value)]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if np.isfinite(f) else None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def _fid_text(fids, limit: int | None = None) -> str | None:
    vals = [int(f) for f in list(fids)]
    if not vals:
        return None
    if limit is not None and len(vals) > limit:
        return ",".join(map(str, vals[:limit])) + ",…"
    return ",".join(map(str, vals))


def problem_rows(result: DetectionResult, notes: Sequence[str] = ()) -> list[dict]:
    """The data-problem report as rows: ``input, problem, count, area, fids, note``.

    Every repair, overlap, gap, unknown code and dropped speck is listed with the feature ids it
    concerns (nothing is dropped silently); ``notes`` (reprojections, CRS notes) come first.
    """
    rows: list[dict] = []

    def add(inp, problem, count=None, area=None, fids=None, note=None):
        rows.append(
            {
                "input": inp,
                "problem": problem,
                "count": None if count is None else int(count),
                "area": None if area is None else float(area),
                "fids": fids,
                "note": note,
            }
        )

    for n in notes:
        add(None, "note", note=n)
    p = result.problems
    for name, rep in p.cleaning.items():
        if rep.null_fids:
            add(
                name,
                "null_geometry",
                len(rep.null_fids),
                None,
                _fid_text(rep.null_fids),
                tr("left out: no geometry"),
            )
        if rep.non_polygon_fids:
            add(
                name,
                "not_polygon",
                len(rep.non_polygon_fids),
                None,
                _fid_text(rep.non_polygon_fids),
                tr("left out: not a polygon"),
            )
        if rep.repaired_fids:
            add(
                name,
                "invalid_repaired",
                len(rep.repaired_fids),
                None,
                _fid_text(rep.repaired_fids),
                tr("invalid geometry repaired (make_valid, polygonal part kept)"),
            )
        if rep.emptied_fids:
            add(
                name,
                "repaired_to_nothing",
                len(rep.emptied_fids),
                None,
                _fid_text(rep.emptied_fids),
                tr("left out: nothing of the area was left after repair"),
            )
        if rep.n_overlaps:
            pairs = [f"{int(k)}>{int(c)}" for k, c in zip(rep.overlap_keep_fids, rep.overlap_cut_fids)]
            add(
                name,
                "overlap",
                rep.n_overlaps,
                float(rep.overlap_areas.sum()),
                ",".join(pairs),
                tr("features of one plan overlap: the lower fid keeps the ground (kept>cut), counted once"),
            )
        if rep.swallowed_fids:
            add(
                name,
                "swallowed",
                len(rep.swallowed_fids),
                None,
                _fid_text(rep.swallowed_fids),
                tr("wholly inside a lower-fid feature of the same layer"),
            )
        if len(rep.gap_areas):
            add(
                name,
                "gap",
                len(rep.gap_areas),
                rep.gap_area,
                None,
                tr("enclosed ground no feature of this layer covers"),
            )
    for u in p.unknown_codes:
        add(
            u.role,
            "unknown_code",
            u.count,
            u.area,
            _fid_text(u.fids),
            tr("code {code}: no unified class or construction flag").format(code=u.code),
        )
    for kind, n in p.speck_count.items():
        if n:
            add(
                kind,
                "speck",
                n,
                p.speck_area.get(kind, 0.0),
                None,
                tr("pieces of at most the speck area dropped (floating-point crumbs of shared edges)"),
            )
    for n in p.notes:
        add(None, "note", note=n)
    return rows


def statistics_rows(result: DetectionResult) -> list[dict]:
    """Statistics per kind for the district (``unit`` None) and per street: count, area, share, slivers."""
    return [dict(r) for r in result.statistics]


def patches_table(
    result: DetectionResult,
    ids: Sequence[str],
    status: Sequence[str] | None = None,
    predecessors: Sequence | None = None,
) -> FeatureTable:
    """The patches as one output table: id, kind, names, severity, street, codes (combined and per plan),
    planar and ellipsoidal area, sliver flag and reason, fingerprint, identity status, predecessors."""
    rules = result.kinds()
    n = len(result)
    extra: dict[str, np.ndarray] = {
        "name_zh": np.array([rules[k].name_zh if k in rules else None for k in result.kind], dtype=object),
        "name_en": np.array([rules[k].name_en if k in rules else None for k in result.kind], dtype=object),
    }
    if status is not None:
        extra["match_status"] = np.asarray(status, dtype=object)
    t, _ = result.to_store(np.asarray(ids, dtype=object), predecessors, extra=extra)
    t.columns["is_sliver"] = (
        np.asarray(result.is_sliver, dtype=bool).astype(np.int64) if n else np.zeros(0, np.int64)
    )
    t.field_types["is_sliver"] = "int"
    order = ["patch_id", "kind", "name_zh", "name_en", "severity", "precedence", "unit", "codes"]
    order += [c for c in t.columns if c.startswith("code_")]
    order += ["area_planar", "area_ellipsoidal", "is_sliver", "sliver_reason", "fingerprint"]
    order += [c for c in ("match_status", "predecessors") if c in t.columns]
    t.columns = {c: t.columns[c] for c in order if c in t.columns}
    return t


# ---------------------------------------------------------------------------------------------- the run


def _old_patches(store, kinds: set[str]) -> tuple[PatchSet, dict[str, int], int]:
    """The blueprint's open detection patches of ``kinds`` (for matching), the other open patches per
    kind (left untouched), and the next free patch number (closed patches count: numbers are never reused)."""
    if "patches" not in store.layers():
        return None, {}, 1
    allp = store.read_layer("patches", columns=["patch_id", "kind", "closed_run_id"], with_geometry=False)
    pid = np.asarray(allp.columns.get("patch_id", np.zeros(0, object)), dtype=object)
    nums = [int(m.group(1)) for p in pid.tolist() for m in [re.fullmatch(ID_PREFIX + r"(\d+)", str(p))] if m]
    next_number = max(nums) + 1 if nums else 1
    kind = np.asarray(allp.columns.get("kind", np.zeros(0, object)), dtype=object)
    closed = np.asarray(allp.columns.get("closed_run_id", np.zeros(0, object)), dtype=object)
    is_open = np.equal(closed, None)
    untouched: dict[str, int] = {}
    for k in kind[is_open & ~np.isin(kind, list(kinds))].tolist():
        untouched[str(k)] = untouched.get(str(k), 0) + 1
    if not kinds:
        return None, untouched, next_number
    t = store.patches(
        kind=sorted(kinds),
        order_by="patch_id",
        columns=["patch_id", "kind", "codes", "fingerprint"],
    )
    if not len(t):
        return None, untouched, next_number
    old = PatchSet(
        np.asarray(t.columns["kind"], dtype=object),
        np.asarray(t.columns["codes"], dtype=object),
        np.asarray(t.geoms, dtype=object),
        np.asarray(t.columns["fingerprint"], dtype=object),
        np.asarray(t.columns["patch_id"], dtype=object),
    )
    return old, untouched, next_number


def run_detection(
    plans: Sequence[PlanInput],
    lines: Sequence[LineInput] = (),
    streets: FeatureTable | None = None,
    *,
    blueprint: str | os.PathLike | None = None,
    rules=None,
    params: DetectParams | None = None,
    options: RunOptions | None = None,
    working: WorkingCrs | None = None,
    inputs: list[dict] | None = None,
    parameters: dict | None = None,
    progress: Callable[[float, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    tables=None,
    extra_timings: dict[str, float] | None = None,
) -> DetectionRun:
    """Detect differences and, with a ``blueprint`` path, write the run into it (created when missing).

    ``working``: a working CRS the caller already chose (:func:`choose_crs`); otherwise chosen here.
    ``inputs``: the caller's record of each input (role, path, layer, count, content hash —
    :func:`input_record`); ``parameters``: what to record as the run's parameters;
    ``extra_timings``: the caller's own stages (e.g. ``read``), recorded with the run's.

    Raises :class:`.detect.DetectError` (bad inputs, unharmonised plans), :class:`.crs.CrsError`,
    :class:`.overlay.Cancelled` (cancelled while computing: nothing was written),
    :class:`.store.RunCancelledError` (cancelled while writing: everything rolled back) and
    :class:`.store.BlueprintError` (the blueprint cannot be opened or written).
    """
    from .store import BlueprintStore

    options = options or RunOptions()
    params = params or DetectParams()
    clock = {"t": time.perf_counter()}
    timings: dict[str, float] = dict(extra_timings or {})  # the caller's (e.g. reading the inputs)

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - clock["t"]
        clock["t"] = now

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(min(max(fraction, 0.0), 1.0), message)

    def check() -> None:
        if is_cancelled is not None and is_cancelled():
            from .overlay import Cancelled

            raise Cancelled(tr("Cancelled"))

    path = os.fspath(blueprint) if blueprint else None
    exists = bool(path) and os.path.exists(path)
    store = BlueprintStore.open(path, lock_timeout=options.lock_timeout) if exists else None
    try:
        # 1-2. working CRS and reprojection ---------------------------------------------------------
        report(0.0, tr("Choosing the working CRS"))
        all_tables = [p.table for p in plans] + [x.table for x in lines]
        if streets is not None:
            all_tables.append(streets)
        if working is None:
            working = choose_crs(
                all_tables,
                blueprint_crs=store.crs_wkt if store is not None else None,
                override=options.working_crs,
                project_crs=options.project_crs,
            )
        notes: list[str] = [working.reason] + list(working.notes)
        wkt = working.wkt
        read_geoms = {p.role: p.table.geoms for p in plans}
        plans = [
            dataclasses.replace(
                p,
                table=to_working(p.table, wkt, tr("Plan '{role}'").format(role=p.role), notes),
                layer=p.layer or p.table.name,
            )
            for p in plans
        ]
        # plans whose geometries are the ones read (not reprojected): their plan copies can take the
        # source's geometry blobs as they are
        as_read = {p.role for p in plans if p.table.geoms is read_geoms[p.role]}
        lines = [
            LineInput(
                x.line,
                to_working(x.table, wkt, tr("Control line '{line}'").format(line=x.line), notes),
                x.layer,
            )
            for x in lines
        ]
        if streets is not None:
            streets = to_working(streets, wkt, tr("Streets"), notes)
        params.crs = wkt
        lap("reproject")
        check()

        # 3. detect --------------------------------------------------------------------------------
        def engine_progress(fraction: float, message: str) -> None:
            report(0.05 + 0.8 * fraction, message)

        result = detect(
            plans,
            lines,
            streets,
            rules=rules,
            params=params,
            progress=engine_progress,
            is_cancelled=is_cancelled,
            tables=tables,
        )
        lap("detect")
        check()

        # 4. identity ---------------------------------------------------------------------------
        report(0.86, tr("Matching with the blueprint's earlier patches"))
        run_kinds = {r.kind for r in result.rules_run}
        old, untouched, next_number = (None, {}, 1) if store is None else _old_patches(store, run_kinds)
        m: MatchResult = match(old, result.patch_set(), id_prefix=ID_PREFIX, next_number=next_number)
        lap("match")
        check()
        run = DetectionRun(
            result=result,
            working=working,
            ids=m.ids,
            status=m.status,
            predecessors=m.predecessors,
            counts=dict(m.counts),
            closed_ids=[str(i) for i in m.closed_ids.tolist()],
            flagged_ids=[str(i) for i in m.ids[m.flagged].tolist()],
            untouched=untouched,
            notes=notes,
            timings=timings,
        )
        if untouched:
            notes.append(
                tr(
                    "{n} open patches of kinds this run did not evaluate were left as they are ({kinds})"
                ).format(
                    n=sum(untouched.values()),
                    kinds=", ".join(f"{k} {v}" for k, v in sorted(untouched.items())),
                )
            )
        if not path:
            run.timings["total"] = sum(v for k, v in timings.items() if ":" not in k)
            return run

        # 5. one transaction ----------------------------------------------------------------------
        report(0.9, tr("Writing into the blueprint"))
        created = False
        if store is None:
            store = BlueprintStore.create(
                path,
                project_name=options.project_name,
                district=options.district,
                crs_wkt=wkt,
                crs_authid=options.crs_authid or working.authid,
                lock_timeout=options.lock_timeout,
            )
            created = True
        run.blueprint, run.created = path, created
        try:
            run.run_id, run.written = _write(
                store, run, plans, m, options, inputs, parameters, is_cancelled, as_read
            )
        except BaseException:
            if created:
                store.close()
                store = None
                _remove_blueprint(path)
            raise
        lap("write")
        run.timings["total"] = sum(v for k, v in timings.items() if ":" not in k)
        report(1.0, run.summary())
        return run
    finally:
        if store is not None:
            store.close()


def _remove_blueprint(path: str) -> None:
    """Remove a blueprint this run created and could not fill (cancel or error): no empty husk is left."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except OSError:
            pass


def _write(
    store,
    run: DetectionRun,
    plans,
    m: MatchResult,
    options: RunOptions,
    inputs,
    parameters,
    is_cancelled,
    as_read: set[str] = frozenset(),
):
    """The run's one transaction; returns (run_id, counts written)."""
    result = run.result
    recorded = list(inputs or [])
    kinds = {p.role: p.kind for p in plans}
    for rec in recorded:
        if isinstance(rec, dict) and rec.get("role") in kinds and not rec.get("kind"):
            rec["kind"] = kinds[rec["role"]]
    if not recorded:
        recorded = [{"role": p.role, "kind": p.kind, "layer": p.layer, "count": len(p.table)} for p in plans]
    run_id = store.begin_run("detect", inputs=_jsonable(recorded), parameters=_jsonable(parameters or {}))
    extra = {"match_status": m.status, "match_iou": np.round(np.asarray(m.iou, dtype=float), 6)}
    patches, patch_plans = result.to_store(m.ids, m.predecessors, extra=extra)
    patches.field_types["match_iou"] = "real"
    flagged_by: dict[str, list[str]] = {}
    preds: dict[str, list[str]] = {}
    for pid, st, pr in zip(m.ids.tolist(), m.status.tolist(), m.predecessors.tolist()):
        if st in FLAGGED:
            flagged_by.setdefault(st, []).append(str(pid))
            if pr:
                preds[str(pid)] = [str(x) for x in pr]
    written: dict = {}
    t0 = time.perf_counter()
    with store.run_writer(run_id, cancel=is_cancelled) as w:
        if options.write_plan_copies:
            n = 0
            for p in plans:
                t = p.table
                t = FeatureTable(
                    t.geoms, t.fids, t.columns, t.field_types, t.crs_wkt, p.layer or t.name, t.notes
                )
                got = None
                if p.copy_from is not None:
                    path, layer = p.copy_from
                    got = w.copy_plan_from_gpkg(p.role, path, layer, t, same_geometry=p.role in as_read)
                    if got is None:  # not copyable by SQL after all: every column from the file
                        t = _with_all_columns(t, path, layer)
                if got is None:
                    got = w.write_plan_copy(p.role, _without_key_column(t))
                n += got
            written["plan_rows"] = n
        run.timings["write:plan_copies"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = w.write_patches(patches, patch_plans)
        written.update(out)
        written["closed"] = w.close_patches(run.closed_ids) if run.closed_ids else 0
        n_flag = 0
        for status in FLAGGED:
            ids = flagged_by.get(status)
            if ids:
                n_flag += w.flag_reconfirm(
                    ids, reason=f"redetect:{status}", predecessors={i: preds[i] for i in ids if i in preds}
                )
        written["flagged"] = n_flag
        run.timings["write:patches"] = time.perf_counter() - t0
        stats = {
            "identity": {k: int(v) for k, v in m.counts.items()},
            "patches": len(result),
            "untouched_open_patches": run.untouched,
            "statistics": [r for r in result.statistics if r.get("unit") is None],
            "problems": {k: v.summary() for k, v in result.problems.cleaning.items()},
            "working_crs": {
                "rule": run.working.rule,
                "reason": run.working.reason,
                "authid": run.working.authid,
            },
            "rules_run": [r.kind for r in result.rules_run],
            "rules_skipped": [[r.kind, why] for r, why in result.rules_skipped],
        }
        w.finish(
            timings=_jsonable(dict(run.timings, **{"engine:" + k: v for k, v in result.timings.items()})),
            stats=_jsonable(stats),
        )
    return run_id, written


def _with_all_columns(table: FeatureTable, path: str, layer: str) -> FeatureTable:
    """``table`` (geometries in the working CRS) with every column of the file it was read from."""
    from .vector_io import read_table

    full = read_table(path, layer)
    if len(full) != len(table) or (np.asarray(full.fids) != np.asarray(table.fids)).any():
        raise ValueError(tr("{path} changed while detection was running; run it again.").format(path=path))
    return FeatureTable(
        table.geoms, table.fids, full.columns, full.field_types, table.crs_wkt, table.name, table.notes
    )


def _without_key_column(table: FeatureTable) -> FeatureTable:
    """Leave out a ``fid`` column equal to the feature ids: QGIS shows a GeoPackage's primary key as a
    field, and the plan copy already keeps it as ``src_fid`` (the SQL copy does not repeat it either)."""
    key = next((c for c in table.columns if c.lower() == "fid"), None)
    if key is None:
        return table
    vals = np.asarray(table.columns[key], dtype=object)
    fids = np.asarray(table.fids, dtype=object)
    if len(vals) != len(fids) or not bool(np.all(vals == fids)):
        return table
    cols = {k: v for k, v in table.columns.items() if k != key}
    types = {k: v for k, v in table.field_types.items() if k != key}
    return FeatureTable(table.geoms, table.fids, cols, types, table.crs_wkt, table.name, table.notes)


def identity_cases() -> tuple[str, ...]:
    """The identity cases a run counts, in the order the report lists them."""
    return tuple(STATUSES) + ("closed", "superseded", "vanished")


def plan_kind_for_standard(standards: Sequence) -> str:
    """``zones`` for 主体功能区 layers, ``eco`` for eco control levels, ``landuse`` otherwise (by the
    harmonised ``mp_src_standard`` values) — how a further special plan's kind is told."""
    vals = {str(s) for s in standards if s is not None}
    if vals and vals <= {"ZTGN"}:
        return "zones"
    if vals and vals <= {"STHX"}:
        return "eco"
    return "landuse"


def role_from_name(name: str, taken: set[str] | None = None) -> str:
    """A plan role from a layer name or a ``role`` value: lower-case ASCII letters, digits and ``_``."""
    base = re.sub(r"[^a-z0-9_]+", "_", str(name).lower()).strip("_") or "plan"
    if not base[0].isalpha():
        base = "plan_" + base
    role, k = base, 2
    taken = taken or set()
    while role in taken:
        role, k = f"{base}_{k}", k + 1
    return role


def dumps(value) -> str:
    """JSON of plain values (numpy scalars and NaN made JSON-safe)."""
    return json.dumps(_jsonable(value), ensure_ascii=False)
