"""``regflow export FORMAT (SPEC | --case N | --register) -o FILE``: write a spec, a stored case
or the whole register in a format another tool opens (see ``regflow plugins`` for the formats)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from regflow.engine.errors import RegflowError
from regflow.engine.output_guard import check_output
from regflow.engine.spec.variants import open_spec

from .register_cmds import _case_number, _date, _open


def cmd_export(args: argparse.Namespace) -> int:
    from regflow.plugins.exporters import export_subject

    chosen = [bool(args.spec), args.case is not None, args.register]
    if sum(chosen) != 1:
        raise RegflowError("say what to export: a spec file, --case N or --register "
                           "(exactly one)")
    if args.spec and (args.db or args.today):
        raise RegflowError("--db and --today are for --case and --register, not a spec file")
    if str(args.output) != "-":  # never over an input, a register, a spec or an import file
        check_output(args.output, [args.spec, args.db], what="output")
    if args.spec:
        spec = open_spec(args.spec)
        exporter, warnings = export_subject("spec", spec, args.output, args.format)
    else:
        with _open(args) as reg:
            if args.register:
                exporter, warnings = export_subject("register", reg, args.output, args.format,
                                                    today=reg.today)
            else:
                view = reg.get(args.case)
                exporter, warnings = export_subject("case", view, args.output, args.format,
                                                    today=reg.today)
    for warning in warnings:
        print(f"regflow: warning: {warning}", file=sys.stderr)
    if str(args.output) != "-":
        what = args.spec or (f"case {args.case}" if args.case is not None else "the register")
        print(f"wrote {args.output} ({exporter.name}: {what})")
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("export", help="write a spec, a case or the register for another tool "
                       "(scxml, mermaid, json, ics, csv, html, ...)",
                       description="Formats: 'regflow plugins' lists them, with what each "
                       "exports (a spec, a case or the register).")
    p.add_argument("format", metavar="FORMAT", help="e.g. scxml, mermaid, json (a spec); ics, "
                   "html (a case); ics, csv (the register)")
    p.add_argument("spec", nargs="?", metavar="SPEC", help="a spec file, or a shipped spec's id")
    p.add_argument("--case", type=_case_number, metavar="N", help="export stored case N")
    p.add_argument("--register", action="store_true", help="export the whole register")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                   help="output file ('-' writes to standard output)")
    p.add_argument("--db", metavar="URL", help="register database: a SQLAlchemy URL or a file "
                   "path (default: register.db in your data folder)")
    p.add_argument("--today", type=_date, metavar="DATE", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_export)
