"""Parameters, outputs and run glue several algorithms share: the blueprint, the streets, the working CRS,
progress and timings.  Each helper builds exactly what the algorithms declared one by one before."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from .. import compat
from ..algorithms.i18n import tr

#: The project name of a blueprint created without one.
DEFAULT_PROJECT_NAME = "多规合一"


def flag_advanced(param):
    """``param`` with the advanced flag set (returned, for ``addParameter``)."""
    param.setFlags(param.flags() | compat.FLAG_ADVANCED)
    return param


# ---------------------------------------------------------------------------------------------- parameters


def blueprint_parameter(name: str, *, write: bool = False) -> QgsProcessingParameterFile:
    """The blueprint GeoPackage: one to read (required), or with ``write`` one to write into (optional)."""
    if write:
        return QgsProcessingParameterFile(
            name,
            tr("Blueprint GeoPackage to write into (created when missing; empty: outputs only)"),
            behavior=compat.FILE_BEHAVIOR_FILE,
            extension="gpkg",
            optional=True,
        )
    return QgsProcessingParameterFile(
        name,
        tr("Blueprint GeoPackage"),
        behavior=compat.FILE_BEHAVIOR_FILE,
        extension="gpkg",
    )


def street_parameters(streets: str, field: str, label: str | None = None) -> list:
    """The optional streets (街道/镇) polygon layer (``label``: its own title) and its street name field."""
    return [
        QgsProcessingParameterFeatureSource(
            streets, label or tr("Streets (街道/镇)"), [compat.SOURCE_POLYGON], optional=True
        ),
        QgsProcessingParameterField(
            field,
            tr("Street name field"),
            parentLayerParameterName=streets,
            type=compat.FIELD_ANY,
            optional=True,
        ),
    ]


def working_crs_parameter(name: str, label: str) -> QgsProcessingParameterCrs:
    """The optional working CRS override (advanced)."""
    return flag_advanced(QgsProcessingParameterCrs(name, label, optional=True))


def project_name_parameter(name: str) -> QgsProcessingParameterString:
    """The project name a new blueprint is created with (advanced)."""
    return flag_advanced(
        QgsProcessingParameterString(
            name,
            tr("Project name (for a new blueprint)"),
            defaultValue=DEFAULT_PROJECT_NAME,
            optional=True,
        )
    )


def table_sink(name: str, label: str) -> QgsProcessingParameterFeatureSink:
    """An output table without geometry (statistics, summaries)."""
    return QgsProcessingParameterFeatureSink(name, label, type=compat.SOURCE_VECTOR)


# ---------------------------------------------------------------------------------------------- outputs


def add_number_outputs(alg, outputs) -> None:
    """Declare a number output per ``(key, label)``; the labels are source strings, translated here."""
    for key, label in outputs:
        alg.addOutput(QgsProcessingOutputNumber(key, tr(label)))


def run_id_output(name: str) -> QgsProcessingOutputString:
    return QgsProcessingOutputString(name, tr("Blueprint run id"))


def working_crs_output(name: str) -> QgsProcessingOutputString:
    return QgsProcessingOutputString(name, tr("Working CRS"))


# ---------------------------------------------------------------------------------------------- running


def open_blueprint(path: str, **kwargs):
    """``BlueprintStore.open(path, **kwargs)``; its refusal as a Processing error with the store's message."""
    from ..algorithms.store import BlueprintError, BlueprintStore

    try:
        return BlueprintStore.open(path, **kwargs)
    except BlueprintError as exc:
        raise QgsProcessingException(exc.message) from exc


def crs_choices(alg, parameters, name: str, context) -> tuple[str | None, str | None]:
    """The working-CRS override parameter ``name`` and the QGIS project's CRS, as WKT (None: not given)."""
    override = alg.parameterAsCrs(parameters, name, context)
    project = context.project()
    project_crs = project.crs() if project is not None else None
    return (
        override.toWkt() if override.isValid() else None,
        project_crs.toWkt() if project_crs is not None and project_crs.isValid() else None,
    )


def crs_authid(working) -> str | None:
    """The authority id of a chosen working CRS (PROJ may not name QGIS's WKT1 of an EPSG CRS; QGIS can)."""
    return working.authid or QgsCoordinateReferenceSystem.fromWkt(working.wkt).authid() or None


def _plain_value(value):
    """One parameter value as JSON: a layer by its source, a feature-source definition by its static
    source."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    source = getattr(value, "source", None)
    if callable(source):  # a map layer
        return source()
    if source is not None:  # QgsProcessingFeatureSourceDefinition: a QgsProperty (or a plain value)
        static = getattr(source, "staticValue", None)
        return str(static() if callable(static) else source)
    return str(value)


def plain_parameters(parameters: dict) -> dict:
    """Parameters as JSON-able values for the run record (layers by their source)."""
    return {
        k: [_plain_value(x) for x in v] if isinstance(v, (list, tuple)) else _plain_value(v)
        for k, v in parameters.items()
    }


def progress_to(feedback):
    """The engine's ``progress(fraction, message)`` callback, reporting to ``feedback``."""

    def progress(fraction: float, message: str) -> None:
        feedback.setProgress(100.0 * fraction)
        feedback.setProgressText(message)

    return progress


def push_timings(feedback, timings) -> None:
    """Report ``(stage, seconds)`` pairs as one line."""
    feedback.pushInfo(tr("Timings: {t}").format(t=", ".join(f"{k} {v:.2f} s" for k, v in timings)))


def warn_same_layer(feedback, inputs: list[dict]) -> None:
    """Warn when one layer was given for two roles (run records of ``input_record``): it cannot differ
    from itself, or it overlaps itself everywhere — most likely a wrong pick in the dialog."""
    seen: dict[str, str] = {}
    for rec in inputs:
        path = rec.get("path")
        if not path:
            continue
        if path in seen:
            feedback.pushWarning(
                tr("{a} and {b} are the same layer ({path}): check the inputs.").format(
                    a=seen[path], b=rec["role"], path=path
                )
            )
        seen.setdefault(path, rec["role"])
