"""Reports for the review meetings (专家评审, 成果审定) and for monitoring (评估检讨监控), from a blueprint.

Why: every stage after the difference analysis needs figures a planner can put on the table — the
difference ledger (台账), statistics per kind and street, land-use balance tables (用地平衡表) for every
plan and for the blueprint, the construction-land quota check, the 新增建设用地 against the current land
use (三调), the review progress per department and kind, the control-line figures.  This module computes
them as plain tables (:class:`ReportTable`) from a :class:`~.store.BlueprintStore`; ``report_xlsx`` and
``report_html`` write them, the Processing glue adds the PDF atlas.  Nothing here imports QGIS.

Rules that are easy to get wrong, made explicit:

* **Union area.**  A balance table sums to the area of the *union* of its layer: where features of one
  layer overlap, the overlap counts once, for the feature with the lowest id (``overlay.clean_coverage``,
  the same rule detection uses), and the overlap area is reported beside the table (row ``overlap``,
  not part of the total).
* **Which construction flag.**  A quota check must say which flag it counts (DOMAIN.md §2):
  ``plan_construction`` — the planning flag of the unified class (default); ``mp_construction`` — the flag
  of the source plan's own standard; ``sandalei`` — the legal 三大类 (建设用地).  The choice is a
  parameter and is printed with every result that depends on it.
* **Pending ground.**  Blueprint ground whose patches are still undecided (``status = pending``) is its
  own row and never counted as construction or non-construction.
* Areas are planar in the blueprint's working CRS (m²) and, beside them, on the CGCS2000 ellipsoid.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj.exceptions import ProjError

from . import overlay as ov
from .codes import ZONE_STANDARDS, CodeTables
from .crs import CrsError, reproject, same_crs, to_crs
from .geodesy import ellipsoidal_area
from .i18n import tr
from .table import FeatureTable

# -------------------------------------------------------------------------------------------- constants

FLAGS = ("plan_construction", "mp_construction", "sandalei")
FLAG_TITLES = {
    "plan_construction": ("用地用海分类的规划建设用地属性", "the planning flag of the unified class"),
    "mp_construction": ("来源规划自身标准的建设用地属性", "the flag of the source plan's own standard"),
    "sandalei": ("法定三大类(建设用地)", "the legal 三大类 (建设用地)"),
}
DISTRICT = "全区"  # the district row of a per-street table
NO_UNIT = "(无街道)"
ROLE_TITLES = {
    "urban": ("城规", "urban plan"),
    "land": ("土规", "land-use plan"),
    "development": ("主体功能区", "development plan"),
    "dev": ("主体功能区", "development plan"),
    "eco": ("生态规划", "eco plan"),
    "projects": ("重大项目", "key projects"),
    "forest": ("林规", "forestry plan"),
    "current": ("现状(三调)", "current land use"),
    "eco_redline": ("生态保护红线", "ecological red line"),
    "farmland": ("永久基本农田", "permanent farmland"),
    "dev_boundary": ("城镇开发边界", "urban development boundary"),
}
ROLE_ORDER = (
    "urban",
    "land",
    "forest",
    "development",
    "dev",
    "eco",
    "projects",
    "eco_redline",
    "farmland",
    "dev_boundary",
)
STATUS_TITLES = {
    "undecided": ("未决", "undecided"),
    "opinions": ("已有部门意见", "opinions only"),
    "deferred": ("暂缓", "deferred"),
    "decided": ("已决定", "decided"),
    "reconfirm": ("待重新确认", "re-confirm"),
    "conflict": ("冲突", "conflict"),
    "closed": ("已关闭", "closed"),
}
STATUS_ORDER = ("decided", "deferred", "opinions", "undecided", "reconfirm", "conflict", "closed")
LINE_STAGES = ("input", "proposed", "final")


class ReportError(Exception):
    """Input a report cannot be made from; the message says what to do."""


# -------------------------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Column:
    """One column of a report table: field name, Chinese and English heading, kind (text/int/real/bool)."""

    name: str
    zh: str
    en: str
    kind: str = "text"

    @property
    def heading(self) -> str:
        return f"{self.zh} {self.en}"


@dataclass
class ReportTable:
    """One sheet of the report: columns, rows (as lists), notes printed beside it, extra figures.

    ``extras`` carries numbers that belong to the table but are not rows (e.g. the overlap area of a
    balance table, the flag a quota check counted) — the writers print them with the table.
    """

    key: str
    title_zh: str
    title_en: str
    columns: list[Column]
    data: dict[str, list]
    notes: list[str] = field(default_factory=list)
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.title_zh} {self.title_en}"

    def __len__(self) -> int:
        return len(self.data[self.columns[0].name]) if self.columns else 0

    def column(self, name: str) -> list:
        return self.data[name]

    def rows(self):
        names = [c.name for c in self.columns]
        return zip(*[self.data[n] for n in names]) if names else iter(())

    def where(self, **conditions) -> list[dict]:
        """Rows (as dicts) whose columns equal the given values — for tests and summaries."""
        names = [c.name for c in self.columns]
        out = []
        for row in self.rows():
            d = dict(zip(names, row))
            if all(d.get(k) == v for k, v in conditions.items()):
                out.append(d)
        return out


def _table(key, zh, en, columns: Sequence[Column], data: dict, notes=None, extras=None) -> ReportTable:
    cols = list(columns)
    n = None
    clean: dict[str, list] = {}
    for c in cols:
        values = data.get(c.name)
        if values is None:
            values = [None] * (n or 0)
        values = _plain(values)
        if n is None:
            n = len(values)
        elif len(values) != n:
            raise ValueError(f"column {c.name} of {key} has {len(values)} rows, expected {n}")
        clean[c.name] = values
    return ReportTable(key, zh, en, cols, clean, list(notes or []), dict(extras or {}))


def _plain(values) -> list:
    """A column as a list of plain Python values (None for NaN and missing)."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    out = []
    for v in values:
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and not np.isfinite(v):
            v = None
        out.append(v)
    return out


@dataclass
class Report:
    """Everything one report run produced (the writers turn it into XLSX, HTML and the atlas)."""

    project: dict
    parameters: dict
    tables: dict[str, ReportTable]
    summary: dict
    messages: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    generated_utc: str = ""

    def table(self, key: str) -> ReportTable:
        return self.tables[key]


# -------------------------------------------------------------------------------------------- helpers


def _text(values, n: int | None = None) -> np.ndarray:
    """Object array of str or None."""
    if values is None:
        return np.full(n or 0, None, dtype=object)
    arr = np.asarray(values, dtype=object)
    out = np.empty(len(arr), dtype=object)
    for i, v in enumerate(arr.tolist()):
        out[i] = (
            None if v is None or (isinstance(v, float) and v != v) else (v if isinstance(v, str) else str(v))
        )
    return out


def _num(values, n: int | None = None) -> np.ndarray:
    """Float array, NaN for None."""
    if values is None:
        return np.full(n or 0, np.nan)
    arr = np.asarray(values)
    if arr.dtype.kind in "fiub":
        return arr.astype(np.float64)
    return np.array([np.nan if v is None else float(v) for v in arr.tolist()], dtype=np.float64)


def _flag(values, n: int) -> np.ndarray:
    """0/1 flags with -1 for unknown (None)."""
    if values is None:
        return np.full(n, -1, dtype=np.int64)
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64)
    out = np.full(len(arr), -1, dtype=np.int64)
    for i, v in enumerate(arr.tolist()):
        if v is None or (isinstance(v, float) and v != v):
            continue
        if isinstance(v, str):
            v = v.strip()
            if v in ("1", "true", "True", "是", "建设用地"):
                out[i] = 1
            elif v in ("0", "false", "False", "否"):
                out[i] = 0
            continue
        out[i] = 1 if v else 0
    return out


def _keys(values: np.ndarray, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """(unique labels, inverse) of a text column, None shown as ``missing``."""
    labels = np.array([missing if v is None else v for v in values.tolist()], dtype=object)
    if not len(labels):
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.intp)
    uniq, inv = np.unique(labels.astype(str), return_inverse=True)
    return uniq.astype(object), inv


def _col(t: FeatureTable, name: str):
    """A column by name (case-insensitive) or None."""
    try:
        return t.column(name)
    except KeyError:
        return None


def _bools(t: FeatureTable, name: str, n: int, default: bool = False) -> np.ndarray:
    """A 0/1/bool column as a bool array (missing column or null: ``default``)."""
    v = _col(t, name)
    if v is None:
        return np.full(n, default, dtype=bool)
    return np.array([default if x is None else bool(x) for x in _plain(v)], dtype=bool)


def _ints(t: FeatureTable, name: str, n: int, default: int | None = 0) -> list:
    v = _col(t, name)
    if v is None:
        return [default] * n
    return [default if x is None else int(x) for x in _plain(v)]


def _ha(area) -> list:
    return [None if a is None else a / 10000.0 for a in _plain(area)]


def _share(part, whole) -> float | None:
    return float(part) / float(whole) if whole else None


def equivalent_crs(a, b) -> bool:
    """Same CRS by definition, or a transformation between them that does nothing.

    QGIS hands out WKT1 that PROJ does not call equal to the EPSG CRS it is, although the
    transformation is a no-op; reprojecting through it would move vertices by rounding.
    """
    if same_crs(a, b):
        return True
    try:
        from pyproj import Transformer

        return "noop" in Transformer.from_crs(to_crs(a), to_crs(b), always_xy=True).definition
    except Exception:  # noqa: BLE001 - no transformation: not the same
        return False


