"""New words written into a laid-out diagram (the editor's live preview), and key paths read
back from problems."""

from __future__ import annotations

import re

import pytest

from regflow.engine import load_spec
from regflow.engine.drawing.diagram import diagram_source
from regflow.engine.drawing.relabel import relabel, words
from regflow.engine.spec.loader import loads_spec
from regflow.engine.spec.tomlsource import format_path, parse_path

from conftest import ROOT

pytest.importorskip("graphviz")

CIW = ROOT / "specs" / "ciw_2019.toml"


@pytest.fixture(scope="module")
def drawn():
    from regflow.plugins.exporters import render_bytes

    spec = load_spec(CIW)
    return CIW.read_text(encoding="utf-8"), spec, render_bytes(spec, "svg").decode()


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>(.*?)</text>", svg)


def test_new_words_of_the_same_shape_are_written_in_place(drawn):
    from regflow.plugins.exporters import render_bytes

    text, spec, svg = drawn
    changed = loads_spec(text.replace('label = "Inspection fieldwork"', 'label = "Field work"', 1)
                         .replace("Review of local authority social services in Wales",
                                  "Social services in Wales", 1), str(CIW))
    new = relabel(svg, words(diagram_source(spec)), words(diagram_source(changed)))
    assert new is not None
    assert texts(new) == texts(render_bytes(changed, "svg").decode())
    # every shape is where it was
    shapes = re.compile(r'<(?:path|polygon|ellipse)[^>]*>')
    assert shapes.findall(new) == shapes.findall(svg)


def test_the_same_words_give_the_same_drawing(drawn):
    _text, spec, svg = drawn
    assert relabel(svg, words(diagram_source(spec)), words(diagram_source(spec))) is svg


def test_a_new_shape_needs_a_layout(drawn):
    text, spec, svg = drawn
    old = words(diagram_source(spec))
    # a state's label that wraps onto more lines: its box grows
    longer = loads_spec(text.replace(
        'label = "Report being finalised and errors corrected"',
        'label = "Report being finalised, every error found by the local authority corrected"',
        1), str(CIW))
    assert relabel(svg, old, words(diagram_source(longer))) is None
    # a new arrow
    arrow = loads_spec(text + '\n[[transitions]]\nfrom = "finalising_report"\nevent = '
                       '"case_closed"\nto = "review_closed"\ncitation = "6.5"\n', str(CIW))
    assert relabel(svg, old, words(diagram_source(arrow))) is None


@pytest.mark.parametrize("path", [("transitions", 3, "to"), ("paragraphs", "5.1"),
                                  ("states", "a b", "label"), ("process",), ("x.y", 0, 1, 'k"q')])
def test_a_key_path_reads_back_from_its_words(path):
    assert parse_path(format_path(path)) == path
