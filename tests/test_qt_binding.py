"""The Qt binding regflow runs on must not lose references to None.

PySide6 6.12.0 drops one reference to None on most calls that return nothing; on Python 3.11
(where None is not immortal) the app then aborts ("none_dealloc") after a few dozen case views.
pyproject.toml excludes that version; this test catches it, or a release like it, at once.
"""

import sys

from PySide6.QtWidgets import QTableWidgetItem


def test_qt_calls_do_not_lose_references_to_none(qapp):
    item = QTableWidgetItem("x")
    before = sys.getrefcount(None)
    for _ in range(2000):
        item.setToolTip("tip")
        item.setData(256, None)
    assert sys.getrefcount(None) >= before - 50
