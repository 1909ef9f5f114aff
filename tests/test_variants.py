"""Rule variants: a spec that `extends` another (no code), and variants offered by plugins."""

import json
import shutil
from datetime import date

import pytest
from test_cli import regflow

from regflow.engine import Case, SpecError, load_spec, loads_spec
from regflow.engine.drawing.diagram import diagram_source, variant_changes
from regflow.engine.errors import RegflowError
from regflow.engine.register.api import Register
from regflow.engine.spec.variants import installed_variants, open_spec, variant_spec

from conftest import ROOT, row

PILOT = ROOT / "examples" / "ciw_2019_pilot.toml"
D = date


def test_a_pilot_gives_the_draft_30_working_days_instead_of_25():
    """Fieldwork completed Wednesday 16 December 2026: 25 working days (8.5) end on Monday
    25 January 2027 in Wales (25, 28 December and 1 January are bank holidays); the pilot's 30
    end five working days later, Monday 1 February."""
    base, pilot = load_spec(ROOT / "specs" / "ciw_2019.toml"), load_spec(PILOT)
    assert (pilot.process.id, pilot.variant.base.endswith("ciw_2019.toml")) == ("ciw_2019_pilot", True)
    assert str(pilot.timescale("draft_report").within) == "30 working days"
    assert len(pilot.states) == len(base.states) and len(pilot.transitions) == len(base.transitions)
    dues = []
    for spec in (base, pilot):
        case = Case(spec, opened_on=D(2026, 9, 1))
        case.fire("inspection_announced", D(2026, 10, 5))
        case.fire("fieldwork_started", D(2026, 11, 2))
        case.fire("fieldwork_completed", D(2026, 12, 16))
        dues.append(row(case, D(2026, 12, 16), "draft_report").due)
    assert dues == [D(2027, 1, 25), D(2027, 2, 1)]
    # everything else as the base: the same strength and citation
    t = pilot.timescale("draft_report")
    assert (t.strength, t.citation, t.anchor.name) == ("expected", "8.5", "fieldwork_completed")


def write_variant(tmp_path, body: str, base: str = "ciw_2019"):
    path = tmp_path / "variant.toml"
    path.write_text(f'extends = "{base}"\n\n[process]\nid = "my_variant"\n' + body)
    return path


def test_problems_point_into_the_file_where_they_are(tmp_path):
    path = write_variant(tmp_path, '\n[[timescales]]\nid = "draft_report"\nwithin = "30 wrking days"\n')
    with pytest.raises(SpecError) as info:
        load_spec(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), 8, 10)
    assert problem.suggestion == "'30 working days'"


def test_a_new_timescale_on_the_steps_of_a_base_one_is_warned_of(tmp_path):
    """Adding "within 30 working days" under a new id beside 8.5's 25 makes two deadlines on
    one step; the warning says how to change 8.5's instead."""
    base = load_spec(ROOT / "specs" / "ciw_2019.toml").timescale("draft_report")
    added = ('\n[[timescales]]\nid = "draft_in_30"\nlabel = "Draft in 30 working days"\n'
             'kind = "deadline"\nanchor = { event = "fieldwork_completed" }\n'
             'within = "30 working days"\nmet_by = { event = "draft_report_shared" }\n'
             'citation = "8.5"\n')
    spec = load_spec(write_variant(tmp_path, added))
    (warned,) = [w for w in spec.warnings if "adds a second" in w.message]
    assert warned.file == str(tmp_path / "variant.toml") and warned.line == 7
    assert f'‘{base.label}’' in warned.message and 'write id = "draft_report"' in warned.message
    # changing the base's timescale by its id: no warning
    spec = load_spec(write_variant(tmp_path, '\n[[timescales]]\nid = "draft_report"\n'
                                              'within = "30 working days"\n'))
    assert not [w for w in spec.warnings if "adds a second" in w.message]


