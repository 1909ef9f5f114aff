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


def test_the_readme_plugin_section_runs_as_written(tmp_path):
    """README "Write a plugin": the module and pyproject as printed, installed where
    importlib.metadata finds its entry point (what ``pip install -e .`` does, without needing a
    network here), then the commands as printed."""
    import os
    import shlex
    import subprocess
    import sys
    import tomllib

    from conftest import install_plugin

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Write a plugin"):]
    section = section[:section.index("\n## ")]
    (module,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    (project,) = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    (commands,) = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    meta = tomllib.loads(project)
    ((plugin, target),) = meta["project"]["entry-points"]["regflow"].items()
    assert meta["tool"]["setuptools"]["py-modules"] == [target]
    site = install_plugin(tmp_path / "site", module=target, source=module,
                          name=meta["project"]["name"], plugin=plugin,
                          version=meta["project"]["version"])
    env = {**os.environ, "PYTHONPATH": str(site)}
    outputs = []
    for line in commands.splitlines():
        words = shlex.split(line.split("#")[0])
        if not words or words[0] == "pip":
            continue
        assert words[0] == "regflow"
        proc = subprocess.run([sys.executable, "-m", "regflow.cli", *words[1:]], cwd=tmp_path,
                              capture_output=True, text=True, env=env)
        assert proc.returncode == 0, (line, proc.stderr)
        outputs.append(proc.stdout)
    assert len(outputs) == 2
    assert "acme  (acme-regflow 1.0)\n    hooks: regflow_calendars, regflow_exporters, regflow_working_calendar" in outputs[0]
    assert "ACME-WLS  Wales, plus Acme's office closure days" in outputs[0]
    rows = [line.split("\t") for line in (tmp_path / "ciw_states.tsv").read_text().splitlines()]
    spec = load_spec(ROOT / "specs" / "ciw_2019.toml")
    assert rows == [[name, state.label] for name, state in spec.states.items()]


def test_the_variant_example_in_the_spec_format_is_the_file():
    doc = (ROOT / "docs/spec-format.md").read_text()
    example = (ROOT / "examples/ciw_2019_pilot.toml").read_text()
    for line in ('extends = "ciw_2019"', 'id = "ciw_2019_pilot"', 'within = "30 working days"'):
        assert line in doc and line in example
    assert load_spec(ROOT / "examples/ciw_2019_pilot.toml").process.id == "ciw_2019_pilot"
