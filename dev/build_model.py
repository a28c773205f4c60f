#!/usr/bin/env python3
"""Build the shipped Processing model ``processing_provider/models/multiplan_pipeline.model3``.

harmonise (urban) + harmonise (land) → detect differences → reconcile control lines → apply decisions
→ report.
The model is made with QGIS's own model API (so it is exactly what the Model Designer would save) and
committed; the provider registers it as ``multiplan:pipeline``.  Re-run this script after changing an
algorithm's parameters:  ``python3 dev/build_model.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".build" / "py"))
TARGET = ROOT / "processing_provider" / "models" / "multiplan_pipeline.model3"


def build():
    from multiplan import compat
    from qgis.core import (
        QgsApplication,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildDependency,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterFeatureSource,
        QgsProcessingParameterField,
        QgsProcessingParameterFile,
        QgsProcessingParameterNumber,
    )
    from qgis.core import (
        QgsProcessingModelChildParameterSource as Src,
    )
    from qgis.PyQt.QtCore import QPointF

    model = QgsProcessingModelAlgorithm("pipeline", "多规合一 Multi-Plan Integration", "multiplan")
    model.setName("pipeline")
    model.setGroup("多规合一 Multi-Plan Integration")
    model.setHelpContent(
        {
            "ALG_DESC": "The whole job in one run: harmonise the urban-rural plan (GB 50137) and the "
            "land-use plan (TD/T 1024), detect their differences against each other and the three "
            "control lines into the blueprint GeoPackage, propose the control-line reconciliation, "
            "build the blueprint layer from the decisions recorded so far (undecided ground stays "
            "'pending') and write the XLSX/HTML/PDF report. "
            "Re-run it after reviewers recorded decisions in the dock: decisions are kept.",
            "ALG_CREATOR": "Multi-Plan Integration",
        }
    )
    y = 60.0

    def inp(param, x):
        nonlocal y
        comp = QgsProcessingModelParameter(param.name())
        comp.setPosition(QPointF(x, y))
        y += 70.0
        model.addModelParameter(param, comp)

    poly = [compat.SOURCE_POLYGON]
    inp(
        QgsProcessingParameterFeatureSource(
            "urban_plan", "Urban-rural plan (城乡规划, GB 50137 codes)", poly
        ),
        120,
    )
    inp(
        QgsProcessingParameterField(
            "urban_code", "Urban-rural plan code field", parentLayerParameterName="urban_plan"
        ),
        120,
    )
    inp(
        QgsProcessingParameterFeatureSource(
            "land_plan", "Land-use master plan (土地利用总体规划, TD/T 1024)", poly
        ),
        120,
    )
    inp(
        QgsProcessingParameterField(
            "land_code", "Land-use plan code field", parentLayerParameterName="land_plan"
        ),
        120,
    )
    inp(QgsProcessingParameterFeatureSource("redline", "生态保护红线", poly, optional=True), 120)
    inp(QgsProcessingParameterFeatureSource("farmland", "永久基本农田", poly, optional=True), 120)
    inp(QgsProcessingParameterFeatureSource("boundary", "城镇开发边界", poly, optional=True), 120)
    inp(QgsProcessingParameterFeatureSource("streets", "Streets (街道/镇)", poly, optional=True), 120)
    inp(
        QgsProcessingParameterField(
            "street_field", "Street name field", parentLayerParameterName="streets", optional=True
        ),
        120,
    )
    inp(
        QgsProcessingParameterFile(
            "blueprint",
            "Blueprint GeoPackage (created when missing)",
            behavior=compat.FILE_BEHAVIOR_FILE,
            extension="gpkg",
        ),
        120,
    )
    inp(
        QgsProcessingParameterNumber(
            "quota", "Construction-land quota (ha, 0 = none)", compat.NUMBER_DOUBLE, 0.0, minValue=0.0
        ),
        120,
    )

    def child(child_id, alg_id, description, x, y, sources, after=(), outputs=None):
        c = QgsProcessingModelChildAlgorithm(alg_id)
        c.setChildId(child_id)
        c.setDescription(description)
        c.setPosition(QPointF(x, y))
        for name, src in sources.items():
            c.addParameterSources(name, [src])
        # Every mandatory parameter needs a source in a model: give the algorithm's own defaults.
        alg = QgsApplication.processingRegistry().algorithmById(alg_id)
        for d in alg.parameterDefinitions():
            if d.name() in sources or d.isDestination() or d.flags() & compat.FLAG_OPTIONAL:
                continue
            c.addParameterSources(d.name(), [Src.fromStaticValue(d.defaultValue())])
        if after:
            c.setDependencies([QgsProcessingModelChildDependency(a) for a in after])
        if outputs:
            outs = {}
            for model_name, (child_output, desc) in outputs.items():
                o = QgsProcessingModelOutput(model_name, desc)
                o.setChildId(child_id)
                o.setChildOutputName(child_output)
                o.setPosition(QPointF(x + 200, y + 40))
                outs[model_name] = o
            c.setModelOutputs(outs)
        model.addChildAlgorithm(c)

    P, S, C = Src.fromModelParameter, Src.fromStaticValue, Src.fromChildOutput
    child(
        "harmonise_urban",
        "multiplan:harmonisecodes",
        "Harmonise the urban-rural plan",
        420,
        80,
        {
            "INPUT": P("urban_plan"),
            "CODE_FIELD": P("urban_code"),
            "STANDARD": S(1),
            "ON_UNKNOWN": S(1),
        },
    )
    child(
        "harmonise_land",
        "multiplan:harmonisecodes",
        "Harmonise the land-use plan",
        420,
        200,
        {
            "INPUT": P("land_plan"),
            "CODE_FIELD": P("land_code"),
            "STANDARD": S(2),
            "ON_UNKNOWN": S(1),
        },
    )
    child(
        "detect",
        "multiplan:detectdifferences",
        "Detect difference patches",
        720,
        140,
        {
            "URBAN": C("harmonise_urban", "OUTPUT"),
            "LAND": C("harmonise_land", "OUTPUT"),
            "REDLINE": P("redline"),
            "FARMLAND": P("farmland"),
            "BOUNDARY": P("boundary"),
            "STREETS": P("streets"),
            "STREET_FIELD": P("street_field"),
            "BLUEPRINT": P("blueprint"),
        },
        outputs={
            "patches": ("PATCHES", "Difference patches"),
            "statistics": ("STATISTICS", "Patch statistics"),
        },
    )
    child(
        "reconcile",
        "multiplan:reconcilecontrollines",
        "Reconcile the control lines",
        720,
        320,
        {
            "REDLINE": P("redline"),
            "FARMLAND": P("farmland"),
            "BOUNDARY": P("boundary"),
            "STREETS": P("streets"),
            "STREET_FIELD": P("street_field"),
            "BLUEPRINT": P("blueprint"),
        },
        after=("detect",),
    )
    child(
        "apply",
        "multiplan:applydecisions",
        "Build the blueprint from the decisions",
        1020,
        230,
        {
            "BLUEPRINT": P("blueprint"),
            "UNDECIDED": S(
                0
            ),  # undecided ground stays pending "STREETS": P("streets"), "STREET_FIELD": P("street_field"),
        },
        after=("reconcile",),
    )
    child(
        "report",
        "multiplan:report",
        "Report for the review meeting",
        1020,
        400,
        {
            "BLUEPRINT": P("blueprint"),
            "QUOTA": P("quota"),
            "STREETS": P("streets"),
            "STREET_FIELD": P("street_field"),
        },
        after=("apply",),
        outputs={
            "report_xlsx": ("XLSX", "Report workbook (XLSX)"),
            "report_html": ("HTML", "Report (HTML)"),
            "report_pdf": ("PDF", "Patch atlas (PDF)"),
        },
    )
    return model


def main() -> int:
    from multiplan.dev.qgis_headless import qgis_app

    qgis_app()
    model = build()
    ok, problems = model.validate()
    if not ok:
        print("the model does not validate:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    if not model.toFile(str(TARGET)):
        print(f"cannot write {TARGET}", file=sys.stderr)
        return 1
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
