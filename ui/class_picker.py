"""Pick a unified 用地用海 2023 class (or a level-0 group) from the shipped code tables.

Why a tree and a filter: 175 classes in three levels plus the groups are too many for a combo box,
and reviewers know either the code (``0103``) or the name (旱地).  The classes the involved plans
give the patch are offered first, because most "set class" decisions pick one of them or its parent.
"""

from __future__ import annotations

import os

from qgis.PyQt import uic
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QTreeWidgetItem

from ..algorithms.i18n import tr
from .controller import _code_tables

FORM_CLASS, _BASE = uic.loadUiType(os.path.join(os.path.dirname(__file__), "class_picker.ui"))
UNIFIED = "YDYH-2023"
CODE_ROLE = Qt.ItemDataRole.UserRole


class ClassPicker(QDialog):
    """``ClassPicker(parent, suggestions=[(code, label)…])``; ``selected_code()`` after ``exec()``."""

    def __init__(
        self, parent=None, suggestions: list[tuple[str, str]] | None = None, current: str | None = None
    ):
        super().__init__(parent)
        self.form = FORM_CLASS()
        self.form.setupUi(self)
        self.setObjectName("MultiPlanClassPicker")
        tree = self.form.classTree
        tree.setColumnWidth(0, 110)
        self._items: list[QTreeWidgetItem] = []
        tables = _code_tables()
        if suggestions:
            top = QTreeWidgetItem([tr("In this patch"), ""])
            top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            tree.addTopLevelItem(top)
            for code, label in suggestions:
                self._add(top, code, label)
            top.setExpanded(True)
        if tables:
            entries = tables.standard_entries(UNIFIED)
            nodes: dict[str, QTreeWidgetItem] = {}
            for code, e in entries.items():  # the CSV is ordered: parents come before children
                parent = nodes.get(e.parent or "")
                item = self._add(parent, code, e.name)
                if parent is None:
                    tree.addTopLevelItem(item)
                nodes[code] = item
            groups = tables.groups()
            if groups:
                gtop = QTreeWidgetItem([tr("Groups (when only the group is known)"), ""])
                gtop.setFlags(gtop.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                tree.addTopLevelItem(gtop)
                for code, e in groups.items():
                    self._add(gtop, code, e.name)
        self.form.filterEdit.textChanged.connect(self.apply_filter)
        tree.itemDoubleClicked.connect(lambda *_: self._accept_if_selected())
        tree.itemSelectionChanged.connect(self._update_ok)
        self.form.buttonBox.accepted.connect(self._accept_if_selected)
        self.form.buttonBox.rejected.connect(self.reject)
        if current:
            self.select(current)
        self._update_ok()

    def _add(self, parent: QTreeWidgetItem | None, code: str, name: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([code, name])
        item.setData(0, CODE_ROLE, code)
        item.setToolTip(1, name)
        if parent is not None:
            parent.addChild(item)
        self._items.append(item)
        return item

    def apply_filter(self, text: str) -> int:
        """Show items whose code starts with, or whose name contains, ``text`` (and their parents)."""
        text = (text or "").strip().lower()
        shown = 0
        for item in self._items:
            code = (item.data(0, CODE_ROLE) or "").lower()
            hit = not text or code.startswith(text) or text in item.text(1).lower()
            item.setHidden(not hit)
            shown += int(hit)
        if text:
            for item in self._items:
                if not item.isHidden():
                    p = item.parent()
                    while p is not None:
                        p.setHidden(False)
                        p.setExpanded(True)
                        p = p.parent()
        tree = self.form.classTree
        for i in range(tree.topLevelItemCount()):
            top = tree.topLevelItem(i)
            if top.data(0, CODE_ROLE) is None:  # a heading: visible when one of its children is
                top.setHidden(all(top.child(k).isHidden() for k in range(top.childCount())))
        return shown

    def select(self, code: str) -> bool:
        for item in self._items:
            if item.data(0, CODE_ROLE) == code:
                self.form.classTree.setCurrentItem(item)
                return True
        return False

    def selected_code(self) -> str | None:
        item = self.form.classTree.currentItem()
        return item.data(0, CODE_ROLE) if item is not None else None

    def _update_ok(self) -> None:
        ok = self.form.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(self.selected_code() is not None)

    def _accept_if_selected(self) -> None:
        if self.selected_code():
            self.accept()
