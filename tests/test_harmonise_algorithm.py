"""multiplan:harmonisecodes through real Processing on real files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from mp_testing import MAES_CSV, gpkg_layer


def run_harmonise(processing, tmp_path, **params):
    out = str(tmp_path / "harmonised.gpkg")
    unmapped = str(tmp_path / "unmapped.gpkg")
    params.setdefault("OUTPUT", out)
    params.setdefault("UNMAPPED", unmapped)
    return processing.run("multiplan:harmonisecodes", params)


def test_maes_with_user_crosswalk_keeps_integers_as_text(mp_processing, tmp_path, n2k_copy):
    res = run_harmonise(
        mp_processing,
        tmp_path,
        INPUT=str(n2k_copy),
        CODE_FIELD="MAES_4_12",
        STANDARD=8,
        CROSSWALK=str(MAES_CSV),
    )
    assert res["STANDARD_USED"] == "USER:MAES"
    assert res["UNMAPPED_FEATURES"] == 0
    lyr = gpkg_layer(res["OUTPUT"])
    assert lyr.featureCount() == 1027
    feats = list(lyr.getFeatures())
    src = {f["mp_src_code"] for f in feats}
    assert "1110" in src and not any(s.endswith(".0") for s in src)
    urban = [f for f in feats if f["MAES_1_12"] == 1]
    assert urban and all(f["mp_construction"] == 1 for f in urban)
    assert all(f["mp_construction"] == 0 for f in feats if f["MAES_1_12"] != 1)
    assert {f["mp_status"] for f in feats} <= {"exact", "coarse"}
    # every input field is kept
    assert lyr.fields().lookupField("SITECODE") >= 0 and lyr.fields().lookupField("MAES_4_06") >= 0


def test_auto_detect_refuses_to_call_maes_a_chinese_standard(mp_processing, tmp_path, n2k_copy):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        run_harmonise(mp_processing, tmp_path, INPUT=str(n2k_copy), CODE_FIELD="MAES_4_12", STANDARD=0)
    assert (
        "MAES" not in str(err.value)
        or "refus" in str(err.value).lower()
        or "standard" in str(err.value).lower()
    )


def test_unknown_codes_stop_or_flag(mp_processing, tmp_path, n2k_copy):
    from qgis.core import QgsProcessingException

    # A crosswalk that lacks the woodland classes: stop lists them, flag continues and counts them.
    partial = tmp_path / "partial.csv"
    lines = MAES_CSV.read_text("utf-8").splitlines()
    partial.write_text("\n".join(line for line in lines if ",3" not in line[:15]) + "\n", "utf-8")
    with pytest.raises(QgsProcessingException) as err:
        run_harmonise(
            mp_processing,
            tmp_path,
            INPUT=str(n2k_copy),
            CODE_FIELD="MAES_4_12",
            STANDARD=8,
            CROSSWALK=str(partial),
            ON_UNKNOWN=0,
        )
    assert "3110" in str(err.value)
    res = run_harmonise(
        mp_processing,
        tmp_path,
        INPUT=str(n2k_copy),
        CODE_FIELD="MAES_4_12",
        STANDARD=8,
        CROSSWALK=str(partial),
        ON_UNKNOWN=1,
        OUTPUT=str(tmp_path / "flagged.gpkg"),
        UNMAPPED=str(tmp_path / "u2.gpkg"),
    )
    lyr = gpkg_layer(res["OUTPUT"])
    woodland = [f for f in lyr.getFeatures() if str(f["MAES_4_12"]).startswith("3")]
    assert len(woodland) == res["UNMAPPED_FEATURES"] > 0
    assert all(f["mp_status"] == "unmapped" and f["mp_construction"] is None for f in woodland) or all(
        f["mp_status"] == "unmapped" for f in woodland
    )
    table = gpkg_layer(res["UNMAPPED"])
    rows = {f["code"]: f for f in table.getFeatures()}
    assert "3110" in rows and rows["3110"]["features"] > 0 and rows["3110"]["area"] > 0
    assert sum(f["features"] for f in rows.values()) == len(woodland)


def test_qgis_process_lists_and_runs_harmonise(tmp_path, n2k_copy, repo_root):
    """qgis_process headless, with the plugin installed and enabled in a fresh profile."""
    exe = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    if not Path(exe).exists():
        pytest.skip("qgis_process is not installed")
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
    listing = subprocess.run([exe, "list"], env=env, capture_output=True, text=True, timeout=180)
    assert "multiplan:harmonisecodes" in listing.stdout, listing.stdout[-2000:] + listing.stderr[-2000:]
    out = tmp_path / "qp.gpkg"
    run = subprocess.run(
        [
            exe,
            "run",
            "multiplan:harmonisecodes",
            "--",
            f"INPUT={n2k_copy}",
            "CODE_FIELD=MAES_4_06",
            "STANDARD=8",
            f"CROSSWALK={MAES_CSV}",
            f"OUTPUT={out}",
            f"UNMAPPED={tmp_path / 'u.gpkg'}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "USER:MAES" in run.stdout
    assert gpkg_layer(out).featureCount() == 1027


def test_bulk_gpkg_output_equals_the_sink_path(mp_processing, tmp_path, n2k_copy):
    """A .gpkg destination is written in bulk, any other through a QgsFeatureSink: same features."""
    from qgis.core import QgsProcessingContext, QgsProject

    params = {"INPUT": str(n2k_copy), "CODE_FIELD": "MAES_4_12", "STANDARD": 8, "CROSSWALK": str(MAES_CSV)}
    bulk = run_harmonise(mp_processing, tmp_path, **params)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    sink = mp_processing.run(
        "multiplan:harmonisecodes", dict(params, OUTPUT="memory:", UNMAPPED="memory:"), context=context
    )
    a = gpkg_layer(bulk["OUTPUT"])
    b = context.getMapLayer(sink["OUTPUT"]) if isinstance(sink["OUTPUT"], str) else sink["OUTPUT"]
    assert (
        a.crs().authid() == "EPSG:3035"
    )  # (a memory layer reports no authid in headless 3.22, even native ones)
    rows_a = sorted(
        (f["UID"], f["mp_src_code"], f["mp_construction"], round(f.geometry().area(), 3))
        for f in a.getFeatures()
    )
    rows_b = sorted(
        (f["UID"], f["mp_src_code"], f["mp_construction"], round(f.geometry().area(), 3))
        for f in b.getFeatures()
    )
    assert len(rows_a) == 1027 and rows_a == rows_b
