"""The per-user pending journal: decisions that could not be written yet, kept outside the blueprint.

A reviewer's decision must survive a blueprint that is locked for too long, read-only, moved or on a
disconnected share.  It goes into a JSON-lines file on the reviewer's own computer::

    <user data dir>/multiplan/pending/<sha1 of the blueprint's real path>.jsonl

(``MULTIPLAN_PENDING_DIR`` or the store's ``pending_dir`` parameter override the folder; tests use
that.)  Each line is one entry with the blueprint's path and uuid and the full decision.  Entries are
appended with ``fsync``; they are removed only after the transaction that wrote them committed, by
rewriting the file atomically (temporary file + ``os.replace``).  A crash between commit and removal
is harmless: decisions carry a client-generated id, and a replay of an id already in the log is a
no-op.  A line that cannot be parsed (torn write) is moved to ``<name>.bad``, never deleted.
Two processes of the same user (two QGIS windows) serialise on ``<name>.lock``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator

from ..gpkg import utc_now

ENV_DIR = "MULTIPLAN_PENDING_DIR"
ENTRY_FORMAT = "multiplan-pending"
ENTRY_VERSION = 1
REQUIRED = ("decision_id", "patch_id", "action", "role", "reviewer")


def user_data_dir() -> str:
    """The per-user application data folder of the platform."""
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA") or os.path.expanduser("~")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return base


def default_pending_dir() -> str:
    return os.environ.get(ENV_DIR) or os.path.join(user_data_dir(), "multiplan", "pending")


def blueprint_key(path: str) -> str:
    """A stable file name for a blueprint path (case-folded on Windows, where paths are case-blind)."""
    real = os.path.normcase(os.path.realpath(os.path.abspath(path)))
    return hashlib.sha1(real.encode("utf-8")).hexdigest()[:20]


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[None]:
    """An exclusive lock between processes of this user (fcntl on POSIX, msvcrt on Windows)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform.startswith("win"):  # pragma: no cover - not testable on this machine
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _fsync_dir(folder: str) -> None:
    if sys.platform.startswith("win"):  # pragma: no cover
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _ends_with_newline(path: str) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell() == 0:
            return True
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


class PendingJournal:
    """The pending decisions of one blueprint for the current user."""

    def __init__(self, blueprint_path: str, pending_dir: str | None = None):
        self.blueprint_path = os.path.abspath(blueprint_path)
        self.folder = pending_dir or default_pending_dir()
        self.path = os.path.join(self.folder, blueprint_key(blueprint_path) + ".jsonl")

    # -- reading ---------------------------------------------------------------------------

    def has_entries(self) -> bool:
        """Cheap check (one ``stat``) done before every write."""
        try:
            return os.path.getsize(self.path) > 0
        except OSError:
            return False

    def entries(self, path: str | None = None) -> list[dict]:
        """Parsed entries in journal order; unparseable lines are moved to ``.bad``."""
        path = path or self.path
        if not os.path.exists(path):
            return []
        with _file_lock(path + ".lock"):
            return self._read_locked(path)

    def _read_locked(self, path: str) -> list[dict]:
        try:
            with open(path, encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        except FileNotFoundError:
            return []
        good, bad = [], []
        for line in lines:
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                decision = entry.get("decision") if isinstance(entry, dict) else None
                if entry.get("format") != ENTRY_FORMAT or not isinstance(decision, dict):
                    raise ValueError("not a pending entry")
                if any(not decision.get(k) for k in REQUIRED):
                    raise ValueError("incomplete decision")
                good.append(entry)
            except ValueError:
                bad.append(line)
        if bad:
            with open(path + ".bad", "a", encoding="utf-8") as fh:
                fh.write("\n".join(bad) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            self._rewrite_locked(path, good)
        return good

    def decisions(self, blueprint_uuid: str | None = None) -> list[dict]:
        """Decision dicts waiting for this blueprint (optionally only those stamped with its uuid)."""
        return [
            e["decision"]
            for e in self.entries()
            if blueprint_uuid is None or e.get("blueprint_uuid") in (None, blueprint_uuid)
        ]

    def foreign_journals(self, blueprint_uuid: str) -> list[str]:
        """Journals under *other* paths holding entries for this blueprint (it was moved or renamed)."""
        if not blueprint_uuid or not os.path.isdir(self.folder):
            return []
        found = []
        for name in sorted(os.listdir(self.folder)):
            full = os.path.join(self.folder, name)
            if not name.endswith(".jsonl") or full == self.path:
                continue
            try:
                with open(full, encoding="utf-8") as fh:
                    first = fh.readline()
                if json.loads(first).get("blueprint_uuid") == blueprint_uuid:
                    found.append(full)
            except (OSError, ValueError):
                continue
        return found

    # -- writing ---------------------------------------------------------------------------

    def append(self, decision: dict, *, blueprint_uuid: str | None, reason: str) -> str:
        """Keep one decision durably (fsync of file and, when new, its folder); returns the journal path."""
        os.makedirs(self.folder, exist_ok=True)
        entry = {
            "format": ENTRY_FORMAT,
            "version": ENTRY_VERSION,
            "blueprint_path": self.blueprint_path,
            "blueprint_uuid": blueprint_uuid,
            "queued_utc": utc_now(),
            "reason": reason,
            "decision": decision,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with _file_lock(self.path + ".lock"):
            created = not os.path.exists(self.path)
            if not created and not _ends_with_newline(self.path):
                line = "\n" + line  # a torn last line (crash mid-append) must not swallow this entry
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        if created:
            _fsync_dir(self.folder)
        return self.path

    def remove(self, decision_ids: Iterable[str], path: str | None = None) -> int:
        """Drop entries whose decision is now in the blueprint (called only after commit)."""
        ids = set(decision_ids)
        path = path or self.path
        if not ids or not os.path.exists(path):
            return 0
        with _file_lock(path + ".lock"):
            entries = self._read_locked(path)
            keep = [e for e in entries if e["decision"].get("decision_id") not in ids]
            if len(keep) != len(entries):
                self._rewrite_locked(path, keep)
            return len(entries) - len(keep)

    def _rewrite_locked(self, path: str, entries: list[dict]) -> None:
        if not entries:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
            return
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            for e in entries:
                fh.write(json.dumps(e, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(os.path.dirname(path))
