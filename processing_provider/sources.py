"""Turning Processing sources into engine tables, and engine results into sinks.

The fast path hands a plain file layer (OGR provider, no subset filter, not "selected features
only") to the engine's bulk reader; any other provider (memory layers from a model, PostGIS, WFS …)
is read feature by feature here.  Both give the same :class:`FeatureTable`.
"""

from __future__ import annotations

import contextlib

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputLayerDefinition,
    QgsProviderRegistry,
)

from .. import compat
from ..algorithms.i18n import tr
from ..algorithms.table import FeatureTable
from ..algorithms.vector_io import drop_z, geoms_from_wkb, read_table

_NUMERIC = {"int", "real"}
#: QGIS field type names of the engine's column kinds.
QTYPES = {"text": "String", "int": "LongLong", "real": "Double", "bool": "Int"}


def _file_of(layer) -> tuple[str, str | None] | None:
    """(path, layer name) when ``layer`` is a plain OGR file layer the bulk reader can open itself."""
    if layer is None or layer.providerType() != "ogr" or layer.subsetString():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path")
    if not path or parts.get("subset"):
        return None
    name = parts.get("layerName") or None
    if name is None and parts.get("layerId") not in (None, ""):
        name = int(parts["layerId"])
    return path, name


def gpkg_copy_source(layer) -> tuple[str, str] | None:
    """(path, table) when ``layer`` is a whole GeoPackage table the blueprint can copy by SQL.

    Its plan copy is then made inside SQLite from the file, so detection reads only the columns it
    uses (``..algorithms.detect.PLAN_COLUMNS``) instead of every column.
    """
    from ..algorithms.vector_io import gpkg_table

    info = _file_of(layer)
    if info is None or not info[0].lower().endswith(".gpkg"):
        return None
    table = gpkg_table(info[0], info[1])
    return None if table is None else (info[0], table)


def plan_columns(fields, extra=()) -> list[str]:
    """The fields of a harmonised plan detection reads (Contract 1's, case as in the layer)."""
    from ..algorithms.detect import PLAN_COLUMNS

    wanted = {c.lower() for c in PLAN_COLUMNS} | {c.lower() for c in extra}
    return [f.name() for f in fields if f.name().lower() in wanted]


def _selected_only(parameters, name) -> bool:
    value = parameters.get(name)
    return isinstance(value, QgsProcessingFeatureSourceDefinition) and value.selectedFeaturesOnly


def source_to_table(alg, parameters, name, context, feedback, columns=None, encoding=None) -> FeatureTable:
    """Read the feature source parameter ``name`` into a FeatureTable (2-D geometries, text codes as text).

    ``columns``: the fields to read (all when None; ``[]`` for geometry only).
    """
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        raise QgsProcessingException(alg.invalidSourceError(parameters, name))
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    fileinfo = None if _selected_only(parameters, name) else _file_of(layer)
    if fileinfo is not None:
        table = _file_table(layer, fileinfo, columns, encoding)
        # QGIS shows a GeoPackage's primary key as a field ("fid"); OGR keeps it as the feature id.
        for field in source.fields():
            if field.name() not in table.columns and (columns is None or field.name() in columns):
                if field.name().lower() == "fid":
                    table.columns[field.name()] = table.fids.copy()
                    table.field_types[field.name()] = "int"
        return table
    return _read_features(source, columns, feedback, layer.name() if layer else name)


def _shapefile_encoding(layer, path: str, encoding: str | None = None) -> str | None:
    """The encoding to read ``path`` with: the caller's, else the layer's own for a shapefile
    (None: GDAL decides)."""
    enc = encoding or (layer.dataProvider().encoding() if path.lower().endswith(".shp") else None)
    return None if enc in ("System", "") else enc


def _file_table(layer, fileinfo, columns, encoding=None) -> FeatureTable:
    """The layer read in bulk from its file (a shapefile with the layer's encoding), with QGIS's CRS and
    the layer's name."""
    path, lyrname = fileinfo
    table = read_table(path, lyrname, columns=columns, encoding=_shapefile_encoding(layer, path, encoding))
    table.crs_wkt = layer.crs().toWkt() or table.crs_wkt
    table.name = layer.name()
    return table


def layer_to_table(layer, feedback, columns=None) -> FeatureTable:
    """A vector layer (e.g. one of a multi-layer parameter) as a FeatureTable: read in bulk from its file,
    else feature by feature."""
    info = _file_of(layer)
    if info is not None:
        return _file_table(layer, info, columns)
    return _read_features(layer, columns, feedback, layer.name())


