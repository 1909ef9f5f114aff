"""How validate, render and simulate grow with the size of a spec.

    make bench            (or: .venv/bin/python benchmarks/scale_bench.py [--quick])

Synthetic specs of 100, 1,000 and 5,000 states (compound phases of leaves, parallel states with
two regions, guarded transitions, a timescale per phase) are timed in one process:

- validate: load, check and compile the spec (``load_spec``), start-up not included;
- render: the diagram's DOT source (``diagram_source``), without running Graphviz (its layout
  time is Graphviz's own and not what this measures);
- simulate: a case of the spec sent 1,000 events (moves along the phases and progress notes),
  then the text report of ``regflow simulate``.

Each figure is the median of a few runs; the growth exponent is the slope of log(time) against
log(states) between sizes (1.0: linear, 2.0: quadratic). Aims: exponent under 1.2, validate of
5,000 states under 2 s.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import tomli_w

from regflow.engine import Case, load_spec
from regflow.engine.drawing.diagram import diagram_source

SIZES = (100, 1_000, 5_000)
EVENTS = 1_000
LEAVES = 8  # leaves per phase


def synthetic_spec(states: int) -> dict:
    """A valid spec of about ``states`` states, as TOML-ready data."""
    phases = max(2, states // (LEAVES + 1))
    spec: dict = {
        "process": {"id": f"synthetic_{states}", "title": f"Synthetic process of {states} states",
                    "regulator": "Benchmark", "source": "Generated", "version": "1",
                    "calendar": "GB-ENG"},
        "paragraphs": {"1": "Generated paragraph."},
        "roles": {"officer": {"label": "Officer"}},
        "facts": {"level": {"type": "enum", "values": ["low", "high"], "label": "Level",
                            "default": "low"}},
        "states": {}, "events": {
            "progress_note": {"label": "Progress note", "citation": "1"},
            "raise_level": {"label": "Level raised", "sets": ["level"]},
        },
        "transitions": [], "timescales": [],
    }
    states_, events, transitions = spec["states"], spec["events"], spec["transitions"]
    for p in range(phases):
        phase = f"phase_{p}"
        parallel = p % 10 == 5
        states_[phase] = {"label": f"Phase {p}", "role": "officer", "citation": "1",
                          **({"initial": True} if p == 0 else {}),
                          **({"parallel": True} if parallel else {})}
        if parallel:  # two regions of LEAVES // 2 leaves each, each ending in a final leaf
            for r in range(2):
                region = f"{phase}_r{r}"
                states_[region] = {"label": f"Region {r}", "parent": phase}
                for i in range(LEAVES // 2):
                    leaf = f"{region}_s{i}"
                    states_[leaf] = {"label": f"Step {i}", "parent": region,
                                     **({"initial": True} if i == 0 else {}),
                                     **({"final": True} if i == LEAVES // 2 - 1 else {})}
                    if i:
                        transitions.append({"from": f"{region}_s{i - 1}", "event": f"step_{i}",
                                            "to": leaf})
        else:
            for i in range(LEAVES):
                leaf = f"{phase}_s{i}"
                states_[leaf] = {"label": f"Step {i} of phase {p}", "parent": phase,
                                 **({"initial": True} if i == 0 else {})}
                if i:
                    guarded = i == LEAVES - 1
                    transitions.append({"from": f"{phase}_s{i - 1}", "event": f"step_{i}",
                                        "to": leaf, **({"guard": 'level == "low"'}
                                                       if guarded else {})})
                    if guarded:
                        transitions.append({"from": f"{phase}_s{i - 1}", "event": f"step_{i}",
                                            "to": leaf, "guard": 'level == "high"'})
        last = p + 1 == phases
        transitions.append({"from": phase, "event": "close_case" if last else "next_phase",
                            "to": "closed" if last else f"phase_{p + 1}"})
        spec["timescales"].append({
            "id": f"phase_{p}_deadline", "label": f"Phase {p} within 20 working days",
            "kind": "deadline", "anchor": {"state": phase}, "within": "20 working days",
            "met_by": {"event": "next_phase"}, "citation": "1"})
    for i in range(1, LEAVES):
        events[f"step_{i}"] = {"label": f"Step {i}", "citation": "1"}
    events["next_phase"] = {"label": "Next phase", "citation": "1"}
    events["close_case"] = {"label": "Case closed", "citation": "1"}
    states_["closed"] = {"label": "Closed", "final": True}
    transitions.append({"from": "phase_0", "event": "progress_note", "to": "phase_0"})
    transitions.append({"from": "phase_0", "event": "raise_level", "to": "phase_0"})
    for p in range(1, phases):
        transitions.append({"from": f"phase_{p}", "event": "progress_note", "to": f"phase_{p}"})
    return spec


def write_spec(folder: Path, states: int) -> Path:
    path = folder / f"synthetic_{states}.toml"
    path.write_text(tomli_w.dumps(synthetic_spec(states)))
    return path


def walk(spec, events: int = EVENTS) -> Case:
    """A case sent ``events`` events: a step or a phase change where one is possible, a
    progress note otherwise (every event dated a day after the last)."""
    day = date(2027, 1, 4)
    case = Case(spec, day)
    for n in range(events):
        day += timedelta(days=1) if n % 3 == 0 else timedelta(0)
        available = case.available_events()
        moves = [e for e in available if e.startswith("step_")] or \
            [e for e in available if e == "next_phase"] or ["progress_note"]
        case.fire(moves[0], day)
    return case


def _command_time(path: Path, repeat: int) -> float:
    """Median wall time of ``regflow validate PATH`` less the median of ``regflow
    --version`` (the interpreter and imports starting)."""
    def run(*args: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "regflow.cli", *args], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    runs = max(3, repeat)
    validate = statistics.median(run("validate", str(path)) for _ in range(runs))
    start_up = statistics.median(run("--version") for _ in range(runs))
    return validate - start_up


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()  # what earlier runs left is not collected on this one's time
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def exponent(sizes, times) -> float:
    """Least-squares slope of log(time) on log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / \
        sum((x - mx) ** 2 for x in xs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per figure")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    from regflow.cli.report import next_lines, where_lines

    figures: dict[str, list[float]] = {"validate": [], "render (DOT, no Graphviz)": [],
                                       f"simulate {EVENTS:,} events": []}
    counted = []
    print(f"regflow scale benchmark (python {sys.version.split()[0]}); medians of {repeat}\n")
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            path = write_spec(Path(folder), size)
            spec = load_spec(path)
            counted.append(len(spec.states))
            figures["validate"].append(median_time(lambda p=path: load_spec(p), repeat))
            figures["render (DOT, no Graphviz)"].append(
                median_time(lambda s=spec: diagram_source(s), repeat))

            runs = []
            for _ in range(repeat):  # a fresh spec each time: no step known in advance
                fresh = load_spec(path)
                gc.collect()
                start = time.perf_counter()
                case = walk(fresh)
                where_lines(case)
                next_lines(case)
                case.timescales(case.last_date)
                runs.append(time.perf_counter() - start)
            figures[f"simulate {EVENTS:,} events"].append(statistics.median(runs))
        command = _command_time(write_spec(Path(folder), SIZES[-1]), repeat)
    print(f"   {'states':28s}" + "".join(f"{n:>10,}" for n in counted) + "   exponent")
    for name, times in figures.items():
        print(f"   {name:28s}" + "".join(f"{t:9.3f}s" for t in times)
              + f"   {exponent(counted, times):6.2f}")
    print(f"\n   'regflow validate' of {counted[-1]:,} states: {command:.2f} s above start-up "
          "(the command's time less that of 'regflow --version')")
    with tempfile.TemporaryDirectory() as folder:
        path = write_spec(Path(folder), SIZES[-1])
        gc.collect()
        cpu_start = time.process_time()
        load_spec(path)
        cpu = time.process_time() - cpu_start
    print(f"   validate of {counted[-1]:,} states in CPU time: {cpu:.2f} s (the machine is shared: "
          "wall times include waiting for a core)")
    validate_big = figures["validate"][-1]
    worst = max(exponent(counted, t) for t in figures.values())
    print(f"\n   aim: exponent under 1.2: {'yes' if worst < 1.2 else 'NO'} (worst {worst:.2f}); "
          f"validate of {counted[-1]:,} states under 2 s: "
          f"{'yes' if validate_big < 2 else 'NO'} ({validate_big:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
