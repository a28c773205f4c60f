"""multiplan:harmonisecodes on the demo district with its dirt switched on."""

from __future__ import annotations

from mp_testing import RecordingFeedback, gpkg_layer, is_null, layer_source


def harmonise(processing, tmp_path, folder, manifest, name, **extra):
    from multiplan.processing_provider.harmonise_codes import STANDARD_CHOICES

    info = manifest["layers"][name]
    feedback = RecordingFeedback()
    params = {
        "INPUT": layer_source(folder, manifest, name),
        "CODE_FIELD": info["code_field"],
        "NAME_FIELD": info.get("name_field") or "",
        "STANDARD": [s for s, _ in STANDARD_CHOICES].index(info["standard"]),
        "ON_UNKNOWN": 1,
        "OUTPUT": str(tmp_path / f"{name}.gpkg"),
        "UNMAPPED": str(tmp_path / f"{name}_unmapped.gpkg"),
    }
    params.update(extra)
    return processing.run("multiplan:harmonisecodes", params, feedback=feedback), feedback


def test_urban_plan_dirt_is_repaired_flagged_and_counted(mp_processing, tmp_path, demo_dirty):
    folder, m = demo_dirty
    res, fb = harmonise(mp_processing, tmp_path, folder, m, "urban_plan")
    dirt = m["dirt"]
    nulls = dirt["null_codes"]["layers"]["urban_plan"]["count"]
    unknown = dirt["unknown_codes"]["layers"]["urban_plan"]
    # every bad feature is kept and flagged, none is lost
    lyr = gpkg_layer(res["OUTPUT"])
    assert lyr.featureCount() == m["layers"]["urban_plan"]["count"]
    assert res["UNMAPPED_FEATURES"] == nulls + unknown["count"]
    rows = {f["code"]: f for f in gpkg_layer(res["UNMAPPED"]).getFeatures()}
    assert rows["R5"]["features"] == unknown["count"]
    assert abs(rows["R5"]["area"] - unknown["area_m2"]) < 1.0
    # the bow-ties were repaired, counted, and their fids named
    n_invalid = dirt["invalid_rings"]["count"]
    assert f"{n_invalid} invalid geometries repaired" in fb.text()
    assert str(dirt["invalid_rings"]["fids"][0]) in fb.text()
    assert all(f.geometry().isGeosValid() for f in lyr.getFeatures())
    flagged = [f for f in lyr.getFeatures() if f["mp_status"] == "unmapped"]
    assert len(flagged) == nulls + unknown["count"]
    # Contract 1: the construction flag is null exactly for unknown (and missing) codes
    assert all(is_null(f["mp_construction"]) for f in flagged)
    assert not any(is_null(f["mp_construction"]) for f in lyr.getFeatures() if f["mp_status"] != "unmapped")


def test_gbk_shapefile_without_code_page_is_read_as_gbk_and_said(mp_processing, tmp_path, demo_dirty):
    folder, m = demo_dirty
    assert m["dirt"]["gbk_nocpg"]["layer"] == "development_plan"
    ok, _ = harmonise(mp_processing, tmp_path, folder, m, "development_plan", ENCODING="GBK")
    assert ok["UNMAPPED_FEATURES"] == 0 and ok["STANDARD_USED"] == "ZTGN"
    names = {f["mp_name"] for f in gpkg_layer(ok["OUTPUT"]).getFeatures()}
    assert any("开发区域" in (n or "") for n in names)
    # Without the parameter the text is not UTF-8 and the file does not say its encoding: it is read as
    # GBK (the usual encoding of such files here) and the run says so — the zones are recognised.
    guessed, fb = harmonise(
        mp_processing,
        tmp_path / "x",
        folder,
        m,
        "development_plan",
        OUTPUT=str(tmp_path / "guessed.gpkg"),
        UNMAPPED=str(tmp_path / "guessed_u.gpkg"),
    )
    assert guessed["UNMAPPED_FEATURES"] == 0 and guessed["STANDARD_USED"] == "ZTGN"
    assert {f["mp_name"] for f in gpkg_layer(guessed["OUTPUT"]).getFeatures()} == names
    assert "read as GBK" in fb.text()


def test_gbk_shapefile_with_cpg_reads_as_is(mp_processing, tmp_path, demo_dirty):
    folder, m = demo_dirty
    res, _ = harmonise(mp_processing, tmp_path, folder, m, "eco_plan")
    assert res["UNMAPPED_FEATURES"] == 0 and res["STANDARD_USED"] == "STHX"
    assert all(
        is_null(f["mp_construction"]) for f in gpkg_layer(res["OUTPUT"]).getFeatures()
    )  # zones: no land use


def test_neighbouring_zone_layer_keeps_its_crs(mp_processing, tmp_path, demo_dirty):
    folder, m = demo_dirty
    res, _ = harmonise(mp_processing, tmp_path, folder, m, "land_plan")
    lyr = gpkg_layer(res["OUTPUT"])
    assert lyr.crs().authid() == "EPSG:4549"
    land = m["dirt"]
    assert (
        res["UNMAPPED_FEATURES"]
        == land["null_codes"]["layers"]["land_plan"]["count"]
        + land["unknown_codes"]["layers"]["land_plan"]["count"]
    )
