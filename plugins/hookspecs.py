"""Every hook regflow calls, grouped by the phase in which it is called, one docstring each.

Built-in features are plugins too (see ``DEFAULT_PLUGINS`` in :mod:`regflow.plugins.manager`):
the exporters, the GB working-day calendars and nothing else use exactly the hooks a third-party
plugin would. A plugin is a module or object with functions named like these hooks, decorated
with ``regflow.plugins.hookimpl``, and registered through the ``regflow`` entry-point group::

    [project.entry-points.regflow]
    my_plugin = "my_package.regflow_plugin"

Each plugin is called on its own: one that raises is named in a message (on standard error for a
command, in a dialog in the app) and left out of that call; it never stops the others, a command
or the app, and never changes what is stored. Set ``REGFLOW_TRACE_HOOKS=1`` to print every hook
call and its result to standard error; ``regflow plugins`` lists the plugins and their hooks.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("regflow")

# -- loading a spec ----------------------------------------------------------------------------


@hookspec
def regflow_calendars():
    """Return ``{code: description}``: the working-day calendars this plugin provides.

    Called when a spec is loaded (``process.calendar`` must be one of the codes of some plugin)
    and by ``regflow plugins``. Codes are short names such as ``GB-WLS`` (the built-ins: the GB
    subdivisions of the ``holidays`` package); the description is what people read, e.g.
    ``"Wales, plus Acme's office closure days"``.
    """


@hookspec(firstresult=True)
def regflow_working_calendar(code):
    """Return the :class:`regflow.engine.cases.calendars.WorkingCalendar` for ``code``, or
    ``None`` if this plugin does not provide it. The first plugin to answer wins (plugins
    registered later are asked first, so a plugin can replace a built-in calendar).

    Called once per code per process (the answer is kept). Build it from a ``holidays`` table
    and optional closure days: ``WorkingCalendar(code, holidays.country_holidays("GB",
    subdiv="WLS"), closures={date(2027, 12, 29): "Office closed"})``.
    """


@hookspec
def regflow_guard_functions():
    """Return a list of :class:`regflow.engine.spec.guards.GuardFunction`: functions that
    guards may call, e.g. ``is_weekday(decision_date)``.

    Called when a spec's guards are compiled. Each has a ``name``, the fact types of its
    ``arguments`` (``"date"``, ``"number"``, ``"text"``, ``"bool"``), the type it ``returns``
    and the Python ``function``. Calls are type-checked when the spec loads, like the rest of a
    guard. The function must be pure (same arguments, same answer): regflow keeps answers.
    A guard that calls a plugin function cannot be exported to SCXML's ECMAScript.
    """


@hookspec
def regflow_validate_spec(spec):
    """Return a list of problems found in ``spec`` (a loaded
    :class:`regflow.engine.spec.model.Spec` that passed the built-in checks), each
    ``(key_path, message, suggestion_or_None)``, e.g. ``(("timescales", 2, "citation"),
    "cite the paragraph", None)``.

    Called when a spec is loaded. regflow locates each key path in the file and reports it like
    its own problems (``file:line:column: key path: message``); any problem stops the spec from
    loading. Return ``[]`` when all is well.
    """


# -- running cases -----------------------------------------------------------------------------


@hookspec
def regflow_entry_recorded(register, case, entry):
    """Called after ``entry`` (a :class:`regflow.engine.register.api.Entry`: an event, a
    correction or an extension) has been written to the register for ``case`` (the
    :class:`regflow.engine.register.api.CaseView` as it now stands), e.g. to notify someone.

    The entry is already stored when this is called: a listener that raises is reported by
    name and the entry is kept. The return value is ignored.
    """


# -- output ------------------------------------------------------------------------------------


@hookspec
def regflow_exporters():
    """Return a list of :class:`regflow.plugins.exporters.Exporter` this plugin provides.

    Called by ``regflow export``, ``regflow render``, ``regflow plugins`` and the app's Export
    menu. Each exporter has a ``name`` (``regflow export NAME``), the file ``suffix`` it writes,
    a one-line ``description``, what it exports (``subject``: ``"spec"``, ``"case"`` or
    ``"register"``), the keyword ``options`` it accepts, and ``export(subject, path,
    **options)``, which writes the file:

    - spec: ``export(spec, path, highlight=None, focus=None)``; ``highlight`` is a
      :class:`regflow.engine.drawing.diagram.Highlight` or ``None``, ``focus`` a compound state;
    - case: ``export(view, path, today=...)``, ``view`` a
      :class:`regflow.engine.register.api.CaseView`;
    - register: ``export(register, path, today=...)``, a
      :class:`regflow.engine.register.api.Register`.

    The file is written to a temporary name and moved into place by regflow, so an exporter that
    fails leaves nothing behind. When two plugins offer the same name for the same subject, the
    one registered last wins. Exporters may return warnings (a list of strings, e.g. guards
    that could not be translated); regflow prints them.
    """


# -- rule variants -----------------------------------------------------------------------------


@hookspec
def regflow_variants():
    """Return a list of :class:`regflow.engine.spec.variants.Variant` this plugin offers.

    Called when variants are listed (``regflow case new --variant``, the app's New case
    dialog) or one is opened. A variant names its ``base`` (a shipped spec id or a spec file)
    and ``apply(data) -> data`` turns a fresh copy of the base's TOML data into the
    variant's; the result is checked like any spec and a case opened on it is pinned to its
    text. Variants without code are spec files that ``extends`` another (docs/spec-format.md).
    """
