"""The report as one self-contained HTML page: headline figures, charts for slides, every table.

Why self-contained: the page is mailed around and opened on office machines without internet, and
a review meeting projects it.  So there is no JavaScript, no external CSS, font or image: the charts
are inline SVG drawn here (bars, stacked structure bars, a donut, a quota gauge), the fonts are the
ones the viewer has (Noto Sans CJK SC, Microsoft YaHei, PingFang SC …, named in CSS, never fetched).
Headings are Chinese with the English beside them.  The full ledger is in the XLSX; the page lists the
largest patches.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from .report import BALANCE_PARTS, DISTRICT, STATUS_ORDER, STATUS_TITLES, Report, ReportTable

FONT = (
    "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif"
)
# Colours per unified level-1 class, after the usual 国土空间规划 map colours (approximate); the PDF atlas
# (processing_provider/atlas.py) fills its map with the same palette.
CLASS_COLOURS = {
    "01": "#f3e6a2",
    "02": "#b9dd8e",
    "03": "#3f8f4f",
    "04": "#a8cf8a",
    "05": "#67c2c0",
    "06": "#d8c08a",
    "07": "#ffd27f",
    "08": "#f39bb4",
    "09": "#e8483f",
    "10": "#a5795a",
    "11": "#8d6fc0",
    "12": "#9e9e9e",
    "13": "#3c78c0",
    "14": "#2fae4b",
    "15": "#6b8e23",
    "16": "#f5f5f5",
    "17": "#7cc6ee",
    "23": "#d5d5d5",
}
OTHER_COLOUR = "#c9b8a3"
PENDING_COLOUR = "#7d7d7d"
SEVERITY_COLOURS = {5: "#b2182b", 4: "#ef6548", 3: "#fdae6b", 2: "#9ecae1", 1: "#c6dbef"}
STATUS_COLOURS = {
    "decided": "#2ca25f",
    "deferred": "#fdae6b",
    "opinions": "#74a9cf",
    "undecided": "#d9d9d9",
    "reconfirm": "#f768a1",
    "conflict": "#d7301f",
    "closed": "#969696",
}
MAX_LEDGER_ROWS = 200


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fmt_num(v, digits: int = 1) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return ""
        return f"{v:,.{digits}f}"
    return str(v)


def fmt_cell(v, kind: str, name: str) -> str:
    if v is None:
        return ""
    if kind == "real" and ("share" in name or name == "usage"):
        return f"{100.0 * float(v):.1f}%"
    if kind == "real":
        return fmt_num(float(v), 4 if name.endswith("_ha") or name == "per_capita" else 1)
    if kind == "bool":
        return "是" if v else "否"
    if kind == "int":
        return fmt_num(int(v))
    return str(v)


def ha(m2) -> str:
    return "" if m2 is None else f"{m2 / 1e4:,.2f}"


# ---------------------------------------------------------------------------------------------- SVG charts


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{esc(FONT)}" font-size="12">'
        f"<title>{esc(title)}</title>{body}</svg>"
    )


def _text(x, y, text, *, anchor="start", size=12, weight="normal", fill="#222") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{fill}">{esc(text)}</text>'
    )


def hbar_chart(items: Sequence[tuple[str, float, str]], title: str, unit: str, width: int = 760) -> str:
    """Horizontal bars, largest first: (label, value, colour)."""
    items = [i for i in items if i[1] and i[1] > 0]
    if not items:
        return ""
    row = 24
    label_w = 340
    top = 30
    height = top + row * len(items) + 16
    vmax = max(v for _, v, _ in items)
    span = width - label_w - 110
    body = [_text(0, 16, title, weight="bold", size=14)]
    for k, (label, value, colour) in enumerate(items):
        y = top + k * row
        w = span * value / vmax
        body.append(_text(label_w - 8, y + 15, label, anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 8}" fill="{colour}"/>'
        )
        body.append(_text(label_w + w + 6, y + 15, f"{value:,.2f} {unit}", fill="#444"))
    return _svg(width, height, "".join(body), title)


def stacked_columns(
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    title: str,
    unit: str,
    width: int = 760,
    height: int = 320,
) -> str:
    """Vertical stacked columns per category (e.g. street): series = (name, colour, values)."""
    totals = [sum(s[2][i] for s in series) for i in range(len(categories))]
    if not categories or not any(totals):
        return ""
    left, bottom, top = 70, 60, 50
    plot_h = height - top - bottom
    vmax = max(totals)
    step = (width - left - 20) / len(categories)
    bw = min(48.0, step * 0.6)
    body = [_text(0, 16, title, weight="bold", size=14)]
    tick = _nice_step(vmax / 4)
    v = 0.0
    while v <= vmax * 1.0001:
        y = top + plot_h - plot_h * v / vmax
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        body.append(
            _text(left - 6, y + 4, f"{v:,.{0 if tick >= 1 else 2}f}", anchor="end", size=10, fill="#666")
        )
        v += tick
    body.append(_text(left - 6, top - 10, unit, anchor="end", size=10, fill="#666"))
    for i, cat in enumerate(categories):
        x = left + step * i + (step - bw) / 2
        y = top + plot_h
        for _name, colour, values in series:
            h = plot_h * values[i] / vmax
            y -= h
            if h > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{colour}"/>'
                )
        body.append(_text(x + bw / 2, y - 4, f"{totals[i]:,.1f}", anchor="middle", size=10))
        body.append(_text(x + bw / 2, top + plot_h + 16, cat, anchor="middle", size=11))
    lx = left
    for name, colour, _ in series:
        body.append(f'<rect x="{lx}" y="26" width="12" height="12" fill="{colour}"/>')
        body.append(_text(lx + 16, 37, name, size=11))
        lx += 24 + 12 * len(name) * 1.1
    return _svg(width, height, "".join(body), title)


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``raw``."""
    if raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def structure_bars(
    plans: Sequence[tuple[str, list[tuple[str, str, float]]]], title: str, width: int = 760
) -> str:
    """One 100 % bar per plan, split by level-1 class (code, name, area): the 用地结构 of each plan."""
    plans = [(p, [s for s in segs if s[2] > 0]) for p, segs in plans]
    plans = [(p, segs) for p, segs in plans if segs]
    if not plans:
        return ""
    label_w = 130
    bar_h = 30
    top = 34
    legend_codes: dict[str, tuple[str, str]] = {}
    body = [_text(0, 16, title, weight="bold", size=14)]
    span = width - label_w - 20
    for k, (plan, segs) in enumerate(plans):
        y = top + k * (bar_h + 14)
        total = sum(s[2] for s in segs)
        x = float(label_w)
        body.append(_text(label_w - 8, y + 20, plan, anchor="end"))
        for code, name, area in segs:
            w = span * area / total
            colour = _class_colour(code)
            legend_codes.setdefault(code, (name, colour))
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" stroke="#fff" '
                f'stroke-width="0.5"><title>{esc(code)} {esc(name)}: {area / 1e4:,.2f} ha '
                f"({100 * area / total:.1f}%)</title></rect>"
            )
            if w > 34:
                body.append(_text(x + w / 2, y + 19, f"{100 * area / total:.0f}%", anchor="middle", size=10))
            x += w
    y = top + len(plans) * (bar_h + 14) + 6
    x = 0.0
    for code, (name, colour) in legend_codes.items():
        label = f"{code} {name}" if code not in ("pending", "unmapped") else name
        wl = 22 + 12.5 * len(label)
        if x + wl > width:
            x = 0.0
            y += 18
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{colour}" stroke="#999" '
            f'stroke-width="0.4"/>'
        )
        body.append(_text(x + 16, y + 11, label, size=11))
        x += wl
    return _svg(width, int(y + 24), "".join(body), title)


