"""A variant seen whole in the editor: which items are the base's, changed or the variant's
own, and edits that keep the variant file writing only what differs (no Qt)."""

from __future__ import annotations

import pytest

from regflow.engine import SpecError, load_spec, loads_spec
from regflow.engine.spec.editing import EditError, SpecDocument
from regflow.engine.spec.overriding import CHANGED, INHERITED, OWN, Layers
from regflow.engine.spec.starting import as_variant

from conftest import ROOT

CIW = ROOT / "specs" / "ciw_2019.toml"
PILOT = ROOT / "examples" / "ciw_2019_pilot.toml"


@pytest.fixture
def variant(tmp_path):
    """A new variant of ciw_2019, as the New spec dialog makes it."""
    return as_variant(CIW, tmp_path / "other.toml", "CIW rules for another regulator")


def layers(path) -> tuple[SpecDocument, Layers]:
    doc = SpecDocument.load(path)
    return doc, Layers.of(doc, path)


def index_of(data, ident: str) -> int:
    return next(i for i, t in enumerate(data["timescales"]) if t["id"] == ident)


def edited(path, make) -> tuple[str, object]:
    """Make an edit on a copy of the variant at ``path``, save it; the text and its spec."""
    doc, lay = layers(path)
    work = doc.copy()
    result = make(lay, work)
    work.save(path)
    return path.read_text(), result


def test_a_new_variant_shows_the_whole_base_as_inherited(variant):
    _doc, lay = layers(variant)
    origins = lay.origins()
    base = load_spec(CIW)
    assert len([p for p in origins if p[0] == "states"]) == len(base.states)
    assert len([p for p in origins if p[0] == "transitions"]) == len(base.transitions)
    assert {o for p, o in origins.items() if p != ("process",)} == {INHERITED}
    assert origins[("process",)] == CHANGED
    assert lay.base_name == "ciw_2019"
    assert Layers.of(SpecDocument.load(CIW), CIW) is None  # a spec that extends nothing


def test_the_pilot_changes_one_timescale():
    _doc, lay = layers(PILOT)
    draft = ("timescales", index_of(lay.data, "draft_report"))
    assert lay.origin(draft) == CHANGED
    assert set(lay.changed_fields(draft)) == {"label", "within"}
    assert lay.changed_fields(draft)["within"] == "25 working days"
    other = ("timescales", 0)
    assert lay.origin(other) == INHERITED and lay.changed_fields(other) == {}


def test_an_inherited_timescale_changed_writes_only_that_field(variant):
    before = variant.read_text()
    draft = ("timescales", index_of(SpecDocument.load(CIW).doc.unwrap(), "draft_report"))
    text, _ = edited(variant, lambda lay, doc: lay.set(doc, draft, "within", "30 working days"))
    assert text == before + '\n[[timescales]]\nid = "draft_report"\nwithin = "30 working days"\n'
    # the resolved spec is the base with that one change
    base_doc = SpecDocument.load(CIW)
    base_doc.set((*draft, "within"), "30 working days")
    intended, got = loads_spec(base_doc.text(), str(CIW)), load_spec(variant)
    assert got.timescales == intended.timescales
    assert (got.states, got.transitions, got.events) == (intended.states, intended.transitions,
                                                          intended.events)
    # back to the base's value: the override and its table go, the file is as it was
    _doc, lay = layers(variant)
    assert lay.origin(draft) == CHANGED
    assert lay.changed_fields(draft) == {"within": "25 working days"}
    text, _ = edited(variant, lambda lay, doc: lay.revert(doc, draft, "within"))
    assert text == before


def test_strength_of_an_inherited_timescale_is_an_override_too(variant):
    base = load_spec(CIW)
    draft = next(i for i, t in enumerate(base.timescales) if t.id == "draft_report")
    assert base.timescales[draft].strength == "expected"
    text, _ = edited(variant, lambda lay, doc: lay.set(doc, ("timescales", draft), "strength",
                                                       "limit"))
    assert text.endswith('[[timescales]]\nid = "draft_report"\nstrength = "limit"\n')
    assert load_spec(variant).timescale("draft_report").strength == "limit"


