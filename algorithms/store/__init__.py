"""The blueprint store: one GeoPackage holding the whole state of an integration project.

Public API (see ``docs/blueprint-contract.md``)::

    from ..algorithms.store import BlueprintStore, Decision, BlueprintError

    store = BlueprintStore.create(path, project_name=..., district=..., crs_authid="EPSG:4549")
    store = BlueprintStore.open(path)                      # or readonly=True
    result = store.record_decision(Decision(patch_id, "adopt_plan", reviewer, role="final",
                                            department="领导小组办公室", target="urban",
                                            based_on=seen_current_id))
"""

from __future__ import annotations

from .core import (
    DEFAULT_LOCK_TIMEOUT,
    BlueprintInfo,
    BlueprintStore,
    Progress,
    RunWriter,
    WriteResult,
    current_plugin_version,
)
from .decisions import (
    ACTIONS,
    ADJUST_LINE,
    ADOPT_PLAN,
    DEFER,
    EXCEPTION,
    LINE_TARGETS,
    RECONFIRM,
    ROLE_FINAL,
    ROLE_OPINION,
    ROLE_SYSTEM,
    SET_CLASS,
    STATUSES,
    TECHNICAL_ERROR,
    Decision,
    DecisionRecord,
    PatchState,
    action_label,
    derive,
)
from .errors import (
    BlueprintError,
    BlueprintLockedError,
    BlueprintMissingError,
    BlueprintWriteError,
    InvalidDecisionError,
    NewerSchemaError,
    NotBlueprintError,
    NotGeoPackageError,
    ReadOnlyError,
    RecoveryNeededError,
    RunCancelledError,
    SchemaUpgradeError,
)
from .pending import ENV_DIR as PENDING_DIR_ENV
from .pending import PendingJournal
from .schema import SCHEMA_VERSION

__all__ = [
    "ACTIONS",
    "ADJUST_LINE",
    "ADOPT_PLAN",
    "DEFAULT_LOCK_TIMEOUT",
    "DEFER",
    "EXCEPTION",
    "LINE_TARGETS",
    "PENDING_DIR_ENV",
    "RECONFIRM",
    "ROLE_FINAL",
    "ROLE_OPINION",
    "ROLE_SYSTEM",
    "SCHEMA_VERSION",
    "SET_CLASS",
    "STATUSES",
    "TECHNICAL_ERROR",
    "BlueprintError",
    "BlueprintInfo",
    "BlueprintLockedError",
    "BlueprintMissingError",
    "BlueprintStore",
    "BlueprintWriteError",
    "Decision",
    "DecisionRecord",
    "InvalidDecisionError",
    "NewerSchemaError",
    "NotBlueprintError",
    "NotGeoPackageError",
    "PatchState",
    "PendingJournal",
    "Progress",
    "ReadOnlyError",
    "RecoveryNeededError",
    "RunCancelledError",
    "RunWriter",
    "SchemaUpgradeError",
    "WriteResult",
    "action_label",
    "derive",
    "current_plugin_version",
]
