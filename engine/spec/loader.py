"""Load a spec file: TOML -> shape check -> model -> meaning checks -> compiled machine.

Every problem in a file is collected and reported at once, each located by line:column (from
:mod:`~regflow.engine.spec.tomlsource`) with a suggestion where one exists.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import tomllib
from typing import Any

from regflow.plugins.manager import PluginFailure, call_each, record_failure

from ..cases.calendars import calendar_names
from ..cases.compiler import machine_class
from ..errors import Problem, SpecError
from ..files import InputFileError, read_input
from ..suggest import closest, quoted
from . import checks, variants
from .durations import Duration, DurationSyntaxError
from .facts import fact_value_error
from .guards import GuardSyntaxError, compile_guard, guard_functions
from .model import (
    Event,
    Fact,
    Process,
    Ref,
    Role,
    Spec,
    State,
    Timescale,
    Transition,
)
from .tomlhelp import advice
from .tomlsource import Path, SourceMap, format_path

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


#: how deeply arrays and tables may be nested in a spec or scenario (the shipped specs use 3)
MAX_NESTING = 20


def read_toml(path: str, error: type[SpecError] = SpecError) -> tuple[str, dict[str, Any]]:
    """Text and data of a TOML file, or ``error`` with the problem located."""
    try:
        raw = read_input(path)
    except InputFileError as err:
        raise error([Problem(str(err), file=path)]) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error([Problem("is UTF-16 text: save it as UTF-8", file=path)])
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # a byte order mark says nothing
    except UnicodeDecodeError as err:
        raise error([Problem(f"not UTF-8 text (byte {err.start}): save the file as UTF-8",
                             file=path)]) from None
    return text, parse_toml(text, path, error)


def parse_toml(text: str, path: str, error: type[SpecError] = SpecError) -> dict[str, Any]:
    """The data of TOML ``text``, within regflow's limits, or ``error`` saying where and what."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        match = _TOML_POSITION.search(message)
        line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        message = _TOML_POSITION.sub("", message).strip()
        lines = text.splitlines()
        hint = advice(message, lines[line - 1]) if line and line <= len(lines) else ""
        words = f"{hint} (TOML: {message})" if hint else f"not valid TOML: {message}"
        raise error([Problem(words, file=path, line=line, column=column)]) from None
    except RecursionError:
        raise error([Problem(f"nested too deeply (arrays or tables inside each other): at most "
                             f"{MAX_NESTING} levels", file=path)]) from None
    except ValueError:  # an integer of more digits than Python converts
        line, column = _huge_number(text)
        raise error([Problem("a number too long to read (more than 4,300 digits)", file=path,
                             line=line, column=column)]) from None
    deep = _too_deep(data)
    if deep is not None:
        line, column = _locate(text, deep) or (None, None)
        raise error([Problem(f"nested more than {MAX_NESTING} levels deep (arrays or tables "
                             "inside each other)", format_path(deep[:MAX_NESTING + 1]), path,
                             line, column)])
    return data


def _huge_number(text: str) -> tuple[int | None, int | None]:
    match = re.search(r"[0-9_]{4300,}", text)
    if match is None:
        return None, None
    line_start = text.rfind("\n", 0, match.start()) + 1
    return text.count("\n", 0, match.start()) + 1, match.start() - line_start + 1


def _too_deep(data: Any) -> Path | None:
    """The key path of a value nested more than :data:`MAX_NESTING` levels, if any."""
    todo: list[tuple[Path, Any]] = [((), data)]
    while todo:
        path, value = todo.pop()
        if len(path) > MAX_NESTING:
            return path
        if isinstance(value, dict):
            todo.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend(((*path, i), v) for i, v in enumerate(value))
    return None


