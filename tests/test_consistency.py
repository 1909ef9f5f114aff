"""Timescale consistency: timescales that do not add up, found along the spec's paths.

Worked dates are checked against hand computations with the bank holidays of England and Wales
(the CIW spec's calendar, GB-WLS) and with the lengths of calendar months.
"""

from datetime import date

import pytest

from regflow.engine import load_spec, loads_spec
from regflow.engine.spec.consistency import EXAMPLE_START, conflicts

from conftest import ROOT, line_of

CIW = ROOT / "specs" / "ciw_2019.toml"


@pytest.fixture(scope="module")
def ciw():
    return load_spec(CIW)


def the_8_4_conflict(found):
    (c,) = [c for c in found if c.spanning.citation == "8.4"]
    return c


def test_ciw_publication_within_50_working_days_does_not_add_up(ciw):
    """Hand computation from Monday 1 March 2027, skipping weekends and Good Friday (26 March),
    Easter Monday (29 March) and the Early May bank holiday (3 May 2027):
    - 25 working days (8.5): 2-5 Mar (4), 8-12 (9), 15-19 (14), 22-25 (18), 30-31 (20),
      1-2 Apr (22), 5-7 Apr (25): Wednesday 7 April;
    - 10 more (8.7): 8-9 Apr (2), 12-16 (7), 19-21 (10): Wednesday 21 April;
    - 25 more (8.8): 22-23 Apr (2), 26-30 (7), 4-7 May (11), 10-14 (16), 17-21 (21),
      24-27 (25): Thursday 27 May, the 60th working day;
    - 50 working days (8.4): 7 April is the 25th; 8-9 Apr (27), 12-16 (32), 19-23 (37),
      26-30 (42), 4-7 May (46), 10-13 (50): Thursday 13 May."""
    c = the_8_4_conflict(conflicts(ciw))
    assert c.kind == "later"
    assert c.citations == ("8.4", "8.5", "8.7", "8.8")
    assert c.start == EXAMPLE_START == date(2027, 3, 1)
    assert [(when, t.citation) for _, when, t in c.dates] == [
        (date(2027, 4, 7), "8.5"), (date(2027, 4, 21), "8.7"), (date(2027, 5, 27), "8.8")]
    assert (c.end, c.limit) == (date(2027, 5, 27), date(2027, 5, 13))
    for words in ("8.4 (Report published within 50 working days of the end of fieldwork; 'we aim "
                  "to') can be missed with every step on time",
                  "with ‘Inspection fieldwork completed’ on Monday 1 March 2027",
                  "by Wednesday 7 April 2027 (8.5: within 25 working days)",
                  "‘Local authority's comments on the draft received’ by Wednesday 21 April 2027 "
                  "(8.7: 10 working days allowed)",
                  "by Thursday 27 May 2027 (8.8: within 25 working days)",
                  "That is 60 working days after the start, later than 8.4's 50 working days "
                  "(Thursday 13 May 2027)", "(8.4 can be extended)"):
        assert words in c.message


def test_ciw_worked_example_over_christmas(ciw):
    """From Monday 29 November 2027: Christmas Day and Boxing Day 2027 fall on a weekend, so
    Monday 27 and Tuesday 28 December are bank holidays, and New Year's Day 2028 (a Saturday)
    gives Monday 3 January.
    - 25 working days: 30 Nov (1), 1-3 Dec (4), 6-10 (9), 13-17 (14), 20-24 (19),
      29-31 Dec (22), 4-6 Jan (25): Thursday 6 January 2028;
    - 10 more: 7 Jan (1), 10-14 (6), 17-20 (10): Thursday 20 January;
    - 25 more: 21 Jan (1), 24-28 (6), 31 Jan-4 Feb (11), 7-11 (16), 14-18 (21), 21-24 (25):
      Thursday 24 February;
    - 50 working days: 6 January is the 25th; 7 Jan (26), 10-14 (31), 17-21 (36), 24-28 (41),
      31 Jan-4 Feb (46), 7-10 Feb (50): Thursday 10 February 2028."""
    c = the_8_4_conflict(conflicts(ciw, start=date(2027, 11, 29)))
    assert [when for _, when, _ in c.dates] == [date(2028, 1, 6), date(2028, 1, 20),
                                                date(2028, 2, 24)]
    assert c.limit == date(2028, 2, 10)