def untransformable_crs(what: str, src) -> str:
    """The message for a layer whose CRS (a pyproj CRS) PROJ cannot transform to the blueprint's."""
    return tr(
        "{what} is in {crs}, which cannot be transformed to the blueprint's CRS: assign its real "
        "coordinate reference system in QGIS first."
    ).format(what=what, crs=f"EPSG:{src.to_epsg()}" if src.to_epsg() else src.name)


def to_working(table: FeatureTable, crs_wkt: str | None, what: str, messages: list[str]) -> FeatureTable:
    """``table`` in the blueprint's CRS: reprojected (and said so) when it comes in another one."""
    if not crs_wkt or not len(table):
        return table
    if not table.crs_wkt:
        raise ReportError(
            tr("{what} has no coordinate reference system; assign one in QGIS first.").format(what=what)
        )
    if equivalent_crs(table.crs_wkt, crs_wkt):
        return table
    src = to_crs(table.crs_wkt)
    try:
        geoms = reproject(table.geoms, table.crs_wkt, crs_wkt)
    except (CrsError, ProjError) as exc:  # e.g. an "Undefined Cartesian SRS" (a GeoPackage's srs_id -1)
        raise ReportError(untransformable_crs(what, src)) from exc
    messages.append(
        tr("{what} was reprojected from {src} to the blueprint's CRS.").format(
            what=what, src=f"EPSG:{src.to_epsg()}" if src.to_epsg() else src.name
        )
    )
    return FeatureTable(geoms, table.fids, table.columns, table.field_types, crs_wkt, table.name, table.notes)


def kind_titles() -> dict[str, tuple[str, str]]:
    """kind -> (Chinese, English) name from the detection and control-line rule tables."""
    out: dict[str, tuple[str, str]] = {}
    try:
        from .rules import load_rules

        for r in load_rules().rules:
            out[r.kind] = (r.name_zh, r.name_en)
    except Exception:  # noqa: BLE001 - a broken user table must not break a report
        pass
    try:
        from .lines import load_line_rules

        for r in load_line_rules():
            out[r.kind] = (r.name_zh, r.name_en)
    except Exception:  # noqa: BLE001
        pass
    return out


def role_title(role: str) -> tuple[str, str]:
    return ROLE_TITLES.get(role, (role, role))


# -------------------------------------------------------------------------------------------- 1 ledger


LEDGER_HEAD = [
    Column("patch_id", "图斑编号", "patch id"),
    Column("kind", "差异类型代码", "kind"),
    Column("kind_name", "差异类型", "kind name"),
    Column("severity", "严重程度", "severity", "int"),
    Column("unit", "街道", "street"),
    Column("codes", "用地代码组合", "codes"),
]
LEDGER_TAIL = [
    Column("area_planar", "面积(m²,平面)", "area m² planar", "real"),
    Column("area_ellipsoidal", "面积(m²,椭球)", "area m² ellipsoidal", "real"),
    Column("area_ha", "面积(公顷)", "area ha", "real"),
    Column("is_sliver", "碎图斑", "sliver", "bool"),
    Column("sliver_reason", "碎图斑原因", "sliver reason"),
    Column("status", "状态", "status"),
    Column("decided", "已决定", "decided", "bool"),
    Column("decision", "当前决定", "current decision"),
    Column("decided_by", "决定人", "decided by"),
    Column("decided_utc", "决定时间(UTC)", "decided (UTC)"),
    Column("n_opinions", "部门意见数", "opinions", "int"),
    Column("opinions_disagree", "意见不一致", "opinions disagree", "bool"),
    Column("n_conflicts", "未解决冲突", "open conflicts", "int"),
    Column("reconfirm", "待重新确认", "re-confirm", "bool"),
    Column("closed", "已关闭", "closed", "bool"),
]


def _role_order(roles) -> list[str]:
    known = [r for r in ROLE_ORDER if r in roles]
    return known + sorted(r for r in roles if r not in ROLE_ORDER)


def ledger(patches: FeatureTable, plans: dict | None, *, titles: dict | None = None) -> ReportTable:
    """The difference ledger (台账): one row per patch with codes per plan, areas, street, decision.

    ``plans`` are the ``patch_plans`` columns (``store.patch_plans()``); each involved role gets two
    columns — the source code and name, and the unified class — so any number of plans fits.
    """
    from .store.decisions import action_label

    n = len(patches)
    titles = titles if titles is not None else kind_titles()
    ids = _text(_col(patches, "patch_id"), n)
    kind = _text(_col(patches, "kind"), n)
    data: dict[str, object] = {
        "patch_id": ids,
        "kind": kind,
        "kind_name": [titles.get(k, (k, k))[0] if k else None for k in kind.tolist()],
        "severity": _ints(patches, "severity", n, None),
        "unit": _text(_col(patches, "unit"), n),
        "codes": _text(_col(patches, "codes"), n),
    }
    role_cols: list[Column] = []
    plans = plans or {}
    if plans and len(plans.get("patch_id", [])):
        pid = _text(plans["patch_id"])
        role = _text(plans.get("role"), len(pid))
        src_std = _text(plans.get("src_standard"), len(pid))
        src = _text(plans.get("src_code"), len(pid))
        src_name = _text(plans.get("src_name"), len(pid))
        mp = _text(plans.get("mp_code"), len(pid))
        mp_name = _text(plans.get("mp_name"), len(pid))
        order = np.argsort(ids.astype(str), kind="stable")
        sorted_ids = ids.astype(str)[order]
        pos = np.searchsorted(sorted_ids, pid.astype(str))
        pos_ok = (
            (pos < n) & (sorted_ids[np.minimum(pos, max(n - 1, 0))] == pid.astype(str))
            if n
            else np.zeros(len(pid), dtype=bool)
        )
        row_of = np.where(pos_ok, order[np.minimum(pos, max(n - 1, 0))], -1) if n else np.full(len(pid), -1)
        for r in _role_order({x for x in role.tolist() if x}):
            zh, en = role_title(r)
            src_col = np.full(n, None, dtype=object)
            mp_col = np.full(n, None, dtype=object)
            sel = np.flatnonzero((role == r) & (row_of >= 0))
            for k in sel.tolist():  # rows of one role: one per patch, rarely two (joined)
                i = row_of[k]
                s = " ".join(x for x in (src_std[k] and f"[{src_std[k]}]", src[k], src_name[k]) if x)
                m = " ".join(x for x in (mp[k], mp_name[k]) if x)
                src_col[i] = s if src_col[i] is None else f"{src_col[i]}; {s}"
                if m:
                    mp_col[i] = m if mp_col[i] is None else f"{mp_col[i]}; {m}"
            data[f"{r}_source"] = src_col
            data[f"{r}_unified"] = mp_col
            role_cols += [
                Column(f"{r}_source", f"{zh}原用地", f"{en} source code"),
                Column(f"{r}_unified", f"{zh}统一分类", f"{en} unified class"),
            ]
    area = _num(_col(patches, "area_planar"), n)
    if np.isnan(area).all() and n:
        area = shapely.area(np.asarray(patches.geoms, dtype=object))
    action = _text(_col(patches, "current_action"), n)
    target = _text(_col(patches, "current_target"), n)
    closed = _text(_col(patches, "closed_run_id"), n)
    data.update(
        {
            "area_planar": area,
            "area_ellipsoidal": _num(_col(patches, "area_ellipsoidal"), n),
            "area_ha": area / 10000.0,
            "is_sliver": _bools(patches, "is_sliver", n),
            "sliver_reason": _text(_col(patches, "sliver_reason"), n),
            "status": _text(_col(patches, "status"), n),
            "decided": _bools(patches, "decided", n),
            "decision": [action_label(a, t) if a else None for a, t in zip(action.tolist(), target.tolist())],
            "decided_by": _text(_col(patches, "decided_by"), n),
            "decided_utc": _text(_col(patches, "decided_utc"), n),
            "n_opinions": _ints(patches, "n_opinions", n),
            "opinions_disagree": _bools(patches, "opinions_disagree", n),
            "n_conflicts": _ints(patches, "n_conflicts", n),
            "reconfirm": _bools(patches, "reconfirm", n),
            "closed": [c is not None for c in closed.tolist()],
        }
    )
    notes = [
        tr("{n} patches, {a:,.1f} m² (planar; patches of different kinds may overlap).").format(
            n=n, a=float(np.nansum(area))
        )
    ]
    return _table(
        "ledger",
        "差异图斑台账",
        "Difference ledger",
        LEDGER_HEAD + role_cols + LEDGER_TAIL,
        data,
        notes,
        {"area_total": float(np.nansum(area)), "count": n},
    )


# -------------------------------------------------------------------------------------------- 2 kind × street


