"""Every structural check and bad-input path of the spec loader, with locations and suggestions."""

from pathlib import Path

import pytest

from regflow.engine import SpecError, load_spec, loads_spec

from conftest import REVIEW, line_of

TEXT = REVIEW.read_text()


def only(problems, fragment):
    """The single problem whose message contains ``fragment``."""
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def test_the_test_spec_loads(review):
    assert review.process.calendar == "GB-WLS"
    assert review.children("after") == ["reports", "notices"]
    assert review.timescale("draft").within.amount == 25


def test_unknown_target_state_is_located_with_a_suggestion(problems):
    found = problems(('to = "drafting"', 'to = "drafting_reprt"'))
    p = only(found, "unknown state 'drafting_reprt'")
    assert p.path == "transitions[1].to"
    assert p.suggestion == "'drafting'"
    assert (p.line, p.column) == (line_of(TEXT, 'to = "drafting"'), 6)
    assert str(p).startswith(f"{p.file}:{p.line}:6: transitions[1].to: unknown state")


def test_unreachable_state(problems):
    p = only(problems(append='\n[states.orphan]\nlabel = "Orphan"\ncitation = "1"\nfinal = true\n'),
             "unreachable")
    assert p.path == "states.orphan"


def test_state_with_no_way_out_that_is_not_final(problems):
    found = problems(('[[transitions]]\nfrom = "after"\nevent = "closing_meeting"',
                      '[[transitions]]\nfrom = "closed"\nevent = "closing_meeting"'))
    ways = [p for p in found if "no way out" in p.message]
    # only where the case gets stuck, not every state upstream of it
    assert {p.path for p in ways} == {"states.awaiting_report", "states.no_notice",
                                      "states.notice_given", "states.notice_review_due"}
    by_path = {p.path: p.message for p in ways}
    assert "or mark it final = true" in by_path["states.awaiting_report"]  # only loops on itself
    assert "never reaches an end state ('closed')" in by_path["states.notice_given"]
    assert any("is final: nothing can happen after it" in p.message for p in found)


def test_two_unguarded_transitions_on_one_event_from_one_state(problems):
    p = only(problems(('guard = "further_notice"\n', "")), "have no guard")
    assert "'notice_reviewed' from 'notice_review_due'" in p.message
    assert p.path == "transitions[7]"


def test_an_unguarded_transition_before_a_guarded_one_is_never_taken(problems):
    text_from = 'guard = "further_notice"\ncitation = "4"\n\n[[transitions]]\nfrom = "notice_review_due"\n'
    text_from += 'event = "notice_reviewed"\nto = "no_notice"\n'
    swapped = 'citation = "4"\n\n[[transitions]]\nfrom = "notice_review_due"\n'
    swapped += 'event = "notice_reviewed"\nto = "no_notice"\nguard = "further_notice"\n'
    p = only(problems((text_from, swapped)), "never taken")
    assert "transitions[6]" in p.message


def test_unknown_fact_in_a_timescale_guard_and_unknown_event_in_a_timescale(problems):
    found = problems(("applies_when = 'concern == \"significant\"'",
                      "applies_when = 'concen == \"significant\"'"),
                     ('met_by = { event = "closing_meeting" }\napplies',
                      'met_by = { event = "closing_meting" }\napplies'))
    guard = only(found, "unknown fact 'concen'")
    assert guard.suggestion == "'concern'"
    assert guard.path == "timescales[4].applies_when"
    event = only(found, "unknown event 'closing_meting'")
    assert event.path == "timescales[4].met_by.event"
    assert event.suggestion == "'closing_meeting'"


def test_unknown_state_as_anchor(problems):
    p = only(problems(('anchor = { state = "announced" }', 'anchor = { state = "anounced" }')),
             "unknown state")
    assert p.suggestion == "'announced'"


def test_more_than_one_initial_state(problems):
    p = only(problems(('label = "Fieldwork"\nrole = "lead"', 'label = "Fieldwork"\ninitial = true\nrole = "lead"')),
             "more than one initial state at the top level")
    assert p.path == "states.fieldwork.initial"


def test_no_initial_state_in_a_compound_state(problems):
    p = only(problems(('parent = "reports"\nrole = "council"\ninitial = true', 'parent = "reports"\nrole = "council"')),
             "no initial state inside 'reports'")
    assert "awaiting_report" in p.message


