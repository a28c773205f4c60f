"""The review dock's logic, without widgets: the queue, the current patch, recording, refresh, messages.

The dock (``ui/dock.py``) is a thin view: it shows what this controller emits and calls its methods;
the tests drive the controller directly against real blueprint files.

Why it is built this way:

* **Stepping never re-reads the layer.**  Opening or changing the order/filters reads one column set
  (``patch_id``, ``decided``) of the matching patches through ``store.patches(..., with_geometry=False)``
  and keeps the ordered ids in memory; next / previous / next-undecided move an index and fetch *one*
  patch by id (``store.patch``, ``store.patch_plans``, ``store.decisions``).  That is what keeps a step
  on a 50k-patch blueprint in milliseconds (``dev/bench_cases/next_patch.py``).
* **Everything goes through the store.**  A decision is written the moment it is made, with
  ``based_on`` = the current decision id *as the reviewer saw it*, so a stale view turns into a visible
  conflict instead of silently overwriting someone else's decision (docs/blueprint-contract.md §3).
* **Nothing typed is lost.**  A write that fails leaves the decision in the store's pending journal
  (the error says so); the controller keeps the reviewer's draft (reason and comment) per patch, so
  neither a failure nor stepping away throws text away.
* **Every bad situation is a message**, never an exception escaping into QGIS: the ``message`` signal
  carries a level (``info``, ``success``, ``warning``, ``critical``) and the translated text; the dock
  shows it in its own message bar.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..algorithms.i18n import tr
from ..algorithms.store import (
    ADJUST_LINE,
    ADOPT_PLAN,
    DEFAULT_LOCK_TIMEOUT,
    DEFER,
    EXCEPTION,
    RECONFIRM,
    ROLE_FINAL,
    ROLE_OPINION,
    SET_CLASS,
    TECHNICAL_ERROR,
    BlueprintError,
    BlueprintStore,
    Decision,
    DecisionRecord,
    InvalidDecisionError,
    WriteResult,
    action_label,
)
from . import settings

ORDERS = ("severity", "area", "kind", "unit")
STATUS_ORDER = ("undecided", "opinions", "deferred", "decided", "reconfirm", "conflict", "closed")
REASON_CODES = (
    "plan_error",
    "newer_approval",
    "policy",
    "ecology",
    "farmland",
    "key_project",
    "line",
    "digitising",
    "approved",
    "expert",
    "other",
)
LINE_TYPES = {"redline": "eco_redline", "farmland": "farmland", "boundary": "dev_boundary"}
MIN_LINE_OVERLAP = 0.01  # m²: below this a control line only touches the patch
RESUME_DELAY_MS = 1500


# ----------------------------------------------------------------------------------------------
# Labels (translated at call time, so a language switch needs no restart of the controller)
# ----------------------------------------------------------------------------------------------


_CHINESE: bool | None = None


def is_chinese() -> bool:
    """QGIS's user locale is Chinese (``zh_CN``, ``zh-Hans``, ``zh``); QGIS needs a restart to change it."""
    global _CHINESE
    if _CHINESE is None:
        from qgis.core import QgsApplication

        _CHINESE = (QgsApplication.locale() or "").lower().startswith("zh")
    return _CHINESE


def order_label(order: str) -> str:
    return {
        "severity": tr("Severity"),
        "area": tr("Area"),
        "kind": tr("Kind"),
        "unit": tr("Street"),
    }.get(order, order)


def status_label(status: str | None) -> str:
    return {
        "undecided": tr("undecided"),
        "opinions": tr("opinions only"),
        "deferred": tr("deferred"),
        "decided": tr("decided"),
        "reconfirm": tr("changed, re-confirm"),
        "conflict": tr("conflict"),
        "closed": tr("closed by a newer run"),
    }.get(status or "", status or "")


def state_label(state: str) -> str:
    return {
        "current": tr("current decision"),
        "superseded": tr("superseded"),
        "conflict": tr("conflict (open)"),
        "conflict_resolved": tr("conflict (resolved)"),
        "opinion": tr("opinion"),
        "reconfirm_pending": tr("re-confirm pending"),
        "reconfirmed": tr("re-confirmed"),
        "pending": tr("waiting in the pending journal"),
    }.get(state, state)


def role_label(role: str | None) -> str:
    return {
        ROLE_OPINION: tr("department opinion"),
        ROLE_FINAL: tr("final decision"),
        "system": tr("system (re-detection)"),
    }.get(role or "", role or "")


def plan_label(role: str) -> str:
    return {
        "urban": tr("Urban-rural plan"),
        "land": tr("Land-use plan"),
        "development": tr("Development plan (main functions)"),
        "eco": tr("Eco-environment plan"),
        "projects": tr("Key projects"),
        "forest": tr("Forestry plan"),
    }.get(role, role)


def line_role_label(value: str | None) -> str:
    """Which side of a control-line overlap a ``patch_plans`` row is (``line_role``)."""
    return {
        "protected": tr("protected line"),
        "intruder": tr("line that gives way"),
        "condition": tr("condition (eco zone)"),
    }.get(value or "", value or "")


def line_label(line_type: str) -> str:
    return {
        "eco_redline": tr("Ecological protection red line"),
        "farmland": tr("Permanent basic farmland"),
        "dev_boundary": tr("Urban development boundary"),
    }.get(line_type, line_type)


def stage_label(stage: str) -> str:
    return {"input": tr("as given"), "proposed": tr("proposed"), "final": tr("final")}.get(stage, stage)


def proposal_label(value: str | None) -> str:
    return {
        "retain": tr("retain (保留)"),
        "withdraw": tr("withdraw (退出)"),
        "deduct": tr("deduct (扣除)"),
    }.get(value or "", value or "")


