"""Benchmark: one step of the review dock ("next") on a blueprint of ``n`` patches.

``ours`` is the real dock (``ui/dock.py`` over ``ui/controller.py``) in a headless QGIS with a real map
canvas: the time from calling "next" until the current patch's attributes, plans, control lines and
history are on the form and the canvas extent is set (the rubber band included).  It reads one patch by
id (``store.patch``, ``store.patch_plans``, ``store.decisions``, the pending-journal check, the
control-line overlap) — never the whole layer.

``ref=getfeature_floor`` is what QGIS itself needs for the least a step can do on the same layer:
``QgsVectorLayer.getFeature(fid)`` plus ``QgsMapCanvas.setExtent`` of its bounding box, for the same
patches in the same order.  Nothing is shown in the reference.

Extra numbers: the 95th percentile of ours, the store part alone (``fetch_s``: building the patch view
without widgets), repainting the dock widget (``paint_dock_s``), and the canvas rendering that follows a
step (``render_s``, until ``mapCanvasRefreshed``; patches + control lines drawn, 800×600 px), measured
on a sample of steps — rendering runs in QGIS's background threads while the reviewer reads, so it is
reported apart.  The absolute median is what a reviewer feels; the target is under 100 ms.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path

CASE = "next_patch"
DEFAULT_N = [50000]
STEPS = 300
RUN = 30
RENDER_STEPS = 20


class _Iface:
    """What the dock needs from QGIS's interface: a canvas and a main window."""

    def __init__(self):
        from qgis.gui import QgsMapCanvas
        from qgis.PyQt.QtWidgets import QMainWindow

        self.window = QMainWindow()
        self.canvas = QgsMapCanvas(self.window)
        self.window.setCentralWidget(self.canvas)
        self.window.resize(800, 600)

    def mapCanvas(self):  # noqa: N802
        return self.canvas

    def mainWindow(self):  # noqa: N802
        return self.window

    def showOptionsDialog(self, *args):  # noqa: N802
        pass


def _blueprint(n: int, work: Path) -> Path:
    folder = Path(work) / "next_patch"
    path = folder / f"review_{n}.gpkg"
    done = folder / f"review_{n}.done"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        from multiplan.dev.review_blueprint import build

        pending = str(folder / "pending")
        build(str(path), n, seed=1, plan_copies=False, history=False, pending_dir=pending).close()
        done.write_text("ok")
    return path


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run(n: int, work: Path) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from multiplan.dev.qgis_headless import qgis_app

    app = qgis_app()
    path = _blueprint(n, work)
    os.environ["MULTIPLAN_PENDING_DIR"] = str(Path(work) / "next_patch" / "pending")
    from multiplan.ui import settings
    from multiplan.ui.dock import ReviewDock
    from qgis.core import QgsProject
    from qgis.PyQt.QtCore import QEventLoop, QTimer

    settings.set_reviewer(settings.Reviewer("bench", "领导小组办公室", settings.ROLE_FINAL))
    settings.set_last_patch(str(path), None)
    iface = _Iface()
    iface.window.show()
    dock = ReviewDock(iface)
    dock.resize(520, 1000)
    dock.show()
    c = dock.controller
    t_open = time.perf_counter()
    assert c.open(str(path)), c.messages
    open_s = time.perf_counter() - t_open
    layer = dock.layers.patches
    lines = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.name() == "Control lines"]
    iface.canvas.setLayers([layer] + lines)
    app.processEvents()
    canvas = iface.canvas

    for _ in range(20):  # warm the page cache, the STRtree of control lines, the code tables
        c.next()
    app.processEvents()
    # STEPS steps in runs of RUN from evenly spaced places in the queue, so every kind (plans, lines,
    # slivers, LINE_* adjustments) is in the sample, not only the most severe ones at the top.
    queue = c.queue
    starts = [int(k * (len(queue) - RUN - 1) / (STEPS // RUN)) for k in range(STEPS // RUN)]
    ours, stepped = [], []
    for start in starts:
        c.go_to(queue[start])
        for _ in range(RUN):
            t = time.perf_counter()
            c.next()
            ours.append(time.perf_counter() - t)
            stepped.append(c.current.patch_id)
    assert stepped == [queue[s + 1 + k] for s in starts for k in range(RUN)]
    assert canvas.extent().contains(dock.focus.extent_for(c.current.geometry, dock.crs).center())

    # The store part alone (no widgets, no canvas).
    fetch = []
    for pid in stepped[:100]:
        t = time.perf_counter()
        c._view(pid)
        fetch.append(time.perf_counter() - t)

    # Repainting the dock after a step.
    paint = []
    for _ in range(30):
        c.next()
        t = time.perf_counter()
        dock.widget().repaint()
        paint.append(time.perf_counter() - t)

    # Rendering after a step (background threads; waited for here).
    render = []
    for _ in range(RENDER_STEPS):
        loop = QEventLoop()
        canvas.mapCanvasRefreshed.connect(loop.quit)
        QTimer.singleShot(10000, loop.quit)
        c.next()
        t = time.perf_counter()
        loop.exec()
        render.append(time.perf_counter() - t)
        canvas.mapCanvasRefreshed.disconnect(loop.quit)

    # Reference: getFeature by fid + setExtent, same layer, same patches.
    import sqlite3

    conn = sqlite3.connect(str(path))
    fid_of = dict(conn.execute("SELECT patch_id, fid FROM patches").fetchall())
    conn.close()
    fids = [fid_of[p] for p in stepped]
    ref = []
    for fid in fids:
        t = time.perf_counter()
        f = layer.getFeature(fid)
        canvas.setExtent(f.geometry().boundingBox())
        ref.append(time.perf_counter() - t)

    dock.cleanup()
    dock.deleteLater()
    app.processEvents()
    return {
        "ours_s": statistics.median(ours),
        "ref": "getfeature_floor",
        "ref_s": statistics.median(ref),
        "ours_p95_s": _p95(ours),
        "ours_max_s": max(ours),
        "fetch_s": statistics.median(fetch),
        "paint_dock_s": statistics.median(paint),
        "render_s": statistics.median(render),
        "open_s": open_s,
        "steps": STEPS,
    }
