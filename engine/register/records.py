"""Import records: JSON Lines read line by line, and the shape each record must have.

A bad line costs one message naming its line (and column, for JSON errors); the other lines are
read on. Memory stays bounded whatever the file holds: one line at a time, each at most
:data:`MAX_LINE_BYTES`, nested at most :data:`MAX_NESTING` deep.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from ..errors import RegflowError
from ..files import InputFileError, open_input

#: the longest line (one case with its history) an import reads
MAX_LINE_BYTES = 16 * 1024 * 1024
#: how deeply a record's lists and objects may be nested (a record uses 4)
MAX_NESTING = 20

_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16", b"\xff\xfe\x00\x00": "UTF-32",
         b"\x00\x00\xfe\xff": "UTF-32"}


def read_records(path: str | os.PathLike[str]) -> Iterator[tuple[str, Any]]:
    """``(file:line, record)`` for each line of a JSON Lines file (blank lines skipped).

    A line that cannot be read gives ``(file:line[:column], {"__error__": why})``.
    Raises :class:`RegflowError` if the file itself cannot be read.
    """
    path = os.fspath(path)
    try:
        handle = open_input(path, max_bytes=None)
    except InputFileError as err:
        raise RegflowError(f"cannot read {path}: {err}") from None
    with handle:
        head = handle.read(4)
        handle.seek(0)
        for bom, name in sorted(_BOMS.items(), key=lambda item: -len(item[0])):
            if head.startswith(bom):
                raise RegflowError(f"cannot read {path}: it is {name} text; save it as UTF-8 "
                                   "(one JSON object a line)")
        number = 0
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            where = f"{path}:{number}"
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := handle.readline(1024 * 1024)) and not rest.endswith(b"\n"):
                    pass
                yield where, {"__error__": f"line longer than {MAX_LINE_BYTES:,} bytes"}
                continue
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a UTF-8 byte order mark
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield f"{where}:{err.start + 1}", {"__error__": "not UTF-8 text: save the file "
                                                   "as UTF-8"}
                continue
            if not line.strip():
                continue
            yield _parse(where, line)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _parse(where: str, line: str) -> tuple[str, Any]:
    try:
        record = json.loads(line, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        return f"{where}:{err.colno}", {"__error__": f"not JSON: {err.msg}"}
    except RecursionError:
        return where, {"__error__": f"nested more than {MAX_NESTING} levels deep"}
    except ValueError as err:  # NaN/Infinity, or an integer too long to convert
        message = str(err) if "JSON value" in str(err) else "a number too long to read"
        return where, {"__error__": f"not JSON: {message}"}
    if _depth(record) > MAX_NESTING:
        return where, {"__error__": f"nested more than {MAX_NESTING} levels deep"}
    return where, record


def _depth(value: Any) -> int:
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, depth = todo.pop()
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            break
        if isinstance(item, dict):
            todo.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, depth + 1) for v in item)
    return deepest


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return "text"


def record_problem(record: Any) -> str | None:
    """What is wrong with the shape of one import record (with its key path), or None."""
    if not isinstance(record, dict):
        return f"expected an object with spec, title, opened_on and events, found {_kind(record)}"
    for key in ("spec", "title", "opened_on"):
        if key not in record:
            return f"missing {key}"
    expected: list[tuple[str, Any, tuple[type, ...], str]] = [
        ("spec", record["spec"], (str,), "text (the spec file's path)"),
        ("title", record["title"], (str,), "text"),
        ("opened_on", record["opened_on"], (str,), "a date as text, YYYY-MM-DD"),
        ("facts", record.get("facts", {}), (dict, type(None)), "an object of fact: value"),
        ("events", record.get("events", []), (list,), "a list of events"),
    ]
    for i, event in enumerate(record.get("events", []) if isinstance(record.get("events"), list)
                              else []):
        where = f"events[{i}]"
        if not isinstance(event, dict):
            return f"{where}: expected an object with on and event, found {_kind(event)}"
        for key in ("on", "event"):
            if key not in event:
                return f"{where}: missing {key}"
        expected += [
            (f"{where}.on", event["on"], (str,), "a date as text, YYYY-MM-DD"),
            (f"{where}.event", event["event"], (str,), "the event's name"),
            (f"{where}.set", event.get("set", {}), (dict, type(None)), "an object of fact: value"),
            (f"{where}.actor", event.get("actor"), (str, type(None)), "text"),
            (f"{where}.note", event.get("note", ""), (str,), "text"),
        ]
    for where, value, types, words in expected:
        if not isinstance(value, types):
            return f"{where}: expected {words}, found {_kind(value)}"
    return None
