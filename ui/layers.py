"""The blueprint's layers in the QGIS project: one group, styled, removed as cleanly as it was added.

The dock adds, in a group of its own named ``多规合一 <project name>``:

* ``patches`` — the review queue, styled by **status** (fill), **kind** (outline colour by the rule
  table's group: red line, farmland, boundary, 两规, …) and **sliver** (hatched); the legend explains
  all three because each is a rule of one rule-based renderer and QGIS draws every rule that matches;
* ``line_adjustments`` (hidden), ``control_lines`` (by line type), the ``plan_<role>`` copies (hidden,
  in a sub-group) and the ``blueprint`` layer when it exists (hidden), for context.

Layers are read through QGIS's OGR provider read-only (QGIS opens a GeoPackage for update only when
editing starts, so it does not switch the file to WAL); the store remains the only writer.  After a
decision the provider is told to reload, so the status colours follow the log.
"""

from __future__ import annotations

import os

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLayerTreeGroup,
    QgsProject,
    QgsRendererCategory,
    QgsRuleBasedRenderer,
    QgsVectorLayer,
)

from ..algorithms.i18n import tr
from .controller import _rules, line_label, plan_label, status_label

GROUP_PREFIX = "多规合一 "

STATUS_COLOURS = {
    "undecided": "227,26,28",
    "opinions": "253,141,60",
    "deferred": "189,189,189",
    "decided": "49,163,84",
    "reconfirm": "117,107,177",
    "conflict": "212,0,106",
    "closed": "120,120,120",
}
# Outline colour per kind group (the rule table's ``group`` column); LINE_* kinds are "line".
GROUP_COLOURS = {
    "line": "0,0,0",
    "redline": "0,109,44",
    "eco": "65,171,93",
    "farmland": "204,153,0",
    "boundary": "8,81,156",
    "liangui": "165,15,21",
    "zone": "106,81,163",
    "project": "140,81,10",
    "class": "82,82,82",
}
LINE_COLOURS = {"eco_redline": "0,140,60", "farmland": "230,180,0", "dev_boundary": "200,30,30"}


def group_label(group: str) -> str:
    return {
        "line": tr("Control-line adjustments"),
        "redline": tr("Ecological red line"),
        "eco": tr("Eco control zones"),
        "farmland": tr("Permanent basic farmland"),
        "boundary": tr("Urban development boundary"),
        "liangui": tr("Urban vs land-use plan (两规)"),
        "zone": tr("Development-prohibited zones"),
        "project": tr("Key projects"),
        "class": tr("Class conflicts"),
    }.get(group, group)


