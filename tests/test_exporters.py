"""Each built-in exporter's output read back with a parser of its format: Mermaid's structure,
the JSON model against its schema, iCalendar with icalendar, CSV with csv, the HTML report with
html.parser. (SCXML: tests/test_scxml.py.)"""

import csv
import json
import re
from datetime import date
from html.parser import HTMLParser

import jsonschema
import pytest
from icalendar import Calendar

from regflow.engine import load_spec
from regflow.engine.register.api import Register
from regflow.engine.register.demo import make_demo
from regflow.plugins.exporters import ExportError, export_subject
from regflow.plugins.formats.json_model import model_schema

from conftest import REVIEW, ROOT

SPECS = [REVIEW, ROOT / "specs" / "ciw_2019.toml", ROOT / "specs" / "swia_handover.toml"]
TODAY = date(2027, 3, 1)


# -- mermaid ----------------------------------------------------------------------------------


def parse_mermaid(text):
    """States (with their parents and labels), initial and final markers, regions and
    transitions, read back from a stateDiagram-v2."""
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    stack, parents, labels, transitions = [None], {}, {}, []
    initial, final, separators = {}, set(), {}
    for line in lines[1:]:
        line = line.strip()
        if not line or line.startswith("%%"):
            continue
        if m := re.fullmatch(r'state "([^"]*)" as (\w+)', line):
            labels[m[2]] = m[1]
            parents[m[2]] = stack[-1]
        elif m := re.fullmatch(r"state (\w+) \{", line):
            stack.append(m[1])
        elif line == "}":
            stack.pop()
        elif line == "--":
            separators[stack[-1]] = separators.get(stack[-1], 0) + 1
        elif m := re.fullmatch(r"\[\*\] --> (\w+)", line):
            initial[stack[-1]] = m[1]
        elif m := re.fullmatch(r"(\w+) --> \[\*\]", line):
            final.add(m[1])
        elif m := re.fullmatch(r"(\w+) --> (\w+) : (\w+)(?: \[(.*)\])?", line):
            transitions.append((m[1], m[2], m[3], stack[-1]))
        else:
            raise AssertionError(f"not Mermaid state diagram syntax: {line!r}")
    assert stack == [None]
    return parents, labels, initial, final, separators, transitions


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_mermaid_has_the_states_nesting_regions_and_transitions(path, tmp_path):
    spec = load_spec(path)
    out = tmp_path / "chart.mmd"
    export_subject("spec", spec, out)
    parents, labels, initial, final, separators, transitions = parse_mermaid(out.read_text())
    assert parents == {n: s.parent for n, s in spec.states.items()}
    assert all(labels[n] for n in spec.states)
    assert final == {n for n, s in spec.states.items() if s.final}
    for parent in [None, *spec.states]:
        children = spec.children(parent)
        if children and not (parent and spec.states[parent].parallel):
            assert initial[parent] == next(c for c in children if spec.states[c].initial)
    assert separators == {n: len(spec.children(n)) - 1 for n, s in spec.states.items()
                          if s.parallel and len(spec.children(n)) > 1}
    assert sorted(t[:3] for t in transitions) == sorted(
        (s, t.target, t.event) for t in spec.transitions for s in t.sources)
    for source, target, _event, block in transitions:  # written where both ends are inside
        for end in (source, target):
            assert block is None or block in spec.ancestors(end)


# -- json -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_json_is_the_model_and_valid_against_its_schema(path, tmp_path):
    spec = load_spec(path)
    out = tmp_path / "spec.json"
    export_subject("spec", spec, out)
    data = json.loads(out.read_text())
    jsonschema.Draft7Validator.check_schema(model_schema())
    jsonschema.Draft7Validator(model_schema()).validate(data)
    assert data["process"]["id"] == spec.process.id
    assert set(data["states"]) == set(spec.states)
    assert [(t["sources"], t["event"], t["target"], t["guard"]) for t in data["transitions"]] == [
        (list(t.sources), t.event, t.target, t.guard) for t in spec.transitions]
    for row, timescale in zip(data["timescales"], spec.timescales, strict=True):
        assert row["strength"] == timescale.strength
        if timescale.within:
            assert row["within"] == {"amount": timescale.within.amount, "unit": timescale.within.unit}
    assert data["content_hash"] == spec.content_hash


