"""multiplan:report — the reports for 专家评审, 成果审定 and 评估监控: XLSX, HTML and a PDF atlas.

The glue opens the blueprint read-only, reads the optional current land-use (三调) layer, hands both to
:func:`..algorithms.report.build_report`, writes the workbook (GDAL XLSX driver) and the self-contained
HTML page, and exports the atlas with QGIS's print layout (:mod:`.atlas`), reporting seconds per page.
"""

from __future__ import annotations

import os

from qgis.core import (
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .. import compat
from ..algorithms.i18n import tr, tr_noop
from .base import MultiplanAlgorithm
from .params import (
    add_number_outputs,
    blueprint_parameter,
    flag_advanced,
    open_blueprint,
    progress_to,
    street_parameters,
)
from .sources import ensure_folder, source_to_table

#: The construction flags a quota check may count (``algorithms.report.FLAGS``), as enum labels.
FLAG_CHOICES = (
    ("plan_construction", tr_noop("Planning flag of the unified class (用地用海 规划建设用地)")),
    ("mp_construction", tr_noop("Flag of the source plan's own standard")),
    ("sandalei", tr_noop("Legal 三大类 (建设用地)")),
)


def no_threading_flag():
    """``Qgis.ProcessingAlgorithmFlag.NoThreading`` (3.36+, 4.x) / ``FlagNoThreading`` (3.x), via compat."""
    return compat.resolve_enum(
        "Qgis.ProcessingAlgorithmFlag.NoThreading", "QgsProcessingAlgorithm.Flag.FlagNoThreading"
    )


class ReportAlgorithm(MultiplanAlgorithm):
    NAME = "report"
    GROUP = "reports"

    BLUEPRINT = "BLUEPRINT"
    CURRENT = "CURRENT_LANDUSE"
    CURRENT_CODE = "CURRENT_CODE_FIELD"
    STREETS = "STREETS"
    STREET_FIELD = "STREET_FIELD"
    QUOTA = "QUOTA"
    FLAG = "QUOTA_FLAG"
    POPULATION = "POPULATION"
    INCLUDE_CLOSED = "INCLUDE_CLOSED"
    ATLAS_PAGES = "ATLAS_PAGES"
    ATLAS_SLIVERS = "ATLAS_SLIVERS"
    ATLAS_KINDS = "ATLAS_KINDS"
    ATLAS_STATUS = "ATLAS_STATUS"
    ATLAS_MIN_AREA = "ATLAS_MIN_AREA"
    XLSX = "XLSX"
    HTML = "HTML"
    PDF = "PDF"
    OUT_PATCHES = "PATCHES"
    OUT_DECIDED = "DECIDED"
    OUT_CONSTRUCTION = "CONSTRUCTION_AREA"
    OUT_REMAINING = "QUOTA_REMAINING"
    OUT_NEW = "NEW_CONSTRUCTION_AREA"
    OUT_PAGES = "ATLAS_PAGE_COUNT"
    OUT_SPP = "ATLAS_SECONDS_PER_PAGE"
    OUT_FLAG = "FLAG_COUNTED"

    def flags(self):
        # The atlas renders a print layout: keep the whole run on the main thread.
        return super().flags() | no_threading_flag()

    def displayName(self) -> str:  # noqa: N802
        return tr("Report: ledger, statistics, balance tables, atlas (台账·统计·用地平衡表·图集)")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Makes the figures the review meetings and the approval need, from a blueprint GeoPackage:\n"
            "• the difference ledger (台账): every patch with its codes per plan, areas, street and current "
            "decision;\n"
            "• statistics by kind × street (count, area, shares);\n"
            "• a land-use balance table (用地平衡表) for each plan copy, "
            "the current land use and the blueprint, "
            "by unified level-1 class, with group rows (e.g. 城镇建设用地 "
            "from TD/T 211) and, for the blueprint, "
            "a pending row. Each table sums to the area of the union of its layer: where features overlap, "
            "the overlap counts once, for the feature with the lowest id, and the overlap is reported beside "
            "the table. Per-capita figures when a population is given;\n"
            "• a construction-land quota check — which flag it counts is a parameter and is printed with the "
            "result; a quota of zero is allowed;\n"
            "• 新增建设用地: blueprint construction land on ground the "
            "current land-use layer (三调) shows as "
            "non-construction, per street;\n"
            "• review progress by department and kind, and the control-line figures.\n\n"
            "Outputs: an XLSX workbook (GDAL, one sheet per table), a self-contained HTML page with charts "
            "(no internet needed) and a PDF atlas from QGIS's print layout, one page per patch (default: "
            "non-sliver patches, the 200 largest), with the seconds per page. Chinese and English headings."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(blueprint_parameter(self.BLUEPRINT))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.CURRENT,
                tr("Current land use (三调), for 新增建设用地 (harmonised, or give its code field)"),
                [compat.SOURCE_POLYGON],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.CURRENT_CODE,
                tr("Current land use: code field (DLBM) when the layer is not harmonised"),
                parentLayerParameterName=self.CURRENT,
                type=compat.FIELD_ANY,
                optional=True,
            )
        )
        for p in street_parameters(
            self.STREETS,
            self.STREET_FIELD,
            tr("Streets (街道/镇), used only when the blueprint layer has no street"),
        ):
            self.addParameter(flag_advanced(p))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.QUOTA,
                tr("Construction-land quota in ha (公顷; empty: no check)"),
                type=compat.NUMBER_DOUBLE,
                minValue=0.0,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.FLAG,
                tr("Construction flag the quota check counts"),
                options=[tr(label) for _, label in FLAG_CHOICES],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.POPULATION,
                tr("Population (for per-capita figures; empty: none)"),
                type=compat.NUMBER_DOUBLE,
                minValue=0.0,
                optional=True,
            )
        )
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterBoolean(
                    self.INCLUDE_CLOSED,
                    tr("Ledger: include patches closed by a later run"),
                    defaultValue=False,
                )
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.ATLAS_PAGES,
                tr("Atlas: at most this many pages, largest patches first (0: no atlas)"),
                type=compat.NUMBER_INTEGER,
                minValue=0,
                defaultValue=200,
            )
        )
        slivers = QgsProcessingParameterBoolean(
            self.ATLAS_SLIVERS, tr("Atlas: include slivers"), defaultValue=False
        )
        self.addParameter(slivers)
        for name, label in (
            (
                self.ATLAS_KINDS,
                tr_noop("Atlas: only these kinds (comma-separated, e.g. LG_URBAN_CON,RL_URBAN)"),
            ),
            (
                self.ATLAS_STATUS,
                tr_noop("Atlas: only these statuses (comma-separated, e.g. undecided,conflict)"),
            ),
        ):
            self.addParameter(flag_advanced(QgsProcessingParameterString(name, tr(label), optional=True)))
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterNumber(
                    self.ATLAS_MIN_AREA,
                    tr("Atlas: smallest patch area (m²)"),
                    type=compat.NUMBER_DOUBLE,
                    minValue=0.0,
                    optional=True,
                )
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.XLSX, tr("Workbook (XLSX)"), tr("Excel workbook (*.xlsx)")
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.HTML, tr("Report page (HTML)"), tr("HTML page (*.html)")
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.PDF, tr("Atlas (PDF)"), tr("PDF (*.pdf)"), optional=True, createByDefault=True
            )
        )
        add_number_outputs(
            self,
            (
                (self.OUT_PATCHES, "Patches"),
                (self.OUT_DECIDED, tr_noop("Patches decided")),
                (self.OUT_CONSTRUCTION, tr_noop("Construction land of the blueprint (m²)")),
                (self.OUT_REMAINING, tr_noop("Quota remaining (m²; negative: exceeded)")),
                (self.OUT_NEW, tr_noop("New construction land vs the current land use (m²)")),
                (self.OUT_PAGES, tr_noop("Atlas pages")),
                (self.OUT_SPP, tr_noop("Atlas seconds per page")),
            ),
        )
        self.addOutput(QgsProcessingOutputString(self.OUT_FLAG, tr("Construction flag counted")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self.require_dependencies()
        from ..algorithms.overlay import Cancelled
        from ..algorithms.report import ReportError, build_report, kind_titles, select_atlas_patches
        from ..algorithms.report_html import write_html
        from ..algorithms.report_xlsx import write_xlsx

        path = self.parameterAsFile(parameters, self.BLUEPRINT, context)
        xlsx = self.parameterAsFileOutput(parameters, self.XLSX, context)
        html = self.parameterAsFileOutput(parameters, self.HTML, context)
        pdf = self.parameterAsFileOutput(parameters, self.PDF, context)
        for name, out_path, ext in ((self.XLSX, xlsx, ".xlsx"), (self.HTML, html, ""), (self.PDF, pdf, "")):
            self._check_output(name, out_path, ext)  # before the work, not after it
        steps = QgsProcessingMultiStepFeedback(4, feedback)
        current = None
        if parameters.get(self.CURRENT):
            steps.setProgressText(tr("Reading the current land use…"))
            current = source_to_table(self, parameters, self.CURRENT, context, steps)
        streets = None
        if parameters.get(self.STREETS):
            streets = source_to_table(self, parameters, self.STREETS, context, steps)
        quota_ha = self._optional_number(parameters, self.QUOTA, context)
        population = self._optional_number(parameters, self.POPULATION, context)
        if population is not None and population <= 0:
            feedback.pushWarning(tr("A population of 0 gives no per-capita figures."))
            population = None
        flag = FLAG_CHOICES[self.parameterAsEnum(parameters, self.FLAG, context)][0]
        store = open_blueprint(path, readonly=True)
        try:
            steps.setCurrentStep(1)
            try:
                report = build_report(
                    store,
                    current_landuse=current,
                    current_code_field=self.parameterAsString(parameters, self.CURRENT_CODE, context) or None,
                    population=population,
                    quota_m2=None if quota_ha is None else quota_ha * 10000.0,
                    flag=flag,
                    include_closed=self.parameterAsBoolean(parameters, self.INCLUDE_CLOSED, context),
                    streets=streets,
                    street_field=self.parameterAsString(parameters, self.STREET_FIELD, context) or None,
                    progress=progress_to(steps),
                    is_cancelled=feedback.isCanceled,
                )
            except Cancelled:
                return {}
            except (ReportError, ValueError) as exc:
                raise QgsProcessingException(str(exc)) from exc
            patches = store.patches(with_geometry=False) if "patches" in store.layers() else None
            info = store.info()
        finally:
            store.close()
        for m in report.messages:
            feedback.pushInfo(m)
        feedback.pushInfo(tr("Construction flag counted: {flag}").format(flag=report.parameters["flag_text"]))

        steps.setCurrentStep(2)
        steps.setProgressText(tr("Writing the workbook and the page…"))
        out: dict = {}
        if xlsx:
            sheets = self._write(self.XLSX, xlsx, write_xlsx, report)
            out[self.XLSX] = xlsx
            feedback.pushInfo(tr("Workbook {path}: {n} sheets").format(path=xlsx, n=len(sheets)))
        if html:
            self._write(self.HTML, html, write_html, report)
            out[self.HTML] = html
            feedback.pushInfo(tr("Report page {path}").format(path=html))
        if feedback.isCanceled():
            return {}

        steps.setCurrentStep(3)
        max_pages = self.parameterAsInt(parameters, self.ATLAS_PAGES, context)
        pages, spp = 0, 0.0
        if pdf and max_pages > 0 and patches is not None and len(patches):
            from .atlas import export_atlas

            ids = select_atlas_patches(
                patches,
                max_pages=max_pages,
                include_slivers=self.parameterAsBoolean(parameters, self.ATLAS_SLIVERS, context),
                kinds=_list(self.parameterAsString(parameters, self.ATLAS_KINDS, context)),
                statuses=_list(self.parameterAsString(parameters, self.ATLAS_STATUS, context)),
                min_area=self._optional_number(parameters, self.ATLAS_MIN_AREA, context),
            )
            if not len(ids):
                feedback.pushWarning(tr("No patch passes the atlas filter: no atlas written."))
            else:
                steps.setProgressText(tr("Exporting the atlas ({n} pages)…").format(n=len(ids)))
                try:
                    res = export_atlas(
                        path,
                        ids.tolist(),
                        pdf,
                        project_name=info.project_name,
                        kind_titles=kind_titles(),
                        feedback=feedback,
                    )
                except RuntimeError as exc:
                    raise QgsProcessingException(str(exc)) from exc
                pages, spp = res.pages, res.seconds_per_page
                out[self.PDF] = pdf
                feedback.pushInfo(
                    tr("Atlas {path}: {n} pages in {s:.1f} s ({spp:.3f} s per page), font {font}").format(
                        path=pdf, n=pages, s=res.seconds, spp=spp, font=res.font or "-"
                    )
                )
        elif pdf and max_pages > 0:
            feedback.pushInfo(tr("The blueprint has no patches: no atlas written."))
        elif pdf:
            feedback.pushWarning(tr("The atlas page cap is 0: no atlas written."))
        if pdf and self.PDF not in out and os.path.exists(pdf):
            feedback.pushWarning(
                tr("{path} is left from an earlier run: it is not this run's atlas.").format(path=pdf)
            )
        s = report.summary
        out.update(
            {
                self.OUT_PATCHES: s["patches"],
                self.OUT_DECIDED: s["decided"],
                self.OUT_CONSTRUCTION: s["construction"],
                self.OUT_REMAINING: s["remaining"],
                self.OUT_NEW: s["new_construction"],
                self.OUT_PAGES: pages,
                self.OUT_SPP: spp,
                self.OUT_FLAG: flag,
            }
        )
        return out

    def _check_output(self, name: str, path: str | None, extension: str) -> None:
        """Make a new output folder; refuse an output without the extension its writer needs."""
        if not path:
            return
        what = self.parameterDefinition(name).description()
        ensure_folder(what, path)
        if extension and not path.lower().endswith(extension):
            raise QgsProcessingException(
                tr("{what}: {path} must end in {ext}.").format(what=what, path=path, ext=extension)
            )

    def _write(self, name: str, path: str, writer, report):
        """``writer(report, path)``; a file that cannot be written is a Processing error, never a claim."""
        try:
            return writer(report, path)
        except (OSError, RuntimeError) as exc:  # write_xlsx checks the workbook GDAL writes on close
            what = self.parameterDefinition(name).description()
            raise QgsProcessingException(
                tr("{what}: {path} could not be written. {error}").format(what=what, path=path, error=exc)
            ) from exc

    def _optional_number(self, parameters, name, context) -> float | None:
        """An optional number parameter: None when not given (0 is a value, e.g. a quota of zero)."""
        value = parameters.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.parameterAsDouble(parameters, name, context)


def _list(text: str | None) -> list[str] | None:
    items = [x.strip() for x in (text or "").replace("，", ",").split(",") if x.strip()]
    return items or None