def _read_features(source, columns, feedback, name) -> FeatureTable:
    fields = source.fields()
    if columns is None:
        columns = [f.name() for f in fields]
    idx = []
    for c in columns:
        i = fields.lookupField(c)
        if i < 0:
            raise QgsProcessingException(tr("Field {field} not found in {layer}").format(field=c, layer=name))
        idx.append(i)
    types = {}
    for c, i in zip(columns, idx):
        f = fields.at(i)
        types[c] = (
            "int"
            if f.isNumeric()
            and f.precision() == 0
            and f.typeName().lower().startswith(("int", "long", "integer"))
            else ("real" if f.isNumeric() else "text")
        )
    n = source.featureCount()
    fids, wkbs, values = [], [], {c: [] for c in columns}
    request = QgsFeatureRequest().setSubsetOfAttributes(idx)
    for k, feat in enumerate(source.getFeatures(request)):
        if feedback is not None and feedback.isCanceled():
            break
        fids.append(feat.id())
        g = feat.geometry()
        wkbs.append(bytes(g.asWkb()) if g is not None and not g.isNull() else None)
        attrs = feat.attributes()
        for c, i in zip(columns, idx):
            v = attrs[i]
            values[c].append(None if v is None or (hasattr(v, "isNull") and v.isNull()) else v)
        if feedback is not None and n and k % 5000 == 0:
            feedback.setProgressText(tr("Reading {name}: {k} of {n}").format(name=name, k=k, n=n))
    cols = {}
    for c in columns:
        arr = np.empty(len(values[c]), dtype=object)
        arr[:] = values[c]
        cols[c] = arr
    w = np.empty(len(wkbs), dtype=object)
    w[:] = wkbs
    notes = {}
    geoms = drop_z(geoms_from_wkb(w), notes)
    return FeatureTable(
        geoms=geoms,
        fids=np.asarray(fids, dtype=np.int64),
        columns=cols,
        field_types=types,
        crs_wkt=source.sourceCrs().toWkt() or None,
        name=name,
        notes=notes,
    )


def write_table_to_sink(sink, fields: QgsFields, table: FeatureTable, feedback=None, geoms=None) -> int:
    """Write every row of ``table`` (columns named as ``fields``) into ``sink``; returns the count written."""
    import shapely

    names = [f.name() for f in fields]
    # tolist() turns numpy scalars into plain Python values in C, once per column (QGIS takes no numpy types).
    rows = list(zip(*[table.columns[n].tolist() for n in names])) if names else [()] * len(table)
    geoms = table.geoms if geoms is None else geoms
    wkbs = shapely.to_wkb(geoms, include_srid=False).tolist()
    total = len(table)
    written = 0
    batch = []
    for wkb, row in zip(wkbs, rows):
        f = QgsFeature(fields)
        if wkb is not None:
            g = QgsGeometry()
            g.fromWkb(wkb)
            f.setGeometry(g)
        f.setAttributes(list(row))
        batch.append(f)
        if len(batch) >= 10000:
            sink.addFeatures(batch, QgsFeatureSink.Flag.FastInsert)
            written += len(batch)
            batch = []
            if feedback is not None:
                if feedback.isCanceled():
                    return written
                feedback.setProgress(100.0 * written / max(total, 1))
    if batch:
        sink.addFeatures(batch, QgsFeatureSink.Flag.FastInsert)
        written += len(batch)
    return written


def ensure_folder(what: str, path: str | None) -> None:
    """Create the folder of a file output when it does not exist yet (a new folder typed in the dialog);
    a folder that cannot be made is a Processing error naming the output.  Provider URIs (``memory:``,
    ``ogr:…``, ``a.gpkg|layername=…``) are left to QGIS."""
    import os
    import re

    if not path or "|" in path or re.match(r"^[A-Za-z][A-Za-z0-9_]+:(?![\\/])", path):
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(folder):
        return
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise QgsProcessingException(
            tr("{what}: the folder {folder} cannot be created: {error}").format(
                what=what, folder=folder, error=exc
            )
        ) from exc


def output_error(path: str, exc: Exception) -> QgsProcessingException:
    """A clear error for an output that cannot be written (no Python traceback).  A missing folder
    cannot be the reason: :func:`ensure_folder` made it before any work."""
    return QgsProcessingException(tr("Cannot write {path}: {why}").format(path=path, why=exc))


def output_folders(alg, parameters, context, names) -> None:
    """:func:`ensure_folder` for the file outputs ``names`` of ``alg`` — before any work is done."""
    for name in names:
        ensure_folder(
            alg.parameterDefinition(name).description(), alg.parameterAsOutputLayer(parameters, name, context)
        )


def layer_name(path: str, fallback: str) -> str:
    """The table name of a new GeoPackage output: its file name when that is an ASCII identifier (what
    the GeoPackage writer accepts), else its ASCII letters and digits (``2024-plan.gpkg`` → ``t_2024_plan``,
    ``差异图斑v2.gpkg`` → ``v2``), else the output parameter's name (``选址核查.gpkg`` → ``output``)."""
    import os
    import re

    from ..algorithms.gpkg import is_table_name

    stem = os.path.splitext(os.path.basename(path))[0]
    if is_table_name(stem):
        return stem
    ascii_ = re.sub(r"[^A-Za-z0-9]+", "_", stem).strip("_")
    if ascii_ and re.search(r"[A-Za-z]", ascii_):
        return ascii_ if ascii_[0].isalpha() else "t_" + ascii_
    return re.sub(r"[^A-Za-z0-9]+", "_", fallback).strip("_").lower() or "output"