def test_the_schema_rejects_a_broken_model(review):
    from regflow.plugins.formats.json_model import spec_model

    data = json.loads(json.dumps(spec_model(review)))
    data["timescales"][0]["strength"] = "a bit"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, model_schema())


# -- a register to export ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    reg = Register(tmp_path_factory.mktemp("reg") / "register.db", today=TODAY)
    make_demo(reg)
    yield reg
    reg.close()


def open_deadlines(view, today=TODAY):
    return [r for r in view.case.timescales(today) if r.open and r.due is not None
            and view.case.finished_on is None]


# -- ics --------------------------------------------------------------------------------------


def read_ics(path):
    cal = Calendar.from_ical(path.read_bytes())
    return cal, list(cal.walk("VEVENT"))


def test_ics_of_a_case_has_one_event_per_open_deadline(register, tmp_path):
    case_id = register.list_cases()[0]["id"]
    view = register.get(case_id)
    out = tmp_path / "case.ics"
    export_subject("case", view, out, today=TODAY)
    cal, events = read_ics(out)
    assert str(cal["VERSION"]) == "2.0" and "regflow" in str(cal["PRODID"])
    expected = open_deadlines(view)
    assert expected and len(events) == len(expected)
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events)
    for row in expected:
        event = by_uid[f"case-{case_id}-{row.id}-{row.occurrence}@regflow.invalid"]
        assert event.decoded("DTSTART") == row.due  # an all-day event on the due date
        assert (event.decoded("DTEND") - event.decoded("DTSTART")).days == 1
        text = str(event["DESCRIPTION"])
        assert f"Source: {row.citation}." in text and row.label in text
        assert not re.search(r"https?://|www\.", text + str(event["SUMMARY"]))
        assert int(event["SEQUENCE"]) == view.version


def test_ics_uids_stay_the_same_so_a_new_import_updates(register, tmp_path):
    case_id = register.list_cases()[1]["id"]
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    export_subject("case", register.get(case_id), first, today=TODAY)
    view = register.get(case_id)
    event = next(e for e in view.case.available_events())
    try:
        register.fire(case_id, event, TODAY)
    except Exception:  # some events need facts; correcting the last entry changes it too
        register.correct(case_id, view.entries[-1].seq, "test: re-export after a change")
    export_subject("case", register.get(case_id), second, today=TODAY)
    old = {str(e["UID"]): e for e in read_ics(first)[1]}
    new = {str(e["UID"]): e for e in read_ics(second)[1]}
    kept = set(old) & set(new)
    assert kept  # the same deadlines keep their identity
    assert all(int(new[u]["SEQUENCE"]) > int(old[u]["SEQUENCE"]) for u in kept)


def test_ics_of_the_register_lists_every_open_deadline(register, tmp_path):
    out = tmp_path / "register.ics"
    export_subject("register", register, out, today=TODAY)
    _, events = read_ics(out)
    expected = sum(len(open_deadlines(register.get(r["id"]), register.today))
                   for r in register.list_cases())
    assert len(events) == expected > 0
    assert len({str(e["UID"]) for e in events}) == len(events)


# -- csv --------------------------------------------------------------------------------------


def test_csv_has_a_row_per_case_and_per_open_deadline(register, tmp_path):
    out = tmp_path / "register.csv"
    export_subject("register", register, out, today=TODAY)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cases = [r for r in rows if r["record"] == "case"]
    deadlines = [r for r in rows if r["record"] == "deadline"]
    listed = register.list_cases()
    assert [int(r["case"]) for r in cases] == [c["id"] for c in listed]
    assert [r["title"] for r in cases] == [c["title"] for c in listed]
    for c in listed:
        view = register.get(c["id"])
        mine = [r for r in deadlines if int(r["case"]) == c["id"]]
        assert sorted((r["timescale"], int(r["occurrence"]), r["due"]) for r in mine) == sorted(
            (d.id, d.occurrence, d.due.isoformat()) for d in open_deadlines(view, register.today))
    assert {r["binding"] for r in deadlines} <= {"limit", "normally", "target", "where possible"}


