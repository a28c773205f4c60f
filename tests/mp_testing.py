"""Test helpers importable from any test module (``from mp_testing import ...``)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
REALDATA = DATA / "realdata"
N2K_SHP = REALDATA / "eea-n2k-cz-lclu" / "n2k_du001z_lclu_v99_20190108.shp"
NUMAZU_GPKG = REALDATA / "plateau-numazu-urf" / "derived_523857_urf_EPSG6676.gpkg"
MAES_CSV = DATA / "crosswalks" / "maes_n2k.csv"


def gpkg_layer(path, layer=None):
    """A QgsVectorLayer on a GeoPackage/shapefile layer, asserted valid."""
    from qgis.core import QgsVectorLayer

    uri = str(path) + (f"|layername={layer}" if layer else "")
    lyr = QgsVectorLayer(uri, layer or "layer", "ogr")
    assert lyr.isValid(), uri
    return lyr


# -- review dock (issue 5) ---------------------------------------------------------------------

STORE_WRITER = Path(__file__).resolve().parent / "store_writer.py"


def review_blueprint(path, n: int = 120, **kwargs):
    """A synthetic review blueprint (``dev/review_blueprint.py``): every kind incl. ``LINE_*``, 2–4 plans
    per patch, control lines, line adjustments, plan copies and a history (opinions, decisions, a
    conflict, closed and replaced patches, re-confirm flags).  Returns the open store."""
    from multiplan.dev.review_blueprint import build

    return build(str(path), n, **kwargs)


def subprocess_env() -> dict:
    """Environment for a child Python that imports ``multiplan`` (lock holders, other reviewers)."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / ".build" / "py")
    return env


def layer_source(folder, manifest, name) -> str:
    """A layer of a generated demo district as a QGIS source string."""
    info = manifest["layers"][name]
    path = Path(folder) / Path(info["path"]).name
    return str(path) + (f"|layername={info['layer']}" if str(path).endswith(".gpkg") else "")


