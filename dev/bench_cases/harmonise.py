"""case=harmonise — multiplan:harmonisecodes vs the cost of a copy.

The reference is ``native:fieldcalculator`` copying the code field into a new text field and writing
the same layer to the same format (GeoPackage): the least any tool that adds fields must pay.
Both read the same file and write a new GeoPackage; ``ours_s`` is the whole ``processing.run``.
"""

from __future__ import annotations

import time
from pathlib import Path

from ._district import district, layer_uri

CASE = "harmonise"
DEFAULT_N = [100000]


def run(n: int, work: Path) -> dict:
    from multiplan.dev.qgis_headless import qgis_app

    qgis_app()
    import processing

    folder, manifest = district(work, n)
    src = layer_uri(folder, manifest, "urban_plan")
    code = manifest["layers"]["urban_plan"]["code_field"]
    out = work / "out"
    out.mkdir(exist_ok=True)
    for f in out.glob("harmonise_*"):
        f.unlink()

    t0 = time.perf_counter()
    res = processing.run(
        "multiplan:harmonisecodes",
        {
            "INPUT": src,
            "CODE_FIELD": code,
            "STANDARD": 1,
            "OUTPUT": str(out / "harmonise_ours.gpkg"),
            "UNMAPPED": str(out / "harmonise_unmapped.gpkg"),
        },
    )
    ours = time.perf_counter() - t0
    assert res["STANDARD_USED"] == "GB50137-2011"

    t0 = time.perf_counter()
    processing.run(
        "native:fieldcalculator",
        {
            "INPUT": src,
            "FIELD_NAME": "code_copy",
            "FIELD_TYPE": 2,
            "FIELD_LENGTH": 0,
            "FIELD_PRECISION": 0,
            "FORMULA": f'"{code}"',
            "OUTPUT": str(out / "harmonise_ref.gpkg"),
        },
    )
    ref = time.perf_counter() - t0
    return {"ours_s": ours, "ref": "native_fieldcalculator", "ref_s": ref}
