"""Slow work off the UI thread: run a function in Qt's thread pool, report back on the UI thread.

A progress dialog appears only if the work takes longer than a moment, so quick tasks do not
flash a window; the UI stays responsive meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


#: tasks under way; tests and --screenshot wait until none is left
running: set[_Signals] = set()


def run_task(parent: QWidget, label: str, fn: Callable[[], Any],
             on_done: Callable[[Any], None], on_error: Callable[[Exception], None],
             progress: bool = True) -> None:
    """Run ``fn()`` in the thread pool; ``on_done(result)`` or ``on_error(exception)`` is then
    called on the UI thread. ``label`` says what is happening while it runs."""
    signals = _Signals(parent)
    dialog = None
    if progress:
        dialog = QProgressDialog(label, "", 0, 0, parent)
        dialog.setCancelButton(None)
        dialog.setWindowTitle("regflow")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(600)

    def finish() -> None:
        running.discard(signals)
        if dialog is not None:
            dialog.reset()
            dialog.deleteLater()
        signals.deleteLater()

    def done(result: Any) -> None:
        finish()
        on_done(result)

    def failed(err: Exception) -> None:
        finish()
        on_error(err)

    signals.done.connect(done, Qt.ConnectionType.QueuedConnection)
    signals.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
    running.add(signals)
    QThreadPool.globalInstance().start(_Job(fn, signals))
