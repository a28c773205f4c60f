"""Translation for every visible string, engine included, without making the engine need Qt.

All code calls ``tr("English text")`` (one fixed context, ``multiplan``) and formats *after*
translating: ``tr("{n} patches").format(n=n)``.  Inside QGIS the plugin installs a
``QTranslator`` loaded from ``i18n/multiplan_<lang>.qm`` and ``tr`` goes through
``QCoreApplication.translate``; without Qt (engine tests) the English text is returned.
``dev/update_translations.py`` collects the ``tr("...")`` literals into ``i18n/multiplan_zh.ts``.
"""

from __future__ import annotations

CONTEXT = "multiplan"

_translate = None


def _resolve():
    global _translate
    if _translate is None:
        try:
            from qgis.PyQt.QtCore import QCoreApplication

            _translate = QCoreApplication.translate
        except ImportError:  # engine used without Qt
            _translate = False
    return _translate


def tr(text: str) -> str:
    """Translate ``text`` (an English literal) into the user's language when Qt is present."""
    fn = _resolve()
    if not fn:
        return text
    return fn(CONTEXT, text)


def tr_noop(text: str) -> str:
    """Mark a literal for translation where it is defined and translated later with ``tr(variable)``.

    Returns ``text`` unchanged; ``dev/update_translations.py`` collects its argument like ``tr``'s.
    (Qt's ``QT_TRANSLATE_NOOP`` does the same for C++.)
    """
    return text