GROUP_COLOURS = ("#c9b8a3", "#b8a18a", "#d9cbb6", "#a89a8a", "#cdbfa0", "#b5ad9b", "#e0d2c0", "#9f9080")


def _class_colour(code: str) -> str:
    if code == "pending":
        return PENDING_COLOUR
    if code == "unmapped":
        return "#4d4d4d"
    if code.startswith("G") and code[1:].isdigit():  # a group: earth tones, stable per code
        return GROUP_COLOURS[int(code[1:]) % len(GROUP_COLOURS)]
    return CLASS_COLOURS.get(code, OTHER_COLOUR)


def donut(segments: Sequence[tuple[str, float, str]], title: str, centre: str, size: int = 300) -> str:
    """A donut of shares: (label, value, colour); ``centre`` is printed in the hole."""
    segments = [s for s in segments if s[1] > 0]
    total = sum(s[1] for s in segments)
    if not total:
        return ""
    cx, cy, r, inner = size / 2 - 40, size / 2 + 10, size / 2 - 60, size / 4 - 20
    body = [_text(0, 16, title, weight="bold", size=14)]
    a0 = -math.pi / 2
    for label, value, colour in segments:
        a1 = a0 + 2 * math.pi * value / total
        if value == total:
            body.append(
                f'<circle cx="{cx}" cy="{cy}" r="{(r + inner) / 2}" fill="none" stroke="{colour}" '
                f'stroke-width="{r - inner}"/>'
            )
        else:
            large = 1 if a1 - a0 > math.pi else 0
            p = [
                (cx + r * math.cos(a0), cy + r * math.sin(a0)),
                (cx + r * math.cos(a1), cy + r * math.sin(a1)),
                (cx + inner * math.cos(a1), cy + inner * math.sin(a1)),
                (cx + inner * math.cos(a0), cy + inner * math.sin(a0)),
            ]
            body.append(
                f'<path d="M{p[0][0]:.2f},{p[0][1]:.2f} A{r},{r} 0 {large} 1 {p[1][0]:.2f},{p[1][1]:.2f} '
                f'L{p[2][0]:.2f},{p[2][1]:.2f} A{inner},{inner} 0 {large} 0 {p[3][0]:.2f},{p[3][1]:.2f} Z" '
                f'fill="{colour}"><title>{esc(label)}: {value:,.0f}</title></path>'
            )
        a0 = a1
    body.append(_text(cx, cy + 6, centre, anchor="middle", size=18, weight="bold"))
    ly = 40
    for label, value, colour in segments:
        body.append(f'<rect x="{size - 70}" y="{ly}" width="12" height="12" fill="{colour}"/>')
        body.append(_text(size - 54, ly + 11, f"{label} {value:,.0f} ({100 * value / total:.0f}%)", size=11))
        ly += 20
    return _svg(size + 200, size + 20, "".join(body), title)


