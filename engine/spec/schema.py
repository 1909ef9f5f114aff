"""Shape checks against the published JSON Schema (``specs/regflow-spec.schema.json``).

The schema is the same file editors use for completion, so the app and the editor agree on what
a well-formed spec is. Errors become located problems with suggestions for mistyped keys and
enum values.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from ..errors import shown
from ..suggest import closest, quoted
from .tomlsource import Path

SCHEMA_FILE = "regflow-spec.schema.json"


@lru_cache(maxsize=1)
def spec_schema() -> dict[str, Any]:
    return json.loads(resources.files("regflow.specs").joinpath(SCHEMA_FILE).read_text())


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(spec_schema())


_TYPE_WORDS = {"string": "text", "object": "table", "array": "list", "boolean": "true or false",
               "integer": "whole number", "number": "number"}


def shape_problems(data: dict[str, Any]) -> list[tuple[Path, str, str | None]]:
    """``(key path, message, suggestion)`` for every place ``data`` breaks the schema."""
    out: list[tuple[Path, str, str | None]] = []
    for error in _validator().iter_errors(data):
        out.extend(_explain(error))
    out.sort(key=lambda p: [str(x) for x in p[0]])
    return out


def _key_words(key: str) -> str:
    """A key or name as a message quotes it: visibly empty, invisible characters shown."""
    if key == "":
        return "'' (an empty name)"
    shown = repr(key) if not key.isprintable() else f"'{key}'"
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _explain(error: jsonschema.ValidationError) -> list[tuple[Path, str, str | None]]:
    path: Path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        known = list(schema.get("properties", {}))
        # from the data, not the message: a key may hold quotes, brackets or be empty
        extras = [k for k in error.instance if k not in known] \
            if isinstance(error.instance, dict) else []
        return [((*path, key), f"unknown key {_key_words(key)}" + (
            f"; allowed: {', '.join(known)}" if known and not closest(key, known) else ""),
            quoted(closest(key, known))) for key in extras]
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return [(path, f"missing required key '{m}'", None) for m in missing]
    if error.validator == "enum":
        allowed = [str(v) for v in error.validator_value]
        return [(path, f"{shown(error.instance)} is not one of: {', '.join(allowed)}",
                 quoted(closest(str(error.instance)[:100], allowed)))]
    if error.validator == "type":
        want = error.validator_value
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in ([want] if isinstance(want, str) else want))
        return [(path, f"expected {words}, found {shown(error.instance)}", None)]
    if error.validator == "pattern" and path and path[-1] in ("within", "after", "every", "about"):
        return []  # durations get a better message (with a suggestion) from the model builder
    if error.validator == "pattern":
        if "propertyNames" in error.schema_path:  # a table's key: point at the key
            path = (*path, error.instance)
        return [(path, f"{_key_words(error.instance)} is not a valid name: use lower_snake_case "
                 "(letters, digits, underscores, starting with a letter)", None)]
    if error.validator == "propertyNames":
        return [((*path, error.instance), f"{_key_words(error.instance)} is not a valid name: use "
                 "lower_snake_case (letters, digits, underscores, starting with a letter)", None)]
    if error.validator == "oneOf" and path and path[-1] == "from":
        return [(path, "expected a state name or a list of state names", None)]
    if error.validator in ("minProperties", "maxProperties") :
        return [(path, "write exactly one of: event = \"NAME\" or state = \"NAME\"", None)]
    message = error.message  # jsonschema's words quote the value: keep them short
    return [(path, message if len(message) <= 300 else message[:299] + "…", None)]
