#!/usr/bin/env python3
"""The demo district: a synthetic ~900 km² district with four plans, 三调 and the three control lines.

    python3 dev/demo_district.py --parcels 20000 --out demo/plans [--dirt] [--seed 42] [--revision 0.05]

Every test, benchmark and the demo runner works on this district, so it is deterministic (a seed),
fast (vectorised shapely 2 / numpy: no Python loop over features except the OGR write) and honest:
the facts the tests check (两规 difference shares, farmland in the red line, …) are *measured* on the
generated geometry and written to ``manifest.json`` next to the layers; see ``docs/demo-district.md``.

How the district is built, and why this way:

1. A smooth, seeded *truth*: an urban core along the Yangtze, towns, villages, hills with forest,
   rivers, lakes, a reservoir, roads and a railway.  The truth is a partition into *units*: Voronoi
   blocks (denser where it is built up) cut by the linear and water features, so roads and water are
   crisp polygons, not jagged runs of cells.
2. Each plan sees the truth through its own smooth warp of a few metres (its own digitisation), so
   no two plans share a boundary and slivers appear along every edge; inside each unit it draws its
   own parcels (a Voronoi diagram per unit from its own seeds), so parcel boundaries are independent.
3. Scenario sets chosen on units make the planned differences: the urban plan expands construction
   on the fringe and at two remote industrial parks (城规建设/土规非建设); the land plan keeps villages
   the urban plan removes, plans a little new 211 of its own and counts the reservoir (226) as
   construction (土规建设/城规非建设).  Unit-level choices make the shares stable across seeds and sizes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

SCHEMA = "multiplan-demo-district/1"
GENERATOR_VERSION = "1"
EPSG_MAIN = 4548  # CGCS2000 / 3-degree Gauss-Kruger CM 117E (unprefixed)
EPSG_GEOGRAPHIC = 4490  # CGCS2000 geographic
EPSG_NEIGHBOUR = 4549  # CGCS2000 / 3-degree Gauss-Kruger CM 120E
# Local coordinates are metres around this EPSG:4548 point (118.25E 32.05N, west of Nanjing Pukou).
ORIGIN = (618000.0, 3548000.0)
DISTRICT_AREA_M2 = 900e6
# Written into every GeoPackage's timestamps so that the same seed gives byte-identical files.
FIXED_DATE = "2024-01-01T00:00:00.000Z"

# ---------------------------------------------------------------------------------------------
# Code tables (only the codes the generator writes; the plugin's full tables live in data/codes).
# ---------------------------------------------------------------------------------------------
GB50137_NAMES = {
    "R1": "一类居住用地",
    "R2": "二类居住用地",
    "A1": "行政办公用地",
    "A2": "文化设施用地",
    "A31": "高等院校用地",
    "A33": "中小学用地",
    "A4": "体育用地",
    "A5": "医疗卫生用地",
    "B1": "商业用地",
    "B2": "商务用地",
    "B3": "娱乐康体用地",
    "B14": "旅馆用地",
    "M1": "一类工业用地",
    "M2": "二类工业用地",
    "W1": "一类物流仓储用地",
    "S1": "城市道路用地",
    "S4": "交通场站用地",
    "U1": "供应设施用地",
    "U2": "环境设施用地",
    "G1": "公园绿地",
    "G2": "防护绿地",
    "G3": "广场用地",
    "H14": "村庄建设用地",
    "H21": "铁路用地",
    "H22": "公路用地",
    "H5": "采矿用地",
    "E1": "水域",
    "E11": "自然水域",
    "E12": "水库",
    "E13": "坑塘沟渠",
    "E2": "农林用地",
    "E9": "其他非建设用地",
}
TDT1024_NAMES = {
    "11": "耕地",
    "12": "园地",
    "13": "林地",
    "151": "设施农用地",
    "152": "农村道路",
    "153": "坑塘水面",
    "154": "农田水利用地",
    "155": "田坎",
    "211": "城镇用地",
    "212": "农村居民点用地",
    "213": "采矿用地",
    "214": "其他独立建设用地",
    "221": "铁路用地",
    "222": "公路用地",
    "226": "水库水面",
    "231": "风景名胜设施用地",
    "311": "河流水面",
    "312": "湖泊水面",
    "32": "自然保留地",
}
GBT21010_NAMES = {
    "0101": "水田",
    "0102": "水浇地",
    "0103": "旱地",
    "0201": "果园",
    "0201K": "可调整果园",
    "0204": "其他园地",
    "0301": "乔木林地",
    "0301K": "可调整乔木林地",
    "0302": "竹林地",
    "0305": "灌木林地",
    "0307": "其他林地",
    "0404": "其他草地",
    "05H1": "商业服务业设施用地",
    "0508": "物流仓储用地",
    "0601": "工业用地",
    "0602": "采矿用地",
    "0701": "城镇住宅用地",
    "0702": "农村宅基地",
    "08H1": "机关团体新闻出版用地",
    "08H2": "科教文卫用地",
    "08H2A": "高教用地",
    "0809": "公用设施用地",
    "0810": "公园与绿地",
    "0810A": "广场用地",
    "0906": "风景名胜设施用地",
    "1001": "铁路用地",
    "1003": "公路用地",
    "1004": "城镇村道路用地",
    "1006": "农村道路",
    "1101": "河流水面",
    "1102": "湖泊水面",
    "1103": "水库水面",
    "1104": "坑塘水面",
    "1104A": "养殖坑塘",
    "1107": "沟渠",
    "1107A": "干渠",
    "1202": "设施农用地",
    "1203": "田坎",
    "1206": "裸土地",
}
# Local codes the dirt introduces: unknown to the national standards, on purpose.
UNKNOWN_CODES = {"urban_plan": ("R5", "商住混合用地"), "land_plan": ("219", "其他建设用地(地方)")}


def gb50137_construction(code: str) -> bool:
    """GB 50137-2011: H and the 城市建设用地 letters are construction, E is not (DOMAIN.md §2)."""
    return code[:1] in "HRABMWSUG"


def tdt1024_construction(code: str) -> bool:
    """TD/T 1024-2010: 2xx is construction (226 水库水面 included)."""
    return code.startswith("2")


def gbt21010_construction(code: str) -> bool:
    """GB/T 21010-2017 legal 三大类: 建设用地 (1006 农村道路, 1202, 1203 and water are not)."""
    base = code.rstrip("AK") if code not in ("05H1", "08H1", "08H2", "08H2A") else code
    if base[:2] in ("05", "06", "07", "08", "09"):
        return True
    if base[:2] == "10":
        return base != "1006"
    return base in ("1109", "1201")


# ---------------------------------------------------------------------------------------------
# Truth classes: key -> (用地用海 2023 code, name, planning construction flag)
# and what each plan writes for it (weighted code choices per parcel).
# ---------------------------------------------------------------------------------------------
TRUTH = {
    "res": ("0701", "城镇住宅用地", 1),
    "com": ("0901", "商业用地", 1),
    "ind": ("1001", "工业用地", 1),
    "pub": ("08", "公共管理与公共服务用地", 1),
    "green": ("1401", "公园绿地", 1),
    "uroad": ("1207", "城镇村道路用地", 1),
    "village": ("0703", "农村宅基地", 1),
    "hwy": ("1202", "公路用地", 1),
    "rail": ("1201", "铁路用地", 1),
    "mine": ("1002", "采矿用地", 1),
    "resort": ("0903", "娱乐用地", 1),
    "farm": ("01", "耕地", 0),
    "orchard": ("0201", "果园", 0),
    "forest": ("0301", "乔木林地", 0),
    "pond": ("1704", "坑塘水面", 0),
    "facility": ("0602", "设施农用地", 1),
    "bare": ("2306", "裸土地", 0),
    "river": ("1701", "河流水面", 0),
    "lake": ("1702", "湖泊水面", 0),
    "reservoir": ("1703", "水库水面", 0),
}
CLASS_KEYS = list(TRUTH)
CLS = {k: i for i, k in enumerate(CLASS_KEYS)}
URBAN_KEYS = ("res", "com", "ind", "pub", "green", "uroad")
CARVED_KEYS = ("uroad", "hwy", "rail", "river", "lake", "reservoir")

URBAN_CHOICES = {
    "res": [("R2", 74), ("R1", 4), ("A33", 8), ("G1", 7), ("B1", 5), ("S4", 2)],
    "com": [("B1", 50), ("B2", 30), ("B3", 5), ("R2", 10), ("G3", 5)],
    "ind": [("M1", 45), ("M2", 30), ("W1", 15), ("U2", 4), ("G2", 6)],
    "pub": [("A1", 15), ("A2", 10), ("A33", 25), ("A31", 10), ("A5", 15), ("A4", 10), ("U1", 5), ("G1", 10)],
    "green": [("G1", 75), ("G2", 15), ("G3", 10)],
    "uroad": [("S1", 1)],
    "village": [("H14", 1)],
    "hwy": [("H22", 1)],
    "rail": [("H21", 1)],
    "mine": [("H5", 1)],
    "resort": [("B3", 60), ("B14", 40)],
    "farm": [("E2", 1)],
    "orchard": [("E2", 1)],
    "forest": [("E2", 1)],
    "pond": [("E13", 1)],
    "facility": [("E2", 1)],
    "bare": [("E9", 1)],
    "river": [("E11", 1)],
    "lake": [("E1", 1)],
    "reservoir": [("E12", 1)],
    # scenario families
    "expand": [("R2", 55), ("A33", 6), ("B1", 10), ("M1", 14), ("G1", 10), ("S4", 5)],
    "park": [("M1", 50), ("M2", 30), ("W1", 15), ("G2", 5)],
    "removed": [("E2", 1)],
}
LAND_CHOICES = {
    "res": [("211", 1)],
    "com": [("211", 1)],
    "ind": [("211", 1)],
    "pub": [("211", 1)],
    "green": [("211", 1)],
    "uroad": [("211", 1)],
    "village": [("212", 1)],
    "hwy": [("222", 1)],
    "rail": [("221", 1)],
    "mine": [("213", 1)],
    "resort": [("231", 1)],
    "farm": [("11", 86), ("153", 4), ("152", 4), ("154", 3), ("155", 3)],
    "orchard": [("12", 1)],
    "forest": [("13", 95), ("12", 5)],
    "pond": [("153", 1)],
    "facility": [("151", 1)],
    "bare": [("32", 1)],
    "river": [("311", 1)],
    "lake": [("312", 1)],
    "reservoir": [("226", 1)],
    "landnew": [("211", 80), ("214", 20)],
}
SANDIAO_CHOICES = {
    "res": [("0701", 82), ("05H1", 6), ("0810", 5), ("1004", 7)],
    "com": [("05H1", 70), ("0701", 15), ("1004", 10), ("0810A", 5)],
    "ind": [("0601", 75), ("0508", 15), ("1004", 6), ("0809", 4)],
    "pub": [("08H1", 30), ("08H2", 35), ("08H2A", 5), ("0810", 10), ("0810A", 5), ("1004", 15)],
    "green": [("0810", 70), ("0810A", 20), ("1004", 10)],
    "uroad": [("1004", 1)],
    "village": [("0702", 90), ("1004", 10)],
    "hwy": [("1003", 1)],
    "rail": [("1001", 1)],
    "mine": [("0602", 1)],
    "resort": [("0906", 1)],
    "farm": [
        ("0101", 45),
        ("0102", 8),
        ("0103", 32),
        ("1006", 5),
        ("1107", 3),
        ("1107A", 1),
        ("1104", 2),
        ("1104A", 1),
        ("1203", 2),
        ("1202", 1),
    ],
    "orchard": [("0201", 80), ("0201K", 10), ("0204", 10)],
    "forest": [("0301", 70), ("0305", 12), ("0307", 10), ("0301K", 5), ("0302", 3)],
    "pond": [("1104", 60), ("1104A", 40)],
    "facility": [("1202", 1)],
    "bare": [("1206", 70), ("0404", 30)],
    "river": [("1101", 1)],
    "lake": [("1102", 1)],
    "reservoir": [("1103", 1)],
}
FARMLAND_CODES = ("0101", "0102", "0103")

STREETS = [  # name, 12-digit code; names borrowed from Pukou for realism, geometry synthetic
    ("江浦街道", "320111001000"),
    ("顶山街道", "320111002000"),
    ("泰山街道", "320111003000"),
    ("沿江街道", "320111004000"),
    ("盘城街道", "320111005000"),
    ("桥林街道", "320111006000"),
    ("汤泉街道", "320111007000"),
    ("星甸街道", "320111008000"),
    ("永宁街道", "320111009000"),
]
ZONE_TYPES = ("优化开发区域", "重点开发区域", "限制开发区域", "禁止开发区域")
ECO_LEVELS = ("一级管控区", "二级管控区")

# Which layer each kind of dirt lands on (documented in docs/demo-district.md).
DIRT_KINDS = {
    "invalid_rings": "urban_plan",
    "null_codes": ("urban_plan", "land_plan"),
    "unknown_codes": ("urban_plan", "land_plan"),
    "gaps_overlaps": "land_plan",
    "gbk_cpg": "eco_plan",
    "gbk_nocpg": "development_plan",
    "crs_4490": "redline",
    "crs_4549": "land_plan",
}

# Plan layers: name -> (file stem, standard, id field, code field, name field, area field, id prefix)
PLAN_SPECS = {
    "urban_plan": ("GB50137-2011", "DKBH", "YDDM", "YDMC", "YDMJ", "CG"),
    "land_plan": ("TDT1024-2010", "TBBH", "GHDLBM", "GHDLMC", "GHDLMJ", "TG"),
    "current_landuse": ("GBT21010-2017", "TBBH", "DLBM", "DLMC", "TBMJ", "DL"),
}
STANDARD_NAMES = {
    "GB50137-2011": GB50137_NAMES,
    "TDT1024-2010": TDT1024_NAMES,
    "GBT21010-2017": GBT21010_NAMES,
}
CONSTRUCTION_RULES = {
    "GB50137-2011": gb50137_construction,
    "TDT1024-2010": tdt1024_construction,
    "GBT21010-2017": gbt21010_construction,
}


# ---------------------------------------------------------------------------------------------
# Small vectorised helpers
# ---------------------------------------------------------------------------------------------
def _rng(seed: int, name: str) -> np.random.Generator:
    """An independent stream per component, so switching dirt on never moves a parcel."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode())])


