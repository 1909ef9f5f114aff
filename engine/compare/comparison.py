"""Two specs compared: their milestones side by side, a what-if timeline of both from one
start, and, for two versions of one regulator's process, what changed.

:func:`compare` gathers it; :func:`comparison_json` and :func:`comparison_html` give it to tools
and to people (one self-contained HTML file with both diagrams, that prints well).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..cases.calendars import calendar, calendar_names
from ..drawing.diagram import diagram_source
from ..errors import RegflowError
from ..spec.milestones import vocabulary
from ..spec.model import Spec
from ..suggest import closest
from .diff import Change, spec_diff, touched
from .milestones import Row, milestone_table
from .timeline import Timeline, TimelineError, timeline

#: the milestone both timelines start from when none is given
DEFAULT_START_MILESTONE = "report_published"
#: Okabe-Ito colours for the two sides (safe for colour-blind readers)
SIDE_COLOURS = ("#0072B2", "#D55E00")


@dataclass
class Comparison:
    left: Spec
    right: Spec
    milestones: list[Row]
    diff: list[Change] | None  # two versions of one regulator's process; None otherwise
    start: date | None = None
    start_milestone: str = ""
    timelines: tuple[Timeline, Timeline] | None = None
    deadlines: bool = False  # write each step's deadlines on the diagrams' arrows


def start_event(spec: Spec, milestone: str) -> str | None:
    """The event of ``spec`` tagged with ``milestone`` (its first), if any."""
    return next((name for name, e in spec.events.items() if milestone in e.milestones), None)


def compare(left: Spec, right: Spec, start: date | None = None,
            milestone: str = DEFAULT_START_MILESTONE,
            facts: dict[str, Any] | None = None) -> Comparison:
    """The two specs side by side; from ``start`` (what happens then: ``milestone``) a what-if
    timeline of each, along the path ``facts`` choose (each side takes the facts it has, typed
    as it says: ``{"concern_level": "serious"}``)."""
    versions = left.process.regulator == right.process.regulator
    out = Comparison(left, right, milestone_table(left, right),
                     spec_diff(left, right) if versions else None)
    facts = dict(facts or {})
    unknown = [n for n in facts if n not in left.facts and n not in right.facts]
    if unknown:
        near = closest(unknown[0], [*left.facts, *right.facts])
        raise RegflowError(f"unknown fact '{unknown[0]}': neither {left.process.id} nor "
                           f"{right.process.id} has it" + (f" (did you mean '{near}'?)" if near
                                                           else ""))
    if start is not None:
        known = vocabulary()
        if milestone not in known:
            near = closest(milestone, known)
            shared = [m for m in known if start_event(left, m) and start_event(right, m)]
            raise RegflowError(f"unknown milestone '{milestone}'" + (
                f" (did you mean '{near}'?)" if near else "") + "; milestones both specs mark: "
                + ", ".join(shared))
        events = [start_event(s, milestone) for s in (left, right)]
        missing = [s.process.id for s, e in zip((left, right), events, strict=True) if e is None]
        if missing:
            raise TimelineError(f"{', '.join(missing)} has no event marked with the milestone "
                                f"'{milestone}': choose another milestone to start from")
        out.start, out.start_milestone = start, milestone
        out.timelines = tuple(_timeline(s, start, e, facts)
                              for s, e in zip((left, right), events, strict=True))
    return out


def _timeline(spec: Spec, start: date, event: str, facts: dict[str, Any]) -> Timeline:
    try:
        return timeline(spec, start, event, {n: v for n, v in facts.items() if n in spec.facts})
    except TimelineError as err:  # which of the two it is
        raise TimelineError(f"{spec.process.id}: {err}") from None


def comparison_json(c: Comparison) -> dict[str, Any]:
    def spec_info(s: Spec) -> dict[str, str]:
        p = s.process
        return {"id": p.id, "title": p.title, "regulator": p.regulator, "version": p.version,
                "calendar": p.calendar}

    out: dict[str, Any] = {"left": spec_info(c.left), "right": spec_info(c.right),
                           "milestones": [r.as_dict() for r in c.milestones],
                           "diff": [ch.as_dict() for ch in c.diff] if c.diff is not None else None}
    if c.timelines:
        out["timeline"] = {"start": c.start.isoformat(), "from_milestone": c.start_milestone,
                           "sides": [[e.as_dict() for e in t.entries] for t in c.timelines]}
    return out


# -- HTML ------------------------------------------------------------------------------------

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.sides { display: flex; gap: 1em; } .side { flex: 1; min-width: 0; }
.side svg { width: 100%; height: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #f2f2f2; } .muted { color: #888; } .rule { color: #555; font-size: 0.9em; }
.left { color: #0072B2; } .right { color: #D55E00; }
.added { color: #1B6E3A; } .removed { color: #A0306E; } .changed { color: #0072B2; }
@media print { .sides { display: block; } .side { page-break-inside: avoid; }
  h2 { page-break-after: avoid; } tr { page-break-inside: avoid; } }
"""