def quota_gauge(counted: float, pending: float, quota: float | None, title: str, width: int = 760) -> str:
    """Construction land (and pending ground) against the quota, as one bar with the quota marked."""
    if quota is None and not counted:
        return ""
    vmax = max(counted + pending, quota or 0.0) * 1.08 or 1.0
    left, span, y = 10, width - 40, 44
    body = [_text(0, 16, title, weight="bold", size=14)]
    wc = span * counted / vmax
    wp = span * pending / vmax
    over = quota is not None and counted > quota
    body.append(f'<rect x="{left}" y="{y}" width="{span}" height="34" fill="#f0f0f0"/>')
    body.append(
        f'<rect x="{left}" y="{y}" width="{wc:.1f}" height="34" fill="{"#d7301f" if over else "#e6853a"}"/>'
    )
    if wp > 0:
        body.append(
            f'<rect x="{left + wc:.1f}" y="{y}" width="{wp:.1f}" height="34" fill="{PENDING_COLOUR}" '
            f'opacity="0.6"/>'
        )
    if quota is not None:
        qx = left + span * quota / vmax
        body.append(
            f'<line x1="{qx:.1f}" x2="{qx:.1f}" y1="{y - 8}" y2="{y + 42}" stroke="#111" stroke-width="2"/>'
        )
        body.append(_text(qx, y - 12, f"指标 quota {quota / 1e4:,.2f} ha", anchor="middle", size=11))
    body.append(_text(left, y + 60, f"建设用地 construction {counted / 1e4:,.2f} ha", size=12))
    if pending:
        body.append(_text(left + 330, y + 60, f"待定 pending {pending / 1e4:,.2f} ha", size=12, fill="#555"))
    return _svg(width, y + 72, "".join(body), title)


# ---------------------------------------------------------------------------------------------- tables


