"""regflow benchmarks: each figure is a ratio against a baseline measured in the same run.

    make bench            (or: .venv/bin/python benchmarks/run.py [--quick])

1. Load + validate + compile each spec, against parsing the same file with ``tomllib`` alone.
   Aim: under 100 ms per spec.
2. One event on a compiled case (facts checked, guards, catch-up of time-driven events, history)
   against a bare python-statemachine machine built from the same definition, sent the same
   events. Aim: at most 1.5x. "Cold": the first case of a spec, where every step is worked out
   by python-statemachine; "warm": later cases, whose steps are looked up (see
   ``compiler.transition_memo``).
3. Rendering each spec to SVG, against Graphviz rendering the same DOT source alone.
4. A spec's warnings (the timescale consistency analysis and the other warnings), against
   loading the same spec; they run on every keystroke of the coming spec editor. Aim: under
   50 ms per spec. "First": the first analysis in the process (bank holiday tables built).
5. ``regflow compare`` of the two shipped specs, HTML written (both diagrams laid out,
   milestones, timeline from publication), against rendering the two specs to SVG alone.
   Aim: within 1.5x.

Timings are medians of repeated runs (``time.perf_counter``); the figures go in the README.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tomllib
from pathlib import Path

from statemachine.io import create_machine_class_from_definition

from regflow.engine import Case, load_scenario, load_spec
from regflow.engine.cases.compiler import definition
from regflow.engine.drawing.diagram import diagram_source

ROOT = Path(__file__).resolve().parent.parent
SPECS = {
    "ciw_2019": ("specs/ciw_2019.toml", "examples/ciw_significant.toml"),
    "swia_handover": ("specs/swia_handover.toml", "examples/swia_serious_concerns.toml"),
}


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_load(path: Path, repeat: int) -> tuple[float, float]:
    text = path.read_text()
    baseline = median_time(lambda: tomllib.loads(text), repeat)
    ours = median_time(lambda: load_spec(path), repeat)  # a new Spec (and class) every time
    return ours, baseline


def bench_events(spec_path: Path, scenario_path: Path, repeat: int) -> tuple[float, float, int]:
    """Per recorded event. The case is sent the scenario's events and records the time-driven
    ones itself; the bare machine is sent the case's whole history (both kinds) directly."""
    spec = load_spec(spec_path)
    scenario = load_scenario(scenario_path)
    events = list(scenario.events)
    reference = Case(spec, scenario.start, scenario.facts)
    for e in events:
        reference.fire(e.event, e.on, e.set, actor=e.actor, note=e.note)
    sent = [(h.event, h.facts) for h in reference.history]
    bare_class = create_machine_class_from_definition(
        "Bare", states=definition(spec), allow_event_without_transition=False,
        catch_errors_as_events=False, validate_final_reachability=False)

    from regflow.engine.cases.compiler import transition_memo

    ours_times, bare_times, cold_times = [], [], []
    for i in range(repeat):
        if i % 2 == 0:  # every other run starts with no step looked up yet ("cold")
            transition_memo(spec).clear()
        case = Case(spec, scenario.start, scenario.facts)
        start = time.perf_counter()
        for e in events:
            case.fire(e.event, e.on, e.set, actor=e.actor, note=e.note)
        (cold_times if i % 2 == 0 else ours_times).append(time.perf_counter() - start)

        machine = bare_class()
        facts = dict(reference.facts_at(0))
        start = time.perf_counter()
        for event, values in sent:
            facts.update(values)
            machine.send(event, facts=facts)
        bare_times.append(time.perf_counter() - start)
    n = len(sent)
    return (statistics.median(ours_times) / n, statistics.median(cold_times) / n,
            statistics.median(bare_times) / n, n)


def bench_render(spec_path: Path, repeat: int) -> tuple[float, float]:
    import graphviz

    from regflow.plugins.exporters import render_bytes

    spec = load_spec(spec_path)
    source = diagram_source(spec)
    baseline = median_time(lambda: graphviz.Source(source).pipe(format="svg", quiet=True), repeat)
    ours = median_time(lambda: render_bytes(spec, "svg"), repeat)
    return ours, baseline