def kind_street_statistics(
    patches: FeatureTable, *, street_areas: dict[str, float] | None = None, titles: dict | None = None
) -> ReportTable:
    """Count, area and shares per kind × street, with a district row per kind and a total row.

    ``share_kind`` = the street's share of the kind's district area; ``share_street`` = the patches'
    area over the street's ground area (from the blueprint, when there is one).  The total row sums
    the kinds (patches of different kinds may overlap, so it can exceed the ground they cover).
    """
    n = len(patches)
    titles = titles if titles is not None else kind_titles()
    kind = _text(_col(patches, "kind"), n)
    unit = _text(_col(patches, "unit"), n)
    area = _num(_col(patches, "area_planar"), n)
    area = np.where(np.isnan(area), 0.0, area)
    sliver = _bools(patches, "is_sliver", n)
    kinds, kinv = _keys(kind, "?")
    units, uinv = _keys(unit, NO_UNIT)
    street_areas = street_areas or {}
    district_area = street_areas.get(DISTRICT)
    rows: dict[str, list] = {
        c: []
        for c in (
            "kind",
            "kind_name",
            "unit",
            "count",
            "area",
            "area_ha",
            "share_kind",
            "share_street",
            "slivers",
            "sliver_area",
            "count_non_sliver",
            "area_non_sliver",
        )
    }
    nk, nu = len(kinds), len(units)
    key = kinv * max(nu, 1) + uinv
    cnt = np.bincount(key, minlength=nk * nu).reshape(nk, nu) if n else np.zeros((nk, nu))
    ar = np.bincount(key, weights=area, minlength=nk * nu).reshape(nk, nu) if n else np.zeros((nk, nu))
    scnt = np.bincount(key, weights=sliver, minlength=nk * nu).reshape(nk, nu) if n else np.zeros((nk, nu))
    sar = (
        np.bincount(key, weights=area * sliver, minlength=nk * nu).reshape(nk, nu)
        if n
        else np.zeros((nk, nu))
    )
    order = sorted(range(nk), key=lambda k: -ar[k].sum())

    def add(k, u, c, a, sc, sa, kind_total, ground):
        rows["kind"].append(k)
        rows["kind_name"].append(
            titles.get(k, (k, k))[0] if k not in (None, "合计") else ("合计 total" if k else None)
        )
        rows["unit"].append(u)
        rows["count"].append(int(c))
        rows["area"].append(float(a))
        rows["area_ha"].append(float(a) / 10000.0)
        rows["share_kind"].append(_share(a, kind_total))
        rows["share_street"].append(_share(a, ground))
        rows["slivers"].append(int(sc))
        rows["sliver_area"].append(float(sa))
        rows["count_non_sliver"].append(int(c - sc))
        rows["area_non_sliver"].append(float(a - sa))

    for k in order:
        total = ar[k].sum()
        add(kinds[k], DISTRICT, cnt[k].sum(), total, scnt[k].sum(), sar[k].sum(), total, district_area)
        for u in np.argsort(units.astype(str)):
            if cnt[k, u]:
                add(
                    kinds[k],
                    units[u],
                    cnt[k, u],
                    ar[k, u],
                    scnt[k, u],
                    sar[k, u],
                    total,
                    street_areas.get(units[u]),
                )
    add("合计", DISTRICT, cnt.sum(), ar.sum(), scnt.sum(), sar.sum(), ar.sum(), district_area)
    cols = [
        Column("kind", "差异类型代码", "kind"),
        Column("kind_name", "差异类型", "kind name"),
        Column("unit", "街道", "street"),
        Column("count", "图斑数", "patches", "int"),
        Column("area", "面积(m²)", "area m²", "real"),
        Column("area_ha", "面积(公顷)", "area ha", "real"),
        Column("share_kind", "占该类型比例", "share of kind", "real"),
        Column("share_street", "占街道面积比例", "share of street area", "real"),
        Column("slivers", "碎图斑数", "slivers", "int"),
        Column("sliver_area", "碎图斑面积(m²)", "sliver area m²", "real"),
        Column("count_non_sliver", "非碎图斑数", "patches w/o slivers", "int"),
        Column("area_non_sliver", "非碎图斑面积(m²)", "area w/o slivers m²", "real"),
    ]
    notes = [tr("Patches of different kinds may overlap: the total row adds the kinds.")]
    if not street_areas:
        notes.append(tr("No blueprint layer: the share of each street's area is not known."))
    return _table(
        "kind_street", "差异图斑分类分街道统计", "Differences by kind and street", cols, rows, notes
    )


# -------------------------------------------------------------------------------------------- 3 union areas


@dataclass
class UnionAreas:
    """Per-feature area under the union rule (overlaps count once, for the lowest id)."""

    area: np.ndarray  # per input row, planar
    area_ellipsoidal: np.ndarray
    overlap_area: float  # sum of the feature areas minus the union: what counting overlaps once removed
    overlap_pairs: int
    null: int
    repaired: int
    swallowed: int
    geoms: np.ndarray | None = None  # per input row: the geometry after the rule (None when dropped)

    @property
    def total(self) -> float:
        return float(self.area.sum())


def union_areas(
    geoms: np.ndarray, fids: np.ndarray, name: str, crs_wkt: str | None, runner: ov.Runner | None = None
) -> UnionAreas:
    """Areas of a layer's features where each overlap counts once, for the feature with the lowest id.

    The sum is the area of the union of the layer.  Invalid rings are repaired (counted); null and
    non-polygon features get area 0 (counted).
    """
    geoms = np.asarray(geoms, dtype=object)
    fids = np.asarray(fids)
    n = len(geoms)
    area = np.zeros(n)
    area_e = np.zeros(n)
    if not n:
        return UnionAreas(area, area_e, 0.0, 0, 0, 0, 0, np.zeros(0, dtype=object))
    own = runner is None
    runner = runner or ov.Runner()
    try:
        cov = ov.clean_coverage(geoms, fids, name, runner, find_gaps=False)
    finally:
        if own:
            runner.close()
    area[cov.rows] = shapely.area(cov.geoms)
    if crs_wkt and len(cov.geoms):
        area_e[cov.rows] = ellipsoidal_area(cov.geoms, crs_wkt)
    rep = cov.report
    clean = np.full(n, None, dtype=object)
    clean[cov.rows] = cov.geoms
    return UnionAreas(
        area,
        area_e,
        float(rep.overlap_removed_area),
        int(rep.n_overlaps),
        len(rep.null_fids) + len(rep.non_polygon_fids),
        len(rep.repaired_fids),
        len(rep.swallowed_fids),
        clean,
    )


# -------------------------------------------------------------------------------------------- 4 balance


BALANCE_COLUMNS = [
    Column("row_type", "行类型", "row type"),
    Column("code", "代码", "code"),
    Column("name", "名称", "name"),
    Column("name_en", "英文名称", "name (English)"),
    Column("construction", "规划建设用地", "planning construction flag", "int"),
    Column("area", "面积(m²)", "area m²", "real"),
    Column("area_ha", "面积(公顷)", "area ha", "real"),
    Column("area_ellipsoidal", "椭球面积(m²)", "ellipsoidal area m²", "real"),
    Column("share", "比例", "share", "real"),
    Column("per_capita", "人均(m²/人)", "per capita m²", "real"),
]
#: Rows that add up to the total (the others are subtotals and the overlap beside the table).
BALANCE_PARTS = ("class", "group", "unmapped", "pending")


def balance_table(
    key: str,
    title_zh: str,
    title_en: str,
    codes,
    ua: UnionAreas,
    *,
    tables: CodeTables | None = None,
    pending=None,
    population: float | None = None,
    notes: Sequence[str] = (),
) -> ReportTable:
    """A land-use balance table (用地平衡表) by unified level-1 class.

    Codes finer than level 1 count in their level-1 class; a group whose members all lie in one
    level-1 class counts there; other groups (城镇建设用地 from TD/T 211 …) get their own row; codes
    that are missing or unknown go to ``unmapped``; ``pending`` (a boolean mask, the blueprint's
    undecided ground) is its own row whatever its code.  Rows ``class``/``group``/``unmapped``/
    ``pending`` sum to ``total`` = the union area; subtotals by the class's planning flag follow, and
    the overlap counted once is a row of its own (not part of the total).
    """
    tables = tables or CodeTables.load()
    codes = _text(codes)
    n = len(codes)
    pend = np.zeros(n, dtype=bool) if pending is None else np.asarray(pending, dtype=bool)
    area, area_e = ua.area, ua.area_ellipsoidal
    # per unique code: its row key
    uniq, inv = _keys(codes, "")
    row_of_code = []
    for c in uniq.tolist():
        if not c:
            row_of_code.append(("unmapped", ""))
            continue
        entry = tables.unified_entry(c)
        if entry is None:
            row_of_code.append(("unmapped", ""))
            continue
        top = tables.level1(c)
        if top is not None and tables.unified_entry(top) is not None:
            row_of_code.append(("class", top))
        else:
            row_of_code.append(("group", c))
    keys = (
        np.array([f"{t}:{c}" for t, c in row_of_code], dtype=object)[inv] if n else np.zeros(0, dtype=object)
    )
    keys = np.where(pend, "pending:", keys) if n else keys
    rk, rinv = np.unique(keys.astype(str), return_inverse=True) if n else (np.zeros(0, dtype=object), None)
    sums = np.bincount(rinv, weights=area, minlength=len(rk)) if n else np.zeros(0)
    sums_e = np.bincount(rinv, weights=area_e, minlength=len(rk)) if n else np.zeros(0)
    got = dict(zip(rk.tolist(), zip(sums.tolist(), sums_e.tolist())))
    total = float(area.sum())
    total_e = float(area_e.sum())
    data: dict[str, list] = {c.name: [] for c in BALANCE_COLUMNS}

    def add(row_type, code, name, name_en, con, a, a_e):
        data["row_type"].append(row_type)
        data["code"].append(code)
        data["name"].append(name)
        data["name_en"].append(name_en)
        data["construction"].append(con)
        data["area"].append(float(a))
        data["area_ha"].append(float(a) / 10000.0)
        data["area_ellipsoidal"].append(float(a_e))
        data["share"].append(_share(a, total))
        data["per_capita"].append(float(a) / population if population else None)

    sub = {1: [0.0, 0.0], 0: [0.0, 0.0], None: [0.0, 0.0]}
    level1 = sorted(
        (e for e in tables.standard_entries("YDYH-2023").values() if e.level == 1), key=lambda e: e.code
    )
    sea = {"18", "19", "20", "21", "22", "24"}
    for e in level1:
        a, a_e = got.get(f"class:{e.code}", (0.0, 0.0))
        if e.code in sea and not a:
            continue  # sea classes only when a plan has them
        add("class", e.code, e.name, e.name_en, e.construction, a, a_e)
        sub[e.construction if e.construction in (0, 1) else None][0] += a
        sub[e.construction if e.construction in (0, 1) else None][1] += a_e
    for k in rk.tolist():
        if k.startswith("group:"):
            code = k[6:]
            g = tables.unified_entry(code)
            a, a_e = got[k]
            con = g.construction if g else None
            add("group", code, g.name if g else code, g.name_en if g else code, con, a, a_e)
            sub[con if con in (0, 1) else None][0] += a
            sub[con if con in (0, 1) else None][1] += a_e
    if "unmapped:" in got:
        a, a_e = got["unmapped:"]
        add("unmapped", None, "未归类(代码缺失或未知)", "unmapped (missing or unknown code)", None, a, a_e)
        sub[None][0] += a
        sub[None][1] += a_e
    if pending is not None:
        a, a_e = got.get("pending:", (0.0, 0.0))
        add("pending", None, "待定(差异未决)", "pending (undecided)", None, a, a_e)
    add("subtotal", None, "建设用地小计", "construction land", 1, *sub[1])
    add("subtotal", None, "非建设用地小计", "non-construction land", 0, *sub[0])
    if sub[None][0] or any(t == "group" for t in data["row_type"]):
        add(
            "subtotal", None, "属性不定(组或未归类)", "flag undetermined (groups, unmapped)", None, *sub[None]
        )
    add("total", None, "合计(并集面积)", "total (area of the union)", None, total, total_e)
    data["row_type"].append("overlap")
    data["code"].append(None)
    data["name"].append("要素重叠扣除(重叠处只计一次,归最小编号要素;不计入合计)")
    data["name_en"].append("overlap removed: feature areas − union (kept by the lowest id; not in the total)")
    data["construction"].append(None)
    data["area"].append(ua.overlap_area)
    data["area_ha"].append(ua.overlap_area / 10000.0)
    data["area_ellipsoidal"].append(None)
    data["share"].append(_share(ua.overlap_area, total))
    data["per_capita"].append(None)
    out_notes = list(notes)
    if ua.overlap_pairs:
        out_notes.append(
            tr(
                "{n} overlapping feature pairs, {a:,.1f} m² of ground counted once (for the feature with the "
                "lowest id)."
            ).format(n=ua.overlap_pairs, a=ua.overlap_area)
        )
    if ua.null:
        out_notes.append(tr("{n} features without a polygon geometry count 0.").format(n=ua.null))
    if ua.repaired:
        out_notes.append(tr("{n} invalid geometries were repaired before measuring.").format(n=ua.repaired))
    if population:
        out_notes.append(
            tr("Per capita: construction land {a:,.1f} m² per person (population {p:,.0f}).").format(
                a=sub[1][0] / population, p=population
            )
        )
    extras = {
        "total": total,
        "total_ellipsoidal": total_e,
        "construction": sub[1][0],
        "non_construction": sub[0][0],
        "undetermined": sub[None][0],
        "pending": got.get("pending:", (0.0, 0.0))[0],
        "overlap_area": ua.overlap_area,
        "overlap_pairs": ua.overlap_pairs,
        "features": n,
    }
    return _table(key, title_zh, title_en, BALANCE_COLUMNS, data, out_notes, extras)