def table_html(
    t: ReportTable, *, max_rows: int | None = None, note: str | None = None, skip_empty_classes: bool = False
) -> str:
    """A report table as HTML; a ``name_en`` column is shown under ``name``; with ``skip_empty_classes``
    (balance tables) classes without area are left out, as a slide would."""
    rows = list(t.rows())
    names = [c.name for c in t.columns]
    rt_idx = names.index("row_type") if "row_type" in names else None
    dropped = 0
    if skip_empty_classes and rt_idx is not None and "area" in names:
        a_idx = names.index("area")
        kept = [r for r in rows if not (r[rt_idx] == "class" and not r[a_idx])]
        dropped = len(rows) - len(kept)
        rows = kept
    shown = rows if max_rows is None else rows[:max_rows]
    en_idx = names.index("name_en") if ("name_en" in names and "name" in names) else None
    cols = [(i, c) for i, c in enumerate(t.columns) if i != en_idx]
    head = "".join(f"<th>{esc(c.zh)}<br><span class=en>{esc(c.en)}</span></th>" for _i, c in cols)
    body = []
    for r in shown:
        cls = f' class="rt-{esc(r[rt_idx])}"' if rt_idx is not None and r[rt_idx] else ""
        cells = []
        for i, c in cols:
            text = esc(fmt_cell(r[i], c.kind, c.name))
            if en_idx is not None and c.name == "name" and r[en_idx]:
                text += f" <span class=en>{esc(r[en_idx])}</span>"
            cells.append(f'<td class="{_cell_class(c.kind)}">{text}</td>')
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    notes = list(t.notes)
    if dropped:
        notes.append(
            f"无面积的 {dropped} 个地类未列出(见 XLSX) — {dropped} classes "
            f"without area left out (see the XLSX)."
        )
    if max_rows is not None and len(rows) > max_rows:
        notes.append(
            note or f"显示前 {max_rows} 行,共 {len(rows)} 行 — showing {max_rows} of {len(rows)} rows."
        )
    if not rows:
        notes.append("无数据 — no rows.")
    note_html = "".join(f"<li>{esc(n)}</li>" for n in notes)
    return (
        f'<div class="tablewrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        + (f'<ul class="notes">{note_html}</ul>' if note_html else "")
    )


def pivot_html(ks: ReportTable) -> str:
    """Kinds × streets, area in ha (the district column first): the compact form of the long table."""
    rows = ks.where()
    kinds: list[tuple[str, str]] = []
    for r in rows:
        if r["unit"] == DISTRICT and (r["kind"], r["kind_name"]) not in kinds:
            kinds.append((r["kind"], r["kind_name"]))
    streets = sorted({r["unit"] for r in rows if r["unit"] != DISTRICT})
    cell = {(r["kind"], r["unit"]): r for r in rows}
    head = (
        "<th>差异类型<br><span class=en>kind</span></th><th>全区<br><span class=en>district</span></th>"
        + "".join(f"<th>{esc(st)}</th>" for st in streets)
    )
    body = []
    for k, name in kinds:
        tot = cell.get((k, DISTRICT))
        cls = ' class="rt-total"' if k == "合计" else ""
        tds = [f'<td class="txt">{esc(name or k)} <span class=en>{esc(k if k != "合计" else "")}</span></td>']
        tds.append(f'<td class="num">{ha(tot["area"])}<br><span class=en>{tot["count"]:,}</span></td>')
        for st in streets:
            c = cell.get((k, st))
            tds.append(
                f'<td class="num">{ha(c["area"]) if c else ""}<br><span class=en>'
                f"{format(c['count'], ',') if c else ''}</span></td>"
            )
        body.append(f"<tr{cls}>{''.join(tds)}</tr>")
    return (
        f'<div class="tablewrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        '</div><ul class="notes"><li>面积(公顷)与图斑数 — area (ha) over the number of patches.</li></ul>'
    )


def _cell_class(kind: str) -> str:
    return "num" if kind in ("int", "real") else "txt"


def _section(anchor: str, zh: str, en: str, content: str) -> str:
    return f'<section id="{anchor}"><h2>{esc(zh)} <span class=en>{esc(en)}</span></h2>{content}</section>'


