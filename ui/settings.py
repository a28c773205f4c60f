"""The plugin's settings in one typed module over QgsSettings (prefix ``multiplan/``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from qgis.core import QgsSettings

PREFIX = "multiplan/"
MAX_RECENT = 8

# Departments that give opinions in the work plan, and the office that decides.
DEPARTMENTS = ["规划分局", "国土分局", "区发改局", "区环保局", "高新规建局", "政务办", "领导小组办公室"]
FINAL_DEPARTMENT = "领导小组办公室"
ROLE_OPINION = "opinion"
ROLE_FINAL = "final"


@dataclass
class Reviewer:
    """Self-declared identity (a file-based store cannot verify it; see docs/blueprint-contract.md)."""

    name: str = ""
    department: str = ""
    role: str = ROLE_OPINION

    @property
    def complete(self) -> bool:
        return bool(self.name.strip() and self.department.strip())

    @property
    def is_final(self) -> bool:
        return self.role == ROLE_FINAL


def _settings() -> QgsSettings:
    return QgsSettings()


def reviewer() -> Reviewer:
    s = _settings()
    return Reviewer(
        name=str(s.value(PREFIX + "reviewer/name", "") or ""),
        department=str(s.value(PREFIX + "reviewer/department", "") or ""),
        role=str(s.value(PREFIX + "reviewer/role", ROLE_OPINION) or ROLE_OPINION),
    )


def set_reviewer(value: Reviewer) -> None:
    s = _settings()
    s.setValue(PREFIX + "reviewer/name", value.name.strip())
    s.setValue(PREFIX + "reviewer/department", value.department.strip())
    role = value.role if value.role in (ROLE_OPINION, ROLE_FINAL) else ROLE_OPINION
    s.setValue(PREFIX + "reviewer/role", role)


def recent_blueprints() -> list[str]:
    value = _settings().value(PREFIX + "recent_blueprints", []) or []
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value if v]


def add_recent_blueprint(path: str) -> None:
    items = [path] + [p for p in recent_blueprints() if p != path]
    _settings().setValue(PREFIX + "recent_blueprints", items[:MAX_RECENT])


def _key(path: str) -> str:
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]


def last_patch(blueprint_path: str) -> str | None:
    """Where this reviewer stopped in this blueprint (per user, per file)."""
    value = _settings().value(PREFIX + "resume/" + _key(blueprint_path), "")
    return str(value) if value else None


def set_last_patch(blueprint_path: str, patch_id: str | None) -> None:
    _settings().setValue(PREFIX + "resume/" + _key(blueprint_path), patch_id or "")


def view_state(name: str, default=None):
    """Small UI state (sort order, filters) remembered across sessions."""
    return _settings().value(PREFIX + "view/" + name, default)


def set_view_state(name: str, value) -> None:
    _settings().setValue(PREFIX + "view/" + name, value)