def balance_sum(t: ReportTable) -> float:
    """Sum of the rows that make up a balance table's total (for checks)."""
    return float(sum(a for rt, a in zip(t.column("row_type"), t.column("area")) if rt in BALANCE_PARTS))


# -------------------------------------------------------------------------------------------- 5 flags


def construction_flags(layer: FeatureTable, flag: str, *, tables: CodeTables | None = None) -> np.ndarray:
    """Per feature 1/0/-1 (unknown) by the chosen flag (see the module docstring)."""
    if flag not in FLAGS:
        raise ReportError(
            tr("Unknown construction flag {flag}; use one of {flags}.").format(
                flag=flag, flags=", ".join(FLAGS)
            )
        )
    tables = tables or CodeTables.load()
    n = len(layer)
    codes = _text(_col(layer, "mp_code"), n)
    if flag == "mp_construction":
        values = _col(layer, "mp_construction")
        if values is None:
            raise ReportError(tr("The layer has no mp_construction column to count."))
        return _flag(values, n)
    if flag == "plan_construction":
        values = _col(layer, "plan_construction")
        if values is not None:
            return _flag(values, n)
        uniq, inv = _keys(codes, "")
        per = np.array(
            [
                (
                    -1
                    if c == "" or tables.planning_construction(c) is None
                    else tables.planning_construction(c)
                )
                for c in uniq.tolist()
            ],
            dtype=np.int64,
        )
        return per[inv] if n else np.zeros(0, dtype=np.int64)
    # legal 三大类
    values = _col(layer, "mp_sandalei")
    if values is None:
        uniq, inv = _keys(codes, "")
        per = []
        for c in uniq.tolist():
            e = tables.unified_entry(c) if c else None
            per.append(-1 if e is None or e.sandalei is None else int(e.sandalei == "建设用地"))
        return np.array(per, dtype=np.int64)[inv] if n else np.zeros(0, dtype=np.int64)
    s = _text(values, n)
    return np.array([-1 if v is None else int(v == "建设用地") for v in s.tolist()], dtype=np.int64)


def flag_text(flag: str) -> str:
    zh, en = FLAG_TITLES[flag]
    return f"{zh} ({en}; {flag})"


# -------------------------------------------------------------------------------------------- 6 quota


@dataclass
class QuotaCheck:
    """The construction-land quota check: what was counted, by which flag, against which quota."""

    flag: str
    quota_m2: float | None
    counted_m2: float
    pending_m2: float
    unknown_m2: float
    remaining_m2: float | None
    usage: float | None
    exceeded: bool | None
    message: str


def quota_check(
    blueprint: FeatureTable,
    ua: UnionAreas,
    *,
    flag: str = "plan_construction",
    quota_m2: float | None = None,
    tables: CodeTables | None = None,
) -> tuple[QuotaCheck, ReportTable]:
    """Construction land of the blueprint (final ground, by ``flag``) per street and against the quota.

    Pending ground is reported beside the count, never in it; ground whose flag is unknown likewise.
    A quota of zero is allowed: any construction land exceeds it.
    """
    n = len(blueprint)
    flags = construction_flags(blueprint, flag, tables=tables)
    status = _text(_col(blueprint, "status"), n)
    pend = np.array([s == "pending" for s in status.tolist()], dtype=bool)
    unit = _text(_col(blueprint, "unit"), n)
    area = ua.area
    con = (flags == 1) & ~pend
    unk = (flags == -1) & ~pend
    units, uinv = _keys(unit, NO_UNIT)
    nu = len(units)
    per_con = np.bincount(uinv, weights=area * con, minlength=nu) if n else np.zeros(0)
    per_pend = np.bincount(uinv, weights=area * pend, minlength=nu) if n else np.zeros(0)
    per_unk = np.bincount(uinv, weights=area * unk, minlength=nu) if n else np.zeros(0)
    per_all = np.bincount(uinv, weights=area, minlength=nu) if n else np.zeros(0)
    counted = float(per_con.sum())
    pending_m2 = float(per_pend.sum())
    unknown_m2 = float(per_unk.sum())
    if quota_m2 is None:
        remaining = usage = exceeded = None
        msg = tr("No quota given: {a:,.1f} m² ({ha:,.2f} ha) of construction land counted by {flag}.").format(
            a=counted, ha=counted / 1e4, flag=flag_text(flag)
        )
    elif quota_m2 < 0:
        raise ReportError(tr("The construction-land quota cannot be negative ({q}).").format(q=quota_m2))
    else:
        remaining = quota_m2 - counted
        usage = counted / quota_m2 if quota_m2 > 0 else None
        exceeded = counted > quota_m2
        if quota_m2 == 0:
            msg = tr(
                "The quota is zero: every m² of construction land exceeds it — {a:,.1f} m² counted by {flag}."
            ).format(a=counted, flag=flag_text(flag))
        elif exceeded:
            msg = tr(
                "Construction land {a:,.1f} m² ({ha:,.2f} ha) exceeds "
                "the quota of {q:,.1f} m² by {d:,.1f} m² "
                "({u:.1%}); counted by {flag}."
            ).format(a=counted, ha=counted / 1e4, q=quota_m2, d=-remaining, u=usage, flag=flag_text(flag))
        else:
            msg = tr(
                "Construction land {a:,.1f} m² ({ha:,.2f} ha) is within "
                "the quota of {q:,.1f} m²: {r:,.1f} m² "
                "remain ({u:.1%} used); counted by {flag}."
            ).format(a=counted, ha=counted / 1e4, q=quota_m2, r=remaining, u=usage, flag=flag_text(flag))
    if pending_m2:
        msg += " " + tr("{p:,.1f} m² of the blueprint are still pending and not counted.").format(
            p=pending_m2
        )
    qc = QuotaCheck(flag, quota_m2, counted, pending_m2, unknown_m2, remaining, usage, exceeded, msg)
    data: dict[str, list] = {
        c: []
        for c in (
            "unit",
            "construction",
            "construction_ha",
            "pending",
            "unknown",
            "ground",
            "share_construction",
            "quota",
            "remaining",
            "usage",
            "exceeded",
            "flag",
        )
    }
    for u in np.argsort(units.astype(str)).tolist():
        data["unit"].append(units[u])
        data["construction"].append(float(per_con[u]))
        data["construction_ha"].append(float(per_con[u]) / 1e4)
        data["pending"].append(float(per_pend[u]))
        data["unknown"].append(float(per_unk[u]))
        data["ground"].append(float(per_all[u]))
        data["share_construction"].append(_share(per_con[u], per_all[u]))
        for c in ("quota", "remaining", "usage", "exceeded"):
            data[c].append(None)
        data["flag"].append(flag)
    data["unit"].append(DISTRICT)
    data["construction"].append(counted)
    data["construction_ha"].append(counted / 1e4)
    data["pending"].append(pending_m2)
    data["unknown"].append(unknown_m2)
    data["ground"].append(float(area.sum()))
    data["share_construction"].append(_share(counted, area.sum()))
    data["quota"].append(quota_m2)
    data["remaining"].append(remaining)
    data["usage"].append(usage)
    data["exceeded"].append(exceeded)
    data["flag"].append(flag)
    cols = [
        Column("unit", "街道", "street"),
        Column("construction", "建设用地(m²)", "construction m²", "real"),
        Column("construction_ha", "建设用地(公顷)", "construction ha", "real"),
        Column("pending", "待定(m²,未计入)", "pending m² (not counted)", "real"),
        Column("unknown", "属性不明(m²,未计入)", "flag unknown m² (not counted)", "real"),
        Column("ground", "蓝图面积(m²)", "blueprint ground m²", "real"),
        Column("share_construction", "建设用地占比", "construction share", "real"),
        Column("quota", "指标(m²)", "quota m²", "real"),
        Column("remaining", "剩余指标(m²)", "remaining m²", "real"),
        Column("usage", "指标使用率", "quota used", "real"),
        Column("exceeded", "超指标", "exceeded", "bool"),
        Column("flag", "计数依据", "flag counted"),
    ]
    notes = [msg, tr("Flag counted: {flag}").format(flag=flag_text(flag))]
    t = _table(
        "quota",
        "建设用地指标核查",
        "Construction-land quota check",
        cols,
        data,
        notes,
        {
            "flag": flag,
            "counted": counted,
            "quota": quota_m2,
            "remaining": remaining,
            "usage": usage,
            "exceeded": exceeded,
            "pending": pending_m2,
        },
    )
    return qc, t


