"""The ``regflow`` command: validate, render and simulate specs; list plugins.

Bad input never ends in a traceback: engine errors become messages on standard error and exit
code 1 (2 for a wrong command line, from argparse).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from regflow.engine import RegflowError, load_scenario, load_spec, run_scenario
from regflow.engine.cases.timescales import STRENGTH_WORDS
from regflow.engine.errors import ProblemsError, ScenarioError
from regflow.engine.output_guard import check_output
from regflow.engine.spec.variants import VARIANT_PREFIX, open_spec, spec_reference

from .register_cmds import _date


def cmd_validate(args: argparse.Namespace) -> int:
    failed, report = 0, []
    args.specs = _spec_files(args.specs)
    for path in args.specs:
        entry: dict = {"file": path, "ok": True, "problems": []}
        report.append(entry)
        try:
            if path.startswith(VARIANT_PREFIX):  # a rule variant in code: checked as it loads
                spec = open_spec(path)
            else:
                spec = _spec_or_other(path, args.json, entry)
                if spec is None:
                    continue
        except ProblemsError as err:
            failed += 1
            entry.update(ok=False, problems=[p.as_dict() for p in err.problems])
            if not args.json:
                for problem in err.problems:
                    print(problem, file=sys.stderr)
            continue
        warnings = spec.warnings
        entry.update(kind="spec", title=spec.process.title,
                     problems=[p.as_dict() for p in warnings])
        if args.json:
            continue
        for problem in warnings:
            print(problem, file=sys.stderr)
        counted = f"; {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" \
            if warnings else ""
        print(f"ok  {path}: {spec.process.title} ({len(spec.states)} states, "
              f"{len(spec.events)} events, {len(spec.transitions)} transitions, "
              f"{len(spec.timescales)} timescales{counted})")
    if args.json:
        json.dump({"files": report}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif failed:
        print(f"{failed} of {len(args.specs)} spec(s) have problems", file=sys.stderr)
    return 1 if failed else 0


def cmd_render(args: argparse.Namespace) -> int:
    from regflow.engine.drawing.diagram import case_highlight
    from regflow.plugins.exporters import export

    if args.today and not args.scenario:
        raise RegflowError("--today only applies with --scenario (it says as of when to show the case)")
    if str(args.output) != "-":
        check_output(args.output, [args.spec, args.scenario], what="output")
    spec = open_spec(args.spec)
    highlight = None
    if args.scenario:
        scenario = load_scenario(args.scenario)
        result = run_scenario(spec, scenario, args.today)
        highlight = case_highlight(result.case, result.today)
    exporter = export(spec, args.output, args.format, highlight, args.focus)
    if str(args.output) != "-":
        print(f"wrote {args.output} ({exporter.name})")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from .report import json_report, text_report

    spec = open_spec(args.spec)
    scenario = load_scenario(args.scenario)
    result = run_scenario(spec, scenario, args.today)
    if args.json:
        json.dump(json_report(result, scenario), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text_report(result, scenario))
    return 0


def _spec_or_other(path: str, quiet: bool, entry: dict):
    """The spec in the file at ``path``, read once; a scenario or the milestone vocabulary met
    among the specs is checked as what it is (None)."""
    from regflow.engine.cases.scenario import is_scenario
    from regflow.engine.spec.loader import read_toml, spec_from_toml
    from regflow.engine.spec.milestones import is_vocabulary, parse_vocabulary

    text, data = read_toml(path)
    if is_scenario(data):
        entry.update(kind="scenario", **_check_scenario(path, quiet))
        return None
    if is_vocabulary(data):
        found = parse_vocabulary(data, text, path)
        entry.update(kind="vocabulary", milestones=len(found))
        if not quiet:
            print(f"ok  {path}: milestone vocabulary ({len(found)} milestones)")
        return None
    return spec_from_toml(data, text, path)


def _check_scenario(path: str, quiet: bool) -> dict:
    """A scenario met among the specs (``validate examples/``): its shape checked, and replayed
    on the spec it names, whose problems come out located in the scenario like a spec's."""
    scenario = load_scenario(path)
    n = len(scenario.events)
    said = f"{n} event{'s' if n != 1 else ''}"
    named = None
    if scenario.spec:
        named = os.path.normpath(os.path.join(os.path.dirname(path), scenario.spec))
        if not os.path.isfile(named):
            raise ScenarioError([scenario.problem(("spec",), f"no spec file at {named}")])
        run_scenario(load_spec(named), scenario)
        said += f" on {named}"
    else:
        said += "; it names no spec, so only its shape was checked"
    if not quiet:
        print(f"ok  {path}: scenario ‘{scenario.title}’ ({said})")
    return {"title": scenario.title, "spec": named}


