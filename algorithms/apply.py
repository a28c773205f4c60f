"""Applying decisions (成果审定): the ``blueprint`` layer — the integrated land use over the WHOLE district.

The engine behind ``multiplan:applydecisions``.  Why the blueprint is built from the stored plan
copies and the decision log and not from the patches alone: the blueprint covers the district, not
only the differences, and every square metre must say where its class came from.  The rule is
DESIGN.md's "where the blueprint takes its class":

* Only roles that carry land use feed it (the urban-rural plan, the land-use plan, further land-use
  plans — not the development plan's zones, the eco plan's control levels or the key projects).
* **Agreement** — the plans' unified classes are compatible (equal, or one refines the other): that
  class, the finer one (``CodeTables.finer``).  Rule ``agree``.
* **Disagreement without a patch** (e.g. both construction, 0901 vs the group 村庄建设用地): a role
  precedence (a parameter) — by default the urban-rural plan for construction land (it carries the
  detailed layout) and the land-use plan for non-construction land (it carries farmland and forest).
  Rules ``precedence_construction`` / ``precedence_nonconstruction``; where the plans' own
  construction flags disagree and no patch covers the ground (a speck the detection dropped, a rule
  switched off) the non-construction precedence applies (``precedence_mixed``): without a decision,
  no new construction.
* **Only one plan** covers the ground: that plan (``only_plan``).
* **A decided patch**: what the decision says — adopt plan ``<role>`` (``decision_adopt``), set a
  unified class (``decision_set_class``), an approved exception draws the named plan's class
  (``decision_exception``), a technical error takes the neighbouring *agreed* class (the one sharing
  the longest boundary; ``technical_error``).  A decision naming a role that carries no land use (the
  eco plan, the development plan, a control line, the key projects) means that plan's *intent* wins:
  the ground takes the class of the land-use plan that is non-construction there (construction for
  the key projects), by the same role precedence.
* **Patches of several kinds overlap**: the patch of the higher kind governs (the rule table's
  ``precedence``: control-line kinds > red line > eco zones > permanent farmland > boundary > 两规 >
  zones > projects > class level); the other patches' decisions are listed in ``provenance`` as the
  losing decisions.  Within one rank an undecided patch governs before a decided one, so ground is
  final only when every patch of the top rank on it is decided.  A ``LINE_*`` patch speaks for the
  land use only through an adopt / set-class / exception decision (its ``adjust_line`` decisions move
  the control lines, see :mod:`.lines`).
* **Undecided** (no decision, ``defer``, "changed, re-confirm", a decision that cannot be applied):
  ``status = pending`` with no class (``pending_codes`` lists the candidates), or — as a parameter
  says — the run stops and names the patches.

Vectorised throughout: each land-use plan is cleaned into a coverage (:func:`.overlay.clean_coverage`),
dissolved by class, and the plans are overlaid with the tiled-region operations of :mod:`.overlay`
(a parcel lying inside another plan's class region is taken whole); the governing patches are painted
on in precedence order; the pieces are split by street and assembled into maximal connected features of
one class and one provenance.  The control-line helper's :func:`.lines.settle_from_store` gives the
final control lines and the 补划 deficit in the same transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from . import overlay as ov
from .geodesy import ellipsoidal_area
from .i18n import tr
from .overlay import Runner, TiledRegion
from .table import FeatureTable

__all__ = [
    "ApplyError",
    "ApplyParams",
    "ApplyResult",
    "BLUEPRINT_FIELDS",
    "apply_decisions",
    "build_blueprint",
    "landuse_roles",
]

UNDECIDED_POLICIES = ("pending", "stop")
LINE_POLICIES = ("proposal", "pending", "stop", "skip")
NON_LANDUSE_ROLES = frozenset({"development", "eco", "projects"})
NON_LANDUSE_STANDARDS = frozenset({"ZTGN", "STHX", "PROJECT"})
#: roles whose intent is construction when a decision adopts them (everything else non-landuse: protection)
CONSTRUCTION_INTENT_ROLES = frozenset({"projects"})
LINE_PREFIX = "LINE_"
STATUS_FINAL = "final"
STATUS_PENDING = "pending"
LINE_PRECEDENCE_DEFAULT = 60

#: the blueprint layer's columns (name, kind)
BLUEPRINT_FIELDS = (
    ("mp_code", "text"),
    ("mp_name", "text"),
    ("mp_construction", "int"),
    ("plan_construction", "int"),
    ("source_role", "text"),
    ("src_standard", "text"),
    ("src_class", "text"),
    ("rule", "text"),
    ("status", "text"),
    ("decision_id", "text"),
    ("patch_id", "text"),
    ("kind", "text"),
    ("pending_codes", "text"),
    ("provenance", "text"),
    ("unit", "text"),
    ("area_planar", "real"),
    ("area_ellipsoidal", "real"),
)


class ApplyError(Exception):
    """Decisions that cannot be applied as asked (e.g. undecided patches with ``undecided='stop'``)."""


@dataclass
class ApplyParams:
    """How the blueprint is built.

    ``construction_precedence`` / ``nonconstruction_precedence``: role order where plans disagree
    without a patch (roles not listed follow in plan order).  ``undecided``: ``pending`` (mark the
    ground) or ``stop`` (raise :class:`ApplyError` naming the patches).  ``lines``: what the final
    control lines do with undecided ``LINE_*`` patches — ``proposal``, ``pending``, ``stop`` — or
    ``skip`` (no final lines).  ``roles``: the land-use roles to use (default: every land-use plan copy).
    """

    construction_precedence: Sequence[str] = ("urban", "land")
    nonconstruction_precedence: Sequence[str] = ("land", "urban")
    undecided: str = "pending"
    lines: str = "proposal"
    roles: Sequence[str] | None = None
    unit_column: str | None = None
    threads: int | None = None
    snap_tolerance: float = ov.SNAP_TOLERANCE
    max_tile_vertices: int = 256
    crumb_area: float = 1e-6  # pieces below this area (floating-point crumbs) are counted, not kept
    grid: float = 1e-6  # pieces are snapped to this grid (m) before they are assembled (see _snap)

    def validate(self) -> None:
        if self.undecided not in UNDECIDED_POLICIES:
            raise ValueError(tr("undecided must be one of {v}").format(v=", ".join(UNDECIDED_POLICIES)))
        if self.lines not in LINE_POLICIES:
            raise ValueError(tr("lines must be one of {v}").format(v=", ".join(LINE_POLICIES)))


@dataclass
class ApplyResult:
    """The blueprint layer, a summary per rule and status, the undecided patches, and the lines."""

    table: FeatureTable
    summary: list[dict]
    roles: list[str]
    undecided_ids: list[str]
    undecided_area: float
    district_area: float
    problems: list[str] = field(default_factory=list)
    line_settlement: object = None
    run_id: str | None = None
    written: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def pending_area(self) -> float:
        st = self.table.columns["status"]
        return (
            float(self.table.columns["area_planar"][st == STATUS_PENDING].sum()) if len(self.table) else 0.0
        )


# ---------------------------------------------------------------------------------------------- plans


@dataclass
class _Plan:
    role: str
    cov: ov.Coverage
    cls: np.ndarray  # class per coverage row
    code: np.ndarray  # per class: unified code (None when unknown / user standard)
    name: np.ndarray
    key: np.ndarray  # per class: unified code or '~standard:source code'
    cons: np.ndarray  # per class: the plan's own construction flag (1, 0, -1 unknown)
    std: np.ndarray  # per class: source standard (first seen)


def _text(values, n: int) -> np.ndarray:
    out = np.full(n, None, dtype=object)
    if values is None:
        return out
    arr = np.asarray(values, dtype=object)
    uniq: dict = {}
    for i, v in enumerate(arr.tolist()):
        if v is None or (isinstance(v, float) and v != v):
            continue
        s = uniq.get(v)
        if s is None:
            s = uniq[v] = (f"{v:.15g}" if isinstance(v, float) else str(v)).strip()
        out[i] = s or None
    return out


def _flag(values, n: int) -> np.ndarray:
    out = np.full(n, -1, dtype=np.int64)
    if values is None:
        return out
    for i, v in enumerate(np.asarray(values, dtype=object).tolist()):
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if f in (0.0, 1.0):
            out[i] = int(f)
    return out


def _col(t: FeatureTable, name: str):
    return t.column(name) if t.has_column(name) else None


def _plan(role: str, t: FeatureTable, runner: Runner, params: ApplyParams, problems: list[str]) -> _Plan:
    cov = ov.clean_coverage(
        t.geoms,
        _src_fids(t),
        role,
        Runner(1, runner.is_cancelled),
        find_gaps=False,
        snap_tolerance=params.snap_tolerance,
    )
    cov.geoms = _renode(cov.geoms, cov.modified, params.snap_tolerance)
    rep = cov.report
    if rep.repaired_fids or rep.n_overlaps or rep.null_fids or rep.non_polygon_fids:
        problems.append(
            tr(
                "Plan '{role}': {rep} repaired, {ovl} overlaps resolved (lower fid keeps the ground), "
                "{null} without geometry, {np} not polygons"
            ).format(
                role=role,
                rep=len(rep.repaired_fids),
                ovl=rep.n_overlaps,
                null=len(rep.null_fids),
                np=len(rep.non_polygon_fids),
            )
        )
    rows = cov.rows
    n = len(rows)
    code = _text(_col(t, "mp_code"), len(t))[rows]
    name = _text(_col(t, "mp_name"), len(t))[rows]
    src = _text(_col(t, "mp_src_code"), len(t))[rows]
    std = _text(_col(t, "mp_src_standard"), len(t))[rows]
    cons = _flag(_col(t, "mp_construction"), len(t))[rows]
    key = code.copy()
    miss = np.flatnonzero(np.equal(code, None))
    key[miss] = [f"~{std[i] or ''}:{src[i] or ''}" for i in miss.tolist()]
    pairs = list(zip(key.tolist(), cons.tolist()))
    index: dict = {}
    cls = np.fromiter((index.setdefault(p, len(index)) for p in pairs), dtype=np.int64, count=n)
    first = np.zeros(len(index), dtype=np.int64)
    first[cls[::-1]] = np.arange(n)[::-1]
    return _Plan(role, cov, cls, code[first], name[first], key[first], cons[first], std[first])


def _src_fids(t: FeatureTable) -> np.ndarray:
    """The source fids of a plan copy (``src_fid``), so reports name the features of the input layer."""
    if t.has_column("src_fid"):
        v = np.asarray(t.column("src_fid"), dtype=object)
        if not np.equal(v, None).any():
            return v.astype(np.int64)
    return np.asarray(t.fids, dtype=np.int64)


def landuse_roles(store) -> list[str]:
    """The roles of the blueprint's plan copies that carry land use.

    The latest detection run's inputs say each role's kind; plan copies it does not mention are
    judged by content (Contract 1 fields present, standards other than zones / eco levels / projects).
    """
    layers = store.layers()
    copies = sorted(name[len("plan_") :] for name in layers if name.startswith("plan_"))
    kinds: dict[str, str] = {}
    for run in reversed(store.runs()):
        if run.get("kind") != "detect" or run.get("status") != "finished":
            continue
        inputs = run.get("inputs")
        if isinstance(inputs, str):
            try:
                inputs = json.loads(inputs)
            except ValueError:
                inputs = None
        for rec in inputs or []:
            if isinstance(rec, dict) and rec.get("role") and rec.get("kind"):
                kinds.setdefault(str(rec["role"]), str(rec["kind"]))
        break
    out = []
    for role in copies:
        kind = kinds.get(role)
        if kind is not None:
            if kind == "landuse":
                out.append(role)
            continue
        if role in NON_LANDUSE_ROLES:
            continue
        t = store.read_layer(f"plan_{role}", columns=None, with_geometry=False)
        if not all(t.has_column(c) for c in ("mp_code", "mp_construction", "mp_src_standard")):
            continue
        stds = {s for s in _text(t.column("mp_src_standard"), len(t)).tolist() if s}
        if stds and stds <= NON_LANDUSE_STANDARDS:
            continue
        out.append(role)
    return out


def _order(roles: Sequence[str], precedence: Sequence[str]) -> list[str]:
    first = [r for r in dict.fromkeys(precedence) if r in roles]
    return first + [r for r in roles if r not in first]


# ---------------------------------------------------------------------------------------------- overlay


def _union_groups(
    geoms: np.ndarray, group: np.ndarray, runner: Runner, dirty: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Dissolve pieces by group into single polygons (connected parts): ``(polygons, their group)``.

    Pieces of one group never overlap: :func:`.overlay._union_by` (vectorised coverage unions for groups
    of up to 64 pieces, checked; bigger ones renoded where clipping left T-junctions).
    """
    if not len(geoms):
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    merged, mk = ov._union_by(geoms, np.asarray(group, dtype=np.int64), runner, dirty, renode=True)
    parts, pidx = ov.explode_polygons(merged)
    return parts, mk[pidx]