class RecordingFeedback:
    """Factory for a QgsProcessingFeedback that keeps every message (warnings, errors, info)."""

    def __new__(cls):
        from qgis.core import QgsProcessingFeedback

        class _Recording(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.messages: list[str] = []

            def pushWarning(self, text):  # noqa: N802
                self.messages.append(text)
                super().pushWarning(text)

            def pushInfo(self, text):  # noqa: N802
                self.messages.append(text)
                super().pushInfo(text)

            def reportError(self, text, fatalError=False):  # noqa: N802, N803
                self.messages.append(text)
                super().reportError(text, fatalError)

            def text(self) -> str:
                return "\n".join(self.messages)

        return _Recording()


def is_null(value) -> bool:
    """None or QGIS's NULL (a null QVariant on QGIS 3.x)."""
    return value is None or (hasattr(value, "isNull") and value.isNull())


# -- reports and siting (issue 7) --------------------------------------------------------------

REPORT_X0, REPORT_Y0 = 500000.0, 3540000.0  # EPSG:4549


def report_box(x0, y0, x1, y1):
    """A rectangle in the hand-built report blueprint's local metres (origin REPORT_X0, REPORT_Y0)."""
    import shapely

    return shapely.box(REPORT_X0 + x0, REPORT_Y0 + y0, REPORT_X0 + x1, REPORT_Y0 + y1)


def report_blueprint(path, *, blueprint=True, patches=True, decisions=True, lines=True, plans=True):
    """A blueprint whose report figures are known by hand (``tests/test_report_engine.py`` lists them).

    blueprint layer (fid order): A 0701 final 街道甲 [0,100]², B 0103 final 街道甲 [100,200]×[0,100],
    C 1001 pending 街道乙 [0,100]×[100,200], D G13 final 街道乙 [100,200]², E 1701 final 街道甲
    [150,250]×[0,100] (overlaps B by 5000 m²: B keeps it).  Plan copies: urban u1 0701 [0,100]², u2 0901
    [50,150]×[0,100] (5000 m² overlap), land l1 0103 [0,200]×[0,100]; eco zones (STHX, no balance).
    Patches P1 (LG_URBAN_CON, 街道甲, 50×40), P2 (LG_URBAN_CON, 街道乙, 20×20), P3 (PF_URBAN, 街道甲,
    sliver 100×2).  Lines (stage input): red line [0,50]×[150,200], farmland [100,200]×[0,50], boundary
    [0,120]×[0,200].  Decisions: P1 opinions 规划分局 adopt urban, 国土分局 adopt land, final adopt urban;
    P2 final defer.
    """
    import numpy as np
    import shapely
    from multiplan.algorithms.store import BlueprintStore, Decision
    from multiplan.algorithms.table import FeatureTable

    def obj(values):
        a = np.empty(len(values), dtype=object)
        a[:] = list(values)
        return a

    store = BlueprintStore.create(
        str(path), project_name="报告测试", district="测试区", crs_authid="EPSG:4549", overwrite=True
    )
    run = store.begin_run("detect")
    with store.run_writer(run) as w:
        if plans:
            g = obj([report_box(0, 0, 100, 100), report_box(50, 0, 150, 100)])
            w.write_plan_copy(
                "urban",
                FeatureTable(
                    g,
                    np.arange(2),
                    {
                        "YDDM": obj(["R2", "B1"]),
                        "mp_src_standard": obj(["GB50137-2011"] * 2),
                        "mp_code": obj(["0701", "0901"]),
                        "mp_construction": np.array([1, 1]),
                    },
                ),
            )
            w.write_plan_copy(
                "land",
                FeatureTable(
                    obj([report_box(0, 0, 200, 100)]),
                    np.arange(1),
                    {
                        "mp_src_standard": obj(["TDT1024-2010"]),
                        "mp_code": obj(["0103"]),
                        "mp_construction": np.array([0]),
                    },
                ),
            )
            w.write_plan_copy(
                "eco",
                FeatureTable(
                    obj([report_box(0, 0, 300, 300)]),
                    np.arange(1),
                    {"mp_src_standard": obj(["STHX"]), "mp_code": obj(["1"]), "mp_construction": obj([None])},
                ),
            )
        if patches:
            pg = obj([report_box(10, 10, 60, 50), report_box(110, 110, 130, 130), report_box(0, 0, 100, 2)])
            area = shapely.area(pg)
            w.write_patches(
                FeatureTable(
                    pg,
                    np.arange(3),
                    {
                        "patch_id": obj(["P000001", "P000002", "P000003"]),
                        "kind": obj(["LG_URBAN_CON", "LG_URBAN_CON", "PF_URBAN"]),
                        "severity": np.array([3, 3, 4]),
                        "unit": obj(["街道甲", "街道乙", "街道甲"]),
                        "codes": obj(["urban=0701|land=0103", "urban=1001|land=G13", "urban=0701"]),
                        "area_planar": area,
                        "area_ellipsoidal": area * 1.0002,
                        "is_sliver": np.array([False, False, True]),
                    },
                ),
                {
                    "patch_id": obj(["P000001", "P000001", "P000002", "P000002", "P000003"]),
                    "role": obj(["urban", "land", "urban", "land", "urban"]),
                    "src_standard": obj(
                        ["GB50137-2011", "TDT1024-2010", "GB50137-2011", "TDT1024-2010", "GB50137-2011"]
                    ),
                    "src_code": obj(["R2", "11", "M1", "12", "R2"]),
                    "src_name": obj(["二类居住用地", "耕地", "一类工业用地", "园地", "二类居住用地"]),
                    "mp_code": obj(["0701", "01", "1001", "02", "0701"]),
                    "mp_name": obj(["城镇住宅用地", "耕地", "工业用地", "园地", "城镇住宅用地"]),
                    "mp_construction": np.array([1, 0, 1, 0, 1]),
                },
            )
        if lines:
            lg = obj([report_box(0, 150, 50, 200), report_box(100, 0, 200, 50), report_box(0, 0, 120, 200)])
            w.write_control_lines(
                FeatureTable(
                    lg,
                    np.arange(3),
                    {
                        "line_type": obj(["eco_redline", "farmland", "dev_boundary"]),
                        "name": obj(["红线1", "农田1", "边界"]),
                        "unit": obj(["测试区"] * 3),
                        "area_planar": shapely.area(lg),
                        "area_ellipsoidal": shapely.area(lg) * 1.0002,
                    },
                ),
                "input",
            )
        w.finish()
    if blueprint:
        bg = obj(
            [
                report_box(0, 0, 100, 100),
                report_box(100, 0, 200, 100),
                report_box(0, 100, 100, 200),
                report_box(100, 100, 200, 200),
                report_box(150, 0, 250, 100),
            ]
        )
        bt = FeatureTable(
            bg,
            np.arange(5),
            {
                "mp_code": obj(["0701", "0103", "1001", "G13", "1701"]),
                "mp_construction": np.array([1, 0, 1, 1, 0]),
                "status": obj(["final", "final", "pending", "final", "final"]),
                "unit": obj(["街道甲", "街道甲", "街道乙", "街道乙", "街道甲"]),
            },
            crs_wkt=store.crs_wkt,
            name="blueprint",
        )
        run = store.begin_run("apply")
        with store.run_writer(run) as w:
            w.write_blueprint(bt)
            w.finish()
    if decisions and patches:
        office = {"role": "final", "department": "领导小组办公室"}
        adopt = "adopt_plan"
        store.record_decision(Decision("P000001", adopt, "张工", department="规划分局", target="urban"))
        store.record_decision(Decision("P000001", adopt, "李工", department="国土分局", target="land"))
        store.record_decision(Decision("P000001", adopt, "王主任", target="urban", **office))
        store.record_decision(Decision("P000002", "defer", "王主任", **office))
    return store


# -- difference detection and applying decisions (issue 4) -------------------------------------

_PROVIDERS: list = []

#: harmonisecodes STANDARD index per Contract 1 standard name (the algorithm's enum order)
HARMONISE_STANDARD = {
    "GB50137-2011": 1,
    "TDT1024-2010": 2,
    "GBT21010-2017": 3,
    "YDYH-2023": 4,
    "YDYH-2020": 5,
    "ZTGN": 6,
    "STHX": 7,
    "USER": 8,
}


def processing_with_provider():
    """The ``processing`` module with the multiplan provider registered (for module-scoped fixtures,
    which cannot use the function-scoped ``mp_processing``); needs the session fixture ``qgis_processing``."""
    from multiplan.processing_provider.provider import MultiPlanProvider
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    if registry.providerById("multiplan") is None:
        _PROVIDERS.append(MultiPlanProvider())
        registry.addProvider(_PROVIDERS[-1])
    import processing

    return processing


def demo_source(folder, manifest, key) -> str:
    """A demo district layer as a QGIS source (GeoPackage with its layer name, or a shapefile path)."""
    info = manifest["layers"][key]
    path = Path(folder) / Path(info["path"]).name
    return str(path) + (f"|layername={info['layer']}" if info["format"] == "GPKG" else "")


DEMO_PLANS = ("urban_plan", "land_plan", "development_plan", "eco_plan")


def harmonise_demo(processing, folder, manifest, out_dir, keys=DEMO_PLANS):
    """Harmonise demo district plans with multiplan:harmonisecodes; returns ``{key: output path}``."""
    out = {}
    for key in keys:
        info = manifest["layers"][key]
        params = {
            "INPUT": demo_source(folder, manifest, key),
            "CODE_FIELD": info["code_field"],
            "STANDARD": HARMONISE_STANDARD[info["standard"]],
            "ON_UNKNOWN": 1,
            "OUTPUT": str(Path(out_dir) / f"{key}.gpkg"),
            "UNMAPPED": "memory:",
        }
        if info["format"] != "GPKG" and info.get("encoding"):
            params["ENCODING"] = info["encoding"]
        out[key] = processing.run("multiplan:harmonisecodes", params)["OUTPUT"]
    return out


def detect_params(folder, manifest, plans: dict, out_dir, blueprint=None, prefix="", **extra) -> dict:
    """multiplan:detectdifferences parameters for a demo district: the four harmonised plans, key projects
    (polygons and points), the three control lines, the streets; outputs as GeoPackages in ``out_dir``."""
    roles = {"urban_plan": "URBAN", "land_plan": "LAND", "development_plan": "DEVELOPMENT", "eco_plan": "ECO"}
    params = {roles[k]: v for k, v in plans.items() if k in roles}
    params.update(
        {
            "PROJECTS": [
                demo_source(folder, manifest, "key_projects"),
                demo_source(folder, manifest, "key_projects_pt"),
            ],
            "REDLINE": demo_source(folder, manifest, "redline"),
            "FARMLAND": demo_source(folder, manifest, "farmland"),
            "BOUNDARY": demo_source(folder, manifest, "dev_boundary"),
            "STREETS": demo_source(folder, manifest, "streets"),
            "STREET_FIELD": "XZQMC",
            "BLUEPRINT": str(blueprint) if blueprint else "",
        }
    )
    for key in ("PATCHES", "STATISTICS", "PROBLEMS"):
        params[key] = str(Path(out_dir) / f"{prefix}{key.lower()}.gpkg")
    params.update(extra)
    return params