# -------------------------------------------------------------------------------------------- 7 新增建设用地


CURRENT_STANDARD = "GBT21010-2017"


def prepare_current_landuse(
    table: FeatureTable, *, code_field: str | None = None, messages: list[str] | None = None
) -> FeatureTable:
    """The 三调 layer with Contract 1 fields: used as is when harmonised, else harmonised here.

    Its ``mp_construction`` is the legal 三大类 (建设用地 = 1), the 三调 standard's own rule.
    """
    if _col(table, "mp_construction") is not None and _col(table, "mp_code") is not None:
        return table
    from .harmonise import harmonise

    field_name = code_field
    if not field_name:
        for cand in ("DLBM", "dlbm", "地类编码"):
            if _col(table, cand) is not None:
                field_name = cand
                break
    if not field_name or _col(table, field_name) is None:
        raise ReportError(
            tr(
                "The current land-use layer is not harmonised and has no code field (DLBM): run "
                "multiplan:harmonisecodes on it or name its code field."
            )
        )
    res = harmonise(table.column(field_name), standard=CURRENT_STANDARD, weights=shapely.area(table.geoms))
    cols = dict(table.columns)
    cols.update(res.fields)
    if messages is not None:
        unmapped = int(sum(u.count for u in res.unmapped))
        messages.append(
            tr(
                "The current land-use layer was harmonised as {std} from field {f} ({u} features unmapped)."
            ).format(std=CURRENT_STANDARD, f=field_name, u=unmapped)
        )
    return FeatureTable(
        table.geoms, table.fids, cols, dict(table.field_types), table.crs_wkt, table.name, table.notes
    )


def new_construction(
    blueprint_geoms: np.ndarray,
    blueprint: FeatureTable,
    current: FeatureTable,
    *,
    flag: str = "plan_construction",
    crs_wkt: str | None = None,
    tables: CodeTables | None = None,
    runner: ov.Runner | None = None,
) -> ReportTable:
    """新增建设用地: blueprint construction land (final, by ``flag``) where 三调 shows non-construction.

    ``blueprint_geoms`` are the blueprint features after the union rule (no overlaps); the 三调 layer is
    cleaned the same way, so nothing is counted twice.  Per street (the blueprint's ``unit``) and per
    current class (三调 level 1 in the unified classification), with a district total.
    """
    tables = tables or CodeTables.load()
    n = len(blueprint)
    flags = construction_flags(blueprint, flag, tables=tables)
    status = _text(_col(blueprint, "status"), n)
    con = (flags == 1) & np.array([s != "pending" for s in status.tolist()], dtype=bool)
    unit = _text(_col(blueprint, "unit"), n)
    cur_flag = _flag(_col(current, "mp_construction"), len(current))
    cur_code = _text(_col(current, "mp_code"), len(current))
    non = cur_flag == 0
    own = runner is None
    runner = runner or ov.Runner()
    try:
        cov = ov.clean_coverage(
            np.asarray(current.geoms)[non], np.asarray(current.fids)[non], "current", runner, find_gaps=False
        )
        region = ov.TiledRegion(cov.geoms, runner)
        bidx = np.flatnonzero(con & ~shapely.is_missing(blueprint_geoms))
        bgeoms = np.asarray(blueprint_geoms, dtype=object)[bidx]
        ok = ~shapely.is_empty(bgeoms)
        bidx, bgeoms = bidx[ok], bgeoms[ok]
        pieces = ov.intersect_pieces(bgeoms, region, runner)
    finally:
        if own:
            runner.close()
    parea = shapely.area(pieces.geoms) if len(pieces) else np.zeros(0)
    p_e = (
        ellipsoidal_area(pieces.geoms, crs_wkt) if (crs_wkt and len(pieces)) else np.full(len(pieces), np.nan)
    )
    p_unit = unit[bidx[pieces.src]] if len(pieces) else np.zeros(0, dtype=object)
    cur_rows = np.flatnonzero(non)[cov.rows]
    p_code = cur_code[cur_rows[pieces.owner]] if len(pieces) else np.zeros(0, dtype=object)
    top_cache: dict = {}

    def top(c):
        if c not in top_cache:
            t1 = tables.level1(c) if c else None
            top_cache[c] = t1 if t1 else (c or "?")
        return top_cache[c]

    p_top = np.array([top(c) for c in p_code.tolist()], dtype=object)
    units, uinv = _keys(p_unit, NO_UNIT)
    tops, tinv = _keys(p_top, "?")
    nu, nt = len(units), len(tops)
    key = uinv * max(nt, 1) + tinv
    grid = (
        np.bincount(key, weights=parea, minlength=nu * nt).reshape(nu, nt)
        if len(pieces)
        else np.zeros((nu, nt))
    )
    grid_e = (
        np.bincount(key, weights=np.nan_to_num(p_e), minlength=nu * nt).reshape(nu, nt)
        if len(pieces)
        else np.zeros((nu, nt))
    )
    data: dict[str, list] = {
        c: []
        for c in (
            "unit",
            "current_class",
            "current_name",
            "area",
            "area_ha",
            "area_ellipsoidal",
            "share",
            "flag",
        )
    }
    total = float(parea.sum())

    def add(u, c, a, a_e):
        data["unit"].append(u)
        data["current_class"].append(c)
        data["current_name"].append(tables.unified_name(c) if c else "合计 total")
        data["area"].append(float(a))
        data["area_ha"].append(float(a) / 1e4)
        data["area_ellipsoidal"].append(float(a_e))
        data["share"].append(_share(a, total))
        data["flag"].append(flag)

    add(DISTRICT, None, total, float(grid_e.sum()))
    for t in np.argsort(tops.astype(str)).tolist():
        add(DISTRICT, tops[t], grid[:, t].sum(), grid_e[:, t].sum())
    for u in np.argsort(units.astype(str)).tolist():
        add(units[u], None, grid[u].sum(), grid_e[u].sum())
        for t in np.argsort(tops.astype(str)).tolist():
            if grid[u, t]:
                add(units[u], tops[t], grid[u, t], grid_e[u, t])
    cols = [
        Column("unit", "街道", "street"),
        Column("current_class", "现状地类(一级)", "current class (level 1)"),
        Column("current_name", "现状地类名称", "current class name"),
        Column("area", "新增建设用地(m²)", "new construction m²", "real"),
        Column("area_ha", "新增建设用地(公顷)", "new construction ha", "real"),
        Column("area_ellipsoidal", "椭球面积(m²)", "ellipsoidal m²", "real"),
        Column("share", "占全区新增比例", "share of district total", "real"),
        Column("flag", "计数依据", "flag counted"),
    ]
    notes = [
        tr(
            "Blueprint construction land (final ground, by {flag}) on ground the current land-use layer "
            "shows "
            "as non-construction (its legal 三大类): {a:,.1f} m² ({ha:,.2f} ha)."
        ).format(flag=flag_text(flag), a=total, ha=total / 1e4)
    ]
    if cov.report.n_overlaps:
        notes.append(
            tr("The current land-use layer has {n} overlapping pairs ({a:,.1f} m²): counted once.").format(
                n=cov.report.n_overlaps, a=cov.report.overlap_removed_area
            )
        )
    return _table(
        "new_construction",
        "新增建设用地(对照三调)",
        "New construction land vs current land use",
        cols,
        data,
        notes,
        {"total": total, "flag": flag, "by_unit": {units[u]: float(grid[u].sum()) for u in range(nu)}},
    )


# -------------------------------------------------------------------------------------------- 8 progress


