"""The main window: the register on the left, the chosen case on the right.

Owns the open :class:`Register`; opening one (and catching up its time-driven events, and
filling a first-time demo register) runs off the UI thread. Window layout, recent registers
and the user's name are remembered in :class:`QSettings`.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
)

from regflow.engine.cases.timescales import SOON_DAYS
from regflow.engine.errors import RegflowError
from regflow.engine.register.api import CaseQuery, Register
from regflow.engine.register.storage import (
    ReadOnlyRegister,
    check_location,
    normalise_url,
    os_words,
    refused_write,
)

from .case.forms import NewCaseForm
from .case.panel import CasePanel
from .register.identity import IdentityDialog, roles_words
from .register.panel import RegisterPanel
from .register.server import ServerDialog
from .tasks import run_task, running, wait_for_tasks

MAX_RECENT = 8
LIVE_MS = 1000  # how often the app looks for changes made elsewhere (Register.changed: µs)

SHORTCUTS = [
    ("Ctrl+N", "New case"),
    ("Ctrl+O", "Open another register"),
    ("Ctrl+F", "Search the register"),
    ("Ctrl+Shift+O", "Show overdue cases only"),
    ("Ctrl+Shift+A", "Show all cases"),
    ("Ctrl+1 … Ctrl+9", "Record the 1st … 9th possible next step"),
    ("Ctrl+L", "Centre the diagram on where the case is"),
    ("Ctrl++ / Ctrl+- / Ctrl+0", "Zoom in / out / fit the diagram"),
    ("Ctrl+wheel, drag", "Zoom / move the diagram"),
    ("F5", "Read the register again"),
    ("Ctrl+Q", "Quit"),
]


def _url_text(url: str) -> str:
    return url.removeprefix("sqlite:///")


def _display(url: str) -> str:
    """A register's address for people: a file path, or a URL without its password."""
    if url.startswith("sqlite:///"):
        return _url_text(url)
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _kept(url: str) -> str:
    """A register's address as remembered in the settings: never with its password (which
    comes from the environment, ~/.pgpass or the connection dialog each time)."""
    if url.startswith("sqlite:"):
        return url
    from sqlalchemy.engine import make_url

    try:
        return make_url(url)._replace(password=None).render_as_string(hide_password=False)
    except Exception:
        return url


def _problem(err: Exception) -> str:
    """An error in words: ours as they are; a database's with what to do about it."""
    if isinstance(err, RegflowError):
        return str(err)
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(err, SQLAlchemyError):
        refused = refused_write(err)
        if refused:
            return refused[0].upper() + refused[1:]
        detail = str(getattr(err, "orig", err)).splitlines()[0]
        return (f"The register could not be read or written ({detail}). Nothing was saved; "
                "if another program is using it, try again in a moment.")
    return f"{type(err).__name__}: {err}"


