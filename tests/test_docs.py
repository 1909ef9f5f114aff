"""The documentation's examples are real files that load and run."""

import re
from datetime import date

from regflow.engine import load_scenario, load_spec, run_scenario

from conftest import ROOT

DOC = (ROOT / "docs/spec-format.md").read_text()
BLOCKS = re.findall(r"```toml\n(.*?)```", DOC, flags=re.S)


def test_the_documented_spec_is_the_example_file_and_loads():
    example = (ROOT / "examples/minimal_spec.toml").read_text()
    assert example in BLOCKS
    spec = load_spec(ROOT / "examples/minimal_spec.toml")
    assert spec.process.id == "letter_reply"


def test_the_documented_scenario_is_the_example_file_and_runs():
    example = (ROOT / "examples/minimal_scenario.toml").read_text()
    assert example in BLOCKS
    spec = load_spec(ROOT / "examples/minimal_spec.toml")
    result = run_scenario(spec, load_scenario(ROOT / "examples/minimal_scenario.toml"))
    (row,) = result.case.timescales(result.today)
    # 20 working days after Friday 18 December 2026 in England: 21-24 Dec (4), 29-31 (7),
    # 4-8 Jan (12), 11-15 (17), 18-20 (20)
    assert (row.due, row.status, row.met_on) == (date(2027, 1, 20), "met", date(2027, 1, 11))


def test_every_example_scenario_runs_on_its_spec():
    for path in sorted((ROOT / "examples").glob("*.toml")):
        if path.name in ("minimal_spec.toml", "ciw_2019_pilot.toml"):  # specs, not scenarios
            continue
        scenario = load_scenario(path)
        spec = load_spec((path.parent / scenario.spec).resolve())
        result = run_scenario(spec, scenario)
        assert result.case.history, path


def test_the_variant_example_in_the_spec_format_is_the_file():
    doc = (ROOT / "docs/spec-format.md").read_text()
    example = (ROOT / "examples/ciw_2019_pilot.toml").read_text()
    for line in ('extends = "ciw_2019"', 'id = "ciw_2019_pilot"', 'within = "30 working days"'):
        assert line in doc and line in example
    assert load_spec(ROOT / "examples/ciw_2019_pilot.toml").process.id == "ciw_2019_pilot"
