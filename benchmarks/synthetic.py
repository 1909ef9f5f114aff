"""Synthetic registers for benchmarks and reliability tests.

Cases are the example scenarios cut at random points and moved in time, so every case is a
valid history of a real spec (the import runs each one through the engine).
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from regflow.engine import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ("specs/ciw_2019.toml", "examples/ciw_significant.toml"),
    ("specs/ciw_2019.toml", "examples/ciw_no_concerns.toml"),
    ("specs/ciw_2019.toml", "examples/ciw_christmas.toml"),
    ("specs/ciw_2019.toml", "examples/ciw_serious_no_comments.toml"),
    ("specs/swia_handover.toml", "examples/swia_low_risk.toml"),
    ("specs/swia_handover.toml", "examples/swia_serious_concerns.toml"),
    ("specs/swia_handover.toml", "examples/swia_christmas.toml"),
]


def records(n_cases: int, today: date, mean_events: int = 10, seed: int = 1):
    """``n_cases`` case records (dicts for ``Register.import_cases``)."""
    rng = random.Random(seed)
    stories = [(str(ROOT / spec), load_scenario(ROOT / scenario)) for spec, scenario in SOURCES]
    for i in range(n_cases):
        spec, scenario = stories[i % len(stories)]
        events = list(scenario.events)
        k = max(1, min(len(events), int(rng.expovariate(1 / mean_events)) + 1))
        kept = events[:k]
        gap = today - kept[-1].on
        shift = timedelta(days=gap.days // 7 * 7 - 7 * rng.randint(0, 12))  # keeps weekdays
        yield {
            "spec": spec,
            "title": f"Council {i:06d} - {Path(scenario.path).stem}",
            "opened_on": (scenario.start + shift).isoformat(),
            "facts": {k: v.isoformat() if isinstance(v, date) else v
                      for k, v in scenario.facts.items()},
            "events": [{"on": (e.on + shift).isoformat(), "event": e.event,
                        "set": {k: v.isoformat() if isinstance(v, date) else v
                                for k, v in e.set.items()},
                        "actor": e.actor} for e in kept],
        }


def write_jsonl(path: Path, n_cases: int, today: date, mean_events: int = 10) -> int:
    """Write ``n_cases`` records to ``path``; return the number of events."""
    total = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records(n_cases, today, mean_events):
            total += len(record["events"])
            handle.write(json.dumps(record) + "\n")
    return total
