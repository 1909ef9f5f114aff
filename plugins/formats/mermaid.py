"""A spec as a Mermaid ``stateDiagram-v2`` (GitHub, GitLab and many wikis draw it).

Compound states become ``state name { ... }`` blocks, the regions of a parallel state are
separated by ``--``, initial states get ``[*] -->`` and final ones ``--> [*]``. Each transition
is written inside the innermost block that holds both its ends (Mermaid draws a transition where
it is written), labelled with its event and, in brackets, its guard.
"""

from __future__ import annotations

import re
from pathlib import Path

from regflow.engine.spec.model import Spec


def _text(text: str) -> str:
    """Words Mermaid shows as they are: no double quotes, colons, semicolons, hashes or braces
    (its syntax)."""
    for bad, good in (('"', "'"), (":", " -"), (";", ","), ("#", "no."), ("{", "("), ("}", ")")):
        text = text.replace(bad, good)
    return re.sub(r"\s+", " ", text).strip()


def _common_parent(spec: Spec, a: str, b: str) -> str | None:
    """The innermost compound state containing both ``a`` and ``b`` (None: the top level)."""
    outer_a = spec.ancestors(a)
    for parent in spec.ancestors(b):
        if parent in outer_a and parent not in (a, b):
            return parent
    return None


def mermaid_source(spec: Spec) -> str:
    edges: dict[str | None, list[str]] = {}
    for t in spec.transitions:
        label = t.event + (f" [{_text(t.guard)}]" if t.guard else "")
        for source in t.sources:
            edges.setdefault(_common_parent(spec, source, t.target), []).append(
                f"{source} --> {t.target} : {label}")
    lines = ["stateDiagram-v2", f"    %% {_text(spec.process.title)} (spec {spec.process.id} "
             f"version {_text(spec.process.version)}), written by regflow export mermaid"]

    def block(parent: str | None, indent: str) -> None:
        children = spec.children(parent)
        for name in children:
            lines.append(f'{indent}state "{_text(spec.states[name].label)}" as {name}')
        parallel = parent is not None and spec.states[parent].parallel
        if children and not parallel:
            first = next((c for c in children if spec.states[c].initial), children[0])
            lines.append(f"{indent}[*] --> {first}")
        for i, name in enumerate(children):
            if parallel and i:
                lines.append(f"{indent}--")
            if spec.is_compound(name):
                lines.append(f"{indent}state {name} {{")
                block(name, indent + "    ")
                lines.append(f"{indent}}}")
            if spec.states[name].final:
                lines.append(f"{indent}{name} --> [*]")
        lines.extend(indent + edge for edge in edges.get(parent, []))

    block(None, "    ")
    return "\n".join(lines) + "\n"


def write_mermaid(spec: Spec, path: Path, highlight=None, focus=None) -> None:
    path.write_text(mermaid_source(spec), encoding="utf-8")
