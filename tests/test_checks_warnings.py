"""Warnings: a spec that loads and runs but probably does not say what its author meant.

Tracks left and re-entered, a state whose only way out is the global "case closed", a label that
disagrees with its rule; the warning severity itself (API, ``regflow validate``, ``--json``).
"""

import json
from datetime import date

import pytest

from regflow.cli.main import main
from regflow.engine import Case, load_spec
from regflow.engine.spec.lints import spoken_durations
from regflow.engine.spec.loader import check_spec

from conftest import REVIEW, ROOT, line_of

#: A process run inside one parallel state, like CIW's `review`: a monitoring track that goes on
#: for the whole case and a reporting track, ended by a global `case_closed`.
TRACKS = '''
[process]
id = "tracks"
title = "A review with two tracks"
regulator = "Test Regulator"
source = "Test handbook"
version = "1"
calendar = "GB-WLS"

[paragraphs]
"1" = "The link inspector monitors the council throughout."
"2" = "The report is published within 25 working days of its draft."

[states.review]
label = "Review"
initial = true
parallel = true

[states.monitoring]
label = "Monitoring"
parent = "review"

[states.monitoring_routine]
label = "Routine monitoring"
parent = "monitoring"
initial = true

[states.visit_planned]
label = "Monitoring visit planned"
parent = "monitoring"

[states.reporting]
label = "Reporting"
parent = "review"

[states.drafting]
label = "Drafting the report"
parent = "reporting"
initial = true

[states.draft_with_council]
label = "Draft with the council"
parent = "reporting"

[states.published]
label = "Report published"
parent = "reporting"
final = true

[states.closed]
label = "Case closed"
final = true

[events.visit_planned]
label = "Monitoring visit planned"

[events.visit_held]
label = "Monitoring visit held"

[events.draft_shared]
label = "Draft shared"

[events.report_published]
label = "Report published"

[events.case_closed]
label = "Case closed"

[[transitions]]
from = "monitoring_routine"
event = "visit_planned"
to = "visit_planned"

[[transitions]]
from = "visit_planned"
event = "visit_held"
to = "monitoring_routine"

[[transitions]]
from = "drafting"
event = "draft_shared"
to = "draft_with_council"

[[transitions]]
from = "draft_with_council"
event = "report_published"
to = "published"

[[transitions]]
from = "review"
event = "case_closed"
to = "closed"

[[timescales]]
id = "publication"
label = "Report published within 25 working days of the draft"
kind = "deadline"
anchor = { event = "draft_shared" }
within = "25 working days"
met_by = { event = "report_published" }
citation = "2"
'''


@pytest.fixture
def tracks(tmp_path):
    """Load TRACKS with text replaced and appended: ``tracks(("old", "new"), append=...)``."""

    def make(*replacements, append=""):
        text = TRACKS
        for old, new in replacements:
            assert old in text, f"test set-up: {old!r} not in TRACKS"
            text = text.replace(old, new, 1)
        path = tmp_path / "tracks.toml"
        path.write_text(text + append)
        return load_spec(path)

    return make


def messages(spec, fragment=""):
    return [w for w in spec.warnings if fragment in w.message]


def test_a_sound_spec_has_no_warnings(tracks, review):
    assert tracks().warnings == ()
    assert review.warnings == ()


# -- a state added without `parent` ------------------------------------------------------------

LEGAL_CHECK = '''
[states.legal_check]
label = "Legal check of the draft"

[events.sent_for_legal_check]
label = "Draft sent for a legal check"

[events.legal_check_done]
label = "Legal check done"

[[transitions]]
from = "drafting"
event = "sent_for_legal_check"
to = "legal_check"

[[transitions]]
from = "legal_check"
event = "legal_check_done"
to = "drafting"
'''


