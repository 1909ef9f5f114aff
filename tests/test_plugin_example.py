"""The example third-party plugin (tests/plugin_example), installed with its own entry point:
each hook it implements does what a plugin author expects, and a plugin that raises is named
and kept away from the app and the stored cases."""

import os
import subprocess
import sys
from datetime import date

import pytest

from regflow.engine import SpecError, load_spec
from regflow.engine.cases.calendars import calendar, calendar_names
from regflow.engine.cases.case import Case
from regflow.engine.errors import EventRefused
from regflow.engine.register.api import Register
from regflow.plugins import plugin_list
from regflow.plugins.exporters import ExportError, export_subject, exporters
from regflow.plugins.manager import take_failures

from conftest import REVIEW, install_plugin


def variant_text(*replacements, append=""):
    text = REVIEW.read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    return text + append


def write(tmp_path, text, name="variant.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_plugin_is_found_through_its_entry_point(example_plugin):
    (found,) = [p for p in plugin_list() if p["name"] == "example"]
    assert found["distribution"] == "regflow-example-plugin 1.0.0"
    assert not found["builtin"]
    assert found["hooks"] == ["regflow_calendars", "regflow_entry_recorded", "regflow_exporters",
                              "regflow_guard_functions", "regflow_validate_spec",
                              "regflow_variants", "regflow_working_calendar"]


def test_without_the_plugin_nothing_of_it_is_there():
    assert "example" not in [p["name"] for p in plugin_list()]
    assert "ACME-WLS" not in calendar_names()


# -- calendar ---------------------------------------------------------------------------------


def test_a_plugin_calendar_adds_closure_days_to_the_bank_holidays(example_plugin):
    assert calendar_names()["ACME-WLS"] == "Wales, plus Acme's office closure days"
    acme, wales = calendar("ACME-WLS"), calendar("GB-WLS")
    # Thursday 24 December 2026: Christmas, the weekend and Boxing Day (Monday 28th) are
    # holidays in Wales; Acme is also closed 29-31 December, and 1 January is a holiday
    assert wales.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert acme.add_working_days(date(2026, 12, 24), 1) == date(2027, 1, 4)
    assert acme.holiday_name(date(2026, 12, 30)) == "Acme office closed"
    assert acme.working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 1


def test_a_spec_may_name_a_plugin_calendar_and_its_deadlines_use_it(example_plugin, tmp_path):
    spec = load_spec(write(tmp_path, variant_text(('calendar = "GB-WLS"', 'calendar = "ACME-WLS"'))))
    assert spec.process.calendar == "ACME-WLS"
    case = Case(spec, date(2026, 12, 1))
    assert case.calendar is calendar("ACME-WLS")


def test_without_the_plugin_its_calendar_name_is_refused_with_the_known_ones(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, variant_text(('calendar = "GB-WLS"', 'calendar = "ACME-WLS"'))))
    (problem,) = info.value.problems
    assert "unknown calendar 'ACME-WLS'; known: GB-WLS, GB-SCT, GB-ENG, GB-NIR" in problem.message
    assert problem.line == 9 and problem.path == "process.calendar"


# -- guard function ---------------------------------------------------------------------------

DATE_FACT = """
[facts.concluded_on]
type = "date"
label = "Fieldwork concluded on"
citation = "2"
"""


def weekend_spec_text(guard):
    return variant_text(
        ('sets = ["concern"]', 'sets = ["concern", "concluded_on"]'),
        ("guard = 'concern == \"significant\"'", f"guard = '{guard}'"),
        append=DATE_FACT)


def test_a_guard_may_call_a_plugin_function_and_it_decides(example_plugin, tmp_path):
    spec = load_spec(write(tmp_path, weekend_spec_text(
        'concern == "significant" and not is_weekend(concluded_on)')))
    assert "is_weekend" not in spec.guard_facts and "concluded_on" in spec.guard_facts

    def run(concluded):
        case = Case(spec, date(2026, 1, 5))
        case.fire("fieldwork_started", date(2026, 2, 2))
        case.fire("fieldwork_completed", date(2026, 2, 6),
                  {"concern": "significant", "concluded_on": concluded})
        case.fire("report_published", date(2026, 3, 2))
        case.fire("notice_given", date(2026, 3, 3))
        return case.current_states

    assert "notice_given" in run(date(2026, 2, 6))  # a Friday
    with pytest.raises(EventRefused, match="is_weekend"):
        run(date(2026, 2, 7))  # a Saturday


