"""The PDF atlas (``processing_provider/atlas.py``): one page per patch in the chosen order, a real map on
each page, CJK fonts embedded.  Pages are rendered with ``pdftoppm`` and their pixels inspected."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from mp_testing import report_blueprint, review_blueprint

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


def pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def page_text(path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
    ).stdout


def render(path, page: int, out_prefix) -> str:
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(out_prefix),
        ],
        check=True,
    )
    return f"{out_prefix}.png"


def pixels(png: str):
    """(width, height, share of non-white pixels in the map frame, count of the highlight's red pixels)."""
    from qgis.PyQt.QtGui import QColor, QImage

    img = QImage(png)
    w, h = img.width(), img.height()
    # the map frame: 10..180 mm across, 26..176 mm down the 297 × 210 mm page
    x0, x1 = int(w * 12 / 297), int(w * 178 / 297)
    y0, y1 = int(h * 28 / 210), int(h * 174 / 210)
    coloured = red = total = 0
    for y in range(y0, y1, 2):
        for x in range(x0, x1, 2):
            c = QColor(img.pixel(x, y))
            total += 1
            if (c.red(), c.green(), c.blue()) != (255, 255, 255):
                coloured += 1
            if c.red() > 180 and c.green() < 90 and c.blue() < 90:
                red += 1
    return w, h, coloured / total, red


@pytest.fixture()
def hand(tmp_path):
    path = tmp_path / "hand.gpkg"
    report_blueprint(path).close()
    return str(path)


def test_one_page_per_patch_in_order_with_a_map_and_cjk_fonts(qgis_app, hand, tmp_path):
    from multiplan.algorithms.report import kind_titles
    from multiplan.processing_provider.atlas import export_atlas

    pdf = tmp_path / "atlas.pdf"
    res = export_atlas(
        hand, ["P000002", "P000001"], str(pdf), project_name="报告测试", kind_titles=kind_titles()
    )
    assert res.pages == 2 and pages(pdf) == 2 and res.seconds_per_page > 0
    first, second = page_text(pdf, 1), page_text(pdf, 2)
    assert "P000002" in first and "400.0 m²" in first and "暂缓" in first
    assert "P000001" in second and "2,000.0 m²" in second and "采用规划" in second
    assert "城规建设、土规非建设" in second and "规划分局" in second  # the decision history table
    assert "第 2 / 2 页" in second
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    cjk = [
        line for line in fonts.splitlines() if res.font and res.font.replace(" ", "") in line.replace("-", "")
    ]
    assert res.font is not None and cjk, fonts
    assert all(re.search(r"\byes\b", line) for line in cjk)  # embedded
    w, h, coloured, red = pixels(render(pdf, 2, tmp_path / "page2"))
    assert (w, h) == (585, 414)  # A4 landscape (842 × 595 pt) at 50 dpi
    assert coloured > 0.5 and red > 20  # the blueprint drawn under the outlined patch


def test_many_pages_from_a_review_blueprint(qgis_app, tmp_path):
    from multiplan.algorithms.report import select_atlas_patches
    from multiplan.processing_provider.atlas import export_atlas

    path = tmp_path / "review.gpkg"
    store = review_blueprint(path, 80)
    patches = store.patches(with_geometry=False)
    store.close()
    ids = select_atlas_patches(patches, max_pages=12)
    pdf = tmp_path / "atlas.pdf"
    res = export_atlas(str(path), ids.tolist(), str(pdf), project_name="浦口区多规合一")
    assert res.pages == 12 and pages(pdf) == 12
    assert ids[0] in page_text(pdf, 1) and ids[11] in page_text(pdf, 12)
    _w, _h, coloured, red = pixels(render(pdf, 1, tmp_path / "p1"))
    assert coloured > 0.2 and red > 10


def test_no_patches_no_pages(qgis_app, hand, tmp_path):
    from multiplan.processing_provider.atlas import export_atlas

    res = export_atlas(hand, [], str(tmp_path / "none.pdf"))
    assert res.pages == 0 and not (tmp_path / "none.pdf").exists()


def test_a_control_line_decision_reads_in_chinese(qgis_app, hand, tmp_path):
    """保留 / 退出 / 扣除 are shown as such (with the English word in the facts), not as the stored key."""
    from multiplan.algorithms.store import ADJUST_LINE, BlueprintStore, Decision
    from multiplan.processing_provider.atlas import export_atlas

    store = BlueprintStore.open(hand)
    store.record_decision(
        Decision("P000003", ADJUST_LINE, "王主任", department="领导小组办公室", role="final", target="deduct")
    )
    store.close()
    pdf = tmp_path / "atlas.pdf"
    export_atlas(hand, ["P000003"], str(pdf), project_name="报告测试")
    text = page_text(pdf, 1)
    assert "扣除 deduct" in text  # current decision
    history = [line for line in text.splitlines() if "王主任" in line and "领导小组办公室" in line]
    assert history and "扣除" in history[0] and "deduct" not in history[0]
