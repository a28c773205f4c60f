"""The working coordinate reference system of a detection run, and fast reprojection of geometry arrays.

Why a *working* CRS: overlays, areas, sliver widths and patch fingerprints are only comparable when
every plan is in one planar system, and re-detection into a blueprint must use the blueprint's own
CRS or every patch would look "changed".  The choice (issue 4, item 1) is, in order:

1. an explicit override by the user;
2. an existing blueprint's stored CRS;
3. the one projected CRS that every input shares (compared by *parameters*, not by label);
4. the QGIS project's CRS, when it is projected (the glue passes it);
5. for CGCS2000 data, the unprefixed 3-degree Gauss-Krüger zone (EPSG:4534-4554) of the data's centroid;
6. otherwise the WGS 84 UTM zone of the centroid.

The answer always says which rule picked it and why (:class:`WorkingCrs.reason`).

Labels lie (DOMAIN.md §6): several tools write EPSG:4527 on data that is really EPSG:4548.  So two CRSs
are "the same" when PROJ says their definitions are equivalent (datum, ellipsoid, projection method and
parameters), and a CGCS2000 Gauss-Krüger CRS is identified from its central meridian and false easting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as _PyprojCRSError

from .i18n import tr

# CGCS2000 geodetic datum (EPSG:1043) and its geographic CRS (EPSG:4490).
CGCS2000_GEOGRAPHIC = 4490
CGCS2000_DATUM_CODES = {"1043"}
GK3_UNPREFIXED_FIRST = 4534  # CM 75E
GK3_UNPREFIXED_LAST = 4554  # CM 135E
GK3_PREFIXED_FIRST = 4513  # zone 25 (CM 75E), false easting 25 500 000


class CrsError(Exception):
    """A CRS that cannot be used (missing, unreadable, or no transformation); the message says which."""


@dataclass
class WorkingCrs:
    """The chosen working CRS and why it was chosen.

    ``rule`` is a stable key (``override``, ``blueprint``, ``common``, ``project``, ``gk_zone``, ``utm``)
    for code and tests; ``reason`` is the translated sentence for the user.
    """

    crs: CRS
    rule: str
    reason: str
    notes: list[str] = field(default_factory=list)

    @property
    def wkt(self) -> str:
        return self.crs.to_wkt()

    @property
    def authid(self) -> str | None:
        code = self.crs.to_epsg()
        return f"EPSG:{code}" if code else None


def to_crs(value) -> CRS:
    """A pyproj CRS from a CRS, WKT, ``EPSG:nnnn``, PROJ string or EPSG integer.

    Raises :class:`CrsError` for anything else.
    """
    if isinstance(value, CRS):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CrsError(tr("No coordinate reference system given"))
    try:
        return CRS.from_user_input(value)
    except _PyprojCRSError as exc:
        raise CrsError(tr("Unreadable coordinate reference system: {error}").format(error=exc)) from exc


def same_crs(a, b) -> bool:
    """True when two CRSs are the same: equivalent definitions, or a transformation that does nothing.

    Names and EPSG labels are ignored.  QGIS hands out WKT1 without axis order, which PROJ calls
    different from the EPSG CRS it is although the transformation between them is a no-op;
    reprojecting through it would move every vertex by rounding and break exact shared edges.
    """
    ca, cb = to_crs(a), to_crs(b)
    if ca.equals(cb, ignore_axis_order=True):
        return True
    try:
        return "noop" in Transformer.from_crs(ca, cb, always_xy=True).definition
    except Exception:  # noqa: BLE001 - no transformation at all: certainly not the same
        return False


def is_cgcs2000(crs) -> bool:
    """True when the CRS's geodetic datum is CGCS2000 (by datum id or name, not by the CRS label)."""
    c = to_crs(crs)
    geod = c.geodetic_crs
    if geod is None:
        return False
    datum = geod.datum
    try:
        ident = datum.to_json_dict().get("id") or {}
    except Exception:  # pragma: no cover - defensive: odd datum JSON
        ident = {}
    if str(ident.get("code")) in CGCS2000_DATUM_CODES:
        return True
    name = (datum.name or "").lower().replace("_", " ")
    return "china 2000" in name or "cgcs2000" in name or "cgcs 2000" in name


def _tm_parameters(crs: CRS) -> dict[str, float] | None:
    """Central meridian, false easting/northing, scale and latitude of origin of a Transverse Mercator CRS."""
    op = crs.coordinate_operation
    if op is None or "transverse mercator" not in (op.method_name or "").lower():
        return None
    out: dict[str, float] = {}
    for p in op.params:
        name = p.name.lower()
        if "longitude of natural origin" in name or "central meridian" in name:
            out["cm"] = float(p.value)
        elif "false easting" in name:
            out["fe"] = float(p.value)
        elif "false northing" in name:
            out["fn"] = float(p.value)
        elif "scale factor" in name:
            out["k"] = float(p.value)
        elif "latitude of natural origin" in name:
            out["lat0"] = float(p.value)
    return out


