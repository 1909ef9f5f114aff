"""A spec as W3C SCXML (https://www.w3.org/TR/scxml/), with the ECMAScript data model.

States nest as in the spec (``<parallel>`` for parallel states, ``<final>`` for final ones,
``initial`` attributes for initial children); each transition is written once per source state,
in the spec's order (SCXML, like regflow, tries a state's transitions in document order), with
its guard translated to ECMAScript as ``cond`` (the original kept in ``regflow:guard``). Each
fact is a variable of the data model (``<data id="risk">``: one variable each, because Qt's
``<assign>`` sets whole variables only); a transition copies the facts its event sets from the
event's data (``submitEvent(name, {fact: value})``) and returns the facts the event clears to
their defaults. As in regflow's engine, the spec's top level sits inside a hidden
root state, so the machine never halts on a final state and keeps accepting events.

A guard with no ECMAScript form becomes ``cond="false"`` with an XML comment saying why, and the
exporter returns a warning for it.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from regflow.engine.spec.model import Spec

from .ecmascript import FACT_FUNCTION, Untranslatable, literal, to_ecmascript, variable

SCXML_NS = "http://www.w3.org/2005/07/scxml"
REGFLOW_NS = "https://regflow.invalid/scxml"  # an identifier, not a link: nothing is fetched
ROOT = "regflow_root"

ET.register_namespace("", SCXML_NS)
ET.register_namespace("regflow", REGFLOW_NS)


def _tag(name: str) -> str:
    return f"{{{SCXML_NS}}}{name}"


def empty_value(kind: str):
    return {"enum": "", "text": "", "bool": False, "number": 0, "date": None}[kind]


def initial_facts(spec: Spec) -> dict:
    """The facts a fresh case starts with (defaults, else regflow's empty values)."""
    return {n: (f.default if f.default is not None else empty_value(f.type))
            for n, f in spec.facts.items()}


def scxml_document(spec: Spec) -> tuple[ET.ElementTree, list[str]]:
    """The SCXML tree of ``spec`` and a warning per guard that could not be translated."""
    warnings: list[str] = []
    doc = ET.Element(_tag("scxml"), {"version": "1.0", "datamodel": "ecmascript",
                                     "name": spec.process.id, "initial": ROOT})
    doc.append(ET.Comment(f" {spec.process.title} ({spec.process.regulator}), spec "
                          f"{spec.process.id} version {spec.process.version}; written by regflow "
                          "export scxml "))
    model = ET.SubElement(doc, _tag("datamodel"))
    for name, value in initial_facts(spec).items():
        ET.SubElement(model, _tag("data"), {"id": variable(name), "expr": literal(value)})
    ET.SubElement(doc, _tag("script")).text = FACT_FUNCTION

    by_source: dict[str, list] = {}
    for t in spec.transitions:
        for source in t.sources:
            by_source.setdefault(source, []).append(t)
    translated: dict[str, str | Untranslatable] = {}
    for text, guard in spec.guards.items():
        try:
            translated[text] = to_ecmascript(guard)
        except Untranslatable as err:
            translated[text] = err

    def build(parent: ET.Element, name: str) -> None:
        state = spec.states[name]
        children = spec.children(name)
        kind = "final" if state.final and not children else (
            "parallel" if state.parallel else "state")
        node = ET.SubElement(parent, _tag(kind), {"id": name})
        if kind == "state" and children:
            first = next((c for c in children if spec.states[c].initial), children[0])
            node.set("initial", first)
        node.set(f"{{{REGFLOW_NS}}}label", state.label)
        for t in by_source.get(name, []):
            _transition(node, t)
        for child in children:
            build(node, child)

    def _transition(node: ET.Element, t) -> None:
        attrs = {"event": t.event, "target": t.target}
        if t.guard:
            js = translated.get(t.guard)
            attrs[f"{{{REGFLOW_NS}}}guard"] = t.guard
            if isinstance(js, str):
                attrs["cond"] = js
            else:
                reason = str(js)
                node.append(ET.Comment(f" guard '{t.guard}' of the next transition is not "
                                       f"translated: {reason}; it is written as cond=\"false\" "
                                       "(never taken here) "))
                attrs["cond"] = "false"
                warnings.append(f"transitions[{t.index}] ({t.event}: {', '.join(t.sources)} -> "
                                f"{t.target}): guard '{t.guard}' not translated: {reason}; "
                                "written as cond=\"false\"")
        element = ET.SubElement(node, _tag("transition"), attrs)
        event = spec.events[t.event]
        for fact in event.sets:
            test = ET.SubElement(element, _tag("if"), {
                "cond": f"_event.data && _event.data.{fact} !== undefined"})
            ET.SubElement(test, _tag("assign"), {"location": variable(fact),
                                                 "expr": f"_event.data.{fact}"})
        for fact in event.clears:
            default = spec.facts[fact].default
            ET.SubElement(element, _tag("assign"), {
                "location": variable(fact),
                "expr": literal(default if default is not None else empty_value(
                    spec.facts[fact].type))})

    root = ET.SubElement(doc, _tag("state"), {"id": ROOT})
    top = spec.children(None)
    root.set("initial", next((c for c in top if spec.states[c].initial), top[0]))
    for name in top:
        build(root, name)
    tree = ET.ElementTree(doc)
    ET.indent(tree)
    return tree, warnings


def write_scxml(spec: Spec, path: Path, highlight=None, focus=None) -> list[str]:
    tree, warnings = scxml_document(spec)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return warnings