def test_bad_duration_gets_a_suggestion_and_its_line(problems):
    p = only(problems(('within = "25 working days"', 'within = "25 wrking days"')), "bad duration")
    assert p.suggestion == "'25 working days'"
    assert p.line == line_of(TEXT, 'within = "25 working days"')


def test_kind_fields_must_fit(problems):
    found = problems(('kind = "deadline"', 'kind = "window"'))
    assert only(found, "a window needs after and within").path == "timescales[1].kind"


def test_field_that_does_not_apply_to_a_kind(problems):
    p = only(problems(('every = "3 months"', 'every = "3 months"\nabout = "1 year"')),
             "`about` does not apply to a recurring")
    assert p.path == "timescales[3].about"


def test_a_recurring_obligation_due_within_a_period_must_fit_in_it(problems):
    p = only(problems(('every = "3 months"', 'every = "3 months"\nwithin = "4 months"')),
             "falls due within 4 months, but a period lasts only 3 months")
    assert p.path == "timescales[3].within"


def test_unknown_key_is_reported_with_a_suggestion(problems):
    p = only(problems(('label = "Lead inspector"', 'lable = "Lead inspector"')), "unknown key 'lable'")
    assert p.suggestion == "'label'"
    assert p.path == "roles.lead.lable"
    assert p.line == line_of(TEXT, 'label = "Lead inspector"')


def test_missing_required_key(problems):
    assert only(problems(('calendar = "GB-WLS"\n', "")), "missing required key 'calendar'")


def test_bad_calendar_suggests_the_closest(problems):
    p = only(problems(('calendar = "GB-WLS"', 'calendar = "GB-WAL"')), "unknown calendar 'GB-WAL'")
    assert p.suggestion == "'GB-WLS'"
    assert "GB-SCT" in p.message and "regflow plugins" in p.message
    assert p.path == "process.calendar" and p.line == line_of(TEXT, 'calendar = "GB-WLS"')


def test_citation_must_be_in_paragraphs(problems):
    p = only(problems(('label = "Closing meeting held"\ncitation = "8"', 'label = "Closing meeting held"\ncitation = "9"')),
             "citation '9' is not in [paragraphs]")
    assert p.path == "events.closing_meeting.citation"


def test_unknown_role_and_milestone(problems):
    found = problems(('label = "Fieldwork"\nrole = "lead"', 'label = "Fieldwork"\nrole = "leed"\nmilestones = ["fieldwrk"]'))
    assert only(found, "unknown role 'leed'").suggestion == "'lead'"
    assert only(found, "unknown milestone 'fieldwrk'").suggestion == "'fieldwork'"


def test_enum_default_and_values(problems):
    found = problems(('default = "none"', 'default = "nope"'))
    assert only(found, "'nope' is not one of: none, serious, significant").path == "facts.concern.default"


def test_event_never_used(problems):
    p = only(problems(append='\n[events.unused]\nlabel = "Unused"\ncitation = "1"\n'), "never used")
    assert p.path == "events.unused"


def test_required_fact_must_be_settable(problems):
    p = only(problems(('sets = ["concern"]\nrequires = ["concern"]', 'requires = ["concern"]')),
             "required but not in `sets`")
    assert p.path == "events.fieldwork_completed.requires[0]"


def test_parent_loop_is_reported_without_hanging(problems):
    found = problems(('label = "Progress reports"\nparent = "after"', 'label = "Progress reports"\nparent = "awaiting_report"'))
    assert any("loops back" in p.message for p in found)


def test_all_problems_of_a_file_are_reported_at_once(problems):
    found = problems(('to = "drafting"', 'to = "drafting_reprt"'),
                     ('within = "25 working days"', 'within = "25 wrking days"'),
                     ('label = "Closing meeting held"\ncitation = "8"', 'label = "Closing meeting held"\ncitation = "9"'))
    assert len(found) >= 3
    lines = [p.line for p in found]
    assert lines == sorted(lines)


