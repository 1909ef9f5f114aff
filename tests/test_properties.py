"""Property-based tests (hypothesis): whatever a spec, scenario, guard or import line holds,
regflow gives a result or a clear, located message: never another exception, never a hang.

Inputs are mutations of valid ones (the shipped specs, the test spec, the minimal example) and
values from the classes of issue 13 (huge numbers, calendar ends, nan, deep nesting, names with
newlines, catastrophic patterns, wrong types). Runs are deterministic (``derandomize``, no example
database) and short (``max_examples``); a run that hangs is stopped by faulthandler's watchdog
with a traceback of where it hung, rather than stopping the suite.
"""

from __future__ import annotations

import copy
import faulthandler
import json
import os
import tempfile
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regflow.cli.report import json_report, text_report
from regflow.engine import RegflowError, SpecError, load_spec, loads_spec
from regflow.engine.cases.scenario import load_scenario, run_scenario
from regflow.engine.errors import Problem, ProblemsError
from regflow.engine.register.bulk import Prepared, prepare_case
from regflow.engine.register.records import read_records
from regflow.engine.spec.guards import GuardSyntaxError, compile_guard
from regflow.engine.spec.model import Fact

from conftest import DATA, ROOT

BASES = {name: (ROOT / path).read_text() for name, path in {
    "minimal": "examples/minimal_spec.toml", "review": "tests/data/review.toml",
    "ciw": "specs/ciw_2019.toml", "swia": "specs/swia_handover.toml"}.items()}
DATA_OF = {name: tomllib.loads(text) for name, text in BASES.items()}
TODAY = date(2027, 6, 1)

# Deterministic in CI and locally, and modest in time; loads may be slow on a shared machine.
# REGFLOW_HYPOTHESIS_EXPLORE=N: random examples, N times as many (to look for new failures).
EXPLORE = int(os.environ.get("REGFLOW_HYPOTHESIS_EXPLORE", "0"))
PROPERTY = settings(derandomize=not EXPLORE, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def examples(n: int) -> int:
    return n * (EXPLORE or 1)


@pytest.fixture(autouse=True)
def watchdog():
    """A hang fails loudly (traceback of every thread, then exit) instead of stopping CI."""
    faulthandler.dump_traceback_later(300, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def assert_located(problems: list[Problem]) -> None:
    assert problems
    for p in problems:
        assert isinstance(p, Problem) and p.message and p.file, p
        assert "Traceback" not in p.message
        assert len(p.message) < 2_000, p.message[:200]  # a message, not a dump of the input
        str(p)  # and it can be printed


# -- values of the troublesome classes --------------------------------------------------------------

NAMES = ["received", "replied", "reply_sent", "urgent", "officer", "drafting", "concern",
         "x\n", "", "f(x)", "it's", "Ünïcode", "a" * 300]
WORDS = ["20 working days", "0 months", "99999 years", "２０ days", "٢٠ days", "1 year",
         "18 months", "2 years", "-3 days", "3 fortnights", "nan", "inf"]
GUARDS = ['urgent == true', "1 == 1", 'concern == "significant"', '"aaaa!" =~ "(a+)+$"',
          'concern =~ "(a+)+$"', "not " * 400 + "urgent", " and ".join(["urgent"] * 300),
          "(" * 40 + "urgent" + ")" * 40, "10 ** 10 ** 10 > 1", "$now > 1", "urgent.__class__",
          'concern in ["serious", "significant"]', "1 / 0 == 1"]
DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
EDGE_DATES = st.sampled_from([date(1, 1, 1), date(1899, 12, 31), date(1900, 1, 1),
                              date(2999, 12, 31), date(3000, 1, 1), date(9999, 12, 31)])
SCALARS = st.one_of(
    st.booleans(), st.integers(), st.integers(min_value=10**300, max_value=10**400),
    st.floats(), st.text(max_size=20), st.sampled_from(NAMES + WORDS + GUARDS), DATES, EDGE_DATES,
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=8),
                                                 inner, max_size=3)), max_leaves=6)


def deep(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


# -- specs ----------------------------------------------------------------------------------------

def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*prefix, i))


def _parent(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_specs(draw):
    """A base spec's data with 1-4 changes: a value replaced, a key removed, added or renamed."""
    data = copy.deepcopy(DATA_OF[draw(st.sampled_from(sorted(DATA_OF)))])
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from([p for p in _paths(data) if p]))
        parent, last = _parent(data, path), path[-1]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "rename", "nest"]))
        if action == "replace":
            parent[last] = draw(VALUES)
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(NAMES))] = draw(VALUES)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(NAMES))] = parent.pop(last)
        elif action == "nest":
            parent[last] = deep(draw(st.integers(15, 60)))
    return data


def _load_text(text: str) -> None:
    try:
        spec = loads_spec(text, path="<mutated>")
    except SpecError as err:
        assert_located(err.problems)
        return
    assert spec.states and spec.transitions  # a spec that loads is a whole spec


@settings(PROPERTY, max_examples=examples(120))
@given(mutated_specs())
def test_any_mutation_of_a_valid_spec_loads_or_is_refused_with_located_problems(data):
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):  # not writable as TOML (e.g. a None): nothing to load
        return
    _load_text(text)


