"""Built-in working-day calendars: the GB subdivisions of the ``holidays`` package (``GB-WLS``,
``GB-SCT``, ``GB-ENG``, ``GB-NIR``), registered through the same hooks as a plugin's."""

from __future__ import annotations

from regflow.engine.cases.calendars import GB_CALENDARS, WorkingCalendar

from .manager import hookimpl


@hookimpl
def regflow_calendars():
    return dict(GB_CALENDARS)


@hookimpl
def regflow_working_calendar(code):
    return WorkingCalendar(code) if code in GB_CALENDARS else None