def test_a_field_put_back_to_the_base_value_is_no_override(variant):
    before = variant.read_text()
    label = load_spec(CIW).states["peer_review"].label
    text, _ = edited(variant, lambda lay, doc: lay.set(doc, ("states", "peer_review"), "label",
                                                       label))
    assert text == before
    text, _ = edited(variant, lambda lay, doc: lay.set(doc, ("states", "peer_review"), "label",
                                                       "Peer review by another regulator"))
    assert text == before + '\n[states.peer_review]\nlabel = "Peer review by another regulator"\n'
    assert load_spec(variant).states["peer_review"].parent == "reporting"  # the rest as the base
    text, _ = edited(variant, lambda lay, doc: lay.set(doc, ("states", "peer_review"), "label",
                                                       label))
    assert text == before


def test_a_base_field_cannot_be_taken_away_but_a_yes_can_be_undone(variant):
    doc, lay = layers(variant)
    with pytest.raises(EditError, match="cannot take 'label' away from what ciw_2019 gives"):
        lay.set(doc.copy(), ("states", "peer_review"), "label", None)
    final = next(n for n, s in load_spec(CIW).states.items() if s.final)
    text, _ = edited(variant, lambda lay, doc: lay.set(doc, ("states", final), "final", None))
    assert text.endswith(f"[states.{final}]\nfinal = false\n")


def test_deleting_an_inherited_state_writes_remove(variant):
    before = variant.read_text()
    _doc, lay = layers(variant)
    used = lay.view().references("state", "peer_review")  # in the resolved spec
    assert used and all(p[0] in ("transitions", "states") for p in used)
    assert SpecDocument.load(variant).references("state", "peer_review") == []  # the file alone
    text, removal = edited(variant, lambda lay, doc: lay.remove(doc, ("states", "peer_review")))
    assert text == before + "\n[states.peer_review]\nremove = true\n"
    assert removal == ("states", "peer_review")
    with pytest.raises(SpecError) as info:  # what referred to it now says so, in the base file
        load_spec(variant)
    assert any(p.file == str(CIW) and "peer_review" in p.message for p in info.value.problems)
    _doc, lay = layers(variant)
    assert "peer_review" not in lay.data["states"]
    (removal, base_item), = lay.removed()
    assert removal == ("states", "peer_review") and base_item["parent"] == "reporting"
    with pytest.raises(EditError, match="which this variant removes: put it back"):
        lay.check_new("states", "peer_review")
    text, _ = edited(variant, lambda lay, doc: lay.restore(doc, removal))
    assert text == before


def test_deleting_an_inherited_timescale_and_step(variant):
    doc, lay = layers(variant)
    draft = ("timescales", index_of(lay.data, "draft_report"))
    step = ("transitions", 3)
    base_step = lay.data["transitions"][3]
    work = doc.copy()
    lay.remove(work, draft)
    lay.remove(work, step)
    work.save(variant)
    text = variant.read_text()
    assert '[[timescales]]\nid = "draft_report"\nremove = true\n' in text
    assert (f'[[transitions]]\nfrom = "{base_step["from"]}"\nevent = "{base_step["event"]}"\n'
            f'to = "{base_step["to"]}"\nremove = true\n') in text
    _doc, after = layers(variant)
    assert "draft_report" not in {t["id"] for t in after.data["timescales"]}
    assert after.data["transitions"] == lay.data["transitions"][:3] + lay.data["transitions"][4:]


