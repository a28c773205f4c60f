"""Project siting check (选址/合规性审查, 协同审批): projects against the blueprint and the lines.

Why: after the blueprint is approved, every construction project must be checked against it before
approval (保障重点建设项目落地).  A planner wants, per project, how much of its footprint lies on
construction and on non-construction land of the blueprint, on ground still pending, in the ecological
red line, on permanent farmland and outside the urban development boundary, which difference patches
it touches — and a verdict with the rules that produced it.

* Footprints are polygons, or points with an area field drawn as discs of **exactly** that area
  (a 128-gon whose radius is scaled so the polygon's area equals the stated one).
* Measures are areas of intersection, computed pairwise with an STRtree and one vectorised
  ``shapely.intersection`` call; the blueprint and each line are first made overlap-free (the lowest
  id keeps the ground, ``overlay.clean_coverage``), so no ground is counted twice.
* Verdicts come from a rule table (``data/rules/siting_rules.csv``, editable, like detection's):
  ``rule, verdict, measure, threshold, project_types, name_zh, name_en, enabled, source``.  A rule fires
  when its measure is *more than* its threshold (``tolerance`` = the tolerance parameter, default 1 m²;
  a number of m²; or ``N%`` of the project's area).  ``project_types`` is ``*`` or values of the
  project's type field separated by ``|`` (``!`` first excludes them).  The verdict is the most severe
  one fired — 不符合 › 需调整 › 合规 — and the rules that produced it are listed.

Measures: ``construction``, ``non_construction``, ``pending``, ``unknown_flag`` (final blueprint ground
whose flag is unknown), ``outside_blueprint``, ``redline``, ``farmland``, ``outside_boundary``,
``in_boundary``.  A measure that cannot be computed (no development boundary given) skips its rules,
and the result says so.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from . import overlay as ov
from .i18n import tr
from .report import Column, ReportTable, _col, _table, _text, construction_flags, to_working
from .rules import read_table_text
from .table import FeatureTable

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_SITING_RULES = DATA_DIR / "rules" / "siting_rules.csv"
RULE_COLUMNS = (
    "rule",
    "verdict",
    "measure",
    "threshold",
    "project_types",
    "name_zh",
    "name_en",
    "enabled",
    "source",
)
COMPLIANT, ADJUST, FAIL = "合规", "需调整", "不符合"
VERDICTS = (COMPLIANT, ADJUST, FAIL)
VERDICT_EN = {COMPLIANT: "compliant", ADJUST: "needs adjustment", FAIL: "non-compliant"}
_VERDICT_ALIASES = {
    "不符合": FAIL,
    "fail": FAIL,
    "non-compliant": FAIL,
    "noncompliant": FAIL,
    "需调整": ADJUST,
    "adjust": ADJUST,
    "needs adjustment": ADJUST,
    "合规": COMPLIANT,
    "compliant": COMPLIANT,
    "pass": COMPLIANT,
}
MEASURES = (
    "construction",
    "non_construction",
    "pending",
    "unknown_flag",
    "outside_blueprint",
    "redline",
    "farmland",
    "outside_boundary",
    "in_boundary",
)
LINE_OF_MEASURE = {
    "redline": "eco_redline",
    "farmland": "farmland",
    "outside_boundary": "dev_boundary",
    "in_boundary": "dev_boundary",
}
DISC_SEGMENTS = 128
_RULE_OK = re.compile(r"^[A-Za-z0-9_-]+$")


class SitingError(Exception):
    """Input the siting check cannot use; the message says what to do."""


class SitingRuleError(SitingError):
    """A siting rule table has bad rows (every problem listed with its line)."""


@dataclass(frozen=True)
class SitingRule:
    rule: str
    verdict: str
    measure: str
    threshold: str  # "tolerance", a number of m², or "N%"
    types: tuple[str, ...] = ()  # empty = every project
    exclude: bool = False
    name_zh: str = ""
    name_en: str = ""
    enabled: bool = True
    source: str = ""
    line_no: int = 0

    def limit(self, area: np.ndarray, tolerance: float) -> np.ndarray:
        """The threshold per project (m²)."""
        t = self.threshold
        if t == "tolerance":
            return np.full(len(area), float(tolerance))
        if t.endswith("%"):
            return area * float(t[:-1]) / 100.0
        return np.full(len(area), float(t))

    def applies(self, types: np.ndarray, has_types: bool) -> np.ndarray:
        """Which projects the rule applies to (every project when no type field was given)."""
        if not self.types or not has_types:
            return np.ones(len(types), dtype=bool)
        hit = np.isin(
            np.array([("" if v is None else v) for v in types.tolist()], dtype=object), list(self.types)
        )
        return ~hit if self.exclude else hit


def load_siting_rules(path: str | os.PathLike | None = None, *, text: str | None = None) -> list[SitingRule]:
    """Read a siting rule table (UTF-8 CSV; default ``data/rules/siting_rules.csv``); all problems at once."""
    name = str(path or (DEFAULT_SITING_RULES if text is None else "<text>"))
    if text is None:
        text = read_table_text(path or DEFAULT_SITING_RULES, SitingRuleError)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in RULE_COLUMNS if c not in header and c not in ("source", "enabled")]
    if missing:
        raise SitingRuleError(
            tr("Siting rule table {path}: missing column(s) {columns}").format(
                path=name, columns=", ".join(missing)
            )
        )
    rules: list[SitingRule] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()) or row.get("rule", "").startswith("#"):
            continue
        errs: list[str] = []
        rid = row.get("rule", "")
        if not _RULE_OK.match(rid):
            errs.append(tr("rule id {rule!r} must be letters, digits, '_' or '-'").format(rule=rid))
        elif rid in seen:
            errs.append(tr("rule {rule} already defined on line {line}").format(rule=rid, line=seen[rid]))
        else:
            seen[rid] = line
        verdict = _VERDICT_ALIASES.get(
            row.get("verdict", "").lower(), _VERDICT_ALIASES.get(row.get("verdict", ""))
        )
        if verdict is None or verdict == COMPLIANT:
            errs.append(tr("verdict {v!r} must be 不符合 or 需调整").format(v=row.get("verdict", "")))
        measure = row.get("measure", "")
        if measure not in MEASURES:
            errs.append(tr("measure {m!r} must be one of {ms}").format(m=measure, ms=", ".join(MEASURES)))
        threshold = row.get("threshold", "") or "tolerance"
        if threshold != "tolerance":
            try:
                v = float(threshold[:-1] if threshold.endswith("%") else threshold)
                if v < 0:
                    raise ValueError
            except ValueError:
                errs.append(
                    tr(
                        "threshold {t!r} must be 'tolerance', a number of m² or a percentage such as 5%"
                    ).format(t=threshold)
                )
        types_text = row.get("project_types", "") or "*"
        exclude = types_text.startswith("!")
        types = tuple(t.strip() for t in types_text.lstrip("!").split("|") if t.strip() and t.strip() != "*")
        enabled_text = row.get("enabled", "1") or "1"
        if enabled_text not in ("0", "1"):
            errs.append(tr("enabled must be 1 or 0, not {v!r}").format(v=enabled_text))
        for e in errs:
            problems.append(tr("{path}, line {line}: {problem}").format(path=name, line=line, problem=e))
        if errs:
            continue
        rules.append(
            SitingRule(
                rid,
                verdict,
                measure,
                threshold,
                types,
                exclude,
                row.get("name_zh", ""),
                row.get("name_en", ""),
                enabled_text == "1",
                row.get("source", ""),
                line,
            )
        )
    if problems:
        raise SitingRuleError("\n".join(problems))
    if not rules:
        raise SitingRuleError(tr("Siting rule table {path} has no rules").format(path=name))
    return rules


# ---------------------------------------------------------------------------------------------- footprints


def discs(points: np.ndarray, areas: np.ndarray, segments: int = DISC_SEGMENTS) -> np.ndarray:
    """Regular ``segments``-gons centred on the points whose areas equal ``areas`` exactly (m²)."""
    pts = np.asarray(points, dtype=object)
    if not len(pts):
        return np.zeros(0, dtype=object)
    c = shapely.get_coordinates(shapely.centroid(pts))
    polygon_factor = 0.5 * segments * np.sin(2 * np.pi / segments)  # area of the unit-circumradius n-gon
    r = np.sqrt(np.asarray(areas, dtype=float) / polygon_factor)
    theta = np.linspace(0.0, 2 * np.pi, segments, endpoint=False)
    theta = np.r_[theta, 0.0]  # closed ring
    x = c[:, :1] + r[:, None] * np.cos(theta)[None, :]
    y = c[:, 1:2] + r[:, None] * np.sin(theta)[None, :]
    coords = np.stack([x, y], axis=-1).reshape(-1, 2)
    idx = np.repeat(np.arange(len(pts)), segments + 1)
    rings = shapely.linearrings(coords, indices=idx)
    return shapely.polygons(rings)


def _number(value) -> float:
    """An area value as a number; NaN when missing or not a number (e.g. text such as '约400')."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


