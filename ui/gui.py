"""Building and removing the plugin's GUI (toolbar, menu, review dock, settings page), symmetrically."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon

from ..algorithms.i18n import tr
from ..compat import QAction
from ..processing_provider.base import ICON_PATH


def _add_action(
    plugin,
    text: str,
    slot,
    object_name: str,
    icon: str | None = None,
    toolbar: bool = False,
    checkable: bool = False,
) -> QAction:
    iface = plugin.iface
    action = QAction(QIcon(icon) if icon else QIcon(), text, iface.mainWindow())
    action.setObjectName(object_name)
    action.setCheckable(checkable)
    if slot is not None:
        action.triggered.connect(slot)
    iface.addPluginToVectorMenu(plugin.menu_name, action)
    if toolbar:
        plugin.toolbar.addAction(action)
    plugin.actions.append(action)
    return action


def build_gui(plugin) -> None:
    """Toolbar, review dock and its toggle action (menu + toolbar), settings page and its action."""
    from .dock import ReviewDock
    from .settings_page import SettingsPageFactory

    iface = plugin.iface
    plugin.toolbar = iface.addToolBar(tr("Multi-Plan Integration"))
    plugin.toolbar.setObjectName("MultiPlanToolbar")

    # The dock is created hidden; QGIS restores its place and visibility by objectName.
    plugin.dock = ReviewDock(iface, iface.mainWindow())
    iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, plugin.dock)
    plugin.dock.hide()
    toggle = _add_action(
        plugin,
        tr("Review dock"),
        None,
        "MultiPlanReviewDockAction",
        icon=ICON_PATH,
        toolbar=True,
        checkable=True,
    )
    plugin.dock.setToggleVisibilityAction(toggle)

    plugin.options_factory = SettingsPageFactory()
    iface.registerOptionsWidgetFactory(plugin.options_factory)
    _add_action(
        plugin,
        tr("Reviewer settings…"),
        lambda: iface.showOptionsDialog(iface.mainWindow(), tr("Multi-Plan Integration")),
        "MultiPlanSettingsAction",
    )


def remove_gui(plugin) -> None:
    """Everything ``build_gui`` added, in reverse."""
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
    if plugin.dock is not None:
        plugin.dock.cleanup()
        iface.removeDockWidget(plugin.dock)
        plugin.dock.deleteLater()
        plugin.dock = None
    if plugin.toolbar is not None:
        iface.mainWindow().removeToolBar(plugin.toolbar)
        plugin.toolbar.deleteLater()
        plugin.toolbar = None
