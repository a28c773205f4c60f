"""Slivers: thin or tiny patches that independent digitising creates — technical, not planning, differences.

Why a class and not a filter: a sliver may hide a real (small) difference, so it stays visible as
its own class (``is_sliver`` with a reason) and the reviewer can decide it as a technical error in
bulk.  Only *specks* (≤ ``speck_area``, default 0.01 m², DOMAIN.md §4) are dropped — and counted.

Measures (all vectorised; none needs more than a few microseconds per patch):

* ``area`` A and ``perimeter`` P in the working CRS;
* ``mean width`` 2A/P — exact for a long strip, and never more than the diameter of the largest
  inscribed circle (every point of a shape whose inscribed circles have radius ≤ r lies within r of
  the boundary, so A ≤ r·P);
* ``narrow`` — the largest inscribed circle has diameter ≤ ``max_width``, tested exactly by an
  inward buffer of ``max_width``/2 leaving nothing; evaluated only where the mean width already is
  ≤ ``max_width`` (the bound above says nothing else can be narrow).  This is what keeps a real block
  with a thin tail from being called a sliver, and what catches a long strip of any area;
* ``elongation`` — long / short axis from the area moments of inertia (exactly L/W for a rectangle);
* ``compactness`` 4πA/P² (1 for a disc, → 0 for a strip or a ragged shape).

A patch is a sliver when ``A < min_area`` (reason ``area``) or when it is small or narrow
(``A ≤ max_area`` or ``narrow``) *and* thin-shaped (``elongation ≥ min_elongation`` or
``compactness ≤ max_compactness``).  Defaults are the thresholds seen in practice (DOMAIN.md §4):
200 m², 1000 m², 5 m, 5, 0.25.  None is national; all are parameters.

Across datums (e.g. a plan in Xian 1980 or WGS 84 reprojected to CGCS2000 with a ballpark
transformation) boundaries shift by metres: every shared boundary then yields a strip as wide as the
shift.  ``max_width`` is the knob for that — set it just above the expected shift so those strips,
whatever their length and area, land in the sliver class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from .i18n import tr, tr_noop


@dataclass(frozen=True)
class SliverParams:
    """Thresholds (metres, square metres) of the sliver test; see the module docstring."""

    speck_area: float = 0.01
    min_area: float = 200.0
    max_area: float = 1000.0
    max_width: float = 5.0
    min_elongation: float = 5.0
    max_compactness: float = 0.25

    def validate(self) -> None:
        for name in ("speck_area", "min_area", "max_area", "max_width", "min_elongation", "max_compactness"):
            if getattr(self, name) < 0:
                raise ValueError(tr("Sliver parameter {name} must not be negative").format(name=name))


@dataclass
class SliverResult:
    """Per geometry: the flag, the reason (``""`` when not a sliver), the measures, and specks."""

    is_sliver: np.ndarray
    reason: np.ndarray
    is_speck: np.ndarray
    area: np.ndarray
    mean_width: np.ndarray
    elongation: np.ndarray
    compactness: np.ndarray
    narrow: np.ndarray


REASONS = {
    "area": tr_noop("smaller than the minimum area"),
    "small": "small",
    "narrow": "narrow",
    "elongated": "elongated",
    "irregular": tr_noop("not compact"),
}


def reason_text(reason: str) -> str:
    """A translated, readable form of a reason code such as ``narrow+elongated``."""
    if not reason:
        return ""
    return ", ".join(tr(REASONS.get(part, part)) for part in reason.split("+"))


def elongation(geoms: np.ndarray) -> np.ndarray:
    """Long/short axis ratio of each polygonal geometry from its area moments of inertia.

    sqrt(λmax/λmin) of the second-moment tensor about the centroid: exactly L/W for an L×W
    rectangle and a/b for an ellipse, for any orientation; computed from the ring coordinates in
    one vectorised pass (``minimum_rotated_rectangle`` is a Python loop on GEOS < 3.12).  A shape
    without area (a line) gets infinity.
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    out = np.full(n, np.inf)
    if not n:
        return out
    parts, pidx = shapely.get_parts(geoms, return_index=True)
    poly = shapely.get_type_id(parts) == 3
    parts, pidx = parts[poly], pidx[poly]
    rings, ridx = shapely.get_rings(parts, return_index=True)
    xy, cidx = shapely.get_coordinates(rings, return_index=True)
    if not len(xy):
        return out
    owner = pidx[ridx][cidx]
    # shift to a local origin per geometry (numerical safety with 10^6 m coordinates)
    first = np.searchsorted(owner, np.arange(n))
    first = np.minimum(first, len(xy) - 1)
    x = xy[:, 0] - xy[first[owner], 0]
    y = xy[:, 1] - xy[first[owner], 1]
    same = cidx[1:] == cidx[:-1]
    s = np.flatnonzero(same)
    x0, y0, x1, y1 = x[s], y[s], x[s + 1], y[s + 1]
    c = x0 * y1 - x1 * y0
    g = owner[s]
    # ring orientation: shells and holes come with opposite signs after orienting each ring by the
    # sign of its own area, holes being inner rings
    ring = cidx[s]
    ring_c = np.bincount(ring, weights=c, minlength=len(rings))
    is_shell = np.r_[True, ridx[1:] != ridx[:-1]]
    sign = np.where(is_shell, 1.0, -1.0) * np.sign(ring_c)
    w = sign[ring]
    a = np.bincount(g, weights=w * c, minlength=n) / 2.0
    cx = np.bincount(g, weights=w * (x0 + x1) * c, minlength=n) / 6.0
    cy = np.bincount(g, weights=w * (y0 + y1) * c, minlength=n) / 6.0
    ixx = np.bincount(g, weights=w * (y0 * y0 + y0 * y1 + y1 * y1) * c, minlength=n) / 12.0
    iyy = np.bincount(g, weights=w * (x0 * x0 + x0 * x1 + x1 * x1) * c, minlength=n) / 12.0
    ixy = np.bincount(g, weights=w * (x0 * y1 + 2 * x0 * y0 + 2 * x1 * y1 + x1 * y0) * c, minlength=n) / 24.0
    with np.errstate(divide="ignore", invalid="ignore"):
        mx, my = cx / a, cy / a
        sxx = iyy - a * mx * mx  # second moments about the centroid
        syy = ixx - a * my * my
        sxy = ixy - a * mx * my
        half = (sxx + syy) / 2.0
        root = np.sqrt(((sxx - syy) / 2.0) ** 2 + sxy**2)
        lmax, lmin = half + root, half - root
        ratio = np.sqrt(lmax / lmin)
    ok = (a > 0) & (lmin > 0) & np.isfinite(ratio)
    out[ok] = ratio[ok]
    return out


