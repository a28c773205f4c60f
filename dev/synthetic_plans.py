"""Small synthetic, already-harmonised plans for the detection engine's tests and its engine benchmark.

Not the demo district (``dev/demo_district.py`` writes files in the plans' real code systems); this
builds FeatureTables that already carry the Contract 1 fields, in memory, in a second or two even at
100k parcels, so the engine can be tested and profiled on its own.

The district is a square of ``n`` × 9 000 m² in EPSG:4548.  A smooth "truth" (an urban core, two
towns, villages, a river, a lake, a wooded hill) is read at each parcel's centroid; each plan has
its own Voronoi parcels (independent digitising: boundaries never coincide).  The urban plan calls
more land construction than the land-use plan (the usual 两规 difference).  ``dirt`` adds bow-tie
rings, overlapping and shrunken parcels and unknown codes, at the stated counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from multiplan.algorithms.detect import LineInput, PlanInput
from multiplan.algorithms.table import FeatureTable
from pyproj import CRS

EPSG = 4548
X0, Y0 = 600000.0, 3540000.0

# source codes each plan uses for the truth classes (harmonised by the real engine)
URBAN = {
    "water": "E1",
    "forest": "E2",
    "farm": "E2",
    "village": "H14",
    "mine": "H5",
    "R": "R2",
    "M": "M1",
    "A": "A33",
    "B": "B1",
    "S": "S1",
    "G": "G1",
}
LAND = {
    "water": "311",
    "lake": "226",
    "forest": "13",
    "farm": "11",
    "village": "212",
    "mine": "213",
    "urban": "211",
}


def voronoi(n: int, side: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` Voronoi parcels of a square (a clean coverage with shared vertices)."""
    pts = rng.uniform(0, side, (n, 2)) + (X0, Y0)
    frame = shapely.box(X0, Y0, X0 + side, Y0 + side)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame))
    cells = shapely.intersection(cells, frame)
    return cells[shapely.area(cells) > 0]


def _fields(x: np.ndarray, y: np.ndarray, side: float, urban_shift: float) -> np.ndarray:
    u, v = (x - X0) / side, (y - Y0) / side
    urb = (
        np.exp(-((u - 0.5) ** 2 + (v - 0.55) ** 2) / 0.03)
        + 0.7 * np.exp(-((u - 0.2) ** 2 + (v - 0.25) ** 2) / 0.006)
        + 0.6 * np.exp(-((u - 0.82) ** 2 + (v - 0.3) ** 2) / 0.005)
        + 0.08 * np.sin(23 * u) * np.sin(19 * v)
    )
    out = np.full(len(x), "farm", dtype=object)
    hill = ((u - 0.15) ** 2 + (v - 0.8) ** 2) < 0.012
    out[hill] = "forest"
    out[hill & (np.sin(60 * u) * np.sin(55 * v) > 0.9)] = "mine"
    village = (np.sin(41 * u + 1.3) * np.sin(37 * v + 0.4)) > 0.93 - urban_shift * 0.2
    out[village & ~hill] = "village"
    core = urb > 0.45 - urban_shift
    out[core] = "urban"
    river = np.abs(v - (0.42 + 0.08 * np.sin(7 * u))) < 0.012
    lake = ((u - 0.75) ** 2 + (v - 0.78) ** 2) < 0.004
    out[river] = "water"
    out[lake] = "lake"
    return out


def _table(geoms, cols: dict, name: str) -> FeatureTable:
    n = len(geoms)
    return FeatureTable(
        geoms=np.asarray(geoms, dtype=object),
        fids=np.arange(1, n + 1, dtype=np.int64),
        columns={
            k: np.asarray(v, dtype=object) if not isinstance(v, np.ndarray) else v for k, v in cols.items()
        },
        field_types={k: ("int" if k == "mp_construction" else "text") for k in cols},
        crs_wkt=CRS.from_epsg(EPSG).to_wkt(),
        name=name,
    )