def test_a_variant_can_add_and_remove(tmp_path):
    body = '''
[states.pilot_review]
label = "Pilot review of the draft"
parent = "reporting"
citation = "8.6"

[events.pilot_review_done]
label = "Pilot review done"
citation = "8.6"

[[transitions]]
from = "drafting_report"
event = "pilot_review_done"
to = "pilot_review"
citation = "8.6"

[[timescales]]
id = "feedback_questionnaire"
remove = true
'''
    spec = load_spec(write_variant(tmp_path, body))
    assert "pilot_review" in spec.states and "pilot_review_done" in spec.events
    assert "feedback_questionnaire" not in {t.id for t in spec.timescales}
    states, keys = variant_changes(spec)
    assert "pilot_review" in states
    assert "drafting_report --pilot_review_done--> pilot_review" in keys


def test_removing_a_transition_that_is_not_there_says_so(tmp_path):
    path = write_variant(tmp_path, '\n[[transitions]]\nfrom = "nowhere"\nevent = "x"\nto = "y"\nremove = true\n')
    with pytest.raises(SpecError, match="no transition of the base spec has this from, event and to"):
        load_spec(path)


def test_an_unknown_base_is_named(tmp_path):
    with pytest.raises(SpecError, match="neither a file next to this one nor a shipped spec"):
        load_spec(write_variant(tmp_path, "", base="ciw_2091"))


def test_a_variant_of_a_variant_and_a_loop(tmp_path):
    shutil.copy(PILOT, tmp_path / "pilot.toml")
    second = tmp_path / "second.toml"
    second.write_text('extends = "pilot.toml"\n\n[process]\nid = "second"\n')
    spec = load_spec(second)
    assert str(spec.timescale("draft_report").within) == "30 working days"
    loop = tmp_path / "loop.toml"
    loop.write_text('extends = "loop.toml"\n[process]\nid = "loop"\n')
    with pytest.raises(SpecError, match="more than 8 deep"):
        load_spec(loop)


def test_rendered_with_what_the_variant_changed_marked():
    dot = diagram_source(load_spec(PILOT))
    assert "changed from ciw_2019.toml" in dot
    assert dot.count('color="#0072B2"') >= 2  # the steps the 30 days count between
    assert "#0072B2" not in diagram_source(load_spec(ROOT / "specs" / "ciw_2019.toml"))


def test_a_case_on_a_variant_is_pinned_to_the_resolved_text(tmp_path):
    variant = tmp_path / "pilot.toml"
    shutil.copy(PILOT, variant)
    with Register(tmp_path / "r.db", today=D(2026, 12, 1)) as reg:
        view = reg.new_case(variant, "Pilot council", D(2026, 9, 1))
    variant.unlink()  # the case never needs the variant file again
    with Register(tmp_path / "r.db", today=D(2026, 12, 1)) as reg:
        again = reg.get(view.id)
        assert again.spec.process.id == "ciw_2019_pilot"
        assert str(again.spec.timescale("draft_report").within) == "30 working days"
        assert again.spec.content_hash == view.spec.content_hash


def test_the_built_in_variant_in_code_uses_the_plugin_hook():
    variants = installed_variants()
    assert variants["swia_proportionate"].base == "swia_handover"
    spec = variant_spec("swia_proportionate")
    assert spec.process.id == "swia_handover_proportionate"
    ids = {t.id: t for t in spec.timescales}
    assert str(ids["half_yearly_progress_reports"].every) == "6 months"
    assert ids["quarterly_progress_reports"].applies_when == 'not (risk == "low")'
    assert open_spec("variant:swia_proportionate").content_hash == spec.content_hash


