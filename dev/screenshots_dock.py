#!/usr/bin/env python3
"""Screenshots of the review dock in the real QGIS desktop (xvfb), plugin installed from its zip.

    python3 dev/screenshots_dock.py [--out docs] [--blueprint demo/blueprint.gpkg] [--lang zh_CN]

Three moments, as a reviewer of the leading-group office sees them: the first patch of the queue
(``review-dock-first.png``), right after a decision was recorded (``review-dock-decision.png``) and a
filtered view (``review-dock-filtered.png``).

Without ``--blueprint`` a demo blueprint is built: the demo district (``dev/run_demo.py``,
2 000 parcels per plan, harmonised through Processing), **real difference detection**
(``algorithms.detect.detect``) on the harmonised plans, the control lines and the streets, written into a
new blueprint through ``BlueprintStore`` with the plan copies, and the scripted review session of
``algorithms.store.demo`` for a history.  Should detection fail on the day's code, the synthetic review
blueprint (``dev/review_blueprint.py``) is used instead and the script says so.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".build" / "py"))

SHOTS = ("review-dock-first.png", "review-dock-decision.png", "review-dock-filtered.png")

IN_QGIS = r"""
import qgis.utils
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.core import QgsProject

BLUEPRINT = {blueprint!r}
FILTER_KINDS = {kinds!r}
plugin = qgis.utils.plugins["multiplan"]
from multiplan.ui import settings
from multiplan.ui.controller import Filters

settings.set_reviewer(settings.Reviewer("王主任", "领导小组办公室", settings.ROLE_FINAL))
dock = plugin.dock
iface.mainWindow().showMaximized()
dock.setUserVisible(True)
iface.mainWindow().resizeDocks([dock], [600], Qt.Orientation.Horizontal)
dock._show_identity()
ok = dock.open_blueprint(BLUEPRINT)
c = dock.controller
status = {{"opened": ok, "queue": c.queue_size, "messages": list(c.messages)}}
for layer in QgsProject.instance().mapLayers().values():
    if layer.name() in ("规划：城乡规划", "Plan: Urban-rural plan"):
        node = QgsProject.instance().layerTreeRoot().findLayer(layer.id())
        node.setItemVisibilityChecked(True)
        node.parent().setItemVisibilityChecked(True)

def start():
    # The scripted demo session decided the first patches by severity: start where a reviewer would.
    for _ in range(50):
        v = c.current
        if v is None or (v.status == "undecided" and v.roles) or not c.next_undecided():
            break
    QTimer.singleShot(2500, first)

def first():
    status["first"] = c.current.patch_id if c.current else None
    shot("review-dock-first.png")
    f = dock.form
    f.reasonCombo.setCurrentIndex(f.reasonCombo.findData("newer_approval"))
    f.commentEdit.setPlainText("采纳城乡规划：该地块已列入近期建设项目，土规下轮修编时调整")
    status["recorded"] = dock.adopt(0)
    f.scrollArea.ensureWidgetVisible(f.historyGroup)
    QTimer.singleShot(2500, decision)

def decision():
    shot("review-dock-decision.png")
    f = dock.form
    f.filterGroup.setCollapsed(False)
    for kind in FILTER_KINDS:
        idx = f.kindCombo.findData(kind)
        if idx >= 0:
            f.kindCombo.setItemCheckState(idx, Qt.CheckState.Checked)
    idx = f.statusCombo.findData("undecided")
    f.statusCombo.setItemCheckState(idx, Qt.CheckState.Checked)
    dock.apply_filters()
    f.scrollArea.verticalScrollBar().setValue(0)
    status["filtered_queue"] = c.queue_size
    QTimer.singleShot(3000, filtered)

def filtered():
    shot("review-dock-filtered.png")
    status["final_messages"] = list(c.messages)
    finish(status)

