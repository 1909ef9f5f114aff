"""Every hook regflow calls, grouped by phase, one docstring each.

Built-in features are plugins too (see ``DEFAULT_PLUGINS`` in :mod:`regflow.plugins.manager`):
the ``dot``, ``svg``, ``png`` and ``pdf`` exporters use exactly the hook a third-party plugin
would. A plugin is a module or object with functions named like these hooks, decorated with
``regflow.plugins.hookimpl``, and registered through the ``regflow`` entry-point group::

    [project.entry-points.regflow]
    my_exporter = "my_package.regflow_plugin"

Set ``REGFLOW_TRACE_HOOKS=1`` to print every hook call and its result to standard error;
``regflow plugins`` lists what is installed.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("regflow")

# -- output ------------------------------------------------------------------------------------


@hookspec
def regflow_exporters():
    """Return a list of :class:`regflow.plugins.exporters.Exporter` this plugin provides.

    Each exporter has a ``name`` (used by ``regflow render --format``), the file ``suffix`` it
    writes (``regflow render -o out.svg`` picks the exporter by suffix), a one-line
    ``description`` and ``export(spec, path, highlight, focus)``, which writes the file.
    ``highlight`` is a :class:`regflow.engine.drawing.diagram.Highlight` (active, travelled and missed
    states) or ``None``; ``focus`` is the name of a compound state to draw alone, or ``None``.
    When two plugins offer the same name, the one registered last wins.
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