@dataclass
class Footprints:
    geoms: np.ndarray  # polygons (None where the project could not be drawn)
    from_point: np.ndarray  # bool
    problems: dict[int, str] = field(default_factory=dict)  # row -> why there is no footprint


def footprints(projects: FeatureTable, area_column: str | None) -> Footprints:
    """Polygons as they are (repaired when invalid); points as discs of their stated area."""
    geoms = np.asarray(projects.geoms, dtype=object)
    n = len(geoms)
    out = np.full(n, None, dtype=object)
    from_point = np.zeros(n, dtype=bool)
    problems: dict[int, str] = {}
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = np.where(missing, -1, shapely.get_type_id(geoms))
    for i in np.flatnonzero(missing):
        problems[int(i)] = tr("no geometry")
    poly = np.isin(types, (3, 6)) & ~np.isin(np.arange(n), list(problems))
    if poly.any():
        g = geoms[poly]
        bad = ~shapely.is_valid(g)
        if bad.any():
            from .geometry import polygonal_part

            g = g.copy()
            g[bad] = polygonal_part(shapely.make_valid(g[bad]))
            nothing = shapely.is_empty(g) | (shapely.area(g) <= 0)
            for i in np.flatnonzero(poly)[bad & ~nothing]:
                problems.setdefault(-int(i) - 1, tr("invalid polygon repaired"))
            for i in np.flatnonzero(poly)[nothing]:  # no footprint left: not checked, never 合规
                problems[int(i)] = tr("invalid polygon with no area left after repair")
            g[nothing] = None
        out[poly] = g
    pts = np.flatnonzero(np.isin(types, (0, 4)))
    if len(pts):
        if not area_column:
            for i in pts:
                problems[int(i)] = tr("a point needs an area (name the area field)")
        else:
            a = np.array([_number(v) for v in np.asarray(projects.column(area_column))[pts].tolist()])
            ok = np.isfinite(a) & (a > 0)
            for i in pts[~ok]:
                problems[int(i)] = tr("a point without a positive area in {f}").format(f=area_column)
            if ok.any():
                out[pts[ok]] = discs(geoms[pts[ok]], a[ok])
                from_point[pts[ok]] = True
    other = ~np.isin(types, (-1, 0, 3, 4, 6)) & ~missing
    for i in np.flatnonzero(other):
        problems[int(i)] = tr("a {t} is not a footprint (polygons or points with an area)").format(
            t=shapely.GeometryType(int(types[i])).name.title()
        )
    return Footprints(out, from_point, problems)