def _gpkg_destination(alg, parameters, name, context) -> str | None:
    """The destination path when it is a plain new GeoPackage file the bulk writer can make itself."""
    value = parameters.get(name)
    if isinstance(value, QgsProcessingOutputLayerDefinition) and (
        value.createOptions or value.useRemapping()
    ):
        return None
    path = alg.parameterAsOutputLayer(parameters, name, context)
    if not path or "|" in path or not path.lower().endswith(".gpkg"):
        return None
    return path


def _kind(field) -> str:
    if not field.isNumeric():
        return "text"
    return "int" if field.type() in compat.INTEGER_FIELD_TYPES else "real"


def write_output(
    alg,
    parameters,
    name,
    context,
    feedback,
    fields: QgsFields,
    wkb_type,
    crs,
    table: FeatureTable,
    geoms=None,
) -> str:
    """Write ``table`` to the output parameter ``name``: in bulk for a GeoPackage file, else through a sink.

    Returns the destination for the results dictionary.  The bulk path registers the layer for loading
    on completion exactly as ``parameterAsSink`` would, so the Toolbox dialog behaves the same.
    """
    import os

    from ..algorithms.gpkg import write_layer_file

    spatial = wkb_type != compat.WKB_NO_GEOMETRY
    geoms = (table.geoms if geoms is None else geoms) if spatial else None
    output_folders(alg, parameters, context, [name])
    path = _gpkg_destination(alg, parameters, name, context)
    if path is None:
        sink, dest = alg.parameterAsSink(parameters, name, context, fields, wkb_type, crs)
        if sink is None:
            raise QgsProcessingException(alg.invalidSinkError(parameters, name))
        write_table_to_sink(sink, fields, table, feedback, geoms=geoms)
        return dest
    if os.path.exists(path):
        os.remove(path)
    # The new file has its own fid primary key: a source "fid" field is kept as "fid_src".
    columns = [
        (f.name() if f.name().lower() != "fid" else "fid_src", _kind(f), table.columns[f.name()])
        for f in fields
    ]
    layer = layer_name(path, name)
    valid_crs = crs is not None and crs.isValid()
    write_layer_file(
        path,
        layer,
        geoms,
        columns,
        crs_wkt=crs.toWkt() if valid_crs else None,
        authid=crs.authid() if valid_crs else None,
        cancel=feedback.isCanceled if feedback is not None else None,
    )
    value = parameters.get(name)
    if isinstance(value, QgsProcessingOutputLayerDefinition) and value.destinationProject is not None:
        details = QgsProcessingContext.LayerDetails(
            value.destinationName or alg.parameterDefinition(name).description(),
            value.destinationProject,
            name,
        )
        context.addLayerToLoadOnCompletion(path, details)
    return path


def write_rows(
    alg, parameters, name, context, feedback, table: FeatureTable, fields: QgsFields | None = None
) -> str:
    """Write a table without geometry (statistics, summaries) to the output ``name``; its fields are
    :func:`table_fields` unless given."""
    return write_output(
        alg,
        parameters,
        name,
        context,
        feedback,
        table_fields(table) if fields is None else fields,
        compat.WKB_NO_GEOMETRY,
        QgsCoordinateReferenceSystem(),
        table,
    )


@contextlib.contextmanager
def engine_checks_geometry(context):
    """Read sources without QGIS's invalid-geometry check: the engine repairs invalid geometries and
    reports them by feature id, which "stop at the first invalid feature" would prevent."""
    old = context.invalidGeometryCheck()
    context.setInvalidGeometryCheck(compat.GEOMETRY_NO_CHECK)
    try:
        yield
    finally:
        context.setInvalidGeometryCheck(old)


def rows_table(rows: list[dict], fields, name: str) -> FeatureTable:
    """Rows (dicts) as an attribute table with fixed columns (missing values are null)."""
    n = len(rows)
    cols = {f: np.array([r.get(f) for r in rows], dtype=object) for f, _k in fields}
    return FeatureTable(np.full(n, None, dtype=object), np.arange(n), cols, dict(fields), None, name)


def table_fields(table) -> QgsFields:
    """The output fields of a table: its field types, else the kind of its values."""
    fields = QgsFields()
    for name in table.columns:
        kind = table.field_types.get(name) or _kind_of(table.columns[name])
        fields.append(QgsField(name, compat.field_type(QTYPES.get(kind, "String"))))
    return fields


def _kind_of(values) -> str:
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return "int"
    if arr.dtype.kind == "f":
        return "real"
    return "text"


def multi_polygons(geoms):
    """Every polygon as a one-part multipolygon, in a copy (None kept): outputs are MultiPolygon layers."""
    import shapely

    geoms = np.asarray(geoms, dtype=object).copy()
    single = shapely.get_type_id(geoms) == 3
    if single.any():
        polys = geoms[single]
        geoms[single] = shapely.multipolygons(polys, indices=np.arange(len(polys)))
    return geoms