def test_a_plugin_function_is_type_checked_when_the_spec_loads(example_plugin, tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, weekend_spec_text('concern == "significant" and is_weekend(concern)')))
    (problem,) = info.value.problems
    assert "function is_weekend(): data type mismatch (argument #1): is_weekend() takes (date)" in problem.message
    assert problem.path == "transitions[4].guard" and problem.line is not None


def test_without_the_plugin_a_function_call_is_refused(tmp_path):
    with pytest.raises(SpecError, match="function calls are not allowed in guards"):
        load_spec(write(tmp_path, weekend_spec_text('is_weekend(concluded_on)')))


# -- validator --------------------------------------------------------------------------------


def test_a_plugin_validator_reports_like_a_builtin_check(example_plugin, tmp_path):
    text = variant_text(('label = "Fieldwork started"\ncitation = "7"', 'label = "Fieldwork started"'))
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    (problem,) = info.value.problems
    assert problem.message == ("event 'fieldwork_started' has no citation (Acme house rule) "
                               "(check by plugin 'example')")
    assert problem.file == str(path)
    assert problem.line == text.splitlines().index("[events.fieldwork_started]") + 1
    assert str(problem).startswith(f"{path}:{problem.line}:1: events.fieldwork_started.citation: ")
    load_spec(REVIEW)  # a spec that keeps the house rule loads


# -- listener ---------------------------------------------------------------------------------


def test_a_listener_hears_every_entry_after_it_is_stored(example_plugin, tmp_path):
    with Register(tmp_path / "r.db", today=date(2026, 3, 1)) as reg:
        view = reg.new_case(REVIEW, "Example council", date(2026, 1, 5))
        reg.fire(view.id, "fieldwork_started", date(2026, 2, 2))
        reg.fire(view.id, "fieldwork_completed", date(2026, 2, 6), {"concern": "none"})
        reg.correct(view.id, 2, "recorded on the wrong case")
    assert [(view.id, 1, "fieldwork_started"),
                                    (view.id, 2, "fieldwork_completed"),
                                    (view.id, 3, "correction")] == example_plugin.HEARD


# -- exporter ---------------------------------------------------------------------------------