def _harmonised(codes, standard: str) -> dict[str, np.ndarray]:
    """The Contract 1 fields, made by the real harmonisation engine."""
    from multiplan.algorithms.harmonise import harmonise

    h = harmonise(np.asarray(codes, dtype=object), standard=standard)
    return {k: np.asarray(v, dtype=object) for k, v in h.fields.items()}


@dataclass
class District:
    """The synthetic district: plans, lines, streets, and what dirt was applied (fids)."""

    plans: dict[str, PlanInput]
    lines: dict[str, LineInput]
    streets: FeatureTable
    side: float
    dirt: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def plan_list(self, roles=None) -> list[PlanInput]:
        return [self.plans[r] for r in (roles or self.plans)]

    def line_list(self, names=None) -> list[LineInput]:
        return [self.lines[x] for x in (names or self.lines)]


def _bowtie(g) -> shapely.Polygon:
    x0, y0, x1, y1 = g.bounds
    return shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])


def _apply_dirt(geoms: np.ndarray, cols: dict, rng, k: int) -> dict[str, list[int]]:
    """Bow-ties, overlaps (+3 m), gaps (−2 m) and unknown codes, ``k`` of each, on distinct parcels."""
    n = len(geoms)
    pick = rng.choice(n, size=min(4 * k, n), replace=False)
    bad, big, small, unknown = pick[:k], pick[k : 2 * k], pick[2 * k : 3 * k], pick[3 * k : 4 * k]
    geoms[bad] = [_bowtie(g) for g in geoms[bad]]
    geoms[big] = shapely.buffer(geoms[big], 3.0, join_style="mitre")
    geoms[small] = shapely.buffer(geoms[small], -2.0, join_style="mitre")
    cols["mp_src_code"][unknown] = "R5"  # a local code no table knows
    cols["mp_code"][unknown] = None
    cols["mp_name"][unknown] = None
    cols["mp_level"][unknown] = None
    cols["mp_construction"][unknown] = None
    cols["mp_sandalei"][unknown] = None
    cols["mp_status"][unknown] = "unmapped"
    return {
        "invalid": sorted(int(i) + 1 for i in bad),
        "overlap": sorted(int(i) + 1 for i in big),
        "gap": sorted(int(i) + 1 for i in small),
        "unknown": sorted(int(i) + 1 for i in unknown),
    }