class MainWindow(QMainWindow):
    """regflow's main window on one register."""

    #: a register was opened (or failed to open) and its first case, if any, is on screen
    ready = Signal()

    def __init__(self, settings: QSettings, today: date | None = None):
        super().__init__()
        self.settings = settings
        self.today = today
        self.register: Register | None = None
        self.url: str | None = None
        self.last_error: QMessageBox | None = None
        self._opening = 0  # which open_register call the window waits for
        self._keep_case: int | None = None
        self._previous_url: str | None = None
        self.setWindowTitle("regflow")
        self.resize(1600, 1000)

        self.register_panel = RegisterPanel()
        self.case_panel = CasePanel()
        self.case_panel.actor = str(settings.value("actor", ""))
        self.may_write = False  # whether the open register may be changed by this user
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.register_panel)
        self.split.addWidget(self.case_panel)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self.split.setSizes([640, 960])
        self.setCentralWidget(self.split)

        self.register_panel.caseSelected.connect(self.show_case)
        self.register_panel.shown = lambda: self.case_panel.view.id if self.case_panel.view else None
        self.case_panel.changed.connect(self._case_changed)
        self.case_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.case_panel.problem.connect(self.show_error)
        self.case_panel.ready.connect(self.ready)

        self.where_label = QLabel()
        self.counts_label = QLabel()
        self.who_label = QLabel()  # who records, and the roles the register gives them
        self.who_label.setObjectName("who")
        self.who_label.setContentsMargins(0, 0, 16, 0)
        self.statusBar().addPermanentWidget(self.who_label)
        self.statusBar().addPermanentWidget(self.counts_label)
        self.statusBar().addPermanentWidget(self.where_label)
        self._build_menus()
        self._restore_layout()
        # other people's changes appear within about a second (Register.changed: cheap)
        self._live = QTimer(self)
        self._live.setInterval(LIVE_MS)
        self._live.timeout.connect(self._poll)
        self._live.start()
        if today is None:  # a window left open overnight moves on to the new day
            self._day = date.today()
            self._clock = QTimer(self)
            self._clock.timeout.connect(self._check_day)
            self._clock.start(60_000)

    def _check_day(self) -> None:
        if date.today() != self._day and self.url:
            self._day = date.today()
            self.statusBar().showMessage("A new day: reading the register again", 8000)
            self.reload()

    # -- menus and shortcuts ---------------------------------------------------------------

    def _action(self, menu, text: str, slot, shortcut: str | QKeySequence | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&New case…", self.new_case, QKeySequence.StandardKey.New,
                     "Open a new case in this register")
        self._action(file, "&Open register…", self.choose_register, QKeySequence.StandardKey.Open,
                     "Open another register file")
        self._action(file, "Open register on a database &server…", self.choose_server, None,
                     "Open a register shared on a PostgreSQL server")
        self.recent_menu = file.addMenu("Open &recent")
        self._action(file, "New &empty register…", self.new_register, None,
                     "Make a new register file for your own cases")
        self._action(file, "New register with &demo cases…", self.new_demo_register, None,
                     "Make a register with example cases to try regflow on")
        file.addSeparator()
        self._action(file, "Edit a &spec file…", self.edit_spec, None,
                     "Change a process spec in the spec editor")
        self._action(file, "&Who you are…", self.edit_identity, None,
                     "Your name for the history, and the roles you hold")
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        self._fill_recent()

        case = bar.addMenu("&Case")
        self._action(case, "&Record the first possible step…", lambda: self._step(1), "Ctrl+1")
        for n in range(2, 10):  # on the window, not in the menu: shortcuts only
            step = QAction(f"Record possible step {n}", self)
            step.setShortcut(QKeySequence(f"Ctrl+{n}"))
            step.triggered.connect(lambda _=False, n=n: self._step(n))
            self.addAction(step)
        self._action(case, "&Correct selected history entry…",
                     self.case_panel.open_correct_form)
        self._action(case, "&Extend selected timescale…", self.case_panel.open_extend_form)
        case.addSeparator()
        self._action(case, "Read the register &again", self.reload, "F5")

        self.export_menu = bar.addMenu("E&xport")
        self.export_menu.aboutToShow.connect(self._fill_export_menu)
        self._fill_export_menu()

        view = bar.addMenu("&View")
        self._action(view, "&Find case", self._focus_search, QKeySequence.StandardKey.Find)
        self._action(view, "&Overdue cases only", lambda: self._show("overdue"), "Ctrl+Shift+O")
        self._action(view, "&All cases", lambda: self._show(""), "Ctrl+Shift+A")
        view.addSeparator()
        diagram = self.case_panel.diagram
        zoom_in = self._action(view, "Zoom &in", lambda: diagram.zoom_by(1.25),
                               QKeySequence.StandardKey.ZoomIn)
        zoom_in.setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")])
        self._action(view, "Zoom &out", lambda: diagram.zoom_by(1 / 1.25),
                     QKeySequence.StandardKey.ZoomOut)
        self._action(view, "&Fit diagram to window", diagram.fit, "Ctrl+0")
        self._action(view, "&Where is the case?", self.case_panel.show_where, "Ctrl+L")
        view.addSeparator()
        self._action(view, "&Compare specs…", self.open_compare, "Ctrl+Shift+C")

        help_ = bar.addMenu("&Help")
        self._action(help_, "&Keyboard shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents)
        self._action(help_, "How to read the &diagram", self.show_key)
        self._action(help_, "&About regflow", self.show_about)

    # -- export ----------------------------------------------------------------------------

    def _fill_export_menu(self) -> None:
        """The installed exporters for what is selected: the process (spec) of the case on
        screen, that case, and the register; read again each time the menu opens."""
        from regflow.plugins.exporters import exporters

        menu = self.export_menu
        menu.clear()
        view = self.case_panel.view
        sections = [("spec", "The process of this case", view is not None),
                    ("case", "This case", view is not None),
                    ("register", "The whole register", self.register is not None)]
        for subject, title, enabled in sections:
            menu.addSection(title)
            for exporter in exporters(subject).values():
                action = menu.addAction(f"{exporter.description} ({exporter.suffix})…")
                action.setObjectName(f"export-{subject}-{exporter.name}")
                action.setEnabled(enabled)
                action.triggered.connect(
                    lambda _=False, s=subject, e=exporter: self._export_via_dialog(s, e))

    def _export_via_dialog(self, subject: str, exporter) -> None:
        view = self.case_panel.view
        stem = {"spec": view.spec.process.id if view else "spec",
                "case": f"case-{view.id}" if view else "case", "register": "register"}[subject]
        start = str(Path(self.settings.value("export_folder", str(Path.home()))) /
                    f"{stem}{exporter.suffix}")
        path = self.ask_export_path(start, exporter)
        if path:
            self.settings.setValue("export_folder", str(Path(path).parent))
            self.export_to(subject, exporter.name, path)

    def ask_export_path(self, start: str, exporter) -> str:
        """Where to write (a save dialog); tests replace this."""
        path, _ = QFileDialog.getSaveFileName(self, f"Export: {exporter.description}", start,
                                              f"{exporter.name} (*{exporter.suffix})")
        return path

    def export_to(self, subject: str, fmt: str, path: str) -> bool:
        """Write the selected spec, case or register through the same engine call as
        ``regflow export``; any problem is said in a dialog."""
        from regflow.plugins.exporters import export_subject

        view = self.case_panel.view
        target = {"spec": view.spec if view else None, "case": view,
                  "register": self.register}[subject]
        if target is None:
            self.show_error("Nothing to export", "Choose a case first.")
            return False
        today = self.register.today if self.register is not None else date.today()
        options = {} if subject == "spec" else {"today": today}
        try:
            from regflow.engine.output_guard import check_output

            check_output(path, [self.url], what="export")  # never over the register itself
            exporter, warnings = export_subject(subject, target, path, fmt, **options)
        except Exception as err:  # said in a dialog; the app carries on
            self.show_error("Cannot export", _problem(err),
                            "Choose another file name or format and try again.")
            self.report_plugin_failures()
            return False
        if warnings:
            self.show_error("Exported, with warnings", f"Wrote {path}.",
                            "\n".join(warnings))
        else:
            self.statusBar().showMessage(f"Wrote {path} ({exporter.name})", 8000)
        self.report_plugin_failures()
        return True

    def report_plugin_failures(self) -> None:
        """A plugin that raised is named in a dialog (the app and the case are unharmed)."""
        from regflow.plugins.manager import take_failures

        failures = take_failures()
        if failures:
            self.show_error("A plugin failed", "\n\n".join(str(f) for f in failures),
                            "regflow carried on without it. Tell whoever provides the plugin.")

    def _step(self, n: int) -> None:
        available = [a for a in self.case_panel.actions if a.available]
        if self.case_panel.view is not None and n <= len(available):
            self.case_panel.open_event_form(available[n - 1].event)

    def edit_spec(self, path: str | None = None) -> None:
        """The spec editor on a spec file (asked for if not given), in its own window."""
        from PySide6.QtWidgets import QFileDialog

        from .editor.window import EditorWindow

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Edit a spec", "",
                                                  "regflow specs (*.toml)")
        if path:
            editor = EditorWindow(self, path, self.today)
            editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            editor.show()
            self.editors = [*getattr(self, "editors", []), editor]

    def open_compare(self) -> None:
        """The compare screen (two regimes or two versions side by side), in its own window."""
        from .compare.window import CompareWindow

        if getattr(self, "compare_window", None) is None:
            self.compare_window = CompareWindow(self, self.today)
        self.compare_window.show()
        self.compare_window.raise_()
        if self.compare_window.comparison is None:
            self.compare_window.run()

    def _focus_search(self) -> None:
        self.register_panel.search.setFocus()
        self.register_panel.search.selectAll()

    def _show(self, attention: str) -> None:
        box = self.register_panel.show_box
        box.setCurrentIndex(max(0, box.findData(attention)))

    # -- registers -------------------------------------------------------------------------

    def open_register(self, url: str | os.PathLike[str] | None, demo_if_new: bool = False,
                      create: bool = False) -> None:
        """Open the register at ``url`` (a path or database URL; None: the default one) off
        the UI thread, catching up its time-driven events. A file that does not exist is
        refused, unless ``create`` (an empty register) or ``demo_if_new`` (filled with the demo
        cases)."""
        try:
            text = normalise_url(url)
        except RegflowError as err:
            self.show_error("Cannot open the register", str(err))
            return
        path = Path(_url_text(text)) if text.startswith("sqlite:///") else None
        if text.startswith("sqlite://") and path is None:
            self.show_error("Cannot open the register", "An in-memory database cannot be shared "
                            "with the app's background work and would be lost on closing.",
                            "Give a file path, e.g. --db team.db")
            self.ready.emit()
            return
        try:
            missing = path is not None and not path.exists()
            if path is not None and missing and (create or demo_if_new):
                check_location(path)  # a missing folder: said now
        except (OSError, RegflowError) as err:
            self.show_error("Cannot open the register",
                            str(err) if isinstance(err, RegflowError) else
                            f"cannot use {path} as a register: {os_words(err)}")
            self.ready.emit()
            return
        fresh = demo_if_new and missing
        today = self.today
        self._opening += 1
        ticket = self._opening

        def work() -> tuple[Register, int]:
            # only a new demo register is created here: a mistyped or moved path must not
            # silently become an empty register
            try:
                register = Register(text, today=today, create=fresh or create)
            except ReadOnlyRegister:  # an analyst's copy: shown, and every change refused
                register = Register(text, today=today, readonly=True)
            try:
                if fresh and not register.count_cases():
                    from regflow.engine.register.demo import make_demo

                    make_demo(register)
                caught = register.catch_up()
                # read the first case here: its spec and calendar load the first time (a few
                # hundred ms of imports), which would otherwise freeze the window
                first = register.page(CaseQuery(), limit=1)
                if first:
                    register.get(first[0]["id"])
            except BaseException:
                register.close()
                raise
            return register, caught

        self.statusBar().showMessage(f"Opening {_display(text)}…")
        run_task(self, f"Opening the register {_display(text)}"
                 + (" and adding the demo cases…" if fresh else "…"), work,
                 lambda result: self._opened(ticket, text, *result),
                 lambda err: self._open_failed(ticket, err, text if missing else None),
                 orphan=lambda result: result[0].close())

    def _opened(self, ticket: int, url: str, register: Register, caught: int) -> None:
        if ticket != self._opening:  # another register was asked for since
            register.close()
            return
        try:
            self._show_register(url, register, caught)
        except Exception as err:  # e.g. the database went away between the two threads
            register.close()
            self.register = None
            self._open_failed(ticket, err)

    def _show_register(self, url: str, register: Register, caught: int) -> None:
        if self.register is not None:
            self.register.close()
        self._previous_url = self.url
        self.register, self.url = register, url
        register.changed()  # what later looks for changes compare with
        self.case_panel.register = register
        self.case_panel.today = register.today
        self.case_panel.clear()
        self.register_panel.set_register(register)
        self.setWindowTitle(f"regflow — {Path(_display(url)).name}")
        self.may_write = register.may_write()
        self._read_roles()
        self.where_label.setText(f"Register: {_display(url)}"
                                 + ("" if self.may_write else "  ·  read only")
                                 + f"  ·  Today: {register.today.isoformat()}")
        self._update_counts()
        note = f"; {caught} time-driven step{'s' if caught != 1 else ''} caught up" if caught else ""
        self.statusBar().showMessage(f"Opened {_display(url)}{note}", 8000)
        keep, self._keep_case = self._keep_case, None
        if keep is None and self.settings.value("last_register") == _kept(url):
            last = str(self.settings.value("last_case") or "")  # where the user was last time
            if last.isdigit() and register.count(CaseQuery(search=f"#{last}")):
                keep = int(last)
        self._remember(url)
        if keep is not None:
            self.show_case(keep)
            if self.case_panel.view is None:
                self.ready.emit()
        elif self.register_panel.model.rowCount():
            self.register_panel.select_row(0)
            self.register_panel.table.setFocus()
        else:
            self.case_panel.empty.setText("This register has no cases yet.\n\nOpen one with "
                                          "File ▸ New case (Ctrl+N), or try File ▸ New register "
                                          "with demo cases.")
            self.ready.emit()
        self.report_plugin_failures()  # e.g. a calendar or a check that failed while loading

    def _open_failed(self, ticket: int, err: Exception, gone: str | None = None) -> None:
        if ticket != self._opening:
            return
        if gone is not None:  # moved or deleted: no use offering it again
            recent = self.settings.value("recent", [], list) or []
            self.settings.setValue("recent", [u for u in recent if u != gone])
            self._fill_recent()
        self.statusBar().clearMessage()
        self.show_error("Cannot open the register", _problem(err),
                        "Choose another file with File ▸ Open register (Ctrl+O), or make one "
                        "with File ▸ New register with demo cases.")
        self.ready.emit()

    def choose_register(self) -> None:
        start = str(Path(_url_text(self.url)).parent) if self.url else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open register", start,
                                              "regflow registers (*.db *.sqlite);;All files (*)")
        if path:
            self.open_register(path)

    def choose_server(self) -> None:
        """Ask for a server register's address and, if the environment or ~/.pgpass does not
        give it, a password (used for this connection only, never remembered)."""
        dialog = ServerDialog(self, _kept(self.url) if self.url and "://" in self.url
                              and not self.url.startswith("sqlite") else "")
        if dialog.exec():
            self.open_register(dialog.url())

    def new_register(self, demo: bool = False) -> None:
        title = "New register with demo cases" if demo else "New register"
        path, _ = QFileDialog.getSaveFileName(self, title, "demo.db" if demo else "register.db",
                                              "regflow registers (*.db)")
        if path:
            if Path(path).exists():
                self.show_error("Choose a new file", f"{path} exists already; a new register "
                                "goes into a new file.", "Use File ▸ Open register to open it.")
                return
            self.open_register(path, demo_if_new=demo, create=not demo)

    def new_demo_register(self) -> None:
        self.new_register(demo=True)

    def reload(self) -> None:
        """Read the register again (changes made elsewhere), staying on the case shown."""
        if self.url:
            self._keep_case = self.case_panel.view.id if self.case_panel.view else None
            self.open_register(self.url)

    def _remember(self, url: str) -> None:
        url = _kept(url)
        recent = [u for u in self.settings.value("recent", [], list) or [] if u != url]
        self.settings.setValue("recent", [url, *recent][:MAX_RECENT])
        self.settings.setValue("last_register", url)
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.value("recent", [], list) or []
        for url in recent:
            self.recent_menu.addAction(_display(url), lambda u=url: self.open_register(u))
        self.recent_menu.setEnabled(bool(recent))

    def _poll(self) -> None:
        """Show changes made elsewhere (other people, the command line) since the last look."""
        reg = self.register
        if reg is None or running:  # a register being opened or a change under way
            return
        try:
            if reg.changed():
                self.read_changes()
        except Exception as err:  # e.g. locked for a moment: the next poll looks again
            self.statusBar().showMessage(f"Could not look for changes: {_problem(err)}", 4000)

    def read_changes(self) -> None:
        """Read again what others may have changed: the list, the counts, the case shown."""
        reg = self.register
        shown = self.case_panel.view
        box = self.register_panel.spec_box
        if {box.itemData(i) for i in range(1, box.count())} != {i for i, _ in reg.spec_ids()}:
            self.register_panel.set_register(reg, keep_filters=True)  # a new process appeared
        else:
            self.register_panel.refresh(keep=shown.id if shown else None)
        self._update_counts()
        self._read_roles()  # a manager may have changed them
        if shown is not None:
            version = reg.version_of(shown.id)
            if version is not None and version != shown.version:
                self.case_panel.changed_elsewhere(reg.get(shown.id))
                self.statusBar().showMessage(f"Case #{shown.id} was changed elsewhere and has "
                                             "been read again", 8000)

    def edit_identity(self) -> None:
        """Ask for the user's name (a setting, kept at once) and their roles (kept in the
        register, for everyone)."""
        reg = self.register
        dialog = IdentityDialog(self, self.case_panel.actor,
                                reg.role_labels() if reg is not None else [],
                                reg.user if reg is not None else (lambda _name: None),
                                may_change=reg is not None and self.may_write)
        dialog.accepted.connect(lambda: self._set_identity(dialog.name.text().strip(),
                                                           dialog.roles()))
        dialog.open()

    def _set_identity(self, name: str, roles: list[str]) -> None:
        self.case_panel.actor = name
        self.settings.setValue("actor", name)
        self.settings.sync()
        reg = self.register
        if reg is not None and name and self.may_write:
            try:
                known = reg.user(name)
                if (known.roles if known else ()) != tuple(sorted(roles)):
                    reg.set_roles(name, roles, by=name)
            except Exception as err:  # said in a dialog; the name is kept all the same
                self.show_error("Your roles were not changed", _problem(err))
        self._read_roles()
        self.statusBar().showMessage(f"Recording as {name or '(no name)'}"
                                     + (f", {', '.join(self.case_panel.roles)}"
                                        if self.case_panel.roles else ""), 8000)

    def _read_roles(self) -> None:
        """The roles the register records for the user (none: steps are never questioned),
        shown in the status bar."""
        name, reg = self.case_panel.actor, self.register
        try:
            user = reg.user(name) if reg is not None and name else None
        except RegflowError as err:  # e.g. a server role not allowed to read them
            self.case_panel.roles = []
            self.who_label.setText(f"You: {name} (roles unknown)")
            self.who_label.setToolTip(str(err))
            return
        self.case_panel.roles = list(user.roles) if user else []
        if not name:
            self.who_label.setText("Who are you? File ▸ Who you are")
        else:
            self.who_label.setText(f"You: {name}"
                                   + (f" ({', '.join(user.roles)})" if user and user.roles
                                      else " (no role recorded)"))
        self.who_label.setToolTip(roles_words(user) if name else
                                  "Give your name, to be recorded with your changes")

    def _update_counts(self) -> None:
        if self.register is None:
            self.counts_label.setText("")
            return
        total = self.register.count(CaseQuery())
        overdue = self.register.count(CaseQuery(attention="overdue"))
        behind = self.register.count(CaseQuery(attention="behind"))
        soon = self.register.count(CaseQuery(attention="due soon"))
        self.counts_label.setText(f"{total:,} cases  ·  ⚠ {overdue:,} overdue  ·  "
                                  f"◑ {behind:,} later than normal  ·  ◷ {soon:,} due soon")
        self.counts_label.setToolTip(
            f"⚠ overdue: a limit ('must', 'within') has passed: a breach.\n"
            f"◑ later than normal: a normal arrangement ('normally', 'generally') or a target "
            f"date has passed, but no limit.\n◷ due soon: due within {SOON_DAYS} days.")
        self.register_panel.model.case_id(0)  # the first page read: damaged rows found there
        damaged = self.register.damaged
        if damaged:
            self.counts_label.setText(self.counts_label.text() + f"  ·  ✗ {len(damaged)} damaged "
                                      "(not listed)")
            self.counts_label.setToolTip(self.counts_label.toolTip() + "\n\n" + "\n".join(
                f"✗ case {case_id} is damaged in the register: {what}"
                for case_id, what in sorted(damaged.items())))

    # -- cases -----------------------------------------------------------------------------

    def show_case(self, case_id: int) -> None:
        if self.register is None:
            return
        try:
            view = self.register.get(case_id)
        except Exception as err:  # said in a dialog; the app carries on
            self.show_error("Cannot show the case", _problem(err),
                            "Press F5 to read the register again.")
            return
        self.case_panel.set_case(view)
        self.register_panel.select_case(case_id)

    def _case_changed(self, case_id: int) -> None:
        self.register_panel.refresh(keep=case_id)
        self._update_counts()
        if self.case_panel.actor and self.settings.value("actor") != self.case_panel.actor:
            self.settings.setValue("actor", self.case_panel.actor)  # kept now, not on closing
            self.settings.sync()
            self._read_roles()  # the name given in the form: its roles
        self.report_plugin_failures()  # e.g. a listener that failed after an entry was kept

    def new_case(self) -> None:
        if self.register is None:
            self.show_error("No register open", "Open a register first (File ▸ Open register).")
            return
        form = NewCaseForm(self, self.register.today)
        form.submitted.connect(lambda values: self._create(form, values))
        self.case_panel.open_form(form)

    def _create(self, form: NewCaseForm, values: dict) -> None:
        try:
            view = self.register.new_case(values["spec"], values["title"], values["opened_on"],
                                          values["facts"])
        except Exception as err:  # said in the form, which stays open
            form.show_problem(_problem(err))
            return
        form.accept()
        self.register_panel.set_register(self.register, keep_filters=True)  # a new process may appear
        self._update_counts()
        self.case_panel.set_case(view)
        self.register_panel.select_case(view.id)
        self.statusBar().showMessage(f"Opened case #{view.id}: {view.title}", 8000)

    # -- messages --------------------------------------------------------------------------

    def show_error(self, title: str, text: str, what_to_do: str = "") -> QMessageBox:
        """Say what went wrong and what to do, in a dialog (the app carries on)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                          self)
        if what_to_do:
            box.setInformativeText(what_to_do)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_error = box
        return box

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td style='white-space:nowrap'><b>{k}</b></td>"
                       f"<td style='white-space:nowrap'>&nbsp;&nbsp;{v}</td></tr>"
                       for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def show_key(self) -> None:
        QMessageBox.information(
            self, "How to read the diagram",
            "<p>Each box is a stage of the process, with the role responsible under its name; "
            "frames group stages that belong together (dashed frames run in parallel).</p>"
            "<p><b>▶ orange, thick border</b>: where the case is now.<br>"
            "<b>✓ pale blue</b>: stages the case has been through.<br>"
            "<b>⚠ dashed reddish-purple border</b>: a limit (‘must’, ‘within’) was breached there.<br>"
            "<b>Thick orange arrows</b>: steps that can be recorded now; click one (or its "
            "button on the right) to record it.<br>"
            "<b>Dashed arrows</b>: steps that happen only under a condition, shown in [brackets]."
            "</p><p>Hover over a stage or arrow for its source paragraph. Ctrl+wheel zooms, "
            "dragging moves the diagram.</p>")

    def show_about(self) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("regflow")
        except PackageNotFoundError:
            number = "(not installed)"
        QMessageBox.about(self, "About regflow",
                          f"<b>regflow</b> {number}<br>Regulatory processes as "
                          "declarative state machines: track cases, deadlines and their sources.")

    # -- layout ----------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        for key, restore in (("geometry", self.restoreGeometry), ("state", self.restoreState),
                             ("split", self.split.restoreState),
                             ("case_v", self.case_panel.vsplit.restoreState),
                             ("case_h", self.case_panel.hsplit.restoreState),
                             ("case_b", self.case_panel.bsplit.restoreState)):
            value = self.settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def save_layout(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState())
        self.settings.setValue("split", self.split.saveState())
        self.settings.setValue("case_v", self.case_panel.vsplit.saveState())
        self.settings.setValue("case_h", self.case_panel.hsplit.saveState())
        self.settings.setValue("case_b", self.case_panel.bsplit.saveState())
        self.settings.setValue("actor", self.case_panel.actor)
        self.settings.setValue("last_case", self.case_panel.view.id if self.case_panel.view else "")
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self._opening += 1  # a register still opening is closed when it arrives
        wait_for_tasks()
        if self.register is not None:
            self.register.close()
        super().closeEvent(event)

