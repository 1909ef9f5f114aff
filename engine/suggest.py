"""Did-you-mean suggestions for names a person mistyped."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name closest to ``word``, or None when nothing is close enough.

    Similarity is difflib's ratio, with a small bonus for a shared beginning: people mistype
    the end of a name more often than its start.
    """
    best, best_score = None, cutoff
    for choice in choices:
        score = difflib.SequenceMatcher(None, word, choice).ratio()
        if score < cutoff:
            continue
        prefix = next((i for i, (a, b) in enumerate(zip(word, choice, strict=False)) if a != b),
                      min(len(word), len(choice)))
        score += 0.1 * min(prefix, 4) / 4
        if score > best_score:
            best, best_score = choice, score
    return best


def quoted(word: str | None) -> str | None:
    return f"'{word}'" if word else None
