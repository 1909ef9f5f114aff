"""Compare screen benchmark: a frame of linked pan and zoom on the CIW diagram.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/compare_bench.py [--frames 60]

The compare screen shows CIW and SWIA side by side with linked zoom and pan. One frame: the
CIW view's scroll bar moves by 40 pixels (a drag) or its zoom changes by 5% (a wheel step), the
SWIA view follows, and both views are painted (synchronously, ``repaint``). Baseline, in the
same process: the same step on one CIW ``DiagramView`` alone (also painted from its kept
picture). Aim: under 16 ms per frame (60 frames a second). Timings are medians (``time.perf_counter``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date


def _frames(views, step, frames: int) -> float:
    times = []
    for n in range(frames):
        start = time.perf_counter()
        step(n)
        for view in views:
            view.viewport().repaint()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from regflow.engine import load_spec
    from regflow.engine.compare.comparison import diagram_svg
    from regflow.gui.compare.window import CompareWindow
    from regflow.gui.diagram.svg import DiagramSvg
    from regflow.gui.diagram.view import DiagramView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = CompareWindow(None, date(2027, 3, 1))
    window.resize(1600, 1000)
    window.show()
    loop = QEventLoop()
    window.ready.connect(loop.quit)
    QTimer.singleShot(0, lambda: window.choose("ciw_2019", "swia_handover"))
    QTimer.singleShot(120_000, loop.quit)
    loop.exec()
    if window.comparison is None:
        print(f"the compare screen did not open: {window.last_error}")
        return 1
    linked = window.views
    alone = DiagramView(cached=True)
    alone.resize(linked[0].size())
    ciw = load_spec("specs/ciw_2019.toml")
    alone.set_document(DiagramSvg(ciw, diagram_svg(ciw)))
    alone.show()
    for view in (*linked, alone):
        view.set_zoom(1.0)
    QCoreApplication.processEvents()

    def pan(view):
        bar = view.horizontalScrollBar()
        return lambda n: bar.setValue((bar.value() + 40) % max(bar.maximum(), 1))

    def zoom(view):
        return lambda n: view.set_zoom(1.0 * (1.05 if n % 2 else 1 / 1.05) ** (1 + n % 2))

    print(f"compare screen (python {sys.version.split()[0]}, Qt platform "
          f"{os.environ.get('QT_QPA_PLATFORM')}); medians of {args.frames} frames\n")
    for name, make in (("pan (40 px)", pan), ("zoom (5%)", zoom)):
        base = _frames([alone], make(alone), args.frames)
        ours = _frames(linked, make(linked[0]), args.frames)
        print(f"   {name:12s} both views {ours * 1000:6.1f} ms   baseline one CIW view "
              f"{base * 1000:6.1f} ms   ratio {ours / base:4.2f}x   aim < 16 ms: "
              f"{'yes' if ours < 0.016 else 'NO'}")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
