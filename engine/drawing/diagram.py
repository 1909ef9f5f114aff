"""The state diagram of a spec as Graphviz DOT source.

Compound states are drawn as clusters (parallel ones with a dashed border and their regions
inside), final states with a double border, and the entry into each scope with a small dot.
States are labelled in plain words with the responsible role underneath; the citation and role
are in the tooltip. A :class:`Highlight` marks a case's active, travelled and missed states by
border and shape as well as colour (Okabe-Ito palette, safe for colour-blind readers).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field

from ..cases.timescales import BREACHED
from ..compare.diff import spec_diff, touched, transition_key
from ..spec.model import Spec

#: Okabe-Ito colours
ACTIVE_FILL, ACTIVE_LINE = "#F5C77E", "#B06E00"  # orange
ACTIVE_CLUSTER_FILL = "#FDF3E3"  # the same orange, faint, for compound states around the case
TRAVELLED_FILL = "#D6E6F2"  # pale blue
MISSED_LINE = "#CC79A7"  # reddish purple: told apart from the orange of "active"
CHANGED_LINE = "#0072B2"  # blue: what a variant changed from the spec it extends
NEUTRAL_FILL, NEUTRAL_LINE = "#FFFFFF", "#4D4D4D"
FONT = "Helvetica"


@dataclass(frozen=True)
class Highlight:
    """What to mark on the diagram for one case."""

    active: frozenset[str] = field(default_factory=frozenset)
    travelled: frozenset[str] = field(default_factory=frozenset)
    missed: frozenset[str] = field(default_factory=frozenset)


def _id(name: str) -> str:
    return f'"{name}"'


def _cluster(name: str) -> str:
    return f'"cluster_{name}"'


def _wrap(text: str, width: int = 22) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _state_label(spec: Spec, name: str, missed: bool, changed: bool = False) -> str:
    state = spec.states[name]
    title = "<BR/>".join(html.escape(x) for x in _wrap(state.label))
    if missed:
        title = "&#9888; " + title
    if changed:
        title = "&#9998; " + title
    role = spec.roles[state.role].label if state.role in spec.roles else ""
    role_line = f'<BR/><FONT POINT-SIZE="9" COLOR="#555555">{html.escape(role)}</FONT>' if role \
        else ""
    return f"<{title}{role_line}>"


def _tooltip(spec: Spec, name: str) -> str:
    state = spec.states[name]
    parts = [state.label]
    if state.role in spec.roles:
        parts.append(f"Responsible: {spec.roles[state.role].label}")
    if state.citation:
        parts.append(f"Source: {state.citation}")
    if state.note:
        parts.append(f"How regflow reads it: {state.note}")
    return _quote(" | ".join(parts))


def _quote(text: str) -> str:
    """A DOT string; newlines become centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _entry_leaf(spec: Spec, name: str) -> str:
    """A node inside ``name`` that an edge to or from the cluster can attach to."""
    children = spec.children(name)
    if not children:
        return name
    initial = [c for c in children if spec.states[c].initial] or children
    return _entry_leaf(spec, initial[0])


def variant_changes(spec: Spec) -> tuple[set[str], set[str]]:
    """What a variant changed from the spec it extends, as drawn: states and transition keys,
    marked as comparing the two versions marks them (:func:`regflow.engine.compare.diff.touched`)."""
    if spec.variant is None:
        return set(), set()
    from ..spec.loader import load_spec  # the loader draws nothing; only a variant needs it here

    return touched(spec, spec_diff(load_spec(spec.variant.base), spec))


def _edge_text(spec: Spec, transition) -> str:
    label = transition.label or spec.events[transition.event].label
    text = "\n".join(_wrap(label, 26))
    if transition.guard:
        text += "\n[" + "\n".join(_wrap(transition.guard, 30)) + "]"
    return text


_LEGEND = (
    '  subgraph "cluster__legend" {\n'
    '    graph [label="Key", style="rounded", color="#BBBBBB", fontsize=10];\n'
    '    "__key_active" [label="where the case is", fillcolor="' + ACTIVE_FILL + '", color="'
    + ACTIVE_LINE + '", penwidth=3, style="rounded,filled,bold", fontsize=9];\n'
    '    "__key_travelled" [label="already travelled", fillcolor="' + TRAVELLED_FILL
    + '", fontsize=9];\n'
    '    "__key_missed" [label=<&#9888; a limit breached here>, color="' + MISSED_LINE
    + '", penwidth=3, style="rounded,filled,dashed", fontsize=9];\n'
    '    "__key_active" -> "__key_travelled" -> "__key_missed" [style=invis];\n'
    "  }"
)


