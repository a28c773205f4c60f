"""Patch identity across runs: fingerprints and the matching cases of DESIGN.md (动态更新)."""

from __future__ import annotations

import numpy as np
import shapely
from multiplan.algorithms.identity import PatchSet, fingerprint, match


def _set(kinds, codes, geoms, ids=None):
    return PatchSet(
        kind=np.array(kinds, dtype=object),
        code_key=np.array(codes, dtype=object),
        geoms=np.array(geoms, dtype=object),
        ids=None if ids is None else np.array(ids, dtype=object),
    )


def test_fingerprint_ignores_representation_not_content():
    g = shapely.Polygon([(0, 0), (100, 0), (100, 50), (0, 50)])
    same = [
        shapely.Polygon([(100, 0), (100, 50), (0, 50), (0, 0)]),  # other start vertex
        shapely.Polygon([(0, 0), (0, 50), (100, 50), (100, 0)]),  # other orientation
        shapely.Polygon([(0.001, 0), (100, 0.002), (100, 50), (50, 50), (0, 50)]),  # mm noise, extra vertex
    ]
    fp = fingerprint("LG_URBAN_CON", "urban:0701|land:01", np.array([g] + same, dtype=object))
    # the collinear extra vertex is a real difference in the representation: only the first two match
    assert fp[0] == fp[1] == fp[2]
    assert fp[3] != fp[0]
    moved = fingerprint("LG_URBAN_CON", "urban:0701|land:01", np.array([shapely.box(0, 0, 100, 50.02)]))
    other_code = fingerprint("LG_URBAN_CON", "urban:0701|land:03", np.array([g]))
    other_kind = fingerprint("LG_LAND_CON", "urban:0701|land:01", np.array([g]))
    assert len({fp[0], moved[0], other_code[0], other_kind[0]}) == 4
    assert len(fp[0]) == 20


def test_every_case_with_its_count():
    sq = lambda x, y, w=100.0, h=100.0: shapely.box(x, y, x + w, y + h)  # noqa: E731
    k, c = "LG_URBAN_CON", "urban:0701|land:01"
    old = _set(
        [k] * 10 + ["RL_URBAN"],
        [c] * 10 + ["urban:0701"],
        [
            sq(0, 0),  # P000001 same
            sq(200, 0),  # P000002 changed (moved: IoU ~0.8)
            sq(400, 0),  # P000003 recoded
            sq(600, 0, 300, 100),  # P000004 split in two (and its last third gone)
            sq(900, 0),  # P000005 merged with ...
            sq(1000, 0),  # P000006 ... this one and ...
            sq(1100, 0),  # P000007 ... this one
            sq(1300, 0),  # P000008 vanished
            sq(1500, 0),  # P000009 swallows P000010
            sq(1600, 0, 10, 100),  # P000010
            sq(0, 0),  # P000011 another kind on the same ground: same
        ],
        ids=[f"P{i:06d}" for i in range(1, 12)],
    )
    new = _set(
        [k] * 8 + ["RL_URBAN"],
        [c, c, "urban:0701|land:03", c, c, c, c, c, "urban:0701"],
        [
            sq(0, 0),
            sq(210, 0),
            sq(400, 0),
            sq(600, 0),
            sq(700, 0),
            sq(900, 0, 300, 100),
            sq(3000, 0),  # brand new
            sq(1500, 0, 110, 100),
            sq(0, 0),
        ],
    )
    r = match(old, new)
    assert r.status.tolist() == [
        "same",
        "changed",
        "recoded",
        "split",
        "split",
        "merged",
        "new",
        "changed",
        "same",
    ]
    assert r.ids.tolist()[:2] == ["P000001", "P000002"] and r.ids.tolist()[7:] == ["P000009", "P000011"]
    assert r.ids.tolist()[2:7] == ["P000012", "P000013", "P000014", "P000015", "P000016"]
    assert r.predecessors[2] == ["P000003"]
    assert r.predecessors[3] == ["P000004"] and r.predecessors[4] == ["P000004"]
    assert sorted(r.predecessors[5]) == ["P000005", "P000006", "P000007"]
    assert r.predecessors[7] == ["P000010"]  # kept its id, swallowed a sliver: shown, not lost
    assert r.predecessors[6] == [] and r.predecessors[0] == []
    assert r.flagged.tolist() == [False, True, True, True, True, True, False, True, False]
    assert 0.8 < r.iou[1] < 0.99
    assert sorted(r.closed_ids.tolist()) == [
        "P000003",
        "P000004",
        "P000005",
        "P000006",
        "P000007",
        "P000008",
        "P000010",
    ]
    assert r.superseded_ids.tolist() == ["P000003", "P000004", "P000005", "P000006", "P000007", "P000010"]
    assert r.counts == {
        "same": 2,
        "changed": 2,
        "recoded": 1,
        "split": 2,
        "merged": 1,
        "reshaped": 0,
        "new": 1,
        "closed": 7,
        "superseded": 6,
        "vanished": 1,
    }
    assert r.next_number == 17


def test_split_keeps_the_id_on_the_big_part_and_first_run_numbers_from_one():
    k, c = "PF_URBAN", "urban:1001"
    old = _set([k], [c], [shapely.box(0, 0, 100, 100)], ids=["P000041"])
    new = _set([k, k], [c, c], [shapely.box(0, 0, 100, 80), shapely.box(0, 80, 100, 100)])
    r = match(old, new)
    assert r.status.tolist() == ["changed", "split"]
    assert r.ids.tolist() == ["P000041", "P000042"]
    assert r.predecessors[1] == ["P000041"] and len(r.closed_ids) == 0
    first = match(None, new)
    assert first.ids.tolist() == ["P000001", "P000002"] and (first.status == "new").all()


def test_many_patches_vectorised_and_stable():
    rng = np.random.default_rng(0)
    n = 3000
    x = rng.uniform(0, 1e5, n)
    y = rng.uniform(0, 1e5, n)
    geoms = shapely.box(x, y, x + 50, y + 30)
    kinds = np.where(rng.random(n) < 0.5, "LG_URBAN_CON", "LG_LAND_CON").astype(object)
    codes = np.array([f"urban:{i % 7}|land:{i % 5}" for i in range(n)], dtype=object)
    old = PatchSet(kinds, codes, geoms, ids=np.array([f"P{i + 1:06d}" for i in range(n)], dtype=object))
    # a re-run on the same input (reprojected back and forth, so last digits differ) keeps every id
    wiggled = shapely.transform(geoms, lambda xy: xy + 1e-7)
    r = match(old, PatchSet(kinds, codes, wiggled))
    assert (r.status == "same").all() and np.array_equal(r.ids, old.ids)
    assert r.counts["closed"] == 0
