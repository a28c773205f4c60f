"""The review controller against real blueprint files (no mocked store).

Every expectation is checked against an independent reading of the file (plain ``sqlite3`` or a
second ``BlueprintStore`` connection, as another reviewer's QGIS would be), not against the
controller's own state.  The bad situations are produced for real: the file moved away, made
read-only, locked by another process, a patch closed by a newer run, an empty blueprint, a newer schema,
a file left in WAL by another program.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from mp_testing import STORE_WRITER, review_blueprint, subprocess_env
from multiplan.algorithms.store import BlueprintStore, Decision
from multiplan.ui import settings
from multiplan.ui.controller import Filters, ReviewController

OFFICE = settings.Reviewer("王主任", "领导小组办公室", settings.ROLE_FINAL)
PLANNER = settings.Reviewer("张工", "规划分局", settings.ROLE_OPINION)
LAND = settings.Reviewer("李工", "国土分局", settings.ROLE_OPINION)

ORDER_SQL = {
    "severity": "severity DESC, area_planar DESC, patch_id",
    "area": "area_planar DESC, patch_id",
    "kind": "kind, severity DESC, area_planar DESC, patch_id",
    "unit": "unit, severity DESC, area_planar DESC, patch_id",
}


@pytest.fixture()
def bp(tmp_path, qgis_app):
    path = tmp_path / "bp.gpkg"
    review_blueprint(path, 120, pending_dir=str(tmp_path / "pending")).close()
    return path


def controller(tmp_path, who=OFFICE, lock_timeout=5.0) -> ReviewController:
    box = {"who": who}
    c = ReviewController(
        pending_dir=str(tmp_path / "pending"), lock_timeout=lock_timeout, reviewer=lambda: box["who"]
    )
    c.who = box  # tests switch identity through this
    settings.set_view_state("order", "severity")
    return c


def sql(path, query, params=()):
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def ids(path, where="closed_run_id IS NULL", params=(), order="severity"):
    return [
        r[0]
        for r in sql(path, f"SELECT patch_id FROM patches WHERE {where} ORDER BY {ORDER_SQL[order]}", params)
    ]


def texts(c, level=None):
    return [t for lv, t in c.messages if level is None or lv == level]


# ----------------------------------------------------------------------------------------------
# Queue: order and filters
# ----------------------------------------------------------------------------------------------


def test_queue_order_matches_the_file_and_leaves_closed_patches_out(tmp_path, bp):
    c = controller(tmp_path)
    assert c.open(str(bp))
    assert c.queue == ids(bp) and c.queue_size == 120  # 122 rows, 2 closed by the second run
    assert len(sql(bp, "SELECT 1 FROM patches")) == 122
    for order in ("area", "kind", "unit", "severity"):
        c.set_order(order)
        assert c.queue == ids(bp, order=order), order
    assert settings.view_state("order") == "severity"
    # The first patch shown is the first of the queue (nothing to resume in a new file).
    assert c.current.patch_id == c.queue[0] and c.position == 0
    c.close()


def test_filters_by_kind_status_street_department_reviewer_area(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    line_kinds = tuple(
        k for (k,) in sql(bp, "SELECT DISTINCT kind FROM patches WHERE kind LIKE 'LINE\\_%' ESCAPE '\\'")
    )
    assert line_kinds  # the control-line adjustment kinds are filterable like any other
    cases = [
        (Filters(kinds=line_kinds), "kind LIKE 'LINE\\_%' ESCAPE '\\' AND closed_run_id IS NULL", ()),
        (
            Filters(kinds=("RL_URBAN", "PF_URBAN")),
            "kind IN ('RL_URBAN','PF_URBAN') AND closed_run_id IS NULL",
            (),
        ),
        (Filters(statuses=("conflict", "reconfirm")), "status IN ('conflict','reconfirm')", ()),
        (Filters(units=("江浦街道",)), "unit = '江浦街道' AND closed_run_id IS NULL", ()),
        (
            Filters(department="国土分局"),
            "patch_id IN (SELECT patch_id FROM decisions WHERE department='国土分局') "
            "AND closed_run_id IS NULL",
            (),
        ),
        (
            Filters(reviewer="赵科长"),
            "patch_id IN (SELECT patch_id FROM decisions WHERE reviewer='赵科长') AND closed_run_id IS NULL",
            (),
        ),
        (
            Filters(min_area=2000, max_area=8000),
            "area_planar BETWEEN 2000 AND 8000 AND closed_run_id IS NULL",
            (),
        ),
        (Filters(statuses=("closed",)), "status = 'closed'", ()),
    ]
    for filters, where, params in cases:
        c.set_filters(filters)
        expected = ids(bp, where, params)
        assert expected, filters
        assert c.queue == expected, filters
        assert c.current.patch_id == expected[0] or c.current.patch_id in expected
    # The layer filter the dock sets selects the same patches as the queue.
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(f"{bp}|layername=patches", "p", "ogr")
    for filters, _, _ in cases:
        assert layer.setSubsetString(filters.subset_sql()), filters.subset_sql()
        c.set_filters(filters)
        assert sorted(f["patch_id"] for f in layer.getFeatures()) == sorted(c.queue), filters
    # Nothing matches: said so, nothing current.
    c.set_filters(Filters(kinds=("NO_SUCH_KIND",)))
    assert c.queue == [] and c.current is None
    assert "No patch matches these filters" in texts(c, "warning")[-1]
    assert c.next() is False
    c.close()


def test_filter_choices_list_what_the_blueprint_holds(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    ch = c.filter_choices()
    assert [k for k, _ in ch["kinds"]] == sorted(k for (k,) in sql(bp, "SELECT DISTINCT kind FROM patches"))
    assert {u for u, _ in ch["units"]} == {u for (u,) in sql(bp, "SELECT DISTINCT unit FROM patches")}
    assert [d for d, _ in ch["departments"]] == sorted(
        d for (d,) in sql(bp, "SELECT DISTINCT department FROM decisions WHERE role != 'system'")
    )
    assert "赵科长" in [r for r, _ in ch["reviewers"]] and "multiplan" not in [r for r, _ in ch["reviewers"]]
    assert [s for s, _ in ch["statuses"]][:2] == ["undecided", "opinions"]
    c.close()


# ----------------------------------------------------------------------------------------------
# Stepping and resuming
# ----------------------------------------------------------------------------------------------


def test_next_previous_next_undecided_and_jump(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    q = c.queue
    assert c.next() and c.current.patch_id == q[1]
    assert c.next() and c.current.patch_id == q[2]
    assert c.previous() and c.current.patch_id == q[1]
    c.first()
    assert c.previous() is False and "first patch" in texts(c, "info")[-1]
    decided = {pid for (pid,) in sql(bp, "SELECT patch_id FROM patches WHERE decided")}
    assert decided
    # Walk "next undecided" over the whole queue: it never lands on a decided patch and visits every other.
    seen = []
    c.first()
    if c.current.patch_id not in decided:
        seen.append(c.current.patch_id)
    for _ in range(len(q)):
        if not c.next_undecided():
            break
        if c.current.patch_id in seen:
            break
        seen.append(c.current.patch_id)
    assert not set(seen) & decided
    assert set(seen) == set(q) - decided
    # Jump by id; a closed patch (outside the queue) is shown and said so.
    assert c.go_to(q[40]) and c.position == 40
    closed = sql(bp, "SELECT patch_id FROM patches WHERE closed_run_id IS NOT NULL")[0][0]
    assert c.go_to(closed) and c.current.patch_id == closed and c.position is None and c.current.closed
    assert "not in the current queue" in texts(c, "info")[-1]
    assert c.go_to("NOPE") is False and "no patch NOPE" in texts(c, "warning")[-1]
    # Last of the queue: next says so.
    c.go_to(q[-1])
    assert c.next() is False and "last patch" in texts(c, "info")[-1]
    c.close()


def test_every_patch_decided_says_so(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    c.set_filters(Filters(statuses=("decided",)))
    assert c.queue_size == len(sql(bp, "SELECT 1 FROM patches WHERE status='decided'")) > 0
    assert c.next_undecided() is False
    assert texts(c, "success")[-1] == "Every patch in this queue is decided."
    c.close()


def test_resume_where_this_reviewer_stopped(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    target = c.queue[57]
    c.go_to(target)
    c.close()
    again = controller(tmp_path)
    assert again.open(str(bp))
    assert again.current.patch_id == target and again.position == 57
    assert f"Resumed at patch {target}" in texts(again, "info")[-1]
    assert settings.recent_blueprints()[0] == str(bp)
    again.close()


# ----------------------------------------------------------------------------------------------
# The current patch
# ----------------------------------------------------------------------------------------------


def test_patch_view_shows_plans_lines_areas_sliver_history(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    # A patch with four plans: four columns side by side, in the file's order, names filled in.
    (four,) = sql(bp, "SELECT patch_id FROM patch_plans GROUP BY patch_id HAVING count(*) = 4 LIMIT 1")
    c.go_to(four[0])
    v = c.current
    rows = sql(
        bp, "SELECT role, src_code, mp_code FROM patch_plans WHERE patch_id=? ORDER BY fid", (four[0],)
    )
    assert [(p.role, p.src_code, p.mp_code) for p in v.plans] == rows
    assert all(p.label and p.src_name for p in v.plans)
    (area, ell, unit) = sql(
        bp, "SELECT area_planar, area_ellipsoidal, unit FROM patches WHERE patch_id=?", (four[0],)
    )[0]
    assert (
        v.area_planar == pytest.approx(area) and v.area_ellipsoidal == pytest.approx(ell) and v.unit == unit
    )
    # A red-line patch lists the red line it overlaps.
    (red,) = sql(bp, "SELECT patch_id FROM patches WHERE kind='RL_URBAN' LIMIT 1")[0]
    c.go_to(red)
    assert "eco_redline" in [li.line_type for li in c.current.lines]
    # one entry per line, whatever the number of its features and stages
    types = [li.line_type for li in c.current.lines if li.detail.startswith(("overlap", "重叠"))]
    assert len(types) == len(set(types))
    # A control-line adjustment patch shows its adjustment (line, other line, proposal, 补划 area).
    (line_pid, proposal) = sql(bp, "SELECT patch_id, proposal FROM line_adjustments LIMIT 1")[0]
    c.go_to(line_pid)
    assert c.current.is_line_kind
    # Its patch_plans rows name the two lines (as reconciliation writes them): shown, never adoptable.
    lines = sql(bp, "SELECT role, line_role FROM patch_plans WHERE patch_id=? ORDER BY fid", (line_pid,))
    assert [(p.role, p.line_role) for p in c.current.plans] == lines
    assert [side for _, side in lines] == ["protected", "intruder"]
    assert c.current.roles == [] and all(p.is_line for p in c.current.plans)
    assert "(protected line)" in c.current.plans[0].label
    detail = " ".join(li.detail for li in c.current.lines)
    assert {"retain": "保留", "withdraw": "退出"}[proposal] in detail
    # A sliver says why.
    (sliver, reason) = sql(bp, "SELECT patch_id, sliver_reason FROM patches WHERE is_sliver LIMIT 1")[0]
    c.go_to(sliver)
    assert c.current.is_sliver and c.current.sliver_reason == reason
    assert any(reason in t for _, t in c.current.notes)
    # History: who, department, role, when, what, why — every row of the log, in write order.
    (conf,) = sql(bp, "SELECT patch_id FROM patches WHERE status='conflict' LIMIT 1")[0]
    c.go_to(conf)
    log = sql(
        bp, "SELECT reviewer, department, comment FROM decisions WHERE patch_id=? ORDER BY fid", (conf,)
    )
    h = c.current.history
    assert [(r.reviewer, r.department, r.comment) for r in h] == log
    assert [r.state_code for r in h] == ["current", "conflict"]
    assert all(r.when and r.action and r.role for r in h)
    assert any(lv == "critical" and "Conflict" in t for lv, t in c.current.notes)
    c.close()


def test_disagreeing_opinions_and_predecessors_of_replaced_patches(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    (pid,) = sql(bp, "SELECT patch_id FROM patches WHERE opinions_disagree LIMIT 1")[0]
    c.go_to(pid)
    note = next(t for lv, t in c.current.notes if "disagree" in t)
    assert "规划分局" in note and "国土分局" in note
    # A new patch from a re-detection lists its predecessor and the predecessor's decision.
    (new_id, preds) = sql(
        bp, "SELECT patch_id, predecessors FROM patches WHERE predecessors IS NOT NULL LIMIT 1"
    )[0]
    c.go_to(new_id)
    (old,) = json.loads(preds)
    (action, target) = sql(bp, "SELECT current_action, current_target FROM patches WHERE patch_id=?", (old,))[
        0
    ]
    assert [(p.patch_id, p.action, p.target) for p in c.current.predecessors] == [(old, action, target)]
    assert c.current.status == "reconfirm" and c.reconfirm_candidate() == (action, target)
    # Re-confirming writes the predecessor's decision on the new patch and clears the flag.
    out = c.reconfirm(comment="沿用原决定")
    assert out.ok and out.result.outcome == "current"
    assert sql(
        bp, "SELECT status, current_action, current_target FROM patches WHERE patch_id=?", (new_id,)
    ) == [("decided", action, target)]
    c.close()


# ----------------------------------------------------------------------------------------------
# Recording
# ----------------------------------------------------------------------------------------------


def test_final_decision_is_written_at_once_and_seen_by_a_second_connection(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    c.set_filters(Filters(statuses=("undecided",)))
    pid = c.current.patch_id
    role = c.current.roles[-1]
    before = c.progress_text()
    n_decided = sql(bp, "SELECT count(*) FROM patches WHERE decided AND closed_run_id IS NULL")[0][0]
    out = c.record("adopt_plan", role, reason_code="policy", comment="按规划采纳")
    assert out.ok and out.result.outcome == "current" and out.result.status == "decided"
    other = BlueprintStore.open(str(bp), pending_dir=str(tmp_path / "elsewhere"))
    (rec,) = [r for r in other.decisions(pid) if r.reviewer == "王主任"]
    assert (rec.action, rec.target, rec.role, rec.department, rec.reason_code, rec.comment, rec.based_on) == (
        "adopt_plan",
        role,
        "final",
        "领导小组办公室",
        "policy",
        "按规划采纳",
        None,
    )
    assert other.patch(pid)["status"] == "decided"
    assert other.progress().n_decided == n_decided + 1
    other.close()
    assert c.progress_text() != before and f"{n_decided + 1} of 120" in c.progress_text()
    assert c.current.decided and c.current.history[-1].state_code == "current"
    assert "Decision recorded" in texts(c, "success")[-1]
    # The next decision on the same patch is based on the one just written (no conflict).
    out2 = c.record("set_class", "0103", comment="改为旱地")
    assert out2.result.outcome == "current"
    assert sql(bp, "SELECT based_on FROM decisions WHERE decision_id=?", (out2.result.decision_id,)) == [
        (out.result.decision_id,)
    ]
    # next undecided skips it now
    c.set_filters(Filters())
    c.go_to(pid)
    c.next_undecided()
    assert c.current.patch_id != pid and not c.current.decided
    c.close()


def test_departments_give_opinions_only(tmp_path, bp):
    c = controller(tmp_path, who=PLANNER)
    c.open(str(bp))
    c.set_filters(Filters(statuses=("undecided",)))
    pid = c.current.patch_id
    assert not c.can_decide and "only the leading-group office" in c.identity_text()
    out = c.record("adopt_plan", c.current.roles[0], comment="按城乡规划")
    assert out.result.outcome == "opinion" and out.result.status == "opinions"
    c.who["who"] = LAND
    c.record("adopt_plan", c.current.roles[-1], comment="按土地利用总体规划")
    assert sql(bp, "SELECT status, decided, opinions_disagree FROM patches WHERE patch_id=?", (pid,)) == [
        ("opinions", 0, int(c.current.roles[0] != c.current.roles[-1]))
    ]
    assert [r.state_code for r in c.current.history] == ["opinion", "opinion"]
    assert "Opinion recorded" in texts(c, "success")[-1]
    c.close()


def test_stale_view_becomes_a_conflict_and_the_office_resolves_it(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    c.set_filters(Filters(statuses=("undecided",)))
    pid = c.current.patch_id  # what this reviewer sees: no decision yet
    other = BlueprintStore.open(str(bp), pending_dir=str(tmp_path / "b"))
    theirs = other.record_decision(
        Decision(pid, "adopt_plan", "赵科长", role="final", department="领导小组办公室", target="land")
    )
    out = c.record("adopt_plan", "urban", comment="未刷新")
    assert out.ok and out.result.outcome == "conflict" and out.result.status == "conflict"
    assert "recorded as a conflict" in texts(c, "warning")[-1]
    assert other.patch(pid)["current_decision_id"] == theirs.decision_id  # never silently overwritten
    c.refresh()
    assert c.current.patch_id == pid and c.current.n_conflicts == 1
    # A new decision based on what is now current resolves it.
    out2 = c.record("adopt_plan", "land", comment="维持赵科长的决定")
    assert out2.result.outcome == "current"
    p = other.patch(pid)
    assert (p["status"], p["n_conflicts"], p["current_decision_id"]) == (
        "decided",
        0,
        out2.result.decision_id,
    )
    assert [r.state for r in other.decisions(pid)] == ["superseded", "conflict_resolved", "current"]
    other.close()
    c.close()


def test_refresh_shows_other_reviewers_decisions(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    c.set_filters(Filters(statuses=("undecided",)))
    pid = c.current.patch_id
    n = c.queue_size
    other = BlueprintStore.open(str(bp), pending_dir=str(tmp_path / "b"))
    other.record_decision(Decision(pid, "defer", "赵科长", role="final", department="领导小组办公室"))
    other.close()
    assert c.current.status == "undecided"
    c.refresh()
    # The patch left the "undecided" queue; it stays shown, now deferred, with the new row in its history.
    assert c.queue_size == n - 1 and pid not in c.queue
    assert c.current.patch_id == pid and c.current.status == "deferred"
    assert c.current.history[-1].reviewer == "赵科长"
    c.close()


# ----------------------------------------------------------------------------------------------
# Bad situations
# ----------------------------------------------------------------------------------------------


def _pending(tmp_path) -> list[dict]:
    out = []
    folder = tmp_path / "pending"
    for name in os.listdir(folder) if folder.exists() else []:
        if name.endswith(".jsonl"):
            with open(folder / name, encoding="utf-8") as fh:
                out += [json.loads(line)["decision"] for line in fh if line.strip()]
    return out


def test_blueprint_moved_away_keeps_the_decision_pending_then_writes_it(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    pid = c.current.patch_id
    moved = tmp_path / "moved.gpkg"
    os.rename(bp, moved)
    out = c.record("defer", comment="文件被移走时的决定")
    assert not out.ok and out.kept_pending
    msg = texts(c, "warning")[-1]
    assert "was not found" in msg and "pending journal" in msg
    assert [d["comment"] for d in _pending(tmp_path)] == ["文件被移走时的决定"]
    assert c.draft(pid) == (None, "文件被移走时的决定")  # what was typed stays in the form
    assert c.current.history[-1].state_code == "pending"
    c.refresh()
    assert "not there any more" in texts(c, "warning")[-1]
    os.rename(moved, bp)
    c.refresh()  # the same file is back (same inode): the pending decision is written first
    assert any("from the pending journal were written" in t for t in texts(c, "info"))
    assert sql(
        bp,
        "SELECT action, comment, origin FROM decisions WHERE patch_id=? AND reviewer='王主任' "
        "ORDER BY fid DESC LIMIT 1",
        (pid,),
    ) == [("defer", "文件被移走时的决定", "replay")]
    assert _pending(tmp_path) == []
    c.close()


def test_read_only_blueprint_opens_warns_and_keeps_decisions_pending(tmp_path, bp):
    os.chmod(bp, 0o444)
    try:
        c = controller(tmp_path)
        assert c.open(str(bp))
        assert c.info.readonly and "read-only" in texts(c, "warning")[0]
        pid = c.current.patch_id
        out = c.record("technical_error", comment="只读时记录")
        assert not out.ok and out.kept_pending
        assert "read-only" in texts(c, "warning")[-1] and "pending journal" in texts(c, "warning")[-1]
        assert "1 waiting in the pending journal" in c.progress_text()
        assert sql(bp, "SELECT count(*) FROM decisions WHERE comment='只读时记录'") == [(0,)]
    finally:
        os.chmod(bp, 0o644)
    c.refresh()
    assert not c.store.readonly
    assert sql(bp, "SELECT patch_id, action FROM decisions WHERE comment='只读时记录'") == [
        (pid, "technical_error")
    ]
    c.close()


def test_locked_blueprint_keeps_the_decision_pending(tmp_path, bp):
    c = controller(tmp_path, lock_timeout=0.4)
    c.open(str(bp))
    pid = c.current.patch_id
    holder = subprocess.Popen(
        [sys.executable, str(STORE_WRITER), "hold", str(bp), "2.5"],
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        out = c.record("adopt_plan", c.current.roles[0], comment="锁定时的决定")
        assert not out.ok and out.kept_pending
        assert any(
            "is locked by another user or program" in t and "pending journal" in t
            for t in texts(c, "warning")
        )
        assert c.draft(pid)[1] == "锁定时的决定"
    finally:
        holder.wait(timeout=30)
    c.refresh()
    assert sql(bp, "SELECT origin FROM decisions WHERE comment='锁定时的决定'") == [("replay",)]
    assert c.current.history[-1].comment == "锁定时的决定" and c.current.history[-1].state_code == "current"
    c.close()


def test_patch_closed_by_a_newer_run(tmp_path, bp):
    c = controller(tmp_path)
    c.open(str(bp))
    c.set_filters(Filters(statuses=("undecided",)))
    pid = c.current.patch_id
    runner = BlueprintStore.open(str(bp), pending_dir=str(tmp_path / "b"))
    run = runner.begin_run("detect")
    with runner.run_writer(run) as w:
        assert w.close_patches([pid]) == 1
        w.finish()
    runner.close()
    out = c.record("adopt_plan", c.current.roles[0], comment="已关闭的图斑")
    assert out.ok and out.result.status == "closed"
    assert "closed by a newer detection run" in texts(c, "warning")[-1]
    assert sql(bp, "SELECT count(*) FROM decisions WHERE patch_id=? AND comment='已关闭的图斑'", (pid,)) == [
        (1,)
    ]
    c.refresh()
    assert pid not in c.queue
    assert any(f"Patch {pid} was closed by a newer detection run and left the queue" in t for t in texts(c))
    c.close()


def test_empty_blueprint_says_the_queue_is_empty(tmp_path, qgis_app):
    path = tmp_path / "empty.gpkg"
    BlueprintStore.create(
        str(path), project_name="空", crs_authid="EPSG:4549", pending_dir=str(tmp_path / "p")
    ).close()
    c = controller(tmp_path)
    assert c.open(str(path))
    assert c.queue == [] and c.current is None
    assert "review queue is empty" in texts(c, "warning")[-1]
    assert c.next() is False and c.next_undecided() is False
    out = c.record("defer")
    assert not out.ok and "Open a blueprint and choose a patch first" in texts(c, "warning")[-1]
    assert "0 of 0 patches decided" in c.progress_text()
    c.close()


def test_newer_schema_and_foreign_files_are_refused_with_a_message(tmp_path, bp):
    conn = sqlite3.connect(str(bp))
    conn.execute("UPDATE project SET schema_version = 99")
    conn.commit()
    conn.close()
    c = controller(tmp_path)
    assert c.open(str(bp)) is False and not c.is_open
    msg = texts(c, "critical")[-1]
    assert "schema version 99" in msg and "Update the Multi-Plan Integration plugin" in msg
    text = tmp_path / "notes.gpkg"
    text.write_text("not a database", "utf-8")
    assert c.open(str(text)) is False and "is not a GeoPackage" in texts(c, "critical")[-1]
    assert c.open(str(tmp_path / "missing.gpkg")) is False and "was not found" in texts(c, "critical")[-1]


def test_wal_left_open_by_another_program_is_warned_about(tmp_path, bp):
    other = sqlite3.connect(str(bp))
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("SELECT count(*) FROM patches").fetchone()
    try:
        c = controller(tmp_path)
        assert c.open(str(bp))
        assert c.info.journal_mode == "wal"
        assert any("WAL mode" in t and "network folder" in t for t in texts(c, "warning"))
        assert c.record("defer", comment="WAL").result.outcome == "current"
        c.close()
    finally:
        other.close()


def test_missing_identity_and_invalid_decisions_write_nothing_and_keep_the_text(tmp_path, bp):
    c = controller(tmp_path, who=settings.Reviewer())
    asked = []
    c.identityRequired.connect(lambda: asked.append(1))
    c.open(str(bp))
    assert asked and "Who are you?" in texts(c, "warning")[0]
    pid = c.current.patch_id
    n = sql(bp, "SELECT count(*) FROM decisions")[0][0]
    out = c.record("defer", reason_code="expert", comment="还没设置身份")
    assert not out.ok and len(asked) == 2 and "Set your name and department" in texts(c, "warning")[-1]
    assert c.draft(pid) == ("expert", "还没设置身份")
    c.who["who"] = OFFICE
    out = c.record("set_class", "", comment="没有选地类")
    assert not out.ok and not out.kept_pending and "needs a target" in texts(c, "critical")[-1]
    assert sql(bp, "SELECT count(*) FROM decisions")[0][0] == n and _pending(tmp_path) == []
    assert c.draft(pid) == (None, "没有选地类")
    c.close()
