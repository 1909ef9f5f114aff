"""Starting the desktop app: ``regflow gui [--db URL] [--screenshot PATH [--case N]]``."""

from __future__ import annotations

import os
import sys
import threading
import traceback
from datetime import date
from pathlib import Path

from regflow.engine.errors import RegflowError
from regflow.engine.output_guard import check_output

SCREENSHOT_TIMEOUT_MS = 60_000


def _qt_missing_message(err: Exception) -> str:
    return (f"the desktop app cannot start: {err}. Qt's system libraries are missing; on "
            "Debian/Ubuntu: sudo apt-get install -y libegl1 libgl1 libxkbcommon0 libdbus-1-3 "
            "libglib2.0-0 libfontconfig1 (or run 'make run', which installs them as root)")


def settings_for(path: str | os.PathLike[str] | None):
    """Where the app remembers its layout and recent registers: Qt's usual place, or an INI
    file at ``path`` (tests and screenshots use their own, so they never touch the user's)."""
    from PySide6.QtCore import QSettings

    if path is None:
        return QSettings("regflow", "regflow")
    return QSettings(str(path), QSettings.Format.IniFormat)


def _register_file(db: str | None) -> str | None:
    """The file of register ``db`` (None for the default one or a server)."""
    if db is None:
        return None
    text = str(db)
    return text.removeprefix("sqlite:///") if "://" not in text or text.startswith(
        "sqlite:///") else None


def run(db: str | None, screenshot: str | None = None, case: int | None = None,
        today: date | None = None, settings_path: str | None = None) -> int:
    """Open the main window on register ``db`` (None: the user's default register, made with
    the demo cases the first time). With ``screenshot``, save the window as a PNG and exit."""
    if screenshot and Path(screenshot).suffix.lower() != ".png":
        raise RegflowError(f"--screenshot writes a PNG picture: name it e.g. "
                           f"{Path(screenshot).with_suffix('.png').name}")
    if screenshot and not Path(screenshot).resolve().parent.is_dir():
        raise RegflowError(f"folder {Path(screenshot).parent} does not exist")
    register_file = _register_file(db)
    if screenshot:
        check_output(screenshot, [register_file, settings_path], what="--screenshot")
    if settings_path:  # written on closing
        check_output(settings_path, [register_file], what="--settings")
    if case is not None and not screenshot:
        raise RegflowError("--case goes with --screenshot (it says which case to show)")
    if screenshot and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen needed for a picture
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QMessageBox
    except ImportError as err:
        raise RegflowError(_qt_missing_message(err)) from None

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("regflow")
    app.setOrganizationName("regflow")
    scratch = None
    if screenshot and settings_path is None:  # a picture must not change the user's settings
        import tempfile

        scratch = tempfile.TemporaryDirectory(prefix="regflow-")
        settings_path = str(Path(scratch.name) / "settings.ini")
    window = MainWindow(settings_for(settings_path), today=today)

    def excepthook(kind, value, tb) -> None:  # a bug shows a dialog; the app carries on
        traceback.print_exception(kind, value, tb)
        if threading.current_thread() is not threading.main_thread():
            return  # widgets belong to the UI thread; the worker's error was printed
        if screenshot:  # nobody to read a dialog: stop, instead of waiting for ever
            outcome["code"] = 1
            app.quit()
            return
        QMessageBox.critical(window, "Something went wrong",
                             f"{kind.__name__}: {value}\n\nWhat you were doing was not "
                             "finished; the register holds only completed changes. Please "
                             "report this with the text printed in the terminal.")

    outcome = {"code": 0}
    sys.excepthook = excepthook
    if screenshot:
        window.resize(1600, 1000)

        def shoot() -> None:
            if window.last_error is not None:
                print(f"regflow: {window.last_error.text()}", file=sys.stderr)
                outcome["code"] = 1
                app.quit()
                return
            if case is not None and window.register is not None:
                # the case's diagram may still have to be laid out: save once it is shown
                window.case_panel.ready.connect(lambda: QTimer.singleShot(300, save))
                window.show_case(case)
                if window.last_error is not None:
                    print(f"regflow: {window.last_error.text()}", file=sys.stderr)
                    outcome["code"] = 1
                    app.quit()
                return
            QTimer.singleShot(300, save)

        def save() -> None:
            if outcome.get("saved"):
                return
            outcome["saved"] = True
            app.processEvents()
            if not window.grab().save(screenshot, "PNG"):
                print(f"regflow: cannot write {screenshot}", file=sys.stderr)
                outcome["code"] = 1
            else:
                print(f"wrote {screenshot}")
            app.quit()

        def waited_too_long() -> None:
            print("regflow: the window did not finish loading within 60 s", file=sys.stderr)
            outcome["code"] = 1
            app.quit()

        first = {"done": False}

        def ready() -> None:
            if not first["done"]:
                first["done"] = True
                QTimer.singleShot(200, shoot)

        window.ready.connect(ready)
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, waited_too_long)
    window.show()
    window.open_register(db, demo_if_new=db is None)
    code = app.exec()
    window.close()
    if scratch is not None:
        del window
        scratch.cleanup()
    return outcome["code"] or code


def run_editor(path: str, screenshot: str | None = None, today: date | None = None) -> int:
    """The spec editor on its own, on the spec file at ``path`` (``regflow edit FILE``); with
    ``screenshot``, save the window as a PNG once the spec is checked and drawn, and exit."""
    spec = Path(path)
    if spec.suffix.lower() != ".toml":
        raise RegflowError(f"{path}: a spec is a .toml file")
    if not spec.is_file():
        raise RegflowError(f"{path}: no such spec file; start one with 'regflow new-spec "
                           f"--template inspection -o {spec.name}'")
    if screenshot:
        if Path(screenshot).suffix.lower() != ".png":
            raise RegflowError("--screenshot writes a PNG picture: name it e.g. editor.png")
        check_output(screenshot, [str(spec)], what="--screenshot")
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
    except ImportError as err:
        raise RegflowError(_qt_missing_message(err)) from None

    from .editor.window import EditorWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("regflow")
    window = EditorWindow(None, spec, today)
    outcome = {"code": 0}
    if screenshot:
        def save() -> None:
            app.processEvents()
            if window.grab().save(screenshot, "PNG"):
                print(f"wrote {screenshot}")
            else:
                print(f"regflow: cannot write {screenshot}", file=sys.stderr)
                outcome["code"] = 1
            window.saved_text = window.current_text()  # nothing to ask on closing
            app.quit()

        window.previewed.connect(lambda: QTimer.singleShot(300, save))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, save)
    window.show()
    code = app.exec()
    return outcome["code"] or code