def _choose(rng: np.random.Generator, choices: list[tuple[str, int]], size: int) -> np.ndarray:
    codes = np.array([c for c, _ in choices], dtype=object)
    w = np.array([float(p) for _, p in choices])
    return codes[rng.choice(len(codes), size=size, p=w / w.sum())]


def _gauss(x, y, centers: np.ndarray) -> np.ndarray:
    """max over anisotropic Gaussians; rows of ``centers``: cx, cy, sx, sy, angle, height."""
    out = np.zeros(len(x))
    for cx, cy, sx, sy, ang, h in centers:  # a handful to ~200 bumps, each vectorised over points
        dx, dy = x - cx, y - cy
        c, s = math.cos(ang), math.sin(ang)
        u, v = (dx * c + dy * s) / sx, (-dx * s + dy * c) / sy
        np.maximum(out, h * np.exp(-0.5 * (u * u + v * v)), out=out)
    return out


def _waves(x, y, comps: np.ndarray) -> np.ndarray:
    """Sum of plane waves (kx, ky, phase, amplitude): a smooth seeded noise field."""
    out = np.zeros(len(x))
    for kx, ky, ph, amp in comps:
        out += amp * np.sin(kx * x + ky * y + ph)
    return out


def _wave_comps(rng, n, lam_min, lam_max, amp) -> np.ndarray:
    lam = rng.uniform(lam_min, lam_max, n)
    ang = rng.uniform(0, 2 * math.pi, n)
    k = 2 * math.pi / lam
    return np.c_[
        k * np.cos(ang), k * np.sin(ang), rng.uniform(0, 2 * math.pi, n), np.full(n, amp / math.sqrt(n))
    ]


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal part of overlay results (drop stray lines/points of GeometryCollections)."""
    geoms = np.asarray(geoms, dtype=object)
    gc = np.flatnonzero(shapely.get_type_id(geoms) == 7)
    if len(gc) == 0:
        return geoms
    parts, idx = shapely.get_parts(geoms[gc], return_index=True)
    sub, sidx = shapely.get_parts(parts, return_index=True)  # members may be multi: flatten again
    owner = idx[sidx]
    keep = shapely.get_type_id(sub) == 3
    sub, owner = sub[keep], owner[keep]
    rebuilt = np.array([shapely.from_wkt("POLYGON EMPTY") for _ in range(len(gc))], dtype=object)
    if len(sub):
        u = np.unique(owner)
        rebuilt[u] = shapely.multipolygons(sub, indices=np.searchsorted(u, owner))
    geoms = geoms.copy()
    geoms[gc] = rebuilt
    return geoms


def _explode(geoms: np.ndarray):
    """Polygon parts and the index of the geometry each came from."""
    parts, idx = shapely.get_parts(_polygonal(geoms), return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
    return parts[keep], idx[keep]


def _to_multi(geoms: np.ndarray) -> np.ndarray:
    """Every polygonal geometry as a MultiPolygon (the written layers are MultiPolygon)."""
    geoms = np.asarray(geoms, dtype=object).copy()
    single = shapely.get_type_id(geoms) == 3
    if single.any():
        idx = np.flatnonzero(single)
        geoms[idx] = shapely.multipolygons(geoms[idx], indices=np.arange(len(idx)))
    return geoms


def _chop(geom, max_vertices: int = 1500) -> list:
    """Split one big polygon into rectangular pieces of at most ``max_vertices`` (quadtree).

    Overlaying thousands of small parcels with one huge polygon costs O(vertices) per pair;
    the pieces keep each pair small.  The loop runs over pieces of one geometry, not features.
    """
    out, stack = [], [geom]
    while stack:
        g = stack.pop()
        if g.is_empty:
            continue
        if shapely.get_num_coordinates(g) <= max_vertices:
            out.append(g)
            continue
        x0, y0, x1, y1 = g.bounds
        if x1 - x0 >= y1 - y0:
            xm = (x0 + x1) / 2
            stack += [shapely.clip_by_rect(g, x0, y0, xm, y1), shapely.clip_by_rect(g, xm, y0, x1, y1)]
        else:
            ym = (y0 + y1) / 2
            stack += [shapely.clip_by_rect(g, x0, y0, x1, ym), shapely.clip_by_rect(g, x0, ym, x1, y1)]
    return out


def _chopped(geoms):
    """Chop every big geometry of an array; returns pieces and the index of their source."""
    geoms = np.asarray(geoms, dtype=object)
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    big = ok & (shapely.get_num_coordinates(geoms) > 1500)
    small = np.flatnonzero(ok & ~big)
    pieces, src = [geoms[small]], [small]
    for i in np.flatnonzero(big):  # the few big ones only
        ch = _chop(geoms[i])
        pieces.append(np.array(ch, dtype=object))
        src.append(np.full(len(ch), i, dtype=np.int64))
    return np.concatenate(pieces), np.concatenate(src).astype(np.int64)


def overlap_area(a: np.ndarray, b: np.ndarray, *, by_a: bool = False):
    """Area of (∪a) ∩ (∪b) for two sets whose members do not overlap among themselves.

    With ``by_a`` the area is returned per member of ``a`` instead.  Big members are chopped
    first, so one huge boundary polygon costs no more than its pieces; pairs where one side holds
    the other whole need no overlay.
    """
    a = np.asarray(a, dtype=object)
    pb, _ = _chopped(b)
    if len(a) == 0 or len(pb) == 0:
        return np.zeros(len(a)) if by_a else 0.0
    pa, sa = _chopped(a)
    tree = shapely.STRtree(pb)
    ia, ib = tree.query(pa, predicate="intersects")
    shapely.prepare(pb)
    shapely.prepare(pa)
    areas = np.zeros(len(ia))
    a_in_b = shapely.contains_properly(pb[ib], pa[ia])
    areas[a_in_b] = shapely.area(pa[ia[a_in_b]])
    rest = np.flatnonzero(~a_in_b)
    b_in_a = shapely.contains_properly(pa[ia[rest]], pb[ib[rest]])
    areas[rest[b_in_a]] = shapely.area(pb[ib[rest[b_in_a]]])
    rest = rest[~b_in_a]
    areas[rest] = shapely.area(shapely.intersection(pa[ia[rest]], pb[ib[rest]]))
    if by_a:
        return np.bincount(sa[ia], weights=areas, minlength=len(a))
    return float(areas.sum())


def _sample_in(rng, polys: np.ndarray, counts: np.ndarray, rounds: int = 6):
    """``counts[i]`` random points inside ``polys[i]`` (rejection in the bbox, vectorised per round)."""
    b = shapely.bounds(polys)
    need = counts.astype(np.int64).copy()
    xs, ys, owner = [], [], []
    for r in range(rounds):
        todo = np.flatnonzero(need > 0)
        if len(todo) == 0:
            break
        over = 3 if r == 0 else 12
        k = need[todo] * over + 4
        own = np.repeat(todo, k)
        x = rng.uniform(b[own, 0], b[own, 2])
        y = rng.uniform(b[own, 1], b[own, 3])
        ok = shapely.contains_xy(polys[own], x, y)
        own, x, y = own[ok], x[ok], y[ok]
        order = np.argsort(own, kind="stable")
        own, x, y = own[order], x[order], y[order]
        start = np.searchsorted(own, np.arange(len(polys)))
        rank = np.arange(len(own)) - start[own]
        take = rank < need[own]
        own, x, y = own[take], x[take], y[take]
        need -= np.bincount(own, minlength=len(polys))
        xs.append(x)
        ys.append(y)
        owner.append(own)
    x = np.concatenate(xs) if xs else np.zeros(0)
    y = np.concatenate(ys) if ys else np.zeros(0)
    own = np.concatenate(owner) if owner else np.zeros(0, np.int64)
    # Thin slivers where rejection failed get one point on their surface (never none).
    empty = np.flatnonzero((np.bincount(own, minlength=len(polys)) == 0) & (counts > 0))
    if len(empty):
        p = shapely.get_coordinates(shapely.point_on_surface(polys[empty]))
        x, y, own = np.r_[x, p[:, 0]], np.r_[y, p[:, 1]], np.r_[own, empty]
    order = np.argsort(own, kind="stable")
    return x[order], y[order], own[order]


def _voronoi_in_units(units: np.ndarray, x, y, owner):
    """Parcels: a Voronoi diagram per unit from that unit's seeds, clipped to the unit.

    ``shapely.voronoi_polygons`` is vectorised over an array of multipoints, so all units are done
    in one C loop (no ``ordered=True``: that needs GEOS 3.12).  Units with one seed are one parcel.
    """
    counts = np.bincount(owner, minlength=len(units))
    multi = counts >= 2
    single_units = np.flatnonzero(counts == 1)
    sel = multi[owner]
    mp_units = np.flatnonzero(multi)
    mps = shapely.multipoints(np.c_[x[sel], y[sel]], indices=np.searchsorted(mp_units, owner[sel]))
    vor = shapely.voronoi_polygons(mps, extend_to=units[mp_units])
    cells, idx = shapely.get_parts(vor, return_index=True)
    cell_unit = mp_units[idx]
    clipped = _polygonal(shapely.intersection(cells, units[cell_unit]))
    geoms = np.concatenate([clipped, units[single_units]])
    unit_of = np.concatenate([cell_unit, single_units])
    order = np.argsort(unit_of, kind="stable")
    geoms, unit_of = geoms[order], unit_of[order]
    ok = ~shapely.is_empty(geoms) & (shapely.area(geoms) > 0)
    return geoms[ok], unit_of[ok]


# ---------------------------------------------------------------------------------------------
# The world (the truth)
# ---------------------------------------------------------------------------------------------
@dataclass
class World:
    seed: int
    n: int
    district: object = None
    rot: float = 0.0
    A: float = 0.0
    B: float = 0.0
    hills: np.ndarray = None
    core: np.ndarray = None
    towns: np.ndarray = None
    villages: np.ndarray = None
    industry: np.ndarray = None
    parks: np.ndarray = None
    mines: np.ndarray = None
    resorts: np.ndarray = None
    noise: np.ndarray = None
    street_seeds: np.ndarray = None
    carved: dict = field(default_factory=dict)  # class -> list of (polygon, feature name)
    units: np.ndarray = None
    unit_cls: np.ndarray = None
    unit_name: np.ndarray = None
    unit_block: np.ndarray = None
    unit_rep: np.ndarray = None
    unit_area: np.ndarray = None
    unit_elev: np.ndarray = None
    unit_u: np.ndarray = None
    unit_street: np.ndarray = None
    unit_carved: np.ndarray = None
    unit_park: np.ndarray = None
    streets: np.ndarray = None
    times: dict = field(default_factory=dict)

    # frame: u along the long (NE-SW) axis, v across (towards NW)
    def to_xy(self, u, v):
        c, s = math.cos(self.rot), math.sin(self.rot)
        return u * c - v * s, u * s + v * c

    def to_uv(self, x, y):
        c, s = math.cos(self.rot), math.sin(self.rot)
        return x * c + y * s, -x * s + y * c

    def river_v(self, u):
        """The Yangtze's mid-line (district boundary) in the v coordinate."""
        return -0.62 * self.B + 0.045 * self.B * np.sin(2 * math.pi * u / (1.3 * self.A) + 0.7)

    def urban(self, x, y):
        base = np.maximum(_gauss(x, y, self.core), _gauss(x, y, self.towns))
        return base + _waves(x, y, self.noise)

    def village(self, x, y):
        return _gauss(x, y, self.villages)

    def elevation(self, x, y):
        return _gauss(x, y, self.hills)


def _district(rng, w: World):
    """A lobed ellipse whose south-east side is the Yangtze's mid-line, scaled to 900 km²."""
    w.rot = math.radians(35.0)
    w.A, w.B = 1.0, 1.0 / 1.7
    th = np.linspace(0, 2 * math.pi, 720, endpoint=False)
    r = np.ones_like(th)
    for k in range(2, 6):
        r += rng.uniform(0.02, 0.05) * np.cos(k * th + rng.uniform(0, 2 * math.pi))
    u0, v0 = r * np.cos(th), r * w.B * np.sin(th)
    uu = np.linspace(-1.6, 1.6, 400)

    def build(scale):
        w.A, w.B = scale, scale / 1.7
        star = shapely.Polygon(np.c_[w.to_xy(u0 * scale, v0 * scale)])
        vr = w.river_v(uu * scale)
        land = shapely.Polygon(
            np.r_[np.c_[w.to_xy(uu * scale, vr)], np.c_[w.to_xy(uu[::-1] * scale, np.full(400, 3 * scale))]]
        )
        return shapely.intersection(star, land)

    d = build(1.0)
    scale = math.sqrt(DISTRICT_AREA_M2 / d.area)
    d = build(scale)
    for _ in range(3):  # the river cut is not exactly scale-invariant; converge on 900 km²
        scale *= math.sqrt(DISTRICT_AREA_M2 / d.area)
        d = build(scale)
    w.district = shapely.normalize(d)
    shapely.prepare(w.district)


