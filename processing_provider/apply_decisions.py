"""multiplan:applydecisions — 成果审定: the blueprint layer (一张蓝图) from the plans and the decisions.

The glue opens the blueprint, reads the optional streets, hands everything to
:func:`..algorithms.apply.apply_decisions` (which builds the ``blueprint`` layer over the whole
district and the final control lines, and writes both in ONE run) and writes two outputs: the
blueprint layer and a summary per rule and status.
"""

from __future__ import annotations

import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
)

from .. import compat
from ..algorithms.i18n import tr, tr_noop
from .base import MultiplanAlgorithm
from .params import (
    add_number_outputs,
    blueprint_parameter,
    flag_advanced,
    plain_parameters,
    progress_to,
    push_timings,
    run_id_output,
    street_parameters,
    table_sink,
)
from .sources import (
    engine_checks_geometry,
    output_folders,
    rows_table,
    source_to_table,
    table_fields,
    write_output,
    write_rows,
)

UNDECIDED_CHOICES = (
    ("pending", tr_noop("Mark undecided ground 'pending' (no class) and continue")),
    ("stop", tr_noop("Stop and list the undecided patches")),
)
LINE_CHOICES = (
    ("proposal", tr_noop("Undecided control-line overlaps follow the proposal")),
    ("pending", tr_noop("Undecided control-line overlaps stay pending (both lines keep the ground)")),
    ("stop", tr_noop("Stop when a control-line overlap is undecided")),
    ("skip", tr_noop("Do not build the final control lines")),
)
SUMMARY_FIELDS = (
    ("rule", "text"),
    ("status", "text"),
    ("count", "int"),
    ("area_planar", "real"),
    ("area_ellipsoidal", "real"),
    ("share", "real"),
)