@st.composite
def edited_texts(draw):
    """A base spec's text with 1-3 edits at character level."""
    text = BASES[draw(st.sampled_from(sorted(BASES)))]
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if kind == "insert":
            text = text[:at] + draw(st.text(alphabet='"\'[]{}=\\\n#., _-0123456789aeíz\u00a0٢',
                                             min_size=1, max_size=6)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        else:
            end = text.find("\n", at) + 1 or len(text)
            text = text[:end] + text[at:end] + text[end:]
    return text


@settings(PROPERTY, max_examples=examples(120))
@given(edited_texts())
def test_any_edit_of_a_spec_text_loads_or_is_refused_with_located_problems(text):
    _load_text(text)


@settings(PROPERTY, max_examples=examples(30))
@given(st.sampled_from(sorted(BASES)), st.data())
def test_problems_point_at_the_line_of_the_key_they_name(name, data):
    """The source map follows every string form: a new unknown key after any value is found
    on its own line."""
    text = BASES[name]
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("[process]")]
    at = data.draw(st.sampled_from(starts)) + 1
    value = data.draw(st.sampled_from(['"""a\\\\"""', "'''b'''", '"c\\""', '"""d\\\n  e"""',
                                       "'f'", '"""g"h"""""']))
    lines[at:at] = [f"note_x = {value}", "bogus_key = 1"]
    with pytest.raises(SpecError) as info:
        loads_spec("\n".join(lines) + "\n", path="<edited>")
    found = [p for p in info.value.problems if "unknown key 'bogus_key'" in p.message]
    assert found and found[0].line == at + 2 + value.count("\n")


# -- guards ---------------------------------------------------------------------------------------

FACTS = {"concern": Fact("concern", "enum", "Concern", values=("serious", "significant")),
         "urgent": Fact("urgent", "bool", "Urgent"), "days": Fact("days", "number", "Days"),
         "sender": Fact("sender", "text", "Sender"), "on": Fact("on", "date", "On")}
TOKENS = ["concern", "urgent", "days", "sender", "on", "unknown", "==", "!=", "<", ">=", "=~",
          "=~~", "!~", "and", "or", "not", "in", "(", ")", "[", "]", ",", "+", "*", "**", "/",
          '"serious"', '"(a+)+$"', '"a.*"', "3", "1e308", "true", "false", 'd"2027-01-31"',
          "null", "$now", ".", "?", ":", "nan", "inf", '"\\1"']
FACT_VALUES = {"concern": st.sampled_from(["serious", "significant", "", "other"]),
               "urgent": st.booleans(), "days": st.integers(-10**6, 10**6) | st.floats(-1e9, 1e9),
               "sender": st.text(max_size=30) | st.just("a" * 20_000 + "!"),
               "on": st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))}


@settings(PROPERTY, max_examples=examples(400))
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14) | st.sampled_from(GUARDS)
       .map(lambda g: [g]), st.fixed_dictionaries({}, optional=FACT_VALUES))
def test_any_guard_compiles_or_is_refused_and_a_compiled_one_always_answers(tokens, values):
    text = " ".join(tokens)
    try:
        guard = compile_guard(text, FACTS)
    except GuardSyntaxError as err:
        assert str(err) and (err.column is None or 1 <= err.column <= len(text) + 1)
        return
    assert guard.holds(values) in (True, False)


# -- scenarios ------------------------------------------------------------------------------------

SPECS = {"minimal": load_spec(ROOT / "examples/minimal_spec.toml"), "review": load_spec(DATA / "review.toml")}
EVENT_NAMES = sorted({e for s in SPECS.values() for e in s.events})
FACT_NAMES = sorted({f for s in SPECS.values() for f in s.facts})
ROLE_NAMES = sorted({r for s in SPECS.values() for r in s.roles})


def fact_values():
    return st.dictionaries(st.sampled_from(FACT_NAMES) | st.sampled_from(NAMES),
                           SCALARS | st.sampled_from(["serious", "significant", "yes", "nan"]),
                           max_size=2)


@st.composite
def scenarios(draw):
    start = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)) | EDGE_DATES
                 | SCALARS)
    events = []
    day = start if isinstance(start, date) and not isinstance(start, datetime) else date(2027, 1, 4)
    for _ in range(draw(st.integers(0, 6))):
        day = day + timedelta(days=draw(st.integers(0, 60))) if day < date(9000, 1, 1) else day
        entry = {"on": draw(st.just(day) | EDGE_DATES | SCALARS),
                 "event": draw(st.sampled_from(EVENT_NAMES) | SCALARS)}
        if draw(st.booleans()):
            entry["set"] = draw(fact_values() | SCALARS)
        if draw(st.booleans()):
            entry["actor"] = draw(st.sampled_from(ROLE_NAMES) | SCALARS)
        if draw(st.booleans()):
            entry["note"] = draw(SCALARS)
        events.append(entry)
    data = {"start": start, "events": events}
    if draw(st.booleans()):
        data["today"] = draw(EDGE_DATES | st.just(TODAY) | SCALARS)
    if draw(st.booleans()):
        data["facts"] = draw(fact_values())
    for key in ("spec", "title", "note"):
        if draw(st.integers(0, 3)) == 0:
            data[key] = draw(SCALARS)
    return data