def diagram_svg(spec: Spec, changed=None, note: str = "", deadlines: bool = False) -> str:
    """A spec's diagram as SVG text (no XML prolog), marked and with deadlines as asked."""
    import graphviz

    dot = diagram_source(spec, changed=changed, changed_note=note, deadlines=deadlines)
    text = graphviz.Source(dot).pipe(format="svg", quiet=True).decode("utf-8")
    return text[text.index("<svg"):]  # no XML prolog or DOCTYPE inside HTML


def _inverse(changes: list[Change]) -> list[Change]:
    swap = {"added": "removed", "removed": "added", "changed": "changed"}
    return [Change(c.kind, c.id, swap[c.change], tuple((f, a, b) for f, b, a in c.fields))
            for c in changes]


def diff_marks(c: Comparison) -> tuple:
    """What to mark on each diagram of two versions: on the first, what the second removed or
    changed; on the second, what it added or changed."""
    if not c.diff:
        return None, None
    return touched(c.left, _inverse(c.diff)), touched(c.right, c.diff)


def comparison_html(c: Comparison) -> str:
    e = html.escape
    left, right = c.left, c.right
    marks = (None, None)
    if c.diff:
        marks = diff_marks(c)
    names = side_names(c)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{e(names[0])} and {e(names[1])} compared</title><style>{_CSS}</style>"
             f"</head><body><h1>{e(left.process.title)} <span class='muted'>and</span> "
             f"{e(right.process.title)}</h1>"]
    parts.append("<div class='sides'>" + "".join(
        f"<div class='side'><p><b class='{cls}'>{e(name)}</b>: {e(s.process.regulator)}; "
        f"working days: {e(calendar_names().get(s.process.calendar, s.process.calendar))}</p></div>"
        for cls, name, s in zip(("left", "right"), names, (left, right), strict=True)) + "</div>")
    parts.append("<h2>Diagrams</h2><div class='sides'>")
    for s, mark, other in zip((left, right), marks, reversed(names), strict=True):
        note = f"differs from {other}" if mark else ""
        parts.append(f"<div class='side'>{diagram_svg(s, mark, note, c.deadlines)}</div>")
    parts.append("</div>")
    if c.diff is not None:
        parts.append(f"<h2>What changed from {e(names[0])} to {e(names[1])}</h2>")
        if not c.diff:
            parts.append("<p>Nothing: the two versions have the same states, events, "
                         "transitions and timescales.</p>")
        else:
            parts.append("<table><tr><th>What</th><th>Change</th><th>Details</th></tr>")
            for ch in c.diff:
                details = "<br>".join(map(e, ch.details()))
                parts.append(f"<tr><td>{e(ch.kind)} <code>{e(ch.id)}</code></td>"
                             f"<td class='{ch.change}'>{e(ch.change)}</td><td>{details}</td></tr>")
            parts.append("</table>")
    parts.append("<h2>Milestones side by side</h2><table><tr><th>Milestone</th>"
                 f"<th class='left'>{e(names[0])}</th><th class='right'>{e(names[1])}</th></tr>")
    for row in c.milestones:
        cells = []
        for side in row.sides:
            if side.empty:
                cells.append("<td class='muted'>none</td>")
                continue
            text = "<br>".join(e(s) for s in side.steps)
            for t in side.timescales:
                word = f" (“{e(t['wording'])}”)" if t["wording"] else ""
                text += (f"<p><b>{e(t['label'])}</b><br><span class='rule'>{e(t['rule'])}; "
                         f"{e(t['strength'].replace('_', ' '))}{word}; [{e(t['citation'])}]</span></p>")
            cells.append(f"<td>{text}</td>")
        parts.append(f"<tr><td><b>{e(row.label)}</b><br><span class='muted'>"
                     f"{e(row.description)}</span></td>{''.join(cells)}</tr>")
    parts.append("</table>")
    if c.timelines:
        parts.append(_timeline_html(c, names))
    parts.append("</body></html>")
    return "\n".join(parts)


def side_names(c: Comparison) -> list[str]:
    return [f"{s.process.id} ({s.process.version})" for s in (c.left, c.right)]