def test_toml_syntax_error_is_located(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[process]\nid = "x"\ntitle = \n')
    with pytest.raises(SpecError) as info:
        load_spec(path)
    (p,) = info.value.problems
    assert p.line == 3 and "give title a value after the = sign" in p.message
    assert "(TOML: " in p.message  # the parser's own words, kept


@pytest.mark.parametrize(("content", "fragment"), [
    (None, "file not found"),
    (b"\xff\xfe\x00bad", "is UTF-16 text: save it as UTF-8"),  # its byte order mark says so
    (b"ok = 1\n\xff\x00bad", "not UTF-8"),
])
def test_unreadable_files(tmp_path, content, fragment):
    path = tmp_path / "spec.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert fragment in str(info.value)


def test_a_directory_is_not_a_spec(tmp_path):
    with pytest.raises(SpecError, match="directory"):
        load_spec(tmp_path)


def test_loads_spec_from_text():
    spec = loads_spec(TEXT, path="memory.toml")
    assert spec.path == "memory.toml" and len(spec.states) == 11


def test_every_shipped_spec_and_example_refers_to_the_schema():
    root = Path(__file__).parent.parent
    for path in [*root.glob("specs/*.toml"), root / "examples/minimal_spec.toml"]:
        if path.name == "milestones.toml":
            continue
        first = path.read_text().splitlines()[0]
        assert first.startswith('"$schema" = "') and "regflow-spec.schema.json" in first, path


def test_entering_a_state_inside_a_parallel_region_enters_the_other_regions(variant):
    # the only way into "after" is straight into the notices region: the reports region is
    # entered at the same time, so its states are reachable
    spec = variant(('from = "drafting"\nevent = "report_published"\nto = "after"',
                    'from = "drafting"\nevent = "report_published"\nto = "notice_given"'))
    assert "awaiting_report" in spec.states


def test_a_target_first_reached_as_a_parent_is_still_entered(variant):
    # a guarded transition into a region comes first, the fallback into the parallel parent
    # second: the parent must still be followed into all its regions
    spec = variant(('from = "drafting"\nevent = "report_published"\nto = "after"',
                    'from = "drafting"\nevent = "report_published"\nto = "notice_given"\n'
                    'guard = \'concern == "significant"\'\n\n[[transitions]]\nfrom = "drafting"\n'
                    'event = "report_published"\nto = "after"'))
    assert len(spec.transitions) == 10


def test_a_region_may_leave_through_a_transition_of_another_region(variant):
    # the process ends from the reports region only; the notices region has no exit of its own
    spec = variant(('from = "after"\nevent = "closing_meeting"', 'from = "awaiting_report"\nevent = "closing_meeting"'))
    assert spec.transitions[-1].sources == ("awaiting_report",)


def test_a_top_level_parallel_state_with_every_region_final_can_still_move_on(tmp_path):
    from datetime import date

    from regflow.engine import Case

    spec = loads_spec('''
[process]
id = "p"
title = "Two tracks"
regulator = "R"
source = "S"
version = "1"
calendar = "GB-SCT"
[paragraphs]
"1" = "Two tracks run; then the process ends."
[states.tracks]
label = "Tracks"
parallel = true
initial = true
[states.a]
label = "A"
parent = "tracks"
[states.a1]
label = "A open"
parent = "a"
initial = true
[states.a2]
label = "A done"
parent = "a"
final = true
[states.b]
label = "B"
parent = "tracks"
[states.b1]
label = "B open"
parent = "b"
initial = true
[states.b2]
label = "B done"
parent = "b"
final = true
[states.end]
label = "End"
final = true
[events.a_done]
label = "A done"
[events.b_done]
label = "B done"
[events.close]
label = "Close"
[[transitions]]
from = "a1"
event = "a_done"
to = "a2"
[[transitions]]
from = "b1"
event = "b_done"
to = "b2"
[[transitions]]
from = "tracks"
event = "close"
to = "end"
''')
    case = Case(spec, date(2027, 1, 4))
    case.fire("a_done", date(2027, 1, 5))
    case.fire("b_done", date(2027, 1, 6))
    assert case.finished_on is None and case.available_events() == ["close"]
    case.fire("close", date(2027, 1, 7))
    assert case.active_states == ["end"] and case.finished_on == date(2027, 1, 7)


def test_engine_event_names_are_reserved(problems):
    found = problems(append='\n[events.done_state_after]\nlabel = "Done"\ncitation = "1"\n')
    assert any("reserved for the engine" in p.message and p.path == "events.done_state_after" for p in found)


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text("")
    with pytest.raises(SpecError, match="the file is empty"):
        load_spec(path)
