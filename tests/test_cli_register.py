"""The register from the command line: case new/list/show/fire/correct/extend, due, demo."""

import json
from pathlib import Path

import pytest
from test_cli import regflow

from conftest import REVIEW, ROOT


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "register.db")


def run(db, *args, today="2027-06-01"):
    return regflow(*args, "--db", db, "--today", today)


def test_a_case_from_opening_to_correction(db):
    proc = run(db, "case", "new", "--spec", REVIEW, "--title", "Example Council", "--on", "2026-03-02")
    assert proc.returncode == 0 and "opened case 1: Example Council (review)" in proc.stdout
    assert run(db, "case", "fire", "1", "fieldwork_started", "--on", "2026-03-30",
               "--actor", "lead").returncode == 0
    proc = run(db, "case", "fire", "1", "fieldwork_completed", "--on", "2026-12-18",
               "--set", "concern=significant", "--note", "poor outcomes")
    assert "recorded fieldwork_completed as #2" in proc.stdout
    run(db, "case", "fire", "1", "report_published", "--on", "2027-01-27")
    run(db, "case", "fire", "1", "notice_given", "--on", "2027-02-01")
    show = run(db, "case", "show", "1").stdout
    assert "Notice review due" in show and "Recorded by regflow when due" in show
    assert "#2  2026-12-18" in show and "facts: concern = significant" in show
    proc = run(db, "case", "correct", "1", "4", "--reason", "wrong case")
    assert proc.returncode == 0 and "#4 voided by #5" in proc.stdout
    show = run(db, "case", "show", "1").stdout
    assert "VOIDED by #5: Notice given" in show
    data = json.loads(run(db, "case", "show", "1", "--json").stdout)
    assert data["current_states"] == ["awaiting_report", "no_notice"] and data["version"] == 5


def test_list_due_and_flags(db):
    run(db, "case", "new", "--spec", REVIEW, "--title", "Quiet", "--on", "2027-05-01")
    run(db, "case", "new", "--spec", REVIEW, "--title", "Busy", "--on", "2026-03-02")
    run(db, "case", "fire", "2", "fieldwork_started", "--on", "2026-03-30")
    run(db, "case", "fire", "2", "fieldwork_completed", "--on", "2027-04-01", "--set", "concern=none")
    listing = run(db, "case", "list").stdout
    busy = next(line for line in listing.splitlines() if "Busy" in line)
    assert "OVERDUE" in busy and "Drafting the report" in busy
    overdue = json.loads(run(db, "due", "--overdue", "--json").stdout)
    assert [(r["case_id"], r["timescale"], r["due"]) for r in overdue] == [(2, "draft", "2027-05-07")]
    assert "nothing due" in run(db, "due", "--within", "3d").stdout
    soon = run(db, "due", "--within", "2w").stdout
    assert "Fieldwork not before four weeks" not in soon
    only = json.loads(run(db, "case", "list", "--overdue", "--json").stdout)
    assert [c["title"] for c in only] == ["Busy"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["case", "show", "9"], "no case 9 in this register"),
    (["case", "fire", "1", "fieldwork_started", "--on", "2027-07-01"], "is in the future"),
    (["case", "fire", "1", "fieldwork_startd"], "did you mean 'fieldwork_started'"),
    (["case", "fire", "1", "fieldwork_started", "--set", "concern"], "write FACT=VALUE"),
    (["case", "fire", "1", "fieldwork_started", "--expect-version", "7"], "it is now at version 0"),
    (["case", "correct", "1", "3", "--reason", "x"], "has no entry #3"),
    (["case", "extend", "1", "announcement", "--to", "2027-09-01", "--reason", "x"],
     "allows no extension"),
    (["case", "show", "one"], "is not a case number"),
    (["due", "--within", "soon"], "is not a number of days"),
])
def test_bad_input_is_explained_and_nothing_changes(db, args, fragment):
    run(db, "case", "new", "--spec", REVIEW, "--title", "Example", "--on", "2026-03-02")
    proc = run(db, *args)
    assert proc.returncode != 0 and fragment in proc.stderr
    assert json.loads(run(db, "case", "show", "1", "--json").stdout)["version"] == 0


