"""Decisions and the rules that derive a patch's state from its decision log.

"The decision log is the truth": rows are appended, never updated.  Everything else — the current
decision, conflicts, the re-confirm flag, "decided" and the ``patches.status`` cache — is a pure
function of one patch's rows in write order (:func:`derive`).  The store calls it in the same
transaction that appends a row (so the cache is never stale), and ``rebuild_status()`` calls it for
every patch; a PostgreSQL store would call the very same function.

Rules (DESIGN.md Contract 2, made exact here):

* ``opinion`` rows (departments) never become current.
* A ``final`` row (领导小组办公室) becomes **current** when its ``based_on`` equals the current
  decision id at the moment it is written (both None for a first decision).  Otherwise it is a
  **conflict**: kept, shown, never current.  A conflict is *open* until a later final row becomes
  current (the final role saw it and decided); then it is *resolved*.
* ``system`` rows with action ``reconfirm`` are written by a re-detection for patches that changed
  (or that replace earlier patches).  The flag is pending while no final row has become current
  after it.
* A patch is **decided** when its current decision exists, is not ``defer`` and no re-confirm is
  pending.  Open conflicts do not undo "decided" (DESIGN.md's definition); they are counted apart.
* Write order is the ``fid`` of the ``decisions`` table (``AUTOINCREMENT``, so never reused): writes
  are serialised by the database lock, so fid order *is* the order in which rows were written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from ..gpkg import utc_now
from ..i18n import tr

ROLE_OPINION = "opinion"
ROLE_FINAL = "final"
ROLE_SYSTEM = "system"
ROLES = (ROLE_OPINION, ROLE_FINAL)

ADOPT_PLAN = "adopt_plan"  # target: plan role (urban, land, eco, … any role)
SET_CLASS = "set_class"  # target: unified 用地用海 code
ADJUST_LINE = "adjust_line"  # target: retain / withdraw / deduct (保留 / 退出 / 扣除)
EXCEPTION = "exception"  # target: the role whose class the blueprint draws
TECHNICAL_ERROR = "technical_error"  # no target: the blueprint takes the neighbouring agreed class
DEFER = "defer"  # no target
RECONFIRM = "reconfirm"  # system only: re-detection flag; target: JSON list of predecessor ids or null
ACTIONS = (ADOPT_PLAN, SET_CLASS, ADJUST_LINE, EXCEPTION, TECHNICAL_ERROR, DEFER)
NEEDS_TARGET = {ADOPT_PLAN, SET_CLASS, ADJUST_LINE, EXCEPTION}
LINE_TARGETS = ("retain", "withdraw", "deduct")

# Status cache values, in order of precedence.
STATUS_CLOSED = "closed"
STATUS_CONFLICT = "conflict"
STATUS_RECONFIRM = "reconfirm"
STATUS_DECIDED = "decided"
STATUS_DEFERRED = "deferred"
STATUS_OPINIONS = "opinions"
STATUS_UNDECIDED = "undecided"
STATUSES = (
    STATUS_UNDECIDED,
    STATUS_OPINIONS,
    STATUS_DEFERRED,
    STATUS_DECIDED,
    STATUS_RECONFIRM,
    STATUS_CONFLICT,
    STATUS_CLOSED,
)

# Per-row states shown in the history.
STATE_CURRENT = "current"
STATE_SUPERSEDED = "superseded"
STATE_CONFLICT = "conflict"
STATE_RESOLVED = "conflict_resolved"
STATE_OPINION = "opinion"
STATE_RECONFIRM = "reconfirm_pending"
STATE_RECONFIRMED = "reconfirmed"


def action_label(action: str | None, target: str | None = None) -> str:
    """A translated, human-readable action (for history lists and exports)."""
    labels = {
        ADOPT_PLAN: tr("adopt plan {target}"),
        SET_CLASS: tr("set unified class {target}"),
        ADJUST_LINE: tr("adjust control line: {target}"),
        EXCEPTION: tr("approved exception (draw {target})"),
        TECHNICAL_ERROR: tr("technical error"),
        DEFER: tr("defer"),
        RECONFIRM: tr("changed, re-confirm"),
    }
    line = {"retain": tr("retain (保留)"), "withdraw": tr("withdraw (退出)"), "deduct": tr("deduct (扣除)")}
    text = labels.get(action or "", action or "")
    shown = line.get(target or "", target or "") if action == ADJUST_LINE else (target or "")
    return text.format(target=shown)


def new_decision_id() -> str:
    """Client-generated, so a decision replayed from a pending journal is recognised (idempotent)."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Decision:
    """A decision or opinion as a reviewer makes it (input to ``record_decision``).

    ``based_on`` is the id of the decision the reviewer saw as current when deciding (None when the
    patch had none) — it is what turns a stale write into a visible conflict.  Reviewer, department
    and role are self-declared in the plugin's settings: a file-based store cannot authenticate them.
    """

    patch_id: str
    action: str
    reviewer: str
    role: str = ROLE_OPINION
    department: str = ""
    target: str | None = None
    reason_code: str | None = None
    comment: str | None = None
    based_on: str | None = None
    decision_id: str = field(default_factory=new_decision_id)
    client_utc: str = field(default_factory=utc_now)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Decision:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class DecisionRecord:
    """A stored row of the log, with its derived ``state`` (one of the ``STATE_*`` values)."""

    seq: int
    decision_id: str
    patch_id: str
    action: str
    target: str | None
    reviewer: str | None
    department: str | None
    role: str
    reason_code: str | None
    comment: str | None
    based_on: str | None
    client_utc: str | None
    written_utc: str | None
    origin: str | None
    run_id: str | None = None
    state: str = ""


