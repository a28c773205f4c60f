"""The overlay core: clean plans into coverages and cut only the ground where a rule says plans disagree.

Why not a QGIS-style overlay: ``native:intersection`` computes every piece of every parcel pair
(16 µs each, ~450 000 pairs for two 100k-parcel plans) and ``native:union`` three times that.  A
difference rule only needs the pieces where *its* classes meet, so this module works on arrays:

* :func:`clean_coverage` — repair invalid geometries (counted, with fids); find overlaps inside one
  plan without testing every neighbour pair (only features with an edge that no neighbour shares in
  reverse can overlap, see :func:`_edge_check`); resolve each overlap once (the lowest fid keeps the
  ground, the area is reported); find enclosed gaps from the same unshared edges.
* :class:`TiledRegion` — the "b side" of a rule (a plan's selected features, a control line, the
  streets): big polygons are cut into tiles of at most ``max_vertices`` vertices, so a small parcel
  is clipped against a few tiles instead of a 100k-vertex polygon; the originals stay (prepared) for
  a fast *contains* test: a parcel wholly inside needs no clipping at all.
* :func:`intersect_pieces`, :func:`outside_pieces`, :func:`split_by_units` — pair finding with an
  STRtree, then one vectorised ``shapely.intersection``/``difference`` call over the pairs.
* :func:`assemble` — pieces of one group (kind, code combination, unit) are unioned into maximal
  connected patches with a coverage union (pieces of two clean coverages share exact edges), checked
  (area and validity) and repaired with a full union where the check fails.

Every vectorised call runs in chunks on a small thread pool (shapely releases the GIL), and the
cancel flag is checked between chunks (:class:`Runner`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import shapely

from .geometry import repair_polygons
from .i18n import tr

POLYGON = 3


class Cancelled(Exception):  # noqa: N818 - the name the glue and the brief use
    """Raised when the caller's ``is_cancelled()`` turns true; nothing has been written anywhere."""


# ---------------------------------------------------------------------------------------------- runner


