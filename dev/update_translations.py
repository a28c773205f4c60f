#!/usr/bin/env python3
"""Collect every ``tr("...")`` and ``tr_noop("...")`` literal (and .ui strings) into
``i18n/multiplan_zh.ts``, keeping translations.

    python3 dev/update_translations.py              # refresh the .ts (new strings marked unfinished)
    python3 dev/update_translations.py --fill x.tsv # also apply translations "source<TAB>translation"
    python3 dev/update_translations.py --check      # exit 1 when a string has no translation

One context, ``multiplan``, for code strings (see ``algorithms/i18n.py``); .ui strings use their form's
class name as context, as ``uic`` translates them.  ``lrelease`` (make setup) builds the .qm.
"""

from __future__ import annotations

import argparse
import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "i18n" / "multiplan_zh.ts"
SKIP = {".build", ".venv", "tests", "dev", "dist", "demo", "bench-data", "__pycache__"}
CONTEXT = "multiplan"


def code_strings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP & set(rel.parts):
            continue
        tree = ast.parse(path.read_text("utf-8"), str(rel))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else None
            if name not in ("tr", "tr_noop"):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, []).append(f"{rel.as_posix()}:{node.lineno}")
            elif isinstance(arg, ast.JoinedStr):
                raise SystemExit(f"{rel}:{node.lineno}: f-string inside tr(); format after translating")
    return found


def ui_strings() -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for path in sorted(ROOT.rglob("*.ui")):
        rel = path.relative_to(ROOT)
        if SKIP & set(rel.parts):
            continue
        root = ET.parse(path).getroot()
        cls = root.findtext("class") or path.stem
        for s in root.iter("string"):
            if s.text and s.get("notr") != "true":
                out.setdefault(cls, {}).setdefault(s.text, []).append(rel.as_posix())
    return out


def load_existing() -> dict[tuple[str, str], str]:
    if not TS.exists():
        return {}
    existing = {}
    for ctx in ET.parse(TS).getroot().iter("context"):
        cname = ctx.findtext("name")
        for msg in ctx.iter("message"):
            tr_el = msg.find("translation")
            if tr_el is not None and tr_el.text and tr_el.get("type") not in ("obsolete",):
                existing[(cname, msg.findtext("source"))] = tr_el.text
    return existing


def write(
    contexts: dict[str, dict[str, list[str]]], translations: dict[tuple[str, str], str]
) -> tuple[int, int]:
    root = ET.Element("TS", version="2.1", language="zh_CN", sourcelanguage="en")
    done = missing = 0
    for cname in sorted(contexts):
        ctx = ET.SubElement(root, "context")
        ET.SubElement(ctx, "name").text = cname
        for source in sorted(contexts[cname]):
            msg = ET.SubElement(ctx, "message")
            for loc in contexts[cname][source][:1]:
                fn, _, line = loc.partition(":")
                attrs = {"filename": "../" + fn}
                if line:
                    attrs["line"] = line
                ET.SubElement(msg, "location", attrs)
            ET.SubElement(msg, "source").text = source
            text = translations.get((cname, source))
            el = ET.SubElement(msg, "translation")
            if text:
                el.text = text
                done += 1
            else:
                el.set("type", "unfinished")
                missing += 1
    ET.indent(root)
    TS.parent.mkdir(exist_ok=True)
    body = ET.tostring(root, encoding="unicode")
    TS.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", "utf-8")
    return done, missing


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fill", help="TSV file: English source<TAB>Chinese translation (context multiplan)")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--list-missing", action="store_true")
    ap.add_argument("--dry-run", action="store_true", help="only extract and check (no file written)")
    args = ap.parse_args(argv)
    contexts = {CONTEXT: code_strings(), **ui_strings()}
    translations = load_existing()
    if args.dry_run:
        n = sum(len(m) for m in contexts.values())
        print(f"{n} strings")
        return 0
    if args.fill:
        for line in Path(args.fill).read_text("utf-8").splitlines():
            if "\t" in line:
                src, dst = line.split("\t", 1)
                src = src.replace("\\n", "\n")
                dst = dst.replace("\\n", "\n")
                for cname, msgs in contexts.items():
                    if src in msgs:
                        translations[(cname, src)] = dst
    done, missing = write(contexts, translations)
    print(f"{TS.relative_to(ROOT)}: {done} translated, {missing} unfinished")
    if args.list_missing:
        for cname, msgs in contexts.items():
            for src in msgs:
                if (cname, src) not in translations:
                    print(src.replace("\n", "\\n"))
    return 1 if (args.check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
