"""Running cases: the compiled machine, a case's history, timescales in working days, scenarios and the
next possible steps.
"""
