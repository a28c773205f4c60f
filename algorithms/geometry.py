"""Geometry hygiene shared by every step: repair, force 2-D, count what was done and where."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely


@dataclass
class RepairReport:
    """What :func:`repair_polygons` did, with the feature ids concerned (for messages)."""

    invalid_fids: list[int] = field(default_factory=list)
    null_fids: list[int] = field(default_factory=list)
    emptied_fids: list[int] = field(default_factory=list)  # invalid rings that repaired to nothing of area

    @property
    def repaired(self) -> int:
        return len(self.invalid_fids)


def polygonal_part(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal part of each geometry (make_valid may return collections with lines/points)."""
    out = geoms.copy()
    types = shapely.get_type_id(out)
    mixed = np.flatnonzero(types == 7)  # GeometryCollection
    for i in mixed:  # few: only repaired geometries are collections
        parts = shapely.get_parts(out[i])
        polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        out[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    bad = np.isin(shapely.get_type_id(out), (0, 1, 2, 4, 5))  # points/lines left alone
    if bad.any():
        out[bad] = shapely.Polygon()
    return out


def repair_polygons(geoms: np.ndarray, fids: np.ndarray) -> tuple[np.ndarray, RepairReport]:
    """Make every polygon valid (``make_valid``, keeping the polygonal part) and report which fids changed.

    Null geometries stay null and are reported; nothing is dropped here, so the caller decides.
    """
    report = RepairReport()
    geoms = np.asarray(geoms, dtype=object)
    null = shapely.is_missing(geoms)
    report.null_fids = [int(f) for f in fids[null]]
    valid = shapely.is_valid(geoms) | null
    if valid.all():
        return geoms, report
    idx = np.flatnonzero(~valid)
    fixed = polygonal_part(shapely.make_valid(geoms[idx]))
    out = geoms.copy()
    out[idx] = fixed
    report.invalid_fids = [int(f) for f in fids[idx]]
    empty = shapely.is_empty(fixed) | (shapely.area(fixed) <= 0)
    report.emptied_fids = [int(f) for f in fids[idx[empty]]]
    return out, report


def fid_list(fids, limit: int = 20) -> str:
    """'3, 17, 42 … (+12 more)' for messages."""
    fids = list(fids)
    head = ", ".join(str(f) for f in fids[:limit])
    return head + (f" … (+{len(fids) - limit})" if len(fids) > limit else "")
