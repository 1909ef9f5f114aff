"""Writing specs without a programmer at hand (issue 10, command line): TOML mistakes said in
words a policy officer can act on, whole folders validated, new specs from templates."""

import os
import re
import shutil
import tomllib

import pytest
from test_cli import regflow

from regflow.engine import SpecError, load_spec
from regflow.engine.spec.tomlhelp import advice

from conftest import ROOT

HEAD = '[process]\nid = "x"\n'


@pytest.mark.parametrize(("line", "expected"), [
    ("within = 30 working days", 'put the text in quotes: within = "30 working days"'),
    ("label = “Draft report”", "use straight quotes"),
    ('label = "Draft report', "close the quote"),
    ("on = 2026-3-11", "write dates as YYYY-MM-DD with two-digit months and days: 2026-03-11"),
    ("within =", "give within a value after the = sign"),
])
def test_toml_mistakes_are_said_in_words(tmp_path, line, expected):
    path = tmp_path / "spec.toml"
    path.write_text(HEAD + line + "\n")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    (problem,) = info.value.problems
    assert expected in problem.message and problem.line == 3
    assert "(TOML: " in problem.message  # the parser's own words stay, for the curious


def test_advice_leaves_what_it_cannot_improve():
    assert advice("Invalid initial character for a key part", "[states.x") == ""
    assert advice("Expected newline", "count = 12") == ""  # a number is fine TOML


