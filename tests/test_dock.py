"""The real review dock (widgets, layers, canvas, keyboard) on real blueprint files.

Driven the way a reviewer drives it: key clicks on the dock, button clicks, typing into the comment
field; checked against the file through a second store connection and against the QGIS project.
"""

from __future__ import annotations

import os
import sqlite3

import pytest
import shapely
from mp_testing import review_blueprint
from multiplan.algorithms.store import BlueprintStore
from multiplan.ui import settings
from multiplan.ui.controller import Filters
from qgis.core import QgsProject, QgsRuleBasedRenderer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest

OFFICE = settings.Reviewer("王主任", "领导小组办公室", settings.ROLE_FINAL)
GROUP = "多规合一 浦口区多规合一"


@pytest.fixture()
def reviewer(qgis_app):
    before = settings.reviewer()
    settings.set_reviewer(OFFICE)
    yield OFFICE
    settings.set_reviewer(before)


@pytest.fixture()
def bp(tmp_path, monkeypatch, qgis_app):
    monkeypatch.setenv("MULTIPLAN_PENDING_DIR", str(tmp_path / "pending"))
    path = tmp_path / "bp.gpkg"
    review_blueprint(path, 120).close()
    settings.set_view_state("order", "severity")
    settings.set_view_state("auto_advance", False)
    return path


@pytest.fixture()
def dock(qgis_iface, qtbot, reviewer, bp):
    from multiplan.ui.dock import ReviewDock

    d = ReviewDock(qgis_iface)
    d.resize(560, 1000)
    d.show()
    qtbot.waitExposed(d)
    yield d
    d.cleanup()
    d.deleteLater()


def sql(path, query, params=()):
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def key(dock, qtbot, k, widget=None, modifier=Qt.KeyboardModifier.NoModifier):
    """A key press as the reviewer makes it: focus inside the dock, the dock's window active."""
    target = widget or dock.form.nextButton
    dock.activateWindow()
    target.setFocus()
    qtbot.waitUntil(lambda: dock.isActiveWindow(), timeout=2000)
    QTest.keyClick(target, k, modifier)


def count(layer) -> int:
    """Features the layer delivers (QGIS 3.22's OGR featureCount() ignores a subset string here)."""
    return sum(1 for _ in layer.getFeatures())


def bar_texts(dock) -> list[str]:
    return [item.text() for item in dock.form.messageBar.items()]


def test_open_adds_a_styled_group_shows_the_first_patch_and_zooms(dock, bp):
    assert dock.objectName() == "MultiPlanReviewDock"
    assert dock.open_blueprint(str(bp))
    c = dock.controller
    root = QgsProject.instance().layerTreeRoot()
    group = root.findGroup(GROUP)
    assert group is not None
    names = [n.name() for n in group.children()]
    assert names[:3] == ["Difference patches", "Control-line adjustments", "Control lines"]
    plans = group.findGroup("Plans")
    assert plans is not None and len(plans.findLayers()) == 2 and not plans.itemVisibilityChecked()
    patches = dock.layers.patches
    assert count(patches) == 120  # the two closed patches are filtered out of the layer too
    renderer = patches.renderer()
    assert isinstance(renderer, QgsRuleBasedRenderer)
    labels = [r.label() for r in renderer.rootRule().children()]
    assert {"undecided", "decided", "conflict", "changed, re-confirm"} <= set(labels)
    assert any(lbl.startswith("Kind: ") for lbl in labels) and "Sliver (technical difference)" in labels
    # The current patch is on the form.
    v = c.current
    assert v.patch_id == c.queue[0]
    assert v.patch_id in dock.form.patchTitleLabel.text()
    assert dock.form.plansTable.columnCount() == len(v.plans)
    assert dock.form.plansTable.item(1, 0).text() == v.plans[0].src_code
    assert "of 120 patches decided" in dock.form.progressLabel.text()
    assert dock.form.positionLabel.text() == "1 of 120"
    assert dock.form.historyTable.rowCount() == len(v.history)
    # The map shows it with a margin, outlined.
    xmin, ymin, xmax, ymax = shapely.bounds(v.geometry)
    ext = dock.canvas.extent()
    assert ext.xMinimum() < xmin and ext.xMaximum() > xmax and ext.yMinimum() < ymin and ext.yMaximum() > ymax
    assert ext.width() < 20 * max(xmax - xmin, ymax - ymin, 120)
    band = dock.focus.band.asGeometry()
    assert band.area() == pytest.approx(shapely.area(v.geometry), rel=1e-6)