class ApplyDecisionsAlgorithm(MultiplanAlgorithm):
    NAME = "applydecisions"
    GROUP = "review"

    BLUEPRINT = "BLUEPRINT"
    CONSTRUCTION_PRECEDENCE = "CONSTRUCTION_PRECEDENCE"
    NONCONSTRUCTION_PRECEDENCE = "NONCONSTRUCTION_PRECEDENCE"
    UNDECIDED = "UNDECIDED"
    LINES = "LINES"
    STREETS = "STREETS"
    STREET_FIELD = "STREET_FIELD"
    ROLES = "ROLES"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"
    OUT_FEATURES = "N_FEATURES"
    OUT_UNDECIDED = "N_UNDECIDED"
    OUT_PENDING = "PENDING_AREA"
    OUT_AREA = "BLUEPRINT_AREA"
    OUT_BUHUA = "BUHUA_AREA"
    OUT_RUN = "RUN_ID"

    def displayName(self) -> str:  # noqa: N802
        return tr("Apply decisions: build the blueprint (一张蓝图)")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Builds the blueprint layer — the integrated land use after the decisions — over the WHOLE "
            "district, from the harmonised plan copies a detection run stored in the blueprint and the "
            "decision log, and writes it into the blueprint (layer 'blueprint') in one run.\n\n"
            "Only plans that carry land use feed it (urban-rural plan, land-use plan, further land-use "
            "plans). Where their unified classes agree, that class (the finer one when one refines the "
            "other). Where they differ and no patch covers the ground, a role precedence decides: by "
            "default the urban-rural plan for construction land and the land-use plan for non-construction "
            "land (and, where the plans' own construction flags differ without a patch, the "
            "non-construction precedence). Where only one plan covers the ground, that plan.\n\n"
            "In a decided patch, what the decision says: adopt a plan, set a unified class, an approved "
            "exception draws the named plan's class, a technical error takes the neighbouring agreed "
            "class. Where patches of several kinds overlap, the higher kind decides (control-line kinds > "
            "red line > eco zones > permanent farmland > boundary > 两规 > zones > projects > class "
            "level); the other decisions are listed in the provenance. Undecided ground (no decision, "
            "deferred, or flagged 'changed, re-confirm') is marked 'pending' with the candidate classes, "
            "or the run stops and names the patches.\n\n"
            "Every feature carries its class (mp_code, mp_name), the construction flag of the plan that "
            "supplied it (mp_construction) and the planning flag of the unified class (plan_construction), "
            "the source role, the rule, the decision and patch, and the provenance (JSON). Streets "
            "(optional) split the features by street.\n\n"
            "When the blueprint holds control lines (multiplan:reconcilecontrollines), the final lines and "
            "the 补划 deficit are built from the line decisions in the same run."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(blueprint_parameter(self.BLUEPRINT))
        self.addParameter(
            QgsProcessingParameterString(
                self.CONSTRUCTION_PRECEDENCE,
                tr("Role precedence for construction land (comma-separated)"),
                defaultValue="urban,land",
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.NONCONSTRUCTION_PRECEDENCE,
                tr("Role precedence for non-construction land (comma-separated)"),
                defaultValue="land,urban",
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.UNDECIDED,
                tr("Undecided patches"),
                options=[tr(label) for _, label in UNDECIDED_CHOICES],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LINES,
                tr("Final control lines"),
                options=[tr(label) for _, label in LINE_CHOICES],
                defaultValue=0,
            )
        )
        for p in street_parameters(self.STREETS, self.STREET_FIELD):
            self.addParameter(p)
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterString(
                    self.ROLES,
                    tr("Land-use roles to use (comma-separated; empty: every land-use plan copy)"),
                    optional=True,
                )
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Blueprint (一张蓝图)")))
        self.addParameter(table_sink(self.SUMMARY, tr("Blueprint summary per rule")))
        add_number_outputs(
            self,
            (
                (self.OUT_FEATURES, tr_noop("Blueprint features")),
                (self.OUT_UNDECIDED, tr_noop("Undecided patches governing land use")),
                (self.OUT_PENDING, tr_noop("Pending area (m²)")),
                (self.OUT_AREA, tr_noop("Blueprint area (m²)")),
                (self.OUT_BUHUA, tr_noop("补划 deficit of the final control lines (m²)")),
            ),
        )
        self.addOutput(run_id_output(self.OUT_RUN))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        path = self.parameterAsFile(parameters, self.BLUEPRINT, context)
        if not path or not os.path.exists(path):
            return False, tr(
                "The blueprint {path} does not exist: run multiplan:detectdifferences first."
            ).format(path=path or "?")
        return super().checkParameterValues(parameters, context)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self.require_dependencies()
        from ..algorithms.apply import BLUEPRINT_FIELDS, ApplyError, ApplyParams, apply_decisions
        from ..algorithms.overlay import Cancelled
        from ..algorithms.store import BlueprintError, BlueprintStore, RunCancelledError

        output_folders(
            self, parameters, context, (self.OUTPUT, self.SUMMARY)
        )  # before the blueprint is written
        steps = QgsProcessingMultiStepFeedback(2, feedback)
        steps.setCurrentStep(0)
        path = self.parameterAsFile(parameters, self.BLUEPRINT, context)

        def roles_of(name: str) -> list[str]:
            return [
                r.strip()
                for r in (self.parameterAsString(parameters, name, context) or "").split(",")
                if r.strip()
            ]

        params = ApplyParams(
            construction_precedence=roles_of(self.CONSTRUCTION_PRECEDENCE),
            nonconstruction_precedence=roles_of(self.NONCONSTRUCTION_PRECEDENCE),
            undecided=UNDECIDED_CHOICES[self.parameterAsEnum(parameters, self.UNDECIDED, context)][0],
            lines=LINE_CHOICES[self.parameterAsEnum(parameters, self.LINES, context)][0],
            roles=roles_of(self.ROLES) or None,
            unit_column=self.parameterAsString(parameters, self.STREET_FIELD, context) or None,
        )
        streets = None
        if parameters.get(self.STREETS):
            with engine_checks_geometry(context):  # apply repairs the streets itself
                streets = source_to_table(self, parameters, self.STREETS, context, steps)

        try:
            with BlueprintStore.open(path) as store:
                crs_wkt = store.crs_wkt
                res = apply_decisions(
                    store,
                    params,
                    streets,
                    parameters=plain_parameters(parameters),
                    progress=progress_to(steps),
                    is_cancelled=feedback.isCanceled,
                )
        except (Cancelled, RunCancelledError):
            feedback.pushWarning(tr("Cancelled: the blueprint was not changed."))
            return {}
        except ApplyError as exc:
            raise QgsProcessingException(str(exc)) from exc
        except BlueprintError as exc:
            raise QgsProcessingException(exc.message) from exc
        for problem in res.problems:
            feedback.pushWarning(problem)
        if res.undecided_ids:
            feedback.pushWarning(
                tr("{n} undecided patches leave {area:.1f} m² pending, e.g. {ids}").format(
                    n=len(res.undecided_ids), area=res.undecided_area, ids=", ".join(res.undecided_ids[:10])
                )
            )
        feedback.pushInfo(
            tr("Blueprint: {n} features over {area:.1f} m² from {roles}; run {run}").format(
                n=len(res.table), area=res.district_area, roles=", ".join(res.roles), run=res.run_id
            )
        )
        push_timings(feedback, res.timings.items())
        buhua = float(res.line_settlement.buhua) if res.line_settlement is not None else 0.0
        if res.line_settlement is not None:
            feedback.pushInfo(tr("Final control lines written; 补划 deficit {a:.1f} m²").format(a=buhua))

        steps.setCurrentStep(1)
        steps.setProgressText(tr("Writing the outputs…"))
        crs = QgsCoordinateReferenceSystem.fromWkt(crs_wkt) if crs_wkt else QgsCoordinateReferenceSystem()
        table = res.table
        table.columns = {name: table.columns[name] for name, _k in BLUEPRINT_FIELDS}
        out = {
            self.OUT_FEATURES: len(table),
            self.OUT_UNDECIDED: len(res.undecided_ids),
            self.OUT_PENDING: res.pending_area,
            self.OUT_AREA: res.district_area,
            self.OUT_BUHUA: buhua,
            self.OUT_RUN: res.run_id or "",
        }
        out[self.OUTPUT] = write_output(
            self,
            parameters,
            self.OUTPUT,
            context,
            steps,
            table_fields(table),
            compat.WKB_MULTIPOLYGON,
            crs,
            table,
        )
        summary = rows_table(res.summary, SUMMARY_FIELDS, "summary")
        out[self.SUMMARY] = write_rows(self, parameters, self.SUMMARY, context, steps, summary)
        return out
