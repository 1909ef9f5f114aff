"""Pages of the register for views of large registers (sort, filter, search, attention), the
upgrade of schema-1 registers, and the case-screen questions of engine/actions.py."""

import sqlite3
from datetime import date, timedelta

import pytest

from regflow.engine.cases.actions import actions, opening_facts, refusal, state_summary
from regflow.engine.register.api import CaseQuery, Register, attention
from regflow.engine.register.storage import SCHEMA_VERSION

from conftest import REVIEW

D = date
TODAY = D(2027, 6, 1)


@pytest.fixture
def reg(register_url):
    """Five cases in different positions: overdue draft, due soon, closed, not started (on
    SQLite, then on PostgreSQL)."""
    reg = Register(register_url, today=TODAY)
    # draft due 25 working days after fieldwork: overdue on TODAY
    a = reg.new_case(REVIEW, "Alpha Council", D(2027, 1, 4)).id
    reg.fire(a, "fieldwork_started", D(2027, 2, 1))
    reg.fire(a, "fieldwork_completed", D(2027, 3, 1), {"concern": "significant"})
    # draft due within 14 days of TODAY
    b = reg.new_case(REVIEW, "Bravo Borough", D(2027, 4, 1)).id
    reg.fire(b, "fieldwork_started", D(2027, 4, 29))
    reg.fire(b, "fieldwork_completed", D(2027, 5, 6), {"concern": "none"})
    # finished
    c = reg.new_case(REVIEW, "Charlie City 100%", D(2026, 1, 5)).id
    reg.fire(c, "fieldwork_started", D(2026, 2, 2))
    reg.fire(c, "fieldwork_completed", D(2026, 3, 2), {"concern": "none"})
    reg.fire(c, "report_published", D(2026, 3, 20))
    reg.fire(c, "closing_meeting", D(2026, 4, 1))
    # just announced
    d = reg.new_case(REVIEW, "Delta District", D(2027, 5, 31)).id
    reg.ids = {"a": a, "b": b, "c": c, "d": d}
    yield reg
    reg.close()


def published(reg, title: str, opened: date, concern: str, on: date) -> int:
    """A review case opened on ``opened``, fieldwork four and eight weeks later, its report
    published ``on``."""
    cid = reg.new_case(REVIEW, title, opened).id
    reg.fire(cid, "fieldwork_started", opened + timedelta(weeks=4))
    reg.fire(cid, "fieldwork_completed", opened + timedelta(weeks=8), {"concern": concern})
    reg.fire(cid, "report_published", on)
    return cid


def ids(reg, query, **kw):
    return [r["id"] for r in reg.page(query, **kw)]


def test_the_default_order_puts_the_earliest_unmet_deadline_first(reg):
    rows = reg.page(CaseQuery())
    assert rows[0]["id"] == reg.ids["a"]
    assert rows[0]["attention"] == "overdue" and rows[0]["days_left"] < 0
    assert rows[1]["id"] == reg.ids["b"] and rows[1]["attention"] == "due soon"
    assert [r["id"] for r in rows] == ids(reg, CaseQuery(sort="next_due"))
    assert reg.count(CaseQuery()) == 4


def test_a_deadline_missed_before_the_last_change_still_counts_as_overdue(tmp_path):
    today = D(2026, 10, 2)
    with Register(tmp_path / "r.db", today=today) as reg:
        cid = published(reg, "Echo", D(2024, 10, 7), "significant", D(2025, 1, 10))
        # the follow-up window (12-18 months) passed with no closing meeting; quarterly
        # reports were missed too; then a later report came in
        reg.fire(cid, "progress_report", D(2026, 10, 1))
        rows = reg.get(cid).case.timescales(today)
        window = next(r for r in rows if r.id == "follow_up")
        assert window.status == "breached" and window.open  # still to be done, late
        periods = [r for r in rows if r.id == "reports" and r.status == "breached"]
        assert periods and not any(p.open for p in periods)  # passed: can no longer be met
        earliest_open = min(r.due for r in rows if r.open)
        assert min(p.due for p in periods) < earliest_open
        # listed by the limit that has passed (a breach), before the earlier target date
        breach = min(r.due for r in rows if r.open and r.strength == "limit" and r.due < today)
        assert breach > earliest_open
        (row,) = reg.page(CaseQuery())
        assert row["next_due"] == breach and row["attention"] == "overdue"
        assert reg.count(CaseQuery(attention="overdue")) == 1
        # the closing meeting (a target, past its date) and the follow-up window; not the
        # quarterly periods that passed
        late = {r["timescale"]: r["standing"] for r in reg.due(overdue=True)}
        assert late == {"follow_up": "overdue", "closing": "behind target"}
        # breaches of limits only
        assert [r["timescale"] for r in reg.due(overdue=True, limits=True)] == ["follow_up"]


