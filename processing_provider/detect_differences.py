"""multiplan:detectdifferences — 差异分析: difference patches between harmonised plans, into the blueprint.

The glue reads the plans by role, the further special plans, the key projects, the control lines and
the streets; refuses an unharmonised plan before reading it; chooses the working CRS (an existing
blueprint's always wins); hands arrays to :func:`..algorithms.detection_run.run_detection` (which
detects, matches patch identity against the blueprint's earlier runs and writes the run in ONE
transaction); and writes three outputs: the patches, the statistics and the data problems.
"""

from __future__ import annotations

import os
import time

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .. import compat
from ..algorithms.i18n import tr, tr_noop
from .base import MultiplanAlgorithm
from .params import (
    DEFAULT_PROJECT_NAME,
    blueprint_parameter,
    crs_authid,
    crs_choices,
    flag_advanced,
    open_blueprint,
    plain_parameters,
    project_name_parameter,
    push_timings,
    run_id_output,
    street_parameters,
    table_sink,
    warn_same_layer,
    working_crs_output,
    working_crs_parameter,
)
from .sources import (
    _selected_only,
    engine_checks_geometry,
    gpkg_copy_source,
    layer_to_table,
    plan_columns,
    rows_table,
    source_to_table,
    table_fields,
    write_output,
    write_rows,
)

#: (parameter, role, kind, title) of the plans given by role.
ROLE_PLANS = (
    ("URBAN", "urban", "landuse", tr_noop("Urban-rural plan (城乡规划), harmonised")),
    ("LAND", "land", "landuse", tr_noop("Land-use master plan (土地利用总体规划), harmonised")),
    (
        "DEVELOPMENT",
        "development",
        "zones",
        tr_noop("Development plan / main-function zones (主体功能区), harmonised"),
    ),
    ("ECO", "eco", "eco", tr_noop("Eco-environment protection plan (生态环境保护规划), harmonised")),
)
#: (parameter, line, title) of the control lines.
LINES = (
    ("REDLINE", "redline", tr_noop("Ecological protection red line (生态保护红线)")),
    ("FARMLAND", "farmland", tr_noop("Permanent basic farmland (永久基本农田)")),
    ("BOUNDARY", "boundary", tr_noop("Urban development boundary (城镇开发边界)")),
)
#: (parameter, SliverParams field, label, default) of the sliver thresholds (DOMAIN.md §4).
SLIVER_PARAMS = (
    ("SPECK_AREA", "speck_area", tr_noop("Specks dropped and counted at or below (m²)"), 0.01),
    ("SLIVER_MIN_AREA", "min_area", tr_noop("Sliver: always below this area (m²)"), 200.0),
    ("SLIVER_MAX_AREA", "max_area", tr_noop("Sliver: small at or below this area (m²)"), 1000.0),
    ("SLIVER_MAX_WIDTH", "max_width", tr_noop("Sliver: narrow at or below this width (m)"), 5.0),
    (
        "SLIVER_MIN_ELONGATION",
        "min_elongation",
        tr_noop("Sliver: elongated from this length/width ratio"),
        5.0,
    ),
    (
        "SLIVER_MAX_COMPACTNESS",
        "max_compactness",
        tr_noop("Sliver: irregular at or below this compactness 4πA/P²"),
        0.25,
    ),
)
PROJECT_NAME_FIELDS = ("XMMC", "XMMCH", "NAME", "MC", "XMBH")
PROJECT_AREA_FIELDS = ("XMMJ", "MJ", "AREA")
HARMONISED_FIELDS = ("mp_code", "mp_construction", "mp_src_standard", "mp_src_code")


