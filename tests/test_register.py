"""The case register: stored cases, corrections, extensions, versions, catch-up, bad databases."""

import json
import sqlite3
from datetime import date, timedelta

import pytest

from regflow.engine.errors import CaseError, DateError, ExtensionError
from regflow.engine.register.api import Register, StaleCase, UnknownCase
from regflow.engine.register.storage import SCHEMA_VERSION, StoreError

from conftest import REVIEW

D = date


@pytest.fixture
def db(register_url):
    """A new register: on SQLite, then on PostgreSQL (conftest.register_url)."""
    return register_url


@pytest.fixture
def sqlite_db(tmp_path):
    return tmp_path / "register.db"


def opened(db, today=D(2027, 6, 1)):
    reg = Register(db, today=today)
    view = reg.new_case(REVIEW, "Example Council - review 2026", D(2026, 3, 2))
    reg.fire(view.id, "fieldwork_started", D(2026, 3, 30), actor="lead")
    reg.fire(view.id, "fieldwork_completed", D(2026, 12, 18), {"concern": "significant"})
    reg.fire(view.id, "report_published", D(2027, 1, 27))
    return reg, view.id


def test_a_case_is_stored_and_read_back_after_a_restart(db):
    reg, cid = opened(db)
    reg.close()
    with Register(db, today=D(2027, 6, 1)) as again:
        view = again.get(cid)
        assert view.version == 3
        assert view.case.current_states == ["awaiting_report", "no_notice"]
        assert [e.event for e in view.entries] == ["fieldwork_started", "fieldwork_completed",
                                                   "report_published"]
        assert view.entries[1].facts == {"concern": "significant"}
        assert view.entries[0].actor == "lead"


def test_the_stored_state_is_what_a_full_replay_gives(db):
    reg, cid = opened(db)
    reg.fire(cid, "notice_given", D(2027, 2, 1))
    view = reg.get(cid)
    replayed = reg._replay(view)
    assert replayed.snapshot() == view.case.snapshot()


