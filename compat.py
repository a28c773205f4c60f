"""What differs between QGIS 3.22 / Qt5 and QGIS 4 / Qt6, in one place.

Everything else imports Qt only through ``qgis.PyQt`` and uses fully
qualified enums, which both PyQt5 (5.11+) and PyQt6 accept.  What cannot be
written once for both lives here; ``tests/test_code_layout.py`` checks
statically that no other module reaches for the differing names.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QT_VERSION_STR

QT_MAJOR = int(QT_VERSION_STR.split(".")[0])
IS_QT6 = QT_MAJOR >= 6

# QAction moved from QtWidgets (Qt5) to QtGui (Qt6).
if IS_QT6:  # pragma: no cover - no Qt6 QGIS on the test machine
    from qgis.PyQt.QtGui import QAction, QActionGroup, QShortcut  # noqa: F401 (re-exported)
else:
    from qgis.PyQt.QtWidgets import QAction, QActionGroup, QShortcut  # noqa: F401 (re-exported)


def qgis_version_int() -> int:
    """QGIS version as an integer (32216 for 3.22.16)."""
    from qgis.core import Qgis

    # Qgis.QGIS_VERSION_INT exists on 3.x; Qgis.versionInt() since 3.12 and on 4.x.
    try:
        return int(Qgis.versionInt())
    except AttributeError:  # pragma: no cover
        return int(Qgis.QGIS_VERSION_INT)


def field_type(name: str):
    """A field type for QgsField: ``QMetaType.Type`` on Qt6 / 3.38+, ``QVariant`` before.

    ``name`` is one of ``String``, ``Int``, ``LongLong``, ``Double``, ``Bool``.
    """
    if IS_QT6:  # pragma: no cover
        from qgis.PyQt.QtCore import QMetaType

        return getattr(QMetaType.Type, {"String": "QString"}.get(name, name))
    from qgis.PyQt.QtCore import QVariant

    return getattr(QVariant, name)


INTEGER_FIELD_TYPES = frozenset({field_type("Int"), field_type("LongLong")})


def exec_dialog(dialog) -> int:
    """``exec()`` exists on PyQt5 >= 5.?; PyQt6 has only ``exec``."""
    return dialog.exec()


def resolve_enum(new: str, old: str):
    """An enum member by its QGIS >= 3.36 / 4.x path, or by its QGIS 3.22 path."""
    import qgis.core as core

    for path in (new, old):
        obj = core
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
            return obj
        except AttributeError:
            continue
    raise AttributeError(f"neither {new} nor {old} exists in this QGIS")


# Processing enums that moved into Qgis.* in QGIS 3.36 (the old names go away in QGIS 4).
SOURCE_POLYGON = resolve_enum(
    "Qgis.ProcessingSourceType.VectorPolygon", "QgsProcessing.SourceType.TypeVectorPolygon"
)
SOURCE_POINT = resolve_enum(
    "Qgis.ProcessingSourceType.VectorPoint", "QgsProcessing.SourceType.TypeVectorPoint"
)
SOURCE_ANY_GEOMETRY = resolve_enum(
    "Qgis.ProcessingSourceType.VectorAnyGeometry", "QgsProcessing.SourceType.TypeVectorAnyGeometry"
)
SOURCE_VECTOR = resolve_enum("Qgis.ProcessingSourceType.Vector", "QgsProcessing.SourceType.TypeVector")
FIELD_ANY = resolve_enum(
    "Qgis.ProcessingFieldParameterDataType.Any", "QgsProcessingParameterField.DataType.Any"
)
NUMBER_DOUBLE = resolve_enum(
    "Qgis.ProcessingNumberParameterType.Double", "QgsProcessingParameterNumber.Type.Double"
)
NUMBER_INTEGER = resolve_enum(
    "Qgis.ProcessingNumberParameterType.Integer", "QgsProcessingParameterNumber.Type.Integer"
)
FILE_BEHAVIOR_FILE = resolve_enum(
    "Qgis.ProcessingFileParameterBehavior.File", "QgsProcessingParameterFile.Behavior.File"
)
FLAG_ADVANCED = resolve_enum(
    "Qgis.ProcessingParameterFlag.Advanced", "QgsProcessingParameterDefinition.Flag.FlagAdvanced"
)
FLAG_OPTIONAL = resolve_enum(
    "Qgis.ProcessingParameterFlag.Optional", "QgsProcessingParameterDefinition.Flag.FlagOptional"
)
WKB_MULTIPOLYGON = resolve_enum("Qgis.WkbType.MultiPolygon", "QgsWkbTypes.Type.MultiPolygon")
WKB_NO_GEOMETRY = resolve_enum("Qgis.WkbType.NoGeometry", "QgsWkbTypes.Type.NoGeometry")
GEOMETRY_NO_CHECK = resolve_enum(
    "Qgis.InvalidGeometryCheck.NoCheck", "QgsFeatureRequest.InvalidGeometryCheck.GeometryNoCheck"
)
