"""Where each key of a TOML file stands, so problems can be reported as ``file:line:column``.

``tomllib`` gives values without positions. This module walks the same text once more and
records, for every key path (``("transitions", 3, "to")``), the line and column of its value.
It runs only on text that ``tomllib`` has already accepted, so it can be lenient.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
import tomllib
from collections import defaultdict

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """``("transitions", 3, "to")`` -> ``transitions[3].to``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            plain = part.replace("_", "").replace("-", "")
            text = part if plain.isascii() and plain.isalnum() else json.dumps(part,
                                                                               ensure_ascii=False)
            out += ("." if out else "") + text
    return out


_PATH_PART = re.compile(r'\[(\d+)\]|\.?("(?:[^"\\]|\\.)*"|[^.\[]+)')


def parse_path(text: str) -> Path:
    """The key path a :func:`format_path` text names: ``transitions[3].to`` ->
    ``("transitions", 3, "to")`` (so that a problem can lead back to the value it concerns)."""
    path: list[str | int] = []
    for index, key in _PATH_PART.findall(text):
        if index:
            path.append(int(index))
        elif key.startswith('"'):
            path.append(json.loads(key))
        else:
            path.append(key)
    return tuple(path)


def _key_text(quoted: str) -> str:
    """The key a quoted TOML key stands for (escapes read as TOML reads them)."""
    if quoted.startswith("'"):
        return quoted[1:-1]
    try:
        (key,) = tomllib.loads(f"{quoted} = 0")
        return key
    except (tomllib.TOMLDecodeError, ValueError):
        return quoted[1:-1]


class SourceMap:
    """Line and column (1-based) of each key path in one TOML text.

    The text is scanned on first need: a file with no problems is never scanned.
    """

    def __init__(self, text: str):
        self._text = text
        self._n = len(text)
        self._i = 0
        self._scanned: dict[Path, tuple[int, int]] | None = None
        self._array_counts: dict[Path, int] = defaultdict(int)

    @property
    def positions(self) -> dict[Path, tuple[int, int]]:
        if self._scanned is None:  # built aside, then published whole (specs are shared
            # between threads)
            self._found: dict[Path, tuple[int, int]] = {}
            self._i = 0
            self._array_counts.clear()
            self._line_starts = [0, *(m.end() for m in re.finditer("\n", self._text))]
            # text the scanner does not follow (it ended early, or a case this lenient reader
            # misses): keep the positions found so far; problems fall back to their key path
            with contextlib.suppress(IndexError, ValueError, RecursionError):
                self._document()
            self._scanned = self._found
        return self._scanned

    def locate(self, path: Path) -> tuple[int, int] | None:
        """Position of ``path``, or of its nearest parent that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return None

    # -- scanning -------------------------------------------------------------------------------

    def _where(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, index) - 1
        return line + 1, index - self._line_starts[line] + 1

    def _record(self, path: Path, index: int) -> None:
        self._found.setdefault(path, self._where(index))

    def _skip(self, newlines: bool = True) -> None:
        s = self._text
        while self._i < self._n:
            c = s[self._i]
            if c in " \t\r" or (newlines and c == "\n"):
                self._i += 1
            elif c == "#":
                end = s.find("\n", self._i)
                self._i = self._n if end < 0 else end
            else:
                return

    def _document(self) -> None:
        s, table = self._text, ()
        while True:
            self._skip()
            if self._i >= self._n:
                return
            start = self._i
            if s.startswith("[[", self._i):
                self._i += 2
                key = self._resolve(self._key())
                self._i = s.index("]]", self._i) + 2
                index = self._array_counts[key]
                self._array_counts[key] += 1
                table = (*key, index)
                self._record(table, start)
            elif s[self._i] == "[":
                self._i += 1
                key = self._resolve(self._key())
                self._i = s.index("]", self._i) + 1
                table = key
                self._record(table, start)
            else:
                key = self._key()
                self._skip(newlines=False)
                self._i += 1  # '='
                self._skip(newlines=False)
                self._value((*table, *key))

    def _resolve(self, key: tuple[str, ...]) -> Path:
        """A table header's path: below an array of tables (``[[a]]`` then ``[a.b]``) it
        names the array's latest table (``a[0].b``)."""
        out: list[str | int] = []
        for part in key[:-1]:
            out.append(part)
            count = self._array_counts.get(tuple(out))
            if count:
                out.append(count - 1)
        return (*out, *key[-1:])

    def _key(self) -> tuple[str, ...]:
        s, parts = self._text, []
        while True:
            self._skip(newlines=False)
            c = s[self._i]
            if c in "\"'":
                end = self._string_end(self._i)
                parts.append(_key_text(s[self._i : end]))
                self._i = end
            else:
                start = self._i
                while self._i < self._n and (s[self._i].isalnum() or s[self._i] in "_-"):
                    self._i += 1
                parts.append(s[start : self._i])
            self._skip(newlines=False)
            if self._i < self._n and s[self._i] == ".":
                self._i += 1
                continue
            return tuple(parts)

    def _string_end(self, i: int) -> int:
        """Index just past the string starting at ``i``."""
        s = self._text
        if s.startswith("'''", i):  # literal: no escapes
            j = s.index("'''", i + 3)
            while s.startswith("'", j + 3):  # a closing run may hold up to two extra quotes
                j += 1
            return j + 3
        if s.startswith('"""', i):
            j = i + 3
            while not s.startswith('"""', j):
                j += 2 if s[j] == "\\" else 1  # an escape (\\, \", or a line-ending \)
            while s.startswith('"', j + 3):
                j += 1
            return j + 3
        if s[i] == "'":
            return s.index("'", i + 1) + 1
        j = i + 1
        while s[j] != '"':
            j += 2 if s[j] == "\\" else 1
        return j + 1

    def _value(self, path: Path) -> None:
        s = self._text
        self._record(path, self._i)
        c = s[self._i]
        if c in "\"'":
            self._i = self._string_end(self._i)
        elif c == "[":
            self._i += 1
            index = 0
            while True:
                self._skip()
                if s[self._i] == "]":
                    self._i += 1
                    return
                self._value((*path, index))
                index += 1
                self._skip()
                if s[self._i] == ",":
                    self._i += 1
        elif c == "{":
            self._i += 1
            while True:
                self._skip()
                if s[self._i] == "}":
                    self._i += 1
                    return
                key = self._key()
                self._skip()
                self._i += 1  # '='
                self._skip()
                self._value((*path, *key))
                self._skip()
                if s[self._i] == ",":
                    self._i += 1
        else:
            while self._i < self._n and s[self._i] not in ",]}\n#":
                self._i += 1