def test_a_state_added_without_parent_warns_on_the_way_out_and_back(tracks):
    spec = tracks(append=LEGAL_CHECK)
    out, back = spec.warnings
    text = spec.text
    assert out.severity == back.severity == "warning"
    assert out.path == "transitions[5].from"
    # on the `from` line just above the event of the transition that leaves
    assert (out.line, out.column) == (line_of(text, 'event = "sent_for_legal_check"') - 1, 8)
    assert "'sent_for_legal_check' from 'drafting' leads out of 'review'" in out.message
    assert "which is not an end state: every track of 'review' stops" in out.message
    assert 'give it parent = "reporting"' in out.message  # the track the step comes from
    assert "leaves_tracks = true" in out.message
    assert back.path == "transitions[6].from"
    assert "'legal_check_done' from 'legal_check', outside 'review'" in back.message
    assert "starts again from its beginning" in back.message
    assert str(out).startswith(f"{spec.path}:{out.line}:{out.column}: warning: "
                               "transitions[5].from: ")


def test_the_warning_says_what_the_engine_does(tracks):
    """Going out to the state without a parent and back really restarts the other track."""
    spec = tracks(append=LEGAL_CHECK)
    case = Case(spec, date(2027, 3, 1))
    case.fire("visit_planned", date(2027, 3, 2))
    assert "visit_planned" in case.active_states
    case.fire("sent_for_legal_check", date(2027, 3, 3))
    assert "visit_planned" not in case.active_states  # the monitoring track stopped
    case.fire("legal_check_done", date(2027, 3, 4))
    assert "monitoring_routine" in case.active_states  # ... and started again from scratch
    assert "visit_planned" not in case.active_states


def test_marking_the_transitions_as_intended_silences_the_warnings(tracks):
    marked = LEGAL_CHECK.replace('to = "legal_check"\n', 'to = "legal_check"\nleaves_tracks = true\n') \
        .replace('to = "drafting"\n', 'to = "drafting"\nleaves_tracks = true\n')
    assert tracks(append=marked).warnings == ()


def test_giving_the_state_a_parent_silences_the_warnings(tracks):
    assert tracks(append=LEGAL_CHECK.replace('label = "Legal check of the draft"\n',
                                             'label = "Legal check of the draft"\n'
                                             'parent = "reporting"\n')).warnings == ()


def test_a_transition_from_one_track_into_another_restarts_both(tracks):
    spec = tracks(append='''
[events.visit_found_errors]
label = "Visit found errors in the draft"

[[transitions]]
from = "visit_planned"
event = "visit_found_errors"
to = "drafting"
''')
    (w,) = spec.warnings
    assert w.path == "transitions[5].from"
    assert ("'visit_found_errors' from 'visit_planned' leaves 'review' and comes straight back "
            "into it ('drafting'): every track of 'review' ('monitoring', 'reporting') starts "
            "again") in w.message
    case = Case(spec, date(2027, 3, 1))
    case.fire("draft_shared", date(2027, 3, 2))
    case.fire("visit_planned", date(2027, 3, 3))
    case.fire("visit_found_errors", date(2027, 3, 4))
    assert {"monitoring_routine", "drafting"} <= set(case.active_states)  # both restarted


def test_a_parallel_state_re_entered_from_inside_itself(tracks):
    spec = tracks(append='''
[events.restarted]
label = "Everything restarted"

[[transitions]]
from = "review"
event = "restarted"
to = "review"
''')
    (w,) = spec.warnings
    assert "'restarted' from 'review' leaves 'review' and enters it again: every track of " \
        "'review' ('monitoring', 'reporting') starts again from its beginning" in w.message


def test_leaving_for_a_final_state_is_the_end_not_a_warning(tracks):
    spec = tracks(append='''
[events.withdrawn]
label = "Review withdrawn"

[[transitions]]
from = "drafting"
event = "withdrawn"
to = "closed"
''')
    assert spec.warnings == ()


def test_a_top_level_sequence_of_stages_is_not_a_process_state():
    """SWIA's top level is the sequence of stages itself: leaving one for the next is its
    design, so nothing is reported (and nothing in the shipped specs but CIW's re-judged
    concerns restarts tracks)."""
    swia = load_spec(ROOT / "specs" / "swia_handover.toml")
    assert swia.warnings == ()
    ciw = load_spec(ROOT / "specs" / "ciw_2019.toml")
    for w in [w for w in ciw.warnings if w.path.startswith("transitions")]:
        assert "'concerns_judged' from 'significant_concerns'" in w.message


