"""The shipped Processing model: loadable as a model, runnable headless (Processing and qgis_process)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from mp_testing import gpkg_layer, layer_source
from multiplan.algorithms.store import BlueprintStore

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "processing_provider" / "models" / "multiplan_pipeline.model3"


def model_params(folder, m, out: Path) -> dict:
    return {
        "urban_plan": layer_source(folder, m, "urban_plan"),
        "urban_code": m["layers"]["urban_plan"]["code_field"],
        "land_plan": layer_source(folder, m, "land_plan"),
        "land_code": m["layers"]["land_plan"]["code_field"],
        "redline": layer_source(folder, m, "redline"),
        "farmland": layer_source(folder, m, "farmland"),
        "boundary": layer_source(folder, m, "dev_boundary"),
        "streets": layer_source(folder, m, "streets"),
        "street_field": "XZQMC",
        "blueprint": str(out / "blueprint.gpkg"),
        "quota": 15000,
        # a model's outputs are named <child>:<output>
        "detect:patches": str(out / "patches.gpkg"),
        "detect:statistics": str(out / "statistics.gpkg"),
        "report:report_xlsx": str(out / "report.xlsx"),
        "report:report_html": str(out / "report.html"),
        "report:report_pdf": str(out / "atlas.pdf"),
    }


def test_model_file_loads_as_a_model_with_every_step(mp_processing):
    from qgis.core import QgsProcessingModelAlgorithm

    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(str(MODEL))
    steps = sorted(c.algorithmId() for c in model.childAlgorithms().values())
    assert steps == sorted(
        [
            "multiplan:harmonisecodes",
            "multiplan:harmonisecodes",
            "multiplan:detectdifferences",
            "multiplan:reconcilecontrollines",
            "multiplan:applydecisions",
            "multiplan:report",
        ]
    )
    ok, problems = model.validate()
    assert ok, problems


def test_pipeline_runs_end_to_end(mp_processing, demo_clean, tmp_path):
    folder, m = demo_clean
    res = mp_processing.run("multiplan:pipeline", model_params(folder, m, tmp_path))
    assert gpkg_layer(res["detect:patches"]).featureCount() > 100
    with BlueprintStore.open(str(tmp_path / "blueprint.gpkg"), readonly=True) as store:
        kinds = {r["kind"] for r in store.runs()}
        assert {"detect", "reconcile"} <= kinds and any(k.startswith("apply") for k in kinds)
        assert "blueprint" in store.layers()
    for key in ("report:report_xlsx", "report:report_html", "report:report_pdf"):
        assert Path(res[key]).stat().st_size > 1000, key


def test_qgis_process_runs_the_model_file(demo_clean, tmp_path, repo_root):
    exe = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    if not Path(exe).exists():
        pytest.skip("qgis_process is not installed")
    folder, m = demo_clean
    profile = tmp_path / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "multiplan").symlink_to(repo_root, target_is_directory=True)
    (profile / "QGIS").mkdir()
    (profile / "QGIS" / "QGIS3.ini").write_text("[PythonPlugins]\nmultiplan=true\n", "utf-8")
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path),
        "QGIS_CUSTOM_CONFIG_PATH": str(tmp_path),
    }
    out = tmp_path / "run"
    out.mkdir()
    args = [f"{k}={v}" for k, v in model_params(folder, m, out).items()]
    proc = subprocess.run(
        [exe, "run", str(MODEL), "--", *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (out / "report.xlsx").exists() and (out / "atlas.pdf").exists()