def diagram_source(spec: Spec, highlight: Highlight | None = None,
                   rankdir: str = "TB", focus: str | None = None, clip: bool = True,
                   changed: tuple[set[str], set[str]] | None = None,
                   changed_note: str = "", deadlines: bool = False) -> str:
    """DOT source for ``spec``; the layout depends on the spec only, never on the highlight,
    so a case's diagram does not move between steps.

    ``focus`` draws only what is inside one compound state (a large spec, one part at a time).
    ``clip=False`` draws arrows to the first state inside a compound state instead of to its
    frame: plainer, and a way round Graphviz layouts that fail on clipped arrows.
    ``changed``: states and transition keys (:func:`regflow.engine.compare.diff.transition_key`)
    to mark ✎ in blue, as what differs from another version (``changed_note`` says from what);
    a variant marks what it changed from its base by itself. ``deadlines`` writes on each
    arrow the timescales its step meets (◷ the rule and its paragraph), so that two versions
    with different deadlines draw differently.
    """
    hl = highlight or Highlight()
    title = spec.process.title
    if changed is None and spec.variant is not None:
        changed = variant_changes(spec)
        changed_note = f"changed from {os.path.basename(spec.variant.base)}"
    changed_states, changed_keys = changed or (set(), set())
    if changed is not None:
        title += f" (✎ blue: {changed_note or 'changed'})"
    inside = set(spec.states)
    if focus is not None:
        title = f"{spec.process.title}: {spec.states[focus].label}"
        inside = {n for n in spec.states if focus in spec.ancestors(n)}
    out = [
        f"digraph {_quote(spec.process.id)} {{",
        f"  graph [compound=true, newrank=true, rankdir={rankdir}, fontname={_quote(FONT)}, "
        f"fontsize=11, "
        f"nodesep=0.35, ranksep=0.45, labelloc=t, label={_quote(title)}, "
        f"tooltip={_quote(title)}];",
        f"  node [shape=box, style=\"rounded,filled\", fontname={_quote(FONT)}, fontsize=11, "
        f"fillcolor=\"{NEUTRAL_FILL}\", color=\"{NEUTRAL_LINE}\", penwidth=1.2, margin=\"0.12,0.06\"];",
        f"  edge [fontname={_quote(FONT)}, fontsize=9, color=\"#666666\", arrowsize=0.7];",
    ]

    def emit(scope: str | None, indent: str) -> None:
        children = spec.children(scope)
        if scope is None or not spec.states[scope].parallel:
            initial = [c for c in children if spec.states[c].initial]
            if initial:
                dot = f"__start_{scope or '_top'}"
                out.append(f'{indent}"{dot}" [shape=point, width=0.12, style=filled, '
                           f'fillcolor="#333333", label=""];')
                target = initial[0]
                attrs = f" [lhead={_cluster(target)}]" if spec.is_compound(target) else ""
                out.append(f'{indent}"{dot}" -> {_id(_entry_leaf(spec, target))}{attrs};')
        for child in children:
            state = spec.states[child]
            if spec.is_compound(child):
                style = "dashed,rounded" if state.parallel else "rounded"
                fill = ACTIVE_CLUSTER_FILL if child in hl.active else "#F7F7F7"
                pen = "2.4" if child in hl.active else "1"
                line = MISSED_LINE if child in hl.missed else (
                    ACTIVE_LINE if child in hl.active else "#8C8C8C")
                title = state.label + (" (in parallel)" if state.parallel else "")
                out.append(f"{indent}subgraph {_cluster(child)} {{")
                out.append(f"{indent}  graph [id={_quote(state_id(child))}, "
                           f"label={_quote(title)}, style=\"{style},filled\", "
                           f"fillcolor=\"{fill}\", color=\"{line}\", penwidth={pen}, "
                           f"tooltip={_tooltip(spec, child)}, fontsize=11];")
                emit(child, indent + "  ")
                out.append(f"{indent}}}")
            else:
                out.append(f"{indent}{_id(child)} [{_node_attrs(spec, child, hl, child in changed_states)}];")

    emit(focus, "  ")
    meets: dict[str, list[str]] = {}
    if deadlines:
        for t in spec.timescales:
            step = t.met_by.name if t.met_by and t.met_by.kind == "event" else t.fires
            if step:
                words = "\n".join(_wrap(f"◷ {spec.rule_words(t)} [{t.citation}]", 30))
                meets.setdefault(step, []).append(words)
    for edge_id, (tail, head, ltail, lhead), group in edge_groups(spec, inside):
        texts = [_edge_text(spec, t) + "".join("\n" + m for m in meets.get(t.event, []))
                 for t in group]
        label = texts[0] if len(texts) == 1 else "\n".join(
            "• " + text.replace("\n", "\n   ") for text in texts)
        tip = "; ".join(spec.events[t.event].label + (f" ({t.citation})" if t.citation else "")
                        + (f". How regflow reads it: {t.note}" if t.note else "") for t in group)
        marked = any(transition_key(t) in changed_keys for t in group)
        if marked:
            label = "✎ " + label
            tip = "Changed by this variant. " + tip
        attrs = [f"id={_quote(edge_id)}", f"label={_quote(label)}", f"tooltip={_quote(tip)}",
                 f"labeltooltip={_quote(tip)}"]
        if marked:
            attrs += [f'color="{CHANGED_LINE}"', f'fontcolor="{CHANGED_LINE}"', "penwidth=2.4"]
        if ltail and clip:
            attrs.append(f"ltail={_cluster(ltail)}")
        if lhead and clip:
            attrs.append(f"lhead={_cluster(lhead)}")
        if all(t.guard for t in group):
            attrs.append("style=dashed")
        out.append(f"  {_id(tail)} -> {_id(head)} [{', '.join(attrs)}];")
    if highlight is not None:
        out.append(_LEGEND)
    out.append("}")
    return "\n".join(out) + "\n"


