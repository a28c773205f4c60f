"""Building and removing the plugin's GUI (toolbar, menu, dock, settings page), symmetrically."""

from __future__ import annotations

from ..algorithms.i18n import tr


def build_gui(plugin) -> None:
    iface = plugin.iface
    plugin.toolbar = iface.addToolBar(tr("Multi-Plan Integration"))
    plugin.toolbar.setObjectName("MultiPlanToolbar")


def remove_gui(plugin) -> None:
    iface = plugin.iface
    for action in reversed(plugin.actions):
        iface.removePluginVectorMenu(plugin.menu_name, action)
        if plugin.toolbar is not None:
            plugin.toolbar.removeAction(action)
        action.deleteLater()
    plugin.actions = []
    if plugin.toolbar is not None:
        iface.mainWindow().removeToolBar(plugin.toolbar)
        plugin.toolbar.deleteLater()
        plugin.toolbar = None