def _renode(geoms: np.ndarray, modified: np.ndarray | None, tolerance: float) -> np.ndarray:
    """Insert T-junction vertices where cleaning cut features (overlap repairs), so the coverage fits
    exactly again and coverage unions work: only the cut features and their neighbours are noded."""
    if modified is None or not modified.any():
        return geoms
    tree = shapely.STRtree(geoms)
    near = np.unique(tree.query(geoms[modified])[1])
    out = geoms.copy()
    out[near] = ov.node_coverage(geoms[near], tolerance)[0]
    return out


def _overlay_pair(
    geoms: np.ndarray, regions: np.ndarray, runner: Runner, max_vertices: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut pieces by non-overlapping regions: ``(parts, source piece, region or −1 outside every region)``.

    A piece a region covers is taken whole (prepared test against the whole region, no overlay); the
    others are intersected with the region's tiles (≤ ``max_vertices`` vertices, as in
    :class:`.overlay.TiledRegion`, so no clip ever walks a 10⁴-vertex farmland region), and only a
    piece the regions do not cover up to crumbs gets an outside part.
    """
    n = len(geoms)
    area = shapely.area(geoms)
    region = TiledRegion(regions, runner, max_vertices)
    i, t = runner.query(region.tree, geoms)
    o = region.tile_owner[t]
    n_own = max(len(regions), 1)
    key = np.unique(i.astype(np.int64) * n_own + o)
    ki, ko = (key // n_own).astype(np.intp), (key % n_own).astype(np.intp)
    shapely.prepare(regions)
    cov = runner.map(shapely.covers, regions[ko], geoms[ki], serial=True)
    owner = np.full(n, -1, dtype=np.intp)
    owner[ki[cov]] = ko[cov]
    whole = owner >= 0
    rest = ~whole[i]
    i, t = i[rest], t[rest]
    tiles = region.tiles.copy()
    shapely.prepare(tiles)
    meets = runner.map(shapely.intersects, tiles[t], geoms[i], serial=True)
    i, t = i[meets], t[meets]
    inter = runner.map(shapely.intersection, geoms[i], region.tiles[t])
    parts, pidx = ov.explode_polygons(inter)
    got = np.bincount(i, weights=shapely.area(inter), minlength=n)
    slack = np.maximum(area * 1e-9, _Crumbs.AREA)
    short = np.flatnonzero(~whole & (area - got > slack))
    out_g = [geoms[whole], parts]
    out_s = [np.flatnonzero(whole), i[pidx]]
    out_o = [owner[whole], region.tile_owner[t[pidx]]]
    if len(short):
        m = np.isin(i, short)
        left = _subtract(geoms[short], np.searchsorted(short, i[m]), region.tiles[t[m]], runner, 0.0)
        lparts, lidx = ov.explode_polygons(left)
        out_g.append(lparts)
        out_s.append(short[lidx])
        out_o.append(np.full(len(lparts), -1, dtype=np.intp))
    return (
        np.concatenate(out_g),
        np.concatenate(out_s).astype(np.intp),
        np.concatenate(out_o).astype(np.intp),
    )


def _overlay(plans: list[_Plan], runner: Runner, max_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """Pieces of the union of the plans with the class of each plan (−1 where it does not cover).

    Each further plan is dissolved by class into regions (a coverage union per class), the pieces so
    far are cut by them (:func:`_overlay_pair`), and the plan's ground outside the pieces so far is
    added as pieces of its own.
    """
    k = len(plans)
    p0 = plans[0]
    geoms, src = ov.explode_polygons(p0.cov.geoms)
    cls = np.full((len(geoms), k), -1, dtype=np.int64)
    cls[:, 0] = p0.cls[src]
    covered = p0.cov.geoms
    for j in range(1, k):
        q = plans[j]
        regions, rcls = _union_groups(q.cov.geoms, q.cls, runner, q.cov.modified)
        g, s, o = _overlay_pair(geoms, regions, runner, max_vertices)
        c = cls[s].copy()
        c[:, j] = np.where(o >= 0, rcls[np.maximum(o, 0)], -1)
        # the plan's ground that no earlier plan covers
        union, _ = _union_groups(covered, np.zeros(len(covered), dtype=np.int64), runner)
        og, os_, oo = _overlay_pair(q.cov.geoms, union, runner, max_vertices)
        only = oo < 0
        c_only = np.full((int(only.sum()), k), -1, dtype=np.int64)
        c_only[:, j] = q.cls[os_[only]]
        geoms = np.concatenate([g, og[only]])
        cls = np.concatenate([c, c_only])
        covered = np.concatenate([covered, q.cov.geoms])
    return geoms, cls


# ---------------------------------------------------------------------------------------------- patches


@dataclass
class _Patches:
    ids: np.ndarray
    kind: np.ndarray
    geoms: np.ndarray
    precedence: np.ndarray
    severity: np.ndarray
    decided: np.ndarray  # bool: a current decision that is not defer, no re-confirm pending
    action: np.ndarray
    target: np.ndarray
    decision_id: np.ndarray
    speaks: np.ndarray  # bool: governs the land use where it is the top rank


def _kind_precedence() -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        from .rules import load_rules

        out.update({r.kind: int(r.precedence) for r in load_rules().rules})
    except Exception:  # noqa: BLE001 - a broken default table: severities order the kinds instead
        pass
    try:
        from .lines import load_line_rules

        out.update({r.kind: int(r.precedence) for r in load_line_rules()})
    except Exception:  # noqa: BLE001 - the line table is optional here
        pass
    return out


def _read_patches(store) -> _Patches:
    from .store import ADOPT_PLAN, DEFER, EXCEPTION, SET_CLASS

    if "patches" not in store.layers():
        z = np.zeros(0, dtype=object)
        return _Patches(
            z,
            z,
            z,
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, bool),
            z,
            z,
            z,
            np.zeros(0, bool),
        )
    t = store.patches(order_by="patch_id")
    n = len(t)
    ids = np.asarray(t.columns["patch_id"], dtype=object).astype(str).astype(object)
    kind = np.asarray(t.columns["kind"], dtype=object).astype(str).astype(object)
    table_prec = _kind_precedence()
    col_prec = t.columns.get("precedence")
    sev = np.array(
        [int(v) if v is not None else 0 for v in t.columns.get("severity", [None] * n)], dtype=np.int64
    )
    prec = np.empty(n, dtype=np.int64)
    for i in range(n):
        v = col_prec[i] if col_prec is not None else None
        if v is not None:
            prec[i] = int(v)
        elif kind[i] in table_prec:
            prec[i] = table_prec[kind[i]]
        elif str(kind[i]).startswith(LINE_PREFIX):
            prec[i] = LINE_PRECEDENCE_DEFAULT
        else:
            prec[i] = int(sev[i])
    reconf = np.array([bool(v) for v in t.columns.get("reconfirm", [0] * n)], dtype=bool)
    current = store.current_decisions()
    action = np.full(n, None, dtype=object)
    target = np.full(n, None, dtype=object)
    did = np.full(n, None, dtype=object)
    for i, pid in enumerate(ids.tolist()):
        rec = current.get(pid)
        if rec is not None:
            action[i], target[i], did[i] = rec.action, rec.target, rec.decision_id
    decided = ~np.equal(action, None) & (action != DEFER) & ~reconf
    is_line = np.char.startswith(kind.astype(str), LINE_PREFIX)
    speaks = ~is_line | (decided & np.isin(action, [ADOPT_PLAN, SET_CLASS, EXCEPTION]))
    return _Patches(
        ids, kind, np.asarray(t.geoms, dtype=object), prec, sev, decided, action, target, did, speaks
    )


def _buckets(p: _Patches) -> list[np.ndarray]:
    """Patch index groups in painting order: rank by rank (highest first), within a rank the undecided
    patches kind by kind, then the decided ones kind by kind (severity, then kind, decides the order)."""
    out = []
    sel = np.flatnonzero(p.speaks)
    for rank in sorted(set(p.precedence[sel].tolist()), reverse=True):
        in_rank = sel[p.precedence[sel] == rank]
        for decided in (False, True):
            part = in_rank[p.decided[in_rank] == decided]
            kinds = sorted(
                set(p.kind[part].tolist()), key=lambda k: (-int(p.severity[part][p.kind[part] == k].max()), k)
            )
            for k in kinds:
                out.append(part[p.kind[part] == k])
    return out


#: margin (m) of the inside / outside tests of :func:`_paint`
PAINT_EPS = 1e-5


def _paint(geoms: np.ndarray, p: _Patches, runner: Runner, grid: float, max_vertices: int = 256):
    """Cut the pieces by the governing patches: (geoms, source piece, governing patch or −1).

    Patches are painted bucket by bucket (:func:`_buckets`); ground taken by one bucket is not
    offered to the next.  Detection built its patches from the same plans, so most pieces lie inside
    or outside a patch and share stretches of its boundary, where two computations of one edge differ
    in the last digits.  So the tests have a margin of :data:`PAINT_EPS` (10 µm): a piece the patch
    grown by the margin *covers* is inside (taken whole); a piece the patch shrunk by the margin does
    not *meet* is outside; both are prepared predicates, no overlay.  Only the pieces left — those a
    patch edge really crosses (a control line, a zone, a street) — are cut, against the patch's tiles
    (≤ ``max_vertices`` vertices) with snap-rounding overlay on the ``grid`` (``grid_size``):
    floating-point overlay of nearly coincident edges was seen to return silently wrong pieces.
    """
    n = len(geoms)
    gov_idx = np.flatnonzero(p.speaks)
    if not n or not len(gov_idx):
        return geoms, np.arange(n, dtype=np.intp), np.full(n, -1, dtype=np.intp)
    grown = np.full(len(p.geoms), None, dtype=object)
    shrunk = np.full(len(p.geoms), None, dtype=object)
    grown[gov_idx] = runner.map(
        lambda g: shapely.buffer(g, PAINT_EPS, quad_segs=1, join_style="mitre"), p.geoms[gov_idx]
    )
    shrunk[gov_idx] = runner.map(
        lambda g: shapely.buffer(g, -PAINT_EPS, quad_segs=1, join_style="mitre"), p.geoms[gov_idx]
    )
    shapely.prepare(grown[gov_idx])
    shapely.prepare(shrunk[gov_idx])
    tree = shapely.STRtree(grown[gov_idx])
    hit = np.unique(runner.query(tree, geoms)[0])
    free = np.setdiff1d(np.arange(n), hit)
    out_g, out_src, out_p = [geoms[free]], [free], [np.full(len(free), -1, dtype=np.intp)]
    rem_g, rem_src = geoms[hit], hit.astype(np.intp)

    for bucket in _buckets(p):
        if not len(rem_g):
            break
        runner.check()
        if len(bucket) * 8 < len(rem_g):
            k, i = runner.query(shapely.STRtree(rem_g), grown[bucket])
        else:
            i, k = runner.query(shapely.STRtree(grown[bucket]), rem_g)
        if not len(i):
            continue
        inside = runner.map(shapely.covers, grown[bucket][k], rem_g[i], serial=True)
        best = np.full(len(rem_g), -1, dtype=np.intp)
        best[i[inside]] = k[inside]
        whole = best >= 0
        rest = ~whole[i] & ~inside
        i, k = i[rest], k[rest]
        meets = runner.map(shapely.intersects, shrunk[bucket][k], rem_g[i], serial=True)
        cut = np.zeros(len(rem_g), dtype=bool)
        cut[i[meets]] = True
        # whole pieces go to their patch
        w = np.flatnonzero(whole)
        out_g.append(rem_g[w])
        out_src.append(rem_src[w])
        out_p.append(bucket[best[w]].astype(np.intp))
        keep = ~(whole | cut)
        nxt_g, nxt_src = [rem_g[keep]], [rem_src[keep]]
        c = np.flatnonzero(cut)
        if len(c):
            # straddling pieces: the parts inside each patch (over its tiles), the rest stays on offer
            region = TiledRegion(p.geoms[bucket], runner, max_vertices)
            ci, ct = region.pairs(rem_g[c], runner)
            inter = runner.map(
                lambda a, b: shapely.intersection(a, b, grid_size=grid), rem_g[c][ci], region.tiles[ct]
            )
            parts, pidx = ov.explode_polygons(inter)
            out_g.append(parts)
            out_src.append(rem_src[c[ci[pidx]]])
            out_p.append(bucket[region.tile_owner[ct[pidx]]].astype(np.intp))
            left = _subtract(rem_g[c], ci, region.tiles[ct], runner, grid)
            rparts, ridx = ov.explode_polygons(left)
            nxt_g.append(rparts)
            nxt_src.append(rem_src[c[ridx]])
        rem_g = np.concatenate(nxt_g)
        rem_src = np.concatenate(nxt_src).astype(np.intp)
    out_g.append(rem_g)
    out_src.append(rem_src)
    out_p.append(np.full(len(rem_g), -1, dtype=np.intp))
    return (
        np.concatenate(out_g),
        np.concatenate(out_src).astype(np.intp),
        np.concatenate(out_p).astype(np.intp),
    )


def _subtract(
    base: np.ndarray, who: np.ndarray, cutters: np.ndarray, runner: Runner, grid: float
) -> np.ndarray:
    """``base[k] − union(cutters[who == k])`` for every k, by rounds of vectorised differences
    (snap-rounding overlay on ``grid``)."""
    out = base.copy()
    if not len(who):
        return out
    order = np.argsort(who, kind="stable")
    who_s, cut_s = who[order], cutters[order]
    start = np.r_[True, who_s[1:] != who_s[:-1]]
    first = np.flatnonzero(start)
    rank = np.arange(len(who_s)) - first[np.cumsum(start) - 1]
    for r in range(int(rank.max()) + 1):
        sel = rank == r
        tgt = who_s[sel]
        out[tgt] = _polygonal(
            runner.map(lambda a, b: shapely.difference(a, b, grid_size=grid or None), out[tgt], cut_s[sel])
        )
    return out


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Each geometry's polygonal part (an overlay may return a collection with lines or points)."""
    types = shapely.get_type_id(geoms)
    odd = np.flatnonzero(~np.isin(types, (3, 6)))
    if not len(odd):
        return geoms
    out = geoms.copy()
    parts, idx = ov.explode_polygons(geoms[odd])
    out[odd] = (
        shapely.multipolygons(parts, indices=idx, out=np.full(len(odd), None, dtype=object))
        if len(parts)
        else shapely.Polygon()
    )
    empty = np.equal(out, None)
    out[empty] = shapely.Polygon()
    return out