# -- no way out but the global exit ----------------------------------------------------------

def test_a_dead_end_behind_the_global_exit_is_reported(tracks):
    spec = tracks(append='''
[states.with_lawyers]
label = "With the lawyers"
parent = "reporting"

[events.sent_to_lawyers]
label = "Sent to the lawyers"

[[transitions]]
from = "draft_with_council"
event = "sent_to_lawyers"
to = "with_lawyers"
''')
    (w,) = spec.warnings
    assert w.path == "states.with_lawyers"
    assert w.line == line_of(spec.text, "[states.with_lawyers]")
    assert ("no way out of 'with_lawyers' except 'case_closed' (from 'review'), which ends "
            "everything around it") in w.message
    assert "Add a transition from 'with_lawyers'" in w.message
    assert "mark it final = true" in w.message


def test_a_track_that_repeats_for_the_whole_case_is_not_a_dead_end(tracks):
    """Monitoring goes round (routine -> visit planned -> routine) until the case is closed:
    a standing activity, not a state the case is stuck in."""
    assert messages(tracks(), "no way out") == []


def test_without_the_global_exit_a_dead_end_is_an_error(tracks):
    from regflow.engine import SpecError

    with pytest.raises(SpecError) as info:
        tracks(('[[transitions]]\nfrom = "review"\nevent = "case_closed"\nto = "closed"\n', ""),
               ("[events.case_closed]\nlabel = \"Case closed\"\n", ""))
    assert any("no way out" in p.message for p in info.value.problems)


# -- a label against its rule ------------------------------------------------------------------

def test_a_label_that_says_another_number_than_its_rule(tracks):
    spec = tracks(('within = "25 working days"', 'within = "30 working days"'))
    (w,) = spec.warnings
    assert w.path == "timescales[0].label"
    assert w.line == line_of(spec.text, 'label = "Report published within 25')
    assert ("the label says '25 working days' but the rule counts within 30 working days"
            in w.message)
    assert w.suggestion == "'Report published within 30 working days of the draft'"


def test_a_label_in_calendar_days_for_a_rule_in_working_days(tracks):
    spec = tracks(('within 25 working days of the draft', 'within 25 days of the draft'))
    (w,) = spec.warnings
    assert "the label says '25 days' but the rule counts within 25 working days" in w.message


@pytest.mark.parametrize("label, rule", [
    ("Report published within twenty-five working days", "25 working days"),  # not parsed
    ("Report published within five weeks", "35 days"),
    ("Report published within one year", "12 months"),
    ("Report published in a four-year cycle", "4 years"),
    ("Report published twice a year", "25 working days"),  # no number and unit said
])
def test_labels_that_agree_with_their_rule(tracks, label, rule):
    spec = tracks(("Report published within 25 working days of the draft", label),
                  ('within = "25 working days"', f'within = "{rule}"'))
    assert spec.warnings == ()


def test_spoken_durations():
    assert spoken_durations("Follow-up within 12-18 months of publication") == [
        ("12-18 months", [("months", 12), ("months", 18)])]
    assert spoken_durations("announced four weeks before") == [("four weeks", [("days", 28)])]
    assert spoken_durations("10.4 says 12 to 18 months") == [
        ("12 to 18 months", [("months", 12), ("months", 18)])]
    assert spoken_durations("within 25 working days of 8.4") == [
        ("25 working days", [("working days", 25)])]
    assert spoken_durations("every 2 financial years") == [
        ("2 financial years", [("financial years", 2)])]


def test_a_range_in_the_label_matches_a_window(tracks):
    spec = tracks(('label = "Report published within 25 working days of the draft"\n'
                   'kind = "deadline"', 'label = "Report published 12-18 months after the draft"'
                   '\nkind = "window"\nafter = "12 months"'),
                  ('within = "25 working days"', 'within = "18 months"'))
    assert spec.warnings == ()


