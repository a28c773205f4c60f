"""Everything that can go wrong with a blueprint file, as one exception family.

Each error carries a translated message that names the file, because the reviewer reading it in the
dock's message bar needs to know *which* blueprint and *what now*.  The dock catches
:class:`BlueprintError` as a whole; Processing algorithms turn it into ``QgsProcessingException``.
When a decision could not be written, the error says so and where it was kept
(``pending_path``) — a decision typed by a reviewer is never lost silently.
"""

from __future__ import annotations

from ..i18n import tr


class BlueprintError(Exception):
    """Base class: ``path`` is the blueprint, ``message`` the translated text shown to the user."""

    def __init__(
        self, message: str, path: str = "", *, pending_path: str | None = None, decision_id: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.path = path
        #: Where an unwritten decision was kept (the per-user pending journal), else None.
        self.pending_path = pending_path
        self.decision_id = decision_id

    @property
    def kept_pending(self) -> bool:
        """True when a decision that could not be written is safe in the pending journal."""
        return self.pending_path is not None


def _kept(pending_path: str | None) -> str:
    if not pending_path:
        return ""
    return " " + tr(
        "Your decision was kept in the pending journal on this computer ({journal}) and will be written "
        "with the next successful write."
    ).format(journal=pending_path)


class BlueprintMissingError(BlueprintError):
    """The file does not exist (moved, renamed, deleted, or a network share is disconnected)."""

    def __init__(self, path: str, *, pending_path: str | None = None, decision_id: str | None = None):
        msg = tr(
            "The blueprint {path} was not found: it may have been moved, renamed or deleted, or its network "
            "folder is not connected."
        ).format(path=path)
        super().__init__(msg + _kept(pending_path), path, pending_path=pending_path, decision_id=decision_id)


class NotGeoPackageError(BlueprintError):
    """The file is not a GeoPackage (not SQLite at all, or SQLite without GeoPackage tables)."""

    def __init__(self, path: str, detail: str = ""):
        msg = tr("{path} is not a GeoPackage, so it cannot be a blueprint.").format(path=path)
        if detail:
            msg += " " + detail
        super().__init__(msg, path)


class NotBlueprintError(BlueprintError):
    """A GeoPackage that was not created as a Multi-Plan blueprint (a foreign GeoPackage)."""

    def __init__(self, path: str):
        super().__init__(
            tr(
                "{path} is a GeoPackage but not a Multi-Plan blueprint (it has no blueprint project table). "
                "Choose a blueprint, or create a new one."
            ).format(path=path),
            path,
        )


class NewerSchemaError(BlueprintError):
    """The file was written by a newer plugin whose schema this version does not know."""

    def __init__(self, path: str, found: int, supported: int):
        super().__init__(
            tr(
                "The blueprint {path} uses schema version {found}, but this plugin understands versions "
                "up to "
                "{supported}. Update the Multi-Plan Integration plugin to open it."
            ).format(path=path, found=found, supported=supported),
            path,
        )
        self.found = found
        self.supported = supported


class SchemaUpgradeError(BlueprintError):
    """An older schema that must be migrated, but the file was opened read-only."""

    def __init__(self, path: str, found: int, supported: int):
        super().__init__(
            tr(
                "The blueprint {path} uses the older schema version {found} and must be upgraded to version "
                "{supported}; open it with write access once to upgrade it."
            ).format(path=path, found=found, supported=supported),
            path,
        )


class ReadOnlyError(BlueprintError):
    """The file (or its folder, which the rollback journal needs) cannot be written."""

    def __init__(self, path: str, *, pending_path: str | None = None, decision_id: str | None = None):
        msg = tr(
            "The blueprint {path} is read-only (the file, or its folder, cannot be written, or it was opened "
            "read-only)."
        ).format(path=path)
        super().__init__(msg + _kept(pending_path), path, pending_path=pending_path, decision_id=decision_id)


class RecoveryNeededError(BlueprintError):
    """A writer stopped mid-transaction (its rollback journal is still there) and this connection,
    being read-only, cannot roll it back: SQLite refuses to read the file until someone does."""

    def __init__(self, path: str):
        super().__init__(
            tr(
                "The blueprint {path} has an unfinished transaction from a program that stopped while "
                "writing (its rollback journal {journal} is still there), and it was opened read-only, which "
                "cannot undo it. Open it once with write access — in QGIS or in the review dock — and the "
                "unfinished transaction is rolled back; nothing that was saved before is lost."
            ).format(path=path, journal=path + "-journal"),
            path,
        )


class BlueprintLockedError(BlueprintError):
    """Another user or program held the write lock longer than the bound."""

    def __init__(
        self, path: str, waited_s: float, *, pending_path: str | None = None, decision_id: str | None = None
    ):
        msg = tr(
            "The blueprint {path} is locked by another user or program (waited {seconds:.1f} s)."
        ).format(path=path, seconds=waited_s)
        super().__init__(msg + _kept(pending_path), path, pending_path=pending_path, decision_id=decision_id)
        self.waited_s = waited_s


class BlueprintWriteError(BlueprintError):
    """Any other failure while writing (disk full, I/O error on a share, …)."""

    def __init__(
        self, path: str, detail: str, *, pending_path: str | None = None, decision_id: str | None = None
    ):
        msg = tr("Writing to the blueprint {path} failed: {error}.").format(path=path, error=detail)
        super().__init__(msg + _kept(pending_path), path, pending_path=pending_path, decision_id=decision_id)


class InvalidDecisionError(BlueprintError):
    """A decision that does not follow the contract (unknown action, missing target, unknown patch)."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message, path)


class RunCancelledError(BlueprintError):
    """Raised inside a run writer when the caller's cancel check fires; the transaction is rolled back."""

    def __init__(self, path: str = ""):
        super().__init__(tr("The run was cancelled; nothing was written to the blueprint."), path)
