"""Things in a spec that load and run but are probably not what the author meant.

Unlike :mod:`~regflow.engine.spec.checks` nothing here stops a spec from loading: a guard that
reads no fact (``1 == 1``) and an empty label or citation are legal, and worth a warning. Each
item is ``(key path, message, suggestion)``, as the checks give them; :func:`check` has the
signature of the other warning checks, so it joins them as one more entry.
"""

from __future__ import annotations

from collections.abc import Iterator

from .model import Spec
from .tomlsource import Path

Found = Iterator[tuple[Path, str, str | None]]


def check(spec: Spec) -> Found:
    yield from _constant_guards(spec)
    yield from _empty_words(spec)


def _guarded(spec: Spec) -> Iterator[tuple[Path, str]]:
    for t in spec.transitions:
        if t.guard is not None:
            yield ("transitions", t.index, "guard"), t.guard
    for t in spec.timescales:
        if t.applies_when is not None:
            yield ("timescales", t.index, "applies_when"), t.applies_when


def _constant_guards(spec: Spec) -> Found:
    for where, expression in _guarded(spec):
        guard = spec.guards.get(expression)
        if guard is None or not getattr(guard, "constant", False):
            continue
        if guard.holds({}):
            yield (where, f"guard '{expression}' reads no fact, so it is always true: remove it, "
                   "or compare a fact", None)
        else:
            yield (where, f"guard '{expression}' reads no fact, so it is always false: what it "
                   "guards can never happen", None)


def _written(spec: Spec, path: Path) -> bool:
    """True when ``path`` is written in the file (not merely a default)."""
    return spec.source_map is not None and path in spec.source_map.positions


def _empty_words(spec: Spec) -> Found:
    for group in ("roles", "facts", "states", "events"):
        for name, item in getattr(spec, group).items():
            if not item.label.strip():
                yield ((group, name, "label"), "empty label: people see this on screen and in "
                       "messages; write a few words", None)
            if not item.citation.strip() and _written(spec, (group, name, "citation")):
                yield ((group, name, "citation"), "empty citation: name the paragraph of the "
                       "source document this comes from, or leave the key out", None)
    for t in spec.transitions:
        where: Path = ("transitions", t.index)
        if not t.label.strip() and _written(spec, (*where, "label")):
            yield ((*where, "label"), "empty label: write a few words, or leave the key out",
                   None)
        if not t.citation.strip() and _written(spec, (*where, "citation")):
            yield ((*where, "citation"), "empty citation: name the paragraph of the source "
                   "document this comes from, or leave the key out", None)
    for t in spec.timescales:
        if not t.label.strip():
            yield (("timescales", t.index, "label"), "empty label: people see this in the "
                   "timescale tables; write a few words", None)
