"""The review dock: a thin view over :class:`~.controller.ReviewController`.

It shows what the controller emits (current patch, progress, messages), turns buttons and keys into
controller calls, keeps the map in step (layers, zoom, highlight) and keeps what the reviewer typed.
The form is ``dock.ui`` (Designer), loaded at runtime; it has no signal connections — they are here.

Keyboard (active while the dock has focus; letters do nothing while typing in a text field):
``N`` next, ``P`` previous, ``U`` next undecided, ``G`` go to id, ``Ctrl+R`` refresh;
``1``–``9`` adopt plan 1–9 (as numbered on the buttons), ``C`` set unified class, ``E`` approved
exception, ``K`` / ``W`` / ``X`` control line retain / withdraw / deduct (保留 / 退出 / 扣除), ``F``
technical error, ``D`` defer, ``A`` re-confirm the earlier decision.  QGIS's own single-letter
shortcuts (R, S, T) are avoided so that no key is ambiguous.
"""

from __future__ import annotations

import html
import os

from qgis.core import Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsMessageLog, QgsProject
from qgis.gui import QgsDockWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtGui import QKeySequence
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QMenu,
    QPushButton,
    QTableWidgetItem,
    QWidget,
)

from ..algorithms.i18n import tr
from ..algorithms.store import action_label
from ..compat import QShortcut
from . import settings
from .controller import (
    ADJUST_LINE,
    ADOPT_PLAN,
    DEFER,
    EXCEPTION,
    ORDERS,
    REASON_CODES,
    SET_CLASS,
    TECHNICAL_ERROR,
    Filters,
    PatchView,
    ReviewController,
    format_area,
    order_label,
    reason_label,
    status_label,
)
from .layers import STATUS_COLOURS, BlueprintLayers
from .mapfocus import PatchFocus

FORM_CLASS, _BASE = uic.loadUiType(os.path.join(os.path.dirname(__file__), "dock.ui"))

LEVELS = {
    "info": Qgis.MessageLevel.Info,
    "success": Qgis.MessageLevel.Success,
    "warning": Qgis.MessageLevel.Warning,
    "critical": Qgis.MessageLevel.Critical,
}
DURATION = {"info": 6, "success": 4, "warning": 0, "critical": 0}  # 0: stays until closed
NOTE_COLOURS = {"info": "#2b5797", "warning": "#a35a00", "critical": "#b00020", "success": "#2e7d32"}
KEYS = {
    "next": "N",
    "previous": "P",
    "next_undecided": "U",
    "jump": "G",
    "refresh": "Ctrl+R",
    "set_class": "C",
    "exception": "E",
    "retain": "K",
    "withdraw": "W",
    "deduct": "X",
    "technical_error": "F",
    "defer": "D",
    "reconfirm": "A",
}
MAX_ADOPT_KEYS = 9


def _icon(name: str):
    return QgsApplication.getThemeIcon(name)


