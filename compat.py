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
    from qgis.PyQt.QtGui import QAction, QActionGroup, QShortcut
else:
    from qgis.PyQt.QtWidgets import QAction, QActionGroup, QShortcut


def qgis_version_int() -> int:
    """QGIS version as an integer (32216 for 3.22.16)."""
    from qgis.core import Qgis

    # Qgis.QGIS_VERSION_INT exists on 3.x; Qgis.versionInt() since 3.12 and on 4.x.
    try:
        return int(Qgis.versionInt())
    except AttributeError:  # pragma: no cover
        return int(Qgis.QGIS_VERSION_INT)


def message_level(name: str):
    """``Qgis.MessageLevel.<name>`` (scoped on 4.x, also valid on 3.22)."""
    from qgis.core import Qgis

    return getattr(Qgis.MessageLevel, name) if hasattr(Qgis, "MessageLevel") else getattr(Qgis, name)


def wkb_type_enum():
    """The WKB type enum: ``Qgis.WkbType`` on 3.30+/4.x, ``QgsWkbTypes`` before."""
    from qgis.core import Qgis, QgsWkbTypes

    return getattr(Qgis, "WkbType", QgsWkbTypes)


def field_type(name: str):
    """A field type for QgsField: ``QMetaType.Type`` on Qt6 / 3.38+, ``QVariant`` before.

    ``name`` is one of ``String``, ``Int``, ``LongLong``, ``Double``, ``Bool``.
    """
    if IS_QT6:  # pragma: no cover
        from qgis.PyQt.QtCore import QMetaType

        return getattr(QMetaType.Type, {"String": "QString"}.get(name, name))
    from qgis.PyQt.QtCore import QVariant

    return getattr(QVariant, name)


def exec_dialog(dialog) -> int:
    """``exec()`` exists on PyQt5 >= 5.?; PyQt6 has only ``exec``."""
    return dialog.exec()
