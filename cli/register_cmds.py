"""``regflow case ...``, ``regflow due`` and ``regflow demo``: the register from the command line."""

from __future__ import annotations

import argparse
import functools
import getpass
import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from regflow.engine.cases.readings import readings
from regflow.engine.cases.timescales import STRENGTH_WORDS
from regflow.engine.errors import RegflowError
from regflow.engine.register.api import SOON_DAYS, CaseView, Register, attention
from regflow.engine.register.demo import make_demo
from regflow.engine.register.storage import MEMORY, StoreError, normalise_url, refused_write
from regflow.engine.spec.durations import MAX_DAYS
from regflow.engine.spec.facts import assignments
from regflow.engine.spec.variants import VARIANT_PREFIX, spec_reference

from .report import (
    STATUS_KEY,
    _fact,
    _left,
    _status_text,
    days_words,
    fact_lines,
    next_lines,
    reading_lines,
    table,
    where_lines,
)

DUE_PAGE = 200  # rows `regflow due` prints unless --all


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(_date_words(text)) from None


def _date_words(text: str) -> str:
    """Why ``text`` is not a date regflow reads, with the date it may have meant."""
    import calendar

    iso = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", text)
    british = re.fullmatch(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*", text)
    if iso or british:
        year, month, day = (map(int, iso.groups()) if iso else
                            map(int, reversed(british.groups())))
        if not 1 <= month <= 12:
            return f"'{text}' is not a date: there is no month {month}"
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return (f"'{text}' is not a date: {calendar.month_name[month]} {year} has {last} "
                    "days")
        return f"'{text}': write dates as YYYY-MM-DD: {year:04d}-{month:02d}-{day:02d}"
    return f"'{text}' is not a date: write YYYY-MM-DD, e.g. 2027-03-01"


def _days(text: str) -> int:
    match = re.fullmatch(r"\s*([0-9]{1,9})\s*(d|days?|w|weeks?)?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days: write e.g. 14d or 2w")
    n = int(match.group(1))
    days = n * 7 if (match.group(2) or "d").startswith("w") else n
    if days > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"'{text}' is more than 100 years ahead; at most "
                                         f"{MAX_DAYS:,} days")
    return days


_MAX = 2**62  # beyond any id, page or version a register holds


def _case_number(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < _MAX:
        raise argparse.ArgumentTypeError(f"'{text}' is not a case number (see 'regflow case list')")
    return int(text)


def _count(text: str) -> int:
    """A whole number of at least 1 (pages, page sizes, batches, workers)."""
    if not text.isdigit() or not 0 < int(text) < _MAX:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return int(text)


def _version(text: str) -> int:
    if not text.isdigit() or int(text) >= _MAX:
        raise argparse.ArgumentTypeError(f"'{text}' is not a case version (see 'regflow case show')")
    return int(text)


def _import_spec(text: str, folder: Path) -> tuple[str, str | None]:
    """An import line's spec: a file (a relative path is relative to the import file's
    folder, not to where regflow runs), the id of a shipped spec or ``variant:NAME``;
    (what to open, problem)."""
    try:
        return spec_reference(text, folder), None
    except RegflowError as err:
        return text, str(err)


def _assignments(pairs: list[str]) -> dict[str, str]:
    try:
        return assignments(pairs)
    except RegflowError as err:
        raise RegflowError(f"--set {err}") from None


def _open(args, write: bool = False, create: bool = False) -> Register:
    """The register of ``--db``: read-only unless ``write``; ``create`` makes it with the first
    change stored (a command that fails leaves no empty register behind)."""
    if normalise_url(args.db) == MEMORY:
        raise RegflowError("--db :memory: would keep the register in memory only, lost when "
                           "the command ends; give a file path, e.g. --db register.db")
    if write or create:
        register = Register(args.db, today=args.today, create=False, create_on_write=create)
        register.catch_up()
        return register
    register = Register(args.db, today=args.today, readonly=True)
    if register.needs_catch_up():  # time-driven steps fell due: store them if we may write
        try:
            with Register(args.db, today=args.today, create=False) as writer:
                writer.catch_up()
        except StoreError:
            pass  # a read-only register: a case shown is caught up in memory
    return register


def _damaged(reg: Register) -> int:
    """Say which cases were left out as damaged; the exit code (1 if any)."""
    for case_id, what in sorted(reg.damaged.items()):
        print(f"regflow: case {case_id} is damaged in the register and was left out: {what}",
              file=sys.stderr)
    return 1 if reg.damaged else 0


def _actor(args) -> str:
    if getattr(args, "actor", None):
        return args.actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _emit(args, data: Any, text: str) -> None:
    if args.json:
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text)