def _spec_files(paths: list[str]) -> list[str]:
    """The files to check: each file or shipped spec named, and every ``*.toml`` in each
    folder named."""
    out = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(str(p) for p in Path(path).glob("*.toml"))
            if not found:
                raise RegflowError(f"{path} is a folder with no .toml files in it")
            out += found
        else:
            out.append(spec_reference(path))
    return out


def cmd_new_spec(args: argparse.Namespace) -> int:
    from regflow.engine.spec.starting import as_variant, from_template

    if args.variant_of:
        out = as_variant(args.variant_of, args.output, args.title)
        how = f"as a variant of {args.variant_of} (it changes nothing yet)"
    else:
        out = from_template(args.template or "inspection", args.output, args.title)
        how = f"from the '{args.template or 'inspection'}' template"
    from regflow.engine.spec.loader import read_toml

    process = read_toml(os.fspath(out))[1]["process"]
    print(f"wrote {out} {how}: id '{process['id']}', title \"{process['title']}\"; edit it "
          f"with regflow edit {out}, check it with regflow validate {out}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from regflow.engine.compare.comparison import (
        DEFAULT_START_MILESTONE,
        compare,
        comparison_html,
        comparison_json,
    )

    from .register_cmds import _assignments

    if args.output is None and not args.json:
        raise RegflowError("say where to write the comparison: -o comparison.html (or --json)")
    if args.output is not None and args.output.suffix.lower() not in (".html", ".htm"):
        raise RegflowError(f"'{args.output}': the comparison is an HTML file; name it .html")
    if args.output is not None:
        check_output(args.output, [args.left, args.right], what="output")
    if args.start is None and (args.from_milestone or args.set):
        raise RegflowError("--from-milestone and --set choose the timeline: give its --start "
                           "date too")
    left, right = open_spec(args.left), open_spec(args.right)
    found = compare(left, right, args.start, args.from_milestone or DEFAULT_START_MILESTONE,
                    _assignments(args.set))
    found.deadlines = args.deadlines
    if args.json:
        json.dump(comparison_json(found), sys.stdout, indent=2)
        sys.stdout.write("\n")
    if args.output is not None:
        text = comparison_html(found)
        partial = args.output.with_name(args.output.name + ".partial")
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(args.output)
        except OSError as err:
            partial.unlink(missing_ok=True)
            raise RegflowError(f"cannot write {args.output}: {err.strerror}") from None
        if not args.json:
            print(f"wrote {args.output}: {len(found.milestones)} milestones"
                  + (f", {len(found.diff)} change{'s' if len(found.diff) != 1 else ''}"
                     if found.diff is not None else "")
                  + (", a timeline" if found.timelines else ""))
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    import csv

    from regflow.engine.cases.calendars import calendar, calendar_names
    from regflow.engine.compare.timeline import timeline

    from .register_cmds import _assignments
    from .report import table

    spec = open_spec(args.spec)
    found = timeline(spec, args.start, args.start_event, _assignments(args.set))
    facts = found.facts
    rows = [e.as_dict() for e in found.entries]
    if args.json:
        json.dump({"spec": spec.process.id, "start": args.start.isoformat(),
                   "from": args.start_event, "calendar": spec.process.calendar,
                   "facts": {k: str(v) for k, v in facts.items()}, "unused": found.unused,
                   "timescales": rows,
                   "steps": [{"on": on.isoformat(), "event": e} for on, e in found.steps]},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["due", "earliest", "anchor_date", "strength", "id", "label", "rule",
                         "citation"])
        for e in found.entries:
            writer.writerow([e.due or "", e.earliest or "", e.anchor_date, e.strength, e.id,
                             e.label, e.rule, e.citation])
        return 0
    start = spec.events[args.start_event].label if args.start_event else "the opening of a case"
    days = calendar_names().get(spec.process.calendar, spec.process.calendar)
    print(f"{spec.process.title}\nFrom {start} on {args.start.isoformat()} "
          f"({args.start.strftime('%A')}); working days: {days}; "
          "each step on the last day its timescale allows\n")
    cal = calendar(spec.process.calendar)
    if not cal.is_working_day(args.start):
        print(f"note: {args.start.isoformat()} is not a working day here "
              f"({cal.holiday_name(args.start) or args.start.strftime('%A')}): working days are "
              "counted from the next one\n", file=sys.stderr)
    lines = [[(e.due.isoformat() + ("~" if e.approximate else "")) if e.due else "-",
              e.due.strftime("%a") if e.due else "", e.earliest.isoformat() if e.earliest else "-",
              e.anchor_date.isoformat(), STRENGTH_WORDS[e.strength],
              f"{e.label}  [{e.citation}]\n{e.rule}"] for e in found.entries]
    print(table(["due", "", "earliest", "clock starts", "binding", "timescale  [source]"], lines)
          if lines else "  no timescale falls due on this path")
    for name in found.unused:
        by = [f"‘{e.label}’" for e in spec.events.values() if name in e.sets]
        print(f"note: --set {name} was not used: the path did not come to "
              + (" or ".join(by) if by else "a step that records it"), file=sys.stderr)
    return 0


