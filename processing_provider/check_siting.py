"""multiplan:checksiting — construction projects against the blueprint and the control lines (选址核查).

The glue reads the projects (polygons, or points with an area field), the blueprint's land use and its
control lines (or line layers given here), hands arrays to :func:`..algorithms.siting.check_siting`
and writes one footprint per project with its measures, verdict (合规 / 需调整 / 不符合) and the rules
that decided it; optionally the same table as an XLSX sheet.
"""

from __future__ import annotations

import os
import sqlite3

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsField,
    QgsFields,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)

from .. import compat
from ..algorithms.i18n import tr, tr_noop
from .base import MultiplanAlgorithm
from .params import blueprint_parameter, flag_advanced, open_blueprint
from .report import FLAG_CHOICES
from .sources import QTYPES, ensure_folder, multi_polygons, output_error, source_to_table, write_output

STAGES = ("auto", "final", "proposed", "input")
LINE_PARAMS = (
    ("REDLINE", "eco_redline", tr_noop("Ecological protection red line (empty: the blueprint's)")),
    ("FARMLAND", "farmland", tr_noop("Permanent basic farmland (empty: the blueprint's)")),
    ("BOUNDARY", "dev_boundary", tr_noop("Urban development boundary (empty: the blueprint's)")),
)
POINT_GEOMETRY = compat.resolve_enum("Qgis.GeometryType.Point", "QgsWkbTypes.GeometryType.PointGeometry")