def _losers(geoms: np.ndarray, gov: np.ndarray, p: _Patches, runner: Runner, grid: float) -> np.ndarray:
    """Per piece under a governing patch: JSON of the other overlapping patches' decisions (or None)."""
    out = np.full(len(geoms), None, dtype=object)
    under = np.flatnonzero(gov >= 0)
    if not len(under) or not len(p.ids):
        return out
    has = np.flatnonzero(~np.equal(p.action, None))
    if not len(has):
        return out
    tree = shapely.STRtree(p.geoms[has])
    qi, qj = runner.query(tree, geoms[under], predicate="intersects")
    pi, pj = under[qi], has[qj]
    other = pj != gov[pi]
    pi, pj = pi[other], pj[other]
    if not len(pi):
        return out
    area = shapely.area(runner.map(shapely.intersection, geoms[pi], p.geoms[pj]))
    ok = area > 1e-6
    lists: dict[int, list] = {}
    for i, j in zip(pi[ok].tolist(), pj[ok].tolist()):
        lists.setdefault(i, []).append(j)
    for i, js in lists.items():
        js = sorted(set(js), key=lambda j: (-int(p.precedence[j]), str(p.ids[j])))
        out[i] = json.dumps(
            [
                {
                    "patch_id": str(p.ids[j]),
                    "kind": str(p.kind[j]),
                    "action": p.action[j],
                    "target": p.target[j],
                    "decision_id": p.decision_id[j],
                }
                for j in js
            ],
            ensure_ascii=False,
        )
    return out