def classify(geoms: np.ndarray, params: SliverParams | None = None, *, areas=None) -> SliverResult:
    """Flag slivers and specks among polygonal geometries (the module docstring defines the test)."""
    p = params or SliverParams()
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    area = shapely.area(geoms) if areas is None else np.asarray(areas, dtype=np.float64)
    perim = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_width = np.where(perim > 0, 2.0 * area / perim, 0.0)
        compact = np.where(perim > 0, 4.0 * np.pi * area / perim**2, 0.0)
    speck = area <= p.speck_area
    small_area = area < p.min_area
    # narrow: only shapes whose mean width allows it can be narrow; test them exactly
    narrow = np.zeros(n, dtype=bool)
    cand = np.flatnonzero(~speck & ~small_area & (mean_width <= p.max_width))
    if len(cand):
        narrow[cand] = shapely.is_empty(shapely.buffer(geoms[cand], -p.max_width / 2.0, quad_segs=2))
    sized = (area <= p.max_area) | narrow
    irregular = compact <= p.max_compactness
    elong = np.full(n, np.nan)
    need = np.flatnonzero(~speck & ~small_area & sized)
    if len(need):
        elong[need] = elongation(geoms[need])
    elongated = np.nan_to_num(elong, nan=0.0) >= p.min_elongation
    shaped = elongated | irregular
    sliver = ~speck & (small_area | (sized & shaped))
    reason = np.full(n, "", dtype=object)
    reason[sliver & small_area] = "area"
    second = np.flatnonzero(sliver & ~small_area)
    if len(second):
        size_tok = np.where(narrow[second], "narrow", "small")
        shape_tok = np.where(
            elongated[second] & irregular[second],
            "elongated+irregular",
            np.where(elongated[second], "elongated", "irregular"),
        )
        joined = np.char.add(np.char.add(size_tok.astype(str), "+"), shape_tok.astype(str))
        reason[second] = joined.astype(object)
    return SliverResult(
        is_sliver=sliver,
        reason=reason,
        is_speck=speck,
        area=area,
        mean_width=mean_width,
        elongation=elong,
        compactness=compact,
        narrow=narrow,
    )
