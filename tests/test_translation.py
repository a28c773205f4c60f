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
        assert tr("Harmonise land-use codes (用地分类标准梳理)") == "用地分类标准梳理（代码统一）"
        assert tr("Writing {n} features…").format(n=3) == "正在写出 3 个要素…"
        from multiplan.processing_provider.harmonise_codes import HarmoniseCodesAlgorithm

        assert HarmoniseCodesAlgorithm().displayName() == "用地分类标准梳理（代码统一）"
    finally:
        QCoreApplication.removeTranslator(translator)
    assert tr("Writing {n} features…") == "Writing {n} features…"