def bench_warnings(path: Path, repeat: int) -> tuple[float, float, float]:
    from regflow.engine.spec.loader import spec_warnings

    spec = load_spec(path)
    start = time.perf_counter()
    spec_warnings(spec)
    first = time.perf_counter() - start
    baseline = median_time(lambda: load_spec(path), repeat)
    ours = median_time(lambda: spec_warnings(spec), repeat)
    return ours, first, baseline


def bench_compare(repeat: int, folder: Path) -> tuple[float, float]:
    from datetime import date

    from regflow.engine.compare.comparison import compare, comparison_html
    from regflow.plugins.exporters import render_bytes

    left, right = (load_spec(ROOT / spec) for spec, _ in SPECS.values())
    out = folder / "comparison.html"
    base_times, our_times = [], []
    for _ in range(repeat):  # interleaved, so that other work on the machine hits both alike
        base_times.append(median_time(lambda: [render_bytes(s, "svg") for s in (left, right)], 1))
        our_times.append(median_time(lambda: out.write_text(comparison_html(
            compare(left, right, date(2027, 3, 1)))), 1))
    return statistics.median(our_times), statistics.median(base_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (for a smoke run)")
    args = parser.parse_args()
    rep_load, rep_events, rep_render = (3, 3, 2) if args.quick else (30, 200, 10)
    ms = 1000.0

    print(f"regflow benchmarks (python {sys.version.split()[0]}); medians\n")
    print("1. load + validate + compile (baseline: tomllib.loads of the same file)")
    for name, (spec, _) in SPECS.items():
        ours, base = bench_load(ROOT / spec, rep_load)
        print(f"   {name:14s} {ours * ms:7.1f} ms   baseline {base * ms:6.2f} ms   "
              f"ratio {ours / base:5.1f}x   aim < 100 ms: {'yes' if ours < 0.1 else 'NO'}")
    print("\n2. one event on a compiled case (baseline: bare python-statemachine, same definition)")
    for name, (spec, scenario) in SPECS.items():
        ours, cold, base, n = bench_events(ROOT / spec, ROOT / scenario, rep_events)
        print(f"   {name:14s} cold {cold * 1e6:4.0f} us (ratio {cold / base:4.2f}x), "
              f"warm {ours * 1e6:4.0f} us (ratio {ours / base:4.2f}x); baseline "
              f"{base * 1e6:4.0f} us; {n} events; aim <= 1.5x: "
              f"{'yes' if cold / base <= 1.5 else 'NO'}")
    print("\n3. render to SVG (baseline: Graphviz alone on the same DOT source)")
    for name, (spec, _) in SPECS.items():
        ours, base = bench_render(ROOT / spec, rep_render)
        print(f"   {name:14s} {ours * ms:7.1f} ms   baseline {base * ms:6.1f} ms   "
              f"ratio {ours / base:4.2f}x")
    print("\n4. warnings incl. timescale consistency (baseline: load + validate + compile)")
    for name, (spec, _) in SPECS.items():
        ours, first, base = bench_warnings(ROOT / spec, rep_load)
        print(f"   {name:14s} {ours * ms:7.1f} ms (first {first * ms:6.1f} ms)   baseline "
              f"{base * ms:6.1f} ms   ratio {ours / base:4.2f}x   aim < 50 ms: "
              f"{'yes' if ours < 0.05 else 'NO'}")
    import tempfile

    print("\n5. compare ciw_2019 and swia_handover to HTML (baseline: render both to SVG alone)")
    with tempfile.TemporaryDirectory() as folder:
        ours, base = bench_compare(rep_render, Path(folder))
    print(f"   both specs     {ours * ms:7.1f} ms   baseline {base * ms:6.1f} ms   ratio "
          f"{ours / base:4.2f}x   aim <= 1.5x: {'yes' if ours / base <= 1.5 else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
