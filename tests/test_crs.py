"""Working-CRS choice (issue 4 item 1) and vectorised reprojection."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from multiplan.algorithms import crs as mcrs
from multiplan.algorithms.table import FeatureTable
from multiplan.algorithms.vector_io import read_table
from pyproj import CRS, Transformer

# Pukou (Nanjing) straddles 118.5E, the boundary between GK zones 39 (CM 117E) and 40 (CM 120E).
PUKOU_LON, PUKOU_LAT = 118.62, 32.06


def _table(crs_code, lon=PUKOU_LON, lat=PUKOU_LAT, name="t"):
    c = CRS.from_user_input(crs_code)
    x, y = Transformer.from_crs(4490, c, always_xy=True).transform(lon, lat)
    d = 1e-3 if c.is_geographic else 100.0
    g = np.array([shapely.box(x, y, x + d, y + d)], dtype=object)
    return FeatureTable(geoms=g, fids=np.array([1]), crs_wkt=c.to_wkt(), name=name)


def test_mislabelled_gk_is_identified_by_parameters():
    real = CRS.from_epsg(4548).to_wkt()
    lying = real.replace('ID["EPSG",4548]', 'ID["EPSG",4527]')
    assert mcrs.identify_cgcs2000_gk(lying) == 4548
    assert mcrs.identify_cgcs2000_gk(4527) == 4527  # the prefixed zone 39 really is 4527
    assert mcrs.identify_cgcs2000_gk(4549) == 4549
    assert mcrs.identify_cgcs2000_gk(32650) is None  # UTM: not CGCS2000 GK
    msg = mcrs.label_mismatch(lying)
    assert msg == "The CRS is labelled EPSG:4527 but its parameters are those of EPSG:4548"
    assert mcrs.same_crs(lying, 4548) and not mcrs.same_crs(lying, 4527)
    assert mcrs.canonical(lying).to_epsg() == 4548


def test_zone_numbers():
    assert mcrs.gk_zone_epsg(118.4) == 4548  # CM 117E
    assert mcrs.gk_zone_epsg(118.6) == 4549  # CM 120E
    assert mcrs.gk_zone_epsg(75.2) == 4534 and mcrs.gk_zone_epsg(134.9) == 4554
    assert mcrs.utm_epsg(118.6, 32.0) == 32650
    assert mcrs.utm_epsg(-70.0, -33.0) == 32719


def test_precedence_override_blueprint_common_project_gk_utm():
    a, b = _table(4548, name="urban"), _table(4549, name="land")
    # override beats everything
    w = mcrs.choose_working_crs([a, b], override="EPSG:4549", blueprint_crs="EPSG:4548")
    assert (w.rule, w.crs.to_epsg()) == ("override", 4549)
    # blueprint beats common
    w = mcrs.choose_working_crs([a, a], blueprint_crs="EPSG:4549", project_crs="EPSG:3857")
    assert (w.rule, w.crs.to_epsg()) == ("blueprint", 4549)
    assert "blueprint" in w.reason
    # common projected CRS
    w = mcrs.choose_working_crs([a, _table(4548)], project_crs="EPSG:4549")
    assert (w.rule, w.crs.to_epsg()) == ("common", 4548)
    # inputs differ: a projected project CRS wins
    w = mcrs.choose_working_crs([a, b], project_crs="EPSG:4549")
    assert (w.rule, w.crs.to_epsg()) == ("project", 4549)
    # ... but not a geographic one: CGCS2000 data -> GK zone of the centroid (118.62E -> CM 120E)
    w = mcrs.choose_working_crs([a, b, _table(4490)], project_crs="EPSG:4326")
    assert (w.rule, w.crs.to_epsg()) == ("gk_zone", 4549)
    w = mcrs.choose_working_crs([_table(4490, lon=118.3), _table(4548, lon=118.3)])
    assert (w.rule, w.crs.to_epsg()) == ("gk_zone", 4548)
    # not all CGCS2000 -> UTM of the centroid
    w = mcrs.choose_working_crs([_table(4326), _table(4548)])
    assert (w.rule, w.crs.to_epsg()) == ("utm", 32650)
    assert w.authid == "EPSG:32650"


def test_common_crs_is_compared_by_parameters_not_labels():
    lying = CRS.from_epsg(4548).to_wkt().replace('ID["EPSG",4548]', 'ID["EPSG",4527]')
    a = _table(4548)
    b = FeatureTable(geoms=a.geoms, fids=a.fids, crs_wkt=lying, name="lying")
    w = mcrs.choose_working_crs([a, b])
    assert (w.rule, w.crs.to_epsg()) == ("common", 4548)
    assert any("EPSG:4527" in n for n in w.notes)


def test_missing_crs_is_refused_with_the_layer_name():
    a = _table(4548)
    b = FeatureTable(geoms=a.geoms, fids=a.fids, crs_wkt=None, name="eco_plan")
    with pytest.raises(mcrs.CrsError, match="eco_plan"):
        mcrs.choose_working_crs([a, b])
    # a blueprint CRS decides even then (the glue assumes it for the layer)
    assert mcrs.choose_working_crs([a, b], blueprint_crs=4548).rule == "blueprint"
    with pytest.raises(mcrs.CrsError):
        mcrs.to_crs("not a crs at all")


def test_real_file_numazu_is_common_projected(numazu_copy):
    t = read_table(str(numazu_copy))
    w = mcrs.choose_working_crs([t, t])
    assert w.rule == "common" and w.crs.to_epsg() == 6676


def test_reproject_vectorised_roundtrip_and_z_dropped():
    rng = np.random.default_rng(3)
    x0, y0 = 500000.0 + 30000, 3550000.0
    pts = rng.uniform(0, 5000, (2000, 2))
    geoms = shapely.buffer(shapely.points(pts[:, 0] + x0, pts[:, 1] + y0), 20.0, quad_segs=4)
    tri_z = shapely.Polygon([(x0, y0, 5), (x0 + 10, y0, 5), (x0, y0 + 10, 5)])
    geoms = np.concatenate([geoms, [None, tri_z]])
    out = mcrs.reproject(geoms, 4548, 4549)
    assert out[-2] is None
    assert not shapely.has_z(out[-1])
    # each vertex equals pyproj's per-point answer
    t = Transformer.from_crs(4548, 4549, always_xy=True)
    c_in = shapely.get_coordinates(geoms[:5])
    ex, ey = t.transform(c_in[:, 0], c_in[:, 1])
    np.testing.assert_allclose(shapely.get_coordinates(out[:5]), np.column_stack([ex, ey]), atol=1e-6)
    back = mcrs.reproject(out, 4549, 4548)
    err = np.abs(shapely.get_coordinates(back[:-2]) - shapely.get_coordinates(geoms[:-2])).max()
    assert err < 1e-6  # same datum: a round trip moves nothing measurable
    assert mcrs.reproject(geoms[:3], 4548, "EPSG:4548")[0].equals(geoms[0])