def test_low_risk_reports_half_yearly_in_the_variant():
    spec = variant_spec("swia_proportionate")
    case = Case(spec, opened_on=D(2026, 3, 2))
    case.fire("report_published", D(2026, 3, 2), {"evaluation": "good"})
    case.fire("action_plan_submitted", D(2026, 5, 1), {"action_plan_in": True})
    case.fire("handover_meeting_took_place", D(2026, 5, 21),
              {"risk": "low", "link_inspector_same_as_lead": False})
    today = D(2026, 12, 1)
    quarterly = [r.status for r in case.timescales(today) if r.id == "quarterly_progress_reports"]
    half = [(r.due, r.status) for r in case.timescales(today) if r.id == "half_yearly_progress_reports"]
    assert set(quarterly) == {"not applicable"}
    assert half == [(D(2026, 11, 21), "departed"), (D(2027, 5, 21), "pending")]


def test_unknown_variant_is_a_clear_message():
    with pytest.raises(RegflowError, match="did you mean 'swia_proportionate'"):
        variant_spec("swia_proportionat")


def test_command_line_opens_a_case_on_a_variant(tmp_path):
    db = tmp_path / "r.db"
    proc = regflow("case", "new", "--db", db, "--variant", "swia_proportionate", "--title",
                   "Eastport", "--on", "2026-03-02", "--today", "2026-03-10")
    assert proc.returncode == 0 and "(swia_handover_proportionate)" in proc.stdout
    listed = json.loads(regflow("plugins", "--json").stdout)
    assert [v["name"] for v in listed["variants"]] == ["swia_proportionate"]
    bad = regflow("case", "new", "--db", db, "--variant", "nope", "--title", "X", "--today", "2026-03-10")
    assert bad.returncode == 1 and "unknown variant 'nope'" in bad.stderr and "Traceback" not in bad.stderr


def test_a_plugin_whose_variant_fails_is_named_and_nothing_changes(monkeypatch):
    from regflow.engine.spec import variants as module

    def broken(data):
        raise KeyError("timescales")

    fake = module.Variant("broken", "swia_handover", "Broken", "", broken)
    monkeypatch.setattr(module, "installed_variants", lambda: {"broken": fake})
    with pytest.raises(SpecError, match="the variant 'broken' could not be made: its plugin failed"):
        variant_spec("broken")


def test_loads_spec_of_a_variant_text_finds_its_base_beside_the_path(tmp_path):
    text = PILOT.read_text()
    spec = loads_spec(text, path=str(PILOT))
    assert spec.process.id == "ciw_2019_pilot"


def test_diagram_ids_come_from_the_specs_names_so_versions_diff_cleanly(tmp_path):
    """An added step renumbers nothing: every arrow of the base keeps its id in the variant."""
    import re

    base = diagram_source(load_spec(ROOT / "specs" / "swia_handover.toml"))
    path = tmp_path / "v.toml"
    path.write_text('extends = "swia_handover"\n[process]\nid = "v"\n\n'
                    '[events.extra_step]\nlabel = "Extra step"\ncitation = "23 Purpose"\n\n'
                    '[[transitions]]\nfrom = "awaiting_publication"\nevent = "extra_step"\n'
                    'to = "awaiting_publication"\ncitation = "23 Purpose"\n')
    varied = diagram_source(load_spec(path))
    ids = lambda dot: set(re.findall(r'id="(e__[^"]+)"', dot))  # noqa: E731
    assert ids(base) < ids(varied)
    assert ids(varied) - ids(base) == {"e__awaiting_publication.extra_step.awaiting_publication"}


def test_a_plugin_whose_variants_hook_fails_is_named_and_the_others_still_offered():
    from regflow.plugins.manager import hookimpl, plugin_manager, take_failures

    class Broken:
        @hookimpl
        def regflow_variants(self):
            raise RuntimeError("no variants today")

    pm = plugin_manager()
    pm.register(Broken(), name="broken_variants")
    try:
        take_failures()
        assert "swia_proportionate" in installed_variants()
        failures = take_failures()
        assert [(f.plugin, f.hook) for f in failures] == [("broken_variants", "regflow_variants")]
    finally:
        pm.unregister(name="broken_variants")