def test_keyboard_steps_and_records(dock, qtbot, bp):
    dock.open_blueprint(str(bp))
    c = dock.controller
    q = c.queue
    key(dock, qtbot, Qt.Key.Key_N)
    assert c.current.patch_id == q[1]
    key(dock, qtbot, Qt.Key.Key_N)
    key(dock, qtbot, Qt.Key.Key_P)
    assert c.current.patch_id == q[1]
    # Letters typed into the comment are text, not shortcuts.
    key(dock, qtbot, Qt.Key.Key_N, widget=dock.form.commentEdit)
    QTest.keyClicks(dock.form.commentEdit, "nupd")
    assert c.current.patch_id == q[1] and dock.form.commentEdit.toPlainText() == "nnupd"
    dock.form.commentEdit.setPlainText("按键采纳")
    # "1" adopts the first plan shown.
    pid, role = c.current.patch_id, c.current.roles[0]
    key(dock, qtbot, Qt.Key.Key_1)
    other = BlueprintStore.open(str(bp))
    last = other.decisions(pid)[-1]
    assert (last.action, last.target, last.comment, last.reviewer) == (
        "adopt_plan",
        role,
        "按键采纳",
        "王主任",
    )
    assert dock.form.commentEdit.toPlainText() == ""  # written, so the form is cleared
    # The map layer re-reads the status cache: the patch is drawn as decided now.
    from qgis.core import QgsFeatureRequest

    req = QgsFeatureRequest().setFilterExpression(f"\"patch_id\" = '{pid}'")
    assert [f["status"] for f in dock.layers.patches.getFeatures(req)] == [other.patch(pid)["status"]]
    # "U" goes to the next undecided patch, "D" defers it.
    key(dock, qtbot, Qt.Key.Key_U)
    undecided = c.current.patch_id
    assert undecided != pid and not c.current.decided
    key(dock, qtbot, Qt.Key.Key_D)
    assert other.patch(undecided)["status"] == "deferred"
    # "G" puts the cursor in the jump field; Enter jumps.
    key(dock, qtbot, Qt.Key.Key_G)
    assert dock.form.jumpEdit.hasFocus()
    QTest.keyClicks(dock.form.jumpEdit, q[30])
    QTest.keyClick(dock.form.jumpEdit, Qt.Key.Key_Return)
    assert c.current.patch_id == q[30] and dock.form.positionLabel.text() == "31 of 120"
    # Ctrl+R refreshes: a decision made elsewhere appears.
    from multiplan.algorithms.store import Decision

    other.record_decision(Decision(q[30], "defer", "赵科长", role="final", department="领导小组办公室"))
    key(dock, qtbot, Qt.Key.Key_R, modifier=Qt.KeyboardModifier.ControlModifier)
    assert c.current.status == "deferred" and dock.form.historyTable.rowCount() == len(c.current.history)
    other.close()
    assert set(dock.shortcuts) >= {
        "next",
        "previous",
        "next_undecided",
        "defer",
        "retain",
        "adopt1",
        "adopt9",
    }


