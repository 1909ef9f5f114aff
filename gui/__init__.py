"""regflow's desktop app (PySide6): a thin layer over :mod:`regflow.engine`."""