# -- the warning severity: API and command line ----------------------------------------------

def test_check_spec_gives_errors_or_warnings(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text(REVIEW.read_text().replace('to = "drafting"', 'to = "drafting_reprt"'))
    (error,) = check_spec(broken)
    assert error.severity == "error" and "unknown state 'drafting_reprt'" in error.message
    assert check_spec(REVIEW) == []
    warned = tmp_path / "warned.toml"
    warned.write_text(TRACKS.replace('within = "25 working days"', 'within = "30 working days"'))
    (warning,) = check_spec(warned)
    assert warning.is_warning and warning.file == str(warned)


def test_check_spec_on_an_editors_unsaved_text():
    path = "specs/editing.toml"
    (warning,) = check_spec(path, TRACKS.replace('within = "25 working days"',
                                                 'within = "30 working days"'))
    assert warning.is_warning and warning.file == path
    assert warning.line == line_of(TRACKS, 'label = "Report published within 25')
    (error,) = check_spec(path, TRACKS.replace('[states.review]', '[states.review'))
    assert error.severity == "error" and "not valid TOML" in error.message
    assert error.line == line_of(TRACKS, "[states.review]") and error.file == path


def test_validate_prints_warnings_and_exits_0(tmp_path, capsys):
    path = tmp_path / "tracks.toml"
    path.write_text(TRACKS + LEGAL_CHECK)
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert f"ok  {path}: A review with two tracks" in out and "; 2 warnings)" in out
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}:") and ": warning: transitions[" in line
               for line in lines)


def test_validate_with_errors_still_exits_1(tmp_path, capsys):
    path = tmp_path / "broken.toml"
    path.write_text(TRACKS.replace('to = "published"', 'to = "publishd"'))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "unknown state 'publishd'" in err and "warning" not in err


def test_validate_json(tmp_path, capsys):
    warned = tmp_path / "warned.toml"
    warned.write_text(TRACKS + LEGAL_CHECK)
    broken = tmp_path / "broken.toml"
    broken.write_text(TRACKS.replace('to = "published"', 'to = "publishd"'))
    assert main(["validate", "--json", str(warned), str(broken)]) == 1
    files = json.loads(capsys.readouterr().out)["files"]
    assert [f["ok"] for f in files] == [True, False]
    assert {p["severity"] for p in files[0]["problems"]} == {"warning"}
    assert files[0]["problems"][0]["path"] == "transitions[5].from"
    assert files[0]["problems"][0]["line"] > 0
    (error,) = files[1]["problems"]
    assert error["severity"] == "error" and error["suggestion"] == "'published'"


def test_the_documented_example_and_every_shipped_spec_load_with_their_warnings():
    """Warnings are worked out for every spec that loads, never stop it (a spec with warnings
    still runs), and the documentation's example has none."""
    assert load_spec(ROOT / "examples" / "minimal_spec.toml").warnings == ()
    for path in sorted((ROOT / "specs").glob("*.toml")):
        if path.name == "milestones.toml":
            continue
        spec = load_spec(path)
        assert all(w.is_warning and w.file == str(path) and w.line for w in spec.warnings)


def test_leaves_tracks_must_be_true_or_false(tracks):
    from regflow.engine import SpecError

    with pytest.raises(SpecError) as info:
        tracks(('to = "closed"\n', 'to = "closed"\nleaves_tracks = "yes"\n'))
    (p,) = info.value.problems
    assert p.path == "transitions[4].leaves_tracks" and "expected true or false" in p.message


def test_a_failing_warning_check_is_said_and_never_stops_the_spec(tracks, monkeypatch):
    from regflow.engine.spec import consistency

    def broken(spec):
        raise KeyError("financial_decades")
        yield

    monkeypatch.setattr(consistency, "check", broken)
    spec = tracks()
    (w,) = spec.warnings
    assert w.is_warning and w.file == spec.path
    assert w.message.startswith("regflow could not finish its timescale consistency checks (KeyError: "
                                "'financial_decades'); the spec loads and runs")
    assert Case(spec, date(2027, 3, 1)).active_states  # and it runs
