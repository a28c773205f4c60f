"""Turning Processing sources into engine tables, and engine results into sinks.

The fast path hands a plain file layer (OGR provider, no subset filter, not "selected features
only") to the engine's bulk reader; any other provider (memory layers from a model, PostGIS, WFS …)
is read feature by feature here.  Both give the same :class:`FeatureTable`.
"""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProviderRegistry,
)

from ..algorithms.i18n import tr
from ..algorithms.table import FeatureTable
from ..algorithms.vector_io import geoms_from_wkb, read_table

_NUMERIC = {"int", "real"}


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


def _selected_only(parameters, name) -> bool:
    value = parameters.get(name)
    return isinstance(value, QgsProcessingFeatureSourceDefinition) and value.selectedFeaturesOnly


def source_to_table(alg, parameters, name, context, feedback, columns=None, encoding=None) -> FeatureTable:
    """Read the feature source parameter ``name`` into a FeatureTable (2-D geometries, text codes kept as text)."""
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        raise QgsProcessingException(alg.invalidSourceError(parameters, name))
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    fileinfo = None if _selected_only(parameters, name) else _file_of(layer)
    if fileinfo is not None:
        path, lyrname = fileinfo
        enc = encoding or (layer.dataProvider().encoding() if path.lower().endswith(".shp") else None)
        if enc in ("System", ""):
            enc = None
        table = read_table(path, lyrname, columns=columns, encoding=enc)
        table.crs_wkt = source.sourceCrs().toWkt() or table.crs_wkt
        table.name = layer.name()
        return table
    return _read_features(source, columns, feedback, layer.name() if layer else name)


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
        types[c] = "int" if f.isNumeric() and f.precision() == 0 and f.typeName().lower().startswith(
            ("int", "long", "integer")) else ("real" if f.isNumeric() else "text")
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
    import shapely

    geoms = geoms_from_wkb(w)
    notes = {}
    has_z = shapely.has_z(geoms)
    if has_z.any():
        notes["z_dropped"] = int(has_z.sum())
    geoms = shapely.force_2d(geoms)
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
    names = [f.name() for f in fields]
    cols = [table.columns[n] for n in names]
    geoms = table.geoms if geoms is None else geoms
    import shapely

    wkbs = shapely.to_wkb(geoms, include_srid=False)
    total = len(table)
    written = 0
    batch = []
    for i in range(total):
        f = QgsFeature(fields)
        if wkbs[i] is not None:
            g = QgsGeometry()
            g.fromWkb(wkbs[i])
            f.setGeometry(g)
        f.setAttributes([_py(c[i]) for c in cols])
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


def _py(value):
    """numpy scalars to plain Python (QGIS's bindings do not accept numpy types)."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value

