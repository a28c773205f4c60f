"""multiplan:harmonisecodes — a plan's land-use codes into the unified 用地用海 2023 classification."""

from __future__ import annotations

import sqlite3

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from .. import compat
from ..algorithms.i18n import tr, tr_noop
from .base import MultiplanAlgorithm
from .params import flag_advanced
from .sources import multi_polygons, output_error, source_to_table, write_output

STANDARD_CHOICES = [
    ("auto", tr_noop("Auto-detect (weighs every value against every table)")),
    ("GB50137-2011", tr_noop("GB 50137-2011 城乡用地 (urban-rural plan)")),
    ("TDT1024-2010", tr_noop("TD/T 1024-2010 土地规划用途 (land-use master plan)")),
    ("GBT21010-2017", tr_noop("GB/T 21010-2017 / 三调 (current land use)")),
    ("YDYH-2023", tr_noop("用地用海分类 2023")),
    ("YDYH-2020", tr_noop("用地用海分类 2020 trial edition")),
    ("ZTGN", tr_noop("主体功能区 zones (development plan)")),
    ("STHX", tr_noop("生态红线 control levels (eco plan)")),
    ("USER", tr_noop("User crosswalk only")),
]


class HarmoniseCodesAlgorithm(MultiplanAlgorithm):
    NAME = "harmonisecodes"

    INPUT = "INPUT"
    CODE_FIELD = "CODE_FIELD"
    NAME_FIELD = "NAME_FIELD"
    STANDARD = "STANDARD"
    CROSSWALK = "CROSSWALK"
    ON_UNKNOWN = "ON_UNKNOWN"
    ENCODING = "ENCODING"
    STRIP_PREFIXES = "STRIP_PREFIXES"
    OUTPUT = "OUTPUT"
    UNMAPPED = "UNMAPPED"
    OUT_STANDARD = "STANDARD_USED"
    OUT_CONFIDENCE = "CONFIDENCE"
    OUT_UNMAPPED_COUNT = "UNMAPPED_FEATURES"

    def displayName(self) -> str:  # noqa: N802
        return tr("Harmonise land-use codes (用地分类标准梳理)")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Turns a plan's land-use codes (GB 50137-2011, TD/T 1024-2010, GB/T 21010 / 三调, 用地用海 "
            "2020/2023, 主体功能区 zones, eco control levels, or a local system through a crosswalk CSV) "
            "into the unified 用地用海 2023 classification.\n\n"
            "The output keeps every input field and appends mp_src_standard, mp_src_code, mp_code, mp_name, "
            "mp_level, mp_construction (the construction flag by the source standard's own rule), "
            "mp_sandalei (legal 三大类) and mp_status (exact / coarse / unmapped).\n\n"
            "Codes are text: leading zeros are kept, integer fields become text without '.0', whitespace, "
            "full-width characters and case are normalised; a name field is used where the code is "
            "missing.\n\n"
            "Auto-detect weighs all values (and names) against every table, reports the standard it chose "
            "and how sure it is, and refuses to guess when standards collide (三调 and 用地用海 share many "
            "codes) — then choose the standard yourself.\n\n"
            "Crosswalk CSV (UTF-8): source_standard, source_code, source_name, target_code, construction, "
            "sandalei, source. Its rows override the built-in tables.\n\n"
            "Invalid geometries are repaired and counted, Z/M values dropped and counted. The second output "
            "lists every unmapped or ambiguous code with its feature count and area."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Plan layer"), [compat.SOURCE_ANY_GEOMETRY])
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.CODE_FIELD,
                tr("Code field"),
                parentLayerParameterName=self.INPUT,
                type=compat.FIELD_ANY,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.NAME_FIELD,
                tr("Name field (used where the code is missing)"),
                parentLayerParameterName=self.INPUT,
                type=compat.FIELD_ANY,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.STANDARD,
                tr("Classification standard of the layer"),
                options=[tr(label) for _, label in STANDARD_CHOICES],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.CROSSWALK,
                tr("Crosswalk CSV (optional; overrides built-in rows)"),
                behavior=compat.FILE_BEHAVIOR_FILE,
                extension="csv",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.ON_UNKNOWN,
                tr("On unknown code"),
                options=[tr("Stop and list the unknown codes"), tr("Flag as unmapped and continue")],
                defaultValue=1,
            )
        )
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterString(
                    self.ENCODING,
                    tr("Shapefile encoding (e.g. GBK; empty = as the layer says)"),
                    optional=True,
                )
            )
        )
        self.addParameter(
            flag_advanced(
                QgsProcessingParameterString(
                    self.STRIP_PREFIXES,
                    tr("Local code prefixes to strip (e.g. XGN for 土规 X211 / G211 / N11)"),
                    optional=True,
                )
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Harmonised plan")))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.UNMAPPED,
                tr("Unmapped and ambiguous codes"),
                type=compat.SOURCE_VECTOR,
                optional=True,
                createByDefault=True,
            )
        )
        self.addOutput(QgsProcessingOutputString(self.OUT_STANDARD, tr("Standard used")))
        self.addOutput(QgsProcessingOutputNumber(self.OUT_CONFIDENCE, tr("Detection confidence")))
        self.addOutput(QgsProcessingOutputNumber(self.OUT_UNMAPPED_COUNT, tr("Features with unmapped codes")))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        code = self.parameterAsString(parameters, self.CODE_FIELD, context)
        name = self.parameterAsString(parameters, self.NAME_FIELD, context)
        if not code and not name:
            return False, tr("Choose the code field, the name field, or both.")
        std = STANDARD_CHOICES[self.parameterAsEnum(parameters, self.STANDARD, context)][0]
        if std == "USER" and not self.parameterAsFile(parameters, self.CROSSWALK, context):
            return False, tr("'User crosswalk only' needs a crosswalk CSV.")
        return super().checkParameterValues(parameters, context)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self.require_dependencies()
        import shapely

        from ..algorithms.codes import CrosswalkError, read_user_crosswalk
        from ..algorithms.geometry import fid_list, repair_polygons
        from ..algorithms.gpkg import GeoPackageError
        from ..algorithms.harmonise import HARMONISED_FIELDS, harmonise

        code_field = self.parameterAsString(parameters, self.CODE_FIELD, context) or None
        name_field = self.parameterAsString(parameters, self.NAME_FIELD, context) or None
        std = STANDARD_CHOICES[self.parameterAsEnum(parameters, self.STANDARD, context)][0]
        crosswalk = self.parameterAsFile(parameters, self.CROSSWALK, context) or None
        stop_on_unknown = self.parameterAsEnum(parameters, self.ON_UNKNOWN, context) == 0
        encoding = self.parameterAsString(parameters, self.ENCODING, context) or None
        prefixes = self.parameterAsString(parameters, self.STRIP_PREFIXES, context) or ""

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        for field_name in (code_field, name_field):
            if field_name and source.fields().lookupField(field_name) < 0:
                raise QgsProcessingException(tr("The plan layer has no field {f}.").format(f=field_name))
        feedback.setProgressText(tr("Reading the plan layer…"))
        table = source_to_table(self, parameters, self.INPUT, context, feedback, encoding=encoding)
        if feedback.isCanceled():
            return {}
        text_fields = [f for f in (code_field, name_field) if f]
        garbled = undecodable(table, text_fields)
        if garbled and not encoding:
            # Not UTF-8 and nothing (.cpg) says what it is: a Chinese plan is GBK far more often than not.
            gbk = source_to_table(self, parameters, self.INPUT, context, feedback, encoding="GBK")
            if not undecodable(gbk, text_fields):
                table = gbk
                feedback.pushWarning(
                    tr(
                        "{n} features have text in {fields} that is not UTF-8 and the layer does not say its "
                        "encoding (a shapefile without .cpg?): read as GBK. If that is wrong, set the "
                        "shapefile encoding."
                    ).format(n=garbled, fields=", ".join(text_fields))
                )
                garbled = 0
        if garbled:
            feedback.pushWarning(
                tr(
                    "{n} features have text in {fields} that cannot be decoded (shown as �): set the "
                    "shapefile encoding (e.g. GBK)."
                ).format(n=garbled, fields=", ".join(text_fields))
            )
        if len(table) == 0:
            feedback.reportError(tr("The plan layer is empty: nothing to harmonise."))

        user_rows = None
        if crosswalk:
            try:
                user_rows = read_user_crosswalk(crosswalk)
            except CrosswalkError as exc:
                raise QgsProcessingException(str(exc)) from exc
        if std == "USER":
            own = sorted({r.source_standard for r in user_rows or []})
            # One system in the crosswalk: that is the user's choice, not a guess. Several: detect among them.
            std = own[0] if len(own) == 1 else "USER"

        geoms, repair = repair_polygons(table.geoms, table.fids)
        if repair.repaired:
            feedback.pushWarning(
                tr("{n} invalid geometries repaired (make_valid), feature ids: {ids}").format(
                    n=repair.repaired, ids=fid_list(repair.invalid_fids)
                )
            )
        if repair.emptied_fids:
            feedback.pushWarning(
                tr(
                    "{n} invalid geometries had nothing of their area left after repair; kept with an empty "
                    "geometry, feature ids: {ids}"
                ).format(n=len(repair.emptied_fids), ids=fid_list(repair.emptied_fids))
            )
        if repair.null_fids:
            feedback.pushWarning(
                tr("{n} features have no geometry; kept without geometry, ids: {ids}").format(
                    n=len(repair.null_fids), ids=fid_list(repair.null_fids)
                )
            )
        if table.notes.get("z_dropped"):
            feedback.pushInfo(tr("Z/M values dropped on {n} features.").format(n=table.notes["z_dropped"]))

        feedback.setProgressText(tr("Mapping codes…"))
        codes = table.column(code_field) if code_field else None
        names = table.column(name_field) if name_field else None
        areas = shapely.area(geoms)
        areas = np.where(np.isnan(areas), 0.0, areas)
        try:
            result = harmonise(
                codes, names=names, standard=std, user_rows=user_rows, weights=areas, strip_prefixes=prefixes
            )
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        det = result.detection
        if det is not None:
            if det.standard is None:
                raise QgsProcessingException(det.message)
            feedback.pushInfo(
                tr("Auto-detected standard: {std} (confidence {conf:.0%}). {msg}").format(
                    std=det.standard, conf=det.confidence, msg=det.message
                )
            )
        unmapped_features = int(sum(u.count for u in result.unmapped))
        if result.unmapped:
            listing = "; ".join(f"{u.code or u.name or '∅'} ×{u.count}" for u in result.unmapped[:30])
            if stop_on_unknown:
                raise QgsProcessingException(
                    tr(
                        "{n} codes could not be mapped ({f} features): {list}. Add them to a crosswalk CSV "
                        "or choose 'Flag as unmapped and continue'."
                    ).format(n=len(result.unmapped), f=unmapped_features, list=listing)
                )
            feedback.pushWarning(
                tr("{n} codes could not be mapped ({f} features), flagged mp_status=unmapped: {list}").format(
                    n=len(result.unmapped), f=unmapped_features, list=listing
                )
            )

        # Output fields: the input's own fields (minus earlier mp_* fields) + Contract 1.
        in_fields = source.fields()
        contract = {name for name, _ in HARMONISED_FIELDS}
        out_fields = QgsFields()
        kept = []
        for f in in_fields:
            if f.name() in contract:
                feedback.pushWarning(
                    tr("Field {f} from an earlier harmonisation is replaced.").format(f=f.name())
                )
                continue
            out_fields.append(f)
            kept.append(f.name())
        for name, kind in HARMONISED_FIELDS:
            qtype = {"text": "String", "int": "Int", "real": "Double"}[kind]
            out_fields.append(QgsField(name, compat.field_type(qtype)))
        table.columns.update(result.fields)
        if source.wkbType() == compat.WKB_NO_GEOMETRY:
            wkb_type = compat.WKB_NO_GEOMETRY
        else:
            wkb_type = QgsWkbTypes.multiType(QgsWkbTypes.flatType(source.wkbType()))
            geoms = multi_polygons(geoms)
        feedback.setProgressText(tr("Writing {n} features…").format(n=len(table)))
        try:
            dest = write_output(
                self,
                parameters,
                self.OUTPUT,
                context,
                feedback,
                out_fields,
                wkb_type,
                source.sourceCrs(),
                table,
                geoms=geoms,
            )
        except (OSError, sqlite3.Error, GeoPackageError) as exc:
            raise output_error(self.parameterAsOutputLayer(parameters, self.OUTPUT, context), exc) from exc

        results = {
            self.OUTPUT: dest,
            self.OUT_STANDARD: result.standard,
            self.OUT_CONFIDENCE: det.confidence if det is not None else 1.0,
            self.OUT_UNMAPPED_COUNT: unmapped_features,
        }
        unmapped_fields = QgsFields()
        for name, qtype in (
            ("code", "String"),
            ("name", "String"),
            ("features", "Int"),
            ("area", "Double"),
            ("reason", "String"),
        ):
            unmapped_fields.append(QgsField(name, compat.field_type(qtype)))
        usink, udest = self.parameterAsSink(
            parameters, self.UNMAPPED, context, unmapped_fields, compat.WKB_NO_GEOMETRY
        )
        if usink is not None:
            for u in result.unmapped:
                f = QgsFeature(unmapped_fields)
                f.setAttributes([u.code, u.name, int(u.count), float(u.weight), u.reason])
                usink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
            results[self.UNMAPPED] = udest
        if result.counts.get("name_mismatch"):
            feedback.pushWarning(
                tr(
                    "{n} features have a name that contradicts their code — "
                    "often the wrong standard or edition."
                ).format(n=result.counts["name_mismatch"])
            )
        if result.counts.get("zero_padded"):
            feedback.pushInfo(
                tr(
                    "{n} codes had lost their leading zero (integer field) and were repaired, "
                    "e.g. 101 → 0101."
                ).format(n=result.counts["zero_padded"])
            )
        counts = ", ".join(f"{k}: {v}" for k, v in result.counts.items())
        feedback.pushInfo(
            tr("Harmonised {n} features with {std}. {counts}").format(
                n=len(table), std=result.standard, counts=counts
            )
        )
        return results


def undecodable(table, fields) -> int:
    """How many features have text in ``fields`` that was not decodable (U+FFFD replacement characters)."""
    bad = np.zeros(len(table), dtype=bool)
    for f in fields:
        bad |= np.fromiter(
            (isinstance(v, str) and "\ufffd" in v for v in table.column(f).tolist()), bool, len(table)
        )
    return int(bad.sum())
