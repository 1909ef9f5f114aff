"""A case report as one self-contained HTML file, for sending to a local authority or filing.

It holds where the case is (the state diagram with the current states marked, as inline SVG),
its deadlines with their status, how binding each one is and the source paragraph it comes
from, the facts recorded and the full history. Nothing is fetched: no scripts, links to style
sheets, fonts or images; a print style sheet lays it out on A4.
"""

from __future__ import annotations

import re
from datetime import date
from html import escape
from pathlib import Path

from regflow.engine.cases.timescales import PAST_DUE, STRENGTH_WORDS, days_words
from regflow.engine.drawing.diagram import case_highlight
from regflow.engine.spec.model import STRENGTHS

STYLE = """
:root { --ink: #1b1b1b; --muted: #555; --line: #c8c8c8; --bad: #a4000f; --warn: #8a5300; }
body { font: 15px/1.45 system-ui, "Segoe UI", Arial, sans-serif; color: var(--ink);
       max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem;
     border-bottom: 2px solid var(--ink); padding-bottom: .2rem; }
.sub { color: var(--muted); margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem;
         border-bottom: 1px solid var(--line); }
th { background: #f1f1f1; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.summary dt { font-weight: 600; } dl.summary dd { margin: 0; }
.status-bad { color: var(--bad); font-weight: 700; } .status-warn { color: var(--warn);
  font-weight: 600; } .voided { text-decoration: line-through; color: var(--muted); }
.source { color: var(--muted); font-size: .85rem; } td.due { white-space: nowrap; }
figure { margin: 1rem 0; width: calc(100vw - 3rem); margin-left: calc(50% - 50vw + 1.5rem); }
figure svg { width: 100%; height: auto; } figcaption { color: var(--muted); font-size: .85rem; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .8rem; }
@media print {
  @page { size: A4; margin: 16mm 14mm; }
  @page diagram { size: A4 landscape; margin: 10mm; }
  body { margin: 0; max-width: none; font-size: 10.5pt; padding: 0; }
  h2 { break-after: avoid; } tr, figure, dl { break-inside: avoid; }
  th { background: none; border-bottom: 1.5px solid #000; }
  .status-bad, .status-warn { color: #000; }
  figure { page: diagram; width: auto; margin: 0; }
  figure svg { max-height: 17cm; }
}
"""


def _svg(spec, case, today: date) -> str:
    """The case's diagram as inline SVG markup (Graphviz), without XML prologue or doctype."""
    from regflow.plugins.exporters import render_bytes

    text = render_bytes(spec, "svg", case_highlight(case, today)).decode("utf-8")
    text = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", "", text, flags=re.S)
    return text.strip()


def _value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("_", " ")


def _status(row, today: date) -> tuple[str, str]:
    """Words for how a deadline stands, and a CSS class for how serious that is."""
    if row.open and row.due is not None and row.due < today:
        words, days = PAST_DUE[row.strength], days_words(row.days_left, row.strength)
        return (days if words in days else f"{words} ({days})"), (
            "status-bad" if row.strength == "limit" else "status-warn")
    if row.open and row.days_left is not None:
        return days_words(row.days_left, row.strength), ""
    verdict = row.verdict
    return verdict, "status-bad" if verdict == "breached" else ""