def test_scenarios_get_the_same_words(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('spec = "x.toml"\n[[events]]\non = 2026-3-11\nevent = "x"\n')
    proc = regflow("simulate", ROOT / "specs" / "swia_handover.toml", scenario)
    assert proc.returncode == 1 and "write dates as YYYY-MM-DD" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_takes_folders(tmp_path):
    proc = regflow("validate", ROOT / "specs")
    assert proc.returncode == 0
    assert proc.stdout.count("ok  ") == 3  # both specs and the milestone vocabulary
    (tmp_path / "notes").mkdir()
    empty = regflow("validate", tmp_path / "notes")
    assert empty.returncode == 1 and "no .toml files" in empty.stderr


def test_validate_replays_the_scenarios_it_meets_in_a_folder(tmp_path):
    """examples/ holds scenarios beside specs: each is replayed on the spec it names, not
    judged as a spec with unknown keys."""
    proc = regflow("validate", ROOT / "examples")
    assert proc.returncode == 0, proc.stderr
    scenarios = [line for line in proc.stdout.splitlines() if ": scenario ‘" in line]
    assert len(scenarios) == len([p for p in (ROOT / "examples").glob("*.toml")
                                  if "\n[[events]]" in p.read_text(encoding="utf-8")])
    assert "unknown key" not in proc.stderr
    # a scenario whose event the spec does not have: located in the scenario, exit 1
    shutil.copy(ROOT / "examples" / "minimal_spec.toml", tmp_path)
    bad = (ROOT / "examples" / "minimal_scenario.toml").read_text(encoding="utf-8")
    event = re.search(r'event = "(\w+)"', bad).group(1)
    (tmp_path / "story.toml").write_text(bad.replace(f'event = "{event}"', 'event = "replyed"'),
                                         encoding="utf-8")
    proc = regflow("validate", tmp_path)
    assert proc.returncode == 1
    assert re.search(r"story\.toml:\d+:\d+: .*unknown event 'replyed'", proc.stderr), proc.stderr
    assert "ok  " in proc.stdout and "minimal_spec.toml" in proc.stdout


@pytest.mark.parametrize("template", ["inspection", "empty"])
def test_new_spec_from_a_template_validates(tmp_path, template):
    out = tmp_path / f"{template}.toml"
    proc = regflow("new-spec", "--template", template, "-o", out)
    assert proc.returncode == 0 and out.exists()
    spec = load_spec(out)
    assert spec.states and regflow("validate", out).returncode == 0
    again = regflow("new-spec", "--template", template, "-o", out)
    assert again.returncode == 1 and "exists already" in again.stderr


def test_new_spec_refuses_unknown_templates(tmp_path):
    proc = regflow("new-spec", "--template", "nope", "-o", tmp_path / "x.toml")
    assert proc.returncode == 1 and "templates: empty, inspection" in proc.stderr


def test_specs_are_named_the_same_way_in_every_command(tmp_path):
    """A shipped id, a file or a rule variant (variant:NAME) wherever a spec is asked for; a
    mistyped id gets the nearest one and the list, not 'file not found'."""
    for args in (["validate", "variant:swia_proportionate", "ciw_2019"],
                 ["render", "variant:swia_proportionate", "-o", tmp_path / "v.svg"],
                 ["export", "mermaid", "variant:swia_proportionate", "-o", tmp_path / "v.mmd"],
                 ["timeline", "variant:swia_proportionate", "--start", "2027-03-01"]):
        proc = regflow(*args)
        assert proc.returncode == 0, (args, proc.stderr)
    for args in (["compare", "ciw2019", "swia_handover", "--json"], ["render", "CIW_2019", "-o", tmp_path / "c.svg"],
                 ["export", "json", "ciw2019", "-o", "-"], ["validate", "ciw2019"]):
        proc = regflow(*args)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert "(did you mean 'ciw_2019'?); shipped: ciw_2019, swia_handover, " \
               "variant:swia_proportionate" in proc.stderr, (args, proc.stderr)


@pytest.mark.parametrize(("typed", "said"), [
    ("2027-02-30", "'2027-02-30' is not a date: February 2027 has 28 days"),
    ("30/03/2027", "'30/03/2027': write dates as YYYY-MM-DD: 2027-03-30"),
    ("2027-3-1", "'2027-3-1': write dates as YYYY-MM-DD: 2027-03-01"),
    ("2027-13-01", "'2027-13-01' is not a date: there is no month 13"),
    ("tomorrow", "'tomorrow' is not a date: write YYYY-MM-DD, e.g. 2027-03-01"),
])
def test_a_date_typed_wrongly_is_said_with_the_date_meant(typed, said):
    proc = regflow("timeline", "ciw_2019", "--start", typed)
    assert proc.returncode == 2 and said in proc.stderr and "Traceback" not in proc.stderr


def test_new_spec_takes_a_title_and_proposes_the_identifier_from_it(tmp_path):
    out = tmp_path / "care.toml"
    proc = regflow("new-spec", "-o", out, "--title", "Care home inspections 2027")
    assert proc.returncode == 0, proc.stderr
    spec = load_spec(out)
    assert (spec.process.id, spec.process.title) == ("care_home_inspections_2027",
                                                     "Care home inspections 2027")
    assert "id 'care_home_inspections_2027'" in proc.stdout
    # without a title, the identifier comes from the file's name: two new specs, two ids
    for name in ("north.toml", "south.toml"):
        assert regflow("new-spec", "-o", tmp_path / name).returncode == 0
    assert {load_spec(tmp_path / n).process.id for n in ("north.toml", "south.toml")} == {
        "north", "south"}


@pytest.mark.parametrize("base", ["ciw_2019", "specs/ciw_2019.toml"])
def test_new_spec_as_a_variant_of_a_shipped_spec_or_a_file(tmp_path, base):
    out = tmp_path / "pilot.toml"
    proc = regflow("new-spec", "-o", out, "--variant-of", base, "--title", "CIW pilot",
                   cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    data = tomllib.loads(out.read_text())
    assert data["extends"] == "ciw_2019"  # a shipped spec by its id, wherever the file is
    assert data["process"] == {"id": "ciw_pilot", "title": "CIW pilot",
                               "version": "2019-04-variant"}
    spec = load_spec(out)
    assert spec.timescale("draft_report") == load_spec(ROOT / "specs/ciw_2019.toml").timescale(
        "draft_report")  # it changes nothing yet
    own = tmp_path / "own.toml"
    assert regflow("new-spec", "-o", own).returncode == 0
    proc = regflow("new-spec", "-o", tmp_path / "own_pilot.toml", "--variant-of", own)
    assert proc.returncode == 0, proc.stderr
    data = tomllib.loads((tmp_path / "own_pilot.toml").read_text())
    assert data["extends"] == "own.toml" and data["process"]["id"] == "own_pilot"
    assert regflow("validate", tmp_path / "own_pilot.toml").returncode == 0


def test_new_spec_says_what_is_wrong_in_its_own_words(tmp_path):
    proc = regflow("new-spec", "--extends", "ciw_2019", "-o", tmp_path / "x.toml")
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: regflow new-spec")
    assert "unrecognized arguments: --extends ciw_2019" in proc.stderr
    proc = regflow("new-spec", "-o", tmp_path / "nodir" / "x.toml")
    assert proc.returncode == 1
    assert f"the folder {tmp_path / 'nodir'} does not exist" in proc.stderr
    assert not (tmp_path / "nodir").exists()
    proc = regflow("new-spec", "-o", tmp_path / "v.toml", "--variant-of", "ciw2019")
    assert proc.returncode == 1 and "did you mean 'ciw_2019'?" in proc.stderr
    proc = regflow("new-spec", "-o", tmp_path / "v.toml", "--variant-of",
                   "variant:swia_proportionate")
    assert proc.returncode == 1 and "rule variant in code" in proc.stderr
    assert "try swia_handover" in proc.stderr and not (tmp_path / "v.toml").exists()
    proc = regflow("new-spec", "-o", tmp_path / "v.toml", "--variant-of", "ciw_2019",
                   "--template", "empty")
    assert proc.returncode == 2 and "not allowed with" in proc.stderr


def test_new_spec_help_describes_it_and_lists_the_output_as_required():
    proc = regflow("new-spec", "--help")
    assert proc.returncode == 0
    text = proc.stdout
    assert "Write a new spec file" in text and "--title TEXT" in text
    assert "--variant-of SPEC" in text
    required = text.split("required arguments:", 1)[1]
    assert "-o FILE.toml, --output FILE.toml" in required
    assert "-o FILE.toml" not in text.split("required arguments:", 1)[0].split("options:", 1)[1]


def test_a_new_spec_points_at_the_schema_only_inside_the_project(tmp_path):
    """A path into this installation would break once the file is shared: a file outside the
    project that holds the schema gets none; one inside gets a path that travels with it."""
    outside = tmp_path / "shared.toml"
    assert regflow("new-spec", "-o", outside).returncode == 0
    assert "$schema" not in tomllib.loads(outside.read_text())
    assert not outside.read_text().startswith("\n")
    assert regflow("new-spec", "-o", tmp_path / "v.toml", "--variant-of", "ciw_2019"
                   ).returncode == 0
    assert "$schema" not in tomllib.loads((tmp_path / "v.toml").read_text())
    folder = ROOT / f".new_spec_test_{os.getpid()}"  # a folder of the project, as examples/
    folder.mkdir()
    try:
        inside = folder / "mine.toml"
        assert regflow("new-spec", "-o", inside).returncode == 0
        schema = tomllib.loads(inside.read_text())["$schema"]
        assert schema == "../specs/regflow-spec.schema.json"
        assert (inside.parent / schema).resolve() == (ROOT / "specs/regflow-spec.schema.json")
    finally:
        shutil.rmtree(folder)
