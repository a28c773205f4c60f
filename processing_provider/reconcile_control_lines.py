"""multiplan:reconcilecontrollines — 三线协调: overlaps between the three control lines, a proposal for each.

The glue reads the three line layers (each optional), the harmonised eco plan and further plans, the
streets and the district, chooses the working CRS as detection does (an existing blueprint's CRS
wins), hands arrays to :func:`..algorithms.lines.reconcile`, writes the run into the blueprint when
one is given (``LINE_*`` patches the review dock steps through, ``line_adjustments``,
``control_lines`` stages ``input`` and ``proposed``) and writes four outputs.
"""

from __future__ import annotations

import os

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsField,
    QgsFields,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
)

from .. import compat
from ..algorithms.i18n import tr, tr_noop
from .base import MultiplanAlgorithm
from .params import (
    DEFAULT_PROJECT_NAME,
    add_number_outputs,
    blueprint_parameter,
    crs_authid,
    crs_choices,
    flag_advanced,
    open_blueprint,
    plain_parameters,
    progress_to,
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
    QTYPES,
    layer_to_table,
    multi_polygons,
    source_to_table,
    write_output,
    write_rows,
)

#: (parameter, line type, title) of the three line inputs.
LINES = (
    ("REDLINE", "eco_redline", "Ecological protection red line (生态保护红线)"),
    ("FARMLAND", "farmland", "Permanent basic farmland (永久基本农田)"),
    ("BOUNDARY", "dev_boundary", "Urban development boundary (城镇开发边界)"),
)
#: (parameter, rule kind, core-zone proposal?, label) of the default proposals.
PROPOSAL_PARAMS = (
    ("RED_FARM", "LINE_RED_FARM", False, tr_noop("Red line / farmland overlap outside the core zones")),
    (
        "RED_FARM_CORE",
        "LINE_RED_FARM",
        True,
        tr_noop("Red line / farmland overlap inside the eco plan's core zones"),
    ),
    ("RED_DEV", "LINE_RED_DEV", False, tr_noop("Red line / development boundary overlap")),
    ("FARM_DEV", "LINE_FARM_DEV", False, tr_noop("Farmland / development boundary overlap")),
)
PROPOSAL_LABELS = (
    tr_noop("保留 retain — both lines keep the ground"),
    tr_noop("退出 withdraw — the second line gives the ground up"),
    tr_noop("扣除 deduct — the first (protected) line is cut back"),
)


def _default_rules():
    from ..algorithms.lines import load_line_rules

    try:
        return {r.kind: r for r in load_line_rules()}
    except Exception:  # noqa: BLE001 - a broken table is reported when the algorithm runs
        return {}