def _locate(text: str, path: Path) -> tuple[int, int] | None:
    try:
        return SourceMap(text).locate(path[:MAX_NESTING + 1])
    except RecursionError:
        return None


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Load, check and compile the spec at ``path``; raise :class:`SpecError` listing problems."""
    path = os.fspath(path)
    text, data = read_toml(path)
    return spec_from_toml(data, text, path)


def spec_from_toml(data: dict[str, Any], text: str, path: str) -> Spec:
    """The spec in TOML already read (``data`` from ``text``), checked and compiled."""
    if not data:
        raise SpecError([Problem("the file is empty: a spec starts with a [process] table "
                                 "(see docs/spec-format.md)", file=path)])
    return _parse(data, text, path)


def loads_spec(text: str, path: str = "<string>") -> Spec:
    """Like :func:`load_spec` for TOML text already in memory (a variant's base is found
    relative to ``path``)."""
    return _parse(parse_toml(text, path), text, path)


def _parse(data: dict[str, Any], text: str, path: str) -> Spec:
    if variants.is_variant(data):  # merged onto its base; problems located in either file
        resolved = variants.resolve(path, text, data)
        return parse_spec(resolved.data, text=resolved.text, path=path, variant=resolved)
    return parse_spec(data, text=text, path=path)


class _Problems:
    """Collects ``(path, message, suggestion)`` and locates them in the file at the end."""

    def __init__(self, path: str, source: SourceMap, variant: variants.Resolved | None = None):
        self.path, self.source, self.variant = path, source, variant
        self.items: list[Problem] = []

    def add(self, where: Path, message: str, suggestion: str | None = None,
            column_offset: int | None = None, severity: str = "error") -> None:
        if self.variant is not None:  # the file the key came from: the variant or its base
            file, line, column = self.variant.locate(where)
        else:
            file, (line, column) = self.path, self.source.locate(where) or (None, None)
        if column is not None and column_offset is not None:
            column += column_offset  # point inside a quoted expression
        self.items.append(Problem(message, format_path(where), file, line, column,
                                  suggestion, severity))

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(key=lambda p: (p.line or 0, p.column or 0))
            raise SpecError(self.items)


def spec_warnings(spec: Spec) -> list[Problem]:
    """The warnings of a spec that loaded (see :attr:`Spec.warnings`), in file order."""
    with _collector_paused():  # (as while building: many objects, all kept to the end)
        return _spec_warnings(spec)


def _spec_warnings(spec: Spec) -> list[Problem]:
    from . import advice, consistency, lints

    found = _Problems(spec.path, spec.source_map or SourceMap(spec.text), spec.variant)
    for name, check in (("track and label", lints.check),
                        ("timescale consistency", consistency.check),
                        ("guard and wording", advice.check)):
        try:
            for where, message, suggestion in check(spec):
                found.add(where, message, suggestion, severity="warning")
        except Exception as err:  # a spec that loads must stay usable
            # A warning check that fails is regflow's fault, not the spec's: say so, and let
            # the spec load and run as it would without warnings.
            found.add((), f"regflow could not finish its {name} "
                      f"checks ({type(err).__name__}: {err}); the spec loads and runs, but "
                      "please report this", severity="warning")
    return sorted(found.items, key=lambda p: (p.line or 0, p.column or 0))


def check_spec(path: str | os.PathLike[str], text: str | None = None) -> list[Problem]:
    """Every problem of the spec at ``path`` (or of ``text``, e.g. an editor's unsaved text
    for that file): its errors if it cannot load, else its warnings (an empty list: nothing to
    report). For the app and editors, which show both."""
    try:
        spec = load_spec(path) if text is None else loads_spec(text, os.fspath(path))
    except SpecError as err:
        return err.problems
    return list(spec.warnings)


@contextlib.contextmanager
def _collector_paused():
    """No cyclic garbage collection while a spec is built: building allocates many objects
    that all live on, and Python's full collections over a growing heap would make loading
    grow faster than the spec (1.8 s instead of 0.7 s to compile 10,000 states). Collection
    resumes afterwards as before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_spec(data: dict[str, Any], text: str = "", path: str = "<string>",
               variant: variants.Resolved | None = None) -> Spec:
    with _collector_paused():
        return _parse_spec(data, text, path, variant)