def test_buttons_record_every_action_through_the_store(dock, qtbot, bp):
    dock.open_blueprint(str(bp))
    c = dock.controller
    c.set_filters(Filters(statuses=("undecided",)))
    other = BlueprintStore.open(str(bp))
    # adopt plan 2 by its button
    pid = c.current.patch_id
    buttons = dock._adopt_buttons
    assert len(buttons) == len(c.current.roles) >= 1
    qtbot.mouseClick(buttons[-1], Qt.MouseButton.LeftButton)
    assert other.decisions(pid)[-1].target == c.current.roles[-1]
    # set class without the picker, exception with the chosen role, technical error, line adjustment
    two = [p for (p,) in sql(bp, "SELECT patch_id FROM patch_plans GROUP BY patch_id HAVING count(*) >= 2")]
    c.go_to(next(p for p in c.queue if p in two and p != pid))
    assert dock.set_class("0103")
    assert other.patch(c.current.patch_id)["current_target"] == "0103"
    dock.form.exceptionRoleCombo.setCurrentIndex(dock.form.exceptionRoleCombo.count() - 1)
    role = dock.form.exceptionRoleCombo.currentData()
    qtbot.mouseClick(dock.form.exceptionButton, Qt.MouseButton.LeftButton)
    assert (
        other.patch(c.current.patch_id)["current_action"],
        other.patch(c.current.patch_id)["current_target"],
    ) == (
        "exception",
        role,
    )
    qtbot.mouseClick(dock.form.technicalErrorButton, Qt.MouseButton.LeftButton)
    assert other.patch(c.current.patch_id)["current_action"] == "technical_error"
    (line_pid,) = sql(
        bp, "SELECT patch_id FROM patches WHERE kind LIKE 'LINE_%' AND status='undecided' LIMIT 1"
    )[0]
    c.go_to(line_pid)
    assert dock.form.retainButton.isEnabled()
    dock.form.reasonCombo.setCurrentIndex(dock.form.reasonCombo.findData("line"))
    qtbot.mouseClick(dock.form.deductButton, Qt.MouseButton.LeftButton)
    rec = other.decisions(line_pid)[-1]
    assert (rec.action, rec.target, rec.reason_code) == ("adjust_line", "deduct", "line")
    assert "deduct (扣除)" in dock.form.currentValue.text()
    other.close()


def test_a_failed_write_keeps_what_was_typed_and_says_why(dock, qtbot, bp):
    os.chmod(bp, 0o444)
    try:
        dock.open_blueprint(str(bp))
        assert any("read-only" in t for t in bar_texts(dock))
        dock.form.reasonCombo.setCurrentIndex(dock.form.reasonCombo.findData("expert"))
        dock.form.commentEdit.setPlainText("只读时写的意见，不能丢")
        qtbot.mouseClick(dock.form.deferButton, Qt.MouseButton.LeftButton)
        assert dock.form.commentEdit.toPlainText() == "只读时写的意见，不能丢"
        assert dock.form.reasonCombo.currentData() == "expert"
        assert any("pending journal" in t and "read-only" in t for t in bar_texts(dock))
        what = [dock.form.historyTable.item(r, 2).text() for r in range(dock.form.historyTable.rowCount())]
        assert what[-1] == "defer\n[waiting in the pending journal]"
    finally:
        os.chmod(bp, 0o644)
    qtbot.mouseClick(dock.form.refreshButton, Qt.MouseButton.LeftButton)
    assert sql(bp, "SELECT action, reason_code FROM decisions WHERE comment='只读时写的意见，不能丢'") == [
        ("defer", "expert")
    ]


def test_drafts_survive_stepping_away(dock, qtbot, bp):
    dock.open_blueprint(str(bp))
    first = dock.controller.current.patch_id
    dock.form.commentEdit.setPlainText("先记下，稍后再定")
    key(dock, qtbot, Qt.Key.Key_N)
    assert dock.form.commentEdit.toPlainText() == ""
    key(dock, qtbot, Qt.Key.Key_P)
    assert dock.controller.current.patch_id == first
    assert dock.form.commentEdit.toPlainText() == "先记下，稍后再定"


def test_filter_widgets_filter_the_queue_and_the_layer(dock, bp):
    dock.open_blueprint(str(bp))
    f = dock.form
    idx = f.kindCombo.findData("LINE_RED_FARM")
    assert idx >= 0
    f.kindCombo.setItemCheckState(idx, Qt.CheckState.Checked)
    f.minAreaSpin.setValue(1000.0)
    dock.apply_filters()
    expected = [
        r[0]
        for r in sql(
            bp,
            "SELECT patch_id FROM patches WHERE kind='LINE_RED_FARM' AND area_planar >= 1000 "
            "AND closed_run_id IS NULL ORDER BY severity DESC, area_planar DESC, patch_id",
        )
    ]
    assert expected and dock.controller.queue == expected
    assert count(dock.layers.patches) == len(expected)
    assert "filtered" in f.filterGroup.title()
    assert f.positionLabel.text() == f"1 of {len(expected)}"
    dock.refresh()  # the choices are read again; what was checked stays checked
    assert f.kindCombo.checkedItemsData() == ["LINE_RED_FARM"] and dock.controller.queue == expected
    f.layerFilterCheck.setChecked(False)
    dock.apply_filters()
    assert count(dock.layers.patches) == 120 and dock.controller.queue == expected
    dock.reset_filters()
    assert dock.controller.queue_size == 120 and "filtered" not in f.filterGroup.title()