# -- case new / list / show -------------------------------------------------------------------


def cmd_new(args) -> int:
    with _open(args, create=True) as reg:
        spec = f"{VARIANT_PREFIX}{args.variant}" if args.variant else spec_reference(args.spec)
        view = reg.new_case(spec, args.title, args.on or reg.today, _assignments(args.set))
        stage = "; ".join(view.spec.states[n].label for n in view.case.current_states)
        print(f"opened case {view.id}: {view.title} ({view.spec.process.id}); now: {stage}")
    return 0


def _flag(row: dict[str, Any], today: date) -> str:
    """A case's standing in words; a breach of a limit in capitals, so it stands out."""
    flag = attention(row, today)
    return flag.upper() if flag == "overdue" else flag


def cmd_list(args) -> int:
    with _open(args) as reg:
        limit = None if args.all else args.limit
        rows = reg.list_cases(spec_id=args.spec, overdue=args.overdue, past_date=args.late,
                              limit=limit, offset=(args.page - 1) * args.limit if limit else 0)
        for row in rows:
            row["days_left"] = (row["next_due"] - reg.today).days if row["next_due"] else None
            row["flag"] = _flag(row, reg.today)
            row["next_limit_due"] = row.pop("next_limit_sort")
            if row["next_limit_due"] == date.max:
                row["next_limit_due"] = None
        lines = [[str(r["id"]), r["flag"], r["title"], r["regulator"], r["stage"],
                  r["responsible"],
                  (r["next_due"].isoformat() + f" ({days_words(r['days_left'], r['next_due_strength'])})")
                  if r["next_due"] else "-", r["next_due_label"] or ""] for r in rows]
        text = (table(["#", "flag", "title", "regulator", "stage", "responsible", "next deadline",
                       "what"], lines) + "\n") if rows else "no cases\n"
        total = reg.count_cases()
        if limit and not rows and args.page > 1:
            pages = max(1, -(-total // limit))
            raise RegflowError(f"--page {args.page} is past the last page ({pages} page"
                               f"{'s' if pages > 1 else ''} of {limit})")
        if limit and total > len(rows) and not (args.overdue or args.late or args.spec):
            text += (f"page {args.page}: cases {(args.page - 1) * limit + 1}-"
                     f"{(args.page - 1) * limit + len(rows)} of {total} (--page N, or --all)\n")
        _emit(args, rows, text)
        return _damaged(reg)


def show_text(view: CaseView, today: date) -> str:
    case, spec = view.case, view.spec
    out = [f"Case {view.id}: {view.title}",
           f"{spec.process.title} ({spec.process.regulator}; spec {spec.process.id}, "
           f"version {spec.process.version}); opened {case.opened_on.isoformat()}; "
           f"as of {today.isoformat()}; version {view.version}", ""]
    out += where_lines(case) + next_lines(case) + fact_lines(case)
    out += ["", "Timescales"]
    rows = []
    timescales = case.timescales(today)
    for r in timescales:
        status = _status_text(r, today)
        extra = f"\nextended to {r.extended_to} ({r.extension_reason})" if r.extended_to else ""
        rows.append([status, STRENGTH_WORDS[r.strength], r.due.isoformat() if r.due else "-",
                     _left(r), f"{r.label}  [{r.citation}]  ({r.id})" + extra
                     + (f"\n{r.reason}" if r.reason else "")])
    out.append(table(["status", "binding", "due", "left", "timescale  [source]  (id)"], rows))
    out.append(STATUS_KEY)
    out += reading_lines(case, timescales)
    out += ["", "Log (numbers are for 'regflow case correct')"]
    voided = {e.voids_seq: e.seq for e in view.entries if e.kind == "correction"}
    log = []
    for e in view.entries:
        if e.kind == "event":
            what = spec.events[e.event].label + f" ({e.event})"
            if e.facts:
                what += "\nfacts: " + ", ".join(f"{k} = {_fact(v)}" for k, v in e.facts.items())
        elif e.kind == "extension":
            what = f"extension of {e.timescale} to {e.extend_to}"
        else:
            what = f"correction: voids #{e.voids_seq}"
        if e.note:
            what += f"\nnote: {e.note}"
        if e.seq in voided:
            what = f"VOIDED by #{voided[e.seq]}: " + what
        log.append([f"#{e.seq}", e.effective_on.isoformat(),
                    e.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M"), e.actor or "", what])
    out.append(table(["#", "effective", "recorded", "by", "entry"], log) if log else "  nothing yet")
    auto = [h for h in case.history if h.auto]
    if auto:
        out += ["", "Recorded by regflow when due"]
        out += [f"  {h.on.isoformat()}  {spec.events[h.event].label}" for h in auto]
    return "\n".join(out) + "\n"


def show_json(view: CaseView, today: date) -> dict[str, Any]:
    case = view.case
    rows = case.timescales(today)
    return {
        "id": view.id, "title": view.title, "spec": view.spec.process.id,
        "version": view.version, "opened_on": case.opened_on, "finished_on": case.finished_on,
        "active_states": case.active_states, "current_states": case.current_states,
        "available_events": case.available_events(), "facts": case.facts,
        "timescales": [r.as_dict() for r in rows],
        "readings": [r.as_dict() for r in readings(case, rows)],
        "log": [{"seq": e.seq, "kind": e.kind, "event": e.event, "effective_on": e.effective_on,
                 "recorded_at": e.recorded_at, "actor": e.actor, "facts": e.facts,
                 "note": e.note, "voids": e.voids_seq, "timescale": e.timescale,
                 "extend_to": e.extend_to} for e in view.entries],
        "automatic": [{"event": h.event, "on": h.on} for h in case.history if h.auto],
    }


def cmd_show(args) -> int:
    with _open(args) as reg:
        view = reg.get(args.case)
        _emit(args, show_json(view, reg.today), show_text(view, reg.today))
    return 0


# -- changes ----------------------------------------------------------------------------------


def cmd_fire(args) -> int:
    with _open(args, write=True) as reg:
        view = reg.fire(args.case, args.event, args.on or reg.today, _assignments(args.set),
                        actor=_actor(args), note=args.note or "",
                        expect_version=args.expect_version)
        stage = "; ".join(view.spec.states[n].label for n in view.case.current_states)
        print(f"case {view.id}: recorded {args.event} as #{view.version}; now: {stage}")
    return 0


def cmd_correct(args) -> int:
    with _open(args, write=True) as reg:
        view = reg.correct(args.case, args.seq, args.reason, actor=_actor(args),
                           expect_version=args.expect_version)
        print(f"case {view.id}: #{args.seq} voided by #{view.version}; the case was replayed")
    return 0


def cmd_extend(args) -> int:
    with _open(args, write=True) as reg:
        view = reg.extend(args.case, args.timescale, args.to, args.reason, actor=_actor(args),
                          expect_version=args.expect_version)
        print(f"case {view.id}: {args.timescale} extended to {args.to.isoformat()} "
              f"(#{view.version})")
    return 0


def cmd_due(args) -> int:
    with _open(args) as reg:
        within, overdue, limits = args.within, args.overdue or args.late, args.overdue
        if within is None and not overdue:  # plain `regflow due`: what needs attention now
            within, overdue = SOON_DAYS, True
        limit = None if args.all or args.json else DUE_PAGE
        rows = reg.due(within=within, overdue=overdue, limit=limit, limits=limits)
        total = reg.count_due(within=within, overdue=overdue, limits=limits) if limit else len(rows)
        for r in rows:
            r["days_left"] = (r["due"] - reg.today).days if r["due"] else None
        lines = [[r["standing"].upper() if r["standing"] == "overdue" else r["standing"],
                  r["due"].isoformat(), days_words(r["days_left"], r["strength"]), str(r["case_id"]),
                  r["title"],
                  f"{r['label']}  [{r['citation']}; {STRENGTH_WORDS[r['strength']]}]"]
                 for r in rows]
        text = table(["", "due", "left", "case", "title", "timescale  [source; how binding]"],
                     lines) + "\n" if rows else "nothing due\n"
        if total > len(rows):
            text += f"... and {total - len(rows)} more (the earliest {len(rows)} shown; --all)\n"
        _emit(args, rows, text)
        return _damaged(reg)


def _records(path: str):
    """``(file:line, record)`` for each line of a JSON Lines file (see engine.register.records)."""
    from regflow.engine.register.records import read_records

    return read_records(path)


def cmd_import(args) -> int:
    from tqdm import tqdm

    folder = Path(args.file).resolve().parent

    def items():
        for where, record in _records(args.file):
            if not isinstance(record, dict) or "__error__" in record:
                reason = record.get("__error__") if isinstance(record, dict) else "not an object"
                result_problems.append(f"{where}: {reason}")
                continue
            if isinstance(record.get("spec"), str):
                spec, problem = _import_spec(record["spec"], folder)
                if problem:
                    result_problems.append(f"{where}: {problem}")
                    continue
                record = {**record, "spec": spec}
            yield where, record

    result_problems: list[str] = []
    with _open(args, create=True) as reg, tqdm(unit=" events", file=sys.stderr,
                                  disable=args.quiet or None) as bar:
        def progress(_cases: int, events_done: int) -> None:
            bar.update(events_done - bar.n)

        result = reg.import_cases(items(), batch=args.batch, progress=progress,
                                  workers=args.workers)
    problems = sorted(result_problems + result.problems, key=_line_order)
    for line in sorted(result.skipped, key=_line_order):
        print(line)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"imported {result.cases} cases with {result.events} events"
          + (f"; {len(result.skipped)} already in the register" if result.skipped else "")
          + (f"; {len(problems)} record(s) with problems not imported" if problems else ""))
    return 1 if problems else 0


def _line_order(message: str) -> tuple[int, str]:
    match = re.search(r":(\d+)", message)
    return (int(match.group(1)) if match else 0, message)


# -- demo -------------------------------------------------------------------------------------


def cmd_demo(args) -> int:
    """A sample register: the example scenarios, moved in time so they are under way today."""
    with _open(args, create=True) as reg:
        make_demo(reg, report=print)
        print(f"\ndemo register ready: regflow case list{' --db ' + args.db if args.db else ''}")
    return 0


def _guarded(command):
    """A register command whose database or file system errors become messages."""

    @functools.wraps(command)
    def run(args) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return command(args)
        except SQLAlchemyError as err:
            refused = refused_write(err)
            if refused:
                raise RegflowError(refused) from None
            detail = str(getattr(err, "orig", err)).splitlines()[0]
            raise RegflowError(f"the register could not be read or written ({detail}); the "
                               "change under way was not saved") from None
        except OSError as err:
            where = f"{err.filename}: " if err.filename else ""
            raise RegflowError(f"{where}{err.strerror or err}") from None

    return run


def add_register_options(p, json_flag: bool = False) -> None:
    """``--db`` (and ``--today``, for tests; ``--json`` with ``json_flag``)."""
    p.add_argument("--db", metavar="URL", help="register database: a SQLAlchemy URL or a "
                   "file path (default: register.db in your data folder)")
    p.add_argument("--today", type=_date, metavar="DATE", help=argparse.SUPPRESS)
    if json_flag:
        p.add_argument("--json", action="store_true", help="print JSON for tools")


def add_commands(sub) -> None:
    common = add_register_options

    case = sub.add_parser("case", help="open, track and correct stored cases")
    csub = case.add_subparsers(dest="case_command", required=True, metavar="ACTION")

    p = csub.add_parser("new", help="open a case of a spec, or of a rule variant")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--spec", metavar="SPEC", help="a spec file (a variant file too: one that "
                       "extends another) or a shipped spec id, e.g. ciw_2019")
    which.add_argument("--variant", metavar="NAME", help="a rule variant offered by a plugin, "
                       "e.g. swia_proportionate (regflow plugins lists them)")
    p.add_argument("--title", required=True)
    p.add_argument("--on", type=_date, metavar="DATE", help="opening date (default: today)")
    p.add_argument("--set", action="append", metavar="FACT=VALUE", help="starting facts")
    common(p)
    p.set_defaults(func=_guarded(cmd_new))

    p = csub.add_parser("list", help="every case, next deadline first")
    p.add_argument("--spec", metavar="SPEC_ID", help="only cases of this spec id (e.g. ciw_2019)")
    p.add_argument("--overdue", action="store_true",
                   help="only cases with a limit passed (a breach: 'must', 'within')")
    p.add_argument("--late", action="store_true", help="only cases with any obligation past its "
                   "date (limits, and 'normally' or target dates passed)")
    p.add_argument("--limit", type=_count, default=100, help="cases a page (default 100)")
    p.add_argument("--page", type=_count, default=1, help="which page (default 1)")
    p.add_argument("--all", action="store_true", help="every case on one page")
    common(p, json_flag=True)
    p.set_defaults(func=_guarded(cmd_list))

    p = csub.add_parser("show", help="a case's state, facts, timescales and log")
    p.add_argument("case", type=_case_number, metavar="CASE")
    common(p, json_flag=True)
    p.set_defaults(func=_guarded(cmd_show))

    for name, helptext, func in (("fire", "record an event that has happened", cmd_fire),
                                 ("correct", "void a wrongly recorded entry", cmd_correct),
                                 ("extend", "extend a timescale the source allows to extend",
                                  cmd_extend)):
        p = csub.add_parser(name, help=helptext)
        p.add_argument("case", type=_case_number, metavar="CASE")
        if name == "fire":
            p.add_argument("event", metavar="EVENT")
            p.add_argument("--on", type=_date, metavar="DATE",
                           help="when it happened (default: today; never later)")
            p.add_argument("--set", action="append", metavar="FACT=VALUE",
                           help="facts the event sets")
            p.add_argument("--note", help="a note for the record")
        elif name == "correct":
            p.add_argument("seq", type=int, metavar="SEQ", help="the entry's number (case show)")
            p.add_argument("--reason", required=True)
        else:
            p.add_argument("timescale", metavar="TIMESCALE", help="the timescale's id (case show)")
            p.add_argument("--to", required=True, type=_date, metavar="DATE")
            p.add_argument("--reason", required=True)
        p.add_argument("--actor", help="who records it (default: your user name)")
        p.add_argument("--expect-version", type=_version, metavar="N",
                       help="refuse if the case is no longer at version N")
        common(p)
        p.set_defaults(func=_guarded(func))

    p = sub.add_parser("due", help="timescales past their date or due soon, across all cases "
                       f"(default: past their date, and due within {SOON_DAYS} days)")
    p.add_argument("--within", type=_days, metavar="DAYS", help="due within e.g. 14d or 2w")
    p.add_argument("--overdue", action="store_true",
                   help="limits passed (breaches) only")
    p.add_argument("--late", action="store_true", help="every obligation past its date: limits "
                   "(overdue), the normal arrangement (later than normal), targets (behind target)")
    p.add_argument("--all", action="store_true", help=f"every row, not the first {DUE_PAGE}")
    common(p, json_flag=True)
    p.set_defaults(func=_guarded(cmd_due))

    p = sub.add_parser("import", help="open many cases from a JSON Lines file (one case a line)")
    p.add_argument("file", metavar="FILE.jsonl")
    p.add_argument("--batch", type=_count, default=500, help="cases per transaction (default 500)")
    p.add_argument("--workers", type=_count, metavar="N",
                   help="processes that run the engine (default: one per core, at most 4)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    common(p)
    p.set_defaults(func=_guarded(cmd_import))

    p = sub.add_parser("demo", help="make a sample register for a first look")
    common(p)
    p.set_defaults(func=_guarded(cmd_demo))
