"""Start a headless QGIS with Processing and the multiplan provider, once per process (demo, benchmarks)."""

from __future__ import annotations

import sys

_app = None
_provider = None


def qgis_app():
    """A headless QgsApplication with Processing and the multiplan provider registered."""
    global _app
    if _app is not None:
        return _app
    from qgis.core import QgsApplication

    _app = QgsApplication([], False)
    _app.initQgis()
    import os

    sys.path.append(os.path.join(QgsApplication.pkgDataPath(), "python", "plugins"))
    from processing.core.Processing import Processing

    Processing.initialize()
    from multiplan.processing_provider.provider import MultiPlanProvider

    if QgsApplication.processingRegistry().providerById("multiplan") is None:
        global _provider
        _provider = MultiPlanProvider()  # the Python object must outlive the registration
        QgsApplication.processingRegistry().addProvider(_provider)
    return _app
