"""Slow work off the UI thread: run a function in Qt's thread pool, report back on the UI thread.

A progress dialog appears only if the work takes longer than a moment, so quick tasks do not
flash a window; the UI stays responsive meanwhile. If the window that asked is gone when the
work ends (closed meanwhile), the result is handed to ``orphan`` (e.g. to close a register).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals):
        super().__init__()
        self.fn, self.signals = fn, signals

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as err:  # reported to the UI thread, which shows it in a dialog
            self.signals.failed.emit(err)
        else:
            self.signals.done.emit(result)


#: tasks under way (their signal objects, kept alive here rather than by a widget)
running: set[_Signals] = set()


def wait_for_tasks(ms: int = 30_000) -> bool:
    """Let running tasks finish (before the app quits); False if some did not in time."""
    return QThreadPool.globalInstance().waitForDone(ms)


def run_task(parent: QWidget, label: str, fn: Callable[[], Any],
             on_done: Callable[[Any], None], on_error: Callable[[Exception], None],
             progress: bool = True, orphan: Callable[[Any], None] | None = None) -> None:
    """Run ``fn()`` in the thread pool; ``on_done(result)`` or ``on_error(exception)`` is then
    called on the UI thread, if ``parent`` still exists (else ``orphan(result)``). ``label``
    says what is happening while it runs."""
    signals = _Signals()  # no parent: the worker may emit after the window is gone
    dialog = None
    if progress:
        dialog = QProgressDialog(label, "", 0, 0, parent)
        dialog.setCancelButton(None)
        dialog.setWindowTitle("regflow")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(600)

    def finish() -> bool:
        running.discard(signals)
        signals.deleteLater()
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.reset()
            dialog.deleteLater()
        return shiboken6.isValid(parent)

    def done(result: Any) -> None:
        if finish():
            on_done(result)
        elif orphan is not None:
            orphan(result)

    def failed(err: Exception) -> None:
        if finish():
            on_error(err)

    signals.done.connect(done, Qt.ConnectionType.QueuedConnection)
    signals.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
    running.add(signals)
    QThreadPool.globalInstance().start(_Job(fn, signals))
