"""Issue 13's bad inputs, literally: each gives a clear, located message and exit code 1, never a
traceback or a hang; specs that used to load silently are refused or advised on."""

import json
import os
import subprocess
import sys
from datetime import date

import pytest

from regflow.cli.main import main
from regflow.engine import Case, SpecError, load_spec
from regflow.engine.errors import DateError
from regflow.engine.register.bulk import prepare_case
from regflow.engine.register.records import read_records
from regflow.engine.spec import advice

from conftest import ROOT

MINIMAL = (ROOT / "examples/minimal_spec.toml").read_text()
SCENARIO = "start = 2026-12-18\ntoday = 2027-01-11\n"
TODAY = date(2027, 6, 1)


def write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def variant(*replacements, append=""):
    text = MINIMAL
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text + append


def cli(capsys, *args):
    """``regflow ARGS`` in this process: (exit code, stdout, stderr)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def cli_subprocess(*args, timeout=60):
    """For inputs that used to hang: a hang fails the test instead of stopping the suite."""
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def problems_of(tmp_path, text):
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, text))
    return info.value.problems


def only(problems, fragment):
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


# -- crashes and hangs ---------------------------------------------------------------------------

def test_a_multi_line_string_ending_in_an_escaped_backslash_keeps_later_lines_located(tmp_path):
    text = variant(('note = "A two-step process used in the documentation."',
                    'note = """ends in a backslash \\\\"""\nbogus = 1'))
    p = only(problems_of(tmp_path, text), "unknown key 'bogus'")
    assert p.line == text.splitlines().index("bogus = 1") + 1 and p.path == "process.bogus"


def test_a_multi_line_string_with_a_line_ending_backslash_is_followed(tmp_path):
    text = variant(('note = "A two-step process used in the documentation."',
                    'note = """first \\\n   second"""\nbogus = """x"""'))
    p = only(problems_of(tmp_path, text), "unknown key 'bogus'")
    assert p.line == text.splitlines().index('bogus = """x"""') + 1


def test_an_integer_over_4300_digits_is_refused_with_its_line(tmp_path, capsys):
    path = write(tmp_path, MINIMAL + "\n[facts.n]\ntype = \"number\"\nlabel = \"N\"\ndefault = "
                 + "9" * 5000 + "\n")
    code, _, err = cli(capsys, "validate", path)
    assert code == 1
    assert f"spec.toml:{MINIMAL.count(chr(10)) + 5}:11: a number too long to read" in err


@pytest.mark.parametrize("duration", ["99999 years", "101 years", "9" * 5000 + " days"])
def test_durations_past_100_years_are_refused(tmp_path, duration):
    p = only(problems_of(tmp_path, variant(('within = "20 working days"',
                                            f'within = "{duration}"'))), "longer than 100 years")
    assert p.path == "timescales[0].within" and p.line is not None
    assert len(p.message) < 200


def test_today_at_the_end_of_the_calendar_is_refused(tmp_path, capsys):
    spec, scenario = write(tmp_path, MINIMAL), write(tmp_path, SCENARIO, "scenario.toml")
    code, _, err = cli(capsys, "simulate", spec, scenario, "--today", "9999-12-31")
    assert code == 1
    assert "9999-12-31) is outside the dates regflow works with (1900-01-01 to 2999-12-31)" in err


def test_a_case_opened_on_0001_01_01_is_refused_in_a_scenario_an_import_and_the_engine(tmp_path,
                                                                                     capsys):
    spec = write(tmp_path, MINIMAL)
    scenario = write(tmp_path, "start = 0001-01-01\n", "scenario.toml")
    code, _, err = cli(capsys, "simulate", spec, scenario)
    assert code == 1 and "scenario.toml:1:9: start: the date (0001-01-01) is outside" in err
    record = {"spec": str(spec), "title": "T", "opened_on": "0001-01-01"}
    _where, outcome = prepare_case(("cases.jsonl:1", record, TODAY))
    assert "the opening date (0001-01-01) is outside" in outcome
    with pytest.raises(DateError, match="outside the dates"):
        Case(load_spec(spec), date(1, 1, 1))


def test_nan_in_a_number_fact_is_refused_in_the_spec_on_the_command_line_and_in_imports(
        tmp_path, capsys):
    text = MINIMAL + '\n[facts.n]\ntype = "number"\nlabel = "N"\ndefault = nan\n'
    p = only(problems_of(tmp_path, text), "expected a number, found nan")
    assert p.path == "facts.n.default"
    spec = load_spec(write(tmp_path, MINIMAL + '\n[facts.n]\ntype = "number"\nlabel = "N"\n'
                           + 'citation = "1.1"\n', "numbers.toml"))
    for value in ("nan", "inf", float("nan")):
        with pytest.raises(Exception, match="expected a number, found"):
            Case(spec, date(2027, 1, 4), {"n": value})
    lines = write(tmp_path, '{"spec": "x", "title": "t", "opened_on": "2027-01-04", '
                  '"facts": {"n": NaN}}\n', "cases.jsonl")
    [(where, record)] = read_records(lines)
    assert where.endswith("cases.jsonl:1") and record["__error__"] == "not JSON: NaN is not a JSON value"


def test_every_0_months_is_refused_and_simulate_does_not_loop(tmp_path):
    text = variant(('kind = "deadline"', 'kind = "recurring"'),
                   ('within = "20 working days"', 'every = "0 months"'))
    spec, scenario = write(tmp_path, text), write(tmp_path, SCENARIO, "scenario.toml")
    proc = cli_subprocess("simulate", spec, scenario)
    assert proc.returncode == 1
    assert "timescales[0].every: 'every 0 months' never moves on" in proc.stderr


@pytest.mark.parametrize("nested", [
    "[" * 1000 + "]" * 1000,
    "{ a = " * 1000 + "1" + " }" * 1000,
    "[" * 100 + "]" * 100,  # parses, but deeper than regflow reads
])
def test_deep_nesting_in_toml_is_refused(tmp_path, nested, capsys):
    code, _, err = cli(capsys, "validate", write(tmp_path, MINIMAL + f"\n[paragraphs2]\nx = {nested}\n"))
    assert code == 1 and "nested" in err and "20 levels" in err


@pytest.mark.parametrize("guard", ["not " * 1000 + "urgent", " and ".join(["urgent"] * 1000),
                                   "not " * 200 + "urgent", "(" * 30 + "urgent" + ")" * 30])
def test_guards_beyond_the_limits_are_refused_not_recursed_into(tmp_path, guard):
    text = variant(('to = "replied"\ncitation = "1.2"', f'to = "replied"\ncitation = "1.2"\nguard = "{guard}"'))
    p = only(problems_of(tmp_path, text), "guard")
    assert p.path == "transitions[0].guard"
    assert any(words in p.message for words in ("at most 1,000 characters", "at most 50 operators",
                                                "nested more than 10 deep"))


def test_a_guard_regex_with_catastrophic_backtracking_does_not_hang_validate(tmp_path):
    guard = '"' + "a" * 40 + '!" =~ "(a+)+$"'
    text = variant(('to = "replied"\ncitation = "1.2"',
                    f"to = \"replied\"\ncitation = \"1.2\"\nguard = '{guard}'"))
    proc = cli_subprocess("validate", write(tmp_path, text))
    assert proc.returncode == 1
    assert "transitions[0].guard" in proc.stderr and "a fact on the left" in proc.stderr


def test_a_pattern_that_would_backtrack_is_matched_in_linear_time_on_a_fact(tmp_path):
    text = variant(('[facts.urgent]', '[facts.sender]\ntype = "text"\nlabel = "Sender"\n\n[facts.urgent]'),
                   ('to = "replied"\ncitation = "1.2"',
                    "to = \"replied\"\ncitation = \"1.2\"\nguard = 'sender !~ \"(a+)+$\"'"))
    spec = load_spec(write(tmp_path, text))
    guard = spec.guards['sender !~ "(a+)+$"']
    assert guard.holds({"sender": "a" * 50_000 + "!"}) is True  # (returns at once on RE2)
    assert guard.holds({"sender": "aaaa"}) is False


def test_a_pattern_re2_cannot_run_is_refused_at_its_column(tmp_path):
    text = variant(('[facts.urgent]', '[facts.sender]\ntype = "text"\nlabel = "Sender"\n\n[facts.urgent]'),
                   ('to = "replied"\ncitation = "1.2"',
                    "to = \"replied\"\ncitation = \"1.2\"\nguard = 'sender =~ \"(a)\\\\1\"'"))
    p = only(problems_of(tmp_path, text), "cannot be used")
    assert "RE2" in p.message and p.column == 9 + 1 + len("sender =~ ")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_validate_refuses_a_device(device, capsys):
    code, _, err = cli(capsys, "validate", device)
    assert code == 1 and f"{device}: is not a regular file" in err


def test_an_import_naming_dev_zero_as_its_spec_is_refused_for_that_line(tmp_path):
    where, outcome = prepare_case(("cases.jsonl:3", {"spec": "/dev/zero", "title": "T",
                                                     "opened_on": "2027-01-04"}, TODAY))
    assert where == "cases.jsonl:3" and "/dev/zero: is not a regular file" in outcome


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path, capsys):
    pipe = tmp_path / "pipe.toml"
    os.mkfifo(pipe)
    code, _, err = cli(capsys, "validate", pipe)
    assert code == 1 and "is not a regular file" in err


def test_scenario_values_of_the_wrong_type_are_located(tmp_path, capsys):
    spec = write(tmp_path, MINIMAL)
    scenario = write(tmp_path, 'spec = 5\nstart = 2026-12-18\n[[events]]\non = 2027-01-11\n'
                     'event = "reply_sent"\nactor = ["officer"]\nnote = 2027-01-11\n',
                     "scenario.toml")
    code, _, err = cli(capsys, "simulate", spec, scenario)
    assert code == 1
    assert "scenario.toml:1:8: spec: expected text in quotes, found 5" in err
    assert "scenario.toml:6:9: events[0].actor: expected text in quotes, found a list" in err
    assert "scenario.toml:7:8: events[0].note: expected text in quotes, found 2027-01-11" in err


@pytest.mark.parametrize(("change", "message"), [
    ({"spec": 5}, "spec: expected text (the spec file's path), found a number"),
    ({"title": ["a"]}, "title: expected text, found a list"),
    ({"events": [{"on": "2027-01-11", "event": "reply_sent", "note": ["x"]}]},
     "events[0].note: expected text, found a list"),
    ({"events": [{"on": "2027-01-11", "event": "reply_sent", "actor": ["x"]}]},
     "events[0].actor: expected text, found a list"),
    ({"events": {"on": "2027-01-11"}}, "events: expected a list of events, found an object"),
    ({"facts": [1]}, "facts: expected an object of fact: value, found a list"),
    ({"events": [{"on": 20270111, "event": "reply_sent"}]},
     "events[0].on: expected a date as text, YYYY-MM-DD, found a number"),
])
def test_import_values_of_the_wrong_type_are_reported_with_their_key(tmp_path, change, message):
    record = {"spec": str(write(tmp_path, MINIMAL)), "title": "T", "opened_on": "2027-01-04",
              **change}
    _where, outcome = prepare_case(("cases.jsonl:2", record, TODAY))
    assert outcome == message


def test_a_list_as_an_import_note_is_refused_by_the_command(tmp_path, capsys):
    spec = write(tmp_path, MINIMAL)
    lines = write(tmp_path, json.dumps({"spec": str(spec), "title": "T", "opened_on": "2027-01-04",
                                        "events": [{"on": "2027-01-11", "event": "reply_sent",
                                                    "note": ["x"]}]}) + "\n", "cases.jsonl")
    code, out, err = cli(capsys, "import", lines, "--db", tmp_path / "reg.db", "--quiet",
                         "--workers", "1", "--today", "2027-06-01")
    assert code == 1 and "cases.jsonl:1: events[0].note: expected text, found a list" in err
    assert "imported 0 cases" in out


def test_invalid_utf8_in_an_import_file_is_reported_by_line_and_column(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b'{"spec": "x"}\n{"title": "\xff"}\n')
    rows = list(read_records(path))
    assert rows[1] == (f"{path}:2:12", {"__error__": "not UTF-8 text: save the file as UTF-8"})


def test_a_utf16_import_file_is_refused_as_a_whole(tmp_path, capsys):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"spec": "x"}\n', encoding="utf-16")
    code, _, err = cli(capsys, "import", path, "--db", tmp_path / "reg.db", "--quiet")
    assert code == 1 and "is UTF-16 text; save it as UTF-8" in err


def test_deeply_nested_and_huge_json_lines_are_reported(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + '{"n": ' + "9" * 5000 + "}\n")
    rows = list(read_records(path))
    assert rows[0][1]["__error__"] == "nested more than 20 levels deep"
    assert rows[1][1]["__error__"] == "not JSON: a number too long to read"


# -- specs that used to load silently ------------------------------------------------------------

def test_a_name_ending_in_a_newline_is_refused(tmp_path):
    found = problems_of(tmp_path, variant(('[states.replied]', '[states."replied\\n"]'),
                                          ('to = "replied"', 'to = "replied\\n"')))
    key = [p for p in found if p.path == 'states."replied\\n"']
    assert key and key[0].line is not None and "is not a valid name" in key[0].message
    found = problems_of(tmp_path, variant(('id = "letter_reply"', 'id = "letter_reply\\n"')))
    assert only(found, "is not a valid name").path == "process.id"


@pytest.mark.parametrize(("key", "shown"), [('"f(x)"', "'f(x)'"), ('"it\'s"', "'it's'"),
                                            ('""', "'' (an empty name)")])
def test_unknown_keys_with_brackets_quotes_or_no_name_are_reported(tmp_path, key, shown):
    text = variant(('calendar = "GB-ENG"', f'calendar = "GB-ENG"\n{key} = 1'))
    p = only(problems_of(tmp_path, text), "unknown key")
    assert p.message.startswith(f"unknown key {shown}")
    assert p.line == text.splitlines().index(f"{key} = 1") + 1


@pytest.mark.parametrize(("after", "within"), [("2 years", "18 months"), ("30 days", "1 month"),
                                               ("5 weeks", "20 working days")])
def test_a_window_that_opens_after_it_closes_is_found_across_units(tmp_path, after, within):
    text = variant(('kind = "deadline"', f'kind = "window"\nafter = "{after}"'),
                   ('within = "20 working days"', f'within = "{within}"'))
    p = only(problems_of(tmp_path, text), "the window opens")
    assert p.path == "timescales[0].after"


def test_a_window_that_always_opens_first_is_accepted(tmp_path):
    load_spec(write(tmp_path, variant(('kind = "deadline"', 'kind = "window"\nafter = "1 month"'),
                                      ('within = "20 working days"', 'within = "6 weeks"'))))


@pytest.mark.parametrize(("written", "plain"), [("２０ working days", "20 working days"),
                                                ("٢٠ working days", "20 working days")])
def test_durations_in_other_digits_are_refused_with_the_plain_spelling(tmp_path, written, plain):
    p = only(problems_of(tmp_path, variant(('within = "20 working days"', f'within = "{written}"'))),
             "digits 0-9")
    assert p.suggestion == f"'{plain}'"


def test_constant_guards_and_empty_words_are_advised_on(tmp_path):
    text = variant(('label = "Case officer"', 'label = " "\ncitation = ""'),
                   ('to = "replied"\ncitation = "1.2"',
                    'to = "replied"\ncitation = "1.2"\nguard = "1 == 1"\nlabel = ""'))
    found = {(".".join(map(str, where)), message.split(":")[0])
             for where, message, _ in advice.check(load_spec(write(tmp_path, text)))}
    assert found == {("transitions.0.guard", "guard '1 == 1' reads no fact, so it is always true"),
                     ("roles.officer.label", "empty label"),
                     ("roles.officer.citation", "empty citation"),
                     ("transitions.0.label", "empty label")}
    assert list(advice.check(load_spec(ROOT / "specs/ciw_2019.toml"))) == []


def test_register_commands_refuse_today_at_the_end_of_the_calendar_before_opening(tmp_path,
                                                                                 capsys):
    db = tmp_path / "reg.db"
    for command in (["case", "list"], ["due"]):
        code, _, err = cli(capsys, *command, "--db", db, "--today", "9999-12-31")
        assert code == 1
        assert "the date taken as today (9999-12-31) is outside the dates regflow works with" in err
    assert not db.exists()


def test_due_within_more_than_100_years_is_a_command_line_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["due", "--db", str(tmp_path / "reg.db"), "--within", "99999999d"])
    assert info.value.code == 2
    assert "is more than 100 years ahead" in capsys.readouterr().err


def test_states_nested_more_than_20_deep_are_refused_before_compiling(tmp_path):
    chain = "".join(f'\n[states.level_{i}]\nlabel = "Level {i}"\ninitial = true\n'
                    + (f'parent = "level_{i - 1}"\n' if i else "") for i in range(30))
    text = variant(('[states.received]\nlabel = "Letter received"\nrole = "officer"\n'
                    'citation = "1.1"\ninitial = true', '[states.received]\nlabel = "Letter '
                    'received"\nrole = "officer"\ncitation = "1.1"'), append=chain)
    p = only(problems_of(tmp_path, text), "nested more than 20 deep")
    assert p.path == "states.level_21.parent" and p.line is not None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_spec_saved_as_utf16_is_refused_and_a_utf8_byte_order_mark_is_read(tmp_path, encoding,
                                                                             capsys):
    path = tmp_path / "spec.toml"
    path.write_text(MINIMAL, encoding=encoding)
    code, out, err = cli(capsys, "validate", path)
    if encoding == "utf-16":
        assert code == 1 and "spec.toml: is UTF-16 text: save it as UTF-8" in err
    else:
        assert code == 0 and "ok  " in out


def _capped_memory():  # runs in the child before regflow starts
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (768 * 2**20, 768 * 2**20))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="address-space limits: Linux")
def test_inputs_that_used_to_exhaust_memory_end_in_a_message_within_768_mb(tmp_path):
    every = write(tmp_path, variant(('kind = "deadline"', 'kind = "recurring"'),
                                    ('within = "20 working days"', 'every = "0 months"')))
    scenario = write(tmp_path, SCENARIO, "scenario.toml")
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 1_000_000 + "]" * 1_000_000 + "\n")
    for args, words in ((["validate", "/dev/zero"], "is not a regular file"),
                        (["simulate", every, scenario], "never moves on"),
                        (["import", deep, "--db", tmp_path / "reg.db", "--quiet", "--workers", "1"],
                         "nested more than 20 levels deep")):
        proc = subprocess.run([sys.executable, "-m", "regflow.cli", *map(str, args)],
                              capture_output=True, text=True, timeout=120,
                              preexec_fn=_capped_memory)
        assert proc.returncode == 1, proc.stderr
        assert words in proc.stderr and "Traceback" not in proc.stderr
