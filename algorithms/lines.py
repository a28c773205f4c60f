"""Control-line reconciliation (三线协调): overlaps between the three lines, proposals, final lines.

Why (DOMAIN.md §5): the 2019 national guidance says 生态保护红线, 永久基本农田 and 城镇开发边界 must
not cross, overlap or conflict.  The urban development boundary gives way to both other lines by
default; between red line and permanent farmland there is no blanket winner — farmland in a core
protection zone is withdrawn and replaced elsewhere (补划), everything else is decided case by case.
Every adjustment is a decision someone signs, so this module never just moves a line: it finds the
overlaps, proposes an adjustment for each (a ``LINE_*`` patch in the blueprint the review dock steps
through), and builds the lines the proposals — or, later, the decisions — produce.

The pieces:

* :func:`load_line_rules` — the pairs of lines and their default proposals are data
  (``data/rules/line_rules.csv``): which line is *protected* and which *intrudes*, the proposal, and
  a condition on the eco plan (its 一级管控区) that changes the proposal there.
* :func:`reconcile` — clean each line (invalid rings repaired, overlaps inside one line counted once,
  points/lines refused), clip it to the district when one is given, split it by street; intersect
  every pair; split the red-line/farmland overlaps by the eco plan's core zones; assemble maximal
  connected overlap patches per pair, zone condition and street; measure them (planar, CGCS2000
  ellipsoidal, sliver class); propose; settle the proposals into proposed lines; statistics.
* :func:`settle` — turns one choice per overlap (保留 ``retain`` / 退出 ``withdraw`` / 扣除 ``deduct`` /
  ``pending``) into lines.  ``withdraw``: the intruding line gives the ground up; ``deduct``: the
  protected line is cut back; ``retain``: both keep it (a recorded exception: for the red line and
  farmland, the farmland stays inside the red line).  Where three lines meet, one line may give up
  the same ground in two pairs: the ground is attributed to the first adjustment (in the rule table's
  order) and only to it, so **every square metre a line gives up appears in exactly one adjustment**
  and the 补划 deficit never counts farmland twice.
* :func:`write_reconciliation` — writes the run into a blueprint: ``LINE_*`` patches with ids that stay
  stable across runs (:mod:`.identity`, prefix ``L``), their ``patch_plans`` rows naming the lines,
  ``line_adjustments``, ``control_lines`` stages ``input`` and ``proposed``.
* :func:`settle_from_store` / :func:`write_final_lines` / :func:`apply_line_decisions` — read the
  current decisions (``adjust_line`` → ``retain``/``withdraw``/``deduct``) and produce the ``final``
  lines and the 补划 deficit; undecided overlaps follow the proposal, stay ``pending`` (in both
  lines, reported) or stop the run, as the caller chooses.

Land-use-versus-line conflicts (construction in the red line …) are detection's; when a blueprint
holds those patches, :func:`summarise_detection` summarises them instead of recomputing them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from . import overlay as ov
from .crs import reproject, same_crs, to_crs
from .detect import HARMONISED_REQUIRED, NotHarmonisedError, PlanInput, _text
from .geodesy import ellipsoidal_area
from .geometry import fid_list, repair_polygons
from .i18n import tr
from .identity import PatchSet, fingerprint, match
from .overlay import Cancelled, Runner, StageClock, TiledRegion
from .rules import ClassSet, parse_class_set, read_table_text
from .slivers import SliverParams, classify
from .table import FeatureTable

__all__ = [
    "Cancelled",
    "LINE_TYPES",
    "LineData",
    "LineError",
    "LineLayer",
    "LineRule",
    "LineRuleError",
    "Overlaps",
    "PROPOSALS",
    "ReconcileParams",
    "ReconcileResult",
    "Settlement",
    "StoreSettlement",
    "adjustments_table",
    "apply_line_decisions",
    "control_lines_table",
    "load_line_rules",
    "overlaps_table",
    "reconcile",
    "settle",
    "settle_from_store",
    "statistics_table",
    "summarise_detection",
    "write_final_lines",
    "write_reconciliation",
]

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_LINE_RULES = DATA_DIR / "rules" / "line_rules.csv"

#: The three control lines, in the order used for attributing ground (DOMAIN.md §5).
LINE_TYPES = ("eco_redline", "farmland", "dev_boundary")
LINE_ALIASES = {
    "eco_redline": "eco_redline",
    "redline": "eco_redline",
    "red": "eco_redline",
    "farmland": "farmland",
    "farm": "farmland",
    "dev_boundary": "dev_boundary",
    "boundary": "dev_boundary",
    "dev": "dev_boundary",
}
LINE_TITLES = {"eco_redline": "生态保护红线", "farmland": "永久基本农田", "dev_boundary": "城镇开发边界"}
PROPOSALS = ("retain", "withdraw", "deduct")  # 保留 / 退出 / 扣除 (decision targets of adjust_line)
PENDING = "pending"
UNDECIDED_POLICIES = ("proposal", "pending", "stop")
NAME_FIELDS = ("HXMC", "JBNTTBBH", "KFBJMC", "BSM", "NAME", "MC")  # tried when no name field is given
RULE_COLUMNS = (
    "kind",
    "name_zh",
    "name_en",
    "severity",
    "precedence",
    "protected",
    "intruder",
    "proposal",
    "core_zones",
    "core_proposal",
    "enabled",
    "source",
)
STAT_FIELDS: list[tuple[str, str]] = [
    ("section", "text"),  # line, overlap, buhua, self_overlap, plan_coverage, detection
    ("item", "text"),  # line type, kind, plan role
    ("other", "text"),  # the other line / the pair / the line a plan is compared with
    ("unit", "text"),  # street; empty = the whole district
    ("count", "int"),
    ("count_after", "int"),
    ("area", "real"),
    ("area_after", "real"),
    ("area_ellipsoidal", "real"),
    ("area_ellipsoidal_after", "real"),
    ("net_area", "real"),  # farmland: area × (1 − KCXS)
    ("net_area_after", "real"),
    ("given_up", "real"),
    ("retained", "real"),
    ("pending", "real"),
    ("buhua", "real"),  # farmland to be replaced elsewhere (补划)
    ("buhua_net", "real"),
    ("inside", "real"),  # plan coverage: plan inside the line
    ("outside", "real"),  # plan coverage: plan outside the line
    ("uncovered", "real"),  # plan coverage: line without plan
    ("note", "text"),
]


class LineError(Exception):
    """Inputs reconciliation cannot work with; the message says what to do."""


class LineRuleError(LineError):
    """A line rule table that cannot be used; the message names the file and line of each problem."""


# ---------------------------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class LineRule:
    """One pair of lines: which is protected, which intrudes, and the default proposal.

    ``withdraw`` (退出): the intruder gives the overlap up; ``deduct`` (扣除): the protected line is
    cut back; ``retain`` (保留): both keep it.  Inside the eco plan's zones matching ``core_zones``
    the proposal is ``core_proposal`` instead.
    """

    kind: str
    name_zh: str
    name_en: str
    severity: int
    precedence: int
    protected: str
    intruder: str
    proposal: str
    core_zones: ClassSet | None = None
    core_proposal: str | None = None
    enabled: bool = True
    source: str = ""
    line_no: int = 0

    def loser(self, choice: str) -> str | None:
        """The line that gives the ground up under ``choice`` (None for retain/pending)."""
        if choice == "withdraw":
            return self.intruder
        if choice == "deduct":
            return self.protected
        return None

    @property
    def pair_rank(self) -> int:
        """Position of the pair in the fixed order red/farm, red/dev, farm/dev (ground attribution)."""
        a, b = sorted((LINE_TYPES.index(self.protected), LINE_TYPES.index(self.intruder)))
        return a * len(LINE_TYPES) + b


_KIND_OK = re.compile(r"^[A-Za-z0-9_-]+$")


def load_line_rules(path: str | os.PathLike | None = None, *, text: str | None = None) -> list[LineRule]:
    """Read a line rule table (UTF-8 CSV); the default is ``data/rules/line_rules.csv``.

    Every problem is reported at once with its line number (:class:`LineRuleError`).  Returns the
    rules in table order, disabled ones included (``enabled`` False).
    """
    name = str(path or DEFAULT_LINE_RULES)
    if text is None:
        text = read_table_text(path or DEFAULT_LINE_RULES, LineRuleError)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in RULE_COLUMNS if c not in header]
    if missing:
        raise LineRuleError(
            tr("Line rule table {path}: missing column(s) {columns}").format(
                path=name, columns=", ".join(missing)
            )
        )
    rules: list[LineRule] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    pairs: dict[frozenset, int] = {}
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()) or row.get("kind", "").startswith("#"):
            continue
        errs: list[str] = []
        rule = _rule_from_row(row, line, errs)
        if rule is not None:
            if rule.kind in seen:
                errs.append(
                    tr("kind {kind} already defined on line {line}").format(
                        kind=rule.kind, line=seen[rule.kind]
                    )
                )
            pair = frozenset((rule.protected, rule.intruder))
            if rule.enabled and pair in pairs:
                errs.append(
                    tr("the pair {a}/{b} already has a rule on line {line}").format(
                        a=rule.protected, b=rule.intruder, line=pairs[pair]
                    )
                )
        for e in errs:
            problems.append(tr("{path}, line {line}: {problem}").format(path=name, line=line, problem=e))
        if rule is not None and not errs:
            seen[rule.kind] = line
            if rule.enabled:
                pairs[frozenset((rule.protected, rule.intruder))] = line
            rules.append(rule)
    if problems:
        raise LineRuleError("\n".join(problems))
    if not rules:
        raise LineRuleError(tr("Line rule table {path} has no rules").format(path=name))
    return rules


def _rule_from_row(row: dict[str, str], line: int, errs: list[str]) -> LineRule | None:
    kind = row["kind"]
    if not _KIND_OK.match(kind):
        errs.append(tr("kind '{kind}' must be letters, digits, '_' or '-'").format(kind=kind))
    nums = {}
    for col in ("severity", "precedence"):
        try:
            nums[col] = int(row[col])
        except ValueError:
            errs.append(tr("{column} must be an integer, not '{value}'").format(column=col, value=row[col]))
    lines = {}
    for col in ("protected", "intruder"):
        value = LINE_ALIASES.get(row[col].lower())
        if value is None:
            errs.append(
                tr("{column} must be one of {lines}, not '{value}'").format(
                    column=col, lines=", ".join(LINE_TYPES), value=row[col]
                )
            )
        lines[col] = value
    if lines.get("protected") and lines.get("protected") == lines.get("intruder"):
        errs.append(tr("protected and intruder must be two different lines"))
    if row["proposal"] not in PROPOSALS:
        errs.append(
            tr("proposal must be one of {values}, not '{value}'").format(
                values=", ".join(PROPOSALS), value=row["proposal"]
            )
        )
    core = None
    if row["core_zones"]:
        try:
            core = parse_class_set(row["core_zones"])
        except ValueError as exc:
            errs.append(tr("core_zones: {error}").format(error=exc))
        if row["core_proposal"] not in PROPOSALS:
            errs.append(
                tr("core_proposal must be one of {values} when core_zones is given").format(
                    values=", ".join(PROPOSALS)
                )
            )
    elif row["core_proposal"]:
        errs.append(tr("core_proposal is given but core_zones is empty"))
    if row["enabled"] not in ("0", "1"):
        errs.append(tr("enabled must be 0 or 1, not '{value}'").format(value=row["enabled"]))
    if errs:
        return None
    return LineRule(
        kind=kind,
        name_zh=row["name_zh"],
        name_en=row["name_en"],
        severity=nums["severity"],
        precedence=nums["precedence"],
        protected=lines["protected"],
        intruder=lines["intruder"],
        proposal=row["proposal"],
        core_zones=core,
        core_proposal=row["core_proposal"] or None,
        enabled=row["enabled"] == "1",
        source=row["source"],
        line_no=line,
    )


# ---------------------------------------------------------------------------------------------- inputs


@dataclass
class LineLayer:
    """A control line layer.  ``line_type``: ``eco_redline``, ``farmland`` or ``dev_boundary`` (aliases ok).

    ``name_column`` names a feature (default: the first of :data:`NAME_FIELDS` present, else the fid);
    ``kcxs_column`` is the farmland deduction coefficient 扣除系数 (default ``KCXS`` when present).
    """

    line_type: str
    table: FeatureTable
    name_column: str | None = None
    kcxs_column: str | None = None
    layer: str = ""


@dataclass
class ReconcileParams:
    """Tuning of a run.

    ``proposals`` / ``core_proposals`` override the rule table's default proposal per kind (outside /
    inside the core zones); ``core_zones`` replaces the core class set of the rules that have one
    (an expression over the eco plan, e.g. ``zone:一级管控区``).  ``crs`` is the working CRS; inputs
    in another CRS are reprojected and reported.  ``sliver`` classifies small or thin overlaps (they
    stay reviewable); overlaps of at most ``sliver.speck_area`` are dropped and counted.
    """

    proposals: dict[str, str] = field(default_factory=dict)
    core_proposals: dict[str, str] = field(default_factory=dict)
    core_zones: str | None = None
    unit_column: str | None = None
    crs: str | None = None
    sliver: SliverParams = field(default_factory=SliverParams)
    max_tile_vertices: int = 256
    threads: int | None = None
    name_limit: int = 12


@dataclass
class LineData:
    """One control line as *pieces*: its cleaned features clipped to the district and split by street.

    Everything downstream (overlaps, settling, statistics per street, the ``control_lines`` layer)
    works on these pieces, so a street's before/after area is a sum over its pieces.
    """

    line_type: str
    layer: str
    geoms: np.ndarray
    unit: np.ndarray  # street index, −1 outside every street
    fids: np.ndarray  # source feature id per piece
    names: np.ndarray  # feature name per piece
    kcxs: np.ndarray | None  # per piece (NaN where unknown); farmland only
    dirty: np.ndarray  # per piece: from a feature that cleaning changed (edges may not fit)
    area: np.ndarray
    area_ellipsoidal: np.ndarray
    report: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.geoms)

    def net(self, area: np.ndarray) -> np.ndarray | None:
        if self.kcxs is None:
            return None
        k = np.where(np.isnan(self.kcxs), 0.0, self.kcxs)
        return area * (1.0 - k)


@dataclass
class Overlaps:
    """The overlap patches (one per pair, core-zone condition and street; maximal and connected)."""

    geoms: np.ndarray
    rule: np.ndarray  # index into ``rules``
    rules: list[LineRule]
    core: np.ndarray  # bool: inside the eco plan's core zones
    unit: np.ndarray  # street index (−1 outside every street)
    area_planar: np.ndarray
    area_ellipsoidal: np.ndarray
    is_sliver: np.ndarray
    sliver_reason: np.ndarray
    proposal: np.ndarray
    names_protected: np.ndarray  # names of the protected line's features in the patch
    names_intruder: np.ndarray
    fingerprint: np.ndarray
    code_key: np.ndarray
    core_label: np.ndarray  # the eco zones that made the core condition (e.g. '一级管控区'), None outside

    def __len__(self) -> int:
        return len(self.geoms)

    @property
    def kind(self) -> np.ndarray:
        return np.array([self.rules[r].kind for r in self.rule], dtype=object)

    @property
    def protected(self) -> np.ndarray:
        return np.array([self.rules[r].protected for r in self.rule], dtype=object)

    @property
    def intruder(self) -> np.ndarray:
        return np.array([self.rules[r].intruder for r in self.rule], dtype=object)

    @property
    def severity(self) -> np.ndarray:
        return np.array([self.rules[r].severity for r in self.rule], dtype=np.int64)

    def order(self) -> np.ndarray:
        """Positions in attribution order: pair (red/farm, red/dev, farm/dev), then patch order."""
        rank = np.array([self.rules[r].pair_rank for r in self.rule], dtype=np.int64)
        return np.lexsort((np.arange(len(self)), rank))


@dataclass
class Settlement:
    """Lines after one choice per overlap, and what each overlap's choice gave up.

    ``given_up_geoms`` are **exclusive**: the ground a line gives up in this adjustment and in no
    earlier one (attribution order: :meth:`Overlaps.order`).  ``lines_after[t]`` has the same pieces
    as the input line (geometry possibly empty).
    """

    choice: np.ndarray
    gives_up: np.ndarray
    given_up_geoms: np.ndarray
    given_up_area: np.ndarray
    given_up_area_ellipsoidal: np.ndarray
    buhua_area: np.ndarray
    buhua_net: np.ndarray
    lines_after: dict[str, np.ndarray]
    area_after: dict[str, np.ndarray]
    area_ellipsoidal_after: dict[str, np.ndarray]
    statistics: list[dict]
    totals: dict
    repaired_after: int = 0


@dataclass
class ReconcileResult:
    """Everything a reconciliation run found and proposed (nothing is written by the engine)."""

    lines: dict[str, LineData]
    overlaps: Overlaps
    proposed: Settlement
    statistics: list[dict]
    unit_names: np.ndarray
    problems: list[str]
    reports: dict[str, dict]
    timings: dict[str, float]
    crs_wkt: str | None
    specks: dict[str, tuple[int, float]]
    rules_run: list[LineRule]
    rules_skipped: list[tuple[LineRule, str]]


# ---------------------------------------------------------------------------------------------- helpers


def _to_working(table: FeatureTable, crs_wkt: str | None, what: str, problems: list[str]) -> FeatureTable:
    """The table in the working CRS (reprojected and reported when it is in another one)."""
    if not crs_wkt or not len(table):
        return table
    if not table.crs_wkt:
        raise LineError(
            tr("{what} has no coordinate reference system; assign one in QGIS first.").format(what=what)
        )
    if same_crs(table.crs_wkt, crs_wkt):
        if table.crs_wkt == crs_wkt:
            return table
        return FeatureTable(
            table.geoms, table.fids, table.columns, table.field_types, crs_wkt, table.name, table.notes
        )
    geoms = reproject(table.geoms, table.crs_wkt, crs_wkt)
    src = to_crs(table.crs_wkt)
    problems.append(
        tr("{what} was reprojected from {src} to the working CRS").format(
            what=what, src=f"EPSG:{src.to_epsg()}" if src.to_epsg() else src.name
        )
    )
    return FeatureTable(geoms, table.fids, table.columns, table.field_types, crs_wkt, table.name, table.notes)


def _check_polygons(table: FeatureTable, what: str) -> None:
    """A layer of points or lines is refused with a clear error (a control line is an area)."""
    geoms = np.asarray(table.geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    if not present.any():
        return
    types = shapely.get_type_id(geoms[present])
    if not np.isin(types, (3, 6, 7)).any():
        kinds = sorted({shapely.GeometryType(int(t)).name.title() for t in np.unique(types)})
        raise LineError(
            tr("{what} holds {kinds}, not polygons: a control line must be a polygon layer.").format(
                what=what, kinds=", ".join(kinds)
            )
        )


def _column_text(table: FeatureTable, column: str | None) -> np.ndarray | None:
    if not column:
        return None
    try:
        return _text(table.column(column), len(table))
    except KeyError:
        raise LineError(
            tr("Field {field} not found in {layer}").format(field=column, layer=table.name or "?")
        ) from None


def _labels(names: np.ndarray | None, fids: np.ndarray) -> np.ndarray:
    fallback = np.array([f"#{int(f)}" for f in fids], dtype=object)
    if names is None:
        return fallback
    return np.where(np.equal(names, None), fallback, names)


def _kcxs(layer: LineLayer, problems: list[str]) -> np.ndarray | None:
    t = layer.table
    col = layer.kcxs_column
    if col is None:
        if layer.line_type != "farmland" or not t.has_column("KCXS"):
            return None
        col = "KCXS"
    try:
        raw = np.asarray(t.column(col), dtype=object)
    except KeyError:
        raise LineError(
            tr("Field {field} not found in {layer}").format(field=col, layer=t.name or "?")
        ) from None
    vals = np.full(len(raw), np.nan)
    present = ~np.equal(raw, None)
    if present.any():
        try:
            vals[present] = np.asarray(raw[present], dtype=np.float64)
        except (TypeError, ValueError):
            vals[present] = [_float_or_nan(v) for v in raw[present].tolist()]
    bad = ~np.isnan(vals) & ((vals < 0) | (vals >= 1))
    if bad.any():
        problems.append(
            tr(
                "{n} farmland features have a deduction coefficient {field} outside [0, 1); "
                "their net area is taken as the full area. Feature ids: {ids}"
            ).format(n=int(bad.sum()), field=col, ids=fid_list(t.fids[bad]))
        )
        vals[bad] = np.nan
    missing = np.isnan(vals) & ~bad
    if missing.any():
        problems.append(
            tr("{n} farmland features have no {field}; their net area is the full area.").format(
                n=int(missing.sum()), field=col
            )
        )
    return vals


def _float_or_nan(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _union_region(
    table: FeatureTable | None, name: str, runner: Runner, max_vertices: int, problems: list[str]
):
    """A cleaned, tiled region (district, streets, core zones) and its cleaning report."""
    if table is None or not len(table):
        return None, None
    _check_polygons(table, name)
    cov = ov.clean_coverage(table.geoms, table.fids, name, Runner(1, runner.is_cancelled), find_gaps=False)
    _report_cleaning(cov.report, name, problems)
    return cov, TiledRegion(cov.geoms, runner, max_vertices)


def _report_cleaning(rep: ov.CleanReport, what: str, problems: list[str]) -> None:
    if rep.null_fids:
        problems.append(
            tr("{what}: {n} features without geometry left out: {ids}").format(
                what=what, n=len(rep.null_fids), ids=fid_list(rep.null_fids)
            )
        )
    if rep.non_polygon_fids:
        problems.append(
            tr("{what}: {n} features that are not polygons left out: {ids}").format(
                what=what, n=len(rep.non_polygon_fids), ids=fid_list(rep.non_polygon_fids)
            )
        )
    if rep.repaired_fids:
        problems.append(
            tr("{what}: {n} invalid geometries repaired (make_valid): {ids}").format(
                what=what, n=len(rep.repaired_fids), ids=fid_list(rep.repaired_fids)
            )
        )
    if rep.emptied_fids:
        problems.append(
            tr("{what}: {n} features had no area left after repair: {ids}").format(
                what=what, n=len(rep.emptied_fids), ids=fid_list(rep.emptied_fids)
            )
        )
    if rep.n_overlaps:
        pairs = [f"{int(a)}/{int(b)}" for a, b in zip(rep.overlap_keep_fids, rep.overlap_cut_fids)]
        problems.append(
            tr(
                "{what}: {n} overlaps between its own features ({area:.2f} m²) dissolved — the ground is "
                "counted once, the lowest fid keeps it (fid pairs {pairs})"
            ).format(what=what, n=rep.n_overlaps, area=float(rep.overlap_areas.sum()), pairs=fid_list(pairs))
        )
    if rep.swallowed_fids:
        problems.append(
            tr("{what}: {n} features lie wholly inside lower-fid features: {ids}").format(
                what=what, n=len(rep.swallowed_fids), ids=fid_list(rep.swallowed_fids)
            )
        )


def _street_unit(owner: np.ndarray, unit_map: np.ndarray | None) -> np.ndarray:
    """Street feature index -> street (unit) index; −1 stays −1."""
    if unit_map is None or not len(owner):
        return np.asarray(owner, dtype=np.intp)
    return np.where(owner >= 0, unit_map[np.maximum(owner, 0)], -1).astype(np.intp)


def _group_pieces(geoms: np.ndarray, key: np.ndarray, runner: Runner):
    """One geometry per key: the parts of one feature in one street, rejoined.

    Splitting by street explodes a feature into its parts; most keys have one part and pass through.
    Parts of one clip are disjoint, so they are simply collected into a multipolygon; where a street
    was tiled, parts of two tiles share the cut edge, the multipolygon is invalid and a (checked)
    coverage union joins them instead.
    """
    n = len(geoms)
    if not n:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    order = np.argsort(key, kind="stable")
    ks = key[order]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    sizes = np.diff(np.r_[starts, n])
    out = geoms[order[starts]].copy()
    multi = np.flatnonzero(sizes > 1)
    if not len(multi):
        return out, ks[starts]
    group = np.repeat(np.arange(len(starts)), sizes)
    sel = np.isin(group, multi)
    parts, pidx = ov.explode_polygons(geoms[order][sel])
    owner = group[sel][pidx]
    collected = shapely.multipolygons(parts, indices=np.searchsorted(multi, owner))
    out[multi] = collected
    bad = multi[~shapely.is_valid(collected)]
    area = shapely.area(geoms)
    for k in bad:  # parts of a tiled street share cut edges: join them
        runner.check()
        members = geoms[order[starts[k] : starts[k] + sizes[k]]]
        want = float(area[order[starts[k] : starts[k] + sizes[k]]].sum())
        try:
            u = shapely.coverage_union_all(members)
        except shapely.errors.GEOSException:
            u = None
        if u is None or not u.is_valid or abs(u.area - want) > 1e-8 * max(want, 1.0):
            u = shapely.union_all(members)
        out[k] = u
    return out, ks[starts]


def _join_labels(
    patch: np.ndarray, labels: np.ndarray, weights: np.ndarray, n: int, limit: int
) -> np.ndarray:
    """Per patch: distinct labels, largest weight first, at most ``limit`` then '… (+k)'."""
    out = np.full(n, None, dtype=object)
    if not len(patch):
        return out
    lab = np.asarray(labels, dtype=object).astype(str)
    ul, li = np.unique(lab, return_inverse=True)
    key = patch.astype(np.int64) * len(ul) + li
    uk, kinv = np.unique(key, return_inverse=True)
    w = np.bincount(kinv, weights=weights, minlength=len(uk))
    kp, kl = uk // len(ul), uk % len(ul)
    order = np.lexsort((-w, kp))
    kp, kl = kp[order], kl[order]
    starts = np.flatnonzero(np.r_[True, kp[1:] != kp[:-1]])
    ends = np.r_[starts[1:], len(kp)]
    single = (ends - starts) == 1
    out[kp[starts[single]]] = ul[kl[starts[single]]]
    for s, e in zip(starts[~single].tolist(), ends[~single].tolist()):  # patches with several features
        names = ul[kl[s:e]].tolist()
        text = ", ".join(names[:limit])
        if len(names) > limit:
            text += f" … (+{len(names) - limit})"
        out[kp[s]] = text
    return out


# ---------------------------------------------------------------------------------------------- lines


def _prepare_line(
    layer: LineLayer,
    crs_wkt: str | None,
    district: TiledRegion | None,
    units: TiledRegion | None,
    unit_map: np.ndarray | None,
    runner: Runner,
    problems: list[str],
) -> LineData:
    line_type = LINE_ALIASES.get(layer.line_type.lower()) if layer.line_type else None
    if line_type is None:
        raise LineError(
            tr("Unknown control line '{line}' (expected {lines})").format(
                line=layer.line_type, lines=", ".join(LINE_TYPES)
            )
        )
    what = tr("Control line {line} ({layer})").format(
        line=line_type, layer=layer.layer or layer.table.name or "?"
    )
    _check_polygons(layer.table, what)
    table = _to_working(layer.table, crs_wkt, what, problems)
    names = _column_text(table, layer.name_column)
    if names is None and layer.name_column is None:
        auto = next((c for c in NAME_FIELDS if table.has_column(c)), None)
        names = _column_text(table, auto)
    labels = _labels(names, table.fids)
    kcxs = _kcxs(layer, problems) if line_type == "farmland" or layer.kcxs_column else None
    cov = ov.clean_coverage(
        table.geoms, table.fids, line_type, Runner(1, runner.is_cancelled), find_gaps=False
    )
    rep = cov.report
    _report_cleaning(rep, what, problems)
    report = dict(rep.summary())
    report["layer"] = layer.layer or table.name
    geoms, feat = cov.geoms, np.arange(len(cov))
    dirty = cov.modified if cov.modified is not None else np.zeros(len(cov), dtype=bool)
    if district is not None and len(geoms):
        pcs = ov.intersect_pieces(geoms, district, runner)
        kept = np.unique(pcs.src)
        outside = len(geoms) - len(kept)
        if outside:
            report["outside_district"] = int(outside)
            problems.append(
                tr("{what}: {n} features lie outside the district and are left out").format(
                    what=what, n=outside
                )
            )
        geoms, feat = pcs.geoms, pcs.src
    split = ov.split_by_units(geoms, units, runner)
    feat = feat[split.src]
    geoms, key_unit = split.geoms, _street_unit(split.owner, unit_map)
    n_unit = (int(unit_map.max(initial=-1)) + 1 if unit_map is not None else 0) + 1
    key = feat.astype(np.int64) * n_unit + (key_unit + 1)
    geoms, gkey = _group_pieces(geoms, key, runner)
    feat = (gkey // n_unit).astype(np.intp)
    unit = (gkey % n_unit - 1).astype(np.intp)
    rows = cov.rows[feat]
    area = shapely.area(geoms)
    data = LineData(
        line_type=line_type,
        layer=layer.layer or table.name,
        geoms=geoms,
        unit=unit,
        fids=np.asarray(table.fids)[rows],
        names=labels[rows],
        kcxs=None if kcxs is None else kcxs[rows],
        dirty=dirty[feat],
        area=area,
        area_ellipsoidal=ellipsoidal_area(geoms, crs_wkt)
        if (crs_wkt and len(geoms))
        else np.full(len(geoms), np.nan),
        report=report,
    )
    report["pieces"] = len(data)
    report["area"] = float(area.sum())
    return data


# ---------------------------------------------------------------------------------------------- overlaps


def _pair_pieces(P: LineData, Q: LineData, runner: Runner, max_vertices: int):
    """Overlap pieces of two lines: (geoms, index into P, index into Q).

    The side with more pieces is cut against the other, tiled; big pieces on the cutting side are
    tiled too, so no call ever clips two 10⁴-vertex polygons against each other.
    """
    swap = len(P) < len(Q)
    A, B = (Q, P) if swap else (P, Q)
    if not len(A) or not len(B):
        z = np.zeros(0, dtype=np.intp)
        return np.zeros(0, dtype=object), z, z
    tiles, towner = ov.subdivide(A.geoms, max_vertices, runner)
    region = TiledRegion(B.geoms, runner, max_vertices)
    pcs = ov.intersect_pieces(tiles, region, runner)
    ia, ib = towner[pcs.src], pcs.owner
    return (pcs.geoms, ib, ia) if swap else (pcs.geoms, ia, ib)


def _core_region(
    plans: Sequence[PlanInput],
    rules: list[LineRule],
    params: ReconcileParams,
    runner: Runner,
    problems: list[str],
    crs_wkt: str | None,
    tables,
):
    """Per rule with a core condition: the eco plan's matching zones, dissolved and tiled.

    None for every such rule when no eco plan is given.

    Overlaps between eco zones do not matter here (only *whether* ground is inside a core zone), so
    the zones are repaired and unioned rather than cleaned feature by feature.
    """
    eco = next((p for p in plans if p.kind == "eco"), None)
    out: dict[int, TiledRegion | None] = {}
    labels: dict[str, str] = {}
    if eco is None:
        for k, r in enumerate(rules):
            if r.core_zones is not None:
                out[k] = None
        return out, labels
    what = tr("Eco plan {layer}").format(layer=eco.layer or eco.table.name or eco.role)
    table = _to_working(eco.table, crs_wkt, what, problems)
    _check_polygons(table, what)
    n = len(table)
    cols = {
        "mp_code": _text(table.column("mp_code"), n),
        "mp_name": _text(table.column("mp_name"), n)
        if table.has_column("mp_name")
        else np.full(n, None, object),
        "mp_src_code": _text(table.column("mp_src_code"), n),
        "construction": np.full(n, -1, dtype=np.int64),
    }
    cache: dict[str, TiledRegion] = {}
    for k, r in enumerate(rules):
        if r.core_zones is None:  # only rules with a core condition; the parameter replaces its class set
            continue
        cs = parse_class_set(params.core_zones) if params.core_zones else r.core_zones
        if cs.expr not in cache:
            sel = np.flatnonzero(cs.mask(cols, tables) & ~shapely.is_missing(table.geoms))
            geoms, rep = repair_polygons(
                np.asarray(table.geoms, dtype=object)[sel], np.asarray(table.fids)[sel]
            )
            if rep.repaired:
                problems.append(
                    tr("{what}: {n} invalid zones repaired (make_valid): {ids}").format(
                        what=what, n=rep.repaired, ids=fid_list(rep.invalid_fids)
                    )
                )
            polys, _ = ov.explode_polygons(geoms)
            union = shapely.union_all(polys) if len(polys) else None
            zones = (
                np.array([union], dtype=object)
                if union is not None and not union.is_empty
                else np.zeros(0, object)
            )
            cache[cs.expr] = TiledRegion(zones, runner, params.max_tile_vertices)
            names = sorted(
                {str(c) for c in cols["mp_name"][sel].tolist() if c}
                or {str(c) for c in cols["mp_code"][sel].tolist() if c}
            )
            labels[cs.expr] = ",".join(names)
            if not len(sel):
                problems.append(
                    tr("The eco plan has no zone matching {expr}: no core-zone proposals").format(
                        expr=cs.expr
                    )
                )
        out[k] = cache[cs.expr]
    return out, labels


def _find_overlaps(
    lines: dict[str, LineData],
    rules: list[LineRule],
    cores: dict,
    core_labels,
    params: ReconcileParams,
    runner: Runner,
    clock: StageClock,
    crs_wkt: str | None,
    problems: list[str],
):
    geoms_l, rule_l, core_l, unit_l, ia_l, ib_l, dirty_l = [], [], [], [], [], [], []
    mismatched = 0
    for k, rule in enumerate(rules):
        P, Q = lines[rule.protected], lines[rule.intruder]
        g, ia, ib = _pair_pieces(P, Q, runner, params.max_tile_vertices)
        unit = P.unit[ia]
        off = unit != Q.unit[ib]
        if off.any():  # rounding crumbs along a street edge are expected; real pieces are not
            mismatched += int((shapely.area(g[off]) > params.sliver.speck_area).sum())
        core = np.zeros(len(g), dtype=bool)
        region = cores.get(k)
        if region is not None and len(g) and len(region):
            inside = ov.intersect_pieces(g, region, runner)
            outside = ov.outside_pieces(g, region, runner)
            src = np.concatenate([inside.src, outside.src])
            g = np.concatenate([inside.geoms, outside.geoms])
            core = np.r_[np.ones(len(inside), bool), np.zeros(len(outside), bool)]
            ia, ib, unit = ia[src], ib[src], unit[src]
        geoms_l.append(g)
        rule_l.append(np.full(len(g), k, dtype=np.intp))
        core_l.append(core)
        unit_l.append(unit)
        ia_l.append(ia)
        ib_l.append(ib)
        dirty_l.append(P.dirty[ia] | Q.dirty[ib])
        clock(0.35 + 0.25 * (k + 1) / max(len(rules), 1), tr("Overlaps {kind}").format(kind=rule.kind))
    if mismatched:
        problems.append(
            tr(
                "{n} overlap pieces larger than {speck} m² lie in different streets on the two lines "
                "(streets given as overlapping or misfitting polygons?); the protected line's street "
                "is used"
            ).format(n=mismatched, speck=params.sliver.speck_area)
        )
    cat = lambda parts, dt: np.concatenate(parts) if parts else np.zeros(0, dtype=dt)  # noqa: E731
    geoms = cat(geoms_l, object)
    rule_i, core, unit = cat(rule_l, np.intp), cat(core_l, bool), cat(unit_l, np.intp)
    ia, ib, dirty = cat(ia_l, np.intp), cat(ib_l, np.intp), cat(dirty_l, bool)
    clock.stage("overlaps")
    # maximal connected patches per pair, core condition and street
    n_u = int(max(unit.max(initial=-1), -1)) + 2
    key = (rule_i.astype(np.int64) * 2 + core) * n_u + (unit + 1)
    asm = ov.assemble(geoms, key, runner, dirty)
    pg = asm.geoms
    pkey = asm.group
    p_rule = (pkey // n_u // 2).astype(np.intp)
    p_core = ((pkey // n_u) % 2).astype(bool)
    p_unit = (pkey % n_u - 1).astype(np.intp)
    clock.stage("assemble")
    area = shapely.area(pg)
    sl = classify(pg, params.sliver, areas=area)
    keep = ~sl.is_speck
    specks: dict[str, tuple[int, float]] = {}
    for k, rule in enumerate(rules):
        m = (p_rule == k) & ~keep
        specks[rule.kind] = (int(m.sum()), float(area[m].sum()))
    new_of_old = np.full(len(pg), -1, dtype=np.intp)
    new_of_old[np.flatnonzero(keep)] = np.arange(int(keep.sum()))
    piece_patch = new_of_old[asm.piece_patch] if len(asm.piece_patch) else np.zeros(0, np.intp)
    pg, p_rule, p_core, p_unit, area = pg[keep], p_rule[keep], p_core[keep], p_unit[keep], area[keep]
    n = len(pg)
    proposal = np.empty(n, dtype=object)
    for k, rule in enumerate(rules):
        sel = p_rule == k
        base = params.proposals.get(rule.kind, rule.proposal)
        core_p = params.core_proposals.get(rule.kind, rule.core_proposal or base)
        proposal[sel & ~p_core] = base
        proposal[sel & p_core] = core_p
    for v in set(proposal.tolist()) - set(PROPOSALS) - {None}:
        raise LineError(
            tr("Unknown proposal '{value}' (expected {values})").format(value=v, values=", ".join(PROPOSALS))
        )
    # names of the features of each line in each patch (largest share first)
    ok = piece_patch >= 0
    piece_area = shapely.area(geoms)
    names_p = np.full(n, None, dtype=object)
    names_i = np.full(n, None, dtype=object)
    for k, rule in enumerate(rules):
        sel = ok & (rule_i == k)
        if not sel.any():
            continue
        pp = piece_patch[sel]
        np_ = _join_labels(pp, lines[rule.protected].names[ia[sel]], piece_area[sel], n, params.name_limit)
        ni_ = _join_labels(pp, lines[rule.intruder].names[ib[sel]], piece_area[sel], n, params.name_limit)
        m = p_rule == k
        names_p[m], names_i[m] = np_[m], ni_[m]
    core_label = np.array(
        [
            core_labels.get(_core_expr(rules[r], params)) or "core" if c else None
            for r, c in zip(p_rule.tolist(), p_core.tolist())
        ],
        dtype=object,
    )
    code_key = np.array(
        [
            f"{rules[r].protected}|{rules[r].intruder}" + (f"|eco={lab}" if lab else "")
            for r, lab in zip(p_rule.tolist(), core_label.tolist())
        ],
        dtype=object,
    )
    kinds = np.array([rules[r].kind for r in p_rule], dtype=object)
    area_e = ellipsoidal_area(pg, crs_wkt) if (crs_wkt and n) else np.full(n, np.nan)
    ovl = Overlaps(
        geoms=pg,
        rule=p_rule,
        rules=rules,
        core=p_core,
        unit=p_unit,
        area_planar=area,
        area_ellipsoidal=area_e,
        is_sliver=sl.is_sliver[keep],
        sliver_reason=sl.reason[keep],
        proposal=proposal,
        names_protected=names_p,
        names_intruder=names_i,
        fingerprint=fingerprint(kinds, code_key, pg),
        code_key=code_key,
        core_label=core_label,
    )
    clock.stage("measure")
    return ovl, specks


def _core_expr(rule: LineRule, params: ReconcileParams) -> str | None:
    if rule.core_zones is None:
        return None
    if params.core_zones:
        return parse_class_set(params.core_zones).expr
    return rule.core_zones.expr if rule.core_zones is not None else None


# ---------------------------------------------------------------------------------------------- settling


def _interior_pairs(a: np.ndarray, b: np.ndarray, runner: Runner, tree=None) -> tuple[np.ndarray, np.ndarray]:
    """(i, j): ``a[i]`` and ``b[j]`` share interior (not just a boundary)."""
    if not len(a) or not len(b):
        z = np.zeros(0, dtype=np.intp)
        return z, z
    tree = tree if tree is not None else shapely.STRtree(b)
    i, j = runner.query(tree, a, predicate="intersects")
    if not len(i):
        return i, j
    hit = runner.map(lambda x, y: shapely.relate_pattern(x, y, "2********"), a[i], b[j])
    return i[hit], j[hit]


def _cut(
    geoms: np.ndarray, who: np.ndarray, cutters: np.ndarray, runner: Runner, big: int = 2000
) -> np.ndarray:
    """``geoms[i] − union(cutters of i)``: rounds of vectorised differences; a big polygon with many
    cutters is cut once by their union instead of once per cutter."""
    out = geoms.copy()
    if not len(who):
        return out
    count = np.bincount(who, minlength=len(geoms))
    heavy = (count > 8) & (shapely.get_num_coordinates(geoms) > big)
    light = ~heavy[who]
    out = ov._subtract_rounds(out, who[light], cutters[light], runner)
    for i in np.flatnonzero(heavy):  # a few big pieces (a dissolved boundary), each cut once
        runner.check()
        out[i] = shapely.difference(out[i], shapely.union_all(cutters[who == i]))
    return ov._polygonal(out)


def settle(
    lines: dict[str, LineData],
    overlaps: Overlaps,
    choice: np.ndarray,
    *,
    unit_names: np.ndarray,
    crs_wkt: str | None,
    runner: Runner | None = None,
) -> Settlement:
    """Apply one choice per overlap (``retain``/``withdraw``/``deduct``/``pending``) to the lines.

    See the module docstring: the ground a line gives up is attributed to exactly one adjustment.
    """
    own_runner = runner is None
    runner = runner or Runner()
    try:
        return _settle(lines, overlaps, np.asarray(choice, dtype=object), unit_names, crs_wkt, runner)
    finally:
        if own_runner:
            runner.close()


def _settle(lines, overlaps: Overlaps, choice, unit_names, crs_wkt, runner: Runner) -> Settlement:
    n = len(overlaps)
    bad = set(choice.tolist()) - set(PROPOSALS) - {PENDING}
    if bad:
        raise LineError(tr("Unknown choice(s) {values}").format(values=", ".join(sorted(map(str, bad)))))
    gives_up = np.array(
        [overlaps.rules[r].loser(c) for r, c in zip(overlaps.rule.tolist(), choice.tolist())], dtype=object
    )
    given = np.full(n, None, dtype=object)
    order = overlaps.order()
    for lt in LINE_TYPES:
        idx = order[gives_up[order] == lt]  # in attribution order
        if not len(idx):
            continue
        g = overlaps.geoms[idx]
        i, j = _interior_pairs(g, g, runner)
        earlier = j < i  # positions in attribution order: j came first
        given[idx] = ov._polygonal(ov._subtract_rounds(g, i[earlier], g[j[earlier]], runner))
    has = ~np.equal(given, None)
    given_area = np.zeros(n)
    given_area[has] = shapely.area(given[has])
    given_e = np.zeros(n)
    if crs_wkt and has.any():
        given_e[has] = ellipsoidal_area(given[has], crs_wkt)
    # lines after: each piece minus the ground its line gives up
    after, area_after, area_e_after = {}, {}, {}
    repaired = 0
    buhua = np.zeros(n)
    buhua_net = np.zeros(n)
    for lt, L in lines.items():
        cut_idx = np.flatnonzero(gives_up == lt)
        geoms = L.geoms.copy()
        changed = np.zeros(len(L), dtype=bool)
        if len(cut_idx) and len(L):
            pi, cj = _interior_pairs(L.geoms, overlaps.geoms[cut_idx], runner)
            if len(pi):
                geoms = _cut(L.geoms, pi, overlaps.geoms[cut_idx][cj], runner)
                changed[pi] = True
                invalid = changed & ~shapely.is_valid(geoms)
                if invalid.any():
                    geoms[invalid] = ov._polygonal(shapely.make_valid(geoms[invalid]))
                    repaired += int(invalid.sum())
            if lt == "farmland":
                buhua[cut_idx] = given_area[cut_idx]
                net = L.net(np.ones(len(L)))
                if net is not None:  # net share (1 − KCXS) of each farmland piece the exclusive ground covers
                    ex = cut_idx[has[cut_idx]]
                    gi, pj = _interior_pairs(given[ex], L.geoms, runner)
                    if len(gi):
                        a = shapely.area(runner.map(shapely.intersection, given[ex][gi], L.geoms[pj]))
                        buhua_net[ex] = np.bincount(gi, weights=a * net[pj], minlength=len(ex))
                else:
                    buhua_net[cut_idx] = given_area[cut_idx]
        a_after = L.area.copy()
        a_after[changed] = shapely.area(geoms[changed])
        e_after = L.area_ellipsoidal.copy()
        if crs_wkt and changed.any():
            e_after[changed] = ellipsoidal_area(geoms[changed], crs_wkt)
        after[lt], area_after[lt], area_e_after[lt] = geoms, a_after, e_after
    stats, totals = _settlement_statistics(
        lines,
        overlaps,
        choice,
        gives_up,
        given_area,
        given_e,
        buhua,
        buhua_net,
        area_after,
        area_e_after,
        after,
        unit_names,
    )
    return Settlement(
        choice=choice,
        gives_up=gives_up,
        given_up_geoms=given,
        given_up_area=given_area,
        given_up_area_ellipsoidal=given_e,
        buhua_area=buhua,
        buhua_net=buhua_net,
        lines_after=after,
        area_after=area_after,
        area_ellipsoidal_after=area_e_after,
        statistics=stats,
        totals=totals,
        repaired_after=repaired,
    )


def _unit_groups(unit: np.ndarray, unit_names: np.ndarray) -> list[tuple[int, str | None]]:
    """(-2, None) for the district, then each street present, then 'outside' when present."""
    out: list[tuple[int, str | None]] = [(-2, None)]
    present = set(np.unique(unit).tolist()) if len(unit) else set()
    out += [(u, str(unit_names[u])) for u in range(len(unit_names)) if u in present]
    if -1 in present and len(unit_names):
        out.append((-1, tr("(outside every street)")))
    return out


def _row(**kw) -> dict:
    row = {name: None for name, _ in STAT_FIELDS}
    row.update(kw)
    return row


def _settlement_statistics(
    lines,
    overlaps: Overlaps,
    choice,
    gives_up,
    given_area,
    given_e,
    buhua,
    buhua_net,
    area_after,
    area_e_after,
    after,
    unit_names,
):
    rows: list[dict] = []
    totals: dict = {"lines": {}, "kinds": {}}
    for lt, L in lines.items():
        net_b = L.net(L.area)
        net_a = L.net(area_after[lt])
        nonempty = area_after[lt] > 0
        lost = np.asarray(gives_up == lt)
        for u, uname in _unit_groups(L.unit, unit_names):
            m = np.ones(len(L), bool) if u == -2 else (L.unit == u)
            om = lost if u == -2 else (lost & (overlaps.unit == u))
            rows.append(
                _row(
                    section="line",
                    item=lt,
                    other=LINE_TITLES[lt],
                    unit=uname,
                    count=len(np.unique(L.fids[m])),
                    count_after=len(np.unique(L.fids[m & nonempty])),
                    area=float(L.area[m].sum()),
                    area_after=float(area_after[lt][m].sum()),
                    area_ellipsoidal=float(np.nansum(L.area_ellipsoidal[m])),
                    area_ellipsoidal_after=float(np.nansum(area_e_after[lt][m])),
                    net_area=None if net_b is None else float(net_b[m].sum()),
                    net_area_after=None if net_a is None else float(net_a[m].sum()),
                    given_up=float(given_area[om].sum()),
                    buhua=float(buhua[om].sum()) if lt == "farmland" else None,
                    buhua_net=float(buhua_net[om].sum()) if lt == "farmland" else None,
                )
            )
        totals["lines"][lt] = {
            "features": int(len(np.unique(L.fids))),
            "pieces": len(L),
            "area_before": float(L.area.sum()),
            "area_after": float(area_after[lt].sum()),
            "area_ellipsoidal_before": float(np.nansum(L.area_ellipsoidal)),
            "area_ellipsoidal_after": float(np.nansum(area_e_after[lt])),
            "given_up": float(given_area[lost].sum()),
            "net_before": None if net_b is None else float(net_b.sum()),
            "net_after": None if net_a is None else float(net_a.sum()),
        }
    kinds = overlaps.kind
    for k, rule in enumerate(overlaps.rules):
        mk = overlaps.rule == k
        for u, uname in _unit_groups(overlaps.unit[mk], unit_names):
            m = mk if u == -2 else (mk & (overlaps.unit == u))
            ch = choice[m]
            rows.append(
                _row(
                    section="overlap",
                    item=rule.kind,
                    other=f"{rule.protected}|{rule.intruder}",
                    unit=uname,
                    count=int(m.sum()),
                    area=float(overlaps.area_planar[m].sum()),
                    area_ellipsoidal=float(np.nansum(overlaps.area_ellipsoidal[m])),
                    given_up=float(given_area[m].sum()),
                    retained=float(overlaps.area_planar[m][ch == "retain"].sum()),
                    pending=float(overlaps.area_planar[m][ch == PENDING].sum()),
                    buhua=float(buhua[m].sum()),
                    buhua_net=float(buhua_net[m].sum()),
                    note="; ".join(
                        f"{c}: {int((ch == c).sum())}" for c in (*PROPOSALS, PENDING) if (ch == c).any()
                    ),
                )
            )
        m = kinds == rule.kind
        totals["kinds"][rule.kind] = {
            "count": int(m.sum()),
            "area": float(overlaps.area_planar[m].sum()),
            "given_up": float(given_area[m].sum()),
            "buhua": float(buhua[m].sum()),
            "retained": float(overlaps.area_planar[m & (choice == "retain")].sum()),
            "pending": float(overlaps.area_planar[m & (choice == PENDING)].sum()),
            "choices": {c: int((m & (choice == c)).sum()) for c in (*PROPOSALS, PENDING)},
        }
    rows.append(
        _row(
            section="buhua",
            item="farmland",
            other=LINE_TITLES["farmland"],
            buhua=float(buhua.sum()),
            buhua_net=float(buhua_net.sum()),
            count=int((buhua > 0).sum()),
        )
    )
    totals["buhua"] = float(buhua.sum())
    totals["buhua_net"] = float(buhua_net.sum())
    totals["pending"] = float(overlaps.area_planar[choice == PENDING].sum())
    totals["retained"] = float(overlaps.area_planar[choice == "retain"].sum())
    return rows, totals


# ---------------------------------------------------------------------------------------------- reconcile


def reconcile(
    lines: Sequence[LineLayer],
    *,
    plans: Sequence[PlanInput] = (),
    streets: FeatureTable | None = None,
    district: FeatureTable | None = None,
    rules: list[LineRule] | None = None,
    params: ReconcileParams | None = None,
    progress: Callable[[float, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    tables=None,
) -> ReconcileResult:
    """Find the overlaps between the control lines, propose an adjustment for each, settle the proposals.

    ``lines``: up to one :class:`LineLayer` per line type (empty layers are reported and skipped);
    ``plans``: harmonised plans (DESIGN.md Contract 1) — the one with ``kind="eco"`` supplies the
    core zones, every plan gets coverage statistics against the lines; ``streets``: units
    (``params.unit_column`` names them); ``district``: compare only inside its union.  Inputs in
    another CRS than ``params.crs`` are reprojected (reported).  Raises :class:`LineError` for bad
    input and :class:`Cancelled` when ``is_cancelled()`` turns true.
    """
    params = params or ReconcileParams()
    params.sliver.validate()
    all_rules = rules if rules is not None else load_line_rules()
    runner = Runner(params.threads, is_cancelled)
    clock = StageClock(progress, runner)
    try:
        return _reconcile(lines, plans, streets, district, all_rules, params, clock, runner, tables)
    finally:
        runner.close()


def _reconcile(
    layers,
    plans,
    streets,
    district,
    all_rules,
    params: ReconcileParams,
    clock: StageClock,
    runner: Runner,
    tables,
):
    problems: list[str] = []
    crs_wkt = params.crs
    seen: dict[str, LineLayer] = {}
    for layer in layers:
        lt = LINE_ALIASES.get((layer.line_type or "").lower())
        if lt is None:
            raise LineError(
                tr("Unknown control line '{line}' (expected {lines})").format(
                    line=layer.line_type, lines=", ".join(LINE_TYPES)
                )
            )
        if lt in seen:
            raise LineError(tr("Each control line may be given once; repeated: {line}").format(line=lt))
        if not len(layer.table):
            problems.append(
                tr("Control line {line} ({layer}) is empty: left out").format(
                    line=lt, layer=layer.layer or layer.table.name or "?"
                )
            )
            continue
        seen[lt] = layer
    if not seen:
        raise LineError(tr("No control line to reconcile: give at least one non-empty line layer"))
    for p in plans:
        missing = [c for c in HARMONISED_REQUIRED if not p.table.has_column(c)]
        if missing and p.kind != "projects":
            raise NotHarmonisedError(
                tr(
                    "Plan '{role}' ({layer}) is not harmonised (no {fields}): run "
                    "multiplan:harmonisecodes (Harmonise land-use codes) on it first"
                ).format(role=p.role, layer=p.layer or p.table.name, fields=", ".join(missing))
            )
    if crs_wkt is None:
        crs_wkt = next((x.table.crs_wkt for x in seen.values() if x.table.crs_wkt), None)
    if crs_wkt and to_crs(crs_wkt).is_geographic:
        raise LineError(
            tr("The working CRS must be projected (metres), not geographic: choose one or let it be chosen")
        )
    if tables is None and any(r.core_zones is not None for r in all_rules):
        try:
            from .codes import CodeTables

            tables = CodeTables.load()
        except ImportError:  # pragma: no cover
            tables = None

    clock(0.0, tr("Preparing the district and streets"))
    dist_table = (
        _to_working(district, crs_wkt, tr("District layer"), problems) if district is not None else None
    )
    _dcov, dist_region = _union_region(
        dist_table, tr("District layer"), runner, params.max_tile_vertices, problems
    )
    street_table = (
        _to_working(streets, crs_wkt, tr("Street layer"), problems) if streets is not None else None
    )
    scov, units = _union_region(street_table, tr("Street layer"), runner, params.max_tile_vertices, problems)
    unit_map = None
    if scov is not None:
        if params.unit_column:
            try:
                names = _text(street_table.column(params.unit_column)[scov.rows], len(scov))
            except KeyError:
                raise LineError(
                    tr("Field {field} not found in the street layer").format(field=params.unit_column)
                ) from None
            names = np.where(np.equal(names, None), "", names).astype(str)
        else:
            names = np.array([str(int(f)) for f in scov.fids])
        # street features sharing a name are one street (a street in several polygons)
        uniq, first, inv = np.unique(names, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # streets in their layer order
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        unit_names = uniq[order].astype(object)
        unit_map = rank[inv.ravel()]
    else:
        unit_names = np.zeros(0, dtype=object)
    clock.stage("prepare")

    lines: dict[str, LineData] = {}
    for k, lt in enumerate([t for t in LINE_TYPES if t in seen]):
        clock(0.05 + 0.3 * k / len(seen), tr("Cleaning {line}").format(line=lt))
        data = _prepare_line(seen[lt], crs_wkt, dist_region, units, unit_map, runner, problems)
        if not len(data):
            problems.append(
                tr("Control line {line} has no area left (inside the district): left out").format(line=lt)
            )
            continue
        lines[lt] = data
    clock.stage("clean")
    if not lines:
        raise LineError(tr("No control line has any area to reconcile"))

    enabled = [r for r in all_rules if r.enabled]
    rules_run = [r for r in enabled if r.protected in lines and r.intruder in lines]
    skipped = [
        (
            r,
            tr("line(s) not given: {names}").format(
                names=", ".join(x for x in (r.protected, r.intruder) if x not in lines)
            ),
        )
        for r in enabled
        if r not in rules_run
    ]
    if len(lines) < 2:
        problems.append(tr("Only one control line given: there is nothing to overlap, statistics only"))
    cores, core_labels = _core_region(plans, rules_run, params, runner, problems, crs_wkt, tables)
    for k, region in cores.items():
        if region is None and rules_run[k].core_zones is not None:
            problems.append(
                tr("No eco plan given: {kind} is proposed as {proposal} everywhere (no core zones)").format(
                    kind=rules_run[k].kind,
                    proposal=params.proposals.get(rules_run[k].kind, rules_run[k].proposal),
                )
            )
    overlaps, specks = _find_overlaps(
        lines, rules_run, cores, core_labels or {}, params, runner, clock, crs_wkt, problems
    )
    for kind, (cnt, area) in specks.items():
        if cnt:
            problems.append(
                tr(
                    "{kind}: {n} overlaps of at most {speck} m² ({area:.4f} m² together) are rounding "
                    "specks, not queued"
                ).format(kind=kind, n=cnt, speck=params.sliver.speck_area, area=area)
            )

    clock(0.7, tr("Settling the proposals"))
    proposed = _settle(lines, overlaps, overlaps.proposal.copy(), unit_names, crs_wkt, runner)
    clock.stage("settle")
    stats = list(proposed.statistics)
    for lt, L in lines.items():
        rep = L.report
        if rep.get("overlaps"):
            stats.append(
                _row(
                    section="self_overlap",
                    item=lt,
                    count=int(rep["overlaps"]),
                    area=float(rep["overlap_area"]),
                    note=tr("overlaps between features of one line, counted once"),
                )
            )
    if plans:
        clock(0.85, tr("Plan coverage of the lines"))
        stats += _plan_coverage(
            plans, lines, dist_region, units, unit_map, unit_names, crs_wkt, params, runner, problems
        )
        clock.stage("plan_coverage")
    clock(1.0, tr("{n} overlaps").format(n=len(overlaps)))
    return ReconcileResult(
        lines=lines,
        overlaps=overlaps,
        proposed=proposed,
        statistics=stats,
        unit_names=unit_names,
        problems=problems,
        reports={lt: L.report for lt, L in lines.items()},
        timings=clock.timings,
        crs_wkt=crs_wkt,
        specks=specks,
        rules_run=rules_run,
        rules_skipped=skipped,
    )


def _plan_coverage(
    plans,
    lines,
    dist_region,
    units,
    unit_map,
    unit_names,
    crs_wkt,
    params: ReconcileParams,
    runner: Runner,
    problems,
):
    """Per plan, line and street: plan area, plan inside the line, line without plan, plan outside the line.

    Coverage, not conflict: which classes may lie where is detection's business.
    """
    rows = []
    for p in plans:
        if p.kind != "landuse":  # zone plans (the eco plan's control levels) carry no land use to cover
            continue
        what = tr("Plan '{role}'").format(role=p.role)
        table = _to_working(p.table, crs_wkt, what, problems)
        _check_polygons(table, what)
        cov = ov.clean_coverage(
            table.geoms, table.fids, p.role, Runner(1, runner.is_cancelled), find_gaps=False
        )
        _report_cleaning(cov.report, what, problems)
        geoms = cov.geoms
        if dist_region is not None:
            geoms = ov.intersect_pieces(geoms, dist_region, runner).geoms
        split = ov.split_by_units(geoms, units, runner)
        owner = _street_unit(split.owner, unit_map)
        p_area = np.bincount(owner + 1, weights=shapely.area(split.geoms), minlength=len(unit_names) + 1)
        for lt, L in lines.items():
            region = TiledRegion(L.geoms, runner, params.max_tile_vertices)
            pcs = ov.intersect_pieces(split.geoms, region, runner)
            in_area = np.bincount(
                L.unit[pcs.owner] + 1, weights=shapely.area(pcs.geoms), minlength=len(unit_names) + 1
            )
            l_area = np.bincount(L.unit + 1, weights=L.area, minlength=len(unit_names) + 1)
            for u, uname in _unit_groups(np.r_[L.unit, owner], unit_names):
                if u == -2:
                    pa, ia, la = p_area.sum(), in_area.sum(), l_area.sum()
                else:
                    pa, ia, la = p_area[u + 1], in_area[u + 1], l_area[u + 1]
                rows.append(
                    _row(
                        section="plan_coverage",
                        item=p.role,
                        other=lt,
                        unit=uname,
                        area=float(pa),
                        inside=float(ia),
                        outside=float(pa - ia),
                        uncovered=float(la - ia),
                        note=tr(
                            "area: the plan; inside / outside: the plan inside / outside the line; "
                            "uncovered: the line without the plan"
                        ),
                    )
                )
    return rows


# ---------------------------------------------------------------------------------------------- tables


def overlaps_table(
    result_or_overlaps, settlement: Settlement | None = None, *, unit_names=None, patch_ids=None, crs_wkt=None
) -> FeatureTable:
    """The overlap patches as a FeatureTable (the OVERLAPS output and the ``patches`` rows)."""
    if isinstance(result_or_overlaps, ReconcileResult):
        o, s = result_or_overlaps.overlaps, settlement or result_or_overlaps.proposed
        unit_names = result_or_overlaps.unit_names if unit_names is None else unit_names
        crs_wkt = crs_wkt or result_or_overlaps.crs_wkt
    else:
        o, s = result_or_overlaps, settlement
    n = len(o)
    units = _unit_text(o.unit, unit_names)
    cols = {
        "patch_id": np.asarray(patch_ids, dtype=object)
        if patch_ids is not None
        else np.full(n, None, dtype=object),
        "kind": o.kind,
        "severity": o.severity,
        "unit": units,
        "codes": o.code_key,
        "line_protected": o.protected,
        "line_intruder": o.intruder,
        "core": o.core.astype(np.int64),
        "area_planar": o.area_planar,
        "area_ellipsoidal": o.area_ellipsoidal,
        "is_sliver": o.is_sliver.astype(np.int64),
        "sliver_reason": o.sliver_reason,
        "fingerprint": o.fingerprint,
        "proposal": o.proposal,
        "features_protected": o.names_protected,
        "features_intruder": o.names_intruder,
    }
    if s is not None:
        cols["gives_up"] = s.gives_up
        cols["given_up_area"] = s.given_up_area
        cols["buhua_area"] = s.buhua_area
        cols["buhua_net"] = s.buhua_net
    types = {k: _kind_of(v) for k, v in cols.items()}
    return FeatureTable(o.geoms, np.arange(n), cols, types, crs_wkt, "line_overlaps")


def adjustments_table(
    overlaps: Overlaps, settlement: Settlement, *, unit_names, patch_ids=None, crs_wkt=None, proposal=None
) -> FeatureTable:
    """One ``line_adjustments`` row per overlap (the ADJUSTMENTS output and the blueprint layer).

    Geometry: the ground the line gives up in this adjustment (exclusive); for 保留/pending, the
    overlap ground both lines keep.  ``line_type`` is the line that gives the ground up (for 保留 the
    one that would under 退出), ``other_line`` the line it overlaps.
    """
    o, s = overlaps, settlement
    n = len(o)
    ids = (
        np.asarray(patch_ids, dtype=object)
        if patch_ids is not None
        else np.array([f"#{i + 1}" for i in range(n)], dtype=object)
    )
    prot, intr = o.protected, o.intruder
    loser = np.where(np.equal(s.gives_up, None), intr, s.gives_up)
    other = np.where(loser == intr, prot, intr)
    geoms = np.where(np.equal(s.given_up_geoms, None), o.geoms, s.given_up_geoms)
    rule_text = []
    for r, c, ch in zip(o.rule.tolist(), o.core.tolist(), s.choice.tolist()):
        rule = o.rules[r]
        where = tr("inside the eco plan's core zones") if c else tr("outside the core zones")
        rule_text.append(
            f"{rule.kind}: {rule.name_zh} — {ch} ({where})"
            if rule.core_zones is not None
            else f"{rule.kind}: {rule.name_zh} — {ch}"
        )
    cols = {
        "adjustment_id": ids,
        "patch_id": ids,
        "kind": o.kind,
        "line_type": loser,
        "other_line": other,
        "proposal": np.asarray(proposal if proposal is not None else o.proposal, dtype=object),
        "choice": s.choice,
        "gives_up": s.gives_up,
        "rule": np.array(rule_text, dtype=object),
        "unit": _unit_text(o.unit, unit_names),
        "line_protected": prot,
        "line_intruder": intr,
        "core": o.core.astype(np.int64),
        "area_planar": o.area_planar,
        "area_ellipsoidal": o.area_ellipsoidal,
        "given_up_area": s.given_up_area,
        "given_up_area_ellipsoidal": s.given_up_area_ellipsoidal,
        "buhua_area": s.buhua_area,
        "buhua_net": s.buhua_net,
    }
    types = {k: _kind_of(v) for k, v in cols.items()}
    return FeatureTable(geoms, np.arange(n), cols, types, crs_wkt, "line_adjustments")


def control_lines_table(
    lines: dict[str, LineData],
    settlement: Settlement | None,
    *,
    unit_names,
    crs_wkt=None,
    keep_empty: bool = False,
) -> FeatureTable:
    """The lines as ``control_lines`` rows: before (``settlement`` None) or after a settlement."""
    parts = []
    for lt in LINE_TYPES:
        if lt not in lines:
            continue
        L = lines[lt]
        if settlement is None:
            g, a, e = L.geoms, L.area, L.area_ellipsoidal
        else:
            g, a, e = (
                settlement.lines_after[lt],
                settlement.area_after[lt],
                settlement.area_ellipsoidal_after[lt],
            )
        keep = np.ones(len(L), bool) if keep_empty else (a > 0)
        parts.append((lt, L, g[keep], a[keep], e[keep], keep))
    cols: dict[str, list] = {
        k: []
        for k in (
            "line_type",
            "name",
            "unit",
            "area_planar",
            "area_ellipsoidal",
            "src_fid",
            "kcxs",
            "net_area",
            "layer",
        )
    }
    geoms = []
    for lt, L, g, a, e, keep in parts:
        m = int(keep.sum())
        geoms.append(g)
        cols["line_type"].append(np.full(m, lt, dtype=object))
        cols["name"].append(L.names[keep])
        cols["unit"].append(_unit_text(L.unit[keep], unit_names))
        cols["area_planar"].append(a)
        cols["area_ellipsoidal"].append(e)
        cols["src_fid"].append(L.fids[keep].astype(np.int64))
        k = L.kcxs[keep] if L.kcxs is not None else np.full(m, np.nan)
        kc = np.array([None if np.isnan(x) else float(x) for x in k.tolist()], dtype=object)
        cols["kcxs"].append(kc)
        net = a * (1.0 - np.where(np.isnan(k), 0.0, k)) if L.kcxs is not None else None
        cols["net_area"].append(net.astype(object) if net is not None else np.full(m, None, dtype=object))
        cols["layer"].append(np.full(m, L.layer, dtype=object))
    n = int(sum(len(g) for g in geoms))
    out = {k: (np.concatenate(v) if v else np.zeros(0, dtype=object)) for k, v in cols.items()}
    out["net_area"] = np.array(
        [None if v is None else float(v) for v in out["net_area"].tolist()], dtype=object
    )
    types = {
        "line_type": "text",
        "name": "text",
        "unit": "text",
        "area_planar": "real",
        "area_ellipsoidal": "real",
        "src_fid": "int",
        "kcxs": "real",
        "net_area": "real",
        "layer": "text",
    }
    g = np.concatenate(geoms) if geoms else np.zeros(0, dtype=object)
    return FeatureTable(g, np.arange(n), out, types, crs_wkt, "control_lines")


def statistics_table(rows: list[dict]) -> FeatureTable:
    """Statistics rows as an attribute table with the fixed columns :data:`STAT_FIELDS`."""
    n = len(rows)
    cols = {}
    for name, _kind in STAT_FIELDS:
        vals = [r.get(name) for r in rows]
        cols[name] = np.array(vals, dtype=object)
    return FeatureTable(
        np.full(n, None, dtype=object), np.arange(n), cols, dict(STAT_FIELDS), None, "statistics"
    )


def _unit_text(unit: np.ndarray, unit_names) -> np.ndarray:
    out = np.full(len(unit), None, dtype=object)
    if unit_names is not None and len(unit_names):
        ok = unit >= 0
        out[ok] = np.asarray(unit_names, dtype=object)[unit[ok]]
    return out


def _kind_of(values) -> str:
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return "int"
    if arr.dtype.kind == "f":
        return "real"
    return "text"


# ---------------------------------------------------------------------------------------------- blueprint

LINE_KIND_WHERE = "kind LIKE 'LINE\\_%' ESCAPE '\\'"
DETECTION_LINE_GROUPS = ("redline", "eco", "farmland", "boundary")


def _line_patch_number(pid) -> int | None:
    m = re.fullmatch(r"L(\d+)", str(pid))
    return int(m.group(1)) if m else None


def patch_plans_rows(
    overlaps: Overlaps, patch_ids, lines: dict[str, LineData], eco_layer: str | None = None
) -> dict:
    """``patch_plans`` rows naming the lines of each ``LINE_*`` patch and the eco zone of a core proposal."""
    cols: dict[str, list] = {
        k: []
        for k in (
            "patch_id",
            "role",
            "layer",
            "src_standard",
            "src_code",
            "src_name",
            "mp_code",
            "mp_name",
            "line_role",
        )
    }
    ids = np.asarray(patch_ids, dtype=object)
    for which, types, names in (
        ("protected", overlaps.protected, overlaps.names_protected),
        ("intruder", overlaps.intruder, overlaps.names_intruder),
    ):
        cols["patch_id"].append(ids)
        cols["role"].append(types)
        cols["layer"].append(
            np.array([lines[t].layer if t in lines else None for t in types.tolist()], dtype=object)
        )
        cols["src_standard"].append(np.full(len(ids), None, dtype=object))
        cols["src_code"].append(names)
        cols["src_name"].append(np.array([LINE_TITLES.get(t, t) for t in types.tolist()], dtype=object))
        cols["mp_code"].append(np.full(len(ids), None, dtype=object))
        cols["mp_name"].append(np.full(len(ids), None, dtype=object))
        cols["line_role"].append(np.full(len(ids), which, dtype=object))
    core = np.flatnonzero(overlaps.core)
    if len(core):
        lab = overlaps.core_label[core]
        cols["patch_id"].append(ids[core])
        cols["role"].append(np.full(len(core), "eco", dtype=object))
        cols["layer"].append(np.full(len(core), eco_layer, dtype=object))
        cols["src_standard"].append(np.full(len(core), "STHX", dtype=object))
        cols["src_code"].append(lab)
        cols["src_name"].append(lab)
        cols["mp_code"].append(np.full(len(core), None, dtype=object))
        cols["mp_name"].append(lab)
        cols["line_role"].append(np.full(len(core), "condition", dtype=object))
    out = {k: np.concatenate(v) if v else np.zeros(0, dtype=object) for k, v in cols.items()}
    order = np.argsort(out["patch_id"].astype(str), kind="stable")
    return {k: v[order] for k, v in out.items()}


def write_reconciliation(
    store,
    result: ReconcileResult,
    *,
    inputs=None,
    parameters=None,
    cancel: Callable[[], bool] | None = None,
    eco_layer: str | None = None,
    extra_stats: list[dict] | None = None,
) -> dict:
    """Write a reconciliation run into a blueprint, in ONE transaction.

    ``LINE_*`` patches keep their ids across runs by DESIGN.md's identity rules (only ``LINE_*``
    patches are matched or closed here: detection's patches are never touched); new ones get ``L`` +
    six digits, never reusing a number.  Returns ``{"run_id", "patch_ids", "counts", ...}``.
    """
    o = result.overlaps
    old = store.read_layer(
        "patches",
        columns=["patch_id", "kind", "codes", "fingerprint", "closed_run_id"],
        where=LINE_KIND_WHERE,
    )
    ids_all = np.asarray(old.columns.get("patch_id", np.zeros(0, object)), dtype=object)
    nums = [x for x in (_line_patch_number(i) for i in ids_all.tolist()) if x is not None]
    next_number = (max(nums) + 1) if nums else 1
    is_open = np.equal(np.asarray(old.columns.get("closed_run_id", np.zeros(0, object)), dtype=object), None)
    old_set = PatchSet(
        np.asarray(old.columns.get("kind", np.zeros(0, object)), dtype=object)[is_open],
        np.asarray(old.columns.get("codes", np.zeros(0, object)), dtype=object)[is_open],
        np.asarray(old.geoms, dtype=object)[is_open],
        np.asarray(old.columns.get("fingerprint", np.zeros(0, object)), dtype=object)[is_open],
        ids_all[is_open],
    )
    m = match(
        old_set, PatchSet(o.kind, o.code_key, o.geoms, o.fingerprint), id_prefix="L", next_number=next_number
    )
    patch_ids = m.ids
    patches = overlaps_table(
        o, None, unit_names=result.unit_names, patch_ids=patch_ids, crs_wkt=result.crs_wkt
    )
    patches.columns["predecessors"] = m.predecessors
    patches.field_types["predecessors"] = "text"
    plans = patch_plans_rows(o, patch_ids, result.lines, eco_layer)
    adjustments = adjustments_table(
        o, result.proposed, unit_names=result.unit_names, patch_ids=patch_ids, crs_wkt=result.crs_wkt
    )
    before = control_lines_table(result.lines, None, unit_names=result.unit_names, crs_wkt=result.crs_wkt)
    proposed = control_lines_table(
        result.lines, result.proposed, unit_names=result.unit_names, crs_wkt=result.crs_wkt
    )
    stats = {
        "totals": result.proposed.totals,
        "counts": dict(m.counts),
        "specks": result.specks,
        "statistics": result.statistics + list(extra_stats or []),
        "problems": result.problems,
    }
    run_id = store.begin_run("reconcile", inputs, parameters)
    t0 = time.perf_counter()
    with store.run_writer(run_id, cancel=cancel) as w:
        written = {"inserted": 0, "updated": 0, "plan_rows": 0}
        if len(o):
            written = w.write_patches(patches, plans)
        closed = w.close_patches(m.closed_ids.tolist()) if len(m.closed_ids) else 0
        flagged_ids = [str(i) for i in patch_ids[m.flagged]]
        if flagged_ids:
            preds = {str(i): list(p) for i, p, f in zip(patch_ids, m.predecessors, m.flagged) if f and p}
            w.flag_reconfirm(
                flagged_ids,
                reason=tr("control-line overlap changed since the last reconciliation"),
                predecessors=preds,
            )
        if len(o):
            w.write_line_adjustments(adjustments)
        w.write_control_lines(before, "input")
        w.write_control_lines(proposed, "proposed")
        timings = dict(result.timings)
        timings["write"] = time.perf_counter() - t0
        w.finish(timings=timings, stats=_jsonable(stats))
    return {
        "run_id": run_id,
        "patch_ids": patch_ids,
        "counts": dict(m.counts),
        "closed": int(closed),
        "flagged": len(flagged_ids),
        "written": written,
        "control_lines": {"input": len(before), "proposed": len(proposed)},
    }


def _jsonable(value):
    """Numbers and arrays made plain for the run's JSON columns."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@dataclass
