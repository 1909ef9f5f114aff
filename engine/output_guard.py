"""One guard for every file regflow writes (a rendered diagram, a screenshot, settings).

An output must never land on something a person keeps: the command's own inputs (found through
hard links and symbolic links too, by comparing the files themselves, not their names), a
register (any SQLite database), a spec or a scenario (TOML), or an import file (JSON Lines).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import RegflowError

_SQLITE_MAGIC = b"SQLite format 3\x00"
_KEPT_SUFFIXES = {".toml": "a spec or scenario (TOML)", ".jsonl": "an import file (JSON Lines)",
                  ".db": "a register", ".sqlite": "a register", ".sqlite3": "a register"}


def check_output(output: str | os.PathLike[str], inputs=(), what: str = "output") -> None:
    """Refuse to write ``output`` over one of ``inputs`` or over a file worth keeping.

    ``inputs`` are paths (or None, skipped); a register URL that is not a file is skipped too.
    Raises :class:`RegflowError` saying which file it would have overwritten.
    """
    target = Path(output)
    for given in inputs:
        if given is None:
            continue
        source = Path(str(given).removeprefix("sqlite:///"))
        if _same(target, source):
            raise RegflowError(f"{what} '{target}' is the same file as the input '{given}'; "
                               "choose another name (nothing was written)")
    try:
        kind = _kept_kind(target, target.exists())
    except OSError as err:
        raise RegflowError(f"cannot write {what} {target}: {err.strerror}") from None
    if kind:
        raise RegflowError(f"{what} '{target}' is {kind}; regflow does not write over it: "
                           "choose another name (nothing was written)")


def _same(a: Path, b: Path) -> bool:
    """The same file, whatever the names (symbolic links, hard links, '..' in paths)."""
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _kept_kind(target: Path, exists: bool) -> str:
    """What an existing ``target`` is if it is worth keeping (else "")."""
    if not exists:
        return ""
    resolved = target.resolve()
    named = _KEPT_SUFFIXES.get(resolved.suffix.lower()) or _KEPT_SUFFIXES.get(
        target.suffix.lower())
    if named:
        return named
    if not resolved.is_file():
        return "not a regular file (a folder or a device)"
    # a look at the first bytes through stat and a read; SQLite's own locks are never held on
    # an output, so reading it here is safe
    if resolved.stat().st_size >= len(_SQLITE_MAGIC):
        with resolved.open("rb") as handle:
            if handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC:
                return "a database (perhaps a register)"
    return ""