def _inside(w: World, rng, n, *, away=None, min_dist=0.0, cond=None, tries=20000):
    """``n`` random points inside the district, optionally spaced and filtered (few points only)."""
    x0, y0, x1, y1 = w.district.bounds
    x = rng.uniform(x0, x1, tries)
    y = rng.uniform(y0, y1, tries)
    ok = shapely.contains_xy(w.district, x, y)
    if cond is not None:
        ok &= cond(x, y)
    x, y = x[ok], y[ok]
    chosen: list[tuple[float, float]] = list(away) if away is not None else []
    pre = len(chosen)
    for xi, yi in zip(x, y):  # greedy spacing over candidate points (n is at most a few hundred)
        if len(chosen) - pre >= n:
            break
        if min_dist and chosen:
            c = np.asarray(chosen)
            if np.min(np.hypot(c[:, 0] - xi, c[:, 1] - yi)) < min_dist:
                continue
        chosen.append((float(xi), float(yi)))
    return np.asarray(chosen[pre:])


def _features(rng, w: World):
    """Hills, core, towns, villages, parks, mines, resorts, water and roads."""
    from shapely import affinity

    A, B = w.A, w.B
    # hills: the 老山 ridge across the middle plus two smaller hills to the north-west
    hu = [
        (-0.05 * A, 0.22 * B, 0.38 * A, 0.11 * B, 1.0),
        (0.45 * A, 0.55 * B, 0.12 * A, 0.1 * B, 0.75),
        (-0.55 * A, 0.5 * B, 0.1 * A, 0.09 * B, 0.7),
    ]
    hills = []
    for u, v, su, sv, h in hu:
        x, y = w.to_xy(u + rng.normal(0, 0.02 * A), v + rng.normal(0, 0.02 * B))
        hills.append((x, y, su, sv, w.rot + rng.normal(0, 0.1), h))
    w.hills = np.array(hills)
    # the urban core along the river, south of the ridge
    cu = -0.25 * A + rng.normal(0, 0.03 * A)
    cx, cy = w.to_xy(cu, float(w.river_v(np.array([cu]))[0]) + 0.26 * B)
    w.core = np.array([(cx, cy, 0.27 * A, 0.17 * B, w.rot, 1.0)])
    w.noise = _wave_comps(rng, 9, 1500, 4500, 0.12)

    def low(x, y):
        return (w.elevation(x, y) < 0.25) & (_gauss(x, y, w.core) < 0.2)

    towns = _inside(w, rng, 5, away=[(cx, cy)], min_dist=0.28 * A, cond=low)
    w.towns = np.array(
        [
            (tx, ty, s, s * rng.uniform(0.7, 1.0), rng.uniform(0, math.pi), 1.0)
            for (tx, ty), s in zip(towns, rng.uniform(1000, 1500, len(towns)))
        ]
    )
    # street seeds: four around the core, one per town
    ang = w.rot + np.array([0, math.pi / 2, math.pi, 3 * math.pi / 2]) + 0.3
    cs = np.c_[cx + 0.16 * A * np.cos(ang), cy + 0.1 * A * np.sin(ang)]
    w.street_seeds = np.r_[cs, towns]

    def rural(x, y):
        return (w.elevation(x, y) < 0.35) & (w.urban(x, y) < 0.2)

    vill = _inside(w, rng, 160, away=np.r_[[(cx, cy)], towns].tolist(), min_dist=900, cond=rural)
    w.villages = np.array(
        [(vx, vy, s, s, 0.0, 1.0) for (vx, vy), s in zip(vill, rng.uniform(140, 260, len(vill)))]
    )
    # industry inside the urban area: a port zone on the river and one zone per two towns
    pu = cu + 0.18 * A
    px, py = w.to_xy(pu, float(w.river_v(np.array([pu]))[0]) + 0.1 * B)
    ind = [(px, py, 2200, 1200, w.rot, 1.0)] + [
        (t[0] + 900, t[1] - 600, 700, 600, 0.0, 1.0) for t in w.towns[::2]
    ]
    w.industry = np.array(ind)

    def remote(x, y):
        return (w.elevation(x, y) < 0.2) & (w.urban(x, y) < 0.1) & (w.village(x, y) < 0.2)

    parks = _inside(w, rng, 2, away=np.r_[[(cx, cy)], towns].tolist(), min_dist=6000, cond=remote, tries=5000)
    w.parks = np.array([(x, y, 900, 700, rng.uniform(0, math.pi), 1.0) for x, y in parks])

    def hill(x, y):
        e = w.elevation(x, y)
        return (e > 0.45) & (e < 0.75)

    w.mines = np.array([(x, y, 250, 200, 0.0, 1.0) for x, y in _inside(w, rng, 2, cond=hill, min_dist=3000)])
    w.resorts = np.array(
        [(x, y, 200, 160, 0.0, 1.0) for x, y in _inside(w, rng, 3, cond=hill, min_dist=2000)]
    )

    # ---- water ----
    uu = np.linspace(-1.6 * A, 1.6 * A, 800)
    vr = w.river_v(uu)
    strip = shapely.Polygon(np.r_[np.c_[w.to_xy(uu, vr - 10)], np.c_[w.to_xy(uu[::-1], vr[::-1] + 900)]])
    water = {"river": [(shapely.intersection(strip, w.district), "长江")]}
    # 滁河: from the north-west edge down to the Yangtze, meandering
    tu = 0.3 * A + rng.normal(0, 0.03 * A)
    vv = np.linspace(1.3 * B, -0.7 * B, 400)
    mu = tu + 0.04 * A * np.sin(vv / (0.13 * B) + rng.uniform(0, 6)) + 0.15 * (vv - 0.3 * B)
    chuhe = shapely.LineString(np.c_[w.to_xy(mu, vv)]).buffer(75, quad_segs=4)
    water["river"].append((shapely.intersection(chuhe, w.district), "滁河"))

    def open_land(x, y):
        return (w.elevation(x, y) < 0.3) & (w.urban(x, y) < 0.3) & (w.village(x, y) < 0.1)

    lakes = []
    for (lx, ly), nm in zip(
        _inside(w, rng, 3, cond=open_land, min_dist=5000, tries=5000), ("象山湖", "龙池湖", "永宁湖")
    ):
        e = affinity.scale(
            shapely.Point(lx, ly).buffer(1.0, quad_segs=16), rng.uniform(650, 1100), rng.uniform(300, 600)
        )
        lakes.append((shapely.intersection(affinity.rotate(e, rng.uniform(0, 180)), w.district), nm))
    water["lake"] = lakes
    # the reservoir on the ridge's flank
    hx, hy = w.hills[0, 0], w.hills[0, 1]
    ru = rng.uniform(-0.15, 0.15) * A
    rx, ry = w.to_xy(w.to_uv(hx, hy)[0] + ru, w.to_uv(hx, hy)[1] + 0.75 * w.hills[0, 3])
    res = affinity.rotate(
        affinity.scale(shapely.Point(rx, ry).buffer(1.0, quad_segs=16), 900, 420), math.degrees(w.rot)
    )
    water["reservoir"] = [(shapely.intersection(res, w.district), "石佛水库")]

    # ---- roads ----
    def line_uv(us, vs):
        return shapely.LineString(np.c_[w.to_xy(np.asarray(us), np.asarray(vs))])

    roads = []  # (line, width, kind, name)
    t = np.linspace(-1.4, 1.4, 60)
    roads.append((line_uv(t * A, 0.62 * B + 0.05 * B * np.sin(3 * t)), 50, "hwy", "宁合高速"))
    roads.append((line_uv(0.08 * A + 0.06 * A * np.sin(2 * t), t * B), 50, "hwy", "江北大道"))
    roads.append((line_uv(t * A, -0.1 * B + 0.6 * t * B + 0.03 * B * np.sin(4 * t)), 45, "hwy", "浦乌公路"))
    rails = [(line_uv(t * A, 0.42 * B + 0.04 * B * np.sin(2 * t + 1)), 30, "rail", "宁西铁路")]
    for tx, ty, *_ in w.towns:  # radial roads from the core to each town
        roads.append((shapely.LineString([(cx, cy), (tx, ty)]), 40, "road", "城镇连接道路"))
    if w.n >= 20000:  # an arterial grid in the core (only where parcels are small enough to show it)
        step = 900 if w.n < 100000 else 600
        cu_, cv_ = w.to_uv(cx, cy)
        for k in np.arange(-0.35 * A, 0.35 * A, step):
            roads.append(
                (line_uv([cu_ + k, cu_ + k], [cv_ - 0.25 * B, cv_ + 0.25 * B]), 30, "road", "城市主干道")
            )
        for k in np.arange(-0.22 * B, 0.22 * B, step):
            roads.append(
                (line_uv([cu_ - 0.4 * A, cu_ + 0.4 * A], [cv_ + k, cv_ + k]), 30, "road", "城市主干道")
            )
        core_area = shapely.Polygon(
            np.c_[
                w.to_xy(
                    cu_ + 0.33 * A * np.cos(np.linspace(0, 6.28, 90)),
                    cv_ + 0.21 * B * np.sin(np.linspace(0, 6.28, 90)),
                )
            ]
        )
        roads = [
            (shapely.intersection(ln, core_area) if nm == "城市主干道" else ln, wd, k, nm)
            for ln, wd, k, nm in roads
        ]
    rail_poly = shapely.intersection(
        shapely.union_all([ln.buffer(wd / 2, quad_segs=2) for ln, wd, *_ in rails]), w.district
    )
    road_poly = shapely.union_all(
        [ln.buffer(wd / 2, quad_segs=2, cap_style="flat") for ln, wd, *_ in roads if not ln.is_empty]
    )
    road_poly = shapely.difference(shapely.intersection(road_poly, w.district), rail_poly)
    taken = shapely.union_all([rail_poly, road_poly])
    carved = {"rail": [(rail_poly, "宁西铁路")], "road": [(road_poly, "")]}
    for key in ("reservoir", "lake", "river"):
        items = []
        for g, nm in water[key]:
            g = shapely.difference(g, taken)
            taken = shapely.union_all([taken, g])
            items.append((g, nm))
        carved[key] = items
    w.carved = carved


def _units(rng, w: World):
    """The truth partition: Voronoi blocks, noded with the carved features and polygonized."""
    t0 = time.perf_counter()
    nb = int(np.clip(w.n // 8, 120, 150000))
    x0, y0, x1, y1 = w.district.bounds
    xs, ys = [], []
    got = 0
    while got < nb:
        m = 4 * nb
        x = rng.uniform(x0, x1, m)
        y = rng.uniform(y0, y1, m)
        ok = shapely.contains_xy(w.district, x, y)
        x, y = x[ok], y[ok]
        dens = 0.35 + 2.5 * np.clip(w.urban(x, y), 0, 1) + 2.5 * w.village(x, y) - 0.15 * w.elevation(x, y)
        keep = rng.uniform(0, 3.5, len(x)) < dens
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    x = np.concatenate(xs)[:nb]
    y = np.concatenate(ys)[:nb]
    extra = np.r_[w.villages[:, :2], w.towns[:, :2], w.core[:, :2], w.mines[:, :2], w.resorts[:, :2]]
    x, y = np.r_[x, extra[:, 0]], np.r_[y, extra[:, 1]]
    vor = shapely.voronoi_polygons(shapely.multipoints(np.c_[x, y]), extend_to=w.district)
    blocks = shapely.intersection(shapely.get_parts(vor), w.district)
    blocks, _ = _explode(blocks)
    # carved features, each a list of (polygon, name, class)
    carved_geoms, carved_cls, carved_name = [], [], []
    for key, items in w.carved.items():
        for g, nm in items:
            for p in shapely.get_parts(_polygonal(np.array([g], dtype=object))):
                if p.is_empty or p.area <= 0:
                    continue
                carved_geoms.append(p)
                carved_cls.append(key)
                carved_name.append(nm)
    carved_geoms = np.array(carved_geoms, dtype=object)
    cpieces, csrc = _chopped(carved_geoms)
    tree = shapely.STRtree(blocks)
    touched = np.unique(tree.query(cpieces, predicate="intersects")[1])
    lines = np.concatenate([shapely.boundary(blocks[touched]), shapely.boundary(carved_geoms)])
    noded = shapely.union_all(lines)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.area(faces) > 0]
    # rings of touched blocks also close around untouched blocks they enclose: drop those faces
    rep = shapely.point_on_surface(faces)
    in_touched = np.zeros(len(faces), bool)
    in_touched[shapely.STRtree(blocks[touched]).query(rep, predicate="intersects")[0]] = True
    faces, rep = faces[in_touched], rep[in_touched]
    # which carved feature, which block
    ctree = shapely.STRtree(cpieces)
    fi, ci = ctree.query(rep, predicate="intersects")
    face_c = np.full(len(faces), -1)
    face_c[fi] = csrc[ci]
    untouched = np.setdiff1d(np.arange(len(blocks)), touched)
    units = np.concatenate([blocks[untouched], faces])
    is_carved = np.r_[np.full(len(untouched), -1), face_c]
    rep = shapely.point_on_surface(units)
    bi_rep, bi_blk = tree.query(rep, predicate="intersects")
    block = np.full(len(units), -1)
    block[bi_rep[::-1]] = bi_blk[::-1]  # first match wins
    pts = shapely.get_coordinates(rep)
    px, py = pts[:, 0], pts[:, 1]
    U = w.urban(px, py)
    V = w.village(px, py)
    E = w.elevation(px, py)
    ind = _gauss(px, py, w.industry)
    mine = _gauss(px, py, w.mines)
    resort = _gauss(px, py, w.resorts)
    cls = np.full(len(units), CLS["farm"])
    # farm detail: ponds, facilities, bare ground, seeded per block so neighbours agree
    brng = rng.uniform(0, 1, len(blocks) + 1)[block]
    brng[shapely.area(units) > 0.25e6] = 1.0  # ponds and facilities are small: never a whole big block
    cls[brng < 0.035] = CLS["pond"]
    cls[(brng >= 0.035) & (brng < 0.05)] = CLS["facility"]
    cls[(brng >= 0.05) & (brng < 0.057)] = CLS["bare"]
    cls[E > 0.32] = CLS["orchard"]
    cls[E > 0.42] = CLS["forest"]
    cls[V > 0.5] = CLS["village"]
    urban = U > 0.5
    sub = rng.uniform(0, 1, len(blocks) + 1)[block]
    ucls = np.where(
        sub < 0.68,
        CLS["res"],
        np.where(sub < 0.80, CLS["pub"], np.where(sub < 0.92, CLS["com"], CLS["green"])),
    )
    ucls = np.where(ind > 0.5, CLS["ind"], ucls)
    cls = np.where(urban, ucls, cls)
    cls[mine > 0.5] = CLS["mine"]
    cls[resort > 0.5] = CLS["resort"]
    names = np.full(len(units), "", dtype=object)
    c = is_carved >= 0
    ck = np.array(carved_cls, dtype=object)[is_carved[c]]
    road_cls = np.where(U[c] > 0.45, CLS["uroad"], CLS["hwy"])
    mapped = np.array([CLS.get(k, -1) for k in ck])
    mapped = np.where(ck == "road", road_cls, mapped)
    cls[c] = mapped
    names[c] = np.array(carved_name, dtype=object)[is_carved[c]]
    # the planned units' street
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(w.street_seeds), extend_to=w.district)
    )
    # street i is the cell around seed i (GEOS < 3.12 returns the cells in its own order)
    seed_i, cell_i = shapely.STRtree(cells).query(shapely.points(w.street_seeds), predicate="intersects")
    streets = shapely.intersection(cells[cell_i[np.argsort(seed_i, kind="stable")]], w.district)
    w.streets = streets
    s_tree = shapely.STRtree(streets)
    si, sj = s_tree.query(rep, predicate="intersects")
    street = np.zeros(len(units), np.int64)
    street[si[::-1]] = sj[::-1]
    w.units = units
    w.unit_cls = cls
    w.unit_name = names
    w.unit_block = block
    w.unit_rep = pts
    w.unit_area = shapely.area(units)
    w.unit_elev = E
    w.unit_u = U
    w.unit_street = street
    w.unit_carved = is_carved >= 0
    w.unit_park = _gauss(px, py, w.parks)
    w.times["units_s"] = time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------
# Scenario: which units differ between the plans
# ---------------------------------------------------------------------------------------------
@dataclass
class Scenario:
    expand: np.ndarray  # urban plan construction, land plan not (fringe growth)
    park: np.ndarray  # urban plan industrial parks, land plan not
    removed: np.ndarray  # land plan keeps the village, urban plan removes it (E2)
    landnew: np.ndarray  # land plan new 211/214, urban plan E2
    unbuilt: np.ndarray  # truth urban but still farmland in 三调
    farmland: np.ndarray  # permanent basic farmland units


EXPAND_SHARE = 0.055  # of the district, fringe growth in the urban plan
PARK_SHARE = 0.010  # remote industrial parks in the urban plan
REMOVED_SHARE = 0.014  # villages the urban plan removes
LANDNEW_SHARE = 0.012  # land plan's own new construction


def _scenario(rng, w: World) -> Scenario:
    n = len(w.units)
    cls = w.unit_cls
    total = DISTRICT_AREA_M2
    area = w.unit_area
    openland = np.isin(cls, [CLS[k] for k in ("farm", "orchard", "facility", "bare")]) & ~w.unit_carved

    def greedy(cand, score, target):
        idx = np.flatnonzero(cand)
        idx = idx[np.argsort(-score[idx], kind="stable")]
        cum = np.cumsum(area[idx])
        k = int(np.searchsorted(cum, target)) + 1
        out = np.zeros(n, bool)
        out[idx[:k]] = True
        return out

    park = greedy(openland & (w.unit_park > 0.3), w.unit_park, PARK_SHARE * total)
    expand = greedy(openland & ~park & (w.unit_u > 0.15), w.unit_u, EXPAND_SHARE * total)
    landnew = greedy(
        openland & ~park & ~expand & (w.unit_u > 0.1),
        w.unit_u + rng.uniform(0, 0.05, n),
        LANDNEW_SHARE * total,
    )
    vill = cls == CLS["village"]
    removed = greedy(vill, -w.unit_u + rng.uniform(0, 0.1, n), REMOVED_SHARE * total)
    urban_units = np.isin(cls, [CLS[k] for k in ("res", "com", "ind", "pub", "green")])
    unbuilt = urban_units & (w.unit_u < 0.56)
    farm = cls == CLS["farm"]
    keep = rng.uniform(0, 1, n)
    farmland = farm & ~park & ~landnew & (keep < 0.82)
    farmland &= ~expand | (keep < 0.3)  # some urban growth lands on permanent farmland: a conflict
    return Scenario(expand, park, removed, landnew, unbuilt, farmland)


# ---------------------------------------------------------------------------------------------
# Plans: warped units, own parcels, codes
# ---------------------------------------------------------------------------------------------
def _warp_func(rng):
    big = _wave_comps(rng, 3, 3000, 8000, 3.0)
    small = _wave_comps(rng, 2, 150, 400, 0.7)
    big2 = _wave_comps(rng, 3, 3000, 8000, 3.0)
    small2 = _wave_comps(rng, 2, 150, 400, 0.7)

    def f(xy):
        x, y = xy[:, 0], xy[:, 1]
        dx = _waves(x, y, big) + _waves(x, y, small)
        dy = _waves(x, y, big2) + _waves(x, y, small2)
        return np.c_[x + dx, y + dy]

    return f


def _warp(geoms, func):
    out = shapely.transform(geoms, func)
    bad = ~shapely.is_valid(out)
    repaired = int(bad.sum())
    if repaired:
        out[bad] = _polygonal(shapely.make_valid(out[bad]))
    return out, repaired


@dataclass
class Plan:
    name: str
    standard: str
    geoms: np.ndarray
    unit: np.ndarray
    codes: np.ndarray
    ids: np.ndarray
    fids: np.ndarray
    units: np.ndarray  # the plan's warped units
    unit_flag: np.ndarray  # construction by the plan's own rule, per unit
    repaired: int = 0
    extra: dict = field(default_factory=dict)


def _unit_family(w: World, sc: Scenario, plan: str) -> np.ndarray:
    """The code family each unit is drawn from in one plan (truth class or a scenario family)."""
    fam = np.array(CLASS_KEYS, dtype=object)[w.unit_cls]
    if plan == "urban_plan":
        fam[sc.expand] = "expand"
        fam[sc.park] = "park"
        fam[sc.removed] = "removed"
    elif plan == "land_plan":
        fam[sc.landnew] = "landnew"
    elif plan == "current_landuse":
        fam[sc.unbuilt] = "farm"
    return fam


def _seed_counts(rng, w: World, n: int) -> np.ndarray:
    """Seeds per unit: carved units are one parcel; the rest share n by area × density."""
    carved = w.unit_carved
    counts = np.ones(len(w.units), np.int64)
    free = n - len(w.units)
    if free < 0:
        raise ValueError(f"{n} parcels are too few for this district ({len(w.units)} units); use >= 1000")
    dens = np.select(
        [
            np.isin(w.unit_cls, [CLS[k] for k in URBAN_KEYS]),
            w.unit_cls == CLS["village"],
            np.isin(w.unit_cls, [CLS["forest"], CLS["orchard"]]),
        ],
        [5.0, 4.0, 0.6],
        1.0,
    )
    weight = np.where(carved, 0.0, w.unit_area * dens)
    counts += rng.multinomial(free, weight / weight.sum())
    return counts


def _make_plan(w: World, sc: Scenario, plan: str, seed: int) -> Plan:
    rng = _rng(seed, "plan:" + plan)
    standard, _idf, *_rest, prefix = PLAN_SPECS[plan]
    units, repaired = _warp(w.units, _warp_func(_rng(seed, "warp:" + plan)))
    counts = _seed_counts(rng, w, w.n)
    x, y, owner = _sample_in(rng, units, counts)
    geoms, unit_of = _voronoi_in_units(units, x, y, owner)
    fam = _unit_family(w, sc, plan)
    choices = {"urban_plan": URBAN_CHOICES, "land_plan": LAND_CHOICES, "current_landuse": SANDIAO_CHOICES}[
        plan
    ]
    codes = np.empty(len(geoms), dtype=object)
    pfam = fam[unit_of]
    for key in sorted(set(pfam.tolist())):  # one vectorised draw per family (a few dozen)
        sel = np.flatnonzero(pfam == key)
        codes[sel] = _choose(rng, choices[key], len(sel))
    rule = CONSTRUCTION_RULES[standard]
    flag_of_code = {c: rule(c) for c in set(codes.tolist())}
    pflag = np.array([flag_of_code[c] for c in codes.tolist()], dtype=bool)
    unit_flag = np.zeros(len(units), bool)
    unit_flag[unit_of[pflag]] = True
    # a unit's parcels share its construction flag by design; check it
    mixed = np.zeros(len(units), bool)
    mixed[unit_of[~pflag]] = True
    assert not (mixed & unit_flag).any(), "a unit mixes construction and non-construction codes"
    ids = np.array([f"{prefix}{i:07d}" for i in range(1, len(geoms) + 1)], dtype=object)
    return Plan(
        plan,
        standard,
        geoms,
        unit_of,
        codes,
        ids,
        np.arange(1, len(geoms) + 1, dtype=np.int64),
        units,
        unit_flag,
        repaired,
    )


# ---------------------------------------------------------------------------------------------
# Zone layers, control lines, key projects
# ---------------------------------------------------------------------------------------------
def _union(geoms) -> object:
    geoms = [g for g in np.asarray(geoms, dtype=object) if g is not None and not g.is_empty]
    return shapely.union_all(np.array(geoms, dtype=object)) if geoms else shapely.from_wkt("POLYGON EMPTY")


def _clean(g, close: float = 0.0, min_area: float = 0.0):
    if close:
        g = g.buffer(close, quad_segs=2, join_style="mitre").buffer(-close, quad_segs=2, join_style="mitre")
    parts = shapely.get_parts(_polygonal(np.array([g], dtype=object)))
    parts = parts[shapely.area(parts) >= max(min_area, 1e-9)] if len(parts) else parts
    return parts


def _water_units(w: World, keys=("river", "lake", "reservoir")):
    return np.isin(w.unit_cls, [CLS[k] for k in keys])


def _lines_and_zones(w: World, sc: Scenario) -> dict:
    out = {}
    water = w.units[_water_units(w)]
    water_u = _union(water)
    forest = w.unit_cls == CLS["forest"]
    # 生态保护红线: water bodies with a 200 m margin and the forested hill cores
    hill_core = _union(w.units[forest & (w.unit_elev > 0.5)])
    red = shapely.union_all([water_u.buffer(200, quad_segs=4), hill_core])
    red = shapely.intersection(red, w.district)
    red_parts = _clean(red, close=60, min_area=0.2e6)
    red_parts = _polygonal(shapely.intersection(red_parts, w.district))
    out["redline"] = red_parts
    # eco plan (环保局): 一级 = water and the high hill core, 二级 = a wider belt, independently drawn
    lvl1 = shapely.union_all(
        [water_u.buffer(40, quad_segs=4), _union(w.units[forest & (w.unit_elev > 0.62)])]
    )
    lvl1 = shapely.intersection(lvl1, w.district)
    lvl2 = shapely.union_all(
        [water_u.buffer(450, quad_segs=4), _union(w.units[forest & (w.unit_elev > 0.44)])]
    )
    lvl2 = shapely.difference(shapely.intersection(lvl2, w.district), lvl1)
    l1 = _clean(lvl1, close=30, min_area=0.05e6)
    l2 = _clean(lvl2, min_area=0.05e6)
    out["eco1"], out["eco2"] = l1, l2
    # 城镇开发边界: the built-up core and towns plus part of the planned growth, closed, one feature
    urban_units = np.isin(w.unit_cls, [CLS[k] for k in URBAN_KEYS]) & (w.unit_u > 0.5)
    grow = sc.expand & (w.unit_u > np.quantile(w.unit_u[sc.expand], 0.45)) if sc.expand.any() else sc.expand
    core = _union(w.units[urban_units | grow])
    bnd = core.buffer(150, quad_segs=3).buffer(-120, quad_segs=3)
    bnd = shapely.intersection(bnd, w.district)
    parts = _clean(bnd, min_area=0.5e6)
    dv = shapely.multipolygons(parts) if len(parts) else shapely.from_wkt("MULTIPOLYGON EMPTY")
    # drawn by hand at a fine scale: many vertices (tens of thousands at 100k parcels), small wiggles
    dv = shapely.segmentize(dv, float(np.clip(10 * math.sqrt(20000 / w.n), 1.5, 20)))
    wig = _wave_comps(_rng(w.seed, "warp:dev_boundary"), 4, 40, 120, 0.8)
    wig2 = _wave_comps(_rng(w.seed, "warp:dev_boundary:y"), 4, 40, 120, 0.8)
    dv = shapely.transform(
        dv, lambda xy: xy + np.c_[_waves(xy[:, 0], xy[:, 1], wig), _waves(xy[:, 0], xy[:, 1], wig2)]
    )
    if not dv.is_valid:
        dv = shapely.multipolygons(
            shapely.get_parts(_polygonal(np.array([shapely.make_valid(dv)], dtype=object)))
        )
    out["dev_boundary"] = dv
    return out


def _name_zone(parts, w: World):
    """Name zones by the water or hill feature they hold."""
    names = []
    reps = shapely.get_coordinates(shapely.point_on_surface(parts))
    water = _water_units(w)
    wt = shapely.STRtree(w.units[water])
    wn = w.unit_name[water]
    for i, g in enumerate(parts):  # a few dozen zones
        hit = wt.query(g, predicate="intersects")
        nm = ""
        if len(hit):
            a = shapely.area(shapely.intersection(w.units[water][hit], g))
            nm = wn[hit[int(np.argmax(a))]]
        if not nm:
            e = w.elevation(reps[i : i + 1, 0], reps[i : i + 1, 1])[0]
            nm = "老山" if e > 0.3 else "平原"
        names.append(nm)
    return names