def reason_label(code: str | None) -> str:
    return {
        "plan_error": tr("Error in a plan"),
        "newer_approval": tr("Newer approval or permit"),
        "policy": tr("Planning policy"),
        "ecology": tr("Ecological protection"),
        "farmland": tr("Farmland protection"),
        "key_project": tr("Key project"),
        "line": tr("Control-line coordination"),
        "digitising": tr("Digitising error (sliver)"),
        "approved": tr("Approved exception"),
        "expert": tr("Awaiting expert review"),
        "other": tr("Other"),
    }.get(code or "", code or "")


def construction_label(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return tr("construction") if int(value) else tr("non-construction")


def format_area(m2: float | None) -> str:
    """``12 345.6 m² (1.23 ha)``: reviewers think in m² for slivers and in hectares for fields."""
    if m2 is None:
        return "—"
    text = f"{m2:,.1f}".replace(",", " ")
    return tr("{m2} m² ({ha} ha)").format(m2=text, ha=f"{m2 / 10000:.2f}")


def format_time(utc: str | None) -> str:
    """A stored UTC time as the reviewer's local time (minutes)."""
    if not utc:
        return ""
    try:
        t = datetime.strptime(utc[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return utc
    return t.astimezone().strftime("%Y-%m-%d %H:%M")


_RULES: dict | None = None


def _rules() -> dict:
    """kind -> Rule of the shipped detection rule table, read once (a broken table must not break
    the dock)."""
    global _RULES
    if _RULES is None:
        try:
            from ..algorithms.rules import load_rules

            _RULES = {r.kind: r for r in load_rules().rules}
        except Exception:  # noqa: BLE001
            _RULES = {}
    return _RULES


_LINE_RULES: dict | None = None


def _line_rules() -> dict:
    """kind -> LineRule of the shipped control-line rule table (the ``LINE_*`` kinds)."""
    global _LINE_RULES
    if _LINE_RULES is None:
        try:
            from ..algorithms.lines import load_line_rules

            _LINE_RULES = {r.kind: r for r in load_line_rules()}
        except Exception:  # noqa: BLE001
            _LINE_RULES = {}
    return _LINE_RULES


def kind_label(kind: str | None) -> str:
    """The rule tables' Chinese or English name for a kind (the code when no table has it)."""
    if not kind:
        return ""
    rule = _rules().get(kind) or _line_rules().get(kind)
    if rule is not None:
        return rule.name_zh if is_chinese() else rule.name_en
    if kind.startswith("LINE_"):
        return tr("Control-line adjustment ({kind})").format(kind=kind)
    return kind


def kind_line(kind: str | None) -> str | None:
    """The control line a kind's rule compares with (``eco_redline`` …), or None."""
    rule = _rules().get(kind or "")
    if rule is None or not rule.b_is_line:
        return None
    return LINE_TYPES.get(rule.b_line or "", rule.b_line)


# ----------------------------------------------------------------------------------------------
# What the view shows
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The queue's filters; empty means "any"."""

    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    department: str | None = None
    reviewer: str | None = None
    min_area: float | None = None
    max_area: float | None = None

    @property
    def active(self) -> bool:
        return bool(
            self.kinds
            or self.statuses
            or self.units
            or self.department
            or self.reviewer
            or self.min_area is not None
            or self.max_area is not None
        )

    def store_kwargs(self) -> dict:
        return {
            "kind": list(self.kinds) or None,
            "status": list(self.statuses) or None,
            "unit": list(self.units) or None,
            "department": self.department or None,
            "reviewer": self.reviewer or None,
            "min_area": self.min_area,
            "max_area": self.max_area,
            "include_closed": "closed" in self.statuses,
        }

    def subset_sql(self) -> str:
        """The same filter as a layer subset string (SQLite SQL on the patches table)."""

        def q(value: str) -> str:
            return "'" + str(value).replace("'", "''") + "'"

        clauses = []
        if "closed" not in self.statuses:
            clauses.append('"closed_run_id" IS NULL')
        if self.kinds:
            clauses.append(f'"kind" IN ({", ".join(q(k) for k in self.kinds)})')
        if self.statuses:
            clauses.append(f'"status" IN ({", ".join(q(s) for s in self.statuses)})')
        if self.units:
            clauses.append(f'"unit" IN ({", ".join(q(u) for u in self.units)})')
        if self.department:
            clauses.append(
                '"patch_id" IN (SELECT "patch_id" FROM "decisions" WHERE "department" = '
                + q(self.department)
                + ")"
            )
        if self.reviewer:
            clauses.append(
                f'"patch_id" IN (SELECT "patch_id" FROM "decisions" WHERE "reviewer" = {q(self.reviewer)})'
            )
        if self.min_area is not None:
            clauses.append(f'"area_planar" >= {float(self.min_area)!r}')
        if self.max_area is not None:
            clauses.append(f'"area_planar" <= {float(self.max_area)!r}')
        return " AND ".join(clauses)


@dataclass(frozen=True)
class PlanColumn:
    """One involved plan, shown side by side with the others."""

    role: str
    label: str
    layer: str
    standard: str
    src_code: str
    src_name: str
    mp_code: str
    mp_name: str
    construction: str
    line_role: str = ""  # protected / intruder / condition for the lines of a LINE_* patch

    @property
    def is_line(self) -> bool:
        """A control line (or the eco zone that conditions a line proposal), not a plan to adopt."""
        return bool(self.line_role) or self.role in LINE_TYPES.values()


@dataclass(frozen=True)
class LineInfo:
    """A control line involved in the patch (by its kind, by overlap, or by a line adjustment)."""

    line_type: str
    label: str
    detail: str


@dataclass(frozen=True)
class HistoryRow:
    when: str
    reviewer: str
    department: str
    role: str
    action: str
    reason: str
    comment: str
    state: str
    state_code: str


@dataclass(frozen=True)
class PredecessorInfo:
    patch_id: str
    text: str
    action: str | None = None
    target: str | None = None


@dataclass
class PatchView:
    """Everything the dock shows about the current patch."""

    patch_id: str
    fid: int
    kind: str
    kind_label: str
    severity: int | None
    status: str
    unit: str
    area_planar: float | None
    area_ellipsoidal: float | None
    is_sliver: bool
    sliver_reason: str
    codes: str
    geometry: object  # shapely geometry in the blueprint's CRS
    closed: bool
    decided: bool
    current_decision_id: str | None
    current_action: str | None
    current_target: str | None
    opinions_disagree: bool
    n_conflicts: int
    reconfirm: bool
    plans: list[PlanColumn] = field(default_factory=list)
    lines: list[LineInfo] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    predecessors: list[PredecessorInfo] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    position: int | None = None  # 0-based index in the queue, None when outside it

    @property
    def is_line_kind(self) -> bool:
        return self.kind.startswith("LINE_")

    @property
    def roles(self) -> list[str]:
        """Involved plan roles (a plan can be adopted; a control line cannot), once each, in order."""
        out: list[str] = []
        for p in self.plans:
            if not p.is_line and p.role not in out:
                out.append(p.role)
        return out

    @property
    def land_use_roles(self) -> list[str]:
        """Roles whose class the blueprint can draw (they carry a unified land-use code)."""
        return [
            r
            for r in self.roles
            if any(p.role == r and p.mp_code and p.construction != "—" for p in self.plans)
        ]


@dataclass(frozen=True)
class RecordOutcome:
    """What became of a decision the reviewer made."""

    ok: bool
    result: WriteResult | None = None
    error: str | None = None
    kept_pending: bool = False


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return str(value)


# ----------------------------------------------------------------------------------------------
# The controller
# ----------------------------------------------------------------------------------------------


class ReviewController(QObject):
    """Open a blueprint, step through its queue, record decisions; emits what the view shows."""

    opened = pyqtSignal(str)  # path
    closed = pyqtSignal()
    queueChanged = pyqtSignal(int)  # noqa: N815 - queue length
    currentChanged = pyqtSignal(object)  # noqa: N815 - PatchView or None
    progressChanged = pyqtSignal(str)  # noqa: N815
    dataChanged = pyqtSignal()  # noqa: N815 - the blueprint changed: layers reload and repaint
    message = pyqtSignal(str, str)  # level, text
    identityRequired = pyqtSignal()  # noqa: N815

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        pending_dir: str | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        reviewer: Callable[[], settings.Reviewer] | None = None,
    ):
        super().__init__(parent)
        self.pending_dir = pending_dir
        self.lock_timeout = lock_timeout
        self._reviewer = reviewer or settings.reviewer
        self.store: BlueprintStore | None = None
        self.path: str | None = None
        self.info = None
        self.filters = Filters()
        self.order = "severity"
        self.auto_advance = False
        self.current: PatchView | None = None
        self.messages: list[tuple[str, str]] = []  # everything said, for tests and the log
        self.drafts: dict[str, tuple[str | None, str]] = {}  # patch id -> (reason code, comment)
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._decided = np.zeros(0, dtype=bool)
        self._index = -1
        self._file_id: tuple[int, int] | None = None
        self._lines = None  # lazily: (geoms, line_type, stage, name, STRtree)
        self._has_adjustments = False
        # Where the reviewer is, written to the settings at most every RESUME_DELAY_MS and on close:
        # a QgsSettings write costs ~10 ms, more than the rest of a step.
        self._resume: tuple[str, str] | None = None
        self._resume_timer = QTimer(self)
        self._resume_timer.setSingleShot(True)
        self._resume_timer.setInterval(RESUME_DELAY_MS)
        self._resume_timer.timeout.connect(self.flush_resume)

    # ------------------------------------------------------------------------------------------
    # Messages
    # ------------------------------------------------------------------------------------------

    def _say(self, level: str, text: str) -> None:
        self.messages.append((level, text))
        self.message.emit(level, text)

    # ------------------------------------------------------------------------------------------
    # Identity
    # ------------------------------------------------------------------------------------------

    @property
    def reviewer(self) -> settings.Reviewer:
        return self._reviewer()

    @property
    def can_decide(self) -> bool:
        """Only the final role (领导小组办公室) decides; departments give opinions."""
        return self.reviewer.is_final

    def identity_text(self) -> str:
        r = self.reviewer
        if not r.complete:
            return tr(
                "Who are you? Set your name, department and role in the plugin settings before recording."
            )
        if r.is_final:
            return tr("{name} · {department} — leading-group office: what you record is a decision.").format(
                name=r.name, department=r.department
            )
        return tr(
            "{name} · {department} — department: what you record is an opinion; only the leading-group "
            "office (领导小组办公室) decides."
        ).format(name=r.name, department=r.department)

    # ------------------------------------------------------------------------------------------
    # Opening and closing
    # ------------------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.store is not None

    def open(self, path: str) -> bool:
        """Open a blueprint, build the queue and resume where this reviewer stopped."""
        path = os.path.abspath(str(path))
        self.close()
        try:
            store = BlueprintStore.open(path, pending_dir=self.pending_dir, lock_timeout=self.lock_timeout)
        except BlueprintError as exc:
            self._say("critical", exc.message)
            return False
        except Exception as exc:  # noqa: BLE001 - a broken file must not take QGIS down
            self._say("critical", tr("Could not open {path}: {error}").format(path=path, error=exc))
            return False
        self.store, self.path = store, path
        self._file_id = self._identity()
        try:
            self.info = store.info()
        except BlueprintError as exc:
            self._say("warning", exc.message)
            self.info = None
        settings.add_recent_blueprint(path)
        order = str(settings.view_state("order", "severity") or "severity")
        self.order = order if order in ORDERS else "severity"
        self.filters = Filters()
        self.drafts = {}
        self._lines = None
        self._has_adjustments = bool(self.info and "line_adjustments" in self.info.layers)
        self.opened.emit(path)
        self._warn_about_file()
        if not self.reviewer.complete:
            self.identityRequired.emit()
            self._say("warning", self.identity_text())
        if not self._load_queue():
            return True
        last = settings.last_patch(path)
        if last and last in self._pos:
            self._show(self._pos[last])
            self._say("info", tr("Resumed at patch {patch}, where you stopped.").format(patch=last))
        else:
            self._show(0)
        self._emit_progress()
        return True

    def close(self) -> None:
        self.flush_resume()
        if self.store is None:
            return
        self.store.close()
        self.store = None
        self.path = None
        self.info = None
        self.current = None
        self._ids, self._pos, self._index = [], {}, -1
        self._decided = np.zeros(0, dtype=bool)
        self._lines = None
        self.closed.emit()
        self.currentChanged.emit(None)

    def _identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path or "")
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _warn_about_file(self) -> None:
        info = self.info
        if info is None:
            return
        if info.readonly:
            self._say(
                "warning",
                tr(
                    "The blueprint {path} is read-only ({reason}). You can review it; decisions you record "
                    "are "
                    "kept in the pending journal on this computer and written when it can be written again "
                    "(then press Refresh)."
                ).format(path=info.path, reason=info.readonly_reason),
            )
        if info.journal_mode == "wal":
            self._say(
                "warning",
                tr(
                    "The blueprint is in WAL mode (another program, often QGIS while editing, left it so and "
                    "still has it open). That is safe on this computer's disk, but on a network folder two "
                    "computers must not use it at once: close the other program and reopen the blueprint."
                ),
            )
        if info.pending:
            self._say(
                "info",
                tr(
                    "{n} decision(s) made earlier on this computer wait in the pending journal; they are "
                    "written with your next decision or when you press Refresh."
                ).format(n=info.pending),
            )

    # ------------------------------------------------------------------------------------------
    # The queue
    # ------------------------------------------------------------------------------------------

    @property
    def queue(self) -> list[str]:
        return list(self._ids)

    @property
    def queue_size(self) -> int:
        return len(self._ids)

    @property
    def position(self) -> int | None:
        """0-based index of the current patch in the queue, None when it is outside the queue."""
        if self.current is None or self.current.patch_id not in self._pos:
            return None
        return self._pos[self.current.patch_id]

    def set_order(self, order: str) -> None:
        if order not in ORDERS:
            raise ValueError(order)
        self.order = order
        settings.set_view_state("order", order)
        self._reload_queue()

    def set_filters(self, filters: Filters) -> None:
        self.filters = filters
        self._reload_queue()

    def _load_queue(self) -> bool:
        """Read the ordered ids of the matching patches (one column set, no geometry)."""
        if self.store is None:
            return False
        try:
            t = self.store.patches(
                **self.filters.store_kwargs(),
                order_by=self.order,
                with_geometry=False,
                columns=["patch_id", "decided"],
            )
        except BlueprintError as exc:
            self._say("warning", exc.message)
            return False
        self._ids = [str(x) for x in t.columns["patch_id"]]
        self._pos = {pid: i for i, pid in enumerate(self._ids)}
        decided = t.columns.get("decided", np.zeros(len(self._ids)))
        self._decided = np.array([bool(v) if v is not None else False for v in decided], dtype=bool)
        self.queueChanged.emit(len(self._ids))
        if not self._ids:
            self._say("warning", self._empty_text())
            return False
        return True

    def _empty_text(self) -> str:
        if self.filters.active:
            return tr("No patch matches these filters. Widen or reset the filters.")
        return tr(
            "The review queue is empty: this blueprint has no open patches. Run difference detection into it "
            "first, or open another blueprint."
        )

    def _reload_queue(self) -> None:
        keep = self.current.patch_id if self.current else None
        self._index = -1
        if not self._load_queue():
            self.current = None
            self.currentChanged.emit(None)
            self._emit_progress()
            return
        self._show(self._pos.get(keep, 0) if keep else 0)
        self._emit_progress()

    # ------------------------------------------------------------------------------------------
    # Stepping
    # ------------------------------------------------------------------------------------------

    def first(self) -> bool:
        return bool(self._ids) and self._show(0)

    def next(self) -> bool:
        if not self._ids:
            self._say("warning", self._empty_text())
            return False
        i = self._index + 1
        if i >= len(self._ids):
            self._say("info", tr("This is the last patch of the queue."))
            return False
        return self._show(i)

    def previous(self) -> bool:
        if not self._ids:
            self._say("warning", self._empty_text())
            return False
        i = self._index - 1
        if i < 0:
            self._say("info", tr("This is the first patch of the queue."))
            return False
        return self._show(max(0, i))

    def next_undecided(self) -> bool:
        """The next patch that is not decided (DESIGN.md's "decided"), wrapping round once."""
        if not self._ids:
            self._say("warning", self._empty_text())
            return False
        n = len(self._ids)
        start = self._index + 1
        order = np.r_[np.arange(start, n), np.arange(0, min(start, n))]
        hits = order[~self._decided[order]] if len(order) else order
        if len(hits) == 0:
            self._say("success", tr("Every patch in this queue is decided."))
            return False
        i = int(hits[0])
        if i < start:
            self._say("info", tr("Reached the end of the queue; continued from the start."))
        return self._show(i)

    def go_to(self, patch_id: str) -> bool:
        """Jump to a patch by id; one outside the queue (filtered out, closed) is shown too, and said so."""
        patch_id = (patch_id or "").strip()
        if not patch_id or self.store is None:
            return False
        if patch_id in self._pos:
            return self._show(self._pos[patch_id])
        view = self._view(patch_id)
        if view is None:
            self._say("warning", tr("There is no patch {patch} in this blueprint.").format(patch=patch_id))
            return False
        self.current = view
        self._remember(patch_id)
        self._say(
            "info",
            tr(
                "Patch {patch} is not in the current queue ({status}); it is shown, but stepping continues "
                "in the queue."
            ).format(patch=patch_id, status=status_label(view.status)),
        )
        self.currentChanged.emit(view)
        return True

    def _show(self, index: int) -> bool:
        if not (0 <= index < len(self._ids)):
            return False
        pid = self._ids[index]
        view = self._view(pid)
        if view is None:
            return False
        view.position = index
        self._index = index
        self.current = view
        self._decided[index] = view.decided
        self._remember(pid)
        self.currentChanged.emit(view)
        return True

    def _remember(self, patch_id: str) -> None:
        if self.path:
            self._resume = (self.path, patch_id)
            if not self._resume_timer.isActive():
                self._resume_timer.start()

    def flush_resume(self) -> None:
        """Write where the reviewer is (per user, per blueprint) to the settings now."""
        self._resume_timer.stop()
        if self._resume is not None:
            settings.set_last_patch(*self._resume)
            self._resume = None

    def reload_current(self) -> None:
        if self.current is None:
            return
        view = self._view(self.current.patch_id)
        if view is None:
            return
        view.position = self._pos.get(view.patch_id)
        if view.position is not None:
            self._decided[view.position] = view.decided
        self.current = view
        self.currentChanged.emit(view)

    # ------------------------------------------------------------------------------------------
    # One patch
    # ------------------------------------------------------------------------------------------

    def _view(self, patch_id: str) -> PatchView | None:
        store = self.store
        if store is None:
            return None
        try:
            row = store.patch(patch_id)
            if row is None:
                return None
            plans = store.patch_plans(patch_id)
            log = store.decisions(patch_id)
        except BlueprintError as exc:
            self._say("warning", exc.message)
            return None
        kind = _text(row.get("kind"))
        view = PatchView(
            patch_id=patch_id,
            fid=int(row["fid"]),
            kind=kind,
            kind_label=kind_label(kind),
            severity=row.get("severity"),
            status=_text(row.get("status")) or "undecided",
            unit=_text(row.get("unit")),
            area_planar=row.get("area_planar"),
            area_ellipsoidal=row.get("area_ellipsoidal"),
            is_sliver=bool(row.get("is_sliver")),
            sliver_reason=_text(row.get("sliver_reason")),
            codes=_text(row.get("codes")),
            geometry=row.get("geometry"),
            closed=row.get("closed_run_id") is not None,
            decided=bool(row.get("decided")),
            current_decision_id=row.get("current_decision_id"),
            current_action=row.get("current_action"),
            current_target=row.get("current_target"),
            opinions_disagree=bool(row.get("opinions_disagree")),
            n_conflicts=int(row.get("n_conflicts") or 0),
            reconfirm=bool(row.get("reconfirm")),
        )
        view.plans = self._plan_columns(plans)
        view.history = [self._history_row(r) for r in log] + self._pending_rows(patch_id)
        view.lines = self._line_info(view)
        view.predecessors = self._predecessors(row, log)
        view.notes = self._notes(view, log)
        return view

    def _plan_columns(self, plans: dict) -> list[PlanColumn]:
        n = len(plans.get("patch_id", []))
        out = []
        tables = _code_tables()

        def col(name: str, i: int) -> str:
            values = plans.get(name)
            return _text(values[i]) if values is not None else ""

        for i in range(n):
            role = col("role", i)
            mp_code = col("mp_code", i)
            mp_name = col("mp_name", i) or (tables.unified_name(mp_code) if tables and mp_code else "") or ""
            standard = col("src_standard", i)
            src = col("src_code", i)
            src_name = col("src_name", i)
            if not src_name and tables and standard and src:
                try:
                    entries = tables.standard_entries(standard)
                except ValueError:
                    entries = {}
                src_name = "，".join(entries[c].name for c in src.split(",") if c in entries)
            cons = plans.get("mp_construction")
            line_role = col("line_role", i)
            if role in LINE_TYPES.values():
                label = line_label(role)
            else:
                label = plan_label(role)
            if line_role:
                label = tr("{line} ({side})").format(line=label, side=line_role_label(line_role))
            out.append(
                PlanColumn(
                    role=role,
                    label=label,
                    layer=col("layer", i),
                    standard=standard,
                    src_code=src,
                    src_name=src_name,
                    mp_code=mp_code,
                    mp_name=mp_name,
                    construction=construction_label(cons[i] if cons is not None else None),
                    line_role=line_role,
                )
            )
        return out

    def _history_row(self, r: DecisionRecord) -> HistoryRow:
        if r.action == RECONFIRM:
            action = action_label(r.action)
            preds = _json_list(r.target)
            if preds:
                action += " — " + tr("replaces {patches}").format(patches=", ".join(preds))
        else:
            action = action_label(r.action, self._target_text(r.action, r.target))
        return HistoryRow(
            when=format_time(r.written_utc or r.client_utc),
            reviewer=_text(r.reviewer),
            department=_text(r.department),
            role=role_label(r.role),
            action=action,
            reason=reason_label(r.reason_code),
            comment=_text(r.comment),
            state=state_label(r.state),
            state_code=r.state,
        )

    def _target_text(self, action: str | None, target: str | None) -> str | None:
        """Targets in words: a plan's name for a role, the class name for a unified code."""
        if not target:
            return target
        if action in (ADOPT_PLAN, EXCEPTION):
            return plan_label(target)
        if action == SET_CLASS:
            tables = _code_tables()
            name = tables.unified_name(target) if tables else None
            return f"{target} {name}" if name else target
        return target

    def _pending_rows(self, patch_id: str) -> list[HistoryRow]:
        """Decisions for this patch still in this computer's pending journal (not in the file yet)."""
        store = self.store
        if store is None or not store.journal.has_entries():
            return []
        uuid = self.info.blueprint_uuid if self.info else None
        rows = []
        for d in store.journal.decisions(uuid):
            if d.get("patch_id") != patch_id:
                continue
            rows.append(
                HistoryRow(
                    when=format_time(d.get("client_utc")),
                    reviewer=_text(d.get("reviewer")),
                    department=_text(d.get("department")),
                    role=role_label(d.get("role")),
                    action=action_label(d.get("action"), self._target_text(d.get("action"), d.get("target"))),
                    reason=reason_label(d.get("reason_code")),
                    comment=_text(d.get("comment")),
                    state=state_label("pending"),
                    state_code="pending",
                )
            )
        return rows

    def _line_info(self, view: PatchView) -> list[LineInfo]:
        out: list[LineInfo] = []
        # One entry per line: its latest stage (final > proposed > as given), overlaps summed over the
        # line's features, their names listed once.
        rank = {"final": 3, "proposed": 2, "input": 1}
        best: dict[str, tuple[str, float, list[str]]] = {}
        for line_type, stage, name, overlap in self._overlapping_lines(view.geometry):
            have = best.get(line_type)
            if have is not None and rank.get(have[0], 0) > rank.get(stage, 0):
                continue
            if have is None or have[0] != stage:
                have = (stage, 0.0, [])
            names = have[2] + (
                [name] if name and name not in have[2] and name != line_label(line_type) else []
            )
            best[line_type] = (stage, have[1] + overlap, names)
        for line_type, (stage, overlap, names) in best.items():
            detail = tr("overlap {area}").format(area=format_area(overlap))
            if stage and stage != "input":
                detail += " · " + stage_label(stage)
            if names:
                detail += " · " + "、".join(names[:3]) + (" …" if len(names) > 3 else "")
            out.append(LineInfo(line_type, line_label(line_type), detail))
        named = kind_line(view.kind)
        if named and not any(li.line_type == named for li in out):
            out.append(LineInfo(named, line_label(named), tr("named by the patch's kind")))
        if view.is_line_kind and self._has_adjustments and self.store is not None:
            try:
                t = self.store.read_layer(
                    "line_adjustments", where="patch_id=?", params=[view.patch_id], with_geometry=False
                )
            except BlueprintError:
                t = None
            if t is not None:
                c = t.columns
                for i in range(len(t)):
                    lt, other = _text(c["line_type"][i]), _text(c["other_line"][i])
                    # what the line actually gives up (where all three lines meet, a pair's overlap is
                    # given up once only); older blueprints have only the overlap area
                    given = c["given_up_area"][i] if "given_up_area" in c else c["area_planar"][i]
                    detail = tr("gives up {area} to {other}; proposal: {proposal}").format(
                        area=format_area(given),
                        other=line_label(other),
                        proposal=proposal_label(c["proposal"][i]),
                    )
                    buhua = c.get("buhua_area")
                    if buhua is not None and buhua[i]:
                        detail += " · " + tr("farmland to replace elsewhere (补划): {area}").format(
                            area=format_area(buhua[i])
                        )
                    rule = _text(c["rule"][i]) if "rule" in c else ""
                    if rule:
                        detail += " · " + rule
                    out.append(LineInfo(lt, line_label(lt), detail))
        return out

    def _overlapping_lines(self, geometry) -> list[tuple[str, str, str, float]]:
        if geometry is None or self.store is None or not (self.info and "control_lines" in self.info.layers):
            return []
        import shapely

        if self._lines is None:
            try:
                t = self.store.read_layer("control_lines", columns=["line_type", "stage", "name"])
            except BlueprintError:
                return []
            geoms = np.asarray(t.geoms)
            ok = ~shapely.is_missing(geoms)
            self._lines = (
                geoms[ok],
                np.asarray(t.columns["line_type"], dtype=object)[ok],
                np.asarray(t.columns["stage"], dtype=object)[ok],
                np.asarray(t.columns["name"], dtype=object)[ok],
                shapely.STRtree(geoms[ok]),
            )
        geoms, types, stages, names, tree = self._lines
        hits = tree.query(geometry, predicate="intersects")
        if len(hits) == 0:
            return []
        areas = shapely.area(shapely.intersection(geometry, geoms[hits]))
        return [
            (_text(types[h]), _text(stages[h]), _text(names[h]), float(a))
            for h, a in zip(hits, areas)
            if a > MIN_LINE_OVERLAP
        ]

    def _predecessors(self, row: dict, log: list[DecisionRecord]) -> list[PredecessorInfo]:
        ids = _json_list(row.get("predecessors"))
        for r in log:
            if r.action == RECONFIRM:
                ids += [p for p in _json_list(r.target) if p not in ids]
        out = []
        for pid in ids:
            try:
                rows = self.store.decisions(pid) if self.store else []
            except BlueprintError:
                rows = []
            cur = next((r for r in rows if r.state == "current"), None)
            if cur is None:
                out.append(PredecessorInfo(pid, tr("{patch}: no decision").format(patch=pid)))
                continue
            out.append(
                PredecessorInfo(
                    pid,
                    tr("{patch}: {action} — {who} ({department}), {when}").format(
                        patch=pid,
                        action=action_label(cur.action, self._target_text(cur.action, cur.target)),
                        who=_text(cur.reviewer),
                        department=_text(cur.department),
                        when=format_time(cur.written_utc),
                    ),
                    cur.action,
                    cur.target,
                )
            )
        return out

    def _notes(self, view: PatchView, log: list[DecisionRecord]) -> list[tuple[str, str]]:
        notes: list[tuple[str, str]] = []
        if view.closed:
            notes.append(
                (
                    "warning",
                    tr(
                        "A newer detection run closed this patch: the ground no longer differs. It is out "
                        "of the queue."
                    ),
                )
            )
        if view.n_conflicts:
            notes.append(
                (
                    "critical",
                    tr(
                        "Conflict: {n} final decision(s) were made without seeing the current one. The "
                        "leading-group "
                        "office resolves it by recording a new decision."
                    ).format(n=view.n_conflicts),
                )
            )
        if view.opinions_disagree:
            latest: dict[str, str] = {}
            for r in log:
                if r.role == ROLE_OPINION:
                    latest[r.department or r.reviewer or ""] = action_label(
                        r.action, self._target_text(r.action, r.target)
                    )
            parts = "; ".join(f"{dep}: {act}" for dep, act in latest.items())
            notes.append(("warning", tr("Department opinions disagree — {opinions}").format(opinions=parts)))
        if view.reconfirm:
            if view.current_action:
                text = tr(
                    "Changed by a re-detection: re-confirm or change the earlier decision ({action})."
                ).format(
                    action=action_label(
                        view.current_action, self._target_text(view.current_action, view.current_target)
                    )
                )
            else:
                text = tr(
                    "New patch from a re-detection: see the earlier patches' decisions below and confirm one."
                )
            notes.append(("warning", text))
        if view.is_sliver:
            notes.append(
                (
                    "info",
                    tr("Sliver ({reason}): probably a digitising difference, not a planning one.").format(
                        reason=view.sliver_reason or tr("small or thin")
                    ),
                )
            )
        return notes

    # ------------------------------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------------------------------

    def save_draft(self, patch_id: str | None, reason_code: str | None, comment: str) -> None:
        """Keep what the reviewer typed for a patch while they look elsewhere."""
        if not patch_id:
            return
        if (comment or "").strip() or reason_code:
            self.drafts[patch_id] = (reason_code or None, comment or "")
        else:
            self.drafts.pop(patch_id, None)

    def draft(self, patch_id: str | None) -> tuple[str | None, str]:
        return self.drafts.get(patch_id or "", (None, ""))

    def reconfirm_candidate(self) -> tuple[str, str | None] | None:
        """(action, target) to re-confirm: the patch's current decision, else its predecessors' one."""
        v = self.current
        if v is None:
            return None
        if v.current_action:
            return v.current_action, v.current_target
        for p in v.predecessors:
            if p.action:
                return p.action, p.target
        return None

    def record(
        self,
        action: str,
        target: str | None = None,
        *,
        reason_code: str | None = None,
        comment: str | None = None,
    ) -> RecordOutcome:
        """Write a decision (final role) or an opinion (departments) on the current patch, now."""
        v = self.current
        if self.store is None or v is None:
            text = tr("Open a blueprint and choose a patch first.")
            self._say("warning", text)
            return RecordOutcome(False, error=text)
        r = self.reviewer
        comment = (comment or "").strip() or None
        self.save_draft(v.patch_id, reason_code, comment or "")
        if not r.complete:
            self.identityRequired.emit()
            text = tr(
                "Set your name and department in the plugin settings first (Settings ▸ Options ▸ Multi-Plan "
                "Integration). What you typed is kept in the form."
            )
            self._say("warning", text)
            return RecordOutcome(False, error=text)
        decision = Decision(
            patch_id=v.patch_id,
            action=action,
            reviewer=r.name,
            role=ROLE_FINAL if r.is_final else ROLE_OPINION,
            department=r.department,
            target=target,
            reason_code=reason_code or None,
            comment=comment,
            based_on=v.current_decision_id,
        )
        try:
            result = self.store.record_decision(decision)
        except InvalidDecisionError as exc:
            self._say(
                "critical", exc.message + " " + tr("Nothing was written; what you typed is kept in the form.")
            )
            return RecordOutcome(False, error=exc.message)
        except BlueprintError as exc:
            text = exc.message
            if not exc.kept_pending:
                text += " " + tr("What you typed is kept in the form.")
            self._say("warning", text)
            self.reload_current()
            self._emit_progress()
            return RecordOutcome(False, error=exc.message, kept_pending=exc.kept_pending)
        self.drafts.pop(v.patch_id, None)
        self._report(result, decision)
        self.reload_current()
        self._emit_progress()
        self.dataChanged.emit()
        if self.auto_advance and result.status != "closed":
            self.next_undecided()
        return RecordOutcome(True, result=result)

    def reconfirm(self, *, reason_code: str | None = None, comment: str | None = None) -> RecordOutcome:
        cand = self.reconfirm_candidate()
        if cand is None:
            text = tr("There is no earlier decision to re-confirm on this patch.")
            self._say("warning", text)
            return RecordOutcome(False, error=text)
        return self.record(cand[0], cand[1], reason_code=reason_code, comment=comment)

    def _report(self, result: WriteResult, decision: Decision) -> None:
        if result.replayed:
            n_conf = sum(1 for r in result.replayed if r.outcome == "conflict")
            text = tr("{n} decision(s) from the pending journal on this computer were written first.").format(
                n=len(result.replayed)
            )
            if n_conf:
                text += " " + tr(
                    "{n} of them became conflicts (someone decided those patches meanwhile) and are shown "
                    "as such."
                ).format(n=n_conf)
            self._say("info", text)
        what = action_label(decision.action, self._target_text(decision.action, decision.target))
        if result.status == "closed":
            self._say(
                "warning",
                tr(
                    "Patch {patch} was closed by a newer detection run (the ground no longer differs). "
                    "Your entry "
                    "({action}) is recorded in its history, but the patch is out of the queue."
                ).format(patch=decision.patch_id, action=what),
            )
            return
        if result.outcome == "conflict":
            self._say(
                "warning",
                tr(
                    "Someone else decided patch {patch} after you opened it. Your decision ({action}) is "
                    "recorded as "
                    "a conflict, not as the current decision; the history shows both. Record a new "
                    "decision to "
                    "resolve it."
                ).format(patch=decision.patch_id, action=what),
            )
        elif result.outcome == "opinion":
            self._say(
                "success",
                tr("Opinion recorded on {patch}: {action}.").format(patch=decision.patch_id, action=what),
            )
        elif result.outcome == "duplicate":
            self._say("info", tr("This decision was already in the blueprint."))
        else:
            self._say(
                "success",
                tr("Decision recorded on {patch}: {action}.").format(patch=decision.patch_id, action=what),
            )

    # ------------------------------------------------------------------------------------------
    # Refresh and progress
    # ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Write pending decisions, re-read the queue and the current patch: others' decisions appear."""
        if self.path is None:
            return
        present = self._reopen_if_needed()
        store = self.store
        if store is None:
            return
        replayed = []
        if present:
            try:
                replayed = store.replay_pending()
            except BlueprintError as exc:
                self._say("warning", exc.message)
        if replayed:
            n_conf = sum(1 for r in replayed if r.outcome == "conflict")
            text = tr("{n} decision(s) from the pending journal were written.").format(n=len(replayed))
            if n_conf:
                text += " " + tr("{n} of them became conflicts and are shown as such.").format(n=n_conf)
            self._say("info", text)
        keep = self.current.patch_id if self.current else None
        self._lines = None
        if not self._load_queue():
            self.current = None
            self.currentChanged.emit(None)
            self._emit_progress()
            self.dataChanged.emit()
            return
        if keep and keep in self._pos:
            self._show(self._pos[keep])
        elif keep:
            view = self._view(keep)
            if view is not None and view.closed:
                self._say(
                    "warning",
                    tr("Patch {patch} was closed by a newer detection run and left the queue.").format(
                        patch=keep
                    ),
                )
            if view is not None:
                self.current = view
                self.currentChanged.emit(view)
            else:
                self._show(min(max(self._index, 0), len(self._ids) - 1))
        else:
            self._show(0)
        self._emit_progress()
        self.dataChanged.emit()

    def _reopen_if_needed(self) -> bool:
        """After a read-only / moved blueprint is fixed, use the file again (a new connection).

        Returns False when the file is not at its path (what is shown comes from the connection that
        is still open; writes go to the pending journal).
        """
        path = self.path
        if path is None:
            return False
        ident = self._identity()
        if ident is None:
            self._say(
                "warning",
                tr(
                    "The blueprint {path} is not there any more (moved, renamed or deleted, or its network "
                    "folder "
                    "is disconnected). Decisions you record are kept in the pending journal on this computer."
                ).format(path=path),
            )
            return False
        writable = bool(os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) and os.access(
            path, os.W_OK
        )
        stale = self.store is None or ident != self._file_id or (self.store.readonly and writable)
        if not stale:
            return True
        try:
            store = BlueprintStore.open(path, pending_dir=self.pending_dir, lock_timeout=self.lock_timeout)
        except BlueprintError as exc:
            self._say("warning", exc.message)
            return False
        if self.store is not None:
            self.store.close()
        self.store = store
        self._file_id = ident
        try:
            self.info = store.info()
        except BlueprintError:
            pass
        self._say("info", tr("Reopened the blueprint {path}.").format(path=path))
        return True

    def progress_text(self) -> str:
        if self.store is None:
            return ""
        try:
            p = self.store.progress()
            pending = self.store.pending_count()
        except BlueprintError as exc:
            return exc.message
        text = tr("{n} of {total} patches decided ({share}) · {area} of the conflict area decided").format(
            n=p.n_decided,
            total=p.n_total,
            share=f"{p.share_decided:.0%}",
            area=f"{p.area_share_decided:.1%}",
        )
        if p.n_conflicts:
            text += " · " + tr("{n} with conflicts").format(n=p.n_conflicts)
        if p.n_reconfirm:
            text += " · " + tr("{n} to re-confirm").format(n=p.n_reconfirm)
        if pending:
            text += " · " + tr("{n} waiting in the pending journal").format(n=pending)
        return text

    def _emit_progress(self) -> None:
        self.progressChanged.emit(self.progress_text())

    # ------------------------------------------------------------------------------------------
    # Filter choices
    # ------------------------------------------------------------------------------------------

    def filter_choices(self) -> dict[str, list[tuple[str, str]]]:
        """Values the filters offer: kinds, statuses, streets, departments and reviewers in this blueprint."""
        out: dict[str, list[tuple[str, str]]] = {
            "kinds": [],
            "statuses": [(s, status_label(s)) for s in STATUS_ORDER],
            "units": [],
            "departments": [],
            "reviewers": [],
        }
        if self.store is None:
            return out
        try:
            t = self.store.patches(
                include_closed=True, with_geometry=False, columns=["kind", "unit"], order_by="kind"
            )
            log = self.store.read_layer(
                "decisions", columns=["department", "reviewer", "role"], with_geometry=False
            )
        except BlueprintError as exc:
            self._say("warning", exc.message)
            return out
        kinds = sorted({_text(k) for k in t.columns["kind"] if k})
        out["kinds"] = [(k, kind_label(k)) for k in kinds]
        out["units"] = [(u, u) for u in sorted({_text(u) for u in t.columns["unit"] if u})]
        human = [i for i, r in enumerate(log.columns["role"]) if r != "system"]
        deps = sorted({_text(log.columns["department"][i]) for i in human} - {""})
        people = sorted({_text(log.columns["reviewer"][i]) for i in human} - {""})
        out["departments"] = [(d, d) for d in deps]
        out["reviewers"] = [(p, p) for p in people]
        return out


_TABLES = None


def _code_tables():
    """The shipped code tables, loaded once (names for codes a patch_plans row lacks)."""
    global _TABLES
    if _TABLES is None:
        try:
            from ..algorithms.codes import CodeTables

            _TABLES = CodeTables.load()
        except Exception:  # noqa: BLE001 - names are a convenience; the codes are shown anyway
            _TABLES = False
    return _TABLES or None


def _json_list(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return []
    return [str(v) for v in data] if isinstance(data, list) else []


__all__ = [
    "ADJUST_LINE",
    "ADOPT_PLAN",
    "DEFER",
    "EXCEPTION",
    "ORDERS",
    "REASON_CODES",
    "SET_CLASS",
    "STATUS_ORDER",
    "TECHNICAL_ERROR",
    "Filters",
    "HistoryRow",
    "LineInfo",
    "PatchView",
    "PlanColumn",
    "PredecessorInfo",
    "RecordOutcome",
    "ReviewController",
]