class DetectDifferencesAlgorithm(MultiplanAlgorithm):
    NAME = "detectdifferences"

    PROJECTS = "PROJECTS"
    PROJECT_NAME_FIELD = "PROJECT_NAME_FIELD"
    PROJECT_AREA_FIELD = "PROJECT_AREA_FIELD"
    PLANS = "PLANS"
    STREETS = "STREETS"
    STREET_FIELD = "STREET_FIELD"
    BLUEPRINT = "BLUEPRINT"
    PROJECT_NAME = "PROJECT_NAME"
    WORKING_CRS = "WORKING_CRS"
    RULES = "RULES"
    RULES_MODE = "RULES_MODE"
    PLAN_COPIES = "PLAN_COPIES"
    PATCHES = "PATCHES"
    STATISTICS = "STATISTICS"
    PROBLEMS = "PROBLEMS"
    OUT_PATCHES = "N_PATCHES"
    OUT_RUN = "RUN_ID"
    OUT_CRS = "WORKING_CRS_USED"
    #: identity cases reported as numbers (N_SAME, N_CHANGED, …)
    CASES = ("same", "changed", "recoded", "split", "merged", "reshaped", "new", "closed")

    def displayName(self) -> str:  # noqa: N802
        return tr("Detect differences (差异分析)")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Overlays the harmonised plans and finds every difference patch (差异图斑) the rule table asks "
            "for: 城规建设/土规非建设 and 土规建设/城规非建设 (两规), construction inside the ecological red "
            "line or the eco plan's 一级/二级管控区, construction on permanent basic farmland, urban "
            "construction outside the urban development boundary, construction in 禁止开发区域, key "
            "projects on land the land-use plan keeps non-construction, and conflicting classes.\n\n"
            "Inputs: plans by role (each optional) — run multiplan:harmonisecodes on each first; an "
            "unharmonised layer is refused — any number of further special plans (the role is taken from "
            "a 'role' field, else from the layer name), key projects (not harmonised: a name, a type and a "
            "polygon, or a point with an area drawn as a disc), the three control lines and the streets. "
            "At least two plans, or one plan and one control line.\n\n"
            "Working CRS: an existing blueprint's stored CRS always wins (re-detection compares like with "
            "like); otherwise the override, else the one projected CRS all inputs share, else the QGIS "
            "project's projected CRS, else the CGCS2000 3° Gauss-Krüger zone (EPSG:4534–4554) or UTM zone of "
            "the data's centroid. Inputs in another CRS are reprojected; the choice is always reported.\n\n"
            "Patches are maximal connected areas of one kind, one code combination and one street, with "
            "planar area (working CRS) and ellipsoidal area (CGCS2000 ellipsoid). Slivers (minimum area, "
            "width and shape tests, all parameters) stay visible with their reason; specks are dropped and "
            "counted. Invalid geometries are repaired and counted, overlaps and gaps inside one plan are "
            "reported (never double-counted), unknown codes listed with their feature ids.\n\n"
            "Blueprint (created when missing): the run is written in ONE transaction — harmonised plan "
            "copies, patches, their plans, statistics. Re-running keeps patch ids (and their decisions) "
            "where the difference is the same; a patch that changed keeps its id and is flagged 'changed, "
            "re-confirm'; re-coded, split and merged patches get new ids listing their predecessors; "
            "vanished ones are closed, never deleted. Patches of kinds this run did not evaluate are left "
            "as they are. Cancelling leaves the blueprint unchanged.\n\n"
            "Rule table: a CSV extends (or replaces) data/rules/detection_rules.csv — see docs/detection.md."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        for param, _role, _kind, title in ROLE_PLANS:
            self.addParameter(
                QgsProcessingParameterFeatureSource(param, tr(title), [compat.SOURCE_POLYGON], optional=True)
            )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.PROJECTS,
                tr("Key projects (重大项目): polygon and/or point layers"),
                layerType=compat.SOURCE_ANY_GEOMETRY,
                optional=True,
            )
        )
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterString(
                    self.PROJECT_NAME_FIELD,
                    tr("Key projects: name field (empty: XMMC, NAME, MC … when present)"),
                    optional=True,
                )
            )
        )
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterString(
                    self.PROJECT_AREA_FIELD,
                    tr("Key projects: area field for points, m² (empty: XMMJ, MJ, AREA when present)"),
                    optional=True,
                )
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.PLANS,
                tr("Further special plans, harmonised (role from a 'role' field or the layer name)"),
                layerType=compat.SOURCE_POLYGON,
                optional=True,
            )
        )
        for param, _line, title in LINES:
            self.addParameter(
                QgsProcessingParameterFeatureSource(param, tr(title), [compat.SOURCE_POLYGON], optional=True)
            )
        for p in street_parameters(self.STREETS, self.STREET_FIELD):
            self.addParameter(p)
        self.addParameter(blueprint_parameter(self.BLUEPRINT, write=True))
        self.addParameter(project_name_parameter(self.PROJECT_NAME))
        self.addParameter(
            working_crs_parameter(
                self.WORKING_CRS,
                tr("Working CRS (empty: chosen from the data; an existing blueprint's CRS always wins)"),
            )
        )
        advanced = []
        advanced.append(
            QgsProcessingParameterFile(
                self.RULES,
                tr("Rule table (CSV; see docs/detection.md)"),
                behavior=compat.FILE_BEHAVIOR_FILE,
                extension="csv",
                optional=True,
            )
        )
        advanced.append(
            QgsProcessingParameterEnum(
                self.RULES_MODE,
                tr("The rule table"),
                options=[
                    tr("extends the default rules (same kind replaces)"),
                    tr("replaces the default rules"),
                ],
                defaultValue=0,
            )
        )
        for param, _field, label, default in SLIVER_PARAMS:
            advanced.append(
                QgsProcessingParameterNumber(
                    param, tr(label), type=compat.NUMBER_DOUBLE, defaultValue=default, minValue=0.0
                )
            )
        advanced.append(
            QgsProcessingParameterBoolean(
                self.PLAN_COPIES,
                tr("Store harmonised copies of the plans in the blueprint"),
                defaultValue=True,
            )
        )
        for p in advanced:
            self.addParameter(flag_advanced(p))
        self.addParameter(QgsProcessingParameterFeatureSink(self.PATCHES, tr("Difference patches")))
        self.addParameter(table_sink(self.STATISTICS, tr("Difference statistics")))
        self.addParameter(table_sink(self.PROBLEMS, tr("Data problems")))
        self.addOutput(QgsProcessingOutputNumber(self.OUT_PATCHES, tr("Patches")))
        for case in self.CASES:
            self.addOutput(
                QgsProcessingOutputNumber("N_" + case.upper(), tr("Patches: {case}").format(case=case))
            )
        self.addOutput(run_id_output(self.OUT_RUN))
        self.addOutput(working_crs_output(self.OUT_CRS))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        n_plans = sum(1 for p, *_ in ROLE_PLANS if parameters.get(p))
        n_plans += 1 if parameters.get(self.PROJECTS) else 0
        n_plans += len(parameters.get(self.PLANS) or [])
        n_lines = sum(1 for p, *_ in LINES if parameters.get(p))
        if n_plans < 2 and not (n_plans == 1 and n_lines >= 1):
            return False, tr("Give at least two plans, or one plan and at least one control line.")
        return super().checkParameterValues(parameters, context)

    # ------------------------------------------------------------------------------------------

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self.require_dependencies()
        steps = QgsProcessingMultiStepFeedback(4, feedback)
        steps.setCurrentStep(0)
        steps.setProgressText(tr("Reading the inputs…"))
        t0 = time.perf_counter()
        with engine_checks_geometry(context):
            got = self._read_inputs(parameters, context, feedback, steps)
        if got is None:
            return {}
        plans, lines, streets, inputs = got
        read_s = time.perf_counter() - t0
        warn_same_layer(feedback, [r for r in inputs if r.get("kind") not in ("line", "units")])
        return self._run(parameters, context, feedback, steps, plans, lines, streets, inputs, read_s)

    def _read_inputs(self, parameters, context, feedback, steps):
        """Every input as engine tables (None when cancelled)."""
        from ..algorithms.detect import LineInput, PlanInput
        from ..algorithms.detection_run import input_record, plan_kind_for_standard

        inputs: list[dict] = []
        plans: list = []
        taken: set[str] = set()
        # a whole GeoPackage plan is copied into the blueprint by SQL: read only the columns detection uses
        copies = self.parameterAsBoolean(parameters, self.PLAN_COPIES, context)
        for param, role, kind, _title in ROLE_PLANS:
            if not parameters.get(param):
                continue
            source = self.parameterAsSource(parameters, param, context)
            self._require_harmonised(source, param, parameters, context)
            copy_from = None
            if copies and not _selected_only(parameters, param):
                copy_from = gpkg_copy_source(self.parameterAsVectorLayer(parameters, param, context))
            columns = plan_columns(source.fields()) if copy_from else None
            t = source_to_table(self, parameters, param, context, steps, columns=columns)
            plans.append(PlanInput(role, t, kind, layer=t.name, copy_from=copy_from))
            inputs.append(input_record(role, self._source_text(parameters, param, context), t, kind))
            taken.add(role)
            if feedback.isCanceled():
                return None
        for layer in self.parameterAsLayerList(parameters, self.PLANS, context) or []:
            self._require_harmonised(layer, layer.name())
            copy_from = gpkg_copy_source(layer) if copies else None
            columns = plan_columns(layer.fields(), extra=("role",)) if copy_from else None
            t = layer_to_table(layer, steps, columns)
            role = self._plan_role(layer, t, taken)
            kind = plan_kind_for_standard(np.unique(np.asarray(t.column("mp_src_standard"), dtype=str)))
            plans.append(PlanInput(role, t, kind, layer=layer.name(), copy_from=copy_from))
            inputs.append(input_record(role, layer.source(), t, kind))
            taken.add(role)
            if feedback.isCanceled():
                return None
        projects = self._projects(parameters, context, steps, inputs)
        if projects is not None:
            plans.append(projects)
        lines = []
        for param, line, _title in LINES:
            if parameters.get(param):
                # detection uses the lines' geometry only
                t = source_to_table(self, parameters, param, context, steps, columns=[])
                lines.append(LineInput(line, t, layer=t.name))
                inputs.append(
                    input_record("line:" + line, self._source_text(parameters, param, context), t, "line")
                )
        streets = None
        if parameters.get(self.STREETS):
            field = self.parameterAsString(parameters, self.STREET_FIELD, context)
            streets = source_to_table(
                self, parameters, self.STREETS, context, steps, columns=[field] if field else []
            )
            inputs.append(
                input_record(
                    "streets", self._source_text(parameters, self.STREETS, context), streets, "units"
                )
            )
        if feedback.isCanceled():
            return None
        return plans, lines, streets, inputs

    def _run(self, parameters, context, feedback, steps, plans, lines, streets, inputs, read_s=0.0):  # noqa: C901
        from ..algorithms.crs import CrsError
        from ..algorithms.detect import DetectError, DetectParams
        from ..algorithms.detection_run import (
            RunOptions,
            choose_crs,
            patches_table,
            problem_rows,
            run_detection,
        )
        from ..algorithms.overlay import Cancelled
        from ..algorithms.rules import RuleError, load_rules
        from ..algorithms.slivers import SliverParams
        from ..algorithms.store import BlueprintError, RunCancelledError

        # the working CRS (an existing blueprint's wins)
        path = self.parameterAsFile(parameters, self.BLUEPRINT, context) or ""
        blueprint_crs = None
        if path and os.path.exists(path):
            with open_blueprint(path, readonly=True) as s:
                blueprint_crs = s.crs_wkt
        override, project_crs = crs_choices(self, parameters, self.WORKING_CRS, context)
        try:
            working = choose_crs(
                [p.table for p in plans]
                + [x.table for x in lines]
                + ([streets] if streets is not None else []),
                blueprint_crs=blueprint_crs,
                override=override,
                project_crs=project_crs,
            )
        except CrsError as exc:
            raise QgsProcessingException(str(exc)) from exc
        authid = crs_authid(working)

        # rules and parameters
        rules_path = self.parameterAsFile(parameters, self.RULES, context) or None
        try:
            rules = load_rules(
                rules_path,
                mode=("extend", "replace")[self.parameterAsEnum(parameters, self.RULES_MODE, context)],
            )
        except (RuleError, OSError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        sliver = SliverParams(
            **{f: self.parameterAsDouble(parameters, p, context) for p, f, _l, _d in SLIVER_PARAMS}
        )
        params = DetectParams(
            sliver=sliver,
            unit_column=self.parameterAsString(parameters, self.STREET_FIELD, context) or None,
        )
        options = RunOptions(
            project_name=self.parameterAsString(parameters, self.PROJECT_NAME, context)
            or DEFAULT_PROJECT_NAME,
            crs_authid=authid,
            write_plan_copies=self.parameterAsBoolean(parameters, self.PLAN_COPIES, context),
        )

        steps.setCurrentStep(1)

        def progress(fraction: float, message: str) -> None:
            # the engine's share of the run is detection (0–0.86); the rest is matching and writing
            if fraction >= 0.86 and path:
                steps.setCurrentStep(2)
                steps.setProgress(100.0 * (fraction - 0.86) / 0.14)
            else:
                steps.setProgress(100.0 * min(fraction / 0.86, 1.0))
            steps.setProgressText(message)

        try:
            run = run_detection(
                plans,
                lines,
                streets,
                blueprint=path or None,
                rules=rules,
                params=params,
                options=options,
                working=working,
                inputs=inputs,
                parameters=plain_parameters(parameters),
                progress=progress,
                is_cancelled=feedback.isCanceled,
                extra_timings={"read": read_s},
            )
        except (Cancelled, RunCancelledError):
            feedback.pushWarning(tr("Cancelled: nothing was written into the blueprint."))
            return {}
        except (DetectError, CrsError, ValueError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        except BlueprintError as exc:
            raise QgsProcessingException(exc.message) from exc
        res = run.result
        for note in run.notes:
            feedback.pushInfo(note)
        for rule, why in res.rules_skipped:
            feedback.pushInfo(tr("{kind} skipped: {why}").format(kind=rule.kind, why=why))
        for row in problem_rows(res):
            if row["problem"] not in ("note", "speck"):
                feedback.pushWarning(
                    tr("{input}: {problem} × {count} — {note}").format(
                        input=row["input"], problem=row["problem"], count=row["count"], note=row["note"]
                    )
                )
        feedback.pushInfo(run.summary())
        if run.run_id:
            feedback.pushInfo(
                tr("Blueprint run {run}: {closed} patches closed, {flagged} flagged to re-confirm").format(
                    run=run.run_id, closed=run.written.get("closed", 0), flagged=run.written.get("flagged", 0)
                )
            )
        push_timings(feedback, list(run.timings.items()) + list(res.timings.items()))

        # outputs
        steps.setCurrentStep(3)
        steps.setProgressText(tr("Writing the outputs…"))
        crs = QgsCoordinateReferenceSystem.fromWkt(working.wkt)
        patches = patches_table(res, run.ids, run.status, run.predecessors)
        out = {
            self.OUT_PATCHES: len(res),
            self.OUT_RUN: run.run_id or "",
            self.OUT_CRS: authid or working.crs.name,
        }
        for case in self.CASES:
            out["N_" + case.upper()] = int(run.counts.get(case, 0))
        out[self.PATCHES] = write_output(
            self,
            parameters,
            self.PATCHES,
            context,
            steps,
            table_fields(patches),
            compat.WKB_MULTIPOLYGON,
            crs,
            patches,
        )
        if feedback.isCanceled():
            return {}
        stats = rows_table(res.statistics, STAT_FIELDS, "statistics")
        out[self.STATISTICS] = write_rows(self, parameters, self.STATISTICS, context, steps, stats)
        problems = rows_table(problem_rows(res, run.notes), PROBLEM_FIELDS, "problems")
        out[self.PROBLEMS] = write_rows(self, parameters, self.PROBLEMS, context, steps, problems)
        return out

    # ------------------------------------------------------------------------------------------

    def _source_text(self, parameters, name, context) -> str:
        layer = self.parameterAsVectorLayer(parameters, name, context)
        return layer.source() if layer is not None else str(parameters.get(name))

    def _require_harmonised(self, source, what, parameters=None, context=None) -> None:
        """Refuse a plan without the Contract 1 fields before reading it (saying what to run first)."""
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters or {}, what))
        names = {f.name().lower() for f in source.fields()}
        missing = [f for f in HARMONISED_FIELDS if f not in names]
        if missing:
            label = source.name() if hasattr(source, "name") else str(what)
            if hasattr(source, "sourceName"):
                label = source.sourceName()
            raise QgsProcessingException(
                tr(
                    "{layer} is not harmonised (no {fields}): run multiplan:harmonisecodes "
                    "(Harmonise land-use codes) on it first."
                ).format(layer=label or what, fields=", ".join(missing))
            )

    def _plan_role(self, layer, table, taken: set[str]) -> str:
        from ..algorithms.detection_run import role_from_name

        if table.has_column("role"):
            vals = [v for v in np.asarray(table.column("role"), dtype=object).tolist() if v not in (None, "")]
            if vals:
                return role_from_name(str(vals[0]), taken)
        return role_from_name(layer.name(), taken)

    def _projects(self, parameters, context, feedback, inputs: list[dict]):
        """The key-project layers as one plan (role ``projects``): polygons, and points drawn as discs."""
        import shapely

        from ..algorithms.detect import PlanInput
        from ..algorithms.detection_run import input_record
        from ..algorithms.table import FeatureTable

        layers = self.parameterAsLayerList(parameters, self.PROJECTS, context) or []
        if not layers:
            return None
        want_name = self.parameterAsString(parameters, self.PROJECT_NAME_FIELD, context) or None
        want_area = self.parameterAsString(parameters, self.PROJECT_AREA_FIELD, context) or None
        geoms, fids, names, areas = [], [], [], []
        crs_wkt = None
        offset = 0
        from ..algorithms.detection_run import to_working

        for layer in layers:
            t = layer_to_table(layer, feedback)
            if crs_wkt is None:
                crs_wkt = t.crs_wkt
            elif t.crs_wkt:
                t = to_working(t, crs_wkt, layer.name())
            inputs.append(input_record("projects", layer.source(), t, "projects"))
            nf = _pick(t, want_name, PROJECT_NAME_FIELDS)
            af = _pick(t, want_area, PROJECT_AREA_FIELDS)
            if want_name and nf is None:
                raise QgsProcessingException(
                    tr("Key projects layer {layer}: field {field} not found").format(
                        layer=layer.name(), field=want_name
                    )
                )
            n = len(t)
            geoms.append(np.asarray(t.geoms, dtype=object))
            fids.append(np.asarray(t.fids, dtype=np.int64) + offset)
            offset += int(np.max(t.fids)) + 1 if n else 0
            names.append(
                np.array([None if v is None else str(v) for v in t.column(nf).tolist()], dtype=object)
                if nf
                else np.array([f"{layer.name()}#{int(f)}" for f in t.fids], dtype=object)
            )
            areas.append(np.asarray(t.column(af), dtype=object) if af else np.full(n, None, dtype=object))
        g = np.concatenate(geoms) if geoms else np.zeros(0, dtype=object)
        table = FeatureTable(
            shapely.force_2d(g),
            np.concatenate(fids),
            {"project": np.concatenate(names), "area": np.concatenate(areas)},
            {"project": "text", "area": "real"},
            crs_wkt,
            "key_projects",
        )
        return PlanInput(
            "projects", table, "projects", code_column="project", area_column="area", layer="key_projects"
        )


def _pick(table, wanted: str | None, candidates) -> str | None:
    for name in [wanted] if wanted else list(candidates):
        if name and table.has_column(name):
            return next(c for c in table.columns if c.lower() == name.lower())
    return None


# ---------------------------------------------------------------------------------------------- tables

STAT_FIELDS = (
    ("kind", "text"),
    ("name_zh", "text"),
    ("name_en", "text"),
    ("severity", "int"),
    ("unit", "text"),
    ("count", "int"),
    ("area_planar", "real"),
    ("area_ellipsoidal", "real"),
    ("share", "real"),
    ("sliver_count", "int"),
    ("sliver_area", "real"),
    ("count_without_slivers", "int"),
    ("area_without_slivers", "real"),
)
PROBLEM_FIELDS = (
    ("input", "text"),
    ("problem", "text"),
    ("count", "int"),
    ("area", "real"),
    ("fids", "text"),
    ("note", "text"),
)