def make_district(n: int = 2000, seed: int = 0, dirt: bool = False, dirt_share: float = 0.005) -> District:
    """Build the synthetic district with ``n`` parcels per land-use plan (see the module docstring)."""
    rng = np.random.default_rng(seed)
    side = float(np.sqrt(n * 9000.0))
    # urban plan (GB 50137): construction called a little more generously than the land plan
    ua = voronoi(n, side, rng)
    c = shapely.centroid(ua)
    truth = _fields(shapely.get_x(c), shapely.get_y(c), side, urban_shift=0.08)
    sub = np.array(list("RRRMMABSG"), dtype=object)[rng.integers(0, 9, len(ua))]
    keys = np.where(truth == "urban", sub, np.where(truth == "lake", "water", truth))
    ucols = _harmonised([URBAN[k] for k in keys], "GB50137-2011")
    # land plan (TD/T 1024)
    la = voronoi(n, side, rng)
    c = shapely.centroid(la)
    ltruth = _fields(shapely.get_x(c), shapely.get_y(c), side, urban_shift=0.0)
    lcols = _harmonised([LAND[k] for k in ltruth], "TDT1024-2010")
    dirt_fids: dict[str, dict[str, list[int]]] = {}
    if dirt:
        k = max(1, int(n * dirt_share))
        ua, la = ua.copy(), la.copy()
        dirt_fids["urban"] = _apply_dirt(ua, ucols, rng, k)
        dirt_fids["land"] = _apply_dirt(la, lcols, rng, k)
    plans = {
        "urban": PlanInput("urban", _table(ua, ucols, "urban_plan"), "landuse", layer="urban_plan"),
        "land": PlanInput("land", _table(la, lcols, "land_plan"), "landuse", layer="land_plan"),
    }
    frame = shapely.box(X0, Y0, X0 + side, Y0 + side)

    def at(u, v):
        return X0 + u * side, Y0 + v * side

    def disc(u, v, r, n_vertices=720):
        cx, cy = at(u, v)
        ang = np.linspace(0, 2 * np.pi, n_vertices, endpoint=False)
        rr = r * side * (1 + 0.06 * np.sin(7 * ang) + 0.03 * np.sin(23 * ang))
        return shapely.Polygon(np.column_stack([cx + rr * np.cos(ang), cy + rr * np.sin(ang)]))

    hill = disc(0.15, 0.8, 0.1)
    lake = disc(0.75, 0.78, 0.07)
    # development plan (主体功能区): zones by quadrant, the hill prohibited
    zones = [
        shapely.box(*at(0, 0), *at(0.5, 0.5)),
        shapely.box(*at(0.5, 0), *at(1, 0.5)),
        shapely.box(*at(0, 0.5), *at(0.5, 1)),
        shapely.box(*at(0.5, 0.5), *at(1, 1)),
    ]
    zones = list(shapely.difference(np.array(zones, dtype=object), hill)) + [
        shapely.intersection(hill, frame)
    ]
    znames = ["重点开发区域", "优化开发区域", "限制开发区域", "优化开发区域", "禁止开发区域"]
    zcols = _harmonised(znames, "ZTGN")
    plans["development"] = PlanInput(
        "development", _table(np.array(zones, dtype=object), zcols, "zones"), "zones"
    )
    # eco plan: first level = hill and lake, second level = a ring around them
    first = shapely.intersection(shapely.union(hill, lake), frame)
    second = shapely.intersection(shapely.difference(shapely.buffer(first, 0.05 * side), first), frame)
    ecols = _harmonised(["一级管控区", "二级管控区"], "STHX")
    plans["eco"] = PlanInput("eco", _table(np.array([first, second], dtype=object), ecols, "eco_plan"), "eco")
    # key projects: discs and points with an area
    pr = rng.uniform(0.05, 0.95, (30, 2))
    pgeoms = [shapely.Point(*at(u, v)).buffer(rng.uniform(0.004, 0.012) * side) for u, v in pr[:20]]
    pgeoms += [shapely.Point(*at(u, v)) for u, v in pr[20:]]
    pcols = {
        "name": np.array([f"项目{i + 1}" for i in range(30)], dtype=object),
        "area": np.array([None] * 20 + [float(a) for a in rng.uniform(5e3, 5e4, 10)], dtype=object),
    }
    plans["projects"] = PlanInput(
        "projects",
        _table(np.array(pgeoms, dtype=object), pcols, "key_projects"),
        "projects",
        code_column="name",
        area_column="area",
    )
    # control lines
    red = shapely.intersection(shapely.union(disc(0.15, 0.8, 0.07), disc(0.75, 0.78, 0.05)), frame)
    lines = {
        "redline": LineInput(
            "redline", _table(shapely.get_parts(np.array([red], dtype=object)), {}, "redline")
        )
    }
    farm_sel = (ltruth == "farm") & (shapely.get_x(shapely.centroid(la)) < X0 + 0.7 * side)
    lines["farmland"] = LineInput("farmland", _table(la[farm_sel], {}, "farmland"))
    boundary = shapely.intersection(disc(0.5, 0.55, 0.24, 4000), frame)
    lines["boundary"] = LineInput("boundary", _table(np.array([boundary], dtype=object), {}, "dev_boundary"))
    # streets: a dozen cells, densified so they carry many vertices
    st = voronoi(12, side, rng)
    st = shapely.segmentize(st, side / 400.0)
    streets = _table(
        st, {"name": np.array([f"街道{i + 1}" for i in range(len(st))], dtype=object)}, "streets"
    )
    return District(plans=plans, lines=lines, streets=streets, side=side, dirt=dirt_fids)
