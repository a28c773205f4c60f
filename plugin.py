"""Plugin lifecycle only: register the Processing provider, build actions and the dock, remove them."""

from __future__ import annotations

import configparser
import os

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QTranslator

from .algorithms.i18n import tr

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))


def plugin_metadata(key: str) -> str:
    """A value from ``metadata.txt`` — the single source of name and version."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(PLUGIN_DIR, "metadata.txt"), encoding="utf-8")
    return parser.get("general", key, fallback="")


def translation_file(locale: str | None = None) -> str | None:
    """``i18n/multiplan_<lang>.qm`` for a QGIS locale such as ``zh_CN``, ``zh-Hans`` or ``zh``."""
    if locale is None:
        locale = QgsApplication.locale() or ""
    candidates = [locale.replace("-", "_"), locale.replace("-", "_").split("_")[0]]
    for name in candidates:
        path = os.path.join(PLUGIN_DIR, "i18n", f"multiplan_{name}.qm")
        if name and os.path.exists(path):
            return path
    return None


def install_translator(locale: str | None = None) -> QTranslator | None:
    """Load and install the translation for ``locale``; returns the translator to remove later."""
    path = translation_file(locale)
    if path is None:
        return None
    translator = QTranslator()
    if not translator.load(path):
        return None
    QCoreApplication.installTranslator(translator)
    return translator


class MultiPlanPlugin:
    """Created by ``classFactory``; QGIS calls ``initProcessing``, ``initGui`` and ``unload``."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.translator = install_translator()
        self.actions: list = []
        self.menu_name = tr("多规合一 Multi-Plan Integration")
        self.toolbar = None
        self.dock = None
        self.options_factory = None

    # -- Processing -------------------------------------------------------------------------
    def initProcessing(self):  # noqa: N802
        """Also called by ``qgis_process`` without a GUI."""
        from .processing_provider.provider import MultiPlanProvider

        if self.provider is None:
            self.provider = MultiPlanProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    # -- GUI --------------------------------------------------------------------------------
    def initGui(self):  # noqa: N802
        self.initProcessing()
        from .ui.gui import build_gui

        build_gui(self)

    def unload(self):
        from .ui.gui import remove_gui

        remove_gui(self)
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
