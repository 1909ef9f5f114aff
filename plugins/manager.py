"""The plugin manager: built-in plugins, entry-point plugins, and hook tracing."""

from __future__ import annotations

import importlib
import os
import sys
from functools import lru_cache

import pluggy

from . import hookspecs

hookimpl = pluggy.HookimplMarker("regflow")

#: Built-in plugins, registered through the same hooks as third-party ones.
DEFAULT_PLUGINS = ("regflow.plugins.exporters", "regflow.plugins.variants")

ENTRY_POINT_GROUP = "regflow"
TRACE_VARIABLE = "REGFLOW_TRACE_HOOKS"


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