def state_id(name: str) -> str:
    """The id of a state's node or frame in the SVG (what a viewer finds it by)."""
    return f"s__{name}"


def edge_groups(spec: Spec, inside: set[str] | None = None):
    """The arrows of the diagram: ``(svg id, (tail, head, ltail, lhead), transitions)``.

    Transitions with the same ends are drawn as one arrow with their labels stacked: Graphviz
    draws several self-loops on one state on top of each other, labels overprinted. An arrow's
    id comes from the spec's own names (``e__SOURCE.EVENT.TARGET`` of its first
    transition), never from drawing order, so two versions of a spec give files that diff
    cleanly.
    """
    inside = set(spec.states) if inside is None else inside
    edges: dict[tuple[str, str, str | None, str | None], list] = {}
    names: dict[tuple[str, str, str | None, str | None], str] = {}
    for t in spec.transitions:
        if t.target not in inside:
            continue
        for source in t.sources:
            if source not in inside:
                continue
            ltail = source if (spec.is_compound(source) and source != t.target
                               and source not in spec.ancestors(t.target)) else None
            lhead = t.target if (spec.is_compound(t.target)
                                 and t.target not in (source, *spec.ancestors(source))) else None
            key = (_entry_leaf(spec, source), _entry_leaf(spec, t.target), ltail, lhead)
            edges.setdefault(key, []).append(t)
            names.setdefault(key, f"e__{source}.{t.event}.{t.target}")
    out, used = [], set()
    for key, group in edges.items():
        ident, n = names[key], 2
        while ident in used:  # the same first transition drawn twice (ends in two clusters)
            ident, n = f"{names[key]}.{n}", n + 1
        used.add(ident)
        out.append((ident, key, group))
    return out


def _node_attrs(spec: Spec, name: str, hl: Highlight, changed: bool = False) -> str:
    state = spec.states[name]
    label = _state_label(spec, name, name in hl.missed, changed)
    attrs = [f"id={_quote(state_id(name))}", f"label={label}", f"tooltip={_tooltip(spec, name)}"]
    if changed:
        attrs += [f'color="{CHANGED_LINE}"', "penwidth=2.6"]
    if state.final:
        attrs.append("peripheries=2")
    if name in hl.active:
        attrs += [f'fillcolor="{ACTIVE_FILL}"', f'color="{ACTIVE_LINE}"', "penwidth=3",
                  'style="rounded,filled,bold"']
    elif name in hl.travelled:
        attrs += [f'fillcolor="{TRAVELLED_FILL}"']
    if name in hl.missed:
        attrs += [f'color="{MISSED_LINE}"', "penwidth=3", 'style="rounded,filled,dashed"']
    return ", ".join(attrs)


def case_highlight(case, today, rows=None) -> Highlight:
    """Active, travelled and missed states of a case.

    A limit breached or overdue marks the states the case was in when its due date passed
    (a departure from the normal arrangement or a target passed is no breach and is not marked),
    narrowed to those from which the event that meets it could have been recorded: that is
    where the obligation was not met. ``rows``: the case's timescales as of ``today``, if the
    caller has them already.
    """
    spec = case.spec
    travelled = case.entered_states()
    missed: set[str] = set()
    for row in case.timescales(today) if rows is None else rows:
        if (row.status == BREACHED or row.overdue) and row.due is not None:
            then = case.states_on(min(row.due, today))
            met_by = spec.timescale(row.id).met_by
            sources = {s for t in spec.transitions if met_by and t.event == met_by.name
                       for s in t.sources} if met_by and met_by.kind == "event" else set()
            narrowed = [n for n in then if sources & {n, *spec.ancestors(n)}]
            missed.update(narrowed or then)
    return Highlight(frozenset(case.active_states), frozenset(travelled), frozenset(missed))