def test_ciw_conflict_is_noted_in_the_spec_and_warned_of_without_the_mark(ciw):
    assert ciw.timescales[7].citation == "8.4" and ciw.timescales[7].conflict_noted
    assert not [w for w in ciw.warnings if "add up" in w.message]
    text = ciw.text.replace("conflict_noted = true", "")
    (w,) = [w for w in loads_spec(text, path=CIW).warnings
            if "timescales do not add up" in w.message]
    assert w.severity == "warning"
    assert w.path == "timescales[7].within"
    assert w.line == line_of(ciw.text, 'within = "50 working days"')
    assert "mark 8.4's timescale conflict_noted = true" in w.message


def test_a_conflict_mark_where_the_timescales_add_up_is_warned_of():
    swia = load_spec(ROOT / "specs" / "swia_handover.toml")
    first = swia.text.index("[[timescales]]")
    text = swia.text[:first] + swia.text[first:].replace("\nlabel = ", "\nconflict_noted = true\nlabel = ", 1)
    (w,) = [w for w in loads_spec(text, path="swia.toml").warnings if "conflict_noted" in w.message]
    assert w.path == "timescales[0].conflict_noted"
    assert "add up: remove the mark" in w.message


def test_swia_timescales_have_no_conflict():
    """SWIA's limits all count from publication and none is met by a step another limit
    leads to, so there is nothing to add up (its "about a year" targets are not limits)."""
    assert conflicts(load_spec(ROOT / "specs" / "swia_handover.toml")) == []


# -- small specs --------------------------------------------------------------------------

CHAIN = '''
[process]
id = "chain"
title = "Three steps"
regulator = "Test Regulator"
source = "Test handbook"
version = "1"
calendar = "GB-WLS"

[paragraphs]
"1" = "First step."
"2" = "Second step."
"3" = "The whole."

[states.start]
label = "Started"
initial = true

[states.middle]
label = "Half way"

[states.later]
label = "Nearly done"

[states.done]
label = "Done"
final = true

[events.first_done]
label = "First step done"

[events.second_done]
label = "Second step done"

[events.finished]
label = "Finished"

[[transitions]]
from = "start"
event = "first_done"
to = "middle"

[[transitions]]
from = "middle"
event = "second_done"
to = "later"

[[transitions]]
from = "later"
event = "finished"
to = "done"
'''


def timescale(ident, kind, anchor, met_by, citation, **rule):
    fields = "".join(f'{key} = "{value}"\n' for key, value in rule.items())
    return (f'\n[[timescales]]\nid = "{ident}"\nlabel = "{ident}"\nkind = "{kind}"\n'
            f'anchor = {{ event = "{anchor}" }}\nmet_by = {{ event = "{met_by}" }}\n'
            f'citation = "{citation}"\n{fields}')


@pytest.fixture
def chain(tmp_path):
    def make(*timescales):
        path = tmp_path / "chain.toml"
        path.write_text(CHAIN + "".join(timescales))
        return load_spec(path)

    return make


def steps(first, second, whole):
    """Deadlines: first_done -> second_done (1), second_done -> finished (2), the whole from
    first_done to finished (3)."""
    return (timescale("one", "deadline", "first_done", "second_done", "1", within=first),
            timescale("two", "deadline", "second_done", "finished", "2", within=second),
            timescale("whole", "deadline", "first_done", "finished", "3", within=whole))


def test_steps_that_add_up_give_no_conflict(chain):
    spec = chain(*steps("10 working days", "10 working days", "20 working days"))
    assert conflicts(spec) == []
    assert spec.warnings == ()


