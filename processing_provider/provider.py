"""The Processing provider: a registry of the plugin's algorithms (id ``multiplan``)."""

from __future__ import annotations

import os

from qgis.core import QgsMessageLog, QgsProcessingModelAlgorithm, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..algorithms.i18n import tr
from .base import ICON_PATH


def algorithm_classes() -> list[type]:
    """Every algorithm class, imported lazily so a missing engine library cannot break QGIS start-up."""
    from .apply_decisions import ApplyDecisionsAlgorithm
    from .check_siting import CheckSitingAlgorithm
    from .detect_differences import DetectDifferencesAlgorithm
    from .harmonise_codes import HarmoniseCodesAlgorithm
    from .reconcile_control_lines import ReconcileControlLinesAlgorithm
    from .report import ReportAlgorithm

    classes: list[type] = [
        HarmoniseCodesAlgorithm,
        ReconcileControlLinesAlgorithm,
        DetectDifferencesAlgorithm,
        ApplyDecisionsAlgorithm,
        ReportAlgorithm,
        CheckSitingAlgorithm,
    ]
    return classes


class MultiPlanProvider(QgsProcessingProvider):
    def id(self) -> str:  # noqa: A003
        return "multiplan"

    def name(self) -> str:
        return tr("多规合一 Multi-Plan Integration")

    def longName(self) -> str:  # noqa: N802
        return self.name()

    def icon(self) -> QIcon:
        return QIcon(ICON_PATH)

    def loadAlgorithms(self) -> None:  # noqa: N802
        for cls in algorithm_classes():
            self.addAlgorithm(cls())
        for path in model_files():
            model = QgsProcessingModelAlgorithm()
            if model.fromFile(path):
                self.addAlgorithm(model)
            else:  # a broken model must not take the algorithms down with it
                QgsMessageLog.logMessage(tr("Cannot load the model {path}").format(path=path), "Multi-Plan")


def model_files() -> list[str]:
    """The Processing models shipped with the plugin (``processing_provider/models/*.model3``)."""
    folder = os.path.join(os.path.dirname(__file__), "models")
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".model3"))