def _parse_spec(data: dict[str, Any], text: str, path: str,
                variant: variants.Resolved | None) -> Spec:
    from .schema import shape_problems  # jsonschema is imported only when a spec is loaded

    source = SourceMap(text)
    problems = _Problems(path, source, variant)
    for where, message, suggestion in shape_problems(data):
        problems.add(where, message, suggestion)
    problems.raise_if_any()

    process = Process(**data["process"])
    known_calendars = calendar_names()  # the built-in ones and every plugin's
    if process.calendar not in known_calendars:
        near = closest(process.calendar, known_calendars)
        problems.add(("process", "calendar"), f"unknown calendar '{process.calendar}'; known: "
                     f"{', '.join(known_calendars)} (a plugin can add others: 'regflow plugins' "
                     "lists them)", quoted(near))
    facts = {name: _fact(name, entry, problems) for name, entry in data.get("facts", {}).items()}
    guards: dict[str, Any] = {}
    functions = guard_functions()  # the ones plugins offer, asked for once per spec

    def guard(where: Path, expression: str | None) -> str | None:
        if expression is None:
            return None
        if expression not in guards:
            try:
                guards[expression] = compile_guard(expression, facts, functions)
            except GuardSyntaxError as err:
                offset = err.column if err.column is not None else None
                brief = expression if len(expression) <= 80 else expression[:79] + "…"
                problems.add(where, f"guard {brief!r}: {err}", err.suggestion, offset)
                return expression
        return expression

    def duration(where: Path, text: str | None) -> Duration | None:
        if text is None:
            return None
        try:
            return Duration.parse(text)
        except DurationSyntaxError as err:
            problems.add(where, str(err), f"'{err.suggestion}'" if err.suggestion else None)
            return None

    def ref(where: Path, value: dict[str, str] | None) -> Ref | None:
        if value is None:
            return None
        named = [(k, v) for k, v in value.items() if k in ("event", "state")]
        if len(named) != 1:
            problems.add(where, "write exactly one of: event = \"NAME\" or state = \"NAME\"")
            return None
        (kind, name), = named
        return Ref(kind, name, guard((*where, "when"), value.get("when")))

    transitions = []
    for i, entry in enumerate(data["transitions"]):
        sources = entry["from"] if isinstance(entry["from"], list) else [entry["from"]]
        transitions.append(Transition(
            index=i, sources=tuple(sources), event=entry["event"], target=entry["to"],
            guard=guard(("transitions", i, "guard"), entry.get("guard")),
            label=entry.get("label", ""), citation=entry.get("citation", ""),
            note=entry.get("note", ""), leaves_tracks=entry.get("leaves_tracks", False),
        ))
    timescales = []
    for i, entry in enumerate(data.get("timescales", [])):
        where = ("timescales", i)
        timescales.append(Timescale(
            index=i, id=entry["id"], label=entry["label"], kind=entry["kind"],
            anchor=ref((*where, "anchor"), entry["anchor"]), citation=entry["citation"],
            within=duration((*where, "within"), entry.get("within")),
            after=duration((*where, "after"), entry.get("after")),
            every=duration((*where, "every"), entry.get("every")),
            about=duration((*where, "about"), entry.get("about")),
            met_by=ref((*where, "met_by"), entry.get("met_by")),
            until=ref((*where, "until"), entry.get("until")), due_on=entry.get("due_on"),
            fires=entry.get("fires"),
            applies_when=guard((*where, "applies_when"), entry.get("applies_when")),
            responsible=entry.get("responsible"), extendable=entry.get("extendable", False),
            milestones=tuple(entry.get("milestones", ())), note=entry.get("note", ""),
            strength=entry.get("strength", "target" if entry["kind"] == "target" else "limit"),
            wording=entry.get("wording", ""), ends_early=entry.get("ends_early", False),
            conflict_noted=entry.get("conflict_noted", False),
        ))
    if any(t.anchor is None for t in timescales):
        problems.raise_if_any()  # the meaning checks need every anchor
    spec = Spec(
        process=process,
        paragraphs=dict(data["paragraphs"]),
        roles={n: Role(n, **e) for n, e in data.get("roles", {}).items()},
        facts=facts,
        states={n: _state(n, e) for n, e in data["states"].items()},
        events={n: _event(n, e) for n, e in data["events"].items()},
        transitions=tuple(transitions),
        timescales=tuple(timescales),
        path=path, text=text, source_map=source, guards=guards, variant=variant,
    )
    for where, message, suggestion in checks.check(spec):
        problems.add(where, message, suggestion)
    problems.raise_if_any()
    for plugin, found in call_each("regflow_validate_spec", "the spec was loaded without its "
                                   "checks", spec=spec):
        for item in found:
            try:
                where, message, suggestion = item
                where = tuple(where)
            except (TypeError, ValueError):
                record_failure(PluginFailure(plugin, "regflow_validate_spec", f"returned {item!r}, "
                                             "not (key path, message, suggestion)"))
                continue
            problems.add(where, f"{message} (check by plugin '{plugin}')", suggestion)
    problems.raise_if_any()
    machine_class(spec)  # compile now: a spec that loads is a spec that runs
    return spec


def _fact(name: str, entry: dict[str, Any], problems: _Problems) -> Fact:
    where = ("facts", name)
    kind, values = entry["type"], tuple(entry.get("values", ()))
    if kind == "enum" and not values:
        problems.add((*where, "type"), "an enum fact needs `values`, the list of allowed values")
    if kind != "enum" and values:
        problems.add((*where, "values"), f"`values` is only for enum facts, not {kind}")
    default = entry.get("default")
    if default is not None:
        error = fact_value_error(kind, values, default)
        if error:
            problems.add((*where, "default"), error)
    return Fact(name=name, type=kind, label=entry["label"], values=values, default=default,
                citation=entry.get("citation", ""), note=entry.get("note", ""))


def _state(name: str, entry: dict[str, Any]) -> State:
    return State(name=name, label=entry["label"], description=entry.get("description", ""),
                 role=entry.get("role"), citation=entry.get("citation", ""),
                 parent=entry.get("parent"), initial=entry.get("initial", False),
                 final=entry.get("final", False), parallel=entry.get("parallel", False),
                 milestones=tuple(entry.get("milestones", ())), note=entry.get("note", ""))


def _event(name: str, entry: dict[str, Any]) -> Event:
    return Event(name=name, label=entry["label"], citation=entry.get("citation", ""),
                 role=entry.get("role"), sets=tuple(entry.get("sets", ())),
                 requires=tuple(entry.get("requires", ())), clears=tuple(entry.get("clears", ())),
                 milestones=tuple(entry.get("milestones", ())), note=entry.get("note", ""))
