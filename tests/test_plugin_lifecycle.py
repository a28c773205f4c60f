"""classFactory -> initGui -> unload against pytest-qgis's iface, and the Processing provider."""

from __future__ import annotations

from qgis.core import QgsApplication


def test_lifecycle_registers_and_removes_everything(qgis_iface):
    import multiplan

    registry = QgsApplication.processingRegistry()
    earlier = registry.providerById("multiplan")  # registered by other tests' fixture
    if earlier is not None:
        registry.removeProvider(earlier)
    plugin = multiplan.classFactory(qgis_iface)
    plugin.initGui()
    try:
        provider = QgsApplication.processingRegistry().providerById("multiplan")
        assert provider is not None
        assert provider.name().startswith("多规合一")
        assert provider.algorithm("harmonisecodes") is not None
        assert plugin.toolbar is not None and plugin.toolbar.objectName() == "MultiPlanToolbar"
    finally:
        plugin.unload()
    assert QgsApplication.processingRegistry().providerById("multiplan") is None
    assert plugin.toolbar is None and plugin.actions == []


def test_version_is_read_from_metadata_only(repo_root):
    from multiplan.plugin import plugin_metadata

    version = plugin_metadata("version")
    assert version and version[0].isdigit()
    # The version is written nowhere else in the code.
    hits = [
        p
        for p in repo_root.rglob("*.py")
        if ".build" not in p.parts and ".venv" not in p.parts and f'"{version}"' in p.read_text("utf-8")
    ]
    assert hits == []
