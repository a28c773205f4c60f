"""Sliver classification: thresholds from DOMAIN.md §4, exact narrowness, specks counted not flagged."""

from __future__ import annotations

import numpy as np
import shapely
from multiplan.algorithms.slivers import SliverParams, classify, elongation, reason_text
from shapely.affinity import rotate


def _geoms():
    return np.array(
        [
            shapely.box(0, 0, 0.05, 0.1),  # 0: speck 0.005 m²
            shapely.box(0, 0, 10, 15),  # 1: 150 m² < 200 -> area
            shapely.box(0, 0, 30, 30),  # 2: 900 m² square: small but compact -> not a sliver
            shapely.box(0, 0, 100, 8),  # 3: 800 m², elongation 12.5 -> small+elongated
            rotate(shapely.box(0, 0, 600, 3), 33),  # 4: 1800 m², 3 m wide strip -> narrow+elongated
            shapely.box(0, 0, 120, 60),  # 5: 7200 m² block -> real patch
            # 6: a 2500 m² block with a 1000 m x 1 m tail: mean width < 5 but not narrow -> real patch
            shapely.union(shapely.box(0, 0, 50, 50), shapely.box(50, 20, 1050, 21)),
            # 7: an L-shaped 2 m wide strip (elongation of its rectangle is low, compactness catches it)
            shapely.union(shapely.box(0, 0, 300, 2), shapely.box(298, 0, 300, 300)),
            # 8: 1500 m², 12 m wide strip: not narrow, not small -> real patch
            shapely.box(0, 0, 125, 12),
        ],
        dtype=object,
    )


def test_defaults_classify_the_textbook_cases():
    r = classify(_geoms())
    assert r.is_speck.tolist() == [True] + [False] * 8
    assert r.is_sliver.tolist() == [False, True, False, True, True, False, False, True, False]
    assert r.reason.tolist() == [
        "",
        "area",
        "",
        "small+elongated+irregular",
        "narrow+elongated+irregular",
        "",
        "",
        "narrow+irregular",
        "",
    ]
    assert r.narrow[4] and r.narrow[7] and not r.narrow[6]
    np.testing.assert_allclose(r.mean_width[4], 2 * 1800 / 1206, rtol=1e-9)
    np.testing.assert_allclose(r.elongation[3], 12.5, rtol=1e-9)
    assert r.compactness[7] < 0.25
    assert reason_text("narrow+elongated") == "narrow, elongated"


def test_parameters_move_the_thresholds():
    g = _geoms()
    # a wider datum-shift allowance turns the 12 m strip into a sliver; a lower area floor frees #1
    r = classify(g, SliverParams(max_width=13.0, min_area=100.0))
    assert r.is_sliver[8] and r.reason[8] == "narrow+elongated"
    assert not r.is_sliver[1]
    r = classify(g, SliverParams(speck_area=0.0))
    assert not r.is_speck[0] and r.is_sliver[0] and r.reason[0] == "area"


def test_elongation_of_rotated_rectangles():
    rects = np.array([rotate(shapely.box(0, 0, 40, 4), a) for a in (0, 17, 45, 90)], dtype=object)
    np.testing.assert_allclose(elongation(rects), 10.0, rtol=1e-6)
    assert np.isinf(elongation(np.array([shapely.LineString([(0, 0), (1, 1)])], dtype=object))[0])
