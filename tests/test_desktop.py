"""The packaged zip, installed into a fresh profile, loads in the real QGIS desktop under xvfb."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.desktop,
    pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed"),
]


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, str(ROOT / "dev" / "package.py"), "--out", str(out)], check=True)
    (zpath,) = out.glob("multiplan-*.zip")
    return zpath


def run_in_desktop(plugin_zip, tmp_path, body: str, lang=None) -> dict:
    sys.path.insert(0, str(ROOT / "dev"))
    try:
        from desktop import run
    finally:
        sys.path.pop(0)
    script = tmp_path / "script.py"
    script.write_text(body, "utf-8")
    return run(plugin_zip, script, tmp_path / "out", lang=lang)


def test_packaged_plugin_loads_in_qgis_desktop(plugin_zip, tmp_path):
    status = run_in_desktop(
        plugin_zip,
        tmp_path,
        "import qgis.utils\n"
        "from qgis.core import QgsApplication\n"
        "prov = QgsApplication.processingRegistry().providerById('multiplan')\n"
        "shot('main.png')\n"
        "finish({'active': 'multiplan' in qgis.utils.active_plugins,\n"
        "        'algorithms': sorted(a.id() for a in prov.algorithms()) if prov else [],\n"
        "        'toolbar': bool(iface.mainWindow().findChild(type(iface.mainWindow().findChildren(\n"
        "            __import__('qgis.PyQt.QtWidgets', fromlist=['QToolBar']).QToolBar)[0]),\n"
        "            'MultiPlanToolbar'))})\n",
        lang="zh_CN",
    )
    assert "error" not in status, status
    assert status["active"] is True
    assert "multiplan:harmonisecodes" in status["algorithms"]
    assert status["toolbar"] is True
    png = tmp_path / "out" / "main.png"
    assert png.exists() and png.stat().st_size > 20_000
