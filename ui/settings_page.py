"""The plugin's page in Settings ▸ Options: who the reviewer is (name, department, role)."""

from __future__ import annotations

import os

from qgis.gui import QgsOptionsPageWidget, QgsOptionsWidgetFactory
from qgis.PyQt import uic
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QVBoxLayout

from ..algorithms.i18n import tr
from ..processing_provider.base import ICON_PATH
from . import settings

FORM_CLASS, BASE_CLASS = uic.loadUiType(os.path.join(os.path.dirname(__file__), "settings_page.ui"))


class SettingsPage(QgsOptionsPageWidget):
    """Loads the form from ``settings_page.ui``; ``apply()`` stores the values."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.form = FORM_CLASS()
        container = BASE_CLASS(self)
        self.form.setupUi(container)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(container)
        self.form.departmentCombo.addItems(settings.DEPARTMENTS)
        self.form.roleCombo.addItem(tr("Department opinion"), settings.ROLE_OPINION)
        self.form.roleCombo.addItem(tr("Final decision (leading-group office)"), settings.ROLE_FINAL)
        self.load()

    def load(self) -> None:
        r = settings.reviewer()
        self.form.nameEdit.setText(r.name)
        self.form.departmentCombo.setCurrentText(r.department)
        self.form.roleCombo.setCurrentIndex(max(0, self.form.roleCombo.findData(r.role)))

    def apply(self) -> None:
        settings.set_reviewer(
            settings.Reviewer(
                name=self.form.nameEdit.text(),
                department=self.form.departmentCombo.currentText(),
                role=self.form.roleCombo.currentData(),
            )
        )


class SettingsPageFactory(QgsOptionsWidgetFactory):
    def __init__(self):
        super().__init__()
        self.setTitle(tr("Multi-Plan Integration"))

    def icon(self) -> QIcon:
        return QIcon(ICON_PATH)

    def createWidget(self, parent):  # noqa: N802
        return SettingsPage(parent)