def _zone_kind(name: str) -> str:
    if name in ("长江",):
        return "饮用水水源保护区"
    if name in ("滁河",):
        return "洪水调蓄区"
    if name.endswith("湖"):
        return "重要湿地"
    if name.endswith("水库"):
        return "饮用水水源保护区"
    return "生态公益林" if name == "老山" else "森林公园"


def _key_projects(rng, w: World, sc: Scenario):
    """Polygons and points: some deliberately on land the land plan keeps non-construction."""
    from shapely import affinity

    st_names = np.array([s[0] for s in STREETS], dtype=object)
    picks = []  # (unit index, type, template)
    core = np.flatnonzero(np.isin(w.unit_cls, [CLS[k] for k in ("res", "com", "pub")]) & ~sc.unbuilt)
    exp = np.flatnonzero(sc.expand | sc.park)
    hwy = np.flatnonzero(w.unit_cls == CLS["hwy"])
    eco = np.flatnonzero(np.isin(w.unit_cls, [CLS["forest"], CLS["lake"]]))
    plan = [(exp, 14, "产业"), (core, 16, "城市建设"), (hwy, 4, "交通"), (eco, 4, "生态")]
    templates = {
        "产业": ["{s}智能制造产业园{k}期", "{s}新材料产业基地", "{s}生物医药产业园", "{s}物流园区"],
        "城市建设": [
            "{s}保障性住房{k}号地块",
            "{s}中学新建工程",
            "区人民医院{s}分院",
            "{s}商业综合体",
            "{s}文体中心",
        ],
        "交通": ["宁滁快速通道{k}标段", "浦口区过江通道接线工程", "{s}公交枢纽"],
        "生态": ["老山生态修复工程{k}期", "{s}湿地公园", "滁河岸线整治工程"],
    }
    for idx, k, typ in plan:
        if len(idx) == 0:
            continue
        sel = rng.choice(idx, size=min(k, len(idx)), replace=False)
        sel = np.sort(sel)
        for j, u in enumerate(sel):
            picks.append(
                (
                    int(u),
                    typ,
                    templates[typ][j % len(templates[typ])].format(s=st_names[w.unit_street[u]][:2], k=j + 1),
                )
            )
    polys, attrs = [], []
    for u, typ, nm in picks:  # ~40 projects
        x, y = w.unit_rep[u]
        side = float(np.clip(math.sqrt(w.unit_area[u]) * 0.7, 120, 500))
        if typ == "交通":
            g = shapely.box(x - 300, y - 30, x + 300, y + 30)
        else:
            g = shapely.box(x - side / 2, y - side * 0.35, x + side / 2, y + side * 0.35)
        g = affinity.rotate(g, float(rng.uniform(0, 180)), origin=(x, y))
        polys.append(shapely.intersection(g, w.district))
        attrs.append((typ, nm))
    # points with an area
    pts, pattrs = [], []
    pt_plan = [
        (core, 6, "城市建设"),
        (exp, 4, "产业"),
        (np.flatnonzero(w.unit_cls == CLS["village"]), 2, "乡村振兴"),
    ]
    for idx, k, typ in pt_plan:
        if len(idx) == 0:
            continue
        sel = np.sort(rng.choice(idx, size=min(k, len(idx)), replace=False))
        for j, u in enumerate(sel):
            s = st_names[w.unit_street[u]][:2]
            nm = {
                "城市建设": f"{s}社区服务中心{j + 1}",
                "产业": f"{s}产业项目{j + 1}",
                "乡村振兴": f"{s}美丽乡村示范点{j + 1}",
            }[typ]
            pts.append(shapely.Point(*w.unit_rep[u]))
            pattrs.append((typ, nm, float(round(rng.uniform(5000, 60000), -2))))
    return np.array(polys, dtype=object), attrs, np.array(pts, dtype=object), pattrs


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
@dataclass
class Layer:
    key: str
    geoms: np.ndarray
    fields: list  # (name, kind 'text'|'real'|'int', values)
    geom_type: str = "MultiPolygon"
    fids: np.ndarray | None = None
    standard: str | None = None
    code_field: str | None = None
    name_field: str | None = None
    id_field: str | None = None
    epsg: int = EPSG_MAIN
    fmt: str = "GPKG"
    encoding: str = "UTF-8"
    cpg: bool = True
    title: str = ""


_OGR_KIND = {"text": ogr.OFTString, "real": ogr.OFTReal, "int": ogr.OFTInteger}
_OGR_GEOM = {"MultiPolygon": ogr.wkbMultiPolygon, "Point": ogr.wkbPoint, "Polygon": ogr.wkbPolygon}


def _srs(epsg: int):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _to_global(geoms, epsg: int):
    """Local metres → EPSG:4548 (a translation), then to the layer's CRS when it is another."""
    g = shapely.transform(geoms, lambda xy: xy + np.array(ORIGIN))
    if epsg != EPSG_MAIN:
        from pyproj import Transformer

        tf = Transformer.from_crs(EPSG_MAIN, epsg, always_xy=True)

        def f(xy):
            x, y = tf.transform(xy[:, 0], xy[:, 1])
            return np.c_[x, y]

        g = shapely.transform(g, f)
    return g


def _repair_rounding(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, int]:
    """Coordinates rounded by the move to the file's CRS can make a near-touching ring cross itself.

    Only geometries valid before the move are repaired (dirt stays dirty); the count is reported.
    """
    if len(after) == 0 or shapely.get_type_id(after[0]) == 0:
        return after, 0
    broken = np.flatnonzero(shapely.is_valid(before) & ~shapely.is_valid(after))
    if len(broken):
        after = after.copy()
        after[broken] = _polygonal(shapely.make_valid(after[broken]))
    return after, int(len(broken))


class _Hasher:
    """sha256 over fids, then every WKB, then every attribute value: what a layer holds, not how
    the file stores it (fed chunk by chunk while writing)."""

    def __init__(self, fids) -> None:
        self.h = hashlib.sha256()
        self.h.update(np.asarray(fids, dtype=np.int64).tobytes())

    def wkb(self, chunk) -> None:
        for b in chunk:
            self.h.update(b if b is not None else b"\0")

    def finish(self, fields) -> str:
        for name, _kind, values in fields:
            self.h.update(name.encode())
            vals = [None if v is None else v for v in np.asarray(values, dtype=object).tolist()]
            self.h.update(json.dumps(vals, ensure_ascii=False).encode())
        return self.h.hexdigest()


def _content_hash(fids, wkb, fields) -> str:
    """The ``content_hash`` of a layer (see docs/demo-district.md): fids, ISO WKB (little endian,
    2-D, MultiPolygon for polygon layers) and attribute values, in file order."""
    h = _Hasher(fids)
    h.wkb(wkb)
    return h.finish(fields)


WRITE_CHUNK = 100_000  # geometries moved, repaired and encoded at a time (bounds the memory of a write)


def _write(out_dir: Path, layer: Layer) -> dict:
    """One layer, one file, one transaction: per-feature OGR inside a single transaction is the
    fastest pure-GDAL route measured here (~25 µs a feature, 1M parcels in ~25 s)."""
    from multiplan.algorithms.vector_io import gdal_decides_shapefile_encoding

    with gdal_decides_shapefile_encoding():  # inside QGIS, GBK shapefiles would get UTF-8 bytes
        return _write_layer(out_dir, layer)


def _write_layer(out_dir: Path, layer: Layer) -> dict:
    t0 = time.perf_counter()
    n = len(layer.geoms)
    fids = layer.fids if layer.fids is not None else np.arange(1, n + 1, dtype=np.int64)
    if layer.fmt == "ESRI Shapefile":
        path = out_dir / f"{layer.key}.shp"
        drv = ogr.GetDriverByName("ESRI Shapefile")
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            if (out_dir / f"{layer.key}{ext}").exists():
                (out_dir / f"{layer.key}{ext}").unlink()
        ds = drv.CreateDataSource(str(path))
        lyr = ds.CreateLayer(
            layer.key,
            _srs(layer.epsg),
            _OGR_GEOM["Polygon"] if layer.geom_type == "MultiPolygon" else _OGR_GEOM[layer.geom_type],
            [f"ENCODING={layer.encoding}", "DBF_DATE_LAST_UPDATE=2024-01-01"],
        )
    else:
        path = out_dir / f"{layer.key}.gpkg"
        for ext in ("", "-wal", "-shm", "-journal"):
            p = Path(str(path) + ext)
            if p.exists():
                p.unlink()
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        lyr = ds.CreateLayer(
            layer.key,
            _srs(layer.epsg),
            _OGR_GEOM[layer.geom_type],
            ["FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES"],
        )
    for name, kind, values in layer.fields:
        fd = ogr.FieldDefn(name, _OGR_KIND[kind])
        if kind == "text" and layer.fmt == "ESRI Shapefile":
            longest = max((len(str(v).encode("gbk")) for v in values if v is not None), default=1)
            fd.SetWidth(max(longest + 2, 10))
        if kind == "real":
            fd.SetWidth(18)
            fd.SetPrecision(3 if name == "KCXS" else 2)
        lyr.CreateField(fd)
    defn = lyr.GetLayerDefn()
    cols = [np.asarray(v, dtype=object).tolist() for _, _, v in layer.fields]
    explicit_fid = layer.fmt == "GPKG"
    f = ogr.Feature(defn)  # one feature reused: the loop below is the whole cost of writing
    setters = [f.SetFieldString if kind == "text" else f.SetField for _, kind, _ in layer.fields]
    set_null, set_fid, set_geom = f.SetFieldNull, f.SetFID, f.SetGeometryDirectly
    from_wkb, create = ogr.CreateGeometryFromWkb, lyr.CreateFeature
    fid_list = fids.tolist()
    jobs = list(zip(range(len(cols)), setters, cols))
    hasher = _Hasher(fids if explicit_fid else np.arange(n))
    repaired = 0
    lyr.StartTransaction()
    for c0 in range(0, n, WRITE_CHUNK):
        part = layer.geoms[c0 : c0 + WRITE_CHUNK]
        geoms, fixed = _repair_rounding(part, _to_global(part, layer.epsg))
        repaired += fixed
        if layer.geom_type == "MultiPolygon":
            geoms = _to_multi(geoms)
        wkb = shapely.to_wkb(geoms, output_dimension=2, byte_order=1, include_srid=False)
        del geoms
        hasher.wkb(wkb)
        for k in range(len(wkb)):
            i = c0 + k
            set_fid(fid_list[i] if explicit_fid else -1)
            for j, setter, col in jobs:
                v = col[i]
                if v is None:
                    set_null(j)
                else:
                    setter(j, v)
            set_geom(from_wkb(wkb[k]))
            create(f)
    lyr.CommitTransaction()
    ds = None
    if layer.fmt == "ESRI Shapefile" and not layer.cpg:
        # a GBK file as some departments deliver it: no .cpg and no code page byte (LDID 0)
        cpg = out_dir / f"{layer.key}.cpg"
        if cpg.exists():
            cpg.unlink()
        dbf = out_dir / f"{layer.key}.dbf"
        with open(dbf, "r+b") as fh:
            fh.seek(29)
            fh.write(b"\x00")
    info = {
        "path": path.name,
        "layer": layer.key,
        "format": layer.fmt,
        "crs": f"EPSG:{layer.epsg}",
        "geometry": layer.geom_type,
        "count": n,
        "encoding": layer.encoding,
        "cpg": bool(layer.fmt != "ESRI Shapefile" or layer.cpg),
        "standard": layer.standard,
        "code_field": layer.code_field,
        "name_field": layer.name_field,
        "id_field": layer.id_field,
        "fields": {name: kind for name, kind, _ in layer.fields},
        "title": layer.title,
        "content_hash": hasher.finish(layer.fields),
        "repaired_on_write": repaired,
    }
    info["_write_s"] = time.perf_counter() - t0
    return info


# ---------------------------------------------------------------------------------------------
# Dirt
# ---------------------------------------------------------------------------------------------
ALL_DIRT = tuple(DIRT_KINDS)


def _dirt_set(dirt) -> list[str]:
    if dirt is True:
        return list(ALL_DIRT)
    if not dirt:
        return []
    names = [dirt] if isinstance(dirt, str) else list(dirt)
    unknown = sorted(set(names) - set(ALL_DIRT))
    if unknown:
        raise ValueError(f"unknown dirt {unknown}; known: {', '.join(ALL_DIRT)}")
    return [d for d in ALL_DIRT if d in names]


def _dirt_count(n: int, share: float, lo: int, hi: int) -> int:
    return int(np.clip(round(n * share), lo, hi))


def _bowtie(geoms: np.ndarray):
    """Swap the 2nd and 3rd vertex of convex single-part polygons: the ring crosses itself."""
    coords, idx = shapely.get_coordinates(shapely.get_exterior_ring(geoms), return_index=True)
    start = np.searchsorted(idx, np.arange(len(geoms)))
    a, b = start + 1, start + 2
    coords[a], coords[b] = coords[b].copy(), coords[a].copy()
    return shapely.polygons(shapely.linearrings(coords, indices=idx))


