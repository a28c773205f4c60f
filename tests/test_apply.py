"""applydecisions engine on a hand-built district with known answers, cell by cell.

Two plans drawn on the same 100 m cells (so every patch is exactly a cell or half a cell), a red line
over two half cells and an eco plan over one cell; detection writes them into a blueprint
(``run_detection``), decisions are recorded through the store, and the blueprint must give each cell
the class DESIGN.md's rule says: agreement, precedence, only one plan, each decision action, kind
precedence with the losing decision in the provenance, and pending.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from multiplan.algorithms.apply import (
    ApplyError,
    ApplyParams,
    apply_decisions,
    build_blueprint,
    landuse_roles,
)
from multiplan.algorithms.detect import LineInput, PlanInput
from multiplan.algorithms.detection_run import run_detection
from multiplan.algorithms.store import BlueprintStore, Decision
from multiplan.algorithms.table import FeatureTable
from pyproj import CRS

WKT = CRS.from_epsg(4548).to_wkt()
X0, Y0, S = 600000.0, 3540000.0, 100.0

# name: (column, row, urban (code, construction, source), land (code, construction, source))
CELLS = {
    "A": (0, 0, ("0701", 1, "R2"), ("G01", 1, "211")),  # agree: the finer (urban 0701)
    "B": (1, 0, ("G13", 0, "E2"), ("01", 0, "11")),  # agree: the finer (land 01)
    "C": (2, 0, ("0901", 1, "B1"), ("G02", 1, "212")),  # both construction, no patch: urban
    "D": (3, 0, ("1704", 0, "E13"), ("03", 0, "13")),  # CL_NONCON, set_class 0304
    "E": (4, 0, ("0701", 1, "R2"), ("01", 0, "11")),  # LG_URBAN_CON, adopt land
    "F": (5, 0, ("1001", 1, "M1"), ("02", 0, "12")),  # LG_URBAN_CON, exception urban
    "G": (6, 0, ("G13", 0, "E2"), ("G01", 1, "211")),  # LG_LAND_CON, adopt 'eco' (protection)
    "H": (7, 0, ("0702", 1, "R1"), ("01", 0, "11")),  # LG_URBAN_CON, technical error -> I's class
    "I": (8, 0, ("G13", 0, "E2"), ("01", 0, "11")),  # agree (land 01)
    "J": (9, 0, ("0701", 1, "R2"), ("01", 0, "11")),  # LG_URBAN_CON, undecided -> pending
    "K": (10, 0, ("0901", 1, "B1"), None),  # only the urban plan
    "N": (11, 0, ("1703", 0, "E12"), ("1703", 1, "226")),  # LG_LAND_CON (reservoir), adopt land
    "L": (0, 1, ("0701", 1, "R2"), ("01", 0, "11")),  # LG adopt urban; red line half: adopt land
    "M": (3, 1, ("0701", 1, "R2"), ("01", 0, "11")),  # LG adopt urban; red line half undecided
}
STD = {"urban": "GB50137-2011", "land": "TDT1024-2010"}


def cell(name: str, half: str | None = None):
    c, r = CELLS[name][:2]
    x0, y0 = X0 + c * S, Y0 + r * S
    if half == "left":
        return shapely.box(x0, y0, x0 + S / 2, y0 + S)
    if half == "right":
        return shapely.box(x0 + S / 2, y0, x0 + S, y0 + S)
    return shapely.box(x0, y0, x0 + S, y0 + S)


def centre(name: str, half: str | None = None):
    return cell(name, half).centroid


def plan(role: str) -> FeatureTable:
    names, rows = [], []
    for name, spec in CELLS.items():
        code = spec[2] if role == "urban" else spec[3]
        if code is not None:
            names.append(name)
            rows.append(code)
    from multiplan.algorithms.codes import CodeTables

    tables = CodeTables.load()
    n = len(rows)
    cols = {
        "name": np.array(names, dtype=object),
        "mp_src_standard": np.full(n, STD[role], dtype=object),
        "mp_src_code": np.array([r[2] for r in rows], dtype=object),
        "mp_code": np.array([r[0] for r in rows], dtype=object),
        "mp_name": np.array([tables.unified_name(r[0]) for r in rows], dtype=object),
        "mp_level": np.array([tables.unified_level(r[0]) for r in rows], dtype=object),
        "mp_construction": np.array([r[1] for r in rows], dtype=object),
        "mp_status": np.full(n, "exact", dtype=object),
    }
    geoms = np.array([cell(x) for x in names], dtype=object)
    return FeatureTable(geoms, np.arange(1, n + 1), cols, {}, WKT, role)


def eco_plan() -> FeatureTable:
    cols = {
        "mp_src_standard": np.array(["STHX"], dtype=object),
        "mp_src_code": np.array(["一级管控区"], dtype=object),
        "mp_code": np.array(["1"], dtype=object),
        "mp_name": np.array(["一级管控区"], dtype=object),
        "mp_construction": np.array([None], dtype=object),
    }
    return FeatureTable(np.array([cell("B")], dtype=object), np.array([1]), cols, {}, WKT, "eco")


def redline() -> FeatureTable:
    g = np.array([cell("L", "left"), cell("M", "left")], dtype=object)
    return FeatureTable(g, np.array([1, 2]), {"HXMC": np.array(["a", "b"], dtype=object)}, {}, WKT, "redline")


DECISIONS = {
    ("D", "CL_NONCON"): ("set_class", "0304"),
    ("E", "LG_URBAN_CON"): ("adopt_plan", "land"),
    ("F", "LG_URBAN_CON"): ("exception", "urban"),
    ("G", "LG_LAND_CON"): ("adopt_plan", "eco"),
    ("H", "LG_URBAN_CON"): ("technical_error", None),
    ("N", "LG_LAND_CON"): ("adopt_plan", "land"),
    ("L", "LG_URBAN_CON"): ("adopt_plan", "urban"),
    ("L", "RL_URBAN"): ("adopt_plan", "land"),
    ("M", "LG_URBAN_CON"): ("adopt_plan", "urban"),
}


def patch_at(store, name: str, kind: str, half: str | None = None) -> str:
    t = store.patches(kind=kind, columns=["patch_id"])
    hit = np.flatnonzero(shapely.contains(t.geoms, centre(name, half)))
    assert len(hit) == 1, (name, kind)
    return str(t.columns["patch_id"][hit[0]])


@pytest.fixture()
def district(tmp_path):
    path = tmp_path / "blueprint.gpkg"
    plans = [
        PlanInput("urban", plan("urban")),
        PlanInput("land", plan("land")),
        PlanInput("eco", eco_plan(), kind="eco"),
    ]
    run = run_detection(plans, [LineInput("redline", redline())], blueprint=path)
    assert run.run_id and run.counts["new"] == len(run.ids)
    store = BlueprintStore.open(str(path))
    ids = {}
    for (name, kind), (action, target) in DECISIONS.items():
        half = "left" if kind == "RL_URBAN" else None
        pid = patch_at(store, name, kind, half)
        ids[(name, kind)] = pid
        r = store.record_decision(
            Decision(pid, action, "王主任", role="final", department="领导小组办公室", target=target)
        )
        assert r.outcome == "current"
    ids[("J", "LG_URBAN_CON")] = patch_at(store, "J", "LG_URBAN_CON")
    ids[("M", "RL_URBAN")] = patch_at(store, "M", "RL_URBAN", "left")
    yield store, ids
    store.close()


def feature_at(t: FeatureTable, point) -> dict:
    hit = np.flatnonzero(shapely.contains(t.geoms, point))
    assert len(hit) == 1, point
    k = hit[0]
    return {c: t.columns[c][k] for c in t.columns} | {"geometry": t.geoms[k]}


def test_every_rule_gives_its_known_answer(district):
    store, ids = district
    assert landuse_roles(store) == ["land", "urban"]  # the eco plan's copy is there but carries no land use
    assert "plan_eco" in store.layers()
    res = apply_decisions(store, ApplyParams())
    t = store.read_layer("blueprint")
    assert len(t) == len(res.table) and res.run_id
    want = {
        # cell: (mp_code, source_role, rule, status, mp_construction, plan_construction)
        "A": ("0701", "urban", "agree", "final", 1, 1),
        "B": ("01", "land", "agree", "final", 0, 0),
        "C": ("0901", "urban", "precedence_construction", "final", 1, 1),
        "D": ("0304", "decision", "decision_set_class", "final", 0, 0),
        "E": ("01", "land", "decision_adopt", "final", 0, 0),
        "F": ("1001", "urban", "decision_exception", "final", 1, 1),
        "G": ("G13", "urban", "decision_adopt", "final", 0, None),  # 农林用地: planning flag mixed
        "H": ("01", "land", "technical_error", "final", 0, 0),  # I's agreed class, not G's
        "I": ("01", "land", "agree", "final", 0, 0),
        "J": (None, None, "pending", "pending", None, None),
        "K": ("0901", "urban", "only_plan", "final", 1, 1),
        "N": ("1703", "land", "decision_adopt", "final", 1, 0),  # TD/T 226 construction, 用地用海 not
    }
    for name, (code, src, rule, status, flag, pflag) in want.items():
        f = feature_at(t, centre(name))
        got = (
            f["mp_code"],
            f["source_role"],
            f["rule"],
            f["status"],
            f["mp_construction"],
            f["plan_construction"],
        )
        assert got == (code, src, rule, status, flag, pflag), name
    # decisions and patches are named
    e = feature_at(t, centre("E"))
    assert e["patch_id"] == ids[("E", "LG_URBAN_CON")] and e["kind"] == "LG_URBAN_CON"
    assert e["decision_id"] == store.current_decisions()[ids[("E", "LG_URBAN_CON")]].decision_id
    assert "eco" in json.loads(feature_at(t, centre("G"))["provenance"])["note"]
    j = feature_at(t, centre("J"))
    assert j["pending_codes"] == "urban:0701|land:01" and j["patch_id"] == ids[("J", "LG_URBAN_CON")]
    assert j["mp_name"] is None
    # kind precedence: the red line's decision wins on its half, the 两规 decision is listed as losing
    left, right = feature_at(t, centre("L", "left")), feature_at(t, centre("L", "right"))
    assert (left["mp_code"], left["source_role"], left["kind"]) == ("01", "land", "RL_URBAN")
    losing = json.loads(left["provenance"])["losing_decisions"]
    assert [(x["patch_id"], x["action"], x["target"]) for x in losing] == [
        (ids[("L", "LG_URBAN_CON")], "adopt_plan", "urban")
    ]
    assert (right["mp_code"], right["source_role"], right["kind"]) == ("0701", "urban", "LG_URBAN_CON")
    assert left["area_planar"] == pytest.approx(5000.0, abs=1e-3)
    # an undecided higher kind keeps its ground pending even where a lower kind is decided
    mleft, mright = feature_at(t, centre("M", "left")), feature_at(t, centre("M", "right"))
    assert (mleft["status"], mleft["kind"], mleft["patch_id"]) == (
        "pending",
        "RL_URBAN",
        ids[("M", "RL_URBAN")],
    )
    assert (mright["status"], mright["mp_code"]) == ("final", "0701")
    # undecided patches reported with their pending area
    assert sorted(res.undecided_ids) == sorted([ids[("J", "LG_URBAN_CON")], ids[("M", "RL_URBAN")]])
    assert res.undecided_area == pytest.approx(15000.0, abs=1e-3)
    assert res.pending_area == pytest.approx(15000.0, abs=1e-3)


def test_blueprint_covers_the_district_without_overlaps(district):
    store, _ = district
    res = build_blueprint(store, ApplyParams())
    t = res.table
    union = shapely.union_all(np.concatenate([plan("urban").geoms, plan("land").geoms]))
    assert float(t.columns["area_planar"].sum()) == pytest.approx(union.area, abs=1e-3)
    assert shapely.symmetric_difference(shapely.union_all(t.geoms), union).area < 1e-3
    tree = shapely.STRtree(t.geoms)
    i, j = tree.query(t.geoms, predicate="intersects")
    m = i < j
    assert shapely.area(shapely.intersection(t.geoms[i[m]], t.geoms[j[m]])).sum() < 1e-6
    assert shapely.is_valid(t.geoms).all()
    # summary rows add up to the district
    total = next(r for r in res.summary if r["rule"] is None)
    assert total["area_planar"] == pytest.approx(union.area, abs=1e-3)
    assert sum(r["area_planar"] for r in res.summary if r["rule"]) == pytest.approx(union.area, abs=1e-3)
    # nothing written by build_blueprint
    assert "blueprint" not in store.layers() or not len(store.read_layer("blueprint"))


def test_precedence_parameter_and_stop_on_undecided(district):
    store, ids = district
    res = build_blueprint(store, ApplyParams(construction_precedence=("land", "urban")))
    c = feature_at(res.table, centre("C"))
    assert (c["mp_code"], c["source_role"], c["rule"]) == ("G02", "land", "precedence_construction")
    with pytest.raises(ApplyError) as err:
        build_blueprint(store, ApplyParams(undecided="stop"))
    assert ids[("J", "LG_URBAN_CON")] in str(err.value) and ids[("M", "RL_URBAN")] in str(err.value)
    # deciding them lets "stop" pass, and a defer counts as undecided again
    for key in (("J", "LG_URBAN_CON"), ("M", "RL_URBAN")):
        store.record_decision(Decision(ids[key], "adopt_plan", "王主任", role="final", target="urban"))
    done = build_blueprint(store, ApplyParams(undecided="stop"))
    assert (done.table.columns["status"] == "final").all()
    cur = store.current_decisions()[ids[("J", "LG_URBAN_CON")]].decision_id
    store.record_decision(Decision(ids[("J", "LG_URBAN_CON")], "defer", "王主任", role="final", based_on=cur))
    again = build_blueprint(store, ApplyParams())
    assert again.undecided_ids == [ids[("J", "LG_URBAN_CON")]]


def test_cancel_while_writing_leaves_the_blueprint_unchanged(district):
    from multiplan.algorithms.store import RunCancelledError

    store, _ = district
    apply_decisions(store, ApplyParams())
    before = store.read_layer("blueprint")
    writing: list[str] = []

    def progress(fraction: float, message: str) -> None:
        if "Writing" in message:
            writing.append(message)  # cancel once the engine is done and the writer starts

    with pytest.raises(RunCancelledError):
        apply_decisions(store, ApplyParams(), progress=progress, is_cancelled=lambda: bool(writing))
    after = store.read_layer("blueprint")
    assert len(after) == len(before)
    assert np.array_equal(after.columns["rule"], before.columns["rule"])
    assert np.array_equal(after.fids, before.fids)
    assert store.runs()[-1]["status"] == "cancelled" and store.runs()[-1]["kind"] == "apply"
