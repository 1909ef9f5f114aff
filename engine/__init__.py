"""regflow's engine: load a spec, check it, compile it onto python-statemachine, run cases.

>>> from datetime import date
>>> from regflow.engine import load_spec, Case
>>> spec = load_spec("examples/minimal_spec.toml")
>>> case = Case(spec, opened_on=date(2026, 12, 18))
>>> [(row.id, row.due.isoformat(), row.status) for row in case.timescales(date(2026, 12, 18))]
[('reply', '2027-01-20', 'pending')]
>>> entry = case.fire("reply_sent", on=date(2027, 1, 11))
>>> case.active_states, case.timescales(date(2027, 1, 11))[0].status
(['replied'], 'met')
"""

from .cases.case import Case, HistoryEntry
from .cases.scenario import Scenario, SimulationResult, load_scenario, run_scenario
from .cases.timescales import TimescaleStatus
from .errors import (
    CaseError,
    EventRefused,
    Problem,
    RegflowError,
    ScenarioError,
    SpecError,
    UnknownEvent,
)
from .spec.loader import load_spec, loads_spec
from .spec.model import Spec

__all__ = [
    "Case",
    "CaseError",
    "EventRefused",
    "HistoryEntry",
    "Problem",
    "RegflowError",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "Spec",
    "SpecError",
    "TimescaleStatus",
    "UnknownEvent",
    "load_scenario",
    "load_spec",
    "loads_spec",
    "run_scenario",
]
