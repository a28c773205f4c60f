"""The overlay core against slow, obviously-correct shapely references."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from multiplan.algorithms import overlay as ov
from multiplan.dev.synthetic_plans import voronoi


@pytest.fixture()
def runner():
    r = ov.Runner(threads=2, chunk=256)  # small chunks: the threaded paths run even on small inputs
    yield r
    r.close()


def _cells(n=600, seed=1):
    return voronoi(n, float(np.sqrt(n * 9000.0)), np.random.default_rng(seed))


def _brute_overlaps(g, min_area=0.0):
    """Every overlapping pair by brute force; ``min_area`` ignores floating-point crumbs (1e-10 m²)."""
    tree = shapely.STRtree(g)
    i, j = tree.query(g)
    keep = i < j
    i, j = i[keep], j[keep]
    hit = shapely.relate_pattern(g[i], g[j], "2********")
    if min_area:
        hit[hit] = shapely.area(shapely.intersection(g[i[hit]], g[j[hit]])) > min_area
    return {(int(a), int(b)) for a, b in zip(i[hit], j[hit])}


def test_explode_polygons_keeps_only_areas():
    sq = shapely.box(0, 0, 1, 1)
    mixed = np.array(
        [
            sq,
            shapely.GeometryCollection([sq, shapely.LineString([(0, 0), (5, 5)]), shapely.Point(9, 9)]),
            shapely.MultiPolygon([shapely.box(2, 2, 3, 3), shapely.box(4, 4, 5, 5)]),
            None,
            shapely.Polygon(),
            shapely.GeometryCollection([shapely.MultiPolygon([shapely.box(6, 6, 7, 7)])]),
        ],
        dtype=object,
    )
    polys, idx = ov.explode_polygons(mixed)
    assert idx.tolist() == [0, 1, 2, 2, 5]
    assert np.all(shapely.get_type_id(polys) == 3)


def test_subdivide_tiles_fit_exactly():
    ang = np.linspace(0, 2 * np.pi, 5000, endpoint=False)
    r = 1000 * (1 + 0.1 * np.sin(17 * ang))
    ring = np.column_stack([r * np.cos(ang), r * np.sin(ang)])
    hole = shapely.Point(100, 50).buffer(200, quad_segs=64)
    big = shapely.Polygon(ring, [hole.exterior.coords])
    tiles, owner = ov.subdivide(np.array([big, shapely.box(0, 0, 1, 1)], dtype=object), max_vertices=128)
    assert shapely.get_num_coordinates(tiles).max() <= 128
    assert set(owner.tolist()) == {0, 1}
    t0 = tiles[owner == 0]
    assert len(t0) > 40
    np.testing.assert_allclose(shapely.area(t0).sum(), big.area, rtol=1e-12)
    assert not _brute_overlaps(t0)  # tiles never overlap ...
    assert shapely.symmetric_difference(shapely.union_all(t0), big).area < 1e-6  # ... and cover it all


def test_edge_check_flags_only_boundary_and_dirt():
    g = _cells()
    susp, seg, owner = ov._edge_check(g)
    frame = shapely.box(*shapely.total_bounds(g)).exterior
    on_frame = shapely.intersects(g, frame) & (shapely.length(shapely.intersection(g, frame)) > 0)
    assert np.array_equal(susp, on_frame)  # clean coverage: only the outer ring is unshared
    assert len(seg) == len(owner)
    # duplicate a cell, enlarge one, shrink one (a gap), reverse the orientation of another
    inner = np.flatnonzero(~susp)
    k1, k2, k3, k4 = inner[[10, 20, 30, 40]]
    g2 = g.copy()
    g2[k1] = shapely.buffer(g[k1], 2.0, join_style="mitre")
    g2[k2] = shapely.buffer(g[k2], -2.0, join_style="mitre")
    g2[k3] = shapely.reverse(g[k3])
    g2 = np.concatenate([g2, [g[k4]]])
    susp2, _, _ = ov._edge_check(g2)
    assert susp2[k1] and susp2[k2] and susp2[k4] and susp2[-1]
    assert not susp2[k3]  # orientation is normalised, not a problem
    # the neighbours of the enlarged and shrunk cells lose their twins; nobody else does
    near = shapely.STRtree(g).query(g[[k1, k2, k4]], predicate="intersects")[1]
    assert set(np.flatnonzero(susp2[: len(g)] & ~susp)) <= set(near.tolist())


def test_overlaps_equal_brute_force_including_nested_and_double_partition(runner):
    g = _cells(800, seed=2)
    rng = np.random.default_rng(5)
    dirty = g.copy()
    big = rng.choice(len(g), 12, replace=False)
    dirty[big] = shapely.buffer(g[big], 3.0, join_style="mitre")
    # a parent polygon over a block of parcels, and a second partition of another area
    center = shapely.centroid(g[100])
    parent = shapely.buffer(center, 250.0, quad_segs=16)
    other = voronoi(40, 400.0, np.random.default_rng(9))
    other = shapely.transform(
        other,
        lambda xy: xy - (600000.0, 3540000.0) + shapely.get_coordinates(shapely.centroid(g[300]))[0] - 200.0,
    )
    allg = np.concatenate([dirty, [parent], other])
    found = ov.find_overlaps(allg, runner)
    ref = _brute_overlaps(allg)
    assert {(int(a), int(b)) for a, b in zip(found.i, found.j)} == ref
    assert len(ref) > 100
    np.testing.assert_allclose(
        shapely.area(found.regions),
        shapely.area(shapely.intersection(allg[found.i], allg[found.j])),
        rtol=1e-9,
    )


def _reference_clean(g, fids):
    """Lowest fid keeps the ground: each feature minus every lower-fid feature (slow, obvious)."""
    order = np.argsort(fids)
    out = g.copy()
    tree = shapely.STRtree(g)
    for k in order:
        lower = [j for j in tree.query(g[k]) if fids[j] < fids[k]]
        if lower:
            out[k] = shapely.difference(g[k], shapely.union_all(g[lower]))
    return out


def test_clean_coverage_repairs_resolves_and_finds_gaps(runner):
    g = _cells(700, seed=3)
    fids = np.arange(1, len(g) + 1) * 10
    rng = np.random.default_rng(11)
    pick = rng.choice(len(g), 40, replace=False)
    bow, big, small, null = pick[:8], pick[8:20], pick[20:32], pick[32:34]
    dirty = g.copy()
    for k in bow:
        x0, y0, x1, y1 = g[k].bounds
        dirty[k] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    dirty[big] = shapely.buffer(g[big], 4.0, join_style="mitre")
    dirty[small] = shapely.buffer(g[small], -3.0, join_style="mitre")
    dirty[null] = None
    dirty = np.concatenate([dirty, [shapely.LineString([(0, 0), (1, 1)])]])
    fids = np.concatenate([fids, [99999]])
    cov = ov.clean_coverage(dirty, fids, "t", runner)
    rep = cov.report
    assert sorted(rep.repaired_fids) == sorted(int(f) for f in fids[bow])
    assert sorted(rep.null_fids) == sorted(int(f) for f in fids[null])
    assert rep.non_polygon_fids == [99999]
    # the result is a coverage: no two features overlap any more (beyond 1e-6 m² of rounding)
    assert not _brute_overlaps(cov.geoms, min_area=1e-6)
    # lowest fid kept the ground: equal to the slow reference, feature by feature
    repaired = ov._polygonal(shapely.make_valid(dirty[: len(g)]))
    keep = ~shapely.is_missing(dirty[: len(g)])
    ref = _reference_clean(repaired[keep], fids[: len(g)][keep])
    ref_area = dict(zip(fids[: len(g)][keep].tolist(), shapely.area(ref)))
    got_area = dict(zip(cov.fids.tolist(), shapely.area(cov.geoms)))
    for f, a in ref_area.items():
        assert got_area.get(f, 0.0) == pytest.approx(a, rel=1e-9, abs=1e-6)
    # never double counted: total ground = area of the union of the input
    total = shapely.area(shapely.union_all(repaired[keep]))
    assert shapely.area(cov.geoms).sum() == pytest.approx(total, rel=1e-9)
    assert rep.overlap_removed_area == pytest.approx(shapely.area(repaired[keep]).sum() - total, rel=1e-6)
    assert rep.n_overlaps > 12 and (rep.overlap_keep_fids < rep.overlap_cut_fids).all()
    # gaps: shrunk parcels, missing (null) parcels and bow-ties leave enclosed gaps; reference: the
    # parts of the complement of the union that do not reach the outside (touching it at one point
    # does not count as reaching it)
    u = shapely.union_all(repaired[keep])
    frame = shapely.box(*shapely.buffer(shapely.envelope(u), 100.0).bounds)
    outside = shapely.get_parts(shapely.difference(frame, u))
    enclosed = outside[~shapely.intersects(outside, frame.exterior)]
    assert rep.gap_area == pytest.approx(shapely.area(enclosed).sum(), rel=1e-6)
    assert len(rep.gaps) >= 20  # (counts differ where two gaps touch at one point: one face or two)
    assert len(rep.gaps) >= 10


def test_intersect_outside_and_units_match_references(runner):
    a = _cells(500, seed=4)
    side = float(np.sqrt(500 * 9000.0))
    ang = np.linspace(0, 2 * np.pi, 3000, endpoint=False)
    cx, cy = 600000.0 + side / 2, 3540000.0 + side / 2
    line = shapely.Polygon(np.column_stack([cx + side / 3 * np.cos(ang), cy + side / 4 * np.sin(ang)]))
    region = ov.TiledRegion(np.array([line], dtype=object), runner, max_vertices=64)
    assert region.n_big == 1 and len(region.tiles) > 40
    inside = ov.intersect_pieces(a, region, runner)
    assert shapely.area(inside.geoms).sum() == pytest.approx(
        shapely.area(shapely.intersection(a, line)).sum(), rel=1e-9
    )
    outside = ov.outside_pieces(a, region, runner)
    assert shapely.area(outside.geoms).sum() == pytest.approx(
        shapely.area(shapely.difference(a, line)).sum(), rel=1e-9
    )
    # per source feature as well
    got = np.bincount(inside.src, weights=shapely.area(inside.geoms), minlength=len(a))
    np.testing.assert_allclose(got, shapely.area(shapely.intersection(a, line)), rtol=1e-9, atol=1e-6)
    # streets: 6 cells covering part of the area; pieces split exactly, the rest owner -1
    streets = voronoi(6, side * 0.8, np.random.default_rng(2))
    streets = shapely.segmentize(streets, 20.0)
    units = ov.TiledRegion(streets, runner, max_vertices=64)
    split = ov.split_by_units(a, units, runner)
    for u in range(len(streets)):
        want = shapely.area(shapely.intersection(a, streets[u])).sum()
        assert shapely.area(split.geoms[split.owner == u]).sum() == pytest.approx(want, rel=1e-9)
    assert shapely.area(split.geoms).sum() == pytest.approx(shapely.area(a).sum(), rel=1e-9)
    assert (split.owner == -1).any()


def test_pair_filter_limits_pairs(runner):
    a = _cells(300, seed=6)
    b = _cells(300, seed=7)
    region = ov.TiledRegion(b, runner)
    allowed = ov.intersect_pieces(a, region, runner, pair_filter=lambda i, j: (i % 2 == 0) & (j % 3 == 0))
    assert np.all(allowed.src % 2 == 0) and np.all(allowed.owner % 3 == 0)
    ref = sum(
        shapely.area(shapely.intersection(a[i], b[j]))
        for i, j in zip(*shapely.STRtree(b).query(a, predicate="intersects"))
        if i % 2 == 0 and j % 3 == 0
    )
    assert shapely.area(allowed.geoms).sum() == pytest.approx(ref, rel=1e-9)


def test_assemble_maximal_disjoint_patches(runner):
    a = _cells(400, seed=8)
    b = _cells(400, seed=9)
    codes_a = np.random.default_rng(1).integers(0, 3, len(a))
    codes_b = np.random.default_rng(2).integers(0, 3, len(b))
    pcs = ov.intersect_pieces(a, ov.TiledRegion(b, runner), runner)
    group = codes_a[pcs.src] * 3 + codes_b[pcs.owner]
    asm = ov.assemble(pcs.geoms, group, runner)
    # every piece went into one patch of its group
    assert (asm.piece_patch >= 0).all()
    assert np.array_equal(asm.group[asm.piece_patch], group)
    for gid in np.unique(group):
        want = shapely.union_all(pcs.geoms[group == gid])
        got = asm.geoms[asm.group == gid]
        assert shapely.area(got).sum() == pytest.approx(want.area, rel=1e-9)
        assert len(got) == len(shapely.get_parts(want))  # maximal: as many patches as connected parts
    assert not _brute_overlaps(asm.geoms, min_area=1e-6)


def test_assemble_repairs_pieces_that_do_not_fit(runner):
    # two squares whose shared edge has a T-junction: coverage union cannot dissolve it
    left = shapely.Polygon([(0, 0), (1, 0), (1, 0.5), (1, 1), (0, 1)])
    right = shapely.box(1, 0, 2, 1)
    pieces = np.array([left, right] + [shapely.box(5 + k, 0, 6 + k, 1) for k in range(70)], dtype=object)
    pieces = np.concatenate(
        [
            pieces,
            [shapely.Polygon([(75, 0), (76, 0), (76, 0.5), (76, 1), (75, 1)]), shapely.box(76, 0, 77, 1)],
        ]
    )
    group = np.array([0, 0] + [1] * 70 + [1, 1])
    dirty = np.zeros(len(pieces), dtype=bool)
    dirty[-2] = True
    asm = ov.assemble(pieces, group, runner, dirty)
    assert len(asm.geoms) == 2
    assert sorted(shapely.area(asm.geoms).tolist()) == pytest.approx([2.0, 72.0])


def test_cancel_raises_between_chunks():
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    r = ov.Runner(threads=2, is_cancelled=cancelled, chunk=16)
    a = _cells(200, seed=1)
    with pytest.raises(ov.Cancelled):
        r.map(shapely.buffer, a, np.full(len(a), 1.0))
    r.close()
    assert len(calls) == 3  # checked before and between chunks, stopped at the first true


def test_node_coverage_mends_t_junctions_and_crumbs(runner):
    # blocks of parcels, each block's parcels clipped to the block: across block edges the parcels
    # meet at T-junctions whose computed vertices sit ~1e-10 m off the line (like the demo district)
    blocks = _cells(40, seed=12)
    rng = np.random.default_rng(4)
    parcels = []
    for blk in blocks:
        x0, y0, x1, y1 = blk.bounds
        pts = rng.uniform((x0, y0), (x1, y1), (25, 2))
        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=blk))
        cut = shapely.intersection(cells, blk)
        parcels.extend(cut[shapely.area(cut) > 0])
    g = np.array(parcels, dtype=object)
    before, _, _ = ov._edge_check(g)
    assert before.mean() > 0.3  # most parcels along block edges look unmatched
    noded, changed, (susp, seg, owner) = ov.node_coverage(g)
    assert len(changed) > 100 and shapely.is_valid(noded).all()
    # geometry moved by nothing measurable, and the layer is an exact coverage now
    np.testing.assert_allclose(shapely.area(noded), shapely.area(g), rtol=1e-9, atol=1e-6)
    full, _, _ = ov._edge_check(noded)
    assert np.array_equal(susp, full)
    frame = shapely.union_all(blocks).exterior
    assert (shapely.intersects(noded[susp], frame)).all()  # only the outer ring stays unmatched
    u = shapely.coverage_union_all(noded)
    assert shapely.is_valid(u) and u.area == pytest.approx(shapely.area(noded).sum(), rel=1e-12)
    # the cleaning report counts it, and finds no overlaps among the crumbs
    cov = ov.clean_coverage(g, np.arange(len(g)), "t", runner)
    assert len(cov.report.noded_fids) == len(changed) and cov.report.n_overlaps == 0


def test_points_in_boxes_grid_equals_strtree():
    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 1000, (20000, 2))
    lo = rng.uniform(0, 1000, (5000, 2))
    hi = lo + rng.exponential(20, (5000, 2))
    hi[:50] += 400  # a few long boxes take the STRtree path
    k, p = ov._points_in_boxes(pts, lo, hi)
    q = shapely.STRtree(shapely.points(pts)).query(shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]))
    assert set(zip(k.tolist(), p.tolist())) == set(zip(q[0].tolist(), q[1].tolist()))
    assert len(k) > 100000


def test_t_junctions_of_a_layer_reprojected_into_the_neighbouring_zone_are_noded(runner):
    """Three 200 m parcels meeting at a T-junction, drawn in EPSG:4548 and reprojected (as a department
    delivering in another zone would) into EPSG:4549: the straight edge of the big parcel no longer
    passes through its neighbours' shared vertex (35 µm off).  With the default 1 mm tolerance the
    vertex is inserted and nothing is reported; with 1 µm two phantom "overlaps" of ~0.002 m² were."""
    from multiplan.algorithms import crs

    x0, y0, size = 640000.0, 3500000.0, 200.0
    big = shapely.box(x0, y0, x0 + size, y0 + size)
    low = shapely.box(x0 + size, y0, x0 + 2 * size, y0 + size / 2)
    high = shapely.box(x0 + size, y0 + size / 2, x0 + 2 * size, y0 + size)
    geoms = crs.reproject(np.array([big, low, high], dtype=object), "EPSG:4548", "EPSG:4549")
    t_vertex = crs.reproject(np.array([shapely.Point(x0 + size, y0 + size / 2)]), "EPSG:4548", "EPSG:4549")[0]
    off = float(shapely.distance(t_vertex, shapely.boundary(geoms[0])))
    assert 1e-5 < off < 1e-4

    strict = ov.clean_coverage(geoms, np.arange(3), "plan", runner, snap_tolerance=1e-6)
    assert strict.report.n_overlaps == 2 and strict.report.overlap_areas.max() < 0.01

    cov = ov.clean_coverage(geoms, np.arange(3), "plan", runner)
    assert ov.SNAP_TOLERANCE == 1e-3
    assert cov.report.n_overlaps == 0 and len(cov.report.gap_areas) == 0
    assert cov.report.noded_fids == [0]
    assert shapely.is_valid(cov.geoms).all()
    # the coverage is exact now: its union is one polygon of the three parcels' area (within 1 mm × edge)
    union = shapely.coverage_union_all(cov.geoms)
    assert shapely.get_num_geometries(union) == 1
    assert abs(shapely.area(union) - shapely.area(geoms).sum()) < 0.01