def test_csv_does_not_let_a_title_run_as_a_formula(tmp_path):
    with Register(tmp_path / "r.db", today=TODAY) as reg:
        reg.new_case(REVIEW, "=HYPERLINK(\"x\")", date(2027, 1, 4))
        out = tmp_path / "r.csv"
        export_subject("register", reg, out, today=TODAY)
    with out.open(newline="") as handle:
        (row, *_) = list(csv.DictReader(handle))
    assert row["title"] == "'=HYPERLINK(\"x\")"


# -- html -------------------------------------------------------------------------------------


class Page(HTMLParser):
    """Tags, attributes, tables (rows of cell text) and text of an HTML page."""

    def __init__(self):
        super().__init__()
        self.tags, self.tables, self.text, self.style = [], [], [], ""
        self._cell, self._in_style, self._in_svg = None, False, 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "svg":
            self._in_svg += 1
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and not self._in_svg:
            self.tables[-1].append([])
        elif tag in ("td", "th") and not self._in_svg:
            self._cell = []
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_svg -= 1
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        elif self._cell is not None:
            self._cell.append(data)
        if not self._in_svg:
            self.text.append(data)


def test_html_report_is_a_self_contained_case_report(register, tmp_path):
    case_id = register.list_cases()[0]["id"]
    view = register.get(case_id)
    out = tmp_path / "report.html"
    export_subject("case", view, out, today=TODAY)
    raw = out.read_text()
    page = Page()
    page.feed(raw)
    tags = [t for t, _ in page.tags]
    assert tags.count("svg") >= 1 and "script" not in tags and "link" not in tags
    assert "img" not in tags and "iframe" not in tags
    for _tag, attrs in page.tags:  # nothing fetched from elsewhere
        for name in ("src", "href", "xlink:href"):
            assert not re.match(r"(https?:)?//", attrs.get(name) or ""), attrs
    assert "@import" not in page.style and "url(" not in page.style
    assert "@media print" in page.style
    text = " ".join(" ".join(page.text).split())
    assert view.title in text and f"Case {case_id}" in text
    (deadlines,) = [t for t in page.tables if t and t[0][:2] == ["Deadline", "Rule"]]
    rows = [r for r in view.case.timescales(TODAY) if r.anchor_date is not None]
    assert len(deadlines) - 1 == len(rows)
    header = deadlines[0]
    assert header == ["Deadline", "Rule", "Due", "Status", "How binding", "Source"]
    cells = {(r[0], r[2]) for r in deadlines[1:]}
    for r in rows:
        due = ("about " if r.approximate else "") + (r.due.isoformat() if r.due else "-")
        assert any(label == r.label and shown.startswith(due) for label, shown in cells)
    overdue = [r for r in deadlines[1:] if "overdue" in r[3]]
    assert overdue and all(r[4].startswith("limit") for r in overdue)
    quoted = [r for r in rows if view.spec.citation_text(r.citation)]
    assert quoted  # the source's own words, not only a paragraph number
    for r in quoted:
        words = " ".join(view.spec.citation_text(r.citation).split())
        assert any(cell[5].startswith(r.citation) and cell[5].endswith(words)
                   for cell in deadlines[1:] if cell[0] == r.label)
    history = next(t for t in page.tables if t and t[0][:3] == ["#", "Date", "What happened"])
    assert [int(r[0]) for r in history[1:]] == [e.seq for e in view.entries]
    # the current stages are marked in the diagram (Graphviz ids are the state names)
    svg = raw[raw.index("<svg"):raw.index("</svg>")]
    for state in view.case.current_states:
        assert f'id="{state}"' in svg or f"{state}</title>" in svg


def test_an_unknown_format_for_a_case_lists_the_case_formats(register, tmp_path):
    view = register.get(register.list_cases()[0]["id"])
    with pytest.raises(ExportError, match=r"unknown format 'scxml' for a case \(scxml exports a spec\); available: html, ics"):
        export_subject("case", view, tmp_path / "x.scxml", "scxml", today=TODAY)
