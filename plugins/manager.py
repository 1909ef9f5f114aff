"""The plugin manager: built-in plugins, entry-point plugins, hook tracing, and calling each
plugin on its own so that one that raises is named and left out instead of stopping the rest."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pluggy

from . import hookspecs

hookimpl = pluggy.HookimplMarker("regflow")

#: Built-in plugins, registered through the same hooks as third-party ones.
DEFAULT_PLUGINS = ("regflow.plugins.exporters", "regflow.plugins.calendars",
                   "regflow.plugins.formats", "regflow.plugins.variants")

ENTRY_POINT_GROUP = "regflow"
TRACE_VARIABLE = "REGFLOW_TRACE_HOOKS"

log = logging.getLogger("regflow.plugins")


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that raised during a hook call: who, in which hook, and what it raised."""

    plugin: str
    hook: str
    error: str
    consequence: str = ""

    def __str__(self) -> str:
        text = f"plugin '{self.plugin}' failed in {self.hook}: {self.error}"
        return f"{text}; {self.consequence}" if self.consequence else text


_failures: list[PluginFailure] = []


def record_failure(failure: PluginFailure) -> None:
    _failures.append(failure)
    log.warning("%s", failure)


def take_failures() -> list[PluginFailure]:
    """Failures since the last call (the command line prints them, the app shows them)."""
    out = list(_failures)
    _failures.clear()
    return out


@lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("regflow")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    if os.environ.get(TRACE_VARIABLE):
        pm.trace.root.setwriter(lambda text: sys.stderr.write(text))
        pm.enable_tracing()
    return pm


def call_each(hook: str, consequence: str = "", first: bool = False,
              **kwargs: Any) -> list[tuple[str, Any]]:
    """``(plugin name, answer)`` from each plugin implementing ``hook``, in pluggy's order
    (last registered first); ``first``: stop at the first answer that is not ``None``.

    Each plugin is called through its own subset of the hook (so tracing still sees it); one
    that raises is recorded as a :class:`PluginFailure` with ``consequence`` (what that means
    for the user), logged, and skipped.
    """
    pm = plugin_manager()
    out: list[tuple[str, Any]] = []
    spec_opts = getattr(pm.hook, hook).spec.opts
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
        others = [p for p in pm.get_plugins() if p is not impl.plugin]
        caller = pm.subset_hook_caller(hook, others)
        try:
            answer = caller(**kwargs)
        except Exception as err:  # a plugin is someone else's code: name it, carry on
            failure = PluginFailure(impl.plugin_name, hook, f"{type(err).__name__}: {err}",
                                    consequence)
            record_failure(failure)
            continue
        if not spec_opts.get("firstresult"):  # pluggy gathers the answers in a list
            answer = answer[0] if answer else None
        if answer is None:
            continue
        out.append((impl.plugin_name, answer))
        if first:
            break
    return out


def plugin_list() -> list[dict[str, object]]:
    """Name, origin and hooks of every registered plugin (for ``regflow plugins``)."""
    pm = plugin_manager()
    out = []
    for name, plugin in pm.list_name_plugin():
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        dist = next((d for p, d in pm.list_plugin_distinfo() if p is plugin), None)
        out.append({
            "name": name,
            "builtin": name in DEFAULT_PLUGINS,
            "distribution": f"{dist.project_name} {dist.version}" if dist else None,
            "hooks": hooks,
        })
    return out