def _card(zh: str, en: str, value: str, sub: str = "", tone: str = "") -> str:
    return (
        f'<div class="card {tone}"><div class="k">{esc(zh)}<br><span class=en>{esc(en)}</span></div>'
        f'<div class="v">{esc(value)}</div><div class="s">{esc(sub)}</div></div>'
    )


CSS = f"""
body{{font-family:{FONT};margin:0;color:#222;background:#fafafa}}
header{{background:#1f4e79;color:#fff;padding:22px 36px}}
header h1{{margin:0;font-size:26px}} header p{{margin:6px 0 0;opacity:.9}}
main{{padding:10px 36px 40px;max-width:1500px}}
h2{{border-bottom:3px solid #1f4e79;padding-bottom:4px;margin-top:34px;font-size:20px}}
h3{{font-size:16px;margin:20px 0 6px}}
.en{{color:#6b7d8f;font-weight:normal;font-size:.85em}} header .en{{color:#dce8f5}}
.cards{{display:flex;flex-wrap:wrap;gap:14px;margin:18px 0}}
.card{{background:#fff;border:1px solid #dde3ea;border-left:6px solid #1f4e79;padding:10px 16px;
min-width:190px}}
.card.bad{{border-left-color:#d7301f}} .card.ok{{border-left-color:#2ca25f}}
.card .k{{font-size:13px;color:#444}} .card .v{{font-size:26px;font-weight:bold;margin-top:4px}}
.card .s{{font-size:12px;color:#666}}
.chart{{background:#fff;border:1px solid #e3e7ec;padding:12px;margin:10px 0;display:inline-block;
vertical-align:top}}
.tablewrap{{overflow-x:auto;background:#fff;border:1px solid #e3e7ec}}
table{{border-collapse:collapse;font-size:12px;width:100%}}
th{{background:#eef3f8;text-align:left;padding:5px 7px;border-bottom:1px solid #cfd8e3;position:sticky;top:0}}
td{{padding:3px 7px;border-bottom:1px solid #f0f0f0;white-space:nowrap}} td.num{{text-align:right}}
tr.rt-subtotal td{{background:#f6f8fb;font-weight:bold}} tr.rt-total td{{background:#e8eef6;font-weight:bold}}
tr.rt-overlap td{{color:#8a5a00;font-style:italic}} tr.rt-pending td{{color:#555;background:#f4f4f4}}
ul.notes{{font-size:12px;color:#555;margin:6px 0 0 18px}}
ul.messages li{{margin:3px 0}}
nav a{{margin-right:14px;color:#1f4e79;text-decoration:none;font-size:13px}}
footer{{font-size:11px;color:#888;padding:20px 36px}}
"""