class StoreSettlement:
    """The lines a blueprint's current decisions produce (see :func:`settle_from_store`)."""

    settlement: Settlement
    lines: dict[str, LineData]
    overlaps: Overlaps
    patch_ids: np.ndarray
    proposal: np.ndarray
    source: np.ndarray  # per patch: decision, exception, technical_error, proposal (undecided), pending
    decision_ids: np.ndarray
    unit_names: np.ndarray
    crs_wkt: str | None
    undecided: int

    @property
    def buhua(self) -> float:
        return float(self.settlement.totals["buhua"])


def _column(t: FeatureTable, name: str, default=None) -> np.ndarray:
    if name in t.columns:
        return np.asarray(t.columns[name], dtype=object)
    return np.full(len(t), default, dtype=object)


def settle_from_store(
    store,
    *,
    undecided: str = "proposal",
    threads: int | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> StoreSettlement:
    """The final lines from a blueprint's input ``control_lines``, ``LINE_*`` patches and decisions.

    A patch's choice: the current ``adjust_line`` decision's target (``retain``/``withdraw``/
    ``deduct``); an approved ``exception`` keeps both lines (``retain``); a ``technical_error``
    follows the proposal.  Undecided patches (no decision, ``defer``, another action, or "changed,
    re-confirm") follow ``undecided``: ``proposal`` (the proposal), ``pending`` (both lines keep the
    ground, reported) or ``stop`` (:class:`LineError` naming them).  Nothing is written.
    """
    if undecided not in UNDECIDED_POLICIES:
        raise ValueError(undecided)
    info = store.info()
    crs_wkt = info.crs_wkt
    layers = store.layers()
    if "control_lines" not in layers:
        raise LineError(tr("The blueprint has no control lines: run multiplan:reconcilecontrollines first"))
    cl = store.read_layer("control_lines", where="stage=?", params=["input"])
    if not len(cl):
        raise LineError(
            tr("The blueprint has no input control lines: run multiplan:reconcilecontrollines first")
        )
    pt = store.read_layer(
        "patches", where=LINE_KIND_WHERE + " AND closed_run_id IS NULL", order_by="patch_id"
    )
    adj = store.read_layer("line_adjustments", with_geometry=False) if "line_adjustments" in layers else None
    pids = np.asarray(_column(pt, "patch_id"), dtype=object)
    units_all = [u for u in _column(cl, "unit").tolist() + _column(pt, "unit").tolist() if u is not None]
    unit_names = np.array(sorted(set(map(str, units_all))), dtype=object)
    unit_index = {u: i for i, u in enumerate(unit_names.tolist())}

    def uidx(values) -> np.ndarray:
        return np.array(
            [unit_index.get(str(v), -1) if v is not None else -1 for v in values.tolist()], dtype=np.intp
        )

    lines: dict[str, LineData] = {}
    ltype = _column(cl, "line_type")
    for lt in LINE_TYPES:
        sel = np.flatnonzero(ltype == lt)
        if not len(sel):
            continue
        g = np.asarray(cl.geoms, dtype=object)[sel]
        kc = _column(cl, "kcxs")[sel]
        kcxs = (
            np.array([np.nan if v is None else float(v) for v in kc.tolist()]) if lt == "farmland" else None
        )
        if kcxs is not None and np.isnan(kcxs).all():
            kcxs = None
        fid_col = _column(cl, "src_fid")[sel]
        area_e = np.array(
            [np.nan if v is None else float(v) for v in _column(cl, "area_ellipsoidal")[sel].tolist()]
        )
        if crs_wkt and np.isnan(area_e).any():
            area_e = ellipsoidal_area(g, crs_wkt)
        layer_col = _column(cl, "layer")[sel]
        lines[lt] = LineData(
            line_type=lt,
            layer=str(layer_col[0]) if len(sel) and layer_col[0] is not None else lt,
            geoms=g,
            unit=uidx(_column(cl, "unit")[sel]),
            fids=np.array([-1 if v is None else int(v) for v in fid_col.tolist()], dtype=np.int64),
            names=_column(cl, "name")[sel],
            kcxs=kcxs,
            dirty=np.zeros(len(sel), dtype=bool),
            area=shapely.area(g),
            area_ellipsoidal=area_e,
        )
    # adjustments: the pair and the proposal of each open patch
    by_pid: dict[str, int] = {}
    if adj is not None and len(adj):
        for i, p in enumerate(_column(adj, "patch_id").tolist()):
            by_pid[str(p)] = i
    default_rules = {r.kind: r for r in load_line_rules()}
    kinds = _column(pt, "kind")
    rules: list[LineRule] = []
    rule_of: dict[tuple, int] = {}
    n = len(pt)
    rule_idx = np.zeros(n, dtype=np.intp)
    proposal = np.empty(n, dtype=object)
    core = np.zeros(n, dtype=bool)
    for i in range(n):  # one row per LINE_* patch: a few thousand at most
        kind = str(kinds[i])
        a = by_pid.get(str(pids[i]))
        base = default_rules.get(kind)
        prot = (_column(adj, "line_protected")[a] if a is not None else None) or (
            base.protected if base else None
        )
        intr = (_column(adj, "line_intruder")[a] if a is not None else None) or (
            base.intruder if base else None
        )
        if prot not in LINE_TYPES or intr not in LINE_TYPES:
            raise LineError(
                tr("Patch {pid} ({kind}): cannot tell which lines it concerns").format(pid=pids[i], kind=kind)
            )
        proposal[i] = (_column(adj, "proposal")[a] if a is not None else None) or (
            base.proposal if base else "retain"
        )
        core[i] = (
            bool(_column(adj, "core")[a]) if a is not None and _column(adj, "core")[a] is not None else False
        )
        key = (kind, prot, intr)
        if key not in rule_of:
            rule_of[key] = len(rules)
            rules.append(
                base
                if (base and (base.protected, base.intruder) == (prot, intr))
                else LineRule(
                    kind, kind, kind, int(_column(pt, "severity")[i] or 0), 60, prot, intr, proposal[i]
                )
            )
        rule_idx[i] = rule_of[key]
    overlap_area_e = np.array([float(v or 0) for v in _column(pt, "area_ellipsoidal").tolist()])
    overlaps = Overlaps(
        geoms=np.asarray(pt.geoms, dtype=object),
        rule=rule_idx,
        rules=rules,
        core=core,
        unit=uidx(_column(pt, "unit")),
        area_planar=shapely.area(np.asarray(pt.geoms, dtype=object)),
        area_ellipsoidal=overlap_area_e,
        is_sliver=np.array([bool(v) for v in _column(pt, "is_sliver").tolist()], dtype=bool),
        sliver_reason=_column(pt, "sliver_reason"),
        proposal=proposal,
        names_protected=np.full(n, None, dtype=object),
        names_intruder=np.full(n, None, dtype=object),
        fingerprint=_column(pt, "fingerprint"),
        code_key=_column(pt, "codes"),
        core_label=np.full(n, None, dtype=object),
    )
    # the decisions
    current = store.current_decisions()
    reconfirm = np.array([bool(v) for v in _column(pt, "reconfirm", 0).tolist()], dtype=bool)
    choice = np.empty(n, dtype=object)
    source = np.empty(n, dtype=object)
    decision_ids = np.full(n, None, dtype=object)
    for i, pid in enumerate(pids.tolist()):
        rec = current.get(str(pid))
        action = rec.action if rec is not None else None
        if rec is not None:
            decision_ids[i] = rec.decision_id
        if reconfirm[i] or action is None or action == "defer":
            choice[i], source[i] = None, "undecided"
        elif action == "adjust_line" and rec.target in PROPOSALS:
            choice[i], source[i] = rec.target, "decision"
        elif action == "exception":
            choice[i], source[i] = "retain", "exception"
        elif action == "technical_error":
            choice[i], source[i] = proposal[i], "technical_error"
        else:
            choice[i], source[i] = None, "undecided"
    open_ = np.equal(choice, None)
    n_undecided = int(open_.sum())
    if n_undecided and undecided == "stop":
        raise LineError(
            tr(
                "{n} control-line overlaps are undecided (e.g. {ids}); decide them or choose to "
                "follow the proposals or keep them pending"
            ).format(n=n_undecided, ids=fid_list(pids[open_].tolist(), limit=10))
        )
    if undecided == "proposal":
        choice[open_], source[open_] = proposal[open_], "proposal"
    else:
        choice[open_], source[open_] = PENDING, "pending"
    runner = Runner(threads, is_cancelled)
    try:
        s = _settle(lines, overlaps, choice, unit_names, crs_wkt, runner)
    finally:
        runner.close()
    return StoreSettlement(
        s, lines, overlaps, pids, proposal, source, decision_ids, unit_names, crs_wkt, n_undecided
    )


def write_final_lines(writer, ss: StoreSettlement) -> dict:
    """Inside a caller's run (e.g. ``applydecisions``): ``control_lines`` stage ``final`` and the decided
    ``line_adjustments`` (columns ``choice``, ``decision_id``, ``decision_source``)."""
    final = control_lines_table(ss.lines, ss.settlement, unit_names=ss.unit_names, crs_wkt=ss.crs_wkt)
    n_lines = writer.write_control_lines(final, "final")
    n_adj = 0
    if len(ss.overlaps):
        adj = adjustments_table(
            ss.overlaps,
            ss.settlement,
            unit_names=ss.unit_names,
            patch_ids=ss.patch_ids,
            crs_wkt=ss.crs_wkt,
            proposal=ss.proposal,
        )
        adj.columns["decision_id"] = ss.decision_ids
        adj.columns["decision_source"] = ss.source
        adj.field_types.update({"decision_id": "text", "decision_source": "text"})
        n_adj = writer.write_line_adjustments(adj)
    return {"final_lines": n_lines, "adjustments": n_adj}


def apply_line_decisions(
    store,
    *,
    undecided: str = "proposal",
    write: bool = True,
    threads: int | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> StoreSettlement:
    """Turn the blueprint's current line decisions into FINAL lines and the 补划 deficit.

    With ``write`` the final lines go into the blueprint in one run of kind ``apply_lines``
    (``control_lines`` stage ``final``, ``line_adjustments`` updated); the run's ``stats`` hold the
    totals (per line before/after, 补划 gross and net, pending and retained area).
    """
    ss = settle_from_store(store, undecided=undecided, threads=threads, is_cancelled=is_cancelled)
    if write:
        run_id = store.begin_run("apply_lines", parameters={"undecided": undecided})
        with store.run_writer(run_id, cancel=is_cancelled) as w:
            counts = write_final_lines(w, ss)
            w.finish(
                stats=_jsonable(
                    {
                        "totals": ss.settlement.totals,
                        "written": counts,
                        "undecided": ss.undecided,
                        "statistics": ss.settlement.statistics,
                    }
                )
            )
    return ss


def summarise_detection(store, *, per_unit: bool = True) -> list[dict]:
    """Detection's land-use-versus-line patches already in the blueprint, summarised (not recomputed).

    Kinds whose rule compares with a control line or the eco plan's zones (groups ``redline``,
    ``eco``, ``farmland``, ``boundary`` of the detection rule table): count, area, slivers, decided.
    """
    from .rules import load_rules

    try:
        ruleset = load_rules()
    except Exception:  # noqa: BLE001 - a broken default table must not break reconciliation
        return []
    wanted = {r.kind: r for r in ruleset.rules if r.group in DETECTION_LINE_GROUPS or r.b_is_line}
    if not wanted or "patches" not in store.layers():
        return []
    t = store.patches(
        kind=list(wanted),
        with_geometry=False,
        columns=["kind", "unit", "area_planar", "area_ellipsoidal", "is_sliver", "decided"],
    )
    if not len(t):
        return []
    kind = _column(t, "kind").astype(str)
    unit = _column(t, "unit")
    area = np.array([float(v or 0) for v in _column(t, "area_planar").tolist()])
    area_e = np.array(
        [float(v) if v is not None else np.nan for v in _column(t, "area_ellipsoidal").tolist()]
    )
    sliver = np.array([bool(v) for v in _column(t, "is_sliver").tolist()])
    decided = np.array([bool(v) for v in _column(t, "decided").tolist()])
    rows = []
    for k in [k for k in wanted if (kind == k).any()]:
        mk = kind == k
        groups = [(None, mk)]
        if per_unit:
            groups += [(u, mk & (unit == u)) for u in sorted({x for x in unit[mk].tolist() if x is not None})]
        for u, m in groups:
            rows.append(
                _row(
                    section="detection",
                    item=k,
                    other=wanted[k].name_zh,
                    unit=u,
                    count=int(m.sum()),
                    area=float(area[m].sum()),
                    area_ellipsoidal=float(np.nansum(area_e[m])),
                    note=tr("{d} decided, {s} slivers ({a:.1f} m²)").format(
                        d=int((m & decided).sum()), s=int((m & sliver).sum()), a=float(area[m & sliver].sum())
                    ),
                )
            )
    return rows
