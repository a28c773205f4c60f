"""The settings page stores the reviewer's self-declared identity in QgsSettings."""

from __future__ import annotations


def test_settings_page_round_trip(qgis_app):
    from multiplan.ui import settings
    from multiplan.ui.settings_page import SettingsPage

    page = SettingsPage()
    page.form.nameEdit.setText("  王工 ")
    page.form.departmentCombo.setCurrentText("国土分局")
    page.form.roleCombo.setCurrentIndex(page.form.roleCombo.findData(settings.ROLE_FINAL))
    page.apply()
    r = settings.reviewer()
    assert (r.name, r.department, r.role) == ("王工", "国土分局", settings.ROLE_FINAL)
    assert r.complete and r.is_final

    again = SettingsPage()
    assert again.form.nameEdit.text() == "王工"
    assert again.form.roleCombo.currentData() == settings.ROLE_FINAL
    settings.set_reviewer(settings.Reviewer())
    assert not settings.reviewer().complete


def test_recent_blueprints_and_resume(qgis_app, tmp_path):
    from multiplan.ui import settings

    for i in range(12):
        settings.add_recent_blueprint(str(tmp_path / f"b{i}.gpkg"))
    settings.add_recent_blueprint(str(tmp_path / "b3.gpkg"))
    recent = settings.recent_blueprints()
    assert len(recent) == settings.MAX_RECENT and recent[0].endswith("b3.gpkg")
    assert len(set(recent)) == len(recent)
    settings.set_last_patch(str(tmp_path / "b3.gpkg"), "P000042")
    assert settings.last_patch(str(tmp_path / "b3.gpkg")) == "P000042"
    assert settings.last_patch(str(tmp_path / "other.gpkg")) is None