# ---------------------------------------------------------------------------------------------- rules


@dataclass
class _Attr:
    mp_code: str | None
    mp_name: str | None
    mp_construction: int | None
    source_role: str | None
    src_standard: str | None
    src_class: str | None
    rule: str
    status: str
    decision_id: str | None = None
    patch_id: str | None = None
    kind: str | None = None
    pending_codes: str | None = None
    note: str | None = None

    def key(self) -> tuple:
        return (
            self.mp_code,
            self.mp_name,
            self.mp_construction,
            self.source_role,
            self.src_standard,
            self.src_class,
            self.rule,
            self.status,
            self.decision_id,
            self.patch_id,
            self.kind,
            self.pending_codes,
            self.note,
        )


class _Rules:
    """The class of a combination of plan classes, with or without a governing patch."""

    def __init__(self, plans: list[_Plan], params: ApplyParams, tables):
        self.plans = plans
        self.roles = [p.role for p in plans]
        self.params = params
        self.tables = tables
        self._base: dict[tuple, _Attr] = {}

    # -- helpers
    def _from_plan(self, j: int, c: int, rule: str, status: str = STATUS_FINAL) -> _Attr:
        p = self.plans[j]
        cons = int(p.cons[c])
        return _Attr(
            mp_code=p.code[c],
            mp_name=p.name[c]
            or (self.tables.unified_name(p.code[c]) if (self.tables and p.code[c]) else None),
            mp_construction=None if cons < 0 else cons,
            source_role=p.role,
            src_standard=p.std[c],
            src_class=p.key[c],
            rule=rule,
            status=status,
        )

    def _compatible(self, a: str | None, b: str | None, ka: str, kb: str) -> bool:
        if ka == kb:
            return True
        if not a or not b or self.tables is None:
            return False
        try:
            return bool(self.tables.compatible(a, b))
        except Exception:  # noqa: BLE001 - unknown codes are simply not compatible
            return False

    def _finer(self, a: str, b: str) -> str:
        if a == b or self.tables is None:
            return a
        try:
            return self.tables.finer(a, b)
        except Exception:  # noqa: BLE001
            return a

    def pending_codes(self, combo: tuple) -> str:
        return "|".join(f"{self.roles[j]}:{self.plans[j].key[c]}" for j, c in enumerate(combo) if c >= 0)

    def _by_precedence(self, combo: tuple, order: Sequence[str], want: int | None = None) -> int | None:
        """The first covering plan in ``order`` (whose own construction flag is ``want``, when given)."""
        for role in _order(self.roles, order):
            j = self.roles.index(role)
            c = combo[j]
            if c < 0:
                continue
            if want is not None and int(self.plans[j].cons[c]) != want:
                continue
            return j
        return None

    # -- without a patch
    def base(self, combo: tuple) -> _Attr:
        got = self._base.get(combo)
        if got is not None:
            return got
        cov = [j for j, c in enumerate(combo) if c >= 0]
        if len(cov) == 1:
            a = self._from_plan(cov[0], combo[cov[0]], "only_plan")
        else:
            codes = [self.plans[j].code[combo[j]] for j in cov]
            keys = [self.plans[j].key[combo[j]] for j in cov]
            flags = {int(self.plans[j].cons[combo[j]]) for j in cov}
            agree = all(
                self._compatible(codes[x], codes[y], keys[x], keys[y])
                for x in range(len(cov))
                for y in range(x + 1, len(cov))
            )
            if flags == {1}:
                order, rule = self.params.construction_precedence, "precedence_construction"
            elif flags == {0}:
                order, rule = self.params.nonconstruction_precedence, "precedence_nonconstruction"
            else:
                order, rule = self.params.nonconstruction_precedence, "precedence_mixed"
            if agree:
                finest = codes[0] if codes[0] else None
                for c in codes[1:]:
                    if finest and c:
                        finest = self._finer(finest, c)
                # the finest code's plans; among them (equal codes) the precedence decides
                cands = [j for j, c in zip(cov, codes) if c == finest] if finest else cov
                j = next(
                    (r for r in (self.roles.index(x) for x in _order(self.roles, order)) if r in cands),
                    cands[0],
                )
                a = self._from_plan(j, combo[j], "agree")
            else:
                j = self._by_precedence(combo, order)
                a = self._from_plan(j, combo[j], rule)
        self._base[combo] = a
        return a

    # -- under a governing patch
    def decided(self, combo: tuple, pi: int, p: _Patches) -> _Attr:
        from .store import ADOPT_PLAN, EXCEPTION, SET_CLASS, TECHNICAL_ERROR

        pid, kind, did = str(p.ids[pi]), str(p.kind[pi]), p.decision_id[pi]

        def pend(note: str | None = None) -> _Attr:
            return _Attr(
                None,
                None,
                None,
                None,
                None,
                None,
                "pending",
                STATUS_PENDING,
                did,
                pid,
                kind,
                self.pending_codes(combo),
                note,
            )

        if not p.decided[pi]:
            return pend()
        action, target = p.action[pi], p.target[pi]
        if action == SET_CLASS:
            code = str(target) if target else None
            name = self.tables.unified_name(code) if (self.tables and code) else None
            flag = self.tables.planning_construction(code) if (self.tables and code) else None
            if code and name is None:
                note = tr("class {code} is not a 用地用海 class").format(code=code)
            else:
                note = None
            return _Attr(
                code,
                name,
                None if flag is None else int(flag),
                "decision",
                "YDYH-2023",
                code,
                "decision_set_class",
                STATUS_FINAL,
                did,
                pid,
                kind,
                None,
                note,
            )
        if action in (ADOPT_PLAN, EXCEPTION):
            rule = "decision_adopt" if action == ADOPT_PLAN else "decision_exception"
            role = str(target) if target else ""
            if role in self.roles:
                j = self.roles.index(role)
                if combo[j] < 0:
                    return pend(tr("plan '{role}' does not cover this ground").format(role=role))
                a = self._from_plan(j, combo[j], rule)
            else:
                want = 1 if role in CONSTRUCTION_INTENT_ROLES else 0
                order = (
                    self.params.construction_precedence if want else self.params.nonconstruction_precedence
                )
                j = self._by_precedence(combo, order, want)
                if j is None:
                    return pend(
                        tr("'{role}' carries no land use and no plan here is {what}: set a class").format(
                            role=role, what=tr("construction") if want else tr("non-construction")
                        )
                    )
                a = self._from_plan(j, combo[j], rule)
                a.note = tr("'{role}' carries no land use: class of '{src}'").format(
                    role=role, src=a.source_role
                )
            a.decision_id, a.patch_id, a.kind = did, pid, kind
            return a
        if action == TECHNICAL_ERROR:
            a = self.base(combo)
            return _Attr(
                a.mp_code,
                a.mp_name,
                a.mp_construction,
                a.source_role,
                a.src_standard,
                a.src_class,
                "technical_error",
                STATUS_FINAL,
                did,
                pid,
                kind,
                None,
                "unresolved",
            )
        return pend(tr("action {action} does not set a land use").format(action=action))


