"""TOML syntax errors in words a policy officer can act on.

The TOML parser says what it expected ("Expected newline or end of document after a
statement", "Invalid value"); a person editing a spec needs to know what to write instead.
:func:`advice` looks at the line the parser stopped on and says that, with the line fixed
where it can: ``within = 30 working days`` -> put the text in quotes.
"""

from __future__ import annotations

import re

_CURLY = "“”‘’„«»"
_DATE_LIKE = re.compile(r"(?<![\w\"'])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w\"'])")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_\-\".]+)\s*=\s*(.*?)\s*$")
_BARE_WORDS = re.compile(r"^[A-Za-z0-9][\w\- ,.'()]*$")


def advice(message: str, line_text: str) -> str:
    """What to do about a TOML syntax error ``message`` on ``line_text`` ("" if nothing
    better than the parser's own words can be said)."""
    if any(c in line_text for c in _CURLY):
        fixed = line_text.strip()
        for c in _CURLY:
            fixed = fixed.replace(c, '"' if c in "“”„«»" else "'")
        return f"use straight quotes (\" or '), not typographic ones: {fixed}"
    date = _DATE_LIKE.search(line_text)
    if date and (len(date.group(2)) == 1 or len(date.group(3)) == 1):
        y, m, d = date.groups()
        return f"write dates as YYYY-MM-DD with two-digit months and days: {y}-{int(m):02d}-{int(d):02d}"
    pair = _KEY_VALUE.match(line_text)
    if pair:
        key, value = pair.groups()
        if value.count('"') % 2 == 1 or (value.startswith("'") and value.count("'") % 2 == 1):
            quote = '"' if value.count('"') % 2 == 1 else "'"
            return f"close the quote: the text starts with {quote} and needs one at its end too"
        if value and value[0] not in "\"'[{" and not _is_toml_scalar(value) \
                and _BARE_WORDS.match(value):
            return f"put the text in quotes: {key} = \"{value}\""
        if not value:
            return f"give {key} a value after the = sign (text in quotes, e.g. {key} = \"...\")"
    if "Invalid statement" in message or "Expected '=' after a key" in message:
        return "each line is key = value; text values go in quotes"
    return ""


def _is_toml_scalar(value: str) -> bool:
    """A bare value TOML reads: a number, true/false, a date, an inline table or array."""
    if value in ("true", "false"):
        return True
    if re.fullmatch(r"[+-]?(\d[\d_]*)(\.\d+)?([eE][+-]?\d+)?", value):
        return True
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ][\d:.]+)?", value))