def test_another_blueprint_replaces_the_group_and_unload_removes_it(dock, tmp_path, bp):
    dock.open_blueprint(str(bp))
    first_ids = set(dock.layers.layer_ids)
    assert first_ids and all(QgsProject.instance().mapLayer(i) for i in first_ids)
    other = tmp_path / "other.gpkg"
    review_blueprint(other, 30, seed=3, project_name="江北新区", plan_copies=False, history=False).close()
    dock.open_blueprint(str(other))
    root = QgsProject.instance().layerTreeRoot()
    assert root.findGroup(GROUP) is None and root.findGroup("多规合一 江北新区") is not None
    assert not any(QgsProject.instance().mapLayer(i) for i in first_ids)
    assert dock.controller.queue_size == 30
    dock.cleanup()
    assert root.findGroup("多规合一 江北新区") is None
    assert not [lyr for lyr in QgsProject.instance().mapLayers().values() if "other.gpkg" in lyr.source()]


def test_plugin_builds_the_dock_and_its_toggle_and_removes_them(qgis_iface, reviewer, bp):
    import multiplan
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    if registry.providerById("multiplan") is not None:
        registry.removeProvider(registry.providerById("multiplan"))
    plugin = multiplan.classFactory(qgis_iface)
    plugin.initGui()
    try:
        dock = plugin.dock
        assert dock is not None and dock.objectName() == "MultiPlanReviewDock"
        toggle = [a for a in plugin.actions if a.objectName() == "MultiPlanReviewDockAction"][0]
        assert toggle.isCheckable() and toggle in plugin.toolbar.actions()
        toggle.trigger()
        assert toggle.isChecked() and not dock.isHidden()
        dock.open_blueprint(str(bp))
        assert QgsProject.instance().layerTreeRoot().findGroup(GROUP) is not None
    finally:
        plugin.unload()
    assert plugin.dock is None and plugin.actions == []
    assert QgsProject.instance().layerTreeRoot().findGroup(GROUP) is None
    assert not [lyr for lyr in QgsProject.instance().mapLayers().values() if str(bp) in lyr.source()]


def test_class_picker_filters_by_code_and_name(qgis_app):
    from multiplan.ui.class_picker import ClassPicker

    picker = ClassPicker(None, [("0103", "旱地"), ("G01", "城镇建设用地")])
    tree = picker.form.classTree
    tops = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert tops[0] == "In this patch" and "01" in tops
    farm = next(
        tree.topLevelItem(i) for i in range(tree.topLevelItemCount()) if tree.topLevelItem(i).text(0) == "01"
    )
    assert [farm.child(k).text(0) for k in range(farm.childCount())] == ["0101", "0102", "0103"]
    assert picker.apply_filter("旱地") >= 2  # the suggestion and the table's 0103
    assert picker.apply_filter("07") > 5 and farm.isHidden()  # 07 居住用地 and its children only
    assert picker.select("1207") and picker.selected_code() == "1207"
    picker.apply_filter("")
    assert not farm.isHidden()


def test_missing_identity_prompts_and_writes_nothing(dock, qtbot, bp):
    settings.set_reviewer(settings.Reviewer())
    dock._show_identity()
    dock.open_blueprint(str(bp))
    assert "Who are you?" in dock.form.identityLabel.text()
    n = sql(bp, "SELECT count(*) FROM decisions")[0][0]
    dock.form.commentEdit.setPlainText("身份未设置")
    qtbot.mouseClick(dock.form.deferButton, Qt.MouseButton.LeftButton)
    assert sql(bp, "SELECT count(*) FROM decisions")[0][0] == n
    assert dock.form.commentEdit.toPlainText() == "身份未设置"
    assert any("Set your name and department" in t for t in bar_texts(dock))
