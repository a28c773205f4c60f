"""The GeoPackage writer on sqlite3: blobs, R-tree (bulk and trigger paths), GDAL and QGIS reading it."""

from __future__ import annotations

import sqlite3
import subprocess

import numpy as np
import pytest
import shapely
from multiplan.algorithms import gpkg

RTREE = "rtree_parcels_geom"


def _new(path, *, authid="EPSG:4549", crs_wkt=None):
    conn = sqlite3.connect(str(path), isolation_level=None)
    gpkg.register_functions(conn)
    conn.execute("BEGIN")
    gpkg.init_geopackage(conn)
    srs = gpkg.ensure_srs(conn, crs_wkt=crs_wkt, authid=None if crs_wkt else authid)
    return conn, srs


def _parcels(n, seed=0):
    rng = np.random.default_rng(seed)
    x = 500000 + rng.random(n) * 20000
    y = 3540000 + rng.random(n) * 20000
    return shapely.buffer(shapely.points(x, y), 5 + rng.random(n) * 20, quad_segs=2).astype(object)


def _write_parcels(path, n=3000, *, extra=None):
    conn, srs = _new(path)
    gpkg.create_feature_table(
        conn,
        "parcels",
        [("code", "text"), ("用地名称", "text"), ("area", "real"), ("n", "int")],
        geometry_type="MULTIPOLYGON",
        srs_id=srs,
    )
    geoms = _parcels(n)
    geoms[1] = shapely.MultiPolygon(
        [shapely.box(501000, 3541000, 501010, 3541010), shapely.box(501020, 3541000, 501030, 3541010)]
    )
    codes = np.array([f"{i % 23:04d}" for i in range(n)], dtype=object)  # leading zeros are text
    codes[2] = None
    cols = {
        "code": codes,
        "用地名称": np.array(["水田" if i % 2 else "城镇住宅用地" for i in range(n)], dtype=object),
        "area": shapely.area(geoms),
        "n": np.arange(n),
    }
    if extra is not None:
        geoms = np.concatenate([geoms, np.asarray(extra, dtype=object)])
        m = len(extra)
        cols = {
            k: np.concatenate(
                [v, np.full(m, None, dtype=object) if v.dtype == object else np.zeros(m, v.dtype)]
            )
            for k, v in cols.items()
        }
    fids = gpkg.insert_features(conn, "parcels", geoms, cols)
    conn.execute("COMMIT")
    return conn, srs, geoms, cols, fids


def _brute(bounds, box):
    x0, y0, x1, y1 = box
    ok = (bounds[:, 2] >= x0) & (bounds[:, 0] <= x1) & (bounds[:, 3] >= y0) & (bounds[:, 1] <= y1)
    return set((np.flatnonzero(ok) + 1).tolist())


def _rtree_query(conn, box):
    x0, y0, x1, y1 = box
    rows = conn.execute(
        f"SELECT id FROM {RTREE} WHERE maxx>=? AND minx<=? AND maxy>=? AND miny<=?", (x0, x1, y0, y1)
    )
    return {r[0] for r in rows}


def test_round_trip_polygons_text_and_nulls(tmp_path):
    path = tmp_path / "p.gpkg"
    conn, srs, geoms, cols, fids = _write_parcels(path, n=500, extra=[None, shapely.box(0, 0, 1, 1)])
    assert fids.tolist() == list(range(1, 503))
    out_fids, out_geoms, out_cols = gpkg.read_features(conn, "parcels")
    assert out_fids.tolist() == fids.tolist()
    assert out_geoms[500] is None
    # A Polygon in a MULTIPOLYGON column is promoted by its WKB header; the geometry is unchanged.
    assert out_geoms[501].geom_type == "MultiPolygon"
    assert shapely.equals(out_geoms[501], shapely.box(0, 0, 1, 1))
    assert all(g.geom_type == "MultiPolygon" for g in out_geoms[:500])
    assert shapely.equals(out_geoms[:500], geoms[:500]).all()
    assert out_cols["code"][0] == "0000" and out_cols["code"][2] is None
    assert out_cols["用地名称"][:2].tolist() == ["城镇住宅用地", "水田"]
    assert np.allclose(out_cols["area"][:500].astype(float), cols["area"][:500].astype(float))


def test_empty_geometry_blob_matches_gdal(tmp_path):
    """An empty polygon becomes GDAL's exact blob: header with the empty flag, no envelope."""
    blob = gpkg.encode_geometries([shapely.Polygon()], 4549, geometry_type="MULTIPOLYGON")[0]
    assert blob == b"GP\x00\x11\xc5\x11\x00\x00" + b"\x01\x06\x00\x00\x00\x00\x00\x00\x00"
    back = gpkg.decode_geometries([blob])[0]
    assert back.is_empty and back.geom_type == "MultiPolygon"