SCRATCH = Path(tempfile.mkdtemp(prefix="regflow-properties-"))


@settings(PROPERTY, max_examples=examples(150))
@given(st.sampled_from(sorted(SPECS)), scenarios(), st.none() | EDGE_DATES)
def test_any_scenario_runs_or_is_refused_with_located_problems(name, data, today):
    path = SCRATCH / "scenario.toml"
    try:
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
    except (TypeError, ValueError):
        return
    try:
        scenario = load_scenario(path)
        result = run_scenario(SPECS[name], scenario, today)
    except ProblemsError as err:
        assert_located(err.problems)
        return
    except RegflowError as err:
        assert str(err)
        return
    text_report(result, scenario)
    json.dumps(json_report(result, scenario))


# -- import lines ---------------------------------------------------------------------------------

SPEC_PATHS = [str(ROOT / "examples/minimal_spec.toml"), str(DATA / "review.toml")]


@st.composite
def records(draw):
    record = {"spec": draw(st.sampled_from([*SPEC_PATHS, "/dev/zero", "/nonexistent.toml",
                                            str(ROOT)]) | SCALARS),
              "title": draw(st.text(max_size=10) | SCALARS),
              "opened_on": draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 5, 1))
                                .map(date.isoformat) | EDGE_DATES.map(date.isoformat) | SCALARS)}
    if draw(st.booleans()):
        record["facts"] = draw(fact_values())
    events = []
    for _ in range(draw(st.integers(0, 4))):
        events.append({"on": draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 6, 1))
                                  .map(date.isoformat) | SCALARS),
                       "event": draw(st.sampled_from(EVENT_NAMES) | SCALARS),
                       **({"set": draw(fact_values() | SCALARS)} if draw(st.booleans()) else {}),
                       **({"note": draw(SCALARS)} if draw(st.booleans()) else {}),
                       **({"actor": draw(SCALARS)} if draw(st.booleans()) else {})})
    if events or draw(st.booleans()):
        record["events"] = draw(st.just(events) | SCALARS)
    for _ in range(draw(st.integers(0, 1))):
        record.pop(draw(st.sampled_from(sorted(record))))
    return record


def _json_line(value) -> bytes:
    return json.dumps(value, default=str).encode()


LINES = st.one_of(
    records().map(_json_line),
    VALUES.map(_json_line),
    st.binary(max_size=40),
    st.sampled_from([b"[" * 5000 + b"]" * 5000, b'{"a": NaN}', b"\xff\xfe{}", b'{"a": "\xc3"}',
                     b"9" * 5000, b'{"spec": ' + b"9" * 5000 + b"}", b"{" * 3 + b"\n"]),
)


@settings(PROPERTY, max_examples=examples(120))
@given(st.lists(LINES, min_size=1, max_size=4))
def test_any_import_line_is_read_and_prepared_or_reported_by_line(lines):
    path = SCRATCH / "cases.jsonl"
    path.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n")
    try:
        found = list(read_records(path))
    except RegflowError as err:  # the file as a whole (e.g. UTF-16)
        assert str(path) in str(err)
        return
    for where, record in found:
        assert where.startswith(f"{path}:")
        if isinstance(record, dict) and "__error__" in record:
            assert record["__error__"]
            continue
        where_out, outcome = prepare_case((where, record, TODAY))
        assert where_out == where
        assert isinstance(outcome, Prepared) or (isinstance(outcome, str) and outcome), outcome


# -- the source map -------------------------------------------------------------------------------

KEYS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6) | \
    st.sampled_from(["a", "b-c", "d_e", "1", 'q"uote', "it's", "back\\slash", "dot.ted", " "])
TOML_LEAVES = st.one_of(st.integers(), st.booleans(), st.dates(), st.text(max_size=12),
                        st.sampled_from(['ends \\', 'a"""b', "x'''y", "line\nbreak", "\\\\"]))
TOML_TABLES = st.recursive(
    st.dictionaries(KEYS, TOML_LEAVES | st.lists(TOML_LEAVES, max_size=3), max_size=4),
    lambda inner: st.dictionaries(KEYS, inner | st.lists(inner, min_size=1, max_size=2),
                                  max_size=3),
    max_leaves=12)


def _leaf_paths(data, prefix=()):
    for key, value in data.items():
        path = (*prefix, key)
        if isinstance(value, dict):
            yield from _leaf_paths(value, path)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                yield from _leaf_paths(item, (*path, i))
        else:
            yield path


@settings(PROPERTY, max_examples=examples(200))
@given(TOML_TABLES, st.booleans())
def test_the_source_map_finds_every_value_tomllib_reads(data, multiline):
    from regflow.engine.spec.tomlsource import SourceMap

    text = tomli_w.dumps(data, multiline_strings=multiline)
    assert tomllib.loads(text) == data
    positions = SourceMap(text).positions
    for path in _leaf_paths(data):
        assert path in positions, (path, text)