@dataclass
class PatchState:
    """Everything derived from one patch's log; the ``patches`` cache columns mirror it."""

    status: str = STATUS_UNDECIDED
    decided: bool = False
    current: DecisionRecord | None = None
    n_opinions: int = 0
    opinions_disagree: bool = False
    n_conflicts: int = 0  # open conflicts
    reconfirm: bool = False
    states: dict[str, str] = field(default_factory=dict)  # decision_id -> STATE_*

    def cache_values(self) -> dict:
        """The values of the ``patches`` cache columns."""
        cur = self.current
        return {
            "status": self.status,
            "decided": int(self.decided),
            "current_decision_id": cur.decision_id if cur else None,
            "current_action": cur.action if cur else None,
            "current_target": cur.target if cur else None,
            "decided_by": cur.reviewer if cur else None,
            "decided_utc": cur.written_utc if cur else None,
            "n_opinions": self.n_opinions,
            "opinions_disagree": int(self.opinions_disagree),
            "n_conflicts": self.n_conflicts,
            "reconfirm": int(self.reconfirm),
        }


CACHE_COLUMNS = tuple(PatchState().cache_values())


def derive(rows: Iterable[DecisionRecord], *, closed: bool = False) -> PatchState:
    """The state of one patch from its log rows (any order; sorted here by ``seq``)."""
    ordered = sorted(rows, key=lambda r: r.seq)
    st = PatchState()
    current: DecisionRecord | None = None
    current_seq = -1
    conflicts: list[DecisionRecord] = []
    superseded: list[str] = []
    reconfirms: list[DecisionRecord] = []
    latest_opinion: dict[str, tuple[str, str | None]] = {}
    for row in ordered:
        if row.role == ROLE_FINAL:
            if row.based_on == (current.decision_id if current else None):
                if current is not None:
                    superseded.append(current.decision_id)
                current, current_seq = row, row.seq
            else:
                conflicts.append(row)
        elif row.role == ROLE_SYSTEM:
            if row.action == RECONFIRM:
                reconfirms.append(row)
        else:
            st.n_opinions += 1
            latest_opinion[row.department or row.reviewer or ""] = (row.action, row.target)
            st.states[row.decision_id] = STATE_OPINION
    for d in superseded:
        st.states[d] = STATE_SUPERSEDED
    if current is not None:
        st.states[current.decision_id] = STATE_CURRENT
    open_conflicts = [c for c in conflicts if c.seq > current_seq]
    for c in conflicts:
        st.states[c.decision_id] = STATE_CONFLICT if c.seq > current_seq else STATE_RESOLVED
    for r in reconfirms:
        st.states[r.decision_id] = STATE_RECONFIRM if r.seq > current_seq else STATE_RECONFIRMED
    st.current = current
    st.n_conflicts = len(open_conflicts)
    st.reconfirm = any(r.seq > current_seq for r in reconfirms)
    st.opinions_disagree = len(set(latest_opinion.values())) > 1
    st.decided = current is not None and current.action != DEFER and not st.reconfirm
    if closed:
        st.status = STATUS_CLOSED
    elif st.n_conflicts:
        st.status = STATUS_CONFLICT
    elif st.reconfirm:
        st.status = STATUS_RECONFIRM
    elif current is not None:
        st.status = STATUS_DEFERRED if current.action == DEFER else STATUS_DECIDED
    elif st.n_opinions:
        st.status = STATUS_OPINIONS
    else:
        st.status = STATUS_UNDECIDED
    return st


def with_states(rows: Sequence[DecisionRecord], state: PatchState) -> list[DecisionRecord]:
    """The rows in write order, each carrying its derived state."""
    out = []
    for r in sorted(rows, key=lambda r: r.seq):
        out.append(DecisionRecord(**{**asdict(r), "state": state.states.get(r.decision_id, "")}))
    return out


def validate(decision: Decision) -> str | None:
    """None when the decision follows the contract, else a translated reason."""
    if not decision.patch_id:
        return tr("A decision needs a patch id.")
    if decision.role not in ROLES:
        return tr(
            "Unknown reviewer role {role}: use 'opinion' (a department) "
            "or 'final' (the leading-group office)."
        ).format(role=decision.role)
    if decision.action not in ACTIONS:
        return tr("Unknown action {action}; expected one of {actions}.").format(
            action=decision.action, actions=", ".join(ACTIONS)
        )
    if decision.action in NEEDS_TARGET and not (decision.target or "").strip():
        return tr(
            "The action {action} needs a target (a plan role, a unified class or a line change)."
        ).format(action=decision.action)
    if decision.action == ADJUST_LINE and decision.target not in LINE_TARGETS:
        return tr("A control-line adjustment must be one of {targets}.").format(
            targets=", ".join(LINE_TARGETS)
        )
    if not (decision.reviewer or "").strip():
        return tr("A decision needs the reviewer's name (set it in the plugin settings).")
    if not decision.decision_id:
        return tr("A decision needs an id.")
    return None