def test_steps_one_day_too_long(chain):
    (c,) = conflicts(chain(*steps("10 working days", "10 working days", "19 working days")))
    assert (c.kind, c.citations) == ("later", ("3", "1", "2"))
    # Monday 1 March 2027 + 10 working days = Monday 15 March; + 10 = Monday 29 March is Easter
    # Monday and 26 March Good Friday, so the 20th working day is Wednesday 31 March; the 19th
    # is Tuesday 30 March.
    assert [when for _, when, _ in c.dates] == [date(2027, 3, 15), date(2027, 3, 31)]
    assert c.limit == date(2027, 3, 30)
    assert "That is 20 working days after the start, later than 3's 19 working days" in c.message


def test_months_against_days_found_on_the_first_start_date_that_shows_it(chain):
    """1 month then 30 days fits in 2 months except where the second month is short. The first
    start date from 1 March 2027 that shows it: Friday 31 December 2027 -> 1 month: Monday
    31 January 2028 -> 30 days: Wednesday 1 March 2028 (2028 is a leap year), while 2 months
    from 31 December end on Tuesday 29 February 2028. (30 December: 30 January + 30 days =
    29 February, on the limit; a start in January 2027 is before the search begins.)"""
    spec = chain(*steps("1 month", "30 days", "2 months"))
    (c,) = conflicts(spec)
    assert c.start == date(2027, 12, 31)
    assert [when for _, when, _ in c.dates] == [date(2028, 1, 31), date(2028, 3, 1)]
    assert c.limit == date(2028, 2, 29)
    assert "with ‘First step done’ on Friday 31 December 2027" in c.message
    assert "That is 61 days after the start, later than 3's 2 months" in c.message


def test_months_against_days_that_always_fit(chain):
    assert conflicts(chain(*steps("1 month", "28 days", "2 months"))) == []


def test_a_deadline_that_can_never_be_met(chain):
    spec = chain(timescale("notice", "lead_time", "first_done", "second_done", "1",
                           after="4 weeks"),
                 timescale("whole", "deadline", "first_done", "finished", "3", within="20 days"))
    (c,) = conflicts(spec)
    assert c.kind == "never"
    assert "3 (whole) comes too soon for the steps before it" in c.message
    assert "‘Second step done’ not before Monday 29 March 2027 (1: not before 4 weeks)" \
        in c.message
    assert c.limit == date(2027, 3, 21)


def test_a_lead_time_the_steps_cannot_leave_room_for(chain):
    spec = chain(timescale("one", "deadline", "first_done", "second_done", "1", within="10 days"),
                 timescale("two", "deadline", "second_done", "finished", "2", within="10 days"),
                 timescale("whole", "lead_time", "first_done", "finished", "3", after="6 weeks"))
    (c,) = conflicts(spec)
    assert c.kind == "earlier"
    assert c.end == date(2027, 3, 21) and c.limit == date(2027, 4, 12)
    assert "bring ‘Finished’ too soon for 3 (whole)" in c.message
    assert spec.warnings[0].path == "timescales[2].after"


def test_a_step_that_applies_only_sometimes_is_combined_only_under_its_condition():
    from regflow.engine import loads_spec

    text = CHAIN.replace("[states.start]", '[facts.urgent]\ntype = "bool"\nlabel = "Urgent"\n\n'
                         "[states.start]")
    first, second, whole = steps("10 working days", "10 working days", "19 working days")

    def when_urgent(ts):
        return ts.replace("\ncitation", '\napplies_when = "urgent"\ncitation')

    # the first step's limit holds only when urgent, the whole always: nothing to add up
    assert conflicts(loads_spec(text + when_urgent(first) + second + whole)) == []
    # everything when urgent: the steps add up to more than the whole
    assert [c.citations for c in conflicts(loads_spec(
        text + when_urgent(first) + when_urgent(second) + when_urgent(whole)))] == [("3", "1", "2")]
    # the steps always, the whole when urgent: when urgent, the steps still apply
    assert [c.citations for c in conflicts(loads_spec(
        text + first + second + when_urgent(whole)))] == [("3", "1", "2")]