def test_wrong_geometry_type_is_refused():
    with pytest.raises(gpkg.GeoPackageError, match="not MULTIPOLYGON"):
        gpkg.encode_geometries([shapely.Point(0, 0)], 4549, geometry_type="MULTIPOLYGON")


def test_bulk_rtree_is_valid_and_answers_like_brute_force(tmp_path):
    path = tmp_path / "p.gpkg"
    conn, srs, geoms, cols, fids = _write_parcels(path, n=6000)
    # The bulk loader wrote SQLite's own node format: SQLite's checker agrees.
    assert conn.execute(f"SELECT rtreecheck('{RTREE}')").fetchone()[0] == "ok"
    assert conn.execute(f"SELECT count(*) FROM {RTREE}").fetchone()[0] == 6000
    depth = int.from_bytes(
        conn.execute(f"SELECT data FROM {RTREE}_node WHERE nodeno=1").fetchone()[0][:2], "big"
    )
    assert depth >= 2  # 6000 entries / 51 per node: a real multi-level tree
    bounds = shapely.bounds(geoms)
    rng = np.random.default_rng(1)
    for _ in range(25):
        x, y = 500000 + rng.random() * 20000, 3540000 + rng.random() * 20000
        box = (x, y, x + rng.random() * 3000, y + rng.random() * 3000)
        got, exact = _rtree_query(conn, box), _brute(bounds, box)
        # float32 boxes are a little larger than the geometry: a superset, extras within one float32 step
        assert exact <= got
        grown = (box[0] - 0.5, box[1] - 0.5, box[2] + 0.5, box[3] + 0.5)
        assert got <= _brute(bounds, grown)
    # Boxes are stored as float32 rounded outward: never smaller than the geometry.
    rt = np.array(conn.execute(f"SELECT id, minx, maxx, miny, maxy FROM {RTREE} ORDER BY id").fetchall())
    assert (rt[:, 1] <= bounds[:, 0]).all() and (rt[:, 2] >= bounds[:, 2]).all()
    assert (rt[:, 3] <= bounds[:, 1]).all() and (rt[:, 4] >= bounds[:, 3]).all()


def test_triggers_keep_the_index_right_for_later_edits(tmp_path):
    path = tmp_path / "p.gpkg"
    conn, srs, geoms, cols, fids = _write_parcels(path, n=300)
    blob = gpkg.encode_geometries(
        [shapely.box(600000, 3600000, 600010, 3600010)], srs, geometry_type="MULTIPOLYGON"
    )[0]
    conn.execute("INSERT INTO parcels (geom, code) VALUES (?, '0101')", (blob,))
    new_fid = conn.execute("SELECT max(fid) FROM parcels").fetchone()[0]
    assert _rtree_query(conn, (600001, 3600001, 600002, 3600002)) == {new_fid}
    conn.execute("UPDATE parcels SET geom=? WHERE fid=5", (blob,))
    assert _rtree_query(conn, (600001, 3600001, 600002, 3600002)) == {new_fid, 5}
    conn.execute("DELETE FROM parcels WHERE fid=5")
    assert _rtree_query(conn, (600001, 3600001, 600002, 3600002)) == {new_fid}
    # Bulk update path (triggers dropped and re-created inside the transaction).
    conn.execute("BEGIN")
    moved = np.array([shapely.box(700000, 3700000, 700001, 3700001)] * 3, dtype=object)
    gpkg.update_features(
        conn, "parcels", [10, 11, 12], moved, {"code": np.array(["9", "9", "9"], dtype=object)}
    )
    conn.execute("COMMIT")
    assert _rtree_query(conn, (699999, 3699999, 700002, 3700002)) == {10, 11, 12}
    assert conn.execute(f"SELECT rtreecheck('{RTREE}')").fetchone()[0] == "ok"
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert {f"{RTREE}_{s}" for s in ("insert", "update1", "update2", "update3", "update4", "delete")} <= names