class Runner:
    """Run vectorised shapely calls in chunks on a thread pool; check cancellation between chunks.

    shapely 2 releases the GIL inside its ufuncs, so two threads give close to two cores.  Small inputs
    run inline.  ``check()`` raises :class:`Cancelled`.
    """

    def __init__(
        self, threads: int | None = None, is_cancelled: Callable[[], bool] | None = None, chunk: int = 8192
    ):
        self.threads = max(1, threads if threads is not None else min(4, os.cpu_count() or 1))
        self.is_cancelled = is_cancelled
        self.chunk = chunk
        self._pool: ThreadPoolExecutor | None = None

    def check(self) -> None:
        if self.is_cancelled is not None and self.is_cancelled():
            raise Cancelled(tr("Cancelled"))

    #: below this many elements a call runs inline (thread hand-over costs more than it gains)
    MIN_PARALLEL = 2048

    def map(self, fn: Callable, *arrays, serial: bool = False, chunk: int | None = None) -> np.ndarray:
        """``fn(*chunks)`` over aligned arrays, results concatenated in order.

        ``serial=True`` keeps to the calling thread: GEOS prepared geometries build their indexes
        lazily and must not be shared between threads (a prepared polygon repeated in the array).
        ``chunk``: elements per task when each element is heavy (rows of many pieces to union).
        """
        n = len(arrays[0])
        self.check()
        if n <= (chunk or self.MIN_PARALLEL) or self.threads == 1 or serial:
            if n <= self.chunk:
                return fn(*arrays)
            out = []
            for s in range(0, n, self.chunk):
                out.append(fn(*(a[s : s + self.chunk] for a in arrays)))
                self.check()
            return np.concatenate(out)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="multiplan")
        size = chunk or min(self.chunk, max(1024, -(-n // (self.threads * 2))))
        futures = [self._pool.submit(fn, *(a[s : s + size] for a in arrays)) for s in range(0, n, size)]
        out = []
        try:
            for f in futures:
                out.append(f.result())
                self.check()
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        return np.concatenate(out)

    def query(self, tree: shapely.STRtree, geoms: np.ndarray, predicate: str | None = None) -> np.ndarray:
        """``tree.query`` over chunks of ``geoms`` (threads); returns the (2, n) index array."""
        n = len(geoms)
        if n == 0:
            return np.zeros((2, 0), dtype=np.intp)

        def _q(chunk_idx: np.ndarray) -> np.ndarray:
            res = tree.query(geoms[chunk_idx], predicate=predicate)
            res[0] = chunk_idx[res[0]] if len(chunk_idx) else res[0]
            return res

        if n <= self.MIN_PARALLEL or self.threads == 1:
            self.check()
            return tree.query(geoms, predicate=predicate)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="multiplan")
        size = min(self.chunk * 2, max(1024, -(-n // (self.threads * 2))))
        futures = [self._pool.submit(_q, np.arange(s, min(n, s + size))) for s in range(0, n, size)]
        out = []
        for f in futures:
            out.append(f.result())
            self.check()
        return np.concatenate(out, axis=1)

    def run_tasks(self, fn: Callable, tasks: list, on_done: Callable[[], None] | None = None) -> list:
        """``fn(task)`` for each task on the pool; results in task order."""
        self.check()
        if self.threads == 1 or len(tasks) < 2:
            out = []
            for t in tasks:
                out.append(fn(t))
                if on_done:
                    on_done()
                self.check()
            return out
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="multiplan")
        futures = [self._pool.submit(fn, t) for t in tasks]
        out = []
        try:
            for f in futures:
                out.append(f.result())
                if on_done:
                    on_done()
                self.check()
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class StageClock:
    """Progress reporting plus stage timings for an engine run: ``clock(fraction, message)`` checks for
    cancellation and reports; ``clock.stage(name)`` adds the time since the last stage to ``timings``."""

    def __init__(self, progress: Callable[[float, str], None] | None, runner: Runner):
        self.progress = progress
        self.runner = runner
        self.last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def __call__(self, fraction: float, message: str) -> None:
        self.runner.check()
        if self.progress is not None:
            self.progress(min(max(fraction, 0.0), 1.0), message)

    def stage(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


# ---------------------------------------------------------------------------------------------- helpers


def explode_polygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single polygons of positive area out of any mix (collections, multis, lines, points, None).

    Returns the polygons and, for each, the index of the geometry it came from (ascending).  Plain
    polygons pass through untouched; only the others are taken apart (``get_parts`` copies).
    """
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.intp)
    types = shapely.get_type_id(geoms)
    simple = types == POLYGON
    if simple.all():  # the common case: nothing to take apart
        pos = np.flatnonzero(shapely.area(geoms) > 0)
        return geoms[pos], pos
    other = np.flatnonzero(np.isin(types, (6, 7)))
    parts, pidx = shapely.get_parts(geoms[other], return_index=True)
    idx = other[pidx]
    ptypes = shapely.get_type_id(parts)
    nested = np.isin(ptypes, (6, 7))
    if nested.any():  # a collection holding multipolygons (make_valid can do that)
        sub, sidx = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        idx = np.concatenate([idx[~nested], idx[nested][sidx]])
        ptypes = shapely.get_type_id(parts)
    keep = ptypes == POLYGON
    first = np.flatnonzero(simple)
    polys = np.concatenate([geoms[first], parts[keep]])
    src = np.concatenate([first, idx[keep]]).astype(np.intp)
    order = np.argsort(src, kind="stable")
    polys, src = polys[order], src[order]
    pos = shapely.area(polys) > 0
    return polys[pos], src[pos]


def _cut_boxes(bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two halves of each bounding box, split across the longer side.

    The shared cut edge runs in the same direction in both halves, so both clips compute the very
    same intersection points on it and the tiles fit exactly.
    """
    x0, y0, x1, y1 = bounds.T
    pad = 1e-6 * np.maximum(np.maximum(x1 - x0, y1 - y0), 1.0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    vertical = (x1 - x0) >= (y1 - y0)
    xm, ym = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    n = len(bounds)
    a = np.empty((n, 5, 2))
    b = np.empty((n, 5, 2))
    v = vertical
    # vertical cut at xm: left box counter-clockwise, right box clockwise; both walk (xm,y0)->(xm,y1)
    a[v] = np.stack([np.c_[x0, y0], np.c_[xm, y0], np.c_[xm, y1], np.c_[x0, y1], np.c_[x0, y0]], axis=1)[v]
    b[v] = np.stack([np.c_[xm, y0], np.c_[xm, y1], np.c_[x1, y1], np.c_[x1, y0], np.c_[xm, y0]], axis=1)[v]
    h = ~v
    # horizontal cut at ym: both walk (x0,ym)->(x1,ym)
    a[h] = np.stack([np.c_[x0, y0], np.c_[x1, y0], np.c_[x1, ym], np.c_[x0, ym], np.c_[x0, y0]], axis=1)[h]
    b[h] = np.stack([np.c_[x0, ym], np.c_[x1, ym], np.c_[x1, y1], np.c_[x0, y1], np.c_[x0, ym]], axis=1)[h]
    return shapely.polygons(a), shapely.polygons(b)


def subdivide(geoms: np.ndarray, max_vertices: int = 256, runner: Runner | None = None):
    """Cut polygons into tiles of at most ``max_vertices`` vertices (like PostGIS ST_Subdivide).

    Returns ``(tiles, owner)``: single polygons and the index of the polygon each came from.  Tiles of
    one polygon do not overlap and together cover it exactly; where a tile was cut again its
    neighbour has no vertex at the cut (a T-junction), which :func:`assemble` copes with.
    """
    runner = runner or Runner(threads=1)
    cur, owner = explode_polygons(geoms)
    out_t, out_o = [], []
    for _depth in range(40):
        if not len(cur):
            break
        small = shapely.get_num_coordinates(cur) <= max_vertices
        out_t.append(cur[small])
        out_o.append(owner[small])
        big, bown = cur[~small], owner[~small]
        if not len(big):
            cur = big
            break
        ba, bb = _cut_boxes(shapely.bounds(big))
        halves = np.concatenate(
            [
                runner.map(shapely.intersection, big, ba),
                runner.map(shapely.intersection, big, bb),
            ]
        )
        cur, hidx = explode_polygons(halves)
        owner = np.concatenate([bown, bown])[hidx]
    if len(cur):  # depth limit: keep what is left as it is
        out_t.append(cur)
        out_o.append(owner)
    if not out_t:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.intp)
    return np.concatenate(out_t), np.concatenate(out_o).astype(np.intp)


def _group_ranks(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted ``keys``: each element's rank within its run of equal keys, and the run starts."""
    n = len(keys)
    if not n:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    start = np.r_[True, keys[1:] != keys[:-1]]
    starts = np.flatnonzero(start)
    run_id = np.cumsum(start) - 1
    return np.arange(n) - starts[run_id], starts


def _subtract_rounds(base: np.ndarray, who: np.ndarray, cutters: np.ndarray, runner: Runner) -> np.ndarray:
    """``base[i] - union(cutters of i)`` for every i, by rounds of vectorised differences.

    ``who`` (sorted or not) gives, for each cutter, the index into ``base`` it is subtracted from.
    """
    out = base.copy()
    if not len(who):
        return out
    order = np.argsort(who, kind="stable")
    who_s, cut_s = who[order], cutters[order]
    rank, _ = _group_ranks(who_s)
    for r in range(int(rank.max()) + 1):
        sel = rank == r
        tgt = who_s[sel]
        out[tgt] = runner.map(shapely.difference, out[tgt], cut_s[sel])
    return out


# ---------------------------------------------------------------------------------------------- cleaning


@dataclass
class CleanReport:
    """What cleaning found and did in one input (a plan, a line layer, the streets), with fids."""

    name: str
    n_input: int = 0
    null_fids: list[int] = field(default_factory=list)
    non_polygon_fids: list[int] = field(default_factory=list)
    repaired_fids: list[int] = field(default_factory=list)
    emptied_fids: list[int] = field(default_factory=list)
    overlap_keep_fids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    overlap_cut_fids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    overlap_areas: np.ndarray = field(default_factory=lambda: np.zeros(0))
    overlap_removed_area: float = 0.0
    swallowed_fids: list[int] = field(default_factory=list)  # wholly inside lower-fid features
    noded_fids: list[int] = field(default_factory=list)  # T-junction vertices inserted (≤ snap tolerance)
    gaps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    gap_areas: np.ndarray = field(default_factory=lambda: np.zeros(0))
    edge_check: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_overlaps(self) -> int:
        return len(self.overlap_areas)

    @property
    def gap_area(self) -> float:
        return float(self.gap_areas.sum())

    def summary(self) -> dict:
        return {
            "name": self.name,
            "features": self.n_input,
            "null_geometries": len(self.null_fids),
            "non_polygons": len(self.non_polygon_fids),
            "repaired": len(self.repaired_fids),
            "repaired_to_nothing": len(self.emptied_fids),
            "overlaps": self.n_overlaps,
            "overlap_area": float(self.overlap_areas.sum()),
            "overlap_removed_area": self.overlap_removed_area,
            "swallowed": len(self.swallowed_fids),
            "gaps": len(self.gap_areas),
            "gap_area": self.gap_area,
            "noded": len(self.noded_fids),
        }


@dataclass
class Coverage:
    """Cleaned, non-overlapping polygonal features of one input.

    ``rows`` index the input table (so attributes can be looked up); ``geoms`` may be multipolygons.
    """

    geoms: np.ndarray
    rows: np.ndarray
    fids: np.ndarray
    report: CleanReport
    modified: np.ndarray | None = None  # repaired or cut by an overlap: edges may not fit neighbours

    def __len__(self) -> int:
        return len(self.geoms)


def _hash64(x1, y1, x2, y2) -> np.ndarray:
    """A 64-bit hash of directed segments (exact float bits; collisions are verified by the caller)."""
    k = (
        np.uint64(0x9E3779B97F4A7C15),
        np.uint64(0xC2B2AE3D27D4EB4F),
        np.uint64(0x165667B19E3779F9),
        np.uint64(0xD6E8FEB86659FD93),
    )
    with np.errstate(over="ignore"):
        h = x1.view(np.uint64) * k[0]
        h ^= (h >> np.uint64(29)) ^ (y1.view(np.uint64) * k[1])
        h ^= (h >> np.uint64(31)) ^ (x2.view(np.uint64) * k[2])
        h ^= (h >> np.uint64(27)) ^ (y2.view(np.uint64) * k[3])
        h *= k[0]
        h ^= h >> np.uint64(33)
    return h


@dataclass
class _Edges:
    """Every segment of a layer's rings, and which ones have no reverse twin."""

    coords: np.ndarray  # all ring coordinates
    cidx: np.ndarray  # ring of each coordinate
    ring_part: np.ndarray  # part (exploded polygon) of each ring
    part_feature: np.ndarray  # feature of each part
    is_shell: np.ndarray  # per ring
    s: np.ndarray  # segment k runs from coords[s[k]] to coords[s[k] + 1]
    flip: np.ndarray  # per segment: walked against the normal orientation of its ring
    matched: np.ndarray  # per segment
    n_features: int = 0
    twins: tuple[np.ndarray, np.ndarray] | None = None  # the matched pairs (segment indices)

    def owner(self, seg: np.ndarray) -> np.ndarray:
        return self.part_feature[self.ring_part[self.cidx[self.s[seg]]]]

    def unmatched(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(suspicious feature mask, unmatched segments (m, 4), their owners)."""
        um = np.flatnonzero(~self.matched)
        owner = self.owner(um)
        suspicious = np.zeros(self.n_features, dtype=bool)
        suspicious[owner] = True
        a, b = self.coords[self.s[um]], self.coords[self.s[um] + 1]
        return suspicious, np.column_stack([a, b]), owner


def _match_segments(
    a: np.ndarray, b: np.ndarray, flip: np.ndarray, pairs: bool = False, salt: np.ndarray | None = None
) -> np.ndarray | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which directed segments a→b have exactly one reverse twin (and no same-direction double)?

    One sort of 64-bit hashes of the undirected segments, then an exact check of each pair.
    ``flip`` marks segments whose ring runs against the normal orientation (shells
    counter-clockwise, holes clockwise).  ``salt`` (an integer per segment) keeps segments of
    different groups apart: only segments with equal salt can be twins.
    """
    x1, y1, x2, y2 = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
    swap = (x1 > x2) | ((x1 == x2) & (y1 > y2))
    ax, ay = np.where(swap, x2, x1), np.where(swap, y2, y1)
    bx, by = np.where(swap, x1, x2), np.where(swap, y1, y2)
    direction = swap ^ flip
    key = _hash64(ax, ay, bx, by)
    if salt is not None:
        sf = salt.astype(np.float64)
        key ^= _hash64(sf, sf, sf, sf)
    order = np.argsort(key)
    ks = key[order]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]]) if len(ks) else np.zeros(0, dtype=np.intp)
    length = np.diff(np.r_[starts, len(ks)])
    pair = starts[length == 2]
    i, j = order[pair], order[pair + 1]
    ok = (direction[i] != direction[j]) & (ax[i] == ax[j]) & (ay[i] == ay[j])
    ok &= (bx[i] == bx[j]) & (by[i] == by[j])
    if salt is not None:
        ok &= salt[i] == salt[j]
    matched = (ax == bx) & (ay == by)  # zero-length segments (repeated points) are harmless
    matched[i[ok]] = True
    matched[j[ok]] = True
    if pairs:
        return matched, i[ok], j[ok]
    return matched


def _one_ring_mask(geoms: np.ndarray, coords: np.ndarray, cidx: np.ndarray) -> np.ndarray:
    """Per geometry: is it exactly one ring of positive area — a polygon or a one-part multipolygon
    without holes?  ``coords, cidx`` are ``get_coordinates(geoms, return_index=True)``.

    Such a geometry's coordinates are its ring: the first coordinate comes back only as the last one
    (a hole or a second part closes a ring earlier).  All numpy: no geometry is created.
    """
    n = len(geoms)
    types = shapely.get_type_id(geoms)
    ok = np.isin(types, (3, 6))
    multi = np.flatnonzero(types == 6)
    if len(multi):
        ok[multi] &= shapely.get_num_geometries(geoms[multi]) == 1
    counts = np.bincount(cidx, minlength=n)
    ok &= counts >= 4
    start = np.cumsum(counts) - counts
    last = np.maximum(start + counts - 1, 0)
    closes = (coords == coords[start[cidx]]).all(axis=1) if len(coords) else np.zeros(0, dtype=bool)
    ok &= np.bincount(cidx, weights=closes, minlength=n) == 2
    ok[ok] &= closes[last[ok]]
    ok[ok] &= shapely.area(geoms[ok]) > 0
    return ok


def _edges(geoms: np.ndarray, salt: np.ndarray | None = None) -> _Edges:
    """Split every ring into segments and match each with its reverse twin (see :func:`_edge_check`)."""
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    coords, cidx = shapely.get_coordinates(geoms, return_index=True)
    simple = _one_ring_mask(geoms, coords, cidx)
    # features that are one ring are used as they are; only the others are taken apart (get_parts
    # copies every part while holding the GIL, which two plans cleaned side by side then wait for)
    pidx = np.flatnonzero(simple)
    ring_part = np.arange(len(pidx))
    is_shell = np.ones(len(pidx), dtype=bool)
    if not simple.all():
        keep = simple[cidx]
        coords, cidx = coords[keep], (np.cumsum(simple) - 1)[cidx[keep]]
        rest = np.flatnonzero(~simple)
        parts, ppos = explode_polygons(geoms[rest])
        if not len(parts) or not shapely.get_num_interior_rings(parts).any():
            # polygons without holes -> the coordinates of a part are one ring
            c2, r2 = shapely.get_coordinates(parts, return_index=True)
            rp2 = np.arange(len(parts))
            sh2 = np.ones(len(parts), dtype=bool)
        else:
            rings, rp2 = shapely.get_rings(parts, return_index=True)
            c2, r2 = shapely.get_coordinates(rings, return_index=True)
            sh2 = np.r_[True, rp2[1:] != rp2[:-1]]
        n_simple = len(pidx)
        coords = np.concatenate([coords, c2])
        cidx = np.concatenate([cidx, r2 + n_simple])
        ring_part = np.concatenate([ring_part, rp2 + n_simple])
        is_shell = np.concatenate([is_shell, sh2])
        pidx = np.concatenate([pidx, rest[ppos]])  # parts are no longer in feature order
    coords = coords + 0.0  # -0.0 -> 0.0 so equal numbers have equal bits
    s = np.flatnonzero(cidx[1:] == cidx[:-1]) if len(coords) else np.zeros(0, dtype=np.intp)
    a, b = coords[s], coords[s + 1]
    ring = cidx[s]
    # ring orientation by the shoelace sum; shells should turn left, holes right
    ring_area = np.bincount(ring, weights=a[:, 0] * b[:, 1] - b[:, 0] * a[:, 1], minlength=len(is_shell))
    flip = (is_shell == (ring_area < 0))[ring]
    seg_salt = None if salt is None else np.asarray(salt)[pidx[ring_part[ring]]]
    matched, pi, pj = _match_segments(a, b, flip, pairs=True, salt=seg_salt)
    e = _Edges(coords, cidx, ring_part, pidx, is_shell, s, flip, matched, n)
    e.twins = (pi, pj)
    return e


def _edge_check(geoms: np.ndarray, e: _Edges | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features with an edge that no other feature shares in reverse, and those edges.

    In a clean coverage every inner edge is walked once in each direction (shells counter-clockwise,
    holes clockwise).  An edge without its reverse twin, or walked twice the same way, lies on the
    plan's outer boundary, on a gap, on an overlap or on a misfit (T-junction).  Only features owning
    such an edge can overlap a neighbour — the exact test then runs on those few.

    One sort of undirected segment keys (a 64-bit hash of the exact coordinates, checked exactly
    afterwards) does it: a matched segment is a run of exactly two with opposite directions.

    Returns ``(suspicious feature mask, unmatched segments as an (m, 4) array, their owners)``.
    """
    if not len(geoms):
        return np.zeros(0, dtype=bool), np.zeros((0, 4)), np.zeros(0, dtype=np.intp)
    return (e if e is not None else _edges(geoms)).unmatched()


def _points_in_boxes(pts: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (box k, point p) with the point inside the box, by a grid hash in numpy.

    Cells are as large as the median box, so a box covers a handful of cells; the few long boxes
    (more than 64 cells) go through an STRtree instead.  Returns ``(k, p)``.
    """
    m = len(lo)
    if not m or not len(pts):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    ext = np.maximum(hi - lo, 0.0).max(axis=1)
    cell = float(np.median(ext)) or 1.0
    origin = np.minimum(pts.min(axis=0), lo.min(axis=0))
    pc = np.floor((pts - origin) / cell).astype(np.int64)
    big = np.int64(1 << 31)
    pkey = pc[:, 0] * big + pc[:, 1]
    porder = np.argsort(pkey, kind="stable")
    pks = pkey[porder]
    c0 = np.floor((lo - origin) / cell).astype(np.int64)
    c1 = np.floor((hi - origin) / cell).astype(np.int64)
    w, h = c1[:, 0] - c0[:, 0] + 1, c1[:, 1] - c0[:, 1] + 1
    ncell = w * h
    long_ = ncell > 64
    small = np.flatnonzero(~long_)
    out_k, out_p = [], []
    if len(small):
        reps = ncell[small]
        box = np.repeat(small, reps)
        off = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
        cx = c0[box, 0] + off % w[box]
        cy = c0[box, 1] + off // w[box]
        key = cx * big + cy
        left = np.searchsorted(pks, key, "left")
        right = np.searchsorted(pks, key, "right")
        cnt = right - left
        has = cnt > 0
        box, left, cnt = box[has], left[has], cnt[has]
        kk = np.repeat(box, cnt)
        pp = porder[np.repeat(left, cnt) + (np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt))]
        inside = (pts[pp, 0] >= lo[kk, 0]) & (pts[pp, 0] <= hi[kk, 0])
        inside &= (pts[pp, 1] >= lo[kk, 1]) & (pts[pp, 1] <= hi[kk, 1])
        out_k.append(kk[inside])
        out_p.append(pp[inside])
    if long_.any():
        li = np.flatnonzero(long_)
        tree = shapely.STRtree(shapely.points(pts))
        q = tree.query(shapely.box(lo[li, 0], lo[li, 1], hi[li, 0], hi[li, 1]))
        out_k.append(li[q[0]])
        out_p.append(q[1])
    return np.concatenate(out_k).astype(np.intp), np.concatenate(out_p).astype(np.intp)


def node_coverage(
    geoms: np.ndarray, tolerance: float = 1e-6, e: _Edges | None = None
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Insert into each unshared edge the vertices of other features lying on it (T-junctions).

    Parcels digitised block by block, or clipped to blocks, meet their neighbours across the block
    boundary at T-junctions: one side has a vertex where the other has none, and the computed
    vertices sit a few 1e-10 m off the line, which leaves crumb overlaps and gaps along every block
    edge.  Inserting each such vertex (within ``tolerance``, strictly inside the edge) into the edge
    makes both sides walk the same vertices, so the layer becomes an exact coverage: edges pair up
    again, and unions of pieces fit.  Geometry moves by at most ``tolerance``.

    Only unshared edges change, and a shared edge keeps its twin, so the edge check of the result
    needs only the unshared edges, cut at the inserted vertices, matched among themselves.

    Returns ``(geoms, indices of the features that changed, the result's edge check)`` where the
    edge check is ``(suspicious mask, unmatched segments, their owners)`` as :func:`_edge_check`.
    """
    n = len(geoms)
    if not n:
        return geoms, np.zeros(0, dtype=np.intp), _edge_check(geoms)
    e = e if e is not None else _edges(geoms)
    um = np.flatnonzero(~e.matched)
    if not len(um):
        return geoms, np.zeros(0, dtype=np.intp), e.unmatched()
    a, b = e.coords[e.s[um]], e.coords[e.s[um] + 1]
    own = e.owner(um)
    # candidate vertices: the ends of unshared edges, each position once with the lowest and highest
    # feature owning it (a vertex shared by k features would otherwise be tested k times against
    # every edge whose box holds it — mostly the edges ending there)
    ends = np.concatenate([a, b])
    eown = np.concatenate([own, own])
    order = np.lexsort((eown, ends[:, 1], ends[:, 0]))
    se, so = ends[order], eown[order]
    start = np.r_[True, (se[1:] != se[:-1]).any(axis=1)]
    first = np.flatnonzero(start)
    last = np.r_[first[1:], len(se)] - 1
    pts, pmin, pmax = se[first], so[first], so[last]
    # long edges are searched in short stretches, so no box spans half the district
    length = np.hypot(*(b - a).T)
    stretch = 4.0 * max(float(np.median(length)), tolerance)
    npc = np.maximum(np.ceil(length / stretch).astype(np.int64), 1)
    parent = np.repeat(np.arange(len(a)), npc)
    step = np.arange(len(parent)) - np.repeat(np.cumsum(npc) - npc, npc)
    f0 = (step / npc[parent])[:, None]
    f1 = ((step + 1) / npc[parent])[:, None]
    d_ab = (b - a)[parent]
    sa, sb = a[parent] + f0 * d_ab, a[parent] + f1 * d_ab
    ks, p = _points_in_boxes(pts, np.minimum(sa, sb) - tolerance, np.maximum(sa, sb) + tolerance)
    k = parent[ks]
    if (npc > 1).any():  # a point at the joint of two stretches was found twice
        kp = np.unique(k.astype(np.int64) * len(pts) + p)
        k, p = (kp // len(pts)).astype(np.intp), (kp % len(pts)).astype(np.intp)
    # a feature's own vertex on its own edge would make it touch itself: some other feature must own it
    other = (pmin[p] != own[k]) | (pmax[p] != own[k])
    k, p = k[other], p[other]
    d = b[k] - a[k]
    w = pts[p] - a[k]
    len2 = (d * d).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (w * d).sum(axis=1) / len2
        dist = np.abs(d[:, 0] * w[:, 1] - d[:, 1] * w[:, 0]) / np.sqrt(len2)
    near_a = np.hypot(w[:, 0], w[:, 1]) <= tolerance
    near_b = np.hypot(*(pts[p] - b[k]).T) <= tolerance
    ok = (len2 > 0) & (dist <= tolerance) & (t > 0) & (t < 1) & ~near_a & ~near_b
    k, p, t = k[ok], p[ok], t[ok]
    if not len(k):
        return geoms, np.zeros(0, dtype=np.intp), e.unmatched()
    # one insertion per (edge, point), ordered along the edge
    xy = pts[p]
    order = np.lexsort((t, k))
    k, xy = k[order], xy[order]
    dup = np.r_[False, (k[1:] == k[:-1]) & (xy[1:] == xy[:-1]).all(axis=1)]
    k, xy = k[~dup], xy[~dup]
    seg = um[k]
    pos = e.s[seg] + 1
    coords = np.insert(e.coords, pos, xy, axis=0)
    cidx = np.insert(e.cidx, pos, e.cidx[pos - 1])
    # rebuild only the features that received a vertex
    changed_rings = np.unique(e.cidx[e.s[seg]])
    changed = np.unique(e.part_feature[e.ring_part[changed_rings]])
    feat_of_ring = e.part_feature[e.ring_part]
    ring_ids = np.flatnonzero(np.isin(feat_of_ring, changed))  # every ring of a changed feature
    cmask = np.isin(cidx, ring_ids)
    rings = shapely.linearrings(coords[cmask], indices=np.searchsorted(ring_ids, cidx[cmask]))
    part_ids, part_of_ring = np.unique(e.ring_part[ring_ids], return_inverse=True)
    polys = shapely.polygons(rings, indices=part_of_ring)  # first ring of a part: its shell
    feat_pos = np.searchsorted(changed, e.part_feature[part_ids])
    by_feature = np.argsort(feat_pos, kind="stable")  # parts of one feature together, in their order
    polys, feat_pos = polys[by_feature], feat_pos[by_feature]
    counts = np.bincount(feat_pos, minlength=len(changed))
    out = geoms.copy()
    single = counts == 1
    first = np.searchsorted(feat_pos, np.arange(len(changed)))
    out[changed[single]] = polys[first[single]]
    if (~single).any():
        multi = shapely.multipolygons(polys, indices=feat_pos)
        out[changed[~single]] = multi[~single]
    bad = ~shapely.is_valid(out[changed])
    if bad.any():  # never trade a valid feature for an invalid one: keep those as they were
        out[changed[bad]] = geoms[changed[bad]]
        return out, changed[~bad], _edges(out).unmatched()
    # the unshared edges cut at the inserted vertices: chains A, P1 … Pc, B matched among themselves
    counts = np.bincount(k, minlength=len(um))
    size = counts + 2
    start = np.r_[0, np.cumsum(size)[:-1]]
    chain = np.empty((int(size.sum()), 2))
    chain[start] = a
    chain[start + size - 1] = b
    rank = np.arange(len(k)) - np.searchsorted(k, k)
    chain[start[k] + 1 + rank] = xy
    last = np.zeros(len(chain), dtype=bool)
    last[start + size - 1] = True
    sub = np.flatnonzero(~last)
    parent = np.repeat(np.arange(len(um)), size - 1)
    sa, sb = chain[sub], chain[sub + 1]
    matched = _match_segments(sa, sb, e.flip[um][parent])
    owner = own[parent[~matched]]
    suspicious = np.zeros(n, dtype=bool)
    suspicious[owner] = True
    return out, changed, (suspicious, np.column_stack([sa[~matched], sb[~matched]]), owner)


@dataclass
class Overlaps:
    """Overlapping pairs (i < j) of one input and the overlap geometry of each pair."""

    i: np.ndarray
    j: np.ndarray
    regions: np.ndarray
    tested_pairs: int = 0

    def __len__(self) -> int:
        return len(self.i)


def find_overlaps(
    geoms: np.ndarray,
    runner: Runner,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    tree: shapely.STRtree | None = None,
) -> Overlaps:
    """Pairs of features whose interiors overlap, found without testing every neighbour pair.

    Where the overlap count changes, an edge without a reverse twin runs (see :func:`_edge_check`),
    so every overlap region touches such an edge; its owner overlaps the features that the edge
    touches.  Candidates are therefore (1) the owner of each unmatched edge with every feature that
    edge touches, (2) each feature owning an unmatched edge with the features strictly inside it (a
    parent polygon drawn over its parcels; the parcels along its border are already found by (1),
    since the parent's border repeats their edges in the same direction), and (3), flooding
    outwards, the members of each found overlap with every feature that touches their overlap
    region (two partitions of one area drawn over each other).  Each candidate is tested exactly
    (DE-9IM interior/interior = 2).
    """
    n = len(geoms)
    empty = Overlaps(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, dtype=object))
    if n < 2:
        return empty
    suspicious, segments, seg_owner = edges if edges is not None else _edge_check(geoms)
    if not suspicious.any():
        return empty
    tree = tree if tree is not None else shapely.STRtree(geoms)
    # each unshared edge trimmed by a hair at both ends: touching a neighbour only at a shared
    # vertex is no evidence, running through or along another feature is
    a, b = segments[:, :2], segments[:, 2:]
    eps = 1e-7
    trimmed = np.column_stack([a + eps * (b - a), b - eps * (b - a)])
    lines = shapely.linestrings(trimmed.reshape(-1, 2), indices=np.repeat(np.arange(len(segments)), 2))
    if n * 8 < len(lines):  # a few big features (zones): prepare them, not the many segments
        q = runner.query(shapely.STRtree(lines), geoms, predicate="intersects")[::-1]
    else:
        q = runner.query(tree, lines, predicate="intersects")
    sus_idx = np.flatnonzero(suspicious)
    cand = [np.vstack([seg_owner[q[0]], q[1]])]
    c = runner.query(tree, geoms[sus_idx], predicate="contains_properly")
    cand.append(np.vstack([sus_idx[c[0]], c[1]]))
    allc = np.concatenate(cand, axis=1)
    tested = np.zeros(0, dtype=np.int64)
    found_i, found_j, found_r = [], [], []
    tested_total = 0
    while allc.shape[1]:
        a, b = np.minimum(allc[0], allc[1]), np.maximum(allc[0], allc[1])
        keep = a != b
        key = np.unique(a[keep].astype(np.int64) * n + b[keep])
        key = np.setdiff1d(key, tested, assume_unique=True)
        if not len(key):
            break
        tested = np.union1d(tested, key)
        tested_total += len(key)
        a, b = key // n, key % n
        hit = runner.map(lambda p, r: shapely.relate_pattern(p, r, "2********"), geoms[a], geoms[b])
        a, b = a[hit], b[hit]
        if not len(a):
            break
        regions = runner.map(shapely.intersection, geoms[a], geoms[b])
        found_i.append(a)
        found_j.append(b)
        found_r.append(regions)
        # flood: members of each overlap with every feature touching the overlap region
        q = runner.query(tree, regions, predicate="intersects")
        h = q[1]
        allc = np.concatenate([np.vstack([a[q[0]], h]), np.vstack([b[q[0]], h])], axis=1)
    if not found_i:
        out = empty
    else:
        out = Overlaps(np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_r))
    out.tested_pairs = tested_total
    return out


def _gaps_from_edges(segments: np.ndarray, geoms: np.ndarray, tree: shapely.STRtree) -> np.ndarray:
    """Enclosed gaps: faces of the unshared edges that no feature covers."""
    if not len(segments):
        return np.zeros(0, dtype=object)
    lines = shapely.linestrings(segments.reshape(-1, 2), indices=np.repeat(np.arange(len(segments)), 2))
    noded = shapely.union_all(lines)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    if not len(faces):
        return np.zeros(0, dtype=object)
    pts = shapely.point_on_surface(faces)
    hit = tree.query(pts, predicate="intersects")
    covered = np.zeros(len(faces), dtype=bool)
    covered[hit[0]] = True
    gaps = faces[~covered]
    return gaps[shapely.area(gaps) > 0]


#: How far (m) a vertex may lie off a neighbour's edge and still be taken as a T-junction on it when an
#: input is cleaned: 1 mm, the usual XY tolerance of cadastral and 三调 data.  A layer that another
#: department reprojected from a neighbouring zone has its T-junction vertices ~10 µm off the (no longer
#: straight) neighbouring edge: with 1 µm each became a reported "overlap" or "gap" of 10⁻³ m².
SNAP_TOLERANCE = 1e-3


def clean_coverage(
    geoms: np.ndarray,
    fids: np.ndarray,
    name: str,
    runner: Runner,
    *,
    find_gaps: bool = True,
    snap_tolerance: float = SNAP_TOLERANCE,
) -> Coverage:
    """Make one input a clean coverage and report what was wrong (see the module docstring).

    Nothing is dropped silently: null and non-polygonal geometries, repairs, repairs that left no
    area, overlaps (pair, area; the lowest fid keeps the ground), features wholly inside a lower-fid
    feature, and enclosed gaps are all in the report.
    """
    geoms = np.asarray(geoms, dtype=object)
    fids = np.asarray(fids)
    rep = CleanReport(name=name, n_input=len(geoms))
    clock = [time.perf_counter()]

    def lap(what: str) -> None:
        now = time.perf_counter()
        rep.timings[what] = now - clock[0]
        clock[0] = now

    rows = np.arange(len(geoms))
    missing = shapely.is_missing(geoms)
    present = ~missing
    present[present] = ~shapely.is_empty(geoms[present])
    rep.null_fids = [int(f) for f in fids[~present]]
    types = shapely.get_type_id(geoms)
    poly = present & np.isin(types, (3, 6, 7))
    rep.non_polygon_fids = [int(f) for f in fids[present & ~poly]]
    g = geoms[poly]
    if shapely.has_z(g).any():
        g = shapely.force_2d(g)
    rows, fids_k = rows[poly], fids[poly]
    runner.check()
    g, rr = repair_polygons(g, fids_k)
    rep.repaired_fids = list(rr.invalid_fids)
    lap("repair")
    # collections (valid ones too) keep only their polygonal part
    coll = shapely.get_type_id(g) == 7
    if coll.any():
        g[coll] = _polygonal(g[coll])
    area = shapely.area(g)
    nothing = area <= 0
    rep.emptied_fids = [int(f) for f in fids_k[nothing]]
    g, rows, fids_k = g[~nothing], rows[~nothing], fids_k[~nothing]
    runner.check()
    g, noded, edges = node_coverage(g, snap_tolerance)
    rep.noded_fids = [int(f) for f in fids_k[noded]]
    suspicious, segments = edges[0], edges[1]
    rep.edge_check = tr("{n} of {total} features have an edge no neighbour shares").format(
        n=int(suspicious.sum()), total=len(g)
    )
    lap("edges")
    runner.check()
    tree = shapely.STRtree(g)
    ovl = find_overlaps(g, runner, edges, tree)
    lap("overlaps")
    if find_gaps:
        runner.check()
        rep.gaps = _gaps_from_edges(segments, g, tree)
        rep.gap_areas = shapely.area(rep.gaps) if len(rep.gaps) else np.zeros(0)
        lap("gaps")
    if len(ovl):
        a, b = ovl.i, ovl.j
        # the lowest fid keeps the ground
        swap = fids_k[a] > fids_k[b]
        keep, cut = np.where(swap, b, a), np.where(swap, a, b)
        rep.overlap_keep_fids = fids_k[keep].astype(np.int64)
        rep.overlap_cut_fids = fids_k[cut].astype(np.int64)
        rep.overlap_areas = shapely.area(ovl.regions)
        targets = np.unique(cut)
        pos = np.searchsorted(targets, cut)
        before = shapely.area(g[targets])
        reduced = _polygonal(_subtract_rounds(g[targets], pos, g[keep], runner))
        after = shapely.area(reduced)
        rep.overlap_removed_area = float((before - after).sum())
        g = g.copy()
        g[targets] = reduced
        gone = np.zeros(len(g), dtype=bool)
        gone[targets[after <= 0]] = True
        rep.swallowed_fids = [int(f) for f in fids_k[gone]]
        g, rows, fids_k = g[~gone], rows[~gone], fids_k[~gone]
        lap("resolve")
    modified = np.isin(
        fids_k, np.asarray(rep.repaired_fids + [int(f) for f in rep.overlap_cut_fids], dtype=fids_k.dtype)
    )
    return Coverage(geoms=g, rows=rows, fids=fids_k, report=rep, modified=modified)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Each geometry reduced to its polygonal part (a Polygon, MultiPolygon, or an empty polygon)."""
    types = shapely.get_type_id(geoms)
    odd = np.flatnonzero(~np.isin(types, (3, 6)))
    if not len(odd):
        return geoms
    out = geoms.copy()
    polys, idx = explode_polygons(geoms[odd])
    merged = np.full(len(odd), None, dtype=object)
    if len(polys):
        counts = np.bincount(idx, minlength=len(odd))
        single = np.flatnonzero(counts == 1)
        first = np.searchsorted(idx, single)
        merged[single] = polys[first]
        for k in np.flatnonzero(counts > 1):
            merged[k] = shapely.multipolygons(polys[idx == k])
    merged[np.equal(merged, None)] = shapely.Polygon()
    out[odd] = merged
    return out


# ---------------------------------------------------------------------------------------------- regions


class TiledRegion:
    """Polygons on the "b side" of an operation, tiled for clipping and prepared for containment.

    ``geoms[k]`` is owner k; ``tiles``/``tile_owner`` its pieces of ≤ ``max_vertices`` vertices.
    """

    def __init__(self, geoms: np.ndarray, runner: Runner, max_vertices: int = 256):
        self.geoms = np.asarray(geoms, dtype=object)
        nv = shapely.get_num_coordinates(self.geoms) if len(self.geoms) else np.zeros(0, np.int64)
        self.big = nv > max_vertices
        small_idx = np.flatnonzero(~self.big)
        big_idx = np.flatnonzero(self.big)
        tiles_b, own_b = subdivide(self.geoms[big_idx], max_vertices, runner)
        small_t, small_o = explode_polygons(self.geoms[small_idx])
        self.tiles = np.concatenate([small_t, tiles_b])
        self.tile_owner = np.concatenate([small_idx[small_o], big_idx[own_b]]).astype(np.intp)
        if len(big_idx):
            # a tile cut again leaves a T-junction on its neighbour's edge: insert those vertices so
            # pieces clipped by neighbouring tiles keep matching vertices
            self.tiles, _, _ = node_coverage(self.tiles)
        self.tree = shapely.STRtree(self.tiles)
        if len(big_idx):
            shapely.prepare(self.geoms[big_idx])
        self.n_big = len(big_idx)

    def __len__(self) -> int:
        return len(self.geoms)

    def pairs(
        self, geoms: np.ndarray, runner: Runner, tree: shapely.STRtree | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(index into ``geoms``, tile index) of every intersecting pair.

        The predicate prepares the *query* geometries: with many parcels against a few tiles (a
        red line, the streets) the query runs the other way round, each tile prepared once.
        """
        if len(self.tiles) * 8 < len(geoms):
            q = runner.query(
                tree if tree is not None else shapely.STRtree(geoms), self.tiles, predicate="intersects"
            )
            return q[1], q[0]
        q = runner.query(self.tree, geoms, predicate="intersects")
        return q[0], q[1]

    def contained(
        self,
        geoms: np.ndarray,
        ia: np.ndarray,
        it: np.ndarray,
        runner: Runner,
        single_tile: bool = True,
    ) -> np.ndarray:
        """Per pair (``geoms[ia]``, tile ``it``): is the geometry whole in the tile's owner?

        It must lie *properly* inside the owner (not touching its boundary) and, with
        ``single_tile``, meet only this one tile: then no boundary and no tile cut that clips a
        neighbour can pass through its edges, so a whole piece and its clipped neighbours keep
        exactly matching vertices for the coverage union.  Small owners (one tile each) are never
        taken whole: clipping them is as cheap as testing them.
        """
        out = np.zeros(len(ia), dtype=bool)
        owner = self.tile_owner[it]
        big = self.big[owner]
        if single_tile and len(ia):
            tiles_per = np.bincount(ia, minlength=int(ia.max()) + 1)
            big &= tiles_per[ia] == 1
        big = np.flatnonzero(big)
        if not len(big):
            return out
        n_own = max(len(self.geoms), 1)
        key = ia[big].astype(np.int64) * n_own + owner[big]
        uk, inv = np.unique(key, return_inverse=True)
        ui, uo = uk // n_own, uk % n_own
        res = runner.map(shapely.contains_properly, self.geoms[uo], geoms[ui], serial=True)
        out[big] = res[inv]
        return out


@dataclass
class Pieces:
    """Polygons cut by an operation: ``src`` indexes the input array, ``owner`` the region's polygons."""

    geoms: np.ndarray
    src: np.ndarray
    owner: np.ndarray

    def __len__(self) -> int:
        return len(self.geoms)

    def take(self, idx) -> Pieces:
        return Pieces(self.geoms[idx], self.src[idx], self.owner[idx])

    @staticmethod
    def empty() -> Pieces:
        return Pieces(np.zeros(0, dtype=object), np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))


def _concat(parts: list[Pieces]) -> Pieces:
    parts = [p for p in parts if len(p)]
    if not parts:
        return Pieces.empty()
    return Pieces(
        np.concatenate([p.geoms for p in parts]),
        np.concatenate([p.src for p in parts]).astype(np.intp),
        np.concatenate([p.owner for p in parts]).astype(np.intp),
    )


def intersect_pieces(
    geoms: np.ndarray,
    region: TiledRegion,
    runner: Runner,
    pair_filter: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    tree: shapely.STRtree | None = None,
) -> Pieces:
    """``geoms[i] ∩ region[j]`` for every intersecting pair that passes ``pair_filter(i, j)``.

    A geometry in the interior of a big region polygon is taken whole (no clipping).
    """
    if not len(geoms) or not len(region):
        return Pieces.empty()
    if pair_filter is None:
        ia, it = region.pairs(geoms, runner, tree)
        owner = region.tile_owner[it]
    else:  # filter on attributes first: only the pairs that pass are tested geometrically
        ia, it = runner.query(region.tree, geoms)
        owner = region.tile_owner[it]
        keep = pair_filter(ia, owner)
        ia, it, owner = ia[keep], it[keep], owner[keep]
    whole = region.contained(geoms, ia, it, runner)
    out = []
    if whole.any():
        n_own = max(len(region), 1)
        key = np.unique(ia[whole].astype(np.int64) * n_own + owner[whole])
        wi, wo = key // n_own, key % n_own
        polys, pidx = explode_polygons(geoms[wi])
        out.append(Pieces(polys, wi[pidx], wo[pidx]))
    rest = ~whole
    ia, it, owner = ia[rest], it[rest], owner[rest]
    if len(ia):
        inter = runner.map(shapely.intersection, geoms[ia], region.tiles[it])
        polys, pidx = explode_polygons(inter)
        out.append(Pieces(polys, ia[pidx], owner[pidx]))
    return _concat(out)


def outside_pieces(
    geoms: np.ndarray, region: TiledRegion, runner: Runner, tree: shapely.STRtree | None = None
) -> Pieces:
    """``geoms[i] − union(region)`` for every i (owner −1)."""
    n = len(geoms)
    if not n:
        return Pieces.empty()
    if not len(region):
        polys, pidx = explode_polygons(geoms)
        return Pieces(polys, pidx, np.full(len(pidx), -1, dtype=np.intp))
    ia, it = region.pairs(geoms, runner, tree)
    inside = region.contained(geoms, ia, it, runner, single_tile=False)
    fully_in = np.zeros(n, dtype=bool)
    fully_in[ia[inside]] = True
    touched = np.zeros(n, dtype=bool)
    touched[ia] = True
    free = np.flatnonzero(~touched)
    part = np.flatnonzero(touched & ~fully_in)
    out = []
    if len(free):
        polys, pidx = explode_polygons(geoms[free])
        out.append(Pieces(polys, free[pidx], np.full(len(pidx), -1, dtype=np.intp)))
    if len(part):
        sel = ~fully_in[ia]
        pos = np.searchsorted(part, ia[sel])
        reduced = _subtract_rounds(geoms[part], pos, region.tiles[it[sel]], runner)
        polys, pidx = explode_polygons(reduced)
        out.append(Pieces(polys, part[pidx], np.full(len(pidx), -1, dtype=np.intp)))
    return _concat(out)


def split_by_units(geoms: np.ndarray, units: TiledRegion | None, runner: Runner) -> Pieces:
    """Split polygons by the street units; ``owner`` is the unit index, −1 outside every unit.

    Most parcels lie inside one street: a prepared *contains properly* test settles them without clipping.
    """
    n = len(geoms)
    if units is None or not len(units) or not n:
        return Pieces(geoms, np.arange(n, dtype=np.intp), np.full(n, -1, dtype=np.intp))
    shapely.prepare(units.geoms)  # a handful of streets: prepared once, used serially below
    ip, it = units.pairs(geoms, runner)
    owner = units.tile_owner[it]
    n_own = len(units)
    key = np.unique(ip.astype(np.int64) * n_own + owner)
    ki, ko = key // n_own, key % n_own
    n_owners = np.bincount(ki, minlength=n)
    n_tiles = np.bincount(ip, minlength=n)  # whole only inside one tile (see TiledRegion.contained)
    single = np.flatnonzero((n_owners[ki] == 1) & (n_tiles[ki] == 1))
    whole = np.zeros(n, dtype=bool)
    whole_unit = np.full(n, -1, dtype=np.intp)
    if len(single):
        res = runner.map(shapely.contains_properly, units.geoms[ko[single]], geoms[ki[single]], serial=True)
        whole[ki[single][res]] = True
        whole_unit[ki[single][res]] = ko[single][res]
    out = []
    wi = np.flatnonzero(whole)
    out.append(Pieces(geoms[wi], wi, whole_unit[wi]))
    untouched = np.flatnonzero(n_owners == 0)
    out.append(Pieces(geoms[untouched], untouched, np.full(len(untouched), -1, dtype=np.intp)))
    sel = ~whole[ip]
    ip, it, owner = ip[sel], it[sel], owner[sel]
    if len(ip):
        inter = runner.map(shapely.intersection, geoms[ip], units.tiles[it])
        polys, pidx = explode_polygons(inter)
        frag = Pieces(polys, ip[pidx], owner[pidx])
        out.append(frag)
        # ground of a straddling piece outside every unit
        cut = np.unique(ip)
        got = np.bincount(frag.src, weights=shapely.area(frag.geoms), minlength=n)[cut]
        full = shapely.area(geoms[cut])
        short = cut[(full - got) > np.maximum(1e-9 * full, 1e-6)]
        if len(short):
            m = np.isin(ip, short)
            pos = np.searchsorted(short, ip[m])
            rem = _subtract_rounds(geoms[short], pos, units.tiles[it[m]], runner)
            polys, pidx = explode_polygons(rem)
            out.append(Pieces(polys, short[pidx], np.full(len(pidx), -1, dtype=np.intp)))
    return _concat(out)


# ---------------------------------------------------------------------------------------------- assembly


@dataclass
class Assembled:
    """Patches made from pieces: ``group[k]`` of patch k; ``piece_patch[i]`` the patch of piece i."""

    geoms: np.ndarray
    group: np.ndarray
    piece_patch: np.ndarray
    repaired_groups: int = 0


def _fits(u, want: float) -> bool:
    return bool(shapely.is_valid(u)) and abs(float(shapely.area(u)) - want) <= 1e-8 * max(want, 1.0)


def _coverage_union(members: np.ndarray):
    try:
        return shapely.coverage_union_all(members)
    except shapely.errors.GEOSException:
        return None


def _coverage_rows(mat: np.ndarray) -> np.ndarray:
    """Coverage union of each row of ``mat`` (None pads rows); None where a row's pieces do not fit.

    GEOS raises for the whole call when one row is not a clean coverage, so the rows go in blocks of
    64: only a block that fails is redone row by row.
    """
    out = np.empty(len(mat), dtype=object)
    for s in range(0, len(mat), 64):
        block = mat[s : s + 64]
        try:
            out[s : s + len(block)] = shapely.coverage_union_all(block, axis=1)
        except shapely.errors.GEOSException:
            for r in range(len(block)):
                out[s + r] = _coverage_union(block[r][~np.equal(block[r], None)])
    return out


def _union_checked(
    members: np.ndarray, dirty: np.ndarray | None = None, renode: bool = False
) -> shapely.Geometry:
    """Coverage union with a check; where pieces do not fit, a full union — only where needed.

    ``dirty`` marks pieces cut from features that cleaning changed (their edges do not match their
    neighbours' exactly): the others are coverage-unioned, and only the parts the dirty pieces touch
    go through the (slower) full union.  ``renode``: first insert the T-junction vertices that clipping
    left (the pieces then fit again) and try the coverage union once more.
    """
    want = float(shapely.area(members).sum())
    u = _coverage_union(members)
    if u is not None and _fits(u, want):
        return u
    if renode:
        u = _coverage_union(node_coverage(members, 2e-6)[0])
        if u is not None and _fits(u, want):
            return u
    if dirty is None or not dirty.any() or dirty.all():
        return shapely.union_all(members)
    clean, dd = members[~dirty], members[dirty]
    uc = _coverage_union(clean)
    if uc is None or not _fits(uc, float(shapely.area(clean).sum())):
        return shapely.union_all(members)
    parts = shapely.get_parts(uc)
    hit = np.zeros(len(parts), dtype=bool)
    hit[shapely.STRtree(parts).query(dd, predicate="intersects")[1]] = True
    local = shapely.get_parts(shapely.union_all(np.concatenate([parts[hit], dd])))
    out = shapely.multipolygons(np.concatenate([parts[~hit], local[shapely.get_type_id(local) == POLYGON]]))
    return out if _fits(out, want) else shapely.union_all(members)


def _components(geoms: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Label of the connected component of each piece: pieces of one group sharing an edge.

    Pieces cut from exact coverages share their edges exactly, so one sort of segment hashes finds
    every adjacency — no geometry predicate.  (Pieces that touch without a shared edge — a
    T-junction — are linked later by :func:`_merge_touching`.)
    """
    n = len(geoms)
    e = _edges(geoms, salt=group)  # pieces of other groups (other kinds) lie on the same ground
    ti, tj = e.twins
    a, b = e.owner(ti), e.owner(tj)
    keep = (a != b) & (group[a] == group[b])
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(int(keep.sum()), dtype=np.int8), (a[keep], b[keep])), shape=(n, n))
    return connected_components(graph, directed=False)[1].astype(np.int64)


def _union_by(
    geoms: np.ndarray,
    key: np.ndarray,
    runner: Runner,
    dirty: np.ndarray | None,
    renode: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Union of the pieces with the same key: (unions, their keys).

    Keys of up to 64 pieces go through padded rows, one vectorised coverage union per size bucket;
    bigger ones one by one on the pool (:func:`_union_checked`, with ``renode``).  Every union is
    checked (valid, area = sum of pieces) and redone where the pieces do not fit.
    """
    n = len(geoms)
    group = key
    order = np.argsort(group, kind="stable")
    gs = group[order]
    start = np.r_[True, gs[1:] != gs[:-1]]
    starts = np.flatnonzero(start)
    sizes = np.diff(np.r_[starts, n])
    out_geoms: list[np.ndarray] = []
    out_group: list[np.ndarray] = []
    # singles are patches already
    one = starts[sizes == 1]
    out_geoms.append(geoms[order[one]])
    out_group.append(gs[one])
    # groups of up to 64 pieces: padded rows, one vectorised coverage union per size bucket
    piece_area = shapely.area(geoms[order])
    lo = 2
    for hi in (2, 4, 8, 16, 32, 64):
        sel = np.flatnonzero((sizes >= lo) & (sizes <= hi))
        lo = hi + 1
        if not len(sel):
            continue
        st, sz = starts[sel], sizes[sel]
        col = np.arange(hi)
        idx = st[:, None] + col[None, :]
        valid = col[None, :] < sz[:, None]
        mat = np.full((len(sel), hi), None, dtype=object)
        mat[valid] = geoms[order[idx[valid]]]
        want = np.where(valid, piece_area[np.minimum(idx, n - 1)], 0.0).sum(axis=1)
        u = runner.map(_coverage_rows, mat, chunk=max(8, 2048 // hi))
        bad = np.equal(u, None)
        ok = np.flatnonzero(~bad)
        bad[ok] = ~shapely.is_valid(u[ok]) | (
            np.abs(shapely.area(u[ok]) - want[ok]) > 1e-8 * np.maximum(want[ok], 1.0)
        )
        if bad.any():
            u[bad] = runner.map(lambda m: shapely.union_all(m, axis=1), mat[bad], chunk=max(8, 2048 // hi))
        out_geoms.append(u)
        out_group.append(gs[st])
    many = np.flatnonzero(sizes > 64)
    if len(many):
        # big groups one by one, spread over the pool (largest first so the threads finish together)
        def _one(s: int):
            members = order[starts[s] : starts[s] + sizes[s]]
            return _union_checked(geoms[members], None if dirty is None else dirty[members], renode)

        by_size = many[np.argsort(-sizes[many], kind="stable")]
        res = np.empty(len(by_size), dtype=object)
        res[:] = runner.run_tasks(_one, list(by_size))
        out_geoms.append(res)
        out_group.append(gs[starts[by_size]])
    return np.concatenate(out_geoms), np.concatenate(out_group)


def assemble(
    geoms: np.ndarray, group: np.ndarray, runner: Runner, dirty: np.ndarray | None = None
) -> Assembled:
    """Union the pieces of each group into maximal connected patches (single polygons).

    The connected components of each group are found first (shared edges), so every union builds
    one polygon: GEOS assembles a multipolygon of thousands of separate shells very slowly (65 µs a
    piece against 1 µs for one connected coverage).  Pieces of one group never overlap (they come
    from clean coverages), so a coverage union suffices; where pieces do not fit exactly (a
    T-junction, a tile edge, an overlap repair) the union is redone in full, and parts of one group
    that still share an edge afterwards are merged.
    """
    n = len(geoms)
    if not n:
        return Assembled(np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.intp))
    runner.check()
    comp = _components(geoms, group)
    comp_group = np.zeros(int(comp.max()) + 1, dtype=np.int64)
    comp_group[comp] = group
    merged, mcomp = _union_by(geoms, comp, runner, dirty)
    mgroup = comp_group[mcomp]
    parts, pidx = explode_polygons(merged)
    pgroup = mgroup[pidx]
    parts, pgroup, repaired = _merge_touching(parts, pgroup, runner)
    piece_patch = _assign_pieces(geoms, group, parts, pgroup, runner)
    return Assembled(parts, pgroup, piece_patch, repaired)


def _merge_touching(parts: np.ndarray, pgroup: np.ndarray, runner: Runner):
    """Merge parts of one group that share an edge (a coverage union that could not dissolve it)."""
    n = len(parts)
    if n < 2:
        return parts, pgroup, 0
    tree = shapely.STRtree(parts)
    i, j = runner.query(tree, parts)
    sel = (i < j) & (pgroup[i] == pgroup[j])
    i, j = i[sel], j[sel]
    if not len(i):
        return parts, pgroup, 0
    touching = runner.map(shapely.intersects, parts[i], parts[j])
    i, j = i[touching], j[touching]
    if not len(i):
        return parts, pgroup, 0
    # one DE-9IM matrix per touching pair: boundaries share a line, or interiors overlap
    m = runner.map(shapely.relate, parts[i], parts[j]).astype("U9")
    hit = (np.char.find(m, "1", 4) == 4) | (np.char.find(m, "2", 0) == 0)
    i, j = i[hit], j[hit]
    if not len(i):
        return parts, pgroup, 0
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    g = coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    ncomp, label = connected_components(g, directed=False)
    counts = np.bincount(label, minlength=ncomp)
    multi = np.flatnonzero(counts > 1)
    keep = counts[label] == 1
    new_g, new_grp = [parts[keep]], [pgroup[keep]]
    unions = np.empty(len(multi), dtype=object)
    for k, c in enumerate(multi):
        members = np.flatnonzero(label == c)
        unions[k] = shapely.union_all(parts[members])
        new_grp.append(pgroup[members[:1]])
    up, uidx = explode_polygons(unions)
    new_g.append(up)
    new_grp = [new_grp[0], np.concatenate(new_grp[1:])[uidx]] if len(multi) else new_grp
    return np.concatenate(new_g), np.concatenate(new_grp), len(multi)


def _assign_pieces(
    pieces: np.ndarray, group: np.ndarray, parts: np.ndarray, pgroup: np.ndarray, runner: Runner
) -> np.ndarray:
    """The patch each piece ended up in (groups with one patch directly; others by a point inside)."""
    n = len(pieces)
    out = np.full(n, -1, dtype=np.intp)
    if not n or not len(parts):
        return out
    # groups whose union gave exactly one part
    pg_order = np.argsort(pgroup, kind="stable")
    pgs = pgroup[pg_order]
    ug, first, cnt = np.unique(pgs, return_index=True, return_counts=True)
    pos = np.searchsorted(ug, group)
    pos_ok = (pos < len(ug)) & (ug[np.minimum(pos, len(ug) - 1)] == group)
    single = pos_ok & (cnt[np.minimum(pos, len(ug) - 1)] == 1)
    out[single] = pg_order[first[pos[single]]]
    rest = np.flatnonzero(~single)
    if not len(rest):
        return out
    # a piece's box inside the box of exactly one patch of its group settles it; the rest by a point
    tree = shapely.STRtree(parts)
    q = runner.query(tree, pieces[rest])
    same = pgroup[q[1]] == group[rest[q[0]]]
    qi, qp = q[0][same], q[1][same]
    pb, tb = shapely.bounds(pieces[rest[qi]]), shapely.bounds(parts[qp])
    inside = (pb[:, 0] >= tb[:, 0]) & (pb[:, 1] >= tb[:, 1]) & (pb[:, 2] <= tb[:, 2]) & (pb[:, 3] <= tb[:, 3])
    qi, qp = qi[inside], qp[inside]
    count = np.bincount(qi, minlength=len(rest))
    one = count[qi] == 1
    out[rest[qi[one]]] = qp[one]
    left = rest[count != 1]
    if len(left):
        pts = shapely.point_on_surface(pieces[left])
        q = runner.query(tree, pts, predicate="intersects")
        same = pgroup[q[1]] == group[left[q[0]]]
        out[left[q[0][same]]] = q[1][same]
    return out