def test_a_changed_base_step_is_removed_and_written_again(variant):
    before = variant.read_text()
    _doc, lay = layers(variant)
    base_step = dict(lay.data["transitions"][3])
    text, moved = edited(variant, lambda lay, doc: lay.set(doc, ("transitions", 3), "label",
                                                           "Another regulator's words"))
    total = len(lay.data["transitions"])
    assert moved == ("transitions", total - 1)  # it comes after the base's steps now
    _doc, lay = layers(variant)
    assert lay.origin(moved) == CHANGED
    assert lay.changed_fields(moved) == {"label": base_step.get("label")}
    spec = load_spec(variant)
    assert len(spec.transitions) == total
    assert spec.transitions[-1].label == "Another regulator's words"
    text, back = edited(variant, lambda lay, doc: lay.revert(doc, moved, "label"))
    assert text == before and back == ("transitions", 3)


def test_the_variant_own_items_are_edited_as_any_file(variant):
    doc, lay = layers(variant)
    work = doc.copy()
    work.add_named("states", "pilot_review", {"label": "Pilot review", "parent": "reporting"})
    at = work.add_item("timescales", {"id": "pilot_reply", "label": "Reply",
                                      "kind": "deadline", "within": "5 days",
                                      "anchor": {"event": "fieldwork_completed"}})
    lay = Layers.of(work, variant)
    assert lay.origin(("states", "pilot_review")) == OWN
    item = lay.item_of(("timescales", at))
    assert lay.origin(item) == OWN and lay.data["timescales"][item[1]]["id"] == "pilot_reply"
    lay.set(work, item, "within", "10 days")
    assert work.get(("timescales", at, "within")) == "10 days"
    with pytest.raises(EditError, match="has a stage named 'peer_review' already"):
        lay.check_new("states", "peer_review")
    # renaming: the variant's own yes, the base's no (its references are in the base)
    assert lay.rename(work, "state", "pilot_review", "second_look") == 1
    with pytest.raises(EditError, match="comes from ciw_2019"):
        lay.rename(work, "state", "peer_review", "peer_check")
    with pytest.raises(EditError, match="named 'drafting_report' already in ciw_2019"):
        Layers.of(work, variant).rename(work, "state", "second_look", "drafting_report")
    # a timescale is named by its id: the variant's own renamed, the base's refused
    lay = Layers.of(work, variant)
    assert lay.rename(work, "timescale", "pilot_reply", "pilot_answer") == 1
    assert "pilot_answer" in {t["id"] for t in Layers.of(work, variant).data["timescales"]}
    with pytest.raises(EditError, match="a second timescale beside the base's"):
        lay.rename(work, "timescale", "draft_report", "draft_due")
    with pytest.raises(EditError, match="there is a timescale named 'draft_report' already"):
        Layers.of(work, variant).rename(work, "timescale", "pilot_answer", "draft_report")


def test_a_paragraph_changed_and_removed(variant):
    before = variant.read_text()
    text, _ = edited(variant, lambda lay, doc: lay.set(doc, ("paragraphs", "8.5"), "text",
                                                       "Within 30 working days."))
    assert text == before + '\n[paragraphs]\n"8.5" = "Within 30 working days."\n'
    assert load_spec(variant).paragraphs["8.5"] == "Within 30 working days."
    text, _ = edited(variant, lambda lay, doc: lay.revert(doc, ("paragraphs", "8.5"), "text"))
    assert text == before
    doc, lay = layers(variant)
    work = doc.copy()
    lay.remove(work, ("paragraphs", "8.5"))
    assert "\"8.5\" = {remove = true}" in work.text()
    assert "8.5" not in Layers.of(work, variant).data["paragraphs"]


def test_a_variant_of_a_variant_sees_both(tmp_path):
    pilot = tmp_path / "pilot.toml"
    pilot.write_text(PILOT.read_text().replace('"$schema" = "../specs/regflow-spec.schema.json"\n',
                                               ""))
    second = as_variant(pilot, tmp_path / "second.toml", "Second pilot")
    _doc, lay = layers(second)
    draft = ("timescales", index_of(lay.data, "draft_report"))
    assert lay.origin(draft) == INHERITED and lay.base_name == "pilot"
    assert lay.base_entry(draft)["within"] == "30 working days"
