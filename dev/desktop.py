#!/usr/bin/env python3
"""Run the real QGIS desktop under xvfb with the plugin installed from its zip in a fresh profile.

Used by the desktop tests and to take the README's screenshots:

    python3 dev/desktop.py --zip dist/multiplan-*.zip --script shot.py --lang zh_CN --out docs/x.png

The ``--script`` is Python run inside QGIS (``qgis --code``) after start-up; it gets ``iface``,
``OUT`` (an output folder) and ``finish(status: dict)`` that writes ``status.json`` and quits.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

PRELUDE = textwrap.dedent(
    """
    import json, os, traceback
    from qgis.PyQt.QtCore import QTimer
    from qgis.core import QgsApplication
    from qgis.utils import iface
    OUT = {out!r}

    def finish(status):
        with open(os.path.join(OUT, "status.json"), "w", encoding="utf-8") as fh:
            json.dump(status, fh, ensure_ascii=False, indent=1)
        QTimer.singleShot(200, QgsApplication.instance().quit)

    def shot(name, widget=None):
        QgsApplication.processEvents()
        (widget or iface.mainWindow()).grab().save(os.path.join(OUT, name))

    def _run_user_script():
        try:
            exec(compile(open({script!r}, encoding="utf-8").read(), {script!r}, "exec"), globals())
        except Exception:
            finish({{"error": traceback.format_exc()}})

    QTimer.singleShot({delay}, _run_user_script)
    """
)


def install_profile(zip_path: Path, root: Path, locale: str | None) -> Path:
    """A fresh profile folder with the plugin unzipped and enabled."""
    profile = root / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(plugins)
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    lines = [
        "[PythonPlugins]",
        "multiplan=true",
        "",
        "[qgis]",
        "showTips=false",
        "checkVersion=false",
        "allowVersionCheck=false",
        "newProjectDefault=false",
        "warnOldProjectVersion=false",
        "",
        "[app]",
        "first_run=false",
        "",
    ]
    if locale:
        lines += ["[locale]", f"userLocale={locale}", "overrideFlag=true", ""]
    ini.write_text("\n".join(lines), "utf-8")
    return root


def run(
    zip_path: Path,
    script: Path,
    out: Path,
    lang: str | None = None,
    timeout: int = 180,
    delay_ms: int = 4000,
    size: str = "1600x1000",
) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="mp-desktop-"))
    try:
        install_profile(zip_path, tmp, lang)
        boot = tmp / "boot.py"
        boot.write_text(PRELUDE.format(out=str(out), script=str(script.resolve()), delay=delay_ms), "utf-8")
        env = dict(os.environ)
        env.pop("QT_QPA_PLATFORM", None)
        # QGIS's embedded Python must find the system Python's modules: no pyenv/venv first on PATH.
        env["PATH"] = (
            os.pathsep.join(
                p for p in env.get("PATH", "").split(os.pathsep) if ".pyenv" not in p and ".venv" not in p
            )
            or "/usr/bin:/bin"
        )
        env.pop("VIRTUAL_ENV", None)
        env.pop("PYTHONHOME", None)
        env.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="xdg-"))
        cmd = [
            "xvfb-run",
            "-a",
            "-s",
            f"-screen 0 {size}x24",
            "/usr/bin/qgis.bin",
            "--profiles-path",
            str(tmp),
            "--profile",
            "default",
            "--nologo",
            "--code",
            str(boot),
        ]
        if lang:
            cmd += ["--lang", lang]
        status_file = out / "status.json"
        if status_file.exists():
            status_file.unlink()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        status = json.loads(status_file.read_text("utf-8")) if status_file.exists() else {}
        status["returncode"] = proc.returncode
        if "error" in status or not status_file.exists():
            status["stderr"] = proc.stderr[-4000:]
        return status
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zip", required=True)
    ap.add_argument("--script", required=True)
    ap.add_argument("--out", required=True, help="output folder for screenshots and status.json")
    ap.add_argument("--lang")
    ap.add_argument("--timeout", type=int, default=180)
    args = ap.parse_args(argv)
    status = run(Path(args.zip), Path(args.script), Path(args.out), args.lang, args.timeout)
    print(json.dumps(status, ensure_ascii=False, indent=1))
    return 0 if "error" not in status else 1


if __name__ == "__main__":
    sys.exit(main())