# ---------------------------------------------------------------------------------------------- build


def build_blueprint(
    store,
    params: ApplyParams | None = None,
    streets: FeatureTable | None = None,
    *,
    progress: Callable[[float, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    tables=None,
) -> ApplyResult:
    """Compute the blueprint layer from a blueprint store's plan copies and decisions; writes nothing.

    ``streets`` (in any CRS; reprojected) splits the features by street (``params.unit_column``
    names them).  Raises :class:`ApplyError` (no land-use plan copies, undecided patches with
    ``undecided='stop'``) and :class:`.overlay.Cancelled`.
    """
    params = params or ApplyParams()
    params.validate()
    if tables is None:
        from .codes import CodeTables

        tables = CodeTables.load()
    runner = Runner(params.threads, is_cancelled)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(name: str, fraction: float, message: str) -> None:
        now = time.perf_counter()
        timings[name] = now - clock[0]
        clock[0] = now
        runner.check()
        if progress is not None:
            progress(fraction, message)

    try:
        return _build(store, params, streets, runner, tables, lap, timings)
    finally:
        runner.close()


def _build(store, params: ApplyParams, streets, runner: Runner, tables, lap, timings) -> ApplyResult:
    problems: list[str] = []
    roles = list(params.roles) if params.roles else landuse_roles(store)
    if not roles:
        raise ApplyError(
            tr(
                "The blueprint holds no land-use plan copies: run multiplan:detectdifferences with the "
                "urban-rural and land-use plans first"
            )
        )
    missing = [r for r in roles if f"plan_{r}" not in store.layers()]
    if missing:
        raise ApplyError(tr("The blueprint has no copy of plan(s): {roles}").format(roles=", ".join(missing)))
    if params.roles:
        landuse = set(landuse_roles(store))
        other = [r for r in roles if r not in landuse]
        if other:
            raise ApplyError(
                tr(
                    "Plan(s) {roles} carry no land use (zones, eco control levels or projects): the "
                    "blueprint layer is built from land-use plans only."
                ).format(roles=", ".join(other))
            )
    unknown = [
        r
        for r in dict.fromkeys([*params.construction_precedence, *params.nonconstruction_precedence])
        if r not in roles
    ]
    if unknown:
        problems.append(
            tr(
                "The role precedence names {roles}, which the blueprint layer is not built from: ignored."
            ).format(roles=", ".join(unknown))
        )
    if streets is not None and params.unit_column and not streets.has_column(params.unit_column):
        raise ApplyError(tr("The streets layer has no field {f}.").format(f=params.unit_column))
    crs_wkt = store.crs_wkt
    lap("start", 0.02, tr("Reading the plan copies"))
    roles = _order(
        list(dict.fromkeys(roles)),
        list(params.construction_precedence) + list(params.nonconstruction_precedence),
    )
    tabs = {
        r: store.read_layer(
            f"plan_{r}",
            columns=[
                c
                for c in (
                    "src_fid",
                    "mp_code",
                    "mp_name",
                    "mp_construction",
                    "mp_src_standard",
                    "mp_src_code",
                )
                if c in _layer_columns(store, f"plan_{r}")
            ],
        )
        for r in roles
    }
    lap("read", 0.08, tr("Cleaning the plans"))
    done = runner.run_tasks(lambda r: _plan(r, tabs[r], runner, params, problems), roles)
    plans = [x for x in done if len(x.cov)]
    if not plans:
        raise ApplyError(tr("Every land-use plan copy is empty"))
    lap("clean", 0.3, tr("Overlaying the land-use plans"))
    geoms, cls = _overlay(plans, runner, params.max_tile_vertices)
    crumbs = _Crumbs(params.crumb_area)
    geoms, cls = crumbs.drop(geoms, cls)
    lap("overlay", 0.5, tr("Applying the decisions"))

    # patches and decisions
    p = _read_patches(store)
    geoms, keep = _snap(geoms, params.grid)
    cls = cls[keep]
    geoms, cls = crumbs.drop(geoms, cls)
    p.geoms = _snap_whole(p.geoms, params.grid)
    pg, psrc, pgov = _paint(geoms, p, runner, params.grid, params.max_tile_vertices)
    pg, psrc, pgov = crumbs.drop(pg, psrc, pgov)
    combo_of_piece = cls[psrc]
    lap("paint", 0.65, tr("Classes and provenance"))
    rules = _Rules(plans, params, tables)
    ukey, inv = np.unique(np.column_stack([combo_of_piece, pgov]), axis=0, return_inverse=True)
    inv = inv.ravel()
    attrs: list[_Attr] = []
    for row in ukey.tolist():
        combo, gov = tuple(row[:-1]), row[-1]
        attrs.append(rules.base(combo) if gov < 0 else rules.decided(combo, gov, p))
    piece_attr = inv
    losers = _losers(pg, pgov, p, runner, params.grid)

    # undecided governing patches
    pending_sel = np.array([attrs[k].status == STATUS_PENDING for k in range(len(attrs))], dtype=bool)
    pend_piece = pending_sel[piece_attr] & (pgov >= 0)
    pend_area_by_patch: dict[str, float] = {}
    if pend_piece.any():
        a = shapely.area(pg[pend_piece])
        for pi, ar in zip(pgov[pend_piece].tolist(), a.tolist()):
            pend_area_by_patch[str(p.ids[pi])] = pend_area_by_patch.get(str(p.ids[pi]), 0.0) + ar
    undecided_ids = sorted(k for k, v in pend_area_by_patch.items() if v > params.crumb_area)
    undecided_area = float(sum(pend_area_by_patch.values()))
    if undecided_ids and params.undecided == "stop":
        raise ApplyError(
            tr(
                "{n} patches that govern the land use are undecided ({area:.1f} m²), e.g. {ids}: decide "
                "them, or choose to mark undecided ground as pending"
            ).format(n=len(undecided_ids), area=undecided_area, ids=", ".join(undecided_ids[:10]))
        )

    # technical errors: the neighbouring agreed class
    attrs, piece_attr = _technical_errors(pg, piece_attr, pgov, attrs, p, runner, problems)
    lap("rules", 0.75, tr("Splitting by street"))

    # streets
    unit = np.full(len(pg), -1, dtype=np.intp)
    unit_names = np.zeros(0, dtype=object)
    if streets is not None and len(streets):
        from pyproj.exceptions import ProjError

        from .crs import CrsError
        from .detection_run import crs_label, to_working

        try:
            st = to_working(streets, crs_wkt, tr("Streets"), problems) if crs_wkt else streets
        except CrsError as exc:  # no CRS, or coordinates outside its area of use
            raise ApplyError(str(exc)) from exc
        except ProjError as exc:  # e.g. an "Undefined Cartesian SRS" (a GeoPackage's srs_id -1)
            raise ApplyError(
                tr(
                    "{what} is in {crs}, which cannot be transformed to the blueprint's CRS: assign its real "
                    "coordinate reference system in QGIS first."
                ).format(what=tr("The streets layer"), crs=crs_label(streets.crs_wkt))
            ) from exc
        ok = ~shapely.is_missing(st.geoms)
        sgeoms = shapely.make_valid(np.asarray(st.geoms, dtype=object)[ok])
        if params.unit_column:
            unit_names = _text(st.column(params.unit_column), len(st))[ok]
        else:
            unit_names = np.array([str(int(f)) for f in np.asarray(st.fids)[ok]], dtype=object)
        # streets that share a name are one street
        uniq_names, uidx = np.unique(unit_names.astype(str), return_inverse=True)
        sp = ov.split_by_units(pg, TiledRegion(sgeoms, runner, params.max_tile_vertices), runner)
        pg, piece_attr, losers = sp.geoms, piece_attr[sp.src], losers[sp.src]
        unit = np.where(sp.owner >= 0, uidx[np.maximum(sp.owner, 0)], -1).astype(np.intp)
        pg, piece_attr, losers, unit = crumbs.drop(pg, piece_attr, losers, unit)
        unit_names = uniq_names.astype(object)
    lap("units", 0.82, tr("Assembling the blueprint"))

    # assemble maximal connected features of one class, one provenance, one street
    pg, keep = _snap(pg, params.grid)
    piece_attr, losers, unit = piece_attr[keep], losers[keep], unit[keep]
    pg, piece_attr, losers, unit = crumbs.drop(pg, piece_attr, losers, unit)
    lkey, linv = np.unique(np.where(np.equal(losers, None), "", losers).astype(str), return_inverse=True)
    gkey, group = np.unique(
        np.column_stack([piece_attr, linv.ravel(), unit]).astype(np.int64), axis=0, return_inverse=True
    )
    fg, fgroup = _union_groups(pg, group.ravel(), runner)
    fa = gkey[fgroup]
    area = shapely.area(fg)
    fg, fa, area = crumbs.drop(fg, fa, area)
    if crumbs.count:
        problems.append(
            tr("{n} floating-point crumbs ({area:.2e} m² together) left out of the blueprint").format(
                n=crumbs.count, area=crumbs.area
            )
        )
    lap("assemble", 0.92, tr("Measuring"))
    area_e = ellipsoidal_area(fg, crs_wkt) if (crs_wkt and len(fg)) else np.full(len(fg), np.nan)
    table = _table(fg, fa, attrs, lkey, unit_names, area, area_e, tables, crs_wkt)
    summary = _summary(table)
    district = float(area.sum())
    lap("measure", 1.0, tr("{n} blueprint features").format(n=len(table)))
    return ApplyResult(
        table=table,
        summary=summary,
        roles=[pl.role for pl in plans],
        undecided_ids=undecided_ids,
        undecided_area=undecided_area,
        district_area=district,
        problems=problems,
        timings=timings,
    )


def _snap(geoms: np.ndarray, grid: float) -> tuple[np.ndarray, np.ndarray]:
    """Pieces with every vertex rounded to a ``grid`` (a micrometre), repaired where rounding broke one.

    Why: one boundary computed twice (by two clippings, in two orientations) differs in the last
    digits, and unions of such pieces come out with vertex pairs 10⁻¹⁰ m apart that GEOS's
    predicates cannot handle ("side location conflict").  Rounding sends both computations to the same
    grid point, so neighbouring pieces share their vertices exactly again; geometry moves by at most
    half a micrometre.  Returns the pieces and, for each, the index of the input it came from.
    """
    n = len(geoms)
    if not n or not grid:
        return geoms, np.arange(n, dtype=np.intp)
    g = shapely.transform(geoms, lambda xy: np.round(xy / grid) * grid)
    if shapely.geos_version >= (3, 11, 0):
        g = shapely.remove_repeated_points(g, 0.0)
    bad = np.flatnonzero(~shapely.is_valid(g))
    if not len(bad):
        return g, np.arange(n, dtype=np.intp)
    keep = np.ones(n, dtype=bool)
    keep[bad] = False
    parts, pidx = ov.explode_polygons(shapely.make_valid(g[bad]))
    idx = np.concatenate([np.flatnonzero(keep), bad[pidx]]).astype(np.intp)
    return np.concatenate([g[keep], parts]), idx


def _snap_whole(geoms: np.ndarray, grid: float) -> np.ndarray:
    """Each geometry rounded to the grid, kept as one geometry (patches: one per patch id)."""
    if not len(geoms) or not grid:
        return geoms
    g = shapely.transform(geoms, lambda xy: np.round(xy / grid) * grid)
    bad = ~shapely.is_valid(g)
    if bad.any():
        g[bad] = _polygonal(shapely.make_valid(g[bad]))
    return g


class _Crumbs:
    """Floating-point crumbs: pieces thinner than a micrometre on average (2A/P) or of at most
    ``crumb_area`` m².  Clipping along nearly coincident edges (a patch edge computed by detection, the
    same edge computed again here) leaves them by the thousand, 10⁻¹⁰–10⁻⁷ m² each; real pieces are
    orders of magnitude wider.  They are left out and counted (``count``, ``area``), never kept as
    features — GEOS cannot even test some of them for intersection."""

    WIDTH = 1e-6
    AREA = 1e-6

    def __init__(self, max_area: float):
        self.max_area = max_area
        self.count = 0
        self.area = 0.0

    def drop(self, geoms: np.ndarray, *arrays):
        a = shapely.area(geoms)
        with np.errstate(divide="ignore", invalid="ignore"):
            width = 2.0 * a / shapely.length(geoms)
        bad = (a <= self.max_area) | ~(width >= self.WIDTH)
        if bad.any():
            self.count += int(bad.sum())
            self.area += float(a[bad].sum())
            keep = ~bad
            return (geoms[keep],) + tuple(x[keep] for x in arrays)
        return (geoms,) + arrays


def _layer_columns(store, name: str) -> set[str]:
    t = store.read_layer(name, with_geometry=False, where="0")
    return set(t.columns)


def _technical_errors(
    pg, piece_attr, pgov, attrs: list[_Attr], p: _Patches, runner: Runner, problems: list[str]
):
    """Ground governed by a technical-error decision takes the class of the agreed ground next to its
    patch (the longest shared boundary); failing that, any decided neighbour; failing that, its own
    base rule (reported)."""
    tech = [k for k, a in enumerate(attrs) if a.rule == "technical_error" and a.note == "unresolved"]
    if not tech:
        return attrs, piece_attr
    tech_set = np.zeros(len(attrs), dtype=bool)
    tech_set[tech] = True
    is_tech = tech_set[piece_attr]
    ok_attr = np.array([a.status == STATUS_FINAL for a in attrs], dtype=bool)
    agreed_attr = np.array([a.rule == "agree" for a in attrs], dtype=bool)
    cand = np.flatnonzero(~is_tech & ok_attr[piece_attr])
    tree = shapely.STRtree(pg[cand]) if len(cand) else None
    by_patch: dict[int, list[int]] = {}
    for i in np.flatnonzero(is_tech).tolist():
        by_patch.setdefault(int(pgov[i]), []).append(i)
    new_attrs = list(attrs)
    remap: dict[tuple[int, int], int] = {}
    for pi, pieces in by_patch.items():
        region = shapely.union_all(pg[pieces])
        best = None
        if tree is not None:
            hits = cand[tree.query(region, predicate="intersects")]
            if len(hits):
                shared = shapely.length(shapely.intersection(shapely.boundary(region), pg[hits]))
                for level in (agreed_attr, ok_attr):
                    m = level[piece_attr[hits]] & (shared > 0)
                    if m.any():
                        tot: dict[int, float] = {}
                        for k, s in zip(piece_attr[hits][m].tolist(), shared[m].tolist()):
                            tot[k] = tot.get(k, 0.0) + s
                        best = max(tot, key=lambda k: (tot[k], -k))
                        break
        for i in pieces:
            old = int(piece_attr[i])
            key = (old, -1 if best is None else best)
            if key not in remap:
                a = attrs[old]
                if best is None:
                    problems.append(
                        tr(
                            "Patch {pid}: technical error without a decided neighbour; its own plans decide"
                        ).format(pid=p.ids[pi])
                    )
                    new = _Attr(
                        a.mp_code,
                        a.mp_name,
                        a.mp_construction,
                        a.source_role,
                        a.src_standard,
                        a.src_class,
                        "technical_error",
                        STATUS_FINAL,
                        a.decision_id,
                        a.patch_id,
                        a.kind,
                        None,
                        tr("no decided neighbour: own plans' rule"),
                    )
                else:
                    nb = attrs[best]
                    new = _Attr(
                        nb.mp_code,
                        nb.mp_name,
                        nb.mp_construction,
                        nb.source_role,
                        nb.src_standard,
                        nb.src_class,
                        "technical_error",
                        STATUS_FINAL,
                        a.decision_id,
                        a.patch_id,
                        a.kind,
                        None,
                        tr("neighbouring class ({rule})").format(rule=nb.rule),
                    )
                remap[key] = len(new_attrs)
                new_attrs.append(new)
            piece_attr[i] = remap[key]
    return new_attrs, piece_attr


def _table(fg, fa, attrs: list[_Attr], lkey, unit_names, area, area_e, tables, crs_wkt) -> FeatureTable:
    n = len(fg)
    cols = {name: np.full(n, None, dtype=object) for name, _k in BLUEPRINT_FIELDS}
    plan_flag_cache: dict = {}
    for i, (ai, li, ui) in enumerate(fa.tolist()):
        a = attrs[ai]
        cols["mp_code"][i] = a.mp_code
        cols["mp_name"][i] = a.mp_name
        cols["mp_construction"][i] = a.mp_construction
        if a.mp_code not in plan_flag_cache:
            f = tables.planning_construction(a.mp_code) if (tables is not None and a.mp_code) else None
            plan_flag_cache[a.mp_code] = None if f is None else int(f)
        cols["plan_construction"][i] = plan_flag_cache[a.mp_code]
        cols["source_role"][i] = a.source_role
        cols["src_standard"][i] = a.src_standard
        cols["src_class"][i] = a.src_class
        cols["rule"][i] = a.rule
        cols["status"][i] = a.status
        cols["decision_id"][i] = a.decision_id
        cols["patch_id"][i] = a.patch_id
        cols["kind"][i] = a.kind
        cols["pending_codes"][i] = a.pending_codes
        prov: dict = {}
        if a.note:
            prov["note"] = a.note
        if lkey[li]:
            prov["losing_decisions"] = json.loads(lkey[li])
        cols["provenance"][i] = json.dumps(prov, ensure_ascii=False) if prov else None
        cols["unit"][i] = unit_names[ui] if ui >= 0 and len(unit_names) else None
    cols["area_planar"] = np.asarray(area, dtype=np.float64)
    cols["area_ellipsoidal"] = np.asarray(area_e, dtype=np.float64)
    multi = shapely.multipolygons(fg, indices=np.arange(n)) if n else np.zeros(0, dtype=object)
    return FeatureTable(
        geoms=np.asarray(multi, dtype=object),
        fids=np.arange(1, n + 1, dtype=np.int64),
        columns=cols,
        field_types=dict(BLUEPRINT_FIELDS),
        crs_wkt=crs_wkt,
        name="blueprint",
    )


def _summary(t: FeatureTable) -> list[dict]:
    """Count and area per rule and status (and the whole district), for the run record and the output."""
    rows = []
    if not len(t):
        return rows
    rule = t.columns["rule"].astype(str)
    status = t.columns["status"].astype(str)
    area = t.columns["area_planar"]
    area_e = t.columns["area_ellipsoidal"]
    total = float(area.sum())
    keys = sorted(set(zip(rule.tolist(), status.tolist())))
    for r, s in keys + [(None, None)]:
        m = np.ones(len(t), dtype=bool) if r is None else (rule == r) & (status == s)
        a = float(area[m].sum())
        rows.append(
            {
                "rule": r,
                "status": s,
                "count": int(m.sum()),
                "area_planar": a,
                "area_ellipsoidal": float(np.nansum(area_e[m])),
                "share": a / total if total else None,
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------- apply


def apply_decisions(
    store,
    params: ApplyParams | None = None,
    streets: FeatureTable | None = None,
    *,
    write: bool = True,
    inputs: list | None = None,
    parameters: dict | None = None,
    progress: Callable[[float, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    tables=None,
) -> ApplyResult:
    """Build the blueprint layer and (with ``write``) replace it in the store in ONE run of kind
    ``apply`` — together with the final control lines (:func:`.lines.settle_from_store` /
    :func:`.lines.write_final_lines`) when the blueprint holds control lines and ``params.lines`` is
    not ``skip``.  Compute first (nothing is locked meanwhile), then write; a cancel rolls it all back.
    """
    params = params or ApplyParams()
    params.validate()

    def part(lo: float, hi: float):
        return None if progress is None else (lambda f, m: progress(lo + (hi - lo) * f, m))

    res = build_blueprint(
        store, params, streets, progress=part(0.0, 0.8), is_cancelled=is_cancelled, tables=tables
    )
    t0 = time.perf_counter()
    ss = None
    if params.lines != "skip":
        ss = _line_settlement(store, params, is_cancelled, res.problems)
        res.line_settlement = ss
    res.timings["lines"] = time.perf_counter() - t0
    if not write:
        return res
    if progress is not None:
        progress(0.85, tr("Writing into the blueprint"))
    t0 = time.perf_counter()
    run_id = store.begin_run(
        "apply", inputs=inputs, parameters=_jsonable(parameters or _params_record(params))
    )
    with store.run_writer(run_id, cancel=is_cancelled) as w:
        res.written["blueprint"] = w.write_blueprint(res.table)
        if ss is not None:
            from .lines import write_final_lines

            res.written.update(write_final_lines(w, ss))
        stats = {
            "roles": res.roles,
            "summary": res.summary,
            "undecided": {
                "count": len(res.undecided_ids),
                "area": res.undecided_area,
                "patch_ids": res.undecided_ids,
            },
            "district_area": res.district_area,
            "problems": res.problems,
        }
        if ss is not None:
            stats["lines"] = {"totals": ss.settlement.totals, "undecided": ss.undecided}
        res.timings["write"] = time.perf_counter() - t0
        w.finish(timings=_jsonable(res.timings), stats=_jsonable(stats))
    res.run_id = run_id
    if progress is not None:
        progress(1.0, tr("{n} blueprint features").format(n=len(res.table)))
    return res


def _line_settlement(store, params: ApplyParams, is_cancelled, problems: list[str]):
    """The final control lines from the line decisions, or None when the blueprint has no control lines."""
    if "control_lines" not in store.layers():
        return None
    from .lines import LineError, settle_from_store

    try:
        return settle_from_store(
            store, undecided=params.lines, threads=params.threads, is_cancelled=is_cancelled
        )
    except LineError as exc:
        if params.lines == "stop":
            raise ApplyError(str(exc)) from exc
        problems.append(str(exc))
        return None


def _params_record(params: ApplyParams) -> dict:
    return {
        "construction_precedence": list(params.construction_precedence),
        "nonconstruction_precedence": list(params.nonconstruction_precedence),
        "undecided": params.undecided,
        "lines": params.lines,
        "roles": list(params.roles) if params.roles else None,
        "unit_column": params.unit_column,
    }


def _jsonable(value):
    from .detection_run import _jsonable as j

    return j(value)