def test_filters_count_what_they_show(reg):
    for attention_ in ("", "overdue", "due soon", "needs attention", "open"):
        query = CaseQuery(attention=attention_)
        assert reg.count(query) == len(reg.page(query, limit=1000))
    assert ids(reg, CaseQuery(attention="overdue")) == [reg.ids["a"]]
    assert ids(reg, CaseQuery(attention="due soon")) == [reg.ids["b"]]
    assert set(ids(reg, CaseQuery(attention="needs attention"))) == {reg.ids["a"], reg.ids["b"]}
    assert reg.ids["c"] not in ids(reg, CaseQuery(attention="open"))


def test_search_matches_title_stage_role_or_number_and_wildcards_are_literal(reg):
    assert ids(reg, CaseQuery(search="bravo")) == [reg.ids["b"]]
    assert ids(reg, CaseQuery(search=f"#{reg.ids['d']}")) == [reg.ids["d"]]
    assert reg.ids["d"] in ids(reg, CaseQuery(search="announced"))
    assert ids(reg, CaseQuery(search="100%")) == [reg.ids["c"]]
    assert ids(reg, CaseQuery(search="%")) == [reg.ids["c"]]
    assert ids(reg, CaseQuery(search="_")) == []
    assert ids(reg, CaseQuery(spec_id="nope")) == []
    assert len(ids(reg, CaseQuery(spec_id="review"))) == 4


def test_sorting_by_each_key_both_ways_and_paging(reg):
    titles = [r["title"] for r in reg.page(CaseQuery(sort="title"))]
    assert titles == sorted(titles)
    assert [r["title"] for r in reg.page(CaseQuery(sort="title", descending=True))] == titles[::-1]
    for key in Register.SORT_KEYS:
        assert len(reg.page(CaseQuery(sort=key))) == 4
    whole = ids(reg, CaseQuery(sort="id"))
    assert ids(reg, CaseQuery(sort="id"), offset=1, limit=2) == whole[1:3]
    with pytest.raises(ValueError, match="cannot sort cases by"):
        CaseQuery(sort="snapshot")


def test_attention_words():
    today, never = D(2026, 6, 1), D.max

    def case(due, strength="limit", limit=None, finished=None):
        return {"next_due": due, "next_due_strength": strength, "finished_on": finished,
                "next_limit_sort": limit or (due if strength == "limit" and due else never)}

    assert attention(case(D(2026, 5, 31)), today) == "overdue"
    assert attention(case(D(2026, 5, 31), "expected"), today) == "later than normal"
    assert attention(case(D(2026, 5, 31), "target"), today) == "behind target"
    # a limit passed later than the next obligation still makes the case overdue
    assert attention(case(D(2026, 5, 1), "expected", limit=D(2026, 5, 20)), today) == "overdue"
    assert attention(case(today), today) == "due soon"
    assert attention(case(D(2026, 6, 15)), today) == "due soon"
    assert attention(case(D(2026, 6, 16)), today) == ""
    assert attention(case(None, finished=D(2026, 1, 1)), today) == "finished"
    # nothing more can be recorded on a finished case
    assert attention(case(D(2026, 1, 1), finished=D(2026, 1, 1)), today) == "finished"


def test_a_finished_case_has_no_next_deadline_even_with_one_missed(tmp_path):
    today = D(2026, 10, 2)
    with Register(tmp_path / "r.db", today=today) as reg:
        cid = published(reg, "Foxtrot", D(2026, 1, 5), "none", D(2026, 3, 20))
        reg.fire(cid, "closing_meeting", D(2026, 9, 1))  # the June progress report never came
        assert any(r.status == "breached" for r in reg.get(cid).case.timescales(today))
        (row,) = reg.page(CaseQuery())
        assert row["next_due"] is None and row["attention"] == "finished"
        assert reg.count(CaseQuery(attention="overdue")) == 0


def as_schema_2(conn) -> None:
    """Turn a register back into what schema 2 wrote: no strengths, "missed" once passed (and
    no users: schema 4)."""
    conn.execute("drop table user_changes")
    conn.execute("drop table users")
    conn.execute("drop index timescales_open")
    conn.execute("drop index cases_by_next_limit")
    for table, column in (("timescales", "strength"), ("cases", "next_due_strength"),
                          ("cases", "next_limit_sort")):
        conn.execute(f"alter table {table} drop column {column}")
    conn.execute("update timescales set status = 'missed' where status = 'breached'")
    conn.execute("create index timescales_open on timescales (due, case_id) "
                 "where met_on is null and status in ('pending', 'missed')")
    conn.execute("update regflow_meta set value = '2' where key = 'schema_version'")


def test_a_schema_1_register_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.db"
    reg = Register(path, today=TODAY)
    cid = reg.new_case(REVIEW, "Old", D(2027, 1, 4)).id
    reg.fire(cid, "fieldwork_started", D(2027, 2, 1))
    reg.fire(cid, "fieldwork_completed", D(2027, 3, 1), {"concern": "none"})
    due = reg.get(cid).case.timescales(TODAY)
    expected = min(r.due for r in due if r.open)
    reg.close()
    with sqlite3.connect(path) as conn:  # as schema 1 left it: the missed deadline skipped
        as_schema_2(conn)
        conn.execute("update cases set next_due = null, next_due_label = null, "
                     "next_due_sort = '9999-12-31'")
        conn.execute("update regflow_meta set value = '1' where key = 'schema_version'")
    with Register(path, today=TODAY) as again:
        row = again.page(CaseQuery())[0]
        assert row["next_due"] == expected and row["next_due_label"]
    with sqlite3.connect(path) as conn:
        version = conn.execute("select value from regflow_meta where key = 'schema_version'")
        assert version.fetchone()[0] == str(SCHEMA_VERSION)