QTimer.singleShot(2000, start)
"""


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    env = kw.pop("env", None)
    return subprocess.run(cmd, check=True, text=True, capture_output=True, env=env, **kw)


def demo_blueprint(work: Path, parcels: int = 2000) -> tuple[Path, str]:
    """(path, how it was made): real detection on the demo district, else the synthetic blueprint."""
    path = work / "blueprint.gpkg"
    try:
        _detect_blueprint(work, path, parcels)
        return path, "demo district + real detection"
    except Exception as exc:  # noqa: BLE001 - reported, and the synthetic blueprint stands in
        print(f"detection on the demo district failed ({exc!r}); using the synthetic review blueprint")
        from multiplan.algorithms.store.demo import record_scripted_decisions
        from multiplan.dev.review_blueprint import build

        store = build(str(path), 400, seed=7)
        record_scripted_decisions(store, limit=8)
        store.close()
        return path, "synthetic review blueprint (dev/review_blueprint.py)"


def _detect_blueprint(work: Path, path: Path, parcels: int) -> None:
    import os

    import numpy as np
    from multiplan.algorithms.detect import DetectParams, LineInput, PlanInput, detect
    from multiplan.algorithms.store import BlueprintStore
    from multiplan.algorithms.store.demo import record_scripted_decisions
    from multiplan.algorithms.table import FeatureTable
    from multiplan.algorithms.vector_io import read_table

    env = dict(os.environ, PYTHONPATH=str(ROOT / ".build" / "py"), QT_QPA_PLATFORM="offscreen")
    _run(
        [sys.executable, str(ROOT / "dev" / "run_demo.py"), "--parcels", str(parcels), "--out", str(work)],
        env=env,
    )
    plans_dir = work / "plans"
    manifest = json.loads((plans_dir / "manifest.json").read_text("utf-8"))
    harm = plans_dir / "harmonised"

    def table(name: str, folder: Path = plans_dir) -> FeatureTable:
        info = manifest["layers"][name]
        src = folder / f"{name}.gpkg" if folder == harm else folder / info["path"]
        return read_table(str(src), info["layer"] if folder != harm else None)

    plans = [
        PlanInput("urban", table("urban_plan", harm), layer="urban_plan"),
        PlanInput("land", table("land_plan", harm), layer="land_plan"),
        PlanInput("development", table("development_plan", harm), kind="zones", layer="development_plan"),
        PlanInput("eco", table("eco_plan", harm), kind="eco", layer="eco_plan"),
        PlanInput(
            "projects", table("key_projects"), kind="projects", code_column="XMBH", layer="key_projects"
        ),
    ]
    lines = [
        LineInput("redline", table("redline"), layer="redline"),
        LineInput("farmland", table("farmland"), layer="farmland"),
        LineInput("boundary", table("dev_boundary"), layer="dev_boundary"),
    ]
    streets = table("streets")
    result = detect(plans, lines, streets, params=DetectParams(unit_column="XZQMC"))
    n = len(result)
    order = np.lexsort((-np.asarray(result.area_planar), np.asarray(result.kind, dtype=str)))
    ids = np.empty(n, dtype=object)
    ids[order] = [f"PK{i + 1:05d}" for i in range(n)]
    if hasattr(result, "to_store"):  # detection's own mapping onto the blueprint contract
        patches, patch_plans = result.to_store(ids)
    else:
        patches = FeatureTable(
            geoms=np.asarray(result.geoms),
            fids=np.arange(n),
            columns={
                "patch_id": ids,
                "kind": np.asarray(result.kind, dtype=object),
                "severity": np.asarray(result.severity),
                "unit": np.asarray(result.unit, dtype=object),
                "codes": np.asarray(result.code_key, dtype=object),
                "area_planar": np.asarray(result.area_planar, dtype=float),
                "area_ellipsoidal": np.asarray(result.area_ellipsoidal, dtype=float),
                "is_sliver": np.asarray(result.is_sliver, dtype=bool),
                "sliver_reason": np.asarray(result.sliver_reason, dtype=object),
                "fingerprint": np.asarray(result.fingerprint, dtype=object),
            },
            crs_wkt=result.crs_wkt,
        )
        pp = result.patch_plans
        patch_plans = {"patch_id": ids[np.asarray(pp["patch"], dtype=int)]}
        for new, old in (
            ("role", "role"),
            ("layer", "layer"),
            ("src_standard", "src_standard"),
            ("src_code", "src_code"),
            ("mp_code", "unified_code"),
            ("mp_name", "unified_name"),
            ("mp_construction", "construction"),
        ):
            patch_plans[new] = np.asarray(pp[new] if new in pp else pp[old], dtype=object)
    names = {
        "redline": ("eco_redline", "生态保护红线"),
        "farmland": ("farmland", "永久基本农田"),
        "boundary": ("dev_boundary", "城镇开发边界"),
    }
    line_tables = []
    for li in lines:
        t = li.table
        line_type, label = names[li.line]
        line_tables.append(
            FeatureTable(
                geoms=np.asarray(t.geoms),
                fids=np.asarray(t.fids),
                columns={
                    "line_type": np.full(len(t), line_type, dtype=object),
                    "name": np.full(len(t), label, dtype=object),
                },
                crs_wkt=t.crs_wkt,
            )
        )
    control = FeatureTable(
        geoms=np.concatenate([t.geoms for t in line_tables]),
        fids=np.concatenate([t.fids for t in line_tables]),
        columns={k: np.concatenate([t.columns[k] for t in line_tables]) for k in ("line_type", "name")},
        crs_wkt=line_tables[0].crs_wkt,
    )
    store = BlueprintStore.create(
        str(path),
        project_name="浦口区多规合一（演示）",
        district="浦口区",
        crs_wkt=result.crs_wkt,
        overwrite=True,
    )
    run = store.begin_run("detect", inputs=[{"role": p.role, "layer": p.layer} for p in plans])
    with store.run_writer(run) as w:
        for p in plans[:2]:
            w.write_plan_copy(p.role, p.table)
        w.write_patches(patches, patch_plans)
        w.write_control_lines(control, "input")
        w.finish(timings=result.timings)
    record_scripted_decisions(store, limit=10)
    store.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "docs"))
    ap.add_argument("--blueprint", help="an existing blueprint (default: build the demo blueprint)")
    ap.add_argument("--lang", default="zh_CN")
    ap.add_argument("--parcels", type=int, default=2000)
    ap.add_argument("--kinds", default="PF_URBAN,PF_LAND", help="kinds checked in the filtered view")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mp-shots-"))
    try:
        _run([sys.executable, str(ROOT / "dev" / "package.py"), "--out", str(work / "dist")])
        (zip_path,) = (work / "dist").glob("multiplan-*.zip")
        if args.blueprint:
            blueprint, how = Path(args.blueprint).resolve(), "given"
        else:
            blueprint, how = demo_blueprint(work / "demo", args.parcels)
        print(f"blueprint: {blueprint} ({how})")
        script = work / "shots.py"
        kinds = [k for k in args.kinds.split(",") if k]
        script.write_text(IN_QGIS.format(blueprint=str(blueprint), kinds=kinds), "utf-8")
        sys.path.insert(0, str(ROOT / "dev"))
        from desktop import run

        shots = work / "shots"
        status = run(zip_path, script, shots, lang=args.lang, timeout=300, size="1920x1200")
        print(json.dumps(status, ensure_ascii=False, indent=1))
        if "error" in status:
            return 1
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name in SHOTS:
            shutil.copy(shots / name, out / name)
            print(f"wrote {out / name}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