class ReconcileControlLinesAlgorithm(MultiplanAlgorithm):
    NAME = "reconcilecontrollines"

    ECO_PLAN = "ECO_PLAN"
    PLANS = "PLANS"
    STREETS = "STREETS"
    STREET_FIELD = "STREET_FIELD"
    DISTRICT = "DISTRICT"
    CORE_ZONES = "CORE_ZONES"
    LINE_RULES = "LINE_RULES"
    WORKING_CRS = "WORKING_CRS"
    BLUEPRINT = "BLUEPRINT"
    PROJECT_NAME = "PROJECT_NAME"
    OVERLAPS = "OVERLAPS"
    ADJUSTMENTS = "ADJUSTMENTS"
    PROPOSED_LINES = "PROPOSED_LINES"
    STATISTICS = "STATISTICS"
    OUT_COUNT = "N_OVERLAPS"
    OUT_AREA = "OVERLAP_AREA"
    OUT_BUHUA = "BUHUA_AREA"
    OUT_BUHUA_NET = "BUHUA_NET_AREA"
    OUT_RUN = "RUN_ID"
    OUT_CRS = "WORKING_CRS_USED"

    def displayName(self) -> str:  # noqa: N802
        return tr("Reconcile control lines (三线协调)")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Finds where the ecological protection red line (生态保护红线), the permanent basic farmland "
            "(永久基本农田) and the urban development boundary (城镇开发边界) overlap, and proposes an "
            "adjustment for every overlap — the 2019 guidance says the three lines must not cross, "
            "overlap or conflict.\n\n"
            "Each line layer is optional and may hold many features, multipart polygons with holes, or one "
            "dissolved polygon of 100k+ vertices. Invalid rings are repaired and counted, overlaps between "
            "features of one line are reported and counted once, layers in another CRS are reprojected.\n\n"
            "Defaults (DOMAIN.md §5, editable per pair): the development boundary gives up its overlaps "
            "with both other lines (退出); a red-line/farmland overlap is retained (保留: the farmland stays "
            "inside the red line), except inside the eco plan's 一级管控区, where the farmland is withdrawn "
            "(退出) and its area added to the 补划 deficit. 扣除 cuts the protected line back.\n\n"
            "Overlaps are maximal connected patches per pair, core-zone condition and street, with planar "
            "and CGCS2000 ellipsoidal area. With a blueprint, every overlap is queued as a LINE_* patch for "
            "the review dock (ids stable across runs), with its line adjustment, and the lines are stored as "
            "stage 'input' and 'proposed'; multiplan:applydecisions (or lines.apply_line_decisions) turns "
            "the decisions into the final lines. Construction-versus-line conflicts are detection's: those "
            "already in the blueprint are summarised in the statistics.\n\n"
            "Plans (harmonised) give coverage statistics: plan inside / outside each line, line without plan."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        rules = _default_rules()
        for param, _line, title in LINES:
            self.addParameter(
                QgsProcessingParameterFeatureSource(
                    param, tr(title), [compat.SOURCE_ANY_GEOMETRY], optional=True
                )
            )
            self.addParameter(
                QgsProcessingParameterField(
                    param + "_NAME",
                    tr("{title}: name field").format(title=tr(title)),
                    parentLayerParameterName=param,
                    type=compat.FIELD_ANY,
                    optional=True,
                )
            )
        kcxs = QgsProcessingParameterField(
            "FARMLAND_KCXS",
            tr("Farmland deduction coefficient field (扣除系数; default KCXS when present)"),
            parentLayerParameterName="FARMLAND",
            type=compat.FIELD_ANY,
            optional=True,
        )
        self.addParameter(kcxs)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.ECO_PLAN,
                tr("Eco-environment protection plan, harmonised (its 一级管控区 are the core zones)"),
                [compat.SOURCE_POLYGON],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.PLANS,
                tr("Further harmonised plans (coverage statistics)"),
                layerType=compat.SOURCE_POLYGON,
                optional=True,
            )
        )
        for p in street_parameters(self.STREETS, self.STREET_FIELD):
            self.addParameter(p)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.DISTRICT,
                tr("Compare only inside (district boundary)"),
                [compat.SOURCE_POLYGON],
                optional=True,
            )
        )
        labels = [tr(x) for x in PROPOSAL_LABELS]
        order = ["retain", "withdraw", "deduct"]
        for param, kind, core, label in PROPOSAL_PARAMS:
            rule = rules.get(kind)
            default = (rule.core_proposal if core else rule.proposal) if rule else "withdraw"
            self.addParameter(
                QgsProcessingParameterEnum(
                    param,
                    tr("Proposal: {what}").format(what=tr(label)),
                    options=labels,
                    defaultValue=order.index(default or "withdraw"),
                )
            )
        core = rules.get("LINE_RED_FARM")
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterString(
                    self.CORE_ZONES,
                    tr("Core zones in the eco plan (class set, e.g. zone:一级管控区)"),
                    defaultValue=core.core_zones.expr if core and core.core_zones else "",
                    optional=True,
                )
            )
        )
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterFile(
                    self.LINE_RULES,
                    tr("Line rule table (CSV; replaces data/rules/line_rules.csv)"),
                    behavior=compat.FILE_BEHAVIOR_FILE,
                    extension="csv",
                    optional=True,
                )
            )
        )
        self.addParameter(
            working_crs_parameter(
                self.WORKING_CRS, tr("Working CRS (empty: the blueprint's, else chosen as detection does)")
            )
        )
        self.addParameter(blueprint_parameter(self.BLUEPRINT, write=True))
        self.addParameter(project_name_parameter(self.PROJECT_NAME))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OVERLAPS, tr("Control-line overlaps")))
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.ADJUSTMENTS, tr("Proposed line adjustments"))
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.PROPOSED_LINES, tr("Proposed control lines"))
        )
        self.addParameter(table_sink(self.STATISTICS, tr("Control-line statistics")))
        add_number_outputs(
            self,
            (
                (self.OUT_COUNT, "Overlaps"),
                (self.OUT_AREA, tr_noop("Overlap area (m²)")),
                (self.OUT_BUHUA, tr_noop("补划 deficit (m²)")),
                (self.OUT_BUHUA_NET, tr_noop("补划 deficit, net of KCXS (m²)")),
            ),
        )
        self.addOutput(run_id_output(self.OUT_RUN))
        self.addOutput(working_crs_output(self.OUT_CRS))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        if not any(parameters.get(p) for p, _l, _t in LINES):
            return False, tr("Give at least one control line layer.")
        return super().checkParameterValues(parameters, context)

    # ------------------------------------------------------------------------------------------

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self.require_dependencies()
        from ..algorithms import lines as cl
        from ..algorithms.crs import CrsError
        from ..algorithms.detect import NotHarmonisedError, PlanInput
        from ..algorithms.detection_run import choose_crs, input_record, role_from_name
        from ..algorithms.overlay import Cancelled
        from ..algorithms.store import BlueprintError, BlueprintStore, RunCancelledError

        steps = QgsProcessingMultiStepFeedback(3, feedback)
        steps.setCurrentStep(0)
        steps.setProgressText(tr("Reading the inputs…"))
        inputs: list[dict] = []
        layers: list[cl.LineLayer] = []
        for param, line, _title in LINES:
            if not parameters.get(param):
                continue
            t = self._table(parameters, param, context, steps, inputs, line, "line")
            layers.append(
                cl.LineLayer(
                    line,
                    t,
                    name_column=self.parameterAsString(parameters, param + "_NAME", context) or None,
                    kcxs_column=(self.parameterAsString(parameters, "FARMLAND_KCXS", context) or None)
                    if line == "farmland"
                    else None,
                    layer=t.name,
                )
            )
        plans = []
        if parameters.get(self.ECO_PLAN):
            t = self._table(parameters, self.ECO_PLAN, context, steps, inputs, "eco", "landuse")
            plans.append(PlanInput("eco", t, kind="eco", layer=t.name))
        for layer in self.parameterAsLayerList(parameters, self.PLANS, context) or []:
            t = layer_to_table(layer, steps)
            role = role_from_name(layer.name(), {p.role for p in plans})
            inputs.append(input_record(role, layer.source(), t, kind="landuse"))
            plans.append(PlanInput(role, t, kind="landuse", layer=layer.name()))
        streets = (
            self._table(parameters, self.STREETS, context, steps, inputs, "streets", "units")
            if parameters.get(self.STREETS)
            else None
        )
        district = (
            self._table(parameters, self.DISTRICT, context, steps, inputs, "district", "district")
            if parameters.get(self.DISTRICT)
            else None
        )
        if feedback.isCanceled():
            return {}
        warn_same_layer(feedback, [r for r in inputs if r.get("kind") == "line"])

        # the blueprint and the working CRS
        path = self.parameterAsFile(parameters, self.BLUEPRINT, context) or ""
        store = None
        blueprint_crs = None
        if path and os.path.exists(path):
            store = open_blueprint(path)
            blueprint_crs = store.crs_wkt
        override, project_crs = crs_choices(self, parameters, self.WORKING_CRS, context)
        try:
            working = choose_crs(
                [x.table for x in layers]
                + [p.table for p in plans]
                + [t for t in (streets, district) if t is not None],
                override=override,
                blueprint_crs=blueprint_crs,
                project_crs=project_crs,
            )
        except CrsError as exc:
            raise QgsProcessingException(str(exc)) from exc
        authid = crs_authid(working)
        feedback.pushInfo(working.reason)
        for note in working.notes:
            feedback.pushWarning(note)

        rules_path = self.parameterAsFile(parameters, self.LINE_RULES, context) or None
        try:
            rules = cl.load_line_rules(rules_path) if rules_path else cl.load_line_rules()
        except cl.LineRuleError as exc:
            raise QgsProcessingException(str(exc)) from exc
        by_kind = {r.kind: r for r in rules}
        order = ["retain", "withdraw", "deduct"]
        proposals, core_proposals = {}, {}
        for param, kind, core, _label in PROPOSAL_PARAMS:
            if kind not in by_kind:
                continue
            value = order[self.parameterAsEnum(parameters, param, context)]
            (core_proposals if core else proposals)[kind] = value
        params = cl.ReconcileParams(
            proposals=proposals,
            core_proposals=core_proposals,
            core_zones=self.parameterAsString(parameters, self.CORE_ZONES, context) or None,
            unit_column=self.parameterAsString(parameters, self.STREET_FIELD, context) or None,
            crs=working.wkt,
        )

        steps.setCurrentStep(1)
        try:
            result = cl.reconcile(
                layers,
                plans=plans,
                streets=streets,
                district=district,
                rules=rules,
                params=params,
                progress=progress_to(steps),
                is_cancelled=feedback.isCanceled,
            )
        except Cancelled:
            return {}
        except (cl.LineError, NotHarmonisedError, CrsError, ValueError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        for problem in result.problems:
            feedback.pushWarning(problem)
        for rule, why in result.rules_skipped:
            feedback.pushInfo(tr("{kind} skipped: {why}").format(kind=rule.kind, why=why))
        totals = result.proposed.totals
        feedback.pushInfo(
            tr("{n} overlaps, {area:.1f} m²; proposed 补划 deficit {buhua:.1f} m² (net {net:.1f} m²)").format(
                n=len(result.overlaps),
                area=float(result.overlaps.area_planar.sum()),
                buhua=totals["buhua"],
                net=totals["buhua_net"],
            )
        )
        push_timings(feedback, result.timings.items())

        # the blueprint
        steps.setCurrentStep(2)
        run_id = ""
        patch_ids = None
        stats_rows = list(result.statistics)
        if path:
            try:
                if store is None:
                    store = BlueprintStore.create(
                        path,
                        project_name=self.parameterAsString(parameters, self.PROJECT_NAME, context)
                        or DEFAULT_PROJECT_NAME,
                        crs_wkt=working.wkt,
                        crs_authid=authid,
                    )
                    feedback.pushInfo(tr("Created the blueprint {path}").format(path=path))
                detection = cl.summarise_detection(store)
                stats_rows += detection
                if detection:
                    feedback.pushInfo(
                        tr("{n} detection kinds against the lines are in the blueprint: summarised").format(
                            n=len({r["item"] for r in detection})
                        )
                    )
                steps.setProgressText(tr("Writing into the blueprint…"))
                eco_layer = next((p.layer for p in plans if p.kind == "eco"), None)
                written = cl.write_reconciliation(
                    store,
                    result,
                    inputs=inputs,
                    parameters=plain_parameters(parameters),
                    cancel=feedback.isCanceled,
                    eco_layer=eco_layer,
                    extra_stats=detection,
                )
            except RunCancelledError:
                return {}
            except BlueprintError as exc:
                raise QgsProcessingException(exc.message) from exc
            finally:
                if store is not None:
                    store.close()
            run_id = written["run_id"]
            patch_ids = written["patch_ids"]
            counts = ", ".join(f"{k}: {v}" for k, v in written["counts"].items() if v)
            feedback.pushInfo(
                tr(
                    "Blueprint run {run}: LINE_* patches {counts}; {closed} closed, {flagged} to re-confirm"
                ).format(
                    run=run_id, counts=counts or "0", closed=written["closed"], flagged=written["flagged"]
                )
            )
        elif store is not None:
            store.close()

        steps.setProgressText(tr("Writing the outputs…"))
        crs = QgsCoordinateReferenceSystem.fromWkt(working.wkt)
        o = result.overlaps
        ids = (
            patch_ids
            if patch_ids is not None
            else np.array([f"#{i + 1}" for i in range(len(o))], dtype=object)
        )
        overlaps = cl.overlaps_table(result, patch_ids=ids)
        adjustments = cl.adjustments_table(
            o, result.proposed, unit_names=result.unit_names, patch_ids=ids, crs_wkt=result.crs_wkt
        )
        proposed = cl.control_lines_table(
            result.lines, result.proposed, unit_names=result.unit_names, crs_wkt=result.crs_wkt
        )
        stats = cl.statistics_table(stats_rows)
        out = {
            self.OUT_COUNT: len(o),
            self.OUT_AREA: float(o.area_planar.sum()),
            self.OUT_BUHUA: float(totals["buhua"]),
            self.OUT_BUHUA_NET: float(totals["buhua_net"]),
            self.OUT_RUN: run_id,
            self.OUT_CRS: authid or working.crs.name,
        }
        for key, t in (
            (self.OVERLAPS, overlaps),
            (self.ADJUSTMENTS, adjustments),
            (self.PROPOSED_LINES, proposed),
        ):
            out[key] = write_output(
                self,
                parameters,
                key,
                context,
                feedback,
                _fields(t),
                compat.WKB_MULTIPOLYGON,
                crs,
                t,
                geoms=multi_polygons(t.geoms),
            )
            if feedback.isCanceled():
                return {}
        out[self.STATISTICS] = write_rows(
            self, parameters, self.STATISTICS, context, feedback, stats, fields=_fields(stats)
        )
        return out

    # ------------------------------------------------------------------------------------------

    def _table(self, parameters, name, context, feedback, inputs: list, role: str, kind: str):
        from ..algorithms.detection_run import input_record

        t = source_to_table(self, parameters, name, context, feedback)
        layer = self.parameterAsVectorLayer(parameters, name, context)
        inputs.append(
            input_record(role, layer.source() if layer is not None else str(parameters.get(name)), t, kind)
        )
        return t


def _fields(table) -> QgsFields:
    fields = QgsFields()
    for name in table.columns:
        fields.append(
            QgsField(name, compat.field_type(QTYPES.get(table.field_types.get(name, "text"), "String")))
        )
    return fields