def timeline_svg(c: Comparison) -> str:
    """The two timelines on one time axis (a Gantt-like picture), each nation's weekends and
    bank holidays shaded: SVG markup, for the HTML page and the app."""
    e = html.escape
    start = c.start
    entries = [(side, en) for side, t in enumerate(c.timelines) for en in t.entries if en.due]
    end = max([en.due for _, en in entries] + [start + timedelta(days=30)])
    end = min(end, start + timedelta(days=800))  # a four-year cycle would flatten the rest
    days = (end - start).days + 1
    width, label_w, row_h = 1100, 330, 18
    scale = (width - label_w) / days
    rows = [(side, en) for side, en in entries if en.anchor_date <= end]
    height = 40 + row_h * (len(rows) + 2)
    svg = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' "
           f"role='img' aria-label='timeline of both regimes' font-family='Helvetica' font-size='10'>"]
    # non-working days of each nation, one band each at the top and shaded down the chart
    for side, spec in enumerate((c.left, c.right)):
        cal = calendar(spec.process.calendar)
        for n in range(days):
            day = start + timedelta(days=n)
            if not cal.is_working_day(day):
                x = label_w + n * scale
                tip = e(cal.holiday_name(day) or day.strftime("%A"))
                svg.append(f"<rect x='{x:.1f}' y='{2 + side * 10}' width='{max(scale, 0.6):.1f}' "
                           f"height='8' fill='{SIDE_COLOURS[side]}' opacity='0.35'><title>"
                           f"{e(spec.process.calendar)}: {day.isoformat()} {tip}</title></rect>")
    svg.append(f"<text x='4' y='9' font-size='9' fill='{SIDE_COLOURS[0]}'>non-working days: "
               f"{e(c.left.process.calendar)}</text><text x='4' y='19' font-size='9' "
               f"fill='{SIDE_COLOURS[1]}'>non-working days: {e(c.right.process.calendar)}</text>")
    month = date(start.year, start.month, 1)
    every = 1 if days <= 400 else 3 if days <= 800 else 6  # labels that do not overlap
    while month <= end:  # month ticks
        if month >= start and (month.month - 1) % every == 0:
            x = label_w + (month - start).days * scale
            svg.append(f"<line x1='{x:.1f}' y1='22' x2='{x:.1f}' y2='{height}' stroke='#ddd'/>"
                       f"<text x='{x + 2:.1f}' y='32' fill='#555'>{month.strftime('%b %Y')}</text>")
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    for n, (side, en) in enumerate(rows):
        y = 40 + n * row_h
        x0 = label_w + max((en.anchor_date - start).days, 0) * scale
        x1 = label_w + min((en.due - start).days, days) * scale
        colour = SIDE_COLOURS[side]
        room = 56 - len(en.citation)  # the citation whole, the label cut to fit beside it
        name = en.label if len(en.label) <= room else en.label[:room - 1] + "…"
        svg.append(f"<text x='4' y='{y + 11}' fill='{colour}'>{e(name)} [{e(en.citation)}]"
                   f"</text><rect x='{x0:.1f}' y='{y + 3}' width='{max(x1 - x0, 2):.1f}' height='10' "
                   f"fill='{colour}' opacity='0.75'><title>{e(en.rule)}: due {en.due.isoformat()} "
                   f"({e(en.strength.replace('_', ' '))})</title></rect>"
                   f"<text x='{min(x1 + 3, width - 60):.1f}' y='{y + 11}' fill='#333'>"
                   f"{en.due.day} {en.due.strftime('%b %Y')}</text>")
    svg.append("</svg>")
    return "".join(svg)


def _timeline_html(c: Comparison, names: list[str]) -> str:
    e = html.escape
    start = c.start
    entries = [(side, en) for side, t in enumerate(c.timelines) for en in t.entries if en.due]
    table = ["<table><tr><th>Regime</th><th>Timescale</th><th>Clock starts</th><th>Due</th>"
             "<th>How binding</th></tr>"]
    for side, en in sorted(entries, key=lambda p: (p[1].due, p[0])):
        table.append(f"<tr><td class='{('left', 'right')[side]}'>{e(names[side])}</td>"
                     f"<td>{e(en.label)} [{e(en.citation)}]<br><span class='rule'>{e(en.rule)}"
                     f"</span></td><td>{en.anchor_date.isoformat()}</td><td>{en.due.isoformat()} "
                     f"{en.due.strftime('%a')}</td><td>{e(en.strength.replace('_', ' '))}</td></tr>")
    table.append("</table>")
    if not entries:
        table = ["<p><b>No timescale falls due on either path from this milestone</b>: nothing "
                 "that follows it is dated by the specs, or the facts given lead elsewhere "
                 "(start from another milestone, or give other facts).</p>"]
    label = vocabulary()[c.start_milestone].label
    return (f"<h2>What-if timeline from {e(label)} on {start.isoformat()} ({start.strftime('%A')})"
            "</h2><p class='muted'>Each step on the last day its timescale allows; bars run from "
            "the day a clock starts to its due date; the bands at the top are each nation's "
            "weekends and bank holidays.</p>" + timeline_svg(c) + "".join(table))
