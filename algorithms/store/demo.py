"""Scripted decisions for ``make demo``: a small, deterministic review session on a blueprint.

It shows every kind of log row the dock must display: department opinions that disagree, final
decisions of the leading-group office (adopt plan, set class, approved exception, technical error for
a sliver, a control-line adjustment for a ``LINE_*`` patch, defer) and one stale final decision that
becomes a conflict — what a replay from a pending journal looks like.
"""

from __future__ import annotations

from .core import BlueprintStore, WriteResult
from .decisions import (
    ADJUST_LINE,
    ADOPT_PLAN,
    DEFER,
    EXCEPTION,
    ROLE_FINAL,
    ROLE_OPINION,
    SET_CLASS,
    TECHNICAL_ERROR,
    Decision,
)

OFFICE = ("王主任", "领导小组办公室")
DEPARTMENTS = (("张工", "规划分局"), ("李工", "国土分局"), ("陈工", "区环保局"))


def record_scripted_decisions(store: BlueprintStore, *, limit: int = 8) -> list[WriteResult]:
    """Record a fixed script on the first ``limit`` open patches (by severity, then area).

    Deterministic for a given blueprint.  Returns every :class:`WriteResult` in order.
    """
    t = store.patches(order_by="severity", with_geometry=False, columns=["patch_id", "kind", "is_sliver"])
    ids = [str(p) for p in t.columns["patch_id"][:limit]]
    kinds = {str(p): str(k) for p, k in zip(t.columns["patch_id"], t.columns["kind"])}
    slivers = {str(p): bool(s) for p, s in zip(t.columns["patch_id"], t.columns["is_sliver"])}
    plans = store.patch_plans(ids)
    roles: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    for pid, role, code in zip(plans.get("patch_id", []), plans.get("role", []), plans.get("mp_code", [])):
        roles.setdefault(str(pid), []).append(str(role))
        if code:
            codes.setdefault(str(pid), []).append(str(code))
    out: list[WriteResult] = []

    def final(pid: str, action: str, target: str | None, comment: str, based_on: str | None) -> WriteResult:
        r = store.record_decision(
            Decision(
                pid,
                action,
                OFFICE[0],
                role=ROLE_FINAL,
                department=OFFICE[1],
                target=target,
                reason_code="demo",
                comment=comment,
                based_on=based_on,
            )
        )
        out.append(r)
        return r

    def opinion(pid: str, who: tuple[str, str], target: str, comment: str) -> None:
        out.append(
            store.record_decision(
                Decision(
                    pid,
                    ADOPT_PLAN,
                    who[0],
                    role=ROLE_OPINION,
                    department=who[1],
                    target=target,
                    comment=comment,
                )
            )
        )

    for k, pid in enumerate(ids):
        rs = roles.get(pid) or ["urban"]
        first, other = rs[0], (rs[1] if len(rs) > 1 else rs[0])
        current = store.patch(pid)["current_decision_id"]
        if kinds[pid].startswith("LINE_"):
            final(pid, ADJUST_LINE, "retain", "保留：永久基本农田留在生态保护红线内", current)
        elif slivers[pid]:
            final(pid, TECHNICAL_ERROR, None, "数字化误差形成的碎片", current)
        elif k % 6 == 0:
            opinion(pid, DEPARTMENTS[0], first, "按城乡规划")
            opinion(pid, DEPARTMENTS[1], other, "按土地利用总体规划")
            final(pid, ADOPT_PLAN, first, "采纳城乡规划", current)
        elif k % 6 == 1:
            opinion(pid, DEPARTMENTS[1], other, "按土地利用总体规划")
            final(pid, ADOPT_PLAN, other, "采纳土地利用总体规划", current)
        elif k % 6 == 2:
            target = (codes.get(pid) or ["0103"])[-1]
            final(pid, SET_CLASS, target, "统一为用地用海分类", current)
        elif k % 6 == 3:
            final(pid, EXCEPTION, first, "特批例外，两规各自保留", current)
        elif k % 6 == 4:
            first_r = final(pid, ADOPT_PLAN, first, "采纳城乡规划", current)
            # A second reviewer decides without having seen the first decision: a conflict.
            final(pid, ADOPT_PLAN, other, "未刷新即决定（演示冲突）", current)
            del first_r
        else:
            final(pid, DEFER, None, "待专家评审", current)
    return out