def progress_by_kind(patches: FeatureTable, *, titles: dict | None = None) -> ReportTable:
    """Review progress per kind: patches and area decided, and how many are in each status."""
    n = len(patches)
    titles = titles if titles is not None else kind_titles()
    kind = _text(_col(patches, "kind"), n)
    status = _text(_col(patches, "status"), n)
    status = np.array([s or "undecided" for s in status.tolist()], dtype=object)
    decided = _bools(patches, "decided", n)
    area = np.nan_to_num(_num(_col(patches, "area_planar"), n))
    kinds, kinv = _keys(kind, "?")
    nk = len(kinds)
    data: dict[str, list] = {
        c: []
        for c in [
            "kind",
            "kind_name",
            "patches",
            "decided",
            "share_decided",
            "area",
            "area_decided",
            "area_share_decided",
        ]
        + [f"status_{s}" for s in STATUS_ORDER]
    }

    def add(label, name, m):
        data["kind"].append(label)
        data["kind_name"].append(name)
        data["patches"].append(int(m.sum()))
        data["decided"].append(int((m & decided).sum()))
        data["share_decided"].append(_share((m & decided).sum(), m.sum()))
        data["area"].append(float(area[m].sum()))
        data["area_decided"].append(float(area[m & decided].sum()))
        data["area_share_decided"].append(_share(area[m & decided].sum(), area[m].sum()))
        for s in STATUS_ORDER:
            data[f"status_{s}"].append(int((m & (status == s)).sum()))

    for k in range(nk):
        add(kinds[k], titles.get(kinds[k], (kinds[k], kinds[k]))[0], kinv == k)
    add("合计", "合计 total", np.ones(n, dtype=bool))
    cols = [
        Column("kind", "差异类型代码", "kind"),
        Column("kind_name", "差异类型", "kind name"),
        Column("patches", "图斑数", "patches", "int"),
        Column("decided", "已决定", "decided", "int"),
        Column("share_decided", "决定比例", "share decided", "real"),
        Column("area", "面积(m²)", "area m²", "real"),
        Column("area_decided", "已决定面积(m²)", "area decided m²", "real"),
        Column("area_share_decided", "已决定面积比例", "area share decided", "real"),
    ] + [Column(f"status_{s}", STATUS_TITLES[s][0], STATUS_TITLES[s][1], "int") for s in STATUS_ORDER]
    nd = int(decided.sum())
    notes = [tr("{d} of {n} patches decided ({s:.1%}).").format(d=nd, n=n, s=nd / n if n else 0.0)]
    if n and not nd and not int((status != "undecided").sum()):
        notes.append(tr("No decisions yet: every patch is still undecided."))
    return _table(
        "progress_kind",
        "评审进度(按差异类型)",
        "Review progress by kind",
        cols,
        data,
        notes,
        {"patches": n, "decided": nd},
    )


def progress_by_department(
    decisions: Sequence, patches: FeatureTable, *, titles: dict | None = None
) -> tuple[ReportTable, ReportTable]:
    """Review progress per department (opinions and final decisions) and per department × kind.

    For each department: rows written, patches touched (open ones), their area and share of the open
    patches, how many of its latest opinions agree with the patch's current decision, last activity.
    """
    n = len(patches)
    titles = titles if titles is not None else kind_titles()
    pid = _text(_col(patches, "patch_id"), n).tolist()
    kind = dict(zip(pid, _text(_col(patches, "kind"), n).tolist()))
    area = dict(zip(pid, np.nan_to_num(_num(_col(patches, "area_planar"), n)).tolist()))
    cur_action = dict(zip(pid, _text(_col(patches, "current_action"), n).tolist()))
    cur_target = dict(zip(pid, _text(_col(patches, "current_target"), n).tolist()))
    total_area = float(sum(area.values()))
    per: dict[str, dict] = {}
    latest: dict[tuple[str, str], tuple] = {}
    for r in decisions:
        if r.role not in ("opinion", "final") or r.patch_id not in kind:
            continue
        dept = r.department or r.reviewer or "?"
        d = per.setdefault(
            dept,
            {
                "rows": 0,
                "opinions": 0,
                "final": 0,
                "patches": set(),
                "last": "",
                "reviewers": set(),
                "conflicts": 0,
            },
        )
        d["rows"] += 1
        d["opinions" if r.role == "opinion" else "final"] += 1
        d["patches"].add(r.patch_id)
        d["reviewers"].add(r.reviewer or "")
        d["last"] = max(d["last"], r.written_utc or "")
        if r.state == "conflict":
            d["conflicts"] += 1
        if r.role == "opinion":
            latest[(dept, r.patch_id)] = (r.action, r.target)
    data: dict[str, list] = {
        c: []
        for c in (
            "department",
            "reviewers",
            "rows",
            "opinions",
            "final",
            "patches",
            "area",
            "share_patches",
            "share_area",
            "agree",
            "disagree",
            "open_conflicts",
            "last_utc",
        )
    }
    for dept in sorted(per):
        d = per[dept]
        agree = disagree = 0
        for p in d["patches"]:
            if (dept, p) in latest and cur_action.get(p):
                if latest[(dept, p)] == (cur_action[p], cur_target[p]):
                    agree += 1
                else:
                    disagree += 1
        a = float(sum(area[p] for p in d["patches"]))
        data["department"].append(dept)
        data["reviewers"].append(", ".join(sorted(x for x in d["reviewers"] if x)))
        data["rows"].append(d["rows"])
        data["opinions"].append(d["opinions"])
        data["final"].append(d["final"])
        data["patches"].append(len(d["patches"]))
        data["area"].append(a)
        data["share_patches"].append(_share(len(d["patches"]), n))
        data["share_area"].append(_share(a, total_area))
        data["agree"].append(agree)
        data["disagree"].append(disagree)
        data["open_conflicts"].append(d["conflicts"])
        data["last_utc"].append(d["last"] or None)
    cols = [
        Column("department", "部门", "department"),
        Column("reviewers", "评审人", "reviewers"),
        Column("rows", "记录数", "log rows", "int"),
        Column("opinions", "部门意见", "opinions", "int"),
        Column("final", "最终决定", "final decisions", "int"),
        Column("patches", "涉及图斑", "patches touched", "int"),
        Column("area", "涉及面积(m²)", "area touched m²", "real"),
        Column("share_patches", "图斑覆盖率", "share of patches", "real"),
        Column("share_area", "面积覆盖率", "share of area", "real"),
        Column("agree", "意见与当前决定一致", "opinion = current decision", "int"),
        Column("disagree", "意见与当前决定不同", "opinion ≠ current decision", "int"),
        Column("open_conflicts", "未解决冲突", "open conflicts", "int"),
        Column("last_utc", "最近记录(UTC)", "last activity (UTC)"),
    ]
    notes = []
    if not per:
        notes.append(tr("No decisions yet: no department has given an opinion or a decision."))
    dept_table = _table(
        "progress_department",
        "评审进度(按部门)",
        "Review progress by department",
        cols,
        data,
        notes,
        {"departments": len(per)},
    )
    dk: dict[str, list] = {c: [] for c in ("department", "kind", "kind_name", "patches", "area")}
    for dept in sorted(per):
        by_kind: dict[str, list] = {}
        for p in per[dept]["patches"]:
            by_kind.setdefault(kind[p] or "?", []).append(p)
        for k in sorted(by_kind):
            dk["department"].append(dept)
            dk["kind"].append(k)
            dk["kind_name"].append(titles.get(k, (k, k))[0])
            dk["patches"].append(len(by_kind[k]))
            dk["area"].append(float(sum(area[p] for p in by_kind[k])))
    dk_cols = [
        Column("department", "部门", "department"),
        Column("kind", "差异类型代码", "kind"),
        Column("kind_name", "差异类型", "kind name"),
        Column("patches", "涉及图斑", "patches touched", "int"),
        Column("area", "涉及面积(m²)", "area touched m²", "real"),
    ]
    return dept_table, _table(
        "progress_department_kind",
        "评审进度(部门×类型)",
        "Review progress by department and kind",
        dk_cols,
        dk,
    )


# -------------------------------------------------------------------------------------------- 9 control lines


