"""The PDF atlas of difference patches: one page per patch, made with QGIS's print layout.

Why a print layout: the expert review (专家评审) leafs through patches on paper or on a projector; QGIS's
atlas gives a real map per page (the blueprint's land use, the control lines, the neighbouring patches,
the patch outlined) with its codes, areas and decision, and writes a PDF any office can open.

The layout is built in code (no .qpt to keep in sync): a title with the patch id and kind (Chinese and
English), the map (atlas-driven, 60 % margin, scale bar, north arrow), a facts panel (street, planar and
ellipsoidal area, sliver, status, current decision), a table of what every involved plan says
(``patch_plans``, filtered to the atlas feature) and the decision history (``decisions``, the latest rows),
and a footer with page x / n.  Labels use a CJK font the machine has (``fc-list :lang=zh``: Noto Sans CJK
SC, WenQuanYi Micro Hei, …) and text is exported as text, so the PDF embeds the font (``pdffonts``).

Pages: the caller chooses the patch ids (``report.select_atlas_patches``: default non-sliver patches,
the 200 largest), in page order.  The export reports seconds per page.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLabel,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTableColumn,
    QgsPrintLayout,
    QgsProject,
    QgsRelation,
    QgsRendererCategory,
    QgsRuleBasedRenderer,
    QgsTextFormat,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontDatabase

from .. import compat
from ..algorithms.i18n import tr
from ..algorithms.report_html import CLASS_COLOURS  # fill colours per unified level-1 class, as in the page

# WenQuanYi Micro Hei first: Qt embeds it with a complete ToUnicode map, so the PDF stays searchable (patch
# ids, codes); with Noto Sans CJK (CFF outlines) poppler/Acrobat lose the digits and map 土 to the Kangxi ⼟.
CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Serif CJK SC",
)
LINE_STYLES = {
    "eco_redline": ("#1a9641", "dash"),
    "farmland": ("#d4a017", "dot"),
    "dev_boundary": ("#7b3294", "solid"),
}
STATUS_LABELS = {
    "undecided": "未决 undecided",
    "opinions": "已有部门意见 opinions",
    "deferred": "暂缓 deferred",
    "decided": "已决定 decided",
    "reconfirm": "待重新确认 re-confirm",
    "conflict": "冲突 conflict",
    "closed": "已关闭 closed",
}
ACTION_LABELS = {
    "adopt_plan": "采用规划 adopt plan",
    "set_class": "指定地类 set class",
    "adjust_line": "调整控制线 adjust line",
    "exception": "批准例外 exception",
    "technical_error": "技术误差 technical error",
    "defer": "暂缓 defer",
}
ROLE_LABELS = {
    "urban": "城规 urban",
    "land": "土规 land",
    "development": "主体功能区",
    "eco": "生态规划 eco",
    "projects": "重大项目",
    "forest": "林规 forest",
    "eco_redline": "生态保护红线",
    "farmland": "永久基本农田",
    "dev_boundary": "城镇开发边界",
}
PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm

# Enums that moved into Qgis.* (QGIS 3.3x; the old names go in QGIS 4): resolved by compat, new name first.
MM = compat.resolve_enum("Qgis.LayoutUnit.Millimeters", "QgsUnitTypes.LayoutUnit.LayoutMillimeters")
LANDSCAPE = compat.resolve_enum("QgsLayoutItemPage.Orientation.Landscape", "QgsLayoutItemPage.Landscape")
ATLAS_AUTO_SCALE = compat.resolve_enum(
    "Qgis.MapItemAtlasScalingMode.Auto", "QgsLayoutItemMap.AtlasScalingMode.Auto"
)
RELATION_CHILDREN = compat.resolve_enum(
    "Qgis.AttributeTableSource.RelationChildren", "QgsLayoutItemAttributeTable.ContentSource.RelationChildren"
)
EMPTY_SHOW_MESSAGE = compat.resolve_enum(
    "Qgis.LayoutTableEmptyBehavior.ShowMessage", "QgsLayoutTable.EmptyTableMode.ShowMessage"
)
WRAP_TRUNCATE = compat.resolve_enum(
    "Qgis.LayoutTableWrapBehavior.TruncateText", "QgsLayoutTable.WrapBehavior.TruncateText"
)
SEGMENTS_FIT_WIDTH = compat.resolve_enum(
    "Qgis.ScaleBarSegmentSizeMode.FitWidth", "QgsScaleBarSettings.SegmentSizeMode.SegmentSizeFitWidth"
)
TEXT_AS_TEXT = compat.resolve_enum(
    "Qgis.TextRenderFormat.AlwaysText", "QgsRenderContext.TextRenderFormat.TextFormatAlwaysText"
)
LABEL_HTML = compat.resolve_enum("Qgis.LayoutLabelMode.RenderHtml", "QgsLayoutItemLabel.Mode.ModeHtml")


@dataclass
class AtlasResult:
    pages: int
    seconds: float
    path: str
    font: str | None

    @property
    def seconds_per_page(self) -> float:
        return self.seconds / self.pages if self.pages else 0.0


def cjk_font() -> str | None:
    """The first CJK font family Qt knows on this machine, or None."""
    families = set(QFontDatabase().families())
    for name in CJK_FONTS:
        if name in families:
            return name
    for name in sorted(families):  # any family that says it writes Simplified Chinese
        if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase().writingSystems(name):
            return name
    return None


def _q(text: str) -> str:
    """A QGIS expression string literal."""
    return "'" + str(text).replace("'", "''") + "'"


#: The targets of a control-line adjustment, as the decision history shows them.
LINE_TARGETS = {"retain": "保留", "withdraw": "退出", "deduct": "扣除"}


def _map_expr(mapping: dict[str, str], field: str, default: str | None = None) -> str:
    pairs = ", ".join(f"{_q(k)}, {_q(v)}" for k, v in mapping.items())
    fallback = default if default is not None else f'"{field}"'
    return f'coalesce(map_get(map({pairs}), "{field}"), {fallback})' if pairs else fallback


def _layer(path: str, name: str, title: str, subset: str | None = None) -> QgsVectorLayer | None:
    lyr = QgsVectorLayer(f"{path}|layername={name}", title, "ogr")
    if not lyr.isValid():
        return None
    if subset:
        lyr.setSubsetString(subset)
    return lyr


def _fill(
    colour: str, outline: str = "#ffffff", width: float = 0.05, style: str = "solid", fill: bool = True
):
    return QgsFillSymbol.createSimple(
        {
            "color": colour if fill else "0,0,0,0",
            "style": "solid" if fill else "no",
            "outline_color": outline,
            "outline_width": str(width),
            "outline_width_unit": "MM",
            "outline_style": style,
        }
    )


def _blueprint_renderer(lyr: QgsVectorLayer):
    names = {f.name() for f in lyr.fields()}
    if "mp_code" not in names:
        return None
    pending = "\"status\" = 'pending'" if "status" in names else "false"
    expr = f"CASE WHEN {pending} THEN 'pending' ELSE left(\"mp_code\", 2) END"
    cats = [
        QgsRendererCategory(code, _fill(col, "#ffffff", 0.02), code) for code, col in CLASS_COLOURS.items()
    ]
    pending = QgsFillSymbol.createSimple(
        {
            "color": "#6e6e6e",
            "style": "b_diagonal",
            "outline_color": "#6e6e6e",
            "outline_width": "0.05",
            "outline_width_unit": "MM",
        }
    )
    cats.append(QgsRendererCategory("pending", pending, "pending"))
    cats.append(QgsRendererCategory("", _fill("#e0d6c8", "#ffffff", 0.02), "other"))
    return QgsCategorizedSymbolRenderer(expr, cats)


def _lines_renderer():
    cats = []
    for line, (colour, style) in LINE_STYLES.items():
        cats.append(QgsRendererCategory(line, _fill("0,0,0,0", colour, 0.6, style, fill=False), line))
    return QgsCategorizedSymbolRenderer("line_type", cats)


def _patch_renderer():
    root = QgsRuleBasedRenderer.Rule(None)
    this = QgsRuleBasedRenderer.Rule(
        _fill("227,26,28,45", "#e31a1c", 0.9),
        0,
        0,
        "\"patch_id\" = attribute(@atlas_feature, 'patch_id')",
        "this patch",
    )
    others = QgsRuleBasedRenderer.Rule(
        _fill("0,0,0,0", "#333333", 0.15, "dash", fill=False), 0, 0, "ELSE", "others"
    )
    root.appendChild(this)
    root.appendChild(others)
    return QgsRuleBasedRenderer(root)


def _start_extent(layers):
    for lyr in layers:
        lyr.updateExtents()
        ext = lyr.extent()
        if ext.isFinite() and not ext.isEmpty():
            return ext
    return None


def _label(layout, text: str, x, y, w, h, font: QFont, *, colour="#222222", html=False) -> QgsLayoutItemLabel:
    item = QgsLayoutItemLabel(layout)
    item.setText(text)
    item.setFont(font)
    item.setFontColor(QColor(colour))
    if html:
        item.setMode(LABEL_HTML)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.attemptResize(QgsLayoutSize(w, h, MM))
    return item


def _rows_of(path: str, name: str, id_list: str):
    """The rows of a child table (patch_plans, decisions) for the atlas's patches, as a memory layer.

    QGIS's attribute table item costs ~0.1 s a page on a 20k-row GeoPackage table however selective its
    filter or relation (measured); a memory copy of the few hundred rows the atlas needs costs ~1 ms.
    """
    src = _layer(path, name, name)
    if src is None:
        return None
    request = QgsFeatureRequest().setFilterExpression(f'"patch_id" IN ({id_list})' if id_list else "false")
    out = src.materialize(request)
    out.setName(name)
    return out


def _relation(project, parent, child, rid: str):
    """A patch → child-table relation on patch_id, registered in the project (None when it cannot be)."""
    if child is None:
        return None
    rel = QgsRelation()
    rel.setId(rid)
    rel.setName(rid)
    rel.setReferencedLayer(parent.id())
    rel.setReferencingLayer(child.id())
    rel.addFieldPair("patch_id", "patch_id")
    if not rel.isValid():
        return None
    project.relationManager().addRelation(rel)
    return rel


def _table(
    layout,
    layer,
    columns,
    x,
    y,
    w,
    h,
    font: QFont,
    header: QFont,
    relation,
    max_rows: int,
    sort: str | None = None,
):
    table = QgsLayoutItemAttributeTable.create(layout)
    layout.addMultiFrame(table)
    table.setVectorLayer(layer)
    if relation is not None:
        # the children of the atlas feature: QGIS asks for "patch_id" = '…', which the GeoPackage answers
        # from its index (a filter on attribute(@atlas_feature, …) would scan the whole table per page)
        table.setSource(RELATION_CHILDREN)
        table.setRelationId(relation.id())
    else:
        table.setFilterFeatures(True)
        table.setFeatureFilter("\"patch_id\" = attribute(@atlas_feature, 'patch_id')")
    table.setMaximumNumberOfFeatures(max_rows)
    cols = []
    for attr, heading, width in columns:
        c = QgsLayoutTableColumn()
        c.setAttribute(attr)
        c.setHeading(heading)
        c.setWidth(width)
        cols.append(c)
    table.setColumns(cols)
    if sort is not None:
        key = QgsLayoutTableColumn()
        key.setAttribute(sort)
        key.setSortOrder(Qt.SortOrder.DescendingOrder)
        table.setSortColumns([key])
    table.setContentTextFormat(QgsTextFormat.fromQFont(font))
    table.setHeaderTextFormat(QgsTextFormat.fromQFont(header))
    table.setEmptyTableBehavior(EMPTY_SHOW_MESSAGE)
    table.setEmptyTableMessage("无 none")
    table.setWrapBehavior(WRAP_TRUNCATE)
    frame = QgsLayoutFrame(layout, table)
    frame.attemptMove(QgsLayoutPoint(x, y, MM))
    frame.attemptResize(QgsLayoutSize(w, h, MM))
    table.addFrame(frame)
    return table


def build_layout(
    blueprint_path: str,
    patch_ids,
    *,
    project_name: str = "",
    kind_titles: dict[str, tuple[str, str]] | None = None,
    font_family: str | None = None,
) -> tuple[QgsPrintLayout, QgsProject, list]:
    """The atlas layout over the given patches (page order = ``patch_ids``); returns the layout, its
    project and the layers (kept alive by the caller)."""
    project = QgsProject()
    ids = [str(i) for i in patch_ids]
    id_list = ", ".join(_q(i) for i in ids)
    coverage = _layer(blueprint_path, "patches", "atlas patches", f"patch_id IN ({id_list})" if ids else "0")
    if coverage is None:
        raise RuntimeError(tr("The blueprint {path} has no patches layer.").format(path=blueprint_path))
    context = _layer(blueprint_path, "patches", "patches", "closed_run_id IS NULL")
    context.setRenderer(_patch_renderer())
    layers = [context]
    lines = _layer(blueprint_path, "control_lines", "control lines")
    if lines is not None:
        stage = next(
            (
                s
                for s in ("final", "proposed", "input")
                if lines.dataProvider().uniqueValues(lines.fields().indexOf("stage"))
                and s in lines.dataProvider().uniqueValues(lines.fields().indexOf("stage"))
            ),
            None,
        )
        if stage:
            lines.setSubsetString(f"stage = '{stage}'")
            lines.setRenderer(_lines_renderer())
            layers.append(lines)
    base = _layer(blueprint_path, "blueprint", "blueprint")
    renderer = _blueprint_renderer(base) if base is not None else None
    if base is None or renderer is None:
        for name in ("plan_urban", "plan_land"):
            base = _layer(blueprint_path, name, name)
            renderer = _blueprint_renderer(base) if base is not None else None
            if renderer is not None:
                break
    if base is not None and renderer is not None:
        base.setRenderer(renderer)
        base.setOpacity(0.85)
        layers.append(base)
    # the child tables limited to the atlas's patches: QGIS's attribute table otherwise costs ~0.1 s a page
    # on a 20k-row table (measured), however selective its filter or relation
    plans = _rows_of(blueprint_path, "patch_plans", id_list)
    decisions = _rows_of(blueprint_path, "decisions", id_list)
    project.addMapLayers([coverage] + layers + [x for x in (plans, decisions) if x is not None], False)
    plan_rel = _relation(project, coverage, plans, "atlas_patch_plans")
    decision_rel = _relation(project, coverage, decisions, "atlas_decisions")
    crs = coverage.crs()
    project.setCrs(crs)

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize("A4", LANDSCAPE)
    family = font_family or cjk_font() or QFont().family()

    def font(size: float, bold: bool = False) -> QFont:
        f = QFont(family)
        f.setPointSizeF(size)
        f.setBold(bold)
        return f

    titles = kind_titles or {}
    kind_zh = _map_expr({k: v[0] for k, v in titles.items()}, "kind")
    kind_en = _map_expr({k: v[1] for k, v in titles.items()}, "kind")
    status = _map_expr(STATUS_LABELS, "status")
    action = _map_expr(ACTION_LABELS, "current_action", "''")
    _label(
        layout,
        f'差异图斑 [% "patch_id" %]  [% {kind_zh} %]',
        10,
        7,
        230,
        10,
        font(15, True),
        colour="#1f4e79",
    )
    _label(
        layout,
        f"Difference patch · [% {kind_en} %] · {project_name}",
        10,
        16,
        230,
        7,
        font(9),
        colour="#555555",
    )
    # the map
    mp = QgsLayoutItemMap(layout)
    mp.setRect(QRectF(0, 0, 170, 150))
    mp.setLayers(layers)
    mp.setCrs(crs)
    mp.setFrameEnabled(True)
    start = _start_extent(layers)
    if start is not None:
        mp.setExtent(start)  # a map without an extent cannot be resized (NaN scale); the atlas moves it
    layout.addLayoutItem(mp)
    mp.attemptMove(QgsLayoutPoint(10, 26, MM))
    mp.attemptResize(QgsLayoutSize(170, 150, MM))
    mp.setAtlasDriven(True)
    mp.setAtlasScalingMode(ATLAS_AUTO_SCALE)
    mp.setAtlasMargin(0.6)
    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(mp)
    bar.applyDefaultSize()
    # two segments whose length fits 25–50 mm whatever the scale (the atlas zooms per patch)
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    bar.setSegmentSizeMode(SEGMENTS_FIT_WIDTH)
    bar.setMinimumBarWidth(25)
    bar.setMaximumBarWidth(50)
    bar.setTextFormat(QgsTextFormat.fromQFont(font(7)))
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(12, 178, MM))
    north = QgsLayoutItemPicture(layout)
    north.setPicturePath(":/images/north_arrows/layout_default_north_arrow.svg")
    layout.addLayoutItem(north)
    north.attemptMove(QgsLayoutPoint(168, 28, MM))
    north.attemptResize(QgsLayoutSize(10, 12, MM))
    # facts
    target = _map_expr(
        {k: f"{v} {k}" for k, v in LINE_TARGETS.items()}, "current_target", "coalesce(\"current_target\", '')"
    )
    facts = (
        "街道 Street: [% coalesce(\"unit\", '-') %]\n"
        '面积 Area: [% format_number("area_planar", 1) %] m²  '
        '([% format_number("area_planar" / 10000, 4) %] ha)\n'
        '椭球面积 Ellipsoidal: [% format_number("area_ellipsoidal", 1) %] m²\n'
        "碎图斑 Sliver: [% if(\"is_sliver\", '是 yes — ' || coalesce(\"sliver_reason\", ''), '否 no') %]\n"
        f"状态 Status: [% {status} %]\n"
        f"当前决定 Decision: [% {action} %] [% {target} %]\n"
        "决定人 By: [% coalesce(\"decided_by\", '-') %]  [% coalesce(left(\"decided_utc\", 16), '') %]\n"
        '部门意见 Opinions: [% coalesce("n_opinions", 0) %][% '
        "if(\"opinions_disagree\", ' (意见不一致 disagree)', '') %]"
        '   冲突 Conflicts: [% coalesce("n_conflicts", 0) %]\n'
        '代码组合 Codes: [% "codes" %]'
    )
    _label(layout, facts, 186, 26, 102, 52, font(9))
    header = font(8, True)
    body = font(8)
    if plans is not None:
        _label(
            layout,
            "各规划用地 What each plan says (plan, code, name, unified class)",
            186,
            80,
            102,
            6,
            font(9, True),
            colour="#1f4e79",
        )
        role = _map_expr({k: v for k, v in ROLE_LABELS.items()}, "role")
        _table(
            layout,
            plans,
            [
                (role, "规划", 18),
                ("src_code", "原代码", 13),
                ("src_name", "原名称", 21),
                ("mp_code", "统一代码", 11),
                ("mp_name", "统一名称", 21),
            ],
            186,
            87,
            102,
            44,
            body,
            header,
            plan_rel,
            6,
        )
    if decisions is not None:
        _label(
            layout,
            "决定记录 Decision history (latest first)",
            186,
            134,
            102,
            6,
            font(9, True),
            colour="#1f4e79",
        )
        kind_of_row = _map_expr({"opinion": "意见", "final": "决定", "system": "系统"}, "role")
        act = _map_expr(
            {k: v.split(" ")[0] for k, v in ACTION_LABELS.items()} | {"reconfirm": "重新确认"}, "action"
        )
        _table(
            layout,
            decisions,
            [
                ("department", "部门", 21),
                ("reviewer", "评审人", 11),
                (kind_of_row, "类别", 9),
                (act, "意见", 14),
                (_map_expr(LINE_TARGETS, "target", "coalesce(\"target\", '')"), "对象", 10),
                ('left("written_utc", 10)', "日期", 15),
            ],
            186,
            141,
            102,
            40,
            body,
            header,
            decision_rel,
            6,
            sort="fid",  # write order (client clocks may lie; fid is commit order)
        )
    _label(
        layout,
        "红框 本图斑 this patch · 虚线 其他差异图斑 other patches · 绿/黄/紫线 生态保护红线/永久基本农田/"
        "城镇开发边界 red line / farmland / boundary · 底色 一张蓝图用地(一级类),斜线 = 待定 "
        "blueprint land use by level-1 class, hatched = pending",
        10,
        190,
        172,
        9,
        font(7),
        colour="#555555",
    )
    _label(
        layout,
        "第 [% @atlas_featurenumber %] / [% @atlas_totalfeatures %] 页 · page · "
        + f"{os.path.basename(blueprint_path)} · [% format_date(now(), 'yyyy-MM-dd') %]",
        10,
        202,
        277,
        5,
        font(7),
        colour="#777777",
    )
    atlas = layout.atlas()
    atlas.setCoverageLayer(coverage)
    atlas.setEnabled(True)
    atlas.setHideCoverage(True)
    atlas.setSortFeatures(True)
    atlas.setSortExpression(f'array_find(array({id_list}), "patch_id")' if ids else '"patch_id"')
    atlas.setSortAscending(True)
    return layout, project, [coverage] + layers + [plans, decisions]


def export_atlas(
    blueprint_path: str,
    patch_ids,
    pdf_path: str,
    *,
    project_name: str = "",
    kind_titles: dict[str, tuple[str, str]] | None = None,
    font_family: str | None = None,
    dpi: int = 150,
    feedback=None,
) -> AtlasResult:
    """Export the atlas to one PDF; returns pages, seconds and the font used."""
    ids = list(patch_ids)
    family = font_family or cjk_font()
    if family is None and feedback is not None:
        feedback.pushWarning(tr("No CJK font found on this machine: Chinese text in the atlas may not show."))
    if not ids:
        return AtlasResult(0, 0.0, "", family)
    t0 = time.perf_counter()
    layout, project, keep = build_layout(
        blueprint_path, ids, project_name=project_name, kind_titles=kind_titles, font_family=family
    )
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = dpi
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = True
    settings.textRenderFormat = TEXT_AS_TEXT
    settings.exportMetadata = True
    if os.path.exists(pdf_path):
        os.remove(pdf_path)
    result, error = QgsLayoutExporter.exportToPdf(layout.atlas(), pdf_path, settings)
    seconds = time.perf_counter() - t0
    if result != QgsLayoutExporter.ExportResult.Success:
        raise RuntimeError(tr("The atlas could not be exported: {error}").format(error=error or result))
    pages = layout.atlas().count()
    del keep
    return AtlasResult(pages, seconds, pdf_path, family)
