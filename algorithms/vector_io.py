"""Reading vector files into a :class:`FeatureTable` in bulk through GDAL.

GDAL >= 3.6 streams a layer as Arrow record batches of numpy arrays (``GetArrowStreamAsNumPy``),
which is one C loop instead of a Python loop per feature; older GDAL, curved geometries and
drivers without Arrow support fall back to a per-feature read.  Both paths give the same table.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import numpy as np
import shapely
from osgeo import gdal, ogr, osr

from .i18n import tr
from .table import FeatureTable

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()


class VectorReadError(Exception):
    """A file or layer that cannot be read; the message says which and why."""


@contextmanager
def gdal_decides_shapefile_encoding():
    """Let GDAL recode shapefiles from/to their .cpg / code-page byte while we read or write.

    QGIS's OGR provider sets the process-wide config ``SHAPE_ENCODING=""`` (it recodes itself), so
    inside QGIS every later GDAL read of a GBK shapefile would return raw bytes (and a write would put
    UTF-8 bytes under a GBK .cpg).  Unset it for the duration of our own work, then put back what was there.
    """
    old = gdal.GetConfigOption("SHAPE_ENCODING")
    if old is None:
        yield
        return
    gdal.SetConfigOption("SHAPE_ENCODING", None)
    try:
        yield
    finally:
        gdal.SetConfigOption("SHAPE_ENCODING", old)


def check_written(path: str) -> None:
    """GDAL writes some formats (XLSX) only when the dataset is closed, and then only logs a failure:
    call after closing; :class:`OSError` when ``path`` did not appear."""
    if not os.path.isfile(path):
        raise OSError(tr("{path} was not written (GDAL logs why)").format(path=path))


def open_vector(path: str, *, encoding: str | None = None, update: bool = False):
    """Open a vector dataset; ``encoding`` applies to shapefiles (e.g. ``GBK``)."""
    flags = gdal.OF_VECTOR | (gdal.OF_UPDATE if update else gdal.OF_READONLY)
    options = []
    if encoding and path.lower().endswith((".shp", ".dbf")):
        options.append(f"ENCODING={encoding}")
    try:
        ds = gdal.OpenEx(path, flags, open_options=options)
    except RuntimeError as exc:
        raise VectorReadError(tr("Cannot open {path}: {error}").format(path=path, error=exc)) from exc
    if ds is None:
        raise VectorReadError(tr("Cannot open {path}").format(path=path))
    return ds


def _get_layer(ds, layer: str | int | None):
    if layer is None or layer == "":
        lyr = ds.GetLayer(0)
    elif isinstance(layer, int):
        lyr = ds.GetLayer(layer)
    else:
        lyr = ds.GetLayerByName(layer)
    if lyr is None:
        raise VectorReadError(
            tr("Layer {layer} not found in {path}").format(layer=layer, path=ds.GetDescription())
        )
    return lyr


_OGR_TYPES = {
    ogr.OFTInteger: "int",
    ogr.OFTInteger64: "int",
    ogr.OFTReal: "real",
}


def _field_types(defn) -> dict[str, str]:
    return {
        defn.GetFieldDefn(i).GetName(): _OGR_TYPES.get(defn.GetFieldDefn(i).GetType(), "text")
        for i in range(defn.GetFieldCount())
    }


def _decode(values: np.ndarray) -> np.ndarray:
    """Arrow text columns arrive as fixed-width bytes or object arrays of bytes: make them str.

    Fixed-width bytes (what GDAL gives) are decoded without a Python step per value: a column of pure
    ASCII is converted by numpy in C; otherwise each *distinct* value is decoded once (land-use codes
    and names repeat thousands of times) and spread back by the inverse index.  Masked nulls are set
    by the caller.  Same results as the per-value decode below (invalid UTF-8 replaced).
    """
    n = len(values)
    if values.dtype.kind == "S" and values.dtype.itemsize > 0 and n:
        values = np.ascontiguousarray(values)
        if not (values.view(np.uint8) >= 0x80).any():
            return values.astype(np.str_).astype(object)
        uniq, inv = np.unique(values, return_inverse=True)
        dec = np.empty(len(uniq), dtype=object)
        dec[:] = [u.decode("utf-8", errors="replace") for u in uniq.tolist()]
        return dec[inv.ravel()]
    out = np.empty(n, dtype=object)
    for i, v in enumerate(values.tolist()):
        if v is None:
            out[i] = None
        elif isinstance(v, bytes):
            out[i] = v.decode("utf-8", errors="replace")
        else:
            out[i] = v
    return out


def _column_from_arrow(values, kind: str) -> np.ndarray:
    mask = np.ma.getmaskarray(values) if np.ma.isMaskedArray(values) else None
    data = np.ma.getdata(values) if mask is not None else np.asarray(values)
    if kind == "text":
        arr = _decode(data)
    elif mask is not None and mask.any():
        arr = data.astype(object)
    else:
        return data.astype(np.int64 if kind == "int" else np.float64)
    if mask is not None and mask.any():
        arr = arr.astype(object)
        arr[mask] = None
    return arr


def _read_arrow(lyr, wanted: list[str], types: dict[str, str]):
    options = ["INCLUDE_FID=YES", "USE_MASKED_ARRAYS=YES", "GEOMETRY_ENCODING=WKB"]
    ignored = [name for name in types if name not in wanted]
    lyr.SetIgnoredFields(ignored)
    try:
        stream = lyr.GetArrowStreamAsNumPy(options=options)
        fid_name = lyr.GetFIDColumn() or "OGC_FID"
        geom_name = lyr.GetGeometryColumn() or "wkb_geometry"
        fids, wkbs = [], []
        cols: dict[str, list] = {name: [] for name in wanted}
        for batch in stream:
            fids.append(np.asarray(batch[fid_name]))
            geom = batch.get(geom_name)
            wkbs.append(geom if geom is not None else np.full(len(fids[-1]), None, dtype=object))
            for name in wanted:
                cols[name].append(_column_from_arrow(batch[name], types[name]))
    finally:
        lyr.SetIgnoredFields([])
    if not fids:
        return np.zeros(0, np.int64), np.zeros(0, object), {n: np.zeros(0, object) for n in wanted}
    return (
        np.concatenate(fids).astype(np.int64),
        np.concatenate(wkbs),
        {n: np.concatenate(v) if v else np.zeros(0, object) for n, v in cols.items()},
    )


def _read_loop(lyr, wanted: list[str], types: dict[str, str]):
    fids, wkbs = [], []
    cols: dict[str, list] = {name: [] for name in wanted}
    lyr.ResetReading()
    for feat in lyr:
        fids.append(feat.GetFID())
        g = feat.GetGeometryRef()
        if g is not None and g.IsEmpty() is False and ogr.GT_IsNonLinear(g.GetGeometryType()):
            g = g.GetLinearGeometry()
        wkbs.append(bytes(g.ExportToIsoWkb()) if g is not None else None)
        for name in wanted:
            cols[name].append(feat.GetField(name) if feat.IsFieldSetAndNotNull(name) else None)
    out = {}
    for name in wanted:
        arr = np.empty(len(cols[name]), dtype=object)
        arr[:] = cols[name]
        if types[name] != "text" and all(v is not None for v in cols[name]):
            arr = arr.astype(np.int64 if types[name] == "int" else np.float64)
        out[name] = arr
    w = np.empty(len(wkbs), dtype=object)
    w[:] = wkbs
    return np.asarray(fids, dtype=np.int64), w, out


def read_table(
    path: str,
    layer: str | int | None = None,
    *,
    columns: list[str] | None = None,
    encoding: str | None = None,
    where: str | None = None,
    force_loop: bool = False,
) -> FeatureTable:
    """Read a layer of a vector file; geometries become 2-D shapely geometries.

    ``columns`` limits the attributes read (all when None).  Z/M are dropped and counted in
    ``notes["z_dropped"]``; curved geometries are linearised (``notes["curves_linearised"]``).
    """
    if not os.path.exists(path):
        raise VectorReadError(tr("File not found: {path}").format(path=path))
    with gdal_decides_shapefile_encoding():
        return _read_table(
            path, layer, columns=columns, encoding=encoding, where=where, force_loop=force_loop
        )


def _read_table(path, layer, *, columns, encoding, where, force_loop) -> FeatureTable:
    ds = open_vector(path, encoding=encoding)
    lyr = _get_layer(ds, layer)
    if where:
        lyr.SetAttributeFilter(where)
    types = _field_types(lyr.GetLayerDefn())
    if columns is None:
        wanted = list(types)
    else:
        lower = {k.lower(): k for k in types}
        missing = [c for c in columns if c.lower() not in lower]
        if missing:
            raise VectorReadError(
                tr("Field(s) {fields} not found in layer {layer}").format(
                    fields=", ".join(missing), layer=lyr.GetName()
                )
            )
        wanted = [lower[c.lower()] for c in columns]
    gtype = lyr.GetGeomType()
    nonlinear = ogr.GT_IsNonLinear(gtype) or gtype == ogr.wkbUnknown
    use_arrow = hasattr(lyr, "GetArrowStreamAsNumPy") and not force_loop and not nonlinear
    if use_arrow:
        try:
            fids, wkbs, cols = _read_arrow(lyr, wanted, types)
        except (RuntimeError, KeyError):
            fids, wkbs, cols = _read_loop(lyr, wanted, types)
    else:
        fids, wkbs, cols = _read_loop(lyr, wanted, types)
    geoms = geoms_from_wkb(wkbs)
    notes: dict[str, int] = {}
    geoms = drop_z(geoms, notes)
    srs = lyr.GetSpatialRef()
    crs_wkt = srs.ExportToWkt() if srs is not None else None
    return FeatureTable(
        geoms=geoms,
        fids=fids,
        columns=cols,
        field_types={k: types[k] for k in wanted},
        crs_wkt=crs_wkt,
        name=lyr.GetName(),
        notes=notes,
    )


def drop_z(geoms: np.ndarray, notes: dict | None = None) -> np.ndarray:
    """``geoms`` in 2-D, counting the ones that had Z/M in ``notes["z_dropped"]``.

    Only those are rebuilt: ``shapely.force_2d`` copies every geometry, Z or not, which costs more
    than decoding a 2-D layer.
    """
    geoms = np.asarray(geoms, dtype=object)
    has_z = shapely.has_z(geoms)
    if has_z.any() and notes is not None:
        notes["z_dropped"] = int(has_z.sum())
    if _HAS_M:  # GEOS >= 3.12 keeps M ordinates
        has_z = has_z | shapely.has_m(geoms)
    if has_z.any():
        geoms = geoms.copy()
        geoms[has_z] = shapely.force_2d(geoms[has_z])
    return geoms


_HAS_M = hasattr(shapely, "has_m") and shapely.geos_version >= (3, 12, 0)


def geoms_from_wkb(wkbs) -> np.ndarray:
    """WKB bytes (None for null) to shapely geometries; unreadable blobs become None and are not fatal."""
    arr = np.asarray(wkbs, dtype=object)
    try:
        return shapely.from_wkb(arr, on_invalid="ignore")
    except TypeError:  # pragma: no cover - very old shapely 2.0 betas
        return shapely.from_wkb(arr)


_COPYABLE = (ogr.OFTInteger, ogr.OFTInteger64, ogr.OFTReal, ogr.OFTString)


def gpkg_table(path: str, layer: str | int | None = None) -> str | None:
    """The table name of ``layer`` when it is a GeoPackage feature table that can be copied column for
    column by SQL (fields of integer, real and text types only, linear geometry), else None.

    A blueprint's plan copy of such a table is made inside SQLite (``RunWriter.copy_plan_from_gpkg``),
    so detection reads only the columns it uses.
    """
    try:
        with gdal_decides_shapefile_encoding():
            ds = open_vector(path)
            if ds.GetDriver().ShortName != "GPKG":
                return None
            lyr = _get_layer(ds, layer)
            defn = lyr.GetLayerDefn()
            if defn.GetGeomFieldCount() != 1 or ogr.GT_IsNonLinear(lyr.GetGeomType()):
                return None
            if any(defn.GetFieldDefn(i).GetType() not in _COPYABLE for i in range(defn.GetFieldCount())):
                return None
            return lyr.GetName()
    except (VectorReadError, RuntimeError):
        return None


def layer_names(path: str) -> list[str]:
    ds = open_vector(path)
    return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
