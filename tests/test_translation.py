"""Strings show in Chinese under a zh locale (the .qm built from the committed .ts)."""

from __future__ import annotations

from qgis.PyQt.QtCore import QCoreApplication


def test_chinese_under_zh_locales(qgis_app):
    from multiplan.algorithms.i18n import tr
    from multiplan.plugin import install_translator, translation_file

    assert translation_file("zh-Hans") and translation_file("zh_CN") and translation_file("zh")
    assert translation_file("de_DE") is None
    translator = install_translator("zh_CN")
    try:
        assert translator is not None
        expected = _ts_translation("Harmonise land-use codes (用地分类标准梳理)")
        assert expected and "Harmonise" not in expected
        assert tr("Harmonise land-use codes (用地分类标准梳理)") == expected
        assert tr("Writing {n} features…").format(n=3) == _ts_translation("Writing {n} features…").format(n=3)
        assert "3" in tr("Writing {n} features…").format(n=3) and "Writing" not in tr("Writing {n} features…")
        from multiplan.processing_provider.harmonise_codes import HarmoniseCodesAlgorithm

        assert HarmoniseCodesAlgorithm().displayName() == expected
    finally:
        QCoreApplication.removeTranslator(translator)
    assert tr("Writing {n} features…") == "Writing {n} features…"


def _ts_translation(source: str) -> str | None:
    """The Chinese text the committed .ts gives for ``source``."""
    import xml.etree.ElementTree as ET
    from pathlib import Path

    ts = Path(__file__).resolve().parents[1] / "i18n" / "multiplan_zh.ts"
    for msg in ET.parse(ts).getroot().iter("message"):
        if msg.findtext("source") == source:
            return msg.findtext("translation")
    return None
