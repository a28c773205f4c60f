#!/usr/bin/env python3
"""Build the plugin zip for plugins.qgis.org: ``dist/multiplan-<version>.zip`` with one folder ``multiplan/``.

Ships the plugin (code, data tables, icons, compiled translations, help, LICENSE, README, metadata);
leaves out tests, dev tools, CI, caches, bytecode and VCS files.
"""

from __future__ import annotations

import argparse
import configparser
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCLUDE_DIRS = ["algorithms", "processing_provider", "ui", "data", "icons", "i18n", "help"]
INCLUDE_FILES = [
    "metadata.txt",
    "__init__.py",
    "plugin.py",
    "compat.py",
    "LICENSE",
    "README.md",
    "resources.qrc",
]
EXCLUDE_PARTS = {"__pycache__", ".git", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
EXCLUDE_SUFFIXES = {".pyc", ".pyo", ".orig", ".rej", ".swp"}


def version() -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "metadata.txt", encoding="utf-8")
    return parser.get("general", "version")


def files():
    for name in INCLUDE_FILES:
        path = ROOT / name
        if path.exists():
            yield path
    for d in INCLUDE_DIRS:
        for path in sorted((ROOT / d).rglob("*")):
            if (
                path.is_file()
                and not (EXCLUDE_PARTS & set(path.parts))
                and path.suffix not in EXCLUDE_SUFFIXES
            ):
                yield path


def build(out_dir: Path) -> Path:
    if not list((ROOT / "i18n").glob("*.qm")):
        raise SystemExit("no compiled translations in i18n/: run `make setup` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"multiplan-{version()}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files():
            zf.write(path, "multiplan/" + path.relative_to(ROOT).as_posix())
    return target


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "dist"))
    args = ap.parse_args(argv)
    target = build(Path(args.out))
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
    print(f"{target} ({len(names)} files, {target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