# ---------------------------------------------------------------------------------------------- measuring


def _overlap_sums(
    a: np.ndarray, b: np.ndarray, category: np.ndarray, n_cat: int, runner: ov.Runner
) -> np.ndarray:
    """(len(a), n_cat) areas of a[i] ∩ b[j] summed per b's category (b must be overlap-free)."""
    out = np.zeros((len(a), n_cat))
    ok_a = ~shapely.is_missing(a)
    if not ok_a.any() or not len(b):
        return out
    ia = np.flatnonzero(ok_a)
    tree = shapely.STRtree(b)
    q = runner.query(tree, a[ia], predicate="intersects")
    if not q.shape[1]:
        return out
    pa, pb = ia[q[0]], q[1]
    inter = runner.map(shapely.intersection, a[pa], b[pb])
    area = shapely.area(inter)
    np.add.at(out, (pa, category[pb]), area)
    return out


def _clean(
    geoms: np.ndarray, fids: np.ndarray, name: str, runner: ov.Runner
) -> tuple[np.ndarray, np.ndarray]:
    cov = ov.clean_coverage(np.asarray(geoms, dtype=object), np.asarray(fids), name, runner, find_gaps=False)
    return cov.geoms, cov.rows


@dataclass
class SitingResult:
    table: ReportTable
    footprints: np.ndarray
    verdicts: np.ndarray
    measures: dict[str, np.ndarray]
    counts: dict[str, int]
    messages: list[str]
    skipped_rules: list[str]