def control_line_tables(store) -> list[ReportTable]:
    """Control-line figures: the stored lines per stage × line × street (sums of the stored areas),
    the line adjustments with their current choice, and the latest reconciliation run's statistics
    (computed by ``lines`` when it ran — reported, not recomputed)."""
    layers = store.layers()
    out: list[ReportTable] = []
    if "control_lines" in layers:
        t = store.read_layer("control_lines", with_geometry=False)
        n = len(t)
        stage = _text(_col(t, "stage"), n)
        line = _text(_col(t, "line_type"), n)
        unit = _text(_col(t, "unit"), n)
        area = np.nan_to_num(_num(_col(t, "area_planar"), n))
        area_e = np.nan_to_num(_num(_col(t, "area_ellipsoidal"), n))
        net = _num(_col(t, "net_area"), n)
        has_net = not np.isnan(net).all()
        data: dict[str, list] = {
            c: []
            for c in (
                "stage",
                "line_type",
                "line_name",
                "unit",
                "features",
                "area",
                "area_ha",
                "area_ellipsoidal",
                "net_area",
            )
        }
        stages = [s for s in LINE_STAGES if s in set(stage.tolist())] + sorted(
            {s for s in stage.tolist() if s and s not in LINE_STAGES}
        )
        for s in stages:
            for lt in sorted({x for x in line[stage == s].tolist() if x}):
                m = (stage == s) & (line == lt)
                groups = [(DISTRICT, m)] + [
                    (u, m & (unit == u)) for u in sorted({x for x in unit[m].tolist() if x is not None})
                ]
                if len(groups) == 2 and groups[1][0] in (DISTRICT, store.info().district):
                    groups = groups[:1]
                for u, mm in groups:
                    data["stage"].append(s)
                    data["line_type"].append(lt)
                    data["line_name"].append(role_title(lt)[0])
                    data["unit"].append(u)
                    data["features"].append(int(mm.sum()))
                    data["area"].append(float(area[mm].sum()))
                    data["area_ha"].append(float(area[mm].sum()) / 1e4)
                    data["area_ellipsoidal"].append(float(area_e[mm].sum()))
                    data["net_area"].append(float(np.nansum(net[mm])) if has_net else None)
        cols = [
            Column("stage", "阶段", "stage"),
            Column("line_type", "控制线", "line"),
            Column("line_name", "控制线名称", "line name"),
            Column("unit", "街道", "street"),
            Column("features", "要素数", "features", "int"),
            Column("area", "面积(m²)", "area m²", "real"),
            Column("area_ha", "面积(公顷)", "area ha", "real"),
            Column("area_ellipsoidal", "椭球面积(m²)", "ellipsoidal m²", "real"),
            Column("net_area", "净面积(扣除系数后, m²)", "net area (KCXS) m²", "real"),
        ]
        notes = [] if n else [tr("No control lines in the blueprint: run multiplan:reconcilecontrollines.")]
        out.append(_table("lines", "三条控制线面积", "Control lines", cols, data, notes))
    if "line_adjustments" in layers and "patches" in layers:
        adj = store.read_layer("line_adjustments", with_geometry=False)
        m = len(adj)
        pids = _text(_col(adj, "patch_id"), m)
        open_p = store.patches(
            kind=None,
            with_geometry=False,
            columns=["patch_id", "kind", "status", "current_action", "current_target"],
        )
        info = {
            p: (k, s, a, tg)
            for p, k, s, a, tg in zip(
                _text(open_p.columns.get("patch_id"), len(open_p)).tolist(),
                _text(open_p.columns.get("kind"), len(open_p)).tolist(),
                _text(open_p.columns.get("status"), len(open_p)).tolist(),
                _text(open_p.columns.get("current_action"), len(open_p)).tolist(),
                _text(open_p.columns.get("current_target"), len(open_p)).tolist(),
            )
        }
        keep = np.array([p in info for p in pids.tolist()], dtype=bool)
        proposal = _text(_col(adj, "proposal"), m)
        area = np.nan_to_num(_num(_col(adj, "area_planar"), m))
        given = _num(_col(adj, "given_up_area"), m)
        buhua = np.nan_to_num(_num(_col(adj, "buhua_area"), m))
        buhua_net = _num(_col(adj, "buhua_net"), m)
        choice = []
        kinds = []
        for p in pids.tolist():
            k, s, a, tg = info.get(p, (None, None, None, None))
            kinds.append(k)
            choice.append(tg if a == "adjust_line" else (a if a else "pending"))
        choice = np.array(choice, dtype=object)
        kinds = np.array(kinds, dtype=object)
        data = {
            c: []
            for c in (
                "kind",
                "kind_name",
                "proposal",
                "choice",
                "adjustments",
                "area",
                "given_up_area",
                "buhua_area",
                "buhua_net",
            )
        }
        titles = kind_titles()
        combos = sorted(
            {
                (k or "?", p or "?", c or "?")
                for k, p, c in zip(kinds[keep].tolist(), proposal[keep].tolist(), choice[keep].tolist())
            }
        )
        for k, p, c in combos:
            mm = keep & (kinds == k) & (proposal == p) & (choice == c)
            data["kind"].append(k)
            data["kind_name"].append(titles.get(k, (k, k))[0])
            data["proposal"].append(p)
            data["choice"].append(c)
            data["adjustments"].append(int(mm.sum()))
            data["area"].append(float(area[mm].sum()))
            data["given_up_area"].append(None if np.isnan(given).all() else float(np.nansum(given[mm])))
            data["buhua_area"].append(float(buhua[mm].sum()))
            data["buhua_net"].append(None if np.isnan(buhua_net).all() else float(np.nansum(buhua_net[mm])))
        cols = [
            Column("kind", "调整类型", "kind"),
            Column("kind_name", "调整类型名称", "kind name"),
            Column("proposal", "建议", "proposal"),
            Column("choice", "当前决定", "current choice"),
            Column("adjustments", "调整数", "adjustments", "int"),
            Column("area", "重叠面积(m²)", "overlap m²", "real"),
            Column("given_up_area", "让出面积(m²)", "given up m²", "real"),
            Column("buhua_area", "补划面积(m²)", "补划 m²", "real"),
            Column("buhua_net", "补划净面积(m²)", "补划 net m²", "real"),
        ]
        out.append(
            _table(
                "line_adjustments",
                "控制线调整",
                "Control-line adjustments",
                cols,
                data,
                [tr("Open LINE_* patches only; 'pending' = no current decision yet.")],
            )
        )
    run_rows = _latest_line_statistics(store)
    if run_rows:
        keys = (
            "section",
            "item",
            "other",
            "unit",
            "count",
            "count_after",
            "area",
            "area_after",
            "given_up",
            "retained",
            "pending",
            "buhua",
            "buhua_net",
            "note",
        )
        data = {k: [r.get(k) for r in run_rows] for k in keys}
        data["unit"] = [u if u is not None else DISTRICT for u in data["unit"]]
        cols = [
            Column("section", "部分", "section"),
            Column("item", "项目", "item"),
            Column("other", "对象", "other"),
            Column("unit", "街道", "street"),
            Column("count", "数量(前)", "count before", "real"),
            Column("count_after", "数量(后)", "count after", "real"),
            Column("area", "面积(前, m²)", "area before m²", "real"),
            Column("area_after", "面积(后, m²)", "area after m²", "real"),
            Column("given_up", "让出(m²)", "given up m²", "real"),
            Column("retained", "保留(m²)", "retained m²", "real"),
            Column("pending", "待定(m²)", "pending m²", "real"),
            Column("buhua", "补划(m²)", "补划 m²", "real"),
            Column("buhua_net", "补划净(m²)", "补划 net m²", "real"),
            Column("note", "说明", "note"),
        ]
        out.append(
            _table(
                "line_run_statistics",
                "三线协调统计(最近一次运行)",
                "Control-line statistics (latest run)",
                cols,
                data,
                [tr("As computed by the latest control-line run; not recomputed here.")],
            )
        )
    return out


def _latest_line_statistics(store) -> list[dict]:
    """District rows of the latest reconcile/apply run's stored statistics (line, overlap, buhua)."""
    try:
        runs = store.runs()
    except Exception:  # noqa: BLE001
        return []
    for run in reversed(runs):
        if run.get("status") != "finished" or not isinstance(run.get("stats"), dict):
            continue
        rows = run["stats"].get("statistics")
        if run.get("kind") in ("reconcile", "apply_lines", "apply") and isinstance(rows, list) and rows:
            return [
                r
                for r in rows
                if isinstance(r, dict)
                and r.get("section") in ("line", "overlap", "buhua")
                and r.get("unit") is None
            ]
    return []


# -------------------------------------------------------------------------------------------- plans


def layer_columns(store, name: str) -> list[str]:
    """The attribute columns of a blueprint layer (an empty read: no rows are fetched)."""
    return list(store.read_layer(name, where="0", with_geometry=False).columns)


def _read(store, name: str, wanted: Sequence[str]) -> FeatureTable:
    """A layer with its geometry and only the wanted columns that it has."""
    have = set(layer_columns(store, name))
    return store.read_layer(name, columns=[c for c in wanted if c in have])


BLUEPRINT_COLUMNS = (
    "mp_code",
    "mp_name",
    "mp_construction",
    "plan_construction",
    "mp_sandalei",
    "status",
    "unit",
)


def land_use_plan_layers(store) -> list[str]:
    """``plan_<role>`` layers that carry land use (harmonised, not zone plans)."""
    out = []
    for name, kind in sorted(store.layers().items()):
        if not name.startswith("plan_") or kind != "features":
            continue
        names = layer_columns(store, name)
        if "mp_code" not in names:
            continue
        if "mp_src_standard" not in names:
            out.append(name)
            continue
        t = store.read_layer(name, columns=["mp_src_standard"], with_geometry=False)
        std = _text(_col(t, "mp_src_standard"), len(t))
        zone = np.array([s in ZONE_STANDARDS for s in std.tolist()], dtype=bool)
        if len(t) and zone.mean() > 0.5:
            continue
        out.append(name)
    order = {f"plan_{r}": i for i, r in enumerate(ROLE_ORDER)}
    return sorted(out, key=lambda x: (order.get(x, 99), x))


# -------------------------------------------------------------------------------------------- atlas selection


def select_atlas_patches(
    patches: FeatureTable,
    *,
    max_pages: int = 200,
    include_slivers: bool = False,
    kinds: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    min_area: float | None = None,
) -> np.ndarray:
    """Patch ids for the atlas: the filter (default: non-sliver patches), largest first, ≤ ``max_pages``."""
    n = len(patches)
    ids = _text(_col(patches, "patch_id"), n)
    keep = np.ones(n, dtype=bool)
    if not include_slivers:
        keep &= ~_bools(patches, "is_sliver", n)
    if kinds:
        keep &= np.isin(_text(_col(patches, "kind"), n).astype(str), list(kinds))
    if statuses:
        keep &= np.isin(_text(_col(patches, "status"), n).astype(str), list(statuses))
    area = np.nan_to_num(_num(_col(patches, "area_planar"), n))
    if min_area is not None:
        keep &= area >= min_area
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((ids[idx].astype(str), -area[idx]))]
    return ids[order[: max(0, int(max_pages))]]


# ------------------------------------------------------------------------------------ the whole report