def test_the_case_is_pinned_to_the_spec_text_it_was_opened_with(db, tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(REVIEW.read_text())
    reg = Register(db, today=D(2027, 6, 1))
    cid = reg.new_case(spec, "Pinned", D(2026, 3, 2)).id
    spec.write_text(REVIEW.read_text().replace('label = "Fieldwork"', 'label = "Site visit"'))
    reg.close()
    view = Register(db, today=D(2027, 6, 1)).get(cid)
    assert view.spec.states["fieldwork"].label == "Fieldwork"


def test_events_may_be_back_dated_but_never_in_the_future(db):
    reg, cid = opened(db)
    with pytest.raises(DateError, match="in the future"):
        reg.fire(cid, "notice_given", D(2027, 6, 2))
    reg.fire(cid, "progress_report", D(2027, 5, 20))
    reg.fire(cid, "notice_given", D(2027, 2, 1))  # earlier than the report: replayed in order
    view = reg.get(cid)
    assert [h.event for h in view.case.history] == [
        "fieldwork_started", "fieldwork_completed", "report_published", "notice_given",
        "notice_review_falls_due", "progress_report"]
    assert [e.seq for e in view.entries] == [1, 2, 3, 4, 5]


def test_a_refused_event_writes_nothing(db):
    reg, cid = opened(db)
    reg.close()
    reg = Register(db, today=D(2027, 6, 1))
    reg.catch_up()
    before = reg.get(cid)
    with pytest.raises(CaseError):
        reg.fire(cid, "notice_reviewed", D(2027, 5, 1))
    with pytest.raises(CaseError):
        reg.fire(cid, "closing_meting", D(2027, 5, 1))
    after = reg.get(cid)
    assert (after.version, after.case.snapshot()) == (before.version, before.case.snapshot())


def test_a_stale_append_is_refused_and_nothing_is_written(db):
    reg, cid = opened(db)
    reg.fire(cid, "progress_report", D(2027, 4, 1), expect_version=3)
    with pytest.raises(StaleCase, match="you started from version 3, it is now at version 4"):
        reg.fire(cid, "notice_given", D(2027, 4, 2), expect_version=3)
    assert reg.get(cid).version == 4


def test_a_correction_voids_an_entry_and_replays(db):
    reg, cid = opened(db)
    reg.fire(cid, "notice_given", D(2027, 2, 1))
    view = reg.correct(cid, 4, "recorded on the wrong case", actor="lead")
    assert view.version == 5
    assert view.case.current_states == ["awaiting_report", "no_notice"]
    kinds = [(e.seq, e.kind, e.voids_seq) for e in view.entries]
    assert kinds[-1] == (5, "correction", 4) and view.voided == {4}
    assert len(view.entries) == 5  # nothing deleted
    with pytest.raises(CaseError, match="already voided"):
        reg.correct(cid, 4, "again")


def test_a_correction_that_leaves_an_impossible_history_is_refused(db):
    reg, cid = opened(db)
    with pytest.raises(CaseError, match="voiding #2 would leave an impossible history"):
        reg.correct(cid, 2, "fieldwork never completed")
    assert reg.get(cid).version == 3


def test_extensions_are_entries_too(db):
    reg = Register(db, today=D(2027, 1, 10))
    cid = reg.new_case(REVIEW, "Extended", D(2026, 3, 2)).id
    reg.fire(cid, "fieldwork_started", D(2026, 3, 30))
    reg.fire(cid, "fieldwork_completed", D(2026, 12, 18), {"concern": "none"})
    view = reg.extend(cid, "draft", D(2027, 2, 10), "exceptional circumstances")
    row = next(r for r in view.case.timescales(D(2027, 1, 10)) if r.id == "draft")
    assert (row.due, row.extension_reason) == (D(2027, 2, 10), "exceptional circumstances")
    with pytest.raises(ExtensionError):
        reg.extend(cid, "announcement", D(2027, 2, 10), "no")
    # the extension survives a replay (e.g. after a correction)
    assert reg._replay(reg.get(cid)).snapshot() == reg.get(cid).case.snapshot()


def test_due_and_overdue_queries(db):
    reg, cid = opened(db, today=D(2027, 4, 20))
    reg.fire(cid, "notice_given", D(2027, 2, 1))
    soon = reg.due(within=14)
    assert [(r["timescale"], r["due"]) for r in soon] == [("reports", D(2027, 4, 27)),
                                                          ("notice_review", D(2027, 5, 2))]
    assert reg.due(overdue=True) == []
    later = Register(db, today=D(2027, 5, 10))
    overdue = [(r["timescale"], r["due"], r["status"]) for r in later.due(overdue=True)]
    # the quarter's report is missed; the review fell due on 2 May and has not happened
    assert overdue == [("reports", D(2027, 4, 27), "breached"),
                       ("notice_review", D(2027, 5, 2), "pending")]
    assert [c["id"] for c in later.list_cases(overdue=True)] == [cid]


def test_catching_up_once_equals_catching_up_every_day(tmp_path):
    daily_db, weekly_db = tmp_path / "daily.db", tmp_path / "weekly.db"
    for path in (daily_db, weekly_db):
        reg, cid = opened(path, today=D(2027, 4, 28))
        reg.fire(cid, "notice_given", D(2027, 2, 1))
        reg.close()
    day = D(2027, 4, 28)
    while day <= D(2027, 5, 9):
        Register(daily_db, today=day).catch_up()
        day += timedelta(days=1)
    weekly = Register(weekly_db, today=D(2027, 5, 9))
    assert weekly.catch_up() == 1
    daily = Register(daily_db, today=D(2027, 5, 9))
    assert daily.get(1).case.snapshot() == weekly.get(1).case.snapshot()
    assert "notice_review_due" in weekly.get(1).case.current_states
    assert daily.due(overdue=True) == weekly.due(overdue=True)


def test_an_unknown_case_says_what_there_is(db):
    reg, _ = opened(db)
    with pytest.raises(UnknownCase, match=r"no case 7 in this register \(the register has 1 case"):
        reg.get(7)


# -- bad databases: a clear message and nothing written -------------------------------------


def _untouched(path, make):
    make(path)
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        Register(path)
    assert path.read_bytes() == before
    return str(info.value)


def test_a_text_file_is_not_a_register(tmp_path):
    message = _untouched(tmp_path / "notes.db", lambda p: p.write_text("shopping list\n" * 20))
    assert "is not a regflow register (not an SQLite database)" in message


def test_another_programs_database_is_not_a_register(tmp_path):
    def make(path):
        with sqlite3.connect(path) as conn:
            conn.execute("create table customers (id integer)")
    message = _untouched(tmp_path / "shop.db", make)
    assert "not a regflow register (it has tables: customers)" in message


def test_a_register_from_a_newer_regflow_is_refused(sqlite_db):
    Register(sqlite_db).close()
    with sqlite3.connect(sqlite_db) as conn:
        conn.execute("update regflow_meta set value = ? where key = 'schema_version'",
                     (str(SCHEMA_VERSION + 1),))
    message = _untouched(sqlite_db, lambda p: None)
    assert "written by a newer regflow" in message and "upgrade regflow" in message


def test_a_corrupted_register_is_refused(sqlite_db):
    Register(sqlite_db).close()
    data = bytearray(sqlite_db.read_bytes())
    data[100:4000] = b"\xff" * 3900  # overwrite the schema page
    sqlite_db.write_bytes(bytes(data))
    message = _untouched(sqlite_db, lambda p: None)
    assert "cannot open register" in message and "nothing was written" in message


def test_a_folder_or_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        Register(tmp_path)
    with pytest.raises(StoreError, match="does not exist"):
        Register(tmp_path / "nowhere" / "r.db")


def test_a_new_register_records_its_schema_version(sqlite_db):
    Register(sqlite_db).close()
    with sqlite3.connect(sqlite_db) as conn:
        values = dict(conn.execute("select key, value from regflow_meta"))
        assert values["schema_version"] == str(SCHEMA_VERSION)
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert json.loads(json.dumps(values))
