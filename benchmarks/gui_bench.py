"""Desktop app benchmarks (issue: desktop app), each against a baseline in the same process.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_bench.py [--cases 100000] [--repeat 20]
        [--runs 5] [--only diagram|register] [--cache DIR]

1. Event to updated diagram, for each demo case of both shipped specs: ``Register.fire`` and then
   the case screen showing the new highlight, either the diagram alone (``DiagramView.show_case``)
   or the whole case screen (``CasePanel.set_case``), until Qt has painted it. Baseline: a full
   re-render, i.e. what it would cost without the fixed layout (Graphviz laying out the
   highlighted DOT, a new ``DiagramSvg`` loaded into a view of the same size, painted).
   Aim: under 50 ms from the event.
2. First paint of a register of ``--cases`` synthetic cases (built once with
   ``register_bench``'s records and kept in a cache folder): from creating ``MainWindow`` and
   ``open_register`` until ``ready`` (first case selected, its case screen shown) and
   ``window.grab()``. Baseline: opening the register, reading its first page of 200 cases and
   painting them in a bare ``QTableView`` over a ``QStandardItemModel``. Aim: under 1 s.
3. Memory of the app on that register: resident set size after the first paint and after
   dragging the table's scroll bar to the bottom and back. Baseline: the process just after
   ``QApplication`` is created, nothing loaded. Aim: under 500 MB.

Parts 2 and 3 run in fresh processes (this script with ``--child``; ``--runs`` of them), so
that part 1 neither warms their caches nor adds to their memory. With no screen, Qt paints on
its offscreen platform. Timings are medians (``time.perf_counter``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from register_bench import TODAY, median_ms
from synthetic import records

from regflow.engine.register.api import Register

RESULT = "GUI_BENCH_RESULT "
WINDOW = (1600, 1000)  # MainWindow's own size
PANEL = (960, 960)  # the case screen's share of it


def default_cache() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("regflow", appauthor=False) / "bench"


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """Resident set size now (VmRSS), in MB."""
    now = _status_mb("VmRSS")
    return now if now is not None else peak_mb()


def peak_mb() -> float:
    """Largest resident set size of this process so far, in MB: VmHWM where there is /proc
    (ru_maxrss would also count the parent's size at the fork that started this process)."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def build_register(path: Path, n_cases: int, mean_events: int) -> None:
    """The synthetic register of ``register_bench`` (same records, same today), written to a
    partial file first so an interrupted build is never taken for a finished one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    print(f"building a register of {n_cases:,} cases in {path} (once; about a minute per "
          "100,000 cases)", file=sys.stderr)
    reg = Register(partial, today=TODAY)
    items = ((str(i), r) for i, r in enumerate(records(n_cases, TODAY, mean_events)))
    bar = tqdm(unit=" events", file=sys.stderr, mininterval=1.0)
    result = reg.import_cases(items, batch=1000, progress=lambda _c, e: bar.update(e - bar.n))
    bar.close()
    reg.close()  # the last connection closing folds the WAL back into the file
    if result.problems:
        print(f"  {len(result.problems)} records skipped, e.g. {result.problems[0]}",
              file=sys.stderr)
    partial.replace(path)


# -- Qt helpers ----------------------------------------------------------------------------


def offscreen_if_no_screen(env) -> None:
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")


def qt_app():
    offscreen_if_no_screen(os.environ)
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def settle() -> None:
    """Let Qt finish what is queued (layouts, paints, deleteLater) outside any timing."""
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(3):
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def wait_for(signal, start, timeout_s: float = 300.0) -> float:
    """Call ``start()`` and run an event loop until ``signal`` is emitted; the seconds taken."""
    from PySide6.QtCore import QEventLoop, QTimer

    got: list[float] = []
    loop = QEventLoop()

    def done(*_args) -> None:
        if not got:
            got.append(time.perf_counter())
        loop.quit()

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    signal.connect(done)
    began = time.perf_counter()
    try:
        start()
        if not got:
            timer.start(int(timeout_s * 1000))
            loop.exec()
    finally:
        timer.stop()
        signal.disconnect(done)
    if not got:
        raise RuntimeError(f"gave up waiting after {timeout_s:.0f} s")
    return got[0] - began


def paint_counter(widget):
    """Counts the paint events ``widget`` receives (to check that a timing included one)."""
    from PySide6.QtCore import QEvent, QObject

    class Counter(QObject):
        paints = 0

        def eventFilter(self, _obj, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.paints += 1
            return False

    counter = Counter(widget)
    widget.installEventFilter(counter)
    return counter


# -- 1. event to updated diagram -----------------------------------------------------------


def pick_event(view) -> str | None:
    """A step that can be recorded now without a form's facts, that moves the case (so the
    highlight changes); closing the case only if nothing else."""
    from regflow.engine.cases.actions import actions

    active = set(view.case.active_states)
    found = [a.event for a in actions(view.case)
             if a.available and not a.required and a.targets and not set(a.targets) <= active]
    return next((e for e in found if e != "case_closed"), found[0] if found else None)


def bench_diagram(repeat: int) -> dict[str, dict]:
    """Per spec: medians (ms) of fire, diagram update, case-screen update and full re-render."""
    app = qt_app()
    from PySide6.QtCore import QCoreApplication

    from regflow.engine.cases.actions import actions
    from regflow.engine.drawing.diagram import case_highlight
    from regflow.engine.register.demo import make_demo
    from regflow.gui.case.panel import CasePanel
    from regflow.gui.diagram.svg import DiagramSvg
    from regflow.gui.diagram.view import DiagramView
    from regflow.plugins.exporters import render_bytes

    folder = Path(tempfile.mkdtemp(prefix="regflow-gui-bench-"))
    demo_db = folder / "demo.db"
    reg = Register(demo_db, today=TODAY)
    chosen = []  # (case id, spec id, event)
    for case_id in make_demo(reg):
        view = reg.get(case_id)
        event = pick_event(view)
        if event is not None:
            chosen.append((case_id, view.spec.process.id, event))
    reg.close()

    panel = CasePanel()
    panel.today = TODAY
    panel.resize(*PANEL)
    panel.show()
    base = DiagramView()  # the full re-render draws into a view of its own, of the same size
    base.show()
    panel_paints = paint_counter(panel.diagram.viewport())
    base_paints = paint_counter(base.viewport())

    times: dict[str, dict[str, list[float]]] = {}
    unpainted: list[str] = []
    unchanged: set[int] = set()
    ms = 1000.0
    for rep in range(repeat):
        copy = folder / f"rep{rep}.db"
        shutil.copyfile(demo_db, copy)
        reg = Register(copy, today=TODAY)
        panel.register = reg
        for case_id, spec_id, event in chosen:
            t = times.setdefault(spec_id, {k: [] for k in ("fire", "diagram", "screen", "full")})
            before = reg.get(case_id)
            # the case as the user sees it before recording the step (the first time for a
            # spec, its diagram is laid out off the UI thread: wait for it)
            wait_for(panel.ready, lambda before=before: panel.set_case(before))
            settle()
            shown = panel.diagram.svg  # the whole diagram: the change may lie off-screen

            start = time.perf_counter()
            after = reg.fire(case_id, event, TODAY, actor="bench")
            t["fire"].append(time.perf_counter() - start)
            fresh = reg.get(case_id)  # the same case read again: no cache warmed by the next

            # the diagram alone: what CasePanel.refresh_highlight does, then Qt paints it
            painted = panel_paints.paints
            start = time.perf_counter()
            now = [a for a in actions(fresh.case) if a.available]
            panel.diagram.targets = {a.event: a.targets for a in now}
            panel.diagram.show_case(case_highlight(fresh.case, TODAY),
                                    frozenset(a.event for a in now))
            QCoreApplication.processEvents()
            t["diagram"].append(time.perf_counter() - start)
            if panel_paints.paints == painted:
                unpainted.append(f"diagram, case {case_id}")
            settle()
            if panel.diagram.svg == shown:
                unchanged.add(case_id)

            # the whole case screen (the diagram back as it was first, untimed)
            panel.refresh_highlight()
            settle()
            painted = panel_paints.paints
            start = time.perf_counter()
            panel.set_case(after)
            QCoreApplication.processEvents()
            t["screen"].append(time.perf_counter() - start)
            if panel_paints.paints == painted:
                unpainted.append(f"case screen, case {case_id}")
            settle()

            # baseline: a full re-render of the highlighted diagram, shown the same way
            base.resize(panel.diagram.size())
            base.setTransform(panel.diagram.transform())
            centre = panel.diagram.mapToScene(panel.diagram.viewport().rect().center())
            settle()
            painted = base_paints.paints
            again = reg.get(case_id)
            start = time.perf_counter()
            svg = render_bytes(again.spec, "svg", case_highlight(again.case, TODAY))
            base.set_document(DiagramSvg(again.spec, svg=svg.decode("utf-8")))
            base.centerOn(centre)
            QCoreApplication.processEvents()
            t["full"].append(time.perf_counter() - start)
            if base_paints.paints == painted:
                unpainted.append(f"full re-render, case {case_id}")
            settle()
        panel.register = None
        reg.close()
        copy.unlink()
    panel.close()
    base.close()
    app.processEvents()
    shutil.rmtree(folder, ignore_errors=True)
    if unpainted:
        print(f"   warning: no paint seen within the timing of: {', '.join(sorted(set(unpainted)))}")
    if unchanged:
        print(f"   warning: the diagram did not change for case(s) {sorted(unchanged)}")
    out = {}
    for spec_id, t in times.items():
        out[spec_id] = {k: statistics.median(v) * ms for k, v in t.items()}
        out[spec_id]["cases"] = len([c for c in chosen if c[1] == spec_id])
        out[spec_id]["events"] = ", ".join(dict.fromkeys(c[2] for c in chosen if c[1] == spec_id))
    return out


def print_diagram(results: dict[str, dict], repeat: int) -> None:
    for spec_id, r in results.items():
        to_diagram, to_screen = r["fire"] + r["diagram"], r["fire"] + r["screen"]
        print(f"   {spec_id:14s} fire {r['fire']:5.1f} ms; diagram update {r['diagram']:5.1f} ms, "
              f"case screen {r['screen']:5.1f} ms; full re-render {r['full']:6.1f} ms")
        print(f"   {'':14s} ratio diagram/full {r['diagram'] / r['full']:4.2f}x, "
              f"case screen/full {r['screen'] / r['full']:4.2f}x; event to diagram "
              f"{to_diagram:5.1f} ms (aim < 50 ms: {'met' if to_diagram < 50 else 'NOT met'}), "
              f"to case screen {to_screen:5.1f} ms")
        print(f"   {'':14s} ({r['cases']} demo cases x {repeat}; steps: {r['events']})")


# -- 2. and 3. first paint and memory (run in a child process) -----------------------------


def baseline_table(path: Path) -> float:
    """Open the register, read its first page of 200 cases, show them in a bare QTableView
    over a QStandardItemModel and paint it: seconds."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from regflow.engine.register.api import CaseQuery
    from regflow.gui.register.model import COLUMNS

    start = time.perf_counter()
    reg = Register(path, today=TODAY)
    rows = reg.page(CaseQuery(), offset=0, limit=200)
    model = QStandardItemModel(len(rows), len(COLUMNS))
    model.setHorizontalHeaderLabels([heading for _key, heading in COLUMNS])
    for i, row in enumerate(rows):
        for j, (key, _heading) in enumerate(COLUMNS):
            value = row.get(key)
            model.setItem(i, j, QStandardItem("" if value is None else str(value)))
    table = QTableView()
    table.setModel(model)
    table.resize(WINDOW[0] * 2 // 5, WINDOW[1])
    table.show()
    table.grab()
    took = time.perf_counter() - start
    table.close()
    table.deleteLater()
    reg.close()
    settle()
    return took


def child(path: Path, shot: Path | None) -> dict[str, Any]:
    qt_app()
    settle()
    out: dict[str, Any] = {"rss_app": rss_mb()}
    from PySide6.QtCore import QSettings

    from regflow.engine.register.api import CaseQuery
    from regflow.gui.main_window import MainWindow

    out["rss_imports"] = rss_mb()
    with path.open("rb") as handle:  # the file in the OS cache for both, as after a first run
        while handle.read(1 << 24):
            pass
    reg = Register(path, today=TODAY)
    out["page_50"] = median_ms(lambda: reg.list_cases(limit=50), 5)  # `regflow case list`
    reg.close()
    out["baseline"] = baseline_table(path) * 1000

    ini = Path(tempfile.mkdtemp(prefix="regflow-gui-bench-")) / "settings.ini"
    marks: dict[str, float] = {}
    start = time.perf_counter()
    window = MainWindow(QSettings(str(ini), QSettings.Format.IniFormat), today=TODAY)
    window.resize(*WINDOW)
    marks["window"] = time.perf_counter()
    opened = window._opened

    def timed_opened(*args) -> None:  # when the worker thread hands the open register over
        marks["opened"] = time.perf_counter()
        out["caught_up"] = args[-1]
        opened(*args)
        marks["table"] = time.perf_counter()

    window._opened = timed_opened

    def begin() -> None:
        window.show()
        window.open_register(path)

    wait_for(window.ready, begin)
    marks["ready"] = time.perf_counter()
    picture = window.grab()
    end = time.perf_counter()
    if window.register is None or window.last_error is not None:
        raise RuntimeError(f"the register did not open: {window.last_error and window.last_error.text()}")
    out["first_paint"] = (end - start) * 1000
    out["t_window"] = (marks["window"] - start) * 1000
    out["t_open"] = (marks["opened"] - marks["window"]) * 1000
    out["t_table"] = (marks["table"] - marks["opened"]) * 1000
    out["t_ready"] = (marks["ready"] - marks["table"]) * 1000
    out["t_grab"] = (end - marks["ready"]) * 1000
    out["rows"] = window.register_panel.model.rowCount()
    out["selected"] = window.case_panel.view.id if window.case_panel.view else 0
    out["first_id"] = window.register.page(CaseQuery(), limit=1)[0]["id"]
    if shot is not None:
        picture.save(str(shot), "PNG")
    settle()
    out["rss_paint"] = rss_mb()
    out["peak_paint"] = peak_mb()

    # 3. drag the scroll bar to the bottom and back, painting every step
    table = window.register_panel.table
    bar = table.verticalScrollBar()
    model = window.register_panel.model
    steps, step_times = 50, []
    read = model.pages_read
    positions = [bar.maximum() * k // steps for k in range(1, steps + 1)]
    for value in positions + positions[-2::-1] + [0]:
        began = time.perf_counter()
        bar.setValue(value)
        table.viewport().repaint()
        step_times.append(time.perf_counter() - began)
    settle()
    out["scroll_steps"] = len(step_times)
    out["scroll_median"] = statistics.median(step_times) * 1000
    out["scroll_max"] = max(step_times) * 1000
    out["pages_read"] = model.pages_read - read
    out["rss_scroll"] = rss_mb()
    out["peak_scroll"] = peak_mb()
    window.close()
    settle()
    shutil.rmtree(ini.parent, ignore_errors=True)
    return out


def run_child(path: Path, shot: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", str(path), "--shot", str(shot)],
                          stdout=subprocess.PIPE, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
    if done.returncode or not lines:
        sys.stdout.write(done.stdout)
        raise SystemExit(f"the first-paint benchmark failed (exit code {done.returncode})")
    return json.loads(lines[-1][len(RESULT):])


def run_children(path: Path, shot: Path, runs: int) -> dict[str, Any]:
    """Parts 2 and 3 in ``runs`` fresh processes: medians of the times, the largest memory."""
    results = [run_child(path, shot) for _ in range(runs)]
    out: dict[str, Any] = {}
    for key, value in results[0].items():
        if isinstance(value, int | float):
            values = [r[key] for r in results]
            out[key] = max(values) if key.startswith(("rss", "peak")) else statistics.median(values)
        else:
            out[key] = value
    out["runs"] = [r["first_paint"] for r in results]
    return out


def print_register(r: dict[str, Any], n_cases: int, shot: Path) -> None:
    paint, base = r["first_paint"], r["baseline"]
    print(f"   MainWindow + open_register to ready + grab: {paint:6.0f} ms "
          f"(aim < 1 s: {'met' if paint < 1000 else 'NOT met'}); baseline {base:5.0f} ms; "
          f"ratio {paint / base:4.1f}x")
    print(f"   (medians of {len(r['runs'])} fresh processes; first paints: "
          f"{', '.join(f'{t:.0f}' for t in r['runs'])} ms)")
    print(f"   of which: window {r['t_window']:.0f} ms, open off the UI thread {r['t_open']:.0f} ms "
          f"({r['caught_up']} time-driven steps caught up), table + first case "
          f"{r['t_table']:.0f} ms, diagram until ready {r['t_ready']:.0f} ms, grab "
          f"{r['t_grab']:.0f} ms")
    print(f"   {r['rows']:,} rows in the table; case #{r['selected']} shown (first row: "
          f"#{r['first_id']}); `case list` first page of 50: {r['page_50']:.1f} ms; "
          f"picture: {shot}")
    print(f"\n3. memory with the {n_cases:,}-case register (baseline: just after QApplication "
          "is created; the largest of the runs)")
    app, paint_rss, scroll_rss = r["rss_app"], r["rss_paint"], r["rss_scroll"]
    print(f"   baseline {app:5.0f} MB (after importing regflow's GUI: {r['rss_imports']:.0f} MB)")
    print(f"   after first paint {paint_rss:5.0f} MB (+{paint_rss - app:.0f} MB; peak so far "
          f"{r['peak_paint']:.0f} MB)")
    print(f"   after scrolling   {scroll_rss:5.0f} MB (+{scroll_rss - app:.0f} MB; peak "
          f"{r['peak_scroll']:.0f} MB); aim < 500 MB: "
          f"{'met' if max(scroll_rss, r['peak_scroll']) < 500 else 'NOT met'}")
    print(f"   scrolling: {r['scroll_steps']} scroll-bar steps to the bottom and back, "
          f"{r['pages_read']} pages of 200 read; a step takes {r['scroll_median']:.0f} ms "
          f"(median), {r['scroll_max']:.0f} ms at most")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the big register")
    parser.add_argument("--mean-events", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20, help="repetitions of part 1")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes for parts 2 and 3")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder for the built registers (default: the user's cache folder)")
    parser.add_argument("--only", choices=("diagram", "register"), help="run one part only")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shot", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(RESULT + json.dumps(child(args.child, args.shot)), flush=True)
        return 0

    offscreen_if_no_screen(os.environ)  # for this process and the child processes
    cache = args.cache or default_cache()
    db = cache / f"register-{args.cases}-{args.mean_events}.db"
    if args.only != "diagram" and not db.exists():
        build_register(db, args.cases, args.mean_events)  # before any Qt: the import forks

    print(f"desktop app benchmarks (python {sys.version.split()[0]}, Qt platform "
          f"{os.environ.get('QT_QPA_PLATFORM') or 'default'}); medians\n")
    if args.only != "register":
        print("1. event to updated diagram, demo register (baseline: full re-render: Graphviz "
              "layout of the highlighted DOT + new DiagramSvg + load + paint)")
        print_diagram(bench_diagram(args.repeat), args.repeat)
    if args.only != "diagram":
        shot = cache / f"first-paint-{args.cases}.png"
        print(f"\n2. first paint of a {args.cases:,}-case register (baseline: open it, first page "
              f"of 200 in a bare QTableView over a QStandardItemModel, painted)")
        print_register(run_children(db, shot, args.runs), args.cases, shot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
