"""The report as an Excel workbook, written through GDAL's XLSX driver (no openpyxl).

Why GDAL: every platform exports ledgers and statistics to Excel (DOMAIN.md §6), and recent QGIS builds
do not ship openpyxl, while GDAL's XLSX driver is always there.  One sheet per table, headed in Chinese
and English (``图斑编号 patch id``); a first sheet ``说明 About`` holds the project, the parameters (the
construction flag counted, the quota, the population), the headline figures and every table's notes —
GDAL writes plain cells, so notes that would sit "beside" a table in a hand-made workbook live there, and
the balance tables also carry their overlap as a row of type ``overlap``.
"""

from __future__ import annotations

import os
import re

from .i18n import tr
from .report import Report, ReportTable
from .vector_io import check_written

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31  # Excel's limit
EMPTY_ROW = "(无数据 no rows)"


def sheet_name(table: ReportTable, taken: set[str]) -> str:
    """An Excel sheet name: the Chinese title (≤ 31 characters, no []:*?/\\), unique in the workbook."""
    base = _BAD_SHEET_CHARS.sub("_", table.title_zh).strip() or table.key
    base = base[:MAX_SHEET_NAME]
    name, k = base, 2
    while name.lower() in taken:
        suffix = f"_{k}"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        k += 1
    taken.add(name.lower())
    return name


def _about_rows(report: Report) -> list[tuple[str, str]]:
    p, s = report.project, report.summary
    rows = [
        ("项目 Project", p.get("name") or ""),
        ("行政区 District", p.get("district") or ""),
        ("坐标系 CRS", p.get("crs") or ""),
        ("蓝图文件 Blueprint", p.get("path") or ""),
        ("生成时间 Generated (UTC)", report.generated_utc),
        ("建设用地计数依据 Construction flag counted", report.parameters.get("flag_text") or ""),
        ("建设用地指标 Quota (m²)", "" if s.get("quota") is None else f"{s['quota']:.2f}"),
        ("人口 Population", "" if not s.get("population") else f"{s['population']:.0f}"),
        ("差异图斑 Patches", str(s.get("patches", 0))),
        ("已决定 Decided", str(s.get("decided", 0))),
        (
            "建设用地 Construction land (m²)",
            "" if s.get("construction") is None else f"{s['construction']:.2f}",
        ),
        (
            "新增建设用地 New construction (m²)",
            "" if s.get("new_construction") is None else f"{s['new_construction']:.2f}",
        ),
        ("面积 Areas", "m², planar in the blueprint's CRS; 椭球 = CGCS2000 ellipsoid"),
    ]
    for m in report.messages:
        rows.append(("提示 Message", m))
    for t in report.tables.values():
        for note in t.notes:
            rows.append((t.title, note))
    return rows


def write_xlsx(report: Report, path: str) -> list[str]:
    """Write the report to ``path`` (replaced when it exists); returns the sheet names in order."""
    from osgeo import ogr

    if os.path.exists(path):
        os.remove(path)
    driver = ogr.GetDriverByName("XLSX")
    if driver is None:  # pragma: no cover - every GDAL build since 1.11 has it
        raise RuntimeError(tr("This GDAL has no XLSX driver."))
    ds = driver.CreateDataSource(path)
    if ds is None:
        raise OSError(tr("Cannot create {path}").format(path=path))
    taken: set[str] = set()
    names = []
    about = "说明 About"
    taken.add(about.lower())
    lyr = ds.CreateLayer(about, geom_type=ogr.wkbNone)
    lyr.CreateField(ogr.FieldDefn("项目 item", ogr.OFTString))
    lyr.CreateField(ogr.FieldDefn("内容 value", ogr.OFTString))
    defn = lyr.GetLayerDefn()
    for k, v in _about_rows(report):
        f = ogr.Feature(defn)
        f.SetField(0, k)
        f.SetField(1, v)
        lyr.CreateFeature(f)
    names.append(about)
    types = {"int": ogr.OFTInteger64, "real": ogr.OFTReal, "bool": ogr.OFTInteger, "text": ogr.OFTString}
    for table in report.tables.values():
        name = sheet_name(table, taken)
        lyr = ds.CreateLayer(name, geom_type=ogr.wkbNone)
        for c in table.columns:
            fd = ogr.FieldDefn(c.heading, types.get(c.kind, ogr.OFTString))
            lyr.CreateField(fd)
        defn = lyr.GetLayerDefn()
        kinds = [c.kind for c in table.columns]
        if not len(table):
            # GDAL writes the heading row only with a first row: an empty table gets one that says so
            f = ogr.Feature(defn)
            first_text = next((i for i, k in enumerate(kinds) if k == "text"), None)
            if first_text is not None:
                f.SetField(first_text, EMPTY_ROW)
            lyr.CreateFeature(f)
        for row in table.rows():
            f = ogr.Feature(defn)
            for i, (v, kind) in enumerate(zip(row, kinds)):
                if v is None:
                    continue
                if kind == "bool":
                    f.SetField(i, int(bool(v)))
                elif kind == "int":
                    f.SetField(i, int(v))
                elif kind == "real":
                    f.SetField(i, float(v))
                else:
                    f.SetField(i, str(v))
            lyr.CreateFeature(f)
        names.append(name)
    ds = None  # GDAL writes the workbook when the dataset closes
    check_written(path)
    return names