def cmd_plugins(args: argparse.Namespace) -> int:
    from regflow.engine.cases.calendars import calendar_names
    from regflow.engine.spec.variants import installed_variants
    from regflow.plugins import plugin_list
    from regflow.plugins.exporters import all_exporters

    plugins = plugin_list()
    formats = [{"name": e.name, "exports": e.subject, "suffix": e.suffix,
                "description": e.description, "options": list(e.options), "plugin": e.plugin}
               for e in all_exporters()]
    calendars = calendar_names()
    variants = [{"name": v.name, "base": v.base, "label": v.label, "description": v.description}
                for v in installed_variants().values()]
    if args.json:
        json.dump({"plugins": plugins, "formats": formats, "calendars": calendars,
                   "variants": variants}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for p in plugins:
        origin = "built-in" if p["builtin"] else (p["distribution"] or "registered")
        print(f"{p['name']}  ({origin})")
        print(f"    hooks: {', '.join(p['hooks']) or 'none'}")
    print("\nexport formats (regflow export FORMAT ...):")
    for subject in ("spec", "case", "register"):
        names = [f"{f['name']} ({f['suffix']})" for f in formats if f["exports"] == subject]
        print(f"    a {subject}: {', '.join(names) or 'none'}")
    print("\ncalendars (process.calendar):")
    for code, words in calendars.items():
        print(f"    {code}  {words}")
    if variants:
        print("\nrule variants (regflow case new --variant NAME):")
        for v in variants:
            print(f"    {v['name']}: {v['label']}, a variant of {v['base']}. {v['description']}")
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("regflow")
    except PackageNotFoundError:
        return "(not installed)"


def cmd_gui(args: argparse.Namespace) -> int:
    from regflow.gui.app import run

    return run(args.db, args.screenshot, args.case, args.today, args.settings)


def cmd_edit(args: argparse.Namespace) -> int:
    from regflow.gui.app import run_editor

    return run_editor(args.spec, args.screenshot, args.today)


class _Command(argparse.ArgumentParser):
    """A command's parser: an option it does not know is said with the command's own usage
    (argparse would leave it to the top level, whose usage lists only the commands)."""

    def parse_known_args(self, args=None, namespace=None):
        found, extra = super().parse_known_args(args, namespace)
        if extra:
            self.error("unrecognized arguments: " + " ".join(extra))
        return found, extra


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="regflow",
        description="Regulatory processes as TOML state machines: check, draw and run them.",
    )
    top.add_argument("--version", action="version", version=f"regflow {_version()}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND",
                             parser_class=_Command)

    p = sub.add_parser("validate", help="check specs and report every problem (errors refuse "
                       "a spec; warnings, e.g. timescales that do not add up, do not)")
    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (.toml)")
    p.add_argument("--json", action="store_true", help="print JSON for tools: each file with "
                   "its errors and warnings")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("render", help="draw a spec's state diagram (.svg .png .pdf .dot)")
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                   help="output file; its suffix picks the format ('-' writes to standard "
                        "output, with --format)")
    p.add_argument("--format", help="format name, overriding the suffix (see 'regflow plugins')")
    p.add_argument("--focus", metavar="STATE",
                   help="draw only what is inside this compound state")
    p.add_argument("--scenario", metavar="SCENARIO",
                   help="highlight where this scenario's case is (active, travelled, missed)")
    p.add_argument("--today", type=_date, metavar="DATE", help="with --scenario: as of DATE")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("simulate", help="replay a scenario and show states, timescales, history")
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--today", type=_date, metavar="DATE",
                   help="evaluate as of DATE (default: the scenario's 'today', else its last "
                        "event)")
    p.add_argument("--json", action="store_true", help="print JSON for tools")
    p.set_defaults(func=cmd_simulate)

    from .export_cmd import add_command as add_export
    from .register_cmds import add_commands
    from .users_cmd import add_command as add_users

    add_commands(sub)
    add_users(sub)
    add_export(sub)

    p = sub.add_parser("gui", help="the desktop app: track the cases of a register (its File "
                       "menu also edits specs: see 'regflow edit')")
    p.add_argument("--db", metavar="URL", help="register database: a SQLAlchemy URL or a file "
                   "path (default: register.db in your data folder, with demo cases the first "
                   "time)")
    p.add_argument("--screenshot", metavar="PATH", help="save the main window as a PNG once it "
                   "has loaded, then exit (no screen needed)")
    p.add_argument("--case", type=int, metavar="N", help="with --screenshot: show case N")
    p.add_argument("--settings", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--today", type=_date, metavar="DATE", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("edit", help="the spec editor on a spec file (the same as the desktop "
                       "app's File ▸ Edit a spec file…)",
                       description="Open the spec editor on FILE: an outline and forms, the "
                       "TOML, problems as you type, a diagram and a dry-run timeline. Start a "
                       "new spec with 'regflow new-spec'.")
    p.add_argument("spec", metavar="FILE", help="the spec file (.toml) to edit")
    p.add_argument("--screenshot", metavar="PATH", help="save the editor as a PNG once the "
                   "spec is checked and drawn, then exit (no screen needed)")
    p.add_argument("--today", type=_date, metavar="DATE", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser(
        "new-spec", help="start a spec from a template, or as a variant of another spec",
        description="Write a new spec file to change into your own process: from a template\n"
        "(a small process, its comments kept), or as a variant of an existing spec (a file\n"
        "that extends it and holds only what you change). The same as the editor's\n"
        "File ▸ New spec…. Nothing is written over an existing file.",
        epilog="examples:\n  regflow new-spec -o care_homes.toml --title \"Care home "
        "inspections 2027\"\n  regflow new-spec -o pilot.toml --variant-of ciw_2019 --title "
        "\"CIW pilot: 30 days for the draft\"",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    needed = p.add_argument_group("required arguments")
    needed.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.toml",
                        help="the new spec file (it must not exist yet)")
    p.add_argument("--title", metavar="TEXT", help="the process's title, in words; its "
                   "identifier is proposed from it (default: the template's title, or the "
                   "base's marked as a variant; the identifier from the file's name)")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--template", metavar="NAME", help="inspection (with report and "
                       "follow-up) or empty (default: inspection)")
    start.add_argument("--variant-of", metavar="SPEC", help="a spec file or a shipped spec's "
                       "id (e.g. ciw_2019) that the new file extends")
    p.set_defaults(func=cmd_new_spec)

    p = sub.add_parser("compare", help="two specs side by side: diagrams, milestones, a timeline "
                       "and, for two versions, what changed (one HTML file)")
    p.add_argument("left", metavar="A", help="a spec file, a shipped spec id, or variant:NAME")
    p.add_argument("right", metavar="B")
    p.add_argument("-o", "--output", type=Path, metavar="FILE.html")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON for tools")
    p.add_argument("--start", type=_date, metavar="DATE", help="add a what-if timeline of both "
                   "from this date")
    p.add_argument("--from-milestone", metavar="MILESTONE",
                   help="with --start: what happens on the start date, as a milestone both "
                   "specs mark (default: report_published)")
    p.add_argument("--set", action="append", metavar="FACT=VALUE", help="with --start: facts "
                   "that choose the timeline's path (each spec takes those it has), e.g. "
                   "concern_level=serious")
    p.add_argument("--deadlines", action="store_true", help="write each step's deadlines on "
                   "the diagrams' arrows")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("timeline", help="the dates a spec's deadlines fall on from a start date, "
                       "along its usual path")
    p.add_argument("spec", metavar="SPEC", help="a spec file, a shipped spec id, or variant:NAME")
    p.add_argument("--start", type=_date, required=True, metavar="DATE",
                   help="the day the timeline starts")
    p.add_argument("--from", dest="start_event", metavar="EVENT", help="the event that happens "
                   "on the start date, e.g. fieldwork_completed or report_published (default: "
                   "the opening of a case)")
    p.add_argument("--set", action="append", metavar="FACT=VALUE", help="facts that choose the "
                   "path, e.g. concern_level=significant")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print JSON for tools")
    form.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=cmd_timeline)

    p = sub.add_parser("plugins", help="list installed plugins and export formats")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plugins)
    return top


def _report_plugin_failures() -> None:
    """A plugin that raises is named on standard error (see regflow.plugins.manager)."""
    class ToStderr(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            print(f"regflow: {record.getMessage()}", file=sys.stderr)  # sys.stderr as it is now

    logger = logging.getLogger("regflow.plugins")
    if not logger.handlers:
        logger.addHandler(ToStderr())
        logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _report_plugin_failures()
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as other command-line tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except ProblemsError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    except RegflowError as err:
        print(f"regflow: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
