"""Bad input for multiplan:report and multiplan:applydecisions through real Processing: a clear error or a
reported repair, never a Python traceback and never a silently missing output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mp_testing import RecordingFeedback, gpkg_layer, report_blueprint, report_box


def obj(values):
    a = np.empty(len(values), dtype=object)
    a[:] = list(values)
    return a


def write_polygons(path: Path, layer: str, field: str, values, authid) -> str:
    """Two rectangles of the hand-built report blueprint's ground with a text ``field``."""
    from multiplan.algorithms.gpkg import write_layer_file

    g = obj([report_box(0, 0, 100, 200), report_box(100, 0, 250, 200)])
    write_layer_file(str(path), layer, g, [(field, "text", obj(values))], authid=authid)
    return f"{path}|layername={layer}"


@pytest.fixture()
def hand(tmp_path) -> str:
    path = tmp_path / "hand.gpkg"
    report_blueprint(path).close()
    return str(path)


def run_report(processing, blueprint: str, out: Path, **extra):
    params = {
        "BLUEPRINT": blueprint,
        "XLSX": str(out / "report.xlsx"),
        "HTML": str(out / "report.html"),
        "PDF": None,
    }
    params.update(extra)
    fb = RecordingFeedback()
    return processing.run("multiplan:report", params, feedback=fb), fb


def no_traceback(err) -> str:
    text = str(err.value)
    assert "Traceback" not in text, text
    return text


def test_report_current_land_use_in_an_undefined_crs_is_a_clear_error(mp_processing, hand, tmp_path):
    """A GeoPackage layer with srs_id -1 ("Undefined Cartesian SRS") cannot be reprojected: say so."""
    from qgis.core import QgsProcessingException

    current = write_polygons(tmp_path / "current.gpkg", "current", "DLBM", ["0101", "0702"], None)
    with pytest.raises(QgsProcessingException) as err:
        run_report(mp_processing, hand, tmp_path, CURRENT_LANDUSE=current, CURRENT_CODE_FIELD="DLBM")
    text = no_traceback(err)
    assert "current land-use layer" in text and "Undefined" in text and "assign" in text


def test_report_outputs_in_a_missing_folder_or_with_a_wrong_extension(mp_processing, hand, tmp_path):
    from qgis.core import QgsProcessingException

    # a new folder is made (as for every output of the plugin); one that cannot be made is refused
    missing = tmp_path / "no" / "such" / "folder"
    run_report(
        mp_processing, hand, tmp_path, XLSX=str(missing / "报告.xlsx"), HTML=str(missing / "报告.html")
    )
    assert (missing / "报告.xlsx").exists() and (missing / "报告.html").exists()
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for extra in (
        {"XLSX": str(blocker / "r.xlsx")},
        {"HTML": str(blocker / "r.html")},
        {"PDF": str(blocker / "a.pdf")},
    ):
        with pytest.raises(QgsProcessingException) as err:
            run_report(mp_processing, hand, tmp_path, **extra)
        assert str(blocker) in no_traceback(err) and "cannot be created" in str(err.value)
    with pytest.raises(QgsProcessingException) as err:
        run_report(mp_processing, hand, tmp_path, XLSX=str(tmp_path / "report.txt"))
    assert ".xlsx" in no_traceback(err)
    assert not list(tmp_path.glob("report.*"))  # refused before anything was written
    # a page path that is a folder: the writer's refusal, as a Processing error
    folder = tmp_path / "page.html"
    folder.mkdir()
    with pytest.raises(QgsProcessingException) as err:
        run_report(mp_processing, hand, tmp_path, HTML=str(folder))
    assert "could not be written" in no_traceback(err) and str(folder) in str(err.value)