def split_by_streets(
    layer: FeatureTable, streets: FeatureTable, street_field: str | None, runner: ov.Runner | None = None
) -> FeatureTable:
    """The layer's features cut by the streets, each piece carrying its street in ``unit``.

    For a blueprint written without streets: per-street figures need exact pieces, not a feature's
    majority street.  Ground outside every street gets no unit.  Pieces keep their feature's fid, so
    the union rule (lowest id keeps an overlap) is unchanged.
    """
    if street_field and _col(streets, street_field) is None:
        raise ReportError(tr("The streets layer has no field {f}.").format(f=street_field))
    names = (
        _text(_col(streets, street_field), len(streets))
        if street_field
        else np.array([str(f) for f in streets.fids], dtype=object)
    )
    own = runner is None
    runner = runner or ov.Runner()
    try:
        region = ov.TiledRegion(np.asarray(streets.geoms, dtype=object), runner)
        geoms = np.asarray(layer.geoms, dtype=object)
        ok = ~shapely.is_missing(geoms)
        idx = np.flatnonzero(ok)
        pieces = ov.split_by_units(geoms[idx], region, runner)  # ground outside every street: owner −1
    finally:
        if own:
            runner.close()
    src = idx[pieces.src].astype(np.intp)
    g = np.asarray(pieces.geoms, dtype=object)
    unit = (
        np.where(pieces.owner >= 0, names[np.maximum(pieces.owner, 0)], None).astype(object)
        if len(names)
        else np.full(len(g), None, dtype=object)
    )
    keep = shapely.area(g) > 0
    src, g, unit = src[keep], g[keep], unit[keep]
    out = layer.take(src)
    out.geoms = g
    out.columns["unit"] = unit
    out.field_types["unit"] = "text"
    return out


def _street_areas(blueprint: FeatureTable | None, ua: UnionAreas | None) -> dict[str, float]:
    if blueprint is None or ua is None or not len(blueprint):
        return {}
    unit = _text(_col(blueprint, "unit"), len(blueprint))
    units, inv = _keys(unit, NO_UNIT)
    sums = np.bincount(inv, weights=ua.area, minlength=len(units))
    out = {u: float(a) for u, a in zip(units.tolist(), sums.tolist())}
    out[DISTRICT] = float(ua.area.sum())
    return out


def build_report(
    store,
    *,
    current_landuse: FeatureTable | None = None,
    current_code_field: str | None = None,
    population: float | None = None,
    quota_m2: float | None = None,
    flag: str = "plan_construction",
    include_closed: bool = False,
    streets: FeatureTable | None = None,
    street_field: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Report:
    """Every table of the report from an open blueprint (see the module docstring).

    Missing pieces do not stop the report; they become notes: no patches (empty blueprint), no
    decisions yet, no ``blueprint`` layer (apply has not run: no blueprint balance, quota or 新增),
    no current land use (no 新增建设用地), no control lines.
    """
    from .gpkg import utc_now

    if flag not in FLAGS:
        raise ReportError(
            tr("Unknown construction flag {flag}; use one of {flags}.").format(
                flag=flag, flags=", ".join(FLAGS)
            )
        )
    if population is not None and population < 0:
        raise ReportError(tr("The population cannot be negative ({p}).").format(p=population))
    if population == 0:
        population = None
    tables = CodeTables.load()
    titles = kind_titles()
    info = store.info()
    messages: list[str] = []
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(name: str, fraction: float, text: str) -> None:
        now = time.perf_counter()
        timings[name] = now - clock[0]
        clock[0] = now
        if is_cancelled is not None and is_cancelled():
            raise ov.Cancelled(tr("Cancelled"))
        if progress is not None:
            progress(fraction, text)

    layers = store.layers()
    out: dict[str, ReportTable] = {}
    runner = ov.Runner(is_cancelled=is_cancelled)
    try:
        # patches, ledger, statistics
        if "patches" in layers:
            patches = store.patches(include_closed=include_closed, order_by="patch_id", with_geometry=False)
            plans = store.patch_plans()
        else:
            patches = FeatureTable(np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64))
            plans = {}
        if not len(patches):
            messages.append(
                tr("The blueprint has no difference patches yet: run multiplan:detectdifferences.")
            )
        out["ledger"] = ledger(patches, plans, titles=titles)
        lap("ledger", 0.1, tr("Ledger"))

        blueprint = None
        bp_ua = None
        if "blueprint" in layers:
            blueprint = _read(store, "blueprint", BLUEPRINT_COLUMNS)
            if not len(blueprint):
                messages.append(tr("The blueprint layer is empty: run multiplan:applydecisions."))
        else:
            messages.append(
                tr(
                    "The blueprint has no 'blueprint' layer yet (run multiplan:applydecisions): "
                    "no balance table, "
                    "quota check or 新增建设用地 for the blueprint."
                )
            )
        if blueprint is not None and len(blueprint):
            if streets is not None and not any(
                u is not None for u in _text(_col(blueprint, "unit"), len(blueprint))
            ):
                blueprint = split_by_streets(
                    blueprint,
                    to_working(streets, info.crs_wkt, tr("The streets layer"), messages),
                    street_field,
                    runner,
                )
                messages.append(
                    tr(
                        "The blueprint layer has no street: its features were "
                        "split by the streets layer given."
                    )
                )
            bp_ua = union_areas(blueprint.geoms, blueprint.fids, "blueprint", info.crs_wkt, runner)
        lap("blueprint", 0.3, tr("Blueprint"))
        out["kind_street"] = kind_street_statistics(
            patches, street_areas=_street_areas(blueprint, bp_ua), titles=titles
        )

        # balance tables: each plan copy, the current land use, the blueprint
        balances: list[str] = []
        for name in land_use_plan_layers(store):
            t = _read(store, name, ("mp_code",))
            ua = union_areas(t.geoms, t.fids, name, info.crs_wkt, runner)
            role = name[5:]
            zh, en = role_title(role)
            key = f"balance_{role}"
            out[key] = balance_table(
                key,
                f"用地平衡表·{zh}",
                f"Land-use balance: {en}",
                _col(t, "mp_code"),
                ua,
                tables=tables,
                population=population,
            )
            balances.append(key)
        lap("plans", 0.55, tr("Plans"))
        current = None
        if current_landuse is not None:
            current = prepare_current_landuse(
                to_working(current_landuse, info.crs_wkt, tr("The current land-use layer"), messages),
                code_field=current_code_field,
                messages=messages,
            )
            ua = union_areas(current.geoms, current.fids, "current", info.crs_wkt, runner)
            out["balance_current"] = balance_table(
                "balance_current",
                "用地平衡表·现状(三调)",
                "Land-use balance: current land use",
                _col(current, "mp_code"),
                ua,
                tables=tables,
                population=population,
            )
            balances.append("balance_current")
        if blueprint is not None and len(blueprint):
            status = _text(_col(blueprint, "status"), len(blueprint))
            pend = np.array([s == "pending" for s in status.tolist()], dtype=bool)
            if _col(blueprint, "status") is None:
                messages.append(tr("The blueprint layer has no status column: all of it is taken as final."))
            out["balance_blueprint"] = balance_table(
                "balance_blueprint",
                "用地平衡表·一张蓝图",
                "Land-use balance: blueprint",
                _col(blueprint, "mp_code"),
                bp_ua,
                tables=tables,
                pending=pend,
                population=population,
            )
            balances.append("balance_blueprint")
            qc, qt = quota_check(blueprint, bp_ua, flag=flag, quota_m2=quota_m2, tables=tables)
            out["quota"] = qt
            messages.append(qc.message)
        else:
            qc = None
        lap("balance", 0.7, tr("Balance tables"))
        if current is not None and blueprint is not None and len(blueprint):
            out["new_construction"] = new_construction(
                bp_ua.geoms, blueprint, current, flag=flag, crs_wkt=info.crs_wkt, tables=tables, runner=runner
            )
        elif current_landuse is None:
            messages.append(tr("No current land-use (三调) layer given: no 新增建设用地 table."))
        lap("new_construction", 0.85, tr("New construction land"))

        out["progress_kind"] = progress_by_kind(patches, titles=titles)
        decisions = store.decisions() if "decisions" in layers else []
        dt, dkt = progress_by_department(decisions, patches, titles=titles)
        out["progress_department"] = dt
        out["progress_department_kind"] = dkt
        if len(patches) and not any(r.role in ("opinion", "final") for r in decisions):
            messages.append(tr("No decisions yet: the ledger shows every patch as undecided."))
        for t in control_line_tables(store):
            out[t.key] = t
        lap("progress_lines", 1.0, tr("Progress and control lines"))
    finally:
        runner.close()

    nd = out["progress_kind"].extras["decided"]
    summary = {
        "patches": len(patches),
        "decided": nd,
        "share_decided": nd / len(patches) if len(patches) else 0.0,
        "patch_area": out["ledger"].extras["area_total"],
        "balances": balances,
        "flag": flag,
        "construction": qc.counted_m2 if qc else None,
        "quota": quota_m2,
        "remaining": qc.remaining_m2 if qc else None,
        "usage": qc.usage if qc else None,
        "exceeded": qc.exceeded if qc else None,
        "pending": qc.pending_m2 if qc else None,
        "quota_message": qc.message if qc else None,
        "new_construction": out["new_construction"].extras["total"] if "new_construction" in out else None,
        "population": population,
        "blueprint_area": bp_ua.total if bp_ua else None,
    }
    project = {
        "name": info.project_name,
        "district": info.district,
        "crs": info.crs_authid,
        "path": info.path,
        "schema_version": info.schema_version,
        "created_utc": info.created_utc,
        "updated_utc": info.updated_utc,
    }
    parameters = {
        "flag": flag,
        "flag_text": flag_text(flag),
        "quota_m2": quota_m2,
        "population": population,
        "include_closed": include_closed,
        "current_landuse": getattr(current_landuse, "name", None) if current_landuse is not None else None,
    }
    return Report(project, parameters, out, summary, messages, timings, utc_now())


def report_json(report: Report) -> str:
    """The summary and parameters as JSON (for logs and the Processing results)."""
    return json.dumps(
        {"project": report.project, "parameters": report.parameters, "summary": report.summary},
        ensure_ascii=False,
        default=str,
    )
