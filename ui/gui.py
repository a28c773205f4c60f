"""Building and removing the plugin's GUI (toolbar, menu, dock, settings page), symmetrically."""

from __future__ import annotations

from qgis.PyQt.QtGui import QIcon

from ..algorithms.i18n import tr
from ..compat import QAction
from ..processing_provider.base import ICON_PATH


def _add_action(plugin, text: str, slot, object_name: str, icon: str | None = None, toolbar: bool = False,
                checkable: bool = False) -> QAction:
    iface = plugin.iface
    action = QAction(QIcon(icon) if icon else QIcon(), text, iface.mainWindow())
    action.setObjectName(object_name)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    iface.addPluginToVectorMenu(plugin.menu_name, action)
    if toolbar:
        plugin.toolbar.addAction(action)
    plugin.actions.append(action)
    return action


def build_gui(plugin) -> None:
    from .settings_page import SettingsPageFactory

    iface = plugin.iface
    plugin.toolbar = iface.addToolBar(tr("Multi-Plan Integration"))
    plugin.toolbar.setObjectName("MultiPlanToolbar")

    plugin.options_factory = SettingsPageFactory()
    iface.registerOptionsWidgetFactory(plugin.options_factory)
    _add_action(
        plugin, tr("Reviewer settings…"), lambda: iface.showOptionsDialog(iface.mainWindow(), tr("Multi-Plan Integration")),
        "MultiPlanSettingsAction",
    )


def remove_gui(plugin) -> None:
    iface = plugin.iface
    for action in reversed(plugin.actions):
        iface.removePluginVectorMenu(plugin.menu_name, action)
        if plugin.toolbar is not None:
            plugin.toolbar.removeAction(action)
        action.deleteLater()
    plugin.actions = []
    if plugin.options_factory is not None:
        iface.unregisterOptionsWidgetFactory(plugin.options_factory)
        plugin.options_factory = None
    if plugin.toolbar is not None:
        iface.mainWindow().removeToolBar(plugin.toolbar)
        plugin.toolbar.deleteLater()
        plugin.toolbar = None
