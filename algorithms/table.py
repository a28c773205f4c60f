"""FeatureTable: a layer as arrays — the one shape in which features travel through the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class FeatureTable:
    """Features as parallel arrays.

    ``geoms`` is an object array of shapely geometries (``None`` for a null geometry);
    ``columns`` maps field name to an array (object arrays for text, with ``None`` for null);
    ``field_types`` maps field name to ``"int"``, ``"real"`` or ``"text"``;
    ``fids`` are the source feature ids, kept for messages ("feature 17 ...").
    """

    geoms: np.ndarray
    fids: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    field_types: dict[str, str] = field(default_factory=dict)
    crs_wkt: str | None = None
    name: str = ""
    # What reading had to do (e.g. {"z_dropped": 12}); reported by the caller.
    notes: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.geoms.shape[0])

    def take(self, index) -> FeatureTable:
        """A new table with the rows selected by a boolean mask or an index array."""
        return FeatureTable(
            geoms=self.geoms[index],
            fids=self.fids[index],
            columns={k: v[index] for k, v in self.columns.items()},
            field_types=dict(self.field_types),
            crs_wkt=self.crs_wkt,
            name=self.name,
            notes=dict(self.notes),
        )

    def column(self, name: str) -> np.ndarray:
        """A column by name, case-insensitively (shapefile field names are often upper case)."""
        if name in self.columns:
            return self.columns[name]
        lower = {k.lower(): k for k in self.columns}
        if name.lower() in lower:
            return self.columns[lower[name.lower()]]
        raise KeyError(name)

    def has_column(self, name: str) -> bool:
        try:
            self.column(name)
        except KeyError:
            return False
        return True
