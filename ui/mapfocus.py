"""Zoom the map canvas to the current patch, with a margin, and outline it with a rubber band.

A rubber band rather than ``QgsHighlight``: it needs only the geometry the controller already read
(no feature lookup in the layer, no dependency on the layer's renderer), and it stays visible when
the patch is filtered out of the layer (a patch reached by id).
"""

from __future__ import annotations

import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
)
from qgis.gui import QgsMapCanvas, QgsRubberBand
from qgis.PyQt.QtGui import QColor

MARGIN = 0.35  # of the patch's larger side, on each side
MIN_EXTENT = 120.0  # map units of the blueprint CRS (metres): a 2 m sliver still shows its neighbours


class PatchFocus:
    def __init__(self, canvas: QgsMapCanvas):
        self.canvas = canvas
        self.band: QgsRubberBand | None = QgsRubberBand(canvas)
        self.band.setStrokeColor(QColor(0, 229, 255))
        self.band.setFillColor(QColor(0, 0, 0, 0))  # outline only: the status colour stays visible
        self.band.setWidth(3)
        self.last_extent: QgsRectangle | None = None

    def extent_for(self, geometry, crs: QgsCoordinateReferenceSystem) -> QgsRectangle:
        """The canvas extent that shows ``geometry`` (blueprint CRS) with a margin, in the canvas CRS."""
        xmin, ymin, xmax, ymax = shapely.bounds(geometry).tolist()
        side = max(xmax - xmin, ymax - ymin, MIN_EXTENT / (1 + 2 * MARGIN))
        cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
        half = side * (0.5 + MARGIN)
        rect = QgsRectangle(cx - half, cy - half, cx + half, cy + half)
        dest = self.canvas.mapSettings().destinationCrs()
        if crs.isValid() and dest.isValid() and dest != crs:
            rect = QgsCoordinateTransform(crs, dest, QgsProject.instance()).transformBoundingBox(rect)
        return rect

    def show(
        self, geometry, crs: QgsCoordinateReferenceSystem, *, refresh: bool = True
    ) -> QgsRectangle | None:
        if self.band is None or geometry is None or shapely.is_empty(geometry):
            self.clear()
            return None
        g = QgsGeometry()
        g.fromWkb(shapely.to_wkb(geometry))
        self.band.setToGeometry(g, crs)
        rect = self.extent_for(geometry, crs)
        self.canvas.setExtent(rect)
        self.last_extent = rect
        if refresh:
            self.canvas.refresh()
        return rect

    def clear(self) -> None:
        if self.band is not None:
            self.band.reset()
        self.last_extent = None

    def remove(self) -> None:
        """Take the rubber band off the canvas (plugin unload); safe to call twice."""
        if self.band is None:
            return
        self.clear()
        scene = self.canvas.scene()
        if scene is not None:
            scene.removeItem(self.band)
        self.band = None
