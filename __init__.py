"""多规合一 Multi-Plan Integration — QGIS plugin entry point.

Nothing runs at import: QGIS calls :func:`classFactory` and the plugin class is
imported only then.
"""


def classFactory(iface):  # noqa: N802 (QGIS API name)
    from .plugin import MultiPlanPlugin

    return MultiPlanPlugin(iface)
