"""A spec's model as JSON, with a JSON Schema for it (:func:`model_schema`).

The same data classes the engine runs (:mod:`regflow.engine.spec.model`), in the spec file's
own names: durations as ``{"amount": 25, "unit": "working_days"}``, references to events and
states as ``{"kind": "event", "name": ..., "when": ...}``, dates as ``YYYY-MM-DD``. For tools
that want the model without parsing TOML or knowing regflow's defaults.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from regflow.engine.spec.model import FACT_TYPES, STRENGTHS, TIMESCALE_KINDS, Spec

SCHEMA_ID = "https://regflow.invalid/spec-model.schema.json"  # an identifier: nothing is fetched


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def spec_model(spec: Spec) -> dict[str, Any]:
    """The spec as plain JSON data (``$schema`` names :func:`model_schema`)."""
    return _plain({
        "$schema": SCHEMA_ID,
        "process": asdict(spec.process),
        "paragraphs": dict(spec.paragraphs),
        "roles": {n: asdict(r) for n, r in spec.roles.items()},
        "facts": {n: asdict(f) for n, f in spec.facts.items()},
        "states": {n: asdict(s) for n, s in spec.states.items()},
        "events": {n: asdict(e) for n, e in spec.events.items()},
        "transitions": [asdict(t) for t in spec.transitions],
        "timescales": [asdict(t) for t in spec.timescales],
        "content_hash": spec.content_hash,
    })


def write_json(spec: Spec, path: Path, highlight=None, focus=None) -> None:
    path.write_text(json.dumps(spec_model(spec), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False}


_TEXT = {"type": "string"}
_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_NAMES = {"type": "array", "items": _NAME}
_MAYBE_NAME = {"type": ["string", "null"]}
_MAYBE_TEXT = {"type": ["string", "null"]}
_DURATION = {"oneOf": [{"type": "null"}, _object({
    "amount": {"type": "integer", "minimum": 0},
    "unit": {"enum": ["working_days", "days", "weeks", "months", "years", "financial_years"]},
}, ["amount", "unit"])]}
_REF = _object({"kind": {"enum": ["event", "state"]}, "name": _NAME, "when": _MAYBE_TEXT},
               ["kind", "name", "when"])
_MAYBE_REF = {"oneOf": [{"type": "null"}, _REF]}


def model_schema() -> dict[str, Any]:
    """JSON Schema (draft 7) of :func:`spec_model`'s output."""
    process = _object({k: _TEXT for k in ("id", "title", "regulator", "source", "version",
                                          "calendar", "note")},
                      ["id", "title", "regulator", "source", "version", "calendar", "note"])
    role = _object({"name": _NAME, "label": _TEXT, "organisation": _TEXT, "citation": _TEXT,
                    "note": _TEXT}, ["name", "label", "organisation", "citation", "note"])
    fact = _object({"name": _NAME, "type": {"enum": list(FACT_TYPES)}, "label": _TEXT,
                    "values": {"type": "array", "items": _TEXT},
                    "default": {"type": ["string", "number", "boolean", "null"]},
                    "citation": _TEXT, "note": _TEXT},
                   ["name", "type", "label", "values", "default", "citation", "note"])
    state = _object({"name": _NAME, "label": _TEXT, "description": _TEXT, "role": _MAYBE_NAME,
                     "citation": _TEXT, "parent": _MAYBE_NAME, "initial": {"type": "boolean"},
                     "final": {"type": "boolean"}, "parallel": {"type": "boolean"},
                     "milestones": _NAMES, "note": _TEXT},
                    ["name", "label", "parent", "initial", "final", "parallel"])
    event = _object({"name": _NAME, "label": _TEXT, "citation": _TEXT, "role": _MAYBE_NAME,
                     "sets": _NAMES, "requires": _NAMES, "milestones": _NAMES, "note": _TEXT,
                     "clears": _NAMES}, ["name", "label", "sets", "clears"])
    transition = _object({"index": {"type": "integer", "minimum": 0},
                          "sources": {"type": "array", "items": _NAME, "minItems": 1},
                          "event": _NAME, "target": _NAME, "guard": _MAYBE_TEXT, "label": _TEXT,
                          "citation": _TEXT, "note": _TEXT, "leaves_tracks": {"type": "boolean"}},
                         ["index", "sources", "event", "target", "guard"])
    timescale = _object({
        "index": {"type": "integer", "minimum": 0}, "id": _NAME, "label": _TEXT,
        "kind": {"enum": list(TIMESCALE_KINDS)}, "anchor": _REF, "citation": _TEXT,
        "within": _DURATION, "after": _DURATION, "every": _DURATION, "about": _DURATION,
        "met_by": _MAYBE_REF, "until": _MAYBE_REF, "due_on": _MAYBE_NAME, "fires": _MAYBE_NAME,
        "applies_when": _MAYBE_TEXT, "responsible": _MAYBE_NAME,
        "extendable": {"type": "boolean"}, "milestones": _NAMES, "note": _TEXT,
        "strength": {"enum": list(STRENGTHS)}, "wording": _TEXT, "ends_early": {"type": "boolean"},
        "conflict_noted": {"type": "boolean"},
    }, ["index", "id", "label", "kind", "anchor", "citation", "strength"])

    def table(item: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                "additionalProperties": item}

    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "regflow spec model (regflow export json)",
        **_object({
            "$schema": {"const": SCHEMA_ID},
            "process": process,
            "paragraphs": {"type": "object", "additionalProperties": _TEXT},
            "roles": table(role), "facts": table(fact), "states": table(state),
            "events": table(event),
            "transitions": {"type": "array", "items": transition},
            "timescales": {"type": "array", "items": timescale},
            "content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        }, ["process", "paragraphs", "roles", "facts", "states", "events", "transitions",
            "timescales", "content_hash"]),
    }
