"""multiplan:report through Processing: numbers in the outputs, a workbook GDAL opens with its sheets, an
HTML page headless Chromium loads without console errors, a PDF atlas with the expected pages.

The blueprint is the hand-built one of ``tests/test_report_engine.py`` (figures known by hand).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from mp_testing import RecordingFeedback, report_blueprint, report_box

CHROMIUM = "/usr/bin/chromium"


def obj(values):
    a = np.empty(len(values), dtype=object)
    a[:] = list(values)
    return a


def write_current(path: Path, authid: str = "EPSG:4549") -> str:
    """三调 as a GeoPackage: F1 0101 水田 [0,50]×[0,200], F2 0702 农村宅基地 [50,200]×[0,200] (raw codes)."""
    from multiplan.algorithms.gpkg import write_layer_file

    g = obj([report_box(0, 0, 50, 200), report_box(50, 0, 200, 200)])
    write_layer_file(
        str(path),
        "current",
        g,
        [("DLBM", "text", obj(["0101", "0702"])), ("DLMC", "text", obj(["水田", "农村宅基地"]))],
        authid=authid,
    )
    return f"{path}|layername=current"


def pdf_pages(path) -> int:
    import re

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture()
def hand(tmp_path) -> str:
    path = tmp_path / "hand.gpkg"
    report_blueprint(path).close()
    return str(path)


def run_report(processing, blueprint: str, out: Path, **extra) -> tuple[dict, object]:
    params = {
        "BLUEPRINT": blueprint,
        "XLSX": str(out / "report.xlsx"),
        "HTML": str(out / "report.html"),
        "PDF": str(out / "atlas.pdf"),
    }
    params.update(extra)
    fb = RecordingFeedback()
    return processing.run("multiplan:report", params, feedback=fb), fb


def test_report_numbers_and_files(mp_processing, hand, tmp_path):
    current = write_current(tmp_path / "current.gpkg")
    res, fb = run_report(
        mp_processing,
        hand,
        tmp_path,
        CURRENT_LANDUSE=current,
        CURRENT_CODE_FIELD="DLBM",
        QUOTA=0.8,
        POPULATION=100,
    )
    assert res["PATCHES"] == 3 and res["DECIDED"] == 1
    assert res["CONSTRUCTION_AREA"] == pytest.approx(10000)
    assert res["QUOTA_REMAINING"] == pytest.approx(-2000)  # 0.8 ha = 8000 m²
    assert res["NEW_CONSTRUCTION_AREA"] == pytest.approx(5000)
    assert res["FLAG_COUNTED"] == "plan_construction"
    assert res["ATLAS_PAGE_COUNT"] == 2 and res["ATLAS_SECONDS_PER_PAGE"] > 0  # the sliver P3 is left out
    log = fb.text()
    assert "exceeds the quota" in log and "plan_construction" in log and "harmonised as GBT21010-2017" in log
    assert Path(res["XLSX"]).exists() and Path(res["HTML"]).exists() and Path(res["PDF"]).exists()


def test_workbook_opens_with_gdal_with_every_sheet(mp_processing, hand, tmp_path):
    from osgeo import gdal, ogr

    res, _ = run_report(mp_processing, hand, tmp_path, QUOTA=0.8, PDF=None)
    gdal.SetConfigOption("OGR_XLSX_HEADERS", "FORCE")
    try:
        ds = ogr.Open(res["XLSX"])
        sheets = {ds.GetLayer(i).GetName(): ds.GetLayer(i) for i in range(ds.GetLayerCount())}
        assert {
            "说明 About",
            "差异图斑台账",
            "差异图斑分类分街道统计",
            "用地平衡表·城规",
            "用地平衡表·土规",
            "用地平衡表·一张蓝图",
            "建设用地指标核查",
            "评审进度(按差异类型)",
            "评审进度(按部门)",
            "三条控制线面积",
        } <= set(sheets)
        quota = [f for f in sheets["建设用地指标核查"] if f.GetField(0) == "全区"][0]
        assert quota.GetField(1) == pytest.approx(10000) and quota.GetField(8) == pytest.approx(-2000)
        about = {f.GetField(0): f.GetField(1) for f in sheets["说明 About"]}
        assert "plan_construction" in about["建设用地计数依据 Construction flag counted"]
        ds = None
    finally:
        gdal.SetConfigOption("OGR_XLSX_HEADERS", None)
    assert "PDF" not in res and res["ATLAS_PAGE_COUNT"] == 0


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="headless Chromium not installed")
def test_html_loads_in_headless_chromium_without_console_errors(mp_processing, hand, tmp_path):
    res, _ = run_report(mp_processing, hand, tmp_path, QUOTA=0.8, PDF=None)
    profile = tmp_path / "chromium-profile"
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,2000",
            f"--screenshot={shot}",
            "--virtual-time-budget=2000",
            f"file://{res['HTML']}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [x for x in proc.stderr.splitlines() if "CONSOLE" in x or "Uncaught" in x or "net::ERR" in x]
    assert console == []
    assert shot.exists() and shot.stat().st_size > 20000
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--dump-dom",
            f"file://{res['HTML']}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert dom.count("<svg") >= 4 and "用地平衡表" in dom and "Land-use balance" in dom


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_atlas_pages_and_embedded_cjk_font(mp_processing, hand, tmp_path):
    res, _ = run_report(mp_processing, hand, tmp_path, ATLAS_SLIVERS=True, ATLAS_PAGES=200)
    assert pdf_pages(res["PDF"]) == 3
    fonts = subprocess.run(["pdffonts", res["PDF"]], capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line or "WenQuanYi" in line or "Hei" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded
    capped_dir = tmp_path / "capped"
    capped_dir.mkdir()
    capped, _ = run_report(mp_processing, hand, capped_dir, ATLAS_PAGES=1)
    assert capped["ATLAS_PAGE_COUNT"] == 1
    assert pdf_pages(capped["PDF"]) == 1


def test_quota_of_zero_and_another_flag(mp_processing, hand, tmp_path):
    res, fb = run_report(mp_processing, hand, tmp_path, QUOTA=0, PDF=None)
    assert res["QUOTA_REMAINING"] == pytest.approx(-10000) and "quota is zero" in fb.text()
    res, fb = run_report(mp_processing, hand, tmp_path, QUOTA_FLAG=1, PDF=None)
    assert res["CONSTRUCTION_AREA"] == pytest.approx(20000) and res["QUOTA_REMAINING"] is None
    assert res["FLAG_COUNTED"] == "mp_construction" and "No quota given" in fb.text()


def test_no_decisions_and_empty_blueprints(mp_processing, tmp_path):
    from multiplan.algorithms.store import BlueprintStore

    nodec = tmp_path / "nodec.gpkg"
    report_blueprint(nodec, decisions=False).close()
    res, fb = run_report(mp_processing, str(nodec), tmp_path, PDF=None)
    assert res["DECIDED"] == 0 and "No decisions yet" in fb.text()
    empty = tmp_path / "empty.gpkg"
    BlueprintStore.create(str(empty), project_name="空", crs_authid="EPSG:4549").close()
    out = tmp_path / "e"
    out.mkdir()
    res, fb = run_report(mp_processing, str(empty), out, QUOTA=1)
    assert res["PATCHES"] == 0 and res["ATLAS_PAGE_COUNT"] == 0 and res["CONSTRUCTION_AREA"] is None
    assert "no difference patches" in fb.text() and "applydecisions" in fb.text()
    assert Path(res["XLSX"]).exists() and Path(res["HTML"]).exists()


def test_not_a_blueprint_is_a_clear_error(mp_processing, tmp_path):
    from qgis.core import QgsProcessingException

    bad = tmp_path / "plan.gpkg"
    write_current(bad)
    with pytest.raises(QgsProcessingException, match="blueprint"):
        run_report(mp_processing, str(bad), tmp_path, PDF=None)