def test_a_plugin_exporter_is_used_from_the_command_line(example_plugin_dir, tmp_path):
    out = tmp_path / "states.tsv"
    env = {**os.environ, "PYTHONPATH": str(example_plugin_dir)}
    proc = subprocess.run([sys.executable, "-m", "regflow.cli", "export", "states-tsv",
                           str(REVIEW), "-o", str(out)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    spec = load_spec(REVIEW)
    assert rows == [[name, state.label] for name, state in spec.states.items()]
    listing = subprocess.run([sys.executable, "-m", "regflow.cli", "plugins"],
                             capture_output=True, text=True, env=env).stdout
    assert "example  (regflow-example-plugin 1.0.0)\n    hooks: regflow_calendars, " in listing
    assert "states-tsv (.tsv)" in listing and "ACME-WLS  Wales, plus Acme's office closure days" in listing


# -- a plugin that raises ---------------------------------------------------------------------

BROKEN = '''
from regflow.plugins import hookimpl
from regflow.plugins.exporters import Exporter


@hookimpl
def regflow_entry_recorded(register, case, entry):
    raise RuntimeError("the mail server is down")


@hookimpl
def regflow_validate_spec(spec):
    raise KeyError("house rules")


@hookimpl
def regflow_calendars():
    raise ValueError("no calendars today")


def _write(spec, path, highlight, focus):
    path.write_text("half a file")
    raise ZeroDivisionError("oops")


@hookimpl
def regflow_exporters():
    return [Exporter("broken", ".broken", "Always fails", _write, options=())]
'''


@pytest.fixture
def broken_plugin_dir(tmp_path):
    return install_plugin(tmp_path / "site", module="broken_plugin", source=BROKEN,
                          name="broken-plugin", plugin="broken")


def test_a_failing_listener_is_named_and_the_entry_is_kept(broken_plugin_dir, on_path, tmp_path):
    on_path(broken_plugin_dir)
    with Register(tmp_path / "r.db", today=date(2026, 3, 1)) as reg:
        view = reg.new_case(REVIEW, "Example council", date(2026, 1, 5))
        take_failures()
        after = reg.fire(view.id, "fieldwork_started", date(2026, 2, 2))
        (failure,) = take_failures()
        assert str(failure) == ("plugin 'broken' failed in regflow_entry_recorded: RuntimeError: "
                                f"the mail server is down; entry #1 of case {view.id} was "
                                "recorded and is kept")
        stored = reg.get(view.id)
        assert stored.version == after.version == 1
        assert [e.event for e in stored.entries] == ["fieldwork_started"]
        assert stored.case.current_states == ["fieldwork"]
        reg.fire(view.id, "fieldwork_completed", date(2026, 2, 6), {"concern": "none"})
        assert reg.get(view.id).version == 2  # the case goes on as usual


def test_other_hooks_of_a_failing_plugin_do_not_stop_the_rest(broken_plugin_dir, on_path, tmp_path):
    on_path(broken_plugin_dir)
    assert "GB-WLS" in calendar_names()  # its calendars hook raised; the built-ins are there
    load_spec(REVIEW)  # its validator raised: the spec loads, the failure is named
    names = {(f.plugin, f.hook) for f in take_failures()}
    assert {("broken", "regflow_calendars"), ("broken", "regflow_validate_spec")} <= names
    spec = load_spec(REVIEW)
    with pytest.raises(ExportError, match=r"the broken exporter of plugin 'broken' failed "
                       r"\(ZeroDivisionError: oops\); nothing was written"):
        export_subject("spec", spec, tmp_path / "out.broken")
    assert not (tmp_path / "out.broken").exists()
    assert not list(tmp_path.glob(".*partial"))
    assert "scxml" in exporters()


def test_a_failing_plugin_is_named_by_the_command_and_the_case_is_intact(broken_plugin_dir, tmp_path):
    db = tmp_path / "r.db"
    plain = {**os.environ}
    plain.pop("PYTHONPATH", None)
    broken = {**plain, "PYTHONPATH": str(broken_plugin_dir)}

    def regflow(*args, env):
        return subprocess.run([sys.executable, "-m", "regflow.cli", *args, "--db", str(db),
                               "--today", "2026-03-01"], capture_output=True, text=True, env=env)

    opened = regflow("case", "new", "--spec", str(REVIEW), "--title", "Example council", "--on", "2026-01-05", env=plain)
    assert opened.returncode == 0, opened.stderr
    fired = regflow("case", "fire", "1", "fieldwork_started", "--on", "2026-02-02", env=broken)
    assert fired.returncode == 0, fired.stderr
    assert ("regflow: plugin 'broken' failed in regflow_entry_recorded: RuntimeError: the mail "
            "server is down; entry #1 of case 1 was recorded and is kept") in fired.stderr
    assert "Traceback" not in fired.stderr
    shown = regflow("case", "show", "1", "--json", env=plain)
    assert '"fieldwork_started"' in shown.stdout and shown.returncode == 0
    export = subprocess.run([sys.executable, "-m", "regflow.cli", "export", "broken", str(REVIEW),
                             "-o", str(tmp_path / "x.broken")], capture_output=True, text=True,
                            env=broken)
    assert export.returncode == 1 and "Traceback" not in export.stderr
    assert "the broken exporter of plugin 'broken' failed" in export.stderr.splitlines()[-1]
    assert not (tmp_path / "x.broken").exists()




def test_a_plugin_variant_opens_cases_pinned_to_its_text(example_plugin, tmp_path):
    from regflow.engine.spec.variants import installed_variants, variant_spec

    assert installed_variants()["acme_longer_draft"].base == "ciw_2019"
    spec = variant_spec("acme_longer_draft")
    assert spec.process.id == "ciw_2019_acme_pilot"
    assert str(spec.timescale("draft_report").within) == "30 working days"
    with Register(tmp_path / "r.db", today=date(2027, 3, 1)) as reg:
        view = reg.new_case("variant:acme_longer_draft", "Acme council", date(2027, 3, 1))
        assert view.spec.content_hash == spec.content_hash
