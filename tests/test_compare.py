"""Two regimes or two versions compared: milestones side by side (checked against the
documents' words), what changed between versions (exactly that), and the HTML a person sends
(parsed back: tables, inline SVG, no external resources)."""

import json
from datetime import date
from html.parser import HTMLParser

from test_cli import regflow

from regflow.engine import load_spec
from regflow.engine.compare.comparison import compare, comparison_html, comparison_json
from regflow.engine.compare.diff import spec_diff
from regflow.engine.compare.milestones import milestone_table

from conftest import ROOT

CIW, SWIA = ROOT / "specs" / "ciw_2019.toml", ROOT / "specs" / "swia_handover.toml"


def row(rows, name):
    return next(r for r in rows if r.milestone == name)


def test_the_action_plan_side_by_side():
    """CIW 9.1: the local authority 'is required to ... inform CIW within 20 working days of
    the publication of the report'; SWIA 23 Purpose: 'the authority is expected to produce this
    within twelve weeks after the date of publication'."""
    rows = milestone_table(load_spec(CIW), load_spec(SWIA))
    ciw, swia = row(rows, "action_plan_due").sides
    (c,) = ciw.timescales
    (s,) = swia.timescales
    assert (c["citation"], c["strength"], c["rule"]) == (
        "9.1", "limit", "within 20 working days of ‘Inspection report published on CIW's website’")
    assert (s["citation"], s["strength"], s["rule"]) == (
        "23 Purpose", "expected", "within 12 weeks of ‘Inspection report published’")
    assert c["wording"] == "is required to" and s["wording"].startswith("is expected to")


def test_milestones_only_one_side_has_are_listed_with_the_other_empty():
    rows = milestone_table(load_spec(CIW), load_spec(SWIA))
    ciw, swia = row(rows, "draft_report").sides  # SWIA's section 23 starts after publication
    assert ciw.timescales and swia.empty
    ciw, swia = row(rows, "progress_report").sides  # CIW has no quarterly reports
    assert ciw.empty and swia.timescales
    assert row(rows, "report_published").sides[1].steps == ("After publication: preparing the handover",
                                                            "Inspection report published")


def test_a_version_with_a_changed_timescale_and_an_added_step(tmp_path):
    """The diff lists exactly what was changed: one timescale's length (and its label), one
    event and one transition added."""
    version = tmp_path / "v2.toml"
    version.write_text(
        'extends = "swia_handover"\n[process]\nid = "swia_handover"\nversion = "v2"\n\n'
        '[events.plan_acknowledged]\nlabel = "Action plan acknowledged"\ncitation = "23 Purpose"\n\n'
        '[[transitions]]\nfrom = "action_plan_in_preparation"\nevent = "plan_acknowledged"\n'
        'to = "action_plan_in_preparation"\ncitation = "23 Purpose"\n\n'
        '[[timescales]]\nid = "action_plan"\nwithin = "10 weeks"\n'
        'label = "Action plan within ten weeks after publication"\n')
    changes = spec_diff(load_spec(SWIA), load_spec(version))
    assert [c.words() for c in changes] == [
        "event plan_acknowledged added (label: Action plan acknowledged; citation: 23 Purpose)",
        "transition action_plan_in_preparation --plan_acknowledged--> action_plan_in_preparation "
        "added (citation: 23 Purpose)",
        "timescale action_plan changed (label: Action plan within twelve weeks after publication → "
        "Action plan within ten weeks after publication; within: 12 weeks → 10 weeks)",
    ]
    assert spec_diff(load_spec(SWIA), load_spec(SWIA)) == []


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.external = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") and value and not value.startswith("#"):
                self.external.append(value)


def test_the_html_has_both_diagrams_the_tables_and_nothing_external(tmp_path):
    found = compare(load_spec(CIW), load_spec(SWIA), date(2027, 3, 1))
    page = _Page()
    text = comparison_html(found)
    page.feed(text)
    assert page.tags.count("svg") == 3  # two diagrams and the timeline
    assert page.tags.count("table") == 2 and "@media print" in text
    assert page.external == []  # one self-contained file
    assert "2027-05-24" in text  # SWIA's twelve weeks from 1 March 2027
    data = comparison_json(found)
    assert data["diff"] is None  # two regulators: no version diff
    assert {e["id"]: e["due"] for e in data["timeline"]["sides"][1]}["handover_meeting"] == "2027-05-24"


def test_two_versions_are_marked_on_both_diagrams(tmp_path):
    found = compare(load_spec(CIW), load_spec(ROOT / "examples" / "ciw_2019_pilot.toml"))
    assert [c.id for c in found.diff] == ["draft_report"]
    text = comparison_html(found)
    assert text.count("differs from") == 4  # each diagram: its title and its hover text
    assert text.count("&#9998;") + text.count("✎") >= 3  # a badge, not only a colour
    assert "What changed from" in text


def test_compare_command(tmp_path):
    out = tmp_path / "cmp.html"
    proc = regflow("compare", "ciw_2019", "swia_handover", "-o", out, "--start", "2027-03-01")
    assert proc.returncode == 0 and out.read_text().startswith("<!DOCTYPE html>")
    data = json.loads(regflow("compare", "ciw_2019", "swia_handover", "--json").stdout)
    assert any(r["milestone"] == "action_plan_due" for r in data["milestones"])
    bad = regflow("compare", "ciw_2019", "swia_handover", "-o", tmp_path / "x.png")
    assert bad.returncode == 1 and "name it .html" in bad.stderr
    copy = tmp_path / "ciw.html"
    copy.write_text("<p>mine</p>")
    copy.with_name("same.html").hardlink_to(copy)
    over = regflow("compare", CIW, copy.with_name("same.html"), "-o", copy)
    assert over.returncode == 1 and copy.read_text() == "<p>mine</p>"


def test_compare_takes_facts_for_its_timeline_and_names_milestones(tmp_path):
    """--set reaches each side that has the fact; a mistyped milestone gets a suggestion and
    the milestones both specs mark."""
    plain = json.loads(regflow("compare", "ciw_2019", "swia_handover", "--json", "--start",
                               "2027-03-01").stdout)
    serious = json.loads(regflow("compare", "ciw_2019", "swia_handover", "--json", "--start",
                                 "2027-03-01", "--from-milestone", "concerns_considered",
                                 "--set", "concern_level=serious", "--set",
                                 "serious_concerns_response=improvement_conference",
                                 "--set", "evaluation=unsatisfactory").stdout)
    ids = [{e["id"] for e in side} for side in serious["timeline"]["sides"]]
    assert "serious_conference_deadline" in ids[0]
    assert "serious_conference_deadline" not in {e["id"] for e in plain["timeline"]["sides"][0]}
    bad = regflow("compare", "ciw_2019", "swia_handover", "-o", tmp_path / "m.html", "--start",
                  "2027-03-01", "--from-milestone", "action_plan")
    assert bad.returncode == 1
    assert "did you mean 'action_plan_due'?" in bad.stderr and "report_published" in bad.stderr
    unknown = regflow("compare", "ciw_2019", "swia_handover", "--json", "--start", "2027-03-01",
                      "--set", "concern_levl=serious")
    assert unknown.returncode == 1 and "did you mean 'concern_level'?" in unknown.stderr
    alone = regflow("compare", "ciw_2019", "swia_handover", "--json", "--set", "concern_level=serious")
    assert alone.returncode == 1 and "give its --start" in alone.stderr