class CheckSitingAlgorithm(MultiplanAlgorithm):
    NAME = "checksiting"
    GROUP = "reports"

    PROJECTS = "PROJECTS"
    ID_FIELD = "ID_FIELD"
    NAME_FIELD = "NAME_FIELD"
    TYPE_FIELD = "TYPE_FIELD"
    AREA_FIELD = "AREA_FIELD"
    BLUEPRINT = "BLUEPRINT"
    TOLERANCE = "TOLERANCE"
    FLAG = "FLAG"
    STAGE = "LINE_STAGE"
    RULES = "RULES"
    OUTPUT = "OUTPUT"
    XLSX = "XLSX"
    OUT_COUNTS = {
        "合规": "N_COMPLIANT",
        "需调整": "N_ADJUST",
        "不符合": "N_NONCOMPLIANT",
        "unchecked": "N_UNCHECKED",
    }

    def displayName(self) -> str:  # noqa: N802
        return tr("Check project siting (项目选址核查)")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Checks construction projects against the blueprint (一张蓝图) and the three control lines.\n\n"
            "Per project: its area on construction and on non-construction land of the blueprint, on ground "
            "still pending, in the ecological red line, on permanent farmland, outside the urban development "
            "boundary, outside the blueprint, and the difference "
            "patches it touches. Points are drawn as discs "
            "of exactly the area in the area field.\n\n"
            "The verdict — 合规 (compliant), 需调整 (needs adjustment), "
            "不符合 (non-compliant) — comes from a rule "
            "table (CSV, data/rules/siting_rules.csv by default): 不符合 "
            "when more than the tolerance lies in "
            "the red line or on permanent farmland; 需调整 when more than "
            "the tolerance lies on non-construction "
            "land of the blueprint, outside the development boundary "
            "(urban project types), on pending ground "
            "or outside the blueprint. The rules that decided are listed with each project.\n\n"
            "Projects in another CRS are reprojected to the blueprint's. The lines are the blueprint's "
            "(final, else proposed, else input) unless line layers are given."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.PROJECTS, tr("Projects (polygons, or points with an area)"), [compat.SOURCE_ANY_GEOMETRY]
            )
        )
        for name, label in (
            (self.ID_FIELD, tr_noop("Project id field")),
            (self.NAME_FIELD, tr_noop("Project name field")),
            (self.TYPE_FIELD, tr_noop("Project type field (for rules on project types)")),
            (self.AREA_FIELD, tr_noop("Area field (m²) for point projects")),
        ):
            self.addParameter(
                QgsProcessingParameterField(
                    name,
                    tr(label),
                    parentLayerParameterName=self.PROJECTS,
                    type=compat.FIELD_ANY,
                    optional=True,
                )
            )
        self.addParameter(blueprint_parameter(self.BLUEPRINT))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TOLERANCE,
                tr("Tolerance (m²)"),
                type=compat.NUMBER_DOUBLE,
                minValue=0.0,
                defaultValue=1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.FLAG,
                tr("Construction flag of the blueprint"),
                options=[tr(label) for _, label in FLAG_CHOICES],
                defaultValue=0,
            )
        )
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterEnum(
                    self.STAGE,
                    tr("Control lines of the blueprint"),
                    options=[
                        tr("Latest (final, else proposed, else input)"),
                        tr("Final"),
                        tr("Proposed"),
                        tr("Input"),
                    ],
                    defaultValue=0,
                )
            )
        )
        for param, _line, label in LINE_PARAMS:
            self.addParameter(
                flag_advanced(
                    QgsProcessingParameterFeatureSource(
                        param, tr(label), [compat.SOURCE_POLYGON], optional=True
                    )
                )
            )
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterFile(
                    self.RULES,
                    tr("Siting rule table (CSV; replaces data/rules/siting_rules.csv)"),
                    behavior=compat.FILE_BEHAVIOR_FILE,
                    extension="csv",
                    optional=True,
                )
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Siting check")))
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.XLSX,
                tr("Siting check as a workbook (XLSX)"),
                tr("Excel workbook (*.xlsx)"),
                optional=True,
                createByDefault=False,
            )
        )
        for verdict, key in self.OUT_COUNTS.items():
            self.addOutput(QgsProcessingOutputNumber(key, verdict))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        source = self.parameterAsSource(parameters, self.PROJECTS, context)
        if source is not None and QgsWkbTypes.geometryType(source.wkbType()) == POINT_GEOMETRY:
            if not self.parameterAsString(parameters, self.AREA_FIELD, context):
                return False, tr(
                    "Point projects need an area field (m²): each point is drawn as a disc of that area."
                )
        return super().checkParameterValues(parameters, context)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self.require_dependencies()
        from ..algorithms.crs import CrsError
        from ..algorithms.gpkg import GeoPackageError
        from ..algorithms.overlay import Cancelled
        from ..algorithms.report import ReportError
        from ..algorithms.siting import SitingError, check_siting, lines_from_store, load_siting_rules

        xlsx = self.parameterAsFileOutput(parameters, self.XLSX, context)
        ensure_folder(self.parameterDefinition(self.XLSX).description(), xlsx)  # before any work
        projects = source_to_table(self, parameters, self.PROJECTS, context, feedback)
        no_crs(self.parameterAsSource(parameters, self.PROJECTS, context), projects)
        if not len(projects):
            feedback.reportError(tr("The project layer is empty: nothing to check."))
        rules_path = self.parameterAsFile(parameters, self.RULES, context) or None
        try:
            rules = load_siting_rules(rules_path)
        except SitingError as exc:
            raise QgsProcessingException(str(exc)) from exc
        path = self.parameterAsFile(parameters, self.BLUEPRINT, context)
        store = open_blueprint(path, readonly=True)
        try:
            layers = store.layers()
            if "blueprint" in layers:
                blueprint = store.read_layer("blueprint")
            else:
                raise QgsProcessingException(
                    tr(
                        "The blueprint {path} has no 'blueprint' layer yet: "
                        "run multiplan:applydecisions first."
                    ).format(path=path)
                )
            stage = STAGES[self.parameterAsEnum(parameters, self.STAGE, context)]
            lines, used = lines_from_store(store, None if stage == "auto" else stage)
            patches = (
                store.patches(with_geometry=True, columns=["patch_id", "kind"])
                if "patches" in layers
                else None
            )
            crs_wkt = store.crs_wkt
            authid = store.info().crs_authid
        finally:
            store.close()
        if used:
            feedback.pushInfo(
                tr("Control lines of the blueprint, stage {stage}: {lines}").format(
                    stage=used, lines=", ".join(sorted(lines)) or "-"
                )
            )
        for param, line, _label in LINE_PARAMS:
            if parameters.get(param):
                lines[line] = source_to_table(self, parameters, param, context, feedback)
                no_crs(self.parameterAsSource(parameters, param, context), lines[line])
                feedback.pushInfo(tr("{line} from the layer given").format(line=line))
        flag = FLAG_CHOICES[self.parameterAsEnum(parameters, self.FLAG, context)][0]
        try:
            res = check_siting(
                projects,
                blueprint,
                lines=lines,
                patches=patches,
                rules=rules,
                tolerance=self.parameterAsDouble(parameters, self.TOLERANCE, context),
                flag=flag,
                id_column=self.parameterAsString(parameters, self.ID_FIELD, context) or None,
                name_column=self.parameterAsString(parameters, self.NAME_FIELD, context) or None,
                type_column=self.parameterAsString(parameters, self.TYPE_FIELD, context) or None,
                area_column=self.parameterAsString(parameters, self.AREA_FIELD, context) or None,
                crs_wkt=crs_wkt,
                is_cancelled=feedback.isCanceled,
            )
        except Cancelled:
            return {}
        except (SitingError, ReportError, CrsError, ValueError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        for m in res.messages:
            feedback.pushInfo(m)
        table = res.table
        import numpy as np

        from ..algorithms.table import FeatureTable

        ft = FeatureTable(
            multi_polygons(res.footprints),
            np.arange(len(table)),
            {c.name: _array(table.data[c.name], c.kind) for c in table.columns},
            {c.name: ("int" if c.kind == "bool" else c.kind) for c in table.columns},
            crs_wkt=crs_wkt,
        )
        fields = QgsFields()
        for c in table.columns:
            fields.append(QgsField(c.name, compat.field_type(QTYPES.get(c.kind, "String"))))
        crs = (
            QgsCoordinateReferenceSystem(authid) if authid else QgsCoordinateReferenceSystem.fromWkt(crs_wkt)
        )
        try:
            out = {
                self.OUTPUT: write_output(
                    self, parameters, self.OUTPUT, context, feedback, fields, compat.WKB_MULTIPOLYGON, crs, ft
                )
            }
        except (OSError, sqlite3.Error, GeoPackageError) as exc:
            raise output_error(self.parameterAsOutputLayer(parameters, self.OUTPUT, context), exc) from exc
        if xlsx:
            from ..algorithms.report import Report
            from ..algorithms.report_xlsx import write_xlsx

            report = Report(
                {"name": os.path.basename(path), "path": path, "crs": authid},
                {"flag_text": flag, "tolerance": res.table.extras.get("tolerance")},
                {"siting": table},
                {},
                res.messages,
            )
            try:
                write_xlsx(report, xlsx)  # checks the workbook GDAL writes on close
            except (OSError, RuntimeError) as exc:
                raise output_error(xlsx, exc) from exc
            out[self.XLSX] = xlsx
        for verdict, key in self.OUT_COUNTS.items():
            out[key] = res.counts.get(verdict, 0)
        return out


def no_crs(source, table) -> None:
    """A layer QGIS knows no CRS for has none in the engine either (GDAL may still give an "undefined"
    one, which no transformation accepts): the engine then says to assign one."""
    if source is not None and not source.sourceCrs().isValid():
        table.crs_wkt = None


def _array(values, kind):
    import numpy as np

    if kind == "bool":
        return np.array([None if v is None else int(bool(v)) for v in values], dtype=object)
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr
