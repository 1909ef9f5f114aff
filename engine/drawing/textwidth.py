"""How wide Graphviz draws a line of text, without Graphviz and without a GUI toolkit.

The diagram's font is Helvetica, which Graphviz finds as Liberation Sans or Arial (the same
widths by design). The widths below are those of Helvetica's Adobe font metrics (thousandths
of the font size), which Graphviz itself uses when it has to estimate text
(``estimate_textspan_size``); :data:`SCALE` is how much wider than that estimate Graphviz's
text layout (pango) draws the same line at most, measured on its own drawings of the CIW spec (1.10 to
1.19 times, see the test): wide enough that text never spills out of a box drawn for it.
"""

from __future__ import annotations

_ASCII = (  # ' ' (32) to '~' (126)
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)
_OTHER = {"\u00a0": 278, "•": 350, "‘": 222, "’": 222, "“": 333, "”": 333, "–": 556,
          "—": 1000, "…": 1000}
_WIDE = 1000  # symbols drawn from another font (✎, ⚠, ◷): about a square each
SCALE = 1.19


def text_width(line: str, size: float) -> float:
    """The width in points of ``line`` set in Helvetica at ``size`` points."""
    total = 0
    for char in line:
        code = ord(char)
        if 32 <= code <= 126:
            total += _ASCII[code - 32]
        elif char in _OTHER:
            total += _OTHER[char]
        elif code < 0x2000:
            total += 556  # accented letters: as wide as the letter they accent, about
        else:
            total += _WIDE
    return total * size / 1000 * SCALE
