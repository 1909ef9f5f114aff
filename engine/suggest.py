"""Did-you-mean suggestions for names a person mistyped."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name closest to ``word``, or None when nothing is close enough."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def quoted(word: str | None) -> str | None:
    return f"'{word}'" if word else None