def _pick_dirt(plan: Plan, dirt: list[str], seed: int) -> dict:
    """Choose one plan's dirty parcels (by stable id) before any revision.

    Choosing on the unrevised plan keeps the dirt of a revision run identical to its base run, and
    lets the revision spare the dirty parcels.  Each plan has its own random stream.
    """
    rng = _rng(seed, "dirt:" + plan.name)
    taken = np.zeros(len(plan.geoms), bool)
    sel: dict[str, np.ndarray] = {}

    def pick(k: int, mask=None) -> np.ndarray:
        cand = ~taken if mask is None else mask & ~taken
        idx = np.flatnonzero(cand)
        out = np.sort(rng.choice(idx, size=min(k, len(idx)), replace=False))
        taken[out] = True
        return plan.ids[out]

    g = plan.geoms
    n = len(g)
    name = plan.name
    if "invalid_rings" in dirt and name == DIRT_KINDS["invalid_rings"]:
        area = shapely.area(g)
        convex = (shapely.get_type_id(g) == 3) & (shapely.get_num_coordinates(g) >= 6)
        convex &= shapely.get_num_interior_rings(g) == 0
        convex &= np.abs(shapely.area(shapely.convex_hull(g)) - area) < 1e-6 * np.maximum(area, 1)
        sel["invalid_rings"] = pick(_dirt_count(n, 0.002, 5, 200), convex)
    if "null_codes" in dirt and name in DIRT_KINDS["null_codes"]:
        sel["null_codes"] = pick(_dirt_count(n, 0.002, 5, 300))
    if "unknown_codes" in dirt and name in DIRT_KINDS["unknown_codes"]:
        family = ("R2", "B1") if name == "urban_plan" else ("211",)
        sel["unknown_codes"] = pick(_dirt_count(n, 0.003, 8, 400), np.isin(plan.codes, family))
    if "gaps_overlaps" in dirt and name == DIRT_KINDS["gaps_overlaps"]:
        land = ~np.isin(plan.codes, ["311", "312", "226", "221", "222"]) & (shapely.area(g) > 2000)
        sel["gaps_overlaps"] = pick(_dirt_count(n, 0.004, 10, 400), land)
    return sel


def _locked(plan: Plan, sel: dict) -> set:
    ids = [i for v in sel.values() for i in v.tolist()]
    return set(np.flatnonzero(np.isin(plan.ids, ids)).tolist()) if ids else set()


def _apply_geometry_dirt(p: Plan, sel: dict, manifest_dirt: dict) -> None:
    """Bow-ties, null and unknown codes, gaps and overlaps on the parcels ``_pick_dirt`` chose."""

    def where(ids) -> np.ndarray:
        return np.flatnonzero(np.isin(p.ids, ids))

    def per_layer(kind: str, entry: dict) -> None:
        d = manifest_dirt.setdefault(kind, {"layers": {}, "count": 0})
        d["layers"][p.name] = entry
        d["count"] = int(sum(e["count"] for e in d["layers"].values()))

    if "invalid_rings" in sel:
        idx = where(sel["invalid_rings"])
        bt = _bowtie(p.geoms[idx])
        ok = ~shapely.is_valid(bt)
        idx, bt = idx[ok], bt[ok]
        p.geoms = p.geoms.copy()
        p.geoms[idx] = bt
        manifest_dirt["invalid_rings"] = {
            "layer": p.name,
            "count": int(len(idx)),
            "fids": p.fids[idx].tolist(),
            "ids": p.ids[idx].tolist(),
        }
    if "null_codes" in sel:
        idx = where(sel["null_codes"])
        p.codes = p.codes.copy()
        p.codes[idx] = None
        per_layer("null_codes", {"count": int(len(idx)), "fids": p.fids[idx].tolist()})
    if "unknown_codes" in sel:
        idx = where(sel["unknown_codes"])
        code, cname = UNKNOWN_CODES[p.name]
        p.codes = p.codes.copy()
        p.codes[idx] = code
        p.extra.setdefault("names", {})[code] = cname
        per_layer(
            "unknown_codes",
            {
                "count": int(len(idx)),
                "fids": p.fids[idx].tolist(),
                "code": code,
                "name": cname,
                "area_m2": _r(shapely.area(p.geoms[idx]).sum()),
            },
        )
    if "gaps_overlaps" in sel:
        idx = where(sel["gaps_overlaps"])
        half = len(idx) // 2
        shrink, grow = idx[:half], idx[half:]
        before = shapely.area(p.geoms[shrink])
        p.geoms = p.geoms.copy()
        p.geoms[shrink] = _polygonal(shapely.buffer(p.geoms[shrink], -1.5, join_style="mitre"))
        gap = float((before - shapely.area(p.geoms[shrink])).sum())
        grown = _polygonal(shapely.buffer(p.geoms[grow], 1.0, join_style="mitre"))
        p.geoms[grow] = grown
        # every overlapping pair once (two grown neighbours overlap each other too)
        gi, oi = shapely.STRtree(p.geoms).query(grown, predicate="intersects")
        gi = grow[gi]
        keep = (gi != oi) & ~(np.isin(oi, grow) & (oi < gi))
        overlap = float(shapely.area(shapely.intersection(p.geoms[gi[keep]], p.geoms[oi[keep]])).sum())
        manifest_dirt["gaps_overlaps"] = {
            "layer": p.name,
            "count": int(len(idx)),
            "gap_fids": p.fids[shrink].tolist(),
            "overlap_fids": p.fids[grow].tolist(),
            "gap_area_m2": _r(gap),
            "overlap_area_m2": _r(overlap),
            "shrink_m": 1.5,
            "grow_m": 1.0,
        }


def _apply_layer_dirt(lay: Layer, dirt: list[str], manifest_dirt: dict) -> None:
    """GBK shapefiles (with and without a code page) and layers in other CRSs."""
    for kind in ("gbk_cpg", "gbk_nocpg"):
        if kind in dirt and DIRT_KINDS[kind] == lay.key:
            lay.fmt, lay.encoding, lay.cpg = "ESRI Shapefile", "GBK", kind == "gbk_cpg"
            manifest_dirt[kind] = {
                "layer": lay.key,
                "count": int(len(lay.geoms)),
                "encoding": "GBK",
                "cpg": kind == "gbk_cpg",
                "ldid": 0,
            }
    for kind, epsg in (("crs_4490", EPSG_GEOGRAPHIC), ("crs_4549", EPSG_NEIGHBOUR)):
        if kind in dirt and DIRT_KINDS[kind] == lay.key:
            lay.epsg = epsg
            manifest_dirt[kind] = {"layer": lay.key, "count": int(len(lay.geoms)), "crs": f"EPSG:{epsg}"}


# ---------------------------------------------------------------------------------------------
# Revision
# ---------------------------------------------------------------------------------------------
REVISION_MIX = {"recoded": 0.55, "reshaped": 0.12, "split": 0.10, "merged": 0.14, "deleted": 0.09}
# What a revision re-codes to: plausible planning changes, on each side of the construction line.
REVISION_POOLS = {
    "GB50137-2011": {True: ["R2", "B1", "M1", "A33", "G1", "S4"], False: ["E2", "E13", "E9"]},
    "TDT1024-2010": {True: ["211", "212", "214"], False: ["11", "12", "13", "153"]},
    "GBT21010-2017": {
        True: ["0701", "05H1", "0601", "0702", "1004"],
        False: ["0101", "0103", "0201", "0301", "1104"],
    },
}


