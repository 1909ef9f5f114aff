"""Exporters and how files are written: the Graphviz diagram exporters ``dot`` (the source),
``svg``, ``png`` and ``pdf`` (built-in, registered through
:func:`regflow.plugins.hookspecs.regflow_exporters` exactly as a third-party exporter would be),
and :func:`export` / :func:`export_subject`, which every command and the app write through.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from regflow.engine.drawing.diagram import Highlight, diagram_source
from regflow.engine.errors import RegflowError
from regflow.engine.spec.model import Spec

from .manager import call_each, hookimpl


class ExportError(RegflowError):
    """An export that cannot be written (unknown format, Graphviz missing, unwritable path)."""


SUBJECTS = ("spec", "case", "register")


@dataclass(frozen=True)
class Exporter:
    """One output format for one subject (see the ``regflow_exporters`` hook for the calls).

    ``options``: the optional arguments the exporter honours (``highlight``, ``focus`` for a
    spec); regflow refuses the others rather than silently ignoring them."""

    name: str
    suffix: str
    description: str
    export: Callable[..., list[str] | None]
    subject: str = "spec"
    options: tuple[str, ...] = ("highlight", "focus")
    plugin: str = ""  # filled in by regflow: who provides it, for messages


DOT_MISSING = (
    "Graphviz's 'dot' program is needed to write {fmt}. Install it: "
    "sudo apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS), "
    "winget install graphviz (Windows); or write .dot and render it elsewhere."
)


def render_bytes(spec: Spec, fmt: str, highlight: Highlight | None = None,
                 focus: str | None = None) -> bytes:
    """The diagram rendered by Graphviz to ``fmt`` (svg, png, pdf)."""
    import graphviz

    if shutil.which("dot") is None:
        raise ExportError(DOT_MISSING.format(fmt=fmt.upper()))
    failure = None
    for clip in (True, False):  # Graphviz sometimes fails on arrows clipped at cluster frames
        source = graphviz.Source(diagram_source(spec, highlight, focus=focus, clip=clip))
        try:
            return source.pipe(format=fmt, quiet=True)  # layout warnings are not the user's
        except graphviz.CalledProcessError as err:
            failure = err
    detail = (failure.stderr or b"").decode(errors="replace").strip().splitlines()
    raise ExportError(f"Graphviz could not lay out {spec.process.id} "
                      f"({detail[-1] if detail else 'no detail'}); write .dot and try "
                      "another Graphviz version, or use --focus to draw one part")


def _write_dot(spec: Spec, path: Path, highlight: Highlight | None, focus: str | None) -> None:
    path.write_text(diagram_source(spec, highlight, focus=focus), encoding="utf-8")


def _graphviz_writer(fmt: str):
    def write(spec: Spec, path: Path, highlight: Highlight | None, focus: str | None) -> None:
        path.write_bytes(render_bytes(spec, fmt, highlight, focus))

    return write


@hookimpl
def regflow_exporters():
    return [
        Exporter("dot", ".dot", "Graphviz DOT source (no Graphviz needed)", _write_dot),
        # the GUI and tests call render_bytes directly; these four make it a file
        Exporter("svg", ".svg", "Scalable vector drawing (Graphviz)", _graphviz_writer("svg")),
        Exporter("png", ".png", "Bitmap picture (Graphviz)", _graphviz_writer("png")),
        Exporter("pdf", ".pdf", "PDF document (Graphviz)", _graphviz_writer("pdf")),
    ]


def exporters(subject: str = "spec") -> dict[str, Exporter]:
    """Every exporter of ``subject`` from every plugin, by name (a later registration wins)."""
    found: dict[str, Exporter] = {}
    for plugin, batch in reversed(call_each("regflow_exporters", "its export formats are not "
                                            "available")):
        for exporter in batch:
            if isinstance(exporter, Exporter) and exporter.subject == subject:
                found[exporter.name] = replace(exporter, plugin=plugin)
    return found


def all_exporters() -> list[Exporter]:
    """Every exporter, spec ones first (for ``regflow plugins`` and menus)."""
    return [e for subject in SUBJECTS for e in exporters(subject).values()]


def export(spec: Spec, path: str | Path, fmt: str | None = None,
           highlight: Highlight | None = None, focus: str | None = None) -> Exporter:
    """Write ``spec`` to ``path`` (its diagram, or another spec format); the format is ``fmt``
    or the path's suffix. See :func:`export_subject`."""
    return export_subject("spec", spec, path, fmt, highlight=highlight, focus=focus)[0]