def test_a_schema_2_register_gets_strengths_and_overdue_limits(tmp_path):
    """Schema 2 had no strength: every stored timescale was a limit, "missed" once passed."""
    path = tmp_path / "two.db"
    with Register(path, today=TODAY) as reg:
        cid = reg.new_case(REVIEW, "Two", D(2027, 1, 4)).id
        reg.fire(cid, "fieldwork_started", D(2027, 2, 1))
        reg.fire(cid, "fieldwork_completed", D(2027, 3, 1), {"concern": "none"})
        before = reg.page(CaseQuery())[0]
    assert before["attention"] == "overdue"
    with sqlite3.connect(path) as conn:
        as_schema_2(conn)
    with Register(path, today=TODAY) as again:
        (row,) = again.page(CaseQuery())
        assert (row["attention"], row["next_due"]) == ("overdue", before["next_due"])
        assert again.count(CaseQuery(attention="overdue")) == 1
        (due,) = again.due(overdue=True, limits=True)
        assert (due["status"], due["strength"], due["standing"]) == ("breached", "limit", "overdue")
    with sqlite3.connect(path) as conn:
        plan = " ".join(r[-1] for r in conn.execute(
            "explain query plan select * from timescales where met_on is null and status in "
            "('pending', 'breached', 'departed', 'late', 'not achieved') and due < '2030-01-01'"))
        assert "timescales_open" in plan


def test_actions_offer_what_can_be_recorded_and_say_why_not(review):
    from regflow.engine import Case

    case = Case(review, D(2027, 1, 4))
    offered = actions(case)
    assert [a.event for a in offered if a.available] == ["fieldwork_started"]
    case.fire("fieldwork_started", D(2027, 2, 1))
    (form,) = [a for a in actions(case) if a.available]
    assert form.event == "fieldwork_completed"
    assert [f.name for f in form.facts] == ["concern"] and form.required == {"concern"}
    assert form.targets == ("drafting",)
    assert form.citation == "2" and form.citation_text
    case.fire("fieldwork_completed", D(2027, 3, 1), {"concern": "none"})
    case.fire("report_published", D(2027, 3, 20))
    blocked = {a.event: a for a in actions(case) if not a.available}
    (reason,) = blocked["notice_given"].reasons
    assert reason.guard == 'concern == "significant"' and reason.citation == "4"
    assert "only when" in str(reason) and reason.citation_text
    # with other answers the same step would pass
    assert refusal(case, "notice_given", {}) and not refusal(case, "notice_given",
                                                             {"concern": "significant"})


def test_opening_facts_are_those_no_event_sets(review, variant):
    assert opening_facts(review) == []  # every fact of review.toml is set by some event
    spec = variant(("[facts.concern]", '[facts.region]\ntype = "text"\nlabel = "Region"\n'
                    'citation = "2"\n\n[facts.concern]'))
    assert [f.name for f in opening_facts(spec)] == ["region"]


def test_state_summary_says_who_and_where_from(review):
    text = state_summary(review, "fieldwork")
    assert review.states["fieldwork"].label in text and "Source:" in text


def test_rule_words_name_the_anchor_in_plain_words(review):
    draft = review.timescale("draft")
    assert review.rule_words(draft) == "within 25 working days of ‘Fieldwork completed’"
    assert draft.rule == "within 25 working days of event 'fieldwork_completed'"


def test_steps_that_meet_an_open_deadline_come_first_with_it(review):
    from regflow.engine import Case

    case = Case(review, D(2027, 1, 4))
    case.fire("fieldwork_started", D(2027, 2, 1))
    case.fire("fieldwork_completed", D(2027, 3, 1), {"concern": "significant"})
    case.fire("report_published", D(2027, 3, 20))
    today = D(2027, 6, 1)
    possible = [a for a in actions(case, today) if a.available]
    # the quarterly report (due 2027-06-20) before the closing meeting (a year away)
    assert [a.event for a in possible][:2] == ["progress_report", "closing_meeting"]
    assert possible[0].due == D(2027, 6, 20) and possible[0].due_label == "Quarterly progress report"
    assert all(a.due is None for a in actions(case))  # without a date, no deadlines


def test_search_needs_every_word_in_any_column(reg):
    assert ids(reg, CaseQuery(search="bravo borough")) == [reg.ids["b"]]
    assert ids(reg, CaseQuery(search="borough bravo")) == [reg.ids["b"]]  # any order
    assert ids(reg, CaseQuery(search="bravo city")) == []
    assert ids(reg, CaseQuery(search="alpha drafting")) == [reg.ids["a"]]  # title and stage
