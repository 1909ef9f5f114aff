"""The demo register: the example scenarios, moved in time so that they are under way today.

Used by ``regflow demo`` and by the desktop app the first time it opens the default register.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from ..cases.scenario import load_scenario
from ..errors import RegflowError
from .api import Register

DEMO = [  # (spec, scenario, title, weeks earlier: Llanfair's report is late, to find)
    ("ciw_2019", "ciw_significant", "Example County Council - adult services", 0),
    ("ciw_2019", "ciw_no_concerns", "Llanfair Borough - children's services", 3),
    ("ciw_2019", "ciw_christmas", "Bryn Valley Council - adult services", 0),
    ("swia_handover", "swia_low_risk", "Glenmore Council - social work services", 0),
    ("swia_handover", "swia_serious_concerns", "Eastport Council - social work services", 0),
]


def stories() -> Path:
    """The example scenarios the demo cases follow (installed as ``regflow.examples``)."""
    from importlib import resources

    return Path(str(resources.files("regflow.examples")))


def make_demo(reg: Register, report: Callable[[str], None] = lambda _line: None) -> list[int]:
    """Fill an empty register with the demo cases; returns their numbers."""
    from regflow.specs import shipped

    if reg.count_cases():
        raise RegflowError("this register already has cases; run the demo on a new one, "
                           "e.g. regflow demo --db demo.db")
    made = []
    for spec_name, scenario_name, title, earlier in DEMO:
        spec_path = shipped()[spec_name]
        scenario = load_scenario(stories() / f"{scenario_name}.toml")
        # stop each story part-way, at a point that lies in the past today
        events = list(scenario.events)
        keep = events[: max(2, (len(events) * 2) // 3)]
        # whole weeks, so weekdays (and most working-day counts) stay as in the story
        shift = timedelta(weeks=(reg.today - keep[-1].on).days // 7 - 1 - earlier)
        view = reg.new_case(spec_path, title, scenario.start + shift, scenario.facts)
        for e in keep:
            view = reg.fire(view.id, e.event, e.on + shift, e.set, actor=e.actor or "demo",
                            note=e.note)
        made.append(view.id)
        report(f"case {view.id}: {title} ({view.spec.process.id}), {len(keep)} events, now: "
               + "; ".join(view.spec.states[n].label for n in view.case.current_states[:2]))
    return made