def render_html(report: Report) -> str:
    """The whole page as a string."""
    p, s, t = report.project, report.summary, report.tables
    parts: list[str] = []
    title = f"{p.get('name') or '多规合一'} 多规合一报告"
    # headline cards
    cards = [
        _card(
            "差异图斑", "difference patches", fmt_num(s.get("patches", 0)), f"{ha(s.get('patch_area'))} ha"
        ),
        _card(
            "评审进度",
            "decided",
            f"{100 * (s.get('share_decided') or 0):.1f}%",
            f"{s.get('decided', 0):,} / {s.get('patches', 0):,}",
            "ok" if s.get("share_decided") == 1 else "",
        ),
    ]
    if s.get("construction") is not None:
        q = s.get("quota")
        sub = "无指标 no quota" if q is None else f"指标 quota {ha(q)} ha"
        cards.append(
            _card(
                "建设用地",
                "construction land (ha)",
                ha(s["construction"]),
                sub,
                "bad" if s.get("exceeded") else ("ok" if s.get("exceeded") is False else ""),
            )
        )
    if s.get("new_construction") is not None:
        cards.append(_card("新增建设用地", "new construction vs 三调 (ha)", ha(s["new_construction"]), ""))
    if s.get("pending"):
        cards.append(_card("待定用地", "pending ground (ha)", ha(s["pending"]), ""))
    parts.append(f'<div class="cards">{"".join(cards)}</div>')
    if report.messages:
        parts.append(
            '<ul class="messages">' + "".join(f"<li>{esc(m)}</li>" for m in report.messages) + "</ul>"
        )
    nav = []

    def add(anchor, zh, en, content):
        if content:
            nav.append(f'<a href="#{anchor}">{esc(zh)}</a>')
            parts.append(_section(anchor, zh, en, content))

    # 1 differences by kind and street
    ks = t.get("kind_street")
    content = ""
    if ks is not None and len(ks):
        rows = [r for r in ks.where(unit=DISTRICT) if r["kind"] != "合计"]
        sev = _severity_by_kind(t.get("ledger"))
        items = [
            (
                r["kind_name"] or r["kind"],
                r["area"] / 1e4,
                SEVERITY_COLOURS.get(sev.get(r["kind"]), "#9ecae1"),
            )
            for r in rows
        ]
        items.sort(key=lambda x: -x[1])
        chart = hbar_chart(items[:14], "差异图斑面积(按类型) Difference area by kind", "ha")
        content += f'<div class="chart">{chart}</div>'
        lg = _lianggui_by_street(ks)
        if lg:
            cats, series = lg
            content += (
                '<div class="chart">'
                + stacked_columns(
                    cats, series, "两规差异(按街道) Urban vs land-use plan differences by street", "ha"
                )
                + "</div>"
            )
        content += pivot_html(ks)
        content += (
            '<ul class="notes"><li>分类型分街道的图斑数、面积和比例见 XLSX — counts, areas and shares of '
            "every kind × street are in the XLSX.</li></ul>"
        )
    add("differences", "差异图斑统计", "Differences by kind and street", content)

    # 2 balance tables
    balances = [k for k in s.get("balances", []) if k in t]
    if balances:
        plans = []
        for k in balances:
            bt = t[k]
            segs = [
                (
                    r["code"] if r["row_type"] in ("class", "group") else r["row_type"],
                    r["name"] if r["row_type"] != "unmapped" else "未归类 unmapped",
                    r["area"],
                )
                for r in bt.where()
                if r["row_type"] in BALANCE_PARTS
            ]
            merged: dict[str, list] = {}
            for code, name, area in segs:
                merged.setdefault(code, [code, name, 0.0])[2] += area
            plans.append((bt.title_zh.split("·")[-1], [tuple(v) for v in merged.values()]))
        content = '<div class="chart">' + structure_bars(plans, "用地结构对比 Land-use structure") + "</div>"
        for k in balances:
            content += (
                f"<h3>{esc(t[k].title_zh)} <span class=en>{esc(t[k].title_en)}</span></h3>"
                + table_html(t[k], skip_empty_classes=True)
            )
        add("balance", "用地平衡表", "Land-use balance tables", content)

    # 3 quota
    if "quota" in t:
        qt = t["quota"]
        content = (
            '<div class="chart">'
            + quota_gauge(
                s.get("construction") or 0.0,
                s.get("pending") or 0.0,
                s.get("quota"),
                "建设用地指标 Construction-land quota",
            )
            + "</div>"
            + table_html(qt)
        )
        add("quota", "建设用地指标核查", "Construction-land quota check", content)

    # 4 new construction
    if "new_construction" in t:
        nc = t["new_construction"]
        streets = [r for r in nc.where(current_class=None) if r["unit"] != DISTRICT]
        items = [(r["unit"], r["area"] / 1e4, "#e6853a") for r in streets]
        items.sort(key=lambda x: -x[1])
        content = (
            '<div class="chart">'
            + hbar_chart(items, "新增建设用地(按街道) New construction by street", "ha")
            + "</div>"
            + table_html(nc)
        )
        add("new", "新增建设用地", "New construction land vs 三调", content)

    # 5 review progress
    pk = t.get("progress_kind")
    if pk is not None:
        total = pk.where(kind="合计")
        content = ""
        if total and total[0]["patches"]:
            segs = [
                (STATUS_TITLES[st][0], total[0][f"status_{st}"], STATUS_COLOURS[st]) for st in STATUS_ORDER
            ]
            content += (
                '<div class="chart">'
                + donut(segs, "评审状态 Review status", f"{100 * (total[0]['share_decided'] or 0):.0f}%")
                + "</div>"
            )
        pdpt = t.get("progress_department")
        if pdpt is not None and len(pdpt):
            items = [(r["department"], float(r["patches"]), "#74a9cf") for r in pdpt.where()]
            items.sort(key=lambda x: -x[1])
            content += (
                '<div class="chart">'
                + hbar_chart(items, "各部门涉及图斑 Patches touched by department", "")
                + "</div>"
            )
        content += "<h3>按差异类型 <span class=en>by kind</span></h3>" + table_html(pk)
        if pdpt is not None:
            content += "<h3>按部门 <span class=en>by department</span></h3>" + table_html(pdpt)
        if "progress_department_kind" in t:
            content += "<h3>部门×类型 <span class=en>department × kind</span></h3>" + table_html(
                t["progress_department_kind"]
            )
        add("progress", "评审进度", "Review progress", content)

    # 6 control lines
    content = ""
    for key in ("lines", "line_adjustments", "line_run_statistics"):
        if key in t:
            content += (
                f"<h3>{esc(t[key].title_zh)} <span class=en>{esc(t[key].title_en)}</span></h3>"
                + table_html(t[key])
            )
    add("lines", "三条控制线", "Control lines", content)

    # 7 ledger (largest patches)
    lt = t.get("ledger")
    if lt is not None:
        content = table_html(_largest(lt, MAX_LEDGER_ROWS), max_rows=MAX_LEDGER_ROWS)
        if len(lt) > MAX_LEDGER_ROWS:
            content += (
                f'<ul class="notes"><li>面积最大的 {MAX_LEDGER_ROWS} 个图斑;完整台账见 XLSX — the '
                f"{MAX_LEDGER_ROWS} largest of {len(lt):,} patches; the full ledger is in the XLSX.</li></ul>"
            )
        add("ledger", "差异图斑台账", "Difference ledger", content)

    params = report.parameters
    head = (
        f"<header><h1>{esc(title)} <span class=en>Multi-Plan Integration report</span></h1>"
        f"<p>{''.join(esc(x) + ' · ' for x in (p.get('district'), p.get('crs')) if x)}"
        f"生成 generated {esc(report.generated_utc)} UTC"
        f" · 建设用地计数依据 flag counted: {esc(params.get('flag_text'))}</p></header>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(title)}</title>'
        f"<style>{CSS}</style></head><body>{head}<main><nav>{''.join(nav)}</nav>{''.join(parts)}</main>"
        f"<footer>{esc(p.get('path') or '')} · schema {esc(p.get('schema_version'))} · "
        "面积为工作坐标系平面面积,椭球面积为 CGCS2000 — "
        "areas planar in the working CRS, ellipsoidal on CGCS2000"
        "</footer></body></html>\n"
    )