def export_subject(subject: str, target: Any, path: str | Path, fmt: str | None = None,
                   **options: Any) -> tuple[Exporter, list[str]]:
    """Write ``target`` (a spec, a case view or the register: ``subject``) to ``path`` with
    the exporter named ``fmt`` (default: the one whose suffix ``path`` has); return it and the
    warnings it gave (e.g. guards it could not translate).

    The file is written to a temporary name first and moved into place, so a failed export
    never leaves a half-written file; an exporter that raises is named in the error.
    """
    path = Path(path)
    if subject == "spec" and options.get("focus") is not None:
        _check_focus(target, options["focus"])
    exporter = choose_exporter(subject, path, fmt)
    given = [k for k, v in options.items() if v is not None and k != "today"]
    refused = [k for k in given if k not in exporter.options]
    if refused:
        flag = {"highlight": "--scenario"}.get(refused[0], f"--{refused[0]}")
        raise ExportError(f"the {exporter.name} format does not take {flag}; it writes the "
                          "whole spec")
    if subject == "spec":
        args = (target, options.get("highlight"), options.get("focus"))
    else:
        args = (target, options.get("today"))
    if str(path) == "-":
        with tempfile.TemporaryDirectory() as folder:
            scratch = Path(folder) / f"export{exporter.suffix}"
            warnings = _run(exporter, scratch, args)
            sys.stdout.buffer.write(scratch.read_bytes())
            sys.stdout.flush()
        return exporter, warnings
    final = path.resolve()  # write through a symbolic link, not over it
    if final.exists() and not final.is_file():
        raise ExportError(f"'{path}' is not a regular file (a folder or a device); "
                          "choose a file name")
    if not final.parent.is_dir():
        raise ExportError(f"folder '{path.parent}' does not exist")
    partial = final.with_name(f".{final.name}.partial")
    try:
        warnings = _run(exporter, partial, args)
        partial.replace(final)
    except OSError as err:
        raise ExportError(f"cannot write '{path}': {err.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    return exporter, warnings


def _run(exporter: Exporter, path: Path, args: tuple) -> list[str]:
    target, *rest = args
    try:
        warnings = exporter.export(target, path, *rest)
    except (RegflowError, OSError):
        raise
    except Exception as err:  # someone else's code: name it, keep nothing it wrote
        raise ExportError(f"the {exporter.name} exporter of plugin '{exporter.plugin}' failed "
                          f"({type(err).__name__}: {err}); nothing was written") from None
    return [str(w) for w in warnings] if isinstance(warnings, list | tuple) else []


def _check_focus(spec: Spec, focus: str) -> None:
    if spec.is_compound(focus):
        return
    from regflow.engine.suggest import closest

    compound = [n for n in spec.states if spec.is_compound(n)]
    if not compound:
        raise ExportError(f"--focus needs a state that contains others; "
                          f"{spec.process.id} has none, so draw it whole")
    near = closest(focus, compound)
    hint = f" (did you mean '{near}'?)" if near else ""
    raise ExportError(f"'{focus}' is not a state that contains others{hint}; "
                      f"choose one of: {', '.join(compound)}")


def choose_exporter(subject: str, path: Path, fmt: str | None) -> Exporter:
    """The exporter named ``fmt``, else the one for ``path``'s suffix; a clear error if none
    fits or the two disagree."""
    available = exporters(subject)
    names = ", ".join(sorted(available)) or "none installed"
    if fmt is None and str(path) == "-":
        raise ExportError(f"writing to standard output ('-o -') needs --format ({names})")
    name = path.name.lower()
    # the longest suffix that fits wins: 'x.states.json' is '.states.json' before '.json'
    fitting = sorted((e for e in available.values() if name.endswith(e.suffix.lower())),
                     key=lambda e: len(e.suffix), reverse=True)
    if fmt is None:
        if not fitting:
            suffixes = sorted({e.suffix for e in available.values()})
            raise ExportError(f"cannot tell the format of '{path}' from its suffix; use one of "
                              f"{', '.join(suffixes)} or --format ({names})")
        return fitting[0]
    exporter = available.get(fmt)
    if exporter is None:
        elsewhere = [s for s in SUBJECTS if s != subject and fmt in exporters(s)]
        hint = f" ({fmt} exports a {' or a '.join(elsewhere)})" if elsewhere else ""
        raise ExportError(f"unknown format '{fmt}' for a {subject}{hint}; available: {names}")
    if not name.endswith(exporter.suffix.lower()) and fitting:
        raise ExportError(f"'{path}' ends in {fitting[0].suffix} but the {fmt} format writes "
                          f"{exporter.description.split(' (')[0].lower()}; name it "
                          f"'{path.with_suffix(exporter.suffix).name}' or use the "
                          f"{fitting[0].name} format")
    return exporter