def test_report_says_why_there_is_no_atlas_and_no_per_capita_figure(mp_processing, hand, tmp_path):
    pdf = tmp_path / "atlas.pdf"
    pdf.write_bytes(b"%PDF-1.4 an old atlas")
    res, fb = run_report(mp_processing, hand, tmp_path, PDF=str(pdf), ATLAS_PAGES=0, POPULATION=0)
    text = fb.text()
    assert "page cap is 0" in text and "earlier run" in text and str(pdf) in text
    assert "population of 0" in text
    assert "PDF" not in res  # not claimed as this run's atlas


def run_apply(processing, blueprint: str, **extra):
    params = {"BLUEPRINT": blueprint, "OUTPUT": "memory:", "SUMMARY": "memory:"}
    params.update(extra)
    fb = RecordingFeedback()
    return processing.run("multiplan:applydecisions", params, feedback=fb), fb


@pytest.fixture()
def undecided_bp(tmp_path) -> str:
    """The hand-built blueprint before apply: plan copies, patches and decisions, no blueprint layer."""
    path = tmp_path / "apply.gpkg"
    report_blueprint(path, blueprint=False).close()
    return str(path)


def blueprint_runs(path: str) -> list:
    from multiplan.algorithms.store import BlueprintStore

    with BlueprintStore.open(path, readonly=True) as s:
        return [r["kind"] for r in s.runs()]


def test_apply_streets_without_a_usable_crs_or_the_named_field(mp_processing, undecided_bp, tmp_path):
    """Streets whose CRS cannot be transformed, or without the street field named: a clear error, and the
    blueprint is not written (the field was ignored and the streets silently named by feature id)."""
    from qgis.core import QgsProcessingException

    before = blueprint_runs(undecided_bp)
    local = write_polygons(tmp_path / "local.gpkg", "streets", "XZQMC", ["甲", "乙"], None)
    with pytest.raises(QgsProcessingException) as err:
        run_apply(mp_processing, undecided_bp, STREETS=local, STREET_FIELD="XZQMC")
    text = no_traceback(err)
    assert "streets layer" in text and "Undefined" in text and "assign" in text
    streets = write_polygons(tmp_path / "streets.gpkg", "streets", "XZQMC", ["甲", "乙"], "EPSG:4549")
    with pytest.raises(QgsProcessingException) as err:
        run_apply(mp_processing, undecided_bp, STREETS=streets, STREET_FIELD="JDMC")
    assert "JDMC" in no_traceback(err)
    assert blueprint_runs(undecided_bp) == before
    res, _ = run_apply(mp_processing, undecided_bp, STREETS=streets, STREET_FIELD="XZQMC")
    units = {f["unit"] for f in res["OUTPUT"].getFeatures()}
    assert units == {"甲", "乙"}


def test_apply_outputs_in_a_folder_that_cannot_be_made_leave_the_blueprint_alone(
    mp_processing, undecided_bp, tmp_path
):
    from qgis.core import QgsProcessingException

    before = blueprint_runs(undecided_bp)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for extra in ({"OUTPUT": str(blocker / "bp.gpkg")}, {"SUMMARY": str(blocker / "summary.gpkg")}):
        with pytest.raises(QgsProcessingException) as err:
            run_apply(mp_processing, undecided_bp, **extra)
        assert str(blocker) in no_traceback(err) and "cannot be created" in str(err.value)
    assert blueprint_runs(undecided_bp) == before  # refused before the blueprint was written
    # a new folder and a Chinese file name are fine
    out = tmp_path / "new" / "一张蓝图.gpkg"
    res, _fb = run_apply(mp_processing, undecided_bp, OUTPUT=str(out))
    assert out.exists() and gpkg_layer(res["OUTPUT"]).featureCount() > 0


def test_apply_roles_must_carry_land_use_and_unknown_precedence_is_said(
    mp_processing, undecided_bp, tmp_path
):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        run_apply(mp_processing, undecided_bp, ROLES="eco")
    assert "eco" in no_traceback(err) and "no land use" in str(err.value)
    res, fb = run_apply(mp_processing, undecided_bp, CONSTRUCTION_PRECEDENCE="urban,foo,land")
    assert "names foo" in fb.text() and res["OUTPUT"]