def _revise(plan: Plan, share: float, seed: int, locked: set) -> list[dict]:
    """Change ``share`` of a plan's parcels in place; returns the change record rows.

    Mix (of the changed parcels): re-coded 55 % (half of them across the construction line),
    reshaped 12 % (pairs of neighbours whose shared edge moves), split 10 %, merged 14 % (pairs of
    neighbours in one unit), deleted 9 %.  Unchanged parcels keep id, fid, code and geometry.
    """
    rng = _rng(seed, "revision:" + plan.name)
    n = len(plan.geoms)
    target = max(10, int(round(share * n)))
    counts = {k: int(round(target * v)) for k, v in REVISION_MIX.items()}
    rule = CONSTRUCTION_RULES[plan.standard]
    prefix = PLAN_SPECS[plan.name][-1]
    geoms, codes = plan.geoms.copy(), plan.codes.copy()
    area0 = shapely.area(geoms)
    free = (area0 > 500) & np.array([c is not None for c in codes.tolist()])
    if locked:
        free[np.fromiter(locked, np.int64, len(locked))] = False
    order = rng.permutation(n)
    # a neighbour to pair with: the next parcel of the same unit, when they share an edge
    nxt = np.r_[np.arange(1, n), 0]
    cand = np.flatnonzero((plan.unit[nxt] == plan.unit) & (np.arange(n) < n - 1) & free & free[nxt])
    pair_ok = np.zeros(n, bool)
    if len(cand):
        pair_ok[cand[shapely.relate_pattern(geoms[cand], geoms[nxt[cand]], "****1****")]] = True

    def singles(k: int, extra=None) -> np.ndarray:
        ok = free[order] if extra is None else free[order] & extra[order]
        sel = order[ok][:k]
        free[sel] = False
        return np.sort(sel)

    def pairs(k: int):
        i = order[free[order] & pair_ok[order]]
        j = nxt[i]
        keep = free[j]
        i, j = i[keep], j[keep]
        u, c = np.unique(np.r_[i, j], return_counts=True)
        dup = u[c > 1]  # a parcel in two pairs: drop both pairs
        keep = ~np.isin(i, dup) & ~np.isin(j, dup)
        i, j = i[keep][:k], j[keep][:k]
        free[i] = False
        free[j] = False
        srt = np.argsort(i)
        return i[srt], j[srt]

    def row(change, old, new_ids, old_codes, new_codes, old_area, new_area, iou, flag_changed=False):
        return {
            "change": change,
            "old_ids": [plan.ids[k] for k in old],
            "new_ids": new_ids,
            "old_fids": [int(plan.fids[k]) for k in old],
            "new_fids": [],
            "old_codes": old_codes,
            "new_codes": new_codes,
            "construction_changed": bool(flag_changed),
            "old_area_m2": float(old_area),
            "new_area_m2": float(new_area),
            "iou": iou,
        }

    rows: list[dict] = []
    deleted: list[np.ndarray] = []
    added_g: list = []
    added_c: list = []
    added_i: list = []
    counter = [n]

    def new_id() -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]:07d}"

    # re-code: every other one crosses the construction line
    rec = singles(counts["recoded"])
    pools = REVISION_POOLS[plan.standard]
    draw = rng.integers(0, 1000, len(rec))
    for k, i in enumerate(rec.tolist()):
        old = codes[i]
        side = rule(old) != (k % 2 == 0)
        pool = [c for c in pools[side] if c != old]
        new = pool[draw[k] % len(pool)]
        codes[i] = new
        rows.append(
            row("recoded", [i], [plan.ids[i]], [old], [new], area0[i], area0[i], 1.0, rule(old) != rule(new))
        )
        rows[-1]["new_fids"] = [int(plan.fids[i])]
    # reshape: the shared edge of two neighbours moves into the second one
    i, j = pairs(counts["reshaped"] // 2)
    if len(i):
        a, b = geoms[i], geoms[j]
        piece = shapely.intersection(b, shapely.buffer(a, 0.3 * np.sqrt(area0[j]), join_style="mitre"))
        na, nb = _polygonal(shapely.union(a, piece)), _polygonal(shapely.difference(b, piece))
        ok = shapely.area(nb) >= 0.1 * area0[j]
        for old, new, idx in ((a[ok], na[ok], i[ok]), (b[ok], nb[ok], j[ok])):
            inter = shapely.area(shapely.intersection(old, new))
            iou = inter / (shapely.area(old) + shapely.area(new) - inter)
            geoms[idx] = new
            for k, p in enumerate(idx.tolist()):
                rows.append(
                    row(
                        "reshaped",
                        [p],
                        [plan.ids[p]],
                        [codes[p]],
                        [codes[p]],
                        area0[p],
                        new[k].area,
                        float(iou[k]),
                    )
                )
                rows[-1]["new_fids"] = [int(plan.fids[p])]
    # split along a line through the centroid
    spl = singles(counts["split"], shapely.get_type_id(geoms) == 3)
    if len(spl):
        sg = geoms[spl]
        c = shapely.get_coordinates(shapely.centroid(sg))
        th = rng.uniform(0, math.pi, len(spl))
        r = (4 * np.sqrt(area0[spl]) + 100)[:, None]
        t, nrm = np.c_[np.cos(th), np.sin(th)], np.c_[-np.sin(th), np.cos(th)]
        p1, p2 = c - r * t, c + r * t
        half = shapely.polygons(np.stack([p1, p2, p2 + r * nrm, p1 + r * nrm, p1], axis=1))
        h1, h2 = _polygonal(shapely.intersection(sg, half)), _polygonal(shapely.difference(sg, half))
        ok = (shapely.area(h1) > 0) & (shapely.area(h2) > 0)
        deleted.append(spl[ok])
        for k in np.flatnonzero(ok).tolist():
            p = int(spl[k])
            ids = [new_id(), new_id()]
            added_g += [h1[k], h2[k]]
            added_c += [codes[p], codes[p]]
            added_i += ids
            rows.append(
                row(
                    "split",
                    [p],
                    ids,
                    [codes[p]],
                    [codes[p], codes[p]],
                    area0[p],
                    h1[k].area + h2[k].area,
                    None,
                )
            )
    # merge two neighbours of one unit; the larger one's code survives
    i, j = pairs(counts["merged"] // 2)
    if len(i):
        merged = _polygonal(shapely.union(geoms[i], geoms[j]))
        deleted += [i, j]
        for k in range(len(i)):
            a, b = int(i[k]), int(j[k])
            keep = codes[a] if area0[a] >= area0[b] else codes[b]
            nid = new_id()
            added_g.append(merged[k])
            added_c.append(keep)
            added_i.append(nid)
            rows.append(
                row(
                    "merged",
                    [a, b],
                    [nid],
                    [codes[a], codes[b]],
                    [keep],
                    area0[a] + area0[b],
                    merged[k].area,
                    None,
                    rule(codes[a]) != rule(codes[b]),
                )
            )
    dele = singles(counts["deleted"])
    deleted.append(dele)
    for p in dele.tolist():
        rows.append(row("deleted", [p], [], [codes[p]], [], area0[p], 0.0, 0.0))
    gone = np.concatenate(deleted) if deleted else np.zeros(0, np.int64)
    keep_idx = np.setdiff1d(np.arange(n), gone)
    fid0 = int(plan.fids.max()) + 1
    add_f = np.arange(fid0, fid0 + len(added_i), dtype=np.int64)
    fid_of = dict(zip(added_i, add_f.tolist()))
    for r in rows:
        if r["change"] in ("split", "merged"):
            r["new_fids"] = [fid_of[x] for x in r["new_ids"]]
    plan.geoms = np.concatenate([geoms[keep_idx], np.array(added_g, dtype=object)])
    plan.codes = np.concatenate([codes[keep_idx], np.array(added_c, dtype=object)])
    plan.ids = np.concatenate([plan.ids[keep_idx], np.array(added_i, dtype=object)])
    plan.fids = np.concatenate([plan.fids[keep_idx], add_f])
    plan.unit = np.concatenate([plan.unit[keep_idx], np.full(len(added_i), -1, dtype=np.int64)])
    return rows


# ---------------------------------------------------------------------------------------------
# Facts
# ---------------------------------------------------------------------------------------------
def _r(x: float, nd: int = 2) -> float:
    return float(round(float(x), nd))


def _share(a: float) -> float:
    return float(round(a / DISTRICT_AREA_M2, 6))


def _facts(w: World, plans: dict, sc: Scenario, z: dict, kp, farmland_geoms, kcxs) -> dict:
    U, L, C = plans["urban_plan"], plans["land_plan"], plans["current_landuse"]
    dist_area = w.district.area
    f: dict = {"district_area_m2": _r(dist_area), "units": int(len(w.units))}
    # 两规 typology on the plans' own units (parcels tile their units exactly)
    u_con, u_non = U.units[U.unit_flag], U.units[~U.unit_flag]
    l_con, l_non = L.units[L.unit_flag], L.units[~L.unit_flag]
    a2 = overlap_area(u_con, l_non)
    a3 = overlap_area(l_con, u_non)
    both = overlap_area(u_con, l_con)
    f["lianggui"] = {
        "urban_con_land_non_m2": _r(a2),
        "urban_con_land_non_share": _share(a2),
        "land_con_urban_non_m2": _r(a3),
        "land_con_urban_non_share": _share(a3),
        "difference_share": _share(a2 + a3),
        "both_con_m2": _r(both),
        "designed": {
            "expand_share": EXPAND_SHARE,
            "park_share": PARK_SHARE,
            "removed_villages_share": REMOVED_SHARE,
            "land_new_share": LANDNEW_SHARE,
            "reservoir_m2": _r(w.unit_area[w.unit_cls == CLS["reservoir"]].sum()),
        },
    }
    f["construction"] = {
        "urban_plan_m2": _r(shapely.area(u_con).sum()),
        "land_plan_m2": _r(shapely.area(l_con).sum()),
        "current_landuse_m2": _r(shapely.area(C.units[C.unit_flag]).sum()),
    }
    red = z["redline"]
    dev = np.array([z["dev_boundary"]], dtype=object)
    water_units = w.units[_water_units(w)]
    forest_units = w.units[w.unit_cls == CLS["forest"]]
    red_area = float(shapely.area(red).sum())
    f["redline"] = {
        "count": int(len(red)),
        "area_m2": _r(red_area),
        "share": _share(red_area),
        "water_in_redline_share": float(
            round(overlap_area(water_units, red) / shapely.area(water_units).sum(), 4)
        ),
        "forest_in_redline_share": float(
            round(overlap_area(forest_units, red) / shapely.area(forest_units).sum(), 4)
        ),
        "urban_plan_construction_m2": _r(overlap_area(u_con, red)),
        "land_plan_construction_m2": _r(overlap_area(l_con, red)),
    }
    fl_area = float(shapely.area(farmland_geoms).sum())
    f["farmland"] = {
        "count": int(len(farmland_geoms)),
        "area_m2": _r(fl_area),
        "net_area_m2": _r(float((shapely.area(farmland_geoms) * (1 - kcxs)).sum())),
        "in_redline_m2": _r(overlap_area(farmland_geoms, red)),
        "in_dev_boundary_m2": _r(overlap_area(farmland_geoms, dev)),
        "under_urban_plan_construction_m2": _r(overlap_area(farmland_geoms, u_con)),
    }
    # urban construction (城镇建设用地 classes only) outside the boundary
    urban_units = U.units[U.extra["urban_units"]]
    inside = overlap_area(urban_units, dev)
    dv = z["dev_boundary"]
    f["dev_boundary"] = {
        "count": 1,
        "parts": int(shapely.get_num_geometries(dv)),
        "vertices": int(shapely.get_num_coordinates(dv)),
        "area_m2": _r(dv.area),
        "share": _share(dv.area),
        "urban_construction_outside_m2": _r(float(shapely.area(urban_units).sum()) - inside),
        "overlap_redline_m2": _r(overlap_area(red, dev)),
    }
    # 新增建设用地: plan construction on ground 三调 shows as non-construction (legal 三大类)
    c_non = C.units[~C.unit_flag]
    f["new_construction"] = {
        "urban_plan_m2": _r(overlap_area(u_con, c_non)),
        "land_plan_m2": _r(overlap_area(l_con, c_non)),
    }
    polys, pattrs, pts, ptattrs = kp
    areas = np.array([a[2] for a in ptattrs]) if ptattrs else np.zeros(0)
    circles = shapely.buffer(pts, np.sqrt(areas / math.pi), quad_segs=16) if len(pts) else pts
    fp = np.concatenate([polys, circles])
    on_non = overlap_area(fp, l_non, by_a=True)
    f["key_projects"] = {
        "polygons": int(len(polys)),
        "points": int(len(pts)),
        "on_land_non_construction": int((on_non > 1.0).sum()),
        "on_land_non_construction_m2": _r(on_non.sum()),
    }
    f["eco_plan"] = {
        "level1_count": int(len(z["eco1"])),
        "level2_count": int(len(z["eco2"])),
        "level1_m2": _r(shapely.area(z["eco1"]).sum()),
        "level2_m2": _r(shapely.area(z["eco2"]).sum()),
    }
    f["warp_repairs"] = {k: int(p.repaired) for k, p in plans.items()}
    return f


# ---------------------------------------------------------------------------------------------
# Main entry points
# ---------------------------------------------------------------------------------------------
def _plan_layer(p: Plan, w: World) -> Layer:
    standard, idf, codef, namef, areaf, _prefix = PLAN_SPECS[p.name]
    names_tab = dict(STANDARD_NAMES[standard])
    names_tab.update(p.extra.get("names", {}))
    names = np.array([names_tab.get(c) if c is not None else None for c in p.codes.tolist()], dtype=object)
    area = np.round(shapely.area(p.geoms), 2)
    fields = [(idf, "text", p.ids), (codef, "text", p.codes), (namef, "text", names)]
    if p.name == "current_landuse":
        st = np.array([s[0] for s in STREETS], dtype=object)
        unit = np.where(p.unit >= 0, p.unit, 0)
        fields = [("BSM", "text", np.array([f"{i:010d}" for i in p.fids.tolist()], dtype=object))] + fields
        fields.append(("ZLDWMC", "text", st[w.unit_street[unit]]))
    fields.append((areaf, "real", area))
    titles = {
        "urban_plan": "城乡规划用地",
        "land_plan": "土地利用总体规划 规划地类",
        "current_landuse": "第三次国土调查 地类图斑",
    }
    return Layer(
        p.name,
        p.geoms,
        fields,
        fids=p.fids,
        standard=standard,
        code_field=codef,
        name_field=namef,
        id_field=idf,
        title=titles[p.name],
    )


def _resolve_revision(revision) -> dict | None:
    if revision is None or revision is False:
        return None
    if isinstance(revision, (int, float)):
        revision = {"share": float(revision)}
    rev = {"share": 0.05, "plan": "urban_plan", "base": None}
    rev.update(revision)
    if rev["plan"] not in PLAN_SPECS:
        raise ValueError(f"revision plan must be one of {', '.join(PLAN_SPECS)}")
    if not 0 < rev["share"] <= 0.5:
        raise ValueError("revision share must be in (0, 0.5]")
    return rev


_JOB: dict = {}  # what a plan job needs (the world, the scenario, the options), set by generate()


def _plan_job(name: str) -> dict:
    """Build one plan, dirty and/or revise it, write it; return what the facts and manifest need.

    Everything it returns is small except the permanent farmland taken from 三调 (a subset of its
    parcels), so the parcels of one plan are gone before the next plan is drawn.
    """
    w, sc, seed, dirt_list, rev, out = (_JOB[k] for k in ("w", "sc", "seed", "dirt", "rev", "out"))
    timings: dict[str, float] = {}
    dirt: dict = {}
    farm = None
    changes = None
    t = time.perf_counter()
    p = _make_plan(w, sc, name, seed)
    timings[f"{name}_s"] = time.perf_counter() - t
    if name == "current_landuse":  # permanent farmland: 三调 cultivated parcels in the farmland units
        m = sc.farmland[p.unit] & np.isin(p.codes, FARMLAND_CODES)
        fr = _rng(seed, "farmland")
        kcxs = np.clip(0.02 + 0.25 * w.unit_elev[p.unit[m]] + fr.normal(0, 0.02, int(m.sum())), 0.0, 0.15)
        farm = {"geoms": p.geoms[m], "codes": p.codes[m], "ids": p.ids[m], "kcxs": np.round(kcxs, 3)}
    if name == "urban_plan":  # units holding 城镇建设用地 classes (R A B M W S U G), for the facts
        urban_cls = np.array([c[:1] in "RABMWSUG" for c in p.codes.tolist()])
        uu = np.zeros(len(p.units), bool)
        uu[p.unit[urban_cls]] = True
        p.extra["urban_units"] = uu
    sel = _pick_dirt(p, dirt_list, seed) if dirt_list else {}
    if rev and rev["plan"] == name:
        changes = _revise(p, rev["share"], seed, _locked(p, sel))
    _apply_geometry_dirt(p, sel, dirt)
    lay = _plan_layer(p, w)
    _apply_layer_dirt(lay, dirt_list, dirt)
    info = _write(out, lay)
    timings[f"write_{name}_s"] = info.pop("_write_s")
    p.geoms = None  # the facts work on the plan's units, not its parcels
    p.ids = p.fids = p.codes = None
    return {
        "name": name,
        "plan": p,
        "info": info,
        "timings": timings,
        "dirt": dirt,
        "changes": changes,
        "farm": farm,
    }


def _merge_dirt(into: dict, part: dict) -> None:
    for kind, entry in part.items():
        if "layers" in entry and kind in into:
            into[kind]["layers"].update(entry["layers"])
            into[kind]["count"] = int(sum(e["count"] for e in into[kind]["layers"].values()))
        else:
            into[kind] = entry


def generate(out_dir, parcels: int = 20000, seed: int = 42, dirt=False, revision=None) -> dict:
    """Generate the demo district into ``out_dir`` and return its manifest (also ``manifest.json``).

    ``dirt``: False, True (all kinds) or an iterable of names from ``DIRT_KINDS``.
    ``revision``: None, a share (e.g. 0.05) or ``{"share": 0.05, "plan": "urban_plan", "base": dir}``:
    the same district as without it (same seed), with that share of one plan's parcels changed and
    the change record written as ``changes.csv`` / ``changes.json``.  ``base``, when given, is a
    previous generation checked to be the same seed and size.
    """
    t_all = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parcels = int(parcels)
    if parcels < 1000:
        raise ValueError("parcels must be >= 1000")
    dirt_list = _dirt_set(dirt)
    rev = _resolve_revision(revision)
    base_manifest = None
    if rev and rev.get("base"):
        base_manifest = load_manifest(rev["base"])
        g = base_manifest["generator"]
        if g["seed"] != seed or g["parcels"] != parcels:
            raise ValueError("revision base was generated with another seed or size")
    timings: dict[str, float] = {}
    old_date = gdal.GetConfigOption("OGR_CURRENT_DATE")
    gdal.SetConfigOption("OGR_CURRENT_DATE", FIXED_DATE)
    # GEOS 3.11.1 leaves floating-point flags set in some overlays with correct results (fixed in
    # 3.11.2, shapely issues #1345/#2045); numpy would turn each into a RuntimeWarning
    old_err = np.seterr(invalid="ignore", divide="ignore", over="ignore")
    try:
        t = time.perf_counter()
        w = World(seed=seed, n=parcels)
        rng = _rng(seed, "world")
        _district(rng, w)
        _features(rng, w)
        timings["features_s"] = time.perf_counter() - t
        _units(_rng(seed, "units"), w)
        timings["units_s"] = w.times["units_s"]
        sc = _scenario(_rng(seed, "scenario"), w)
        z = _lines_and_zones(w, sc)
        kp = _key_projects(_rng(seed, "projects"), w, sc)
        manifest_dirt: dict = {}
        infos: dict[str, dict] = {}
        plans: dict[str, Plan] = {}
        changes = None
        farm: dict = {}
        _JOB.update(w=w, sc=sc, seed=seed, dirt=dirt_list, rev=rev, out=out)
        # One plan at a time: each is written and its parcels let go before the next (a 1M-parcel
        # plan holds ~1 GB).  Two forked workers were measured too: 8 % faster at 1M on two busy
        # cores, for 2.5 times the peak memory, so the plans stay serial.
        results = [_plan_job(name) for name in PLAN_SPECS]
        _JOB.clear()
        for res in results:  # merged in plan order, whatever order they finished in
            name = res["name"]
            plans[name] = res["plan"]
            infos[name] = res["info"]
            timings.update(res["timings"])
            _merge_dirt(manifest_dirt, res["dirt"])
            changes = res["changes"] if res["changes"] is not None else changes
            farm = res["farm"] or farm

        def emit(lay: Layer) -> None:
            _apply_layer_dirt(lay, dirt_list, manifest_dirt)
            infos[lay.key] = _write(out, lay)
            timings[f"write_{lay.key}_s"] = infos[lay.key].pop("_write_s")

        t = time.perf_counter()
        facts = _facts(w, plans, sc, z, kp, farm["geoms"], farm["kcxs"])
        timings["facts_s"] = time.perf_counter() - t
        for lay in _other_layers(w, z, kp, farm).values():
            emit(lay)
        manifest = {
            "schema": SCHEMA,
            "generator": {
                "version": GENERATOR_VERSION,
                "seed": seed,
                "parcels": parcels,
                "dirt": dirt_list,
                "revision": None if rev is None else {"share": rev["share"], "plan": rev["plan"]},
            },
            "crs": {"main": f"EPSG:{EPSG_MAIN}", "origin_local": list(ORIGIN)},
            "district": {
                "area_m2": _r(w.district.area),
                "bounds": [_r(v) for v in np.array(w.district.bounds) + np.r_[ORIGIN, ORIGIN]],
                "streets": [s[0] for s in STREETS],
            },
            "layers": infos,
            "facts": facts,
            "dirt": manifest_dirt,
            "revision": None,
        }
        if rev:
            rows = changes
            counts: dict[str, int] = {}
            for r in rows:
                counts[r["change"]] = counts.get(r["change"], 0) + 1
            _write_changes(out, rows)
            manifest["revision"] = {
                "plan": rev["plan"],
                "share": rev["share"],
                "counts": counts,
                "changed_parcels": int(sum(len(r["old_ids"]) for r in rows)),
                "changes_csv": "changes.csv",
                "changes_json": "changes.json",
                "base_checked": bool(
                    base_manifest is not None
                    and base_manifest["layers"]["truth"]["content_hash"] == infos["truth"]["content_hash"]
                ),
            }
        timings["total_s"] = time.perf_counter() - t_all
        manifest["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
        with open(out / "manifest.json", "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=1)
    finally:
        gdal.SetConfigOption("OGR_CURRENT_DATE", old_date)
        np.seterr(**old_err)
    return _absolute(manifest, out)


def _other_layers(w: World, z: dict, kp, farm: dict) -> dict:
    layers: dict[str, Layer] = {}
    tk = np.array(CLASS_KEYS, dtype=object)[w.unit_cls]
    layers["truth"] = Layer(
        "truth",
        w.units,
        [
            ("ZTLX", "text", tk),
            ("YDYHDM", "text", np.array([TRUTH[k][0] for k in tk.tolist()], dtype=object)),
            ("YDYHMC", "text", np.array([TRUTH[k][1] for k in tk.tolist()], dtype=object)),
            ("JSYD", "int", np.array([TRUTH[k][2] for k in tk.tolist()], dtype=np.int64)),
            ("TSMC", "text", np.where(w.unit_name == "", None, w.unit_name)),
        ],
        standard="YDYH-2023",
        code_field="YDYHDM",
        name_field="YDYHMC",
        id_field=None,
        title="真值用地(生成器)",
    )
    st_names = np.array([s[0] for s in STREETS], dtype=object)
    st_codes = np.array([s[1] for s in STREETS], dtype=object)
    layers["streets"] = Layer(
        "streets",
        w.streets,
        [("XZQDM", "text", st_codes), ("XZQMC", "text", st_names)],
        code_field="XZQDM",
        name_field="XZQMC",
        id_field="XZQDM",
        title="街道/镇",
    )
    # 主体功能区 by street, own digitisation, with 禁止开发区域 cut out
    dwarp, _ = _warp(w.streets, _warp_func(_rng(w.seed, "warp:development_plan")))
    ushare = overlap_area(dwarp, w.units[np.isin(w.unit_cls, [CLS[k] for k in URBAN_KEYS])], by_a=True)
    ushare = ushare / shapely.area(dwarp)
    rank = np.argsort(-ushare, kind="stable")
    ztype = np.empty(len(dwarp), dtype=object)
    ztype[rank[:4]] = ZONE_TYPES[0]
    ztype[rank[4:6]] = ZONE_TYPES[1]
    ztype[rank[6:]] = ZONE_TYPES[2]
    forbid = _union(z["eco1"])
    zones = _polygonal(shapely.difference(dwarp, forbid))
    fb = _polygonal(shapely.intersection(dwarp, forbid))
    fb_ok = ~shapely.is_empty(fb)
    zg = np.concatenate([zones, fb[fb_ok]])
    zt = np.concatenate([ztype, np.full(fb_ok.sum(), ZONE_TYPES[3], dtype=object)])
    zs = np.concatenate([st_names, st_names[fb_ok]])
    zc = np.concatenate([st_codes, st_codes[fb_ok]])
    layers["development_plan"] = Layer(
        "development_plan",
        zg,
        [
            ("GNQLX", "text", zt),
            ("GNQMC", "text", np.array([f"{s}{t}" for s, t in zip(zs, zt)], dtype=object)),
            ("JDMC", "text", zs),
            ("JDDM", "text", zc),
        ],
        standard="ZTGN",
        code_field="GNQLX",
        name_field="GNQMC",
        id_field=None,
        title="主体功能区规划",
    )
    polys, pattrs, pts, ptattrs = kp
    layers["key_projects"] = Layer(
        "key_projects",
        polys,
        [
            ("XMBH", "text", np.array([f"XM{i:04d}" for i in range(1, len(polys) + 1)], dtype=object)),
            ("XMMC", "text", np.array([a[1] for a in pattrs], dtype=object)),
            ("XMLX", "text", np.array([a[0] for a in pattrs], dtype=object)),
            ("XMMJ", "real", np.round(shapely.area(polys), 2)),
        ],
        id_field="XMBH",
        name_field="XMMC",
        code_field="XMLX",
        title="重大项目(面)",
    )
    layers["key_projects_pt"] = Layer(
        "key_projects_pt",
        pts,
        [
            ("XMBH", "text", np.array([f"XD{i:04d}" for i in range(1, len(pts) + 1)], dtype=object)),
            ("XMMC", "text", np.array([a[1] for a in ptattrs], dtype=object)),
            ("XMLX", "text", np.array([a[0] for a in ptattrs], dtype=object)),
            ("XMMJ", "real", np.array([a[2] for a in ptattrs], dtype=np.float64)),
        ],
        geom_type="Point",
        id_field="XMBH",
        name_field="XMMC",
        code_field="XMLX",
        title="重大项目(点, XMMJ 为面积)",
    )
    # eco plan
    e1, e2 = z["eco1"], z["eco2"]
    eg = np.concatenate([e1, e2])
    el = np.array([ECO_LEVELS[0]] * len(e1) + [ECO_LEVELS[1]] * len(e2), dtype=object)
    en = np.array(_name_zone(eg, w), dtype=object) if len(eg) else np.zeros(0, object)
    layers["eco_plan"] = Layer(
        "eco_plan",
        eg,
        [
            ("HXBH", "text", np.array([f"STHX{i:03d}" for i in range(1, len(eg) + 1)], dtype=object)),
            ("HXMC", "text", np.array([f"{a}{b}" for a, b in zip(en, el)], dtype=object)),
            ("GKJB", "text", el),
            ("HXLX", "text", np.array([_zone_kind(x) for x in en], dtype=object)),
            ("MJ", "real", np.round(shapely.area(eg), 2)),
        ],
        standard="STHX",
        code_field="GKJB",
        name_field="HXMC",
        id_field="HXBH",
        title="生态红线区域(环保)",
    )
    red = z["redline"]
    rn = np.array(_name_zone(red, w), dtype=object) if len(red) else np.zeros(0, object)
    layers["redline"] = Layer(
        "redline",
        red,
        [
            ("HXBH", "text", np.array([f"HX{i:03d}" for i in range(1, len(red) + 1)], dtype=object)),
            ("HXMC", "text", np.array([f"{x}生态保护红线" for x in rn], dtype=object)),
            ("HXLX", "text", np.array([_zone_kind(x) for x in rn], dtype=object)),
            ("MJ", "real", np.round(shapely.area(red), 2)),
        ],
        id_field="HXBH",
        name_field="HXMC",
        title="生态保护红线",
    )
    fl_geoms, fl_codes, fl_ids, kcxs = farm["geoms"], farm["codes"], farm["ids"], farm["kcxs"]
    tbmj = np.round(shapely.area(fl_geoms), 2)
    layers["farmland"] = Layer(
        "farmland",
        fl_geoms,
        [
            (
                "JBNTTBBH",
                "text",
                np.array([f"JBNT{i:07d}" for i in range(1, len(fl_geoms) + 1)], dtype=object),
            ),
            ("DLBM", "text", fl_codes),
            ("DLMC", "text", np.array([GBT21010_NAMES[c] for c in fl_codes.tolist()], dtype=object)),
            ("TBBH", "text", fl_ids),
            ("KCXS", "real", kcxs),
            ("TBMJ", "real", tbmj),
            ("KCMJ", "real", np.round(tbmj * kcxs, 2)),
        ],
        standard="GBT21010-2017",
        code_field="DLBM",
        name_field="DLMC",
        id_field="JBNTTBBH",
        title="永久基本农田",
    )
    dv = z["dev_boundary"]
    layers["dev_boundary"] = Layer(
        "dev_boundary",
        np.array([dv], dtype=object),
        [
            ("BSM", "text", np.array(["KFBJ0001"], dtype=object)),
            ("KFBJLX", "text", np.array(["城镇开发边界"], dtype=object)),
            ("XZQMC", "text", np.array(["示范区"], dtype=object)),
            ("MJ", "real", np.array([round(dv.area, 2)])),
        ],
        id_field="BSM",
        title="城镇开发边界",
    )
    return layers


def _write_changes(out: Path, rows: list[dict]) -> None:
    with open(out / "changes.json", "w", encoding="utf-8") as fh:
        json.dump(rows, fh, ensure_ascii=False, indent=1)
    cols = [
        "change",
        "old_ids",
        "new_ids",
        "old_fids",
        "new_fids",
        "old_codes",
        "new_codes",
        "construction_changed",
        "old_area_m2",
        "new_area_m2",
        "iou",
    ]
    with open(out / "changes.csv", "w", encoding="utf-8", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(cols)
        for r in rows:
            wr.writerow(
                [
                    ";".join(str(v) for v in r[c])
                    if isinstance(r[c], list)
                    else ("" if r[c] is None else (round(r[c], 4) if isinstance(r[c], float) else r[c]))
                    for c in cols
                ]
            )


def _absolute(manifest: dict, out: Path) -> dict:
    m = json.loads(json.dumps(manifest))
    m["out_dir"] = str(out.resolve())
    for info in m["layers"].values():
        info["path"] = str((out / info["path"]).resolve())
    if m.get("revision"):
        for k in ("changes_csv", "changes_json"):
            m["revision"][k] = str((out / m["revision"][k]).resolve())
    return m


def load_manifest(out_dir) -> dict:
    """The manifest of a generated folder, with every path made absolute."""
    out = Path(out_dir)
    with open(out / "manifest.json", encoding="utf-8") as fh:
        return _absolute(json.load(fh), out)


def ensure_generated(out_dir, parcels: int = 20000, seed: int = 42, dirt=False, revision=None) -> dict:
    """The manifest of ``out_dir`` if it already holds this generation, else ``generate(...)``.

    For benchmarks and the demo runner: a 1M-parcel district takes minutes, so a folder made by the
    same generator version with the same seed, size, dirt and revision (and all its files present)
    is reused.
    """
    try:
        m = load_manifest(out_dir)
    except (OSError, ValueError):
        return generate(out_dir, parcels=parcels, seed=seed, dirt=dirt, revision=revision)
    rev = _resolve_revision(revision)
    want = {
        "version": GENERATOR_VERSION,
        "seed": int(seed),
        "parcels": int(parcels),
        "dirt": _dirt_set(dirt),
        "revision": None if rev is None else {"share": rev["share"], "plan": rev["plan"]},
    }
    files = [Path(info["path"]) for info in m["layers"].values()]
    if m.get("generator") == want and all(f.exists() for f in files):
        return m
    return generate(out_dir, parcels=parcels, seed=seed, dirt=dirt, revision=revision)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parcels", type=int, default=20000)
    ap.add_argument("--out", default="demo/plans")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--dirt",
        nargs="?",
        const="all",
        default=None,
        help="switch dirt on: all kinds, or a comma-separated list of " + ", ".join(ALL_DIRT),
    )
    ap.add_argument("--revision", type=float, default=None, help="share of one plan's parcels to change")
    ap.add_argument("--revision-plan", default="urban_plan", choices=list(PLAN_SPECS))
    ap.add_argument("--base", default=None, help="a previous generation to check the revision against")
    a = ap.parse_args(argv)
    dirt = (
        True
        if a.dirt == "all"
        else ([d.strip() for d in a.dirt.split(",") if d.strip()] if a.dirt else False)
    )
    rev = None if a.revision is None else {"share": a.revision, "plan": a.revision_plan, "base": a.base}
    m = generate(a.out, parcels=a.parcels, seed=a.seed, dirt=dirt, revision=rev)
    f = m["facts"]
    print(f"demo district: {m['out_dir']}  ({m['timings_s']['total_s']:.1f} s)")
    for k, info in m["layers"].items():
        print(f"  {k:18s} {info['count']:>9d}  {info['crs']:10s} {os.path.basename(info['path'])}")
    lg = f["lianggui"]
    print(
        f"  两规 差异: 城规建设/土规非建设 {lg['urban_con_land_non_share']:.2%}, "
        f"土规建设/城规非建设 {lg['land_con_urban_non_share']:.2%}"
    )
    if m["dirt"]:
        print("  dirt: " + ", ".join(f"{k}={v['count']}" for k, v in m["dirt"].items()))
    if m["revision"]:
        print("  revision: " + ", ".join(f"{k}={v}" for k, v in m["revision"]["counts"].items()))
    return 0


if __name__ == "__main__":
    # run as a script: make the plugin importable as ``multiplan`` (make setup creates the link)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / ".build" / "py"))
    sys.exit(main())