def _severity_by_kind(ledger: ReportTable | None) -> dict[str, int]:
    if ledger is None or not len(ledger):
        return {}
    out: dict[str, int] = {}
    for k, sv in zip(ledger.column("kind"), ledger.column("severity")):
        if k and sv is not None:
            out[k] = max(out.get(k, 0), int(sv))
    return out


def _lianggui_by_street(ks: ReportTable):
    rows = [r for r in ks.where() if r["kind"] in ("LG_URBAN_CON", "LG_LAND_CON") and r["unit"] != DISTRICT]
    if not rows:
        return None
    streets = sorted({r["unit"] for r in rows})
    series = []
    for kind, name, colour in (
        ("LG_URBAN_CON", "城规建设、土规非建设", "#e6853a"),
        ("LG_LAND_CON", "土规建设、城规非建设", "#3c78c0"),
    ):
        vals = [sum(r["area"] for r in rows if r["kind"] == kind and r["unit"] == st) / 1e4 for st in streets]
        series.append((name, colour, vals))
    return streets, series


def _largest(t: ReportTable, n: int) -> ReportTable:
    """The ``n`` rows with the largest ``area_planar`` (the page's ledger extract)."""
    areas = t.column("area_planar")
    order = sorted(range(len(t)), key=lambda i: -(areas[i] or 0.0))[:n]
    data = {c.name: [t.data[c.name][i] for i in order] for c in t.columns}
    return ReportTable(t.key, t.title_zh, t.title_en, t.columns, data, list(t.notes), dict(t.extras))


def write_html(report: Report, path: str) -> int:
    """Write the page; returns its size in bytes."""
    text = render_html(report)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return len(text.encode("utf-8"))