def check_siting(
    projects: FeatureTable,
    blueprint: FeatureTable,
    *,
    lines: dict[str, FeatureTable] | None = None,
    patches: FeatureTable | None = None,
    rules: list[SitingRule] | None = None,
    tolerance: float = 1.0,
    flag: str = "plan_construction",
    id_column: str | None = None,
    name_column: str | None = None,
    type_column: str | None = None,
    area_column: str | None = None,
    crs_wkt: str | None = None,
    is_cancelled=None,
) -> SitingResult:
    """Check every project footprint (see the module docstring).

    ``lines`` maps ``eco_redline`` / ``farmland`` / ``dev_boundary`` to polygon tables; ``patches`` are
    the open difference patches (``patch_id``, ``kind`` and geometry).  Inputs in another CRS than
    ``crs_wkt`` (the blueprint's) are reprojected and reported.
    """
    if tolerance is None or tolerance < 0:
        raise SitingError(tr("The tolerance must be 0 m² or more."))
    rules = rules if rules is not None else load_siting_rules()
    messages: list[str] = []
    crs_wkt = crs_wkt or blueprint.crs_wkt
    projects = to_working(projects, crs_wkt, tr("The project layer"), messages)
    lines = {k: to_working(v, crs_wkt, k, messages) for k, v in (lines or {}).items() if v is not None}
    if patches is not None:
        patches = to_working(patches, crs_wkt, "patches", messages)
    n = len(projects)
    for c in (id_column, name_column, type_column, area_column):
        if c and _col(projects, c) is None:
            raise SitingError(tr("The project layer has no field {f}.").format(f=c))
    fp = footprints(projects, area_column)
    geoms = fp.geoms
    has_fp = ~shapely.is_missing(geoms)
    if np.isin(shapely.get_type_id(np.asarray(projects.geoms, dtype=object)), (0, 4)).any():
        messages.append(
            tr("{n} point project(s) drawn as discs of their stated area ({f}).").format(
                n=int(fp.from_point.sum()), f=area_column or "-"
            )
        )
    area = np.where(has_fp, shapely.area(np.where(has_fp, geoms, shapely.Polygon())), 0.0)
    runner = ov.Runner(is_cancelled=is_cancelled)
    measures: dict[str, np.ndarray] = {}
    available: set[str] = set()
    try:
        # the blueprint: construction / non-construction / unknown flag (final) and pending
        nb = len(blueprint)
        if nb:
            bg, rows = _clean(blueprint.geoms, blueprint.fids, "blueprint", runner)
            flags = construction_flags(blueprint, flag)[rows]
            status = _text(_col(blueprint, "status"), nb)[rows]
            cat = np.where(flags == 1, 0, np.where(flags == 0, 1, 3))
            cat = np.where(np.array([s == "pending" for s in status.tolist()], dtype=bool), 2, cat)
            sums = _overlap_sums(geoms, bg, cat.astype(np.intp), 4, runner)
        else:
            sums = np.zeros((n, 4))
            messages.append(tr("The blueprint layer is empty: every project lies outside it."))
        for k, m in enumerate(("construction", "non_construction", "pending", "unknown_flag")):
            measures[m] = sums[:, k]
        measures["outside_blueprint"] = np.maximum(area - sums.sum(axis=1), 0.0)
        available.update(("construction", "non_construction", "pending", "unknown_flag", "outside_blueprint"))
        for measure, line in (
            ("redline", "eco_redline"),
            ("farmland", "farmland"),
            ("in_boundary", "dev_boundary"),
        ):
            t = lines.get(line)
            if t is None:
                continue
            lg, _rows = _clean(t.geoms, t.fids, line, runner)
            measures[measure] = _overlap_sums(geoms, lg, np.zeros(len(lg), dtype=np.intp), 1, runner)[:, 0]
            available.add(measure)
        if "in_boundary" in available:
            measures["outside_boundary"] = np.maximum(area - measures["in_boundary"], 0.0)
            available.add("outside_boundary")
        # patches touched
        touched = [[] for _ in range(n)]
        if patches is not None and len(patches):
            pg = np.asarray(patches.geoms, dtype=object)
            ids = _text(_col(patches, "patch_id"), len(patches))
            pk = _text(_col(patches, "kind"), len(patches))
            ok = ~shapely.is_missing(pg)
            pidx = np.flatnonzero(ok)
            ia = np.flatnonzero(has_fp)
            if len(pidx) and len(ia):
                q = runner.query(shapely.STRtree(pg[pidx]), geoms[ia], predicate="intersects")
                a = (
                    shapely.area(runner.map(shapely.intersection, geoms[ia][q[0]], pg[pidx][q[1]]))
                    if q.shape[1]
                    else []
                )
                for i, j, aa in zip(ia[q[0]].tolist(), pidx[q[1]].tolist(), np.asarray(a).tolist()):
                    if aa > 1e-6:
                        touched[i].append((aa, ids[j], pk[j]))
        for t in touched:
            t.sort(key=lambda x: -x[0])
    finally:
        runner.close()
    for m in MEASURES:
        measures.setdefault(m, np.full(n, np.nan))

    # verdicts
    types = _text(_col(projects, type_column), n) if type_column else np.full(n, None, dtype=object)
    has_types = bool(type_column)
    rank = {COMPLIANT: 0, ADJUST: 1, FAIL: 2}
    verdict = np.array([COMPLIANT] * n, dtype=object)
    fired: list[list[SitingRule]] = [[] for _ in range(n)]
    skipped: list[str] = []
    for rule in rules:
        if not rule.enabled:
            continue
        if rule.measure not in available:
            skipped.append(
                tr("Rule {rule} ({name}) skipped: {m} is not known (no {line} given).").format(
                    rule=rule.rule,
                    name=rule.name_zh,
                    m=rule.measure,
                    line=LINE_OF_MEASURE.get(rule.measure, "?"),
                )
            )
            continue
        if rule.types and not has_types:
            messages.append(
                tr(
                    "Rule {rule} is for project types {types}, but no type field was given: applied to every "
                    "project."
                ).format(rule=rule.rule, types="|".join(rule.types))
            )
        hit = rule.applies(types, has_types) & has_fp & (measures[rule.measure] > rule.limit(area, tolerance))
        for i in np.flatnonzero(hit).tolist():
            fired[i].append(rule)
            if rank[rule.verdict] > rank[verdict[i]]:
                verdict[i] = rule.verdict
    verdict = np.where(has_fp, verdict, None)
    decided_by, reasons, also = [], [], []
    for i in range(n):
        if not has_fp[i]:
            decided_by.append(None)
            reasons.append(None)
            also.append(None)
            continue
        win = [r for r in fired[i] if r.verdict == verdict[i]]
        decided_by.append(";".join(r.rule for r in win) or None)
        reasons.append(
            "; ".join(f"{r.name_zh} {measures[r.measure][i]:,.1f} m²" for r in fired[i]) or "无 none"
        )
        also.append(";".join(r.rule for r in fired[i] if r.verdict != verdict[i]) or None)
    notes_col = []
    for i in range(n):
        parts = []
        if i in fp.problems:
            parts.append(fp.problems[i])
        if -i - 1 in fp.problems:
            parts.append(fp.problems[-i - 1])
        if has_fp[i] and area[i] > 0 and measures["outside_blueprint"][i] >= area[i] - max(tolerance, 1e-6):
            parts.append(tr("entirely outside the blueprint: check the district and the layer's CRS"))
        if fp.from_point[i]:
            parts.append(tr("point drawn as a disc of its stated area"))
        notes_col.append("; ".join(parts) or None)
    ids = (
        _text(_col(projects, id_column), n)
        if id_column
        else np.array([str(f) for f in projects.fids], dtype=object)
    )
    names = _text(_col(projects, name_column), n) if name_column else np.full(n, None, dtype=object)
    data = {
        "project_id": ids,
        "project_name": names,
        "project_type": types,
        "area": area,
        "construction": measures["construction"],
        "non_construction": measures["non_construction"],
        "pending": measures["pending"],
        "unknown_flag": measures["unknown_flag"],
        "outside_blueprint": measures["outside_blueprint"],
        "redline": measures["redline"],
        "farmland": measures["farmland"],
        "outside_boundary": measures["outside_boundary"],
        "n_patches": [len(t) for t in touched],
        "patch_ids": [",".join(x[1] for x in t) or None for t in touched],
        "patch_kinds": [",".join(sorted({x[2] for x in t if x[2]})) or None for t in touched],
        "verdict": verdict,
        "verdict_en": [VERDICT_EN.get(v) if v else None for v in verdict.tolist()],
        "decided_by": decided_by,
        "reasons": reasons,
        "also_fired": also,
        "note": notes_col,
    }
    cols = [
        Column("project_id", "项目编号", "project id"),
        Column("project_name", "项目名称", "project name"),
        Column("project_type", "项目类型", "project type"),
        Column("area", "用地面积(m²)", "footprint m²", "real"),
        Column("construction", "占蓝图建设用地(m²)", "on construction land m²", "real"),
        Column("non_construction", "占蓝图非建设用地(m²)", "on non-construction land m²", "real"),
        Column("pending", "占待定用地(m²)", "on pending ground m²", "real"),
        Column("unknown_flag", "属性不明(m²)", "flag unknown m²", "real"),
        Column("outside_blueprint", "蓝图范围外(m²)", "outside the blueprint m²", "real"),
        Column("redline", "占生态保护红线(m²)", "in the red line m²", "real"),
        Column("farmland", "占永久基本农田(m²)", "on permanent farmland m²", "real"),
        Column("outside_boundary", "开发边界外(m²)", "outside the boundary m²", "real"),
        Column("n_patches", "涉及差异图斑数", "patches touched", "int"),
        Column("patch_ids", "涉及差异图斑", "patch ids"),
        Column("patch_kinds", "图斑类型", "patch kinds"),
        Column("verdict", "结论", "verdict"),
        Column("verdict_en", "结论(英文)", "verdict (English)"),
        Column("decided_by", "决定规则", "rules that decided"),
        Column("reasons", "触发情况", "rules fired"),
        Column("also_fired", "其他触发规则", "other rules fired"),
        Column("note", "备注", "note"),
    ]
    counts = {v: int((verdict == v).sum()) for v in VERDICTS}
    counts["unchecked"] = int((~has_fp).sum())
    summary = tr(
        "{n} projects: {ok} 合规, {adj} 需调整, {fail} 不符合, {un} not checked (tolerance {t} m², {flag})."
    ).format(
        n=n,
        ok=counts[COMPLIANT],
        adj=counts[ADJUST],
        fail=counts[FAIL],
        un=counts["unchecked"],
        t=tolerance,
        flag=flag,
    )
    messages.append(summary)
    messages.extend(skipped)
    unchecked = [f"{ids[i]} ({fp.problems[i]})" for i in range(n) if not has_fp[i] and i in fp.problems]
    if unchecked:
        messages.append(tr("Projects not checked: {list}").format(list="; ".join(unchecked[:30])))
    outside = [
        str(ids[i])
        for i in range(n)
        if has_fp[i] and area[i] > 0 and measures["outside_blueprint"][i] >= area[i] - max(tolerance, 1e-6)
    ]
    if outside:
        messages.append(
            tr(
                "{n} project(s) lie entirely outside the blueprint (outside the district, or in a wrong "
                "CRS?): "
                "{list}"
            ).format(n=len(outside), list=", ".join(outside[:30]))
        )
    table = _table(
        "siting",
        "项目选址核查",
        "Project siting check",
        cols,
        data,
        [summary] + skipped,
        {"counts": counts, "tolerance": tolerance, "flag": flag},
    )
    return SitingResult(table, geoms, verdict, measures, counts, messages, skipped)


def lines_from_store(store, stage: str | None = None) -> tuple[dict[str, FeatureTable], str | None]:
    """The blueprint's control lines of one stage (default: the latest of final, proposed, input)."""
    if "control_lines" not in store.layers():
        return {}, None
    t = store.read_layer("control_lines")
    st = _text(_col(t, "stage"), len(t))
    stages = [s for s in ("final", "proposed", "input") if (st == s).any()]
    if stage is None:
        stage = stages[0] if stages else None
    if stage is None:
        return {}, None
    out = {}
    lt = _text(_col(t, "line_type"), len(t))
    for line in ("eco_redline", "farmland", "dev_boundary"):
        m = (st == stage) & (lt == line)
        if m.any():
            out[line] = t.take(m)
    return out, stage


__all__ = [
    "ADJUST",
    "COMPLIANT",
    "FAIL",
    "MEASURES",
    "SitingError",
    "SitingResult",
    "SitingRule",
    "SitingRuleError",
    "check_siting",
    "discs",
    "footprints",
    "lines_from_store",
    "load_siting_rules",
]
