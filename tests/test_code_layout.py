"""Static checks of the house rules: rooms, Qt6-readiness, i18n, packaging."""

from __future__ import annotations

import ast
import configparser
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".build", ".venv", "dist", "demo", "bench-data", "__pycache__"}
SHIPPED = ["algorithms", "processing_provider", "ui"]


def py_files(*dirs: str):
    roots = [ROOT / d for d in dirs] if dirs else [ROOT]
    for base in roots:
        for p in sorted(base.rglob("*.py")):
            if not (SKIP & set(p.relative_to(ROOT).parts)):
                yield p


def imported_modules(path: Path) -> set[str]:
    mods = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module)
    return mods


def test_engine_never_imports_qgis_statically():
    # i18n.py is the one exception: it reaches for QCoreApplication.translate lazily, when Qt is there.
    offenders = [
        str(p.relative_to(ROOT))
        for p in py_files("algorithms")
        if p.name != "i18n.py"
        if any(m == "qgis" or m.startswith("qgis.") or m.startswith("PyQt") for m in imported_modules(p))
    ]
    assert offenders == []


def test_engine_imports_without_qgis_at_runtime():
    names = sorted(
        ".".join(p.relative_to(ROOT / "algorithms").with_suffix("").parts).replace(".__init__", "")
        for p in (ROOT / "algorithms").rglob("*.py")
        if p.stem != "__init__" or p.parent != ROOT / "algorithms"
    )
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}:\n"
        "    importlib.import_module('multiplan.algorithms.' + n)\n"
        "bad = [m for m in sys.modules if m == 'qgis' or m.startswith('qgis.') or m.startswith('PyQt')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    env = {"PYTHONPATH": str(ROOT / ".build" / "py"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_qt_only_through_qgis_pyqt():
    offenders = [
        str(p.relative_to(ROOT))
        for p in py_files(*SHIPPED)
        if any(m.startswith(("PyQt5", "PyQt6", "PySide")) for m in imported_modules(p))
    ]
    for p in (ROOT / "plugin.py", ROOT / "compat.py", ROOT / "__init__.py"):
        if any(m.startswith(("PyQt5", "PyQt6", "PySide")) for m in imported_modules(p)):
            offenders.append(p.name)
    assert offenders == []


SCOPED = {
    "Qt",
    "QSizePolicy",
    "QMessageBox",
    "QDialogButtonBox",
    "QAbstractItemView",
    "QHeaderView",
    "QFrame",
    "QKeySequence",
    "QFont",
    "QPalette",
    "QItemSelectionModel",
    "QFormLayout",
}
SCOPED_ALLOWED = {"QKeySequence": {"fromString", "toString"}, "QFont": set()}


def test_enums_fully_qualified_and_qt6_names_only_in_compat():
    """``Qt.AlignLeft`` is Qt5-only; ``Qt.AlignmentFlag.AlignLeft`` works on both.  exec_ and
    QtWidgets.QAction are Qt5-only and belong to compat.py."""
    problems = []
    for p in list(py_files(*SHIPPED)) + [ROOT / "plugin.py"]:
        text = p.read_text("utf-8")
        tree = ast.parse(text)
        parents = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in SCOPED
            ):
                parent = parents.get(node)
                if node.attr in SCOPED_ALLOWED.get(node.value.id, set()):
                    continue
                if not (isinstance(parent, ast.Attribute) and parent.value is node):
                    problems.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
            if isinstance(node, ast.Attribute) and node.attr == "exec_":
                problems.append(f"{p.relative_to(ROOT)}:{node.lineno} exec_")
            if isinstance(node, ast.Name) and node.id == "QVariant":
                problems.append(f"{p.relative_to(ROOT)}:{node.lineno} QVariant (use compat.field_type)")
        for m in imported_modules(p):
            if (
                m == "qgis.PyQt.QtWidgets"
                and "QAction" in text.split("qgis.PyQt.QtWidgets import", 1)[-1].split("\n")[0]
            ):
                problems.append(f"{p.relative_to(ROOT)} imports QAction from QtWidgets (use compat)")
    assert problems == []


def test_init_only_defines_class_factory():
    tree = ast.parse((ROOT / "__init__.py").read_text("utf-8"))
    body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    assert [type(n).__name__ for n in body] == ["FunctionDef"] and body[0].name == "classFactory"


def test_ui_files_have_no_signal_connections():
    for ui in ROOT.rglob("*.ui"):
        if SKIP & set(ui.relative_to(ROOT).parts):
            continue
        root = ET.parse(ui).getroot()
        conns = root.find("connections")
        assert conns is None or len(conns) == 0, ui


def test_no_generated_ui_or_resource_modules():
    assert not list(ROOT.glob("**/*_ui.py")) and not (ROOT / "resources.py").exists()
    assert not list((ROOT / "ui").glob("*_rc.py"))


def test_metadata_complete_for_plugins_qgis_org():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "metadata.txt", encoding="utf-8")
    g = parser["general"]
    for key in (
        "name",
        "description",
        "about",
        "version",
        "qgisMinimumVersion",
        "author",
        "email",
        "tracker",
        "repository",
        "homepage",
        "tags",
        "icon",
        "category",
    ):
        assert g.get(key), key
    assert g["qgisMinimumVersion"] == "3.22" and g["qgisMaximumVersion"] == "4.99"
    assert g["hasProcessingProvider"] == "yes" and g["supportsQt6"] == "True"
    assert (ROOT / g["icon"]).exists() and (ROOT / "LICENSE").exists()


def test_translations_extract_without_fstrings():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "dev" / "update_translations.py"), "--dry-run"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_package_zip_has_no_tests_caches_or_vcs(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "dev" / "package.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (zpath,) = tmp_path.glob("multiplan-*.zip")
    names = zipfile.ZipFile(zpath).namelist()
    assert "multiplan/metadata.txt" in names and "multiplan/__init__.py" in names
    assert "multiplan/i18n/multiplan_zh.qm" in names
    assert not [
        n for n in names if "/tests/" in n or "/dev/" in n or "__pycache__" in n or n.endswith(".pyc")
    ]
    assert not [n for n in names if "/.git" in n or "/.ci/" in n]
