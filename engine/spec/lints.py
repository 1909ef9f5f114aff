"""Warnings: things a spec may say that load and run, but probably not as its author meant.

Each check yields ``(key path, message, suggestion)`` like :mod:`.checks`; the loader turns them
into located warnings (:attr:`Spec.warnings`). A warning never stops a spec loading: a policy
officer may have meant it, and says so where the format lets them (``leaves_tracks = true``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

from .durations import Duration
from .model import Spec, Transition
from .stategraph import exited, moves, reachable
from .tomlsource import Path

Found = Iterator[tuple[Path, str, str | None]]


def check(spec: Spec) -> Found:
    yield from chain(_tracks(spec), _dead_ends(spec), _labels(spec), _variant_twins(spec))


# -- a variant that adds a timescale where it meant to change one ---------------------------------

def _variant_twins(spec: Spec) -> Found:
    """A variant's new timescale on the same steps as one of its base's: most likely meant to
    change that one (which needs its id), not to add a second deadline beside it."""
    resolved = spec.variant
    if resolved is None or not resolved.files:
        return
    mine = len(resolved.files) - 1

    def origin(t) -> int | None:
        found = resolved.origins.get(("timescales", t.index))
        return found[0] if found else None
    inherited = [t for t in spec.timescales if (origin(t) or 0) < mine]
    for t in spec.timescales:
        if origin(t) != mine:
            continue
        twin = next((b for b in inherited if (b.kind, b.anchor, b.met_by) ==
                     (t.kind, t.anchor, t.met_by)), None)
        if twin is not None:
            yield (("timescales", t.index, "id"),
                   f"adds a second {t.kind.replace('_', ' ')} on the same steps as "
                   f"‘{twin.label}’ of the spec it extends, so both apply; to change that one "
                   f"instead, write id = \"{twin.id}\" (and only what differs)", None)


# -- transitions that leave parallel tracks --------------------------------------------------

def process_state(spec: Spec) -> str | None:
    """The state the whole process runs in: the top-level state a case opens in, when it holds
    other states (CIW's ``review``); ``None`` when the top level is itself the sequence of
    stages (SWIA)."""
    top = next((n for n in spec.children(None) if spec.states[n].initial), None)
    return top if top is not None and spec.is_compound(top) else None


def _inside(spec: Spec, name: str, outer: str) -> bool:
    return name == outer or outer in spec.ancestors(name)


def _tracks_words(spec: Spec, parallel: str) -> str:
    return ", ".join(f"'{r}'" for r in spec.children(parallel))


def _where(t: Transition, i: int) -> Path:
    return ("transitions", t.index, "from", i) if len(t.sources) > 1 else \
        ("transitions", t.index, "from")


def _tracks(spec: Spec) -> Found:
    process = process_state(spec)
    mark = "if that is intended, add leaves_tracks = true to the transition"
    for t in spec.transitions:
        if t.leaves_tracks:
            continue
        for i, source in enumerate(t.sources):
            restarted = [p for p in exited(spec, source, t.target)
                         if spec.states[p].parallel and _inside(spec, t.target, p)]
            if restarted:
                p = restarted[-1]
                back = "enters it again" if t.target == p else \
                    f"comes straight back into it ('{t.target}')"
                yield (_where(t, i), f"'{t.event}' from '{source}' leaves '{p}' and {back}: "
                       f"every track of '{p}' "
                       f"({_tracks_words(spec, p)}) starts again from its beginning, and every "
                       "clock in them with it. If the step belongs inside one track, give its "
                       f"target a parent in that track; {mark}", None)
                break
            if process is None:
                continue
            if _inside(spec, source, process) and not _inside(spec, t.target, process) \
                    and not spec.states[t.target].final:
                home = spec.states[source].parent or process
                yield (_where(t, i), f"'{t.event}' from '{source}' leads out of '{process}', "
                       f"the state the whole process runs in, to '{t.target}', which is not an "
                       f"end state: every track of '{process}' stops there, and every clock in "
                       f"them. If '{t.target}' belongs inside the process, give it "
                       f"parent = \"{home}\" (or the track it belongs to); {mark}", None)
                break
            if not _inside(spec, source, process) and _inside(spec, t.target, process):
                yield (_where(t, i), f"'{t.event}' from '{source}', outside '{process}' (the "
                       f"state the whole process runs in), leads back into it: every track of "
                       f"'{process}' starts again from its beginning, and every clock in them. "
                       f"If '{source}' belongs inside the process, give it a parent there; "
                       f"{mark}", None)
                break


# -- states with no way out but a global exit ------------------------------------------------

def _global_exit(spec: Spec, leaf: str, t: Transition, source: str) -> bool:
    """A transition declared on a state around ``leaf`` that ends it, whatever the case is
    doing inside (CIW's ``case_closed`` from ``review``)."""
    return (source != leaf and source in spec.ancestors(leaf)
            and spec.states[t.target].final and not _inside(spec, t.target, source))


def _dead_ends(spec: Spec) -> Found:
    graph = moves(spec)
    live = reachable(spec, graph)
    for leaf, found in graph.items():
        if leaf not in live or spec.states[leaf].final or not found:
            continue  # a state with no way out at all is an error (checks._traps)
        if all(_global_exit(spec, leaf, m.transition, m.source) for m in found):
            exits = sorted({f"'{m.transition.event}' (from '{m.source}')" for m in found})
            yield (("states", leaf), f"no way out of '{leaf}' except {' or '.join(exits)}, "
                   "which ends everything around it: a case that gets here waits until it is "
                   f"closed. Add a transition from '{leaf}' to where the case goes next, or mark "
                   "it final = true if its track ends here", None)


# -- a timescale's label against its rule ----------------------------------------------------

_UNITS_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NUMBER_WORDS = {**{w: i + 1 for i, w in enumerate(_UNITS_WORDS)},
                 **{w: i + 10 for i, w in enumerate(_TEENS)},
                 **{w: 10 * (i + 2) for i, w in enumerate(_TENS)}}
_NUMBER = (rf"(\d+|(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS_WORDS)}))?"
           rf"|{'|'.join(_TEENS)}|{'|'.join(_UNITS_WORDS)})")
_UNIT = r"(working[ -]days?|calendar[ -]days?|days?|weeks?|months?|financial[ -]years?|years?)"
_SPOKEN = re.compile(rf"\b{_NUMBER}(?:\s*(?:-|–|to)\s*{_NUMBER})?[\s-]+{_UNIT}\b", re.I)
#: units that convert exactly: weeks to days, years to months; working days stand alone
_BASE = {"working_days": ("working days", 1), "days": ("days", 1), "weeks": ("days", 7),
         "months": ("months", 1), "years": ("months", 12)}
#: units counted on their own (financial years start on 1 April, not on the anchor)


def _amount(word: str) -> int:
    """``"25"``, ``"four"``, ``"twenty-five"`` -> the number."""
    if word.isdigit():
        return int(word)
    return sum(_NUMBER_WORDS[part] for part in re.split(r"[- ]", word.lower()))


def _base(amount: int, unit: str) -> tuple[str, int]:
    name, factor = _BASE.get(unit, (unit.replace("_", " "), 1))
    return name, amount * factor


def spoken_durations(text: str) -> list[tuple[str, list[tuple[str, int]]]]:
    """Each duration a label states, as written and as (unit, amount) pairs in exact units:
    ``"12-18 months"`` -> ``("12-18 months", [("months", 12), ("months", 18)])``."""
    out = []
    for match in _SPOKEN.finditer(text):
        first, second, unit_word = match.groups()
        unit = Duration.parse(f"1 {unit_word.replace('-', ' ')}").unit
        amounts = [_amount(first)] + ([_amount(second)] if second else [])
        out.append((match.group(0), [_base(a, unit) for a in amounts]))
    return out


def _labels(spec: Spec) -> Found:
    for t in spec.timescales:
        rule = [d for d in (t.after, t.within, t.every, t.about) if d is not None]
        said = {_base(d.amount, d.unit) for d in rule}
        for words, values in spoken_durations(t.label):
            if said & set(values):
                continue
            fix = _nearest(rule, values[-1][0])
            yield (("timescales", t.index, "label"), f"the label says '{words}' but the rule "
                   f"counts {t.rule_text('the anchor').removesuffix(' of the anchor')}: people "
                   "read the label, the dates come from the rule. Make them say the same "
                   "(the paragraph decides which is right)",
                   f"'{t.label.replace(words, str(fix), 1)}'" if fix else None)


def _nearest(rule: list[Duration], unit: str) -> Duration | None:
    """The rule's duration to put in the label: the one in the label's unit, else the only one."""
    same = [d for d in rule if _base(1, d.unit)[0] == unit]
    return same[0] if same else (rule[0] if len(rule) == 1 else None)