def identify_cgcs2000_gk(crs) -> int | None:
    """The EPSG code a CGCS2000 3-degree Gauss-Krüger CRS really is, read from its parameters.

    Returns 4534-4554 (no zone prefix, false easting 500 000) or 4513-4533 (zone number in front of
    the easting), or None when the CRS is not one of these.  The CRS's own label is not consulted.
    """
    c = to_crs(crs)
    if not c.is_projected or not is_cgcs2000(c):
        return None
    p = _tm_parameters(c)
    if not p or abs(p.get("k", 1.0) - 1.0) > 1e-12:
        return None
    if abs(p.get("lat0", 0.0)) > 1e-12 or abs(p.get("fn", 0.0)) > 1e-6:
        return None
    cm = p.get("cm")
    if cm is None or abs(cm / 3.0 - round(cm / 3.0)) > 1e-9:
        return None
    cm_i = int(round(cm))
    if not 75 <= cm_i <= 135:
        return None
    fe = p.get("fe", 0.0)
    zone = cm_i // 3
    if abs(fe - 500000.0) < 1e-6:
        return GK3_UNPREFIXED_FIRST + (cm_i - 75) // 3
    if abs(fe - (zone * 1_000_000 + 500000.0)) < 1e-6:
        return GK3_PREFIXED_FIRST + (zone - 25)
    return None


def label_mismatch(crs) -> str | None:
    """A message when a CRS's EPSG label disagrees with its parameters (DOMAIN.md §6), else None."""
    c = to_crs(crs)
    real = identify_cgcs2000_gk(c)
    if real is None:
        return None
    label = None
    try:
        ident = c.to_json_dict().get("id")
        if ident and str(ident.get("authority", "")).upper() == "EPSG":
            label = int(ident.get("code"))
    except (TypeError, ValueError):
        label = None
    if label is not None and label != real:
        return tr("The CRS is labelled EPSG:{label} but its parameters are those of EPSG:{real}").format(
            label=label, real=real
        )
    return None


def canonical(crs) -> CRS:
    """The CRS itself or, for a (possibly mislabelled) CGCS2000 3-degree GK CRS, the EPSG CRS it really is."""
    c = to_crs(crs)
    real = identify_cgcs2000_gk(c)
    if real is not None:
        return CRS.from_epsg(real)
    return c


def gk_zone_epsg(lon: float) -> int:
    """The unprefixed CGCS2000 3-degree GK zone (EPSG:4534-4554) whose central meridian is nearest ``lon``."""
    cm = 3 * int(round(lon / 3.0))
    cm = min(max(cm, 75), 135)
    return GK3_UNPREFIXED_FIRST + (cm - 75) // 3


def utm_epsg(lon: float, lat: float) -> int:
    """The WGS 84 UTM zone EPSG code of a point (326zz north, 327zz south)."""
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def lonlat_centre(items: Sequence[tuple[CRS, tuple[float, float, float, float]]]) -> tuple[float, float]:
    """The centre (lon, lat) of the union of the items' bounding boxes, each given in its own CRS."""
    xs: list[float] = []
    ys: list[float] = []
    for crs, bounds in items:
        if bounds is None or not np.all(np.isfinite(bounds)):
            continue
        t = Transformer.from_crs(crs, CRS.from_epsg(CGCS2000_GEOGRAPHIC), always_xy=True)
        x0, y0, x1, y1 = t.transform_bounds(*bounds)
        xs += [x0, x1]
        ys += [y0, y1]
    if not xs:
        raise CrsError(tr("Cannot find the centre of the data: every input is empty"))
    return (min(xs) + max(xs)) / 2.0, (min(ys) + max(ys)) / 2.0


def _source_items(sources) -> list[tuple[str, CRS | None, tuple | None]]:
    """(name, CRS, bounds) for FeatureTables or (crs, bounds[, name]) tuples."""
    items = []
    for k, s in enumerate(sources):
        if hasattr(s, "geoms") and hasattr(s, "crs_wkt"):
            name = getattr(s, "name", "") or str(k + 1)
            geoms = s.geoms
            valid = geoms[~shapely.is_missing(geoms)] if len(geoms) else geoms
            bounds = tuple(shapely.total_bounds(valid)) if len(valid) else None
            crs = to_crs(s.crs_wkt) if s.crs_wkt else None
        else:
            crs_val, bounds = s[0], s[1]
            name = s[2] if len(s) > 2 else str(k + 1)
            crs = to_crs(crs_val) if crs_val else None
        items.append((name, crs, bounds))
    return items


