#!/usr/bin/env python3
"""A synthetic review blueprint: patches of every kind, 2–4 plans each, control lines, history.

    python3 dev/review_blueprint.py OUT.gpkg --n 300 [--seed 0] [--no-plan-copies] [--no-history]

The review dock's tests, its benchmark (``dev/bench_cases/next_patch.py``, 50k patches) and its
screenshots need blueprints that look like what detection writes (``docs/blueprint-contract.md``),
with every situation a reviewer meets, at any size, in a second or two — without running the whole
pipeline.  Everything here goes through :class:`BlueprintStore` (no file is written by hand):

* ``n`` patches on a jittered grid of 200 m cells over eight streets (街道), one kind each from the
  rule table (``data/rules/detection_rules.csv``) plus two control-line adjustment kinds (``LINE_*``);
  severity from the rule, areas from the geometry (the ellipsoidal one scaled), ~8 % thin slivers with
  a reason;
* ``patch_plans`` rows with real codes from the shipped crosswalks (urban plan GB 50137, land-use
  plan TD/T 1024, eco plan 生态红线 levels, development plan 主体功能区 zones): the rule's roles, and for
  a third of the patches one or two further plans, so 2–4 plans side by side;
* ``control_lines`` (red line, permanent farmland, urban development boundary) drawn around the
  patches whose kinds name them, and ``line_adjustments`` for the ``LINE_*`` patches;
* optionally plan copies (``plan_urban``, ``plan_land``) as parcels covering the district;
* optionally a history: department opinions (some disagreeing), final decisions of every action,
  one conflict, then a second run that closes a few decided patches, replaces them with new ids that
  list their predecessors, and flags a few others "changed, re-confirm".

Deterministic for a given ``seed``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / ".build" / "py") not in sys.path:
    sys.path.insert(0, str(ROOT / ".build" / "py"))

from multiplan.algorithms.codes import CodeTables  # noqa: E402
from multiplan.algorithms.rules import load_rules  # noqa: E402
from multiplan.algorithms.store import BlueprintStore, Decision  # noqa: E402
from multiplan.algorithms.table import FeatureTable  # noqa: E402

CELL = 200.0
X0, Y0 = 500000.0, 3540000.0
STREETS = ("江浦街道", "桥林街道", "汤泉街道", "星甸街道", "永宁街道", "顶山街道", "泰山街道", "沿江街道")
OFFICE = ("王主任", "领导小组办公室")
DEPARTMENTS = (("张工", "规划分局"), ("李工", "国土分局"), ("陈工", "区环保局"), ("刘工", "区发改局"))
LINE_KINDS = {
    # kind (data/rules/line_rules.csv): (severity, protected line, intruding line)
    "LINE_RED_FARM": (4, "eco_redline", "farmland"),
    "LINE_FARM_DEV": (4, "farmland", "dev_boundary"),
}
LINE_TITLES = {"eco_redline": "生态保护红线", "farmland": "永久基本农田", "dev_boundary": "城镇开发边界"}
# Share of each kind family among the patches (two-plan differences dominate, as in practice).
WEIGHTS = {
    "LG_URBAN_CON": 22,
    "LG_LAND_CON": 14,
    "CL_CON": 8,
    "CL_NONCON": 6,
    "CL_FOREST_CON": 0,  # needs a forestry plan the synthetic district does not have
    "RL_URBAN": 5,
    "RL_LAND": 3,
    "ECO1_URBAN": 3,
    "ECO1_LAND": 2,
    "ECO2_URBAN": 3,
    "ECO2_LAND": 2,
    "PF_URBAN": 6,
    "PF_LAND": 3,
    "UB_URBAN": 5,
    "UB_LAND": 3,
    "ZN_URBAN": 2,
    "ZN_LAND": 1,
    "KP_LAND": 3,
    "LINE_RED_FARM": 4,
    "LINE_FARM_DEV": 3,
}
STANDARD = {
    "urban": "GB50137-2011",
    "land": "TDT1024-2010",
    "eco": "STHX",
    "development": "ZTGN",
    "projects": "",
}
LAYER = {
    "urban": "urban_plan",
    "land": "land_plan",
    "eco": "eco_plan",
    "development": "development_plan",
    "projects": "key_projects",
}
PROJECTS = (
    ("XM2023-01", "浦口经济开发区扩区"),
    ("XM2023-07", "江北新区储能产业园"),
    ("XM2024-03", "桥林污水处理厂三期"),
)
ZONE_ROLES = ("eco", "development", "projects")


def _code_pools(tables: CodeTables) -> dict[tuple[str, int], list[tuple[str, str, str, str, int]]]:
    """(role, construction) -> [(src_code, src_name, mp_code, mp_name, construction)] from the crosswalks."""
    pools: dict[tuple[str, int], list] = {}
    for role in ("urban", "land"):
        std = STANDARD[role]
        entries = tables.standard_entries(std)
        for code, row in sorted(tables.crosswalk(std).items()):
            if not row.target_code or row.construction is None or len(code) < 2:
                continue
            name = entries[code].name if code in entries else (row.source_name or "")
            pools.setdefault((role, int(row.construction)), []).append(
                (
                    code,
                    name,
                    row.target_code,
                    tables.unified_name(row.target_code) or "",
                    int(row.construction),
                )
            )
    for role in ("eco", "development"):
        for code, e in sorted(tables.standard_entries(STANDARD[role]).items()):
            pools.setdefault((role, -1), []).append((code, e.name, code, e.name, -1))
    pools[("projects", -1)] = [(code, name, None, None, -1) for code, name in PROJECTS]
    return pools


def _pick(pools, rng, role: str, construction: int | None, *, zone: str | None = None):
    if role in ZONE_ROLES:
        pool = pools[(role, -1)]
        if zone:
            hits = [p for p in pool if zone in p[1]]
            pool = hits or pool
        return pool[int(rng.integers(len(pool)))]
    c = construction if construction in (0, 1) else int(rng.integers(2))
    pool = pools[(role, c)]
    return pool[int(rng.integers(len(pool)))]


def _patch_geometries(n: int, rng: np.random.Generator, sliver: np.ndarray):
    """One polygon per patch inside its own grid cell; slivers are thin strips."""
    cols = int(np.ceil(np.sqrt(n * 1.6)))
    cells = rng.permutation(cols * int(np.ceil(n / cols) + 1))[:n]
    cx = X0 + (cells % cols) * CELL
    cy = Y0 + (cells // cols) * CELL
    w = rng.uniform(30, 150, n)
    h = rng.uniform(30, 150, n)
    w = np.where(sliver, rng.uniform(60, 160, n), w)
    h = np.where(sliver, rng.uniform(1.5, 4.5, n), h)
    ox = cx + rng.uniform(10, CELL - 10 - np.minimum(w, CELL - 20))
    oy = cy + rng.uniform(10, CELL - 10 - np.minimum(h, CELL - 20))
    boxes = shapely.box(ox, oy, ox + np.minimum(w, CELL - 20), oy + np.minimum(h, CELL - 20))
    # A notch in half of them, so they are not all rectangles.
    notch = (~sliver) & (rng.random(n) < 0.5)
    cut = shapely.box(ox, oy, ox + w * 0.35, oy + h * 0.35)
    geoms = np.where(notch, shapely.difference(boxes, cut), boxes)
    street = np.minimum(((cx - X0) / (cols * CELL) * len(STREETS)).astype(int), len(STREETS) - 1)
    return geoms, street, cols


def build(
    path: str | Path,
    n: int = 300,
    *,
    seed: int = 0,
    project_name: str = "浦口区多规合一",
    district: str = "浦口区",
    crs_authid: str = "EPSG:4549",
    plan_copies: bool = True,
    history: bool = True,
    pending_dir: str | None = None,
    lock_timeout: float = 5.0,
    overwrite: bool = True,
) -> BlueprintStore:
    """Create the blueprint at ``path`` and return the open store (see the module docstring)."""
    rng = np.random.default_rng(seed)
    tables = CodeTables.load()
    rules = {r.kind: r for r in load_rules().rules}
    pools = _code_pools(tables)
    kinds_all = [k for k, wt in WEIGHTS.items() if wt]
    p = np.array([WEIGHTS[k] for k in kinds_all], dtype=float)
    kinds = np.array(kinds_all, dtype=object)[rng.choice(len(kinds_all), n, p=p / p.sum())]
    sliver = (rng.random(n) < 0.08) & np.array([not k.startswith("LINE_") for k in kinds])
    geoms, street, cols = _patch_geometries(n, rng, sliver)
    ids = np.array([f"P{i:06d}" for i in range(n)], dtype=object)
    severity = np.array(
        [LINE_KINDS[k][0] if k in LINE_KINDS else rules[k].severity for k in kinds], dtype=np.int64
    )
    area = shapely.area(geoms)
    # patch_plans: the rule's roles, and for a third of the patches the eco / development plan too.
    plan_rows: dict[str, list] = {
        c: []
        for c in (
            "patch_id",
            "role",
            "layer",
            "src_standard",
            "src_code",
            "src_name",
            "mp_code",
            "mp_name",
            "mp_level",
            "mp_construction",
            "line_role",
        )
    }
    codes_text = []
    for i, kind in enumerate(kinds):
        roles: list[tuple[str, int | None, str | None]] = []
        if kind in LINE_KINDS:
            # As control-line reconciliation writes them: one row per line, named, no land use.
            for line, side in zip(LINE_KINDS[kind][1:], ("protected", "intruder")):
                row = {
                    "patch_id": ids[i],
                    "role": line,
                    "layer": line,
                    "src_code": LINE_TITLES[line],
                    "src_name": LINE_TITLES[line],
                    "line_role": side,
                }
                for k in plan_rows:
                    plan_rows[k].append(row.get(k))
            codes_text.append("|".join(f"{line}" for line in LINE_KINDS[kind][1:]))
            continue
        else:
            rule = rules[kind]
            a_c = (
                1
                if "construction=1" in rule.a_classes.expr
                else 0
                if "construction=0" in rule.a_classes.expr
                else None
            )
            roles.append((rule.a_role, a_c, None))
            if rule.b_role:
                b_expr = rule.b_classes.expr if rule.b_classes else ""
                b_c = 1 if "construction=1" in b_expr else 0 if "construction=0" in b_expr else None
                zone = None
                if "zone:" in b_expr:
                    zone = b_expr.split("zone:", 1)[1].split("|")[0]
                roles.append((rule.b_role, b_c, zone))
            if rng.random() < 0.35:
                present = {r for r, _, _ in roles}
                for extra in ("eco", "development", "land", "urban"):  # never a second projects row
                    if extra not in present and len(roles) < 4:
                        roles.append((extra, None, None))
                        if rng.random() < 0.6:
                            break
        parts = []
        for role, c, zone in roles:
            src, name, mp, mp_name, con = _pick(pools, rng, role, c, zone=zone)
            plan_rows["patch_id"].append(ids[i])
            plan_rows["role"].append(role)
            plan_rows["layer"].append(LAYER[role])
            plan_rows["src_standard"].append(STANDARD[role] or None)
            plan_rows["src_code"].append(src)
            plan_rows["src_name"].append(name)
            plan_rows["mp_code"].append(mp)
            plan_rows["mp_name"].append(mp_name)
            plan_rows["mp_level"].append(tables.unified_level(mp) if role in ("urban", "land") else None)
            plan_rows["mp_construction"].append(None if con < 0 else con)
            plan_rows["line_role"].append(None)
            parts.append(f"{role}:{mp or src}")
        codes_text.append("|".join(parts))
    plans = {k: np.array(v, dtype=object) for k, v in plan_rows.items()}
    reasons = np.where(sliver, np.where(rng.random(n) < 0.5, "width ≤ 5 m", "area < 200 m²"), None).astype(
        object
    )
    patches = FeatureTable(
        geoms=geoms,
        fids=np.arange(n),
        columns={
            "patch_id": ids,
            "kind": kinds,
            "severity": severity,
            "unit": np.array(STREETS, dtype=object)[street],
            "codes": np.array(codes_text, dtype=object),
            "area_planar": area,
            "area_ellipsoidal": area * 1.00021,
            "is_sliver": sliver,
            "sliver_reason": reasons,
            "fingerprint": np.array([f"fp{seed}-{i}" for i in range(n)], dtype=object),
        },
    )
    store = BlueprintStore.create(
        str(path),
        project_name=project_name,
        district=district,
        crs_authid=crs_authid,
        overwrite=overwrite,
        pending_dir=pending_dir,
        lock_timeout=lock_timeout,
    )
    run = store.begin_run("detect", inputs=[{"role": r} for r in ("urban", "land", "eco", "development")])
    with store.run_writer(run) as w:
        w.write_patches(patches, plans)
        w.write_control_lines(_control_lines(geoms, kinds, cols, n), "input")
        line_idx = np.array([k in LINE_KINDS for k in kinds])
        if line_idx.any():
            w.write_line_adjustments(_line_adjustments(geoms, kinds, ids, street, line_idx, rng))
        if plan_copies:
            for role in ("urban", "land"):
                w.write_plan_copy(role, _plan_copy(role, geoms, cols, n, pools, rng))
        w.finish()
    if history:
        _history(store, ids, kinds, sliver, plans, rng, geoms, patches)
    return store


def _control_lines(geoms, kinds, cols: int, n: int) -> FeatureTable:
    def around(mask) -> object:
        sel = geoms[mask]
        if len(sel) == 0:
            return shapely.box(X0, Y0, X0 + 1, Y0 + 1)
        return shapely.union_all(shapely.buffer(sel, 40.0, quad_segs=2))

    k = np.asarray(kinds, dtype=str)
    red = around(np.char.startswith(k, "RL_") | np.char.startswith(k, "ECO1") | (k == "LINE_RED_FARM"))
    farm = around(np.char.startswith(k, "PF_") | np.char.startswith(k, "LINE_"))
    rows = int(np.ceil(n / cols) + 1)
    core = shapely.box(
        X0 + cols * CELL * 0.25, Y0 + rows * CELL * 0.2, X0 + cols * CELL * 0.75, Y0 + rows * CELL * 0.8
    )
    bound = shapely.difference(
        shapely.union(core, around(k == "LINE_FARM_DEV")), around(np.char.startswith(k, "UB_"))
    )
    # One feature per part, as line layers come (a red line is many areas, not one multipolygon).
    parts = [shapely.get_parts(x) for x in (red, farm, bound)]
    g = np.concatenate(parts)
    line_type = np.repeat(
        np.array(["eco_redline", "farmland", "dev_boundary"], dtype=object), [len(x) for x in parts]
    )
    names = {"eco_redline": "生态保护红线", "farmland": "永久基本农田", "dev_boundary": "城镇开发边界"}
    return FeatureTable(
        geoms=g,
        fids=np.arange(len(g)),
        columns={
            "line_type": line_type,
            "name": np.array([names[t] for t in line_type], dtype=object),
            "unit": np.full(len(g), "浦口区", dtype=object),
            "area_planar": shapely.area(g),
            "area_ellipsoidal": shapely.area(g) * 1.00021,
        },
    )


def _line_adjustments(geoms, kinds, ids, street, sel, rng) -> FeatureTable:
    k = np.asarray(kinds, dtype=object)[sel]
    g = np.asarray(geoms)[sel]
    m = len(g)
    area = shapely.area(g)
    # As reconciliation writes them: line_type gives the ground up (under 保留, the one that would).
    line = np.array([LINE_KINDS[x][2] for x in k], dtype=object)
    other = np.array([LINE_KINDS[x][1] for x in k], dtype=object)
    proposal = np.where(k == "LINE_RED_FARM", "retain", "withdraw").astype(object)
    return FeatureTable(
        geoms=g,
        fids=np.arange(m),
        columns={
            "adjustment_id": np.array([f"A{x[1:]}" for x in np.asarray(ids)[sel]], dtype=object),
            "patch_id": np.asarray(ids, dtype=object)[sel],
            "line_type": line,
            "other_line": other,
            "proposal": proposal,
            "rule": np.array(
                [
                    f"{x}: {LINE_TITLES[LINE_KINDS[x][2]]}与{LINE_TITLES[LINE_KINDS[x][1]]}重叠 — {p}"
                    for x, p in zip(k, proposal)
                ],
                dtype=object,
            ),
            "unit": np.array(STREETS, dtype=object)[np.asarray(street)[sel]],
            "area_planar": area,
            "area_ellipsoidal": area * 1.00021,
            "buhua_area": np.where(line == "farmland", area, 0.0),
        },
    )


def _plan_copy(role: str, geoms, cols: int, n: int, pools, rng) -> FeatureTable:
    """Parcels (four per cell) covering the district, with harmonised fields."""
    rows = int(np.ceil(n / cols) + 1)
    gx, gy = np.meshgrid(np.arange(cols * 2), np.arange(rows * 2))
    half = CELL / 2
    x = X0 + gx.ravel() * half
    y = Y0 + gy.ravel() * half
    g = shapely.box(x, y, x + half, y + half)
    m = len(g)
    cons = (rng.random(m) < (0.55 if role == "urban" else 0.35)).astype(int)
    picks = [_pick(pools, rng, role, int(c)) for c in cons]
    return FeatureTable(
        geoms=g,
        fids=np.arange(m),
        columns={
            ("YDDM" if role == "urban" else "DLBM"): np.array([p[0] for p in picks], dtype=object),
            "mp_src_standard": np.full(m, STANDARD[role], dtype=object),
            "mp_src_code": np.array([p[0] for p in picks], dtype=object),
            "mp_code": np.array([p[2] for p in picks], dtype=object),
            "mp_name": np.array([p[3] for p in picks], dtype=object),
            "mp_construction": cons,
        },
        crs_wkt="",
    )


def _history(store: BlueprintStore, ids, kinds, sliver, plans, rng, geoms, patches) -> None:
    """Opinions, decisions of every action, a conflict; then a re-detection that closes, replaces, flags."""
    n = len(ids)
    roles: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    for pid, role, code in zip(plans["patch_id"], plans["role"], plans["mp_code"]):
        roles.setdefault(pid, []).append(role)
        if role in ("urban", "land") and code:
            codes.setdefault(pid, []).append(code)
    order = rng.permutation(n)
    chosen = order[: max(8, n // 8)]
    current: dict[str, str | None] = {}

    def final(pid, action, target, comment, reason="policy"):
        d = Decision(
            pid,
            action,
            OFFICE[0],
            role="final",
            department=OFFICE[1],
            target=target,
            reason_code=reason,
            comment=comment,
            based_on=current.get(pid),
        )
        r = store.record_decision(d)
        if r.outcome == "current":
            current[pid] = d.decision_id
        return d

    def opinion(pid, who, action, target, comment, reason="policy"):
        store.record_decision(
            Decision(
                pid,
                action,
                who[0],
                role="opinion",
                department=who[1],
                target=target,
                reason_code=reason,
                comment=comment,
            )
        )

    decided: list[str] = []
    for j, i in enumerate(chosen):
        pid = str(ids[i])
        rs = roles.get(pid) or []
        kind = str(kinds[i])
        if kind.startswith("LINE_"):
            final(pid, "adjust_line", "retain" if j % 2 else "withdraw", "三线协调：按调整方案", "line")
        elif sliver[i]:
            final(pid, "technical_error", None, "数字化误差形成的碎片", "digitising")
        elif not rs:
            continue
        elif j % 7 == 0:
            opinion(pid, DEPARTMENTS[0], "adopt_plan", rs[0], "按城乡规划")
            opinion(pid, DEPARTMENTS[1], "adopt_plan", rs[-1], "按土地利用总体规划")
        elif j % 7 == 1:
            opinion(pid, DEPARTMENTS[1], "adopt_plan", rs[-1], "按土地利用总体规划")
            final(pid, "adopt_plan", rs[-1], "采纳土地利用总体规划")
        elif j % 7 == 2:
            final(pid, "adopt_plan", rs[0], "采纳城乡规划，纳入城镇开发边界")
        elif j % 7 == 3:
            final(pid, "set_class", (codes.get(pid) or ["0103"])[-1], "统一为用地用海分类")
        elif j % 7 == 4:
            final(pid, "exception", rs[0], "特批例外，两规各自保留", "approved")
        elif j % 7 == 5:
            final(pid, "defer", None, "待专家评审", "expert")
        else:
            first = final(pid, "adopt_plan", rs[0], "采纳城乡规划")
            # A second office member decided without refreshing: a conflict.
            stale = Decision(
                pid,
                "adopt_plan",
                "赵科长",
                role="final",
                department=OFFICE[1],
                target=rs[-1],
                reason_code="policy",
                comment="未刷新即决定",
                based_on=None,
            )
            store.record_decision(stale)
            del first
        if current.get(pid):
            decided.append(pid)
    # Second run: close two decided patches, replace them (new ids listing predecessors), re-confirm others.
    if len(decided) < 4:
        return
    gone = decided[:2]
    changed = decided[2:4]
    idx = {str(p): k for k, p in enumerate(ids)}
    new_ids = [f"{p}-R" for p in gone]
    sel = np.array([idx[p] for p in gone])
    repl = FeatureTable(
        geoms=shapely.buffer(np.asarray(geoms)[sel], 3.0, join_style="mitre"),
        fids=np.arange(len(sel)),
        columns={
            **{
                k: np.asarray(v, dtype=object)[sel]
                for k, v in patches.columns.items()
                if k not in ("patch_id", "area_planar", "area_ellipsoidal", "is_sliver")
            },
            "patch_id": np.array(new_ids, dtype=object),
            "is_sliver": np.zeros(len(sel), dtype=bool),
            "predecessors": _lists([[p] for p in gone]),
        },
    )
    a = shapely.area(repl.geoms)
    repl.columns["area_planar"] = a
    repl.columns["area_ellipsoidal"] = a * 1.00021
    keep = [k for k, pid in enumerate(plans["patch_id"]) if pid in gone]
    rp = {k: np.asarray(v, dtype=object)[keep] for k, v in plans.items()}
    rp["patch_id"] = np.array([f"{p}-R" for p in rp["patch_id"]], dtype=object)
    run = store.begin_run("detect", inputs=[{"role": "urban"}, {"role": "land"}], parameters={"revision": 1})
    with store.run_writer(run) as w:
        w.write_patches(repl, rp)
        w.close_patches(gone)
        w.flag_reconfirm(
            new_ids, reason="replaces earlier patches", predecessors={f"{p}-R": [p] for p in gone}
        )
        w.flag_reconfirm(changed, reason="geometry changed by the revised plan")
        w.finish()


def _lists(values: list[list[str]]) -> np.ndarray:
    """An object array whose items are lists (numpy would otherwise make a 2-D array)."""
    out = np.empty(len(values), dtype=object)
    for k, v in enumerate(values):
        out[k] = v
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-plan-copies", action="store_true")
    ap.add_argument("--no-history", action="store_true")
    args = ap.parse_args(argv)
    store = build(
        args.out, args.n, seed=args.seed, plan_copies=not args.no_plan_copies, history=not args.no_history
    )
    p = store.progress()
    print(
        f"{args.out}: {p.n_total} open patches, {p.n_decided} decided, {p.n_conflicts} with conflicts, "
        f"{p.n_reconfirm} to re-confirm"
    )
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
