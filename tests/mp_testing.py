"""Test helpers importable from any test module (``from mp_testing import ...``)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
REALDATA = DATA / "realdata"
N2K_SHP = REALDATA / "eea-n2k-cz-lclu" / "n2k_du001z_lclu_v99_20190108.shp"
NUMAZU_GPKG = REALDATA / "plateau-numazu-urf" / "derived_523857_urf_EPSG6676.gpkg"
MAES_CSV = DATA / "crosswalks" / "maes_n2k.csv"


def gpkg_layer(path, layer=None):
    """A QgsVectorLayer on a GeoPackage/shapefile layer, asserted valid."""
    from qgis.core import QgsVectorLayer

    uri = str(path) + (f"|layername={layer}" if layer else "")
    lyr = QgsVectorLayer(uri, layer or "layer", "ogr")
    assert lyr.isValid(), uri
    return lyr


# -- review dock (issue 5) ---------------------------------------------------------------------

STORE_WRITER = Path(__file__).resolve().parent / "store_writer.py"


def review_blueprint(path, n: int = 120, **kwargs):
    """A synthetic review blueprint (``dev/review_blueprint.py``): every kind incl. ``LINE_*``, 2–4 plans
    per patch, control lines, line adjustments, plan copies and a history (opinions, decisions, a
    conflict, closed and replaced patches, re-confirm flags).  Returns the open store."""
    from multiplan.dev.review_blueprint import build

    return build(str(path), n, **kwargs)


def subprocess_env() -> dict:
    """Environment for a child Python that imports ``multiplan`` (lock holders, other reviewers)."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / ".build" / "py")
    return env


def layer_source(folder, manifest, name) -> str:
    """A layer of a generated demo district as a QGIS source string."""
    info = manifest["layers"][name]
    path = Path(folder) / Path(info["path"]).name
    return str(path) + (f"|layername={info['layer']}" if str(path).endswith(".gpkg") else "")


class RecordingFeedback:
    """Factory for a QgsProcessingFeedback that keeps every message (warnings, errors, info)."""

    def __new__(cls):
        from qgis.core import QgsProcessingFeedback

        class _Recording(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.messages: list[str] = []

            def pushWarning(self, text):  # noqa: N802
                self.messages.append(text)
                super().pushWarning(text)

            def pushInfo(self, text):  # noqa: N802
                self.messages.append(text)
                super().pushInfo(text)

            def reportError(self, text, fatalError=False):  # noqa: N802, N803
                self.messages.append(text)
                super().reportError(text, fatalError)

            def text(self) -> str:
                return "\n".join(self.messages)

        return _Recording()


def is_null(value) -> bool:
    """None or QGIS's NULL (a null QVariant on QGIS 3.x)."""
    return value is None or (hasattr(value, "isNull") and value.isNull())
