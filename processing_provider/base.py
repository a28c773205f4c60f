"""The thin base every algorithm derives from: id, group, icon, help, translation, dependency check."""

from __future__ import annotations

import os

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException
from qgis.PyQt.QtGui import QIcon

from ..algorithms.dependencies import missing_dependencies
from ..algorithms.i18n import tr, tr_noop

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICON_PATH = os.path.join(PLUGIN_DIR, "icons", "multiplan.svg")


class MultiplanAlgorithm(QgsProcessingAlgorithm):
    """Shared behaviour; subclasses set ``NAME`` and ``GROUP`` and implement the Processing API."""

    NAME = ""
    GROUP = "integration"

    _GROUPS = {
        "integration": tr_noop("Plan integration"),
        "review": tr_noop("Review and blueprint"),
        "reports": "Reports",
    }

    def tr(self, text: str) -> str:
        return tr(text)

    def createInstance(self):  # noqa: N802
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def groupId(self) -> str:  # noqa: N802
        return self.GROUP

    def group(self) -> str:
        return tr(self._GROUPS[self.GROUP])

    def icon(self) -> QIcon:
        return QIcon(ICON_PATH)

    def canExecute(self):  # noqa: N802
        problem = dependency_problem()
        return (problem is None, problem or "")

    def require_dependencies(self) -> None:
        """Raise the install instructions as a Processing error when shapely >= 2 is missing or mismatched."""
        problem = dependency_problem()
        if problem:
            raise QgsProcessingException(problem)


def dependency_problem() -> str | None:
    """What is wrong with the engine's libraries inside this QGIS, or None."""
    from qgis.core import Qgis

    return missing_dependencies(host_geos=(Qgis.geosVersionMajor(), Qgis.geosVersionMinor()))