def test_a_foreign_file_as_db(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database")
    proc = regflow("case", "list", "--db", bad)
    assert proc.returncode == 1 and "not a regflow register" in proc.stderr
    assert bad.read_text() == "not a database"


def test_demo_makes_a_register_with_something_overdue(db):
    proc = regflow("demo", "--db", db, "--today", "2026-11-23")
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(regflow("case", "list", "--db", db, "--json", "--today", "2026-11-23").stdout)
    assert len(listing) == 5
    assert {c["regulator"] for c in listing} == {"Care Inspectorate Wales",
                                                  "Social Work Inspection Agency (SWIA), Scotland"}
    assert json.loads(regflow("due", "--db", db, "--json", "--today", "2026-11-23").stdout)
    again = regflow("demo", "--db", db)
    assert again.returncode == 1 and "already has cases" in again.stderr


def test_specs_path_in_demo_exists():
    assert (ROOT / "examples" / "ciw_significant.toml").exists()


@pytest.mark.parametrize(("args", "fragment"), [
    (["case", "show", "99999999999999999999"], "is not a case number"),
    (["case", "list", "--limit", "0"], "is not a whole number of at least 1"),
    (["case", "list", "--page", "99999999999999999999"], "is not a whole number of at least 1"),
    (["case", "fire", "1", "x", "--expect-version", "99999999999999999999"], "is not a case version"),
])
def test_numbers_out_of_range_are_refused(db, args, fragment):
    run(db, "case", "new", "--spec", REVIEW, "--title", "Example", "--on", "2026-03-02")
    proc = run(db, *args)
    assert proc.returncode == 2 and fragment in proc.stderr


def test_a_page_past_the_end_and_a_missing_register_are_errors(db, tmp_path):
    run(db, "case", "new", "--spec", REVIEW, "--title", "Example", "--on", "2026-03-02")
    proc = run(db, "case", "list", "--limit", "1", "--page", "3")
    assert proc.returncode == 1 and "--page 3 is past the last page (1 page of 1)" in proc.stderr
    missing = tmp_path / "typo.db"
    proc = regflow("case", "list", "--db", missing)
    assert proc.returncode == 1 and "no register at" in proc.stderr and not missing.exists()


def test_yes_and_no_set_true_or_false_facts_and_shipped_specs_by_id(db):
    proc = run(db, "case", "new", "--spec", "ciw_2019", "--title", "By id", "--on", "2026-03-02")
    assert proc.returncode == 0, proc.stderr
    run(db, "case", "fire", "1", "inspection_announced", "--on", "2026-03-02",
        "--set", "inspection_type=scheduled_thematic")
    proc = run(db, "case", "fire", "1", "team_composition_reviewed", "--on", "2026-03-04",
               "--set", "conflict_of_interest=no")
    assert proc.returncode == 0, proc.stderr
    assert "Inspection team settled" in run(db, "case", "show", "1").stdout


def test_plain_due_shows_overdue_and_soon(db):
    day = "2027-05-01"
    run(db, "case", "new", "--spec", REVIEW, "--title", "Busy", "--on", "2026-03-02", today=day)
    run(db, "case", "fire", "1", "fieldwork_started", "--on", "2026-03-30", today=day)
    run(db, "case", "fire", "1", "fieldwork_completed", "--on", "2027-04-01", "--set",
        "concern=none", today=day)
    data = json.loads(run(db, "due", "--json", today="2027-05-01").stdout)
    assert [r["timescale"] for r in data] == ["draft"]  # due 7 May: within 14 days
    data = json.loads(run(db, "due", "--json", today="2027-05-10").stdout)
    assert [(r["timescale"], r["status"], r["standing"]) for r in data] == [
        ("draft", "breached", "overdue")]


def test_due_and_case_list_tell_a_breach_from_a_departure(db, tmp_path):
    """The same late draft: a limit is OVERDUE and listed by --overdue; the normal arrangement
    ('is expected to') is later than normal, listed by --late only."""
    expected = tmp_path / "expected.toml"
    expected.write_text(Path(REVIEW).read_text().replace(
        'id = "draft"\n', 'id = "draft"\nstrength = "expected"\nwording = "is expected to"\n', 1))
    for spec, title in ((REVIEW, "Limit"), (expected, "Expected")):
        run(db, "case", "new", "--spec", spec, "--title", title, "--on", "2026-03-02", today="2027-05-10")
    for case in ("1", "2"):
        run(db, "case", "fire", case, "fieldwork_started", "--on", "2026-03-30", today="2027-05-10")
        run(db, "case", "fire", case, "fieldwork_completed", "--on", "2027-04-01", "--set",
            "concern=none", today="2027-05-10")
    day = "2027-05-10"
    overdue = json.loads(run(db, "due", "--overdue", "--json", today=day).stdout)
    assert [(r["case_id"], r["standing"]) for r in overdue] == [(1, "overdue")]
    late = json.loads(run(db, "due", "--late", "--json", today=day).stdout)
    assert sorted((r["case_id"], r["standing"], r["status"]) for r in late) == [
        (1, "overdue", "breached"), (2, "later than normal", "departed")]
    text = run(db, "due", "--late", today=day).stdout
    assert "OVERDUE" in text and "later than normal" in text and "normally" in text
    listed = json.loads(run(db, "case", "list", "--json", today=day).stdout)
    assert {r["title"]: r["flag"] for r in listed} == {"Limit": "OVERDUE", "Expected": "later than normal"}
    assert [r["title"] for r in json.loads(run(db, "case", "list", "--overdue", "--json", today=day).stdout)] == ["Limit"]
    assert len(json.loads(run(db, "case", "list", "--late", "--json", today=day).stdout)) == 2
    shown = run(db, "case", "show", "2", today=day).stdout
    assert "later than normal" in shown and "normally" in shown


def test_importing_the_same_file_twice_adds_nothing(db, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import write_jsonl

    source = tmp_path / "cases.jsonl"
    write_jsonl(source, 6, __import__("datetime").date(2026, 11, 23), mean_events=3)
    first = regflow("import", source, "--db", db, "--today", "2026-11-23", "--quiet")
    assert first.returncode == 0 and "imported 6 cases" in first.stdout
    again = regflow("import", source, "--db", db, "--today", "2026-11-23", "--quiet")
    assert "imported 0 cases with 0 events; 6 already in the register" in again.stdout