def test_gdal_reads_and_validates_it(tmp_path):
    from osgeo import gdal
    from osgeo_utils.samples import validate_gpkg

    path = tmp_path / "p.gpkg"
    conn, srs, geoms, cols, fids = _write_parcels(path, n=1500)
    conn.close()
    # GDAL's own validator (GDAL 3.6's has a bug on empty geometries, which this file has none of).
    validate_gpkg.check(str(path))
    out = subprocess.run(
        ["ogrinfo", "-so", str(path), "parcels"], capture_output=True, text=True, check=True
    ).stdout
    assert "Feature Count: 1500" in out
    assert "Multi Polygon" in out
    assert 'ID["EPSG",4549]' in out
    b = shapely.total_bounds(geoms)
    assert f"Extent: ({b[0]:.6f}, {b[1]:.6f}) - ({b[2]:.6f}, {b[3]:.6f})" in out
    ds = gdal.OpenEx(str(path), gdal.OF_VECTOR)
    lyr = ds.GetLayerByName("parcels")
    feat = lyr.GetFeature(3)
    assert feat.GetField("code") is None
    assert lyr.GetFeature(4).GetField("code") == "0003"
    assert feat.GetField("用地名称") == "城镇住宅用地"
    assert shapely.equals(shapely.from_wkb(bytes(feat.GetGeometryRef().ExportToIsoWkb())), geoms[2])
    lyr.SetSpatialFilterRect(500000, 3540000, 505000, 3545000)
    expected = len(_brute(shapely.bounds(geoms), (500000, 3540000, 505000, 3545000)))
    assert lyr.GetFeatureCount() == expected


def test_gdal_edits_keep_our_index_consistent(tmp_path):
    from osgeo import gdal, ogr

    path = tmp_path / "p.gpkg"
    conn, *_ = _write_parcels(path, n=400)
    conn.close()
    ds = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_UPDATE)
    lyr = ds.GetLayerByName("parcels")
    feat = ogr.Feature(lyr.GetLayerDefn())
    feat.SetField("code", "0102")
    feat.SetGeometry(ogr.CreateGeometryFromWkt("MULTIPOLYGON (((0 0,1 0,1 1,0 0)))"))
    lyr.CreateFeature(feat)
    lyr.DeleteFeature(7)
    ds = None
    conn = sqlite3.connect(str(path))
    assert conn.execute(f"SELECT rtreecheck('{RTREE}')").fetchone()[0] == "ok"
    assert conn.execute(f"SELECT count(*) FROM {RTREE}").fetchone()[0] == 400
    assert conn.execute(f"SELECT count(*) FROM {RTREE} WHERE id=7").fetchone()[0] == 0


def test_custom_crs_gets_a_private_srs_id(tmp_path):
    from osgeo import osr

    srs_in = osr.SpatialReference()
    srs_in.SetFromUserInput("+proj=tmerc +lat_0=0 +lon_0=118.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m")
    conn, srs = _new(tmp_path / "c.gpkg", crs_wkt=srs_in.ExportToWkt())
    assert srs >= 100000
    gpkg.create_feature_table(conn, "t", [], geometry_type="POLYGON", srs_id=srs)
    gpkg.insert_features(conn, "t", np.array([shapely.box(0, 0, 1, 1)], dtype=object), {})
    conn.execute("COMMIT")
    conn.close()
    from osgeo import ogr

    ds = ogr.Open(str(tmp_path / "c.gpkg"))
    got = ds.GetLayer(0).GetSpatialRef()
    assert got is not None and abs(got.GetProjParm("central_meridian") - 118.5) < 1e-9


def test_qgis_opens_the_layer(tmp_path, qgis_app):
    from qgis.core import QgsVectorLayer

    path = tmp_path / "p.gpkg"
    conn, srs, geoms, cols, fids = _write_parcels(path, n=800)
    conn.close()
    layer = QgsVectorLayer(f"{path}|layername=parcels", "parcels", "ogr")
    assert layer.isValid()
    assert layer.featureCount() == 800
    assert layer.crs().authid() == "EPSG:4549"
    feats = {f.id(): f for f in layer.getFeatures()}
    assert len(feats) == 800
    f = feats[10]
    assert f["用地名称"] == "水田"  # fid 10 is row 9: odd rows are 水田
    got = shapely.from_wkb(bytes(f.geometry().asWkb()))
    assert shapely.equals(got, geoms[9])


def test_bulk_write_cancel_leaves_nothing(tmp_path):
    conn, srs = _new(tmp_path / "p.gpkg")
    gpkg.create_feature_table(conn, "parcels", [("n", "int")], geometry_type="MULTIPOLYGON", srs_id=srs)
    conn.execute("COMMIT")
    geoms = _parcels(5000)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    conn.execute("BEGIN")
    with pytest.raises(InterruptedError):
        gpkg.insert_features(conn, "parcels", geoms, {"n": np.arange(5000)}, chunk=1000, cancel=cancel)
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM parcels").fetchone()[0] == 0
    assert conn.execute(f"SELECT count(*) FROM {RTREE}").fetchone()[0] == 0
    assert len(calls) == 3
    triggers = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='trigger'").fetchone()[0]
    assert triggers == 6  # the rolled-back bulk path restored the R-tree triggers
