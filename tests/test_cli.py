"""The ``regflow`` command as a person runs it: output, exit codes, never a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, ROOT

SPEC = str(DATA / "review.toml")
SCENARIO = str(DATA / "review_scenario.toml")


def regflow(*args, cwd=None):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_validate_ok():
    proc = regflow("validate", SPEC, ROOT / "examples/minimal_spec.toml")
    assert proc.returncode == 0
    assert "ok  " in proc.stdout and "11 states" in proc.stdout


def test_validate_accepts_the_milestone_vocabulary_beside_the_specs():
    proc = regflow("validate", ROOT / "specs/milestones.toml")
    assert proc.returncode == 0
    assert "milestone vocabulary (" in proc.stdout


def test_validate_reports_every_problem_with_location(tmp_path):
    bad = tmp_path / "bad.toml"
    text = (DATA / "review.toml").read_text()
    bad.write_text(text.replace('within = "25 working days"', 'within = "25 wrking days"')
                   .replace('to = "drafting"', 'to = "drafting_x"'))
    proc = regflow("validate", bad, SPEC)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert any(":25 working days" not in line and "bad.toml:" in line and "(did you mean '25 working days'?)"
               in line for line in lines)
    assert any("transitions[1].to: unknown state 'drafting_x'" in line for line in lines)
    assert "1 of 2 spec(s) have problems" in proc.stderr
    assert "ok  " in proc.stdout  # the good one is still reported


def test_simulate_text():
    proc = regflow("simulate", SPEC, SCENARIO)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "As of 2027-06-01" in out
    assert "Notice review due" in out  # the automatic 90-day review moved the case
    assert "Notice review falls due (recorded by regflow on its due date)" in out
    assert "2027-01-27" in out and "Draft report shared" in out
    assert "In the scenario but after 2027-06-01 (not replayed)" in out and "progress_report" in out
    assert "Next due\n  2027-05-02   30 days overdue  Notice reviewed after 90 days  [4]" in out


def test_simulate_json_with_today():
    proc = regflow("simulate", SPEC, SCENARIO, "--json", "--today", "2027-03-01")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["today"] == "2027-03-01"
    assert data["current_states"] == ["awaiting_report", "notice_given"]
    draft = next(r for r in data["timescales"] if r["id"] == "draft")
    assert (draft["due"], draft["status"], draft["citation"]) == ("2027-01-27", "met", "3")
    review = next(r for r in data["timescales"] if r["id"] == "notice_review")
    assert (review["due"], review["status"]) == ("2027-05-02", "pending")
    assert [h["event"] for h in data["history"]][-1] == "notice_given"
    assert [e["event"] for e in data["not_yet"]] == ["progress_report"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["simulate", SPEC, SCENARIO, "--today", "2027-02-30"], "is not a date"),
    (["simulate", SPEC, "nope.toml"], "nope.toml: file not found"),
    (["render", SPEC, "-o", "x.unknown"], "cannot tell the format"),
    (["render", SPEC, "-o", "x.svg", "--format", "gif"], "unknown format 'gif'"),
    (["render", SPEC, "-o", "x.svg", "--format", "png"], "name it 'x.png' or use the svg format"),
    (["render", SPEC, "-o", "/no/such/folder/x.svg"], "does not exist"),
    (["validate"], "the following arguments are required"),
])
def test_bad_input_gives_a_message_and_a_non_zero_exit(args, fragment, tmp_path):
    proc = regflow(*args, cwd=tmp_path)
    assert proc.returncode != 0
    assert fragment in proc.stderr


def test_scenario_problems_are_located(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text('start = 2026-03-02\n\n[[events]]\non = 2026-03-30\nevent = "fieldwork_startd"\n'
                   '\n[[events]]\non = 2026-13-01\nevent = "x"\n')
    proc = regflow("simulate", SPEC, bad)
    assert proc.returncode == 1
    assert "not valid TOML" in proc.stderr and ":8:" in proc.stderr
    bad.write_text('start = 2026-03-02\n\n[[events]]\non = 2026-03-30\nevent = "fieldwork_startd"\n')
    proc = regflow("simulate", SPEC, bad)
    assert "s.toml:5:9: events[0].event: unknown event 'fieldwork_startd'" in proc.stderr
    assert "(did you mean 'fieldwork_started'?)" in proc.stderr


def test_a_refused_scenario_event_says_why_and_where(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text(Path(SCENARIO).read_text().replace('concern = "significant"', 'concern = "serious"'))
    proc = regflow("simulate", SPEC, bad)
    assert proc.returncode == 1
    assert "events[3]: event 'notice_given' refused: to 'notice_given' needs" in proc.stderr
    assert '(4)' in proc.stderr


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf", ".dot"])
def test_render_every_builtin_format(tmp_path, suffix):
    out = tmp_path / f"review{suffix}"
    proc = regflow("render", SPEC, "-o", out)
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    magic = {".svg": b"<svg", ".png": b"\x89PNG", ".pdf": b"%PDF", ".dot": b"digraph"}[suffix]
    assert magic in data[:400]
    assert not list(tmp_path.glob(".*.partial"))


def test_render_with_a_scenario_highlights_the_case(tmp_path):
    out = tmp_path / "case.dot"
    assert regflow("render", SPEC, "-o", out, "--scenario", SCENARIO).returncode == 0
    dot = out.read_text()
    active_line = next(line for line in dot.splitlines() if line.strip().startswith('"notice_review_due" ['))
    assert "penwidth=3" in active_line and "#F5C77E" in active_line


def test_plugins_lists_the_builtin_exporters():
    proc = regflow("plugins")
    assert proc.returncode == 0
    assert "regflow.plugins.exporters  (built-in)\n    hooks: regflow_exporters\n" in proc.stdout
    assert "regflow.plugins.calendars  (built-in)\n    hooks: regflow_calendars, regflow_working_calendar" in proc.stdout
    assert "svg (.svg)" in proc.stdout and "a register: ics (.ics), csv (.csv)" in proc.stdout


def test_hook_tracing_environment_variable():
    env = {**os.environ, "REGFLOW_TRACE_HOOKS": "1"}
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", "plugins"], capture_output=True,
                          text=True, env=env)
    assert "regflow_exporters" in proc.stderr


def test_render_focus_draws_one_compound_state(tmp_path):
    out = tmp_path / "after.dot"
    assert regflow("render", SPEC, "-o", out, "--focus", "after").returncode == 0
    dot = out.read_text()
    assert '"notice_given" [' in dot and '"announced" [' not in dot
    assert "A small review with concerns: After publication" in dot
    proc = regflow("render", SPEC, "-o", out, "--focus", "notice_given")
    assert proc.returncode == 1 and "is not a state that contains others" in proc.stderr


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.run(f"{sys.executable} -m regflow.cli simulate {SPEC} {SCENARIO} --json | head -1",
                          shell=True, capture_output=True, text=True)
    assert proc.stdout.strip() == "{"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_render_never_overwrites_its_inputs(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text((DATA / "review.toml").read_text())
    hard, soft = tmp_path / "hard.dot", tmp_path / "soft.dot"
    hard.hardlink_to(spec)
    soft.symlink_to(spec)
    for output in (spec, hard, soft):
        proc = regflow("render", spec, "-o", output, "--format", "dot")
        assert proc.returncode == 1 and "is the same file as the input" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert spec.read_text() == (DATA / "review.toml").read_text()


def test_render_never_writes_over_a_register_or_another_spec(tmp_path):
    other, register = tmp_path / "other.toml", tmp_path / "team.png"
    other.write_text("[process]\n")
    register.write_bytes(b"SQLite format 3\x00" + bytes(100))
    for output, words in ((other, "is a spec or scenario"), (register, "is a database")):
        before = output.read_bytes()
        proc = regflow("render", SPEC, "-o", output, "--format", "png")
        assert proc.returncode == 1 and words in proc.stderr and "nothing was written" in proc.stderr
        assert output.read_bytes() == before


def test_render_refuses_devices_and_writes_through_links(tmp_path):
    proc = regflow("render", SPEC, "-o", "/dev/null", "--format", "dot")
    assert proc.returncode == 1 and "not a regular file" in proc.stderr
    target = tmp_path / "real.dot"
    target.write_text("old")
    link = tmp_path / "link.dot"
    link.symlink_to(target)
    assert regflow("render", SPEC, "-o", link).returncode == 0
    assert link.is_symlink() and target.read_text().startswith("digraph")


def test_render_to_standard_output():
    proc = regflow("render", SPEC, "-o", "-", "--format", "dot")
    assert proc.returncode == 0 and proc.stdout.startswith("digraph")
    proc = regflow("render", SPEC, "-o", "-")
    assert proc.returncode == 1 and "needs --format" in proc.stderr


def test_render_today_needs_a_scenario(tmp_path):
    proc = regflow("render", SPEC, "-o", tmp_path / "x.dot", "--today", "2027-01-01")
    assert proc.returncode == 1 and "--today only applies with --scenario" in proc.stderr


def test_json_keeps_the_types_of_facts():
    data = json.loads(regflow("simulate", SPEC, SCENARIO, "--json").stdout)
    assert data["facts"] == {"concern": "significant"}
    assert data["history"][1]["facts"] == {"concern": "significant"}


def test_json_booleans_and_numbers_stay_json(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text(Path(SCENARIO).read_text().replace(
        'on = 2027-07-01\nevent = "progress_report"',
        'on = 2027-05-03\nevent = "notice_reviewed"\nset = { further_notice = false }'))
    data = json.loads(regflow("simulate", SPEC, scenario, "--json").stdout)
    assert data["facts"]["further_notice"] is False


def test_scenario_actors_are_roles_of_the_spec(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text(Path(SCENARIO).read_text().replace('actor = "lead"', 'actor = "laed"'))
    proc = regflow("simulate", SPEC, scenario)
    assert proc.returncode == 1
    assert "events[0].actor: unknown role 'laed' in review (did you mean 'lead'?)" in proc.stderr


def test_today_before_the_case_opens_is_refused():
    proc = regflow("simulate", SPEC, SCENARIO, "--today", "2020-01-01")
    assert proc.returncode == 1 and "not yet open (start = 2026-03-02)" in proc.stderr


def test_a_scenario_for_another_spec_says_so():
    proc = regflow("simulate", ROOT / "examples/minimal_spec.toml", SCENARIO)
    assert proc.returncode == 1
    assert "this scenario was written for 'review.toml', not 'minimal_spec.toml'" in proc.stderr


def test_swapped_arguments_are_explained():
    proc = regflow("simulate", SPEC, SPEC)
    assert proc.returncode == 1 and "this is a spec, not a scenario" in proc.stderr


def test_version():
    proc = regflow("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("regflow ")
