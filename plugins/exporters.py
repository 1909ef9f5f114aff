"""Built-in exporters: ``dot`` (the source), ``svg``, ``png`` and ``pdf`` (through Graphviz).

Registered as a plugin through :func:`regflow.plugins.hookspecs.regflow_exporters`, exactly as a
third-party exporter would be.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from regflow.engine.drawing.diagram import Highlight, diagram_source
from regflow.engine.errors import RegflowError
from regflow.engine.spec.model import Spec

from .manager import hookimpl, plugin_manager


class ExportError(RegflowError):
    """An export that cannot be written (unknown format, Graphviz missing, unwritable path)."""


@dataclass(frozen=True)
class Exporter:
    name: str
    suffix: str
    description: str
    export: Callable[[Spec, Path, Highlight | None, str | None], None]


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
        Exporter("svg", ".svg", "Scalable vector drawing (Graphviz)", _graphviz_writer("svg")),
        Exporter("png", ".png", "Bitmap picture (Graphviz)", _graphviz_writer("png")),
        Exporter("pdf", ".pdf", "PDF document (Graphviz)", _graphviz_writer("pdf")),
    ]


def exporters() -> dict[str, Exporter]:
    """Every exporter from every plugin, by name (a later registration wins)."""
    found: dict[str, Exporter] = {}
    for batch in reversed(plugin_manager().hook.regflow_exporters()):
        for exporter in batch:
            found[exporter.name] = exporter
    return found


def export(spec: Spec, path: str | Path, fmt: str | None = None,
           highlight: Highlight | None = None, focus: str | None = None) -> Exporter:
    """Write ``spec``'s diagram to ``path``; the format is ``fmt`` or the path's suffix.

    The file is written to a temporary name first and moved into place, so a failed export
    never leaves a half-written file.
    """
    path = Path(path)
    if focus is not None and not spec.is_compound(focus):
        from regflow.engine.suggest import closest

        compound = [n for n in spec.states if spec.is_compound(n)]
        if not compound:
            raise ExportError(f"--focus needs a state that contains others; "
                              f"{spec.process.id} has none, so draw it whole")
        near = closest(focus, compound)
        hint = f" (did you mean '{near}'?)" if near else ""
        raise ExportError(f"'{focus}' is not a state that contains others{hint}; "
                          f"choose one of: {', '.join(compound)}")
    available = exporters()
    if fmt is None and str(path) == "-":
        raise ExportError("writing to standard output ('-o -') needs --format "
                          f"({', '.join(sorted(available))})")
    if fmt is None:
        by_suffix = {e.suffix: e for e in available.values()}
        exporter = by_suffix.get(path.suffix.lower())
        if exporter is None:
            raise ExportError(f"cannot tell the format of '{path}' from its suffix; use one of "
                              f"{', '.join(sorted(by_suffix))} or --format "
                              f"({', '.join(sorted(available))})")
    else:
        exporter = available.get(fmt)
        if exporter is None:
            raise ExportError(f"unknown format '{fmt}'; available: {', '.join(sorted(available))}")
        other = next((e for e in available.values()
                      if e.suffix == path.suffix.lower() and e.name != exporter.name), None)
        if other is not None:
            raise ExportError(f"'{path}' ends in {path.suffix} but --format {fmt} writes "
                              f"{exporter.description.split(' (')[0].lower()}; name it "
                              f"'{path.with_suffix(exporter.suffix).name}' or drop --format")
    if str(path) == "-":
        with tempfile.TemporaryDirectory() as folder:
            scratch = Path(folder) / f"diagram{exporter.suffix}"
            exporter.export(spec, scratch, highlight, focus)
            sys.stdout.buffer.write(scratch.read_bytes())
            sys.stdout.flush()
        return exporter
    target = path.resolve()  # write through a symbolic link, not over it
    if target.exists() and not target.is_file():
        raise ExportError(f"'{path}' is not a regular file (a folder or a device); "
                          "choose a file name")
    if not target.parent.is_dir():
        raise ExportError(f"folder '{path.parent}' does not exist")
    partial = target.with_name(f".{target.name}.partial")
    try:
        exporter.export(spec, partial, highlight, focus)
        partial.replace(target)
    except OSError as err:
        raise ExportError(f"cannot write '{path}': {err.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    return exporter
