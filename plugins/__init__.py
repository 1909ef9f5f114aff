"""regflow's plugin system (pluggy): hook specifications, the manager, built-in plugins."""

from .manager import hookimpl, plugin_list, plugin_manager

__all__ = ["hookimpl", "plugin_list", "plugin_manager"]