def choose_working_crs(
    sources: Sequence,
    *,
    override=None,
    blueprint_crs=None,
    project_crs=None,
) -> WorkingCrs:
    """Choose the working CRS of a run by the rule in the module docstring.

    ``sources`` are FeatureTables or ``(crs, (xmin, ymin, xmax, ymax)[, name])`` tuples.  An input
    without a CRS is refused (:class:`CrsError` naming it) unless an override or a blueprint CRS
    decides, because nothing could be reprojected from it.
    """
    items = _source_items(sources)
    notes = [m for _, c, _ in items if c is not None for m in [label_mismatch(c)] if m]
    if override is not None and override != "":
        c = canonical(override)
        reason = tr("Working CRS {crs} chosen by the user").format(crs=_label(c))
        return WorkingCrs(c, "override", reason, notes)
    if blueprint_crs is not None and blueprint_crs != "":
        c = to_crs(blueprint_crs)
        return WorkingCrs(
            c,
            "blueprint",
            tr("Working CRS {crs}: the blueprint's stored CRS (re-detection always uses it)").format(
                crs=_label(c)
            ),
            notes,
        )
    missing = [name for name, c, _ in items if c is None]
    if missing:
        raise CrsError(
            tr("Layer(s) without a coordinate reference system: {names}. Assign one in QGIS first.").format(
                names=", ".join(missing)
            )
        )
    crss = [c for _, c, _ in items]
    if not crss:
        raise CrsError(tr("No input layers to choose a working CRS from"))
    if all(c.is_projected for c in crss) and all(same_crs(crss[0], c) for c in crss[1:]):
        c = canonical(crss[0])
        return WorkingCrs(
            c, "common", tr("Working CRS {crs}: every input uses it").format(crs=_label(c)), notes
        )
    if project_crs is not None and project_crs != "":
        pc = to_crs(project_crs)
        if pc.is_projected:
            c = canonical(pc)
            return WorkingCrs(
                c,
                "project",
                tr("Working CRS {crs}: the inputs differ, so the QGIS project's CRS is used").format(
                    crs=_label(c)
                ),
                notes,
            )
    lon, lat = lonlat_centre([(c, b) for _, c, b in items])
    if all(is_cgcs2000(c) for c in crss):
        code = gk_zone_epsg(lon)
        c = CRS.from_epsg(code)
        return WorkingCrs(
            c,
            "gk_zone",
            tr(
                "Working CRS {crs}: the inputs differ; for CGCS2000 data the 3-degree Gauss-Krüger zone "
                "of the centroid ({lon:.3f}E) is used"
            ).format(crs=_label(c), lon=lon),
            notes,
        )
    code = utm_epsg(lon, lat)
    c = CRS.from_epsg(code)
    return WorkingCrs(
        c,
        "utm",
        tr(
            "Working CRS {crs}: the inputs differ and are not all CGCS2000, "
            "so the UTM zone of the centroid is used"
        ).format(crs=_label(c)),
        notes,
    )


def _label(c: CRS) -> str:
    code = c.to_epsg()
    return f"EPSG:{code} ({c.name})" if code else c.name


def transformer(src, dst) -> Transformer:
    """A Transformer ``src -> dst`` with x = easting/longitude order; :class:`CrsError` when none exists."""
    try:
        return Transformer.from_crs(to_crs(src), to_crs(dst), always_xy=True)
    except _PyprojCRSError as exc:  # pragma: no cover - PROJ refuses only truly unrelated CRSs
        raise CrsError(tr("No transformation between the two CRSs: {error}").format(error=exc)) from exc


def reproject(geoms: np.ndarray, src, dst) -> np.ndarray:
    """Reproject an array of shapely geometries in one vectorised call (Z/M dropped, None kept).

    All coordinates go through PROJ at once (``shapely.transform`` hands one (n, 2) array to the
    transformer), so 10^6 vertices take well under a second.  Equal CRSs return the input unchanged.
    """
    geoms = np.asarray(geoms, dtype=object)
    if same_crs(src, dst):
        return shapely.force_2d(geoms)
    t = transformer(src, dst)

    def _fn(xy: np.ndarray) -> np.ndarray:
        x, y = t.transform(xy[:, 0], xy[:, 1])
        out = np.column_stack([x, y])
        if not np.all(np.isfinite(out)):
            raise CrsError(tr("Some coordinates cannot be transformed (outside the CRS's area of use?)"))
        return out

    return shapely.transform(geoms, _fn, include_z=False)