def _q(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def style_patches(layer: QgsVectorLayer) -> None:
    """Rule-based: a fill per status, an outline per kind group, a hatch for slivers (all drawn)."""
    root = QgsRuleBasedRenderer.Rule(None)
    for status, rgb in STATUS_COLOURS.items():
        sym = QgsFillSymbol.createSimple({"color": rgb + ",150", "outline_style": "no", "style": "solid"})
        rule = QgsRuleBasedRenderer.Rule(sym, 0, 0, f'"status" = {_q(status)}', status_label(status))
        root.appendChild(rule)
    groups: dict[str, list[str]] = {}
    for kind, rule in _rules().items():
        groups.setdefault(rule.group or "class", []).append(kind)
    for group, rgb in GROUP_COLOURS.items():
        if group == "line":
            expr = "left(\"kind\", 5) = 'LINE_'"
        elif group in groups:
            expr = f'"kind" IN ({", ".join(_q(k) for k in sorted(groups[group]))})'
        else:
            continue
        sym = QgsFillSymbol.createSimple(
            {"style": "no", "outline_color": rgb + ",255", "outline_width": "0.5", "outline_width_unit": "MM"}
        )
        root.appendChild(
            QgsRuleBasedRenderer.Rule(sym, 0, 0, expr, tr("Kind: {group}").format(group=group_label(group)))
        )
    hatch = QgsFillSymbol.createSimple(
        {
            "style": "b_diagonal",
            "color": "40,40,40,255",
            "outline_style": "dash",
            "outline_color": "40,40,40,255",
            "outline_width": "0.3",
            "outline_width_unit": "MM",
        }
    )
    root.appendChild(
        QgsRuleBasedRenderer.Rule(hatch, 0, 0, '"is_sliver"', tr("Sliver (technical difference)"))
    )
    layer.setRenderer(QgsRuleBasedRenderer(root))


def style_control_lines(layer: QgsVectorLayer) -> None:
    cats = []
    for line_type, rgb in LINE_COLOURS.items():
        props = {
            "color": rgb + ",40",
            "outline_color": rgb + ",255",
            "outline_width": "0.6",
            "outline_width_unit": "MM",
        }
        if line_type == "dev_boundary":
            props.update({"style": "no", "outline_style": "dash", "outline_width": "0.8"})
        cats.append(QgsRendererCategory(line_type, QgsFillSymbol.createSimple(props), line_label(line_type)))
    other = QgsFillSymbol.createSimple(
        {"style": "no", "outline_color": "90,90,90,255", "outline_width": "0.4", "outline_width_unit": "MM"}
    )
    cats.append(QgsRendererCategory(None, other, tr("Other lines")))
    layer.setRenderer(QgsCategorizedSymbolRenderer("line_type", cats))


def style_context(layer: QgsVectorLayer, rgb: str = "110,110,110") -> None:
    layer.setRenderer(
        QgsRuleBasedRenderer(
            QgsFillSymbol.createSimple(
                {
                    "style": "no",
                    "outline_color": rgb + ",255",
                    "outline_width": "0.15",
                    "outline_width_unit": "MM",
                }
            )
        )
    )


class BlueprintLayers:
    """Adds the blueprint's layers in one group and takes them away again (by layer id, not by name)."""

    def __init__(self, project: QgsProject | None = None):
        self.project = project or QgsProject.instance()
        self.group_name: str | None = None
        self._ids: list[str] = []
        self._patches_id: str | None = None

    # -- access -----------------------------------------------------------------------------

    @property
    def patches(self) -> QgsVectorLayer | None:
        return self.project.mapLayer(self._patches_id) if self._patches_id else None

    @property
    def layer_ids(self) -> list[str]:
        return [i for i in self._ids if self.project.mapLayer(i) is not None]

    def group(self) -> QgsLayerTreeGroup | None:
        if not self.group_name:
            return None
        return self.project.layerTreeRoot().findGroup(self.group_name)

    # -- adding and removing -------------------------------------------------------------------

    def load(
        self, path: str, project_name: str, layers: tuple[str, ...] | list[str]
    ) -> QgsVectorLayer | None:
        """Add the group (replacing a group of the same name) and return the patches layer."""
        self.remove()
        root = self.project.layerTreeRoot()
        name = GROUP_PREFIX + (project_name or os.path.splitext(os.path.basename(path))[0])
        stale = root.findGroup(name)
        if stale is not None:  # e.g. saved in the QGIS project last time: replaced, not duplicated
            ids = [n.layerId() for n in stale.findLayers()]
            root.removeChildNode(stale)
            self.project.removeMapLayers([i for i in ids if self.project.mapLayer(i) is not None])
        group = root.insertGroup(0, name)
        self.group_name = name
        available = set(layers)

        def add(
            table: str, title: str, into: QgsLayerTreeGroup, visible: bool, style
        ) -> QgsVectorLayer | None:
            if table not in available:
                return None
            layer = QgsVectorLayer(f"{path}|layername={table}", title, "ogr")
            if not layer.isValid():
                return None
            style(layer)
            self.project.addMapLayer(layer, False)
            node = into.addLayer(layer)
            node.setItemVisibilityChecked(visible)
            if not visible:
                node.setExpanded(False)
            self._ids.append(layer.id())
            return layer

        patches = add("patches", tr("Difference patches"), group, True, style_patches)
        self._patches_id = patches.id() if patches is not None else None
        add(
            "line_adjustments",
            tr("Control-line adjustments"),
            group,
            False,
            lambda lyr: style_context(lyr, "0,0,0"),
        )
        add("control_lines", tr("Control lines"), group, True, style_control_lines)
        plans = sorted(t for t in available if t.startswith("plan_"))
        if plans:
            sub = group.addGroup(tr("Plans"))
            sub.setExpanded(False)
            for table in plans:
                add(table, tr("Plan: {plan}").format(plan=plan_label(table[5:])), sub, False, style_context)
            sub.setItemVisibilityChecked(False)
        add(
            "blueprint",
            tr("Blueprint (integrated land use)"),
            group,
            False,
            lambda lyr: style_context(lyr, "0,90,160"),
        )
        return patches

    def remove(self) -> None:
        """Remove the group and every layer this object added (layers the user moved out included)."""
        root = self.project.layerTreeRoot()
        ids = self.layer_ids
        group = self.group()
        if group is not None:
            root.removeChildNode(group)
        if ids:
            self.project.removeMapLayers(ids)
        self._ids, self._patches_id, self.group_name = [], None, None

    # -- keeping up with the store ----------------------------------------------------------------

    def reload(self) -> None:
        """The store wrote: let QGIS re-read the patches (status colours) and repaint."""
        layer = self.patches
        if layer is None:
            return
        layer.dataProvider().reloadData()
        layer.triggerRepaint()

    def set_filter(self, subset_sql: str) -> bool:
        layer = self.patches
        if layer is None:
            return False
        if layer.subsetString() == subset_sql:
            return True
        return layer.setSubsetString(subset_sql)