class ReviewDock(QgsDockWidget):
    """``ReviewDock(iface)``; ``open_blueprint(path)``; ``cleanup()`` before it is deleted."""

    def __init__(self, iface, parent: QWidget | None = None, *, controller: ReviewController | None = None):
        super().__init__(tr("多规合一 Review"), parent)
        self.setObjectName("MultiPlanReviewDock")
        self.iface = iface
        self.canvas = iface.mapCanvas()
        self.controller = controller or ReviewController(self)
        self.layers = BlueprintLayers()
        self.focus = PatchFocus(self.canvas)
        self.crs = QgsCoordinateReferenceSystem()
        self.shortcuts: dict[str, QShortcut] = {}
        self._adopt_buttons: list[QPushButton] = []
        self._adopt_roles: list[str] = []
        self._shown: str | None = None
        self._recording = False
        self._filling = False
        container = QWidget(self)
        self.form = FORM_CLASS()
        self.form.setupUi(container)
        self.setWidget(container)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(250)
        self._setup_widgets()
        self._connect()
        self._make_shortcuts()
        self._show_identity()
        auto = settings.view_state("auto_advance", False)
        self.form.autoAdvanceCheck.setChecked(auto in (True, 1, "true", "1"))
        self._set_enabled(False)
        QgsProject.instance().cleared.connect(self._project_cleared)

    # ------------------------------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------------------------------

    def _setup_widgets(self) -> None:
        f = self.form
        f.openButton.setIcon(_icon("/mActionFileOpen.svg"))
        f.refreshButton.setIcon(_icon("/mActionRefresh.svg"))
        f.previousButton.setIcon(_icon("/mActionAtlasPrev.svg"))
        f.nextButton.setIcon(_icon("/mActionAtlasNext.svg"))
        f.nextUndecidedButton.setIcon(_icon("/mActionAtlasLast.svg"))
        self._recent_menu = QMenu(self)
        f.openButton.setMenu(self._recent_menu)
        for order in ORDERS:
            f.orderCombo.addItem(order_label(order), order)
        f.reasonCombo.addItem("", None)
        for code in REASON_CODES:
            f.reasonCombo.addItem(reason_label(code), code)
        f.filterGroup.setCollapsed(True)
        f.filterGroup.setSaveCollapsedState(False)
        t = f.plansTable
        t.setRowCount(5)
        t.setVerticalHeaderLabels(
            [
                tr("Source standard"),
                tr("Source code"),
                tr("Source name"),
                tr("Unified class"),
                tr("Construction"),
            ]
        )
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        h = f.historyTable
        # Four columns that wrap, so the history fits the dock's width (no sideways scrolling).
        heads = [tr("When"), tr("Who"), tr("What"), tr("Why")]
        h.setColumnCount(len(heads))
        h.setHorizontalHeaderLabels(heads)
        hh = h.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        h.setColumnWidth(1, 110)
        h.setWordWrap(True)
        h.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        h.verticalHeader().setVisible(False)
        h.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tips = {
            f.nextButton: (tr("Next patch"), KEYS["next"]),
            f.previousButton: (tr("Previous patch"), KEYS["previous"]),
            f.nextUndecidedButton: (tr("Next patch that is not decided"), KEYS["next_undecided"]),
            f.jumpButton: (tr("Go to the patch id typed on the left"), KEYS["jump"]),
            f.refreshButton: (tr("Write pending decisions and show others' decisions"), KEYS["refresh"]),
            f.setClassButton: (
                tr("Set the unified class (用地用海 2023) from the code tables"),
                KEYS["set_class"],
            ),
            f.exceptionButton: (
                tr("Approved exception: both plans keep their use; the blueprint draws the chosen plan"),
                KEYS["exception"],
            ),
            f.retainButton: (tr("Control line: retain (保留)"), KEYS["retain"]),
            f.withdrawButton: (tr("Control line: withdraw (退出)"), KEYS["withdraw"]),
            f.deductButton: (tr("Control line: deduct (扣除)"), KEYS["deduct"]),
            f.technicalErrorButton: (
                tr("Technical error (sliver): the blueprint takes the neighbouring agreed class"),
                KEYS["technical_error"],
            ),
            f.deferButton: (tr("Defer: decide later (not counted as decided)"), KEYS["defer"]),
            f.reconfirmButton: (
                tr("Re-confirm the earlier decision on a changed or replaced patch"),
                KEYS["reconfirm"],
            ),
        }
        for button, (text, key) in tips.items():
            button.setToolTip(tr("{action} — key {key}").format(action=text, key=key))
        # Buttons may shrink below their text rather than push the dock wider than the screen.
        for button in (
            f.setClassButton,
            f.technicalErrorButton,
            f.deferButton,
            f.exceptionButton,
            f.retainButton,
            f.withdrawButton,
            f.deductButton,
            f.reconfirmButton,
            f.previousButton,
            f.nextButton,
            f.nextUndecidedButton,
        ):
            button.setMinimumWidth(40)
        f.exceptionRoleCombo.setMinimumContentsLength(6)

    def _connect(self) -> None:
        f, c = self.form, self.controller
        c.opened.connect(self._on_opened)
        c.closed.connect(self._on_closed)
        c.currentChanged.connect(self._on_current)
        c.progressChanged.connect(f.progressLabel.setText)
        c.queueChanged.connect(lambda n: self._show_position())
        c.message.connect(self._on_message)
        c.identityRequired.connect(self._prompt_identity)
        c.dataChanged.connect(self._on_data_changed)
        f.openButton.clicked.connect(lambda: self.open_blueprint())
        self._recent_menu.aboutToShow.connect(self._fill_recent)
        f.refreshButton.clicked.connect(self.refresh)
        f.nextButton.clicked.connect(c.next)
        f.previousButton.clicked.connect(c.previous)
        f.nextUndecidedButton.clicked.connect(c.next_undecided)
        f.jumpButton.clicked.connect(self._jump)
        f.jumpEdit.returnPressed.connect(self._jump)
        f.orderCombo.currentIndexChanged.connect(self._order_changed)
        for combo in (f.kindCombo, f.statusCombo, f.unitCombo):
            combo.checkedItemsChanged.connect(self._filters_changed)
        for combo in (f.departmentCombo, f.reviewerCombo):
            combo.currentIndexChanged.connect(self._filters_changed)
        for spin in (f.minAreaSpin, f.maxAreaSpin):
            spin.valueChanged.connect(self._filters_changed)
        f.layerFilterCheck.toggled.connect(self._filters_changed)
        f.resetFiltersButton.clicked.connect(self.reset_filters)
        self._filter_timer.timeout.connect(self.apply_filters)
        f.setClassButton.clicked.connect(self.set_class)
        f.exceptionButton.clicked.connect(self.exception)
        f.retainButton.clicked.connect(lambda: self._record(ADJUST_LINE, "retain"))
        f.withdrawButton.clicked.connect(lambda: self._record(ADJUST_LINE, "withdraw"))
        f.deductButton.clicked.connect(lambda: self._record(ADJUST_LINE, "deduct"))
        f.technicalErrorButton.clicked.connect(lambda: self._record(TECHNICAL_ERROR))
        f.deferButton.clicked.connect(lambda: self._record(DEFER))
        f.reconfirmButton.clicked.connect(self.reconfirm)
        f.autoAdvanceCheck.toggled.connect(self._auto_advance)
        f.identityLabel.linkActivated.connect(lambda _link: self._open_settings())

    def _make_shortcuts(self) -> None:
        f, c = self.form, self.controller
        slots = {
            "next": c.next,
            "previous": c.previous,
            "next_undecided": c.next_undecided,
            "jump": lambda: (f.jumpEdit.setFocus(), f.jumpEdit.selectAll()),
            "refresh": self.refresh,
            "set_class": self.set_class,
            "exception": self.exception,
            "retain": lambda: self._record(ADJUST_LINE, "retain"),
            "withdraw": lambda: self._record(ADJUST_LINE, "withdraw"),
            "deduct": lambda: self._record(ADJUST_LINE, "deduct"),
            "technical_error": lambda: self._record(TECHNICAL_ERROR),
            "defer": lambda: self._record(DEFER),
            "reconfirm": self.reconfirm,
        }
        for name, slot in slots.items():
            self._shortcut(name, KEYS[name], slot)
        for k in range(1, MAX_ADOPT_KEYS + 1):
            self._shortcut(f"adopt{k}", str(k), lambda k=k: self.adopt(k - 1))

    def _shortcut(self, name: str, key: str, slot) -> None:
        sc = QShortcut(QKeySequence(key), self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.setObjectName(f"multiplan_{name}")
        sc.activated.connect(slot)
        self.shortcuts[name] = sc

    # ------------------------------------------------------------------------------------------
    # Opening, refreshing, closing
    # ------------------------------------------------------------------------------------------

    def open_blueprint(self, path: str | None = None) -> bool:
        """Open ``path`` (a file dialog when None); the previous blueprint's layers are replaced."""
        if not path:
            recent = settings.recent_blueprints()
            start = os.path.dirname(recent[0]) if recent else ""
            path, _ = QFileDialog.getOpenFileName(
                self, tr("Open a blueprint"), start, tr("Blueprint GeoPackage (*.gpkg);;All files (*)")
            )
            if not path:
                return False
        self.setUserVisible(True)
        return self.controller.open(path)

    def refresh(self) -> None:
        self.controller.refresh()
        self._filling = True
        try:
            self._fill_choices(keep=True)
        finally:
            self._filling = False

    def cleanup(self) -> None:
        """Remove everything this dock added to QGIS (plugin unload)."""
        try:
            QgsProject.instance().cleared.disconnect(self._project_cleared)
        except TypeError:
            pass
        self._save_draft()
        self.controller.close()
        self.layers.remove()
        self.focus.remove()
        for sc in self.shortcuts.values():
            sc.setEnabled(False)

    def _fill_recent(self) -> None:
        self._recent_menu.clear()
        recent = settings.recent_blueprints()
        if not recent:
            action = self._recent_menu.addAction(tr("No recent blueprints"))
            action.setEnabled(False)
        for path in recent:
            action = self._recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_blueprint(p))

    def _on_opened(self, path: str) -> None:
        c = self.controller
        info = c.info
        project = QgsProject.instance()
        empty_project = not project.mapLayers()
        name = info.project_name if info else os.path.basename(path)
        layers = info.layers if info else ()
        patches = self.layers.load(path, name, layers)
        self.crs = (
            patches.crs()
            if patches is not None
            else QgsCoordinateReferenceSystem(info.crs_authid if info else "")
        )
        if empty_project and self.crs.isValid():
            project.setCrs(self.crs)
            self.canvas.setDestinationCrs(self.crs)
        self.form.blueprintLabel.setText(f"<b>{html.escape(name)}</b>")
        self.form.blueprintLabel.setToolTip(path)
        self._filling = True
        try:
            self.form.orderCombo.setCurrentIndex(max(0, self.form.orderCombo.findData(c.order)))
            self._fill_choices()
        finally:
            self._filling = False
        self.layers.set_filter(c.filters.subset_sql())
        self._set_enabled(True)
        # QGIS zooms to the full extent when the first layers enter an empty project, after this
        # returns; show the current patch once that has happened.
        QTimer.singleShot(0, self._refocus)

    def _refocus(self) -> None:
        v = self.controller.current
        if v is not None:
            self.focus.show(v.geometry, self.crs)

    def _on_closed(self) -> None:
        self.layers.remove()
        self.focus.clear()
        self._shown = None
        self.form.blueprintLabel.setText(tr("No blueprint open"))
        self.form.progressLabel.setText("")
        self._set_enabled(False)

    def _project_cleared(self) -> None:
        """A new QGIS project took our layers away: forget them (the blueprint stays open)."""
        self.layers = BlueprintLayers()
        self.focus.clear()

    def _on_data_changed(self) -> None:
        self.layers.reload()

    def _set_enabled(self, on: bool) -> None:
        f = self.form
        for w in (
            f.refreshButton,
            f.previousButton,
            f.nextButton,
            f.nextUndecidedButton,
            f.jumpEdit,
            f.jumpButton,
            f.filterGroup,
            f.patchGroup,
            f.recordGroup,
            f.historyGroup,
        ):
            w.setEnabled(on)

    # ------------------------------------------------------------------------------------------
    # Filters and order
    # ------------------------------------------------------------------------------------------

    def _fill_choices(self, keep: bool = False) -> None:
        """Offer what the blueprint holds; ``keep`` keeps the checked values (Refresh after a new run)."""
        f = self.form
        choices = self.controller.filter_choices()
        for combo, key in ((f.kindCombo, "kinds"), (f.statusCombo, "statuses"), (f.unitCombo, "units")):
            checked = set(combo.checkedItemsData()) if keep else set()
            combo.blockSignals(True)
            combo.clear()
            for value, label in choices[key]:
                state = Qt.CheckState.Checked if value in checked else Qt.CheckState.Unchecked
                combo.addItemWithCheckState(label, state, value)
            combo.blockSignals(False)
        self._fill_people(choices)

    def _fill_people(self, choices=None) -> None:
        f = self.form
        choices = choices or self.controller.filter_choices()
        for combo, key in ((f.departmentCombo, "departments"), (f.reviewerCombo, "reviewers")):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(tr("any"), None)
            for value, label in choices[key]:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(keep)) if keep else 0)
            combo.blockSignals(False)

    def current_filters(self) -> Filters:
        f = self.form

        def area(spin) -> float | None:
            v = spin.value()
            return None if v <= spin.minimum() else float(v)

        return Filters(
            kinds=tuple(f.kindCombo.checkedItemsData()),
            statuses=tuple(f.statusCombo.checkedItemsData()),
            units=tuple(f.unitCombo.checkedItemsData()),
            department=f.departmentCombo.currentData(),
            reviewer=f.reviewerCombo.currentData(),
            min_area=area(f.minAreaSpin),
            max_area=area(f.maxAreaSpin),
        )

    def _filters_changed(self, *_args) -> None:
        if not self._filling:
            self._filter_timer.start()

    def apply_filters(self) -> None:
        """Give the controller the filters on the form; the layer follows when so chosen."""
        self._filter_timer.stop()
        filters = self.current_filters()
        self._save_draft()
        self.controller.set_filters(filters)
        self.layers.set_filter(
            (filters if self.form.layerFilterCheck.isChecked() else Filters()).subset_sql()
        )
        if filters.active:
            self.form.filterGroup.setTitle(tr("Order and filters (filtered)"))
        else:
            self.form.filterGroup.setTitle(tr("Order and filters"))

    def reset_filters(self) -> None:
        f = self.form
        self._filling = True
        try:
            for combo in (f.kindCombo, f.statusCombo, f.unitCombo):
                combo.deselectAllOptions()
            f.departmentCombo.setCurrentIndex(0)
            f.reviewerCombo.setCurrentIndex(0)
            f.minAreaSpin.setValue(f.minAreaSpin.minimum())
            f.maxAreaSpin.setValue(f.maxAreaSpin.minimum())
        finally:
            self._filling = False
        self.apply_filters()

    def _order_changed(self, _index: int) -> None:
        if self._filling or not self.controller.is_open:
            return
        self._save_draft()
        self.controller.set_order(self.form.orderCombo.currentData())

    # ------------------------------------------------------------------------------------------
    # The current patch
    # ------------------------------------------------------------------------------------------

    def _save_draft(self) -> None:
        if self._shown:
            self.controller.save_draft(self._shown, self._reason_code(), self.form.commentEdit.toPlainText())

    def _on_current(self, view: PatchView | None) -> None:
        f = self.form
        if view is None:
            self._shown = None
            self.focus.clear()
            f.patchTitleLabel.setText(tr("No patch"))
            for w in (
                f.streetValue,
                f.areaValue,
                f.sliverValue,
                f.linesValue,
                f.currentValue,
                f.notesLabel,
                f.predecessorsLabel,
            ):
                w.setText("")
            f.plansTable.setColumnCount(0)
            f.historyTable.setRowCount(0)
            f.patchGroup.setEnabled(False)
            f.recordGroup.setEnabled(False)
            self._show_position()
            return
        f.patchGroup.setEnabled(True)
        f.recordGroup.setEnabled(True)
        if view.patch_id != self._shown:
            if not self._recording:
                self._save_draft()
            self._shown = view.patch_id
            reason, comment = self.controller.draft(view.patch_id)
            self._set_form(reason, comment)
        self._show_patch(view)
        self._show_history(view)
        self._show_actions(view)
        self._show_position()
        self.focus.show(view.geometry, self.crs)

    def _show_patch(self, v: PatchView) -> None:
        f = self.form
        colour = "rgb({})".format(STATUS_COLOURS.get(v.status, "90,90,90"))
        f.patchTitleLabel.setText(
            "<b>{pid}</b> · {kind} <span style='color:#777'>({code}, {sev})</span><br/>"
            "<span style='color:{colour}'>■</span> <b>{status}</b>".format(
                pid=html.escape(v.patch_id),
                kind=html.escape(v.kind_label),
                code=html.escape(v.kind),
                sev=html.escape(tr("severity {n}").format(n=v.severity if v.severity is not None else "—")),
                colour=colour,
                status=html.escape(status_label(v.status)),
            )
        )
        f.streetValue.setText(v.unit or "—")
        f.areaValue.setText(
            tr("{planar} (plane) · {ellipsoidal} (ellipsoid)").format(
                planar=format_area(v.area_planar), ellipsoidal=format_area(v.area_ellipsoidal)
            )
        )
        f.sliverValue.setText(
            tr("yes — {reason}").format(reason=v.sliver_reason or tr("small or thin"))
            if v.is_sliver
            else tr("no")
        )
        if v.lines:
            f.linesValue.setText(
                "<b>{}</b> ".format(html.escape(tr("Control lines:")))
                + "; ".join(f"{html.escape(li.label)} — {html.escape(li.detail)}" for li in v.lines)
            )
        else:
            f.linesValue.setText(html.escape(tr("Control lines: none involved")))
        if v.current_action:
            f.currentValue.setText(
                action_label(
                    v.current_action, self.controller._target_text(v.current_action, v.current_target)
                )
            )
        else:
            f.currentValue.setText(tr("none yet"))
        f.notesLabel.setText(
            "<br/>".join(
                f"<span style='color:{NOTE_COLOURS.get(level, '#333')}'>{html.escape(text)}</span>"
                for level, text in v.notes
            )
        )
        f.notesLabel.setVisible(bool(v.notes))
        t = f.plansTable
        t.setColumnCount(len(v.plans))
        t.setHorizontalHeaderLabels([f"{k + 1}. {p.label}" for k, p in enumerate(v.plans)])
        for col, p in enumerate(v.plans):
            values = [
                p.standard or "—",
                p.src_code or "—",
                p.src_name or "—",
                f"{p.mp_code} {p.mp_name}".strip() or "—",
                p.construction,
            ]
            for row, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                t.setItem(row, col, item)
        t.setVisible(bool(v.plans))
        if v.plans:
            t.resizeRowsToContents()
            height = t.horizontalHeader().height() + 2 * t.frameWidth()
            height += sum(t.rowHeight(r) for r in range(t.rowCount()))
            t.setFixedHeight(height + 2)
        if v.predecessors:
            f.predecessorsLabel.setText(
                "<b>{}</b><br/>".format(html.escape(tr("Earlier patches and their decisions:")))
                + "<br/>".join(html.escape(p.text) for p in v.predecessors)
            )
        else:
            f.predecessorsLabel.setText("")
        f.predecessorsLabel.setVisible(bool(v.predecessors))

    def _show_history(self, v: PatchView) -> None:
        h = self.form.historyTable
        h.setRowCount(len(v.history))
        for row, r in enumerate(v.history):
            who = "\n".join(x for x in (r.reviewer, r.department, r.role) if x)
            what = f"{r.action}\n[{r.state}]" if r.state else r.action
            why = " · ".join(x for x in (r.reason, r.comment) if x)
            for col, text in enumerate((r.when, who, what, why)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                h.setItem(row, col, item)

    def _show_actions(self, v: PatchView) -> None:
        f, c = self.form, self.controller
        final = c.can_decide
        self._show_identity()  # the settings page may have changed it meanwhile
        f.recordGroup.setTitle(tr("Your decision") if final else tr("Your opinion"))
        f.roleNoteLabel.setText(
            tr("You decide for the leading-group office; a decision is written at once.")
            if final
            else tr(
                "Departments give opinions; only the leading-group office decides. "
                "Your opinion is written at once."
            )
        )
        roles = v.roles
        if roles != self._adopt_roles:
            self._adopt_roles = roles
            grid = f.adoptLayout
            for b in self._adopt_buttons:
                grid.removeWidget(b)
                b.deleteLater()
            self._adopt_buttons = []
            for k, role in enumerate(roles):
                plan = next(p.label for p in v.plans if p.role == role)
                b = QPushButton(tr("{k}. Adopt {plan}").format(k=k + 1, plan=plan), f.adoptContainer)
                b.setObjectName(f"adoptButton_{role}")
                if k < MAX_ADOPT_KEYS:
                    b.setToolTip(
                        tr("Adopt the {plan} for this patch — key {key}").format(plan=plan, key=k + 1)
                    )
                b.clicked.connect(lambda _checked=False, k=k: self.adopt(k))
                b.setMinimumWidth(40)
                grid.addWidget(b, k, 0)
                self._adopt_buttons.append(b)
        f.adoptContainer.setVisible(bool(roles))
        exc_roles = v.land_use_roles or roles
        f.exceptionRoleCombo.clear()
        for role in exc_roles:
            label = next(p.label for p in v.plans if p.role == role)
            f.exceptionRoleCombo.addItem(tr("draw {plan}").format(plan=label), role)
        f.exceptionButton.setEnabled(bool(exc_roles))
        f.exceptionRoleCombo.setEnabled(bool(exc_roles))
        line_ok = v.is_line_kind or bool(v.lines)
        for b in (f.retainButton, f.withdrawButton, f.deductButton):
            b.setEnabled(line_ok)
        f.reconfirmButton.setVisible(
            (v.reconfirm or bool(v.predecessors)) and c.reconfirm_candidate() is not None
        )

    def _show_position(self) -> None:
        c = self.controller
        pos = c.position
        if not c.is_open:
            text = ""
        elif c.queue_size == 0:
            text = tr("queue empty")
        elif pos is None:
            text = tr("outside the queue ({n})").format(n=c.queue_size)
        else:
            text = tr("{i} of {n}").format(i=pos + 1, n=c.queue_size)
        self.form.positionLabel.setText(text)

    # ------------------------------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------------------------------

    def _reason_code(self) -> str | None:
        combo = self.form.reasonCombo
        text = combo.currentText().strip()
        if not text:
            return None
        idx = combo.findText(text)
        data = combo.itemData(idx) if idx >= 0 else None
        return data or text

    def _set_form(self, reason: str | None, comment: str) -> None:
        combo = self.form.reasonCombo
        idx = combo.findData(reason) if reason else 0
        if idx >= 0:
            combo.setCurrentIndex(idx)
        else:
            combo.setEditText(reason or "")
        self.form.commentEdit.setPlainText(comment or "")

    def _record(self, action: str, target: str | None = None) -> bool:
        c = self.controller
        if c.current is None:
            return False
        pid = c.current.patch_id
        self._recording = True
        try:
            outcome = c.record(
                action, target, reason_code=self._reason_code(), comment=self.form.commentEdit.toPlainText()
            )
        finally:
            self._recording = False
        if outcome.ok and self._shown == pid:
            self._set_form(None, "")
        return outcome.ok

    def adopt(self, index: int) -> bool:
        if index < 0 or index >= len(self._adopt_roles):
            return False
        return self._record(ADOPT_PLAN, self._adopt_roles[index])

    def exception(self) -> bool:
        role = self.form.exceptionRoleCombo.currentData()
        if not role:
            return False
        return self._record(EXCEPTION, role)

    def set_class(self, code: str | None = None) -> bool:
        """Record "set unified class"; without ``code`` the class picker asks for one."""
        v = self.controller.current
        if v is None:
            return False
        if not code:
            from .class_picker import ClassPicker

            suggestions = []
            for p in v.plans:
                if p.mp_code and (p.mp_code, p.mp_name) not in suggestions:
                    suggestions.append((p.mp_code, p.mp_name))
            dialog = ClassPicker(
                self, suggestions, current=v.current_target if v.current_action == SET_CLASS else None
            )
            if not dialog.exec():
                return False
            code = dialog.selected_code()
            if not code:
                return False
        return self._record(SET_CLASS, code)

    def reconfirm(self) -> bool:
        c = self.controller
        if c.current is None:
            return False
        pid = c.current.patch_id
        self._recording = True
        try:
            outcome = c.reconfirm(
                reason_code=self._reason_code(), comment=self.form.commentEdit.toPlainText()
            )
        finally:
            self._recording = False
        if outcome.ok and self._shown == pid:
            self._set_form(None, "")
        return outcome.ok

    def _auto_advance(self, on: bool) -> None:
        self.controller.auto_advance = bool(on)
        settings.set_view_state("auto_advance", bool(on))

    def _jump(self) -> None:
        text = self.form.jumpEdit.text().strip()
        if text:
            self._save_draft()
            self.controller.go_to(text)

    # ------------------------------------------------------------------------------------------
    # Messages and identity
    # ------------------------------------------------------------------------------------------

    def _on_message(self, level: str, text: str) -> None:
        bar = self.form.messageBar
        # A few messages at a time stay readable; every one is also in the log panel.
        while len(bar.items()) >= 3:
            bar.popWidget(bar.items()[-1])  # items() lists the newest first
        bar.pushMessage(tr("Review"), text, LEVELS.get(level, Qgis.MessageLevel.Info), DURATION.get(level, 5))
        QgsMessageLog.logMessage(
            text, tr("Multi-Plan Integration"), LEVELS.get(level, Qgis.MessageLevel.Info)
        )

    def _show_identity(self) -> None:
        text = html.escape(self.controller.identity_text())
        text = f"{text} <a href='settings'>{html.escape(tr('Change…'))}</a>"
        if self.form.identityLabel.text() != text:
            self.form.identityLabel.setText(text)

    def _prompt_identity(self) -> None:
        self._show_identity()
        bar = self.form.messageBar
        item = bar.createMessage(tr("Who are you?"), tr("Set your name, department and role once."))
        button = QPushButton(tr("Open settings"), item)
        button.clicked.connect(self._open_settings)
        item.layout().addWidget(button)
        bar.pushWidget(item, Qgis.MessageLevel.Warning, 0)

    def _open_settings(self) -> None:
        self.iface.showOptionsDialog(self.iface.mainWindow(), tr("Multi-Plan Integration"))
        self._show_identity()
        if self.controller.current is not None:
            self._show_actions(self.controller.current)