def case_report(view, today: date) -> str:
    case, spec = view.case, view.spec
    p = spec.process
    e = escape
    rows = [r for r in case.timescales(today) if r.anchor_date is not None]
    out = ["<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
           f"<title>Case {view.id}: {e(view.title)}</title>",
           '<meta name="generator" content="regflow export html">',
           f"<style>{STYLE}</style>", "</head>", "<body>",
           f"<h1>{e(view.title)}</h1>",
           f'<p class="sub">Case {view.id} · {e(p.title)} · {e(p.regulator)}</p>',
           '<dl class="summary">',
           f"<dt>As of</dt><dd>{today.isoformat()}</dd>",
           f"<dt>Opened</dt><dd>{case.opened_on.isoformat()}</dd>",
           "<dt>Where the case is</dt><dd>"
           + "; ".join(e(spec.states[n].label) for n in case.current_states) + "</dd>",
           "<dt>Responsible now</dt><dd>"
           + (e(", ".join(spec.role_label(r) for r in case.responsible_roles())) or "-") + "</dd>"]
    if case.finished_on is not None:
        out.append(f"<dt>Finished</dt><dd>{case.finished_on.isoformat()}</dd>")
    out += [f"<dt>Rules</dt><dd>{e(p.source)} (regflow spec {e(p.id)}, version "
            f"{e(p.version)}, case record version {view.version})</dd>", "</dl>"]

    out += ["<h2>Where the case is</h2>", '<figure role="img" aria-label="State diagram">',
            _svg(spec, case, today),
            "<figcaption>The process as a state diagram: the current stages are marked, the "
            "stages passed through are shaded, a stage where a time limit was missed is marked "
            "in red.</figcaption>", "</figure>"]

    out += ["<h2>Deadlines</h2>",
            "<table><thead><tr><th>Deadline</th><th>Rule</th><th>Due</th><th>Status</th>"
            "<th>How binding</th><th>Source</th></tr></thead><tbody>"]
    # what is still to be done first, then what is settled, each by date
    for r in sorted(rows, key=lambda r: (not r.open, r.due or date.max, r.label)):
        status, css = _status(r, today)
        due = ("about " if r.approximate else "") + (r.due.isoformat() if r.due else "-")
        if r.extended_to:
            due += f" (extended: {e(r.extension_reason)})"
        binding = STRENGTH_WORDS.get(r.strength, r.strength)
        wording = f" ({e(r.wording)})" if r.wording else ""
        paragraph = spec.citation_text(r.citation)
        out.append(
            f"<tr><td>{e(r.label)}</td><td>{e(spec.rule_words(spec.timescale(r.id)))}</td>"
            f'<td class="due">{e(due)}</td><td class="{css}">{e(status)}</td>'
            f'<td title="{e(STRENGTHS.get(r.strength, ""))}">{e(binding)}{wording}</td>'
            f"<td>{e(r.citation)}"
            + (f'<div class="source">{e(paragraph)}</div>' if paragraph else "")
            + "</td></tr>")
    if not rows:
        out.append('<tr><td colspan="6">No deadline has started yet.</td></tr>')
    out.append("</tbody></table>")

    facts = {n: v for n, v in case.facts.items() if v is not None and n in spec.facts}
    if facts:
        out += ["<h2>Facts recorded</h2>", "<table><tbody>"]
        out += [f"<tr><th>{e(spec.facts[n].label)}</th><td>{e(_value(v))}</td></tr>"
                for n, v in facts.items()]
        out.append("</tbody></table>")

    out += ["<h2>History</h2>",
            "<table><thead><tr><th>#</th><th>Date</th><th>What happened</th><th>By</th>"
            "<th>Note</th></tr></thead><tbody>"]
    voided = view.voided
    for entry in view.entries:
        if entry.kind == "event":
            what = spec.events[entry.event].label if entry.event in spec.events else entry.event
        elif entry.kind == "correction":
            what = f"Correction: entry #{entry.voids_seq} voided"
        else:
            label = next((t.label for t in spec.timescales if t.id == entry.timescale),
                         entry.timescale)
            what = f"Extension of '{label}' to {entry.extend_to.isoformat()}"
        css = ' class="voided"' if entry.seq in voided else ""
        actor = spec.role_label(entry.actor) if entry.actor else ""
        out.append(f"<tr{css}><td>{entry.seq}</td><td>{entry.effective_on.isoformat()}</td>"
                   f"<td>{e(what)}</td><td>{e(actor)}</td><td>{e(entry.note)}</td></tr>")
    if not view.entries:
        out.append('<tr><td colspan="5">Nothing recorded since the case was opened.</td></tr>')
    out += ["</tbody></table>",
            f"<footer>Written by regflow on {today.isoformat()} from the case record. Dates "
            f"are worked out on the {e(p.calendar)} working-day calendar.</footer>",
            "</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_case_html(view, path: Path, today: date) -> None:
    path.write_text(case_report(view, today), encoding="utf-8")
